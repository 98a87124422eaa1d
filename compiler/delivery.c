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
    /* "arn:%s:s3:::%s/%.*sAWSLogs/%s/%s*", without a format to parse: one per source. */
    const struct lk_str parts[] = {
        LK_STR_LIT("arn:"), lk_str_c(st->partition), LK_STR_LIT(":s3:::"),   lk_str_c(b->name),
        LK_STR_LIT("/"),    src->prefix.v,           LK_STR_LIT("AWSLogs/"), lk_str_c(owner),
        LK_STR_LIT("/"),    lk_str_c(suffix),        LK_STR_LIT("*")};
    return lk_ir_cat(st, parts, sizeof(parts) / sizeof(parts[0]));
}

/* Joins @p n strings into @p out (NUL-terminated). @return false when they do not fit. */
static bool s_join(char *out, size_t cap, const char *const *parts, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(parts[i]);
        if (k >= cap - len)
            return false;
        memcpy(out + len, parts[i], k);
        len += k;
    }
    out[len] = '\0';
    return true;
}

/* Appends @p s, a string of the state's arena, to a list canonicalization sorts and makes unique
 * (lk_ir_canonicalize()): without copying it again, and not at all when it repeats the last
 * item, as it does for each source of a store. */
static void s_take(struct lk_ir_state *st, struct lk_ir_string_list *list, char *s)
{
    if (list->n && !strcmp(list->items[list->n - 1], s))
        return;
    lk_ir_list_push(st, list, s);
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
        lk_ir_list_add_set(st, &s->principals, principal);
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

void lk_delivery_source_writers(const struct lk_ir_state *st, const struct lk_source *src,
                                struct lk_writers *out)
{
    /* Before lk_policy_check() resolved the scope, the state's own account and Region write, as
     * in a policy of one account. */
    if (src->n_scope_accounts && src->n_scope_regions) {
        out->accounts = src->scope_accounts;
        out->n_accounts = src->n_scope_accounts;
        out->regions = src->scope_regions;
        out->n_regions = src->n_scope_regions;
    } else {
        out->accounts = (const char *const *)&st->account;
        out->n_accounts = 1;
        out->regions = (const char *const *)&st->region;
        out->n_regions = 1;
    }
}

/* The organisation-wide form of a delivery statement (lk_delivery_statements() with an
 * organisation ID): one resource, [prefix/]AWSLogs/ and everything under it, for every account's
 * logs, and aws:SourceOrgID in place of the lists of accounts and ARNs. IAM User Guide, "AWS global
 * condition context keys", aws:SourceOrgID
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceorgid):
 * the organisation ID of the resource on whose behalf an AWS service principal makes the
 * request, present only in requests a service principal makes directly, as aws:SourceAccount. */
static char *s_all_logs_arn(struct lk_ir_state *st, struct lk_ir_bucket *b, struct lk_source *src)
{
    return lk_ir_printf(st, "arn:%s:s3:::%s/%.*sAWSLogs/*", st->partition, b->name,
                        LK_STR_ARG(src->prefix.v));
}

/* ------------------------------------------------------------------------------ CloudTrail */

/* The organisation ID of an organisation trail: the trail's own, else the policy's. */
static const char *s_trail_org(struct lk_ir_state *st, struct lk_policy *policy,
                               const struct lk_trail_cfg *cfg)
{
    if (!cfg || !cfg->organization.set || !cfg->organization.v)
        return NULL;
    if (cfg->organization_id.set)
        return lk_ir_strndup(st, cfg->organization_id.v.ptr, cfg->organization_id.v.len);
    if (policy && policy->organization.set)
        return lk_ir_strndup(st, policy->organization.v.ptr, policy->organization.v.len);
    return NULL;
}

/* CloudTrail User Guide, "Amazon S3 bucket policy for CloudTrail"
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html):
 * s3:GetBucketAcl on the bucket and s3:PutObject on [prefix/]AWSLogs/<account>/... with
 * s3:x-amz-acl = bucket-owner-full-control, both scoped by aws:SourceArn to the trail; an
 * organization trail also writes AWSLogs/<organization-id>/..., its aws:SourceArn being the
 * trail's ARN in the account that owns it (the management account or a delegated
 * administrator). Without them CreateTrail fails with InsufficientS3BucketPolicyException.
 * Each account that owns a trail of the source (its writers) has its own ARN and folder. */
static void s_cloudtrail(struct lk_ir_state *st, struct lk_policy *policy, struct lk_source *src,
                         struct lk_ir_bucket *b)
{
    const struct lk_trail_cfg *cfg = src->trail;
    char *trail = cfg && cfg->name.set ? lk_ir_strndup(st, cfg->name.v.ptr, cfg->name.v.len)
                                       : lk_ir_strndup(st, src->name.ptr, src->name.len);
    char *part = s_sid_part(st, trail);
    struct lk_writers w;
    lk_delivery_source_writers(st, src, &w);
    const char *home = w.regions[0];

    struct lk_ir_statement *acl = lk_lower_add_statement(
        st, b, lk_ir_printf(st, LK_IR_SID_PREFIX "CloudTrailAclCheck%s", part), true,
        LK_IR_PRINCIPAL_SERVICE);
    lk_ir_list_add_set(st, &acl->principals, "cloudtrail.amazonaws.com");
    lk_ir_list_add_set(st, &acl->actions, "s3:GetBucketAcl");
    s_take(st, &acl->resources, s_bucket_arn(st, b));

    struct lk_ir_statement *put =
        lk_lower_add_statement(st, b, lk_ir_printf(st, LK_IR_SID_PREFIX "CloudTrailWrite%s", part),
                               true, LK_IR_PRINCIPAL_SERVICE);
    lk_ir_list_add_set(st, &put->principals, "cloudtrail.amazonaws.com");
    lk_ir_list_add_set(st, &put->actions, "s3:PutObject");
    const char *org = s_trail_org(st, policy, cfg);
    if (org)
        s_take(st, &put->resources, s_logs_arn(st, b, src, org, ""));
    lk_lower_add_condition(st, put, "StringEquals", "s3:x-amz-acl", "bucket-owner-full-control");
    for (size_t i = 0; i < w.n_accounts; i++) {
        char *trail_arn = lk_ir_printf(st, "arn:%s:cloudtrail:%s:%s:trail/%s", st->partition, home,
                                       w.accounts[i], trail);
        lk_lower_add_condition(st, acl, "StringEquals", "aws:SourceArn", trail_arn);
        lk_lower_add_condition(st, put, "StringEquals", "aws:SourceArn", trail_arn);
        s_take(st, &put->resources, s_logs_arn(st, b, src, w.accounts[i], ""));
    }
}

/* ------------------------------------------------------------------------------ log delivery */

/* The source conditions of a statement for writers @p w: aws:SourceAccount (when
 * @p source_account), aws:SourceArn of @p arn_service (when not NULL: arn:<p>:<service>:<region>:
 * <account>:<arn_resource> for every writer account and Region); or aws:SourceOrgID alone in the
 * organisation-wide form. */
static void s_source_conditions(struct lk_ir_state *st, struct lk_ir_statement *s,
                                const struct lk_writers *w, const char *org_id, bool source_account,
                                const char *arn_service, const char *arn_resource)
{
    if (org_id) {
        lk_lower_add_condition(st, s, "StringEquals", "aws:SourceOrgID", org_id);
        return;
    }
    for (size_t a = 0; a < w->n_accounts; a++) {
        if (source_account)
            lk_lower_add_condition(st, s, "StringEquals", "aws:SourceAccount", w->accounts[a]);
        for (size_t r = 0; arn_service && r < w->n_regions; r++) {
            /* Formatted on the stack: lk_lower_add_condition() copies it only when it is new,
             * and every source of a store from one account and Region gives the same ARN. */
            char arn[512];
            const char *parts[] = {"arn:", st->partition,  ":", arn_service, ":", w->regions[r],
                                   ":",    w->accounts[a], ":", arn_resource};
            lk_lower_add_condition(st, s, "ArnLike", "aws:SourceArn",
                                   s_join(arn, sizeof(arn), parts, sizeof(parts) / sizeof(parts[0]))
                                       ? arn
                                       : lk_ir_printf(st, "arn:%s:%s:%s:%s:%s", st->partition,
                                                      arn_service, w->regions[r], w->accounts[a],
                                                      arn_resource));
        }
    }
}

/* The objects the writers' logs go to: [prefix/]AWSLogs/<account>/<suffix>* for each writer
 * account, or all of [prefix/]AWSLogs/ in the organisation-wide form. */
static void s_writer_resources(struct lk_ir_state *st, struct lk_ir_statement *s,
                               struct lk_ir_bucket *b, struct lk_source *src,
                               const struct lk_writers *w, const char *org_id, const char *suffix)
{
    if (org_id) {
        s_take(st, &s->resources, s_all_logs_arn(st, b, src));
        return;
    }
    for (size_t a = 0; a < w->n_accounts; a++)
        s_take(st, &s->resources, s_logs_arn(st, b, src, w->accounts[a], suffix));
}

/* CloudWatch Logs User Guide, "Enabling logging from AWS services", logs sent to Amazon S3
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html#AWS-logs-infrastructure-S3):
 * delivery.logs.amazonaws.com gets s3:PutObject on [prefix/]AWSLogs/<account>/... with
 * s3:x-amz-acl = bucket-owner-full-control, and s3:GetBucketAcl and s3:ListBucket on the
 * bucket, all scoped by aws:SourceAccount and aws:SourceArn arn:<p>:logs:<region>:<account>:*.
 * Used by VPC Flow Logs, Route 53 Resolver query logs, AWS WAF, Network Firewall and Network
 * Load Balancer access logs ("Access logs for your Network Load Balancer", bucket policy). Every
 * account and Region that writes into the bucket is listed: an ARN of one Region denies the
 * others. */
static void s_log_delivery(struct lk_ir_state *st, struct lk_source *src, struct lk_ir_bucket *b,
                           const struct lk_writers *w, const char *org_id)
{
    bool created;
    struct lk_ir_statement *acl =
        s_shared(st, b, LK_IR_SID_PREFIX "LogDeliveryAclCheck", LK_IR_PRINCIPAL_SERVICE,
                 "delivery.logs.amazonaws.com", &created);
    if (created) {
        lk_ir_list_add_set(st, &acl->actions, "s3:GetBucketAcl");
        lk_ir_list_add_set(st, &acl->actions, "s3:ListBucket");
        s_take(st, &acl->resources, s_bucket_arn(st, b));
    }
    s_source_conditions(st, acl, w, org_id, true, "logs", "*");
    struct lk_ir_statement *put =
        s_shared(st, b, LK_IR_SID_PREFIX "LogDeliveryWrite", LK_IR_PRINCIPAL_SERVICE,
                 "delivery.logs.amazonaws.com", &created);
    if (created) {
        lk_ir_list_add_set(st, &put->actions, "s3:PutObject");
        lk_lower_add_condition(st, put, "StringEquals", "s3:x-amz-acl",
                               "bucket-owner-full-control");
    }
    s_source_conditions(st, put, w, org_id, true, "logs", "*");
    s_writer_resources(st, put, b, src, w, org_id, "");
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

/* The Regions whose load balancers write into @p b: the source's writer Regions in a policy of
 * several accounts; otherwise the bucket's own (a load balancer logs only to a bucket of its
 * Region: "Enable access logs for your Application Load Balancer", requirements). */
static void s_elb_regions(const struct lk_policy *policy, const struct lk_ir_bucket *b,
                          const struct lk_writers *w, const char *const **regions, size_t *n)
{
    if (policy && policy->scope.multi) {
        *regions = w->regions;
        *n = w->n_regions;
    } else {
        *regions = (const char *const *)&b->region;
        *n = 1;
    }
}

static void s_elb(struct lk_ir_state *st, struct lk_policy *policy, struct lk_source *src,
                  struct lk_ir_bucket *b, const struct lk_writers *w)
{
    const char *const *regions;
    size_t n_regions;
    s_elb_regions(policy, b, w, &regions, &n_regions);
    bool any_account = false;
    for (size_t r = 0; r < n_regions; r++)
        any_account = any_account || lk_elb_account_for_region(regions[r]);
    for (size_t r = 0; r < n_regions; r++) {
        const char *elb_account = lk_elb_account_for_region(regions[r]);
        bool created;
        struct lk_ir_statement *put;
        if (elb_account) {
            char *root = lk_ir_printf(st, "arn:%s:iam::%s:root", st->partition, elb_account);
            put = s_shared(st, b, LK_IR_SID_PREFIX "ElbLogDelivery", LK_IR_PRINCIPAL_AWS, root,
                           &created);
            s_take(st, &put->principals, root);
        } else {
            /* Newer Regions' service principal, in a statement of its own when older Regions'
             * accounts write too (one statement has one kind of principal). */
            put = s_shared(st, b,
                           any_account ? LK_IR_SID_PREFIX "ElbLogDeliveryService"
                                       : LK_IR_SID_PREFIX "ElbLogDelivery",
                           LK_IR_PRINCIPAL_SERVICE,
                           "logdelivery.elasticloadbalancing.amazonaws.com", &created);
        }
        if (created)
            lk_ir_list_add_set(st, &put->actions, "s3:PutObject");
        s_writer_resources(st, put, b, src, w, NULL, "");
    }
}

/* ------------------------------------------------------------------------------ AWS Config */

/* AWS Config Developer Guide, "Permissions for the Amazon S3 bucket for the AWS Config delivery
 * channel" (https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html):
 * config.amazonaws.com gets s3:GetBucketAcl and s3:ListBucket on the bucket and s3:PutObject on
 * [prefix/]AWSLogs/<account>/Config/... with s3:x-amz-acl = bucket-owner-full-control, all scoped
 * by aws:SourceAccount (every account whose recorder delivers into the bucket). */
static void s_config(struct lk_ir_state *st, struct lk_source *src, struct lk_ir_bucket *b,
                     const struct lk_writers *w, const char *org_id)
{
    bool created;
    struct lk_ir_statement *acl =
        s_shared(st, b, LK_IR_SID_PREFIX "ConfigBucketPermissionsCheck", LK_IR_PRINCIPAL_SERVICE,
                 "config.amazonaws.com", &created);
    if (created) {
        lk_ir_list_add_set(st, &acl->actions, "s3:GetBucketAcl");
        s_take(st, &acl->resources, s_bucket_arn(st, b));
    }
    s_source_conditions(st, acl, w, org_id, true, NULL, NULL);
    struct lk_ir_statement *ex =
        s_shared(st, b, LK_IR_SID_PREFIX "ConfigBucketExistenceCheck", LK_IR_PRINCIPAL_SERVICE,
                 "config.amazonaws.com", &created);
    if (created) {
        lk_ir_list_add_set(st, &ex->actions, "s3:ListBucket");
        s_take(st, &ex->resources, s_bucket_arn(st, b));
    }
    s_source_conditions(st, ex, w, org_id, true, NULL, NULL);
    struct lk_ir_statement *put =
        s_shared(st, b, LK_IR_SID_PREFIX "ConfigBucketDelivery", LK_IR_PRINCIPAL_SERVICE,
                 "config.amazonaws.com", &created);
    if (created) {
        lk_ir_list_add_set(st, &put->actions, "s3:PutObject");
        lk_lower_add_condition(st, put, "StringEquals", "s3:x-amz-acl",
                               "bucket-owner-full-control");
    }
    s_source_conditions(st, put, w, org_id, true, NULL, NULL);
    s_writer_resources(st, put, b, src, w, org_id, "Config/");
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

static const char *s_guardduty_principal_in(struct lk_ir_state *st, const char *region)
{
    return s_opt_in_region(region) ? lk_ir_printf(st, "guardduty.%s.amazonaws.com", region)
                                   : "guardduty.amazonaws.com";
}

static const char *s_guardduty_principal(struct lk_ir_state *st)
{
    return s_guardduty_principal_in(st, st->region);
}

const char *lk_delivery_guardduty_principal(struct lk_ir_state *st, const char *region)
{
    return s_guardduty_principal_in(st, region);
}

static void s_guardduty(struct lk_ir_state *st, struct lk_source *src, struct lk_ir_bucket *b,
                        const struct lk_writers *w, const char *org_id)
{
    for (size_t r = 0; r < w->n_regions; r++) {
        const char *principal = s_guardduty_principal_in(st, w->regions[r]);
        bool created;
        struct lk_ir_statement *loc = s_shared(st, b, LK_IR_SID_PREFIX "GuardDutyGetBucketLocation",
                                               LK_IR_PRINCIPAL_SERVICE, principal, &created);
        if (created) {
            lk_ir_list_add_set(st, &loc->actions, "s3:GetBucketLocation");
            s_take(st, &loc->resources, s_bucket_arn(st, b));
        }
        lk_ir_list_add_set(st, &loc->principals, principal);
        struct lk_ir_statement *put = s_shared(st, b, LK_IR_SID_PREFIX "GuardDutyPutObject",
                                               LK_IR_PRINCIPAL_SERVICE, principal, &created);
        if (created)
            lk_ir_list_add_set(st, &put->actions, "s3:PutObject");
        lk_ir_list_add_set(st, &put->principals, principal);
        s_take(st, &put->resources,
               lk_ir_printf(st, "arn:%s:s3:::%s/%.*s*", st->partition, b->name,
                            LK_STR_ARG(src->prefix.v)));
    }
    struct lk_ir_statement *loc =
        lk_lower_find_statement(b, LK_IR_SID_PREFIX "GuardDutyGetBucketLocation");
    struct lk_ir_statement *put = lk_lower_find_statement(b, LK_IR_SID_PREFIX "GuardDutyPutObject");
    s_source_conditions(st, loc, w, org_id, true, "guardduty", "detector/*");
    s_source_conditions(st, put, w, org_id, true, "guardduty", "detector/*");
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

void lk_delivery_writers(struct lk_ir_state *st, const struct lk_policy *policy,
                         const struct lk_source *src, const struct lk_ir_bucket *b,
                         struct lk_ir_string_list *services, struct lk_ir_string_list *accounts)
{
    struct lk_writers w;
    lk_delivery_source_writers(st, src, &w);
    if (src->type == LK_SRC_ELB) {
        const char *const *regions;
        size_t n;
        s_elb_regions(policy, b, &w, &regions, &n);
        for (size_t r = 0; r < n; r++) {
            const char *elb_account = lk_elb_account_for_region(regions[r]);
            if (elb_account)
                lk_ir_list_add_set(st, accounts, elb_account);
            else
                lk_ir_list_add_set(st, services, "logdelivery.elasticloadbalancing.amazonaws.com");
        }
        return;
    }
    if (src->type == LK_SRC_GUARDDUTY) {
        /* aws:PrincipalServiceName holds the principal's name. For GuardDuty's Regional
         * principal in an opt-in Region the global name is listed too: which of the two the
         * key holds there is not documented, and either is GuardDuty. */
        for (size_t r = 0; r < w.n_regions; r++)
            lk_ir_list_add_set(st, services, s_guardduty_principal_in(st, w.regions[r]));
        lk_ir_list_add_set(st, services, "guardduty.amazonaws.com");
        return;
    }
    const char *service = lk_delivery_service(st, src->type, b->region);
    if (service)
        lk_ir_list_add_set(st, services, service);
}

void lk_delivery_statements(struct lk_ir_state *st, struct lk_policy *policy, struct lk_source *src,
                            struct lk_ir_bucket *b, const char *org_id)
{
    struct lk_writers w;
    lk_delivery_source_writers(st, src, &w);
    switch (src->type) {
    case LK_SRC_CLOUDTRAIL:
        s_cloudtrail(st, policy, src, b);
        break;
    case LK_SRC_VPC_FLOW_LOGS:
    case LK_SRC_ROUTE53_RESOLVER:
    case LK_SRC_WAF:
    case LK_SRC_NETWORK_FIREWALL:
    case LK_SRC_NLB:
        s_log_delivery(st, src, b, &w, org_id);
        break;
    case LK_SRC_ELB:
        s_elb(st, policy, src, b, &w);
        break;
    case LK_SRC_CONFIG:
        s_config(st, src, b, &w, org_id);
        break;
    case LK_SRC_GUARDDUTY:
        s_guardduty(st, src, b, &w, org_id);
        break;
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
