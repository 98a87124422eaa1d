/*
 * Benchmark driver (not a test) for the live-state reader: one lk_live_read() of a desired state
 * of N buckets and one log group pattern, against the endpoint the environment names
 * (AWS_ENDPOINT_URL and the endpoint's credentials). Prints one JSON object on stdout.
 *
 * Usage: bench_live BUCKET_PREFIX N_BUCKETS PATTERN CONCURRENCY [discover]
 * The buckets are BUCKET_PREFIX plus a zero-padded index, as the endpoint's bulk creation names
 * them; PATTERN is a logkeep log group pattern ("-" for none). tests/bench/bench-live runs it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/live.h"

static void s_progress(void *ctx, const struct lk_live_progress *p)
{
    (void)ctx;
    size_t done = p->done, total = p->total;
    /* A terminal progress indicator, on stderr. */
    fprintf(stderr, "\r  %zu/%zu", done, total);
    if (done == total)
        fputc('\n', stderr);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: bench_live BUCKET_PREFIX N_BUCKETS PATTERN CONCURRENCY "
                        "[discover]\n");
        return 2;
    }
    const char *prefix = argv[1];
    size_t n = (size_t)strtoul(argv[2], NULL, 10);
    const char *pattern = argv[3];
    int concurrency = atoi(argv[4]);
    bool discover = argc > 5 && !strcmp(argv[5], "discover");

    struct lk_ir_state *desired = lk_ir_state_new();
    desired->region = lk_ir_strdup(desired, "us-east-1");
    desired->buckets = lk_arena_alloc(&desired->arena, (n ? n : 1) * sizeof(*desired->buckets));
    int width = 1;
    for (size_t v = n > 0 ? n - 1 : 0; v >= 10; v /= 10)
        width++;
    for (size_t i = 0; i < n; i++)
        desired->buckets[i].name = lk_ir_printf(desired, "%s%0*zu", prefix, width, i);
    desired->n_buckets = n;
    if (strcmp(pattern, "-") != 0) {
        desired->log_groups = lk_arena_alloc(&desired->arena, sizeof(*desired->log_groups));
        desired->log_groups[0].name = lk_ir_strdup(desired, pattern);
        desired->log_groups[0].pattern = strchr(pattern, '*') != NULL;
        desired->n_log_groups = 1;
    }

    struct lk_aws_client client;
    struct lk_aws_error err = {0};
    if (lk_live_client_new(NULL, &client, &err) != 0) {
        char text[512];
        lk_aws_error_format(&err, text, sizeof(text));
        fprintf(stderr, "bench_live: %s\n", text);
        lk_aws_error_clear(&err);
        lk_ir_state_free(desired);
        return 1;
    }
    struct lk_live_options opts = {0};
    opts.concurrency = concurrency;
    opts.discover_unmanaged = discover;
    opts.new_client = lk_live_client_new;
    opts.progress = getenv("BENCH_LIVE_PROGRESS") ? s_progress : NULL;
    struct lk_live_report report;
    struct lk_ir_state *live = lk_ir_state_new();
    int rc = lk_live_read(&client, desired, &opts, live, &report, &err);
    if (rc != 0) {
        char text[1024];
        lk_live_error_format(&report, &err, text, sizeof(text));
        fprintf(stderr, "bench_live: %s\n", text);
        lk_aws_error_clear(&err);
    } else {
        printf("{\"concurrency\": %d, \"concurrency_final\": %d, \"elapsed_ms\": %" PRId64
               ", \"requests\": %zu, \"minimum\": %zu, \"throttled\": %zu, \"buckets\": %zu, "
               "\"log_groups\": %zu, \"unmanaged\": %zu, \"partitions\": %zu, \"by_kind\": {",
               report.concurrency, report.concurrency_final, report.elapsed_ms, report.requests,
               report.minimum, report.throttled, live->n_buckets, live->n_log_groups,
               report.n_unmanaged, report.partitions);
        for (int k = 0; k < LK_LIVE_KIND_COUNT; k++)
            printf("%s\"%s\": {\"items\": %zu, \"requests\": %zu, \"minimum\": %zu}", k ? ", " : "",
                   lk_live_kind_name((enum lk_live_kind)k), report.counts[k].items,
                   report.counts[k].requests, report.counts[k].minimum);
        printf("}}\n");
    }
    lk_live_report_free(&report);
    lk_ir_state_free(live);
    lk_aws_client_free(&client);
    lk_ir_state_free(desired);
    return rc == 0 ? 0 : 1;
}
