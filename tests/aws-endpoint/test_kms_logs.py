#!/usr/bin/python3
"""Tests of the local endpoint's KMS service and its CloudWatch Logs
extensions (deletion protection, log group classes, KMS key association).

KMS calls go through Debian's python3-botocore client (its kms 2014-11-01
model); the Logs operations newer than that botocore's model are signed
with botocore's SigV4 signer and sent raw.  Run with
``/usr/bin/python3 test_kms_logs.py`` (``run-tests`` runs it after
test_endpoint.py).
"""

import json
import sys
import unittest

import test_endpoint as base  # sets up sys.path and the AWS_* environment
from test_endpoint import (ACCOUNT, OUTSIDER_KEY, OUTSIDER_SECRET,
                           SESSION_KEY, SESSION_SECRET, SESSION_TOKEN,
                           EndpointTest)

from awsendpoint import kms as lkkms  # noqa: E402
from awsendpoint import models as lkmodels  # noqa: E402
from awsendpoint.clock import Clock  # noqa: E402
from awsendpoint.state import State  # noqa: E402

OTHER = "444455556666"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
LOG_ADMIN = f"arn:aws:iam::{ACCOUNT}:role/LogAdmin"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/" \
          "1234abcd-12ab-34cd-56ef-1234567890ab"


# One endpoint for the module, started and stopped as test_endpoint's.
setUpModule = base.setUpModule
tearDownModule = base.tearDownModule


def policy(*statements):
    return json.dumps({"Version": "2012-10-17",
                       "Statement": list(statements)})


def root_statement(account=ACCOUNT):
    return {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": "kms:*", "Resource": "*"}


class KmsTest(EndpointTest):

    def test_create_key_gives_the_default_policy(self):
        kms = self.client("kms")
        meta = kms.create_key(Description="logs")["KeyMetadata"]
        self.assertEqual(meta["AWSAccountId"], ACCOUNT)
        self.assertTrue(meta["Arn"].startswith(
            f"arn:aws:kms:us-east-1:{ACCOUNT}:key/"))
        self.assertEqual(meta["KeyManager"], "CUSTOMER")
        got = json.loads(kms.get_key_policy(KeyId=meta["KeyId"],
                                            PolicyName="default")["Policy"])
        self.assertEqual(got["Statement"], [root_statement()])
        self.assertEqual(kms.list_key_policies(
            KeyId=meta["Arn"])["PolicyNames"], ["default"])
        self.client_error("NotFoundException", kms.get_key_policy,
                          KeyId=meta["KeyId"], PolicyName="other")
        self.assertEqual(kms.describe_key(KeyId=meta["Arn"])["KeyMetadata"]
                         ["KeyId"], meta["KeyId"])
        # Dumped under "keys" and loaded back identical.
        dumped = base.EP.get_state()
        self.assertIn(meta["Arn"], dumped["keys"])
        base.EP.set_state(dumped)
        self.assertEqual(base.EP.get_state()["keys"], dumped["keys"])

    def test_put_key_policy_and_the_lockout_safety_check(self):
        base.EP.set_state({"keys": {KEY_ARN: {}}})
        kms = self.client("kms")
        reader = {"Sid": "LogKeepDecrypt", "Effect": "Allow",
                  "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/"
                                "SecurityAnalyst"},
                  "Action": "kms:Decrypt", "Resource": "*"}
        # A policy that drops the root statement locks the caller out.
        res = self.client_error("MalformedPolicyDocumentException",
                                kms.put_key_policy, KeyId=KEY_ARN,
                                PolicyName="default",
                                Policy=policy(reader))
        self.assertIn("will not allow you to update", res["Error"]["Message"])
        self.assertEqual(json.loads(kms.get_key_policy(
            KeyId=KEY_ARN, PolicyName="default")["Policy"])["Statement"],
            [root_statement()])
        # A policy naming the caller's role (the session's) passes.
        admin = {"Sid": "Admin", "Effect": "Allow",
                 "Principal": {"AWS": LOG_ADMIN},
                 "Action": ["kms:Get*", "kms:Put*"], "Resource": "*"}
        session = self.client("kms", key=SESSION_KEY, secret=SESSION_SECRET,
                              token=SESSION_TOKEN)
        session.put_key_policy(KeyId=KEY_ARN, PolicyName="default",
                               Policy=policy(admin, reader))
        # The user logkeep-ci is of the account but no longer named: denied.
        res = self.client_error("AccessDeniedException", kms.get_key_policy,
                                KeyId=KEY_ARN, PolicyName="default")
        self.assertIn("is not authorized to perform: kms:GetKeyPolicy",
                      res["Error"]["Message"])
        # An explicit Deny of PutKeyPolicy to the caller also fails the check.
        deny = {"Sid": "NoPut", "Effect": "Deny", "Principal": "*",
                "Action": "kms:PutKeyPolicy", "Resource": "*"}
        self.client_error("MalformedPolicyDocumentException",
                          session.put_key_policy, KeyId=KEY_ARN,
                          PolicyName="default",
                          Policy=policy(admin, deny))
        # ... unless the check is bypassed.
        session.put_key_policy(KeyId=KEY_ARN, PolicyName="default",
                               Policy=policy(admin, deny),
                               BypassPolicyLockoutSafetyCheck=True)
        self.client_error("AccessDeniedException", session.put_key_policy,
                          KeyId=KEY_ARN, PolicyName="default",
                          Policy=policy(root_statement()))

    def test_malformed_policies_and_size(self):
        base.EP.set_state({"keys": {KEY_ARN: {}}})
        kms = self.client("kms")
        for bad in ("not json", "[]", json.dumps({"Version": "2012-10-17"}),
                    policy({"Effect": "Allow", "Action": "kms:*",
                            "Resource": "*"}),
                    policy({"Effect": "Maybe", "Principal": "*",
                            "Action": "kms:*", "Resource": "*"}),
                    policy({"Effect": "Allow", "Principal": {"AWS": ROOT},
                            "Action": "kms:*"})):
            self.client_error("MalformedPolicyDocumentException",
                              kms.put_key_policy, KeyId=KEY_ARN,
                              PolicyName="default", Policy=bad)
        # 32 KB is the limit (the model's own maximum is 131072).
        big = policy(root_statement(),
                     {"Sid": "Pad", "Effect": "Allow",
                      "Principal": {"AWS": ROOT}, "Action": "kms:Decrypt",
                      "Resource": "*",
                      "Condition": {"StringEquals": {
                          "kms:EncryptionContext:x": ["v" * 100] * 330}}})
        self.assertGreater(len(big), 32768)
        res = self.client_error("MalformedPolicyDocumentException",
                                kms.put_key_policy, KeyId=KEY_ARN,
                                PolicyName="default", Policy=big)
        self.assertIn("32 KB", res["Error"]["Message"])

    def test_unknown_keys_regions_and_other_accounts(self):
        base.EP.set_state({"keys": {KEY_ARN: {}}})
        kms = self.client("kms")
        self.client_error("NotFoundException", kms.get_key_policy,
                          KeyId=KEY_ARN.replace("1234abcd", "ffffffff"),
                          PolicyName="default")
        self.client_error("NotFoundException", kms.get_key_policy,
                          KeyId="ffffffff-12ab-34cd-56ef-1234567890ab",
                          PolicyName="default")
        # The key lives in us-east-1: eu-west-1's KMS does not know it.
        self.client_error("NotFoundException",
                          self.client("kms", region="eu-west-1")
                          .get_key_policy, KeyId=KEY_ARN,
                          PolicyName="default")
        self.client_error("InvalidArnException", kms.get_key_policy,
                          KeyId="arn:aws:kms:bad", PolicyName="default")
        outsider = self.client("kms", key=OUTSIDER_KEY,
                               secret=OUTSIDER_SECRET)
        self.client_error("AccessDeniedException", outsider.get_key_policy,
                          KeyId=KEY_ARN, PolicyName="default")
        # A bare key id names a key of the caller's own account only.
        self.client_error("NotFoundException", outsider.get_key_policy,
                          KeyId=KEY_ARN.rsplit("/", 1)[1],
                          PolicyName="default")
        kms.put_key_policy(KeyId=KEY_ARN, PolicyName="default",
                           Policy=policy(root_statement(), {
                               "Sid": "Other", "Effect": "Allow",
                               "Principal": {"AWS": OTHER},
                               "Action": "kms:GetKeyPolicy",
                               "Resource": "*"}))
        got = outsider.get_key_policy(KeyId=KEY_ARN, PolicyName="default")
        self.assertIn("Other", got["Policy"])
        self.client_error("AccessDeniedException", outsider.put_key_policy,
                          KeyId=KEY_ARN, PolicyName="default",
                          Policy=policy(root_statement(OTHER)))

    def test_aliases(self):
        base.EP.set_state({"keys": {KEY_ARN: {}}})
        kms = self.client("kms")
        kms.create_alias(AliasName="alias/logs", TargetKeyId=KEY_ARN)
        self.client_error("AlreadyExistsException", kms.create_alias,
                          AliasName="alias/logs", TargetKeyId=KEY_ARN)
        self.client_error("InvalidAliasNameException", kms.create_alias,
                          AliasName="alias/aws/logs", TargetKeyId=KEY_ARN)
        aliases = kms.list_aliases()["Aliases"]
        self.assertEqual([a["AliasName"] for a in aliases], ["alias/logs"])
        self.assertEqual(aliases[0]["TargetKeyId"], KEY_ARN.split("/")[1])
        self.assertEqual(kms.describe_key(KeyId="alias/logs")["KeyMetadata"]
                         ["Arn"], KEY_ARN)
        # GetKeyPolicy takes a key id or key ARN, not an alias.
        self.client_error("NotFoundException", kms.get_key_policy,
                          KeyId="alias/logs", PolicyName="default")

    def test_unsigned_target_is_routed_to_kms(self):
        status, headers, data = self.send(
            "kms", "POST", "/", "{}",
            {"Content-Type": "application/x-amz-json-1.1",
             "X-Amz-Target": "TrentService.ListAliases"}, sign=False)
        self.assertEqual(status, 403)
        self.assertEqual(json.loads(data)["__type"],
                         "MissingAuthenticationTokenException")
        status, _, data = self.send(
            "kms", "POST", "/", "{}",
            {"Content-Type": "application/x-amz-json-1.1",
             "X-Amz-Target": "TrentService.Encrypt"})
        self.assertEqual(status, 501)


class KmsAuthorizeTest(EndpointTest):
    """kms_authorize() for the services that write into SSE-KMS stores."""

    def authorize(self, doc, context, action="kms:GenerateDataKey"):
        base.EP.set_state({"keys": {KEY_ARN: {"policy": json.dumps(doc)}}})
        # Evaluate in a State loaded from the endpoint's own dump.
        state = State(Clock(0), ACCOUNT, "us-east-1")
        state.load(base.EP.get_state())
        return lkkms.kms_authorize(state, KEY_ARN, context, action)

    def test_service_principals_and_conditions(self):
        trail = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/org"
        doc = {"Statement": [root_statement(), {
            "Sid": "LogKeepCloudTrailEncrypt", "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "kms:GenerateDataKey*", "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:SourceArn": trail},
                "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                               f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"}}}]}
        ctx = {"principal_service": "cloudtrail.amazonaws.com",
               "aws:SourceArn": trail, "aws:SourceAccount": ACCOUNT,
               "kms:EncryptionContext:aws:cloudtrail:arn": trail}
        self.assertTrue(self.authorize(doc, ctx))
        # Wildcard action; case-insensitive condition keys.
        self.assertTrue(self.authorize(doc, ctx, "kms:GenerateDataKeyPair"))
        self.assertFalse(self.authorize(doc, ctx, "kms:Decrypt"))
        self.assertFalse(self.authorize(
            doc, dict(ctx, **{"aws:SourceArn": trail + "x"})))
        missing = dict(ctx)
        del missing["kms:EncryptionContext:aws:cloudtrail:arn"]
        self.assertFalse(self.authorize(doc, missing))
        # Another service, or the account root statement, does not cover it.
        self.assertFalse(self.authorize(
            doc, dict(ctx, principal_service="delivery.logs.amazonaws.com")))
        # An unknown key is never authorised.
        self.assertFalse(lkkms.kms_authorize(
            State(Clock(0), ACCOUNT, "us-east-1"), KEY_ARN, ctx,
            "kms:GenerateDataKey"))

    def test_deny_wins_negation_and_if_exists(self):
        allow = {"Effect": "Allow",
                 "Principal": {"Service": "delivery.logs.amazonaws.com"},
                 "Action": ["kms:Encrypt", "kms:GenerateDataKey*"],
                 "Resource": "*",
                 "Condition": {"StringEquals": {
                     "aws:SourceAccount": ACCOUNT,
                     "kms:ViaService": "s3.us-east-1.amazonaws.com"}}}
        deny = {"Effect": "Deny", "Principal": "*", "Action": "kms:*",
                "Resource": "*",
                "Condition": {"StringNotEqualsIfExists": {
                    "aws:PrincipalServiceName": [
                        "delivery.logs.amazonaws.com",
                        "cloudtrail.amazonaws.com"]},
                    "ArnNotLike": {"aws:PrincipalArn": LOG_ADMIN}}}
        doc = {"Statement": [allow, deny]}
        ctx = {"principal_service": "delivery.logs.amazonaws.com",
               "aws:SourceAccount": ACCOUNT,
               "kms:ViaService": "s3.us-east-1.amazonaws.com"}
        # The service is exempt from the deny (its name is listed; it has
        # no aws:PrincipalArn, so ArnNotLike alone would have denied it).
        self.assertTrue(self.authorize(doc, ctx))
        self.assertFalse(self.authorize(
            doc, dict(ctx, **{"kms:ViaService":
                              "s3.eu-west-1.amazonaws.com"})))
        # Without the service exemption the deny applies to the service.
        deny_all = dict(deny, Condition={"ArnNotLike": {
            "aws:PrincipalArn": LOG_ADMIN}})
        self.assertFalse(self.authorize({"Statement": [allow, deny_all]},
                                        ctx))
        # AWS principals: the account root delegates to IAM (allowed for
        # the account's identities), other accounts are not covered.
        doc = {"Statement": [root_statement(), deny]}
        self.assertTrue(self.authorize(
            doc, {"principal_arn": "arn:aws:sts::111122223333:"
                  "assumed-role/LogAdmin/s", "principal_account": ACCOUNT},
            "kms:Decrypt"))
        self.assertFalse(self.authorize(
            doc, {"principal_arn": "arn:aws:iam::111122223333:user/x",
                  "principal_account": ACCOUNT}, "kms:Decrypt"))
        self.assertFalse(self.authorize(
            {"Statement": [root_statement()]},
            {"principal_arn": f"arn:aws:iam::{OTHER}:user/x",
             "principal_account": OTHER}, "kms:Decrypt"))


LOGS = "Logs_20140328."


class LogsExtensionTest(EndpointTest):

    def logs(self, operation, params, **kw):
        status, _, data = self.json_call("logs", operation, params, **kw)
        return status, data

    def ok(self, operation, params, **kw):
        status, data = self.logs(operation, params, **kw)
        self.assertEqual(status, 200, data)
        return data

    def error(self, code, operation, params, **kw):
        status, data = self.logs(operation, params, **kw)
        self.assertEqual(status, 400, data)
        self.assertEqual(data["__type"], code, data)
        return data

    def groups(self, **params):
        return {g["logGroupName"]: g for g in
                self.ok("DescribeLogGroups", params)["logGroups"]}

    def test_model_extension_is_separate_from_botocores(self):
        plain = lkmodels.service_model("logs")
        ext = lkmodels.service_model("logs", extended=True)
        self.assertNotIn("PutLogGroupDeletionProtection",
                         plain.operation_names)
        self.assertIn("PutLogGroupDeletionProtection", ext.operation_names)
        self.assertEqual(set(ext.operation_names) - set(plain.operation_names),
                         {"PutLogGroupDeletionProtection"})
        self.assertIn("logGroupClass", ext.shape_for("LogGroup").members)

    def test_deletion_protection(self):
        self.ok("CreateLogGroup", {"logGroupName": "/sec/a"})
        self.ok("CreateLogGroup", {"logGroupName": "/sec/b",
                                   "deletionProtectionEnabled": True})
        got = self.groups()
        self.assertIs(got["/sec/a"]["deletionProtectionEnabled"], False)
        self.assertIs(got["/sec/b"]["deletionProtectionEnabled"], True)
        self.ok("PutLogGroupDeletionProtection",
                {"logGroupIdentifier": "/sec/a",
                 "deletionProtectionEnabled": True})
        data = self.error("ValidationException", "DeleteLogGroup",
                          {"logGroupName": "/sec/a"})
        self.assertIn("deletion protection", data["message"])
        # By ARN (the identifier pattern has no room for the trailing ":*"),
        # then off, then deletable.
        arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/sec/a"
        self.ok("PutLogGroupDeletionProtection",
                {"logGroupIdentifier": arn,
                 "deletionProtectionEnabled": False})
        self.ok("DeleteLogGroup", {"logGroupName": "/sec/a"})
        self.error("ResourceNotFoundException",
                   "PutLogGroupDeletionProtection",
                   {"logGroupIdentifier": "/sec/a",
                    "deletionProtectionEnabled": True})
        data = self.error("InvalidParameterException",
                          "PutLogGroupDeletionProtection",
                          {"logGroupIdentifier": "/sec/b"})
        self.assertIn("deletionProtectionEnabled", data["message"])
        self.assertEqual(
            base.EP.get_state()["log_groups"][ACCOUNT]["us-east-1"][0]
            ["deletionProtectionEnabled"], True)

    def test_log_group_classes(self):
        self.ok("CreateLogGroup", {"logGroupName": "/c/std"})
        self.ok("CreateLogGroup", {"logGroupName": "/c/ia",
                                   "logGroupClass": "INFREQUENT_ACCESS"})
        self.ok("CreateLogGroup", {"logGroupName": "/c/dl",
                                   "logGroupClass": "DELIVERY"})
        self.error("InvalidParameterException", "CreateLogGroup",
                   {"logGroupName": "/c/x", "logGroupClass": "COLD"})
        got = self.groups()
        self.assertEqual({n: g["logGroupClass"] for n, g in got.items()},
                         {"/c/std": "STANDARD", "/c/ia": "INFREQUENT_ACCESS",
                          "/c/dl": "DELIVERY"})
        self.assertEqual(got["/c/dl"]["retentionInDays"], 1)
        self.assertNotIn("retentionInDays", got["/c/ia"])
        self.error("InvalidParameterException", "PutRetentionPolicy",
                   {"logGroupName": "/c/dl", "retentionInDays": 30})
        self.error("InvalidParameterException", "DeleteRetentionPolicy",
                   {"logGroupName": "/c/dl"})
        self.ok("PutRetentionPolicy", {"logGroupName": "/c/ia",
                                       "retentionInDays": 30})
        self.assertEqual(list(self.groups(logGroupClass="DELIVERY")),
                         ["/c/dl"])
        # The AWS CLI (older model) still reads the groups.
        res = self.aws("logs", "describe-log-groups")
        self.assertEqual(res.rc, 0, repr(res))
        self.assertEqual(len(res.json["logGroups"]), 3)

    def test_associate_kms_key_checks_the_key(self):
        group_arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/k/g"
        logs_grant = {
            "Sid": "LogKeepCloudWatchLogs", "Effect": "Allow",
            "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*",
                       "kms:GenerateDataKey*", "kms:Describe*"],
            "Resource": "*",
            "Condition": {"ArnLike": {
                "kms:EncryptionContext:aws:logs:arn": group_arn}}}
        base.EP.set_state({
            "keys": {KEY_ARN: {}},
            "log_groups": {ACCOUNT: {"us-east-1": [{"logGroupName":
                                                    "/k/g"}]}}})
        data = self.error("AccessDeniedException", "AssociateKmsKey",
                          {"logGroupName": "/k/g", "kmsKeyId": KEY_ARN})
        self.assertIn("not allowed", data["message"])
        self.client("kms").put_key_policy(
            KeyId=KEY_ARN, PolicyName="default",
            Policy=policy(root_statement(), logs_grant))
        self.ok("AssociateKmsKey", {"logGroupName": "/k/g",
                                    "kmsKeyId": KEY_ARN})
        self.assertEqual(self.groups()["/k/g"]["kmsKeyId"], KEY_ARN)
        self.error("InvalidParameterException", "AssociateKmsKey",
                   {"logGroupName": "/k/g",
                    "kmsKeyId": KEY_ARN.replace("1234abcd", "00000000")})
        self.error("ResourceNotFoundException", "AssociateKmsKey",
                   {"logGroupName": "/k/none", "kmsKeyId": KEY_ARN})
        self.ok("DisassociateKmsKey", {"logGroupName": "/k/g"})
        self.assertNotIn("kmsKeyId", self.groups()["/k/g"])


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
