/*
 * Unit tests of the pattern index (common/pattern_index.h): hand-picked cases of the most
 * specific match, then the index against a scan of every entry (the matching runtime/diff/diff.c
 * and runtime/live.c did per name before the index) on generated names and patterns with
 * overlapping prefixes, '*' anywhere, plain names and several regions.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/glob.h"
#include "common/pattern_index.h"

/* ------------------------------------------------------------------------------ the scan */

static bool s_region_eq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

static size_t s_literal_len(const struct lk_pattern_entry *e)
{
    size_t n = 0;
    for (const char *p = e->pattern; *p; p++)
        n += e->exact || *p != '*';
    return n;
}

static bool s_scan_matches(const struct lk_pattern_entry *e, const char *region, const char *name)
{
    if (!s_region_eq(e->region, region))
        return false;
    return e->exact ? strcmp(e->pattern, name) == 0 : lk_glob_match_c(e->pattern, name, 0);
}

/* The most specific match by a scan in entry order: most literal characters, then bytewise
 * first, then the first entry (the rule of diff.c's scan, whose ids were the entries' order). */
static size_t s_scan_best(const struct lk_pattern_entry *v, size_t n, const char *region,
                          const char *name)
{
    const struct lk_pattern_entry *best = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct lk_pattern_entry *p = &v[i];
        if (!s_scan_matches(p, region, name))
            continue;
        if (!best || s_literal_len(p) > s_literal_len(best) ||
            (s_literal_len(p) == s_literal_len(best) && strcmp(p->pattern, best->pattern) < 0))
            best = p;
    }
    return best ? best->id : LK_PATTERN_INDEX_NONE;
}

static bool s_scan_any(const struct lk_pattern_entry *v, size_t n, const char *region,
                       const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (s_scan_matches(&v[i], region, name))
            return true;
    return false;
}

/* ------------------------------------------------------------------------------ cases */

static size_t s_best_of(const struct lk_pattern_entry *v, size_t n, const char *region,
                        const char *name)
{
    struct lk_pattern_index idx;
    lk_pattern_index_init(&idx, v, n);
    size_t id = lk_pattern_index_best(&idx, region, name);
    ck_assert_uint_eq(id, s_scan_best(v, n, region, name));
    ck_assert(lk_pattern_index_any(&idx, region, name) == (id != LK_PATTERN_INDEX_NONE));
    lk_pattern_index_destroy(&idx);
    return id;
}

START_TEST(test_most_specific)
{
    const struct lk_pattern_entry v[] = {
        {"us-east-1", "/app/*", 0, false},
        {"us-east-1", "/app/team-1*", 1, false},
        {"us-east-1", "/app/team-1/*", 2, false},
        {"us-east-1", "*", 3, false},
        {"us-east-1", "/app/*/worker", 4, false},
        {"eu-west-1", "/app/team-1/*", 5, false},
        {"us-east-1", "/app/team-1/*", 6, false}, /* the same pattern again: 2 wins */
        {"us-east-1", "/x/a*b", 7, false},
        {"us-east-1", "/x/ab*", 8, false}, /* as many literals as 7; "/x/a*b" sorts first */
        {"us-east-1", "/exact", 9, true},
        {"us-east-1", "/star*", 10, true}, /* a plain name: its '*' is a character */
    };
    size_t n = sizeof(v) / sizeof(v[0]);
    ck_assert_uint_eq(s_best_of(v, n, "us-east-1", "/app/team-1/api"), 2);
    ck_assert_uint_eq(s_best_of(v, n, "us-east-1", "/app/team-12"), 1);
    ck_assert_uint_eq(s_best_of(v, n, "us-east-1", "/app/team-2/worker"), 4);
    ck_assert_uint_eq(s_best_of(v, n, "us-east-1", "/app/team-1/worker"), 4);
    ck_assert_uint_eq(s_best_of(v, n, "us-east-1", "/app/"), 0);
    ck_assert_uint_eq(s_best_of(v, n, "us-east-1", "/ap"), 3);
    ck_assert_uint_eq(s_best_of(v, n, "us-east-1", ""), 3);
    ck_assert_uint_eq(s_best_of(v, n, "eu-west-1", "/app/team-1/api"), 5);
    ck_assert_uint_eq(s_best_of(v, n, "eu-west-1", "/app/team-2/api"), LK_PATTERN_INDEX_NONE);
    ck_assert_uint_eq(s_best_of(v, n, NULL, "/app/team-1/api"), LK_PATTERN_INDEX_NONE);
    ck_assert_uint_eq(s_best_of(v, n, "us-east-1", "/x/abb"), 7);
    ck_assert_uint_eq(s_best_of(v, n, "us-east-1", "/x/abc"), 8);
    ck_assert_uint_eq(s_best_of(v, n, "us-east-1", "/exact"), 9);
    ck_assert_uint_eq(s_best_of(v, n, "us-east-1", "/star*"), 10);
    ck_assert_uint_eq(s_best_of(v, n, "us-east-1", "/starry"), 3);
    ck_assert_uint_eq(s_best_of(v, 0, "us-east-1", "/app/x"), LK_PATTERN_INDEX_NONE);
}
END_TEST

START_TEST(test_regions_apart)
{
    /* NULL is a region of its own, and "" another. */
    const struct lk_pattern_entry v[] = {
        {NULL, "/a/*", 0, false},
        {"", "/a/b*", 1, false},
        {"r", "/a/b/c", 2, true},
    };
    ck_assert_uint_eq(s_best_of(v, 3, NULL, "/a/b/c"), 0);
    ck_assert_uint_eq(s_best_of(v, 3, "", "/a/b/c"), 1);
    ck_assert_uint_eq(s_best_of(v, 3, "r", "/a/b/c"), 2);
    ck_assert_uint_eq(s_best_of(v, 3, "r", "/a/b/cd"), LK_PATTERN_INDEX_NONE);
}
END_TEST

/* ------------------------------------------------------------------------------ generated */

static uint64_t s_rng = 0x9e3779b97f4a7c15u;

static unsigned s_rand(unsigned bound)
{
    /* xorshift64: the same sequence on every run, so a failure repeats. */
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 7;
    s_rng ^= s_rng << 17;
    return (unsigned)(s_rng % bound);
}

/* A short string over a small alphabet, so that prefixes overlap often; '*' when @p star. */
static void s_word(char *out, size_t max_len, bool star)
{
    static const char alpha[] = "ab/";
    size_t len = s_rand((unsigned)max_len + 1);
    for (size_t i = 0; i < len; i++)
        out[i] = star && s_rand(4) == 0 ? '*' : alpha[s_rand(sizeof(alpha) - 1)];
    out[len] = '\0';
}

START_TEST(test_same_as_scan)
{
    static const char *const regions[] = {NULL, "", "r1", "r2"};
    enum { ROUNDS = 400, MAX_ENTRIES = 48, NAMES = 120, LEN = 8 };
    static char patterns[MAX_ENTRIES][LEN + 1];
    struct lk_pattern_entry v[MAX_ENTRIES];
    size_t matched = 0, several = 0;
    for (int round = 0; round < ROUNDS; round++) {
        size_t n = s_rand(MAX_ENTRIES + 1);
        for (size_t i = 0; i < n; i++) {
            v[i].region = regions[s_rand(4)];
            v[i].exact = s_rand(5) == 0;
            v[i].id = i;
            if (i && s_rand(6) == 0) {
                /* The same pattern again, in the same region or another. */
                strcpy(patterns[i], patterns[s_rand((unsigned)i)]);
            } else {
                s_word(patterns[i], LEN - 2, true);
            }
            v[i].pattern = patterns[i];
        }
        struct lk_pattern_index idx;
        lk_pattern_index_init(&idx, v, n);
        for (int k = 0; k < NAMES; k++) {
            char name[LEN + 1];
            if (n && s_rand(4) == 0) {
                /* A plain name of the set, or one with its stars replaced. */
                const char *src = v[s_rand((unsigned)n)].pattern;
                size_t len = strlen(src);
                for (size_t c = 0; c <= len; c++)
                    name[c] = src[c] == '*' && s_rand(2) ? 'a' : src[c];
            } else {
                s_word(name, LEN, false);
            }
            const char *region = regions[s_rand(4)];
            size_t want = s_scan_best(v, n, region, name);
            size_t got = lk_pattern_index_best(&idx, region, name);
            if (got != want)
                ck_abort_msg("round %d: best of \"%s\" in %s: index %zu, scan %zu", round, name,
                             region ? region : "(null)", got, want);
            ck_assert(lk_pattern_index_any(&idx, region, name) == s_scan_any(v, n, region, name));
            matched += want != LK_PATTERN_INDEX_NONE;
            size_t hits = 0;
            for (size_t i = 0; i < n; i++)
                hits += s_scan_matches(&v[i], region, name);
            several += hits > 1;
        }
        lk_pattern_index_destroy(&idx);
    }
    /* The generated cases exercise matches and overlapping ones, not only misses. */
    ck_assert_uint_gt(matched, ROUNDS * NAMES / 10);
    ck_assert_uint_gt(several, ROUNDS * NAMES / 20);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pattern_index");
    TCase *tc = tcase_create("pattern_index");
    tcase_add_test(tc, test_most_specific);
    tcase_add_test(tc, test_regions_apart);
    tcase_add_test(tc, test_same_as_scan);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
