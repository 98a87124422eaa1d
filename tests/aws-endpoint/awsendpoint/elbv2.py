"""Elastic Load Balancing v2 (Query protocol, API 2015-12-01): load
balancers and their attributes.

Implemented: DescribeLoadBalancers, DescribeLoadBalancerAttributes,
ModifyLoadBalancerAttributes, DescribeTags (of load balancers); other actions
answer ``400 InvalidAction``.

Behaviour encoded, with sources (ELBv2 API Reference,
https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/):

* DescribeLoadBalancers (API_DescribeLoadBalancers.html): all balancers, or
  those of ``LoadBalancerArns.member.N`` / ``Names.member.N`` (not both:
  ``ValidationError``); one that does not exist is ``LoadBalancerNotFound``;
  ``PageSize`` 1-400 (the model's range), ``Marker``/``NextMarker``;
* attributes (API_LoadBalancerAttribute.html): an application load balancer
  has ``access_logs.s3.enabled``/``bucket``/``prefix``,
  ``deletion_protection.enabled``, ``idle_timeout.timeout_seconds``,
  ``routing.http2.enabled``...; a network load balancer
  ``access_logs.s3.*``, ``deletion_protection.enabled`` and
  ``load_balancing.cross_zone.enabled``; every attribute is returned, the
  access-log ones empty/false by default;
* ModifyLoadBalancerAttributes (API_ModifyLoadBalancerAttributes.html):
  returns every attribute after the change; a key the balancer's type does
  not have is ``ValidationError`` "Load balancer attribute key 'x' is not
  recognized"; turning access logs on without a bucket, or with a bucket
  this endpoint does not hold, is ``InvalidConfigurationRequest`` (AWS
  checks that it can write a test object: "Access Denied for bucket: x.
  Please check S3bucket permission"; Elastic Load Balancing User Guide,
  "Access logs for your Application Load Balancer");
* DescribeTags (API_DescribeTags.html): ``ResourceArns.member.N``, "You can
  specify up to 20 resources in a single call" (more is ``ValidationError``,
  as the model's other length limits); a balancer that does not exist is
  ``LoadBalancerNotFound``; the answer's ``TagDescriptions`` hold one
  ``{ResourceArn, Tags}`` per ARN asked for (API_TagDescription.html). Tags
  are seeded per balancer as AWS shapes them: ``"Tags": [{"Key", "Value"}]``.
"""

from . import queryproto
from .errors import AWSError

SERVICE = "elbv2"
PAGE_MAX = 400
TAGS_MAX = 20

ACCESS_LOGS = {"access_logs.s3.enabled": "false",
               "access_logs.s3.bucket": "",
               "access_logs.s3.prefix": ""}
DEFAULTS = {
    "application": dict(ACCESS_LOGS, **{
        "deletion_protection.enabled": "false",
        "idle_timeout.timeout_seconds": "60",
        "routing.http2.enabled": "true",
        "routing.http.drop_invalid_header_fields.enabled": "false"}),
    "network": dict(ACCESS_LOGS, **{
        "deletion_protection.enabled": "false",
        "load_balancing.cross_zone.enabled": "false"}),
}


def _not_found(message="One or more load balancers not found"):
    return queryproto.modelled_error(SERVICE, "LoadBalancerNotFoundException",
                                     message)


def _where(call):
    return queryproto.store(call.endpoint).of(call.account, call.region)


def _public(lb):
    return {k: v for k, v in lb.items() if k not in ("attributes", "tags")}


def describe_load_balancers(call, p):
    where = _where(call)["load_balancers"]
    arns, names = p.get("LoadBalancerArns"), p.get("Names")
    if arns and names:
        raise AWSError("ValidationError", "Load balancer names and load "
                       "balancer ARNs cannot be specified at the same time")
    ordered = sorted(where.values(), key=lambda lb: lb["LoadBalancerName"])
    if arns:
        missing = [a for a in arns if a not in where]
        if missing:
            raise _not_found(f"Load balancers '{missing}' not found")
        ordered = [lb for lb in ordered if lb["LoadBalancerArn"] in arns]
    if names:
        known = {lb["LoadBalancerName"] for lb in ordered}
        missing = [n for n in names if n not in known]
        if missing:
            raise _not_found(f"Load balancers '{missing}' not found")
        ordered = [lb for lb in ordered if lb["LoadBalancerName"] in names]
    size = p.get("PageSize", PAGE_MAX)
    items, marker = queryproto.page(
        call, ordered, p.get("Marker"), size,
        AWSError("ValidationError", "Invalid value for Marker"))
    return {"LoadBalancers": [_public(lb) for lb in items],
            "NextMarker": marker}


def _balancer(call, arn):
    call.resource = arn
    lb = _where(call)["load_balancers"].get(arn)
    if lb is None:
        raise _not_found(f"Load balancer '{arn}' not found")
    return lb


def _attribute_list(lb):
    return [{"Key": k, "Value": v} for k, v in sorted(lb["attributes"].items())]


def describe_load_balancer_attributes(call, p):
    return {"Attributes": _attribute_list(_balancer(call, p["LoadBalancerArn"]))}


def modify_load_balancer_attributes(call, p):
    lb = _balancer(call, p["LoadBalancerArn"])
    changes = {}
    for attr in p["Attributes"]:
        key, value = attr.get("Key"), attr.get("Value", "")
        if key not in lb["attributes"]:
            raise AWSError("ValidationError", f"Load balancer attribute key "
                           f"'{key}' is not recognized")
        if key.endswith(".enabled") and value not in ("true", "false"):
            raise AWSError("ValidationError", f"Load balancer attribute "
                           f"value '{value}' for key '{key}' is not valid: "
                           "expected true or false")
        changes[key] = value
    merged = dict(lb["attributes"], **changes)
    if merged["access_logs.s3.enabled"] == "true":
        bucket = merged["access_logs.s3.bucket"]
        if not bucket:
            raise queryproto.modelled_error(
                SERVICE, "InvalidConfigurationRequestException",
                "The value of 'access_logs.s3.bucket' cannot be empty "
                "when access logs are enabled")
        if bucket not in call.state.buckets:
            raise queryproto.modelled_error(
                SERVICE, "InvalidConfigurationRequestException",
                f"Access Denied for bucket: {bucket}. Please check "
                "S3bucket permission")
    lb["attributes"] = merged
    return {"Attributes": _attribute_list(lb)}


def describe_tags(call, p):
    arns = p.get("ResourceArns") or []
    if not arns:
        raise AWSError("ValidationError", "ResourceArns must not be empty")
    if len(arns) > TAGS_MAX:
        raise AWSError("ValidationError", f"You can specify up to {TAGS_MAX} "
                       "resources in a single call")
    where = _where(call)["load_balancers"]
    missing = [a for a in arns if a not in where]
    if missing:
        raise _not_found(f"Load balancers '{missing}' not found")
    return {"TagDescriptions": [
        {"ResourceArn": a, "Tags": [dict(t) for t in where[a].get("tags", [])]}
        for a in arns]}


def _tags(item):
    tags = item.get("Tags") or []
    for t in tags:
        if not isinstance(t, dict) or not t.get("Key"):
            raise ValueError("a tag is {\"Key\": ..., \"Value\": ...}")
    return [{"Key": str(t["Key"]), "Value": str(t.get("Value", ""))}
            for t in tags]


def seed(store, where, account, region, spec, now):
    made = []
    for item in queryproto.items_of(spec):
        kind = item.get("Type", "application")
        if kind not in DEFAULTS:
            raise ValueError(f"load balancer Type {kind} is not modelled")
        name = item.get("LoadBalancerName") or \
            f"{item.get('prefix', 'lb-')}{item.get('index', 0):05d}"
        short = "app" if kind == "application" else "net"
        arn = (f"arn:aws:elasticloadbalancing:{region}:{account}:"
               f"loadbalancer/{short}/{name}/{store.next_id():016x}")
        attributes = dict(DEFAULTS[kind])
        for key, value in (item.get("attributes") or {}).items():
            if key not in attributes:
                raise ValueError(f"attribute {key} is not one of a {kind} "
                                 "load balancer")
            attributes[key] = str(value).lower() if isinstance(
                value, bool) else str(value)
        where["load_balancers"][arn] = {
            "LoadBalancerArn": arn,
            "DNSName": f"{name}-1234567890.{region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
            "CreatedTime": queryproto.iso(now),
            "LoadBalancerName": name,
            "Scheme": item.get("Scheme", "internet-facing"),
            "VpcId": item.get("VpcId", "vpc-0123456789abcdef0"),
            "State": {"Code": "active"},
            "Type": kind,
            "IpAddressType": "ipv4",
            "attributes": attributes,
            "tags": _tags(item),
        }
        made.append(arn)
    return made


HANDLERS = {
    "DescribeLoadBalancers": describe_load_balancers,
    "DescribeLoadBalancerAttributes": describe_load_balancer_attributes,
    "ModifyLoadBalancerAttributes": modify_load_balancer_attributes,
    "DescribeTags": describe_tags,
}
