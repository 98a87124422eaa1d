/*
 * Unit tests: drift and plan reports (runtime/report.c).
 *
 * The diff is that of the quickstart example, lowered, against a live copy with three changes:
 * the CloudTrail log group keeps its logs for less time (weaker), the bucket is missing, and
 * the payments pattern matches a group that keeps logs longer (stronger); the unmanaged rule
 * adds a group that breaks it and a note for a never-expiring group in another region; a
 * trail outside the policy writes to a bucket without lifecycle (an unmanaged store). A
 * second, hand-built diff carries names that every format must escape.
 */
#include "lk_test.h"

#include <cjson/cJSON.h>
#include <expat.h>
#include <stdio.h>

#include "common/escape.h"
#include "runtime/diff/diff.h"
#include "compiler/lower.h"
#include "runtime/report.h"

#define TRAIL_GROUP "/aws/cloudtrail/org-trail"

static struct lk_ir_state *g_desired;
static struct lk_ir_state *g_live;
static struct lk_diff g_diff;

/* The policy file the desired state is lowered from, as the context names it: results with an
 * origin (in that file) and without one (the first policy path) name the same artifact. */
static char g_path[4096 + sizeof("/policy.yaml")];
static const char *g_paths[1];
static struct lk_report_context g_ctx;

/* ------------------------------------------------------------------------------ fixtures */

/* The live copy: the bucket missing, the trail there, the trail's log group at 30 days, the
 * payments pattern expanded into one group kept for 731 days. */
static struct lk_ir_state *s_live(void)
{
    struct lk_ir_state *live = lk_test_lower_quickstart();
    for (size_t i = 0; i < live->n_buckets; i++) {
        struct lk_ir_bucket *b = &live->buckets[i];
        struct lk_ir_bucket gone;
        memset(&gone, 0, sizeof(gone));
        gone.name = b->name;
        gone.region = b->region;
        *b = gone;
    }
    for (size_t i = 0; i < live->n_trails; i++) {
        live->trails[i].exists = true;
        live->trails[i].is_logging = true;
        live->trails[i].source = NULL;
    }
    bool trail_group = false;
    for (size_t i = 0; i < live->n_log_groups; i++) {
        struct lk_ir_log_group *g = &live->log_groups[i];
        g->exists = true;
        g->source = NULL;
        g->wanted_days = 0;
        if (!strcmp(g->name, TRAIL_GROUP)) {
            g->retention_days = 30;
            trail_group = true;
        }
        if (g->pattern) {
            const char *star = strchr(g->name, '*');
            g->name = lk_ir_printf(live, "%.*sapi", (int)(star - g->name), g->name);
            g->pattern = false;
            g->retention_days = 731;
        }
    }
    ck_assert_msg(trail_group, "the quickstart has no %s", TRAIL_GROUP);
    live->unmanaged_set = false;
    lk_ir_canonicalize(live);
    return live;
}

static void s_setup(void)
{
    snprintf(g_path, sizeof(g_path), "%s/policy.yaml", lk_test_quickstart_dir());
    g_paths[0] = g_path;
    lk_diff_init(&g_diff);
    g_desired = lk_test_lower_quickstart();
    g_live = s_live();
    ck_assert_int_eq(lk_diff_states(g_desired, g_live, &g_diff), LK_STATUS_OK);

    /* Every live log group, as a discovering read lists them: two nobody governs. */
    struct lk_ir_log_group extra[2];
    memset(extra, 0, sizeof(extra));
    extra[0].name = lk_ir_strdup(g_live, "/legacy/batch");
    extra[0].region = lk_ir_strdup(g_live, g_desired->region);
    extra[0].retention_days = 7;
    extra[0].exists = true;
    extra[1].name = lk_ir_strdup(g_live, "/other/region");
    extra[1].region = lk_ir_strdup(g_live, "eu-west-1");
    extra[1].retention_days = 0;
    extra[1].exists = true;
    ck_assert_int_eq(lk_diff_log_groups_unmanaged(g_desired, extra, 2, &g_diff), LK_STATUS_OK);

    /* A bucket outside the policy that a trail writes to, without lifecycle. */
    struct lk_ir_delivery from = {lk_ir_strdup(g_live, "cloudtrail"),
                                  lk_ir_strdup(g_live, "legacy-trail"),
                                  lk_ir_strdup(g_live, "us-east-1"), NULL};
    struct lk_ir_unmanaged_store store;
    memset(&store, 0, sizeof(store));
    store.bucket = lk_ir_strdup(g_live, "legacy-trail-logs");
    store.region = lk_ir_strdup(g_live, "us-east-1");
    store.exists = true;
    store.deliveries = &from;
    store.n_deliveries = 1;
    ck_assert_int_eq(lk_diff_stores_unmanaged(g_desired, &store, 1, &g_diff), LK_STATUS_OK);

    memset(&g_ctx, 0, sizeof(g_ctx));
    g_ctx.account = "111122223333";
    g_ctx.region = "us-east-1";
    g_ctx.policy_paths = g_paths;
    g_ctx.n_policy_paths = 1;
    g_ctx.resources_read = 5;
    g_ctx.unmanaged_log_groups = 2;
    g_ctx.unmanaged_stores = 1;
    g_ctx.generated_at = "2025-01-02T03:04:05Z";
    g_ctx.tool_version = "0.1.0";
    g_ctx.desired = g_desired;
}

static void s_teardown(void)
{
    lk_diff_free(&g_diff);
    lk_ir_state_free(g_desired);
    lk_ir_state_free(g_live);
}

/* Renders into a heap string (free()). */
static char *s_render(const struct lk_diff *d, const struct lk_report_context *ctx,
                      enum lk_report_format fmt)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    int rc = lk_report_render(d, ctx, fmt, f);
    fclose(f);
    ck_assert_int_eq(rc, LK_STATUS_OK);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(strlen(text), len);
    return text;
}

static size_t s_count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static const struct lk_diff_change *s_find(enum lk_diff_resource r, const char *name,
                                           const char *attr)
{
    return lk_diff_find(&g_diff, r, name, attr);
}

/* The changes the fixture is built to produce. */
START_TEST(test_fixture)
{
    const struct lk_diff_change *ch = s_find(LK_DIFF_LOG_GROUP, TRAIL_GROUP, "retention_days");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->direction, LK_DIFF_WEAKER);
    ch = s_find(LK_DIFF_BUCKET, g_desired->buckets[0].name, "");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_MISSING);
    ch = s_find(LK_DIFF_LOG_GROUP, "/app/payments/api", "retention_days");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->direction, LK_DIFF_STRONGER);
    struct lk_diff_summary sum;
    lk_diff_summarize(&g_diff, &sum);
    ck_assert_uint_ge(sum.notes, 1);
    ck_assert_uint_ge(sum.weaker, 2);
}
END_TEST

/* ------------------------------------------------------------------------------ formats */

START_TEST(test_text_delegates)
{
    char *text = s_render(&g_diff, &g_ctx, LK_REPORT_TEXT);
    char *direct = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&direct, &len);
    ck_assert_int_eq(lk_diff_render_text(&g_diff, f, false), LK_STATUS_OK);
    fclose(f);
    ck_assert_str_eq(text, direct);
    free(text);
    free(direct);
}
END_TEST

START_TEST(test_json)
{
    char *text = s_render(&g_diff, &g_ctx, LK_REPORT_JSON);
    cJSON *root = cJSON_Parse(text);
    ck_assert_ptr_nonnull(root);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "changes")), (int)g_diff.n);
    ck_assert_ptr_nonnull(cJSON_GetObjectItem(root, "summary"));
    cJSON *ctx = cJSON_GetObjectItem(root, "context");
    ck_assert_str_eq(cJSON_GetObjectItem(ctx, "account")->valuestring, "111122223333");
    ck_assert_str_eq(cJSON_GetObjectItem(ctx, "generated_at")->valuestring, "2025-01-02T03:04:05Z");
    ck_assert_int_eq(cJSON_GetObjectItem(ctx, "resources_read")->valueint, 5);
    ck_assert_int_eq(cJSON_GetObjectItem(ctx, "unmanaged_log_groups")->valueint, 2);
    ck_assert_int_eq(cJSON_GetObjectItem(ctx, "unmanaged_stores")->valueint, 1);
    ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(ctx, "policy_paths"), 0)->valuestring,
                     g_paths[0]);
    cJSON_Delete(root);
    free(text);

    /* Without a context, every member is null or zero. */
    text = s_render(&g_diff, NULL, LK_REPORT_JSON);
    root = cJSON_Parse(text);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "context"), "account")));
    cJSON_Delete(root);
    free(text);
}
END_TEST

START_TEST(test_markdown)
{
    struct lk_diff_summary sum;
    lk_diff_summarize(&g_diff, &sum);
    size_t drift = sum.to_add + sum.to_change + sum.to_remove;
    char *md = s_render(&g_diff, &g_ctx, LK_REPORT_MARKDOWN);
    char title[128];
    snprintf(title, sizeof(title), "## logkeep drift: %zu differences (%zu weaker than policy)\n",
             drift, sum.weaker);
    ck_assert_msg(strncmp(md, title, strlen(title)) == 0, "%s", md);
    /* One table per resource kind present, one row per drift change. */
    /* The trail is in sync: no table of trails. */
    ck_assert_uint_eq(s_count(md, "| Resource | Attribute | Change | Live | Policy | Direction |"),
                      4);
    ck_assert_ptr_null(strstr(md, "### Trails"));
    ck_assert_ptr_nonnull(strstr(md, "### Buckets\n"));
    ck_assert_ptr_nonnull(strstr(md, "### Log groups\n"));
    ck_assert_ptr_nonnull(strstr(md, "### Unmanaged log groups\n"));
    ck_assert_ptr_nonnull(strstr(md, "### Unmanaged stores\n"));
    ck_assert_ptr_nonnull(strstr(md, "| legacy-trail-logs (us-east-1) | lifecycle | remove: no "
                                     "store names it; it receives the logs of trail "
                                     "legacy-trail (us-east-1)"));
    size_t rows = 0;
    for (const char *p = md; (p = strstr(p, "\n| ")); p++)
        rows++;
    ck_assert_uint_eq(rows, drift + 4); /* and the header row of each table */
    ck_assert_uint_eq(s_count(md, "| **weaker** "), sum.weaker);
    ck_assert_ptr_nonnull(strstr(
        md, "| **weaker** /aws/cloudtrail/org-trail (us-east-1) | retention\\_days | change"));
    ck_assert_ptr_nonnull(strstr(md, " | change | 30 days | 120 days | weaker |\n"));
    ck_assert_ptr_nonnull(strstr(md, " | stronger |\n"));
    ck_assert_ptr_nonnull(strstr(md, "| (resource) | add | *absent* | "));
    ck_assert_ptr_nonnull(strstr(md, "<details>\n<summary>"));
    ck_assert_ptr_nonnull(strstr(md, "/other/region (eu-west-1)"));
    ck_assert_ptr_nonnull(strstr(md, "\n</details>\n"));
    ck_assert_ptr_nonnull(strstr(md, "Account 111122223333, region us-east-1, 5 resources read, "
                                     "2 unmanaged log groups, 1 unmanaged store, policy "));
    free(md);

    /* An empty diff is in sync, without tables. */
    struct lk_diff empty;
    lk_diff_init(&empty);
    md = s_render(&empty, NULL, LK_REPORT_MARKDOWN);
    ck_assert_str_eq(md, "## logkeep drift: in sync\n\n");
    free(md);
    lk_diff_free(&empty);
}
END_TEST

/* ------------------------------------------------------------------------------ JUnit */

struct s_xml_counts {
    size_t testsuites, testsuite, testcase, failure, skipped, system_out;
    char last_name[256];
    char names[16][256];
    size_t n_names;
};

static void XMLCALL s_xml_start(void *data, const XML_Char *el, const XML_Char **attr)
{
    struct s_xml_counts *c = data;
    if (!strcmp(el, "testsuites"))
        c->testsuites++;
    else if (!strcmp(el, "testsuite"))
        c->testsuite++;
    else if (!strcmp(el, "testcase"))
        c->testcase++;
    else if (!strcmp(el, "failure"))
        c->failure++;
    else if (!strcmp(el, "skipped"))
        c->skipped++;
    else if (!strcmp(el, "system-out"))
        c->system_out++;
    for (size_t i = 0; attr[i]; i += 2) {
        if (!strcmp(attr[i], "name") && c->n_names < 16)
            snprintf(c->names[c->n_names++], sizeof(c->names[0]), "%s", attr[i + 1]);
    }
}

static void XMLCALL s_xml_end(void *data, const XML_Char *el)
{
    (void)data;
    (void)el;
}

/* Parses @p text with expat; fails the test when it is not well-formed. */
static struct s_xml_counts s_parse_xml(const char *text)
{
    struct s_xml_counts c;
    memset(&c, 0, sizeof(c));
    XML_Parser p = XML_ParserCreate("UTF-8");
    ck_assert_ptr_nonnull(p);
    XML_SetUserData(p, &c);
    XML_SetElementHandler(p, s_xml_start, s_xml_end);
    enum XML_Status st = XML_Parse(p, text, (int)strlen(text), 1);
    ck_assert_msg(st == XML_STATUS_OK, "not well-formed: %s at line %lu:\n%s",
                  XML_ErrorString(XML_GetErrorCode(p)), (unsigned long)XML_GetCurrentLineNumber(p),
                  text);
    XML_ParserFree(p);
    return c;
}

START_TEST(test_junit)
{
    char *xml = s_render(&g_diff, &g_ctx, LK_REPORT_JUNIT);
    struct s_xml_counts c = s_parse_xml(xml);
    ck_assert_uint_eq(c.testsuites, 1);
    ck_assert_uint_eq(c.testsuite, 1);
    ck_assert_uint_eq(c.skipped, 0);
    /* Testcases: the bucket, the trail, the store's KMS key, the exact log group, the pattern
     * (in sync: its match is a resource of its own), the matched group, the two unmanaged groups
     * and the unmanaged store. */
    size_t expected_cases = g_desired->n_buckets + g_desired->n_trails + g_desired->n_keys +
                            g_desired->n_log_groups + 1 /* /app/payments/api */ + 2 + 1;
    ck_assert_uint_eq(c.testcase, expected_cases);
    /* Failures: the missing bucket, the weaker trail group and the unmanaged group at 7 days
     * (weaker than the one-year rule), one each; the stronger group and the store (logs kept
     * longer) pass, their drift in <system-out>. */
    ck_assert_uint_eq(c.failure, 3);
    ck_assert_ptr_nonnull(strstr(xml, "<testsuite name=\"logkeep drift\" tests=\""));
    char attr[64];
    snprintf(attr, sizeof(attr), "failures=\"%d\"", 3);
    ck_assert_uint_eq(s_count(xml, attr), 2);
    ck_assert_ptr_nonnull(
        strstr(xml, "~ retention_days: 30 days -&gt; 120 days [weaker]\n</failure>"));
    ck_assert_ptr_nonnull(strstr(xml, "<property name=\"account\" value=\"111122223333\"/>"));
    ck_assert_ptr_nonnull(strstr(xml, "<property name=\"unmanaged_stores\" value=\"1\"/>"));
    ck_assert_ptr_nonnull(strstr(xml, "<testcase classname=\"logkeep.unmanaged_store\" "
                                      "name=\"legacy-trail-logs (us-east-1)\">\n"
                                      "      <system-out>- lifecycle = none [stronger]"));
    free(xml);
}
END_TEST

/* ------------------------------------------------------------------------------ SARIF */

START_TEST(test_sarif)
{
    char *text = s_render(&g_diff, &g_ctx, LK_REPORT_SARIF);
    cJSON *root = cJSON_Parse(text);
    ck_assert_ptr_nonnull(root);
    ck_assert_str_eq(cJSON_GetObjectItem(root, "version")->valuestring, "2.1.0");
    cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "runs"), 0);
    cJSON *driver = cJSON_GetObjectItem(cJSON_GetObjectItem(run, "tool"), "driver");
    ck_assert_str_eq(cJSON_GetObjectItem(driver, "name")->valuestring, "logkeep");
    cJSON *rules = cJSON_GetObjectItem(driver, "rules");
    ck_assert_int_eq(cJSON_GetArraySize(rules), 7);
    /* Rules are only appended: the store rule is the last. */
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(rules, 6), "id")->valuestring,
                     "LKD007");
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(rules, 0), "id")->valuestring,
                     "LKD001");
    cJSON *results = cJSON_GetObjectItem(run, "results");
    ck_assert_int_eq(cJSON_GetArraySize(results), (int)g_diff.n);

    size_t errors = 0, notes = 0;
    bool saw_missing = false, saw_group = false, saw_store = false;
    const cJSON *r;
    cJSON_ArrayForEach(r, results)
    {
        const char *level = cJSON_GetObjectItem(r, "level")->valuestring;
        const char *rule = cJSON_GetObjectItem(r, "ruleId")->valuestring;
        int index = cJSON_GetObjectItem(r, "ruleIndex")->valueint;
        ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(rules, index), "id")->valuestring,
                         rule);
        errors += !strcmp(level, "error");
        notes += !strcmp(level, "note");
        if (!strcmp(level, "note"))
            ck_assert_str_eq(rule, "LKD006");
        const cJSON *loc = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "locations"), 0);
        const char *uri =
            cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(loc, "physicalLocation"),
                                                    "artifactLocation"),
                                "uri")
                ->valuestring;
        ck_assert_str_eq(uri, g_paths[0]);
        const char *fqn =
            cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(loc, "logicalLocations"), 0),
                                "fullyQualifiedName")
                ->valuestring;
        if (!strcmp(rule, "LKD001")) {
            saw_missing = true;
            ck_assert_str_eq(fqn, "arn:aws:s3:::acme-security-logs-111122223333");
        }
        if (!strcmp(fqn, "arn:aws:logs:us-east-1:111122223333:log-group:" TRAIL_GROUP)) {
            saw_group = true;
            ck_assert_str_eq(rule, "LKD002");
            ck_assert_str_eq(level, "error");
        }
        if (!strcmp(fqn, "arn:aws:logs:us-east-1:111122223333:log-group:/legacy/batch"))
            ck_assert_str_eq(rule, "LKD005");
        if (!strcmp(fqn, "arn:aws:s3:::legacy-trail-logs")) {
            saw_store = true;
            ck_assert_str_eq(rule, "LKD007");
            ck_assert_str_eq(level, "warning");
        }
    }
    struct lk_diff_summary sum;
    lk_diff_summarize(&g_diff, &sum);
    ck_assert_uint_eq(errors, sum.weaker);
    ck_assert_uint_eq(notes, sum.notes);
    ck_assert(saw_missing && saw_group && saw_store);
    cJSON_Delete(root);
    free(text);
}
END_TEST

/* Every format says where the policy says what is desired: the trail's log group comes from
 * line 48 of the quickstart (its cloudwatch log_group, column 32). */
START_TEST(test_origins)
{
    const struct lk_diff_change *ch = s_find(LK_DIFF_LOG_GROUP, TRAIL_GROUP, "retention_days");
    ck_assert_ptr_nonnull(ch);
    ck_assert_str_eq(ch->origin.file, g_path);
    ck_assert_uint_eq(ch->origin.line, 48);
    ck_assert_uint_eq(ch->origin.column, 32);

    /* Text: the location and the line under the change. */
    char *text = s_render(&g_diff, &g_ctx, LK_REPORT_TEXT);
    char want[8192];
    snprintf(want, sizeof(want),
             "  ~ retention_days: 30 days -> 120 days  [weaker]\n      %s:48:32\n 48 |       "
             "cloudwatch: { log_group: /aws/cloudtrail/org-trail, role: "
             "arn:aws:iam::111122223333:role/CloudTrailToCWL }\n    |                        "
             "        ^~~~~~~~~~~~~~~~~~~~~~~~~\n",
             g_path);
    ck_assert_msg(strstr(text, want), "%s", text);
    free(text);

    /* JSON: the change's origin. */
    text = s_render(&g_diff, &g_ctx, LK_REPORT_JSON);
    cJSON *root = cJSON_Parse(text);
    ck_assert_ptr_nonnull(root);
    size_t with = 0, without = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "changes"))
    {
        const cJSON *o = cJSON_GetObjectItem(c, "origin");
        if (cJSON_IsNull(o)) {
            without++;
            continue;
        }
        with++;
        ck_assert_str_eq(cJSON_GetObjectItem(o, "file")->valuestring, g_path);
        if (!strcmp(cJSON_GetObjectItem(c, "name")->valuestring, TRAIL_GROUP)) {
            ck_assert_int_eq(cJSON_GetObjectItem(o, "line")->valueint, 48);
            ck_assert_int_eq(cJSON_GetObjectItem(o, "column")->valueint, 32);
        }
    }
    /* From nowhere in the policy: the unmanaged store (the policy's unmanaged rule governs the
     * unmanaged log groups: they have its origin). */
    ck_assert_uint_eq(without, 1);
    ck_assert_uint_eq(with + without, g_diff.n);
    cJSON_Delete(root);
    free(text);

    /* SARIF: the result points at the file and line; without an origin, at the policy. */
    text = s_render(&g_diff, &g_ctx, LK_REPORT_SARIF);
    root = cJSON_Parse(text);
    ck_assert_ptr_nonnull(root);
    bool saw_group = false, saw_store = false;
    cJSON_ArrayForEach(
        c, cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "runs"), 0), "results"))
    {
        const cJSON *loc = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "locations"), 0);
        const cJSON *phys = cJSON_GetObjectItem(loc, "physicalLocation");
        const cJSON *region = cJSON_GetObjectItem(phys, "region");
        const char *fqn =
            cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(loc, "logicalLocations"), 0),
                                "fullyQualifiedName")
                ->valuestring;
        if (!strcmp(fqn, "arn:aws:logs:us-east-1:111122223333:log-group:" TRAIL_GROUP)) {
            saw_group = true;
            ck_assert_int_eq(cJSON_GetObjectItem(region, "startLine")->valueint, 48);
            ck_assert_int_eq(cJSON_GetObjectItem(region, "startColumn")->valueint, 32);
        } else if (!strcmp(fqn, "arn:aws:s3:::legacy-trail-logs")) {
            saw_store = true;
            ck_assert_ptr_null(region);
        } else {
            ck_assert_int_ge(cJSON_GetObjectItem(region, "startLine")->valueint, 1);
        }
    }
    ck_assert(saw_group && saw_store);
    cJSON_Delete(root);
    free(text);

    /* Markdown: an Origin column first, "file:line"; notes end with theirs. */
    text = s_render(&g_diff, &g_ctx, LK_REPORT_MARKDOWN);
    ck_assert_ptr_nonnull(
        strstr(text, "| Origin | Resource | Attribute | Change | Live | Policy | Direction |\n"
                     "|---|---|---|---|---|---|---|\n"));
    struct lk_buf md_path;
    lk_buf_init(&md_path, LK_BUF_MAX_LINE);
    lk_md_escape(&md_path, g_path);
    snprintf(want, sizeof(want), "\n| %s:48 | **weaker** /aws/cloudtrail/org-trail (us-east-1) | ",
             md_path.data);
    ck_assert_msg(strstr(text, want), "%s", text);
    /* The unmanaged store comes from nowhere in the policy: an empty cell. */
    ck_assert_ptr_nonnull(strstr(text, "\n|  | legacy-trail-logs (us-east-1) | lifecycle | "));
    snprintf(want, sizeof(want), "never expires, and no unmanaged rule covers it (%s:63)\n",
             md_path.data);
    ck_assert_msg(strstr(text, want), "%s", text);
    lk_buf_free(&md_path);
    free(text);

    /* JUnit: the testcase's file and line. */
    text = s_render(&g_diff, &g_ctx, LK_REPORT_JUNIT);
    snprintf(want, sizeof(want),
             "<testcase classname=\"logkeep.log_group\" name=\"" TRAIL_GROUP
             " (us-east-1)\" file=\"%s\" line=\"48\">",
             g_path);
    ck_assert_msg(strstr(text, want), "%s", text);
    /* A resource in sync: the desired node's origin (the trail's source, line 37). */
    snprintf(want, sizeof(want),
             "<testcase classname=\"logkeep.trail\" name=\"org-trail (us-east-1)\" file=\"%s\" "
             "line=\"37\"/>",
             g_path);
    ck_assert_msg(strstr(text, want), "%s", text);
    free(text);
}
END_TEST

START_TEST(test_deterministic)
{
    for (int f = LK_REPORT_TEXT; f <= LK_REPORT_SARIF; f++) {
        char *a = s_render(&g_diff, &g_ctx, (enum lk_report_format)f);
        char *b = s_render(&g_diff, &g_ctx, (enum lk_report_format)f);
        ck_assert_str_eq(a, b);
        free(a);
        free(b);
    }
}
END_TEST

START_TEST(test_errors)
{
    ck_assert_int_eq(lk_report_render(NULL, NULL, LK_REPORT_JSON, stdout),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_int_eq(lk_report_render(&g_diff, NULL, LK_REPORT_JSON, NULL),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_int_eq(lk_report_render(&g_diff, NULL, (enum lk_report_format)99, stdout),
                     LK_STATUS_INVALID_ARGUMENT);
    /* A stream that cannot be written. */
    FILE *ro = fopen("/dev/null", "r");
    ck_assert_ptr_nonnull(ro);
    ck_assert_int_eq(lk_report_render(&g_diff, &g_ctx, LK_REPORT_MARKDOWN, ro), LK_STATUS_IO);
    fclose(ro);
    enum lk_report_format fmt;
    ck_assert(lk_report_format_parse("sarif", &fmt) && fmt == LK_REPORT_SARIF);
    ck_assert(lk_report_format_parse("markdown", &fmt) && fmt == LK_REPORT_MARKDOWN);
    ck_assert(!lk_report_format_parse("xml", &fmt));
}
END_TEST

/* ------------------------------------------------------------------------------ escaping */

/* A hand-built diff with names no format may pass through unescaped. */
static void s_hostile(struct lk_diff *d)
{
    lk_diff_init(d);
    d->cap = d->n = 2;
    d->changes = lk_xcalloc(2, sizeof(*d->changes));
    struct lk_diff_change *c = &d->changes[0];
    c->resource = LK_DIFF_LOG_GROUP;
    c->name = lk_arena_strdup(&d->arena, "/a|b`c\nd<e>&\"f'\x01g\xff");
    c->region = lk_arena_strdup(&d->arena, "us-east-1");
    c->attribute = lk_arena_strdup(&d->arena, "retention_days");
    c->kind = LK_DIFF_CHANGED;
    c->direction = LK_DIFF_WEAKER;
    c->desired = lk_arena_strdup(&d->arena, "365 | ]]>");
    c->live = lk_arena_strdup(&d->arena, "1\r\n*x*");
    c->data_loss = true;
    c->allow_name = lk_arena_strdup(&d->arena, "shorten-retention:/a|b");
    c = &d->changes[1];
    c->resource = LK_DIFF_LOG_GROUP;
    c->name = lk_arena_strdup(&d->arena, "/p/*");
    c->attribute = lk_arena_strdup(&d->arena, "");
    c->kind = LK_DIFF_NOTE;
    c->note = lk_arena_strdup(&d->arena, "matches <no> group `here`\n");
    c->seq = 1;
}

START_TEST(test_escaping)
{
    struct lk_diff d;
    s_hostile(&d);
    struct lk_report_context ctx = {0};
    ctx.account = "1111<2222>";
    ctx.generated_at = "now & \"then\"";

    char *md = s_render(&d, &ctx, LK_REPORT_MARKDOWN);
    ck_assert_ptr_nonnull(strstr(
        md, "| **weaker** /a\\|b\\`c<br>d&lt;e&gt;&amp;\"f' g\xff (us-east-1) | retention\\_days | "
            "change, needs --allow shorten-retention:/a\\|b | 1<br>\\*x\\* | 365 \\| \\]\\]&gt; | "
            "weaker |\n"));
    ck_assert_ptr_nonnull(strstr(md, "## logkeep drift: 1 difference (1 weaker than policy)\n"));
    ck_assert_ptr_nonnull(strstr(md, "matches &lt;no&gt; group \\`here\\`<br>"));
    /* Every table line has exactly the 7 unescaped pipes of 6 columns. */
    for (const char *line = md; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len && line[0] == '|') {
            size_t pipes = 0;
            for (size_t i = 0; i < len; i++)
                pipes += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
            ck_assert_uint_eq(pipes, 7);
        }
        line = end ? end + 1 : NULL;
    }
    free(md);

    char *xml = s_render(&d, &ctx, LK_REPORT_JUNIT);
    struct s_xml_counts c = s_parse_xml(xml);
    ck_assert_uint_eq(c.testcase, 2);
    ck_assert_uint_eq(c.failure, 1);
    /* Attribute values come back as written, but for the replaced characters. */
    bool found = false;
    for (size_t i = 0; i < c.n_names; i++)
        found |= !strcmp(c.names[i], "/a|b`c\nd<e>&\"f'\xEF\xBF\xBDg\xEF\xBF\xBD (us-east-1)");
    ck_assert_msg(found, "%s", xml);
    free(xml);

    char *sarif = s_render(&d, &ctx, LK_REPORT_SARIF);
    cJSON *root = cJSON_Parse(sarif);
    ck_assert_ptr_nonnull(root);
    cJSON_Delete(root);
    free(sarif);

    lk_diff_free(&d);
}
END_TEST

/* ------------------------------------------------------------------------------ CI budgets */

/* The drift of 20,000 changed log groups (the figure of the CI reports): the quickstart's
 * payments pattern matches S_MANY live groups that never expire, and S_NOTES groups of another
 * region never expire where no unmanaged rule applies (notes). */
#define S_MANY 20000
#define S_NOTES 500

static struct lk_ir_state *s_many(struct lk_diff *d)
{
    struct lk_ir_state *live = s_live();
    size_t n = live->n_log_groups;
    struct lk_ir_log_group *groups = lk_arena_alloc(&live->arena, (n + S_MANY) * sizeof(*groups));
    memcpy(groups, live->log_groups, n * sizeof(*groups));
    memset(groups + n, 0, S_MANY * sizeof(*groups));
    for (size_t i = 0; i < S_MANY; i++) {
        struct lk_ir_log_group *g = &groups[n + i];
        g->name = lk_ir_printf(live, "/app/payments/svc-%05zu", i);
        g->region = lk_ir_strdup(live, g_desired->region);
        g->retention_days = 0;
        g->exists = true;
    }
    live->log_groups = groups;
    live->n_log_groups = n + S_MANY;
    lk_diff_init(d);
    ck_assert_int_eq(lk_diff_states(g_desired, live, d), LK_STATUS_OK);

    struct lk_ir_log_group *other = lk_arena_alloc(&live->arena, S_NOTES * sizeof(*other));
    memset(other, 0, S_NOTES * sizeof(*other));
    for (size_t i = 0; i < S_NOTES; i++) {
        other[i].name = lk_ir_printf(live, "/other/g%03zu", i);
        other[i].region = lk_ir_strdup(live, "eu-west-1");
        other[i].exists = true;
    }
    ck_assert_int_eq(lk_diff_log_groups_unmanaged(g_desired, other, S_NOTES, d), LK_STATUS_OK);
    return live;
}

static char *s_render_budget(const struct lk_diff *d, struct lk_report_context *ctx,
                             size_t max_bytes)
{
    ctx->markdown_max_bytes = max_bytes;
    return s_render(d, ctx, LK_REPORT_MARKDOWN);
}

/* Table rows of @p md but the header rows of each table. */
static size_t s_rows(const char *md)
{
    size_t rows = 0;
    for (const char *p = md; (p = strstr(p, "\n| ")); p++)
        rows++;
    return rows - s_count(md, "| Resource | Attribute | Change | Live | Policy | Direction |");
}

START_TEST(test_markdown_grouped)
{
    struct lk_diff d;
    struct lk_ir_state *live = s_many(&d);
    struct lk_report_context ctx = g_ctx;
    ctx.full_report = "drift.json";
    char *md = s_render_budget(&d, &ctx, 0);
    size_t len = strlen(md);
    char *json = s_render(&d, &ctx, LK_REPORT_JSON);
    fprintf(stderr, "Markdown for %d changed log groups: %zu bytes (the JSON report: %zu)\n",
            S_MANY, len, strlen(json));
    ck_assert_uint_le(len, LK_REPORT_MARKDOWN_SUMMARY_BYTES);
    ck_assert_uint_lt(len, 1024 * 1024);
    /* Grouped: nothing was cut, and one row holds the 20,000 groups of the pattern. */
    ck_assert_ptr_null(strstr(md, "Cut to fit"));
    ck_assert_msg(strstr(md, "| **20000** log groups (us-east-1): /app/payments/svc-00000, "
                             "/app/payments/svc-00001, /app/payments/svc-00002 and 19997 more | "
                             "retention\\_days | change, needs --allow shorten-retention:NAME for "
                             "each: governed by pattern /app/payments/\\* | never expire | 400 "
                             "days | stronger |\n"),
                  "%.4000s", md);
    /* And one the deletion protection they lack: two groups of three names each. */
    ck_assert_ptr_nonnull(strstr(md,
                                 "| **weaker** **20000** log groups (us-east-1): "
                                 "/app/payments/svc-00000, /app/payments/svc-00001, "
                                 "/app/payments/svc-00002 and 19997 more | deletion\\_protection "
                                 "| change | off | on | weaker |\n"));
    ck_assert_uint_eq(s_count(md, "svc-"), 2 * LK_REPORT_GROUP_EXAMPLES);
    /* The rows of the small fixture stay as they were: one each. */
    ck_assert_ptr_nonnull(
        strstr(md, "| **weaker** /aws/cloudtrail/org-trail (us-east-1) | retention\\_days | "));
    /* The notes of a region without an unmanaged rule: one line. */
    ck_assert_msg(strstr(md,
                         "- **500** unmanaged log groups (eu-west-1): /other/g000, /other/g001, "
                         "/other/g002 and 497 more, retention\\_days: never expires, and no "
                         "unmanaged rule covers it"),
                  "%s", md);
    /* The title counts every difference, and the JSON report lists every change. */
    struct lk_diff_summary sum;
    lk_diff_summarize(&d, &sum);
    char title[128];
    snprintf(title, sizeof(title), "## logkeep drift: %zu differences (",
             sum.to_add + sum.to_change + sum.to_remove);
    ck_assert_ptr_nonnull(strstr(md, title));
    ck_assert_uint_ge(sum.to_change, S_MANY);
    cJSON *root = cJSON_Parse(json);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "changes")), (int)d.n);
    cJSON_Delete(root);
    free(json);
    free(md);

    /* Also within a pull request comment. */
    md = s_render_budget(&d, &ctx, LK_REPORT_MARKDOWN_COMMENT_BYTES);
    ck_assert_uint_le(strlen(md), LK_REPORT_MARKDOWN_COMMENT_BYTES);
    ck_assert_ptr_nonnull(strstr(md, "| **20000** log groups (us-east-1): "));
    free(md);
    lk_diff_free(&d);
    lk_ir_state_free(live);
}
END_TEST

/* @p n changes that nothing groups: each group keeps its logs a different number of days. */
static void s_distinct(struct lk_diff *d, size_t n)
{
    lk_diff_init(d);
    d->cap = d->n = n;
    d->changes = lk_xcalloc(n, sizeof(*d->changes));
    for (size_t i = 0; i < n; i++) {
        struct lk_diff_change *c = &d->changes[i];
        c->resource = LK_DIFF_LOG_GROUP;
        c->name = lk_arena_printf(&d->arena, "/svc/%05zu", i);
        c->region = lk_arena_strdup(&d->arena, "us-east-1");
        c->attribute = lk_arena_strdup(&d->arena, "retention_days");
        c->kind = LK_DIFF_CHANGED;
        c->direction = LK_DIFF_WEAKER;
        c->live = lk_arena_printf(&d->arena, "%zu days", i + 1);
        c->desired = lk_arena_strdup(&d->arena, "1000000 days");
        c->seq = i;
    }
}

/* The count of changes the cut line of @p md says are not shown; fails without one. */
static size_t s_hidden(const char *md, size_t max_bytes, size_t total)
{
    char head[96];
    snprintf(head, sizeof(head), "\n\n**Cut to fit %zu bytes**: ", max_bytes);
    const char *at = strstr(md, head);
    ck_assert_msg(at, "no cut line: %.2000s", md + (strlen(md) > 2000 ? strlen(md) - 2000 : 0));
    size_t hidden = 0, of = 0;
    ck_assert_int_eq(sscanf(at + strlen(head), "%zu of %zu differences", &hidden, &of), 2);
    ck_assert_uint_eq(of, total);
    /* The line is the last. */
    ck_assert_ptr_null(strchr(strchr(at + 2, '\n') + 1, '\n'));
    return hidden;
}

START_TEST(test_markdown_budget)
{
    struct lk_diff d;
    s_distinct(&d, S_MANY);
    struct lk_report_context ctx = {0};
    ctx.full_report = "reports/drift.json";

    /* Without a budget to speak of, every row: the size one row per change makes. */
    char *md = s_render_budget(&d, &ctx, LK_BUF_MAX_REPORT);
    size_t full = strlen(md);
    fprintf(stderr, "Markdown for %d distinct changes: %zu bytes in full\n", S_MANY, full);
    ck_assert_uint_gt(full, LK_REPORT_MARKDOWN_SUMMARY_BYTES);
    ck_assert_ptr_null(strstr(md, "Cut to fit"));
    ck_assert_uint_eq(s_rows(md), S_MANY);
    free(md);

    const size_t budgets[] = {0, LK_REPORT_MARKDOWN_COMMENT_BYTES, 100, 5000};
    const size_t caps[] = {LK_REPORT_MARKDOWN_SUMMARY_BYTES, LK_REPORT_MARKDOWN_COMMENT_BYTES,
                           LK_REPORT_MARKDOWN_MIN_BYTES, 5000};
    for (size_t k = 0; k < sizeof(budgets) / sizeof(budgets[0]); k++) {
        md = s_render_budget(&d, &ctx, budgets[k]);
        size_t len = strlen(md);
        fprintf(stderr, "  budget %zu: %zu bytes, %zu rows\n", caps[k], len, s_rows(md));
        ck_assert_uint_le(len, caps[k]);
        /* Every difference is shown or counted as not shown. */
        size_t hidden = s_hidden(md, caps[k], S_MANY);
        ck_assert_uint_gt(hidden, 0);
        ck_assert_uint_eq(s_rows(md) + hidden, S_MANY);
        ck_assert_ptr_nonnull(strstr(md, "## logkeep drift: 20000 differences (20000 weaker "));
        ck_assert_ptr_nonnull(
            strstr(md, " The full list is in the JSON report reports/drift.json.\n"));
        /* The table ends before the line. */
        ck_assert_ptr_nonnull(strstr(md, " | weaker |\n\n\n**Cut to fit "));
        free(md);
    }

    /* A path too long for the smallest budget: the line says how to get the report. */
    char path[3000];
    memset(path, 'p', sizeof(path) - 1);
    path[sizeof(path) - 1] = '\0';
    ctx.full_report = path;
    md = s_render_budget(&d, &ctx, LK_REPORT_MARKDOWN_MIN_BYTES);
    ck_assert_uint_le(strlen(md), LK_REPORT_MARKDOWN_MIN_BYTES);
    ck_assert_ptr_nonnull(strstr(md, "run again with --json-report FILE or --format json.\n"));
    free(md);
    lk_diff_free(&d);
}
END_TEST

/* Two changes alike are not a group: LK_REPORT_GROUP_MIN of them are. */
START_TEST(test_markdown_group_min)
{
    struct lk_diff d;
    s_distinct(&d, LK_REPORT_GROUP_MIN);
    for (size_t i = 0; i < d.n; i++)
        d.changes[i].live = lk_arena_strdup(&d.arena, "1 day");
    d.n = LK_REPORT_GROUP_MIN - 1;
    char *md = s_render(&d, NULL, LK_REPORT_MARKDOWN);
    ck_assert_uint_eq(s_rows(md), LK_REPORT_GROUP_MIN - 1);
    ck_assert_ptr_nonnull(strstr(md, "| **weaker** /svc/00000 (us-east-1) | "));
    free(md);
    d.n = LK_REPORT_GROUP_MIN;
    md = s_render(&d, NULL, LK_REPORT_MARKDOWN);
    ck_assert_uint_eq(s_rows(md), 1);
    ck_assert_msg(strstr(md, "| **weaker** **3** log groups (us-east-1): /svc/00000, /svc/00001, "
                             "/svc/00002 | retention\\_days | change | 1 day | 1000000 days | "
                             "weaker |\n"),
                  "%s", md);
    free(md);
    lk_diff_free(&d);
}
END_TEST

static char *s_render_org(const struct lk_report_org *org)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    int rc = lk_report_render_org(org, LK_REPORT_MARKDOWN, f);
    fclose(f);
    ck_assert_int_eq(rc, LK_STATUS_OK);
    return text;
}

#define S_ORG_DRIFTED 30
#define S_ORG_IN_SYNC 3000

START_TEST(test_org_budget)
{
    struct lk_diff big, empty;
    s_distinct(&big, 2000);
    lk_diff_init(&empty);
    size_t n = S_ORG_DRIFTED + 1 + S_ORG_IN_SYNC;
    struct lk_report_pair *pairs = lk_xcalloc(n, sizeof(*pairs));
    char(*ids)[16] = lk_xcalloc(n, sizeof(*ids));
    for (size_t i = 0; i < n; i++) {
        snprintf(ids[i], sizeof(ids[i]), "%012zu", i + 1);
        pairs[i].account = ids[i];
        pairs[i].account_name = ids[i];
        pairs[i].region = "us-east-1";
        if (i < S_ORG_DRIFTED)
            pairs[i].diff = &big;
        else if (i == S_ORG_DRIFTED)
            pairs[i].error = "AccessDenied: not authorized to perform sts:AssumeRole";
        else
            pairs[i].diff = &empty;
    }
    struct lk_report_org org = {.pairs = pairs, .n_pairs = n, .full_report = "org.json"};

    /* A step summary: every pair with drift has its section, each cut to its share. */
    char *md = s_render_org(&org);
    size_t len = strlen(md);
    fprintf(stderr, "organisation Markdown, %d pairs of 2000 changes: %zu bytes\n", S_ORG_DRIFTED,
            len);
    ck_assert_uint_le(len, LK_REPORT_MARKDOWN_SUMMARY_BYTES);
    ck_assert_uint_eq(s_count(md, "\n### 0000"), S_ORG_DRIFTED + 1);
    ck_assert_uint_eq(s_count(md, "**Cut to fit "), S_ORG_DRIFTED + 1);
    ck_assert_ptr_nonnull(strstr(md, "**failed**: AccessDenied"));
    ck_assert_msg(strstr(md, "\n**Cut to fit 1000000 bytes**: 0 of 31 pairs with drift or failed "
                             "not shown, 30 cut, "),
                  "%s", md + len - 400);
    ck_assert_ptr_nonnull(strstr(md, " The full list is in the JSON report org.json.\n"));
    ck_assert_ptr_nonnull(strstr(md, "In sync (3000): 000000000032 us-east-1, "));
    free(md);

    /* A comment: fewer pairs, and fewer names of those in sync. */
    org.markdown_max_bytes = LK_REPORT_MARKDOWN_COMMENT_BYTES;
    md = s_render_org(&org);
    len = strlen(md);
    fprintf(stderr, "  as a comment: %zu bytes\n", len);
    ck_assert_uint_le(len, LK_REPORT_MARKDOWN_COMMENT_BYTES);
    ck_assert_ptr_nonnull(strstr(md, "# logkeep drift: 3031 pairs, 30 with drift, 3000 in sync, "
                                     "1 failed\n"));
    size_t hidden = 0, of = 0, cut = 0, unnamed = 0, in_sync = 0;
    const char *at = strstr(md, "\n**Cut to fit 65536 bytes**: ");
    ck_assert_ptr_nonnull(at);
    ck_assert_int_eq(sscanf(at,
                            "\n**Cut to fit 65536 bytes**: %zu of %zu pairs with drift or "
                            "failed not shown, %zu cut, %zu of %zu pairs",
                            &hidden, &of, &cut, &unnamed, &in_sync),
                     5);
    ck_assert_uint_eq(of, S_ORG_DRIFTED + 1);
    ck_assert_uint_gt(hidden, 0);
    ck_assert_uint_eq(s_count(md, "\n### 0000"), of - hidden);
    ck_assert_uint_eq(in_sync, S_ORG_IN_SYNC);
    ck_assert_uint_gt(unnamed, 0);
    char more[64];
    snprintf(more, sizeof(more), " and %zu more.\n", unnamed);
    ck_assert_ptr_nonnull(strstr(md, more));
    free(md);

    /* A small organisation is whole: no cut line. */
    org.n_pairs = 2;
    pairs[1].diff = &empty;
    org.markdown_max_bytes = 0;
    md = s_render_org(&org);
    ck_assert_ptr_null(strstr(md, "Cut to fit"));
    ck_assert_ptr_nonnull(strstr(md, "### 000000000001 (000000000001) us-east-1\n\n## logkeep "
                                     "drift: 2000 differences"));
    ck_assert_ptr_nonnull(strstr(md, "In sync (1): 000000000002 us-east-1.\n"));
    free(md);

    free(ids);
    free(pairs);
    lk_diff_free(&big);
    lk_diff_free(&empty);
}
END_TEST

static Suite *s_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_add_test(tc, test_fixture);
    tcase_add_test(tc, test_text_delegates);
    tcase_add_test(tc, test_json);
    tcase_add_test(tc, test_markdown);
    tcase_add_test(tc, test_junit);
    tcase_add_test(tc, test_sarif);
    tcase_add_test(tc, test_origins);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_escaping);
    tcase_add_test(tc, test_markdown_grouped);
    tcase_add_test(tc, test_markdown_budget);
    tcase_add_test(tc, test_markdown_group_min);
    tcase_add_test(tc, test_org_budget);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return lk_test_run(s_suite());
}
