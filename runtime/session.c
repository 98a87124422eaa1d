/*
 * logkeep runtime: plan, apply, drift and snapshot sessions (see session.h). Plan files are in
 * session_plan.c.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/array.h"
#include "runtime/services/policy_json.h"
#include "runtime/services/s3.h"
#include "runtime/session_int.h"
#include "runtime/state_json.h"
#include "runtime/transport/credentials.h"
#include "runtime/transport/http.h"

void lk_runtime_init(void)
{
    lk_json_init();
}

/* ------------------------------------------------------------------------------ messages */

void lk_session_fail(struct lk_session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        lk_oom();
    char *msg = lk_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);
    free(s->message);
    s->message = msg;
}

void lk_session_fail_buf(struct lk_session *s, struct lk_buf *b)
{
    free(s->message);
    size_t len = 0;
    char *text = lk_buf_take(b, &len);
    if (!text) {
        /* The status still says what failed; only its detail was too long to keep. */
        s->message = lk_xstrdup("(the detail of this failure passed its size cap)");
        return;
    }
    if (len && text[len - 1] == '\n')
        text[len - 1] = '\0';
    s->message = text;
}

/* Runs @p write (lk_apply_report(), lk_apply_missing_allows(): writers to a stream) into
 * @p b. */
static void s_capture(struct lk_buf *b, void (*write)(void *ctx, FILE *f), void *ctx)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        lk_oom();
    write(ctx, f);
    if (fclose(f) != 0)
        lk_oom();
    lk_buf_append(b, text, len);
    free(text);
}

/* ------------------------------------------------------------------------------ files */

enum lk_status lk_session_read_file(struct lk_session *s, const char *path, size_t max,
                                    const char *what, struct lk_buf *b)
{
    if (!b->max_len || b->max_len > max)
        b->max_len = max; /* the file's bound */
    int err = 0;
    enum lk_status rc = lk_buf_read_file(b, path, &err);
    if (rc == LK_STATUS_TOO_LARGE)
        lk_session_fail(s, "%s: larger than a %s can be", path, what);
    else if (rc != LK_STATUS_OK)
        lk_session_fail(s, "%s: %s", path, err ? strerror(err) : "read error");
    return rc;
}

void lk_session_state_sha256(const struct lk_ir_state *st, char out[LK_SHA256_HEX_LEN + 1],
                             char **json_out)
{
    char *json = lk_ir_state_to_json(st);
    if (lk_sha256_hex(json, strlen(json), out) != 0) {
        /* OpenSSL fails only when it cannot allocate. */
        fputs("logkeep: SHA-256 failed\n", stderr);
        abort();
    }
    if (json_out)
        *json_out = json;
    else
        free(json);
}

/* Reads a snapshot written by lk_session_write_snapshot() into s->live (or the document the
 * options hold). */
static enum lk_status s_load_state(struct lk_session *s, const char *path)
{
    struct lk_error err = {0};
    if (s->opts.state_json) {
        enum lk_status rc =
            lk_ir_state_from_json(s->opts.state_json, s->opts.state_json_len, &s->live, &err);
        if (rc != LK_STATUS_OK)
            lk_session_fail(s, "%s: %s", path ? path : "state", err.message);
        return rc;
    }
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_DOCUMENT);
    enum lk_status rc = lk_session_read_file(s, path, LK_STATE_JSON_MAX_BYTES, "state file", &b);
    if (rc == LK_STATUS_OK &&
        (rc = lk_ir_state_from_json(lk_buf_cstr(&b), b.len, &s->live, &err)) != LK_STATUS_OK)
        lk_session_fail(s, "%s: %s", path, err.message);
    lk_buf_free(&b);
    return rc;
}

enum lk_status lk_session_write_snapshot(struct lk_session *s, const char *path)
{
    if (!s || !path || !s->live)
        return LK_STATUS_INVALID_ARGUMENT;
    char *json = lk_ir_state_to_json(s->live);
    FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    enum lk_status rc = LK_STATUS_IO;
    if (!f) {
        lk_session_fail(s, "cannot write %s: %s", path, strerror(errno));
        goto cleanup;
    }
    if (fputs(json, f) < 0 || (f != stdout && fclose(f) != 0) || (f == stdout && fflush(f))) {
        lk_session_fail(s, "cannot write %s: %s", path, strerror(errno));
        goto cleanup;
    }
    rc = LK_STATUS_OK;
cleanup:
    free(json);
    return rc;
}

/* ------------------------------------------------------------------------------ the session */

void lk_session_init(struct lk_session *s, enum lk_session_kind kind,
                     const struct lk_session_options *opts)
{
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    if (opts)
        s->opts = *opts;
    lk_diff_init(&s->diff);
    lk_apply_plan_init(&s->plan);
}

void lk_session_free(struct lk_session *s)
{
    if (!s)
        return;
    lk_session_saved_free(s->saved);
    free(s->saved_policy_paths);
    free(s->message);
    lk_apply_plan_free(&s->plan);
    lk_diff_free(&s->diff);
    lk_live_report_free(&s->report);
    lk_aws_error_clear(&s->error);
    if (s->have_client)
        lk_aws_client_free(&s->client);
    lk_ir_state_free(s->live);
    memset(s, 0, sizeof(*s));
}

/* Offline: the live state comes from a snapshot; no credentials, no requests. */
static enum lk_status s_read_snapshot(struct lk_session *s)
{
    const char *path = s->opts.state_file;
    enum lk_status rc = s_load_state(s, path);
    if (rc != LK_STATUS_OK)
        return rc;
    if (!path)
        path = "the snapshot";
    const struct lk_ir_state *desired = s->desired, *live = s->live;
    if (!live->account || !desired->account || strcmp(live->account, desired->account)) {
        lk_session_fail(s, "%s is a snapshot of account %s, but the policy is for account %s", path,
                        live->account ? live->account : "?",
                        desired->account ? desired->account : "?");
        return LK_STATUS_REFUSED;
    }
    lk_ir_canonicalize(s->live);
    /* A snapshot written with producers read lists their Regions (or holds some); one from
     * before, or of a policy without coverage, says nothing about them. */
    s->producers_read = live->producer_regions.n > 0 || live->n_producers > 0;
    return LK_STATUS_OK;
}

/* The status of a failed client set-up or read: that of s->error, LK_STATUS_AWS when it has
 * none. */
static enum lk_status s_aws_status(const struct lk_session *s)
{
    return s->error.status != LK_STATUS_OK ? s->error.status : LK_STATUS_AWS;
}

/* A client factory (lk_live_options.new_client) as lk_live_client_new(), whose credentials are
 * the session's given ones (s->opts.credentials) instead of the standard chain. */
static int s_client_with_credentials(void *ctx, struct lk_aws_client *out, struct lk_aws_error *err)
{
    const struct lk_session *s = ctx;
    struct lk_aws_config cfg;
    struct lk_http_vtable http;
    struct lk_aws_credential_provider prov;
    memset(&cfg, 0, sizeof(cfg));
    memset(out, 0, sizeof(*out));
    if (lk_aws_config_load(&s->client_options, &cfg, err) != LK_STATUS_OK)
        return -1;
    /* AWS_CA_BUNDLE, as lk_live_client_new() reads it. */
    struct lk_http_options hopts = {0};
    const char *ca_bundle = getenv("AWS_CA_BUNDLE");
    if (ca_bundle && ca_bundle[0])
        hopts.ca_file = ca_bundle;
    struct lk_error herr = {0};
    if (lk_http_curl_new(&hopts, &http, &herr) != LK_STATUS_OK) {
        lk_aws_error_clear(err);
        err->code = lk_xstrdup("logkeep.HttpClient");
        err->message = lk_xstrdup(herr.message[0] ? herr.message : "cannot start the HTTP client");
        err->status = LK_STATUS_NETWORK;
        lk_aws_config_free(&cfg);
        return -1;
    }
    lk_credentials_static_new(s->opts.credentials, &prov);
    if (lk_aws_client_init(out, &http, &prov, &cfg) != LK_STATUS_OK) {
        prov.destroy(prov.impl);
        http.destroy(http.impl);
        lk_aws_config_free(&cfg);
        lk_aws_error_clear(err);
        err->code = lk_xstrdup("logkeep.InvalidArgument");
        err->message = lk_xstrdup("cannot set up the AWS client");
        err->status = LK_STATUS_INVALID_ARGUMENT;
        return -1;
    }
    return 0;
}

/* Whether the read takes the producers of the coverage requirements (docs/language.md,
 * "Coverage and enable"): plan and drift report those that do not deliver, a snapshot keeps them
 * for an offline drift. apply reads them where it may act (a source with enable) and when it
 * applies a saved plan (whose live state, read by plan, holds them: the state must compare); else
 * it leaves them to plan and drift, calling nothing it does not need. */
static bool s_wants_producers(const struct lk_session *s)
{
    const struct lk_ir_state *desired = s->desired;
    if (desired->n_coverages == 0)
        return false;
    if (s->kind != LK_SESSION_APPLY || s->saved)
        return true;
    for (size_t i = 0; i < desired->n_coverages; i++)
        if (desired->coverages[i].enable)
            return true;
    return false;
}

static enum lk_status s_read_aws(struct lk_session *s)
{
    const struct lk_ir_state *desired = s->desired;
    char text[2048];
    /* The client, built as `logkeep whoami` builds it; the policy's region is the fallback. */
    s->client_options = (struct lk_aws_config_options){
        .region = s->opts.region,
        .endpoint_url = s->opts.endpoint_url,
        .profile = s->opts.profile,
        .fallback_region = desired->region,
        .debug = s->opts.debug,
    };
    int (*new_client)(void *, struct lk_aws_client *, struct lk_aws_error *) = lk_live_client_new;
    void *new_client_ctx = &s->client_options;
    if (s->opts.credentials) {
        new_client = s_client_with_credentials;
        new_client_ctx = s;
    }
    if (new_client(new_client_ctx, &s->client, &s->error) != 0) {
        lk_aws_error_format(&s->error, text, sizeof(text));
        lk_session_fail(s, "%s", text);
        return s_aws_status(s);
    }
    s->have_client = true;

    bool discover = s->kind == LK_SESSION_DRIFT || s->kind == LK_SESSION_SNAPSHOT;
    s->live = lk_ir_state_new();
    struct lk_live_options lopts = {
        .concurrency = s->opts.concurrency,
        /* plan and apply list every log group too when the policy's unmanaged rule sets their
         * retention. */
        .discover_unmanaged = discover || desired->unmanaged_set,
        .discover_stores = discover,
        /* The account guard: the reader stops after GetCallerIdentity, before reading (let
         * alone writing) anything in another account. */
        .expected_account = desired->account,
        /* apply must not report success past a key policy it could not read. */
        .keys_required = s->kind == LK_SESSION_APPLY,
        .new_client = new_client,
        .new_client_ctx = new_client_ctx,
        .progress = s->opts.progress,
        .progress_ctx = s->opts.progress_ctx,
        .read_producers = s_wants_producers(s),
    };
    s->producers_read = lopts.read_producers;
    if (lk_live_read(&s->client, desired, &lopts, s->live, &s->report, &s->error) != 0) {
        if (s->error.code && !strcmp(s->error.code, LK_LIVE_WRONG_ACCOUNT)) {
            lk_session_fail(s,
                            "refusing: the credentials belong to account %s (%s), but the "
                            "policy is for account %s; nothing was changed",
                            s->report.account ? s->report.account : "?",
                            s->report.arn ? s->report.arn : "?",
                            desired->account ? desired->account : "?");
            return LK_STATUS_REFUSED;
        }
        lk_live_error_format(&s->report, &s->error, text, sizeof(text));
        lk_session_fail(s, "%s", text);
        return s_aws_status(s);
    }
    return LK_STATUS_OK;
}

static enum lk_status s_diff(struct lk_session *s)
{
    const struct lk_ir_state *desired = s->desired, *live = s->live;
    LK_GUARD(lk_diff_states(desired, live, &s->diff));
    /* Unmanaged log groups: drift reports them; plan and apply set the unmanaged rule's
     * retention. */
    if (s->kind == LK_SESSION_DRIFT || desired->unmanaged_set)
        LK_GUARD(
            lk_diff_log_groups_unmanaged(desired, live->log_groups, live->n_log_groups, &s->diff));
    /* Buckets receiving logs outside the policy: reported, never changed. */
    if (s->kind == LK_SESSION_DRIFT)
        LK_GUARD(lk_diff_stores_unmanaged(desired, live->unmanaged_stores, live->n_unmanaged_stores,
                                          &s->diff));
    /* Producers that do not deliver where the policy's sources say (read above, or kept in the
     * snapshot). */
    if (desired->n_coverages > 0 && s->producers_read)
        LK_GUARD(lk_diff_coverage(desired, live, &s->diff));
    /* Exclusions and IDs naming no producer: notes (runtime/org.c says why, and decides them
     * over every pair of an organisation). */
    if (desired->n_coverages > 0 && s->producers_read && !s->opts.org_pair)
        LK_GUARD(lk_diff_coverage_stale(&desired, &live, 1, &s->diff));
    return LK_STATUS_OK;
}

/* ------------------------------------------------------------------------------ data loss */

/* @return whether @p ch needs an allowance that the bucket's contents decide:
 * "expire-earlier:<bucket>/<rule>", "replace-lifecycle:<bucket>", "lock:<bucket>". */
static bool s_contents_guard(const struct lk_diff_change *ch)
{
    if (!ch->data_loss || !ch->allow_name || ch->resource != LK_DIFF_BUCKET)
        return false;
    static const char *const verbs[] = {"expire-earlier:", "replace-lifecycle:", "lock:"};
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        if (!strncmp(ch->allow_name, verbs[i], strlen(verbs[i])))
            return true;
    return false;
}

/*
 * Whether a guard must fire depends on what applying would destroy, not only on the shape of
 * the change: a lifecycle that expires earlier, or replaces rules logkeep cannot read, deletes
 * nothing in a bucket that holds no object version and no delete marker (a bucket created by
 * an apply that stopped early, for one); a default retention turned on there binds nothing yet,
 * as in a new bucket. So, for the buckets where such a guard would fire, and only for them (a
 * clean diff makes no call), ListObjectVersions with max-keys=1 decides: empty lifts the guard
 * and says why in the change's note. A failed read keeps the guard. The check and the apply are
 * not atomic: an object written between them is under the new lifecycle, as any object
 * written after an allowed apply.
 */
static void s_judge_data_loss(struct lk_session *s)
{
    struct lk_diff *diff = &s->diff;
    /* The buckets read: the first guarded change of a bucket reads it and judges all of its
     * changes. */
    const char **seen = NULL;
    size_t n_seen = 0, cap_seen = 0;
    for (size_t i = 0; i < diff->n; i++) {
        const struct lk_diff_change *ch = &diff->changes[i];
        if (!s_contents_guard(ch))
            continue;
        bool judged = false;
        for (size_t k = 0; k < n_seen && !judged; k++)
            judged = !strcmp(seen[k], ch->name);
        if (judged)
            continue;
        LK_ARRAY_GROW(seen, n_seen, cap_seen);
        seen[n_seen++] = ch->name;
        const char *bucket = ch->name, *region = ch->region;
        for (size_t k = 0; k < s->live->n_buckets; k++)
            if (!strcmp(s->live->buckets[k].name, bucket) && s->live->buckets[k].region)
                region = s->live->buckets[k].region;
        bool holds = true;
        lk_aws_error_clear(&s->error);
        enum lk_status rc = lk_s3_holds_versions(&s->client, bucket, region, &holds, &s->error);
        char *why = rc == LK_STATUS_OK ? NULL
                                       : lk_arena_printf(&diff->arena,
                                                         "could not tell whether the bucket is "
                                                         "empty (%s): the guard stays",
                                                         s->error.code ? s->error.code : "error");
        lk_aws_error_clear(&s->error);
        if (holds && !why)
            continue;
        for (size_t k = i; k < diff->n; k++) {
            struct lk_diff_change *c = &diff->changes[k];
            if (!s_contents_guard(c) || strcmp(c->name, bucket) != 0)
                continue;
            if (why) {
                c->note = c->note ? lk_arena_printf(&diff->arena, "%s; %s", c->note, why) : why;
                continue;
            }
            bool lock = !strncmp(c->allow_name, "lock:", 5);
            const char *lifted = lock ? "bucket is empty: nothing is stored under the lock yet, as "
                                        "in a new bucket"
                                      : "bucket is empty: nothing to lose";
            c->note = c->note ? lk_arena_printf(&diff->arena, "%s; %s", lifted, c->note)
                              : lk_arena_strdup(&diff->arena, lifted);
            c->data_loss = false;
            c->allow_name = NULL;
        }
    }
    free(seen);
}

/* "None of the log events in the batch can be more than 14 days in the past." (CloudWatch Logs
 * API Reference, PutLogEvents): a group holds no event older than its age plus this. */
#define S_LOG_EVENT_MAX_AGE_MS ((int64_t)14 * 86400 * 1000)

/*
 * The same judgement for a log group whose retention becomes finite or shorter
 * (shorten-retention:<group>): a retention of N days deletes the events older than N days, and a
 * group created less than N days ago, minus the 14 days an event may arrive late, holds none
 * (a group an interrupted apply created, for one). Its creation time is read only for the
 * changes that need it.
 */
static void s_judge_log_groups(struct lk_session *s)
{
    struct lk_diff *diff = &s->diff;
    int64_t now_ms = (int64_t)time(NULL) * 1000;
    for (size_t i = 0; i < diff->n; i++) {
        struct lk_diff_change *ch = &diff->changes[i];
        if (ch->resource != LK_DIFF_LOG_GROUP || !ch->data_loss || !ch->allow_name ||
            strncmp(ch->allow_name, "shorten-retention:", 18) != 0 ||
            strcmp(ch->attribute, "retention_days") != 0 || !ch->desired)
            continue;
        int days = atoi(ch->desired); /* "90 days" (lk_diff_days_str()); "never expire": 0 */
        if (days <= 0)
            continue;
        int64_t created_ms = -1;
        lk_aws_error_clear(&s->error);
        enum lk_status rc =
            lk_live_log_group_created(&s->client, ch->name, ch->region, &created_ms, &s->error);
        lk_aws_error_clear(&s->error);
        if (rc != LK_STATUS_OK || created_ms < 0)
            continue;
        /* A creation time ahead of this clock (a group created within this second, clock
         * skew) is a group created now. */
        int64_t age_ms = created_ms < now_ms ? now_ms - created_ms : 0;
        int64_t oldest_ms = age_ms + S_LOG_EVENT_MAX_AGE_MS;
        if (oldest_ms >= (int64_t)days * 86400 * 1000)
            continue;
        ch->note = lk_arena_printf(&diff->arena,
                                   "log group is new (created %lld days ago): no event in it is "
                                   "older than %d days: nothing to lose",
                                   (long long)(age_ms / (86400 * 1000)), days);
        ch->data_loss = false;
        ch->allow_name = NULL;
    }
}

enum lk_status lk_session_read(struct lk_session *s, const struct lk_ir_state *desired,
                               const struct lk_artifacts *artifacts)
{
    if (!s || !desired || s->live || (s->saved && !artifacts))
        return LK_STATUS_INVALID_ARGUMENT;
    s->desired = desired;
    s->artifacts = artifacts;
    enum lk_status rc;
    /* Before any call: not even a read of a bucket Control Tower manages without the allow. */
    if (s->kind == LK_SESSION_APPLY) {
        char text[2048];
        if (!lk_apply_check_control_tower(desired, s->opts.allow, s->opts.n_allow, text,
                                          sizeof(text))) {
            lk_session_fail(s, "refusing: %s", text);
            return LK_STATUS_REFUSED;
        }
    }
    if (s->saved && (rc = lk_session_saved_check_desired(s)) != LK_STATUS_OK)
        return rc;
    rc = s->opts.state_file || s->opts.state_json ? s_read_snapshot(s) : s_read_aws(s);
    if (rc != LK_STATUS_OK || s->kind == LK_SESSION_SNAPSHOT)
        return rc;
    if (s->saved && (rc = lk_session_saved_check_live(s)) != LK_STATUS_OK)
        return rc;
    if ((rc = s_diff(s)) != LK_STATUS_OK)
        return rc;
    if ((s->kind == LK_SESSION_PLAN || s->kind == LK_SESSION_APPLY) && s->have_client) {
        s_judge_data_loss(s);
        s_judge_log_groups(s);
    }
    return LK_STATUS_OK;
}

bool lk_session_has_drift(const struct lk_session *s)
{
    struct lk_diff_summary sum;
    lk_diff_summarize(&s->diff, &sum);
    return sum.to_add + sum.to_change + sum.to_remove > 0;
}

void lk_session_utc_now(char when[32])
{
    when[0] = '\0';
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(when, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void lk_session_report_context(const struct lk_session *s, const char *const *policy_paths,
                               size_t n_policy_paths, const char *when,
                               struct lk_report_context *ctx)
{
    const struct lk_ir_state *desired = s->desired, *live = s->live;
    *ctx = (struct lk_report_context){
        .account = desired->account,
        .region = desired->region,
        .partition = desired->partition,
        .policy_paths = policy_paths,
        .n_policy_paths = n_policy_paths,
        .resources_read =
            live->n_buckets + live->n_trails + live->n_log_groups + live->n_unmanaged_stores,
        .unmanaged_log_groups = s->report.n_unmanaged,
        .unmanaged_stores = live->n_unmanaged_stores,
        .generated_at = when,
        .tool_version = PACKAGE_VERSION,
        .desired = desired,
        .color = false,
        .markdown_max_bytes = s->opts.markdown_max_bytes,
        .full_report = s->opts.full_report,
    };
}

enum lk_status lk_session_render(const struct lk_session *s, enum lk_report_format fmt, bool color,
                                 const char *const *policy_paths, size_t n_policy_paths, FILE *out)
{
    if (!s || !s->live || !out)
        return LK_STATUS_INVALID_ARGUMENT;
    if (fmt == LK_REPORT_TEXT)
        return lk_diff_render_text_for(&s->diff, s->desired->account, out, color);
    char when[32];
    lk_session_utc_now(when);
    struct lk_report_context ctx;
    lk_session_report_context(s, policy_paths, n_policy_paths, when, &ctx);
    return lk_report_render(&s->diff, &ctx, fmt, out);
}

enum lk_status lk_session_build_plan(struct lk_session *s)
{
    if (!s || !s->live || !s->artifacts || s->plan.n)
        return LK_STATUS_INVALID_ARGUMENT;
    LK_GUARD(lk_apply_plan_build(s->desired, &s->diff, s->artifacts, &s->plan));
    LK_GUARD(lk_apply_plan_build_coverage(s->desired, s->live, &s->diff, &s->plan));
    return s->saved ? lk_session_saved_check_calls(s) : LK_STATUS_OK;
}

/* ------------------------------------------------------------------------------ apply */

static void s_write_missing_allows(void *ctx, FILE *f)
{
    const struct lk_session *s = ctx;
    lk_apply_missing_allows(&s->diff, s->opts.allow, s->opts.n_allow, f);
}

static void s_write_apply_report(void *ctx, FILE *f)
{
    const struct lk_session *s = ctx;
    lk_apply_report(&s->plan, f);
}

/* Every guard, before the first write. @return LK_STATUS_OK, or LK_STATUS_REFUSED with a
 * message. */
static enum lk_status s_guard(struct lk_session *s)
{
    char text[2048];
    if (!lk_apply_check_mfa_delete(&s->plan, s->live, text, sizeof(text))) {
        lk_session_fail(s, "refusing: %s; nothing was changed", text);
        return LK_STATUS_REFUSED;
    }
    if (lk_apply_missing_allows(&s->diff, s->opts.allow, s->opts.n_allow, NULL) > 0) {
        struct lk_buf b;
        lk_buf_init(&b, LK_BUF_MAX_LINE);
        lk_buf_puts(&b, "refusing: some changes can lose logs or reduce what is recorded; "
                        "nothing was changed. To allow them, add:\n");
        s_capture(&b, s_write_missing_allows, s);
        lk_session_fail_buf(s, &b);
        return LK_STATUS_REFUSED;
    }
    if (!s->report.arn) {
        lk_session_fail(s, "refusing: the caller's identity is unknown");
        return LK_STATUS_REFUSED;
    }
    if (!lk_apply_check_lockout(s->desired, s->report.arn, text, sizeof(text))) {
        lk_session_fail(s, "refusing: %s; nothing was changed", text);
        return LK_STATUS_REFUSED;
    }
    return LK_STATUS_OK;
}

enum lk_status lk_session_check_guards(struct lk_session *s)
{
    if (!s || !s->live || s->kind != LK_SESSION_APPLY)
        return LK_STATUS_INVALID_ARGUMENT;
    return s->plan.n == 0 ? LK_STATUS_OK : s_guard(s);
}

enum lk_status lk_session_apply(struct lk_session *s, const struct lk_session_apply_hooks *hooks)
{
    static const struct lk_session_apply_hooks none = {0};
    if (!s || !s->live || s->kind != LK_SESSION_APPLY)
        return LK_STATUS_INVALID_ARGUMENT;
    if (!hooks)
        hooks = &none;
    if (s->plan.n == 0)
        return LK_STATUS_OK;
    enum lk_status rc = s_guard(s);
    if (rc != LK_STATUS_OK)
        return rc;
    if (!s->have_client)
        return LK_STATUS_INVALID_ARGUMENT; /* a caller's identity (the guard) comes only from AWS */
    /* A saved plan is the approval: the checks of lk_session_read() and
     * lk_session_build_plan() ensured it is still exactly what will happen. */
    if (!s->saved && !s->opts.approved) {
        char why[512] = "refusing: not approved";
        if (!hooks->confirm || !hooks->confirm(hooks->ctx, s, why, sizeof(why))) {
            why[sizeof(why) - 1] = '\0';
            lk_session_fail(s, "%s", why);
            return LK_STATUS_REFUSED;
        }
    }
    if (hooks->on_start)
        hooks->on_start(hooks->ctx, s);
    lk_aws_error_clear(&s->error);
    /* The caller the read named (GetCallerIdentity, the guards above): the key policy merge
     * needs no second call to learn it. */
    if (!s->plan.caller_arn && s->report.arn && s->report.account) {
        s->plan.caller_arn = lk_xstrdup(s->report.arn);
        s->plan.caller_account = lk_xstrdup(s->report.account);
    }
    rc = lk_apply_execute(&s->client, &s->plan, hooks->on_step, hooks->ctx, &s->error);
    if (rc != LK_STATUS_OK) {
        char text[2048];
        lk_aws_error_format(&s->error, text, sizeof(text));
        /* A line per call: as many as the plan has. */
        struct lk_buf b;
        lk_buf_init(&b, LK_BUF_MAX_REPORT);
        lk_buf_printf(&b, "stopped at the first failed call: %s\nWhat was and was not applied:\n",
                      text);
        s_capture(&b, s_write_apply_report, s);
        lk_buf_puts(&b, "Run apply again to converge: it recomputes the changes from live "
                        "state.\n");
        lk_session_fail_buf(s, &b);
        return rc;
    }
    return LK_STATUS_OK;
}
