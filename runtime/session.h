/*
 * logkeep runtime: sessions, the orchestration behind `logkeep plan`, `apply`, `drift` and
 * `snapshot`. The caller compiles the policy into the desired state (and, for plan and apply,
 * its artifacts); a session then does everything that talks to AWS or to the files these
 * commands exchange, in steps the caller calls in order and prints between:
 *
 *   lk_session_init()           the kind of session and its options
 *   lk_session_open_plan()      apply PLAN.json: reads a plan saved by plan --out; the caller
 *                               compiles the policy paths it names (saved_policy_paths)
 *   lk_session_read()           with a saved plan, refuses when the desired state or a payload
 *                               changed since (before any request); reads the live state from
 *                               AWS (runtime/live.h; the account guard stops the reader before
 *                               it reads anything in another account) or from a snapshot
 *                               (options.state_file, state_json.h); with a saved plan, refuses
 *                               when the live state changed; then diffs (runtime/diff/diff.h):
 *                               desired against live, the log groups only the unmanaged rule
 *                               governs (drift, or when the policy sets the rule) and the
 *                               buckets receiving logs outside the policy (drift); plan and
 *                               apply then lift the data-loss guards where nothing can be lost
 *                               (an empty bucket, a log group younger than the new retention),
 *                               reading AWS only for the buckets and groups such a guard names
 *   lk_session_write_snapshot() snapshot: the live state as a state document
 *   lk_session_render()         plan and drift: the diff as text or as a report (report.h)
 *   lk_session_build_plan()     plan --out and apply: the write calls (runtime/apply.h); with a
 *                               saved plan, refuses when the changes or calls differ from it
 *   lk_session_save_plan()      plan --out: the plan file (format below)
 *   lk_session_apply()          apply: the guards (allow names, the caller's identity, the
 *                               lock-out guard), the approval, then the calls
 *   lk_session_free()
 *
 * Every step returns an enum lk_status (common/result.h): LK_STATUS_OK, or the kind of failure
 * (each function says which it returns); a failure leaves a one-condition message in @c message
 * (lines after the first give detail, indented by two spaces; no final newline), written to follow
 * "logkeep <command>: ". A few failures that cannot happen with valid arguments leave @c message
 * NULL.
 *
 * The plan file (plan --out, format "logkeep-plan", version 1) holds what apply needs to rebuild
 * the payloads (the absolute policy paths), to check that nothing moved since (the SHA-256 of
 * the desired state's document and of every artifact, the live state and the SHA-256 of its
 * document), and what it will do (the diff, the calls, the allow names): "format", "version",
 * "logkeep_version", "account", "region", "policy_paths", "desired_sha256", "artifacts"
 * [{"path", "sha256"}], "live_sha256", "allow", "calls" [{"operation", "name", "region"}],
 * "diff" (lk_diff_to_json()), "live_state" (lk_ir_state_to_json()). It is written atomically
 * (a temporary file, then rename()). Applying it is like terraform's `apply PLANFILE`: the
 * saved plan, reviewed when it was made, is the approval, and the checks of lk_session_read()
 * and lk_session_build_plan() ensure it is still exactly what will happen. The changes'
 * "origin" (where the policy says each thing) is no part of what a plan does, and the checks
 * ignore it: a plan applies from another directory (other paths) or after only comments moved
 * (other lines), and version 1 plans written before changes had origins still apply.
 */
#ifndef LK_SESSION_H
#define LK_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/result.h"
#include "ir/artifact.h"
#include "ir/ir.h"
#include "runtime/apply.h"
#include "runtime/diff/diff.h"
#include "runtime/live.h"
#include "runtime/report.h"
#include "runtime/transport/client.h"

/* The statuses the steps return:
 *   LK_STATUS_INVALID_ARGUMENT  a required argument is NULL, or a step out of order
 *   LK_STATUS_IO                a file could not be read or written, or the output failed
 *   LK_STATUS_TOO_LARGE         a file read or written, or a report, passes its size cap
 *   LK_STATUS_MALFORMED, LK_STATUS_SCHEMA, LK_STATUS_UNSUPPORTED
 *                               a snapshot or plan file is not one this build can read
 *   LK_STATUS_AWS (or LK_STATUS_NETWORK, LK_STATUS_TIMEOUT, ...: the status of the client's
 *                 error)        the client configuration, an AWS read or an apply call failed
 *   LK_STATUS_REFUSED           a guard or the approval said no: nothing was changed */

/* The "format" and "version" members of a plan file. */
#define LK_SESSION_PLAN_FORMAT "logkeep-plan"
#define LK_SESSION_PLAN_VERSION 1

enum lk_session_kind {
    LK_SESSION_PLAN,     /* read, diff, render; plan --out also builds and saves the calls */
    LK_SESSION_APPLY,    /* read, diff, build the calls, guard, make them */
    LK_SESSION_DRIFT,    /* read (also every log group of the regions and the buckets trails
                            deliver to), diff, report */
    LK_SESSION_SNAPSHOT, /* read as drift does, write the live state */
};

/**
 * Global initialisation of the runtime, before any thread starts: installs logkeep's cJSON
 * allocation hooks (they are process-wide). Idempotent.
 */
void lk_runtime_init(void);

/* What the command line says. Every pointer is borrowed and must outlive the session. */
struct lk_session_options {
    const char *region;       /* --region, or NULL */
    const char *endpoint_url; /* --endpoint-url, or NULL */
    const char *profile;      /* --profile, or NULL */
    FILE *debug;              /* --debug: where request traces go, or NULL */
    const char *state_file;   /* plan, drift: read the live state from this snapshot instead of
                                 AWS (no credentials, no requests), or NULL */
    int concurrency;          /* live read: items read at once (lk_live_options); 0 default */
    const char *const *allow; /* apply: the allow names given (--allow) */
    size_t n_allow;
    bool approved; /* apply: approval given beforehand (--auto-approve): confirm is not asked */
    /* One pair of an organisation run (runtime/org.h): the run, not the session, tells stale
     * coverage exclusions and IDs, over all of its pairs. */
    bool org_pair;
    /* Progress of the live read, for a terminal indicator (lk_live_options.progress); may be
     * NULL. */
    void (*progress)(void *ctx, const struct lk_live_progress *p);
    void *progress_ctx;
    /* The credentials of every client of the session (a role assumed in the account, by
     * runtime/org.h), instead of the standard chain; NULL: the chain. Borrowed; copied into
     * each client. */
    const struct lk_aws_credentials *credentials;
    /* The snapshot's state document itself (text of @p state_json_len bytes, borrowed),
     * instead of reading @c state_file, which then only names it in messages. NULL: read
     * @c state_file. */
    const char *state_json;
    size_t state_json_len;
    /* lk_session_render() MARKDOWN: lk_report_context's markdown_max_bytes and full_report. */
    size_t markdown_max_bytes;
    const char *full_report;
};

struct lk_session;

/* Callbacks of lk_session_apply(), all called on the calling thread; each may be NULL. */
struct lk_session_apply_hooks {
    /* Asks for approval, after every guard passed and before the first write, unless the
     * options say approved or a saved plan is applied. @return true to go on; false stops the
     * apply with LK_STATUS_REFUSED and the text the hook wrote into @p why (NUL-terminated,
     * at most @p why_len bytes) as the message. NULL counts as a refusal. */
    bool (*confirm)(void *ctx, const struct lk_session *s, char *why, size_t why_len);
    /* Called once when approved, just before the first write call. */
    void (*on_start)(void *ctx, const struct lk_session *s);
    /* Called after each call (lk_apply_execute()). */
    void (*on_step)(void *ctx, const struct lk_apply_step *step);
    void *ctx;
};

/* A saved plan read back (lk_session_open_plan()); defined in session_int.h. */
struct lk_session_saved;

struct lk_session {
    enum lk_session_kind kind;
    struct lk_session_options opts; /* a copy; the strings stay borrowed */

    const struct lk_ir_state *desired;    /* borrowed (lk_session_read()) */
    const struct lk_artifacts *artifacts; /* borrowed; NULL for drift and snapshot */

    struct lk_ir_state *live;     /* owned: the live state, canonical, after lk_session_read() */
    struct lk_live_report report; /* owned: what the reader found (zero from a snapshot) */
    struct lk_diff diff;          /* owned: desired against live */
    struct lk_apply_plan plan;    /* owned: the calls (lk_session_build_plan()) */

    /* With a saved plan open: its path (borrowed from lk_session_open_plan()'s argument) and
     * the policy paths it was made from (owned array; the strings belong to @c saved). */
    const char *saved_plan_path;
    char **saved_policy_paths;
    size_t n_saved_policy_paths;

    char *message; /* owned (heap): why the last step failed, or NULL */

    /* Private. */
    struct lk_session_saved *saved; /* owned */
    struct lk_aws_client client;    /* valid when have_client */
    bool have_client;
    /* The live state holds the producers of the coverage requirements (read from AWS, or
     * kept by the snapshot): only then are they compared. */
    bool producers_read;
    struct lk_aws_error error;                   /* owned: the last AWS error */
    struct lk_aws_config_options client_options; /* what every live-read client is built from */
};

/**
 * Starts a session. Nothing is read or sent.
 * @param s the session; release it with lk_session_free().
 * @param kind what the session is for.
 * @param opts the options, copied (NULL: all defaults).
 */
void lk_session_init(struct lk_session *s, enum lk_session_kind kind,
                     const struct lk_session_options *opts);

/** Frees everything @p s owns; it may be initialised again. */
void lk_session_free(struct lk_session *s);

/**
 * Tells a plan file from a policy by its content: a JSON object whose "format" is
 * LK_SESSION_PLAN_FORMAT. Only a regular file named *.json is looked at. An apply session
 * only; call it before lk_session_read().
 * @param path the file named on the command line; must outlive the session.
 * @return LK_STATUS_OK, with saved_plan_path and saved_policy_paths set when @p path is a
 *         plan, saved_plan_path NULL when it is not (read the file as a policy); with a message,
 *         LK_STATUS_IO or LK_STATUS_TOO_LARGE (reading it), LK_STATUS_MALFORMED (a damaged plan
 *         file) or LK_STATUS_UNSUPPORTED (another logkeep document, or a plan this build cannot
 *         read); LK_STATUS_INVALID_ARGUMENT.
 */
LK_MUST_CHECK enum lk_status lk_session_open_plan(struct lk_session *s, const char *path);

/**
 * Reads the live state and diffs it against @p desired (see the top of this file). A snapshot
 * session stops after the read.
 * @param desired the compiled policy's state (canonical); must outlive the session.
 * @param artifacts its artifacts for plan and apply (must outlive the session), NULL for drift
 *        and snapshot.
 * @return LK_STATUS_OK, or LK_STATUS_REFUSED (a saved plan no longer matches, or the
 *         credentials or snapshot belong to another account), LK_STATUS_IO, LK_STATUS_TOO_LARGE,
 *         LK_STATUS_MALFORMED, LK_STATUS_SCHEMA or LK_STATUS_UNSUPPORTED (the snapshot),
 *         LK_STATUS_AWS or the status of the client's error (configuration or a read failed),
 *         each with a message; LK_STATUS_INVALID_ARGUMENT.
 */
LK_MUST_CHECK enum lk_status lk_session_read(struct lk_session *s,
                                             const struct lk_ir_state *desired,
                                             const struct lk_artifacts *artifacts);

/**
 * Writes the live state as a state document (lk_ir_state_to_json()) to @p path ("-" for
 * standard output).
 * @return LK_STATUS_OK, or LK_STATUS_IO with a message; LK_STATUS_INVALID_ARGUMENT.
 */
LK_MUST_CHECK enum lk_status lk_session_write_snapshot(struct lk_session *s, const char *path);

/** @return true when the diff holds drift (anything to add, change or remove; notes are not). */
bool lk_session_has_drift(const struct lk_session *s);

/**
 * Renders the diff to @p out: LK_REPORT_TEXT as lk_diff_render_text() (plan's output), another
 * format with lk_report_render() and a context made of the session (account, region,
 * resources read, unmanaged log groups and stores), @p policy_paths and the current UTC time.
 * @param color ANSI colours (text only).
 * @return LK_STATUS_OK; without a message, LK_STATUS_IO when writing failed,
 *         LK_STATUS_TOO_LARGE when the rendering passes LK_BUF_MAX_REPORT (nothing written),
 *         LK_STATUS_INVALID_ARGUMENT.
 */
LK_MUST_CHECK enum lk_status lk_session_render(const struct lk_session *s,
                                               enum lk_report_format fmt, bool color,
                                               const char *const *policy_paths,
                                               size_t n_policy_paths, FILE *out);

/** Writes the current UTC time as reports give it ("2026-12-06T18:00:00Z"; "" if unknown). */
void lk_session_utc_now(char when[32]);
/**
 * The report context lk_session_render() renders with: the session's account, region, what was
 * read, its Markdown budget, @p policy_paths and @p when (borrowed).
 * @pre lk_session_read() succeeded.
 */
void lk_session_report_context(const struct lk_session *s, const char *const *policy_paths,
                               size_t n_policy_paths, const char *when,
                               struct lk_report_context *ctx);

/**
 * Builds the write calls of the diff into @c plan. With a saved plan, refuses when the changes
 * or the calls now differ from the plan's: same desired and live state give the same diff and
 * calls, unless what the reader cannot model (and the fingerprint does not hold) changed.
 * @return LK_STATUS_OK, LK_STATUS_REFUSED with a message, or LK_STATUS_INVALID_ARGUMENT (no
 *         artifacts).
 */
LK_MUST_CHECK enum lk_status lk_session_build_plan(struct lk_session *s);

/**
 * Writes the plan file (see the top of this file) of a plan session whose calls are built.
 * @param path where to write it (not "-": apply reads it back).
 * @param policy_paths the policy files or folders compiled (made absolute in the file).
 * @return LK_STATUS_OK, or LK_STATUS_IO or LK_STATUS_TOO_LARGE with a message;
 *         LK_STATUS_INVALID_ARGUMENT.
 */
LK_MUST_CHECK enum lk_status lk_session_save_plan(struct lk_session *s, const char *path,
                                                  const char *const *policy_paths,
                                                  size_t n_policy_paths);

/**
 * The plan file of a plan session whose calls are built (what lk_session_save_plan() writes),
 * as text, for a document that holds several plans (an organisation's, runtime/org.h).
 * @param policy_paths the policy files or folders compiled (made absolute in the plan).
 * @param out receives the text (heap, free()).
 * @return LK_STATUS_OK, or LK_STATUS_TOO_LARGE with a message; LK_STATUS_INVALID_ARGUMENT.
 */
LK_MUST_CHECK enum lk_status lk_session_plan_document(struct lk_session *s,
                                                      const char *const *policy_paths,
                                                      size_t n_policy_paths, char **out);

/**
 * Opens a plan held in text (a plan file's document, as lk_session_plan_document() made it,
 * taken out of a larger document) as lk_session_open_plan() opens a plan file. An apply session
 * only; call it before lk_session_read().
 * @param label names the plan in messages (saved_plan_path); must outlive the session.
 * @param text the plan document, @p len bytes (need not be NUL-terminated).
 * @return LK_STATUS_OK, or with a message LK_STATUS_MALFORMED (not a JSON object),
 *         LK_STATUS_UNSUPPORTED (not a plan this build can read), LK_STATUS_TOO_LARGE;
 *         LK_STATUS_INVALID_ARGUMENT.
 */
LK_MUST_CHECK enum lk_status lk_session_open_plan_text(struct lk_session *s, const char *label,
                                                       const char *text, size_t len);

/**
 * Writes @p text to @p path atomically: a temporary file in the same directory, then rename(),
 * so a reader never sees half a file (a plan file's way of being written).
 * @param message receives why it failed ("cannot write PATH: ...", heap), or NULL.
 * @return LK_STATUS_OK, LK_STATUS_IO, or LK_STATUS_INVALID_ARGUMENT.
 */
LK_MUST_CHECK enum lk_status lk_session_write_atomic(const char *path, const char *text,
                                                     char **message);

/**
 * The guards of lk_session_apply(), without the approval or any write: the allow names of
 * data-loss changes, MFA delete, the caller's identity, lk_apply_check_lockout(). An
 * organisation's apply runs every pair's guards before any pair writes (runtime/org.h).
 * @return LK_STATUS_OK (also when there are no calls), LK_STATUS_REFUSED with a message, or
 *         LK_STATUS_INVALID_ARGUMENT.
 */
LK_MUST_CHECK enum lk_status lk_session_check_guards(struct lk_session *s);

/**
 * Applies the built calls: every guard first (the allow names of data-loss changes, the
 * caller's identity, lk_apply_check_lockout()), then the approval (@p hooks->confirm unless
 * approved beforehand or a saved plan is applied), then lk_apply_execute(), which stops at the
 * first failed call. Does nothing when there are no calls.
 * @return LK_STATUS_OK; LK_STATUS_REFUSED (nothing was changed), or the failed call's status
 *         (lk_apply_execute(): LK_STATUS_AWS, LK_STATUS_NETWORK, ...; the message says what was
 *         and was not applied), each with a message; LK_STATUS_INVALID_ARGUMENT.
 */
LK_MUST_CHECK enum lk_status lk_session_apply(struct lk_session *s,
                                              const struct lk_session_apply_hooks *hooks);

#endif
