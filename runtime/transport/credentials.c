/*
 * logkeep runtime: the standard credential provider chain (credentials.h): the order of the
 * providers, caching and refresh, the static provider, and the helpers the providers share
 * (credentials_int.h). Each provider is in its own credentials_<provider>.c.
 *
 * Sources:
 *   [NOTES] docs/protocol-notes.md section 8 (botocore credentials.py, utils.py).
 *   [CHAIN] AWS SDKs and Tools Reference Guide, "AWS SDKs and Tools standardized credential
 *           providers" (Understand the credential provider chain),
 *           https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
 *   [ROLE]  AWS SDKs and Tools Reference Guide, "Assume role credential provider",
 *           https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html
 *   [STSR]  AWS SDKs and Tools Reference Guide, "AWS STS Regional endpoints",
 *           https://docs.aws.amazon.com/sdkref/latest/guide/feature-sts-regionalized-endpoints.html
 */
#include "runtime/transport/credentials.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/arena.h"
#include "runtime/transport/config_file.h"
#include "runtime/transport/credentials_int.h"
#include "runtime/transport/http.h"

/* In the advisory window a refresh is tried at most this often. Credentials issued for the
 * minimum STS session (900 s) start inside the 15-minute advisory window; without a pause
 * every call would fetch new ones. */
#define S_ADVISORY_RETRY_S 60

/* ---------------------------------------------------------------------------------------------
 * Helpers shared by the providers
 * ------------------------------------------------------------------------------------------- */

int lk_credentials_fail(struct lk_aws_error *err, const char *code, const char *fmt, ...)
{
    char tmp[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    free(err->code);
    free(err->message);
    err->code = lk_xstrdup(code);
    err->message = lk_xstrdup(tmp);
    /* No credentials could be had from what is configured: the configuration (a profile, a
     * file, a variable, a command) is what is wrong. */
    err->status = LK_STATUS_INVALID_ARGUMENT;
    return LK_CREDENTIALS_ERROR;
}

const char *lk_credentials_env(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

bool lk_credentials_env_true(const char *name)
{
    const char *v = lk_credentials_env(name);
    return v != NULL && strcasecmp(v, "true") == 0;
}

void lk_credentials_debug(const struct lk_credentials_chain *c, const char *fmt, ...)
{
    if (c->cfg.debug == NULL)
        return;
    va_list ap;
    fputs("logkeep: debug: credentials: ", c->cfg.debug);
    va_start(ap, fmt);
    vfprintf(c->cfg.debug, fmt, ap);
    va_end(ap);
    fputc('\n', c->cfg.debug);
    fflush(c->cfg.debug);
}

int64_t lk_credentials_now_s(const struct lk_credentials_chain *c)
{
    return c->http.now_ms(c->http.impl) / 1000;
}

char *lk_credentials_printf(const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    return lk_xstrdup(tmp);
}

const char *lk_credentials_json_string(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(item) && item->valuestring != NULL ? item->valuestring : NULL;
}

/* Wipes every string of a cJSON tree (the documents hold secrets) before cJSON_Delete. */
static void s_cjson_wipe(cJSON *node)
{
    for (; node != NULL; node = node->next) {
        if (node->valuestring != NULL)
            lk_http_secure_zero(node->valuestring, strlen(node->valuestring));
        s_cjson_wipe(node->child);
    }
}

void lk_credentials_json_delete(cJSON *doc)
{
    s_cjson_wipe(doc);
    cJSON_Delete(doc);
}

int lk_credentials_read_token_file(const char *path, char **out, char *errbuf, size_t errlen)
{
    int rc = -1;
    int fd = -1;
    char *data = NULL;
    size_t cap = LK_CREDENTIALS_MAX_TOKEN_FILE_BYTES + 1, len = 0;

    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(errbuf, errlen, "cannot open %s: %s", path, strerror(errno));
        goto cleanup;
    }
    /* Allocated once at the maximum: the buffer never moves, so no copy of the token is left
     * behind. */
    data = lk_xmalloc(cap);
    for (;;) {
        if (len == cap) {
            snprintf(errbuf, errlen, "%s is larger than %zu bytes", path,
                     LK_CREDENTIALS_MAX_TOKEN_FILE_BYTES);
            goto cleanup;
        }
        ssize_t got = read(fd, data + len, cap - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            snprintf(errbuf, errlen, "cannot read %s: %s", path, strerror(errno));
            goto cleanup;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r' || data[len - 1] == ' '))
        len--;
    if (len == 0) {
        snprintf(errbuf, errlen, "%s is empty", path);
        goto cleanup;
    }
    if (memchr(data, '\0', len) != NULL || memchr(data, '\n', len) != NULL ||
        memchr(data, '\r', len) != NULL) {
        snprintf(errbuf, errlen, "%s holds more than one line", path);
        goto cleanup;
    }
    *out = lk_xstrndup(data, len);
    rc = 0;

cleanup:
    if (fd >= 0)
        close(fd);
    if (data != NULL) {
        lk_http_secure_zero(data, cap);
        free(data);
    }
    return rc;
}

void lk_credentials_files_free(struct lk_credentials_files *f)
{
    lk_config_file_free(&f->config);
    lk_config_file_free(&f->creds);
}

int lk_credentials_files_load(struct lk_credentials_files *f, struct lk_aws_error *err)
{
    int rc = -1;
    struct lk_config_error cerr;
    char *config_path = lk_config_default_path(LK_CONFIG_SHARED_CONFIG);
    char *creds_path = lk_config_default_path(LK_CONFIG_CREDENTIALS);

    memset(f, 0, sizeof(*f));
    if (config_path != NULL &&
        lk_config_load(config_path, LK_CONFIG_SHARED_CONFIG, &f->config, &cerr) != 0) {
        lk_credentials_fail(err, "InvalidConfiguration", "%s%s%.0u: %s", config_path,
                            cerr.line ? ":" : "", cerr.line, cerr.error.message);
        err->status = cerr.error.status;
        goto cleanup;
    }
    if (creds_path != NULL &&
        lk_config_load(creds_path, LK_CONFIG_CREDENTIALS, &f->creds, &cerr) != 0) {
        lk_credentials_fail(err, "InvalidConfiguration", "%s%s%.0u: %s", creds_path,
                            cerr.line ? ":" : "", cerr.line, cerr.error.message);
        err->status = cerr.error.status;
        goto cleanup;
    }
    rc = 0;

cleanup:
    free(config_path);
    free(creds_path);
    return rc;
}

const struct lk_config_section *lk_credentials_config_profile(const struct lk_credentials_files *f,
                                                              const char *name)
{
    return lk_config_find(&f->config, LK_CONFIG_SECTION_PROFILE, name);
}

const struct lk_config_section *lk_credentials_creds_profile(const struct lk_credentials_files *f,
                                                             const char *name)
{
    return lk_config_find(&f->creds, LK_CONFIG_SECTION_PROFILE, name);
}

/* A setting of a profile as botocore's session sees it: the credentials file's profiles are
 * merged over the config file's (session.full_config). */
const char *lk_credentials_profile_get(const struct lk_credentials_files *f, const char *profile,
                                       const char *key)
{
    const char *v = lk_config_get(lk_credentials_creds_profile(f, profile), key);
    if (v == NULL)
        v = lk_config_get(lk_credentials_config_profile(f, profile), key);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

bool lk_credentials_profile_exists(const struct lk_credentials_files *f, const char *profile)
{
    return lk_credentials_config_profile(f, profile) != NULL ||
           lk_credentials_creds_profile(f, profile) != NULL;
}

/* Default session names: botocore uses "botocore-session-<epoch seconds>" [NOTES]; [ROLE]
 * role_session_name is optional. */
char *lk_credentials_default_session_name(const struct lk_credentials_chain *c)
{
    return lk_credentials_printf("logkeep-session-%" PRId64, lk_credentials_now_s(c));
}

/* ---------------------------------------------------------------------------------------------
 * STS through the caller's table, with an inner client
 * ------------------------------------------------------------------------------------------- */

int lk_credentials_need_sts(const struct lk_credentials_chain *c, const char *what,
                            struct lk_aws_error *err)
{
    if (c->sts.assume_role != NULL && c->sts.assume_role_with_web_identity != NULL)
        return LK_CREDENTIALS_FOUND;
    return lk_credentials_fail(err, "StsUnavailable",
                               "%s needs AWS STS, but the credential chain was set up without an "
                               "STS client",
                               what);
}

/* For unsigned STS calls: never asked, refuses if it is. */
static enum lk_status s_none_get(void *impl, struct lk_aws_credentials *out,
                                 struct lk_aws_error *err)
{
    (void)impl;
    (void)out;
    lk_credentials_fail(err, "NoCredentials", "no credentials for this call");
    return err->status;
}

int lk_credentials_sts_client(const struct lk_credentials_chain *c,
                              const struct lk_aws_credentials *creds, struct lk_aws_client *client)
{
    struct lk_http_vtable http = c->http;
    http.destroy = NULL; /* borrowed */
    struct lk_aws_credential_provider provider = {s_none_get, NULL, NULL};
    if (creds != NULL)
        lk_credentials_static_new(creds, &provider);
    struct lk_aws_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    /* STS is regional [NOTES section 7], [STSR]; with no region configured, us-east-1 (the
     * region the legacy global endpoint signs with). */
    cfg.region = lk_xstrdup(c->cfg.region != NULL ? c->cfg.region : "us-east-1");
    if (c->cfg.endpoint_url != NULL)
        cfg.endpoint_url = lk_xstrdup(c->cfg.endpoint_url);
    if (c->cfg.service_endpoint_url[LK_AWS_STS] != NULL)
        cfg.service_endpoint_url[LK_AWS_STS] = lk_xstrdup(c->cfg.service_endpoint_url[LK_AWS_STS]);
    cfg.max_attempts = c->cfg.max_attempts;
    cfg.debug = c->cfg.debug;
    if (lk_aws_client_init(client, &http, &provider, &cfg) != 0) {
        if (provider.destroy != NULL)
            provider.destroy(provider.impl);
        lk_aws_config_free(&cfg);
        return -1;
    }
    return 0;
}

int lk_credentials_sts_failed(struct lk_aws_error *err, const struct lk_aws_error *inner,
                              const char *doing)
{
    char text[512];
    lk_aws_error_format(inner, text, sizeof(text));
    free(err->code);
    free(err->message);
    free(err->request_id);
    err->code = lk_xstrdup(inner->code != NULL ? inner->code : "CredentialsError");
    err->message = lk_credentials_printf("%s: %s", doing, text);
    err->request_id = inner->request_id != NULL ? lk_xstrdup(inner->request_id) : NULL;
    err->http_status = inner->http_status;
    err->status = inner->status != LK_STATUS_OK ? inner->status : LK_STATUS_AWS;
    err->no_response = inner->no_response;
    err->retryable = inner->retryable;
    return LK_CREDENTIALS_ERROR;
}

enum lk_status lk_credentials_metadata_request(const struct lk_credentials_chain *c,
                                               const char *label, const char *method,
                                               const char *url, struct lk_http_header *headers,
                                               size_t n_headers, long timeout_ms,
                                               struct lk_http_response *resp)
{
    struct lk_http_request req = {
        .method = method,
        .url = url,
        .headers = headers,
        .n_headers = n_headers,
        .timeout_ms = timeout_ms,
        .allow_metadata_http = true,
    };
    lk_aws_trace_exchange(c->cfg.debug, label, &req, LK_STATUS_OK, NULL, 0);
    int64_t start = c->http.now_ms(c->http.impl);
    enum lk_status result = c->http.perform(c->http.impl, &req, resp);
    lk_aws_trace_exchange(c->cfg.debug, label, &req, result, resp,
                          c->http.now_ms(c->http.impl) - start);
    return result;
}

/* ---------------------------------------------------------------------------------------------
 * The static provider
 * ------------------------------------------------------------------------------------------- */

static enum lk_status s_static_get(void *impl, struct lk_aws_credentials *out,
                                   struct lk_aws_error *err)
{
    (void)err;
    lk_aws_credentials_copy(out, impl);
    return LK_STATUS_OK;
}

static void s_static_destroy(void *impl)
{
    lk_aws_credentials_clear(impl);
    free(impl);
}

void lk_credentials_static_new(const struct lk_aws_credentials *creds,
                               struct lk_aws_credential_provider *out)
{
    struct lk_aws_credentials *copy = lk_xcalloc(1, sizeof(*copy));
    lk_aws_credentials_copy(copy, creds);
    out->get = s_static_get;
    out->destroy = s_static_destroy;
    out->impl = copy;
}

/* ---------------------------------------------------------------------------------------------
 * The chain
 * ------------------------------------------------------------------------------------------- */

/* One resolution: the providers in order [CHAIN; NOTES section 8]. */
static enum lk_status s_resolve(struct lk_credentials_chain *c, struct lk_aws_credentials *out,
                                struct lk_aws_error *err)
{
    int r = LK_CREDENTIALS_NOT_FOUND;
    struct lk_credentials_files files;

    memset(out, 0, sizeof(*out));
    if (lk_credentials_files_load(&files, err) != 0) {
        r = LK_CREDENTIALS_ERROR;
        goto cleanup;
    }
    bool explicit_profile = c->profile_cli != NULL;
    const char *profile = lk_aws_profile_name(c->profile_cli);
    /* botocore raises ProfileNotFound for a profile named but defined nowhere. */
    if ((explicit_profile || strcmp(profile, "default") != 0) &&
        !lk_credentials_profile_exists(&files, profile)) {
        r = lk_credentials_fail(err, "ProfileNotFound", "profile %s is in neither %s nor %s",
                                profile, files.config.path ? files.config.path : "the config file",
                                files.creds.path ? files.creds.path : "the credentials file");
        goto cleanup;
    }

    /* 1. Environment, unless a profile was named on the command line [NOTES section 8]. */
    if (!explicit_profile && (r = lk_credentials_from_env(out, err)) != LK_CREDENTIALS_NOT_FOUND)
        goto cleanup;
    /* 2. Assume-role profile. */
    if (lk_credentials_is_role_profile(&files, profile)) {
        r = lk_credentials_role_profile(c, &files, profile, out, err);
        goto cleanup;
    }
    /* 3. Web identity: the environment (not with an explicit profile: botocore
     * disable_env_vars), then the profile. */
    const char *env_token_file =
        explicit_profile ? NULL : lk_credentials_env("AWS_WEB_IDENTITY_TOKEN_FILE");
    if (env_token_file != NULL) {
        r = lk_credentials_web_identity(c, env_token_file, lk_credentials_env("AWS_ROLE_ARN"),
                                        lk_credentials_env("AWS_ROLE_SESSION_NAME"), NULL,
                                        "AWS_WEB_IDENTITY_TOKEN_FILE", out, err);
        goto cleanup;
    }
    const char *token_file = lk_credentials_profile_get(&files, profile, "web_identity_token_file");
    if (token_file != NULL) {
        char where[300];
        snprintf(where, sizeof(where), "profile %s", profile);
        r = lk_credentials_web_identity(
            c, token_file, lk_credentials_profile_get(&files, profile, "role_arn"),
            lk_credentials_profile_get(&files, profile, "role_session_name"),
            lk_credentials_profile_get(&files, profile, "duration_seconds"), where, out, err);
        goto cleanup;
    }
    /* 4. Shared credentials file. */
    if ((r = lk_credentials_static_keys(lk_credentials_creds_profile(&files, profile),
                                        "shared credentials file", profile, out, err)) !=
        LK_CREDENTIALS_NOT_FOUND)
        goto cleanup;
    /* 5. credential_process. */
    const char *command = lk_credentials_profile_get(&files, profile, "credential_process");
    if (command != NULL) {
        r = lk_credentials_process(c, command, profile, out, err);
        goto cleanup;
    }
    /* 6. Static keys in the config file. */
    if ((r = lk_credentials_static_keys(lk_credentials_config_profile(&files, profile),
                                        "shared config file", profile, out, err)) !=
        LK_CREDENTIALS_NOT_FOUND)
        goto cleanup;
    /* 7. Container, 8. instance metadata. */
    if ((r = lk_credentials_container(c, false, out, err)) != LK_CREDENTIALS_NOT_FOUND)
        goto cleanup;
    if ((r = lk_credentials_imds(c, false, out, err)) != LK_CREDENTIALS_NOT_FOUND)
        goto cleanup;
    r = lk_credentials_fail(err, "NoCredentials",
                            "no AWS credentials found: set AWS_ACCESS_KEY_ID and "
                            "AWS_SECRET_ACCESS_KEY, or configure profile %s in the shared config "
                            "or credentials file",
                            profile);

cleanup:
    lk_credentials_files_free(&files);
    if (r != LK_CREDENTIALS_FOUND)
        lk_aws_credentials_clear(out);
    if (r == LK_CREDENTIALS_FOUND)
        return LK_STATUS_OK;
    if (err->status == LK_STATUS_OK)
        err->status = LK_STATUS_INVALID_ARGUMENT;
    return err->status;
}

/* Cached credentials until the refresh windows (credentials.h; botocore RefreshableCredentials
 * [NOTES section 8]; [CHAIN]: the SDKs renew expiring credentials themselves). */
static enum lk_status s_chain_get(void *impl, struct lk_aws_credentials *out,
                                  struct lk_aws_error *err)
{
    struct lk_credentials_chain *c = impl;
    struct lk_aws_credentials fresh;

    memset(out, 0, sizeof(*out));
    if (c->have_cached) {
        int64_t now_s = lk_credentials_now_s(c);
        int64_t left_s = c->cached.expiration_s - now_s;
        if (c->cached.expiration_s == 0 || left_s > LK_CREDENTIALS_ADVISORY_REFRESH_S ||
            (left_s > LK_CREDENTIALS_MANDATORY_REFRESH_S &&
             now_s - c->resolved_at_s < S_ADVISORY_RETRY_S)) {
            lk_aws_credentials_copy(out, &c->cached);
            return LK_STATUS_OK;
        }
        c->resolved_at_s = now_s;
        lk_credentials_debug(c, "%s expire in %" PRId64 " s: refreshing", c->cached.source, left_s);
        enum lk_status rc = s_resolve(c, &fresh, err);
        if (rc == LK_STATUS_OK) {
            lk_aws_credentials_clear(&c->cached);
            c->cached = fresh;
            lk_aws_credentials_copy(out, &c->cached);
            return LK_STATUS_OK;
        }
        /* Advisory window: keep what still works (botocore logs and carries on). */
        if (left_s > LK_CREDENTIALS_MANDATORY_REFRESH_S) {
            lk_credentials_debug(c, "refresh failed (%s); the current credentials are still valid",
                                 err->code ? err->code : "error");
            free(err->code);
            free(err->message);
            free(err->request_id);
            err->code = err->message = err->request_id = NULL;
            err->http_status = 0;
            err->status = LK_STATUS_OK;
            err->no_response = false;
            err->retryable = false;
            lk_aws_credentials_copy(out, &c->cached);
            return LK_STATUS_OK;
        }
        return rc;
    }
    LK_GUARD(s_resolve(c, &fresh, err));
    lk_credentials_debug(c, "using %s (key %s%s)", fresh.source, fresh.access_key_id,
                         fresh.session_token ? ", with session token" : "");
    if (fresh.expiration_s != 0 &&
        fresh.expiration_s - lk_credentials_now_s(c) <= LK_CREDENTIALS_MANDATORY_REFRESH_S)
        lk_credentials_debug(c, "the credentials expire in %" PRId64 " s",
                             fresh.expiration_s - lk_credentials_now_s(c));
    c->cached = fresh;
    c->have_cached = true;
    c->resolved_at_s = lk_credentials_now_s(c);
    lk_aws_credentials_copy(out, &c->cached);
    return LK_STATUS_OK;
}

static void s_chain_destroy(void *impl)
{
    struct lk_credentials_chain *c = impl;
    if (c == NULL)
        return;
    lk_aws_credentials_clear(&c->cached);
    lk_aws_config_free(&c->cfg);
    free(c->profile_cli);
    free(c);
}

enum lk_status lk_credentials_chain_new(const struct lk_credentials_options *opts,
                                        struct lk_aws_credential_provider *out)
{
    memset(out, 0, sizeof(*out));
    if (opts == NULL || opts->http == NULL || opts->http->perform == NULL ||
        opts->http->now_ms == NULL || opts->http->sleep_ms == NULL)
        return LK_STATUS_INVALID_ARGUMENT;
    struct lk_credentials_chain *c = lk_xcalloc(1, sizeof(*c));
    c->http = *opts->http;
    c->http.destroy = NULL;
    if (opts->sts != NULL)
        c->sts = *opts->sts;
    if (opts->profile != NULL && opts->profile[0] != '\0')
        c->profile_cli = lk_xstrdup(opts->profile);
    if (opts->cfg != NULL) {
        const struct lk_aws_config *src = opts->cfg;
        c->cfg.region = src->region ? lk_xstrdup(src->region) : NULL;
        c->cfg.endpoint_url = src->endpoint_url ? lk_xstrdup(src->endpoint_url) : NULL;
        for (int i = 0; i < LK_AWS_SERVICE_COUNT; i++)
            c->cfg.service_endpoint_url[i] =
                src->service_endpoint_url[i] ? lk_xstrdup(src->service_endpoint_url[i]) : NULL;
        c->cfg.max_attempts = src->max_attempts;
        c->cfg.debug = src->debug;
    }
    out->get = s_chain_get;
    out->destroy = s_chain_destroy;
    out->impl = c;
    return LK_STATUS_OK;
}
