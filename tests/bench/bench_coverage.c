/*
 * Benchmark driver (not a test): lk_coverage_read() of a Region's VPC flow logs and load
 * balancers (runtime/coverage.c) with CONCURRENCY threads for the per-balancer calls, and one
 * JSON line: producers read, requests made and the wall-clock time.
 *
 * Usage: bench_coverage REGION CONCURRENCY   (AWS_ENDPOINT_URL, AWS_REGION and credentials
 * from the environment; tests/bench/bench-coverage sets them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ir/ir.h"
#include "runtime/coverage.h"
#include "runtime/transport/client.h"
#include "runtime/transport/config_file.h"
#include "runtime/transport/credentials.h"

static double s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* A client from the environment (also the factory of the other threads' clients). */
static int s_client(void *ctx, struct lk_aws_client *out, struct lk_aws_error *err)
{
    (void)ctx;
    struct lk_aws_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    if (lk_aws_config_load(NULL, &cfg, err) != 0)
        return -1;
    struct lk_http_options hopts = {0};
    struct lk_http_vtable http;
    if (lk_http_curl_new(&hopts, &http, NULL) != 0)
        return -1;
    struct lk_credentials_options copts = {NULL, &http, &cfg, NULL};
    struct lk_aws_credential_provider prov;
    if (lk_credentials_chain_new(&copts, &prov) != 0)
        return -1;
    return lk_aws_client_init(out, &http, &prov, &cfg) != 0 ? -1 : 0;
}

static void s_require(struct lk_ir_state *d, enum lk_ir_producer_type t)
{
    struct lk_ir_coverage *c = lk_arena_alloc(&d->arena, (d->n_coverages + 1) * sizeof(*c));
    if (d->n_coverages)
        memcpy(c, d->coverages, d->n_coverages * sizeof(*c));
    memset(&c[d->n_coverages], 0, sizeof(*c));
    c[d->n_coverages].type = t;
    c[d->n_coverages].region = d->region;
    d->coverages = c;
    d->n_coverages++;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_coverage REGION CONCURRENCY\n");
        return 2;
    }
    struct lk_aws_error err = {0};
    struct lk_aws_client client;
    if (s_client(NULL, &client, &err) != 0) {
        fprintf(stderr, "bench_coverage: cannot create the client\n");
        return 1;
    }
    struct lk_ir_state *desired = lk_ir_state_new();
    desired->region = lk_ir_strdup(desired, argv[1]);
    s_require(desired, LK_IR_PRODUCER_VPC_FLOW_LOGS);
    s_require(desired, LK_IR_PRODUCER_ELB);
    s_require(desired, LK_IR_PRODUCER_NLB);
    struct lk_ir_state *live = lk_ir_state_new();
    live->region = lk_ir_strdup(live, argv[1]);
    struct lk_coverage_options opts = {.concurrency = atoi(argv[2]), .new_client = s_client};
    struct lk_coverage_report rep;
    double t0 = s_now_ms();
    if (lk_coverage_read(&client, desired, &opts, live, &rep, &err) != 0) {
        char buf[512];
        lk_aws_error_format(&err, buf, sizeof(buf));
        fprintf(stderr, "bench_coverage: %s\n", buf);
        return 1;
    }
    double ms = s_now_ms() - t0;
    size_t delivering = 0;
    for (size_t i = 0; i < live->n_producers; i++)
        delivering += live->producers[i].n_destinations > 0;
    printf("{\"producers\": %zu, \"delivering\": %zu, \"requests\": %zu, \"threads\": %d, "
           "\"ms\": %.1f}\n",
           rep.producers, delivering, rep.requests, rep.threads, ms);
    lk_ir_state_free(desired);
    lk_ir_state_free(live);
    lk_aws_client_free(&client);
    return 0;
}
