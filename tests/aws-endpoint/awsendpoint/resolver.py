"""Amazon Route 53 Resolver (JSON 1.1, API 2018-04-01): query-log
configurations and their VPC associations.

Implemented: ListResolverQueryLogConfigs, ListResolverQueryLogConfigAssociations,
CreateResolverQueryLogConfig, AssociateResolverQueryLogConfig.

Behaviour encoded, with sources (Route 53 Resolver API Reference):

* ``MaxResults`` 1-100; without it "Resolver returns up to 100" items
  (https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_ListResolverQueryLogConfigs.html,
  .../API_route53resolver_ListResolverQueryLogConfigAssociations.html);
  a token this endpoint did not issue is ``InvalidNextTokenException``
  (configs) or ``InvalidRequestException`` (associations, whose error list
  has no InvalidNextTokenException);
* ``TotalCount`` and ``TotalFilteredCount`` are in every answer;
* CreateResolverQueryLogConfig: ``DestinationArn`` is an S3 bucket, a
  CloudWatch Logs log group or a Firehose stream ARN, else
  ``InvalidParameterException``; ``CreatorRequestId`` makes the call
  idempotent (the same id answers the same configuration)
  (.../API_route53resolver_CreateResolverQueryLogConfig.html);
* AssociateResolverQueryLogConfig: an unknown configuration or VPC is
  ``ResourceNotFoundException``; the same pair twice is
  ``InvalidRequestException`` "The resolver query log config is already
  associated with the VPC" (.../API_route53resolver_AssociateResolverQueryLogConfig.html).
  Associations are created ``ACTIVE`` at once (AWS says ``CREATING`` first).
"""

import secrets

from . import jsonproto, restjson
from .errors import AWSError

SERVICE = "route53resolver"
VALIDATION = "InvalidParameterException"
PAGE_MAX = 100


def _store(state, account, region):
    s = restjson.store(state, SERVICE, account, region)
    s.setdefault("vpcs", [])
    s.setdefault("configs", [])
    s.setdefault("associations", [])
    return s


def _now(call):
    return call.clock.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _limit(p):
    return p.get("MaxResults", PAGE_MAX)


def list_configs(call, p):
    s = _store(call.state, call.account, call.region)
    items = s["configs"]
    chunk, token = restjson.page(
        items, p.get("NextToken"), _limit(p),
        AWSError("InvalidNextTokenException",
                 "The value that you specified for NextToken is not valid."))
    return {"ResolverQueryLogConfigs": [dict(c) for c in chunk],
            "TotalCount": len(items), "TotalFilteredCount": len(items),
            "NextToken": token}


def list_associations(call, p):
    s = _store(call.state, call.account, call.region)
    items = s["associations"]
    chunk, token = restjson.page(
        items, p.get("NextToken"), _limit(p),
        AWSError("InvalidRequestException",
                 "The value that you specified for NextToken is not valid."))
    return {"ResolverQueryLogConfigAssociations": [dict(a) for a in chunk],
            "TotalCount": len(items), "TotalFilteredCount": len(items),
            "NextToken": token}


def _destination_ok(arn):
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return False
    return (parts[2] == "s3" and parts[5] and "/" not in parts[5].split("/")[0]
            or parts[2] == "logs" and parts[5].startswith("log-group:")
            or parts[2] == "firehose" and
            parts[5].startswith("deliverystream/"))


def create_config(call, p):
    s = _store(call.state, call.account, call.region)
    for config in s["configs"]:
        if config["CreatorRequestId"] == p["CreatorRequestId"]:
            return {"ResolverQueryLogConfig": dict(config)}
    if not _destination_ok(p["DestinationArn"]):
        raise AWSError(VALIDATION,
                       f"[RSLVR-01300] The destination ARN "
                       f"'{p['DestinationArn']}' is not valid.")
    ident = "rqlc-" + secrets.token_hex(8)
    config = {
        "Id": ident, "OwnerId": call.account, "Status": "CREATED",
        "ShareStatus": "NOT_SHARED", "AssociationCount": 0,
        "Arn": f"arn:aws:route53resolver:{call.region}:{call.account}:"
               f"resolver-query-log-config/{ident}",
        "Name": p["Name"], "DestinationArn": p["DestinationArn"],
        "CreatorRequestId": p["CreatorRequestId"], "CreationTime": _now(call),
    }
    s["configs"].append(config)
    call.resource = config["Arn"]
    return {"ResolverQueryLogConfig": dict(config)}


def associate(call, p):
    s = _store(call.state, call.account, call.region)
    config = next((c for c in s["configs"]
                   if c["Id"] == p["ResolverQueryLogConfigId"]), None)
    if config is None:
        raise AWSError("ResourceNotFoundException",
                       f"[RSLVR-01400] Resolver query log config "
                       f"'{p['ResolverQueryLogConfigId']}' does not exist.")
    if p["ResourceId"] not in s["vpcs"]:
        raise AWSError("ResourceNotFoundException",
                       f"[RSLVR-01401] VPC '{p['ResourceId']}' does not "
                       "exist.")
    for assoc in s["associations"]:
        if assoc["ResolverQueryLogConfigId"] == config["Id"] and \
                assoc["ResourceId"] == p["ResourceId"]:
            raise AWSError("InvalidRequestException",
                           "The resolver query log config is already "
                           "associated with the VPC.")
    assoc = {"Id": "rqlca-" + secrets.token_hex(8),
             "ResolverQueryLogConfigId": config["Id"],
             "ResourceId": p["ResourceId"], "Status": "ACTIVE",
             "Error": "NONE", "ErrorMessage": "", "CreationTime": _now(call)}
    s["associations"].append(assoc)
    config["AssociationCount"] += 1
    return {"ResolverQueryLogConfigAssociation": dict(assoc)}


HANDLERS = {
    "ListResolverQueryLogConfigs": list_configs,
    "ListResolverQueryLogConfigAssociations": list_associations,
    "CreateResolverQueryLogConfig": create_config,
    "AssociateResolverQueryLogConfig": associate,
}


def handle(call):
    return jsonproto.dispatch(call, HANDLERS, VALIDATION)


def seed(state, account, region, spec):
    """Admin seed: VPC ids that associations may name."""
    vpcs = restjson.names(spec.get("vpcs"), "vpc-")
    if not vpcs:
        return {}
    s = _store(state, account, region)
    s["vpcs"].extend(v for v in vpcs if v not in s["vpcs"])
    return {"vpcs": vpcs}
