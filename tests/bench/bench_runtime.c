/*
 * Benchmark (not a test) of the AWS client against the local endpoint: requests per second and
 * client CPU per request for DescribeLogGroups pages and S3 GETs.
 *
 * Usage: bench_runtime ENDPOINT_URL LOG_GROUP_PREFIX BUCKET LIFECYCLE_XML ROUNDS S3_GETS
 * (creates BUCKET and puts the lifecycle first)
 * Credentials and region come from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_REGION). Driven by tests/bench/bench-runtime, which starts the endpoint and seeds it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "runtime/transport/client.h"
#include "runtime/transport/credentials.h"
#include "ir/ir.h"
#include "runtime/services/logs.h"
#include "runtime/services/s3.h"

struct s_sample {
    double wall_s;
    double cpu_s;
};

static struct s_sample s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    struct s_sample s = {
        (double)ts.tv_sec + (double)ts.tv_nsec / 1e9,
        (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
            (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
    };
    return s;
}

static bool s_count_page(void *ctx, const struct lk_ir_log_group *groups, size_t n)
{
    (void)groups;
    size_t *pages_groups = ctx;
    pages_groups[0]++;
    pages_groups[1] += n;
    return true;
}

static void s_report(const char *what, size_t requests, struct s_sample a, struct s_sample b)
{
    double wall = b.wall_s - a.wall_s, cpu = b.cpu_s - a.cpu_s;
    printf("%-34s %6zu requests  %7.1f req/s  client CPU %6.1f us/request\n", what, requests,
           (double)requests / wall, cpu * 1e6 / (double)requests);
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: bench_runtime ENDPOINT_URL PREFIX BUCKET LIFECYCLE_XML ROUNDS "
                        "S3_GETS\n");
        return 2;
    }
    const char *url = argv[1], *prefix = argv[2], *bucket = argv[3], *xml_path = argv[4];
    int rounds = atoi(argv[5]), gets = atoi(argv[6]);
    char xml[65536];
    FILE *f = fopen(xml_path, "rb");
    size_t xml_len = f ? fread(xml, 1, sizeof(xml) - 1, f) : 0;
    if (f)
        fclose(f);
    if (!xml_len) {
        fprintf(stderr, "bench_runtime: cannot read %s\n", xml_path);
        return 2;
    }
    xml[xml_len] = '\0';
    struct lk_aws_config cfg;
    struct lk_aws_client client;
    struct lk_aws_error err;
    struct lk_http_vtable http;
    struct lk_aws_credential_provider provider;
    memset(&err, 0, sizeof(err));
    struct lk_aws_config_options opts = {.endpoint_url = url, .fallback_region = "us-east-1"};
    if (lk_aws_config_load(&opts, &cfg, &err) != 0)
        return 1;
    struct lk_http_options hopts = {0};
    if (lk_http_curl_new(&hopts, &http, NULL) != LK_STATUS_OK)
        return 1;
    struct lk_credentials_options copts = {.http = &http, .cfg = &cfg};
    if (lk_credentials_chain_new(&copts, &provider) != 0 ||
        lk_aws_client_init(&client, &http, &provider, &cfg) != 0)
        return 1;
    int rc = 1;
    struct lk_ir_state *st = lk_ir_state_new();

    /* DescribeLogGroups: page through every group under the prefix, ROUNDS times. */
    size_t counts[2] = {0, 0};
    struct lk_logs_query q = {.prefix = prefix, .limit = 50};
    struct s_sample a = s_now();
    for (int r = 0; r < rounds; r++)
        if (lk_logs_describe_log_groups_pages(&client, &q, st, s_count_page, counts, &err) != 0)
            goto fail;
    struct s_sample b = s_now();
    printf("log groups listed: %zu per round\n", counts[1] / (size_t)(rounds ? rounds : 1));
    s_report("DescribeLogGroups (50 per page)", counts[0], a, b);

    /* S3: GetBucketLifecycleConfiguration, S3_GETS times (parsed into the IR each time). */
    if (lk_s3_create_bucket(&client, bucket, NULL, false, &err) != 0 ||
        lk_s3_put_lifecycle(&client, bucket, NULL, xml, xml_len, LK_IR_TMS_ALL_128K, &err) != 0)
        goto fail;
    a = s_now();
    for (int i = 0; i < gets; i++) {
        struct lk_ir_bucket read = {0};
        if (lk_s3_get_lifecycle(&client, bucket, NULL, st, &read, &err) != 0)
            goto fail;
    }
    b = s_now();
    s_report("GetBucketLifecycleConfiguration", (size_t)gets, a, b);
    rc = 0;
    goto cleanup;
fail:
    {
        char text[1024];
        lk_aws_error_format(&err, text, sizeof(text));
        fprintf(stderr, "bench_runtime: %s\n", text);
    }
cleanup:
    lk_ir_state_free(st);
    lk_aws_error_clear(&err);
    lk_aws_client_free(&client);
    lk_aws_config_free(&cfg);
    return rc;
}
