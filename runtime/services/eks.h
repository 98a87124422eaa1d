/*
 * logkeep runtime: the Amazon EKS client (REST-JSON, API 2017-11-01) for control-plane logging:
 * every cluster of a Region (ListClusters, GET /clusters, paginated) with its logging
 * (DescribeCluster, GET /clusters/{name}), and the call that turns log types on
 * (UpdateClusterConfig, POST /clusters/{name}/update-config, with "logging" only).
 *
 * One DescribeCluster per cluster is unavoidable: ListClusters answers names only
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_ListClusters.html,
 * .../API_DescribeCluster.html). The log types are api, audit, authenticator,
 * controllerManager and scheduler (.../API_LogSetup.html); UpdateClusterConfig starts an update
 * of type LoggingUpdate (.../API_UpdateClusterConfig.html). logkeep only ever enables types.
 *
 * Conventions: those of runtime/services/service.h; results in a struct lk_eks_listing.
 */
#ifndef LK_EKS_H
#define LK_EKS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/result.h"
#include "runtime/services/service.h"
#include "runtime/transport/client.h"

/* ListClusters maxResults: 1 to 100, default 100 (API Reference). */
#define LK_EKS_PAGE_MAX 100

/** Control-plane log types, as bits (LogSetup types). */
enum lk_eks_log_type {
    LK_EKS_LOG_API = 1u << 0,
    LK_EKS_LOG_AUDIT = 1u << 1,
    LK_EKS_LOG_AUTHENTICATOR = 1u << 2,
    LK_EKS_LOG_CONTROLLER_MANAGER = 1u << 3,
    LK_EKS_LOG_SCHEDULER = 1u << 4,
};

/** Every type. */
#define LK_EKS_LOG_ALL 31u

/** @return the API name of one type ("api", ..., "controllerManager"), NULL for another value. */
const char *lk_eks_log_type_name(unsigned type);

/** @return the bit of an API type name, 0 for an unknown one. */
unsigned lk_eks_log_type_parse(const char *name);

/** One cluster. Strings: the listing's arena. */
struct lk_eks_cluster {
    char *name;
    char *arn;
    char *status;           /* CREATING, ACTIVE, DELETING, FAILED, UPDATING, PENDING */
    unsigned enabled_types; /* lk_eks_log_type bits whose LogSetup says enabled */
    char **tag_keys;        /* DescribeCluster's "tags" map (Cluster.tags, a TagMap) */
    char **tag_values;
    size_t n_tags;
};

/** What one Region holds. Zero it, or call lk_eks_listing_init(). */
struct lk_eks_listing {
    struct lk_arena arena;           /* owns every string */
    struct lk_eks_cluster *clusters; /* owned (heap) */
    size_t n_clusters;
    unsigned requests;
};

void lk_eks_listing_init(struct lk_eks_listing *l);
void lk_eks_listing_free(struct lk_eks_listing *l);

/** Parses a ListClusters answer, appending clusters (names only). @param next_token or NULL */
LK_MUST_CHECK enum lk_status lk_eks_parse_clusters(struct lk_eks_listing *l, const char *json,
                                                   size_t len, char **next_token,
                                                   struct lk_error *err);

/** Parses a DescribeCluster answer into @p c (arn, status, enabled_types). */
LK_MUST_CHECK enum lk_status lk_eks_parse_cluster(struct lk_eks_listing *l, const char *json,
                                                  size_t len, struct lk_eks_cluster *c,
                                                  struct lk_error *err);

/**
 * The ListClusters pages of @p region only: the clusters' names, not yet described.
 * @param page_size maxResults, 1..LK_EKS_PAGE_MAX; 0 means the maximum
 */
LK_MUST_CHECK enum lk_status lk_eks_list_names(struct lk_aws_client *client, const char *region,
                                               int page_size, struct lk_eks_listing *l,
                                               struct lk_aws_error *err);

/**
 * DescribeCluster of @p c (its name set): ARN, status and logging into @p c.
 * @param l whose arena receives the strings (and whose requests count the call)
 */
LK_MUST_CHECK enum lk_status lk_eks_describe(struct lk_aws_client *client, const char *region,
                                             struct lk_eks_listing *l, struct lk_eks_cluster *c,
                                             struct lk_aws_error *err);

/**
 * Lists every cluster of @p region and describes each.
 * @param page_size maxResults, 1..LK_EKS_PAGE_MAX; 0 means the maximum
 */
LK_MUST_CHECK enum lk_status lk_eks_list(struct lk_aws_client *client, const char *region,
                                         int page_size, struct lk_eks_listing *l,
                                         struct lk_aws_error *err);

/**
 * UpdateClusterConfig turning on the log types @p types (lk_eks_log_type bits) of cluster
 * @p name; types not named keep their state.
 * @param update_id receives the update's id (arena of @p l), may be NULL
 */
LK_MUST_CHECK enum lk_status lk_eks_enable_logging(struct lk_aws_client *client, const char *region,
                                                   const char *name, unsigned types,
                                                   struct lk_eks_listing *l, char **update_id,
                                                   struct lk_aws_error *err);

#endif
