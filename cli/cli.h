/*
 * logkeep: subcommands of the command line.
 */
#ifndef LK_CLI_H
#define LK_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "compiler/diag.h"

/* The exit statuses of every command: one meaning per number (docs/logkeep.1, EXIT STATUS).
 * 64, 66, 69 and 73 are sysexits(3)'s EX_USAGE, EX_NOINPUT, EX_UNAVAILABLE and EX_CANTCREAT, so
 * that a usage or I/O error never shares a status with a result. */
enum lk_exit {
    LK_EXIT_OK = 0,           /* success, nothing to report */
    LK_EXIT_POLICY = 1,       /* the policy has errors */
    LK_EXIT_FAILED = 1,       /* an AWS call failed, a refusal, a damaged plan/report/snapshot */
    LK_EXIT_CHANGES = 2,      /* changes found: drift, plan --detailed-exitcode */
    LK_EXIT_RISKY = 3,        /* diff: a risky change */
    LK_EXIT_INCOMPLETE = 4,   /* an (account, Region) pair of an organisation run failed */
    LK_EXIT_USAGE = 64,       /* unknown option or command, missing or extra argument, bad value */
    LK_EXIT_NOINPUT = 66,     /* an input path cannot be read, no policy file in it, no such
                               * git revision */
    LK_EXIT_UNAVAILABLE = 69, /* a required program is missing: git for diff --git */
    LK_EXIT_CANTCREAT = 73,   /* an output file or directory cannot be created or written */
};

/* Each takes argv with argv[0] the subcommand name. @return the process exit status. */
int lk_cmd_validate(int argc, char **argv);
int lk_cmd_explain(int argc, char **argv);
int lk_cmd_rules(int argc, char **argv);
int lk_cmd_baselines(int argc, char **argv);

int lk_cmd_compile(int argc, char **argv);
int lk_cmd_show(int argc, char **argv);
int lk_cmd_init(int argc, char **argv);
int lk_cmd_completion(int argc, char **argv);
int lk_cmd_iam_policy(int argc, char **argv);

struct lk_policy;

/**
 * Reads and checks the policy at @p paths ("-" alone reads stdin), printing I/O errors as
 * "logkeep CMD: ...".
 * @return the checked policy (caller frees), or NULL after an I/O error.
 */
struct lk_policy *lk_cli_load_policy(const char *cmd, int n_paths, char **paths);

/** As lk_cli_load_policy() without lk_policy_check(), for the commands that complete the
 *  policy first (run commands pin dynamic account groups).
 *  @return the policy read (caller frees), or NULL after an I/O error. */
struct lk_policy *lk_cli_read_policy(const char *cmd, int n_paths, char **paths);

/** Prints a policy's diagnostics as text, with the summary line, to @p out. */
void lk_cli_print_diags(struct lk_policy *p, const char *color, FILE *out);

struct lk_ir_state;
struct lk_artifacts;
/** lk_compile(), saying on stderr ("logkeep <cmd>: ...") when an artifact would exceed the
 *  document cap, which no diagnostic reports. @return lk_compile()'s 0, 1 or 2. */
int lk_cli_compile(const char *cmd, struct lk_policy *p, struct lk_ir_state **out_state,
                   struct lk_artifacts *out);

/** Prints "N errors, N warnings, N notes in N files" when there is anything to count. */
void lk_cli_print_summary(struct lk_policy *p, FILE *out);

/** Prints @p text wrapped at @p width columns, each line indented by @p indent. */
void lk_cli_wrap(FILE *out, const char *text, int indent, int width);

/** Decides colour for @p out: --color=always/never win; auto means a terminal and no NO_COLOR. */
bool lk_cli_use_color(const char *mode, FILE *out);

/** Whether apply can ask for confirmation: stdin is a terminal. When not, writes the refusal
 *  (review plan, rerun with --auto-approve) into @p why. */
bool lk_cli_can_ask(char *why, size_t why_len);
/** Reads the answer to the question just printed on stdout. @return true for "yes"; otherwise
 *  writes the refusal into @p why. */
bool lk_cli_answer_yes(char *why, size_t why_len);

#endif
