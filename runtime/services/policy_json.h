/*
 * logkeep runtime: reading S3 bucket policy documents (IAM policy JSON) into the IR, and the
 * bounded JSON reader shared by the JSON service clients (CloudWatch Logs, CloudTrail).
 *
 * A bucket policy read back with GetBucketPolicy is the live counterpart of the document
 * emit_policy.c writes. AWS accepts several spellings of the same policy (a single string or a
 * list, "Principal": "*" or {"AWS": "*"}, a bare account id or its root ARN, condition key names
 * in any case); the parser normalises them so that the drift checker compares meaning, not
 * spelling. Both inputs are untrusted: sizes and nesting are bounded and garbage is rejected
 * with a message, never a crash.
 */
#ifndef LK_POLICY_JSON_H
#define LK_POLICY_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/result.h"
#include "ir/ir.h"

struct cJSON;

/* S3 stores at most 20 KB of policy (LK_BUCKET_POLICY_MAX_BYTES, S3 User Guide "Bucket policies
 * for Amazon S3"); anything much larger is not a policy S3 returned. */
#define LK_POLICY_JSON_MAX_BYTES ((size_t)256 * 1024)

/* Nesting allowed in any JSON response. The deepest document logkeep reads is a policy
 * condition (root, Statement list, statement, Condition, operator, key, values: 7 levels). */
#define LK_JSON_MAX_DEPTH 32

/* Largest JSON response body the service clients parse (a DescribeLogGroups page of 50 groups
 * is about 15 KB, see http.h). */
#define LK_JSON_MAX_BYTES ((size_t)4 * 1024 * 1024)

/**
 * Parses untrusted JSON text: at most @p max_bytes bytes and LK_JSON_MAX_DEPTH levels of
 * nesting (checked before cJSON sees the text, so hostile nesting costs no recursion).
 * @param text the bytes; need not be NUL-terminated.
 * @param out receives the tree (free with cJSON_Delete()), NULL on failure.
 * @param err receives a one-line reason on failure (may be NULL).
 * @return LK_STATUS_OK; LK_STATUS_TOO_LARGE over @p max_bytes; LK_STATUS_MALFORMED for empty
 *         text, a NUL byte, nesting over LK_JSON_MAX_DEPTH or text that is not JSON.
 */
LK_MUST_CHECK enum lk_status lk_json_parse_bounded(const char *text, size_t len, size_t max_bytes,
                                                   struct cJSON **out, struct lk_error *err);

/** Installs logkeep's cJSON allocation hooks (see lk_json_doc_parse()); idempotent and
 *  thread-safe. Called by main() before any thread starts, and by every parse. */
void lk_json_init(void);

/** A parsed JSON document whose nodes live in one arena (see lk_json_doc_parse()). */
struct lk_json_doc {
    struct cJSON *root;    /* NULL until parsed */
    struct lk_arena arena; /* owns every node and string of root (unless in_scratch) */
    bool in_scratch;       /* root lives in the thread's scratch arena instead */
};

/**
 * Lends the calling thread a scratch arena for lk_json_doc_parse(): the outermost document
 * open on the thread is parsed into it, and lk_json_doc_free() rewinds it (lk_arena_rewind())
 * instead of returning its memory, so a thread that parses one response after another reuses
 * the same memory. The caller owns @p scratch: lend NULL before destroying it.
 * @param scratch an initialised arena, or NULL to stop lending one
 */
void lk_json_use_scratch(struct lk_arena *scratch);

/**
 * lk_json_parse_bounded() with every node allocated from @p doc's arena instead of one malloc()
 * per node and string: a DescribeLogGroups page is about a thousand of them, and freeing the
 * tree is then one lk_json_doc_free(). The tree must not be given to cJSON_Delete() or changed.
 * @param doc receives the document (doc->root, NULL on failure); release it with
 *        lk_json_doc_free() in every case.
 * @return as lk_json_parse_bounded().
 */
LK_MUST_CHECK enum lk_status lk_json_doc_parse(struct lk_json_doc *doc, const char *text,
                                               size_t len, size_t max_bytes, struct lk_error *err);

/** Releases a document from lk_json_doc_parse() (a zeroed one too). */
void lk_json_doc_free(struct lk_json_doc *doc);

/**
 * Parses a bucket policy document into @p out (present = true), in the canonical order of
 * ir.h: statements by Sid, string sets sorted and de-duplicated, conditions by operator and key.
 * Normalisations, each following the IAM JSON policy reference:
 *  - Statement, Action, Resource, principal lists and condition values: a single string and a
 *    one-element list are the same;
 *  - "Principal": "*" and {"AWS": "*"} (or a list holding "*") are LK_IR_PRINCIPAL_ANY with no
 *    principals;
 *  - a bare 12-digit account id in {"AWS": ...} becomes "arn:<partition>:iam::<id>:root"
 *    (@p partition, "aws" when NULL);
 *  - condition key names are matched case-insensitively against the keys logkeep writes and
 *    take their canonical spelling ("aws:sourcearn" gives "aws:SourceArn");
 *  - boolean and number condition values become their JSON text ("true", "42");
 *  - no Version means "2008-10-17"; a missing Sid is NULL.
 * Policy features the IR has no field for are represented with markers and reported in the
 * LK_IR_UNMODELLED_POLICY bits of out->unmodelled (ir.h).
 * @param st the state whose arena receives every string.
 * @param out receives the policy in out->policy and its LK_IR_UNMODELLED_POLICY bits in
 *        out->unmodelled (replaced; the other bits are kept); nothing is written on failure.
 * @param err receives a one-line reason on failure (may be NULL).
 * @return LK_STATUS_OK; as lk_json_parse_bounded() for text that is not JSON (at most
 *         LK_POLICY_JSON_MAX_BYTES); LK_STATUS_SCHEMA for JSON that is not a policy.
 */
LK_MUST_CHECK enum lk_status lk_policy_json_parse(struct lk_ir_state *st, const char *text,
                                                  size_t len, const char *partition,
                                                  struct lk_ir_bucket *out, struct lk_error *err);

/** Sorts a parsed or built policy into the canonical order of ir.h (what lk_ir_canonicalize()
 *  does for a policy inside a state). */
void lk_policy_json_canonicalize(struct lk_ir_bucket_policy *p);

#endif
