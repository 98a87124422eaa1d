/*
 * Unit tests: coverage drift (lk_diff_coverage(), runtime/diff/coverage.c): a lowered policy's
 * coverage requirements against producers as the live reader gives them.
 */
#include "lk_test.h"

#include "runtime/diff/diff.h"

#define POLICY                                                                                     \
    "logkeep: 1\n"                                                                                 \
    "account: \"111122223333\"\n"                                                                  \
    "region: us-east-1\n"                                                                          \
    "roles:\n"                                                                                     \
    "  readers: { principals: [\"arn:aws:iam::111122223333:role/Analyst\"], access: read }\n"      \
    "  admins: { principals: [\"arn:aws:iam::111122223333:role/LogAdmin\"], access: admin }\n"     \
    "stores:\n"                                                                                    \
    "  net:\n"                                                                                     \
    "    bucket: acme-net-111122223333\n"                                                          \
    "    readers: [readers]\n"                                                                     \
    "    admins: [admins]\n"                                                                       \
    "sources:\n"                                                                                   \
    "  flow:\n"                                                                                    \
    "    type: vpc-flow-logs\n"                                                                    \
    "    purpose: network forensics for incident response\n"                                       \
    "    store: net\n"                                                                             \
    "    prefix: vpcflow/\n"                                                                       \
    "    retention: { delete_after: 1y }\n"                                                        \
    "    resources:\n"                                                                             \
    "      exclude:\n"                                                                             \
    "        vpc-0000dead: \"sandbox VPC torn down nightly\"\n"                                    \
    "  cfg:\n"                                                                                     \
    "    type: config\n"                                                                           \
    "    purpose: configuration history for investigations\n"                                      \
    "    store: net\n"                                                                             \
    "    prefix: config/\n"                                                                        \
    "    retention: { delete_after: 1y }\n"

static struct lk_ir_producer *s_vpc(struct lk_ir_state *st, struct lk_ir_producer *p,
                                    const char *id, const char *bucket, const char *prefix,
                                    const char *traffic)
{
    memset(p, 0, sizeof(*p));
    p->type = LK_IR_PRODUCER_VPC_FLOW_LOGS;
    p->id = lk_ir_strdup(st, id);
    p->enabled = true;
    if (bucket != NULL) {
        struct lk_ir_destination *d = lk_arena_alloc(&st->arena, sizeof(*d));
        memset(d, 0, sizeof(*d));
        d->kind = LK_IR_DEST_S3;
        d->bucket = lk_ir_strdup(st, bucket);
        d->arn = lk_arena_printf(&st->arena, "arn:aws:s3:::%s", bucket);
        d->prefix = lk_ir_strdup(st, prefix);
        d->traffic_type = lk_ir_strdup(st, traffic);
        p->destinations = d;
        p->n_destinations = 1;
    }
    return p;
}

START_TEST(test_coverage_changes)
{
    struct lk_policy *pol = lk_test_policy(POLICY);
    for (size_t i = 0; i < pol->diags.n; i++)
        ck_assert_msg(pol->diags.items[i].severity == LK_SEV_NOTE, "%s: %s",
                      pol->diags.items[i].rule->id, pol->diags.items[i].message);
    struct lk_ir_state *desired = lk_lower(pol);
    ck_assert_uint_eq(desired->n_coverages, 2);

    struct lk_ir_state *live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, "us-east-1");
    struct lk_ir_producer ps[6];
    s_vpc(live, &ps[0], "vpc-00000001", "acme-net-111122223333", "vpcflow/", "ALL"); /* ok */
    s_vpc(live, &ps[1], "vpc-00000002", NULL, NULL, NULL);                           /* none */
    s_vpc(live, &ps[2], "vpc-00000003", "other-bucket", "", "ALL");                  /* elsewhere */
    s_vpc(live, &ps[3], "vpc-00000004", "acme-net-111122223333", "vpcflow", "REJECT"); /* part */
    s_vpc(live, &ps[4], "vpc-0000dead", NULL, NULL, NULL); /* excluded */
    s_vpc(live, &ps[5], "*", NULL, NULL, NULL);
    ps[5].error = lk_ir_strdup(live, "UnauthorizedOperation");
    live->producers = ps;
    live->n_producers = 6;

    struct lk_diff diff;
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_coverage(desired, live, &diff), LK_STATUS_OK);

    const char *attr = "vpc-flow-logs[flow]";
    ck_assert_ptr_null(lk_diff_find(&diff, LK_DIFF_PRODUCER, "vpc-00000001", attr));

    const struct lk_diff_change *ch = lk_diff_find(&diff, LK_DIFF_PRODUCER, "vpc-00000002", attr);
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_MISSING);
    ck_assert_int_eq(ch->direction, LK_DIFF_WEAKER);
    ck_assert_str_eq(ch->desired, "s3://acme-net-111122223333/vpcflow/");
    ck_assert(!ch->data_loss);
    ck_assert_str_eq(ch->region, "us-east-1");
    ck_assert_uint_gt(ch->origin.line, 0);

    ch = lk_diff_find(&diff, LK_DIFF_PRODUCER, "vpc-00000003", attr);
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_CHANGED);
    ck_assert(ch->data_loss);
    ck_assert_str_eq(ch->allow_name, "redirect:vpc-00000003");
    ck_assert_ptr_nonnull(strstr(ch->live, "s3://other-bucket/"));

    ch = lk_diff_find(&diff, LK_DIFF_PRODUCER, "vpc-00000004", attr);
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_CHANGED);
    ck_assert(!ch->data_loss);
    ck_assert_ptr_nonnull(strstr(ch->live, "REJECT"));

    ch = lk_diff_find(&diff, LK_DIFF_PRODUCER, "vpc-0000dead", attr);
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_NOTE);
    ck_assert_str_eq(ch->note, "excluded: sandbox VPC torn down nightly");
    /* The exclusion's own line, not the source's. */
    ck_assert_ptr_nonnull(strstr(ch->origin.text, "vpc-0000dead"));

    ch = lk_diff_find(&diff, LK_DIFF_PRODUCER, "*", attr);
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_NOTE);
    ck_assert_str_eq(ch->note, "cannot read: UnauthorizedOperation");

    /* No recorder read: the Region has none. */
    ch = lk_diff_find(&diff, LK_DIFF_PRODUCER, "*", "config[cfg]");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_MISSING);
    ck_assert_str_eq(ch->note, "no configuration recorder");

    struct lk_diff_summary sum;
    lk_diff_summarize(&diff, &sum);
    ck_assert_uint_eq(sum.to_add, 2);
    ck_assert_uint_eq(sum.to_change, 2);
    ck_assert_uint_eq(sum.notes, 2);
    ck_assert_uint_eq(sum.need_allow, 1);
    ck_assert_uint_eq(diff.n, 6);

    char *json = lk_diff_to_json(&diff);
    ck_assert_ptr_nonnull(strstr(json, "\"producer\""));
    free(json);

    /* Producers of another Region's state are not this one's. */
    lk_diff_free(&diff);
    lk_diff_init(&diff);
    live->region = lk_ir_strdup(live, "eu-west-1");
    ck_assert_int_eq(lk_diff_coverage(desired, live, &diff), LK_STATUS_OK);
    ck_assert_uint_eq(diff.n, 0);
    ck_assert_int_eq(lk_diff_coverage(NULL, live, &diff), LK_STATUS_INVALID_ARGUMENT);

    lk_diff_free(&diff);
    live->producers = NULL;
    live->n_producers = 0;
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
    lk_policy_free(pol);
}
END_TEST

/* A tags selector over producers without tags selects none: a note says so. */
START_TEST(test_tags_not_read)
{
    struct lk_policy *pol = lk_test_policy(
        "logkeep: 1\n"
        "account: \"111122223333\"\n"
        "region: us-east-1\n"
        "roles:\n"
        "  readers: { principals: [\"arn:aws:iam::111122223333:role/Analyst\"], access: read }\n"
        "  admins: { principals: [\"arn:aws:iam::111122223333:role/LogAdmin\"], access: admin }\n"
        "stores:\n"
        "  net:\n"
        "    bucket: acme-net-111122223333\n"
        "    readers: [readers]\n"
        "    admins: [admins]\n"
        "sources:\n"
        "  flow:\n"
        "    type: vpc-flow-logs\n"
        "    purpose: network forensics for incident response\n"
        "    store: net\n"
        "    retention: { delete_after: 1y }\n"
        "    resources: { tags: { env: prod } }\n");
    for (size_t i = 0; i < pol->diags.n; i++)
        ck_assert_msg(pol->diags.items[i].severity == LK_SEV_NOTE, "%s: %s",
                      pol->diags.items[i].rule->id, pol->diags.items[i].message);
    struct lk_ir_state *desired = lk_lower(pol);
    struct lk_ir_state *live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, "us-east-1");
    struct lk_ir_producer ps[2];
    s_vpc(live, &ps[0], "vpc-00000001", NULL, NULL, NULL);
    s_vpc(live, &ps[1], "vpc-00000002", NULL, NULL, NULL);
    live->producers = ps;
    live->n_producers = 2;
    struct lk_diff diff;
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_coverage(desired, live, &diff), LK_STATUS_OK);
    ck_assert_uint_eq(diff.n, 1);
    const struct lk_diff_change *ch =
        lk_diff_find(&diff, LK_DIFF_PRODUCER, "*", "vpc-flow-logs[flow]");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_NOTE);
    ck_assert_ptr_nonnull(strstr(ch->note, "none of the 2 producers read carries tags"));

    /* One tagged producer: the selector works, no note (the untagged one is not selected). */
    struct lk_ir_tag tag = {lk_ir_strdup(live, "env"), lk_ir_strdup(live, "prod")};
    ps[1].tags = &tag;
    ps[1].n_tags = 1;
    lk_diff_free(&diff);
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_coverage(desired, live, &diff), LK_STATUS_OK);
    ck_assert_uint_eq(diff.n, 1);
    ch = lk_diff_find(&diff, LK_DIFF_PRODUCER, "vpc-00000002", "vpc-flow-logs[flow]");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_MISSING);

    lk_diff_free(&diff);
    live->producers = NULL;
    live->n_producers = 0;
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
    lk_policy_free(pol);
}
END_TEST

/* Stale exclusions and IDs are decided over every pair of the source. */
START_TEST(test_stale_over_pairs)
{
    struct lk_policy *pol = lk_test_policy(POLICY);
    struct lk_ir_state *d1 = lk_lower(pol), *d2 = lk_lower(pol);
    struct lk_ir_state *l1 = lk_ir_state_new(), *l2 = lk_ir_state_new();
    l1->region = lk_ir_strdup(l1, "us-east-1");
    l2->region = lk_ir_strdup(l2, "us-east-1");
    struct lk_ir_producer p1[1], p2[2];
    s_vpc(l1, &p1[0], "vpc-00000001", NULL, NULL, NULL);
    s_vpc(l2, &p2[0], "vpc-00000002", NULL, NULL, NULL);
    l1->producers = p1;
    l1->n_producers = 1;
    l2->producers = p2;
    l2->n_producers = 1;
    const struct lk_ir_state *ds[2] = {d1, d2}, *ls[2] = {l1, l2};
    struct lk_diff diff;
    lk_diff_init(&diff);

    /* vpc-0000dead is in no pair: stale, with the exclusion's origin. */
    ck_assert_int_eq(lk_diff_coverage_stale(ds, ls, 2, &diff), LK_STATUS_OK);
    ck_assert_uint_eq(diff.n, 1);
    const struct lk_diff_change *ch =
        lk_diff_find(&diff, LK_DIFF_PRODUCER, "vpc-0000dead", "vpc-flow-logs[flow].exclude");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_NOTE);
    ck_assert_ptr_null(ch->region);
    ck_assert_ptr_nonnull(strstr(ch->note, "stale exclusion"));
    ck_assert_ptr_nonnull(strstr(ch->origin.text, "vpc-0000dead"));

    /* In the second pair: not stale. */
    s_vpc(l2, &p2[1], "vpc-0000dead", NULL, NULL, NULL);
    l2->n_producers = 2;
    lk_diff_free(&diff);
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_coverage_stale(ds, ls, 2, &diff), LK_STATUS_OK);
    ck_assert_uint_eq(diff.n, 0);

    /* Gone again, but the first pair's VPCs were unreadable: undecided, nothing said. */
    l2->n_producers = 1;
    p1[0].id = lk_ir_strdup(l1, "*");
    p1[0].error = lk_ir_strdup(l1, "UnauthorizedOperation");
    lk_diff_free(&diff);
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_coverage_stale(ds, ls, 2, &diff), LK_STATUS_OK);
    ck_assert_uint_eq(diff.n, 0);
    ck_assert_int_eq(lk_diff_coverage_stale(NULL, ls, 2, &diff), LK_STATUS_INVALID_ARGUMENT);

    lk_diff_free(&diff);
    l1->producers = l2->producers = NULL;
    l1->n_producers = l2->n_producers = 0;
    lk_ir_state_free(l1);
    lk_ir_state_free(l2);
    lk_ir_state_free(d1);
    lk_ir_state_free(d2);
    lk_policy_free(pol);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("diff_coverage");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_coverage_changes);
    tcase_add_test(tc, test_tags_not_read);
    tcase_add_test(tc, test_stale_over_pairs);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
