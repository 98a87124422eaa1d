"""The fixture of tests/bench/bench-drift, shared with tests/bench/bench-transport-floor.

The policy (tests/bench/bench-drift-policy.py): STORES stores (one bucket each) used by as many
vpc-flow-logs sources, TRAILS cloudtrail sources, PATTERNS cloudwatch-logs sources
"/app/team-NN/*" covering PER_PATTERN log groups each, an `unmanaged` section. prepare()
validates it, creates the log groups in bulk with the policy's retention and runs
`logkeep apply --auto-approve` once as the LogAdmin session, so that the live state equals the
policy and `logkeep drift` finds it in sync. Environment: BENCH_LATENCY_MS (20),
BENCH_GROUPS_PER_PATTERN (500), BENCH_PATTERNS (20), BENCH_STORES (300), BENCH_TRAILS (3).
"""
import importlib.util
import json
import math
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "aws-endpoint"))
import lkendpoint  # noqa: E402,F401 (re-exported: the benchmarks start the endpoint with it)

PYTHON = "/usr/bin/python3"
LATENCY_MS = int(os.environ.get("BENCH_LATENCY_MS", "20"))
PER_PATTERN = int(os.environ.get("BENCH_GROUPS_PER_PATTERN", "500"))
PATTERNS = int(os.environ.get("BENCH_PATTERNS", "20"))
STORES = int(os.environ.get("BENCH_STORES", "300"))
TRAILS = int(os.environ.get("BENCH_TRAILS", "3"))
CONCURRENCY = 8  # LK_LIVE_DEFAULT_CONCURRENCY (runtime/live.h)
PAGE = 50        # LK_LIVE_LOG_GROUPS_PER_PAGE: DescribeLogGroups' maximum limit
# The LogAdmin session of default-config.json (an admin of every store: apply's lock-out guard).
SESSION = dict(access_key_id="ASIAIOSFODNN7SESSION",
               secret_access_key="je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
               session_token="IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENlogkeep0001")
BUCKET_OPS = ["HeadBucket", "GetBucketLifecycleConfiguration", "GetBucketPolicy",
              "GetBucketVersioning", "GetObjectLockConfiguration", "GetPublicAccessBlock",
              "GetBucketEncryption"]
TRAIL_OPS = ["GetTrail", "GetTrailStatus", "GetEventSelectors"]


def load_policy_module():
    spec = importlib.util.spec_from_file_location(
        "bench_drift_policy", os.path.join(HERE, "bench-drift-policy.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def timed(args, env, out_path):
    """Runs args; returns (exit status, wall seconds, CPU seconds user+sys of the child)."""
    with open(out_path, "wb") as out, open(out_path + ".err", "wb") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, wall, ru.ru_utime + ru.ru_stime


def tail(path, n=20):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def write_policy(exe, pol, tmp):
    """Writes the policy into tmp and checks that it validates; returns its path."""
    policy = os.path.join(tmp, "policy.yaml")
    with open(policy, "w", encoding="utf-8") as f:
        f.write(pol.policy(STORES, TRAILS, PATTERNS))
    r = subprocess.run([exe, "validate", policy], capture_output=True, text=True)
    # Warnings are allowed: the trails carry no kms_key of their own (LK405), so that the
    # figures stay comparable with earlier runs of this benchmark.
    if r.returncode != 0 or not ("no problems found" in r.stdout + r.stderr
                                 or "\n0 errors," in "\n" + r.stdout + r.stderr):
        sys.exit(f"bench: the policy does not validate cleanly:\n{r.stdout}{r.stderr}")
    return policy


def names(pol):
    """The buckets, trails and log group prefixes of the policy."""
    buckets = [f"bench-drift-{s:03d}-{pol.ACCOUNT}" for s in range(STORES)]
    trails = [f"trail-{t}" for t in range(TRAILS)]
    prefixes = [f"/app/team-{p:02d}/" for p in range(PATTERNS)]
    return buckets, trails, prefixes


def prepare(ep, exe, pol, policy, tmp):
    """Fills the endpoint and applies the policy. Returns the client environment (the LogAdmin
    session), the seconds apply took and the requests it made (by operation)."""
    env = ep.client_env(**SESSION)
    env.pop("NO_COLOR", None)
    _, _, prefixes = names(pol)
    # The stores' key exists (logkeep never creates keys) with AWS's default key policy;
    # apply adds the statements the stores' writers need (--allow key-policy:ID).
    ep.set_state({"keys": {pol.KEY_ARN: {"policy": json.dumps(
        {"Version": "2012-10-17", "Statement": [
            {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{pol.ACCOUNT}:root"}, "Action": "kms:*",
             "Resource": "*"}]}), "owner": pol.ACCOUNT, "region": "us-east-1"}}}, merge=True)
    ep.bulk(log_groups=[{"prefix": p, "count": PER_PATTERN,
                         "retention": pol.GROUP_RETENTION_DAYS} for p in prefixes])
    ep.reset_log()
    rc, wall, _ = timed([exe, "apply", "--auto-approve", "--allow",
                         f"key-policy:{pol.KEY_ARN.rsplit('/', 1)[1]}", policy], env,
                        os.path.join(tmp, "apply.out"))
    if rc != 0:
        sys.exit(f"bench: apply failed ({rc}):\n{tail(os.path.join(tmp, 'apply.out'))}"
                 f"{tail(os.path.join(tmp, 'apply.out.err'))}")
    return env, wall, ep.counts()


def minimum():
    """The fewest requests a drift of the fixture can make, by operation (see bench-drift)."""
    groups = PATTERNS * PER_PATTERN
    mins = {"GetCallerIdentity": 1, "GetKeyPolicy": 1,
            "DescribeLogGroups": max(1, math.ceil(groups / PAGE)),
            # The trails are homed in the policy's region (us-east-1): one DescribeTrails.
            "DescribeTrails": 1,
            # Coverage of the vpc-flow-logs sources: the Region's VPCs, one page (none here,
            # so no flow log to ask for).
            "DescribeVpcs": 1}
    for op in BUCKET_OPS:
        mins[op] = STORES
    for op in TRAIL_OPS:
        mins[op] = TRAILS
    return mins


def write_sdk_spec(pol, tmp):
    """The input of tests/bench/bench-drift-boto3.py; returns its path."""
    buckets, trails, _ = names(pol)
    spec_path = os.path.join(tmp, "sdk-spec.json")
    with open(spec_path, "w", encoding="utf-8") as f:
        json.dump({"buckets": buckets, "trails": trails, "listings": [""],
                   "trail_regions": ["us-east-1"], "workers": CONCURRENCY}, f)
    return spec_path
