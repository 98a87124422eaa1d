/*
 * logkeep: bucket policy statements that let each source type's service deliver logs.
 *
 * Each block cites the AWS documentation it follows; docs/source-types.md has the full
 * catalogue, including what could not be confirmed.
 */
#include <ctype.h>
#include <string.h>

#include "compiler/check_int.h"
#include "compiler/lower.h"

/* Resource ARN of the objects a service writes: bucket/[prefix]AWSLogs/<id>/<suffix>*. The
 * policy's prefix is used as written ("cloudtrail/" or "" for none). */
static char *s_logs_arn(struct lk_ir_state *st, struct lk_ir_bucket *b, struct lk_source *src,
                        const char *owner, const char *suffix)
{
    return lk_ir_printf(st, "arn:%s:s3:::%s/%.*sAWSLogs/%s/%s*", st->partition, b->name,
                        LK_STR_ARG(src->prefix.v), owner, suffix);
}

static char *s_bucket_arn(struct lk_ir_state *st, struct lk_ir_bucket *b)
{
    return lk_ir_printf(st, "arn:%s:s3:::%s", st->partition, b->name);
}

/* A statement shared by all sources of one kind in a bucket: found by Sid, or created. */
static struct lk_ir_statement *s_shared(struct lk_ir_state *st, struct lk_ir_bucket *b,
                                        const char *sid, enum lk_ir_principal_kind kind,
                                        const char *principal, bool *created)
{
    struct lk_ir_statement *s = lk_lower_find_statement(b, sid);
    *created = s == NULL;
    if (!s) {
        s = lk_lower_add_statement(st, b, sid, true, kind);
        lk_ir_list_add(st, &s->principals, principal);
    }
    return s;
}

/* Sid-safe form of a name: IAM Sids are ASCII letters and digits ("IAM JSON policy elements:
 * Sid"). "org-trail" becomes "OrgTrail". */
static char *s_sid_part(struct lk_ir_state *st, const char *name)
{
    size_t n = strlen(name);
    char *out = lk_arena_alloc(&st->arena, n + 1);
    size_t w = 0;
    bool upper = true;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!isalnum(c)) {
            upper = true;
            continue;
        }
        out[w++] = (char)(upper ? toupper(c) : c);
        upper = false;
    }
    out[w] = '\0';
    return out;
}

/* ------------------------------------------------------------------------------ CloudTrail */

/* CloudTrail User Guide, "Amazon S3 bucket policy for CloudTrail"
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html):
 * s3:GetBucketAcl on the bucket and s3:PutObject on [prefix/]AWSLogs/<account>/... with
 * s3:x-amz-acl = bucket-owner-full-control, both scoped by aws:SourceArn to the trail; an
 * organization trail also writes AWSLogs/<organization-id>/.... Without them CreateTrail fails
 * with InsufficientS3BucketPolicyException. */
static void s_cloudtrail(struct lk_ir_state *st, struct lk_source *src, struct lk_ir_bucket *b)
{
    const struct lk_trail_cfg *cfg = src->trail;
    char *trail = cfg && cfg->name.set ? lk_ir_strndup(st, cfg->name.v.ptr, cfg->name.v.len)
                                       : lk_ir_strndup(st, src->name.ptr, src->name.len);
    char *trail_arn = lk_ir_printf(st, "arn:%s:cloudtrail:%s:%s:trail/%s", st->partition,
                                   st->region, st->account, trail);
    char *part = s_sid_part(st, trail);

    struct lk_ir_statement *acl = lk_lower_add_statement(
        st, b, lk_ir_printf(st, LK_IR_SID_PREFIX "CloudTrailAclCheck%s", part), true,
        LK_IR_PRINCIPAL_SERVICE);
    lk_ir_list_add(st, &acl->principals, "cloudtrail.amazonaws.com");
    lk_ir_list_add(st, &acl->actions, "s3:GetBucketAcl");
    lk_ir_list_add(st, &acl->resources, s_bucket_arn(st, b));
    lk_lower_add_condition(st, acl, "StringEquals", "aws:SourceArn", trail_arn);

    struct lk_ir_statement *w =
        lk_lower_add_statement(st, b, lk_ir_printf(st, LK_IR_SID_PREFIX "CloudTrailWrite%s", part),
                               true, LK_IR_PRINCIPAL_SERVICE);
    lk_ir_list_add(st, &w->principals, "cloudtrail.amazonaws.com");
    lk_ir_list_add(st, &w->actions, "s3:PutObject");
    lk_ir_list_add(st, &w->resources, s_logs_arn(st, b, src, st->account, ""));
    if (cfg && cfg->organization.set && cfg->organization.v && cfg->organization_id.set)
        lk_ir_list_add(st, &w->resources,
                       s_logs_arn(st, b, src,
                                  lk_ir_strndup(st, cfg->organization_id.v.ptr,
                                                cfg->organization_id.v.len),
                                  ""));
    lk_lower_add_condition(st, w, "StringEquals", "s3:x-amz-acl", "bucket-owner-full-control");
    lk_lower_add_condition(st, w, "StringEquals", "aws:SourceArn", trail_arn);
}

/* ------------------------------------------------------------------------------ log delivery */

/* CloudWatch Logs User Guide, "Enabling logging from AWS services", logs sent to Amazon S3
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html#AWS-logs-infrastructure-S3):
 * delivery.logs.amazonaws.com gets s3:PutObject on [prefix/]AWSLogs/<account>/... with
 * s3:x-amz-acl = bucket-owner-full-control, and s3:GetBucketAcl and s3:ListBucket on the
 * bucket, all scoped by aws:SourceAccount and aws:SourceArn arn:<p>:logs:<region>:<account>:*.
 * Used by VPC Flow Logs, Route 53 Resolver query logs, AWS WAF, Network Firewall and Network
 * Load Balancer access logs ("Access logs for your Network Load Balancer", bucket policy). */
static void s_log_delivery(struct lk_ir_state *st, struct lk_source *src, struct lk_ir_bucket *b)
{
    bool created;
    struct lk_ir_statement *acl =
        s_shared(st, b, LK_IR_SID_PREFIX "LogDeliveryAclCheck", LK_IR_PRINCIPAL_SERVICE,
                 "delivery.logs.amazonaws.com", &created);
    char *source_arn = NULL;
    if (created) {
        source_arn = lk_ir_printf(st, "arn:%s:logs:%s:%s:*", st->partition, st->region,
                                  st->account);
        lk_ir_list_add(st, &acl->actions, "s3:GetBucketAcl");
        lk_ir_list_add(st, &acl->actions, "s3:ListBucket");
        lk_ir_list_add(st, &acl->resources, s_bucket_arn(st, b));
        lk_lower_add_condition(st, acl, "StringEquals", "aws:SourceAccount", st->account);
        lk_lower_add_condition(st, acl, "ArnLike", "aws:SourceArn", source_arn);
    }
    struct lk_ir_statement *w =
        s_shared(st, b, LK_IR_SID_PREFIX "LogDeliveryWrite", LK_IR_PRINCIPAL_SERVICE,
                 "delivery.logs.amazonaws.com", &created);
    if (created) {
        if (!source_arn)
            source_arn = lk_ir_printf(st, "arn:%s:logs:%s:%s:*", st->partition, st->region,
                                      st->account);
        lk_ir_list_add(st, &w->actions, "s3:PutObject");
        lk_lower_add_condition(st, w, "StringEquals", "s3:x-amz-acl", "bucket-owner-full-control");
        lk_lower_add_condition(st, w, "StringEquals", "aws:SourceAccount", st->account);
        lk_lower_add_condition(st, w, "ArnLike", "aws:SourceArn", source_arn);
    }
    lk_ir_list_add(st, &w->resources, s_logs_arn(st, b, src, st->account, ""));
}

/* ------------------------------------------------------------------------------ ELB */

/* Elastic Load Balancing, "Enable access logs for your Application Load Balancer", step 2
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html):
 * Regions available before August 2022 grant s3:PutObject to the Regional Elastic Load Balancing
 * account; newer Regions to the service principal logdelivery.elasticloadbalancing.amazonaws.com.
 * The account IDs are the documented table for those Regions; the two China Regions' IDs could
 * not be confirmed against the AWS China documentation (docs/source-types.md). */
static const struct {
    const char *region;
    const char *account;
} s_elb_accounts[] = {
    {"af-south-1", "098369216593"},     {"ap-east-1", "754344448648"},
    {"ap-northeast-1", "582318560864"}, {"ap-northeast-2", "600734575887"},
    {"ap-northeast-3", "383597477331"}, {"ap-south-1", "718504428378"},
    {"ap-southeast-1", "114774131450"}, {"ap-southeast-2", "783225319266"},
    {"ap-southeast-3", "589379963580"}, {"ca-central-1", "985666609251"},
    {"cn-north-1", "638102146993"},     {"cn-northwest-1", "037604701340"},
    {"eu-central-1", "054676820928"},   {"eu-north-1", "897822967062"},
    {"eu-south-1", "635631232127"},     {"eu-west-1", "156460612806"},
    {"eu-west-2", "652711504416"},      {"eu-west-3", "009996457667"},
    {"me-south-1", "076674570225"},     {"sa-east-1", "507241528517"},
    {"us-east-1", "127311923021"},      {"us-east-2", "033677994240"},
    {"us-gov-east-1", "190560391635"},  {"us-gov-west-1", "048591011584"},
    {"us-west-1", "027434742980"},      {"us-west-2", "797873946194"},
};

const char *lk_elb_account_for_region(const char *region)
{
    for (size_t i = 0; i < sizeof(s_elb_accounts) / sizeof(s_elb_accounts[0]); i++)
        if (!strcmp(region, s_elb_accounts[i].region))
            return s_elb_accounts[i].account;
    return NULL;
}

static void s_elb(struct lk_ir_state *st, struct lk_source *src, struct lk_ir_bucket *b)
{
    const char *elb_account = lk_elb_account_for_region(b->region);
    bool created;
    struct lk_ir_statement *w;
    if (elb_account)
        w = s_shared(st, b, LK_IR_SID_PREFIX "ElbLogDelivery", LK_IR_PRINCIPAL_AWS,
                     lk_ir_printf(st, "arn:%s:iam::%s:root", st->partition, elb_account), &created);
    else
        w = s_shared(st, b, LK_IR_SID_PREFIX "ElbLogDelivery", LK_IR_PRINCIPAL_SERVICE,
                     "logdelivery.elasticloadbalancing.amazonaws.com", &created);
    if (created)
        lk_ir_list_add(st, &w->actions, "s3:PutObject");
    lk_ir_list_add(st, &w->resources, s_logs_arn(st, b, src, st->account, ""));
}

/* ------------------------------------------------------------------------------ AWS Config */

/* AWS Config Developer Guide, "Permissions for the Amazon S3 bucket for the AWS Config delivery
 * channel" (https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html):
 * config.amazonaws.com gets s3:GetBucketAcl and s3:ListBucket on the bucket and s3:PutObject on
 * [prefix/]AWSLogs/<account>/Config/... with s3:x-amz-acl = bucket-owner-full-control, all scoped
 * by aws:SourceAccount. */
static void s_config(struct lk_ir_state *st, struct lk_source *src, struct lk_ir_bucket *b)
{
    bool created;
    struct lk_ir_statement *acl =
        s_shared(st, b, LK_IR_SID_PREFIX "ConfigBucketPermissionsCheck", LK_IR_PRINCIPAL_SERVICE,
                 "config.amazonaws.com", &created);
    if (created) {
        lk_ir_list_add(st, &acl->actions, "s3:GetBucketAcl");
        lk_ir_list_add(st, &acl->resources, s_bucket_arn(st, b));
        lk_lower_add_condition(st, acl, "StringEquals", "aws:SourceAccount", st->account);
    }
    struct lk_ir_statement *ex =
        s_shared(st, b, LK_IR_SID_PREFIX "ConfigBucketExistenceCheck", LK_IR_PRINCIPAL_SERVICE,
                 "config.amazonaws.com", &created);
    if (created) {
        lk_ir_list_add(st, &ex->actions, "s3:ListBucket");
        lk_ir_list_add(st, &ex->resources, s_bucket_arn(st, b));
        lk_lower_add_condition(st, ex, "StringEquals", "aws:SourceAccount", st->account);
    }
    struct lk_ir_statement *w = s_shared(st, b, LK_IR_SID_PREFIX "ConfigBucketDelivery",
                                         LK_IR_PRINCIPAL_SERVICE, "config.amazonaws.com", &created);
    if (created) {
        lk_ir_list_add(st, &w->actions, "s3:PutObject");
        lk_lower_add_condition(st, w, "StringEquals", "s3:x-amz-acl", "bucket-owner-full-control");
        lk_lower_add_condition(st, w, "StringEquals", "aws:SourceAccount", st->account);
    }
    lk_ir_list_add(st, &w->resources, s_logs_arn(st, b, src, st->account, "Config/"));
}

/* ------------------------------------------------------------------------------ GuardDuty */

/* Amazon GuardDuty User Guide, "Exporting generated findings to Amazon S3"
 * (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html):
 * guardduty.amazonaws.com gets s3:GetBucketLocation on the bucket and s3:PutObject on
 * [prefix/]..., scoped by aws:SourceAccount and aws:SourceArn of the detector. The detector ID is
 * not part of the policy, so the ARN is matched with a wildcard. */
/* Regions that must be enabled before use (opt-in): GuardDuty's principal there is
 * guardduty.<region>.amazonaws.com (GuardDuty User Guide, "Exporting findings", bucket policy
 * note on opt-in Regions; AWS General Reference, "Enable or disable AWS Regions"). */
static bool s_opt_in_region(const char *region)
{
    static const char *const opt_in[] = {
        "af-south-1",     "ap-east-1",      "ap-east-2",     "ap-south-2",   "ap-southeast-3",
        "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-west-1",
        "eu-central-2",   "eu-south-1",     "eu-south-2",    "il-central-1", "me-central-1",
        "me-south-1",     "mx-central-1",
    };
    for (size_t i = 0; i < sizeof(opt_in) / sizeof(opt_in[0]); i++)
        if (!strcmp(region, opt_in[i]))
            return true;
    return false;
}

static const char *s_guardduty_principal(struct lk_ir_state *st);

static void s_guardduty(struct lk_ir_state *st, struct lk_source *src, struct lk_ir_bucket *b)
{
    const char *principal = s_guardduty_principal(st);
    char *detector = lk_ir_printf(st, "arn:%s:guardduty:%s:%s:detector/*", st->partition,
                                  st->region, st->account);
    bool created;
    struct lk_ir_statement *loc = s_shared(st, b, LK_IR_SID_PREFIX "GuardDutyGetBucketLocation",
                                           LK_IR_PRINCIPAL_SERVICE, principal, &created);
    if (created) {
        lk_ir_list_add(st, &loc->actions, "s3:GetBucketLocation");
        lk_ir_list_add(st, &loc->resources, s_bucket_arn(st, b));
        lk_lower_add_condition(st, loc, "StringEquals", "aws:SourceAccount", st->account);
        lk_lower_add_condition(st, loc, "ArnLike", "aws:SourceArn", detector);
    }
    struct lk_ir_statement *w = s_shared(st, b, LK_IR_SID_PREFIX "GuardDutyPutObject",
                                         LK_IR_PRINCIPAL_SERVICE, principal, &created);
    if (created) {
        lk_ir_list_add(st, &w->actions, "s3:PutObject");
        lk_lower_add_condition(st, w, "StringEquals", "aws:SourceAccount", st->account);
        lk_lower_add_condition(st, w, "ArnLike", "aws:SourceArn", detector);
    }
    lk_ir_list_add(st, &w->resources, lk_ir_printf(st, "arn:%s:s3:::%s/%.*s*", st->partition,
                                                   b->name, LK_STR_ARG(src->prefix.v)));
}

static const char *s_guardduty_principal(struct lk_ir_state *st)
{
    return s_opt_in_region(st->region) ? lk_ir_printf(st, "guardduty.%s.amazonaws.com", st->region)
                                       : "guardduty.amazonaws.com";
}

const char *lk_delivery_service(struct lk_ir_state *st, enum lk_source_type type,
                                const char *region)
{
    switch (type) {
    case LK_SRC_CLOUDTRAIL: return "cloudtrail.amazonaws.com";
    case LK_SRC_VPC_FLOW_LOGS:
    case LK_SRC_ROUTE53_RESOLVER:
    case LK_SRC_WAF:
    case LK_SRC_NETWORK_FIREWALL:
    case LK_SRC_NLB: return "delivery.logs.amazonaws.com";
    case LK_SRC_ELB:
        return lk_elb_account_for_region(region) ? NULL
                                                 : "logdelivery.elasticloadbalancing.amazonaws.com";
    case LK_SRC_CONFIG: return "config.amazonaws.com";
    case LK_SRC_GUARDDUTY: return s_guardduty_principal(st);
    case LK_SRC_EKS_AUDIT:
    case LK_SRC_RDS:
    case LK_SRC_CLOUDWATCH_LOGS:
    case LK_SRC_LOG_GROUP:
    case LK_SRC_S3_PREFIX:
    case LK_SRC_TYPE_COUNT: break;
    }
    return NULL;
}

void lk_delivery_writers(struct lk_ir_state *st, const struct lk_source *src,
                         const struct lk_ir_bucket *b, struct lk_ir_string_list *services,
                         struct lk_ir_string_list *accounts)
{
    const char *service = lk_delivery_service(st, src->type, b->region);
    if (service) {
        /* aws:PrincipalServiceName holds the principal's name. For GuardDuty's Regional
         * principal in an opt-in Region the global name is listed too: which of the two the
         * key holds there is not documented, and either is GuardDuty. */
        lk_ir_list_add(st, services, service);
        if (src->type == LK_SRC_GUARDDUTY && strcmp(service, "guardduty.amazonaws.com") != 0)
            lk_ir_list_add(st, services, "guardduty.amazonaws.com");
    } else if (src->type == LK_SRC_ELB) {
        lk_ir_list_add(st, accounts, lk_elb_account_for_region(b->region));
    }
}

void lk_delivery_statements(struct lk_ir_state *st, struct lk_policy *policy,
                            struct lk_source *src, struct lk_ir_bucket *b)
{
    (void)policy;
    switch (src->type) {
    case LK_SRC_CLOUDTRAIL: s_cloudtrail(st, src, b); break;
    case LK_SRC_VPC_FLOW_LOGS:
    case LK_SRC_ROUTE53_RESOLVER:
    case LK_SRC_WAF:
    case LK_SRC_NETWORK_FIREWALL:
    case LK_SRC_NLB: s_log_delivery(st, src, b); break;
    case LK_SRC_ELB: s_elb(st, src, b); break;
    case LK_SRC_CONFIG: s_config(st, src, b); break;
    case LK_SRC_GUARDDUTY: s_guardduty(st, src, b); break;
    case LK_SRC_EKS_AUDIT:
    case LK_SRC_RDS:
    case LK_SRC_CLOUDWATCH_LOGS:
    case LK_SRC_LOG_GROUP:
    case LK_SRC_S3_PREFIX:
    case LK_SRC_TYPE_COUNT:
        /* No AWS service writes these into S3 on its own: whatever writes them (an export job,
         * a pipeline) is granted access outside the log store's policy. */
        break;
    }
}
