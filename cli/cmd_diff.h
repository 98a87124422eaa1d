/*
 * logkeep diff: the semantic review of a policy change (compiler/policy_diff.h).
 */
#ifndef LK_CMD_DIFF_H
#define LK_CMD_DIFF_H

/**
 * `logkeep diff OLD NEW`, `logkeep diff --old PATH... --new PATH...` and
 * `logkeep diff --git REV[..REV2] [PATH...]` (the policy at a git revision against the working
 * tree, or against a second revision; git itself reads the old files).
 * @return 0 no risky change, 3 a risky change, 1 the new policy has errors, 2 usage or I/O.
 */
int lk_cmd_diff(int argc, char **argv);

#endif
