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

#include "arena.h"
#include "ir.h"

struct lk_artifact {
    char *path;        /* relative: "s3/<bucket>/lifecycle.xml" */
    char *operations;  /* "PutBucketLifecycleConfiguration" (comma-separated when several) */
    char *resource;    /* "arn:aws:s3:::bucket", "logs:eu-west-1", a trail ARN */
    char *content;     /* NUL-terminated */
    size_t len;
    char *headers;     /* extra request headers as "Name: value\n" lines, or NULL */
    char sha256[65];   /* hex of content */
};

struct lk_artifacts {
    struct lk_arena arena; /* owns everything */
    struct lk_artifact *items;
    size_t n, cap;
    bool sorted; /* items are in path order (lk_emit_all() sorts them): found by bisection */
};

void lk_artifacts_init(struct lk_artifacts *a);
void lk_artifacts_free(struct lk_artifacts *a);

/** Emits every artifact of @p state, in path order. */
void lk_emit_all(const struct lk_ir_state *state, struct lk_artifacts *out);

/** The manifest (manifest.json): account, region and each artifact's path, operations,
 *  resource, headers and SHA-256. Returns a heap string the caller frees. */
char *lk_emit_manifest(const struct lk_ir_state *state, const struct lk_artifacts *a);

/** @return the artifact at @p path, or NULL. */
const struct lk_artifact *lk_artifacts_find(const struct lk_artifacts *a, const char *path);

/* Per-kind emitters (emit_s3.c, emit_policy.c, emit_logs.c, emit_trail.c). */
char *lk_emit_lifecycle_xml(const struct lk_ir_lifecycle *lc, struct lk_arena *arena);
char *lk_emit_versioning_xml(const struct lk_ir_bucket *b, struct lk_arena *arena);
char *lk_emit_public_access_block_xml(const struct lk_ir_bucket *b, struct lk_arena *arena);
char *lk_emit_encryption_xml(const struct lk_ir_bucket *b, struct lk_arena *arena);
char *lk_emit_object_lock_xml(const struct lk_ir_bucket *b, struct lk_arena *arena);
char *lk_emit_bucket_policy_json(const struct lk_ir_bucket_policy *p, struct lk_arena *arena);
char *lk_emit_retention_json(const struct lk_ir_state *st, const char *region,
                             struct lk_arena *arena);
char *lk_emit_trail_json(const struct lk_ir_state *st, const struct lk_ir_trail *t,
                         struct lk_arena *arena);

/* JSON output helpers shared by the emitters (emit.c). */
struct cJSON;
/** Appends @p s as a JSON string literal, quotes included. */
struct lk_buf;
void lk_json_escape(struct lk_buf *b, const char *s);

/** Appends @p s as Markdown text for a heading, table cell or list item: nothing in it can end
 *  the cell, start a code span, emphasis, strike-through or a link, or become HTML; line breaks
 *  become <br>, other control characters spaces. */
void lk_md_escape(struct lk_buf *b, const char *s);
/** Pretty-prints with two-space indentation and a final newline, into the arena. */
char *lk_json_print(const struct cJSON *item, struct lk_arena *arena);

/* S3 bucket policies are limited to 20 KB (S3 User Guide, "Bucket policies for Amazon S3"). */
#define LK_BUCKET_POLICY_MAX_BYTES 20480

#endif
