#!/usr/bin/python3
"""Generates a large, valid logkeep policy for the benchmark.

Usage: gen-policy.py SOURCES STORES ROLES > policy.yaml
"""
import sys


def main():
    n_sources, n_stores, n_roles = (int(a) for a in sys.argv[1:4])
    out = []
    w = out.append
    w("logkeep: 1\n")
    w('account: "111122223333"\n')
    w("region: eu-west-1\n")
    w("baselines: [sec04-bp01]\n\n")
    w("roles:\n")
    for r in range(n_roles):
        access = "admin" if r % 10 == 0 else "read"
        w(f"  role-{r}:\n")
        w(f"    principals: [\"arn:aws:iam::111122223333:role/team-{r}\"]\n")
        w(f"    access: {access}\n")
    read_roles = [r for r in range(n_roles) if r % 10 != 0]
    admin_roles = [r for r in range(n_roles) if r % 10 == 0]
    w("\nstores:\n")
    for s in range(n_stores):
        w(f"  store-{s}:\n")
        w(f"    bucket: bench-logs-{s}-111122223333\n")
        w("    encryption: { kms_key: \"arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\" }\n")
        w("    transition_small_objects: false\n")
        w(f"    readers: [role-{read_roles[s % len(read_roles)]}]\n")
        w(f"    admins: [role-{admin_roles[s % len(admin_roles)]}]\n")
    w("\nretention:\n")
    w("  evidence:\n")
    w("    available: 90d\n")
    w("    archive:\n")
    w("      - { after: 90d, class: glacier-ir }\n")
    w("      - { after: 1y, class: deep-archive }\n")
    w("    delete_after: 7y\n")
    w("  operational:\n")
    w("    available: 90d\n")  # sec04-bp01 (listed above): at least 90 days readily available
    w("    delete_after: 1y\n")
    w("\nsources:\n")
    types = ["vpc-flow-logs", "nlb-access-logs", "s3-prefix", "network-firewall", "config"]
    s3_count = 0
    for i in range(n_sources):
        if i % 4 == 3:
            w(f"  app-{i}:\n")
            w("    type: cloudwatch-logs\n")
            w(f"    purpose: incident response for service {i}\n")
            w(f"    log_groups: [\"/app/service-{i}/*\"]\n")
            w("    retention: operational\n")
        else:
            w(f"  src-{i}:\n")
            w(f"    type: {types[i % len(types)]}\n")
            w(f"    purpose: network forensics for segment {i}\n")
            w(f"    store: store-{s3_count % n_stores}\n")
            s3_count += 1
            w(f"    prefix: logs/src-{i}/\n")
            w("    retention: evidence\n")
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
