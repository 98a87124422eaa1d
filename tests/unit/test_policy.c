/*
 * Unit tests: decoding, merging several files, references and the semantic checks.
 */
#include "lk_test.h"

#include <stdio.h>

#define ROLES                                                                                      \
    "roles:\n"                                                                                     \
    "  readers: { principals: [\"arn:aws:iam::111122223333:role/Analyst\"], access: read }\n"     \
    "  admins: { principals: [\"arn:aws:iam::111122223333:role/LogAdmin\"], access: admin }\n"
#define STORE                                                                                      \
    "stores:\n"                                                                                    \
    "  archive:\n"                                                                                 \
    "    bucket: acme-logs-111122223333\n"                                                       \
    "    encryption: { kms_key: \"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\" }\n"           \
    "    transition_small_objects: false\n"                                                     \
    "    readers: [readers]\n"                                                                    \
    "    admins: [admins]\n"

static struct lk_policy *s_policy(const char *body)
{
    char *yaml = lk_xmalloc(strlen(body) + 4096);
    sprintf(yaml, "%s%s%s%s", LK_TEST_HEADER, ROLES, STORE, body);
    struct lk_policy *p = lk_test_policy(yaml);
    free(yaml);
    return p;
}

START_TEST(test_clean)
{
    struct lk_policy *p = s_policy("sources:\n"
                                   "  trail:\n"
                                   "    type: cloudtrail\n"
                                   "    purpose: audit evidence and investigations\n"
                                   "    store: archive\n"
                                   "    prefix: ct/\n"
                                   "    trail: { kms_key: \"arn:aws:kms:us-east-1:111122223333:"
                                   "key/1234abcd-12ab-34cd-56ef-1234567890ab\" }\n"
                                   "    retention: { available: 90d, archive: [{after: 90d, class: "
                                   "glacier-ir}], delete_after: 7y }\n");
    for (size_t i = 0; i < p->diags.n; i++)
        ck_abort_msg("unexpected %s: %s", p->diags.items[i].rule->id, p->diags.items[i].message);
    ck_assert_uint_eq(p->n_srcs, 1);
    struct lk_source *s = p->srcs[0];
    ck_assert_ptr_nonnull(s->retention);
    ck_assert_int_eq(s->retention->delete_after.days, 2557);
    ck_assert_int_eq(s->retention->tiers[0].storage_class, LK_SC_GLACIER_IR);
    ck_assert_ptr_eq(s->store, p->stores[0]);
    lk_policy_free(p);
}
END_TEST

START_TEST(test_merge_duplicates)
{
    struct lk_policy *p = lk_policy_new();
    const char *a = LK_TEST_HEADER "retention:\n  keep: { delete_after: 1y }\n";
    const char *b = "logkeep: 1\naccount: \"444455556666\"\nretention:\n  keep: { delete_after: 2y }\n";
    lk_policy_load_buffer(p, "a.yaml", a, strlen(a));
    lk_policy_load_buffer(p, "b.yaml", b, strlen(b));
    lk_policy_check(p);
    const struct lk_diag *d = lk_test_find(p, "LK012");
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->span.file, 1);
    ck_assert_uint_eq(d->related.file, 0); /* "first defined here" points at a.yaml */
    ck_assert_uint_eq(d->related.line, 5);
    d = lk_test_find(p, "LK015");
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->span.file, 1);
    ck_assert_uint_eq(d->related.line, 2);
    lk_policy_free(p);
}
END_TEST

START_TEST(test_references)
{
    struct lk_policy *p = s_policy("retention:\n  evidence: { delete_after: 1y }\n"
                                   "sources:\n"
                                   "  t:\n"
                                   "    type: s3-prefix\n"
                                   "    purpose: audit evidence for the auditors\n"
                                   "    store: archiv\n"
                                   "    retention: evidense\n");
    const struct lk_diag *d = lk_test_find(p, "LK013");
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(lk_test_count(p, "LK013"), 2);
    ck_assert_str_eq(p->diags.items[p->diags.n - 2].help, "did you mean \"archive\"?");
    ck_assert_str_eq(p->diags.items[p->diags.n - 1].help, "did you mean \"evidence\"?");
    /* Nothing uses the class or the store now. */
    ck_assert_uint_eq(lk_test_count(p, "LK017"), 2);
    lk_policy_free(p);
}
END_TEST

START_TEST(test_retention_rules)
{
    struct lk_policy *p = s_policy(
        "retention:\n"
        "  bad:\n"
        "    available: 200d\n"
        "    archive:\n"
        "      - { after: 20d, class: standard-ia }\n"       /* LK108 */
        "      - { after: 40d, class: glacier }\n"           /* LK107, LK109 */
        "      - { after: 30d, class: deep-archive }\n"      /* LK105 */
        "      - { after: 400d, class: deep-archive }\n"     /* LK105 (same class) */
        "    delete_after: 100d\n"                           /* LK104 */
        "sources:\n"
        "  s:\n"
        "    type: s3-prefix\n"
        "    purpose: evidence for audits\n"
        "    store: archive\n"
        "    retention: bad\n");
    ck_assert_uint_eq(lk_test_count(p, "LK104"), 1);
    ck_assert_uint_eq(lk_test_count(p, "LK108"), 1);
    ck_assert_uint_eq(lk_test_count(p, "LK107"), 1);
    ck_assert_uint_eq(lk_test_count(p, "LK109"), 1);
    ck_assert_uint_ge(lk_test_count(p, "LK105"), 1);
    lk_policy_free(p);
}
END_TEST

START_TEST(test_forever_and_cloudwatch)
{
    struct lk_policy *p = s_policy("sources:\n"
                                   "  a:\n"
                                   "    type: cloudwatch-logs\n"
                                   "    purpose: payment dispute investigations\n"
                                   "    log_groups: [\"/app/a/*\"]\n"
                                   "    retention: { delete_after: forever }\n"
                                   "  b:\n"
                                   "    type: cloudwatch-logs\n"
                                   "    purpose: payment dispute investigations\n"
                                   "    log_groups: [\"/app/b/*\"]\n"
                                   "    retention: { delete_after: forever }\n"
                                   "    forever_because: legal hold on payment disputes\n"
                                   "  c:\n"
                                   "    type: cloudwatch-logs\n"
                                   "    purpose: payment dispute investigations\n"
                                   "    log_groups: [\"/app/c/*\"]\n"
                                   "    retention: { delete_after: 366d }\n"
                                   "  d:\n"
                                   "    type: cloudwatch-logs\n"
                                   "    purpose: payment dispute investigations\n"
                                   "    log_groups: [\"/app/d/*\"]\n"
                                   "    retention: { delete_after: 11y }\n");
    ck_assert_uint_eq(lk_test_count(p, "LK101"), 1);
    ck_assert_uint_eq(lk_test_count(p, "LK102"), 1);
    const struct lk_diag *d = lk_test_find(p, "LK111");
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(d->message,
                     "CloudWatch Logs keeps 400 days: 366 days rounded up to the next allowed value");
    ck_assert_uint_eq(lk_test_count(p, "LK112"), 1);
    lk_policy_free(p);
}
END_TEST

START_TEST(test_overlap)
{
    struct lk_policy *p = s_policy("sources:\n"
                                   "  a:\n"
                                   "    type: s3-prefix\n"
                                   "    purpose: audit evidence for auditors\n"
                                   "    store: archive\n"
                                   "    prefix: logs/\n"
                                   "    retention: { delete_after: 1y }\n"
                                   "  b:\n"
                                   "    type: s3-prefix\n"
                                   "    purpose: audit evidence for auditors\n"
                                   "    store: archive\n"
                                   "    prefix: logs/app/\n"
                                   "    retention: { delete_after: 2y }\n"
                                   "  c:\n"
                                   "    type: s3-prefix\n"
                                   "    purpose: audit evidence for auditors\n"
                                   "    store: archive\n"
                                   "    prefix: other/\n"
                                   "    retention: { delete_after: 2y }\n"
                                   "  d:\n"
                                   "    type: s3-prefix\n"
                                   "    purpose: audit evidence for auditors\n"
                                   "    store: archive\n"
                                   "    prefix: other/\n"
                                   "    retention: { delete_after: 2y }\n");
    ck_assert_uint_eq(lk_test_count(p, "LK114"), 1);
    const struct lk_diag *d = lk_test_find(p, "LK114");
    ck_assert_uint_eq(d->span.line, 25); /* b's prefix */
    lk_policy_free(p);
}
END_TEST

START_TEST(test_access_and_integrity)
{
    struct lk_policy *p = lk_test_policy(
        LK_TEST_HEADER
        "roles:\n"
        "  everyone: { principals: [\"*\"], access: read }\n"
        "  foreign: { principals: [\"444455556666\", \"arn:aws:iam::444455556666:root\"], access: read }\n"
        "stores:\n"
        "  s:\n"
        "    bucket: acme-logs-111122223333\n"
        "    versioning: false\n"
        "    readers: [everyone]\n"
        "    admins: [foreign]\n"
        "sources:\n"
        "  t:\n"
        "    type: cloudtrail\n"
        "    purpose: audit evidence and investigations\n"
        "    store: s\n"
        "    retention: { delete_after: 1y }\n"
        "    trail: { log_file_validation: false, multi_region: false }\n");
    ck_assert_uint_eq(lk_test_count(p, "LK201"), 1);
    ck_assert_uint_eq(lk_test_count(p, "LK202"), 2);
    ck_assert_uint_eq(lk_test_count(p, "LK205"), 1);
    ck_assert_uint_eq(lk_test_count(p, "LK402"), 1);
    ck_assert_uint_eq(lk_test_count(p, "LK401"), 1);
    ck_assert_uint_eq(lk_test_count(p, "LK405"), 1);
    ck_assert_uint_eq(lk_test_count(p, "LK406"), 1);
    lk_policy_free(p);
}
END_TEST

START_TEST(test_waivers)
{
    struct lk_policy *p = s_policy("sources:\n"
                                   "  trail1:\n"
                                   "    type: cloudtrail\n"
                                   "    purpose: audit evidence and investigations\n"
                                   "    store: archive\n"
                                   "    retention: { delete_after: 1y }\n"
                                   "    trail: { log_file_validation: false }\n"
                                   "    waivers:\n"
                                   "      LK401: digests are validated by the SIEM on ingest\n"
                                   "      LK406: this trail never records anything regional\n"
                                   "      LK001: not allowed\n");
    const struct lk_diag *d = lk_test_find(p, "LK401");
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(d->severity, LK_SEV_NOTE);
    ck_assert_str_eq(d->help, "waived: digests are validated by the SIEM on ingest");
    ck_assert_uint_eq(p->diags.n_errors, 2); /* LK001 cannot be waived; LK406 waiver is stale */
    ck_assert_uint_eq(lk_test_count(p, "LK028"), 2);
    lk_policy_free(p);
}
END_TEST

/* An organisation policy: the scope, each source's accounts and Regions, each store's. */
#define ORG                                                                                        \
    "logkeep: 1\n"                                                                                 \
    "organization: o-a1b2c3d4e5\n"                                                                 \
    "regions: [eu-west-1, us-east-1, ap-southeast-2]\n"                                            \
    "accounts:\n"                                                                                  \
    "  management:  { id: \"123456789012\", kind: management }\n"                                  \
    "  log-archive: { id: \"222233334444\", kind: log-archive }\n"                                 \
    "  security:    { id: \"999988887777\", kind: security, delegated_admin: [cloudtrail] }\n"     \
    "  prod:        { id: \"333344445555\" }\n"                                                    \
    "  dev:         { id: \"555566667777\" }\n"                                                    \
    "account_groups:\n"                                                                            \
    "  workloads: [prod, dev]\n"                                                                   \
    "  everyone: { organization: true }\n"                                                         \
    "resolved:\n"                                                                                  \
    "  account_groups:\n"                                                                          \
    "    everyone: [\"123456789012\", \"222233334444\", \"444455556666\"]\n"                       \
    "retention:\n"                                                                                 \
    "  keep: { available: 90d, delete_after: 1y }\n"                                               \
    "stores:\n"                                                                                    \
    "  archive: { account: log-archive, bucket: acme-org-logs, region: eu-west-1 }\n"             \
    "sources:\n"                                                                                   \
    "  org-trail:\n"                                                                               \
    "    type: cloudtrail\n"                                                                       \
    "    accounts: management\n"                                                                   \
    "    store: archive\n"                                                                         \
    "    retention: keep\n"                                                                        \
    "    trail: { organization: true }\n"                                                          \
    "  flow:\n"                                                                                    \
    "    type: vpc-flow-logs\n"                                                                    \
    "    accounts: [workloads, everyone]\n"                                                        \
    "    regions: [us-east-1, eu-west-1]\n"                                                        \
    "    store: archive\n"                                                                         \
    "    retention: keep\n"                                                                        \
    "  app:\n"                                                                                     \
    "    type: cloudwatch-logs\n"                                                                  \
    "    log_groups: [\"/app/*\"]\n"                                                               \
    "    retention: keep\n"

static const struct lk_source *s_source(const struct lk_policy *p, const char *name)
{
    for (size_t i = 0; i < p->n_srcs; i++)
        if (lk_str_eq_c(p->srcs[i]->name, name))
            return p->srcs[i];
    ck_abort_msg("no source %s", name);
    return NULL;
}

START_TEST(test_scope_organization)
{
    struct lk_policy *p = lk_test_policy(ORG);
    for (size_t i = 0; i < p->diags.n; i++)
        /* Structure and scope only: the policy leaves out purposes and roles for brevity. */
        if (!strncmp(p->diags.items[i].rule->id, "LK0", 3))
            ck_abort_msg("unexpected %s: %s", p->diags.items[i].rule->id,
                         p->diags.items[i].message);
    ck_assert(p->scope.multi);
    /* The home Region is the first one written; the scope's Regions are sorted. */
    ck_assert(lk_str_eq_c(p->region.v, "eu-west-1"));
    ck_assert_uint_eq(p->scope.n_regions, 3);
    ck_assert_str_eq(p->scope.regions[0], "ap-southeast-2");
    ck_assert_str_eq(p->scope.regions[1], "eu-west-1");
    ck_assert_str_eq(p->scope.regions[2], "us-east-1");
    /* Declared accounts and the pinned 444455556666, sorted by ID. */
    ck_assert_uint_eq(p->scope.n_accounts, 6);
    ck_assert_str_eq(p->scope.accounts[0].id, "123456789012");
    ck_assert_str_eq(p->scope.accounts[0].name, "management");
    ck_assert_int_eq(p->scope.accounts[0].kind, LK_ACCOUNT_MANAGEMENT);
    ck_assert_str_eq(p->scope.accounts[3].id, "444455556666");
    ck_assert_str_eq(p->scope.accounts[3].name, "444455556666");
    ck_assert_ptr_null(p->scope.accounts[3].decl);
    ck_assert_ptr_nonnull(lk_policy_scope_account(p, "999988887777"));
    ck_assert_ptr_null(lk_policy_scope_account(p, "000000000000"));
    ck_assert_ptr_nonnull(lk_policy_find_account(p, lk_str_c("dev")));
    ck_assert_ptr_nonnull(lk_policy_find_group(p, lk_str_c("workloads")));
    ck_assert_ptr_null(lk_policy_find_group(p, lk_str_c("dev")));

    ck_assert_str_eq(p->stores[0]->scope_account, "222233334444");
    ck_assert_str_eq(p->stores[0]->scope_region, "eu-west-1");

    const struct lk_source *t = s_source(p, "org-trail");
    ck_assert_uint_eq(t->n_scope_accounts, 1);
    ck_assert_str_eq(t->scope_accounts[0], "123456789012");
    ck_assert_uint_eq(t->n_scope_regions, 1);
    ck_assert_str_eq(t->scope_regions[0], "eu-west-1");
    /* The organisation ID comes from the top level. */
    ck_assert(lk_str_eq_c(t->trail->organization_id.v, "o-a1b2c3d4e5"));

    const struct lk_source *f = s_source(p, "flow");
    ck_assert_uint_eq(f->n_scope_accounts, 5); /* prod, dev and the group's three */
    ck_assert_str_eq(f->scope_accounts[0], "123456789012");
    ck_assert_str_eq(f->scope_accounts[1], "222233334444");
    ck_assert_str_eq(f->scope_accounts[2], "333344445555");
    ck_assert_str_eq(f->scope_accounts[3], "444455556666");
    ck_assert_str_eq(f->scope_accounts[4], "555566667777");
    ck_assert_uint_eq(f->n_scope_regions, 2);
    ck_assert_str_eq(f->scope_regions[0], "eu-west-1");
    ck_assert_str_eq(f->scope_regions[1], "us-east-1");

    const struct lk_source *a = s_source(p, "app");
    ck_assert_uint_eq(a->n_scope_accounts, 6);
    ck_assert_uint_eq(a->n_scope_regions, 3);
    lk_policy_free(p);
}
END_TEST

START_TEST(test_scope_single_account)
{
    struct lk_policy *p = s_policy("regions: [eu-west-1]\n"
                                   "sources:\n"
                                   "  app:\n"
                                   "    type: cloudwatch-logs\n"
                                   "    log_groups: [\"/app/*\"]\n"
                                   "    retention: { delete_after: 1y }\n"
                                   "  trail:\n"
                                   "    type: cloudtrail\n"
                                   "    store: archive\n"
                                   "    retention: { delete_after: 1y }\n");
    ck_assert(!p->scope.multi);
    ck_assert_uint_eq(p->scope.n_accounts, 1);
    ck_assert_str_eq(p->scope.accounts[0].id, "111122223333");
    ck_assert_str_eq(p->scope.accounts[0].name, "111122223333");
    ck_assert_ptr_null(p->scope.accounts[0].decl);
    ck_assert_uint_eq(p->scope.n_regions, 2); /* the home Region and regions: */
    ck_assert_str_eq(p->scope.regions[0], "eu-west-1");
    ck_assert_str_eq(p->scope.regions[1], "us-east-1");
    ck_assert_str_eq(p->stores[0]->scope_account, "111122223333");
    ck_assert_str_eq(p->stores[0]->scope_region, "us-east-1");
    const struct lk_source *a = s_source(p, "app");
    ck_assert_uint_eq(a->n_scope_accounts, 1);
    ck_assert_str_eq(a->scope_accounts[0], "111122223333");
    ck_assert_uint_eq(a->n_scope_regions, 2);
    const struct lk_source *t = s_source(p, "trail");
    ck_assert_uint_eq(t->n_scope_regions, 1);
    ck_assert_str_eq(t->scope_regions[0], "us-east-1");
    lk_policy_free(p);
}
END_TEST

START_TEST(test_scope_pin_group)
{
    /* The caller's resolution replaces the files' pin; an unpinned group used is LK038. */
    struct lk_policy *p = lk_policy_new();
    lk_policy_load_buffer(p, "org.yaml", ORG, strlen(ORG));
    const char *ids[] = {"777788889999"};
    ck_assert(lk_policy_pin_group(p, "everyone", ids, 1));
    ck_assert(!lk_policy_pin_group(p, "workloads", ids, 1)); /* a list */
    ck_assert(!lk_policy_pin_group(p, "nobody", ids, 1));
    lk_policy_check(p);
    ck_assert_ptr_null(lk_test_find(p, "LK038"));
    ck_assert_ptr_nonnull(lk_policy_scope_account(p, "777788889999"));
    ck_assert_ptr_null(lk_policy_scope_account(p, "444455556666"));
    const struct lk_source *f = s_source(p, "flow");
    ck_assert_uint_eq(f->n_scope_accounts, 3);
    ck_assert_str_eq(f->scope_accounts[2], "777788889999");
    lk_policy_free(p);

    const char *unpinned = "logkeep: 1\nregions: [us-east-1]\n"
                           "accounts: { prod: { id: \"333344445555\" } }\n"
                           "account_groups: { ou: { organizational_unit: ou-a1b2-11111111 } }\n"
                           "sources:\n  app:\n    type: cloudwatch-logs\n    accounts: ou\n"
                           "    log_groups: [\"/app/*\"]\n    retention: { delete_after: 1y }\n";
    p = lk_test_policy(unpinned);
    const struct lk_diag *d = lk_test_find(p, "LK038");
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->span.line, 8); /* accounts: ou */
    lk_policy_free(p);
}
END_TEST

/* A policy with accounts: the accounts of its scope, declared or pinned, are its own (no LK202 for
 * their roots, no LK208 for their principals); accounts outside it are another's. */
START_TEST(test_access_organization)
{
    const char *yaml =
        "logkeep: 1\n"
        "regions: [us-east-1]\n"
        "accounts:\n"
        "  log-archive: { id: \"222233334444\", kind: log-archive }\n"
        "  security:    { id: \"999988887777\", kind: security }\n"
        "account_groups:\n"
        "  ou: { organizational_unit: ou-a1b2-11111111 }\n"
        "resolved: { account_groups: { ou: [\"333344445555\"] } }\n"
        "roles:\n"
        "  readers:\n"
        "    principals:\n"
        "      - \"999988887777\"\n"                              /* ours: declared */
        "      - arn:aws:iam::333344445555:root\n"                /* ours: pinned */
        "      - arn:aws:iam::444455556666:root\n"                /* LK202 */
        "      - arn:aws:iam::999988887777:role/Analyst\n"        /* ours */
        "      - arn:aws:iam::333344445555:role/Responder\n"      /* ours */
        "      - arn:aws:iam::777788889999:role/SiemIngest\n"     /* LK208 */
        "    access: read\n"
        "  admins: { principals: [\"arn:aws:iam::222233334444:role/LogAdmin\"], access: admin }\n"
        "stores:\n"
        "  archive: { account: log-archive, bucket: acme-org-logs, readers: [readers], admins: "
        "[admins] }\n"
        "sources:\n"
        "  flow:\n"
        "    type: vpc-flow-logs\n"
        "    purpose: network forensics for incident response\n"
        "    accounts: ou\n"
        "    store: archive\n"
        "    retention: { available: 90d, delete_after: 1y }\n";
    struct lk_policy *p = lk_test_policy(yaml);
    ck_assert(p->scope.multi);
    ck_assert_uint_eq(lk_test_count(p, "LK202"), 1);
    const struct lk_diag *d = lk_test_find(p, "LK202");
    ck_assert_uint_eq(d->span.line, 14);
    ck_assert_uint_eq(lk_test_count(p, "LK208"), 1);
    d = lk_test_find(p, "LK208");
    ck_assert_uint_eq(d->span.line, 17);
    ck_assert_ptr_nonnull(strstr(d->message, "777788889999"));
    lk_policy_free(p);
}
END_TEST

/* A group that lists the member closing a cycle twice: one cycle, one LK037. */
START_TEST(test_group_cycle_listed_twice)
{
    struct lk_policy *p = lk_test_policy("logkeep: 1\n"
                                         "regions: [us-east-1]\n"
                                         "accounts: { prod: { id: \"333344445555\" } }\n"
                                         "account_groups:\n"
                                         "  g: [prod, g2]\n"
                                         "  g2: [g, g]\n"
                                         "  c: [c, c, prod]\n");
    ck_assert_uint_eq(lk_test_count(p, "LK037"), 2);
    /* One on g2's list (line 6), one on c's (line 7), each at the first listing. */
    size_t on_line[8] = {0};
    for (size_t i = 0; i < p->diags.n; i++)
        if (!strcmp(p->diags.items[i].rule->id, "LK037")) {
            const struct lk_span *sp = &p->diags.items[i].span;
            ck_assert_uint_lt(sp->line, 8);
            on_line[sp->line]++;
            ck_assert_uint_eq(sp->col, sp->line == 6 ? 8 : 7);
        }
    ck_assert_uint_eq(on_line[6], 1);
    ck_assert_uint_eq(on_line[7], 1);
    lk_policy_free(p);
}
END_TEST

START_TEST(test_structure)
{
    struct lk_policy *p = lk_test_policy(LK_TEST_HEADER
                                         "roles:\n"
                                         "  r:\n"
                                         "    principal: [\"arn:aws:iam::111122223333:role/x\"]\n"
                                         "    access: reed\n"
                                         "sourcs: {}\n");
    const struct lk_diag *d = lk_test_find(p, "LK009");
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(d->help, "did you mean \"principals\"?");
    ck_assert_uint_eq(lk_test_count(p, "LK009"), 2);
    ck_assert_uint_eq(lk_test_count(p, "LK016"), 1);
    ck_assert_uint_eq(lk_test_count(p, "LK011"), 1); /* principals missing */
    lk_policy_free(p);
    p = lk_test_policy("account: \"111122223333\"\nregion: us-east-1\n");
    ck_assert_uint_eq(lk_test_count(p, "LK014"), 1);
    lk_policy_free(p);
    p = lk_test_policy("logkeep: 2\n");
    ck_assert_uint_eq(lk_test_count(p, "LK014"), 1);
    lk_policy_free(p);
    /* An unquoted account ID is reported and kept, so the scope is checked against it: the kept
     * text outlives the reader's scratch memory (the ASan build reads freed memory otherwise). */
    p = lk_test_policy("logkeep: 1\naccount: 111122223333\nregion: us-east-1\n");
    ck_assert_uint_eq(lk_test_count(p, "LK024"), 1);
    ck_assert_uint_eq(p->scope.n_accounts, 1);
    ck_assert_str_eq(p->scope.accounts[0].id, "111122223333");
    lk_policy_free(p);
    p = lk_test_policy("- a\n- b\n");
    ck_assert_uint_eq(lk_test_count(p, "LK010"), 1);
    lk_policy_free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("policy");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_clean);
    tcase_add_test(tc, test_merge_duplicates);
    tcase_add_test(tc, test_references);
    tcase_add_test(tc, test_retention_rules);
    tcase_add_test(tc, test_forever_and_cloudwatch);
    tcase_add_test(tc, test_overlap);
    tcase_add_test(tc, test_access_and_integrity);
    tcase_add_test(tc, test_waivers);
    tcase_add_test(tc, test_structure);
    tcase_add_test(tc, test_scope_organization);
    tcase_add_test(tc, test_scope_single_account);
    tcase_add_test(tc, test_scope_pin_group);
    tcase_add_test(tc, test_access_organization);
    tcase_add_test(tc, test_group_cycle_listed_twice);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
