#!/usr/bin/python3
"""Tests of the local endpoint across accounts: cross-account AssumeRole,
resources kept per account and Region, cross-account S3 writes and service
deliveries into a log-archive bucket, and AWS Organizations.

Everything goes through Debian's python3-botocore clients against the
default config's organisation (README.md, "Accounts and AWS
Organizations").  Run with ``/usr/bin/python3 test_org.py`` (``run-tests``
runs it).
"""

import json
import os
import shutil
import sys
import tempfile
import unittest

import test_endpoint as base  # sets up sys.path and the AWS_* environment
from test_endpoint import (ACCOUNT, OUTSIDER_KEY, OUTSIDER_SECRET,
                           EndpointTest)

import lkendpoint  # noqa: E402
from awsendpoint import organizations as lkorg  # noqa: E402

ORG_ID = "o-a1b2c3d4e5"
MANAGEMENT = "123456789012"
MGMT_KEY = "AKIAORGMANAGEMENT001"
MGMT_SECRET = "mg7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
ARCHIVE = "222233334444"
SECURITY = "999988887777"  # delegated administrator
PROD = "333344445555"
DEV = "555566667777"
OUTSIDER = "444455556666"
AUDIT_EXTERNAL_ID = "logkeep-audit-external-id"


# One endpoint for the module, started and stopped as test_endpoint's.
setUpModule = base.setUpModule
tearDownModule = base.tearDownModule


def role(account, name):
    return f"arn:aws:iam::{account}:role/{name}"


class OrgTest(EndpointTest):
    """Helpers: assume a role in an account and get clients for it."""

    def assume(self, account, name="LogkeepDeploy", external_id=None,
               key=base.KEY, secret=base.SECRET, token=None):
        kw = {"RoleArn": role(account, name), "RoleSessionName": "ci"}
        if external_id is not None:
            kw["ExternalId"] = external_id
        out = self.client("sts", key=key, secret=secret,
                          token=token).assume_role(**kw)
        return out

    def as_account(self, account, service, region="us-east-1",
                   name="LogkeepDeploy", external_id=None):
        creds = self.assume(account, name, external_id)["Credentials"]
        return self.client(service, key=creds["AccessKeyId"],
                           secret=creds["SecretAccessKey"],
                           token=creds["SessionToken"], region=region)


class AssumeRoleAcrossAccountsTest(OrgTest):

    def test_assumed_role_credentials_belong_to_the_role_account(self):
        for account in (ACCOUNT, OUTSIDER, ARCHIVE, SECURITY, PROD, DEV):
            out = self.assume(account)
            self.assertEqual(out["AssumedRoleUser"]["Arn"],
                             f"arn:aws:sts::{account}:assumed-role/"
                             "LogkeepDeploy/ci")
            ident = self.as_account(account, "sts").get_caller_identity()
            self.assertEqual(ident["Account"], account)
            self.assertEqual(ident["Arn"], out["AssumedRoleUser"]["Arn"])

    def test_role_that_does_not_trust_the_caller_is_access_denied(self):
        sts = self.client("sts", key=OUTSIDER_KEY, secret=OUTSIDER_SECRET)
        err = self.client_error("AccessDenied", sts.assume_role,
                                RoleArn=role(PROD, "LogkeepDeploy"),
                                RoleSessionName="xx")
        self.assertEqual(
            err["Error"]["Message"],
            f"User: arn:aws:iam::{OUTSIDER}:user/outsider is not authorized"
            f" to perform: sts:AssumeRole on resource: "
            f"{role(PROD, 'LogkeepDeploy')}")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"],
                         403)
        # A role that does not exist in that account is refused the same way.
        self.client_error("AccessDenied", self.client("sts").assume_role,
                          RoleArn=role(PROD, "NoSuchRole"),
                          RoleSessionName="xx")

    def test_external_id_is_required_and_checked(self):
        sts = self.client("sts")
        for external_id in (None, "wrong"):
            kw = {} if external_id is None else {"ExternalId": external_id}
            self.client_error("AccessDenied", sts.assume_role,
                              RoleArn=role(PROD, "LogkeepAudit"),
                              RoleSessionName="aa", **kw)
        out = self.assume(PROD, "LogkeepAudit", AUDIT_EXTERNAL_ID)
        self.assertIn(f"arn:aws:sts::{PROD}:assumed-role/LogkeepAudit/",
                      out["AssumedRoleUser"]["Arn"])

    def test_chaining_from_a_member_session_needs_the_trust(self):
        # A session in PROD is not trusted by DEV's role (it trusts the CI
        # account only).
        creds = self.assume(PROD)["Credentials"]
        self.client_error("AccessDenied", self.assume, DEV,
                          key=creds["AccessKeyId"],
                          secret=creds["SecretAccessKey"],
                          token=creds["SessionToken"])


class PerAccountResourcesTest(OrgTest):

    def test_buckets_are_owned_and_listed_per_account(self):
        prod = self.as_account(PROD, "s3")
        dev = self.as_account(DEV, "s3")
        prod.create_bucket(Bucket="lk-org-prod")
        dev.create_bucket(Bucket="lk-org-dev")
        self.assertEqual([b["Name"] for b in prod.list_buckets()["Buckets"]],
                         ["lk-org-prod"])
        self.assertEqual([b["Name"] for b in dev.list_buckets()["Buckets"]],
                         ["lk-org-dev"])
        self.assertEqual(base.EP.get_state()["buckets"]["lk-org-prod"]
                         ["owner"], PROD)
        # Another account's bucket without a bucket policy: access denied.
        self.client_error("AccessDenied",
                          dev.get_bucket_lifecycle_configuration,
                          Bucket="lk-org-prod")
        # Bucket names are global: the other account cannot take the name.
        self.client_error("BucketAlreadyExists", dev.create_bucket,
                          Bucket="lk-org-prod")

    def test_log_groups_are_kept_per_account_and_region(self):
        clients = {(a, r): self.as_account(a, "logs", region=r)
                   for a in (PROD, DEV) for r in ("us-east-1", "eu-west-1")}
        for (account, region), logs in clients.items():
            logs.create_log_group(logGroupName="/app/web")
            logs.put_retention_policy(logGroupName="/app/web",
                                      retentionInDays=7 if account == PROD
                                      else 30)
        for (account, region), logs in clients.items():
            groups = logs.describe_log_groups()["logGroups"]
            self.assertEqual(len(groups), 1)
            self.assertEqual(groups[0]["arn"],
                             f"arn:aws:logs:{region}:{account}:log-group:"
                             "/app/web:*")
            self.assertEqual(groups[0]["retentionInDays"],
                             7 if account == PROD else 30)
        dumped = base.EP.get_state()["log_groups"]
        self.assertEqual(set(dumped), {PROD, DEV})
        self.assertEqual(set(dumped[PROD]), {"us-east-1", "eu-west-1"})
        # The CI account itself sees none of them.
        self.assertEqual(self.client("logs").describe_log_groups()
                         ["logGroups"], [])

    def test_trails_are_kept_per_account(self):
        for account in (PROD, DEV):
            s3 = self.as_account(account, "s3")
            bucket = f"lk-org-trail-{account}"
            s3.create_bucket(Bucket=bucket)
            s3.put_bucket_policy(Bucket=bucket,
                                 Policy=base.cloudtrail_policy(
                                     bucket, account=account))
            ct = self.as_account(account, "cloudtrail")
            arn = ct.create_trail(Name="main", S3BucketName=bucket)[
                "TrailARN"]
            self.assertEqual(arn, f"arn:aws:cloudtrail:us-east-1:{account}:"
                             "trail/main")
        trails = self.as_account(PROD, "cloudtrail").describe_trails()[
            "trailList"]
        self.assertEqual([t["S3BucketName"] for t in trails],
                         [f"lk-org-trail-{PROD}"])
        self.assertEqual(set(base.EP.get_state()["trails"]), {PROD, DEV})

    def test_kms_keys_are_kept_per_account_and_region(self):
        prod = self.as_account(PROD, "kms", region="eu-west-1")
        meta = prod.create_key(Description="prod logs")["KeyMetadata"]
        self.assertEqual(meta["AWSAccountId"], PROD)
        self.assertTrue(meta["Arn"].startswith(
            f"arn:aws:kms:eu-west-1:{PROD}:key/"))
        self.assertEqual(prod.describe_key(KeyId=meta["KeyId"])
                         ["KeyMetadata"]["Arn"], meta["Arn"])
        # A bare key id names a key of the caller's account and Region.
        for other in (self.as_account(DEV, "kms", region="eu-west-1"),
                      self.as_account(PROD, "kms")):
            self.client_error("NotFoundException", other.describe_key,
                              KeyId=meta["KeyId"])
        self.assertEqual(list(base.EP.get_state()["keys"]), [meta["Arn"]])


class OrganizationTrailTest(OrgTest):
    """Only the management account or a delegated administrator may create
    an organisation trail (CloudTrail API reference, CreateTrail,
    IsOrganizationTrail)."""

    def test_who_may_create_an_organization_trail(self):
        bucket = "lk-org-cloudtrail"
        archive = self.as_account(ARCHIVE, "s3")
        archive.create_bucket(Bucket=bucket)
        archive.put_bucket_policy(Bucket=bucket, Policy=base.cloudtrail_policy(
            bucket, account=MANAGEMENT))
        base.EP.add_credential(
            access_key_id="AKIASECURITYADMIN001",
            secret_access_key="sa7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
            account=SECURITY, arn=f"arn:aws:iam::{SECURITY}:user/auditor")
        mgmt = self.client("cloudtrail", key=MGMT_KEY, secret=MGMT_SECRET)
        arn = mgmt.create_trail(Name="org", S3BucketName=bucket,
                                IsMultiRegionTrail=True,
                                IsOrganizationTrail=True)["TrailARN"]
        self.assertEqual(arn, f"arn:aws:cloudtrail:us-east-1:{MANAGEMENT}:"
                         "trail/org")
        self.client_error("NotOrganizationMasterAccountException",
                          self.as_account(PROD, "cloudtrail").create_trail,
                          Name="org", S3BucketName=bucket,
                          IsOrganizationTrail=True)
        self.client_error("OrganizationsNotInUseException",
                          self.as_account(OUTSIDER, "cloudtrail")
                          .create_trail, Name="org", S3BucketName=bucket,
                          IsOrganizationTrail=True)
        delegated = self.client(
            "cloudtrail", key="AKIASECURITYADMIN001",
            secret="sa7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY")
        self.client_error("InsufficientS3BucketPolicyException",
                          delegated.create_trail, Name="org",
                          S3BucketName=bucket, IsOrganizationTrail=True)


def archive_policy(bucket, writers):
    """A log-archive bucket policy: each writer account may put objects
    under ``AWSLogs/<its account>/`` only, and log delivery may write for
    the listed source accounts (VPC Flow Logs user guide, "Permissions for
    flow logs published to Amazon S3")."""
    statements = []
    for account in writers:
        statements.append({
            "Sid": f"Write{account}", "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{account}/*",
            "Condition": {"StringEquals": {
                "s3:x-amz-acl": "bucket-owner-full-control"}}})
    statements.append({
        "Sid": "AWSLogDeliveryWrite", "Effect": "Allow",
        "Principal": {"Service": "delivery.logs.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": [f"arn:aws:s3:::{bucket}/AWSLogs/{a}/*"
                     for a in writers],
        "Condition": {"StringEquals": {
            "s3:x-amz-acl": "bucket-owner-full-control",
            "aws:SourceAccount": list(writers)}}})
    statements.append({
        "Sid": "AWSLogDeliveryAclCheck", "Effect": "Allow",
        "Principal": {"Service": "delivery.logs.amazonaws.com"},
        "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
        "Resource": f"arn:aws:s3:::{bucket}",
        "Condition": {"StringEquals": {"aws:SourceAccount": list(writers)}}})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


class CrossAccountDeliveryTest(OrgTest):
    BUCKET = "lk-org-archive"

    def setUp(self):
        super().setUp()
        archive = self.as_account(ARCHIVE, "s3")
        archive.create_bucket(Bucket=self.BUCKET)
        archive.put_bucket_policy(Bucket=self.BUCKET,
                                  Policy=archive_policy(self.BUCKET,
                                                        [PROD, DEV]))

    def test_member_writes_under_its_own_prefix_only(self):
        prod = self.as_account(PROD, "s3")
        prod.put_object(Bucket=self.BUCKET, Key=f"AWSLogs/{PROD}/a.log",
                        Body=b"x", ACL="bucket-owner-full-control")
        # Another member's prefix, or no ACL: the bucket policy does not
        # allow it.
        self.client_error("AccessDenied", prod.put_object,
                          Bucket=self.BUCKET, Key=f"AWSLogs/{DEV}/a.log",
                          Body=b"x", ACL="bucket-owner-full-control")
        self.client_error("AccessDenied", prod.put_object,
                          Bucket=self.BUCKET, Key=f"AWSLogs/{PROD}/b.log",
                          Body=b"x")
        # An account the policy does not name.
        self.client_error("AccessDenied",
                          self.as_account(OUTSIDER, "s3").put_object,
                          Bucket=self.BUCKET,
                          Key=f"AWSLogs/{OUTSIDER}/a.log", Body=b"x",
                          ACL="bucket-owner-full-control")
        objects = base.EP.get_state()["buckets"][self.BUCKET]["objects"]
        self.assertEqual(sorted(objects), [f"AWSLogs/{PROD}/a.log"])

    def test_identity_policy_is_needed_too(self):
        # LogkeepAudit is read-only (s3:Get*, s3:List*): the bucket policy
        # alone does not let it write across accounts.
        audit = self.as_account(PROD, "s3", name="LogkeepAudit",
                                external_id=AUDIT_EXTERNAL_ID)
        self.client_error("AccessDenied", audit.put_object,
                          Bucket=self.BUCKET, Key=f"AWSLogs/{PROD}/c.log",
                          Body=b"x", ACL="bucket-owner-full-control")

    def test_log_delivery_for_member_source_accounts(self):
        for account, allowed in ((PROD, True), (DEV, True),
                                 (OUTSIDER, False)):
            answer = base.EP.deliver(
                "delivery.logs.amazonaws.com", self.BUCKET,
                f"AWSLogs/{account}/vpcflowlogs/us-east-1/f.log.gz",
                body="flow", source_account=account,
                source_arn=f"arn:aws:logs:us-east-1:{account}:*")
            if allowed:
                self.assertIsNone(answer["denied"], answer)
            else:
                self.assertIsNotNone(answer["denied"], answer)


class OrganizationDeliveryTest(OrgTest):
    """Service deliveries from member accounts into the archive account's
    bucket, under the bucket policies the services document."""
    BUCKET = "lk-org-central"
    ORG_TRAIL = f"arn:aws:cloudtrail:us-east-1:{MANAGEMENT}:trail/org"

    def setUp(self):
        super().setUp()
        bucket = self.BUCKET
        archive = self.as_account(ARCHIVE, "s3")
        archive.create_bucket(Bucket=bucket)
        # CloudTrail user guide, "Amazon S3 bucket policy for CloudTrail"
        # (organisation trail: AWSLogs/<org id>/, aws:SourceArn the trail
        # in the management account); AWS Config developer guide,
        # "Permissions for the Amazon S3 bucket" (aws:SourceAccount per
        # member, AWSLogs/<account>/Config/).
        archive.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
                 "Principal": {"Service": "cloudtrail.amazonaws.com"},
                 "Action": "s3:GetBucketAcl",
                 "Resource": f"arn:aws:s3:::{bucket}",
                 "Condition": {"StringEquals": {
                     "aws:SourceArn": self.ORG_TRAIL}}},
                {"Sid": "AWSCloudTrailOrgWrite", "Effect": "Allow",
                 "Principal": {"Service": "cloudtrail.amazonaws.com"},
                 "Action": "s3:PutObject",
                 "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{ORG_ID}/*",
                 "Condition": {"StringEquals": {
                     "s3:x-amz-acl": "bucket-owner-full-control",
                     "aws:SourceArn": self.ORG_TRAIL}}},
                {"Sid": "AWSConfigBucketCheck", "Effect": "Allow",
                 "Principal": {"Service": "config.amazonaws.com"},
                 "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
                 "Resource": f"arn:aws:s3:::{bucket}",
                 "Condition": {"StringEquals": {
                     "aws:SourceAccount": [PROD, DEV]}}},
                {"Sid": "AWSConfigWrite", "Effect": "Allow",
                 "Principal": {"Service": "config.amazonaws.com"},
                 "Action": "s3:PutObject",
                 "Resource": [f"arn:aws:s3:::{bucket}/AWSLogs/{a}/Config/*"
                              for a in (PROD, DEV)],
                 "Condition": {"StringEquals": {
                     "s3:x-amz-acl": "bucket-owner-full-control",
                     "aws:SourceAccount": [PROD, DEV]}}}]}))

    def test_organization_trail_delivers_for_members(self):
        key = (f"AWSLogs/{ORG_ID}/{PROD}/CloudTrail/us-east-1/2026/01/01/"
               "x.json.gz")
        answer = base.EP.deliver("cloudtrail.amazonaws.com", self.BUCKET,
                                 key, body="{}", source_arn=self.ORG_TRAIL,
                                 source_account=MANAGEMENT)
        self.assertIsNone(answer["denied"], answer)
        # A member's own trail is not the organisation trail.
        answer = base.EP.deliver(
            "cloudtrail.amazonaws.com", self.BUCKET, key, body="{}",
            source_arn=f"arn:aws:cloudtrail:us-east-1:{PROD}:trail/org",
            source_account=PROD)
        self.assertEqual(answer["denied"], "GetBucketAcl", answer)

    def test_config_delivers_for_listed_members_only(self):
        for account, denied in ((PROD, None), (DEV, None),
                                (ARCHIVE, "GetBucketAcl")):
            answer = base.EP.deliver(
                "config.amazonaws.com", self.BUCKET,
                f"AWSLogs/{account}/Config/us-east-1/2026/1/1/c.json.gz",
                body="{}", source_account=account)
            self.assertEqual(answer["denied"], denied, answer)
        # A listed member writing outside its Config/ prefix.
        answer = base.EP.deliver(
            "config.amazonaws.com", self.BUCKET, f"AWSLogs/{PROD}/other.gz",
            body="{}", source_account=PROD)
        self.assertEqual(answer["denied"], "PutObject", answer)


class AccountSwitchesTest(OrgTest):
    """Per-account switches (awsendpoint/accounts.py): an account whose
    roles refuse AssumeRole, and opt-in Regions an account has not
    enabled."""

    def test_management_account_has_the_roles(self):
        # The organisation trail's owner is reached like any other account.
        ident = self.as_account(MANAGEMENT, "sts").get_caller_identity()
        self.assertEqual(ident["Account"], MANAGEMENT)
        out = self.assume(MANAGEMENT, "LogkeepAudit", AUDIT_EXTERNAL_ID)
        self.assertIn(f"arn:aws:sts::{MANAGEMENT}:assumed-role/LogkeepAudit/",
                      out["AssumedRoleUser"]["Arn"])

    def test_deny_assume_role_for_one_account(self):
        self.assertEqual(base.EP.account_switches(), {})
        base.EP.set_account(DEV, deny_assume_role=True)
        self.assertEqual(base.EP.account_switches(),
                         {DEV: {"deny_assume_role": True}})
        for name, external_id in (("LogkeepDeploy", None),
                                  ("LogkeepAudit", AUDIT_EXTERNAL_ID)):
            err = self.client_error("AccessDenied", self.assume, DEV, name,
                                    external_id)
            self.assertEqual(
                err["Error"]["Message"],
                f"User: arn:aws:iam::{ACCOUNT}:user/logkeep-ci is not "
                f"authorized to perform: sts:AssumeRole on resource: "
                f"{role(DEV, name)}")
            self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 403)
        # The other accounts are not affected.
        self.assertEqual(self.as_account(PROD, "sts").get_caller_identity()
                         ["Account"], PROD)
        # A list names the refusing roles only.
        base.EP.set_account(DEV, deny_assume_role=["LogkeepAudit"])
        self.assume(DEV)
        self.client_error("AccessDenied", self.assume, DEV, "LogkeepAudit",
                          AUDIT_EXTERNAL_ID)
        # null switches it off; a reset restores the config's (none).
        base.EP.set_account(DEV, deny_assume_role=None)
        self.assume(DEV, "LogkeepAudit", AUDIT_EXTERNAL_ID)
        base.EP.set_account(PROD, deny_assume_role=True)
        base.EP.reset()
        self.assume(PROD)
        self.assertEqual(base.EP.account_switches(), {})

    def test_credentials_issued_before_the_switch_keep_working(self):
        # The switch refuses new sessions; like a changed trust policy, it
        # does not revoke the ones already issued.
        logs = self.as_account(DEV, "logs")
        base.EP.set_account(DEV, deny_assume_role=True)
        self.assertEqual(logs.describe_log_groups()["logGroups"], [])

    def test_disabled_opt_in_region(self):
        base.EP.set_account(DEV, disabled_regions=["af-south-1"])
        creds = self.assume(DEV)["Credentials"]

        def client(service, region):
            return self.client(service, key=creds["AccessKeyId"],
                               secret=creds["SecretAccessKey"],
                               token=creds["SessionToken"], region=region)
        message = "The security token included in the request is invalid."
        err = self.client_error("UnrecognizedClientException",
                                client("logs", "af-south-1")
                                .describe_log_groups)
        self.assertEqual(err["Error"]["Message"], message)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 403)
        err = self.client_error("InvalidClientTokenId",
                                client("sts", "af-south-1")
                                .get_caller_identity)
        self.assertEqual(err["Error"]["Message"], message)
        self.client_error("UnrecognizedClientException",
                          client("cloudtrail", "af-south-1").describe_trails)
        self.client_error("InvalidAccessKeyId",
                          client("s3", "af-south-1").list_buckets)
        # The account's other Regions, and other accounts in that Region,
        # work.
        self.assertEqual(client("logs", "eu-west-1").describe_log_groups()
                         ["logGroups"], [])
        self.assertEqual(self.as_account(PROD, "logs", region="af-south-1")
                         .describe_log_groups()["logGroups"], [])
        # The refusals are in the request log as authentication failures.
        entries = [e for e in base.EP.log(service="logs")
                   if e["region"] == "af-south-1"]
        self.assertEqual([e["error"] for e in entries],
                         ["UnrecognizedClientException", None])

    def test_only_opt_in_regions_can_be_disabled(self):
        for switches in ({"disabled_regions": ["us-east-1"]},
                         {"disabled_regions": "af-south-1"},
                         {"deny_assume_role": "yes"}):
            with self.assertRaises(lkendpoint.AdminError) as caught:
                base.EP.set_account(DEV, **switches)
            self.assertEqual(caught.exception.status, 400)
        with self.assertRaises(lkendpoint.AdminError):
            base.EP.set_account("5555", deny_assume_role=True)
        self.assertEqual(base.EP.account_switches(), {})

    def test_switches_from_the_config(self):
        with open(lkendpoint.DEFAULT_CONFIG, encoding="utf-8") as handle:
            config = json.load(handle)
        config["accounts"][PROD]["deny_assume_role"] = ["LogkeepDeploy"]
        config["accounts"][DEV]["disabled_regions"] = ["me-south-1"]
        path = os.path.join(tempfile.mkdtemp(prefix="lk-org-config."),
                            "config.json")
        self.addCleanup(shutil.rmtree, os.path.dirname(path))
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(config, handle)
        with lkendpoint.Endpoint(config=path) as other:
            self.assertEqual(other.account_switches(), {
                PROD: {"deny_assume_role": ["LogkeepDeploy"]},
                DEV: {"disabled_regions": ["me-south-1"]}})
            other.set_account(DEV, disabled_regions=None)
            other.reset()
            self.assertEqual(other.account_switches()[DEV],
                             {"disabled_regions": ["me-south-1"]})


class EncryptedArchiveDeliveryTest(OrgTest):
    """Deliveries from member accounts into an SSE-KMS archive bucket: the
    bucket policy and the key policy of the archive account both decide
    (the source account is not the bucket's or the key's owner)."""
    BUCKET = "lk-org-encrypted"

    def setUp(self):
        super().setUp()
        kms = self.as_account(ARCHIVE, "kms")
        # AWS Key Management Service developer guide, "Key policies":
        # the archive account's root, and log delivery for PROD and DEV
        # only ("Permissions for flow logs published to Amazon S3", SSE-KMS).
        self.key_arn = kms.create_key(Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Sid": "Root", "Effect": "Allow",
                 "Principal": {"AWS": f"arn:aws:iam::{ARCHIVE}:root"},
                 "Action": "kms:*", "Resource": "*"},
                {"Sid": "LogDelivery", "Effect": "Allow",
                 "Principal": {"Service": "delivery.logs.amazonaws.com"},
                 "Action": ["kms:Encrypt", "kms:GenerateDataKey*"],
                 "Resource": "*",
                 "Condition": {"StringEquals": {
                     "aws:SourceAccount": [PROD, DEV]}}}]}))[
            "KeyMetadata"]["Arn"]
        s3 = self.as_account(ARCHIVE, "s3")
        s3.create_bucket(Bucket=self.BUCKET)
        s3.put_bucket_encryption(
            Bucket=self.BUCKET, ServerSideEncryptionConfiguration={"Rules": [
                {"ApplyServerSideEncryptionByDefault": {
                    "SSEAlgorithm": "aws:kms",
                    "KMSMasterKeyID": self.key_arn}}]})
        # The bucket policy also lets the security account's deliveries in:
        # the key policy does not.
        s3.put_bucket_policy(Bucket=self.BUCKET, Policy=archive_policy(
            self.BUCKET, [PROD, DEV, SECURITY]))

    def deliver(self, account, region="us-east-1"):
        return base.EP.deliver(
            "delivery.logs.amazonaws.com", self.BUCKET,
            f"AWSLogs/{account}/vpcflowlogs/{region}/2026/12/06/f.log.gz",
            body="flow", source_account=account,
            source_arn=f"arn:aws:logs:{region}:{account}:*")

    def test_key_policy_decides_for_member_accounts(self):
        for account in (PROD, DEV):
            for region in ("us-east-1", "eu-west-1"):
                answer = self.deliver(account, region)
                self.assertIsNone(answer["denied"], answer)
        answer = self.deliver(SECURITY)
        self.assertEqual(answer["denied"], "PutObject", answer)
        self.assertEqual(answer["calls"][-1]["action"], "kms:GenerateDataKey",
                         answer)
        objects = base.EP.get_state()["buckets"][self.BUCKET]["objects"]
        self.assertEqual(len(objects), 4)
        self.assertTrue(all(k.split("/")[1] in (PROD, DEV) for k in objects))


class OrganizationsTest(OrgTest):

    def org(self, key=MGMT_KEY, secret=MGMT_SECRET, token=None):
        return self.client("organizations", key=key, secret=secret,
                           token=token)

    def member_org(self, account):
        creds = self.assume(account)["Credentials"]
        return self.org(creds["AccessKeyId"], creds["SecretAccessKey"],
                        creds["SessionToken"])

    def all_pages(self, fn, key, page_size, **kw):
        items, token, pages = [], None, 0
        while True:
            args = dict(kw, MaxResults=page_size)
            if token:
                args["NextToken"] = token
            out = fn(**args)
            self.assertLessEqual(len(out[key]), page_size)
            items += out[key]
            pages += 1
            token = out.get("NextToken")
            if not token:
                return items, pages

    def test_describe_organization_from_any_member(self):
        for org in (self.org(), self.member_org(PROD)):
            got = org.describe_organization()["Organization"]
            self.assertEqual(got["Id"], ORG_ID)
            self.assertEqual(got["MasterAccountId"], MANAGEMENT)
            self.assertEqual(got["Arn"], f"arn:aws:organizations::"
                             f"{MANAGEMENT}:organization/{ORG_ID}")
            self.assertEqual(got["FeatureSet"], "ALL")

    def test_account_outside_any_organization(self):
        org = self.org(OUTSIDER_KEY, OUTSIDER_SECRET)
        for fn in (org.describe_organization, org.list_roots,
                   org.list_accounts):
            err = self.client_error("AWSOrganizationsNotInUseException", fn)
            self.assertIn("isn't a member of an organization",
                          err["Error"]["Message"])

    def test_member_account_may_not_list(self):
        org = self.member_org(PROD)
        self.client_error("AccessDeniedException", org.list_accounts)
        self.client_error("AccessDeniedException", org.list_roots)
        self.client_error("AccessDeniedException", org.describe_account,
                          AccountId=DEV)
        # The CI account is a member too.
        self.client_error("AccessDeniedException",
                          self.org(base.KEY, base.SECRET).list_accounts)

    def test_delegated_administrator_may_list(self):
        # SECURITY is a delegated administrator: give it a key for the test.
        base.EP.add_credential(
            access_key_id="AKIASECURITYADMIN001",
            secret_access_key="sa7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
            account=SECURITY, arn=f"arn:aws:iam::{SECURITY}:user/auditor")
        org = self.org("AKIASECURITYADMIN001",
                       "sa7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY")
        ids = {a["Id"] for a in org.list_accounts()["Accounts"]}
        self.assertIn(SECURITY, ids)

    def test_tree_from_the_root(self):
        org = self.org()
        roots = org.list_roots()["Roots"]
        self.assertEqual([r["Id"] for r in roots], ["r-a1b2"])
        self.assertEqual(roots[0]["Arn"], f"arn:aws:organizations::"
                         f"{MANAGEMENT}:root/{ORG_ID}/r-a1b2")
        top = org.list_organizational_units_for_parent(
            ParentId="r-a1b2")["OrganizationalUnits"]
        self.assertEqual(sorted(o["Name"] for o in top),
                         ["Security", "Workloads"])
        workloads = [o for o in top if o["Name"] == "Workloads"][0]
        self.assertRegex(workloads["Id"], r"^ou-a1b2-[0-9a-z]{8}$")
        self.assertEqual(workloads["Arn"], f"arn:aws:organizations::"
                         f"{MANAGEMENT}:ou/{ORG_ID}/{workloads['Id']}")
        subs = {o["Name"]: o["Id"] for o in
                org.list_organizational_units_for_parent(
                    ParentId=workloads["Id"])["OrganizationalUnits"]}
        self.assertEqual(set(subs), {"Prod", "Dev"})
        prod = org.list_accounts_for_parent(ParentId=subs["Prod"])
        self.assertEqual([a["Id"] for a in prod["Accounts"]], [PROD])
        self.assertEqual(prod["Accounts"][0]["Name"], "workload-prod")
        self.assertEqual(prod["Accounts"][0]["Status"], "ACTIVE")
        at_root = org.list_accounts_for_parent(ParentId="r-a1b2")
        self.assertEqual([a["Id"] for a in at_root["Accounts"]],
                         [MANAGEMENT])
        security = [o["Id"] for o in top if o["Name"] == "Security"][0]
        self.assertEqual(sorted(a["Id"] for a in org.list_accounts_for_parent(
            ParentId=security)["Accounts"]), sorted([ACCOUNT, ARCHIVE,
                                                      SECURITY]))
        self.client_error("ParentNotFoundException",
                          org.list_accounts_for_parent,
                          ParentId="ou-a1b2-zzzzzzzz")

    def test_describe_account(self):
        org = self.org()
        acct = org.describe_account(AccountId=ARCHIVE)["Account"]
        self.assertEqual(acct["Name"], "log-archive")
        self.assertEqual(acct["Email"], "aws-log-archive@example.com")
        self.assertEqual(acct["Arn"], f"arn:aws:organizations::{MANAGEMENT}"
                         f":account/{ORG_ID}/{ARCHIVE}")
        self.client_error("AccountNotFoundException", org.describe_account,
                          AccountId=OUTSIDER)

    def test_pagination(self):
        org = self.org()
        everything = org.list_accounts()["Accounts"]
        self.assertEqual(len(everything), 6)
        items, pages = self.all_pages(org.list_accounts, "Accounts", 4)
        self.assertEqual(pages, 2)
        self.assertEqual(items, everything)
        # botocore's paginator follows NextToken the same way.
        paged = org.get_paginator("list_accounts").paginate(
            PaginationConfig={"PageSize": 1})
        self.assertEqual([a for p in paged for a in p["Accounts"]],
                         everything)
        # MaxResults above 20 is refused by the model's range.
        self.client_error("InvalidInputException", self.raw_list_accounts,
                          30)
        self.client_error("InvalidInputException", org.list_accounts,
                          NextToken="not-a-token")
        # A token of another operation is not accepted either.
        token = org.list_accounts(MaxResults=1)["NextToken"]
        self.client_error("InvalidInputException",
                          org.list_accounts_for_parent, ParentId="r-a1b2",
                          NextToken=token)

    def raw_list_accounts(self, max_results):
        # botocore validates MaxResults client-side; skip that to see what
        # the endpoint answers.
        from botocore.config import Config
        client = base.SESSION.create_client(
            "organizations", region_name="us-east-1",
            endpoint_url=base.EP.url, aws_access_key_id=MGMT_KEY,
            aws_secret_access_key=MGMT_SECRET,
            config=Config(parameter_validation=False,
                          retries={"total_max_attempts": 1}))
        self.addCleanup(client.close)
        return client.list_accounts(MaxResults=max_results)

    def test_state_dump_load_and_reset(self):
        state = base.EP.get_state()
        org = state["organization"]
        self.assertEqual(org["id"], ORG_ID)
        self.assertEqual(len(org["accounts"]), 6)
        # A dump loads back unchanged.
        base.EP.set_state(state)
        self.assertEqual(base.EP.get_state()["organization"], org)
        # A replaced state without an organisation has none...
        base.EP.set_state({})
        self.client_error("AWSOrganizationsNotInUseException",
                          self.org().describe_organization)
        # ...and a reset brings back the config's.
        base.EP.reset()
        self.assertEqual(self.org().describe_organization()
                         ["Organization"]["Id"], ORG_ID)

    def test_bulk_organization(self):
        out = base.EP.bulk(organization={"accounts": 100, "ous": 4,
                                         "management_account": MANAGEMENT})
        self.assertEqual(out["accounts"], 100)
        self.assertEqual(out["organizational_units"], 4)
        org = self.org()
        items, pages = self.all_pages(org.list_accounts, "Accounts", 20)
        self.assertEqual(len(items), 100)
        self.assertEqual(pages, 5)
        self.assertEqual(len({a["Id"] for a in items}), 100)
        ous = org.list_organizational_units_for_parent(
            ParentId=org.list_roots()["Roots"][0]["Id"])[
            "OrganizationalUnits"]
        self.assertEqual(len(ous), 4)
        per_ou = [len(self.all_pages(org.list_accounts_for_parent,
                                     "Accounts", 20, ParentId=o["Id"])[0])
                  for o in ous]
        self.assertEqual(sum(per_ou), 99)  # the management account: root
        self.assertLessEqual(max(per_ou) - min(per_ou), 1)

    def test_bulk_organization_roles(self):
        out = base.EP.bulk(organization={
            "accounts": 20, "ous": 2, "management_account": "699999999999",
            "first_account": 700000000000,
            "roles": ["LogkeepDeploy", "LogkeepAudit"]})
        # Every account, the management account too (the config gives none
        # of them either role).
        self.assertEqual(out["roles"], 2 * 20)
        member = "700000000007"
        ident = self.as_account(member, "sts").get_caller_identity()
        self.assertEqual(ident["Account"], member)
        # The copied role keeps its template's external id and policies.
        self.client_error("AccessDenied", self.assume, member,
                          "LogkeepAudit")
        audit = self.as_account(member, "s3", name="LogkeepAudit",
                                external_id=AUDIT_EXTERNAL_ID)
        self.client_error("AccessDenied", audit.create_bucket,
                          Bucket="lk-org-bench")
        self.as_account(member, "s3").create_bucket(Bucket="lk-org-bench")
        self.assertEqual(base.EP.get_state()["buckets"]["lk-org-bench"]
                         ["owner"], member)

    def test_generate_is_deterministic(self):
        spec = {"accounts": 10, "ous": 3}
        self.assertEqual(lkorg.generate(spec), lkorg.generate(spec))


def main():
    result = unittest.main(module=__name__, exit=False, verbosity=1).result
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
