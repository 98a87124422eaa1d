/*
 * logkeep: subcommands of the command line.
 */
#ifndef LK_CLI_H
#define LK_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "compiler/diag.h"

enum lk_exit {
    LK_EXIT_OK = 0,
    LK_EXIT_POLICY = 1, /* the policy has errors */
    LK_EXIT_USAGE = 2,  /* bad command line, unreadable file */
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
