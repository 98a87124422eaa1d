/*
 * logkeep runtime: the Amazon EC2 client (EC2 Query protocol, API 2016-11-15) for VPC flow logs:
 * DescribeVpcs, DescribeFlowLogs (both paginated) and CreateFlowLogs.
 *
 * Facts: the EC2 API Reference, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/
 * (API_DescribeVpcs.html, API_DescribeFlowLogs.html, API_CreateFlowLogs.html, API_FlowLog.html);
 * botocore's ec2 model (service-2.json, paginators-1.json). Wire: runtime/services/query.h.
 *
 * Conventions: those of runtime/services/service.h. Results are plain structs whose strings
 * live in the list's arena; @c region NULL means the client's Region.
 */
#ifndef LK_RUNTIME_SERVICES_EC2_H
#define LK_RUNTIME_SERVICES_EC2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/result.h"
#include "runtime/services/service.h"
#include "runtime/transport/client.h"

#define LK_EC2_API_VERSION "2016-11-15"

/* DescribeVpcs / DescribeFlowLogs MaxResults: 5 to 1000 (the model's DescribeVpcsMaxResults;
 * API_DescribeFlowLogs.html "between 5 and 1000"). Listings ask for the largest page. */
#define LK_EC2_PAGE_MAX 1000

/* Values given to one resource-id filter. EC2 limits the values of a filter (200 in practice;
 * the API reference gives no number): longer id lists are sent in several listings. */
#define LK_EC2_FILTER_VALUES_MAX 200

/** A VPC (API_Vpc.html). */
struct lk_ec2_vpc {
    const char *vpc_id;     /* "vpc-0123456789abcdef0" */
    const char *owner_id;   /* the account */
    const char *cidr_block; /* the primary IPv4 block */
    const char *state;      /* "pending" | "available" */
    bool is_default;
    /* Its tags (tagSet: Key, Value), in the answer's order; the Name tag among them. */
    const char **tag_keys;
    const char **tag_values;
    size_t n_tags;
};

/** A flow log (API_FlowLog.html). */
struct lk_ec2_flow_log {
    const char *flow_log_id;          /* "fl-..." */
    const char *resource_id;          /* the VPC (or subnet, interface) it watches */
    const char *traffic_type;         /* "ACCEPT" | "REJECT" | "ALL" */
    const char *log_destination_type; /* "cloud-watch-logs" | "s3" | "kinesis-data-firehose" */
    const char *log_destination;      /* ARN: bucket (with prefix), log group or stream */
    const char *log_group_name;       /* cloud-watch-logs only, or NULL */
    const char *deliver_logs_permission_arn; /* the IAM role, or NULL */
    const char *flow_log_status;             /* "ACTIVE" */
    const char *deliver_logs_status;         /* "SUCCESS" | "FAILED", or NULL */
    const char *log_format;                  /* or NULL */
    int64_t max_aggregation_interval_s;      /* 60 or 600; 0 when absent */
};

/** The VPCs of a listing; free with lk_ec2_vpc_list_free(). Zero-initialise before use (a zeroed
 * arena is ready). */
struct lk_ec2_vpc_list {
    struct lk_arena arena;
    struct lk_ec2_vpc *items;
    size_t n, cap;
    int pages; /* requests the listing made */
};

/** The flow logs of a listing; free with lk_ec2_flow_log_list_free(). Zero-initialise. */
struct lk_ec2_flow_log_list {
    struct lk_arena arena;
    struct lk_ec2_flow_log *items;
    size_t n, cap;
    int pages;
};

void lk_ec2_vpc_list_free(struct lk_ec2_vpc_list *list);
void lk_ec2_flow_log_list_free(struct lk_ec2_flow_log_list *list);

/**
 * Every VPC of the Region: DescribeVpcs, pages of LK_EC2_PAGE_MAX until no NextToken.
 * @param out appended to
 */
LK_MUST_CHECK enum lk_status lk_ec2_describe_vpcs(struct lk_aws_client *client, const char *region,
                                                  struct lk_ec2_vpc_list *out,
                                                  struct lk_aws_error *err);

/**
 * The flow logs of the Region: DescribeFlowLogs in pages of LK_EC2_PAGE_MAX. With @p n_ids 0
 * every flow log is listed (the fewest requests when most VPCs are read); otherwise a
 * resource-id filter carries the ids, LK_EC2_FILTER_VALUES_MAX at a time, each paginated.
 * @param resource_ids VPC ids, or NULL with @p n_ids 0
 * @param out appended to
 */
LK_MUST_CHECK enum lk_status
lk_ec2_describe_flow_logs(struct lk_aws_client *client, const char *region,
                          const char *const *resource_ids, size_t n_ids,
                          struct lk_ec2_flow_log_list *out, struct lk_aws_error *err);

/** What CreateFlowLogs is asked to create (API_CreateFlowLogs.html). */
struct lk_ec2_flow_log_spec {
    const char *traffic_type;         /* "ALL" (required) */
    const char *log_destination_type; /* "s3", "cloud-watch-logs" or "kinesis-data-firehose" */
    const char *log_destination;      /* ARN ("arn:aws:s3:::bucket/prefix/"), or NULL with
                                         log_group_name */
    const char *log_group_name;       /* cloud-watch-logs by name, or NULL */
    const char *deliver_logs_permission_arn; /* required for cloud-watch-logs, else NULL */
    const char *log_format;                  /* or NULL for the default format */
    int max_aggregation_interval_s;          /* 60 or 600; 0 leaves the default (600) */
};

/** A resource CreateFlowLogs did not give a flow log (its "Unsuccessful" list). */
struct lk_ec2_unsuccessful {
    const char *resource_id;
    const char *code; /* "InvalidVpcID.NotFound", "FlowLogAlreadyExists", ... */
    const char *message;
};

/** What CreateFlowLogs answered; free with lk_ec2_create_result_free(). Zero-initialise. */
struct lk_ec2_create_result {
    struct lk_arena arena;
    const char **flow_log_ids;
    size_t n_flow_log_ids;
    struct lk_ec2_unsuccessful *unsuccessful;
    size_t n_unsuccessful;
};

void lk_ec2_create_result_free(struct lk_ec2_create_result *res);

/**
 * CreateFlowLogs for the VPCs @p vpc_ids (ResourceType VPC), one request. A VPC that could not
 * get a flow log is in @p out's unsuccessful list, not a failure of the call (the API answers
 * 200 with the others created).
 */
LK_MUST_CHECK enum lk_status
lk_ec2_create_flow_logs(struct lk_aws_client *client, const char *region,
                        const struct lk_ec2_flow_log_spec *spec, const char *const *vpc_ids,
                        size_t n_ids, struct lk_ec2_create_result *out, struct lk_aws_error *err);

/* Response parsers (tests, fuzzers): each appends what the page holds; @p next_token receives
 * the page's NextToken in the list's arena, or NULL. */
LK_MUST_CHECK enum lk_status lk_ec2_parse_describe_vpcs(struct lk_ec2_vpc_list *out,
                                                        const char *xml, size_t len,
                                                        const char **next_token,
                                                        struct lk_error *err);
LK_MUST_CHECK enum lk_status lk_ec2_parse_describe_flow_logs(struct lk_ec2_flow_log_list *out,
                                                             const char *xml, size_t len,
                                                             const char **next_token,
                                                             struct lk_error *err);
LK_MUST_CHECK enum lk_status lk_ec2_parse_create_flow_logs(struct lk_ec2_create_result *out,
                                                           const char *xml, size_t len,
                                                           struct lk_error *err);

#endif
