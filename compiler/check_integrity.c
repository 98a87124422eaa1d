/*
 * logkeep: integrity rules (LK401-LK406). "Checking log integrity only when necessary" is a
 * SEC04-BP01 anti-pattern: validation, versioning and locks are on unless a policy says why not.
 */
#include "compiler/check_int.h"
#include "compiler/decode_int.h"

void lk_check_integrity(struct lk_policy *p)
{
    struct lk_diags *D = &p->diags;
    for (size_t i = 0; i < p->n_stores; i++) {
        struct lk_store *s = p->stores[i];
        if (s->versioning.set && !s->versioning.v) {
            if (s->object_lock.set) {
                struct lk_diag *d = lk_diag_add(D, "LK403", s->versioning.span,
                                                "store \"%.*s\" turns versioning off but uses "
                                                "Object Lock",
                                                LK_STR_ARG(s->name));
                lk_diag_related(D, d, s->object_lock.span, "object lock set here");
            } else {
                struct lk_diag *d = lk_policy_report(p, &s->waivers, "LK402", s->versioning.span,
                                                     "store \"%.*s\" turns versioning off",
                                                     LK_STR_ARG(s->name));
                if (d && d->severity != LK_SEV_NOTE)
                    lk_diag_help(D, d, "without versioning an overwrite or delete destroys the "
                                       "only copy of a log");
            }
        }
    }
    /* Object Lock longer than the retention of a source in the store (LK404): report the
     * shortest-lived source once per store, found in one pass over the sources. */
    for (size_t k = 0; k < p->n_srcs; k++) {
        struct lk_source *src = p->srcs[k];
        int64_t days = lk_source_delete_days(src);
        if (!src->store || days < 0)
            continue;
        if (!src->store->shortest_lived || days < lk_source_delete_days(src->store->shortest_lived))
            src->store->shortest_lived = src;
    }
    for (size_t i = 0; i < p->n_stores; i++) {
        struct lk_store *s = p->stores[i];
        if (!s->object_lock.set || !s->object_lock.period.set)
            continue;
        struct lk_source *shortest = s->shortest_lived;
        if (shortest && s->object_lock.period.days > lk_source_delete_days(shortest)) {
            struct lk_diag *d = lk_policy_report(
                p, &s->waivers, "LK404", s->object_lock.period.span,
                "Object Lock keeps objects in store \"%.*s\" for %lld days, longer than source "
                "\"%.*s\" keeps its logs (%lld days)",
                LK_STR_ARG(s->name), (long long)s->object_lock.period.days,
                LK_STR_ARG(shortest->name), (long long)lk_source_delete_days(shortest));
            if (d && d->related.file == LK_SPAN_NONE_FILE) /* keep a waiver's location */
                lk_diag_related(D, d, shortest->span, "source here");
        }
    }
    for (size_t i = 0; i < p->n_srcs; i++) {
        struct lk_source *src = p->srcs[i];
        if (!src->type_set || src->type != LK_SRC_CLOUDTRAIL)
            continue;
        struct lk_trail_cfg *t = src->trail;
        if (t->log_file_validation.set && !t->log_file_validation.v) {
            struct lk_diag *d = lk_policy_report(p, lk_source_waivers(src), "LK401",
                                                 t->log_file_validation.span,
                                                 "trail of source \"%.*s\" turns log file "
                                                 "validation off",
                                                 LK_STR_ARG(src->name));
            if (d && d->severity != LK_SEV_NOTE)
                lk_diag_help(D, d, "digest files are the only proof that delivered logs were not "
                                   "changed; remove the setting (it defaults to true)");
        }
        /* CIS AWS Foundations 3.5 audits the trail's own KmsKeyId ("Ensure CloudTrail logs
         * are encrypted at rest using KMS CMKs": describe-trails, a KmsKeyId on each trail;
         * remediation update-trail --kms-id). A store's default encryption key is not the
         * trail's: the trail then reports no KmsKeyId, and logkeep does not copy the store's
         * key onto the trail, so the trail needs its own kms_key (docs/rules.md, LK405). */
        if (!t->kms_key.set && src->store) {
            bool store_key = src->store->kms_key.set;
            struct lk_diag *d =
                store_key ? lk_policy_report(p, lk_source_waivers(src), "LK405", src->span,
                                             "the trail of source \"%.*s\" has no kms_key; "
                                             "only its store's default encryption uses KMS",
                                             LK_STR_ARG(src->name))
                          : lk_policy_report(p, lk_source_waivers(src), "LK405", src->span,
                                             "CloudTrail logs of source \"%.*s\" are not "
                                             "encrypted with a KMS key",
                                             LK_STR_ARG(src->name));
            if (d && d->severity != LK_SEV_NOTE) {
                if (store_key)
                    lk_diag_help(D, d,
                                 "set trail: { kms_key: \"%.*s\" }: CloudTrail encrypts with the "
                                 "trail's KmsKeyId, which CIS 3.5 checks",
                                 LK_STR_ARG(src->store->kms_key.v));
                else
                    lk_diag_help(D, d, "set trail: { kms_key: <key ARN> }");
            }
        }
        /* "A multi-Region trail must include global service events" (CloudTrail API Reference,
         * CreateTrail IncludeGlobalServiceEvents / InvalidParameterCombinationException). */
        bool multi = !t->multi_region.set || t->multi_region.v;
        if (multi && t->global_service_events.set && !t->global_service_events.v) {
            struct lk_diag *d = lk_diag_add(D, "LK016", t->global_service_events.span,
                                            "a multi-region trail must include global service "
                                            "events");
            lk_diag_help(D, d, "remove global_service_events: false, or set multi_region: false");
        }
        if (t->multi_region.set && !t->multi_region.v)
            lk_policy_report(p, lk_source_waivers(src), "LK406", t->multi_region.span,
                             "trail of source \"%.*s\" records only region %.*s",
                             LK_STR_ARG(src->name), LK_STR_ARG(p->region.v));
    }
}
