/*
 * logkeep import: a draft policy from live state (runtime/import.h, docs/import.md). It reads
 * the account (or a snapshot), drafts the policy, compiles the draft and diffs it against the
 * same state exactly as plan does, then writes the draft with that list of changes in its
 * header: what plan of the draft will show is known before anyone runs it.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/aws_options.h"
#include "cli/cli.h"
#include "common/buf.h"
#include "compiler/compile.h"
#include "compiler/policy.h"
#include "runtime/coverage.h"
#include "runtime/diff/diff.h"
#include "runtime/import.h"
#include "runtime/live.h"
#include "runtime/session.h"
#include "runtime/state_json.h"

static void s_usage(FILE *out)
{
    fputs("usage: logkeep import [-o FILE] [--snapshot FILE] [--bucket NAME]...\n"
          "       [--log-group-prefix PREFIX] [--region REGION] [--endpoint-url URL]\n"
          "       [--profile NAME] [--debug] [--concurrency N]\n"
          "\n"
          "Drafts a policy from the live state of the account: its trails, the buckets that\n"
          "trails, VPC Flow Logs, load balancer access logs and AWS Config deliver to (and\n"
          "those named by --bucket) with their lifecycle and bucket policy, and its log\n"
          "groups, grouped into patterns, with their retention. The draft validates; its\n"
          "header lists every change `logkeep plan` of it would show, and comments mark\n"
          "what the language cannot express. Nothing in AWS is changed.\n"
          "\n"
          "options:\n"
          "  -o, --output FILE          write the draft to FILE (default: standard output)\n"
          "      --snapshot FILE        draft from a snapshot (`logkeep snapshot -o FILE`)\n"
          "                             instead of AWS: offline, no credentials\n"
          "      --bucket NAME          also draft a store for this bucket (repeatable)\n"
          "      --log-group-prefix P   only the log groups whose names start with P\n"
          "      --region REGION        the Region to import (default: AWS_REGION, profile)\n"
          "      --endpoint-url URL     send every request to URL\n"
          "      --profile NAME         the profile of the shared config and credentials files\n"
          "      --debug                trace each request on stderr (no credentials)\n"
          "      --concurrency N        read N resources at once (1 to 64; default 8)\n"
          "  -h, --help                 print this help\n"
          "\n"
          "exit status: 0 drafted, 1 an AWS error, a damaged snapshot or a draft with\n"
          "errors, 64 usage error, 66 the snapshot cannot be read, 73 FILE cannot be written\n",
          out);
}

struct s_args {
    const char *output, *snapshot, *log_group_prefix;
    const char *region, *endpoint_url, *profile;
    bool debug;
    int concurrency;
    const char **buckets;
    size_t n_buckets;
};

/* Reads the snapshot at @p path. @return the exit status (LK_EXIT_OK with @p out set). */
static int s_read_snapshot(const char *path, struct lk_ir_state **out)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "logkeep import: cannot read %s: %s\n", path, strerror(errno));
        return LK_EXIT_NOINPUT;
    }
    struct lk_buf b;
    lk_buf_init(&b, LK_STATE_JSON_MAX_BYTES);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        lk_buf_append(&b, chunk, n);
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad || lk_buf_failed(&b)) {
        fprintf(stderr, "logkeep import: cannot read %s: %s\n", path,
                bad ? "read error" : "larger than a snapshot can be");
        lk_buf_free(&b);
        return bad ? LK_EXIT_NOINPUT : LK_EXIT_FAILED;
    }
    struct lk_error err = {0};
    enum lk_status rc = lk_ir_state_from_json(lk_buf_cstr(&b), b.len, out, &err);
    lk_buf_free(&b);
    if (rc != LK_STATUS_OK) {
        fprintf(stderr, "logkeep import: %s: %s\n", path, err.message);
        return LK_EXIT_FAILED;
    }
    lk_ir_canonicalize(*out);
    return LK_EXIT_OK;
}

/* Compiles the draft @p text and diffs it against @p live as plan does (runtime/session.c
 * s_diff: desired against live; the draft sets no unmanaged rule), producers included: with
 * @p copts (a live import) they are read for the draft's coverage requirements into @p live;
 * a snapshot holds them when `logkeep snapshot` read them (live->producer_regions).
 * @return the number of policy errors (the diff is then empty), or -1 when producers could not
 * be read (after a message). */
static long s_check_draft(const char *text, size_t len, struct lk_ir_state *live,
                          struct lk_aws_config_options *copts, struct lk_diff *plan, bool print)
{
    struct lk_policy *p = lk_policy_new();
    lk_policy_load_buffer(p, "<draft>", text, len);
    lk_policy_check(p);
    long errors = (long)p->diags.n_errors;
    struct lk_ir_state *desired = NULL;
    if (errors == 0 && lk_compile_state(p, &desired) != 0)
        errors = p->diags.n_errors ? (long)p->diags.n_errors : 1;
    if (errors && print)
        lk_cli_print_diags(p, "never", stderr);
    if (!errors && lk_diff_states(desired, live, plan) != LK_STATUS_OK)
        errors = 1;
    if (!errors && desired->n_coverages > 0 && copts) {
        struct lk_aws_client client;
        struct lk_aws_error err = {0};
        int rc = lk_live_client_new(copts, &client, &err);
        if (rc == 0) {
            rc = lk_coverage_read(&client, desired, NULL, live, NULL, &err);
            lk_aws_client_free(&client);
        }
        if (rc != 0) {
            char msg[1024];
            lk_aws_error_format(&err, msg, sizeof(msg));
            fprintf(stderr, "logkeep import: reading the producers of the draft's sources: %s\n",
                    msg);
            errors = -1;
        }
        lk_aws_error_clear(&err);
    }
    if (!errors && desired->n_coverages > 0 && (copts || live->producer_regions.n > 0) &&
        lk_diff_coverage(desired, live, plan) != LK_STATUS_OK)
        errors = 1;
    lk_ir_state_free(desired);
    lk_policy_free(p);
    return errors;
}

/* Writes the draft to @p path (NULL or "-": standard output). A file is written beside its final
 * name and renamed over it, so that a failed write leaves an earlier draft as it was.
 * @return 0, or -1 after a message. */
static int s_write(const char *path, const struct lk_buf *draft)
{
    if (!path || !strcmp(path, "-")) {
        if (fwrite(lk_buf_cstr(draft), 1, draft->len, stdout) != draft->len || fflush(stdout)) {
            fprintf(stderr, "logkeep import: cannot write the draft: %s\n", strerror(errno));
            return -1;
        }
        return 0;
    }
    char *tmp = lk_xmalloc(strlen(path) + 32);
    sprintf(tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "logkeep import: cannot write %s: %s\n", path, strerror(errno));
        free(tmp);
        return -1;
    }
    bool ok = fwrite(lk_buf_cstr(draft), 1, draft->len, f) == draft->len;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "logkeep import: cannot write %s: %s\n", path, strerror(errno));
        remove(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

int lk_cmd_import(int argc, char **argv)
{
    /* clang-format off */
    static const struct option s_options[] = {
        {"output", required_argument, NULL, 'o'},
        {"snapshot", required_argument, NULL, 's'},
        {"bucket", required_argument, NULL, 'b'},
        {"log-group-prefix", required_argument, NULL, 'l'},
        {"region", required_argument, NULL, 'r'},
        {"endpoint-url", required_argument, NULL, 'e'},
        {"profile", required_argument, NULL, 'p'},
        {"debug", no_argument, NULL, 'd'},
        {"concurrency", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    /* clang-format on */
    struct s_args a = {0};
    int rc = LK_EXIT_USAGE;
    optind = 1;
    opterr = 0;
    for (;;) {
        int opt = getopt_long(argc, argv, "ho:", s_options, NULL);
        if (opt == -1)
            break;
        switch (opt) {
        case 'o':
            a.output = optarg;
            break;
        case 's':
            a.snapshot = optarg;
            break;
        case 'b':
            a.buckets = lk_xrealloc(a.buckets, (a.n_buckets + 1) * sizeof(*a.buckets));
            a.buckets[a.n_buckets++] = optarg;
            break;
        case 'l':
            a.log_group_prefix = optarg;
            break;
        case 'r':
            a.region = optarg;
            break;
        case 'e':
            a.endpoint_url = optarg;
            break;
        case 'p':
            a.profile = optarg;
            break;
        case 'd':
            a.debug = true;
            break;
        case 'C': {
            char *end = NULL;
            long n = strtol(optarg, &end, 10);
            if (!*optarg || *end || n < 1 || n > LK_LIVE_MAX_CONCURRENCY) {
                fprintf(stderr, "logkeep import: --concurrency takes a number from 1 to %d\n",
                        LK_LIVE_MAX_CONCURRENCY);
                goto done;
            }
            a.concurrency = (int)n;
            break;
        }
        case 'h':
            s_usage(stdout);
            rc = LK_EXIT_OK;
            goto done;
        default:
            fprintf(stderr, "logkeep import: unknown option or missing value: %s\n",
                    argv[optind - 1]);
            s_usage(stderr);
            goto done;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "logkeep import: unexpected argument \"%s\"\n", argv[optind]);
        s_usage(stderr);
        goto done;
    }
    if (a.snapshot && (a.endpoint_url || a.profile)) {
        fprintf(stderr, "logkeep import: --snapshot reads no AWS: it takes no --endpoint-url or "
                        "--profile\n");
        goto done;
    }
    if (a.output && !a.output[0]) {
        fprintf(stderr, "logkeep import: -o needs a file name\n");
        goto done;
    }

    struct lk_import_options io = {
        .buckets = a.buckets,
        .n_buckets = a.n_buckets,
        .log_group_prefix = a.log_group_prefix && a.log_group_prefix[0] ? a.log_group_prefix : NULL,
    };
    struct lk_import_warnings warnings = {0};
    io.warnings = &warnings;
    struct lk_ir_state *live = NULL;
    struct lk_aws_config_options copts = {0}; /* a live import's */
    struct lk_diff plan;
    lk_diff_init(&plan);
    struct lk_buf draft;
    lk_buf_init(&draft, LK_BUF_MAX_DOCUMENT);
    if (a.snapshot) {
        rc = s_read_snapshot(a.snapshot, &live);
        if (rc != LK_EXIT_OK)
            goto cleanup;
        if (a.region && live->region && strcmp(a.region, live->region)) {
            fprintf(stderr, "logkeep import: %s is a snapshot of %s, not of --region %s\n",
                    a.snapshot, live->region, a.region);
            rc = LK_EXIT_USAGE;
            goto cleanup;
        }
    } else {
        copts = (struct lk_aws_config_options){
            .region = a.region,
            .endpoint_url = a.endpoint_url,
            .profile = a.profile,
            .debug = a.debug ? stderr : NULL,
        };
        /* The live read's progress on stderr, as plan's and snapshot's (a line redrawn on a
         * terminal, else a heartbeat line every LOGKEEP_HEARTBEAT_SECONDS). */
        struct lk_aws_args aa = {.mode = LK_AWS_CMD_SNAPSHOT, .cmd = "import"};
        struct lk_session_options so;
        lk_aws_session_options(&aa, &so);
        char *message = NULL;
        if (lk_import_read(&copts, a.concurrency, &io, so.progress, so.progress_ctx, &live,
                           &warnings, &message) != LK_STATUS_OK) {
            fprintf(stderr, "logkeep import: %s\n", message ? message : "the read failed");
            free(message);
            rc = LK_EXIT_FAILED;
            goto cleanup;
        }
        /* A denied discovery is no failure: the draft's header says it too. */
        for (size_t i = 0; i < warnings.n; i++)
            fprintf(stderr, "logkeep import: warning: %s\n", warnings.lines[i]);
    }
    /* A bucket asked for that the state does not hold is an error, not a silent omission. */
    rc = LK_EXIT_FAILED;
    for (size_t i = 0; i < a.n_buckets; i++) {
        bool found = false;
        for (size_t k = 0; k < live->n_buckets && !found; k++)
            found = live->buckets[k].exists && !strcmp(live->buckets[k].name, a.buckets[i]);
        if (!found) {
            fprintf(stderr, "logkeep import: bucket %s: %s\n", a.buckets[i],
                    a.snapshot ? "not in the snapshot" : "no such bucket (HeadBucket)");
            goto cleanup;
        }
    }

    /* Draft, check what plan of it would show, and draft again with that list. */
    lk_import_draft(live, &io, NULL, &draft);
    long draft_errors = s_check_draft(lk_buf_cstr(&draft), draft.len, live,
                                      a.snapshot ? NULL : &copts, &plan, true);
    if (draft_errors < 0)
        goto cleanup;
    if (draft_errors != 0) {
        /* Written all the same, for fixing by hand: what was read is not lost. */
        fprintf(stderr, "logkeep import: the draft has the errors above (a logkeep bug: please "
                        "report it with the state it was drafted from); it is written as it is\n");
        rc = s_write(a.output, &draft) == 0 ? LK_EXIT_POLICY : LK_EXIT_CANTCREAT;
        goto cleanup;
    }
    lk_buf_reset(&draft);
    size_t flags = lk_import_draft(live, &io, &plan, &draft);
    if (lk_buf_failed(&draft)) {
        fprintf(stderr, "logkeep import: the draft would exceed %zu bytes\n",
                (size_t)LK_BUF_MAX_DOCUMENT);
        goto cleanup;
    }

    if (s_write(a.output, &draft) != 0) {
        rc = LK_EXIT_CANTCREAT;
        goto cleanup;
    }
    size_t changes = 0;
    for (size_t i = 0; i < plan.n; i++)
        changes += plan.changes[i].kind != LK_DIFF_NOTE;
    fprintf(stderr,
            "logkeep import: drafted account %s in %s%s%s: %zu bucket%s, %zu trail%s, %zu log "
            "group%s; plan of the draft shows %zu change%s; %zu comment%s mark what it cannot "
            "express\n",
            live->account ? live->account : "?", live->region ? live->region : "?",
            a.output && strcmp(a.output, "-") ? " to " : "",
            a.output && strcmp(a.output, "-") ? a.output : "", live->n_buckets,
            live->n_buckets == 1 ? "" : "s", live->n_trails, live->n_trails == 1 ? "" : "s",
            live->n_log_groups, live->n_log_groups == 1 ? "" : "s", changes,
            changes == 1 ? "" : "s", flags, flags == 1 ? "" : "s");
    rc = LK_EXIT_OK;

cleanup:
    lk_import_warnings_free(&warnings);
    lk_buf_free(&draft);
    lk_diff_free(&plan);
    lk_ir_state_free(live);
done:
    free(a.buckets);
    return rc;
}
