/*
 * Integration tests of runs over an organisation (runtime/org.h) against the local AWS endpoint
 * (tests/aws-endpoint), over real HTTP: hand-built scopes of several (account, Region) pairs,
 * credentials by sts:AssumeRole into each account's role from the CI account's keys, one pair
 * whose role cannot be assumed, plan, apply, drift and the organisation snapshot.
 *
 * Run through tests/runtime/run, which starts the endpoint and sets LK_TEST_ENDPOINT and
 * LK_TEST_TMPDIR.
 */
#include "../unit/lk_test.h"

#include <check.h>

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "ir/artifact.h"
#include "ir/ir.h"
#include "runtime/org.h"
#include "runtime/session.h"
#include "runtime/transport/http.h"

#define CI_AKID "AKIAIOSFODNN7EXAMPLE"
#define CI_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define CI_ACCOUNT "111122223333"
#define PROD "333344445555"
#define DEV "555566667777"
#define NOWHERE "000011112222" /* no LogkeepDeploy role there: AssumeRole is refused */
#define ROLE "LogkeepDeploy"
#define GROUP "/lk-org/app"

static const char *s_endpoint;
static char s_tmp[512];

static void admin(const char *method, const char *path, const char *json, cJSON **out)
{
    struct lk_http_vtable v;
    struct lk_http_response resp;
    char url[512];
    char ct_name[] = "Content-Type", ct_value[] = "application/json";
    struct lk_http_header h = {ct_name, ct_value};
    snprintf(url, sizeof(url), "%s%s", s_endpoint, path);
    ck_assert_int_eq(lk_http_curl_new(NULL, &v, NULL), LK_STATUS_OK);
    struct lk_http_request req = {.method = method,
                                  .url = url,
                                  .headers = &h,
                                  .n_headers = 1,
                                  .body = (const unsigned char *)json,
                                  .body_len = json ? strlen(json) : 0};
    ck_assert_int_eq(v.perform(v.impl, &req, &resp), LK_STATUS_OK);
    long status = resp.status;
    if (out)
        *out = cJSON_ParseWithLength((const char *)resp.body, resp.body_len);
    lk_http_response_free(&resp);
    v.destroy(v.impl);
    ck_assert_msg(status == 200, "admin %s %s: HTTP %ld", method, path, status);
}

static int log_count(const char *service, const char *operation)
{
    cJSON *doc = NULL;
    char path[256];
    snprintf(path, sizeof(path), "/_admin/log?service=%s&operation=%s", service, operation);
    admin("GET", path, NULL, &doc);
    const cJSON *total = cJSON_GetObjectItemCaseSensitive(doc, "total");
    ck_assert(cJSON_IsNumber(total));
    int n = total->valueint;
    cJSON_Delete(doc);
    return n;
}

static void setup(void)
{
    s_endpoint = getenv("LK_TEST_ENDPOINT");
    ck_assert_ptr_nonnull(s_endpoint);
    const char *tmp = getenv("LK_TEST_TMPDIR");
    snprintf(s_tmp, sizeof(s_tmp), "%s", tmp ? tmp : "/tmp");
    static const char *const clear[] = {"AWS_PROFILE",
                                        "AWS_SESSION_TOKEN",
                                        "AWS_ROLE_ARN",
                                        "AWS_WEB_IDENTITY_TOKEN_FILE",
                                        "AWS_DEFAULT_REGION",
                                        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"};
    for (size_t i = 0; i < sizeof(clear) / sizeof(clear[0]); i++)
        unsetenv(clear[i]);
    char path[600];
    snprintf(path, sizeof(path), "%s/no-config", s_tmp);
    setenv("AWS_CONFIG_FILE", path, 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("AWS_ENDPOINT_URL", s_endpoint, 1);
    setenv("AWS_ACCESS_KEY_ID", CI_AKID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", CI_SECRET, 1);
    admin("POST", "/_admin/reset", "{}", NULL);
}

/* The desired state of one pair: one log group kept 30 days. */
static struct lk_ir_state *s_desired(const char *account, const char *region)
{
    struct lk_ir_state *st = lk_ir_state_new();
    st->account = lk_arena_strdup(&st->arena, account);
    st->region = lk_arena_strdup(&st->arena, region);
    st->partition = lk_arena_strdup(&st->arena, "aws");
    st->log_groups = lk_arena_alloc(&st->arena, sizeof(*st->log_groups));
    memset(st->log_groups, 0, sizeof(*st->log_groups));
    st->log_groups[0].name = lk_arena_strdup(&st->arena, GROUP);
    st->log_groups[0].region = lk_arena_strdup(&st->arena, region);
    st->log_groups[0].retention_days = 30;
    st->log_groups[0].wanted_days = 30;
    st->n_log_groups = 1;
    return st;
}

/* PROD in two Regions, DEV in one, and an account whose role cannot be assumed. */
static struct lk_ir_scope *s_scope(bool with_nowhere)
{
    struct lk_ir_scope *sc = lk_ir_scope_new();
    sc->multi = true;
    static const char *const pairs[][3] = {{"prod", PROD, "us-east-1"},
                                           {"prod", PROD, "eu-west-1"},
                                           {"dev", DEV, "eu-west-1"},
                                           {"nowhere", NOWHERE, "us-east-1"}};
    for (size_t i = 0; i < (with_nowhere ? 4u : 3u); i++) {
        struct lk_artifacts *arts = lk_xcalloc(1, sizeof(*arts));
        lk_artifacts_init(arts);
        lk_ir_scope_add(sc, pairs[i][0], pairs[i][1], pairs[i][2],
                        s_desired(pairs[i][1], pairs[i][2]), arts);
    }
    lk_ir_scope_sort(sc);
    return sc;
}

static struct lk_org_options s_options(const char *role)
{
    return (struct lk_org_options){
        .session = {.endpoint_url = s_endpoint},
        .role = role,
        .pairs_at_once = 3,
        .home_region = "us-east-1",
    };
}

static const struct lk_org_pair *s_pair(const struct lk_org_run *run, const char *account,
                                        const char *region)
{
    for (size_t i = 0; i < run->n_pairs; i++)
        if (!strcmp(run->pairs[i].pair->account, account) &&
            !strcmp(run->pairs[i].pair->region, region))
            return &run->pairs[i];
    ck_abort_msg("no pair %s %s", account, region);
    return NULL;
}

static char *s_render(const struct lk_org_run *run, enum lk_report_format fmt)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    const char *paths[] = {"org.yaml"};
    ck_assert_int_eq(lk_org_run_render(run, fmt, false, "o-a1b2c3d4e5", paths, 1, f), LK_STATUS_OK);
    fclose(f);
    return text;
}

static void s_drift(struct lk_ir_scope *sc, const char *role, struct lk_org_summary *sum)
{
    struct lk_org_options o = s_options(role);
    struct lk_org_run run;
    lk_org_run_init(&run, LK_SESSION_DRIFT, &o, sc);
    ck_assert_int_eq(lk_org_run_read(&run), LK_STATUS_OK);
    lk_org_run_summarize(&run, sum);
    lk_org_run_free(&run);
}

/* Plan, apply and drift over four pairs, one of which cannot be reached. */
START_TEST(test_plan_apply_drift)
{
    struct lk_ir_scope *sc = s_scope(true);
    struct lk_org_options o = s_options(ROLE);
    struct lk_org_run run;
    struct lk_org_summary sum;

    lk_org_run_init(&run, LK_SESSION_PLAN, &o, sc);
    ck_assert_int_eq(lk_org_run_read(&run), LK_STATUS_OK);
    lk_org_run_summarize(&run, &sum);
    ck_assert_uint_eq(sum.pairs, 4);
    ck_assert_uint_eq(sum.changed, 3);
    ck_assert_uint_eq(sum.failed, 1);
    const struct lk_org_pair *bad = s_pair(&run, NOWHERE, "us-east-1");
    ck_assert(bad->failed);
    ck_assert_msg(strstr(bad->error, "cannot assume arn:aws:iam::" NOWHERE ":role/" ROLE) &&
                      strstr(bad->error, "AccessDenied"),
                  "%s", bad->error);
    /* Each pair read as its own account: the live reader's guard compares. */
    ck_assert_str_eq(s_pair(&run, DEV, "eu-west-1")->session.report.account, DEV);
    /* CreateLogGroup, PutRetentionPolicy. */
    ck_assert_uint_eq(s_pair(&run, PROD, "eu-west-1")->session.plan.n, 2);
    /* One AssumeRole per account, shared by the account's pairs. */
    ck_assert_int_eq(log_count("sts", "AssumeRole"), 3);

    char *text = s_render(&run, LK_REPORT_TEXT);
    ck_assert_msg(strstr(text, "== nowhere (" NOWHERE ") us-east-1 ==\nerror: cannot assume"), "%s",
                  text);
    ck_assert_msg(strstr(text, "== prod (" PROD ") eu-west-1 ==\n"), "%s", text);
    ck_assert_msg(strstr(text, "4 pairs: 3 with changes, 0 in sync, 1 failed\n"), "%s", text);
    free(text);
    text = s_render(&run, LK_REPORT_JSON);
    cJSON *doc = cJSON_Parse(text);
    ck_assert_ptr_nonnull(doc);
    ck_assert_str_eq(cJSON_GetObjectItem(doc, "format")->valuestring, LK_ORG_REPORT_FORMAT);
    ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "summary"), "failed")->valueint,
                     1);
    const cJSON *pairs = cJSON_GetObjectItem(doc, "pairs");
    ck_assert_int_eq(cJSON_GetArraySize(pairs), 4);
    const cJSON *e;
    int failed = 0, drift = 0;
    cJSON_ArrayForEach(e, pairs)
    {
        const char *status = cJSON_GetObjectItem(e, "status")->valuestring;
        if (!strcmp(status, "failed")) {
            failed++;
            ck_assert_str_eq(cJSON_GetObjectItem(e, "account")->valuestring, NOWHERE);
            ck_assert(cJSON_IsNull(cJSON_GetObjectItem(e, "report")));
        } else {
            drift += !strcmp(status, "drift");
            ck_assert(cJSON_IsObject(cJSON_GetObjectItem(e, "report")));
        }
    }
    ck_assert_int_eq(failed, 1);
    ck_assert_int_eq(drift, 3);
    cJSON_Delete(doc);
    free(text);
    text = s_render(&run, LK_REPORT_JUNIT);
    ck_assert_msg(strstr(text, "<testsuite name=\"logkeep drift dev eu-west-1\""), "%s", text);
    ck_assert_msg(strstr(text, "<error message=\"cannot assume"), "%s", text);
    free(text);
    text = s_render(&run, LK_REPORT_SARIF);
    ck_assert_msg(strstr(text, "\"fullyQualifiedName\":\t\"" DEV "/eu-west-1\""), "%s", text);
    free(text);
    lk_org_run_free(&run);

    /* Apply: every reachable pair converges; the unreachable one stays failed. */
    o.session.approved = true;
    lk_org_run_init(&run, LK_SESSION_APPLY, &o, sc);
    ck_assert_int_eq(lk_org_run_read(&run), LK_STATUS_OK);
    ck_assert_int_eq(lk_org_run_apply(&run, NULL), LK_STATUS_OK);
    ck_assert(s_pair(&run, PROD, "us-east-1")->applied);
    ck_assert(s_pair(&run, DEV, "eu-west-1")->applied);
    ck_assert(!s_pair(&run, NOWHERE, "us-east-1")->applied);
    lk_org_run_free(&run);

    s_drift(sc, ROLE, &sum);
    ck_assert_uint_eq(sum.in_sync, 3);
    ck_assert_uint_eq(sum.failed, 1);
    ck_assert_uint_eq(sum.changed, 0);
    lk_ir_scope_free(sc);

    /* The groups were made in each pair's own account: without the unreachable pair, a DEV
     * us-east-1 pair still lacks its group. */
    sc = s_scope(false);
    lk_ir_scope_add(sc, "dev", DEV, "us-east-1", s_desired(DEV, "us-east-1"), NULL);
    lk_ir_scope_sort(sc);
    s_drift(sc, ROLE, &sum);
    ck_assert_uint_eq(sum.in_sync, 3);
    ck_assert_uint_eq(sum.changed, 1);
    ck_assert_uint_eq(sum.failed, 0);

    /* Without a role, the CI account's own keys reach no pair: the account guard refuses each. */
    struct lk_org_options none = s_options(NULL);
    lk_org_run_init(&run, LK_SESSION_DRIFT, &none, sc);
    ck_assert_int_eq(lk_org_run_read(&run), LK_STATUS_OK);
    lk_org_run_summarize(&run, &sum);
    ck_assert_uint_eq(sum.failed, 4);
    ck_assert_msg(strstr(run.pairs[0].error, "belong to account " CI_ACCOUNT), "%s",
                  run.pairs[0].error);
    lk_org_run_free(&run);
    lk_ir_scope_free(sc);
}
END_TEST

/* An apply whose guards refuse in one pair changes nothing in any pair. */
START_TEST(test_apply_refused_everywhere)
{
    struct lk_ir_scope *sc = s_scope(false);
    struct lk_org_options o = s_options(ROLE);
    o.session.approved = true;
    /* The groups are made first; then one pair asks for a retention of 1 day, a data-loss
     * change needing --allow (within the 14 days an event may arrive late, even a new group
     * may hold events that old: session.h), while the others lengthen theirs. */
    struct lk_org_run run;
    lk_org_run_init(&run, LK_SESSION_APPLY, &o, sc);
    ck_assert_int_eq(lk_org_run_read(&run), LK_STATUS_OK);
    ck_assert_int_eq(lk_org_run_apply(&run, NULL), LK_STATUS_OK);
    lk_org_run_free(&run);

    for (size_t i = 0; i < sc->n_pairs; i++) {
        struct lk_ir_state *st = sc->pairs[i].state;
        st->log_groups[0].retention_days = 1;
        st->log_groups[0].wanted_days = 1;
        if (!strcmp(sc->pairs[i].account, PROD) && !strcmp(sc->pairs[i].region, "us-east-1"))
            continue;
        /* The other pairs get a longer retention: no guard. */
        st->log_groups[0].retention_days = 60;
        st->log_groups[0].wanted_days = 60;
    }
    int puts_before = log_count("logs", "PutRetentionPolicy");
    lk_org_run_init(&run, LK_SESSION_APPLY, &o, sc);
    ck_assert_int_eq(lk_org_run_read(&run), LK_STATUS_OK);
    ck_assert_int_eq(lk_org_run_apply(&run, NULL), LK_STATUS_REFUSED);
    ck_assert_msg(strstr(run.message, "nothing was changed in any account") &&
                      strstr(run.message, "prod (" PROD ") us-east-1: refusing"),
                  "%s", run.message);
    ck_assert_int_eq(log_count("logs", "PutRetentionPolicy"), puts_before);
    lk_org_run_free(&run);
    lk_ir_scope_free(sc);
}
END_TEST

/* The organisation snapshot: written once, read back by drift per pair. */
START_TEST(test_snapshot_round_trip)
{
    struct lk_ir_scope *sc = s_scope(true);
    struct lk_org_options o = s_options(ROLE);
    struct lk_org_run run;
    lk_org_run_init(&run, LK_SESSION_SNAPSHOT, &o, sc);
    ck_assert_int_eq(lk_org_run_read(&run), LK_STATUS_OK);
    char path[600];
    snprintf(path, sizeof(path), "%s/org-state.json", s_tmp);
    ck_assert_int_eq(lk_org_run_write_snapshot(&run, path), LK_STATUS_OK);
    lk_org_run_free(&run);

    int calls = log_count("sts", "GetCallerIdentity");
    o = s_options(ROLE);
    o.session.state_file = path;
    lk_org_run_init(&run, LK_SESSION_DRIFT, &o, sc);
    ck_assert_int_eq(lk_org_run_read(&run), LK_STATUS_OK);
    struct lk_org_summary sum;
    lk_org_run_summarize(&run, &sum);
    /* Nothing was applied: the three pairs read miss their group; the failed one is not in
     * the snapshot. */
    ck_assert_uint_eq(sum.changed, 3);
    ck_assert_uint_eq(sum.failed, 1);
    ck_assert_msg(strstr(s_pair(&run, NOWHERE, "us-east-1")->error, "not in the snapshot"), "%s",
                  s_pair(&run, NOWHERE, "us-east-1")->error);
    lk_org_run_free(&run);
    /* Offline: no request. */
    ck_assert_int_eq(log_count("sts", "GetCallerIdentity"), calls);

    /* A single-account snapshot is not an organisation's. */
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{\"format\": \"logkeep-state\", \"version\": 1}", f);
    fclose(f);
    lk_org_run_init(&run, LK_SESSION_DRIFT, &o, sc);
    ck_assert_int_eq(lk_org_run_read(&run), LK_STATUS_UNSUPPORTED);
    ck_assert_msg(strstr(run.message, "not an organisation snapshot"), "%s", run.message);
    lk_org_run_free(&run);
    lk_ir_scope_free(sc);
}
END_TEST

/* Writes @p text to @p path. */
static void s_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* Plans @p sc with @p o and saves the organisation plan to @p path. */
static void s_save_plan(struct lk_ir_scope *sc, const struct lk_org_options *o, const char *path)
{
    struct lk_org_run run;
    lk_org_run_init(&run, LK_SESSION_PLAN, o, sc);
    ck_assert_int_eq(lk_org_run_read(&run), LK_STATUS_OK);
    const char *paths[] = {"org.yaml"};
    ck_assert_int_eq(lk_org_run_save_plan(&run, path, paths, 1), LK_STATUS_OK);
    lk_org_run_free(&run);
}

/* Opens @p path, which must be an organisation plan. */
static void s_open_plan(struct lk_org_plan *plan, const char *path)
{
    char *msg = NULL;
    ck_assert_int_eq(lk_org_plan_open(plan, path, &msg), LK_STATUS_OK);
    ck_assert_ptr_null(msg);
    ck_assert_ptr_nonnull(plan->path);
}

/* Saved organisation plans: written whole, applied exactly, refused everywhere once one pair
 * moved. */
START_TEST(test_saved_plan)
{
    struct lk_ir_scope *sc = s_scope(false);
    struct lk_org_options o = s_options(ROLE);
    char path[600], path2[600], other[600];
    snprintf(path, sizeof(path), "%s/org-plan.json", s_tmp);
    snprintf(path2, sizeof(path2), "%s/org-plan-2.json", s_tmp);
    snprintf(other, sizeof(other), "%s/other.json", s_tmp);
    s_save_plan(sc, &o, path);

    struct lk_org_plan plan;
    s_open_plan(&plan, path);
    ck_assert_uint_eq(plan.n_pairs, 3);
    ck_assert_uint_eq(plan.n_policy_paths, 1);
    ck_assert_msg(plan.policy_paths[0][0] == '/' && strstr(plan.policy_paths[0], "/org.yaml"), "%s",
                  plan.policy_paths[0]);
    ck_assert_str_eq(plan.pairs[0].account_name, "prod");
    cJSON *pp = cJSON_Parse(plan.pairs[0].plan);
    ck_assert_str_eq(cJSON_GetObjectItem(pp, "format")->valuestring, LK_SESSION_PLAN_FORMAT);
    ck_assert_str_eq(cJSON_GetObjectItem(pp, "account")->valuestring, PROD);
    /* CreateLogGroup, PutRetentionPolicy. */
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(pp, "calls")), 2);
    cJSON_Delete(pp);

    /* Applied without approval: the plan is the approval. */
    int puts = log_count("logs", "PutRetentionPolicy");
    struct lk_org_run run;
    lk_org_run_init(&run, LK_SESSION_APPLY, &o, sc);
    ck_assert_int_eq(lk_org_run_use_plan(&run, &plan), LK_STATUS_OK);
    ck_assert_int_eq(lk_org_run_read(&run), LK_STATUS_OK);
    ck_assert_int_eq(lk_org_run_apply(&run, NULL), LK_STATUS_OK);
    for (size_t i = 0; i < run.n_pairs; i++)
        ck_assert_msg(run.pairs[i].applied, "%s", run.pairs[i].error ? run.pairs[i].error : "");
    lk_org_run_free(&run);
    ck_assert_int_eq(log_count("logs", "PutRetentionPolicy"), puts + 3);

    /* Applied again: every pair's live state moved, nothing is written. */
    lk_org_run_init(&run, LK_SESSION_APPLY, &o, sc);
    ck_assert_int_eq(lk_org_run_use_plan(&run, &plan), LK_STATUS_OK);
    ck_assert_int_eq(lk_org_run_read(&run), LK_STATUS_OK);
    ck_assert_int_eq(lk_org_run_apply(&run, NULL), LK_STATUS_REFUSED);
    ck_assert_msg(strstr(run.message, "no longer holds in 3 pairs") &&
                      strstr(run.message, "live state changed"),
                  "%s", run.message);
    lk_org_run_free(&run);
    ck_assert_int_eq(log_count("logs", "PutRetentionPolicy"), puts + 3);
    lk_org_plan_free(&plan);

    /* Longer retention everywhere, planned; then the policy changes in one pair: refused in
     * every pair. */
    for (size_t i = 0; i < sc->n_pairs; i++) {
        sc->pairs[i].state->log_groups[0].retention_days = 60;
        sc->pairs[i].state->log_groups[0].wanted_days = 60;
    }
    s_save_plan(sc, &o, path2);
    s_open_plan(&plan, path2);
    for (size_t i = 0; i < sc->n_pairs; i++) {
        if (!strcmp(sc->pairs[i].account, PROD) && !strcmp(sc->pairs[i].region, "eu-west-1")) {
            sc->pairs[i].state->log_groups[0].retention_days = 90;
            sc->pairs[i].state->log_groups[0].wanted_days = 90;
        }
    }
    lk_org_run_init(&run, LK_SESSION_APPLY, &o, sc);
    ck_assert_int_eq(lk_org_run_use_plan(&run, &plan), LK_STATUS_OK);
    ck_assert_int_eq(lk_org_run_read(&run), LK_STATUS_OK);
    ck_assert_int_eq(lk_org_run_apply(&run, NULL), LK_STATUS_REFUSED);
    ck_assert_msg(strstr(run.message, "no longer holds in 1 pair;") &&
                      strstr(run.message, "prod (" PROD ") eu-west-1: refusing: the policy "
                                          "changed"),
                  "%s", run.message);
    lk_org_run_free(&run);
    ck_assert_int_eq(log_count("logs", "PutRetentionPolicy"), puts + 3);
    lk_org_plan_free(&plan);

    /* A pair more than the plan holds: the accounts changed. */
    struct lk_ir_scope *more = s_scope(true);
    s_open_plan(&plan, path2);
    lk_org_run_init(&run, LK_SESSION_APPLY, &o, more);
    ck_assert_int_eq(lk_org_run_use_plan(&run, &plan), LK_STATUS_REFUSED);
    ck_assert_msg(strstr(run.message, "nowhere (" NOWHERE ") us-east-1: not in the plan"), "%s",
                  run.message);
    lk_org_run_free(&run);
    lk_org_plan_free(&plan);
    lk_ir_scope_free(more);

    /* A plan run with a failed pair saves nothing. */
    more = s_scope(true);
    lk_org_run_init(&run, LK_SESSION_PLAN, &o, more);
    ck_assert_int_eq(lk_org_run_read(&run), LK_STATUS_OK);
    const char *paths[] = {"org.yaml"};
    ck_assert_int_eq(lk_org_run_save_plan(&run, other, paths, 1), LK_STATUS_REFUSED);
    ck_assert_msg(strstr(run.message, "1 pair failed"), "%s", run.message);
    lk_org_run_free(&run);
    lk_ir_scope_free(more);
    FILE *f = fopen(other, "r");
    ck_assert_ptr_null(f);

    /* What is not an organisation plan. */
    char *msg = NULL;
    s_write(other, "{\"format\": \"logkeep-plan\", \"version\": 1}");
    ck_assert_int_eq(lk_org_plan_open(&plan, other, &msg), LK_STATUS_OK);
    ck_assert_ptr_null(plan.path);
    s_write(other, "logkeep: 1\n");
    ck_assert_int_eq(lk_org_plan_open(&plan, other, &msg), LK_STATUS_OK);
    ck_assert_ptr_null(plan.path);
    s_write(other, "{\"format\": \"logkeep-org-plan\", \"version\": 1, \"pairs\": [");
    ck_assert_int_eq(lk_org_plan_open(&plan, other, &msg), LK_STATUS_MALFORMED);
    ck_assert_msg(strstr(msg, "damaged"), "%s", msg);
    free(msg);
    s_write(other, "{\"format\": \"logkeep-org-plan\", \"version\": 2, \"pairs\": []}");
    ck_assert_int_eq(lk_org_plan_open(&plan, other, &msg), LK_STATUS_UNSUPPORTED);
    ck_assert_msg(strstr(msg, "version"), "%s", msg);
    ck_assert_ptr_null(plan.path);
    free(msg);
    lk_ir_scope_free(sc);
}
END_TEST

static Suite *s_suite(void)
{
    Suite *s = suite_create("organisation runs");
    TCase *tc = tcase_create("org");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_plan_apply_drift);
    tcase_add_test(tc, test_apply_refused_everywhere);
    tcase_add_test(tc, test_snapshot_round_trip);
    tcase_add_test(tc, test_saved_plan);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    lk_runtime_init();
    return lk_test_run(s_suite());
}
