/*
 * logkeep: escaping text for JSON and Markdown output.
 */
#include "common/escape.h"

#include <stdint.h>
#include <string.h>

/* JSON string escaping (RFC 8259 §7): quote, backslash and control characters; UTF-8 passes
 * through unchanged. */
/* Bytes that end a run of characters copied as they are: NUL (the end), control characters,
 * the quote and the backslash. */
static const unsigned char s_json_special[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
    [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1,
    [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
    [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1,
    [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, ['"'] = 1,  ['\\'] = 1,
};

/* Writes the escape sequence of special byte @p c at @p w. @return the byte after it. */
static char *s_json_escape_byte(char *w, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    *w++ = '\\';
    switch (c) {
    case '"':
        *w++ = '"';
        break;
    case '\\':
        *w++ = '\\';
        break;
    case '\n':
        *w++ = 'n';
        break;
    case '\r':
        *w++ = 'r';
        break;
    case '\t':
        *w++ = 't';
        break;
    default:
        *w++ = 'u';
        *w++ = '0';
        *w++ = '0';
        *w++ = hex[c >> 4];
        *w++ = hex[c & 15];
    }
    return w;
}

/* Appends run by run through lk_buf_append(), which fails the buffer at its cap: used only when
 * the worst case does not fit below the cap, where the exact text may still fit. */
static void s_json_escape_slow(struct lk_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    lk_buf_putc(b, '"');
    while (*p) {
        const unsigned char *run = p;
        while (!s_json_special[*p])
            p++;
        lk_buf_append(b, run, (size_t)(p - run));
        if (*p) {
            char esc[8];
            lk_buf_append(b, esc, (size_t)(s_json_escape_byte(esc, *p) - esc));
            p++;
        }
    }
    lk_buf_putc(b, '"');
}

void lk_json_escape(struct lk_buf *b, const char *s)
{
    /* Reserve the worst case (every byte as \u00XX) once, then write in place: artifacts of
     * several megabytes pass through here in `compile --format json`. */
    size_t len = strlen(s);
    if (len > (SIZE_MAX - 3) / 6 || !lk_buf_reserve(b, 6 * len + 2)) {
        s_json_escape_slow(b, s);
        return;
    }
    char *w = b->data + b->len;
    *w++ = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (!s_json_special[c])
            *w++ = (char)c;
        else
            w = s_json_escape_byte(w, c);
    }
    *w++ = '"';
    *w = '\0';
    b->len = (size_t)(w - b->data);
}

void lk_md_escape(struct lk_buf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        switch (c) {
        case '|':
        case '`':
        case '\\':
        case '*':
        case '_':
        case '[':
        case ']':
        case '#':
        case '~':
            lk_buf_putc(b, '\\');
            lk_buf_putc(b, (char)c);
            break;
        case '<':
            lk_buf_puts(b, "&lt;");
            break;
        case '>':
            lk_buf_puts(b, "&gt;");
            break;
        case '&':
            lk_buf_puts(b, "&amp;");
            break;
        case '\r':
            if (p[1] != '\n')
                lk_buf_puts(b, "<br>");
            break;
        case '\n':
            lk_buf_puts(b, "<br>");
            break;
        default:
            lk_buf_putc(b, c < 0x20 ? ' ' : (char)c);
            break;
        }
    }
}
