/*
 * logkeep runtime: organisation reports read back and merged (report.h, lk_report_doc_read()
 * and lk_report_merge()), for `logkeep report merge`: the JSON reports of a run's shards become
 * the report of the whole run, rendered by lk_report_render_org() as the run renders it.
 *
 * Every value read is checked before use; a report that is not what it should be is refused
 * with the file and the place in it, never half used.
 */
#include "runtime/report.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/buf.h"

/* The largest count read: every whole number up to it is exact in a double (2^53). */
#define S_MAX_COUNT 9007199254740992.0

/* The most "where" a message names: "pairs[123456].report.changes[1234567].origin.column". */
#define S_WHERE_MAX 96

static char *s_vprintf(const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *out = lk_xmalloc(n > 0 ? (size_t)n + 1 : 1);
    if (n < 0)
        out[0] = '\0';
    else
        vsnprintf(out, (size_t)n + 1, fmt, again);
    va_end(again);
    return out;
}

static char *s_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *s_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *out = s_vprintf(fmt, ap);
    va_end(ap);
    return out;
}

/* What reading one document needs: the document, where errors go. */
struct s_reader {
    struct lk_report_doc *doc;
    char **message;
};

/* Sets the message "<file>: <where>: <what>" once (the first problem is the one reported). */
static enum lk_status s_bad(struct s_reader *r, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum lk_status s_bad(struct s_reader *r, const char *where, const char *fmt, ...)
{
    if (r->message && !*r->message) {
        va_list ap;
        va_start(ap, fmt);
        char *what = s_vprintf(fmt, ap);
        va_end(ap);
        *r->message = s_printf("%s: %s%s%s (not a logkeep organisation report as "
                               "plan or drift --format json writes it)",
                               r->doc->path, where ? where : "", where ? ": " : "", what);
        free(what);
    }
    return LK_STATUS_SCHEMA;
}

static const char *s_type(const cJSON *v)
{
    if (!v)
        return "missing";
    if (cJSON_IsNull(v))
        return "null";
    if (cJSON_IsBool(v))
        return "a boolean";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsArray(v))
        return "an array";
    return "an object";
}

/* Formats a place in the document into @p where (cut when longer: it only names the place). */
static void s_where(char where[S_WHERE_MAX], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void s_where(char where[S_WHERE_MAX], const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(where, S_WHERE_MAX, fmt, ap);
    va_end(ap);
}

/* "<base>.<key>" into @p where. */
static void s_at(char where[S_WHERE_MAX], const char *base, const char *key)
{
    s_where(where, "%s%s%s", base, *base ? "." : "", key);
}

/* A string member (or null when @p nullable), copied into the arena; @p out NULL for null. */
static enum lk_status s_str(struct s_reader *r, const cJSON *obj, const char *base, const char *key,
                            bool nullable, const char **out)
{
    char where[S_WHERE_MAX];
    s_at(where, base, key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (nullable && cJSON_IsNull(v))
        return LK_STATUS_OK;
    if (!cJSON_IsString(v) || !v->valuestring)
        return s_bad(r, where, "expected a string%s, found %s", nullable ? " or null" : "",
                     s_type(v));
    *out = lk_arena_strdup(&r->doc->arena, v->valuestring);
    return LK_STATUS_OK;
}

/* s_str() for the strings of a change (char *, in the arena). */
static enum lk_status s_field(struct s_reader *r, const cJSON *obj, const char *base,
                              const char *key, char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (cJSON_IsNull(v))
        return LK_STATUS_OK;
    if (!cJSON_IsString(v) || !v->valuestring) {
        char where[S_WHERE_MAX];
        s_at(where, base, key);
        return s_bad(r, where, "expected a string or null, found %s", s_type(v));
    }
    *out = lk_arena_strdup(&r->doc->arena, v->valuestring);
    return LK_STATUS_OK;
}

/* A whole number from 0 to @p max. */
static enum lk_status s_count(struct s_reader *r, const cJSON *obj, const char *base,
                              const char *key, double max, double *out)
{
    char where[S_WHERE_MAX];
    s_at(where, base, key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > max ||
        v->valuedouble != (double)(uint64_t)v->valuedouble)
        return s_bad(r, where, "expected a whole number from 0 to %.0f, found %s", max, s_type(v));
    *out = v->valuedouble;
    return LK_STATUS_OK;
}

/* A member that must be an object (or null when @p nullable: *out NULL). */
static enum lk_status s_obj(struct s_reader *r, const cJSON *obj, const char *base, const char *key,
                            bool nullable, const cJSON **out)
{
    char where[S_WHERE_MAX];
    s_at(where, base, key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (nullable && cJSON_IsNull(v))
        return LK_STATUS_OK;
    if (!cJSON_IsObject(v))
        return s_bad(r, where, "expected an object%s, found %s", nullable ? " or null" : "",
                     s_type(v));
    *out = v;
    return LK_STATUS_OK;
}

static enum lk_status s_arr(struct s_reader *r, const cJSON *obj, const char *base, const char *key,
                            const cJSON **out)
{
    char where[S_WHERE_MAX];
    s_at(where, base, key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsArray(v))
        return s_bad(r, where, "expected an array, found %s", s_type(v));
    *out = v;
    return LK_STATUS_OK;
}

/* An array of strings into an arena array. */
static enum lk_status s_strings(struct s_reader *r, const cJSON *obj, const char *base,
                                const char *key, const char *const **out, size_t *n)
{
    const cJSON *arr;
    LK_GUARD(s_arr(r, obj, base, key, &arr));
    size_t count = (size_t)cJSON_GetArraySize(arr), i = 0;
    const char **list = lk_arena_alloc(&r->doc->arena, (count ? count : 1) * sizeof(*list));
    const cJSON *v;
    cJSON_ArrayForEach(v, arr)
    {
        if (!cJSON_IsString(v) || !v->valuestring) {
            char where[S_WHERE_MAX];
            s_where(where, "%s%s%s[%zu]", base, *base ? "." : "", key, i);
            return s_bad(r, where, "expected a string, found %s", s_type(v));
        }
        list[i++] = lk_arena_strdup(&r->doc->arena, v->valuestring);
    }
    *out = list;
    *n = count;
    return LK_STATUS_OK;
}

/* One of @p names (enum values 0..n-1, named by @p name_of). */
static enum lk_status s_enum(struct s_reader *r, const cJSON *obj, const char *base,
                             const char *key, const char *(*name_of)(int), int n, int *out)
{
    const char *s;
    LK_GUARD(s_str(r, obj, base, key, false, &s));
    for (int i = 0; i < n; i++) {
        if (!strcmp(s, name_of(i))) {
            *out = i;
            return LK_STATUS_OK;
        }
    }
    char where[S_WHERE_MAX], expected[256] = "";
    s_at(where, base, key);
    for (int i = 0; i < n; i++)
        snprintf(expected + strlen(expected), sizeof(expected) - strlen(expected), "%s%s",
                 i ? ", " : "", name_of(i));
    return s_bad(r, where, "\"%s\" is none of %s", s, expected);
}

static const char *s_resource_name(int v)
{
    return lk_diff_resource_name((enum lk_diff_resource)v);
}

static const char *s_kind_name(int v)
{
    return lk_diff_kind_name((enum lk_diff_kind)v);
}

static const char *s_direction_name(int v)
{
    return lk_diff_direction_name((enum lk_diff_direction)v);
}

/* The ARN partition of a Region ("AWS Regions and endpoints": the China and GovCloud Regions). */
static const char *s_partition(const char *region)
{
    if (region && !strncmp(region, "cn-", 3))
        return "aws-cn";
    if (region && !strncmp(region, "us-gov-", 7))
        return "aws-us-gov";
    return "aws";
}

/* The pair's "origins": the source line and caret length of each origin of its changes. */
struct s_origins {
    const cJSON *list; /* borrowed: the array, or NULL */
};

static void s_origin_text(const struct s_origins *o, struct lk_ir_origin *out)
{
    const cJSON *e;
    out->length = 1;
    cJSON_ArrayForEach(e, o->list)
    {
        const cJSON *file = cJSON_GetObjectItemCaseSensitive(e, "file");
        const cJSON *line = cJSON_GetObjectItemCaseSensitive(e, "line");
        const cJSON *col = cJSON_GetObjectItemCaseSensitive(e, "column");
        if (cJSON_IsString(file) && !strcmp(file->valuestring, out->file) && cJSON_IsNumber(line) &&
            line->valuedouble == out->line && cJSON_IsNumber(col) &&
            col->valuedouble == out->column) {
            const cJSON *len = cJSON_GetObjectItemCaseSensitive(e, "length");
            const cJSON *text = cJSON_GetObjectItemCaseSensitive(e, "text");
            if (cJSON_IsNumber(len) && len->valuedouble >= 1 && len->valuedouble <= UINT32_MAX)
                out->length = (uint32_t)len->valuedouble;
            out->text = cJSON_IsString(text) ? text->valuestring : NULL;
            return;
        }
    }
}

static enum lk_status s_change(struct s_reader *r, const cJSON *c, const char *base,
                               const struct s_origins *origins, struct lk_diff_change *ch)
{
    struct lk_arena *a = &r->doc->arena;
    if (!cJSON_IsObject(c))
        return s_bad(r, base, "expected an object, found %s", s_type(c));
    int v = 0;
    LK_GUARD(s_enum(r, c, base, "resource", s_resource_name, LK_DIFF_PRODUCER + 1, &v));
    ch->resource = (enum lk_diff_resource)v;
    LK_GUARD(s_enum(r, c, base, "action", s_kind_name, LK_DIFF_NOTE + 1, &v));
    ch->kind = (enum lk_diff_kind)v;
    LK_GUARD(s_enum(r, c, base, "direction", s_direction_name, LK_DIFF_STRONGER + 1, &v));
    ch->direction = (enum lk_diff_direction)v;
    const char *s;
    LK_GUARD(s_field(r, c, base, "name", &ch->name));
    LK_GUARD(s_field(r, c, base, "region", &ch->region));
    LK_GUARD(s_field(r, c, base, "attribute", &ch->attribute));
    LK_GUARD(s_field(r, c, base, "desired", &ch->desired));
    LK_GUARD(s_field(r, c, base, "live", &ch->live));
    LK_GUARD(s_field(r, c, base, "allow_name", &ch->allow_name));
    LK_GUARD(s_field(r, c, base, "note", &ch->note));
    /* Format 1.1 (docs/plan-json.md): a producer's ARN, which its ID does not always give; a
     * 1.0 report has none. The other resources' ARNs are made again from the names. */
    if (ch->resource == LK_DIFF_PRODUCER && cJSON_GetObjectItemCaseSensitive(c, "arn"))
        LK_GUARD(s_field(r, c, base, "arn", &ch->arn));
    char where[S_WHERE_MAX];
    s_at(where, base, "data_loss");
    const cJSON *dl = cJSON_GetObjectItemCaseSensitive(c, "data_loss");
    if (!cJSON_IsBool(dl))
        return s_bad(r, where, "expected a boolean, found %s", s_type(dl));
    ch->data_loss = cJSON_IsTrue(dl);
    if (ch->data_loss != (ch->allow_name != NULL))
        return s_bad(r, where, "%s but allow_name is %s", ch->data_loss ? "true" : "false",
                     ch->allow_name ? "set" : "null");
    const cJSON *o;
    LK_GUARD(s_obj(r, c, base, "origin", true, &o));
    if (o) {
        s_at(where, base, "origin");
        double line, col;
        LK_GUARD(s_str(r, o, where, "file", false, &s));
        ch->origin.file = s;
        LK_GUARD(s_count(r, o, where, "line", UINT32_MAX, &line));
        LK_GUARD(s_count(r, o, where, "column", UINT32_MAX, &col));
        ch->origin.line = (uint32_t)line;
        ch->origin.column = (uint32_t)col;
        s_origin_text(origins, &ch->origin);
        if (ch->origin.text)
            ch->origin.text = lk_arena_strdup(a, ch->origin.text);
    }
    return LK_STATUS_OK;
}

/* A pair's "report": its changes into @p d, its context into @p ctx. */
static enum lk_status s_pair_report(struct s_reader *r, const cJSON *rep, const char *base,
                                    const struct s_origins *origins, struct lk_diff *d,
                                    struct lk_report_context *ctx)
{
    const cJSON *changes, *c, *cx;
    LK_GUARD(s_arr(r, rep, base, "changes", &changes));
    size_t n = (size_t)cJSON_GetArraySize(changes), i = 0;
    d->changes = lk_xcalloc(n ? n : 1, sizeof(*d->changes));
    d->cap = n ? n : 1;
    cJSON_ArrayForEach(c, changes)
    {
        char where[S_WHERE_MAX];
        s_where(where, "%s.changes[%zu]", base, i);
        LK_GUARD(s_change(r, c, where, origins, &d->changes[i]));
        /* The report lists the changes in the diff's order; their position keeps it. */
        d->changes[i].seq = i;
        d->n = ++i;
    }
    char where[S_WHERE_MAX];
    s_at(where, base, "context");
    LK_GUARD(s_obj(r, rep, base, "context", false, &cx));
    double num;
    LK_GUARD(s_str(r, cx, where, "account", true, &ctx->account));
    LK_GUARD(s_str(r, cx, where, "region", true, &ctx->region));
    LK_GUARD(s_strings(r, cx, where, "policy_paths", &ctx->policy_paths, &ctx->n_policy_paths));
    LK_GUARD(s_count(r, cx, where, "resources_read", S_MAX_COUNT, &num));
    ctx->resources_read = (size_t)num;
    LK_GUARD(s_count(r, cx, where, "unmanaged_log_groups", S_MAX_COUNT, &num));
    ctx->unmanaged_log_groups = (size_t)num;
    LK_GUARD(s_count(r, cx, where, "unmanaged_stores", S_MAX_COUNT, &num));
    ctx->unmanaged_stores = (size_t)num;
    LK_GUARD(s_str(r, cx, where, "generated_at", true, &ctx->generated_at));
    ctx->partition = s_partition(ctx->region);
    return LK_STATUS_OK;
}

static enum lk_status s_pair(struct s_reader *r, const cJSON *e, size_t i)
{
    struct lk_report_doc *doc = r->doc;
    struct lk_report_pair *p = &doc->pairs[i];
    struct lk_diff *d = &doc->diffs[i];
    char base[S_WHERE_MAX];
    s_where(base, "pairs[%zu]", i);
    if (!cJSON_IsObject(e))
        return s_bad(r, base, "expected an object, found %s", s_type(e));
    LK_GUARD(s_str(r, e, base, "account", false, &p->account));
    LK_GUARD(s_str(r, e, base, "account_name", false, &p->account_name));
    LK_GUARD(s_str(r, e, base, "region", false, &p->region));
    const char *status, *error;
    LK_GUARD(s_str(r, e, base, "status", false, &status));
    LK_GUARD(s_str(r, e, base, "error", true, &error));
    char where[S_WHERE_MAX];
    s_at(where, base, "status");
    bool failed = !strcmp(status, "failed");
    if (!failed && strcmp(status, "drift") && strcmp(status, "in_sync"))
        return s_bad(r, where, "\"%s\" is none of in_sync, drift, failed", status);
    const cJSON *rep;
    LK_GUARD(s_obj(r, e, base, "report", true, &rep));
    if (failed) {
        s_at(where, base, "error");
        if (!error)
            return s_bad(r, where, "a failed pair needs its error");
        p->error = error;
        return LK_STATUS_OK;
    }
    s_at(where, base, "report");
    if (!rep)
        return s_bad(r, where, "a pair that did not fail needs its report");
    struct s_origins origins = {cJSON_GetObjectItemCaseSensitive(e, "origins")};
    if (origins.list && !cJSON_IsArray(origins.list)) {
        s_at(where, base, "origins");
        return s_bad(r, where, "expected an array, found %s", s_type(origins.list));
    }
    LK_GUARD(s_pair_report(r, rep, where, &origins, d, &p->ctx));
    p->diff = d;
    struct lk_diff_summary sum;
    lk_diff_summarize(d, &sum);
    bool drift = sum.to_add + sum.to_change + sum.to_remove > 0;
    if (drift != !strcmp(status, "drift")) {
        s_at(where, base, "status");
        return s_bad(r, where, "\"%s\", but the report holds %s", status,
                     drift ? "differences" : "no difference");
    }
    return LK_STATUS_OK;
}

/* Whether @p text ends inside an object, array or string: a file cut short. */
static bool s_ends_open(const char *text, size_t len)
{
    size_t depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && depth) {
            depth--;
        }
    }
    return in_string || depth > 0;
}

/* The line and column (one-based) of byte @p at of @p text. */
static void s_line_col(const char *text, size_t at, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < at; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

static enum lk_status s_root(struct s_reader *r, const cJSON *root)
{
    struct lk_report_doc *doc = r->doc;
    struct lk_report_org *org = &doc->org;
    if (!cJSON_IsObject(root))
        return s_bad(r, NULL, "expected a JSON object, found %s", s_type(root));
    const char *format;
    LK_GUARD(s_str(r, root, "", "format", false, &format));
    if (strcmp(format, "logkeep-org-report"))
        return s_bad(r, "format", "\"%s\", not \"logkeep-org-report\"", format);
    double version;
    LK_GUARD(s_count(r, root, "", "version", 1e9, &version));
    if (version != 1) {
        if (r->message && !*r->message)
            *r->message = s_printf("%s: version %.0f of the organisation report; this logkeep "
                                   "reads version 1",
                                   doc->path, version);
        return LK_STATUS_UNSUPPORTED;
    }
    const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(root, "command");
    if (cmd && !cJSON_IsNull(cmd)) {
        LK_GUARD(s_str(r, root, "", "command", false, &org->command));
        /* Only plan and drift write such a report; the exit status depends on which. */
        if (strcmp(org->command, "plan") && strcmp(org->command, "drift"))
            return s_bad(r, "command", "\"%s\" is none of plan, drift", org->command);
    }
    LK_GUARD(s_str(r, root, "", "organization", true, &org->organization));
    LK_GUARD(s_str(r, root, "", "generated", true, &org->generated_at));
    LK_GUARD(s_strings(r, root, "", "policy_files", &org->policy_paths, &org->n_policy_paths));
    const cJSON *shard = cJSON_GetObjectItemCaseSensitive(root, "shard");
    if (shard && !cJSON_IsNull(shard)) {
        double index, count;
        LK_GUARD(s_obj(r, root, "", "shard", false, &shard));
        LK_GUARD(s_count(r, shard, "shard", "count", 1e9, &count));
        LK_GUARD(s_count(r, shard, "shard", "index", 1e9, &index));
        if (count < 1 || index >= count)
            return s_bad(r, "shard", "index %.0f of %.0f shards", index, count);
        org->shard_index = (unsigned)index;
        org->shard_count = (unsigned)count;
    }
    const cJSON *pairs, *e;
    LK_GUARD(s_arr(r, root, "", "pairs", &pairs));
    size_t n = (size_t)cJSON_GetArraySize(pairs), i = 0;
    doc->pairs = lk_xcalloc(n ? n : 1, sizeof(*doc->pairs));
    doc->diffs = lk_xcalloc(n ? n : 1, sizeof(*doc->diffs));
    for (size_t k = 0; k < n; k++)
        lk_diff_init(&doc->diffs[k]);
    org->pairs = doc->pairs;
    org->n_pairs = n;
    cJSON_ArrayForEach(e, pairs)
    {
        LK_GUARD(s_pair(r, e, i));
        i++;
    }
    return LK_STATUS_OK;
}

enum lk_status lk_report_doc_read(struct lk_report_doc *doc, const char *path, char **message)
{
    if (message)
        *message = NULL;
    if (!doc || !path)
        return LK_STATUS_INVALID_ARGUMENT;
    memset(doc, 0, sizeof(*doc));
    doc->path = path;
    lk_arena_init(&doc->arena);
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_REPORT);
    cJSON *root = NULL;
    int err = 0;
    enum lk_status rc = lk_buf_read_file(&b, path, &err);
    if (rc == LK_STATUS_TOO_LARGE) {
        if (message)
            *message = s_printf("%s: larger than %zu bytes", path, (size_t)LK_BUF_MAX_REPORT);
        goto cleanup;
    }
    if (rc != LK_STATUS_OK) {
        if (message)
            *message = s_printf("%s: %s", path, err ? strerror(err) : "cannot be read");
        goto cleanup;
    }
    const char *text = lk_buf_cstr(&b);
    const char *end = NULL;
    if (text && memchr(text, '\0', b.len)) {
        rc = LK_STATUS_MALFORMED;
        if (message)
            *message = s_printf("%s: holds a NUL byte: not JSON", path);
        goto cleanup;
    }
    root = text ? cJSON_ParseWithLengthOpts(text, b.len, &end, false) : NULL;
    if (!root) {
        rc = LK_STATUS_MALFORMED;
        if (message) {
            size_t at = end && end >= text && end <= text + b.len ? (size_t)(end - text) : 0;
            size_t line, col;
            s_line_col(text ? text : "", text ? at : 0, &line, &col);
            bool at_end = text && (at >= b.len || s_ends_open(text, b.len));
            *message = s_printf("%s:%zu:%zu: not valid JSON%s", path, line, col,
                                !b.len   ? " (the file is empty)"
                                : at_end ? " (the file ends early: truncated?)"
                                         : "");
        }
        goto cleanup;
    }
    /* Only white space may follow the document. */
    while (end && end < text + b.len && strchr(" \t\r\n", *end))
        end++;
    if (end && end < text + b.len) {
        rc = LK_STATUS_MALFORMED;
        if (message) {
            size_t line, col;
            s_line_col(text, (size_t)(end - text), &line, &col);
            *message =
                s_printf("%s:%zu:%zu: not valid JSON (more after the document)", path, line, col);
        }
        goto cleanup;
    }
    struct s_reader r = {doc, message};
    rc = s_root(&r, root);

cleanup:
    cJSON_Delete(root);
    lk_buf_free(&b);
    return rc;
}

void lk_report_doc_free(struct lk_report_doc *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; doc->diffs && i < doc->org.n_pairs; i++)
        lk_diff_free(&doc->diffs[i]);
    free(doc->diffs);
    free(doc->pairs);
    lk_arena_destroy(&doc->arena);
    memset(doc, 0, sizeof(*doc));
}

/* ------------------------------------------------------------------------------ merge */

static bool s_same(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

static const char *s_show(const char *s)
{
    return s ? s : "none";
}

/* A pair of the merge and the report it comes from. */
struct s_entry {
    const struct lk_report_pair *pair;
    size_t doc;
};

static int s_cmp_entry(const void *a, const void *b)
{
    const struct s_entry *x = a, *y = b;
    int c = lk_ir_strcmp(x->pair->account, y->pair->account);
    return c ? c : lk_ir_strcmp(x->pair->region, y->pair->region);
}

/* The documents agree on what was run; else the message says how they differ. */
static enum lk_status s_check_run(const struct lk_report_doc *docs, size_t n, char **message)
{
    const struct lk_report_org *first = &docs[0].org;
    for (size_t i = 0; i < n; i++) {
        const struct lk_report_org *o = &docs[i].org;
        if (!o->command) {
            *message = s_printf("%s says no command (a report of an older logkeep?): run the "
                                "shards again with this version",
                                docs[i].path);
            return LK_STATUS_REFUSED;
        }
        if (!s_same(o->command, first->command)) {
            *message = s_printf("%s is a %s report but %s is a %s report: merge the reports of "
                                "one run",
                                docs[0].path, first->command, docs[i].path, o->command);
            return LK_STATUS_REFUSED;
        }
        if (!s_same(o->organization, first->organization)) {
            *message = s_printf("%s is of organisation %s but %s of %s", docs[0].path,
                                s_show(first->organization), docs[i].path, s_show(o->organization));
            return LK_STATUS_REFUSED;
        }
        bool same = o->n_policy_paths == first->n_policy_paths;
        for (size_t k = 0; same && k < o->n_policy_paths; k++)
            same = s_same(o->policy_paths[k], first->policy_paths[k]);
        if (!same) {
            *message = s_printf("%s and %s were made from different policy files", docs[0].path,
                                docs[i].path);
            return LK_STATUS_REFUSED;
        }
    }
    return LK_STATUS_OK;
}

/* Every shard of the set once, when the reports say their shard. */
static enum lk_status s_check_shards(const struct lk_report_doc *docs, size_t n, char **message)
{
    size_t sharded = 0;
    for (size_t i = 0; i < n; i++)
        sharded += docs[i].org.shard_count > 0;
    if (!sharded)
        return LK_STATUS_OK;
    if (sharded < n) {
        size_t whole = 0, part = 0;
        while (docs[whole].org.shard_count)
            whole++;
        while (!docs[part].org.shard_count)
            part++;
        *message =
            s_printf("%s is the report of a whole run but %s of shard %u/%u", docs[whole].path,
                     docs[part].path, docs[part].org.shard_index, docs[part].org.shard_count);
        return LK_STATUS_REFUSED;
    }
    unsigned count = docs[0].org.shard_count;
    size_t *owner = lk_xcalloc(count, sizeof(*owner)); /* 1 + the report of each shard */
    enum lk_status rc = LK_STATUS_OK;
    for (size_t i = 0; i < n && rc == LK_STATUS_OK; i++) {
        const struct lk_report_org *o = &docs[i].org;
        if (o->shard_count != count) {
            *message = s_printf("%s is shard %u/%u but %s is shard %u/%u: merge the shards of "
                                "one run",
                                docs[0].path, docs[0].org.shard_index, count, docs[i].path,
                                o->shard_index, o->shard_count);
            rc = LK_STATUS_REFUSED;
        } else if (owner[o->shard_index]) {
            *message = s_printf("shard %u/%u given twice: %s and %s", o->shard_index, count,
                                docs[owner[o->shard_index] - 1].path, docs[i].path);
            rc = LK_STATUS_REFUSED;
        } else {
            owner[o->shard_index] = i + 1;
        }
    }
    /* The missing shards, the first few named. */
    char names[256] = "";
    unsigned missing = 0;
    for (unsigned k = 0; k < count && rc == LK_STATUS_OK; k++) {
        if (owner[k])
            continue;
        size_t used = strlen(names);
        if (++missing <= 8)
            snprintf(names + used, sizeof(names) - used, "%s%u/%u", missing > 1 ? ", " : "", k,
                     count);
    }
    if (missing) {
        *message =
            s_printf("shard%s %s%s missing (%zu of %u shards given): merge the reports of "
                     "every shard",
                     missing > 1 ? "s" : "", names, missing > 8 ? " and others" : "", n, count);
        rc = LK_STATUS_REFUSED;
    }
    free(owner);
    return rc;
}

enum lk_status lk_report_merge(const struct lk_report_doc *docs, size_t n_docs,
                               struct lk_report_org *out, char **message)
{
    if (message)
        *message = NULL;
    if (!docs || !n_docs || !out || !message)
        return LK_STATUS_INVALID_ARGUMENT;
    memset(out, 0, sizeof(*out));
    LK_GUARD(s_check_run(docs, n_docs, message));
    LK_GUARD(s_check_shards(docs, n_docs, message));
    size_t total = 0;
    for (size_t i = 0; i < n_docs; i++)
        total += docs[i].org.n_pairs;
    struct s_entry *entries = lk_xcalloc(total ? total : 1, sizeof(*entries));
    size_t k = 0;
    for (size_t i = 0; i < n_docs; i++)
        for (size_t j = 0; j < docs[i].org.n_pairs; j++)
            entries[k++] = (struct s_entry){&docs[i].org.pairs[j], i};
    qsort(entries, total, sizeof(*entries), s_cmp_entry);
    for (size_t i = 1; i < total; i++) {
        if (s_cmp_entry(&entries[i - 1], &entries[i]))
            continue;
        const struct lk_report_pair *p = entries[i].pair;
        *message = s_printf("the pair %s (%s) %s is in %s and in %s: merge the reports of "
                            "different shards of one run",
                            p->account_name, p->account, p->region, docs[entries[i - 1].doc].path,
                            docs[entries[i].doc].path);
        free(entries);
        return LK_STATUS_REFUSED;
    }
    struct lk_report_pair *pairs = lk_xcalloc(total ? total : 1, sizeof(*pairs));
    for (size_t i = 0; i < total; i++)
        pairs[i] = *entries[i].pair;
    free(entries);
    const struct lk_report_org *first = &docs[0].org;
    out->command = first->command;
    out->organization = first->organization;
    out->policy_paths = first->policy_paths;
    out->n_policy_paths = first->n_policy_paths;
    /* The time of the newest report: when the last of what it says was read. */
    for (size_t i = 0; i < n_docs; i++)
        if (docs[i].org.generated_at &&
            (!out->generated_at || strcmp(docs[i].org.generated_at, out->generated_at) > 0))
            out->generated_at = docs[i].org.generated_at;
    out->pairs = pairs;
    out->n_pairs = total;
    return LK_STATUS_OK;
}

void lk_report_merge_free(struct lk_report_org *org)
{
    if (!org)
        return;
    free((void *)(uintptr_t)org->pairs); /* allocated by lk_report_merge() */
    org->pairs = NULL;
    org->n_pairs = 0;
}
