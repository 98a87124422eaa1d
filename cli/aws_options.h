/*
 * logkeep plan, apply, drift and snapshot: what their command lines share. One option table for
 * the four (so that an abbreviation means the same in each; an option of another command is
 * refused as unknown), compiling the policy, the session options (runtime/session.h) and the
 * printing of a failed session step.
 */
#ifndef LK_CLI_AWS_OPTIONS_H
#define LK_CLI_AWS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct lk_artifacts;
struct lk_ir_state;
struct lk_policy;
struct lk_session;
struct lk_session_options;

enum lk_aws_cmd {
    LK_AWS_CMD_PLAN,
    LK_AWS_CMD_APPLY,
    LK_AWS_CMD_DRIFT,
    LK_AWS_CMD_SNAPSHOT,
    LK_AWS_CMD_RESOLVE,
};

struct lk_aws_args {
    enum lk_aws_cmd mode;
    const char *cmd;          /* "plan", "apply", "drift" or "snapshot", for messages */
    void (*usage)(FILE *out); /* the command's usage text */
    const char *region, *endpoint_url, *profile, *color, *format;
    const char *state_file;   /* plan, drift: --state FILE, offline */
    const char *output_file;  /* snapshot: -o FILE */
    const char *plan_out;     /* plan: --out FILE */
    const char *role;         /* --role NAME: the role assumed in every account */
    const char *external_id;  /* --external-id */
    const char *session_name; /* --role-session-name */
    int pairs_at_once;        /* --pairs-at-once N; 0: LOGKEEP_PAIRS_AT_ONCE, else the default */
    int concurrency;          /* --concurrency N; 0: LOGKEEP_CONCURRENCY, else the default */
    bool no_role;             /* resolve: --no-role, the source credentials as they are */
    /* plan, drift, snapshot: --shard I/N or auto; shard_count 0: no sharding. */
    unsigned shard_index, shard_count;
    bool debug, auto_approve;
    /* plan: --detailed-exitcode, LK_EXIT_CHANGES when there are changes (terraform plan's). */
    bool detailed_exitcode;
    /* plan, drift: --markdown-limit (0: the step summary's) and --json-report FILE. */
    size_t markdown_max_bytes;
    const char *json_report;
    const char **allow; /* owned array of borrowed argv strings */
    size_t n_allow, cap_allow;
    char **policy_paths; /* borrowed from argv: the operands */
    int n_policy_paths;
};

/**
 * Parses the options of @p a->mode into @p a (mode, cmd and usage set by the caller), printing
 * usage errors as "logkeep CMD: ..." and the usage text.
 * @return 0 to go on (at least one policy operand), -1 after --help, or an exit status.
 */
int lk_aws_args_parse(struct lk_aws_args *a, int argc, char **argv);

/** Frees what @p a owns. */
void lk_aws_args_free(struct lk_aws_args *a);

/** Writes the options every one of the four takes, ending the usage line, and a blank line. */
void lk_aws_usage_common(FILE *out);

/** Writes the help of the options of a run over an organisation. */
void lk_aws_usage_org(FILE *out);

/** Prints the --shard option of plan, drift and snapshot (organisations) to @p out. */
void lk_aws_usage_shard(FILE *out);

/** Fills @p out from the command line (the live read's progress on a terminal's stderr). */
void lk_aws_session_options(const struct lk_aws_args *a, struct lk_session_options *out);

struct lk_org_progress;
/** The progress of an organisation's reads (lk_org_options.progress) on stderr, as a single
 *  session's: on a terminal one line redrawn in place, otherwise a heartbeat line every
 *  LOGKEEP_HEARTBEAT_SECONDS (pairs read, pages, requests, throttles). lk_aws_session_options()
 *  sets it up. */
void lk_aws_org_progress(void *ctx, const struct lk_org_progress *p);

/**
 * Reads the policy at @p paths, resolves its unpinned dynamic account groups through AWS
 * Organizations (lk_aws_resolve_groups(); not with --state, which is offline) and checks it,
 * printing its diagnostics when it has errors.
 * @param p receives the policy (lk_policy_free()), also after a failure.
 * @return 0, or the exit status after a message.
 */
int lk_aws_load(const struct lk_aws_args *a, int n_paths, char **paths, struct lk_policy **p);

/**
 * Compiles the checked single-account policy @p p, printing its diagnostics.
 * @param arts receives the artifacts; NULL for the commands that compare states only (drift,
 *        snapshot), which are then not emitted.
 * @param desired receives the desired state (lk_ir_state_free()), also after a failure.
 * @return 0, or the exit status after a message.
 */
int lk_aws_compile(const struct lk_aws_args *a, struct lk_policy *p, struct lk_ir_state **desired,
                   struct lk_artifacts *arts);

/**
 * Resolves the policy's dynamic account groups (organization, organizational_unit) through AWS
 * Organizations from the management account (its read role, or the source credentials with
 * --no-role) and pins them (lk_policy_pin_group()), saying on stderr
 * "resolved <group>: <n> accounts (<ids>)". Call before lk_policy_check().
 * @param all every dynamic group (logkeep resolve), not only those without a pin.
 * @param yaml when not NULL, receives a line `    "<group>": ["<id>", ...]` per group resolved
 *        (the entries of a resolved.account_groups mapping).
 * @return 0, or the exit status after a message.
 */
int lk_aws_resolve_groups(const struct lk_aws_args *a, struct lk_policy *p, bool all, FILE *yaml);

/**
 * Runs plan, apply, drift or snapshot (a->mode) over every (account, Region) pair of the
 * checked multi-account policy @p p (runtime/org.h), printing as org-spec's CLI contract says.
 * @return the exit status: as the single-account command, or LK_EXIT_INCOMPLETE when a pair
 *         failed.
 */
int lk_aws_run_org(const struct lk_aws_args *a, struct lk_policy *p);

/** Writes the help of --markdown-limit and --json-report (plan, drift). */
void lk_aws_usage_report(FILE *out);

/**
 * Writes the JSON report of @p s (lk_session_render()) to --json-report's file, when given.
 * @return 0, or LK_EXIT_CANTCREAT after a message.
 */
int lk_aws_write_json_report(const struct lk_aws_args *a, const struct lk_session *s);

struct lk_org_plan;

/**
 * lk_aws_run_org() applying a saved organisation plan (runtime/org.h): apply only.
 * @param plan the plan read back, or NULL (lk_aws_run_org()).
 */
int lk_aws_run_org_plan(const struct lk_aws_args *a, struct lk_policy *p,
                        const struct lk_org_plan *plan);

struct lk_apply_plan;

/**
 * Lists the calls of @p plan that turn producers on (sources with enable: true; they change
 * resources other teams own), each with its effect ("modifies the database: ..."), as plan and
 * apply print them. Nothing when the plan has none.
 */
void lk_aws_print_producer_calls(const struct lk_apply_plan *plan, FILE *out);

/** @return how many calls of @p plan turn producers on (sources with enable: true). */
size_t lk_aws_count_producer_calls(const struct lk_apply_plan *plan);

/** Prints the line that heads a list of @p n producer calls. */
void lk_aws_print_producer_calls_header(size_t n, FILE *out);

/**
 * Prints the producer calls of @p plan (lk_aws_print_producer_calls()'s lines, without the
 * header), each line after "  " naming the pair @p pair_label ("account/Region") first.
 */
void lk_aws_print_producer_call_lines(const struct lk_apply_plan *plan, const char *pair_label,
                                      FILE *out);

/** Prints the message of a failed session step (when it has one) as "logkeep CMD: ...".
 *  @return LK_EXIT_FAILED. */
int lk_aws_fail(const struct lk_aws_args *a, const struct lk_session *s);

#endif
