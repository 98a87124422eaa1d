/*
 * logkeep runtime: apply, turning a diff of desired against live state into AWS write calls.
 *
 * lk_apply_plan_build() maps each change of a diff (runtime/diff/diff.h) to the write call that fixes
 * it, so a resource whose live state already matches gets no call at all and a second apply
 * makes none. Calls are sent in a safe order:
 *
 *   0. KMS key policies (PutKeyPolicy), before anything that checks them: CloudTrail checks the
 *      key policy of a trail's KmsKeyId, CloudWatch Logs that of an associated key;
 *   1. buckets: CreateBucket for missing ones (Object Lock enabled at creation when the store
 *      asks for it), then PutPublicAccessBlock, PutBucketEncryption, PutBucketVersioning before
 *      PutObjectLockConfiguration (Object Lock needs versioning), PutBucketPolicy before
 *      PutBucketLifecycleConfiguration and before any trail (CloudTrail checks the bucket
 *      policy when a trail is created or updated);
 *   2. log groups: CreateLogGroup for missing exact names, PutRetentionPolicy on exact names, on
 *      every live group a pattern governs and on every group only the unmanaged rule governs
 *      (LK_DIFF_UNMANAGED_LOG_GROUP changes: the rule's retention), DeleteRetentionPolicy only
 *      when the policy keeps forever (never on a group of the DELIVERY class, whose retention is
 *      fixed at one day), PutLogGroupDeletionProtection (on, never off) and AssociateKmsKey.
 *      Before trails because CreateTrail checks that a
 *      CloudWatch Logs group it delivers to exists;
 *   3. trails: CreateTrail or UpdateTrail, PutEventSelectors, StartLogging/StopLogging;
 *   4. producers (lk_apply_plan_build_coverage(), runtime/apply_coverage.c): delivery turned on
 *      for the producers a source with `enable: true` selects, after the buckets, bucket
 *      policies and log groups they deliver to, grouped per Region.
 *
 * Payloads are the compiler's artifacts (compiler/emit.h), sent as they are. Nothing here
 * deletes a bucket, a log group, a trail or log data.
 *
 * The guards (lk_apply_missing_allows(), lk_apply_check_lockout()) only read; the caller runs
 * them before lk_apply_execute().
 */
#ifndef LK_APPLY_H
#define LK_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/result.h"
#include "runtime/transport/client.h"
#include "runtime/diff/diff.h"
#include "ir/artifact.h"
#include "ir/ir.h"

enum lk_apply_op {
    LK_APPLY_CREATE_BUCKET,
    LK_APPLY_PUT_PUBLIC_ACCESS_BLOCK,
    LK_APPLY_PUT_ENCRYPTION,
    LK_APPLY_PUT_VERSIONING,
    LK_APPLY_PUT_OBJECT_LOCK,
    LK_APPLY_PUT_BUCKET_POLICY,
    LK_APPLY_DELETE_BUCKET_POLICY,
    LK_APPLY_PUT_LIFECYCLE,
    LK_APPLY_DELETE_LIFECYCLE,
    LK_APPLY_CREATE_LOG_GROUP,
    LK_APPLY_PUT_RETENTION,
    LK_APPLY_DELETE_RETENTION,
    LK_APPLY_CREATE_TRAIL,
    LK_APPLY_UPDATE_TRAIL,
    LK_APPLY_PUT_EVENT_SELECTORS,
    LK_APPLY_START_LOGGING,
    LK_APPLY_STOP_LOGGING,
    LK_APPLY_PUT_KEY_POLICY,          /* a merge: see lk_apply_execute() */
    LK_APPLY_PUT_DELETION_PROTECTION, /* PutLogGroupDeletionProtection, always "on" */
    LK_APPLY_ASSOCIATE_KMS_KEY,       /* AssociateKmsKey */
    /* Producers (runtime/apply_coverage.c): each turns delivery on, never off. */
    LK_APPLY_CREATE_FLOW_LOGS,              /* CreateFlowLogs, one VPC */
    LK_APPLY_CREATE_QUERY_LOG_CONFIG,       /* CreateResolverQueryLogConfig, unless one with
                                             * the destination exists (then it is used) */
    LK_APPLY_ASSOCIATE_QUERY_LOG_CONFIG,    /* AssociateResolverQueryLogConfig, one VPC */
    LK_APPLY_ENABLE_ACCESS_LOGS,            /* ModifyLoadBalancerAttributes access_logs.s3.* */
    LK_APPLY_PUT_WAF_LOGGING,               /* PutLoggingConfiguration */
    LK_APPLY_UPDATE_FIREWALL_LOGGING,       /* UpdateLoggingConfiguration, once per change */
    LK_APPLY_PUT_DELIVERY_CHANNEL,          /* PutDeliveryChannel (Config) */
    LK_APPLY_START_RECORDER,                /* StartConfigurationRecorder */
    LK_APPLY_CREATE_PUBLISHING_DESTINATION, /* CreatePublishingDestination (GuardDuty) */
    LK_APPLY_UPDATE_PUBLISHING_DESTINATION, /* UpdatePublishingDestination (GuardDuty), a
                                             * redirect */
    LK_APPLY_ENABLE_CLUSTER_LOGGING,        /* UpdateClusterConfig logging (EKS) */
    LK_APPLY_MODIFY_DB_INSTANCE,            /* ModifyDBInstance log exports */
    LK_APPLY_MODIFY_DB_CLUSTER,             /* ModifyDBCluster log exports */
};

enum lk_apply_status {
    LK_APPLY_PENDING, /* not made (yet) */
    LK_APPLY_DONE,    /* AWS answered 2xx */
    LK_APPLY_FAILED,  /* the call that stopped the apply */
};

/** One write call. Every pointer is borrowed from the desired state or the artifacts. */
struct lk_apply_step {
    enum lk_apply_op op;
    const char *name;   /* bucket, log group or trail */
    const char *region; /* where to send it; NULL: the client's region */
    const struct lk_ir_bucket *bucket;  /* desired bucket (bucket steps) */
    const struct lk_ir_trail *trail;    /* desired trail (trail steps) */
    const struct lk_artifact *artifact; /* payload (S3 puts, trail sections), or NULL */
    int32_t retention_days;             /* PutRetentionPolicy */
    const char *kms_key_id;             /* CreateLogGroup, AssociateKmsKey */
    enum lk_ir_log_group_class log_group_class; /* CreateLogGroup (UNSET: not sent) */
    const struct lk_ir_key *key;                /* desired key (PutKeyPolicy; name = the key ARN) */
    /* Producer steps (name = the producer's ID; a query-log configuration's: its name). */
    const struct lk_ir_coverage *coverage;        /* the requirement (desired state) */
    const struct lk_ir_producer *producer;        /* as read (live state); NULL for a
                                                   * query-log configuration */
    const struct lk_ir_destination *destination;  /* the requirement's destination it turns
                                                   * on (flow logs, Resolver, ELB, WAF, Network
                                                   * Firewall, Config, GuardDuty) */
    struct lk_ir_string_list log_types;           /* the types turned on (plan's arena):
                                                   * EKS, RDS, Network Firewall */
    size_t config_step;                           /* an association: the index of its
                                                   * CREATE_QUERY_LOG_CONFIG step */
    char *result;                                 /* plan's arena: what the call made (the
                                                   * query-log configuration's ID), or NULL */
    enum lk_apply_status status;
};

struct lk_apply_plan {
    struct lk_apply_step *steps; /* owned (heap), in execution order */
    size_t n;
    size_t cap;
    char *caller_arn;     /* owned (heap): the caller, read with GetCallerIdentity before the
                           * first key policy is merged (NULL until then) */
    char *caller_account; /* owned (heap), as caller_arn */
    struct lk_arena arena; /* owns the producer steps' strings and lists */
};

void lk_apply_plan_init(struct lk_apply_plan *plan);
/** Frees the steps; the plan may be initialised again. NULL is allowed. */
void lk_apply_plan_free(struct lk_apply_plan *plan);

/** @return the AWS operation name of @p op ("PutBucketPolicy"). */
const char *lk_apply_op_name(enum lk_apply_op op);

/**
 * Builds the calls that turn live into desired, from the changes of @p diff
 * (lk_diff_states() of @p desired against live, and lk_diff_log_groups_unmanaged()). Changes
 * apply cannot act on (a bucket in another region, a trail's home region, MFA delete, notes,
 * unmanaged stores) make no call.
 * @param desired the desired state the diff was made from; must outlive @p out.
 * @param artifacts lk_emit_all() of @p desired; must outlive @p out.
 * @param out an initialised plan; steps are appended in the safe order above.
 * @return LK_STATUS_OK, or LK_STATUS_INVALID_ARGUMENT when an argument is NULL.
 */
LK_MUST_CHECK enum lk_status lk_apply_plan_build(const struct lk_ir_state *desired,
                                                 const struct lk_diff *diff,
                                                 const struct lk_artifacts *artifacts,
                                                 struct lk_apply_plan *out);

/**
 * Appends the producer steps (runtime/apply_coverage.c): for each LK_DIFF_PRODUCER change of
 * @p diff (lk_diff_coverage()) whose requirement in @p desired has `enable`, the call that turns
 * delivery on for the producer @p live holds, after the steps already in @p out, sorted by
 * Region (then by operation, then name). Nothing is turned off, no log type or destination
 * removed:
 *   - a change without `enable` (drift only), an excluded or unreadable producer, a missing
 *     recorder or detector (logkeep creates neither) make no call;
 *   - a producer delivering elsewhere (data_loss, --allow redirect:<id>) gets its call, which the
 *     allow guard (lk_apply_missing_allows()) refuses without the allowance; WAF and ELB
 *     replace their one destination only then, Network Firewall changes a log type's
 *     destination only then (a partial firewall gets only the log types it lacks), a Config
 *     channel is replaced only then, keeping its SNS topic and frequency; a GuardDuty export
 *     elsewhere is reported, not redirected (that needs UpdatePublishingDestination);
 *   - RDS and EKS add the missing log types; flow logs add a flow log with traffic type ALL.
 * A data-loss producer change that gets no call needs no allowance: its data_loss and
 * allow_name are cleared in @p diff, so the guard asks only for what apply would do.
 * @param live the live state the diff was made from (its producers); must outlive @p out.
 * @return LK_STATUS_OK, or LK_STATUS_INVALID_ARGUMENT when an argument is NULL.
 */
LK_MUST_CHECK enum lk_status lk_apply_plan_build_coverage(const struct lk_ir_state *desired,
                                                          const struct lk_ir_state *live,
                                                          struct lk_diff *diff,
                                                          struct lk_apply_plan *out);

/**
 * What a step does beyond its call, for the plan to say: "modifies the database: log exports,
 * applied immediately, no restart" (RDS), NULL for most steps.
 */
const char *lk_apply_step_effect(const struct lk_apply_step *step);

/**
 * Sends the steps in order and stops at the first failure.
 *
 * A PutKeyPolicy step merges: it reads the key policy again (GetKeyPolicy), drops the
 * statements logkeep owns (lk_ir_sid_owned()), keeps every other statement exactly as it is,
 * adds the desired statements (the kms/<key-id>/key-policy.json artifact, else the desired key's
 * statements), and refuses (LK_STATUS_REFUSED, err code "logkeep.KeyPolicyLockout", nothing
 * sent) a result that no longer lets the caller (its principal ARN, or its account's root) call
 * kms:PutKeyPolicy without a condition; KMS's own lockout safety check stays on
 * (BypassPolicyLockoutSafetyCheck false).
 * @param on_step called after each call (may be NULL), for progress output.
 * @param err receives the failed call's AWS error (caller clears); must be empty on entry.
 * @return LK_STATUS_OK when every step is DONE; the failed call's status (err->status:
 *         LK_STATUS_AWS when AWS answered with an error, LK_STATUS_NETWORK or LK_STATUS_TIMEOUT
 *         when no answer came, ...) with one step FAILED, the earlier ones DONE and the later
 *         ones PENDING; LK_STATUS_INVALID_ARGUMENT when an argument is NULL.
 */
LK_MUST_CHECK enum lk_status
lk_apply_execute(struct lk_aws_client *client, struct lk_apply_plan *plan,
                 void (*on_step)(void *ctx, const struct lk_apply_step *step), void *ctx,
                 struct lk_aws_error *err);

/** Writes one line per step: "  done     PutBucketPolicy acme-logs", "failed", "not made". */
void lk_apply_report(const struct lk_apply_plan *plan, FILE *f);

/**
 * Counts the data-loss changes of @p diff whose allow name is not in @p allow, and writes
 * "  --allow NAME" for each (once per name) to @p f (may be NULL).
 * @return the number of distinct names missing.
 */
size_t lk_apply_missing_allows(const struct lk_diff *diff, const char *const *allow,
                               size_t n_allow, FILE *f);

/**
 * The IAM principal ARN of the caller ARN STS reports: an assumed-role session
 * arn:PART:sts::A:assumed-role/R/S becomes arn:PART:iam::A:role/R; other ARNs are returned as
 * they are. Heap string (free()); NULL only if the result would not fit its buffer, which is
 * sized from @p caller_arn so that it always does.
 */
char *lk_apply_principal_arn(const char *caller_arn);

/* "Bucket policies are limited to 20 KB in size." (S3 User Guide, "Bucket policies for Amazon
 * S3"). */
#define LK_APPLY_POLICY_MAX_BYTES 20480

/**
 * The bucket policy apply puts: the live document @p live with every statement logkeep owns
 * (lk_ir_sid_owned()) dropped and every other statement kept as it is, in its order, followed
 * by the statements of the compiled document @p compiled; the compiled "Version", the live "Id".
 * PutBucketPolicy replaces the whole document, so this is what keeps statements logkeep did not
 * write.
 * @param live the live document (GetBucketPolicy), or NULL when the bucket has none.
 * @param compiled s3/<bucket>/policy.json, or NULL when the policy wants no statements.
 * @param out receives the merged document (heap, free()), unformatted; NULL when no statement
 *        is left (the bucket's policy is to be deleted).
 * @param n_foreign receives the number of foreign statements kept.
 * @param why receives the reason of a failure.
 * @return LK_STATUS_OK; LK_STATUS_MALFORMED when a document is not a JSON object;
 *         LK_STATUS_TOO_LARGE when the merge passes LK_APPLY_POLICY_MAX_BYTES.
 */
LK_MUST_CHECK enum lk_status lk_apply_merge_policy(const char *live, const char *compiled,
                                                   size_t compiled_len, char **out,
                                                   size_t *n_foreign, char *why, size_t why_len);

/* The prefix of the buckets AWS Control Tower creates and manages (its log archive and access
 * logging buckets, "aws-controltower-logs-<account>-<region>", ...). */
#define LK_APPLY_CONTROL_TOWER_PREFIX "aws-controltower-"

/**
 * The Control Tower guard, on the desired state alone so that it runs before any call: a
 * bucket whose name starts with LK_APPLY_CONTROL_TOWER_PREFIX is touched only with
 * "control-tower:<bucket>" in @p allow (changing what Control Tower set up drifts its landing
 * zone).
 * @param msg receives the reason and the allow names missing.
 * @return true when apply may go on.
 */
bool lk_apply_check_control_tower(const struct lk_ir_state *desired, const char *const *allow,
                                  size_t n_allow, char *msg, size_t len);

/**
 * The MFA delete guard: a lifecycle call (Put or Delete) for a bucket whose live versioning has
 * MFA delete enabled is refused, since S3 does not support lifecycle configuration on such
 * buckets.
 * @param live the live state the plan was made from.
 * @param msg receives the reason.
 * @return true when the plan may go on.
 */
bool lk_apply_check_mfa_delete(const struct lk_apply_plan *plan, const struct lk_ir_state *live,
                               char *msg, size_t len);

/**
 * The lock-out guard: for every desired bucket whose policy denies changes to everyone but its
 * admins (a Deny on "*" covering s3:PutBucketPolicy, with an ArnNotLike/ArnNotEquals/
 * StringNotLike/StringNotEquals condition on aws:PrincipalArn), checks that the caller's
 * principal ARN (lk_apply_principal_arn()) matches one of the admin ARNs ('*' and '?'
 * wildcards for the Like operators).
 * @param msg receives the reason when the caller would be locked out.
 * @return true when applying the policies keeps the caller able to change them.
 */
bool lk_apply_check_lockout(const struct lk_ir_state *desired, const char *caller_arn, char *msg,
                            size_t len);

#endif
