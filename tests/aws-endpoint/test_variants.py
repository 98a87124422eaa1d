#!/usr/bin/python3
"""Tests of the endpoint's response variants (awsendpoint/variants.py),
read by Debian's python3-botocore: each variant a C client must accept is
first shown to be accepted by the AWS SDK for Python, and the refused ones
to be refused or misread by it too.  Run with
``/usr/bin/python3 test_variants.py`` (``run-tests`` runs it).
"""

import sys
import unittest

import test_endpoint as base  # sets up sys.path and the AWS_* environment
from test_endpoint import EndpointTest

import lkendpoint  # noqa: E402
from awsendpoint import variants as lkvariants  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

BUCKET = "variants-bucket"


# One endpoint for the module, started and stopped as test_endpoint's.
setUpModule = base.setUpModule
tearDownModule = base.tearDownModule


class VariantTest(EndpointTest):
    def variant(self, **rule):
        return base.EP.admin("POST", "/_admin/variants", rule)["rules"][0]

    def bucket(self, lock=False):
        s3 = self.client("s3")
        kw = {"ObjectLockEnabledForBucket": True} if lock else {}
        s3.create_bucket(Bucket=BUCKET, **kw)
        return s3

    def test_admin_lists_validates_and_clears(self):
        names = base.EP.admin("GET", "/_admin/variants/fixtures")["fixtures"]
        self.assertIn("s3/GetBucketVersioning-wrapped-root.xml", names)
        rule = self.variant(service="s3", operation="GetBucketVersioning",
                            fixture="s3/GetBucketVersioning-wrapped-root.xml",
                            count=1)
        self.assertEqual(rule["count"], 1)
        rules = base.EP.admin("GET", "/_admin/variants")["rules"]
        self.assertEqual(len(rules), 1)
        for bad in ({"fixture": "../serve"}, {"dialect": "nope"},
                    {"bogus": 1}, {"body": "x", "fixture": names[0]},
                    {"count": 0}):
            with self.assertRaises(lkendpoint.AdminError) as ctx:
                self.variant(**bad)
            self.assertEqual(ctx.exception.status, 400, bad)
        base.EP.admin("DELETE", "/_admin/variants")
        self.assertEqual(base.EP.admin("GET", "/_admin/variants")["rules"], [])

    def test_wrapped_root_is_read_by_botocore(self):
        s3 = self.bucket()
        self.variant(service="s3", operation="GetBucketVersioning",
                     fixture="s3/GetBucketVersioning-wrapped-root.xml",
                     count=1)
        self.assertEqual(s3.get_bucket_versioning(Bucket=BUCKET)["Status"],
                         "Enabled")
        # count 1: the next answer is the endpoint's own (never set).
        self.assertNotIn("Status", s3.get_bucket_versioning(Bucket=BUCKET))

    def test_emulator_dialect_rewrites_state_answers(self):
        s3 = self.bucket(lock=True)
        s3.put_object_lock_configuration(
            Bucket=BUCKET, ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE",
                                              "Days": 365}}})
        s3.put_bucket_versioning(Bucket=BUCKET,
                                 VersioningConfiguration={"Status": "Enabled"})
        self.variant(dialect="emulator")
        status, _headers, body = self.send(
            "s3", "GET", f"/{BUCKET}?object-lock")
        self.assertEqual(status, 200)
        self.assertIn(b"<GetObjectLockConfigurationResponse", body)
        self.assertIn(b"<Days>365</Days><Years>0</Years>", body)
        self.assertIn(b"<EmulatorVersion>", body)
        got = s3.get_object_lock_configuration(Bucket=BUCKET)
        retention = got["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
        # botocore hands the 0 over as it is: ignoring it is the caller's part.
        self.assertEqual(retention, {"Mode": "COMPLIANCE", "Days": 365,
                                     "Years": 0})
        self.assertEqual(s3.get_bucket_versioning(Bucket=BUCKET)["Status"],
                         "Enabled")
        head = s3.head_bucket(Bucket=BUCKET)
        self.assertNotIn("x-amz-bucket-region",
                         head["ResponseMetadata"]["HTTPHeaders"])
        # JSON answers gain unknown members, which botocore drops.
        logs = self.client("logs")
        logs.create_log_group(logGroupName="/variants/a")
        status, _h, body = self.send(
            "logs", "POST", "/", body=b'{}', headers={
                "X-Amz-Target": "Logs_20140328.DescribeLogGroups",
                "Content-Type": "application/x-amz-json-1.1"})
        self.assertIn(b"emulatorVersion", body)
        groups = logs.describe_log_groups()["logGroups"]
        self.assertEqual([g["logGroupName"] for g in groups], ["/variants/a"])
        # Errors stay errors.
        self.client_error("NoSuchBucket", s3.get_bucket_versioning,
                          Bucket="no-such-bucket-here")

    def test_drop_members_and_headers(self):
        s3 = self.bucket()
        s3.put_public_access_block(
            Bucket=BUCKET, PublicAccessBlockConfiguration={
                "BlockPublicAcls": True, "IgnorePublicAcls": True,
                "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
        self.variant(service="s3", operation="GetPublicAccessBlock",
                     fixture="s3/GetPublicAccessBlock-missing-members.xml",
                     set_headers={"X-Variant": "1"})
        got = s3.get_public_access_block(Bucket=BUCKET)
        self.assertEqual(got["PublicAccessBlockConfiguration"],
                         {"BlockPublicAcls": True, "BlockPublicPolicy": True})
        self.assertEqual(got["ResponseMetadata"]["HTTPHeaders"]["x-variant"],
                         "1")
        logs = self.client("logs")
        logs.create_log_group(logGroupName="/variants/kept")
        logs.put_retention_policy(logGroupName="/variants/kept",
                                  retentionInDays=30)
        self.variant(service="logs", operation="DescribeLogGroups",
                     drop_members=["retentionInDays", "arn"], count=1)
        group = logs.describe_log_groups()["logGroups"][0]
        self.assertNotIn("retentionInDays", group)
        self.assertNotIn("arn", group)
        self.assertEqual(
            logs.describe_log_groups()["logGroups"][0]["retentionInDays"], 30)
        # Errors are not rewritten, unless the rule gives a status.
        ct = self.client("cloudtrail")
        rule = self.variant(service="cloudtrail", body="{}")
        self.client_error("TrailNotFoundException", ct.get_trail_status,
                          Name="nope")
        base.EP.admin("DELETE", "/_admin/variants")
        self.variant(service="cloudtrail", operation="GetTrailStatus",
                     status=200,
                     fixture="cloudtrail/GetTrailStatus-unknown-members.json")
        self.assertIs(ct.get_trail_status(Name="nope")["IsLogging"], True)
        with self.assertRaises(lkendpoint.AdminError):
            self.variant(status=404, body="x")
        del rule

    def test_xml_rewrites(self):
        class Call:
            service, operation = "s3", "GetBucketVersioning"
        steps = {"rename_root": "{operation}Response",
                 "drop_members": ["MfaDelete"], "add_members": "<X/>"}
        self.assertEqual(
            lkvariants._rewrite_xml(
                b'<?xml version="1.0"?><VersioningConfiguration xmlns="u">'
                b'<Status>Enabled</Status><MfaDelete>Disabled</MfaDelete>'
                b'</VersioningConfiguration>', steps, Call),
            b'<?xml version="1.0"?><GetBucketVersioningResponse xmlns="u">'
            b'<Status>Enabled</Status><X/></GetBucketVersioningResponse>')
        self.assertEqual(
            lkvariants._rewrite_xml(b'<VersioningConfiguration xmlns="u"/>',
                                    {"rename_root": "W"}, Call),
            b'<W xmlns="u"/>')
        self.assertEqual(
            lkvariants._zero_alternatives(
                b"<DefaultRetention><Mode>G</Mode><Years>2</Years>"
                b"</DefaultRetention>"),
            b"<DefaultRetention><Days>0</Days><Mode>G</Mode><Years>2</Years>"
            b"</DefaultRetention>")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=1).result
    sys.exit(0 if result.wasSuccessful() else 1)
