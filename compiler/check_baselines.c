/*
 * logkeep: holding a policy to the baselines it lists (LK5xx).
 *
 * Each entry of `baselines:` is a built-in baseline's name or the relative path of an
 * organisation's baseline file. Every finding names the baseline and the requirement, says what
 * it asks and what the policy has ("pci-dss-4.0 10.5.1: at least 90 days immediately available;
 * source "vpc-flow" keeps 30"), and shows the requirement's text.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/baseline.h"
#include "compiler/check_int.h"
#include "compiler/decode_int.h"
#include "compiler/duration.h"

struct s_ctx {
    struct lk_policy *p;
    const struct lk_baseline *b;
    const struct lk_baseline_req *r;
    struct lk_span entry; /* the baselines: entry that named the baseline */
};

/* Adds the finding with the requirement's text, and where the baseline is listed. */
__attribute__((format(printf, 4, 5))) static void
s_finding(const struct s_ctx *c, const char *rule, struct lk_span span, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    struct lk_diag *d =
        lk_diag_add(&c->p->diags, rule, span, "%s %s: %s", c->b->name, c->r->id, what);
    if (c->r->interpretation)
        lk_diag_help(&c->p->diags, d,
                     "%s %s, an interpretation (see `logkeep baselines %s`): \"%s\"", c->b->name,
                     c->r->id, c->b->name, c->r->text);
    else
        lk_diag_help(&c->p->diags, d, "%s %s: \"%s\"", c->b->name, c->r->id, c->r->text);
    lk_diag_related(&c->p->diags, d, c->entry, "baseline listed here");
}

static bool s_applies(const struct lk_baseline_req *r, const struct lk_source *s)
{
    switch (r->scope) {
    case LK_BASELINE_ALL:
        return true;
    case LK_BASELINE_PERSONAL_DATA:
        return lk_source_more(s)->personal_data.set && lk_source_more(s)->personal_data.v;
    case LK_BASELINE_TYPES:
        return s->type_set && (r->types & (1u << s->type)) != 0;
    }
    return false;
}

/* Where a source's retention is written: the delete_after or available key, or the source's
 * retention: entry. */
static struct lk_span s_ret_span(const struct lk_source *s, const struct lk_days *d)
{
    if (d && d->set && s->retention_inline)
        return d->span;
    return s->retention_span.file != LK_SPAN_NONE_FILE && s->retention_span.line ? s->retention_span
                                                                                 : s->span;
}

/* Whether a store keeps noncurrent versions: versioning as written or defaulted, and always
 * with Object Lock (as lowering decides it). */
static bool s_store_versioned(const struct lk_store *st)
{
    return !st->versioning.set || st->versioning.v || st->object_lock.set;
}

/* The longest a finite source's logs are actually kept, in days, and how (for the message).
 * In a store: until expiry at delete_after, then, in a versioned store, as many days again as
 * a noncurrent version (lower.c, s_lifecycle). In log groups: the retention CloudWatch Logs
 * applies, rounded up to an allowed value (what lowering sets). The longer of the two. */
static int64_t s_kept_days(const struct lk_source *s, char *how, size_t how_len)
{
    const struct lk_retention *ret = s->retention;
    int64_t del = ret->delete_after.days;
    int64_t kept = 0;
    how[0] = '\0';
    if (s->store) {
        kept = del;
        if (s_store_versioned(s->store)) {
            kept = del + del;
            snprintf(how, how_len,
                     " (%lld days in store \"%.*s\", then %lld more as noncurrent versions)",
                     (long long)del, LK_STR_ARG(s->store->name), (long long)del);
        }
    }
    bool has_logs =
        (s->log_groups.set && s->log_groups.n > 0) || (s->trail && s->trail->cloudwatch.set);
    if (has_logs) {
        int64_t want = s->store ? lk_retention_available_days(ret) : del;
        int rounded;
        int64_t cwl = want >= 0 && lk_cwl_round_up(want, &rounded) ? rounded : want;
        if (cwl > kept) {
            kept = cwl;
            if (cwl != want)
                snprintf(how, how_len, " (CloudWatch Logs keeps %lld: %lld rounded up)",
                         (long long)cwl, (long long)want);
            else
                how[0] = '\0';
        }
    }
    return kept;
}

static void s_check_retention(const struct s_ctx *c, const struct lk_source *s)
{
    const struct lk_baseline_req *r = c->r;
    const struct lk_retention *ret = s->retention;
    if (!ret || !ret->delete_after.set)
        return; /* reported elsewhere (LK011) */
    bool forever = ret->delete_after.forever;
    int64_t keep = ret->delete_after.days;
    struct lk_span at = s_ret_span(s, &ret->delete_after);
    if (r->finite && forever) {
        s_finding(c, "LK505", at, "retention must be finite; source \"%.*s\" keeps logs forever",
                  LK_STR_ARG(s->name));
    } else if (r->max_retention.set && forever) {
        s_finding(c, "LK504", at,
                  "logs kept at most %lld days (%s); source \"%.*s\" keeps them "
                  "forever",
                  (long long)r->max_retention.days, r->max_retention.text, LK_STR_ARG(s->name));
    } else if (r->max_retention.set) {
        char how[160];
        int64_t kept = s_kept_days(s, how, sizeof(how));
        if (kept > r->max_retention.days)
            s_finding(c, "LK504", at,
                      "logs kept at most %lld days (%s); source \"%.*s\" keeps %lld%s",
                      (long long)r->max_retention.days, r->max_retention.text, LK_STR_ARG(s->name),
                      (long long)kept, how);
    }
    if (r->min_retention.set && !forever && keep < r->min_retention.days)
        s_finding(c, "LK502", at, "logs kept at least %lld days (%s); source \"%.*s\" keeps %lld",
                  (long long)r->min_retention.days, r->min_retention.text, LK_STR_ARG(s->name),
                  (long long)keep);
    if (r->min_available.set) {
        /* Without `available`, logs stay readily available until they are deleted
         * (docs/language.md, section 9). */
        bool avail_forever = !ret->available.set && forever;
        int64_t avail = ret->available.set ? ret->available.days : keep;
        if (!avail_forever && avail < r->min_available.days)
            s_finding(c, "LK503", s_ret_span(s, ret->available.set ? &ret->available : NULL),
                      "at least %lld days (%s) immediately available; source \"%.*s\" keeps "
                      "%lld",
                      (long long)r->min_available.days, r->min_available.text, LK_STR_ARG(s->name),
                      (long long)avail);
    }
}

static bool s_flag_value(const struct lk_flag *f, bool def)
{
    return f->set ? f->v : def;
}

static struct lk_span s_flag_span(const struct lk_flag *f, const struct lk_source *s)
{
    if (f->set)
        return f->span;
    return s->trail && s->trail->set ? s->trail->span : s->span;
}

static void s_want_flag(const struct s_ctx *c, const struct lk_source *s, enum lk_baseline_want w,
                        const struct lk_flag *f, bool def, const char *setting)
{
    if (w == LK_WANT_ANY)
        return;
    bool have = s_flag_value(f, def);
    if (have == (w == LK_WANT_ON))
        return;
    s_finding(c, "LK506", s_flag_span(f, s), "trail %s %s; source \"%.*s\" has it %s", setting,
              w == LK_WANT_ON ? "on" : "off", LK_STR_ARG(s->name), have ? "on" : "off");
}

static void s_check_trail(const struct s_ctx *c, const struct lk_source *s)
{
    const struct lk_baseline_req *r = c->r;
    const struct lk_trail_cfg *t = s->trail;
    if (!s->type_set || s->type != LK_SRC_CLOUDTRAIL || !t)
        return;
    /* Defaults as docs/language.md section 12 states them. */
    s_want_flag(c, s, r->trail.multi_region, &t->multi_region, true, "multi-region");
    s_want_flag(c, s, r->trail.log_file_validation, &t->log_file_validation, true,
                "log file validation");
    s_want_flag(c, s, r->trail.management_events, &t->management_events, true, "management events");
    s_want_flag(c, s, r->trail.global_service_events, &t->global_service_events, true,
                "global service events");
    if (r->trail.kms != LK_WANT_ANY) {
        /* The trail's own kms_key (its KmsKeyId) only: CIS 3.5's audit reads the trail's
         * KmsKeyId, and a store's default encryption does not give the trail one (LK405). */
        bool kms = t->kms_key.set;
        bool store_key = s->store && s->store->kms_key.set;
        if (kms != (r->trail.kms == LK_WANT_ON))
            s_finding(c, "LK506", t->set ? t->span : s->span,
                      "trail log files encrypted with the trail's own KMS key (trail.kms_key) %s; "
                      "source \"%.*s\" %s",
                      r->trail.kms == LK_WANT_ON ? "required" : "not wanted", LK_STR_ARG(s->name),
                      kms         ? "has one"
                      : store_key ? "has none (its store's encryption.kms_key does not count)"
                                  : "has none");
    }
    if (r->trail.read_write) {
        const char *have = t->read_write.set ? t->read_write.v.ptr : "All";
        size_t have_len = t->read_write.set ? t->read_write.v.len : 3;
        if (strlen(r->trail.read_write) != have_len ||
            memcmp(r->trail.read_write, have, have_len) != 0)
            s_finding(c, "LK506",
                      t->read_write.set ? t->read_write.span : (t->set ? t->span : s->span),
                      "trail read_write %s; source \"%.*s\" records %.*s", r->trail.read_write,
                      LK_STR_ARG(s->name), (int)have_len, have);
    }
}

static void s_check_store(const struct s_ctx *c, const struct lk_store *st)
{
    const struct lk_baseline_req *r = c->r;
    if (r->store.versioning != LK_WANT_ANY) {
        bool have = s_flag_value(&st->versioning, true);
        if (have != (r->store.versioning == LK_WANT_ON))
            s_finding(c, "LK507", st->versioning.set ? st->versioning.span : st->span,
                      "store versioning %s; store \"%.*s\" has it %s",
                      r->store.versioning == LK_WANT_ON ? "on" : "off", LK_STR_ARG(st->name),
                      have ? "on" : "off");
    }
    if (r->store.object_lock != LK_WANT_ANY) {
        bool have = st->object_lock.set;
        if (have != (r->store.object_lock == LK_WANT_ON))
            s_finding(c, "LK507", have ? st->object_lock.span : st->span,
                      "store Object Lock %s; store \"%.*s\" %s",
                      r->store.object_lock == LK_WANT_ON ? "required" : "not wanted",
                      LK_STR_ARG(st->name), have ? "has it" : "has none");
    }
    if (r->store.kms != LK_WANT_ANY) {
        bool have = st->kms_key.set;
        if (have != (r->store.kms == LK_WANT_ON))
            s_finding(c, "LK507", st->encryption_set ? st->encryption_span : st->span,
                      "store encrypted with a KMS key (encryption.kms_key) %s; store \"%.*s\" %s",
                      r->store.kms == LK_WANT_ON ? "required" : "not wanted", LK_STR_ARG(st->name),
                      have ? "has one" : "uses SSE-S3");
    }
}

static void s_check_requirement(struct s_ctx *c)
{
    const struct lk_baseline_req *r = c->r;
    struct lk_policy *p = c->p;
    bool store_checks = r->store.versioning || r->store.object_lock || r->store.kms;
    /* Stores are checked once each, in name order, when a source of the scope uses them. */
    for (size_t k = 0; k < p->n_stores; k++)
        p->stores[k]->baseline_due = false;
    for (size_t i = 0; i < p->n_srcs; i++) {
        const struct lk_source *s = p->srcs[i];
        if (!s_applies(r, s))
            continue;
        s_check_retention(c, s);
        s_check_trail(c, s);
        if (store_checks && s->store)
            s->store->baseline_due = true;
    }
    for (size_t k = 0; store_checks && k < p->n_stores; k++)
        if (p->stores[k]->baseline_due)
            s_check_store(c, p->stores[k]);
    for (int t = 0; t < LK_SRC_TYPE_COUNT; t++) {
        if (!(r->require_types & (1u << t)))
            continue;
        bool found = false;
        for (size_t i = 0; i < p->n_srcs && !found; i++)
            found = p->srcs[i]->type_set && p->srcs[i]->type == (enum lk_source_type)t;
        if (!found) {
            const char *type = lk_source_type_info((enum lk_source_type)t)->name;
            s_finding(c, "LK508", c->entry, "the policy needs a %s source; it has none", type);
        }
    }
}

/* Reads the baseline an entry names, or reports why it cannot. */
static const struct lk_baseline *s_resolve(struct lk_policy *p, const struct lk_text *e)
{
    if (!lk_baseline_entry_is_path(e->v)) {
        size_t n;
        const char *const *names = lk_baseline_builtin_names(&n);
        for (size_t k = 0; k < n; k++)
            if (lk_str_eq_c(e->v, names[k]))
                /* NULL only when the built-in file is invalid, and then it is reported. */
                return lk_baseline_load_builtin(names[k], &p->sources, &p->arena, &p->diags);
        struct lk_diag *d =
            lk_diag_add(&p->diags, "LK501", e->span, "unknown baseline \"%.*s\"", LK_STR_ARG(e->v));
        const char *s = lk_suggest(e->v, names, n);
        if (s) {
            lk_diag_help(&p->diags, d, "did you mean \"%s\"?", s);
        } else {
            struct lk_buf b;
            lk_buf_init(&b, LK_BUF_MAX_LINE);
            for (size_t k = 0; k < n; k++)
                lk_buf_printf(&b, "%s%s", k ? ", " : "", names[k]);
            const char *list = lk_buf_cstr(&b);
            lk_diag_help(&p->diags, d,
                         "built-in baselines: %s; an organisation's own baseline is a relative "
                         "path ending in .yaml",
                         list ? list : "(too many to list)");
            lk_buf_free(&b);
        }
        return NULL;
    }
    /* A file: relative to the directory of the policy file that lists it. */
    if (e->v.ptr[0] == '/') {
        lk_diag_add(&p->diags, "LK501", e->span,
                    "baseline file \"%.*s\" must be a path relative to the policy file",
                    LK_STR_ARG(e->v));
        return NULL;
    }
    const char *policy_path = lk_sources_path(&p->sources, e->span.file);
    const char *slash = strrchr(policy_path, '/');
    size_t dir_len = slash ? (size_t)(slash - policy_path) + 1 : 0;
    char *path =
        lk_arena_printf(&p->arena, "%.*s%.*s", (int)dir_len, policy_path, LK_STR_ARG(e->v));
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char *name = lk_arena_strndup(&p->arena, base, strlen(base) - 5);
    uint32_t id;
    size_t before = p->diags.n;
    errno = 0;
    int rc = lk_sources_read_file(&p->sources, path, &p->diags, &id);
    int err = errno ? errno : ENOENT;
    if (rc != 0) {
        if (p->diags.n == before)
            lk_diag_add(&p->diags, "LK501", e->span, "cannot read baseline file \"%s\": %s", path,
                        strerror(err));
        else
            lk_diag_related(&p->diags, &p->diags.items[p->diags.n - 1], e->span,
                            "baseline listed here");
        return NULL;
    }
    return lk_baseline_read(&p->sources, id, name, path, &p->arena, &p->diags);
}

void lk_check_baselines(struct lk_policy *p)
{
    for (size_t i = 0; i < p->baselines.n; i++) {
        struct lk_text *e = &p->baselines.items[i];
        bool dup = false;
        for (size_t k = 0; k < i && !dup; k++)
            dup = lk_str_eq(p->baselines.items[k].v, e->v);
        if (dup)
            continue; /* baselines of several files add up: a name listed twice counts once */
        const struct lk_baseline *b = s_resolve(p, e);
        if (!b)
            continue;
        if (b->rescinded) {
            struct lk_diag *d = lk_diag_add(&p->diags, "LK510", e->span,
                                            "baseline %s has been rescinded; its successor is %s",
                                            b->name, b->superseded_by);
            lk_diag_help(&p->diags, d, "list %s instead, or as well", b->superseded_by);
        }
        struct s_ctx c = {p, b, NULL, e->span};
        for (size_t r = 0; r < b->n_reqs; r++) {
            c.r = &b->reqs[r];
            s_check_requirement(&c);
        }
    }
}
