/*
 * logkeep runtime: the least-privilege IAM identity policies (see iam_policy.h).
 *
 * The operations logkeep calls and the IAM action each needs. Sources: the Service Authorization
 * Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html,
 * list_amazoncloudwatchlogs.html, list_awscloudtrail.html, list_awskeymanagementservice.html,
 * list_awsorganizations.html) and each API's "Permissions" text:
 *
 *   operation (runtime/services/)         IAM action                          resource
 *   S3 HeadBucket                         s3:ListBucket                       bucket
 *   S3 GetBucketLocation                  s3:GetBucketLocation                bucket
 *   S3 GetBucketLifecycleConfiguration    s3:GetLifecycleConfiguration        bucket
 *   S3 GetBucketPolicy                    s3:GetBucketPolicy                  bucket
 *   S3 GetBucketVersioning                s3:GetBucketVersioning              bucket
 *   S3 GetObjectLockConfiguration         s3:GetBucketObjectLockConfiguration bucket
 *   S3 GetPublicAccessBlock               s3:GetBucketPublicAccessBlock       bucket
 *   S3 GetBucketEncryption                s3:GetEncryptionConfiguration       bucket
 *   S3 ListObjectVersions (plan, apply:   s3:ListBucketVersions               bucket
 *      the data-loss guard, session.c)
 *   S3 CreateBucket                       s3:CreateBucket                     bucket
 *      with x-amz-bucket-object-lock-enabled also s3:PutBucketObjectLockConfiguration and
 *      s3:PutBucketVersioning (CreateBucket, "Permissions",
 *      https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html)
 *   S3 PutBucketLifecycleConfiguration,   s3:PutLifecycleConfiguration        bucket
 *      DeleteBucketLifecycle (API_DeleteBucketLifecycle.html, "Permissions")
 *   S3 PutBucketPolicy / DeleteBucketPolicy  s3:PutBucketPolicy / s3:DeleteBucketPolicy
 *   S3 PutBucketVersioning                s3:PutBucketVersioning              bucket
 *   S3 PutObjectLockConfiguration         s3:PutBucketObjectLockConfiguration bucket
 *   S3 PutPublicAccessBlock               s3:PutBucketPublicAccessBlock       bucket
 *   S3 PutBucketEncryption                s3:PutEncryptionConfiguration       bucket
 *   Logs DescribeLogGroups                logs:DescribeLogGroups              log-group:* (1)
 *   Logs CreateLogGroup, PutRetentionPolicy, DeleteRetentionPolicy, AssociateKmsKey,
 *      PutLogGroupDeletionProtection      logs:<operation> ("CloudWatch Logs permissions
 *      reference",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/permissions-reference-cwl.html: "use the
 * logs: prefix followed by the API operation name")          log group (2) CloudTrail
 * DescribeTrails             cloudtrail:DescribeTrails           "*" (3) CloudTrail GetTrail,
 * GetTrailStatus, GetEventSelectors, CreateTrail, UpdateTrail, PutEventSelectors, StartLogging,
 * StopLogging   cloudtrail:<operation>   trail CloudTrail CreateTrail/UpdateTrail with
 * CloudWatchLogsRoleArn: iam:PassRole on that role, iam:PassedToService cloudtrail.amazonaws.com
 * (the AWSCloudTrail_FullAccess managed policy,
 *      https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCloudTrail_FullAccess.html;
 *      "Grant a user permissions to pass a role to an AWS service",
 *      https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html)
 *   an organisation trail additionally: iam:GetRole and iam:CreateServiceLinkedRole on the
 *      CloudTrail service-linked role, organizations:DescribeOrganization and
 *      organizations:ListAWSServiceAccessForOrganization ("Prepare for creating a trail for
 *      your organization",
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-an-organizational-trail-prepare.html)
 *   KMS GetKeyPolicy / PutKeyPolicy       kms:GetKeyPolicy / kms:PutKeyPolicy key
 *   Organizations DescribeOrganization, ListRoots, ListAccounts   organizations:<op>  "*" (3)
 *   Organizations ListOrganizationalUnitsForParent, ListAccountsForParent  root and OU ARNs
 *   STS GetCallerIdentity                 none ("No permissions are required to perform this
 *      operation", https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)
 *   STS AssumeRole (organisation runs)    sts:AssumeRole                      the role
 *
 * (1) A listing is not a request on one log group: the CloudWatch Logs "Overview of managing
 *     access permissions" page gives log-group ARNs, and the listing is authorised on the
 *     account's log groups of the Region, so its resource is arn:...:log-group:* per Region.
 * (2) Both ARN forms of each exact name or pattern, with and without the trailing ":*" (the
 *     "Overview of managing access permissions" page uses both); a pattern that ends in a star
 *     covers both already.
 * (3) The Service Authorization Reference lists no resource type for these actions: "If there
 *     is no value for this column, you must specify all resources ("*")".
 *
 * Reads of buckets that only a trail listed by drift names (unmanaged stores) are granted for
 * the buckets the policy's own trails deliver to; any other is not the policy's resource, and
 * the reader records a refusal as that store's error.
 *
 * Coverage of producing sources (runtime/coverage.c reads, the enable calls of
 * runtime/services/), from the Service Authorization Reference pages list_amazonec2.html,
 * list_awselasticloadbalancingv2.html, list_amazonroute53resolver.html, list_awswafv2.html,
 * list_awsnetworkfirewall.html, list_awsconfig.html, list_amazonguardduty.html,
 * list_amazonelastickubernetesservice.html and list_amazonrds.html ("Actions", "Resource types":
 * "If there is no value for this column, you must specify all resources ("*")"):
 *
 *   read (plan, drift)                                      resource type: ARN
 *   ec2:DescribeVpcs, ec2:DescribeFlowLogs                  none: "*"
 *   elasticloadbalancing:DescribeLoadBalancers,
 *      DescribeLoadBalancerAttributes                       none: "*"
 *   elasticloadbalancing:DescribeTags, only for a balancer  "*" (the ARNs go in the request,
 *      source with a tags selector (coverage.c reads tags   20 a call: ELBv2 API Reference,
 *      then only)                                           API_DescribeTags.html; like the
 *                                                           other Describe actions)
 *   (RDS TagList and EKS tags come with DescribeDBInstances / DescribeDBClusters and
 *    DescribeCluster: no action of their own)
 *   route53resolver:ListResolverQueryLogConfigs,            resolver-query-log-config*:
 *      ListResolverQueryLogConfigAssociations               arn:${Partition}:route53resolver:
 *                                                           ${Region}:${Account}:resolver-query-
 *                                                           log-config/ and a star (every ID)
 *   wafv2:ListWebACLs, ListLoggingConfigurations            none: "*"
 *   wafv2:ListTagsForResource, only for a source with a     webacl: ...:regional/webacl/${Name}/
 *      tags selector (API_ListTagsForResource.html)         ${Id} (CloudFront's: global/webacl)
 *   network-firewall:ListFirewalls                          none: "*"
 *   network-firewall:DescribeLoggingConfiguration           firewall*: ...:firewall/${Name}
 *   network-firewall:DescribeFirewall, only for a source    firewall*: ...:firewall/${Name}
 *      with a tags selector (its Tags: API_DescribeFirewall.html)
 *   config:DescribeConfigurationRecorders,
 *      DescribeConfigurationRecorderStatus,
 *      DescribeDeliveryChannels                             none: "*"
 *   guardduty:ListDetectors                                 none: "*"
 *   guardduty:ListPublishingDestinations                    detector*: ...:detector/${DetectorId}
 *   guardduty:DescribePublishingDestination                 detector*, publishingDestination*:
 *                                                           ...:detector/${DetectorId}/
 *                                                           publishingDestination/${Id}
 *   guardduty:GetAdministratorAccount, only for a detector  detector*: ...:detector/${DetectorId}
 *      not delivering to the store itself
 *   eks:ListClusters                                        none: "*"
 *   eks:DescribeCluster                                     cluster*: ...:cluster/${ClusterName}
 *   rds:DescribeDBInstances, DescribeDBClusters             "*" (4)
 *
 *   write (apply, only for sources with enable: true)
 *   ec2:CreateFlowLogs                                      vpc-flow-log*: ...:vpc-flow-log/${Id},
 *                                                           and the VPCs: ...:vpc/${VpcId}
 *      to S3 also logs:CreateLogDelivery, logs:DeleteLogDelivery (VPC User Guide, "Publish flow
 *      logs to Amazon S3", https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3.html);
 *      to CloudWatch Logs iam:PassRole on the delivery role ("Publish flow logs to CloudWatch
 *      Logs", https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-cwl.html; the
 *      Reference lists iam:PassRole as a dependent action of ec2:CreateFlowLogs)
 *   route53resolver:CreateResolverQueryLogConfig,           resolver-query-log-config* (the ID
 *      AssociateResolverQueryLogConfig                      is AWS's: every ID)
 *   elasticloadbalancing:ModifyLoadBalancerAttributes       loadbalancer/app/${Name}/${Id},
 *                                                           loadbalancer/net/${Name}/${Id}
 *   wafv2:PutLoggingConfiguration                           webacl*: ...:${Scope}/webacl/${Name}/
 *                                                           ${Id}, Scope regional or global (the
 *                                                           CloudFront web ACLs, in us-east-1)
 *   network-firewall:UpdateLoggingConfiguration             firewall*
 *   config:PutDeliveryChannel, StartConfigurationRecorder   "*" (4)
 *   guardduty:CreatePublishingDestination                   detector*; the Reference lists
 *      s3:GetObject and s3:ListBucket as its dependent actions: on the destination bucket and
 *      its prefix
 *   guardduty:UpdatePublishingDestination (a redirect)      its resource type unconfirmed
 *      (detector or publishing destination): the pattern detector/ and a star matches both
 *   eks:UpdateClusterConfig                                 cluster*
 *   rds:ModifyDBInstance / ModifyDBCluster                  db*: ...:db:${DbInstanceName} /
 *                                                           cluster*: ...:cluster:${DbClusterId}
 *   log delivery (CloudWatch Logs User Guide, "Enabling logging from AWS services",
 *      https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html):
 *      logs:CreateLogDelivery for Route 53 Resolver query logs and Network Load Balancer access
 *      logs; WAF adds logs:DeleteLogDelivery ("Permissions required to publish logs to Amazon
 *      S3", https://docs.aws.amazon.com/waf/latest/developerguide/logging-s3.html); Network
 *      Firewall logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery,
 *      ListLogDeliveries ("Permissions to configure AWS Network Firewall logging",
 *      https://docs.aws.amazon.com/network-firewall/latest/developerguide/firewall-logging-permissions.html);
 *      the log delivery actions take no resource type: "*". To a log group the first time
 *      logs:PutResourcePolicy and logs:DescribeResourcePolicies ("*": no resource type). The
 *      bucket policy statements the delivery needs are the store's (emitted by logkeep), so
 *      s3:PutBucketPolicy is not needed for delivery ("you can create the resource policies
 *      yourself, and then the users who set up the sending of logs do not need as many
 *      permissions", same page).
 *
 * (4) A listing of every database of the Region, and Config's account-wide recorder and
 *     channel: "*". For the RDS listings older versions of the Reference list no resource
 *     type; "*" is right whether or not a current one scopes them to db:* and cluster:*.
 * Producers are selected at run time (tags, Name tags), so resources are the type's ARNs in
 * each pair's account and Region; a requirement that selects by ID (or by name, where the name
 * is part of the ARN) narrows the write resources to those. No WAF Firehose destination is
 * desired, so iam:CreateServiceLinkedRole (the Reference's dependent action of
 * wafv2:PutLoggingConfiguration, for Firehose) is not needed.
 */
#include "config.h"

#include "runtime/iam_policy.h"

#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/array.h"
#include "common/buf.h"
#include "common/escape.h"
#include "ir/ir.h"

/* ------------------------------------------------------------------------------ string sets */

struct s_set {
    char **items; /* owned (heap), each owned */
    size_t n, cap;
};

static void s_add(struct s_set *s, const char *v)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->items[i], v))
            return;
    LK_ARRAY_GROW(s->items, s->n, s->cap);
    s->items[s->n++] = lk_xstrdup(v);
}

static void s_addf(struct s_set *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void s_addf(struct s_set *s, const char *fmt, ...)
{
    struct lk_buf b;
    lk_buf_init(&b, 0);
    va_list ap;
    va_start(ap, fmt);
    lk_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    s_add(s, lk_buf_cstr(&b));
    lk_buf_free(&b);
}

static int s_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void s_set_free(struct s_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->items[i]);
    free(s->items);
    memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------------------------ statements */

/* The statements, in output order. Each has one Sid and one action list; resources gather. */
enum s_sid {
    S_S3_READ,
    S_S3_WRITE,
    S_S3_TRAIL_BUCKETS,
    S_LOGS_LIST,
    S_LOGS_WRITE,
    S_LOGS_UNMANAGED,
    S_TRAILS_LIST,
    S_TRAILS_READ,
    S_TRAILS_WRITE,
    S_TRAILS_PASS_ROLE,
    S_ORG_TRAIL_ROLE,
    S_ORG_TRAIL_LINKED_ROLE,
    S_ORG_TRAIL_ORGANIZATIONS,
    S_KEYS_READ,
    S_KEYS_WRITE,
    S_COV_LIST,
    S_COV_RESOLVER_READ,
    S_COV_FIREWALLS_READ,
    S_COV_FIREWALL_TAGS_READ,
    S_COV_WEB_ACL_TAGS_READ,
    S_COV_DETECTORS_READ,
    S_COV_CLUSTERS_READ,
    S_EN_FLOW_LOGS,
    S_EN_FLOW_LOGS_PASS_ROLE,
    S_EN_RESOLVER,
    S_EN_LOAD_BALANCERS,
    S_EN_WEB_ACLS,
    S_EN_FIREWALLS,
    S_EN_CONFIG,
    S_EN_DETECTORS,
    S_EN_DETECTORS_BUCKET,
    S_EN_CLUSTERS,
    S_EN_DATABASES,
    S_EN_LOG_DELIVERY,
    S_EN_LOG_RESOURCE_POLICY,
    S_ORGS_LIST,
    S_ORGS_PARENTS,
    S_COUNT
};

struct s_stmt_def {
    const char *sid;
    bool write; /* only for LK_IAM_FOR_APPLY */
    const char *actions[12];
    const char *cond_op, *cond_key, *cond_value; /* one condition, or NULL */
    bool dynamic; /* the actions are the document's (s_doc.actions), not @c actions */
};

static const struct s_stmt_def s_defs[S_COUNT] = {
    [S_S3_READ] = {"LogKeepS3Read",
                   false,
                   {"s3:GetBucketLocation", "s3:GetBucketObjectLockConfiguration",
                    "s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock", "s3:GetBucketVersioning",
                    "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration",
                    "s3:ListBucket", "s3:ListBucketVersions"}},
    [S_S3_WRITE] = {"LogKeepS3Write",
                    true,
                    {"s3:CreateBucket", "s3:DeleteBucketPolicy",
                     "s3:PutBucketObjectLockConfiguration", "s3:PutBucketPolicy",
                     "s3:PutBucketPublicAccessBlock", "s3:PutBucketVersioning",
                     "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration"}},
    /* drift and snapshot read the lifecycle of the bucket a trail delivers to when the pair
     * does not manage it (an organisation trail's archive in another account: live.c, unmanaged
     * stores). Another account's bucket answers only if its bucket policy allows it too. */
    [S_S3_TRAIL_BUCKETS] = {"LogKeepS3TrailBucketsRead",
                            false,
                            {"s3:GetBucketLocation", "s3:GetLifecycleConfiguration",
                             "s3:ListBucket"}},
    [S_LOGS_LIST] = {"LogKeepLogsList", false, {"logs:DescribeLogGroups"}},
    [S_LOGS_WRITE] = {"LogKeepLogsWrite",
                      true,
                      {"logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:DeleteRetentionPolicy",
                       "logs:PutLogGroupDeletionProtection", "logs:PutRetentionPolicy"}},
    /* The unmanaged rule sets the retention of every log group no source governs: which ones
     * is known only when apply lists them, so the resource is every log group of the Region. */
    [S_LOGS_UNMANAGED] = {"LogKeepLogsUnmanaged", true, {"logs:PutRetentionPolicy"}},
    [S_TRAILS_LIST] = {"LogKeepTrailsList", false, {"cloudtrail:DescribeTrails"}},
    [S_TRAILS_READ] = {"LogKeepTrailsRead",
                       false,
                       {"cloudtrail:GetEventSelectors", "cloudtrail:GetTrail",
                        "cloudtrail:GetTrailStatus"}},
    [S_TRAILS_WRITE] = {"LogKeepTrailsWrite",
                        true,
                        {"cloudtrail:CreateTrail", "cloudtrail:PutEventSelectors",
                         "cloudtrail:StartLogging", "cloudtrail:StopLogging",
                         "cloudtrail:UpdateTrail"}},
    [S_TRAILS_PASS_ROLE] = {"LogKeepTrailsPassRole",
                            true,
                            {"iam:PassRole"},
                            "StringEquals",
                            "iam:PassedToService",
                            "cloudtrail.amazonaws.com"},
    [S_ORG_TRAIL_ROLE] = {"LogKeepOrganizationTrailRole", true, {"iam:GetRole"}},
    [S_ORG_TRAIL_LINKED_ROLE] = {"LogKeepOrganizationTrailLinkedRole",
                                 true,
                                 {"iam:CreateServiceLinkedRole"},
                                 "StringEquals",
                                 "iam:AWSServiceName",
                                 "cloudtrail.amazonaws.com"},
    [S_ORG_TRAIL_ORGANIZATIONS] = {"LogKeepOrganizationTrailOrganizations",
                                   true,
                                   {"organizations:DescribeOrganization",
                                    "organizations:ListAWSServiceAccessForOrganization"}},
    [S_KEYS_READ] = {"LogKeepKeysRead", false, {"kms:GetKeyPolicy"}},
    [S_KEYS_WRITE] = {"LogKeepKeysWrite", true, {"kms:PutKeyPolicy"}},
    /* Coverage reads (runtime/coverage.c): the listings that take no resource type, gathered
     * per producer type the policy requires coverage for. */
    [S_COV_LIST] = {.sid = "LogKeepCoverageList", .write = false, .dynamic = true},
    [S_COV_RESOLVER_READ] = {.sid = "LogKeepCoverageResolverRead",
                             .write = false,
                             .actions = {"route53resolver:ListResolverQueryLogConfigAssociations",
                                         "route53resolver:ListResolverQueryLogConfigs"}},
    [S_COV_FIREWALLS_READ] = {.sid = "LogKeepCoverageFirewallsRead",
                              .write = false,
                              .actions = {"network-firewall:DescribeLoggingConfiguration"}},
    /* Only for a network-firewall source with a tags selector (runtime/coverage.c). */
    [S_COV_FIREWALL_TAGS_READ] = {.sid = "LogKeepCoverageFirewallTagsRead",
                                  .write = false,
                                  .actions = {"network-firewall:DescribeFirewall"}},
    /* Only for a waf source with a tags selector (runtime/coverage.c). */
    [S_COV_WEB_ACL_TAGS_READ] = {.sid = "LogKeepCoverageWebAclTagsRead",
                                 .write = false,
                                 .actions = {"wafv2:ListTagsForResource"}},
    [S_COV_DETECTORS_READ] = {.sid = "LogKeepCoverageDetectorsRead",
                              .write = false,
                              .actions = {"guardduty:DescribePublishingDestination",
                                          "guardduty:GetAdministratorAccount",
                                          "guardduty:ListPublishingDestinations"}},
    [S_COV_CLUSTERS_READ] = {.sid = "LogKeepCoverageClustersRead",
                             .write = false,
                             .actions = {"eks:DescribeCluster"}},
    /* Enable (apply, sources with enable: true): the write calls of runtime/services/. */
    [S_EN_FLOW_LOGS] = {.sid = "LogKeepEnableFlowLogs",
                        .write = true,
                        .actions = {"ec2:CreateFlowLogs"}},
    [S_EN_FLOW_LOGS_PASS_ROLE] = {.sid = "LogKeepEnableFlowLogsPassRole",
                                  .write = true,
                                  .actions = {"iam:PassRole"}},
    [S_EN_RESOLVER] = {.sid = "LogKeepEnableResolverQueryLogs",
                       .write = true,
                       .actions = {"route53resolver:AssociateResolverQueryLogConfig",
                                   "route53resolver:CreateResolverQueryLogConfig"}},
    [S_EN_LOAD_BALANCERS] = {.sid = "LogKeepEnableLoadBalancers",
                             .write = true,
                             .actions = {"elasticloadbalancing:ModifyLoadBalancerAttributes"}},
    [S_EN_WEB_ACLS] = {.sid = "LogKeepEnableWebAcls",
                       .write = true,
                       .actions = {"wafv2:PutLoggingConfiguration"}},
    [S_EN_FIREWALLS] = {.sid = "LogKeepEnableFirewalls",
                        .write = true,
                        .actions = {"network-firewall:UpdateLoggingConfiguration"}},
    [S_EN_CONFIG] = {.sid = "LogKeepEnableConfig",
                     .write = true,
                     .actions = {"config:PutDeliveryChannel", "config:StartConfigurationRecorder"}},
    [S_EN_DETECTORS] = {.sid = "LogKeepEnableDetectors",
                        .write = true,
                        .actions = {"guardduty:CreatePublishingDestination",
                                    "guardduty:UpdatePublishingDestination"}},
    [S_EN_DETECTORS_BUCKET] = {.sid = "LogKeepEnableDetectorsBucketCheck",
                               .write = true,
                               .actions = {"s3:GetObject", "s3:ListBucket"}},
    [S_EN_CLUSTERS] = {.sid = "LogKeepEnableClusters",
                       .write = true,
                       .actions = {"eks:UpdateClusterConfig"}},
    [S_EN_DATABASES] = {.sid = "LogKeepEnableDatabases",
                        .write = true,
                        .actions = {"rds:ModifyDBCluster", "rds:ModifyDBInstance"}},
    [S_EN_LOG_DELIVERY] = {.sid = "LogKeepEnableLogDelivery", .write = true, .dynamic = true},
    [S_EN_LOG_RESOURCE_POLICY] = {.sid = "LogKeepEnableLogGroupDelivery",
                                  .write = true,
                                  .actions = {"logs:DescribeResourcePolicies",
                                              "logs:PutResourcePolicy"}},
    [S_ORGS_LIST] = {"LogKeepOrganizationsList",
                     false,
                     {"organizations:DescribeOrganization", "organizations:ListAccounts",
                      "organizations:ListRoots"}},
    [S_ORGS_PARENTS] = {"LogKeepOrganizationsParents",
                        false,
                        {"organizations:ListAccountsForParent",
                         "organizations:ListOrganizationalUnitsForParent"}},
};

struct s_doc {
    struct s_set resources[S_COUNT];
    struct s_set actions[S_COUNT]; /* of the dynamic statements */
    bool apply;
};

static void s_res(struct s_doc *d, enum s_sid sid, const char *arn)
{
    if (s_defs[sid].write && !d->apply)
        return;
    s_add(&d->resources[sid], arn);
}

static void s_addf_res(struct s_doc *d, enum s_sid sid, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void s_addf_res(struct s_doc *d, enum s_sid sid, const char *fmt, ...)
{
    struct lk_buf b;
    lk_buf_init(&b, 0);
    va_list ap;
    va_start(ap, fmt);
    lk_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    s_res(d, sid, lk_buf_cstr(&b));
    lk_buf_free(&b);
}

static const char *s_or(const char *a, const char *b)
{
    return a && *a ? a : b;
}

static void s_add_coverage(struct s_doc *d, const struct lk_ir_coverage *c, const char *p,
                           const char *acct, const char *region);

/* The resources of one pair's desired state. */
static void s_add_state(struct s_doc *d, const struct lk_ir_state *st, const char *pair_account,
                        const char *pair_region)
{
    const char *p = s_or(st->partition, "aws");
    const char *acct = s_or(st->account, pair_account);
    const char *home = s_or(st->region, pair_region);
    struct lk_buf b;
    lk_buf_init(&b, 0);
#define ARN(...) (lk_buf_reset(&b), lk_buf_printf(&b, __VA_ARGS__), lk_buf_cstr(&b))

    for (size_t i = 0; i < st->n_buckets; i++) {
        const char *arn = ARN("arn:%s:s3:::%s", p, st->buckets[i].name);
        s_res(d, S_S3_READ, arn);
        s_res(d, S_S3_WRITE, arn);
    }

    /* The listings: every Region a log group names, and the home Region (drift and snapshot
     * discover unmanaged log groups there; plan and apply when the unmanaged rule is set). */
    if (home)
        s_res(d, S_LOGS_LIST, ARN("arn:%s:logs:%s:%s:log-group:*", p, home, acct));
    if (st->unmanaged_set && home)
        s_res(d, S_LOGS_UNMANAGED, ARN("arn:%s:logs:%s:%s:log-group:*", p, home, acct));
    for (size_t i = 0; i < st->n_log_groups; i++) {
        const struct lk_ir_log_group *g = &st->log_groups[i];
        const char *r = s_or(g->region, home);
        s_res(d, S_LOGS_LIST, ARN("arn:%s:logs:%s:%s:log-group:*", p, r, acct));
        if (st->unmanaged_set)
            s_res(d, S_LOGS_UNMANAGED, ARN("arn:%s:logs:%s:%s:log-group:*", p, r, acct));
        s_res(d, S_LOGS_WRITE, ARN("arn:%s:logs:%s:%s:log-group:%s", p, r, acct, g->name));
        size_t len = strlen(g->name);
        if (!g->pattern || len == 0 || g->name[len - 1] != '*')
            s_res(d, S_LOGS_WRITE, ARN("arn:%s:logs:%s:%s:log-group:%s:*", p, r, acct, g->name));
    }

    /* DescribeTrails: drift and snapshot list the trails of the home Region and of each trail's
     * home Region; the action takes no resource type (see above). */
    if (home)
        s_res(d, S_TRAILS_LIST, "*");
    for (size_t i = 0; i < st->n_trails; i++) {
        const struct lk_ir_trail *t = &st->trails[i];
        const char *r = s_or(t->home_region, home);
        const char *arn = ARN("arn:%s:cloudtrail:%s:%s:trail/%s", p, r, acct, t->name);
        s_res(d, S_TRAILS_READ, arn);
        s_res(d, S_TRAILS_WRITE, arn);
        bool managed = !t->s3_bucket_name;
        for (size_t k = 0; k < st->n_buckets && !managed; k++)
            managed = !strcmp(st->buckets[k].name, t->s3_bucket_name);
        if (!managed)
            s_res(d, S_S3_TRAIL_BUCKETS, ARN("arn:%s:s3:::%s", p, t->s3_bucket_name));
        if (t->cloud_watch_logs_role_arn)
            s_res(d, S_TRAILS_PASS_ROLE, t->cloud_watch_logs_role_arn);
        if (t->is_organization_trail) {
            /* The CloudTrail service-linked role ("Using service-linked roles for
             * CloudTrail",
             * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/using-service-linked-roles.html).
             */
            const char *slr = ARN("arn:%s:iam::%s:role/aws-service-role/cloudtrail.amazonaws.com/"
                                  "AWSServiceRoleForCloudTrail",
                                  p, acct);
            s_res(d, S_ORG_TRAIL_ROLE, slr);
            s_res(d, S_ORG_TRAIL_LINKED_ROLE, slr);
            s_res(d, S_ORG_TRAIL_ORGANIZATIONS, "*");
        }
    }

    for (size_t i = 0; i < st->n_keys; i++) {
        s_res(d, S_KEYS_READ, st->keys[i].arn);
        s_res(d, S_KEYS_WRITE, st->keys[i].arn);
    }
#undef ARN
    lk_buf_free(&b);

    /* A source with coverage: false has no requirement: it needs nothing here. */
    for (size_t i = 0; i < st->n_coverages; i++) {
        const struct lk_ir_coverage *c = &st->coverages[i];
        const char *r = s_or(c->region, home);
        if (r)
            s_add_coverage(d, c, p, acct, r);
    }
}

/* ------------------------------------------------------------------------------ coverage */

/* A read action of a producer type: into the listing statement ("*": see the table above). */
static void s_list_action(struct s_doc *d, const char *action)
{
    s_add(&d->actions[S_COV_LIST], action);
    s_add(&d->resources[S_COV_LIST], "*");
}

/* A log delivery action (enable only) on "*": the CloudWatch Logs log delivery actions take no
 * resource type (Service Authorization Reference, CloudWatch Logs). */
static void s_delivery_action(struct s_doc *d, const char *action)
{
    if (!d->apply)
        return;
    s_add(&d->actions[S_EN_LOG_DELIVERY], action);
    s_add(&d->resources[S_EN_LOG_DELIVERY], "*");
}

static bool s_has_kind(const struct lk_ir_coverage *c, enum lk_ir_destination_kind kind)
{
    for (size_t i = 0; i < c->n_destinations; i++)
        if (c->destinations[i].kind == kind)
            return true;
    return false;
}

/*
 * The producers apply may change for an enable requirement, as resources of @p sid: @p base is
 * the ARN of the type up to the name ("arn:aws:eks:eu-west-1:111122223333:cluster/"), @p suffix
 * what follows a name in the ARN ("/" and a star where an ID follows it). The requirement's IDs
 * when it selects by ID (ARNs of this account and Region as given, other IDs as names), else its
 * name patterns when @p by_name (the name is part of the ARN), else every producer of the type.
 */
static void s_targets(struct s_doc *d, enum s_sid sid, const struct lk_ir_coverage *c,
                      const char *base, const char *suffix, bool by_name, bool ids_are_arns)
{
    /* "arn:<partition>:<service>:<region>:<account>:": an ID ARN must start so. */
    size_t head = 0;
    for (int colons = 0; base[head] && colons < 5; head++)
        colons += base[head] == ':';
    if (c->ids.n) {
        for (size_t i = 0; i < c->ids.n; i++) {
            const char *id = c->ids.items[i];
            if (!strncmp(id, "arn:", 4)) {
                if (!strncmp(id, base, head))
                    s_res(d, sid, id);
            } else if (!ids_are_arns) {
                s_addf_res(d, sid, "%s%s%s", base, id, suffix);
            }
        }
        return;
    }
    if (by_name && c->names.n) {
        for (size_t i = 0; i < c->names.n; i++)
            s_addf_res(d, sid, "%s%s%s", base, c->names.items[i], suffix);
        return;
    }
    s_addf_res(d, sid, "%s*", base);
}

/*
 * The actions of one coverage requirement in (@p acct, @p region). Reads for every requirement
 * (plan and drift read the producers of each); writes only for one with enable, in the apply
 * document. Actions, resource types and ARN formats: the table at the top of this file.
 */
static void s_add_coverage(struct s_doc *d, const struct lk_ir_coverage *c, const char *p,
                           const char *acct, const char *region)
{
    struct lk_buf b;
    lk_buf_init(&b, 0);
#define ARN(...) (lk_buf_reset(&b), lk_buf_printf(&b, __VA_ARGS__), lk_buf_cstr(&b))
    bool en = c->enable && d->apply;
    bool to_s3 = s_has_kind(c, LK_IR_DEST_S3), to_logs = s_has_kind(c, LK_IR_DEST_LOGS);
    switch (c->type) {
    case LK_IR_PRODUCER_VPC_FLOW_LOGS:
        s_list_action(d, "ec2:DescribeFlowLogs");
        s_list_action(d, "ec2:DescribeVpcs");
        if (!en)
            break;
        s_res(d, S_EN_FLOW_LOGS, ARN("arn:%s:ec2:%s:%s:vpc-flow-log/*", p, region, acct));
        s_targets(d, S_EN_FLOW_LOGS, c, ARN("arn:%s:ec2:%s:%s:vpc/", p, region, acct), "", false,
                  false);
        if (to_s3) {
            s_delivery_action(d, "logs:CreateLogDelivery");
            s_delivery_action(d, "logs:DeleteLogDelivery");
        }
        if (to_logs && c->delivery_role_arn)
            s_res(d, S_EN_FLOW_LOGS_PASS_ROLE, c->delivery_role_arn);
        break;
    case LK_IR_PRODUCER_RESOLVER_QUERY_LOGS:
        s_list_action(d, "ec2:DescribeVpcs");
        s_res(d, S_COV_RESOLVER_READ,
              ARN("arn:%s:route53resolver:%s:%s:resolver-query-log-config/*", p, region, acct));
        if (!en)
            break;
        s_res(d, S_EN_RESOLVER,
              ARN("arn:%s:route53resolver:%s:%s:resolver-query-log-config/*", p, region, acct));
        s_delivery_action(d, "logs:CreateLogDelivery");
        if (to_logs)
            s_res(d, S_EN_LOG_RESOURCE_POLICY, "*");
        break;
    case LK_IR_PRODUCER_ELB:
    case LK_IR_PRODUCER_NLB: {
        bool nlb = c->type == LK_IR_PRODUCER_NLB;
        s_list_action(d, "elasticloadbalancing:DescribeLoadBalancerAttributes");
        s_list_action(d, "elasticloadbalancing:DescribeLoadBalancers");
        /* Tags are read only for a tags selector (runtime/coverage.c). */
        if (c->n_tags > 0)
            s_list_action(d, "elasticloadbalancing:DescribeTags");
        if (!en)
            break;
        s_targets(d, S_EN_LOAD_BALANCERS, c,
                  ARN("arn:%s:elasticloadbalancing:%s:%s:loadbalancer/%s/", p, region, acct,
                      nlb ? "net" : "app"),
                  "/*", true, true);
        /* Network Load Balancers deliver through the log delivery service. */
        if (nlb)
            s_delivery_action(d, "logs:CreateLogDelivery");
        break;
    }
    case LK_IR_PRODUCER_WAF:
        s_list_action(d, "wafv2:ListLoggingConfigurations");
        s_list_action(d, "wafv2:ListWebACLs");
        /* Tags only for a tags selector: ListTagsForResource on the web ACLs (regional; and
         * CloudFront's, read through us-east-1). */
        if (c->n_tags > 0) {
            s_res(d, S_COV_WEB_ACL_TAGS_READ,
                  ARN("arn:%s:wafv2:%s:%s:regional/webacl/*", p, region, acct));
            if (!strcmp(region, "us-east-1"))
                s_res(d, S_COV_WEB_ACL_TAGS_READ,
                      ARN("arn:%s:wafv2:%s:%s:global/webacl/*", p, region, acct));
        }
        if (!en)
            break;
        s_targets(d, S_EN_WEB_ACLS, c, ARN("arn:%s:wafv2:%s:%s:regional/webacl/", p, region, acct),
                  "/*", true, true);
        /* CloudFront's web ACLs are read and changed through us-east-1 (ListWebACLs). */
        if (!strcmp(region, "us-east-1"))
            s_targets(d, S_EN_WEB_ACLS, c,
                      ARN("arn:%s:wafv2:%s:%s:global/webacl/", p, region, acct), "/*", true, true);
        s_delivery_action(d, "logs:CreateLogDelivery");
        s_delivery_action(d, "logs:DeleteLogDelivery");
        if (to_logs)
            s_res(d, S_EN_LOG_RESOURCE_POLICY, "*");
        break;
    case LK_IR_PRODUCER_NETWORK_FIREWALL:
        s_list_action(d, "network-firewall:ListFirewalls");
        s_res(d, S_COV_FIREWALLS_READ,
              ARN("arn:%s:network-firewall:%s:%s:firewall/*", p, region, acct));
        if (c->n_tags > 0)
            s_res(d, S_COV_FIREWALL_TAGS_READ,
                  ARN("arn:%s:network-firewall:%s:%s:firewall/*", p, region, acct));
        if (!en)
            break;
        s_targets(d, S_EN_FIREWALLS, c,
                  ARN("arn:%s:network-firewall:%s:%s:firewall/", p, region, acct), "", true, true);
        s_delivery_action(d, "logs:CreateLogDelivery");
        s_delivery_action(d, "logs:DeleteLogDelivery");
        s_delivery_action(d, "logs:GetLogDelivery");
        s_delivery_action(d, "logs:ListLogDeliveries");
        s_delivery_action(d, "logs:UpdateLogDelivery");
        if (to_logs)
            s_res(d, S_EN_LOG_RESOURCE_POLICY, "*");
        break;
    case LK_IR_PRODUCER_CONFIG:
        s_list_action(d, "config:DescribeConfigurationRecorderStatus");
        s_list_action(d, "config:DescribeConfigurationRecorders");
        s_list_action(d, "config:DescribeDeliveryChannels");
        if (en)
            s_res(d, S_EN_CONFIG, "*");
        break;
    case LK_IR_PRODUCER_GUARDDUTY:
        s_list_action(d, "guardduty:ListDetectors");
        /* The pattern detector/ and a star also matches the destinations,
         * detector/<id>/publishingDestination/<id>. */
        s_res(d, S_COV_DETECTORS_READ, ARN("arn:%s:guardduty:%s:%s:detector/*", p, region, acct));
        if (!en)
            break;
        s_res(d, S_EN_DETECTORS, ARN("arn:%s:guardduty:%s:%s:detector/*", p, region, acct));
        for (size_t i = 0; i < c->n_destinations; i++) {
            const struct lk_ir_destination *dst = &c->destinations[i];
            if (dst->kind != LK_IR_DEST_S3 || !dst->bucket)
                continue;
            s_res(d, S_EN_DETECTORS_BUCKET, ARN("arn:%s:s3:::%s", p, dst->bucket));
            s_res(d, S_EN_DETECTORS_BUCKET,
                  ARN("arn:%s:s3:::%s/%s*", p, dst->bucket, dst->prefix ? dst->prefix : ""));
        }
        break;
    case LK_IR_PRODUCER_EKS:
        s_list_action(d, "eks:ListClusters");
        s_res(d, S_COV_CLUSTERS_READ, ARN("arn:%s:eks:%s:%s:cluster/*", p, region, acct));
        if (en)
            s_targets(d, S_EN_CLUSTERS, c, ARN("arn:%s:eks:%s:%s:cluster/", p, region, acct), "",
                      true, false);
        break;
    case LK_IR_PRODUCER_RDS:
        s_list_action(d, "rds:DescribeDBClusters");
        s_list_action(d, "rds:DescribeDBInstances");
        if (!en)
            break;
        /* An identifier names an instance or a cluster: both ARN forms. */
        s_targets(d, S_EN_DATABASES, c, ARN("arn:%s:rds:%s:%s:db:", p, region, acct), "", true,
                  false);
        s_targets(d, S_EN_DATABASES, c, ARN("arn:%s:rds:%s:%s:cluster:", p, region, acct), "", true,
                  false);
        break;
    case LK_IR_PRODUCER_COUNT:
        break;
    }
#undef ARN
    lk_buf_free(&b);
}

static void s_put_list(struct lk_buf *b, const char *member, const char *const *items, size_t n)
{
    lk_buf_printf(b, "      \"%s\": [\n", member);
    for (size_t i = 0; i < n; i++) {
        lk_buf_puts(b, "        ");
        lk_json_escape(b, items[i]);
        lk_buf_puts(b, i + 1 < n ? ",\n" : "\n");
    }
    lk_buf_puts(b, "      ]");
}

/* Prints the statements that have resources, each with sorted actions and resources. */
static char *s_render(struct s_doc *d)
{
    struct lk_buf b;
    lk_buf_init(&b, 0);
    lk_buf_puts(&b, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [");
    bool first = true;
    for (int i = 0; i < S_COUNT; i++) {
        struct s_set *r = &d->resources[i];
        if (!r->n)
            continue;
        const struct s_stmt_def *def = &s_defs[i];
        const char *const *actions = def->actions;
        size_t n_actions = 0;
        if (def->dynamic) {
            struct s_set *a = &d->actions[i];
            qsort(a->items, a->n, sizeof(*a->items), s_cmp);
            actions = (const char *const *)a->items;
            n_actions = a->n;
        } else {
            while (n_actions < sizeof(def->actions) / sizeof(def->actions[0]) &&
                   def->actions[n_actions])
                n_actions++;
        }
        qsort(r->items, r->n, sizeof(*r->items), s_cmp);
        lk_buf_puts(&b, first ? "\n" : ",\n");
        first = false;
        lk_buf_printf(&b, "    {\n      \"Sid\": \"%s\",\n      \"Effect\": \"Allow\",\n",
                      def->sid);
        s_put_list(&b, "Action", actions, n_actions);
        lk_buf_puts(&b, ",\n");
        s_put_list(&b, "Resource", (const char *const *)r->items, r->n);
        if (def->cond_op)
            lk_buf_printf(&b,
                          ",\n      \"Condition\": {\n        \"%s\": {\n          \"%s\": \"%s\"\n"
                          "        }\n      }",
                          def->cond_op, def->cond_key, def->cond_value);
        lk_buf_puts(&b, "\n    }");
    }
    lk_buf_puts(&b, first ? "]\n}\n" : "\n  ]\n}\n");
    char *out = lk_xstrdup(lk_buf_cstr(&b));
    lk_buf_free(&b);
    for (int i = 0; i < S_COUNT; i++) {
        s_set_free(&d->resources[i]);
        s_set_free(&d->actions[i]);
    }
    return out;
}

char *lk_iam_policy_account_json(const struct lk_ir_scope *scope, const char *account,
                                 const struct lk_iam_policy_options *opts)
{
    struct s_doc d;
    memset(&d, 0, sizeof(d));
    d.apply = opts->purpose == LK_IAM_FOR_APPLY;
    const char *partition = "aws";
    for (size_t i = 0; i < scope->n_pairs; i++) {
        const struct lk_ir_pair *pair = &scope->pairs[i];
        if (account && (!pair->account || strcmp(pair->account, account) != 0))
            continue;
        if (!pair->state)
            continue;
        partition = s_or(pair->state->partition, partition);
        s_add_state(&d, pair->state, pair->account, pair->region);
    }
    if (opts->organizations_reader && account) {
        /* `logkeep resolve`: DescribeOrganization, ListRoots and ListAccounts take no resource
         * type; the per-parent listings are scoped to the organisation's root and OUs
         * (Service Authorization Reference, AWS Organizations, resource types "root" and
         * "organizationalunit": arn:${Partition}:organizations::${Account}:root/o-.../r-...). */
        const char *org = s_or(opts->organization_id, "o-*");
        s_add(&d.resources[S_ORGS_LIST], "*");
        s_addf(&d.resources[S_ORGS_PARENTS], "arn:%s:organizations::%s:root/%s/r-*", partition,
               account, org);
        s_addf(&d.resources[S_ORGS_PARENTS], "arn:%s:organizations::%s:ou/%s/ou-*", partition,
               account, org);
    }
    return s_render(&d);
}

char *lk_iam_policy_caller_json(const char *const *role_arns, size_t n_role_arns)
{
    struct s_set roles = {0};
    for (size_t i = 0; i < n_role_arns; i++)
        s_add(&roles, role_arns[i]);
    qsort(roles.items, roles.n, sizeof(*roles.items), s_cmp);
    struct lk_buf b;
    lk_buf_init(&b, 0);
    lk_buf_puts(&b, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [");
    if (roles.n) {
        static const char *const actions[] = {"sts:AssumeRole"};
        lk_buf_puts(&b, "\n    {\n      \"Sid\": \"LogKeepAssumeRoles\",\n"
                        "      \"Effect\": \"Allow\",\n");
        s_put_list(&b, "Action", actions, 1);
        lk_buf_puts(&b, ",\n");
        s_put_list(&b, "Resource", (const char *const *)roles.items, roles.n);
        lk_buf_puts(&b, "\n    }\n  ");
    }
    lk_buf_puts(&b, "]\n}\n");
    char *out = lk_xstrdup(lk_buf_cstr(&b));
    lk_buf_free(&b);
    s_set_free(&roles);
    return out;
}
