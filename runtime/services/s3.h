/*
 * logkeep runtime: the Amazon S3 client (REST-XML, API 2006-03-01) for the bucket
 * configuration logkeep manages: existence and region, lifecycle, bucket policy, versioning,
 * Object Lock, Block Public Access and default encryption.
 *
 * Reads map responses into the IR (ir/ir.h), the same types the compiler lowers a policy
 * into, so the drift checker diffs desired and live state directly. "Not configured" answers
 * (NoSuchLifecycleConfiguration, NoSuchBucketPolicy, ObjectLockConfigurationNotFoundError,
 * NoSuchPublicAccessBlockConfiguration, ServerSideEncryptionConfigurationNotFoundError) are
 * "absent", never errors. Writes send the exact artifacts the emitters produce.
 *
 * Facts: docs/protocol-notes.md §3; the S3 API Reference,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/; botocore's S3 model (service-2.json).
 *
 * Conventions: those of runtime/services/service.h (every call returns an enum lk_status and
 * fills @p err on failure). Strings of the IR values are allocated in @p st's arena.
 * @c region is the bucket's region, used to sign the call (S3 refuses a signature for another
 * region: AuthorizationHeaderMalformed); NULL means the client's region.
 */
#ifndef LK_S3_H
#define LK_S3_H

#include <stdbool.h>
#include <stddef.h>

#include "common/result.h"
#include "ir/ir.h"
#include "runtime/services/service.h"
#include "runtime/transport/client.h"

/* Bounds on the XML logkeep parses. A lifecycle configuration holds at most 1,000 rules (S3 API
 * Reference, PutBucketLifecycleConfiguration), a few hundred bytes each; every other
 * configuration is under a kilobyte. */
#define LK_S3_XML_MAX_BYTES ((size_t)2 * 1024 * 1024)
#define LK_S3_XML_MAX_DEPTH 32
#define LK_S3_XML_MAX_ELEMENTS 100000
#define LK_S3_XML_MAX_TEXT_BYTES ((size_t)64 * 1024)

/* The S3 XML namespace (model "xmlNamespace"). Elements in no namespace are accepted too (S3
 * clones omit it); elements in any other namespace are ignored. */
#define LK_S3_XML_NAMESPACE "http://s3.amazonaws.com/doc/2006-03-01/"

/* ------------------------------------------------------------------------------ parsers */
/* The response parsers, exposed for the tests and the fuzzers. Each takes the response body
 * (not necessarily NUL-terminated) and returns a status with a one-line reason in @p err
 * (service.h): LK_STATUS_TOO_LARGE over LK_S3_XML_MAX_BYTES, LK_STATUS_MALFORMED for text that
 * is not XML or breaks one of the bounds above, LK_STATUS_SCHEMA for a root element in another
 * namespace or values S3 does not document. As in the AWS SDKs, the root element's name is not
 * checked, unknown elements are ignored and members the model does not require may be absent. */

/**
 * GetBucketLifecycleConfiguration: <LifecycleConfiguration> -> out->lifecycle (present = true;
 * rules sorted by ID, transitions by days), with what the IR cannot hold in out->unmodelled
 * (its LK_IR_UNMODELLED_LIFECYCLE bits, replaced) and out->unmodelled_filter_rule_ids
 * (replaced; sorted). Nothing is written on failure.
 * @param min_size_header the x-amz-transition-default-minimum-object-size response header, or
 *        NULL.
 */
LK_MUST_CHECK enum lk_status lk_s3_parse_lifecycle(struct lk_ir_state *st, const char *xml,
                                                   size_t len, const char *min_size_header,
                                                   struct lk_ir_bucket *out, struct lk_error *err);

/** GetBucketVersioning: <VersioningConfiguration> -> out->versioning and out->mfa_delete. No
 *  <Status> is LK_IR_VERSIONING_NEVER. */
LK_MUST_CHECK enum lk_status lk_s3_parse_versioning(const char *xml, size_t len,
                                                    struct lk_ir_bucket *out, struct lk_error *err);

/** GetObjectLockConfiguration: <ObjectLockConfiguration> -> out->object_lock. */
LK_MUST_CHECK enum lk_status lk_s3_parse_object_lock(const char *xml, size_t len,
                                                     struct lk_ir_bucket *out,
                                                     struct lk_error *err);

/** GetPublicAccessBlock: <PublicAccessBlockConfiguration> -> out->public_access_block
 *  (present = true; a setting not reported is false). */
LK_MUST_CHECK enum lk_status lk_s3_parse_public_access_block(const char *xml, size_t len,
                                                             struct lk_ir_bucket *out,
                                                             struct lk_error *err);

/** GetBucketEncryption: <ServerSideEncryptionConfiguration> -> out->encryption (present =
 *  true; the first rule), and LK_IR_UNMODELLED_ENCRYPTION in out->unmodelled (set or
 *  cleared). */
LK_MUST_CHECK enum lk_status lk_s3_parse_encryption(struct lk_ir_state *st, const char *xml,
                                                    size_t len, struct lk_ir_bucket *out,
                                                    struct lk_error *err);

/** ListObjectVersions: <ListVersionsResult> -> @p holds: true when the page lists a <Version>
 *  or a <DeleteMarker>, or says more follow (<IsTruncated>true). */
LK_MUST_CHECK enum lk_status lk_s3_parse_object_versions(const char *xml, size_t len, bool *holds,
                                                         struct lk_error *err);

/** GetBucketLocation: <LocationConstraint> -> @p region ("" is us-east-1, "EU" eu-west-1). */
LK_MUST_CHECK enum lk_status lk_s3_parse_location(struct lk_ir_state *st, const char *xml,
                                                  size_t len, char **region, struct lk_error *err);

/**
 * @return the transition minimum size of an x-amz-transition-default-minimum-object-size value
 *         (NULL gives LK_IR_TMS_UNSPECIFIED); false for a value S3 does not document.
 */
bool lk_s3_transition_min_size_parse(const char *value, enum lk_ir_transition_min_size *out);

/** @return the header value of @p size, or NULL for LK_IR_TMS_UNSPECIFIED. */
const char *lk_s3_transition_min_size_api(enum lk_ir_transition_min_size size);

/* ------------------------------------------------------------------------------ operations */

/**
 * HeadBucket. @p exists is false on 404. A bucket found in another region (301, or 400 with
 * the region header) exists; its region comes from x-amz-bucket-region.
 * @param bucket_region receives x-amz-bucket-region (may be NULL when not wanted; NULL when the
 *        answer has none).
 */
LK_MUST_CHECK enum lk_status lk_s3_head_bucket(struct lk_aws_client *client, const char *bucket,
                                               const char *region, struct lk_ir_state *st,
                                               bool *exists, char **bucket_region,
                                               struct lk_aws_error *err);

/** GetBucketLocation (sent path-style, as botocore does).
 *  @param bucket_region receives the region ("us-east-1" for an empty answer). */
LK_MUST_CHECK enum lk_status lk_s3_get_bucket_location(struct lk_aws_client *client,
                                                       const char *bucket, const char *region,
                                                       struct lk_ir_state *st, char **bucket_region,
                                                       struct lk_aws_error *err);

/**
 * CreateBucket in @p region (NULL: the client's region), signed for that region. us-east-1
 * takes no CreateBucketConfiguration; any other region is sent as its LocationConstraint.
 * @param object_lock send x-amz-bucket-object-lock-enabled: true (Object Lock can only be
 *        turned on for a bucket at creation or later through PutObjectLockConfiguration on a
 *        versioned bucket).
 */
LK_MUST_CHECK enum lk_status lk_s3_create_bucket(struct lk_aws_client *client, const char *bucket,
                                                 const char *region, bool object_lock,
                                                 struct lk_aws_error *err);

/** GetBucketLifecycleConfiguration -> out->lifecycle and its unmodelled parts, as
 *  lk_s3_parse_lifecycle(). NoSuchLifecycleConfiguration gives present = false and clears
 *  them. */
LK_MUST_CHECK enum lk_status lk_s3_get_lifecycle(struct lk_aws_client *client, const char *bucket,
                                                 const char *region, struct lk_ir_state *st,
                                                 struct lk_ir_bucket *out,
                                                 struct lk_aws_error *err);

/**
 * PutBucketLifecycleConfiguration with the emitted s3/<bucket>/lifecycle.xml.
 * @param min_size sent as x-amz-transition-default-minimum-object-size unless
 *        LK_IR_TMS_UNSPECIFIED.
 */
LK_MUST_CHECK enum lk_status lk_s3_put_lifecycle(struct lk_aws_client *client, const char *bucket,
                                                 const char *region, const char *xml, size_t len,
                                                 enum lk_ir_transition_min_size min_size,
                                                 struct lk_aws_error *err);

/** DeleteBucketLifecycle. */
LK_MUST_CHECK enum lk_status lk_s3_delete_lifecycle(struct lk_aws_client *client,
                                                    const char *bucket, const char *region,
                                                    struct lk_aws_error *err);

/**
 * GetBucketPolicy -> out->policy and the LK_IR_UNMODELLED_POLICY bits of out->unmodelled, as
 * lk_policy_json_parse(). NoSuchBucketPolicy gives present = false and clears the bits.
 * @param raw receives the document as S3 returned it (arena; may be NULL when not wanted).
 */
LK_MUST_CHECK enum lk_status lk_s3_get_policy(struct lk_aws_client *client, const char *bucket,
                                              const char *region, struct lk_ir_state *st,
                                              struct lk_ir_bucket *out, char **raw,
                                              struct lk_aws_error *err);

/** PutBucketPolicy with the emitted s3/<bucket>/policy.json. */
LK_MUST_CHECK enum lk_status lk_s3_put_policy(struct lk_aws_client *client, const char *bucket,
                                              const char *region, const char *json, size_t len,
                                              struct lk_aws_error *err);

/**
 * GetBucketPolicy, the document as S3 returns it, unparsed: apply merges into it.
 * @param text receives a heap string (free()), or NULL when the bucket has no policy
 *        (NoSuchBucketPolicy).
 */
LK_MUST_CHECK enum lk_status lk_s3_get_policy_text(struct lk_aws_client *client, const char *bucket,
                                                   const char *region, char **text,
                                                   struct lk_aws_error *err);

/**
 * ListObjectVersions with max-keys=1: whether the bucket holds anything a lifecycle change
 * could delete (an object version or a delete marker). One request, whatever the bucket holds.
 * @param holds true unless S3 answered that the bucket holds neither (also true on failure).
 */
LK_MUST_CHECK enum lk_status lk_s3_holds_versions(struct lk_aws_client *client, const char *bucket,
                                                  const char *region, bool *holds,
                                                  struct lk_aws_error *err);

/** DeleteBucketPolicy. */
LK_MUST_CHECK enum lk_status lk_s3_delete_policy(struct lk_aws_client *client, const char *bucket,
                                                 const char *region, struct lk_aws_error *err);

/** GetBucketVersioning -> out->versioning, out->mfa_delete. */
LK_MUST_CHECK enum lk_status lk_s3_get_versioning(struct lk_aws_client *client, const char *bucket,
                                                  const char *region, struct lk_ir_bucket *out,
                                                  struct lk_aws_error *err);

/** PutBucketVersioning with the emitted s3/<bucket>/versioning.xml. */
LK_MUST_CHECK enum lk_status lk_s3_put_versioning(struct lk_aws_client *client, const char *bucket,
                                                  const char *region, const char *xml, size_t len,
                                                  struct lk_aws_error *err);

/** GetObjectLockConfiguration -> out->object_lock. ObjectLockConfigurationNotFoundError gives
 *  enabled = false, mode LK_IR_LOCK_NONE. */
LK_MUST_CHECK enum lk_status lk_s3_get_object_lock(struct lk_aws_client *client, const char *bucket,
                                                   const char *region, struct lk_ir_bucket *out,
                                                   struct lk_aws_error *err);

/** PutObjectLockConfiguration with the emitted s3/<bucket>/object-lock.xml. */
LK_MUST_CHECK enum lk_status lk_s3_put_object_lock(struct lk_aws_client *client, const char *bucket,
                                                   const char *region, const char *xml, size_t len,
                                                   struct lk_aws_error *err);

/** GetPublicAccessBlock -> out->public_access_block. NoSuchPublicAccessBlockConfiguration
 *  gives present = false. */
LK_MUST_CHECK enum lk_status lk_s3_get_public_access_block(struct lk_aws_client *client,
                                                           const char *bucket, const char *region,
                                                           struct lk_ir_bucket *out,
                                                           struct lk_aws_error *err);

/** PutPublicAccessBlock with the emitted s3/<bucket>/public-access-block.xml. */
LK_MUST_CHECK enum lk_status lk_s3_put_public_access_block(struct lk_aws_client *client,
                                                           const char *bucket, const char *region,
                                                           const char *xml, size_t len,
                                                           struct lk_aws_error *err);

/** GetBucketEncryption -> out->encryption and LK_IR_UNMODELLED_ENCRYPTION, as
 *  lk_s3_parse_encryption(). ServerSideEncryptionConfigurationNotFoundError gives present =
 *  false and clears the bit. */
LK_MUST_CHECK enum lk_status lk_s3_get_encryption(struct lk_aws_client *client, const char *bucket,
                                                  const char *region, struct lk_ir_state *st,
                                                  struct lk_ir_bucket *out,
                                                  struct lk_aws_error *err);

/** PutBucketEncryption with the emitted s3/<bucket>/encryption.xml. */
LK_MUST_CHECK enum lk_status lk_s3_put_encryption(struct lk_aws_client *client, const char *bucket,
                                                  const char *region, const char *xml, size_t len,
                                                  struct lk_aws_error *err);

/**
 * Reads the whole live configuration of bucket @p name into @p out: HeadBucket (exists,
 * region; GetBucketLocation when the header is missing), then every Get above, with what the
 * IR cannot hold in out->unmodelled and out->unmodelled_filter_rule_ids. A missing bucket
 * (404, or NoSuchBucket during the reads) gives exists = false and every configuration absent;
 * "not configured" answers give absent parts. The fields only desired state has (store, rule
 * sources) stay NULL/empty.
 */
LK_MUST_CHECK enum lk_status lk_s3_read_bucket(struct lk_aws_client *client, const char *name,
                                               struct lk_ir_state *st, struct lk_ir_bucket *out,
                                               struct lk_aws_error *err);

#endif
