/*
 * Unit tests: reading policy files, encoding checks, size limits and the line map.
 */
#include "lk_test.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "compiler/source.h"

struct s_fixture {
    struct lk_arena arena;
    struct lk_diags diags;
    struct lk_sources set;
};

static void s_init(struct s_fixture *f)
{
    lk_arena_init(&f->arena);
    lk_diags_init(&f->diags, &f->arena);
    lk_sources_init(&f->set);
}

static void s_fini(struct s_fixture *f)
{
    lk_sources_free(&f->set);
    lk_diags_free(&f->diags);
    lk_arena_destroy(&f->arena);
}

static int s_add(struct s_fixture *f, const char *data, size_t len)
{
    uint32_t id;
    return lk_sources_add_buffer(&f->set, "t.yaml", data, len, &f->diags, &id);
}

START_TEST(test_utf8)
{
    size_t bad;
    ck_assert(lk_utf8_valid("plain ascii", 11, &bad));
    ck_assert(lk_utf8_valid("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x92", 14, &bad));
    ck_assert(!lk_utf8_valid("a\xC0\xAF", 3, &bad)); /* overlong '/' */
    ck_assert_uint_eq(bad, 1);
    ck_assert(!lk_utf8_valid("\xED\xA0\x80", 3, &bad)); /* UTF-16 surrogate */
    ck_assert(!lk_utf8_valid("\xF4\x90\x80\x80", 4, &bad)); /* > U+10FFFF */
    ck_assert(!lk_utf8_valid("ab\xE2\x82", 4, &bad)); /* truncated */
    ck_assert_uint_eq(bad, 2);
    ck_assert(!lk_utf8_valid("a\0b", 3, &bad)); /* NUL */
    ck_assert_uint_eq(bad, 1);
    ck_assert(!lk_utf8_valid("\xFF", 1, &bad));
}
END_TEST

START_TEST(test_contents_checks)
{
    struct s_fixture f;
    s_init(&f);
    ck_assert_int_eq(s_add(&f, "logkeep: 1\n", 11), 0);
    ck_assert_uint_eq(f.diags.n, 0);
    ck_assert_int_eq(s_add(&f, "", 0), 1);
    ck_assert_str_eq(f.diags.items[0].rule->id, "LK004");
    ck_assert_int_eq(s_add(&f, "# only a comment\n\n", 18), 1);
    ck_assert_str_eq(f.diags.items[1].rule->id, "LK004");
    ck_assert_int_eq(s_add(&f, "\xEF\xBB\xBF", 3), 1);
    ck_assert_str_eq(f.diags.items[2].rule->id, "LK004");
    ck_assert_int_eq(s_add(&f, "\xFF\xFEl\0", 4), 1);
    ck_assert_str_eq(f.diags.items[3].rule->id, "LK002");
    ck_assert_str_eq(f.diags.items[3].message, "file is encoded in UTF-16");
    /* The bad byte is located: line 2, column 4 (characters, not bytes). */
    ck_assert_int_eq(s_add(&f, "a: 1\n\xC3\xA9x:\xFF\n", 10), 1);
    ck_assert_str_eq(f.diags.items[4].rule->id, "LK002");
    ck_assert_uint_eq(f.diags.items[4].span.line, 2);
    ck_assert_uint_eq(f.diags.items[4].span.col, 4);
    s_fini(&f);
}
END_TEST

START_TEST(test_size_limit)
{
    struct s_fixture f;
    s_init(&f);
    size_t len = LK_SOURCE_MAX_BYTES + 1;
    char *big = lk_xmalloc(len);
    memset(big, 'a', len);
    ck_assert_int_eq(s_add(&f, big, len), 1);
    ck_assert_str_eq(f.diags.items[0].rule->id, "LK003");
    /* Exactly at the limit is accepted (it is not too large; content checks still apply). */
    ck_assert_int_eq(s_add(&f, big, LK_SOURCE_MAX_BYTES), 0);
    free(big);
    s_fini(&f);
}
END_TEST

START_TEST(test_lines)
{
    struct s_fixture f;
    s_init(&f);
    ck_assert_int_eq(s_add(&f, "one\r\ntwo\n\nfour", 14), 0);
    const char *line;
    size_t len;
    ck_assert(lk_sources_line(&f.set, 0, 1, &line, &len));
    ck_assert_uint_eq(len, 3); /* CR stripped */
    ck_assert(!strncmp(line, "one", 3));
    ck_assert(lk_sources_line(&f.set, 0, 2, &line, &len));
    ck_assert(!strncmp(line, "two", len));
    ck_assert(lk_sources_line(&f.set, 0, 3, &line, &len));
    ck_assert_uint_eq(len, 0);
    ck_assert(lk_sources_line(&f.set, 0, 4, &line, &len));
    ck_assert(!strncmp(line, "four", len));
    ck_assert(!lk_sources_line(&f.set, 0, 5, &line, &len));
    ck_assert(!lk_sources_line(&f.set, 0, 0, &line, &len));
    ck_assert(!lk_sources_line(&f.set, 7, 1, &line, &len));
    ck_assert_str_eq(lk_sources_path(&f.set, 0), "t.yaml");
    ck_assert_str_eq(lk_sources_path(&f.set, 9), "<unknown>");
    s_fini(&f);
}
END_TEST

START_TEST(test_read_file)
{
    struct s_fixture f;
    s_init(&f);
    uint32_t id;
    errno = 0;
    ck_assert_int_eq(lk_sources_read_file(&f.set, "/nonexistent/policy.yaml", &f.diags, &id), -1);
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_int_eq(lk_sources_read_file(&f.set, "/", &f.diags, &id), -1);
    ck_assert_int_eq(errno, EISDIR);
    char path[] = "/tmp/lk-test-source-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "logkeep: 1\n", 11), 11);
    close(fd);
    ck_assert_int_eq(lk_sources_read_file(&f.set, path, &f.diags, &id), 0);
    ck_assert_uint_eq(f.set.files[id]->len, 11);
    unlink(path);
    ck_assert_uint_eq(f.diags.n, 0);
    s_fini(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("source");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_utf8);
    tcase_add_test(tc, test_contents_checks);
    tcase_add_test(tc, test_size_limit);
    tcase_add_test(tc, test_lines);
    tcase_add_test(tc, test_read_file);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
