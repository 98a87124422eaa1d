/*
 * Unit tests: the rule catalogue, suggestions and the four renderings.
 */
#include "lk_test.h"

#include <cjson/cJSON.h>
#include <stdio.h>

START_TEST(test_catalogue)
{
    size_t n;
    const struct lk_rule *r = lk_rules_all(&n);
    ck_assert_uint_ge(n, 50);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(strlen(r[i].id), 5);
        ck_assert(!strncmp(r[i].id, "LK", 2));
        for (int k = 2; k < 5; k++)
            ck_assert(r[i].id[k] >= '0' && r[i].id[k] <= '9');
        if (i > 0)
            ck_assert_msg(strcmp(r[i - 1].id, r[i].id) < 0, "%s not after %s", r[i].id,
                          r[i - 1].id);
        ck_assert_uint_ge(strlen(r[i].name), 3);
        ck_assert_uint_gt(strlen(r[i].summary), 10);
        ck_assert_uint_gt(strlen(r[i].explain), 60);
        ck_assert_uint_gt(strlen(r[i].source), 4);
        ck_assert_ptr_eq(lk_rule_find(r[i].id), &r[i]);
        for (size_t k = 0; k < i; k++)
            ck_assert_str_ne(r[k].name, r[i].name);
    }
    ck_assert_ptr_null(lk_rule_find("LK999"));
    ck_assert_ptr_null(lk_rule_find(""));
}
END_TEST

START_TEST(test_suggest)
{
    static const char *const keys[] = {"retention", "purpose", "store", "prefix", "type"};
    ck_assert_str_eq(lk_suggest(lk_str_c("retension"), keys, 5), "retention");
    ck_assert_str_eq(lk_suggest(lk_str_c("prupose"), keys, 5), "purpose"); /* transposition */
    ck_assert_str_eq(lk_suggest(lk_str_c("Store"), keys, 5), "store");
    ck_assert_str_eq(lk_suggest(lk_str_c("typ"), keys, 5), "type");
    ck_assert_ptr_null(lk_suggest(lk_str_c("zzzzzz"), keys, 5));
    ck_assert_ptr_null(lk_suggest(lk_str_c(""), keys, 0));
}
END_TEST

/* Renders a policy's diagnostics to a string. */
static char *s_render(struct lk_policy *p, enum lk_diag_format fmt)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    struct lk_render_opts ro = {fmt, false, "0.0-test", "https://docs.example.test/logkeep/docs"};
    lk_diags_render(&p->diags, &p->sources, &ro, out);
    fclose(out);
    return buf;
}

static const char *s_bad_policy = LK_TEST_HEADER "sources:\n"
                                                 "  x:\n"
                                                 "    type: cloudtrial\n";

START_TEST(test_text_caret)
{
    struct lk_policy *p = lk_test_policy(s_bad_policy);
    char *text = s_render(p, LK_DIAG_TEXT);
    const char *want = "test.yaml:6:11: error[LK016]: unknown source type \"cloudtrial\"\n"
                       " 6 |     type: cloudtrial\n"
                       "   |           ^~~~~~~~~~\n"
                       "  = help: did you mean \"cloudtrail\"?\n";
    ck_assert_msg(strstr(text, want) != NULL, "got:\n%s", text);
    free(text);
    lk_policy_free(p);
}
END_TEST

START_TEST(test_json_and_sarif)
{
    struct lk_policy *p = lk_test_policy(s_bad_policy);
    char *json = s_render(p, LK_DIAG_JSON);
    cJSON *root = cJSON_Parse(json);
    ck_assert_ptr_nonnull(root);
    cJSON *diags = cJSON_GetObjectItem(root, "diagnostics");
    ck_assert_int_eq(cJSON_GetArraySize(diags), (int)p->diags.n);
    cJSON *first = cJSON_GetArrayItem(diags, 0);
    ck_assert_str_eq(cJSON_GetObjectItem(first, "rule")->valuestring, p->diags.items[0].rule->id);
    cJSON *loc = cJSON_GetObjectItem(first, "location");
    ck_assert_str_eq(cJSON_GetObjectItem(loc, "file")->valuestring, "test.yaml");
    ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "summary"), "errors")->valueint,
                     (int)p->diags.n_errors);
    cJSON_Delete(root);
    free(json);

    char *sarif = s_render(p, LK_DIAG_SARIF);
    root = cJSON_Parse(sarif);
    ck_assert_ptr_nonnull(root);
    ck_assert_str_eq(cJSON_GetObjectItem(root, "version")->valuestring, "2.1.0");
    cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "runs"), 0);
    cJSON *rules = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(run, "tool"),
                                                           "driver"),
                                       "rules");
    size_t n_rules;
    lk_rules_all(&n_rules);
    ck_assert_int_eq(cJSON_GetArraySize(rules), (int)n_rules);
    cJSON *results = cJSON_GetObjectItem(run, "results");
    ck_assert_int_eq(cJSON_GetArraySize(results), (int)p->diags.n);
    /* ruleIndex must point at the rule with the same id (code scanning relies on it). */
    for (int i = 0; i < cJSON_GetArraySize(results); i++) {
        cJSON *res = cJSON_GetArrayItem(results, i);
        int idx = cJSON_GetObjectItem(res, "ruleIndex")->valueint;
        ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(rules, idx), "id")->valuestring,
                         cJSON_GetObjectItem(res, "ruleId")->valuestring);
        cJSON *region = cJSON_GetObjectItem(
            cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(res, "locations"), 0),
                                "physicalLocation"),
            "region");
        ck_assert_int_ge(cJSON_GetObjectItem(region, "startLine")->valueint, 1);
    }
    cJSON_Delete(root);
    free(sarif);
    lk_policy_free(p);
}
END_TEST

START_TEST(test_github)
{
    struct lk_policy *p = lk_test_policy(s_bad_policy);
    char *gh = s_render(p, LK_DIAG_GITHUB);
    ck_assert_ptr_nonnull(strstr(gh, "::error file=test.yaml,line=6,col=11,endColumn=21,"
                                     "title=LK016 invalid-value::unknown source type"));
    free(gh);
    lk_policy_free(p);
    /* Newlines and percent signs in data are escaped; ':' and ',' in properties too. */
    p = lk_policy_new();
    lk_policy_load_buffer(p, "a,b:c.yaml", "x: 1\n", 5);
    lk_policy_check(p);
    gh = s_render(p, LK_DIAG_GITHUB);
    ck_assert_ptr_nonnull(strstr(gh, "file=a%2Cb%3Ac.yaml,"));
    free(gh);
    lk_policy_free(p);
}
END_TEST

START_TEST(test_promote_and_counts)
{
    struct lk_policy *p = lk_test_policy(LK_TEST_HEADER "retention:\n  unused: { delete_after: 1y }\n");
    ck_assert_uint_eq(p->diags.n_errors, 0);
    ck_assert_uint_eq(p->diags.n_warnings, 1);
    lk_diags_promote_warnings(&p->diags);
    ck_assert_uint_eq(p->diags.n_errors, 1);
    ck_assert_uint_eq(p->diags.n_warnings, 0);
    ck_assert_int_eq(p->diags.items[0].severity, LK_SEV_ERROR);
    lk_policy_free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("diag");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_catalogue);
    tcase_add_test(tc, test_suggest);
    tcase_add_test(tc, test_text_caret);
    tcase_add_test(tc, test_json_and_sarif);
    tcase_add_test(tc, test_github);
    tcase_add_test(tc, test_promote_and_counts);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
