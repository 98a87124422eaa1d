/*
 * logkeep plan (see cmd_aws.h): compile the policy, read the live state and print the changes
 * apply would make (runtime/session.h); --out also saves them as a plan file.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/aws_options.h"
#include "cli/cli.h"
#include "cli/cmd_aws.h"
#include "compiler/policy.h"
#include "runtime/session.h"

static void s_usage(FILE *out)
{
    fputs("usage: logkeep plan POLICY... [--out PLAN.json] [--state FILE] [--format F]\n"
          "       [--detailed-exitcode] [--markdown-limit summary|comment|BYTES]\n"
          "       [--json-report FILE] ",
          out);
    lk_aws_usage_common(out);
    fputs("Prints the changes `logkeep apply` would make to live AWS state.\n"
          "  --detailed-exitcode\n"
          "                 exit 2 when there are changes, 0 when there are none (as\n"
          "                 terraform plan -detailed-exitcode)\n"
          "  --state FILE   compare with a snapshot instead of AWS: no credentials needed\n"
          "  --out FILE     also save the plan (JSON): `logkeep apply FILE` applies exactly\n"
          "                 these calls, and refuses if the policy or live state changed\n"
          "                 (with accounts:, one plan of every pair; none if a pair failed)\n"
          "  --format F     text (default), json, markdown, junit or sarif, as for drift\n",
          out);
    lk_aws_usage_report(out);
    fputs("exit status: 0 success (with or without changes; with --detailed-exitcode, no\n"
          "changes), 1 policy or AWS error, 2 changes (--detailed-exitcode), 4 incomplete (a\n"
          "pair of an organisation failed), 64 usage error, 66 a policy path or --state file\n"
          "cannot be read, 73 the --out or --json-report file cannot be written\n",
          out);
    lk_aws_usage_org(out);
    lk_aws_usage_shard(out);
}

/* @return whether @p desired has a source with enable: true whose producers the diff of @p s
 * finds not delivering. */
static bool s_enables(const struct lk_ir_state *desired, const struct lk_session *s)
{
    bool enable = false;
    for (size_t i = 0; i < desired->n_coverages && !enable; i++)
        enable = desired->coverages[i].enable;
    for (size_t i = 0; i < s->diff.n && enable; i++)
        if (s->diff.changes[i].resource == LK_DIFF_PRODUCER &&
            s->diff.changes[i].kind != LK_DIFF_NOTE)
            return true;
    return false;
}

int lk_cmd_plan(int argc, char **argv)
{
    struct lk_aws_args a = {.mode = LK_AWS_CMD_PLAN, .cmd = "plan", .usage = s_usage};
    int rc = lk_aws_args_parse(&a, argc, argv);
    if (rc != 0) {
        lk_aws_args_free(&a);
        return rc < 0 ? LK_EXIT_OK : rc;
    }
    if (a.plan_out && a.state_file) {
        /* apply compares the live state it reads with the one the plan was made from. */
        fprintf(stderr, "logkeep plan: --out needs the live state read from AWS, not --state\n");
        lk_aws_args_free(&a);
        return LK_EXIT_USAGE;
    }
    if (a.plan_out &&
        (!strcmp(a.plan_out, "-") || (a.n_policy_paths == 1 && !strcmp(a.policy_paths[0], "-")))) {
        /* apply reads the policy again from the paths the plan names. */
        fprintf(stderr, "logkeep plan: --out needs a file name and policy files, not stdin\n");
        lk_aws_args_free(&a);
        return LK_EXIT_USAGE;
    }

    enum lk_report_format fmt = LK_REPORT_TEXT;
    if (a.format)
        lk_report_format_parse(a.format, &fmt); /* checked by lk_aws_args_parse() */

    struct lk_policy *p = NULL;
    struct lk_ir_state *desired = NULL;
    struct lk_artifacts arts;
    lk_artifacts_init(&arts);
    struct lk_session_options opts;
    lk_aws_session_options(&a, &opts);
    struct lk_session s;
    lk_session_init(&s, LK_SESSION_PLAN, &opts);

    rc = lk_aws_load(&a, a.n_policy_paths, a.policy_paths, &p);
    if (rc != 0)
        goto cleanup;
    if (p->scope.multi) {
        /* --out: one organisation plan holding every pair's (runtime/org.h). */
        rc = lk_aws_run_org(&a, p);
        goto cleanup;
    }
    if (a.shard_index) {
        /* A single account is one pair, shard 0's (docs/logkeep.1, Shards). */
        rc = LK_EXIT_OK;
        goto cleanup;
    }
    rc = lk_aws_compile(&a, p, &desired, &arts);
    if (rc != 0)
        goto cleanup;
    rc = LK_EXIT_FAILED;
    enum lk_status st = lk_session_read(&s, desired, &arts);
    if (st != LK_STATUS_OK) {
        lk_aws_fail(&a, &s);
        /* An offline plan whose --state file cannot be read: no input. */
        if (a.state_file && st == LK_STATUS_IO)
            rc = LK_EXIT_NOINPUT;
        goto cleanup;
    }
    if ((rc = lk_aws_write_json_report(&a, &s)) != 0)
        goto cleanup;
    rc = LK_EXIT_FAILED;
    if (lk_session_render(&s, fmt, fmt == LK_REPORT_TEXT && lk_cli_use_color(a.color, stdout),
                          (const char *const *)a.policy_paths, (size_t)a.n_policy_paths,
                          stdout) != LK_STATUS_OK) {
        lk_aws_fail(&a, &s);
        goto cleanup;
    }
    /* The calls that would turn producers on are shown in the text plan, each with its effect
     * (a database modified): they change resources other teams own. Building the calls reads
     * nothing more unless a change needs a bucket's contents judged, as plan --out does. */
    bool producer_calls = fmt == LK_REPORT_TEXT && !a.state_file && s_enables(desired, &s);
    if (a.plan_out || producer_calls) {
        if (lk_session_build_plan(&s) != LK_STATUS_OK) {
            lk_aws_fail(&a, &s);
            goto cleanup;
        }
        if (producer_calls)
            lk_aws_print_producer_calls(&s.plan, stdout);
    }
    if (a.plan_out) {
        st = lk_session_save_plan(&s, a.plan_out, (const char *const *)a.policy_paths,
                                  (size_t)a.n_policy_paths);
        if (st != LK_STATUS_OK) {
            lk_aws_fail(&a, &s);
            if (st == LK_STATUS_IO)
                rc = LK_EXIT_CANTCREAT;
            goto cleanup;
        }
        printf("\nSaved the plan (%zu call%s) to %s. To make exactly these changes, run:\n"
               "  logkeep apply %s\n",
               s.plan.n, s.plan.n == 1 ? "" : "s", a.plan_out, a.plan_out);
    }
    rc = a.detailed_exitcode && lk_session_has_drift(&s) ? LK_EXIT_CHANGES : LK_EXIT_OK;

cleanup:
    if (fflush(stdout) != 0 && rc == LK_EXIT_OK)
        rc = LK_EXIT_CANTCREAT;
    lk_session_free(&s);
    lk_ir_state_free(desired);
    lk_artifacts_free(&arts);
    if (p)
        lk_policy_free(p);
    lk_aws_args_free(&a);
    return rc;
}
