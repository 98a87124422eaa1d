/*
 * logkeep: what a store's protection and its KMS keys need (LK029, LK030, LK207), the KMS key of a
 * source's log groups, and the Region of load balancers' stores (LK039).
 */
#include <string.h>

#include "compiler/check_int.h"
#include "compiler/decode_int.h"

/* A KMS key named by an alias where a key ARN is needed (LK029). @p checked: the ARN's form
 * was already judged (LK023) elsewhere, so only a well-formed ARN of the policy's partition is
 * looked at here, and nothing is reported twice. */
static void s_alias(struct lk_policy *p, const struct lk_text *key, const char *what)
{
    struct lk_arn a;
    if (!key->set || !lk_arn_split(key->v, &a) || !lk_str_eq_c(a.service, "kms") ||
        !lk_str_starts_with(a.resource, "alias/"))
        return;
    const char *want = p->region.set ? lk_region_partition(p->region.v) : NULL;
    if (want && !lk_str_eq_c(a.partition, want))
        return; /* LK023 */
    struct lk_diags *D = &p->diags;
    struct lk_diag *d = lk_diag_add(D, "LK029", key->span,
                                    "%s names the alias \"%.*s\": services that write with it "
                                    "would look the alias up in their own account",
                                    what, LK_STR_ARG(a.resource));
    lk_diag_help(D, d,
                 "name the key by its ARN: arn:%.*s:kms:%.*s:%.*s:key/<key-id> (aws kms "
                 "describe-key --key-id %.*s shows it)",
                 LK_STR_ARG(a.partition), LK_STR_ARG(a.region), LK_STR_ARG(a.account),
                 LK_STR_ARG(a.resource));
}

/* An account (its root) named as an admin (LK207): in the admins' ArnNotLike aws:PrincipalArn
 * exemption it matches the root user only, so every role of the account, the one running
 * logkeep apply included, would be denied. */
static void s_admin_accounts(struct lk_policy *p)
{
    struct lk_diags *D = &p->diags;
    for (size_t i = 0; i < p->n_roles; i++) {
        struct lk_role *r = p->roles[i];
        const struct lk_store *store = NULL;
        const struct lk_text *ref = NULL;
        for (size_t s = 0; s < p->n_stores && !store; s++)
            for (size_t k = 0; k < p->stores[s]->admins.n && !store; k++)
                if (lk_str_eq(p->stores[s]->admins.items[k].v, r->name)) {
                    store = p->stores[s];
                    ref = &p->stores[s]->admins.items[k];
                }
        if (!store)
            continue;
        for (size_t k = 0; k < r->principals.n; k++) {
            const struct lk_text *pr = &r->principals.items[k];
            struct lk_str account = {0};
            struct lk_arn a;
            if (lk_account_id_valid(pr->v))
                account = pr->v;
            else if (lk_arn_split(pr->v, &a) && lk_str_eq_c(a.service, "iam") &&
                     lk_str_eq_c(a.resource, "root"))
                account = a.account;
            else
                continue;
            struct lk_diag *d =
                lk_diag_add(D, "LK207", pr->span,
                            "role \"%.*s\" is an admin of store \"%.*s\" but "
                            "names account %.*s, which as an admin exempts only "
                            "its root user",
                            LK_STR_ARG(r->name), LK_STR_ARG(store->name), LK_STR_ARG(account));
            lk_diag_related(D, d, ref->span, "admin named here");
            const char *part = p->region.set ? lk_region_partition(p->region.v) : NULL;
            lk_diag_help(D, d,
                         "name the roles that administer the store, such as "
                         "arn:%s:iam::%.*s:role/<role-name>",
                         part ? part : "aws", LK_STR_ARG(account));
        }
    }
}

/* A load balancer writes its access logs only to a bucket in its own Region (LK039): "The bucket
 * must be located in the same Region as the load balancer. The bucket and the load balancer can
 * be owned by different accounts." (Elastic Load Balancing, "Enable access logs for your
 * Application Load Balancer" and "... for your Network Load Balancer", Bucket requirements). A
 * source of load balancer logs therefore covers only its store's Region. */
static void s_load_balancer_regions(struct lk_policy *p)
{
    struct lk_diags *D = &p->diags;
    for (size_t i = 0; i < p->n_srcs; i++) {
        struct lk_source *src = p->srcs[i];
        if (!src->type_set || (src->type != LK_SRC_ELB && src->type != LK_SRC_NLB) ||
            !src->store || !src->store->scope_region)
            continue;
        const char *store_region = src->store->scope_region;
        for (size_t k = 0; k < src->n_scope_regions; k++) {
            if (!strcmp(src->scope_regions[k], store_region))
                continue;
            const struct lk_text_list *regions = &lk_source_more(src)->regions;
            struct lk_span at = regions->set ? regions->span : src->type_span;
            struct lk_diag *d =
                lk_diag_add(D, "LK039", at,
                            "load balancers in %s cannot write into store \"%.*s\" in %s: a load "
                            "balancer logs only to a bucket of its own Region",
                            src->scope_regions[k], LK_STR_ARG(src->store->name), store_region);
            lk_diag_related(D, d, src->store->span, "store defined here");
            lk_diag_help(D, d,
                         "give the source regions: [%s], and a store (with its own source) in "
                         "each other Region whose load balancers log",
                         store_region);
            break;
        }
    }
}

void lk_check_stores(struct lk_policy *p)
{
    struct lk_diags *D = &p->diags;
    for (size_t i = 0; i < p->n_stores; i++)
        s_alias(p, &p->stores[i]->kms_key, "encryption.kms_key");
    for (size_t i = 0; i < p->n_srcs; i++) {
        struct lk_source *src = p->srcs[i];
        if (src->trail)
            s_alias(p, &src->trail->kms_key, "trail.kms_key");
        const struct lk_text *kms_key = &lk_source_more(src)->kms_key;
        if (kms_key->set) {
            bool groups = (src->log_groups.set && src->log_groups.n > 0) ||
                          (src->trail && src->trail->cloudwatch.log_group.set);
            if (!groups) {
                struct lk_diag *d = lk_diag_add(D, "LK027", kms_key->span,
                                                "source \"%.*s\" has a kms_key but no log groups "
                                                "to encrypt",
                                                LK_STR_ARG(src->name));
                lk_diag_help(D, d,
                             "kms_key encrypts the source's CloudWatch Logs log groups; "
                             "a store's objects take the store's encryption.kms_key");
            } else if (lk_check_kms_arn(p, kms_key)) {
                s_alias(p, kms_key, "kms_key");
            }
        }
        /* "GuardDuty requires ... a KMS key to encrypt the findings" exported to S3 (GuardDuty
         * User Guide, "Exporting generated findings to Amazon S3": the publishing destination
         * takes a KmsKeyArn, CreatePublishingDestination DestinationProperties). */
        if (src->type_set && src->type == LK_SRC_GUARDDUTY && src->store &&
            !src->store->kms_key.set) {
            struct lk_diag *d = lk_diag_add(D, "LK030", src->store_ref.span,
                                            "GuardDuty exports findings only with a KMS key, and "
                                            "store \"%.*s\" has none",
                                            LK_STR_ARG(src->store->name));
            lk_diag_related(D, d, src->store->span, "store defined here");
            lk_diag_help(D, d,
                         "give the store encryption: { kms_key: "
                         "arn:aws:kms:<region>:<account>:key/<key-id> }");
        }
    }
    s_admin_accounts(p);
    s_load_balancer_regions(p);
}
