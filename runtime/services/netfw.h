/*
 * logkeep runtime: the AWS Network Firewall client (JSON 1.0, API 2020-11-12) for firewall
 * logging: every firewall of a Region (ListFirewalls, paginated) with its logging configuration
 * (DescribeLoggingConfiguration), and UpdateLoggingConfiguration.
 *
 * One DescribeLoggingConfiguration per firewall is unavoidable: the API has no call that lists
 * logging configurations, and ListFirewalls answers names and ARNs only
 * (https://docs.aws.amazon.com/network-firewall/latest/APIReference/API_ListFirewalls.html,
 * .../API_DescribeLoggingConfiguration.html).
 *
 * UpdateLoggingConfiguration makes one change per call: "You can perform only one of the
 * following actions in any call to UpdateLoggingConfiguration: Create a new log destination
 * object by adding a single LogDestinationConfig array element to LogDestinationConfigs. Delete
 * a log destination object by removing a single LogDestinationConfig array element from
 * LogDestinationConfigs. Change the LogDestination setting in a single LogDestinationConfig array
 * element." (.../API_UpdateLoggingConfiguration.html). lk_netfw_next_step() computes the
 * configuration to send for the next single change; turning ALERT and FLOW on is two calls.
 *
 * Requests: POST / with X-Amz-Target "NetworkFirewall_20201112.<Operation>" and Content-Type
 * application/x-amz-json-1.0, signed for "network-firewall" (botocore's model: jsonVersion 1.0).
 *
 * Conventions: those of runtime/services/service.h; results in a struct lk_netfw_listing.
 */
#ifndef LK_NETFW_H
#define LK_NETFW_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/result.h"
#include "runtime/services/service.h"
#include "runtime/transport/client.h"

/* ListFirewalls MaxResults: 1 to 100 (model PaginationMaxResults). */
#define LK_NETFW_PAGE_MAX 100

/* One destination per log type (ALERT, FLOW; newer APIs add TLS): a configuration with more
 * entries than this is refused as malformed. */
#define LK_NETFW_MAX_DESTINATIONS 8

/** One LogDestinationConfig. Strings: the listing's arena (or the caller's, for requests). */
struct lk_netfw_destination {
    char *log_type;         /* LogType: ALERT, FLOW (TLS in newer APIs) */
    char *destination_type; /* LogDestinationType: S3, CloudWatchLogs, KinesisDataFirehose */
    char *bucket_name;      /* LogDestination bucketName (S3), or NULL */
    char *prefix;           /* LogDestination prefix (S3), or NULL */
    char *log_group;        /* LogDestination logGroup (CloudWatchLogs), or NULL */
    char *delivery_stream;  /* LogDestination deliveryStream (KinesisDataFirehose), or NULL */
};

/** One firewall with its logging configuration. */
struct lk_netfw_firewall {
    char *name;
    char *arn;
    struct lk_netfw_destination *destinations; /* arena, n_destinations of them */
    size_t n_destinations;
    char **tag_keys; /* Firewall.Tags of DescribeFirewall, once read (lk_netfw_read_tags) */
    char **tag_values;
    size_t n_tags;
};

/** What one Region holds. Zero it, or call lk_netfw_listing_init(). */
struct lk_netfw_listing {
    struct lk_arena arena;               /* owns every string and destination array */
    struct lk_netfw_firewall *firewalls; /* owned (heap) */
    size_t n_firewalls;
    unsigned requests;
};

void lk_netfw_listing_init(struct lk_netfw_listing *l);
void lk_netfw_listing_free(struct lk_netfw_listing *l);

/** Parses one ListFirewalls answer, appending to @p l. @param next_token NextToken or NULL */
LK_MUST_CHECK enum lk_status lk_netfw_parse_firewalls(struct lk_netfw_listing *l, const char *json,
                                                      size_t len, char **next_token,
                                                      struct lk_error *err);

/** Parses a DescribeLoggingConfiguration (or UpdateLoggingConfiguration) answer into
 *  @p fw's destinations (arena of @p l). */
LK_MUST_CHECK enum lk_status lk_netfw_parse_logging(struct lk_netfw_listing *l, const char *json,
                                                    size_t len, struct lk_netfw_firewall *fw,
                                                    struct lk_error *err);

/**
 * The ListFirewalls pages of @p region only: names and ARNs, logging not yet read.
 * @param page_size MaxResults, 1..LK_NETFW_PAGE_MAX; 0 means the maximum
 */
LK_MUST_CHECK enum lk_status lk_netfw_list_firewalls(struct lk_aws_client *client,
                                                     const char *region, int page_size,
                                                     struct lk_netfw_listing *l,
                                                     struct lk_aws_error *err);

/**
 * DescribeLoggingConfiguration of @p fw (its ARN set) into its destinations.
 * @param l whose arena receives the strings (and whose requests count the call)
 */
LK_MUST_CHECK enum lk_status lk_netfw_read_logging(struct lk_aws_client *client, const char *region,
                                                   struct lk_netfw_listing *l,
                                                   struct lk_netfw_firewall *fw,
                                                   struct lk_aws_error *err);

/**
 * DescribeFirewall of @p fw (its ARN set): its Tags (the Network Firewall API Reference,
 * API_DescribeFirewall.html, API_Firewall.html: Tags, 1 to 200 Key/Value pairs). One request;
 * ListFirewalls and DescribeLoggingConfiguration carry no tags.
 * @param l whose arena receives the strings (and whose requests count the call)
 */
LK_MUST_CHECK enum lk_status lk_netfw_read_tags(struct lk_aws_client *client, const char *region,
                                                struct lk_netfw_listing *l,
                                                struct lk_netfw_firewall *fw,
                                                struct lk_aws_error *err);

/** Parses a DescribeFirewall answer: @p fw's tags (arena of @p l). */
LK_MUST_CHECK enum lk_status lk_netfw_parse_tags(struct lk_netfw_listing *l, const char *json,
                                                 size_t len, struct lk_netfw_firewall *fw,
                                                 struct lk_error *err);

/**
 * Lists every firewall of @p region and reads each one's logging configuration
 * (pages + one request per firewall).
 * @param page_size MaxResults, 1..LK_NETFW_PAGE_MAX; 0 means the maximum
 */
LK_MUST_CHECK enum lk_status lk_netfw_list(struct lk_aws_client *client, const char *region,
                                           int page_size, struct lk_netfw_listing *l,
                                           struct lk_aws_error *err);

/**
 * UpdateLoggingConfiguration of the firewall @p firewall_arn with the whole list @p dests (the
 * configuration after the change: at most one change from the current one, see above).
 */
LK_MUST_CHECK enum lk_status lk_netfw_update_logging(struct lk_aws_client *client,
                                                     const char *region, const char *firewall_arn,
                                                     const struct lk_netfw_destination *dests,
                                                     size_t n_dests, struct lk_aws_error *err);

/**
 * The next single change from @p current toward @p wanted: the first log type of @p wanted
 * whose destination is missing or differs in @p current is added or changed; log types that
 * @p wanted does not name are kept (logkeep never turns logging off).
 * @param out receives the configuration to send (pointers borrowed from both inputs); room for
 *        @p n_current + 1 entries
 * @return the number of entries in @p out, or 0 when nothing is left to change
 */
size_t lk_netfw_next_step(const struct lk_netfw_destination *current, size_t n_current,
                          const struct lk_netfw_destination *wanted, size_t n_wanted,
                          struct lk_netfw_destination *out);

#endif
