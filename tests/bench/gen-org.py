#!/usr/bin/python3
"""Generates an organisation for the benchmark (tests/bench/bench-org): a logkeep policy of
N accounts x M Regions, and the local endpoint's matching bulk request.

Usage: gen-org.py ACCOUNTS REGIONS POLICY_DIR [BULK_JSON]

The accounts are those of the endpoint's generated organisation (POST /_admin/bulk with
{"organization": {"accounts": N, "management_account": ..., "first_account": ...}}, see
tests/aws-endpoint/README.md): the management account 123456789012 and N-1 consecutive ids from
200000000000. The first generated account is the log archive, the second the security account
(a delegated administrator), the others workloads. The policy (POLICY_DIR/organization.yaml and
POLICY_DIR/sources.yaml):
  - one store in the log archive, home Region, encrypted with the archive key KEY_ID (which
    bench-org seeds: logkeep never creates keys), that every account and Region writes into: the
    organisation trail (management account), AWS Config (every account), VPC Flow Logs (every
    workload), GuardDuty (the security account);
  - an application log-group source "/app/*" over every workload in every Region, and the
    `unmanaged` rule;
  - access through LogkeepDeploy / LogkeepAudit, which the bulk request gives every account.
BULK_JSON (optional) receives the bulk request: the organisation with those roles, and in each
workload account and Region LK_BENCH_GROUPS_PER_PAIR (default 5) log groups "/app/svc-NNN"
whose retention already is the policy's, so that a plan or drift after one apply is in sync.
"""
import json
import os
import sys

MANAGEMENT = "123456789012"
FIRST = 200000000000
ORG_ID = "o-a1b2c3d4e5"
# Regions enabled by default (none is an opt-in Region), home Region first.
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1",
           "ap-northeast-1", "us-east-2", "eu-west-2", "ca-central-1", "sa-east-1",
           "ap-south-1", "eu-north-1"]
APP_DAYS = 400  # operational: delete_after 400d, the log groups' retention
# The archive key (logkeep never creates keys: bench-org seeds it in the log-archive account).
KEY_ID = "0b1c2d3e-4f50-4172-8394-a5b6c7d8e9f0"


def key_arn(archive, region="us-east-1"):
    return f"arn:aws:kms:{region}:{archive}:key/{KEY_ID}"


def account_ids(n):
    ids = [MANAGEMENT]
    k = 0
    while len(ids) < n:
        acct = f"{FIRST + k:012d}"
        k += 1
        if acct != MANAGEMENT:
            ids.append(acct)
    return ids


def names(n):
    """@return [(name, id, kind)] of the n accounts."""
    ids = account_ids(n)
    out = [("management", ids[0], "management"), ("log-archive", ids[1], "log-archive"),
           ("security", ids[2], "security")]
    out += [(f"w{i:04d}", acct, "workload") for i, acct in enumerate(ids[3:])]
    return out


def policy(n_accounts, n_regions):
    if n_accounts < 4:
        raise SystemExit("gen-org.py: at least 4 accounts (management, archive, security, one "
                         "workload)")
    if not 1 <= n_regions <= len(REGIONS):
        raise SystemExit(f"gen-org.py: 1 to {len(REGIONS)} Regions")
    accts = names(n_accounts)
    archive = accts[1][1]
    regions = REGIONS[:n_regions]
    org = ["logkeep: 1", f"organization: {ORG_ID}", f"region: {regions[0]}",
           f"regions: [{', '.join(regions)}]", "", "accounts:"]
    for name, acct, kind in accts:
        extra = ", delegated_admin: [guardduty, config]" if kind == "security" else ""
        kind_s = "" if kind == "workload" else f", kind: {kind}"
        org.append(f'  {name}: {{ id: "{acct}"{kind_s}{extra} }}')
    org += ["", "account_groups:", "  workloads:"]
    org += [f"    - {name}" for name, _, kind in accts if kind == "workload"]
    org += ["", "access:", "  apply_role: LogkeepDeploy", "  read_role: LogkeepAudit",
            "  external_id: logkeep-audit-external-id", "",
            "roles:", "  log-platform:",
            f"    principals: [arn:aws:iam::{archive}:role/LogkeepDeploy]", "    access: admin",
            "  analysts:", f"    principals: [arn:aws:iam::{accts[2][1]}:role/SecurityAnalyst]",
            "    access: read",
            # plan and drift read the store as LogkeepAudit: it must be a reader (language.md).
            "  logkeep-audit:", f"    principals: [arn:aws:iam::{archive}:role/LogkeepAudit]",
            "    access: read", "",
            "stores:", "  archive:", "    account: log-archive",
            f"    bucket: bench-org-archive-{archive}", "    versioning: true",
            f"    encryption: {{ kms_key: {key_arn(archive, regions[0])} }}",
            "    transition_small_objects: true", "    readers: [analysts, logkeep-audit]",
            "    admins: [log-platform]", "",
            "retention:", "  evidence:", "    available: 1y",
            "    archive: [{ after: 1y, class: glacier-ir }]", "    delete_after: 7y",
            "  operational:", "    available: 92d", f"    delete_after: {APP_DAYS}d", "",
            "unmanaged:", "  log_groups: { delete_after: 1y }", ""]
    src = ["logkeep: 1", "sources:",
           "  org-trail:", "    type: cloudtrail", "    purpose: organisation activity",
           "    accounts: management", "    retention: evidence", "    store: archive",
           "    prefix: cloudtrail/", "    trail: { name: bench-org-trail, organization: true, "
           f"multi_region: true, kms_key: {key_arn(archive, regions[0])} }}",
           "  config:", "    type: config", "    purpose: configuration history",
           "    retention: evidence", "    store: archive", "    prefix: config/",
           "  guardduty:", "    type: guardduty",
           "    purpose: threat findings kept for investigations",
           "    accounts: security", "    retention: evidence", "    store: archive",
           "    prefix: guardduty/",
           "  flow:", "    type: vpc-flow-logs", "    purpose: network forensics",
           "    accounts: workloads", "    retention: operational", "    store: archive",
           "    prefix: vpcflow/",
           "  app:", "    type: cloudwatch-logs", "    purpose: incident response",
           "    accounts: workloads", '    log_groups: ["/app/*"]',
           "    retention: operational", ""]
    return "\n".join(org), "\n".join(src)


def bulk(n_accounts, n_regions, per_pair):
    accts = names(n_accounts)
    groups = [{"prefix": "/app/svc-", "count": per_pair, "retention": APP_DAYS,
               "account": acct, "region": region}
              for _, acct, kind in accts if kind == "workload"
              for region in REGIONS[:n_regions]] if per_pair > 0 else []
    spec = {"organization": {"accounts": n_accounts, "ous": 4,
                             "management_account": MANAGEMENT, "first_account": FIRST,
                             "roles": ["LogkeepDeploy", "LogkeepAudit"]}}
    if groups:
        spec["log_groups"] = groups
    return spec


def main(argv):
    if len(argv) not in (4, 5):
        raise SystemExit(__doc__.split("\n\n")[1])
    n_accounts, n_regions, out_dir = int(argv[1]), int(argv[2]), argv[3]
    org, src = policy(n_accounts, n_regions)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "organization.yaml"), "w", encoding="utf-8") as f:
        f.write(org)
    with open(os.path.join(out_dir, "sources.yaml"), "w", encoding="utf-8") as f:
        f.write(src)
    if len(argv) == 5:
        per_pair = int(os.environ.get("LK_BENCH_GROUPS_PER_PAIR", "5"))
        with open(argv[4], "w", encoding="utf-8") as f:
            json.dump(bulk(n_accounts, n_regions, per_pair), f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
