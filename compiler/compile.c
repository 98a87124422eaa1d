/*
 * logkeep: the compile pipeline.
 */
#include "compiler/compile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "compiler/check_int.h"
#include "compiler/lower.h"

/* @p json is the emitted policy, NULL when it outgrew LK_BUF_MAX_DOCUMENT. */
static void s_report_size(struct lk_policy *policy, const char *store_name, const char *json)
{
    struct lk_store *store = lk_policy_find_store(policy, lk_str_c(store_name));
    struct lk_span span = store ? store->span : LK_SPAN_NONE;
    struct lk_diag *d =
        json ? lk_diag_add(&policy->diags, "LK206", span,
                           "the bucket policy of store \"%s\" is %zu bytes; S3 allows %d",
                           store_name, strlen(json), LK_BUCKET_POLICY_MAX_BYTES)
             : lk_diag_add(&policy->diags, "LK206", span,
                           "the bucket policy of store \"%s\" is over %zu bytes; S3 allows %d",
                           store_name, (size_t)LK_BUF_MAX_DOCUMENT, LK_BUCKET_POLICY_MAX_BYTES);
    lk_diag_help(&policy->diags, d, "split its sources over several stores");
}

static size_t s_max(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* What a list item costs in an emitted policy beyond its escaped text (emit_policy.c): the
 * indentation (8 spaces for a resource, at most 12 for a principal or a condition's value), two
 * quotes, a comma and a newline. */
#define S_RESOURCE_ITEM 12
#define S_ITEM 16

/* An upper bound on the escaped length of @p s: 6 bytes (\u00XX) for any byte but those of names
 * and ARNs, which JSON writes as they are. */
static size_t s_json_len(const char *s, size_t n)
{
    size_t len = n;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '/' ||
              (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || c == ':' || c == '*'))
            len += 5;
    }
    return len;
}

static size_t s_json_len_c(const char *s)
{
    return s_json_len(s, strlen(s));
}

/* The statements sources of one kind share in a bucket (delivery.c, s_shared()). */
enum s_kind { S_KIND_LOG_DELIVERY, S_KIND_CONFIG, S_KIND_GUARDDUTY, S_KIND_ELB, S_KIND_COUNT };

/* The kind of statements a source's service shares, S_KIND_COUNT for none. */
static enum s_kind s_kind_of(enum lk_source_type type)
{
    switch (type) {
    case LK_SRC_VPC_FLOW_LOGS:
    case LK_SRC_ROUTE53_RESOLVER:
    case LK_SRC_WAF:
    case LK_SRC_NETWORK_FIREWALL:
    case LK_SRC_NLB:
        return S_KIND_LOG_DELIVERY;
    case LK_SRC_CONFIG:
        return S_KIND_CONFIG;
    case LK_SRC_GUARDDUTY:
        return S_KIND_GUARDDUTY;
    case LK_SRC_ELB:
        return S_KIND_ELB;
    default:
        return S_KIND_COUNT;
    }
}

/* The writers of a source as delivery.c sees them (lk_delivery_source_writers()): its resolved
 * scope, or the policy's account and Region (accounts NULL). */
struct s_writers {
    const char *const *accounts;
    size_t n_accounts;
    const char *const *regions;
    size_t n_regions;
    size_t account_len, region_len; /* the longest, escaped */
};

/* The writers of the sources lately seen: sources share their scope's arrays (policy.h), so their
 * lengths are measured once for a run of them. */
struct s_writers_cache {
    struct s_writers policy; /* a source without a resolved scope */
    struct s_writers last;
};

static void s_writers_of(struct s_writers_cache *cache, const struct lk_source *src,
                         struct s_writers *w)
{
    if (!src->n_scope_accounts || !src->n_scope_regions) {
        *w = cache->policy;
        return;
    }
    struct s_writers *l = &cache->last;
    if (l->accounts == src->scope_accounts && l->n_accounts == src->n_scope_accounts &&
        l->regions == src->scope_regions && l->n_regions == src->n_scope_regions) {
        *w = *l;
        return;
    }
    memset(w, 0, sizeof(*w));
    w->accounts = src->scope_accounts;
    w->n_accounts = src->n_scope_accounts;
    w->regions = src->scope_regions;
    w->n_regions = src->n_scope_regions;
    for (size_t i = 0; i < w->n_accounts; i++)
        w->account_len = s_max(w->account_len, s_json_len_c(w->accounts[i]));
    for (size_t i = 0; i < w->n_regions; i++)
        w->region_len = s_max(w->region_len, s_json_len_c(w->regions[i]));
    *l = *w;
}

/* Whether two sources have the same writers, so that the conditions and principals their
 * statements list for them are the same strings, listed once (lk_ir_canonicalize()). */
static bool s_same_writers(const struct s_writers *a, const struct s_writers *b)
{
    if (a->n_accounts != b->n_accounts || a->n_regions != b->n_regions)
        return false;
    if (!a->accounts || !b->accounts)
        return a->accounts == b->accounts;
    for (size_t i = 0; i < a->n_accounts; i++)
        if (a->accounts[i] != b->accounts[i] && strcmp(a->accounts[i], b->accounts[i]))
            return false;
    for (size_t i = 0; i < a->n_regions; i++)
        if (a->regions[i] != b->regions[i] && strcmp(a->regions[i], b->regions[i]))
            return false;
    return true;
}

/* A store's bound as its sources add to it. */
struct s_store_acc {
    size_t bound;
    size_t partition; /* length of the partition in its bucket's ARNs */
    size_t bucket;    /* escaped length of its bucket's name */
    bool seen[S_KIND_COUNT];
    struct s_writers first[S_KIND_COUNT]; /* the first source's writers, by kind */
};

/* The statements logkeep writes for every store (lower.c, s_base_statements()): about 2,600
 * bytes with every one present, the bucket's ARN in 11 places; a reader's or an admin's ARN
 * appears in up to three (a grant, the account's root with it, a deny; the three denies). */
static void s_store_init(struct lk_policy *p, const struct lk_store *s, struct s_store_acc *acc)
{
    /* The partition of the pair the bucket is lowered in (lower.c, s_lower()). */
    const char *part = NULL;
    if (p->scope.multi)
        part = s->scope_region ? lk_region_partition(lk_str_c(s->scope_region)) : NULL;
    else if (p->region.set)
        part = lk_region_partition(p->region.v);
    acc->partition = strlen(part ? part : "aws");
    acc->bucket = s_json_len(s->bucket.v.ptr, s->bucket.v.len);
    acc->bound = 3072 + 11 * (acc->partition + acc->bucket);
    const struct lk_text_list *lists[2] = {&s->readers, &s->admins};
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->n; i++) {
            struct lk_role *r = lk_policy_find_role(p, lists[l]->items[i].v);
            for (size_t k = 0; r && k < r->principals.n; k++)
                acc->bound += 3 * (r->principals.items[k].v.len + 48);
        }
}

/* What the statements of a kind list for writers @p w, whatever the source: aws:SourceAccount and
 * aws:SourceArn values (log delivery: two statements; AWS Config: three; GuardDuty: two, with
 * its Regional principals in them and in the two denies' exemptions), and a load balancer's
 * principal and exemptions per Region. */
static size_t s_writer_bytes(const struct lk_policy *p, const struct s_store_acc *acc,
                             enum s_kind kind, const struct s_writers *w)
{
    size_t account = w->account_len + S_ITEM;
    /* arn:<partition>:<service>:<region>:<account>:<resource>, service and resource at most
     * "guardduty" and "detector/" with its wildcard. */
    size_t source_arn =
        4 + acc->partition + 1 + 9 + 1 + w->region_len + 1 + w->account_len + 1 + 10 + S_ITEM;
    /* guardduty.<region>.amazonaws.com, an ELB account's root ARN, or the ELB service principal
     * (46 bytes). */
    size_t principal = s_max(10 + w->region_len + 14, 4 + acc->partition + 6 + 12 + 5);
    principal = s_max(principal, 46) + S_ITEM;
    size_t elb_regions = p->scope.multi ? w->n_regions : 1;
    switch (kind) {
    case S_KIND_LOG_DELIVERY:
        return 2 * w->n_accounts * (account + w->n_regions * source_arn);
    case S_KIND_CONFIG:
        return 3 * w->n_accounts * account;
    case S_KIND_GUARDDUTY:
        return 2 * w->n_accounts * (account + w->n_regions * source_arn) +
               4 * w->n_regions * principal;
    case S_KIND_ELB:
        return elb_regions * 3 * principal;
    case S_KIND_COUNT:
        break;
    }
    return 0;
}

/* What a cloudtrail source adds: two statements of its own (about 900 bytes), and for every
 * account and Region that writes its logs past the first, its account in resources and
 * conditions and an ARN per Region (about 200 bytes each). */
static size_t s_trail_bound(const struct lk_source *src)
{
    size_t names = src->store->bucket.v.len + src->prefix.v.len + src->name.len;
    size_t writers = src->n_scope_accounts * (src->n_scope_regions ? src->n_scope_regions : 1);
    size_t extra = writers > 1 ? 200 * (writers - 1) : 0;
    return 1400 + 4 * names + extra;
}

/* Adds @p src to its store's bound. Sources of one kind share statements (delivery.c): their
 * fixed text and the conditions and principals of the first source's writers are counted once,
 * with the kind's service in the denies' exemptions; a source adds its resources, and the
 * conditions of its writers when they differ from the first's. */
static void s_add_source(const struct lk_policy *p, struct s_writers_cache *writers,
                         struct s_store_acc *acc, const struct lk_source *src)
{
    if (src->type == LK_SRC_CLOUDTRAIL) {
        acc->bound += s_trail_bound(src);
        return;
    }
    enum s_kind kind = s_kind_of(src->type);
    if (kind == S_KIND_COUNT)
        return; /* no AWS service delivers it: nothing in the bucket policy (delivery.c) */
    struct s_writers w;
    s_writers_of(writers, src, &w);
    if (!acc->seen[kind]) {
        /* Up to three statements, the bucket's ARN in each. */
        acc->bound += 2048 + 3 * (acc->partition + acc->bucket + 10 + S_ITEM) +
                      s_writer_bytes(p, acc, kind, &w);
        acc->seen[kind] = true;
        acc->first[kind] = w;
    } else if (!s_same_writers(&w, &acc->first[kind])) {
        acc->bound += s_writer_bytes(p, acc, kind, &w);
    }
    /* arn:<partition>:s3:::<bucket>/[prefix]AWSLogs/<account>/<suffix>*, suffix at most "Config/",
     * per writer account (and per Region for load balancers, whose statements differ by Region;
     * GuardDuty's is shorter, one per Region). */
    size_t resource = 4 + acc->partition + 6 + acc->bucket + 1 +
                      s_json_len(src->prefix.v.ptr, src->prefix.v.len) + 8 + w.account_len + 1 + 7 +
                      1 + S_RESOURCE_ITEM;
    size_t n = w.n_accounts;
    if (kind == S_KIND_ELB)
        n *= p->scope.multi ? w.n_regions : 1;
    else if (kind == S_KIND_GUARDDUTY)
        n = s_max(n, w.n_regions);
    acc->bound += n * resource;
}

/* The stores whose bucket policy may pass S3's limit by the bound: @return an array by index of
 * policy->stores (caller frees), or NULL when there is none. */
static bool *s_stores_over_bound(struct lk_policy *policy)
{
    /* Stores are sorted by name: find each source's store index by binary search, so the whole
     * bound costs O(sources log stores). */
    struct s_store_acc *acc = lk_xcalloc(policy->n_stores + 1, sizeof(*acc));
    for (size_t i = 0; i < policy->n_stores; i++)
        s_store_init(policy, policy->stores[i], &acc[i]);
    /* A source of a single-account policy may have no resolved scope: the policy's account and
     * Region write it. */
    struct s_writers_cache writers = {
        .policy =
            {
                .n_accounts = 1,
                .n_regions = 1,
                .account_len = s_json_len(policy->account.v.ptr, policy->account.v.len),
                .region_len = s_json_len(policy->region.v.ptr, policy->region.v.len),
            },
    };
    for (size_t i = 0; i < policy->n_srcs; i++) {
        const struct lk_source *src = policy->srcs[i];
        if (!src->store)
            continue;
        size_t lo = 0, hi = policy->n_stores;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = lk_str_cmp(src->store->name, policy->stores[mid]->name);
            if (c == 0) {
                s_add_source(policy, &writers, &acc[mid], src);
                break;
            }
            if (c < 0)
                hi = mid;
            else
                lo = mid + 1;
        }
    }
    /* Only the stores whose bound is over the limit are lowered and measured. */
    bool *over = lk_xcalloc(policy->n_stores + 1, sizeof(*over));
    bool any = false;
    for (size_t i = 0; i < policy->n_stores; i++) {
        over[i] = acc[i].bound > LK_BUCKET_POLICY_MAX_BYTES;
        any = any || over[i];
    }
    free(acc);
    if (!any) {
        free(over);
        return NULL;
    }
    return over;
}

void lk_compile_check_limits(struct lk_policy *policy)
{
    if (policy->diags.n_errors)
        return;
    bool *over = s_stores_over_bound(policy);
    if (!over)
        return;
    struct lk_ir_scope *scope = lk_lower_scope_buckets(policy, over);
    free(over);
    struct lk_arena tmp;
    lk_arena_init(&tmp);
    for (size_t p = 0; p < scope->n_pairs; p++) {
        const struct lk_ir_state *st = scope->pairs[p].state;
        for (size_t i = 0; i < st->n_buckets; i++) {
            char *json = lk_emit_bucket_policy_json(&st->buckets[i].policy, &tmp);
            if (!json || strlen(json) > LK_BUCKET_POLICY_MAX_BYTES)
                s_report_size(policy, st->buckets[i].store, json);
        }
    }
    lk_arena_destroy(&tmp);
    lk_ir_scope_free(scope);
    lk_diags_sort(&policy->diags);
}

int lk_compile_state(struct lk_policy *policy, struct lk_ir_state **out_state)
{
    *out_state = NULL;
    lk_compile_check_limits(policy);
    if (policy->diags.n_errors) {
        lk_diags_sort(&policy->diags);
        return 1;
    }
    *out_state = lk_lower(policy);
    return 0;
}

int lk_compile(struct lk_policy *policy, struct lk_ir_state **out_state, struct lk_artifacts *out)
{
    *out_state = NULL;
    if (policy->diags.n_errors)
        return 1;
    struct lk_ir_state *st = lk_lower(policy);
    if (lk_emit_all(st, out) != LK_STATUS_OK) {
        lk_ir_state_free(st);
        return 2;
    }
    /* Bucket policies over S3's limit are a policy error, located at the store. */
    for (size_t i = 0; i < st->n_buckets; i++) {
        char path[1100];
        snprintf(path, sizeof(path), "s3/%s/policy.json", st->buckets[i].name);
        const struct lk_artifact *a = lk_artifacts_find(out, path);
        if (a && a->len > LK_BUCKET_POLICY_MAX_BYTES)
            s_report_size(policy, st->buckets[i].store, a->content);
    }
    if (policy->diags.n_errors) {
        lk_diags_sort(&policy->diags);
        lk_ir_state_free(st);
        return 1;
    }
    *out_state = st;
    return 0;
}

/* Whether the store named @p name (of a bucket) is flagged in @p over (by index of the policy's
 * stores, which are sorted by name); an unknown name counts as flagged. */
static bool s_flagged(const struct lk_policy *policy, const bool *over, const char *name)
{
    if (!over)
        return false;
    struct lk_str want = lk_str_c(name);
    size_t lo = 0, hi = policy->n_stores;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = lk_str_cmp(want, policy->stores[mid]->name);
        if (c == 0)
            return over[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return true;
}

int lk_compile_plan(struct lk_policy *policy, struct lk_compiled *out)
{
    memset(out, 0, sizeof(*out));
    lk_arena_init(&out->arena);
    out->policy = policy;
    if (policy->diags.n_errors)
        return 1;
    out->state = lk_lower_artifacts(policy); /* what the artifacts show, no more */
    const struct lk_ir_state *st = out->state;
    out->n_items = lk_emit_plan(st, &out->arena, &out->items);
    out->contents =
        lk_arena_alloc(&out->arena, (out->n_items ? out->n_items : 1) * sizeof(*out->contents));
    /* Bucket policies over S3's limit are a policy error, located at the store, reported in
     * bucket order as lk_compile() reports them. Only the stores whose bound passes the limit
     * (as validate finds them, lk_compile_check_limits()) are emitted now and measured; the
     * others are emitted with the rest, and lk_compiled_each() measures them too. */
    bool *over = s_stores_over_bound(policy);
    const char **by_bucket =
        lk_arena_alloc(&out->arena, (st->n_buckets ? st->n_buckets : 1) * sizeof(*by_bucket));
    int rc = 0;
    for (size_t i = 0; i < out->n_items && rc == 0; i++) {
        const struct lk_emit_item *it = &out->items[i];
        if (it->kind != LK_EMIT_BUCKET_POLICY ||
            !s_flagged(policy, over, st->buckets[it->index].store))
            continue;
        out->contents[i] = lk_emit_item_content(st, it, &out->arena);
        if (!out->contents[i])
            rc = 2;
        else if (!by_bucket[it->index])
            by_bucket[it->index] = out->contents[i];
    }
    free(over);
    if (rc)
        return rc;
    for (size_t i = 0; i < st->n_buckets; i++)
        if (by_bucket[i] && strlen(by_bucket[i]) > LK_BUCKET_POLICY_MAX_BYTES)
            s_report_size(policy, st->buckets[i].store, by_bucket[i]);
    if (policy->diags.n_errors) {
        lk_diags_sort(&policy->diags);
        return 1;
    }
    return 0;
}

/* The largest artifact whose scratch block lk_compiled_each() keeps for the next. */
#define S_SCRATCH_KEEP_BYTES ((size_t)64 * 1024)

int lk_compiled_each(struct lk_compiled *c, struct lk_artifacts *out,
                     int (*put)(void *ctx, const struct lk_artifact *x), void *ctx)
{
    /* One artifact at a time in a scratch arena that keeps its largest block: after the first
     * few it stops asking malloc() for memory. */
    struct lk_arena scratch;
    lk_arena_init(&scratch);
    /* Room for every artifact at once rather than by doubling: thousands of them. */
    if (out->cap < out->n + c->n_items) {
        out->cap = out->n + c->n_items;
        out->items = lk_xrealloc(out->items, out->cap * sizeof(*out->items));
    }
    int rc = 0;
    for (size_t i = 0; i < c->n_items && rc == 0; i++) {
        const struct lk_emit_item *it = &c->items[i];
        char *content =
            c->contents[i] ? c->contents[i] : lk_emit_item_content(c->state, it, &scratch);
        if (!content) {
            rc = 2;
            break;
        }
        if (it->kind == LK_EMIT_BUCKET_POLICY && !c->contents[i] &&
            strlen(content) > LK_BUCKET_POLICY_MAX_BYTES) {
            /* The bound said it could not happen: reported all the same, before it is written. */
            s_report_size(c->policy, c->state->buckets[it->index].store, content);
            lk_diags_sort(&c->policy->diags);
            rc = 1;
            break;
        }
        struct lk_artifact x = {0};
        x.path = it->path;
        x.operations = lk_arena_strdup(&scratch, it->operations);
        x.resource = it->resource;
        x.content = content;
        x.len = strlen(content);
        x.headers = it->headers ? lk_arena_strdup(&scratch, it->headers) : NULL;
        if (lk_sha256_hex(content, x.len, x.sha256) != 0)
            lk_oom(); /* OpenSSL only fails on allocation failure */
        lk_artifacts_add_released(out, it->path, it->operations, it->resource, x.len, x.sha256,
                                  it->headers);
        if (put(ctx, &x) != 0)
            rc = 3;
        /* A large artifact (a Region's retention.json lists every log group) gives its block
         * back at once rather than keep it for the small ones after it. */
        if (x.len > S_SCRATCH_KEEP_BYTES) {
            lk_arena_destroy(&scratch);
            lk_arena_init(&scratch);
        } else {
            lk_arena_rewind(&scratch);
        }
    }
    lk_arena_destroy(&scratch);
    lk_artifacts_sort(out);
    return rc;
}

char *lk_compiled_manifest(struct lk_compiled *c, const struct lk_artifacts *arts)
{
    /* The manifest names the state's account and Region only. */
    struct lk_ir_state head;
    memset(&head, 0, sizeof(head));
    head.account = lk_arena_strdup(&c->arena, c->state->account);
    head.region = lk_arena_strdup(&c->arena, c->state->region);
    lk_ir_state_free(c->state);
    c->state = NULL;
    return lk_emit_manifest(&head, arts);
}

void lk_compiled_free(struct lk_compiled *c)
{
    lk_ir_state_free(c->state);
    lk_arena_destroy(&c->arena);
    memset(c, 0, sizeof(*c));
}

/* Notes the stores whose delivery statements took the organisation-wide form (lower.c,
 * s_store_bucket()): each lists aws:SourceOrgID where the other form lists every writer. */
static void s_note_org_form(struct lk_policy *policy, const struct lk_ir_state *st)
{
    for (size_t i = 0; i < st->n_buckets; i++) {
        const struct lk_ir_bucket_policy *pol = &st->buckets[i].policy;
        bool org = false;
        for (size_t k = 0; k < pol->n_statements && !org; k++)
            for (size_t c = 0; c < pol->statements[k].n_conditions && !org; c++)
                org = !strcmp(pol->statements[k].conditions[c].key, "aws:SourceOrgID");
        if (!org)
            continue;
        struct lk_store *store = lk_policy_find_store(policy, lk_str_c(st->buckets[i].store));
        /* A note of the size rule: the limit was met, by widening the statements. */
        struct lk_diag *d = lk_diag_add(
            &policy->diags, "LK206", store ? store->span : LK_SPAN_NONE,
            "the bucket policy of store \"%s\" lets its services deliver from any account of "
            "organization %.*s (aws:SourceOrgID): a statement per account and Region would pass "
            "S3's %d bytes",
            st->buckets[i].store, LK_STR_ARG(policy->organization.v), LK_BUCKET_POLICY_MAX_BYTES);
        lk_diag_set_severity(&policy->diags, d, LK_SEV_NOTE);
        lk_diag_help(&policy->diags, d,
                     "split the sources over several stores to keep per-account statements");
    }
}

int lk_compile_scope(struct lk_policy *policy, struct lk_ir_scope **out_scope)
{
    *out_scope = NULL;
    if (policy->diags.n_errors)
        return 1;
    if (!policy->scope.multi) {
        struct lk_artifacts *arts = lk_xmalloc(sizeof(*arts));
        lk_artifacts_init(arts);
        struct lk_ir_state *st = NULL;
        int rc = lk_compile(policy, &st, arts);
        if (rc != 0) {
            lk_artifacts_free(arts);
            free(arts);
            return rc;
        }
        struct lk_ir_scope *scope = lk_ir_scope_new();
        if (policy->organization.set && policy->organization.v.len)
            scope->organization_id = lk_arena_strndup(&scope->arena, policy->organization.v.ptr,
                                                      policy->organization.v.len);
        lk_ir_scope_add(scope, NULL, st->account, st->region, st, arts);
        *out_scope = scope;
        return 0;
    }
    struct lk_ir_scope *scope = lk_lower_scope(policy);
    for (size_t p = 0; p < scope->n_pairs; p++) {
        struct lk_ir_pair *pair = &scope->pairs[p];
        pair->artifacts = lk_xmalloc(sizeof(*pair->artifacts));
        lk_artifacts_init(pair->artifacts);
        if (lk_emit_all(pair->state, pair->artifacts) != LK_STATUS_OK) {
            lk_ir_scope_free(scope);
            return 2;
        }
        const struct lk_ir_state *st = pair->state;
        for (size_t i = 0; i < st->n_buckets; i++) {
            char path[1100];
            snprintf(path, sizeof(path), "s3/%s/policy.json", st->buckets[i].name);
            const struct lk_artifact *a = lk_artifacts_find(pair->artifacts, path);
            if (a && a->len > LK_BUCKET_POLICY_MAX_BYTES)
                s_report_size(policy, st->buckets[i].store, a->content);
        }
        s_note_org_form(policy, st);
    }
    lk_diags_sort(&policy->diags);
    if (policy->diags.n_errors) {
        lk_ir_scope_free(scope);
        return 1;
    }
    *out_scope = scope;
    return 0;
}

int lk_compile_scope_state(struct lk_policy *policy, struct lk_ir_scope **out_scope)
{
    *out_scope = NULL;
    lk_compile_check_limits(policy);
    if (policy->diags.n_errors) {
        lk_diags_sort(&policy->diags);
        return 1;
    }
    *out_scope = lk_lower_scope(policy);
    return 0;
}
