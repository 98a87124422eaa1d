"""Amazon CloudWatch Logs (JSON 1.1, API 2014-03-28): log groups and retention.

Implemented: CreateLogGroup, DeleteLogGroup, DescribeLogGroups,
PutRetentionPolicy, DeleteRetentionPolicy.  Other operations of the model
answer ``501 NotImplementedException``, so a test notices at once; targets
the model does not know answer ``UnknownOperationException``.

Behaviour encoded, with sources:

* validation failures are ``InvalidParameterException`` (modelled on every
  operation here) with AWS's "N validation error(s) detected" sentence;
* log group names: 1-512 characters of ``[.\\-_/#A-Za-z0-9]`` (model
  ``LogGroupName`` pattern);
* retention values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400,
  545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653
  (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html;
  1096 is newer than the botocore 1.29 model's documentation);
* ``DescribeLogGroups``: ``logGroupNamePrefix`` and ``logGroupNamePattern``
  are mutually exclusive; the pattern is a case-sensitive substring match and
  its entries carry only ``arn``, ``creationTime`` and ``logGroupName``;
  ``limit`` 1-50, default 50; results in name order; ``nextToken`` is opaque
  (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html);
* ``retentionInDays`` is absent from an entry whose events never expire;
  ``kmsKeyId`` only when set;
* missing groups: ``ResourceNotFoundException`` "The specified log group does
  not exist."; duplicates: ``ResourceAlreadyExistsException``
  "The specified log group already exists".
"""

import base64
import json

from . import jsonproto
from .errors import AWSError

SERVICE = "logs"
VALIDATION = "InvalidParameterException"

RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545,
                  731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)

PAGE_MAX = 50


def _not_found():
    return AWSError("ResourceNotFoundException",
                    "The specified log group does not exist.")


def _index(call):
    return call.state.log_index(call.account, call.region)


def create_log_group(call, p):
    name = p["logGroupName"]
    call.resource = name
    index = _index(call)
    if index.get(name) is not None:
        raise AWSError("ResourceAlreadyExistsException",
                       "The specified log group already exists")
    kms = p.get("kmsKeyId")
    if kms is not None and not kms.startswith("arn:"):
        raise AWSError(VALIDATION,
                       f"Specified KMS key ARN is not valid: {kms}")
    index.add(call.state.new_log_group(name, call.account, call.region,
                                       kms_key_id=kms, tags=p.get("tags")))
    return {}


def delete_log_group(call, p):
    name = p["logGroupName"]
    call.resource = name
    if not _index(call).remove(name):
        raise _not_found()
    return {}


def put_retention_policy(call, p):
    name = p["logGroupName"]
    call.resource = name
    days = p["retentionInDays"]
    if days not in RETENTION_DAYS:
        raise AWSError(
            VALIDATION,
            f"1 validation error detected: Value '{days}' at "
            "'retentionInDays' failed to satisfy constraint: Member must "
            "satisfy enum value set: "
            f"[{', '.join(str(d) for d in RETENTION_DAYS)}]")
    group = _index(call).get(name)
    if group is None:
        raise _not_found()
    group["retentionInDays"] = days
    return {}


def delete_retention_policy(call, p):
    name = p["logGroupName"]
    call.resource = name
    group = _index(call).get(name)
    if group is None:
        raise _not_found()
    group.pop("retentionInDays", None)
    return {}


def _encode_token(last):
    raw = json.dumps({"v": 1, "after": last}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_token(token):
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        if data.get("v") != 1 or not isinstance(data.get("after"), str):
            raise ValueError
        return data["after"]
    except (ValueError, TypeError, AttributeError):
        raise AWSError(VALIDATION, "The specified nextToken is invalid.") \
            from None


_PUBLIC_FIELDS = ("logGroupName", "creationTime", "retentionInDays",
                  "metricFilterCount", "arn", "storedBytes", "kmsKeyId",
                  "dataProtectionStatus")


def describe_log_groups(call, p):
    prefix = p.get("logGroupNamePrefix")
    pattern = p.get("logGroupNamePattern")
    if prefix is not None and pattern is not None:
        raise AWSError(VALIDATION,
                       "LogGroup name prefix and LogGroup name pattern are "
                       "mutually exclusive parameters.")
    limit = p.get("limit", PAGE_MAX)
    after = _decode_token(p["nextToken"]) if p.get("nextToken") else None
    index = call.state.log_index(call.account, call.region, create=False)
    out = []
    more = False
    if index is not None:
        for name in index.iter_from(after, prefix):
            if pattern and pattern not in name:
                continue
            if len(out) == limit:
                more = True
                break
            out.append(name)
    groups = []
    for name in out:
        group = index.groups[name]
        if pattern is not None:
            entry = {k: group[k] for k in ("arn", "creationTime",
                                           "logGroupName")}
        else:
            entry = {k: group[k] for k in _PUBLIC_FIELDS if k in group}
        groups.append(entry)
    result = {"logGroups": groups}
    if more and out:
        result["nextToken"] = _encode_token(out[-1])
    return result


HANDLERS = {
    "CreateLogGroup": create_log_group,
    "DeleteLogGroup": delete_log_group,
    "DescribeLogGroups": describe_log_groups,
    "PutRetentionPolicy": put_retention_policy,
    "DeleteRetentionPolicy": delete_retention_policy,
}


def handle(call):
    """Run an authenticated Logs call; return the response dict."""
    return jsonproto.dispatch(call, HANDLERS, VALIDATION)
