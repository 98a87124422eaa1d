"""Whether a stored bucket policy lets CloudTrail deliver to the bucket
(CreateTrail/UpdateTrail's ``InsufficientS3BucketPolicyException``).

CloudTrail needs (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html):

* ``s3:GetBucketAcl`` on ``arn:aws:s3:::BUCKET``, and
* ``s3:PutObject`` on ``arn:aws:s3:::BUCKET/[PREFIX/]AWSLogs/ACCOUNT/*``
  (with ``s3:x-amz-acl`` = ``bucket-owner-full-control``),

both granted to the service principal ``cloudtrail.amazonaws.com``; the
documented policy may narrow them with ``aws:SourceArn`` (the trail ARN) and
``aws:SourceAccount`` conditions.  The check runs the general evaluator of
:mod:`awsendpoint.iampolicy` (the same one every S3 call goes through) as
the service principal, with the request context CloudTrail's own calls
carry (:func:`awsendpoint.authz.build_context` for a service principal:
``aws:PrincipalIsAWSService``, ``aws:PrincipalServiceName``,
``aws:SourceArn``, ``aws:SourceAccount``, ``aws:SecureTransport`` true).
"""

import json

from . import iampolicy
from .iampolicy import wildcard_match  # noqa: F401 - kept for callers

CLOUDTRAIL_PRINCIPAL = "cloudtrail.amazonaws.com"


def service_context(service, source_arn=None, source_account=None):
    """The global condition keys of a service principal's request."""
    ctx = {"aws:principalisawsservice": "true",
           "aws:principalservicename": service,
           "aws:principalservicenameslist": [service],
           "aws:securetransport": "true"}
    if source_arn:
        ctx["aws:sourcearn"] = source_arn
    if source_account:
        ctx["aws:sourceaccount"] = str(source_account)
    return ctx


def is_allowed(document, service, action, resource, context):
    """Whether ``document`` (parsed JSON) allows the service principal
    ``service`` to perform ``action`` on ``resource`` given the request
    ``context`` (lower-case condition keys)."""
    principal = iampolicy.Principal("service", service=service)
    decision, _ = iampolicy.evaluate([document], action, resource, context,
                                     principal, resource_policy=True)
    return decision == "allow"


def cloudtrail_can_deliver(policy_text, bucket, prefix, account, region,
                           trail_arn):
    """Whether the bucket policy lets CloudTrail deliver a trail's logs."""
    if not policy_text:
        return False
    try:
        document = json.loads(policy_text)
    except ValueError:
        return False
    if not isinstance(document, dict):
        return False
    context = service_context(CLOUDTRAIL_PRINCIPAL, trail_arn, account)
    if not is_allowed(document, CLOUDTRAIL_PRINCIPAL, "s3:GetBucketAcl",
                      f"arn:aws:s3:::{bucket}", context):
        return False
    key_prefix = f"{prefix.strip('/')}/" if prefix and prefix.strip("/") \
        else ""
    sample_key = (f"{key_prefix}AWSLogs/{account}/CloudTrail/{region}/"
                  f"2024/01/01/{account}_CloudTrail_{region}_"
                  "20240101T0000Z_abcdefghijklmnop.json.gz")
    put_context = dict(context)
    put_context["s3:x-amz-acl"] = "bucket-owner-full-control"
    return is_allowed(document, CLOUDTRAIL_PRINCIPAL, "s3:PutObject",
                      f"arn:aws:s3:::{bucket}/{sample_key}", put_context)
