/*
 * logkeep runtime: the Amazon Route 53 Resolver client (JSON 1.1, API 2018-04-01) for DNS query
 * logging: every query-log configuration and every VPC association of one Region
 * (ListResolverQueryLogConfigs, ListResolverQueryLogConfigAssociations, both paginated), and the
 * calls that turn query logging on (CreateResolverQueryLogConfig,
 * AssociateResolverQueryLogConfig).
 *
 * Requests: POST / with X-Amz-Target "Route53Resolver.<Operation>", signed for
 * "route53resolver" (botocore's route53resolver model). Facts: the Route 53 API Reference,
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_ListResolverQueryLogConfigs.html,
 * .../API_route53resolver_ListResolverQueryLogConfigAssociations.html,
 * .../API_route53resolver_CreateResolverQueryLogConfig.html,
 * .../API_route53resolver_AssociateResolverQueryLogConfig.html.
 *
 * Conventions: those of runtime/services/service.h; results live in an struct
 * lk_resolver_listing (strings in its arena).
 */
#ifndef LK_RESOLVER_H
#define LK_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/result.h"
#include "runtime/services/service.h"
#include "runtime/transport/client.h"

/* MaxResults of both listings: 1 to 100; "If you don't specify a value for MaxResults, Resolver
 * returns up to 100" (API Reference, ListResolverQueryLogConfigs). */
#define LK_RESOLVER_PAGE_MAX 100

/** One query-log configuration (ResolverQueryLogConfig). Strings: the listing's arena. */
struct lk_resolver_config {
    char *id;                  /* Id, "rqlc-..." */
    char *arn;                 /* Arn */
    char *name;                /* Name */
    char *owner_id;            /* OwnerId: the account that owns it (may be shared to us) */
    char *status;              /* CREATING, CREATED, DELETING, FAILED */
    char *share_status;        /* NOT_SHARED, SHARED_WITH_ME, SHARED_BY_ME, or NULL */
    char *destination_arn;     /* DestinationArn: S3 bucket, log group or Firehose stream */
    int64_t association_count; /* AssociationCount */
};

/** One association of a configuration with a VPC (ResolverQueryLogConfigAssociation). */
struct lk_resolver_association {
    char *id;          /* Id, "rqlca-..." */
    char *config_id;   /* ResolverQueryLogConfigId */
    char *resource_id; /* ResourceId: the VPC id */
    char *status;      /* CREATING, ACTIVE, ACTION_NEEDED, DELETING, FAILED */
    char *error;       /* Error: NONE, DESTINATION_NOT_FOUND, ACCESS_DENIED, ... or NULL */
};

/** What one Region holds. Zero it, or call lk_resolver_listing_init(). */
struct lk_resolver_listing {
    struct lk_arena arena;              /* owns every string below */
    struct lk_resolver_config *configs; /* owned (heap), n_configs of them */
    size_t n_configs;
    struct lk_resolver_association *associations; /* owned (heap) */
    size_t n_associations;
    unsigned requests; /* calls made (pages) */
};

/** Prepares an empty listing. */
void lk_resolver_listing_init(struct lk_resolver_listing *l);

/** Frees what the listing owns and empties it. */
void lk_resolver_listing_free(struct lk_resolver_listing *l);

/**
 * Parses one ListResolverQueryLogConfigs answer, appending its configurations to @p l.
 * @param next_token receives NextToken (arena of @p l), or NULL on the last page
 */
LK_MUST_CHECK enum lk_status lk_resolver_parse_configs(struct lk_resolver_listing *l,
                                                       const char *json, size_t len,
                                                       char **next_token, struct lk_error *err);

/** Parses one ListResolverQueryLogConfigAssociations answer, appending to @p l. */
LK_MUST_CHECK enum lk_status lk_resolver_parse_associations(struct lk_resolver_listing *l,
                                                            const char *json, size_t len,
                                                            char **next_token,
                                                            struct lk_error *err);

/**
 * Lists every query-log configuration and every association of @p region, page by page.
 * @param page_size MaxResults, 1..LK_RESOLVER_PAGE_MAX; 0 means the maximum
 * @param l receives the items (appended; initialise it first)
 */
LK_MUST_CHECK enum lk_status lk_resolver_list(struct lk_aws_client *client, const char *region,
                                              int page_size, struct lk_resolver_listing *l,
                                              struct lk_aws_error *err);

/**
 * CreateResolverQueryLogConfig. @p creator_request_id makes a retry safe: Resolver answers the
 * configuration already made with it (API Reference: "CreatorRequestId ... allows failed
 * requests to be retried without the risk of running the operation twice").
 * @param out receives the configuration (strings in @p l's arena; @p out is not appended)
 */
LK_MUST_CHECK enum lk_status
lk_resolver_create_config(struct lk_aws_client *client, const char *region, const char *name,
                          const char *destination_arn, const char *creator_request_id,
                          struct lk_resolver_listing *l, struct lk_resolver_config *out,
                          struct lk_aws_error *err);

/**
 * AssociateResolverQueryLogConfig of @p config_id with the VPC @p vpc_id.
 * @param out receives the association (strings in @p l's arena), may be NULL
 */
LK_MUST_CHECK enum lk_status lk_resolver_associate(struct lk_aws_client *client, const char *region,
                                                   const char *config_id, const char *vpc_id,
                                                   struct lk_resolver_listing *l,
                                                   struct lk_resolver_association *out,
                                                   struct lk_aws_error *err);

#endif
