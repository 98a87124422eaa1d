/*
 * logkeep: the artifact list, the manifest and JSON printing.
 */
#include "emit.h"

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

void lk_artifacts_init(struct lk_artifacts *a)
{
    memset(a, 0, sizeof(*a));
    lk_arena_init(&a->arena);
}

void lk_artifacts_free(struct lk_artifacts *a)
{
    free(a->items);
    lk_arena_destroy(&a->arena);
    memset(a, 0, sizeof(*a));
}

static void s_sha256_hex(const char *data, size_t len, char out[65])
{
    unsigned char md[32];
    unsigned int md_len = 0;
    if (!EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) || md_len != 32)
        lk_oom(); /* only fails on allocation failure inside OpenSSL */
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

static void s_add(struct lk_artifacts *a, char *path, const char *ops, const char *resource,
                  char *content, const char *headers)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 32;
        a->items = lk_xrealloc(a->items, a->cap * sizeof(*a->items));
    }
    a->sorted = false;
    struct lk_artifact *x = &a->items[a->n++];
    memset(x, 0, sizeof(*x));
    x->path = path;
    x->operations = lk_arena_strdup(&a->arena, ops);
    x->resource = lk_arena_strdup(&a->arena, resource);
    x->content = content;
    x->len = strlen(content);
    x->headers = headers ? lk_arena_strdup(&a->arena, headers) : NULL;
    s_sha256_hex(content, x->len, x->sha256);
}

static int s_cmp_artifact(const void *x, const void *y)
{
    return strcmp(((const struct lk_artifact *)x)->path, ((const struct lk_artifact *)y)->path);
}

const struct lk_artifact *lk_artifacts_find(const struct lk_artifacts *a, const char *path)
{
    if (a->sorted) {
        size_t lo = 0, hi = a->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = strcmp(path, a->items[mid].path);
            if (c == 0)
                return &a->items[mid];
            if (c < 0)
                hi = mid;
            else
                lo = mid + 1;
        }
        return NULL;
    }
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->items[i].path, path))
            return &a->items[i];
    return NULL;
}

void lk_emit_all(const struct lk_ir_state *st, struct lk_artifacts *out)
{
    struct lk_arena *A = &out->arena;
    for (size_t i = 0; i < st->n_buckets; i++) {
        const struct lk_ir_bucket *b = &st->buckets[i];
        char *arn = lk_arena_printf(A, "arn:%s:s3:::%s", st->partition, b->name);
        if (b->lifecycle.present) {
            const char *hdr = NULL;
            if (b->lifecycle.transition_min_size == LK_IR_TMS_ALL_128K)
                hdr = "x-amz-transition-default-minimum-object-size: all_storage_classes_128K\n";
            else if (b->lifecycle.transition_min_size == LK_IR_TMS_VARIES_BY_CLASS)
                hdr = "x-amz-transition-default-minimum-object-size: varies_by_storage_class\n";
            s_add(out, lk_arena_printf(A, "s3/%s/lifecycle.xml", b->name),
                  "PutBucketLifecycleConfiguration", arn, lk_emit_lifecycle_xml(&b->lifecycle, A),
                  hdr);
        }
        if (b->policy.present)
            s_add(out, lk_arena_printf(A, "s3/%s/policy.json", b->name), "PutBucketPolicy", arn,
                  lk_emit_bucket_policy_json(&b->policy, A), NULL);
        if (b->versioning != LK_IR_VERSIONING_NEVER)
            s_add(out, lk_arena_printf(A, "s3/%s/versioning.xml", b->name), "PutBucketVersioning",
                  arn, lk_emit_versioning_xml(b, A), NULL);
        if (b->public_access_block.present)
            s_add(out, lk_arena_printf(A, "s3/%s/public-access-block.xml", b->name),
                  "PutPublicAccessBlock", arn, lk_emit_public_access_block_xml(b, A), NULL);
        if (b->encryption.present)
            s_add(out, lk_arena_printf(A, "s3/%s/encryption.xml", b->name), "PutBucketEncryption",
                  arn, lk_emit_encryption_xml(b, A), NULL);
        if (b->object_lock.enabled)
            s_add(out, lk_arena_printf(A, "s3/%s/object-lock.xml", b->name),
                  "PutObjectLockConfiguration", arn, lk_emit_object_lock_xml(b, A), NULL);
    }
    /* One retention file per region that has log groups (or the unmanaged rule). */
    const char *last = NULL;
    for (size_t i = 0; i < st->n_log_groups; i++) {
        const char *r = st->log_groups[i].region;
        if (last && !strcmp(last, r))
            continue;
        last = r;
        /* The operations the file's inputs are for: PutRetentionPolicy, and
         * DeleteRetentionPolicy for exact log groups kept forever. */
        bool put = st->unmanaged_set && !strcmp(r, st->region), del = false;
        for (size_t k = i; k < st->n_log_groups && !strcmp(st->log_groups[k].region, r); k++) {
            if (st->log_groups[k].retention_days > 0 || st->log_groups[k].pattern)
                put = true;
            else
                del = true;
        }
        s_add(out, lk_arena_printf(A, "logs/%s/retention.json", r),
              put && del ? "PutRetentionPolicy,DeleteRetentionPolicy"
              : del      ? "DeleteRetentionPolicy"
                         : "PutRetentionPolicy",
              lk_arena_printf(A, "arn:%s:logs:%s:%s:log-group:*", st->partition, r, st->account),
              lk_emit_retention_json(st, r, A), NULL);
    }
    if (!st->n_log_groups && st->unmanaged_set)
        s_add(out, lk_arena_printf(A, "logs/%s/retention.json", st->region), "PutRetentionPolicy",
              lk_arena_printf(A, "arn:%s:logs:%s:%s:log-group:*", st->partition, st->region,
                              st->account),
              lk_emit_retention_json(st, st->region, A), NULL);
    for (size_t i = 0; i < st->n_trails; i++) {
        const struct lk_ir_trail *t = &st->trails[i];
        s_add(out, lk_arena_printf(A, "cloudtrail/%s.json", t->name),
              t->is_logging ? "CreateTrail,PutEventSelectors,StartLogging"
                            : "CreateTrail,PutEventSelectors,StopLogging",
              lk_arena_printf(A, "arn:%s:cloudtrail:%s:%s:trail/%s", st->partition, t->home_region,
                              st->account, t->name),
              lk_emit_trail_json(st, t, A), NULL);
    }
    if (out->n > 1)
        qsort(out->items, out->n, sizeof(*out->items), s_cmp_artifact);
    out->sorted = true;
}

/* Written directly rather than through a cJSON tree: a policy with hundreds of buckets has
 * thousands of entries. The layout matches lk_json_print. */
char *lk_emit_manifest(const struct lk_ir_state *st, const struct lk_artifacts *a)
{
    struct lk_buf b;
    lk_buf_init(&b);
    lk_buf_puts(&b, "{\n  \"version\": 1,\n  \"account\": ");
    lk_json_escape(&b, st->account);
    lk_buf_puts(&b, ",\n  \"region\": ");
    lk_json_escape(&b, st->region);
    lk_buf_puts(&b, a->n ? ",\n  \"artifacts\": [\n" : ",\n  \"artifacts\": []\n}\n");
    for (size_t i = 0; i < a->n; i++) {
        const struct lk_artifact *x = &a->items[i];
        lk_buf_puts(&b, "    {\n      \"path\": ");
        lk_json_escape(&b, x->path);
        lk_buf_puts(&b, ",\n      \"operations\": [\n");
        const char *op = x->operations;
        while (*op) {
            const char *comma = strchr(op, ',');
            size_t len = comma ? (size_t)(comma - op) : strlen(op);
            char *one = lk_xstrndup(op, len);
            lk_buf_puts(&b, "        ");
            lk_json_escape(&b, one);
            free(one);
            lk_buf_puts(&b, comma ? ",\n" : "\n");
            op += len + (comma ? 1 : 0);
        }
        lk_buf_puts(&b, "      ],\n      \"resource\": ");
        lk_json_escape(&b, x->resource);
        if (x->headers) {
            /* "Name: value\n" lines become {"Name": "value", ...}. */
            lk_buf_puts(&b, ",\n      \"headers\": {\n");
            const char *p = x->headers;
            bool first = true;
            while (*p) {
                const char *colon = strchr(p, ':');
                const char *nl = strchr(p, '\n');
                if (!colon || !nl || colon > nl)
                    break;
                char *name = lk_xstrndup(p, (size_t)(colon - p));
                char *value = lk_xstrndup(colon + 2, (size_t)(nl - colon - 2));
                lk_buf_puts(&b, first ? "        " : ",\n        ");
                lk_json_escape(&b, name);
                lk_buf_puts(&b, ": ");
                lk_json_escape(&b, value);
                free(name);
                free(value);
                first = false;
                p = nl + 1;
            }
            lk_buf_puts(&b, "\n      }");
        }
        lk_buf_puts(&b, ",\n      \"sha256\": ");
        lk_json_escape(&b, x->sha256);
        lk_buf_puts(&b, i + 1 < a->n ? "\n    },\n" : "\n    }\n  ]\n}\n");
    }
    char *text = lk_xstrndup(b.data, b.len);
    lk_buf_free(&b);
    return text;
}

/* ------------------------------------------------------------------------------ JSON */

static void s_indent(struct lk_buf *b, int depth)
{
    for (int i = 0; i < depth; i++)
        lk_buf_puts(b, "  ");
}

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

void lk_json_escape(struct lk_buf *b, const char *s)
{
    /* Reserve the worst case (every byte as \u00XX) once, then write in place: artifacts of
     * several megabytes pass through here in `compile --format json`. */
    static const char hex[] = "0123456789abcdef";
    size_t len = strlen(s);
    if (len > (SIZE_MAX - 3) / 6)
        lk_oom();
    lk_buf_reserve(b, 6 * len + 2);
    char *w = b->data + b->len;
    *w++ = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (!s_json_special[c]) {
            *w++ = (char)c;
            continue;
        }
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
    }
    *w++ = '"';
    *w = '\0';
    b->len = (size_t)(w - b->data);
}

static void s_print(struct lk_buf *b, const cJSON *item, int depth)
{
    if (cJSON_IsObject(item) || cJSON_IsArray(item)) {
        bool obj = cJSON_IsObject(item);
        const cJSON *child = item->child;
        if (!child) {
            lk_buf_puts(b, obj ? "{}" : "[]");
            return;
        }
        lk_buf_puts(b, obj ? "{\n" : "[\n");
        for (; child; child = child->next) {
            s_indent(b, depth + 1);
            if (obj) {
                lk_json_escape(b, child->string);
                lk_buf_puts(b, ": ");
            }
            s_print(b, child, depth + 1);
            lk_buf_puts(b, child->next ? ",\n" : "\n");
        }
        s_indent(b, depth);
        lk_buf_putc(b, obj ? '}' : ']');
        return;
    }
    if (cJSON_IsString(item)) {
        lk_json_escape(b, item->valuestring);
        return;
    }
    if (cJSON_IsNumber(item) && item->valuedouble == (double)item->valueint) {
        lk_buf_printf(b, "%d", item->valueint);
        return;
    }
    /* true, false, null and non-integral numbers: cJSON formats them. */
    char *leaf = cJSON_PrintUnformatted(item);
    if (!leaf)
        lk_oom();
    lk_buf_puts(b, leaf);
    cJSON_free(leaf);
}

char *lk_json_print(const cJSON *item, struct lk_arena *arena)
{
    struct lk_buf b;
    lk_buf_init(&b);
    s_print(&b, item, 0);
    lk_buf_putc(&b, '\n');
    char *out = lk_arena_strndup(arena, b.data, b.len);
    lk_buf_free(&b);
    return out;
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
