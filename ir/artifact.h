/*
 * logkeep: the list of artifacts, the exact API payloads of a desired state.
 *
 * The compiler's emitters fill it (compiler/emit.h); apply sends its payloads; compile writes
 * them out with a manifest. Each artifact carries the SHA-256 of its content.
 */
#ifndef LK_IR_ARTIFACT_H
#define LK_IR_ARTIFACT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"

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

/** @return the artifact at @p path, or NULL. */
const struct lk_artifact *lk_artifacts_find(const struct lk_artifacts *a, const char *path);

/** Appends an artifact. @p path and @p content must be owned by @p a's arena (or outlive it);
 *  @p ops, @p resource and @p headers (NULL for none) are copied. */
void lk_artifacts_add(struct lk_artifacts *a, char *path, const char *ops, const char *resource,
                      char *content, const char *headers);

/** Appends an artifact whose content was handed out and released (compiler/compile.h,
 *  lk_compiled_each()): everything but the content (NULL), with its length and @p sha256 (64
 *  hex digits).
 *  @p path must be owned by @p a's arena (or outlive it); the other strings are copied. */
void lk_artifacts_add_released(struct lk_artifacts *a, char *path, const char *ops,
                               const char *resource, size_t len, const char *sha256,
                               const char *headers);

/** Sorts the artifacts into path order, so that lk_artifacts_find() bisects. */
void lk_artifacts_sort(struct lk_artifacts *a);

#endif
