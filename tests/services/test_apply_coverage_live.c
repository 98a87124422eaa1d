/*
 * Integration tests: apply turning producers on (runtime/apply_coverage.c) over real HTTP against
 * the local AWS endpoint (tests/aws-endpoint): producers are seeded, read
 * (lk_coverage_read()), diffed (lk_diff_coverage()), the plan built and executed; a second read
 * finds every selected producer delivering and a second plan makes no call. A producer that
 * delivers elsewhere needs its allowance; nothing is turned off; the RDS call names the
 * database change.
 *
 * Run by tests/services/run; the suite works in Regions of its own.
 */
#include "../unit/lk_test.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir.h"
#include "query_live.h"
#include "runtime/apply.h"
#include "runtime/coverage.h"
#include "runtime/diff/diff.h"
#include "runtime/services/guardduty.h"
#include "runtime/services/netfw.h"
#include "runtime/services/s3.h"
#include "svc_live.h"
#include "svc_sources_live.h"

#define REGION "ap-northeast-3"
#define REGION_CWL "me-central-1"
#define REGION_EKS "af-south-1"
#define REGION_GD "sa-east-1"
#define ACCOUNT "111122223333"
#define NET "acme-apply-net-111122223333"

#define POLICY                                                                                     \
    "logkeep: 1\n"                                                                                 \
    "account: \"111122223333\"\n"                                                                  \
    "region: ap-northeast-3\n"                                                                     \
    "roles:\n"                                                                                     \
    "  readers: { principals: [\"arn:aws:iam::111122223333:role/Analyst\"], access: read }\n"      \
    "  admins: { principals: [\"arn:aws:iam::111122223333:role/LogAdmin\"], access: admin }\n"     \
    "stores:\n"                                                                                    \
    "  net:\n"                                                                                     \
    "    bucket: acme-apply-net-111122223333\n"                                                    \
    "    encryption: { kms_key: "                                                                  \
    "\"arn:aws:kms:ap-northeast-3:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\" }\n"     \
    "    readers: [readers]\n"                                                                     \
    "    admins: [admins]\n"                                                                       \
    "  elb:\n"                                                                                     \
    "    bucket: acme-apply-elb-111122223333\n"                                                    \
    "    readers: [readers]\n"                                                                     \
    "    admins: [admins]\n"                                                                       \
    "  waf-logs:\n"                                                                                \
    "    bucket: aws-waf-logs-apply-111122223333\n"                                                \
    "    readers: [readers]\n"                                                                     \
    "    admins: [admins]\n"                                                                       \
    "sources:\n"                                                                                   \
    "  flow:\n"                                                                                    \
    "    type: vpc-flow-logs\n"                                                                    \
    "    purpose: network forensics for incident response\n"                                       \
    "    store: net\n"                                                                             \
    "    prefix: vpcflow/\n"                                                                       \
    "    retention: { delete_after: 1y }\n"                                                        \
    "    enable: true\n"                                                                           \
    "  resolver:\n"                                                                                \
    "    type: route53-resolver-query-logs\n"                                                      \
    "    purpose: DNS exfiltration investigations\n"                                               \
    "    store: net\n"                                                                             \
    "    prefix: dns/\n"                                                                           \
    "    retention: { delete_after: 1y }\n"                                                        \
    "    enable: true\n"                                                                           \
    "  alb:\n"                                                                                     \
    "    type: elb-access-logs\n"                                                                  \
    "    purpose: reconstructing attacks on public endpoints\n"                                    \
    "    store: elb\n"                                                                             \
    "    prefix: alb/\n"                                                                           \
    "    retention: { delete_after: 1y }\n"                                                        \
    "    enable: true\n"                                                                           \
    "  waf:\n"                                                                                     \
    "    type: waf\n"                                                                              \
    "    purpose: reconstructing attacks on public endpoints\n"                                    \
    "    store: waf-logs\n"                                                                        \
    "    retention: { delete_after: 1y }\n"                                                        \
    "    enable: true\n"                                                                           \
    "  firewall:\n"                                                                                \
    "    type: network-firewall\n"                                                                 \
    "    purpose: network forensics for incident response\n"                                       \
    "    store: net\n"                                                                             \
    "    prefix: nfw/\n"                                                                           \
    "    retention: { delete_after: 1y }\n"                                                        \
    "    enable: true\n"                                                                           \
    "  config:\n"                                                                                  \
    "    type: config\n"                                                                           \
    "    purpose: configuration history for investigations\n"                                      \
    "    store: net\n"                                                                             \
    "    prefix: config/\n"                                                                        \
    "    retention: { delete_after: 1y }\n"                                                        \
    "    enable: true\n"                                                                           \
    "  gd:\n"                                                                                      \
    "    type: guardduty\n"                                                                        \
    "    purpose: threat findings for investigations\n"                                            \
    "    store: net\n"                                                                             \
    "    prefix: guardduty/\n"                                                                     \
    "    retention: { delete_after: 1y }\n"                                                        \
    "    enable: true\n"                                                                           \
    "  eks:\n"                                                                                     \
    "    type: eks-audit\n"                                                                        \
    "    purpose: investigating cluster compromise\n"                                              \
    "    retention: { delete_after: 1y }\n"                                                        \
    "    enable: true\n"                                                                           \
    "    log_types: [audit, authenticator]\n"                                                      \
    "  rds:\n"                                                                                     \
    "    type: rds\n"                                                                              \
    "    purpose: investigating database access\n"                                                 \
    "    retention: { delete_after: 1y }\n"                                                        \
    "    enable: true\n"                                                                           \
    ""

/* vpc-flow-logs into a log group, with the role CreateFlowLogs passes. */
#define POLICY_CWL                                                                                 \
    "logkeep: 1\n"                                                                                 \
    "account: \"111122223333\"\n"                                                                  \
    "region: " REGION_CWL "\n"                                                                     \
    "sources:\n"                                                                                   \
    "  flow-cwl:\n"                                                                                \
    "    type: vpc-flow-logs\n"                                                                    \
    "    purpose: network forensics for incident response\n"                                       \
    "    log_groups: /net/flow-logs\n"                                                             \
    "    retention: { delete_after: 1y }\n"                                                        \
    "    enable: true\n"                                                                           \
    "    delivery_role: FlowLogsDelivery\n"

static struct lk_aws_client g_client;

static void s_setup(void)
{
    lk_svc_client_from_env(&g_client);
}

static void s_teardown(void)
{
    lk_aws_client_free(&g_client);
}

static struct lk_ir_state *s_desired(const char *yaml)
{
    struct lk_policy *pol = lk_test_policy(yaml);
    for (size_t i = 0; i < pol->diags.n; i++)
        ck_assert_msg(pol->diags.items[i].severity == LK_SEV_NOTE, "%s: %s",
                      pol->diags.items[i].rule->id, pol->diags.items[i].message);
    struct lk_ir_state *d = lk_lower(pol);
    lk_policy_free(pol);
    return d;
}

/* The producers of @p region read for @p desired, and their diff. */
static struct lk_ir_state *s_read(const struct lk_ir_state *desired, const char *region,
                                  struct lk_diff *diff)
{
    struct lk_aws_error err = {0};
    struct lk_ir_state *live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, region);
    live->account = lk_ir_strdup(live, ACCOUNT);
    live->partition = lk_ir_strdup(live, "aws");
    OK(lk_coverage_read(&g_client, desired, NULL, live, NULL, &err), err);
    lk_diff_init(diff);
    ck_assert_int_eq(lk_diff_coverage(desired, live, diff), LK_STATUS_OK);
    return live;
}

/* Changes that are drift (not notes). */
static size_t s_drift(const struct lk_diff *diff)
{
    size_t n = 0;
    for (size_t i = 0; i < diff->n; i++)
        n += diff->changes[i].kind != LK_DIFF_NOTE;
    return n;
}

static size_t s_steps(const struct lk_apply_plan *plan, enum lk_apply_op op)
{
    size_t n = 0;
    for (size_t i = 0; i < plan->n; i++)
        n += plan->steps[i].op == op;
    return n;
}

static const struct lk_apply_step *s_step(const struct lk_apply_plan *plan, enum lk_apply_op op,
                                          const char *name)
{
    for (size_t i = 0; i < plan->n; i++)
        if (plan->steps[i].op == op && !strcmp(plan->steps[i].name, name))
            return &plan->steps[i];
    return NULL;
}

static const struct lk_ir_producer *s_find(const struct lk_ir_state *st, enum lk_ir_producer_type t,
                                           const char *id)
{
    for (size_t i = 0; i < st->n_producers; i++)
        if (st->producers[i].type == t && !strcmp(st->producers[i].id, id))
            return &st->producers[i];
    return NULL;
}

/* Every write call this suite's apply can make, as the endpoint counts them. */
static int s_writes(void)
{
    static const char *const ops[][2] = {
        {"ec2", "CreateFlowLogs"},
        {"route53resolver", "CreateResolverQueryLogConfig"},
        {"route53resolver", "AssociateResolverQueryLogConfig"},
        {"elbv2", "ModifyLoadBalancerAttributes"},
        {"wafv2", "PutLoggingConfiguration"},
        {"network-firewall", "UpdateLoggingConfiguration"},
        {"config", "PutDeliveryChannel"},
        {"config", "StartConfigurationRecorder"},
        {"guardduty", "CreatePublishingDestination"},
        {"eks", "UpdateClusterConfig"},
        {"rds", "ModifyDBInstance"},
        {"rds", "ModifyDBCluster"},
    };
    int n = 0;
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        n += lk_qlive_count(&g_client, ops[i][0], ops[i][1]);
    return n;
}

static char *s_missing_allows(const struct lk_diff *diff, const char *const *allow, size_t n,
                              size_t *count)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    *count = lk_apply_missing_allows(diff, allow, n, f);
    fclose(f);
    return text;
}

START_TEST(test_apply_turns_producers_on)
{
    struct lk_aws_error err = {0};
    /* The buckets the balancers and the Config channel deliver to (ELB and Config check them). */
    OK(lk_s3_create_bucket(&g_client, NET, REGION, false, &err), err);
    OK(lk_s3_create_bucket(&g_client, "acme-apply-elb-111122223333", REGION, false, &err), err);
    /* VPCs: a001 delivers, a002 has no flow log, a003 delivers to another team's bucket. Two
     * balancers: one without access logs, one logging to another bucket. Databases: a
     * PostgreSQL instance and an Aurora MySQL cluster (with a member instance), none exporting. */
    cJSON *made = lk_qlive_admin(
        &g_client, "POST", "/_admin/workloads",
        "{\"region\": \"" REGION "\", \"vpcs\": [{\"VpcId\": \"vpc-0000000000000a001\"},"
        "{\"VpcId\": \"vpc-0000000000000a002\"}, {\"VpcId\": \"vpc-0000000000000a003\"}],"
        "\"flow_logs\": ["
        "{\"ResourceId\": \"vpc-0000000000000a001\", \"LogDestinationType\": \"s3\","
        " \"LogDestination\": \"arn:aws:s3:::" NET "/vpcflow/\"},"
        "{\"ResourceId\": \"vpc-0000000000000a003\", \"LogDestinationType\": \"s3\","
        " \"LogDestination\": \"arn:aws:s3:::other-team-logs/flow/\"}],"
        "\"load_balancers\": [{\"LoadBalancerName\": \"web-off\"},"
        "{\"LoadBalancerName\": \"web-other\", \"attributes\": {\"access_logs.s3.enabled\": "
        "true, \"access_logs.s3.bucket\": \"other-elb-logs\", \"access_logs.s3.prefix\": "
        "\"x\"}}],"
        "\"db_clusters\": [{\"DBClusterIdentifier\": \"aurora-1\", \"Engine\": \"aurora-mysql\"}],"
        "\"db_instances\": [{\"DBInstanceIdentifier\": \"db-pg\", \"Engine\": \"postgres\"},"
        "{\"DBInstanceIdentifier\": \"aurora-1-a\", \"DBClusterIdentifier\": \"aurora-1\"}]}");
    size_t n_lbs = 0;
    char **lbs = lk_qlive_ids(made, "load_balancers", &n_lbs);
    cJSON_Delete(made);
    ck_assert_uint_eq(n_lbs, 2);
    cJSON_Delete(lk_src_seed(&g_client,
                             "{\"region\": \"" REGION "\", \"vpcs\": [\"vpc-0000000000000a001\","
                             "\"vpc-0000000000000a002\", \"vpc-0000000000000a003\"],"
                             "\"web_acls\": {\"REGIONAL\": [\"acl-web\"]},"
                             "\"firewalls\": [\"fw-partial\", \"fw-none\"],"
                             "\"recorders\": [{\"name\": \"default\", \"recording\": false}],"
                             "\"detectors\": 1,"
                             "\"clusters\": [\"c-audit\"], \"cluster_log_types\": [\"audit\"]}"));
    cJSON_Delete(
        lk_src_seed(&g_client, "{\"region\": \"" REGION "\", \"clusters\": [\"c-none\"]}"));
    /* fw-partial logs ALERT to the store already. */
    char alert[] = "ALERT", s3[] = "S3", bucket[] = NET, prefix[] = "nfw";
    struct lk_netfw_destination nd = {alert, s3, bucket, prefix, NULL, NULL};
    const char *fw_partial = "arn:aws:network-firewall:" REGION ":" ACCOUNT ":firewall/fw-partial";
    OK(lk_netfw_update_logging(&g_client, REGION, fw_partial, &nd, 1, &err), err);

    struct lk_ir_state *desired = s_desired(POLICY);
    struct lk_diff diff;
    struct lk_ir_state *live = s_read(desired, REGION, &diff);
    ck_assert_uint_eq(s_drift(&diff), 3 - 1 + 3 + 2 + 1 + 2 + 1 + 1 + 2 + 2);

    struct lk_apply_plan plan;
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build_coverage(desired, live, &diff, &plan), LK_STATUS_OK);
    ck_assert_uint_eq(s_steps(&plan, LK_APPLY_CREATE_FLOW_LOGS), 2);
    ck_assert_ptr_nonnull(s_step(&plan, LK_APPLY_CREATE_FLOW_LOGS, "vpc-0000000000000a002"));
    ck_assert_ptr_nonnull(s_step(&plan, LK_APPLY_CREATE_FLOW_LOGS, "vpc-0000000000000a003"));
    ck_assert_uint_eq(s_steps(&plan, LK_APPLY_CREATE_QUERY_LOG_CONFIG), 1);
    ck_assert_uint_eq(s_steps(&plan, LK_APPLY_ASSOCIATE_QUERY_LOG_CONFIG), 3);
    ck_assert_uint_eq(s_steps(&plan, LK_APPLY_ENABLE_ACCESS_LOGS), 2);
    ck_assert_uint_eq(s_steps(&plan, LK_APPLY_PUT_WAF_LOGGING), 1);
    ck_assert_uint_eq(s_steps(&plan, LK_APPLY_UPDATE_FIREWALL_LOGGING), 2);
    /* The partial firewall gains FLOW only: its ALERT stays as it is. */
    const struct lk_apply_step *st = s_step(&plan, LK_APPLY_UPDATE_FIREWALL_LOGGING, fw_partial);
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->log_types.n, 1);
    ck_assert_str_eq(st->log_types.items[0], "FLOW");
    ck_assert_uint_eq(s_steps(&plan, LK_APPLY_PUT_DELIVERY_CHANNEL), 1);
    ck_assert_uint_eq(s_steps(&plan, LK_APPLY_START_RECORDER), 1);
    ck_assert_uint_eq(s_steps(&plan, LK_APPLY_CREATE_PUBLISHING_DESTINATION), 1);
    ck_assert_uint_eq(s_steps(&plan, LK_APPLY_ENABLE_CLUSTER_LOGGING), 2);
    st = s_step(&plan, LK_APPLY_ENABLE_CLUSTER_LOGGING, "c-audit");
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->log_types.n, 1);
    ck_assert_str_eq(st->log_types.items[0], "authenticator");
    /* The databases: the instance by its engine's main log, the cluster for its members. */
    st = s_step(&plan, LK_APPLY_MODIFY_DB_INSTANCE, "db-pg");
    ck_assert_ptr_nonnull(st);
    ck_assert_str_eq(st->log_types.items[0], "postgresql");
    ck_assert_str_eq(lk_apply_step_effect(st),
                     "modifies the database: log exports, applied immediately, no restart");
    st = s_step(&plan, LK_APPLY_MODIFY_DB_CLUSTER, "aurora-1");
    ck_assert_ptr_nonnull(st);
    ck_assert_str_eq(st->log_types.items[0], "error");
    ck_assert_ptr_null(s_step(&plan, LK_APPLY_MODIFY_DB_INSTANCE, "aurora-1-a"));
    ck_assert_uint_eq(plan.n, 18);
    /* A query-log configuration before its associations; a channel before its recorder. */
    for (size_t i = 1; i < plan.n; i++)
        ck_assert_int_le(plan.steps[i - 1].op, plan.steps[i].op);

    /* Two producers deliver elsewhere: without their allowances apply is refused, and says
     * why. */
    char redirect_lb[512];
    snprintf(redirect_lb, sizeof(redirect_lb), "redirect:%s",
             strstr(lbs[0], "/web-other/") ? lbs[0] : lbs[1]);
    size_t missing = 0;
    char *text = s_missing_allows(&diff, NULL, 0, &missing);
    ck_assert_uint_eq(missing, 2);
    ck_assert_ptr_nonnull(strstr(text, "--allow redirect:vpc-0000000000000a003  (vpc-flow-logs"));
    ck_assert_ptr_nonnull(strstr(text, "s3://other-team-logs/flow/"));
    ck_assert_ptr_nonnull(strstr(text, redirect_lb));
    free(text);
    const char *allow[] = {"redirect:vpc-0000000000000a003", redirect_lb};
    text = s_missing_allows(&diff, allow, 1, &missing);
    ck_assert_uint_eq(missing, 1);
    free(text);
    text = s_missing_allows(&diff, allow, 2, &missing);
    ck_assert_uint_eq(missing, 0);
    free(text);

    int writes = s_writes();
    int flow_calls = lk_qlive_count(&g_client, "ec2", "CreateFlowLogs");
    OK(lk_apply_execute(&g_client, &plan, NULL, NULL, &err), err);
    for (size_t i = 0; i < plan.n; i++)
        ck_assert_int_eq(plan.steps[i].status, LK_APPLY_DONE);
    /* One CreateFlowLogs for both VPCs; Network Firewall one call per log type added. */
    ck_assert_int_eq(lk_qlive_count(&g_client, "ec2", "CreateFlowLogs") - flow_calls, 1);
    ck_assert_int_eq(s_writes() - writes, 1 + 1 + 3 + 2 + 1 + 3 + 1 + 1 + 1 + 2 + 2);

    /* Read again: every producer delivers, nothing left to do. */
    struct lk_diff diff2;
    struct lk_ir_state *live2 = s_read(desired, REGION, &diff2);
    for (size_t i = 0; i < diff2.n; i++)
        ck_assert_msg(diff2.changes[i].kind == LK_DIFF_NOTE, "left: %s %s %s",
                      diff2.changes[i].name, diff2.changes[i].attribute,
                      diff2.changes[i].live ? diff2.changes[i].live : "");
    struct lk_apply_plan plan2;
    lk_apply_plan_init(&plan2);
    ck_assert_int_eq(lk_apply_plan_build_coverage(desired, live2, &diff2, &plan2), LK_STATUS_OK);
    ck_assert_uint_eq(plan2.n, 0);
    writes = s_writes();
    OK(lk_apply_execute(&g_client, &plan2, NULL, NULL, &err), err);
    ck_assert_int_eq(s_writes(), writes);

    /* Nothing turned off: the other team's flow log, the firewall's ALERT and the cluster's
     * audit log are still on. */
    const struct lk_ir_producer *v3 =
        s_find(live2, LK_IR_PRODUCER_VPC_FLOW_LOGS, "vpc-0000000000000a003");
    ck_assert_ptr_nonnull(v3);
    ck_assert_uint_eq(v3->n_destinations, 2);
    bool other = false;
    for (size_t i = 0; i < v3->n_destinations; i++)
        other = other || !strcmp(v3->destinations[i].bucket, "other-team-logs");
    ck_assert(other);
    const struct lk_ir_producer *fw = s_find(live2, LK_IR_PRODUCER_NETWORK_FIREWALL, fw_partial);
    ck_assert_ptr_nonnull(fw);
    ck_assert_uint_eq(fw->n_destinations, 2);
    const struct lk_ir_producer *eks = s_find(live2, LK_IR_PRODUCER_EKS, "c-audit");
    ck_assert_ptr_nonnull(eks);
    ck_assert_uint_eq(eks->log_types.n, 2);

    lk_apply_plan_free(&plan2);
    lk_apply_plan_free(&plan);
    lk_diff_free(&diff2);
    lk_diff_free(&diff);
    lk_ir_state_free(live2);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
    lk_qlive_ids_free(lbs);
}
END_TEST

START_TEST(test_apply_flow_logs_to_log_group)
{
    struct lk_aws_error err = {0};
    lk_qlive_post(&g_client, "/_admin/workloads",
                  "{\"region\": \"" REGION_CWL "\", \"vpcs\": [{\"VpcId\": "
                  "\"vpc-0000000000000c001\"}]}");
    struct lk_ir_state *desired = s_desired(POLICY_CWL);
    struct lk_diff diff;
    struct lk_ir_state *live = s_read(desired, REGION_CWL, &diff);
    struct lk_apply_plan plan;
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build_coverage(desired, live, &diff, &plan), LK_STATUS_OK);
    ck_assert_uint_eq(plan.n, 1);
    ck_assert_int_eq(plan.steps[0].op, LK_APPLY_CREATE_FLOW_LOGS);
    ck_assert_str_eq(plan.steps[0].coverage->delivery_role_arn,
                     "arn:aws:iam::" ACCOUNT ":role/FlowLogsDelivery");
    OK(lk_apply_execute(&g_client, &plan, NULL, NULL, &err), err);

    /* The flow log names the log group and the role (DeliverLogsPermissionArn). */
    cJSON *state = lk_qlive_admin(&g_client, "GET", "/_admin/workloads", NULL);
    char *dump = cJSON_PrintUnformatted(state);
    ck_assert_ptr_nonnull(strstr(dump, "\"LogGroupName\":\"/net/flow-logs\""));
    ck_assert_ptr_nonnull(strstr(dump, "role/FlowLogsDelivery"));
    free(dump);
    cJSON_Delete(state);

    struct lk_diff diff2;
    struct lk_ir_state *live2 = s_read(desired, REGION_CWL, &diff2);
    ck_assert_uint_eq(s_drift(&diff2), 0);
    lk_diff_free(&diff2);
    lk_ir_state_free(live2);
    lk_apply_plan_free(&plan);
    lk_diff_free(&diff);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
}
END_TEST

/* eks-audit only, in a Region of its own. */
#define POLICY_EKS                                                                                 \
    "logkeep: 1\n"                                                                                 \
    "account: \"111122223333\"\n"                                                                  \
    "region: " REGION_EKS "\n"                                                                     \
    "sources:\n"                                                                                   \
    "  eks:\n"                                                                                     \
    "    type: eks-audit\n"                                                                        \
    "    purpose: investigating cluster compromise\n"                                              \
    "    retention: { delete_after: 1y }\n"                                                        \
    "    enable: true\n"

START_TEST(test_apply_cluster_update_in_progress)
{
    /* AWS refuses a second update of a cluster while one is in progress
     * (ResourceInUseException): apply stops there, the call marked failed, the ones before
     * done. */
    struct lk_aws_error err = {0};
    cJSON_Delete(lk_src_seed(&g_client, "{\"region\": \"" REGION_EKS "\", \"clusters\": "
                                        "[\"c-1\", \"c-2\"], \"clusters_updating\": [\"c-2\"]}"));
    struct lk_ir_state *desired = s_desired(POLICY_EKS);
    struct lk_diff diff;
    struct lk_ir_state *live = s_read(desired, REGION_EKS, &diff);
    struct lk_apply_plan plan;
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build_coverage(desired, live, &diff, &plan), LK_STATUS_OK);
    ck_assert_uint_eq(plan.n, 2);
    ck_assert_int_eq(lk_apply_execute(&g_client, &plan, NULL, NULL, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "ResourceInUseException");
    ck_assert_int_eq(err.http_status, 409);
    ck_assert_int_eq(plan.steps[0].status, LK_APPLY_DONE);
    ck_assert_str_eq(plan.steps[0].name, "c-1");
    ck_assert_int_eq(plan.steps[1].status, LK_APPLY_FAILED);
    lk_aws_error_clear(&err);

    /* c-1 delivers now; c-2 still does not. */
    struct lk_diff diff2;
    struct lk_ir_state *live2 = s_read(desired, REGION_EKS, &diff2);
    ck_assert_uint_eq(s_drift(&diff2), 1);
    ck_assert_ptr_nonnull(lk_diff_find(&diff2, LK_DIFF_PRODUCER, "c-2", "eks-audit[eks]"));
    lk_diff_free(&diff2);
    lk_ir_state_free(live2);
    lk_apply_plan_free(&plan);
    lk_diff_free(&diff);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
}
END_TEST

/* guardduty only, in a Region of its own: a detector exporting to another team's bucket. */
#define GD_KEY "arn:aws:kms:" REGION_GD ":111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
#define POLICY_GD                                                                                  \
    "logkeep: 1\n"                                                                                 \
    "account: \"111122223333\"\n"                                                                  \
    "region: " REGION_GD "\n"                                                                      \
    "roles:\n"                                                                                     \
    "  readers: { principals: [\"arn:aws:iam::111122223333:role/Analyst\"], access: read }\n"      \
    "  admins: { principals: [\"arn:aws:iam::111122223333:role/LogAdmin\"], access: admin }\n"     \
    "stores:\n"                                                                                    \
    "  findings:\n"                                                                                \
    "    bucket: acme-apply-gd-111122223333\n"                                                     \
    "    encryption: { kms_key: \"" GD_KEY "\" }\n"                                                \
    "    readers: [readers]\n"                                                                     \
    "    admins: [admins]\n"                                                                       \
    "sources:\n"                                                                                   \
    "  gd:\n"                                                                                      \
    "    type: guardduty\n"                                                                        \
    "    purpose: threat findings for investigations\n"                                            \
    "    store: findings\n"                                                                        \
    "    prefix: guardduty/\n"                                                                     \
    "    retention: { delete_after: 1y }\n"                                                        \
    "    enable: true\n"

START_TEST(test_apply_guardduty_redirect)
{
    /* A detector whose one export goes to another team's bucket: apply asks for
     * --allow redirect:<detector>, then points that export at the store
     * (UpdatePublishingDestination) instead of adding a second one. */
    struct lk_aws_error err = {0};
    cJSON *seeded = lk_src_seed(&g_client, "{\"region\": \"" REGION_GD "\", \"detectors\": 1}");
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(seeded, "detectors");
    ck_assert(cJSON_IsArray(ids) && cJSON_GetArraySize(ids) == 1);
    char *detector = strdup(cJSON_GetArrayItem(ids, 0)->valuestring);
    cJSON_Delete(seeded);
    struct lk_guardduty_listing l;
    lk_guardduty_listing_init(&l);
    OK(lk_guardduty_create_destination(&g_client, REGION_GD, detector,
                                       "arn:aws:s3:::other-team-findings/gd/", GD_KEY, &l, NULL,
                                       &err),
       err);
    lk_guardduty_listing_free(&l);

    struct lk_ir_state *desired = s_desired(POLICY_GD);
    struct lk_diff diff;
    struct lk_ir_state *live = s_read(desired, REGION_GD, &diff);
    ck_assert_uint_eq(s_drift(&diff), 1);
    struct lk_apply_plan plan;
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build_coverage(desired, live, &diff, &plan), LK_STATUS_OK);
    ck_assert_uint_eq(plan.n, 1);
    ck_assert_int_eq(plan.steps[0].op, LK_APPLY_UPDATE_PUBLISHING_DESTINATION);
    ck_assert_str_eq(plan.steps[0].name, detector);

    /* The redirect needs its allowance, named with where the detector exports now. */
    char allow_name[128];
    snprintf(allow_name, sizeof(allow_name), "redirect:%s", detector);
    size_t missing = 0;
    char *text = s_missing_allows(&diff, NULL, 0, &missing);
    ck_assert_uint_eq(missing, 1);
    ck_assert_ptr_nonnull(strstr(text, allow_name));
    ck_assert_ptr_nonnull(strstr(text, "s3://other-team-findings/gd/"));
    free(text);
    const char *allow[] = {allow_name};
    text = s_missing_allows(&diff, allow, 1, &missing);
    ck_assert_uint_eq(missing, 0);
    free(text);

    int created = lk_qlive_count(&g_client, "guardduty", "CreatePublishingDestination");
    int updated = lk_qlive_count(&g_client, "guardduty", "UpdatePublishingDestination");
    OK(lk_apply_execute(&g_client, &plan, NULL, NULL, &err), err);
    ck_assert_int_eq(plan.steps[0].status, LK_APPLY_DONE);
    ck_assert_int_eq(lk_qlive_count(&g_client, "guardduty", "CreatePublishingDestination"),
                     created);
    ck_assert_int_eq(lk_qlive_count(&g_client, "guardduty", "UpdatePublishingDestination"),
                     updated + 1);

    /* Read again: the detector's one export delivers to the store. */
    struct lk_diff diff2;
    struct lk_ir_state *live2 = s_read(desired, REGION_GD, &diff2);
    ck_assert_uint_eq(s_drift(&diff2), 0);
    const struct lk_ir_producer *p = s_find(live2, LK_IR_PRODUCER_GUARDDUTY, detector);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(p->n_destinations, 1);
    ck_assert_str_eq(p->destinations[0].bucket, "acme-apply-gd-111122223333");

    lk_diff_free(&diff2);
    lk_ir_state_free(live2);
    lk_apply_plan_free(&plan);
    lk_diff_free(&diff);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
    free(detector);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("apply_coverage_live");
    TCase *tc = tcase_create("apply");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_apply_turns_producers_on);
    tcase_add_test(tc, test_apply_flow_logs_to_log_group);
    tcase_add_test(tc, test_apply_cluster_update_in_progress);
    tcase_add_test(tc, test_apply_guardduty_redirect);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
