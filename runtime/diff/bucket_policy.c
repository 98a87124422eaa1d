/*
 * logkeep runtime: the diff of an S3 bucket policy, by meaning rather than spelling: statements
 * pair by Sid and content whatever their order, lists are sets, and the spellings IAM treats as
 * one (an account ID and its root ARN, "*" and {"AWS": "*"}, the case of actions and condition
 * keys) compare equal. emit_policy.c writes the desired document.
 *
 * Only the statements logkeep owns (lk_ir_sid_owned(): a Sid with LK_IR_SID_PREFIX, or one
 * it wrote before) are compared with the desired ones; every other live statement is foreign:
 * apply keeps it as it is (runtime/apply.c merges by Sid), and the diff lists it as a note,
 * marked weaker when it weakens the store (docs/logkeep.1, "Foreign statements").
 *
 * Layout: string sets and IAM wildcards; normalised statements; coverage (what one statement
 * allows or denies that another does not); foreign statements; the changes.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/diff/diff_int.h"

/* ------------------------------------------------------------------------------ string sets */

/* A growable set of borrowed strings in scratch memory. */
struct s_strs {
    const char **items;
    size_t n;
    size_t cap;
};

static void s_strs_add(struct lk_arena *a, struct s_strs *l, const char *s)
{
    LK_ARENA_ARRAY_GROW(a, l->items, l->n, l->cap);
    l->items[l->n++] = s;
}

static int s_cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void s_strs_sort_unique(struct s_strs *l)
{
    if (l->n < 2)
        return;
    qsort(l->items, l->n, sizeof(*l->items), s_cmp_cstr);
    size_t w = 1;
    for (size_t i = 1; i < l->n; i++)
        if (strcmp(l->items[i], l->items[w - 1]) != 0)
            l->items[w++] = l->items[i];
    l->n = w;
}

/* @return true when every item of @p sub is in @p set (both sorted and unique). */
static bool s_strs_subset(const struct s_strs *sub, const struct s_strs *set)
{
    size_t j = 0;
    for (size_t i = 0; i < sub->n; i++) {
        while (j < set->n && strcmp(set->items[j], sub->items[i]) < 0)
            j++;
        if (j == set->n || strcmp(set->items[j], sub->items[i]) != 0)
            return false;
    }
    return true;
}

/* IAM wildcard matching: '*' matches any run of characters, '?' any one character (IAM JSON
 * policy element reference, "Action" and "Resource"). */
static bool s_glob(const char *p, const char *s)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*p == '*') {
            star = p++;
            resume = s;
        } else if (*p == '?' || *p == *s) {
            p++;
            s++;
        } else if (star) {
            p = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

/* @return true when every item of @p narrow is matched by a pattern of @p wide. */
static bool s_strs_covered(const struct s_strs *wide, const struct s_strs *narrow)
{
    for (size_t i = 0; i < narrow->n; i++) {
        bool hit = false;
        for (size_t k = 0; k < wide->n && !hit; k++)
            hit = s_glob(wide->items[k], narrow->items[i]);
        if (!hit)
            return false;
    }
    return true;
}

static char *s_lower(struct lk_diff_ctx *c, const char *s)
{
    char *o = lk_arena_strdup(c->tmp, s);
    for (char *p = o; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return o;
}
static char *s_list_str(struct lk_diff_ctx *c, const struct lk_ir_string_list *l)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_LINE);
    lk_diff_join_list(&b, l);
    return lk_diff_done(c, &b);
}

/* ------------------------------------------------------------------------------ statements */

/* A condition, normalised for comparison. */
struct s_ncond {
    const char *op;
    const char *key; /* lower case: "Context key names are not case-sensitive" (IAM JSON
                      * policy elements: Condition) */
    struct s_strs values;
    bool negated; /* a Not operator: true when the context matches none of the values */
};

/* A statement, normalised for comparison. */
struct s_nstmt {
    const struct lk_ir_statement *src;
    const char *sid;
    const char *label; /* the Sid, or "#n" for the n-th statement without one */
    bool allow;
    enum lk_ir_principal_kind kind;
    struct s_strs principals;
    struct s_strs actions; /* lower case */
    struct s_strs resources;
    struct s_ncond *conds;
    size_t n_conds;
    char *content; /* everything but the Sid, as text: equal text = equal meaning */
    bool used;
};

/* "You can specify ... the account ARN (arn:aws:iam::account-ID:root), or a shortened form
 * that consists of the "AWS": prefix followed by the account ID ... The account ARN and the
 * shortened account ID behave the same way." (IAM JSON policy elements: Principal). */
static bool s_is_account_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!isdigit((unsigned char)s[n]))
            return false;
    return n == 12;
}

/* Values whose comparison ignores case: Bool and Null take "true"/"false", and the
 * ...IgnoreCase string operators say so (IAM JSON policy elements: Condition operators). */
static bool s_op_ci(const char *op)
{
    return !strcmp(op, "Bool") || !strcmp(op, "Null") || strstr(op, "IgnoreCase") != NULL;
}

static int s_cmp_ncond(const void *a, const void *b)
{
    const struct s_ncond *x = a, *y = b;
    int c = strcmp(x->op, y->op);
    return c ? c : strcmp(x->key, y->key);
}

static void s_content_list(struct lk_buf *b, const struct s_strs *l)
{
    for (size_t i = 0; i < l->n; i++) {
        lk_buf_puts(b, l->items[i]);
        lk_buf_putc(b, '\x1e');
    }
    lk_buf_putc(b, '\x1f');
}

/* Spellings that policy_json.c already unifies when it reads a document are unified again here,
 * so that a state built by other means (tests, a future reader) compares the same: S3 returns a
 * one-element list as a plain string (GetBucketPolicy), which the IR already holds as a list;
 * "*" may be written {"AWS": "*"}; an account may be its ID or its root ARN. */
static void s_normalize(struct lk_diff_ctx *c, const struct lk_ir_statement *s, struct s_nstmt *n)
{
    memset(n, 0, sizeof(*n));
    n->src = s;
    n->sid = s->sid;
    n->allow = s->allow;
    n->kind = s->principal_kind;
    /* "Principal": "*" and {"AWS": "*"} are the same: everyone (IAM JSON policy elements:
     * Principal, "All principals"). */
    bool any = s->principal_kind == LK_IR_PRINCIPAL_ANY;
    for (size_t i = 0; i < s->principals.n && !any; i++) {
        const char *p = s->principals.items[i];
        if (s->principal_kind == LK_IR_PRINCIPAL_AWS && !strcmp(p, "*"))
            any = true;
        else if (s->principal_kind == LK_IR_PRINCIPAL_AWS && s_is_account_id(p))
            s_strs_add(c->tmp, &n->principals,
                       lk_diff_fmt(c, "arn:%s:iam::%s:root", c->partition, p));
        else
            s_strs_add(c->tmp, &n->principals, p);
    }
    if (any) {
        n->kind = LK_IR_PRINCIPAL_ANY;
        n->principals.n = 0;
    }
    s_strs_sort_unique(&n->principals);
    /* "The prefix and the action name are case insensitive. For example, iam:ListAccessKeys is
     * the same as IAM:listaccesskeys." (IAM JSON policy elements: Action) */
    for (size_t i = 0; i < s->actions.n; i++)
        s_strs_add(c->tmp, &n->actions, s_lower(c, s->actions.items[i]));
    s_strs_sort_unique(&n->actions);
    for (size_t i = 0; i < s->resources.n; i++)
        s_strs_add(c->tmp, &n->resources, s->resources.items[i]);
    s_strs_sort_unique(&n->resources);

    n->conds = lk_arena_alloc(c->tmp, (s->n_conditions ? s->n_conditions : 1) * sizeof(*n->conds));
    for (size_t i = 0; i < s->n_conditions; i++) {
        const struct lk_ir_condition *sc = &s->conditions[i];
        const char *key = s_lower(c, sc->key);
        struct s_ncond *nc = NULL;
        for (size_t k = 0; k < n->n_conds && !nc; k++)
            if (!strcmp(n->conds[k].op, sc->op) && !strcmp(n->conds[k].key, key))
                nc = &n->conds[k];
        if (!nc) {
            nc = &n->conds[n->n_conds++];
            memset(nc, 0, sizeof(*nc));
            nc->op = sc->op;
            nc->key = key;
            nc->negated = strstr(sc->op, "Not") != NULL;
        }
        for (size_t v = 0; v < sc->values.n; v++)
            s_strs_add(c->tmp, &nc->values,
                       s_op_ci(sc->op) ? s_lower(c, sc->values.items[v]) : sc->values.items[v]);
    }
    for (size_t k = 0; k < n->n_conds; k++)
        s_strs_sort_unique(&n->conds[k].values);
    if (n->n_conds > 1)
        qsort(n->conds, n->n_conds, sizeof(*n->conds), s_cmp_ncond);

    /* A comparison key, not a label: it holds the whole statement, which a policy document
     * bounds (a state document is read back up to 64 MiB). */
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_DOCUMENT);
    lk_buf_printf(&b, "%s\x1f%d\x1f", n->allow ? "Allow" : "Deny", (int)n->kind);
    s_content_list(&b, &n->principals);
    s_content_list(&b, &n->actions);
    s_content_list(&b, &n->resources);
    for (size_t k = 0; k < n->n_conds; k++) {
        lk_buf_printf(&b, "%s\x1d%s\x1d", n->conds[k].op, n->conds[k].key);
        s_content_list(&b, &n->conds[k].values);
    }
    n->content = lk_diff_done(c, &b);
}

static int s_cmp_nstmt(const void *a, const void *b)
{
    const struct s_nstmt *x = a, *y = b;
    if (!x->sid != !y->sid)
        return x->sid ? 1 : -1;
    int r = x->sid ? strcmp(x->sid, y->sid) : 0;
    return r ? r : strcmp(x->content, y->content);
}

static struct s_nstmt *s_normalize_all(struct lk_diff_ctx *c, const struct lk_ir_bucket_policy *p,
                                       size_t *n_out)
{
    size_t n = p->present ? p->n_statements : 0;
    struct s_nstmt *v = lk_arena_alloc(c->tmp, (n ? n : 1) * sizeof(*v));
    for (size_t i = 0; i < n; i++)
        s_normalize(c, &p->statements[i], &v[i]);
    if (n > 1)
        qsort(v, n, sizeof(*v), s_cmp_nstmt);
    size_t anonymous = 0;
    for (size_t i = 0; i < n; i++)
        v[i].label = v[i].sid ? v[i].sid : lk_diff_fmt(c, "#%zu", ++anonymous);
    *n_out = n;
    return v;
}

/* "Deliveries": statements that let a service, or a named account such as the Regional Elastic
 * Load Balancing account, write log objects (delivery.c). Without them logs are not delivered.
 * Everyone ("*") is never a delivery, and neither is a wildcard action: narrowing those back is
 * the point of the policy. */
static bool s_is_delivery(const struct s_nstmt *s)
{
    if (!s->allow || s->kind == LK_IR_PRINCIPAL_ANY)
        return false;
    if (s->kind == LK_IR_PRINCIPAL_SERVICE)
        return true;
    for (size_t i = 0; i < s->actions.n; i++)
        if (!strcmp(s->actions.items[i], "s3:putobject"))
            return true;
    return false;
}

/* Whether @p w names at least every principal @p n names. */
static bool s_principals_cover(const struct s_nstmt *w, const struct s_nstmt *n)
{
    if (w->kind == LK_IR_PRINCIPAL_ANY)
        return true;
    if (n->kind != w->kind)
        return false;
    return s_strs_subset(&n->principals, &w->principals);
}

/* Whether condition @p a being true makes condition @p b true: same operator and key, and for
 * a positive operator (true when the context matches any value) a's values within b's; for a
 * negated one (true when it matches none), b's within a's. */
static bool s_cond_implies(const struct s_ncond *a, const struct s_ncond *b)
{
    if (strcmp(a->op, b->op) != 0 || strcmp(a->key, b->key) != 0)
        return false;
    return a->negated ? s_strs_subset(&b->values, &a->values)
                      : s_strs_subset(&a->values, &b->values);
}

/* Whether statement @p w applies whenever @p n does, as far as conditions go: every condition of
 * @p w follows from one of @p n (all conditions of a statement must hold). */
static bool s_conds_cover(const struct s_nstmt *w, const struct s_nstmt *n)
{
    for (size_t i = 0; i < w->n_conds; i++) {
        bool implied = false;
        for (size_t k = 0; k < n->n_conds && !implied; k++)
            implied = s_cond_implies(&n->conds[k], &w->conds[i]);
        if (!implied)
            return false;
    }
    return true;
}

/* Whether @p w allows (or denies) at least everything @p n does. */
static bool s_stmt_covers(const struct s_nstmt *w, const struct s_nstmt *n)
{
    return w->allow == n->allow && s_principals_cover(w, n) &&
           s_strs_covered(&w->actions, &n->actions) &&
           s_strs_covered(&w->resources, &n->resources) && s_conds_cover(w, n);
}

/* @return the first statement of @p v that allows (or denies) everything @p s does, or NULL. */
static const struct s_nstmt *s_covered_by(const struct s_nstmt *v, size_t n,
                                          const struct s_nstmt *s)
{
    for (size_t i = 0; i < n; i++)
        if (s_stmt_covers(&v[i], s))
            return &v[i];
    return NULL;
}

/* How far the live side of one statement element reaches against the desired side. */
enum s_scope {
    S_SAME,
    S_WIDER,
    S_NARROWER,
    S_MIXED,
};

static enum s_scope s_scope_of(bool live_covers_desired, bool desired_covers_live)
{
    if (live_covers_desired && desired_covers_live)
        return S_SAME;
    if (live_covers_desired)
        return S_WIDER;
    return desired_covers_live ? S_NARROWER : S_MIXED;
}

/* An Allow reaching further, or a Deny reaching less far, is weaker; an Allow that lets a
 * service deliver logs reaching less far is weaker too (logs are not delivered). Mixed changes
 * are weaker: something reaches further or less far where it matters. */
static enum lk_diff_direction s_scope_dir(bool allow, bool delivery, enum s_scope sc)
{
    switch (sc) {
    case S_SAME:
        return LK_DIFF_NEUTRAL;
    case S_WIDER:
        return allow ? LK_DIFF_WEAKER : LK_DIFF_STRONGER;
    case S_NARROWER:
        return allow && !delivery ? LK_DIFF_STRONGER : LK_DIFF_WEAKER;
    case S_MIXED:
        return LK_DIFF_WEAKER;
    }
    return LK_DIFF_NEUTRAL;
}

static void s_principal_render(struct lk_buf *b, const struct lk_ir_statement *s)
{
    if (s->principal_kind == LK_IR_PRINCIPAL_ANY) {
        lk_buf_putc(b, '*');
        return;
    }
    lk_buf_puts(b, s->principal_kind == LK_IR_PRINCIPAL_AWS ? "AWS:" : "Service:");
    lk_diff_join_list(b, &s->principals);
}

static void s_conditions_render(struct lk_buf *b, const struct lk_ir_statement *s)
{
    for (size_t i = 0; i < s->n_conditions; i++) {
        const struct lk_ir_condition *k = &s->conditions[i];
        lk_buf_printf(b, "%s%s %s=", i ? "; " : "", k->op, k->key);
        lk_diff_join_list(b, &k->values);
    }
}

static char *s_stmt_str(struct lk_diff_ctx *c, const struct lk_ir_statement *s)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_LINE);
    lk_buf_puts(&b, s->allow ? "Allow " : "Deny ");
    s_principal_render(&b, s);
    lk_buf_putc(&b, ' ');
    lk_diff_join_list(&b, &s->actions);
    lk_buf_puts(&b, " on ");
    lk_diff_join_list(&b, &s->resources);
    if (s->n_conditions) {
        lk_buf_puts(&b, " if ");
        s_conditions_render(&b, s);
    }
    return lk_diff_done(c, &b);
}

static char *s_principals_str(struct lk_diff_ctx *c, const struct lk_ir_statement *s)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_LINE);
    s_principal_render(&b, s);
    return lk_diff_done(c, &b);
}

static char *s_conditions_str(struct lk_diff_ctx *c, const struct lk_ir_statement *s)
{
    if (!s->n_conditions)
        return lk_diff_fmt(c, "none");
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_LINE);
    s_conditions_render(&b, s);
    return lk_diff_done(c, &b);
}

/* One element of a statement both sides hold under one Sid. */
static void s_element(struct lk_diff_ctx *c, const char *bucket, const struct s_nstmt *d,
                      const struct s_nstmt *l, const char *element, bool live_covers,
                      bool desired_covers, const char *dv, const char *lv)
{
    enum s_scope sc = s_scope_of(live_covers, desired_covers);
    if (sc == S_SAME)
        return;
    struct lk_diff_change *ch =
        lk_diff_add(c, lk_diff_fmt(c, "policy.statement[%s].%s", d->label, element),
                    LK_DIFF_CHANGED, s_scope_dir(d->allow, s_is_delivery(d), sc), dv, lv);
    /* The desired element does not reach everything the live one does: applying takes some
     * delivery permission away from a service writing logs. */
    if (s_is_delivery(l) && !desired_covers)
        lk_diff_allow(c, ch, "stop-delivery:%s/%s", bucket, l->label);
}

static void s_statement_changes(struct lk_diff_ctx *c, const char *bucket, const struct s_nstmt *d,
                                const struct s_nstmt *l)
{
    if (d->allow != l->allow) {
        enum lk_diff_direction dir = !d->allow          ? LK_DIFF_WEAKER
                                     : s_is_delivery(d) ? LK_DIFF_WEAKER
                                                        : LK_DIFF_STRONGER;
        struct lk_diff_change *ch =
            lk_diff_add(c, lk_diff_fmt(c, "policy.statement[%s]", d->label), LK_DIFF_CHANGED, dir,
                        s_stmt_str(c, d->src), s_stmt_str(c, l->src));
        if (s_is_delivery(l))
            lk_diff_allow(c, ch, "stop-delivery:%s/%s", bucket, l->label);
        return;
    }
    s_element(c, bucket, d, l, "principals", s_principals_cover(l, d), s_principals_cover(d, l),
              s_principals_str(c, d->src), s_principals_str(c, l->src));
    s_element(c, bucket, d, l, "actions", s_strs_covered(&l->actions, &d->actions),
              s_strs_covered(&d->actions, &l->actions), s_list_str(c, &d->src->actions),
              s_list_str(c, &l->src->actions));
    s_element(c, bucket, d, l, "resources", s_strs_covered(&l->resources, &d->resources),
              s_strs_covered(&d->resources, &l->resources), s_list_str(c, &d->src->resources),
              s_list_str(c, &l->src->resources));
    /* Conditions narrow a statement: the live one reaches further when its conditions follow
     * from the desired ones. */
    s_element(c, bucket, d, l, "conditions", s_conds_cover(l, d), s_conds_cover(d, l),
              s_conditions_str(c, d->src), s_conditions_str(c, l->src));
}

/* ------------------------------------------------------------------------------ foreign */

/* What the desired statements declare: the principals that may read or administer the store
 * (the AWS principals of its Allow statements, and the aws:PrincipalArn values its conditions
 * name, readers and admins alike) and the services that deliver into it. */
struct s_declared {
    struct s_strs arns;     /* IAM ARN patterns */
    struct s_strs services; /* service principals, lower case */
};

static void s_declared_of(struct lk_diff_ctx *c, const struct s_nstmt *d, size_t nd,
                          struct s_declared *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < nd; i++) {
        /* An Allow to the account narrowed by a positive aws:PrincipalArn condition (the shape
         * for roles that can be re-created) declares the condition's roles, not the account. */
        bool narrowed = false;
        for (size_t k = 0; k < d[i].n_conds; k++)
            narrowed = narrowed ||
                       (!d[i].conds[k].negated && !strcmp(d[i].conds[k].key, "aws:principalarn"));
        if (d[i].allow && d[i].kind == LK_IR_PRINCIPAL_AWS && !narrowed)
            for (size_t k = 0; k < d[i].principals.n; k++)
                s_strs_add(c->tmp, &out->arns, d[i].principals.items[k]);
        if (d[i].allow && d[i].kind == LK_IR_PRINCIPAL_SERVICE)
            for (size_t k = 0; k < d[i].principals.n; k++)
                s_strs_add(c->tmp, &out->services, s_lower(c, d[i].principals.items[k]));
        for (size_t k = 0; k < d[i].n_conds; k++) {
            const struct s_ncond *nc = &d[i].conds[k];
            struct s_strs *to = !strcmp(nc->key, "aws:principalarn")           ? &out->arns
                                : !strcmp(nc->key, "aws:principalservicename") ? &out->services
                                                                               : NULL;
            for (size_t v = 0; to && v < nc->values.n; v++)
                s_strs_add(c->tmp, to, nc->values.items[v]);
        }
    }
}

/* Whether one of the patterns of @p set matches @p s (ARNs and service names compare as IAM's
 * ArnLike and StringLike do: '*' and '?' wildcards). */
static bool s_matched(const struct s_strs *set, const char *s)
{
    for (size_t i = 0; i < set->n; i++)
        if (s_glob(set->items[i], s))
            return true;
    return false;
}

/* Whether @p s allows or denies one of the actions named. */
static bool s_acts(const struct s_nstmt *s, const char *const *actions)
{
    for (; *actions; actions++)
        for (size_t i = 0; i < s->actions.n; i++)
            if (s_glob(s->actions.items[i], *actions))
                return true;
    return false;
}

static const char *const s_reads[] = {"s3:getobject", "s3:getobjectversion", "s3:listbucket",
                                      "s3:listbucketversions", NULL};
static const char *const s_writes[] = {"s3:putobject", "s3:putobjectacl", "s3:putobjectretention",
                                       NULL};
static const char *const s_deletes[] = {"s3:deleteobject", "s3:deleteobjectversion", NULL};
static const char *const s_admin_changes[] = {"s3:putbucketpolicy", "s3:deletebucketpolicy",
                                              "s3:putlifecycleconfiguration", NULL};

/* Whether a condition of @p s pins who may call, so that S3 does not count a grant to "*" as
 * public: a fixed aws:SourceIp, aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner,
 * aws:SourceAccount, s3:x-amz-server-side-encryption-aws-kms-key-id or aws:userid (S3 User
 * Guide, "The meaning of "public"", and S3 API Reference, PublicAccessBlockConfiguration). A
 * negated or ...IfExists operator, or a wildcard value, pins nothing. */
static bool s_pinned(const struct s_nstmt *s)
{
    static const char *const keys[] = {
        "aws:sourceip",    "aws:sourcearn",
        "aws:sourcevpc",   "aws:sourcevpce",
        "aws:sourceowner", "aws:sourceaccount",
        "aws:userid",      "s3:x-amz-server-side-encryption-aws-kms-key-id"};
    for (size_t k = 0; k < s->n_conds; k++) {
        const struct s_ncond *nc = &s->conds[k];
        if (nc->negated || strstr(nc->op, "IfExists") || !nc->values.n)
            continue;
        bool fixed = true;
        for (size_t v = 0; v < nc->values.n && fixed; v++)
            fixed = !strchr(nc->values.items[v], '*') && !strchr(nc->values.items[v], '?');
        for (size_t i = 0; fixed && i < sizeof(keys) / sizeof(keys[0]); i++)
            if (!strcmp(nc->key, keys[i]))
                return true;
    }
    return false;
}

/* @return the first principal an Allow grants to that the desired policy does not declare, or
 * NULL. A positive aws:PrincipalArn condition narrows the grant to its values. */
static const char *s_undeclared(const struct s_nstmt *s, const struct s_declared *dc)
{
    for (size_t k = 0; k < s->n_conds; k++) {
        const struct s_ncond *nc = &s->conds[k];
        if (nc->negated || strcmp(nc->key, "aws:principalarn") != 0)
            continue;
        for (size_t v = 0; v < nc->values.n; v++)
            if (!s_matched(&dc->arns, nc->values.items[v]))
                return nc->values.items[v];
        return NULL;
    }
    if (s->kind == LK_IR_PRINCIPAL_ANY)
        return "*";
    for (size_t i = 0; i < s->principals.n; i++) {
        const char *p = s->principals.items[i];
        if (s->kind == LK_IR_PRINCIPAL_SERVICE ? !s_matched(&dc->services, p)
                                               : !s_matched(&dc->arns, p))
            return p;
    }
    return NULL;
}

/* @return why foreign statement @p s weakens the store, or NULL. */
static const char *s_weakens(struct lk_diff_ctx *c, const struct s_nstmt *s,
                             const struct s_declared *dc)
{
    if (s->allow) {
        if (s->kind == LK_IR_PRINCIPAL_ANY && !s_pinned(s))
            return "it allows everyone (\"*\") without a condition that pins the caller";
        const char *what = s_acts(s, s_deletes)  ? "deletes"
                           : s_acts(s, s_writes) ? "writes"
                           : s_acts(s, s_reads)  ? "reads"
                                                 : NULL;
        const char *who = what ? s_undeclared(s, dc) : NULL;
        if (who)
            return lk_diff_fmt(c,
                               "it allows %s to %s, neither a declared reader nor admin nor a "
                               "service delivering into the store",
                               what, who);
        return NULL;
    }
    /* A Deny is judged only without conditions: a condition may well exempt the services and
     * the deployer, which the diff cannot evaluate. */
    if (s->n_conds)
        return NULL;
    bool everyone = s->kind == LK_IR_PRINCIPAL_ANY || s->kind == LK_IR_PRINCIPAL_AWS;
    bool service = false;
    for (size_t i = 0; s->kind == LK_IR_PRINCIPAL_SERVICE && i < s->principals.n; i++)
        service = service || s_matched(&dc->services, s->principals.items[i]);
    if ((everyone || service) && s_acts(s, s_writes))
        return "it denies object writes without exemption: a service delivering into the store "
               "is blocked";
    if (everyone && s_acts(s, s_admin_changes))
        return "it denies policy or lifecycle changes without exemption: the deployer (apply) "
               "is blocked";
    return NULL;
}

/* A live statement logkeep does not own (its Sid lacks LK_IR_SID_PREFIX): apply keeps it as it
 * is, so it is no drift, only a note; one that weakens the store is marked weaker. */
static void s_foreign(struct lk_diff_ctx *c, const struct s_declared *dc, const struct s_nstmt *s)
{
    const char *why = s_weakens(c, s, dc);
    lk_diff_origin(c, NULL);
    struct lk_diff_change *ch = lk_diff_add(c, lk_diff_fmt(c, "policy.statement[%s]", s->label),
                                            LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL);
    if (why) {
        /* A note is no drift (apply leaves it), but the plan flags it. */
        ch->direction = LK_DIFF_WEAKER;
        lk_diff_note(c, ch, "foreign statement, kept; weakens the store: %s: %s", why,
                     s_stmt_str(c, s->src));
    } else {
        lk_diff_note(c, ch, "foreign statement, kept: %s", s_stmt_str(c, s->src));
    }
}

void lk_diff_bucket_policy(struct lk_diff_ctx *c, const struct lk_ir_bucket *db,
                           const struct lk_ir_bucket *lb)
{
    const struct lk_ir_bucket_policy *dp = &db->policy, *lp = &lb->policy;
    if (!dp->present && !lp->present)
        return;
    size_t nd, n_all;
    struct s_nstmt *d = s_normalize_all(c, dp, &nd);
    struct s_nstmt *all = s_normalize_all(c, lp, &n_all);
    struct lk_diff_change *ch;
    /* Only logkeep's own statements are compared; the others are kept as they are
     * (s_foreign()). Their labels come from the whole document, so "#2" stays "#2". */
    size_t nl = 0;
    struct s_nstmt *l = lk_arena_alloc(c->tmp, (n_all ? n_all : 1) * sizeof(*l));
    for (size_t k = 0; k < n_all; k++)
        if (lk_ir_sid_owned(all[k].sid))
            l[nl++] = all[k];

    /* Version 2008-10-17 lacks policy variables; logkeep's statements use none, so the two
     * versions mean the same here, but a rewrite would change what the document says. */
    lk_diff_origin(c, NULL);
    if (dp->present && lp->present && !lk_diff_streq(dp->version, lp->version))
        lk_diff_note(c,
                     lk_diff_add(c, "policy.version", LK_DIFF_CHANGED, LK_DIFF_NEUTRAL, dp->version,
                                 lp->version),
                     "no policy variables are used");

    /* Pairing, each pass over what is left: the same Sid and meaning; the same meaning under
     * another Sid (a Sid only names a statement, IAM JSON policy elements: Sid); the same Sid. */
    for (size_t i = 0; i < nd; i++)
        for (size_t k = 0; k < nl && !d[i].used; k++)
            if (!l[k].used && d[i].sid && l[k].sid && !strcmp(d[i].sid, l[k].sid) &&
                !strcmp(d[i].content, l[k].content))
                d[i].used = l[k].used = true;
    for (size_t i = 0; i < nd; i++)
        for (size_t k = 0; k < nl && !d[i].used; k++)
            if (!l[k].used && !strcmp(d[i].content, l[k].content))
                d[i].used = l[k].used = true;
    for (size_t i = 0; i < nd; i++) {
        for (size_t k = 0; k < nl && !d[i].used; k++) {
            if (!l[k].used && d[i].sid && l[k].sid && !strcmp(d[i].sid, l[k].sid)) {
                d[i].used = l[k].used = true;
                lk_diff_origin(c, &d[i].src->origin);
                s_statement_changes(c, db->name, &d[i], &l[k]);
            }
        }
    }

    for (size_t i = 0; i < nd; i++) {
        if (d[i].used)
            continue;
        /* A live statement under another Sid may already grant or deny all of it. */
        const struct s_nstmt *by = s_covered_by(all, n_all, &d[i]);
        lk_diff_origin(c, &d[i].src->origin);
        enum lk_diff_direction dir = by                     ? LK_DIFF_NEUTRAL
                                     : !d[i].allow          ? LK_DIFF_WEAKER
                                     : s_is_delivery(&d[i]) ? LK_DIFF_WEAKER
                                                            : LK_DIFF_STRONGER;
        ch = lk_diff_add(c, lk_diff_fmt(c, "policy.statement[%s]", d[i].label), LK_DIFF_MISSING,
                         dir, s_stmt_str(c, d[i].src), NULL);
        if (by)
            lk_diff_note(c, ch, "live statement %s already covers it", by->label);
    }
    /* A live statement the policy lacks: the bucket's policy as a whole. */
    lk_diff_origin(c, NULL);
    for (size_t k = 0; k < nl; k++) {
        if (l[k].used)
            continue;
        /* A live statement the policy lacks: an Allow grants access the policy does not, a Deny
         * restricts more; unless a desired statement already grants or denies all of it (AWS
         * adds its own delivery statements: docs/source-types.md). */
        const struct s_nstmt *by = s_covered_by(d, nd, &l[k]);
        enum lk_diff_direction dir = by           ? LK_DIFF_NEUTRAL
                                     : l[k].allow ? LK_DIFF_WEAKER
                                                  : LK_DIFF_STRONGER;
        ch = lk_diff_add(c, lk_diff_fmt(c, "policy.statement[%s]", l[k].label), LK_DIFF_EXTRA, dir,
                         NULL, s_stmt_str(c, l[k].src));
        if (by)
            lk_diff_note(c, ch, "desired statement %s covers it", by->label);
        else if (s_is_delivery(&l[k]))
            lk_diff_allow(c, ch, "stop-delivery:%s/%s", db->name, l[k].label);
    }
    if (nl < n_all) {
        struct s_declared dc;
        s_declared_of(c, d, nd, &dc);
        for (size_t k = 0; k < n_all; k++)
            if (!lk_ir_sid_owned(all[k].sid))
                s_foreign(c, &dc, &all[k]);
    }
}
