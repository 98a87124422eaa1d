/*
 * The producer reads of plan and drift (runtime/coverage.c, lk_coverage_read()) for a policy,
 * with the credentials and endpoint of the environment, for tests/e2e/iam-policy-run: it runs
 * them as a caller whose only identity policy is `logkeep iam-policy`'s document, until
 * `drift` itself reads producers.
 *
 *   coverage_reads POLICY...
 *
 * Compiles the policy, then for each (account, Region) pair (a single-account policy: each
 * Region of its coverage requirements) reads the producers of the types the pair requires and
 * prints one line per producer, "<account> <region> <type> <id> <error or ->", sorted as the
 * live state is, then "requests <n> unreadable <n>". Exit status: 0 read (refusals included:
 * they are producers with an error), 1 the policy has errors or a read failed otherwise, 64
 * usage, 66 the policy cannot be read.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "compiler/compile.h"
#include "compiler/policy.h"
#include "ir/ir.h"
#include "runtime/coverage.h"
#include "runtime/transport/client.h"
#include "runtime/transport/config_file.h"
#include "runtime/transport/credentials.h"
#include "runtime/transport/http.h"

/* A client as the live suites set one up (tests/services/svc_live.h): the shared config and the
 * standard credential chain from the environment. */
static int s_client(struct lk_aws_client *client, const char *region)
{
    struct lk_aws_error err = {0};
    struct lk_aws_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    struct lk_aws_config_options o = {.region = region};
    if (lk_aws_config_load(&o, &cfg, &err) != LK_STATUS_OK) {
        char buf[512];
        lk_aws_error_format(&err, buf, sizeof(buf));
        fprintf(stderr, "coverage_reads: %s\n", buf);
        lk_aws_error_clear(&err);
        return -1;
    }
    struct lk_http_options hopts = {0};
    struct lk_http_vtable http;
    struct lk_aws_credential_provider prov;
    struct lk_credentials_options copts = {NULL, &http, &cfg, NULL};
    if (lk_http_curl_new(&hopts, &http, NULL) != 0 ||
        lk_credentials_chain_new(&copts, &prov) != 0 ||
        lk_aws_client_init(client, &http, &prov, &cfg) != LK_STATUS_OK) {
        fputs("coverage_reads: cannot set up the client\n", stderr);
        lk_aws_config_free(&cfg);
        return -1;
    }
    return 0;
}

/* Reads the producers of @p desired's requirements in @p region. @return 0, or -1. */
static int s_read(const struct lk_ir_state *desired, const char *account, const char *region,
                  size_t *requests, size_t *unreadable)
{
    struct lk_aws_client client;
    if (s_client(&client, region) != 0)
        return -1;
    struct lk_ir_state *live = lk_ir_state_new();
    live->account = lk_ir_strdup(live, account);
    live->region = lk_ir_strdup(live, region);
    struct lk_coverage_report report;
    struct lk_aws_error err = {0};
    int rc = lk_coverage_read(&client, desired, NULL, live, &report, &err);
    if (rc != 0) {
        char buf[512];
        lk_aws_error_format(&err, buf, sizeof(buf));
        fprintf(stderr, "coverage_reads: %s %s: %s\n", account, region, buf);
        lk_aws_error_clear(&err);
    } else {
        for (size_t i = 0; i < live->n_producers; i++) {
            const struct lk_ir_producer *p = &live->producers[i];
            printf("%s %s %s %s %s\n", account, region, lk_ir_producer_type_name(p->type), p->id,
                   p->error ? p->error : "-");
        }
        *requests += report.requests;
        *unreadable += report.unreadable;
    }
    lk_ir_state_free(live);
    lk_aws_client_free(&client);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: coverage_reads POLICY...\n", stderr);
        return LK_EXIT_USAGE;
    }
    struct lk_policy *p = lk_cli_load_policy("coverage_reads", argc - 1, argv + 1);
    if (!p)
        return LK_EXIT_NOINPUT;
    struct lk_ir_scope *scope = NULL;
    int rc = LK_EXIT_OK;
    if (lk_compile_scope_state(p, &scope) != 0 || !scope) {
        lk_cli_print_diags(p, "never", stderr);
        rc = LK_EXIT_POLICY;
        goto cleanup;
    }
    size_t requests = 0, unreadable = 0;
    for (size_t i = 0; i < scope->n_pairs && rc == LK_EXIT_OK; i++) {
        const struct lk_ir_pair *pair = &scope->pairs[i];
        const struct lk_ir_state *st = pair->state;
        if (!st)
            continue;
        /* The Regions of the pair's requirements, each once. */
        for (size_t k = 0; k < st->n_coverages && rc == LK_EXIT_OK; k++) {
            const char *region = st->coverages[k].region ? st->coverages[k].region : pair->region;
            bool seen = !region;
            for (size_t j = 0; j < k && !seen; j++) {
                const char *r = st->coverages[j].region ? st->coverages[j].region : pair->region;
                seen = r && !strcmp(r, region);
            }
            if (!seen && s_read(st, pair->account, region, &requests, &unreadable) != 0)
                rc = LK_EXIT_FAILED;
        }
    }
    if (rc == LK_EXIT_OK)
        printf("requests %zu unreadable %zu\n", requests, unreadable);
cleanup:
    lk_ir_scope_free(scope);
    lk_policy_free(p);
    return rc;
}
