/*
 * logkeep runtime: the AWS Config client (JSON 1.1, API 2014-11-12) for configuration
 * recording: the Region's recorders, their status and the delivery channels
 * (DescribeConfigurationRecorders, DescribeConfigurationRecorderStatus,
 * DescribeDeliveryChannels: three requests, none paginated: a Region has at most one recorder
 * and one delivery channel), and the calls that turn recording on (PutDeliveryChannel,
 * StartConfigurationRecorder).
 *
 * Requests: POST / with X-Amz-Target "StarlingDoveService.<Operation>", signed for "config".
 * Facts: the AWS Config API Reference,
 * https://docs.aws.amazon.com/config/latest/APIReference/API_DescribeConfigurationRecorders.html,
 * .../API_DescribeConfigurationRecorderStatus.html, .../API_DescribeDeliveryChannels.html,
 * .../API_PutDeliveryChannel.html ("You can have only one delivery channel per region in your
 * account"), .../API_StartConfigurationRecorder.html ("You must have created at least one
 * delivery channel to successfully start the configuration recorder").
 *
 * Conventions: those of runtime/services/service.h; results in a struct lk_config_listing.
 */
#ifndef LK_CONFIGSVC_H
#define LK_CONFIGSVC_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/result.h"
#include "runtime/services/service.h"
#include "runtime/transport/client.h"

/* Entries accepted in one answer (AWS: one recorder and one channel per Region). */
#define LK_CONFIG_MAX_ENTRIES 16

/** A configuration recorder with its status. Strings: the listing's arena. */
struct lk_config_recorder {
    char *name;
    char *role_arn;                /* roleARN */
    bool all_supported;            /* recordingGroup.allSupported */
    bool include_global_resources; /* recordingGroup.includeGlobalResourceTypes */
    bool has_status;               /* DescribeConfigurationRecorderStatus named it */
    bool recording;                /* status: recording */
    char *last_status;             /* status: lastStatus (Pending, Success, Failure) or NULL */
};

/** A delivery channel. */
struct lk_config_channel {
    char *name;
    char *s3_bucket_name;     /* s3BucketName */
    char *s3_key_prefix;      /* s3KeyPrefix, or NULL */
    char *s3_kms_key_arn;     /* s3KmsKeyArn, or NULL */
    char *sns_topic_arn;      /* snsTopicARN, or NULL */
    char *delivery_frequency; /* configSnapshotDeliveryProperties.deliveryFrequency, or NULL */
};

/** What one Region holds. Zero it, or call lk_config_listing_init(). */
struct lk_config_listing {
    struct lk_arena arena;                /* owns every string */
    struct lk_config_recorder *recorders; /* owned (heap) */
    size_t n_recorders;
    struct lk_config_channel *channels; /* owned (heap) */
    size_t n_channels;
    unsigned requests;
};

void lk_config_listing_init(struct lk_config_listing *l);
void lk_config_listing_free(struct lk_config_listing *l);

/** Parses a DescribeConfigurationRecorders answer, appending to @p l. */
LK_MUST_CHECK enum lk_status lk_config_parse_recorders(struct lk_config_listing *l,
                                                       const char *json, size_t len,
                                                       struct lk_error *err);

/** Parses a DescribeConfigurationRecorderStatus answer into the recorders of @p l (by name;
 *  a status without a recorder is ignored). */
LK_MUST_CHECK enum lk_status lk_config_parse_status(struct lk_config_listing *l, const char *json,
                                                    size_t len, struct lk_error *err);

/** Parses a DescribeDeliveryChannels answer, appending to @p l. */
LK_MUST_CHECK enum lk_status lk_config_parse_channels(struct lk_config_listing *l, const char *json,
                                                      size_t len, struct lk_error *err);

/** Reads the recorders, their status and the delivery channels of @p region (3 requests). */
LK_MUST_CHECK enum lk_status lk_config_list(struct lk_aws_client *client, const char *region,
                                            struct lk_config_listing *l, struct lk_aws_error *err);

/**
 * PutDeliveryChannel with @p ch (name and s3BucketName required; NULL members are left out,
 * so AWS keeps no value for them).
 */
LK_MUST_CHECK enum lk_status lk_config_put_channel(struct lk_aws_client *client, const char *region,
                                                   const struct lk_config_channel *ch,
                                                   struct lk_aws_error *err);

/** StartConfigurationRecorder of the recorder @p name. */
LK_MUST_CHECK enum lk_status lk_config_start_recorder(struct lk_aws_client *client,
                                                      const char *region, const char *name,
                                                      struct lk_aws_error *err);

#endif
