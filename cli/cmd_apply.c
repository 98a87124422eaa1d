/*
 * logkeep apply (see cmd_aws.h): compile the policy (or the one a saved plan names), read the
 * live state, print the changes, then guard, confirm and make the calls (runtime/session.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/aws_options.h"
#include "cli/cli.h"
#include "cli/cmd_aws.h"
#include "compiler/policy.h"
#include "runtime/org.h"
#include "runtime/session.h"

static void s_usage(FILE *out)
{
    fputs("usage: logkeep apply POLICY...|PLAN.json [--auto-approve] [--allow NAME]... ", out);
    lk_aws_usage_common(out);
    fputs("Changes live AWS state to match the policy, after a confirmation on the terminal.\n"
          "  --auto-approve  apply without asking (needed when stdin is not a terminal)\n"
          "  --allow NAME    allow one change that can lose logs or lock them in (plan\n"
          "                  prints the names); control-tower:BUCKET to touch a bucket\n"
          "                  AWS Control Tower manages; redirect:ID to point a producer\n"
          "                  that delivers elsewhere at a source with enable: true\n"
          "  PLAN.json       a plan saved by `logkeep plan --out` (one account's, or an\n"
          "                  organisation's covering every pair): applies exactly its calls,\n"
          "                  without asking (the saved plan is the approval, as with\n"
          "                  terraform); refuses, changing nothing, when the policy or the\n"
          "                  live state changed since the plan was made. --allow still\n"
          "                  applies.\n"
          "exit status: 0 applied or nothing to do, 1 refused or failed (or PLAN.json is\n"
          "damaged), 4 incomplete (a pair of an organisation failed while others applied),\n"
          "64 usage error, 66 a policy path or PLAN.json cannot be read\n",
          out);
    lk_aws_usage_org(out);
}

/* Asks on the terminal. */
static bool s_confirm(void *ctx, const struct lk_session *s, char *why, size_t why_len)
{
    (void)ctx;
    if (!lk_cli_can_ask(why, why_len))
        return false;
    /* Name where and as whom before asking: the account and caller GetCallerIdentity gave. */
    printf("\nApply these changes to account %s as %s? (yes/no) ",
           s->report.account ? s->report.account : "?", s->report.arn ? s->report.arn : "?");
    return lk_cli_answer_yes(why, why_len);
}

static void s_on_start(void *ctx, const struct lk_session *s)
{
    (void)ctx;
    if (s->saved_plan_path)
        printf("\nApplying the saved plan %s.\n", s->saved_plan_path);
    printf("\nApplying %zu call%s as %s in account %s:\n", s->plan.n, s->plan.n == 1 ? "" : "s",
           s->report.arn, s->report.account ? s->report.account : "?");
    fflush(stdout);
}

static void s_on_step(void *ctx, const struct lk_apply_step *step)
{
    (void)ctx;
    if (step->status == LK_APPLY_DONE) {
        const char *effect = lk_apply_step_effect(step);
        printf("  done  %s %s%s%s\n", lk_apply_op_name(step->op), step->name, effect ? ": " : "",
               effect ? effect : "");
        fflush(stdout);
    }
}

int lk_cmd_apply(int argc, char **argv)
{
    struct lk_aws_args a = {.mode = LK_AWS_CMD_APPLY, .cmd = "apply", .usage = s_usage};
    int rc = lk_aws_args_parse(&a, argc, argv);
    if (rc != 0) {
        lk_aws_args_free(&a);
        return rc < 0 ? LK_EXIT_OK : rc;
    }

    struct lk_policy *p = NULL;
    struct lk_ir_state *desired = NULL;
    struct lk_artifacts arts;
    lk_artifacts_init(&arts);
    struct lk_session_options opts;
    lk_aws_session_options(&a, &opts);
    struct lk_session s;
    lk_session_init(&s, LK_SESSION_APPLY, &opts);
    int n_policy = a.n_policy_paths;
    char **policy_paths = a.policy_paths;

    struct lk_org_plan org_plan = {0};
    rc = LK_EXIT_FAILED;
    if (n_policy == 1) {
        char *msg = NULL;
        enum lk_status st = lk_org_plan_open(&org_plan, policy_paths[0], &msg);
        if (st != LK_STATUS_OK) {
            fprintf(stderr, "logkeep apply: %s\n", msg ? msg : "cannot read the plan");
            free(msg);
            /* A plan that cannot be read is no input; a damaged one is an error. */
            if (st == LK_STATUS_IO)
                rc = LK_EXIT_NOINPUT;
            goto cleanup;
        }
    }
    if (org_plan.path) {
        /* An organisation's plan: its pairs' payloads are rebuilt from its policy. */
        policy_paths = org_plan.policy_paths;
        n_policy = (int)org_plan.n_policy_paths;
    } else if (n_policy == 1) {
        enum lk_status st = lk_session_open_plan(&s, policy_paths[0]);
        if (st != LK_STATUS_OK) {
            lk_aws_fail(&a, &s);
            if (st == LK_STATUS_IO)
                rc = LK_EXIT_NOINPUT;
            goto cleanup;
        }
        if (s.saved_plan_path) {
            /* The payloads are rebuilt from the policy the plan was made from. */
            policy_paths = s.saved_policy_paths;
            n_policy = (int)s.n_saved_policy_paths;
        }
    }
    rc = lk_aws_load(&a, n_policy, policy_paths, &p);
    if (rc != 0)
        goto cleanup;
    if (p->scope.multi) {
        if (s.saved_plan_path) {
            fprintf(stderr,
                    "logkeep apply: %s: a single account's plan, but the policy it names "
                    "declares accounts:; run plan --out again for the organisation\n",
                    s.saved_plan_path);
            rc = LK_EXIT_FAILED;
            goto cleanup;
        }
        rc = lk_aws_run_org_plan(&a, p, org_plan.path ? &org_plan : NULL);
        goto cleanup;
    }
    if (org_plan.path) {
        fprintf(stderr,
                "logkeep apply: refusing: %s is an organisation's plan, but the policy it names "
                "no longer declares accounts:; run plan again. Nothing was read or changed.\n",
                org_plan.path);
        rc = LK_EXIT_FAILED;
        goto cleanup;
    }
    rc = lk_aws_compile(&a, p, &desired, &arts);
    if (rc != 0)
        goto cleanup;
    rc = LK_EXIT_FAILED;
    if (lk_session_read(&s, desired, &arts) != LK_STATUS_OK ||
        lk_session_render(&s, LK_REPORT_TEXT, lk_cli_use_color(a.color, stdout), NULL, 0, stdout) !=
            LK_STATUS_OK ||
        lk_session_build_plan(&s) != LK_STATUS_OK) {
        lk_aws_fail(&a, &s);
        goto cleanup;
    }
    if (s.plan.n == 0) {
        size_t findings = 0;
        for (size_t i = 0; i < s.diff.n; i++)
            findings += s.diff.changes[i].resource == LK_DIFF_PRODUCER &&
                        s.diff.changes[i].kind != LK_DIFF_NOTE;
        if (findings)
            /* Coverage without enable is reported, not changed (docs/language.md, "Coverage
             * and enable"). */
            printf("\nNothing to apply: the %zu producer finding%s above %s reported only "
                   "(sources without enable: true, or changes apply does not make).\n",
                   findings, findings == 1 ? "" : "s", findings == 1 ? "is" : "are");
        else
            printf("\nNothing to apply: live state matches the policy.\n");
        rc = LK_EXIT_OK;
        goto cleanup;
    }
    lk_aws_print_producer_calls(&s.plan, stdout);
    struct lk_session_apply_hooks hooks = {
        .confirm = s_confirm,
        .on_start = s_on_start,
        .on_step = s_on_step,
    };
    if (lk_session_apply(&s, &hooks) != LK_STATUS_OK) {
        lk_aws_fail(&a, &s);
        goto cleanup;
    }
    printf("Apply complete: %zu call%s made.\n", s.plan.n, s.plan.n == 1 ? "" : "s");
    rc = LK_EXIT_OK;

cleanup:
    if (fflush(stdout) != 0 && rc == LK_EXIT_OK)
        rc = LK_EXIT_CANTCREAT;
    lk_session_free(&s);
    lk_org_plan_free(&org_plan);
    lk_ir_state_free(desired);
    lk_artifacts_free(&arts);
    if (p)
        lk_policy_free(p);
    lk_aws_args_free(&a);
    return rc;
}
