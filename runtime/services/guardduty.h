/*
 * logkeep runtime: the Amazon GuardDuty client (REST-JSON, API 2017-11-28) for findings export:
 * every detector of a Region (ListDetectors, GET /detector) with its publishing destinations
 * (ListPublishingDestinations, GET /detector/{detectorId}/publishingDestination) and each
 * destination's bucket and KMS key (DescribePublishingDestination,
 * GET /detector/{detectorId}/publishingDestination/{destinationId}); a member's administrator
 * (GetAdministratorAccount, GET /detector/{detectorId}/administrator), whose export covers the
 * member's findings; and the calls that turn export on (CreatePublishingDestination,
 * POST /detector/{detectorId}/publishingDestination) or point it at the store
 * (UpdatePublishingDestination, POST .../publishingDestination/{destinationId}).
 *
 * The listing answers carry no bucket or key, so one DescribePublishingDestination per
 * destination is unavoidable (a detector has at most one S3 destination in practice).
 * Facts: the Amazon GuardDuty API Reference,
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_ListDetectors.html,
 * .../API_ListPublishingDestinations.html, .../API_DescribePublishingDestination.html,
 * .../API_GetAdministratorAccount.html, .../API_CreatePublishingDestination.html,
 * .../API_UpdatePublishingDestination.html; the GuardDuty
 * User Guide, "Exporting generated findings to Amazon S3" (a KMS key is required).
 *
 * Conventions: those of runtime/services/service.h; results in a struct lk_guardduty_listing.
 */
#ifndef LK_GUARDDUTY_H
#define LK_GUARDDUTY_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/result.h"
#include "runtime/services/service.h"
#include "runtime/transport/client.h"

/* maxResults of both listings: 1 to 50 (API Reference, ListDetectors). */
#define LK_GUARDDUTY_PAGE_MAX 50

/** A publishing destination. Strings: the listing's arena. */
struct lk_guardduty_destination {
    char *id;              /* destinationId */
    char *type;            /* destinationType: S3 */
    char *status;          /* PENDING_VERIFICATION, PUBLISHING, ..._FIX_DESTINATION_PROPERTY,
                              STOPPED */
    char *destination_arn; /* destinationProperties.destinationArn (bucket ARN[/prefix]) */
    char *kms_key_arn;     /* destinationProperties.kmsKeyArn */
};

/** A detector with its destinations. */
struct lk_guardduty_detector {
    char *id;
    struct lk_guardduty_destination *destinations; /* owned (heap) */
    size_t n_destinations;
};

/** What one Region holds. Zero it, or call lk_guardduty_listing_init(). */
struct lk_guardduty_listing {
    struct lk_arena arena;                   /* owns every string */
    struct lk_guardduty_detector *detectors; /* owned (heap) */
    size_t n_detectors;
    unsigned requests;
};

void lk_guardduty_listing_init(struct lk_guardduty_listing *l);
void lk_guardduty_listing_free(struct lk_guardduty_listing *l);

/** Parses a ListDetectors answer, appending detectors. @param next_token nextToken or NULL */
LK_MUST_CHECK enum lk_status lk_guardduty_parse_detectors(struct lk_guardduty_listing *l,
                                                          const char *json, size_t len,
                                                          char **next_token, struct lk_error *err);

/** Parses a ListPublishingDestinations answer, appending to @p det's destinations. */
LK_MUST_CHECK enum lk_status lk_guardduty_parse_destinations(struct lk_guardduty_listing *l,
                                                             struct lk_guardduty_detector *det,
                                                             const char *json, size_t len,
                                                             char **next_token,
                                                             struct lk_error *err);

/** Parses a DescribePublishingDestination answer into @p d. */
LK_MUST_CHECK enum lk_status lk_guardduty_parse_destination(struct lk_guardduty_listing *l,
                                                            struct lk_guardduty_destination *d,
                                                            const char *json, size_t len,
                                                            struct lk_error *err);

/**
 * Lists every detector of @p region with its destinations, each described.
 * @param page_size maxResults, 1..LK_GUARDDUTY_PAGE_MAX; 0 means the maximum
 */
LK_MUST_CHECK enum lk_status lk_guardduty_list(struct lk_aws_client *client, const char *region,
                                               int page_size, struct lk_guardduty_listing *l,
                                               struct lk_aws_error *err);

/** A detector's administrator account (GetAdministratorAccount). Strings: the listing's arena. */
struct lk_guardduty_administrator {
    char *account_id;          /* administrator.accountId; NULL: the account has none */
    char *relationship_status; /* administrator.relationshipStatus: "Enabled", "Invited", ... */
};

/** Parses a GetAdministratorAccount answer (an empty body or one without administrator: none). */
LK_MUST_CHECK enum lk_status lk_guardduty_parse_administrator(struct lk_guardduty_listing *l,
                                                              struct lk_guardduty_administrator *a,
                                                              const char *json, size_t len,
                                                              struct lk_error *err);

/**
 * GetAdministratorAccount (GET /detector/{detectorId}/administrator): the administrator of the
 * member account that owns @p detector_id. An administrator account, or one in no organisation,
 * gets HTTP 200 with no content: @p out is then all NULL. Counted in @p l's requests.
 */
LK_MUST_CHECK enum lk_status
lk_guardduty_get_administrator(struct lk_aws_client *client, const char *region,
                               const char *detector_id, struct lk_guardduty_listing *l,
                               struct lk_guardduty_administrator *out, struct lk_aws_error *err);

/**
 * CreatePublishingDestination: findings of @p detector_id exported to @p destination_arn (an S3
 * bucket ARN, with an optional /prefix) encrypted with @p kms_key_arn.
 * @param destination_id receives the new destination's id (arena of @p l), may be NULL
 */
LK_MUST_CHECK enum lk_status
lk_guardduty_create_destination(struct lk_aws_client *client, const char *region,
                                const char *detector_id, const char *destination_arn,
                                const char *kms_key_arn, struct lk_guardduty_listing *l,
                                char **destination_id, struct lk_aws_error *err);

/**
 * UpdatePublishingDestination (POST /detector/{detectorId}/publishingDestination/{destinationId}):
 * the destination @p destination_id of @p detector_id exports to @p destination_arn with
 * @p kms_key_arn from now on (a redirect: the previous destination receives no new findings).
 * The answer is HTTP 200 with an empty body.
 */
LK_MUST_CHECK enum lk_status
lk_guardduty_update_destination(struct lk_aws_client *client, const char *region,
                                const char *detector_id, const char *destination_id,
                                const char *destination_arn, const char *kms_key_arn,
                                struct lk_aws_error *err);

#endif
