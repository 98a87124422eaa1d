/*
 * logkeep runtime: the AWS WAF client (wafv2, JSON 1.1, API 2019-07-29) for web ACL logging:
 * every web ACL of a scope with its logging configuration, read with two paginated listings
 * (ListWebACLs, then ListLoggingConfigurations, matched by ARN) rather than one
 * GetLoggingConfiguration per ACL; and the call that turns logging on
 * (PutLoggingConfiguration).
 *
 * Requests: POST / with X-Amz-Target "AWSWAF_20190729.<Operation>", signed for "wafv2".
 * Scope REGIONAL lists the ACLs of the call's Region; CLOUDFRONT the global ones, which are
 * served only in us-east-1 ("To work with CloudFront, you must also specify the Region US East
 * (N. Virginia)": https://docs.aws.amazon.com/waf/latest/APIReference/API_ListWebACLs.html), so
 * CLOUDFRONT calls always go to us-east-1. Facts: the AWS WAF API Reference,
 * .../API_ListLoggingConfigurations.html, .../API_GetLoggingConfiguration.html,
 * .../API_PutLoggingConfiguration.html.
 *
 * Conventions: those of runtime/services/service.h; results in a struct lk_wafv2_listing.
 */
#ifndef LK_WAFV2_H
#define LK_WAFV2_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/result.h"
#include "runtime/services/service.h"
#include "runtime/transport/client.h"

/* Limit of both listings: 1 to 100 (model PaginationLimit); 100 when absent. */
#define LK_WAFV2_PAGE_MAX 100

/* LogDestinationConfigs: "Length Constraints: Minimum number of 1 item. Maximum number of 100
 * items" in the model; AWS WAF accepts one destination per web ACL. */
#define LK_WAFV2_MAX_DESTINATIONS 100

/** Where the ACLs are. */
enum lk_wafv2_scope {
    LK_WAFV2_REGIONAL,   /* Application Load Balancers, API Gateway, AppSync, ... */
    LK_WAFV2_CLOUDFRONT, /* CloudFront distributions: us-east-1 only */
};

/** One web ACL (WebACLSummary) and its logging configuration. Strings: the listing's arena. */
struct lk_wafv2_web_acl {
    char *name;
    char *id;
    char *arn;
    enum lk_wafv2_scope scope;
    bool logging;        /* a logging configuration exists */
    char **destinations; /* LogDestinationConfigs (arena), n_destinations of them */
    size_t n_destinations;
    bool managed_by_firewall_manager; /* ManagedByFirewallManager: not ours to change */
    char **tag_keys; /* ListTagsForResource's TagInfoForResource.TagList, once read */
    char **tag_values;
    size_t n_tags;
};

/** What one scope holds. Zero it, or call lk_wafv2_listing_init(). */
struct lk_wafv2_listing {
    struct lk_arena arena;         /* owns every string */
    struct lk_wafv2_web_acl *acls; /* owned (heap) */
    size_t n_acls;
    size_t n_orphan_configurations; /* logging configurations of ACLs the listing lacks */
    unsigned requests;
};

void lk_wafv2_listing_init(struct lk_wafv2_listing *l);
void lk_wafv2_listing_free(struct lk_wafv2_listing *l);

/** Parses one ListWebACLs answer, appending its ACLs (of @p scope) to @p l.
 *  @param next_marker receives NextMarker (arena), or NULL on the last page */
LK_MUST_CHECK enum lk_status lk_wafv2_parse_web_acls(struct lk_wafv2_listing *l,
                                                     enum lk_wafv2_scope scope, const char *json,
                                                     size_t len, char **next_marker,
                                                     struct lk_error *err);

/** Parses one ListLoggingConfigurations answer, attaching each configuration to the ACL of
 *  @p l with its ResourceArn. */
LK_MUST_CHECK enum lk_status lk_wafv2_parse_logging_configurations(struct lk_wafv2_listing *l,
                                                                   const char *json, size_t len,
                                                                   char **next_marker,
                                                                   struct lk_error *err);

/**
 * Lists every web ACL of @p scope with its logging configuration: ListWebACLs pages, then
 * ListLoggingConfigurations pages (2 + pages requests, whatever the number of ACLs).
 * @param region the Region (REGIONAL); ignored for CLOUDFRONT (us-east-1)
 * @param page_size Limit, 1..LK_WAFV2_PAGE_MAX; 0 means the maximum
 */
LK_MUST_CHECK enum lk_status lk_wafv2_list(struct lk_aws_client *client, const char *region,
                                           enum lk_wafv2_scope scope, int page_size,
                                           struct lk_wafv2_listing *l, struct lk_aws_error *err);

/**
 * GetLoggingConfiguration of one ACL (for a single ACL; listings use lk_wafv2_list()).
 * @param acl receives the logging fields (strings in @p l's arena); an ACL without logging is
 *        the AWS error WAFNonexistentItemException
 */
LK_MUST_CHECK enum lk_status lk_wafv2_get_logging(struct lk_aws_client *client, const char *region,
                                                  const char *acl_arn, struct lk_wafv2_listing *l,
                                                  struct lk_wafv2_web_acl *acl,
                                                  struct lk_aws_error *err);

/**
 * ListTagsForResource of @p acl (its ARN set): its TagList (AWS WAF API Reference,
 * API_ListTagsForResource.html: ResourceARN, Limit 1-100, NextMarker; "up to 50 tags for a
 * resource", API_TagInfoForResource.html), so one page of LK_WAFV2_PAGE_MAX.
 * @param arena where the strings go
 * @param requests incremented per call made; may be NULL
 */
LK_MUST_CHECK enum lk_status lk_wafv2_list_tags(struct lk_aws_client *client, const char *region,
                                                struct lk_arena *arena,
                                                struct lk_wafv2_web_acl *acl, size_t *requests,
                                                struct lk_aws_error *err);

/**
 * PutLoggingConfiguration: logging of the ACL @p acl_arn to @p destination_arn (an S3 bucket,
 * log group or Firehose stream whose name starts with "aws-waf-logs-", AWS WAF Developer Guide,
 * "Logging web ACL traffic"). It replaces the ACL's whole configuration.
 * @param region the ACL's Region (us-east-1 for a CloudFront ACL)
 */
LK_MUST_CHECK enum lk_status lk_wafv2_put_logging(struct lk_aws_client *client, const char *region,
                                                  const char *acl_arn, const char *destination_arn,
                                                  struct lk_aws_error *err);

#endif
