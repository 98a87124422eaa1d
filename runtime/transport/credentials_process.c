/*
 * logkeep runtime: the credential_process provider (credentials.h, provider 5): an external
 * command named by the profile, run with /bin/sh, whose standard output is a JSON document.
 *
 * Sources:
 *   [NOTES] docs/protocol-notes.md section 8 (botocore credentials.py ProcessProvider).
 *   [PROC]  AWS SDKs and Tools Reference Guide, "Process credential provider",
 *           https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html
 */
#include <cjson/cJSON.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/buf.h"
#include "runtime/transport/credentials_int.h"
#include "runtime/transport/http.h"

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
     * SessionToken and Expiration (RFC 3339) are optional [NOTES]. */
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(doc, "Version");
    if (!cJSON_IsNumber(version) || version->valuedouble != 1.0) {
        snprintf(errbuf, errlen, "\"Version\" must be the number 1");
        goto cleanup;
    }
    const char *akid = lk_credentials_json_string(doc, "AccessKeyId");
    const char *secret = lk_credentials_json_string(doc, "SecretAccessKey");
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
    lk_credentials_json_delete(doc);
    if (rc != 0)
        lk_aws_credentials_clear(out);
    return rc;
}

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
    struct lk_buf buf; /* the output: credentials, so secret (growth wipes the old block) */
    char errtext[512];
    size_t errtext_len = 0;
    bool killed = false;

    *out = NULL;
    *out_len = 0;
    lk_buf_init_secret(&buf, max_output);
    if (command == NULL || command[0] == '\0') {
        snprintf(errbuf, errlen, "empty command");
        return -1;
    }
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
                lk_buf_append(&buf, chunk, (size_t)got);
                lk_http_secure_zero(chunk, sizeof(chunk));
                if (lk_buf_failed(&buf)) {
                    too_much = true;
                    killed = true;
                    break;
                }
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
    *out = lk_buf_take(&buf, out_len); /* not failed: checked above */
    rc = *out != NULL ? 0 : -1;

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
    lk_buf_free(&buf); /* wipes */
    return rc;
}

int lk_credentials_process(const struct lk_credentials_chain *c, const char *command,
                           const char *profile, struct lk_aws_credentials *out,
                           struct lk_aws_error *err)
{
    char *output = NULL;
    size_t len = 0;
    char errbuf[512];
    errbuf[0] = '\0';
    if (lk_credentials_run_process(command, LK_CREDENTIALS_PROCESS_TIMEOUT_MS,
                                   LK_CREDENTIALS_PROCESS_MAX_OUTPUT, &output, &len, errbuf,
                                   sizeof(errbuf)) != 0)
        return lk_credentials_fail(err, "CredentialProcessError",
                                   "credential_process of profile %s: %s", profile, errbuf);
    int rc = lk_credentials_parse_process_output(output, len, out, errbuf, sizeof(errbuf));
    lk_http_secure_zero(output, len);
    free(output);
    if (rc != 0)
        return lk_credentials_fail(err, "CredentialProcessError",
                                   "credential_process of profile %s: %s", profile, errbuf);
    out->source = lk_credentials_printf("credential_process (profile %s)", profile);
    lk_credentials_debug(c, "credential_process of profile %s answered", profile);
    return LK_CREDENTIALS_FOUND;
}
