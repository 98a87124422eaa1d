"""AWS CloudTrail (JSON 1.1, API 2013-11-01): trails, logging state and
event selectors.

Implemented: CreateTrail, UpdateTrail, GetTrail, DescribeTrails,
GetTrailStatus, StartLogging, StopLogging, GetEventSelectors,
PutEventSelectors, DeleteTrail.

Behaviour encoded, with sources (API reference pages under
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/):

* trail names: 3-128 characters of ``[A-Za-z0-9._-]``, starting and ending
  with a letter or digit, no adjacent ``.``, ``_``, ``-``, not an IP address
  (API_CreateTrail.html) -> ``InvalidTrailNameException``;
* a trail is created in the caller's region (its home region), not logging;
  at most 5 trails per region (``MaximumNumberOfTrailsExceededException``,
  https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html);
* the bucket must exist (``S3BucketDoesNotExistException``) and its policy
  must let ``cloudtrail.amazonaws.com`` read the ACL and write
  ``[prefix/]AWSLogs/<account>/*`` (``InsufficientS3BucketPolicyException``
  "Incorrect S3 bucket policy is detected for bucket: <name>"); see
  :mod:`awsendpoint.policy`;
* a multi-region trail must include global service events
  (``InvalidParameterCombinationException``);
* UpdateTrail, StartLogging, StopLogging, PutEventSelectors and DeleteTrail
  must be called in the home region (``InvalidHomeRegionException``); reads
  of a multi-region trail work from every region (its "shadow" copies), and
  DescribeTrails lists those shadows unless ``includeShadowTrails`` is false;
* PutEventSelectors takes ``EventSelectors`` (at most 5) or
  ``AdvancedEventSelectors``, never both (``InvalidEventSelectorsException``);
  a new trail logs all management events (one default selector);
* unknown trails: ``TrailNotFoundException``.
* timestamps (``StartLoggingTime``...) are epoch seconds, as JSON 1.1 writes
  them.
"""

import ipaddress
import re

from . import jsonproto, models, policy
from .errors import AWSError

SERVICE = "cloudtrail"
VALIDATION = "InvalidParameterException"
MAX_TRAILS_PER_REGION = 5
MAX_EVENT_SELECTORS = 5
MAX_DATA_RESOURCE_VALUES = 250
DEFAULT_EVENT_SELECTORS = [{
    "ReadWriteType": "All",
    "IncludeManagementEvents": True,
    "DataResources": [],
    "ExcludeManagementEventSources": [],
}]
DATA_RESOURCE_TYPES = ("AWS::S3::Object", "AWS::Lambda::Function",
                       "AWS::DynamoDB::Table")
ADVANCED_FIELDS = ("eventCategory", "eventSource", "eventName", "eventType",
                   "readOnly", "resources.type", "resources.ARN", "errorCode",
                   "userIdentity.arn", "sessionCredentialFromConsole",
                   "vpcEndpointId", "eventTypeName")

_NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
_ARN_RE = re.compile(r"^arn:aws[a-z-]*:cloudtrail:(?P<region>[a-z0-9-]+):"
                     r"(?P<account>\d{12}):trail/(?P<name>.+)$")
_LOG_GROUP_ARN_RE = re.compile(
    r"^arn:aws[a-z-]*:logs:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"log-group:(?P<name>[.\-_/#A-Za-z0-9]+):\*$")
_ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")


def _trail_shape_members(shape_name):
    return list(models.service_model(SERVICE).shape_for(shape_name).members)


def valid_trail_name(name):
    if not 3 <= len(name) <= 128 or not _NAME_RE.match(name):
        return False
    if re.search(r"[._-]{2}", name):
        return False
    try:
        ipaddress.ip_address(name)
        return False
    except ValueError:
        return True


def _invalid_name(name):
    return AWSError(
        "InvalidTrailNameException",
        "Trail name or ARN can only contain uppercase letters, lowercase "
        "letters, numbers, periods (.), hyphens (-), and underscores (_); "
        "must start and end with a letter or number; must be 3-128 "
        f"characters; must not have adjacent ., - or _. Name: {name}")


def trail_arn(region, account, name):
    return f"arn:aws:cloudtrail:{region}:{account}:trail/{name}"


def normalise_trail(trail, account, region, clock):
    """Fill a stored trail with defaults (state seeding and CreateTrail)."""
    name = trail["Name"]
    out = {
        "Name": name,
        "S3BucketName": trail.get("S3BucketName"),
        "S3KeyPrefix": trail.get("S3KeyPrefix"),
        "SnsTopicName": trail.get("SnsTopicName"),
        "SnsTopicARN": trail.get("SnsTopicARN"),
        "IncludeGlobalServiceEvents": trail.get("IncludeGlobalServiceEvents",
                                                True),
        "IsMultiRegionTrail": trail.get("IsMultiRegionTrail", False),
        "HomeRegion": region,
        "TrailARN": trail.get("TrailARN") or trail_arn(region, account, name),
        "LogFileValidationEnabled": trail.get("LogFileValidationEnabled",
                                              False),
        "CloudWatchLogsLogGroupArn": trail.get("CloudWatchLogsLogGroupArn"),
        "CloudWatchLogsRoleArn": trail.get("CloudWatchLogsRoleArn"),
        "KmsKeyId": trail.get("KmsKeyId"),
        "HasCustomEventSelectors": trail.get("HasCustomEventSelectors",
                                             False),
        "HasInsightSelectors": trail.get("HasInsightSelectors", False),
        "IsOrganizationTrail": trail.get("IsOrganizationTrail", False),
        "IsLogging": trail.get("IsLogging", False),
        "StartLoggingTime": trail.get("StartLoggingTime"),
        "StopLoggingTime": trail.get("StopLoggingTime"),
        "EventSelectors": trail.get("EventSelectors",
                                    [dict(s) for s in
                                     DEFAULT_EVENT_SELECTORS]),
        "AdvancedEventSelectors": trail.get("AdvancedEventSelectors"),
        "TagsList": trail.get("TagsList") or [],
        "CreationTime": trail.get("CreationTime", clock.epoch()),
    }
    return out


def _public(trail, shape_name):
    return {k: trail.get(k) for k in _trail_shape_members(shape_name)
            if trail.get(k) is not None}


def _not_found(call, name):
    arn = name if name.startswith("arn:") else \
        trail_arn(call.region, call.account, name)
    return AWSError("TrailNotFoundException",
                    f"Unknown trail: {arn} for the user: {call.account}")


def _find(call, name, write=False):
    """Resolve a trail name or ARN visible from the caller's region."""
    call.resource = name
    match = _ARN_RE.match(name)
    if match:
        account, short = match.group("account"), match.group("name")
        if account != call.account:
            raise _not_found(call, name)
    else:
        if not valid_trail_name(name):
            raise _invalid_name(name)
        short = name
    trail = call.state.account_trails(call.account).get(short)
    if trail is None:
        raise _not_found(call, name)
    if match and match.group("region") != trail["HomeRegion"]:
        raise _not_found(call, name)
    if trail["HomeRegion"] != call.region:
        if not trail["IsMultiRegionTrail"]:
            raise _not_found(call, name)
        if write:
            raise AWSError(
                "InvalidHomeRegionException",
                "This operation must be called from the trail's home "
                f"region, {trail['HomeRegion']}.")
    return trail


def _check_organization_trail(call):
    """``IsOrganizationTrail`` "cannot be true unless the call is made on
    behalf of an AWS account that is the management account or delegated
    administrator account for an organization in AWS Organizations"
    (API_CreateTrail.html).  The management account is the state's
    organisation's (organizations.py) or one listed in the config's
    ``organization_management_accounts``; a delegated administrator is one
    of the organisation's ``delegated_administrators``.  A member account
    that is neither gets NotOrganizationMasterAccountException, an account
    outside any organisation OrganizationsNotInUseException (the
    exceptions' descriptions in the same reference)."""
    if call.account in \
            call.endpoint.config.get("organization_management_accounts", []):
        return
    org = call.state.organization
    members = {a["Id"] for a in org["accounts"]} if org else set()
    if call.account not in members:
        raise AWSError("OrganizationsNotInUseException",
                       "This account is not the management account of an "
                       "organization.")
    if call.account != org["management_account"] and \
            call.account not in org["delegated_administrators"]:
        raise AWSError("NotOrganizationMasterAccountException",
                       "This account is not the management account or a "
                       "delegated administrator of its organization.")


def _check_destination(call, trail, check_bucket=True):
    """Parameter, bucket, prefix and CloudWatch Logs checks of
    Create/UpdateTrail, in that order.  UpdateTrail checks the bucket and its
    policy only when it changes the bucket or the prefix."""
    if trail["IsMultiRegionTrail"] and \
            not trail["IncludeGlobalServiceEvents"]:
        raise AWSError("InvalidParameterCombinationException",
                       "Multi-Region trail must include global service "
                       "events.")
    if trail["IsOrganizationTrail"]:
        _check_organization_trail(call)
    if check_bucket:
        _check_bucket(call, trail)
    group_arn = trail.get("CloudWatchLogsLogGroupArn")
    role_arn = trail.get("CloudWatchLogsRoleArn")
    if group_arn or role_arn:
        if not group_arn:
            raise AWSError("InvalidCloudWatchLogsLogGroupArnException",
                           "You must specify a log group ARN when you "
                           "specify a role ARN.")
        match = _LOG_GROUP_ARN_RE.match(group_arn)
        if not match or match.group("account") != call.account:
            raise AWSError("InvalidCloudWatchLogsLogGroupArnException",
                           f"Invalid log group ARN: {group_arn}")
        index = call.state.log_index(match.group("account"),
                                     match.group("region"), create=False)
        if index is None or index.get(match.group("name")) is None:
            raise AWSError("InvalidCloudWatchLogsLogGroupArnException",
                           f"Log group does not exist: {group_arn}")
        if not role_arn or not _ROLE_ARN_RE.match(role_arn):
            raise AWSError("InvalidCloudWatchLogsRoleArnException",
                           f"Invalid role ARN: {role_arn}")


def _check_bucket(call, trail):
    bucket_name = trail["S3BucketName"] or ""
    prefix = trail.get("S3KeyPrefix") or ""
    if len(prefix) > 200:
        raise AWSError("InvalidS3PrefixException",
                       "Prefix must be at most 200 characters.")
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", bucket_name):
        raise AWSError("InvalidS3BucketNameException",
                       f"Bucket name is not valid: {bucket_name}")
    bucket = call.state.buckets.get(bucket_name)
    if bucket is None:
        raise AWSError("S3BucketDoesNotExistException",
                       f"S3 bucket {bucket_name} does not exist.")
    if not policy.cloudtrail_can_deliver(
            bucket.get("policy"), bucket_name, prefix, call.account,
            trail["HomeRegion"], trail["TrailARN"]):
        raise AWSError("InsufficientS3BucketPolicyException",
                       "Incorrect S3 bucket policy is detected for bucket: "
                       f"{bucket_name}")


_SETTABLE = ("S3BucketName", "S3KeyPrefix", "SnsTopicName",
             "IncludeGlobalServiceEvents", "IsMultiRegionTrail",
             "CloudWatchLogsLogGroupArn", "CloudWatchLogsRoleArn", "KmsKeyId",
             "IsOrganizationTrail")


def _apply(call, trail, p):
    for key in _SETTABLE:
        if key in p:
            trail[key] = p[key] if p[key] != "" else None
    if "EnableLogFileValidation" in p:
        trail["LogFileValidationEnabled"] = p["EnableLogFileValidation"]
    region, account = trail["HomeRegion"], call.account
    topic = trail.get("SnsTopicName")
    if topic:
        trail["SnsTopicARN"] = (topic if topic.startswith("arn:") else
                                f"arn:aws:sns:{region}:{account}:{topic}")
    else:
        trail["SnsTopicARN"] = None
    kms = trail.get("KmsKeyId")
    if kms and not kms.startswith("arn:"):
        trail["KmsKeyId"] = (f"arn:aws:kms:{region}:{account}:{kms}"
                             if kms.startswith("alias/") else
                             f"arn:aws:kms:{region}:{account}:key/{kms}")


def create_trail(call, p):
    name = p["Name"]
    call.resource = name
    if not valid_trail_name(name):
        raise _invalid_name(name)
    trails = call.state.account_trails(call.account)
    if name in trails:
        raise AWSError("TrailAlreadyExistsException",
                       f"Trail {name} already exists for customer: "
                       f"{call.account}")
    in_region = sum(1 for t in trails.values()
                    if t["HomeRegion"] == call.region)
    if in_region >= MAX_TRAILS_PER_REGION:
        raise AWSError("MaximumNumberOfTrailsExceededException",
                       f"User: {call.account} already has "
                       f"{MAX_TRAILS_PER_REGION} trails in {call.region}.")
    trail = normalise_trail({"Name": name, "TagsList": p.get("TagsList")},
                            call.account, call.region, call.clock)
    _apply(call, trail, p)
    _check_destination(call, trail)
    trails[name] = trail
    return _public(trail, "CreateTrailResponse")


def update_trail(call, p):
    current = _find(call, p["Name"], write=True)
    trail = dict(current)
    _apply(call, trail, p)
    _check_destination(call, trail, check_bucket=(
        "S3BucketName" in p or "S3KeyPrefix" in p))
    current.update(trail)
    return _public(current, "UpdateTrailResponse")


def get_trail(call, p):
    trail = _find(call, p["Name"])
    return {"Trail": _public(trail, "Trail")}


def describe_trails(call, p):
    include_shadows = p.get("includeShadowTrails", True)
    trails = call.state.account_trails(call.account)
    names = p.get("trailNameList") or []

    def visible(trail):
        if trail["HomeRegion"] == call.region:
            return True
        return include_shadows and trail["IsMultiRegionTrail"]

    selected = []
    if not names:
        selected = [t for _, t in sorted(trails.items()) if visible(t)]
    else:
        for name in names:
            match = _ARN_RE.match(name)
            short = match.group("name") if match else name
            trail = trails.get(short)
            if trail is None or not visible(trail):
                continue
            if match and (match.group("account") != call.account or
                          match.group("region") != trail["HomeRegion"]):
                continue
            if trail not in selected:
                selected.append(trail)
    return {"trailList": [_public(t, "Trail") for t in selected]}


def get_trail_status(call, p):
    trail = _find(call, p["Name"])
    out = {"IsLogging": trail["IsLogging"]}
    for key in ("StartLoggingTime", "StopLoggingTime"):
        if trail.get(key) is not None:
            out[key] = trail[key]
    if trail.get("StartLoggingTime") is not None:
        out["TimeLoggingStarted"] = _iso(trail["StartLoggingTime"])
    if trail.get("StopLoggingTime") is not None:
        out["TimeLoggingStopped"] = _iso(trail["StopLoggingTime"])
    return out


def _iso(epoch):
    import datetime
    return datetime.datetime.fromtimestamp(
        epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def start_logging(call, p):
    trail = _find(call, p["Name"], write=True)
    trail["IsLogging"] = True
    trail["StartLoggingTime"] = call.clock.epoch()
    return {}


def stop_logging(call, p):
    trail = _find(call, p["Name"], write=True)
    trail["IsLogging"] = False
    trail["StopLoggingTime"] = call.clock.epoch()
    return {}


def get_event_selectors(call, p):
    trail = _find(call, p["TrailName"])
    out = {"TrailARN": trail["TrailARN"]}
    if trail.get("AdvancedEventSelectors"):
        out["AdvancedEventSelectors"] = trail["AdvancedEventSelectors"]
    else:
        out["EventSelectors"] = trail.get("EventSelectors") or []
    return out


def _bad_selectors(message):
    return AWSError("InvalidEventSelectorsException", message)


def validate_event_selectors(basic, advanced):
    if basic is not None and advanced is not None:
        raise _bad_selectors("You can use either EventSelectors or "
                             "AdvancedEventSelectors in a PutEventSelectors "
                             "request, but not both.")
    if basic is None and advanced is None:
        raise _bad_selectors("You must specify either EventSelectors or "
                             "AdvancedEventSelectors.")
    if basic is not None:
        if len(basic) > MAX_EVENT_SELECTORS:
            raise _bad_selectors(f"A trail can have at most "
                                 f"{MAX_EVENT_SELECTORS} event selectors.")
        total = 0
        for sel in basic:
            for res in sel.get("DataResources") or []:
                rtype = res.get("Type")
                if rtype not in DATA_RESOURCE_TYPES:
                    raise _bad_selectors(f"Invalid data resource type: "
                                         f"{rtype}")
                values = res.get("Values") or []
                total += len(values)
                for value in values:
                    if rtype == "AWS::S3::Object" and \
                            not value.startswith("arn:aws:s3:::") and \
                            value != "arn:aws:s3":
                        raise _bad_selectors(f"Invalid S3 object ARN: "
                                             f"{value}")
        if total > MAX_DATA_RESOURCE_VALUES:
            raise _bad_selectors(f"A trail can have at most "
                                 f"{MAX_DATA_RESOURCE_VALUES} data resources "
                                 "across all event selectors.")
    if advanced is not None:
        for sel in advanced:
            fields = sel.get("FieldSelectors") or []
            names = [f.get("Field") for f in fields]
            for name in names:
                if name not in ADVANCED_FIELDS:
                    raise _bad_selectors(f"Invalid field name: {name}")
            category = [f for f in fields if f.get("Field") == "eventCategory"]
            if not category or not category[0].get("Equals"):
                raise _bad_selectors("Each advanced event selector must have "
                                     "an eventCategory field with an Equals "
                                     "operator.")


def put_event_selectors(call, p):
    trail = _find(call, p["TrailName"], write=True)
    basic = p.get("EventSelectors")
    advanced = p.get("AdvancedEventSelectors")
    validate_event_selectors(basic, advanced)
    if basic is not None:
        selectors = []
        for sel in basic:
            full = {"ReadWriteType": sel.get("ReadWriteType", "All"),
                    "IncludeManagementEvents":
                        sel.get("IncludeManagementEvents", True),
                    "DataResources": sel.get("DataResources", []),
                    "ExcludeManagementEventSources":
                        sel.get("ExcludeManagementEventSources", [])}
            selectors.append(full)
        trail["EventSelectors"] = selectors
        trail["AdvancedEventSelectors"] = None
    else:
        trail["AdvancedEventSelectors"] = advanced
        trail["EventSelectors"] = None
    trail["HasCustomEventSelectors"] = True
    out = {"TrailARN": trail["TrailARN"]}
    if basic is not None:
        out["EventSelectors"] = trail["EventSelectors"]
    else:
        out["AdvancedEventSelectors"] = advanced
    return out


def delete_trail(call, p):
    trail = _find(call, p["Name"], write=True)
    del call.state.account_trails(call.account)[trail["Name"]]
    return {}


HANDLERS = {
    "CreateTrail": create_trail,
    "UpdateTrail": update_trail,
    "GetTrail": get_trail,
    "DescribeTrails": describe_trails,
    "GetTrailStatus": get_trail_status,
    "StartLogging": start_logging,
    "StopLogging": stop_logging,
    "GetEventSelectors": get_event_selectors,
    "PutEventSelectors": put_event_selectors,
    "DeleteTrail": delete_trail,
}


def handle(call):
    """Run an authenticated CloudTrail call; return the response dict."""
    return jsonproto.dispatch(call, HANDLERS, VALIDATION)
