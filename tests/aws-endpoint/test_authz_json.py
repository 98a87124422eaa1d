#!/usr/bin/python3
"""Tests of the identity-policy checks of the JSON services (CloudWatch Logs,
CloudTrail, KMS, Organizations), of the log-source services (EC2, ELBv2, RDS,
Route 53 Resolver, WAFV2, Network Firewall, Config, GuardDuty, EKS:
awsendpoint/authz_json.py) and of the record of authorised calls
(GET /_admin/authorized)."""

import base64
import json
import sys
import unittest

import test_endpoint as base  # sets up sys.path and the AWS_* environment
from test_endpoint import (ACCOUNT, LOG_ADMIN, SESSION_KEY, SESSION_SECRET,
                           SESSION_TOKEN, EndpointTest)


MGMT = "123456789012"
AUDIT_MGMT = f"arn:aws:iam::{MGMT}:role/LogkeepAudit"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/" \
          "1234abcd-12ab-34cd-56ef-1234567890ab"


# One endpoint for the module, started and stopped as test_endpoint's.
setUpModule = base.setUpModule
tearDownModule = base.tearDownModule


def allow(actions, resources):
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": resources}]}


class AuthzJsonTest(EndpointTest):

    def set_policies(self, arn, *docs):
        base.EP.admin("POST", "/_admin/identity-policies",
                      {"arn": arn, "policies": list(docs)})
        self.addCleanup(base.EP.admin, "POST", "/_admin/identity-policies",
                        {"arn": arn, "policies": ["AdministratorAccess"]}
                        if arn == LOG_ADMIN else {"arn": arn, "policies": None})

    def session(self, service):
        return self.client(service, key=SESSION_KEY, secret=SESSION_SECRET,
                           token=SESSION_TOKEN)

    def test_logs_per_log_group(self):
        arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group"
        self.set_policies(LOG_ADMIN, allow(
            ["logs:CreateLogGroup", "logs:PutRetentionPolicy"], [f"{arn}:/a/*"]))
        logs = self.session("logs")
        logs.create_log_group(logGroupName="/a/x")
        logs.put_retention_policy(logGroupName="/a/x", retentionInDays=30)
        res = self.client_error("AccessDeniedException", logs.create_log_group,
                                logGroupName="/b/x")
        self.assertEqual(res["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(res["ResponseMetadata"]["HTTPHeaders"]
                         ["x-amzn-errortype"], "AccessDeniedException")
        self.assertIn("is not authorized to perform: logs:CreateLogGroup on "
                      f"resource: {arn}:/b/x:*", res["Error"]["Message"])
        # The listing needs logs:DescribeLogGroups on the Region's log groups.
        self.client_error("AccessDeniedException", logs.describe_log_groups)
        got = base.EP.admin("GET", "/_admin/authorized")
        self.assertIn({"principal": LOG_ADMIN, "action": "logs:CreateLogGroup",
                       "resource": f"{arn}:/a/x:*", "context": {},
                       "service": "logs", "operation": "CreateLogGroup"},
                      got["calls"])
        self.assertIn("logs:DescribeLogGroups",
                      [d["action"] for d in got["denied"]])

    def test_cloudtrail_and_pass_role(self):
        self.set_policies(LOG_ADMIN, allow(["cloudtrail:GetTrail"], [
            f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/trail-one"]))
        ct = self.session("cloudtrail")
        self.client_error("TrailNotFoundException", ct.get_trail, Name="trail-one")
        self.client_error("AccessDeniedException", ct.get_trail, Name="trail-two")
        self.client_error("AccessDeniedException", ct.describe_trails)
        # CreateTrail with a CloudWatch Logs role needs iam:PassRole on it,
        # passed to CloudTrail.
        role = f"arn:aws:iam::{ACCOUNT}:role/CloudTrailToCWL"
        trail = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/trail-one"
        self.set_policies(LOG_ADMIN, {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "cloudtrail:CreateTrail",
             "Resource": trail},
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": role,
             "Condition": {"StringEquals": {
                 "iam:PassedToService": "ec2.amazonaws.com"}}}]})
        res = self.client_error(
            "AccessDeniedException", ct.create_trail, Name="trail-one",
            S3BucketName="nowhere",
            CloudWatchLogsLogGroupArn=f"arn:aws:logs:us-east-1:{ACCOUNT}:"
            "log-group:/ct:*", CloudWatchLogsRoleArn=role)
        self.assertIn("iam:PassRole", res["Error"]["Message"])

    def test_kms_key_policy_naming_the_caller(self):
        base.EP.set_state({"keys": {KEY_ARN: {"policy": json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Sid": "Root", "Effect": "Allow",
                 "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                 "Action": "kms:*", "Resource": "*"},
                {"Sid": "Admin", "Effect": "Allow",
                 "Principal": {"AWS": LOG_ADMIN},
                 "Action": "kms:GetKeyPolicy", "Resource": "*"}]})}}},
            merge=True)
        self.set_policies(LOG_ADMIN, allow(["logs:CreateLogGroup"], ["*"]))
        kms = self.session("kms")
        # Named by the key policy: no identity policy needed.
        kms.get_key_policy(KeyId=KEY_ARN, PolicyName="default")
        # Only through the account root: the identity policy must allow it.
        self.client_error("AccessDeniedException", kms.put_key_policy,
                          KeyId=KEY_ARN, PolicyName="default",
                          Policy=json.dumps({"Version": "2012-10-17",
                                             "Statement": []}))

    def test_organizations_parents(self):
        sts = self.client("sts")
        c = sts.assume_role(RoleArn=AUDIT_MGMT, RoleSessionName="test",
                            ExternalId="logkeep-audit-external-id")["Credentials"]
        org = self.client("organizations", key=c["AccessKeyId"],
                          secret=c["SecretAccessKey"], token=c["SessionToken"])
        root = org.list_roots()["Roots"][0]
        self.set_policies(AUDIT_MGMT, allow(
            ["organizations:ListOrganizationalUnitsForParent"],
            [f"arn:aws:organizations::{MGMT}:root/o-a1b2c3d4e5/r-*"]))
        org.list_organizational_units_for_parent(ParentId=root["Id"])
        self.client_error("AccessDeniedException", org.list_roots)
        self.client_error("AccessDeniedException", org.list_accounts)


def denied_for(test, code, status, fn, **kw):
    """The error of a refused call: its code and HTTP status as the service answers."""
    res = test.client_error(code, fn, **kw)
    test.assertEqual(res["ResponseMetadata"]["HTTPStatusCode"], status)
    return res


class AuthzSourcesTest(EndpointTest):
    """Each log-source service: a call its identity policy allows passes, one it does not is
    refused with the service's own error shape, naming the action."""

    set_policies = AuthzJsonTest.set_policies
    session = AuthzJsonTest.session

    def last_denied(self):
        return base.EP.admin("GET", "/_admin/authorized")["denied"][-1]["action"]

    def test_ec2_unauthorized_operation(self):
        vpcs = base.EP.admin("POST", "/_admin/workloads", {"vpcs": {"count": 2}})["vpcs"]
        base_arn = f"arn:aws:ec2:us-east-1:{ACCOUNT}"
        self.set_policies(LOG_ADMIN, {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "ec2:DescribeVpcs", "Resource": "*"},
            {"Effect": "Allow", "Action": "ec2:CreateFlowLogs",
             "Resource": [f"{base_arn}:vpc-flow-log/*", f"{base_arn}:vpc/{vpcs[0]}"]},
            {"Effect": "Allow", "Action": "logs:CreateLogDelivery", "Resource": "*"}]})
        ec2 = self.session("ec2")
        self.assertEqual(len(ec2.describe_vpcs()["Vpcs"]), 2)
        res = denied_for(self, "UnauthorizedOperation", 403, ec2.describe_flow_logs)
        msg = res["Error"]["Message"]
        self.assertTrue(msg.startswith("You are not authorized to perform this operation. "
                                       "Encoded authorization failure message: "), msg)
        decoded = json.loads(base64.urlsafe_b64decode(msg.rsplit(" ", 1)[1]))
        self.assertEqual(decoded["context"]["action"], "ec2:DescribeFlowLogs")
        self.assertEqual(decoded["context"]["resource"], "*")
        self.assertFalse(decoded["allowed"])
        dest = "arn:aws:s3:::acme-network-logs/vpcflow/"
        ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[vpcs[0]], TrafficType="ALL",
                             LogDestinationType="s3", LogDestination=dest)
        denied_for(self, "UnauthorizedOperation", 403, ec2.create_flow_logs,
                   ResourceType="VPC", ResourceIds=[vpcs[1]], TrafficType="ALL",
                   LogDestinationType="s3", LogDestination=dest)
        self.assertEqual(self.last_denied(), "ec2:CreateFlowLogs")
        # Into a log group: iam:PassRole on the delivery role, which this policy lacks.
        denied_for(self, "UnauthorizedOperation", 403, ec2.create_flow_logs,
                   ResourceType="VPC", ResourceIds=[vpcs[0]], TrafficType="ALL",
                   LogGroupName="/vpc/flow",
                   DeliverLogsPermissionArn=f"arn:aws:iam::{ACCOUNT}:role/FlowLogs")
        self.assertEqual(self.last_denied(), "iam:PassRole")
        got = base.EP.admin("GET", "/_admin/authorized")
        mine = {(c["action"], c["resource"]) for c in got["calls"]
                if c["principal"] == LOG_ADMIN}
        self.assertIn(("ec2:CreateFlowLogs", f"{base_arn}:vpc/{vpcs[0]}"), mine)
        self.assertIn(("logs:CreateLogDelivery", "*"), mine)

    def test_elbv2_and_rds_access_denied(self):
        made = base.EP.admin("POST", "/_admin/workloads", {
            "load_balancers": [{"LoadBalancerName": "web"}, {"LoadBalancerName": "api"}],
            "db_instances": [{"DBInstanceIdentifier": "orders", "Engine": "mysql"}],
            "db_clusters": [{"DBClusterIdentifier": "aurora", "Engine": "aurora-mysql"}]})
        web, api = made["load_balancers"]
        self.set_policies(LOG_ADMIN, {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Resource": "*",
             "Action": ["elasticloadbalancing:DescribeLoadBalancers",
                        "rds:DescribeDBInstances"]},
            {"Effect": "Allow", "Action": "elasticloadbalancing:ModifyLoadBalancerAttributes",
             "Resource": web},
            {"Effect": "Allow", "Action": "rds:ModifyDBInstance",
             "Resource": f"arn:aws:rds:us-east-1:{ACCOUNT}:db:orders"}]})
        elb, rds = self.session("elbv2"), self.session("rds")
        self.assertEqual(len(elb.describe_load_balancers()["LoadBalancers"]), 2)
        attrs = [{"Key": "deletion_protection.enabled", "Value": "true"}]
        elb.modify_load_balancer_attributes(LoadBalancerArn=web, Attributes=attrs)
        res = denied_for(self, "AccessDenied", 403, elb.modify_load_balancer_attributes,
                         LoadBalancerArn=api, Attributes=attrs)
        self.assertIn("is not authorized to perform: "
                      f"elasticloadbalancing:ModifyLoadBalancerAttributes on resource: {api}",
                      res["Error"]["Message"])
        denied_for(self, "AccessDenied", 403, elb.describe_load_balancer_attributes,
                   LoadBalancerArn=web)
        self.assertEqual(len(rds.describe_db_instances()["DBInstances"]), 1)
        denied_for(self, "AccessDenied", 403, rds.describe_db_clusters)
        rds.modify_db_instance(DBInstanceIdentifier="orders",
                               CloudwatchLogsExportConfiguration={"EnableLogTypes": ["error"]})
        res = denied_for(self, "AccessDenied", 403, rds.modify_db_cluster,
                         DBClusterIdentifier="aurora",
                         CloudwatchLogsExportConfiguration={"EnableLogTypes": ["audit"]})
        self.assertIn(f"rds:ModifyDBCluster on resource: arn:aws:rds:us-east-1:{ACCOUNT}:"
                      "cluster:aurora", res["Error"]["Message"])

    def test_json_services_access_denied_exception(self):
        made = base.EP.admin("POST", "/_admin/sources", {
            "vpcs": ["vpc-0001"], "firewalls": ["fw-a", "fw-b"],
            "web_acls": {"REGIONAL": ["acl-a"]},
            "recorders": [{"name": "default", "recording": True}]})
        fw_a, fw_b = made["firewalls"]
        self.set_policies(LOG_ADMIN, {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Resource": "*",
             "Action": ["network-firewall:ListFirewalls", "wafv2:ListWebACLs",
                        "config:DescribeConfigurationRecorders"]},
            {"Effect": "Allow", "Resource": fw_a,
             "Action": "network-firewall:DescribeLoggingConfiguration"},
            {"Effect": "Allow",
             "Resource": f"arn:aws:route53resolver:us-east-1:{ACCOUNT}:"
                         "resolver-query-log-config/*",
             "Action": ["route53resolver:ListResolverQueryLogConfigs",
                        "route53resolver:ListResolverQueryLogConfigAssociations"]}]})
        nfw = self.session("network-firewall")
        self.assertEqual(len(nfw.list_firewalls()["Firewalls"]), 2)
        nfw.describe_logging_configuration(FirewallArn=fw_a)
        res = denied_for(self, "AccessDeniedException", 400,
                         nfw.describe_logging_configuration, FirewallArn=fw_b)
        self.assertIn("network-firewall:DescribeLoggingConfiguration on resource: " + fw_b,
                      res["Error"]["Message"])
        # By name: the firewall's ARN in the caller's account and Region.
        denied_for(self, "AccessDeniedException", 400,
                   nfw.describe_logging_configuration, FirewallName="fw-b")
        r53 = self.session("route53resolver")
        r53.list_resolver_query_log_configs()
        r53.list_resolver_query_log_config_associations()
        denied_for(self, "AccessDeniedException", 400, r53.create_resolver_query_log_config,
                   Name="q", DestinationArn="arn:aws:s3:::acme-network-logs",
                   CreatorRequestId="one")
        waf = self.session("wafv2")
        self.assertEqual(len(waf.list_web_acls(Scope="REGIONAL")["WebACLs"]), 1)
        denied_for(self, "AccessDeniedException", 400, waf.list_logging_configurations,
                   Scope="REGIONAL")
        self.assertEqual(self.last_denied(), "wafv2:ListLoggingConfigurations")
        cfg = self.session("config")
        cfg.describe_configuration_recorders()
        denied_for(self, "AccessDeniedException", 400,
                   cfg.describe_configuration_recorder_status)
        denied_for(self, "AccessDeniedException", 400, cfg.describe_delivery_channels)

    def test_rest_json_services_403(self):
        made = base.EP.admin("POST", "/_admin/sources", {
            "detectors": 1, "clusters": ["prod", "dev"]})
        det = made["detectors"][0]
        self.set_policies(LOG_ADMIN, {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Resource": "*",
             "Action": ["guardduty:ListDetectors", "eks:ListClusters"]},
            {"Effect": "Allow", "Action": "eks:DescribeCluster",
             "Resource": f"arn:aws:eks:us-east-1:{ACCOUNT}:cluster/prod"}]})
        gd, eks = self.session("guardduty"), self.session("eks")
        self.assertEqual(gd.list_detectors()["DetectorIds"], [det])
        res = denied_for(self, "AccessDeniedException", 403,
                         gd.list_publishing_destinations, DetectorId=det)
        self.assertIn("guardduty:ListPublishingDestinations on resource: "
                      f"arn:aws:guardduty:us-east-1:{ACCOUNT}:detector/{det}",
                      res["Error"]["Message"])
        self.assertEqual(sorted(eks.list_clusters()["clusters"]), ["dev", "prod"])
        eks.describe_cluster(name="prod")
        denied_for(self, "AccessDeniedException", 403, eks.describe_cluster, name="dev")
        self.assertEqual(self.last_denied(), "eks:DescribeCluster")
        denied_for(self, "AccessDeniedException", 403, eks.update_cluster_config, name="prod",
                   logging={"clusterLogging": [{"types": ["audit"], "enabled": True}]})

    def test_detector_destinations_by_arn(self):
        det = base.EP.admin("POST", "/_admin/sources", {"detectors": 1})["detectors"][0]
        detector = f"arn:aws:guardduty:us-east-1:{ACCOUNT}:detector/{det}"
        self.set_policies(LOG_ADMIN, allow(
            ["guardduty:CreatePublishingDestination", "guardduty:ListPublishingDestinations",
             "guardduty:DescribePublishingDestination"], [f"{detector}"]))
        gd = self.session("guardduty")
        made = gd.create_publishing_destination(
            DetectorId=det, DestinationType="S3",
            DestinationProperties={"DestinationArn": "arn:aws:s3:::acme-gd/findings/",
                                   "KmsKeyArn": KEY_ARN})
        gd.list_publishing_destinations(DetectorId=det)
        # The destination is its own resource, under the detector's ARN.
        denied_for(self, "AccessDeniedException", 403, gd.describe_publishing_destination,
                   DetectorId=det, DestinationId=made["DestinationId"])
        self.set_policies(LOG_ADMIN, allow(["guardduty:DescribePublishingDestination"],
                                           [f"{detector}/*"]))
        gd.describe_publishing_destination(DetectorId=det,
                                           DestinationId=made["DestinationId"])

    def test_callers_without_policies_keep_the_older_behaviour(self):
        base.EP.admin("POST", "/_admin/workloads", {"vpcs": {"count": 1}})
        self.assertEqual(len(self.client("ec2").describe_vpcs()["Vpcs"]), 1)
        self.client("eks").list_clusters()


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
