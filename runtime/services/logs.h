/*
 * logkeep runtime: the Amazon CloudWatch Logs client (JSON 1.1, API 2014-03-28) for log group
 * retention and integrity: CreateLogGroup, DescribeLogGroups (paginated), PutRetentionPolicy,
 * DeleteRetentionPolicy, PutLogGroupDeletionProtection, AssociateKmsKey, and the expansion of
 * logkeep's '*' name patterns into log groups.
 *
 * logkeep never deletes log groups: retention is what it manages, and a log group's events go
 * with the group. lk_logs_delete_log_group() exists for the integration tests only.
 *
 * Facts: docs/protocol-notes.md §4; the CloudWatch Logs API Reference,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/; botocore's logs model
 * (service-2.json, paginators-1.json).
 *
 * Conventions: those of runtime/services/service.h (every call returns an enum lk_status and
 * fills @p err on failure). IR strings are allocated in @p st's arena. @c region is the region
 * of the log group (log groups are regional); NULL means the client's region.
 */
#ifndef LK_LOGS_H
#define LK_LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/result.h"
#include "ir/ir.h"
#include "runtime/services/service.h"
#include "runtime/transport/client.h"

/* DescribeLogGroups "limit": 1 to 50, default 50 (model DescribeLimit). */
#define LK_LOGS_PAGE_MAX 50

/* Pages followed before giving up on a listing: 1,000,000 log groups (the default quota of log
 * groups per account per Region, CloudWatch Logs User Guide "CloudWatch Logs quotas") at 50 a
 * page. A broken endpoint that never stops paginating cannot loop forever. */
#define LK_LOGS_MAX_PAGES 20001

/** One DescribeLogGroups listing. Exactly one of @c prefix and @c pattern may be set (the API
 *  refuses both); neither lists every group of the region. */
struct lk_logs_query {
    const char *prefix;  /* logGroupNamePrefix (case-sensitive prefix), or NULL */
    const char *pattern; /* logGroupNamePattern (case-sensitive substring), or NULL; its
                          * answers carry no retention or KMS key (API Reference) */
    int limit;           /* page size 1..50; 0 means 50 */
    const char *region;  /* the region to list, or NULL for the client's */
};

/**
 * Parses one DescribeLogGroups response body.
 * @param region the region the call went to (each group's region; may be NULL).
 * @param groups receives the groups (arena); retentionInDays absent = 0 (never expire).
 * @param next_token receives the nextToken (arena), or NULL on the last page.
 * @return a status with a reason in @p err (service.h).
 */
LK_MUST_CHECK enum lk_status
lk_logs_parse_describe_log_groups(struct lk_ir_state *st, const char *json, size_t len,
                                  const char *region, struct lk_ir_log_group **groups, size_t *n,
                                  char **next_token, struct lk_error *err);

/**
 * CreateLogGroup.
 * @param kms_key_id the KMS key ARN to encrypt with, or NULL.
 * @param if_not_exists treat ResourceAlreadyExistsException as success (the group exists; its
 *        settings are not compared).
 */
LK_MUST_CHECK enum lk_status lk_logs_create_log_group(struct lk_aws_client *client,
                                                      const char *name, const char *region,
                                                      const char *kms_key_id, bool if_not_exists,
                                                      struct lk_aws_error *err);

/**
 * CreateLogGroup with a logGroupClass (API Reference; the class can never change afterwards):
 * lk_logs_create_log_group() when @p log_group_class is LK_IR_LOG_CLASS_UNSET.
 */
LK_MUST_CHECK enum lk_status lk_logs_create_log_group_in_class(
    struct lk_aws_client *client, const char *name, const char *region, const char *kms_key_id,
    enum lk_ir_log_group_class log_group_class, bool if_not_exists, struct lk_aws_error *err);

/** DeleteLogGroup. For the integration tests only: logkeep itself never deletes log groups. */
LK_MUST_CHECK enum lk_status lk_logs_delete_log_group(struct lk_aws_client *client,
                                                      const char *name, const char *region,
                                                      struct lk_aws_error *err);

/**
 * DescribeLogGroups, following nextToken until the last page, calling @p on_page once per page
 * with that page's groups (in @p st's arena). @p on_page returns true to fetch the next page,
 * false to stop the listing early (which is not an error).
 */
LK_MUST_CHECK enum lk_status lk_logs_describe_log_groups_pages(
    struct lk_aws_client *client, const struct lk_logs_query *q, struct lk_ir_state *st,
    bool (*on_page)(void *ctx, const struct lk_ir_log_group *groups, size_t n), void *ctx,
    struct lk_aws_error *err);

/**
 * lk_logs_describe_log_groups_pages(), with @p on_page also told whether another page follows
 * (@p more: the answer carried a nextToken), so that a caller can decide, before the next
 * request, to hand part of what follows to another listing.
 */
LK_MUST_CHECK enum lk_status lk_logs_describe_log_groups_pages_more(
    struct lk_aws_client *client, const struct lk_logs_query *q, struct lk_ir_state *st,
    bool (*on_page)(void *ctx, const struct lk_ir_log_group *groups, size_t n, bool more),
    void *ctx, struct lk_aws_error *err);

/**
 * DescribeLogGroups, every page, into one array (arena) in the API's order (by name).
 */
LK_MUST_CHECK enum lk_status lk_logs_describe_log_groups(struct lk_aws_client *client,
                                                         const struct lk_logs_query *q,
                                                         struct lk_ir_state *st,
                                                         struct lk_ir_log_group **out,
                                                         size_t *n_out, struct lk_aws_error *err);

/**
 * PutLogGroupDeletionProtection (API Reference; newer than botocore 1.29's model): while it is
 * on, DeleteLogGroup is refused. logkeep only ever turns it on.
 * @param name the log group name (logGroupIdentifier takes a name or an ARN).
 */
LK_MUST_CHECK enum lk_status lk_logs_put_deletion_protection(struct lk_aws_client *client,
                                                             const char *name, const char *region,
                                                             bool enabled,
                                                             struct lk_aws_error *err);

/**
 * AssociateKmsKey: the group's new events are encrypted with @p kms_key_arn (a key ARN; the key
 * policy must let logs.<region>.amazonaws.com use it). Replaces any key associated before.
 */
LK_MUST_CHECK enum lk_status lk_logs_associate_kms_key(struct lk_aws_client *client,
                                                       const char *name, const char *region,
                                                       const char *kms_key_arn,
                                                       struct lk_aws_error *err);

/** PutRetentionPolicy (@p days must be one of the values the API accepts). */
LK_MUST_CHECK enum lk_status lk_logs_put_retention(struct lk_aws_client *client, const char *name,
                                                   const char *region, int32_t days,
                                                   struct lk_aws_error *err);

/** DeleteRetentionPolicy: the group's events then never expire. */
LK_MUST_CHECK enum lk_status lk_logs_delete_retention(struct lk_aws_client *client,
                                                      const char *name, const char *region,
                                                      struct lk_aws_error *err);

/**
 * @return true when @p name matches logkeep's @p pattern, where '*' matches any run of
 *         characters ('/' included) and every other character matches itself: lk_glob_match()
 *         (common/glob.h) of two C strings, the matcher the compiler's checks use too.
 */
bool lk_logs_pattern_match(const char *pattern, const char *name);

/**
 * @return the length of the literal prefix of @p pattern before its first '*' (the whole
 *         length when it has none): lk_glob_literal_prefix_len().
 */
size_t lk_logs_pattern_prefix_len(const char *pattern);

/**
 * Lists the log groups matching a logkeep pattern (such as "/aws/lambda/prod-*"):
 * DescribeLogGroups with the literal prefix before the first '*' as logGroupNamePrefix (every
 * group when the pattern starts with '*'), filtered locally with lk_logs_pattern_match().
 * Prefix listing, not logGroupNamePattern, because only it reports each group's retention.
 * @param out receives the matches (arena), by name.
 */
LK_MUST_CHECK enum lk_status lk_logs_expand_pattern(struct lk_aws_client *client,
                                                    const char *pattern, const char *region,
                                                    struct lk_ir_state *st,
                                                    struct lk_ir_log_group **out, size_t *n_out,
                                                    struct lk_aws_error *err);

#endif
