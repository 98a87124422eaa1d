/*
 * logkeep runtime: reading the producers of a pair (load balancers, VPCs, web ACLs, ...) into
 * the live state, for the coverage requirements of its desired state (ir/ir.h, "coverage").
 *
 * Only the types the desired state has requirements for are read, each with its service's
 * listings (pages); per-resource calls only where the API has no list (ELBv2
 * DescribeLoadBalancerAttributes, Network Firewall DescribeLoggingConfiguration, EKS
 * DescribeCluster, GuardDuty DescribePublishingDestination). Tags, for a requirement with a
 * tags selector only: VPCs' from DescribeVpcs, RDS's TagList and EKS's tags from the answers
 * already read, load balancers' with ELBv2 DescribeTags (20 a call, the balancers of the types
 * required), firewalls' with DescribeFirewall and web ACLs' with ListTagsForResource (one call
 * each); a refused DescribeTags makes the balancer type unreadable in that Region, as a
 * refused listing does, a refused per-resource call that producer. The AWS facts per type:
 * docs/source-types.md, "Producers: is a source on, and turning it on".
 */
#ifndef LK_RUNTIME_COVERAGE_H
#define LK_RUNTIME_COVERAGE_H

#include <stddef.h>

#include "ir/ir.h"
#include "runtime/transport/client.h"

/** How producers are read. A zeroed struct reads with the caller's client only. */
struct lk_coverage_options {
    /* Bound on per-resource calls in flight (ELBv2 DescribeLoadBalancerAttributes, Network
     * Firewall DescribeLoggingConfiguration, EKS DescribeCluster); <= 1, or no new_client: one
     * at a time on the caller's client. GuardDuty's are made in order: one detector per
     * account and Region, with a destination or two. */
    int concurrency;
    /* Creates the client of another thread (as struct lk_live_options.new_client). */
    int (*new_client)(void *ctx, struct lk_aws_client *out, struct lk_aws_error *err);
    void *new_client_ctx;
};

/** What a read did. */
struct lk_coverage_report {
    size_t requests; /* calls made (pages and per-resource calls; a retried call counts once:
                      * the clients retry inside the call) */
    size_t requests_of[LK_IR_PRODUCER_COUNT]; /* per type (one DescribeVpcs listing serves
                                               * both VPC types: it counts for flow logs then;
                                               * one balancer listing: for ELB) */
    size_t producers;                         /* producers added to the live state */
    size_t unreadable;                        /* types whose listing was refused */
    int threads;                              /* threads the per-resource calls used */
};

/**
 * Reads, in each Region a coverage requirement of @p desired names (a requirement without one:
 * the Region of @p live, live->region, or the client's), the producers of each type required
 * there, and adds them to @p live tagged with that Region (then canonicalised). A listing AWS
 * refuses (HTTP 403, or AccessDeniedException with 400 as the JSON 1.1 services answer) does
 * not fail the read: it adds one producer of the type (in that Region) with ID "*" and @c error
 * the AWS code, which lk_ir_coverage_check() calls unreadable.
 * @param opts NULL for the defaults
 * @param report zeroed, then filled; may be NULL
 * @return 0, or -1 with @p err set (a failure other than a refusal)
 */
int lk_coverage_read(struct lk_aws_client *client, const struct lk_ir_state *desired,
                     const struct lk_coverage_options *opts, struct lk_ir_state *live,
                     struct lk_coverage_report *report, struct lk_aws_error *err);

#endif
