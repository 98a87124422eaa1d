"""Log delivery by AWS services, as the services do it (``POST
/_admin/deliver``).

The admin API asks for one delivery::

    {"service": "cloudtrail.amazonaws.com", "bucket": "b",
     "key": "AWSLogs/111122223333/CloudTrail/us-east-1/.../x.json.gz",
     "source_arn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/t",
     "source_account": "111122223333",
     "acl": "bucket-owner-full-control", "body": "..."}

and the endpoint makes the service's S3 calls, in order, as the service
principal, through the same pipeline and authorisation as a signed request
(bucket policy only: a service principal has no identity policy; request
context with ``aws:PrincipalIsAWSService`` true, ``aws:PrincipalServiceName``
set, no ``aws:PrincipalArn``, ``aws:SourceArn``/``aws:SourceAccount`` when
given).  The calls each service makes, from its documentation:

* ``cloudtrail.amazonaws.com``: GetBucketAcl, then PutObject with
  ``x-amz-acl: bucket-owner-full-control``
  (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html)
* ``delivery.logs.amazonaws.com`` (VPC Flow Logs, Route 53 Resolver, Network
  Firewall, WAF...): GetBucketAcl, ListBucket, PutObject with the ACL
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html#AWS-logs-infrastructure-S3)
* ``config.amazonaws.com``: GetBucketAcl, ListBucket, PutObject with the ACL
  (https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html)
* ``guardduty.amazonaws.com``: GetBucketLocation, PutObject
  (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html)
* ``logdelivery.elasticloadbalancing.amazonaws.com`` and others: PutObject
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html)

``"calls"`` in the request overrides the list.  The answer lists each call
with its status and error code, and ``"denied"`` names the first refused
call (``null`` when the object was written).  A bucket encrypted with
SSE-KMS also needs ``kms:GenerateDataKey`` for the PutObject, asked of the
KMS module's ``kms_authorize`` when it exists (see :mod:`awsendpoint.authz`).
"""

import http.client
import secrets
from urllib.parse import quote

from . import s3
from .authz import ServiceIdentity
from .context import Call, Request
from .errors import AWSError

SERVICE_CALLS = {
    "cloudtrail.amazonaws.com": ["GetBucketAcl", "PutObject"],
    "delivery.logs.amazonaws.com": ["GetBucketAcl", "ListObjectsV2",
                                    "PutObject"],
    "config.amazonaws.com": ["GetBucketAcl", "ListObjectsV2", "PutObject"],
    "guardduty.amazonaws.com": ["GetBucketLocation", "PutObject"],
}
DEFAULT_CALLS = ["PutObject"]


def _request(operation, bucket, key, acl, body):
    headers = http.client.HTTPMessage()
    headers["Host"] = "s3.amazonaws.com"
    query = []
    path = f"/{bucket}"
    method = "GET"
    if operation == "GetBucketAcl":
        query = [("acl", "")]
    elif operation == "GetBucketLocation":
        query = [("location", "")]
    elif operation == "ListObjectsV2":
        prefix = key.rsplit("/", 1)[0] + "/" if "/" in key else ""
        query = [("list-type", "2"), ("prefix", prefix), ("max-keys", "1")]
    elif operation == "PutObject":
        method = "PUT"
        path = f"/{bucket}/{key}"
        if acl:
            headers["x-amz-acl"] = acl
        headers["Content-Type"] = "application/octet-stream"
    else:
        raise ValueError(f"unsupported delivery call {operation}")
    raw_query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}"
                         for k, v in query)
    return Request(method, quote(path), path, raw_query, query, headers,
                   body if method == "PUT" else b"", ("service", 0))


def deliver(endpoint, spec):
    """Run one delivery (see the module docstring); a JSON-able answer."""
    service = spec["service"]
    bucket = spec["bucket"]
    key = spec.get("key") or "AWSLogs/delivery.log"
    body = spec.get("body", "")
    body = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    acl = spec.get("acl")
    if acl is None and service != "guardduty.amazonaws.com":
        acl = "bucket-owner-full-control"
    calls = spec.get("calls") or SERVICE_CALLS.get(service, DEFAULT_CALLS)
    identity = ServiceIdentity(service, spec.get("source_arn"),
                               spec.get("source_account"))
    stored = endpoint.state.buckets.get(bucket)
    region = spec.get("region") or (stored["region"] if stored else
                                    endpoint.default_region)
    results = []
    denied = None
    for operation in calls:
        request = _request(operation, bucket, key, acl, body)
        call = Call(endpoint, request, "s3", operation, region, identity,
                    secrets.token_hex(8).upper())
        entry = {"operation": operation}
        try:
            response = s3.handle(call)
            entry["status"] = response.status
            if operation == "PutObject":
                entry["version_id"] = dict(
                    (n.lower(), v) for n, v in response.headers).get(
                        "x-amz-version-id")
        except AWSError as err:
            entry.update(status=err.status, error=err.code,
                         message=err.message)
            denied_info = getattr(call, "denied", None)
            if denied_info:
                entry["action"] = denied_info["action"]
                entry["reason"] = denied_info["reason"]
        results.append(entry)
        if entry["status"] >= 300:
            denied = operation
            break
    return {"ok": denied is None, "denied": denied, "calls": results,
            "service": service, "bucket": bucket, "key": key}
