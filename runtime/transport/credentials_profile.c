/*
 * logkeep runtime: the shared-file profile providers (credentials.h, providers 2, 4 and 6):
 * static keys in the credentials or config file, and assume-role profiles (role_arn with
 * source_profile or credential_source), whose AssumeRole call goes through the chain's STS table.
 *
 * Sources:
 *   [NOTES] docs/protocol-notes.md sections 6 (STS AssumeRole) and 8 (botocore credentials.py
 *           AssumeRoleProvider, SharedCredentialProvider, ConfigProvider).
 *   [ENV]   AWS SDKs and Tools Reference Guide, "AWS access keys",
 *           https://docs.aws.amazon.com/sdkref/latest/guide/feature-static-credentials.html
 *   [ROLE]  AWS SDKs and Tools Reference Guide, "Assume role credential provider",
 *           https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html
 *   [AR]    AWS Security Token Service API Reference, "AssumeRole",
 *           https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "runtime/transport/credentials_int.h"

/* Static keys of one profile section [ENV]: aws_access_key_id, aws_secret_access_key and the
 * optional aws_session_token (botocore also reads the legacy aws_security_token). */
int lk_credentials_static_keys(const struct lk_config_section *sec, const char *what,
                               const char *profile, struct lk_aws_credentials *out,
                               struct lk_aws_error *err)
{
    const char *akid = lk_config_get(sec, "aws_access_key_id");
    const char *secret = lk_config_get(sec, "aws_secret_access_key");
    if ((akid == NULL || akid[0] == '\0') && (secret == NULL || secret[0] == '\0'))
        return LK_CREDENTIALS_NOT_FOUND;
    if (akid == NULL || akid[0] == '\0' || secret == NULL || secret[0] == '\0')
        return lk_credentials_fail(err, "PartialCredentials",
                                   "profile %s in the %s has only one of aws_access_key_id and "
                                   "aws_secret_access_key",
                                   profile, what);
    const char *token = lk_config_get(sec, "aws_session_token");
    if (token == NULL || token[0] == '\0')
        token = lk_config_get(sec, "aws_security_token");
    memset(out, 0, sizeof(*out));
    out->access_key_id = lk_xstrdup(akid);
    out->secret_access_key = lk_xstrdup(secret);
    out->session_token = token != NULL && token[0] != '\0' ? lk_xstrdup(token) : NULL;
    out->source = lk_credentials_printf("%s (profile %s)", what, profile);
    return LK_CREDENTIALS_FOUND;
}

bool lk_credentials_is_role_profile(const struct lk_credentials_files *f, const char *profile)
{
    /* botocore AssumeRoleProvider: role_arn without web_identity_token_file (that pair is the
     * web identity provider's). */
    return lk_credentials_profile_get(f, profile, "role_arn") != NULL &&
           lk_credentials_profile_get(f, profile, "web_identity_token_file") == NULL;
}

static int s_role_profile(const struct lk_credentials_chain *c,
                          const struct lk_credentials_files *f, const char *profile,
                          const char **visited, int depth, struct lk_aws_credentials *out,
                          struct lk_aws_error *err);

/* The credentials a source_profile provides, which then sign the AssumeRole call. */
static int s_source_profile(const struct lk_credentials_chain *c,
                            const struct lk_credentials_files *f, const char *source,
                            const char *profile, const char **visited, int depth,
                            struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    int r;
    if (!lk_credentials_profile_exists(f, source))
        return lk_credentials_fail(err, "InvalidConfiguration",
                                   "profile %s names source_profile %s, which does not exist",
                                   profile, source);
    for (int i = 0; i < depth; i++)
        if (strcmp(visited[i], source) == 0 && strcmp(source, profile) != 0)
            return lk_credentials_fail(err, "InvalidConfiguration",
                                       "the source_profile chain loops back to profile %s", source);
    /* A profile may name itself as source_profile: its own static keys then sign the call
     * (botocore _source_profile_has_credentials). */
    if (strcmp(source, profile) != 0 && lk_credentials_is_role_profile(f, source))
        return s_role_profile(c, f, source, visited, depth, out, err);
    r = lk_credentials_static_keys(lk_credentials_creds_profile(f, source), "profile", source, out,
                                   err);
    if (r == LK_CREDENTIALS_NOT_FOUND)
        r = lk_credentials_static_keys(lk_credentials_config_profile(f, source), "profile", source,
                                       out, err);
    if (r != LK_CREDENTIALS_NOT_FOUND) {
        if (r == LK_CREDENTIALS_FOUND) {
            free(out->source);
            out->source = lk_credentials_printf("profile %s", source);
        }
        return r;
    }
    const char *token_file = lk_credentials_profile_get(f, source, "web_identity_token_file");
    if (token_file != NULL && strcmp(source, profile) != 0) {
        char where[300];
        snprintf(where, sizeof(where), "profile %s", source);
        return lk_credentials_web_identity(
            c, token_file, lk_credentials_profile_get(f, source, "role_arn"),
            lk_credentials_profile_get(f, source, "role_session_name"),
            lk_credentials_profile_get(f, source, "duration_seconds"), where, out, err);
    }
    const char *command = lk_credentials_profile_get(f, source, "credential_process");
    if (command != NULL)
        return lk_credentials_process(c, command, source, out, err);
    return lk_credentials_fail(err, "InvalidConfiguration",
                               "source_profile %s of profile %s has no credentials "
                               "(aws_access_key_id, role_arn, web_identity_token_file or "
                               "credential_process)",
                               source, profile);
}

static int s_role_profile(const struct lk_credentials_chain *c,
                          const struct lk_credentials_files *f, const char *profile,
                          const char **visited, int depth, struct lk_aws_credentials *out,
                          struct lk_aws_error *err)
{
    int rc = LK_CREDENTIALS_ERROR;
    struct lk_aws_credentials source_creds;
    struct lk_aws_client client;
    struct lk_aws_error inner;
    char *default_name = NULL;
    bool have_client = false;
    char doing[512];

    memset(&source_creds, 0, sizeof(source_creds));
    memset(&inner, 0, sizeof(inner));
    if (depth >= LK_CREDENTIALS_MAX_ROLE_CHAIN) {
        lk_credentials_fail(err, "InvalidConfiguration",
                            "source_profile chains longer than %d profiles",
                            LK_CREDENTIALS_MAX_ROLE_CHAIN);
        goto cleanup;
    }
    visited[depth++] = profile;
    const char *role_arn = lk_credentials_profile_get(f, profile, "role_arn");
    const char *source_profile = lk_credentials_profile_get(f, profile, "source_profile");
    const char *credential_source = lk_credentials_profile_get(f, profile, "credential_source");
    /* [ROLE], [NOTES]: exactly one of source_profile and credential_source. */
    if (source_profile != NULL && credential_source != NULL) {
        lk_credentials_fail(err, "InvalidConfiguration",
                            "profile %s sets both source_profile and credential_source; use one",
                            profile);
        goto cleanup;
    }
    if (source_profile == NULL && credential_source == NULL) {
        lk_credentials_fail(err, "InvalidConfiguration",
                            "profile %s has role_arn but neither source_profile nor "
                            "credential_source",
                            profile);
        goto cleanup;
    }
    if (lk_credentials_profile_get(f, profile, "mfa_serial") != NULL) {
        lk_credentials_fail(err, "InvalidConfiguration",
                            "profile %s needs an MFA code (mfa_serial), which logkeep cannot ask "
                            "for; use credentials from an MFA session instead",
                            profile);
        goto cleanup;
    }
    snprintf(doing, sizeof(doing), "profile %s: assuming role %s", profile, role_arn);
    /* Before the source credentials are fetched: without STS they would be fetched (a
     * credential_process run, metadata requests) for nothing. */
    if (lk_credentials_need_sts(c, doing, err) != LK_CREDENTIALS_FOUND)
        goto cleanup;

    int r;
    if (source_profile != NULL) {
        r = s_source_profile(c, f, source_profile, profile, visited, depth, &source_creds, err);
    } else if (strcmp(credential_source, "Environment") == 0) {
        r = lk_credentials_from_env(&source_creds, err);
        if (r == LK_CREDENTIALS_NOT_FOUND)
            r = lk_credentials_fail(err, "InvalidConfiguration",
                                    "profile %s: credential_source Environment, but "
                                    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
                                    profile);
    } else if (strcmp(credential_source, "Ec2InstanceMetadata") == 0) {
        r = lk_credentials_imds(c, true, &source_creds, err);
    } else if (strcmp(credential_source, "EcsContainer") == 0) {
        r = lk_credentials_container(c, true, &source_creds, err);
    } else {
        r = lk_credentials_fail(err, "InvalidConfiguration",
                                "profile %s: credential_source must be Environment, "
                                "Ec2InstanceMetadata or EcsContainer, not \"%s\"",
                                profile, credential_source);
    }
    if (r != LK_CREDENTIALS_FOUND)
        goto cleanup;

    const char *session_name = lk_credentials_profile_get(f, profile, "role_session_name");
    if (session_name == NULL)
        session_name = default_name = lk_credentials_default_session_name(c);
    const char *duration = lk_credentials_profile_get(f, profile, "duration_seconds");
    int duration_s = 0;
    if (duration != NULL) {
        char *end = NULL;
        long v = strtol(duration, &end, 10);
        /* [NOTES] section 6, [AR]: DurationSeconds 900-43200. */
        if (end == duration || *end != '\0' || v < 900 || v > 43200) {
            lk_credentials_fail(err, "InvalidConfiguration",
                                "profile %s: duration_seconds must be 900 to 43200, not \"%s\"",
                                profile, duration);
            goto cleanup;
        }
        duration_s = (int)v;
    }
    if (lk_credentials_sts_client(c, &source_creds, &client) != 0) {
        lk_credentials_fail(err, "InvalidConfiguration", "profile %s: cannot set up the STS client",
                            profile);
        goto cleanup;
    }
    have_client = true;
    struct lk_credentials_assume_role_params p = {
        role_arn, session_name, lk_credentials_profile_get(f, profile, "external_id"), duration_s};
    if (c->sts.assume_role(c->sts.ctx, &client, &p, out, &inner) != 0) {
        lk_credentials_sts_failed(err, &inner, doing);
        goto cleanup;
    }
    free(out->source); /* the table leaves it NULL; a stray one is not leaked */
    out->source = lk_credentials_printf("profile %s: assume role %s via %s", profile, role_arn,
                                        source_creds.source ? source_creds.source : "?");
    rc = LK_CREDENTIALS_FOUND;

cleanup:
    lk_aws_credentials_clear(&source_creds);
    lk_aws_error_clear(&inner);
    free(default_name);
    if (have_client)
        lk_aws_client_free(&client);
    return rc;
}

int lk_credentials_role_profile(const struct lk_credentials_chain *c,
                                const struct lk_credentials_files *f, const char *profile,
                                struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    const char *visited[LK_CREDENTIALS_MAX_ROLE_CHAIN];
    return s_role_profile(c, f, profile, visited, 0, out, err);
}
