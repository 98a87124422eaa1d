#!/usr/bin/python3
"""Tests of the local AWS endpoint, driven by real AWS clients.

Most calls go through Debian's AWS CLI (``/usr/bin/aws``, aws-cli 2.9.19
with its own bundled botocore) against ``--endpoint-url``; requests a CLI
cannot produce (missing checksum, stale dates, tampered signatures, garbage)
are built and signed with Debian's python3-botocore and sent raw.  Two
published SigV4 vectors (the S3 documentation's "GET Bucket Lifecycle"
example and the AWS SigV4 suite's form POST) check the verifier against
signatures computed by AWS, not by any client here.

One endpoint serves the whole suite; every test starts from an empty state
(``POST /_admin/reset``).  Run with ``/usr/bin/python3 test_endpoint.py``.
"""

import base64
import concurrent.futures
import datetime
import hashlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import zlib
from xml.etree import ElementTree

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# Keep this process's botocore away from any developer configuration.
for _key in list(os.environ):
    if _key.startswith("AWS_"):
        del os.environ[_key]
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import botocore.session  # noqa: E402
from botocore.auth import S3SigV4Auth, SigV4Auth, SIGV4_TIMESTAMP  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

import lkendpoint  # noqa: E402
from awsendpoint import policy as lkpolicy  # noqa: E402
from awsendpoint import sigv4 as lksigv4  # noqa: E402
from awsendpoint.clock import Clock  # noqa: E402
from awsendpoint.context import Request  # noqa: E402
from awsendpoint.credentials import CredentialStore  # noqa: E402
from awsendpoint.errors import AuthFailure  # noqa: E402

AWS = "/usr/bin/aws"
ACCOUNT = "111122223333"
KEY = lkendpoint.ACCESS_KEY_ID
SECRET = lkendpoint.SECRET_ACCESS_KEY
SESSION_KEY = "ASIAIOSFODNN7SESSION"
SESSION_SECRET = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENlogkeep0001"
EXPIRED_KEY = "ASIAIOSFODNN7EXPIRED"
EXPIRED_SECRET = "Xo7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
EXPIRED_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLEEXPIREDTOKENlogkeep0002"
OUTSIDER_KEY = "AKIAI44QH8DHBEXAMPLE"
OUTSIDER_SECRET = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
LOG_ADMIN = "arn:aws:iam::111122223333:role/LogAdmin"
ANALYST = "arn:aws:iam::111122223333:role/SecurityAnalyst"
WEB_TOKEN = "eyJhbGciOiJSUzI1NiJ9.logkeep-ci-web-identity-token.c2lnbmF0dXJl"
EXPIRED_WEB_TOKEN = \
    "eyJhbGciOiJSUzI1NiJ9.logkeep-expired-web-identity-token.c2ln"
LOGS_TARGET = "Logs_20140328."
CT_TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."

EP = None
# One botocore session for the suite: its loader caches the service models,
# so creating a client is cheap.
SESSION = botocore.session.get_session()


def setUpModule():
    global EP
    EP = lkendpoint.Endpoint().start()


def tearDownModule():
    status = EP.stop()
    if status != 0:
        raise AssertionError(f"endpoint exited with {status}:\n"
                             f"{EP.stderr_text()}")


def cloudtrail_policy(bucket, prefix="", account=ACCOUNT, trail_arn=None):
    """The bucket policy the CloudTrail user guide documents."""
    key = f"{prefix}/AWSLogs/{account}/*" if prefix else \
        f"AWSLogs/{account}/*"
    put_cond = {"s3:x-amz-acl": "bucket-owner-full-control"}
    acl = {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
           "Principal": {"Service": "cloudtrail.amazonaws.com"},
           "Action": "s3:GetBucketAcl",
           "Resource": f"arn:aws:s3:::{bucket}"}
    if trail_arn:
        acl["Condition"] = {"StringEquals": {"aws:SourceArn": trail_arn}}
        put_cond["aws:SourceArn"] = trail_arn
    return json.dumps({"Version": "2012-10-17", "Statement": [
        acl,
        {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/{key}",
         "Condition": {"StringEquals": put_cond}}]})


class CliResult:
    def __init__(self, args, proc):
        self.args = args
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    @property
    def json(self):
        return json.loads(self.stdout) if self.stdout.strip() else {}

    def __repr__(self):
        return (f"aws {' '.join(self.args)} -> rc={self.rc}\n"
                f"stdout: {self.stdout[:2000]}\nstderr: {self.stderr[:2000]}")


class EndpointTest(unittest.TestCase):
    """Base class: a fresh state per test and client helpers."""

    maxDiff = None

    def setUp(self):
        EP.reset()
        self._started = time.monotonic()
        self.cli_calls = 0

    def tearDown(self):
        if os.environ.get("LK_TEST_TIMES"):
            sys.stderr.write(f"  [{time.monotonic() - self._started:.1f} s, "
                             f"{self.cli_calls} aws calls] ")

    # -- AWS CLI ----------------------------------------------------------
    def cli_env(self, key=KEY, secret=SECRET, token=None, region="us-east-1",
                **extra):
        env = EP.client_env(key, secret, token, region)
        env.update({"AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "1"})
        env.update(extra)
        return env

    def aws(self, *args, env=None, region="us-east-1", **env_kw):
        env = env or self.cli_env(region=region, **env_kw)
        argv = [AWS, "--no-cli-pager", "--endpoint-url", EP.url,
                "--cli-connect-timeout", "5", "--cli-read-timeout", "20",
                "--output", "json"] + list(args)
        self.cli_calls += 1
        proc = subprocess.run(argv, env=env, capture_output=True, text=True,
                              timeout=120, stdin=subprocess.DEVNULL)
        return CliResult(list(args), proc)

    def ok(self, *args, **kw):
        res = self.aws(*args, **kw)
        self.assertEqual(res.rc, 0, repr(res))
        return res.json

    def fails(self, code, *args, **kw):
        res = self.aws(*args, **kw)
        self.assertNotEqual(res.rc, 0, repr(res))
        self.assertIn(f"({code})", res.stderr, repr(res))
        return res

    def batch(self, *calls):
        """Run independent CLI calls concurrently.  Each call is
        ``(expected_code_or_None, args..., [dict of aws() keywords])``;
        returns the results in order."""
        def run(call):
            args, kw = call[1:], {}
            if args and isinstance(args[-1], dict):
                args, kw = args[:-1], args[-1]
            return self.aws(*args, **kw)
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            results = list(pool.map(run, calls))
        for call, res in zip(calls, results):
            if call[0] is None:
                self.assertEqual(res.rc, 0, repr(res))
            else:
                self.assertNotEqual(res.rc, 0, repr(res))
                self.assertIn(f"({call[0]})", res.stderr, repr(res))
        return results

    # -- botocore (Debian python3-botocore) --------------------------------
    def client(self, service, key=KEY, secret=SECRET, token=None,
               region="us-east-1", attempts=1):
        client = SESSION.create_client(
            service, region_name=region, endpoint_url=EP.url,
            aws_access_key_id=key, aws_secret_access_key=secret,
            aws_session_token=token,
            config=Config(retries={"total_max_attempts": attempts,
                                   "mode": "standard"},
                          s3={"addressing_style": "path"},
                          connect_timeout=5, read_timeout=20))
        self.addCleanup(client.close)
        return client

    def client_error(self, code, fn, *args, **kw):
        with self.assertRaises(ClientError) as ctx:
            fn(*args, **kw)
        self.assertEqual(ctx.exception.response["Error"]["Code"], code,
                         ctx.exception.response)
        return ctx.exception.response

    # -- raw requests -------------------------------------------------------
    def send(self, service, method, path, body=b"", headers=None,
             region="us-east-1", key=KEY, secret=SECRET, token=None,
             when=None, host=None, sign=True, mutate=None):
        """Sign (botocore) and send a request; return (status, headers, body).

        ``when`` overrides the signing time; ``mutate(headers, body)``
        changes the request after signing and returns the new body."""
        if isinstance(body, str):
            body = body.encode()
        if sign:
            hdrs = self.sign_headers(service, method, path, body, headers,
                                     region, key, secret, token, when, host)
        else:
            hdrs = {"Host": host or f"127.0.0.1:{EP.port}"}
            hdrs.update(headers or {})
        if mutate is not None:
            new_body = mutate(hdrs, body)
            if new_body is not None:
                body = new_body
        return self.raw(method, path, body, hdrs)

    @staticmethod
    def sign_headers(service, method, path, body=b"", headers=None,
                     region="us-east-1", key=KEY, secret=SECRET, token=None,
                     when=None, host=None):
        """The headers of a request signed by botocore's signer (at
        ``when``, default now)."""
        host = host or f"127.0.0.1:{EP.port}"
        hdrs = {"Host": host}
        hdrs.update(headers or {})
        req = AWSRequest(method=method, url=f"http://{host}{path}",
                         headers=hdrs, data=body)
        signer_cls = S3SigV4Auth if service == "s3" else SigV4Auth
        signer = signer_cls(Credentials(key, secret, token), service, region)
        if when is None:
            signer.add_auth(req)
        else:
            req.context["timestamp"] = when.strftime(SIGV4_TIMESTAMP)
            signer._modify_request_before_signing(req)
            canonical = signer.canonical_request(req)
            sts = signer.string_to_sign(req, canonical)
            signer._inject_signature_to_request(
                req, signer.signature(sts, req))
        return dict(req.headers.items())

    def raw(self, method, path, body=b"", headers=None, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", EP.port,
                                          timeout=timeout)
        try:
            conn.putrequest(method, path, skip_host=True,
                            skip_accept_encoding=True)
            headers = dict(headers or {})
            if "Host" not in headers:
                headers["Host"] = f"127.0.0.1:{EP.port}"
            for name, value in headers.items():
                conn.putheader(name, value)
            if body or method in ("PUT", "POST"):
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body or None)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in
                                 resp.getheaders()}, data
        finally:
            conn.close()

    def json_call(self, service, operation, params, **kw):
        target = (LOGS_TARGET if service == "logs" else CT_TARGET) + operation
        body = params if isinstance(params, (bytes, str)) else \
            json.dumps(params)
        status, headers, data = self.send(
            service, "POST", "/", body,
            {"Content-Type": "application/x-amz-json-1.1",
             "X-Amz-Target": target}, **kw)
        return status, headers, (json.loads(data) if data else {})

    def s3_error(self, data):
        root = ElementTree.fromstring(data)
        self.assertEqual(root.tag, "Error")
        return {child.tag: child.text for child in root}

    def sts_error(self, data):
        root = ElementTree.fromstring(data)
        ns = "{https://sts.amazonaws.com/doc/2011-06-15/}"
        self.assertEqual(root.tag, ns + "ErrorResponse")
        return root.find(f"{ns}Error/{ns}Code").text


# ---------------------------------------------------------------------------
class SigV4VectorTest(unittest.TestCase):
    """The verifier against signatures published by AWS."""

    def _store(self, key, secret, clock):
        return CredentialStore({"credentials": [{
            "access_key_id": key, "secret_access_key": secret,
            "account": ACCOUNT, "arn": "arn:aws:iam::111122223333:user/x"}]},
            clock)

    @staticmethod
    def _request(method, path, headers, body=b""):
        msg = http.client.HTTPMessage()
        for name, value in headers:
            msg[name] = value
        raw_path, _, raw_query = path.partition("?")
        query = [tuple(p.split("=", 1)) if "=" in p else (p, "")
                 for p in raw_query.split("&") if p]
        return Request(method, raw_path, raw_path, raw_query, query, msg,
                       body, ("127.0.0.1", 1))

    @staticmethod
    def _clock_at(when):
        return Clock((when - datetime.datetime.now(
            datetime.timezone.utc)).total_seconds())

    def test_s3_documentation_get_bucket_lifecycle(self):
        # https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
        clock = self._clock_at(datetime.datetime(
            2013, 5, 24, tzinfo=datetime.timezone.utc))
        store = self._store(KEY, SECRET, clock)
        auth = ("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/"
                "us-east-1/s3/aws4_request, SignedHeaders=host;"
                "x-amz-content-sha256;x-amz-date, Signature=fea454ca298b7da1"
                "c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
        headers = [("Host", "examplebucket.s3.amazonaws.com"),
                   ("x-amz-date", "20130524T000000Z"),
                   ("x-amz-content-sha256", lksigv4.EMPTY_SHA256),
                   ("Authorization", auth)]
        ident, parsed = lksigv4.verify(
            self._request("GET", "/?lifecycle", headers), store, clock,
            is_s3=True)
        self.assertEqual(ident.access_key_id, KEY)
        self.assertEqual(parsed.region, "us-east-1")
        tampered = headers[:3] + [("Authorization", auth[:-1] + "4")]
        with self.assertRaises(AuthFailure) as ctx:
            lksigv4.verify(self._request("GET", "/?lifecycle", tampered),
                           store, clock, is_s3=True)
        self.assertEqual(ctx.exception.kind, "signature_mismatch")
        self.assertIn("9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eae"
                      "bf79c77395ca", ctx.exception.extra["StringToSign"])

    def test_sigv4_suite_post_form(self):
        # AWS SigV4 test suite, post-x-www-form-urlencoded (service "service").
        clock = self._clock_at(datetime.datetime(
            2015, 8, 30, 12, 36, tzinfo=datetime.timezone.utc))
        store = self._store("AKIDEXAMPLE",
                            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", clock)
        headers = [
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Host", "example.amazonaws.com"),
            ("X-Amz-Date", "20150830T123600Z"),
            ("Authorization",
             "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
             "service/aws4_request, SignedHeaders=content-type;host;"
             "x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38"
             "421b1da7b9d196a0fe09473a")]
        lksigv4.verify(self._request("POST", "/", headers, b"Param1=value1"),
                       store, clock, is_s3=False)
        with self.assertRaises(AuthFailure) as ctx:
            lksigv4.verify(self._request("POST", "/", headers,
                                         b"Param1=value2"),
                           store, clock, is_s3=False)
        self.assertEqual(ctx.exception.kind, "signature_mismatch")


class ModelTest(unittest.TestCase):
    """The endpoint reads requests with botocore's own models."""

    def test_models_are_botocores(self):
        from awsendpoint import models
        for name, version in models.SERVICE_VERSIONS.items():
            ours = models.service_model(name)
            session = models.session_service_model(name)
            self.assertEqual(ours.api_version, version)
            self.assertEqual(ours.operation_names, session.operation_names)

    def test_xml_round_trip_through_the_shape(self):
        from awsendpoint import models
        shape = models.service_model("s3").shape_for(
            "BucketLifecycleConfiguration")
        config = {"Rules": [
            {"ID": "a", "Status": "Enabled", "Filter": {"And": {
                "Prefix": "p/", "Tags": [{"Key": "k", "Value": "v"}]}},
             "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}],
             "Expiration": {"ExpiredObjectDeleteMarker": True}},
            {"ID": "b", "Status": "Disabled", "Filter": {"Prefix": ""},
             "Expiration": {"Date": "2030-01-01T00:00:00Z"}}]}
        xml = models.params_to_xml(config, shape, "LifecycleConfiguration")
        self.assertIn(b"<Rule><Expiration><ExpiredObjectDeleteMarker>true"
                      b"</ExpiredObjectDeleteMarker></Expiration>", xml)
        self.assertEqual(models.xml_to_params(xml, shape,
                                              "LifecycleConfiguration"),
                         config)
        sts = models.service_model("sts").operation_model(
            "AssumeRole").input_shape
        form = {"RoleArn": LOG_ADMIN, "RoleSessionName": "s",
                "DurationSeconds": "900", "PolicyArns.member.1.arn": "a1",
                "PolicyArns.member.2.arn": "a2", "Tags.member.1.Key": "k",
                "Tags.member.1.Value": "v"}
        self.assertEqual(models.query_to_params(form, sts), {
            "RoleArn": LOG_ADMIN, "RoleSessionName": "s",
            "DurationSeconds": 900,
            "PolicyArns": [{"arn": "a1"}, {"arn": "a2"}],
            "Tags": [{"Key": "k", "Value": "v"}]})


class DocumentationVectorOverTheWireTest(EndpointTest):
    """The S3 documentation's signed request, sent as published."""

    def test_virtual_host_request_from_the_s3_documentation(self):
        EP.set_state({"buckets": {"examplebucket": {"region": "us-east-1"}}})
        then = datetime.datetime(2013, 5, 24, tzinfo=datetime.timezone.utc)
        EP.set_clock_offset((then - datetime.datetime.now(
            datetime.timezone.utc)).total_seconds() + 60)
        headers = {
            "Host": "examplebucket.s3.amazonaws.com",
            "x-amz-date": "20130524T000000Z",
            "x-amz-content-sha256": lksigv4.EMPTY_SHA256,
            "Authorization":
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/"
                "us-east-1/s3/aws4_request, SignedHeaders=host;"
                "x-amz-content-sha256;x-amz-date, Signature=fea454ca298b7da1"
                "c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"}
        status, _, data = self.raw("GET", "/?lifecycle", b"", headers)
        self.assertEqual(status, 404, data)
        self.assertEqual(self.s3_error(data)["Code"],
                         "NoSuchLifecycleConfiguration")
        EP.set_clock_offset(0)
        status, _, data = self.raw("GET", "/?lifecycle", b"", headers)
        self.assertEqual(status, 403)
        err = self.s3_error(data)
        self.assertEqual(err["Code"], "RequestTimeTooSkewed")
        self.assertEqual(err["MaxAllowedSkewMilliseconds"], "900000")


# ---------------------------------------------------------------------------
class S3Test(EndpointTest):

    def test_bucket_lifecycle_round_trip(self):
        self.assertEqual(self.ok("s3api", "create-bucket", "--bucket",
                                 "lk-archive")["Location"], "/lk-archive")
        rules = {"Rules": [{
            "ID": "security-evidence", "Status": "Enabled",
            "Filter": {"Prefix": "cloudtrail/"},
            "Transitions": [{"Days": 90, "StorageClass": "GLACIER_IR"},
                            {"Days": 365, "StorageClass": "DEEP_ARCHIVE"}],
            "Expiration": {"Days": 2557},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]}
        _, location, _ = self.batch(
            (None, "s3api", "head-bucket", "--bucket", "lk-archive"),
            (None, "s3api", "get-bucket-location", "--bucket", "lk-archive"),
            ("NoSuchLifecycleConfiguration", "s3api",
             "get-bucket-lifecycle-configuration", "--bucket", "lk-archive"))
        self.assertIsNone(location.json["LocationConstraint"])
        self.ok("s3api", "put-bucket-lifecycle-configuration", "--bucket",
                "lk-archive", "--lifecycle-configuration", json.dumps(rules))
        got = self.ok("s3api", "get-bucket-lifecycle-configuration",
                      "--bucket", "lk-archive")
        self.assertEqual(got["Rules"], rules["Rules"])
        self.ok("s3api", "delete-bucket-lifecycle", "--bucket", "lk-archive")
        s3 = self.client("s3")
        self.client_error("NoSuchLifecycleConfiguration",
                          s3.get_bucket_lifecycle_configuration,
                          Bucket="lk-archive")
        self.client_error("NoSuchBucket",
                          s3.get_bucket_lifecycle_configuration,
                          Bucket="lk-missing")
        counts = EP.counts("s3")
        self.assertEqual(counts["GetBucketLifecycleConfiguration"], 4)
        self.assertEqual(counts["PutBucketLifecycleConfiguration"], 1)
        put = EP.log(operation="PutBucketLifecycleConfiguration")[0]
        self.assertEqual((put["status"], put["bucket"]), (200, "lk-archive"))

    def test_bucket_configurations(self):
        EP.set_state({"buckets": {"lk-conf": {}}})
        pol = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Sid": "DenyInsecure", "Effect": "Deny", "Principal": "*",
            "Action": "s3:*", "Resource": ["arn:aws:s3:::lk-conf",
                                           "arn:aws:s3:::lk-conf/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]},
            indent=2)
        pab = ("BlockPublicAcls=true,IgnorePublicAcls=true,"
               "BlockPublicPolicy=true,RestrictPublicBuckets=true")
        sse = json.dumps({"Rules": [{"ApplyServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms",
            "KMSMasterKeyID": "arn:aws:kms:us-east-1:111122223333:alias/sec"},
            "BucketKeyEnabled": True}]})
        lock = json.dumps({"ObjectLockEnabled": "Enabled", "Rule": {
            "DefaultRetention": {"Mode": "GOVERNANCE", "Years": 1}}})
        self.batch(
            (None, "s3api", "create-bucket", "--bucket", "lk-locked",
             "--object-lock-enabled-for-bucket"),
            ("NoSuchBucketPolicy", "s3api", "get-bucket-policy", "--bucket",
             "lk-conf"),
            ("NoSuchPublicAccessBlockConfiguration", "s3api",
             "get-public-access-block", "--bucket", "lk-conf"),
            ("ObjectLockConfigurationNotFoundError", "s3api",
             "get-object-lock-configuration", "--bucket", "lk-conf"),
            (None, "s3api", "put-bucket-policy", "--bucket", "lk-conf",
             "--policy", pol))
        s3 = self.client("s3")
        self.client_error("InvalidBucketState",
                          s3.put_object_lock_configuration, Bucket="lk-conf",
                          ObjectLockConfiguration=json.loads(lock))
        self.assertNotIn("Status", s3.get_bucket_versioning(Bucket="lk-conf"))
        self.assertEqual(s3.get_bucket_encryption(Bucket="lk-conf")
                         ["ServerSideEncryptionConfiguration"]["Rules"][0]
                         ["ApplyServerSideEncryptionByDefault"],
                         {"SSEAlgorithm": "AES256"})
        self.assertEqual(s3.get_object_lock_configuration(Bucket="lk-locked")
                         ["ObjectLockConfiguration"],
                         {"ObjectLockEnabled": "Enabled"})
        self.batch(
            (None, "s3api", "put-public-access-block", "--bucket", "lk-conf",
             "--public-access-block-configuration", pab),
            (None, "s3api", "put-bucket-encryption", "--bucket", "lk-conf",
             "--server-side-encryption-configuration", sse),
            (None, "s3api", "put-object-lock-configuration", "--bucket",
             "lk-locked", "--object-lock-configuration", lock),
            (None, "s3api", "put-bucket-versioning", "--bucket", "lk-conf",
             "--versioning-configuration", "Status=Enabled"))
        self.client_error("MalformedPolicy", s3.put_bucket_policy,
                          Bucket="lk-locked", Policy="not json")
        self.client_error("InvalidBucketState", s3.put_bucket_versioning,
                          Bucket="lk-locked", VersioningConfiguration={
                              "Status": "Suspended"})
        got = self.batch(
            (None, "s3api", "get-bucket-policy", "--bucket", "lk-conf"),
            (None, "s3api", "get-public-access-block", "--bucket", "lk-conf"),
            (None, "s3api", "get-bucket-encryption", "--bucket", "lk-conf"),
            (None, "s3api", "get-object-lock-configuration", "--bucket",
             "lk-locked"),
            (None, "s3api", "get-bucket-versioning", "--bucket", "lk-conf"),
            # Object Lock on an existing bucket once versioning is enabled.
            (None, "s3api", "put-object-lock-configuration", "--bucket",
             "lk-conf", "--object-lock-configuration", lock))
        self.assertEqual(got[0].json["Policy"], pol)  # byte for byte
        self.assertEqual(got[1].json["PublicAccessBlockConfiguration"], {
            "BlockPublicAcls": True, "IgnorePublicAcls": True,
            "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
        self.assertEqual(got[2].json["ServerSideEncryptionConfiguration"],
                         json.loads(sse))
        self.assertEqual(got[3].json["ObjectLockConfiguration"],
                         json.loads(lock))
        self.assertEqual(got[4].json, {"Status": "Enabled"})
        self.assertEqual(s3.get_bucket_versioning(Bucket="lk-locked")
                         ["Status"], "Enabled")
        self.client_error("MalformedPolicy", s3.put_bucket_policy,
                          Bucket="lk-conf",
                          Policy='{"Version": "2012-10-17"}')
        self.client_error("MalformedPolicy", s3.put_bucket_policy,
                          Bucket="lk-conf", Policy=pol.replace(
                              "lk-conf", "someone-elses-bucket"))
        self.batch(
            (None, "s3api", "delete-bucket-policy", "--bucket", "lk-conf"),
            (None, "s3api", "delete-public-access-block", "--bucket",
             "lk-conf"),
            (None, "s3api", "delete-bucket-encryption", "--bucket",
             "lk-conf"))
        self.client_error("NoSuchBucketPolicy", s3.get_bucket_policy,
                          Bucket="lk-conf")
        self.client_error("NoSuchPublicAccessBlockConfiguration",
                          s3.get_public_access_block, Bucket="lk-conf")
        self.assertEqual(s3.get_bucket_encryption(Bucket="lk-conf")
                         ["ServerSideEncryptionConfiguration"]["Rules"][0]
                         ["ApplyServerSideEncryptionByDefault"],
                         {"SSEAlgorithm": "AES256"})

    def test_regions_and_bucket_names(self):
        self.ok("s3api", "create-bucket", "--bucket", "lk-eu",
                "--create-bucket-configuration",
                "LocationConstraint=eu-west-1", region="eu-west-1")
        self.assertEqual(self.ok("s3api", "get-bucket-location", "--bucket",
                                 "lk-eu")["LocationConstraint"], "eu-west-1")
        self.client_error("BucketAlreadyOwnedByYou",
                          self.client("s3", region="eu-west-1").create_bucket,
                          Bucket="lk-eu", CreateBucketConfiguration={
                              "LocationConstraint": "eu-west-1"})
        s3 = self.client("s3")
        self.client_error("IllegalLocationConstraintException",
                          s3.create_bucket, Bucket="lk-other",
                          CreateBucketConfiguration={
                              "LocationConstraint": "eu-central-1"})
        self.client_error("InvalidLocationConstraint", s3.create_bucket,
                          Bucket="lk-other", CreateBucketConfiguration={
                              "LocationConstraint": "us-east-1"})
        for name in ("Bad_Name", "ab", "a..b", "192.168.1.1", "xn--abc",
                     "-abc", "a" * 64):
            self.client_error("InvalidBucketName", s3.create_bucket,
                              Bucket=name)
        # us-east-1 keeps its legacy answer for a bucket you already own.
        s3.create_bucket(Bucket="lk-us")
        s3.create_bucket(Bucket="lk-us")
        # HeadBucket reports the region; a request signed for the wrong
        # region is told where the bucket lives.
        s3eu = self.client("s3", region="eu-west-1")
        head = s3eu.head_bucket(Bucket="lk-eu")
        self.assertEqual(head["ResponseMetadata"]["HTTPHeaders"]
                         ["x-amz-bucket-region"], "eu-west-1")
        status, headers, data = self.send(
            "s3", "GET", "/lk-eu?versioning", region="us-east-1")
        self.assertEqual(status, 400)
        err = self.s3_error(data)
        self.assertEqual((err["Code"], err["Region"]),
                         ("AuthorizationHeaderMalformed", "eu-west-1"))
        self.assertEqual(headers["x-amz-bucket-region"], "eu-west-1")
        status, headers, data = self.send("s3", "HEAD", "/lk-missing")
        self.assertEqual((status, data), (404, b""))
        self.assertIn("x-amz-request-id", headers)
        self.assertIn("x-amz-id-2", headers)
        buckets = self.client("s3").list_buckets()["Buckets"]
        self.assertEqual([b["Name"] for b in buckets], ["lk-eu", "lk-us"])
        # Another account owns the name.
        s3out = self.client("s3", key=OUTSIDER_KEY, secret=OUTSIDER_SECRET)
        self.client_error("BucketAlreadyExists", s3out.create_bucket,
                          Bucket="lk-eu")
        self.client_error("403", s3out.head_bucket, Bucket="lk-eu")

    def test_config_puts_need_an_integrity_header(self):
        EP.set_state({"buckets": {"lk-md5": {}}})
        body = (b'<VersioningConfiguration xmlns="http://s3.amazonaws.com/'
                b'doc/2006-03-01/"><Status>Enabled</Status>'
                b'</VersioningConfiguration>')
        for sub in ("versioning", "lifecycle", "policy", "object-lock",
                    "publicAccessBlock", "encryption"):
            status, _, data = self.send("s3", "PUT", f"/lk-md5?{sub}", body)
            self.assertEqual(status, 400, sub)
            err = self.s3_error(data)
            self.assertEqual(err["Code"], "InvalidRequest", sub)
            self.assertEqual(err["Message"], "Missing required header for "
                             "this request: Content-MD5")
        good = base64.b64encode(hashlib.md5(body).digest()).decode()
        wrong = base64.b64encode(hashlib.md5(b"x").digest()).decode()
        status, _, data = self.send("s3", "PUT", "/lk-md5?versioning", body,
                                    {"Content-MD5": wrong})
        self.assertEqual((status, self.s3_error(data)["Code"]),
                         (400, "BadDigest"))
        status, _, data = self.send("s3", "PUT", "/lk-md5?versioning", body,
                                    {"Content-MD5": "nope"})
        self.assertEqual((status, self.s3_error(data)["Code"]),
                         (400, "InvalidDigest"))
        status, _, _ = self.send("s3", "PUT", "/lk-md5?versioning", body,
                                 {"Content-MD5": good})
        self.assertEqual(status, 200)
        crc = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
        status, _, _ = self.send("s3", "PUT", "/lk-md5?versioning", body,
                                 {"x-amz-checksum-crc32": crc,
                                  "x-amz-sdk-checksum-algorithm": "CRC32"})
        self.assertEqual(status, 200)
        status, _, data = self.send("s3", "PUT", "/lk-md5?versioning", body,
                                    {"x-amz-checksum-crc32": "AAAAAA=="})
        self.assertEqual((status, self.s3_error(data)["Code"]),
                         (400, "BadDigest"))

    def test_malformed_bodies_and_lifecycle_rules(self):
        EP.set_state({"buckets": {"lk-xml": {}}})
        s3 = self.client("s3")

        def put_raw(sub, body, extra=None):
            headers = {"Content-MD5": base64.b64encode(
                hashlib.md5(body).digest()).decode()}
            headers.update(extra or {})
            status, headers, data = self.send("s3", "PUT", f"/lk-xml?{sub}",
                                              body, headers)
            return status, headers, (self.s3_error(data) if data else {})

        ns = b' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'
        cases = [
            b"<LifecycleConfiguration" + ns + b"><Rule>",          # not XML
            b"<Lifecycle" + ns + b"/>",                            # root
            b"<LifecycleConfiguration" + ns + b"><Rule><Status>Enabled"
            b"</Status><Filter><Prefix/></Filter><Bogus/></Rule>"
            b"</LifecycleConfiguration>",                          # element
            b"<LifecycleConfiguration" + ns + b"><Rule><Filter><Prefix/>"
            b"</Filter><Expiration><Days>1</Days></Expiration></Rule>"
            b"</LifecycleConfiguration>",                          # Status
            b"<LifecycleConfiguration" + ns + b"><Rule><Status>On</Status>"
            b"<Filter><Prefix/></Filter><Expiration><Days>1</Days>"
            b"</Expiration></Rule></LifecycleConfiguration>",      # enum
            b"<LifecycleConfiguration" + ns + b"><Rule><Status>Enabled"
            b"</Status><Filter><Prefix/></Filter><Expiration><Days>x</Days>"
            b"</Expiration></Rule></LifecycleConfiguration>",      # integer
        ]
        for body in cases:
            status, _, err = put_raw("lifecycle", body)
            self.assertEqual((status, err.get("Code")), (400, "MalformedXML"),
                             body)
        rule = {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": ""}}
        for extra, code in [
                ({}, "InvalidRequest"),  # no action
                ({"Transitions": [{"Days": 10,
                                   "StorageClass": "STANDARD_IA"}]},
                 "InvalidArgument"),
                ({"Expiration": {"Days": 0}}, "InvalidArgument"),
                ({"Expiration": {"Days": 30}, "Transitions": [
                    {"Days": 90, "StorageClass": "GLACIER"}]},
                 "InvalidArgument")]:
            self.client_error(code, s3.put_bucket_lifecycle_configuration,
                              Bucket="lk-xml", LifecycleConfiguration={
                                  "Rules": [dict(rule, **extra)]})
        self.client_error(
            "InvalidArgument", s3.put_bucket_lifecycle_configuration,
            Bucket="lk-xml", LifecycleConfiguration={"Rules": [
                dict(rule, Expiration={"Days": 5}),
                dict(rule, Expiration={"Days": 6})]})
        # The transition minimum object size header (newer than the model).
        body = (b"<LifecycleConfiguration" + ns + b"><Rule><Status>Enabled"
                b"</Status><Filter><Prefix>a/</Prefix></Filter><Expiration>"
                b"<Days>3</Days></Expiration></Rule></LifecycleConfiguration>")
        status, headers, _ = put_raw(
            "lifecycle", body,
            {"x-amz-transition-default-minimum-object-size":
             "varies_by_storage_class"})
        self.assertEqual(status, 200)
        status, headers, data = self.send("s3", "GET", "/lk-xml?lifecycle")
        self.assertEqual(headers["x-amz-transition-default-minimum-object-"
                                 "size"], "varies_by_storage_class")
        self.assertIn(b"<Prefix>a/</Prefix>", data)
        status, _, err = put_raw("lifecycle", body, {
            "x-amz-transition-default-minimum-object-size": "tiny"})
        self.assertEqual((status, err["Code"]), (400, "InvalidArgument"))
        status, _, err = put_raw("encryption", (
            b"<ServerSideEncryptionConfiguration" + ns + b"><Rule>"
            b"<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256"
            b"</SSEAlgorithm><KMSMasterKeyID>k</KMSMasterKeyID>"
            b"</ApplyServerSideEncryptionByDefault></Rule>"
            b"</ServerSideEncryptionConfiguration>"))
        self.assertEqual((status, err["Code"]), (400, "InvalidArgument"))
        EP.set_state({"buckets": {"lk-xml": {"encryption": None}}},
                     merge=True)
        self.client_error("ServerSideEncryptionConfigurationNotFoundError",
                          s3.get_bucket_encryption, Bucket="lk-xml")

    def test_virtual_host_addressing_and_unimplemented(self):
        EP.set_state({"buckets": {"lk-vhost": {}}})
        host = f"lk-vhost.s3.us-east-1.amazonaws.com:{EP.port}"
        status, _, data = self.send("s3", "GET", "/?versioning", host=host)
        self.assertEqual(status, 200, data)
        self.assertIn(b"<VersioningConfiguration", data)
        # Operations still unimplemented (GetBucketAcl and PutObject now are:
        # test_s3_authz.py covers them).
        status, _, data = self.send("s3", "GET", "/lk-vhost?tagging")
        self.assertEqual((status, self.s3_error(data)["Code"]),
                         (501, "NotImplemented"))
        status, _, data = self.send("s3", "PUT", "/lk-vhost/some/key?tagging",
                                    b"x")
        self.assertEqual((status, self.s3_error(data)["Code"]),
                         (501, "NotImplemented"))


# ---------------------------------------------------------------------------
class LogsTest(EndpointTest):

    def test_log_group_lifecycle(self):
        self.batch(
            (None, "logs", "create-log-group", "--log-group-name",
             "/logkeep/app", "--kms-key-id",
             "arn:aws:kms:us-east-1:111122223333:key/abcd"),
            (None, "logs", "create-log-group", "--log-group-name",
             "/logkeep/web"))
        self.batch(
            ("ResourceAlreadyExistsException", "logs", "create-log-group",
             "--log-group-name", "/logkeep/app"),
            (None, "logs", "put-retention-policy", "--log-group-name",
             "/logkeep/app", "--retention-in-days", "1096"),
            ("InvalidParameterException", "logs", "put-retention-policy",
             "--log-group-name", "/logkeep/web", "--retention-in-days", "31"))
        logs = self.client("logs")
        self.client_error("ResourceNotFoundException",
                          logs.put_retention_policy,
                          logGroupName="/logkeep/none", retentionInDays=30)
        self.client_error("InvalidParameterException", logs.create_log_group,
                          logGroupName="bad name!")
        self.client_error("InvalidParameterException",
                          logs.describe_log_groups, limit=51)
        groups = self.ok("logs", "describe-log-groups",
                         "--log-group-name-prefix", "/logkeep/")["logGroups"]
        self.assertEqual([g["logGroupName"] for g in groups],
                         ["/logkeep/app", "/logkeep/web"])
        app, web = groups
        self.assertEqual(app["retentionInDays"], 1096)
        self.assertEqual(app["kmsKeyId"],
                         "arn:aws:kms:us-east-1:111122223333:key/abcd")
        self.assertEqual(app["arn"], "arn:aws:logs:us-east-1:111122223333:"
                         "log-group:/logkeep/app:*")
        self.assertNotIn("retentionInDays", web)
        self.assertNotIn("kmsKeyId", web)
        self.assertEqual(web["storedBytes"], 0)
        self.assertIsInstance(web["creationTime"], int)
        self.batch(
            (None, "logs", "delete-retention-policy", "--log-group-name",
             "/logkeep/app"),
            (None, "logs", "delete-log-group", "--log-group-name",
             "/logkeep/web"),
            ("ResourceNotFoundException", "logs", "delete-log-group",
             "--log-group-name", "/logkeep/none"))
        self.client_error("ResourceNotFoundException", logs.delete_log_group,
                          logGroupName="/logkeep/web")
        self.client_error("ResourceNotFoundException",
                          logs.delete_retention_policy,
                          logGroupName="/logkeep/none")
        groups = logs.describe_log_groups()["logGroups"]
        self.assertEqual(len(groups), 1)
        self.assertNotIn("retentionInDays", groups[0])
        # Regions are separate.
        self.assertEqual(self.client("logs", region="eu-west-1")
                         .describe_log_groups()["logGroups"], [])

    def test_pagination_across_pages(self):
        EP.bulk(log_groups=[{"prefix": "/page/", "count": 120,
                             "retention": 14},
                            {"prefix": "/other/", "count": 5}])
        EP.reset_log()
        groups = self.ok("logs", "describe-log-groups",
                         "--log-group-name-prefix", "/page/")["logGroups"]
        self.assertEqual(len(groups), 120)
        self.assertEqual(groups[0]["logGroupName"], "/page/000")
        self.assertEqual(groups[-1]["logGroupName"], "/page/119")
        self.assertEqual(EP.counts("logs")["DescribeLogGroups"], 3)
        first = self.ok("logs", "describe-log-groups", "--no-paginate",
                        "--limit", "7", "--log-group-name-prefix", "/page/")
        self.assertEqual(len(first["logGroups"]), 7)
        second = self.ok("logs", "describe-log-groups", "--no-paginate",
                         "--log-group-name-prefix", "/page/", "--next-token",
                         first["nextToken"])
        self.assertEqual(second["logGroups"][0]["logGroupName"], "/page/007")
        self.assertEqual(len(second["logGroups"]), 50)
        paginator = self.client("logs").get_paginator("describe_log_groups")
        everything = [g for page in paginator.paginate()
                      for g in page["logGroups"]]
        self.assertEqual(len(everything), 125)
        pattern = self.ok("logs", "describe-log-groups",
                          "--log-group-name-pattern", "age/11")["logGroups"]
        self.assertEqual([g["logGroupName"] for g in pattern],
                         [f"/page/11{i}" for i in range(10)])
        self.assertEqual(set(pattern[0]), {"arn", "creationTime",
                                           "logGroupName"})
        status, _, body = self.json_call(
            "logs", "DescribeLogGroups", {"logGroupNamePrefix": "/a",
                                          "logGroupNamePattern": "b"})
        self.assertEqual((status, body["__type"]),
                         (400, "InvalidParameterException"))
        status, _, body = self.json_call("logs", "DescribeLogGroups",
                                         {"nextToken": "garbage"})
        self.assertEqual((status, body["__type"]),
                         (400, "InvalidParameterException"))

    def test_json_protocol_validation(self):
        status, headers, body = self.json_call("logs", "CreateLogGroup", {})
        self.assertEqual(status, 400)
        self.assertEqual(body["__type"], "InvalidParameterException")
        self.assertEqual(body["message"], "1 validation error detected: "
                         "Value null at 'logGroupName' failed to satisfy "
                         "constraint: Member must not be null")
        self.assertIn("x-amzn-requestid", headers)
        status, _, body = self.json_call("logs", "CreateLogGroup",
                                         b"{not json")
        self.assertEqual((status, body["__type"]),
                         (400, "SerializationException"))
        status, _, body = self.json_call("logs", "PutRetentionPolicy",
                                         {"logGroupName": "/x",
                                          "retentionInDays": "7"})
        self.assertEqual((status, body["__type"]),
                         (400, "SerializationException"))
        status, _, body = self.json_call("logs", "NoSuchOperation", {})
        self.assertEqual((status, body["__type"]),
                         (400, "UnknownOperationException"))
        # Members unknown to the model are ignored, as AWS does.
        status, _, _ = self.json_call("logs", "CreateLogGroup",
                                      {"logGroupName": "/new",
                                       "logGroupClass": "STANDARD"})
        self.assertEqual(status, 200)
        status, _, body = self.json_call("cloudtrail", "GetTrail", {})
        self.assertEqual((status, body["__type"]),
                         (400, "InvalidParameterException"))

    def test_bulk_ten_thousand_groups_and_fast_describe(self):
        started = time.monotonic()
        result = EP.bulk(log_groups={"prefix": "/bench/", "count": 10000,
                                     "retention": 30})
        elapsed = time.monotonic() - started
        self.assertEqual(result["log_groups"], 10000)
        self.assertLess(elapsed, 3.0)
        logs = self.client("logs")
        started = time.monotonic()
        page = logs.describe_log_groups(logGroupNamePrefix="/bench/9999")
        token, pages = None, 0
        while True:
            kw = {"logGroupNamePrefix": "/bench/5"}
            if token:
                kw["nextToken"] = token
            resp = logs.describe_log_groups(**kw)
            pages += 1
            token = resp.get("nextToken")
            if not token:
                break
        elapsed = time.monotonic() - started
        self.assertEqual([g["logGroupName"] for g in page["logGroups"]],
                         ["/bench/9999"])
        self.assertEqual(pages, 20)  # 1000 groups, 50 per page
        self.assertLess(elapsed, 5.0)
        self.assertEqual(page["logGroups"][0]["retentionInDays"], 30)


# ---------------------------------------------------------------------------
class CloudTrailTest(EndpointTest):

    def test_create_trail_checks_the_bucket_policy(self):
        arn = "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail"
        ct = self.client("cloudtrail")
        self.fails("S3BucketDoesNotExistException", "cloudtrail",
                   "create-trail", "--name", "org-trail", "--s3-bucket-name",
                   "lk-trail")
        EP.set_state({"buckets": {"lk-trail": {}}})
        self.fails("InsufficientS3BucketPolicyException", "cloudtrail",
                   "create-trail", "--name", "org-trail", "--s3-bucket-name",
                   "lk-trail")
        # A policy for another prefix, and one bound to another trail, are
        # not enough.
        for wrong in (cloudtrail_policy("lk-trail", "elsewhere"),
                      cloudtrail_policy("lk-trail", "ct",
                                        trail_arn=arn.replace("org-", "x-"))):
            EP.set_state({"buckets": {"lk-trail": {"policy": wrong}}})
            self.client_error("InsufficientS3BucketPolicyException",
                              ct.create_trail, Name="org-trail",
                              S3BucketName="lk-trail", S3KeyPrefix="ct")
        EP.set_state({"buckets": {"lk-trail": {"policy": cloudtrail_policy(
            "lk-trail", "ct", trail_arn=arn)}}})
        created = self.ok("cloudtrail", "create-trail", "--name",
                          "org-trail", "--s3-bucket-name", "lk-trail",
                          "--s3-key-prefix", "ct", "--is-multi-region-trail",
                          "--enable-log-file-validation")
        self.assertEqual(created["TrailARN"], arn)
        self.assertTrue(created["IsMultiRegionTrail"])
        self.assertTrue(created["LogFileValidationEnabled"])
        self.batch(
            ("TrailAlreadyExistsException", "cloudtrail", "create-trail",
             "--name", "org-trail", "--s3-bucket-name", "lk-trail"),
            ("InvalidTrailNameException", "cloudtrail", "create-trail",
             "--name", "bad--name", "--s3-bucket-name", "lk-trail"))
        self.client_error("InvalidParameterCombinationException",
                          ct.create_trail, Name="second",
                          S3BucketName="lk-trail", S3KeyPrefix="ct",
                          IsMultiRegionTrail=True,
                          IncludeGlobalServiceEvents=False)
        for name in ("-x-", "ab", "a_-b", "192.168.0.1", "x" * 129):
            self.client_error("InvalidTrailNameException", ct.create_trail,
                              Name=name, S3BucketName="lk-trail")

    def test_trail_operations(self):
        arn = "arn:aws:cloudtrail:us-east-1:111122223333:trail/audit"
        EP.set_state({"buckets": {"lk-ct": {
            "policy": cloudtrail_policy("lk-ct")}}})
        self.ok("cloudtrail", "create-trail", "--name", "audit",
                "--s3-bucket-name", "lk-ct")
        trail, status, selectors, listed = self.batch(
            (None, "cloudtrail", "get-trail", "--name", "audit"),
            (None, "cloudtrail", "get-trail-status", "--name", arn),
            (None, "cloudtrail", "get-event-selectors", "--trail-name",
             "audit"),
            (None, "cloudtrail", "describe-trails"))
        self.assertEqual(trail.json["Trail"]["HomeRegion"], "us-east-1")
        self.assertFalse(trail.json["Trail"]["HasCustomEventSelectors"])
        self.assertFalse(status.json["IsLogging"])
        self.assertEqual(selectors.json["EventSelectors"], [{
            "ReadWriteType": "All", "IncludeManagementEvents": True,
            "DataResources": [], "ExcludeManagementEventSources": []}])
        self.assertEqual([t["Name"] for t in listed.json["trailList"]],
                         ["audit"])
        basic = [{"ReadWriteType": "WriteOnly",
                  "IncludeManagementEvents": True,
                  "DataResources": [{"Type": "AWS::S3::Object",
                                     "Values": ["arn:aws:s3:::lk-ct/"]}],
                  "ExcludeManagementEventSources": []}]
        advanced = [{"Name": "mgmt", "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Management"]}]}]
        _, put, _, _ = self.batch(
            (None, "cloudtrail", "start-logging", "--name", "audit"),
            (None, "cloudtrail", "put-event-selectors", "--trail-name",
             "audit", "--event-selectors", json.dumps(basic)),
            ("InvalidEventSelectorsException", "cloudtrail",
             "put-event-selectors", "--trail-name", "audit",
             "--event-selectors", json.dumps(basic),
             "--advanced-event-selectors", json.dumps(advanced)),
            (None, "cloudtrail", "update-trail", "--name", "audit",
             "--enable-log-file-validation", "--s3-key-prefix", ""))
        self.assertEqual(put.json["EventSelectors"], basic)
        ct = self.client("cloudtrail")
        self.assertTrue(ct.get_trail_status(Name="audit")["IsLogging"])
        self.assertEqual(ct.get_event_selectors(TrailName="audit")
                         ["EventSelectors"], basic)
        self.client_error("InvalidEventSelectorsException",
                          ct.put_event_selectors, TrailName="audit",
                          EventSelectors=basic * 6)
        self.batch(
            (None, "cloudtrail", "stop-logging", "--name", "audit"),
            (None, "cloudtrail", "put-event-selectors", "--trail-name",
             "audit", "--advanced-event-selectors", json.dumps(advanced)))
        got = ct.get_event_selectors(TrailName="audit")
        self.assertEqual(got["AdvancedEventSelectors"], advanced)
        self.assertNotIn("EventSelectors", got)
        status = ct.get_trail_status(Name="audit")
        self.assertFalse(status["IsLogging"])
        self.assertIn("StopLoggingTime", status)
        trail = ct.get_trail(Name="audit")["Trail"]
        self.assertTrue(trail["LogFileValidationEnabled"])
        self.assertTrue(trail["HasCustomEventSelectors"])
        self.ok("cloudtrail", "delete-trail", "--name", "audit")
        self.fails("TrailNotFoundException", "cloudtrail", "get-trail",
                   "--name", "audit")
        for fn in (ct.start_logging, ct.delete_trail, ct.get_trail_status):
            self.client_error("TrailNotFoundException", fn, Name="audit")

    def test_home_region_and_shadow_trails(self):
        EP.set_state({"buckets": {"lk-ct": {
            "policy": cloudtrail_policy("lk-ct")}}})
        ct = self.client("cloudtrail")
        ct.create_trail(Name="multi", S3BucketName="lk-ct",
                        IsMultiRegionTrail=True)
        ct.create_trail(Name="local", S3BucketName="lk-ct")
        eu = self.client("cloudtrail", region="eu-west-1")
        names = [t["Name"] for t in eu.describe_trails()["trailList"]]
        self.assertEqual(names, ["multi"])
        self.assertEqual(eu.describe_trails(includeShadowTrails=False)
                         ["trailList"], [])
        self.assertEqual(eu.get_trail(Name="multi")["Trail"]["HomeRegion"],
                         "us-east-1")
        self.client_error("InvalidHomeRegionException", eu.start_logging,
                          Name="multi")
        self.client_error("TrailNotFoundException", eu.get_trail,
                          Name="local")
        for i in range(3):
            ct.create_trail(Name=f"more-{i}", S3BucketName="lk-ct")
        self.client_error("MaximumNumberOfTrailsExceededException",
                          ct.create_trail, Name="sixth",
                          S3BucketName="lk-ct")

    def test_policy_evaluation(self):
        arn = "arn:aws:cloudtrail:us-east-1:111122223333:trail/t"
        ok = lkpolicy.cloudtrail_can_deliver
        self.assertTrue(ok(cloudtrail_policy("b"), "b", "", ACCOUNT,
                           "us-east-1", arn))
        self.assertTrue(ok(cloudtrail_policy("b", "p/q"), "b", "p/q",
                           ACCOUNT, "us-east-1", arn))
        self.assertFalse(ok(cloudtrail_policy("b"), "b", "p", ACCOUNT,
                            "us-east-1", arn))
        self.assertFalse(ok(cloudtrail_policy("b", account="444455556666"),
                            "b", "", ACCOUNT, "us-east-1", arn))
        wide = json.dumps({"Statement": [{
            "Effect": "Allow", "Principal": {"Service": [
                "config.amazonaws.com", "cloudtrail.amazonaws.com"]},
            "Action": "s3:*", "Resource": ["arn:aws:s3:::b",
                                           "arn:aws:s3:::b/*"]}]})
        self.assertTrue(ok(wide, "b", "", ACCOUNT, "us-east-1", arn))
        denied = json.loads(wide)
        denied["Statement"].append({
            "Effect": "Deny", "Principal": "*", "Action": "s3:Put*",
            "Resource": "arn:aws:s3:::b/AWSLogs/*"})
        self.assertFalse(ok(json.dumps(denied), "b", "", ACCOUNT,
                            "us-east-1", arn))
        other_service = wide.replace("cloudtrail", "delivery.logs")
        self.assertFalse(ok(other_service, "b", "", ACCOUNT, "us-east-1",
                            arn))
        like = json.loads(cloudtrail_policy("b"))
        for st in like["Statement"]:
            st.setdefault("Condition", {})["ArnLike"] = {
                "aws:SourceArn": "arn:aws:cloudtrail:*:111122223333:trail/*"}
        self.assertTrue(ok(json.dumps(like), "b", "", ACCOUNT, "us-east-1",
                           arn))
        self.assertFalse(ok(None, "b", "", ACCOUNT, "us-east-1", arn))


# ---------------------------------------------------------------------------
class StsTest(EndpointTest):

    def test_identities_and_roles(self):
        ident, assumed, _ = self.batch(
            (None, "sts", "get-caller-identity"),
            (None, "sts", "assume-role", "--role-arn", LOG_ADMIN,
             "--role-session-name", "logkeep-apply", "--duration-seconds",
             "7200"),
            ("AccessDenied", "sts", "assume-role", "--role-arn", ANALYST,
             "--role-session-name", "x1"))
        sts = self.client("sts")
        with_ext = sts.assume_role(RoleArn=ANALYST, RoleSessionName="x1",
                                   ExternalId="logkeep-external-id")
        self.client_error("ValidationError", sts.assume_role,
                          RoleArn=ANALYST, RoleSessionName="x1",
                          ExternalId="logkeep-external-id",
                          DurationSeconds=7200)
        self.client_error("AccessDenied", sts.assume_role,
                          RoleArn="arn:aws:iam::111122223333:role/Nobody",
                          RoleSessionName="x1")
        self.assertEqual(ident.json["Arn"],
                         "arn:aws:iam::111122223333:user/logkeep-ci")
        self.assertEqual(ident.json["Account"], ACCOUNT)
        creds = assumed.json["Credentials"]
        self.assertTrue(creds["AccessKeyId"].startswith("ASIA"))
        expiry = datetime.datetime.fromisoformat(
            creds["Expiration"].replace("Z", "+00:00"))
        left = expiry - datetime.datetime.now(datetime.timezone.utc)
        self.assertTrue(7000 < left.total_seconds() <= 7200, left)
        self.assertEqual(assumed.json["AssumedRoleUser"]["Arn"],
                         "arn:aws:sts::111122223333:assumed-role/LogAdmin/"
                         "logkeep-apply")
        self.assertTrue(with_ext["Credentials"]["SessionToken"])
        # The issued credentials work on every service.
        env = self.cli_env(creds["AccessKeyId"], creds["SecretAccessKey"],
                           creds["SessionToken"])
        who = self.aws("sts", "get-caller-identity", env=env)
        self.assertEqual(who.json["Arn"], "arn:aws:sts::111122223333:"
                         "assumed-role/LogAdmin/logkeep-apply")
        role_logs = self.client("logs", key=creds["AccessKeyId"],
                                secret=creds["SecretAccessKey"],
                                token=creds["SessionToken"])
        role_logs.create_log_group(logGroupName="/from/role")
        # Another account's principal is not trusted.
        outsider = self.client("sts", key=OUTSIDER_KEY,
                               secret=OUTSIDER_SECRET)
        err = self.client_error("AccessDenied", outsider.assume_role,
                                RoleArn=LOG_ADMIN,
                                RoleSessionName="outsider")
        self.assertIn("is not authorized to perform: sts:AssumeRole",
                      err["Error"]["Message"])
        # Role chaining is limited to one hour.
        chained = self.client("sts", key=creds["AccessKeyId"],
                              secret=creds["SecretAccessKey"],
                              token=creds["SessionToken"])
        err = self.client_error("ValidationError", chained.assume_role,
                                RoleArn=LOG_ADMIN, RoleSessionName="again",
                                DurationSeconds=7200)
        self.assertIn("role chaining", err["Error"]["Message"])
        self.assertEqual(chained.assume_role(
            RoleArn=LOG_ADMIN, RoleSessionName="again")["AssumedRoleUser"]
            ["Arn"], "arn:aws:sts::111122223333:assumed-role/LogAdmin/again")

    def test_web_identity(self):
        ok, _ = self.batch(
            (None, "sts", "assume-role-with-web-identity", "--role-arn",
             LOG_ADMIN, "--role-session-name", "gha", "--web-identity-token",
             WEB_TOKEN),
            ("InvalidIdentityToken", "sts", "assume-role-with-web-identity",
             "--role-arn", LOG_ADMIN, "--role-session-name", "gha",
             "--web-identity-token", "not-the-token"))
        sts = self.client("sts")
        self.client_error("ExpiredTokenException",
                          sts.assume_role_with_web_identity,
                          RoleArn=LOG_ADMIN, RoleSessionName="gha",
                          WebIdentityToken=EXPIRED_WEB_TOKEN)
        self.client_error("AccessDenied", sts.assume_role_with_web_identity,
                          RoleArn=ANALYST, RoleSessionName="gha",
                          WebIdentityToken=WEB_TOKEN)
        self.assertEqual(ok.json["SubjectFromWebIdentityToken"],
                         "repo:example/logkeep:ref:refs/heads/main")
        self.assertEqual(ok.json["Audience"], "sts.amazonaws.com")
        entry = EP.log(operation="AssumeRoleWithWebIdentity")[0]
        self.assertIsNone(entry["access_key_id"])  # sent unsigned
        # Unsigned calls of other operations are refused.
        status, _, data = self.raw(
            "POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15",
            {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual((status, self.sts_error(data)),
                         (403, "MissingAuthenticationToken"))
        status, _, data = self.send(
            "sts", "POST", "/", "Action=AssumeRole&Version=2011-06-15"
            "&RoleSessionName=x",
            {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual((status, self.sts_error(data)),
                         (400, "ValidationError"))
        status, _, data = self.send(
            "sts", "POST", "/", "Action=Nope&Version=2011-06-15",
            {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual((status, self.sts_error(data)),
                         (400, "InvalidAction"))


# ---------------------------------------------------------------------------
class AuthTest(EndpointTest):

    def test_wrong_secret_unknown_key_and_tokens(self):
        bad = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGKEY00"
        wrong = self.cli_env(KEY, bad)
        calls = [
            (wrong, "SignatureDoesNotMatch", ["s3api", "list-buckets"]),
            (wrong, "InvalidSignatureException",
             ["logs", "describe-log-groups"]),
            (wrong, "InvalidSignatureException",
             ["cloudtrail", "describe-trails"]),
            (wrong, "SignatureDoesNotMatch", ["sts", "get-caller-identity"]),
            (self.cli_env("AKIANOTAKEY000000000", SECRET),
             "InvalidAccessKeyId", ["s3api", "list-buckets"]),
            (self.cli_env(EXPIRED_KEY, EXPIRED_SECRET, EXPIRED_TOKEN),
             "ExpiredTokenException", ["logs", "describe-log-groups"]),
        ]

        def run(call):
            return self.aws(*call[2], env=call[0])
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            results = list(pool.map(run, calls))
        for call, res in zip(calls, results):
            self.assertNotEqual(res.rc, 0, repr(res))
            self.assertIn(f"({call[1]})", res.stderr, repr(res))
        # The same rejections through botocore, per service.
        cases = [
            ({"key": "AKIANOTAKEY000000000"}, ("InvalidAccessKeyId",
                                               "UnrecognizedClientException",
                                               "InvalidClientTokenId")),
            ({"key": EXPIRED_KEY, "secret": EXPIRED_SECRET,
              "token": EXPIRED_TOKEN}, ("ExpiredToken",
                                        "ExpiredTokenException",
                                        "ExpiredToken")),
            ({"key": SESSION_KEY, "secret": SESSION_SECRET},
             ("InvalidToken", "UnrecognizedClientException",
              "InvalidClientTokenId")),
            ({"key": SESSION_KEY, "secret": SESSION_SECRET,
              "token": SESSION_TOKEN + "x"},
             ("InvalidToken", "UnrecognizedClientException",
              "InvalidClientTokenId"))]
        for creds, (s3_code, logs_code, sts_code) in cases:
            self.client_error(s3_code, self.client("s3", **creds)
                              .list_buckets)
            self.client_error(logs_code, self.client("logs", **creds)
                              .describe_log_groups)
            self.client_error(logs_code, self.client("cloudtrail", **creds)
                              .describe_trails)
            self.client_error(sts_code, self.client("sts", **creds)
                              .get_caller_identity)
        # The session credential with its token is accepted.
        env = self.cli_env(SESSION_KEY, SESSION_SECRET, SESSION_TOKEN)
        who = self.aws("sts", "get-caller-identity", env=env)
        self.assertEqual(who.rc, 0, repr(who))
        self.assertIn("assumed-role/LogAdmin/ci-session", who.json["Arn"])

    def test_clock_skew(self):
        old = datetime.datetime.now(datetime.timezone.utc) - \
            datetime.timedelta(minutes=20)
        EP.set_state({"buckets": {"lk-skew": {}}})
        status, headers, data = self.send("s3", "GET", "/lk-skew?versioning",
                                          when=old)
        err = self.s3_error(data)
        self.assertEqual((status, err["Code"]), (403, "RequestTimeTooSkewed"))
        self.assertEqual(err["MaxAllowedSkewMilliseconds"], "900000")
        self.assertIn("date", headers)
        status, _, body = self.json_call("logs", "DescribeLogGroups", {},
                                         when=old)
        self.assertEqual((status, body["__type"]),
                         (403, "InvalidSignatureException"))
        self.assertIn("Signature expired", body["message"])
        status, _, data = self.send(
            "sts", "POST", "/", "Action=GetCallerIdentity&Version=2011-06-15",
            {"Content-Type": "application/x-www-form-urlencoded"}, when=old)
        self.assertEqual((status, self.sts_error(data)),
                         (403, "SignatureDoesNotMatch"))
        future = datetime.datetime.now(datetime.timezone.utc) + \
            datetime.timedelta(minutes=16)
        status, _, body = self.json_call("cloudtrail", "DescribeTrails", {},
                                         when=future)
        self.assertIn("Signature not yet current", body["message"])
        # 14 minutes is within the allowed skew.
        recent = datetime.datetime.now(datetime.timezone.utc) - \
            datetime.timedelta(minutes=14)
        status, _, _ = self.json_call("logs", "DescribeLogGroups", {},
                                      when=recent)
        self.assertEqual(status, 200)
        # Shifting the endpoint's clock has the same effect on a real client.
        EP.set_clock_offset(1200)
        self.fails("RequestTimeTooSkewed", "s3api", "get-bucket-versioning",
                   "--bucket", "lk-skew")

    def test_tampering_and_malformed_authorization(self):
        def change_body(headers, body):
            return body.replace(b"/a", b"/b")
        status, _, body = self.json_call("logs", "CreateLogGroup",
                                         {"logGroupName": "/a"},
                                         mutate=change_body)
        self.assertEqual((status, body["__type"]),
                         (403, "InvalidSignatureException"))

        def change_target(headers, body):
            headers["X-Amz-Target"] = LOGS_TARGET + "DeleteLogGroup"
        status, _, body = self.json_call("logs", "CreateLogGroup",
                                         {"logGroupName": "/a"},
                                         mutate=change_target)
        self.assertEqual(body["__type"], "InvalidSignatureException")

        def drop_signed_header(headers, body):
            del headers["Content-Type"]
        status, _, body = self.json_call("logs", "DescribeLogGroups", {},
                                         mutate=drop_signed_header)
        self.assertEqual((status, body["__type"]),
                         (403, "InvalidSignatureException"))

        def date_header_instead(headers, body):
            del headers["X-Amz-Date"]
            headers["Date"] = "Mon, 01 Jan 2001 00:00:00 GMT"
        status, _, body = self.json_call("logs", "DescribeLogGroups", {},
                                         mutate=date_header_instead)
        self.assertIn("Signature expired", body["message"])

        def host_unsigned(headers, body):
            headers["Authorization"] = headers["Authorization"].replace(
                "SignedHeaders=content-type;host;", "SignedHeaders="
                "content-type;")
        status, _, body = self.json_call("logs", "DescribeLogGroups", {},
                                         mutate=host_unsigned)
        self.assertEqual((status, body["__type"]),
                         (403, "IncompleteSignatureException"))

        def garble(headers, body):
            headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=junk"
        status, _, body = self.json_call("logs", "DescribeLogGroups", {},
                                         mutate=garble)
        self.assertEqual(body["__type"], "IncompleteSignatureException")
        EP.set_state({"buckets": {"lk-auth": {}}})
        status, _, data = self.send("s3", "GET", "/lk-auth?versioning",
                                    mutate=garble)
        self.assertEqual((status, self.s3_error(data)["Code"]),
                         (400, "AuthorizationHeaderMalformed"))

        def unsigned_amz_header(headers, body):
            headers["x-amz-acl"] = "public-read"
        status, _, data = self.send("s3", "GET", "/lk-auth?versioning",
                                    mutate=unsigned_amz_header)
        err = self.s3_error(data)
        self.assertEqual((status, err["Code"], err["HeadersNotSigned"]),
                         (403, "AccessDenied", "x-amz-acl"))

        def no_content_sha(headers, body):
            del headers["X-Amz-Content-SHA256"]
            headers["Authorization"] = headers["Authorization"].replace(
                "x-amz-content-sha256;", "")
        status, _, data = self.send("s3", "GET", "/lk-auth?versioning",
                                    mutate=no_content_sha)
        self.assertEqual((status, self.s3_error(data)["Code"]),
                         (400, "InvalidRequest"))
        status, _, data = self.send(
            "s3", "PUT", "/lk-auth?versioning", b"<other/>",
            mutate=lambda h, b: b"<VersioningConfiguration/>")
        self.assertEqual((status, self.s3_error(data)["Code"]),
                         (400, "XAmzContentSHA256Mismatch"))
        status, _, data = self.send("s3", "GET", "/lk-auth?versioning",
                                    region="us-east-1",
                                    mutate=lambda h, b: h.update(
                                        {"Authorization": h["Authorization"]
                                         .replace("Signature=",
                                                  "Signature=0")}))
        self.assertEqual(self.s3_error(data)["Code"], "SignatureDoesNotMatch")
        self.assertIn("CanonicalRequest", self.s3_error(data))
        # Unsigned requests.
        status, _, data = self.raw("GET", "/lk-auth?versioning")
        self.assertEqual((status, self.s3_error(data)["Code"]),
                         (403, "AccessDenied"))
        status, _, data = self.raw(
            "POST", "/", b"{}", {"X-Amz-Target": LOGS_TARGET +
                                 "DescribeLogGroups",
                                 "Content-Type":
                                     "application/x-amz-json-1.1"})
        self.assertEqual(json.loads(data)["__type"],
                         "MissingAuthenticationTokenException")
        # A key of one service's scope used for another.
        status, _, body = self.json_call("logs", "DescribeLogGroups", {},
                                         mutate=lambda h, b: h.update({
                                             "Authorization":
                                                 h["Authorization"].replace(
                                                     "/logs/", "/ec2/")}))
        self.assertEqual(body["__type"], "InvalidSignatureException")


# ---------------------------------------------------------------------------
class FaultTest(EndpointTest):

    def test_throttling_is_retried_by_the_cli(self):
        EP.set_state({"log_groups": {ACCOUNT: {"us-east-1": [
            {"logGroupName": "/t"}]}}})
        rule = EP.add_fault("throttle", service="logs",
                            operation="PutRetentionPolicy", count=1)
        self.assertEqual(rule["count"], 1)
        env = self.cli_env(AWS_MAX_ATTEMPTS="3")
        res = self.aws("logs", "put-retention-policy", "--log-group-name",
                       "/t", "--retention-in-days", "7", env=env)
        self.assertEqual(res.rc, 0, repr(res))
        entries = EP.log(operation="PutRetentionPolicy")
        self.assertEqual([(e["status"], e["error"], e["fault"])
                          for e in entries],
                         [(400, "ThrottlingException", "throttle"),
                          (200, None, None)])
        self.assertEqual(EP.faults(), [])
        self.assertEqual(EP.counts()["PutRetentionPolicy"], 2)
        # The next N calls, then none.
        EP.add_fault("throttle", service="logs", count=2)
        codes = [self.json_call("logs", "DescribeLogGroups", {})[0]
                 for _ in range(3)]
        self.assertEqual(codes, [400, 400, 200])
        # skip: the first N matching calls go through, the next one fails.
        EP.add_fault("throttle", service="logs", count=1, skip=2)
        codes = [self.json_call("logs", "DescribeLogGroups", {})[0]
                 for _ in range(4)]
        self.assertEqual(codes, [200, 200, 400, 200])

    def test_throttle_and_errors_per_service(self):
        EP.set_state({"buckets": {"lk-f": {}}})
        EP.add_fault("throttle", service="s3", operation="GetBucket*")
        EP.add_fault("throttle", service="sts")
        EP.add_fault("error", service="logs", count=1)
        EP.add_fault("error", service="s3", operation="HeadBucket")
        EP.add_fault("error", service="cloudtrail", status=503,
                     code="ServiceUnavailableException", message="busy")
        status, _, data = self.send("s3", "GET", "/lk-f?versioning")
        self.assertEqual((status, self.s3_error(data)["Code"]),
                         (503, "SlowDown"))
        status, _, data = self.send(
            "sts", "POST", "/", "Action=GetCallerIdentity&Version=2011-06-15",
            {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual((status, self.sts_error(data)), (400, "Throttling"))
        status, _, body = self.json_call("logs", "DescribeLogGroups", {})
        self.assertEqual((status, body["__type"]), (500, "InternalFailure"))
        status, _, data = self.send("s3", "HEAD", "/lk-f")
        self.assertEqual((status, data), (500, b""))
        status, _, body = self.json_call("cloudtrail", "DescribeTrails", {})
        self.assertEqual((status, body), (503, {
            "__type": "ServiceUnavailableException", "message": "busy"}))
        # All consumed: the next calls succeed.
        self.assertEqual(EP.faults(), [])
        self.assertEqual(self.send("s3", "GET", "/lk-f?versioning")[0], 200)
        self.assertEqual(self.json_call("logs", "DescribeLogGroups", {})[0],
                         200)
        # A 500 is retried by the CLI.
        EP.add_fault("error", service="logs", operation="DescribeLogGroups")
        self.ok("logs", "describe-log-groups", env=self.cli_env(
            AWS_MAX_ATTEMPTS="2"))

    def test_latency(self):
        EP.add_fault("latency", service="logs",
                     operation="DescribeLogGroups", latency_ms=400)
        started = time.monotonic()
        self.assertEqual(self.json_call("logs", "DescribeLogGroups", {})[0],
                         200)
        self.assertGreaterEqual(time.monotonic() - started, 0.4)
        self.json_call("cloudtrail", "DescribeTrails", {})
        durations = {e["operation"]: e["duration_ms"] for e in EP.log()}
        self.assertGreaterEqual(durations["DescribeLogGroups"], 400)
        self.assertLess(durations["DescribeTrails"], 400)
        EP.clear_faults()
        EP.add_fault("latency", latency_ms=300, count=1)
        started = time.monotonic()
        self.json_call("logs", "DescribeLogGroups", {})
        self.assertGreaterEqual(time.monotonic() - started, 0.3)
        self.assertEqual(EP.faults(), [])

    def test_dropped_and_truncated_responses(self):
        EP.add_fault("drop", service="logs", operation="CreateLogGroup")
        with self.assertRaises((http.client.RemoteDisconnected,
                                ConnectionResetError)):
            self.json_call("logs", "CreateLogGroup", {"logGroupName": "/d"})
        self.assertEqual(EP.get_state()["log_groups"], {})
        EP.add_fault("drop", service="logs", operation="CreateLogGroup",
                     after=True)
        with self.assertRaises((http.client.RemoteDisconnected,
                                ConnectionResetError)):
            self.json_call("logs", "CreateLogGroup", {"logGroupName": "/d"})
        names = [g["logGroupName"] for g in
                 EP.get_state()["log_groups"][ACCOUNT]["us-east-1"]]
        self.assertEqual(names, ["/d"])
        EP.add_fault("truncate", service="logs",
                     operation="DescribeLogGroups")
        with self.assertRaises(http.client.IncompleteRead):
            self.json_call("logs", "DescribeLogGroups", {})
        # A client with retries survives a dropped connection.
        EP.add_fault("drop", service="logs", operation="DescribeLogGroups")
        groups = self.ok("logs", "describe-log-groups", env=self.cli_env(
            AWS_MAX_ATTEMPTS="2"))["logGroups"]
        self.assertEqual(len(groups), 1)
        faults = [e["fault"] for e in EP.log(operation="DescribeLogGroups")]
        self.assertEqual(faults, ["truncate", "drop", None])

    def test_request_log_and_admin_errors(self):
        EP.set_state({"buckets": {"lk-log": {}}})
        self.send("s3", "GET", "/lk-log?versioning")
        self.json_call("logs", "DescribeLogGroups", {})
        self.send("s3", "GET", "/lk-missing?versioning")
        entries = EP.log()
        self.assertEqual([(e["service"], e["operation"], e["status"],
                           e["bucket"]) for e in entries],
                         [("s3", "GetBucketVersioning", 200, "lk-log"),
                          ("logs", "DescribeLogGroups", 200, None),
                          ("s3", "GetBucketVersioning", 404, "lk-missing")])
        self.assertEqual(entries[2]["error"], "NoSuchBucket")
        self.assertEqual(entries[0]["access_key_id"], KEY)
        self.assertEqual(len(EP.log(service="s3")), 2)
        self.assertEqual(len(EP.log(since=entries[1]["seq"])), 1)
        self.assertEqual(EP.counts("s3"), {"GetBucketVersioning": 2})
        EP.reset_log()
        self.assertEqual(EP.log(), [])
        for method, path, body in [("POST", "/_admin/faults",
                                    {"kind": "explode"}),
                                   ("GET", "/_admin/nothing", None),
                                   ("POST", "/_admin/state?mode=odd", {})]:
            with self.assertRaises(lkendpoint.AdminError) as ctx:
                EP.admin(method, path, body)
            self.assertIn(ctx.exception.status, (400, 404))


# ---------------------------------------------------------------------------
class StateTest(EndpointTest):

    def test_seed_dump_and_merge(self):
        lifecycle = {"Rules": [{"ID": "x", "Status": "Enabled",
                                "Filter": {"Prefix": "p/"},
                                "Expiration": {"Days": 30}}]}
        EP.set_state({
            "buckets": {"lk-seed": {"region": "us-east-1",
                                    "lifecycle": lifecycle,
                                    "versioning": {"Status": "Enabled"}}},
            "log_groups": {ACCOUNT: {"us-east-1": [
                {"logGroupName": "/seed/a", "retentionInDays": 7},
                {"logGroupName": "/seed/b"}]}},
            "trails": {ACCOUNT: {"seeded": {"S3BucketName": "lk-seed",
                                            "IsLogging": True}}}})
        got = self.ok("s3api", "get-bucket-lifecycle-configuration",
                      "--bucket", "lk-seed")
        self.assertEqual(got["Rules"], lifecycle["Rules"])
        status = self.client("cloudtrail").get_trail_status(Name="seeded")
        self.assertTrue(status["IsLogging"])
        EP.set_state({"log_groups": {ACCOUNT: {"us-east-1": [
            {"logGroupName": "/seed/c", "retentionInDays": 14}]}}},
            merge=True)
        dump = EP.get_state()
        self.assertEqual([g["logGroupName"] for g in
                          dump["log_groups"][ACCOUNT]["us-east-1"]],
                         ["/seed/a", "/seed/b", "/seed/c"])
        self.assertEqual(dump["buckets"]["lk-seed"]["versioning"],
                         {"Status": "Enabled"})
        self.assertEqual(dump["trails"][ACCOUNT]["seeded"]["TrailARN"],
                         "arn:aws:cloudtrail:us-east-1:111122223333:trail/"
                         "seeded")
        # Replacing with the dump is lossless.
        EP.set_state(dump)
        self.assertEqual(EP.get_state(), dump)
        EP.set_state({})
        self.assertEqual(EP.get_state(), {"buckets": {}, "log_groups": {},
                                          "trails": {}})
        result = EP.bulk(buckets={"prefix": "lk-bulk-", "count": 12})
        self.assertEqual(result["buckets"], 12)
        self.assertEqual(len(self.client("s3").list_buckets()["Buckets"]), 12)


# ---------------------------------------------------------------------------
class RobustnessTest(EndpointTest):

    def _socket(self):
        sock = socket.create_connection(("127.0.0.1", EP.port), timeout=5)
        return sock

    def test_garbage_and_broken_clients(self):
        with self._socket() as sock:
            sock.sendall(b"\x00\x01garbage\r\n\r\n")
            reply = sock.recv(4096)
            self.assertTrue(reply.startswith(b"HTTP/1."), reply)
            self.assertIn(b" 400 ", reply.split(b"\r\n")[0])
        # A client that promises a body and disappears.
        with self._socket() as sock:
            sock.sendall(b"PUT /x?lifecycle HTTP/1.1\r\nHost: a\r\n"
                         b"Content-Length: 1000\r\n\r\nshort")
        # A client that connects and says nothing does not block others.
        idle = self._socket()
        try:
            self.assertEqual(self.json_call("logs", "DescribeLogGroups",
                                            {})[0], 200)
        finally:
            idle.close()
        with self._socket() as sock:
            sock.sendall(b"PUT /b?policy HTTP/1.1\r\nHost: a\r\n"
                         b"Content-Length: 999999999\r\n\r\n")
            reply = sock.recv(4096)
            self.assertIn(b" 413 ", reply.split(b"\r\n")[0])
        with self._socket() as sock:
            sock.sendall(b"BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n")
            self.assertIn(b" 501 ", sock.recv(4096).split(b"\r\n")[0])
        # Chunked bodies are read.
        body = b'{"logGroupName": "/chunk"}'
        headers = self.sign_headers(
            "logs", "POST", "/", body,
            {"Content-Type": "application/x-amz-json-1.1",
             "X-Amz-Target": LOGS_TARGET + "CreateLogGroup"})
        with self._socket() as sock:
            head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            sock.sendall(b"POST / HTTP/1.1\r\n" + head.encode()
                         + b"Transfer-Encoding: chunked\r\n"
                         b"Connection: close\r\n\r\n"
                         + b"%x\r\n" % 10 + body[:10] + b"\r\n"
                         + b"%x\r\n" % (len(body) - 10) + body[10:]
                         + b"\r\n0\r\n\r\n")
            reply = b""
            while True:
                data = sock.recv(4096)
                if not data:
                    break
                reply += data
        self.assertIn(b" 200 ", reply.split(b"\r\n")[0], reply)
        self.assertEqual(EP.get_state()["log_groups"][ACCOUNT]["us-east-1"]
                         [0]["logGroupName"], "/chunk")
        self.assertEqual(EP.health()["ok"], True)


    def test_concurrent_clients(self):
        EP.set_state({"buckets": {"lk-conc": {}}})

        def worker(n):
            codes = []
            for i in range(20):
                codes.append(self.json_call(
                    "logs", "CreateLogGroup",
                    {"logGroupName": f"/conc/{n:02d}/{i:02d}"})[0])
                codes.append(self.json_call(
                    "logs", "CreateLogGroup",
                    {"logGroupName": f"/conc/{n:02d}/{i:02d}"})[0])
                codes.append(self.send("s3", "GET", "/lk-conc?versioning")[0])
            return codes
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            results = list(pool.map(worker, range(8)))
        for codes in results:
            self.assertEqual(codes, [200, 400, 200] * 20)
        groups = EP.get_state()["log_groups"][ACCOUNT]["us-east-1"]
        self.assertEqual(len(groups), 160)
        self.assertEqual(EP.counts("logs")["CreateLogGroup"], 320)


# ---------------------------------------------------------------------------
class ServeScriptTest(unittest.TestCase):
    """``serve`` prints the port, writes the port file and exits 0."""

    def test_start_print_port_and_stop(self):
        with tempfile.TemporaryDirectory() as tmp:
            port_file = os.path.join(tmp, "port")
            state_out = os.path.join(tmp, "state.json")
            seed = os.path.join(tmp, "seed.json")
            with open(seed, "w") as handle:
                json.dump({"buckets": {"lk-serve": {}}}, handle)
            proc = subprocess.Popen(
                ["/usr/bin/python3", os.path.join(HERE, "serve"), "--port",
                 "0", "--port-file", port_file, "--state", seed,
                 "--dump-state", state_out],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                line = proc.stdout.readline()
                match = re.fullmatch(r"PORT=(\d+)\n", line)
                self.assertIsNotNone(match, line)
                port = int(match.group(1))
                with open(port_file) as handle:
                    self.assertEqual(int(handle.read()), port)
                conn = http.client.HTTPConnection("127.0.0.1", port,
                                                  timeout=5)
                conn.request("GET", "/_admin/state")
                state = json.loads(conn.getresponse().read())
                conn.close()
                self.assertIn("lk-serve", state["buckets"])
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(10), 0, proc.stderr.read())
                with open(state_out) as handle:
                    self.assertIn("lk-serve", json.load(handle)["buckets"])
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                proc.stdout.close()
                proc.stderr.close()
        proc = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(HERE, "serve"), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.assertTrue(proc.stdout.readline().startswith("PORT="))
            proc.send_signal(signal.SIGINT)
            self.assertEqual(proc.wait(10), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()


# ---------------------------------------------------------------------------
# Running: plain, one shard, or all shards in parallel processes (each with
# its own endpoint).  The suite is dominated by AWS CLI start-up, which is
# CPU-bound; two shards keep both cores of a small machine busy.

# Relative cost of each class, to balance the shards.
WEIGHTS = {"S3Test": 18, "LogsTest": 10, "CloudTrailTest": 10,
           "StsTest": 6, "AuthTest": 5, "FaultTest": 5, "ServeScriptTest": 2}


def _test_classes():
    return [obj for name, obj in sorted(globals().items())
            if isinstance(obj, type) and issubclass(obj, unittest.TestCase)
            and obj.__module__ == __name__ and obj is not EndpointTest]


def _shard(classes, index, count):
    bins, loads = [[] for _ in range(count)], [0.0] * count
    for cls in sorted(classes, key=lambda c: (-WEIGHTS.get(c.__name__, 1),
                                              c.__name__)):
        i = loads.index(min(loads))
        bins[i].append(cls)
        loads[i] += WEIGHTS.get(cls.__name__, 1)
    return bins[index]


def _summary_line(run, failed, skipped):
    line = f"{run - failed - skipped} passed, {failed} failed"
    return line + (f", {skipped} skipped" if skipped else "")


def _run_parallel(count):
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lk-endpoint-tests.") as tmp:
        children = []
        for i in range(count):
            out = open(os.path.join(tmp, f"shard{i}.out"), "w+")
            summary = os.path.join(tmp, f"shard{i}.json")
            proc = subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), "--shard",
                 f"{i}/{count}", "--summary", summary],
                stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
            children.append((proc, out, summary))
        run = failed = skipped = 0
        ok = True
        for i, (proc, out, summary) in enumerate(children):
            rc = proc.wait()
            out.seek(0)
            sys.stdout.write(f"=== shard {i + 1}/{count} (exit {rc}) ===\n")
            sys.stdout.write(out.read())
            out.close()
            try:
                with open(summary) as handle:
                    data = json.load(handle)
                run += data["run"]
                failed += data["failed"]
                skipped += data["skipped"]
            except (OSError, ValueError, KeyError):
                failed += 1
                ok = False
            ok = ok and rc == 0
    sys.stdout.write(f"Ran {run} tests in {time.monotonic() - started:.1f}s "
                     f"({count} shards)\n")
    sys.stdout.write(_summary_line(run, failed, skipped) + "\n")
    sys.stdout.flush()
    return 0 if ok and failed == 0 else 1


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parallel", type=int, default=1, metavar="N",
                        help="run the classes in N processes, each with its "
                             "own endpoint")
    parser.add_argument("--shard", metavar="I/N",
                        help="run only shard I (0-based) of N")
    parser.add_argument("--summary", help=argparse.SUPPRESS)
    parser.add_argument("-q", "--quiet", action="store_true")
    parser.add_argument("tests", nargs="*",
                        help="tests to run (Class or Class.test_method)")
    args = parser.parse_args(argv)
    if args.parallel > 1 and not args.tests and not args.shard:
        return _run_parallel(args.parallel)
    loader = unittest.TestLoader()
    if args.tests:
        suite = loader.loadTestsFromNames(args.tests,
                                          module=sys.modules[__name__])
    else:
        classes = _test_classes()
        if args.shard:
            index, count = (int(x) for x in args.shard.split("/"))
            classes = _shard(classes, index, count)
        suite = unittest.TestSuite(loader.loadTestsFromTestCase(c)
                                   for c in classes)
    result = unittest.TextTestRunner(
        verbosity=1 if args.quiet else 2).run(suite)
    failed = len(result.failures) + len(result.errors) + \
        len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    if args.summary:
        with open(args.summary, "w") as handle:
            json.dump({"run": result.testsRun, "failed": failed,
                       "skipped": skipped}, handle)
    else:
        sys.stdout.write(_summary_line(result.testsRun, failed, skipped)
                         + "\n")
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
