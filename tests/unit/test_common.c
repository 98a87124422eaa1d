/*
 * Unit tests of the common floor: the error model and its guards, the bounded buffer, array
 * growth and wildcard matching.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/array.h"
#include "common/buf.h"
#include "common/escape.h"
#include "common/glob.h"
#include "common/result.h"

/* ------------------------------------------------------------------------------ result */

START_TEST(test_status_names)
{
    ck_assert_str_eq(lk_status_name(LK_STATUS_OK), "ok");
    ck_assert_str_eq(lk_status_name(LK_STATUS_MALFORMED), "malformed input");
    ck_assert_str_eq(lk_status_name(LK_STATUS_TOO_LARGE), "too large");
    /* Every status has a name of its own. */
    for (int i = 0; i < LK_STATUS_COUNT; i++) {
        const char *name = lk_status_name((enum lk_status)i);
        ck_assert_ptr_nonnull(name);
        ck_assert_str_ne(name, "unknown status");
        for (int k = 0; k < i; k++)
            ck_assert_str_ne(name, lk_status_name((enum lk_status)k));
    }
    ck_assert_str_eq(lk_status_name(LK_STATUS_COUNT), "unknown status");
    ck_assert_str_eq(lk_status_name((enum lk_status) - 1), "unknown status");
}
END_TEST

START_TEST(test_error_set)
{
    struct lk_error err = {0};
    ck_assert_int_eq(
        lk_error_set(&err, LK_STATUS_SCHEMA, "%s[%d]: expected an integer", "rules", 3),
        LK_STATUS_SCHEMA);
    ck_assert_int_eq(err.status, LK_STATUS_SCHEMA);
    ck_assert_str_eq(err.message, "rules[3]: expected an integer");
    /* A later failure replaces the earlier one. */
    lk_error_set(&err, LK_STATUS_IO, "cannot read");
    ck_assert_int_eq(err.status, LK_STATUS_IO);
    ck_assert_str_eq(err.message, "cannot read");
    /* OK clears. */
    ck_assert_int_eq(lk_error_set(&err, LK_STATUS_OK, "ignored"), LK_STATUS_OK);
    ck_assert_int_eq(err.status, LK_STATUS_OK);
    ck_assert_str_eq(err.message, "");
    /* No error wanted: the status still comes back. */
    ck_assert_int_eq(lk_error_set(NULL, LK_STATUS_AWS, "x"), LK_STATUS_AWS);
    lk_error_clear(NULL);
    /* Long messages are cut to fit, terminated. */
    char big[2 * LK_ERROR_MESSAGE_MAX];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    lk_error_set(&err, LK_STATUS_TOO_LARGE, "%s", big);
    ck_assert_uint_eq(strlen(err.message), LK_ERROR_MESSAGE_MAX - 1);
    lk_error_clear(&err);
    ck_assert_int_eq(err.status, LK_STATUS_OK);
    ck_assert_str_eq(err.message, "");
}
END_TEST

START_TEST(test_error_prefix)
{
    struct lk_error err = {0};
    /* Nothing to prefix. */
    ck_assert_int_eq(lk_error_prefix(&err, "file %s: ", "a.json"), LK_STATUS_OK);
    ck_assert_str_eq(err.message, "");
    ck_assert_int_eq(lk_error_prefix(NULL, "x"), LK_STATUS_OK);
    lk_error_set(&err, LK_STATUS_MALFORMED, "invalid JSON near byte 7");
    ck_assert_int_eq(lk_error_prefix(&err, "state file %s: ", "a.json"), LK_STATUS_MALFORMED);
    ck_assert_str_eq(err.message, "state file a.json: invalid JSON near byte 7");
    /* The message is cut at its end when the whole does not fit. */
    char big[LK_ERROR_MESSAGE_MAX];
    memset(big, 'm', sizeof(big) - 10);
    big[sizeof(big) - 10] = '\0';
    lk_error_set(&err, LK_STATUS_MALFORMED, "%s", big);
    lk_error_prefix(&err, "%s", "0123456789012345");
    ck_assert_uint_eq(strlen(err.message), LK_ERROR_MESSAGE_MAX - 1);
    ck_assert(!strncmp(err.message, "0123456789012345mmm", 19));
}
END_TEST

/* Calls counted, to see that a guard stops at the first failure. */
static int s_calls;

static enum lk_status s_step(enum lk_status result)
{
    s_calls++;
    return result;
}

static enum lk_status s_guarded(enum lk_status first, enum lk_status second)
{
    LK_GUARD(s_step(first));
    LK_GUARD(s_step(second));
    return LK_STATUS_OK;
}

static enum lk_status s_ensured(int value, struct lk_error *err)
{
    LK_ENSURE(value >= 0, LK_STATUS_INVALID_ARGUMENT);
    LK_ENSURE(value < 10, lk_error_set(err, LK_STATUS_TOO_LARGE, "%d is over 9", value));
    return LK_STATUS_OK;
}

START_TEST(test_guard_and_ensure)
{
    s_calls = 0;
    ck_assert_int_eq(s_guarded(LK_STATUS_OK, LK_STATUS_OK), LK_STATUS_OK);
    ck_assert_int_eq(s_calls, 2);
    s_calls = 0;
    ck_assert_int_eq(s_guarded(LK_STATUS_IO, LK_STATUS_OK), LK_STATUS_IO);
    ck_assert_int_eq(s_calls, 1);
    s_calls = 0;
    ck_assert_int_eq(s_guarded(LK_STATUS_OK, LK_STATUS_CRYPTO), LK_STATUS_CRYPTO);
    ck_assert_int_eq(s_calls, 2);

    struct lk_error err = {0};
    ck_assert_int_eq(s_ensured(5, &err), LK_STATUS_OK);
    /* The status expression runs only on failure: no message was written. */
    ck_assert_int_eq(err.status, LK_STATUS_OK);
    ck_assert_str_eq(err.message, "");
    ck_assert_int_eq(s_ensured(-1, &err), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(err.message, "");
    ck_assert_int_eq(s_ensured(12, &err), LK_STATUS_TOO_LARGE);
    ck_assert_int_eq(err.status, LK_STATUS_TOO_LARGE);
    ck_assert_str_eq(err.message, "12 is over 9");
}
END_TEST

/* The single-cleanup style: resources taken in order, released once at the label. */
static enum lk_status s_with_cleanup(enum lk_status a, bool cond, int *released,
                                     struct lk_error *err)
{
    enum lk_status rc = LK_STATUS_OK;
    char *first = lk_xstrdup("first");
    char *second = NULL;
    LK_GUARD_GOTO(rc, s_step(a), cleanup);
    second = lk_xstrdup("second");
    LK_ENSURE_GOTO(rc, cond, lk_error_set(err, LK_STATUS_SCHEMA, "condition false"), cleanup);
    LK_GUARD_GOTO(rc, s_step(LK_STATUS_OK), cleanup);
cleanup:
    *released += 1;
    free(first);
    free(second);
    return rc;
}

START_TEST(test_guard_goto)
{
    struct lk_error err = {0};
    int released = 0;
    s_calls = 0;
    ck_assert_int_eq(s_with_cleanup(LK_STATUS_OK, true, &released, &err), LK_STATUS_OK);
    ck_assert_int_eq(released, 1);
    ck_assert_int_eq(s_calls, 2);
    s_calls = 0;
    ck_assert_int_eq(s_with_cleanup(LK_STATUS_NETWORK, true, &released, &err), LK_STATUS_NETWORK);
    ck_assert_int_eq(released, 2);
    ck_assert_int_eq(s_calls, 1);
    ck_assert_int_eq(err.status, LK_STATUS_OK);
    s_calls = 0;
    ck_assert_int_eq(s_with_cleanup(LK_STATUS_OK, false, &released, &err), LK_STATUS_SCHEMA);
    ck_assert_int_eq(released, 3);
    ck_assert_int_eq(s_calls, 1);
    ck_assert_str_eq(err.message, "condition false");
    /* A result used on purpose without being looked at. */
    LK_IGNORE(s_step(LK_STATUS_IO));
}
END_TEST

/* ------------------------------------------------------------------------------ buffer */

START_TEST(test_buf_append)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_LINE);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    lk_buf_puts(&b, "abc");
    lk_buf_putc(&b, '-');
    lk_buf_append(&b, "x\0y", 3);
    lk_buf_printf(&b, "%d/%s", 42, "z");
    ck_assert_uint_eq(b.len, 11);
    ck_assert(!memcmp(b.data, "abc-x\0y42/z", 12));
    ck_assert(!lk_buf_failed(&b));
    ck_assert_int_eq(lk_buf_status(&b), LK_STATUS_OK);
    /* printf of more than the spare room: formatted again after growing. */
    char big[3000];
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    lk_buf_printf(&b, "[%s]", big);
    ck_assert_uint_eq(b.len, 11 + 2 + 2999);
    ck_assert_int_eq(b.data[b.len], '\0');
    ck_assert_int_eq(b.data[b.len - 1], ']');
    lk_buf_free(&b);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.max_len, LK_BUF_MAX_LINE);
    /* Usable again after lk_buf_free(). */
    lk_buf_puts(&b, "again");
    ck_assert_str_eq(b.data, "again");
    lk_buf_reset(&b);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_str_eq(b.data, "");
    lk_buf_free(&b);
}
END_TEST

START_TEST(test_buf_cap_is_hard)
{
    struct lk_buf b;
    lk_buf_init(&b, 10);
    lk_buf_puts(&b, "0123456789"); /* exactly the cap */
    ck_assert(!lk_buf_failed(&b));
    ck_assert_str_eq(b.data, "0123456789");
    ck_assert_uint_le(b.cap, 11);
    lk_buf_putc(&b, 'x'); /* one more fails the buffer and drops the contents */
    ck_assert(lk_buf_failed(&b));
    ck_assert_int_eq(lk_buf_status(&b), LK_STATUS_TOO_LARGE);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    /* Sticky: later appends, even small ones, do nothing. */
    lk_buf_puts(&b, "a");
    lk_buf_printf(&b, "%d", 1);
    lk_buf_append(&b, "b", 1);
    ck_assert(lk_buf_failed(&b));
    ck_assert_ptr_null(b.data);
    size_t len = 99;
    ck_assert_ptr_null(lk_buf_take(&b, &len));
    ck_assert_uint_eq(len, 0);
    /* lk_buf_take() left it as lk_buf_free() does: empty, not failed, same cap. */
    ck_assert(!lk_buf_failed(&b));
    lk_buf_puts(&b, "ok");
    ck_assert_str_eq(b.data, "ok");
    lk_buf_free(&b);

    /* printf near the cap: fits exactly, then not. */
    lk_buf_init(&b, 8);
    lk_buf_printf(&b, "%s", "1234");
    lk_buf_printf(&b, "%04d", 56);
    ck_assert_str_eq(b.data, "12340056");
    lk_buf_printf(&b, "%c", 'z');
    ck_assert(lk_buf_failed(&b));
    lk_buf_reset(&b); /* reset clears the failure too */
    ck_assert(!lk_buf_failed(&b));
    lk_buf_printf(&b, "%s", "123456789");
    ck_assert(lk_buf_failed(&b));
    lk_buf_free(&b);

    /* Failed from outside, for a part that could not be produced. */
    lk_buf_init(&b, 100);
    lk_buf_puts(&b, "part");
    lk_buf_fail(&b);
    ck_assert(lk_buf_failed(&b));
    ck_assert_ptr_null(b.data);
    lk_buf_puts(&b, "more");
    ck_assert_ptr_null(b.data);
    lk_buf_free(&b);

    /* A large append into an empty buffer is refused without allocating it. */
    lk_buf_init(&b, 100);
    char big[200];
    memset(big, 'a', sizeof(big));
    lk_buf_append(&b, big, sizeof(big));
    ck_assert(lk_buf_failed(&b));
    ck_assert_uint_eq(b.cap, 0);
    lk_buf_free(&b);
}
END_TEST

START_TEST(test_buf_reserve)
{
    struct lk_buf b;
    lk_buf_init(&b, 16);
    ck_assert(lk_buf_reserve(&b, 16));
    ck_assert_uint_ge(b.cap, 17);
    /* Past the cap: refused, and the buffer is not failed by asking. */
    ck_assert(!lk_buf_reserve(&b, 17));
    ck_assert(!lk_buf_failed(&b));
    lk_buf_puts(&b, "fits");
    ck_assert_str_eq(b.data, "fits");
    lk_buf_free(&b);
}
END_TEST

START_TEST(test_buf_take)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_LINE);
    size_t len = 99;
    char *s = lk_buf_take(&b, &len); /* nothing appended: "" */
    ck_assert_str_eq(s, "");
    ck_assert_uint_eq(len, 0);
    free(s);
    lk_buf_puts(&b, "hello");
    s = lk_buf_take(&b, &len);
    ck_assert_str_eq(s, "hello");
    ck_assert_uint_eq(len, 5);
    ck_assert_ptr_null(b.data);
    free(s);

    struct lk_arena a;
    lk_arena_init(&a);
    lk_buf_puts(&b, "in the arena");
    ck_assert_str_eq(lk_buf_take_arena(&b, &a), "in the arena");
    ck_assert_ptr_null(b.data);
    lk_buf_init(&b, 2);
    lk_buf_puts(&b, "abc");
    ck_assert_ptr_null(lk_buf_take_arena(&b, &a));
    lk_arena_destroy(&a);
}
END_TEST

START_TEST(test_buf_default_cap)
{
    /* lk_buf_init_default(): the default cap, for code that has not chosen one. */
    struct lk_buf b;
    lk_buf_init_default(&b);
    ck_assert_uint_eq(b.max_len, LK_BUF_MAX_DEFAULT);
    lk_buf_puts(&b, "x");
    lk_buf_free(&b);
    /* A zeroed buffer works too, with the default cap. */
    struct lk_buf z = {0};
    lk_buf_printf(&z, "%s-%d", "zero", 0);
    ck_assert_str_eq(z.data, "zero-0");
    lk_buf_free(&z);
    /* A cap of 0 means the default. */
    lk_buf_init(&b, 0);
    ck_assert_uint_eq(b.max_len, LK_BUF_MAX_DEFAULT);
}
END_TEST

START_TEST(test_buf_secret)
{
    struct lk_buf b;
    lk_buf_init_secret(&b, LK_BUF_MAX_LINE);
    ck_assert(b.secret);
    /* Growing moves the contents whole. */
    for (int i = 0; i < 200; i++)
        lk_buf_printf(&b, "%03d", i);
    ck_assert_uint_eq(b.len, 600);
    ck_assert(!strncmp(b.data, "000001002", 9));
    ck_assert(!strcmp(b.data + 597, "199"));
    lk_buf_reset(&b);
    ck_assert(b.secret);
    ck_assert_str_eq(b.data, "");
    lk_buf_free(&b);
    ck_assert(b.secret);

    unsigned char key[32];
    memset(key, 0xa5, sizeof(key));
    lk_secure_zero(key, sizeof(key));
    for (size_t i = 0; i < sizeof(key); i++)
        ck_assert_uint_eq(key[i], 0);
    lk_secure_zero(NULL, 10);
}
END_TEST

/* JSON escaping near a cap: the worst case (6 bytes a byte) does not fit, the exact text does. */
START_TEST(test_json_escape_near_cap)
{
    struct lk_buf b;
    lk_buf_init(&b, 12);
    lk_json_escape(&b, "a\"b\nc"); /* "a\"b\nc" with quotes: 9 bytes */
    ck_assert(!lk_buf_failed(&b));
    ck_assert_str_eq(b.data, "\"a\\\"b\\nc\"");
    lk_json_escape(&b, "\x01"); /* "\u0001" with quotes: 8 more bytes, over 12 */
    ck_assert(lk_buf_failed(&b));
    lk_buf_free(&b);
    /* The fast path gives the same bytes. */
    lk_buf_init(&b, LK_BUF_MAX_LINE);
    lk_json_escape(&b, "a\"b\nc\x01\\/\t\r");
    ck_assert_str_eq(b.data, "\"a\\\"b\\nc\\u0001\\\\/\\t\\r\"");
    lk_buf_free(&b);
    lk_buf_init(&b, 22);
    lk_json_escape(&b, "a\"b\nc\x01\\/\t\r"); /* 22 bytes exactly, by the slow path */
    ck_assert_str_eq(b.data, "\"a\\\"b\\nc\\u0001\\\\/\\t\\r\"");
    lk_buf_free(&b);
}
END_TEST

/* ------------------------------------------------------------------------------ arrays */

/* XML 1.0: markup escaped; attributes also escape quotes and white space; characters XML does
 * not allow and malformed UTF-8 become U+FFFD; well-formed UTF-8 passes through. */
START_TEST(test_xml_escape)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_LINE);
    lk_xml_escape(&b, "a<b>&\"c'\td\ne\r", false);
    ck_assert_str_eq(lk_buf_cstr(&b), "a&lt;b&gt;&amp;\"c'\td\ne&#13;");
    lk_buf_reset(&b);
    lk_xml_escape(&b, "a<b>&\"c'\td\ne\r", true);
    ck_assert_str_eq(lk_buf_cstr(&b), "a&lt;b&gt;&amp;&quot;c&apos;&#9;d&#10;e&#13;");
    lk_buf_reset(&b);
    lk_xml_escape(&b, "x\x01y\xC0\xAFz\xEF\xBF\xBE\xC3\xA9", false);
    ck_assert_str_eq(lk_buf_cstr(&b), "x\xEF\xBF\xBDy\xEF\xBF\xBD\xEF\xBF\xBDz\xEF\xBF\xBD\xC3\xA9");
    lk_buf_free(&b);
}
END_TEST

START_TEST(test_array_grow_heap)
{
    int *v = NULL;
    size_t n = 0, cap = 0;
    for (int i = 0; i < 1000; i++) {
        LK_ARRAY_GROW(v, n, cap);
        ck_assert_uint_gt(cap, n);
        v[n++] = i * 3;
    }
    ck_assert_uint_eq(n, 1000);
    ck_assert_uint_eq(cap, 1024); /* 16 doubled six times */
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(v[i], i * 3);
    free(v);
}
END_TEST

START_TEST(test_array_grow_arena)
{
    struct lk_arena a;
    lk_arena_init(&a);
    const char **v = NULL;
    size_t n = 0, cap = 0;
    for (int i = 0; i < 100; i++) {
        LK_ARENA_ARRAY_GROW(&a, v, n, cap);
        v[n++] = i % 2 ? "odd" : "even";
    }
    ck_assert_uint_eq(cap, 128);
    for (int i = 0; i < 100; i++)
        ck_assert_str_eq(v[i], i % 2 ? "odd" : "even");

    /* No capacity field: full at 0, 1, 2, 4, 8, ... */
    long *w = NULL;
    size_t m = 0;
    long *before = NULL;
    for (long i = 0; i < 70; i++) {
        before = w;
        LK_ARENA_ARRAY_GROW_IMPLICIT(&a, w, m);
        bool full = m == 0 || (m & (m - 1)) == 0;
        ck_assert(full ? w != before : w == before);
        w[m++] = i * i;
    }
    for (long i = 0; i < 70; i++)
        ck_assert_int_eq(w[i], i * i);
    lk_arena_destroy(&a);
}
END_TEST

/* ------------------------------------------------------------------------------ glob */

START_TEST(test_glob_log_group_patterns)
{
    /* The cases CloudWatch Logs patterns meet: '*' runs across '/', everything else literal. */
    static const struct {
        const char *pattern, *name;
        bool match;
    } cases[] = {
        {"/app/payments/*", "/app/payments/api", true},
        {"/app/payments/*", "/app/payments/", true},
        {"/app/payments/*", "/app/payments/a/b/c", true},
        {"/app/payments/*", "/app/payment", false},
        {"/app/*/audit", "/app/x/audit", true},
        {"/app/*/audit", "/app/x/y/audit", true},
        {"/app/*/audit", "/app/x/audit2", false},
        {"*", "", true},
        {"*", "/anything/at/all", true},
        {"", "", true},
        {"", "x", false},
        {"x", "", false},
        {"**", "ab", true},
        {"*-prod*", "svc-prod-1", true},
        {"a*b*c", "aXbYbZc", true},
        {"a*b*c", "aXbYbZ", false},
        {"a*b", "ab", true},
        {"a*b", "abb", true},
        {"a*b", "aba", false},
        {"exact", "exact", true},
        {"exact", "exactly", false},
        {"exact", "Exact", false},                /* case-sensitive */
        {"/aws/lambda/?", "/aws/lambda/?", true}, /* '?' is literal in log group patterns */
        {"/aws/lambda/?", "/aws/lambda/x", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        ck_assert_msg(lk_glob_match_c(cases[i].pattern, cases[i].name, 0) == cases[i].match,
                      "\"%s\" vs \"%s\"", cases[i].pattern, cases[i].name);
}
END_TEST

START_TEST(test_glob_question)
{
    ck_assert(lk_glob_match_c("s3:Get?bject", "s3:GetObject", LK_GLOB_QUESTION));
    ck_assert(!lk_glob_match_c("s3:Get?bject", "s3:Getbject", LK_GLOB_QUESTION));
    ck_assert(
        lk_glob_match_c("arn:aws:s3:::b-?/*", "arn:aws:s3:::b-1/AWSLogs/x", LK_GLOB_QUESTION));
    ck_assert(!lk_glob_match_c("a?", "a", LK_GLOB_QUESTION));
    ck_assert(lk_glob_match_c("*?", "a", LK_GLOB_QUESTION));
    ck_assert(!lk_glob_match_c("*?", "", LK_GLOB_QUESTION));
}
END_TEST

START_TEST(test_glob_views_and_prefix)
{
    /* Views need not be terminated: only their bytes count. */
    const char *text = "/app/*/auditXXXX";
    struct lk_str pat = {text, 12};
    ck_assert(lk_glob_match(pat, lk_str_c("/app/x/audit"), 0));
    ck_assert(!lk_glob_match(pat, lk_str_c("/app/x/auditX"), 0));
    struct lk_str name = {"/app/x/audit-and-more", 12};
    ck_assert(lk_glob_match(pat, name, 0));

    ck_assert_uint_eq(lk_glob_literal_prefix_len(lk_str_c("/app/*/audit"), 0), 5);
    ck_assert_uint_eq(lk_glob_literal_prefix_len(lk_str_c("*x"), 0), 0);
    ck_assert_uint_eq(lk_glob_literal_prefix_len(lk_str_c("/plain"), 0), 6);
    ck_assert_uint_eq(lk_glob_literal_prefix_len(lk_str_c("a?b*"), 0), 3);
    ck_assert_uint_eq(lk_glob_literal_prefix_len(lk_str_c("a?b*"), LK_GLOB_QUESTION), 1);
    ck_assert(lk_glob_has_wildcard(lk_str_c("/a/*"), 0));
    ck_assert(!lk_glob_has_wildcard(lk_str_c("/a/?"), 0));
    ck_assert(lk_glob_has_wildcard(lk_str_c("/a/?"), LK_GLOB_QUESTION));
    ck_assert(!lk_glob_has_wildcard(lk_str_c(""), 0));
}
END_TEST

/* Many stars against a long name that almost matches: a backtracking matcher would take
 * exponential time; this one finishes at once. */
/* lk_buf_read_file(): a whole file, an empty one, one past the buffer's cap, a missing one. */
START_TEST(test_buf_read_file)
{
    char path[] = "/tmp/lk-test-read-XXXXXX"; /* mkstemp() template */
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "wb");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 10000; i++)
        fputs("0123456789", f);
    ck_assert_int_eq(fclose(f), 0);

    struct lk_buf b;
    int err = 0;
    lk_buf_init(&b, 100000);
    ck_assert_int_eq(lk_buf_read_file(&b, path, &err), LK_STATUS_OK);
    ck_assert_uint_eq(b.len, 100000);
    ck_assert_int_eq(strncmp(lk_buf_cstr(&b) + 99990, "0123456789", 11), 0);
    lk_buf_free(&b);

    lk_buf_init(&b, 99999); /* one byte short */
    ck_assert_int_eq(lk_buf_read_file(&b, path, &err), LK_STATUS_TOO_LARGE);
    ck_assert(lk_buf_failed(&b));
    lk_buf_free(&b);

    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fclose(f), 0);
    lk_buf_init(&b, 16);
    ck_assert_int_eq(lk_buf_read_file(&b, path, &err), LK_STATUS_OK);
    ck_assert_str_eq(lk_buf_cstr(&b), "");
    lk_buf_free(&b);

    ck_assert_int_eq(unlink(path), 0);
    lk_buf_init(&b, 16);
    ck_assert_int_eq(lk_buf_read_file(&b, path, &err), LK_STATUS_IO);
    ck_assert_int_eq(err, ENOENT);
    lk_buf_free(&b);
}
END_TEST

START_TEST(test_glob_no_blowup)
{
    char name[4001];
    memset(name, 'a', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    ck_assert(!lk_glob_match_c("*a*a*a*a*a*a*a*a*a*a*b", name, 0));
    name[sizeof(name) - 2] = 'b';
    ck_assert(lk_glob_match_c("*a*a*a*a*a*a*a*a*a*a*b", name, 0));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("common");
    TCase *tc = tcase_create("result");
    tcase_add_test(tc, test_status_names);
    tcase_add_test(tc, test_error_set);
    tcase_add_test(tc, test_error_prefix);
    tcase_add_test(tc, test_guard_and_ensure);
    tcase_add_test(tc, test_guard_goto);
    suite_add_tcase(s, tc);
    tc = tcase_create("buf");
    tcase_add_test(tc, test_buf_append);
    tcase_add_test(tc, test_buf_cap_is_hard);
    tcase_add_test(tc, test_buf_reserve);
    tcase_add_test(tc, test_buf_take);
    tcase_add_test(tc, test_buf_default_cap);
    tcase_add_test(tc, test_buf_secret);
    tcase_add_test(tc, test_json_escape_near_cap);
    tcase_add_test(tc, test_xml_escape);
    tcase_add_test(tc, test_buf_read_file);
    suite_add_tcase(s, tc);
    tc = tcase_create("array");
    tcase_add_test(tc, test_array_grow_heap);
    tcase_add_test(tc, test_array_grow_arena);
    suite_add_tcase(s, tc);
    tc = tcase_create("glob");
    tcase_add_test(tc, test_glob_log_group_patterns);
    tcase_add_test(tc, test_glob_question);
    tcase_add_test(tc, test_glob_views_and_prefix);
    tcase_add_test(tc, test_glob_no_blowup);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
