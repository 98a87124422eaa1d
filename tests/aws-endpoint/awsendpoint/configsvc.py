"""AWS Config (JSON 1.1, API 2014-11-12): configuration recorders and
delivery channels.

Implemented: DescribeConfigurationRecorders, DescribeConfigurationRecorderStatus,
DescribeDeliveryChannels, PutDeliveryChannel, StartConfigurationRecorder.
None of them is paginated.

Behaviour encoded, with sources (AWS Config API Reference):

* one recorder and one delivery channel per account and Region ("You can
  have only one configuration recorder per region",
  https://docs.aws.amazon.com/config/latest/APIReference/API_PutConfigurationRecorder.html;
  "You can have only one delivery channel per region",
  .../API_PutDeliveryChannel.html): a second channel name is
  ``MaxNumberOfDeliveryChannelsExceededException``;
* PutDeliveryChannel before any recorder exists:
  ``NoAvailableConfigurationRecorderException``; a bucket this endpoint does
  not hold: ``NoSuchBucketException``; an ``s3KeyPrefix`` starting with '/'
  or containing "AWSLogs": ``InvalidS3KeyPrefixException``; no bucket name:
  ``InvalidDeliveryChannelNameException``... is for names, so no bucket is
  ``NoSuchBucketException`` here;
* named recorders or channels that do not exist:
  ``NoSuchConfigurationRecorderException`` / ``NoSuchDeliveryChannelException``;
* StartConfigurationRecorder without a delivery channel:
  ``NoAvailableDeliveryChannelException`` (.../API_StartConfigurationRecorder.html).
"""

from . import jsonproto, restjson
from .errors import AWSError

SERVICE = "config"
VALIDATION = "ValidationException"


def _store(state, account, region):
    s = restjson.store(state, SERVICE, account, region)
    s.setdefault("recorders", [])
    s.setdefault("channels", [])
    return s


def _pick(items, names, error, what):
    if not names:
        return items
    out = []
    for name in names:
        found = next((i for i in items if i["name"] == name), None)
        if found is None:
            raise AWSError(error, f"Cannot find {what} with the specified "
                           f"name '{name}'.")
        out.append(found)
    return out


def describe_recorders(call, p):
    s = _store(call.state, call.account, call.region)
    recs = _pick(s["recorders"], p.get("ConfigurationRecorderNames"),
                 "NoSuchConfigurationRecorderException",
                 "configuration recorder")
    return {"ConfigurationRecorders": [
        {k: r[k] for k in ("name", "roleARN", "recordingGroup")}
        for r in recs]}


def describe_status(call, p):
    s = _store(call.state, call.account, call.region)
    recs = _pick(s["recorders"], p.get("ConfigurationRecorderNames"),
                 "NoSuchConfigurationRecorderException",
                 "configuration recorder")
    out = []
    for r in recs:
        entry = {"name": r["name"], "recording": r["recording"],
                 "lastStatus": "Success" if r["recording"] else "Pending"}
        if r.get("lastStartTime") is not None:
            entry["lastStartTime"] = r["lastStartTime"]
        out.append(entry)
    return {"ConfigurationRecordersStatus": out}


def describe_channels(call, p):
    s = _store(call.state, call.account, call.region)
    chans = _pick(s["channels"], p.get("DeliveryChannelNames"),
                  "NoSuchDeliveryChannelException", "delivery channel")
    return {"DeliveryChannels": [dict(c) for c in chans]}


def put_channel(call, p):
    s = _store(call.state, call.account, call.region)
    chan = dict(p["DeliveryChannel"])
    chan.setdefault("name", "default")
    call.resource = chan["name"]
    if not s["recorders"]:
        raise AWSError("NoAvailableConfigurationRecorderException",
                       "Configuration recorder is not available to put "
                       "delivery channel.")
    if s["channels"] and s["channels"][0]["name"] != chan["name"]:
        raise AWSError("MaxNumberOfDeliveryChannelsExceededException",
                       "Failed to put delivery channel because the maximum "
                       "number of delivery channels: 1 is reached.")
    bucket = chan.get("s3BucketName")
    if not bucket or bucket not in call.state.buckets:
        raise AWSError("NoSuchBucketException",
                       f"Cannot find a S3 bucket with an appropriate bucket "
                       f"policy to send configuration history files: "
                       f"{bucket}")
    prefix = chan.get("s3KeyPrefix")
    if prefix is not None and (prefix.startswith("/") or
                               "AWSLogs" in prefix):
        raise AWSError("InvalidS3KeyPrefixException",
                       "The s3 key prefix is not valid.")
    s["channels"][:] = [chan]
    return {}


def start_recorder(call, p):
    s = _store(call.state, call.account, call.region)
    name = p["ConfigurationRecorderName"]
    call.resource = name
    rec = _pick(s["recorders"], [name],
                "NoSuchConfigurationRecorderException",
                "configuration recorder")[0]
    if not s["channels"]:
        raise AWSError("NoAvailableDeliveryChannelException",
                       "Delivery channel is not available to start "
                       "configuration recorder.")
    rec["recording"] = True
    rec["lastStartTime"] = call.clock.epoch()
    return {}


HANDLERS = {
    "DescribeConfigurationRecorders": describe_recorders,
    "DescribeConfigurationRecorderStatus": describe_status,
    "DescribeDeliveryChannels": describe_channels,
    "PutDeliveryChannel": put_channel,
    "StartConfigurationRecorder": start_recorder,
}


def handle(call):
    return jsonproto.dispatch(call, HANDLERS, VALIDATION)


def seed(state, account, region, spec):
    recs = spec.get("recorders") or []
    chans = spec.get("delivery_channels") or []
    if not recs and not chans:
        return {}
    s = _store(state, account, region)
    for r in recs:
        if s["recorders"]:
            raise ValueError("one configuration recorder per Region")
        s["recorders"].append({
            "name": r.get("name", "default"),
            "roleARN": r.get("roleARN",
                             f"arn:aws:iam::{account}:role/aws-service-role/"
                             "config.amazonaws.com/AWSServiceRoleForConfig"),
            "recordingGroup": {"allSupported": True,
                               "includeGlobalResourceTypes": True,
                               "resourceTypes": []},
            "recording": bool(r.get("recording", False))})
    for c in chans:
        s["channels"][:] = [dict(c)]
    return {"recorders": [r["name"] for r in s["recorders"]]}
