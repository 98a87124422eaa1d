/*
 * logkeep: the compile pipeline.
 */
#include "compiler/compile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* An upper bound on the size of a store's generated bucket policy: the fixed statements (with
 * every delivering service and the ELB account in the denies' exemptions, and the bucket's ARN
 * in each), and per source and per principal more than any statement adds for them. A reader's
 * ARN appears in its grant (and its account's root with it) and in the read deny; an admin's in
 * the three denies. */
static size_t s_store_bound(struct lk_policy *p, const struct lk_store *s)
{
    size_t bound = 6144 + 8 * s->bucket.v.len;
    const struct lk_text_list *lists[2] = {&s->readers, &s->admins};
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->n; i++) {
            struct lk_role *r = lk_policy_find_role(p, lists[l]->items[i].v);
            for (size_t k = 0; r && k < r->principals.n; k++)
                bound += 3 * (r->principals.items[k].v.len + 48);
        }
    return bound;
}

static size_t s_source_bound(const struct lk_source *src)
{
    size_t names = src->store->bucket.v.len + src->prefix.v.len + src->name.len;
    /* Every account and Region that writes a source's logs adds its account to resources and
     * conditions and an ARN per Region (delivery.c): about 200 bytes each, past the first. */
    size_t writers = src->n_scope_accounts * (src->n_scope_regions ? src->n_scope_regions : 1);
    size_t extra = writers > 1 ? 200 * (writers - 1) : 0;
    /* A trail has two statements of its own (about 900 bytes); other services add a resource
     * to statements their sources share, counted here as if each source brought them along. */
    if (src->type == LK_SRC_CLOUDTRAIL)
        return 1400 + 4 * names + extra;
    return 700 + 2 * names + extra;
}

void lk_compile_check_limits(struct lk_policy *policy)
{
    if (policy->diags.n_errors)
        return;
    /* Stores are sorted by name: find each source's store index by binary search, so the whole
     * bound costs O(sources log stores). */
    size_t *bound = lk_xcalloc(policy->n_stores + 1, sizeof(*bound));
    for (size_t i = 0; i < policy->n_stores; i++)
        bound[i] = s_store_bound(policy, policy->stores[i]);
    for (size_t i = 0; i < policy->n_srcs; i++) {
        const struct lk_source *src = policy->srcs[i];
        if (!src->store)
            continue;
        size_t lo = 0, hi = policy->n_stores;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = lk_str_cmp(src->store->name, policy->stores[mid]->name);
            if (c == 0) {
                bound[mid] += s_source_bound(src);
                break;
            }
            if (c < 0)
                hi = mid;
            else
                lo = mid + 1;
        }
    }
    bool exact = false;
    for (size_t i = 0; i < policy->n_stores && !exact; i++)
        exact = bound[i] > LK_BUCKET_POLICY_MAX_BYTES;
    free(bound);
    if (!exact)
        return;
    struct lk_ir_scope *scope = lk_lower_scope(policy);
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
