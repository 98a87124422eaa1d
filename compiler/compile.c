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
    /* A trail has two statements of its own (about 900 bytes); other services add a resource
     * to statements their sources share, counted here as if each source brought them along. */
    if (src->type == LK_SRC_CLOUDTRAIL)
        return 1400 + 4 * names;
    return 700 + 2 * names;
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
    struct lk_ir_state *st = lk_lower(policy);
    struct lk_arena tmp;
    lk_arena_init(&tmp);
    for (size_t i = 0; i < st->n_buckets; i++) {
        char *json = lk_emit_bucket_policy_json(&st->buckets[i].policy, &tmp);
        if (!json || strlen(json) > LK_BUCKET_POLICY_MAX_BYTES)
            s_report_size(policy, st->buckets[i].store, json);
    }
    lk_arena_destroy(&tmp);
    lk_ir_state_free(st);
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
