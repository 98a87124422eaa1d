/*
 * Unit tests: the state document of `logkeep snapshot` (runtime/state_json.c).
 *
 * The state is the quickstart example, lowered, with the fields only live state has filled in
 * (exists, is_logging, a bucket that is missing, policy entries carrying the markers of
 * configuration the IR cannot model), so that every field is written with a value other than
 * its zero. Round trips must give back the same bytes; refusals must name the field.
 */
#include "lk_test.h"

#include <cjson/cJSON.h>
#include <stdio.h>

#include "compiler/lower.h"
#include "runtime/diff/diff.h"
#include "runtime/state_json.h"

static struct lk_error g_err;

/* The quickstart state with live-only fields set and a second, missing bucket. */
static struct lk_ir_state *s_state(void)
{
    struct lk_ir_state *st = lk_test_lower_quickstart();
    ck_assert_uint_ge(st->n_buckets, 1);
    ck_assert_uint_ge(st->n_trails, 1);
    ck_assert_uint_ge(st->n_log_groups, 1);

    struct lk_ir_bucket *b = &st->buckets[0];
    b->exists = true;
    b->mfa_delete = true;
    b->object_lock.years = 1;
    /* A live policy with configuration the IR has no field for, as policy_json.c marks it. */
    ck_assert_uint_ge(b->policy.n_statements, 1);
    struct lk_ir_statement *s = &b->policy.statements[0];
    lk_ir_list_add(st, &s->actions, "NotAction:s3:GetObject");
    lk_ir_list_add(st, &s->principals, "NotPrincipal:AWS:arn:aws:iam::444455556666:root");
    lk_ir_list_sort_unique(&s->actions);
    lk_ir_list_sort_unique(&s->principals);
    b->unmodelled =
        LK_IR_UNMODELLED_POLICY_NOT_ELEMENT | LK_IR_UNMODELLED_FILTER | LK_IR_UNMODELLED_ENCRYPTION;
    lk_ir_list_add(st, &b->unmodelled_filter_rule_ids, "logkeep-vpc-flow");
    lk_ir_list_add(st, &b->unmodelled_filter_rule_ids, "logkeep-org-trail");

    /* A bucket AWS does not have: exists = false, every configuration absent. */
    struct lk_ir_bucket *nb = lk_arena_alloc(&st->arena, (st->n_buckets + 1) * sizeof(*nb));
    memcpy(nb, st->buckets, st->n_buckets * sizeof(*nb));
    struct lk_ir_bucket *missing = &nb[st->n_buckets];
    missing->name = lk_ir_strdup(st, "aaa-missing-bucket \"quoted\"\n");
    missing->region = lk_ir_strdup(st, "eu-west-1");
    st->buckets = nb;
    st->n_buckets++;

    for (size_t i = 0; i < st->n_log_groups; i++) {
        st->log_groups[i].exists = true;
        st->log_groups[i].kms_key_id = lk_ir_strdup(st, "arn:aws:kms:us-east-1:111122223333:key/x");
    }
    for (size_t i = 0; i < st->n_trails; i++) {
        st->trails[i].exists = true;
        st->trails[i].is_logging = true;
        st->trails[i].kms_key_id = NULL;
        st->trails[i].unmodelled = LK_IR_UNMODELLED_ADVANCED_SELECTORS;
    }

    /* Two buckets outside the policy that trails deliver to: one read (a lifecycle that only
     * transitions, two deliveries), one that refused the read. */
    st->unmanaged_stores = lk_arena_alloc(&st->arena, 2 * sizeof(*st->unmanaged_stores));
    memset(st->unmanaged_stores, 0, 2 * sizeof(*st->unmanaged_stores));
    st->n_unmanaged_stores = 2;
    struct lk_ir_unmanaged_store *u = &st->unmanaged_stores[0];
    u->bucket = lk_ir_strdup(st, "zz-legacy-logs");
    u->region = lk_ir_strdup(st, "eu-west-1");
    u->exists = true;
    u->lifecycle = st->buckets[0].lifecycle;
    u->lifecycle_unmodelled = true;
    u->deliveries = lk_arena_alloc(&st->arena, 2 * sizeof(*u->deliveries));
    u->n_deliveries = 2;
    for (size_t i = 0; i < 2; i++) {
        u->deliveries[i].service = lk_ir_strdup(st, "cloudtrail");
        u->deliveries[i].name = lk_ir_strdup(st, i ? "a-trail" : "b-trail");
        u->deliveries[i].region = lk_ir_strdup(st, "us-east-1");
        u->deliveries[i].key_prefix = i ? lk_ir_strdup(st, "old") : NULL;
    }
    u = &st->unmanaged_stores[1];
    u->bucket = lk_ir_strdup(st, "aa-foreign-logs");
    u->exists = true;
    u->error = lk_ir_strdup(st, "AccessDenied");
    lk_ir_canonicalize(st);
    return st;
}

static struct lk_ir_state *s_read(const char *json)
{
    struct lk_ir_state *st = NULL;
    enum lk_status rc = lk_ir_state_from_json(json, strlen(json), &st, &g_err);
    ck_assert_msg(rc == LK_STATUS_OK, "%s: %s", lk_status_name(rc), g_err.message);
    ck_assert_int_eq(g_err.status, LK_STATUS_OK);
    ck_assert_ptr_nonnull(st);
    return st;
}

/* The document of s_state() with one change made by @p edit to its cJSON tree. */
static char *s_edited(void (*edit)(cJSON *root))
{
    struct lk_ir_state *st = s_state();
    char *json = lk_ir_state_to_json(st);
    lk_ir_state_free(st);
    cJSON *root = cJSON_Parse(json);
    free(json);
    ck_assert_ptr_nonnull(root);
    edit(root);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}

static enum lk_status s_refuse(const char *json)
{
    struct lk_ir_state dummy;
    struct lk_ir_state *st = &dummy; /* must be reset to NULL */
    enum lk_status rc = lk_ir_state_from_json(json, strlen(json), &st, &g_err);
    ck_assert_ptr_null(st);
    ck_assert_int_ne(rc, LK_STATUS_OK);
    /* The error says the same as the result. */
    ck_assert_int_eq(g_err.status, rc);
    return rc;
}

static cJSON *s_first_bucket(cJSON *root)
{
    /* Buckets are written by name: the missing one ("aaa-...") comes first. */
    return cJSON_GetArrayItem(cJSON_GetObjectItem(root, "buckets"), 1);
}

/* ------------------------------------------------------------------------------ round trips */

START_TEST(test_round_trip_exact)
{
    struct lk_ir_state *st = s_state();
    char *a = lk_ir_state_to_json(st);
    struct lk_ir_state *back = s_read(a);
    char *b = lk_ir_state_to_json(back);
    ck_assert_str_eq(a, b);
    /* The state read back holds every field of the one written. */
    struct lk_ir_mismatch why;
    ck_assert_msg(lk_ir_state_equal(st, back, 0, &why), "%s", why.text);
    /* And once more, from the state read back. */
    struct lk_ir_state *again = s_read(b);
    char *c = lk_ir_state_to_json(again);
    ck_assert_str_eq(b, c);
    ck_assert_uint_eq(strlen(a) > 0 ? (unsigned char)a[strlen(a) - 1] : 0, '\n');
    free(a);
    free(b);
    free(c);
    lk_ir_state_free(st);
    lk_ir_state_free(back);
    lk_ir_state_free(again);
}
END_TEST

START_TEST(test_round_trip_fields)
{
    struct lk_ir_state *st = s_state();
    char *a = lk_ir_state_to_json(st);
    struct lk_ir_state *back = s_read(a);

    ck_assert_str_eq(back->account, "111122223333");
    ck_assert_str_eq(back->region, st->region);
    ck_assert_str_eq(back->partition ? back->partition : "(null)",
                     st->partition ? st->partition : "(null)");
    ck_assert_int_eq(back->unmanaged_set, st->unmanaged_set);
    ck_assert_int_eq(back->unmanaged_retention_days, st->unmanaged_retention_days);
    ck_assert_uint_eq(back->n_buckets, st->n_buckets);
    ck_assert_uint_eq(back->n_log_groups, st->n_log_groups);
    ck_assert_uint_eq(back->n_trails, st->n_trails);

    const struct lk_ir_bucket *m = &back->buckets[0];
    ck_assert_str_eq(m->name, "aaa-missing-bucket \"quoted\"\n");
    ck_assert(!m->exists && !m->lifecycle.present && !m->policy.present);
    ck_assert_ptr_null(m->store);
    ck_assert_ptr_null(m->encryption.algorithm);

    const struct lk_ir_bucket *b = &back->buckets[1], *ob = &st->buckets[1];
    ck_assert_str_eq(b->name, ob->name);
    ck_assert_str_eq(b->store, ob->store);
    ck_assert(b->exists && b->mfa_delete);
    ck_assert_int_eq(b->versioning, ob->versioning);
    ck_assert_int_eq(b->object_lock.mode, ob->object_lock.mode);
    ck_assert_int_eq(b->object_lock.days, ob->object_lock.days);
    ck_assert_int_eq(b->object_lock.years, 1);
    ck_assert_int_eq(b->lifecycle.transition_min_size, ob->lifecycle.transition_min_size);
    ck_assert_uint_eq(b->lifecycle.n_rules, ob->lifecycle.n_rules);
    for (size_t i = 0; i < b->lifecycle.n_rules; i++) {
        const struct lk_ir_lifecycle_rule *r = &b->lifecycle.rules[i],
                                          *o = &ob->lifecycle.rules[i];
        ck_assert_str_eq(r->id, o->id);
        ck_assert_str_eq(r->prefix, o->prefix);
        ck_assert_int_eq(r->expiration_days, o->expiration_days);
        ck_assert_uint_eq(r->n_transitions, o->n_transitions);
        for (size_t t = 0; t < r->n_transitions; t++) {
            ck_assert_int_eq(r->transitions[t].days, o->transitions[t].days);
            ck_assert_int_eq(r->transitions[t].storage_class, o->transitions[t].storage_class);
        }
        ck_assert_uint_eq(r->sources.n, o->sources.n);
    }
    ck_assert_uint_eq(b->policy.n_statements, ob->policy.n_statements);
    const struct lk_ir_statement *s = &b->policy.statements[0];
    bool marker = false;
    for (size_t i = 0; i < s->actions.n; i++)
        marker |= !strcmp(s->actions.items[i], "NotAction:s3:GetObject");
    ck_assert(marker);
    ck_assert_int_eq(s->allow, ob->policy.statements[0].allow);
    ck_assert_str_eq(b->encryption.kms_key_id, ob->encryption.kms_key_id);

    for (size_t i = 0; i < back->n_log_groups; i++) {
        ck_assert(back->log_groups[i].exists);
        ck_assert_str_eq(back->log_groups[i].name, st->log_groups[i].name);
        ck_assert_int_eq(back->log_groups[i].pattern, st->log_groups[i].pattern);
        ck_assert_int_eq(back->log_groups[i].retention_days, st->log_groups[i].retention_days);
        ck_assert_int_eq(back->log_groups[i].wanted_days, st->log_groups[i].wanted_days);
    }
    const struct lk_ir_trail *t = &back->trails[0];
    ck_assert(t->exists && t->is_logging);
    ck_assert_ptr_null(t->kms_key_id);
    ck_assert_str_eq(t->s3_bucket_name, st->trails[0].s3_bucket_name);
    ck_assert_uint_eq(t->n_event_selectors, st->trails[0].n_event_selectors);

    ck_assert_uint_eq(back->n_unmanaged_stores, 2);
    const struct lk_ir_unmanaged_store *f = &back->unmanaged_stores[0];
    ck_assert_str_eq(f->bucket, "aa-foreign-logs");
    ck_assert_str_eq(f->error, "AccessDenied");
    ck_assert(f->exists && !f->lifecycle.present);
    ck_assert_ptr_null(f->region);
    const struct lk_ir_unmanaged_store *u = &back->unmanaged_stores[1];
    ck_assert_str_eq(u->bucket, "zz-legacy-logs");
    ck_assert_ptr_null(u->error);
    ck_assert(u->exists && u->lifecycle_unmodelled && u->lifecycle.present);
    ck_assert_uint_eq(u->lifecycle.n_rules, st->buckets[1].lifecycle.n_rules);
    ck_assert_uint_eq(u->n_deliveries, 2);
    /* Deliveries by service, region, then name. */
    ck_assert_str_eq(u->deliveries[0].name, "a-trail");
    ck_assert_str_eq(u->deliveries[0].key_prefix, "old");
    ck_assert_ptr_null(u->deliveries[1].key_prefix);

    /* What the IR cannot hold: bits and the filter rule IDs, sorted. */
    const struct lk_ir_bucket *ub = &back->buckets[1];
    ck_assert_uint_eq(ub->unmodelled, LK_IR_UNMODELLED_POLICY_NOT_ELEMENT |
                                          LK_IR_UNMODELLED_FILTER | LK_IR_UNMODELLED_ENCRYPTION);
    ck_assert_uint_eq(ub->unmodelled_filter_rule_ids.n, 2);
    ck_assert_str_eq(ub->unmodelled_filter_rule_ids.items[0], "logkeep-org-trail");
    ck_assert_str_eq(ub->unmodelled_filter_rule_ids.items[1], "logkeep-vpc-flow");
    ck_assert_uint_eq(back->buckets[0].unmodelled, 0);
    ck_assert_uint_eq(back->trails[0].unmodelled, LK_IR_UNMODELLED_ADVANCED_SELECTORS);
    ck_assert_ptr_nonnull(strstr(a, "\"unmodelled\":\t[\"lifecycle_filter\", \"encryption\", "
                                    "\"policy_not_element\"]"));

    free(a);
    lk_ir_state_free(st);
    lk_ir_state_free(back);
}
END_TEST

/* The document's layout: header first, every optional part explicit. */
START_TEST(test_layout)
{
    struct lk_ir_state *st = s_state();
    char *a = lk_ir_state_to_json(st);
    ck_assert_ptr_eq(strstr(a, "{\n\t\"format\":\t\"logkeep-state\",\n\t\"version\":\t1,\n"), a);
    ck_assert_ptr_nonnull(strstr(a, "\"account\":\t\"111122223333\""));
    ck_assert_ptr_nonnull(strstr(a, "\"partition\":"));
    ck_assert_ptr_nonnull(strstr(a, "\"store\":\tnull"));
    ck_assert_ptr_nonnull(strstr(a, "\"present\":\tfalse"));
    ck_assert_ptr_nonnull(strstr(a, "\"storage_class\":\t\"DEEP_ARCHIVE\""));
    ck_assert_ptr_nonnull(strstr(a, "\"versioning\":\t\"enabled\""));
    ck_assert_ptr_nonnull(strstr(a, "\"mode\":\t\"governance\""));
    free(a);
    lk_ir_state_free(st);
}
END_TEST

/* Arrays held out of order, with duplicates in string sets, write as the canonical state does. */
START_TEST(test_canonical_order)
{
    struct lk_ir_state *st = s_state();
    char *canon = lk_ir_state_to_json(st);
    ck_assert_uint_ge(st->n_buckets, 2);
    struct lk_ir_bucket tmp = st->buckets[0];
    st->buckets[0] = st->buckets[1];
    st->buckets[1] = tmp;
    struct lk_ir_bucket *b = &st->buckets[0];
    if (b->lifecycle.n_rules >= 2) {
        struct lk_ir_lifecycle_rule r = b->lifecycle.rules[0];
        b->lifecycle.rules[0] = b->lifecycle.rules[1];
        b->lifecycle.rules[1] = r;
    }
    struct lk_ir_statement *s = &b->policy.statements[0];
    lk_ir_list_add(st, &s->actions, s->actions.items[0]); /* a duplicate, at the end */
    char *shuffled = lk_ir_state_to_json(st);
    ck_assert_str_eq(canon, shuffled);
    free(canon);
    free(shuffled);
    lk_ir_state_free(st);
}
END_TEST

/* Deletes the unmodelled fields of every bucket and trail, as a snapshot written before they
 * existed lacks them. */
static void s_strip_unmodelled(cJSON *root)
{
    cJSON *b;
    cJSON_ArrayForEach(b, cJSON_GetObjectItem(root, "buckets"))
    {
        cJSON_DeleteItemFromObject(b, "unmodelled");
        cJSON_DeleteItemFromObject(b, "unmodelled_filter_rule_ids");
    }
    cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(root, "trails"))
        cJSON_DeleteItemFromObject(t, "unmodelled");
}

/* The diff of @p desired against @p live, rendered as JSON (heap). */
static char *s_diff_json(const struct lk_ir_state *desired, const struct lk_ir_state *live)
{
    struct lk_diff d;
    lk_diff_init(&d);
    ck_assert_int_eq(lk_diff_states(desired, live, &d), LK_STATUS_OK);
    char *json = lk_diff_to_json(&d);
    ck_assert_ptr_nonnull(json);
    lk_diff_free(&d);
    return json;
}

/* Offline drift sees what the live read saw: a live state with a tag-filter lifecycle rule and
 * advanced event selectors diffs the same before and after a round trip through a snapshot,
 * and the diff says so. A snapshot without the fields (an older version's) still reads, as
 * nothing unmodelled. */
START_TEST(test_unmodelled_offline_agrees)
{
    struct lk_ir_state *desired = lk_test_lower_quickstart();
    struct lk_ir_state *live = lk_test_lower_quickstart();
    for (size_t i = 0; i < live->n_buckets; i++)
        live->buckets[i].exists = true;
    for (size_t i = 0; i < live->n_trails; i++) {
        live->trails[i].exists = true;
        live->trails[i].is_logging = true;
        live->trails[i].n_event_selectors = 0;
        live->trails[i].unmodelled = LK_IR_UNMODELLED_ADVANCED_SELECTORS;
    }
    for (size_t i = 0; i < live->n_log_groups; i++)
        live->log_groups[i].exists = true;
    struct lk_ir_bucket *b = &live->buckets[0];
    b->unmodelled = LK_IR_UNMODELLED_FILTER;
    lk_ir_list_add(live, &b->unmodelled_filter_rule_ids, "logkeep-vpc-flow");

    char *online = s_diff_json(desired, live);
    char *doc = lk_ir_state_to_json(live);
    struct lk_ir_state *back = s_read(doc);
    struct lk_ir_mismatch why;
    ck_assert_msg(lk_ir_state_equal(live, back, 0, &why), "%s", why.text);
    char *offline = s_diff_json(desired, back);
    ck_assert_str_eq(offline, online);
    char *want = lk_ir_printf(desired, "\"expire-earlier:%s/logkeep-vpc-flow\"", b->name);
    ck_assert_ptr_nonnull(strstr(online, "\"lifecycle.rule[logkeep-vpc-flow].filter\""));
    ck_assert_ptr_nonnull(strstr(online, want));
    ck_assert_ptr_nonnull(strstr(online, "\"advanced event selectors\""));

    /* The comparator sees the fields: without them the states differ. */
    cJSON *root = cJSON_Parse(doc);
    ck_assert_ptr_nonnull(root);
    s_strip_unmodelled(root);
    char *old_doc = cJSON_Print(root);
    cJSON_Delete(root);
    struct lk_ir_state *old = s_read(old_doc);
    ck_assert(!lk_ir_state_equal(live, old, 0, &why));
    ck_assert_str_eq(why.text, "buckets[0].unmodelled: 1 vs 0");
    ck_assert(lk_ir_state_equal(live, old, LK_IR_EQ_SKIP_LIVE_ONLY, NULL));
    ck_assert_uint_eq(old->buckets[0].unmodelled_filter_rule_ids.n, 0);
    ck_assert_uint_eq(old->trails[0].unmodelled, 0);
    char *older = s_diff_json(desired, old);
    ck_assert_ptr_null(strstr(older, "tag or object-size"));
    ck_assert_ptr_null(strstr(older, "advanced event selectors"));

    free(online);
    free(offline);
    free(older);
    free(doc);
    free(old_doc);
    lk_ir_state_free(desired);
    lk_ir_state_free(live);
    lk_ir_state_free(back);
    lk_ir_state_free(old);
}
END_TEST

/* Unknown words in the unmodelled fields are refused, with their place. */
static void s_edit_unmodelled_word(cJSON *root)
{
    cJSON *arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, cJSON_CreateString("lifecycle_filter"));
    cJSON_AddItemToArray(arr, cJSON_CreateString("teleportation"));
    cJSON_ReplaceItemInObject(s_first_bucket(root), "unmodelled", arr);
}

START_TEST(test_unmodelled_refused)
{
    char *text = s_edited(s_edit_unmodelled_word);
    ck_assert_int_eq(s_refuse(text), LK_STATUS_SCHEMA);
    ck_assert_str_eq(g_err.message, "buckets[1].unmodelled[1]: unknown word \"teleportation\"");
    free(text);
}
END_TEST

START_TEST(test_empty_state)
{
    struct lk_ir_state *st = lk_ir_state_new();
    char *a = lk_ir_state_to_json(st);
    struct lk_ir_state *back = s_read(a);
    char *b = lk_ir_state_to_json(back);
    ck_assert_str_eq(a, b);
    /* The state read back holds every field of the one written. */
    struct lk_ir_mismatch why;
    ck_assert_msg(lk_ir_state_equal(st, back, 0, &why), "%s", why.text);
    ck_assert_ptr_null(back->account);
    ck_assert_uint_eq(back->n_buckets, 0);
    free(a);
    free(b);
    lk_ir_state_free(st);
    lk_ir_state_free(back);
    ck_assert_ptr_null(lk_ir_state_to_json(NULL));
}
END_TEST

/* A snapshot written before unmanaged-store discovery (no "unmanaged_stores") still reads, as
 * none found. */
START_TEST(test_snapshot_without_unmanaged_stores)
{
    struct lk_ir_state *st = lk_ir_state_new();
    char *a = lk_ir_state_to_json(st);
    cJSON *root = cJSON_Parse(a);
    ck_assert_ptr_nonnull(root);
    ck_assert_ptr_nonnull(cJSON_GetObjectItem(root, "unmanaged_stores"));
    cJSON_DeleteItemFromObject(root, "unmanaged_stores");
    char *old = cJSON_PrintUnformatted(root);
    struct lk_ir_state *back = s_read(old);
    ck_assert_uint_eq(back->n_unmanaged_stores, 0);
    cJSON_Delete(root);
    free(a);
    free(old);
    lk_ir_state_free(st);
    lk_ir_state_free(back);
}
END_TEST

/* ------------------------------------------------------------------------------ refusals */

static void s_edit_format(cJSON *root)
{
    cJSON_ReplaceItemInObject(root, "format", cJSON_CreateString("terraform-state"));
}
static void s_edit_version(cJSON *root)
{
    cJSON_ReplaceItemInObject(root, "version", cJSON_CreateNumber(2));
}
static void s_edit_expiration(cJSON *root)
{
    cJSON *rules = cJSON_GetObjectItem(cJSON_GetObjectItem(s_first_bucket(root), "lifecycle"),
                                       "rules");
    cJSON_ReplaceItemInObject(cJSON_GetArrayItem(rules, 0), "expiration_days",
                              cJSON_CreateString("7y"));
}
static void s_edit_fraction(cJSON *root)
{
    cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "log_groups"), 0),
                              "retention_days", cJSON_CreateNumber(1.5));
}
static void s_edit_unknown(cJSON *root)
{
    cJSON_AddStringToObject(s_first_bucket(root), "colour", "blue");
}
static void s_edit_missing(cJSON *root)
{
    cJSON_DeleteItemFromObject(cJSON_GetObjectItem(s_first_bucket(root), "encryption"),
                               "present");
}
static void s_edit_action(cJSON *root)
{
    cJSON *stmts = cJSON_GetObjectItem(cJSON_GetObjectItem(s_first_bucket(root), "policy"),
                                       "statements");
    cJSON *actions = cJSON_GetObjectItem(cJSON_GetArrayItem(stmts, 0), "actions");
    cJSON_InsertItemInArray(actions, 0, cJSON_CreateNumber(42));
}
static void s_edit_enum(cJSON *root)
{
    cJSON_ReplaceItemInObject(s_first_bucket(root), "versioning", cJSON_CreateString("on"));
}
static void s_edit_bool(cJSON *root)
{
    cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "trails"), 0),
                              "is_logging", cJSON_CreateString("true"));
}
static void s_edit_null_name(cJSON *root)
{
    cJSON_ReplaceItemInObject(s_first_bucket(root), "name", cJSON_CreateNull());
}
static void s_edit_buckets_type(cJSON *root)
{
    cJSON_ReplaceItemInObject(root, "buckets", cJSON_CreateObject());
}

struct s_refusal {
    void (*edit)(cJSON *root);
    enum lk_status rc;
    const char *message;
};

static const struct s_refusal s_refusals[] = {
    {s_edit_format, LK_STATUS_UNSUPPORTED,
     "not a logkeep state: format is \"terraform-state\", expected \"logkeep-state\""},
    {s_edit_version, LK_STATUS_UNSUPPORTED,
     "logkeep state version 2 is not supported: this logkeep reads version 1"},
    {s_edit_expiration, LK_STATUS_SCHEMA,
     "buckets[1].lifecycle.rules[0].expiration_days: expected an integer"},
    {s_edit_fraction, LK_STATUS_SCHEMA, "log_groups[0].retention_days: expected an integer"},
    {s_edit_unknown, LK_STATUS_SCHEMA, "buckets[1]: unknown field \"colour\""},
    {s_edit_missing, LK_STATUS_SCHEMA, "buckets[1].encryption: missing field \"present\""},
    {s_edit_action, LK_STATUS_SCHEMA,
     "buckets[1].policy.statements[0].actions[0]: expected a string"},
    {s_edit_enum, LK_STATUS_SCHEMA,
     "buckets[1].versioning: expected \"never\", \"enabled\" or \"suspended\""},
    {s_edit_bool, LK_STATUS_SCHEMA, "trails[0].is_logging: expected a boolean"},
    {s_edit_null_name, LK_STATUS_SCHEMA, "buckets[1].name: expected a string"},
    {s_edit_buckets_type, LK_STATUS_SCHEMA, "buckets: expected an array"},
};

START_TEST(test_refusal_located)
{
    const struct s_refusal *c = &s_refusals[_i];
    char *text = s_edited(c->edit);
    enum lk_status rc = s_refuse(text);
    ck_assert_int_eq(rc, c->rc);
    ck_assert_str_eq(g_err.message, c->message);
    free(text);
}
END_TEST

START_TEST(test_refusal_not_state)
{
    ck_assert_int_eq(s_refuse("{\"a\": 1,"), LK_STATUS_MALFORMED);
    ck_assert_ptr_nonnull(strstr(g_err.message, "invalid JSON"));
    ck_assert_int_eq(s_refuse("[1, 2]"), LK_STATUS_UNSUPPORTED);
    ck_assert_int_eq(s_refuse("{\"changes\": []}"), LK_STATUS_UNSUPPORTED);
    ck_assert_str_eq(g_err.message, "not a logkeep state: no \"format\": \"logkeep-state\" member");
    ck_assert_int_eq(s_refuse("{\"format\": \"logkeep-state\", \"version\": \"1\"}"),
                     LK_STATUS_UNSUPPORTED);
    ck_assert_int_eq(s_refuse("{\"format\": \"logkeep-state\", \"version\": 1}"), LK_STATUS_SCHEMA);
    ck_assert_str_eq(g_err.message, "missing field \"account\"");
    ck_assert_int_eq(s_refuse("{\"format\": \"logkeep-state\", \"version\": 1, \"version\": 1}"),
                     LK_STATUS_SCHEMA);
    ck_assert_str_eq(g_err.message, "duplicate field \"version\"");
}
END_TEST

START_TEST(test_refusal_size)
{
    /* The bound is checked before the text is read: a short buffer with a long length. */
    const char text[] = "{}";
    struct lk_ir_state *st = NULL;
    enum lk_status rc = lk_ir_state_from_json(text, LK_STATE_JSON_MAX_BYTES + 1, &st, &g_err);
    ck_assert_int_eq(rc, LK_STATUS_TOO_LARGE);
    ck_assert_ptr_nonnull(strstr(g_err.message, "exceeds"));
    ck_assert_int_eq(lk_ir_state_from_json(NULL, 0, &st, &g_err), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(g_err.message, "no state document given");
    ck_assert_int_eq(lk_ir_state_from_json(text, 2, NULL, NULL), LK_STATUS_INVALID_ARGUMENT);
}
END_TEST

static Suite *s_suite(void)
{
    Suite *s = suite_create("state_json");
    TCase *tc = tcase_create("state_json");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_round_trip_exact);
    tcase_add_test(tc, test_round_trip_fields);
    tcase_add_test(tc, test_layout);
    tcase_add_test(tc, test_canonical_order);
    tcase_add_test(tc, test_empty_state);
    tcase_add_test(tc, test_snapshot_without_unmanaged_stores);
    tcase_add_test(tc, test_unmodelled_offline_agrees);
    tcase_add_test(tc, test_unmodelled_refused);
    tcase_add_loop_test(tc, test_refusal_located, 0,
                        (int)(sizeof(s_refusals) / sizeof(s_refusals[0])));
    tcase_add_test(tc, test_refusal_not_state);
    tcase_add_test(tc, test_refusal_size);
    suite_add_tcase(s, tc);
    return s;
}

/* KMS keys and the log group integrity fields round-trip; states without them are written as
 * before (no "keys", no new log group members). */
START_TEST(test_keys_and_log_group_integrity)
{
    struct lk_ir_state *st = s_state();
    /* As a state read before keys and log group integrity existed. */
    st->n_keys = 0;
    for (size_t i = 0; i < st->n_log_groups; i++)
        st->log_groups[i].deletion_protection = false;
    char *before = lk_ir_state_to_json(st);
    ck_assert_ptr_null(strstr(before, "\"keys\""));
    ck_assert_ptr_null(strstr(before, "deletion_protection"));
    ck_assert_ptr_null(strstr(before, "log_group_class"));
    free(before);
    ck_assert_uint_gt(st->n_log_groups, 0);
    st->log_groups[0].deletion_protection = true;
    st->log_groups[0].log_group_class = LK_IR_LOG_CLASS_INFREQUENT_ACCESS;
    st->keys = lk_arena_alloc(&st->arena, 2 * sizeof(*st->keys));
    st->n_keys = 2;
    memset(st->keys, 0, 2 * sizeof(*st->keys));
    struct lk_ir_key *k = &st->keys[0];
    k->arn = lk_ir_strdup(st, "arn:aws:kms:us-east-1:111122223333:key/a");
    k->region = lk_ir_strdup(st, "us-east-1");
    k->exists = true;
    k->policy.present = true;
    k->policy.version = lk_ir_strdup(st, "2012-10-17");
    k->policy.statements = lk_arena_alloc(&st->arena, sizeof(*k->policy.statements));
    k->policy.n_statements = 1;
    struct lk_ir_statement *s = &k->policy.statements[0];
    memset(s, 0, sizeof(*s));
    s->sid = lk_ir_strdup(st, "LogKeepCloudTrail");
    s->allow = true;
    s->principal_kind = LK_IR_PRINCIPAL_SERVICE;
    lk_ir_list_add(st, &s->principals, "cloudtrail.amazonaws.com");
    lk_ir_list_add(st, &s->actions, "kms:GenerateDataKey*");
    lk_ir_list_add(st, &s->resources, "*");
    lk_ir_list_add(st, &k->users, "store:audit");
    struct lk_ir_key *e = &st->keys[1];
    e->arn = lk_ir_strdup(st, "arn:aws:kms:us-east-1:111122223333:key/b");
    e->region = lk_ir_strdup(st, "us-east-1");
    e->error = lk_ir_strdup(st, "AccessDeniedException");
    lk_ir_canonicalize(st);
    char *a = lk_ir_state_to_json(st);
    ck_assert_ptr_nonnull(strstr(a, "\"keys\""));
    ck_assert_ptr_nonnull(strstr(a, "\"log_group_class\":\t\"INFREQUENT_ACCESS\""));
    struct lk_ir_state *back = s_read(a);
    struct lk_ir_mismatch why;
    ck_assert_msg(lk_ir_state_equal(st, back, 0, &why), "%s", why.text);
    char *b = lk_ir_state_to_json(back);
    ck_assert_str_eq(a, b);
    ck_assert_str_eq(back->keys[1].error, "AccessDeniedException");
    free(a);
    free(b);
    lk_ir_state_free(back);
    lk_ir_state_free(st);
}
END_TEST

int main(void)
{
    Suite *s = s_suite();
    TCase *kms = tcase_create("kms");
    tcase_add_test(kms, test_keys_and_log_group_integrity);
    suite_add_tcase(s, kms);
    return lk_test_run(s);
}
