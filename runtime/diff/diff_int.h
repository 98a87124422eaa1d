/*
 * logkeep runtime: what the files of the semantic diff share (module-private; the public
 * contract is runtime/diff/diff.h). One file per resource kind, as the emitters of compiler/
 * are one file per payload family:
 *
 *   diff.c             the entry points: pairs desired with live buckets, log groups and trails
 *                      (and the unmanaged groups and stores with what the policy names), keeps
 *                      the change list, sorts and summarises it; values the kinds share
 *   lifecycle.c        S3 lifecycle rules; whether anything expires the logs of an unmanaged
 *                      store
 *   bucket_policy.c    bucket policy statements, compared by meaning
 *   bucket_settings.c  existence and region, versioning, Object Lock, Block Public Access,
 *                      default encryption
 *   log_groups.c       retention and KMS key of named and pattern-governed log groups; the
 *                      unmanaged rule
 *   trails.c           trail settings, event selectors and logging state
 *   render.c           the text and JSON renderings
 *
 * The pairing code sets the resource at hand (lk_diff_ctx.res, .name, .res_region); the kind
 * files append the changes of that resource with lk_diff_add().
 */
#ifndef LK_DIFF_INT_H
#define LK_DIFF_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/arena.h"
#include "common/array.h"
#include "common/buf.h"
#include "common/result.h"
#include "ir/ir.h"
#include "runtime/diff/diff.h"

/* The note of a producer that delivers, but to none of its requirement's destinations
 * (coverage.c writes it, render.c words the sentence from it). */
#define LK_DIFF_NOTE_ELSEWHERE "delivers elsewhere"
/* The start of the note of a GuardDuty member exported by an administrator the source does not
 * cover (runtime/diff/coverage.c), which the sentence words apart from "delivers partly". */
#define LK_DIFF_NOTE_ADMINISTRATOR "exported by administrator "

struct lk_diff_interned;

/* One call's working context: where changes go, scratch memory, and the resource at hand. */
struct lk_diff_ctx {
    struct lk_diff *out;
    struct lk_arena *tmp;  /* scratch for renderings and normalised copies; freed per call */
    const char *partition; /* "aws", for account-id principals */
    enum lk_diff_resource res;
    const char *name;
    const char *res_region;
    const struct lk_ir_origin *res_origin; /* the resource's origin (NULL: none) */
    const struct lk_ir_origin *origin;     /* the origin of the changes added now */
    /* Origin strings already copied into the diff's arena, by their address in the desired
     * state (open addressing; scratch memory). */
    struct lk_diff_interned *interned;
    size_t n_interned, cap_interned;
};

/* ------------------------------------------------------------------------------ changes */

/**
 * Sets the origin of the changes added from now on: @p o when it names a place in the policy,
 * else the resource's (so NULL goes back to the resource's). The pairing code sets the
 * resource's; the kind files call this before the changes of each setting.
 */
void lk_diff_origin(struct lk_diff_ctx *c, const struct lk_ir_origin *o);

/**
 * Appends a change for the context's resource, with the context's origin. The strings are
 * copied into the diff's arena.
 * @param attr the attribute path; NULL or "" is the resource as a whole.
 * @param desired dropped for EXTRA and NOTE; @p live dropped for MISSING and NOTE.
 * @return the change, valid until the next lk_diff_add() (the array may move).
 */
struct lk_diff_change *lk_diff_add(struct lk_diff_ctx *c, const char *attr, enum lk_diff_kind kind,
                                   enum lk_diff_direction dir, const char *desired,
                                   const char *live);

/** Marks @p ch as a data-loss change with the allow name printed from @p fmt. */
void lk_diff_allow(struct lk_diff_ctx *c, struct lk_diff_change *ch, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Sets the note of @p ch, printed from @p fmt. */
void lk_diff_note(struct lk_diff_ctx *c, struct lk_diff_change *ch, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** @return @p fmt printed into scratch memory (c->tmp). */
char *lk_diff_fmt(struct lk_diff_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* What a value too long to render shows instead (a buffer that passed its cap). */
#define LK_DIFF_TOO_LONG "(too long to show)"

/** Moves a rendering buffer into scratch memory and frees @p b. @return the text, or
 *  LK_DIFF_TOO_LONG when @p b failed. */
char *lk_diff_done(struct lk_diff_ctx *c, struct lk_buf *b);

/* ------------------------------------------------------------------------------ values */

/** @return true when @p a and @p b are equal, NULL counting as "". */
static inline bool lk_diff_streq(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

static inline const char *lk_diff_bool(bool v)
{
    return v ? "true" : "false";
}

/** @return @p region, else @p dflt, else "". */
static inline const char *lk_diff_region_or(const char *region, const char *dflt)
{
    return region ? region : dflt ? dflt : "";
}

/** @return true when @p s starts with @p prefix (NULL counting as ""). */
bool lk_diff_starts_with(const char *s, const char *prefix);

/** @return "<days> days", or @p when_zero for 0 (forever or not set), in scratch memory. */
char *lk_diff_days_str(struct lk_diff_ctx *c, int32_t days, const char *when_zero);

/**
 * Appends a CHANGED "<at>.<field>" (@p field when @p at is NULL) when live keeps logs for
 * @p have days and the policy for @p want (0: forever, rendered @p when_zero): WEAKER when live
 * keeps them for less time, STRONGER when for longer (applying then deletes what live still
 * keeps: the caller names the allowance).
 * @return the change, or NULL when both keep for as long.
 */
struct lk_diff_change *lk_diff_keep_days(struct lk_diff_ctx *c, const char *at, const char *field,
                                         int32_t want, int32_t have, const char *when_zero);

/** Writes @p l as its only item, or as "[a, b, ...]". */
void lk_diff_join_list(struct lk_buf *b, const struct lk_ir_string_list *l);

/** @return true when the KMS key names @p a and @p b (ID, ARN, alias) name the same key; two
 *          NULLs are the same (no key). */
bool lk_diff_kms_same(const char *a, const char *b);

/* ------------------------------------------------------------------------------ resource kinds */

/** lifecycle.c: the lifecycle rules of bucket @p d against live @p l (both exist). */
void lk_diff_lifecycle(struct lk_diff_ctx *c, const struct lk_ir_bucket *d,
                       const struct lk_ir_bucket *l);

/** lifecycle.c: an unmanaged store no desired bucket names (see lk_diff_stores_unmanaged()). */
void lk_diff_unmanaged_store(struct lk_diff_ctx *c, const struct lk_ir_state *desired,
                             const struct lk_ir_unmanaged_store *u);

/** bucket_policy.c: the bucket policy of @p d against live @p l (both exist). */
void lk_diff_bucket_policy(struct lk_diff_ctx *c, const struct lk_ir_bucket *d,
                           const struct lk_ir_bucket *l);

/**
 * bucket_settings.c: bucket @p d is MISSING when @p l is NULL or does not exist; a bucket in
 * another region is noted.
 * @return true when @p l exists, so that its configuration can be compared.
 */
bool lk_diff_bucket_exists(struct lk_diff_ctx *c, const struct lk_ir_bucket *d,
                           const struct lk_ir_bucket *l);

/** bucket_settings.c: versioning, Object Lock, Block Public Access and default encryption. */
void lk_diff_bucket_settings(struct lk_diff_ctx *c, const struct lk_ir_bucket *d,
                             const struct lk_ir_bucket *l);

/** log_groups.c: desired log group @p d, named exactly, against live @p l (NULL: absent). */
void lk_diff_log_group(struct lk_diff_ctx *c, const struct lk_ir_log_group *d,
                       const struct lk_ir_log_group *l);

/** log_groups.c: deletion protection and class of desired @p d against live @p l (both exist). */
void lk_diff_log_group_integrity(struct lk_diff_ctx *c, const struct lk_ir_log_group *d,
                                 const struct lk_ir_log_group *l);

/** log_groups.c: live group @p l against the retention of pattern @p p, which governs it. */
void lk_diff_log_group_by_pattern(struct lk_diff_ctx *c, const struct lk_ir_log_group *p,
                                  const struct lk_ir_log_group *l);

/** log_groups.c: a desired pattern that matches no live log group (a note). */
void lk_diff_pattern_unmatched(struct lk_diff_ctx *c);

/** log_groups.c: live group @p g of @p region, which no desired name or pattern covers,
 *  against the policy's unmanaged rule (see lk_diff_log_groups_unmanaged()). */
void lk_diff_log_group_unmanaged(struct lk_diff_ctx *c, const struct lk_ir_state *desired,
                                 const struct lk_ir_log_group *g, const char *region);

/** keys.c: the policies of the desired KMS keys against the live ones (sets the resource of
 *  each key itself). */
/** The changes of lk_diff_coverage_stale() (runtime/diff/coverage.c); with @p outs (n diffs),
 * each goes to that of the first pair whose requirement names it instead of c->out. */
void lk_diff_producers_stale(struct lk_diff_ctx *c, const struct lk_ir_state *const *desired,
                             const struct lk_ir_state *const *live, size_t n,
                             struct lk_diff *const *outs);

/** The changes of lk_diff_coverage() (runtime/diff/coverage.c). */
void lk_diff_producers(struct lk_diff_ctx *c, const struct lk_ir_state *desired,
                       const struct lk_ir_state *live);

void lk_diff_keys(struct lk_diff_ctx *c, const struct lk_ir_state *desired,
                  const struct lk_ir_state *live);

/** trails.c: desired trail @p d against live @p l (NULL: absent); @p home is the desired home
 *  region. */
void lk_diff_trail(struct lk_diff_ctx *c, const struct lk_ir_trail *d, const struct lk_ir_trail *l,
                   const char *home);

#endif
