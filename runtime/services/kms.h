/*
 * logkeep runtime: the AWS Key Management Service client (JSON 1.1, API 2014-11-01) for key
 * policies: GetKeyPolicy and PutKeyPolicy. logkeep never creates, disables or deletes keys.
 *
 * Requests: POST / with X-Amz-Target "TrentService.<Operation>", signed for the service "kms"
 * (botocore's kms model: targetPrefix TrentService, endpointPrefix kms). Each key has exactly
 * one key policy, named "default" (KMS API Reference, GetKeyPolicy and PutKeyPolicy:
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyPolicy.html). KMS keys are
 * regional and a key ARN names its region: calls go to the region of the ARN, as the key is
 * known only there.
 *
 * Conventions: those of runtime/services/service.h.
 */
#ifndef LK_KMS_H
#define LK_KMS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/result.h"
#include "ir/ir.h"
#include "runtime/services/service.h"
#include "runtime/transport/client.h"

/* The only key policy name (GetKeyPolicy, PolicyName). */
#define LK_KMS_POLICY_NAME "default"

/* PutKeyPolicy "Policy": at most 32,768 bytes (KMS Developer Guide, "Key policies in AWS KMS":
 * "the maximum length of a key policy document is 32 KB (32,768 bytes)"). */
#define LK_KMS_POLICY_MAX_BYTES 32768

/**
 * Splits a key ARN arn:<partition>:kms:<region>:<account>:key/<key-id>.
 * @param region receives the region (@p region_len bytes at most, NUL-terminated), may be NULL.
 * @param key_id receives a pointer to the key id inside @p arn, may be NULL.
 * @return true when @p arn is a key ARN (not an alias ARN, not a bare key id).
 */
bool lk_kms_parse_key_arn(const char *arn, char *region, size_t region_len, const char **key_id);

/**
 * Parses a GetKeyPolicy response body {"Policy": "<document>"}.
 * @param text receives the document (arena of @p st).
 */
LK_MUST_CHECK enum lk_status lk_kms_parse_get_key_policy(struct lk_ir_state *st, const char *json,
                                                         size_t len, char **text,
                                                         struct lk_error *err);

/**
 * GetKeyPolicy of the key @p key_arn (in its own region).
 * @param text receives the policy document as KMS returns it (arena of @p st).
 */
LK_MUST_CHECK enum lk_status lk_kms_get_key_policy(struct lk_aws_client *client,
                                                   const char *key_arn, struct lk_ir_state *st,
                                                   char **text, struct lk_aws_error *err);

/**
 * PutKeyPolicy of the key @p key_arn with the whole document @p policy (a C string), with
 * BypassPolicyLockoutSafetyCheck false: KMS itself refuses a policy that would not let the
 * caller change it again (MalformedPolicyDocumentException).
 */
LK_MUST_CHECK enum lk_status lk_kms_put_key_policy(struct lk_aws_client *client,
                                                   const char *key_arn, const char *policy,
                                                   struct lk_aws_error *err);

#endif
