/*
 * logkeep: loading a policy from files and directories, and running its checks.
 */
#include "compiler/policy.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/array.h"
#include "compiler/decode_int.h"

/* Directory recursion bound: policy repos are shallow, and a bound stops symlink loops. */
#define LK_MAX_DIR_DEPTH 16
/* Files per policy: far above any real repo, small enough to keep memory bounded. */
#define LK_MAX_FILES 10000

struct lk_policy *lk_policy_new(void)
{
    struct lk_policy *p = lk_xcalloc(1, sizeof(*p));
    lk_arena_init(&p->arena);
    lk_sources_init(&p->sources);
    lk_diags_init(&p->diags, &p->arena);
    return p;
}

void lk_policy_free(struct lk_policy *policy)
{
    if (!policy)
        return;
    lk_diags_free(&policy->diags);
    lk_sources_free(&policy->sources);
    lk_arena_destroy(&policy->arena);
    free(policy);
}

/* ----------------------------------------------------------------------------- file walking */

/* Directories already walked, by device and inode: symbolic links may form cycles. */
struct s_visited {
    struct {
        dev_t dev;
        ino_t ino;
    } *ids; /* owned */
    size_t n, cap;
};

static bool s_visit(struct s_visited *v, const struct stat *st)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->ids[i].dev == st->st_dev && v->ids[i].ino == st->st_ino)
            return false;
    LK_ARRAY_GROW(v->ids, v->n, v->cap);
    v->ids[v->n].dev = st->st_dev;
    v->ids[v->n].ino = st->st_ino;
    v->n++;
    return true;
}

struct s_pathlist {
    char **paths; /* owned */
    size_t n, cap;
    struct {
        dev_t dev;
        ino_t ino;
    } *ids; /* owned: to skip a file named twice */
};

static void s_pathlist_add(struct s_pathlist *l, const char *path, const struct stat *st)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->ids[i].dev == st->st_dev && l->ids[i].ino == st->st_ino)
            return;
    if (l->n == l->cap) {
        /* Two arrays of one length: both grow to the same new capacity. */
        size_t cap = l->cap;
        l->paths = lk_array_grow(NULL, l->paths, l->n, &cap, l->n + 1, sizeof(*l->paths),
                                 LK_ARRAY_MIN_CAP);
        l->ids =
            lk_array_grow(NULL, l->ids, l->n, &l->cap, l->n + 1, sizeof(*l->ids), LK_ARRAY_MIN_CAP);
    }
    l->paths[l->n] = lk_xstrdup(path);
    l->ids[l->n].dev = st->st_dev;
    l->ids[l->n].ino = st->st_ino;
    l->n++;
}

static void s_pathlist_free(struct s_pathlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
    free(l->ids);
}

/* A policy file found in a directory: *.yaml, *.yml, or *.json (JSON is YAML: a policy written
 * as JSON reads the same, its diagnostics located in the JSON text). */
static bool s_is_policy_name(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
           (n > 5 && strcmp(name + n - 5, ".json") == 0);
}

static int s_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects policy files under @p dir. @return 0, or -1 with errno set. */
static int s_walk(struct s_pathlist *out, struct s_visited *seen, const char *dir, int depth,
                  const char **err_path)
{
    struct stat self;
    if (depth > LK_MAX_DIR_DEPTH || stat(dir, &self) != 0 || !s_visit(seen, &self))
        return 0;
    DIR *d = opendir(dir);
    if (!d) {
        *err_path = dir;
        return -1;
    }
    /* Sort entries so the merge order, and so diagnostics, never depend on the file system. */
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue; /* ".", "..", and hidden files such as .git */
        LK_ARRAY_GROW(names, n, cap);
        names[n++] = lk_xstrdup(e->d_name);
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof(*names), s_cmp_str);
    int rc = 0;
    size_t dlen = strlen(dir);
    for (size_t i = 0; i < n; i++) {
        size_t len = dlen + 1 + strlen(names[i]) + 1;
        char *path = lk_xmalloc(len);
        if (!strcmp(dir, "."))
            snprintf(path, len, "%s", names[i]); /* "policy.yaml", not "./policy.yaml" */
        else
            snprintf(path, len, "%s%s%s", dir, (dlen && dir[dlen - 1] == '/') ? "" : "/",
                     names[i]);
        struct stat st;
        if (stat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                const char *sub_err = NULL;
                if (s_walk(out, seen, path, depth + 1, &sub_err) != 0 && rc == 0) {
                    rc = -1;
                    *err_path = NULL; /* reported by path below */
                }
            } else if (S_ISREG(st.st_mode) && s_is_policy_name(names[i])) {
                if (out->n >= LK_MAX_FILES) {
                    errno = EFBIG;
                    *err_path = dir;
                    rc = -1;
                } else {
                    s_pathlist_add(out, path, &st);
                }
            }
        }
        free(path);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int lk_policy_load_paths(struct lk_policy *policy, const char *const *paths, size_t n_paths,
                         const char **err_path)
{
    struct s_pathlist files = {0};
    int rc = -1;
    *err_path = NULL;
    for (size_t i = 0; i < n_paths; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            *err_path = paths[i];
            goto cleanup;
        }
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
            errno = EINVAL; /* a FIFO, device or socket: not a policy file */
            *err_path = paths[i];
            goto cleanup;
        }
        if (S_ISDIR(st.st_mode)) {
            size_t before = files.n;
            const char *walk_err = NULL;
            struct s_visited seen = {0};
            int wrc = s_walk(&files, &seen, paths[i], 0, &walk_err);
            free(seen.ids);
            if (wrc != 0) {
                *err_path = walk_err ? walk_err : paths[i];
                goto cleanup;
            }
            /* Sort what this directory contributed; explicit files keep command-line order. */
            if (files.n - before > 1)
                qsort(files.paths + before, files.n - before, sizeof(char *), s_cmp_str);
        } else {
            s_pathlist_add(&files, paths[i], &st);
        }
    }
    if (files.n == 0) {
        errno = ENOENT;
        *err_path = n_paths ? paths[0] : ".";
        goto cleanup;
    }
    for (size_t i = 0; i < files.n; i++) {
        uint32_t id;
        int r = lk_sources_read_file(&policy->sources, files.paths[i], &policy->diags, &id);
        if (r < 0) {
            /* Keep the failing path alive for the caller: copy it into the arena. */
            int saved = errno;
            *err_path = lk_arena_strdup(&policy->arena, files.paths[i]);
            errno = saved;
            goto cleanup;
        }
        policy->n_files_read++;
        if (r == 0)
            lk_decode_file(policy, id);
        else
            policy->n_files_unreadable++;
    }
    rc = 0;
cleanup:
    s_pathlist_free(&files);
    return rc;
}

void lk_policy_load_buffer(struct lk_policy *policy, const char *name, const char *data,
                           size_t len)
{
    uint32_t id;
    policy->n_files_read++;
    if (lk_sources_add_buffer(&policy->sources, name, data, len, &policy->diags, &id) == 0)
        lk_decode_file(policy, id);
    else
        policy->n_files_unreadable++;
}

/* ----------------------------------------------------------------------------- lookups */

/* Name indexes are the pointer arrays themselves, sorted by name once the policy is loaded
 * (after duplicate detection); lookups are binary searches. */
static int s_cmp_role(const void *a, const void *b)
{
    const struct lk_role *x = *(const struct lk_role *const *)a;
    const struct lk_role *y = *(const struct lk_role *const *)b;
    return lk_str_cmp(x->name, y->name);
}

static int s_cmp_store(const void *a, const void *b)
{
    const struct lk_store *x = *(const struct lk_store *const *)a;
    const struct lk_store *y = *(const struct lk_store *const *)b;
    return lk_str_cmp(x->name, y->name);
}

static int s_cmp_retention(const void *a, const void *b)
{
    const struct lk_retention *x = *(const struct lk_retention *const *)a;
    const struct lk_retention *y = *(const struct lk_retention *const *)b;
    return lk_str_cmp(x->name, y->name);
}

#define S_BSEARCH(arr, n, type, key)                                                               \
    do {                                                                                           \
        size_t lo_ = 0, hi_ = (n);                                                                 \
        while (lo_ < hi_) {                                                                        \
            size_t mid_ = lo_ + (hi_ - lo_) / 2;                                                   \
            int c_ = lk_str_cmp((key), (arr)[mid_]->name);                                         \
            if (c_ == 0)                                                                           \
                return (arr)[mid_];                                                                \
            if (c_ < 0)                                                                            \
                hi_ = mid_;                                                                        \
            else                                                                                   \
                lo_ = mid_ + 1;                                                                    \
        }                                                                                          \
        return NULL;                                                                               \
    } while (0)

struct lk_role *lk_policy_find_role(struct lk_policy *policy, struct lk_str name)
{
    S_BSEARCH(policy->roles, policy->n_roles, struct lk_role, name);
}

const struct lk_source_more *lk_source_more(const struct lk_source *src)
{
    static const struct lk_source_more none;
    return src->more ? src->more : &none;
}

struct lk_waivers *lk_source_waivers(struct lk_source *src)
{
    return src->more ? &src->more->waivers : NULL;
}

struct lk_store *lk_policy_find_store(struct lk_policy *policy, struct lk_str name)
{
    S_BSEARCH(policy->stores, policy->n_stores, struct lk_store, name);
}

struct lk_retention *lk_policy_find_retention(struct lk_policy *policy, struct lk_str name)
{
    S_BSEARCH(policy->retentions, policy->n_retentions, struct lk_retention, name);
}

struct lk_account *lk_policy_find_account(struct lk_policy *policy, struct lk_str name)
{
    S_BSEARCH(policy->accounts, policy->n_accounts, struct lk_account, name);
}

struct lk_account_group *lk_policy_find_group(struct lk_policy *policy, struct lk_str name)
{
    S_BSEARCH(policy->groups, policy->n_groups, struct lk_account_group, name);
}

const struct lk_scope_account *lk_policy_scope_account(const struct lk_policy *policy,
                                                       const char *id)
{
    size_t lo = 0, hi = policy->scope.n_accounts;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(id, policy->scope.accounts[mid].id);
        if (c == 0)
            return &policy->scope.accounts[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

bool lk_policy_pin_group(struct lk_policy *policy, const char *group, const char *const *ids,
                         size_t n_ids)
{
    /* Called before lk_policy_check(): the groups are not sorted yet. */
    struct lk_account_group *g = NULL;
    for (size_t i = 0; i < policy->n_groups && !g; i++)
        if (lk_str_eq_c(policy->groups[i]->name, group))
            g = policy->groups[i];
    if (!g || g->kind == LK_GROUP_LIST)
        return false;
    struct lk_text *items = lk_arena_alloc(&policy->arena, (n_ids ? n_ids : 1) * sizeof(*items));
    for (size_t i = 0; i < n_ids; i++) {
        items[i].v = (struct lk_str){lk_arena_strdup(&policy->arena, ids[i]), strlen(ids[i])};
        items[i].span = g->span;
        items[i].set = true;
    }
    g->pinned = (struct lk_text_list){items, n_ids, g->span, true};
    g->pinned_set = true;
    return true;
}

/* Stable sort of pointer arrays by name (merge sort keeps definition order among equals, so
 * "first defined here" really is the first). */
static void s_stable_sort(void **arr, size_t n, int (*cmp)(const void *, const void *))
{
    if (n < 2)
        return;
    void **tmp = lk_xmalloc(n * sizeof(void *));
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = cmp(&arr[j], &arr[i]) < 0 ? arr[j++] : arr[i++];
            while (i < mid)
                tmp[k++] = arr[i++];
            while (j < hi)
                tmp[k++] = arr[j++];
        }
        memcpy(arr, tmp, n * sizeof(void *));
    }
    free(tmp);
}

/* Sorts, reports names defined twice, and drops the later definitions from the index. */
static void s_index(struct lk_policy *p, void **arr, size_t *n,
                    int (*cmp)(const void *, const void *), struct lk_str (*name)(const void *),
                    struct lk_span (*span)(const void *), const char *kind)
{
    s_stable_sort(arr, *n, cmp);
    size_t w = 0;
    for (size_t i = 0; i < *n; i++) {
        if (w > 0 && lk_str_eq(name(arr[w - 1]), name(arr[i]))) {
            struct lk_str nm = name(arr[i]);
            struct lk_diag *d = lk_diag_add(&p->diags, "LK012", span(arr[i]),
                                            "%s \"%.*s\" is defined twice", kind, LK_STR_ARG(nm));
            lk_diag_related(&p->diags, d, span(arr[w - 1]), "first defined here");
            continue;
        }
        arr[w++] = arr[i];
    }
    *n = w;
}

static struct lk_str s_role_name(const void *x) { return ((const struct lk_role *)x)->name; }
static struct lk_span s_role_span(const void *x) { return ((const struct lk_role *)x)->span; }
static struct lk_str s_store_name(const void *x) { return ((const struct lk_store *)x)->name; }
static struct lk_span s_store_span(const void *x) { return ((const struct lk_store *)x)->span; }
static struct lk_str s_ret_name(const void *x) { return ((const struct lk_retention *)x)->name; }
static struct lk_span s_ret_span(const void *x) { return ((const struct lk_retention *)x)->span; }
static struct lk_str s_src_name(const void *x) { return ((const struct lk_source *)x)->name; }
static struct lk_span s_src_span(const void *x) { return ((const struct lk_source *)x)->span; }

static int s_cmp_source(const void *a, const void *b)
{
    const struct lk_source *x = *(const struct lk_source *const *)a;
    const struct lk_source *y = *(const struct lk_source *const *)b;
    return lk_str_cmp(x->name, y->name);
}

static int s_cmp_account(const void *a, const void *b)
{
    const struct lk_account *x = *(const struct lk_account *const *)a;
    const struct lk_account *y = *(const struct lk_account *const *)b;
    return lk_str_cmp(x->name, y->name);
}

static int s_cmp_group(const void *a, const void *b)
{
    const struct lk_account_group *x = *(const struct lk_account_group *const *)a;
    const struct lk_account_group *y = *(const struct lk_account_group *const *)b;
    return lk_str_cmp(x->name, y->name);
}

static struct lk_str s_acc_name(const void *x) { return ((const struct lk_account *)x)->name; }
static struct lk_span s_acc_span(const void *x) { return ((const struct lk_account *)x)->span; }
static struct lk_str s_grp_name(const void *x) { return ((const struct lk_account_group *)x)->name; }
static struct lk_span s_grp_span(const void *x)
{
    return ((const struct lk_account_group *)x)->span;
}

void lk_policy_check(struct lk_policy *p)
{
    s_index(p, (void **)p->roles, &p->n_roles, s_cmp_role, s_role_name, s_role_span, "role");
    s_index(p, (void **)p->stores, &p->n_stores, s_cmp_store, s_store_name, s_store_span, "store");
    s_index(p, (void **)p->retentions, &p->n_retentions, s_cmp_retention, s_ret_name, s_ret_span,
            "retention class");
    s_index(p, (void **)p->srcs, &p->n_srcs, s_cmp_source, s_src_name, s_src_span, "source");
    s_index(p, (void **)p->accounts, &p->n_accounts, s_cmp_account, s_acc_name, s_acc_span,
            "account");
    s_index(p, (void **)p->groups, &p->n_groups, s_cmp_group, s_grp_name, s_grp_span,
            "account group");

    /* First: the scope it resolves (accounts, Regions, organisation IDs) is read by the rest. */
    lk_check_scope(p);

    /* A policy made of files that all failed to parse has nothing more to check. */
    lk_check_refs(p);
    lk_check_naming(p);
    lk_check_retention(p);
    lk_check_access(p);
    lk_check_purpose(p);
    lk_check_integrity(p);
    lk_check_stores(p);
    lk_check_coverage(p);
    lk_check_baselines(p);

    /* Waivers that matched nothing are stale: say so, so they do not pile up. */
    for (size_t i = 0; i < p->n_srcs; i++)
        for (size_t k = 0; k < lk_source_more(p->srcs[i])->waivers.n; k++)
            if (!lk_source_more(p->srcs[i])->waivers.items[k].used) {
                struct lk_waiver *w = &lk_source_more(p->srcs[i])->waivers.items[k];
                lk_diag_add(&p->diags, "LK028", w->rule.span,
                            "waiver of %.*s matches no finding on source \"%.*s\"",
                            LK_STR_ARG(w->rule.v), LK_STR_ARG(p->srcs[i]->name));
            }
    for (size_t i = 0; i < p->n_stores; i++)
        for (size_t k = 0; k < p->stores[i]->waivers.n; k++)
            if (!p->stores[i]->waivers.items[k].used) {
                struct lk_waiver *w = &p->stores[i]->waivers.items[k];
                lk_diag_add(&p->diags, "LK028", w->rule.span,
                            "waiver of %.*s matches no finding on store \"%.*s\"",
                            LK_STR_ARG(w->rule.v), LK_STR_ARG(p->stores[i]->name));
            }
    lk_diags_sort(&p->diags);
}

struct lk_diag *lk_policy_report(struct lk_policy *policy, struct lk_waivers *waivers,
                                 const char *rule_id, struct lk_span span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg;
    {
        va_list ap2;
        va_copy(ap2, ap);
        int n = vsnprintf(NULL, 0, fmt, ap2);
        va_end(ap2);
        msg = lk_arena_alloc(&policy->arena, (size_t)(n < 0 ? 0 : n) + 1);
        vsnprintf(msg, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
    }
    va_end(ap);
    struct lk_waiver *match = NULL;
    for (size_t i = 0; waivers && i < waivers->n; i++)
        if (lk_str_eq_c(waivers->items[i].rule.v, rule_id))
            match = &waivers->items[i];
    struct lk_diag *d = lk_diag_add(&policy->diags, rule_id, span, "%s", msg);
    if (match) {
        match->used = true;
        lk_diag_set_severity(&policy->diags, d, LK_SEV_NOTE);
        lk_diag_help(&policy->diags, d, "waived: %.*s", LK_STR_ARG(match->reason.v));
        lk_diag_related(&policy->diags, d, match->rule.span, "waiver");
        if (d)
            d->waiver = lk_arena_printf(&policy->arena, "%.*s", LK_STR_ARG(match->reason.v));
    }
    return d;
}

bool lk_retention_same_s3(const struct lk_retention *a, const struct lk_retention *b)
{
    if (a == b)
        return true;
    if (a->delete_after.forever != b->delete_after.forever ||
        (!a->delete_after.forever && a->delete_after.days != b->delete_after.days) ||
        a->n_tiers != b->n_tiers)
        return false;
    for (size_t i = 0; i < a->n_tiers; i++)
        if (a->tiers[i].after.days != b->tiers[i].after.days ||
            a->tiers[i].storage_class != b->tiers[i].storage_class)
            return false;
    return true;
}

int64_t lk_source_delete_days(const struct lk_source *src)
{
    if (!src->retention || !src->retention->delete_after.set || src->retention->delete_after.forever)
        return -1;
    return src->retention->delete_after.days;
}
