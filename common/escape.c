/*
 * logkeep: escaping text for JSON, Markdown and XML output.
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
    /* Run by run: the scan does nothing but look bytes up (the NUL is special too), and each
     * run of plain bytes is one memcpy(). */
    const unsigned char *p = (const unsigned char *)s;
    for (;;) {
        const unsigned char *run = p;
        while (!s_json_special[*p])
            p++;
        memcpy(w, run, (size_t)(p - run));
        w += p - run;
        if (!*p)
            break;
        w = s_json_escape_byte(w, *p);
        p++;
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

/* Decodes one UTF-8 sequence of @p s (at most @p len bytes) into @p cp.
 * @return its length, or 0 when it is not well-formed (overlong, surrogate, > U+10FFFF,
 *         truncated). */
static size_t s_utf8(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2, v = c & 0x1Fu, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, v = c & 0x0Fu, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, v = c & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* XML 1.0 character data: markup characters escaped; in an attribute also quotes and the
 * white space that attribute normalisation would turn into spaces; characters XML 1.0 does
 * not allow (controls, U+FFFE, U+FFFF, malformed UTF-8) replaced by U+FFFD. */
void lk_xml_escape(struct lk_buf *b, const char *s, bool attr)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s);
    while (len) {
        uint32_t cp = 0;
        size_t n = s_utf8(p, len, &cp);
        if (n == 0) {
            lk_buf_puts(b, "\xEF\xBF\xBD");
            p++, len--;
            continue;
        }
        switch (cp) {
        case '&':
            lk_buf_puts(b, "&amp;");
            break;
        case '<':
            lk_buf_puts(b, "&lt;");
            break;
        case '>':
            lk_buf_puts(b, "&gt;");
            break;
        case '"':
            lk_buf_puts(b, attr ? "&quot;" : "\"");
            break;
        case '\'':
            lk_buf_puts(b, attr ? "&apos;" : "'");
            break;
        case '\t':
            lk_buf_puts(b, attr ? "&#9;" : "\t");
            break;
        case '\n':
            lk_buf_puts(b, attr ? "&#10;" : "\n");
            break;
        case '\r':
            lk_buf_puts(b, "&#13;");
            break;
        default:
            if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF)
                lk_buf_puts(b, "\xEF\xBF\xBD");
            else
                lk_buf_append(b, (const char *)p, n);
            break;
        }
        p += n, len -= n;
    }
}
