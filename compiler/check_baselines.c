/*
 * logkeep: baselines named by a policy (LK5xx).
 *
 * This file knows the names of the built-in baselines; their requirements are data files under
 * policies/ (see docs/baselines.md).
 */
#include <stdlib.h>

#include "decode_int.h"

static const char *const s_builtin[] = {
    "cis-aws-foundations-3.0", "fedramp-rev5", "gdpr",        "hipaa",       "omb-m-21-31",
    "omb-m-26-14",             "pci-dss-4.0",  "sec04-bp01",  "sox",
};

const char *const *lk_baseline_names(size_t *n)
{
    *n = sizeof(s_builtin) / sizeof(s_builtin[0]);
    return s_builtin;
}

void lk_check_baselines(struct lk_policy *p)
{
    size_t n;
    const char *const *names = lk_baseline_names(&n);
    for (size_t i = 0; i < p->baselines.n; i++) {
        struct lk_text *b = &p->baselines.items[i];
        bool known = false;
        for (size_t k = 0; k < n && !known; k++)
            known = lk_str_eq_c(b->v, names[k]);
        if (known)
            continue;
        struct lk_diag *d = lk_diag_add(&p->diags, "LK501", b->span, "unknown baseline \"%.*s\"",
                                        LK_STR_ARG(b->v));
        const char *s = lk_suggest(b->v, names, n);
        if (s)
            lk_diag_help(&p->diags, d, "did you mean \"%s\"?", s);
        else
            lk_diag_help(&p->diags, d, "built-in baselines: sec04-bp01, pci-dss-4.0, hipaa, sox, "
                                       "omb-m-21-31, omb-m-26-14, cis-aws-foundations-3.0, "
                                       "fedramp-rev5, gdpr");
    }
}
