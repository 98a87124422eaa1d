/*
 * logkeep resolve (see cmd_aws.h): resolves the policy's dynamic account groups through AWS
 * Organizations and writes the "resolved:" section that pins them, as a policy file of its own
 * (docs/language.md, "Accounts and Regions"), so that validate, compile and CI runs use exactly
 * these accounts.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/aws_options.h"
#include "cli/cli.h"
#include "cli/cmd_aws.h"
#include "compiler/policy.h"

static void s_usage(FILE *out)
{
    fputs("usage: logkeep resolve POLICY... [-o FILE] [--no-role] ", out);
    lk_aws_usage_common(out);
    fputs("Lists the ACTIVE accounts of each dynamic account group (organization: true,\n"
          "organizational_unit) through AWS Organizations, from the management account, and\n"
          "writes the policy file that pins them (logkeep: 1 and resolved:).\n"
          "  -o FILE        where to write it (default: stdout), e.g. DIR/accounts.lock.yaml\n"
          "  --role NAME    the role assumed in the management account (default: the\n"
          "                 policy's access.read_role, else access.apply_role)\n"
          "  --no-role      call Organizations with the credentials as they are\n"
          "exit status: 0 written, 1 policy or AWS error, 64 usage error, 66 a policy path\n"
          "cannot be read, 73 FILE cannot be written\n",
          out);
}

int lk_cmd_resolve(int argc, char **argv)
{
    struct lk_aws_args a = {.mode = LK_AWS_CMD_RESOLVE, .cmd = "resolve", .usage = s_usage};
    int rc = lk_aws_args_parse(&a, argc, argv);
    if (rc != 0) {
        lk_aws_args_free(&a);
        return rc < 0 ? LK_EXIT_OK : rc;
    }
    struct lk_policy *p = lk_cli_read_policy(a.cmd, a.n_policy_paths, a.policy_paths);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = NULL;
    rc = LK_EXIT_NOINPUT;
    if (!p)
        goto cleanup;
    rc = LK_EXIT_FAILED;
    if (p->diags.n_errors) {
        lk_cli_print_diags(p, a.color, stderr);
        goto cleanup;
    }
    mem = open_memstream(&text, &len);
    if (!mem)
        goto cleanup;
    fputs("# Written by `logkeep resolve`: the accounts of the dynamic account groups, pinned.\n"
          "logkeep: 1\n"
          "resolved:\n"
          "  account_groups:\n",
          mem);
    size_t dynamic = 0;
    for (size_t i = 0; i < p->n_groups; i++)
        dynamic += p->groups[i]->kind != LK_GROUP_LIST;
    if (!dynamic) {
        fprintf(stderr, "logkeep resolve: the policy has no dynamic account group "
                        "(organization: true or organizational_unit)\n");
        goto cleanup;
    }
    if ((rc = lk_aws_resolve_groups(&a, p, true, mem)) != 0)
        goto cleanup;
    rc = LK_EXIT_FAILED;
    if (fclose(mem) != 0) {
        mem = NULL;
        goto cleanup;
    }
    mem = NULL;
    FILE *out = a.output_file && strcmp(a.output_file, "-") ? fopen(a.output_file, "w") : stdout;
    if (!out || fwrite(text, 1, len, out) != len || (out != stdout ? fclose(out) : fflush(out))) {
        fprintf(stderr, "logkeep resolve: cannot write %s: %s\n",
                a.output_file ? a.output_file : "stdout", strerror(errno));
        rc = LK_EXIT_CANTCREAT;
        goto cleanup;
    }
    if (out != stdout)
        fprintf(stderr, "logkeep resolve: wrote %s\n", a.output_file);
    rc = LK_EXIT_OK;

cleanup:
    if (mem)
        fclose(mem);
    free(text);
    if (p)
        lk_policy_free(p);
    lk_aws_args_free(&a);
    return rc;
}
