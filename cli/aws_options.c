/*
 * logkeep plan, apply, drift and snapshot: shared option parsing and helpers (see
 * aws_options.h).
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/aws_options.h"
#include "common/array.h"
#include "common/buf.h"
#include "cli/cli.h"
#include "compiler/compile.h"
#include "compiler/policy.h"
#include "runtime/live.h"
#include "runtime/org.h"
#include "runtime/report.h"
#include "runtime/session.h"

void lk_aws_usage_common(FILE *out)
{
    fputs("[--region REGION] [--endpoint-url URL]\n"
          "       [--profile NAME] [--debug] [--color auto|always|never]\n"
          "       [--role NAME] [--external-id ID] [--role-session-name NAME]\n"
          "       [--pairs-at-once N] [--concurrency N]\n\n",
          out);
}

void lk_aws_usage_report(FILE *out)
{
    fputs("  --markdown-limit summary|comment|BYTES\n"
          "                 the most Markdown written: summary (default, 1000000 bytes, for a\n"
          "                 GitHub step summary), comment (65536, a pull request comment) or a\n"
          "                 number; repeated findings are grouped, and what does not fit is\n"
          "                 left out with a last line saying so\n"
          "  --json-report FILE\n"
          "                 also write the full report as JSON to FILE, which the Markdown\n"
          "                 names when it is cut\n",
          out);
}

void lk_aws_usage_org(FILE *out)
{
    fputs("With a policy that declares accounts:, runs over every (account, Region) pair:\n"
          "  --role NAME    the role assumed in each account (default: the policy's\n"
          "                 access.read_role, or access.apply_role for apply)\n"
          "  --external-id ID, --role-session-name NAME\n"
          "                 sts:ExternalId and RoleSessionName of AssumeRole\n"
          "  --pairs-at-once N\n"
          "                 pairs run at once (default 8, or LOGKEEP_PAIRS_AT_ONCE)\n"
          "  --concurrency N\n"
          "                 reads in flight at once per pair (default 8, or\n"
          "                 LOGKEEP_CONCURRENCY; at most 64)\n",
          out);
}

/* Reads a shard number from @p text: digits only, below LK_ORG_MAX_SHARDS. */
static bool s_shard_number(const char *text, unsigned long *out)
{
    if (!text || *text < '0' || *text > '9')
        return false;
    char *end = NULL;
    unsigned long n = strtoul(text, &end, 10);
    if (*end || n > LK_ORG_MAX_SHARDS)
        return false;
    *out = n;
    return true;
}

/* The first of @p names set and not empty in the environment, or NULL. */
static const char *s_env_first(const char *const *names, const char **which)
{
    for (; *names; names++) {
        const char *v = getenv(*names);
        if (v && *v) {
            *which = *names;
            return v;
        }
    }
    return NULL;
}

/* --shard I/N or auto into a->shard_index and a->shard_count. @return 0 or an exit status. */
static int s_shard_parse(struct lk_aws_args *a, const char *text)
{
    unsigned long index = 0, count = 0;
    if (!strcmp(text, "auto")) {
        /* GitHub Actions has no index of its own: the workflow passes the matrix values in
         * LOGKEEP_SHARD_INDEX and LOGKEEP_SHARD_COUNT (examples/scale). Kubernetes Indexed Jobs
         * set JOB_COMPLETION_INDEX, not the completions count, which the Job passes in
         * LOGKEEP_SHARD_COUNT. AWS Batch array jobs set AWS_BATCH_JOB_ARRAY_INDEX. */
        static const char *const index_names[] = {"LOGKEEP_SHARD_INDEX", "JOB_COMPLETION_INDEX",
                                                  "AWS_BATCH_JOB_ARRAY_INDEX", NULL};
        static const char *const count_names[] = {"LOGKEEP_SHARD_COUNT", "AWS_BATCH_JOB_ARRAY_SIZE",
                                                  NULL};
        const char *iname = NULL, *cname = NULL;
        const char *iv = s_env_first(index_names, &iname);
        const char *cv = s_env_first(count_names, &cname);
        if (!iv || !cv) {
            fprintf(stderr,
                    "logkeep %s: --shard auto found no %s in the environment (LOGKEEP_SHARD_INDEX, "
                    "JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX, and LOGKEEP_SHARD_COUNT "
                    "or AWS_BATCH_JOB_ARRAY_SIZE)\n",
                    a->cmd, !iv ? "shard index" : "shard count");
            return LK_EXIT_USAGE;
        }
        if (!s_shard_number(iv, &index) || !s_shard_number(cv, &count) || !count ||
            index >= count) {
            fprintf(stderr, "logkeep %s: --shard auto: %s=%s and %s=%s are no shard of a count\n",
                    a->cmd, iname, iv, cname, cv);
            return LK_EXIT_USAGE;
        }
    } else {
        const char *slash = strchr(text, '/');
        char head[32];
        size_t len = slash ? (size_t)(slash - text) : 0;
        if (!slash || len >= sizeof(head)) {
            len = 0;
            head[0] = 0;
        } else {
            memcpy(head, text, len);
            head[len] = 0;
        }
        if (!len || !s_shard_number(head, &index) || !s_shard_number(slash + 1, &count) || !count ||
            index >= count) {
            fprintf(stderr, "logkeep %s: --shard takes I/N (0 <= I < N <= %d) or auto\n", a->cmd,
                    LK_ORG_MAX_SHARDS);
            return LK_EXIT_USAGE;
        }
    }
    a->shard_index = (unsigned)index;
    a->shard_count = (unsigned)count;
    return 0;
}

void lk_aws_usage_shard(FILE *out)
{
    fputs("  --shard I/N|auto\n"
          "                 only the pairs of shard I of N (0 <= I < N),\n"
          "                 a partition by a hash of account/Region; auto reads I and N from\n"
          "                 LOGKEEP_SHARD_INDEX and LOGKEEP_SHARD_COUNT, JOB_COMPLETION_INDEX\n"
          "                 (Kubernetes) or AWS_BATCH_JOB_ARRAY_INDEX and\n"
          "                 AWS_BATCH_JOB_ARRAY_SIZE (AWS Batch)\n",
          out);
}

int lk_aws_args_parse(struct lk_aws_args *a, int argc, char **argv)
{
    /* clang-format off */
    static const struct option s_options[] = {
        {"region", required_argument, NULL, 'r'},
        {"endpoint-url", required_argument, NULL, 'e'},
        {"profile", required_argument, NULL, 'p'},
        {"debug", no_argument, NULL, 'd'},
        {"color", required_argument, NULL, 'c'},
        {"auto-approve", no_argument, NULL, 'y'},
        {"allow", required_argument, NULL, 'a'},
        {"format", required_argument, NULL, 'f'},
        {"state", required_argument, NULL, 's'},
        {"output", required_argument, NULL, 'o'},
        /* An exact match wins over the abbreviation of --output. */
        {"out", required_argument, NULL, 'O'},
        {"role", required_argument, NULL, 'R'},
        {"external-id", required_argument, NULL, 'X'},
        {"role-session-name", required_argument, NULL, 'N'},
        {"pairs-at-once", required_argument, NULL, 'P'},
        {"concurrency", required_argument, NULL, 'C'},
        {"no-role", no_argument, NULL, 'n'},
        {"shard", required_argument, NULL, 'S'},
        {"markdown-limit", required_argument, NULL, 'M'},
        {"json-report", required_argument, NULL, 'J'},
        {"detailed-exitcode", no_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    /* clang-format on */
    optind = 1;
    opterr = 0;
    for (;;) {
        int opt = getopt_long(argc, argv, "ho:", s_options, NULL);
        if (opt == -1)
            break;
        switch (opt) {
        case 'r':
            a->region = optarg;
            break;
        case 'e':
            a->endpoint_url = optarg;
            break;
        case 'p':
            a->profile = optarg;
            break;
        case 'd':
            a->debug = true;
            break;
        case 'c':
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
                fprintf(stderr, "logkeep %s: --color takes auto, always or never\n", a->cmd);
                return LK_EXIT_USAGE;
            }
            a->color = optarg;
            break;
        case 'y':
            if (a->mode != LK_AWS_CMD_APPLY)
                goto bad;
            a->auto_approve = true;
            break;
        case 'a':
            if (a->mode != LK_AWS_CMD_APPLY)
                goto bad;
            LK_ARRAY_GROW(a->allow, a->n_allow, a->cap_allow);
            a->allow[a->n_allow++] = optarg;
            break;
        case 'f':
            if (a->mode != LK_AWS_CMD_DRIFT && a->mode != LK_AWS_CMD_PLAN)
                goto bad;
            enum lk_report_format fmt;
            if (!lk_report_format_parse(optarg, &fmt)) {
                fprintf(stderr, "logkeep %s: --format takes text, json, markdown, junit or sarif\n",
                        a->cmd);
                return LK_EXIT_USAGE;
            }
            a->format = optarg;
            break;
        case 's':
            if (a->mode != LK_AWS_CMD_PLAN && a->mode != LK_AWS_CMD_DRIFT)
                goto bad;
            a->state_file = optarg;
            break;
        case 'R':
            a->role = optarg;
            break;
        case 'X':
            a->external_id = optarg;
            break;
        case 'N':
            a->session_name = optarg;
            break;
        case 'P': {
            char *end = NULL;
            long n = strtol(optarg, &end, 10);
            if (!*optarg || *end || n < 1 || n > LK_ORG_MAX_PAIRS_AT_ONCE) {
                fprintf(stderr, "logkeep %s: --pairs-at-once takes a number from 1 to %d\n", a->cmd,
                        LK_ORG_MAX_PAIRS_AT_ONCE);
                return LK_EXIT_USAGE;
            }
            a->pairs_at_once = (int)n;
            break;
        }
        case 'C': {
            char *end = NULL;
            long n = strtol(optarg, &end, 10);
            if (!*optarg || *end || n < 1 || n > LK_LIVE_MAX_CONCURRENCY) {
                fprintf(stderr, "logkeep %s: --concurrency takes a number from 1 to %d\n", a->cmd,
                        LK_LIVE_MAX_CONCURRENCY);
                return LK_EXIT_USAGE;
            }
            a->concurrency = (int)n;
            break;
        }
        case 'M': {
            if (a->mode != LK_AWS_CMD_DRIFT && a->mode != LK_AWS_CMD_PLAN)
                goto bad;
            char *end = NULL;
            unsigned long long n = 0;
            if (!strcmp(optarg, "summary"))
                n = LK_REPORT_MARKDOWN_SUMMARY_BYTES;
            else if (!strcmp(optarg, "comment"))
                n = LK_REPORT_MARKDOWN_COMMENT_BYTES;
            else if (*optarg >= '0' && *optarg <= '9')
                n = strtoull(optarg, &end, 10);
            if (!n || (end && *end) || n < LK_REPORT_MARKDOWN_MIN_BYTES || n > LK_BUF_MAX_REPORT) {
                fprintf(stderr,
                        "logkeep %s: --markdown-limit takes summary, comment or a number of "
                        "bytes from %zu to %zu\n",
                        a->cmd, LK_REPORT_MARKDOWN_MIN_BYTES, (size_t)LK_BUF_MAX_REPORT);
                return LK_EXIT_USAGE;
            }
            a->markdown_max_bytes = (size_t)n;
            break;
        }
        case 'J':
            if (a->mode != LK_AWS_CMD_DRIFT && a->mode != LK_AWS_CMD_PLAN)
                goto bad;
            if (!*optarg || !strcmp(optarg, "-")) {
                /* Standard output holds the report itself. */
                fprintf(stderr, "logkeep %s: --json-report needs a file name\n", a->cmd);
                return LK_EXIT_USAGE;
            }
            a->json_report = optarg;
            break;
        case 'S': {
            if (a->mode != LK_AWS_CMD_PLAN && a->mode != LK_AWS_CMD_DRIFT &&
                a->mode != LK_AWS_CMD_SNAPSHOT)
                goto bad;
            int rc = s_shard_parse(a, optarg);
            if (rc)
                return rc;
            break;
        }
        case 'D':
            if (a->mode != LK_AWS_CMD_PLAN)
                goto bad;
            a->detailed_exitcode = true;
            break;
        case 'n':
            if (a->mode != LK_AWS_CMD_RESOLVE)
                goto bad;
            a->no_role = true;
            break;
        case 'o':
            if (a->mode != LK_AWS_CMD_SNAPSHOT && a->mode != LK_AWS_CMD_RESOLVE)
                goto bad;
            a->output_file = optarg;
            break;
        case 'O':
            if (a->mode != LK_AWS_CMD_PLAN)
                goto bad;
            a->plan_out = optarg;
            break;
        case 'h':
            a->usage(stdout);
            return -1;
        default:
        bad:
            fprintf(stderr, "logkeep %s: unknown option or missing value: %s\n", a->cmd,
                    argv[optind - 1]);
            a->usage(stderr);
            return LK_EXIT_USAGE;
        }
    }
    if (a->pairs_at_once == 0) {
        /* LOGKEEP_PAIRS_AT_ONCE: the default of --pairs-at-once; a bad value is ignored. */
        const char *env = getenv("LOGKEEP_PAIRS_AT_ONCE");
        char *end = NULL;
        long n = env && *env ? strtol(env, &end, 10) : 0;
        if (env && *env && !*end && n >= 1 && n <= LK_ORG_MAX_PAIRS_AT_ONCE)
            a->pairs_at_once = (int)n;
    }
    if (a->shard_count && a->plan_out) {
        /* apply PLAN.json checks the plan against every pair of the policy: a shard's plan
         * would always be refused. */
        fprintf(stderr, "logkeep %s: --out saves a plan of every pair; it does not take --shard\n",
                a->cmd);
        return LK_EXIT_USAGE;
    }
    if (a->concurrency == 0) {
        /* LOGKEEP_CONCURRENCY: the default of --concurrency; a bad value is ignored, leaving
         * LK_LIVE_DEFAULT_CONCURRENCY (runtime/live.h). */
        const char *env = getenv("LOGKEEP_CONCURRENCY");
        char *end = NULL;
        long n = env && *env ? strtol(env, &end, 10) : 0;
        if (env && *env && !*end && n >= 1 && n <= LK_LIVE_MAX_CONCURRENCY)
            a->concurrency = (int)n;
    }
    if (optind >= argc) {
        fprintf(stderr, "logkeep %s: no policy given\n", a->cmd);
        a->usage(stderr);
        return LK_EXIT_USAGE;
    }
    a->policy_paths = argv + optind;
    a->n_policy_paths = argc - optind;
    return 0;
}

void lk_aws_args_free(struct lk_aws_args *a)
{
    free(a->allow);
    a->allow = NULL;
    a->n_allow = 0;
}

/* Seconds between two heartbeat lines (LOGKEEP_HEARTBEAT_SECONDS, 0 for none). */
#define S_HEARTBEAT_DEFAULT_S 5
#define S_HEARTBEAT_MAX_S 3600
/* A terminal's progress line is redrawn at most this often. */
#define S_REDRAW_MS 100

/* The live read's progress on stderr: on a terminal, one line redrawn in place as items finish
 * and pages are read; otherwise (a CI log) a heartbeat line every few seconds, so that a long
 * read shows it is alive, and nothing for a read shorter than that. One session reads at a time
 * per process (an organisation's pairs report none), so one state serves. */
static struct {
    const char *cmd;
    bool tty;
    int64_t interval_ms;
    int64_t next_ms;      /* elapsed time of the read at which the next line is due */
    int64_t last_elapsed; /* a smaller elapsed time: a new read */
} s_hb;

/* Shows a read's progress: @p done of @p total @p unit ("items" of one read, "pairs" of an
 * organisation's) and the read's pages, requests and throttles. */
static void s_show_progress(int64_t elapsed_ms, size_t done, size_t total, const char *unit,
                            size_t pages, size_t requests, size_t throttled)
{
    if (elapsed_ms < s_hb.last_elapsed)
        s_hb.next_ms = 0; /* another read of the same process */
    s_hb.last_elapsed = elapsed_ms;
    if (s_hb.tty) {
        if (done >= total) {
            fputs("\r\033[K", stderr);
        } else {
            if (elapsed_ms < s_hb.next_ms)
                return;
            s_hb.next_ms = elapsed_ms + S_REDRAW_MS;
            fprintf(stderr,
                    "\r\033[Kreading live state: %zu/%zu %s, %zu pages of log groups, %zu "
                    "requests, %zu throttled",
                    done, total, unit, pages, requests, throttled);
        }
        fflush(stderr);
        return;
    }
    if (s_hb.interval_ms <= 0 || done >= total)
        return;
    if (s_hb.next_ms == 0)
        s_hb.next_ms = s_hb.interval_ms;
    if (elapsed_ms < s_hb.next_ms)
        return;
    while (s_hb.next_ms <= elapsed_ms)
        s_hb.next_ms += s_hb.interval_ms;
    fprintf(stderr,
            "logkeep %s: reading live state, %" PRId64 " s: %zu/%zu %s, %zu pages of log "
            "groups, %zu requests, %zu throttled\n",
            s_hb.cmd, elapsed_ms / 1000, done, total, unit, pages, requests, throttled);
    fflush(stderr);
}

static void s_progress(void *ctx, const struct lk_live_progress *p)
{
    (void)ctx;
    s_show_progress(p->elapsed_ms, p->done, p->total, "items", p->pages, p->requests,
                    p->throttled);
}

void lk_aws_org_progress(void *ctx, const struct lk_org_progress *p)
{
    (void)ctx;
    s_show_progress(p->elapsed_ms, p->pairs_done, p->pairs_total, "pairs", p->pages,
                    p->requests, p->throttled);
}

void lk_aws_session_options(const struct lk_aws_args *a, struct lk_session_options *out)
{
    s_hb.cmd = a->cmd;
    s_hb.tty = isatty(STDERR_FILENO);
    s_hb.interval_ms = (int64_t)S_HEARTBEAT_DEFAULT_S * 1000;
    /* LOGKEEP_HEARTBEAT_SECONDS: the heartbeat's interval; 0 turns it off; a bad value is
     * ignored. */
    const char *env = getenv("LOGKEEP_HEARTBEAT_SECONDS");
    char *end = NULL;
    long secs = env ? strtol(env, &end, 10) : -1;
    if (env && *env && !*end && secs >= 0 && secs <= S_HEARTBEAT_MAX_S)
        s_hb.interval_ms = secs * 1000;
    s_hb.next_ms = 0;
    s_hb.last_elapsed = 0;
    *out = (struct lk_session_options){
        .region = a->region,
        .endpoint_url = a->endpoint_url,
        .profile = a->profile,
        .debug = a->debug ? stderr : NULL,
        .state_file = a->state_file,
        .allow = a->allow,
        .n_allow = a->n_allow,
        .approved = a->auto_approve,
        .progress = s_progress,
        .markdown_max_bytes = a->markdown_max_bytes,
        .full_report = a->json_report,
        .concurrency = a->concurrency,
    };
}

/* Says which accounts a dynamic group pinned by a "resolved:" section stands for, as a run that
 * resolves it through AWS Organizations does ("resolved <group>: ..."), so that every plan and
 * drift shows the list it used, and where it was pinned. A group the run resolved itself (its pin
 * given by lk_policy_pin_group()) was already shown. */
static void s_show_pins(const struct lk_policy *p)
{
    for (size_t i = 0; i < p->n_groups; i++) {
        const struct lk_account_group *g = p->groups[i];
        if (g->kind == LK_GROUP_LIST || !g->pinned_set)
            continue;
        for (size_t k = 0; k < p->n_pins; k++) {
            const struct lk_group_pin *pin = &p->pins[k];
            if (!lk_str_eq(pin->group, g->name) || pin->ids.items != g->pinned.items)
                continue; /* another group's, or the run resolved the group itself */
            const char *file = pin->span.file < p->sources.n
                                   ? p->sources.files[pin->span.file]->path
                                   : "the policy";
            fprintf(stderr, "pinned %.*s: %zu account%s (", LK_STR_ARG(g->name), pin->ids.n,
                    pin->ids.n == 1 ? "" : "s");
            for (size_t j = 0; j < pin->ids.n; j++)
                fprintf(stderr, "%s%.*s", j ? ", " : "", LK_STR_ARG(pin->ids.items[j].v));
            fprintf(stderr, ") by %s:%u; `logkeep resolve` lists the organisation again\n", file,
                    (unsigned)pin->span.line);
            break;
        }
    }
}

int lk_aws_load(const struct lk_aws_args *a, int n_paths, char **paths, struct lk_policy **p)
{
    *p = lk_cli_read_policy(a->cmd, n_paths, paths);
    if (!*p)
        return LK_EXIT_NOINPUT;
    /* Dynamic groups are resolved before the check, which refuses them unpinned. An offline run
     * (--state) cannot: the check then says to pin them with logkeep resolve. */
    if (!a->state_file && (*p)->n_accounts > 0 && (*p)->diags.n_errors == 0) {
        int rc = lk_aws_resolve_groups(a, *p, false, NULL);
        if (rc != 0)
            return rc;
    }
    lk_policy_check(*p);
    if ((*p)->diags.n_errors) {
        lk_cli_print_diags(*p, a->color, stderr);
        fprintf(stderr, "logkeep %s: the policy has errors; nothing was read or changed\n", a->cmd);
        return LK_EXIT_FAILED;
    }
    s_show_pins(*p);
    return 0;
}

int lk_aws_compile(const struct lk_aws_args *a, struct lk_policy *p, struct lk_ir_state **desired,
                   struct lk_artifacts *arts)
{
    /* drift and snapshot compare states: the payloads are not needed. */
    if ((arts ? lk_cli_compile(a->cmd, p, desired, arts) : lk_compile_state(p, desired)) != 0) {
        lk_cli_print_diags(p, a->color, stderr);
        fprintf(stderr, "logkeep %s: the policy has errors; nothing was read or changed\n", a->cmd);
        return LK_EXIT_FAILED;
    }
    if (p->diags.n_errors || p->diags.n_warnings)
        lk_cli_print_diags(p, a->color, stderr);
    return 0;
}

int lk_aws_write_json_report(const struct lk_aws_args *a, const struct lk_session *s)
{
    if (!a->json_report)
        return 0;
    FILE *f = fopen(a->json_report, "w");
    enum lk_status rc = LK_STATUS_IO;
    if (f) {
        rc = lk_session_render(s, LK_REPORT_JSON, false, (const char *const *)a->policy_paths,
                               (size_t)a->n_policy_paths, f);
        if (fclose(f) != 0 && rc == LK_STATUS_OK)
            rc = LK_STATUS_IO;
    }
    if (rc != LK_STATUS_OK) {
        fprintf(stderr, "logkeep %s: cannot write the JSON report %s\n", a->cmd, a->json_report);
        return LK_EXIT_CANTCREAT;
    }
    return 0;
}

int lk_aws_fail(const struct lk_aws_args *a, const struct lk_session *s)
{
    if (s->message)
        fprintf(stderr, "logkeep %s: %s\n", a->cmd, s->message);
    return LK_EXIT_FAILED;
}

size_t lk_aws_count_producer_calls(const struct lk_apply_plan *plan)
{
    size_t n = 0;
    for (size_t i = 0; i < plan->n; i++)
        n += plan->steps[i].coverage != NULL;
    return n;
}

void lk_aws_print_producer_call_lines(const struct lk_apply_plan *plan, const char *pair_label,
                                      FILE *out)
{
    for (size_t i = 0; i < plan->n; i++) {
        const struct lk_apply_step *st = &plan->steps[i];
        if (!st->coverage)
            continue;
        const char *effect = lk_apply_step_effect(st);
        fputs("  ", out);
        if (pair_label)
            fprintf(out, "%s  ", pair_label);
        fprintf(out, "%s %s", lk_apply_op_name(st->op), st->name);
        if (st->region)
            fprintf(out, " [%s]", st->region);
        if (effect)
            fprintf(out, ": %s", effect);
        fputc('\n', out);
    }
}

void lk_aws_print_producer_calls_header(size_t n, FILE *out)
{
    fprintf(out, "\n%zu call%s turn%s delivery on (sources with enable: true):\n", n,
            n == 1 ? "" : "s", n == 1 ? "s" : "");
}

void lk_aws_print_producer_calls(const struct lk_apply_plan *plan, FILE *out)
{
    size_t n = lk_aws_count_producer_calls(plan);
    if (n == 0)
        return;
    lk_aws_print_producer_calls_header(n, out);
    lk_aws_print_producer_call_lines(plan, NULL, out);
}
