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

/** The manifest (manifest.json): account, region and each artifact's path, operations,
 *  resource, headers and SHA-256. Returns a heap string the caller frees; NULL when it would
 *  exceed LK_BUF_MAX_DOCUMENT. */
LK_MUST_CHECK char *lk_emit_manifest(const struct lk_ir_state *state, const struct lk_artifacts *a);

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
