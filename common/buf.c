/*
 * logkeep: the bounded byte buffer (see buf.h).
 */
#include "common/buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"

/* The first allocation: most buffers hold one line or one small document. */
#define S_FIRST_CAP ((size_t)256)

/* Calls memset through a volatile pointer: the compiler cannot prove what it points to, so it
 * cannot remove the call as a store to memory that is about to be freed. */
static void *(*const volatile s_memset)(void *, int, size_t) = memset;

void lk_secure_zero(void *ptr, size_t len)
{
    if (ptr != NULL && len > 0)
        s_memset(ptr, 0, len);
}

/* The cap in force. Caps above SIZE_MAX / 4 are taken as SIZE_MAX / 4, so that the sizes computed
 * below (len + extra + 1, doubling) cannot overflow. */
static size_t s_max(const struct lk_buf *buf)
{
    size_t max = buf->max_len ? buf->max_len : LK_BUF_MAX_DEFAULT;
    return max < SIZE_MAX / 4 ? max : SIZE_MAX / 4;
}

static void s_release(struct lk_buf *buf)
{
    if (buf->secret)
        lk_secure_zero(buf->data, buf->cap);
    free(buf->data);
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
}

/* An append would pass the cap: the contents go (a truncated document must never be mistaken for
 * the whole one) and the buffer stays failed until lk_buf_free() or lk_buf_reset(). */
static void s_fail(struct lk_buf *buf)
{
    s_release(buf);
    buf->failed = true;
}

void lk_buf_init(struct lk_buf *buf, size_t max_len)
{
    memset(buf, 0, sizeof(*buf));
    buf->max_len = max_len ? max_len : LK_BUF_MAX_DEFAULT;
}

void lk_buf_init_secret(struct lk_buf *buf, size_t max_len)
{
    lk_buf_init(buf, max_len);
    buf->secret = true;
}

void lk_buf_init_default(struct lk_buf *buf)
{
    lk_buf_init(buf, LK_BUF_MAX_DEFAULT);
}

void lk_buf_free(struct lk_buf *buf)
{
    s_release(buf);
    buf->failed = false;
}

void lk_buf_reset(struct lk_buf *buf)
{
    if (buf->secret)
        lk_secure_zero(buf->data, buf->len);
    buf->len = 0;
    if (buf->data)
        buf->data[0] = '\0';
    buf->failed = false;
}

/* Makes room for @p extra more bytes and the terminator. @return false when that would pass the
 * cap (the buffer is left as it was). */
static bool s_room(struct lk_buf *buf, size_t extra)
{
    size_t max = s_max(buf);
    if (buf->failed || extra > max - buf->len)
        return false;
    size_t need = buf->len + extra + 1;
    if (need <= buf->cap)
        return true;
    size_t cap = buf->cap ? buf->cap : S_FIRST_CAP;
    while (cap < need)
        cap *= 2;
    if (cap > max + 1)
        cap = max + 1;
    if (buf->secret) {
        char *grown = lk_xmalloc(cap);
        if (buf->data) {
            memcpy(grown, buf->data, buf->len + 1);
            lk_secure_zero(buf->data, buf->cap);
            free(buf->data);
        }
        buf->data = grown;
    } else {
        buf->data = lk_xrealloc(buf->data, cap);
    }
    if (buf->cap == 0)
        buf->data[0] = '\0';
    buf->cap = cap;
    return true;
}

bool lk_buf_reserve(struct lk_buf *buf, size_t extra)
{
    return s_room(buf, extra);
}

/* Appends @p len bytes. The fast path needs no check against the cap: memory is never allocated
 * past max_len + 1 bytes, so room in it is room under the cap (a failed buffer has none). */
static inline void s_append(struct lk_buf *buf, const void *data, size_t len)
{
    if (buf->cap - buf->len <= len) {
        if (buf->failed)
            return;
        if (!s_room(buf, len)) {
            s_fail(buf);
            return;
        }
    }
    if (len)
        memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
}

void lk_buf_append(struct lk_buf *buf, const void *data, size_t len)
{
    s_append(buf, data, len);
}

void lk_buf_puts(struct lk_buf *buf, const char *s)
{
    s_append(buf, s, strlen(s));
}

void lk_buf_putc(struct lk_buf *buf, char c)
{
    s_append(buf, &c, 1);
}

void lk_buf_vprintf(struct lk_buf *buf, const char *fmt, va_list ap)
{
    if (buf->failed)
        return;
    /* Format straight into the spare room; only when it does not fit, grow and format again.
     * Within 64 bytes of the cap the text may still fit: then format into what room there is. */
    if (!s_room(buf, 63) && !s_room(buf, 0)) {
        s_fail(buf);
        return;
    }
    va_list ap2;
    va_copy(ap2, ap);
    size_t spare = buf->cap - buf->len;
    int n = vsnprintf(buf->data + buf->len, spare, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        /* An invalid format: nothing is appended. */
        buf->data[buf->len] = '\0';
        return;
    }
    if ((size_t)n >= spare) {
        if (!s_room(buf, (size_t)n)) {
            s_fail(buf);
            return;
        }
        vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    }
    buf->len += (size_t)n;
}

void lk_buf_printf(struct lk_buf *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lk_buf_vprintf(buf, fmt, ap);
    va_end(ap);
}

void lk_buf_fail(struct lk_buf *buf)
{
    s_fail(buf);
}

const char *lk_buf_cstr(const struct lk_buf *buf)
{
    if (buf->failed)
        return NULL;
    return buf->data ? buf->data : "";
}

bool lk_buf_failed(const struct lk_buf *buf)
{
    return buf->failed;
}

enum lk_status lk_buf_status(const struct lk_buf *buf)
{
    return buf->failed ? LK_STATUS_TOO_LARGE : LK_STATUS_OK;
}

char *lk_buf_take(struct lk_buf *buf, size_t *len)
{
    char *out = NULL;
    if (len)
        *len = 0;
    if (!buf->failed) {
        if (buf->data) {
            out = buf->data;
            if (len)
                *len = buf->len;
            buf->data = NULL; /* handed over: neither wiped nor freed here */
        } else {
            out = lk_xstrdup("");
        }
    }
    lk_buf_free(buf);
    return out;
}

char *lk_buf_take_arena(struct lk_buf *buf, struct lk_arena *arena)
{
    char *out = NULL;
    if (!buf->failed)
        out = lk_arena_strndup(arena, buf->data ? buf->data : "", buf->len);
    lk_buf_free(buf);
    return out;
}

enum lk_status lk_buf_read_file(struct lk_buf *buf, const char *path, int *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = errno;
        return LK_STATUS_IO;
    }
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        lk_buf_append(buf, chunk, got);
        if (lk_buf_failed(buf)) {
            fclose(f);
            return LK_STATUS_TOO_LARGE;
        }
    }
    int read_errno = ferror(f) ? errno : -1;
    fclose(f);
    if (read_errno != -1) {
        *err = read_errno;
        return LK_STATUS_IO;
    }
    return lk_buf_cstr(buf) ? LK_STATUS_OK : LK_STATUS_TOO_LARGE;
}
