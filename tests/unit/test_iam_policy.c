/*
 * Unit tests of runtime/iam_policy.c: the identity policies `logkeep iam-policy` prints, from a
 * desired state built here.
 */
#include "config.h"

#include "lk_test.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "ir/ir.h"
#include "runtime/iam_policy.h"

#define ACCT "111122223333"
#define TRAIL_ARN "arn:aws:cloudtrail:us-east-1:" ACCT ":trail/org-trail"
#define KEY_ARN "arn:aws:kms:us-east-1:" ACCT ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
#define ROLE_ARN "arn:aws:iam::" ACCT ":role/CloudTrailToCWL"

/* One pair: a bucket, an exact log group and a pattern, an organisation trail with a
 * CloudWatch Logs role, a KMS key, and the unmanaged rule. */
static struct lk_ir_scope *s_scope(bool unmanaged)
{
    struct lk_ir_state *st = lk_ir_state_new();
    st->account = lk_ir_strdup(st, ACCT);
    st->region = lk_ir_strdup(st, "us-east-1");
    st->partition = lk_ir_strdup(st, "aws");
    st->buckets = lk_arena_alloc(&st->arena, sizeof(*st->buckets));
    memset(st->buckets, 0, sizeof(*st->buckets));
    st->buckets[0].name = lk_ir_strdup(st, "logs-" ACCT);
    st->n_buckets = 1;
    st->log_groups = lk_arena_alloc(&st->arena, 2 * sizeof(*st->log_groups));
    memset(st->log_groups, 0, 2 * sizeof(*st->log_groups));
    st->log_groups[0].name = lk_ir_strdup(st, "/aws/cloudtrail/org-trail");
    st->log_groups[1].name = lk_ir_strdup(st, "/aws/eks/*/cluster");
    st->log_groups[1].pattern = true;
    st->log_groups[1].region = lk_ir_strdup(st, "eu-west-1");
    st->n_log_groups = 2;
    st->trails = lk_arena_alloc(&st->arena, sizeof(*st->trails));
    memset(st->trails, 0, sizeof(*st->trails));
    st->trails[0].name = lk_ir_strdup(st, "org-trail");
    st->trails[0].s3_bucket_name = lk_ir_strdup(st, "archive-222233334444");
    st->trails[0].cloud_watch_logs_role_arn = lk_ir_strdup(st, ROLE_ARN);
    st->trails[0].is_organization_trail = true;
    st->n_trails = 1;
    st->keys = lk_arena_alloc(&st->arena, sizeof(*st->keys));
    memset(st->keys, 0, sizeof(*st->keys));
    st->keys[0].arn = lk_ir_strdup(st, KEY_ARN);
    st->n_keys = 1;
    st->unmanaged_set = unmanaged;
    struct lk_ir_scope *scope = lk_ir_scope_new();
    lk_ir_scope_add(scope, ACCT, ACCT, "us-east-1", st, NULL);
    return scope;
}

/* The statement of @p sid in @p doc, or NULL. */
static const cJSON *s_statement(const cJSON *doc, const char *sid)
{
    const cJSON *st;
    cJSON_ArrayForEach(st, cJSON_GetObjectItemCaseSensitive(doc, "Statement"))
    {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(st, "Sid");
        if (cJSON_IsString(s) && !strcmp(s->valuestring, sid))
            return st;
    }
    return NULL;
}

static bool s_has(const cJSON *st, const char *member, const char *value)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(st, member))
    {
        if (cJSON_IsString(v) && !strcmp(v->valuestring, value))
            return true;
    }
    return false;
}

/* Adds a coverage requirement of @p type in @p region to @p st; returns it to fill in. */
static struct lk_ir_coverage *s_cover(struct lk_ir_state *st, enum lk_ir_producer_type type,
                                      const char *region)
{
    struct lk_ir_coverage *c = lk_arena_alloc(&st->arena, (st->n_coverages + 1) * sizeof(*c));
    if (st->n_coverages)
        memcpy(c, st->coverages, st->n_coverages * sizeof(*c));
    memset(&c[st->n_coverages], 0, sizeof(*c));
    st->coverages = c;
    c = &c[st->n_coverages++];
    c->type = type;
    c->region = lk_ir_strdup(st, region);
    c->source = lk_ir_strdup(st, "src");
    return c;
}

static void s_list(struct lk_ir_state *st, struct lk_ir_string_list *l, const char *a,
                   const char *b)
{
    l->items = lk_arena_alloc(&st->arena, 2 * sizeof(*l->items));
    l->items[0] = lk_ir_strdup(st, a);
    l->n = 1;
    if (b)
        l->items[l->n++] = lk_ir_strdup(st, b);
}

static void s_dest(struct lk_ir_state *st, struct lk_ir_coverage *c,
                   enum lk_ir_destination_kind kind, const char *bucket, const char *prefix)
{
    c->destinations = lk_arena_alloc(&st->arena, sizeof(*c->destinations));
    memset(c->destinations, 0, sizeof(*c->destinations));
    c->destinations[0].kind = kind;
    if (bucket) {
        c->destinations[0].bucket = lk_ir_strdup(st, bucket);
        c->destinations[0].prefix = lk_ir_strdup(st, prefix);
    } else {
        c->destinations[0].log_group = lk_ir_strdup(st, "/vpc/flow");
    }
    c->n_destinations = 1;
}

/* The number of members of @p member in @p st. */
static int s_count(const cJSON *st, const char *member)
{
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(st, member));
}

START_TEST(test_apply_document)
{
    struct lk_ir_scope *scope = s_scope(true);
    struct lk_iam_policy_options o = {.purpose = LK_IAM_FOR_APPLY};
    char *text = lk_iam_policy_account_json(scope, NULL, &o);
    cJSON *doc = cJSON_Parse(text);
    ck_assert_ptr_nonnull(doc);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(doc, "Version")->valuestring, "2012-10-17");
    const cJSON *st = s_statement(doc, "LogKeepS3Write");
    ck_assert(st && s_has(st, "Action", "s3:PutBucketPolicy") &&
              s_has(st, "Resource", "arn:aws:s3:::logs-" ACCT));
    /* An exact name in both ARN forms; a pattern not ending in a star too. */
    st = s_statement(doc, "LogKeepLogsWrite");
    ck_assert(st);
    ck_assert(s_has(st, "Resource",
                    "arn:aws:logs:us-east-1:" ACCT ":log-group:/aws/cloudtrail/org-trail"));
    ck_assert(s_has(st, "Resource",
                    "arn:aws:logs:us-east-1:" ACCT ":log-group:/aws/cloudtrail/org-trail:*"));
    ck_assert(
        s_has(st, "Resource", "arn:aws:logs:eu-west-1:" ACCT ":log-group:/aws/eks/*/cluster:*"));
    /* The listing in each Region a log group names and the home Region. */
    st = s_statement(doc, "LogKeepLogsList");
    ck_assert(st && s_has(st, "Resource", "arn:aws:logs:eu-west-1:" ACCT ":log-group:*") &&
              s_has(st, "Resource", "arn:aws:logs:us-east-1:" ACCT ":log-group:*"));
    ck_assert_ptr_nonnull(s_statement(doc, "LogKeepLogsUnmanaged"));
    st = s_statement(doc, "LogKeepTrailsPassRole");
    ck_assert(st && s_has(st, "Resource", ROLE_ARN));
    const cJSON *cond = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(st, "Condition"), "StringEquals");
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(cond, "iam:PassedToService")->valuestring,
                     "cloudtrail.amazonaws.com");
    ck_assert_ptr_nonnull(s_statement(doc, "LogKeepOrganizationTrailLinkedRole"));
    st = s_statement(doc, "LogKeepS3TrailBucketsRead");
    ck_assert(st && s_has(st, "Resource", "arn:aws:s3:::archive-222233334444"));
    st = s_statement(doc, "LogKeepKeysWrite");
    ck_assert(st && s_has(st, "Resource", KEY_ARN));
    st = s_statement(doc, "LogKeepTrailsWrite");
    ck_assert(st && s_has(st, "Resource", TRAIL_ARN));
    /* No coverage requirement: no producer action. */
    ck_assert_ptr_null(strstr(text, "LogKeepCoverage"));
    ck_assert_ptr_null(strstr(text, "LogKeepEnable"));
    /* Deterministic. */
    char *again = lk_iam_policy_account_json(scope, NULL, &o);
    ck_assert_str_eq(text, again);
    free(again);
    cJSON_Delete(doc);
    free(text);
    lk_ir_scope_free(scope);
}
END_TEST

START_TEST(test_drift_document_reads_only)
{
    struct lk_ir_scope *scope = s_scope(false);
    struct lk_iam_policy_options o = {.purpose = LK_IAM_FOR_DRIFT};
    char *text = lk_iam_policy_account_json(scope, NULL, &o);
    cJSON *doc = cJSON_Parse(text);
    ck_assert_ptr_nonnull(doc);
    static const char *const writes[] = {"Put",   "Create", "Delete",    "Update",
                                         "Start", "Stop",   "Associate", "Pass"};
    const cJSON *st, *a;
    cJSON_ArrayForEach(st, cJSON_GetObjectItemCaseSensitive(doc, "Statement"))
    {
        cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(st, "Action"))
        {
            const char *verb = strchr(a->valuestring, ':') + 1;
            ck_assert_ptr_null(strchr(a->valuestring, '*'));
            for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++)
                ck_assert_msg(strncmp(verb, writes[i], strlen(writes[i])) != 0, "%s",
                              a->valuestring);
        }
    }
    ck_assert_ptr_nonnull(s_statement(doc, "LogKeepTrailsList"));
    ck_assert_ptr_null(s_statement(doc, "LogKeepLogsUnmanaged"));
    cJSON_Delete(doc);
    free(text);
    lk_ir_scope_free(scope);
}
END_TEST

START_TEST(test_organizations_reader_and_caller)
{
    struct lk_ir_scope *scope = s_scope(false);
    struct lk_iam_policy_options o = {.purpose = LK_IAM_FOR_DRIFT,
                                      .organizations_reader = true,
                                      .organization_id = "o-a1b2c3d4e5"};
    char *text = lk_iam_policy_account_json(scope, ACCT, &o);
    ck_assert_ptr_nonnull(strstr(text, "\"arn:aws:organizations::" ACCT ":ou/o-a1b2c3d4e5/ou-*\""));
    ck_assert_ptr_nonnull(strstr(text, "\"LogKeepOrganizationsList\""));
    free(text);
    /* Another account's document has nothing of this pair. */
    text = lk_iam_policy_account_json(scope, "999988887777", &o);
    ck_assert_ptr_null(strstr(text, "logs-" ACCT));
    free(text);
    lk_ir_scope_free(scope);

    const char *const roles[] = {"arn:aws:iam::2:role/R", "arn:aws:iam::1:role/R",
                                 "arn:aws:iam::2:role/R"};
    text = lk_iam_policy_caller_json(roles, 3);
    ck_assert_str_eq(text, "{\n"
                           "  \"Version\": \"2012-10-17\",\n"
                           "  \"Statement\": [\n"
                           "    {\n"
                           "      \"Sid\": \"LogKeepAssumeRoles\",\n"
                           "      \"Effect\": \"Allow\",\n"
                           "      \"Action\": [\n"
                           "        \"sts:AssumeRole\"\n"
                           "      ],\n"
                           "      \"Resource\": [\n"
                           "        \"arn:aws:iam::1:role/R\",\n"
                           "        \"arn:aws:iam::2:role/R\"\n"
                           "      ]\n"
                           "    }\n"
                           "  ]\n"
                           "}\n");
    free(text);
}
END_TEST

/* The reads are exactly those of the types required, per Region; no write without enable. */
START_TEST(test_coverage_reads_of_the_types_required)
{
    struct lk_ir_scope *scope = s_scope(false);
    struct lk_ir_state *st0 = scope->pairs[0].state;
    s_cover(st0, LK_IR_PRODUCER_RESOLVER_QUERY_LOGS, "us-east-1");
    s_cover(st0, LK_IR_PRODUCER_EKS, "eu-west-1");
    s_cover(st0, LK_IR_PRODUCER_GUARDDUTY, "us-east-1");
    for (int purpose = LK_IAM_FOR_APPLY; purpose <= LK_IAM_FOR_DRIFT; purpose++) {
        struct lk_iam_policy_options o = {.purpose = (enum lk_iam_purpose)purpose};
        char *text = lk_iam_policy_account_json(scope, NULL, &o);
        cJSON *doc = cJSON_Parse(text);
        ck_assert_ptr_nonnull(doc);
        const cJSON *st = s_statement(doc, "LogKeepCoverageList");
        ck_assert(st && s_count(st, "Action") == 3 && s_has(st, "Action", "ec2:DescribeVpcs") &&
                  s_has(st, "Action", "eks:ListClusters") &&
                  s_has(st, "Action", "guardduty:ListDetectors"));
        ck_assert(s_count(st, "Resource") == 1 && s_has(st, "Resource", "*"));
        st = s_statement(doc, "LogKeepCoverageResolverRead");
        ck_assert(st && s_count(st, "Resource") == 1 &&
                  s_has(st, "Resource",
                        "arn:aws:route53resolver:us-east-1:" ACCT ":resolver-query-log-config/*"));
        st = s_statement(doc, "LogKeepCoverageClustersRead");
        ck_assert(st && s_count(st, "Resource") == 1 &&
                  s_has(st, "Resource", "arn:aws:eks:eu-west-1:" ACCT ":cluster/*"));
        st = s_statement(doc, "LogKeepCoverageDetectorsRead");
        ck_assert(st && s_has(st, "Action", "guardduty:DescribePublishingDestination") &&
                  s_has(st, "Resource", "arn:aws:guardduty:us-east-1:" ACCT ":detector/*"));
        ck_assert_ptr_null(strstr(text, "ec2:DescribeFlowLogs"));
        ck_assert_ptr_null(s_statement(doc, "LogKeepCoverageFirewallsRead"));
        ck_assert_ptr_null(strstr(text, "LogKeepEnable"));
        cJSON_Delete(doc);
        free(text);
    }
    lk_ir_scope_free(scope);
}
END_TEST

/* elasticloadbalancing:DescribeTags only where a balancer source selects by tags; RDS and
 * EKS tags need no action of their own. */
START_TEST(test_coverage_tags_read)
{
    struct lk_ir_scope *scope = s_scope(false);
    struct lk_ir_state *st0 = scope->pairs[0].state;
    s_cover(st0, LK_IR_PRODUCER_ELB, "eu-west-1");
    struct lk_ir_coverage *rds = s_cover(st0, LK_IR_PRODUCER_RDS, "eu-west-1");
    rds->tags = lk_arena_alloc(&st0->arena, sizeof(*rds->tags));
    rds->tags[0] = (struct lk_ir_tag){lk_ir_strdup(st0, "team"), lk_ir_strdup(st0, "a")};
    rds->n_tags = 1;
    struct lk_iam_policy_options o = {.purpose = LK_IAM_FOR_DRIFT};
    char *text = lk_iam_policy_account_json(scope, NULL, &o);
    ck_assert_ptr_nonnull(strstr(text, "elasticloadbalancing:DescribeLoadBalancers"));
    ck_assert_ptr_null(strstr(text, "elasticloadbalancing:DescribeTags"));
    ck_assert_ptr_null(strstr(text, "rds:ListTagsForResource"));
    free(text);
    /* An NLB source with a tags selector: the action joins the listing statement. */
    struct lk_ir_coverage *nlb = s_cover(st0, LK_IR_PRODUCER_NLB, "eu-west-1");
    nlb->tags = rds->tags;
    nlb->n_tags = 1;
    for (int purpose = LK_IAM_FOR_APPLY; purpose <= LK_IAM_FOR_DRIFT; purpose++) {
        o.purpose = (enum lk_iam_purpose)purpose;
        text = lk_iam_policy_account_json(scope, NULL, &o);
        cJSON *doc = cJSON_Parse(text);
        ck_assert_ptr_nonnull(doc);
        const cJSON *st = s_statement(doc, "LogKeepCoverageList");
        ck_assert(st && s_has(st, "Action", "elasticloadbalancing:DescribeTags") &&
                  s_has(st, "Action", "elasticloadbalancing:DescribeLoadBalancers"));
        ck_assert(s_count(st, "Resource") == 1 && s_has(st, "Resource", "*"));
        ck_assert_ptr_null(s_statement(doc, "LogKeepCoverageFirewallTagsRead"));
        /* Once, however many sources ask. */
        const char *first = strstr(text, "elasticloadbalancing:DescribeTags");
        ck_assert_ptr_null(strstr(first + 1, "elasticloadbalancing:DescribeTags"));
        cJSON_Delete(doc);
        free(text);
    }
    /* A firewall source with a tags selector: DescribeFirewall on the Region's firewalls. */
    struct lk_ir_coverage *fw = s_cover(st0, LK_IR_PRODUCER_NETWORK_FIREWALL, "eu-west-1");
    o.purpose = LK_IAM_FOR_DRIFT;
    text = lk_iam_policy_account_json(scope, NULL, &o);
    ck_assert_ptr_null(strstr(text, "network-firewall:DescribeFirewall"));
    free(text);
    fw->tags = rds->tags;
    fw->n_tags = 1;
    text = lk_iam_policy_account_json(scope, NULL, &o);
    cJSON *doc = cJSON_Parse(text);
    const cJSON *st = s_statement(doc, "LogKeepCoverageFirewallTagsRead");
    ck_assert(st && s_has(st, "Action", "network-firewall:DescribeFirewall") &&
              s_count(st, "Resource") == 1 &&
              s_has(st, "Resource", "arn:aws:network-firewall:eu-west-1:" ACCT ":firewall/*"));
    ck_assert_ptr_null(s_statement(doc, "LogKeepCoverageWebAclTagsRead"));
    cJSON_Delete(doc);
    free(text);
    /* A waf source with a tags selector: ListTagsForResource on the Region's web ACLs. */
    struct lk_ir_coverage *waf = s_cover(st0, LK_IR_PRODUCER_WAF, "eu-west-1");
    waf->tags = rds->tags;
    waf->n_tags = 1;
    text = lk_iam_policy_account_json(scope, NULL, &o);
    doc = cJSON_Parse(text);
    st = s_statement(doc, "LogKeepCoverageWebAclTagsRead");
    ck_assert(st && s_has(st, "Action", "wafv2:ListTagsForResource") &&
              s_count(st, "Resource") == 1 &&
              s_has(st, "Resource", "arn:aws:wafv2:eu-west-1:" ACCT ":regional/webacl/*"));
    cJSON_Delete(doc);
    free(text);
    lk_ir_scope_free(scope);
}
END_TEST

/* enable: the write calls, on the producers the requirement selects, in the apply document
 * only. */
START_TEST(test_coverage_enable_writes)
{
    struct lk_ir_scope *scope = s_scope(false);
    struct lk_ir_state *st0 = scope->pairs[0].state;
    struct lk_ir_coverage *c = s_cover(st0, LK_IR_PRODUCER_VPC_FLOW_LOGS, "eu-west-1");
    c->enable = true;
    s_dest(st0, c, LK_IR_DEST_S3, "net-" ACCT, "vpcflow/");
    s_list(st0, &c->ids, "vpc-0123abcd", NULL);
    c = s_cover(st0, LK_IR_PRODUCER_VPC_FLOW_LOGS, "us-east-1");
    c->enable = true;
    s_dest(st0, c, LK_IR_DEST_LOGS, NULL, NULL);
    c->delivery_role_arn = lk_ir_strdup(st0, "arn:aws:iam::" ACCT ":role/FlowLogs");
    c = s_cover(st0, LK_IR_PRODUCER_ELB, "us-east-1");
    c->enable = true;
    s_list(st0, &c->ids,
           "arn:aws:elasticloadbalancing:us-east-1:" ACCT ":loadbalancer/app/web/0123456789abcdef",
           "arn:aws:elasticloadbalancing:us-east-1:999988887777:loadbalancer/app/web/fedcba");
    c = s_cover(st0, LK_IR_PRODUCER_WAF, "us-east-1");
    c->enable = true;
    s_list(st0, &c->names, "shop-*", NULL);
    c = s_cover(st0, LK_IR_PRODUCER_NETWORK_FIREWALL, "us-east-1");
    c->enable = true;
    c = s_cover(st0, LK_IR_PRODUCER_GUARDDUTY, "us-east-1");
    c->enable = true;
    s_dest(st0, c, LK_IR_DEST_S3, "net-" ACCT, "guardduty/");
    c = s_cover(st0, LK_IR_PRODUCER_EKS, "us-east-1");
    c->enable = true;
    s_list(st0, &c->names, "prod-*", NULL);
    c = s_cover(st0, LK_IR_PRODUCER_RDS, "us-east-1");
    c->enable = true;
    s_list(st0, &c->ids, "orders", NULL);
    /* Without enable: reads only. */
    s_cover(st0, LK_IR_PRODUCER_CONFIG, "us-east-1");

    struct lk_iam_policy_options o = {.purpose = LK_IAM_FOR_APPLY};
    char *text = lk_iam_policy_account_json(scope, NULL, &o);
    cJSON *doc = cJSON_Parse(text);
    ck_assert_ptr_nonnull(doc);
    const cJSON *st = s_statement(doc, "LogKeepEnableFlowLogs");
    ck_assert(st && s_count(st, "Resource") == 4);
    ck_assert(s_has(st, "Resource", "arn:aws:ec2:eu-west-1:" ACCT ":vpc-flow-log/*") &&
              s_has(st, "Resource", "arn:aws:ec2:eu-west-1:" ACCT ":vpc/vpc-0123abcd") &&
              s_has(st, "Resource", "arn:aws:ec2:us-east-1:" ACCT ":vpc-flow-log/*") &&
              s_has(st, "Resource", "arn:aws:ec2:us-east-1:" ACCT ":vpc/*"));
    st = s_statement(doc, "LogKeepEnableFlowLogsPassRole");
    ck_assert(st && s_count(st, "Resource") == 1 &&
              s_has(st, "Resource", "arn:aws:iam::" ACCT ":role/FlowLogs"));
    /* The ARN of another account is not this document's. */
    st = s_statement(doc, "LogKeepEnableLoadBalancers");
    ck_assert(st && s_count(st, "Resource") == 1 &&
              s_has(st, "Resource",
                    "arn:aws:elasticloadbalancing:us-east-1:" ACCT
                    ":loadbalancer/app/web/0123456789abcdef"));
    /* Regional and, in us-east-1, CloudFront's web ACLs, by name. */
    st = s_statement(doc, "LogKeepEnableWebAcls");
    ck_assert(st && s_count(st, "Resource") == 2 &&
              s_has(st, "Resource", "arn:aws:wafv2:us-east-1:" ACCT ":regional/webacl/shop-*/*") &&
              s_has(st, "Resource", "arn:aws:wafv2:us-east-1:" ACCT ":global/webacl/shop-*/*"));
    st = s_statement(doc, "LogKeepEnableFirewalls");
    ck_assert(st &&
              s_has(st, "Resource", "arn:aws:network-firewall:us-east-1:" ACCT ":firewall/*"));
    st = s_statement(doc, "LogKeepEnableDetectorsBucketCheck");
    ck_assert(st && s_count(st, "Resource") == 2 &&
              s_has(st, "Resource", "arn:aws:s3:::net-" ACCT) &&
              s_has(st, "Resource", "arn:aws:s3:::net-" ACCT "/guardduty/*"));
    st = s_statement(doc, "LogKeepEnableClusters");
    ck_assert(st && s_count(st, "Resource") == 1 &&
              s_has(st, "Resource", "arn:aws:eks:us-east-1:" ACCT ":cluster/prod-*"));
    st = s_statement(doc, "LogKeepEnableDatabases");
    ck_assert(st && s_count(st, "Resource") == 2 &&
              s_has(st, "Resource", "arn:aws:rds:us-east-1:" ACCT ":db:orders") &&
              s_has(st, "Resource", "arn:aws:rds:us-east-1:" ACCT ":cluster:orders"));
    /* The log delivery of flow logs to S3, WAF and Network Firewall: the union. */
    st = s_statement(doc, "LogKeepEnableLogDelivery");
    ck_assert(st && s_count(st, "Action") == 5 && s_has(st, "Action", "logs:CreateLogDelivery") &&
              s_has(st, "Action", "logs:ListLogDeliveries") && s_has(st, "Resource", "*"));
    ck_assert_ptr_null(s_statement(doc, "LogKeepEnableConfig"));
    ck_assert_ptr_null(s_statement(doc, "LogKeepEnableResolverQueryLogs"));
    ck_assert_ptr_nonnull(strstr(text, "config:DescribeDeliveryChannels"));
    cJSON_Delete(doc);
    free(text);

    o.purpose = LK_IAM_FOR_DRIFT;
    text = lk_iam_policy_account_json(scope, NULL, &o);
    ck_assert_ptr_null(strstr(text, "LogKeepEnable"));
    ck_assert_ptr_nonnull(strstr(text, "LogKeepCoverageList"));
    free(text);
    lk_ir_scope_free(scope);
}
END_TEST

static Suite *s_suite(void)
{
    Suite *s = suite_create("iam_policy");
    TCase *tc = tcase_create("documents");
    tcase_add_test(tc, test_apply_document);
    tcase_add_test(tc, test_drift_document_reads_only);
    tcase_add_test(tc, test_organizations_reader_and_caller);
    tcase_add_test(tc, test_coverage_reads_of_the_types_required);
    tcase_add_test(tc, test_coverage_enable_writes);
    tcase_add_test(tc, test_coverage_tags_read);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return lk_test_run(s_suite());
}
