/*
 * logkeep plan, apply and drift: compile the policy, read live AWS state, diff, and (apply)
 * change AWS to match.
 */
#ifndef LK_CMD_PLAN_H
#define LK_CMD_PLAN_H

/** `logkeep plan POLICY... [--out PLAN.json]`: prints the changes apply would make; --out also
 *  saves them (format "logkeep-plan", version 1: policy paths, SHA-256 of the desired state and
 *  of each artifact, the live state and its fingerprint, the diff, the calls, the allow names).
 *  @return 0, 1 error, 2 usage. */
int lk_cmd_plan(int argc, char **argv);

/** `logkeep apply POLICY...|PLAN.json`: plan, guards, confirmation, then the write calls. A
 *  saved plan (told by its content) is the confirmation; it is refused, before any write, when
 *  the recompiled policy, the live state, the diff or the calls differ from the plan's.
 *  @return 0 applied (or nothing to do), 1 refused or failed, 2 usage. */
int lk_cmd_apply(int argc, char **argv);

/** `logkeep drift POLICY...`: @return 0 in sync, 2 drift found, 1 error (usage errors: 2 too,
 *  with a usage message). */
int lk_cmd_drift(int argc, char **argv);

/** logkeep snapshot: writes the live state of what the policy governs as JSON (-o FILE). */
int lk_cmd_snapshot(int argc, char **argv);

#endif
