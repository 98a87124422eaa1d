#!/usr/bin/python3
"""Tests of the identity-policy checks of the JSON services (CloudWatch Logs,
CloudTrail, KMS, Organizations: awsendpoint/authz_json.py) and of the record
of authorised calls (GET /_admin/authorized)."""

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


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
