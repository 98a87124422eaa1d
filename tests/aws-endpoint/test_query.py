#!/usr/bin/python3
"""Tests of the endpoint's Query-protocol services: Amazon EC2 (VPCs, flow
logs), Elastic Load Balancing v2 (load balancers and their attributes) and
Amazon RDS (DB instances and clusters and their log exports).

Every call goes through Debian's python3-botocore clients, whose own
serializers write the requests and whose parsers (``EC2QueryParser``,
``QueryParser``) read the answers: a response shape botocore cannot read
fails here.  Run with ``/usr/bin/python3 test_query.py`` (``run-tests``
runs it).
"""

import sys
import unittest

import test_endpoint as base  # sets up sys.path and the AWS_* environment
from test_endpoint import ACCOUNT, OUTSIDER_KEY, OUTSIDER_SECRET, EndpointTest


# One endpoint for the module, started and stopped as test_endpoint's.
setUpModule = base.setUpModule
tearDownModule = base.tearDownModule


def seed(**body):
    return base.EP.admin("POST", "/_admin/workloads", body)


class Ec2Test(EndpointTest):

    def test_describe_vpcs_pages_and_filters(self):
        ids = seed(vpcs={"count": 12})["vpcs"]
        ec2 = self.client("ec2")
        seen, token, pages = [], None, 0
        while True:
            kw = {"MaxResults": 5}
            if token:
                kw["NextToken"] = token
            page = ec2.describe_vpcs(**kw)
            pages += 1
            seen += [v["VpcId"] for v in page["Vpcs"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(pages, 3)
        self.assertEqual(seen, ids)
        one = ec2.describe_vpcs(Filters=[{"Name": "vpc-id",
                                          "Values": [ids[3]]}])["Vpcs"]
        self.assertEqual([v["VpcId"] for v in one], [ids[3]])
        self.assertEqual(one[0]["OwnerId"], ACCOUNT)
        self.assertEqual(one[0]["State"], "available")
        # The documented errors.
        self.client_error("InvalidVpcID.NotFound", ec2.describe_vpcs,
                          VpcIds=["vpc-0000000000000dead"])
        self.client_error("InvalidParameterValue", ec2.describe_vpcs,
                          Filters=[{"Name": "no-such", "Values": ["x"]}])
        self.client_error("InvalidNextToken", ec2.describe_vpcs,
                          MaxResults=5, NextToken="garbage")

    def test_vpcs_are_per_account_and_region(self):
        seed(vpcs={"count": 2}, region="eu-west-1")
        seed(vpcs={"count": 3})
        self.assertEqual(len(self.client("ec2").describe_vpcs()["Vpcs"]), 3)
        self.assertEqual(len(self.client("ec2", region="eu-west-1")
                             .describe_vpcs()["Vpcs"]), 2)
        self.assertEqual(self.client("ec2", key=OUTSIDER_KEY,
                                     secret=OUTSIDER_SECRET)
                         .describe_vpcs()["Vpcs"], [])

    def test_create_and_describe_flow_logs(self):
        ids = seed(vpcs={"count": 3})["vpcs"]
        ec2 = self.client("ec2")
        out = ec2.create_flow_logs(
            ResourceIds=[ids[0], ids[1], "vpc-0000000000000dead"],
            ResourceType="VPC", TrafficType="ALL", LogDestinationType="s3",
            LogDestination="arn:aws:s3:::acme-network-logs/vpc/")
        self.assertEqual(len(out["FlowLogIds"]), 2)
        self.assertEqual(out["Unsuccessful"][0]["Error"]["Code"],
                         "InvalidVpcID.NotFound")
        again = ec2.create_flow_logs(
            ResourceIds=[ids[0]], ResourceType="VPC", TrafficType="ALL",
            LogDestinationType="s3",
            LogDestination="arn:aws:s3:::acme-network-logs/vpc/")
        self.assertEqual(again["FlowLogIds"], [])
        self.assertEqual(again["Unsuccessful"][0]["Error"]["Code"],
                         "FlowLogAlreadyExists")
        cw = ec2.create_flow_logs(
            ResourceIds=[ids[2]], ResourceType="VPC", TrafficType="REJECT",
            LogGroupName="/vpc/flow",
            DeliverLogsPermissionArn=f"arn:aws:iam::{ACCOUNT}:role/fl")
        flows = ec2.describe_flow_logs(Filters=[
            {"Name": "resource-id", "Values": [ids[0], ids[2]]}])["FlowLogs"]
        by_res = {f["ResourceId"]: f for f in flows}
        self.assertEqual(set(by_res), {ids[0], ids[2]})
        self.assertEqual(by_res[ids[0]]["LogDestination"],
                         "arn:aws:s3:::acme-network-logs/vpc/")
        self.assertEqual(by_res[ids[0]]["TrafficType"], "ALL")
        self.assertEqual(by_res[ids[2]]["LogGroupName"], "/vpc/flow")
        self.assertEqual(by_res[ids[2]]["FlowLogId"], cw["FlowLogIds"][0])
        self.assertEqual(by_res[ids[2]]["LogDestinationType"],
                         "cloud-watch-logs")
        # Pages of the filtered list.
        page = ec2.describe_flow_logs(MaxResults=5)
        self.assertEqual(len(page["FlowLogs"]), 3)
        self.assertNotIn("NextToken", page)
        self.client_error("InvalidParameterValue", ec2.describe_flow_logs,
                          MaxResults=1)
        self.client_error("MissingParameter", ec2.create_flow_logs,
                          ResourceIds=[ids[1]], ResourceType="VPC",
                          TrafficType="ALL", LogGroupName="/g")
        self.client_error("InvalidParameterValue", ec2.create_flow_logs,
                          ResourceIds=[ids[1]], ResourceType="VPC",
                          TrafficType="ALL", LogDestinationType="s3",
                          LogDestination="not-an-arn")

    def test_client_token_makes_create_idempotent(self):
        ids = seed(vpcs={"count": 1})["vpcs"]
        ec2 = self.client("ec2")
        kw = dict(ResourceIds=ids, ResourceType="VPC", TrafficType="ALL",
                  LogDestinationType="s3", ClientToken="tok-1",
                  LogDestination="arn:aws:s3:::acme-network-logs")
        first = ec2.create_flow_logs(**kw)
        again = ec2.create_flow_logs(**kw)
        self.assertEqual(again["FlowLogIds"], first["FlowLogIds"])
        self.assertEqual(again.get("Unsuccessful", []), [])
        self.assertEqual(len(ec2.describe_flow_logs()["FlowLogs"]), 1)

    def test_throttle_is_request_limit_exceeded_and_retried(self):
        seed(vpcs={"count": 1})
        base.EP.add_fault("throttle", service="ec2", operation="DescribeVpcs",
                          count=1)
        resp = self.client_error("RequestLimitExceeded",
                                 self.client("ec2").describe_vpcs)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 503)
        base.EP.add_fault("throttle", service="ec2", operation="DescribeVpcs",
                          count=1)
        out = self.client("ec2", attempts=3).describe_vpcs()
        self.assertEqual(len(out["Vpcs"]), 1)
        self.assertEqual(out["ResponseMetadata"]["RetryAttempts"], 1)

    def test_signature_is_checked(self):
        self.client_error("AuthFailure", self.client(
            "ec2", key="AKIANOSUCHKEY0000000", secret="x").describe_vpcs)
        self.client_error("SignatureDoesNotMatch", self.client(
            "ec2", secret="wrong").describe_vpcs)


class Elbv2Test(EndpointTest):

    def test_describe_pages_and_attributes(self):
        arns = seed(load_balancers=[
            {"LoadBalancerName": f"web-{i}", "Type": "application"}
            for i in range(3)] + [{"LoadBalancerName": "nlb-0",
                                   "Type": "network",
                                   "attributes": {
                                       "access_logs.s3.enabled": True,
                                       "access_logs.s3.bucket": "elsewhere",
                                       "access_logs.s3.prefix": "nlb"}}]
        )["load_balancers"]
        elb = self.client("elbv2")
        names, marker, pages = [], None, 0
        while True:
            kw = {"PageSize": 2}
            if marker:
                kw["Marker"] = marker
            page = elb.describe_load_balancers(**kw)
            pages += 1
            names += [lb["LoadBalancerName"] for lb in page["LoadBalancers"]]
            marker = page.get("NextMarker")
            if not marker:
                break
        self.assertEqual(pages, 2)
        self.assertEqual(names, ["nlb-0", "web-0", "web-1", "web-2"])
        attrs = {a["Key"]: a["Value"] for a in
                 elb.describe_load_balancer_attributes(
                     LoadBalancerArn=arns[3])["Attributes"]}
        self.assertEqual(attrs["access_logs.s3.enabled"], "true")
        self.assertEqual(attrs["access_logs.s3.bucket"], "elsewhere")
        self.assertNotIn("idle_timeout.timeout_seconds", attrs)
        attrs = {a["Key"]: a["Value"] for a in
                 elb.describe_load_balancer_attributes(
                     LoadBalancerArn=arns[0])["Attributes"]}
        self.assertEqual(attrs["access_logs.s3.enabled"], "false")
        self.assertEqual(attrs["idle_timeout.timeout_seconds"], "60")
        self.client_error("ValidationError", elb.describe_load_balancers,
                          PageSize=401)
        self.client_error("LoadBalancerNotFound", elb.describe_load_balancers,
                          Names=["nope"])
        self.client_error("LoadBalancerNotFound",
                          elb.describe_load_balancer_attributes,
                          LoadBalancerArn=arns[0] + "0")

    def test_modify_access_logs(self):
        arn = seed(load_balancers=[{"LoadBalancerName": "web"}])[
            "load_balancers"][0]
        elb = self.client("elbv2")
        turn_on = [{"Key": "access_logs.s3.enabled", "Value": "true"},
                   {"Key": "access_logs.s3.bucket", "Value": "acme-elb"},
                   {"Key": "access_logs.s3.prefix", "Value": "alb"}]
        self.client_error("InvalidConfigurationRequest",
                          elb.modify_load_balancer_attributes,
                          LoadBalancerArn=arn, Attributes=turn_on)
        base.EP.set_state({"buckets": {"acme-elb": {}}}, merge=True)
        out = elb.modify_load_balancer_attributes(LoadBalancerArn=arn,
                                                  Attributes=turn_on)
        attrs = {a["Key"]: a["Value"] for a in out["Attributes"]}
        self.assertEqual(attrs["access_logs.s3.bucket"], "acme-elb")
        read = {a["Key"]: a["Value"] for a in
                elb.describe_load_balancer_attributes(
                    LoadBalancerArn=arn)["Attributes"]}
        self.assertEqual(read, attrs)
        self.client_error("ValidationError",
                          elb.modify_load_balancer_attributes,
                          LoadBalancerArn=arn,
                          Attributes=[{"Key": "no.such", "Value": "1"}])

    def test_describe_tags(self):
        # API_DescribeTags.html: "You can specify up to 20 resources in a
        # single call"; one TagDescription per ARN asked for.
        arns = seed(load_balancers={"count": 21, "prefix": "tagged-",
                                    "Tags": [{"Key": "team", "Value": "a"}]}
                    )["load_balancers"]
        plain = seed(load_balancers=[{"LoadBalancerName": "plain"}])[
            "load_balancers"][0]
        elb = self.client("elbv2")
        out = elb.describe_tags(ResourceArns=arns[:20])["TagDescriptions"]
        self.assertEqual([d["ResourceArn"] for d in out], arns[:20])
        self.assertEqual(out[0]["Tags"], [{"Key": "team", "Value": "a"}])
        out = elb.describe_tags(ResourceArns=[plain])["TagDescriptions"]
        self.assertEqual(out, [{"ResourceArn": plain, "Tags": []}])
        self.client_error("ValidationError", elb.describe_tags,
                          ResourceArns=arns)
        self.client_error("LoadBalancerNotFound", elb.describe_tags,
                          ResourceArns=[plain + "0"])
        # DescribeLoadBalancers carries no tags.
        self.assertNotIn("Tags", elb.describe_load_balancers(
            LoadBalancerArns=[arns[0]])["LoadBalancers"][0])

    def test_throttle(self):
        seed(load_balancers=[{"LoadBalancerName": "web"}])
        base.EP.add_fault("throttle", service="elbv2", count=1)
        self.client_error("Throttling",
                          self.client("elbv2").describe_load_balancers)


class RdsTest(EndpointTest):

    def test_describe_instances_pages(self):
        seed(db_instances={"count": 45, "Engine": "mysql",
                           "EnabledCloudwatchLogsExports": ["error"]})
        rds = self.client("rds")
        seen, marker, pages = [], None, 0
        while True:
            kw = {"MaxRecords": 20}
            if marker:
                kw["Marker"] = marker
            page = rds.describe_db_instances(**kw)
            pages += 1
            seen += page["DBInstances"]
            marker = page.get("Marker")
            if not marker:
                break
        self.assertEqual(pages, 3)
        self.assertEqual(len(seen), 45)
        self.assertEqual(seen[0]["EnabledCloudwatchLogsExports"], ["error"])
        self.assertTrue(seen[0]["DBInstanceArn"].startswith(
            f"arn:aws:rds:us-east-1:{ACCOUNT}:db:"))
        self.client_error("InvalidParameterValue", rds.describe_db_instances,
                          MaxRecords=19)
        self.client_error("InvalidParameterValue", rds.describe_db_instances,
                          MaxRecords=101)
        resp = self.client_error("DBInstanceNotFound",
                                 rds.describe_db_instances,
                                 DBInstanceIdentifier="nope")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 404)

    def test_tag_lists(self):
        # API_DBInstance.html / API_DBCluster.html: TagList in the answers.
        seed(db_clusters=[{"DBClusterIdentifier": "tagged-c",
                           "TagList": [{"Key": "team", "Value": "a"}]}],
             db_instances=[{"DBInstanceIdentifier": "tagged-i",
                            "TagList": [{"Key": "env", "Value": "prod"}]}])
        rds = self.client("rds")
        inst = rds.describe_db_instances(
            DBInstanceIdentifier="tagged-i")["DBInstances"][0]
        self.assertEqual(inst["TagList"], [{"Key": "env", "Value": "prod"}])
        cl = rds.describe_db_clusters(
            DBClusterIdentifier="tagged-c")["DBClusters"][0]
        self.assertEqual(cl["TagList"], [{"Key": "team", "Value": "a"}])

    def test_modify_log_exports(self):
        seed(db_clusters=[{"DBClusterIdentifier": "aurora",
                           "Engine": "aurora-postgresql"}],
             db_instances=[{"DBInstanceIdentifier": "aurora-1",
                            "DBClusterIdentifier": "aurora"},
                           {"DBInstanceIdentifier": "pg",
                            "Engine": "postgres"}])
        rds = self.client("rds")
        out = rds.modify_db_instance(
            DBInstanceIdentifier="pg", CloudwatchLogsExportConfiguration={
                "EnableLogTypes": ["postgresql", "upgrade"]})
        self.assertEqual(out["DBInstance"]["EnabledCloudwatchLogsExports"],
                         ["postgresql", "upgrade"])
        rds.modify_db_instance(
            DBInstanceIdentifier="pg", CloudwatchLogsExportConfiguration={
                "DisableLogTypes": ["upgrade"]})
        got = rds.describe_db_instances(DBInstanceIdentifier="pg")
        self.assertEqual(got["DBInstances"][0]["EnabledCloudwatchLogsExports"],
                         ["postgresql"])
        self.client_error("InvalidParameterCombination",
                          rds.modify_db_instance, DBInstanceIdentifier="pg",
                          CloudwatchLogsExportConfiguration={
                              "EnableLogTypes": ["audit"]})
        self.client_error("InvalidParameterCombination",
                          rds.modify_db_instance,
                          DBInstanceIdentifier="aurora-1",
                          CloudwatchLogsExportConfiguration={
                              "EnableLogTypes": ["postgresql"]})
        rds.modify_db_cluster(DBClusterIdentifier="aurora",
                              CloudwatchLogsExportConfiguration={
                                  "EnableLogTypes": ["postgresql"]})
        cluster = rds.describe_db_clusters()["DBClusters"][0]
        self.assertEqual(cluster["EnabledCloudwatchLogsExports"],
                         ["postgresql"])
        self.client_error("DBClusterNotFoundFault", rds.modify_db_cluster,
                          DBClusterIdentifier="nope",
                          CloudwatchLogsExportConfiguration={
                              "EnableLogTypes": ["postgresql"]})

    def test_unknown_action_and_reset(self):
        seed(db_instances=[{"DBInstanceIdentifier": "x"}])
        self.client_error("InvalidAction",
                          self.client("rds").describe_db_snapshots)
        base.EP.reset()
        self.assertEqual(self.client("rds").describe_db_instances()[
            "DBInstances"], [])


def main():
    result = unittest.main(module=__name__, verbosity=2, exit=False).result
    failed = len(result.failures) + len(result.errors) + \
        len(result.unexpectedSuccesses)
    sys.stdout.write(f"{result.testsRun - failed - len(result.skipped)} "
                     f"passed, {failed} failed, {len(result.skipped)} "
                     "skipped\n")
    return 0 if result.wasSuccessful() and not result.skipped else 1


if __name__ == "__main__":
    sys.exit(main())
