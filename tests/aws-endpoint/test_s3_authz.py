#!/usr/bin/python3
"""Tests of the endpoint's S3 authorisation, objects and service delivery.

* the IAM policy evaluator (``awsendpoint.iampolicy``) against the rules of
  the IAM User Guide, in-process;
* over the wire, signed by Debian's python3-botocore as the configured
  identities (LogAdmin, logkeep-ci, SecurityAnalyst, OpsAdmin, ReadOnly, the
  IAM Identity Center audit role, another account's user): identity
  policies, bucket policies, same- and cross-account rules, the action of
  every S3 operation;
* objects, versions, delete markers, Object Lock;
* deliveries by AWS service principals (``POST /_admin/deliver``);
* BlockPublicPolicy and lifecycle on MFA-delete buckets.

Run with ``/usr/bin/python3 test_s3_authz.py [Class[.test]]``; ``run-tests``
runs it after ``test_endpoint.py``.
"""

import datetime
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import test_endpoint as te  # noqa: E402  (also cleans AWS_* variables)
from botocore.exceptions import ClientError  # noqa: E402

import lkendpoint  # noqa: E402
from awsendpoint import authz, iampolicy  # noqa: E402

ACCOUNT = "111122223333"
OTHER = "444455556666"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/"
LOG_ADMIN = ROLE + "LogAdmin"
ANALYST = ROLE + "SecurityAnalyst"
OPS_ADMIN = ROLE + "OpsAdmin"
READ_ONLY = ROLE + "ReadOnly"
SSO_AUDIT = (ROLE + "aws-reserved/sso.amazonaws.com/"
             "AWSReservedSSO_Audit_0123456789abcdef")
CI_USER = f"arn:aws:iam::{ACCOUNT}:user/logkeep-ci"

# (access key, secret, session token) of each identity in default-config.json
IDS = {
    "ci": ("AKIAIOSFODNN7EXAMPLE",
           "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None),
    "admin": ("ASIAIOSFODNN7SESSION",
              "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
              "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENlogkeep0001"),
    "analyst": ("ASIAIOSFODNN7ANALYST",
                "an7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
                "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENlogkeep0003"),
    "ops": ("ASIAIOSFODNN7OPSADMN",
            "op7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
            "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENlogkeep0004"),
    "readonly": ("ASIAIOSFODNN7READONL",
                 "ro7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
                 "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENlogkeep0005"),
    "sso": ("ASIAIOSFODNN7SSOAUDT",
            "ss7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
            "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENlogkeep0006"),
    "outsider": ("AKIAI44QH8DHBEXAMPLE",
                 "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", None),
}
DELIVERING = ["cloudtrail.amazonaws.com", "delivery.logs.amazonaws.com",
              "config.amazonaws.com", "guardduty.amazonaws.com"]


# One endpoint for the module, started and stopped as test_endpoint's.
setUpModule = te.setUpModule
tearDownModule = te.tearDownModule


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def store_policy(bucket, readers, admins, services=DELIVERING):
    """A bucket policy of the shapes logkeep compiles (round contract):
    TLS only, readers read, everyone else neither reads nor writes logs nor
    changes the bucket, the delivering services exempt."""
    arn = f"arn:aws:s3:::{bucket}"
    both = [arn, arn + "/*"]
    svc = {"StringNotEqualsIfExists": {"aws:PrincipalServiceName": services}}
    return doc(
        {"Sid": "LogKeepDenyInsecureTransport", "Effect": "Deny",
         "Principal": "*", "Action": "s3:*", "Resource": both,
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "LogKeepReadLogs", "Effect": "Allow",
         "Principal": {"AWS": readers},
         "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"],
         "Resource": both},
        {"Sid": "LogKeepDenyReadsExceptReaders", "Effect": "Deny",
         "Principal": "*",
         "Action": ["s3:GetObject*", "s3:ListBucket",
                    "s3:ListBucketVersions"],
         "Resource": both,
         "Condition": dict(svc, ArnNotLike={
             "aws:PrincipalArn": readers + admins})},
        {"Sid": "LogKeepDenyWritesExceptDelivery", "Effect": "Deny",
         "Principal": "*",
         "Action": ["s3:PutObject", "s3:PutObjectAcl",
                    "s3:DeleteObject", "s3:DeleteObjectVersion"],
         "Resource": both,
         "Condition": dict(svc, ArnNotLike={"aws:PrincipalArn": admins})},
        {"Sid": "LogKeepDenyChangesExceptAdmins", "Effect": "Deny",
         "Principal": "*",
         "Action": ["s3:PutLifecycleConfiguration", "s3:PutBucketPolicy",
                    "s3:DeleteBucketPolicy", "s3:PutBucketVersioning",
                    "s3:PutEncryptionConfiguration",
                    "s3:PutBucketPublicAccessBlock"],
         "Resource": both,
         "Condition": {"ArnNotLike": {"aws:PrincipalArn": admins}}},
        {"Sid": "LogKeepCloudTrailAclCheck", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": arn,
         "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}},
        {"Sid": "LogKeepCloudTrailWrite", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject",
         "Resource": f"{arn}/AWSLogs/{ACCOUNT}/*",
         "Condition": {"StringEquals": {
             "s3:x-amz-acl": "bucket-owner-full-control",
             "aws:SourceAccount": ACCOUNT}}},
        {"Sid": "LogKeepDeliveryLogs", "Effect": "Allow",
         "Principal": {"Service": ["delivery.logs.amazonaws.com",
                                   "config.amazonaws.com"]},
         "Action": ["s3:GetBucketAcl", "s3:ListBucket", "s3:PutObject"],
         "Resource": both,
         "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}},
        {"Sid": "LogKeepGuardDuty", "Effect": "Allow",
         "Principal": {"Service": "guardduty.amazonaws.com"},
         "Action": ["s3:GetBucketLocation", "s3:PutObject"],
         "Resource": both,
         "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}})


# ---------------------------------------------------------------------------
class EvaluatorTest(unittest.TestCase):
    """``iampolicy`` against the IAM User Guide's rules (in-process)."""

    def holds(self, operator, key, expected, context):
        return iampolicy.condition_holds(operator, key, expected, context)

    def test_negated_operators_true_when_key_absent(self):
        # "If the key ... is not present in the request context, the values
        # do not match": positive false, negated true.
        self.assertFalse(self.holds("ArnLike", "aws:PrincipalArn",
                                    "arn:aws:iam::1:role/x", {}))
        self.assertTrue(self.holds("ArnNotLike", "aws:PrincipalArn",
                                   "arn:aws:iam::1:role/x", {}))
        self.assertTrue(self.holds("StringNotEquals", "aws:SourceAccount",
                                   "1", {}))
        self.assertTrue(self.holds("StringNotEqualsIgnoreCase", "k", "a", {}))
        self.assertFalse(self.holds("StringEquals", "k", "a", {}))

    def test_if_exists(self):
        self.assertTrue(self.holds("StringEqualsIfExists", "k", "a", {}))
        self.assertTrue(self.holds("StringNotEqualsIfExists",
                                   "aws:PrincipalServiceName",
                                   ["cloudtrail.amazonaws.com"], {}))
        ctx = {"aws:principalservicename": "cloudtrail.amazonaws.com"}
        self.assertFalse(self.holds("StringNotEqualsIfExists",
                                    "aws:PrincipalServiceName",
                                    ["config.amazonaws.com",
                                     "cloudtrail.amazonaws.com"], ctx))
        self.assertTrue(self.holds("StringNotEqualsIfExists",
                                   "aws:PrincipalServiceName",
                                   ["config.amazonaws.com"], ctx))
        self.assertFalse(self.holds("StringEqualsIfExists", "k", "a",
                                    {"k": "b"}))

    def test_values_ored_keys_anded_key_names_case_insensitive(self):
        ctx = {"aws:sourceaccount": "1", "s3:x-amz-acl": "private"}
        self.assertTrue(self.holds("StringEquals", "AWS:SourceAccount",
                                   ["2", "1"], ctx))
        self.assertTrue(self.holds("StringNotEquals", "aws:sourceaccount",
                                   ["2", "3"], ctx))
        self.assertFalse(self.holds("StringNotEquals", "aws:sourceaccount",
                                    ["2", "1"], ctx))
        st = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*",
              "Condition": {"StringEquals": {"aws:SourceAccount": "1",
                                             "s3:x-amz-acl": "private"}}}
        self.assertEqual(iampolicy.evaluate([doc(st)], "s3:putobject", "x",
                                            ctx)[0], "allow")
        ctx["s3:x-amz-acl"] = "public-read"
        self.assertIsNone(iampolicy.evaluate([doc(st)], "s3:PutObject", "x",
                                             ctx)[0])
        # values are case-sensitive unless IgnoreCase
        self.assertFalse(self.holds("StringEquals", "k", "ABC", {"k": "abc"}))
        self.assertTrue(self.holds("StringEqualsIgnoreCase", "k", "ABC",
                                   {"k": "abc"}))

    def test_like_arn_bool_null_numeric_date_ip(self):
        self.assertTrue(self.holds("StringLike", "k", "a*c?", {"k": "abbcd"}))
        self.assertFalse(self.holds("StringNotLike", "k", "a*",
                                    {"k": "abc"}))
        role = "arn:aws:iam::111122223333:role/aws-reserved/sso/x"
        self.assertTrue(self.holds("ArnLike", "aws:PrincipalArn",
                                   "arn:aws:iam::*:role/aws-reserved/*",
                                   {"aws:principalarn": role}))
        self.assertTrue(self.holds("ArnEquals", "aws:SourceArn",
                                   "arn:aws:cloudtrail:*:1:trail/*",
                                   {"aws:sourcearn":
                                    "arn:aws:cloudtrail:us-east-1:1:trail/t"}))
        self.assertFalse(self.holds("ArnLike", "aws:SourceArn",
                                    "arn:aws:cloudtrail:*:1:trail/*",
                                    {"aws:sourcearn": "not-an-arn"}))
        self.assertTrue(self.holds("Bool", "aws:SecureTransport", "false",
                                   {"aws:securetransport": "false"}))
        self.assertTrue(self.holds("Bool", "aws:SecureTransport", False,
                                   {"aws:securetransport": "false"}))
        self.assertTrue(self.holds("Null", "aws:PrincipalArn", "true", {}))
        self.assertFalse(self.holds("Null", "aws:PrincipalArn", "false", {}))
        self.assertTrue(self.holds("NumericLessThanEquals", "s3:max-keys",
                                   "10", {"s3:max-keys": "5"}))
        self.assertFalse(self.holds("NumericGreaterThan", "s3:max-keys",
                                    "10", {"s3:max-keys": "5"}))
        self.assertTrue(self.holds("DateLessThan", "aws:CurrentTime",
                                   "2030-01-01T00:00:00Z",
                                   {"aws:currenttime":
                                    "2026-01-01T00:00:00Z"}))
        self.assertTrue(self.holds("IpAddress", "aws:SourceIp",
                                   "127.0.0.0/8",
                                   {"aws:sourceip": "127.0.0.1"}))
        self.assertTrue(self.holds("NotIpAddress", "aws:SourceIp",
                                   "10.0.0.0/8",
                                   {"aws:sourceip": "127.0.0.1"}))
        self.assertFalse(self.holds("NoSuchOperator", "k", "a", {"k": "a"}))

    def test_set_operators(self):
        ctx = {"aws:principalservicenameslist": ["a.amazonaws.com",
                                                 "b.amazonaws.com"]}
        key = "aws:PrincipalServiceNamesList"
        self.assertTrue(self.holds("ForAnyValue:StringEquals", key,
                                   "b.amazonaws.com", ctx))
        self.assertFalse(self.holds("ForAllValues:StringEquals", key,
                                    "b.amazonaws.com", ctx))
        self.assertTrue(self.holds("ForAllValues:StringLike", key,
                                   "*.amazonaws.com", ctx))
        # absent key: ForAllValues true, ForAnyValue false
        self.assertTrue(self.holds("ForAllValues:StringEquals", key, "x",
                                   {}))
        self.assertFalse(self.holds("ForAnyValue:StringEquals", key, "x",
                                    {}))

    def test_actions_resources_and_not_forms(self):
        st = {"Effect": "Allow", "Action": "S3:Get*",
              "Resource": "arn:aws:s3:::b/*"}
        self.assertEqual(iampolicy.evaluate(
            [doc(st)], "s3:GetObjectVersion", "arn:aws:s3:::b/k", {})[0],
            "allow")
        self.assertIsNone(iampolicy.evaluate(
            [doc(st)], "s3:GetObject", "arn:aws:s3:::B/k", {})[0])
        na = {"Effect": "Deny", "NotAction": "s3:Get*",
              "NotResource": "arn:aws:s3:::b/public/*"}
        self.assertEqual(iampolicy.evaluate(
            [doc(na)], "s3:PutObject", "arn:aws:s3:::b/k", {})[0], "deny")
        self.assertIsNone(iampolicy.evaluate(
            [doc(na)], "s3:PutObject", "arn:aws:s3:::b/public/k", {})[0])
        self.assertIsNone(iampolicy.evaluate(
            [doc(na)], "s3:GetObject", "arn:aws:s3:::b/k", {})[0])

    def test_principals(self):
        session = iampolicy.Principal(
            "iam", account=ACCOUNT,
            arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/LogAdmin/s",
            role_arn=LOG_ADMIN)
        service = iampolicy.Principal("service",
                                      service="cloudtrail.amazonaws.com")
        match = iampolicy.principal_match
        self.assertEqual(match("*", service), "direct")
        self.assertEqual(match({"AWS": "*"}, session), "direct")
        self.assertEqual(match({"AWS": LOG_ADMIN}, session), "direct")
        self.assertEqual(match({"AWS": session.arn}, session), "direct")
        self.assertEqual(match({"AWS": ACCOUNT}, session), "account")
        self.assertEqual(match({"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                               session), "account")
        self.assertIsNone(match({"AWS": f"arn:aws:iam::{OTHER}:root"},
                                session))
        self.assertIsNone(match({"AWS": ANALYST}, session))
        self.assertIsNone(match({"AWS": ACCOUNT}, service))
        self.assertEqual(match({"Service": ["x", "cloudtrail.amazonaws.com"]},
                               service), "direct")
        self.assertIsNone(match({"Service": "x"}, session))
        # NotPrincipal with Deny: exempt only when the principal's ARN and
        # its account are both listed.
        deny = {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
                "NotPrincipal": {"AWS": [session.arn]}}
        self.assertEqual(iampolicy.evaluate(
            [doc(deny)], "s3:GetObject", "x", {}, session, True)[0], "deny")
        deny["NotPrincipal"]["AWS"].append(f"arn:aws:iam::{ACCOUNT}:root")
        self.assertIsNone(iampolicy.evaluate(
            [doc(deny)], "s3:GetObject", "x", {}, session, True)[0])
        # account grants are marked: they need the identity policy too
        grant = {"Effect": "Allow", "Principal": {"AWS": ACCOUNT},
                 "Action": "s3:GetObject", "Resource": "*"}
        self.assertEqual(iampolicy.evaluate(
            [doc(grant)], "s3:GetObject", "x", {}, session, True)[0],
            "allow-account")

    def test_public_policy(self):
        pub = iampolicy.public_statements
        arn_only = doc({"Effect": "Allow", "Principal": "*",
                        "Action": "s3:GetObject", "Resource": "*",
                        "Condition": {"ArnLike": {
                            "aws:PrincipalArn": SSO_AUDIT}}})
        self.assertEqual(len(pub(arn_only)), 1)
        by_account = doc({"Effect": "Allow",
                          "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                          "Action": "s3:GetObject", "Resource": "*",
                          "Condition": {"ArnLike": {
                              "aws:PrincipalArn": SSO_AUDIT}}})
        self.assertEqual(pub(by_account), [])
        for key in ("aws:SourceAccount", "aws:SourceArn", "aws:SourceVpce",
                    "aws:SourceVpc", "aws:SourceOwner"):
            fixed = doc({"Effect": "Allow", "Principal": "*",
                         "Action": "s3:PutObject", "Resource": "*",
                         "Condition": {"StringEquals": {key: "x-1"}}})
            self.assertEqual(pub(fixed), [], key)
            wild = doc({"Effect": "Allow", "Principal": {"AWS": "*"},
                        "Action": "s3:PutObject", "Resource": "*",
                        "Condition": {"StringLike": {key: "x-*"}}})
            self.assertEqual(len(pub(wild)), 1, key)
        for key in ("aws:PrincipalOrgID", "aws:PrincipalAccount"):
            notfixing = doc({"Effect": "Allow", "Principal": "*",
                             "Action": "s3:GetObject", "Resource": "*",
                             "Condition": {"StringEquals": {key: "o-1"}}})
            self.assertEqual(len(pub(notfixing)), 1, key)
        deny = doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                    "Resource": "*"})
        self.assertEqual(pub(deny), [])
        service = doc({"Effect": "Allow",
                       "Principal": {"Service": "cloudtrail.amazonaws.com"},
                       "Action": "s3:PutObject", "Resource": "*"})
        self.assertEqual(pub(service), [])
        ip = doc({"Effect": "Allow", "Principal": "*",
                  "Action": "s3:GetObject", "Resource": "*",
                  "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}})
        self.assertEqual(pub(ip), [])

    def test_operation_actions(self):
        # Service Authorization Reference for Amazon S3
        cases = {
            ("PutBucketLifecycleConfiguration", None):
                "s3:PutLifecycleConfiguration",
            ("DeleteBucketLifecycle", None): "s3:PutLifecycleConfiguration",
            ("GetBucketPolicy", None): "s3:GetBucketPolicy",
            ("PutBucketEncryption", None): "s3:PutEncryptionConfiguration",
            ("PutPublicAccessBlock", None): "s3:PutBucketPublicAccessBlock",
            ("ListObjectVersions", None): "s3:ListBucketVersions",
            ("ListObjectsV2", None): "s3:ListBucket",
            ("HeadBucket", None): "s3:ListBucket",
            ("GetObject", "v1"): "s3:GetObjectVersion",
            ("GetObject", None): "s3:GetObject",
            ("HeadObject", "v1"): "s3:GetObjectVersion",
            ("DeleteObject", "v1"): "s3:DeleteObjectVersion",
            ("DeleteObject", None): "s3:DeleteObject",
            ("PutObjectLockConfiguration", None):
                "s3:PutBucketObjectLockConfiguration",
        }
        for (operation, version), action in cases.items():
            params = {"VersionId": version} if version else {}
            self.assertEqual(authz.actions_for(operation, params)[0][0],
                             action, operation)

    def test_secure_transport(self):
        # true on a --tls-cert port; on plain HTTP unless
        # assume_secure_transport is false
        class FakeEndpoint:
            config = {"assume_secure_transport": False}
            tls = True
        self.assertTrue(authz.secure_transport(FakeEndpoint))
        FakeEndpoint.tls = False
        self.assertFalse(authz.secure_transport(FakeEndpoint))
        FakeEndpoint.config = {}
        self.assertTrue(authz.secure_transport(FakeEndpoint))

    def test_kms_hook(self):
        # The KMS module's hook decides when a bucket uses SSE-KMS.
        import types
        seen = []
        fake = types.ModuleType("awsendpoint.kms")
        fake.kms_authorize = lambda state, key, ctx, action: (
            seen.append((key, action, ctx.get("aws:principalservicename")))
            or key.endswith("good"))
        bucket = {"name": "b", "region": "us-east-1", "encryption": {
            "Rules": [{"ApplyServerSideEncryptionByDefault": {
                "SSEAlgorithm": "aws:kms",
                "KMSMasterKeyID": "arn:aws:kms:us-east-1:1:key/good"}}]}}

        class FakeCall:
            state = None
        ctx = {"aws:principalservicename": "cloudtrail.amazonaws.com"}
        old = sys.modules.get("awsendpoint.kms")
        sys.modules["awsendpoint.kms"] = fake
        try:
            self.assertTrue(authz.kms_check(FakeCall(), bucket, ctx,
                                            "kms:GenerateDataKey"))
            rule = bucket["encryption"]["Rules"][0]
            rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] = \
                "arn:aws:kms:us-east-1:1:key/bad"
            self.assertFalse(authz.kms_check(FakeCall(), bucket, ctx,
                                             "kms:GenerateDataKey"))
        finally:
            if old is None:
                del sys.modules["awsendpoint.kms"]
            else:
                sys.modules["awsendpoint.kms"] = old
        self.assertEqual(seen[0], ("arn:aws:kms:us-east-1:1:key/good",
                                   "kms:GenerateDataKey",
                                   "cloudtrail.amazonaws.com"))
        # no SSE-KMS key: the hook is not asked
        self.assertTrue(authz.kms_check(FakeCall(), {"encryption": None},
                                        ctx, "kms:Decrypt"))


# ---------------------------------------------------------------------------
class AuthzTest(te.EndpointTest):
    """Signed calls as each identity."""

    def s3(self, who):
        key, secret, token = IDS[who]
        return self.client("s3", key=key, secret=secret, token=token)

    def denied(self, fn, *args, **kw):
        return self.client_error("AccessDenied", fn, *args, **kw)

    def put_policy(self, bucket, document, who="admin"):
        self.s3(who).put_bucket_policy(Bucket=bucket,
                                       Policy=json.dumps(document))

    def seed(self, bucket="lk-logs", versioned=True, **extra):
        state = {"owner": ACCOUNT}
        if versioned:
            state["versioning"] = {"Status": "Enabled"}
        state.update(extra)
        te.EP.set_state({"buckets": {bucket: state}}, merge=True)
        return bucket

    def test_identity_policies_without_bucket_policy(self):
        b = self.seed()
        admin, ro, analyst, ops, ci = (self.s3(w) for w in (
            "admin", "readonly", "analyst", "ops", "ci"))
        admin.put_object(Bucket=b, Key="AWSLogs/a.json", Body=b"log")
        ops.put_object(Bucket=b, Key="AWSLogs/b.json", Body=b"ops")
        ci.put_object(Bucket=b, Key="AWSLogs/c.json", Body=b"ci")
        # ReadOnlyAccess: s3:Get*, s3:List*
        self.assertEqual(ro.get_object(Bucket=b, Key="AWSLogs/a.json")
                         ["Body"].read(), b"log")
        self.assertEqual(ro.list_objects_v2(Bucket=b)["KeyCount"], 3)
        ro.get_bucket_versioning(Bucket=b)
        self.denied(ro.put_object, Bucket=b, Key="x", Body=b"x")
        self.denied(ro.delete_object, Bucket=b, Key="AWSLogs/a.json")
        self.denied(ro.put_bucket_versioning, Bucket=b,
                    VersioningConfiguration={"Status": "Suspended"})
        # the reader: s3:GetObject*, s3:List*
        analyst.get_object(Bucket=b, Key="AWSLogs/b.json")
        analyst.list_object_versions(Bucket=b)
        self.denied(analyst.get_bucket_versioning, Bucket=b)
        self.denied(analyst.put_object, Bucket=b, Key="x", Body=b"x")
        self.denied(analyst.create_bucket, Bucket="lk-analyst-new")
        # the cross-account user keeps the older behaviour: nothing here
        outsider = self.s3("outsider")
        self.denied(outsider.get_object, Bucket=b, Key="AWSLogs/a.json")
        self.denied(outsider.list_objects_v2, Bucket=b)
        # ListBuckets needs s3:ListAllMyBuckets: ReadOnly has it (List*)
        self.assertIn(b, [x["Name"] for x in ro.list_buckets()["Buckets"]])
        log = te.EP.log(service="s3")
        self.assertEqual(log[-1]["operation"], "ListBuckets")

    def test_sse_kms_put_object_by_an_account_identity(self):
        # The key's default policy gives the key to the account's IAM
        # policies: the admin (AdministratorAccess) writes into the SSE-KMS
        # bucket, the reader (no kms:GenerateDataKey) does not.
        key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/" \
              "1234abcd-12ab-34cd-56ef-1234567890ab"
        te.EP.set_state({"keys": {key: {}}}, merge=True)
        b = self.seed(encryption={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {
                "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}]})
        self.s3("admin").put_object(Bucket=b, Key="AWSLogs/k.json",
                                    Body=b"log")
        self.denied(self.s3("analyst").put_object, Bucket=b, Key="x",
                    Body=b"x")

    def test_store_policy_readers_admins_and_others(self):
        b = self.seed()
        admin = self.s3("admin")
        admin.put_object(Bucket=b, Key="AWSLogs/1.json", Body=b"original")
        self.put_policy(b, store_policy(b, [ANALYST, SSO_AUDIT],
                                        [LOG_ADMIN, CI_USER]))
        analyst, sso, ro, ops = (self.s3(w) for w in (
            "analyst", "sso", "readonly", "ops"))
        # declared readers read (SSO role: the policy names its role ARN in
        # aws:PrincipalArn, its session has a different ARN)
        self.assertEqual(analyst.get_object(Bucket=b, Key="AWSLogs/1.json")
                         ["Body"].read(), b"original")
        sso.get_object(Bucket=b, Key="AWSLogs/1.json")
        sso.list_objects_v2(Bucket=b)
        # ReadOnlyAccess allows s3:Get* on *, the bucket policy denies
        self.denied(ro.get_object, Bucket=b, Key="AWSLogs/1.json")
        self.denied(ro.list_objects_v2, Bucket=b)
        self.denied(ro.list_object_versions, Bucket=b)
        # OpsAdmin (AdministratorAccess, undeclared): no read, overwrite or
        # delete, no reconfiguration
        self.denied(ops.get_object, Bucket=b, Key="AWSLogs/1.json")
        self.denied(ops.put_object, Bucket=b, Key="AWSLogs/1.json",
                    Body=b"forged")
        self.denied(ops.delete_object, Bucket=b, Key="AWSLogs/1.json")
        versions = admin.list_object_versions(Bucket=b)["Versions"]
        self.denied(ops.delete_object, Bucket=b, Key="AWSLogs/1.json",
                    VersionId=versions[0]["VersionId"])
        self.denied(ops.delete_bucket_lifecycle, Bucket=b)
        last = te.EP.log(service="s3")[-1]
        self.assertEqual((last["operation"], last["error"],
                          last["denied_action"]),
                         ("DeleteBucketLifecycle", "AccessDenied",
                          "s3:PutLifecycleConfiguration"))
        self.denied(ops.delete_bucket_policy, Bucket=b)
        self.denied(ops.put_bucket_versioning, Bucket=b,
                    VersioningConfiguration={"Status": "Suspended"})
        # the admins (LogAdmin role, logkeep-ci user) still reconfigure
        admin.put_bucket_lifecycle_configuration(
            Bucket=b, LifecycleConfiguration={"Rules": [{
                "ID": "r", "Status": "Enabled", "Filter": {"Prefix": ""},
                "Expiration": {"Days": 400}}]})
        self.s3("ci").put_bucket_policy(
            Bucket=b, Policy=json.dumps(store_policy(
                b, [ANALYST, SSO_AUDIT], [LOG_ADMIN, CI_USER])))
        # nothing was overwritten
        self.assertEqual(admin.get_object(Bucket=b, Key="AWSLogs/1.json")
                         ["Body"].read(), b"original")
        self.assertEqual(len(admin.list_object_versions(Bucket=b)
                             ["Versions"]), 1)

    def test_services_deliver_through_the_store_policy(self):
        b = self.seed()
        self.put_policy(b, store_policy(b, [ANALYST], [LOG_ADMIN]))
        trail = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/org"
        for service in DELIVERING:
            key = f"AWSLogs/{ACCOUNT}/{service.split('.')[0]}/x.json.gz"
            res = te.EP.deliver(service, b, key, body=service,
                                source_arn=trail, source_account=ACCOUNT)
            self.assertTrue(res["ok"], res)
            ops = [c["operation"] for c in res["calls"]]
            self.assertEqual(ops[-1], "PutObject", res)
            self.assertEqual(self.s3("analyst").get_object(
                Bucket=b, Key=key)["Body"].read(), service.encode())
        # a service the policy does not exempt is denied by the deny
        # statements (no aws:PrincipalArn: ArnNotLike is true)
        res = te.EP.deliver("logdelivery.elasticloadbalancing.amazonaws.com",
                            b, f"AWSLogs/{ACCOUNT}/elb/x.log",
                            source_account=ACCOUNT)
        self.assertEqual(res["denied"], "PutObject", res)
        self.assertEqual(res["calls"][-1]["error"], "AccessDenied")
        # CloudTrail's own calls are made in its order: GetBucketAcl first
        res = te.EP.deliver("cloudtrail.amazonaws.com", b,
                            f"AWSLogs/{OTHER}/CloudTrail/x.json.gz",
                            source_account=OTHER)
        self.assertEqual(res["denied"], "GetBucketAcl", res)
        # wrong ACL header: the Write statement's condition fails
        res = te.EP.deliver("cloudtrail.amazonaws.com", b,
                            f"AWSLogs/{ACCOUNT}/CloudTrail/y.json.gz",
                            source_account=ACCOUNT, acl="private")
        self.assertEqual(res["denied"], "PutObject", res)

    def test_negated_deny_without_service_exemption_blocks_delivery(self):
        # The defect the service exemption fixes: a Deny with only
        # ArnNotLike aws:PrincipalArn also denies the service principals,
        # which have no aws:PrincipalArn.
        b = self.seed()
        policy = store_policy(b, [ANALYST], [LOG_ADMIN])
        for st in policy["Statement"]:
            st.get("Condition", {}).pop("StringNotEqualsIfExists", None)
        self.put_policy(b, policy)
        res = te.EP.deliver("cloudtrail.amazonaws.com", b,
                            f"AWSLogs/{ACCOUNT}/CloudTrail/x.json.gz",
                            source_account=ACCOUNT)
        self.assertEqual(res["denied"], "PutObject", res)
        self.assertIn("LogKeepDenyWritesExceptDelivery",
                      res["calls"][-1]["reason"])
        # and the same delivery without any bucket policy: denied (a service
        # principal needs a grant)
        self.s3("admin").delete_bucket_policy(Bucket=b)
        res = te.EP.deliver("cloudtrail.amazonaws.com", b,
                            f"AWSLogs/{ACCOUNT}/CloudTrail/x.json.gz",
                            source_account=ACCOUNT)
        self.assertEqual(res["denied"], "GetBucketAcl", res)

    def test_deny_per_operation_action(self):
        """Each operation is authorised as its IAM action: a Deny of exactly
        that action refuses the call, which succeeds without it."""
        b = self.seed()
        admin = self.s3("admin")
        put = admin.put_object(Bucket=b, Key="k", Body=b"v")
        vid = put["VersionId"]
        lifecycle = {"Rules": [{"ID": "r", "Status": "Enabled",
                                "Filter": {"Prefix": ""},
                                "Expiration": {"Days": 10}}]}
        pab = {"BlockPublicAcls": True, "IgnorePublicAcls": True,
               "BlockPublicPolicy": False, "RestrictPublicBuckets": True}
        sse = {"Rules": [{"ApplyServerSideEncryptionByDefault": {
            "SSEAlgorithm": "AES256"}}]}
        ci = self.s3("ci")
        calls = [
            ("s3:PutLifecycleConfiguration",
             lambda: ci.put_bucket_lifecycle_configuration(
                 Bucket=b, LifecycleConfiguration=lifecycle)),
            ("s3:GetLifecycleConfiguration",
             lambda: ci.get_bucket_lifecycle_configuration(Bucket=b)),
            ("s3:PutLifecycleConfiguration",
             lambda: ci.delete_bucket_lifecycle(Bucket=b)),
            ("s3:GetBucketPolicy", lambda: ci.get_bucket_policy(Bucket=b)),
            ("s3:PutEncryptionConfiguration",
             lambda: ci.put_bucket_encryption(
                 Bucket=b, ServerSideEncryptionConfiguration=sse)),
            ("s3:GetEncryptionConfiguration",
             lambda: ci.get_bucket_encryption(Bucket=b)),
            ("s3:PutBucketPublicAccessBlock",
             lambda: ci.put_public_access_block(
                 Bucket=b, PublicAccessBlockConfiguration=pab)),
            ("s3:GetBucketPublicAccessBlock",
             lambda: ci.get_public_access_block(Bucket=b)),
            ("s3:PutBucketVersioning",
             lambda: ci.put_bucket_versioning(
                 Bucket=b, VersioningConfiguration={"Status": "Enabled"})),
            ("s3:GetBucketVersioning",
             lambda: ci.get_bucket_versioning(Bucket=b)),
            ("s3:ListBucketVersions",
             lambda: ci.list_object_versions(Bucket=b)),
            ("s3:ListBucket", lambda: ci.list_objects_v2(Bucket=b)),
            ("s3:ListBucket", lambda: ci.head_bucket(Bucket=b)),
            ("s3:GetBucketLocation",
             lambda: ci.get_bucket_location(Bucket=b)),
            ("s3:GetBucketAcl", lambda: ci.get_bucket_acl(Bucket=b)),
            ("s3:GetObject", lambda: ci.get_object(Bucket=b, Key="k")),
            ("s3:GetObjectVersion",
             lambda: ci.get_object(Bucket=b, Key="k", VersionId=vid)),
            ("s3:GetObject", lambda: ci.head_object(Bucket=b, Key="k")),
            ("s3:PutObject",
             lambda: ci.put_object(Bucket=b, Key="k2", Body=b"x")),
            ("s3:DeleteObject", lambda: ci.delete_object(Bucket=b, Key="k2")),
        ]
        ci.put_public_access_block(Bucket=b,
                                   PublicAccessBlockConfiguration=pab)
        ci.put_bucket_lifecycle_configuration(
            Bucket=b, LifecycleConfiguration=lifecycle)
        for action, fn in calls:
            with self.subTest(action=action):
                deny = doc({"Sid": "D", "Effect": "Deny",
                            "Principal": {"AWS": CI_USER}, "Action": action,
                            "Resource": [f"arn:aws:s3:::{b}",
                                         f"arn:aws:s3:::{b}/*"]})
                self.put_policy(b, deny)
                if action == "s3:GetBucketPolicy":
                    # HEAD/GET errors are in the response either way
                    self.denied(fn)
                else:
                    try:
                        fn()
                    except ClientError as err:
                        code = err.response["Error"]["Code"]
                        self.assertIn(code, ("AccessDenied", "403"),
                                      (action, err.response))
                    else:
                        self.fail(f"{action} was not denied")
                admin.delete_bucket_policy(Bucket=b)
                if action == "s3:GetBucketPolicy":
                    continue
                fn()  # allowed again
                if action == "s3:PutLifecycleConfiguration" and \
                        fn is calls[2][1]:
                    ci.put_bucket_lifecycle_configuration(
                        Bucket=b, LifecycleConfiguration=lifecycle)
        # DeleteObject with a version id is s3:DeleteObjectVersion
        self.put_policy(b, doc({"Effect": "Deny",
                                "Principal": {"AWS": CI_USER},
                                "Action": "s3:DeleteObjectVersion",
                                "Resource": f"arn:aws:s3:::{b}/*"}))
        ci.delete_object(Bucket=b, Key="k")          # a delete marker
        self.denied(ci.delete_object, Bucket=b, Key="k", VersionId=vid)

    def test_account_principal_needs_identity_policy(self):
        """A grant to the account (root ARN) delegates to the account: the
        caller's identity policy must allow too; a grant naming the role
        stands alone (same account)."""
        b = self.seed()
        self.s3("admin").put_object(Bucket=b, Key="k", Body=b"v")
        # SecurityAnalyst's identity allows reads but not GetBucketPolicy
        analyst = self.s3("analyst")
        grant_account = doc({"Effect": "Allow",
                             "Principal": {"AWS":
                                           f"arn:aws:iam::{ACCOUNT}:root"},
                             "Action": ["s3:GetBucketPolicy",
                                        "s3:GetObject"],
                             "Resource": [f"arn:aws:s3:::{b}",
                                          f"arn:aws:s3:::{b}/*"]})
        self.put_policy(b, grant_account)
        self.denied(analyst.get_bucket_policy, Bucket=b)
        analyst.get_object(Bucket=b, Key="k")  # identity allows
        grant_role = json.loads(json.dumps(grant_account))
        grant_role["Statement"][0]["Principal"] = {"AWS": ANALYST}
        self.put_policy(b, grant_role)
        analyst.get_bucket_policy(Bucket=b)    # the bucket policy alone
        # the reader shape of the contract: the account as principal plus
        # ArnLike aws:PrincipalArn
        self.put_policy(b, doc({
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "s3:GetBucketPolicy", "Resource": f"arn:aws:s3:::{b}",
            "Condition": {"ArnLike": {"aws:PrincipalArn": SSO_AUDIT}}}))
        self.denied(self.s3("sso").get_bucket_policy, Bucket=b)

    def test_principal_context_keys(self):
        b = self.seed()
        admin = self.s3("admin")
        admin.put_object(Bucket=b, Key="k", Body=b"v")
        cases = [
            # key, operator, value, who is allowed (others denied)
            ("aws:PrincipalArn", "ArnEquals", SSO_AUDIT, "sso"),
            ("aws:PrincipalArn", "ArnLike",
             f"arn:aws:sts::{ACCOUNT}:assumed-role/*", None),
            ("aws:userid", "StringLike", "AROAEXAMPLEANALYST001:*",
             "analyst"),
            ("aws:PrincipalType", "StringEquals", "User", None),
            ("aws:PrincipalOrgID", "StringEquals", "o-a1b2c3d4e5", "all"),
            ("aws:PrincipalIsAWSService", "Bool", "false", "all"),
            ("aws:PrincipalServiceName", "Null", "true", "all"),
            ("aws:SecureTransport", "Bool", "true", "all"),
        ]
        for key, op, value, who in cases:
            with self.subTest(key=key, op=op):
                self.put_policy(b, doc(
                    {"Effect": "Deny", "Principal": "*",
                     "Action": "s3:GetObject",
                     "Resource": f"arn:aws:s3:::{b}/*",
                     "Condition": {op.replace("Equals", "NotEquals")
                                   .replace("Like", "NotLike")
                                   if op not in ("Bool", "Null")
                                   else op: {key: value if op not in (
                                       "Bool", "Null") else
                                       ("false" if value == "true"
                                        else "true")}}}))
                for name in ("analyst", "sso"):
                    client = self.s3(name)
                    if who in (name, "all"):
                        client.get_object(Bucket=b, Key="k")
                    else:
                        self.denied(client.get_object, Bucket=b, Key="k")
                admin.delete_bucket_policy(Bucket=b)

    def test_block_public_policy(self):
        b = self.seed(public_access_block={
            "BlockPublicAcls": True, "IgnorePublicAcls": True,
            "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
        admin = self.s3("admin")
        star_arn = doc({"Effect": "Allow", "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{b}/*",
                        "Condition": {"ArnLike": {
                            "aws:PrincipalArn": SSO_AUDIT}}})
        err = self.denied(admin.put_bucket_policy, Bucket=b,
                          Policy=json.dumps(star_arn))
        self.assertIn("because public policies are blocked by the "
                      "BlockPublicPolicy block public access setting.",
                      err["Error"]["Message"])
        with self.assertRaises(ClientError):
            admin.get_bucket_policy(Bucket=b)
        # the safe shape: the account as principal + ArnLike
        account = json.loads(json.dumps(star_arn))
        account["Statement"][0]["Principal"] = {
            "AWS": f"arn:aws:iam::{ACCOUNT}:root"}
        admin.put_bucket_policy(Bucket=b, Policy=json.dumps(account))
        # Principal "*" with a fixed aws:SourceAccount, and Deny "*": fine
        admin.put_bucket_policy(Bucket=b, Policy=json.dumps(
            store_policy(b, [ANALYST], [LOG_ADMIN])))
        # without BlockPublicPolicy the public policy is accepted
        admin.put_public_access_block(
            Bucket=b, PublicAccessBlockConfiguration={
                "BlockPublicAcls": True, "IgnorePublicAcls": True,
                "BlockPublicPolicy": False, "RestrictPublicBuckets": True})
        admin.put_bucket_policy(Bucket=b, Policy=json.dumps(star_arn))

    def test_mfa_delete_refuses_lifecycle(self):
        b = self.seed(versioning={"Status": "Enabled",
                                  "MFADelete": "Enabled"})
        err = self.client_error(
            "InvalidBucketState",
            self.s3("admin").put_bucket_lifecycle_configuration, Bucket=b,
            LifecycleConfiguration={"Rules": [{
                "ID": "r", "Status": "Enabled", "Filter": {"Prefix": ""},
                "Expiration": {"Days": 30}}]})
        self.assertIn("MFA delete", err["Error"]["Message"])
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_create_trail_uses_the_general_evaluator(self):
        b = self.seed(versioned=False)
        ct = self.client("cloudtrail")
        self.client_error("InsufficientS3BucketPolicyException",
                          ct.create_trail, Name="trail-one", S3BucketName=b)
        self.put_policy(b, store_policy(b, [ANALYST], [LOG_ADMIN]))
        ct.create_trail(Name="trail-one", S3BucketName=b)
        # a Deny that catches the service principal breaks it again
        policy = store_policy(b, [ANALYST], [LOG_ADMIN])
        for st in policy["Statement"]:
            st.get("Condition", {}).pop("StringNotEqualsIfExists", None)
        self.put_policy(b, policy)
        self.client_error("InsufficientS3BucketPolicyException",
                          ct.create_trail, Name="trail-two", S3BucketName=b)


# ---------------------------------------------------------------------------
class ObjectTest(te.EndpointTest):
    """Objects, versions, delete markers and Object Lock."""

    def s3(self, who="admin"):
        key, secret, token = IDS[who]
        return self.client("s3", key=key, secret=secret, token=token)

    def test_versions_delete_markers_and_paging(self):
        te.EP.set_state({"buckets": {"lk-v": {
            "versioning": {"Status": "Enabled"}}, "lk-plain": {}}})
        s3 = self.s3()
        ids = [s3.put_object(Bucket="lk-v", Key="a", Body=f"v{i}".encode(),
                             ACL="bucket-owner-full-control")["VersionId"]
               for i in range(3)]
        self.assertEqual(len(set(ids)), 3)
        s3.put_object(Bucket="lk-v", Key="b", Body=b"b")
        marker = s3.delete_object(Bucket="lk-v", Key="b")
        self.assertTrue(marker["DeleteMarker"])
        self.client_error("NoSuchKey", s3.get_object, Bucket="lk-v", Key="b")
        self.assertEqual(s3.get_object(Bucket="lk-v", Key="a",
                                       VersionId=ids[0])["Body"].read(),
                         b"v0")
        self.assertEqual(s3.get_object(Bucket="lk-v", Key="a")
                         ["Body"].read(), b"v2")
        # all versions, newest first per key; delete markers apart
        out = s3.list_object_versions(Bucket="lk-v")
        self.assertEqual([v["VersionId"] for v in out["Versions"]
                          if v["Key"] == "a"], ids[::-1])
        self.assertEqual([m["Key"] for m in out["DeleteMarkers"]], ["b"])
        self.assertFalse(out["IsTruncated"])
        # paging by key-marker/version-id-marker, 2 at a time
        seen, kw = [], {}
        while True:
            page = s3.list_object_versions(Bucket="lk-v", MaxKeys=2, **kw)
            items = page.get("Versions", []) + page.get("DeleteMarkers", [])
            self.assertLessEqual(len(items), 2)
            seen += [(i["Key"], i["VersionId"]) for i in items]
            if not page["IsTruncated"]:
                break
            kw = {"KeyMarker": page["NextKeyMarker"],
                  "VersionIdMarker": page["NextVersionIdMarker"]}
        self.assertEqual(len(seen), 5)
        self.assertEqual(len(set(seen)), 5)
        only_b = s3.list_object_versions(Bucket="lk-v", Prefix="b")
        self.assertEqual([(v["Key"], v["IsLatest"])
                          for v in only_b["Versions"]], [("b", False)])
        self.assertEqual([(m["Key"], m["IsLatest"])
                          for m in only_b["DeleteMarkers"]], [("b", True)])
        # the current listing skips deleted keys
        self.assertEqual([o["Key"] for o in s3.list_objects_v2(
            Bucket="lk-v")["Contents"]], ["a"])
        # deleting a version by id removes it
        s3.delete_object(Bucket="lk-v", Key="a", VersionId=ids[2])
        self.assertEqual(s3.get_object(Bucket="lk-v", Key="a")
                         ["Body"].read(), b"v1")
        # unversioned: "null" versions replace each other
        s3.put_object(Bucket="lk-plain", Key="k", Body=b"1")
        s3.put_object(Bucket="lk-plain", Key="k", Body=b"2")
        out = s3.list_object_versions(Bucket="lk-plain")
        self.assertEqual([v["VersionId"] for v in out["Versions"]], ["null"])
        s3.delete_object(Bucket="lk-plain", Key="k")
        self.assertEqual(s3.list_objects_v2(Bucket="lk-plain")["KeyCount"],
                         0)
        # bodies and ACLs are in the state dump
        dump = te.EP.get_state()["buckets"]["lk-v"]["objects"]["a"]
        self.assertEqual(dump[0]["Acl"], "bucket-owner-full-control")
        self.client_error("BucketNotEmpty", s3.delete_bucket, Bucket="lk-v")

    def test_state_dump_keeps_bodies(self):
        te.EP.set_state({"buckets": {"lk-d": {
            "versioning": {"Status": "Enabled"}}}})
        s3 = self.s3()
        first = s3.put_object(Bucket="lk-d", Key="k", Body=b"\x00binary\xff")
        s3.put_object(Bucket="lk-d", Key="k", Body=b"second")
        dump = te.EP.get_state()
        te.EP.set_state({})
        self.client_error("NoSuchBucket", s3.get_object, Bucket="lk-d",
                          Key="k")
        te.EP.set_state(dump)
        self.assertEqual(te.EP.get_state(), dump)
        self.assertEqual(s3.get_object(Bucket="lk-d", Key="k",
                                       VersionId=first["VersionId"])
                         ["Body"].read(), b"\x00binary\xff")

    def test_list_objects_v2_paging_and_delimiter(self):
        te.EP.set_state({"buckets": {"lk-l": {}}})
        s3 = self.s3()
        keys = [f"AWSLogs/{i % 3}/f{i:02d}" for i in range(7)] + ["top"]
        for k in keys:
            s3.put_object(Bucket="lk-l", Key=k, Body=b"x")
        got, token = [], None
        while True:
            kw = {"ContinuationToken": token} if token else {}
            page = s3.list_objects_v2(Bucket="lk-l", MaxKeys=3, **kw)
            got += [o["Key"] for o in page.get("Contents", [])]
            if not page["IsTruncated"]:
                break
            token = page["NextContinuationToken"]
        self.assertEqual(got, sorted(keys))
        page = s3.list_objects_v2(Bucket="lk-l", Prefix="AWSLogs/",
                                  Delimiter="/")
        self.assertEqual([p["Prefix"] for p in page["CommonPrefixes"]],
                         ["AWSLogs/0/", "AWSLogs/1/", "AWSLogs/2/"])

    def test_object_lock_retention(self):
        s3 = self.s3()
        s3.create_bucket(Bucket="lk-lock", ObjectLockEnabledForBucket=True)
        s3.put_object_lock_configuration(
            Bucket="lk-lock", ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE",
                                              "Days": 1}}})
        gov = s3.put_object(Bucket="lk-lock", Key="g", Body=b"g")
        head = s3.head_object(Bucket="lk-lock", Key="g")
        self.assertEqual(head["ObjectLockMode"], "GOVERNANCE")
        # a delete marker is always allowed; the version is not deletable
        s3.delete_object(Bucket="lk-lock", Key="g")
        err = self.client_error("AccessDenied", s3.delete_object,
                                Bucket="lk-lock", Key="g",
                                VersionId=gov["VersionId"])
        self.assertIn("object lock", err["Error"]["Message"])
        # OpsAdmin may bypass governance only with the permission: deny it
        s3.put_bucket_policy(Bucket="lk-lock", Policy=json.dumps(doc({
            "Effect": "Deny", "Principal": {"AWS": OPS_ADMIN},
            "Action": "s3:BypassGovernanceRetention",
            "Resource": "arn:aws:s3:::lk-lock/*"})))
        ops = self.s3("ops")
        self.client_error("AccessDenied", ops.delete_object,
                          Bucket="lk-lock", Key="g",
                          VersionId=gov["VersionId"],
                          BypassGovernanceRetention=True)
        s3.delete_object(Bucket="lk-lock", Key="g",
                         VersionId=gov["VersionId"],
                         BypassGovernanceRetention=True)
        # COMPLIANCE: never, not even with the bypass header
        s3.put_object_lock_configuration(
            Bucket="lk-lock", ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE",
                                              "Days": 1}}})
        comp = s3.put_object(Bucket="lk-lock", Key="c", Body=b"c")
        self.client_error("AccessDenied", s3.delete_object,
                          Bucket="lk-lock", Key="c",
                          VersionId=comp["VersionId"],
                          BypassGovernanceRetention=True)
        # after the retain-until date it may go (moved to the past in the
        # stored state: shifting the endpoint clock would skew signatures)
        state = te.EP.get_state()
        version = state["buckets"]["lk-lock"]["objects"]["c"][0]
        self.assertEqual(version["ObjectLockMode"], "COMPLIANCE")
        version["ObjectLockRetainUntilDate"] = "2020-01-01T00:00:00Z"
        te.EP.set_state(state)
        s3.delete_object(Bucket="lk-lock", Key="c",
                         VersionId=comp["VersionId"])


# ---------------------------------------------------------------------------
class ConfiguredEndpointTest(te.EndpointTest):
    """A second endpoint with its own configuration: plain HTTP not assumed
    secure, a role without permissions, a cross-account user with
    AdministratorAccess."""

    ep = None

    @classmethod
    def setUpClass(cls):
        with open(lkendpoint.DEFAULT_CONFIG) as handle:
            config = json.load(handle)
        config["assume_secure_transport"] = False
        config["users"].append({"arn": f"arn:aws:iam::{OTHER}:user/outsider",
                                "policies": ["AdministratorAccess"]})
        for role in config["roles"]:
            if role["arn"] == READ_ONLY:
                role["policies"] = []
        cls.tmp = tempfile.TemporaryDirectory()
        path = os.path.join(cls.tmp.name, "config.json")
        with open(path, "w") as handle:
            json.dump(config, handle)
        cls.ep = lkendpoint.Endpoint(config=path).start()

    @classmethod
    def tearDownClass(cls):
        status = cls.ep.stop()
        cls.tmp.cleanup()
        if status != 0:
            raise AssertionError(f"endpoint exited with {status}")

    def setUp(self):
        self._saved = te.EP
        te.EP = self.ep
        self.addCleanup(self._restore)
        super().setUp()

    def _restore(self):
        te.EP = self._saved

    def s3(self, who):
        key, secret, token = IDS[who]
        return self.client("s3", key=key, secret=secret, token=token)

    def test_insecure_transport_denied_when_not_assumed_secure(self):
        te.EP.set_state({"buckets": {"lk-tls": {}}})
        admin = self.s3("admin")
        admin.put_object(Bucket="lk-tls", Key="k", Body=b"v")
        admin.put_bucket_policy(Bucket="lk-tls", Policy=json.dumps(
            store_policy("lk-tls", [ANALYST], [LOG_ADMIN])))
        # plain HTTP, assume_secure_transport false: aws:SecureTransport is
        # false and LogKeepDenyInsecureTransport denies even the admin
        self.client_error("AccessDenied", admin.get_bucket_policy,
                          Bucket="lk-tls")
        self.client_error("AccessDenied", self.s3("analyst").get_object,
                          Bucket="lk-tls", Key="k")
        # services deliver over TLS
        res = te.EP.deliver("cloudtrail.amazonaws.com", "lk-tls",
                            f"AWSLogs/{ACCOUNT}/CloudTrail/x.json.gz",
                            source_account=ACCOUNT)
        self.assertTrue(res["ok"], res)

    def test_role_without_permissions_and_cross_account(self):
        te.EP.set_state({"buckets": {"lk-x": {}}})
        admin = self.s3("admin")
        admin.put_object(Bucket="lk-x", Key="k", Body=b"v")
        ro = self.s3("readonly")  # no policies in this config
        self.client_error("AccessDenied", ro.get_object, Bucket="lk-x",
                          Key="k")
        # account grant: the identity must allow too -> still denied
        grant = {"Effect": "Allow", "Action": "s3:GetObject",
                 "Resource": "arn:aws:s3:::lk-x/*",
                 "Principal": {"AWS": ACCOUNT}}
        admin.put_bucket_policy(Bucket="lk-x", Policy=json.dumps(doc(grant)))
        self.client_error("AccessDenied", ro.get_object, Bucket="lk-x",
                          Key="k")
        # naming the role: the bucket policy alone allows (same account)
        grant["Principal"] = {"AWS": READ_ONLY}
        admin.put_bucket_policy(Bucket="lk-x", Policy=json.dumps(doc(grant)))
        self.assertEqual(ro.get_object(Bucket="lk-x", Key="k")["Body"]
                         .read(), b"v")
        # another account: its identity policy allows everything, the bucket
        # policy must allow as well
        outsider = self.s3("outsider")
        self.client_error("AccessDenied", outsider.get_object,
                          Bucket="lk-x", Key="k")
        grant["Principal"] = {"AWS": f"arn:aws:iam::{OTHER}:root"}
        admin.put_bucket_policy(Bucket="lk-x", Policy=json.dumps(doc(grant)))
        self.assertEqual(outsider.get_object(Bucket="lk-x", Key="k")
                         ["Body"].read(), b"v")
        self.client_error("AccessDenied", outsider.put_object,
                          Bucket="lk-x", Key="k", Body=b"forged")


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tests", nargs="*")
    args = parser.parse_args(argv)
    loader = unittest.TestLoader()
    module = sys.modules[__name__]
    if args.tests:
        suite = loader.loadTestsFromNames(args.tests, module=module)
    else:
        suite = unittest.TestSuite(
            loader.loadTestsFromTestCase(c) for c in
            (EvaluatorTest, AuthzTest, ObjectTest, ConfiguredEndpointTest))
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors) + \
        len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    line = f"{result.testsRun - failed - skipped} passed, {failed} failed"
    sys.stdout.write(line + (f", {skipped} skipped" if skipped else "")
                     + "\n")
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
