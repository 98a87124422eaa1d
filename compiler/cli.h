/*
 * logkeep: subcommands of the command line.
 */
#ifndef LK_CLI_H
#define LK_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "diag.h"

enum lk_exit {
    LK_EXIT_OK = 0,
    LK_EXIT_POLICY = 1, /* the policy has errors */
    LK_EXIT_USAGE = 2,  /* bad command line, unreadable file */
};

/* Each takes argv with argv[0] the subcommand name. @return the process exit status. */
int lk_cmd_validate(int argc, char **argv);
int lk_cmd_explain(int argc, char **argv);
int lk_cmd_rules(int argc, char **argv);

/** Decides colour for @p out: --color=always/never win; auto means a terminal and no NO_COLOR. */
bool lk_cli_use_color(const char *mode, FILE *out);

#endif
