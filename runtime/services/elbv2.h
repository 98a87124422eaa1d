/*
 * logkeep runtime: the Elastic Load Balancing v2 client (Query protocol, API 2015-12-01) for
 * access logs of Application and Network Load Balancers: DescribeLoadBalancers (paginated),
 * DescribeLoadBalancerAttributes and ModifyLoadBalancerAttributes.
 *
 * Facts: the ELBv2 API Reference,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/
 * (API_DescribeLoadBalancers.html, API_DescribeLoadBalancerAttributes.html,
 * API_ModifyLoadBalancerAttributes.html, API_LoadBalancerAttribute.html, API_DescribeTags.html);
 * botocore's elbv2
 * model. Wire: runtime/services/query.h.
 *
 * Requests: the API has no call that lists attributes of several balancers, so reading access
 * logs costs one DescribeLoadBalancerAttributes per balancer on top of the pages of
 * DescribeLoadBalancers (400 balancers a page).
 *
 * Conventions: those of runtime/services/service.h; strings live in the list's arena; @c region
 * NULL means the client's Region.
 */
#ifndef LK_RUNTIME_SERVICES_ELBV2_H
#define LK_RUNTIME_SERVICES_ELBV2_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/result.h"
#include "runtime/services/service.h"
#include "runtime/transport/client.h"

#define LK_ELBV2_API_VERSION "2015-12-01"

/* DescribeLoadBalancers PageSize: 1 to 400 (the model's PageSize; API_DescribeLoadBalancers). */
#define LK_ELBV2_PAGE_MAX 400

/* DescribeTags ResourceArns: "You can specify up to 20 resources in a single call."
 * (API_DescribeTags.html). */
#define LK_ELBV2_TAGS_MAX 20

/* The access-log attributes (API_LoadBalancerAttribute.html, Application and Network Load
 * Balancers alike). */
#define LK_ELBV2_ACCESS_LOGS_ENABLED "access_logs.s3.enabled"
#define LK_ELBV2_ACCESS_LOGS_BUCKET "access_logs.s3.bucket"
#define LK_ELBV2_ACCESS_LOGS_PREFIX "access_logs.s3.prefix"

/** A load balancer and, once read, its access-log attributes. */
struct lk_elbv2_load_balancer {
    const char *arn;
    const char *name;
    const char *type;   /* "application" | "network" | "gateway" */
    const char *scheme; /* "internet-facing" | "internal" */
    const char *vpc_id;
    const char *state; /* State/Code: "active", "provisioning", ... */
    bool attributes_read;
    bool access_logs_enabled;
    const char *access_logs_bucket; /* "" when not set */
    const char *access_logs_prefix; /* "" when not set */
    /* Its tags, once read (lk_elbv2_describe_tags): DescribeLoadBalancers carries none. */
    bool tags_read;
    const char **tag_keys;
    const char **tag_values;
    size_t n_tags;
};

/** The balancers of a listing; free with lk_elbv2_list_free(). Zero-initialise before use. */
struct lk_elbv2_list {
    struct lk_arena arena;
    struct lk_elbv2_load_balancer *items;
    size_t n, cap;
    int pages;           /* DescribeLoadBalancers requests */
    int attribute_reads; /* DescribeLoadBalancerAttributes requests */
};

void lk_elbv2_list_free(struct lk_elbv2_list *list);

/**
 * Every load balancer of the Region (DescribeLoadBalancers, pages of LK_ELBV2_PAGE_MAX), and with
 * @p with_attributes the access-log attributes of each (one DescribeLoadBalancerAttributes per
 * balancer: the API offers no list). Classic Load Balancers are another API and not listed.
 * @param out appended to
 */
LK_MUST_CHECK enum lk_status lk_elbv2_describe_load_balancers(struct lk_aws_client *client,
                                                              const char *region,
                                                              bool with_attributes,
                                                              struct lk_elbv2_list *out,
                                                              struct lk_aws_error *err);

/**
 * Reads the access-log attributes of @p lb (DescribeLoadBalancerAttributes).
 * @param arena where the strings go (the list's)
 */
LK_MUST_CHECK enum lk_status lk_elbv2_read_attributes(struct lk_aws_client *client,
                                                      const char *region, struct lk_arena *arena,
                                                      struct lk_elbv2_load_balancer *lb,
                                                      struct lk_aws_error *err);

/**
 * Reads the tags of @p n balancers from @p lbs with DescribeTags, LK_ELBV2_TAGS_MAX ARNs a
 * call (ceil(n / 20) requests); each balancer named in an answer gets @c tags_read.
 * @param arena where the strings go (the list's)
 * @param requests incremented per call made (a failed call included); may be NULL
 */
LK_MUST_CHECK enum lk_status lk_elbv2_describe_tags(struct lk_aws_client *client,
                                                    const char *region, struct lk_arena *arena,
                                                    struct lk_elbv2_load_balancer *lbs, size_t n,
                                                    size_t *requests, struct lk_aws_error *err);

/**
 * Turns access logs on to @p bucket and @p prefix ("" for none) with ModifyLoadBalancerAttributes
 * (access_logs.s3.enabled=true, .bucket, .prefix), one request; the answer's attributes are
 * checked to hold them.
 */
LK_MUST_CHECK enum lk_status lk_elbv2_enable_access_logs(struct lk_aws_client *client,
                                                         const char *region, const char *lb_arn,
                                                         const char *bucket, const char *prefix,
                                                         struct lk_aws_error *err);

/* Response parsers (tests, fuzzers). */
LK_MUST_CHECK enum lk_status lk_elbv2_parse_describe_load_balancers(struct lk_elbv2_list *out,
                                                                    const char *xml, size_t len,
                                                                    const char **next_marker,
                                                                    struct lk_error *err);
/** @param op "DescribeLoadBalancerAttributes" or "ModifyLoadBalancerAttributes" (its answer
 *         has the same Attributes list) */
LK_MUST_CHECK enum lk_status lk_elbv2_parse_attributes(struct lk_arena *arena, const char *op,
                                                       struct lk_elbv2_load_balancer *lb,
                                                       const char *xml, size_t len,
                                                       struct lk_error *err);

/** Reads a DescribeTags answer into those of @p lbs it names. */
LK_MUST_CHECK enum lk_status lk_elbv2_parse_tags(struct lk_arena *arena,
                                                 struct lk_elbv2_load_balancer *lbs, size_t n,
                                                 const char *xml, size_t len, struct lk_error *err);

#endif
