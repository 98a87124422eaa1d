/*
 * logkeep: emitting API payloads from the IR of desired state.
 *
 * Each artifact is the exact body of one AWS API request (or, for log groups, the set of
 * PutRetentionPolicy inputs of one region). Output is deterministic: the same IR gives
 * byte-identical artifacts.
 */
#ifndef LK_EMIT_H
#define LK_EMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/escape.h"
#include "common/json.h"
#include "ir/artifact.h"
#include "ir/ir.h"

/**
 * Emits every artifact of @p state, in path order.
 * @return LK_STATUS_OK, or LK_STATUS_TOO_LARGE when an artifact would exceed
 *         LK_BUF_MAX_DOCUMENT: it is left out, and @p out must not be used.
 */
LK_MUST_CHECK enum lk_status lk_emit_all(const struct lk_ir_state *state, struct lk_artifacts *out);

/* What each artifact is made from: the emitter to call and the IR item it reads. */
enum lk_emit_kind {
    LK_EMIT_LIFECYCLE,
    LK_EMIT_BUCKET_POLICY,
    LK_EMIT_VERSIONING,
    LK_EMIT_PUBLIC_ACCESS_BLOCK,
    LK_EMIT_ENCRYPTION,
    LK_EMIT_OBJECT_LOCK,
    LK_EMIT_RETENTION,
    LK_EMIT_KEY_POLICY,
    LK_EMIT_TRAIL,
};

/** One artifact to emit, everything but its content: lk_emit_all() is lk_emit_plan(), then
 *  lk_emit_item_content() of each item. */
struct lk_emit_item {
    enum lk_emit_kind kind;
    size_t index;           /* the bucket, key or trail in the state's array */
    const char *region;     /* LK_EMIT_RETENTION: the Region of the file */
    char *path;             /* as struct lk_artifact's */
    const char *operations; /* static */
    char *resource;
    const char *headers; /* static, or NULL */
};

/**
 * The artifacts of @p state, without their contents, in path order (as lk_emit_all() gives them).
 * @param arena owns the array and its strings.
 * @param out receives the array.
 * @return the number of items.
 */
size_t lk_emit_plan(const struct lk_ir_state *state, struct lk_arena *arena,
                    struct lk_emit_item **out);

/** @return the content of @p item in @p arena, or NULL when it would exceed LK_BUF_MAX_DOCUMENT. */
LK_MUST_CHECK char *lk_emit_item_content(const struct lk_ir_state *state,
                                         const struct lk_emit_item *item, struct lk_arena *arena);

/** The manifest (manifest.json): account, region and each artifact's path, operations,
 *  resource, headers and SHA-256. Returns a heap string the caller frees; NULL when it would
 *  exceed LK_BUF_MAX_DOCUMENT. */
LK_MUST_CHECK char *lk_emit_manifest(const struct lk_ir_state *state, const struct lk_artifacts *a);

/** An account of a scope as the manifest names it: its name, ID and kind (enum lk_account_kind of
 *  compiler/policy.h: 0 workload, 1 management, 2 log-archive, 3 security). */
struct lk_emit_account {
    const char *name;
    const char *id;
    int kind;
};

/** One artifact of a scope, with the path it has among all the pairs' artifacts. */
struct lk_scope_entry {
    const char *path; /* "<pair folder>/<artifact path>" */
    const char *dir;  /* the pair's folder (lk_emit_pair_dir()) */
    const struct lk_ir_pair *pair;
    const struct lk_artifact *artifact;
};

/** @return the folder of a pair's artifacts, "<account-name>/<region>" (the account ID when the
 *  name is not usable as a folder name), in @p arena. */
char *lk_emit_pair_dir(const struct lk_ir_pair *pair, struct lk_arena *arena);

/**
 * Lists every emitted artifact of every pair of @p scope, sorted by full path.
 * @param out receives the array (in @p arena).
 * @return the number of entries.
 */
size_t lk_emit_scope_entries(const struct lk_ir_scope *scope, struct lk_arena *arena,
                             struct lk_scope_entry **out);

/**
 * The manifest of an organisation's artifacts (version 2): the organisation, the accounts (in the
 * order given), the Regions of the pairs, and every emitted artifact of every pair with its full
 * path ("<account-name>/<region>/<path>"), account ID, account name and Region, sorted by path.
 * @return a heap string the caller frees; NULL when it would exceed LK_BUF_MAX_DOCUMENT.
 */
LK_MUST_CHECK char *lk_emit_scope_manifest(const struct lk_ir_scope *scope,
                                           const struct lk_emit_account *accounts,
                                           size_t n_accounts);

/* Per-kind emitters (emit_s3.c, emit_policy.c, emit_logs.c, emit_trail.c). Each returns the
 * document in @p arena, or NULL when it would exceed LK_BUF_MAX_DOCUMENT. */
LK_MUST_CHECK char *lk_emit_lifecycle_xml(const struct lk_ir_lifecycle *lc, struct lk_arena *arena);
LK_MUST_CHECK char *lk_emit_versioning_xml(const struct lk_ir_bucket *b, struct lk_arena *arena);
LK_MUST_CHECK char *lk_emit_public_access_block_xml(const struct lk_ir_bucket *b,
                                                    struct lk_arena *arena);
LK_MUST_CHECK char *lk_emit_encryption_xml(const struct lk_ir_bucket *b, struct lk_arena *arena);
LK_MUST_CHECK char *lk_emit_object_lock_xml(const struct lk_ir_bucket *b, struct lk_arena *arena);
LK_MUST_CHECK char *lk_emit_bucket_policy_json(const struct lk_ir_bucket_policy *p,
                                               struct lk_arena *arena);
LK_MUST_CHECK char *lk_emit_retention_json(const struct lk_ir_state *st, const char *region,
                                           struct lk_arena *arena);
LK_MUST_CHECK char *lk_emit_trail_json(const struct lk_ir_state *st, const struct lk_ir_trail *t,
                                       struct lk_arena *arena);

/* S3 bucket policies are limited to 20 KB (S3 User Guide, "Bucket policies for Amazon S3"). */
#define LK_BUCKET_POLICY_MAX_BYTES 20480

#endif
