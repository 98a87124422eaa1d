/*
 * logkeep: the IR of AWS state.
 *
 * The compiler lowers a policy into this desired state; the runtime reads live AWS state into the
 * same types; the drift checker diffs the two. Nothing here knows libyaml or cJSON.
 *
 * Conventions, chosen for comparison:
 * - Every optional piece of configuration says whether it is present (AWS holds a configuration)
 *   or absent (AWS answers "not configured": NoSuchLifecycleConfiguration, NoSuchBucketPolicy,
 *   ...). "Absent" is never confused with a default value.
 * - Arrays are kept in a canonical order (lk_ir_canonicalize(), with the comparators below):
 *   buckets by name, log groups by region then name, trails by name, unmanaged stores by bucket
 *   (their deliveries by service, region and name), lifecycle rules by ID, statements by Sid,
 *   and the string sets inside a statement (principals, actions, resources, condition values)
 *   and a bucket's unmodelled filter rule IDs sorted and de-duplicated; coverage requirements
 *   by Region, type and source, producers by Region, type and ID, their destinations, tags and
 *   exclusions as their comparators say, their string sets sorted and de-duplicated.
 * - All memory belongs to the state's arena; strings are NUL-terminated.
 * - Desired nodes carry the origin of their value in the policy text (struct lk_ir_origin):
 *   lowering fills it, the diff and its reports show it; emitters and comparisons ignore it.
 */
#ifndef LK_IR_H
#define LK_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"

/* S3 storage classes a lifecycle transition can name (LifecycleTransition StorageClass). */
enum lk_ir_storage_class {
    LK_IR_SC_STANDARD_IA,
    LK_IR_SC_ONEZONE_IA,
    LK_IR_SC_INTELLIGENT_TIERING,
    LK_IR_SC_GLACIER_IR,
    LK_IR_SC_GLACIER,
    LK_IR_SC_DEEP_ARCHIVE,
    LK_IR_SC_COUNT,
};

/** @return the S3 API name of a storage class ("GLACIER_IR"). */
const char *lk_ir_storage_class_api(enum lk_ir_storage_class sc);
/** @return true and the class for an S3 API name. */
bool lk_ir_storage_class_parse(const char *api, enum lk_ir_storage_class *out);

struct lk_ir_string_list {
    char **items; /* arena */
    size_t n;
};

/*
 * Where a desired value comes from in the policy text, for `plan`, `apply` and `drift` to point
 * at it as diagnostics do. A plain copy of what the compiler's spans say (the IR knows nothing of
 * them): @c file NULL means "no origin", as in live state, and every other member is then 0.
 * A node's origin is the key that produces it; the origins of single settings (encryption,
 * Object Lock, ...) are set only where the policy writes that setting: otherwise the node's own
 * origin applies (lk_ir_origin_or()).
 */
struct lk_ir_origin {
    const char *file; /* arena, shared by every origin of one file: the path as the user gave it */
    const char *text; /* arena: the whole source line, without its line break */
    uint32_t line;    /* one-based */
    uint32_t column;  /* one-based, in characters */
    uint32_t length;  /* characters the caret covers; at least 1 */
};

/** @return @p o when it names a place in the policy, else @p fallback. */
static inline const struct lk_ir_origin *lk_ir_origin_or(const struct lk_ir_origin *o,
                                                         const struct lk_ir_origin *fallback)
{
    return o && o->file ? o : fallback;
}

/* ------------------------------------------------------------------------------ S3 lifecycle */

struct lk_ir_transition {
    int32_t days;
    enum lk_ir_storage_class storage_class;
};

struct lk_ir_lifecycle_rule {
    char *id;                             /* <ID>, at most 255 characters */
    char *prefix;                         /* <Filter><Prefix>; "" filters the whole bucket */
    bool enabled;                         /* <Status> */
    struct lk_ir_transition *transitions; /* ascending days */
    size_t n_transitions;
    int32_t expiration_days;              /* <Expiration><Days>; 0 = none */
    bool expired_object_delete_marker;    /* <Expiration><ExpiredObjectDeleteMarker> */
    int32_t noncurrent_expiration_days;   /* <NoncurrentVersionExpiration>; 0 = none */
    int32_t abort_incomplete_upload_days; /* <AbortIncompleteMultipartUpload>; 0 = none */
    struct lk_ir_string_list sources;     /* policy sources the rule serves (reports only) */
    struct lk_ir_origin origin; /* the first source's retention; a store's rule: the store's */
};

/* x-amz-transition-default-minimum-object-size (PutBucketLifecycleConfiguration). */
enum lk_ir_transition_min_size {
    LK_IR_TMS_UNSPECIFIED,     /* header not sent / not reported */
    LK_IR_TMS_ALL_128K,        /* all_storage_classes_128K: S3's default since Sept 2024 */
    LK_IR_TMS_VARIES_BY_CLASS, /* varies_by_storage_class: the earlier behaviour */
};

struct lk_ir_lifecycle {
    bool present;
    enum lk_ir_transition_min_size transition_min_size;
    struct lk_ir_lifecycle_rule *rules;
    size_t n_rules;
    struct lk_ir_origin origin; /* transition_small_objects, where the store sets it */
};

/* ------------------------------------------------------------------------------ bucket policy */

enum lk_ir_principal_kind {
    LK_IR_PRINCIPAL_ANY,     /* "Principal": "*" */
    LK_IR_PRINCIPAL_AWS,     /* {"AWS": [...]} */
    LK_IR_PRINCIPAL_SERVICE, /* {"Service": [...]} */
};

struct lk_ir_condition {
    char *op;  /* "Bool", "StringEquals", "ArnLike", "ArnNotLike", ... */
    char *key; /* "aws:SecureTransport", "aws:SourceArn", ... */
    struct lk_ir_string_list values;
};

struct lk_ir_statement {
    char *sid;
    bool allow; /* Effect: Allow or Deny */
    enum lk_ir_principal_kind principal_kind;
    struct lk_ir_string_list principals;
    struct lk_ir_string_list actions;
    struct lk_ir_string_list resources;
    struct lk_ir_condition *conditions; /* sorted by op, then key */
    size_t n_conditions;
    struct lk_ir_origin origin; /* the role list, store or source it comes from */
};

/* A policy document: a bucket policy, or a KMS key policy (whose statements name "*" as their
 * resource, the key itself). */
struct lk_ir_bucket_policy {
    bool present;
    char *version; /* "2012-10-17" */
    struct lk_ir_statement *statements;
    size_t n_statements;
};

/* ------------------------------------------------------------------------------ ownership */
/* logkeep owns the policy statements whose Sid starts with LK_IR_SID_PREFIX, and no others:
 * apply replaces those and keeps every other statement of a live bucket or key policy as it is
 * (docs/language.md, "What logkeep owns"). Sids are ASCII letters and digits (IAM JSON policy
 * elements: Sid), so the prefix is a word. */
#define LK_IR_SID_PREFIX "LogKeep"

/** @return true when a statement with @p sid (NULL: none) is logkeep's: it carries
 *  LK_IR_SID_PREFIX, or it is a Sid that logkeep wrote before it used the prefix (so that an
 *  upgrade replaces those statements instead of keeping them beside their successors). */
bool lk_ir_sid_owned(const char *sid);

/* ------------------------------------------------------------------------------ buckets */

enum lk_ir_versioning {
    LK_IR_VERSIONING_NEVER, /* no <Status>: never enabled */
    LK_IR_VERSIONING_ENABLED,
    LK_IR_VERSIONING_SUSPENDED,
};

enum lk_ir_lock_mode {
    LK_IR_LOCK_NONE, /* Object Lock enabled, but no default retention */
    LK_IR_LOCK_GOVERNANCE,
    LK_IR_LOCK_COMPLIANCE,
};

/* ------------------------------------------------------------------------------ unmodelled */
/* Live configuration the IR has no field for: the readers still read the rest, and set these
 * bits so that the drift checker says live state holds more and does not replace it unawares.
 * Live state only: desired state always holds 0 (the compiler never writes what the IR cannot
 * hold). */

/* Of a bucket (lk_ir_bucket.unmodelled). */
enum lk_ir_bucket_unmodelled {
    LK_IR_UNMODELLED_FILTER = 0x01u,                /* lifecycle filter on tags or object size */
    LK_IR_UNMODELLED_DATE = 0x02u,                  /* Expiration or Transition at a Date */
    LK_IR_UNMODELLED_NONCURRENT_TRANSITION = 0x04u, /* NoncurrentVersionTransition */
    LK_IR_UNMODELLED_NEWER_NONCURRENT = 0x08u,      /* NewerNoncurrentVersions */
    LK_IR_UNMODELLED_STORAGE_CLASS = 0x10u, /* a transition to a class the IR lacks (skipped) */
    LK_IR_UNMODELLED_MIN_SIZE = 0x20u,      /* unknown transition-minimum-size header value */
    LK_IR_UNMODELLED_ENCRYPTION = 0x40u,    /* several encryption rules, BlockedEncryptionTypes */
    /* Bucket policy features. They are still represented, so that the drift checker sees a
     * difference, with a marker that no real value can have: "NotAction:<action>",
     * "NotResource:<arn>", "NotPrincipal:<type>:<value>", "<Type>:<value>" for Federated and
     * CanonicalUser principals (as LK_IR_PRINCIPAL_AWS). */
    LK_IR_UNMODELLED_POLICY_NOT_ELEMENT = 0x80u,       /* NotPrincipal, NotAction or NotResource */
    LK_IR_UNMODELLED_POLICY_PRINCIPAL_TYPE = 0x100u,   /* Federated or CanonicalUser principals */
    LK_IR_UNMODELLED_POLICY_MIXED_PRINCIPALS = 0x200u, /* one statement with several principal
                                                        * types: split into one statement each */
};

/* The bits each part of a bucket's configuration sets (its reader replaces them). */
#define LK_IR_UNMODELLED_LIFECYCLE                                                                 \
    (LK_IR_UNMODELLED_FILTER | LK_IR_UNMODELLED_DATE | LK_IR_UNMODELLED_NONCURRENT_TRANSITION |    \
     LK_IR_UNMODELLED_NEWER_NONCURRENT | LK_IR_UNMODELLED_STORAGE_CLASS |                          \
     LK_IR_UNMODELLED_MIN_SIZE)
#define LK_IR_UNMODELLED_POLICY                                                                    \
    (LK_IR_UNMODELLED_POLICY_NOT_ELEMENT | LK_IR_UNMODELLED_POLICY_PRINCIPAL_TYPE |                \
     LK_IR_UNMODELLED_POLICY_MIXED_PRINCIPALS)

/* Of a trail (lk_ir_trail.unmodelled). */
enum lk_ir_trail_unmodelled {
    LK_IR_UNMODELLED_ADVANCED_SELECTORS = 0x1u, /* AdvancedEventSelectors in use */
};

struct lk_ir_bucket {
    char *name;
    char *region;
    char *store; /* the policy store it implements (desired state only) */
    bool exists; /* live state: HeadBucket found it */

    struct lk_ir_lifecycle lifecycle;
    struct lk_ir_bucket_policy policy;

    enum lk_ir_versioning versioning;
    bool mfa_delete;

    struct {
        bool present;
        bool block_public_acls;
        bool ignore_public_acls;
        bool block_public_policy;
        bool restrict_public_buckets;
    } public_access_block;

    struct {
        bool present;
        char *algorithm;  /* "AES256", "aws:kms", "aws:kms:dsse" */
        char *kms_key_id; /* NULL unless a KMS key is named */
        bool bucket_key_enabled;
        struct lk_ir_origin origin; /* the store's encryption, where it sets one */
    } encryption;

    struct {
        bool enabled; /* ObjectLockEnabled = Enabled */
        enum lk_ir_lock_mode mode;
        int32_t days;  /* DefaultRetention Days; 0 when Years is used or no rule */
        int32_t years; /* DefaultRetention Years; 0 when Days is used or no rule */
        struct lk_ir_origin origin; /* the store's object_lock, where it sets one */
    } object_lock;

    struct lk_ir_origin origin;            /* the store's bucket key */
    struct lk_ir_origin versioning_origin; /* versioning, or the Object Lock that forces it */
    unsigned unmodelled; /* enum lk_ir_bucket_unmodelled bits (live state only) */
    /* IDs of the live lifecycle rules whose filter is on tags or object size (sorted; live
     * state only): the drift checker compares those rules one by one. Empty while
     * LK_IR_UNMODELLED_FILTER is set means some rule does, which one unknown. */
    struct lk_ir_string_list unmodelled_filter_rule_ids;
};

/* ------------------------------------------------------------------------------ log groups */

/* The log group class (CloudWatch Logs API Reference, CreateLogGroup logGroupClass, and "Log
 * classes"). A group's class is set when it is created and never changes. */
enum lk_ir_log_group_class {
    LK_IR_LOG_CLASS_UNSET, /* not said (desired: any; live: the service did not report it) */
    LK_IR_LOG_CLASS_STANDARD,
    LK_IR_LOG_CLASS_INFREQUENT_ACCESS,
    LK_IR_LOG_CLASS_DELIVERY, /* retention is fixed at one day */
};

/** @return the API name ("STANDARD", ...), or NULL for LK_IR_LOG_CLASS_UNSET. */
const char *lk_ir_log_group_class_api(enum lk_ir_log_group_class c);
/** Parses an API name; @return false when it is not one. */
bool lk_ir_log_group_class_parse(const char *api, enum lk_ir_log_group_class *out);

struct lk_ir_log_group {
    char *name; /* exact name, or a pattern where '*' matches any run of characters */
    bool pattern;
    char *region;
    int32_t retention_days; /* an allowed CloudWatch value; 0 = never expire */
    int32_t wanted_days;    /* what the policy asked for before rounding (desired state only) */
    char *kms_key_id;       /* NULL = not set */
    /* PutLogGroupDeletionProtection: DeleteLogGroup is refused while it is on. Desired: whether
     * the policy wants it; live: as DescribeLogGroups reports it (absent: off). */
    bool deletion_protection;
    enum lk_ir_log_group_class log_group_class;
    char *source;           /* the policy source (desired state only) */
    bool exists;            /* live state */
    struct lk_ir_origin origin; /* the name or pattern in the source */
};

/* ------------------------------------------------------------------------------ trails */

struct lk_ir_data_resource {
    char *type; /* "AWS::S3::Object", "AWS::Lambda::Function", ... */
    struct lk_ir_string_list values;
};

struct lk_ir_event_selector {
    char *read_write_type; /* "All", "ReadOnly", "WriteOnly" */
    bool include_management_events;
    struct lk_ir_data_resource *data_resources;
    size_t n_data_resources;
    struct lk_ir_string_list exclude_management_event_sources;
};

struct lk_ir_trail {
    char *name;
    char *home_region;
    char *source; /* desired state only */
    bool exists;  /* live state */
    char *s3_bucket_name;
    char *s3_key_prefix; /* NULL = none; no trailing '/': CloudTrail adds it */
    bool include_global_service_events;
    bool is_multi_region_trail;
    bool enable_log_file_validation;
    char *cloud_watch_logs_log_group_arn; /* NULL = none */
    char *cloud_watch_logs_role_arn;      /* NULL = none */
    char *kms_key_id;                     /* NULL = none */
    bool is_organization_trail;
    struct lk_ir_event_selector *event_selectors;
    size_t n_event_selectors;
    bool is_logging;
    struct lk_ir_origin origin; /* the source's trail key, or the source */
    /* The keys of single settings, where the source writes them (file NULL otherwise). */
    struct {
        struct lk_ir_origin s3_bucket_name; /* the source's store */
        struct lk_ir_origin s3_key_prefix;  /* the source's prefix */
        struct lk_ir_origin include_global_service_events;
        struct lk_ir_origin is_multi_region_trail;
        struct lk_ir_origin enable_log_file_validation;
        struct lk_ir_origin is_organization_trail;
        struct lk_ir_origin kms_key_id;
        struct lk_ir_origin cloud_watch_logs; /* the cloudwatch key */
        struct lk_ir_origin event_selectors;  /* management_events, or else read_write */
    } origins;
    unsigned unmodelled; /* enum lk_ir_trail_unmodelled bits (live state only) */
};

/* ------------------------------------------------------------------------------ KMS keys */

/* A customer managed KMS key that encrypts a store or a trail. Desired state holds the key
 * policy statements logkeep needs on it (the delivering services' and the readers' grants, all
 * with LK_IR_SID_PREFIX Sids); live state holds the whole key policy (GetKeyPolicy, policy name
 * "default"). logkeep never creates keys. */
struct lk_ir_key {
    char *arn;    /* arn:<partition>:kms:<region>:<account>:key/<key-id> */
    char *region; /* from the ARN */
    bool exists;  /* live state: GetKeyPolicy answered */
    char *error;  /* live state: the AWS error code when the policy could not be read
                   * (AccessDeniedException, NotFoundException), else NULL */
    struct lk_ir_bucket_policy policy;
    struct lk_ir_string_list users; /* desired state only: the stores and trails that use the key,
                                     * as "store:<name>" and "trail:<name>" (sorted) */
    struct lk_ir_origin origin;     /* the first kms_key that names it */
};

/* ------------------------------------------------------------------------------ unmanaged stores
 */

/* A service that delivers logs to an S3 bucket, as the service reports it (live state). */
struct lk_ir_delivery {
    char *service;    /* "cloudtrail", or the source type of what import discovers:
                       * "vpc-flow-logs", "elb-access-logs", "nlb-access-logs", "config" */
    char *name;       /* the trail, flow log, load balancer or delivery channel */
    char *region;     /* the trail's home region; the Region read, for the others */
    char *key_prefix; /* S3 key prefix; NULL = none (the logs go under "AWSLogs/") */
};

/* An S3 bucket that receives logs but that no store of the policy names (live state only):
 * what it takes to tell whether anything ever deletes the logs it keeps. */
struct lk_ir_unmanaged_store {
    char *bucket;
    char *region; /* the bucket's region; NULL when it could not be read */
    bool exists;
    char *error; /* the AWS error code when the bucket could not be read (another account's
                  * bucket answers AccessDenied), else NULL; the lifecycle is then absent */
    struct lk_ir_lifecycle lifecycle;
    bool lifecycle_unmodelled;         /* the lifecycle has rules the IR cannot hold (dates, tag or
                                          size filters) */
    struct lk_ir_delivery *deliveries; /* sorted by service, region, name */
    size_t n_deliveries;
};

/* ------------------------------------------------------------------------------ coverage */
/* Whether the producers of a log type (VPCs, load balancers, web ACLs, ...) deliver where the
 * policy says (docs/language.md, "Coverage and enable"; the AWS facts: docs/source-types.md,
 * "Producers: is a source on, and turning it on"). Desired state holds coverage requirements,
 * one per producing source in each (account, Region) pair it covers; live state holds the
 * producers read in the pair. The drift checker matches one against the other. */

/* The producing log types; their names are the policy's source type names. */
enum lk_ir_producer_type {
    LK_IR_PRODUCER_VPC_FLOW_LOGS,
    LK_IR_PRODUCER_RESOLVER_QUERY_LOGS,
    LK_IR_PRODUCER_ELB,  /* Application and Classic Load Balancers */
    LK_IR_PRODUCER_NLB,  /* Network Load Balancers */
    LK_IR_PRODUCER_WAF,
    LK_IR_PRODUCER_NETWORK_FIREWALL,
    LK_IR_PRODUCER_CONFIG,
    LK_IR_PRODUCER_GUARDDUTY,
    LK_IR_PRODUCER_EKS,
    LK_IR_PRODUCER_RDS,
    LK_IR_PRODUCER_COUNT,
};

/** @return the name of @p t ("vpc-flow-logs"), or "?" out of range. */
const char *lk_ir_producer_type_name(enum lk_ir_producer_type t);
/** Parses a name of lk_ir_producer_type_name(). @return false when it is not one. */
bool lk_ir_producer_type_parse(const char *name, enum lk_ir_producer_type *out);

/* Where logs go. */
enum lk_ir_destination_kind {
    LK_IR_DEST_S3,
    LK_IR_DEST_LOGS,     /* a CloudWatch Logs log group */
    LK_IR_DEST_FIREHOSE, /* a Firehose delivery stream (live state only: never desired) */
};

/** @return "s3", "logs" or "firehose". */
const char *lk_ir_destination_kind_name(enum lk_ir_destination_kind k);
/** Parses a name of lk_ir_destination_kind_name(). */
bool lk_ir_destination_kind_parse(const char *name, enum lk_ir_destination_kind *out);

/* One destination: desired (a source's store or log group) or live (what a producer's
 * configuration names). */
struct lk_ir_destination {
    enum lk_ir_destination_kind kind;
    /* S3: arn:<partition>:s3:::<bucket>; logs: the log group's ARN
     * (arn:<partition>:logs:<region>:<account>:log-group:<name>, '*' in a pattern); firehose:
     * the stream's ARN. Live: as the service reports it (a flow log's or GuardDuty's S3 ARN with
     * its folder is split into bucket and prefix, and arn keeps the bucket's ARN). */
    char *arn;
    char *bucket; /* S3: the bucket's name; else NULL */
    char *prefix; /* S3: the folder, as a source's prefix is written ("vpcflow/"), "" for the
                   * bucket root; else NULL */
    char *log_group;   /* logs: the name, or a pattern ('*' for any run of characters) */
    bool pattern;      /* logs: log_group is a pattern (desired state only) */
    char *kms_key_arn; /* the key the service encrypts with (GuardDuty, Config), else NULL */
    /* Live only: what the configuration delivers, where the type says (else NULL). */
    char *traffic_type; /* flow logs: "ALL", "ACCEPT", "REJECT" */
    char *log_type;     /* network firewall: "ALERT", "FLOW", "TLS" */
    char *status;       /* the service's status word when it is not delivering ("FAILED",
                         * "STOPPED", "UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY", ...), else
                         * NULL */
};

/** A tag: of a live producer, or one a requirement's producers must carry. */
struct lk_ir_tag {
    char *key;
    char *value;
};

/** A producer the policy does not require to deliver, and why. */
struct lk_ir_exclusion {
    char *id;
    char *reason;
    struct lk_ir_origin origin; /* the ID's key under exclude */
};

/*
 * A coverage requirement (desired state only): the producers of @c type in the pair that
 * @c ids, @c names and @c tags select (each given selector must match; none given: every
 * producer), less @c exclusions, must deliver to every destination, with every log type.
 */
struct lk_ir_coverage {
    enum lk_ir_producer_type type;
    char *region; /* the Region whose producers must deliver: the pair's (in a policy of one
                   * account, whose one state holds every Region: each of the source's) */
    char *source; /* the policy source */
    struct lk_ir_destination *destinations; /* sorted by kind, then ARN */
    size_t n_destinations;
    struct lk_ir_string_list ids;   /* sorted, unique; empty: no ID selector */
    struct lk_ir_string_list names; /* patterns, sorted, unique; empty: no name selector */
    struct lk_ir_tag *tags;         /* sorted by key; all must match */
    size_t n_tags;
    struct lk_ir_exclusion *exclusions; /* sorted by ID */
    size_t n_exclusions;
    bool enable; /* apply may turn delivery on */
    /* What each producer delivers, where the type has kinds of logs (sorted, unique): EKS log
     * types (audit included), RDS log types (empty: the engine's main log,
     * lk_ir_rds_default_log_type()), Network Firewall "ALERT" and "FLOW". */
    struct lk_ir_string_list log_types;
    char *traffic_type; /* flow logs: "ALL"; else NULL */
    char *delivery_role_arn; /* flow logs into log groups, with enable: the role CreateFlowLogs
                              * passes (DeliverLogsPermissionArn), in the pair's account; NULL
                              * otherwise */
    struct lk_ir_origin origin;        /* the source's type */
    struct lk_ir_origin enable_origin; /* enable, where the source writes it */
    /* GuardDuty only: every account whose pair in @c region the source covers (sorted,
     * unique), so that a member exporting through its administrator is decided in its own
     * pair: covered when its administrator is one of them; empty for other types. */
    struct lk_ir_string_list accounts;
};

/** @return the RDS log type a producer of @p engine ("mysql", "aurora-postgresql", ...) exports
 *  when a source names none (docs/language.md, "Coverage and enable"), or NULL for an engine
 *  that is not RDS's or Aurora's (Neptune, DocumentDB). */
const char *lk_ir_rds_default_log_type(const char *engine);

/* A producer as AWS reports it (live state only). */
struct lk_ir_producer {
    enum lk_ir_producer_type type;
    char *region; /* the Region it was read in (a state of one account holds every Region its
                   * requirements name); NULL in a state written before producers carried one:
                   * the state's Region */
    char *id;   /* VPC ID, load balancer ARN (a Classic Load Balancer: its name), web ACL ARN,
                 * firewall ARN, recorder name, detector ID, cluster name, DB identifier */
    char *arn;  /* NULL where the type has none (VPCs are read by ID; a Classic Load Balancer) */
    char *name; /* a VPC's Name tag, the resource's name; NULL when none */
    struct lk_ir_tag *tags; /* sorted by key */
    size_t n_tags;
    struct lk_ir_destination *destinations; /* its logging configurations; sorted by kind, ARN,
                                             * prefix, log type */
    size_t n_destinations;
    struct lk_ir_string_list log_types;         /* EKS types on; RDS EnabledCloudwatchLogsExports */
    struct lk_ir_string_list pending_log_types; /* RDS PendingCloudwatchLogsExports to enable */
    bool enabled; /* logging (Config recording, an ELB's access_logs.s3.enabled, ...) is on where
                   * the type has such a switch; true where it has none */
    char *partial; /* why it delivers only part of its logs, where the configuration says so
                    * ("logging-filter", "recording-group", "no-tls-listener"), else NULL */
    char *engine;  /* RDS: Engine; else NULL */
    char *error;   /* the AWS error code when the producer's configuration could not be read
                    * (AccessDenied), else NULL */
    /* GuardDuty: the detector's administrator account (GetAdministratorAccount), read only for
     * a detector that does not itself deliver to a requirement's store; NULL when not read or
     * the account has none. An administrator's export covers its members' findings in the
     * Region (docs/source-types.md, "guardduty"). */
    char *administrator_account;
    char *administrator_status; /* relationshipStatus: "Enabled", "Invited", "Removed", ... */
};

/* ------------------------------------------------------------------------------ matching */
/* How a live producer stands against a coverage requirement of its pair (ir/coverage.c): the
 * rules the drift checker and apply share. Words as in docs/source-types.md, "Producers". */

struct lk_ir_mismatch;

enum lk_ir_coverage_status {
    LK_IR_COVERAGE_NOT_SELECTED, /* another type, or the selectors leave it out */
    LK_IR_COVERAGE_EXCLUDED,     /* selected, but excluded with a reason */
    LK_IR_COVERAGE_UNREADABLE,   /* its configuration could not be read (producer.error) */
    LK_IR_COVERAGE_DELIVERS,     /* delivers to every destination, everything the type requires */
    LK_IR_COVERAGE_PARTLY,       /* delivers there, but not everything (traffic type, log types,
                                  * a status or setting that is not delivering) */
    LK_IR_COVERAGE_ELSEWHERE,    /* delivers, but to none of the destinations: a redirect */
    LK_IR_COVERAGE_MISSING,      /* delivers nowhere */
    /* GuardDuty: not delivering itself, but a member whose administrator (relationship
     * Enabled) exports its findings: covered when the requirement covers the administrator's
     * account (whose own pair checks the export), ... */
    LK_IR_COVERAGE_ADMINISTRATOR,
    /* ... else, delivering nowhere itself, it cannot be checked from this source. */
    LK_IR_COVERAGE_ADMINISTRATOR_OUTSIDE,
};

/** @return the status's word: "not-selected", "excluded", "unreadable", "delivers", "partly",
 *  "elsewhere", "missing", "administrator", "administrator-outside". */
const char *lk_ir_coverage_status_name(enum lk_ir_coverage_status s);

/**
 * Whether @p c selects @p p: same type; its ID (or ARN) among @c ids when given; its name
 * matching one of @c names when given ('*' any run of characters; a producer without a name
 * matches none); every tag of @c tags carried with that value.
 */
bool lk_ir_coverage_selects(const struct lk_ir_coverage *c, const struct lk_ir_producer *p);

/**
 * Whether two S3 folders are one: compared without their trailing '/', NULL and "" both the
 * bucket root ("vpcflow/" and "vpcflow" are one: whether AWS keeps a trailing '/' as written is
 * unconfirmed for flow logs and Config, docs/source-types.md).
 */
bool lk_ir_same_folder(const char *a, const char *b);

/**
 * Whether live destination @p got is desired destination @p want: S3 by bucket, folder
 * (lk_ir_same_folder()) and the required KMS key; log groups by name (or pattern), the live one
 * named by its log_group or the name in its ARN; anything else by ARN.
 */
bool lk_ir_destination_matches(const struct lk_ir_destination *want,
                               const struct lk_ir_destination *got);

/** @return the exclusion of @c c naming @p p (by ID or ARN), or NULL. */
const struct lk_ir_exclusion *lk_ir_coverage_exclusion(const struct lk_ir_coverage *c,
                                                       const struct lk_ir_producer *p);

/**
 * How @p p stands against @p c.
 * @param why receives, for PARTLY, ELSEWHERE and MISSING, what is missing or where it delivers
 *        ("traffic type ACCEPT, not ALL"; "log types not on: api"); for ADMINISTRATOR and
 *        ADMINISTRATOR_OUTSIDE the administrator's account ID; may be NULL.
 */
enum lk_ir_coverage_status lk_ir_coverage_check(const struct lk_ir_coverage *c,
                                                const struct lk_ir_producer *p,
                                                struct lk_ir_mismatch *why);

/* ------------------------------------------------------------------------------ state */

struct lk_ir_state {
    struct lk_arena arena; /* owns everything below */
    char *account;
    char *region;
    char *partition; /* "aws", "aws-cn", "aws-us-gov" */
    struct lk_ir_bucket *buckets;
    size_t n_buckets;
    struct lk_ir_log_group *log_groups;
    size_t n_log_groups;
    struct lk_ir_trail *trails;
    size_t n_trails;
    struct lk_ir_key *keys; /* by ARN */
    size_t n_keys;
    bool unmanaged_set;
    int32_t unmanaged_retention_days; /* allowed CloudWatch value; 0 = never expire */
    /* Live state only: buckets that receive logs but that no desired bucket names, by bucket
     * name (lk_live_read() with discover_stores). */
    struct lk_ir_unmanaged_store *unmanaged_stores;
    size_t n_unmanaged_stores;
    struct lk_ir_origin unmanaged_origin; /* the unmanaged section's delete_after, or the
                                           * section, when the policy has one */
    /* Desired state only: the coverage requirements of the pair (by region, type, source). */
    struct lk_ir_coverage *coverages;
    size_t n_coverages;
    /* Live state only: the producers read in the pair (by Region, type, then ID). */
    struct lk_ir_producer *producers;
    size_t n_producers;
    /* Live state only: the Regions whose producers were read (sorted, unique), so that a
     * Region with none of a type (no recorder) is told from one not read; empty in a state
     * written before producers carried a Region: its producers are its Region's. */
    struct lk_ir_string_list producer_regions;
};

/* ------------------------------------------------------------------------------ scope */

struct lk_artifacts;

/* One (account, Region) pair of a policy's scope: its desired state (or live state, read back
 * from an organisation snapshot) and, when compiled, the artifacts that pair's calls send, with
 * the paths a single-account compile gives them ("s3/<bucket>/lifecycle.xml"). */
struct lk_ir_pair {
    char *account_name;             /* the policy's name for the account (the ID when unnamed) */
    char *account;                  /* twelve digits */
    char *region;
    struct lk_ir_state *state;      /* owned; state->account and state->region are the pair's */
    struct lk_artifacts *artifacts; /* owned; NULL when not emitted */
};

/* Every pair of a policy's scope, sorted by account ID, then Region. A single-account policy is
 * one pair (multi false) whose state and artifacts are exactly what lk_compile() gives. */
struct lk_ir_scope {
    struct lk_arena arena; /* owns the pair array and its strings (not the states) */
    bool multi;            /* the policy declares accounts: artifacts go under
                            * <account-name>/<region>/ and reports name each pair */
    char *organization_id; /* "o-...", or NULL */
    struct lk_ir_pair *pairs;
    size_t n_pairs, cap_pairs;
};

/** @return a new, empty scope. Free it with lk_ir_scope_free(). */
struct lk_ir_scope *lk_ir_scope_new(void);
/** Frees the scope, its states and artifacts. NULL is a no-op. */
void lk_ir_scope_free(struct lk_ir_scope *scope);
/** Appends a pair; takes @p state (and @p artifacts, may be NULL); the strings are copied.
 *  @return the pair (valid until the next add). */
struct lk_ir_pair *lk_ir_scope_add(struct lk_ir_scope *scope, const char *account_name,
                                   const char *account, const char *region,
                                   struct lk_ir_state *state, struct lk_artifacts *artifacts);
/** Sorts the pairs by account ID, then Region. */
void lk_ir_scope_sort(struct lk_ir_scope *scope);
/** @return the pair of (@p account, @p region), or NULL. */
struct lk_ir_pair *lk_ir_scope_find(const struct lk_ir_scope *scope, const char *account,
                                    const char *region);

/** @return a new, empty state. Free it with lk_ir_state_free(). */
struct lk_ir_state *lk_ir_state_new(void);
void lk_ir_state_free(struct lk_ir_state *state);

/** Sorts every array of @p state into the canonical order described above. */
void lk_ir_canonicalize(struct lk_ir_state *state);

/* ------------------------------------------------------------------------------ order */
/* The canonical order, as qsort() comparators over elements of the arrays above (each takes
 * pointers to two elements). A NULL string sorts before every string, "" included, except where
 * noted, so that an incomplete state still has one order. lk_ir_canonicalize() sorts with them,
 * and so does everything else that writes IR arrays in canonical order (state_json.c). */

/** NULL-safe strcmp(): NULL before every string. */
int lk_ir_strcmp(const char *a, const char *b);
/** Elements of a string list (char *). */
int lk_ir_cmp_string(const void *a, const void *b);
/** Transitions: by days, then storage class. */
int lk_ir_cmp_transition(const void *a, const void *b);
/** Lifecycle rules: by ID. */
int lk_ir_cmp_rule(const void *a, const void *b);
/** Statements: by Sid, a missing Sid as "". */
int lk_ir_cmp_statement(const void *a, const void *b);
/** Conditions: by operator, then key. */
int lk_ir_cmp_condition(const void *a, const void *b);
/** Buckets: by name. */
int lk_ir_cmp_bucket(const void *a, const void *b);
/** Log groups: by region (a missing region as ""), then name. */
int lk_ir_cmp_log_group(const void *a, const void *b);
/** Trails: by name. */
int lk_ir_cmp_trail(const void *a, const void *b);
/** KMS keys: by ARN. */
int lk_ir_cmp_key(const void *a, const void *b);
/** Data resources: by type. */
int lk_ir_cmp_data_resource(const void *a, const void *b);
/** Unmanaged stores: by bucket. */
int lk_ir_cmp_store(const void *a, const void *b);
/** Deliveries: by service, region, then name. */
int lk_ir_cmp_delivery(const void *a, const void *b);
/** Coverage requirements: by region (a missing region as ""), type, then source. */
int lk_ir_cmp_coverage(const void *a, const void *b);
/** Producers: by Region (none first), type, then ID. */
int lk_ir_cmp_producer(const void *a, const void *b);
/** Destinations: by kind, ARN, prefix, log group, then log type. */
int lk_ir_cmp_destination(const void *a, const void *b);
/** Tags: by key, then value. */
int lk_ir_cmp_tag(const void *a, const void *b);
/** Exclusions: by ID. */
int lk_ir_cmp_exclusion(const void *a, const void *b);

/* ------------------------------------------------------------------------------ equality */
/* Whether two IR values hold the same configuration, and where they first differ. Arrays are
 * compared element by element, so both values must be in canonical order (lk_ir_canonicalize(),
 * or as the parsers and the compiler produce them). A piece of configuration that is absent on
 * both sides (present false: lifecycle, bucket policy, public access block, encryption) is equal
 * whatever its other fields hold. */

/* Flags of the lk_ir_*_equal() functions. */
/* Skip what only desired state has: lifecycle rule sources, a bucket's store, a log group's
 * source, pattern flag and wanted days, a trail's source, the coverage requirements. */
#define LK_IR_EQ_SKIP_DESIRED_ONLY 0x1u
/* Skip what only live state has: the exists flags, the unmodelled bits and rule IDs, the
 * unmanaged stores and the producers. */
#define LK_IR_EQ_SKIP_LIVE_ONLY 0x2u
/* Desired against live: the configuration both sides carry. */
#define LK_IR_EQ_CONFIGURATION (LK_IR_EQ_SKIP_DESIRED_ONLY | LK_IR_EQ_SKIP_LIVE_ONLY)

/** Where two values differ: the path of the first field that does, as state documents name it,
 *  and both values ("lifecycle.rules[0].expiration_days: 30 vs 60"). */
struct lk_ir_mismatch {
    char text[512];
};

/**
 * @param flags LK_IR_EQ_* bits.
 * @param why receives the first difference (may be NULL); left "" when equal.
 * @return true when @p a and @p b are equal.
 */
bool lk_ir_state_equal(const struct lk_ir_state *a, const struct lk_ir_state *b, unsigned flags,
                       struct lk_ir_mismatch *why);
/** lk_ir_state_equal() of two buckets (name and region included). */
bool lk_ir_bucket_equal(const struct lk_ir_bucket *a, const struct lk_ir_bucket *b, unsigned flags,
                        struct lk_ir_mismatch *why);
/** lk_ir_state_equal() of two lifecycle configurations. */
bool lk_ir_lifecycle_equal(const struct lk_ir_lifecycle *a, const struct lk_ir_lifecycle *b,
                           unsigned flags, struct lk_ir_mismatch *why);
/** lk_ir_state_equal() of two bucket policies. */
bool lk_ir_policy_equal(const struct lk_ir_bucket_policy *a, const struct lk_ir_bucket_policy *b,
                        unsigned flags, struct lk_ir_mismatch *why);
/** lk_ir_state_equal() of two log groups. */
bool lk_ir_log_group_equal(const struct lk_ir_log_group *a, const struct lk_ir_log_group *b,
                           unsigned flags, struct lk_ir_mismatch *why);
/** lk_ir_state_equal() of two KMS keys (ARN, region and policy). */
bool lk_ir_key_equal(const struct lk_ir_key *a, const struct lk_ir_key *b, unsigned flags,
                     struct lk_ir_mismatch *why);
/** lk_ir_state_equal() of two trails (settings, event selectors and logging state). */
bool lk_ir_trail_equal(const struct lk_ir_trail *a, const struct lk_ir_trail *b, unsigned flags,
                       struct lk_ir_mismatch *why);
/** lk_ir_state_equal() of two coverage requirements (origins are not compared). */
bool lk_ir_coverage_equal(const struct lk_ir_coverage *a, const struct lk_ir_coverage *b,
                          unsigned flags, struct lk_ir_mismatch *why);
/** lk_ir_state_equal() of two producers. */
bool lk_ir_producer_equal(const struct lk_ir_producer *a, const struct lk_ir_producer *b,
                          unsigned flags, struct lk_ir_mismatch *why);

/* Helpers to build IR values in a state's arena. */
char *lk_ir_strdup(struct lk_ir_state *state, const char *s);
char *lk_ir_strndup(struct lk_ir_state *state, const char *s, size_t len);
char *lk_ir_printf(struct lk_ir_state *state, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/** @return the @p n parts one after the other, NUL-terminated, in the state's arena: what
 *  lk_ir_printf() of "%s%s..." gives, without parsing a format (lowering builds an ARN or two
 *  per source). */
char *lk_ir_cat(struct lk_ir_state *state, const struct lk_str *parts, size_t n);
/** Appends a copy of @p s to @p list (arena-backed, grows by copying). */
void lk_ir_list_add(struct lk_ir_state *state, struct lk_ir_string_list *list, const char *s);
/**
 * Appends @p s itself, not a copy, to @p list.
 * @param s a string already in @p state's arena (lk_ir_printf(), lk_ir_strdup()); IR strings are
 *        never changed in place, so two lists may share it.
 */
void lk_ir_list_push(struct lk_ir_state *state, struct lk_ir_string_list *list, char *s);
/**
 * For a list that lk_ir_list_sort_unique() sorts before use (the statements of a policy, the
 * sources of a lifecycle rule): appends a copy of @p s unless it equals the last item, which
 * sort_unique would drop anyway. Lowering adds the same account or ARN once per source of a
 * store; this keeps one copy where it would keep one per source.
 */
void lk_ir_list_add_set(struct lk_ir_state *state, struct lk_ir_string_list *list, const char *s);
/** Sorts a string list bytewise and removes duplicates. */
void lk_ir_list_sort_unique(struct lk_ir_string_list *list);

/**
 * Until lk_ir_intern_end(), in the calling thread, lk_ir_intern(), lk_ir_list_add() and
 * lk_ir_list_add_set() on @p state keep one copy of each distinct string: lowering adds the same
 * actions, condition keys, service names and ARNs to the statements of every bucket. IR strings
 * are never changed in place, so they may be shared. One state at a time; not nested.
 */
void lk_ir_intern_begin(struct lk_ir_state *state);
/** Ends lk_ir_intern_begin() and frees its table (the strings stay in the state's arena). */
void lk_ir_intern_end(void);
/** @return @p s in @p state's arena: the copy made before while interning holds for @p state,
 *          else a new copy (lk_ir_strdup()). */
char *lk_ir_intern(struct lk_ir_state *state, const char *s);

#endif
