/*
 * logkeep: decoding the YAML node tree of one file into the policy AST.
 *
 * Structural rules (LK009 unknown keys, LK010 types, LK011 missing keys, LK016 enumerations,
 * LK019 durations, LK026 names) are checked here, where the node is at hand; everything that
 * needs the whole policy is left to the checks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/glob.h"
#include "compiler/decode_int.h"
#include "compiler/duration.h"
#include "compiler/yaml_read.h"

/* The references of a file's sources to stores and retention classes, by content: thousands of
 * sources name the same few, and each would otherwise keep a copy of the name. */
struct s_refs {
    struct lk_str *slots; /* owned (heap); ptr NULL = empty */
    size_t cap;           /* a power of two, at least twice n */
    size_t n;
};

struct s_dec {
    struct lk_policy *p;
    struct lk_diags *d;
    struct lk_arena *a;       /* the policy's: what the AST keeps */
    struct lk_arena *scratch; /* the reader's: nodes, their texts, and messages' wording; a
                               * streamed entry's part goes when the entry is decoded */
    struct s_refs *refs;
};

/* ----------------------------------------------------------------------------- helpers */

/* Scalars live in the reader's scratch arena: copy the ones the AST keeps. */
static struct lk_str s_keep(struct s_dec *dec, struct lk_str s)
{
    return (struct lk_str){lk_arena_strndup(dec->a, s.ptr, s.len), s.len};
}

static size_t s_ref_hash(struct lk_str s)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < s.len; i++)
        h = (h ^ (unsigned char)s.ptr[i]) * 1099511628211u;
    return (size_t)h;
}

/* s_keep() of a reference to a store or a retention class: one copy per name and file. */
static struct lk_str s_keep_ref(struct s_dec *dec, struct lk_str s)
{
    struct s_refs *t = dec->refs;
    if (t->n * 2 >= t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        struct lk_str *slots = lk_xcalloc(cap, sizeof(*slots));
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->slots[i].ptr)
                continue;
            size_t k = s_ref_hash(t->slots[i]) & (cap - 1);
            while (slots[k].ptr)
                k = (k + 1) & (cap - 1);
            slots[k] = t->slots[i];
        }
        free(t->slots);
        t->slots = slots;
        t->cap = cap;
    }
    size_t k = s_ref_hash(s) & (t->cap - 1);
    for (; t->slots[k].ptr; k = (k + 1) & (t->cap - 1))
        if (lk_str_eq(t->slots[k], s))
            return t->slots[k];
    t->slots[k] = s_keep(dec, s);
    t->n++;
    return t->slots[k];
}

static bool s_is_map(struct s_dec *dec, const struct lk_ynode *n, const char *what)
{
    if (n->kind == LK_Y_MAP)
        return true;
    lk_diag_add(dec->d, "LK010", n->span, "%s must be a mapping, not %s", what,
                lk_ynode_describe(n));
    return false;
}

/* Matches a key against the keys allowed here. @return its index, or -1 after reporting. */
static int s_key(struct s_dec *dec, const struct lk_ynode *key, const char *const *known, size_t n,
                 const char *where)
{
    for (size_t i = 0; i < n; i++)
        if (lk_str_eq_c(key->text, known[i]))
            return (int)i;
    struct lk_diag *d =
        lk_diag_add(dec->d, "LK009", key->span, "unknown key \"%s\" in %s", key->text.ptr, where);
    const char *s = lk_suggest(key->text, known, n);
    if (lk_str_eq_c(key->text, "<<"))
        lk_diag_help(dec->d, d, "YAML merge keys (<<) are not part of YAML 1.2; repeat the keys");
    else if (s)
        lk_diag_help(dec->d, d, "did you mean \"%s\"?", s);
    else {
        /* List the keys: there are never many, and it saves a trip to the manual. */
        struct lk_buf b;
        lk_buf_init(&b, LK_BUF_MAX_LINE);
        for (size_t i = 0; i < n; i++)
            lk_buf_printf(&b, "%s%s", i ? ", " : "", known[i]);
        const char *keys = lk_buf_cstr(&b);
        lk_diag_help(dec->d, d, "expected one of: %s", keys ? keys : "(too many to list)");
        lk_buf_free(&b);
    }
    return -1;
}

/* A string value. Plain numbers are accepted as their text (a prefix "2024/" is a string anyway;
 * "1" as a name is fine); booleans, nulls and collections are type errors. @p out->v points into
 * the scratch arena: for a value only looked at while decoding (a type, a mode). */
static bool s_text_peek(struct s_dec *dec, const struct lk_ynode *n, struct lk_text *out,
                        const char *what)
{
    if (n->kind != LK_Y_SCALAR || n->stype == LK_YS_BOOL || n->stype == LK_YS_NULL) {
        struct lk_diag *d = lk_diag_add(dec->d, "LK010", n->span, "%s must be a string, not %s",
                                        what, lk_ynode_describe(n));
        if (n->kind == LK_Y_SCALAR && n->stype == LK_YS_BOOL)
            lk_diag_help(dec->d, d, "quote it to make it a string: \"%s\"", n->text.ptr);
        return false;
    }
    out->v = n->text;
    out->span = n->span;
    out->set = true;
    return true;
}

/* s_text_peek(), keeping the value: its text is copied into the policy's arena. */
static bool s_text(struct s_dec *dec, const struct lk_ynode *n, struct lk_text *out,
                   const char *what)
{
    if (!s_text_peek(dec, n, out, what))
        return false;
    out->v = s_keep(dec, out->v);
    return true;
}

/* Attaches to @p diag the duration @p text most likely means, written as logkeep reads it
 * ("90 days": 90d; "3 months": 92d, months at their longest, and the CloudWatch Logs retention
 * nearest to it). @return false when @p text means nothing clear. */
static bool s_duration_help(struct s_dec *dec, struct lk_diag *diag, struct lk_str text)
{
    struct lk_duration_suggestion sg;
    if (!lk_duration_suggest(text, &sg))
        return false;
    if (!sg.months)
        lk_diag_help(dec->d, diag, "write %lld%s", (long long)sg.count, sg.unit);
    else if (sg.cwl_nearest)
        lk_diag_help(dec->d, diag,
                     "months vary in length: write %lldd (\"%.*s\" at its longest), or %dd, the "
                     "CloudWatch Logs retention nearest to it",
                     (long long)sg.days, LK_STR_ARG(text), sg.cwl_nearest);
    else
        lk_diag_help(dec->d, diag, "months vary in length: write %lldd (\"%.*s\" at its longest)",
                     (long long)sg.days, LK_STR_ARG(text));
    return true;
}

/* A non-empty string. */
static bool s_text_nonempty(struct s_dec *dec, const struct lk_ynode *n, struct lk_text *out,
                            const char *what)
{
    if (!s_text(dec, n, out, what))
        return false;
    if (out->v.len == 0) {
        lk_diag_add(dec->d, "LK010", n->span, "%s must not be empty", what);
        out->set = false;
        return false;
    }
    return true;
}

/* s_text_nonempty() of a reference to a store or a retention class (s_keep_ref()). */
static bool s_ref_nonempty(struct s_dec *dec, const struct lk_ynode *n, struct lk_text *out,
                           const char *what)
{
    if (!s_text_peek(dec, n, out, what))
        return false;
    out->v = s_keep_ref(dec, out->v);
    if (out->v.len == 0) {
        lk_diag_add(dec->d, "LK010", n->span, "%s must not be empty", what);
        out->set = false;
        return false;
    }
    return true;
}

static bool s_flag(struct s_dec *dec, const struct lk_ynode *n, struct lk_flag *out,
                   const char *what)
{
    if (n->kind != LK_Y_SCALAR || n->stype != LK_YS_BOOL) {
        struct lk_diag *d = lk_diag_add(dec->d, "LK010", n->span,
                                        "%s must be true or false, not %s", what,
                                        lk_ynode_describe(n));
        if (n->kind == LK_Y_SCALAR && (lk_str_eq_c(n->text, "yes") || lk_str_eq_c(n->text, "on")))
            lk_diag_help(dec->d, d, "YAML 1.2 booleans are true and false; write true");
        else if (n->kind == LK_Y_SCALAR &&
                 (lk_str_eq_c(n->text, "no") || lk_str_eq_c(n->text, "off")))
            lk_diag_help(dec->d, d, "YAML 1.2 booleans are true and false; write false");
        return false;
    }
    out->v = n->text.ptr[0] == 't' || n->text.ptr[0] == 'T';
    out->span = n->span;
    out->set = true;
    return true;
}

static bool s_days(struct s_dec *dec, const struct lk_ynode *n, struct lk_days *out,
                   const char *what, bool allow_forever)
{
    if (n->kind != LK_Y_SCALAR || n->stype == LK_YS_BOOL || n->stype == LK_YS_NULL) {
        lk_diag_add(dec->d, "LK010", n->span, "%s must be a duration such as 90d or 7y, not %s",
                    what, lk_ynode_describe(n));
        return false;
    }
    int64_t days = 0;
    enum lk_duration_status st = lk_duration_parse(n->text, &days);
    struct lk_diag *diag = NULL;
    switch (st) {
    case LK_DUR_OK:
        out->days = days;
        break;
    case LK_DUR_FOREVER:
        if (!allow_forever) {
            lk_diag_add(dec->d, "LK019", n->span, "%s cannot be forever", what);
            return false;
        }
        out->forever = true;
        break;
    case LK_DUR_EMPTY:
    case LK_DUR_NOT_NUMBER:
        diag = lk_diag_add(dec->d, "LK019", n->span, "%s \"%s\" is not a duration", what,
                           n->text.ptr);
        lk_diag_help(dec->d, diag, "write a whole number and a unit: 90d, 12w, 7y%s",
                     allow_forever ? ", or forever" : "");
        return false;
    case LK_DUR_NO_UNIT:
        diag = lk_diag_add(dec->d, "LK019", n->span, "%s \"%s\" has no unit", what, n->text.ptr);
        lk_diag_help(dec->d, diag, "write %sd for days, %sw for weeks or %sy for years",
                     n->text.ptr, n->text.ptr, n->text.ptr);
        return false;
    case LK_DUR_BAD_UNIT:
        if (memchr(n->text.ptr, '.', n->text.len) || memchr(n->text.ptr, ',', n->text.len)) {
            diag = lk_diag_add(dec->d, "LK019", n->span, "%s \"%s\" is not a whole number", what,
                               n->text.ptr);
            lk_diag_help(dec->d, diag, "durations are whole days, weeks or years: write days");
            return false;
        }
        if (memchr(n->text.ptr, ' ', n->text.len)) {
            diag = lk_diag_add(dec->d, "LK019", n->span, "%s \"%s\" has a space in it", what,
                               n->text.ptr);
            if (!s_duration_help(dec, diag, n->text))
                lk_diag_help(dec->d, diag, "write the number and its unit together, as in 90d");
            return false;
        }
        diag = lk_diag_add(dec->d, "LK019", n->span, "%s \"%s\" has an unknown unit", what,
                           n->text.ptr);
        if (s_duration_help(dec, diag, n->text))
            return false;
        if (n->text.len && n->text.ptr[n->text.len - 1] == 'm')
            lk_diag_help(dec->d, diag, "months vary in length and are not a unit; write days");
        else
            lk_diag_help(dec->d, diag, "units are d (days), w (weeks) and y (years)");
        return false;
    case LK_DUR_ZERO:
        lk_diag_add(dec->d, "LK019", n->span, "%s must be longer than zero", what);
        return false;
    case LK_DUR_TOO_LONG:
        diag = lk_diag_add(dec->d, "LK019", n->span, "%s \"%s\" is longer than 100 years", what,
                           n->text.ptr);
        if (allow_forever)
            lk_diag_help(dec->d, diag, "use forever, with forever_because, to keep logs forever");
        return false;
    }
    out->span = n->span;
    out->set = true;
    return true;
}

/* A list of strings; a single string is accepted as a list of one. */
static bool s_text_list(struct s_dec *dec, const struct lk_ynode *n, struct lk_text_list *out,
                        const char *what, const char *item_what)
{
    out->span = n->span;
    if (n->kind == LK_Y_SCALAR && n->stype != LK_YS_NULL && n->stype != LK_YS_BOOL) {
        out->items = lk_arena_alloc(dec->a, sizeof(*out->items));
        if (!s_text_nonempty(dec, n, &out->items[0], item_what))
            return false;
        out->n = 1;
        out->set = true;
        return true;
    }
    if (n->kind != LK_Y_SEQ) {
        lk_diag_add(dec->d, "LK010", n->span, "%s must be a list, not %s", what,
                    lk_ynode_describe(n));
        return false;
    }
    out->items = lk_arena_alloc(dec->a, n->n * sizeof(*out->items));
    bool ok = true;
    for (size_t i = 0; i < n->n; i++) {
        if (s_text_nonempty(dec, n->values[i], &out->items[out->n], item_what))
            out->n++;
        else
            ok = false;
    }
    out->set = true;
    return ok;
}

/* Entry names: LK026. */
static bool s_entry_name(struct s_dec *dec, const struct lk_ynode *key, const char *kind)
{
    struct lk_str s = key->text;
    bool ok = s.len >= 1 && s.len <= 64;
    for (size_t i = 0; ok && i < s.len; i++) {
        char c = s.ptr[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '-' && c != '_' && c != '.')))
            ok = false;
    }
    if (!ok) {
        struct lk_diag *d = lk_diag_add(dec->d, "LK026", key->span, "invalid %s name \"%s\"",
                                        kind, key->text.ptr);
        lk_diag_help(dec->d, d,
                     "names are 1-64 letters, digits, '-', '_' and '.', starting with a letter or "
                     "digit");
    }
    return ok;
}

static void s_missing(struct s_dec *dec, struct lk_span where, const char *key, const char *in)
{
    lk_diag_add(dec->d, "LK011", where, "%s has no \"%s\"", in, key);
}

/* Appends to an arena array of pointers. */
static void s_push_ptr(struct s_dec *dec, void ***arr, size_t *n, size_t *cap, void *item)
{
    LK_ARENA_ARRAY_GROW(dec->a, *arr, *n, *cap);
    (*arr)[(*n)++] = item;
}

static void s_waivers(struct s_dec *dec, const struct lk_ynode *n, struct lk_waivers *out)
{
    if (!s_is_map(dec, n, "waivers"))
        return;
    out->items = lk_arena_alloc(dec->a, n->n * sizeof(*out->items));
    for (size_t i = 0; i < n->n; i++) {
        struct lk_waiver *w = &out->items[out->n];
        w->rule.v = s_keep(dec, n->keys[i]->text);
        w->rule.span = n->keys[i]->span;
        w->rule.set = true;
        const struct lk_rule *rule = lk_rule_find(n->keys[i]->text.ptr);
        if (!rule) {
            lk_diag_add(dec->d, "LK028", n->keys[i]->span, "waiver for unknown rule \"%s\"",
                        n->keys[i]->text.ptr);
            continue;
        }
        /* Only judgement calls can be waived, never structure, AWS limits or baselines. */
        if (!lk_rule_waivable(rule)) {
            struct lk_diag *d = lk_diag_add(dec->d, "LK028", n->keys[i]->span,
                                            "rule %s cannot be waived", rule->id);
            lk_diag_help(dec->d, d, "waivable rules: LK102, LK103, LK203, LK301, LK302, LK401, "
                                    "LK402, LK404, LK405, LK406");
            continue;
        }
        if (!s_text(dec, n->values[i], &w->reason, "a waiver's reason"))
            continue;
        size_t words = 0;
        bool in_word = false;
        for (size_t k = 0; k < w->reason.v.len; k++) {
            bool sp = w->reason.v.ptr[k] == ' ' || w->reason.v.ptr[k] == '\t';
            if (!sp && !in_word)
                words++;
            in_word = !sp;
        }
        if (words < 3) {
            struct lk_diag *d = lk_diag_add(dec->d, "LK028", n->values[i]->span,
                                            "the reason for waiving %s says too little", rule->id);
            lk_diag_help(dec->d, d, "say in a sentence why the rule does not apply here");
            continue;
        }
        out->n++;
    }
}

/* ----------------------------------------------------------------------------- roles */

static void s_role(struct s_dec *dec, const struct lk_ynode *key, const struct lk_ynode *val)
{
    if (!s_entry_name(dec, key, "role") || !s_is_map(dec, val, "a role"))
        return;
    struct lk_role *r = lk_arena_alloc(dec->a, sizeof(*r));
    r->name = s_keep(dec, key->text);
    r->span = key->span;
    static const char *const keys[] = {"principals", "access", "description"};
    for (size_t i = 0; i < val->n; i++) {
        const struct lk_ynode *k = val->keys[i], *v = val->values[i];
        switch (s_key(dec, k, keys, 3, "a role")) {
        case 0:
            s_text_list(dec, v, &r->principals, "principals", "a principal");
            if (r->principals.set && r->principals.n == 0)
                lk_diag_add(dec->d, "LK011", v->span, "role \"%s\" lists no principals",
                            key->text.ptr);
            break;
        case 1: {
            struct lk_text t = {0};
            if (!s_text_peek(dec, v, &t, "access"))
                break;
            static const char *const levels[] = {"read", "admin"};
            if (lk_str_eq_c(t.v, "read")) {
                r->access = LK_ACCESS_READ;
            } else if (lk_str_eq_c(t.v, "admin")) {
                r->access = LK_ACCESS_ADMIN;
            } else {
                struct lk_diag *d = lk_diag_add(dec->d, "LK016", v->span,
                                                "access must be read or admin, not \"%s\"",
                                                v->text.ptr);
                const char *s = lk_suggest(t.v, levels, 2);
                if (s)
                    lk_diag_help(dec->d, d, "did you mean \"%s\"?", s);
                break;
            }
            r->access_set = true;
            r->access_span = v->span;
            break;
        }
        case 2:
            s_text(dec, v, &r->description, "description");
            break;
        default:
            break;
        }
    }
    char *what = lk_arena_printf(dec->scratch, "role \"%s\"", key->text.ptr);
    if (!r->principals.set)
        s_missing(dec, key->span, "principals", what);
    bool had_access = false;
    for (size_t i = 0; i < val->n; i++)
        had_access |= lk_str_eq_c(val->keys[i]->text, "access");
    if (!had_access)
        s_missing(dec, key->span, "access", what);
    s_push_ptr(dec, (void ***)&dec->p->roles, &dec->p->n_roles, &dec->p->cap_roles, r);
}

/* ----------------------------------------------------------------------------- retention */

static const char *const s_class_names[LK_SC_COUNT] = {
    "standard-ia", "onezone-ia", "intelligent-tiering", "glacier-ir", "glacier", "deep-archive",
};

static const char *const s_class_api[LK_SC_COUNT] = {
    "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE",
};

const char *lk_storage_class_name(enum lk_storage_class sc)
{
    return sc < LK_SC_COUNT ? s_class_names[sc] : "?";
}

const char *lk_storage_class_api(enum lk_storage_class sc)
{
    return sc < LK_SC_COUNT ? s_class_api[sc] : "?";
}

static void s_tier(struct s_dec *dec, const struct lk_ynode *n, struct lk_retention *ret)
{
    if (!s_is_map(dec, n, "an archive tier"))
        return;
    struct lk_tier *t = &ret->tiers[ret->n_tiers];
    t->span = n->span;
    bool have_class = false;
    static const char *const keys[] = {"after", "class"};
    for (size_t i = 0; i < n->n; i++) {
        const struct lk_ynode *k = n->keys[i], *v = n->values[i];
        switch (s_key(dec, k, keys, 2, "an archive tier")) {
        case 0:
            s_days(dec, v, &t->after, "after", false);
            break;
        case 1: {
            struct lk_text c = {0};
            if (!s_text_peek(dec, v, &c, "class"))
                break;
            for (int sc = 0; sc < LK_SC_COUNT; sc++) {
                if (lk_str_eq_c(c.v, s_class_names[sc])) {
                    t->storage_class = (enum lk_storage_class)sc;
                    t->class_span = v->span;
                    have_class = true;
                }
            }
            if (!have_class) {
                struct lk_diag *d = lk_diag_add(dec->d, "LK016", v->span,
                                                "unknown storage class \"%s\"", v->text.ptr);
                const char *s = lk_suggest(c.v, s_class_names, LK_SC_COUNT);
                if (s)
                    lk_diag_help(dec->d, d, "did you mean \"%s\"?", s);
                else
                    lk_diag_help(dec->d, d,
                                 "archive classes are standard-ia, onezone-ia, "
                                 "intelligent-tiering, glacier-ir, glacier and deep-archive");
                return;
            }
            break;
        }
        default:
            break;
        }
    }
    if (!t->after.set) {
        bool present = false;
        for (size_t i = 0; i < n->n; i++)
            present |= lk_str_eq_c(n->keys[i]->text, "after");
        if (!present)
            s_missing(dec, n->span, "after", "an archive tier");
        return;
    }
    if (!have_class) {
        bool present = false;
        for (size_t i = 0; i < n->n; i++)
            present |= lk_str_eq_c(n->keys[i]->text, "class");
        if (!present)
            s_missing(dec, n->span, "class", "an archive tier");
        return;
    }
    ret->n_tiers++;
}

/* Decodes a retention mapping (named or inline). */
static struct lk_retention *s_retention_body(struct s_dec *dec, const struct lk_ynode *val,
                                             struct lk_span span, const char *what)
{
    if (!s_is_map(dec, val, what))
        return NULL;
    struct lk_retention *r = lk_arena_alloc(dec->a, sizeof(*r));
    r->span = span;
    static const char *const keys[] = {"available", "archive", "delete_after", "description"};
    bool seen_delete = false;
    for (size_t i = 0; i < val->n; i++) {
        const struct lk_ynode *k = val->keys[i], *v = val->values[i];
        switch (s_key(dec, k, keys, 4, what)) {
        case 0:
            s_days(dec, v, &r->available, "available", false);
            break;
        case 1:
            r->archive_set = true;
            r->archive_span = v->span;
            if (v->kind != LK_Y_SEQ) {
                lk_diag_add(dec->d, "LK010", v->span,
                            "archive must be a list of tiers, not %s", lk_ynode_describe(v));
                break;
            }
            r->tiers = lk_arena_alloc(dec->a, v->n * sizeof(*r->tiers));
            for (size_t t = 0; t < v->n; t++)
                s_tier(dec, v->values[t], r);
            break;
        case 2:
            seen_delete = true;
            s_days(dec, v, &r->delete_after, "delete_after", true);
            break;
        case 3: {
            struct lk_text ignored;
            s_text_peek(dec, v, &ignored, "description");
            break;
        }
        default:
            break;
        }
    }
    if (!seen_delete) {
        struct lk_diag *d = lk_diag_add(dec->d, "LK011", span, "%s has no \"delete_after\"", what);
        lk_diag_help(dec->d, d, "every retention ends: say when logs are deleted (for example "
                                "delete_after: 1y)");
    }
    return r;
}

static void s_retention_class(struct s_dec *dec, const struct lk_ynode *key,
                              const struct lk_ynode *val)
{
    if (!s_entry_name(dec, key, "retention class"))
        return;
    char *what = lk_arena_printf(dec->scratch, "retention class \"%s\"", key->text.ptr);
    struct lk_retention *r = s_retention_body(dec, val, key->span, what);
    if (!r)
        return;
    r->name = s_keep(dec, key->text);
    r->named = true;
    s_push_ptr(dec, (void ***)&dec->p->retentions, &dec->p->n_retentions,
               &dec->p->cap_retentions, r);
}

/* ----------------------------------------------------------------------------- stores */

static void s_store(struct s_dec *dec, const struct lk_ynode *key, const struct lk_ynode *val)
{
    if (!s_entry_name(dec, key, "store") || !s_is_map(dec, val, "a store"))
        return;
    struct lk_store *s = lk_arena_alloc(dec->a, sizeof(*s));
    s->name = s_keep(dec, key->text);
    s->span = key->span;
    char *what = lk_arena_printf(dec->scratch, "store \"%s\"", key->text.ptr);
    static const char *const keys[] = {"bucket",
                                       "region",
                                       "encryption",
                                       "versioning",
                                       "object_lock",
                                       "readers",
                                       "admins",
                                       "transition_small_objects",
                                       "abort_incomplete_uploads",
                                       "waivers",
                                       "description",
                                       "account"};
    const size_t nk = sizeof(keys) / sizeof(keys[0]);
    for (size_t i = 0; i < val->n; i++) {
        const struct lk_ynode *k = val->keys[i], *v = val->values[i];
        switch (s_key(dec, k, keys, nk, what)) {
        case 0: s_text_nonempty(dec, v, &s->bucket, "bucket"); break;
        case 1: s_text_nonempty(dec, v, &s->region, "region"); break;
        case 2: {
            s->encryption_set = true;
            s->encryption_span = v->span;
            if (!s_is_map(dec, v, "encryption"))
                break;
            static const char *const ekeys[] = {"kms_key"};
            for (size_t e = 0; e < v->n; e++)
                if (s_key(dec, v->keys[e], ekeys, 1, "encryption") == 0)
                    s_text_nonempty(dec, v->values[e], &s->kms_key, "kms_key");
            break;
        }
        case 3: s_flag(dec, v, &s->versioning, "versioning"); break;
        case 4: {
            s->object_lock.set = true;
            s->object_lock.span = v->span;
            if (!s_is_map(dec, v, "object_lock"))
                break;
            static const char *const lkeys[] = {"mode", "for"};
            for (size_t e = 0; e < v->n; e++) {
                const struct lk_ynode *lv = v->values[e];
                switch (s_key(dec, v->keys[e], lkeys, 2, "object_lock")) {
                case 0: {
                    struct lk_text m = {0};
                    if (!s_text_peek(dec, lv, &m, "mode"))
                        break;
                    static const char *const modes[] = {"governance", "compliance"};
                    if (lk_str_eq_c(m.v, "governance")) {
                        s->object_lock.mode = LK_LOCK_GOVERNANCE;
                    } else if (lk_str_eq_c(m.v, "compliance")) {
                        s->object_lock.mode = LK_LOCK_COMPLIANCE;
                    } else {
                        struct lk_diag *d = lk_diag_add(
                            dec->d, "LK016", lv->span,
                            "object lock mode must be governance or compliance, not \"%s\"",
                            lv->text.ptr);
                        const char *sg = lk_suggest(m.v, modes, 2);
                        if (sg)
                            lk_diag_help(dec->d, d, "did you mean \"%s\"?", sg);
                        break;
                    }
                    s->object_lock.mode_set = true;
                    s->object_lock.mode_span = lv->span;
                    break;
                }
                case 1: s_days(dec, lv, &s->object_lock.period, "object lock period", false); break;
                default: break;
                }
            }
            if (!s->object_lock.mode_set && !s->object_lock.period.set) {
                bool has_mode = false, has_for = false;
                for (size_t e = 0; e < v->n; e++) {
                    has_mode |= lk_str_eq_c(v->keys[e]->text, "mode");
                    has_for |= lk_str_eq_c(v->keys[e]->text, "for");
                }
                if (!has_mode)
                    s_missing(dec, v->span, "mode", "object_lock");
                if (!has_for)
                    s_missing(dec, v->span, "for", "object_lock");
            } else if (!s->object_lock.mode_set) {
                bool has_mode = false;
                for (size_t e = 0; e < v->n; e++)
                    has_mode |= lk_str_eq_c(v->keys[e]->text, "mode");
                if (!has_mode)
                    s_missing(dec, v->span, "mode", "object_lock");
            } else if (!s->object_lock.period.set) {
                bool has_for = false;
                for (size_t e = 0; e < v->n; e++)
                    has_for |= lk_str_eq_c(v->keys[e]->text, "for");
                if (!has_for)
                    s_missing(dec, v->span, "for", "object_lock");
            }
            break;
        }
        case 5: s_text_list(dec, v, &s->readers, "readers", "a role name"); break;
        case 6: s_text_list(dec, v, &s->admins, "admins", "a role name"); break;
        case 7: s_flag(dec, v, &s->transition_small_objects, "transition_small_objects"); break;
        case 8: s_days(dec, v, &s->abort_incomplete_uploads, "abort_incomplete_uploads", false); break;
        case 9: s_waivers(dec, v, &s->waivers); break;
        case 10: {
            struct lk_text ignored;
            s_text_peek(dec, v, &ignored, "description");
            break;
        }
        case 11: s_text_nonempty(dec, v, &s->account, "a store's account"); break;
        default: break;
        }
    }
    bool has_bucket = false;
    for (size_t i = 0; i < val->n; i++)
        has_bucket |= lk_str_eq_c(val->keys[i]->text, "bucket");
    if (!has_bucket)
        s_missing(dec, key->span, "bucket", what);
    s_push_ptr(dec, (void ***)&dec->p->stores, &dec->p->n_stores, &dec->p->cap_stores, s);
}

/* ----------------------------------------------------------------------------- sources */

static void s_trail(struct s_dec *dec, const struct lk_ynode *v, struct lk_source *src)
{
    if (!src->trail)
        src->trail = lk_arena_alloc(dec->a, sizeof(*src->trail));
    struct lk_trail_cfg *t = src->trail;
    t->set = true;
    t->span = v->span;
    if (!s_is_map(dec, v, "trail"))
        return;
    static const char *const keys[] = {"name",
                                       "multi_region",
                                       "organization",
                                       "log_file_validation",
                                       "global_service_events",
                                       "management_events",
                                       "read_write",
                                       "kms_key",
                                       "cloudwatch",
                                       "organization_id"};
    const size_t nk = sizeof(keys) / sizeof(keys[0]);
    for (size_t i = 0; i < v->n; i++) {
        const struct lk_ynode *k = v->keys[i], *x = v->values[i];
        switch (s_key(dec, k, keys, nk, "trail")) {
        case 0: s_text_nonempty(dec, x, &t->name, "trail name"); break;
        case 1: s_flag(dec, x, &t->multi_region, "multi_region"); break;
        case 2: s_flag(dec, x, &t->organization, "organization"); break;
        case 3: s_flag(dec, x, &t->log_file_validation, "log_file_validation"); break;
        case 4: s_flag(dec, x, &t->global_service_events, "global_service_events"); break;
        case 5: s_flag(dec, x, &t->management_events, "management_events"); break;
        case 6: {
            if (!s_text(dec, x, &t->read_write, "read_write"))
                break;
            /* EventSelector ReadWriteType: ReadOnly | WriteOnly | All (CloudTrail API
             * Reference, EventSelector). */
            static const char *const rw[] = {"All", "ReadOnly", "WriteOnly"};
            if (!lk_str_eq_c(t->read_write.v, "All") && !lk_str_eq_c(t->read_write.v, "ReadOnly") &&
                !lk_str_eq_c(t->read_write.v, "WriteOnly")) {
                struct lk_diag *d = lk_diag_add(dec->d, "LK016", x->span,
                                                "read_write must be All, ReadOnly or WriteOnly, "
                                                "not \"%s\"",
                                                x->text.ptr);
                const char *s = lk_suggest(t->read_write.v, rw, 3);
                if (s)
                    lk_diag_help(dec->d, d, "did you mean \"%s\"?", s);
                t->read_write.set = false;
            }
            break;
        }
        case 7: s_text_nonempty(dec, x, &t->kms_key, "kms_key"); break;
        case 8: {
            t->cloudwatch.set = true;
            t->cloudwatch.span = x->span;
            if (!s_is_map(dec, x, "cloudwatch"))
                break;
            static const char *const ckeys[] = {"log_group", "role"};
            for (size_t c = 0; c < x->n; c++) {
                switch (s_key(dec, x->keys[c], ckeys, 2, "cloudwatch")) {
                case 0: s_text_nonempty(dec, x->values[c], &t->cloudwatch.log_group, "log_group"); break;
                case 1: s_text_nonempty(dec, x->values[c], &t->cloudwatch.role, "role"); break;
                default: break;
                }
            }
            if (!t->cloudwatch.log_group.set || !t->cloudwatch.role.set) {
                bool lg = false, role = false;
                for (size_t c = 0; c < x->n; c++) {
                    lg |= lk_str_eq_c(x->keys[c]->text, "log_group");
                    role |= lk_str_eq_c(x->keys[c]->text, "role");
                }
                if (!lg)
                    s_missing(dec, x->span, "log_group", "cloudwatch");
                if (!role) {
                    struct lk_diag *d = lk_diag_add(dec->d, "LK011", x->span,
                                                    "cloudwatch has no \"role\"");
                    lk_diag_help(dec->d, d, "CloudTrail needs an IAM role to write to CloudWatch "
                                            "Logs (CloudWatchLogsRoleArn)");
                }
            }
            break;
        }
        case 9: s_text_nonempty(dec, x, &t->organization_id, "organization_id"); break;
        default: break;
        }
    }
}

/* ----------------------------------------------------------------------------- coverage */

static bool s_iam_chars(struct lk_str s, size_t min, size_t max, const char *extra);

/* The coverage settings of @p src, created on first use: most sources write none. */
static struct lk_coverage_cfg *s_cov(struct s_dec *dec, struct lk_source *src)
{
    if (!src->cov)
        src->cov = lk_arena_alloc(dec->a, sizeof(*src->cov));
    return src->cov;
}

/* The rarely written keys of @p src (struct lk_source_more), made on the first one written. */
static struct lk_source_more *s_more(struct s_dec *dec, struct lk_source *src)
{
    if (!src->more)
        src->more = lk_arena_alloc(dec->a, sizeof(*src->more));
    return src->more;
}

/* @return the number of words of @p s: runs of characters other than spaces and tabs. */
static size_t s_words(struct lk_str s)
{
    size_t words = 0;
    bool in_word = false;
    for (size_t k = 0; k < s.len; k++) {
        bool sp = s.ptr[k] == ' ' || s.ptr[k] == '\t';
        if (!sp && !in_word)
            words++;
        in_word = !sp;
    }
    return words;
}

/* "tags: { key: value }". Keys are 1 to 128 characters and values 0 to 256 (EC2 API, Tag; the
 * same limits in ELBv2, WAFV2, Network Firewall, EKS and RDS). */
static void s_tags(struct s_dec *dec, const struct lk_ynode *n, struct lk_coverage_cfg *cov)
{
    if (!s_is_map(dec, n, "tags"))
        return;
    cov->tags_set = true;
    cov->tags_span = n->span;
    cov->tags = lk_arena_alloc(dec->a, (n->n ? n->n : 1) * sizeof(*cov->tags));
    for (size_t i = 0; i < n->n; i++) {
        struct lk_tag_match *t = &cov->tags[cov->n_tags];
        if (!s_text(dec, n->keys[i], &t->key, "a tag key") ||
            !s_text(dec, n->values[i], &t->value, "a tag value"))
            continue;
        if (t->key.v.len == 0 || t->key.v.len > 128) {
            lk_diag_add(dec->d, "LK016", n->keys[i]->span,
                        "a tag key is 1 to 128 characters, not %zu", t->key.v.len);
            continue;
        }
        if (t->value.v.len > 256) {
            lk_diag_add(dec->d, "LK016", n->values[i]->span,
                        "a tag value is at most 256 characters, not %zu", t->value.v.len);
            continue;
        }
        cov->n_tags++;
    }
    if (cov->n_tags == 0 && n->n == 0) {
        struct lk_diag *d = lk_diag_add(dec->d, "LK016", n->span, "tags is an empty mapping");
        lk_diag_help(dec->d, d, "leave it out to select producers whatever their tags");
        cov->tags_set = false;
    }
}

/* "exclude: { <id>: <reason> }": the reason is written like a waiver's, in three words at least
 * (LK042); the ID's form is checked with the source's type (check_coverage.c). */
static void s_exclude(struct s_dec *dec, const struct lk_ynode *n, struct lk_coverage_cfg *cov)
{
    if (!s_is_map(dec, n, "exclude"))
        return;
    cov->exclude = lk_arena_alloc(dec->a, (n->n ? n->n : 1) * sizeof(*cov->exclude));
    for (size_t i = 0; i < n->n; i++) {
        struct lk_exclusion *x = &cov->exclude[cov->n_exclude];
        if (!s_text_nonempty(dec, n->keys[i], &x->id, "a producer ID"))
            continue;
        if (!s_text(dec, n->values[i], &x->reason, "the reason for an exclusion"))
            continue;
        if (s_words(x->reason.v) < 3) {
            struct lk_diag *d = lk_diag_add(dec->d, "LK042", n->values[i]->span,
                                            "the reason for excluding \"%.*s\" says too little",
                                            LK_STR_ARG(x->id.v));
            lk_diag_help(dec->d, d, "say in a sentence why this producer need not deliver here");
            continue;
        }
        cov->n_exclude++;
    }
}

/* "resources: { ids, names, tags, exclude }" */
static void s_resources(struct s_dec *dec, const struct lk_ynode *n, struct lk_coverage_cfg *cov)
{
    if (!s_is_map(dec, n, "resources"))
        return;
    cov->resources_set = true;
    cov->resources_span = n->span;
    static const char *const keys[] = {"ids", "names", "tags", "exclude"};
    for (size_t i = 0; i < n->n; i++) {
        const struct lk_ynode *v = n->values[i];
        switch (s_key(dec, n->keys[i], keys, sizeof(keys) / sizeof(keys[0]), "resources")) {
        case 0:
        case 1: {
            /* An empty list would select nothing: leave the key out to select every producer. */
            bool ids = i < n->n && lk_str_eq_c(n->keys[i]->text, "ids");
            struct lk_text_list *l = ids ? &cov->ids : &cov->names;
            if (s_text_list(dec, v, l, ids ? "ids" : "names",
                            ids ? "a producer ID" : "a name pattern") &&
                l->n == 0) {
                struct lk_diag *d = lk_diag_add(dec->d, "LK016", v->span, "%s is an empty list",
                                                ids ? "ids" : "names");
                lk_diag_help(dec->d, d, "leave it out to select every producer of the scope");
                l->set = false;
            }
            break;
        }
        case 2: s_tags(dec, v, cov); break;
        case 3: s_exclude(dec, v, cov); break;
        default: break;
        }
    }
}

static void s_source(struct s_dec *dec, const struct lk_ynode *key, const struct lk_ynode *val)
{
    if (!s_entry_name(dec, key, "source") || !s_is_map(dec, val, "a source"))
        return;
    struct lk_source *src = lk_arena_alloc(dec->a, sizeof(*src));
    src->name = s_keep(dec, key->text);
    src->span = key->span;
    char *what = lk_arena_printf(dec->scratch, "source \"%s\"", key->text.ptr);
    static const char *const keys[] = {"type",    "purpose",         "retention",
                                       "store",   "prefix",          "log_groups",
                                       "trail",   "forever_because", "waivers",
                                       "personal_data", "deletion_protection", "kms_key",
                                       "accounts", "regions",
                                       "resources", "enable", "log_types", "coverage",
                                       "delivery_role"};
    const size_t nk = sizeof(keys) / sizeof(keys[0]);
    bool has_type = false, has_retention = false;
    for (size_t i = 0; i < val->n; i++) {
        const struct lk_ynode *k = val->keys[i], *v = val->values[i];
        switch (s_key(dec, k, keys, nk, what)) {
        case 0: {
            has_type = true;
            struct lk_text t = {0};
            if (!s_text_peek(dec, v, &t, "type"))
                break;
            if (lk_source_type_parse(t.v, &src->type)) {
                src->type_set = true;
                src->type_span = v->span;
            } else {
                size_t n;
                const char *const *names = lk_source_type_names(&n);
                struct lk_diag *d = lk_diag_add(dec->d, "LK016", v->span,
                                                "unknown source type \"%s\"", v->text.ptr);
                const char *s = lk_suggest(t.v, names, n);
                if (s) {
                    lk_diag_help(dec->d, d, "did you mean \"%s\"?", s);
                } else {
                    struct lk_buf b;
                    lk_buf_init(&b, LK_BUF_MAX_LINE);
                    for (size_t k2 = 0; k2 < n; k2++)
                        lk_buf_printf(&b, "%s%s", k2 ? ", " : "", names[k2]);
                    const char *types = lk_buf_cstr(&b);
                    lk_diag_help(dec->d, d, "source types are: %s",
                                 types ? types : "(too many to list)");
                    lk_buf_free(&b);
                }
            }
            break;
        }
        case 1:
            src->purpose_given = true;
            s_text(dec, v, &src->purpose, "purpose");
            break;
        case 2:
            has_retention = true;
            src->retention_span = v->span;
            if (v->kind == LK_Y_MAP) {
                src->retention = s_retention_body(dec, v, v->span, "an inline retention");
                src->retention_inline = src->retention != NULL;
            } else {
                s_ref_nonempty(dec, v, &src->retention_ref, "retention");
            }
            break;
        case 3: s_ref_nonempty(dec, v, &src->store_ref, "store"); break;
        case 4:
            if (s_text(dec, v, &src->prefix, "prefix") && src->prefix.v.len) {
                /* A prefix names a folder: "flow" would also match "flow-old/..." in lifecycle
                 * filters and break the AWSLogs/ paths in bucket policies. */
                struct lk_str pre = src->prefix.v;
                if (lk_glob_has_wildcard(pre, LK_GLOB_QUESTION)) {
                    /* In a bucket policy resource '*' and '?' are wildcards, in a lifecycle
                     * filter they are literal characters: one prefix would mean two things. */
                    lk_diag_add(dec->d, "LK016", v->span,
                                "prefix \"%s\" contains a wildcard ('*' or '?')", v->text.ptr);
                    src->prefix.set = false;
                    src->prefix.v.len = 0;
                    src->prefix_invalid = true;
                } else if (pre.ptr[0] == '/' || pre.ptr[pre.len - 1] != '/') {
                    struct lk_diag *d = lk_diag_add(dec->d, "LK016", v->span,
                                                    "prefix \"%s\" must be a folder: no leading "
                                                    "'/', and a trailing '/'",
                                                    v->text.ptr);
                    if (pre.ptr[0] != '/')
                        lk_diag_help(dec->d, d, "write \"%s/\"", v->text.ptr);
                    src->prefix.set = false;
                    src->prefix.v.len = 0;
                    src->prefix_invalid = true;
                }
            }
            break;
        case 5: s_text_list(dec, v, &src->log_groups, "log_groups", "a log group name"); break;
        case 6: s_trail(dec, v, src); break;
        case 7:
            s_text_nonempty(dec, v, &s_more(dec, src)->forever_because, "forever_because");
            break;
        case 8: s_waivers(dec, v, &s_more(dec, src)->waivers); break;
        case 9: s_flag(dec, v, &s_more(dec, src)->personal_data, "personal_data"); break;
        case 10:
            s_flag(dec, v, &s_more(dec, src)->deletion_protection, "deletion_protection");
            break;
        case 11: s_text_nonempty(dec, v, &s_more(dec, src)->kms_key, "kms_key"); break;
        case 12:
        case 13: {
            /* An empty list would cover nothing: leave the key out to cover the whole scope. */
            bool accounts = lk_str_eq_c(k->text, "accounts");
            struct lk_text_list *l =
                accounts ? &s_more(dec, src)->accounts : &s_more(dec, src)->regions;
            if (s_text_list(dec, v, l, k->text.ptr,
                            accounts ? "an account or group name" : "a Region") &&
                l->n == 0) {
                struct lk_diag *d = lk_diag_add(dec->d, "LK016", v->span, "%s is an empty list",
                                                k->text.ptr);
                lk_diag_help(dec->d, d, "leave it out to cover the policy's whole scope");
                l->set = false;
            }
            break;
        }
        case 14: s_resources(dec, v, s_cov(dec, src)); break;
        case 15: s_flag(dec, v, &s_cov(dec, src)->enable, "enable"); break;
        case 16: {
            struct lk_coverage_cfg *cov = s_cov(dec, src);
            if (s_text_list(dec, v, &cov->log_types, "log_types", "a log type") &&
                cov->log_types.n == 0) {
                struct lk_diag *d =
                    lk_diag_add(dec->d, "LK016", v->span, "log_types is an empty list");
                lk_diag_help(dec->d, d, "leave it out for the type's default log types");
                cov->log_types.set = false;
            }
            break;
        }
        case 17: s_flag(dec, v, &s_cov(dec, src)->coverage, "coverage"); break;
        case 18: {
            /* A role name, as access.apply_role: the role is each account's own (IAM API,
             * CreateRole: RoleName, 1 to 64 of letters, digits and +=,.@-_). */
            struct lk_text *t = &s_cov(dec, src)->delivery_role;
            if (!s_text_nonempty(dec, v, t, "delivery_role"))
                break;
            if (!s_iam_chars(t->v, 1, 64, "+=,.@-")) {
                struct lk_diag *d = lk_diag_add(dec->d, "LK016", t->span,
                                                "\"%.*s\" is not a valid delivery_role",
                                                LK_STR_ARG(t->v));
                lk_diag_help(dec->d, d, "give the role's name, not its ARN: logkeep passes "
                                        "arn:<partition>:iam::<account>:role/<name> in each "
                                        "account");
                /* Kept as given: the source is not also reported for lacking a role. */
            }
            break;
        }
        default: break;
        }
    }
    if (!has_type)
        s_missing(dec, key->span, "type", what);
    /* Cloudtrail sources always have trail settings (the defaults when none are written). */
    if (src->type_set && src->type == LK_SRC_CLOUDTRAIL && !src->trail)
        src->trail = lk_arena_alloc(dec->a, sizeof(*src->trail));
    if (!has_retention) {
        struct lk_diag *d = lk_diag_add(dec->d, "LK011", key->span, "%s has no \"retention\"", what);
        lk_diag_help(dec->d, d, "name a retention class, or write one inline: retention: "
                                "{ available: 90d, delete_after: 1y }");
    }
    s_push_ptr(dec, (void ***)&dec->p->srcs, &dec->p->n_srcs, &dec->p->cap_srcs, src);
}

/* ----------------------------------------------------------------------------- top level */

/* Records a policy-wide scalar, which several files may repeat only with the same value. */
static void s_merge_text(struct s_dec *dec, struct lk_text *slot, const struct lk_text *val,
                         const char *key)
{
    if (!slot->set) {
        *slot = *val;
        return;
    }
    if (!lk_str_eq(slot->v, val->v)) {
        struct lk_diag *d =
            lk_diag_add(dec->d, "LK015", val->span, "%s \"%.*s\" differs from \"%.*s\"", key,
                        LK_STR_ARG(val->v), LK_STR_ARG(slot->v));
        lk_diag_related(dec->d, d, slot->span, "set here first");
    }
}

static void s_for_each_entry(struct s_dec *dec, const struct lk_ynode *v, const char *section,
                             void (*fn)(struct s_dec *, const struct lk_ynode *,
                                        const struct lk_ynode *))
{
    if (v->kind == LK_Y_SCALAR && v->stype == LK_YS_NULL)
        return; /* "roles:" with nothing under it: an empty section */
    if (!s_is_map(dec, v, section))
        return;
    for (size_t i = 0; i < v->n; i++)
        fn(dec, v->keys[i], v->values[i]);
}

static void s_unmanaged(struct s_dec *dec, const struct lk_ynode *key, const struct lk_ynode *v)
{
    if (!s_is_map(dec, v, "unmanaged"))
        return;
    if (dec->p->unmanaged.set) {
        struct lk_diag *d = lk_diag_add(dec->d, "LK012", key->span,
                                        "the unmanaged section is defined twice");
        lk_diag_related(dec->d, d, dec->p->unmanaged.span, "first defined here");
        return;
    }
    dec->p->unmanaged.set = true;
    dec->p->unmanaged.span = key->span;
    static const char *const keys[] = {"log_groups"};
    for (size_t i = 0; i < v->n; i++) {
        if (s_key(dec, v->keys[i], keys, 1, "unmanaged") != 0)
            continue;
        const struct lk_ynode *lg = v->values[i];
        if (!s_is_map(dec, lg, "unmanaged log_groups"))
            continue;
        static const char *const lkeys[] = {"delete_after"};
        for (size_t k = 0; k < lg->n; k++)
            if (s_key(dec, lg->keys[k], lkeys, 1, "unmanaged log_groups") == 0)
                s_days(dec, lg->values[k], &dec->p->unmanaged.delete_after, "delete_after", true);
        if (!dec->p->unmanaged.delete_after.set) {
            bool present = false;
            for (size_t k = 0; k < lg->n; k++)
                present |= lk_str_eq_c(lg->keys[k]->text, "delete_after");
            if (!present)
                s_missing(dec, lg->span, "delete_after", "unmanaged log_groups");
        }
    }
}


/* ----------------------------------------------------------------------------- organisations */

/* An account ID: a quoted string of 12 digits. An unquoted one is kept (so the rest of the policy
 * is checked against it) but reported: YAML reads it as a number and other tools drop leading
 * zeros. The 12 digits themselves are checked with the scope (LK031). */
static bool s_account_id(struct s_dec *dec, const struct lk_ynode *v, struct lk_text *out,
                         const char *what)
{
    if (v->kind == LK_Y_SCALAR && (v->stype == LK_YS_INT || v->stype == LK_YS_FLOAT)) {
        struct lk_diag *d =
            lk_diag_add(dec->d, "LK031", v->span, "%s must be a quoted string", what);
        lk_diag_help(dec->d, d, "write \"%s\"; unquoted, YAML reads a number", v->text.ptr);
        *out = (struct lk_text){s_keep(dec, v->text), v->span, true};
        return true;
    }
    return s_text_nonempty(dec, v, out, what);
}

static void s_account(struct s_dec *dec, const struct lk_ynode *key, const struct lk_ynode *val)
{
    if (!s_entry_name(dec, key, "account") || !s_is_map(dec, val, "an account"))
        return;
    struct lk_account *a = lk_arena_alloc(dec->a, sizeof(*a));
    a->name = s_keep(dec, key->text);
    a->span = key->span;
    char *what = lk_arena_printf(dec->scratch, "account \"%s\"", key->text.ptr);
    static const char *const keys[] = {"id", "kind", "delegated_admin", "description"};
    for (size_t i = 0; i < val->n; i++) {
        const struct lk_ynode *k = val->keys[i], *v = val->values[i];
        switch (s_key(dec, k, keys, 4, what)) {
        case 0: s_account_id(dec, v, &a->id, "an account ID"); break;
        case 1: {
            struct lk_text t = {0};
            if (!s_text_peek(dec, v, &t, "kind"))
                break;
            static const char *const kinds[] = {"workload", "management", "log-archive",
                                                "security"};
            bool found = false;
            for (size_t x = 0; x < 4; x++)
                if (lk_str_eq_c(t.v, kinds[x])) {
                    a->kind = (enum lk_account_kind)x;
                    found = true;
                }
            if (!found) {
                struct lk_diag *d = lk_diag_add(dec->d, "LK016", v->span,
                                                "account kind must be workload, management, "
                                                "log-archive or security, not \"%s\"",
                                                v->text.ptr);
                const char *sg = lk_suggest(t.v, kinds, 4);
                if (sg)
                    lk_diag_help(dec->d, d, "did you mean \"%s\"?", sg);
                break;
            }
            a->kind_set = true;
            a->kind_span = v->span;
            break;
        }
        case 2: {
            if (!s_text_list(dec, v, &a->delegated_admin, "delegated_admin", "a service name"))
                break;
            /* The services whose organisation-wide logging logkeep governs and that AWS
             * Organizations lets a member account administer (AWS Organizations User Guide,
             * "AWS services that you can use with AWS Organizations"). */
            static const char *const services[] = {"cloudtrail", "config", "guardduty"};
            for (size_t x = 0; x < a->delegated_admin.n; x++) {
                struct lk_text *t = &a->delegated_admin.items[x];
                if (lk_str_eq_c(t->v, "cloudtrail") || lk_str_eq_c(t->v, "config") ||
                    lk_str_eq_c(t->v, "guardduty"))
                    continue;
                struct lk_diag *d = lk_diag_add(dec->d, "LK016", t->span,
                                                "delegated_admin takes cloudtrail, config or "
                                                "guardduty, not \"%.*s\"",
                                                LK_STR_ARG(t->v));
                const char *sg = lk_suggest(t->v, services, 3);
                if (sg)
                    lk_diag_help(dec->d, d, "did you mean \"%s\"?", sg);
            }
            break;
        }
        case 3: {
            struct lk_text ignored;
            s_text_peek(dec, v, &ignored, "description");
            break;
        }
        default: break;
        }
    }
    bool has_id = false;
    for (size_t i = 0; i < val->n; i++)
        has_id |= lk_str_eq_c(val->keys[i]->text, "id");
    if (!has_id) {
        struct lk_diag *d = lk_diag_add(dec->d, "LK011", key->span, "%s has no \"id\"", what);
        lk_diag_help(dec->d, d, "give its 12-digit account ID: id: \"111122223333\"");
    }
    s_push_ptr(dec, (void ***)&dec->p->accounts, &dec->p->n_accounts, &dec->p->cap_accounts, a);
}

/* Organizational unit IDs: "^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$" (AWS Organizations API
 * Reference, OrganizationalUnit Id). */
static bool s_ou_id_valid(struct lk_str s)
{
    if (s.len < 3 || memcmp(s.ptr, "ou-", 3) != 0)
        return false;
    size_t i = 3, first = 0, second = 0;
    while (i < s.len && s.ptr[i] != '-') {
        char c = s.ptr[i++];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return false;
        first++;
    }
    if (i >= s.len || first < 4 || first > 32)
        return false;
    for (i++; i < s.len; i++) {
        char c = s.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return false;
        second++;
    }
    return second >= 8 && second <= 32;
}

static void s_group(struct s_dec *dec, const struct lk_ynode *key, const struct lk_ynode *val)
{
    if (!s_entry_name(dec, key, "account group"))
        return;
    struct lk_account_group *g = lk_arena_alloc(dec->a, sizeof(*g));
    g->name = s_keep(dec, key->text);
    g->span = key->span;
    char *what = lk_arena_printf(dec->scratch, "account group \"%s\"", key->text.ptr);
    if (val->kind != LK_Y_MAP) {
        g->kind = LK_GROUP_LIST;
        if (!s_text_list(dec, val, &g->members, what, "an account or group name"))
            return;
    } else {
        /* Exactly one of organization: true and organizational_unit: ou-... */
        static const char *const keys[] = {"organization", "organizational_unit", "description"};
        size_t kinds = 0;
        for (size_t i = 0; i < val->n; i++) {
            const struct lk_ynode *k = val->keys[i], *v = val->values[i];
            switch (s_key(dec, k, keys, 3, what)) {
            case 0: {
                struct lk_flag f = {0};
                kinds++;
                if (!s_flag(dec, v, &f, "organization"))
                    return;
                if (!f.v) {
                    struct lk_diag *d = lk_diag_add(dec->d, "LK016", v->span,
                                                    "organization: false selects no account");
                    lk_diag_help(dec->d, d, "write organization: true for every account of the "
                                            "organisation, or list the accounts");
                    return;
                }
                g->kind = LK_GROUP_ORGANIZATION;
                break;
            }
            case 1:
                kinds++;
                if (!s_text_nonempty(dec, v, &g->ou, "organizational_unit"))
                    return;
                if (!s_ou_id_valid(g->ou.v)) {
                    struct lk_diag *d =
                        lk_diag_add(dec->d, "LK016", v->span,
                                    "\"%s\" is not an organizational unit ID", v->text.ptr);
                    lk_diag_help(dec->d, d, "OU IDs look like ou-a1b2-11111111 (aws "
                                            "organizations list-organizational-units-for-parent)");
                    return;
                }
                g->kind = LK_GROUP_OU;
                break;
            case 2: {
                struct lk_text ignored;
                s_text_peek(dec, v, &ignored, "description");
                break;
            }
            default: return;
            }
        }
        if (kinds != 1) {
            struct lk_diag *d = lk_diag_add(dec->d, kinds ? "LK016" : "LK011", key->span,
                                            kinds ? "%s gives both organization and "
                                                    "organizational_unit"
                                                  : "%s has no \"organization\" or "
                                                    "\"organizational_unit\"",
                                            what);
            lk_diag_help(dec->d, d, "a group is a list of account names, { organization: true } "
                                    "or { organizational_unit: ou-... }");
            return;
        }
    }
    s_push_ptr(dec, (void ***)&dec->p->groups, &dec->p->n_groups, &dec->p->cap_groups, g);
}

static void s_pin(struct s_dec *dec, const struct lk_ynode *key, const struct lk_ynode *val)
{
    struct lk_group_pin pin = {s_keep(dec, key->text), key->span, {0}};
    if (!s_text_list(dec, val, &pin.ids, "a resolved group", "an account ID"))
        return;
    LK_ARENA_ARRAY_GROW(dec->a, dec->p->pins, dec->p->n_pins, dec->p->cap_pins);
    dec->p->pins[dec->p->n_pins++] = pin;
}

static void s_resolved(struct s_dec *dec, const struct lk_ynode *v)
{
    if (!s_is_map(dec, v, "resolved"))
        return;
    static const char *const keys[] = {"account_groups"};
    for (size_t i = 0; i < v->n; i++)
        if (s_key(dec, v->keys[i], keys, 1, "resolved") == 0)
            s_for_each_entry(dec, v->values[i], "resolved account_groups", s_pin);
}

/* IAM names: role names "[\w+=,.@-]{1,64}" (IAM API Reference, CreateRole RoleName),
 * RoleSessionName "[\w+=,.@-]{2,64}", ExternalId "[\w+=,.@:\/-]{2,1224}" (AWS STS API
 * Reference, AssumeRole). */
static bool s_iam_chars(struct lk_str s, size_t min, size_t max, const char *extra)
{
    if (s.len < min || s.len > max)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || strchr(extra, c) != NULL;
        if (!ok || c == '\0')
            return false;
    }
    return true;
}

static void s_access(struct s_dec *dec, const struct lk_ynode *key, const struct lk_ynode *v)
{
    struct lk_policy *p = dec->p;
    if (!s_is_map(dec, v, "access"))
        return;
    if (p->access.set) {
        struct lk_diag *d =
            lk_diag_add(dec->d, "LK012", key->span, "the access section is defined twice");
        lk_diag_related(dec->d, d, p->access.span, "first defined here");
        return;
    }
    p->access.set = true;
    p->access.span = key->span;
    static const char *const keys[] = {"apply_role", "read_role", "external_id", "session_name"};
    for (size_t i = 0; i < v->n; i++) {
        int k = s_key(dec, v->keys[i], keys, 4, "access");
        if (k < 0)
            continue;
        struct lk_text *slot[] = {&p->access.apply_role, &p->access.read_role,
                                  &p->access.external_id, &p->access.session_name};
        struct lk_text t = {0};
        if (!s_text_nonempty(dec, v->values[i], &t, keys[k]))
            continue;
        bool ok = k == 2   ? s_iam_chars(t.v, 2, 1224, "+=,.@:/-")
                  : k == 3 ? s_iam_chars(t.v, 2, 64, "+=,.@-")
                           : s_iam_chars(t.v, 1, 64, "+=,.@-");
        if (!ok) {
            struct lk_diag *d = lk_diag_add(dec->d, "LK016", t.span, "\"%.*s\" is not a valid %s",
                                            LK_STR_ARG(t.v), keys[k]);
            if (k < 2)
                lk_diag_help(dec->d, d, "give the role's name, not its ARN: logkeep assumes "
                                        "arn:<partition>:iam::<account>:role/<name> in each "
                                        "account");
            continue;
        }
        *slot[k] = t;
    }
}

/* Records a policy-wide list (regions), which several files may repeat only with the same value. */
static void s_merge_list(struct s_dec *dec, struct lk_text_list *slot,
                         const struct lk_text_list *val, const char *key)
{
    if (!slot->set) {
        *slot = *val;
        return;
    }
    bool same = slot->n == val->n;
    for (size_t i = 0; same && i < val->n; i++)
        same = lk_str_eq(slot->items[i].v, val->items[i].v);
    if (!same) {
        struct lk_diag *d = lk_diag_add(dec->d, "LK015", val->span,
                                        "%s differs from the %s another file gives", key, key);
        lk_diag_related(dec->d, d, slot->span, "set here first");
    }
}

static void s_decode_root(struct s_dec *dec, struct lk_ynode *root, uint32_t file_id);

/* Streamed sections: each entry is decoded as soon as the reader completes it. */
static void s_on_entry(void *ctx, const struct lk_ynode *section, const struct lk_ynode *key,
                       const struct lk_ynode *value)
{
    struct s_dec *dec = ctx;
    if (lk_str_eq_c(section->text, "sources"))
        s_source(dec, key, value);
    else if (lk_str_eq_c(section->text, "stores"))
        s_store(dec, key, value);
    else if (lk_str_eq_c(section->text, "roles"))
        s_role(dec, key, value);
    else if (lk_str_eq_c(section->text, "retention"))
        s_retention_class(dec, key, value);
}

void lk_decode_file(struct lk_policy *policy, uint32_t file_id)
{
    /* Nodes and their texts live in a scratch arena, released entry by entry for the streamed
     * sections and when the file is decoded; the decoder copies the texts the AST keeps into the
     * policy's arena, so types, durations, booleans and keys are not kept. */
    struct lk_arena scratch;
    lk_arena_init(&scratch);
    struct s_refs refs = {0};
    struct s_dec dec = {policy, &policy->diags, &policy->arena, &scratch, &refs};
    static const char *const streamed[] = {"roles", "stores", "retention", "sources"};
    const struct lk_yaml_stream stream = {s_on_entry, &dec, streamed, 4};
    struct lk_ynode *root =
        lk_yaml_read_stream(&policy->sources, file_id, &scratch, &scratch, &policy->diags, &stream);
    if (root)
        s_decode_root(&dec, root, file_id);
    else
        policy->n_files_unreadable++;
    free(refs.slots);
    lk_arena_destroy(&scratch);
}

static void s_decode_root(struct s_dec *dec_, struct lk_ynode *root, uint32_t file_id)
{
    struct lk_policy *policy = dec_->p;
    struct s_dec dec = *dec_;
    if (root->kind == LK_Y_SCALAR && root->stype == LK_YS_NULL) {
        lk_diag_add(dec.d, "LK004", root->span, "policy file is empty");
        return;
    }
    if (root->kind != LK_Y_MAP) {
        struct lk_diag *d = lk_diag_add(dec.d, "LK010", root->span,
                                        "a policy file must be a mapping, not %s",
                                        lk_ynode_describe(root));
        lk_diag_help(dec.d, d, "start the file with \"logkeep: 1\"");
        return;
    }
    static const char *const keys[] = {"logkeep",      "account",        "region",   "baselines",
                                       "roles",        "stores",         "retention", "sources",
                                       "unmanaged",    "organization",   "regions",  "accounts",
                                       "account_groups", "resolved",     "access"};
    const size_t nk = sizeof(keys) / sizeof(keys[0]);
    bool has_version = false;
    for (size_t i = 0; i < root->n; i++) {
        const struct lk_ynode *k = root->keys[i], *v = root->values[i];
        switch (s_key(&dec, k, keys, nk, "the policy")) {
        case 0: {
            has_version = true;
            if (v->kind != LK_Y_SCALAR || v->stype != LK_YS_INT) {
                lk_diag_add(dec.d, "LK014", v->span,
                            "the language version must be the integer %d, not %s",
                            LK_LANGUAGE_VERSION, lk_ynode_describe(v));
                break;
            }
            /* Compare the value, not the spelling: "01" and "0x1" are the integer 1 too. */
            char *end = NULL;
            long version = strtol(v->text.ptr, &end, 0);
            if (lk_str_starts_with(v->text, "0o"))
                version = strtol(v->text.ptr + 2, &end, 8);
            if (version != LK_LANGUAGE_VERSION || !end || *end) {
                struct lk_diag *d = lk_diag_add(dec.d, "LK014", v->span,
                                                "language version %s is not supported",
                                                v->text.ptr);
                lk_diag_help(dec.d, d, "this logkeep reads version %d", LK_LANGUAGE_VERSION);
                break;
            }
            if (!policy->version_set) {
                policy->version = LK_LANGUAGE_VERSION;
                policy->version_span = v->span;
                policy->version_set = true;
            }
            break;
        }
        case 1: {
            if (v->kind == LK_Y_SCALAR && (v->stype == LK_YS_INT || v->stype == LK_YS_FLOAT)) {
                struct lk_diag *d = lk_diag_add(dec.d, "LK024", v->span,
                                                "the account ID must be a quoted string");
                lk_diag_help(dec.d, d,
                             "write account: \"%s\"; unquoted, YAML reads a number and other "
                             "tools drop leading zeros",
                             v->text.ptr);
                /* Keep the value so the rest of the policy is checked against it: a copy, as
                 * the node's text goes with the reader's scratch arena. */
                struct lk_text t = {s_keep(&dec, v->text), v->span, true};
                s_merge_text(&dec, &policy->account, &t, "account");
                break;
            }
            struct lk_text t = {0};
            if (s_text_nonempty(&dec, v, &t, "account"))
                s_merge_text(&dec, &policy->account, &t, "account");
            break;
        }
        case 2: {
            struct lk_text t = {0};
            if (s_text_nonempty(&dec, v, &t, "region"))
                s_merge_text(&dec, &policy->region, &t, "region");
            break;
        }
        case 3: {
            struct lk_text_list l = {0};
            if (!s_text_list(&dec, v, &l, "baselines", "a baseline name"))
                break;
            /* Baselines from several files add up. */
            struct lk_text_list *b = &policy->baselines;
            struct lk_text *items = lk_arena_alloc(dec.a, (b->n + l.n) * sizeof(*items));
            if (b->n)
                memcpy(items, b->items, b->n * sizeof(*items));
            memcpy(items + b->n, l.items, l.n * sizeof(*items));
            b->items = items;
            b->n += l.n;
            if (!b->set)
                b->span = l.span;
            b->set = true;
            break;
        }
        case 4: s_for_each_entry(&dec, v, "roles", s_role); break;
        case 5: s_for_each_entry(&dec, v, "stores", s_store); break;
        case 6: s_for_each_entry(&dec, v, "retention", s_retention_class); break;
        case 7: s_for_each_entry(&dec, v, "sources", s_source); break;
        case 8: s_unmanaged(&dec, k, v); break;
        case 9: {
            struct lk_text t = {0};
            if (s_text_nonempty(&dec, v, &t, "organization"))
                s_merge_text(&dec, &policy->organization, &t, "organization");
            break;
        }
        case 10: {
            struct lk_text_list l = {0};
            if (!s_text_list(&dec, v, &l, "regions", "a Region"))
                break;
            if (l.n == 0) {
                lk_diag_add(dec.d, "LK016", v->span, "regions must name at least one Region");
                break;
            }
            s_merge_list(&dec, &policy->regions, &l, "regions");
            break;
        }
        case 11: s_for_each_entry(&dec, v, "accounts", s_account); break;
        case 12: s_for_each_entry(&dec, v, "account_groups", s_group); break;
        case 13: s_resolved(&dec, v); break;
        case 14: s_access(&dec, k, v); break;
        default: break;
        }
    }
    if (!has_version) {
        struct lk_diag *d = lk_diag_add(dec.d, "LK014", (struct lk_span){file_id, 1, 1, 1},
                                        "policy file has no language version");
        lk_diag_help(dec.d, d, "start the file with \"logkeep: %d\"", LK_LANGUAGE_VERSION);
    }
}
