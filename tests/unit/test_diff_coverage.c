/*
 * Unit tests: coverage drift (lk_diff_coverage(), runtime/diff/coverage.c): a lowered policy's
 * coverage requirements against producers as the live reader gives them.
 */
#include "lk_test.h"

#include "runtime/apply.h"
#include "runtime/diff/diff.h"
#include "runtime/report.h"

/* @p enable: the flow source's enable line, or "". */
#define POLICY_ENABLE(enable)                                                                      \
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
    "    prefix: vpcflow/\n" enable "    retention: { delete_after: 1y }\n"                        \
    "    resources:\n"                                                                             \
    "      exclude:\n"                                                                             \
    "        vpc-0000dead: \"sandbox VPC torn down nightly\"\n"                                    \
    "  cfg:\n"                                                                                     \
    "    type: config\n"                                                                           \
    "    purpose: configuration history for investigations\n"                                      \
    "    store: net\n"                                                                             \
    "    prefix: config/\n"                                                                        \
    "    retention: { delete_after: 1y }\n"
#define POLICY POLICY_ENABLE("    enable: true\n")

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

    /* Without enable, apply leaves a producer delivering elsewhere alone: still drift, worded
     * the same, but nothing to allow. */
    lk_diff_free(&diff);
    lk_diff_init(&diff);
    struct lk_policy *pol_off = lk_test_policy(POLICY_ENABLE(""));
    struct lk_ir_state *desired_off = lk_lower(pol_off);
    ck_assert_int_eq(lk_diff_coverage(desired_off, live, &diff), LK_STATUS_OK);
    ch = lk_diff_find(&diff, LK_DIFF_PRODUCER, "vpc-00000003", attr);
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_CHANGED);
    ck_assert_int_eq(ch->direction, LK_DIFF_WEAKER);
    ck_assert_str_eq(ch->note, "delivers elsewhere");
    ck_assert(!ch->data_loss);
    ck_assert_ptr_null(ch->allow_name);
    struct lk_buf line;
    lk_buf_init(&line, LK_BUF_MAX_LINE);
    lk_diff_producer_sentence(&line, ch, 1, NULL);
    ck_assert_ptr_nonnull(strstr(lk_buf_cstr(&line), "delivers elsewhere, not to"));
    lk_buf_free(&line);
    lk_diff_summarize(&diff, &sum);
    ck_assert_uint_eq(sum.to_change, 2);
    ck_assert_uint_eq(sum.need_allow, 0);
    lk_ir_state_free(desired_off);
    lk_policy_free(pol_off);

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

/* The policy of test_coverage_changes over two Regions (a policy of one account: one state). */
#define POLICY_REGIONS                                                                             \
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
    "sources:\n"                                                                                   \
    "  flow:\n"                                                                                    \
    "    type: vpc-flow-logs\n"                                                                    \
    "    purpose: network forensics for incident response\n"                                       \
    "    regions: [us-east-1, eu-west-1]\n"                                                        \
    "    store: net\n"                                                                             \
    "    prefix: vpcflow/\n"                                                                       \
    "    retention: { delete_after: 1y }\n"                                                        \
    "  cfg:\n"                                                                                     \
    "    type: config\n"                                                                           \
    "    purpose: configuration history for investigations\n"                                      \
    "    regions: [us-east-1, eu-west-1]\n"                                                        \
    "    store: net\n"                                                                             \
    "    prefix: config/\n"                                                                        \
    "    retention: { delete_after: 1y }\n"

/* A state of one account holds the requirements of each Region: producers match by Region. */
START_TEST(test_regions)
{
    struct lk_policy *pol = lk_test_policy(POLICY_REGIONS);
    for (size_t i = 0; i < pol->diags.n; i++)
        ck_assert_msg(pol->diags.items[i].severity == LK_SEV_NOTE, "%s: %s",
                      pol->diags.items[i].rule->id, pol->diags.items[i].message);
    struct lk_ir_state *desired = lk_lower(pol);
    ck_assert_uint_eq(desired->n_coverages, 4);

    struct lk_ir_state *live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, "us-east-1");
    live->account = lk_ir_strdup(live, "111122223333");
    struct lk_ir_producer ps[4];
    s_vpc(live, &ps[0], "vpc-00000001", "acme-net-111122223333", "vpcflow/", "ALL");
    s_vpc(live, &ps[1], "vpc-00000002", NULL, NULL, NULL);
    s_vpc(live, &ps[2], "vpc-00000003", "acme-net-111122223333", "vpcflow/", "ALL");
    memset(&ps[3], 0, sizeof(ps[3]));
    ps[3].type = LK_IR_PRODUCER_CONFIG;
    ps[3].id = lk_ir_strdup(live, "default");
    ps[3].enabled = true;
    ps[3].destinations = ps[0].destinations; /* s3://acme-net-111122223333/vpcflow/: elsewhere */
    ps[3].n_destinations = 1;
    ps[0].region = ps[3].region = lk_ir_strdup(live, "us-east-1");
    ps[1].region = ps[2].region = lk_ir_strdup(live, "eu-west-1");
    live->producers = ps;
    live->n_producers = 4;
    lk_ir_list_add_set(live, &live->producer_regions, "us-east-1");
    lk_ir_list_add_set(live, &live->producer_regions, "eu-west-1");

    struct lk_diff diff;
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_coverage(desired, live, &diff), LK_STATUS_OK);
    /* vpc-00000002 of eu-west-1 delivers nowhere; the others deliver, each in its Region. */
    const struct lk_diff_change *ch =
        lk_diff_find(&diff, LK_DIFF_PRODUCER, "vpc-00000002", "vpc-flow-logs[flow]");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_MISSING);
    ck_assert_str_eq(ch->region, "eu-west-1");
    ck_assert_str_eq(ch->arn, "arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-00000002");
    ck_assert_ptr_null(
        lk_diff_find(&diff, LK_DIFF_PRODUCER, "vpc-00000001", "vpc-flow-logs[flow]"));
    ck_assert_ptr_null(
        lk_diff_find(&diff, LK_DIFF_PRODUCER, "vpc-00000003", "vpc-flow-logs[flow]"));
    /* The us-east-1 recorder delivers elsewhere there; eu-west-1 has none (a recorder of another
     * Region is not its). */
    size_t n_default = 0, n_none = 0;
    for (size_t i = 0; i < diff.n; i++) {
        const struct lk_diff_change *c = &diff.changes[i];
        if (strcmp(c->attribute, "config[cfg]") != 0)
            continue;
        if (!strcmp(c->name, "default")) {
            n_default++;
            ck_assert_str_eq(c->region, "us-east-1");
            ck_assert_int_eq(c->kind, LK_DIFF_CHANGED);
            ck_assert_str_eq(c->note, "delivers elsewhere");
            ck_assert(!c->data_loss);   /* no enable: apply leaves it alone */
            ck_assert_ptr_null(c->arn); /* a recorder has no ARN in the API */
        } else {
            n_none++;
            ck_assert_str_eq(c->name, "*");
            ck_assert_str_eq(c->region, "eu-west-1");
            ck_assert_int_eq(c->kind, LK_DIFF_MISSING);
        }
    }
    ck_assert_uint_eq(n_default, 1);
    ck_assert_uint_eq(n_none, 1);
    ck_assert_uint_eq(diff.n, 3);

    /* A state that lists no Region read (written before producers carried one): its producers
     * are its Region's, and the other Region is not decided. */
    live->producer_regions.n = 0;
    for (size_t i = 0; i < 4; i++)
        ps[i].region = NULL;
    lk_diff_free(&diff);
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_coverage(desired, live, &diff), LK_STATUS_OK);
    for (size_t i = 0; i < diff.n; i++)
        ck_assert_str_eq(diff.changes[i].region, "us-east-1");
    ch = lk_diff_find(&diff, LK_DIFF_PRODUCER, "vpc-00000002", "vpc-flow-logs[flow]");
    ck_assert_ptr_nonnull(ch);
    ck_assert_uint_eq(diff.n, 2);

    lk_diff_free(&diff);
    live->producers = NULL;
    live->n_producers = 0;
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
    lk_policy_free(pol);
}
END_TEST

static char *s_render(const struct lk_diff *d, const char *account)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(lk_diff_render_text_for(d, account, f, false), LK_STATUS_OK);
    fclose(f);
    return text;
}

/* Producers alike are one line: "14 VPCs in account A, eu-west-1, have no flow log to ...". */
START_TEST(test_grouping)
{
    struct lk_policy *pol = lk_test_policy(POLICY_REGIONS);
    struct lk_ir_state *desired = lk_lower(pol);
    struct lk_ir_state *live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, "us-east-1");
    live->account = lk_ir_strdup(live, "111122223333");
    struct lk_ir_producer ps[17];
    char id[32];
    for (size_t i = 0; i < 14; i++) {
        snprintf(id, sizeof(id), "vpc-%08zx", i + 1);
        s_vpc(live, &ps[i], id, NULL, NULL, NULL);
        ps[i].region = lk_ir_strdup(live, "eu-west-1");
    }
    s_vpc(live, &ps[14], "vpc-000000aa", "other-bucket", "", "ALL"); /* elsewhere */
    s_vpc(live, &ps[15], "vpc-000000bb", NULL, NULL, NULL);          /* us-east-1: alone */
    memset(&ps[16], 0, sizeof(ps[16]));
    ps[16].type = LK_IR_PRODUCER_CONFIG;
    ps[16].id = lk_ir_strdup(live, "default");
    ps[16].enabled = true;
    ps[16].destinations = ps[14].destinations;
    ps[16].n_destinations = 1;
    ps[14].region = lk_ir_strdup(live, "eu-west-1");
    ps[15].region = ps[16].region = lk_ir_strdup(live, "us-east-1");
    live->producers = ps;
    live->n_producers = 17;
    lk_ir_list_add_set(live, &live->producer_regions, "us-east-1");
    lk_ir_list_add_set(live, &live->producer_regions, "eu-west-1");
    struct lk_diff diff;
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_coverage(desired, live, &diff), LK_STATUS_OK);
    /* 14 + 1 elsewhere in eu-west-1, 1 in us-east-1, the us-east-1 recorder elsewhere, none in
     * eu-west-1. */
    ck_assert_uint_eq(diff.n, 18);

    const struct lk_diff_change *a =
        lk_diff_find(&diff, LK_DIFF_PRODUCER, "vpc-00000001", "vpc-flow-logs[flow]");
    const struct lk_diff_change *b =
        lk_diff_find(&diff, LK_DIFF_PRODUCER, "vpc-0000000e", "vpc-flow-logs[flow]");
    const struct lk_diff_change *other =
        lk_diff_find(&diff, LK_DIFF_PRODUCER, "vpc-000000bb", "vpc-flow-logs[flow]");
    const struct lk_diff_change *away =
        lk_diff_find(&diff, LK_DIFF_PRODUCER, "vpc-000000aa", "vpc-flow-logs[flow]");
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(other);
    ck_assert_ptr_nonnull(away);
    ck_assert(lk_diff_producer_alike(a, b));
    ck_assert(!lk_diff_producer_alike(a, other)); /* another Region */
    ck_assert(!lk_diff_producer_alike(a, away));  /* another kind */

    struct lk_buf line;
    lk_buf_init(&line, LK_BUF_MAX_LINE);
    lk_diff_producer_sentence(&line, a, 14, "111122223333");
    ck_assert_str_eq(lk_buf_cstr(&line), "14 VPCs in account 111122223333, eu-west-1, have no flow "
                                         "log to s3://acme-net-111122223333/vpcflow/");
    lk_buf_reset(&line);
    lk_diff_producer_sentence(&line, other, 1, "111122223333");
    ck_assert_str_eq(lk_buf_cstr(&line), "1 VPC in account 111122223333, us-east-1, has no flow "
                                         "log to s3://acme-net-111122223333/vpcflow/");
    lk_buf_reset(&line);
    lk_diff_producer_sentence(&line, away, 1, NULL);
    ck_assert_str_eq(lk_buf_cstr(&line), "1 VPC in eu-west-1, delivers elsewhere, not to "
                                         "s3://acme-net-111122223333/vpcflow/ (delivers to "
                                         "s3://other-bucket/)");
    const struct lk_diff_change *none = lk_diff_find(&diff, LK_DIFF_PRODUCER, "*", "config[cfg]");
    ck_assert_ptr_nonnull(none);
    lk_buf_reset(&line);
    lk_diff_producer_sentence(&line, none, 1, "111122223333");
    ck_assert_str_eq(lk_buf_cstr(&line),
                     "no configuration recorder in account 111122223333, "
                     "eu-west-1, delivers to s3://acme-net-111122223333/config/");
    lk_buf_free(&line);

    /* Text: one block for the 14, ten IDs named and the rest counted; one for each other. */
    char *text = s_render(&diff, "111122223333");
    ck_assert_ptr_nonnull(strstr(text, "producers vpc-flow-logs[flow] (eu-west-1):\n  + 14 VPCs in "
                                       "account 111122223333, eu-west-1, have no flow log to "
                                       "s3://acme-net-111122223333/vpcflow/: vpc-00000001, "));
    ck_assert_ptr_nonnull(strstr(text, ", vpc-0000000a and 4 more  [weaker]\n"));
    ck_assert_ptr_null(strstr(text, "vpc-0000000b"));
    ck_assert_ptr_nonnull(strstr(text, "+ 1 VPC in account 111122223333, us-east-1, has no flow "
                                       "log to s3://acme-net-111122223333/vpcflow/: "
                                       "vpc-000000bb  [weaker]\n"));
    /* No enable: apply would not touch it, so no allowance is asked for. */
    ck_assert_ptr_nonnull(strstr(text, ": vpc-000000aa  [weaker]\n"));
    ck_assert_ptr_null(strstr(text, "needs --allow"));
    size_t blocks = 0;
    for (const char *p = text; (p = strstr(p, "\nproducers ")) != NULL; p++)
        blocks++;
    ck_assert_uint_eq(blocks + !strncmp(text, "producers ", 10), 5);
    ck_assert_ptr_nonnull(strstr(text, "16 to add, 2 to change, 0 to remove"));
    free(text);

    /* JSON: every producer with its account, Region, ID and ARN. */
    struct lk_report_context ctx = {.account = "111122223333", .region = "us-east-1"};
    char *json = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&json, &len);
    ck_assert_int_eq(lk_report_render(&diff, &ctx, LK_REPORT_JSON, f), LK_STATUS_OK);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(json, "\"arn\":\t\"arn:aws:ec2:eu-west-1:111122223333:vpc/"
                                       "vpc-0000000e\""));
    ck_assert_ptr_nonnull(strstr(json, "\"account\":\t\"111122223333\""));
    ck_assert_ptr_nonnull(strstr(json, "\"format_version\":\t\"1.1\""));
    free(json);

    /* Markdown: the 14 are one row with the sentence. */
    json = NULL;
    f = open_memstream(&json, &len);
    ck_assert_int_eq(lk_report_render(&diff, &ctx, LK_REPORT_MARKDOWN, f), LK_STATUS_OK);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(json, "14 VPCs in account 111122223333, eu-west-1, have no "));
    free(json);

    lk_diff_free(&diff);
    live->producers = NULL;
    live->n_producers = 0;
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
    lk_policy_free(pol);
}
END_TEST

/* A GuardDuty requirement of the source "gd" in eu-west-1 covering @p accounts (as lk_lower()
 * gives one: the store's bucket, folder and key), with enable. */
static struct lk_ir_state *s_gd_desired(const char *const *accounts, size_t n)
{
    struct lk_ir_state *st = lk_ir_state_new();
    st->account = lk_ir_strdup(st, "444455556666");
    st->region = lk_ir_strdup(st, "eu-west-1");
    st->partition = lk_ir_strdup(st, "aws");
    struct lk_ir_coverage *c = lk_arena_alloc(&st->arena, sizeof(*c));
    memset(c, 0, sizeof(*c));
    c->type = LK_IR_PRODUCER_GUARDDUTY;
    c->region = lk_ir_strdup(st, "eu-west-1");
    c->source = lk_ir_strdup(st, "gd");
    c->enable = true;
    struct lk_ir_destination *d = lk_arena_alloc(&st->arena, sizeof(*d));
    memset(d, 0, sizeof(*d));
    d->kind = LK_IR_DEST_S3;
    d->arn = lk_ir_strdup(st, "arn:aws:s3:::acme-sec");
    d->bucket = lk_ir_strdup(st, "acme-sec");
    d->prefix = lk_ir_strdup(st, "guardduty/");
    d->kms_key_arn = lk_ir_strdup(st, "arn:aws:kms:eu-west-1:111122223333:key/k");
    c->destinations = d;
    c->n_destinations = 1;
    for (size_t i = 0; i < n; i++)
        lk_ir_list_add(st, &c->accounts, accounts[i]);
    st->coverages = c;
    st->n_coverages = 1;
    return st;
}

/* The member pair 444455556666 eu-west-1: a detector with no destination of its own, whose
 * administrator is @p admin (NULL: none) with @p status. */
static struct lk_ir_state *s_gd_live(const char *admin, const char *status)
{
    struct lk_ir_state *st = lk_ir_state_new();
    st->account = lk_ir_strdup(st, "444455556666");
    st->region = lk_ir_strdup(st, "eu-west-1");
    struct lk_ir_producer *p = lk_arena_alloc(&st->arena, sizeof(*p));
    memset(p, 0, sizeof(*p));
    p->type = LK_IR_PRODUCER_GUARDDUTY;
    p->region = lk_ir_strdup(st, "eu-west-1");
    p->id = lk_ir_strdup(st, "d0000000000000000000000000000001");
    p->enabled = true;
    p->administrator_account = admin ? lk_ir_strdup(st, admin) : NULL;
    p->administrator_status = status ? lk_ir_strdup(st, status) : NULL;
    st->producers = p;
    st->n_producers = 1;
    lk_ir_list_add_set(st, &st->producer_regions, "eu-west-1");
    return st;
}

/* What the member's one change is, and how many apply steps the plan gets. */
struct s_gd_result {
    enum lk_diff_kind kind;
    enum lk_diff_direction direction;
    char note[256];
    char *text; /* the rendered report (heap) */
    size_t steps;
};

static struct s_gd_result s_gd_run(const char *const *accounts, size_t n, const char *admin,
                                   const char *status)
{
    struct lk_ir_state *desired = s_gd_desired(accounts, n), *live = s_gd_live(admin, status);
    struct s_gd_result r;
    memset(&r, 0, sizeof(r));
    struct lk_diff diff;
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_coverage(desired, live, &diff), LK_STATUS_OK);
    ck_assert_uint_eq(diff.n, 1);
    ck_assert_str_eq(diff.changes[0].name, "d0000000000000000000000000000001");
    r.kind = diff.changes[0].kind;
    r.direction = diff.changes[0].direction;
    snprintf(r.note, sizeof(r.note), "%s", diff.changes[0].note ? diff.changes[0].note : "");
    struct lk_apply_plan plan;
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build_coverage(desired, live, &diff, &plan), LK_STATUS_OK);
    r.steps = plan.n;
    lk_apply_plan_free(&plan);
    r.text = s_render(&diff, "444455556666");
    lk_diff_free(&diff);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
    return r;
}

/* A GuardDuty member without a destination of its own: covered through an Enabled administrator
 * the source covers (a note, no call); a finding of its own when the source does not cover the
 * administrator (no call either); missing, with CreatePublishingDestination, when the
 * relationship is not Enabled or there is none. */
START_TEST(test_guardduty_administrator)
{
    static const char *const both[] = {"111122223333", "444455556666"};
    static const char *const member[] = {"444455556666"};
    struct s_gd_result r = s_gd_run(both, 2, "111122223333", "Enabled");
    ck_assert_int_eq(r.kind, LK_DIFF_NOTE);
    ck_assert_str_eq(r.note, "covered through administrator 111122223333's export, checked in "
                             "that pair");
    ck_assert_uint_eq(r.steps, 0);
    free(r.text);

    r = s_gd_run(member, 1, "111122223333", "Enabled");
    ck_assert_int_eq(r.kind, LK_DIFF_CHANGED);
    ck_assert_int_eq(r.direction, LK_DIFF_WEAKER);
    ck_assert_str_eq(r.note, "exported by administrator 111122223333, which this source does not "
                             "cover");
    ck_assert_uint_eq(r.steps, 0); /* a destination in the member is not the fix */
    ck_assert_msg(strstr(r.text,
                         "1 GuardDuty detector in account 444455556666, eu-west-1, is exported by "
                         "administrator 111122223333, which this source does not cover: "
                         "not checked against s3://acme-sec/guardduty/") != NULL,
                  "%s", r.text);
    free(r.text);

    /* Invited (or Removed, Disabled...): no export for the member. */
    r = s_gd_run(both, 2, "111122223333", "Invited");
    ck_assert_int_eq(r.kind, LK_DIFF_MISSING);
    ck_assert_uint_eq(r.steps, 1);
    free(r.text);
    r = s_gd_run(both, 2, NULL, NULL);
    ck_assert_int_eq(r.kind, LK_DIFF_MISSING);
    ck_assert_uint_eq(r.steps, 1);
    free(r.text);
}
END_TEST

/* An organisation's stale exclusion goes to the first pair naming it. */
START_TEST(test_stale_pairs)
{
    struct lk_policy *pol = lk_test_policy(POLICY);
    struct lk_ir_state *d1 = lk_lower(pol), *d2 = lk_lower(pol);
    struct lk_ir_state *l1 = lk_ir_state_new(), *l2 = lk_ir_state_new();
    const struct lk_ir_state *ds[2] = {d1, d2}, *ls[2] = {l1, l2};
    struct lk_diff one, two;
    lk_diff_init(&one);
    lk_diff_init(&two);
    struct lk_diff *outs[2] = {&one, &two};
    ck_assert_int_eq(lk_diff_coverage_stale_pairs(ds, ls, 2, outs), LK_STATUS_OK);
    ck_assert_uint_eq(one.n, 1);
    ck_assert_uint_eq(two.n, 0);
    ck_assert_str_eq(one.changes[0].name, "vpc-0000dead");
    ck_assert_ptr_nonnull(strstr(one.changes[0].origin.text, "vpc-0000dead"));
    ck_assert_int_eq(lk_diff_coverage_stale_pairs(ds, ls, 2, NULL), LK_STATUS_INVALID_ARGUMENT);
    lk_diff_free(&one);
    lk_diff_free(&two);
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
    tcase_add_test(tc, test_regions);
    tcase_add_test(tc, test_grouping);
    tcase_add_test(tc, test_stale_pairs);
    tcase_add_test(tc, test_guardduty_administrator);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
