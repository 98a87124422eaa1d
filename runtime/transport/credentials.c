/*
 * logkeep runtime: the standard credential provider chain (credentials.h).
 *
 * Sources:
 *   [NOTES] docs/protocol-notes.md section 8 (botocore credentials.py, utils.py).
 *   [CHAIN] https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
 *   [ENV]   https://docs.aws.amazon.com/sdkref/latest/guide/feature-static-credentials.html
 *   [ROLE]  https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html
 *   [PROC]  https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html
 *   [CONT]  https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html
 *   [IMDS]  https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-credentials.html
 */
#include "runtime/transport/credentials.h"

#include <cjson/cJSON.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/arena.h"
#include "runtime/transport/config_file.h"
#include "runtime/transport/http.h"
#include "runtime/services/sts.h"

/* Longest chain of source_profile links followed; botocore detects loops but sets no depth
 * limit, this only bounds a pathological file. */
#define S_MAX_ROLE_CHAIN 16
/* Token files: the STS WebIdentityToken is at most 20000 characters [NOTES section 6]; the
 * container authorization token is a short bearer token. */
#define S_MAX_TOKEN_FILE_BYTES ((size_t)64 * 1024)

enum s_found {
    S_ERROR = -1,
    S_NOT_FOUND = 0,
    S_FOUND = 1,
};

struct s_chain {
    struct lk_http_vtable http;       /* copy of the borrowed transport; destroy is NULL */
    struct lk_aws_config cfg;         /* owned strings (debug is borrowed) */
    char *profile_cli;                /* owned: --profile, or NULL */
    struct lk_aws_credentials cached; /* owned */
    bool have_cached;
    int64_t resolved_at_s; /* when the cached credentials were fetched */
};

/* In the advisory window a refresh is tried at most this often. Credentials issued for the
 * minimum STS session (900 s) start inside the 15-minute advisory window; without a pause
 * every call would fetch new ones. */
#define S_ADVISORY_RETRY_S 60

/* The two shared files, read afresh at each resolution. */
struct s_files {
    struct lk_config_file config;
    struct lk_config_file creds;
};

/* ---------------------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------------------- */

static int s_fail(struct lk_aws_error *err, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int s_fail(struct lk_aws_error *err, const char *code, const char *fmt, ...)
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
    return S_ERROR;
}

static const char *s_env(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

static bool s_env_true(const char *name)
{
    const char *v = s_env(name);
    return v != NULL && strcasecmp(v, "true") == 0;
}

static void s_debug(const struct s_chain *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void s_debug(const struct s_chain *c, const char *fmt, ...)
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

static int64_t s_now_s(const struct s_chain *c)
{
    return c->http.now_ms(c->http.impl) / 1000;
}

static char *s_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *s_printf(const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    return lk_xstrdup(tmp);
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

static void s_cjson_delete(cJSON *doc)
{
    s_cjson_wipe(doc);
    cJSON_Delete(doc);
}

/* Reads a small file (a token), wholly, with trailing newlines removed. */
static int s_read_token_file(const char *path, char **out, char *errbuf, size_t errlen)
{
    int rc = -1;
    int fd = -1;
    char *data = NULL;
    size_t cap = S_MAX_TOKEN_FILE_BYTES + 1, len = 0;

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
            snprintf(errbuf, errlen, "%s is larger than %zu bytes", path, S_MAX_TOKEN_FILE_BYTES);
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

static void s_files_free(struct s_files *f)
{
    lk_config_file_free(&f->config);
    lk_config_file_free(&f->creds);
}

static int s_files_load(struct s_files *f, struct lk_aws_error *err)
{
    int rc = -1;
    struct lk_config_error cerr;
    char *config_path = lk_config_default_path(LK_CONFIG_SHARED_CONFIG);
    char *creds_path = lk_config_default_path(LK_CONFIG_CREDENTIALS);

    memset(f, 0, sizeof(*f));
    if (config_path != NULL &&
        lk_config_load(config_path, LK_CONFIG_SHARED_CONFIG, &f->config, &cerr) != 0) {
        s_fail(err, "InvalidConfiguration", "%s%s%.0u: %s", config_path, cerr.line ? ":" : "",
               cerr.line, cerr.message);
        goto cleanup;
    }
    if (creds_path != NULL &&
        lk_config_load(creds_path, LK_CONFIG_CREDENTIALS, &f->creds, &cerr) != 0) {
        s_fail(err, "InvalidConfiguration", "%s%s%.0u: %s", creds_path, cerr.line ? ":" : "",
               cerr.line, cerr.message);
        goto cleanup;
    }
    rc = 0;

cleanup:
    free(config_path);
    free(creds_path);
    return rc;
}

static const struct lk_config_section *s_config_profile(const struct s_files *f, const char *name)
{
    return lk_config_find(&f->config, LK_CONFIG_SECTION_PROFILE, name);
}

static const struct lk_config_section *s_creds_profile(const struct s_files *f, const char *name)
{
    return lk_config_find(&f->creds, LK_CONFIG_SECTION_PROFILE, name);
}

/* A setting of a profile as botocore's session sees it: the credentials file's profiles are
 * merged over the config file's (session.full_config). */
static const char *s_profile_get(const struct s_files *f, const char *profile, const char *key)
{
    const char *v = lk_config_get(s_creds_profile(f, profile), key);
    if (v == NULL)
        v = lk_config_get(s_config_profile(f, profile), key);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

static bool s_profile_exists(const struct s_files *f, const char *profile)
{
    return s_config_profile(f, profile) != NULL || s_creds_profile(f, profile) != NULL;
}

/* Default session names: botocore uses "botocore-session-<epoch seconds>". */
static char *s_default_session_name(const struct s_chain *c)
{
    return s_printf("logkeep-session-%" PRId64, s_now_s(c));
}

/* ---------------------------------------------------------------------------------------------
 * Static providers
 * ------------------------------------------------------------------------------------------- */

static int s_static_get(void *impl, struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    (void)err;
    lk_aws_credentials_copy(out, impl);
    return 0;
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

/* For unsigned STS calls: never asked, refuses if it is. */
static int s_none_get(void *impl, struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    (void)impl;
    (void)out;
    return s_fail(err, "NoCredentials", "no credentials for this call");
}

/* ---------------------------------------------------------------------------------------------
 * Parsers
 * ------------------------------------------------------------------------------------------- */

static const char *s_json_string(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(item) && item->valuestring != NULL ? item->valuestring : NULL;
}

int lk_credentials_parse_process_output(const char *json, size_t len,
                                        struct lk_aws_credentials *out, char *errbuf, size_t errlen)
{
    int rc = -1;
    cJSON *doc = NULL;

    memset(out, 0, sizeof(*out));
    if (json == NULL || len == 0) {
        snprintf(errbuf, errlen, "no output");
        goto cleanup;
    }
    doc = cJSON_ParseWithLength(json, len);
    if (!cJSON_IsObject(doc)) {
        snprintf(errbuf, errlen, "the output is not a JSON object");
        goto cleanup;
    }
    /* [PROC] "Version must be set to 1"; AccessKeyId and SecretAccessKey are required;
     * SessionToken and Expiration (RFC 3339) are optional. */
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(doc, "Version");
    if (!cJSON_IsNumber(version) || version->valuedouble != 1.0) {
        snprintf(errbuf, errlen, "\"Version\" must be the number 1");
        goto cleanup;
    }
    const char *akid = s_json_string(doc, "AccessKeyId");
    const char *secret = s_json_string(doc, "SecretAccessKey");
    if (akid == NULL || akid[0] == '\0') {
        snprintf(errbuf, errlen, "\"AccessKeyId\" is missing");
        goto cleanup;
    }
    if (secret == NULL || secret[0] == '\0') {
        snprintf(errbuf, errlen, "\"SecretAccessKey\" is missing");
        goto cleanup;
    }
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(doc, "SessionToken");
    if (token != NULL && !cJSON_IsNull(token) &&
        (!cJSON_IsString(token) || token->valuestring == NULL)) {
        snprintf(errbuf, errlen, "\"SessionToken\" must be a string");
        goto cleanup;
    }
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(doc, "Expiration");
    if (exp != NULL && !cJSON_IsNull(exp)) {
        if (!cJSON_IsString(exp) || lk_aws_parse_iso8601(exp->valuestring, &out->expiration_s)) {
            snprintf(errbuf, errlen, "\"Expiration\" is not an ISO 8601 timestamp");
            goto cleanup;
        }
    }
    out->access_key_id = lk_xstrdup(akid);
    out->secret_access_key = lk_xstrdup(secret);
    if (cJSON_IsString(token) && token->valuestring[0] != '\0')
        out->session_token = lk_xstrdup(token->valuestring);
    rc = 0;

cleanup:
    s_cjson_delete(doc);
    if (rc != 0)
        lk_aws_credentials_clear(out);
    return rc;
}

int lk_credentials_parse_metadata_json(const char *json, size_t len, struct lk_aws_credentials *out,
                                       char *errbuf, size_t errlen)
{
    int rc = -1;
    cJSON *doc = NULL;

    memset(out, 0, sizeof(*out));
    if (json == NULL || len == 0) {
        snprintf(errbuf, errlen, "empty answer");
        goto cleanup;
    }
    doc = cJSON_ParseWithLength(json, len);
    if (!cJSON_IsObject(doc)) {
        snprintf(errbuf, errlen, "the answer is not a JSON object");
        goto cleanup;
    }
    /* IMDS answers carry "Code": "Success" [NOTES section 8]; anything else is a failure. */
    const char *code = s_json_string(doc, "Code");
    if (code != NULL && strcmp(code, "Success") != 0) {
        snprintf(errbuf, errlen, "the answer's Code is \"%.64s\"", code);
        goto cleanup;
    }
    /* botocore requires all four members (utils.py _contains_all_credential_fields). */
    static const char *const s_required[] = {"AccessKeyId", "SecretAccessKey", "Token",
                                             "Expiration"};
    for (size_t i = 0; i < 4; i++) {
        const char *v = s_json_string(doc, s_required[i]);
        if (v == NULL || v[0] == '\0') {
            snprintf(errbuf, errlen, "the answer has no \"%s\"", s_required[i]);
            goto cleanup;
        }
    }
    if (lk_aws_parse_iso8601(s_json_string(doc, "Expiration"), &out->expiration_s) != 0) {
        snprintf(errbuf, errlen, "\"Expiration\" is not an ISO 8601 timestamp");
        goto cleanup;
    }
    out->access_key_id = lk_xstrdup(s_json_string(doc, "AccessKeyId"));
    out->secret_access_key = lk_xstrdup(s_json_string(doc, "SecretAccessKey"));
    out->session_token = lk_xstrdup(s_json_string(doc, "Token"));
    rc = 0;

cleanup:
    s_cjson_delete(doc);
    if (rc != 0)
        lk_aws_credentials_clear(out);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * credential_process
 * ------------------------------------------------------------------------------------------- */

static int64_t s_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void s_close(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

int lk_credentials_run_process(const char *command, int64_t timeout_ms, size_t max_output,
                               char **out, size_t *out_len, char *errbuf, size_t errlen)
{
    int rc = -1;
    int out_pipe[2] = {-1, -1};
    int err_pipe[2] = {-1, -1};
    pid_t pid = -1;
    char *buf = NULL;
    size_t len = 0;
    char errtext[512];
    size_t errtext_len = 0;
    bool killed = false;

    *out = NULL;
    *out_len = 0;
    if (command == NULL || command[0] == '\0') {
        snprintf(errbuf, errlen, "empty command");
        return -1;
    }
    /* One buffer at the maximum size: it never moves, so the credentials leave no copies. */
    buf = lk_xmalloc(max_output + 1);
    if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) {
        snprintf(errbuf, errlen, "pipe: %s", strerror(errno));
        goto cleanup;
    }
    /* Close-on-exec everywhere: the child gets the write ends only as its stdout/stderr
     * (dup2 clears the flag on those), and no other process inherits the pipes. */
    for (int i = 0; i < 2; i++) {
        if (fcntl(out_pipe[i], F_SETFD, FD_CLOEXEC) != 0 ||
            fcntl(err_pipe[i], F_SETFD, FD_CLOEXEC) != 0) {
            snprintf(errbuf, errlen, "fcntl: %s", strerror(errno));
            goto cleanup;
        }
    }
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        snprintf(errbuf, errlen, "fork: %s", strerror(errno));
        goto cleanup;
    }
    if (pid == 0) {
        /* Child: stdout and stderr to the pipes (dup2 clears close-on-exec on 1 and 2); stdin
         * stays the caller's, as with botocore's subprocess.Popen. */
        if (dup2(out_pipe[1], STDOUT_FILENO) < 0 || dup2(err_pipe[1], STDERR_FILENO) < 0)
            _exit(126);
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    s_close(&out_pipe[1]);
    s_close(&err_pipe[1]);
    if (fcntl(out_pipe[0], F_SETFL, O_NONBLOCK) != 0 ||
        fcntl(err_pipe[0], F_SETFL, O_NONBLOCK) != 0) {
        snprintf(errbuf, errlen, "fcntl: %s", strerror(errno));
        goto cleanup; /* cleanup kills and reaps the child */
    }

    int64_t deadline = s_monotonic_ms() + timeout_ms;
    bool too_much = false;
    while (out_pipe[0] >= 0 || err_pipe[0] >= 0) {
        int64_t left = deadline - s_monotonic_ms();
        if (left <= 0) {
            killed = true;
            break;
        }
        struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
        int n = poll(fds, 2, (int)(left > 1000 ? 1000 : left));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(errbuf, errlen, "poll: %s", strerror(errno));
            killed = true;
            break;
        }
        if (out_pipe[0] >= 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            char chunk[4096];
            ssize_t got = read(out_pipe[0], chunk, sizeof(chunk));
            if (got > 0) {
                if (len + (size_t)got > max_output) {
                    too_much = true;
                    killed = true;
                    lk_http_secure_zero(chunk, sizeof(chunk));
                    break;
                }
                memcpy(buf + len, chunk, (size_t)got);
                len += (size_t)got;
                lk_http_secure_zero(chunk, (size_t)got);
            } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
                s_close(&out_pipe[0]);
            }
        }
        if (err_pipe[0] >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            char chunk[1024];
            ssize_t got = read(err_pipe[0], chunk, sizeof(chunk));
            if (got > 0) {
                size_t room = sizeof(errtext) - 1 - errtext_len;
                size_t take = (size_t)got < room ? (size_t)got : room;
                memcpy(errtext + errtext_len, chunk, take);
                errtext_len += take;
            } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
                s_close(&err_pipe[0]);
            }
        }
    }
    if (killed)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    pid = -1;
    errtext[errtext_len] = '\0';
    /* Only the first line of stderr goes into the message. */
    errtext[strcspn(errtext, "\r\n")] = '\0';
    if (too_much) {
        snprintf(errbuf, errlen, "the command wrote more than %zu bytes", max_output);
        goto cleanup;
    }
    if (killed) {
        if (errbuf[0] == '\0')
            snprintf(errbuf, errlen, "the command did not finish within %" PRId64 " ms",
                     timeout_ms);
        goto cleanup;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (WIFEXITED(status))
            snprintf(errbuf, errlen, "the command exited with status %d%s%s", WEXITSTATUS(status),
                     errtext[0] ? ": " : "", errtext);
        else
            snprintf(errbuf, errlen, "the command was killed by signal %d",
                     WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        goto cleanup;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    buf = NULL;
    rc = 0;

cleanup:
    s_close(&out_pipe[0]);
    s_close(&out_pipe[1]);
    s_close(&err_pipe[0]);
    s_close(&err_pipe[1]);
    if (pid > 0) {
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    if (buf != NULL) {
        lk_http_secure_zero(buf, max_output + 1);
        free(buf);
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * STS through an inner client
 * ------------------------------------------------------------------------------------------- */

/* An AWS client for one STS call, sharing the chain's transport. @p creds may be NULL for the
 * unsigned AssumeRoleWithWebIdentity. */
static int s_sts_client(const struct s_chain *c, const struct lk_aws_credentials *creds,
                        struct lk_aws_client *client)
{
    struct lk_http_vtable http = c->http;
    http.destroy = NULL; /* borrowed */
    struct lk_aws_credential_provider provider = {s_none_get, NULL, NULL};
    if (creds != NULL)
        lk_credentials_static_new(creds, &provider);
    struct lk_aws_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    /* STS is regional [NOTES section 7]; with no region configured, us-east-1 (the region
     * the legacy global endpoint signs with). */
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

/* Copies the STS failure into the chain's error, with what we were doing. */
static int s_sts_failed(struct lk_aws_error *err, const struct lk_aws_error *inner,
                        const char *doing)
{
    char text[512];
    lk_aws_error_format(inner, text, sizeof(text));
    free(err->code);
    free(err->message);
    free(err->request_id);
    err->code = lk_xstrdup(inner->code != NULL ? inner->code : "CredentialsError");
    err->message = s_printf("%s: %s", doing, text);
    err->request_id = inner->request_id != NULL ? lk_xstrdup(inner->request_id) : NULL;
    err->http_status = inner->http_status;
    err->transport = inner->transport;
    return S_ERROR;
}

/* ---------------------------------------------------------------------------------------------
 * The providers. Each returns S_FOUND, S_NOT_FOUND or S_ERROR.
 * ------------------------------------------------------------------------------------------- */

static int s_from_env(const struct s_chain *c, struct lk_aws_credentials *out,
                      struct lk_aws_error *err)
{
    (void)c;
    const char *akid = s_env("AWS_ACCESS_KEY_ID");
    const char *secret = s_env("AWS_SECRET_ACCESS_KEY");
    if (akid == NULL && secret == NULL)
        return S_NOT_FOUND;
    /* botocore EnvProvider raises PartialCredentialsError when only one is set. */
    if (akid == NULL || secret == NULL)
        return s_fail(err, "PartialCredentials", "%s is set but %s is not",
                      akid ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                      akid ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
    /* [ENV]; botocore also accepts the legacy AWS_SECURITY_TOKEN [NOTES]. */
    const char *token = s_env("AWS_SESSION_TOKEN");
    if (token == NULL)
        token = s_env("AWS_SECURITY_TOKEN");
    const char *exp = s_env("AWS_CREDENTIAL_EXPIRATION");
    int64_t expiration_s = 0;
    if (exp != NULL && lk_aws_parse_iso8601(exp, &expiration_s) != 0)
        return s_fail(err, "InvalidConfiguration",
                      "AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 timestamp");
    memset(out, 0, sizeof(*out));
    out->access_key_id = lk_xstrdup(akid);
    out->secret_access_key = lk_xstrdup(secret);
    out->session_token = token != NULL ? lk_xstrdup(token) : NULL;
    out->expiration_s = expiration_s;
    out->source = lk_xstrdup("environment");
    return S_FOUND;
}

/* Static keys of one profile section. */
static int s_static_keys(const struct lk_config_section *sec, const char *what, const char *profile,
                         struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    const char *akid = lk_config_get(sec, "aws_access_key_id");
    const char *secret = lk_config_get(sec, "aws_secret_access_key");
    if ((akid == NULL || akid[0] == '\0') && (secret == NULL || secret[0] == '\0'))
        return S_NOT_FOUND;
    if (akid == NULL || akid[0] == '\0' || secret == NULL || secret[0] == '\0')
        return s_fail(err, "PartialCredentials",
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
    out->source = s_printf("%s (profile %s)", what, profile);
    return S_FOUND;
}

static int s_web_identity(const struct s_chain *c, const char *token_file, const char *role_arn,
                          const char *session_name, const char *duration, const char *where,
                          struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    int rc = S_ERROR;
    char *token = NULL;
    char *default_name = NULL;
    char errbuf[512];
    struct lk_aws_client client;
    struct lk_aws_error inner;
    bool have_client = false;

    memset(&inner, 0, sizeof(inner));
    if (role_arn == NULL) {
        s_fail(err, "InvalidConfiguration", "%s: a web identity token file is set but no role ARN",
               where);
        goto cleanup;
    }
    /* [NOTES] section 8: the token file is read again on every refresh (EKS rotates it). */
    if (s_read_token_file(token_file, &token, errbuf, sizeof(errbuf)) != 0) {
        s_fail(err, "WebIdentityTokenError", "%s: %s", where, errbuf);
        goto cleanup;
    }
    if (session_name == NULL)
        session_name = default_name = s_default_session_name(c);
    int duration_s = duration != NULL ? atoi(duration) : 0;
    if (s_sts_client(c, NULL, &client) != 0) {
        s_fail(err, "InvalidConfiguration", "%s: cannot set up the STS client", where);
        goto cleanup;
    }
    have_client = true;
    struct lk_sts_web_identity_params p = {role_arn, session_name, token, duration_s};
    if (lk_sts_assume_role_with_web_identity(&client, &p, out, &inner) != 0) {
        char doing[400];
        snprintf(doing, sizeof(doing), "web identity (%s) for role %s", where, role_arn);
        s_sts_failed(err, &inner, doing);
        goto cleanup;
    }
    out->source = s_printf("web identity (role %s)", role_arn);
    rc = S_FOUND;

cleanup:
    lk_http_free_secret(token);
    free(default_name);
    lk_aws_error_clear(&inner);
    if (have_client)
        lk_aws_client_free(&client);
    return rc;
}

static int s_process(const struct s_chain *c, const char *command, const char *profile,
                     struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    char *output = NULL;
    size_t len = 0;
    char errbuf[512];
    errbuf[0] = '\0';
    if (lk_credentials_run_process(command, LK_CREDENTIALS_PROCESS_TIMEOUT_MS,
                                   LK_CREDENTIALS_PROCESS_MAX_OUTPUT, &output, &len, errbuf,
                                   sizeof(errbuf)) != 0)
        return s_fail(err, "CredentialProcessError", "credential_process of profile %s: %s",
                      profile, errbuf);
    int rc = lk_credentials_parse_process_output(output, len, out, errbuf, sizeof(errbuf));
    lk_http_secure_zero(output, len);
    free(output);
    if (rc != 0)
        return s_fail(err, "CredentialProcessError", "credential_process of profile %s: %s",
                      profile, errbuf);
    out->source = s_printf("credential_process (profile %s)", profile);
    s_debug(c, "credential_process of profile %s answered", profile);
    return S_FOUND;
}

bool lk_credentials_container_url_allowed(const char *url)
{
    struct lk_http_url u;
    bool ok = false;
    if (lk_http_url_parse(url, &u) != 0)
        goto cleanup;
    if (strcmp(u.scheme, "https") == 0) {
        ok = true;
        goto cleanup;
    }
    /* [CONT]: http only to loopback, the ECS address 169.254.170.2 or the EKS Pod Identity
     * addresses 169.254.170.23 and fd00:ec2::23. Host names are not resolved here, so only
     * "localhost" is accepted by name. */
    if (lk_http_url_is_loopback(url)) {
        ok = true;
        goto cleanup;
    }
    char bare[64];
    size_t n = strlen(u.host);
    const char *h = u.host;
    if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
        h++;
        n -= 2;
    }
    if (n >= sizeof(bare))
        goto cleanup;
    memcpy(bare, h, n);
    bare[n] = '\0';
    unsigned char addr[16], want[16];
    if (inet_pton(AF_INET, bare, addr) == 1) {
        static const char *const s_v4[] = {"169.254.170.2", "169.254.170.23"};
        for (size_t i = 0; i < 2; i++)
            if (inet_pton(AF_INET, s_v4[i], want) == 1 && memcmp(addr, want, 4) == 0)
                ok = true;
    } else if (inet_pton(AF_INET6, bare, addr) == 1) {
        if (inet_pton(AF_INET6, "fd00:ec2::23", want) == 1 && memcmp(addr, want, 16) == 0)
            ok = true;
    }

cleanup:
    lk_http_url_free(&u);
    return ok;
}

/* One metadata request over the shared transport, traced with secrets redacted. */
static int s_metadata_request(const struct s_chain *c, const char *label, const char *method,
                              const char *url, struct lk_http_header *headers, size_t n_headers,
                              long timeout_ms, struct lk_http_response *resp)
{
    struct lk_http_request req = {
        .method = method,
        .url = url,
        .headers = headers,
        .n_headers = n_headers,
        .timeout_ms = timeout_ms,
        .allow_metadata_http = true,
    };
    lk_aws_trace_exchange(c->cfg.debug, label, &req, 0, NULL, 0);
    int64_t start = c->http.now_ms(c->http.impl);
    int result = c->http.perform(c->http.impl, &req, resp);
    lk_aws_trace_exchange(c->cfg.debug, label, &req, result, resp,
                          c->http.now_ms(c->http.impl) - start);
    return result;
}

static int s_container(const struct s_chain *c, bool required, struct lk_aws_credentials *out,
                       struct lk_aws_error *err)
{
    int rc = S_ERROR;
    char *url = NULL;
    char *auth = NULL;
    char errbuf[512];
    struct lk_http_response resp;

    memset(&resp, 0, sizeof(resp));
    const char *relative = s_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = s_env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (relative != NULL) {
        /* [CONT] ECS: rooted at http://169.254.170.2. */
        url = s_printf("http://169.254.170.2%s%s", relative[0] == '/' ? "" : "/", relative);
    } else if (full != NULL) {
        if (!lk_credentials_container_url_allowed(full)) {
            s_fail(err, "InvalidConfiguration",
                   "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https://, or http:// to a "
                   "loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23");
            goto cleanup;
        }
        url = lk_xstrdup(full);
    } else {
        if (required)
            s_fail(err, "InvalidConfiguration",
                   "credential_source EcsContainer, but neither "
                   "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor _FULL_URI is set");
        rc = required ? S_ERROR : S_NOT_FOUND;
        goto cleanup;
    }

    /* [CONT] Authorization: the token file's contents (read on every request, EKS rotates
     * it), else AWS_CONTAINER_AUTHORIZATION_TOKEN. */
    const char *token_file = s_env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    if (token_file != NULL) {
        if (s_read_token_file(token_file, &auth, errbuf, sizeof(errbuf)) != 0) {
            s_fail(err, "ContainerCredentialsError", "%s", errbuf);
            goto cleanup;
        }
    } else if (s_env("AWS_CONTAINER_AUTHORIZATION_TOKEN") != NULL) {
        auth = lk_xstrdup(s_env("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
        if (strpbrk(auth, "\r\n") != NULL) {
            s_fail(err, "InvalidConfiguration",
                   "AWS_CONTAINER_AUTHORIZATION_TOKEN holds a line break");
            goto cleanup;
        }
    }
    char auth_name[] = "Authorization";
    char accept_name[] = "Accept";
    char accept_value[] = "application/json";
    struct lk_http_header headers[2] = {{accept_name, accept_value}, {auth_name, auth}};
    size_t n_headers = auth != NULL ? 2 : 1;

    /* botocore ContainerMetadataFetcher: 2 s timeout, 3 attempts, 1 s apart. */
    char last[512] = "no attempt";
    for (int attempt = 1; attempt <= LK_CREDENTIALS_CONTAINER_ATTEMPTS; attempt++) {
        lk_http_response_free(&resp);
        int result = s_metadata_request(c, "container credentials", "GET", url, headers, n_headers,
                                        LK_CREDENTIALS_CONTAINER_TIMEOUT_MS, &resp);
        if (result != LK_HTTP_OK) {
            snprintf(last, sizeof(last), "%s: %s", lk_http_describe(result), resp.error);
        } else if (resp.status != 200) {
            snprintf(last, sizeof(last), "HTTP %ld", resp.status);
        } else if (lk_credentials_parse_metadata_json((const char *)resp.body, resp.body_len, out,
                                                      errbuf, sizeof(errbuf)) != 0) {
            snprintf(last, sizeof(last), "%s", errbuf);
        } else {
            out->source = lk_xstrdup("container");
            rc = S_FOUND;
            goto cleanup;
        }
        if (attempt < LK_CREDENTIALS_CONTAINER_ATTEMPTS)
            c->http.sleep_ms(c->http.impl, LK_CREDENTIALS_CONTAINER_RETRY_SLEEP_MS);
    }
    s_fail(err, "ContainerCredentialsError", "container credentials from %s: %s", url, last);

cleanup:
    lk_http_response_free(&resp);
    lk_http_free_secret(auth);
    free(url);
    return rc;
}

static int s_imds(const struct s_chain *c, bool required, struct lk_aws_credentials *out,
                  struct lk_aws_error *err)
{
    int rc = S_ERROR;
    bool found = false;
    char *base = NULL;
    char *url = NULL;
    char *token = NULL;
    char *role = NULL;
    char reason[512] = "";
    char errbuf[512];
    struct lk_http_response resp;

    memset(&resp, 0, sizeof(resp));
    /* [IMDS] AWS_EC2_METADATA_DISABLED=true turns the provider off. */
    if (s_env_true("AWS_EC2_METADATA_DISABLED")) {
        if (required)
            return s_fail(err, "InvalidConfiguration",
                          "credential_source Ec2InstanceMetadata, but "
                          "AWS_EC2_METADATA_DISABLED is true");
        return S_NOT_FOUND;
    }
    const char *endpoint = s_env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    const char *mode = s_env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
    if (endpoint == NULL)
        endpoint = mode != NULL && strcasecmp(mode, "IPv6") == 0 ? "http://[fd00:ec2::254]"
                                                                 : "http://169.254.169.254";
    base = lk_xstrdup(endpoint);
    for (size_t n = strlen(base); n > 0 && base[n - 1] == '/'; n--)
        base[n - 1] = '\0';
    long timeout_ms = LK_CREDENTIALS_IMDS_TIMEOUT_MS;
    const char *timeout_env = s_env("AWS_METADATA_SERVICE_TIMEOUT");
    if (timeout_env != NULL && atoi(timeout_env) > 0)
        timeout_ms = (long)atoi(timeout_env) * 1000;

    /* Step 1: the IMDSv2 session token. */
    char ttl_name[] = "x-aws-ec2-metadata-token-ttl-seconds";
    char ttl_value[16];
    snprintf(ttl_value, sizeof(ttl_value), "%d", LK_CREDENTIALS_IMDS_TOKEN_TTL_S);
    struct lk_http_header ttl_header = {ttl_name, ttl_value};
    url = s_printf("%s/latest/api/token", base);
    int result = s_metadata_request(c, "instance metadata token", "PUT", url, &ttl_header, 1,
                                    timeout_ms, &resp);
    bool v1_disabled = s_env_true("AWS_EC2_METADATA_V1_DISABLED");
    if (result == LK_HTTP_OK && resp.status == 200 && resp.body_len > 0) {
        token = lk_xstrndup((const char *)resp.body, strcspn((const char *)resp.body, "\r\n"));
    } else if (result == LK_HTTP_OK && resp.status == 400) {
        snprintf(reason, sizeof(reason), "the token request was refused (HTTP 400)");
        goto cleanup;
    } else if (result == LK_HTTP_OK && resp.status != 403 && resp.status != 404 &&
               resp.status != 405) {
        snprintf(reason, sizeof(reason), "the token request answered HTTP %ld", resp.status);
        goto cleanup;
    } else if (result != LK_HTTP_OK && result != LK_HTTP_E_TIMEOUT) {
        /* Nothing listens: not on EC2. */
        snprintf(reason, sizeof(reason), "%s: %s", lk_http_describe(result), resp.error);
        goto cleanup;
    }
    if (token == NULL && v1_disabled) {
        /* [IMDS]: 403/404/405 (or a timeout) fall back to IMDSv1 unless it is disabled. */
        snprintf(reason, sizeof(reason),
                 "no IMDSv2 token and AWS_EC2_METADATA_V1_DISABLED is true");
        goto cleanup;
    }
    char tok_name[] = "x-aws-ec2-metadata-token";
    struct lk_http_header tok_header = {tok_name, token};
    size_t n_tok = token != NULL ? 1 : 0;

    /* Step 2: the role name. */
    free(url);
    url = s_printf("%s/latest/meta-data/iam/security-credentials/", base);
    lk_http_response_free(&resp);
    result = s_metadata_request(c, "instance metadata role", "GET", url, &tok_header, n_tok,
                                timeout_ms, &resp);
    if (result != LK_HTTP_OK || resp.status != 200 || resp.body_len == 0) {
        snprintf(reason, sizeof(reason), "no instance role (%s)",
                 result != LK_HTTP_OK ? lk_http_describe(result) : "HTTP status or empty");
        goto cleanup;
    }
    role = lk_xstrndup((const char *)resp.body, strcspn((const char *)resp.body, "\r\n"));
    for (const char *p = role; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              strchr("+=,.@_-", *p) != NULL)) {
            snprintf(reason, sizeof(reason), "the role name is not an IAM role name");
            goto cleanup;
        }
    if (role[0] == '\0') {
        snprintf(reason, sizeof(reason), "the instance has no role");
        goto cleanup;
    }

    /* Step 3: the role's credentials. */
    free(url);
    url = s_printf("%s/latest/meta-data/iam/security-credentials/%s", base, role);
    lk_http_response_free(&resp);
    result = s_metadata_request(c, "instance metadata credentials", "GET", url, &tok_header, n_tok,
                                timeout_ms, &resp);
    if (result != LK_HTTP_OK || resp.status != 200) {
        snprintf(reason, sizeof(reason), "the credentials request failed (%s)",
                 result != LK_HTTP_OK ? lk_http_describe(result) : "HTTP status");
        goto cleanup;
    }
    if (lk_credentials_parse_metadata_json((const char *)resp.body, resp.body_len, out, errbuf,
                                           sizeof(errbuf)) != 0) {
        snprintf(reason, sizeof(reason), "%s", errbuf);
        goto cleanup;
    }
    out->source = lk_xstrdup("instance metadata");
    found = true;

cleanup:
    if (found) {
        rc = S_FOUND;
    } else {
        /* Not on EC2 (or no role) is not an error for the chain, only when required. */
        s_debug(c, "instance metadata: %s", reason);
        if (required)
            s_fail(err, "InstanceMetadataError", "instance metadata at %s: %s", base, reason);
        rc = required ? S_ERROR : S_NOT_FOUND;
    }
    lk_http_response_free(&resp);
    lk_http_free_secret(token);
    free(role);
    free(url);
    free(base);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Assume-role profiles
 * ------------------------------------------------------------------------------------------- */

static bool s_is_role_profile(const struct s_files *f, const char *profile)
{
    /* botocore AssumeRoleProvider: role_arn without web_identity_token_file (that pair is the
     * web identity provider's). */
    return s_profile_get(f, profile, "role_arn") != NULL &&
           s_profile_get(f, profile, "web_identity_token_file") == NULL;
}

static int s_role_profile(const struct s_chain *c, const struct s_files *f, const char *profile,
                          const char **visited, int depth, struct lk_aws_credentials *out,
                          struct lk_aws_error *err);

/* The credentials a source_profile provides, which then sign the AssumeRole call. */
static int s_source_profile(const struct s_chain *c, const struct s_files *f, const char *source,
                            const char *profile, const char **visited, int depth,
                            struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    int r;
    if (!s_profile_exists(f, source))
        return s_fail(err, "InvalidConfiguration",
                      "profile %s names source_profile %s, which does not exist", profile, source);
    for (int i = 0; i < depth; i++)
        if (strcmp(visited[i], source) == 0 && strcmp(source, profile) != 0)
            return s_fail(err, "InvalidConfiguration",
                          "the source_profile chain loops back to profile %s", source);
    /* A profile may name itself as source_profile: its own static keys then sign the call
     * (botocore _source_profile_has_credentials). */
    if (strcmp(source, profile) != 0 && s_is_role_profile(f, source))
        return s_role_profile(c, f, source, visited, depth, out, err);
    r = s_static_keys(s_creds_profile(f, source), "profile", source, out, err);
    if (r == S_NOT_FOUND)
        r = s_static_keys(s_config_profile(f, source), "profile", source, out, err);
    if (r != S_NOT_FOUND) {
        if (r == S_FOUND) {
            free(out->source);
            out->source = s_printf("profile %s", source);
        }
        return r;
    }
    const char *token_file = s_profile_get(f, source, "web_identity_token_file");
    if (token_file != NULL && strcmp(source, profile) != 0) {
        char where[300];
        snprintf(where, sizeof(where), "profile %s", source);
        return s_web_identity(c, token_file, s_profile_get(f, source, "role_arn"),
                              s_profile_get(f, source, "role_session_name"),
                              s_profile_get(f, source, "duration_seconds"), where, out, err);
    }
    const char *command = s_profile_get(f, source, "credential_process");
    if (command != NULL)
        return s_process(c, command, source, out, err);
    return s_fail(err, "InvalidConfiguration",
                  "source_profile %s of profile %s has no credentials (aws_access_key_id, "
                  "role_arn, web_identity_token_file or credential_process)",
                  source, profile);
}

static int s_role_profile(const struct s_chain *c, const struct s_files *f, const char *profile,
                          const char **visited, int depth, struct lk_aws_credentials *out,
                          struct lk_aws_error *err)
{
    int rc = S_ERROR;
    struct lk_aws_credentials source_creds;
    struct lk_aws_client client;
    struct lk_aws_error inner;
    char *default_name = NULL;
    bool have_client = false;

    memset(&source_creds, 0, sizeof(source_creds));
    memset(&inner, 0, sizeof(inner));
    if (depth >= S_MAX_ROLE_CHAIN) {
        s_fail(err, "InvalidConfiguration", "source_profile chains longer than %d profiles",
               S_MAX_ROLE_CHAIN);
        goto cleanup;
    }
    visited[depth++] = profile;
    const char *role_arn = s_profile_get(f, profile, "role_arn");
    const char *source_profile = s_profile_get(f, profile, "source_profile");
    const char *credential_source = s_profile_get(f, profile, "credential_source");
    /* [ROLE], [NOTES]: exactly one of source_profile and credential_source. */
    if (source_profile != NULL && credential_source != NULL) {
        s_fail(err, "InvalidConfiguration",
               "profile %s sets both source_profile and credential_source; use one", profile);
        goto cleanup;
    }
    if (source_profile == NULL && credential_source == NULL) {
        s_fail(err, "InvalidConfiguration",
               "profile %s has role_arn but neither source_profile nor credential_source", profile);
        goto cleanup;
    }
    if (s_profile_get(f, profile, "mfa_serial") != NULL) {
        s_fail(err, "InvalidConfiguration",
               "profile %s needs an MFA code (mfa_serial), which logkeep cannot ask for; use "
               "credentials from an MFA session instead",
               profile);
        goto cleanup;
    }

    int r;
    if (source_profile != NULL) {
        r = s_source_profile(c, f, source_profile, profile, visited, depth, &source_creds, err);
    } else if (strcmp(credential_source, "Environment") == 0) {
        r = s_from_env(c, &source_creds, err);
        if (r == S_NOT_FOUND)
            r = s_fail(err, "InvalidConfiguration",
                       "profile %s: credential_source Environment, but AWS_ACCESS_KEY_ID and "
                       "AWS_SECRET_ACCESS_KEY are not set",
                       profile);
    } else if (strcmp(credential_source, "Ec2InstanceMetadata") == 0) {
        r = s_imds(c, true, &source_creds, err);
    } else if (strcmp(credential_source, "EcsContainer") == 0) {
        r = s_container(c, true, &source_creds, err);
    } else {
        r = s_fail(err, "InvalidConfiguration",
                   "profile %s: credential_source must be Environment, Ec2InstanceMetadata or "
                   "EcsContainer, not \"%s\"",
                   profile, credential_source);
    }
    if (r != S_FOUND)
        goto cleanup;

    const char *session_name = s_profile_get(f, profile, "role_session_name");
    if (session_name == NULL)
        session_name = default_name = s_default_session_name(c);
    const char *duration = s_profile_get(f, profile, "duration_seconds");
    int duration_s = 0;
    if (duration != NULL) {
        char *end = NULL;
        long v = strtol(duration, &end, 10);
        /* [NOTES] section 6: DurationSeconds 900-43200. */
        if (end == duration || *end != '\0' || v < 900 || v > 43200) {
            s_fail(err, "InvalidConfiguration",
                   "profile %s: duration_seconds must be 900 to 43200, not \"%s\"", profile,
                   duration);
            goto cleanup;
        }
        duration_s = (int)v;
    }
    if (s_sts_client(c, &source_creds, &client) != 0) {
        s_fail(err, "InvalidConfiguration", "profile %s: cannot set up the STS client", profile);
        goto cleanup;
    }
    have_client = true;
    struct lk_sts_assume_role_params p = {role_arn, session_name,
                                          s_profile_get(f, profile, "external_id"), duration_s};
    if (lk_sts_assume_role(&client, &p, out, &inner) != 0) {
        char doing[512];
        snprintf(doing, sizeof(doing), "profile %s: assuming role %s", profile, role_arn);
        s_sts_failed(err, &inner, doing);
        goto cleanup;
    }
    out->source = s_printf("profile %s: assume role %s via %s", profile, role_arn,
                           source_creds.source ? source_creds.source : "?");
    rc = S_FOUND;

cleanup:
    lk_aws_credentials_clear(&source_creds);
    lk_aws_error_clear(&inner);
    free(default_name);
    if (have_client)
        lk_aws_client_free(&client);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * The chain
 * ------------------------------------------------------------------------------------------- */

static int s_resolve(struct s_chain *c, struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    int r = S_NOT_FOUND;
    struct s_files files;
    const char *visited[S_MAX_ROLE_CHAIN];

    memset(out, 0, sizeof(*out));
    if (s_files_load(&files, err) != 0) {
        r = S_ERROR;
        goto cleanup;
    }
    bool explicit_profile = c->profile_cli != NULL;
    const char *profile = lk_aws_profile_name(c->profile_cli);
    /* botocore raises ProfileNotFound for a profile named but defined nowhere. */
    if ((explicit_profile || strcmp(profile, "default") != 0) &&
        !s_profile_exists(&files, profile)) {
        r = s_fail(err, "ProfileNotFound", "profile %s is in neither %s nor %s", profile,
                   files.config.path ? files.config.path : "the config file",
                   files.creds.path ? files.creds.path : "the credentials file");
        goto cleanup;
    }

    /* 1. Environment, unless a profile was named on the command line [NOTES section 8]. */
    if (!explicit_profile && (r = s_from_env(c, out, err)) != S_NOT_FOUND)
        goto cleanup;
    /* 2. Assume-role profile. */
    if (s_is_role_profile(&files, profile)) {
        r = s_role_profile(c, &files, profile, visited, 0, out, err);
        goto cleanup;
    }
    /* 3. Web identity: the environment (not with an explicit profile: botocore
     * disable_env_vars), then the profile. */
    const char *env_token_file = explicit_profile ? NULL : s_env("AWS_WEB_IDENTITY_TOKEN_FILE");
    if (env_token_file != NULL) {
        r = s_web_identity(c, env_token_file, s_env("AWS_ROLE_ARN"), s_env("AWS_ROLE_SESSION_NAME"),
                           NULL, "AWS_WEB_IDENTITY_TOKEN_FILE", out, err);
        goto cleanup;
    }
    const char *token_file = s_profile_get(&files, profile, "web_identity_token_file");
    if (token_file != NULL) {
        char where[300];
        snprintf(where, sizeof(where), "profile %s", profile);
        r = s_web_identity(c, token_file, s_profile_get(&files, profile, "role_arn"),
                           s_profile_get(&files, profile, "role_session_name"),
                           s_profile_get(&files, profile, "duration_seconds"), where, out, err);
        goto cleanup;
    }
    /* 4. Shared credentials file. */
    if ((r = s_static_keys(s_creds_profile(&files, profile), "shared credentials file", profile,
                           out, err)) != S_NOT_FOUND)
        goto cleanup;
    /* 5. credential_process. */
    const char *command = s_profile_get(&files, profile, "credential_process");
    if (command != NULL) {
        r = s_process(c, command, profile, out, err);
        goto cleanup;
    }
    /* 6. Static keys in the config file. */
    if ((r = s_static_keys(s_config_profile(&files, profile), "shared config file", profile, out,
                           err)) != S_NOT_FOUND)
        goto cleanup;
    /* 7. Container, 8. instance metadata. */
    if ((r = s_container(c, false, out, err)) != S_NOT_FOUND)
        goto cleanup;
    if ((r = s_imds(c, false, out, err)) != S_NOT_FOUND)
        goto cleanup;
    r = s_fail(err, "NoCredentials",
               "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
               "configure profile %s in the shared config or credentials file",
               profile);

cleanup:
    s_files_free(&files);
    if (r != S_FOUND)
        lk_aws_credentials_clear(out);
    return r == S_FOUND ? 0 : -1;
}

static int s_chain_get(void *impl, struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    struct s_chain *c = impl;
    struct lk_aws_credentials fresh;

    memset(out, 0, sizeof(*out));
    if (c->have_cached) {
        int64_t now_s = s_now_s(c);
        int64_t left_s = c->cached.expiration_s - now_s;
        if (c->cached.expiration_s == 0 || left_s > LK_CREDENTIALS_ADVISORY_REFRESH_S ||
            (left_s > LK_CREDENTIALS_MANDATORY_REFRESH_S &&
             now_s - c->resolved_at_s < S_ADVISORY_RETRY_S)) {
            lk_aws_credentials_copy(out, &c->cached);
            return 0;
        }
        c->resolved_at_s = now_s;
        s_debug(c, "%s expire in %" PRId64 " s: refreshing", c->cached.source, left_s);
        if (s_resolve(c, &fresh, err) == 0) {
            lk_aws_credentials_clear(&c->cached);
            c->cached = fresh;
            lk_aws_credentials_copy(out, &c->cached);
            return 0;
        }
        /* Advisory window: keep what still works (botocore logs and carries on). */
        if (left_s > LK_CREDENTIALS_MANDATORY_REFRESH_S) {
            s_debug(c, "refresh failed (%s); the current credentials are still valid",
                    err->code ? err->code : "error");
            free(err->code);
            free(err->message);
            free(err->request_id);
            err->code = err->message = err->request_id = NULL;
            err->http_status = 0;
            err->transport = 0;
            lk_aws_credentials_copy(out, &c->cached);
            return 0;
        }
        return -1;
    }
    if (s_resolve(c, &fresh, err) != 0)
        return -1;
    s_debug(c, "using %s (key %s%s)", fresh.source, fresh.access_key_id,
            fresh.session_token ? ", with session token" : "");
    if (fresh.expiration_s != 0 &&
        fresh.expiration_s - s_now_s(c) <= LK_CREDENTIALS_MANDATORY_REFRESH_S)
        s_debug(c, "the credentials expire in %" PRId64 " s", fresh.expiration_s - s_now_s(c));
    c->cached = fresh;
    c->have_cached = true;
    c->resolved_at_s = s_now_s(c);
    lk_aws_credentials_copy(out, &c->cached);
    return 0;
}

static void s_chain_destroy(void *impl)
{
    struct s_chain *c = impl;
    if (c == NULL)
        return;
    lk_aws_credentials_clear(&c->cached);
    lk_aws_config_free(&c->cfg);
    free(c->profile_cli);
    free(c);
}

int lk_credentials_chain_new(const struct lk_credentials_options *opts,
                             struct lk_aws_credential_provider *out)
{
    memset(out, 0, sizeof(*out));
    if (opts == NULL || opts->http == NULL || opts->http->perform == NULL ||
        opts->http->now_ms == NULL || opts->http->sleep_ms == NULL)
        return -1;
    struct s_chain *c = lk_xcalloc(1, sizeof(*c));
    c->http = *opts->http;
    c->http.destroy = NULL;
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
    return 0;
}
