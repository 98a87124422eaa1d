/*
 * logkeep: the source-type catalogue, as the language sees it.
 *
 * Each entry says where a service can deliver its logs. Sources of the facts:
 * - CloudTrail to S3 (and to CloudWatch Logs through the trail's CloudWatchLogsLogGroupArn):
 *   CloudTrail User Guide, "Creating a trail"; CreateTrail API reference.
 * - VPC Flow Logs to S3 or CloudWatch Logs: Amazon VPC User Guide, "Publish flow logs".
 * - Route 53 Resolver query logs to S3 or CloudWatch Logs (or Firehose): Route 53 Developer
 *   Guide, "Resolver query logging".
 * - ALB and Classic Load Balancer access logs to S3 only, SSE-S3 buckets only: Elastic Load
 *   Balancing User Guide, "Access logs for your Application Load Balancer".
 * - Network Load Balancer access logs to S3 only, delivered by delivery.logs.amazonaws.com:
 *   "Access logs for your Network Load Balancer".
 * - AWS WAF logs to S3 or CloudWatch Logs, with bucket and log group names starting
 *   "aws-waf-logs-": AWS WAF Developer Guide, "Logging destinations".
 * - Network Firewall logs to S3 or CloudWatch Logs: AWS Network Firewall Developer Guide,
 *   "Logging network traffic".
 * - AWS Config delivery channel to S3: AWS Config Developer Guide, "Delivery channel".
 * - GuardDuty findings export to S3: Amazon GuardDuty User Guide, "Exporting findings".
 * - EKS control plane logs to CloudWatch Logs, /aws/eks/<cluster>/cluster: Amazon EKS User
 *   Guide, "Control plane logging".
 * - RDS and Aurora log exports to CloudWatch Logs, /aws/rds/...: Amazon RDS User Guide,
 *   "Publishing database logs to Amazon CloudWatch Logs".
 * The full catalogue with key layouts and bucket policy statements is docs/source-types.md.
 */
#include "compiler/policy.h"

static const struct lk_source_type_info s_types[LK_SRC_TYPE_COUNT] = {
    {LK_SRC_CLOUDTRAIL, "cloudtrail", "AWS CloudTrail", LK_DEST_S3, NULL, NULL},
    {LK_SRC_VPC_FLOW_LOGS, "vpc-flow-logs", "VPC Flow Logs", LK_DEST_S3 | LK_DEST_LOGS, NULL, NULL},
    {LK_SRC_ROUTE53_RESOLVER, "route53-resolver-query-logs", "Route 53 Resolver query logs",
     LK_DEST_S3 | LK_DEST_LOGS, NULL, NULL},
    {LK_SRC_ELB, "elb-access-logs", "Application and Classic Load Balancer access logs",
     LK_DEST_S3, NULL, NULL},
    {LK_SRC_NLB, "nlb-access-logs", "Network Load Balancer access logs", LK_DEST_S3, NULL, NULL},
    {LK_SRC_WAF, "waf", "AWS WAF logs", LK_DEST_S3 | LK_DEST_LOGS, "aws-waf-logs-",
     "aws-waf-logs-"},
    {LK_SRC_NETWORK_FIREWALL, "network-firewall", "AWS Network Firewall logs",
     LK_DEST_S3 | LK_DEST_LOGS, NULL, NULL},
    {LK_SRC_CONFIG, "config", "AWS Config configuration history and snapshots", LK_DEST_S3, NULL,
     NULL},
    {LK_SRC_GUARDDUTY, "guardduty", "Amazon GuardDuty findings export", LK_DEST_S3, NULL, NULL},
    {LK_SRC_EKS_AUDIT, "eks-audit", "Amazon EKS control plane logs", LK_DEST_LOGS, "/aws/eks/",
     NULL},
    {LK_SRC_RDS, "rds", "Amazon RDS and Aurora log exports", LK_DEST_LOGS, "/aws/rds/", NULL},
    {LK_SRC_CLOUDWATCH_LOGS, "cloudwatch-logs",
     "Application and CloudWatch agent log groups", LK_DEST_LOGS, NULL, NULL},
    {LK_SRC_S3_PREFIX, "s3-prefix", "Any logs delivered under an S3 prefix", LK_DEST_S3, NULL,
     NULL},
    {LK_SRC_LOG_GROUP, "log-group", "Any CloudWatch Logs log group", LK_DEST_LOGS, NULL, NULL},
};

static const char *const s_names[LK_SRC_TYPE_COUNT] = {
    "cloudtrail", "vpc-flow-logs", "route53-resolver-query-logs", "elb-access-logs",
    "nlb-access-logs", "waf",
    "network-firewall", "config", "guardduty", "eks-audit", "rds", "cloudwatch-logs",
    "s3-prefix", "log-group",
};

const struct lk_source_type_info *lk_source_type_info(enum lk_source_type type)
{
    return &s_types[type < LK_SRC_TYPE_COUNT ? type : 0];
}

bool lk_source_type_parse(struct lk_str name, enum lk_source_type *out)
{
    for (int i = 0; i < LK_SRC_TYPE_COUNT; i++) {
        if (lk_str_eq_c(name, s_types[i].name)) {
            *out = s_types[i].type;
            return true;
        }
    }
    return false;
}

const char *const *lk_source_type_names(size_t *n)
{
    *n = LK_SRC_TYPE_COUNT;
    return s_names;
}

bool lk_source_type_produces(enum lk_source_type type)
{
    /* CloudTrail's trails are logkeep's own (lowered as trails); the last three types name
     * destinations only, written by whatever the account runs. */
    return type != LK_SRC_CLOUDTRAIL && type != LK_SRC_CLOUDWATCH_LOGS &&
           type != LK_SRC_S3_PREFIX && type != LK_SRC_LOG_GROUP && type < LK_SRC_TYPE_COUNT;
}
