/*
 * Unit tests: the YAML reader (node tree, spans, core schema, bounds).
 */
#include "lk_test.h"

#include <stdio.h>

#include "compiler/yaml_read.h"

struct s_fixture {
    struct lk_arena arena;
    struct lk_diags diags;
    struct lk_sources set;
};

static struct lk_ynode *s_read(struct s_fixture *f, const char *yaml)
{
    lk_arena_init(&f->arena);
    lk_diags_init(&f->diags, &f->arena);
    lk_sources_init(&f->set);
    uint32_t id;
    if (lk_sources_add_buffer(&f->set, "t.yaml", yaml, strlen(yaml), &f->diags, &id) != 0)
        return NULL;
    return lk_yaml_read(&f->set, id, &f->arena, &f->diags);
}

static void s_fini(struct s_fixture *f)
{
    lk_sources_free(&f->set);
    lk_diags_free(&f->diags);
    lk_arena_destroy(&f->arena);
}

START_TEST(test_tree_and_spans)
{
    struct s_fixture f;
    struct lk_ynode *root = s_read(&f, "a: hello\nlist:\n  - 1\n  - \"two\"\n");
    ck_assert_ptr_nonnull(root);
    ck_assert_int_eq(root->kind, LK_Y_MAP);
    ck_assert_uint_eq(root->n, 2);
    ck_assert_str_eq(root->keys[0]->text.ptr, "a");
    ck_assert_str_eq(root->values[0]->text.ptr, "hello");
    /* One-based line and column; the caret covers the scalar. */
    ck_assert_uint_eq(root->values[0]->span.line, 1);
    ck_assert_uint_eq(root->values[0]->span.col, 4);
    ck_assert_uint_eq(root->values[0]->span.len, 5);
    struct lk_ynode *list = root->values[1];
    ck_assert_int_eq(list->kind, LK_Y_SEQ);
    ck_assert_uint_eq(list->n, 2);
    ck_assert_int_eq(list->values[0]->stype, LK_YS_INT);
    ck_assert_int_eq(list->values[1]->stype, LK_YS_STR);
    ck_assert_uint_eq(list->values[1]->span.line, 4);
    ck_assert_uint_eq(list->values[1]->span.col, 5);
    ck_assert_uint_eq(f.diags.n, 0);
    s_fini(&f);
}
END_TEST

START_TEST(test_core_schema)
{
    struct s_fixture f;
    struct lk_ynode *root = s_read(&f, "[true, False, yes, ~, null, '', 0x1F, 0o17, -3, 1.5e3, .inf, "
                                       "1.2.3, 'true', !!str 12, !!int 12]");
    ck_assert_ptr_nonnull(root);
    static const enum lk_yscalar_type want[] = {
        LK_YS_BOOL, LK_YS_BOOL, LK_YS_STR,   LK_YS_NULL, LK_YS_NULL, LK_YS_STR, LK_YS_INT, LK_YS_INT,
        LK_YS_INT,  LK_YS_FLOAT, LK_YS_FLOAT, LK_YS_STR, LK_YS_STR,  LK_YS_STR, LK_YS_INT};
    ck_assert_uint_eq(root->n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < root->n; i++)
        ck_assert_msg(root->values[i]->stype == want[i], "item %zu (%s)", i,
                      root->values[i]->text.ptr);
    s_fini(&f);
}
END_TEST

START_TEST(test_bad_tags)
{
    struct s_fixture f;
    ck_assert_ptr_null(s_read(&f, "a: !!python/object:os.system x\n"));
    ck_assert_str_eq(f.diags.items[0].rule->id, "LK007");
    s_fini(&f);
    ck_assert_ptr_null(s_read(&f, "a: !Ref Bucket\n"));
    ck_assert_str_eq(f.diags.items[0].rule->id, "LK007");
    s_fini(&f);
    ck_assert_ptr_null(s_read(&f, "a: !!int abc\n"));
    ck_assert_str_eq(f.diags.items[0].rule->id, "LK010");
    s_fini(&f);
    ck_assert_ptr_null(s_read(&f, "a: !!seq {b: 1}\n"));
    ck_assert_str_eq(f.diags.items[0].rule->id, "LK010");
    s_fini(&f);
}
END_TEST

START_TEST(test_duplicate_keys)
{
    struct s_fixture f;
    struct lk_ynode *root = s_read(&f, "a: 1\nb: 2\na: 3\nb: 4\na: 5\n");
    ck_assert_ptr_nonnull(root);
    ck_assert_uint_eq(f.diags.n, 3);
    for (size_t i = 0; i < f.diags.n; i++) {
        ck_assert_str_eq(f.diags.items[i].rule->id, "LK008");
        ck_assert_uint_ne(f.diags.items[i].related.file, LK_SPAN_NONE_FILE);
    }
    /* Each repeat points back at the first occurrence. */
    lk_diags_sort(&f.diags);
    ck_assert_uint_eq(f.diags.items[0].span.line, 3);
    ck_assert_uint_eq(f.diags.items[0].related.line, 1);
    ck_assert_uint_eq(f.diags.items[2].span.line, 5);
    ck_assert_uint_eq(f.diags.items[2].related.line, 1);
    s_fini(&f);
}
END_TEST

START_TEST(test_depth_limit)
{
    struct s_fixture f;
    char *deep = lk_xmalloc(20001);
    for (int i = 0; i < 10000; i++) {
        deep[i] = '[';
        deep[19999 - i] = ']';
    }
    deep[20000] = '\0';
    ck_assert_ptr_null(s_read(&f, deep));
    ck_assert_str_eq(f.diags.items[0].rule->id, "LK005");
    ck_assert_uint_eq(f.diags.items[0].span.col, LK_YAML_MAX_DEPTH + 1);
    s_fini(&f);
    free(deep);
    /* Exactly at the limit is fine. */
    char ok[2 * LK_YAML_MAX_DEPTH + 1];
    for (int i = 0; i < LK_YAML_MAX_DEPTH; i++) {
        ok[i] = '[';
        ok[2 * LK_YAML_MAX_DEPTH - 1 - i] = ']';
    }
    ok[2 * LK_YAML_MAX_DEPTH] = '\0';
    ck_assert_ptr_nonnull(s_read(&f, ok));
    s_fini(&f);
}
END_TEST

START_TEST(test_aliases)
{
    struct s_fixture f;
    /* Legitimate reuse is fine and shares the node. */
    struct lk_ynode *root = s_read(&f, "a: &x [1, 2]\nb: *x\n");
    ck_assert_ptr_nonnull(root);
    ck_assert_ptr_eq(root->values[0], root->values[1]);
    s_fini(&f);
    /* Billion laughs: stopped by the expansion bound long before it expands. */
    const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                       "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n";
    ck_assert_ptr_null(s_read(&f, bomb));
    ck_assert_str_eq(f.diags.items[0].rule->id, "LK006");
    s_fini(&f);
    /* An alias inside its own anchor (recursion) and an undefined alias. */
    ck_assert_ptr_null(s_read(&f, "a: &r [1, *r]\n"));
    ck_assert_str_eq(f.diags.items[0].rule->id, "LK006");
    s_fini(&f);
    ck_assert_ptr_null(s_read(&f, "a: *nowhere\n"));
    ck_assert_str_eq(f.diags.items[0].rule->id, "LK006");
    s_fini(&f);
}
END_TEST

START_TEST(test_syntax_errors)
{
    struct s_fixture f;
    ck_assert_ptr_null(s_read(&f, "a:\n\tb: 1\n"));
    ck_assert_str_eq(f.diags.items[0].rule->id, "LK001");
    ck_assert_uint_eq(f.diags.items[0].span.line, 2);
    ck_assert_ptr_nonnull(f.diags.items[0].help);
    ck_assert_ptr_nonnull(strstr(f.diags.items[0].help, "tabs"));
    s_fini(&f);
    ck_assert_ptr_null(s_read(&f, "a: [1, 2\n"));
    ck_assert_str_eq(f.diags.items[0].rule->id, "LK001");
    s_fini(&f);
    ck_assert_ptr_null(s_read(&f, "a: 1\n---\nb: 2\n"));
    ck_assert_str_eq(f.diags.items[0].rule->id, "LK018");
    ck_assert_uint_eq(f.diags.items[0].span.line, 2);
    s_fini(&f);
    ck_assert_ptr_null(s_read(&f, "? [a]\n: 1\n"));
    ck_assert_str_eq(f.diags.items[0].rule->id, "LK010");
    s_fini(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("yaml");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_tree_and_spans);
    tcase_add_test(tc, test_core_schema);
    tcase_add_test(tc, test_bad_tags);
    tcase_add_test(tc, test_duplicate_keys);
    tcase_add_test(tc, test_depth_limit);
    tcase_add_test(tc, test_aliases);
    tcase_add_test(tc, test_syntax_errors);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
