/*
 * logkeep: accounts and Regions (LK031-LK038). Resolves the policy's scope (its accounts and
 * Regions), the accounts and Regions each source covers and the account and Region of each
 * store (docs/language.md, "Accounts and Regions").
 *
 * A policy without "accounts:" governs one account: its scope is that account in the home Region
 * (plus "regions:", when given), and every key that names accounts is refused. A policy with
 * "accounts:" governs those accounts, and the accounts of pinned dynamic groups, in every Region
 * of "regions:".
 */
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "compiler/check_int.h"
#include "compiler/decode_int.h"

/* A growable list of arena strings (account IDs or Regions), each with the reference that
 * contributed it (for LK035). */
struct s_ids {
    const char **v;
    const struct lk_text **from;
    size_t n, cap;
};

static void s_ids_add(struct s_ids *l, const char *id, const struct lk_text *from)
{
    if (l->n == l->cap) {
        size_t cap = l->cap;
        l->v = lk_array_grow(NULL, l->v, l->n, &cap, l->n + 1, sizeof(*l->v), LK_ARRAY_MIN_CAP);
        l->from = lk_array_grow(NULL, l->from, l->n, &l->cap, l->n + 1, sizeof(*l->from),
                                LK_ARRAY_MIN_CAP);
    }
    l->v[l->n] = id;
    l->from[l->n] = from;
    l->n++;
}

static void s_ids_free(struct s_ids *l)
{
    free(l->v);
    free(l->from);
    *l = (struct s_ids){0};
}

static int s_cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorts and removes duplicates; @return the unique strings as an arena array. */
static const char **s_ids_unique(struct lk_arena *a, const struct s_ids *l, size_t *n_out)
{
    const char **out = lk_arena_alloc(a, (l->n ? l->n : 1) * sizeof(*out));
    if (l->n)
        memcpy(out, l->v, l->n * sizeof(*out));
    qsort(out, l->n, sizeof(*out), s_cmp_cstr);
    size_t w = 0;
    for (size_t i = 0; i < l->n; i++)
        if (w == 0 || strcmp(out[w - 1], out[i]) != 0)
            out[w++] = out[i];
    *n_out = w;
    return out;
}

static bool s_contains(const char *const *v, size_t n, struct lk_str s)
{
    for (size_t i = 0; i < n; i++)
        if (lk_str_eq_c(s, v[i]))
            return true;
    return false;
}

static const char *s_cstr(struct lk_policy *p, struct lk_str s)
{
    return lk_arena_strndup(&p->arena, s.ptr, s.len);
}

/* ------------------------------------------------------------------------------ groups */

enum { S_NEW, S_ACTIVE, S_DONE };

struct s_ctx {
    struct lk_policy *p;
    unsigned char *state;               /* per group, by index in p->groups */
    struct s_ids *members;              /* per group: the account IDs it stands for */
    struct lk_account_group **unpinned; /* per group: a dynamic group it needs and lacks */
};

static size_t s_group_index(const struct lk_policy *p, const struct lk_account_group *g)
{
    for (size_t i = 0; i < p->n_groups; i++)
        if (p->groups[i] == g)
            return i;
    return 0;
}

/* Names of accounts and groups, for suggestions. Caller frees the array. */
static const char **s_names(const struct lk_policy *p, size_t *n)
{
    const char **names = lk_xmalloc((p->n_accounts + p->n_groups + 1) * sizeof(*names));
    *n = 0;
    for (size_t i = 0; i < p->n_accounts; i++)
        names[(*n)++] = p->accounts[i]->name.ptr;
    for (size_t i = 0; i < p->n_groups; i++)
        names[(*n)++] = p->groups[i]->name.ptr;
    return names;
}

static void s_unknown(struct lk_policy *p, const struct lk_text *ref)
{
    struct lk_diag *d = lk_diag_add(&p->diags, "LK032", ref->span,
                                    "\"%.*s\" is not an account or account group of the policy",
                                    LK_STR_ARG(ref->v));
    size_t n;
    const char **names = s_names(p, &n);
    const char *s = lk_suggest(ref->v, names, n);
    if (s)
        lk_diag_help(&p->diags, d, "did you mean \"%s\"?", s);
    else
        lk_diag_help(&p->diags, d,
                     "declare it under accounts: (name: { id: \"...\" }) or "
                     "account_groups:");
    free(names);
}

static void s_expand_group(struct s_ctx *c, size_t gi);

/* Adds the account IDs @p ref stands for. @return false when it cannot be resolved (already
 * reported, except an unpinned dynamic group, returned in @p unpinned). */
static bool s_resolve_ref(struct s_ctx *c, const struct lk_text *ref, struct s_ids *out,
                          struct lk_account_group **unpinned, bool allow_ids)
{
    struct lk_policy *p = c->p;
    struct lk_account *a = lk_policy_find_account(p, ref->v);
    if (a) {
        a->used = true;
        if (a->id.set)
            s_ids_add(out, s_cstr(p, a->id.v), ref);
        return true;
    }
    struct lk_account_group *g = lk_policy_find_group(p, ref->v);
    if (g) {
        g->used = true;
        size_t gi = s_group_index(p, g);
        if (c->state[gi] == S_ACTIVE) {
            lk_diag_add(&p->diags, "LK037", ref->span, "account group \"%.*s\" includes itself",
                        LK_STR_ARG(g->name));
            return false;
        }
        s_expand_group(c, gi);
        if (c->unpinned[gi]) {
            *unpinned = c->unpinned[gi];
            return false;
        }
        for (size_t i = 0; i < c->members[gi].n; i++)
            s_ids_add(out, c->members[gi].v[i], ref);
        return true;
    }
    if (allow_ids && lk_account_id_valid(ref->v)) {
        if (!lk_policy_scope_account(p, s_cstr(p, ref->v))) {
            struct lk_diag *d =
                lk_diag_add(&p->diags, "LK033", ref->span,
                            "account %.*s is outside the policy's scope", LK_STR_ARG(ref->v));
            lk_diag_help(&p->diags, d, "declare it under accounts:, or pin a group holding it");
            return false;
        }
        s_ids_add(out, s_cstr(p, ref->v), ref);
        return true;
    }
    s_unknown(p, ref);
    return false;
}

/* Whether members.items[i] names a group that an earlier member of the list names too. */
static bool s_group_listed_before(struct lk_policy *p, const struct lk_text_list *members, size_t i)
{
    if (!lk_policy_find_group(p, members->items[i].v))
        return false;
    for (size_t k = 0; k < i; k++)
        if (lk_str_eq(members->items[k].v, members->items[i].v))
            return true;
    return false;
}

static void s_expand_group(struct s_ctx *c, size_t gi)
{
    if (c->state[gi] != S_NEW)
        return;
    struct lk_account_group *g = c->p->groups[gi];
    c->state[gi] = S_ACTIVE;
    if (g->kind == LK_GROUP_LIST) {
        for (size_t i = 0; i < g->members.n; i++) {
            /* A group listed again adds no account, and through a cycle it would report that
             * cycle once more (LK037). */
            if (s_group_listed_before(c->p, &g->members, i))
                continue;
            struct lk_account_group *missing = NULL;
            if (!s_resolve_ref(c, &g->members.items[i], &c->members[gi], &missing, true) &&
                missing && !c->unpinned[gi])
                c->unpinned[gi] = missing;
        }
    } else if (g->pinned_set) {
        for (size_t i = 0; i < g->pinned.n; i++)
            if (lk_account_id_valid(g->pinned.items[i].v))
                s_ids_add(&c->members[gi], s_cstr(c->p, g->pinned.items[i].v), &g->pinned.items[i]);
    } else {
        c->unpinned[gi] = g;
    }
    c->state[gi] = S_DONE;
}

static void s_report_unpinned(struct lk_policy *p, const struct lk_text *ref,
                              const struct lk_account_group *g)
{
    struct lk_diag *d;
    if (lk_str_eq(ref->v, g->name))
        d = lk_diag_add(&p->diags, "LK038", ref->span,
                        "account group \"%.*s\" is resolved through AWS Organizations and is not "
                        "pinned",
                        LK_STR_ARG(g->name));
    else
        d = lk_diag_add(&p->diags, "LK038", ref->span,
                        "\"%.*s\" includes account group \"%.*s\", which is resolved through AWS "
                        "Organizations and is not pinned",
                        LK_STR_ARG(ref->v), LK_STR_ARG(g->name));
    lk_diag_related(&p->diags, d, g->span, "declared here");
    lk_diag_help(&p->diags, d, "run `logkeep resolve POLICY -o DIR/accounts.lock.yaml` to pin it");
}

/* Applies the "resolved:" sections of the files to the dynamic groups the caller did not pin. */
static void s_apply_pins(struct lk_policy *p)
{
    bool *from_file = lk_xmalloc((p->n_groups + 1) * sizeof(*from_file));
    const struct lk_group_pin **first = lk_xmalloc((p->n_groups + 1) * sizeof(*first));
    for (size_t i = 0; i < p->n_groups; i++) {
        from_file[i] = false;
        first[i] = NULL;
    }
    for (size_t k = 0; k < p->n_pins; k++) {
        const struct lk_group_pin *pin = &p->pins[k];
        struct lk_account_group *g = lk_policy_find_group(p, pin->group);
        if (!g) {
            struct lk_text ref = {pin->group, pin->span, true};
            s_unknown(p, &ref);
            continue;
        }
        size_t gi = s_group_index(p, g);
        if (g->kind == LK_GROUP_LIST) {
            struct lk_diag *d = lk_diag_add(&p->diags, "LK016", pin->span,
                                            "account group \"%.*s\" is a list: only organization "
                                            "and organizational_unit groups are resolved",
                                            LK_STR_ARG(g->name));
            lk_diag_related(&p->diags, d, g->span, "declared here");
            continue;
        }
        for (size_t i = 0; i < pin->ids.n; i++)
            if (!lk_account_id_valid(pin->ids.items[i].v))
                lk_diag_add(&p->diags, "LK031", pin->ids.items[i].span,
                            "\"%.*s\" is not an AWS account ID (12 digits)",
                            LK_STR_ARG(pin->ids.items[i].v));
        if (first[gi]) {
            bool same = first[gi]->ids.n == pin->ids.n;
            for (size_t i = 0; same && i < pin->ids.n; i++)
                same = lk_str_eq(first[gi]->ids.items[i].v, pin->ids.items[i].v);
            if (!same) {
                struct lk_diag *d = lk_diag_add(&p->diags, "LK015", pin->span,
                                                "account group \"%.*s\" is resolved twice, to "
                                                "different accounts",
                                                LK_STR_ARG(g->name));
                lk_diag_related(&p->diags, d, first[gi]->span, "resolved here first");
            }
            continue;
        }
        first[gi] = pin;
        if (g->pinned_set && !from_file[gi])
            continue; /* lk_policy_pin_group(): the caller's resolution wins */
        g->pinned = pin->ids;
        g->pinned_set = true;
        from_file[gi] = true;
    }
    free(from_file);
    free(first);
}

/* ------------------------------------------------------------------------------ regions */

/* Checks a Region of the scope: known, and in the home Region's partition. */
static bool s_scope_region(struct lk_policy *p, const struct lk_text *t)
{
    if (!lk_check_region(p, t))
        return false;
    const char *home = p->region.set ? lk_region_partition(p->region.v) : NULL;
    const char *part = lk_region_partition(t->v);
    if (home && strcmp(home, part) != 0) {
        struct lk_diag *d = lk_diag_add(&p->diags, "LK025", t->span,
                                        "Region %.*s is in partition %s, but the home Region "
                                        "%.*s is in %s",
                                        LK_STR_ARG(t->v), part, LK_STR_ARG(p->region.v), home);
        lk_diag_related(&p->diags, d, p->region.span, "home Region set here");
        return false;
    }
    return true;
}

/* The Regions a source or store names must be in scope (LK033). */
static bool s_in_scope_region(struct lk_policy *p, const struct lk_text *t, const char *what)
{
    if (s_contains(p->scope.regions, p->scope.n_regions, t->v))
        return true;
    if (!lk_region_partition(t->v))
        return false; /* LK025 says why */
    for (size_t i = 0; i < p->regions.n; i++)
        if (lk_str_eq(p->regions.items[i].v, t->v))
            return false; /* listed, but in another partition: LK025 says so there */
    struct lk_diag *d =
        lk_diag_add(&p->diags, "LK033", t->span, "%s Region %.*s is not in the policy's regions",
                    what, LK_STR_ARG(t->v));
    if (p->regions.set)
        lk_diag_related(&p->diags, d, p->regions.span, "regions listed here");
    lk_diag_help(&p->diags, d, "add %.*s to the top-level regions:", LK_STR_ARG(t->v));
    return false;
}

/* ------------------------------------------------------------------------------ scope */

static int s_cmp_scope_account(const void *a, const void *b)
{
    const struct lk_scope_account *x = a, *y = b;
    return strcmp(x->id, y->id);
}

static void s_accounts(struct lk_policy *p)
{
    /* Account IDs: 12 digits, one name each. */
    for (size_t i = 0; i < p->n_accounts; i++) {
        struct lk_account *a = p->accounts[i];
        if (!a->id.set)
            continue;
        if (!lk_account_id_valid(a->id.v)) {
            struct lk_diag *d =
                lk_diag_add(&p->diags, "LK031", a->id.span, "\"%.*s\" is not an AWS account ID",
                            LK_STR_ARG(a->id.v));
            lk_diag_help(&p->diags, d, "an account ID is exactly 12 digits");
            a->id.set = false;
            continue;
        }
        for (size_t k = 0; k < i; k++) {
            struct lk_account *o = p->accounts[k];
            if (o->id.set && lk_str_eq(o->id.v, a->id.v)) {
                struct lk_diag *d =
                    lk_diag_add(&p->diags, "LK031", a->id.span,
                                "accounts \"%.*s\" and \"%.*s\" have one ID, %.*s",
                                LK_STR_ARG(o->name), LK_STR_ARG(a->name), LK_STR_ARG(a->id.v));
                lk_diag_related(&p->diags, d, o->id.span, "first given here");
                break;
            }
        }
        if (a->kind == LK_ACCOUNT_MANAGEMENT)
            for (size_t k = 0; k < i; k++)
                if (p->accounts[k]->kind == LK_ACCOUNT_MANAGEMENT) {
                    struct lk_diag *d = lk_diag_add(
                        &p->diags, "LK031", a->kind_span,
                        "accounts \"%.*s\" and \"%.*s\" are both the management account",
                        LK_STR_ARG(p->accounts[k]->name), LK_STR_ARG(a->name));
                    lk_diag_related(&p->diags, d, p->accounts[k]->kind_span, "first here");
                    lk_diag_help(&p->diags, d, "an organisation has one management account");
                    break;
                }
    }
    /* A name is an account or a group, never both. */
    for (size_t i = 0; i < p->n_groups; i++) {
        struct lk_account *a = lk_policy_find_account(p, p->groups[i]->name);
        if (a) {
            struct lk_diag *d = lk_diag_add(&p->diags, "LK012", p->groups[i]->span,
                                            "account group \"%.*s\" has the name of an account",
                                            LK_STR_ARG(a->name));
            lk_diag_related(&p->diags, d, a->span, "account declared here");
        }
    }
}

/* The scope's accounts: the declared ones and those of pinned dynamic groups. */
static void s_scope_accounts(struct lk_policy *p)
{
    size_t cap = p->n_accounts;
    for (size_t i = 0; i < p->n_groups; i++)
        if (p->groups[i]->kind != LK_GROUP_LIST && p->groups[i]->pinned_set)
            cap += p->groups[i]->pinned.n;
    struct lk_scope_account *v = lk_arena_alloc(&p->arena, (cap ? cap : 1) * sizeof(*v));
    size_t n = 0;
    for (size_t i = 0; i < p->n_accounts; i++) {
        const struct lk_account *a = p->accounts[i];
        if (!a->id.set)
            continue;
        v[n++] = (struct lk_scope_account){s_cstr(p, a->id.v), s_cstr(p, a->name), a->kind, a};
    }
    for (size_t i = 0; i < p->n_groups; i++) {
        const struct lk_account_group *g = p->groups[i];
        if (g->kind == LK_GROUP_LIST || !g->pinned_set)
            continue;
        for (size_t k = 0; k < g->pinned.n; k++) {
            struct lk_str id = g->pinned.items[k].v;
            if (!lk_account_id_valid(id))
                continue;
            bool known = false;
            for (size_t x = 0; x < n && !known; x++)
                known = lk_str_eq_c(id, v[x].id);
            if (known)
                continue;
            const char *s = s_cstr(p, id);
            v[n++] = (struct lk_scope_account){s, s, LK_ACCOUNT_WORKLOAD, NULL};
        }
    }
    qsort(v, n, sizeof(*v), s_cmp_scope_account);
    /* Two declared names with one ID were reported (LK031): keep the first. */
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (w == 0 || strcmp(v[w - 1].id, v[i].id) != 0)
            v[w++] = v[i];
    p->scope.accounts = v;
    p->scope.n_accounts = w;
}

static void s_scope_regions(struct lk_policy *p)
{
    struct s_ids regions = {0};
    if (p->region.set && lk_region_partition(p->region.v))
        s_ids_add(&regions, s_cstr(p, p->region.v), &p->region);
    for (size_t i = 0; i < p->regions.n; i++) {
        const struct lk_span *a = &p->regions.items[i].span, *h = &p->region.span;
        bool is_home = a->file == h->file && a->line == h->line && a->col == h->col;
        if (is_home && !lk_region_partition(p->region.v))
            continue; /* the home Region taken from regions: LK025 is reported once, for it */
        if (s_scope_region(p, &p->regions.items[i]))
            s_ids_add(&regions, s_cstr(p, p->regions.items[i].v), &p->regions.items[i]);
    }
    p->scope.regions = s_ids_unique(&p->arena, &regions, &p->scope.n_regions);
    s_ids_free(&regions);
}

/* The org-only keys of a policy without accounts: (LK032). */
static void s_single_only(struct lk_policy *p, struct lk_span span, const char *what)
{
    struct lk_diag *d = lk_diag_add(&p->diags, "LK032", span,
                                    "%s applies only to a policy that declares accounts:", what);
    lk_diag_help(&p->diags, d,
                 "a policy without accounts: governs its one account; declare the "
                 "accounts (accounts: { name: { id: \"...\" } }) to govern several");
}

/* ------------------------------------------------------------------------------ stores */

static void s_stores(struct lk_policy *p)
{
    for (size_t i = 0; i < p->n_stores; i++) {
        struct lk_store *st = p->stores[i];
        const struct lk_text *region = st->region.set ? &st->region : &p->region;
        if (region->set)
            st->scope_region = s_cstr(p, region->v);
        if (!p->scope.multi) {
            if (st->account.set)
                s_single_only(p, st->account.span, "a store's account");
            if (p->account.set)
                st->scope_account = s_cstr(p, p->account.v);
            continue;
        }
        if (st->region.set)
            s_in_scope_region(p, &st->region, "the store's");
        if (!st->account.set) {
            struct lk_diag *d =
                lk_diag_add(&p->diags, "LK011", st->span, "store \"%.*s\" has no \"account\"",
                            LK_STR_ARG(st->name));
            lk_diag_help(&p->diags, d,
                         "name the account that owns its bucket, as in account: "
                         "log-archive");
            continue;
        }
        struct lk_account *a = lk_policy_find_account(p, st->account.v);
        if (a) {
            a->used = true;
            if (a->id.set)
                st->scope_account = s_cstr(p, a->id.v);
            continue;
        }
        struct lk_account_group *g = lk_policy_find_group(p, st->account.v);
        if (g) {
            struct lk_diag *d = lk_diag_add(&p->diags, "LK032", st->account.span,
                                            "\"%.*s\" is an account group: a store lives in one "
                                            "account",
                                            LK_STR_ARG(st->account.v));
            lk_diag_related(&p->diags, d, g->span, "group declared here");
            continue;
        }
        if (lk_account_id_valid(st->account.v)) {
            const struct lk_scope_account *sa =
                lk_policy_scope_account(p, s_cstr(p, st->account.v));
            if (sa) {
                st->scope_account = sa->id;
                continue;
            }
        }
        s_unknown(p, &st->account);
    }
}

/* ------------------------------------------------------------------------------ sources */

/* Reports accounts a source lists twice (LK035), after its references are resolved: sorted by
 * ID (then by position), equal neighbours reached through different references overlap. One
 * finding per reference. */
struct s_entry {
    const char *id;
    size_t pos;
};

static int s_cmp_entry(const void *a, const void *b)
{
    const struct s_entry *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void s_overlaps(struct lk_policy *p, struct lk_source *src, const struct s_ids *ids)
{
    if (ids->n < 2)
        return;
    struct s_entry *e = lk_xmalloc(ids->n * sizeof(*e));
    for (size_t i = 0; i < ids->n; i++)
        e[i] = (struct s_entry){ids->v[i], i};
    qsort(e, ids->n, sizeof(*e), s_cmp_entry);
    const struct lk_text_list *accounts = &lk_source_more(src)->accounts;
    bool *reported = lk_xmalloc((accounts->n + 1) * sizeof(*reported));
    memset(reported, 0, (accounts->n + 1) * sizeof(*reported));
    for (size_t i = 1, first = 0; i < ids->n; i++) {
        if (strcmp(e[i].id, e[first].id) != 0) {
            first = i;
            continue;
        }
        const struct lk_text *a = ids->from[e[first].pos], *b = ids->from[e[i].pos];
        if (a == b || b < accounts->items || b >= accounts->items + accounts->n ||
            reported[b - accounts->items])
            continue;
        reported[b - accounts->items] = true;
        const struct lk_scope_account *sa = lk_policy_scope_account(p, e[i].id);
        const char *name = sa ? sa->name : e[i].id;
        struct lk_diag *d;
        if (lk_str_eq(a->v, b->v))
            d = lk_policy_report(p, lk_source_waivers(src), "LK035", b->span,
                                 "source \"%.*s\" lists \"%.*s\" twice", LK_STR_ARG(src->name),
                                 LK_STR_ARG(b->v));
        else
            d = lk_policy_report(p, lk_source_waivers(src), "LK035", b->span,
                                 "account %s is in both \"%.*s\" and \"%.*s\"", name,
                                 LK_STR_ARG(a->v), LK_STR_ARG(b->v));
        lk_diag_related(&p->diags, d, a->span, "listed here first");
    }
    free(reported);
    free(e);
}

static bool s_can_own_org_trail(const struct lk_scope_account *sa)
{
    if (!sa || !sa->decl)
        return false;
    if (sa->kind == LK_ACCOUNT_MANAGEMENT)
        return true;
    for (size_t i = 0; i < sa->decl->delegated_admin.n; i++)
        if (lk_str_eq_c(sa->decl->delegated_admin.items[i].v, "cloudtrail"))
            return true;
    return false;
}

/* An organisation trail (multi policy): one owner, the management account or a delegated
 * administrator for CloudTrail (AWS CloudTrail User Guide, "Creating a trail for an
 * organization"), and an organisation ID. */
static void s_org_trail(struct lk_policy *p, struct lk_source *src)
{
    struct lk_trail_cfg *t = src->trail;
    struct lk_span at = t->organization.span;
    const struct lk_text_list *accounts = &lk_source_more(src)->accounts;
    if (src->n_scope_accounts != 1) {
        struct lk_diag *d =
            lk_diag_add(&p->diags, "LK034", accounts->set ? accounts->span : at,
                        "organization trail \"%.*s\" has %zu owners: it is created "
                        "once, by one account",
                        LK_STR_ARG(src->name), src->n_scope_accounts);
        lk_diag_help(&p->diags, d, "name its owner: accounts: <the management account>");
    } else {
        const struct lk_scope_account *sa = lk_policy_scope_account(p, src->scope_accounts[0]);
        if (!s_can_own_org_trail(sa)) {
            struct lk_diag *d = lk_diag_add(
                &p->diags, "LK034", accounts->set ? accounts->span : at,
                "organization trail \"%.*s\" is owned by %s, which is neither the management "
                "account nor a delegated administrator for CloudTrail",
                LK_STR_ARG(src->name), sa ? sa->name : src->scope_accounts[0]);
            if (sa && sa->decl)
                lk_diag_related(&p->diags, d, sa->decl->span, "account declared here");
            lk_diag_help(&p->diags, d,
                         "only the management account, or an account with "
                         "delegated_admin: [cloudtrail], can create an organization "
                         "trail");
        }
    }
    if (!t->organization_id.set) {
        struct lk_diag *d = lk_diag_add(&p->diags, "LK034", at,
                                        "organization trail \"%.*s\" has no organization ID",
                                        LK_STR_ARG(src->name));
        lk_diag_help(&p->diags, d,
                     "give the organisation's ID (o-...) at the top level "
                     "(organization: o-...) or as trail: { organization_id }");
    }
}

static void s_source_regions(struct lk_policy *p, struct lk_source *src)
{
    bool trail = src->type_set && src->type == LK_SRC_CLOUDTRAIL;
    const struct lk_text_list *given = &lk_source_more(src)->regions;
    struct s_ids regions = {0};
    if (given->set) {
        for (size_t i = 0; i < given->n; i++) {
            const struct lk_text *r = &given->items[i];
            if (lk_check_region(p, r) && s_in_scope_region(p, r, "the source's"))
                s_ids_add(&regions, s_cstr(p, r->v), r);
        }
        if (trail && given->n != 1) {
            struct lk_diag *d = lk_diag_add(&p->diags, "LK033", given->span,
                                            "a trail has one home Region, not %zu", given->n);
            lk_diag_help(&p->diags, d,
                         "a multi-Region trail records every Region from its home "
                         "Region: name that one");
        }
    } else if (trail) {
        if (p->region.set)
            s_ids_add(&regions, s_cstr(p, p->region.v), &p->region);
    } else {
        /* Every Region of the scope: sources share the scope's array (sorted and unique), so a
         * policy of many sources costs no copy per source. */
        src->scope_regions = p->scope.regions;
        src->n_scope_regions = p->scope.n_regions;
        return;
    }
    src->scope_regions = s_ids_unique(&p->arena, &regions, &src->n_scope_regions);
    s_ids_free(&regions);
}

static void s_sources(struct s_ctx *c)
{
    struct lk_policy *p = c->p;
    /* The accounts of a source that names none: shared by every such source (sorted by ID, as
     * the scope's accounts are). */
    const char **all = lk_arena_alloc(&p->arena, (p->scope.n_accounts + 1) * sizeof(*all));
    for (size_t k = 0; k < p->scope.n_accounts; k++)
        all[k] = p->scope.accounts[k].id;
    for (size_t i = 0; i < p->n_srcs; i++) {
        struct lk_source *src = p->srcs[i];
        struct lk_trail_cfg *t = src->trail;
        /* The organisation ID of an organisation trail defaults to the policy's. */
        if (t && t->organization.set && t->organization.v && p->organization.set) {
            if (!t->organization_id.set) {
                t->organization_id = p->organization;
            } else if (!lk_str_eq(t->organization_id.v, p->organization.v)) {
                struct lk_diag *d =
                    lk_diag_add(&p->diags, "LK034", t->organization_id.span,
                                "organization_id %.*s differs from the policy's "
                                "organization %.*s",
                                LK_STR_ARG(t->organization_id.v), LK_STR_ARG(p->organization.v));
                lk_diag_related(&p->diags, d, p->organization.span, "organization set here");
            }
        }
        s_source_regions(p, src);
        const struct lk_text_list *accounts = &lk_source_more(src)->accounts;
        struct s_ids ids = {0};
        if (!p->scope.multi || !accounts->set) {
            if (!p->scope.multi && accounts->set)
                s_single_only(p, accounts->span, "a source's accounts");
            src->scope_accounts = all;
            src->n_scope_accounts = p->scope.n_accounts;
        } else {
            for (size_t k = 0; k < accounts->n; k++) {
                struct lk_account_group *missing = NULL;
                if (!s_resolve_ref(c, &accounts->items[k], &ids, &missing, true) && missing)
                    s_report_unpinned(p, &accounts->items[k], missing);
            }
            s_overlaps(p, src, &ids);
            src->scope_accounts = s_ids_unique(&p->arena, &ids, &src->n_scope_accounts);
            s_ids_free(&ids);
        }
        if (p->scope.multi && t && t->organization.set && t->organization.v)
            s_org_trail(p, src);
    }
}

/* ------------------------------------------------------------------------------ entry */

void lk_check_scope(struct lk_policy *p)
{
    p->scope = (struct lk_scope){0};
    p->scope.multi = p->n_accounts > 0;
    /* The home Region defaults to the first Region listed. */
    if (!p->region.set && p->regions.set && p->regions.n)
        p->region = p->regions.items[0];

    if (p->organization.set) {
        /* Organizations IDs: "^o-[a-z0-9]{10,32}$" (AWS Organizations API Reference,
         * Organization Id). */
        struct lk_str o = p->organization.v;
        bool ok = o.len >= 12 && o.len <= 34 && o.ptr[0] == 'o' && o.ptr[1] == '-';
        for (size_t k = 2; ok && k < o.len; k++)
            ok = (o.ptr[k] >= 'a' && o.ptr[k] <= 'z') || (o.ptr[k] >= '0' && o.ptr[k] <= '9');
        if (!ok) {
            struct lk_diag *d =
                lk_diag_add(&p->diags, "LK016", p->organization.span,
                            "\"%.*s\" is not an AWS Organizations ID", LK_STR_ARG(o));
            lk_diag_help(&p->diags, d,
                         "organization IDs are o- followed by 10 to 32 lowercase "
                         "letters and digits");
            p->organization.set = false;
        }
    }

    if (p->scope.multi) {
        if (p->account.set) {
            struct lk_diag *d = lk_diag_add(&p->diags, "LK036", p->account.span,
                                            "a policy with accounts: has no top-level account");
            lk_diag_help(&p->diags, d,
                         "use accounts: name every account, and give each store "
                         "its account");
        }
    } else {
        if (p->access.set)
            s_single_only(p, p->access.span, "access");
        for (size_t i = 0; i < p->n_groups; i++)
            s_single_only(p, p->groups[i]->span, "an account group");
    }

    s_accounts(p);
    s_apply_pins(p);
    s_scope_regions(p);
    if (p->scope.multi) {
        s_scope_accounts(p);
    } else {
        p->scope.accounts = lk_arena_alloc(&p->arena, sizeof(*p->scope.accounts));
        if (p->account.set) {
            const char *id = s_cstr(p, p->account.v);
            p->scope.accounts[0] = (struct lk_scope_account){id, id, LK_ACCOUNT_WORKLOAD, NULL};
            p->scope.n_accounts = 1;
        }
    }

    struct s_ctx c = {p, NULL, NULL, NULL};
    size_t ng = p->n_groups ? p->n_groups : 1;
    c.state = lk_xmalloc(ng);
    memset(c.state, S_NEW, ng);
    c.members = lk_xmalloc(ng * sizeof(*c.members));
    c.unpinned = lk_xmalloc(ng * sizeof(*c.unpinned));
    for (size_t i = 0; i < ng; i++) {
        c.members[i] = (struct s_ids){0};
        c.unpinned[i] = NULL;
    }
    /* Every group, used or not: a cycle or an unknown member is a mistake either way. */
    if (p->scope.multi)
        for (size_t i = 0; i < p->n_groups; i++)
            s_expand_group(&c, i);
    s_stores(p);
    s_sources(&c);
    for (size_t i = 0; i < ng; i++)
        s_ids_free(&c.members[i]);
    free(c.members);
    free(c.unpinned);
    free(c.state);
}
