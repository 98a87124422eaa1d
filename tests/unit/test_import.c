/*
 * Unit tests of the grouping of log groups into patterns (runtime/import.h, lk_import_group()):
 * hand-picked cases of each rule, then generated trees of names checked against what plan relies
 * on: every group is named by exactly one entry (its exact name, or else the longest pattern
 * that matches it, as common/pattern_index.h picks), that entry carries the group's settings,
 * and no pattern reaches a group outside the caller's prefix. Then the sources lk_import_draft()
 * writes for the deliveries discovery found (flow logs, load balancers, Config channels).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/glob.h"
#include "ir/ir.h"
#include "runtime/import.h"

/* The strings of the hand-picked states (the IR's strings are not const). */
static struct lk_arena s_strings;
static bool s_strings_ready;

static char *s_str(const char *s)
{
    if (!s_strings_ready) {
        lk_arena_init(&s_strings);
        s_strings_ready = true;
    }
    return lk_arena_strdup(&s_strings, s);
}

static struct lk_ir_log_group s_g(const char *name, int32_t days)
{
    return (struct lk_ir_log_group){
        .name = s_str(name), .region = s_str("us-east-1"), .retention_days = days, .exists = true};
}

/* Groups @p v and checks that the entries are exactly @p want ("name=days", sorted by name). */
static void s_expect(const struct lk_ir_log_group *v, size_t n, const char *prefix,
                     const char *const *want, size_t n_want)
{
    struct lk_arena arena;
    lk_arena_init(&arena);
    struct lk_import_group *g = NULL;
    size_t got = lk_import_group(&arena, v, n, "us-east-1", prefix, &g);
    char text[4096] = "";
    for (size_t i = 0; i < got; i++)
        snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s=%d%s ", g[i].name,
                 (int)g[i].retention_days, g[i].deletion_protection ? "p" : "");
    ck_assert_msg(got == n_want, "got %zu entries, want %zu: %s", got, n_want, text);
    for (size_t i = 0; i < got; i++) {
        char one[512];
        snprintf(one, sizeof(one), "%s=%d%s", g[i].name, (int)g[i].retention_days,
                 g[i].deletion_protection ? "p" : "");
        ck_assert_msg(!strcmp(one, want[i]), "entry %zu is %s, want %s (all: %s)", i, one, want[i],
                      text);
    }
    free(g);
    lk_arena_destroy(&arena);
}

#define S_N(a) (sizeof(a) / sizeof((a)[0]))

START_TEST(test_uniform_prefix_is_one_pattern)
{
    const struct lk_ir_log_group v[] = {s_g("/aws/lambda/b", 14), s_g("/aws/lambda/a", 14),
                                        s_g("/aws/lambda/c", 14)};
    /* All of /aws/ agrees: the highest prefix with more than slashes wins. */
    const char *want[] = {"/aws/*=14"};
    s_expect(v, S_N(v), NULL, want, S_N(want));
}
END_TEST

START_TEST(test_children_split_by_retention)
{
    const struct lk_ir_log_group v[] = {
        s_g("/aws/lambda/a", 14),      s_g("/aws/lambda/b", 14), s_g("/aws/eks/x/cluster", 30),
        s_g("/aws/eks/y/cluster", 30), s_g("/aws/rds/one", 90),
    };
    const char *want[] = {"/aws/eks/*=30", "/aws/lambda/*=14", "/aws/rds/one=90"};
    s_expect(v, S_N(v), NULL, want, S_N(want));
}
END_TEST

START_TEST(test_mixed_prefix_keeps_names_and_uniform_children)
{
    const struct lk_ir_log_group v[] = {
        s_g("/app/a/x1", 30), s_g("/app/a/x2", 30), s_g("/app/b/y", 60),
        s_g("/app/c", 60),    s_g("/app/d", 30),
    };
    const char *want[] = {"/app/a/*=30", "/app/b/y=60", "/app/c=60", "/app/d=30"};
    s_expect(v, S_N(v), NULL, want, S_N(want));
}
END_TEST

START_TEST(test_deletion_protection_splits)
{
    struct lk_ir_log_group v[] = {s_g("/x/a", 30), s_g("/x/b", 30), s_g("/y/a", 30),
                                  s_g("/y/b", 30)};
    v[0].deletion_protection = v[1].deletion_protection = true;
    const char *want[] = {"/x/*=30p", "/y/*=30"};
    s_expect(v, S_N(v), NULL, want, S_N(want));
}
END_TEST

START_TEST(test_never_expire_and_names_without_slash)
{
    const struct lk_ir_log_group v[] = {s_g("plain1", 0), s_g("plain2", 0), s_g("/old/a", 0),
                                        s_g("/old/b", 0)};
    /* No pattern without a '/' boundary: names without one stay exact. */
    const char *want[] = {"/old/*=0", "plain1=0", "plain2=0"};
    s_expect(v, S_N(v), NULL, want, S_N(want));
}
END_TEST

START_TEST(test_caller_prefix_bounds_patterns)
{
    const struct lk_ir_log_group v[] = {s_g("/aws/lambda/a", 14), s_g("/aws/lambda/b", 14),
                                        s_g("/aws/eks/c", 14), s_g("/aws/eks/d", 14)};
    /* Without the prefix this is the pattern of /aws/; with it, the pattern must not reach
     * /aws/eks/. */
    const char *want[] = {"/aws/lambda/*=14"};
    s_expect(v, S_N(v), "/aws/lam", want, S_N(want));
}
END_TEST

START_TEST(test_skips_missing_patterns_and_other_regions)
{
    struct lk_ir_log_group v[] = {s_g("/a/1", 7), s_g("/a/2", 7), s_g("/a/3", 7), s_g("/a/*", 7),
                                  s_g("/a/4", 1)};
    v[2].region = s_str("eu-west-1"); /* another Region */
    v[3].pattern = true;              /* a desired pattern, not a group */
    v[4].exists = false;              /* a name AWS does not have */
    const char *want[] = {"/a/*=7"};
    s_expect(v, S_N(v), NULL, want, S_N(want));
    ck_assert_uint_eq(
        lk_import_group(NULL, v, 0, "us-east-1", NULL, &(struct lk_import_group *){0}), 0);
}
END_TEST

START_TEST(test_counts_members_and_keys)
{
    struct lk_ir_log_group v[] = {s_g("/k/a", 30), s_g("/k/b", 30), s_g("/k/c", 30), s_g("/z", 30)};
    v[1].kms_key_id = s_str("arn:aws:kms:us-east-1:111122223333:key/k");
    struct lk_arena arena;
    lk_arena_init(&arena);
    struct lk_import_group *g = NULL;
    size_t n = lk_import_group(&arena, v, S_N(v), "us-east-1", NULL, &g);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(g[0].name, "/k/*");
    ck_assert_uint_eq(g[0].members, 3);
    ck_assert_uint_eq(g[0].with_kms, 1);
    ck_assert_str_eq(g[1].name, "/z");
    ck_assert_uint_eq(g[1].members, 1);
    ck_assert_uint_eq(g[1].with_kms, 0);
    free(g);
    lk_arena_destroy(&arena);
}
END_TEST

START_TEST(test_hostile_characters)
{
    const struct lk_ir_log_group v[] = {s_g("/odd#x/a", 5), s_g("/odd#x/b", 5), s_g("/odd#y", 7)};
    const char *want[] = {"/odd#x/*=5", "/odd#y=7"};
    s_expect(v, S_N(v), NULL, want, S_N(want));
}
END_TEST

/* ------------------------------------------------------------------------------ generated */

static uint64_t s_rng = 0x9e3779b97f4a7c15u;

static uint32_t s_next(void)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 7;
    s_rng ^= s_rng << 17;
    return (uint32_t)(s_rng >> 16);
}

START_TEST(test_generated_trees)
{
    static const char *const seg[] = {"aws", "app", "eks", "lambda", "a", "b", "x-1", "#"};
    static const int32_t days[] = {0, 14, 30};
    enum { ROUNDS = 300, MAX = 60 };
    size_t patterns = 0;
    for (int round = 0; round < ROUNDS; round++) {
        struct lk_arena arena;
        lk_arena_init(&arena);
        size_t n = 1 + s_next() % MAX;
        struct lk_ir_log_group *v = calloc(n, sizeof(*v));
        /* Settings follow the first segment mostly, so that uniform subtrees occur. */
        for (size_t i = 0; i < n; i++) {
            char name[128] = "";
            size_t depth = 1 + s_next() % 4;
            for (size_t d = 0; d < depth; d++)
                snprintf(name + strlen(name), sizeof(name) - strlen(name), "/%s",
                         seg[s_next() % S_N(seg)]);
            snprintf(name + strlen(name), sizeof(name) - strlen(name), "-%zu", i);
            v[i] = s_g(lk_arena_strdup(&arena, name),
                       days[s_next() % 8 < 6 ? (uint32_t)name[1] % 3 : s_next() % 3]);
            v[i].deletion_protection = s_next() % 10 == 0;
        }
        const char *prefix = s_next() % 3 == 0 ? "/a" : NULL;
        struct lk_import_group *g = NULL;
        size_t m = lk_import_group(&arena, v, n, "us-east-1", prefix, &g);
        for (size_t i = 0; i < n; i++) {
            bool in = !prefix || !strncmp(v[i].name, prefix, strlen(prefix));
            /* The entry that governs the group: its exact name, else the longest pattern. */
            const struct lk_import_group *gov = NULL;
            size_t hits = 0;
            for (size_t k = 0; k < m; k++) {
                bool match = g[k].pattern ? lk_glob_match_c(g[k].name, v[i].name, 0)
                                          : !strcmp(g[k].name, v[i].name);
                if (!match)
                    continue;
                hits++;
                if (!gov || (!g[k].pattern && gov->pattern) ||
                    (g[k].pattern == gov->pattern && strlen(g[k].name) > strlen(gov->name)))
                    gov = &g[k];
            }
            if (!in) {
                ck_assert_msg(hits == 0, "round %d: %s is outside the prefix but matched", round,
                              v[i].name);
                continue;
            }
            ck_assert_msg(hits == 1, "round %d: %s is named by %zu entries", round, v[i].name,
                          hits);
            ck_assert_msg(gov->retention_days == v[i].retention_days &&
                              gov->deletion_protection == v[i].deletion_protection,
                          "round %d: %s governed by %s with other settings", round, v[i].name,
                          gov->name);
        }
        for (size_t k = 0; k < m; k++) {
            patterns += g[k].pattern;
            if (k)
                ck_assert_int_lt(strcmp(g[k - 1].name, g[k].name), 0);
            if (g[k].pattern)
                ck_assert_uint_ge(g[k].members, LK_IMPORT_MIN_PATTERN);
        }
        free(g);
        free(v);
        lk_arena_destroy(&arena);
    }
    /* The generated trees exercise patterns, not only exact names. */
    ck_assert_uint_gt(patterns, ROUNDS / 2);
}
END_TEST

/* ------------------------------------------------------------------------------ deliveries */

/* A live bucket with SSE-S3, versioning and Block Public Access on. */
static void s_bucket(struct lk_ir_state *st, struct lk_ir_bucket *b, const char *name,
                     const char *region)
{
    memset(b, 0, sizeof(*b));
    b->name = lk_ir_strdup(st, name);
    b->region = lk_ir_strdup(st, region);
    b->exists = true;
    b->versioning = LK_IR_VERSIONING_ENABLED;
    b->encryption.present = true;
    b->encryption.algorithm = lk_ir_strdup(st, "AES256");
    b->public_access_block.present = true;
    b->public_access_block.block_public_acls = true;
    b->public_access_block.ignore_public_acls = true;
    b->public_access_block.block_public_policy = true;
    b->public_access_block.restrict_public_buckets = true;
}

/* The deliveries to bucket @p name: "service name prefix" triples (prefix "-" for none). */
static void s_store_found(struct lk_ir_state *st, struct lk_ir_unmanaged_store *u, const char *name,
                          const char *error, const char *const *d, size_t n)
{
    memset(u, 0, sizeof(*u));
    u->bucket = lk_ir_strdup(st, name);
    u->exists = true;
    u->error = error ? lk_ir_strdup(st, error) : NULL;
    u->deliveries = lk_arena_alloc(&st->arena, (n / 3 + 1) * sizeof(*u->deliveries));
    for (size_t i = 0; i + 2 < n; i += 3)
        u->deliveries[u->n_deliveries++] = (struct lk_ir_delivery){
            .service = lk_ir_strdup(st, d[i]),
            .name = lk_ir_strdup(st, d[i + 1]),
            .region = lk_ir_strdup(st, "us-east-1"),
            .key_prefix = strcmp(d[i + 2], "-") ? lk_ir_strdup(st, d[i + 2]) : NULL,
        };
}

static size_t s_count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

/* The source of the draft named @p name: its text up to the next source. */
static char *s_source(const char *text, const char *name, char *out, size_t len)
{
    char key[128];
    snprintf(key, sizeof(key), "\n  %s:\n", name);
    const char *p = strstr(strstr(text, "\nsources:\n") ? strstr(text, "\nsources:\n") : text, key);
    out[0] = '\0';
    if (!p)
        return out;
    p += strlen(key);
    size_t n = 0;
    while (p[n] && !(p[n] == '\n' && p[n + 1] == ' ' && p[n + 2] == ' ' && p[n + 3] != ' ' &&
                     p[n + 3] != '#'))
        n++;
    snprintf(out, len, "%.*s", (int)n, p);
    return out;
}

START_TEST(test_deliveries_become_typed_sources)
{
    struct lk_ir_state *st = lk_ir_state_new();
    st->account = lk_ir_strdup(st, "111122223333");
    st->region = lk_ir_strdup(st, "us-east-1");
    st->partition = lk_ir_strdup(st, "aws");
    st->buckets = lk_arena_alloc(&st->arena, 4 * sizeof(*st->buckets));
    s_bucket(st, &st->buckets[st->n_buckets++], "flows", "us-east-1");
    s_bucket(st, &st->buckets[st->n_buckets++], "kms-lb", "us-east-1");
    s_bucket(st, &st->buckets[st->n_buckets++], "lbs", "us-east-1");
    s_bucket(st, &st->buckets[st->n_buckets++], "west", "eu-west-1");
    /* flows: a rule logkeep applied for the flow logs' prefix names their source. */
    struct lk_ir_bucket *flows = &st->buckets[0];
    flows->lifecycle.present = true;
    flows->lifecycle.rules = lk_arena_alloc(&st->arena, sizeof(*flows->lifecycle.rules));
    flows->lifecycle.rules[0] = (struct lk_ir_lifecycle_rule){
        .id = lk_ir_strdup(st, "logkeep-netflow"),
        .prefix = lk_ir_strdup(st, "flow/"),
        .enabled = true,
        .expiration_days = 400,
    };
    flows->lifecycle.n_rules = 1;
    struct lk_ir_bucket *kms = &st->buckets[1];
    kms->encryption.algorithm = lk_ir_strdup(st, "aws:kms");
    kms->encryption.kms_key_id = lk_ir_strdup(
        st, "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    kms->encryption.bucket_key_enabled = true;

    static const char *const to_flows[] = {"config",        "default", "cfg",
                                           "vpc-flow-logs", "fl-1",    "flow",
                                           "vpc-flow-logs", "fl-2",    "flow"};
    static const char *const to_kms[] = {"elb-access-logs", "shop", "shop",
                                         "nlb-access-logs", "tcp",  "tcp"};
    static const char *const to_lbs[] = {"elb-access-logs", "web",  "alb",
                                         "nlb-access-logs", "edge", "-"};
    static const char *const to_west[] = {"nlb-access-logs", "far", "far"};
    static const char *const to_foreign[] = {"vpc-flow-logs", "fl-9",      "org",
                                             "cloudtrail",    "org-trail", "-"};
    st->unmanaged_stores = lk_arena_alloc(&st->arena, 5 * sizeof(*st->unmanaged_stores));
    s_store_found(st, &st->unmanaged_stores[0], "flows", NULL, to_flows, 9);
    s_store_found(st, &st->unmanaged_stores[1], "foreign", "AccessDenied", to_foreign, 6);
    s_store_found(st, &st->unmanaged_stores[2], "kms-lb", NULL, to_kms, 6);
    s_store_found(st, &st->unmanaged_stores[3], "lbs", NULL, to_lbs, 6);
    s_store_found(st, &st->unmanaged_stores[4], "west", NULL, to_west, 3);
    st->n_unmanaged_stores = 5;
    lk_ir_canonicalize(st);

    char line[] = "VPC Flow Logs not discovered (DescribeFlowLogs: UnauthorizedOperation)\nx";
    char *lines[] = {line};
    struct lk_import_warnings w = {.lines = lines, .n = 1};
    struct lk_import_options o = {.warnings = &w};
    struct lk_buf b;
    lk_buf_init_default(&b);
    lk_import_draft(st, &o, NULL, &b);
    const char *text = lk_buf_cstr(&b);
    char src[2048];

    /* Two flow logs into one prefix: one source, named after the rule logkeep applied. */
    ck_assert_uint_eq(s_count(text, "type: vpc-flow-logs"), 1);
    s_source(text, "netflow", src, sizeof(src));
    ck_assert_msg(strstr(src, "type: vpc-flow-logs") && strstr(src, "store: flows") &&
                      strstr(src, "prefix: flow/") && strstr(src, "delete_after: 400d"),
                  "netflow: %s\n%s", src, text);
    s_source(text, "config", src, sizeof(src));
    ck_assert_msg(strstr(src, "type: config") && strstr(src, "store: flows") &&
                      strstr(src, "prefix: cfg/") && strstr(src, "delete_after: forever"),
                  "config: %s\n%s", src, text);
    /* Balancers: an ALB and an NLB by type; an NLB without a prefix writes at the root. */
    s_source(text, "elb-access-logs", src, sizeof(src));
    ck_assert_msg(strstr(src, "type: elb-access-logs") && strstr(src, "store: lbs") &&
                      strstr(src, "prefix: alb/"),
                  "elb: %s\n%s", src, text);
    /* An ALB into SSE-KMS is no source (LK027); an NLB there is (buckets in name order: kms-lb
     * before lbs). */
    ck_assert_uint_eq(s_count(text, "type: elb-access-logs"), 1);
    ck_assert_ptr_nonnull(strstr(text, "load balancer shop writes access logs under 'shop/', but "
                                       "elb-access-logs needs SSE-S3"));
    s_source(text, "nlb-access-logs", src, sizeof(src));
    ck_assert_msg(strstr(src, "store: kms-lb") && strstr(src, "prefix: tcp/"), "nlb: %s\n%s", src,
                  text);
    s_source(text, "nlb-access-logs-2", src, sizeof(src));
    ck_assert_msg(strstr(src, "type: nlb-access-logs") && strstr(src, "store: lbs") &&
                      !strstr(src, "prefix:"),
                  "nlb-2: %s\n%s", src, text);
    /* A balancer into a bucket of another Region is no source (LK039). */
    ck_assert_uint_eq(s_count(text, "type: nlb-access-logs"), 2);
    ck_assert_ptr_nonnull(strstr(text, "load balancer far writes access logs under 'far/' from "
                                       "another Region"));
    /* A bucket that could not be read: the flow log is left out, with why. */
    ck_assert_ptr_nonnull(
        strstr(text, "# logkeep cannot express: flow log fl-9 delivers to bucket foreign "
                     "(AccessDenied); left out"));
    ck_assert_ptr_null(strstr(text, "org-trail"));
    /* The warning is one header line (its line break made harmless), before the document. */
    const char *warn = strstr(text, "# warning: VPC Flow Logs not discovered (DescribeFlowLogs: "
                                    "UnauthorizedOperation)?x\n");
    ck_assert_ptr_nonnull(warn);
    ck_assert_ptr_nonnull(strstr(text, "\nlogkeep: 1\n"));
    ck_assert(warn < strstr(text, "\nlogkeep: 1\n"));

    /* The same state without warnings writes none. */
    lk_buf_reset(&b);
    o.warnings = NULL;
    lk_import_draft(st, &o, NULL, &b);
    ck_assert_ptr_null(strstr(lk_buf_cstr(&b), "# warning:"));
    lk_buf_free(&b);
    lk_ir_state_free(st);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("import");
    TCase *tc = tcase_create("grouping");
    tcase_add_test(tc, test_uniform_prefix_is_one_pattern);
    tcase_add_test(tc, test_children_split_by_retention);
    tcase_add_test(tc, test_mixed_prefix_keeps_names_and_uniform_children);
    tcase_add_test(tc, test_deletion_protection_splits);
    tcase_add_test(tc, test_never_expire_and_names_without_slash);
    tcase_add_test(tc, test_caller_prefix_bounds_patterns);
    tcase_add_test(tc, test_skips_missing_patterns_and_other_regions);
    tcase_add_test(tc, test_counts_members_and_keys);
    tcase_add_test(tc, test_hostile_characters);
    tcase_add_test(tc, test_generated_trees);
    suite_add_tcase(s, tc);
    TCase *td = tcase_create("deliveries");
    tcase_add_test(td, test_deliveries_become_typed_sources);
    suite_add_tcase(s, td);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
