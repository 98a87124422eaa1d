"""AWS Network Firewall (JSON 1.0, API 2020-11-12): firewalls and their
logging configurations.

Implemented: ListFirewalls, DescribeLoggingConfiguration,
UpdateLoggingConfiguration, DescribeFirewall (the firewall's ``Tags``,
seeded per firewall with ``firewall_tags``).

Behaviour encoded, with sources (AWS Network Firewall API Reference):

* ListFirewalls: ``MaxResults`` 1-100 (default 100 here: the reference gives
  none); ``NextToken``; a token this endpoint did not issue is
  ``InvalidTokenException``... which ListFirewalls does not model, so
  ``InvalidRequestException``
  (https://docs.aws.amazon.com/network-firewall/latest/APIReference/API_ListFirewalls.html);
* the firewall is named by ``FirewallArn`` or ``FirewallName``; neither, or
  an unknown one, is ``InvalidRequestException`` /
  ``ResourceNotFoundException``;
* UpdateLoggingConfiguration: "You can perform only one of the following
  actions in any call to UpdateLoggingConfiguration: Create a new log
  destination object by adding a single LogDestinationConfig array element
  to LogDestinationConfigs. Delete a log destination object by removing a
  single LogDestinationConfig array element from LogDestinationConfigs.
  Change the LogDestination setting in a single LogDestinationConfig array
  element." (.../API_UpdateLoggingConfiguration.html): a call that makes
  more than one such change, or that changes a LogDestinationType, is
  ``InvalidRequestException``; one destination per log type
  ("LoggingConfiguration": at most one ALERT and one FLOW entry).
"""

from . import jsonproto, restjson
from .errors import AWSError

SERVICE = "network-firewall"
VALIDATION = "InvalidRequestException"
PAGE_MAX = 100


def _store(state, account, region):
    s = restjson.store(state, SERVICE, account, region)
    s.setdefault("firewalls", [])
    return s


def list_firewalls(call, p):
    s = _store(call.state, call.account, call.region)
    items = s["firewalls"]
    if p.get("VpcIds"):
        items = [f for f in items if f["vpc"] in p["VpcIds"]]
    chunk, token = restjson.page(
        items, p.get("NextToken"), p.get("MaxResults", PAGE_MAX),
        AWSError(VALIDATION, "The pagination token is not valid."))
    return {"Firewalls": [{"FirewallName": f["FirewallName"],
                           "FirewallArn": f["FirewallArn"]} for f in chunk],
            "NextToken": token}


def _firewall(call, p):
    s = _store(call.state, call.account, call.region)
    arn, name = p.get("FirewallArn"), p.get("FirewallName")
    if arn is None and name is None:
        raise AWSError(VALIDATION, "Either FirewallArn or FirewallName must "
                       "be provided.")
    for fw in s["firewalls"]:
        if (arn is None or fw["FirewallArn"] == arn) and \
                (name is None or fw["FirewallName"] == name):
            call.resource = fw["FirewallArn"]
            return fw
    raise AWSError("ResourceNotFoundException",
                   f"Firewall {arn or name} not found.")


def describe_logging(call, p):
    fw = _firewall(call, p)
    return {"FirewallArn": fw["FirewallArn"],
            "LoggingConfiguration": {
                "LogDestinationConfigs": [dict(d) for d in fw["logging"]]}}


def describe_firewall(call, p):
    # API_DescribeFirewall.html: the firewall (with its Tags, API_Firewall.html) and its
    # status; the subnets and policy are this endpoint's placeholders.
    fw = _firewall(call, p)
    firewall = {"FirewallName": fw["FirewallName"], "FirewallArn": fw["FirewallArn"],
                "FirewallPolicyArn": fw["FirewallArn"].replace(
                    ":firewall/", ":firewall-policy/"),
                "VpcId": fw["vpc"], "SubnetMappings": [{"SubnetId": "subnet-0001"}],
                "FirewallId": fw["FirewallArn"].rsplit("/", 1)[-1]}
    if fw.get("tags"):
        firewall["Tags"] = [dict(t) for t in fw["tags"]]
    return {"UpdateToken": "token-1", "Firewall": firewall,
            "FirewallStatus": {"Status": "READY",
                               "ConfigurationSyncStateSummary": "IN_SYNC"}}


def _changes(old, new):
    """The number of single changes from ``old`` to ``new`` (by log type),
    or ``None`` when a change is not one of the three allowed kinds."""
    old_by = {d["LogType"]: d for d in old}
    new_by = {d["LogType"]: d for d in new}
    count = 0
    for log_type in set(old_by) | set(new_by):
        a, b = old_by.get(log_type), new_by.get(log_type)
        if a is None or b is None:
            count += 1
        elif a["LogDestinationType"] != b["LogDestinationType"]:
            return None
        elif a["LogDestination"] != b["LogDestination"]:
            count += 1
    return count


def update_logging(call, p):
    fw = _firewall(call, p)
    new = (p.get("LoggingConfiguration") or {}).get(
        "LogDestinationConfigs", [])
    types = [d["LogType"] for d in new]
    if len(types) != len(set(types)):
        raise AWSError(VALIDATION, "A firewall has at most one log "
                       "destination per log type.")
    for d in new:
        key = {"S3": "bucketName", "CloudWatchLogs": "logGroup",
               "KinesisDataFirehose": "deliveryStream"}[
                   d["LogDestinationType"]]
        if not d["LogDestination"].get(key):
            raise AWSError(VALIDATION, f"LogDestination of type "
                           f"{d['LogDestinationType']} needs {key}.")
    changes = _changes(fw["logging"], new)
    if changes is None or changes > 1:
        raise AWSError(VALIDATION, "Only one logging destination change is "
                       "allowed per UpdateLoggingConfiguration call: add "
                       "one, remove one, or change one LogDestination.")
    fw["logging"] = [dict(d) for d in new]
    return {"FirewallArn": fw["FirewallArn"],
            "FirewallName": fw["FirewallName"],
            "LoggingConfiguration": {
                "LogDestinationConfigs": [dict(d) for d in new]}}


HANDLERS = {
    "ListFirewalls": list_firewalls,
    "DescribeLoggingConfiguration": describe_logging,
    "DescribeFirewall": describe_firewall,
    "UpdateLoggingConfiguration": update_logging,
}


def handle(call):
    return jsonproto.dispatch(call, HANDLERS, VALIDATION)


def seed(state, account, region, spec):
    fws = restjson.names(spec.get("firewalls"), "fw-")
    if not fws:
        return {}
    s = _store(state, account, region)
    # Per firewall, its Tags as DescribeFirewall answers them:
    # {"firewall_tags": {"<name>": [{"Key": ..., "Value": ...}]}}.
    tagged = spec.get("firewall_tags") or {}
    out = []
    for name in fws:
        arn = f"arn:aws:network-firewall:{region}:{account}:firewall/{name}"
        s["firewalls"].append({"FirewallName": name, "FirewallArn": arn,
                               "vpc": spec.get("firewall_vpc", "vpc-0001"),
                               "logging": [],
                               "tags": [{"Key": str(t["Key"]),
                                         "Value": str(t.get("Value", ""))}
                                        for t in tagged.get(name) or []]})
        out.append(arn)
    return {"firewalls": out}
