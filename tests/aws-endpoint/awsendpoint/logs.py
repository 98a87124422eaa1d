"""Amazon CloudWatch Logs (JSON 1.1, API 2014-03-28): log groups and retention.

Implemented: CreateLogGroup, DeleteLogGroup, DescribeLogGroups,
PutRetentionPolicy, DeleteRetentionPolicy, PutLogGroupDeletionProtection,
AssociateKmsKey, DisassociateKmsKey.  Other operations of the model
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
* log group classes (CreateLogGroup ``logGroupClass``: STANDARD by default,
  INFREQUENT_ACCESS, DELIVERY; a class never changes; a DELIVERY group keeps
  its events one day, so its retention is 1 and PutRetentionPolicy /
  DeleteRetentionPolicy are refused with ``InvalidParameterException``),
  and deletion protection (PutLogGroupDeletionProtection; DeleteLogGroup on a
  protected group is ``ValidationException`` "Cannot delete log group with
  deletion protection enabled. Disable deletion protection first."), from
  the API reference; the Debian model predates them, so
  ``models_ext/logs-ext.json`` adds them to the model;
* AssociateKmsKey: a key of the caller's account unknown to the endpoint is
  ``InvalidParameterException``; a known key's policy must let
  ``logs.<region>.amazonaws.com`` use it (kms.kms_authorize);
* missing groups: ``ResourceNotFoundException`` "The specified log group does
  not exist."; duplicates: ``ResourceAlreadyExistsException``
  "The specified log group already exists".
"""

import base64
import json

from . import jsonproto, kms
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
    group = call.state.new_log_group(name, call.account, call.region,
                                     kms_key_id=kms, tags=p.get("tags"))
    set_class(group, p.get("logGroupClass"))
    if p.get("deletionProtectionEnabled"):
        group["deletionProtectionEnabled"] = True
    index.add(group)
    return {}


def set_class(group, log_group_class):
    """Give a new group its class (STANDARD when none is said). Events of a
    DELIVERY group are kept for one day only (CreateLogGroup, logGroupClass)."""
    group["logGroupClass"] = log_group_class or "STANDARD"
    if group["logGroupClass"] == "DELIVERY":
        group["retentionInDays"] = 1


def _protected():
    # "Protecting log groups from deletion": DeleteLogGroup on a protected
    # group is a ValidationException with this message.
    return AWSError("ValidationException",
                    "Cannot delete log group with deletion protection "
                    "enabled. Disable deletion protection first.")


def delete_log_group(call, p):
    name = p["logGroupName"]
    call.resource = name
    group = _index(call).get(name)
    if group is not None and group.get("deletionProtectionEnabled"):
        raise _protected()
    if not _index(call).remove(name):
        raise _not_found()
    return {}


def _by_identifier(call, identifier):
    """The group a ``logGroupIdentifier`` (name or ARN, with or without the
    trailing ``:*``) names in the caller's account and region."""
    name = identifier
    if identifier.startswith("arn:"):
        parts = identifier.split(":", 5)
        if len(parts) < 6 or parts[2] != "logs" or \
                not parts[5].startswith("log-group:"):
            raise AWSError(VALIDATION,
                           f"Invalid log group identifier: {identifier}")
        if parts[3] != call.region or parts[4] != call.account:
            raise _not_found()
        name = parts[5][len("log-group:"):]
        if name.endswith(":*"):
            name = name[:-2]
    group = _index(call).get(name)
    if group is None:
        raise _not_found()
    return name, group


def put_log_group_deletion_protection(call, p):
    name, group = _by_identifier(call, p["logGroupIdentifier"])
    call.resource = name
    if p["deletionProtectionEnabled"]:
        group["deletionProtectionEnabled"] = True
    else:
        group.pop("deletionProtectionEnabled", None)
    return {}


def _delivery_retention(group):
    # Log classes: "Log events in log groups in the Delivery class are kept in
    # CloudWatch Logs for only one day"; the retention cannot be changed
    # (the exact error AWS answers is not documented; see README.md).
    if group.get("logGroupClass") == "DELIVERY":
        raise AWSError(VALIDATION,
                       "The retention of a log group of the DELIVERY class "
                       "is fixed at 1 day and cannot be changed.")


# The key policy grants CloudWatch Logs needs on a KMS key
# (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html,
# "Step 2: Set permissions on the KMS key").
LOGS_KEY_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey")


def associate_kms_key(call, p):
    name = p["logGroupName"]
    call.resource = name
    arn = p["kmsKeyId"]
    group = _index(call).get(name)
    if group is None:
        raise _not_found()
    parts = arn.split(":")
    if not arn.startswith("arn:") or len(parts) < 6 or parts[2] != "kms" \
            or not parts[5].startswith("key/"):
        raise AWSError(VALIDATION, f"Specified KMS key ARN is not valid: "
                                   f"{arn}")
    known = call.state.keys.get(arn)
    if known is None and parts[4] == call.account:
        # AssociateKmsKey: "If you attempt to associate a KMS key with a log
        # group but the KMS key does not exist or the KMS key is disabled, you
        # receive an InvalidParameterException error."
        raise AWSError(VALIDATION, f"Specified KMS key does not exist: "
                                   f"{arn}")
    if known is not None:
        context = {
            "principal_service": f"logs.{call.region}.amazonaws.com",
            "kms:EncryptionContext:aws:logs:arn":
                f"arn:aws:logs:{call.region}:{call.account}:log-group:{name}",
            "aws:SourceAccount": call.account,
            "aws:SourceArn":
                f"arn:aws:logs:{call.region}:{call.account}:log-group:{name}",
        }
        if not all(kms.kms_authorize(call.state, arn, context, action)
                   for action in LOGS_KEY_ACTIONS):
            raise AWSError(
                "AccessDeniedException",
                f"The specified KMS key does not exist or is not allowed to "
                f"be used with LogGroup '{group['arn'][:-2]}'")
    group["kmsKeyId"] = arn
    return {}


def disassociate_kms_key(call, p):
    name = p.get("logGroupName")
    if name is None:
        raise AWSError(VALIDATION, "1 validation error detected: Value null "
                       "at 'logGroupName' failed to satisfy constraint: "
                       "Member must not be null")
    call.resource = name
    group = _index(call).get(name)
    if group is None:
        raise _not_found()
    group.pop("kmsKeyId", None)
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
    _delivery_retention(group)
    group["retentionInDays"] = days
    return {}


def delete_retention_policy(call, p):
    name = p["logGroupName"]
    call.resource = name
    group = _index(call).get(name)
    if group is None:
        raise _not_found()
    _delivery_retention(group)
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
                  "dataProtectionStatus", "logGroupClass",
                  "deletionProtectionEnabled")


def describe_log_groups(call, p):
    prefix = p.get("logGroupNamePrefix")
    pattern = p.get("logGroupNamePattern")
    if prefix is not None and pattern is not None:
        raise AWSError(VALIDATION,
                       "LogGroup name prefix and LogGroup name pattern are "
                       "mutually exclusive parameters.")
    limit = p.get("limit", PAGE_MAX)
    wanted_class = p.get("logGroupClass")
    after = _decode_token(p["nextToken"]) if p.get("nextToken") else None
    index = call.state.log_index(call.account, call.region, create=False)
    out = []
    more = False
    if index is not None:
        for name in index.iter_from(after, prefix):
            if pattern and pattern not in name:
                continue
            if wanted_class is not None and index.groups[name].get(
                    "logGroupClass", "STANDARD") != wanted_class:
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
            entry.setdefault("logGroupClass", "STANDARD")
            entry.setdefault("deletionProtectionEnabled", False)
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
    "PutLogGroupDeletionProtection": put_log_group_deletion_protection,
    "AssociateKmsKey": associate_kms_key,
    "DisassociateKmsKey": disassociate_kms_key,
}


def handle(call):
    """Run an authenticated Logs call; return the response dict."""
    return jsonproto.dispatch(call, HANDLERS, VALIDATION)
