/*
 * logkeep report merge (see cmd_report.h): the shards of a plan or drift run over an
 * organisation (--shard I/N, docs/logkeep.1 "Shards") each write a JSON report; merged, they
 * are the report of the whole run, rendered as the run renders it (lk_report_render_org()),
 * and the exit status is the one the whole run would have had.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/aws_options.h"
#include "cli/cli.h"
#include "cli/cmd_report.h"
#include "runtime/report.h"

static void s_usage(FILE *out)
{
    fputs("usage: logkeep report merge [--format text|json|markdown|junit|sarif]\n"
          "       [--json-report FILE] [--markdown-limit summary|comment|BYTES]\n"
          "       [--color auto|always|never] [--detailed-exitcode] REPORT.json...\n"
          "Merges the JSON reports of the shards of one plan or drift run (--shard I/N,\n"
          "--format json) into the report of the whole run, and exits as the whole run would.\n"
          "Refuses reports of different commands, organisations or policy files, a pair or a\n"
          "shard given twice, and a missing shard.\n"
          "  -f, --format F          the merged report's format (default: text)\n"
          "  --json-report FILE      also write the merged JSON report to FILE (the Markdown\n"
          "                          report names it when cut)\n"
          "  --markdown-limit L      the Markdown report's budget: summary (1,000,000 bytes,\n"
          "                          the default), comment (65,536) or a number of bytes\n"
          "  --color WHEN            colours in the text report (default: auto)\n"
          "  --detailed-exitcode     plan: exit 2 when there are changes, as plan\n"
          "                          --detailed-exitcode\n"
          "exit status: plan: 0 (--detailed-exitcode: no changes), 2 changes\n"
          "(--detailed-exitcode); drift: 0 in sync, 2 drift; 4 incomplete (a pair failed);\n"
          "1 a report is damaged or the reports do not merge; 64 usage error; 66 a report\n"
          "cannot be read; 73 the --json-report file cannot be written\n",
          out);
}

/* --markdown-limit, as plan and drift take it. @return false when @p arg is none. */
static bool s_markdown_limit(const char *arg, size_t *out)
{
    char *end = NULL;
    unsigned long long n = 0;
    if (!strcmp(arg, "summary"))
        n = LK_REPORT_MARKDOWN_SUMMARY_BYTES;
    else if (!strcmp(arg, "comment"))
        n = LK_REPORT_MARKDOWN_COMMENT_BYTES;
    else if (*arg >= '0' && *arg <= '9')
        n = strtoull(arg, &end, 10);
    if (!n || (end && *end) || n < LK_REPORT_MARKDOWN_MIN_BYTES || n > LK_BUF_MAX_REPORT)
        return false;
    *out = (size_t)n;
    return true;
}

/* The exit status of the whole run: as plan and drift over an organisation (cmd_org.c);
 * @p detailed: plan --detailed-exitcode's, changes found being LK_EXIT_CHANGES. */
static int s_exit_status(const struct lk_report_org *org, bool detailed)
{
    size_t changed = 0, failed = 0;
    for (size_t i = 0; i < org->n_pairs; i++) {
        const struct lk_report_pair *p = &org->pairs[i];
        if (p->error || !p->diff) {
            failed++;
            continue;
        }
        struct lk_diff_summary sum;
        lk_diff_summarize(p->diff, &sum);
        changed += sum.to_add + sum.to_change + sum.to_remove > 0;
    }
    if (failed)
        return LK_EXIT_INCOMPLETE;
    return (!strcmp(org->command, "drift") || detailed) && changed ? LK_EXIT_CHANGES : LK_EXIT_OK;
}

static int s_merge(int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"json-report", required_argument, NULL, 'J'},
        {"markdown-limit", required_argument, NULL, 'M'},
        {"color", required_argument, NULL, 'c'},
        {"detailed-exitcode", no_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    enum lk_report_format fmt = LK_REPORT_TEXT;
    const char *json_report = NULL, *color = NULL;
    size_t markdown_max_bytes = 0;
    bool detailed = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!lk_report_format_parse(optarg, &fmt)) {
                fprintf(stderr, "logkeep report merge: --format takes text, json, markdown, "
                                "junit or sarif\n");
                return LK_EXIT_USAGE;
            }
            break;
        case 'J':
            if (!*optarg || !strcmp(optarg, "-")) {
                /* Standard output holds the report itself. */
                fputs("logkeep report merge: --json-report needs a file name\n", stderr);
                return LK_EXIT_USAGE;
            }
            json_report = optarg;
            break;
        case 'M':
            if (!s_markdown_limit(optarg, &markdown_max_bytes)) {
                fprintf(stderr,
                        "logkeep report merge: --markdown-limit takes summary, comment or a "
                        "number of bytes from %zu to %zu\n",
                        LK_REPORT_MARKDOWN_MIN_BYTES, (size_t)LK_BUF_MAX_REPORT);
                return LK_EXIT_USAGE;
            }
            break;
        case 'c':
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
                fputs("logkeep report merge: --color takes auto, always or never\n", stderr);
                return LK_EXIT_USAGE;
            }
            color = optarg;
            break;
        case 'D':
            detailed = true;
            break;
        case 'h':
            s_usage(stdout);
            return LK_EXIT_OK;
        case ':':
            fprintf(stderr, "logkeep report merge: option %s needs a value\n", argv[optind - 1]);
            return LK_EXIT_USAGE;
        default:
            fprintf(stderr, "logkeep report merge: unknown option %s\n", argv[optind - 1]);
            s_usage(stderr);
            return LK_EXIT_USAGE;
        }
    }
    size_t n = argc > optind ? (size_t)(argc - optind) : 0;
    if (!n) {
        fputs("logkeep report merge: give the JSON reports of the shards\n", stderr);
        s_usage(stderr);
        return LK_EXIT_USAGE;
    }
    struct lk_report_doc *docs = lk_xcalloc(n, sizeof(*docs));
    struct lk_report_org org = {0};
    char *msg = NULL;
    int rc = LK_EXIT_FAILED;
    for (size_t i = 0; i < n; i++) {
        enum lk_status st = lk_report_doc_read(&docs[i], argv[optind + (int)i], &msg);
        if (st != LK_STATUS_OK) {
            fprintf(stderr, "logkeep report merge: %s\n", msg ? msg : argv[optind + (int)i]);
            /* A report that cannot be read is no input; a damaged one is an error. */
            if (st == LK_STATUS_IO)
                rc = LK_EXIT_NOINPUT;
            goto cleanup;
        }
    }
    if (lk_report_merge(docs, n, &org, &msg) != LK_STATUS_OK) {
        fprintf(stderr, "logkeep report merge: %s\n", msg ? msg : "the reports do not merge");
        goto cleanup;
    }
    org.tool_version = PACKAGE_VERSION;
    org.markdown_max_bytes = markdown_max_bytes;
    org.full_report = json_report;
    if (json_report) {
        /* The JSON report first: the Markdown may name it. */
        FILE *f = fopen(json_report, "w");
        enum lk_status wrc = f ? lk_report_render_org(&org, LK_REPORT_JSON, f) : LK_STATUS_IO;
        if (f && fclose(f) != 0)
            wrc = LK_STATUS_IO;
        if (wrc != LK_STATUS_OK) {
            fprintf(stderr, "logkeep report merge: cannot write the JSON report %s\n", json_report);
            rc = LK_EXIT_CANTCREAT;
            goto cleanup;
        }
    }
    org.color = fmt == LK_REPORT_TEXT && lk_cli_use_color(color, stdout);
    if (lk_report_render_org(&org, fmt, stdout) != LK_STATUS_OK) {
        fputs("logkeep report merge: the report could not be written\n", stderr);
        goto cleanup;
    }
    rc = s_exit_status(&org, detailed);

cleanup:
    free(msg);
    lk_report_merge_free(&org);
    for (size_t i = 0; i < n; i++)
        lk_report_doc_free(&docs[i]);
    free(docs);
    return rc;
}

int lk_cmd_report(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "merge"))
        return s_merge(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        s_usage(stdout);
        return LK_EXIT_OK;
    }
    if (argc >= 2)
        fprintf(stderr, "logkeep report: unknown subcommand \"%s\" (report merge)\n", argv[1]);
    s_usage(stderr);
    return LK_EXIT_USAGE;
}
