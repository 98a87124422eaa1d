/*
 * logkeep: the command line. Each subcommand is a thin layer over the library.
 *
 * Built twice (Makefile.am). `logkeep`, the program users run, is built with LK_MAIN_OFFLINE: it
 * runs the commands that need no network (validate, compile, show, diff, ...) itself and links
 * neither the runtime nor libcurl, so those commands do not map and relocate libcurl and the
 * thirty libraries it pulls in (about 5 MB of memory at start-up, more than a 10,000-source
 * policy's file). The AWS commands are run by `logkeep-aws`, which holds every command, through
 * execv(): the same process, arguments, standard streams and exit status.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmd_diff.h"
#include "compiler/schema.h"
#ifndef LK_MAIN_OFFLINE
#include "cli/cmd_aws.h"
#include "cli/cmd_report.h"
#include "runtime/session.h"
#endif

static void s_usage(FILE *out)
{
    fputs("usage: logkeep <command> [options] [arguments]\n"
          "\n"
          "logkeep compiles retention and lifecycle policies for security logs on AWS.\n"
          "\n"
          "commands:\n"
          "  validate PATH...   check policy files or directories and report every problem\n"
          "  compile PATH...    write the AWS API payloads the policy means (-o DIR)\n"
          "  show PATH...       print each source's timeline, location and readers\n"
          "  diff OLD NEW       review a policy change by meaning (--git REV: against git)\n"
          "  plan PATH...       show what apply would change in AWS\n"
          "  apply PATH...      change AWS to match the policy (asks first, never deletes logs)\n"
          "  drift PATH...      compare AWS with the policy\n"
          "  snapshot PATH...   save the live state the policy governs (-o FILE), for --state\n"
          "  resolve PATH...    pin the policy's dynamic account groups (AWS Organizations)\n"
          "  report merge ...   merge the JSON reports of a sharded plan or drift run\n"
          "  whoami             print the AWS identity logkeep's credentials resolve to\n"
          "  iam-policy PATH... print the least-privilege IAM policy runs of the policy need\n"
          "  explain RULE       say what a rule (for example LK101) checks, why, and its source\n"
          "  rules              list every rule with its severity and summary\n"
          "  schema             print the JSON Schema of the policy language (-o FILE)\n"
          "  baselines [NAME]   list the compliance baselines, or show one's requirements\n"
          "  import             draft a policy from the account's live state (-o FILE)\n"
          "  init [DIR]         write a starting policy repository (policy, schema,\n"
          "                     pre-commit and CI configuration)\n"
          "  completion SHELL   print the completion script of bash, zsh or fish\n"
          "  version            print the version\n"
          "  help               print this help\n"
          "\n"
          "exit status (every command):\n"
          "  0   success, nothing to report (validate clean, drift in sync, apply done)\n"
          "  1   error or refusal: policy errors, an AWS call failed, apply refused, a\n"
          "      damaged plan, report or snapshot\n"
          "  2   changes found: drift, plan --detailed-exitcode\n"
          "  3   a risky change (diff)\n"
          "  4   incomplete: an (account, Region) pair of an organisation run failed\n"
          "  64  usage error: unknown option or command, missing or bad argument\n"
          "  66  an input path cannot be read, or holds no policy file; no such git revision\n"
          "  69  a required program is missing (git, for diff --git)\n"
          "  73  an output file or directory cannot be written\n"
          "\n"
          "Run \"logkeep <command> --help\" for a command's options. See logkeep(1) and\n"
          "logkeep-policy(5).\n",
          out);
}

#ifdef LK_MAIN_OFFLINE
/* The commands logkeep-aws runs: they reach AWS, or read what runs against AWS wrote. */
static bool s_is_aws_command(const char *cmd)
{
    static const char *const aws[] = {"plan",   "apply",  "drift",      "snapshot", "resolve",
                                      "report", "whoami", "iam-policy", "import"};
    for (size_t i = 0; i < sizeof(aws) / sizeof(aws[0]); i++)
        if (!strcmp(cmd, aws[i]))
            return true;
    return false;
}

/* Writes into @p out the path from @p from to @p to, both absolute directories ("/usr/bin",
 * "/usr/libexec/logkeep" give "../libexec/logkeep"). @return false when it does not fit. */
static bool s_relative_dir(const char *from, const char *to, char *out, size_t out_len)
{
    /* The longest run of whole leading components the two share. */
    size_t common = 0, i = 0;
    for (; from[i] && from[i] == to[i]; i++)
        if (from[i] == '/')
            common = i;
    if ((from[i] == '\0' || from[i] == '/') && (to[i] == '\0' || to[i] == '/'))
        common = i;
    size_t w = 0;
    out[0] = '\0';
    for (const char *p = from + common; *p;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        if (w + 4 > out_len)
            return false;
        memcpy(out + w, "../", 4);
        w += 3;
        while (*p && *p != '/')
            p++;
    }
    const char *rest = to + common;
    while (*rest == '/')
        rest++;
    if (w + strlen(rest) + 1 > out_len)
        return false;
    memcpy(out + w, rest, strlen(rest) + 1);
    return true;
}

/* Replaces this process with logkeep-aws, looked for next to this program (a build tree), then
 * where `make install` puts it relative to this program (an installed tree that was moved, such
 * as an unpacked package), then at the configured LK_PKGLIBEXECDIR. @return only on failure. */
static int s_exec_aws(char **argv)
{
    char self[PATH_MAX], rel[PATH_MAX], path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    const char *tried = LK_PKGLIBEXECDIR "/logkeep-aws";
    int err = ENOENT;
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            if ((size_t)snprintf(path, sizeof(path), "%s/logkeep-aws", self) < sizeof(path)) {
                execv(path, argv);
                err = errno;
                tried = path;
            }
            if (err == ENOENT && s_relative_dir(LK_BINDIR, LK_PKGLIBEXECDIR, rel, sizeof(rel)) &&
                (size_t)snprintf(path, sizeof(path), "%s/%s/logkeep-aws", self, rel) <
                    sizeof(path)) {
                execv(path, argv);
                err = errno;
                tried = path;
            }
        }
    }
    if (err == ENOENT) {
        execv(LK_PKGLIBEXECDIR "/logkeep-aws", argv);
        err = errno;
        tried = LK_PKGLIBEXECDIR "/logkeep-aws";
    }
    fprintf(stderr, "logkeep: cannot run %s, which runs \"logkeep %s\": %s\n", tried, argv[1],
            strerror(err));
    return LK_EXIT_UNAVAILABLE;
}
#endif

int main(int argc, char **argv)
{
    if (argc < 2) {
        s_usage(stderr);
        return LK_EXIT_USAGE;
    }
    const char *cmd = argv[1];
#ifdef LK_MAIN_OFFLINE
    if (s_is_aws_command(cmd))
        return s_exec_aws(argv);
#else
    /* cJSON's allocation hooks are process-wide: set them before any thread starts. The
     * offline commands use cJSON's default allocator, which the hooks fall back to. */
    lk_runtime_init();
#endif
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        s_usage(stdout);
        return LK_EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("logkeep %s (policy language %d)\n", PACKAGE_VERSION, 1);
        return LK_EXIT_OK;
    }
    if (!strcmp(cmd, "validate"))
        return lk_cmd_validate(argc - 1, argv + 1);
    if (!strcmp(cmd, "compile"))
        return lk_cmd_compile(argc - 1, argv + 1);
    if (!strcmp(cmd, "show"))
        return lk_cmd_show(argc - 1, argv + 1);
    if (!strcmp(cmd, "diff"))
        return lk_cmd_diff(argc - 1, argv + 1);
#ifndef LK_MAIN_OFFLINE
    if (!strcmp(cmd, "plan"))
        return lk_cmd_plan(argc - 1, argv + 1);
    if (!strcmp(cmd, "apply"))
        return lk_cmd_apply(argc - 1, argv + 1);
    if (!strcmp(cmd, "drift"))
        return lk_cmd_drift(argc - 1, argv + 1);
    if (!strcmp(cmd, "snapshot"))
        return lk_cmd_snapshot(argc - 1, argv + 1);
    if (!strcmp(cmd, "resolve"))
        return lk_cmd_resolve(argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return lk_cmd_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "iam-policy"))
        return lk_cmd_iam_policy(argc - 1, argv + 1);
    if (!strcmp(cmd, "whoami"))
        return lk_cmd_whoami(argc - 1, argv + 1);
#endif
    if (!strcmp(cmd, "explain"))
        return lk_cmd_explain(argc - 1, argv + 1);
    if (!strcmp(cmd, "baselines"))
        return lk_cmd_baselines(argc - 1, argv + 1);
    if (!strcmp(cmd, "rules"))
        return lk_cmd_rules(argc - 1, argv + 1);
    if (!strcmp(cmd, "completion"))
        return lk_cmd_completion(argc - 1, argv + 1);
    if (!strcmp(cmd, "init"))
        return lk_cmd_init(argc - 1, argv + 1);
#ifndef LK_MAIN_OFFLINE
    if (!strcmp(cmd, "import"))
        return lk_cmd_import(argc - 1, argv + 1);
#endif
    if (!strcmp(cmd, "schema"))
        return lk_cmd_schema(argc - 1, argv + 1);
    fprintf(stderr, "logkeep: unknown command \"%s\"\n", cmd);
    static const char *const cmds[] = {
        "validate", "compile", "show",   "plan",    "apply",   "drift",      "snapshot",
        "whoami",   "explain", "rules",  "schema",  "version", "help",       "diff",
        "resolve",  "report",  "init",   "completion", "iam-policy", "import"};
    const char *s = lk_suggest(lk_str_c(cmd), cmds, sizeof(cmds) / sizeof(cmds[0]));
    if (s)
        fprintf(stderr, "logkeep: did you mean \"%s\"?\n", s);
    fputs("Run \"logkeep help\" for the list of commands.\n", stderr);
    return LK_EXIT_USAGE;
}
