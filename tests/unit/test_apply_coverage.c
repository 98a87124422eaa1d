/*
 * Unit tests: building apply's producer steps (lk_apply_plan_build_coverage(),
 * runtime/apply_coverage.c) from a lowered policy and producers as the live reader gives them:
 * which producers get a call, which are only reported, the order, and the allowances asked for.
 */
#include "lk_test.h"

#include "runtime/apply.h"
#include "runtime/diff/diff.h"

#define HEAD                                                                                       \
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
    "    admins: [admins]\n"                                                                       \
    "sources:\n"

#define SOURCE(name, type, extra)                                                                  \
    "  " name ":\n"                                                                                \
    "    type: " type "\n"                                                                         \
    "    purpose: network forensics for incident response\n"                                       \
    "    retention: { delete_after: 1y }\n" extra

#define TO_NET(prefix) "    store: net\n    prefix: " prefix "\n"

static struct lk_ir_state *s_lower(const char *yaml)
{
    struct lk_policy *pol = lk_test_policy(yaml);
    for (size_t i = 0; i < pol->diags.n; i++)
        ck_assert_msg(pol->diags.items[i].severity == LK_SEV_NOTE, "%s: %s",
                      pol->diags.items[i].rule->id, pol->diags.items[i].message);
    struct lk_ir_state *d = lk_lower(pol);
    lk_policy_free(pol);
    return d;
}

/* A producer of @p type with one destination to @p bucket/@p prefix (none when NULL). */
static void s_producer(struct lk_ir_state *st, struct lk_ir_producer *p,
                       enum lk_ir_producer_type type, const char *id, const char *bucket,
                       const char *prefix)
{
    memset(p, 0, sizeof(*p));
    p->type = type;
    p->id = lk_ir_strdup(st, id);
    p->enabled = true;
    if (bucket) {
        struct lk_ir_destination *d = lk_arena_alloc(&st->arena, sizeof(*d));
        memset(d, 0, sizeof(*d));
        d->kind = LK_IR_DEST_S3;
        d->bucket = lk_ir_strdup(st, bucket);
        d->arn = lk_arena_printf(&st->arena, "arn:aws:s3:::%s", bucket);
        d->prefix = lk_ir_strdup(st, prefix);
        if (type == LK_IR_PRODUCER_VPC_FLOW_LOGS)
            d->traffic_type = lk_ir_strdup(st, "ALL");
        p->destinations = d;
        p->n_destinations = 1;
    }
}

/* The diff of @p live's producers against @p desired in both Regions: each producer stands in
 * us-east-1 and again in eu-west-1 (live->producers is replaced by an arena copy). */
static void s_diff(const struct lk_ir_state *desired, struct lk_ir_state *live,
                   struct lk_diff *diff)
{
    static const char *const regions[] = {"eu-west-1", "us-east-1"};
    size_t n = live->n_producers;
    struct lk_ir_producer *both = lk_arena_alloc(&live->arena, 2 * n * sizeof(*both));
    for (size_t r = 0; r < 2; r++) {
        for (size_t i = 0; i < n; i++) {
            both[r * n + i] = live->producers[i];
            both[r * n + i].region = lk_ir_strdup(live, regions[r]);
        }
        lk_ir_list_add_set(live, &live->producer_regions, regions[r]);
    }
    live->producers = both;
    live->n_producers = 2 * n;
    live->region = lk_ir_strdup(live, "us-east-1");
    lk_diff_init(diff);
    ck_assert_int_eq(lk_diff_coverage(desired, live, diff), LK_STATUS_OK);
}

START_TEST(test_order_and_allowances)
{
    struct lk_ir_state *desired =
        s_lower(HEAD SOURCE("flow", "vpc-flow-logs", TO_NET("vpcflow/") "    enable: true\n")
                    SOURCE("db", "rds", "    enable: true\n"));
    struct lk_ir_state *live = lk_ir_state_new();
    struct lk_ir_producer ps[4];
    s_producer(live, &ps[0], LK_IR_PRODUCER_VPC_FLOW_LOGS, "vpc-00000001", NULL, NULL);
    s_producer(live, &ps[1], LK_IR_PRODUCER_VPC_FLOW_LOGS, "vpc-00000002", "other", "");
    s_producer(live, &ps[2], LK_IR_PRODUCER_RDS, "db-1", NULL, NULL);
    ps[2].engine = lk_ir_strdup(live, "mysql");
    ps[2].arn = lk_ir_strdup(live, "arn:aws:rds:us-east-1:111122223333:db:db-1");
    s_producer(live, &ps[3], LK_IR_PRODUCER_RDS, "db-2", NULL, NULL);
    ps[3].engine = lk_ir_strdup(live, "postgres");
    /* Asked for already: pending, so no second call. */
    lk_ir_list_add_set(live, &ps[3].pending_log_types, "postgresql");
    live->producers = ps;
    live->n_producers = 4;
    struct lk_diff diff;
    s_diff(desired, live, &diff);

    struct lk_apply_plan plan;
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build_coverage(desired, live, &diff, &plan), LK_STATUS_OK);
    /* Per Region (eu-west-1 first), flow logs before databases. */
    static const struct {
        const char *region;
        enum lk_apply_op op;
        const char *name;
    } want[] = {
        {"eu-west-1", LK_APPLY_CREATE_FLOW_LOGS, "vpc-00000001"},
        {"eu-west-1", LK_APPLY_CREATE_FLOW_LOGS, "vpc-00000002"},
        {"eu-west-1", LK_APPLY_MODIFY_DB_INSTANCE, "db-1"},
        {"us-east-1", LK_APPLY_CREATE_FLOW_LOGS, "vpc-00000001"},
        {"us-east-1", LK_APPLY_CREATE_FLOW_LOGS, "vpc-00000002"},
        {"us-east-1", LK_APPLY_MODIFY_DB_INSTANCE, "db-1"},
    };
    ck_assert_uint_eq(plan.n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < plan.n; i++) {
        ck_assert_str_eq(plan.steps[i].region, want[i].region);
        ck_assert_int_eq(plan.steps[i].op, want[i].op);
        ck_assert_str_eq(plan.steps[i].name, want[i].name);
    }
    ck_assert_str_eq(plan.steps[2].log_types.items[0], "error");
    ck_assert_str_eq(lk_apply_op_name(plan.steps[2].op), "ModifyDBInstance");
    ck_assert_ptr_null(lk_apply_step_effect(&plan.steps[0]));

    /* The database change is named in the step list. */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    lk_apply_report(&plan, f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "not made  ModifyDBInstance db-1 [eu-west-1]: modifies the "
                                       "database: log exports, applied immediately, no restart\n"));
    free(text);

    /* The redirect of vpc-00000002 needs its allowance, once for both Regions. */
    ck_assert_uint_eq(lk_apply_missing_allows(&diff, NULL, 0, NULL), 1);
    const char *allow[] = {"redirect:vpc-00000002"};
    ck_assert_uint_eq(lk_apply_missing_allows(&diff, allow, 1, NULL), 0);

    lk_apply_plan_free(&plan);
    lk_diff_free(&diff);
    live->producers = NULL;
    live->n_producers = 0;
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
}
END_TEST

START_TEST(test_without_enable_no_call)
{
    /* Drift only: no call, and nothing to allow (nothing would be redirected). */
    struct lk_ir_state *desired = s_lower(HEAD SOURCE("flow", "vpc-flow-logs", TO_NET("vpcflow/")));
    struct lk_ir_state *live = lk_ir_state_new();
    struct lk_ir_producer ps[2];
    s_producer(live, &ps[0], LK_IR_PRODUCER_VPC_FLOW_LOGS, "vpc-00000001", NULL, NULL);
    s_producer(live, &ps[1], LK_IR_PRODUCER_VPC_FLOW_LOGS, "vpc-00000002", "other", "");
    live->producers = ps;
    live->n_producers = 2;
    struct lk_diff diff;
    s_diff(desired, live, &diff);
    /* The diff asks for nothing (no enable), and building the plan keeps it so. */
    ck_assert_uint_eq(lk_apply_missing_allows(&diff, NULL, 0, NULL), 0);
    struct lk_apply_plan plan;
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build_coverage(desired, live, &diff, &plan), LK_STATUS_OK);
    ck_assert_uint_eq(plan.n, 0);
    ck_assert_uint_eq(lk_apply_missing_allows(&diff, NULL, 0, NULL), 0);
    /* The drift itself stays. */
    ck_assert_ptr_nonnull(
        lk_diff_find(&diff, LK_DIFF_PRODUCER, "vpc-00000002", "vpc-flow-logs[flow]"));
    lk_apply_plan_free(&plan);
    lk_diff_free(&diff);
    live->producers = NULL;
    live->n_producers = 0;
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
}
END_TEST

START_TEST(test_reported_not_changed)
{
    /* Producers apply leaves alone even with enable: a firewall whose FLOW goes elsewhere (a
     * partial one: changing FLOW would be a redirect without an allowance), a stopped Config
     * recorder whose channel delivers elsewhere, a web ACL with a logging filter, a detector
     * exporting elsewhere. */
    struct lk_ir_state *desired =
        s_lower(HEAD SOURCE("fw", "network-firewall", TO_NET("nfw/") "    enable: true\n")
                    SOURCE("cfg", "config", TO_NET("config/") "    enable: true\n"));
    struct lk_ir_state *live = lk_ir_state_new();
    struct lk_ir_producer ps[2];
    s_producer(live, &ps[0], LK_IR_PRODUCER_NETWORK_FIREWALL,
               "arn:aws:network-firewall:us-east-1:111122223333:firewall/fw", NULL, NULL);
    struct lk_ir_destination *d = lk_arena_alloc(&live->arena, 2 * sizeof(*d));
    memset(d, 0, 2 * sizeof(*d));
    d[0].kind = d[1].kind = LK_IR_DEST_S3;
    d[0].bucket = lk_ir_strdup(live, "acme-net-111122223333");
    d[0].arn = lk_ir_strdup(live, "arn:aws:s3:::acme-net-111122223333");
    d[0].prefix = lk_ir_strdup(live, "nfw");
    d[0].log_type = lk_ir_strdup(live, "ALERT");
    d[1].bucket = lk_ir_strdup(live, "other");
    d[1].arn = lk_ir_strdup(live, "arn:aws:s3:::other");
    d[1].prefix = lk_ir_strdup(live, "");
    d[1].log_type = lk_ir_strdup(live, "FLOW");
    ps[0].destinations = d;
    ps[0].n_destinations = 2;
    s_producer(live, &ps[1], LK_IR_PRODUCER_CONFIG, "default", "other", "cfg");
    ps[1].enabled = false;
    live->producers = ps;
    live->n_producers = 2;
    struct lk_diff diff;
    s_diff(desired, live, &diff);
    /* Drift in both Regions: the firewall partly, the recorder missing. */
    ck_assert_uint_eq(diff.n, 4);
    ck_assert_ptr_nonnull(lk_diff_find(&diff, LK_DIFF_PRODUCER, "default", "config[cfg]"));
    struct lk_apply_plan plan;
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build_coverage(desired, live, &diff, &plan), LK_STATUS_OK);
    ck_assert_uint_eq(plan.n, 0);

    /* Once FLOW is off (not elsewhere), it is added; ALERT is kept as it is. */
    ps[0].n_destinations = 1;
    /* The recorder, with its channel to the store, is started. */
    d = lk_arena_alloc(&live->arena, sizeof(*d));
    memset(d, 0, sizeof(*d));
    d->kind = LK_IR_DEST_S3;
    d->bucket = lk_ir_strdup(live, "acme-net-111122223333");
    d->arn = lk_ir_strdup(live, "arn:aws:s3:::acme-net-111122223333");
    d->prefix = lk_ir_strdup(live, "config/");
    ps[1].destinations = d;
    live->producers = ps;
    live->n_producers = 2;
    lk_diff_free(&diff);
    s_diff(desired, live, &diff);
    lk_apply_plan_free(&plan);
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build_coverage(desired, live, &diff, &plan), LK_STATUS_OK);
    ck_assert_uint_eq(plan.n, 4);
    ck_assert_int_eq(plan.steps[0].op, LK_APPLY_UPDATE_FIREWALL_LOGGING);
    ck_assert_uint_eq(plan.steps[0].log_types.n, 1);
    ck_assert_str_eq(plan.steps[0].log_types.items[0], "FLOW");
    ck_assert_int_eq(plan.steps[1].op, LK_APPLY_START_RECORDER);
    ck_assert_str_eq(lk_apply_op_name(plan.steps[1].op), "StartConfigurationRecorder");
    ck_assert_str_eq(plan.steps[1].name, "default");

    lk_apply_plan_free(&plan);
    lk_diff_free(&diff);
    live->producers = NULL;
    live->n_producers = 0;
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
}
END_TEST

START_TEST(test_waf_and_guardduty_elsewhere)
{
    struct lk_ir_state *desired = s_lower(
        "logkeep: 1\n"
        "account: \"111122223333\"\n"
        "region: us-east-1\n"
        "roles:\n"
        "  readers: { principals: [\"arn:aws:iam::111122223333:role/Analyst\"], access: read }\n"
        "  admins: { principals: [\"arn:aws:iam::111122223333:role/LogAdmin\"], access: admin }\n"
        "stores:\n"
        "  net:\n"
        "    bucket: acme-net-111122223333\n"
        "    encryption: { kms_key: \"arn:aws:kms:us-east-1:111122223333:key/"
        "1234abcd-12ab-34cd-56ef-1234567890ab\" }\n"
        "    readers: [readers]\n"
        "    admins: [admins]\n"
        "  waf-logs:\n"
        "    bucket: aws-waf-logs-acme-111122223333\n"
        "    readers: [readers]\n"
        "    admins: [admins]\n"
        "sources:\n" SOURCE("waf", "waf", "    store: waf-logs\n    enable: true\n")
            SOURCE("gd", "guardduty", TO_NET("guardduty/") "    enable: true\n"));
    struct lk_ir_state *live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, "us-east-1");
    struct lk_ir_producer ps[3];
    const char *acl = "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/a/1";
    s_producer(live, &ps[0], LK_IR_PRODUCER_WAF, acl, "aws-waf-logs-acme-111122223333", "");
    ps[0].partial = lk_ir_strdup(live, "logging-filter");
    s_producer(live, &ps[1], LK_IR_PRODUCER_WAF,
               "arn:aws:wafv2:us-east-1:111122223333:regional/"
               "webacl/b/2",
               "aws-waf-logs-other", "");
    s_producer(live, &ps[2], LK_IR_PRODUCER_GUARDDUTY, "0123456789abcdef", "other", "gd");
    live->producers = ps;
    live->n_producers = 3;
    struct lk_diff diff;
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_coverage(desired, live, &diff), LK_STATUS_OK);
    ck_assert_uint_eq(lk_apply_missing_allows(&diff, NULL, 0, NULL), 2);
    struct lk_apply_plan plan;
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build_coverage(desired, live, &diff, &plan), LK_STATUS_OK);
    /* The filtered ACL is reported only; the other is redirected with its allowance; so is
     * the detector's one export (UpdatePublishingDestination), to the store with its key. */
    ck_assert_uint_eq(plan.n, 2);
    ck_assert_int_eq(plan.steps[0].op, LK_APPLY_PUT_WAF_LOGGING);
    ck_assert_str_eq(lk_apply_op_name(plan.steps[0].op), "PutLoggingConfiguration");
    ck_assert_str_eq(plan.steps[0].destination->arn, "arn:aws:s3:::aws-waf-logs-acme-111122223333");
    ck_assert_int_eq(plan.steps[1].op, LK_APPLY_UPDATE_PUBLISHING_DESTINATION);
    ck_assert_str_eq(lk_apply_op_name(plan.steps[1].op), "UpdatePublishingDestination");
    ck_assert_str_eq(plan.steps[1].name, "0123456789abcdef");
    ck_assert_str_eq(plan.steps[1].destination->bucket, "acme-net-111122223333");
    ck_assert_str_eq(plan.steps[1].destination->kms_key_arn,
                     "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    ck_assert_uint_eq(lk_apply_missing_allows(&diff, NULL, 0, NULL), 2);
    const struct lk_diff_change *ch =
        lk_diff_find(&diff, LK_DIFF_PRODUCER, "0123456789abcdef", "guardduty[gd]");
    ck_assert_ptr_nonnull(ch);
    ck_assert(ch->data_loss);
    ck_assert_str_eq(ch->allow_name, "redirect:0123456789abcdef");

    /* A detector with two exports, neither to the store: reported only (which one to move is
     * its owner's choice), and nothing to allow for it. */
    struct lk_ir_destination two[2];
    memcpy(&two[0], &ps[2].destinations[0], sizeof(two[0]));
    memcpy(&two[1], &ps[2].destinations[0], sizeof(two[1]));
    two[1].prefix = lk_ir_strdup(live, "gd2/");
    struct lk_ir_destination *one = ps[2].destinations;
    ps[2].destinations = two;
    ps[2].n_destinations = 2;
    struct lk_diff diff2;
    lk_diff_init(&diff2);
    ck_assert_int_eq(lk_diff_coverage(desired, live, &diff2), LK_STATUS_OK);
    struct lk_apply_plan plan2;
    lk_apply_plan_init(&plan2);
    ck_assert_int_eq(lk_apply_plan_build_coverage(desired, live, &diff2, &plan2), LK_STATUS_OK);
    ck_assert_uint_eq(plan2.n, 1);
    ck_assert_int_eq(plan2.steps[0].op, LK_APPLY_PUT_WAF_LOGGING);
    ch = lk_diff_find(&diff2, LK_DIFF_PRODUCER, "0123456789abcdef", "guardduty[gd]");
    ck_assert_ptr_nonnull(ch);
    ck_assert(!ch->data_loss);
    ps[2].destinations = one;
    ps[2].n_destinations = 1;
    lk_apply_plan_free(&plan2);
    lk_diff_free(&diff2);

    lk_apply_plan_free(&plan);
    lk_diff_free(&diff);
    live->producers = NULL;
    live->n_producers = 0;
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("apply_coverage");
    TCase *tc = tcase_create("plan");
    tcase_add_test(tc, test_order_and_allowances);
    tcase_add_test(tc, test_without_enable_no_call);
    tcase_add_test(tc, test_reported_not_changed);
    tcase_add_test(tc, test_waf_and_guardduty_elsewhere);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
