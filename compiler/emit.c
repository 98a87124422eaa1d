/*
 * logkeep: the artifact list, the manifest and JSON printing.
 */
#include "compiler/emit.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"

/* Compares plan items by path, as lk_artifacts_sort() orders artifacts. */
static int s_cmp_item(const void *x, const void *y)
{
    return strcmp(((const struct lk_emit_item *)x)->path, ((const struct lk_emit_item *)y)->path);
}

/* Appends an item to the plan being built. */
static struct lk_emit_item *s_item(struct lk_emit_item **items, size_t *n, size_t *cap,
                                   enum lk_emit_kind kind, size_t index, char *path,
                                   const char *ops, char *resource, const char *headers)
{
    LK_ARRAY_GROW(*items, *n, *cap);
    struct lk_emit_item *it = &(*items)[(*n)++];
    memset(it, 0, sizeof(*it));
    it->kind = kind;
    it->index = index;
    it->path = path;
    it->operations = ops;
    it->resource = resource;
    it->headers = headers;
    return it;
}

size_t lk_emit_plan(const struct lk_ir_state *st, struct lk_arena *A, struct lk_emit_item **out)
{
    struct lk_emit_item *items = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < st->n_buckets; i++) {
        const struct lk_ir_bucket *b = &st->buckets[i];
        char *arn = lk_arena_printf(A, "arn:%s:s3:::%s", st->partition, b->name);
        if (b->lifecycle.present) {
            const char *hdr = NULL;
            if (b->lifecycle.transition_min_size == LK_IR_TMS_ALL_128K)
                hdr = "x-amz-transition-default-minimum-object-size: all_storage_classes_128K\n";
            else if (b->lifecycle.transition_min_size == LK_IR_TMS_VARIES_BY_CLASS)
                hdr = "x-amz-transition-default-minimum-object-size: varies_by_storage_class\n";
            s_item(&items, &n, &cap, LK_EMIT_LIFECYCLE, i,
                   lk_arena_printf(A, "s3/%s/lifecycle.xml", b->name),
                   "PutBucketLifecycleConfiguration", arn, hdr);
        }
        if (b->policy.present)
            s_item(&items, &n, &cap, LK_EMIT_BUCKET_POLICY, i,
                   lk_arena_printf(A, "s3/%s/policy.json", b->name), "PutBucketPolicy", arn, NULL);
        if (b->versioning != LK_IR_VERSIONING_NEVER)
            s_item(&items, &n, &cap, LK_EMIT_VERSIONING, i,
                   lk_arena_printf(A, "s3/%s/versioning.xml", b->name), "PutBucketVersioning", arn,
                   NULL);
        if (b->public_access_block.present)
            s_item(&items, &n, &cap, LK_EMIT_PUBLIC_ACCESS_BLOCK, i,
                   lk_arena_printf(A, "s3/%s/public-access-block.xml", b->name),
                   "PutPublicAccessBlock", arn, NULL);
        if (b->encryption.present)
            s_item(&items, &n, &cap, LK_EMIT_ENCRYPTION, i,
                   lk_arena_printf(A, "s3/%s/encryption.xml", b->name), "PutBucketEncryption", arn,
                   NULL);
        if (b->object_lock.enabled)
            s_item(&items, &n, &cap, LK_EMIT_OBJECT_LOCK, i,
                   lk_arena_printf(A, "s3/%s/object-lock.xml", b->name),
                   "PutObjectLockConfiguration", arn, NULL);
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
        struct lk_emit_item *it = s_item(
            &items, &n, &cap, LK_EMIT_RETENTION, i, lk_arena_printf(A, "logs/%s/retention.json", r),
            put && del ? "PutRetentionPolicy,DeleteRetentionPolicy"
            : del      ? "DeleteRetentionPolicy"
                       : "PutRetentionPolicy",
            lk_arena_printf(A, "arn:%s:logs:%s:%s:log-group:*", st->partition, r, st->account),
            NULL);
        it->region = r;
    }
    if (!st->n_log_groups && st->unmanaged_set) {
        struct lk_emit_item *it =
            s_item(&items, &n, &cap, LK_EMIT_RETENTION, 0,
                   lk_arena_printf(A, "logs/%s/retention.json", st->region), "PutRetentionPolicy",
                   lk_arena_printf(A, "arn:%s:logs:%s:%s:log-group:*", st->partition, st->region,
                                   st->account),
                   NULL);
        it->region = st->region;
    }
    /* Key policies: logkeep's statements of each key, merged by Sid into the live policy
     * (PutKeyPolicy, PolicyName "default"); the folder is the key ID, the key ARN's last part. */
    for (size_t i = 0; i < st->n_keys; i++) {
        const struct lk_ir_key *k = &st->keys[i];
        const char *slash = strrchr(k->arn, '/');
        s_item(&items, &n, &cap, LK_EMIT_KEY_POLICY, i,
               lk_arena_printf(A, "kms/%s/key-policy.json", slash ? slash + 1 : k->arn),
               "PutKeyPolicy", k->arn, NULL);
    }
    for (size_t i = 0; i < st->n_trails; i++) {
        const struct lk_ir_trail *t = &st->trails[i];
        s_item(&items, &n, &cap, LK_EMIT_TRAIL, i,
               lk_arena_printf(A, "cloudtrail/%s.json", t->name),
               t->is_logging ? "CreateTrail,PutEventSelectors,StartLogging"
                             : "CreateTrail,PutEventSelectors,StopLogging",
               lk_arena_printf(A, "arn:%s:cloudtrail:%s:%s:trail/%s", st->partition, t->home_region,
                               st->account, t->name),
               NULL);
    }
    if (n > 1)
        qsort(items, n, sizeof(*items), s_cmp_item);
    /* Handed over in the arena, so that the caller frees nothing. */
    *out = lk_arena_alloc_uninit(A, (n ? n : 1) * sizeof(*items));
    if (n)
        memcpy(*out, items, n * sizeof(*items));
    free(items);
    return n;
}

char *lk_emit_item_content(const struct lk_ir_state *st, const struct lk_emit_item *it,
                           struct lk_arena *arena)
{
    switch (it->kind) {
    case LK_EMIT_LIFECYCLE:
        return lk_emit_lifecycle_xml(&st->buckets[it->index].lifecycle, arena);
    case LK_EMIT_BUCKET_POLICY:
        return lk_emit_bucket_policy_json(&st->buckets[it->index].policy, arena);
    case LK_EMIT_VERSIONING:
        return lk_emit_versioning_xml(&st->buckets[it->index], arena);
    case LK_EMIT_PUBLIC_ACCESS_BLOCK:
        return lk_emit_public_access_block_xml(&st->buckets[it->index], arena);
    case LK_EMIT_ENCRYPTION:
        return lk_emit_encryption_xml(&st->buckets[it->index], arena);
    case LK_EMIT_OBJECT_LOCK:
        return lk_emit_object_lock_xml(&st->buckets[it->index], arena);
    case LK_EMIT_RETENTION:
        return lk_emit_retention_json(st, it->region, arena);
    case LK_EMIT_KEY_POLICY:
        return lk_emit_bucket_policy_json(&st->keys[it->index].policy, arena);
    case LK_EMIT_TRAIL:
        return lk_emit_trail_json(st, &st->trails[it->index], arena);
    }
    return NULL;
}

enum lk_status lk_emit_all(const struct lk_ir_state *st, struct lk_artifacts *out)
{
    enum lk_status rc = LK_STATUS_OK;
    struct lk_emit_item *items;
    size_t n = lk_emit_plan(st, &out->arena, &items);
    for (size_t i = 0; i < n; i++) {
        char *content = lk_emit_item_content(st, &items[i], &out->arena);
        /* An emitter gives up (NULL) past LK_BUF_MAX_DOCUMENT: the artifact is left out. */
        if (!content) {
            rc = LK_STATUS_TOO_LARGE;
            continue;
        }
        lk_artifacts_add(out, items[i].path, items[i].operations, items[i].resource, content,
                         items[i].headers);
    }
    lk_artifacts_sort(out);
    return rc;
}

/* One artifact's manifest entry: path (under @p dir when given), operations, resource, headers,
 * SHA-256, and, with @p pair, the pair's account and Region. */
static void s_manifest_artifact(struct lk_buf *b, const struct lk_artifact *x, const char *dir,
                                const struct lk_ir_pair *pair)
{
    lk_buf_puts(b, "    {\n      \"path\": ");
    if (dir) {
        size_t n = strlen(dir) + strlen(x->path) + 2;
        char *full = lk_xmalloc(n);
        snprintf(full, n, "%s/%s", dir, x->path);
        lk_json_escape(b, full);
        free(full);
    } else {
        lk_json_escape(b, x->path);
    }
    if (pair) {
        lk_buf_puts(b, ",\n      \"account\": ");
        lk_json_escape(b, pair->account);
        lk_buf_puts(b, ",\n      \"account_name\": ");
        lk_json_escape(b, pair->account_name);
        lk_buf_puts(b, ",\n      \"region\": ");
        lk_json_escape(b, pair->region);
    }
    lk_buf_puts(b, ",\n      \"operations\": [\n");
    const char *op = x->operations;
    while (*op) {
        const char *comma = strchr(op, ',');
        size_t len = comma ? (size_t)(comma - op) : strlen(op);
        char *one = lk_xstrndup(op, len);
        lk_buf_puts(b, "        ");
        lk_json_escape(b, one);
        free(one);
        lk_buf_puts(b, comma ? ",\n" : "\n");
        op += len + (comma ? 1 : 0);
    }
    lk_buf_puts(b, "      ],\n      \"resource\": ");
    lk_json_escape(b, x->resource);
    if (x->headers) {
        /* "Name: value\n" lines become {"Name": "value", ...}. */
        lk_buf_puts(b, ",\n      \"headers\": {\n");
        const char *p = x->headers;
        bool first = true;
        while (*p) {
            const char *colon = strchr(p, ':');
            const char *nl = strchr(p, '\n');
            if (!colon || !nl || colon > nl)
                break;
            char *name = lk_xstrndup(p, (size_t)(colon - p));
            char *value = lk_xstrndup(colon + 2, (size_t)(nl - colon - 2));
            lk_buf_puts(b, first ? "        " : ",\n        ");
            lk_json_escape(b, name);
            lk_buf_puts(b, ": ");
            lk_json_escape(b, value);
            free(name);
            free(value);
            first = false;
            p = nl + 1;
        }
        lk_buf_puts(b, "\n      }");
    }
    lk_buf_puts(b, ",\n      \"sha256\": ");
    lk_json_escape(b, x->sha256);
    lk_buf_puts(b, "\n    }");
}

/* Written directly rather than through a cJSON tree: a policy with hundreds of buckets has
 * thousands of entries. The layout matches lk_json_print. */
char *lk_emit_manifest(const struct lk_ir_state *st, const struct lk_artifacts *a)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_DOCUMENT);
    lk_buf_puts(&b, "{\n  \"version\": 1,\n  \"account\": ");
    lk_json_escape(&b, st->account);
    lk_buf_puts(&b, ",\n  \"region\": ");
    lk_json_escape(&b, st->region);
    lk_buf_puts(&b, a->n ? ",\n  \"artifacts\": [\n" : ",\n  \"artifacts\": []\n}\n");
    for (size_t i = 0; i < a->n; i++) {
        s_manifest_artifact(&b, &a->items[i], NULL, NULL);
        lk_buf_puts(&b, i + 1 < a->n ? ",\n" : "\n  ]\n}\n");
    }
    return lk_buf_take(&b, NULL);
}

/* A name usable as one folder: letters, digits, '.', '_' and '-', neither "." nor "..". */
static bool s_safe_dir(const char *name)
{
    if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return false;
    return true;
}

char *lk_emit_pair_dir(const struct lk_ir_pair *pair, struct lk_arena *arena)
{
    const char *name = s_safe_dir(pair->account_name) ? pair->account_name : pair->account;
    return lk_arena_printf(arena, "%s/%s", name, pair->region);
}

static int s_cmp_entry(const void *x, const void *y)
{
    return strcmp(((const struct lk_scope_entry *)x)->path,
                  ((const struct lk_scope_entry *)y)->path);
}

size_t lk_emit_scope_entries(const struct lk_ir_scope *scope, struct lk_arena *arena,
                             struct lk_scope_entry **out)
{
    size_t n = 0;
    for (size_t i = 0; i < scope->n_pairs; i++)
        n += scope->pairs[i].artifacts ? scope->pairs[i].artifacts->n : 0;
    struct lk_scope_entry *e = lk_arena_alloc(arena, (n ? n : 1) * sizeof(*e));
    size_t w = 0;
    for (size_t i = 0; i < scope->n_pairs; i++) {
        const struct lk_ir_pair *pair = &scope->pairs[i];
        if (!pair->artifacts)
            continue;
        char *dir = lk_emit_pair_dir(pair, arena);
        for (size_t k = 0; k < pair->artifacts->n; k++) {
            const struct lk_artifact *x = &pair->artifacts->items[k];
            e[w].path = lk_arena_printf(arena, "%s/%s", dir, x->path);
            e[w].dir = dir;
            e[w].pair = pair;
            e[w].artifact = x;
            w++;
        }
    }
    qsort(e, w, sizeof(*e), s_cmp_entry);
    *out = e;
    return w;
}

static const char *s_kind_name(int kind)
{
    switch (kind) {
    case 1:
        return "management";
    case 2:
        return "log-archive";
    case 3:
        return "security";
    default:
        return "workload";
    }
}

char *lk_emit_scope_manifest(const struct lk_ir_scope *scope,
                             const struct lk_emit_account *accounts, size_t n_accounts)
{
    struct lk_arena tmp;
    lk_arena_init(&tmp);
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_DOCUMENT);
    lk_buf_puts(&b, "{\n  \"version\": 2,\n  \"organization\": ");
    if (scope->organization_id)
        lk_json_escape(&b, scope->organization_id);
    else
        lk_buf_puts(&b, "null");
    lk_buf_puts(&b, n_accounts ? ",\n  \"accounts\": [\n" : ",\n  \"accounts\": [],\n");
    for (size_t i = 0; i < n_accounts; i++) {
        lk_buf_puts(&b, "    {\n      \"name\": ");
        lk_json_escape(&b, accounts[i].name);
        lk_buf_puts(&b, ",\n      \"id\": ");
        lk_json_escape(&b, accounts[i].id);
        lk_buf_puts(&b, ",\n      \"kind\": ");
        lk_json_escape(&b, s_kind_name(accounts[i].kind));
        lk_buf_puts(&b, i + 1 < n_accounts ? "\n    },\n" : "\n    }\n  ],\n");
    }
    /* The Regions of the pairs, sorted and unique (the pairs are sorted by account first). */
    const char **regions =
        lk_arena_alloc(&tmp, (scope->n_pairs ? scope->n_pairs : 1) * sizeof(*regions));
    size_t n_regions = 0;
    for (size_t i = 0; i < scope->n_pairs; i++) {
        bool seen = false;
        for (size_t k = 0; k < n_regions && !seen; k++)
            seen = !strcmp(regions[k], scope->pairs[i].region);
        if (!seen)
            regions[n_regions++] = scope->pairs[i].region;
    }
    qsort(regions, n_regions, sizeof(*regions), lk_ir_cmp_string);
    lk_buf_puts(&b, "  \"regions\": [");
    for (size_t i = 0; i < n_regions; i++) {
        lk_buf_puts(&b, i ? ",\n    " : "\n    ");
        lk_json_escape(&b, regions[i]);
    }
    lk_buf_puts(&b, n_regions ? "\n  ],\n" : "],\n");
    struct lk_scope_entry *e;
    size_t n = lk_emit_scope_entries(scope, &tmp, &e);
    lk_buf_puts(&b, n ? "  \"artifacts\": [\n" : "  \"artifacts\": []\n}\n");
    for (size_t i = 0; i < n; i++) {
        s_manifest_artifact(&b, e[i].artifact, e[i].dir, e[i].pair);
        lk_buf_puts(&b, i + 1 < n ? ",\n" : "\n  ]\n}\n");
    }
    lk_arena_destroy(&tmp);
    return lk_buf_take(&b, NULL);
}
