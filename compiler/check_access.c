/*
 * logkeep: access rules (LK201-LK205, LK208). "Everybody can access logs" is a SEC04-BP01
 * anti-pattern: access is granted only through declared roles, to named principals.
 */
#include <string.h>

#include "common/glob.h"
#include "compiler/check_int.h"
#include "compiler/decode_int.h"

static void s_check_principal(struct lk_policy *p, struct lk_role *r, struct lk_text *pr)
{
    struct lk_diags *D = &p->diags;
    if (lk_str_eq_c(pr->v, "*")) {
        struct lk_diag *d = lk_diag_add(D, "LK201", pr->span,
                                        "role \"%.*s\" grants access to \"*\", which matches any "
                                        "principal",
                                        LK_STR_ARG(r->name));
        lk_diag_help(D, d, "name the IAM roles that need access");
        return;
    }
    if (lk_glob_has_wildcard(pr->v, LK_GLOB_QUESTION)) {
        /* "You cannot use a wildcard to match part of a principal name or ARN" (IAM User
         * Guide, "AWS JSON policy elements: Principal"): such a grant could only be written as
         * "*" with conditions, which opens the logs to every principal the conditions let by. */
        struct lk_diag *d = lk_diag_add(D, "LK201", pr->span,
                                        "role \"%.*s\" names \"%.*s\": IAM does not allow "
                                        "wildcards in a principal",
                                        LK_STR_ARG(r->name), LK_STR_ARG(pr->v));
        lk_diag_help(D, d, "name each IAM role that needs access");
        return;
    }
    /* A bare account ID in a policy Principal means that account's root
     * (IAM User Guide, "AWS JSON policy elements: Principal", AWS account principals). */
    struct lk_str account = {0};
    bool root = false;
    if (lk_account_id_valid(pr->v)) {
        account = pr->v;
        root = true;
    } else {
        struct lk_arn a;
        if (lk_arn_split(pr->v, &a) && lk_str_eq_c(a.service, "iam") &&
            lk_str_eq_c(a.resource, "root")) {
            account = a.account;
            root = true;
        }
    }
    if (root && p->account.set && !lk_str_eq(account, p->account.v)) {
        struct lk_diag *d = lk_diag_add(D, "LK202", pr->span,
                                        "role \"%.*s\" grants access to every identity of account "
                                        "%.*s",
                                        LK_STR_ARG(r->name), LK_STR_ARG(account));
        lk_diag_help(D, d, "name the specific roles in that account instead of its root");
    }
}

/* The account of a principal: a bare account ID, or the account field of an IAM ARN. */
static bool s_principal_account(struct lk_str pr, struct lk_str *account)
{
    if (lk_account_id_valid(pr)) {
        *account = pr;
        return true;
    }
    struct lk_arn a;
    if (lk_arn_split(pr, &a) && lk_str_eq_c(a.service, "iam") && lk_account_id_valid(a.account)) {
        *account = a.account;
        return true;
    }
    return false;
}

static bool s_is_root(struct lk_str pr)
{
    struct lk_arn a;
    return lk_account_id_valid(pr) || (lk_arn_split(pr, &a) && lk_str_eq_c(a.service, "iam") &&
                                       lk_str_eq_c(a.resource, "root"));
}

/* LK208: a reader role whose principal is in another account. Allowed, but the grant only
 * works when that account's identity policy allows the read as well ("You must also attach an
 * identity-based policy to the identity that acts as the principal in the request", IAM User
 * Guide, "Cross-account policy evaluation logic"), and the logs leave the account's control:
 * say so once per principal of a role some store reads through. */
static void s_check_cross_account_readers(struct lk_policy *p)
{
    if (!p->account.set)
        return;
    struct lk_diags *D = &p->diags;
    for (size_t i = 0; i < p->n_roles; i++) {
        struct lk_role *r = p->roles[i];
        const struct lk_store *store = NULL;
        for (size_t k = 0; k < p->n_stores && !store; k++)
            for (size_t j = 0; j < p->stores[k]->readers.n && !store; j++)
                if (lk_str_eq(p->stores[k]->readers.items[j].v, r->name))
                    store = p->stores[k];
        if (!store)
            continue;
        for (size_t k = 0; k < r->principals.n; k++) {
            struct lk_text *pr = &r->principals.items[k];
            struct lk_str account;
            /* Another account's root is LK202's error. */
            if (s_is_root(pr->v) || !s_principal_account(pr->v, &account) ||
                lk_str_eq(account, p->account.v))
                continue;
            struct lk_diag *d = lk_diag_add(D, "LK208", pr->span,
                                            "role \"%.*s\" lets a principal of account %.*s read "
                                            "store \"%.*s\" (the policy's account is %.*s)",
                                            LK_STR_ARG(r->name), LK_STR_ARG(account),
                                            LK_STR_ARG(store->name), LK_STR_ARG(p->account.v));
            lk_diag_help(D, d,
                         "a cross-account read also needs an identity policy in account %.*s "
                         "that allows it; the logs can then be copied outside this account",
                         LK_STR_ARG(account));
        }
    }
}

void lk_check_access(struct lk_policy *p)
{
    struct lk_diags *D = &p->diags;
    for (size_t i = 0; i < p->n_roles; i++)
        for (size_t k = 0; k < p->roles[i]->principals.n; k++)
            s_check_principal(p, p->roles[i], &p->roles[i]->principals.items[k]);

    for (size_t i = 0; i < p->n_stores; i++) {
        struct lk_store *s = p->stores[i];
        if (!s->readers.set || s->readers.n == 0) {
            struct lk_diag *d = lk_policy_report(
                p, &s->waivers, "LK203", s->readers.set ? s->readers.span : s->span,
                "store \"%.*s\" has no readers", LK_STR_ARG(s->name));
            if (d && d->severity != LK_SEV_NOTE)
                lk_diag_help(D, d, "declare the role investigators use: readers: [<role>]");
        }
        if (!s->admins.set || s->admins.n == 0) {
            struct lk_diag *d = lk_diag_add(D, "LK204", s->admins.set ? s->admins.span : s->span,
                                            "store \"%.*s\" has no admins", LK_STR_ARG(s->name));
            lk_diag_help(D, d,
                         "the bucket policy denies reconfiguration to everyone but admins; "
                         "name the role that runs logkeep apply");
        }
        for (size_t k = 0; k < s->admins.n; k++) {
            struct lk_role *r = lk_policy_find_role(p, s->admins.items[k].v);
            if (r && r->access_set && r->access == LK_ACCESS_READ) {
                struct lk_diag *d = lk_diag_add(D, "LK205", s->admins.items[k].span,
                                                "role \"%.*s\" is declared access: read but is "
                                                "an admin of store \"%.*s\"",
                                                LK_STR_ARG(r->name), LK_STR_ARG(s->name));
                lk_diag_related(D, d, r->access_span, "access declared here");
            }
        }
    }
    s_check_cross_account_readers(p);
}
