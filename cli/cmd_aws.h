/*
 * logkeep: subcommands that talk to AWS (runtime/).
 */
#ifndef LK_CMD_AWS_H
#define LK_CMD_AWS_H

/**
 * logkeep whoami [--region R] [--endpoint-url URL] [--profile P] [--debug]: calls STS
 * GetCallerIdentity and prints the account, ARN and user id, and where the credentials came
 * from.
 * @param argc argument count, argv[0] being "whoami"
 * @param argv the arguments
 * @return 0 on success, LK_EXIT_FAILED when the call or the configuration fails,
 *         LK_EXIT_USAGE for a usage error
 */
int lk_cmd_whoami(int argc, char **argv);

/** `logkeep plan POLICY... [--out PLAN.json]`: prints the changes apply would make; --out also
 *  saves them (the plan file of runtime/session.h).
 *  @return 0 (or, with --detailed-exitcode, 0 no changes and LK_EXIT_CHANGES changes),
 *  LK_EXIT_FAILED, LK_EXIT_INCOMPLETE, LK_EXIT_USAGE, LK_EXIT_NOINPUT, LK_EXIT_CANTCREAT. */
int lk_cmd_plan(int argc, char **argv);

/** `logkeep apply POLICY...|PLAN.json`: plan, guards, confirmation, then the write calls. A
 *  saved plan (told by its content) is the confirmation; it is refused, before any write, when
 *  the recompiled policy, the live state, the diff or the calls differ from the plan's.
 *  @return 0 applied (or nothing to do), LK_EXIT_FAILED refused or failed, LK_EXIT_INCOMPLETE,
 *  LK_EXIT_USAGE, LK_EXIT_NOINPUT. */
int lk_cmd_apply(int argc, char **argv);

/** `logkeep drift POLICY...`: @return 0 in sync, LK_EXIT_CHANGES drift found, LK_EXIT_FAILED,
 *  LK_EXIT_INCOMPLETE, LK_EXIT_USAGE, LK_EXIT_NOINPUT, LK_EXIT_CANTCREAT (never the status of
 *  drift for a usage or I/O error). */
int lk_cmd_drift(int argc, char **argv);

/** `logkeep snapshot POLICY... -o FILE`: writes the live state of what the policy governs as
 *  JSON. @return 0 written, LK_EXIT_FAILED policy or AWS error, LK_EXIT_INCOMPLETE,
 *  LK_EXIT_USAGE, LK_EXIT_NOINPUT, LK_EXIT_CANTCREAT. */
int lk_cmd_snapshot(int argc, char **argv);

/** `logkeep resolve POLICY... [-o FILE]`: resolves the dynamic account groups through AWS
 *  Organizations and writes the "resolved:" policy file that pins them.
 *  @return 0 written, LK_EXIT_FAILED policy or AWS error, LK_EXIT_USAGE, LK_EXIT_NOINPUT,
 *  LK_EXIT_CANTCREAT. */
int lk_cmd_resolve(int argc, char **argv);

/** `logkeep import`: drafts a policy from live state (runtime/import.h). @return 0 drafted,
 *  1 AWS error or a draft with errors, 2 usage. */
int lk_cmd_import(int argc, char **argv);

#endif
