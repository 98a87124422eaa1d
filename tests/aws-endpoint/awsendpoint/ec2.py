"""Amazon EC2 (EC2 Query protocol, API 2016-11-15): VPCs and flow logs.

Implemented: DescribeVpcs, DescribeFlowLogs, CreateFlowLogs; other actions
of the model answer ``400 InvalidAction``.  Wire details are in
:mod:`awsendpoint.queryproto`.

Behaviour encoded, with sources (EC2 API Reference,
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/):

* DescribeVpcs (API_DescribeVpcs.html): ``VpcId.N``, filters ``vpc-id``,
  ``is-default``, ``cidr``/``cidr-block-association.cidr-block``,
  ``state``, ``owner-id``, ``tag:<key>``, ``tag-key``; an unknown VPC id is
  ``InvalidVpcID.NotFound`` "The vpc ID 'vpc-x' does not exist";
  ``MaxResults`` 5-1000 (the model's range), ``NextToken`` when more remain;
  ``MaxResults`` together with ``VpcId.N`` is refused;
* DescribeFlowLogs (API_DescribeFlowLogs.html): ``FlowLogId.N``, filters
  ``resource-id``, ``flow-log-id``, ``traffic-type``,
  ``log-destination-type``, ``log-group-name``, ``deliver-log-status``,
  ``tag:<key>``, ``tag-key``; ``MaxResults`` 5-1000 (larger values return
  1000, as the reference says), ``NextToken``;
* an unknown filter name is ``InvalidParameterValue`` "The filter 'x' is
  invalid" (the error EC2 returns for unsupported filter names);
* CreateFlowLogs (API_CreateFlowLogs.html): ``ResourceType`` VPC (subnets
  and interfaces are not modelled: ``InvalidParameterValue``),
  ``LogDestinationType`` cloud-watch-logs (default; needs ``LogGroupName``
  or ``LogDestination`` and ``DeliverLogsPermissionArn``), s3 (an
  ``arn:aws:s3:::bucket[/prefix]`` destination) or kinesis-data-firehose;
  ``TrafficType`` required unless a transit gateway is named;
  ``MaxAggregationInterval`` 60 or 600; a resource that does not exist, or
  that already has a flow log with the same traffic type and destination,
  is reported in ``Unsuccessful`` (``InvalidVpcID.NotFound``,
  ``FlowLogAlreadyExists``) while the others are created.
"""

import re

from . import queryproto
from .errors import AWSError

SERVICE = "ec2"
MAX_RESULTS = 1000
MIN_RESULTS = 5

VPC_FILTERS = ("vpc-id", "is-default", "cidr", "cidr-block-association.cidr-block",
               "state", "owner-id", "tag-key")
FLOW_FILTERS = ("resource-id", "flow-log-id", "traffic-type",
                "log-destination-type", "log-group-name",
                "deliver-log-status", "tag-key")


def _invalid(message):
    return AWSError("InvalidParameterValue", message)


def _bad_token():
    return AWSError("InvalidNextToken", "The token is not valid.")


def _where(call):
    return queryproto.store(call.endpoint).of(call.account, call.region)


def _tags_match(tags, name, values):
    tags = {t["Key"]: t.get("Value", "") for t in tags or []}
    if name == "tag-key":
        return any(v in tags for v in values)
    key = name[len("tag:"):]
    return key in tags and tags[key] in values


def _filters(filters, allowed, getter):
    """A predicate for EC2 ``Filter.N`` (values of one filter are ORed,
    filters ANDed); unknown names are refused."""
    checks = []
    for item in filters or []:
        name = item.get("Name")
        values = item.get("Values") or []
        if name is None or not (name in allowed or name.startswith("tag:")):
            raise _invalid(f"The filter '{name}' is invalid")
        checks.append((name, values))

    def match(resource):
        for name, values in checks:
            if name.startswith("tag:") or name == "tag-key":
                if not _tags_match(resource.get("Tags"), name, values):
                    return False
            elif getter(resource, name) not in values:
                return False
        return True
    return match


def _max_results(params, default=MAX_RESULTS):
    size = params.get("MaxResults")
    if size is None:
        return default
    if size < MIN_RESULTS:
        raise _invalid(f"Value ( {size} ) for parameter maxResults is "
                       f"invalid. Expecting a value greater than "
                       f"{MIN_RESULTS - 1}.")
    return min(size, MAX_RESULTS)


def _vpc_field(vpc, name):
    if name == "vpc-id":
        return vpc["VpcId"]
    if name == "is-default":
        return "true" if vpc.get("IsDefault") else "false"
    if name in ("cidr", "cidr-block-association.cidr-block"):
        return vpc.get("CidrBlock")
    if name == "state":
        return vpc.get("State")
    return vpc.get("OwnerId")


def describe_vpcs(call, p):
    where = _where(call)
    ids = p.get("VpcIds")
    if ids and p.get("MaxResults") is not None:
        raise _invalid("The parameter vpcIdSet cannot be used with the "
                       "parameter maxResults")
    for vpc_id in ids or []:
        if vpc_id not in where["vpcs"]:
            raise AWSError("InvalidVpcID.NotFound",
                           f"The vpc ID '{vpc_id}' does not exist")
    match = _filters(p.get("Filters"), VPC_FILTERS, _vpc_field)
    chosen = [v for k, v in sorted(where["vpcs"].items())
              if (not ids or k in ids) and match(v)]
    size = _max_results(p)
    items, token = queryproto.page(call, chosen, p.get("NextToken"), size,
                                   _bad_token())
    return {"Vpcs": items, "NextToken": token}


def _flow_field(flow, name):
    return {
        "resource-id": flow.get("ResourceId"),
        "flow-log-id": flow.get("FlowLogId"),
        "traffic-type": flow.get("TrafficType"),
        "log-destination-type": flow.get("LogDestinationType"),
        "log-group-name": flow.get("LogGroupName"),
        "deliver-log-status": flow.get("DeliverLogsStatus"),
    }.get(name)


def describe_flow_logs(call, p):
    where = _where(call)
    ids = p.get("FlowLogIds")
    match = _filters(p.get("Filter"), FLOW_FILTERS, _flow_field)
    chosen = [f for k, f in sorted(where["flow_logs"].items())
              if (not ids or k in ids) and match(f)]
    size = _max_results(p)
    items, token = queryproto.page(call, chosen, p.get("NextToken"), size,
                                   _bad_token())
    return {"FlowLogs": items, "NextToken": token}


_S3_ARN = re.compile(r"^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
                     r"(/.*)?$")


def _destination(p, account, region):
    """``(destination type, destination ARN, log group name)`` of a
    CreateFlowLogs request, checked as the reference describes."""
    kind = p.get("LogDestinationType", "cloud-watch-logs")
    dest = p.get("LogDestination")
    group = p.get("LogGroupName")
    if kind == "cloud-watch-logs":
        if dest and group:
            raise _invalid("Please only provide LogGroupName or only "
                           "provide LogDestination.")
        if not dest and not group:
            raise AWSError("MissingParameter", "LogDestination or "
                           "LogGroupName is required for cloud-watch-logs.")
        if not p.get("DeliverLogsPermissionArn"):
            raise AWSError("MissingParameter", "DeliverLogsPermissionArn "
                           "is required for cloud-watch-logs.")
        if dest:
            if ":log-group:" not in dest:
                raise _invalid(f"LogDestination: {dest} is not a valid "
                               "CloudWatch Logs log group ARN.")
            group = dest.split(":log-group:", 1)[1].split(":", 1)[0]
        else:
            dest = f"arn:aws:logs:{region}:{account}:log-group:{group}"
        return kind, dest, group
    if group:
        raise _invalid(f"LogGroupName is not supported for {kind}.")
    if not dest:
        raise AWSError("MissingParameter",
                       f"LogDestination is required for {kind}.")
    if kind == "s3" and not _S3_ARN.match(dest):
        raise _invalid(f"LogDestination: {dest} is not a valid S3 ARN.")
    if kind == "kinesis-data-firehose" and ":firehose:" not in dest:
        raise _invalid(f"LogDestination: {dest} is not a valid Kinesis "
                       "Data Firehose ARN.")
    return kind, dest, None


def create_flow_logs(call, p):
    where = _where(call)
    if p["ResourceType"] != "VPC":
        raise _invalid(f"ResourceType {p['ResourceType']} is not supported "
                       "by this endpoint.")
    traffic = p.get("TrafficType")
    if traffic is None:
        raise AWSError("MissingParameter", "TrafficType is required.")
    interval = p.get("MaxAggregationInterval", 600)
    if interval not in (60, 600):
        raise _invalid(f"Invalid MaxAggregationInterval {interval}: "
                       "valid values are 60 and 600.")
    kind, dest, group = _destination(p, call.account, call.region)
    store = queryproto.store(call.endpoint)
    token = p.get("ClientToken")
    tokens = where.setdefault("client_tokens", {})
    if token is not None and token in tokens:
        # Idempotency: the same ClientToken answers what it answered first
        # ("Ensuring idempotency in Amazon EC2 API requests").
        return tokens[token]
    created, failed = [], []
    for resource in p["ResourceIds"]:
        call.resource = resource
        if resource not in where["vpcs"]:
            failed.append({"ResourceId": resource, "Error": {
                "Code": "InvalidVpcID.NotFound",
                "Message": f"The vpc ID '{resource}' does not exist"}})
            continue
        if any(f["ResourceId"] == resource and f["TrafficType"] == traffic
               and f.get("LogDestination") == dest
               for f in where["flow_logs"].values()):
            failed.append({"ResourceId": resource, "Error": {
                "Code": "FlowLogAlreadyExists",
                "Message": "Error. There is an existing Flow Log with the "
                           "same configuration and log destination."}})
            continue
        flow = new_flow_log(store, resource, traffic, kind, dest, group,
                            p.get("DeliverLogsPermissionArn"),
                            queryproto.iso(call.clock.epoch()),
                            p.get("LogFormat"), interval)
        where["flow_logs"][flow["FlowLogId"]] = flow
        created.append(flow["FlowLogId"])
    answer = {"ClientToken": token, "FlowLogIds": created,
              "Unsuccessful": failed}
    if token is not None:
        tokens[token] = answer
    return answer


DEFAULT_FORMAT = ("${version} ${account-id} ${interface-id} ${srcaddr} "
                  "${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} "
                  "${bytes} ${start} ${end} ${action} ${log-status}")


def new_flow_log(store, resource, traffic, kind, dest, group, role, created,
                 log_format=None, interval=600, flow_id=None):
    flow = {
        "FlowLogId": flow_id or f"fl-{store.next_id():017x}",
        "CreationTime": created,
        "DeliverLogsStatus": "SUCCESS",
        "FlowLogStatus": "ACTIVE",
        "ResourceId": resource,
        "TrafficType": traffic,
        "LogDestinationType": kind,
        "LogDestination": dest,
        "LogFormat": log_format or DEFAULT_FORMAT,
        "MaxAggregationInterval": interval,
    }
    if group:
        flow["LogGroupName"] = group
    if role:
        flow["DeliverLogsPermissionArn"] = role
    return flow


def seed_vpcs(store, where, account, spec):
    made = []
    for item in queryproto.items_of(spec):
        vpc_id = item.get("VpcId") or f"vpc-{store.next_id():017x}"
        n = len(where["vpcs"])
        vpc = {
            "VpcId": vpc_id,
            "CidrBlock": item.get("CidrBlock",
                                  f"10.{(n // 256) % 256}.{n % 256}.0/24"),
            "State": item.get("State", "available"),
            "OwnerId": account,
            "InstanceTenancy": "default",
            "IsDefault": bool(item.get("IsDefault", False)),
            "DhcpOptionsId": "dopt-0123456789abcdef0",
        }
        if item.get("Tags"):
            vpc["Tags"] = item["Tags"]
        where["vpcs"][vpc_id] = vpc
        made.append(vpc_id)
    return made


def seed_flow_logs(store, where, spec, now):
    made = []
    for item in queryproto.items_of(spec):
        kind = item.get("LogDestinationType", "s3")
        flow = new_flow_log(store, item["ResourceId"],
                            item.get("TrafficType", "ALL"), kind,
                            item.get("LogDestination"),
                            item.get("LogGroupName"),
                            item.get("DeliverLogsPermissionArn"),
                            queryproto.iso(now), item.get("LogFormat"),
                            item.get("MaxAggregationInterval", 600),
                            item.get("FlowLogId"))
        where["flow_logs"][flow["FlowLogId"]] = flow
        made.append(flow["FlowLogId"])
    return made


HANDLERS = {
    "DescribeVpcs": describe_vpcs,
    "DescribeFlowLogs": describe_flow_logs,
    "CreateFlowLogs": create_flow_logs,
}
