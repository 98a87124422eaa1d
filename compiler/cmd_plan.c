/*
 * logkeep plan, apply and drift (see cmd_plan.h). One pipeline: compile the policy into the
 * desired state, read the live state (runtime/live.h), diff (runtime/diff.h); then print
 * (plan, drift) or guard, confirm and apply (runtime/apply.h).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "aws.h"
#include "cli.h"
#include "cmd_plan.h"
#include "compile.h"
#include "diff.h"
#include "live.h"
#include "policy.h"
#include "report.h"
#include "state_json.h"

#include <errno.h>
#include <time.h>

/* Exit status of an AWS error, a refusal or a failed apply (cli.h has 0 and 2). */
#define S_EXIT_FAILED 1
/* drift: differences found (terraform plan -detailed-exitcode's 2). */
#define S_EXIT_DRIFT 2

enum s_mode { S_PLAN, S_APPLY, S_DRIFT, S_SNAPSHOT };

struct s_args {
    enum s_mode mode;
    const char *cmd;
    const char *region, *endpoint_url, *profile, *color, *format;
    const char *state_file;  /* plan, drift: --state FILE, offline */
    const char *output_file; /* snapshot: -o FILE */
    bool debug, auto_approve;
    const char **allow; /* owned array of borrowed argv strings */
    size_t n_allow;
};

static void s_usage(const struct s_args *a, FILE *out)
{
    fprintf(out, "usage: logkeep %s POLICY... ", a->cmd);
    if (a->mode == S_APPLY)
        fputs("[--auto-approve] [--allow NAME]... ", out);
    if (a->mode == S_DRIFT)
        fputs("[--format text|json|markdown|junit|sarif] ", out);
    if (a->mode == S_PLAN || a->mode == S_DRIFT)
        fputs("[--state FILE] ", out);
    if (a->mode == S_SNAPSHOT)
        fputs("-o FILE ", out);
    fputs("[--region REGION] [--endpoint-url URL]\n"
          "       [--profile NAME] [--debug] [--color auto|always|never]\n\n",
          out);
    if (a->mode == S_PLAN)
        fputs("Prints the changes `logkeep apply` would make to live AWS state.\n"
              "Exit status: 0 success (with or without changes), 1 policy or AWS error, 2 usage.\n",
              out);
    else if (a->mode == S_APPLY)
        fputs("Changes live AWS state to match the policy, after a confirmation on the terminal.\n"
              "  --auto-approve  apply without asking (needed when stdin is not a terminal)\n"
              "  --allow NAME    allow one change that can lose logs (plan prints the names)\n"
              "Exit status: 0 applied or nothing to do, 1 refused or failed, 2 usage.\n",
              out);
    else if (a->mode == S_DRIFT)
        fputs("Reports where live AWS state differs from the policy, unmanaged log groups too.\n"
              "  --format F     text (default), json, markdown (GitHub step summary, PR comment),\n"
              "                 junit or sarif\n"
              "  --state FILE   compare with a snapshot (logkeep snapshot) instead of AWS: no\n"
              "                 credentials needed\n"
              "Exit status: 0 in sync, 2 drift found, 1 policy or AWS error.\n",
              out);
    else
        fputs("Reads the live state of everything the policy governs (and every log group of the\n"
              "region) and writes it as JSON, for drift --state and plan --state offline.\n"
              "  -o FILE        where to write it (\"-\" for stdout)\n"
              "Exit status: 0 written, 1 policy or AWS error, 2 usage.\n",
              out);
    if (a->mode == S_PLAN)
        fputs("  --state FILE   compare with a snapshot instead of AWS: no credentials needed\n",
              out);
}

/* Terminal progress of the live read, on stderr. */
static void s_progress(void *ctx, size_t done, size_t total)
{
    (void)ctx;
    if (done >= total)
        fputs("\r\033[K", stderr);
    else
        fprintf(stderr, "\rreading live state: %zu/%zu", done, total);
    fflush(stderr);
}

static void s_on_step(void *ctx, const struct lk_apply_step *s)
{
    (void)ctx;
    if (s->status == LK_APPLY_DONE) {
        printf("  done  %s %s\n", lk_apply_op_name(s->op), s->name);
        fflush(stdout);
    }
}

/* @return 0 to go on, or an exit status. */
static int s_parse(struct s_args *a, int argc, char **argv)
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
        case 'r': a->region = optarg; break;
        case 'e': a->endpoint_url = optarg; break;
        case 'p': a->profile = optarg; break;
        case 'd': a->debug = true; break;
        case 'c':
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
                fprintf(stderr, "logkeep %s: --color takes auto, always or never\n", a->cmd);
                return LK_EXIT_USAGE;
            }
            a->color = optarg;
            break;
        case 'y':
            if (a->mode != S_APPLY)
                goto bad;
            a->auto_approve = true;
            break;
        case 'a':
            if (a->mode != S_APPLY)
                goto bad;
            a->allow = lk_xrealloc(a->allow, (a->n_allow + 1) * sizeof(*a->allow));
            a->allow[a->n_allow++] = optarg;
            break;
        case 'f':
            if (a->mode != S_DRIFT)
                goto bad;
            enum lk_report_format fmt;
            if (!lk_report_format_parse(optarg, &fmt)) {
                fprintf(stderr,
                        "logkeep %s: --format takes text, json, markdown, junit or sarif\n",
                        a->cmd);
                return LK_EXIT_USAGE;
            }
            a->format = optarg;
            break;
        case 's':
            if (a->mode != S_PLAN && a->mode != S_DRIFT)
                goto bad;
            a->state_file = optarg;
            break;
        case 'o':
            if (a->mode != S_SNAPSHOT)
                goto bad;
            a->output_file = optarg;
            break;
        case 'h':
            s_usage(a, stdout);
            return -1;
        default:
        bad:
            fprintf(stderr, "logkeep %s: unknown option or missing value: %s\n", a->cmd,
                    argv[optind - 1]);
            s_usage(a, stderr);
            return LK_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "logkeep %s: no policy given\n", a->cmd);
        s_usage(a, stderr);
        return LK_EXIT_USAGE;
    }
    if (a->mode == S_SNAPSHOT && !a->output_file) {
        fprintf(stderr, "logkeep snapshot: give the output file with -o FILE\n");
        s_usage(a, stderr);
        return LK_EXIT_USAGE;
    }
    return 0;
}

/* Reads a snapshot written by `logkeep snapshot`. @return the state, or NULL after a message. */
static struct lk_ir_state *s_load_state(const char *cmd, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "logkeep %s: %s: %s\n", cmd, path, strerror(errno));
        return NULL;
    }
    struct lk_buf b;
    lk_buf_init(&b);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (b.len + got > LK_STATE_JSON_MAX_BYTES) {
            fprintf(stderr, "logkeep %s: %s: larger than a state file can be\n", cmd, path);
            fclose(f);
            lk_buf_free(&b);
            return NULL;
        }
        lk_buf_append(&b, chunk, got);
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    struct lk_ir_state *st = NULL;
    char err[512];
    if (bad)
        fprintf(stderr, "logkeep %s: %s: read error\n", cmd, path);
    else if (lk_ir_state_from_json(b.data ? b.data : "", b.len, &st, err, sizeof(err)) != 0)
        fprintf(stderr, "logkeep %s: %s: %s\n", cmd, path, err);
    lk_buf_free(&b);
    return st;
}

/* Writes the snapshot to @p path ("-" = stdout). @return 0, or -1 after a message. */
static int s_write_state(const char *path, const struct lk_ir_state *live)
{
    char *json = lk_ir_state_to_json(live);
    FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    int rc = -1;
    if (!f) {
        fprintf(stderr, "logkeep snapshot: cannot write %s: %s\n", path, strerror(errno));
        goto cleanup;
    }
    if (fputs(json, f) < 0 || (f != stdout && fclose(f) != 0) || (f == stdout && fflush(f))) {
        fprintf(stderr, "logkeep snapshot: cannot write %s: %s\n", path, strerror(errno));
        goto cleanup;
    }
    rc = 0;
cleanup:
    free(json);
    return rc;
}

static bool s_confirm(void)
{
    fputs("\nApply these changes? (yes/no) ", stdout);
    fflush(stdout);
    char line[64];
    if (!fgets(line, sizeof(line), stdin))
        return false;
    line[strcspn(line, "\r\n")] = '\0';
    return !strcmp(line, "yes");
}

static int s_run(struct s_args *a, int argc, char **argv)
{
    int rc = s_parse(a, argc, argv);
    if (rc != 0)
        return rc < 0 ? LK_EXIT_OK : rc;

    rc = S_EXIT_FAILED;
    struct lk_policy *p = NULL;
    struct lk_ir_state *desired = NULL, *live = NULL;
    struct lk_artifacts arts;
    struct lk_aws_client client;
    bool have_client = false;
    struct lk_aws_error err;
    struct lk_live_report report;
    struct lk_diff diff;
    struct lk_apply_plan plan;
    struct lk_diff_unmodelled *um = NULL;
    char *json = NULL;
    char text[2048];

    lk_artifacts_init(&arts);
    memset(&client, 0, sizeof(client));
    memset(&err, 0, sizeof(err));
    memset(&report, 0, sizeof(report));
    lk_diff_init(&diff);
    lk_apply_plan_init(&plan);

    p = lk_cli_load_policy(a->cmd, argc - optind, argv + optind);
    if (!p) {
        rc = LK_EXIT_USAGE;
        goto cleanup;
    }
    if (lk_compile(p, &desired, &arts) != 0) {
        lk_cli_print_diags(p, a->color, stderr);
        fprintf(stderr, "logkeep %s: the policy has errors; nothing was read or changed\n",
                a->cmd);
        goto cleanup;
    }
    if (p->diags.n_errors || p->diags.n_warnings)
        lk_cli_print_diags(p, a->color, stderr);

    if (a->state_file) {
        /* Offline: the live state comes from a snapshot; no credentials, no requests. */
        live = s_load_state(a->cmd, a->state_file);
        if (!live)
            goto cleanup;
        if (!live->account || !desired->account || strcmp(live->account, desired->account)) {
            fprintf(stderr, "logkeep %s: %s is a snapshot of account %s, but the policy is for "
                            "account %s\n",
                    a->cmd, a->state_file, live->account ? live->account : "?",
                    desired->account ? desired->account : "?");
            goto cleanup;
        }
        lk_ir_canonicalize(live);
        goto diff;
    }

    /* The client, built as `logkeep whoami` builds it; the policy's region is the fallback. */
    struct lk_aws_config_options copts = {
        .region = a->region,
        .endpoint_url = a->endpoint_url,
        .profile = a->profile,
        .fallback_region = desired->region,
        .debug = a->debug ? stderr : NULL,
    };
    if (lk_live_client_new(&copts, &client, &err) != 0) {
        lk_aws_error_format(&err, text, sizeof(text));
        fprintf(stderr, "logkeep %s: %s\n", a->cmd, text);
        goto cleanup;
    }
    have_client = true;

    live = lk_ir_state_new();
    struct lk_live_options lopts = {
        .discover_unmanaged = a->mode == S_DRIFT || a->mode == S_SNAPSHOT,
        /* The account guard: the reader stops after GetCallerIdentity, before reading (let
         * alone writing) anything in another account. */
        .expected_account = desired->account,
        .new_client = lk_live_client_new,
        .new_client_ctx = &copts,
        .progress = isatty(STDERR_FILENO) ? s_progress : NULL,
    };
    if (lk_live_read(&client, desired, &lopts, live, &report, &err) != 0) {
        if (err.code && !strcmp(err.code, LK_LIVE_WRONG_ACCOUNT))
            fprintf(stderr,
                    "logkeep %s: refusing: the credentials belong to account %s (%s), but the "
                    "policy is for account %s; nothing was changed\n",
                    a->cmd, report.account ? report.account : "?",
                    report.arn ? report.arn : "?", desired->account ? desired->account : "?");
        else {
            lk_live_error_format(&report, &err, text, sizeof(text));
            fprintf(stderr, "logkeep %s: %s\n", a->cmd, text);
        }
        goto cleanup;
    }

    if (a->mode == S_SNAPSHOT) {
        rc = s_write_state(a->output_file, live) == 0 ? LK_EXIT_OK : S_EXIT_FAILED;
        if (rc == LK_EXIT_OK && strcmp(a->output_file, "-"))
            fprintf(stderr, "logkeep snapshot: wrote the live state of account %s to %s\n",
                    live->account ? live->account : "?", a->output_file);
        goto cleanup;
    }

    if (report.n_unmodelled) {
        um = lk_xcalloc(report.n_unmodelled, sizeof(*um));
        for (size_t i = 0; i < report.n_unmodelled; i++) {
            um[i].resource = report.unmodelled[i].kind == LK_LIVE_TRAIL ? LK_DIFF_TRAIL
                                                                        : LK_DIFF_BUCKET;
            um[i].name = report.unmodelled[i].name;
            um[i].bits = report.unmodelled[i].bits;
        }
    }
diff:
    if (lk_diff_states_ex(desired, live, um, report.n_unmodelled, &diff) != LK_DIFF_OK)
        goto cleanup;
    if (a->mode == S_DRIFT &&
        lk_diff_log_groups_unmanaged(desired, live->log_groups, live->n_log_groups, &diff) !=
            LK_DIFF_OK)
        goto cleanup;

    struct lk_diff_summary sum;
    lk_diff_summarize(&diff, &sum);
    bool drift = sum.to_add + sum.to_change + sum.to_remove > 0;

    if (a->mode == S_DRIFT && a->format && strcmp(a->format, "text") != 0) {
        enum lk_report_format fmt = LK_REPORT_TEXT;
        lk_report_format_parse(a->format, &fmt);
        char when[32] = "";
        time_t now = time(NULL);
        struct tm tm;
        if (gmtime_r(&now, &tm))
            strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        struct lk_report_context ctx = {
            .account = desired->account,
            .region = desired->region,
            .partition = desired->partition,
            .policy_paths = (const char *const *)(argv + optind),
            .n_policy_paths = (size_t)(argc - optind),
            .resources_read = live->n_buckets + live->n_trails + live->n_log_groups,
            .unmanaged_log_groups = report.n_unmanaged,
            .generated_at = when,
            .tool_version = PACKAGE_VERSION,
            .desired = desired,
            .color = false,
        };
        if (lk_report_render(&diff, &ctx, fmt, stdout) != LK_REPORT_OK)
            goto cleanup;
        rc = drift ? S_EXIT_DRIFT : LK_EXIT_OK;
        goto cleanup;
    }
    if (lk_diff_render_text(&diff, stdout, lk_cli_use_color(a->color, stdout)) != LK_DIFF_OK)
        goto cleanup;
    if (a->mode == S_DRIFT) {
        rc = drift ? S_EXIT_DRIFT : LK_EXIT_OK;
        goto cleanup;
    }
    if (a->mode == S_PLAN) {
        rc = LK_EXIT_OK;
        goto cleanup;
    }

    /* apply: every guard runs before the first write. */
    if (lk_apply_plan_build(desired, &diff, &arts, &plan) != LK_APPLY_OK)
        goto cleanup;
    if (plan.n == 0) {
        printf("\nNothing to apply: live state matches the policy.\n");
        rc = LK_EXIT_OK;
        goto cleanup;
    }
    if (lk_apply_missing_allows(&diff, a->allow, a->n_allow, NULL) > 0) {
        fprintf(stderr,
                "logkeep apply: refusing: some changes can lose logs or reduce what is "
                "recorded; nothing was changed. To allow them, add:\n");
        lk_apply_missing_allows(&diff, a->allow, a->n_allow, stderr);
        goto cleanup;
    }
    if (!report.arn) {
        fprintf(stderr, "logkeep apply: refusing: the caller's identity is unknown\n");
        goto cleanup;
    }
    if (!lk_apply_check_lockout(desired, report.arn, text, sizeof(text))) {
        fprintf(stderr, "logkeep apply: refusing: %s; nothing was changed\n", text);
        goto cleanup;
    }
    if (!a->auto_approve) {
        if (!isatty(STDIN_FILENO)) {
            fprintf(stderr, "logkeep apply: refusing: stdin is not a terminal, so apply cannot "
                            "ask for confirmation; review `logkeep plan` and rerun with "
                            "--auto-approve\n");
            goto cleanup;
        }
        if (!s_confirm()) {
            fprintf(stderr, "logkeep apply: not applied (answer was not \"yes\")\n");
            goto cleanup;
        }
    }
    printf("\nApplying %zu call%s as %s in account %s:\n", plan.n, plan.n == 1 ? "" : "s",
           report.arn, report.account ? report.account : "?");
    fflush(stdout);
    if (lk_apply_execute(&client, &plan, s_on_step, NULL, &err) != LK_APPLY_OK) {
        lk_aws_error_format(&err, text, sizeof(text));
        fprintf(stderr, "logkeep apply: stopped at the first failed call: %s\n", text);
        fprintf(stderr, "What was and was not applied:\n");
        lk_apply_report(&plan, stderr);
        fprintf(stderr, "Run apply again to converge: it recomputes the changes from live "
                        "state.\n");
        goto cleanup;
    }
    printf("Apply complete: %zu call%s made.\n", plan.n, plan.n == 1 ? "" : "s");
    rc = LK_EXIT_OK;

cleanup:
    if (fflush(stdout) != 0 && rc == LK_EXIT_OK)
        rc = S_EXIT_FAILED;
    free(json);
    free(um);
    free(a->allow);
    lk_apply_plan_free(&plan);
    lk_diff_free(&diff);
    lk_live_report_free(&report);
    lk_aws_error_clear(&err);
    if (have_client)
        lk_aws_client_free(&client);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
    lk_artifacts_free(&arts);
    if (p)
        lk_policy_free(p);
    return rc;
}

int lk_cmd_plan(int argc, char **argv)
{
    struct s_args a = {.mode = S_PLAN, .cmd = "plan"};
    return s_run(&a, argc, argv);
}

int lk_cmd_apply(int argc, char **argv)
{
    struct s_args a = {.mode = S_APPLY, .cmd = "apply"};
    return s_run(&a, argc, argv);
}

int lk_cmd_drift(int argc, char **argv)
{
    struct s_args a = {.mode = S_DRIFT, .cmd = "drift"};
    return s_run(&a, argc, argv);
}

int lk_cmd_snapshot(int argc, char **argv)
{
    struct s_args a = {.mode = S_SNAPSHOT, .cmd = "snapshot"};
    return s_run(&a, argc, argv);
}
