#!/usr/bin/python3
"""Writes the policy of tests/bench/bench-drift: STORES stores (one bucket each), one s3 source per
store, TRAILS cloudtrail sources (plain, multi-Region trails, no CloudWatch delivery) and PATTERNS
cloudwatch-logs sources "/app/team-NN/*". Account 111122223333, region us-east-1.

Usage: bench-drift-policy.py [STORES [TRAILS [PATTERNS]]] > policy.yaml   (defaults 300 3 20)
"""
import sys

ACCOUNT = "111122223333"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
# Retention of the log-group sources: CloudWatch keeps them this long (a CloudWatch value).
GROUP_RETENTION_DAYS = 90


def policy(stores=300, trails=3, patterns=20):
    out = []
    w = out.append
    w("logkeep: 1\n")
    w(f'account: "{ACCOUNT}"\n')
    w("region: us-east-1\n\n")
    w("roles:\n")
    w("  analysts:\n")
    w(f"    principals: [arn:aws:iam::{ACCOUNT}:role/SecurityAnalyst]\n")
    w("    access: read\n")
    w("  admins:\n")
    w(f"    principals: [arn:aws:iam::{ACCOUNT}:role/LogAdmin]\n")
    w("    access: admin\n\n")
    w("stores:\n")
    for s in range(stores):
        w(f"  store-{s:03d}:\n")
        w(f"    bucket: bench-drift-{s:03d}-{ACCOUNT}\n")
        w(f"    encryption: {{ kms_key: {KEY_ARN} }}\n")
        w("    versioning: true\n")
        w("    transition_small_objects: false\n")
        w("    readers: [analysts]\n")
        w("    admins: [admins]\n")
    w("\nretention:\n")
    w("  evidence:\n")
    w("    available: 90d\n")
    w("    archive:\n")
    w("      - { after: 90d, class: glacier }\n")
    w("      - { after: 1y, class: deep-archive }\n")
    w("    delete_after: 7y\n")
    w("  operational:\n")
    w(f"    available: {GROUP_RETENTION_DAYS}d\n")
    w(f"    delete_after: {GROUP_RETENTION_DAYS}d\n")
    w("\nsources:\n")
    for s in range(stores):
        w(f"  flow-{s:03d}:\n")
        w("    type: vpc-flow-logs\n")
        w(f"    purpose: network forensics for segment {s}\n")
        w(f"    store: store-{s:03d}\n")
        w("    prefix: vpcflow/\n")
        w("    retention: evidence\n")
    for t in range(trails):
        w(f"  trail-{t}:\n")
        w("    type: cloudtrail\n")
        w("    purpose: security investigations and audit evidence\n")
        w(f"    store: store-{t:03d}\n")
        w(f"    prefix: cloudtrail-{t}/\n")
        w("    retention: evidence\n")
        w("    trail:\n")
        w("      multi_region: true\n")
        w("      log_file_validation: true\n")
    for p in range(patterns):
        w(f"  team-{p:02d}:\n")
        w("    type: cloudwatch-logs\n")
        w(f"    purpose: incident response for team {p}\n")
        w(f'    log_groups: ["/app/team-{p:02d}/*"]\n')
        w("    retention: operational\n")
    w("\nunmanaged:\n")
    w("  log_groups: { delete_after: 1y }\n")
    return "".join(out)


if __name__ == "__main__":
    sys.stdout.write(policy(*(int(a) for a in sys.argv[1:4])))
