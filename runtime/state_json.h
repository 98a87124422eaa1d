/*
 * logkeep runtime: the IR of AWS state as a JSON document, the file format of
 * `logkeep snapshot -o live.json` and of the states that `drift --live live.json` reads back.
 *
 * The document is written with every field of every IR type, always, in one fixed key order:
 *
 *   {"format": "logkeep-state", "version": 1, "account", "region", "partition",
 *    "unmanaged_set", "unmanaged_retention_days", "buckets": [...], "log_groups": [...],
 *    "trails": [...], "unmanaged_stores": [...]}
 *
 * Strings that the IR leaves NULL are null; optional configuration keeps its explicit
 * "present" (or "enabled", for Object Lock) flag next to its fields, so "absent" is never
 * confused with a default value. Enumerations are words: storage classes by their S3 API name
 * ("GLACIER_IR"), "transition_min_size" as S3's header values ("all_storage_classes_128K",
 * "varies_by_storage_class") or "unspecified", "versioning" "never"/"enabled"/"suspended",
 * Object Lock "mode" "none"/"governance"/"compliance", a statement's "effect" "Allow"/"Deny" and
 * "principal_kind" "any"/"aws"/"service".
 *
 * Arrays are written in the canonical order of ir.h whatever the order held in memory
 * (buckets, trails, lifecycle rules, statements and data resources by name; log groups by region
 * then name; unmanaged stores by bucket, their deliveries by service, region and name;
 * conditions by operator then key; string sets sorted and de-duplicated; ties keep
 * their order). Transitions and event selectors keep their order. Writing is therefore
 * deterministic, and reading gives back a state that writes to the same bytes:
 * lk_ir_state_to_json(read(lk_ir_state_to_json(x))) == lk_ir_state_to_json(x).
 *
 * What the live reader saw but the IR cannot hold is written too, as words: a bucket's
 * "unmodelled" (ir.h enum lk_ir_bucket_unmodelled: "lifecycle_filter", "lifecycle_date",
 * "noncurrent_transition", "newer_noncurrent_versions", "transition_storage_class",
 * "transition_min_size", "encryption", "policy_not_element", "policy_principal_type",
 * "policy_mixed_principals") and "unmodelled_filter_rule_ids" after "object_lock", a trail's
 * "unmodelled" ("advanced_event_selectors") after "is_logging". So a drift or plan from a
 * snapshot (--state) sees what the live read saw.
 *
 * Reading is strict, since a snapshot may have been edited by hand or come from another
 * version: the format and version must be the ones above; every field must be there, with its
 * type; unknown and duplicate fields are refused. A refusal names the field by its JSON path:
 * "buckets[3].lifecycle.rules[0].expiration_days: expected an integer".
 *
 * Versions. The version changes when a field changes meaning or goes away, so that an older
 * logkeep refuses what it would misread. A field that only adds information is added within
 * the version, and may then be missing when read (it reads as its empty value: none found,
 * 0, []): snapshots written before it stay usable. Added so within version 1: the top-level
 * "unmanaged_stores", and the "unmodelled" fields of buckets and trails with a bucket's
 * "unmodelled_filter_rule_ids" (a snapshot without them says nothing the IR cannot hold).
 */
#ifndef LK_STATE_JSON_H
#define LK_STATE_JSON_H

#include <stddef.h>

#include "common/result.h"
#include "ir/ir.h"

/* The "format" and "version" members of a state document. */
#define LK_STATE_JSON_FORMAT "logkeep-state"
#define LK_STATE_JSON_VERSION 1

/* Largest state document read. A snapshot of a region with 10,000 log groups is about 3 MB;
 * the bound stops a wrong file (a log archive) from being read into memory whole. */
#define LK_STATE_JSON_MAX_BYTES ((size_t)64 * 1024 * 1024)

/**
 * Writes @p st as a pretty-printed state document, ending in a newline.
 * @param st the state; not modified (the canonical order is applied to what is written only).
 * @return a heap string (free()), or NULL when @p st is NULL. Aborts when memory runs out.
 */
char *lk_ir_state_to_json(const struct lk_ir_state *st);

/**
 * Reads a state document written by lk_ir_state_to_json().
 * @param json the text; need not be NUL-terminated; at most LK_STATE_JSON_MAX_BYTES.
 * @param len bytes of @p json.
 * @param out receives a new state (free with lk_ir_state_free()) on success, NULL otherwise.
 *        Arrays keep the order of the document.
 * @param err receives one line saying what is wrong and where (may be NULL).
 * @return LK_STATUS_OK, or with the reason in @p err:
 *         LK_STATUS_INVALID_ARGUMENT  @p json or @p out is NULL;
 *         LK_STATUS_TOO_LARGE         more than LK_STATE_JSON_MAX_BYTES;
 *         LK_STATUS_MALFORMED         not JSON, or nested too deeply;
 *         LK_STATUS_UNSUPPORTED       not a logkeep state, or a version this build cannot read;
 *         LK_STATUS_SCHEMA            a field missing, unknown, duplicated or of the wrong type.
 */
LK_MUST_CHECK enum lk_status lk_ir_state_from_json(const char *json, size_t len,
                                                   struct lk_ir_state **out, struct lk_error *err);

#endif
