/*
 * logkeep: the semantic diff of two policies, for `logkeep diff` (review of a policy change).
 *
 * Both sides are checked policies (lk_policy_check()); their compiled artifacts, when given, are
 * compared by path and SHA-256. The comparison is about meaning, not spelling:
 *
 *  - Sources match by name. A source that disappears while another appears with the same content
 *    (every compared attribute but the name, the purpose and personal_data) is a rename, not a
 *    change. Durations are the days a source keeps its logs after its retention class is
 *    resolved: a source that moves to another class with the same days has not changed.
 *  - Stores match by bucket: a store renamed with the same bucket is the same store.
 *  - Readers and admins are compared as principals (role names resolved, a bare account ID read
 *    as that account's root): a role renamed with the same principals changes nothing.
 *  - Baseline findings (LK5xx warnings and errors) match by rule ID and message.
 *
 * Each finding may carry risk flags (LK_POLICY_DIFF_RISK_*), named as in reports:
 *
 *  data-loss             logs can be deleted earlier, or stop being governed: delete_after
 *                        shortened or made finite; a source's log groups kept fewer days when
 *                        they held the only copy; a log group, source or store dropped from the
 *                        policy (nothing keeps its retention any more, and a log group may fall
 *                        under the unmanaged rule); the unmanaged retention set or shortened;
 *                        the account or region changed.
 *  availability-reduced  logs stay readily available for fewer days (the effective `available`
 *                        window shortened or made finite). Archive tiers alone never raise it:
 *                        LK107 keeps restore-needing tiers out of the window.
 *  access-widened        a principal that could not read (readers) or manage (admins) a store's
 *                        logs now can; a source moved to a store whose readers or admins include
 *                        new principals.
 *  integrity-weakened    logs are less protected or less complete: versioning off, Object Lock
 *                        removed, shortened or governance instead of compliance, SSE-KMS removed
 *                        from a store or from a trail's log files, and for trails log file
 *                        validation off, multi-Region off, organization off, global service
 *                        events off, management events off, read_write narrowed; and for
 *                        producing sources coverage turned off or a producer newly excluded
 *                        (docs/language.md, "Coverage and enable").
 *  baseline-violated     a baseline finding (LK5xx, warning or error) that the old policy did
 *                        not have.
 *
 * Memory: a struct lk_policy_diff owns everything it holds (one arena, one heap block per
 * array); lk_policy_diff_free() releases it. It borrows nothing from the policies.
 */
#ifndef LK_POLICY_DIFF_H
#define LK_POLICY_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/result.h"

struct lk_policy;
struct lk_artifacts;

/* Risk flags (bits). The order is the order of reports. */
#define LK_POLICY_DIFF_RISK_DATA_LOSS (1u << 0)
#define LK_POLICY_DIFF_RISK_AVAILABILITY_REDUCED (1u << 1)
#define LK_POLICY_DIFF_RISK_ACCESS_WIDENED (1u << 2)
#define LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED (1u << 3)
#define LK_POLICY_DIFF_RISK_BASELINE_VIOLATED (1u << 4)
#define LK_POLICY_DIFF_N_RISKS 5

/** @return the report name of one risk bit ("data-loss"), or NULL for anything else. */
const char *lk_policy_diff_risk_name(unsigned risk);

/* What an entry is about. The order is the order of reports. */
enum lk_policy_diff_kind {
    LK_POLICY_DIFF_POLICY,   /* account, region, baselines, unmanaged */
    LK_POLICY_DIFF_SOURCE,   /* matched by name (renames by content) */
    LK_POLICY_DIFF_STORE,    /* matched by bucket */
    LK_POLICY_DIFF_BASELINE, /* an LK5xx finding */
};

enum lk_policy_diff_status {
    LK_POLICY_DIFF_CHANGED,
    LK_POLICY_DIFF_ADDED,
    LK_POLICY_DIFF_REMOVED,
    LK_POLICY_DIFF_RENAMED, /* same resource, new name (it may have other changes) */
};

/** @return "policy", "source", "store" or "baseline". */
const char *lk_policy_diff_kind_name(enum lk_policy_diff_kind kind);
/** @return "changed", "added", "removed" or "renamed". */
const char *lk_policy_diff_status_name(enum lk_policy_diff_status status);

/** One attribute that differs. @c old_value is NULL for an added entry, @c new_value for a
 *  removed one. */
struct lk_policy_diff_row {
    const char *attribute; /* static: "delete_after", "trail.log_file_validation", ... */
    char *old_value;       /* arena */
    char *new_value;       /* arena */
    unsigned risks;        /* LK_POLICY_DIFF_RISK_* */
    char *note;            /* arena, or NULL: why it is risky, what was added or removed */
};

struct lk_policy_diff_entry {
    enum lk_policy_diff_kind kind;
    enum lk_policy_diff_status status;
    char *name;     /* arena: the new name (the old one for a removed entry); the rule ID of a
                     * baseline finding; "policy" for the policy itself */
    char *old_name; /* arena: the old name; NULL for an added entry */
    char *bucket;   /* arena: a store's bucket, else NULL */
    unsigned risks; /* LK_POLICY_DIFF_RISK_* of the entry as a whole (a removal), not its rows */
    char *note;     /* arena, or NULL: a baseline finding's message; why a removal is risky */
    struct lk_policy_diff_row *rows; /* arena */
    size_t n_rows, cap_rows;
};

enum lk_policy_diff_artifact_change {
    LK_POLICY_DIFF_ARTIFACT_ADDED,
    LK_POLICY_DIFF_ARTIFACT_CHANGED,
    LK_POLICY_DIFF_ARTIFACT_REMOVED,
};

struct lk_policy_diff_artifact {
    char *path; /* arena */
    enum lk_policy_diff_artifact_change change;
    char old_sha256[65]; /* "" when added */
    char new_sha256[65]; /* "" when removed */
};

struct lk_policy_diff {
    struct lk_arena arena;                /* owns every string below */
    struct lk_policy_diff_entry *entries; /* owned (heap): sorted by kind, name, status */
    size_t n_entries, cap_entries;
    struct lk_policy_diff_artifact *artifacts; /* owned (heap): sorted by path */
    size_t n_artifacts, cap_artifacts;
    bool artifacts_compared; /* false when the old policy could not be compiled */
    size_t old_errors;       /* errors of the old policy (its diff is then best effort) */
};

/**
 * Compares two checked policies.
 * @param old_p, new_p policies after lk_policy_check() (lk_compile() may have run too). The old
 *        policy may have errors (what is unresolved compares as "unknown"); the new one normally
 *        has none (the command refuses it otherwise).
 * @param old_arts, new_arts their artifacts (lk_compile()); when either is NULL, artifacts are
 *        not compared.
 * @return the diff (never NULL); free it with lk_policy_diff_free().
 */
struct lk_policy_diff *lk_policy_diff_compute(struct lk_policy *old_p,
                                              const struct lk_artifacts *old_arts,
                                              struct lk_policy *new_p,
                                              const struct lk_artifacts *new_arts);

void lk_policy_diff_free(struct lk_policy_diff *diff);

/** @return the union of the risk flags of every entry and row. */
unsigned lk_policy_diff_risks(const struct lk_policy_diff *diff);

/** @return how many entries and rows carry @p risk (one bit). */
size_t lk_policy_diff_count(const struct lk_policy_diff *diff, unsigned risk);

enum lk_policy_diff_format {
    LK_POLICY_DIFF_TEXT,
    LK_POLICY_DIFF_MARKDOWN, /* a pull request comment */
    LK_POLICY_DIFF_JSON,     /* format "logkeep-diff", version 1 */
};

/** @return true and the format for "text", "markdown" or "json". */
bool lk_policy_diff_format_parse(const char *name, enum lk_policy_diff_format *out);

/**
 * Renders @p diff. The same diff always renders to the same bytes.
 * @param color ANSI colours (text only).
 * @return a NUL-terminated heap string (free()); NULL when the rendering would exceed
 *         LK_BUF_MAX_REPORT.
 */
LK_MUST_CHECK char *lk_policy_diff_render(const struct lk_policy_diff *diff,
                                          enum lk_policy_diff_format format, bool color);

#endif
