/*
 * logkeep: the error model (see result.h).
 */
#include "common/result.h"

#include <stdio.h>
#include <string.h>

static const char *const s_status_names[LK_STATUS_COUNT] = {
    [LK_STATUS_OK] = "ok",
    [LK_STATUS_INVALID_ARGUMENT] = "invalid argument",
    [LK_STATUS_MALFORMED] = "malformed input",
    [LK_STATUS_SCHEMA] = "unexpected content",
    [LK_STATUS_TOO_LARGE] = "too large",
    [LK_STATUS_UNSUPPORTED] = "unsupported",
    [LK_STATUS_IO] = "I/O error",
    [LK_STATUS_NETWORK] = "network error",
    [LK_STATUS_TIMEOUT] = "timed out",
    [LK_STATUS_AWS] = "AWS error",
    [LK_STATUS_CRYPTO] = "cryptographic error",
    [LK_STATUS_CONFLICT] = "conflict",
    [LK_STATUS_REFUSED] = "refused",
};

const char *lk_status_name(enum lk_status status)
{
    if ((unsigned)status >= LK_STATUS_COUNT)
        return "unknown status";
    return s_status_names[status];
}

enum lk_status lk_error_vset(struct lk_error *err, enum lk_status status, const char *fmt,
                             va_list ap)
{
    if (err == NULL)
        return status;
    if (status == LK_STATUS_OK) {
        lk_error_clear(err);
        return status;
    }
    err->status = status;
    /* vsnprintf() fails only on an invalid format; an empty message is better than garbage. */
    if (vsnprintf(err->message, sizeof(err->message), fmt, ap) < 0)
        err->message[0] = '\0';
    return status;
}

enum lk_status lk_error_set(struct lk_error *err, enum lk_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum lk_status rc = lk_error_vset(err, status, fmt, ap);
    va_end(ap);
    return rc;
}

enum lk_status lk_error_prefix(struct lk_error *err, const char *fmt, ...)
{
    if (err == NULL || err->status == LK_STATUS_OK)
        return LK_STATUS_OK;
    char prefix[LK_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    if (n <= 0)
        return err->status;
    /* The message moves right to make room; what no longer fits at its end is cut. */
    size_t plen = (size_t)n < sizeof(prefix) ? (size_t)n : sizeof(prefix) - 1;
    size_t mlen = strlen(err->message);
    if (plen + mlen >= sizeof(err->message))
        mlen = sizeof(err->message) - 1 - plen;
    memmove(err->message + plen, err->message, mlen);
    memcpy(err->message, prefix, plen);
    err->message[plen + mlen] = '\0';
    return err->status;
}

void lk_error_clear(struct lk_error *err)
{
    if (err == NULL)
        return;
    err->status = LK_STATUS_OK;
    err->message[0] = '\0';
}
