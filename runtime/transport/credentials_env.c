/*
 * logkeep runtime: the environment credential provider (credentials.h, provider 1).
 *
 * Sources:
 *   [NOTES] docs/protocol-notes.md section 8 (botocore credentials.py EnvProvider).
 *   [ENV]   AWS SDKs and Tools Reference Guide, "AWS access keys",
 *           https://docs.aws.amazon.com/sdkref/latest/guide/feature-static-credentials.html
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "runtime/transport/credentials_int.h"

int lk_credentials_from_env(struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    const char *akid = lk_credentials_env("AWS_ACCESS_KEY_ID");
    const char *secret = lk_credentials_env("AWS_SECRET_ACCESS_KEY");
    if (akid == NULL && secret == NULL)
        return LK_CREDENTIALS_NOT_FOUND;
    /* botocore EnvProvider raises PartialCredentialsError when only one is set. */
    if (akid == NULL || secret == NULL)
        return lk_credentials_fail(err, "PartialCredentials", "%s is set but %s is not",
                                   akid ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                                   akid ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
    /* [ENV]; botocore also accepts the legacy AWS_SECURITY_TOKEN [NOTES]. */
    const char *token = lk_credentials_env("AWS_SESSION_TOKEN");
    if (token == NULL)
        token = lk_credentials_env("AWS_SECURITY_TOKEN");
    const char *exp = lk_credentials_env("AWS_CREDENTIAL_EXPIRATION");
    int64_t expiration_s = 0;
    if (exp != NULL && lk_aws_parse_iso8601(exp, &expiration_s) != 0)
        return lk_credentials_fail(err, "InvalidConfiguration",
                                   "AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 timestamp");
    memset(out, 0, sizeof(*out));
    out->access_key_id = lk_xstrdup(akid);
    out->secret_access_key = lk_xstrdup(secret);
    out->session_token = token != NULL ? lk_xstrdup(token) : NULL;
    out->expiration_s = expiration_s;
    out->source = lk_xstrdup("environment");
    return LK_CREDENTIALS_FOUND;
}
