/*
 * logkeep runtime: the AWS CloudTrail client (JSON 1.1, API 2013-11-01) for the trails logkeep
 * manages: CreateTrail, UpdateTrail, GetTrail, DescribeTrails, GetTrailStatus, StartLogging,
 * StopLogging, GetEventSelectors, PutEventSelectors, and DeleteTrail (tests only).
 *
 * Reads map responses into struct lk_ir_trail (ir/ir.h), the type the compiler lowers a
 * policy's trails into; TrailNotFoundException is "exists = false", never an error. Writes take
 * either an lk_ir_trail (the request is built from it) or a section of the emitted
 * cloudtrail/<trail>.json artifact, which holds the exact CreateTrail, PutEventSelectors and
 * StartLogging/StopLogging requests.
 *
 * Facts: docs/protocol-notes.md §5; the CloudTrail API Reference,
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/; botocore's cloudtrail model.
 *
 * Conventions: those of runtime/services/service.h (every call returns an enum lk_status and
 * fills @p err on failure with the AWS code, such as InsufficientS3BucketPolicyException). IR
 * strings are allocated in @p st's arena.
 */
#ifndef LK_CLOUDTRAIL_H
#define LK_CLOUDTRAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "common/result.h"
#include "ir/ir.h"
#include "runtime/services/service.h"
#include "runtime/transport/client.h"

/* ------------------------------------------------------------------------------ parsers */
/* Exposed for the tests and the fuzzers: each returns a status with a reason in @p err
 * (service.h). */

/** GetTrail response {"Trail": {...}} -> @p out (exists = true). */
LK_MUST_CHECK enum lk_status lk_cloudtrail_parse_trail(struct lk_ir_state *st, const char *json,
                                                       size_t len, struct lk_ir_trail *out,
                                                       struct lk_error *err);

/** DescribeTrails response {"trailList": [...]} -> @p out (arena), in the API's order. */
LK_MUST_CHECK enum lk_status lk_cloudtrail_parse_describe_trails(struct lk_ir_state *st,
                                                                 const char *json, size_t len,
                                                                 struct lk_ir_trail **out,
                                                                 size_t *n, struct lk_error *err);

/** GetTrailStatus response -> @p is_logging (IsLogging). */
LK_MUST_CHECK enum lk_status lk_cloudtrail_parse_trail_status(const char *json, size_t len,
                                                              bool *is_logging,
                                                              struct lk_error *err);

/**
 * GetEventSelectors response -> out->event_selectors (data resources sorted by type, value
 * sets sorted; selectors in the API's order). LK_IR_UNMODELLED_ADVANCED_SELECTORS is set in
 * out->unmodelled when the trail uses AdvancedEventSelectors, which the IR does not model (it
 * then has no basic selectors), and cleared otherwise.
 */
LK_MUST_CHECK enum lk_status lk_cloudtrail_parse_event_selectors(struct lk_ir_state *st,
                                                                 const char *json, size_t len,
                                                                 struct lk_ir_trail *out,
                                                                 struct lk_error *err);

/* ------------------------------------------------------------------------------ requests */

/**
 * @return the CreateTrail request body for @p t, the members of the CreateTrail section of
 *         emit_trail.c's artifact. UpdateTrail takes the same members (model
 *         UpdateTrailRequest), so it serves both. Heap string (free()); NULL when it would
 *         exceed LK_BUF_MAX_REQUEST.
 */
LK_MUST_CHECK char *lk_cloudtrail_trail_request_json(const struct lk_ir_trail *t);

/** @return the PutEventSelectors request body for @p t. Heap string (free()); NULL when it
 *  would exceed LK_BUF_MAX_REQUEST. */
LK_MUST_CHECK char *lk_cloudtrail_event_selectors_request_json(const struct lk_ir_trail *t);

/* ------------------------------------------------------------------------------ operations */
/* @c region is the region to call (NULL: the client's). Writes act in the trail's home region
 * (t->home_region, or @c region for the calls that take a name): elsewhere CloudTrail answers
 * InvalidHomeRegionException. */

/** CreateTrail from @p t, in t->home_region. Errors keep their AWS code
 *  (TrailAlreadyExistsException, InsufficientS3BucketPolicyException,
 *  S3BucketDoesNotExistException, ...). */
LK_MUST_CHECK enum lk_status lk_cloudtrail_create_trail(struct lk_aws_client *client,
                                                        const struct lk_ir_trail *t,
                                                        struct lk_aws_error *err);

/** UpdateTrail from @p t, in t->home_region. */
LK_MUST_CHECK enum lk_status lk_cloudtrail_update_trail(struct lk_aws_client *client,
                                                        const struct lk_ir_trail *t,
                                                        struct lk_aws_error *err);

/**
 * Sends one request body as is: @p operation is the CloudTrail operation name ("CreateTrail").
 * The answer is not read.
 */
LK_MUST_CHECK enum lk_status lk_cloudtrail_send_json(struct lk_aws_client *client,
                                                     const char *operation, const char *region,
                                                     const char *json, size_t len,
                                                     struct lk_aws_error *err);

/**
 * Sends the @p operation section ("CreateTrail", "PutEventSelectors", "StartLogging" or
 * "StopLogging") of an emitted cloudtrail/<trail>.json artifact as that operation's request.
 * Fails with code LK_SVC_INVALID_ARGUMENT when the artifact has no such section.
 */
LK_MUST_CHECK enum lk_status lk_cloudtrail_send_artifact_section(struct lk_aws_client *client,
                                                                 const char *artifact, size_t len,
                                                                 const char *operation,
                                                                 const char *region,
                                                                 struct lk_aws_error *err);

/** GetTrail. TrailNotFoundException gives out->exists = false (and out->name = @p name). */
LK_MUST_CHECK enum lk_status lk_cloudtrail_get_trail(struct lk_aws_client *client, const char *name,
                                                     const char *region, struct lk_ir_state *st,
                                                     struct lk_ir_trail *out,
                                                     struct lk_aws_error *err);

/**
 * DescribeTrails.
 * @param names trail names or ARNs (trailNameList); NULL/0 lists the region's trails.
 * @param include_shadow_trails includeShadowTrails: also list multi-region and organisation
 *        trails replicated from their home region.
 * @param out receives the trails (arena).
 */
LK_MUST_CHECK enum lk_status
lk_cloudtrail_describe_trails(struct lk_aws_client *client, const char *region,
                              const char *const *names, size_t n_names, bool include_shadow_trails,
                              struct lk_ir_state *st, struct lk_ir_trail **out, size_t *n_out,
                              struct lk_aws_error *err);

/** GetTrailStatus -> @p is_logging. */
LK_MUST_CHECK enum lk_status lk_cloudtrail_get_trail_status(struct lk_aws_client *client,
                                                            const char *name, const char *region,
                                                            bool *is_logging,
                                                            struct lk_aws_error *err);

/** StartLogging (home region only). */
LK_MUST_CHECK enum lk_status lk_cloudtrail_start_logging(struct lk_aws_client *client,
                                                         const char *name, const char *region,
                                                         struct lk_aws_error *err);

/** StopLogging (home region only). */
LK_MUST_CHECK enum lk_status lk_cloudtrail_stop_logging(struct lk_aws_client *client,
                                                        const char *name, const char *region,
                                                        struct lk_aws_error *err);

/** GetEventSelectors -> out->event_selectors and out->unmodelled, as the parser. */
LK_MUST_CHECK enum lk_status lk_cloudtrail_get_event_selectors(struct lk_aws_client *client,
                                                               const char *name, const char *region,
                                                               struct lk_ir_state *st,
                                                               struct lk_ir_trail *out,
                                                               struct lk_aws_error *err);

/** PutEventSelectors with @p t's basic event selectors, in t->home_region. */
LK_MUST_CHECK enum lk_status lk_cloudtrail_put_event_selectors(struct lk_aws_client *client,
                                                               const struct lk_ir_trail *t,
                                                               struct lk_aws_error *err);

/** DeleteTrail. For the integration tests only: logkeep never deletes trails. */
LK_MUST_CHECK enum lk_status lk_cloudtrail_delete_trail(struct lk_aws_client *client,
                                                        const char *name, const char *region,
                                                        struct lk_aws_error *err);

/**
 * Reads trail @p name into @p out, in @p region (NULL: the client's region): GetTrail,
 * GetTrailStatus (is_logging) and GetEventSelectors, with what the IR cannot hold in
 * out->unmodelled. A missing trail gives exists = false and nothing else. The fields only
 * desired state has (source) stay NULL.
 */
LK_MUST_CHECK enum lk_status
lk_cloudtrail_read_trail(struct lk_aws_client *client, const char *name, const char *region,
                         struct lk_ir_state *st, struct lk_ir_trail *out, struct lk_aws_error *err);

#endif
