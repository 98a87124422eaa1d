/*
 * logkeep runtime: parser for the shared AWS config and credentials files (config_file.h).
 *
 * The line rules follow CPython's configparser.RawConfigParser._read, which botocore uses
 * (botocore/configloader.py): comment prefixes '#' and ';' on full lines only, delimiters '=' and
 * ':', keys lowercased by optionxform, continuation by deeper indentation, strict duplicates.
 * Nested values follow botocore's _parse_nested: only when the value starts with a newline, each
 * non-empty line "key = value", one level deep.
 */
#include "runtime/transport/config_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/array.h"
#include "runtime/transport/http.h"

/* One line of an option's value, pointing into the file's bytes. */
struct s_part {
    const char *text;
    size_t len;
    unsigned line;
};

struct s_parser {
    enum lk_config_kind kind;
    struct lk_config_file *file;
    struct lk_config_error *err;
    /* The option being read (its value may continue on indented lines). */
    bool in_option;
    char *opt_key; /* owned */
    unsigned opt_line;
    size_t opt_indent;    /* indentation of the option's line */
    struct s_part *parts; /* owned */
    size_t n_parts;
    size_t cap_parts;
    /* The raw section headers seen, for the duplicate check. */
    char **headers; /* owned */
    size_t n_headers;
    size_t cap_headers;
};

static int s_fail(struct s_parser *ps, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records a syntax error at @p line (LK_STATUS_MALFORMED). @return -1. */
static int s_fail(struct s_parser *ps, unsigned line, const char *fmt, ...)
{
    va_list ap;
    ps->err->line = line;
    va_start(ap, fmt);
    lk_error_vset(&ps->err->error, LK_STATUS_MALFORMED, fmt, ap);
    va_end(ap);
    return -1;
}

static bool s_is_space(char c)
{
    /* Python's str.strip() whitespace within ASCII (CR and LF never reach here). */
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

static void s_trim(const char **s, size_t *len)
{
    while (*len > 0 && s_is_space(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && s_is_space((*s)[*len - 1]))
        (*len)--;
}

static char *s_lower_dup(const char *s, size_t len)
{
    char *out = lk_xstrndup(s, len);
    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return out;
}

static struct lk_config_section *s_current(struct s_parser *ps)
{
    return ps->file->n_sections ? &ps->file->sections[ps->file->n_sections - 1] : NULL;
}

static void s_add_entry(struct lk_config_section *sec, char *key, char *subkey, char *value,
                        unsigned line)
{
    LK_ARRAY_GROW(sec->entries, sec->n_entries, sec->cap_entries);
    struct lk_config_entry *e = &sec->entries[sec->n_entries++];
    e->key = key;
    e->subkey = subkey;
    e->value = value;
    e->line = line;
}

/* Ends the option being read: joins its lines, or parses them as nested settings. */
static int s_finish_option(struct s_parser *ps)
{
    int rc = 0;
    struct lk_config_section *sec = s_current(ps);
    if (!ps->in_option)
        return 0;
    ps->in_option = false;

    /* configparser joins the lines with '\n' and strips trailing whitespace; blank lines count
     * as empty parts. */
    size_t n = ps->n_parts;
    while (n > 0 && ps->parts[n - 1].len == 0)
        n--;
    if (n > 1 && ps->parts[0].len == 0) {
        /* botocore _parse_nested: "key =" followed by indented "sub = value" lines. */
        s_add_entry(sec, lk_xstrdup(ps->opt_key), NULL, lk_xstrdup(""), ps->opt_line);
        for (size_t i = 1; i < n; i++) {
            const struct s_part *p = &ps->parts[i];
            if (p->len == 0)
                continue;
            const char *eq = memchr(p->text, '=', p->len);
            if (eq == NULL) {
                rc = s_fail(ps, p->line,
                            "expected \"name = value\" in the nested settings of \"%s\"",
                            ps->opt_key);
                goto cleanup;
            }
            const char *k = p->text;
            size_t klen = (size_t)(eq - p->text);
            const char *v = eq + 1;
            size_t vlen = p->len - klen - 1;
            s_trim(&k, &klen);
            s_trim(&v, &vlen);
            /* botocore keeps the nested key's case; AWS service ids are lowercase anyway. */
            s_add_entry(sec, lk_xstrdup(ps->opt_key), lk_xstrndup(k, klen), lk_xstrndup(v, vlen),
                        p->line);
        }
        goto cleanup;
    }
    /* The value may be a secret: a secret buffer wipes what it leaves behind when it grows. Its
     * parts come from one file of at most LK_CONFIG_MAX_FILE_BYTES. */
    struct lk_buf value;
    lk_buf_init_secret(&value, LK_CONFIG_MAX_FILE_BYTES);
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += ps->parts[i].len + 1;
    LK_IGNORE(lk_buf_reserve(&value, total)); /* one allocation when it fits */
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            lk_buf_putc(&value, '\n');
        lk_buf_append(&value, ps->parts[i].text, ps->parts[i].len);
    }
    char *text = lk_buf_take(&value, NULL);
    if (text == NULL) {
        rc = s_fail(ps, ps->opt_line, "value of \"%s\" larger than %zu bytes", ps->opt_key,
                    LK_CONFIG_MAX_FILE_BYTES);
        goto cleanup;
    }
    s_add_entry(sec, lk_xstrdup(ps->opt_key), NULL, text, ps->opt_line);

cleanup:
    free(ps->opt_key);
    ps->opt_key = NULL;
    ps->n_parts = 0;
    return rc;
}

static void s_add_part(struct s_parser *ps, const char *text, size_t len, unsigned line)
{
    LK_ARRAY_GROW(ps->parts, ps->n_parts, ps->cap_parts);
    ps->parts[ps->n_parts++] = (struct s_part){text, len, line};
}

/* Classifies a section header the way botocore's build_profile_map does. */
static void s_name_section(enum lk_config_kind kind, const char *header, size_t len,
                           struct lk_config_section *sec)
{
    sec->kind = LK_CONFIG_SECTION_OTHER;
    if (kind == LK_CONFIG_CREDENTIALS) {
        /* The credentials file names profiles directly: [name]. */
        sec->kind = LK_CONFIG_SECTION_PROFILE;
        sec->name = lk_xstrndup(header, len);
        return;
    }
    if (len == 7 && memcmp(header, "default", 7) == 0) {
        sec->kind = LK_CONFIG_SECTION_PROFILE;
        sec->name = lk_xstrdup("default");
        return;
    }
    const char *prefixes[] = {"profile", "services"};
    const enum lk_config_section_kind kinds[] = {LK_CONFIG_SECTION_PROFILE,
                                                 LK_CONFIG_SECTION_SERVICES};
    for (size_t i = 0; i < 2; i++) {
        size_t plen = strlen(prefixes[i]);
        if (len <= plen || memcmp(header, prefixes[i], plen) != 0 || !s_is_space(header[plen]))
            continue;
        /* botocore splits the header with shlex: exactly two words, the second may be
         * quoted ("[profile \"my name\"]"). */
        const char *rest = header + plen;
        size_t rlen = len - plen;
        s_trim(&rest, &rlen);
        if (rlen >= 2 && (rest[0] == '"' || rest[0] == '\'') && rest[rlen - 1] == rest[0]) {
            rest++;
            rlen -= 2;
        } else {
            for (size_t k = 0; k < rlen; k++)
                if (s_is_space(rest[k]) || rest[k] == '"' || rest[k] == '\'')
                    rlen = 0; /* more than two words: not a profile botocore would see */
        }
        if (rlen == 0)
            break;
        sec->kind = kinds[i];
        sec->name = lk_xstrndup(rest, rlen);
        return;
    }
    sec->name = lk_xstrndup(header, len);
}

static int s_parse_line(struct s_parser *ps, const char *line, size_t len, unsigned lineno)
{
    const char *value = line;
    size_t vlen = len;
    s_trim(&value, &vlen);

    /* Full-line comments, also when indented. */
    if (vlen > 0 && (value[0] == '#' || value[0] == ';'))
        return 0;
    if (vlen == 0) {
        /* empty_lines_in_values: a blank line belongs to the value being read. */
        if (ps->in_option)
            s_add_part(ps, value, 0, lineno);
        return 0;
    }
    size_t indent = 0;
    while (indent < len && s_is_space(line[indent]))
        indent++;
    /* configparser: a line indented deeper than the option's own line continues it. */
    if (ps->in_option && indent > ps->opt_indent) {
        s_add_part(ps, value, vlen, lineno);
        return 0;
    }
    if (s_finish_option(ps) != 0)
        return -1;

    if (value[0] == '[') {
        /* SECTCRE \[(?P<header>.+)\]: greedy, up to the last ']' on the line; text after it is
         * ignored. */
        const char *close = NULL;
        for (size_t i = vlen; i > 1; i--)
            if (value[i - 1] == ']') {
                close = value + i - 1;
                break;
            }
        if (close != NULL && close > value + 1) {
            const char *header = value + 1;
            size_t hlen = (size_t)(close - header);
            for (size_t i = 0; i < ps->n_headers; i++)
                if (strlen(ps->headers[i]) == hlen && memcmp(ps->headers[i], header, hlen) == 0)
                    return s_fail(ps, lineno, "section [%.*s] appears twice", (int)hlen, header);
            LK_ARRAY_GROW(ps->headers, ps->n_headers, ps->cap_headers);
            ps->headers[ps->n_headers++] = lk_xstrndup(header, hlen);
            struct lk_config_file *f = ps->file;
            LK_ARRAY_GROW(f->sections, f->n_sections, f->cap_sections);
            struct lk_config_section *sec = &f->sections[f->n_sections++];
            memset(sec, 0, sizeof(*sec));
            sec->line = lineno;
            s_name_section(ps->kind, header, hlen, sec);
            return 0;
        }
    }
    struct lk_config_section *sec = s_current(ps);
    if (sec == NULL)
        return s_fail(ps, lineno, "text before the first [section] header");

    /* OPTCRE (?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$: the first '=' or ':' delimits. */
    const char *delim = NULL;
    for (size_t i = 0; i < vlen; i++)
        if (value[i] == '=' || value[i] == ':') {
            delim = value + i;
            break;
        }
    if (delim == NULL)
        return s_fail(ps, lineno, "expected \"name = value\", a [section] header or a comment");
    const char *key = value;
    size_t klen = (size_t)(delim - value);
    s_trim(&key, &klen);
    if (klen == 0)
        return s_fail(ps, lineno, "a setting has no name before '%c'", *delim);
    char *lkey = s_lower_dup(key, klen);
    for (size_t i = 0; i < sec->n_entries; i++)
        if (sec->entries[i].subkey == NULL && strcmp(sec->entries[i].key, lkey) == 0) {
            int rc =
                s_fail(ps, lineno, "setting \"%s\" appears twice in section [%s]", lkey, sec->name);
            free(lkey);
            return rc;
        }
    const char *v = delim + 1;
    size_t rest = (size_t)(value + vlen - v);
    s_trim(&v, &rest);
    ps->in_option = true;
    ps->opt_key = lkey;
    ps->opt_line = lineno;
    ps->opt_indent = indent;
    ps->n_parts = 0;
    s_add_part(ps, v, rest, lineno);
    return 0;
}

enum lk_status lk_config_parse(const char *data, size_t len, enum lk_config_kind kind,
                               struct lk_config_file *out, struct lk_config_error *err)
{
    int rc = 0;
    struct s_parser ps;

    memset(out, 0, sizeof(*out));
    memset(err, 0, sizeof(*err));
    memset(&ps, 0, sizeof(ps));
    out->found = true;
    ps.kind = kind;
    ps.file = out;
    ps.err = err;

    if (len > LK_CONFIG_MAX_FILE_BYTES) {
        rc = s_fail(&ps, 0, "file larger than %zu bytes", LK_CONFIG_MAX_FILE_BYTES);
        err->error.status = LK_STATUS_TOO_LARGE;
        goto cleanup;
    }
    if (data == NULL && len > 0) {
        rc = s_fail(&ps, 0, "no data");
        goto cleanup;
    }
    if (memchr(data, '\0', len) != NULL) {
        rc = s_fail(&ps, 0, "the file holds NUL bytes: not a text file");
        goto cleanup;
    }
    /* A UTF-8 byte order mark is not part of the first line (Python's utf-8-sig would drop it;
     * plain utf-8, which botocore uses, would not, but no profile starts with one). */
    size_t pos = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    unsigned lineno = 0;
    while (pos < len) {
        size_t start = pos;
        while (pos < len && data[pos] != '\n' && data[pos] != '\r')
            pos++;
        size_t line_len = pos - start;
        /* Universal newlines: \n, \r\n and \r all end a line. */
        if (pos < len && data[pos] == '\r') {
            pos++;
            if (pos < len && data[pos] == '\n')
                pos++;
        } else if (pos < len && data[pos] == '\n') {
            pos++;
        }
        lineno++;
        if (s_parse_line(&ps, data + start, line_len, lineno) != 0) {
            rc = -1;
            goto cleanup;
        }
    }
    if (s_finish_option(&ps) != 0)
        rc = -1;

cleanup:
    free(ps.opt_key);
    free(ps.parts);
    for (size_t i = 0; i < ps.n_headers; i++)
        free(ps.headers[i]);
    free(ps.headers);
    return rc == 0 ? LK_STATUS_OK : err->error.status;
}

enum lk_status lk_config_load(const char *path, enum lk_config_kind kind,
                              struct lk_config_file *out, struct lk_config_error *err)
{
    enum lk_status rc = LK_STATUS_IO;
    int fd = -1;
    char *data = NULL;
    size_t cap = 0, len = 0;

    memset(out, 0, sizeof(*out));
    memset(err, 0, sizeof(*err));
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            out->path = lk_xstrdup(path);
            out->found = false;
            rc = LK_STATUS_OK;
            goto cleanup;
        }
        lk_error_set(&err->error, rc, "cannot open: %s", strerror(errno));
        goto cleanup;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        lk_error_set(&err->error, rc, "cannot stat: %s", strerror(errno));
        goto cleanup;
    }
    if (S_ISDIR(st.st_mode)) {
        lk_error_set(&err->error, rc, "is a directory");
        goto cleanup;
    }
    if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > LK_CONFIG_MAX_FILE_BYTES) {
        rc = lk_error_set(&err->error, LK_STATUS_TOO_LARGE, "file larger than %zu bytes",
                          LK_CONFIG_MAX_FILE_BYTES);
        goto cleanup;
    }
    /* One allocation, never grown (the buffer may hold secret keys): the announced size of a
     * regular file plus one byte to notice growth, or the limit plus one for anything else
     * (AWS_CONFIG_FILE=/dev/null is a common way to say "no file"). */
    cap = (S_ISREG(st.st_mode) ? (size_t)st.st_size : LK_CONFIG_MAX_FILE_BYTES) + 1;
    data = lk_xmalloc(cap);
    for (;;) {
        if (len == cap) {
            if (S_ISREG(st.st_mode))
                lk_error_set(&err->error, rc, "file changed while being read");
            else
                rc = lk_error_set(&err->error, LK_STATUS_TOO_LARGE, "file larger than the limit");
            goto cleanup;
        }
        ssize_t got = read(fd, data + len, cap - len);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            lk_error_set(&err->error, rc, "cannot read: %s", strerror(errno));
            goto cleanup;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    rc = lk_config_parse(data, len, kind, out, err);
    if (rc != LK_STATUS_OK)
        goto cleanup;
    out->path = lk_xstrdup(path);

cleanup:
    if (fd >= 0)
        close(fd);
    if (data != NULL) {
        /* The credentials file holds secret keys: wipe what was read (the rest of the buffer
         * was never written; wiping all of it cost a megabyte per load of /dev/null). */
        lk_http_secure_zero(data, len);
        free(data);
    }
    return rc;
}

void lk_config_file_free(struct lk_config_file *file)
{
    if (file == NULL)
        return;
    for (size_t i = 0; i < file->n_sections; i++) {
        struct lk_config_section *sec = &file->sections[i];
        for (size_t k = 0; k < sec->n_entries; k++) {
            free(sec->entries[k].key);
            free(sec->entries[k].subkey);
            lk_http_free_secret(sec->entries[k].value);
        }
        free(sec->entries);
        free(sec->name);
    }
    free(file->sections);
    free(file->path);
    memset(file, 0, sizeof(*file));
}

char *lk_config_default_path(enum lk_config_kind kind)
{
    /* AWS SDKs and Tools Reference Guide, "Finding and changing the location of the shared
     * config and credentials files of AWS SDKs and tools",
     * https://docs.aws.amazon.com/sdkref/latest/guide/file-location.html: AWS_CONFIG_FILE and
     * AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials. */
    const char *var =
        kind == LK_CONFIG_CREDENTIALS ? "AWS_SHARED_CREDENTIALS_FILE" : "AWS_CONFIG_FILE";
    const char *name = kind == LK_CONFIG_CREDENTIALS ? "credentials" : "config";
    const char *env = getenv(var);
    if (env != NULL && env[0] != '\0') {
        /* botocore expands a leading "~" in these variables too. */
        if (env[0] == '~' && (env[1] == '/' || env[1] == '\0')) {
            const char *home = getenv("HOME");
            if (home == NULL || home[0] == '\0')
                return NULL;
            struct lk_buf b;
            lk_buf_init(&b, LK_BUF_MAX_LINE); /* a path: PATH_MAX is 4,096 on Linux */
            lk_buf_printf(&b, "%s%s", home, env + 1);
            return lk_buf_take(&b, NULL); /* NULL for a path over the cap: as if unset */
        }
        return lk_xstrdup(env);
    }
    const char *home = getenv("HOME");
    if (home == NULL || home[0] == '\0')
        return NULL;
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_LINE);
    lk_buf_printf(&b, "%s/.aws/%s", home, name);
    return lk_buf_take(&b, NULL);
}

const struct lk_config_section *lk_config_find(const struct lk_config_file *file,
                                               enum lk_config_section_kind kind, const char *name)
{
    if (file == NULL || name == NULL)
        return NULL;
    for (size_t i = file->n_sections; i > 0; i--) {
        const struct lk_config_section *sec = &file->sections[i - 1];
        if (sec->kind == kind && strcmp(sec->name, name) == 0)
            return sec;
    }
    return NULL;
}

const char *lk_config_get(const struct lk_config_section *section, const char *key)
{
    if (section == NULL || key == NULL)
        return NULL;
    for (size_t i = 0; i < section->n_entries; i++)
        if (section->entries[i].subkey == NULL && strcmp(section->entries[i].key, key) == 0)
            return section->entries[i].value;
    return NULL;
}

const char *lk_config_get_sub(const struct lk_config_section *section, const char *key,
                              const char *subkey)
{
    if (section == NULL || key == NULL || subkey == NULL)
        return NULL;
    for (size_t i = 0; i < section->n_entries; i++)
        if (section->entries[i].subkey != NULL && strcmp(section->entries[i].key, key) == 0 &&
            strcmp(section->entries[i].subkey, subkey) == 0)
            return section->entries[i].value;
    return NULL;
}
