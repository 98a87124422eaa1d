#!/usr/bin/python3
"""Tests of the local endpoint's log-source services: Route 53 Resolver query
logging, AWS WAF (wafv2) logging, Network Firewall logging, AWS Config
recorders and delivery channels, GuardDuty publishing destinations and EKS
control-plane logging.

Every call goes through Debian's python3-botocore client with its own
models, so the shapes, the REST-JSON routes and the error codes are read as
an SDK reads them. Run with ``/usr/bin/python3 test_sources.py``
(``run-tests`` runs it).
"""

import sys
import unittest

import test_endpoint as base  # sets up sys.path and the AWS_* environment
from test_endpoint import ACCOUNT, EndpointTest


BUCKET_ARN = "arn:aws:s3:::acme-network-logs"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/" \
          "1234abcd-12ab-34cd-56ef-1234567890ab"


# One endpoint for the module, started and stopped as test_endpoint's.
setUpModule = base.setUpModule
tearDownModule = base.tearDownModule


def seed(**spec):
    return base.EP.admin("POST", "/_admin/sources", spec)


def pages(fn, key, token_in, token_out, **kw):
    out, calls, token = [], 0, None
    while True:
        args = dict(kw)
        if token:
            args[token_in] = token
        page = fn(**args)
        calls += 1
        out += page[key]
        token = page.get(token_out)
        if not token:
            return out, calls


class ResolverTest(EndpointTest):
    def test_configs_and_associations(self):
        seed(vpcs={"prefix": "vpc-", "count": 3})
        r53 = self.client("route53resolver")
        cfg = r53.create_resolver_query_log_config(
            Name="all", DestinationArn=BUCKET_ARN,
            CreatorRequestId="req-1")["ResolverQueryLogConfig"]
        again = r53.create_resolver_query_log_config(
            Name="all", DestinationArn=BUCKET_ARN,
            CreatorRequestId="req-1")["ResolverQueryLogConfig"]
        self.assertEqual(cfg["Id"], again["Id"])
        for vpc in ("vpc-0001", "vpc-0002", "vpc-0003"):
            r53.associate_resolver_query_log_config(
                ResolverQueryLogConfigId=cfg["Id"], ResourceId=vpc)
        assocs, calls = pages(
            r53.list_resolver_query_log_config_associations,
            "ResolverQueryLogConfigAssociations", "NextToken", "NextToken",
            MaxResults=2)
        self.assertEqual(calls, 2)
        self.assertEqual(sorted(a["ResourceId"] for a in assocs),
                         ["vpc-0001", "vpc-0002", "vpc-0003"])
        listed = r53.list_resolver_query_log_configs()
        self.assertEqual(listed["ResolverQueryLogConfigs"][0]
                         ["AssociationCount"], 3)
        self.assertEqual(listed["TotalCount"], 1)
        self.client_error("InvalidRequestException",
                          r53.associate_resolver_query_log_config,
                          ResolverQueryLogConfigId=cfg["Id"],
                          ResourceId="vpc-0001")
        self.client_error("ResourceNotFoundException",
                          r53.associate_resolver_query_log_config,
                          ResolverQueryLogConfigId="rqlc-nope",
                          ResourceId="vpc-0001")
        self.client_error("InvalidNextTokenException",
                          r53.list_resolver_query_log_configs,
                          NextToken="garbage")
        self.client_error("InvalidParameterException",
                          r53.list_resolver_query_log_configs,
                          MaxResults=101)


class WafTest(EndpointTest):
    def test_acls_and_logging(self):
        made = seed(web_acls={"REGIONAL": {"prefix": "r-", "count": 3},
                              "CLOUDFRONT": ["cf-1"]})
        waf = self.client("wafv2")
        acls, calls = pages(waf.list_web_acls, "WebACLs", "NextMarker",
                            "NextMarker", Scope="REGIONAL", Limit=2)
        self.assertEqual((len(acls), calls), (3, 2))
        arn = acls[0]["ARN"]
        self.client_error("WAFNonexistentItemException",
                          waf.get_logging_configuration, ResourceArn=arn)
        dest = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:aws-waf-logs-a"
        waf.put_logging_configuration(LoggingConfiguration={
            "ResourceArn": arn, "LogDestinationConfigs": [dest]})
        got = waf.get_logging_configuration(ResourceArn=arn)
        self.assertEqual(got["LoggingConfiguration"]["LogDestinationConfigs"],
                         [dest])
        self.client_error("WAFInvalidParameterException",
                          waf.put_logging_configuration,
                          LoggingConfiguration={
                              "ResourceArn": arn,
                              "LogDestinationConfigs": [BUCKET_ARN]})
        listed = waf.list_logging_configurations(Scope="REGIONAL")
        self.assertEqual([c["ResourceArn"] for c in
                          listed["LoggingConfigurations"]], [arn])
        cf = [a["arn"] for a in made["web_acls"] if a["scope"] == "CLOUDFRONT"]
        self.assertEqual([a["ARN"] for a in waf.list_web_acls(
            Scope="CLOUDFRONT")["WebACLs"]], cf)
        self.client_error("WAFInvalidParameterException",
                          self.client("wafv2", region="eu-west-1")
                          .list_web_acls, Scope="CLOUDFRONT")


class Wafv2TagsTest(EndpointTest):
    def test_list_tags_for_resource(self):
        # API_ListTagsForResource.html: TagInfoForResource.TagList, Limit, NextMarker.
        seed(web_acls={"REGIONAL": ["tagged-acl", "plain-acl"]},
             web_acl_tags={"tagged-acl": [{"Key": "team", "Value": "a"},
                                          {"Key": "env", "Value": "prod"}]})
        waf = self.client("wafv2")
        acls = {a["Name"]: a["ARN"] for a in
                waf.list_web_acls(Scope="REGIONAL")["WebACLs"]}
        got = waf.list_tags_for_resource(ResourceARN=acls["tagged-acl"])
        self.assertEqual(got["TagInfoForResource"]["TagList"],
                         [{"Key": "team", "Value": "a"},
                          {"Key": "env", "Value": "prod"}])
        first = waf.list_tags_for_resource(ResourceARN=acls["tagged-acl"],
                                           Limit=1)
        self.assertEqual(len(first["TagInfoForResource"]["TagList"]), 1)
        self.assertIn("NextMarker", first)
        got = waf.list_tags_for_resource(ResourceARN=acls["plain-acl"])
        self.assertEqual(got["TagInfoForResource"]["TagList"], [])
        self.client_error("WAFNonexistentItemException",
                          waf.list_tags_for_resource,
                          ResourceARN=acls["plain-acl"] + "0")


class NetworkFirewallTest(EndpointTest):
    def test_logging_one_change_per_call(self):
        seed(firewalls={"prefix": "fw-", "count": 3})
        nfw = self.client("network-firewall")
        fws, calls = pages(nfw.list_firewalls, "Firewalls", "NextToken",
                           "NextToken", MaxResults=2)
        self.assertEqual((len(fws), calls), (3, 2))
        arn = fws[0]["FirewallArn"]
        alert = {"LogType": "ALERT", "LogDestinationType": "S3",
                 "LogDestination": {"bucketName": "acme-network-logs"}}
        flow = dict(alert, LogType="FLOW")
        self.client_error("InvalidRequestException",
                          nfw.update_logging_configuration, FirewallArn=arn,
                          LoggingConfiguration={
                              "LogDestinationConfigs": [alert, flow]})
        nfw.update_logging_configuration(
            FirewallArn=arn,
            LoggingConfiguration={"LogDestinationConfigs": [alert]})
        nfw.update_logging_configuration(
            FirewallArn=arn,
            LoggingConfiguration={"LogDestinationConfigs": [alert, flow]})
        got = nfw.describe_logging_configuration(FirewallArn=arn)
        self.assertEqual(got["LoggingConfiguration"]["LogDestinationConfigs"],
                         [alert, flow])
        self.client_error("ResourceNotFoundException",
                          nfw.describe_logging_configuration,
                          FirewallName="nope")

    def test_describe_firewall_tags(self):
        # API_DescribeFirewall.html / API_Firewall.html: Tags with the firewall.
        seed(firewalls=["tagged-fw", "plain-fw"],
             firewall_tags={"tagged-fw": [{"Key": "team", "Value": "a"}]})
        nfw = self.client("network-firewall")
        fw = nfw.describe_firewall(FirewallName="tagged-fw")["Firewall"]
        self.assertEqual(fw["Tags"], [{"Key": "team", "Value": "a"}])
        self.assertNotIn("Tags", nfw.describe_firewall(
            FirewallName="plain-fw")["Firewall"])
        self.client_error("ResourceNotFoundException", nfw.describe_firewall,
                          FirewallName="nope")


class ConfigTest(EndpointTest):
    def test_recorder_and_channel(self):
        cfg = self.client("config")
        self.client_error("NoAvailableConfigurationRecorderException",
                          cfg.put_delivery_channel, DeliveryChannel={
                              "name": "default",
                              "s3BucketName": "acme-config"})
        seed(recorders=[{"name": "default"}])
        self.assertEqual(cfg.describe_configuration_recorders()
                         ["ConfigurationRecorders"][0]["name"], "default")
        self.client_error("NoAvailableDeliveryChannelException",
                          cfg.start_configuration_recorder,
                          ConfigurationRecorderName="default")
        self.client_error("NoSuchBucketException", cfg.put_delivery_channel,
                          DeliveryChannel={"name": "default",
                                           "s3BucketName": "acme-config"})
        self.client("s3").create_bucket(Bucket="acme-config")
        cfg.put_delivery_channel(DeliveryChannel={
            "name": "default", "s3BucketName": "acme-config",
            "s3KeyPrefix": "config"})
        self.client_error("MaxNumberOfDeliveryChannelsExceededException",
                          cfg.put_delivery_channel, DeliveryChannel={
                              "name": "other", "s3BucketName": "acme-config"})
        cfg.start_configuration_recorder(ConfigurationRecorderName="default")
        status = cfg.describe_configuration_recorder_status()
        self.assertTrue(status["ConfigurationRecordersStatus"][0]["recording"])
        self.assertEqual(cfg.describe_delivery_channels()["DeliveryChannels"]
                         [0]["s3KeyPrefix"], "config")
        self.client_error("NoSuchDeliveryChannelException",
                          cfg.describe_delivery_channels,
                          DeliveryChannelNames=["nope"])


class GuardDutyTest(EndpointTest):
    def test_detectors_and_destinations(self):
        made = seed(detectors=3)
        gd = self.client("guardduty")
        ids, calls = pages(gd.list_detectors, "DetectorIds", "NextToken",
                           "NextToken", MaxResults=2)
        self.assertEqual((sorted(ids), calls), (sorted(made["detectors"]), 2))
        det = ids[0]
        self.assertEqual(gd.list_publishing_destinations(DetectorId=det)
                         ["Destinations"], [])
        dest = gd.create_publishing_destination(
            DetectorId=det, DestinationType="S3",
            DestinationProperties={"DestinationArn": BUCKET_ARN,
                                   "KmsKeyArn": KEY_ARN})["DestinationId"]
        got = gd.describe_publishing_destination(DetectorId=det,
                                                 DestinationId=dest)
        self.assertEqual(got["DestinationProperties"],
                         {"DestinationArn": BUCKET_ARN, "KmsKeyArn": KEY_ARN})
        self.assertEqual(got["Status"], "PUBLISHING")
        self.client_error("BadRequestException",
                          gd.list_publishing_destinations, DetectorId="0" * 32)
        self.client_error("BadRequestException", gd.list_detectors,
                          NextToken="garbage")

    def test_administrator(self):
        # A member of another Region's organisation: its own store.
        made = seed(region="eu-north-1", detectors=1)
        gd = self.client("guardduty", region="eu-north-1")
        det = made["detectors"][0]
        # No administrator: 200, nothing in the answer (API Reference).
        got = gd.get_administrator_account(DetectorId=det)
        self.assertNotIn("Administrator", got)
        seed(region="eu-north-1", guardduty_administrator={
            "account": "111122223333", "status": "Invited"})
        adm = gd.get_administrator_account(DetectorId=det)["Administrator"]
        self.assertEqual((adm["AccountId"], adm["RelationshipStatus"]),
                         ("111122223333", "Invited"))
        seed(region="eu-north-1",
             guardduty_administrator={"account": "111122223333"})
        adm = gd.get_administrator_account(DetectorId=det)["Administrator"]
        self.assertEqual(adm["RelationshipStatus"], "Enabled")
        self.assertIn("InvitationId", adm)
        self.client_error("BadRequestException",
                          gd.get_administrator_account, DetectorId="0" * 32)


class EksTest(EndpointTest):
    def test_clusters_and_logging(self):
        seed(clusters={"prefix": "c-", "count": 3},
             cluster_log_types=["api"])
        eks = self.client("eks")
        names, calls = pages(eks.list_clusters, "clusters", "nextToken",
                             "nextToken", maxResults=2)
        self.assertEqual((names, calls), (["c-0001", "c-0002", "c-0003"], 2))
        logging = eks.describe_cluster(name="c-0001")["cluster"]["logging"]
        self.assertIn({"types": ["api"], "enabled": True},
                      logging["clusterLogging"])
        update = eks.update_cluster_config(name="c-0001", logging={
            "clusterLogging": [{"types": ["audit", "authenticator"],
                                "enabled": True}]})["update"]
        self.assertEqual(update["type"], "LoggingUpdate")
        logging = eks.describe_cluster(name="c-0001")["cluster"]["logging"]
        self.assertIn({"types": ["api", "audit", "authenticator"],
                       "enabled": True}, logging["clusterLogging"])
        self.client_error("InvalidParameterException",
                          eks.update_cluster_config, name="c-0001",
                          logging={"clusterLogging": [
                              {"types": ["audit"], "enabled": True}]})
        self.client_error("ResourceNotFoundException", eks.describe_cluster,
                          name="nope")

    def test_cluster_tags(self):
        # API_Cluster.html: tags, a string-to-string map, in DescribeCluster.
        seed(clusters=["tagged-k", "plain-k"],
             cluster_tags={"tagged-k": {"team": "a", "env": "dev"}})
        eks = self.client("eks")
        self.assertEqual(eks.describe_cluster(name="tagged-k")["cluster"]["tags"],
                         {"team": "a", "env": "dev"})
        self.assertEqual(eks.describe_cluster(name="plain-k")["cluster"]["tags"],
                         {})

    def test_update_in_progress(self):
        # "During an update, the cluster status moves to UPDATING"; another
        # update is ResourceInUseException, HTTP 409 in botocore's eks model.
        seed(clusters=["c-busy", "c-idle"], clusters_updating=["c-busy"])
        eks = self.client("eks")
        self.assertEqual(
            eks.describe_cluster(name="c-busy")["cluster"]["status"],
            "UPDATING")
        self.assertEqual(
            eks.describe_cluster(name="c-idle")["cluster"]["status"],
            "ACTIVE")
        err = self.client_error("ResourceInUseException",
                                eks.update_cluster_config, name="c-busy",
                                logging={"clusterLogging": [
                                    {"types": ["audit"], "enabled": True}]})
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 409)
        logging = eks.describe_cluster(name="c-busy")["cluster"]["logging"]
        self.assertNotIn({"types": ["audit"], "enabled": True},
                         logging["clusterLogging"])
        eks.update_cluster_config(name="c-idle", logging={"clusterLogging": [
            {"types": ["audit"], "enabled": True}]})

    def test_throttle_then_retry(self):
        seed(clusters=["c-a"])
        base.EP.add_fault("throttle", service="eks", operation="ListClusters")
        eks = self.client("eks", attempts=3)
        self.assertEqual(eks.list_clusters()["clusters"], ["c-a"])
        self.assertEqual([e["status"] for e in base.EP.log(
            service="eks", operation="ListClusters")], [400, 200])


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
