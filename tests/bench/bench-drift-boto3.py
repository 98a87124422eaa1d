#!/usr/bin/python3
"""The AWS SDK side of tests/bench/bench-drift: the reads `logkeep drift` makes, made with the SDK.

Debian's python3-boto3 is used when installed; otherwise botocore (python3-botocore, the core
boto3 is built on: its clients, signing, retries and parsers) directly, through
botocore.session.get_session().create_client(). Reads, with WORKERS threads (one client per
service each, created before the clock starts for the work, as logkeep does), in logkeep's order
(longest items first):
  - STS GetCallerIdentity, first and alone;
  - DescribeTrails (shadow trails included) per TRAIL_REGIONS entry, then HeadBucket and
    GetBucketLifecycleConfiguration of every bucket a listed trail delivers to that BUCKETS
    does not name;
  - DescribeLogGroups pagination (limit 50) of every LISTING prefix ("" = the whole region);
  - per bucket HeadBucket, GetBucketLifecycleConfiguration, GetBucketPolicy, GetBucketVersioning,
    GetObjectLockConfiguration, GetPublicAccessBlock, GetBucketEncryption ("not configured"
    errors are absent state, as for logkeep);
  - per trail GetTrail, GetTrailStatus, GetEventSelectors.
Credentials, region and endpoint come from the environment (AWS_ENDPOINT_URL is passed to the
clients explicitly: botocore 1.29 does not read it).

It also reports its own CPU time (getrusage) in three parts: interpreter start and imports,
client creation, and the reads themselves.

Usage: bench-drift-boto3.py SPEC.json   (SPEC: {"buckets": [...], "trails": [...],
        "listings": ["", ...], "trail_regions": ["us-east-1", ...], "workers": 8}); prints a
        JSON summary on stdout.
"""
import json
import os
import resource
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

try:
    import boto3  # noqa: F401
    SDK = "boto3 " + boto3.__version__
except ImportError:
    boto3 = None
    import botocore
    SDK = "botocore " + botocore.__version__
import botocore.config
import botocore.exceptions
import botocore.session

ABSENT = {"NoSuchBucket", "NotFound", "404", "NoSuchLifecycleConfiguration", "NoSuchBucketPolicy",
          "ObjectLockConfigurationNotFoundError", "NoSuchPublicAccessBlockConfiguration",
          "ServerSideEncryptionConfigurationNotFoundError", "TrailNotFoundException"}


def make_clients(endpoint, trail_regions):
    cfg = botocore.config.Config(retries={"mode": "standard"}, max_pool_connections=1,
                                 s3={"addressing_style": "path"})
    if boto3 is not None:
        sess = boto3.session.Session()
        make = sess.client
    else:
        sess = botocore.session.get_session()
        make = sess.create_client
    clients = {svc: make(svc, endpoint_url=endpoint, config=cfg)
               for svc in ("s3", "logs", "cloudtrail", "sts")}
    for region in trail_regions:
        clients["cloudtrail@" + region] = make("cloudtrail", endpoint_url=endpoint, config=cfg,
                                               region_name=region)
    return clients


def call(counter, fn, **kw):
    counter[0] += 1
    try:
        return fn(**kw)
    except botocore.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ABSENT:
            return None
        raise


def cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def main():
    cpu_imported = cpu()
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    workers = int(spec.get("workers", 8))
    trail_regions = spec.get("trail_regions", [])
    pool = [make_clients(endpoint, trail_regions) for _ in range(workers)]
    cpu_clients = cpu()
    free = list(pool)
    lock = threading.Lock()
    counter = [0]
    found = {"log_groups": 0, "buckets": 0, "trails": 0, "unmanaged_stores": 0}

    def with_client(fn):
        def run(arg):
            with lock:
                c = free.pop()
            try:
                return fn(c, arg)
            finally:
                with lock:
                    free.append(c)
        return run

    def listing(c, prefix):
        n = 0
        kw = {"limit": 50}
        if prefix:
            kw["logGroupNamePrefix"] = prefix
        while True:
            page = call(counter, c["logs"].describe_log_groups, **kw)
            n += len(page.get("logGroups", []))
            token = page.get("nextToken")
            if not token:
                return ("log_groups", n)
            kw["nextToken"] = token

    governed = set(spec["buckets"])
    queued = set()
    extra = []  # the buckets the trail listings name outside the policy

    def trail_listing(c, region):
        got = call(counter, c["cloudtrail@" + region].describe_trails, includeShadowTrails=True)
        with lock:
            for t in got.get("trailList", []):
                b = t.get("S3BucketName")
                if b and b not in governed and b not in queued:
                    queued.add(b)
                    extra.append(b)
        return ("trails", 0)

    def unmanaged_store(c, name):
        s3 = c["s3"]
        if call(counter, s3.head_bucket, Bucket=name) is None:
            return ("unmanaged_stores", 0)
        call(counter, s3.get_bucket_lifecycle_configuration, Bucket=name)
        return ("unmanaged_stores", 1)

    def bucket(c, name):
        s3 = c["s3"]
        if call(counter, s3.head_bucket, Bucket=name) is None:
            return ("buckets", 0)
        for fn in (s3.get_bucket_lifecycle_configuration, s3.get_bucket_policy,
                   s3.get_bucket_versioning, s3.get_object_lock_configuration,
                   s3.get_public_access_block, s3.get_bucket_encryption):
            call(counter, fn, Bucket=name)
        return ("buckets", 1)

    def trail(c, name):
        ct = c["cloudtrail"]
        if call(counter, ct.get_trail, Name=name) is None:
            return ("trails", 0)
        call(counter, ct.get_trail_status, Name=name)
        call(counter, ct.get_event_selectors, TrailName=name)
        return ("trails", 1)

    t0 = time.monotonic()
    ident = call(counter, pool[0]["sts"].get_caller_identity)
    items = ([(trail_listing, r) for r in trail_regions]
             + [(listing, p) for p in spec.get("listings", [""])]
             + [(bucket, b) for b in spec["buckets"]]
             + [(trail, t) for t in spec["trails"]])
    with ThreadPoolExecutor(max_workers=workers) as ex:
        futures = [ex.submit(with_client(fn), arg) for fn, arg in items]
        for fut in futures:
            kind, n = fut.result()
            found[kind] += n
        # The buckets the trail listings named, once every listing is read.
        for fut in [ex.submit(with_client(unmanaged_store), b) for b in extra]:
            kind, n = fut.result()
            found[kind] += n
    elapsed = time.monotonic() - t0
    cpu_end = cpu()
    json.dump({"sdk": SDK, "account": ident["Account"], "requests": counter[0],
               "elapsed_s": round(elapsed, 3), "workers": workers,
               "cpu_import_s": round(cpu_imported, 3),
               "cpu_clients_s": round(cpu_clients - cpu_imported, 3),
               "cpu_reads_s": round(cpu_end - cpu_clients, 3), **found}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
