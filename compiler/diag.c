/*
 * logkeep: diagnostics and their renderings (text, JSON, SARIF 2.1.0, GitHub annotations).
 */
#include "compiler/diag.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"

void lk_diags_init(struct lk_diags *diags, struct lk_arena *arena)
{
    memset(diags, 0, sizeof(*diags));
    diags->arena = arena;
    diags->max_diags = 10000;
}

void lk_diags_free(struct lk_diags *diags)
{
    free(diags->items);
    diags->items = NULL;
    diags->n = diags->cap = 0;
}

/* Messages quote policy text; a hostile policy can make that text a megabyte long. Keep each
 * message readable and the report bounded. */
#define LK_DIAG_MAX_MESSAGE 400

static char *s_vformat(struct lk_arena *arena, const char *fmt, va_list ap)
{
    char *p = lk_arena_vprintf(arena, fmt, ap);
    size_t n = strlen(p);
    if (n > LK_DIAG_MAX_MESSAGE) {
        size_t cut = LK_DIAG_MAX_MESSAGE;
        while (cut > 0 && ((unsigned char)p[cut] & 0xC0) == 0x80)
            cut--; /* do not split a UTF-8 sequence */
        memcpy(p + cut, "...", 4);
    }
    return p;
}

static void s_count(struct lk_diags *diags, enum lk_severity sev, int delta)
{
    size_t *c = sev == LK_SEV_ERROR     ? &diags->n_errors
                : sev == LK_SEV_WARNING ? &diags->n_warnings
                                        : &diags->n_notes;
    *c = (size_t)((long long)*c + delta);
}

struct lk_diag *lk_diag_add(struct lk_diags *diags, const char *rule_id, struct lk_span span,
                            const char *fmt, ...)
{
    const struct lk_rule *rule = lk_rule_find(rule_id);
    if (!rule) {
        fprintf(stderr, "logkeep: internal error: unknown rule id %s\n", rule_id);
        abort();
    }
    s_count(diags, rule->severity, 1);
    if (diags->max_diags && diags->n >= diags->max_diags) {
        diags->n_dropped++;
        return NULL;
    }
    LK_ARRAY_GROW(diags->items, diags->n, diags->cap);
    struct lk_diag *d = &diags->items[diags->n];
    memset(d, 0, sizeof(*d));
    d->severity = rule->severity;
    d->rule = rule;
    d->span = span;
    d->related = LK_SPAN_NONE;
    d->seq = diags->n;
    va_list ap;
    va_start(ap, fmt);
    d->message = s_vformat(diags->arena, fmt, ap);
    va_end(ap);
    diags->n++;
    return d;
}

void lk_diag_help(struct lk_diags *diags, struct lk_diag *d, const char *fmt, ...)
{
    if (!d)
        return;
    va_list ap;
    va_start(ap, fmt);
    d->help = s_vformat(diags->arena, fmt, ap);
    va_end(ap);
}

void lk_diag_related(struct lk_diags *diags, struct lk_diag *d, struct lk_span span,
                     const char *label)
{
    if (!d)
        return;
    d->related = span;
    d->related_label = label ? lk_arena_strdup(diags->arena, label) : NULL;
}

void lk_diag_set_severity(struct lk_diags *diags, struct lk_diag *d, enum lk_severity sev)
{
    if (!d)
        return;
    s_count(diags, d->severity, -1);
    s_count(diags, sev, 1);
    d->severity = sev;
}

static int s_cmp_diag(const void *a, const void *b)
{
    const struct lk_diag *x = a, *y = b;
    if (x->span.file != y->span.file)
        return x->span.file < y->span.file ? -1 : 1;
    if (x->span.line != y->span.line)
        return x->span.line < y->span.line ? -1 : 1;
    if (x->span.col != y->span.col)
        return x->span.col < y->span.col ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

void lk_diags_sort(struct lk_diags *diags)
{
    if (diags->n > 1)
        qsort(diags->items, diags->n, sizeof(*diags->items), s_cmp_diag);
}

void lk_diags_promote_warnings(struct lk_diags *diags)
{
    for (size_t i = 0; i < diags->n; i++) {
        if (diags->items[i].severity == LK_SEV_WARNING) {
            diags->items[i].severity = LK_SEV_ERROR;
            s_count(diags, LK_SEV_WARNING, -1);
            s_count(diags, LK_SEV_ERROR, 1);
        }
    }
}

bool lk_diag_format_parse(const char *name, enum lk_diag_format *out)
{
    static const struct {
        const char *name;
        enum lk_diag_format fmt;
    } table[] = {{"text", LK_DIAG_TEXT},
                 {"json", LK_DIAG_JSON},
                 {"sarif", LK_DIAG_SARIF},
                 {"github", LK_DIAG_GITHUB}};
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcmp(name, table[i].name) == 0) {
            *out = table[i].fmt;
            return true;
        }
    }
    return false;
}

static const char *s_sev_name(enum lk_severity sev)
{
    return sev == LK_SEV_ERROR ? "error" : sev == LK_SEV_WARNING ? "warning" : "note";
}

/* ------------------------------------------------------------------------------------ text */

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[1;31m"
#define C_MAGENTA "\033[1;35m"
#define C_CYAN "\033[1;36m"
#define C_GREEN "\033[1;32m"
#define C_BLUE "\033[1;34m"

/* Display at most this many characters of a source line; longer lines are windowed around the
 * column so a minified or hostile one-line file cannot flood the terminal. */
#define LK_LINE_WINDOW 160

/* Code points that change how text around them is displayed without showing themselves:
 * bidirectional controls (the "Trojan Source" characters, CVE-2021-42574), zero-width
 * characters, the byte-order mark, and Unicode line and paragraph separators. */
static bool s_invisible(uint32_t cp)
{
    return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF || cp == 0x2028 || cp == 0x2029 ||
           cp == 0x0085 || cp == 0x061C;
}

/* Decodes the UTF-8 sequence at @p p (@p n bytes, already validated). */
static uint32_t s_code_point(const unsigned char *p, size_t n)
{
    uint32_t cp = n == 1 ? p[0] : n == 2 ? (p[0] & 0x1Fu) : n == 3 ? (p[0] & 0x0Fu) : (p[0] & 0x07u);
    for (size_t i = 1; i < n; i++)
        cp = (cp << 6) | (p[i] & 0x3Fu);
    return cp;
}

/* Writes one character of a source line, replacing control bytes, invalid UTF-8 and invisible
 * or reordering characters by '?' (one column, so the caret stays aligned).
 * @return bytes consumed. */
static size_t s_put_char(FILE *out, const char *p, size_t left)
{
    unsigned char c = (unsigned char)p[0];
    if (c == '\t') {
        fputc('\t', out);
        return 1;
    }
    if (c < 0x20 || c == 0x7F) {
        fputc('?', out);
        return 1;
    }
    if (c < 0x80) {
        fputc((int)c, out);
        return 1;
    }
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    size_t bad;
    if (n > left || n == 1 || !lk_utf8_valid(p, n, &bad)) {
        fputc('?', out);
        return 1;
    }
    if (s_invisible(s_code_point((const unsigned char *)p, n))) {
        fputc('?', out);
        return n;
    }
    fwrite(p, 1, n, out);
    return n;
}

static size_t s_char_len(const char *p, size_t left)
{
    unsigned char c = (unsigned char)p[0];
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return n > left ? 1 : n;
}

static void s_render_snippet(FILE *out, struct lk_sources *sources, struct lk_span span, bool color)
{
    const char *line;
    size_t len;
    if (span.file == LK_SPAN_NONE_FILE || span.line == 0 ||
        !lk_sources_line(sources, span.file, span.line, &line, &len))
        return;
    char num[16];
    int w = snprintf(num, sizeof(num), "%u", span.line);
    /* Find the window of characters to show. */
    uint32_t first = 1;
    if (span.col > LK_LINE_WINDOW / 2)
        first = span.col - LK_LINE_WINDOW / 4;
    size_t off = 0;
    uint32_t ch = 1;
    while (ch < first && off < len) {
        off += s_char_len(line + off, len - off);
        ch++;
    }
    fprintf(out, "%s %s |%s ", color ? C_BLUE : "", num, color ? C_RESET : "");
    if (first > 1)
        fputs("...", out);
    size_t shown = 0, o = off;
    while (o < len && shown < LK_LINE_WINDOW) {
        o += s_put_char(out, line + o, len - o);
        shown++;
    }
    if (o < len)
        fputs("...", out);
    fputc('\n', out);
    fprintf(out, "%s %*s |%s ", color ? C_BLUE : "", w, "", color ? C_RESET : "");
    if (first > 1)
        fputs("   ", out);
    o = off;
    for (uint32_t c = first; c < span.col; c++) {
        fputc(o < len && line[o] == '\t' ? '\t' : ' ', out);
        if (o < len)
            o += s_char_len(line + o, len - o);
    }
    if (color)
        fputs(C_GREEN, out);
    fputc('^', out);
    uint32_t tail = span.len > 1 ? span.len - 1 : 0;
    if (tail > LK_LINE_WINDOW)
        tail = LK_LINE_WINDOW;
    for (uint32_t i = 0; i < tail; i++)
        fputc('~', out);
    if (color)
        fputs(C_RESET, out);
    fputc('\n', out);
}

/* Messages quote policy text, which may hold control characters: never send those raw to a
 * terminal (escape sequences) or a log. They are written as \xNN. */
static void s_put_safe(FILE *out, const char *s)
{
    while (*s) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7F) {
            fprintf(out, "\\x%02X", c);
            s++;
            continue;
        }
        size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        size_t bad;
        if (n > 1 && strnlen(s, n) == n && lk_utf8_valid(s, n, &bad) &&
            s_invisible(s_code_point((const unsigned char *)s, n))) {
            fprintf(out, "\\u{%04X}", s_code_point((const unsigned char *)s, n));
            s += n;
            continue;
        }
        fputc((int)c, out);
        s++;
    }
}

static void s_render_location(FILE *out, struct lk_sources *sources, struct lk_span span)
{
    if (span.file == LK_SPAN_NONE_FILE)
        fputs("logkeep", out);
    else if (span.line == 0)
        fprintf(out, "%s", lk_sources_path(sources, span.file));
    else
        fprintf(out, "%s:%u:%u", lk_sources_path(sources, span.file), span.line, span.col);
}

static void s_render_text(struct lk_diags *diags, struct lk_sources *sources, bool color,
                          FILE *out)
{
    for (size_t i = 0; i < diags->n; i++) {
        const struct lk_diag *d = &diags->items[i];
        const char *sc = d->severity == LK_SEV_ERROR     ? C_RED
                         : d->severity == LK_SEV_WARNING ? C_MAGENTA
                                                         : C_CYAN;
        if (color)
            fputs(C_BOLD, out);
        s_render_location(out, sources, d->span);
        fprintf(out, ": %s%s[%s]%s: %s", color ? sc : "", s_sev_name(d->severity), d->rule->id,
                color ? C_RESET : "", color ? C_BOLD : "");
        s_put_safe(out, d->message);
        fprintf(out, "%s\n", color ? C_RESET : "");
        s_render_snippet(out, sources, d->span, color);
        if (d->help) {
            fprintf(out, "  = %shelp%s: ", color ? C_BOLD : "", color ? C_RESET : "");
            s_put_safe(out, d->help);
            fputc('\n', out);
        }
        if (d->related.file != LK_SPAN_NONE_FILE) {
            s_render_location(out, sources, d->related);
            fprintf(out, ": %snote%s: ", color ? C_CYAN : "", color ? C_RESET : "");
            s_put_safe(out, d->related_label ? d->related_label : "related location");
            fputc('\n', out);
            s_render_snippet(out, sources, d->related, color);
        }
    }
    if (diags->n_dropped)
        fprintf(out, "logkeep: %zu more diagnostics not shown\n", diags->n_dropped);
}

/* ------------------------------------------------------------------------------- JSON/SARIF */

static cJSON *s_json_span(struct lk_sources *sources, struct lk_span span)
{
    cJSON *o = cJSON_CreateObject();
    if (span.file == LK_SPAN_NONE_FILE)
        return o;
    cJSON_AddStringToObject(o, "file", lk_sources_path(sources, span.file));
    cJSON_AddNumberToObject(o, "line", span.line);
    cJSON_AddNumberToObject(o, "column", span.col);
    cJSON_AddNumberToObject(o, "end_column", span.col + (span.len ? span.len : 1));
    return o;
}

static void s_print_json(cJSON *root, FILE *out)
{
    char *text = cJSON_Print(root);
    if (!text)
        lk_oom();
    fputs(text, out);
    fputc('\n', out);
    cJSON_free(text);
}

static void s_render_json(struct lk_diags *diags, struct lk_sources *sources, FILE *out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "version", 1);
    cJSON *arr = cJSON_AddArrayToObject(root, "diagnostics");
    for (size_t i = 0; i < diags->n; i++) {
        const struct lk_diag *d = &diags->items[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "rule", d->rule->id);
        cJSON_AddStringToObject(o, "name", d->rule->name);
        cJSON_AddStringToObject(o, "severity", s_sev_name(d->severity));
        cJSON_AddStringToObject(o, "message", d->message);
        if (d->help)
            cJSON_AddStringToObject(o, "help", d->help);
        cJSON_AddItemToObject(o, "location", s_json_span(sources, d->span));
        if (d->related.file != LK_SPAN_NONE_FILE) {
            cJSON *r = s_json_span(sources, d->related);
            cJSON_AddStringToObject(r, "label", d->related_label ? d->related_label : "");
            cJSON_AddItemToObject(o, "related", r);
        }
        cJSON_AddItemToArray(arr, o);
    }
    cJSON *sum = cJSON_AddObjectToObject(root, "summary");
    cJSON_AddNumberToObject(sum, "errors", (double)diags->n_errors);
    cJSON_AddNumberToObject(sum, "warnings", (double)diags->n_warnings);
    cJSON_AddNumberToObject(sum, "notes", (double)diags->n_notes);
    s_print_json(root, out);
    cJSON_Delete(root);
}

static const char *s_sarif_level(enum lk_severity sev)
{
    return sev == LK_SEV_ERROR ? "error" : sev == LK_SEV_WARNING ? "warning" : "note";
}

static cJSON *s_sarif_location(struct lk_sources *sources, struct lk_span span, const char *label)
{
    cJSON *loc = cJSON_CreateObject();
    cJSON *phys = cJSON_AddObjectToObject(loc, "physicalLocation");
    cJSON *art = cJSON_AddObjectToObject(phys, "artifactLocation");
    const char *path = lk_sources_path(sources, span.file);
    /* SARIF wants URIs; code scanning resolves relative ones against the repository root
     * (SARIF 2.1.0 §3.4.3). Strip a leading "./" so the paths match the checkout. */
    if (strncmp(path, "./", 2) == 0)
        path += 2;
    cJSON_AddStringToObject(art, "uri", path);
    if (span.line) {
        cJSON *reg = cJSON_AddObjectToObject(phys, "region");
        cJSON_AddNumberToObject(reg, "startLine", span.line);
        cJSON_AddNumberToObject(reg, "startColumn", span.col);
        cJSON_AddNumberToObject(reg, "endColumn", span.col + (span.len ? span.len : 1));
    }
    if (label) {
        cJSON *m = cJSON_AddObjectToObject(loc, "message");
        cJSON_AddStringToObject(m, "text", label);
    }
    return loc;
}

/* The URL of @p rule's section of docs/rules.md under @p docs_url, as GitHub and most Markdown
 * renderers anchor the heading "### LK001 yaml-syntax": "rules.md#lk001-yaml-syntax". */
static const char *s_rule_help_uri(struct lk_arena *arena, const char *docs_url,
                                   const struct lk_rule *rule)
{
    size_t n = strlen(docs_url);
    char *id = lk_arena_printf(arena, "%s", rule->id);
    for (char *c = id; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    return lk_arena_printf(arena, "%s%srules.md#%s-%s", docs_url,
                           n && docs_url[n - 1] == '/' ? "" : "/", id, rule->name);
}

static void s_render_sarif(struct lk_diags *diags, struct lk_sources *sources,
                           const char *version, const char *docs_url, FILE *out)
{
    size_t n_rules;
    const struct lk_rule *rules = lk_rules_all(&n_rules);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    cJSON_AddStringToObject(root, "version", "2.1.0");
    cJSON *runs = cJSON_AddArrayToObject(root, "runs");
    cJSON *run = cJSON_CreateObject();
    cJSON_AddItemToArray(runs, run);
    cJSON *driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(run, "tool"), "driver");
    cJSON_AddStringToObject(driver, "name", "logkeep");
    cJSON_AddStringToObject(driver, "version", version ? version : "");
    cJSON_AddStringToObject(driver, "semanticVersion", version ? version : "");
    cJSON *jr = cJSON_AddArrayToObject(driver, "rules");
    for (size_t i = 0; i < n_rules; i++) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "id", rules[i].id);
        cJSON_AddStringToObject(r, "name", rules[i].name);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "shortDescription"), "text",
                                rules[i].summary);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "fullDescription"), "text",
                                rules[i].explain);
        char *help = lk_arena_printf(diags->arena, "%s\n\nSource: %s", rules[i].explain,
                                     rules[i].source);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "help"), "text", help);
        if (docs_url && *docs_url)
            cJSON_AddStringToObject(r, "helpUri",
                                    s_rule_help_uri(diags->arena, docs_url, &rules[i]));
        cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "defaultConfiguration"), "level",
                                s_sarif_level(rules[i].severity));
        cJSON_AddItemToArray(jr, r);
    }
    cJSON *results = cJSON_AddArrayToObject(run, "results");
    for (size_t i = 0; i < diags->n; i++) {
        const struct lk_diag *d = &diags->items[i];
        cJSON *res = cJSON_CreateObject();
        cJSON_AddStringToObject(res, "ruleId", d->rule->id);
        cJSON_AddNumberToObject(res, "ruleIndex", (double)(d->rule - rules));
        cJSON_AddStringToObject(res, "level", s_sarif_level(d->severity));
        const char *text = d->help ? lk_arena_printf(diags->arena, "%s (%s)", d->message, d->help)
                                   : d->message;
        cJSON_AddStringToObject(cJSON_AddObjectToObject(res, "message"), "text", text);
        cJSON *locs = cJSON_AddArrayToObject(res, "locations");
        if (d->span.file != LK_SPAN_NONE_FILE)
            cJSON_AddItemToArray(locs, s_sarif_location(sources, d->span, NULL));
        if (d->related.file != LK_SPAN_NONE_FILE) {
            cJSON *rel = cJSON_AddArrayToObject(res, "relatedLocations");
            cJSON *l = s_sarif_location(sources, d->related, d->related_label);
            cJSON_AddNumberToObject(l, "id", 1);
            cJSON_AddItemToArray(rel, l);
        }
        if (d->waiver) {
            /* A waived finding is suppressed in the source (SARIF 2.1.0, suppression object:
             * kind "inSource", its justification and location): viewers show it as dismissed
             * with the policy's reason instead of as an open result. */
            cJSON *sup = cJSON_CreateObject();
            cJSON_AddStringToObject(sup, "kind", "inSource");
            cJSON_AddStringToObject(sup, "status", "accepted");
            cJSON_AddStringToObject(sup, "justification", d->waiver);
            if (d->related.file != LK_SPAN_NONE_FILE)
                cJSON_AddItemToObject(sup, "location",
                                      s_sarif_location(sources, d->related, NULL));
            cJSON_AddItemToArray(cJSON_AddArrayToObject(res, "suppressions"), sup);
        }
        cJSON_AddItemToArray(results, res);
    }
    s_print_json(root, out);
    cJSON_Delete(root);
}

/* ------------------------------------------------------------------------------------ GitHub */

/* Workflow command escaping, as in @actions/core's command.ts: data escapes %, CR and LF;
 * property values additionally ':' and ','. */
static void s_gh_escape(FILE *out, const char *s, bool property)
{
    for (; *s; s++) {
        switch (*s) {
        case '%': fputs("%25", out); break;
        case '\r': fputs("%0D", out); break;
        case '\n': fputs("%0A", out); break;
        case ':': fputs(property ? "%3A" : ":", out); break;
        case ',': fputs(property ? "%2C" : ",", out); break;
        default:
            if ((unsigned char)*s < 0x20 || *s == 0x7F)
                fprintf(out, "\\x%02X", (unsigned)(unsigned char)*s);
            else
                fputc(*s, out);
        }
    }
}

static void s_render_github(struct lk_diags *diags, struct lk_sources *sources, FILE *out)
{
    for (size_t i = 0; i < diags->n; i++) {
        const struct lk_diag *d = &diags->items[i];
        const char *cmd = d->severity == LK_SEV_ERROR     ? "error"
                          : d->severity == LK_SEV_WARNING ? "warning"
                                                          : "notice";
        fprintf(out, "::%s ", cmd);
        if (d->span.file != LK_SPAN_NONE_FILE) {
            fputs("file=", out);
            s_gh_escape(out, lk_sources_path(sources, d->span.file), true);
            if (d->span.line)
                fprintf(out, ",line=%u,col=%u,endColumn=%u", d->span.line, d->span.col,
                        d->span.col + (d->span.len ? d->span.len : 1));
            fputc(',', out);
        }
        fputs("title=", out);
        char title[128];
        snprintf(title, sizeof(title), "%s %s", d->rule->id, d->rule->name);
        s_gh_escape(out, title, true);
        fputs("::", out);
        s_gh_escape(out, d->message, false);
        if (d->help) {
            fputs(" (", out);
            s_gh_escape(out, d->help, false);
            fputc(')', out);
        }
        fputc('\n', out);
    }
}

void lk_diags_render(struct lk_diags *diags, struct lk_sources *sources,
                     const struct lk_render_opts *opts, FILE *out_final)
{
    /* Render into memory and write once: stderr is unbuffered, and a report of thousands of
     * diagnostics written character by character would cost a system call each. */
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        lk_oom();
    switch (opts->format) {
    case LK_DIAG_TEXT: s_render_text(diags, sources, opts->color, out); break;
    case LK_DIAG_JSON: s_render_json(diags, sources, out); break;
    case LK_DIAG_SARIF:
        s_render_sarif(diags, sources, opts->tool_version, opts->docs_url, out);
        break;
    case LK_DIAG_GITHUB: s_render_github(diags, sources, out); break;
    }
    if (fclose(out) != 0)
        lk_oom();
    fwrite(text, 1, len, out_final);
    free(text);
}

/* ------------------------------------------------------------------------------- suggestions */

static char s_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Optimal string alignment distance (Levenshtein plus adjacent transposition), case-blind,
 * giving up early past @p limit. Words longer than 64 bytes are never close to a keyword. */
static size_t s_distance(struct lk_str a, const char *b, size_t limit)
{
    size_t la = a.len, lb = strlen(b);
    if (la > 64 || lb > 64)
        return limit + 1;
    if ((la > lb ? la - lb : lb - la) > limit)
        return limit + 1;
    size_t d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = s_lower(a.ptr[i - 1]) == s_lower(b[j - 1]) ? 0 : 1;
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && s_lower(a.ptr[i - 1]) == s_lower(b[j - 2]) &&
                s_lower(a.ptr[i - 2]) == s_lower(b[j - 1]) && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

const char *lk_suggest(struct lk_str word, const char *const *candidates, size_t n)
{
    /* Allow about one edit per three characters, at least one, at most three. */
    size_t limit = word.len / 3;
    if (limit < 1)
        limit = 1;
    if (limit > 3)
        limit = 3;
    const char *best = NULL;
    size_t best_d = limit + 1;
    for (size_t i = 0; i < n; i++) {
        size_t dist = s_distance(word, candidates[i], limit);
        if (dist < best_d) {
            best_d = dist;
            best = candidates[i];
        }
    }
    return best;
}
