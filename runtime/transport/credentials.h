/*
 * logkeep runtime: AWS credentials, the standard provider chain.
 *
 * The first source that applies wins (docs/protocol-notes.md section 8, botocore
 * credentials.py create_credential_resolver; AWS SDKs and Tools Reference Guide, "AWS SDKs and
 * Tools standardized credential providers",
 * https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html):
 *
 *   1. environment        AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (or the
 *                         legacy AWS_SECURITY_TOKEN), AWS_CREDENTIAL_EXPIRATION; skipped when a
 *                         profile is named explicitly (--profile)          credentials_env.c
 *   2. assume role        the profile's role_arn with source_profile (chained) or
 *                         credential_source = Environment | Ec2InstanceMetadata | EcsContainer
 *                                                                          credentials_profile.c
 *   3. web identity       AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME),
 *                         or the profile's web_identity_token_file + role_arn
 *                                                                          credentials_web_identity.c
 *   4. credentials file   the profile's aws_access_key_id / aws_secret_access_key
 *                                                                          credentials_profile.c
 *   5. credential_process the profile's external command, its JSON output  credentials_process.c
 *   6. config file        static keys in the profile                       credentials_profile.c
 *   7. container          AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI
 *                                                                          credentials_container.c
 *   8. instance metadata  EC2 IMDSv2 (IMDSv1 fallback), unless AWS_EC2_METADATA_DISABLED=true
 *                                                                          credentials_imds.c
 *
 * Temporary credentials are cached and refreshed 15 minutes before they expire (advisory: on
 * failure the old ones are kept) and 10 minutes before (mandatory: failure is an error), as
 * botocore's RefreshableCredentials does. A refresh runs the chain again, so web identity
 * tokens and credential_process are read again (credentials.c).
 *
 * Assume-role and web identity providers call AWS STS. The chain does not know the STS client:
 * it calls the table of functions the caller passes in (struct lk_credentials_sts;
 * runtime/services/sts.h provides the real one), so the transport floor stays below services.
 *
 * Secrets are never logged; every copy is wiped before it is freed.
 */
#ifndef LK_CREDENTIALS_H
#define LK_CREDENTIALS_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/transport/client.h"

/* botocore credentials.py RefreshableCredentials: _advisory_refresh_timeout = 15 * 60,
 * _mandatory_refresh_timeout = 10 * 60. */
#define LK_CREDENTIALS_ADVISORY_REFRESH_S (15 * 60)
#define LK_CREDENTIALS_MANDATORY_REFRESH_S (10 * 60)

/* credential_process bounds. The AWS SDK for Go v1 processcreds uses an 8 KiB buffer and a one
 * minute timeout; the output here may be larger (long session tokens) but stays bounded. */
#define LK_CREDENTIALS_PROCESS_MAX_OUTPUT ((size_t)64 * 1024)
#define LK_CREDENTIALS_PROCESS_TIMEOUT_MS 60000

/* Container credentials: botocore utils.py ContainerMetadataFetcher TIMEOUT_SECONDS = 2,
 * RETRY_ATTEMPTS = 3, SLEEP_TIME = 1. */
#define LK_CREDENTIALS_CONTAINER_TIMEOUT_MS 2000
#define LK_CREDENTIALS_CONTAINER_ATTEMPTS 3
#define LK_CREDENTIALS_CONTAINER_RETRY_SLEEP_MS 1000

/* Instance metadata: botocore IMDSFetcher defaults (AWS_METADATA_SERVICE_TIMEOUT 1 s,
 * AWS_METADATA_SERVICE_NUM_ATTEMPTS 1) and the token TTL it asks for (21600 s). */
#define LK_CREDENTIALS_IMDS_TIMEOUT_MS 1000
#define LK_CREDENTIALS_IMDS_TOKEN_TTL_S 21600

/* What the chain asks of STS AssumeRole (docs/protocol-notes.md section 6; AWS Security Token
 * Service API Reference, "AssumeRole"). Every pointer is borrowed for the call. */
struct lk_credentials_assume_role_params {
    const char *role_arn;          /* required */
    const char *role_session_name; /* required: 2-64 characters of [\w+=,.@-] */
    const char *external_id;       /* or NULL */
    int duration_seconds;          /* 900-43200, or 0 to let STS choose (one hour) */
};

/* What the chain asks of STS AssumeRoleWithWebIdentity (docs/protocol-notes.md section 6; AWS
 * Security Token Service API Reference, "AssumeRoleWithWebIdentity"). */
struct lk_credentials_web_identity_params {
    const char *role_arn;           /* required */
    const char *role_session_name;  /* required */
    const char *web_identity_token; /* required: the OIDC token (secret) */
    int duration_seconds;           /* or 0 */
};

/**
 * STS as the credential chain sees it: the two calls that turn credentials or a token into a
 * role's temporary credentials. runtime/services/sts.h implements it
 * (lk_sts_credentials_provider()).
 *
 * Each function gets an AWS client the chain built for this one call over its own transport,
 * region and endpoints: signed with the source credentials for assume_role, and without
 * credentials for assume_role_with_web_identity (the call is sent unsigned). It fills @p out
 * (caller clears; source stays NULL) and returns 0, or returns -1 with @p err set as AWS
 * reported it.
 */
struct lk_credentials_sts {
    int (*assume_role)(void *ctx, struct lk_aws_client *client,
                       const struct lk_credentials_assume_role_params *p,
                       struct lk_aws_credentials *out, struct lk_aws_error *err);
    int (*assume_role_with_web_identity)(void *ctx, struct lk_aws_client *client,
                                         const struct lk_credentials_web_identity_params *p,
                                         struct lk_aws_credentials *out, struct lk_aws_error *err);
    void *ctx; /* borrowed: passed to both; must outlive the chain */
};

struct lk_credentials_options {
    const char *profile;                  /* --profile, or NULL (AWS_PROFILE, ..., "default") */
    const struct lk_http_vtable *http;    /* borrowed: STS and metadata requests; must outlive the
                                             provider (the client owning both frees the provider
                                             first) */
    const struct lk_aws_config *cfg;      /* copied: region, endpoints, max_attempts and debug for
                                             the STS calls; may be NULL */
    const struct lk_credentials_sts *sts; /* copied (its ctx stays borrowed): the STS calls of
                                             assume-role and web identity providers; NULL: those
                                             providers fail with "StsUnavailable" */
};

/**
 * Creates the standard chain. Nothing is read until the first get().
 * @param opts options; http is required, sts optional (without it, assume-role and web
 *        identity fail)
 * @param out receives the provider (its destroy frees everything)
 * @return LK_STATUS_OK, or LK_STATUS_INVALID_ARGUMENT when an option is missing
 */
LK_MUST_CHECK enum lk_status lk_credentials_chain_new(const struct lk_credentials_options *opts,
                                                      struct lk_aws_credential_provider *out);

/** A provider that always answers a copy of @p creds (tests, the source of an AssumeRole). */
void lk_credentials_static_new(const struct lk_aws_credentials *creds,
                               struct lk_aws_credential_provider *out);

/**
 * Parses the standard output of a credential_process command:
 * {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}
 * (AWS SDKs and Tools Reference Guide, "Process credential provider",
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html).
 * @param out receives the credentials (caller clears); source stays NULL
 * @param errbuf receives the reason on failure (never a secret); @param errlen its size
 * @return 0, or -1
 */
int lk_credentials_parse_process_output(const char *json, size_t len,
                                        struct lk_aws_credentials *out, char *errbuf,
                                        size_t errlen);

/**
 * Parses a container or instance metadata credentials answer:
 * {"AccessKeyId", "SecretAccessKey", "Token", "Expiration", "Code"?}.
 * @return 0, or -1 with the reason in @p errbuf
 */
int lk_credentials_parse_metadata_json(const char *json, size_t len, struct lk_aws_credentials *out,
                                       char *errbuf, size_t errlen);

/**
 * Runs @p command with /bin/sh -c, collecting its standard output.
 * @param timeout_ms the process is killed after this long
 * @param max_output more output than this is an error
 * @param out receives the output, NUL-terminated (caller wipes and frees)
 * @param out_len receives its length
 * @param errbuf receives the reason on failure (exit status and the first line of stderr)
 * @return 0 when the command exited with status 0, or -1
 */
int lk_credentials_run_process(const char *command, int64_t timeout_ms, size_t max_output,
                               char **out, size_t *out_len, char *errbuf, size_t errlen);

/**
 * @return true when @p url may serve container credentials: https://, or http:// to loopback,
 *         169.254.170.2, 169.254.170.23 or fd00:ec2::23
 */
bool lk_credentials_container_url_allowed(const char *url);

#endif
