/*
 * logkeep runtime: the web identity credential provider (credentials.h, provider 3): an OIDC
 * token from a file, exchanged for a role's credentials by an unsigned STS
 * AssumeRoleWithWebIdentity call through the chain's STS table.
 *
 * Sources:
 *   [NOTES] docs/protocol-notes.md sections 6 (STS) and 8 (botocore credentials.py
 *           AssumeRoleWithWebIdentityProvider).
 *   [ROLE]  AWS SDKs and Tools Reference Guide, "Assume role credential provider"
 *           (web_identity_token_file, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN,
 *           AWS_ROLE_SESSION_NAME),
 *           https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html
 *   [ARWI]  AWS Security Token Service API Reference, "AssumeRoleWithWebIdentity",
 *           https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "runtime/transport/credentials_int.h"

int lk_credentials_web_identity(const struct lk_credentials_chain *c, const char *token_file,
                                const char *role_arn, const char *session_name,
                                const char *duration, const char *where,
                                struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    int rc = LK_CREDENTIALS_ERROR;
    char *token = NULL;
    char *default_name = NULL;
    char errbuf[512];
    char doing[400];
    struct lk_aws_client client;
    struct lk_aws_error inner;
    bool have_client = false;

    memset(&inner, 0, sizeof(inner));
    if (role_arn == NULL) {
        lk_credentials_fail(err, "InvalidConfiguration",
                            "%s: a web identity token file is set but no role ARN", where);
        goto cleanup;
    }
    snprintf(doing, sizeof(doing), "web identity (%s) for role %s", where, role_arn);
    if (lk_credentials_need_sts(c, doing, err) != LK_CREDENTIALS_FOUND)
        goto cleanup;
    /* [NOTES] section 8: the token file is read again on every refresh (EKS rotates it). */
    if (lk_credentials_read_token_file(token_file, &token, errbuf, sizeof(errbuf)) != 0) {
        lk_credentials_fail(err, "WebIdentityTokenError", "%s: %s", where, errbuf);
        goto cleanup;
    }
    /* [ROLE]: the session name is optional. */
    if (session_name == NULL)
        session_name = default_name = lk_credentials_default_session_name(c);
    int duration_s = duration != NULL ? atoi(duration) : 0;
    /* No credentials: [ARWI] the call is not signed, the token is the proof [NOTES section 6]. */
    if (lk_credentials_sts_client(c, NULL, &client) != 0) {
        lk_credentials_fail(err, "InvalidConfiguration", "%s: cannot set up the STS client", where);
        goto cleanup;
    }
    have_client = true;
    struct lk_credentials_web_identity_params p = {role_arn, session_name, token, duration_s};
    if (c->sts.assume_role_with_web_identity(c->sts.ctx, &client, &p, out, &inner) != 0) {
        lk_credentials_sts_failed(err, &inner, doing);
        goto cleanup;
    }
    free(out->source); /* the table leaves it NULL; a stray one is not leaked */
    out->source = lk_credentials_printf("web identity (role %s)", role_arn);
    rc = LK_CREDENTIALS_FOUND;

cleanup:
    lk_http_free_secret(token);
    free(default_name);
    lk_aws_error_clear(&inner);
    if (have_client)
        lk_aws_client_free(&client);
    return rc;
}
