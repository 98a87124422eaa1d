/*
 * logkeep snapshot (see cmd_aws.h): compile the policy into the desired state, read the live
 * state of what it governs (runtime/session.h) and write it, for drift --state and plan --state.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/aws_options.h"
#include "cli/cli.h"
#include "cli/cmd_aws.h"
#include "compiler/policy.h"
#include "runtime/session.h"

static void s_usage(FILE *out)
{
    fputs("usage: logkeep snapshot POLICY... -o FILE ", out);
    lk_aws_usage_common(out);
    fputs("Reads the live state of everything the policy governs (and every log group of the\n"
          "region, every trail's bucket outside the policy) and writes it as JSON, for\n"
          "drift --state and plan --state offline.\n"
          "  -o FILE        where to write it (\"-\" for stdout)\n"
          "exit status: 0 written, 1 policy or AWS error, 4 incomplete (a pair of an\n"
          "organisation failed; the others are written), 64 usage error, 66 a policy path\n"
          "cannot be read, 73 FILE cannot be written\n",
          out);
    lk_aws_usage_org(out);
    lk_aws_usage_shard(out);
}

int lk_cmd_snapshot(int argc, char **argv)
{
    struct lk_aws_args a = {.mode = LK_AWS_CMD_SNAPSHOT, .cmd = "snapshot", .usage = s_usage};
    int rc = lk_aws_args_parse(&a, argc, argv);
    if (rc != 0) {
        lk_aws_args_free(&a);
        return rc < 0 ? LK_EXIT_OK : rc;
    }
    if (!a.output_file) {
        fprintf(stderr, "logkeep snapshot: give the output file with -o FILE\n");
        s_usage(stderr);
        lk_aws_args_free(&a);
        return LK_EXIT_USAGE;
    }

    struct lk_policy *p = NULL;
    struct lk_ir_state *desired = NULL;
    struct lk_session_options opts;
    lk_aws_session_options(&a, &opts);
    struct lk_session s;
    lk_session_init(&s, LK_SESSION_SNAPSHOT, &opts);

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
    if (lk_session_read(&s, desired, NULL) != LK_STATUS_OK) {
        lk_aws_fail(&a, &s);
        goto cleanup;
    }
    if (lk_session_write_snapshot(&s, a.output_file) != LK_STATUS_OK) {
        lk_aws_fail(&a, &s);
        rc = LK_EXIT_CANTCREAT;
        goto cleanup;
    }
    if (strcmp(a.output_file, "-"))
        fprintf(stderr, "logkeep snapshot: wrote the live state of account %s to %s\n",
                s.live->account ? s.live->account : "?", a.output_file);
    rc = LK_EXIT_OK;

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
