/*
 * Unit tests: coverage of producing sources. Producer IDs and log types as the language checks
 * them, coverage requirements as lowering builds them (per pair, in canonical order), and the
 * IR's order, equality and state JSON of requirements and producers.
 */
#include "lk_test.h"

#include "runtime/state_json.h"

#define HEADER_ONE                                                                                 \
    "logkeep: 1\n"                                                                                 \
    "account: \"111122223333\"\n"                                                                  \
    "region: us-east-1\n"                                                                          \
    "regions: [us-east-1, eu-west-1]\n"                                                            \
    "roles:\n"                                                                                     \
    "  readers: { principals: [\"arn:aws:iam::111122223333:role/Analyst\"], access: read }\n"      \
    "  admins: { principals: [\"arn:aws:iam::111122223333:role/LogAdmin\"], access: admin }\n"     \
    "stores:\n"                                                                                    \
    "  net:\n"                                                                                     \
    "    bucket: acme-net-111122223333\n"                                                          \
    "    readers: [readers]\n"                                                                     \
    "    admins: [admins]\n"

#define NFW_A "arn:aws:network-firewall:us-east-1:111122223333:firewall/a"
#define NFW_B "arn:aws:network-firewall:us-east-1:111122223333:firewall/b"
#define KEY "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

/* Loads and checks @p yaml, failing the test on any error or warning. */
static struct lk_policy *s_clean(const char *yaml)
{
    struct lk_policy *p = lk_test_policy(yaml);
    for (size_t i = 0; i < p->diags.n; i++)
        if (p->diags.items[i].severity != LK_SEV_NOTE)
            ck_abort_msg("unexpected %s: %s", p->diags.items[i].rule->id,
                         p->diags.items[i].message);
    return p;
}

static const struct lk_ir_coverage *s_find(const struct lk_ir_state *st, const char *source,
                                           const char *region)
{
    for (size_t i = 0; i < st->n_coverages; i++)
        if (!strcmp(st->coverages[i].source, source) && !strcmp(st->coverages[i].region, region))
            return &st->coverages[i];
    return NULL;
}

/* ------------------------------------------------------------------------------ language */

START_TEST(test_producer_ids)
{
    static const struct {
        enum lk_source_type type;
        const char *id;
        bool ok;
    } cases[] = {
        {LK_SRC_VPC_FLOW_LOGS, "vpc-0123abcd", true},
        {LK_SRC_VPC_FLOW_LOGS, "vpc-0123456789abcdef0", true},
        {LK_SRC_VPC_FLOW_LOGS, "vpc-0123abc", false},     /* 7 digits */
        {LK_SRC_VPC_FLOW_LOGS, "vpc-0123ABCD", false},    /* AWS writes lowercase */
        {LK_SRC_VPC_FLOW_LOGS, "subnet-0123abcd", false}, /* not a VPC */
        {LK_SRC_ROUTE53_RESOLVER, "vpc-0123abcd", true},
        {LK_SRC_ELB, "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web/1",
         true},
        {LK_SRC_ELB, "classic-web", true},
        {LK_SRC_ELB, "-classic", false},
        {LK_SRC_ELB, "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/n/1",
         false},
        {LK_SRC_NLB, "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/n/1",
         true},
        {LK_SRC_NLB, "classic-web", false},
        {LK_SRC_WAF, "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/edge/a1b2", true},
        {LK_SRC_WAF, "arn:aws:wafv2:us-east-1:111122223333:global/webacl/cf/a1b2", true},
        {LK_SRC_WAF, "arn:aws:wafv2:us-east-1:111122223333:regional/ipset/x/a1b2", false},
        {LK_SRC_NETWORK_FIREWALL, "arn:aws:network-firewall:us-east-1:111122223333:firewall/egress",
         true},
        {LK_SRC_NETWORK_FIREWALL, "arn:aws:network-firewall:us-east-1:1111:firewall/egress", false},
        {LK_SRC_EKS_AUDIT, "prod_cluster-1", true},
        {LK_SRC_EKS_AUDIT, "_prod", false},
        {LK_SRC_RDS, "orders-db", true},
        {LK_SRC_RDS, "orders-db-", false},
        {LK_SRC_RDS, "1orders", false},
        {LK_SRC_CONFIG, "default", false}, /* no selection on config */
        {LK_SRC_LOG_GROUP, "anything", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *problem = lk_coverage_id_problem(cases[i].type, lk_str_c(cases[i].id));
        ck_assert_msg((problem == NULL) == cases[i].ok, "%s as %s: %s", cases[i].id,
                      lk_source_type_info(cases[i].type)->name, problem ? problem : "accepted");
    }
    /* The types logkeep reads producers of. */
    ck_assert(lk_source_type_produces(LK_SRC_VPC_FLOW_LOGS));
    ck_assert(lk_source_type_produces(LK_SRC_RDS));
    ck_assert(!lk_source_type_produces(LK_SRC_CLOUDTRAIL));
    ck_assert(!lk_source_type_produces(LK_SRC_S3_PREFIX));
}
END_TEST

START_TEST(test_decoded_settings)
{
    struct lk_policy *p =
        s_clean(HEADER_ONE "sources:\n"
                           "  flow:\n"
                           "    type: vpc-flow-logs\n"
                           "    purpose: network forensics for incident response\n"
                           "    store: net\n"
                           "    prefix: vpcflow/\n"
                           "    retention: { delete_after: 1y }\n"
                           "    enable: true\n"
                           "    resources:\n"
                           "      ids: vpc-0123abcd\n"
                           "      names: [\"prod-*\"]\n"
                           "      tags: { env: prod, team: net }\n"
                           "  plain:\n"
                           "    type: vpc-flow-logs\n"
                           "    purpose: network forensics for incident response\n"
                           "    store: net\n"
                           "    prefix: plain/\n"
                           "    retention: { delete_after: 1y }\n");
    const struct lk_source *flow = p->srcs[0], *plain = p->srcs[1];
    ck_assert_ptr_nonnull(flow->cov);
    ck_assert_ptr_null(plain->cov); /* no key written: the defaults, and no allocation */
    ck_assert(flow->cov->enable.set && flow->cov->enable.v);
    ck_assert_uint_eq(flow->cov->ids.n, 1);
    ck_assert_uint_eq(flow->cov->names.n, 1);
    ck_assert_uint_eq(flow->cov->n_tags, 2);
    ck_assert(lk_str_eq_c(flow->cov->tags[1].key.v, "team"));
    ck_assert(lk_str_eq_c(flow->cov->tags[1].value.v, "net"));
    lk_policy_free(p);

    /* Each misfit is one error of its rule. */
    p = lk_test_policy(HEADER_ONE "sources:\n"
                                  "  flow:\n"
                                  "    type: vpc-flow-logs\n"
                                  "    purpose: network forensics for incident response\n"
                                  "    store: net\n"
                                  "    prefix: vpcflow/\n"
                                  "    retention: { delete_after: 1y }\n"
                                  "    resources:\n"
                                  "      ids: [vpc-0123abcd]\n"
                                  "      exclude:\n"
                                  "        vpc-0123abce: \"a build VPC with no data\"\n"
                                  "        vpc-0123abcd: short reason\n");
    ck_assert_uint_eq(lk_test_count(p, "LK042"), 2); /* stale, and too short */
    ck_assert_uint_eq(lk_test_count(p, "LK040"), 0);
    ck_assert_uint_eq(lk_test_count(p, "LK041"), 0);
    lk_policy_free(p);

    /* A web ACL logs to one destination: a waf source checked for coverage names one, whether
     * it writes coverage keys or not. */
    static const char *const waf = HEADER_ONE "sources:\n"
                                              "  waf:\n"
                                              "    type: waf\n"
                                              "    purpose: reconstructing attacks on endpoints\n"
                                              "    log_groups: [aws-waf-logs-a, aws-waf-logs-b]\n"
                                              "    retention: { delete_after: 1y }\n";
    p = lk_test_policy(waf);
    ck_assert_uint_eq(lk_test_count(p, "LK040"), 1);
    ck_assert_ptr_null(p->srcs[0]->cov);
    lk_policy_free(p);
    char *off = lk_xmalloc(strlen(waf) + 32);
    sprintf(off, "%s    coverage: false\n", waf);
    p = lk_test_policy(off);
    ck_assert_uint_eq(lk_test_count(p, "LK040"), 0);
    lk_policy_free(p);
    free(off);
}
END_TEST

/* ------------------------------------------------------------------------------ lowering */

START_TEST(test_lower_one_account)
{
    struct lk_policy *p =
        s_clean(HEADER_ONE "  gd:\n"
                           "    bucket: acme-gd-111122223333\n"
                           "    encryption: { kms_key: \"" KEY "\" }\n"
                           "    readers: [readers]\n"
                           "    admins: [admins]\n"
                           "sources:\n"
                           "  flow:\n"
                           "    type: vpc-flow-logs\n"
                           "    purpose: network forensics for incident response\n"
                           "    store: net\n"
                           "    prefix: vpcflow/\n"
                           "    log_groups: /net/flow\n"
                           "    retention: { delete_after: 1y }\n"
                           "    enable: true\n"
                           "    delivery_role: FlowLogsDelivery\n"
                           "    resources:\n"
                           "      names: [prod-b, \"prod-*\"]\n"
                           "      tags: { team: net, env: prod }\n"
                           "      exclude:\n"
                           "        vpc-0123abcf: \"sandbox VPC torn down nightly\"\n"
                           "  firewall:\n"
                           "    type: network-firewall\n"
                           "    purpose: network forensics for incident response\n"
                           "    store: net\n"
                           "    prefix: nfw/\n"
                           "    retention: { delete_after: 1y }\n"
                           "    resources:\n"
                           "      ids: [\"" NFW_B "\", \"" NFW_A "\"]\n"
                           "  findings:\n"
                           "    type: guardduty\n"
                           "    purpose: keeping findings for investigations\n"
                           "    store: gd\n"
                           "    regions: us-east-1\n"
                           "    retention: { delete_after: 1y }\n"
                           "  eks:\n"
                           "    type: eks-audit\n"
                           "    purpose: investigating cluster compromise\n"
                           "    regions: eu-west-1\n"
                           "    retention: { delete_after: 1y }\n"
                           "  rds:\n"
                           "    type: rds\n"
                           "    purpose: investigating database access\n"
                           "    regions: eu-west-1\n"
                           "    retention: { delete_after: 1y }\n"
                           "    log_types: [error, audit, error]\n"
                           "  other-team:\n"
                           "    type: vpc-flow-logs\n"
                           "    purpose: network forensics for incident response\n"
                           "    store: net\n"
                           "    prefix: other/\n"
                           "    retention: { delete_after: 1y }\n"
                           "    coverage: false\n"
                           "  app:\n"
                           "    type: log-group\n"
                           "    purpose: payment dispute investigations\n"
                           "    log_groups: /app/payments\n"
                           "    retention: { delete_after: 1y }\n");
    struct lk_ir_state *st = lk_lower(p);
    /* flow and firewall in both Regions, findings in one, eks and rds in the other; nothing for
     * the source that opts out or for the log group. */
    ck_assert_uint_eq(st->n_coverages, 7);
    /* Canonical order: Region, type, source. */
    for (size_t i = 1; i < st->n_coverages; i++)
        ck_assert_int_lt(lk_ir_cmp_coverage(&st->coverages[i - 1], &st->coverages[i]), 0);
    ck_assert_str_eq(st->coverages[0].region, "eu-west-1");
    ck_assert_int_eq(st->coverages[0].type, LK_IR_PRODUCER_VPC_FLOW_LOGS);

    const struct lk_ir_coverage *c = s_find(st, "flow", "eu-west-1");
    ck_assert_ptr_nonnull(c);
    ck_assert(c->enable);
    ck_assert_str_eq(c->traffic_type, "ALL");
    ck_assert_uint_eq(c->n_destinations, 2);
    ck_assert_int_eq(c->destinations[0].kind, LK_IR_DEST_S3);
    ck_assert_str_eq(c->destinations[0].arn, "arn:aws:s3:::acme-net-111122223333");
    ck_assert_str_eq(c->destinations[0].bucket, "acme-net-111122223333");
    ck_assert_str_eq(c->destinations[0].prefix, "vpcflow/");
    ck_assert_ptr_null(c->destinations[0].kms_key_arn);
    ck_assert_int_eq(c->destinations[1].kind, LK_IR_DEST_LOGS);
    ck_assert_str_eq(c->destinations[1].arn,
                     "arn:aws:logs:eu-west-1:111122223333:log-group:/net/flow");
    ck_assert_str_eq(c->destinations[1].log_group, "/net/flow");
    ck_assert(!c->destinations[1].pattern);
    ck_assert_uint_eq(c->ids.n, 0);
    ck_assert_uint_eq(c->names.n, 2);
    ck_assert_str_eq(c->names.items[0], "prod-*"); /* sorted */
    ck_assert_uint_eq(c->n_tags, 2);
    ck_assert_str_eq(c->tags[0].key, "env");
    ck_assert_uint_eq(c->n_exclusions, 1);
    ck_assert_str_eq(c->exclusions[0].id, "vpc-0123abcf");
    ck_assert_str_eq(c->exclusions[0].reason, "sandbox VPC torn down nightly");
    ck_assert_ptr_nonnull(c->exclusions[0].origin.file);
    ck_assert_uint_eq(c->exclusions[0].origin.line, 32);
    ck_assert_str_eq(c->delivery_role_arn, "arn:aws:iam::111122223333:role/FlowLogsDelivery");
    ck_assert_ptr_nonnull(c->enable_origin.file);
    ck_assert_uint_eq(c->origin.line, 20);
    ck_assert_uint_eq(c->log_types.n, 0);

    c = s_find(st, "firewall", "us-east-1");
    ck_assert_ptr_nonnull(c);
    ck_assert(!c->enable);
    ck_assert_ptr_null(c->enable_origin.file);
    ck_assert_uint_eq(c->log_types.n, 2);
    ck_assert_str_eq(c->log_types.items[0], "ALERT");
    ck_assert_str_eq(c->log_types.items[1], "FLOW");
    ck_assert_ptr_null(c->traffic_type);
    ck_assert_str_eq(c->destinations[0].prefix, "nfw/");
    ck_assert_uint_eq(c->ids.n, 2);
    ck_assert_str_eq(c->ids.items[0], NFW_A);

    c = s_find(st, "findings", "us-east-1");
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_null(s_find(st, "findings", "eu-west-1"));
    ck_assert_uint_eq(c->n_destinations, 1);
    ck_assert_str_eq(c->destinations[0].prefix, ""); /* the bucket root */
    ck_assert_str_eq(c->destinations[0].kms_key_arn, KEY);

    c = s_find(st, "eks", "eu-west-1");
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(c->n_destinations, 0); /* EKS names its log groups itself */
    ck_assert_uint_eq(c->log_types.n, 1);
    ck_assert_str_eq(c->log_types.items[0], "audit");

    c = s_find(st, "rds", "eu-west-1");
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(c->log_types.n, 2); /* sorted, the repetition once */
    ck_assert_str_eq(c->log_types.items[0], "audit");
    ck_assert_str_eq(c->log_types.items[1], "error");

    ck_assert_ptr_null(s_find(st, "other-team", "us-east-1"));
    ck_assert_ptr_null(s_find(st, "app", "us-east-1"));

    /* Lowering is deterministic. */
    struct lk_ir_state *again = lk_lower(p);
    struct lk_ir_mismatch why;
    ck_assert_msg(lk_ir_state_equal(st, again, 0, &why), "%s", why.text);
    lk_ir_state_free(again);
    lk_ir_state_free(st);
    lk_policy_free(p);
}
END_TEST

START_TEST(test_lower_scope)
{
    struct lk_policy *p = s_clean(
        "logkeep: 1\n"
        "region: us-east-1\n"
        "regions: [us-east-1, eu-west-1]\n"
        "accounts:\n"
        "  log-archive: { id: \"222233334444\", kind: log-archive }\n"
        "  prod: { id: \"333344445555\" }\n"
        "  dev: { id: \"555566667777\" }\n"
        "roles:\n"
        "  readers: { principals: [\"arn:aws:iam::222233334444:role/Analyst\"], access: read }\n"
        "  admins: { principals: [\"arn:aws:iam::222233334444:role/LogAdmin\"], access: admin }\n"
        "stores:\n"
        "  net:\n"
        "    account: log-archive\n"
        "    bucket: acme-net-222233334444\n"
        "    readers: [readers]\n"
        "    admins: [admins]\n"
        "sources:\n"
        "  resolver:\n"
        "    type: route53-resolver-query-logs\n"
        "    purpose: DNS exfiltration investigations\n"
        "    accounts: [prod, dev]\n"
        "    log_groups: [\"/dns/*\"]\n"
        "    retention: { delete_after: 1y }\n"
        "  alb:\n"
        "    type: elb-access-logs\n"
        "    purpose: reconstructing attacks on public endpoints\n"
        "    accounts: prod\n"
        "    regions: us-east-1\n"
        "    store: net\n"
        "    prefix: alb/\n"
        "    retention: { delete_after: 1y }\n"
        "    resources:\n"
        "      ids: "
        "\"arn:aws:elasticloadbalancing:us-east-1:333344445555:loadbalancer/app/web/1\"\n"
        "  flow:\n"
        "    type: vpc-flow-logs\n"
        "    purpose: network forensics for incident response\n"
        "    accounts: prod\n"
        "    regions: eu-west-1\n"
        "    log_groups: /net/flow\n"
        "    retention: { delete_after: 1y }\n"
        "    enable: true\n"
        "    delivery_role: FlowLogsDelivery\n");
    struct lk_ir_scope *scope = lk_lower_scope(p);
    ck_assert_uint_eq(scope->n_pairs, 6);
    size_t total = 0;
    for (size_t i = 0; i < scope->n_pairs; i++) {
        const struct lk_ir_pair *pair = &scope->pairs[i];
        const struct lk_ir_state *st = pair->state;
        bool workload = strcmp(pair->account, "222233334444") != 0;
        bool prod_us = !strcmp(pair->account, "333344445555") && !strcmp(pair->region, "us-east-1");
        bool prod_eu = !strcmp(pair->account, "333344445555") && !strcmp(pair->region, "eu-west-1");
        ck_assert_uint_eq(st->n_coverages,
                          (workload ? 1u : 0u) + (prod_us ? 1u : 0u) + (prod_eu ? 1u : 0u));
        if (prod_eu) {
            /* The role is the pair's account's own. */
            const struct lk_ir_coverage *f = s_find(st, "flow", "eu-west-1");
            ck_assert_ptr_nonnull(f);
            ck_assert_str_eq(f->delivery_role_arn,
                             "arn:aws:iam::333344445555:role/FlowLogsDelivery");
        }
        total += st->n_coverages;
        const struct lk_ir_coverage *c = s_find(st, "resolver", pair->region);
        if (!workload) {
            ck_assert_ptr_null(c);
            continue;
        }
        ck_assert_ptr_nonnull(c);
        ck_assert_str_eq(c->region, pair->region);
        ck_assert_ptr_null(c->delivery_role_arn);
        /* The log group pattern, in the pair's account and Region. */
        char arn[160];
        snprintf(arn, sizeof(arn), "arn:aws:logs:%s:%s:log-group:/dns/*", pair->region,
                 pair->account);
        ck_assert_str_eq(c->destinations[0].arn, arn);
        ck_assert(c->destinations[0].pattern);
        if (prod_us) {
            c = s_find(st, "alb", "us-east-1");
            ck_assert_ptr_nonnull(c);
            ck_assert_int_eq(c->type, LK_IR_PRODUCER_ELB);
            /* The store of the log-archive account receives the prod account's logs. */
            ck_assert_str_eq(c->destinations[0].bucket, "acme-net-222233334444");
            ck_assert_str_eq(c->destinations[0].prefix, "alb/");
            ck_assert_uint_eq(c->ids.n, 1);
        }
    }
    ck_assert_uint_eq(total, 6);
    lk_ir_scope_free(scope);
    lk_policy_free(p);
}
END_TEST

/* ------------------------------------------------------------------------------ IR */

START_TEST(test_rds_default_log_type)
{
    ck_assert_str_eq(lk_ir_rds_default_log_type("mysql"), "error");
    ck_assert_str_eq(lk_ir_rds_default_log_type("mariadb"), "error");
    ck_assert_str_eq(lk_ir_rds_default_log_type("aurora-mysql"), "error");
    ck_assert_str_eq(lk_ir_rds_default_log_type("aurora"), "error");
    ck_assert_str_eq(lk_ir_rds_default_log_type("postgres"), "postgresql");
    ck_assert_str_eq(lk_ir_rds_default_log_type("aurora-postgresql"), "postgresql");
    ck_assert_str_eq(lk_ir_rds_default_log_type("oracle-ee-cdb"), "alert");
    ck_assert_str_eq(lk_ir_rds_default_log_type("sqlserver-se"), "error");
    ck_assert_str_eq(lk_ir_rds_default_log_type("db2-se"), "diag.log");
    ck_assert_ptr_null(lk_ir_rds_default_log_type("neptune"));
    ck_assert_ptr_null(lk_ir_rds_default_log_type("docdb"));
    ck_assert_ptr_null(lk_ir_rds_default_log_type("mysqlx")); /* a family, not a prefix */
    ck_assert_ptr_null(lk_ir_rds_default_log_type(NULL));
    enum lk_ir_producer_type t;
    for (int i = 0; i < LK_IR_PRODUCER_COUNT; i++) {
        ck_assert(lk_ir_producer_type_parse(lk_ir_producer_type_name(i), &t));
        ck_assert_int_eq(t, i);
        /* The names are the policy's source type names. */
        enum lk_source_type st;
        ck_assert(lk_source_type_parse(lk_str_c(lk_ir_producer_type_name(i)), &st));
        ck_assert(lk_source_type_produces(st));
    }
    ck_assert(!lk_ir_producer_type_parse("cloudtrail", &t));
}
END_TEST

/* A live state with producers, built out of order. */
static struct lk_ir_state *s_live(void)
{
    struct lk_ir_state *st = lk_ir_state_new();
    st->account = lk_ir_strdup(st, "333344445555");
    st->region = lk_ir_strdup(st, "us-east-1");
    st->partition = lk_ir_strdup(st, "aws");
    st->n_producers = 3;
    st->producers = lk_arena_alloc(&st->arena, 3 * sizeof(*st->producers));
    struct lk_ir_producer *db = &st->producers[0];
    db->type = LK_IR_PRODUCER_RDS;
    db->id = lk_ir_strdup(st, "orders");
    db->engine = lk_ir_strdup(st, "mysql");
    db->enabled = true;
    lk_ir_list_add(st, &db->log_types, "slowquery");
    lk_ir_list_add(st, &db->log_types, "error");
    lk_ir_list_add(st, &db->pending_log_types, "audit");
    struct lk_ir_producer *vpc = &st->producers[1];
    vpc->type = LK_IR_PRODUCER_VPC_FLOW_LOGS;
    vpc->id = lk_ir_strdup(st, "vpc-0123abcd");
    vpc->name = lk_ir_strdup(st, "prod-a");
    vpc->enabled = true;
    vpc->n_tags = 2;
    vpc->tags = lk_arena_alloc(&st->arena, 2 * sizeof(*vpc->tags));
    vpc->tags[0] = (struct lk_ir_tag){lk_ir_strdup(st, "env"), lk_ir_strdup(st, "prod")};
    vpc->tags[1] = (struct lk_ir_tag){lk_ir_strdup(st, "Name"), lk_ir_strdup(st, "prod-a")};
    vpc->n_destinations = 2;
    vpc->destinations = lk_arena_alloc(&st->arena, 2 * sizeof(*vpc->destinations));
    vpc->destinations[0] = (struct lk_ir_destination){
        .kind = LK_IR_DEST_S3,
        .arn = lk_ir_strdup(st, "arn:aws:s3:::other-bucket"),
        .bucket = lk_ir_strdup(st, "other-bucket"),
        .prefix = lk_ir_strdup(st, ""),
        .traffic_type = lk_ir_strdup(st, "REJECT"),
    };
    vpc->destinations[1] = (struct lk_ir_destination){
        .kind = LK_IR_DEST_S3,
        .arn = lk_ir_strdup(st, "arn:aws:s3:::acme-net-222233334444"),
        .bucket = lk_ir_strdup(st, "acme-net-222233334444"),
        .prefix = lk_ir_strdup(st, "vpcflow/"),
        .traffic_type = lk_ir_strdup(st, "ALL"),
        .status = lk_ir_strdup(st, "FAILED"),
    };
    struct lk_ir_producer *alb = &st->producers[2];
    alb->type = LK_IR_PRODUCER_ELB;
    alb->id = lk_ir_strdup(st, "arn:aws:elasticloadbalancing:us-east-1:333344445555:"
                               "loadbalancer/app/web/1");
    alb->arn = alb->id;
    alb->error = lk_ir_strdup(st, "AccessDenied");
    return st;
}

START_TEST(test_producers_order_equality_json)
{
    struct lk_ir_state *st = s_live();
    lk_ir_canonicalize(st);
    ck_assert_int_eq(st->producers[0].type, LK_IR_PRODUCER_VPC_FLOW_LOGS);
    ck_assert_int_eq(st->producers[1].type, LK_IR_PRODUCER_ELB);
    ck_assert_int_eq(st->producers[2].type, LK_IR_PRODUCER_RDS);
    const struct lk_ir_producer *vpc = &st->producers[0];
    ck_assert_str_eq(vpc->tags[0].key, "Name"); /* bytewise: capitals first */
    ck_assert_str_eq(vpc->destinations[0].bucket, "acme-net-222233334444");
    ck_assert_str_eq(st->producers[2].log_types.items[0], "error");

    /* Differences name their field. */
    struct lk_ir_state *other = s_live();
    lk_ir_canonicalize(other);
    other->producers[0].destinations[0].traffic_type = lk_ir_strdup(other, "ACCEPT");
    struct lk_ir_mismatch why;
    ck_assert(!lk_ir_state_equal(st, other, 0, &why));
    ck_assert_msg(strstr(why.text, "producers[0].destinations[0].traffic_type") != NULL, "%s",
                  why.text);
    ck_assert(!lk_ir_producer_equal(&st->producers[0], &other->producers[0], 0, NULL));
    /* Producers are live state: skipped with it. */
    ck_assert(lk_ir_state_equal(st, other, LK_IR_EQ_SKIP_LIVE_ONLY, NULL));
    lk_ir_state_free(other);

    /* The state document keeps them. */
    char *json = lk_ir_state_to_json(st);
    ck_assert_ptr_nonnull(strstr(json, "\"producers\""));
    ck_assert_ptr_null(strstr(json, "\"coverages\"")); /* written only when present */
    struct lk_ir_state *back = NULL;
    struct lk_error err;
    ck_assert_int_eq(lk_ir_state_from_json(json, strlen(json), &back, &err), LK_STATUS_OK);
    ck_assert_msg(lk_ir_state_equal(st, back, 0, &why), "%s", why.text);
    char *again = lk_ir_state_to_json(back);
    ck_assert_str_eq(json, again);
    free(again);
    lk_ir_state_free(back);

    /* An unknown producer type is refused. */
    char *bad = strdup(json);
    char *at = strstr(bad, "\"vpc-flow-logs\"");
    ck_assert_ptr_nonnull(at);
    memcpy(at + 1, "vpc-flow-logz", 13);
    back = NULL;
    ck_assert_int_ne(lk_ir_state_from_json(bad, strlen(bad), &back, &err), LK_STATUS_OK);
    ck_assert_ptr_null(back);
    free(bad);
    free(json);
    lk_ir_state_free(st);
}
END_TEST

START_TEST(test_coverages_json_and_equality)
{
    struct lk_policy *p =
        s_clean(HEADER_ONE "sources:\n"
                           "  flow:\n"
                           "    type: vpc-flow-logs\n"
                           "    purpose: network forensics for incident response\n"
                           "    store: net\n"
                           "    prefix: vpcflow/\n"
                           "    retention: { delete_after: 1y }\n"
                           "    enable: true\n"
                           "    resources:\n"
                           "      names: [\"b-*\", \"a-*\"]\n"
                           "      tags: { env: prod }\n"
                           "      exclude:\n"
                           "        vpc-0abc1234: \"sandbox VPC torn down nightly\"\n");
    struct lk_ir_state *st = lk_lower(p);
    ck_assert_uint_eq(st->n_coverages, 2);
    ck_assert_str_eq(st->coverages[0].names.items[0], "a-*");
    char *json = lk_ir_state_to_json(st);
    struct lk_ir_state *back = NULL;
    struct lk_error err;
    ck_assert_int_eq(lk_ir_state_from_json(json, strlen(json), &back, &err), LK_STATUS_OK);
    struct lk_ir_mismatch why;
    ck_assert_msg(lk_ir_state_equal(st, back, 0, &why), "%s", why.text);
    /* Requirements are desired state: a live state has none, and the configuration compared
     * between desired and live leaves them out. */
    back->coverages[1].enable = false;
    ck_assert(!lk_ir_state_equal(st, back, 0, &why));
    ck_assert_msg(strstr(why.text, "coverages[1].enable") != NULL, "%s", why.text);
    ck_assert(!lk_ir_coverage_equal(&st->coverages[1], &back->coverages[1], 0, NULL));
    ck_assert(lk_ir_state_equal(st, back, LK_IR_EQ_SKIP_DESIRED_ONLY, NULL));
    lk_ir_state_free(back);
    free(json);
    lk_ir_state_free(st);
    lk_policy_free(p);
}
END_TEST

/* ------------------------------------------------------------------------------ matching */

static struct lk_ir_destination s_s3(struct lk_ir_state *st, const char *bucket, const char *prefix,
                                     const char *traffic, const char *log_type, const char *status)
{
    return (struct lk_ir_destination){
        .kind = LK_IR_DEST_S3,
        .arn = lk_ir_printf(st, "arn:aws:s3:::%s", bucket),
        .bucket = lk_ir_strdup(st, bucket),
        .prefix = prefix ? lk_ir_strdup(st, prefix) : NULL,
        .traffic_type = traffic ? lk_ir_strdup(st, traffic) : NULL,
        .log_type = log_type ? lk_ir_strdup(st, log_type) : NULL,
        .status = status ? lk_ir_strdup(st, status) : NULL,
    };
}

/* Sets the destinations of @p p (arena copies). */
static void s_dests(struct lk_ir_state *st, struct lk_ir_producer *p,
                    const struct lk_ir_destination *d, size_t n)
{
    p->destinations = lk_arena_alloc(&st->arena, (n ? n : 1) * sizeof(*d));
    memcpy(p->destinations, d, n * sizeof(*d));
    p->n_destinations = n;
}

static void s_expect(const struct lk_ir_coverage *c, const struct lk_ir_producer *p,
                     enum lk_ir_coverage_status want, const char *why_part)
{
    struct lk_ir_mismatch why;
    enum lk_ir_coverage_status got = lk_ir_coverage_check(c, p, &why);
    ck_assert_msg(got == want, "%s: %s, expected %s (%s)", p->id, lk_ir_coverage_status_name(got),
                  lk_ir_coverage_status_name(want), why.text);
    if (why_part)
        ck_assert_msg(strstr(why.text, why_part) != NULL, "%s: \"%s\" lacks \"%s\"", p->id,
                      why.text, why_part);
}

START_TEST(test_matching)
{
    struct lk_policy *p =
        s_clean(HEADER_ONE "sources:\n"
                           "  flow:\n"
                           "    type: vpc-flow-logs\n"
                           "    purpose: network forensics for incident response\n"
                           "    store: net\n"
                           "    prefix: vpcflow/\n"
                           "    regions: us-east-1\n"
                           "    retention: { delete_after: 1y }\n"
                           "    resources:\n"
                           "      tags: { env: prod }\n"
                           "      exclude:\n"
                           "        vpc-0000dead: \"sandbox VPC torn down nightly\"\n"
                           "  nfw:\n"
                           "    type: network-firewall\n"
                           "    purpose: network forensics for incident response\n"
                           "    store: net\n"
                           "    prefix: nfw/\n"
                           "    regions: us-east-1\n"
                           "    retention: { delete_after: 1y }\n"
                           "  dns:\n"
                           "    type: route53-resolver-query-logs\n"
                           "    purpose: DNS exfiltration investigations\n"
                           "    log_groups: [\"/dns/*\"]\n"
                           "    regions: us-east-1\n"
                           "    retention: { delete_after: 1y }\n"
                           "    resources: { names: [\"prod-*\"] }\n"
                           "  eks:\n"
                           "    type: eks-audit\n"
                           "    purpose: investigating cluster compromise\n"
                           "    regions: us-east-1\n"
                           "    log_types: [audit, api]\n"
                           "    retention: { delete_after: 1y }\n"
                           "  rds:\n"
                           "    type: rds\n"
                           "    purpose: investigating database access\n"
                           "    regions: us-east-1\n"
                           "    retention: { delete_after: 1y }\n");
    struct lk_ir_state *st = lk_lower(p);
    const struct lk_ir_coverage *flow = s_find(st, "flow", "us-east-1"),
                                *nfw = s_find(st, "nfw", "us-east-1"),
                                *dns = s_find(st, "dns", "us-east-1"),
                                *eks = s_find(st, "eks", "us-east-1"),
                                *rds = s_find(st, "rds", "us-east-1");
    ck_assert(flow && nfw && dns && eks && rds);

    /* Flow logs. */
    struct lk_ir_tag prod[1] = {{lk_ir_strdup(st, "env"), lk_ir_strdup(st, "prod")}};
    struct lk_ir_producer vpc = {.type = LK_IR_PRODUCER_VPC_FLOW_LOGS,
                                 .id = lk_ir_strdup(st, "vpc-0123abcd"),
                                 .tags = prod,
                                 .n_tags = 1,
                                 .enabled = true};
    s_expect(flow, &vpc, LK_IR_COVERAGE_MISSING, "no delivery to arn:aws:s3:::acme-net");
    struct lk_ir_destination d[2];
    d[0] = s_s3(st, "acme-net-111122223333", "vpcflow", "ALL", NULL, NULL); /* no '/' */
    s_dests(st, &vpc, d, 1);
    s_expect(flow, &vpc, LK_IR_COVERAGE_DELIVERS, NULL);
    d[0] = s_s3(st, "acme-net-111122223333", "vpcflow/", "ACCEPT", NULL, NULL);
    s_dests(st, &vpc, d, 1);
    s_expect(flow, &vpc, LK_IR_COVERAGE_PARTLY, "traffic type ACCEPT, not ALL");
    d[1] = s_s3(st, "acme-net-111122223333", "vpcflow/", "ALL", NULL, "FAILED");
    s_dests(st, &vpc, d, 2);
    s_expect(flow, &vpc, LK_IR_COVERAGE_PARTLY, "status FAILED");
    d[0] = s_s3(st, "other-bucket", "", "ALL", NULL, NULL);
    s_dests(st, &vpc, d, 1);
    s_expect(flow, &vpc, LK_IR_COVERAGE_ELSEWHERE, "s3://other-bucket/");
    d[0] = s_s3(st, "acme-net-111122223333", "other/", "ALL", NULL, NULL);
    s_dests(st, &vpc, d, 1);
    s_expect(flow, &vpc, LK_IR_COVERAGE_ELSEWHERE, NULL); /* another folder is elsewhere */
    vpc.error = lk_ir_strdup(st, "UnauthorizedOperation");
    s_expect(flow, &vpc, LK_IR_COVERAGE_UNREADABLE, "UnauthorizedOperation");
    vpc.n_tags = 0; /* its tags could not be read: the tags selector cannot leave it out */
    s_expect(flow, &vpc, LK_IR_COVERAGE_UNREADABLE, "UnauthorizedOperation");
    vpc.error = NULL;
    s_expect(flow, &vpc, LK_IR_COVERAGE_NOT_SELECTED, NULL); /* the selector wants env=prod */
    /* A refused listing ("*") is seen by every requirement of its type, whatever it selects. */
    struct lk_ir_producer refused = {.type = LK_IR_PRODUCER_VPC_FLOW_LOGS,
                                     .id = lk_ir_strdup(st, "*"),
                                     .error = lk_ir_strdup(st, "UnauthorizedOperation")};
    s_expect(flow, &refused, LK_IR_COVERAGE_UNREADABLE, "UnauthorizedOperation");
    s_expect(dns,
             &(struct lk_ir_producer){.type = LK_IR_PRODUCER_RESOLVER_QUERY_LOGS,
                                      .id = refused.id,
                                      .error = refused.error},
             LK_IR_COVERAGE_UNREADABLE, "UnauthorizedOperation"); /* names: ["prod-*"] */
    vpc.n_tags = 1;
    vpc.id = lk_ir_strdup(st, "vpc-0000dead");
    s_expect(flow, &vpc, LK_IR_COVERAGE_EXCLUDED, NULL);
    ck_assert_str_eq(lk_ir_coverage_exclusion(flow, &vpc)->reason, "sandbox VPC torn down nightly");
    vpc.type = LK_IR_PRODUCER_RDS;
    s_expect(flow, &vpc, LK_IR_COVERAGE_NOT_SELECTED, NULL);

    /* Network Firewall: ALERT and FLOW. */
    struct lk_ir_producer fw = {.type = LK_IR_PRODUCER_NETWORK_FIREWALL,
                                .id = lk_ir_strdup(st, "arn:aws:network-firewall:us-east-1:"
                                                       "111122223333:firewall/egress"),
                                .enabled = true};
    d[0] = s_s3(st, "acme-net-111122223333", "nfw/", NULL, "ALERT", NULL);
    s_dests(st, &fw, d, 1);
    s_expect(nfw, &fw, LK_IR_COVERAGE_PARTLY, "no FLOW logs");
    d[1] = s_s3(st, "acme-net-111122223333", "nfw", NULL, "FLOW", NULL);
    s_dests(st, &fw, d, 2);
    s_expect(nfw, &fw, LK_IR_COVERAGE_DELIVERS, NULL);
    fw.partial = lk_ir_strdup(st, "logging-filter");
    s_expect(nfw, &fw, LK_IR_COVERAGE_PARTLY, "logging-filter");
    fw.partial = NULL;
    fw.enabled = false;
    s_expect(nfw, &fw, LK_IR_COVERAGE_PARTLY, "logging is off");

    /* A log group pattern, matched against the ARN CloudWatch Logs reports. */
    struct lk_ir_producer assoc = {.type = LK_IR_PRODUCER_RESOLVER_QUERY_LOGS,
                                   .id = lk_ir_strdup(st, "vpc-0123abcd"),
                                   .name = lk_ir_strdup(st, "prod-a"),
                                   .enabled = true};
    struct lk_ir_destination lg = {
        .kind = LK_IR_DEST_LOGS,
        .arn = lk_ir_strdup(st, "arn:aws:logs:us-east-1:111122223333:log-group:/dns/queries:*")};
    s_dests(st, &assoc, &lg, 1);
    s_expect(dns, &assoc, LK_IR_COVERAGE_DELIVERS, NULL);
    lg.arn = lk_ir_strdup(st, "arn:aws:logs:us-east-1:111122223333:log-group:/other");
    s_dests(st, &assoc, &lg, 1);
    s_expect(dns, &assoc, LK_IR_COVERAGE_ELSEWHERE, "log-group:/other");
    assoc.name = NULL; /* names select by name: a VPC without a Name tag is not selected */
    s_expect(dns, &assoc, LK_IR_COVERAGE_NOT_SELECTED, NULL);

    /* EKS: log types only. */
    struct lk_ir_producer cl = {
        .type = LK_IR_PRODUCER_EKS, .id = lk_ir_strdup(st, "prod"), .enabled = true};
    s_expect(eks, &cl, LK_IR_COVERAGE_MISSING, "log types not on: api, audit");
    lk_ir_list_add(st, &cl.log_types, "api");
    s_expect(eks, &cl, LK_IR_COVERAGE_PARTLY, "log types not on: audit");
    lk_ir_list_add(st, &cl.log_types, "audit");
    s_expect(eks, &cl, LK_IR_COVERAGE_DELIVERS, NULL);

    /* RDS: the engine's main log by default; pending exports are not on yet. */
    struct lk_ir_producer db = {.type = LK_IR_PRODUCER_RDS,
                                .id = lk_ir_strdup(st, "orders"),
                                .engine = lk_ir_strdup(st, "postgres"),
                                .enabled = true};
    lk_ir_list_add(st, &db.pending_log_types, "postgresql");
    s_expect(rds, &db, LK_IR_COVERAGE_MISSING,
             "log types not on: postgresql (pending: postgresql)");
    lk_ir_list_add(st, &db.log_types, "postgresql");
    s_expect(rds, &db, LK_IR_COVERAGE_DELIVERS, NULL);
    db.engine = lk_ir_strdup(st, "neptune");
    s_expect(rds, &db, LK_IR_COVERAGE_NOT_SELECTED, NULL);

    ck_assert_str_eq(lk_ir_coverage_status_name(LK_IR_COVERAGE_ELSEWHERE), "elsewhere");
    lk_ir_state_free(st);
    lk_policy_free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("coverage");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_producer_ids);
    tcase_add_test(tc, test_decoded_settings);
    tcase_add_test(tc, test_lower_one_account);
    tcase_add_test(tc, test_lower_scope);
    tcase_add_test(tc, test_rds_default_log_type);
    tcase_add_test(tc, test_producers_order_equality_json);
    tcase_add_test(tc, test_coverages_json_and_equality);
    tcase_add_test(tc, test_matching);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
