/*
 * logkeep diff: the semantic review of a policy change (compiler/policy_diff.h).
 */
#ifndef LK_CMD_DIFF_H
#define LK_CMD_DIFF_H

/**
 * `logkeep diff OLD NEW`, `logkeep diff --old PATH... --new PATH...` and
 * `logkeep diff --git REV[..REV2] [PATH...]` (the policy at a git revision against the working
 * tree, or against a second revision; git itself reads the old files).
 * @return LK_EXIT_OK no risky change, LK_EXIT_RISKY a risky change, LK_EXIT_POLICY the new
 *         policy has errors, LK_EXIT_USAGE, LK_EXIT_NOINPUT, LK_EXIT_UNAVAILABLE (no git) or
 *         LK_EXIT_CANTCREAT (cli.h).
 */
int lk_cmd_diff(int argc, char **argv);

#endif
