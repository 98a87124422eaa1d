/*
 * logkeep runtime: the IR of AWS state as a JSON document (see state_json.h).
 */
#include "runtime/state_json.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/services/policy_json.h"

/* ------------------------------------------------------------------------------ vocabularies */

static const char *const s_tms_names[] = {"unspecified", "all_storage_classes_128K",
                                          "varies_by_storage_class"};
static const char *const s_principal_names[] = {"any", "aws", "service"};
static const char *const s_versioning_names[] = {"never", "enabled", "suspended"};
static const char *const s_lock_names[] = {"none", "governance", "compliance"};
static const char *const s_effect_names[] = {"Deny", "Allow"}; /* index = allow */

#define S_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The unmodelled bits of ir.h, as words: element i names bit 1 << i. */
static const char *const s_bucket_unmodelled_names[] = {
    "lifecycle_filter",          /* LK_IR_UNMODELLED_FILTER */
    "lifecycle_date",            /* LK_IR_UNMODELLED_DATE */
    "noncurrent_transition",     /* LK_IR_UNMODELLED_NONCURRENT_TRANSITION */
    "newer_noncurrent_versions", /* LK_IR_UNMODELLED_NEWER_NONCURRENT */
    "transition_storage_class",  /* LK_IR_UNMODELLED_STORAGE_CLASS */
    "transition_min_size",       /* LK_IR_UNMODELLED_MIN_SIZE */
    "encryption",                /* LK_IR_UNMODELLED_ENCRYPTION */
    "policy_not_element",        /* LK_IR_UNMODELLED_POLICY_NOT_ELEMENT */
    "policy_principal_type",     /* LK_IR_UNMODELLED_POLICY_PRINCIPAL_TYPE */
    "policy_mixed_principals",   /* LK_IR_UNMODELLED_POLICY_MIXED_PRINCIPALS */
};
static const char *const s_trail_unmodelled_names[] = {
    "advanced_event_selectors", /* LK_IR_UNMODELLED_ADVANCED_SELECTORS */
};

/* Name of an enumeration value, or "?" for a value outside the table (written as such, and
 * refused when read: a state holding it was never valid). */
static const char *s_enum_name(const char *const *names, size_t n, int v)
{
    return v >= 0 && (size_t)v < n ? names[v] : "?";
}

/* ------------------------------------------------------------------------------ ordering */

/**
 * A stable order, by one of the canonical-order comparators of ir.h, of @p n elements of @p size
 * bytes at @p base (bottom-up merge sort of indices), so ties keep the order held and writing never
 * depends on qsort's instability.
 * @return a heap array of @p n indices (free()).
 */
static size_t *s_order(const void *base, size_t n, size_t size,
                       int (*cmp)(const void *, const void *))
{
    size_t *idx = lk_xmalloc((n ? n : 1) * sizeof(*idx));
    size_t *tmp = lk_xmalloc((n ? n : 1) * sizeof(*tmp));
    const char *b = base;
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = cmp(b + idx[i] * size, b + idx[j] * size) <= 0 ? idx[i++] : idx[j++];
            while (i < mid)
                tmp[k++] = idx[i++];
            while (j < hi)
                tmp[k++] = idx[j++];
        }
        size_t *swap = idx;
        idx = tmp;
        tmp = swap;
    }
    free(tmp);
    return idx;
}

/* ------------------------------------------------------------------------------ writing */

/* cJSON reports allocation failure by returning NULL: abort, as every allocation does. */
static cJSON *s_new(cJSON *item)
{
    if (!item)
        lk_oom();
    return item;
}

static cJSON *s_add(cJSON *obj, const char *key, cJSON *item)
{
    if (!cJSON_AddItemToObject(obj, key, s_new(item)))
        lk_oom();
    return item;
}

static void s_push(cJSON *arr, cJSON *item)
{
    if (!cJSON_AddItemToArray(arr, s_new(item)))
        lk_oom();
}

static cJSON *s_json_str(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static void s_add_str(cJSON *obj, const char *key, const char *s)
{
    s_add(obj, key, s_json_str(s));
}

static void s_add_bool(cJSON *obj, const char *key, bool v)
{
    s_add(obj, key, cJSON_CreateBool(v));
}

static void s_add_int(cJSON *obj, const char *key, int32_t v)
{
    s_add(obj, key, cJSON_CreateNumber((double)v));
}

/* A string set: sorted, duplicates written once. */
static void s_add_list(cJSON *obj, const char *key, const struct lk_ir_string_list *list)
{
    cJSON *arr = s_add(obj, key, cJSON_CreateArray());
    size_t *ord = s_order(list->items, list->n, sizeof(*list->items), lk_ir_cmp_string);
    for (size_t i = 0; i < list->n; i++) {
        const char *item = list->items[ord[i]];
        if (i > 0 && lk_ir_strcmp(item, list->items[ord[i - 1]]) == 0)
            continue;
        s_push(arr, s_json_str(item));
    }
    free(ord);
}

/* A set of bits as the words of @p names, in bit order; a bit outside the table is "?" (refused
 * when read, as an enumeration value outside its table is). */
static void s_add_bits(cJSON *obj, const char *key, unsigned bits, const char *const *names,
                       size_t n)
{
    cJSON *arr = s_add(obj, key, cJSON_CreateArray());
    bool unknown = false;
    for (unsigned i = 0; i < sizeof(bits) * 8; i++) {
        if (!(bits & (1u << i)))
            continue;
        if (i < n)
            s_push(arr, cJSON_CreateString(names[i]));
        else
            unknown = true;
    }
    if (unknown)
        s_push(arr, cJSON_CreateString("?"));
}

static cJSON *s_write_rule(const struct lk_ir_lifecycle_rule *r)
{
    cJSON *o = s_new(cJSON_CreateObject());
    s_add_str(o, "id", r->id);
    s_add_str(o, "prefix", r->prefix);
    s_add_bool(o, "enabled", r->enabled);
    cJSON *tr = s_add(o, "transitions", cJSON_CreateArray());
    for (size_t i = 0; i < r->n_transitions; i++) {
        cJSON *t = s_new(cJSON_CreateObject());
        s_add_int(t, "days", r->transitions[i].days);
        s_add_str(t, "storage_class", lk_ir_storage_class_api(r->transitions[i].storage_class));
        s_push(tr, t);
    }
    s_add_int(o, "expiration_days", r->expiration_days);
    s_add_bool(o, "expired_object_delete_marker", r->expired_object_delete_marker);
    s_add_int(o, "noncurrent_expiration_days", r->noncurrent_expiration_days);
    s_add_int(o, "abort_incomplete_upload_days", r->abort_incomplete_upload_days);
    s_add_list(o, "sources", &r->sources);
    return o;
}

static cJSON *s_write_statement(const struct lk_ir_statement *s)
{
    cJSON *o = s_new(cJSON_CreateObject());
    s_add_str(o, "sid", s->sid);
    s_add_str(o, "effect", s_effect_names[s->allow ? 1 : 0]);
    s_add_str(o, "principal_kind", s_enum_name(s_principal_names, S_COUNT(s_principal_names),
                                               (int)s->principal_kind));
    s_add_list(o, "principals", &s->principals);
    s_add_list(o, "actions", &s->actions);
    s_add_list(o, "resources", &s->resources);
    cJSON *conds = s_add(o, "conditions", cJSON_CreateArray());
    size_t *ord =
        s_order(s->conditions, s->n_conditions, sizeof(*s->conditions), lk_ir_cmp_condition);
    for (size_t i = 0; i < s->n_conditions; i++) {
        const struct lk_ir_condition *c = &s->conditions[ord[i]];
        cJSON *co = s_new(cJSON_CreateObject());
        s_add_str(co, "op", c->op);
        s_add_str(co, "key", c->key);
        s_add_list(co, "values", &c->values);
        s_push(conds, co);
    }
    free(ord);
    return o;
}

static void s_write_lifecycle(cJSON *o, const struct lk_ir_lifecycle *l)
{
    cJSON *lc = s_add(o, "lifecycle", cJSON_CreateObject());
    s_add_bool(lc, "present", l->present);
    s_add_str(lc, "transition_min_size",
              s_enum_name(s_tms_names, S_COUNT(s_tms_names), (int)l->transition_min_size));
    cJSON *rules = s_add(lc, "rules", cJSON_CreateArray());
    size_t *ord = s_order(l->rules, l->n_rules, sizeof(*l->rules), lk_ir_cmp_rule);
    for (size_t i = 0; i < l->n_rules; i++)
        s_push(rules, s_write_rule(&l->rules[ord[i]]));
    free(ord);
}

static cJSON *s_write_bucket(const struct lk_ir_bucket *b)
{
    cJSON *o = s_new(cJSON_CreateObject());
    s_add_str(o, "name", b->name);
    s_add_str(o, "region", b->region);
    s_add_str(o, "store", b->store);
    s_add_bool(o, "exists", b->exists);

    s_write_lifecycle(o, &b->lifecycle);

    cJSON *pol = s_add(o, "policy", cJSON_CreateObject());
    s_add_bool(pol, "present", b->policy.present);
    s_add_str(pol, "version", b->policy.version);
    cJSON *stmts = s_add(pol, "statements", cJSON_CreateArray());
    size_t *ord = s_order(b->policy.statements, b->policy.n_statements,
                          sizeof(*b->policy.statements), lk_ir_cmp_statement);
    for (size_t i = 0; i < b->policy.n_statements; i++)
        s_push(stmts, s_write_statement(&b->policy.statements[ord[i]]));
    free(ord);

    s_add_str(o, "versioning",
              s_enum_name(s_versioning_names, S_COUNT(s_versioning_names), (int)b->versioning));
    s_add_bool(o, "mfa_delete", b->mfa_delete);

    cJSON *pab = s_add(o, "public_access_block", cJSON_CreateObject());
    s_add_bool(pab, "present", b->public_access_block.present);
    s_add_bool(pab, "block_public_acls", b->public_access_block.block_public_acls);
    s_add_bool(pab, "ignore_public_acls", b->public_access_block.ignore_public_acls);
    s_add_bool(pab, "block_public_policy", b->public_access_block.block_public_policy);
    s_add_bool(pab, "restrict_public_buckets", b->public_access_block.restrict_public_buckets);

    cJSON *enc = s_add(o, "encryption", cJSON_CreateObject());
    s_add_bool(enc, "present", b->encryption.present);
    s_add_str(enc, "algorithm", b->encryption.algorithm);
    s_add_str(enc, "kms_key_id", b->encryption.kms_key_id);
    s_add_bool(enc, "bucket_key_enabled", b->encryption.bucket_key_enabled);

    cJSON *ol = s_add(o, "object_lock", cJSON_CreateObject());
    s_add_bool(ol, "enabled", b->object_lock.enabled);
    s_add_str(ol, "mode", s_enum_name(s_lock_names, S_COUNT(s_lock_names), (int)b->object_lock.mode));
    s_add_int(ol, "days", b->object_lock.days);
    s_add_int(ol, "years", b->object_lock.years);

    s_add_bits(o, "unmodelled", b->unmodelled, s_bucket_unmodelled_names,
               S_COUNT(s_bucket_unmodelled_names));
    s_add_list(o, "unmodelled_filter_rule_ids", &b->unmodelled_filter_rule_ids);
    return o;
}

/* Deletion protection and class: written only when set, so that documents of states without
 * them stay as they were (and older readers read them). */
static void s_write_log_group_integrity(cJSON *o, const struct lk_ir_log_group *g)
{
    if (g->deletion_protection)
        s_add_bool(o, "deletion_protection", true);
    if (g->log_group_class != LK_IR_LOG_CLASS_UNSET)
        s_add_str(o, "log_group_class", lk_ir_log_group_class_api(g->log_group_class));
}

/* A KMS key (written only when the state has keys: see lk_ir_state_to_json()). */
static cJSON *s_write_key(const struct lk_ir_key *k)
{
    cJSON *o = s_new(cJSON_CreateObject());
    s_add_str(o, "arn", k->arn);
    s_add_str(o, "region", k->region);
    s_add_bool(o, "exists", k->exists);
    s_add_str(o, "error", k->error);
    cJSON *pol = s_add(o, "policy", cJSON_CreateObject());
    s_add_bool(pol, "present", k->policy.present);
    s_add_str(pol, "version", k->policy.version);
    cJSON *stmts = s_add(pol, "statements", cJSON_CreateArray());
    size_t *ord = s_order(k->policy.statements, k->policy.n_statements,
                          sizeof(*k->policy.statements), lk_ir_cmp_statement);
    for (size_t i = 0; i < k->policy.n_statements; i++)
        s_push(stmts, s_write_statement(&k->policy.statements[ord[i]]));
    free(ord);
    s_add_list(o, "users", &k->users);
    return o;
}

static cJSON *s_write_log_group(const struct lk_ir_log_group *g)
{
    cJSON *o = s_new(cJSON_CreateObject());
    s_add_str(o, "name", g->name);
    s_add_bool(o, "pattern", g->pattern);
    s_add_str(o, "region", g->region);
    s_add_int(o, "retention_days", g->retention_days);
    s_add_int(o, "wanted_days", g->wanted_days);
    s_add_str(o, "kms_key_id", g->kms_key_id);
    s_add_str(o, "source", g->source);
    s_add_bool(o, "exists", g->exists);
    s_write_log_group_integrity(o, g);
    return o;
}

static cJSON *s_write_trail(const struct lk_ir_trail *t)
{
    cJSON *o = s_new(cJSON_CreateObject());
    s_add_str(o, "name", t->name);
    s_add_str(o, "home_region", t->home_region);
    s_add_str(o, "source", t->source);
    s_add_bool(o, "exists", t->exists);
    s_add_str(o, "s3_bucket_name", t->s3_bucket_name);
    s_add_str(o, "s3_key_prefix", t->s3_key_prefix);
    s_add_bool(o, "include_global_service_events", t->include_global_service_events);
    s_add_bool(o, "is_multi_region_trail", t->is_multi_region_trail);
    s_add_bool(o, "enable_log_file_validation", t->enable_log_file_validation);
    s_add_str(o, "cloud_watch_logs_log_group_arn", t->cloud_watch_logs_log_group_arn);
    s_add_str(o, "cloud_watch_logs_role_arn", t->cloud_watch_logs_role_arn);
    s_add_str(o, "kms_key_id", t->kms_key_id);
    s_add_bool(o, "is_organization_trail", t->is_organization_trail);
    cJSON *sels = s_add(o, "event_selectors", cJSON_CreateArray());
    for (size_t i = 0; i < t->n_event_selectors; i++) {
        const struct lk_ir_event_selector *es = &t->event_selectors[i];
        cJSON *so = s_new(cJSON_CreateObject());
        s_add_str(so, "read_write_type", es->read_write_type);
        s_add_bool(so, "include_management_events", es->include_management_events);
        cJSON *drs = s_add(so, "data_resources", cJSON_CreateArray());
        size_t *ord = s_order(es->data_resources, es->n_data_resources, sizeof(*es->data_resources),
                              lk_ir_cmp_data_resource);
        for (size_t d = 0; d < es->n_data_resources; d++) {
            const struct lk_ir_data_resource *dr = &es->data_resources[ord[d]];
            cJSON *dro = s_new(cJSON_CreateObject());
            s_add_str(dro, "type", dr->type);
            s_add_list(dro, "values", &dr->values);
            s_push(drs, dro);
        }
        free(ord);
        s_add_list(so, "exclude_management_event_sources", &es->exclude_management_event_sources);
        s_push(sels, so);
    }
    s_add_bool(o, "is_logging", t->is_logging);
    s_add_bits(o, "unmodelled", t->unmodelled, s_trail_unmodelled_names,
               S_COUNT(s_trail_unmodelled_names));
    return o;
}

static cJSON *s_write_store(const struct lk_ir_unmanaged_store *u)
{
    cJSON *o = s_new(cJSON_CreateObject());
    s_add_str(o, "bucket", u->bucket);
    s_add_str(o, "region", u->region);
    s_add_bool(o, "exists", u->exists);
    s_add_str(o, "error", u->error);
    s_write_lifecycle(o, &u->lifecycle);
    s_add_bool(o, "lifecycle_unmodelled", u->lifecycle_unmodelled);
    cJSON *arr = s_add(o, "deliveries", cJSON_CreateArray());
    size_t *ord =
        s_order(u->deliveries, u->n_deliveries, sizeof(*u->deliveries), lk_ir_cmp_delivery);
    for (size_t i = 0; i < u->n_deliveries; i++) {
        const struct lk_ir_delivery *d = &u->deliveries[ord[i]];
        cJSON *dj = s_new(cJSON_CreateObject());
        s_add_str(dj, "service", d->service);
        s_add_str(dj, "name", d->name);
        s_add_str(dj, "region", d->region);
        s_add_str(dj, "key_prefix", d->key_prefix);
        s_push(arr, dj);
    }
    free(ord);
    return o;
}

/* Destinations, tags and exclusions of coverage requirements and producers, in canonical
 * order. */
static void s_add_destinations(cJSON *obj, const struct lk_ir_destination *d, size_t n)
{
    cJSON *arr = s_add(obj, "destinations", cJSON_CreateArray());
    size_t *ord = s_order(d, n, sizeof(*d), lk_ir_cmp_destination);
    for (size_t i = 0; i < n; i++) {
        const struct lk_ir_destination *x = &d[ord[i]];
        cJSON *o = s_new(cJSON_CreateObject());
        s_add_str(o, "kind", lk_ir_destination_kind_name(x->kind));
        s_add_str(o, "arn", x->arn);
        s_add_str(o, "bucket", x->bucket);
        s_add_str(o, "prefix", x->prefix);
        s_add_str(o, "log_group", x->log_group);
        s_add_bool(o, "pattern", x->pattern);
        s_add_str(o, "kms_key_arn", x->kms_key_arn);
        s_add_str(o, "traffic_type", x->traffic_type);
        s_add_str(o, "log_type", x->log_type);
        s_add_str(o, "status", x->status);
        s_push(arr, o);
    }
    free(ord);
}

static void s_add_tags(cJSON *obj, const struct lk_ir_tag *t, size_t n)
{
    cJSON *arr = s_add(obj, "tags", cJSON_CreateArray());
    size_t *ord = s_order(t, n, sizeof(*t), lk_ir_cmp_tag);
    for (size_t i = 0; i < n; i++) {
        cJSON *o = s_new(cJSON_CreateObject());
        s_add_str(o, "key", t[ord[i]].key);
        s_add_str(o, "value", t[ord[i]].value);
        s_push(arr, o);
    }
    free(ord);
}

/* A coverage requirement (written only when the state has some: desired state). */
static cJSON *s_write_coverage(const struct lk_ir_coverage *c)
{
    cJSON *o = s_new(cJSON_CreateObject());
    s_add_str(o, "type", lk_ir_producer_type_name(c->type));
    s_add_str(o, "region", c->region);
    s_add_str(o, "source", c->source);
    s_add_destinations(o, c->destinations, c->n_destinations);
    s_add_list(o, "ids", &c->ids);
    s_add_list(o, "names", &c->names);
    s_add_tags(o, c->tags, c->n_tags);
    cJSON *arr = s_add(o, "exclusions", cJSON_CreateArray());
    size_t *ord = s_order(c->exclusions, c->n_exclusions, sizeof(*c->exclusions),
                          lk_ir_cmp_exclusion);
    for (size_t i = 0; i < c->n_exclusions; i++) {
        cJSON *x = s_new(cJSON_CreateObject());
        s_add_str(x, "id", c->exclusions[ord[i]].id);
        s_add_str(x, "reason", c->exclusions[ord[i]].reason);
        s_push(arr, x);
    }
    free(ord);
    s_add_bool(o, "enable", c->enable);
    s_add_list(o, "log_types", &c->log_types);
    s_add_str(o, "traffic_type", c->traffic_type);
    s_add_str(o, "delivery_role_arn", c->delivery_role_arn);
    if (c->accounts.n) /* GuardDuty only */
        s_add_list(o, "accounts", &c->accounts);
    return o;
}

/* A producer (written only when the state has some: live state). */
static cJSON *s_write_producer(const struct lk_ir_producer *p)
{
    cJSON *o = s_new(cJSON_CreateObject());
    s_add_str(o, "type", lk_ir_producer_type_name(p->type));
    s_add_str(o, "region", p->region);
    s_add_str(o, "id", p->id);
    s_add_str(o, "arn", p->arn);
    s_add_str(o, "name", p->name);
    s_add_tags(o, p->tags, p->n_tags);
    s_add_destinations(o, p->destinations, p->n_destinations);
    s_add_list(o, "log_types", &p->log_types);
    s_add_list(o, "pending_log_types", &p->pending_log_types);
    s_add_bool(o, "enabled", p->enabled);
    s_add_str(o, "partial", p->partial);
    s_add_str(o, "engine", p->engine);
    s_add_str(o, "error", p->error);
    /* Written only when read (GuardDuty members), so every other producer reads as before. */
    if (p->administrator_account) {
        s_add_str(o, "administrator_account", p->administrator_account);
        s_add_str(o, "administrator_status", p->administrator_status);
    }
    return o;
}

char *lk_ir_state_to_json(const struct lk_ir_state *st)
{
    if (!st)
        return NULL;
    cJSON *root = s_new(cJSON_CreateObject());
    s_add_str(root, "format", LK_STATE_JSON_FORMAT);
    s_add_int(root, "version", LK_STATE_JSON_VERSION);
    s_add_str(root, "account", st->account);
    s_add_str(root, "region", st->region);
    s_add_str(root, "partition", st->partition);
    s_add_bool(root, "unmanaged_set", st->unmanaged_set);
    s_add_int(root, "unmanaged_retention_days", st->unmanaged_retention_days);

    cJSON *arr = s_add(root, "buckets", cJSON_CreateArray());
    size_t *ord = s_order(st->buckets, st->n_buckets, sizeof(*st->buckets), lk_ir_cmp_bucket);
    for (size_t i = 0; i < st->n_buckets; i++)
        s_push(arr, s_write_bucket(&st->buckets[ord[i]]));
    free(ord);

    arr = s_add(root, "log_groups", cJSON_CreateArray());
    ord = s_order(st->log_groups, st->n_log_groups, sizeof(*st->log_groups), lk_ir_cmp_log_group);
    for (size_t i = 0; i < st->n_log_groups; i++)
        s_push(arr, s_write_log_group(&st->log_groups[ord[i]]));
    free(ord);

    arr = s_add(root, "trails", cJSON_CreateArray());
    ord = s_order(st->trails, st->n_trails, sizeof(*st->trails), lk_ir_cmp_trail);
    for (size_t i = 0; i < st->n_trails; i++)
        s_push(arr, s_write_trail(&st->trails[ord[i]]));
    free(ord);

    if (st->n_keys) {
        arr = s_add(root, "keys", cJSON_CreateArray());
        ord = s_order(st->keys, st->n_keys, sizeof(*st->keys), lk_ir_cmp_key);
        for (size_t i = 0; i < st->n_keys; i++)
            s_push(arr, s_write_key(&st->keys[ord[i]]));
        free(ord);
    }

    arr = s_add(root, "unmanaged_stores", cJSON_CreateArray());
    ord = s_order(st->unmanaged_stores, st->n_unmanaged_stores, sizeof(*st->unmanaged_stores),
                  lk_ir_cmp_store);
    for (size_t i = 0; i < st->n_unmanaged_stores; i++)
        s_push(arr, s_write_store(&st->unmanaged_stores[ord[i]]));
    free(ord);

    /* Written only when present, so that states without them read as before. */
    if (st->n_coverages) {
        arr = s_add(root, "coverages", cJSON_CreateArray());
        ord = s_order(st->coverages, st->n_coverages, sizeof(*st->coverages), lk_ir_cmp_coverage);
        for (size_t i = 0; i < st->n_coverages; i++)
            s_push(arr, s_write_coverage(&st->coverages[ord[i]]));
        free(ord);
    }
    if (st->n_producers) {
        arr = s_add(root, "producers", cJSON_CreateArray());
        ord = s_order(st->producers, st->n_producers, sizeof(*st->producers), lk_ir_cmp_producer);
        for (size_t i = 0; i < st->n_producers; i++)
            s_push(arr, s_write_producer(&st->producers[ord[i]]));
        free(ord);
    }
    if (st->producer_regions.n)
        s_add_list(root, "producer_regions", &st->producer_regions);

    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        lk_oom();
    /* A file ends with a newline. */
    size_t n = strlen(text);
    char *out = lk_xmalloc(n + 2);
    memcpy(out, text, n);
    out[n] = '\n';
    out[n + 1] = '\0';
    free(text);
    return out;
}

/* ------------------------------------------------------------------------------ reading */

struct s_reader {
    struct lk_ir_state *st; /* receives every string */
    char path[512];         /* JSON path of the value being read: "buckets[3].lifecycle" */
    size_t path_len;
    struct lk_error *err; /* receives the first failure (may be NULL) */
    enum lk_status rc;    /* the first failure; later ones are not reported */
};

static void s_fail_code(struct s_reader *r, enum lk_status rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void s_fail_code(struct s_reader *r, enum lk_status rc, const char *fmt, ...)
{
    if (r->rc != LK_STATUS_OK)
        return;
    r->rc = rc;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (r->path_len)
        lk_error_set(r->err, rc, "%s: %s", r->path, msg);
    else
        lk_error_set(r->err, rc, "%s", msg);
}

#define s_fail(r, ...) s_fail_code((r), LK_STATUS_SCHEMA, __VA_ARGS__)

/* Appends ".key" (or "key" at the root) to the path. @return the length to restore. */
static size_t s_path_key(struct s_reader *r, const char *key)
{
    size_t old = r->path_len;
    int n = snprintf(r->path + old, sizeof(r->path) - old, "%s%s", old ? "." : "", key);
    if (n > 0)
        r->path_len = old + (size_t)n < sizeof(r->path) ? old + (size_t)n : sizeof(r->path) - 1;
    return old;
}

/* Appends "[i]" to the path. @return the length to restore. */
static size_t s_path_index(struct s_reader *r, size_t i)
{
    size_t old = r->path_len;
    int n = snprintf(r->path + old, sizeof(r->path) - old, "[%zu]", i);
    if (n > 0)
        r->path_len = old + (size_t)n < sizeof(r->path) ? old + (size_t)n : sizeof(r->path) - 1;
    return old;
}

static void s_path_pop(struct s_reader *r, size_t old)
{
    r->path_len = old;
    r->path[old] = '\0';
}

/* Checks that @p node is an object whose members are all among the NULL-terminated @p keys,
 * each once. Members missing are reported when read. */
static bool s_object(struct s_reader *r, const cJSON *node, const char *const *keys)
{
    if (r->rc != LK_STATUS_OK)
        return false;
    if (!cJSON_IsObject(node)) {
        s_fail(r, "expected an object");
        return false;
    }
    for (const cJSON *m = node->child; m; m = m->next) {
        bool known = false;
        for (size_t k = 0; keys[k] && !known; k++)
            known = !strcmp(m->string, keys[k]);
        if (!known) {
            s_fail(r, "unknown field \"%s\"", m->string);
            return false;
        }
        for (const cJSON *p = node->child; p != m; p = p->next) {
            if (!strcmp(p->string, m->string)) {
                s_fail(r, "duplicate field \"%s\"", m->string);
                return false;
            }
        }
    }
    return true;
}

/* @return the member @p key of @p obj, or NULL (reported) when it is missing. */
static const cJSON *s_member(struct s_reader *r, const cJSON *obj, const char *key)
{
    if (r->rc != LK_STATUS_OK)
        return NULL;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!m)
        s_fail(r, "missing field \"%s\"", key);
    return m;
}

/* A string, or null when @p nullable. */
static void s_str(struct s_reader *r, const cJSON *obj, const char *key, bool nullable,
                  char **out)
{
    const cJSON *m = s_member(r, obj, key);
    if (!m)
        return;
    if (cJSON_IsString(m)) {
        *out = lk_ir_strdup(r->st, m->valuestring);
    } else if (nullable && cJSON_IsNull(m)) {
        *out = NULL;
    } else {
        size_t old = s_path_key(r, key);
        s_fail(r, nullable ? "expected a string or null" : "expected a string");
        s_path_pop(r, old);
    }
}

static void s_bool(struct s_reader *r, const cJSON *obj, const char *key, bool *out)
{
    const cJSON *m = s_member(r, obj, key);
    if (!m)
        return;
    if (cJSON_IsBool(m)) {
        *out = cJSON_IsTrue(m);
    } else {
        size_t old = s_path_key(r, key);
        s_fail(r, "expected a boolean");
        s_path_pop(r, old);
    }
}

static bool s_is_int32(const cJSON *m)
{
    if (!cJSON_IsNumber(m))
        return false;
    double d = m->valuedouble;
    return d >= (double)INT32_MIN && d <= (double)INT32_MAX && d == (double)(int32_t)d;
}

static void s_int(struct s_reader *r, const cJSON *obj, const char *key, int32_t *out)
{
    const cJSON *m = s_member(r, obj, key);
    if (!m)
        return;
    if (s_is_int32(m)) {
        *out = (int32_t)m->valuedouble;
    } else {
        size_t old = s_path_key(r, key);
        s_fail(r, "expected an integer");
        s_path_pop(r, old);
    }
}

/* One of @p n words; @p out receives its index. */
static void s_enum(struct s_reader *r, const cJSON *obj, const char *key,
                   const char *const *names, size_t n, int *out)
{
    const cJSON *m = s_member(r, obj, key);
    if (!m)
        return;
    if (cJSON_IsString(m)) {
        for (size_t i = 0; i < n; i++) {
            if (!strcmp(m->valuestring, names[i])) {
                *out = (int)i;
                return;
            }
        }
    }
    char expected[160];
    size_t used = 0;
    expected[0] = '\0';
    for (size_t i = 0; i < n && used < sizeof(expected); i++) {
        int k = snprintf(expected + used, sizeof(expected) - used, "%s\"%s\"",
                         i == 0 ? "" : (i + 1 == n ? " or " : ", "), names[i]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
    size_t old = s_path_key(r, key);
    s_fail(r, "expected %s", expected);
    s_path_pop(r, old);
}

/* An array member: @p out receives it and @p n its length; @return false when absent or not
 * an array (reported). */
static bool s_array(struct s_reader *r, const cJSON *obj, const char *key, const cJSON **out,
                    size_t *n)
{
    const cJSON *m = s_member(r, obj, key);
    if (!m)
        return false;
    if (!cJSON_IsArray(m)) {
        size_t old = s_path_key(r, key);
        s_fail(r, "expected an array");
        s_path_pop(r, old);
        return false;
    }
    *out = m;
    *n = (size_t)cJSON_GetArraySize(m);
    return true;
}

static void s_list(struct s_reader *r, const cJSON *obj, const char *key,
                   struct lk_ir_string_list *out)
{
    const cJSON *arr;
    size_t n;
    if (!s_array(r, obj, key, &arr, &n))
        return;
    size_t old = s_path_key(r, key);
    out->items = lk_arena_alloc(&r->st->arena, (n ? n : 1) * sizeof(*out->items));
    out->n = 0;
    size_t i = 0;
    for (const cJSON *e = arr->child; e && r->rc == LK_STATUS_OK; e = e->next, i++) {
        if (!cJSON_IsString(e)) {
            size_t o2 = s_path_index(r, i);
            s_fail(r, "expected a string");
            s_path_pop(r, o2);
            break;
        }
        out->items[out->n++] = lk_ir_strdup(r->st, e->valuestring);
    }
    s_path_pop(r, old);
}

/* Walks the elements of array member @p key, calling @p each with the path set to
 * "key[i]". @return the element count, the array in @p out (arena, @p elem_size each). */
static size_t s_each(struct s_reader *r, const cJSON *obj, const char *key, size_t elem_size,
                     void **out, void (*each)(struct s_reader *, const cJSON *, void *))
{
    const cJSON *arr;
    size_t n = 0;
    *out = NULL;
    if (!s_array(r, obj, key, &arr, &n))
        return 0;
    char *items = lk_arena_alloc(&r->st->arena, (n ? n : 1) * elem_size);
    size_t old = s_path_key(r, key);
    size_t i = 0;
    for (const cJSON *e = arr->child; e && r->rc == LK_STATUS_OK; e = e->next, i++) {
        size_t o2 = s_path_index(r, i);
        each(r, e, items + i * elem_size);
        s_path_pop(r, o2);
    }
    s_path_pop(r, old);
    *out = items;
    return n;
}

/* A set of bits written by s_add_bits(): an array of words of @p names (bit i is names[i]). */
static void s_bits(struct s_reader *r, const cJSON *obj, const char *key, const char *const *names,
                   size_t n, unsigned *out)
{
    const cJSON *arr;
    size_t count;
    if (!s_array(r, obj, key, &arr, &count))
        return;
    size_t old = s_path_key(r, key);
    unsigned bits = 0;
    size_t i = 0;
    for (const cJSON *e = arr->child; e && r->rc == LK_STATUS_OK; e = e->next, i++) {
        size_t k = 0;
        while (cJSON_IsString(e) && k < n && strcmp(e->valuestring, names[k]) != 0)
            k++;
        if (!cJSON_IsString(e) || k == n) {
            size_t o2 = s_path_index(r, i);
            if (cJSON_IsString(e))
                s_fail(r, "unknown word \"%.64s\"", e->valuestring);
            else
                s_fail(r, "expected a string");
            s_path_pop(r, o2);
            break;
        }
        bits |= 1u << k;
    }
    s_path_pop(r, old);
    *out = bits;
}

/* Reads sub-object member @p key with @p fn, path set to "key". */
static void s_sub(struct s_reader *r, const cJSON *obj, const char *key,
                  void (*fn)(struct s_reader *, const cJSON *, void *), void *out)
{
    const cJSON *m = s_member(r, obj, key);
    if (!m)
        return;
    size_t old = s_path_key(r, key);
    fn(r, m, out);
    s_path_pop(r, old);
}

static void s_read_transition(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"days", "storage_class", NULL};
    struct lk_ir_transition *t = out;
    if (!s_object(r, node, keys))
        return;
    s_int(r, node, "days", &t->days);
    const char *sc_names[LK_IR_SC_COUNT];
    for (int i = 0; i < LK_IR_SC_COUNT; i++)
        sc_names[i] = lk_ir_storage_class_api((enum lk_ir_storage_class)i);
    int sc = 0;
    s_enum(r, node, "storage_class", sc_names, LK_IR_SC_COUNT, &sc);
    t->storage_class = (enum lk_ir_storage_class)sc;
}

static void s_read_rule(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"id",
                                       "prefix",
                                       "enabled",
                                       "transitions",
                                       "expiration_days",
                                       "expired_object_delete_marker",
                                       "noncurrent_expiration_days",
                                       "abort_incomplete_upload_days",
                                       "sources",
                                       NULL};
    struct lk_ir_lifecycle_rule *rule = out;
    if (!s_object(r, node, keys))
        return;
    s_str(r, node, "id", false, &rule->id);
    s_str(r, node, "prefix", false, &rule->prefix);
    s_bool(r, node, "enabled", &rule->enabled);
    void *tr = NULL;
    rule->n_transitions =
        s_each(r, node, "transitions", sizeof(*rule->transitions), &tr, s_read_transition);
    rule->transitions = tr;
    s_int(r, node, "expiration_days", &rule->expiration_days);
    s_bool(r, node, "expired_object_delete_marker", &rule->expired_object_delete_marker);
    s_int(r, node, "noncurrent_expiration_days", &rule->noncurrent_expiration_days);
    s_int(r, node, "abort_incomplete_upload_days", &rule->abort_incomplete_upload_days);
    s_list(r, node, "sources", &rule->sources);
}

static void s_read_lifecycle(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"present", "transition_min_size", "rules", NULL};
    struct lk_ir_lifecycle *lc = out;
    if (!s_object(r, node, keys))
        return;
    s_bool(r, node, "present", &lc->present);
    int tms = 0;
    s_enum(r, node, "transition_min_size", s_tms_names, S_COUNT(s_tms_names), &tms);
    lc->transition_min_size = (enum lk_ir_transition_min_size)tms;
    void *rules = NULL;
    lc->n_rules = s_each(r, node, "rules", sizeof(*lc->rules), &rules, s_read_rule);
    lc->rules = rules;
}

static void s_read_condition(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"op", "key", "values", NULL};
    struct lk_ir_condition *c = out;
    if (!s_object(r, node, keys))
        return;
    s_str(r, node, "op", false, &c->op);
    s_str(r, node, "key", false, &c->key);
    s_list(r, node, "values", &c->values);
}

static void s_read_statement(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"sid",        "effect",    "principal_kind",
                                       "principals", "actions",   "resources",
                                       "conditions", NULL};
    struct lk_ir_statement *s = out;
    if (!s_object(r, node, keys))
        return;
    s_str(r, node, "sid", true, &s->sid);
    int effect = 0;
    s_enum(r, node, "effect", s_effect_names, S_COUNT(s_effect_names), &effect);
    s->allow = effect == 1;
    int pk = 0;
    s_enum(r, node, "principal_kind", s_principal_names, S_COUNT(s_principal_names), &pk);
    s->principal_kind = (enum lk_ir_principal_kind)pk;
    s_list(r, node, "principals", &s->principals);
    s_list(r, node, "actions", &s->actions);
    s_list(r, node, "resources", &s->resources);
    void *conds = NULL;
    s->n_conditions =
        s_each(r, node, "conditions", sizeof(*s->conditions), &conds, s_read_condition);
    s->conditions = conds;
}

static void s_read_policy(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"present", "version", "statements", NULL};
    struct lk_ir_bucket_policy *p = out;
    if (!s_object(r, node, keys))
        return;
    s_bool(r, node, "present", &p->present);
    s_str(r, node, "version", true, &p->version);
    void *stmts = NULL;
    p->n_statements =
        s_each(r, node, "statements", sizeof(*p->statements), &stmts, s_read_statement);
    p->statements = stmts;
}

static void s_read_pab(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"present", "block_public_acls", "ignore_public_acls",
                                       "block_public_policy", "restrict_public_buckets", NULL};
    struct lk_ir_bucket *b = out;
    if (!s_object(r, node, keys))
        return;
    s_bool(r, node, "present", &b->public_access_block.present);
    s_bool(r, node, "block_public_acls", &b->public_access_block.block_public_acls);
    s_bool(r, node, "ignore_public_acls", &b->public_access_block.ignore_public_acls);
    s_bool(r, node, "block_public_policy", &b->public_access_block.block_public_policy);
    s_bool(r, node, "restrict_public_buckets", &b->public_access_block.restrict_public_buckets);
}

static void s_read_encryption(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"present", "algorithm", "kms_key_id",
                                       "bucket_key_enabled", NULL};
    struct lk_ir_bucket *b = out;
    if (!s_object(r, node, keys))
        return;
    s_bool(r, node, "present", &b->encryption.present);
    s_str(r, node, "algorithm", true, &b->encryption.algorithm);
    s_str(r, node, "kms_key_id", true, &b->encryption.kms_key_id);
    s_bool(r, node, "bucket_key_enabled", &b->encryption.bucket_key_enabled);
}

static void s_read_object_lock(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"enabled", "mode", "days", "years", NULL};
    struct lk_ir_bucket *b = out;
    if (!s_object(r, node, keys))
        return;
    s_bool(r, node, "enabled", &b->object_lock.enabled);
    int mode = 0;
    s_enum(r, node, "mode", s_lock_names, S_COUNT(s_lock_names), &mode);
    b->object_lock.mode = (enum lk_ir_lock_mode)mode;
    s_int(r, node, "days", &b->object_lock.days);
    s_int(r, node, "years", &b->object_lock.years);
}

static void s_read_bucket(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"name",
                                       "region",
                                       "store",
                                       "exists",
                                       "lifecycle",
                                       "policy",
                                       "versioning",
                                       "mfa_delete",
                                       "public_access_block",
                                       "encryption",
                                       "object_lock",
                                       "unmodelled",
                                       "unmodelled_filter_rule_ids",
                                       NULL};
    struct lk_ir_bucket *b = out;
    if (!s_object(r, node, keys))
        return;
    s_str(r, node, "name", false, &b->name);
    s_str(r, node, "region", true, &b->region);
    s_str(r, node, "store", true, &b->store);
    s_bool(r, node, "exists", &b->exists);
    s_sub(r, node, "lifecycle", s_read_lifecycle, &b->lifecycle);
    s_sub(r, node, "policy", s_read_policy, &b->policy);
    int v = 0;
    s_enum(r, node, "versioning", s_versioning_names, S_COUNT(s_versioning_names), &v);
    b->versioning = (enum lk_ir_versioning)v;
    s_bool(r, node, "mfa_delete", &b->mfa_delete);
    s_sub(r, node, "public_access_block", s_read_pab, b);
    s_sub(r, node, "encryption", s_read_encryption, b);
    s_sub(r, node, "object_lock", s_read_object_lock, b);
    /* Added in version 1 after its first release: missing in older snapshots, read as 0. */
    if (cJSON_GetObjectItemCaseSensitive(node, "unmodelled"))
        s_bits(r, node, "unmodelled", s_bucket_unmodelled_names, S_COUNT(s_bucket_unmodelled_names),
               &b->unmodelled);
    if (cJSON_GetObjectItemCaseSensitive(node, "unmodelled_filter_rule_ids"))
        s_list(r, node, "unmodelled_filter_rule_ids", &b->unmodelled_filter_rule_ids);
}

static void s_read_log_group_integrity(struct s_reader *r, const cJSON *node,
                                       struct lk_ir_log_group *g);

static void s_read_log_group(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {
        "name",       "pattern", "region", "retention_days",      "wanted_days",
        "kms_key_id", "source",  "exists", "deletion_protection", "log_group_class",
        NULL};
    struct lk_ir_log_group *g = out;
    if (!s_object(r, node, keys))
        return;
    s_str(r, node, "name", false, &g->name);
    s_bool(r, node, "pattern", &g->pattern);
    s_str(r, node, "region", true, &g->region);
    s_int(r, node, "retention_days", &g->retention_days);
    s_int(r, node, "wanted_days", &g->wanted_days);
    s_str(r, node, "kms_key_id", true, &g->kms_key_id);
    s_str(r, node, "source", true, &g->source);
    s_bool(r, node, "exists", &g->exists);
    s_read_log_group_integrity(r, node, g);
}

/* The optional members s_write_log_group_integrity() writes. */
static void s_read_log_group_integrity(struct s_reader *r, const cJSON *node,
                                       struct lk_ir_log_group *g)
{
    if (cJSON_GetObjectItemCaseSensitive(node, "deletion_protection"))
        s_bool(r, node, "deletion_protection", &g->deletion_protection);
    if (cJSON_GetObjectItemCaseSensitive(node, "log_group_class")) {
        char *cls = NULL;
        s_str(r, node, "log_group_class", false, &cls);
        if (cls && !lk_ir_log_group_class_parse(cls, &g->log_group_class))
            s_fail(r, "log_groups: log_group_class: unknown class \"%.40s\"", cls);
    }
}

static void s_read_key(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"arn", "region", "exists", "error", "policy", "users", NULL};
    struct lk_ir_key *k = out;
    if (!s_object(r, node, keys))
        return;
    s_str(r, node, "arn", false, &k->arn);
    s_str(r, node, "region", true, &k->region);
    s_bool(r, node, "exists", &k->exists);
    s_str(r, node, "error", true, &k->error);
    s_sub(r, node, "policy", s_read_policy, &k->policy);
    s_list(r, node, "users", &k->users);
}

static void s_read_data_resource(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"type", "values", NULL};
    struct lk_ir_data_resource *d = out;
    if (!s_object(r, node, keys))
        return;
    s_str(r, node, "type", false, &d->type);
    s_list(r, node, "values", &d->values);
}

static void s_read_selector(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"read_write_type", "include_management_events",
                                       "data_resources", "exclude_management_event_sources",
                                       NULL};
    struct lk_ir_event_selector *es = out;
    if (!s_object(r, node, keys))
        return;
    s_str(r, node, "read_write_type", true, &es->read_write_type);
    s_bool(r, node, "include_management_events", &es->include_management_events);
    void *drs = NULL;
    es->n_data_resources = s_each(r, node, "data_resources", sizeof(*es->data_resources), &drs,
                                  s_read_data_resource);
    es->data_resources = drs;
    s_list(r, node, "exclude_management_event_sources", &es->exclude_management_event_sources);
}

static void s_read_trail(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"name",
                                       "home_region",
                                       "source",
                                       "exists",
                                       "s3_bucket_name",
                                       "s3_key_prefix",
                                       "include_global_service_events",
                                       "is_multi_region_trail",
                                       "enable_log_file_validation",
                                       "cloud_watch_logs_log_group_arn",
                                       "cloud_watch_logs_role_arn",
                                       "kms_key_id",
                                       "is_organization_trail",
                                       "event_selectors",
                                       "is_logging",
                                       "unmodelled",
                                       NULL};
    struct lk_ir_trail *t = out;
    if (!s_object(r, node, keys))
        return;
    s_str(r, node, "name", false, &t->name);
    s_str(r, node, "home_region", true, &t->home_region);
    s_str(r, node, "source", true, &t->source);
    s_bool(r, node, "exists", &t->exists);
    s_str(r, node, "s3_bucket_name", true, &t->s3_bucket_name);
    s_str(r, node, "s3_key_prefix", true, &t->s3_key_prefix);
    s_bool(r, node, "include_global_service_events", &t->include_global_service_events);
    s_bool(r, node, "is_multi_region_trail", &t->is_multi_region_trail);
    s_bool(r, node, "enable_log_file_validation", &t->enable_log_file_validation);
    s_str(r, node, "cloud_watch_logs_log_group_arn", true, &t->cloud_watch_logs_log_group_arn);
    s_str(r, node, "cloud_watch_logs_role_arn", true, &t->cloud_watch_logs_role_arn);
    s_str(r, node, "kms_key_id", true, &t->kms_key_id);
    s_bool(r, node, "is_organization_trail", &t->is_organization_trail);
    void *sels = NULL;
    t->n_event_selectors = s_each(r, node, "event_selectors", sizeof(*t->event_selectors), &sels,
                                  s_read_selector);
    t->event_selectors = sels;
    s_bool(r, node, "is_logging", &t->is_logging);
    /* Added in version 1 after its first release: missing in older snapshots, read as 0. */
    if (cJSON_GetObjectItemCaseSensitive(node, "unmodelled"))
        s_bits(r, node, "unmodelled", s_trail_unmodelled_names, S_COUNT(s_trail_unmodelled_names),
               &t->unmodelled);
}

static void s_read_delivery(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"service", "name", "region", "key_prefix", NULL};
    struct lk_ir_delivery *d = out;
    if (!s_object(r, node, keys))
        return;
    s_str(r, node, "service", false, &d->service);
    s_str(r, node, "name", false, &d->name);
    s_str(r, node, "region", true, &d->region);
    s_str(r, node, "key_prefix", true, &d->key_prefix);
}

static void s_read_store(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"bucket",     "region",    "exists",
                                       "error",      "lifecycle", "lifecycle_unmodelled",
                                       "deliveries", NULL};
    struct lk_ir_unmanaged_store *u = out;
    if (!s_object(r, node, keys))
        return;
    s_str(r, node, "bucket", false, &u->bucket);
    s_str(r, node, "region", true, &u->region);
    s_bool(r, node, "exists", &u->exists);
    s_str(r, node, "error", true, &u->error);
    s_sub(r, node, "lifecycle", s_read_lifecycle, &u->lifecycle);
    s_bool(r, node, "lifecycle_unmodelled", &u->lifecycle_unmodelled);
    void *arr = NULL;
    u->n_deliveries = s_each(r, node, "deliveries", sizeof(*u->deliveries), &arr, s_read_delivery);
    u->deliveries = arr;
}

static void s_read_destination(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"kind",    "arn",          "bucket",   "prefix",
                                       "log_group", "pattern",    "kms_key_arn",
                                       "traffic_type", "log_type", "status", NULL};
    struct lk_ir_destination *d = out;
    if (!s_object(r, node, keys))
        return;
    char *kind = NULL;
    s_str(r, node, "kind", false, &kind);
    if (kind && !lk_ir_destination_kind_parse(kind, &d->kind))
        s_fail(r, "unknown destination kind \"%.40s\"", kind);
    s_str(r, node, "arn", true, &d->arn);
    s_str(r, node, "bucket", true, &d->bucket);
    s_str(r, node, "prefix", true, &d->prefix);
    s_str(r, node, "log_group", true, &d->log_group);
    s_bool(r, node, "pattern", &d->pattern);
    s_str(r, node, "kms_key_arn", true, &d->kms_key_arn);
    s_str(r, node, "traffic_type", true, &d->traffic_type);
    s_str(r, node, "log_type", true, &d->log_type);
    s_str(r, node, "status", true, &d->status);
}

static void s_read_tag(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"key", "value", NULL};
    struct lk_ir_tag *t = out;
    if (!s_object(r, node, keys))
        return;
    s_str(r, node, "key", false, &t->key);
    s_str(r, node, "value", false, &t->value);
}

static void s_read_exclusion(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"id", "reason", NULL};
    struct lk_ir_exclusion *x = out;
    if (!s_object(r, node, keys))
        return;
    s_str(r, node, "id", false, &x->id);
    s_str(r, node, "reason", false, &x->reason);
}

static void s_read_producer_type(struct s_reader *r, const cJSON *node,
                                 enum lk_ir_producer_type *out)
{
    char *type = NULL;
    s_str(r, node, "type", false, &type);
    if (type && !lk_ir_producer_type_parse(type, out))
        s_fail(r, "unknown producer type \"%.40s\"", type);
}

static void s_read_coverage(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"type",  "region",     "source",    "destinations",
                                       "ids",   "names",      "tags",      "exclusions",
                                       "enable", "log_types", "traffic_type",
                                       "delivery_role_arn", "accounts", NULL};
    struct lk_ir_coverage *c = out;
    if (!s_object(r, node, keys))
        return;
    s_read_producer_type(r, node, &c->type);
    s_str(r, node, "region", true, &c->region);
    s_str(r, node, "source", true, &c->source);
    void *arr = NULL;
    c->n_destinations =
        s_each(r, node, "destinations", sizeof(*c->destinations), &arr, s_read_destination);
    c->destinations = arr;
    s_list(r, node, "ids", &c->ids);
    s_list(r, node, "names", &c->names);
    c->n_tags = s_each(r, node, "tags", sizeof(*c->tags), &arr, s_read_tag);
    c->tags = arr;
    c->n_exclusions =
        s_each(r, node, "exclusions", sizeof(*c->exclusions), &arr, s_read_exclusion);
    c->exclusions = arr;
    s_bool(r, node, "enable", &c->enable);
    s_list(r, node, "log_types", &c->log_types);
    s_str(r, node, "traffic_type", true, &c->traffic_type);
    s_str(r, node, "delivery_role_arn", true, &c->delivery_role_arn);
    if (cJSON_GetObjectItemCaseSensitive(node, "accounts"))
        s_list(r, node, "accounts", &c->accounts);
}

static void s_read_producer(struct s_reader *r, const cJSON *node, void *out)
{
    static const char *const keys[] = {"type",         "region",    "id",
                                       "arn",          "name",      "tags",
                                       "destinations", "log_types", "pending_log_types",
                                       "enabled",      "partial",   "engine",
                                       "error",        "administrator_account",
                                       "administrator_status", NULL};
    struct lk_ir_producer *p = out;
    if (!s_object(r, node, keys))
        return;
    s_read_producer_type(r, node, &p->type);
    s_str(r, node, "region", true, &p->region);
    s_str(r, node, "id", false, &p->id);
    s_str(r, node, "arn", true, &p->arn);
    s_str(r, node, "name", true, &p->name);
    void *arr = NULL;
    p->n_tags = s_each(r, node, "tags", sizeof(*p->tags), &arr, s_read_tag);
    p->tags = arr;
    p->n_destinations =
        s_each(r, node, "destinations", sizeof(*p->destinations), &arr, s_read_destination);
    p->destinations = arr;
    s_list(r, node, "log_types", &p->log_types);
    s_list(r, node, "pending_log_types", &p->pending_log_types);
    s_bool(r, node, "enabled", &p->enabled);
    s_str(r, node, "partial", true, &p->partial);
    s_str(r, node, "engine", true, &p->engine);
    s_str(r, node, "error", true, &p->error);
    if (cJSON_GetObjectItemCaseSensitive(node, "administrator_account")) {
        s_str(r, node, "administrator_account", false, &p->administrator_account);
        s_str(r, node, "administrator_status", true, &p->administrator_status);
    }
}

/* Refuses anything but a logkeep state of the version this build writes, before reading any
 * other field: another format or version would only give confusing field errors. */
static void s_read_header(struct s_reader *r, const cJSON *root)
{
    if (!cJSON_IsObject(root)) {
        s_fail_code(r, LK_STATUS_UNSUPPORTED,
                    "not a logkeep state: expected a JSON object with \"format\": \"%s\"",
                    LK_STATE_JSON_FORMAT);
        return;
    }
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(root, "format");
    if (!cJSON_IsString(format)) {
        s_fail_code(r, LK_STATUS_UNSUPPORTED, "not a logkeep state: no \"format\": \"%s\" member",
                    LK_STATE_JSON_FORMAT);
        return;
    }
    if (strcmp(format->valuestring, LK_STATE_JSON_FORMAT) != 0) {
        s_fail_code(r, LK_STATUS_UNSUPPORTED,
                    "not a logkeep state: format is \"%.64s\", expected \"%s\"",
                    format->valuestring, LK_STATE_JSON_FORMAT);
        return;
    }
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "version");
    if (!s_is_int32(version)) {
        s_fail_code(r, LK_STATUS_UNSUPPORTED,
                    "logkeep state without an integer \"version\" (this logkeep reads version %d)",
                    LK_STATE_JSON_VERSION);
        return;
    }
    if ((int32_t)version->valuedouble != LK_STATE_JSON_VERSION)
        s_fail_code(r, LK_STATUS_UNSUPPORTED,
                    "logkeep state version %d is not supported: this logkeep reads version %d",
                    (int)(int32_t)version->valuedouble, LK_STATE_JSON_VERSION);
}

enum lk_status lk_ir_state_from_json(const char *json, size_t len, struct lk_ir_state **out,
                                     struct lk_error *err)
{
    static const char *const keys[] = {"format",
                                       "version",
                                       "account",
                                       "region",
                                       "partition",
                                       "unmanaged_set",
                                       "unmanaged_retention_days",
                                       "buckets",
                                       "log_groups",
                                       "trails",
                                       "unmanaged_stores",
                                       "keys",
                                       "coverages",
                                       "producers",
                                       "producer_regions",
                                       NULL};
    struct s_reader r;
    cJSON *root = NULL;
    memset(&r, 0, sizeof(r));
    r.err = err;
    lk_error_clear(err);
    LK_ENSURE_GOTO(r.rc, out && json,
                   lk_error_set(err, LK_STATUS_INVALID_ARGUMENT, "no state document given"),
                   cleanup);
    *out = NULL;
    LK_GUARD_GOTO(r.rc, lk_json_parse_bounded(json, len, LK_STATE_JSON_MAX_BYTES, &root, err),
                  cleanup);
    s_read_header(&r, root);
    if (r.rc != LK_STATUS_OK || !s_object(&r, root, keys))
        goto cleanup;

    r.st = lk_ir_state_new();
    s_str(&r, root, "account", true, &r.st->account);
    s_str(&r, root, "region", true, &r.st->region);
    s_str(&r, root, "partition", true, &r.st->partition);
    s_bool(&r, root, "unmanaged_set", &r.st->unmanaged_set);
    s_int(&r, root, "unmanaged_retention_days", &r.st->unmanaged_retention_days);
    void *arr = NULL;
    r.st->n_buckets = s_each(&r, root, "buckets", sizeof(*r.st->buckets), &arr, s_read_bucket);
    r.st->buckets = arr;
    r.st->n_log_groups =
        s_each(&r, root, "log_groups", sizeof(*r.st->log_groups), &arr, s_read_log_group);
    r.st->log_groups = arr;
    r.st->n_trails = s_each(&r, root, "trails", sizeof(*r.st->trails), &arr, s_read_trail);
    r.st->trails = arr;
    /* Snapshots written before unmanaged-store discovery have no "unmanaged_stores": read as
     * none found, so that they stay usable with --state. */
    if (cJSON_GetObjectItemCaseSensitive(root, "unmanaged_stores")) {
        r.st->n_unmanaged_stores = s_each(&r, root, "unmanaged_stores",
                                          sizeof(*r.st->unmanaged_stores), &arr, s_read_store);
        r.st->unmanaged_stores = arr;
    }
    /* "keys" is written only for states that have KMS keys. */
    if (cJSON_GetObjectItemCaseSensitive(root, "keys")) {
        r.st->n_keys = s_each(&r, root, "keys", sizeof(*r.st->keys), &arr, s_read_key);
        r.st->keys = arr;
    }
    /* "coverages" (desired state) and "producers" (live) are written only when present. */
    if (cJSON_GetObjectItemCaseSensitive(root, "coverages")) {
        r.st->n_coverages =
            s_each(&r, root, "coverages", sizeof(*r.st->coverages), &arr, s_read_coverage);
        r.st->coverages = arr;
    }
    if (cJSON_GetObjectItemCaseSensitive(root, "producers")) {
        r.st->n_producers =
            s_each(&r, root, "producers", sizeof(*r.st->producers), &arr, s_read_producer);
        r.st->producers = arr;
    }
    if (cJSON_GetObjectItemCaseSensitive(root, "producer_regions"))
        s_list(&r, root, "producer_regions", &r.st->producer_regions);
    if (r.rc != LK_STATUS_OK)
        goto cleanup;
    *out = r.st;
    r.st = NULL;

cleanup:
    lk_ir_state_free(r.st);
    cJSON_Delete(root);
    return r.rc;
}
