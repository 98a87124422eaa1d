/*
 * logkeep: the compile pipeline.
 */
#include "compile.h"

#include <stdio.h>
#include <string.h>

#include "lower.h"

int lk_compile(struct lk_policy *policy, struct lk_ir_state **out_state, struct lk_artifacts *out)
{
    *out_state = NULL;
    if (policy->diags.n_errors)
        return 1;
    struct lk_ir_state *st = lk_lower(policy);
    lk_emit_all(st, out);
    /* Bucket policies over S3's limit are a policy error, located at the store. */
    for (size_t i = 0; i < st->n_buckets; i++) {
        char path[1100];
        snprintf(path, sizeof(path), "s3/%s/policy.json", st->buckets[i].name);
        const struct lk_artifact *a = lk_artifacts_find(out, path);
        if (!a || a->len <= LK_BUCKET_POLICY_MAX_BYTES)
            continue;
        struct lk_store *store = lk_policy_find_store(policy, lk_str_c(st->buckets[i].store));
        struct lk_diag *d = lk_diag_add(&policy->diags, "LK206",
                                        store ? store->span : LK_SPAN_NONE,
                                        "the bucket policy of store \"%s\" is %zu bytes; S3 "
                                        "allows %d",
                                        st->buckets[i].store, a->len, LK_BUCKET_POLICY_MAX_BYTES);
        lk_diag_help(&policy->diags, d, "split its sources over several stores");
    }
    if (policy->diags.n_errors) {
        lk_diags_sort(&policy->diags);
        lk_ir_state_free(st);
        return 1;
    }
    *out_state = st;
    return 0;
}
