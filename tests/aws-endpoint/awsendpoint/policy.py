"""A small IAM policy evaluator, enough to decide whether a stored bucket
policy lets CloudTrail deliver to the bucket.

CloudTrail needs (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html):

* ``s3:GetBucketAcl`` on ``arn:aws:s3:::BUCKET``, and
* ``s3:PutObject`` on ``arn:aws:s3:::BUCKET/[PREFIX/]AWSLogs/ACCOUNT/*``
  (with ``s3:x-amz-acl`` = ``bucket-owner-full-control``),

both granted to the service principal ``cloudtrail.amazonaws.com``; the
documented policy may narrow them with ``aws:SourceArn`` (the trail ARN) and
``aws:SourceAccount`` conditions.

Evaluation follows IAM's rules in the small: an explicit ``Deny`` wins, else
an ``Allow`` is needed.  A statement applies when its principal, action and
resource match (``*``/``?`` wildcards; actions case-insensitive, resources
case-sensitive; ``NotPrincipal``/``NotAction``/``NotResource`` inverted) and
all its conditions hold.  Supported condition operators: the ``String*``,
``Arn*``, ``Bool`` and ``Null`` families, with ``...IfExists`` and the
``ForAnyValue:``/``ForAllValues:`` qualifiers; a key missing from the request
context makes a positive operator false and a negated one true, as in IAM
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
Unknown operators never match.
"""

import json
import re

CLOUDTRAIL_PRINCIPAL = "cloudtrail.amazonaws.com"


def wildcard_match(pattern, value, ignore_case=False):
    """IAM wildcard match: ``*`` any run of characters, ``?`` one."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c)
                    for c in pattern)
    flags = re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL
    return re.fullmatch(regex, value, flags) is not None


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _principal_matches(principal, service):
    if principal == "*":
        return True
    if isinstance(principal, dict):
        if "*" in _as_list(principal.get("AWS")):
            return True
        return service in _as_list(principal.get("Service"))
    return False


def _condition_holds(operator, key_values, context):
    op = operator
    for qualifier in ("ForAnyValue:", "ForAllValues:"):
        if op.startswith(qualifier):
            op = op[len(qualifier):]
    if_exists = op.endswith("IfExists")
    if if_exists:
        op = op[:-len("IfExists")]
    for key, expected in key_values.items():
        actual = context.get(key.lower())
        expected = [str(e) for e in _as_list(expected)]
        if op == "Null":
            want_absent = expected and expected[0].lower() == "true"
            if (actual is None) != want_absent:
                return False
            continue
        negated = "Not" in op
        if actual is None:
            if if_exists or negated:
                continue
            return False
        if op in ("StringEquals", "StringNotEquals", "ArnEquals",
                  "ArnNotEquals"):
            hit = actual in expected
        elif op in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
            hit = actual.lower() in [e.lower() for e in expected]
        elif op in ("StringLike", "StringNotLike", "ArnLike", "ArnNotLike"):
            hit = any(wildcard_match(e, actual) for e in expected)
        elif op == "Bool":
            hit = actual.lower() in [e.lower() for e in expected]
        else:
            return False
        if hit == negated:
            return False
    return True


def _statement_applies(st, service, action, resource, context):
    if "Principal" in st:
        if not _principal_matches(st["Principal"], service):
            return False
    elif "NotPrincipal" in st:
        if _principal_matches(st["NotPrincipal"], service):
            return False
    else:
        return False
    if "Action" in st:
        if not any(wildcard_match(a, action, ignore_case=True)
                   for a in _as_list(st["Action"]) if isinstance(a, str)):
            return False
    elif "NotAction" in st:
        if any(wildcard_match(a, action, ignore_case=True)
               for a in _as_list(st["NotAction"]) if isinstance(a, str)):
            return False
    else:
        return False
    if "Resource" in st:
        if not any(wildcard_match(r, resource)
                   for r in _as_list(st["Resource"]) if isinstance(r, str)):
            return False
    elif "NotResource" in st:
        if any(wildcard_match(r, resource)
               for r in _as_list(st["NotResource"]) if isinstance(r, str)):
            return False
    else:
        return False
    for operator, key_values in (st.get("Condition") or {}).items():
        if not isinstance(key_values, dict):
            return False
        if not _condition_holds(operator, key_values, context):
            return False
    return True


def is_allowed(document, service, action, resource, context):
    """Whether ``document`` (parsed JSON) allows ``service`` to perform
    ``action`` on ``resource`` given the request ``context`` (lower-case
    condition keys)."""
    statements = _as_list(document.get("Statement"))
    allowed = False
    for st in statements:
        if not isinstance(st, dict):
            continue
        if not _statement_applies(st, service, action, resource, context):
            continue
        if st.get("Effect") == "Deny":
            return False
        if st.get("Effect") == "Allow":
            allowed = True
    return allowed


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
    context = {
        "aws:sourcearn": trail_arn,
        "aws:sourceaccount": account,
        "aws:principalservicename": CLOUDTRAIL_PRINCIPAL,
    }
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
