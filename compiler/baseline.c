/*
 * logkeep: reading baseline files (format: docs/baselines.md).
 */
#include "compiler/baseline.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/duration.h"
#include "compiler/embedded.h"
#include "compiler/policy.h"
#include "compiler/yaml_read.h"

const char *const *lk_baseline_builtin_names(size_t *n)
{
    /* In name order: the Makefile lists the files sorted (a unit test checks it). */
    *n = lk_builtin_baselines_count;
    return lk_builtin_baselines_names;
}

bool lk_baseline_entry_is_path(struct lk_str e)
{
    return e.len > 5 && memcmp(e.ptr + e.len - 5, ".yaml", 5) == 0;
}

/* --------------------------------------------------------------------------- reading */

struct s_rd {
    struct lk_arena *a;
    struct lk_diags *d;
    bool failed;
};

__attribute__((format(printf, 3, 4))) static struct lk_diag *
s_bad(struct s_rd *rd, struct lk_span span, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    rd->failed = true;
    return lk_diag_add(rd->d, "LK509", span, "invalid baseline file: %s", msg);
}

static const char *s_string(struct s_rd *rd, const struct lk_ynode *v, const char *key)
{
    if (v->kind != LK_Y_SCALAR || v->stype != LK_YS_STR || v->text.len == 0) {
        s_bad(rd, v->span, "\"%s\" must be a non-empty string, not %s", key, lk_ynode_describe(v));
        return NULL;
    }
    return v->text.ptr; /* NUL-terminated in the arena */
}

/* A calendar date written YYYY-MM-DD (quoted or not: the YAML reader keeps it a string). */
static const char *s_date(struct s_rd *rd, const struct lk_ynode *v, const char *key)
{
    const char *s = v->kind == LK_Y_SCALAR ? v->text.ptr : NULL;
    bool ok = s && v->text.len == 10 && s[4] == '-' && s[7] == '-';
    for (size_t i = 0; ok && i < 10; i++)
        ok = i == 4 || i == 7 || (s[i] >= '0' && s[i] <= '9');
    if (ok) {
        int month = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
        ok = month >= 1 && month <= 12 && day >= 1 && day <= 31;
    }
    if (!ok) {
        s_bad(rd, v->span, "\"%s\" must be a date written YYYY-MM-DD", key);
        return NULL;
    }
    return s;
}

static bool s_bool(struct s_rd *rd, const struct lk_ynode *v, const char *key, bool *out)
{
    if (v->kind != LK_Y_SCALAR || v->stype != LK_YS_BOOL) {
        s_bad(rd, v->span, "\"%s\" must be true or false, not %s", key, lk_ynode_describe(v));
        return false;
    }
    *out = v->text.ptr[0] == 't' || v->text.ptr[0] == 'T';
    return true;
}

static void s_want(struct s_rd *rd, const struct lk_ynode *v, const char *key,
                   enum lk_baseline_want *out)
{
    bool b;
    if (s_bool(rd, v, key, &b))
        *out = b ? LK_WANT_ON : LK_WANT_OFF;
}

static void s_days(struct s_rd *rd, const struct lk_ynode *v, const char *key,
                   struct lk_baseline_days *out)
{
    int64_t days = 0;
    if (v->kind != LK_Y_SCALAR || lk_duration_parse(v->text, &days) != LK_DUR_OK) {
        s_bad(rd, v->span, "\"%s\" must be a duration such as 90d, 12w or 1y", key);
        return;
    }
    out->set = true;
    out->days = days;
    out->text = v->text.ptr;
}

static const char **s_string_list(struct s_rd *rd, const struct lk_ynode *v, const char *key,
                                  size_t *n)
{
    *n = 0;
    if (v->kind != LK_Y_SEQ || v->n == 0) {
        s_bad(rd, v->span, "\"%s\" must be a non-empty list of strings", key);
        return NULL;
    }
    const char **out = lk_arena_alloc(rd->a, v->n * sizeof(*out));
    for (size_t i = 0; i < v->n; i++) {
        const char *s = s_string(rd, v->values[i], key);
        if (s)
            out[(*n)++] = s;
    }
    return out;
}

static uint32_t s_type_list(struct s_rd *rd, const struct lk_ynode *v, const char *key)
{
    uint32_t mask = 0;
    if (v->kind != LK_Y_SEQ || v->n == 0) {
        s_bad(rd, v->span, "\"%s\" must be a non-empty list of source types", key);
        return 0;
    }
    for (size_t i = 0; i < v->n; i++) {
        const struct lk_ynode *t = v->values[i];
        enum lk_source_type type;
        if (t->kind != LK_Y_SCALAR || !lk_source_type_parse(t->text, &type)) {
            s_bad(rd, t->span, "\"%s\": unknown source type \"%s\"", key,
                  t->kind == LK_Y_SCALAR ? t->text.ptr : "");
            continue;
        }
        mask |= 1u << type;
    }
    return mask;
}

/* The index of key in keys, or -1 after reporting an unknown key. */
static int s_key(struct s_rd *rd, const struct lk_ynode *k, const char *const *keys, size_t n,
                 const char *where)
{
    for (size_t i = 0; i < n; i++)
        if (lk_str_eq_c(k->text, keys[i]))
            return (int)i;
    struct lk_diag *d = s_bad(rd, k->span, "unknown key \"%s\" in %s", k->text.ptr, where);
    const char *s = lk_suggest(k->text, keys, n);
    if (s)
        lk_diag_help(rd->d, d, "did you mean \"%s\"?", s);
    return -1;
}

static bool s_is_map(struct s_rd *rd, const struct lk_ynode *v, const char *what)
{
    if (v->kind == LK_Y_MAP)
        return true;
    s_bad(rd, v->span, "%s must be a mapping, not %s", what, lk_ynode_describe(v));
    return false;
}

static void s_trail_req(struct s_rd *rd, const struct lk_ynode *v, struct lk_baseline_req *r,
                        bool *any)
{
    static const char *const keys[] = {"multi_region",      "log_file_validation",   "kms",
                                       "management_events", "global_service_events", "read_write"};
    if (!s_is_map(rd, v, "\"trail\""))
        return;
    for (size_t i = 0; i < v->n; i++) {
        const struct lk_ynode *k = v->keys[i], *x = v->values[i];
        *any = true;
        switch (s_key(rd, k, keys, sizeof(keys) / sizeof(keys[0]), "\"trail\"")) {
        case 0:
            s_want(rd, x, "multi_region", &r->trail.multi_region);
            break;
        case 1:
            s_want(rd, x, "log_file_validation", &r->trail.log_file_validation);
            break;
        case 2:
            s_want(rd, x, "kms", &r->trail.kms);
            break;
        case 3:
            s_want(rd, x, "management_events", &r->trail.management_events);
            break;
        case 4:
            s_want(rd, x, "global_service_events", &r->trail.global_service_events);
            break;
        case 5: {
            const char *s = s_string(rd, x, "read_write");
            if (s && strcmp(s, "All") && strcmp(s, "ReadOnly") && strcmp(s, "WriteOnly"))
                s_bad(rd, x->span, "\"read_write\" must be All, ReadOnly or WriteOnly");
            else
                r->trail.read_write = s;
            break;
        }
        default:
            break;
        }
    }
}

static void s_store_req(struct s_rd *rd, const struct lk_ynode *v, struct lk_baseline_req *r,
                        bool *any)
{
    static const char *const keys[] = {"versioning", "object_lock", "kms"};
    if (!s_is_map(rd, v, "\"store\""))
        return;
    for (size_t i = 0; i < v->n; i++) {
        const struct lk_ynode *k = v->keys[i], *x = v->values[i];
        *any = true;
        switch (s_key(rd, k, keys, sizeof(keys) / sizeof(keys[0]), "\"store\"")) {
        case 0:
            s_want(rd, x, "versioning", &r->store.versioning);
            break;
        case 1:
            s_want(rd, x, "object_lock", &r->store.object_lock);
            break;
        case 2:
            s_want(rd, x, "kms", &r->store.kms);
            break;
        default:
            break;
        }
    }
}

static void s_requirement(struct s_rd *rd, const struct lk_ynode *v, struct lk_baseline_req *r)
{
    static const char *const keys[] = {"id",
                                       "text",
                                       "interpretation",
                                       "applies_to",
                                       "min_retention",
                                       "max_retention",
                                       "min_available",
                                       "finite",
                                       "trail",
                                       "store",
                                       "require_source_types"};
    r->span = v->span;
    if (!s_is_map(rd, v, "a requirement"))
        return;
    bool any_check = false;
    for (size_t i = 0; i < v->n; i++) {
        const struct lk_ynode *k = v->keys[i], *x = v->values[i];
        switch (s_key(rd, k, keys, sizeof(keys) / sizeof(keys[0]), "a requirement")) {
        case 0:
            r->id = s_string(rd, x, "id");
            break;
        case 1:
            r->text = s_string(rd, x, "text");
            break;
        case 2:
            s_bool(rd, x, "interpretation", &r->interpretation);
            break;
        case 3:
            if (x->kind == LK_Y_SCALAR && lk_str_eq_c(x->text, "all")) {
                r->scope = LK_BASELINE_ALL;
            } else if (x->kind == LK_Y_SCALAR && lk_str_eq_c(x->text, "personal_data")) {
                r->scope = LK_BASELINE_PERSONAL_DATA;
            } else if (x->kind == LK_Y_SEQ) {
                r->scope = LK_BASELINE_TYPES;
                r->types = s_type_list(rd, x, "applies_to");
            } else {
                s_bad(rd, x->span,
                      "\"applies_to\" must be all, personal_data or a list of "
                      "source types");
            }
            break;
        case 4:
            s_days(rd, x, "min_retention", &r->min_retention);
            any_check = true;
            break;
        case 5:
            s_days(rd, x, "max_retention", &r->max_retention);
            any_check = true;
            break;
        case 6:
            s_days(rd, x, "min_available", &r->min_available);
            any_check = true;
            break;
        case 7:
            s_bool(rd, x, "finite", &r->finite);
            any_check = true;
            break;
        case 8:
            s_trail_req(rd, x, r, &any_check);
            break;
        case 9:
            s_store_req(rd, x, r, &any_check);
            break;
        case 10:
            r->require_types = s_type_list(rd, x, "require_source_types");
            any_check = true;
            break;
        default:
            break;
        }
    }
    if (!r->id)
        s_bad(rd, v->span, "a requirement needs an \"id\" (the standard's own number)");
    if (!r->text)
        s_bad(rd, v->span, "a requirement needs a \"text\"");
    if (!any_check)
        s_bad(rd, v->span,
              "a requirement needs at least one check (min_retention, "
              "max_retention, finite, min_available, trail, store or "
              "require_source_types)");
    if (r->min_retention.set && r->max_retention.set &&
        r->min_retention.days > r->max_retention.days)
        s_bad(rd, v->span, "min_retention %s is longer than max_retention %s",
              r->min_retention.text, r->max_retention.text);
}

static bool s_valid_name(const char *s)
{
    if (!*s)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
            return false;
    return true;
}

struct lk_baseline *lk_baseline_read(struct lk_sources *sources, uint32_t file_id,
                                     const char *expected_name, const char *origin,
                                     struct lk_arena *arena, struct lk_diags *diags)
{
    struct s_rd rd = {arena, diags, false};
    size_t before = diags->n;
    struct lk_ynode *root = lk_yaml_read(sources, file_id, arena, diags);
    if (!root || diags->n > before) {
        if (root && root->kind != LK_Y_MAP)
            s_bad(&rd, root->span, "the file must be a mapping");
        return NULL;
    }
    struct lk_span top = {file_id, 1, 1, 0};
    if (root->kind != LK_Y_MAP) {
        s_bad(&rd, root->span, "the file must be a mapping, not %s", lk_ynode_describe(root));
        return NULL;
    }
    static const char *const keys[] = {
        "logkeep_baseline", "name",         "title",          "summary",     "status",
        "superseded_by",    "sources",      "interpretation", "not_checked", "requirements",
        "rescinded_on",     "verification", "verified_on"};
    struct lk_baseline *b = lk_arena_alloc(arena, sizeof(*b));
    b->origin = lk_arena_strdup(arena, origin);
    bool has_version = false, has_status = false;
    const struct lk_ynode *name_node = NULL, *status_node = NULL, *verification_node = NULL;
    for (size_t i = 0; i < root->n; i++) {
        const struct lk_ynode *k = root->keys[i], *v = root->values[i];
        switch (s_key(&rd, k, keys, sizeof(keys) / sizeof(keys[0]), "a baseline file")) {
        case 0:
            has_version = true;
            if (v->kind != LK_Y_SCALAR || v->stype != LK_YS_INT || !lk_str_eq_c(v->text, "1"))
                s_bad(&rd, v->span, "\"logkeep_baseline\" must be the integer 1");
            break;
        case 1:
            name_node = v;
            b->name = s_string(&rd, v, "name");
            if (b->name && !s_valid_name(b->name))
                s_bad(&rd, v->span,
                      "\"name\" may hold only lowercase letters, digits, '.' and "
                      "'-'");
            break;
        case 2:
            b->title = s_string(&rd, v, "title");
            break;
        case 3:
            b->summary = s_string(&rd, v, "summary");
            break;
        case 4: {
            status_node = v;
            has_status = true;
            const char *s = s_string(&rd, v, "status");
            if (s && !strcmp(s, "rescinded"))
                b->rescinded = true;
            else if (s && strcmp(s, "current"))
                s_bad(&rd, v->span, "\"status\" must be current or rescinded");
            break;
        }
        case 5:
            b->superseded_by = s_string(&rd, v, "superseded_by");
            break;
        case 6:
            b->sources = s_string_list(&rd, v, "sources", &b->n_sources);
            break;
        case 7:
            b->interpretation = s_string(&rd, v, "interpretation");
            break;
        case 8:
            b->not_checked = s_string_list(&rd, v, "not_checked", &b->n_not_checked);
            break;
        case 9:
            if (v->kind != LK_Y_SEQ || v->n == 0) {
                s_bad(&rd, v->span, "\"requirements\" must be a non-empty list");
                break;
            }
            b->reqs = lk_arena_alloc(arena, v->n * sizeof(*b->reqs));
            b->n_reqs = v->n;
            for (size_t r = 0; r < v->n; r++)
                s_requirement(&rd, v->values[r], &b->reqs[r]);
            break;
        case 10:
            b->rescinded_on = s_date(&rd, v, "rescinded_on");
            break;
        case 11: {
            const char *x = s_string(&rd, v, "verification");
            if (x && strcmp(x, "verified") && strcmp(x, "secondary") && strcmp(x, "unverified"))
                s_bad(&rd, v->span, "\"verification\" must be verified, secondary or unverified");
            else
                b->verification = x;
            verification_node = v;
            break;
        }
        case 12:
            b->verified_on = s_date(&rd, v, "verified_on");
            break;
        default:
            break;
        }
    }
    if (!has_version)
        s_bad(&rd, top, "missing \"logkeep_baseline: 1\"");
    static const struct {
        size_t off;
        const char *key;
    } required[] = {
        {offsetof(struct lk_baseline, name), "name"},
        {offsetof(struct lk_baseline, title), "title"},
        {offsetof(struct lk_baseline, summary), "summary"},
    };
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (*(const char *const *)((const char *)b + required[i].off) == NULL)
            s_bad(&rd, top, "missing \"%s\"", required[i].key);
    if (!has_status)
        s_bad(&rd, top, "missing \"status\" (current or rescinded)");
    if (b->n_sources == 0)
        s_bad(&rd, top, "missing \"sources\": a baseline cites where its requirements come from");
    if (b->n_reqs == 0)
        s_bad(&rd, top, "missing \"requirements\"");
    if (b->rescinded != (b->superseded_by != NULL) && status_node)
        s_bad(&rd, status_node->span,
              b->rescinded ? "a rescinded baseline names its successor in \"superseded_by\""
                           : "\"superseded_by\" goes with status: rescinded");
    if (b->rescinded_on && !b->rescinded)
        s_bad(&rd, top, "\"rescinded_on\" goes with status: rescinded");
    if (b->verification && strcmp(b->verification, "unverified") && !b->verified_on)
        s_bad(&rd, verification_node->span,
              "verification: %s needs \"verified_on\", the date of the check", b->verification);
    if (b->verified_on && !b->verification)
        s_bad(&rd, top, "\"verified_on\" goes with verification: verified or secondary");
    bool interprets = false;
    for (size_t i = 0; i < b->n_reqs; i++)
        interprets |= b->reqs[i].interpretation;
    if (interprets && !b->interpretation)
        s_bad(&rd, top,
              "requirements marked interpretation: true need an \"interpretation\" "
              "that says where and why the file interprets");
    for (size_t i = 0; i < b->n_reqs; i++)
        for (size_t k = 0; k < i; k++)
            if (b->reqs[i].id && b->reqs[k].id && !strcmp(b->reqs[i].id, b->reqs[k].id))
                s_bad(&rd, b->reqs[i].span, "requirement \"%s\" is listed twice", b->reqs[i].id);
    if (expected_name && b->name && strcmp(b->name, expected_name) && name_node)
        s_bad(&rd, name_node->span, "the file declares \"%s\" but is named \"%s\"", b->name,
              expected_name);
    return rd.failed ? NULL : b;
}

struct lk_baseline *lk_baseline_load_builtin(const char *name, struct lk_sources *sources,
                                             struct lk_arena *arena, struct lk_diags *diags)
{
    for (size_t i = 0; i < lk_builtin_baselines_count; i++) {
        const struct lk_embedded_file *f = &lk_builtin_baselines[i];
        if (strcmp(f->name, name))
            continue;
        char path[128];
        snprintf(path, sizeof(path), "<built-in>/%s.yaml", f->name);
        uint32_t id;
        if (lk_sources_add_buffer(sources, path, f->data, strlen(f->data), diags, &id) != 0)
            return NULL;
        return lk_baseline_read(sources, id, f->name, "built-in", arena, diags);
    }
    return NULL;
}
