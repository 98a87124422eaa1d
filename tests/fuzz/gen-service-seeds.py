#!/usr/bin/python3
"""Writes seed inputs for tests/fuzz/fuzz_query_xml.c and fuzz_json_responses.c: the raw
bodies the local endpoint (tests/aws-endpoint) answers to botocore's calls of the operations
whose answers logkeep reads.  Usage: /usr/bin/python3 gen-service-seeds.py OUTDIR; writes
OUTDIR/query/*.xml and OUTDIR/json/*.json (tests/services/fuzz-seeds holds the result)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "aws-endpoint"))

import test_endpoint as base  # noqa: E402  (sets the AWS_* environment, imports botocore)
import lkendpoint  # noqa: E402
from botocore.config import Config  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else "."
BUCKET_ARN = "arn:aws:s3:::acme-findings"


def client(service):
    c = base.SESSION.create_client(
        service, region_name="us-east-1", endpoint_url=base.EP.url,
        aws_access_key_id=base.KEY, aws_secret_access_key=base.SECRET,
        config=Config(retries={"total_max_attempts": 1}))
    kind = "json"
    if service in ("ec2", "elbv2", "rds"):
        kind = "query"

    def keep(http_response, model, **_):
        if http_response.status_code != 200:
            return
        name = f"endpoint-{service}-{model.name}"
        n = 0
        while os.path.exists(os.path.join(OUT, kind, f"{name}-{n}.{'xml' if kind == 'query' else 'json'}")):
            n += 1
        path = os.path.join(OUT, kind, f"{name}-{n}.{'xml' if kind == 'query' else 'json'}")
        with open(path, "wb") as f:
            f.write(http_response.content)

    c.meta.events.register("after-call.*.*", keep)
    return c


def main():
    os.makedirs(os.path.join(OUT, "query"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "json"), exist_ok=True)
    base.EP = lkendpoint.Endpoint().start()
    try:
        ep = base.EP
        ep.admin("POST", "/_admin/workloads", {"vpcs": {"count": 3}})
        ep.admin("POST", "/_admin/workloads", {"load_balancers": [
            {"LoadBalancerName": "web", "Type": "application"},
            {"LoadBalancerName": "nlb", "Type": "network", "attributes": {
                "access_logs.s3.enabled": True, "access_logs.s3.bucket": "acme-elb",
                "access_logs.s3.prefix": "nlb"}}]})
        ep.admin("POST", "/_admin/workloads", {
            "db_clusters": [{"DBClusterIdentifier": "aurora", "Engine": "aurora-postgresql"}],
            "db_instances": [{"DBInstanceIdentifier": "aurora-1", "DBClusterIdentifier": "aurora"},
                             {"DBInstanceIdentifier": "pg", "Engine": "postgres",
                              "EnabledCloudwatchLogsExports": ["postgresql"]}]})
        ep.set_state({"buckets": {"acme-elb": {}, "acme-flow": {}}}, merge=True)

        ec2 = client("ec2")
        vpcs = [v["VpcId"] for v in ec2.describe_vpcs(MaxResults=5)["Vpcs"]]
        ec2.describe_vpcs()
        ec2.describe_flow_logs()
        ec2.create_flow_logs(ResourceIds=vpcs[:2] + ["vpc-00000000000000000"],
                             ResourceType="VPC", TrafficType="ALL", LogDestinationType="s3",
                             LogDestination="arn:aws:s3:::acme-flow/vpc/")
        ec2.describe_flow_logs()
        elb = client("elbv2")
        lbs = elb.describe_load_balancers(PageSize=1)
        elb.describe_load_balancers(Marker=lbs["NextMarker"], PageSize=1)
        arns = [lb["LoadBalancerArn"] for lb in elb.describe_load_balancers()["LoadBalancers"]]
        for arn in arns:
            elb.describe_load_balancer_attributes(LoadBalancerArn=arn)
        elb.modify_load_balancer_attributes(LoadBalancerArn=arns[-1], Attributes=[
            {"Key": "access_logs.s3.enabled", "Value": "true"},
            {"Key": "access_logs.s3.bucket", "Value": "acme-elb"},
            {"Key": "access_logs.s3.prefix", "Value": "alb"}])
        rds = client("rds")
        rds.describe_db_instances()
        rds.describe_db_instances(MaxRecords=20)
        rds.describe_db_clusters()
        rds.modify_db_instance(DBInstanceIdentifier="pg", CloudwatchLogsExportConfiguration={
            "EnableLogTypes": ["upgrade"]})
        rds.modify_db_cluster(DBClusterIdentifier="aurora", CloudwatchLogsExportConfiguration={
            "EnableLogTypes": ["postgresql"]})

        src = "/_admin/sources"
        ep.admin("POST", src, {"vpcs": {"prefix": "vpc-", "count": 2},
                               "web_acls": {"REGIONAL": {"prefix": "r-", "count": 2}},
                               "firewalls": {"prefix": "fw-", "count": 2},
                               "recorders": [{"name": "default"}], "detectors": 2,
                               "clusters": {"prefix": "c-", "count": 2},
                               "cluster_log_types": ["api", "audit"]})
        r53 = client("route53resolver")
        cfg = r53.create_resolver_query_log_config(
            Name="all", DestinationArn=BUCKET_ARN, CreatorRequestId="req-1")
        r53.associate_resolver_query_log_config(
            ResolverQueryLogConfigId=cfg["ResolverQueryLogConfig"]["Id"], ResourceId="vpc-0001")
        r53.list_resolver_query_log_configs()
        r53.list_resolver_query_log_config_associations()
        waf = client("wafv2")
        acls = waf.list_web_acls(Scope="REGIONAL")["WebACLs"]
        waf.put_logging_configuration(LoggingConfiguration={
            "ResourceArn": acls[0]["ARN"],
            "LogDestinationConfigs": ["arn:aws:logs:us-east-1:%s:log-group:aws-waf-logs-a"
                                      % base.ACCOUNT]})
        waf.list_logging_configurations(Scope="REGIONAL")
        waf.get_logging_configuration(ResourceArn=acls[0]["ARN"])
        nfw = client("network-firewall")
        fws = nfw.list_firewalls()["Firewalls"]
        alert = {"LogType": "ALERT", "LogDestinationType": "S3",
                 "LogDestination": {"bucketName": "acme-network-logs", "prefix": "nfw"}}
        nfw.update_logging_configuration(FirewallArn=fws[0]["FirewallArn"],
                                         LoggingConfiguration={"LogDestinationConfigs": [alert]})
        nfw.describe_logging_configuration(FirewallArn=fws[0]["FirewallArn"])
        nfw.describe_logging_configuration(FirewallArn=fws[1]["FirewallArn"])
        client("s3").create_bucket(Bucket="acme-config")
        cs = client("config")
        cs.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "acme-config",
                                                 "s3KeyPrefix": "config"})
        cs.start_configuration_recorder(ConfigurationRecorderName="default")
        cs.describe_configuration_recorders()
        cs.describe_configuration_recorder_status()
        cs.describe_delivery_channels()
        gd = client("guardduty")
        det = gd.list_detectors()["DetectorIds"][0]
        dest = gd.create_publishing_destination(
            DetectorId=det, DestinationType="S3",
            DestinationProperties={"DestinationArn": BUCKET_ARN,
                                   "KmsKeyArn": "arn:aws:kms:us-east-1:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab" % base.ACCOUNT})
        gd.list_publishing_destinations(DetectorId=det)
        gd.describe_publishing_destination(DetectorId=det, DestinationId=dest["DestinationId"])
        eks = client("eks")
        eks.list_clusters()
        eks.describe_cluster(name="c-0001")
    finally:
        status = base.EP.stop()
    return status


if __name__ == "__main__":
    sys.exit(main())
