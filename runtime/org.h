/*
 * logkeep runtime: runs over an organisation, the orchestration behind `logkeep plan`,
 * `apply`, `drift` and `snapshot` when the policy declares accounts (docs/language.md, "Accounts
 * and Regions"). The caller compiles the policy into a scope (ir.h, struct lk_ir_scope: one
 * desired state, and for plan and apply its artifacts, per (account, Region) pair); a run then
 * does one session (session.h, unchanged semantics) per pair:
 *
 *   lk_org_run_init()      the kind of run, its options and the scope
 *   lk_org_run_read()      the credentials, then every pair's lk_session_read(), at most
 *                          pairs_at_once pairs at a time
 *   lk_org_run_render()    plan and drift: every pair's diff, grouped by account and Region
 *   lk_org_run_write_snapshot()  snapshot: every pair's live state in one document
 *   lk_org_run_apply()     apply: every pair's calls and guards, one approval, then the calls
 *   lk_org_run_free()
 *
 * Credentials: the source credentials come from the standard chain (environment, profile, SSO,
 * web identity) once for the whole run; each account's are then the role
 * arn:<partition>:iam::<account>:role/<role> assumed with them (STS AssumeRole, with the
 * external id and session name of the options), once per account and shared by its pairs.
 * Without a role, every pair uses the source credentials, and the account guard of the live
 * read refuses every pair whose account is not the caller's.
 *
 * Failures: a pair whose credentials, read, diff or calls fail is marked failed with its
 * message, and the other pairs go on; only what concerns the whole run (no source credentials,
 * an unreadable snapshot, a refused guard in apply) fails the step itself.
 *
 * The organisation snapshot (format LK_ORG_STATE_FORMAT, version 1): {"format", "version",
 * "pairs": [{"account", "account_name", "region", "state": <the pair's state document,
 * state_json.h>}]}. A run with a state file reads each pair's state from it by account and
 * Region; a pair missing from it fails with "not in the snapshot".
 *
 * The organisation plan (plan --out, format LK_ORG_PLAN_FORMAT, version 1): {"format",
 * "version", "logkeep_version", "policy_paths", "pairs": [{"account", "account_name", "region",
 * "plan": <the pair's plan, the document of a single account's plan file (session.h)>}]},
 * written atomically. lk_org_plan_open() reads it back; lk_org_run_use_plan() gives each pair's
 * session its plan, so that every pair's read refuses when its desired state, live state,
 * changes or calls moved (session.h); lk_org_run_apply() then refuses, before any pair writes,
 * when any pair failed, and otherwise makes exactly the planned calls without asking (the plan
 * is the approval, as for a single account's).
 */
#ifndef LK_ORG_H
#define LK_ORG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/result.h"
#include "ir/ir.h"
#include "runtime/report.h"
#include "runtime/session.h"

/* Pairs read (or applied) at once by default; LOGKEEP_PAIRS_AT_ONCE and --pairs-at-once
 * change it. Each pair's session reads with its own pool of clients (lk_live_options). */
#define LK_ORG_DEFAULT_PAIRS_AT_ONCE 8
/* The most pairs at once: beyond it, the threads and connections cost more than they save. */
#define LK_ORG_MAX_PAIRS_AT_ONCE 64

/* The "format" and "version" of an organisation snapshot. */
#define LK_ORG_STATE_FORMAT "logkeep-org-state"
#define LK_ORG_STATE_VERSION 1
/* The "format" and "version" of an organisation's JSON report. */
#define LK_ORG_REPORT_FORMAT "logkeep-org-report"
#define LK_ORG_REPORT_VERSION 1

/* The "format" and "version" of an organisation plan. */
#define LK_ORG_PLAN_FORMAT "logkeep-org-plan"
#define LK_ORG_PLAN_VERSION 1

/* The RoleSessionName when the options give none. */
#define LK_ORG_DEFAULT_SESSION_NAME "logkeep"

/* The progress of an organisation's reads (lk_org_options.progress): pairs read of the pairs to
 * read, and the live reads' counters summed over the pairs. */
struct lk_org_progress {
    size_t pairs_done, pairs_total;
    size_t pages;     /* DescribeLogGroups pages read */
    size_t requests;  /* HTTP requests of the live reads, retries included */
    size_t throttled; /* throttling answers */
    int64_t elapsed_ms;
};

struct lk_org_options {
    /* What every pair's session gets (session.h); region, credentials and the state document
     * are set per pair; the progress of each pair is summed into the run's (progress below).
     * session.state_file names an organisation snapshot. */
    struct lk_session_options session;
    const char *role;         /* the role NAME assumed in every account, or NULL: none */
    const char *external_id;  /* sts:ExternalId, or NULL */
    const char *session_name; /* RoleSessionName, or NULL for LK_ORG_DEFAULT_SESSION_NAME */
    int pairs_at_once;        /* 0: LK_ORG_DEFAULT_PAIRS_AT_ONCE */
    const char *home_region;  /* the policy's home Region: where the source credentials are
                                 resolved (STS of that Region); NULL: the first pair's */
    /* Sharding: with shard_count > 0, the run holds only the pairs of shard shard_index
     * (lk_org_shard_of()); 0: every pair. */
    unsigned shard_index, shard_count;
    /* Progress of lk_org_run_read(), for a heartbeat: called when a pair is read and while the
     * pairs' live reads run (at least every LK_LIVE_PROGRESS_TICK_MS per pair reading), from
     * the pairs' threads, one call at a time. May be NULL. */
    void (*progress)(void *ctx, const struct lk_org_progress *p);
    void *progress_ctx;
};

/* The most shards of a run. */
#define LK_ORG_MAX_SHARDS 10000

/**
 * The shard of the pair (@p account, @p region) among @p count shards: the 64-bit FNV-1a hash
 * of "<account>/<region>" modulo @p count. It depends only on the pair, so the partition stays
 * the same when the policy is reordered, and every pair is in exactly one shard.
 * @return a number below @p count (0 when @p count is 0).
 */
unsigned lk_org_shard_of(const char *account, const char *region, unsigned count);

/* One pair of the run. */
struct lk_org_pair {
    const struct lk_ir_pair *pair; /* borrowed from the scope */
    struct lk_session session;
    bool failed;     /* its credentials, read, calls or apply failed */
    char *error;     /* owned: why, when failed */
    bool applied;    /* apply: its calls were made */
    char *state_doc; /* owned: its state document from the organisation snapshot, or NULL */
    /* Private: its live read's counters so far (progress), and its run. */
    size_t pages, requests, throttled;
    struct lk_org_run *run;
};

struct lk_org_run_account;

/* One pair of an organisation plan. */
struct lk_org_plan_pair {
    char *account, *account_name, *region; /* owned */
    char *plan;                            /* owned: the pair's plan document (JSON text) */
};

/* An organisation plan read back (lk_org_plan_open()). */
struct lk_org_plan {
    const char *path;    /* borrowed: the file; NULL when the file is no organisation plan */
    char **policy_paths; /* owned: the policy files or folders it was made from */
    size_t n_policy_paths;
    struct lk_org_plan_pair *pairs; /* owned */
    size_t n_pairs;
};

struct lk_org_run {
    enum lk_session_kind kind;
    struct lk_org_options opts; /* a copy; the strings stay borrowed */
    const struct lk_ir_scope *scope;
    struct lk_org_pair *pairs; /* owned: one per pair of the scope, in its order */
    size_t n_pairs;
    char *message; /* owned: why the last step failed as a whole, or NULL */

    /* Private. */
    struct lk_org_run_account *accounts; /* owned: the credentials of each account */
    size_t n_accounts;
    struct lk_aws_credentials base; /* owned: the source credentials */
    bool have_base;
    pthread_mutex_t lock;           /* serialises the hooks called from the pairs' threads */
    pthread_mutex_t progress_lock;  /* serialises the progress counters and callback */
    size_t pairs_read, pairs_to_read;
    int64_t read_start_ms;
    const struct lk_org_plan *plan; /* borrowed: the saved plan applied (lk_org_run_use_plan()),
                                       or NULL */
};

/* Callbacks of lk_org_run_apply(); each may be NULL. */
struct lk_org_apply_hooks {
    /* Asks for approval after every pair's guards passed, before the first write (unless the
     * options say approved): @p n_pairs pairs will make @p n_calls calls. @return true to go
     * on; false stops with LK_STATUS_REFUSED and @p why as the message. NULL counts as a
     * refusal. Called on the calling thread. */
    bool (*confirm)(void *ctx, const struct lk_org_run *run, size_t n_pairs, size_t n_calls,
                    char *why, size_t why_len);
    /* After each call of a pair (lk_apply_execute()); called from the pair's thread, one call
     * at a time. */
    void (*on_step)(void *ctx, const struct lk_org_pair *pair, const struct lk_apply_step *step);
    void *ctx;
    /* Once approved (or with a saved plan), just before the first write: @p n_pairs pairs will
     * make @p n_calls calls. Called on the calling thread. */
    void (*on_start)(void *ctx, const struct lk_org_run *run, size_t n_pairs, size_t n_calls);
};

/* What the pairs came to. */
struct lk_org_summary {
    size_t pairs;
    size_t changed; /* read, with changes (plan, apply) or drift (drift) */
    size_t in_sync; /* read, nothing to do */
    size_t failed;
};

/**
 * Starts a run over every pair of @p scope. Nothing is read or sent.
 * @param opts copied; its strings are borrowed and must outlive the run.
 * @param scope borrowed; must outlive the run.
 */
void lk_org_run_init(struct lk_org_run *run, enum lk_session_kind kind,
                     const struct lk_org_options *opts, const struct lk_ir_scope *scope);

/** Frees everything @p run owns (every pair's session). */
void lk_org_run_free(struct lk_org_run *run);

/**
 * Reads every pair (lk_session_read() with the pair's desired state and artifacts), concurrently
 * (see the top of this file); plan and apply then build each pair's calls
 * (lk_session_build_plan()). A pair that fails is marked failed and the others go on.
 * @return LK_STATUS_OK (look at each pair), or with a message: the status of the source
 *         credentials' failure, LK_STATUS_IO, LK_STATUS_TOO_LARGE, LK_STATUS_MALFORMED or
 *         LK_STATUS_UNSUPPORTED (the organisation snapshot); LK_STATUS_INVALID_ARGUMENT.
 */
LK_MUST_CHECK enum lk_status lk_org_run_read(struct lk_org_run *run);

/** Counts the pairs by outcome. */
void lk_org_run_summarize(const struct lk_org_run *run, struct lk_org_summary *out);

/**
 * Renders every pair with lk_report_render_org() (report.h), whose JSON says the command (plan
 * or drift) and the run's shard.
 * @param organization_id the organisation's ID for the reports, or NULL.
 * @return LK_STATUS_OK, LK_STATUS_IO, LK_STATUS_TOO_LARGE, or LK_STATUS_INVALID_ARGUMENT.
 */
LK_MUST_CHECK enum lk_status lk_org_run_render(const struct lk_org_run *run,
                                               enum lk_report_format fmt, bool color,
                                               const char *organization_id,
                                               const char *const *policy_paths,
                                               size_t n_policy_paths, FILE *out);

/**
 * Writes the organisation snapshot (see the top of this file) of every pair read to @p path
 * ("-" for standard output); failed pairs are left out.
 * @return LK_STATUS_OK, or LK_STATUS_IO with a message; LK_STATUS_INVALID_ARGUMENT.
 */
LK_MUST_CHECK enum lk_status lk_org_run_write_snapshot(struct lk_org_run *run, const char *path);

/**
 * Applies: with a saved plan (lk_org_run_use_plan()), any failed pair refuses the whole plan
 * first. Then every read pair's guards (lk_session_check_guards()); if any refuses, nothing
 * is written anywhere and the message names each refusal with its pair. Then the approval
 * (@p hooks->confirm, unless the options say approved or a saved plan is applied), then
 * @p hooks->on_start, then every pair's calls, pairs
 * concurrently: first the pairs that create or update no trail, then those that do (a trail
 * may write into another pair's bucket, which must exist first); a pair whose calls fail is
 * marked failed, the others go on.
 * @return LK_STATUS_OK (look at each pair), LK_STATUS_REFUSED with a message (nothing was
 *         changed), LK_STATUS_INVALID_ARGUMENT.
 */
LK_MUST_CHECK enum lk_status lk_org_run_apply(struct lk_org_run *run,
                                              const struct lk_org_apply_hooks *hooks);

/**
 * Writes the organisation plan (see the top of this file) of a plan run whose pairs are read and
 * their calls built (lk_org_run_read()).
 * @param path where to write it (not "-": apply reads it back).
 * @param policy_paths the policy files or folders compiled (made absolute in the plan).
 * @return LK_STATUS_OK; with a message, LK_STATUS_REFUSED (a pair failed: a plan covers every
 *         pair, nothing is written), LK_STATUS_IO, LK_STATUS_TOO_LARGE;
 *         LK_STATUS_INVALID_ARGUMENT.
 */
LK_MUST_CHECK enum lk_status lk_org_run_save_plan(struct lk_org_run *run, const char *path,
                                                  const char *const *policy_paths,
                                                  size_t n_policy_paths);

/**
 * Tells an organisation plan from anything else by its content (a regular file named *.json,
 * a JSON object whose "format" is LK_ORG_PLAN_FORMAT) and reads it.
 * @param plan receives it (release with lk_org_plan_free()); plan->path is NULL when @p path
 *        is no organisation plan (a policy, or a single account's plan file).
 * @param path the file; must outlive @p plan.
 * @param message receives why it failed (heap), or NULL.
 * @return LK_STATUS_OK; with @p message, LK_STATUS_IO, LK_STATUS_TOO_LARGE, LK_STATUS_MALFORMED
 *         (a damaged organisation plan) or LK_STATUS_UNSUPPORTED (a version this build cannot
 *         read); LK_STATUS_INVALID_ARGUMENT.
 */
LK_MUST_CHECK enum lk_status lk_org_plan_open(struct lk_org_plan *plan, const char *path,
                                              char **message);

/** Frees what @p plan owns (a zeroed or opened plan). */
void lk_org_plan_free(struct lk_org_plan *plan);

/**
 * Gives every pair of an apply run its saved plan (lk_session_open_plan_text()), before
 * lk_org_run_read(). The plan must hold exactly the run's pairs: a pair more or less means the
 * policy changed since.
 * @param plan borrowed; must outlive the run.
 * @return LK_STATUS_OK; with a message, LK_STATUS_REFUSED (the pairs differ) or the status of
 *         a pair's plan that cannot be read; LK_STATUS_INVALID_ARGUMENT.
 */
LK_MUST_CHECK enum lk_status lk_org_run_use_plan(struct lk_org_run *run,
                                                 const struct lk_org_plan *plan);

/**
 * Assumes @p role in @p account with @p base credentials (STS AssumeRole of
 * arn:<partition>:iam::<account>:role/<role>), through STS of @p region.
 * @param copts the endpoint, profile and debug options of the client (region replaced).
 * @param out receives the role's credentials (caller clears).
 * @param message receives why it failed (heap, free()), or NULL.
 * @return LK_STATUS_OK, or the status of the failure with @p message set.
 */
LK_MUST_CHECK enum lk_status lk_org_assume_role(const struct lk_aws_config_options *copts,
                                                const struct lk_aws_credentials *base,
                                                const char *partition, const char *account,
                                                const char *role, const char *external_id,
                                                const char *session_name, const char *region,
                                                struct lk_aws_credentials *out, char **message);

/**
 * Resolves the ACTIVE accounts of an organisation, or of an organizational unit, through AWS
 * Organizations (lk_org_resolve_active_accounts()), with @p creds (the management account's,
 * or a delegated administrator's).
 * @param ou_id an OU id, or NULL for the whole organisation.
 * @param ids receives the account IDs, sorted (heap array of heap strings: lk_org_ids_free()).
 * @param message receives why it failed (heap), or NULL.
 * @return LK_STATUS_OK, or the status of the failure with @p message set.
 */
LK_MUST_CHECK enum lk_status lk_org_resolve_ids(const struct lk_aws_config_options *copts,
                                                const struct lk_aws_credentials *creds,
                                                const char *ou_id, char ***ids, size_t *n_ids,
                                                char **message);

/** Frees what lk_org_resolve_ids() gave. */
void lk_org_ids_free(char **ids, size_t n_ids);

/**
 * The source credentials of the standard chain (a client built as lk_live_client_new() builds
 * it from @p copts), resolved once.
 * @param out receives them (caller clears); @param message receives why not (heap), or NULL.
 * @return LK_STATUS_OK, or the failure's status with @p message set.
 */
LK_MUST_CHECK enum lk_status lk_org_base_credentials(const struct lk_aws_config_options *copts,
                                                     struct lk_aws_credentials *out,
                                                     char **message);

#endif
