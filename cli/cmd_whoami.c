/*
 * logkeep whoami: who the AWS credentials belong to (STS GetCallerIdentity), and where they
 * came from. The first thing to run when apply or drift cannot reach AWS.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/transport/client.h"
#include "cli/cli.h"
#include "cli/cmd_aws.h"
#include "runtime/transport/credentials.h"
#include "runtime/services/sts.h"

/* STS answers GetCallerIdentity in every region; with none configured, us-east-1 (where the
 * legacy global endpoint sts.amazonaws.com signs) is as good as any. */
#define S_WHOAMI_FALLBACK_REGION "us-east-1"


static void s_usage(FILE *out)
{
    fputs("usage: logkeep whoami [--region REGION] [--endpoint-url URL] [--profile NAME] "
          "[--debug]\n"
          "\n"
          "Prints the AWS account, ARN and user id of the credentials logkeep would use, and\n"
          "where they came from (environment, profile, web identity, container, ...).\n"
          "\n"
          "  --region REGION     region of the STS endpoint (default: AWS_REGION,\n"
          "                      AWS_DEFAULT_REGION, the profile's region, else us-east-1)\n"
          "  --endpoint-url URL  send AWS requests to URL (a local endpoint or a VPC endpoint)\n"
          "  --profile NAME      use this profile of ~/.aws/config and ~/.aws/credentials\n"
          "  --debug             trace each HTTP request on stderr (secrets are redacted)\n"
          "\n"
          "exit status: 0 success, 1 AWS or configuration error, 64 usage error\n",
          out);
}

static void s_print_error(const struct lk_aws_error *err)
{
    char text[1024];
    lk_aws_error_format(err, text, sizeof(text));
    fprintf(stderr, "logkeep whoami: %s\n", text);
}

int lk_cmd_whoami(int argc, char **argv)
{
    int rc = LK_EXIT_USAGE;
    const char *region = NULL, *endpoint_url = NULL, *profile = NULL;
    bool debug = false;
    bool have_client = false;
    struct lk_aws_config cfg;
    struct lk_aws_client client;
    struct lk_aws_error err;
    struct lk_sts_identity id;
    struct lk_aws_credentials creds;
    struct lk_http_vtable http;
    struct lk_aws_credential_provider provider;

    memset(&cfg, 0, sizeof(cfg));
    memset(&client, 0, sizeof(client));
    memset(&err, 0, sizeof(err));
    memset(&id, 0, sizeof(id));
    memset(&creds, 0, sizeof(creds));
    memset(&http, 0, sizeof(http));

    /* clang-format off */
    static const struct option s_options[] = {
        {"region", required_argument, NULL, 'r'},
        {"endpoint-url", required_argument, NULL, 'e'},
        {"profile", required_argument, NULL, 'p'},
        {"debug", no_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    /* clang-format on */
    optind = 1;
    opterr = 0;
    for (;;) {
        int longindex = 0;
        int opt = getopt_long(argc, argv, "h", s_options, &longindex);
        if (opt == -1)
            break;
        switch (opt) {
        case 'r':
            region = optarg;
            break;
        case 'e':
            endpoint_url = optarg;
            break;
        case 'p':
            profile = optarg;
            break;
        case 'd':
            debug = true;
            break;
        case 'h':
            s_usage(stdout);
            rc = LK_EXIT_OK;
            goto cleanup;
        default:
            fprintf(stderr, "logkeep whoami: unknown option or missing value: %s\n",
                    argv[optind - 1]);
            s_usage(stderr);
            goto cleanup;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "logkeep whoami: unexpected argument \"%s\"\n", argv[optind]);
        s_usage(stderr);
        goto cleanup;
    }

    rc = LK_EXIT_FAILED;
    struct lk_aws_config_options opts = {
        .region = region,
        .endpoint_url = endpoint_url,
        .profile = profile,
        .fallback_region = S_WHOAMI_FALLBACK_REGION,
        .debug = debug ? stderr : NULL,
    };
    if (lk_aws_config_load(&opts, &cfg, &err) != 0) {
        s_print_error(&err);
        goto cleanup;
    }
    /* AWS_CA_BUNDLE: an extra CA bundle for TLS, as the AWS SDKs read it
     * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-gen-config.html). */
    struct lk_http_options hopts = {0};
    const char *ca_bundle = getenv("AWS_CA_BUNDLE");
    if (ca_bundle != NULL && ca_bundle[0] != '\0')
        hopts.ca_file = ca_bundle;
    struct lk_error herr = {0};
    if (lk_http_curl_new(&hopts, &http, &herr) != LK_STATUS_OK) {
        fprintf(stderr, "logkeep whoami: cannot start the HTTP client: %s\n", herr.message);
        goto cleanup;
    }
    struct lk_credentials_options copts = {
        .profile = profile, .http = &http, .cfg = &cfg, .sts = lk_sts_credentials_provider()};
    if (lk_credentials_chain_new(&copts, &provider) != 0) {
        fprintf(stderr, "logkeep whoami: cannot set up the credential chain\n");
        http.destroy(http.impl);
        goto cleanup;
    }
    if (lk_aws_client_init(&client, &http, &provider, &cfg) != 0) {
        fprintf(stderr, "logkeep whoami: cannot set up the AWS client\n");
        provider.destroy(provider.impl);
        http.destroy(http.impl);
        goto cleanup;
    }
    have_client = true;

    if (lk_sts_get_caller_identity(&client, &id, &err) != 0) {
        s_print_error(&err);
        goto cleanup;
    }
    /* The chain caches what it resolved: asking again only reads its source. */
    if (client.creds.get(client.creds.impl, &creds, &err) != 0) {
        s_print_error(&err);
        goto cleanup;
    }
    printf("Account:     %s\n", id.account);
    printf("ARN:         %s\n", id.arn);
    printf("UserId:      %s\n", id.user_id);
    printf("credentials: %s\n", creds.source ? creds.source : "unknown");
    rc = LK_EXIT_OK;

cleanup:
    lk_aws_credentials_clear(&creds);
    lk_sts_identity_clear(&id);
    lk_aws_error_clear(&err);
    if (have_client)
        lk_aws_client_free(&client);
    lk_aws_config_free(&cfg);
    return rc;
}
