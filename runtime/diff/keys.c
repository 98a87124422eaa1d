/*
 * logkeep runtime: the diff of KMS key policies. logkeep owns only the statements whose Sid it
 * wrote (lk_ir_sid_owned(), ir.h): those are compared, by Sid, with the desired ones; every
 * other statement of the live key policy is listed as a note and kept by apply as it is. A key
 * policy can lock its owner out of the key (KMS Developer Guide, "Key policies in AWS KMS"), so
 * every change to it needs --allow key-policy:<key-id>.
 */
#include <string.h>

#include "runtime/diff/diff_int.h"

/* The key id of a key ARN (the part after "key/"), or the ARN itself. */
static const char *s_key_id(const char *arn)
{
    const char *k = arn ? strstr(arn, ":key/") : NULL;
    return k ? k + 5 : arn ? arn : "";
}

static void s_list(struct lk_buf *b, const struct lk_ir_string_list *l)
{
    lk_diff_join_list(b, l);
}

/* A short one-line rendering of a statement: "Allow cloudtrail.amazonaws.com kms:GenerateDataKey*
 * if StringLike aws:SourceArn [...]". */
static char *s_stmt_str(struct lk_diff_ctx *c, const struct lk_ir_statement *s)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_LINE);
    lk_buf_puts(&b, s->allow ? "Allow " : "Deny ");
    if (s->principal_kind == LK_IR_PRINCIPAL_ANY)
        lk_buf_puts(&b, "*");
    else
        s_list(&b, &s->principals);
    lk_buf_putc(&b, ' ');
    s_list(&b, &s->actions);
    for (size_t i = 0; i < s->n_conditions; i++) {
        lk_buf_puts(&b, i ? " and " : " if ");
        lk_buf_printf(&b, "%s %s ", s->conditions[i].op, s->conditions[i].key);
        s_list(&b, &s->conditions[i].values);
    }
    return lk_diff_done(c, &b);
}

/* Whether two statements mean the same (lk_ir_policy_equal() of one-statement policies). */
static bool s_stmt_equal(const struct lk_ir_statement *a, const struct lk_ir_statement *b)
{
    struct lk_ir_statement sa = *a, sb = *b;
    struct lk_ir_bucket_policy pa = {.present = true, .statements = &sa, .n_statements = 1};
    struct lk_ir_bucket_policy pb = {.present = true, .statements = &sb, .n_statements = 1};
    return lk_ir_policy_equal(&pa, &pb, LK_IR_EQ_CONFIGURATION, NULL);
}

static const struct lk_ir_statement *s_find_sid(const struct lk_ir_bucket_policy *p,
                                                const char *sid)
{
    for (size_t i = 0; i < p->n_statements; i++)
        if (p->statements[i].sid && sid && !strcmp(p->statements[i].sid, sid))
            return &p->statements[i];
    return NULL;
}

static void s_needs_allow(struct lk_diff_ctx *c, struct lk_diff_change *ch, const char *arn)
{
    lk_diff_allow(c, ch, "key-policy:%s", s_key_id(arn));
}

/* Desired key @p d against live @p l (NULL: not read). */
static void s_key(struct lk_diff_ctx *c, const struct lk_ir_key *d, const struct lk_ir_key *l)
{
    if (!l || (!l->exists && !l->error)) {
        lk_diff_note(c, lk_diff_add(c, "", LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL),
                     "key policy not read");
        return;
    }
    if (l->error) {
        if (!strcmp(l->error, "NotFoundException")) {
            /* logkeep never creates keys: the stores and trails that name it cannot encrypt. */
            struct lk_diff_change *ch =
                lk_diff_add(c, "", LK_DIFF_MISSING, LK_DIFF_WEAKER, "an existing key", NULL);
            lk_diff_note(c, ch, "the key does not exist in %s (logkeep never creates keys)",
                         lk_diff_region_or(d->region, NULL));
        } else {
            lk_diff_note(c, lk_diff_add(c, "policy", LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL),
                         "the key policy cannot be read (%s): not checked", l->error);
        }
        return;
    }
    /* Desired statements: each owned by logkeep, compared by Sid. */
    for (size_t i = 0; i < d->policy.n_statements; i++) {
        const struct lk_ir_statement *ds = &d->policy.statements[i];
        const char *sid = ds->sid ? ds->sid : "";
        const struct lk_ir_statement *ls = s_find_sid(&l->policy, ds->sid);
        lk_diff_origin(c, &ds->origin);
        char *attr = lk_diff_fmt(c, "policy.statement[%s]", sid);
        struct lk_diff_change *ch;
        if (!ls || !lk_ir_sid_owned(ls->sid))
            ch = lk_diff_add(c, attr, LK_DIFF_MISSING, LK_DIFF_WEAKER, s_stmt_str(c, ds), NULL);
        else if (!s_stmt_equal(ds, ls))
            ch = lk_diff_add(c, attr, LK_DIFF_CHANGED, LK_DIFF_WEAKER, s_stmt_str(c, ds),
                             s_stmt_str(c, ls));
        else
            continue;
        s_needs_allow(c, ch, d->arn);
    }
    lk_diff_origin(c, NULL);
    /* Live statements: logkeep's that the policy no longer has are removed; the others are
     * listed and kept. */
    for (size_t i = 0; i < l->policy.n_statements; i++) {
        const struct lk_ir_statement *ls = &l->policy.statements[i];
        char *attr = ls->sid ? lk_diff_fmt(c, "policy.statement[%s]", ls->sid)
                             : lk_diff_fmt(c, "policy.statement[#%zu]", i + 1);
        if (lk_ir_sid_owned(ls->sid)) {
            if (s_find_sid(&d->policy, ls->sid))
                continue;
            struct lk_diff_change *ch =
                lk_diff_add(c, attr, LK_DIFF_EXTRA, LK_DIFF_NEUTRAL, NULL, s_stmt_str(c, ls));
            lk_diff_note(c, ch, "logkeep's statement, no longer in the policy");
            s_needs_allow(c, ch, d->arn);
            continue;
        }
        struct lk_diff_change *ch = lk_diff_add(c, attr, LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL);
        lk_diff_note(c, ch, "not logkeep's, kept as it is: %s", s_stmt_str(c, ls));
    }
}

void lk_diff_keys(struct lk_diff_ctx *c, const struct lk_ir_state *desired,
                  const struct lk_ir_state *live)
{
    for (size_t i = 0; i < desired->n_keys; i++) {
        const struct lk_ir_key *d = &desired->keys[i];
        const struct lk_ir_key *l = NULL;
        for (size_t k = 0; k < live->n_keys && !l; k++)
            if (lk_diff_streq(live->keys[k].arn, d->arn))
                l = &live->keys[k];
        c->res = LK_DIFF_KEY;
        c->name = d->arn;
        c->res_region = d->region;
        c->res_origin = lk_ir_origin_or(&d->origin, NULL);
        c->origin = c->res_origin;
        s_key(c, d, l);
    }
}
