/*
 * Benchmark driver (not a test): reads a Region's VPCs and flow logs (EC2) and load balancers
 * with their access-log attributes (ELBv2) with the Query-protocol clients, serially, and prints
 * one JSON line: what was found, the requests made and the time each read took.
 *
 * Usage: bench_query REGION   (AWS_ENDPOINT_URL, AWS_REGION and credentials from the
 * environment; tests/bench/bench-query sets them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/services/ec2.h"
#include "runtime/services/elbv2.h"
#include "runtime/transport/client.h"
#include "runtime/transport/config_file.h"
#include "runtime/transport/credentials.h"

static double s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int s_fail(const char *what, struct lk_aws_error *err)
{
    char buf[512];
    lk_aws_error_format(err, buf, sizeof(buf));
    fprintf(stderr, "bench_query: %s: %s\n", what, buf);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_query REGION\n");
        return 2;
    }
    const char *region = argv[1];
    struct lk_aws_error err = {0};
    struct lk_aws_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    if (lk_aws_config_load(NULL, &cfg, &err) != 0)
        return s_fail("config", &err);
    struct lk_http_options hopts = {0};
    struct lk_http_vtable http;
    if (lk_http_curl_new(&hopts, &http, NULL) != 0)
        return 1;
    struct lk_credentials_options copts = {NULL, &http, &cfg, NULL};
    struct lk_aws_credential_provider prov;
    if (lk_credentials_chain_new(&copts, &prov) != 0)
        return 1;
    struct lk_aws_client client;
    if (lk_aws_client_init(&client, &http, &prov, &cfg) != 0)
        return 1;

    double t0 = s_now_ms();
    struct lk_ec2_vpc_list vpcs = {0};
    if (lk_ec2_describe_vpcs(&client, region, &vpcs, &err) != LK_STATUS_OK)
        return s_fail("DescribeVpcs", &err);
    struct lk_ec2_flow_log_list flows = {0};
    if (lk_ec2_describe_flow_logs(&client, region, NULL, 0, &flows, &err) != LK_STATUS_OK)
        return s_fail("DescribeFlowLogs", &err);
    double t1 = s_now_ms();
    struct lk_elbv2_list lbs = {0};
    if (lk_elbv2_describe_load_balancers(&client, region, true, &lbs, &err) != LK_STATUS_OK)
        return s_fail("DescribeLoadBalancers", &err);
    double t2 = s_now_ms();
    size_t logging = 0;
    for (size_t i = 0; i < lbs.n; i++)
        logging += lbs.items[i].access_logs_enabled;
    printf("{\"vpcs\": %zu, \"flow_logs\": %zu, \"vpc_requests\": %d, \"vpc_ms\": %.1f, "
           "\"load_balancers\": %zu, \"logging\": %zu, \"lb_requests\": %d, \"lb_ms\": %.1f}\n",
           vpcs.n, flows.n, vpcs.pages + flows.pages, t1 - t0, lbs.n, logging,
           lbs.pages + lbs.attribute_reads, t2 - t1);
    lk_ec2_vpc_list_free(&vpcs);
    lk_ec2_flow_log_list_free(&flows);
    lk_elbv2_list_free(&lbs);
    lk_aws_client_free(&client);
    return 0;
}
