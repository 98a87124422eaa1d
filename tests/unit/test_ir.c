/*
 * Unit tests of the IR: the canonical order and the comparison of states.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir.h"

/* A small state with one of everything, in canonical order. */
static struct lk_ir_state *s_state(void)
{
    struct lk_ir_state *st = lk_ir_state_new();
    st->account = lk_ir_strdup(st, "111122223333");
    st->region = lk_ir_strdup(st, "eu-west-1");
    st->partition = lk_ir_strdup(st, "aws");

    st->n_buckets = 1;
    st->buckets = lk_arena_alloc(&st->arena, sizeof(*st->buckets));
    struct lk_ir_bucket *b = &st->buckets[0];
    b->name = lk_ir_strdup(st, "logs-111122223333");
    b->region = lk_ir_strdup(st, "eu-west-1");
    b->store = lk_ir_strdup(st, "audit");
    b->lifecycle.present = true;
    b->lifecycle.n_rules = 1;
    b->lifecycle.rules = lk_arena_alloc(&st->arena, sizeof(*b->lifecycle.rules));
    struct lk_ir_lifecycle_rule *r = &b->lifecycle.rules[0];
    r->id = lk_ir_strdup(st, "expire");
    r->prefix = lk_ir_strdup(st, "AWSLogs/");
    r->enabled = true;
    r->expiration_days = 30;
    lk_ir_list_add(st, &r->sources, "cloudtrail");
    b->policy.present = true;
    b->policy.version = lk_ir_strdup(st, "2012-10-17");
    b->policy.n_statements = 1;
    b->policy.statements = lk_arena_alloc(&st->arena, sizeof(*b->policy.statements));
    struct lk_ir_statement *s = &b->policy.statements[0];
    s->sid = lk_ir_strdup(st, "DenyInsecure");
    s->principal_kind = LK_IR_PRINCIPAL_ANY;
    lk_ir_list_add(st, &s->actions, "s3:*");
    lk_ir_list_add(st, &s->resources, "arn:aws:s3:::logs-111122223333");
    b->versioning = LK_IR_VERSIONING_ENABLED;

    st->n_log_groups = 1;
    st->log_groups = lk_arena_alloc(&st->arena, sizeof(*st->log_groups));
    st->log_groups[0].name = lk_ir_strdup(st, "/app/payments/*");
    st->log_groups[0].pattern = true;
    st->log_groups[0].region = lk_ir_strdup(st, "eu-west-1");
    st->log_groups[0].retention_days = 400;
    st->log_groups[0].wanted_days = 365;
    st->log_groups[0].source = lk_ir_strdup(st, "payments");

    st->n_trails = 1;
    st->trails = lk_arena_alloc(&st->arena, sizeof(*st->trails));
    struct lk_ir_trail *t = &st->trails[0];
    t->name = lk_ir_strdup(st, "org-trail");
    t->home_region = lk_ir_strdup(st, "eu-west-1");
    t->source = lk_ir_strdup(st, "cloudtrail");
    t->s3_bucket_name = lk_ir_strdup(st, "logs-111122223333");
    t->is_logging = true;
    t->n_event_selectors = 1;
    t->event_selectors = lk_arena_alloc(&st->arena, sizeof(*t->event_selectors));
    t->event_selectors[0].read_write_type = lk_ir_strdup(st, "All");
    t->event_selectors[0].include_management_events = true;
    return st;
}

START_TEST(test_equal_to_itself)
{
    struct lk_ir_state *a = s_state(), *b = s_state();
    struct lk_ir_mismatch why;
    strcpy(why.text, "stale");
    ck_assert_msg(lk_ir_state_equal(a, b, 0, &why), "%s", why.text);
    ck_assert_str_eq(why.text, "");
    ck_assert(lk_ir_state_equal(a, b, 0, NULL));
    ck_assert(lk_ir_bucket_equal(&a->buckets[0], &b->buckets[0], 0, NULL));
    ck_assert(lk_ir_trail_equal(&a->trails[0], &b->trails[0], 0, NULL));
    ck_assert(lk_ir_log_group_equal(&a->log_groups[0], &b->log_groups[0], 0, NULL));
    lk_ir_state_free(a);
    lk_ir_state_free(b);
}
END_TEST

/* Each difference is found, and named by its path as a state document names it. */
START_TEST(test_mismatch_paths)
{
    struct lk_ir_state *a = s_state(), *b = s_state();
    struct lk_ir_mismatch why;

    b->buckets[0].lifecycle.rules[0].expiration_days = 31;
    ck_assert(!lk_ir_state_equal(a, b, 0, &why));
    ck_assert_str_eq(why.text, "buckets[0].lifecycle.rules[0].expiration_days: 30 vs 31");
    ck_assert(!lk_ir_bucket_equal(&a->buckets[0], &b->buckets[0], 0, &why));
    ck_assert_str_eq(why.text, "lifecycle.rules[0].expiration_days: 30 vs 31");
    ck_assert(!lk_ir_lifecycle_equal(&a->buckets[0].lifecycle, &b->buckets[0].lifecycle, 0, &why));
    ck_assert_str_eq(why.text, "rules[0].expiration_days: 30 vs 31");
    b->buckets[0].lifecycle.rules[0].expiration_days = 30;

    lk_ir_list_add(b, &b->buckets[0].policy.statements[0].actions, "s3:GetObject");
    ck_assert(!lk_ir_state_equal(a, b, 0, &why));
    ck_assert_str_eq(why.text, "buckets[0].policy.statements[0].actions: 1 vs 2 elements");
    b->buckets[0].policy.statements[0].actions.n = 1;

    b->buckets[0].policy.statements[0].actions.items[0] = lk_ir_strdup(b, "s3:Get*");
    ck_assert(!lk_ir_policy_equal(&a->buckets[0].policy, &b->buckets[0].policy, 0, &why));
    ck_assert_str_eq(why.text, "statements[0].actions[0]: \"s3:*\" vs \"s3:Get*\"");
    b->buckets[0].policy.statements[0].actions.items[0] = lk_ir_strdup(b, "s3:*");

    b->trails[0].kms_key_id = lk_ir_strdup(b, "alias/logs");
    ck_assert(!lk_ir_state_equal(a, b, 0, &why));
    ck_assert_str_eq(why.text, "trails[0].kms_key_id: null vs \"alias/logs\"");
    b->trails[0].kms_key_id = NULL;

    b->trails[0].event_selectors[0].include_management_events = false;
    ck_assert(!lk_ir_trail_equal(&a->trails[0], &b->trails[0], 0, &why));
    ck_assert_str_eq(why.text, "event_selectors[0].include_management_events: true vs false");
    b->trails[0].event_selectors[0].include_management_events = true;

    b->n_log_groups = 0;
    ck_assert(!lk_ir_state_equal(a, b, 0, &why));
    ck_assert_str_eq(why.text, "log_groups: 1 vs 0 elements");
    b->n_log_groups = 1;

    b->account = NULL;
    ck_assert(!lk_ir_state_equal(a, b, 0, &why));
    ck_assert_str_eq(why.text, "account: \"111122223333\" vs null");
    b->account = a->account;

    ck_assert_msg(lk_ir_state_equal(a, b, 0, &why), "%s", why.text);
    lk_ir_state_free(a);
    lk_ir_state_free(b);
}
END_TEST

/* Desired against live: fields only one side has are skipped on request. */
START_TEST(test_flags)
{
    struct lk_ir_state *desired = s_state(), *live = s_state();
    struct lk_ir_mismatch why;
    struct lk_ir_bucket *b = &live->buckets[0];
    b->store = NULL;
    b->exists = true;
    b->lifecycle.rules[0].sources.n = 0;
    live->log_groups[0].source = NULL;
    live->log_groups[0].wanted_days = 0;
    live->log_groups[0].pattern = false;
    live->log_groups[0].exists = true;
    live->trails[0].source = NULL;
    live->trails[0].exists = true;
    live->n_unmanaged_stores = 1;
    live->unmanaged_stores = lk_arena_alloc(&live->arena, sizeof(*live->unmanaged_stores));
    live->unmanaged_stores[0].bucket = lk_ir_strdup(live, "someone-elses-logs");

    ck_assert(!lk_ir_state_equal(desired, live, 0, &why));
    ck_assert_str_eq(why.text, "buckets[0].store: \"audit\" vs null");
    ck_assert(!lk_ir_state_equal(desired, live, LK_IR_EQ_SKIP_DESIRED_ONLY, &why));
    ck_assert_str_eq(why.text, "buckets[0].exists: false vs true");
    ck_assert(!lk_ir_state_equal(desired, live, LK_IR_EQ_SKIP_LIVE_ONLY, &why));
    ck_assert_str_eq(why.text, "buckets[0].store: \"audit\" vs null");
    ck_assert_msg(lk_ir_state_equal(desired, live, LK_IR_EQ_CONFIGURATION, &why), "%s", why.text);

    /* Configuration is still compared. */
    live->log_groups[0].retention_days = 365;
    ck_assert(!lk_ir_state_equal(desired, live, LK_IR_EQ_CONFIGURATION, &why));
    ck_assert_str_eq(why.text, "log_groups[0].retention_days: 400 vs 365");
    lk_ir_state_free(desired);
    lk_ir_state_free(live);
}
END_TEST

/* Configuration absent on both sides is equal whatever its fields hold. */
START_TEST(test_absent_is_absent)
{
    struct lk_ir_state *a = s_state(), *b = s_state();
    struct lk_ir_mismatch why;
    a->buckets[0].policy.present = false;
    b->buckets[0].policy.present = false;
    b->buckets[0].policy.n_statements = 0;
    b->buckets[0].public_access_block.block_public_acls = true;
    b->buckets[0].encryption.algorithm = lk_ir_strdup(b, "AES256");
    ck_assert_msg(lk_ir_state_equal(a, b, 0, &why), "%s", why.text);
    b->buckets[0].policy.present = true;
    ck_assert(!lk_ir_state_equal(a, b, 0, &why));
    ck_assert_str_eq(why.text, "buckets[0].policy.present: false vs true");
    lk_ir_state_free(a);
    lk_ir_state_free(b);
}
END_TEST

/* The canonical order: NULL strings first, missing Sids and regions as "". */
START_TEST(test_order)
{
    ck_assert_int_lt(lk_ir_strcmp(NULL, ""), 0);
    ck_assert_int_gt(lk_ir_strcmp("", NULL), 0);
    ck_assert_int_eq(lk_ir_strcmp(NULL, NULL), 0);
    ck_assert_int_lt(lk_ir_strcmp("a", "b"), 0);

    /* Writable copies: the IR's strings are char *. */
    char empty[] = "", A[] = "A", a[] = "a", b[] = "b", eu[] = "eu-west-1", ct[] = "cloudtrail",
         t[] = "t";
    struct lk_ir_statement s1 = {.sid = NULL}, s2 = {.sid = empty}, s3 = {.sid = A};
    ck_assert_int_eq(lk_ir_cmp_statement(&s1, &s2), 0);
    ck_assert_int_lt(lk_ir_cmp_statement(&s2, &s3), 0);

    struct lk_ir_log_group g1 = {.name = b, .region = NULL}, g2 = {.name = a, .region = empty},
                           g3 = {.name = a, .region = eu};
    ck_assert_int_gt(lk_ir_cmp_log_group(&g1, &g2), 0); /* same region "", then by name */
    ck_assert_int_lt(lk_ir_cmp_log_group(&g1, &g3), 0);

    struct lk_ir_transition t1 = {30, LK_IR_SC_GLACIER}, t2 = {30, LK_IR_SC_STANDARD_IA},
                            t3 = {90, LK_IR_SC_STANDARD_IA};
    ck_assert_int_gt(lk_ir_cmp_transition(&t1, &t2), 0);
    ck_assert_int_lt(lk_ir_cmp_transition(&t2, &t3), 0);

    struct lk_ir_delivery d1 = {ct, t, NULL, NULL}, d2 = {ct, a, empty, NULL};
    ck_assert_int_lt(lk_ir_cmp_delivery(&d1, &d2), 0); /* NULL region before "" */

    /* lk_ir_canonicalize() sorts with the same comparators. */
    struct lk_ir_state *st = lk_ir_state_new();
    st->n_buckets = 3;
    st->buckets = lk_arena_alloc(&st->arena, 3 * sizeof(*st->buckets));
    st->buckets[0].name = lk_ir_strdup(st, "c");
    st->buckets[1].name = lk_ir_strdup(st, "a");
    st->buckets[2].name = lk_ir_strdup(st, "b");
    lk_ir_canonicalize(st);
    for (size_t i = 1; i < st->n_buckets; i++)
        ck_assert_int_lt(lk_ir_cmp_bucket(&st->buckets[i - 1], &st->buckets[i]), 0);
    lk_ir_state_free(st);
}
END_TEST

START_TEST(test_list_sort_unique)
{
    struct lk_ir_state *st = lk_ir_state_new();
    struct lk_ir_string_list l = {0};
    const char *in[] = {"s3:PutObject", "s3:GetObject", "s3:PutObject", "s3:*", "s3:GetObject"};
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
        lk_ir_list_add(st, &l, in[i]);
    ck_assert_uint_eq(l.n, 5);
    lk_ir_list_sort_unique(&l);
    ck_assert_uint_eq(l.n, 3);
    ck_assert_str_eq(l.items[0], "s3:*");
    ck_assert_str_eq(l.items[1], "s3:GetObject");
    ck_assert_str_eq(l.items[2], "s3:PutObject");
    /* Growth keeps every item (capacity 1, 2, 4, ... held implicitly). */
    struct lk_ir_string_list many = {0};
    char item[16];
    for (int i = 0; i < 100; i++) {
        snprintf(item, sizeof(item), "v%03d", i);
        lk_ir_list_add(st, &many, item);
    }
    for (int i = 0; i < 100; i++) {
        snprintf(item, sizeof(item), "v%03d", i);
        ck_assert_str_eq(many.items[i], item);
    }
    lk_ir_state_free(st);
}
END_TEST

START_TEST(test_sid_owned)
{
    /* The prefix, and the Sids written before it, are logkeep's. */
    ck_assert(lk_ir_sid_owned("LogKeepDenyInsecureTransport"));
    ck_assert(lk_ir_sid_owned("LogKeep"));
    ck_assert(lk_ir_sid_owned("DenyInsecureTransport"));
    ck_assert(lk_ir_sid_owned("CloudTrailWriteOrgTrail"));
    ck_assert(lk_ir_sid_owned("CloudTrailAclCheckMain"));
    /* Anything else is someone else's: AWS's documented Sids, other teams', none at all. */
    ck_assert(!lk_ir_sid_owned(NULL));
    ck_assert(!lk_ir_sid_owned(""));
    ck_assert(!lk_ir_sid_owned("AWSCloudTrailWrite20150319"));
    ck_assert(!lk_ir_sid_owned("CloudTrailWrite"));
    ck_assert(!lk_ir_sid_owned("CloudTrailWritelower"));
    ck_assert(!lk_ir_sid_owned("logkeepLower"));
    ck_assert(!lk_ir_sid_owned("OrgDenyDelete"));
    ck_assert(!lk_ir_sid_owned("ReadLogsForAudit"));
}
END_TEST

START_TEST(test_log_group_class)
{
    enum lk_ir_log_group_class c = LK_IR_LOG_CLASS_UNSET;
    ck_assert(lk_ir_log_group_class_parse("INFREQUENT_ACCESS", &c));
    ck_assert_int_eq(c, LK_IR_LOG_CLASS_INFREQUENT_ACCESS);
    ck_assert_str_eq(lk_ir_log_group_class_api(c), "INFREQUENT_ACCESS");
    ck_assert(lk_ir_log_group_class_parse("DELIVERY", &c));
    ck_assert_str_eq(lk_ir_log_group_class_api(c), "DELIVERY");
    ck_assert(!lk_ir_log_group_class_parse("standard", &c));
    ck_assert_ptr_null(lk_ir_log_group_class_api(LK_IR_LOG_CLASS_UNSET));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ir");
    TCase *tc = tcase_create("ir");
    tcase_add_test(tc, test_equal_to_itself);
    tcase_add_test(tc, test_mismatch_paths);
    tcase_add_test(tc, test_flags);
    tcase_add_test(tc, test_absent_is_absent);
    tcase_add_test(tc, test_order);
    tcase_add_test(tc, test_list_sort_unique);
    tcase_add_test(tc, test_sid_owned);
    tcase_add_test(tc, test_log_group_class);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
