/*
 * logkeep runtime: drift and plan reports, rendered from a semantic diff (diff.h) for people
 * and for CI systems.
 *
 *   TEXT      lk_diff_render_text(), as `logkeep plan` prints it (with each change's origin).
 *   JSON      lk_diff_to_json() (each change's "origin") with a "context" member (account,
 *             region, policy files, resources read, unmanaged log groups and stores, generated
 *             time), its "format_version" the string LK_REPORT_JSON_FORMAT_VERSION.
 *   MARKDOWN  for a GitHub step summary or PR comment: a title ("logkeep drift: N differences
 *             (K weaker than policy)" or "logkeep drift: in sync"), a table per resource kind
 *             (Origin | Resource | Attribute | Change | Live | Policy | Direction, the Origin
 *             column "file:line" only when some change has an origin; weaker rows' Resource
 *             starts with **weaker**), and the notes in a collapsed <details> block, each with
 *             its "(file:line)". Cell text is escaped (| ` \ * _ [ ] < > & and line breaks), so
 *             a resource name cannot break the table or inject markup.
 *             Repeated findings are grouped: LK_REPORT_GROUP_MIN or more changes (or notes)
 *             alike but for the resource's name (same kind of resource, Region, attribute,
 *             change, live and policy values, direction, note, such as "governed by pattern
 *             /app/\*", --allow verb and origin) are one row "**N** log groups (us-east-1):
 *             a, b, c and N-3 more", naming the first LK_REPORT_GROUP_EXAMPLES; fewer stay one
 *             row each, so a report without repeated findings is one row per change. The
 *             report never passes a byte budget (lk_report_context.markdown_max_bytes): rows
 *             and notes that do not fit are left out, and a last line says how many and where
 *             the complete list is (the JSON report, lk_report_context.full_report).
 *   JUNIT     one <testsuite name="logkeep drift">, one <testcase> per governed resource (every
 *             resource of ctx->desired, and every resource the diff names), with "file" and
 *             "line" attributes when the policy says where (the origin of its first failing
 *             change, else of its first change with one, else of the desired resource); a
 *             resource with a WEAKER or MISSING change fails with one <failure> listing them;
 *             other drift and notes go to the testcase's <system-out>. Never <skipped>.
 *   SARIF     SARIF 2.1.0, tool "logkeep", the rules LK_REPORT_RULE_* below, one result per
 *             change (level "error" for weaker drift, "warning" for other drift, "note" for
 *             notes), located by the resource's ARN as a logical location and, as the artifact,
 *             by the change's origin (its file, and region.startLine and startColumn), or
 *             without one by the first policy file when the context names one.
 *
 * Every format is a function of its inputs only: the caller gives the generated time (the
 * renderer never reads the clock), so rendering twice gives the same bytes.
 */
#ifndef LK_REPORT_H
#define LK_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/arena.h"
#include "common/result.h"
#include "runtime/diff/diff.h"
#include "ir/ir.h"

enum lk_report_format {
    LK_REPORT_TEXT,
    LK_REPORT_JSON,
    LK_REPORT_MARKDOWN,
    LK_REPORT_JUNIT,
    LK_REPORT_SARIF,
};

/* The stable drift rules of the SARIF report (ruleId; ruleIndex is the order below). */
#define LK_REPORT_RULE_MISSING_RESOURCE "LKD001" /* a governed bucket or trail is missing */
#define LK_REPORT_RULE_WEAKER "LKD002"           /* a setting weaker than the policy */
#define LK_REPORT_RULE_STRONGER "LKD003"         /* a setting stronger than the policy */
#define LK_REPORT_RULE_DIFFERENT                                                                   \
    "LKD004"                                        /* a setting different, neither weaker nor     \
                                                       stronger (added, changed or extra) */
#define LK_REPORT_RULE_UNMANAGED_LOG_GROUP "LKD005" /* a log group breaking the unmanaged rule */
#define LK_REPORT_RULE_NOTE "LKD006"                /* information, not drift */
#define LK_REPORT_RULE_UNMANAGED_STORE                                                             \
    "LKD007" /* a bucket outside the policy keeps logs                                             \
                forever */

/* Changes alike but for the resource's name that Markdown shows as one row (fewer: a row each). */
#define LK_REPORT_GROUP_MIN 3
/* The names a grouped row shows. */
#define LK_REPORT_GROUP_EXAMPLES 3

/* Markdown budgets, in bytes. A byte budget also bounds characters however they are counted
 * (a character takes at least one byte of UTF-8, and one UTF-16 unit takes at least one).
 *   SUMMARY  GitHub job summaries: "each step is restricted to a maximum size of 1MiB"
 *            (GitHub Docs, "Workflow commands for GitHub Actions", Adding a job summary);
 *            1,000,000 leaves room below 1,048,576 for what other steps write.
 *   COMMENT  GitHub issue and pull request comments: the body is refused past 65,536
 *            characters (REST API "Create an issue comment": "body is too long (maximum is
 *            65536 characters)").
 *   MIN      the smallest budget honoured (a title and the line saying what was cut). */
#define LK_REPORT_MARKDOWN_SUMMARY_BYTES ((size_t)1000000)
#define LK_REPORT_MARKDOWN_COMMENT_BYTES ((size_t)65536)
#define LK_REPORT_MARKDOWN_MIN_BYTES ((size_t)2048)
/* The "format_version" of the JSON reports (plan and drift --format json, one account's or an
 * organisation's), a string as terraform show -json's: a reader accepts its major version and
 * ignores members it does not know; a member removed or changed is a new major version.
 * docs/plan-json.md describes every member. */
#define LK_REPORT_JSON_FORMAT_VERSION "1.1"

/* What the caller knows beyond the diff. Every member may be NULL or zero. */
struct lk_report_context {
    const char *account;             /* the AWS account checked */
    const char *region;              /* the policy's region: the default region of ARNs */
    const char *partition;           /* for ARNs; NULL means "aws" */
    const char *const *policy_paths; /* the policy files or folders compiled */
    size_t n_policy_paths;
    size_t resources_read;             /* resources the live reader read */
    size_t unmanaged_log_groups;       /* log groups no desired name or pattern covers
                                          (lk_live_report.n_unmanaged) */
    size_t unmanaged_stores;           /* buckets that receive logs and that no store names
                                          (live state's n_unmanaged_stores) */
    const char *generated_at;          /* the time of the report, as the caller formats it
                                          (ISO 8601 UTC recommended); never read here */
    const char *tool_version;          /* for SARIF's tool.driver.version */
    const struct lk_ir_state *desired; /* the desired state: JUnit lists each of its resources
                                          as a testcase, also those in sync */
    bool color;                        /* TEXT: ANSI colours */
    size_t markdown_max_bytes;         /* MARKDOWN: the most it writes; 0 means
                                          LK_REPORT_MARKDOWN_SUMMARY_BYTES, less than
                                          LK_REPORT_MARKDOWN_MIN_BYTES means that */
    const char *full_report;           /* MARKDOWN: where the complete JSON report is, for the
                                          line saying what was cut; NULL: how to get one */
};

/**
 * Renders @p d in @p fmt to @p out.
 * @param d the diff (lk_diff_states() and friends); not modified.
 * @param ctx what the report says besides the changes; NULL for none.
 * @param fmt the format.
 * @param out the stream written to.
 * @return LK_STATUS_OK; LK_STATUS_INVALID_ARGUMENT when @p d or @p out is NULL or @p fmt is
 *         unknown; LK_STATUS_TOO_LARGE when the report passes LK_BUF_MAX_REPORT (nothing is
 *         written); LK_STATUS_IO when writing failed.
 */
LK_MUST_CHECK enum lk_status lk_report_render(const struct lk_diff *d,
                                              const struct lk_report_context *ctx,
                                              enum lk_report_format fmt, FILE *out);

/* One (account, Region) pair of an organisation's report. */
struct lk_report_pair {
    const char *account;      /* the account ID */
    const char *account_name; /* the policy's name for it */
    const char *region;
    const char *error;          /* the pair failed: why (its diff is then NULL); else NULL */
    const struct lk_diff *diff; /* the pair's diff, when it did not fail */
    struct lk_report_context ctx;
};

/* An organisation's report: every pair of the run, in the run's order. */
struct lk_report_org {
    const char *command;      /* "plan" or "drift": what made the report (JSON "command"), for
                                 `logkeep report merge`'s exit status; NULL: null */
    const char *organization; /* "o-...", or NULL */
    const char *generated_at; /* as lk_report_context's */
    const char *tool_version;
    const char *const *policy_paths;
    size_t n_policy_paths;
    const struct lk_report_pair *pairs;
    size_t n_pairs;
    size_t markdown_max_bytes; /* MARKDOWN: the budget of the whole report, shared by the pairs
                                  (as lk_report_context's; the pairs' own are not used) */
    const char *full_report;   /* MARKDOWN: as lk_report_context's */
    unsigned shard_index;      /* the run's shard (--shard I/N), when shard_count > 0: JSON
                                  "shard": {"index", "count"}, else "shard": null */
    unsigned shard_count;
    bool color;                /* TEXT: ANSI colours */
};

/**
 * Renders an organisation's pairs in @p fmt:
 *   TEXT      for each pair with changes or failed, a heading "== <account-name> (<account-id>)
 *             <region> ==" and the pair's text report (lk_diff_render_text()), or "error:
 *             <message>"; the pairs in sync on one line (named, or counted past 24); then the
 *             line "<n> pairs: <a> with changes, <b> in sync, <c> failed"
 *   JSON      {"format": "logkeep-org-report", "version": 1, "format_version":
 *             LK_REPORT_JSON_FORMAT_VERSION, "command", "organization",
 *             "generated", "policy_files", "shard": {"index", "count"} or null, "summary":
 *             {"pairs", "changed", "in_sync", "failed"}, "pairs": [{"account", "account_name",
 *             "region", "status": "in_sync"|"drift"|"failed", "error", "report": the pair's
 *             JSON report (as lk_report_render()) or null, "origins": [{"file", "line",
 *             "column", "length", "text"}]: each distinct origin of its changes with the
 *             caret's length and the source line, so that a report read back
 *             (lk_report_doc_read()) renders as the run did}]}
 *   MARKDOWN  one title, a section per pair with drift or a failure (### <name> (<id>)
 *             <region>, then the pair's Markdown report or its error), the pairs in sync on one
 *             line. The whole stays within org->markdown_max_bytes: when the sections do not
 *             all fit, each gets an even share (a section smaller than its share keeps all of
 *             it and leaves the rest to the others) and is cut as lk_report_render() cuts; when
 *             even a share of LK_REPORT_MARKDOWN_MIN_BYTES each is too much, the first pairs
 *             are shown and the others counted; the pairs in sync are named while room is left.
 *             A last line then says what was cut and where the full report is.
 *   JUNIT     one <testsuite name="logkeep drift <name> <region>"> per pair; a failed pair is
 *             one testcase with an <error>
 *   SARIF     one run; each result carries its pair in its properties ("account", "region")
 *             and as a logical location "<account>/<region>"
 * @return as lk_report_render().
 */
LK_MUST_CHECK enum lk_status lk_report_render_org(const struct lk_report_org *org,
                                                  enum lk_report_format fmt, FILE *out);

/* An organisation's JSON report read back (lk_report_doc_read()): what it says, each pair's diff
 * rebuilt from its "report" (changes, their origins with the "origins" the report lists, and
 * the context), ready for lk_report_render_org() or lk_report_merge(). What a JSON report does
 * not hold is absent: the desired state (JUnit then lists only the resources with findings),
 * and the partition, taken from each pair's Region ("cn-": aws-cn, "us-gov-": aws-us-gov). */
struct lk_report_doc {
    const char *path;       /* borrowed: the file read */
    struct lk_report_org org; /* its strings and pairs are the document's; tool_version,
                                 markdown_max_bytes, full_report and color are left unset */

    /* Private. */
    struct lk_arena arena;        /* owns every string */
    struct lk_report_pair *pairs; /* owned (heap): org.pairs */
    struct lk_diff *diffs;        /* owned (heap): one per pair, the pairs' diffs */
};

/**
 * Reads the organisation report (format "logkeep-org-report", version 1) at @p path.
 * @param doc receives it; release with lk_report_doc_free() whatever the result.
 * @param path the file; must outlive @p doc.
 * @param message receives why it failed (heap, free()), naming the file and where in it: the
 *        line and column of a JSON syntax error (a truncated file ends early), or the path of
 *        the member that is wrong ("pairs[3].report.changes[0].action: ...").
 * @return LK_STATUS_OK; with @p message, LK_STATUS_IO, LK_STATUS_TOO_LARGE (past
 *         LK_BUF_MAX_REPORT), LK_STATUS_MALFORMED (not JSON), LK_STATUS_SCHEMA (JSON, but not
 *         such a report) or LK_STATUS_UNSUPPORTED (another version); LK_STATUS_INVALID_ARGUMENT.
 */
LK_MUST_CHECK enum lk_status lk_report_doc_read(struct lk_report_doc *doc, const char *path,
                                                char **message);

/** Frees what @p doc owns (a zeroed or read document). */
void lk_report_doc_free(struct lk_report_doc *doc);

/**
 * Merges the reports of a run's shards into the report of the whole run: every pair of every
 * report, sorted by account ID then Region (the order of an unsharded run's scope), the time
 * the latest of the reports'. Refused, with a message naming the files: reports of different
 * commands, organisations or policy files, or without a command; a pair in two reports; a
 * shard given twice, a shard missing from a set whose reports record their shard ("shard 3/8
 * missing"), shards of different counts, or a report of a whole run with others.
 * @param docs the reports (read with lk_report_doc_read()); they must outlive @p out.
 * @param out receives the merged report (its strings are the documents'); release with
 *        lk_report_merge_free().
 * @param message receives why not (heap, free()).
 * @return LK_STATUS_OK; LK_STATUS_REFUSED with @p message; LK_STATUS_INVALID_ARGUMENT.
 */
LK_MUST_CHECK enum lk_status lk_report_merge(const struct lk_report_doc *docs, size_t n_docs,
                                             struct lk_report_org *out, char **message);

/** Frees what lk_report_merge() allocated in @p org (not the documents). */
void lk_report_merge_free(struct lk_report_org *org);

/** @return the format named "text", "json", "markdown", "junit" or "sarif" in @p out, true;
 *          false for any other name. */
bool lk_report_format_parse(const char *name, enum lk_report_format *out);

#endif
