/*
 * logkeep runtime: runs over an organisation's (account, Region) pairs (see org.h).
 */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/arena.h"
#include "common/array.h"
#include "common/buf.h"
#include "common/json.h"
#include "runtime/live.h"
#include "runtime/org.h"
#include "runtime/services/organizations.h"
#include "runtime/services/sts.h"
#include "runtime/state_json.h"
#include "runtime/transport/credentials.h"
#include "runtime/transport/http.h"

/* The credentials of one account, assumed once and shared by its pairs. */
struct lk_org_run_account {
    const char *id;        /* borrowed from the scope */
    const char *partition; /* borrowed from a pair's state */
    const char *region;    /* borrowed: the Region of its first pair (STS is regional) */
    pthread_mutex_t lock;  /* held while the role is assumed */
    bool done;
    bool failed;
    char *error; /* owned: why the role could not be assumed */
    struct lk_aws_credentials creds;
};

/* Largest organisation snapshot read: one state document per pair, each at most
 * LK_STATE_JSON_MAX_BYTES; this bounds the whole to what LK_BUF_MAX_DOCUMENT holds. */
#define S_ORG_STATE_MAX_BYTES LK_BUF_MAX_DOCUMENT

/* The label of a pair in messages: "<account-name> (<account-id>) <region>". */
#define S_PAIR_FMT "%s (%s) %s"
#define S_PAIR_ARGS(ip) (ip)->account_name, (ip)->account, (ip)->region
/* Pairs named when a plan's pairs differ from the run's; the rest are counted. */
#define S_NAMED_PAIRS 20

static char *s_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *s_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        lk_oom();
    char *out = lk_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}

static void s_run_fail(struct lk_org_run *run, char *msg)
{
    free(run->message);
    run->message = msg;
}

static void s_pair_fail(struct lk_org_pair *p, char *msg)
{
    free(p->error);
    p->error = msg;
    p->failed = true;
}

/* The session's message (or a status name) as the pair's error. */
static void s_pair_fail_session(struct lk_org_pair *p, enum lk_status rc)
{
    s_pair_fail(p, lk_xstrdup(p->session.message ? p->session.message : lk_status_name(rc)));
}

/* ------------------------------------------------------------------------------ clients */

/* A client for @p copts whose credentials are @p creds (static), or the standard chain when
 * @p creds is NULL. @return LK_STATUS_OK, or the failure with @p err set. */
static enum lk_status s_client(const struct lk_aws_config_options *copts,
                               const struct lk_aws_credentials *creds, struct lk_aws_client *out,
                               struct lk_aws_error *err)
{
    if (!creds) {
        struct lk_aws_config_options o = *copts;
        if (lk_live_client_new(&o, out, err) == 0)
            return LK_STATUS_OK;
        return err->status != LK_STATUS_OK ? err->status : LK_STATUS_AWS;
    }
    struct lk_aws_config cfg;
    struct lk_http_vtable http;
    struct lk_aws_credential_provider prov;
    memset(&cfg, 0, sizeof(cfg));
    memset(out, 0, sizeof(*out));
    enum lk_status rc = lk_aws_config_load(copts, &cfg, err);
    if (rc != LK_STATUS_OK)
        return rc;
    struct lk_http_options hopts = {0};
    const char *ca_bundle = getenv("AWS_CA_BUNDLE");
    if (ca_bundle && ca_bundle[0])
        hopts.ca_file = ca_bundle;
    struct lk_error herr = {0};
    if ((rc = lk_http_curl_new(&hopts, &http, &herr)) != LK_STATUS_OK) {
        lk_aws_error_clear(err);
        err->code = lk_xstrdup("logkeep.HttpClient");
        err->message = lk_xstrdup(herr.message);
        err->status = rc;
        lk_aws_config_free(&cfg);
        return rc;
    }
    lk_credentials_static_new(creds, &prov);
    if ((rc = lk_aws_client_init(out, &http, &prov, &cfg)) != LK_STATUS_OK) {
        prov.destroy(prov.impl);
        http.destroy(http.impl);
        lk_aws_config_free(&cfg);
        return lk_aws_error_invalid(err, "client", "cannot set up the AWS client");
    }
    return LK_STATUS_OK;
}

static char *s_error_text(const struct lk_aws_error *err)
{
    char text[2048];
    lk_aws_error_format(err, text, sizeof(text));
    return lk_xstrdup(text);
}

enum lk_status lk_org_base_credentials(const struct lk_aws_config_options *copts,
                                       struct lk_aws_credentials *out, char **message)
{
    struct lk_aws_client client;
    struct lk_aws_error err = {0};
    *message = NULL;
    memset(out, 0, sizeof(*out));
    enum lk_status rc = s_client(copts, NULL, &client, &err);
    if (rc != LK_STATUS_OK) {
        *message = s_error_text(&err);
        lk_aws_error_clear(&err);
        return rc;
    }
    rc = client.creds.get(client.creds.impl, out, &err);
    if (rc != LK_STATUS_OK) {
        *message = s_printf("no credentials: %s", err.message ? err.message : lk_status_name(rc));
        lk_aws_credentials_clear(out);
    }
    lk_aws_error_clear(&err);
    lk_aws_client_free(&client);
    return rc;
}

enum lk_status lk_org_assume_role(const struct lk_aws_config_options *copts,
                                  const struct lk_aws_credentials *base, const char *partition,
                                  const char *account, const char *role, const char *external_id,
                                  const char *session_name, const char *region,
                                  struct lk_aws_credentials *out, char **message)
{
    struct lk_aws_config_options o = copts ? *copts : (struct lk_aws_config_options){0};
    o.region = region;
    struct lk_aws_client client;
    struct lk_aws_error err = {0};
    *message = NULL;
    memset(out, 0, sizeof(*out));
    char *arn = s_printf("arn:%s:iam::%s:role/%s", partition ? partition : "aws", account, role);
    enum lk_status rc = s_client(&o, base, &client, &err);
    if (rc == LK_STATUS_OK) {
        struct lk_credentials_assume_role_params p = {
            .role_arn = arn,
            .role_session_name = session_name ? session_name : LK_ORG_DEFAULT_SESSION_NAME,
            .external_id = external_id,
        };
        if (lk_sts_assume_role(&client, &p, out, &err) != 0)
            rc = err.status != LK_STATUS_OK ? err.status : LK_STATUS_AWS;
        lk_aws_client_free(&client);
    }
    if (rc != LK_STATUS_OK) {
        char *text = s_error_text(&err);
        *message = s_printf("cannot assume %s: %s", arn, text);
        free(text);
        lk_aws_credentials_clear(out);
    }
    lk_aws_error_clear(&err);
    free(arn);
    return rc;
}

enum lk_status lk_org_resolve_ids(const struct lk_aws_config_options *copts,
                                  const struct lk_aws_credentials *creds, const char *ou_id,
                                  char ***ids, size_t *n_ids, char **message)
{
    struct lk_aws_client client;
    struct lk_aws_error err = {0};
    *ids = NULL;
    *n_ids = 0;
    *message = NULL;
    enum lk_status rc = s_client(copts, creds, &client, &err);
    if (rc != LK_STATUS_OK) {
        *message = s_error_text(&err);
        lk_aws_error_clear(&err);
        return rc;
    }
    struct lk_arena arena;
    lk_arena_init(&arena);
    struct lk_org_account *accounts = NULL;
    size_t n = 0;
    rc = lk_org_resolve_active_accounts(&client, ou_id, &arena, &accounts, &n, &err);
    if (rc == LK_STATUS_OK) {
        *ids = lk_xcalloc(n ? n : 1, sizeof(**ids));
        for (size_t i = 0; i < n; i++)
            (*ids)[i] = lk_xstrdup(accounts[i].id);
        *n_ids = n;
    } else {
        char *text = s_error_text(&err);
        *message = s_printf("cannot list the accounts of %s: %s",
                            ou_id ? ou_id : "the organization", text);
        free(text);
    }
    lk_arena_destroy(&arena);
    lk_aws_error_clear(&err);
    lk_aws_client_free(&client);
    return rc;
}

void lk_org_ids_free(char **ids, size_t n_ids)
{
    for (size_t i = 0; i < n_ids; i++)
        free(ids[i]);
    free(ids);
}

/* ------------------------------------------------------------------------------ the run */

unsigned lk_org_shard_of(const char *account, const char *region, unsigned count)
{
    if (!count)
        return 0;
    /* FNV-1a, 64 bits (http://www.isthe.com/chongo/tech/comp/fnv/): fixed, portable, and
     * independent of the position of the pair in the policy. */
    uint64_t h = 14695981039346656037ULL;
    const char *parts[3] = {account ? account : "", "/", region ? region : ""};
    for (size_t k = 0; k < 3; k++)
        for (const unsigned char *c = (const unsigned char *)parts[k]; *c; c++) {
            h ^= *c;
            h *= 1099511628211ULL;
        }
    return (unsigned)(h % count);
}

/* ------------------------------------------------------------------------------ progress */

static int64_t s_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Calls the run's progress callback with the pairs read and the sum of the pairs' counters.
 * The caller holds progress_lock. */
static void s_progress_report(struct lk_org_run *run)
{
    if (!run->opts.progress)
        return;
    struct lk_org_progress pr = {
        .pairs_done = run->pairs_read,
        .pairs_total = run->pairs_to_read,
        .elapsed_ms = s_mono_ms() - run->read_start_ms,
    };
    for (size_t i = 0; i < run->n_pairs; i++) {
        pr.pages += run->pairs[i].pages;
        pr.requests += run->pairs[i].requests;
        pr.throttled += run->pairs[i].throttled;
    }
    run->opts.progress(run->opts.progress_ctx, &pr);
}

/* A pair's live read progress (lk_session_options.progress): keeps its counters and reports
 * the run's sums. */
static void s_pair_progress(void *ctx, const struct lk_live_progress *lp)
{
    struct lk_org_pair *p = ctx;
    struct lk_org_run *run = p->run;
    pthread_mutex_lock(&run->progress_lock);
    p->pages = lp->pages;
    p->requests = lp->requests;
    p->throttled = lp->throttled;
    s_progress_report(run);
    pthread_mutex_unlock(&run->progress_lock);
}

static void s_read_pair_run(struct lk_org_run *run, struct lk_org_pair *p);

void lk_org_run_init(struct lk_org_run *run, enum lk_session_kind kind,
                     const struct lk_org_options *opts, const struct lk_ir_scope *scope)
{
    memset(run, 0, sizeof(*run));
    run->kind = kind;
    if (opts)
        run->opts = *opts;
    run->scope = scope;
    pthread_mutex_init(&run->lock, NULL);
    pthread_mutex_init(&run->progress_lock, NULL);
    size_t n = scope ? scope->n_pairs : 0;
    run->pairs = lk_xcalloc(n ? n : 1, sizeof(*run->pairs));
    run->accounts = lk_xcalloc(n ? n : 1, sizeof(*run->accounts));
    run->n_pairs = 0;
    for (size_t i = 0; i < n; i++) {
        const struct lk_ir_pair *ip = &scope->pairs[i];
        if (run->opts.shard_count &&
            lk_org_shard_of(ip->account, ip->region, run->opts.shard_count) !=
                run->opts.shard_index)
            continue;
        struct lk_org_pair *p = &run->pairs[run->n_pairs++];
        p->pair = ip;
        struct lk_session_options so = run->opts.session;
        so.region = ip->region;
        /* Pairs run concurrently: one line cannot show each; their counters are summed into the
         * run's progress (s_pair_progress()). */
        p->run = run;
        so.progress = run->opts.progress ? s_pair_progress : NULL;
        so.progress_ctx = p;
        so.state_file = NULL;
        so.org_pair = true;
        lk_session_init(&p->session, kind, &so);
        bool known = false;
        for (size_t k = 0; k < run->n_accounts && !known; k++)
            known = !strcmp(run->accounts[k].id, ip->account);
        if (!known) {
            struct lk_org_run_account *a = &run->accounts[run->n_accounts++];
            a->id = ip->account;
            a->partition = ip->state && ip->state->partition ? ip->state->partition : "aws";
            a->region = ip->region;
            pthread_mutex_init(&a->lock, NULL);
        }
    }
}

void lk_org_run_free(struct lk_org_run *run)
{
    if (!run)
        return;
    for (size_t i = 0; i < run->n_pairs; i++) {
        lk_session_free(&run->pairs[i].session);
        free(run->pairs[i].error);
        free(run->pairs[i].state_doc);
    }
    for (size_t i = 0; i < run->n_accounts; i++) {
        pthread_mutex_destroy(&run->accounts[i].lock);
        free(run->accounts[i].error);
        lk_aws_credentials_clear(&run->accounts[i].creds);
    }
    free(run->pairs);
    free(run->accounts);
    free(run->message);
    if (run->have_base)
        lk_aws_credentials_clear(&run->base);
    pthread_mutex_destroy(&run->lock);
    pthread_mutex_destroy(&run->progress_lock);
    memset(run, 0, sizeof(*run));
}

/* Runs @p fn over every pair for which @p want says so, at most pairs_at_once at a time. */
struct s_pool {
    struct lk_org_run *run;
    void (*fn)(struct lk_org_run *run, struct lk_org_pair *p, void *ctx);
    bool (*want)(const struct lk_org_pair *p);
    void *ctx;
    pthread_mutex_t lock;
    size_t next;
};

static void *s_worker(void *arg)
{
    struct s_pool *pool = arg;
    for (;;) {
        pthread_mutex_lock(&pool->lock);
        size_t i = pool->next;
        while (i < pool->run->n_pairs && !pool->want(&pool->run->pairs[i]))
            i++;
        pool->next = i + 1;
        pthread_mutex_unlock(&pool->lock);
        if (i >= pool->run->n_pairs)
            return NULL;
        pool->fn(pool->run, &pool->run->pairs[i], pool->ctx);
    }
}

static void s_for_pairs(struct lk_org_run *run, bool (*want)(const struct lk_org_pair *p),
                        void (*fn)(struct lk_org_run *run, struct lk_org_pair *p, void *ctx),
                        void *ctx)
{
    struct s_pool pool = {.run = run, .fn = fn, .want = want, .ctx = ctx};
    pthread_mutex_init(&pool.lock, NULL);
    int n = run->opts.pairs_at_once > 0 ? run->opts.pairs_at_once : LK_ORG_DEFAULT_PAIRS_AT_ONCE;
    if (n > LK_ORG_MAX_PAIRS_AT_ONCE)
        n = LK_ORG_MAX_PAIRS_AT_ONCE;
    if ((size_t)n > run->n_pairs)
        n = (int)run->n_pairs;
    pthread_t threads[LK_ORG_MAX_PAIRS_AT_ONCE];
    int started = 0;
    for (int i = 1; i < n; i++) {
        if (pthread_create(&threads[started], NULL, s_worker, &pool) != 0)
            break; /* fewer threads: the calling thread and those started do the work */
        started++;
    }
    s_worker(&pool);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    pthread_mutex_destroy(&pool.lock);
}

static struct lk_org_run_account *s_account_of(struct lk_org_run *run, const char *id)
{
    for (size_t k = 0; k < run->n_accounts; k++)
        if (!strcmp(run->accounts[k].id, id))
            return &run->accounts[k];
    return NULL;
}

/* The client options of every pair: those of the command line. */
static struct lk_aws_config_options s_config_options(const struct lk_org_run *run,
                                                     const char *region)
{
    return (struct lk_aws_config_options){
        .region = region,
        .endpoint_url = run->opts.session.endpoint_url,
        .profile = run->opts.session.profile,
        .fallback_region = region,
        .debug = run->opts.session.debug,
    };
}

/* The credentials of @p p's account: the role assumed once (the first pair of the account to
 * need them assumes it while the others wait), or the source credentials without a role.
 * @return them, or NULL with the pair failed. */
static const struct lk_aws_credentials *s_credentials(struct lk_org_run *run, struct lk_org_pair *p)
{
    if (!run->opts.role)
        return &run->base;
    struct lk_org_run_account *a = s_account_of(run, p->pair->account);
    pthread_mutex_lock(&a->lock);
    if (!a->done) {
        struct lk_aws_config_options o = s_config_options(run, a->region);
        char *msg = NULL;
        if (lk_org_assume_role(&o, &run->base, a->partition, a->id, run->opts.role,
                               run->opts.external_id, run->opts.session_name, a->region, &a->creds,
                               &msg) != LK_STATUS_OK) {
            a->failed = true;
            a->error = msg;
        }
        a->done = true;
    }
    pthread_mutex_unlock(&a->lock);
    if (a->failed) {
        s_pair_fail(p, lk_xstrdup(a->error));
        return NULL;
    }
    return &a->creds;
}

static bool s_want_all(const struct lk_org_pair *p)
{
    (void)p;
    return true;
}

static void s_read_pair(struct lk_org_run *run, struct lk_org_pair *p, void *ctx)
{
    (void)ctx;
    s_read_pair_run(run, p);
    pthread_mutex_lock(&run->progress_lock);
    run->pairs_read++;
    s_progress_report(run);
    pthread_mutex_unlock(&run->progress_lock);
}

static void s_read_pair_run(struct lk_org_run *run, struct lk_org_pair *p)
{
    if (p->failed)
        return;
    if (!run->opts.session.state_file) {
        const struct lk_aws_credentials *creds = s_credentials(run, p);
        if (!creds)
            return;
        p->session.opts.credentials = creds;
    }
    const struct lk_artifacts *arts =
        run->kind == LK_SESSION_PLAN || run->kind == LK_SESSION_APPLY ? p->pair->artifacts : NULL;
    enum lk_status rc = lk_session_read(&p->session, p->pair->state, arts);
    if (rc == LK_STATUS_OK && arts)
        rc = lk_session_build_plan(&p->session);
    if (rc != LK_STATUS_OK)
        s_pair_fail_session(p, rc);
}

/* Reads the organisation snapshot and gives each pair its state document. */
static enum lk_status s_load_snapshot(struct lk_org_run *run)
{
    const char *path = run->opts.session.state_file;
    struct lk_buf b;
    lk_buf_init(&b, S_ORG_STATE_MAX_BYTES);
    int err = 0;
    enum lk_status read = lk_buf_read_file(&b, path, &err);
    if (read != LK_STATUS_OK) {
        s_run_fail(run, read == LK_STATUS_TOO_LARGE
                            ? s_printf("%s: larger than a state file can be", path)
                            : s_printf("%s: %s", path, err ? strerror(err) : "read error"));
        lk_buf_free(&b);
        return read;
    }
    const char *text = lk_buf_cstr(&b);
    cJSON *root = cJSON_ParseWithLength(text, b.len);
    lk_buf_free(&b);
    if (!root) {
        s_run_fail(run, s_printf("%s: not JSON", path));
        return LK_STATUS_MALFORMED;
    }
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
    const cJSON *pairs = cJSON_GetObjectItemCaseSensitive(root, "pairs");
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, LK_ORG_STATE_FORMAT) ||
        !cJSON_IsNumber(ver) || !cJSON_IsArray(pairs)) {
        s_run_fail(run, s_printf("%s: not an organisation snapshot (format \"%s\"); take one with "
                                 "`logkeep snapshot` on this policy",
                                 path, LK_ORG_STATE_FORMAT));
        cJSON_Delete(root);
        return LK_STATUS_UNSUPPORTED;
    }
    if (ver->valueint != LK_ORG_STATE_VERSION) {
        s_run_fail(run,
                   s_printf("%s: organisation snapshot version %d; this build reads version %d",
                            path, ver->valueint, LK_ORG_STATE_VERSION));
        cJSON_Delete(root);
        return LK_STATUS_UNSUPPORTED;
    }
    for (size_t i = 0; i < run->n_pairs; i++) {
        struct lk_org_pair *p = &run->pairs[i];
        const cJSON *e;
        cJSON_ArrayForEach(e, pairs)
        {
            const cJSON *acc = cJSON_GetObjectItemCaseSensitive(e, "account");
            const cJSON *reg = cJSON_GetObjectItemCaseSensitive(e, "region");
            const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "state");
            if (cJSON_IsString(acc) && cJSON_IsString(reg) && cJSON_IsObject(st) &&
                !strcmp(acc->valuestring, p->pair->account) &&
                !strcmp(reg->valuestring, p->pair->region)) {
                p->state_doc = cJSON_PrintUnformatted(st);
                if (!p->state_doc)
                    lk_oom();
                break;
            }
        }
        if (!p->state_doc) {
            s_pair_fail(p, s_printf("not in the snapshot %s", path));
            continue;
        }
        p->session.opts.state_json = p->state_doc;
        p->session.opts.state_json_len = strlen(p->state_doc);
        p->session.opts.state_file = path; /* names it in messages */
    }
    cJSON_Delete(root);
    return LK_STATUS_OK;
}

/*
 * Exclusions and `ids` entries of producing sources that name no producer in any pair of the
 * run: an ID is lowered into every pair of its source, so only the run as a whole can tell
 * (runtime/diff/coverage.c). Each is a note of the first pair naming it, never an error: a
 * producer comes and goes under the policy (an exclusion's "sandbox VPC torn down every night"
 * is gone every night), unlike the compiler's LK042, decided from the policy text alone. A run
 * that does not hold every pair's producers (a shard, a pair that failed, an apply that did not
 * read them) decides nothing.
 */
static enum lk_status s_coverage_stale(struct lk_org_run *run)
{
    if (run->kind == LK_SESSION_SNAPSHOT || run->opts.shard_count > 1 || run->n_pairs == 0)
        return LK_STATUS_OK;
    bool any = false;
    for (size_t i = 0; i < run->n_pairs; i++) {
        const struct lk_org_pair *p = &run->pairs[i];
        if (p->failed || !p->session.live)
            return LK_STATUS_OK;
        if (p->pair->state->n_coverages > 0 && !p->session.producers_read)
            return LK_STATUS_OK; /* an apply that leaves producers to plan and drift */
        any = any || p->pair->state->n_coverages > 0;
    }
    if (!any)
        return LK_STATUS_OK;
    const struct lk_ir_state **desired = lk_xcalloc(run->n_pairs, sizeof(*desired));
    const struct lk_ir_state **live = lk_xcalloc(run->n_pairs, sizeof(*live));
    struct lk_diff **outs = lk_xcalloc(run->n_pairs, sizeof(*outs));
    for (size_t i = 0; i < run->n_pairs; i++) {
        desired[i] = run->pairs[i].pair->state;
        live[i] = run->pairs[i].session.live;
        outs[i] = &run->pairs[i].session.diff;
    }
    enum lk_status rc = lk_diff_coverage_stale_pairs(desired, live, run->n_pairs, outs);
    if (rc != LK_STATUS_OK)
        s_run_fail(run, s_printf("cannot compare the coverage exclusions with the producers read"));
    free(desired);
    free(live);
    free(outs);
    return rc;
}

enum lk_status lk_org_run_read(struct lk_org_run *run)
{
    if (!run || !run->scope)
        return LK_STATUS_INVALID_ARGUMENT;
    enum lk_status rc;
    if (run->opts.session.state_file) {
        if ((rc = s_load_snapshot(run)) != LK_STATUS_OK)
            return rc;
    } else if (run->n_pairs) {
        const char *home =
            run->opts.home_region ? run->opts.home_region : run->pairs[0].pair->region;
        struct lk_aws_config_options o = s_config_options(run, home);
        char *msg = NULL;
        if ((rc = lk_org_base_credentials(&o, &run->base, &msg)) != LK_STATUS_OK) {
            s_run_fail(run, msg);
            return rc;
        }
        run->have_base = true;
    }
    run->pairs_read = 0;
    run->pairs_to_read = run->n_pairs;
    run->read_start_ms = s_mono_ms();
    s_for_pairs(run, s_want_all, s_read_pair, NULL);
    return s_coverage_stale(run);
}

void lk_org_run_summarize(const struct lk_org_run *run, struct lk_org_summary *out)
{
    memset(out, 0, sizeof(*out));
    out->pairs = run->n_pairs;
    for (size_t i = 0; i < run->n_pairs; i++) {
        const struct lk_org_pair *p = &run->pairs[i];
        if (p->failed)
            out->failed++;
        else if (lk_session_has_drift(&p->session))
            out->changed++;
        else
            out->in_sync++;
    }
}

/* ------------------------------------------------------------------------------ output */

enum lk_status lk_org_run_render(const struct lk_org_run *run, enum lk_report_format fmt,
                                 bool color, const char *organization_id,
                                 const char *const *policy_paths, size_t n_policy_paths, FILE *out)
{
    if (!run || !out)
        return LK_STATUS_INVALID_ARGUMENT;
    char when[32];
    lk_session_utc_now(when);
    struct lk_report_pair *rp = lk_xcalloc(run->n_pairs ? run->n_pairs : 1, sizeof(*rp));
    for (size_t i = 0; i < run->n_pairs; i++) {
        const struct lk_org_pair *p = &run->pairs[i];
        const struct lk_session *s = &p->session;
        rp[i].account = p->pair->account;
        rp[i].account_name = p->pair->account_name;
        rp[i].region = p->pair->region;
        rp[i].error = p->failed ? (p->error ? p->error : "failed") : NULL;
        if (p->failed || !s->live)
            continue;
        rp[i].diff = &s->diff;
        lk_session_report_context(s, policy_paths, n_policy_paths, when, &rp[i].ctx);
    }
    struct lk_report_org org = {
        .command = run->kind == LK_SESSION_DRIFT  ? "drift"
                   : run->kind == LK_SESSION_PLAN ? "plan"
                                                  : NULL,
        .organization = organization_id,
        .generated_at = when,
        .tool_version = PACKAGE_VERSION,
        .policy_paths = policy_paths,
        .n_policy_paths = n_policy_paths,
        .pairs = rp,
        .n_pairs = run->n_pairs,
        .markdown_max_bytes = run->opts.session.markdown_max_bytes,
        .full_report = run->opts.session.full_report,
        .shard_index = run->opts.shard_index,
        .shard_count = run->opts.shard_count,
        .color = color,
    };
    enum lk_status rc = lk_report_render_org(&org, fmt, out);
    free(rp);
    return rc;
}

enum lk_status lk_org_run_write_snapshot(struct lk_org_run *run, const char *path)
{
    if (!run || !path)
        return LK_STATUS_INVALID_ARGUMENT;
    cJSON *root = cJSON_CreateObject();
    if (!root || !cJSON_AddStringToObject(root, "format", LK_ORG_STATE_FORMAT) ||
        !cJSON_AddNumberToObject(root, "version", LK_ORG_STATE_VERSION))
        lk_oom();
    cJSON *pairs = cJSON_AddArrayToObject(root, "pairs");
    if (!pairs)
        lk_oom();
    for (size_t i = 0; i < run->n_pairs; i++) {
        const struct lk_org_pair *p = &run->pairs[i];
        if (p->failed || !p->session.live)
            continue;
        char *doc = lk_ir_state_to_json(p->session.live);
        cJSON *st = cJSON_Parse(doc);
        free(doc);
        cJSON *e = cJSON_CreateObject();
        if (!st || !e || !cJSON_AddStringToObject(e, "account", p->pair->account) ||
            !cJSON_AddStringToObject(e, "account_name", p->pair->account_name) ||
            !cJSON_AddStringToObject(e, "region", p->pair->region))
            lk_oom();
        cJSON_AddItemToObject(e, "state", st);
        cJSON_AddItemToArray(pairs, e);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        lk_oom();
    FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    enum lk_status rc = LK_STATUS_OK;
    if (!f || fputs(text, f) < 0 || fputc('\n', f) < 0 ||
        (f != stdout ? fclose(f) != 0 : fflush(f) != 0)) {
        s_run_fail(run, s_printf("cannot write %s: %s", path, strerror(errno)));
        rc = LK_STATUS_IO;
    }
    free(text);
    return rc;
}

/* ------------------------------------------------------------------------------ apply */

struct s_apply_ctx {
    struct lk_org_run *run;
    const struct lk_org_apply_hooks *hooks;
    struct lk_org_pair *pair;
};

/* lk_session_apply() calls on_step on the pair's thread: the hook is called under the run's
 * lock, one call at a time. */
static void s_on_step(void *ctx, const struct lk_apply_step *step)
{
    struct s_apply_ctx *a = ctx;
    pthread_mutex_lock(&a->run->lock);
    a->hooks->on_step(a->hooks->ctx, a->pair, step);
    pthread_mutex_unlock(&a->run->lock);
}

static bool s_want_calls(const struct lk_org_pair *p)
{
    return !p->failed && p->session.plan.n > 0;
}

/* Whether @p p creates or updates a trail: a trail names a bucket (and a KMS key) that may be
 * another pair's (an organisation trail in the management account writing into the log
 * archive), and CloudTrail refuses a bucket that does not exist or whose policy does not let it
 * in yet (CloudTrail API Reference, CreateTrail: S3BucketDoesNotExistException,
 * InsufficientS3BucketPolicyException). */
static bool s_writes_trail(const struct lk_org_pair *p)
{
    for (size_t i = 0; i < p->session.plan.n; i++)
        if (p->session.plan.steps[i].op == LK_APPLY_CREATE_TRAIL ||
            p->session.plan.steps[i].op == LK_APPLY_UPDATE_TRAIL)
            return true;
    return false;
}

static bool s_want_first(const struct lk_org_pair *p)
{
    return s_want_calls(p) && !s_writes_trail(p);
}

static bool s_want_then(const struct lk_org_pair *p)
{
    return s_want_calls(p) && s_writes_trail(p) && !p->applied;
}

static void s_apply_pair(struct lk_org_run *run, struct lk_org_pair *p, void *ctx)
{
    const struct lk_org_apply_hooks *hooks = ctx;
    struct s_apply_ctx actx = {.run = run, .hooks = hooks, .pair = p};
    struct lk_session_apply_hooks sh = {.on_step = hooks->on_step ? s_on_step : NULL, .ctx = &actx};
    /* The organisation's approval covers every pair. */
    p->session.opts.approved = true;
    enum lk_status rc = lk_session_apply(&p->session, &sh);
    if (rc != LK_STATUS_OK)
        s_pair_fail_session(p, rc);
    else
        p->applied = true;
}

enum lk_status lk_org_run_apply(struct lk_org_run *run, const struct lk_org_apply_hooks *hooks)
{
    static const struct lk_org_apply_hooks none = {0};
    if (!run || run->kind != LK_SESSION_APPLY)
        return LK_STATUS_INVALID_ARGUMENT;
    if (!hooks)
        hooks = &none;
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_REPORT);
    size_t refused = 0, n_pairs = 0, n_calls = 0;
    if (run->plan) {
        /* A saved plan is applied whole or not at all: a pair whose plan no longer holds (or
         * that could not be read) stops every pair. */
        for (size_t i = 0; i < run->n_pairs; i++) {
            const struct lk_org_pair *p = &run->pairs[i];
            if (p->failed && refused++ < S_NAMED_PAIRS)
                lk_buf_printf(&b, S_PAIR_FMT ": %s\n", S_PAIR_ARGS(p->pair),
                              p->error ? p->error : "failed");
        }
        if (refused) {
            if (refused > S_NAMED_PAIRS)
                lk_buf_printf(&b, "... and %zu more\n", refused - S_NAMED_PAIRS);
            const char *text = lk_buf_cstr(&b);
            s_run_fail(run, s_printf("refusing: the saved plan %s no longer holds in %zu "
                                     "pair%s; run plan again. Nothing was changed in any "
                                     "account:\n%s",
                                     run->plan->path, refused, refused == 1 ? "" : "s",
                                     text ? text : ""));
            size_t len = strlen(run->message);
            if (len && run->message[len - 1] == '\n')
                run->message[len - 1] = '\0';
            lk_buf_free(&b);
            return LK_STATUS_REFUSED;
        }
    }
    /* Every pair's guards before any pair writes. */
    for (size_t i = 0; i < run->n_pairs; i++) {
        struct lk_org_pair *p = &run->pairs[i];
        if (!s_want_calls(p))
            continue;
        n_pairs++;
        n_calls += p->session.plan.n;
        if (lk_session_check_guards(&p->session) != LK_STATUS_OK) {
            refused++;
            lk_buf_printf(&b, "%s (%s) %s: %s\n", p->pair->account_name, p->pair->account,
                          p->pair->region, p->session.message ? p->session.message : "refused");
        }
    }
    if (refused) {
        const char *text = lk_buf_cstr(&b);
        s_run_fail(run, s_printf("refusing: the guards of %zu pair%s refused; nothing was changed "
                                 "in any account:\n%s",
                                 refused, refused == 1 ? "" : "s", text ? text : ""));
        size_t len = strlen(run->message);
        if (len && run->message[len - 1] == '\n')
            run->message[len - 1] = '\0';
        lk_buf_free(&b);
        return LK_STATUS_REFUSED;
    }
    lk_buf_free(&b);
    if (n_calls == 0)
        return LK_STATUS_OK;
    /* A saved plan is the approval (see the top of this file). */
    if (!run->opts.session.approved && !run->plan) {
        char why[512] = "refusing: not approved";
        if (!hooks->confirm ||
            !hooks->confirm(hooks->ctx, run, n_pairs, n_calls, why, sizeof(why))) {
            why[sizeof(why) - 1] = '\0';
            s_run_fail(run, lk_xstrdup(why));
            return LK_STATUS_REFUSED;
        }
    }
    if (hooks->on_start)
        hooks->on_start(hooks->ctx, run, n_pairs, n_calls);
    struct lk_org_apply_hooks h = *hooks;
    /* The pairs whose trails write into stores (and keys) go once every other pair has made
     * its calls: the buckets and their policies then exist. */
    s_for_pairs(run, s_want_first, s_apply_pair, &h);
    s_for_pairs(run, s_want_then, s_apply_pair, &h);
    return LK_STATUS_OK;
}

/* ------------------------------------------------------------------------------ plans */

enum lk_status lk_org_run_save_plan(struct lk_org_run *run, const char *path,
                                    const char *const *policy_paths, size_t n_policy_paths)
{
    if (!run || !path || run->kind != LK_SESSION_PLAN || (n_policy_paths && !policy_paths))
        return LK_STATUS_INVALID_ARGUMENT;
    struct lk_org_summary sum;
    lk_org_run_summarize(run, &sum);
    if (sum.failed) {
        /* A plan holds every pair: applying part of the organisation is not what was
         * reviewed. */
        s_run_fail(run, s_printf("not saving the plan: %zu pair%s failed; a plan covers every "
                                 "pair (fix them and run plan again)",
                                 sum.failed, sum.failed == 1 ? "" : "s"));
        return LK_STATUS_REFUSED;
    }
    cJSON *root = cJSON_CreateObject();
    if (!root || !cJSON_AddStringToObject(root, "format", LK_ORG_PLAN_FORMAT) ||
        !cJSON_AddNumberToObject(root, "version", LK_ORG_PLAN_VERSION) ||
        !cJSON_AddStringToObject(root, "logkeep_version", PACKAGE_VERSION))
        lk_oom();
    cJSON *jp = cJSON_AddArrayToObject(root, "policy_paths");
    cJSON *pairs = cJSON_AddArrayToObject(root, "pairs");
    if (!jp || !pairs)
        lk_oom();
    enum lk_status rc = LK_STATUS_OK;
    for (size_t i = 0; i < run->n_pairs && rc == LK_STATUS_OK; i++) {
        struct lk_org_pair *p = &run->pairs[i];
        char *doc = NULL;
        rc = lk_session_plan_document(&p->session, policy_paths, n_policy_paths, &doc);
        if (rc != LK_STATUS_OK) {
            s_run_fail(run, s_printf(S_PAIR_FMT ": %s", S_PAIR_ARGS(p->pair),
                                     p->session.message ? p->session.message : lk_status_name(rc)));
            break;
        }
        cJSON *plan = cJSON_Parse(doc);
        free(doc);
        cJSON *e = cJSON_CreateObject();
        if (!plan || !e || !cJSON_AddStringToObject(e, "account", p->pair->account) ||
            !cJSON_AddStringToObject(e, "account_name", p->pair->account_name) ||
            !cJSON_AddStringToObject(e, "region", p->pair->region))
            lk_oom();
        if (i == 0) {
            /* The policy paths, absolute, as every pair's plan holds them. */
            cJSON *pp = cJSON_GetObjectItemCaseSensitive(plan, "policy_paths");
            cJSON *dup = pp ? cJSON_Duplicate(pp, true) : cJSON_CreateArray();
            if (!dup)
                lk_oom();
            cJSON_ReplaceItemInObjectCaseSensitive(root, "policy_paths", dup);
        }
        cJSON_AddItemToObject(e, "plan", plan);
        cJSON_AddItemToArray(pairs, e);
    }
    if (rc == LK_STATUS_OK) {
        struct lk_arena arena;
        lk_arena_init(&arena);
        const char *text = lk_json_print(root, &arena);
        if (!text) {
            s_run_fail(run,
                       s_printf("the plan would exceed %zu bytes", (size_t)LK_BUF_MAX_DOCUMENT));
            rc = LK_STATUS_TOO_LARGE;
        } else {
            char *msg = NULL;
            rc = lk_session_write_atomic(path, text, &msg);
            if (rc != LK_STATUS_OK)
                s_run_fail(run, msg ? msg : lk_xstrdup(lk_status_name(rc)));
        }
        lk_arena_destroy(&arena);
    }
    cJSON_Delete(root);
    return rc;
}

void lk_org_plan_free(struct lk_org_plan *plan)
{
    if (!plan)
        return;
    for (size_t i = 0; i < plan->n_policy_paths; i++)
        free(plan->policy_paths[i]);
    free(plan->policy_paths);
    for (size_t i = 0; i < plan->n_pairs; i++) {
        free(plan->pairs[i].account);
        free(plan->pairs[i].account_name);
        free(plan->pairs[i].region);
        free(plan->pairs[i].plan);
    }
    free(plan->pairs);
    memset(plan, 0, sizeof(*plan));
}

/* Checks the members of an organisation plan and copies them into @p plan. @return NULL, or
 * what is wrong. */
static const char *s_plan_take(struct lk_org_plan *plan, const cJSON *root)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "version");
    if (!cJSON_IsNumber(v))
        return "\"version\": expected a number";
    if (v->valuedouble != LK_ORG_PLAN_VERSION)
        return "an organisation plan version this logkeep cannot read (it reads version 1)";
    const cJSON *paths = cJSON_GetObjectItemCaseSensitive(root, "policy_paths");
    const cJSON *pairs = cJSON_GetObjectItemCaseSensitive(root, "pairs"), *e;
    if (!cJSON_IsArray(paths) || cJSON_GetArraySize(paths) == 0)
        return "\"policy_paths\": expected a non-empty array of strings";
    cJSON_ArrayForEach(e, paths) if (!cJSON_IsString(e)) return "\"policy_paths\": expected a "
                                                                "non-empty array of strings";
    if (!cJSON_IsArray(pairs))
        return "\"pairs\": expected an array";
    cJSON_ArrayForEach(e, pairs)
    {
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "account")) ||
            !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "account_name")) ||
            !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "region")) ||
            !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(e, "plan")))
            return "\"pairs\": expected {\"account\", \"account_name\", \"region\", \"plan\"} "
                   "objects";
    }
    plan->n_policy_paths = (size_t)cJSON_GetArraySize(paths);
    plan->policy_paths = lk_xcalloc(plan->n_policy_paths + 1, sizeof(char *));
    size_t i = 0;
    cJSON_ArrayForEach(e, paths) plan->policy_paths[i++] = lk_xstrdup(e->valuestring);
    size_t n = (size_t)cJSON_GetArraySize(pairs);
    plan->pairs = lk_xcalloc(n ? n : 1, sizeof(*plan->pairs));
    cJSON_ArrayForEach(e, pairs)
    {
        struct lk_org_plan_pair *pp = &plan->pairs[plan->n_pairs++];
        pp->account = lk_xstrdup(cJSON_GetObjectItemCaseSensitive(e, "account")->valuestring);
        pp->account_name =
            lk_xstrdup(cJSON_GetObjectItemCaseSensitive(e, "account_name")->valuestring);
        pp->region = lk_xstrdup(cJSON_GetObjectItemCaseSensitive(e, "region")->valuestring);
        pp->plan = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(e, "plan"));
        if (!pp->plan)
            lk_oom();
    }
    return NULL;
}

enum lk_status lk_org_plan_open(struct lk_org_plan *plan, const char *path, char **message)
{
    if (!plan || !path || !message)
        return LK_STATUS_INVALID_ARGUMENT;
    memset(plan, 0, sizeof(*plan));
    *message = NULL;
    size_t n = strlen(path);
    struct stat st;
    if (n < 5 || strcmp(path + n - 5, ".json") || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return LK_STATUS_OK; /* not a plan */
    struct lk_buf b;
    lk_buf_init(&b, S_ORG_STATE_MAX_BYTES);
    int err = 0;
    enum lk_status read = lk_buf_read_file(&b, path, &err);
    if (read != LK_STATUS_OK) {
        *message = read == LK_STATUS_TOO_LARGE
                       ? s_printf("%s: larger than a plan file can be", path)
                       : s_printf("%s: %s", path, err ? strerror(err) : "read error");
        lk_buf_free(&b);
        return read;
    }
    const char *text = lk_buf_cstr(&b);
    enum lk_status rc = LK_STATUS_OK;
    cJSON *root = cJSON_ParseWithLength(text, b.len);
    const cJSON *format = root ? cJSON_GetObjectItemCaseSensitive(root, "format") : NULL;
    if (!root) {
        /* Not JSON: a policy, maybe; unless it says it is an organisation plan. */
        if (strstr(text, "\"" LK_ORG_PLAN_FORMAT "\"")) {
            *message = s_printf("%s: not a valid organisation plan: JSON syntax error (damaged "
                                "or cut short); run plan --out again",
                                path);
            rc = LK_STATUS_MALFORMED;
        }
    } else if (cJSON_IsObject(root) && cJSON_IsString(format) &&
               !strcmp(format->valuestring, LK_ORG_PLAN_FORMAT)) {
        const char *why = s_plan_take(plan, root);
        if (why) {
            lk_org_plan_free(plan);
            *message = s_printf("%s: not a valid organisation plan: %s", path, why);
            rc = LK_STATUS_UNSUPPORTED;
        } else {
            plan->path = path;
        }
    }
    cJSON_Delete(root);
    lk_buf_free(&b);
    return rc;
}

enum lk_status lk_org_run_use_plan(struct lk_org_run *run, const struct lk_org_plan *plan)
{
    if (!run || !plan || !plan->path || run->kind != LK_SESSION_APPLY || run->plan)
        return LK_STATUS_INVALID_ARGUMENT;
    /* The pairs must be the plan's: another set means the policy's accounts or Regions
     * changed. */
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_REPORT);
    size_t differ = 0;
    const struct lk_org_plan_pair **of = lk_xcalloc(run->n_pairs + 1, sizeof(*of));
    bool *used = lk_xcalloc(plan->n_pairs + 1, sizeof(*used));
    for (size_t i = 0; i < run->n_pairs; i++) {
        const struct lk_ir_pair *ip = run->pairs[i].pair;
        for (size_t k = 0; k < plan->n_pairs && !of[i]; k++) {
            if (!used[k] && !strcmp(plan->pairs[k].account, ip->account) &&
                !strcmp(plan->pairs[k].region, ip->region)) {
                of[i] = &plan->pairs[k];
                used[k] = true;
            }
        }
        if (!of[i] && differ++ < S_NAMED_PAIRS)
            lk_buf_printf(&b, "  " S_PAIR_FMT ": not in the plan\n", S_PAIR_ARGS(ip));
    }
    for (size_t k = 0; k < plan->n_pairs; k++)
        if (!used[k] && differ++ < S_NAMED_PAIRS)
            lk_buf_printf(&b, "  " S_PAIR_FMT ": no longer in the policy\n",
                          S_PAIR_ARGS(&plan->pairs[k]));
    free(used);
    enum lk_status rc = LK_STATUS_OK;
    if (differ) {
        if (differ > S_NAMED_PAIRS)
            lk_buf_printf(&b, "  ... and %zu more\n", differ - S_NAMED_PAIRS);
        const char *text = lk_buf_cstr(&b);
        s_run_fail(run, s_printf("refusing: the policy's accounts or Regions changed since the "
                                 "plan was made (%s); run plan again. Nothing was read or "
                                 "changed.\n%s",
                                 plan->path, text ? text : ""));
        size_t len = strlen(run->message);
        if (len && run->message[len - 1] == '\n')
            run->message[len - 1] = '\0';
        rc = LK_STATUS_REFUSED;
    }
    for (size_t i = 0; i < run->n_pairs && rc == LK_STATUS_OK; i++) {
        struct lk_org_pair *p = &run->pairs[i];
        rc = lk_session_open_plan_text(&p->session, plan->path, of[i]->plan, strlen(of[i]->plan));
        if (rc != LK_STATUS_OK)
            s_run_fail(run, s_printf(S_PAIR_FMT ": %s", S_PAIR_ARGS(p->pair),
                                     p->session.message ? p->session.message : lk_status_name(rc)));
    }
    free(of);
    lk_buf_free(&b);
    if (rc == LK_STATUS_OK)
        run->plan = plan;
    return rc;
}
