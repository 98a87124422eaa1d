/*
 * Integration tests: reading producers into the live state (runtime/coverage.c) over real HTTP
 * against the local AWS endpoint (tests/aws-endpoint): VPC flow logs, load balancers, Network
 * Firewall, and a refused EKS listing; tags selectors on balancers, RDS and EKS. Requests are
 * counted by the endpoint.
 *
 * Run by tests/services/run; the suite works in a Region of its own.
 */
#include "../unit/lk_test.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir.h"
#include "query_live.h"
#include "runtime/coverage.h"
#include "runtime/diff/diff.h"
#include "runtime/live.h"
#include "runtime/services/guardduty.h"
#include "runtime/services/elbv2.h"
#include "runtime/services/netfw.h"
#include "runtime/services/query.h"
#include "runtime/services/resolver.h"
#include "runtime/services/wafv2.h"
#include "runtime/state_json.h"
#include "svc_live.h"
#include "svc_sources_live.h"

#define REGION "ca-west-1"
#define ACCOUNT "111122223333"

static struct lk_aws_client g_client;

static void s_setup(void)
{
    lk_svc_client_from_env(&g_client);
}

static void s_teardown(void)
{
    lk_aws_client_free(&g_client);
}

static int s_new_client(void *ctx, struct lk_aws_client *out, struct lk_aws_error *err)
{
    (void)ctx;
    (void)err;
    lk_svc_client_from_env(out);
    return 0;
}

static const struct lk_ir_producer *s_find(const struct lk_ir_state *st, enum lk_ir_producer_type t,
                                           const char *id)
{
    for (size_t i = 0; i < st->n_producers; i++)
        if (st->producers[i].type == t && strcmp(st->producers[i].id, id) == 0)
            return &st->producers[i];
    return NULL;
}

static size_t s_count(const struct lk_ir_state *st, enum lk_ir_producer_type t)
{
    size_t n = 0;
    for (size_t i = 0; i < st->n_producers; i++)
        n += st->producers[i].type == t;
    return n;
}

static void s_require(struct lk_ir_state *d, enum lk_ir_producer_type t)
{
    struct lk_ir_coverage *c = lk_arena_alloc(&d->arena, (d->n_coverages + 1) * sizeof(*c));
    if (d->n_coverages)
        memcpy(c, d->coverages, d->n_coverages * sizeof(*c));
    memset(&c[d->n_coverages], 0, sizeof(*c));
    c[d->n_coverages].type = t;
    c[d->n_coverages].region = lk_ir_strdup(d, d->region ? d->region : REGION);
    c[d->n_coverages].source = lk_ir_strdup(d, "src");
    d->coverages = c;
    d->n_coverages++;
}

static int s_count_of(const char *svc, const char *op);

/* The sum of the endpoint's counts of the calls a read makes. */
static int s_requests(void)
{
    static const char *const ops[][2] = {
        {"ec2", "DescribeVpcs"},
        {"ec2", "DescribeFlowLogs"},
        {"elbv2", "DescribeLoadBalancers"},
        {"elbv2", "DescribeLoadBalancerAttributes"},
        {"network-firewall", "ListFirewalls"},
        {"network-firewall", "DescribeLoggingConfiguration"},
        {"eks", "ListClusters"},
        {"eks", "DescribeCluster"},
        {"rds", "DescribeDBInstances"},
    };
    int n = 0;
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        n += lk_qlive_count(&g_client, ops[i][0], ops[i][1]);
    return n;
}

START_TEST(test_read_producers)
{
    struct lk_aws_error err = {0};
    /* Three VPCs: one logging ALL to the store's folder, one ACCEPT only to a log group, one
     * not at all. Seven load balancers: six application (none logging), one network logging. */
    lk_qlive_post(&g_client, "/_admin/workloads",
                  "{\"region\": \"" REGION "\", \"vpcs\": ["
                  "{\"VpcId\": \"vpc-0000000000000a001\", \"Tags\": [{\"Key\": \"Name\","
                  " \"Value\": \"prod-a\"}, {\"Key\": \"env\", \"Value\": \"prod\"}]},"
                  "{\"VpcId\": \"vpc-0000000000000a002\"},"
                  "{\"VpcId\": \"vpc-0000000000000a003\"}],"
                  "\"flow_logs\": ["
                  "{\"ResourceId\": \"vpc-0000000000000a001\", \"LogDestinationType\": \"s3\","
                  " \"LogDestination\": \"arn:aws:s3:::acme-net/vpcflow/\"},"
                  "{\"ResourceId\": \"vpc-0000000000000a002\", \"TrafficType\": \"ACCEPT\","
                  " \"LogDestinationType\": \"cloud-watch-logs\", \"LogGroupName\": \"/vpc/flow\","
                  " \"LogDestination\": "
                  "\"arn:aws:logs:" REGION ":" ACCOUNT ":log-group:/vpc/flow\","
                  " \"DeliverLogsPermissionArn\": \"arn:aws:iam::" ACCOUNT ":role/fl\"}],"
                  "\"load_balancers\": ["
                  "{\"LoadBalancerName\": \"nlb-logging\", \"Type\": \"network\", \"attributes\": "
                  "{\"access_logs.s3.enabled\": true, \"access_logs.s3.bucket\": \"acme-elb\", "
                  "\"access_logs.s3.prefix\": \"nlb\"}}]}");
    lk_qlive_post(&g_client, "/_admin/workloads",
                  "{\"region\": \"" REGION "\", \"load_balancers\": {\"count\": 6, "
                  "\"prefix\": \"app-\"}}");
    cJSON_Delete(lk_src_seed(&g_client, "{\"region\": \"" REGION "\", \"firewalls\": "
                                        "{\"prefix\": \"cfw-\", \"count\": 2}}"));
    /* The first firewall logs ALERT to the store (one change per call, as the API requires). */
    struct lk_netfw_listing l;
    lk_netfw_listing_init(&l);
    OK(lk_netfw_list(&g_client, REGION, 0, &l, &err), err);
    ck_assert_uint_eq(l.n_firewalls, 2);
    char *fw_arn = lk_xstrdup(l.firewalls[0].arn);
    lk_netfw_listing_free(&l);
    char alert[] = "ALERT", s3[] = "S3", bucket[] = "acme-fw", prefix[] = "alerts";
    struct lk_netfw_destination d = {alert, s3, bucket, prefix, NULL, NULL};
    OK(lk_netfw_update_logging(&g_client, REGION, fw_arn, &d, 1, &err), err);
    /* EKS refuses the listing. */
    ck_assert_int_eq(lk_svc_admin(&g_client, "POST", "/_admin/faults",
                                  "{\"kind\": \"error\", \"service\": \"eks\", \"operation\": "
                                  "\"ListClusters\", \"status\": 403, \"code\": "
                                  "\"AccessDeniedException\", \"count\": 1}",
                                  NULL),
                     200);

    struct lk_ir_state *desired = lk_ir_state_new();
    desired->region = lk_ir_strdup(desired, REGION);
    desired->account = lk_ir_strdup(desired, ACCOUNT);
    desired->partition = lk_ir_strdup(desired, "aws");
    s_require(desired, LK_IR_PRODUCER_VPC_FLOW_LOGS);
    s_require(desired, LK_IR_PRODUCER_ELB);
    s_require(desired, LK_IR_PRODUCER_NLB);
    s_require(desired, LK_IR_PRODUCER_NETWORK_FIREWALL);
    s_require(desired, LK_IR_PRODUCER_EKS);
    struct lk_ir_state *live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, REGION);
    live->account = lk_ir_strdup(live, ACCOUNT);
    live->partition = lk_ir_strdup(live, "aws");

    int before = s_requests();
    struct lk_coverage_options opts = {.concurrency = 3, .new_client = s_new_client};
    struct lk_coverage_report rep;
    OK(lk_coverage_read(&g_client, desired, &opts, live, &rep, &err), err);
    int made = s_requests() - before;

    /* The API minimum: one page of VPCs, of flow logs, of balancers, of firewalls and of EKS
     * clusters (refused), plus the per-resource calls the APIs have no list for: 7 balancer
     * attribute reads and 2 firewall logging reads. RDS is not read (no requirement). */
    ck_assert_int_eq(made, 5 + 7 + 2);
    ck_assert_uint_eq(rep.requests, (size_t)made);
    ck_assert_int_eq(rep.threads, 3);
    ck_assert_uint_eq(rep.unreadable, 1);
    ck_assert_uint_eq(rep.producers, 3 + 7 + 2 + 1);
    ck_assert_uint_eq(live->n_producers, 13);
    ck_assert_uint_eq(s_count(live, LK_IR_PRODUCER_VPC_FLOW_LOGS), 3);
    ck_assert_uint_eq(s_count(live, LK_IR_PRODUCER_ELB), 6);
    ck_assert_uint_eq(s_count(live, LK_IR_PRODUCER_NLB), 1);
    ck_assert_uint_eq(s_count(live, LK_IR_PRODUCER_NETWORK_FIREWALL), 2);
    ck_assert_uint_eq(s_count(live, LK_IR_PRODUCER_RDS), 0);

    const struct lk_ir_producer *v1 =
        s_find(live, LK_IR_PRODUCER_VPC_FLOW_LOGS, "vpc-0000000000000a001");
    ck_assert_ptr_nonnull(v1);
    ck_assert_uint_eq(v1->n_destinations, 1);
    ck_assert_int_eq(v1->destinations[0].kind, LK_IR_DEST_S3);
    ck_assert_str_eq(v1->destinations[0].arn, "arn:aws:s3:::acme-net");
    ck_assert_str_eq(v1->destinations[0].bucket, "acme-net");
    ck_assert_str_eq(v1->destinations[0].prefix, "vpcflow/");
    ck_assert_str_eq(v1->destinations[0].traffic_type, "ALL");
    ck_assert_str_eq(v1->name, "prod-a");
    ck_assert_uint_eq(v1->n_tags, 2);
    ck_assert_str_eq(v1->tags[0].key, "Name");
    ck_assert_str_eq(v1->tags[1].key, "env");
    ck_assert_str_eq(v1->tags[1].value, "prod");
    const struct lk_ir_producer *v2 =
        s_find(live, LK_IR_PRODUCER_VPC_FLOW_LOGS, "vpc-0000000000000a002");
    ck_assert_ptr_nonnull(v2);
    ck_assert_uint_eq(v2->n_destinations, 1);
    ck_assert_int_eq(v2->destinations[0].kind, LK_IR_DEST_LOGS);
    ck_assert_str_eq(v2->destinations[0].log_group, "/vpc/flow");
    ck_assert_str_eq(v2->destinations[0].traffic_type, "ACCEPT");
    const struct lk_ir_producer *v3 =
        s_find(live, LK_IR_PRODUCER_VPC_FLOW_LOGS, "vpc-0000000000000a003");
    ck_assert_ptr_nonnull(v3);
    ck_assert_uint_eq(v3->n_destinations, 0);
    ck_assert_ptr_null(v3->name);
    ck_assert_uint_eq(v3->n_tags, 0);
    ck_assert_ptr_null(v3->error);

    const struct lk_ir_producer *nlb = NULL;
    for (size_t i = 0; i < live->n_producers; i++)
        if (live->producers[i].type == LK_IR_PRODUCER_NLB)
            nlb = &live->producers[i];
    ck_assert_ptr_nonnull(nlb);
    ck_assert_str_eq(nlb->name, "nlb-logging");
    ck_assert_str_eq(nlb->id, nlb->arn);
    ck_assert(nlb->enabled);
    ck_assert_uint_eq(nlb->n_destinations, 1);
    ck_assert_str_eq(nlb->destinations[0].arn, "arn:aws:s3:::acme-elb");
    ck_assert_str_eq(nlb->destinations[0].prefix, "nlb");
    for (size_t i = 0; i < live->n_producers; i++)
        if (live->producers[i].type == LK_IR_PRODUCER_ELB) {
            ck_assert(!live->producers[i].enabled);
            ck_assert_uint_eq(live->producers[i].n_destinations, 0);
            ck_assert_ptr_null(live->producers[i].error);
        }

    const struct lk_ir_producer *fw = s_find(live, LK_IR_PRODUCER_NETWORK_FIREWALL, fw_arn);
    ck_assert_ptr_nonnull(fw);
    ck_assert_uint_eq(fw->n_destinations, 1);
    ck_assert_str_eq(fw->destinations[0].log_type, "ALERT");
    ck_assert_str_eq(fw->destinations[0].bucket, "acme-fw");
    ck_assert_str_eq(fw->destinations[0].prefix, "alerts");

    const struct lk_ir_producer *eks = s_find(live, LK_IR_PRODUCER_EKS, "*");
    ck_assert_ptr_nonnull(eks);
    ck_assert_str_eq(eks->error, "AccessDeniedException");

    /* How they stand, with the shared matching rules: the flow log ACCEPT-only is partly, the
     * VPC without one missing, EKS unreadable. */
    struct lk_ir_coverage want = {0};
    struct lk_ir_destination store = {.kind = LK_IR_DEST_S3};
    char arn[] = "arn:aws:s3:::acme-net", bkt[] = "acme-net", pfx[] = "vpcflow/", all[] = "ALL";
    store.arn = arn;
    store.bucket = bkt;
    store.prefix = pfx;
    want.type = LK_IR_PRODUCER_VPC_FLOW_LOGS;
    want.destinations = &store;
    want.n_destinations = 1;
    want.traffic_type = all;
    ck_assert_int_eq(lk_ir_coverage_check(&want, v1, NULL), LK_IR_COVERAGE_DELIVERS);
    ck_assert_int_eq(lk_ir_coverage_check(&want, v2, NULL), LK_IR_COVERAGE_ELSEWHERE);
    ck_assert_int_eq(lk_ir_coverage_check(&want, v3, NULL), LK_IR_COVERAGE_MISSING);
    want.type = LK_IR_PRODUCER_EKS;
    want.n_destinations = 0;
    want.traffic_type = NULL;
    ck_assert_int_eq(lk_ir_coverage_check(&want, eks, NULL), LK_IR_COVERAGE_UNREADABLE);

    free(fw_arn);
    lk_ir_state_free(desired);
    lk_ir_state_free(live);
}
END_TEST

/* No requirement: nothing is read. */
START_TEST(test_nothing_required)
{
    struct lk_aws_error err = {0};
    struct lk_ir_state *desired = lk_ir_state_new();
    struct lk_ir_state *live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, REGION);
    int before = s_requests();
    struct lk_coverage_report rep;
    OK(lk_coverage_read(&g_client, desired, NULL, live, &rep, &err), err);
    ck_assert_int_eq(s_requests() - before, 0);
    ck_assert_uint_eq(rep.requests, 0);
    ck_assert_uint_eq(live->n_producers, 0);
    lk_ir_state_free(desired);
    lk_ir_state_free(live);
}
END_TEST

/* A Region without a VPC: DescribeVpcs is the whole read of both VPC types (no flow log or
 * query-logging listing: nothing could match). */
START_TEST(test_no_vpcs)
{
    struct lk_aws_error err = {0};
    struct lk_ir_state *desired = lk_ir_state_new();
    desired->region = lk_ir_strdup(desired, "ap-southeast-4");
    s_require(desired, LK_IR_PRODUCER_VPC_FLOW_LOGS);
    s_require(desired, LK_IR_PRODUCER_RESOLVER_QUERY_LOGS);
    struct lk_ir_state *live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, "ap-southeast-4");
    int vpcs = s_count_of("ec2", "DescribeVpcs"), flows = s_count_of("ec2", "DescribeFlowLogs"),
        configs = s_count_of("route53resolver", "ListResolverQueryLogConfigs"),
        assocs = s_count_of("route53resolver", "ListResolverQueryLogConfigAssociations");
    struct lk_coverage_report rep;
    OK(lk_coverage_read(&g_client, desired, NULL, live, &rep, &err), err);
    ck_assert_int_eq(s_count_of("ec2", "DescribeVpcs") - vpcs, 1);
    ck_assert_int_eq(s_count_of("ec2", "DescribeFlowLogs") - flows, 0);
    ck_assert_int_eq(s_count_of("route53resolver", "ListResolverQueryLogConfigs") - configs, 0);
    ck_assert_int_eq(
        s_count_of("route53resolver", "ListResolverQueryLogConfigAssociations") - assocs, 0);
    ck_assert_uint_eq(rep.requests, 1);
    ck_assert_uint_eq(live->n_producers, 0);
    lk_ir_state_free(desired);
    lk_ir_state_free(live);
}
END_TEST

/* lk_live_read() with read_producers: the producers join the live state, their requests the
 * report's; without it nothing of them is read. */
START_TEST(test_live_read_producers)
{
    struct lk_aws_error err = {0};
    lk_qlive_post(&g_client, "/_admin/workloads",
                  "{\"region\": \"" REGION "\", \"db_instances\": ["
                  "{\"DBInstanceIdentifier\": \"cov-db\", \"Engine\": \"postgres\","
                  " \"EnabledCloudwatchLogsExports\": [\"postgresql\"]}]}");
    struct lk_ir_state *desired = lk_ir_state_new();
    desired->region = lk_ir_strdup(desired, REGION);
    desired->account = lk_ir_strdup(desired, ACCOUNT);
    desired->partition = lk_ir_strdup(desired, "aws");
    s_require(desired, LK_IR_PRODUCER_RDS);
    for (int with = 0; with < 2; with++) {
        struct lk_ir_state *live = lk_ir_state_new();
        struct lk_live_options lo = {.read_producers = with == 1};
        struct lk_live_report rep;
        int before = lk_qlive_count(&g_client, "rds", "DescribeDBInstances") +
                     lk_qlive_count(&g_client, "rds", "DescribeDBClusters");
        OK(lk_live_read(&g_client, desired, &lo, live, &rep, &err), err);
        int made = lk_qlive_count(&g_client, "rds", "DescribeDBInstances") +
                   lk_qlive_count(&g_client, "rds", "DescribeDBClusters") - before;
        ck_assert_int_eq(made, with ? 2 : 0);
        ck_assert_uint_eq(rep.producer_requests, (size_t)made);
        ck_assert_uint_eq(live->n_producers, with ? 1 : 0);
        if (with) {
            const struct lk_ir_producer *db = s_find(live, LK_IR_PRODUCER_RDS, "cov-db");
            ck_assert_ptr_nonnull(db);
            ck_assert_str_eq(db->engine, "postgres");
            ck_assert_uint_eq(db->log_types.n, 1);
            ck_assert_str_eq(db->log_types.items[0], "postgresql");
        }
        lk_live_report_free(&rep);
        lk_ir_state_free(live);
    }
    lk_ir_state_free(desired);
}
END_TEST

/* EKS: one ListClusters page, then DescribeCluster per cluster over four threads; one refused
 * DescribeCluster makes that cluster unreadable, not the read a failure. */
START_TEST(test_eks_spread)
{
    struct lk_aws_error err = {0};
    cJSON_Delete(lk_src_seed(&g_client, "{\"region\": \"" REGION "\", \"clusters\": "
                                        "{\"prefix\": \"cov-\", \"count\": 9}, "
                                        "\"cluster_log_types\": [\"audit\", \"api\"]}"));
    ck_assert_int_eq(lk_svc_admin(&g_client, "POST", "/_admin/faults",
                                  "{\"kind\": \"error\", \"service\": \"eks\", \"operation\": "
                                  "\"DescribeCluster\", \"status\": 403, \"code\": "
                                  "\"AccessDeniedException\", \"count\": 1}",
                                  NULL),
                     200);
    struct lk_ir_state *desired = lk_ir_state_new();
    desired->region = lk_ir_strdup(desired, REGION);
    s_require(desired, LK_IR_PRODUCER_EKS);
    struct lk_ir_state *live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, REGION);
    live->account = lk_ir_strdup(live, ACCOUNT);
    int before = lk_qlive_count(&g_client, "eks", "ListClusters") +
                 lk_qlive_count(&g_client, "eks", "DescribeCluster");
    struct lk_coverage_options opts = {.concurrency = 4, .new_client = s_new_client};
    struct lk_coverage_report rep;
    OK(lk_coverage_read(&g_client, desired, &opts, live, &rep, &err), err);
    int made = lk_qlive_count(&g_client, "eks", "ListClusters") +
               lk_qlive_count(&g_client, "eks", "DescribeCluster") - before;
    ck_assert_int_eq(made, 1 + 9);
    ck_assert_uint_eq(rep.requests, 10);
    ck_assert_int_eq(rep.threads, 4);
    ck_assert_uint_eq(live->n_producers, 9);
    size_t refused = 0;
    for (size_t i = 0; i < live->n_producers; i++) {
        const struct lk_ir_producer *p = &live->producers[i];
        ck_assert_int_eq(p->type, LK_IR_PRODUCER_EKS);
        ck_assert(strncmp(p->id, "cov-", 4) == 0);
        if (p->error != NULL) {
            ck_assert_str_eq(p->error, "AccessDeniedException");
            refused++;
            continue;
        }
        ck_assert_ptr_nonnull(p->arn);
        ck_assert_uint_eq(p->log_types.n, 2);
        ck_assert_str_eq(p->log_types.items[0], "api");
        ck_assert_str_eq(p->log_types.items[1], "audit");
    }
    ck_assert_uint_eq(refused, 1);
    lk_ir_state_free(desired);
    lk_ir_state_free(live);
}
END_TEST

/* A JSON 1.1 service's refusal (HTTP 400 AccessDeniedException) is a refusal too: Network
 * Firewall unreadable; any other error fails the read. */
START_TEST(test_refusal_400)
{
    struct lk_aws_error err = {0};
    struct lk_ir_state *desired = lk_ir_state_new();
    desired->region = lk_ir_strdup(desired, REGION);
    s_require(desired, LK_IR_PRODUCER_NETWORK_FIREWALL);
    struct lk_ir_state *live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, REGION);
    ck_assert_int_eq(lk_svc_admin(&g_client, "POST", "/_admin/faults",
                                  "{\"kind\": \"error\", \"service\": \"network-firewall\", "
                                  "\"operation\": \"ListFirewalls\", \"status\": 400, \"code\": "
                                  "\"AccessDeniedException\", \"count\": 1}",
                                  NULL),
                     200);
    struct lk_coverage_report rep;
    OK(lk_coverage_read(&g_client, desired, NULL, live, &rep, &err), err);
    ck_assert_uint_eq(live->n_producers, 1);
    ck_assert_str_eq(live->producers[0].id, "*");
    ck_assert_str_eq(live->producers[0].error, "AccessDeniedException");
    ck_assert_uint_eq(rep.unreadable, 1);

    ck_assert_int_eq(lk_svc_admin(&g_client, "POST", "/_admin/faults",
                                  "{\"kind\": \"error\", \"service\": \"network-firewall\", "
                                  "\"operation\": \"ListFirewalls\", \"status\": 400, \"code\": "
                                  "\"InvalidRequestException\", \"count\": 1}",
                                  NULL),
                     200);
    struct lk_ir_state *live2 = lk_ir_state_new();
    live2->region = lk_ir_strdup(live2, REGION);
    ck_assert_int_ne(lk_coverage_read(&g_client, desired, NULL, live2, &rep, &err), 0);
    ck_assert_str_eq(err.code, "InvalidRequestException");
    lk_aws_error_clear(&err);
    ck_assert_uint_eq(live2->n_producers, 0);
    lk_ir_state_free(live2);
    lk_ir_state_free(desired);
    lk_ir_state_free(live);
}
END_TEST

/* Route 53 Resolver, WAF, Config and GuardDuty, in a Region of their own. */
#define REGION2 "ap-southeast-4"
#define REGION3 "il-central-1"

START_TEST(test_json_types)
{
    struct lk_aws_error err = {0};
    /* Two VPCs (EC2 lists them; the Resolver knows them too), the first associated with a
     * query-log configuration to a bucket folder. */
    lk_qlive_post(&g_client, "/_admin/workloads",
                  "{\"region\": \"" REGION2 "\", \"vpcs\": ["
                  "{\"VpcId\": \"vpc-0000000000000b001\"},"
                  "{\"VpcId\": \"vpc-0000000000000b002\"}]}");
    cJSON_Delete(lk_src_seed(&g_client, "{\"region\": \"" REGION2 "\", \"vpcs\": "
                                        "[\"vpc-0000000000000b001\", \"vpc-0000000000000b002\"], "
                                        "\"web_acls\": {\"REGIONAL\": [\"acl-a\", \"acl-b\"]}, "
                                        "\"recorders\": [{\"name\": \"default\", "
                                        "\"recording\": true}], "
                                        "\"delivery_channels\": [{\"name\": \"default\", "
                                        "\"s3BucketName\": \"acme-config\", "
                                        "\"s3KeyPrefix\": \"config\"}], "
                                        "\"detectors\": 1}"));
    struct lk_resolver_listing rl;
    struct lk_resolver_config cfg;
    lk_resolver_listing_init(&rl);
    OK(lk_resolver_create_config(&g_client, REGION2, "to-store", "arn:aws:s3:::acme-dns/dns/",
                                 "lk-cov-1", &rl, &cfg, &err),
       err);
    OK(lk_resolver_associate(&g_client, REGION2, cfg.id, "vpc-0000000000000b001", &rl, NULL, &err),
       err);
    lk_resolver_listing_free(&rl);
    struct lk_wafv2_listing wl;
    lk_wafv2_listing_init(&wl);
    OK(lk_wafv2_list(&g_client, REGION2, LK_WAFV2_REGIONAL, 0, &wl, &err), err);
    ck_assert_uint_eq(wl.n_acls, 2);
    char *acl_a = NULL;
    for (size_t i = 0; i < wl.n_acls; i++)
        if (strcmp(wl.acls[i].name, "acl-a") == 0)
            acl_a = lk_xstrdup(wl.acls[i].arn);
    lk_wafv2_listing_free(&wl);
    ck_assert_ptr_nonnull(acl_a);
    OK(lk_wafv2_put_logging(&g_client, REGION2, acl_a,
                            "arn:aws:logs:" REGION2 ":" ACCOUNT ":log-group:aws-waf-logs-acme",
                            &err),
       err);

    struct lk_ir_state *desired = lk_ir_state_new();
    desired->region = lk_ir_strdup(desired, REGION2);
    s_require(desired, LK_IR_PRODUCER_RESOLVER_QUERY_LOGS);
    s_require(desired, LK_IR_PRODUCER_WAF);
    s_require(desired, LK_IR_PRODUCER_CONFIG);
    s_require(desired, LK_IR_PRODUCER_GUARDDUTY);
    struct lk_ir_state *live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, REGION2);
    live->account = lk_ir_strdup(live, ACCOUNT);
    live->partition = lk_ir_strdup(live, "aws");
    struct lk_coverage_report rep;
    OK(lk_coverage_read(&g_client, desired, NULL, live, &rep, &err), err);
    ck_assert_uint_eq(rep.unreadable, 0);
    ck_assert_uint_eq(s_count(live, LK_IR_PRODUCER_RESOLVER_QUERY_LOGS), 2);
    ck_assert_uint_eq(s_count(live, LK_IR_PRODUCER_VPC_FLOW_LOGS), 0);
    ck_assert_uint_eq(s_count(live, LK_IR_PRODUCER_WAF), 2);
    ck_assert_uint_eq(s_count(live, LK_IR_PRODUCER_CONFIG), 1);
    ck_assert_uint_eq(s_count(live, LK_IR_PRODUCER_GUARDDUTY), 1);

    const struct lk_ir_producer *r1 =
        s_find(live, LK_IR_PRODUCER_RESOLVER_QUERY_LOGS, "vpc-0000000000000b001");
    ck_assert_ptr_nonnull(r1);
    ck_assert_uint_eq(r1->n_destinations, 1);
    ck_assert_str_eq(r1->destinations[0].bucket, "acme-dns");
    ck_assert_str_eq(r1->destinations[0].prefix, "dns/");
    const struct lk_ir_producer *r2 =
        s_find(live, LK_IR_PRODUCER_RESOLVER_QUERY_LOGS, "vpc-0000000000000b002");
    ck_assert_ptr_nonnull(r2);
    ck_assert_uint_eq(r2->n_destinations, 0);

    const struct lk_ir_producer *a = s_find(live, LK_IR_PRODUCER_WAF, acl_a);
    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(a->name, "acl-a");
    ck_assert_uint_eq(a->n_destinations, 1);
    ck_assert_int_eq(a->destinations[0].kind, LK_IR_DEST_LOGS);
    ck_assert_str_eq(a->destinations[0].log_group, "aws-waf-logs-acme");

    const struct lk_ir_producer *rec = s_find(live, LK_IR_PRODUCER_CONFIG, "default");
    ck_assert_ptr_nonnull(rec);
    ck_assert(rec->enabled);
    ck_assert_ptr_null(rec->partial);
    ck_assert_uint_eq(rec->n_destinations, 1);
    ck_assert_str_eq(rec->destinations[0].arn, "arn:aws:s3:::acme-config");
    ck_assert_str_eq(rec->destinations[0].prefix, "config");

    for (size_t i = 0; i < live->n_producers; i++)
        if (live->producers[i].type == LK_IR_PRODUCER_GUARDDUTY)
            ck_assert_uint_eq(live->producers[i].n_destinations, 0);

    free(acl_a);
    lk_ir_state_free(desired);
    lk_ir_state_free(live);
}
END_TEST

/* Throttled per-resource calls are retried by each thread's client: the read succeeds, with
 * the throttled attempts on top of the minimum. */
START_TEST(test_throttled_attributes)
{
    struct lk_aws_error err = {0};
    lk_qlive_post(&g_client, "/_admin/workloads",
                  "{\"region\": \"" REGION3 "\", \"load_balancers\": {\"count\": 12, "
                  "\"prefix\": \"thr-\"}}");
    ck_assert_int_eq(lk_svc_admin(&g_client, "POST", "/_admin/faults",
                                  "{\"kind\": \"throttle\", \"service\": \"elbv2\", "
                                  "\"operation\": \"DescribeLoadBalancerAttributes\", "
                                  "\"count\": 3}",
                                  NULL),
                     200);
    struct lk_ir_state *desired = lk_ir_state_new();
    desired->region = lk_ir_strdup(desired, REGION3);
    s_require(desired, LK_IR_PRODUCER_ELB);
    struct lk_ir_state *live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, REGION3);
    int before = lk_qlive_count(&g_client, "elbv2", "DescribeLoadBalancerAttributes");
    struct lk_coverage_options opts = {.concurrency = 3, .new_client = s_new_client};
    struct lk_coverage_report rep;
    OK(lk_coverage_read(&g_client, desired, &opts, live, &rep, &err), err);
    ck_assert_uint_eq(live->n_producers, 12);
    for (size_t i = 0; i < live->n_producers; i++)
        ck_assert_ptr_null(live->producers[i].error);
    ck_assert_int_eq(lk_qlive_count(&g_client, "elbv2", "DescribeLoadBalancerAttributes") - before,
                     12 + 3);
    ck_assert_uint_eq(rep.requests, 1 + 12); /* a page and 12 calls, retries inside them */
    lk_ir_state_free(desired);
    lk_ir_state_free(live);
}
END_TEST

/* ------------------------------------------------------------------------------ tags */

#define REGION4 "eu-south-2"

/* A requirement of @p t in REGION4 selecting tag @p key = @p value (NULL: no tags selector). */
static void s_require_tag(struct lk_ir_state *d, enum lk_ir_producer_type t, const char *key,
                          const char *value)
{
    s_require(d, t);
    struct lk_ir_coverage *c = &d->coverages[d->n_coverages - 1];
    if (key == NULL)
        return;
    c->tags = lk_arena_alloc(&d->arena, sizeof(*c->tags));
    c->tags[0].key = lk_ir_strdup(d, key);
    c->tags[0].value = lk_ir_strdup(d, value);
    c->n_tags = 1;
}

/* How many producers of @p live the last requirement of @p d selects. */
static size_t s_selected(const struct lk_ir_state *d, const struct lk_ir_state *live)
{
    const struct lk_ir_coverage *c = &d->coverages[d->n_coverages - 1];
    size_t n = 0;
    for (size_t i = 0; i < live->n_producers; i++)
        n += lk_ir_coverage_selects(c, &live->producers[i]);
    return n;
}

static int s_count_of(const char *svc, const char *op)
{
    return lk_qlive_count(&g_client, svc, op);
}

/* Tags selectors on load balancers, RDS and EKS select exactly the tagged producers; ELBv2
 * DescribeTags is called once per 20 balancers of the required type and never without a tags
 * selector; RDS and EKS tags come with the calls made anyway. */
START_TEST(test_tags_selectors)
{
    struct lk_aws_error err = {0};
    /* 23 application balancers tagged team=a, 2 tagged team=b (one with a second tag), one
     * network balancer tagged team=a (another type: not described). */
    lk_qlive_post(&g_client, "/_admin/workloads",
                  "{\"region\": \"" REGION4 "\", \"load_balancers\": {\"count\": 23, "
                  "\"prefix\": \"tag-a-\", \"Tags\": [{\"Key\": \"team\", \"Value\": \"a\"}]}}");
    lk_qlive_post(&g_client, "/_admin/workloads",
                  "{\"region\": \"" REGION4 "\", \"load_balancers\": ["
                  "{\"LoadBalancerName\": \"tag-b-1\", \"Tags\": [{\"Key\": \"team\", "
                  "\"Value\": \"b\"}]},"
                  "{\"LoadBalancerName\": \"tag-b-2\", \"Tags\": [{\"Key\": \"env\", "
                  "\"Value\": \"prod\"}, {\"Key\": \"team\", \"Value\": \"b\"}]},"
                  "{\"LoadBalancerName\": \"tag-n\", \"Type\": \"network\", \"Tags\": "
                  "[{\"Key\": \"team\", \"Value\": \"a\"}]}],"
                  "\"db_clusters\": [{\"DBClusterIdentifier\": \"aur-a\", \"TagList\": "
                  "[{\"Key\": \"team\", \"Value\": \"a\"}]}],"
                  "\"db_instances\": ["
                  "{\"DBInstanceIdentifier\": \"db-a\", \"TagList\": [{\"Key\": \"team\", "
                  "\"Value\": \"a\"}, {\"Key\": \"env\", \"Value\": \"prod\"}]},"
                  "{\"DBInstanceIdentifier\": \"db-b\", \"TagList\": [{\"Key\": \"team\", "
                  "\"Value\": \"b\"}]},"
                  "{\"DBInstanceIdentifier\": \"db-none\"},"
                  "{\"DBInstanceIdentifier\": \"aur-a-1\", \"DBClusterIdentifier\": \"aur-a\"}]}");
    cJSON_Delete(lk_src_seed(&g_client, "{\"region\": \"" REGION4 "\", \"clusters\": "
                                        "[\"k-a1\", \"k-a2\", \"k-b\", \"k-none\"], "
                                        "\"cluster_log_types\": [\"audit\"], \"cluster_tags\": "
                                        "{\"k-a1\": {\"team\": \"a\"}, \"k-a2\": {\"team\": "
                                        "\"a\", \"env\": \"dev\"}, \"k-b\": {\"team\": \"b\"}}}"));
    cJSON_Delete(lk_src_seed(&g_client, "{\"region\": \"" REGION4 "\", \"firewalls\": "
                                        "[\"fw-a\", \"fw-b\", \"fw-none\"], \"firewall_tags\": "
                                        "{\"fw-a\": [{\"Key\": \"team\", \"Value\": \"a\"}], "
                                        "\"fw-b\": [{\"Key\": \"team\", \"Value\": \"b\"}]}}"));
    cJSON_Delete(lk_src_seed(&g_client, "{\"region\": \"" REGION4 "\", \"web_acls\": "
                                        "{\"REGIONAL\": [\"w-a\", \"w-b\", \"w-none\"]}, "
                                        "\"web_acl_tags\": {\"w-a\": [{\"Key\": \"team\", "
                                        "\"Value\": \"a\"}], \"w-b\": [{\"Key\": \"team\", "
                                        "\"Value\": \"b\"}]}}"));

    /* Balancers: team=a selects the 23; 1 page + 2 DescribeTags (20 + 5) + 25 attributes. */
    struct lk_ir_state *desired = lk_ir_state_new();
    desired->region = lk_ir_strdup(desired, REGION4);
    s_require_tag(desired, LK_IR_PRODUCER_ELB, "team", "a");
    struct lk_ir_state *live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, REGION4);
    int pages = s_count_of("elbv2", "DescribeLoadBalancers");
    int tags = s_count_of("elbv2", "DescribeTags");
    int attrs = s_count_of("elbv2", "DescribeLoadBalancerAttributes");
    struct lk_coverage_options opts = {.concurrency = 3, .new_client = s_new_client};
    struct lk_coverage_report rep;
    OK(lk_coverage_read(&g_client, desired, &opts, live, &rep, &err), err);
    ck_assert_int_eq(s_count_of("elbv2", "DescribeLoadBalancers") - pages, 1);
    ck_assert_int_eq(s_count_of("elbv2", "DescribeTags") - tags, 2);
    ck_assert_int_eq(s_count_of("elbv2", "DescribeLoadBalancerAttributes") - attrs, 25);
    ck_assert_uint_eq(rep.requests, 1 + 2 + 25);
    ck_assert_uint_eq(rep.requests_of[LK_IR_PRODUCER_ELB], 1 + 2 + 25);
    ck_assert_uint_eq(live->n_producers, 25);
    ck_assert_uint_eq(s_selected(desired, live), 23);
    for (size_t i = 0; i < live->n_producers; i++) {
        const struct lk_ir_producer *p = &live->producers[i];
        ck_assert_ptr_null(p->error);
        bool b = strncmp(p->name, "tag-b-", 6) == 0;
        ck_assert_uint_eq(p->n_tags, strcmp(p->name, "tag-b-2") == 0 ? 2 : 1);
        ck_assert_str_eq(p->tags[p->n_tags - 1].key, "team"); /* sorted: env, team */
        ck_assert_str_eq(p->tags[p->n_tags - 1].value, b ? "b" : "a");
    }
    lk_ir_state_free(live);

    /* Both balancer types, the network one with team=a: 26 balancers, 2 DescribeTags. */
    s_require_tag(desired, LK_IR_PRODUCER_NLB, "team", "a");
    live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, REGION4);
    tags = s_count_of("elbv2", "DescribeTags");
    OK(lk_coverage_read(&g_client, desired, &opts, live, &rep, &err), err);
    ck_assert_int_eq(s_count_of("elbv2", "DescribeTags") - tags, 2);
    ck_assert_uint_eq(rep.requests, 1 + 2 + 26);
    ck_assert_uint_eq(s_selected(desired, live), 1);
    ck_assert_uint_eq(s_count(live, LK_IR_PRODUCER_NLB), 1);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);

    /* No tags selector: no DescribeTags, the producers carry no tags (as before). */
    desired = lk_ir_state_new();
    desired->region = lk_ir_strdup(desired, REGION4);
    s_require_tag(desired, LK_IR_PRODUCER_ELB, NULL, NULL);
    s_require_tag(desired, LK_IR_PRODUCER_RDS, NULL, NULL);
    s_require_tag(desired, LK_IR_PRODUCER_EKS, NULL, NULL);
    s_require_tag(desired, LK_IR_PRODUCER_NETWORK_FIREWALL, NULL, NULL);
    s_require_tag(desired, LK_IR_PRODUCER_WAF, NULL, NULL);
    live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, REGION4);
    tags = s_count_of("elbv2", "DescribeTags");
    int fw_tags = s_count_of("network-firewall", "DescribeFirewall");
    int waf_tags = s_count_of("wafv2", "ListTagsForResource");
    OK(lk_coverage_read(&g_client, desired, &opts, live, &rep, &err), err);
    ck_assert_int_eq(s_count_of("elbv2", "DescribeTags") - tags, 0);
    ck_assert_int_eq(s_count_of("network-firewall", "DescribeFirewall") - fw_tags, 0);
    ck_assert_uint_eq(rep.requests_of[LK_IR_PRODUCER_NETWORK_FIREWALL], 1 + 3);
    ck_assert_uint_eq(rep.requests_of[LK_IR_PRODUCER_WAF], 2);
    ck_assert_int_eq(s_count_of("wafv2", "ListTagsForResource") - waf_tags, 0);
    ck_assert_uint_eq(rep.requests_of[LK_IR_PRODUCER_ELB], 1 + 25);
    ck_assert_uint_eq(rep.requests_of[LK_IR_PRODUCER_RDS], 2);
    ck_assert_uint_eq(rep.requests_of[LK_IR_PRODUCER_EKS], 1 + 4);
    ck_assert_uint_eq(rep.requests, 1 + 25 + 2 + 1 + 4 + 1 + 3 + 2);
    for (size_t i = 0; i < live->n_producers; i++)
        ck_assert_uint_eq(live->producers[i].n_tags, 0);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);

    /* RDS team=a: the instance and the Aurora cluster (its instance is not a producer); the
     * same two pages as without tags. */
    desired = lk_ir_state_new();
    desired->region = lk_ir_strdup(desired, REGION4);
    s_require_tag(desired, LK_IR_PRODUCER_RDS, "team", "a");
    live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, REGION4);
    int rds = s_count_of("rds", "DescribeDBInstances") + s_count_of("rds", "DescribeDBClusters");
    OK(lk_coverage_read(&g_client, desired, &opts, live, &rep, &err), err);
    ck_assert_int_eq(s_count_of("rds", "DescribeDBInstances") +
                         s_count_of("rds", "DescribeDBClusters") - rds,
                     2);
    ck_assert_uint_eq(rep.requests, 2);
    ck_assert_uint_eq(live->n_producers, 4); /* db-a, db-b, db-none, aur-a */
    ck_assert_uint_eq(s_selected(desired, live), 2);
    const struct lk_ir_producer *dba = s_find(live, LK_IR_PRODUCER_RDS, "db-a");
    const struct lk_ir_producer *aur = s_find(live, LK_IR_PRODUCER_RDS, "aur-a");
    ck_assert_ptr_nonnull(dba);
    ck_assert_ptr_nonnull(aur);
    ck_assert(lk_ir_coverage_selects(&desired->coverages[0], dba));
    ck_assert(lk_ir_coverage_selects(&desired->coverages[0], aur));
    ck_assert_uint_eq(dba->n_tags, 2);
    ck_assert_str_eq(dba->tags[0].key, "env");
    ck_assert_uint_eq(s_find(live, LK_IR_PRODUCER_RDS, "db-none")->n_tags, 0);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);

    /* EKS team=a: two of four clusters; one ListClusters and the four DescribeCluster. */
    desired = lk_ir_state_new();
    desired->region = lk_ir_strdup(desired, REGION4);
    s_require_tag(desired, LK_IR_PRODUCER_EKS, "team", "a");
    live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, REGION4);
    int eks = s_count_of("eks", "ListClusters") + s_count_of("eks", "DescribeCluster");
    OK(lk_coverage_read(&g_client, desired, &opts, live, &rep, &err), err);
    ck_assert_int_eq(s_count_of("eks", "ListClusters") + s_count_of("eks", "DescribeCluster") - eks,
                     1 + 4);
    ck_assert_uint_eq(rep.requests, 1 + 4);
    ck_assert_uint_eq(live->n_producers, 4);
    ck_assert_uint_eq(s_selected(desired, live), 2);
    ck_assert(
        lk_ir_coverage_selects(&desired->coverages[0], s_find(live, LK_IR_PRODUCER_EKS, "k-a1")));
    ck_assert(
        lk_ir_coverage_selects(&desired->coverages[0], s_find(live, LK_IR_PRODUCER_EKS, "k-a2")));
    ck_assert_uint_eq(s_find(live, LK_IR_PRODUCER_EKS, "k-a2")->n_tags, 2);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);

    /* Network Firewall team=a: one of three; ListFirewalls, then per firewall DescribeFirewall
     * (its Tags) and DescribeLoggingConfiguration. */
    desired = lk_ir_state_new();
    desired->region = lk_ir_strdup(desired, REGION4);
    s_require_tag(desired, LK_IR_PRODUCER_NETWORK_FIREWALL, "team", "a");
    live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, REGION4);
    live->account = lk_ir_strdup(live, ACCOUNT);
    int nfw = s_count_of("network-firewall", "ListFirewalls") +
              s_count_of("network-firewall", "DescribeFirewall") +
              s_count_of("network-firewall", "DescribeLoggingConfiguration");
    OK(lk_coverage_read(&g_client, desired, &opts, live, &rep, &err), err);
    ck_assert_int_eq(s_count_of("network-firewall", "ListFirewalls") +
                         s_count_of("network-firewall", "DescribeFirewall") +
                         s_count_of("network-firewall", "DescribeLoggingConfiguration") - nfw,
                     1 + 3 + 3);
    ck_assert_uint_eq(rep.requests, 1 + 3 + 3);
    ck_assert_uint_eq(live->n_producers, 3);
    ck_assert_uint_eq(s_selected(desired, live), 1);
    for (size_t i = 0; i < live->n_producers; i++) {
        const struct lk_ir_producer *p = &live->producers[i];
        ck_assert_ptr_null(p->error);
        ck_assert_int_eq(lk_ir_coverage_selects(&desired->coverages[0], p),
                         strcmp(p->name, "fw-a") == 0);
    }
    lk_ir_state_free(live);
    lk_ir_state_free(desired);

    /* WAF team=a: one of three web ACLs; the two listings, then ListTagsForResource per ACL. */
    desired = lk_ir_state_new();
    desired->region = lk_ir_strdup(desired, REGION4);
    s_require_tag(desired, LK_IR_PRODUCER_WAF, "team", "a");
    live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, REGION4);
    int waf = s_count_of("wafv2", "ListWebACLs") +
              s_count_of("wafv2", "ListLoggingConfigurations") +
              s_count_of("wafv2", "ListTagsForResource");
    OK(lk_coverage_read(&g_client, desired, &opts, live, &rep, &err), err);
    ck_assert_int_eq(s_count_of("wafv2", "ListWebACLs") +
                         s_count_of("wafv2", "ListLoggingConfigurations") +
                         s_count_of("wafv2", "ListTagsForResource") - waf,
                     2 + 3);
    ck_assert_uint_eq(rep.requests, 2 + 3);
    ck_assert_uint_eq(live->n_producers, 3);
    ck_assert_uint_eq(s_selected(desired, live), 1);
    for (size_t i = 0; i < live->n_producers; i++) {
        const struct lk_ir_producer *p = &live->producers[i];
        ck_assert_ptr_null(p->error);
        ck_assert_int_eq(lk_ir_coverage_selects(&desired->coverages[0], p),
                         strcmp(p->name, "w-a") == 0);
    }
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
}
END_TEST

/* DescribeTags refused: the balancer type cannot be read in the Region (one "*" producer), as a
 * refused listing; the endpoint refuses more than 20 ARNs a call, as AWS documents. */
START_TEST(test_tags_refused)
{
    struct lk_aws_error err = {0};
    lk_qlive_post(&g_client, "/_admin/workloads",
                  "{\"region\": \"me-south-1\", \"load_balancers\": {\"count\": 21, "
                  "\"prefix\": \"ref-\", \"Tags\": [{\"Key\": \"team\", \"Value\": \"a\"}]}}");
    ck_assert_int_eq(lk_svc_admin(&g_client, "POST", "/_admin/faults",
                                  "{\"kind\": \"error\", \"service\": \"elbv2\", \"operation\": "
                                  "\"DescribeTags\", \"status\": 403, \"code\": "
                                  "\"AccessDenied\", \"count\": 1}",
                                  NULL),
                     200);
    struct lk_ir_state *desired = lk_ir_state_new();
    desired->region = lk_ir_strdup(desired, "me-south-1");
    s_require(desired, LK_IR_PRODUCER_ELB);
    desired->coverages[0].region = lk_ir_strdup(desired, "me-south-1");
    desired->coverages[0].tags = lk_arena_alloc(&desired->arena, sizeof(struct lk_ir_tag));
    desired->coverages[0].tags[0].key = lk_ir_strdup(desired, "team");
    desired->coverages[0].tags[0].value = lk_ir_strdup(desired, "a");
    desired->coverages[0].n_tags = 1;
    struct lk_ir_state *live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, "me-south-1");
    int attrs = s_count_of("elbv2", "DescribeLoadBalancerAttributes");
    struct lk_coverage_report rep;
    OK(lk_coverage_read(&g_client, desired, NULL, live, &rep, &err), err);
    ck_assert_uint_eq(live->n_producers, 1);
    ck_assert_str_eq(live->producers[0].id, "*");
    ck_assert_str_eq(live->producers[0].error, "AccessDenied");
    ck_assert_uint_eq(rep.unreadable, 1);
    ck_assert_uint_eq(rep.requests, 2); /* the page and the refused DescribeTags */
    ck_assert_int_eq(s_count_of("elbv2", "DescribeLoadBalancerAttributes") - attrs, 0);
    lk_ir_state_free(live);

    /* 21 ARNs in one call: ValidationError (API_DescribeTags.html, "up to 20"). */
    struct lk_elbv2_list list = {0};
    OK(lk_elbv2_describe_load_balancers(&g_client, "me-south-1", false, &list, &err), err);
    ck_assert_uint_eq(list.n, 21);
    struct lk_buf form;
    lk_query_form_init(&form, "DescribeTags", LK_ELBV2_API_VERSION);
    for (size_t i = 0; i < list.n; i++)
        lk_query_form_addf(&form, list.items[i].arn, "ResourceArns.member.%zu", i + 1);
    struct lk_query_reader none = {NULL, NULL};
    ck_assert_int_ne(
        lk_query_call(&g_client, LK_AWS_ELBV2, "DescribeTags", "me-south-1", &form, &none, &err),
        LK_STATUS_OK);
    ck_assert_str_eq(err.code, "ValidationError");
    lk_aws_error_clear(&err);
    lk_buf_free(&form);
    /* Our call splits them: 20 + 1, every balancer's tags read. */
    size_t calls = 0;
    OK(lk_elbv2_describe_tags(&g_client, "me-south-1", &list.arena, list.items, list.n, &calls,
                              &err),
       err);
    ck_assert_uint_eq(calls, 2);
    for (size_t i = 0; i < list.n; i++) {
        ck_assert(list.items[i].tags_read);
        ck_assert_uint_eq(list.items[i].n_tags, 1);
        ck_assert_str_eq(list.items[i].tag_values[0], "a");
    }
    lk_elbv2_list_free(&list);
    lk_ir_state_free(desired);
}
END_TEST

/* A GuardDuty member: its detector has no destination, its administrator (relationship Enabled)
 * exports. GetAdministratorAccount is read for that detector only (one request more), refused
 * it makes the detector unreadable, and not read at all once the detector delivers itself. */
#define REGION_GD "ap-south-2"
#define GD_ADMIN "999988887777"
#define GD_KEY "arn:aws:kms:" REGION_GD ":" GD_ADMIN ":key/1234abcd-12ab-34cd-56ef-1234567890ab"

static struct lk_ir_state *s_gd_desired(void)
{
    struct lk_ir_state *d = lk_ir_state_new();
    d->region = lk_ir_strdup(d, REGION_GD);
    s_require(d, LK_IR_PRODUCER_GUARDDUTY);
    struct lk_ir_coverage *c = &d->coverages[0];
    struct lk_ir_destination *dest = lk_arena_alloc(&d->arena, sizeof(*dest));
    memset(dest, 0, sizeof(*dest));
    dest->kind = LK_IR_DEST_S3;
    dest->arn = lk_ir_strdup(d, "arn:aws:s3:::acme-gd");
    dest->bucket = lk_ir_strdup(d, "acme-gd");
    dest->prefix = lk_ir_strdup(d, "guardduty/");
    dest->kms_key_arn = lk_ir_strdup(d, GD_KEY);
    c->destinations = dest;
    c->n_destinations = 1;
    lk_ir_list_add(d, &c->accounts, GD_ADMIN);
    lk_ir_list_add(d, &c->accounts, ACCOUNT);
    return d;
}

static struct lk_ir_state *s_gd_read(const struct lk_ir_state *desired,
                                     struct lk_coverage_report *rep)
{
    struct lk_aws_error err = {0};
    struct lk_ir_state *live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, REGION_GD);
    live->account = lk_ir_strdup(live, ACCOUNT);
    live->partition = lk_ir_strdup(live, "aws");
    OK(lk_coverage_read(&g_client, desired, NULL, live, rep, &err), err);
    ck_assert_uint_eq(s_count(live, LK_IR_PRODUCER_GUARDDUTY), 1);
    return live;
}

START_TEST(test_guardduty_administrator)
{
    struct lk_aws_error err = {0};
    cJSON *made = lk_src_seed(&g_client, "{\"region\": \"" REGION_GD "\", \"detectors\": 1, "
                                         "\"guardduty_administrator\": {\"account\": \"" GD_ADMIN
                                         "\", \"status\": \"Enabled\"}}");
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(made, "detectors");
    ck_assert(cJSON_IsArray(ids) && cJSON_GetArraySize(ids) == 1);
    char *det = lk_xstrdup(cJSON_GetArrayItem(ids, 0)->valuestring);
    cJSON_Delete(made);
    struct lk_ir_state *desired = s_gd_desired();
    struct lk_coverage_report rep;

    int adm0 = lk_qlive_count(&g_client, "guardduty", "GetAdministratorAccount");
    struct lk_ir_state *live = s_gd_read(desired, &rep);
    const struct lk_ir_producer *p = s_find(live, LK_IR_PRODUCER_GUARDDUTY, det);
    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(p->administrator_account, GD_ADMIN);
    ck_assert_str_eq(p->administrator_status, "Enabled");
    /* ListDetectors, ListPublishingDestinations, GetAdministratorAccount. */
    ck_assert_uint_eq(rep.requests, 3);
    ck_assert_uint_eq(rep.requests_of[LK_IR_PRODUCER_GUARDDUTY], 3);
    ck_assert_int_eq(lk_qlive_count(&g_client, "guardduty", "GetAdministratorAccount"), adm0 + 1);
    ck_assert_int_eq(lk_ir_coverage_check(&desired->coverages[0], p, NULL),
                     LK_IR_COVERAGE_ADMINISTRATOR);
    struct lk_diff diff;
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_coverage(desired, live, &diff), LK_STATUS_OK);
    ck_assert_uint_eq(diff.n, 1);
    ck_assert_int_eq(diff.changes[0].kind, LK_DIFF_NOTE);
    ck_assert_str_eq(diff.changes[0].note,
                     "covered through administrator " GD_ADMIN "'s export, checked in that pair");
    lk_diff_free(&diff);
    /* The state file keeps the relationship. */
    char *json = lk_ir_state_to_json(live);
    const char *at = strstr(json, "\"administrator_account\"");
    ck_assert_ptr_nonnull(at);
    ck_assert_ptr_nonnull(strstr(at, "\"" GD_ADMIN "\""));
    struct lk_ir_state *back = NULL;
    struct lk_error jerr = {0};
    ck_assert_int_eq(lk_ir_state_from_json(json, strlen(json), &back, &jerr), LK_STATUS_OK);
    struct lk_ir_mismatch why_eq;
    ck_assert_msg(lk_ir_state_equal(live, back, 0, &why_eq), "%s", why_eq.text);
    lk_ir_state_free(back);
    free(json);
    lk_ir_state_free(live);

    /* Refused: the detector cannot be read (a note), never silently covered. */
    ck_assert_int_eq(lk_svc_admin(&g_client, "POST", "/_admin/faults",
                                  "{\"kind\": \"error\", \"service\": \"guardduty\", "
                                  "\"operation\": \"GetAdministratorAccount\", \"status\": 403, "
                                  "\"code\": \"AccessDeniedException\", \"count\": 1}",
                                  NULL),
                     200);
    live = s_gd_read(desired, &rep);
    p = s_find(live, LK_IR_PRODUCER_GUARDDUTY, det);
    ck_assert_str_eq(p->error, "AccessDeniedException");
    ck_assert_ptr_null(p->administrator_account);
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_coverage(desired, live, &diff), LK_STATUS_OK);
    ck_assert_uint_eq(diff.n, 1);
    ck_assert_int_eq(diff.changes[0].kind, LK_DIFF_NOTE);
    ck_assert_str_eq(diff.changes[0].note, "cannot read: AccessDeniedException");
    lk_diff_free(&diff);
    lk_ir_state_free(live);

    /* Once the detector exports to the store itself, no GetAdministratorAccount. */
    struct lk_guardduty_listing l;
    lk_guardduty_listing_init(&l);
    OK(lk_guardduty_create_destination(&g_client, REGION_GD, det, "arn:aws:s3:::acme-gd/guardduty/",
                                       GD_KEY, &l, NULL, &err),
       err);
    lk_guardduty_listing_free(&l);
    int adm1 = lk_qlive_count(&g_client, "guardduty", "GetAdministratorAccount");
    live = s_gd_read(desired, &rep);
    p = s_find(live, LK_IR_PRODUCER_GUARDDUTY, det);
    ck_assert_ptr_null(p->administrator_account);
    ck_assert_int_eq(lk_ir_coverage_check(&desired->coverages[0], p, NULL),
                     LK_IR_COVERAGE_DELIVERS);
    /* ListDetectors, ListPublishingDestinations, DescribePublishingDestination. */
    ck_assert_uint_eq(rep.requests, 3);
    ck_assert_int_eq(lk_qlive_count(&g_client, "guardduty", "GetAdministratorAccount"), adm1);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
    free(det);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("coverage_live");
    TCase *tc = tcase_create("read");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_read_producers);
    tcase_add_test(tc, test_nothing_required);
    tcase_add_test(tc, test_no_vpcs);
    tcase_add_test(tc, test_live_read_producers);
    tcase_add_test(tc, test_eks_spread);
    tcase_add_test(tc, test_refusal_400);
    tcase_add_test(tc, test_json_types);
    tcase_add_test(tc, test_throttled_attributes);
    tcase_add_test(tc, test_tags_selectors);
    tcase_add_test(tc, test_tags_refused);
    tcase_add_test(tc, test_guardduty_administrator);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
