/*
 * Unit tests: plan, apply, drift and snapshot sessions (runtime/session.c, session_plan.c),
 * offline: the live state comes from snapshot files, so every step short of the write calls
 * runs without a network. The desired state and the artifacts are the quickstart example's.
 * The AWS paths are covered end to end against the local endpoint by tests/e2e/run.
 *
 * Refusals are checked by their exact message, the text the command line prints after
 * "logkeep <command>: ".
 */
#include "lk_test.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <unistd.h>

#include "compiler/compile.h"
#include "runtime/session.h"
#include "runtime/state_json.h"

/* The quickstart compiled, shared by every test: never changed except where a test says so
 * (and then restored). */
static struct lk_policy *g_policy;
static struct lk_ir_state *g_desired;
static struct lk_artifacts g_arts;
static char g_dir[4096]; /* a scratch directory */
static char g_quickstart[4096];

static void s_setup(void)
{
    snprintf(g_quickstart, sizeof(g_quickstart), "%s", lk_test_quickstart_dir());
    g_policy = lk_policy_new();
    const char *paths[1] = {g_quickstart};
    const char *bad = NULL;
    ck_assert_int_eq(lk_policy_load_paths(g_policy, paths, 1, &bad), 0);
    lk_policy_check(g_policy);
    lk_artifacts_init(&g_arts);
    ck_assert_int_eq(lk_compile(g_policy, &g_desired, &g_arts), 0);
    ck_assert_uint_ge(g_arts.n, 1);
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof(g_dir), "%s/lk-session.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
}

static void s_teardown(void)
{
    char cmd[4200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
    ck_assert_int_eq(system(cmd), 0);
    lk_ir_state_free(g_desired);
    lk_artifacts_free(&g_arts);
    lk_policy_free(g_policy);
    g_desired = NULL;
    g_policy = NULL;
}

/* @return a path in the scratch directory (a static buffer per call site's slot). */
static const char *s_path(const char *name)
{
    static char paths[8][4200];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof(paths[0]), "%s/%s", g_dir, name);
    return p;
}

static void s_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_ge(fputs(text, f), 0);
    ck_assert_int_eq(fclose(f), 0);
}

/* The desired log group with an exact name (not a pattern). */
static size_t s_exact_group(const struct lk_ir_state *st)
{
    for (size_t i = 0; i < st->n_log_groups; i++)
        if (!st->log_groups[i].pattern)
            return i;
    ck_abort_msg("the quickstart has no exact log group");
    return 0;
}

/**
 * Writes a snapshot of what AWS would hold after applying the quickstart, with the exact log
 * group kept @p retention_days (0: as desired) and the account @p account (NULL: the policy's).
 */
static void s_write_live(const char *path, int32_t retention_days, const char *account)
{
    char *json = lk_ir_state_to_json(g_desired);
    struct lk_ir_state *live = NULL;
    struct lk_error err = {0};
    ck_assert_msg(lk_ir_state_from_json(json, strlen(json), &live, &err) == LK_STATUS_OK, "%s",
                  err.message);
    free(json);
    for (size_t i = 0; i < live->n_buckets; i++)
        live->buckets[i].exists = true;
    for (size_t i = 0; i < live->n_trails; i++)
        live->trails[i].exists = true;
    /* Live state has no patterns: a pattern's groups are listed by name. */
    size_t k = 0;
    for (size_t i = 0; i < live->n_log_groups; i++) {
        if (live->log_groups[i].pattern)
            continue;
        live->log_groups[i].exists = true;
        live->log_groups[i].wanted_days = 0;
        live->log_groups[i].source = NULL;
        live->log_groups[k++] = live->log_groups[i];
    }
    live->n_log_groups = k;
    if (retention_days)
        live->log_groups[s_exact_group(live)].retention_days = retention_days;
    if (account)
        live->account = lk_ir_strdup(live, account);
    json = lk_ir_state_to_json(live);
    s_write(path, json);
    free(json);
    lk_ir_state_free(live);
}

static struct lk_session_options s_offline(const char *state_file)
{
    return (struct lk_session_options){.state_file = state_file};
}

/* Saves a plan made offline against a snapshot whose exact log group keeps 30 days. */
static const char *s_save_plan(void)
{
    const char *live = s_path("live.json"), *plan = s_path("plan.json");
    s_write_live(live, 30, NULL);
    struct lk_session_options o = s_offline(live);
    struct lk_session s;
    lk_session_init(&s, LK_SESSION_PLAN, &o);
    ck_assert_int_eq(lk_session_read(&s, g_desired, &g_arts), LK_STATUS_OK);
    ck_assert_int_eq(lk_session_build_plan(&s), LK_STATUS_OK);
    ck_assert_uint_eq(s.plan.n, 1);
    const char *paths[1] = {g_quickstart};
    ck_assert_int_eq(lk_session_save_plan(&s, plan, paths, 1), LK_STATUS_OK);
    ck_assert_ptr_null(s.message);
    lk_session_free(&s);
    return plan;
}

/* ------------------------------------------------------------------------------ snapshots */

/* apply's bucket-policy merge: foreign statements kept as they are and in their order, every
 * statement logkeep owns (new prefix and legacy Sids) replaced by the compiled ones. */
START_TEST(test_policy_merge)
{
    static const char live[] =
        "{\"Version\":\"2012-10-17\",\"Id\":\"org\",\"Statement\":["
        "{\"Sid\":\"OrgDeny\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\","
        "\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"aws:PrincipalOrgID\":\"o-1\"}}},"
        "{\"Sid\":\"DenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":\"*\","
        "\"Action\":\"s3:*\",\"Resource\":\"*\"},"
        "{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"delivery.logs.amazonaws.com\"},"
        "\"Action\":\"s3:PutObject\",\"Resource\":\"*\"},"
        "{\"Sid\":\"LogKeepOld\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\","
        "\"Resource\":\"*\"}]}";
    static const char compiled[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"LogKeepDenyInsecureTransport\","
        "\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}";
    char *out = NULL, why[256] = "";
    size_t n_foreign = 0;
    ck_assert_int_eq(
        lk_apply_merge_policy(live, compiled, strlen(compiled), &out, &n_foreign, why, sizeof(why)),
        LK_STATUS_OK);
    ck_assert_uint_eq(n_foreign, 2);
    ck_assert_str_eq(
        out, "{\"Version\":\"2012-10-17\",\"Id\":\"org\",\"Statement\":["
             "{\"Sid\":\"OrgDeny\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\","
             "\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"aws:PrincipalOrgID\":"
             "\"o-1\"}}},"
             "{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"delivery.logs.amazonaws.com\"},"
             "\"Action\":\"s3:PutObject\",\"Resource\":\"*\"},"
             "{\"Sid\":\"LogKeepDenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":\"*\","
             "\"Action\":\"s3:*\",\"Resource\":\"*\"}]}");
    free(out);

    /* No live policy: the compiled one. No compiled one and nothing foreign: no policy. */
    ck_assert_int_eq(
        lk_apply_merge_policy(NULL, compiled, strlen(compiled), &out, &n_foreign, why, sizeof(why)),
        LK_STATUS_OK);
    ck_assert_ptr_nonnull(strstr(out, "LogKeepDenyInsecureTransport"));
    free(out);
    static const char only_mine[] = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":"
                                    "\"ReadLogs\",\"Effect\":\"Allow\",\"Principal\":\"*\","
                                    "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}";
    ck_assert_int_eq(lk_apply_merge_policy(only_mine, NULL, 0, &out, &n_foreign, why, sizeof(why)),
                     LK_STATUS_OK);
    ck_assert_ptr_null(out);

    /* Over 20 KB once merged: refused, nothing to send. */
    size_t big_len = 24 * 1024;
    char *big = malloc(big_len + 256);
    ck_assert_ptr_nonnull(big);
    int n = snprintf(big, 256,
                     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Team\","
                     "\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:Get*\","
                     "\"Resource\":\"arn:aws:s3:::b/");
    memset(big + n, 'x', big_len);
    strcpy(big + n + big_len, "\"}]}");
    ck_assert_int_eq(
        lk_apply_merge_policy(big, compiled, strlen(compiled), &out, &n_foreign, why, sizeof(why)),
        LK_STATUS_TOO_LARGE);
    ck_assert_ptr_null(out);
    ck_assert_ptr_nonnull(strstr(why, "over S3's limit of 20480 bytes"));
    free(big);
    ck_assert_int_eq(lk_apply_merge_policy("[1]", compiled, strlen(compiled), &out, &n_foreign, why,
                                           sizeof(why)),
                     LK_STATUS_MALFORMED);
}
END_TEST

/* The guards that need no allow name of the diff. */
START_TEST(test_store_guards)
{
    struct lk_ir_state *d = lk_ir_state_new();
    char name0[] = "acme-logs", name1[] = "aws-controltower-logs-1-us-east-1";
    struct lk_ir_bucket b[2] = {{.name = name0}, {.name = name1}};
    d->buckets = b;
    d->n_buckets = 2;
    char msg[1024] = "";
    ck_assert(!lk_apply_check_control_tower(d, NULL, 0, msg, sizeof(msg)));
    ck_assert_ptr_nonnull(strstr(msg, "--allow control-tower:aws-controltower-logs-1-us-east-1"));
    const char *allow[] = {"control-tower:aws-controltower-logs-1-us-east-1"};
    ck_assert(lk_apply_check_control_tower(d, allow, 1, msg, sizeof(msg)));

    struct lk_ir_bucket lb = {.name = name0, .exists = true, .mfa_delete = true};
    struct lk_ir_state *l = lk_ir_state_new();
    l->buckets = &lb;
    l->n_buckets = 1;
    struct lk_apply_step step = {.op = LK_APPLY_PUT_LIFECYCLE, .name = "acme-logs"};
    struct lk_apply_plan plan = {.steps = &step, .n = 1};
    ck_assert(!lk_apply_check_mfa_delete(&plan, l, msg, sizeof(msg)));
    ck_assert_ptr_nonnull(strstr(msg, "MFA delete"));
    step.op = LK_APPLY_PUT_BUCKET_POLICY;
    ck_assert(lk_apply_check_mfa_delete(&plan, l, msg, sizeof(msg)));
    d->buckets = NULL;
    d->n_buckets = 0;
    l->buckets = NULL;
    l->n_buckets = 0;
    lk_ir_state_free(d);
    lk_ir_state_free(l);
}
END_TEST

START_TEST(test_drift_from_snapshot)
{
    const char *live = s_path("live.json");
    s_write_live(live, 0, NULL);
    struct lk_session_options o = s_offline(live);
    struct lk_session s;
    lk_session_init(&s, LK_SESSION_DRIFT, &o);
    ck_assert_int_eq(lk_session_read(&s, g_desired, NULL), LK_STATUS_OK);
    ck_assert_msg(!lk_session_has_drift(&s), "in sync expected, %zu changes", s.diff.n);
    lk_session_free(&s);

    /* Kept 30 days instead of the policy's: one change, weaker. */
    s_write_live(live, 30, NULL);
    lk_session_init(&s, LK_SESSION_DRIFT, &o);
    ck_assert_int_eq(lk_session_read(&s, g_desired, NULL), LK_STATUS_OK);
    ck_assert(lk_session_has_drift(&s));
    const char *name = g_desired->log_groups[s_exact_group(g_desired)].name;
    const struct lk_diff_change *ch =
        lk_diff_find(&s.diff, LK_DIFF_LOG_GROUP, name, "retention_days");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->direction, LK_DIFF_WEAKER);
    lk_session_free(&s);
}
END_TEST

START_TEST(test_snapshot_written_as_read)
{
    const char *live = s_path("live.json"), *out = s_path("again.json");
    s_write_live(live, 30, NULL);
    struct lk_session_options o = s_offline(live);
    struct lk_session s;
    lk_session_init(&s, LK_SESSION_SNAPSHOT, &o);
    ck_assert_int_eq(lk_session_read(&s, g_desired, NULL), LK_STATUS_OK);
    ck_assert_uint_eq(s.diff.n, 0); /* a snapshot session does not diff */
    ck_assert_int_eq(lk_session_write_snapshot(&s, out), LK_STATUS_OK);
    char *want = lk_ir_state_to_json(s.live);
    FILE *f = fopen(out, "r");
    ck_assert_ptr_nonnull(f);
    char *got = calloc(strlen(want) + 2, 1);
    size_t n = fread(got, 1, strlen(want) + 1, f);
    fclose(f);
    ck_assert_uint_eq(n, strlen(want));
    ck_assert_str_eq(got, want);
    free(got);
    free(want);

    ck_assert_int_eq(lk_session_write_snapshot(&s, "/nonexistent-dir/x.json"), LK_STATUS_IO);
    ck_assert_str_eq(s.message, "cannot write /nonexistent-dir/x.json: No such file or directory");
    lk_session_free(&s);
}
END_TEST

START_TEST(test_snapshot_refused)
{
    char want[8192];
    struct lk_session s;

    /* Another account's snapshot. */
    const char *other = s_path("other.json");
    s_write_live(other, 0, "999999999999");
    struct lk_session_options o = s_offline(other);
    lk_session_init(&s, LK_SESSION_DRIFT, &o);
    ck_assert_int_eq(lk_session_read(&s, g_desired, NULL), LK_STATUS_REFUSED);
    snprintf(want, sizeof(want),
             "%s is a snapshot of account 999999999999, but the policy is for account "
             "111122223333",
             other);
    ck_assert_str_eq(s.message, want);
    lk_session_free(&s);

    /* No such file. */
    const char *missing = s_path("missing.json");
    o = s_offline(missing);
    lk_session_init(&s, LK_SESSION_PLAN, &o);
    ck_assert_int_eq(lk_session_read(&s, g_desired, &g_arts), LK_STATUS_IO);
    snprintf(want, sizeof(want), "%s: No such file or directory", missing);
    ck_assert_str_eq(s.message, want);
    lk_session_free(&s);

    /* Not a state document: the reader's reason after the path. */
    const char *bad = s_path("bad.json");
    s_write(bad, "{\"format\": \"something else\"}");
    o = s_offline(bad);
    lk_session_init(&s, LK_SESSION_DRIFT, &o);
    ck_assert_int_eq(lk_session_read(&s, g_desired, NULL), LK_STATUS_UNSUPPORTED);
    snprintf(want, sizeof(want), "%s: ", bad);
    ck_assert_msg(!strncmp(s.message, want, strlen(want)) && strlen(s.message) > strlen(want),
                  "message: %s", s.message);
    lk_session_free(&s);
}
END_TEST

/* ------------------------------------------------------------------------------ plan files */

START_TEST(test_saved_plan_round_trip)
{
    const char *plan = s_save_plan();
    struct lk_session_options o = s_offline(s_path("live.json"));
    struct lk_session s;
    lk_session_init(&s, LK_SESSION_APPLY, &o);
    ck_assert_int_eq(lk_session_open_plan(&s, plan), LK_STATUS_OK);
    ck_assert_str_eq(s.saved_plan_path, plan);
    ck_assert_uint_eq(s.n_saved_policy_paths, 1);
    if (g_quickstart[0] == '/')
        ck_assert_str_eq(s.saved_policy_paths[0], g_quickstart);
    else
        ck_assert_str_eq(s.saved_policy_paths[0] + strlen(s.saved_policy_paths[0]) -
                             strlen(g_quickstart),
                         g_quickstart);
    /* Nothing moved: the same changes and calls. */
    ck_assert_int_eq(lk_session_read(&s, g_desired, &g_arts), LK_STATUS_OK);
    ck_assert_int_eq(lk_session_build_plan(&s), LK_STATUS_OK);
    ck_assert_uint_eq(s.plan.n, 1);
    ck_assert_int_eq(s.plan.steps[0].op, LK_APPLY_PUT_RETENTION);
    ck_assert_ptr_null(s.message);
    lk_session_free(&s);
}
END_TEST

/* A plan whose desired state is unchanged but whose payloads differ (another logkeep version)
 * is refused, naming the payloads, before anything is read. */
START_TEST(test_saved_plan_payloads_changed)
{
    const char *plan = s_save_plan();
    struct lk_session_options o = s_offline(s_path("missing.json")); /* never read */
    struct lk_session s;
    lk_session_init(&s, LK_SESSION_APPLY, &o);
    ck_assert_int_eq(lk_session_open_plan(&s, plan), LK_STATUS_OK);
    char *sha = g_arts.items[0].sha256;
    char saved = sha[0];
    sha[0] = saved == '0' ? '1' : '0';
    int rc = lk_session_read(&s, g_desired, &g_arts);
    sha[0] = saved;
    ck_assert_int_eq(rc, LK_STATUS_REFUSED);
    char want[8192];
    snprintf(want, sizeof(want),
             "refusing: the payloads differ from the plan's (%s); run plan again. Nothing was "
             "read or changed.\n  %s: payload differs",
             plan, g_arts.items[0].path);
    ck_assert_str_eq(s.message, want);
    ck_assert_ptr_null(s.live);
    lk_session_free(&s);
}
END_TEST

START_TEST(test_saved_plan_policy_changed)
{
    const char *plan = s_save_plan();
    struct lk_session_options o = s_offline(s_path("missing.json"));
    struct lk_session s;
    lk_session_init(&s, LK_SESSION_APPLY, &o);
    ck_assert_int_eq(lk_session_open_plan(&s, plan), LK_STATUS_OK);
    /* The desired state changes, its payloads (the artifacts given) do not. */
    int32_t *days = &g_desired->log_groups[s_exact_group(g_desired)].retention_days;
    int32_t saved = *days;
    *days = 365;
    int rc = lk_session_read(&s, g_desired, &g_arts);
    *days = saved;
    ck_assert_int_eq(rc, LK_STATUS_REFUSED);
    char want[8192];
    snprintf(want, sizeof(want),
             "refusing: the policy changed since the plan was made (%s); run plan again. "
             "Nothing was read or changed.\n  the desired state differs, though no payload does",
             plan);
    ck_assert_str_eq(s.message, want);
    lk_session_free(&s);
}
END_TEST

START_TEST(test_saved_plan_live_changed)
{
    const char *plan = s_save_plan();
    const char *live = s_path("live.json");
    s_write_live(live, 60, NULL);
    struct lk_session_options o = s_offline(live);
    struct lk_session s;
    lk_session_init(&s, LK_SESSION_APPLY, &o);
    ck_assert_int_eq(lk_session_open_plan(&s, plan), LK_STATUS_OK);
    ck_assert_int_eq(lk_session_read(&s, g_desired, &g_arts), LK_STATUS_REFUSED);
    const struct lk_ir_log_group *g = &g_desired->log_groups[s_exact_group(g_desired)];
    char want[8192];
    snprintf(want, sizeof(want),
             "refusing: live state changed since the plan was made; run plan again. Nothing "
             "was changed. What changed (at plan time -> now):\n  log_groups[%s %s]."
             "retention_days: 30 -> 60",
             g->region, g->name);
    ck_assert_str_eq(s.message, want);
    lk_session_free(&s);
}
END_TEST

/* The calls of the plan file edited: same states, other calls. */
START_TEST(test_saved_plan_calls_changed)
{
    const char *plan = s_save_plan();
    FILE *f = fopen(plan, "r");
    ck_assert_ptr_nonnull(f);
    char text[1 << 16];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    cJSON *root = cJSON_Parse(text);
    ck_assert_ptr_nonnull(root);
    cJSON *calls = cJSON_GetObjectItemCaseSensitive(root, "calls");
    cJSON_DeleteItemFromArray(calls, 0);
    char *edited = cJSON_Print(root);
    s_write(plan, edited);
    cJSON_free(edited);
    cJSON_Delete(root);

    struct lk_session_options o = s_offline(s_path("live.json"));
    struct lk_session s;
    lk_session_init(&s, LK_SESSION_APPLY, &o);
    ck_assert_int_eq(lk_session_open_plan(&s, plan), LK_STATUS_OK);
    ck_assert_int_eq(lk_session_read(&s, g_desired, &g_arts), LK_STATUS_OK);
    ck_assert_int_eq(lk_session_build_plan(&s), LK_STATUS_REFUSED);
    char want[8192];
    snprintf(want, sizeof(want),
             "refusing: the calls now differ from the plan's (%s); run plan again. Nothing was "
             "changed.",
             plan);
    ck_assert_str_eq(s.message, want);
    lk_session_free(&s);
}
END_TEST

START_TEST(test_open_plan_tells_plans)
{
    struct lk_session_options o = {0};
    struct lk_session s;
    char want[8192];
    /* Read as policies: not *.json, not JSON, no "format". */
    static const struct {
        const char *name, *text;
    } policies[] = {
        {"policy.yaml", "{\"format\": \"logkeep-plan\"}"},
        {"policy.json", "logkeep: 1\n"},
        {"object.json", "{\"logkeep\": 1}"},
    };
    for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
        const char *path = s_path(policies[i].name);
        s_write(path, policies[i].text);
        lk_session_init(&s, LK_SESSION_APPLY, &o);
        /* Not a plan: read it as a policy. */
        ck_assert_int_eq(lk_session_open_plan(&s, path), LK_STATUS_OK);
        ck_assert_ptr_null(s.saved_plan_path);
        ck_assert_ptr_null(s.message);
        lk_session_free(&s);
    }

    /* Refused, each with its reason. */
    static const struct {
        const char *text, *reason;
        enum lk_status status;
    } bad[] = {
        {"{\"format\": \"logkeep-state\"}",
         "not a plan file (\"format\" is logkeep-state, not \"logkeep-plan\")",
         LK_STATUS_UNSUPPORTED},
        {"{\"format\": \"logkeep-plan\", \"version\": 2}",
         "not a valid plan file: a plan version this logkeep cannot read (it reads version 1)",
         LK_STATUS_UNSUPPORTED},
        /* Cut short: cJSON points at the last of the 38 bytes (offset 37). */
        {"{\"format\": \"logkeep-plan\", \"version\": ",
         "not a valid plan file: JSON syntax error at byte 37 (damaged or cut short); run plan "
         "--out again",
         LK_STATUS_MALFORMED},
    };
    const char *path = s_path("bad.json");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        s_write(path, bad[i].text);
        lk_session_init(&s, LK_SESSION_APPLY, &o);
        ck_assert_int_eq(lk_session_open_plan(&s, path), bad[i].status);
        snprintf(want, sizeof(want), "%s: %s", path, bad[i].reason);
        ck_assert_str_eq(s.message, want);
        ck_assert_ptr_null(s.saved_plan_path);
        lk_session_free(&s);
    }

    /* Only an apply session reads plans. */
    lk_session_init(&s, LK_SESSION_PLAN, &o);
    ck_assert_int_eq(lk_session_open_plan(&s, path), LK_STATUS_INVALID_ARGUMENT);
    lk_session_free(&s);
}
END_TEST

START_TEST(test_save_plan_unwritable)
{
    const char *live = s_path("live.json");
    s_write_live(live, 30, NULL);
    struct lk_session_options o = s_offline(live);
    struct lk_session s;
    lk_session_init(&s, LK_SESSION_PLAN, &o);
    ck_assert_int_eq(lk_session_read(&s, g_desired, &g_arts), LK_STATUS_OK);
    ck_assert_int_eq(lk_session_build_plan(&s), LK_STATUS_OK);
    const char *paths[1] = {g_quickstart};
    ck_assert_int_eq(lk_session_save_plan(&s, "/nonexistent-dir/plan.json", paths, 1),
                     LK_STATUS_IO);
    ck_assert_str_eq(s.message,
                     "cannot write /nonexistent-dir/plan.json: No such file or directory");
    lk_session_free(&s);
}
END_TEST

/* ------------------------------------------------------------------------------ apply */

static int g_confirmed, g_started;

static bool s_confirm(void *ctx, const struct lk_session *s, char *why, size_t len)
{
    (void)ctx;
    (void)s;
    g_confirmed++;
    snprintf(why, len, "not applied");
    return false;
}

static void s_on_start(void *ctx, const struct lk_session *s)
{
    (void)ctx;
    (void)s;
    g_started++;
}

/* The guards run before the approval is asked: a change that shortens retention needs its
 * allow name; then, offline, the caller's identity is unknown. */
START_TEST(test_apply_guards)
{
    const char *live = s_path("live.json");
    s_write_live(live, 3653, NULL);
    const char *name = g_desired->log_groups[s_exact_group(g_desired)].name;
    char allow[512];
    snprintf(allow, sizeof(allow), "shorten-retention:%s", name);
    const char *allows[1] = {allow};
    struct lk_session_apply_hooks hooks = {.confirm = s_confirm, .on_start = s_on_start};
    g_confirmed = g_started = 0;

    struct lk_session_options o = s_offline(live);
    struct lk_session s;
    lk_session_init(&s, LK_SESSION_APPLY, &o);
    ck_assert_int_eq(lk_session_read(&s, g_desired, &g_arts), LK_STATUS_OK);
    ck_assert_int_eq(lk_session_build_plan(&s), LK_STATUS_OK);
    ck_assert_uint_eq(s.plan.n, 1);
    ck_assert_int_eq(lk_session_apply(&s, &hooks), LK_STATUS_REFUSED);
    char want[8192];
    snprintf(want, sizeof(want),
             "refusing: some changes can lose logs or reduce what is recorded; nothing was "
             "changed. To allow them, add:\n  --allow %s",
             allow);
    ck_assert_str_eq(s.message, want);
    lk_session_free(&s);

    o.allow = allows;
    o.n_allow = 1;
    lk_session_init(&s, LK_SESSION_APPLY, &o);
    ck_assert_int_eq(lk_session_read(&s, g_desired, &g_arts), LK_STATUS_OK);
    ck_assert_int_eq(lk_session_build_plan(&s), LK_STATUS_OK);
    ck_assert_int_eq(lk_session_apply(&s, &hooks), LK_STATUS_REFUSED);
    ck_assert_str_eq(s.message, "refusing: the caller's identity is unknown");
    ck_assert_int_eq(g_confirmed, 0);
    ck_assert_int_eq(g_started, 0);
    lk_session_free(&s);
}
END_TEST

/* Nothing to change: apply makes no call and asks nothing. */
START_TEST(test_apply_nothing)
{
    const char *live = s_path("live.json");
    s_write_live(live, 0, NULL);
    struct lk_session_options o = s_offline(live);
    struct lk_session s;
    struct lk_session_apply_hooks hooks = {.confirm = s_confirm, .on_start = s_on_start};
    g_confirmed = g_started = 0;
    lk_session_init(&s, LK_SESSION_APPLY, &o);
    ck_assert_int_eq(lk_session_read(&s, g_desired, &g_arts), LK_STATUS_OK);
    ck_assert_int_eq(lk_session_build_plan(&s), LK_STATUS_OK);
    ck_assert_uint_eq(s.plan.n, 0);
    ck_assert_int_eq(lk_session_apply(&s, &hooks), LK_STATUS_OK);
    ck_assert_int_eq(g_confirmed + g_started, 0);
    lk_session_free(&s);
}
END_TEST

int main(void)
{
    lk_runtime_init();
    Suite *s = suite_create("session");
    TCase *tc = tcase_create("offline");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_add_test(tc, test_policy_merge);
    tcase_add_test(tc, test_store_guards);
    tcase_add_test(tc, test_drift_from_snapshot);
    tcase_add_test(tc, test_snapshot_written_as_read);
    tcase_add_test(tc, test_snapshot_refused);
    tcase_add_test(tc, test_saved_plan_round_trip);
    tcase_add_test(tc, test_saved_plan_payloads_changed);
    tcase_add_test(tc, test_saved_plan_policy_changed);
    tcase_add_test(tc, test_saved_plan_live_changed);
    tcase_add_test(tc, test_saved_plan_calls_changed);
    tcase_add_test(tc, test_open_plan_tells_plans);
    tcase_add_test(tc, test_save_plan_unwritable);
    tcase_add_test(tc, test_apply_guards);
    tcase_add_test(tc, test_apply_nothing);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
