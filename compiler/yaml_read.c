/*
 * logkeep: YAML reading with libyaml's event API.
 *
 * Events are folded into a node tree with an explicit stack (no recursion, so nesting depth is
 * bounded by LK_YAML_MAX_DEPTH and not by the C stack). Children of open collections live on one
 * shared value stack and are copied into the arena when their collection ends.
 */
#include "compiler/yaml_read.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "common/array.h"
#include "compiler/diag.h"

#define TAG_PREFIX "tag:yaml.org,2002:"

struct s_frame {
    struct lk_ynode *node;
    size_t base;        /* index of the first child on the value stack */
    const char *anchor; /* arena copy of the anchor that names this collection, or NULL */
    /* Streaming (a top-level section whose entries go to the callback): */
    bool streaming;
    const struct lk_ynode *section_key;
    struct lk_arena_mark entry_mark; /* scratch position to return to after each entry */
    size_t anchors_at_mark;
};

struct s_anchor {
    const char *name; /* arena */
    struct lk_ynode *node;
};

struct s_reader {
    struct lk_arena *arena;   /* scalar texts */
    struct lk_arena *scratch; /* nodes (== arena when not streaming) */
    const struct lk_yaml_stream *stream;
    struct lk_diags *diags;
    struct lk_sources *sources;
    uint32_t file;
    struct s_frame frames[LK_YAML_MAX_DEPTH + 1];
    size_t depth;
    struct lk_ynode **values; /* owned (heap): the shared value stack */
    size_t n_values, cap_values;
    struct s_anchor *anchors; /* owned (heap) */
    size_t n_anchors, cap_anchors;
    size_t n_aliases;
    size_t alias_nodes;
    struct lk_ynode *root;
    bool bom; /* the file starts with a UTF-8 byte-order mark, skipped */
};

static struct lk_span s_span(const struct s_reader *r, yaml_mark_t start, yaml_mark_t end)
{
    struct lk_span sp = {r->file, (uint32_t)start.line + 1, (uint32_t)start.column + 1, 1};
    if (end.line == start.line && end.column > start.column)
        sp.len = (uint32_t)(end.column - start.column);
    return sp;
}

static void s_push_value(struct s_reader *r, struct lk_ynode *node)
{
    LK_ARRAY_GROW(r->values, r->n_values, r->cap_values);
    r->values[r->n_values++] = node;
}

static size_t s_sat_add(size_t a, size_t b)
{
    size_t cap = UINT32_MAX;
    return (a > cap - b || b > cap) ? cap : a + b;
}

const char *lk_ynode_describe(const struct lk_ynode *node)
{
    if (!node)
        return "nothing";
    switch (node->kind) {
    case LK_Y_MAP: return "a mapping";
    case LK_Y_SEQ: return "a sequence";
    case LK_Y_SCALAR: break;
    }
    switch (node->stype) {
    case LK_YS_STR: return "a string";
    case LK_YS_INT: return "an integer";
    case LK_YS_FLOAT: return "a number";
    case LK_YS_BOOL: return "a boolean";
    case LK_YS_NULL: return "an empty value";
    }
    return "a scalar";
}

static bool s_all(const char *s, size_t n, const char *set)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr(set, s[i]))
            return false;
    return true;
}

/* YAML 1.2 core schema resolution of a plain scalar (§10.3.2, table "Tag Resolution"). */
static enum lk_yscalar_type s_resolve_plain(const char *s, size_t n)
{
    /* Most plain scalars are names and words: only a few first characters can start a null,
     * bool, int or float, so everything else is a string without further tests. */
    char c0 = n ? s[0] : '\0';
    if (n > 0 && !strchr("~nNtTfF0123456789+-.", c0))
        return LK_YS_STR;
    /* A plain scalar cannot hold a NUL (libyaml refuses control characters) but a tagged,
     * double-quoted one can (!!int "1\0"), and the C-string tests below would stop at it and
     * resolve the value as the integer 1: a value holding a NUL is a string. */
    if (memchr(s, '\0', n))
        return LK_YS_STR;
    if (n == 0 || (n == 1 && c0 == '~') || !strcmp(s, "null") || !strcmp(s, "Null") ||
        !strcmp(s, "NULL"))
        return LK_YS_NULL;
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE") || !strcmp(s, "false") ||
        !strcmp(s, "False") || !strcmp(s, "FALSE"))
        return LK_YS_BOOL;
    const char *p = s;
    size_t m = n;
    if (n > 2 && s[0] == '0' && s[1] == 'o')
        return s_all(s + 2, n - 2, "01234567") ? LK_YS_INT : LK_YS_STR;
    if (n > 2 && s[0] == '0' && s[1] == 'x')
        return s_all(s + 2, n - 2, "0123456789abcdefABCDEF") ? LK_YS_INT : LK_YS_STR;
    if (*p == '-' || *p == '+') {
        p++;
        m--;
    }
    if (s_all(p, m, "0123456789"))
        return LK_YS_INT;
    if (!strcmp(p, ".inf") || !strcmp(p, ".Inf") || !strcmp(p, ".INF") || !strcmp(s, ".nan") ||
        !strcmp(s, ".NaN") || !strcmp(s, ".NAN"))
        return LK_YS_FLOAT;
    /* [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
    size_t i = 0, digits = 0;
    while (i < m && p[i] >= '0' && p[i] <= '9') {
        i++;
        digits++;
    }
    if (i < m && p[i] == '.') {
        i++;
        while (i < m && p[i] >= '0' && p[i] <= '9') {
            i++;
            digits++;
        }
    }
    if (digits == 0)
        return LK_YS_STR;
    if (i < m && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < m && (p[i] == '-' || p[i] == '+'))
            i++;
        size_t exp = 0;
        while (i < m && p[i] >= '0' && p[i] <= '9') {
            i++;
            exp++;
        }
        if (exp == 0)
            return LK_YS_STR;
    }
    return i == m ? LK_YS_FLOAT : LK_YS_STR;
}

/* Checks a tag against the core schema. @return false (and reports) when it is not allowed. */
static bool s_check_tag(struct s_reader *r, const yaml_char_t *tag, struct lk_span span,
                        const char **out_short)
{
    *out_short = NULL;
    if (!tag)
        return true;
    const char *t = (const char *)tag;
    if (!strcmp(t, "!"))
        return true; /* the non-specific tag: resolve as a string / plain collection */
    static const char *const allowed[] = {"str", "int", "float", "bool", "null", "map", "seq"};
    if (!strncmp(t, TAG_PREFIX, strlen(TAG_PREFIX))) {
        const char *name = t + strlen(TAG_PREFIX);
        for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
            if (!strcmp(name, allowed[i])) {
                *out_short = allowed[i];
                return true;
            }
        }
    }
    /* Show tags as written: "!!python/object", not "tag:yaml.org,2002:python/object". */
    struct lk_diag *d = !strncmp(t, TAG_PREFIX, strlen(TAG_PREFIX))
                            ? lk_diag_add(r->diags, "LK007", span, "unsupported YAML tag \"!!%s\"",
                                          t + strlen(TAG_PREFIX))
                            : lk_diag_add(r->diags, "LK007", span, "unsupported YAML tag \"%s\"", t);
    lk_diag_help(r->diags, d,
                 "only the core schema tags !!str, !!int, !!float, !!bool, !!null, !!map and "
                 "!!seq are accepted");
    return false;
}

static struct lk_ynode *s_new(struct s_reader *r, enum lk_ynode_kind kind, struct lk_span span)
{
    struct lk_ynode *n = lk_arena_alloc(r->scratch, sizeof(*n));
    n->kind = (uint8_t)kind;
    n->span = span;
    n->weight = 1;
    return n;
}

static void s_add_anchor(struct s_reader *r, const char *name, struct lk_ynode *node)
{
    /* A later anchor of the same name shadows an earlier one (YAML 1.2 §3.2.2.2), so append
     * and search from the end. */
    LK_ARRAY_GROW(r->anchors, r->n_anchors, r->cap_anchors);
    r->anchors[r->n_anchors].name = name;
    r->anchors[r->n_anchors].node = node;
    r->n_anchors++;
}

static struct lk_ynode *s_find_anchor(struct s_reader *r, const char *name)
{
    for (size_t i = r->n_anchors; i > 0; i--)
        if (!strcmp(r->anchors[i - 1].name, name))
            return r->anchors[i - 1].node;
    return NULL;
}

struct s_keyref {
    struct lk_ynode *key;
    size_t index;
};

static int s_cmp_keyref(const void *a, const void *b)
{
    const struct s_keyref *x = a, *y = b;
    int c = lk_str_cmp(x->key->text, y->key->text);
    if (c)
        return c;
    return x->index < y->index ? -1 : (x->index > y->index);
}

/* Reports every repeated key of a finished mapping, pointing back at its first occurrence, and
 * removes the repeats so that the decoder sees each key once (the first wins). */
static void s_check_duplicates(struct s_reader *r, struct lk_ynode *map)
{
    if (map->n < 2)
        return;
    bool *drop = lk_xcalloc(map->n, sizeof(*drop));
    bool any = false;
    /* Small mappings (nearly all of them) are compared pairwise; large ones sorted. */
    if (map->n <= 16) {
        for (size_t i = 1; i < map->n; i++) {
            for (size_t k = 0; k < i; k++) {
                if (lk_str_eq(map->keys[i]->text, map->keys[k]->text)) {
                    struct lk_diag *d = lk_diag_add(r->diags, "LK008", map->keys[i]->span,
                                                    "duplicate key \"%s\"", map->keys[i]->text.ptr);
                    lk_diag_related(r->diags, d, map->keys[k]->span, "first used here");
                    drop[i] = any = true;
                    break;
                }
            }
        }
    } else {
        struct s_keyref *refs = lk_xmalloc(map->n * sizeof(*refs));
        for (size_t i = 0; i < map->n; i++) {
            refs[i].key = map->keys[i];
            refs[i].index = i;
        }
        qsort(refs, map->n, sizeof(*refs), s_cmp_keyref);
        size_t first = 0;
        for (size_t i = 1; i < map->n; i++) {
            if (lk_str_eq(refs[i].key->text, refs[first].key->text)) {
                struct lk_diag *d = lk_diag_add(r->diags, "LK008", refs[i].key->span,
                                                "duplicate key \"%s\"", refs[i].key->text.ptr);
                lk_diag_related(r->diags, d, refs[first].key->span, "first used here");
                drop[refs[i].index] = any = true;
            } else {
                first = i;
            }
        }
        free(refs);
    }
    if (any) {
        size_t w = 0;
        for (size_t i = 0; i < map->n; i++) {
            if (drop[i])
                continue;
            map->keys[w] = map->keys[i];
            map->values[w] = map->values[i];
            w++;
        }
        map->n = w;
    }
    free(drop);
}

/* Closes the innermost collection: moves its children into the arena. @return false on error. */
static bool s_close(struct s_reader *r)
{
    struct s_frame *f = &r->frames[r->depth - 1];
    struct lk_ynode *node = f->node;
    size_t count = r->n_values - f->base;
    /* The value stack is allocated on the first push, so an empty collection closed before any
     * value exists ("[]" or "{}" as the whole document, or innermost in "[[]]") has no stack to
     * point into: NULL + 0 is undefined (C11 6.5.6p8), so index the stack only when it holds
     * this collection's children. */
    struct lk_ynode **vals = count ? &r->values[f->base] : NULL;
    size_t weight = 1;
    for (size_t i = 0; i < count; i++)
        weight = s_sat_add(weight, vals[i]->weight);
    node->weight = (uint32_t)weight;
    if (node->kind == LK_Y_MAP) {
        /* An odd count cannot happen with a well-formed event stream; guard anyway. */
        node->n = count / 2;
        node->keys = lk_arena_alloc(r->scratch, 2 * node->n * sizeof(*node->keys));
        node->values = node->keys + node->n;
        for (size_t i = 0; i < node->n; i++) {
            node->keys[i] = vals[2 * i];
            node->values[i] = vals[2 * i + 1];
        }
        s_check_duplicates(r, node);
    } else {
        node->n = count;
        node->values = lk_arena_alloc(r->scratch, count * sizeof(*node->values));
        if (count)
            memcpy(node->values, vals, count * sizeof(*vals));
    }
    r->n_values = f->base;
    if (f->anchor)
        s_add_anchor(r, f->anchor, node);
    r->depth--;
    return true;
}

/* Places a finished node into its parent (or makes it the root). @return false on error. */
static bool s_place(struct s_reader *r, struct lk_ynode *node)
{
    if (r->depth == 0) {
        r->root = node;
        return true;
    }
    struct s_frame *f = &r->frames[r->depth - 1];
    if (f->node->kind == LK_Y_MAP && (r->n_values - f->base) % 2 == 0 &&
        node->kind != LK_Y_SCALAR) {
        lk_diag_add(r->diags, "LK010", node->span,
                    "a mapping key must be a plain string, not %s", lk_ynode_describe(node));
        return false;
    }
    s_push_value(r, node);
    if (f->streaming && (r->n_values - f->base) == 2) {
        /* A complete entry of a streamed section: decode it now, then release its nodes unless
         * an anchor defined inside it may still be aliased later. */
        r->stream->entry(r->stream->ctx, f->section_key, r->values[f->base],
                         r->values[f->base + 1]);
        r->n_values = f->base;
        if (r->n_anchors == f->anchors_at_mark) {
            lk_arena_reset(r->scratch, f->entry_mark);
        } else {
            f->entry_mark = lk_arena_mark(r->scratch);
            f->anchors_at_mark = r->n_anchors;
        }
    }
    return true;
}

static void s_report_parser_error(struct s_reader *r, yaml_parser_t *parser)
{
    yaml_mark_t m = parser->problem_mark;
    if (parser->error == YAML_MEMORY_ERROR)
        lk_oom();
    /* libyaml reports reader errors (bad encoding) with an offset rather than a mark. */
    struct lk_span sp = {r->file, (uint32_t)m.line + 1, (uint32_t)m.column + 1, 1};
    if (parser->error == YAML_READER_ERROR) {
        /* Reader errors carry a byte offset (into the input after a byte-order mark). */
        struct lk_span at = lk_sources_span_at(r->sources, r->file,
                                               parser->problem_offset + (r->bom ? 3 : 0));
        lk_diag_add(r->diags, "LK002", at, "%s", parser->problem ? parser->problem
                                                                  : "unreadable input");
        return;
    }
    /* At the end of input libyaml may point one line past the last one (a file without a final
     * line break): point at the end of the last line instead, so the line can be shown. */
    uint32_t n_lines = lk_sources_line_count(r->sources, r->file);
    if (n_lines && sp.line > n_lines) {
        const char *last;
        size_t last_len;
        sp.line = n_lines;
        sp.col = 1;
        if (lk_sources_line(r->sources, r->file, n_lines, &last, &last_len))
            for (size_t i = 0; i < last_len; i++)
                if (((unsigned char)last[i] & 0xC0) != 0x80)
                    sp.col++;
    }
    const char *problem = parser->problem ? parser->problem : "invalid YAML";
    struct lk_diag *d;
    if (parser->context) {
        d = lk_diag_add(r->diags, "LK001", sp, "%s %s", problem, parser->context);
        /* An unterminated quote or bracket: show where it started. */
        struct lk_span ctx = {r->file, (uint32_t)parser->context_mark.line + 1,
                              (uint32_t)parser->context_mark.column + 1, 1};
        if (ctx.line < sp.line || (ctx.line == sp.line && ctx.col < sp.col))
            lk_diag_related(r->diags, d, ctx, "it starts here");
    } else {
        d = lk_diag_add(r->diags, "LK001", sp, "%s", problem);
    }
    const char *line;
    size_t len;
    if (lk_sources_line(r->sources, r->file, sp.line, &line, &len)) {
        /* Tabs are the commonest cause of "cannot start any token": say so. */
        size_t off = 0;
        for (uint32_t c = 1; c < sp.col && off < len; c++) {
            unsigned char ch = (unsigned char)line[off];
            off += ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : ch >= 0xC0 ? 2 : 1;
        }
        if (off < len && line[off] == '\t')
            lk_diag_help(r->diags, d, "YAML does not allow tabs for indentation; use spaces");
    }
}

struct lk_ynode *lk_yaml_read(struct lk_sources *sources, uint32_t file_id, struct lk_arena *arena,
                              struct lk_diags *diags)
{
    return lk_yaml_read_stream(sources, file_id, arena, arena, diags, NULL);
}

struct lk_ynode *lk_yaml_read_stream(struct lk_sources *sources, uint32_t file_id,
                                     struct lk_arena *arena, struct lk_arena *scratch,
                                     struct lk_diags *diags, const struct lk_yaml_stream *stream)
{
    struct s_reader r;
    memset(&r, 0, sizeof(r));
    r.arena = arena;
    r.scratch = scratch;
    r.stream = stream;
    r.diags = diags;
    r.sources = sources;
    r.file = file_id;
    const struct lk_source_file *src = sources->files[file_id];

    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        lk_oom();
    /* A UTF-8 byte-order mark is allowed (YAML 1.2 §5.2); libyaml with an explicit encoding
     * would take it for content, so skip it and shift first-line columns back (s_span). */
    size_t skip = src->len >= 3 && !memcmp(src->text, "\xEF\xBB\xBF", 3) ? 3 : 0;
    r.bom = skip > 0;
    yaml_parser_set_input_string(&parser, (const unsigned char *)src->text + skip,
                                 src->len - skip);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

    bool ok = true, done = false;
    int documents = 0;
    while (ok && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            s_report_parser_error(&r, &parser);
            ok = false;
            break;
        }
        struct lk_span span = s_span(&r, ev.start_mark, ev.end_mark);
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++documents > 1) {
                struct lk_diag *d = lk_diag_add(diags, "LK018", span,
                                                "a second YAML document in one policy file");
                lk_diag_help(diags, d, "put each document in a file of its own");
                ok = false;
            }
            break;
        case YAML_SCALAR_EVENT: {
            const char *tag_short;
            if (!s_check_tag(&r, ev.data.scalar.tag, span, &tag_short)) {
                ok = false;
                break;
            }
            struct lk_ynode *n = s_new(&r, LK_Y_SCALAR, span);
            /* Mapping keys are only matched against, never kept (the decoder copies the few it
             * keeps: entry names, waiver rule IDs), so they live in the scratch arena; values
             * are kept by the AST and live in the persistent one. */
            bool at_key = r.depth > 0 && r.frames[r.depth - 1].node->kind == LK_Y_MAP &&
                          (r.n_values - r.frames[r.depth - 1].base) % 2 == 0;
            n->text.ptr = lk_arena_strndup(at_key ? r.scratch : arena,
                                           (const char *)ev.data.scalar.value,
                                           ev.data.scalar.length);
            n->text.len = ev.data.scalar.length;
            if (tag_short && strcmp(tag_short, "str") != 0) {
                enum lk_yscalar_type want = !strcmp(tag_short, "int")     ? LK_YS_INT
                                            : !strcmp(tag_short, "float") ? LK_YS_FLOAT
                                            : !strcmp(tag_short, "bool")  ? LK_YS_BOOL
                                            : !strcmp(tag_short, "null")  ? LK_YS_NULL
                                                                          : LK_YS_STR;
                enum lk_yscalar_type got = s_resolve_plain(n->text.ptr, n->text.len);
                if (want == LK_YS_STR || (got != want && !(want == LK_YS_FLOAT && got == LK_YS_INT))) {
                    lk_diag_add(diags, "LK010", span, "value \"%s\" does not match its tag !!%s",
                                n->text.ptr, tag_short);
                    ok = false;
                    break;
                }
                n->stype = want;
            } else if (!tag_short && ev.data.scalar.plain_implicit &&
                       ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
                n->stype = s_resolve_plain(n->text.ptr, n->text.len);
            } else {
                n->stype = LK_YS_STR;
            }
            if (ev.data.scalar.anchor)
                s_add_anchor(&r, lk_arena_strdup(r.scratch, (const char *)ev.data.scalar.anchor),
                             n);
            ok = s_place(&r, n);
            break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            bool is_map = ev.type == YAML_MAPPING_START_EVENT;
            const yaml_char_t *tag = is_map ? ev.data.mapping_start.tag : ev.data.sequence_start.tag;
            const yaml_char_t *anchor =
                is_map ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor;
            const char *tag_short;
            if (!s_check_tag(&r, tag, span, &tag_short)) {
                ok = false;
                break;
            }
            if (tag_short && strcmp(tag_short, is_map ? "map" : "seq") != 0) {
                lk_diag_add(diags, "LK010", span, "a %s cannot be tagged !!%s",
                            is_map ? "mapping" : "sequence", tag_short);
                ok = false;
                break;
            }
            if (r.depth >= LK_YAML_MAX_DEPTH) {
                lk_diag_add(diags, "LK005", span,
                            "collections nested more than %d levels deep", LK_YAML_MAX_DEPTH);
                ok = false;
                break;
            }
            struct lk_ynode *n = s_new(&r, is_map ? LK_Y_MAP : LK_Y_SEQ, span);
            n->span.len = 1;
            /* Validate the key position before opening, so the error points at the key. */
            if (r.depth > 0) {
                struct s_frame *pf = &r.frames[r.depth - 1];
                if (pf->node->kind == LK_Y_MAP && (r.n_values - pf->base) % 2 == 0) {
                    lk_diag_add(diags, "LK010", span,
                                "a mapping key must be a plain string, not %s",
                                is_map ? "a mapping" : "a sequence");
                    ok = false;
                    break;
                }
            }
            const struct lk_ynode *section = NULL;
            if (r.stream && is_map && r.depth == 1 && r.frames[0].node->kind == LK_Y_MAP &&
                (r.n_values - r.frames[0].base) % 2 == 1) {
                const struct lk_ynode *k = r.values[r.n_values - 1];
                for (size_t i = 0; i < r.stream->n_sections && !section; i++)
                    if (lk_str_eq_c(k->text, r.stream->sections[i]))
                        section = k;
            }
            struct s_frame *f = &r.frames[r.depth++];
            memset(f, 0, sizeof(*f));
            f->node = n;
            f->base = r.n_values;
            f->anchor = anchor ? lk_arena_strdup(r.scratch, (const char *)anchor) : NULL;
            if (section) {
                f->streaming = true;
                f->section_key = section;
                f->entry_mark = lk_arena_mark(r.scratch);
                f->anchors_at_mark = r.n_anchors;
            }
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: {
            if (r.depth == 0) {
                ok = false;
                break;
            }
            struct lk_ynode *n = r.frames[r.depth - 1].node;
            ok = s_close(&r) && s_place(&r, n);
            break;
        }
        case YAML_ALIAS_EVENT: {
            const char *name = (const char *)ev.data.alias.anchor;
            struct lk_ynode *target = s_find_anchor(&r, name);
            if (!target) {
                /* Either never defined, or the alias sits inside its own anchor's collection
                 * (a recursive structure): both are refused. */
                lk_diag_add(diags, "LK006", span, "alias *%s refers to no complete anchor", name);
                ok = false;
                break;
            }
            if (++r.n_aliases > LK_YAML_MAX_ALIASES) {
                lk_diag_add(diags, "LK006", span, "more than %d aliases in one file",
                            LK_YAML_MAX_ALIASES);
                ok = false;
                break;
            }
            r.alias_nodes = s_sat_add(r.alias_nodes, target->weight);
            if (r.alias_nodes > LK_YAML_MAX_ALIAS_NODES) {
                lk_diag_add(diags, "LK006", span,
                            "aliases expand to more than %d nodes (possible alias bomb)",
                            LK_YAML_MAX_ALIAS_NODES);
                ok = false;
                break;
            }
            ok = s_place(&r, target);
            break;
        }
        case YAML_NO_EVENT:
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_END_EVENT:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    free(r.values);
    free(r.anchors);
    if (!ok)
        return NULL;
    if (!r.root) {
        lk_diag_add(diags, "LK004", (struct lk_span){file_id, 1, 1, 1}, "policy file is empty");
        return NULL;
    }
    return r.root;
}
