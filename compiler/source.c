/*
 * logkeep: policy source files, spans and line maps.
 */
#include "compiler/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/array.h"
#include "common/buf.h"
#include "compiler/diag.h"

void lk_sources_init(struct lk_sources *set)
{
    memset(set, 0, sizeof(*set));
}

void lk_sources_free(struct lk_sources *set)
{
    for (uint32_t i = 0; i < set->n; i++) {
        struct lk_source_file *s = set->files[i];
        free(s->path);
        free(s->text);
        free(s->line_start);
        free(s);
    }
    free(set->files);
    memset(set, 0, sizeof(*set));
}

const char *lk_sources_path(const struct lk_sources *set, uint32_t file)
{
    if (file >= set->n)
        return "<unknown>";
    return set->files[file]->path;
}

bool lk_utf8_valid(const char *data, size_t len, size_t *bad_offset)
{
    const unsigned char *p = (const unsigned char *)data;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c < 0x80) {
            if (c == 0)
                goto bad;
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            goto bad;
        }
        if (len - i <= n)
            goto bad;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                goto bad;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        /* Reject overlong forms, UTF-16 surrogates and values past U+10FFFF (RFC 3629 §3). */
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            goto bad;
        i += n + 1;
    }
    return true;
bad:
    if (bad_offset)
        *bad_offset = i;
    return false;
}

/* YAML line breaks are LF, CR LF and a lone CR (YAML 1.2 §5.4); libyaml counts lines that
 * way, so the line map must too. @return the length of the break at @p i, or 0. */
static size_t s_break_at(const char *text, size_t len, size_t i)
{
    const unsigned char *u = (const unsigned char *)text;
    if (u[i] == '\n')
        return 1;
    if (u[i] == '\r')
        return i + 1 < len && u[i + 1] == '\n' ? 2 : 1;
    /* libyaml also breaks lines at NEL (U+0085), LS (U+2028) and PS (U+2029), as YAML 1.1
     * did: count them the same way, or every later line number would be off. */
    if (u[i] == 0xC2 && i + 1 < len && u[i + 1] == 0x85)
        return 2;
    if (u[i] == 0xE2 && i + 2 < len && u[i + 1] == 0x80 && (u[i + 2] == 0xA8 || u[i + 2] == 0xA9))
        return 3;
    return 0;
}

static void s_build_lines(struct lk_source_file *s)
{
    if (s->line_start)
        return;
    uint32_t n = 1;
    for (size_t i = 0; i < s->len; i++) {
        size_t b = s_break_at(s->text, s->len, i);
        if (b) {
            n++;
            i += b - 1;
        }
    }
    s->line_start = lk_xcalloc(n, sizeof(uint32_t));
    uint32_t k = 0;
    s->line_start[k++] = 0;
    for (size_t i = 0; i < s->len; i++) {
        size_t b = s_break_at(s->text, s->len, i);
        if (b) {
            i += b - 1;
            s->line_start[k++] = (uint32_t)(i + 1);
        }
    }
    s->n_lines = n;
}

uint32_t lk_sources_line_count(struct lk_sources *set, uint32_t file)
{
    if (file >= set->n)
        return 0;
    s_build_lines(set->files[file]);
    return set->files[file]->n_lines;
}

bool lk_sources_line(struct lk_sources *set, uint32_t file, uint32_t line, const char **out,
                     size_t *out_len)
{
    if (file >= set->n || line == 0)
        return false;
    struct lk_source_file *s = set->files[file];
    s_build_lines(s);
    if (line > s->n_lines)
        return false;
    size_t start = s->line_start[line - 1];
    size_t end = line < s->n_lines ? s->line_start[line] : s->len;
    if (line < s->n_lines) {
        /* Drop the line break that ends the line, whichever it was. */
        for (size_t k = start; k < end; k++) {
            size_t br = s_break_at(s->text, s->len, k);
            if (br && k + br == end) {
                end = k;
                break;
            }
        }
    }
    /* The byte-order mark is not part of the text: libyaml's columns start after it. */
    if (line == 1 && end - start >= 3 && !memcmp(s->text, "\xEF\xBB\xBF", 3))
        start += 3;
    *out = s->text + start;
    *out_len = end - start;
    return true;
}

struct lk_span lk_sources_span_at(struct lk_sources *set, uint32_t file, size_t offset)
{
    if (file >= set->n)
        return LK_SPAN_NONE;
    struct lk_source_file *s = set->files[file];
    size_t start = s->len >= 3 && !memcmp(s->text, "\xEF\xBB\xBF", 3) ? 3 : 0;
    struct lk_span sp = {file, 1, 1, 1};
    for (size_t i = start; i < offset && i < s->len; i++) {
        unsigned char c = (unsigned char)s->text[i];
        size_t b = s_break_at(s->text, s->len, i);
        if (b) {
            sp.line++;
            sp.col = 1;
            i += b - 1;
        } else if ((c & 0xC0) != 0x80) {
            sp.col++;
        }
    }
    return sp;
}

static uint32_t s_add(struct lk_sources *set, const char *path, char *text, size_t len)
{
    struct lk_source_file *s = lk_xcalloc(1, sizeof(*s));
    s->path = lk_xstrdup(path);
    s->text = text;
    s->len = len;
    LK_ARRAY_GROW(set->files, set->n, set->cap);
    set->files[set->n] = s;
    return set->n++;
}

/* Checks size, emptiness and encoding of a file already in the set. */
static int s_check_contents(struct lk_sources *set, uint32_t id, struct lk_diags *diags,
                            size_t real_size)
{
    struct lk_source_file *s = set->files[id];
    struct lk_span top = {id, 1, 1, 1};
    if (real_size > LK_SOURCE_MAX_BYTES) {
        lk_diag_add(diags, "LK003", top,
                    "file is %zu bytes, more than the %zu-byte limit for a policy file", real_size,
                    LK_SOURCE_MAX_BYTES);
        return 1;
    }
    /* UTF-16 and UTF-32 files start with a byte-order mark; name the encoding so the fix is
     * obvious (YAML 1.2 §5.2 allows them, but logkeep policies are UTF-8 only). */
    const unsigned char *u = (const unsigned char *)s->text;
    if (s->len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        struct lk_diag *d = lk_diag_add(diags, "LK002", top, "file is encoded in UTF-16");
        lk_diag_help(diags, d, "save policy files as UTF-8");
        return 1;
    }
    size_t bad = 0;
    if (!lk_utf8_valid(s->text, s->len, &bad)) {
        struct lk_span sp = lk_sources_span_at(set, id, bad);
        struct lk_diag *d;
        if (s->text[bad] == '\0')
            d = lk_diag_add(diags, "LK002", sp, "NUL byte in file: this is not a text file");
        else
            d = lk_diag_add(diags, "LK002", sp, "invalid UTF-8 byte 0x%02X",
                            (unsigned)(unsigned char)s->text[bad]);
        lk_diag_help(diags, d, "save policy files as UTF-8");
        return 1;
    }
    /* Empty means no content at all once whitespace and comments are ignored. */
    bool in_comment = false, content = false;
    for (size_t i = 0; i < s->len && !content; i++) {
        char c = s->text[i];
        if (in_comment) {
            if (c == '\n')
                in_comment = false;
        } else if (c == '#') {
            in_comment = true;
        } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            content = true;
        }
    }
    /* A UTF-8 BOM alone is still empty. */
    if (!content || (s->len == 3 && memcmp(s->text, "\xEF\xBB\xBF", 3) == 0)) {
        lk_diag_add(diags, "LK004", top, "policy file is empty");
        return 1;
    }
    return 0;
}

int lk_sources_add_buffer(struct lk_sources *set, const char *path, const char *data, size_t len,
                          struct lk_diags *diags, uint32_t *out_id)
{
    size_t keep = len > LK_SOURCE_MAX_BYTES ? 0 : len;
    char *text = lk_xmalloc(keep + 1);
    if (keep)
        memcpy(text, data, keep);
    text[keep] = '\0';
    uint32_t id = s_add(set, path, text, keep);
    *out_id = id;
    return s_check_contents(set, id, diags, len);
}

int lk_sources_read_file(struct lk_sources *set, const char *path, struct lk_diags *diags,
                         uint32_t *out_id)
{
    int rc = -1;
    struct lk_buf text;
    FILE *f = NULL;
    /* The text, bounded at one byte past the limit: enough to know a file is too large without
     * reading a 50 MB file into memory, whatever stat says of pipes and devices. */
    lk_buf_init(&text, LK_SOURCE_MAX_BYTES + 1);
    /* O_NONBLOCK: opening a FIFO without a writer would otherwise block forever. Only regular
     * files are policies; FIFOs, devices (/dev/zero) and sockets are refused. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        goto cleanup;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        goto cleanup;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        goto cleanup;
    }
    f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        goto cleanup;
    }
    /* Regular files: room for their size at once (plus one byte to see growth) instead of
     * doubling, which would briefly hold two copies of a large file. */
    size_t want = 64 * 1024;
    if (st.st_size > 0 && (size_t)st.st_size < LK_SOURCE_MAX_BYTES)
        want = (size_t)st.st_size + 1;
    for (;;) {
        /* Near the cap, ask only for what still fits: reaching it is the answer. */
        if (want > text.max_len - text.len)
            want = text.max_len - text.len;
        if (want == 0 || !lk_buf_reserve(&text, want))
            break;
        size_t got = fread(text.data + text.len, 1, want, f);
        text.len += got;
        text.data[text.len] = '\0';
        if (got < want) {
            if (ferror(f))
                goto cleanup;
            break;
        }
        want = text.len; /* double */
    }
    size_t len = 0;
    char *content = lk_buf_take(&text, &len);
    if (len > LK_SOURCE_MAX_BYTES) {
        size_t real = (S_ISREG(st.st_mode) && (size_t)st.st_size > len) ? (size_t)st.st_size : len;
        free(content);
        uint32_t id = s_add(set, path, lk_xstrdup(""), 0);
        *out_id = id;
        rc = s_check_contents(set, id, diags, real);
        goto cleanup;
    }
    uint32_t id = s_add(set, path, content, len);
    *out_id = id;
    rc = s_check_contents(set, id, diags, len);
cleanup:
    lk_buf_free(&text);
    if (f)
        fclose(f);
    return rc;
}
