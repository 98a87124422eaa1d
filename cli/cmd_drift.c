/*
 * logkeep drift (see cmd_aws.h): compile the policy into the desired state, read the live state
 * (runtime/session.h) and report where they differ, as text or for a CI system.
 */
#include "config.h"

#include <stdio.h>

#include "cli/aws_options.h"
#include "cli/cli.h"
#include "cli/cmd_aws.h"
#include "compiler/policy.h"
#include "runtime/report.h"
#include "runtime/session.h"

static void s_usage(FILE *out)
{
    fputs("usage: logkeep drift POLICY... [--format text|json|markdown|junit|sarif] "
          "[--state FILE]\n"
          "       [--markdown-limit summary|comment|BYTES] [--json-report FILE]\n       ",
          out);
    lk_aws_usage_common(out);
    fputs("Reports where live AWS state differs from the policy, and the log groups and the\n"
          "buckets receiving logs (trails' buckets) that the policy does not govern.\n"
          "  --format F     text (default), json, markdown (GitHub step summary, PR comment),\n"
          "                 junit or sarif\n"
          "  --state FILE   compare with a snapshot (logkeep snapshot) instead of AWS: no\n"
          "                 credentials needed\n",
          out);
    lk_aws_usage_report(out);
    fputs("exit status: 0 in sync, 1 policy or AWS error, 2 drift found, 4 incomplete (a\n"
          "pair of an organisation failed; the report says which, and any drift), 64 usage\n"
          "error, 66 a policy path or --state file cannot be read, 73 the --json-report file\n"
          "cannot be written\n",
          out);
    lk_aws_usage_org(out);
    lk_aws_usage_shard(out);
}

int lk_cmd_drift(int argc, char **argv)
{
    struct lk_aws_args a = {.mode = LK_AWS_CMD_DRIFT, .cmd = "drift", .usage = s_usage};
    int rc = lk_aws_args_parse(&a, argc, argv);
    if (rc != 0) {
        lk_aws_args_free(&a);
        return rc < 0 ? LK_EXIT_OK : rc;
    }
    enum lk_report_format fmt = LK_REPORT_TEXT;
    if (a.format)
        lk_report_format_parse(a.format, &fmt); /* checked by lk_aws_args_parse() */

    struct lk_policy *p = NULL;
    struct lk_ir_state *desired = NULL;
    struct lk_session_options opts;
    lk_aws_session_options(&a, &opts);
    struct lk_session s;
    lk_session_init(&s, LK_SESSION_DRIFT, &opts);

    rc = lk_aws_load(&a, a.n_policy_paths, a.policy_paths, &p);
    if (rc != 0)
        goto cleanup;
    if (p->scope.multi) {
        rc = lk_aws_run_org(&a, p);
        goto cleanup;
    }
    if (a.shard_index) {
        /* A single account is one pair, shard 0's (docs/logkeep.1, Shards). */
        rc = LK_EXIT_OK;
        goto cleanup;
    }
    rc = lk_aws_compile(&a, p, &desired, NULL);
    if (rc != 0)
        goto cleanup;
    rc = LK_EXIT_FAILED;
    bool color = fmt == LK_REPORT_TEXT && lk_cli_use_color(a.color, stdout);
    /* The JSON report first: the Markdown may name it. */
    enum lk_status st = lk_session_read(&s, desired, NULL);
    if (st != LK_STATUS_OK) {
        lk_aws_fail(&a, &s);
        /* An offline drift whose --state file cannot be read: no input. */
        if (a.state_file && st == LK_STATUS_IO)
            rc = LK_EXIT_NOINPUT;
        goto cleanup;
    }
    if ((rc = lk_aws_write_json_report(&a, &s)) != 0)
        goto cleanup;
    rc = LK_EXIT_FAILED;
    if (lk_session_render(&s, fmt, color, (const char *const *)a.policy_paths,
                          (size_t)a.n_policy_paths, stdout) != LK_STATUS_OK) {
        lk_aws_fail(&a, &s);
        goto cleanup;
    }
    rc = lk_session_has_drift(&s) ? LK_EXIT_CHANGES : LK_EXIT_OK;

cleanup:
    if (fflush(stdout) != 0 && rc == LK_EXIT_OK)
        rc = LK_EXIT_CANTCREAT;
    lk_session_free(&s);
    lk_ir_state_free(desired);
    if (p)
        lk_policy_free(p);
    lk_aws_args_free(&a);
    return rc;
}
