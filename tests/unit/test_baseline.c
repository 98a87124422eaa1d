/*
 * Unit tests: baseline files (compiler/baseline.c) and how a policy is held to them
 * (compiler/check_baselines.c). The diagnostic cases (tests/cases/15x) and tests/baselines
 * check the exact output; these check the reader's rules and the built-in data.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lk_test.h"

#include "compiler/baseline.h"
#include "compiler/embedded.h"

/* Reads @p text as a baseline file named @p name; @p n_errors receives the LK509 count. */
static struct lk_baseline *s_read(const char *text, const char *name, struct lk_policy *p,
                                  size_t *n_errors)
{
    uint32_t id;
    ck_assert_int_eq(
        lk_sources_add_buffer(&p->sources, "acme.yaml", text, strlen(text), &p->diags, &id), 0);
    struct lk_baseline *b =
        lk_baseline_read(&p->sources, id, name, "acme.yaml", &p->arena, &p->diags);
    *n_errors = 0;
    for (size_t i = 0; i < p->diags.n; i++)
        if (!strcmp(p->diags.items[i].rule->id, "LK509"))
            (*n_errors)++;
    return b;
}

static bool s_has_message(struct lk_policy *p, const char *needle)
{
    for (size_t i = 0; i < p->diags.n; i++)
        if (strstr(p->diags.items[i].message, needle))
            return true;
    return false;
}

static const char s_valid[] = "logkeep_baseline: 1\n"
                              "name: acme\n"
                              "title: Acme logging standard\n"
                              "summary: Acme 4.2, two years\n"
                              "status: current\n"
                              "sources: [\"Acme standard v3, 4.2\"]\n"
                              "requirements:\n"
                              "  - id: \"4.2\"\n"
                              "    text: Security logs are kept two years.\n"
                              "    applies_to: [cloudtrail, vpc-flow-logs]\n"
                              "    min_retention: 2y\n"
                              "    trail: { kms: true, read_write: All }\n"
                              "    store: { versioning: true }\n"
                              "    require_source_types: [cloudtrail]\n";

/* Every built-in baseline reads without a diagnostic, under its own name, cites a source and
 * has requirements; the table is in name order (lk_baseline_builtin_names() relies on it). */
START_TEST(test_builtins_are_valid)
{
    size_t n;
    const char *const *names = lk_baseline_builtin_names(&n);
    ck_assert_uint_eq(n, lk_builtin_baselines_count);
    ck_assert_uint_ge(n, 9);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            ck_assert_msg(strcmp(names[i - 1], names[i]) < 0, "%s before %s", names[i - 1],
                          names[i]);
        struct lk_policy *p = lk_policy_new();
        struct lk_baseline *b =
            lk_baseline_load_builtin(names[i], &p->sources, &p->arena, &p->diags);
        ck_assert_msg(b != NULL && p->diags.n == 0, "built-in %s: %zu diagnostics, first: %s",
                      names[i], p->diags.n, p->diags.n ? p->diags.items[0].message : "");
        ck_assert_str_eq(b->name, names[i]);
        ck_assert_uint_gt(b->n_sources, 0);
        ck_assert_uint_gt(b->n_reqs, 0);
        ck_assert_str_eq(b->origin, "built-in");
        /* Each says how its figures were checked, and when; a rescinded one says when it was
         * rescinded. */
        ck_assert_msg(b->verification != NULL, "built-in %s: no verification", names[i]);
        ck_assert_msg(!strcmp(b->verification, "unverified") || b->verified_on != NULL,
                      "built-in %s: no verified_on", names[i]);
        ck_assert_msg(!b->rescinded || b->rescinded_on != NULL, "built-in %s: no rescinded_on",
                      names[i]);
        lk_policy_free(p);
    }
    struct lk_policy *p = lk_policy_new();
    ck_assert_ptr_null(lk_baseline_load_builtin("pci-dss-3.2", &p->sources, &p->arena, &p->diags));
    ck_assert_uint_eq(p->diags.n, 0);
    lk_policy_free(p);
}
END_TEST

START_TEST(test_entry_is_path)
{
    ck_assert(lk_baseline_entry_is_path(lk_str_c("baselines/acme.yaml")));
    ck_assert(lk_baseline_entry_is_path(lk_str_c("acme.yaml")));
    ck_assert(!lk_baseline_entry_is_path(lk_str_c(".yaml")));
    ck_assert(!lk_baseline_entry_is_path(lk_str_c("pci-dss-4.0")));
    ck_assert(!lk_baseline_entry_is_path(lk_str_c("acme.yml")));
}
END_TEST

START_TEST(test_read_valid)
{
    struct lk_policy *p = lk_policy_new();
    size_t errors;
    struct lk_baseline *b = s_read(s_valid, "acme", p, &errors);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(p->diags.n, 0);
    ck_assert_uint_eq(b->n_reqs, 1);
    const struct lk_baseline_req *r = &b->reqs[0];
    ck_assert_str_eq(r->id, "4.2");
    ck_assert_int_eq(r->scope, LK_BASELINE_TYPES);
    ck_assert_uint_eq(r->types, (1u << LK_SRC_CLOUDTRAIL) | (1u << LK_SRC_VPC_FLOW_LOGS));
    ck_assert(r->min_retention.set);
    ck_assert_int_eq(r->min_retention.days, 731); /* 2y as AWS counts it */
    ck_assert(!r->max_retention.set);
    ck_assert_int_eq(r->trail.kms, LK_WANT_ON);
    ck_assert_int_eq(r->trail.multi_region, LK_WANT_ANY);
    ck_assert_str_eq(r->trail.read_write, "All");
    ck_assert_int_eq(r->store.versioning, LK_WANT_ON);
    ck_assert_uint_eq(r->require_types, 1u << LK_SRC_CLOUDTRAIL);
    ck_assert_ptr_null(b->verification);
    lk_policy_free(p);

    /* The verification and the dates, as written. */
    static const char dated[] = "logkeep_baseline: 1\n"
                                "name: acme\n"
                                "title: Acme logging standard\n"
                                "summary: Acme 4.2, two years\n"
                                "status: rescinded\n"
                                "rescinded_on: 2026-05-22\n"
                                "superseded_by: acme-2\n"
                                "verification: secondary\n"
                                "verified_on: \"2026-12-06\"\n"
                                "sources: [\"Acme standard v3, 4.2\"]\n"
                                "requirements:\n"
                                "  - { id: \"4.2\", text: Two years., min_retention: 2y }\n";
    p = lk_policy_new();
    b = s_read(dated, "acme", p, &errors);
    ck_assert_msg(b != NULL, "first: %s", p->diags.n ? p->diags.items[0].message : "");
    ck_assert_str_eq(b->rescinded_on, "2026-05-22");
    ck_assert_str_eq(b->verification, "secondary");
    ck_assert_str_eq(b->verified_on, "2026-12-06");
    lk_policy_free(p);
}
END_TEST

/* Each mistake is an LK509 that says what is wrong, and the file is refused. */
START_TEST(test_read_errors)
{
    static const struct {
        const char *from, *to, *message;
    } edits[] = {
        {"logkeep_baseline: 1\n", "logkeep_baseline: 2\n", "must be the integer 1"},
        {"logkeep_baseline: 1\n", "", "missing \"logkeep_baseline: 1\""},
        {"name: acme\n", "name: Acme Corp\n", "may hold only lowercase"},
        {"name: acme\n", "name: other\n", "declares \"other\" but is named \"acme\""},
        {"summary: Acme 4.2, two years\n", "", "missing \"summary\""},
        {"status: current\n", "status: draft\n", "must be current or rescinded"},
        {"status: current\n", "status: rescinded\n", "names its successor"},
        {"status: current\n", "status: current\nrescinded_on: \"2026-05-22\"\n",
         "\"rescinded_on\" goes with status: rescinded"},
        {"status: current\n", "status: current\nverification: checked\n",
         "must be verified, secondary or unverified"},
        {"status: current\n", "status: current\nverification: secondary\n",
         "needs \"verified_on\""},
        {"status: current\n", "status: current\nverification: verified\nverified_on: 2026-13-01\n",
         "must be a date written YYYY-MM-DD"},
        {"status: current\n", "status: current\nverified_on: \"2026-12-06\"\n",
         "\"verified_on\" goes with verification"},
        {"sources: [\"Acme standard v3, 4.2\"]\n", "", "missing \"sources\""},
        {"    min_retention: 2y\n", "    min_retention: 2 years\n", "must be a duration"},
        {"    min_retention: 2y\n", "    min_retention: 2y\n    max_retention: 1y\n",
         "min_retention 2y is longer than max_retention 1y"},
        {"[cloudtrail, vpc-flow-logs]", "[cloudtrail, vpc-flowlogs]", "unknown source type"},
        {"    applies_to: [cloudtrail, vpc-flow-logs]\n", "    applies_to: some\n",
         "must be all, personal_data"},
        {"kms: true, ", "kms: yes, ", "must be true or false"},
        {"read_write: All", "read_write: Everything", "must be All, ReadOnly or WriteOnly"},
        {"    store: { versioning: true }\n", "    store: { versioned: true }\n",
         "unknown key \"versioned\""},
        {"  - id: \"4.2\"\n", "  - ident: \"4.2\"\n", "needs an \"id\""},
        {"    text: Security logs are kept two years.\n", "    interpretation: true\n",
         "needs a \"text\""},
        {"    text: Security logs are kept two years.\n",
         "    text: Security logs are kept two years.\n    interpretation: true\n",
         "need an \"interpretation\""},
        {"    min_retention: 2y\n    trail: { kms: true, read_write: All }\n    store: { "
         "versioning: true }\n    require_source_types: [cloudtrail]\n",
         "", "at least one check"},
    };
    for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
        const char *at = strstr(s_valid, edits[i].from);
        ck_assert_msg(at != NULL, "edit %zu: \"%s\" not in the valid file", i, edits[i].from);
        size_t head = (size_t)(at - s_valid);
        char text[2048];
        snprintf(text, sizeof(text), "%.*s%s%s", (int)head, s_valid, edits[i].to,
                 at + strlen(edits[i].from));
        struct lk_policy *p = lk_policy_new();
        size_t errors;
        struct lk_baseline *b = s_read(text, "acme", p, &errors);
        ck_assert_msg(b == NULL && errors > 0, "edit %zu (%s): accepted", i, edits[i].message);
        ck_assert_msg(s_has_message(p, edits[i].message), "edit %zu: no \"%s\"; first: %s", i,
                      edits[i].message, p->diags.n ? p->diags.items[0].message : "(none)");
        lk_policy_free(p);
    }
}
END_TEST

static const char s_policy[] = "logkeep: 1\n"
                               "account: \"111122223333\"\n"
                               "region: us-east-1\n"
                               "baselines: [BASELINES]\n"
                               "roles:\n"
                               "  admins: { principals: [arn:aws:iam::111122223333:role/A], "
                               "access: admin }\n"
                               "  readers: { principals: [arn:aws:iam::111122223333:role/R], "
                               "access: read }\n"
                               "stores:\n"
                               "  archive: { bucket: example-logs-bucket, readers: [readers], "
                               "admins: [admins] }\n"
                               "sources:\n"
                               "  flow:\n"
                               "    type: vpc-flow-logs\n"
                               "    purpose: network forensics for incident response\n"
                               "    retention: { available: AVAIL, delete_after: DELETE }\n"
                               "    store: archive\n"
                               "    prefix: vpcflow/\n"
                               "PERSONAL";

static struct lk_policy *s_policy_with(const char *baselines, const char *avail, const char *del,
                                       bool personal)
{
    char text[2048];
    const char *parts[][2] = {{"BASELINES", baselines},
                              {"AVAIL", avail},
                              {"DELETE", del},
                              {"PERSONAL", personal ? "    personal_data: true\n" : ""}};
    snprintf(text, sizeof(text), "%s", s_policy);
    for (size_t i = 0; i < 4; i++) {
        char *at = strstr(text, parts[i][0]);
        ck_assert_ptr_nonnull(at);
        char rest[2048];
        snprintf(rest, sizeof(rest), "%s", at + strlen(parts[i][0]));
        snprintf(at, sizeof(text) - (size_t)(at - text), "%s%s", parts[i][1], rest);
    }
    return lk_test_policy(text);
}

/* A policy is held to a baseline's requirements; scope filters sources; a name listed twice
 * (several files' baselines add up) is checked once. */
START_TEST(test_policy_checks)
{
    static const struct {
        const char *baselines, *available, *delete_after;
        bool personal;
        const char *rule; /* NULL: no errors at all */
        size_t count;
    } rows[] = {
        /* 12 and three months must hold across February 29: 366 and 92 days. */
        {"pci-dss-4.0", "92d", "366d", false, NULL, 0},
        {"pci-dss-4.0", "92d", "1y", false, "LK502", 1},
        {"pci-dss-4.0", "90d", "366d", false, "LK503", 1},
        {"pci-dss-4.0", "89d", "364d", false, "LK502", 1},
        {"pci-dss-4.0", "89d", "364d", false, "LK503", 1},
        /* gdpr applies to personal data only. */
        {"gdpr", "90d", "2y", false, "LK504", 0},
        {"gdpr", "90d", "2y", true, "LK504", 1},
        /* The versioned store keeps a noncurrent version as long again: 182 + 182 = 364 days
         * are within one year, 1y + 1y are not. */
        {"gdpr", "90d", "182d", true, "LK504", 0},
        {"gdpr", "90d", "1y", true, "LK504", 1},
        /* Listed twice: checked once. */
        {"hipaa, hipaa", "90d", "1y", false, "LK502", 1},
        /* A missing required source type is reported at the baselines entry. */
        {"cis-aws-foundations-3.0", "90d", "1y", false, "LK508", 1},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct lk_policy *p = s_policy_with(rows[i].baselines, rows[i].available,
                                            rows[i].delete_after, rows[i].personal);
        size_t got = rows[i].rule ? lk_test_count(p, rows[i].rule) : p->diags.n_errors;
        ck_assert_msg(got == rows[i].count, "row %zu (%s): %zu findings, expected %zu", i,
                      rows[i].baselines, got, rows[i].count);
        lk_policy_free(p);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("baseline");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_builtins_are_valid);
    tcase_add_test(tc, test_entry_is_path);
    tcase_add_test(tc, test_read_valid);
    tcase_add_test(tc, test_read_errors);
    tcase_add_test(tc, test_policy_checks);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
