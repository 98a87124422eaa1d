"""Producers of logs (VPCs, load balancers, Config recorders, GuardDuty detectors, EKS clusters)
on the local AWS endpoint, for the tests and examples whose policies check coverage
(docs/language.md, "Coverage and enable": every producer of a source's scope must deliver
where the source says).

Resources are made as their owners would have them: through the endpoint's admin API where AWS
has them before anyone calls (VPCs, load balancers, recorders, detectors, clusters:
``POST /_admin/workloads`` and ``/_admin/sources``), and through the service APIs where an
account team turns logging on (Route 53 Resolver query logging, GuardDuty's export). The
endpoint makes no default VPC by itself: a test that wants one seeds it (``default_vpc``).

    seed_organization(endpoint, client, gaps=("orders",))   # examples/organization's producers
"""

import json
import urllib.request

# examples/organization: its accounts, Regions, archive key and buckets.
ARCHIVE = "222233334444"
KEY_ARN = f"arn:aws:kms:us-east-1:{ARCHIVE}:key/8f2c1a4e-5b6d-4e7f-9a0b-1c2d3e4f5a6b"
BUCKET = f"acme-org-logs-{ARCHIVE}"
LB_BUCKET = f"acme-org-lb-logs-{ARCHIVE}"
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
SECURITY = "999988887777"
WORKLOADS = ("111122223333", "333344445555", "555566667777")  # ci, prod, dev
WEB_FACING = ("333344445555", "555566667777")  # prod, dev
EVERYONE = ("123456789012", ARCHIVE, SECURITY) + WORKLOADS
# The VPC examples/organization/local-aws-loop leaves without a flow log: dev, eu-west-1.
ORDERS = ("555566667777", "eu-west-1")


def admin(endpoint, path, body):
    """POST @p body to the endpoint's admin API; @return its answer."""
    req = urllib.request.Request(endpoint + path, method="POST",
                                 data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


def config_recorder(endpoint, account, region, bucket, prefix, kms_key_arn=None,
                    recording=True):
    """A recorder of every supported type and its delivery channel to s3://bucket/prefix."""
    channel = {"name": "default", "s3BucketName": bucket, "s3KeyPrefix": prefix}
    if kms_key_arn:
        channel["s3KmsKeyArn"] = kms_key_arn
    admin(endpoint, "/_admin/sources", {
        "account": account, "region": region,
        "recorders": [{"name": "default", "recording": recording}],
        "delivery_channels": [channel]})


def guardduty_detector(endpoint, client, account, region, destination_arn=None,
                       kms_key_arn=None):
    """A detector; with @p destination_arn, its findings exported there (CreatePublishingDestination
    through @p client). @return the detector ID."""
    detector = admin(endpoint, "/_admin/sources", {"account": account, "region": region,
                                                   "detectors": 1})["detectors"][0]
    if destination_arn:
        client(account, "guardduty", region).create_publishing_destination(
            DetectorId=detector, DestinationType="S3",
            DestinationProperties={"DestinationArn": destination_arn, "KmsKeyArn": kms_key_arn})
    return detector


def vpcs(endpoint, account, region, specs):
    """VPCs (``{"IsDefault": True}``, ``{"Tags": [...]}``, ...), known to Route 53 Resolver
    too. @return their IDs."""
    made = admin(endpoint, "/_admin/workloads", {"account": account, "region": region,
                                                 "vpcs": list(specs)})["vpcs"]
    admin(endpoint, "/_admin/sources", {"account": account, "region": region, "vpcs": made})
    return made


def flow_log(endpoint, account, region, vpc, destination_arn, traffic_type="ALL"):
    """A flow log of @p vpc to an S3 destination ("arn:aws:s3:::bucket/prefix/")."""
    admin(endpoint, "/_admin/workloads", {
        "account": account, "region": region,
        "flow_logs": [{"ResourceId": vpc, "LogDestinationType": "s3",
                       "LogDestination": destination_arn, "TrafficType": traffic_type}]})


def query_logging(client, account, region, vpc_ids, destination_arn, name="dns-queries"):
    """A Resolver query-log configuration to @p destination_arn, associated with each VPC."""
    resolver = client(account, "route53resolver", region)
    config = resolver.create_resolver_query_log_config(
        Name=name, DestinationArn=destination_arn,
        CreatorRequestId=name)["ResolverQueryLogConfig"]["Id"]
    for vpc in vpc_ids:
        resolver.associate_resolver_query_log_config(ResolverQueryLogConfigId=config,
                                                     ResourceId=vpc)


def load_balancer(endpoint, account, region, name, bucket=None, prefix="", kind="application"):
    """A load balancer; with @p bucket, its access logs on to s3://bucket/prefix. @return its
    ARN."""
    attributes = {"access_logs.s3.enabled": "true" if bucket else "false"}
    if bucket:
        attributes["access_logs.s3.bucket"] = bucket
        attributes["access_logs.s3.prefix"] = prefix
    made = admin(endpoint, "/_admin/workloads", {
        "account": account, "region": region,
        "load_balancers": [{"LoadBalancerName": name, "Type": kind,
                            "attributes": attributes}]})
    return made["load_balancers"][0]


def eks_clusters(endpoint, account, region, names, log_types):
    """EKS clusters with the control-plane log types @p log_types on. @return their ARNs."""
    return admin(endpoint, "/_admin/sources", {
        "account": account, "region": region, "clusters": list(names),
        "cluster_log_types": list(log_types)})["clusters"]


def seed_organization(endpoint, client, gaps=()):
    """The producers of examples/organization's sources, delivering where it says: a Config
    recorder with its channel in every account and Region, GuardDuty's detectors exporting in
    the security account, a default VPC with flow logs and Resolver query logging per workload
    account and Region, an Application Load Balancer logging in us-east-1 and an EKS cluster with
    its audit log on in us-east-1 and eu-west-1 per web-facing account.
    @param client (account, service, region) -> a botocore client of that account
    @param gaps "orders": dev's eu-west-1 also has a VPC "orders" without a flow log
    @return {"orders_vpc": its ID, or None}"""
    out = {"orders_vpc": None}
    for account in EVERYONE:
        for region in REGIONS:
            config_recorder(endpoint, account, region, BUCKET, "config", KEY_ARN)
    for region in REGIONS:
        guardduty_detector(endpoint, client, SECURITY, region,
                           f"arn:aws:s3:::{BUCKET}/guardduty/", KEY_ARN)
    for account in WORKLOADS:
        for region in REGIONS:
            orders = "orders" in gaps and (account, region) == ORDERS
            specs = [{"IsDefault": True}]
            if orders:
                specs.append({"Tags": [{"Key": "Name", "Value": "orders"}]})
            made = vpcs(endpoint, account, region, specs)
            flow_log(endpoint, account, region, made[0], f"arn:aws:s3:::{BUCKET}/vpcflow/")
            if orders:
                out["orders_vpc"] = made[1]
            query_logging(client, account, region, made, f"arn:aws:s3:::{BUCKET}/dns/")
    for account in WEB_FACING:
        load_balancer(endpoint, account, "us-east-1", "web", LB_BUCKET, "alb")
        for region in ("us-east-1", "eu-west-1"):
            eks_clusters(endpoint, account, region, ["web"], ["api", "audit"])
    return out
