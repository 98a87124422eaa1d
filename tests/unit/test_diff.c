/*
 * Unit tests: the semantic diff of desired against live state (runtime/diff/).
 *
 * The desired state is the quickstart example, compiled and lowered. The live state starts as
 * what AWS would hand back for it: the emitted payloads (lifecycle, versioning, Object Lock,
 * Block Public Access and encryption XML, the bucket policy, the trail) read back through the
 * runtime's own response parsers, and the log group pattern expanded into concrete groups.
 * Each case of the table below then changes one thing, by hand or by respelling a payload,
 * with small set-up functions for the desired and the live state, and lists the changes the
 * diff must report: kind, direction, whether applying needs --allow, and the texts. One loop
 * runs them. The renderings of whole diffs, and the diff handed to apply, are tests of their
 * own.
 */
#include "lk_test.h"

#include <cjson/cJSON.h>
#include <stdio.h>

#include "runtime/apply.h"
#include "runtime/services/cloudtrail.h"
#include "runtime/diff/diff.h"
#include "compiler/emit.h"
#include "compiler/lower.h"
#include "runtime/services/policy_json.h"
#include "runtime/services/s3.h"

#define BUCKET "acme-security-logs-111122223333"
#define TRAIL "org-trail"
#define TRAIL_GROUP "/aws/cloudtrail/org-trail"
#define PATTERN "/app/payments/*"

static struct lk_ir_state *g_desired;
static struct lk_ir_state *g_live;
static struct lk_diff g_diff;
static struct lk_error g_err;

/* ------------------------------------------------------------------------------ fixtures */

/* The bucket as GetBucket* would return it: each emitted payload parsed back. */
static void s_read_back_bucket(struct lk_ir_state *live, struct lk_ir_bucket *b)
{
    struct lk_arena a;
    lk_arena_init(&a);
    struct lk_ir_bucket got;
    memset(&got, 0, sizeof(got));

    char *xml = lk_emit_lifecycle_xml(&b->lifecycle, &a);
    ck_assert_msg(
        lk_s3_parse_lifecycle(live, xml, strlen(xml),
                              lk_s3_transition_min_size_api(b->lifecycle.transition_min_size), &got,
                              &g_err) == 0,
        "%s", g_err.message);
    ck_assert_uint_eq(got.unmodelled, 0);
    char *json = lk_emit_bucket_policy_json(&b->policy, &a);
    ck_assert_msg(lk_policy_json_parse(live, json, strlen(json), live->partition, &got, &g_err) ==
                      0,
                  "%s", g_err.message);
    ck_assert_uint_eq(got.unmodelled, 0);
    xml = lk_emit_versioning_xml(b, &a);
    ck_assert(lk_s3_parse_versioning(xml, strlen(xml), &got, &g_err) == 0);
    xml = lk_emit_object_lock_xml(b, &a);
    ck_assert(lk_s3_parse_object_lock(xml, strlen(xml), &got, &g_err) == 0);
    xml = lk_emit_public_access_block_xml(b, &a);
    ck_assert(lk_s3_parse_public_access_block(xml, strlen(xml), &got, &g_err) == 0);
    xml = lk_emit_encryption_xml(b, &a);
    ck_assert(lk_s3_parse_encryption(live, xml, strlen(xml), &got, &g_err) == 0);

    got.name = b->name;
    got.region = b->region;
    got.exists = true;
    *b = got;
    lk_arena_destroy(&a);
}

/* The trail as GetTrail, GetEventSelectors and GetTrailStatus would return it. */
static void s_read_back_trail(struct lk_ir_state *live, struct lk_ir_trail *t)
{
    struct lk_arena a;
    lk_arena_init(&a);
    cJSON *root = cJSON_CreateObject();
    cJSON *o = cJSON_AddObjectToObject(root, "Trail");
    cJSON_AddStringToObject(o, "Name", t->name);
    cJSON_AddStringToObject(o, "HomeRegion", t->home_region);
    cJSON_AddStringToObject(o, "S3BucketName", t->s3_bucket_name);
    if (t->s3_key_prefix)
        cJSON_AddStringToObject(o, "S3KeyPrefix", t->s3_key_prefix);
    cJSON_AddBoolToObject(o, "IncludeGlobalServiceEvents", t->include_global_service_events);
    cJSON_AddBoolToObject(o, "IsMultiRegionTrail", t->is_multi_region_trail);
    cJSON_AddBoolToObject(o, "LogFileValidationEnabled", t->enable_log_file_validation);
    if (t->cloud_watch_logs_log_group_arn)
        cJSON_AddStringToObject(o, "CloudWatchLogsLogGroupArn", t->cloud_watch_logs_log_group_arn);
    if (t->cloud_watch_logs_role_arn)
        cJSON_AddStringToObject(o, "CloudWatchLogsRoleArn", t->cloud_watch_logs_role_arn);
    cJSON_AddBoolToObject(o, "IsOrganizationTrail", t->is_organization_trail);
    if (t->kms_key_id)
        cJSON_AddStringToObject(o, "KmsKeyId", t->kms_key_id);
    char *text = cJSON_PrintUnformatted(root);
    struct lk_ir_trail got;
    memset(&got, 0, sizeof(got));
    ck_assert_msg(lk_cloudtrail_parse_trail(live, text, strlen(text), &got, &g_err) == 0, "%s",
                  g_err.message);
    free(text);
    cJSON_Delete(root);

    /* GetEventSelectors answers with the EventSelectors that PutEventSelectors sent. */
    char *artifact = lk_emit_trail_json(live, t, &a);
    root = cJSON_Parse(artifact);
    ck_assert_ptr_nonnull(root);
    cJSON *sels = cJSON_DetachItemFromObject(cJSON_GetObjectItem(root, "PutEventSelectors"),
                                             "EventSelectors");
    cJSON_Delete(root);
    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "TrailARN",
                            "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail");
    cJSON_AddItemToObject(root, "EventSelectors", sels);
    text = cJSON_PrintUnformatted(root);
    got.unmodelled = LK_IR_UNMODELLED_ADVANCED_SELECTORS;
    ck_assert_msg(lk_cloudtrail_parse_event_selectors(live, text, strlen(text), &got, &g_err) == 0,
                  "%s", g_err.message);
    ck_assert(!(got.unmodelled & LK_IR_UNMODELLED_ADVANCED_SELECTORS));
    free(text);
    cJSON_Delete(root);
    got.is_logging = true;
    *t = got;
    lk_arena_destroy(&a);
}

/* Live log groups: the exact ones as they are, each pattern expanded into two groups. */
static void s_expand_log_groups(struct lk_ir_state *live)
{
    size_t n = live->n_log_groups, w = 0;
    struct lk_ir_log_group *out = lk_arena_alloc(&live->arena, (2 * n + 1) * sizeof(*out));
    for (size_t i = 0; i < n; i++) {
        struct lk_ir_log_group g = live->log_groups[i];
        g.source = NULL;
        g.wanted_days = 0;
        g.exists = true;
        if (!g.pattern) {
            out[w++] = g;
            continue;
        }
        const char *star = strchr(g.name, '*');
        g.pattern = false;
        const char *suffixes[2] = {"api", "worker"};
        for (int k = 0; k < 2; k++) {
            out[w] = g;
            out[w++].name =
                lk_ir_printf(live, "%.*s%s%s", (int)(star - g.name), g.name, suffixes[k], star + 1);
        }
    }
    live->log_groups = out;
    live->n_log_groups = w;
}

static void s_setup(void)
{
    lk_error_clear(&g_err);
    lk_diff_init(&g_diff);
    g_desired = lk_test_lower_quickstart();
    g_live = lk_test_lower_quickstart();
    for (size_t i = 0; i < g_live->n_buckets; i++)
        s_read_back_bucket(g_live, &g_live->buckets[i]);
    for (size_t i = 0; i < g_live->n_trails; i++)
        s_read_back_trail(g_live, &g_live->trails[i]);
    s_expand_log_groups(g_live);
    /* The store's key exists, and its policy holds logkeep's statements (GetKeyPolicy). */
    for (size_t i = 0; i < g_live->n_keys; i++)
        g_live->keys[i].exists = true;
    g_live->unmanaged_set = false;
}

static void s_teardown(void)
{
    lk_diff_free(&g_diff);
    lk_ir_state_free(g_desired);
    lk_ir_state_free(g_live);
    g_desired = g_live = NULL;
}

/* ------------------------------------------------------------------------------ helpers */

static struct lk_ir_bucket *s_bucket(struct lk_ir_state *st)
{
    ck_assert_uint_eq(st->n_buckets, 1);
    ck_assert_str_eq(st->buckets[0].name, BUCKET);
    return &st->buckets[0];
}

static struct lk_ir_trail *s_trail(struct lk_ir_state *st)
{
    ck_assert_uint_eq(st->n_trails, 1);
    return &st->trails[0];
}

static struct lk_ir_statement *s_stmt(struct lk_ir_state *st, const char *sid)
{
    struct lk_ir_bucket *b = s_bucket(st);
    for (size_t i = 0; i < b->policy.n_statements; i++)
        if (b->policy.statements[i].sid && !strcmp(b->policy.statements[i].sid, sid))
            return &b->policy.statements[i];
    ck_abort_msg("no statement %s", sid);
    return NULL;
}

static void s_drop_stmt(struct lk_ir_state *st, const char *sid)
{
    struct lk_ir_bucket_policy *p = &s_bucket(st)->policy;
    struct lk_ir_statement *s = s_stmt(st, sid);
    size_t i = (size_t)(s - p->statements);
    memmove(s, s + 1, (p->n_statements - i - 1) * sizeof(*s));
    p->n_statements--;
}

/* Appends a copy of statement @p sid under a new Sid and returns it. */
static struct lk_ir_statement *s_copy_stmt(struct lk_ir_state *st, const char *sid,
                                           const char *new_sid)
{
    struct lk_ir_bucket_policy *p = &s_bucket(st)->policy;
    struct lk_ir_statement *arr = lk_arena_alloc(&st->arena, (p->n_statements + 1) * sizeof(*arr));
    memcpy(arr, p->statements, p->n_statements * sizeof(*arr));
    struct lk_ir_statement copy = *s_stmt(st, sid);
    copy.sid = lk_ir_strdup(st, new_sid);
    struct lk_ir_string_list res = {0};
    for (size_t i = 0; i < copy.resources.n; i++)
        lk_ir_list_add(st, &res, copy.resources.items[i]);
    copy.resources = res;
    p->statements = arr;
    p->statements[p->n_statements] = copy;
    return &p->statements[p->n_statements++];
}

static struct lk_ir_lifecycle_rule *s_rule(struct lk_ir_state *st, const char *id)
{
    struct lk_ir_bucket *b = s_bucket(st);
    for (size_t i = 0; i < b->lifecycle.n_rules; i++)
        if (!strcmp(b->lifecycle.rules[i].id, id))
            return &b->lifecycle.rules[i];
    ck_abort_msg("no rule %s", id);
    return NULL;
}

static struct lk_ir_log_group *s_group(struct lk_ir_state *st, const char *name)
{
    for (size_t i = 0; i < st->n_log_groups; i++)
        if (!strcmp(st->log_groups[i].name, name))
            return &st->log_groups[i];
    ck_abort_msg("no log group %s", name);
    return NULL;
}

/* The text rendering, for assertions and for failure messages. */
static char *s_render(const struct lk_diff *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(lk_diff_render_text(d, f, false), LK_STATUS_OK);
    fclose(f);
    return buf;
}

/* Sets the log groups of @p st to @p n groups of us-east-1 that exist, named @p names with
 * retentions @p days: what DescribeLogGroups lists. */
static void s_set_groups(struct lk_ir_state *st, const char *const *names, const int32_t *days,
                         size_t n)
{
    struct lk_ir_log_group *groups = lk_arena_alloc(&st->arena, n * sizeof(*groups));
    memset(groups, 0, n * sizeof(*groups));
    for (size_t i = 0; i < n; i++) {
        groups[i].name = lk_ir_strdup(st, names[i]);
        groups[i].region = lk_ir_strdup(st, "us-east-1");
        groups[i].retention_days = days[i];
        groups[i].exists = true;
    }
    st->log_groups = groups;
    st->n_log_groups = n;
}

/* Appends to @p st an unmanaged store receiving the logs of one trail with @p key_prefix (with
 * room for a second delivery), and returns it. */
static struct lk_ir_unmanaged_store *s_add_store(struct lk_ir_state *st, const char *bucket,
                                                 const char *key_prefix)
{
    size_t n = st->n_unmanaged_stores;
    struct lk_ir_unmanaged_store *stores = lk_arena_alloc(&st->arena, (n + 1) * sizeof(*stores));
    if (n)
        memcpy(stores, st->unmanaged_stores, n * sizeof(*stores));
    st->unmanaged_stores = stores;
    st->n_unmanaged_stores = n + 1;
    struct lk_ir_unmanaged_store *u = &stores[n];
    memset(u, 0, sizeof(*u));
    u->bucket = lk_ir_strdup(st, bucket);
    u->region = lk_ir_strdup(st, "us-east-1");
    u->exists = true;
    u->deliveries = lk_arena_alloc(&st->arena, 2 * sizeof(*u->deliveries));
    memset(u->deliveries, 0, 2 * sizeof(*u->deliveries));
    u->deliveries[0].service = lk_ir_strdup(st, "cloudtrail");
    u->deliveries[0].name = lk_ir_strdup(st, "legacy-trail");
    u->deliveries[0].region = lk_ir_strdup(st, "us-east-1");
    u->deliveries[0].key_prefix = lk_ir_strdup(st, key_prefix);
    u->n_deliveries = 1;
    return u;
}

/* Gives @p u a lifecycle of one rule. */
static void s_store_rule(struct lk_ir_state *st, struct lk_ir_unmanaged_store *u,
                         const char *prefix, bool enabled, int32_t expiration_days)
{
    struct lk_ir_lifecycle_rule *r = lk_arena_alloc(&st->arena, sizeof(*r));
    memset(r, 0, sizeof(*r));
    r->id = lk_ir_strdup(st, "rule");
    r->prefix = lk_ir_strdup(st, prefix);
    r->enabled = enabled;
    r->expiration_days = expiration_days;
    u->lifecycle.present = true;
    u->lifecycle.rules = r;
    u->lifecycle.n_rules = 1;
}

/* ------------------------------------------------------------------------------ cases */

/* The diff entry point a case calls. */
enum s_call {
    S_STATES,           /* lk_diff_states() */
    S_UNMANAGED_GROUPS, /* lk_diff_log_groups_unmanaged() on the live log groups */
    S_STORES,           /* lk_diff_stores_unmanaged() on the live unmanaged stores */
};

/* For an expected text: the change must hold none (NULL). */
static const char s_absent[] = "(absent)";
#define ABSENT s_absent

/* One expected change, found by resource, name and attribute. Kind, direction and allow name
 * are always checked; the texts when given (exactly; ABSENT: none). */
struct s_want {
    enum lk_diff_resource resource;
    const char *name;
    const char *attribute;
    enum lk_diff_kind kind;
    enum lk_diff_direction direction;
    const char *allow; /* the allow name; NULL: no data loss */
    const char *desired;
    const char *live;
    const char *note;
    const char *region;
    /* The line of the change's origin in examples/quickstart/policy.yaml; 0: not checked;
     * S_NO_ORIGIN: the change has none. */
    uint32_t line;
};

#define S_NO_ORIGIN UINT32_MAX

#define S_MAX_WANTS 4

/* One case: the fixture (the quickstart, desired and read back as live), changed by the set-up
 * functions, diffed, and the expected changes. */
struct s_case {
    const char *name;
    void (*desired)(struct lk_ir_state *st); /* changes the desired state, or NULL */
    void (*live)(struct lk_ir_state *st);    /* changes the live state, or NULL */
    enum s_call call;
    const char *arg[2]; /* for set-ups shared by several cases */
    /* The changes the diff holds: exactly these, the summary counting them; unless @c more. */
    struct s_want want[S_MAX_WANTS];
    bool more;          /* the diff holds other changes too: @c also checks them */
    void (*also)(void); /* further checks on g_diff, or NULL */
};

static const struct s_case *g_case;

/* ------------------------------------------------------------------------------ set-ups: same */

static void s_reverse_strings(struct lk_ir_string_list *l)
{
    for (size_t i = 0; i < l->n / 2; i++) {
        char *t = l->items[i];
        l->items[i] = l->items[l->n - 1 - i];
        l->items[l->n - 1 - i] = t;
    }
}

static void s_reverse_everything(struct lk_ir_state *st)
{
    struct lk_ir_bucket *b = s_bucket(st);
    for (size_t i = 0; i < b->policy.n_statements / 2; i++) {
        struct lk_ir_statement t = b->policy.statements[i];
        b->policy.statements[i] = b->policy.statements[b->policy.n_statements - 1 - i];
        b->policy.statements[b->policy.n_statements - 1 - i] = t;
    }
    for (size_t i = 0; i < b->policy.n_statements; i++) {
        s_reverse_strings(&b->policy.statements[i].actions);
        s_reverse_strings(&b->policy.statements[i].resources);
    }
    for (size_t i = 0; i < b->lifecycle.n_rules / 2; i++) {
        struct lk_ir_lifecycle_rule t = b->lifecycle.rules[i];
        b->lifecycle.rules[i] = b->lifecycle.rules[b->lifecycle.n_rules - 1 - i];
        b->lifecycle.rules[b->lifecycle.n_rules - 1 - i] = t;
    }
    struct lk_ir_lifecycle_rule *r = s_rule(st, "logkeep-org-trail");
    ck_assert_uint_eq(r->n_transitions, 2);
    struct lk_ir_transition t = r->transitions[0];
    r->transitions[0] = r->transitions[1];
    r->transitions[1] = t;
    for (size_t i = 0; i < st->n_log_groups / 2; i++) {
        struct lk_ir_log_group g = st->log_groups[i];
        st->log_groups[i] = st->log_groups[st->n_log_groups - 1 - i];
        st->log_groups[st->n_log_groups - 1 - i] = g;
    }
}

/* A single value as a one-element list: S3 writes a one-element list back as a plain string
 * (GetBucketPolicy), and IAM treats both the same. */
static void s_listify(cJSON *obj, const char *key)
{
    cJSON *v = cJSON_GetObjectItem(obj, key);
    if (!cJSON_IsString(v))
        return;
    cJSON *list = cJSON_CreateArray();
    cJSON_AddItemToArray(list, cJSON_CreateString(v->valuestring));
    cJSON_ReplaceItemInObject(obj, key, list);
}

static void s_upper(char *s)
{
    for (; *s; s++)
        *s = (char)(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s);
}

/* Respells one statement the ways IAM accepts: lists for single values, {"AWS": "*"} for "*",
 * action names and condition keys in upper case, a JSON false for "false". */
static void s_respell_statement(cJSON *st)
{
    cJSON *p = cJSON_GetObjectItem(st, "Principal");
    if (cJSON_IsString(p)) {
        cJSON *any = cJSON_CreateObject();
        cJSON_AddStringToObject(any, "AWS", "*");
        cJSON_ReplaceItemInObject(st, "Principal", any);
    } else {
        s_listify(p, "AWS");
        s_listify(p, "Service");
    }
    s_listify(st, "Action");
    s_listify(st, "Resource");
    cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItem(st, "Action"))
    {
        s_upper(a->valuestring);
    }
    cJSON *cond = cJSON_GetObjectItem(st, "Condition");
    if (!cond)
        return;
    cJSON *fresh = cJSON_CreateObject();
    cJSON *op;
    cJSON_ArrayForEach(op, cond)
    {
        cJSON *o = cJSON_AddObjectToObject(fresh, op->string);
        cJSON *k;
        cJSON_ArrayForEach(k, op)
        {
            char key[128];
            snprintf(key, sizeof(key), "%s", k->string);
            s_upper(key);
            if (!strcmp(k->string, "aws:SecureTransport")) {
                cJSON_AddFalseToObject(o, key);
            } else {
                cJSON *list = cJSON_Duplicate(k, true);
                if (cJSON_IsString(list)) {
                    cJSON *l = cJSON_CreateArray();
                    cJSON_AddItemToArray(l, list);
                    list = l;
                }
                cJSON_AddItemToObject(o, key, list);
            }
        }
    }
    cJSON_ReplaceItemInObject(st, "Condition", fresh);
}

/* The live policy: the desired document respelled, statements in reverse order, read back. */
static void s_policy_respelled(struct lk_ir_state *st)
{
    struct lk_ir_bucket *db = s_bucket(g_desired);
    struct lk_arena a;
    lk_arena_init(&a);
    char *json = lk_emit_bucket_policy_json(&db->policy, &a);
    cJSON *root = cJSON_Parse(json);
    ck_assert_ptr_nonnull(root);
    cJSON *stmts = cJSON_GetObjectItem(root, "Statement");
    cJSON *s;
    cJSON_ArrayForEach(s, stmts)
    {
        s_respell_statement(s);
    }
    cJSON *rev = cJSON_CreateArray();
    while (cJSON_GetArraySize(stmts) > 0)
        cJSON_AddItemToArray(rev, cJSON_DetachItemFromArray(stmts, cJSON_GetArraySize(stmts) - 1));
    cJSON_ReplaceItemInObject(root, "Statement", rev);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    /* Make sure the respelling happened. */
    ck_assert_ptr_nonnull(strstr(text, "\"AWS\":\t\"*\""));
    ck_assert_ptr_nonnull(strstr(text, "AWS:SECURETRANSPORT"));
    ck_assert_ptr_nonnull(strstr(text, "\"S3:GETOBJECT\""));

    struct lk_ir_bucket *lb = s_bucket(st);
    ck_assert_msg(lk_policy_json_parse(st, text, strlen(text), "aws", lb, &g_err) == 0, "%s",
                  g_err.message);
    free(text);
    lk_arena_destroy(&a);
}

/* An account ID and its root ARN are the same principal. */
static void s_reader_as_root_arn(struct lk_ir_state *st)
{
    struct lk_ir_statement *d = s_stmt(st, "LogKeepReadLogs");
    d->principals.n = 0;
    lk_ir_list_add(st, &d->principals, "arn:aws:iam::111122223333:root");
}

/* Action names and condition keys ignore case; Bool values too; {"AWS": ["*"]} is "*". */
static void s_policy_other_forms(struct lk_ir_state *st)
{
    struct lk_ir_statement *l = s_stmt(st, "LogKeepReadLogs");
    l->principals.n = 0;
    lk_ir_list_add(st, &l->principals, "111122223333");
    for (size_t i = 0; i < l->actions.n; i++)
        for (char *p = l->actions.items[i]; *p; p++)
            *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    struct lk_ir_statement *t = s_stmt(st, "LogKeepDenyInsecureTransport");
    t->conditions[0].key = lk_ir_strdup(st, "AWS:securetransport");
    t->conditions[0].values.items[0] = lk_ir_strdup(st, "False");
    /* {"AWS": ["*"]} written into the IR by hand. */
    t->principal_kind = LK_IR_PRINCIPAL_AWS;
    lk_ir_list_add(st, &t->principals, "*");
}

/* AWS writes its own delivery statements (AWSLogDeliveryWrite): same meaning, other Sid. */
/* Another Sid that logkeep owns (LK_IR_SID_PREFIX): a Sid only names a statement. */
static void s_delivery_sid_renamed(struct lk_ir_state *st)
{
    s_stmt(st, "LogKeepLogDeliveryWrite")->sid = lk_ir_strdup(st, "LogKeepDeliveryWrite");
}

/* A Sid logkeep does not own: the same statement is foreign (as the one a service adds), and
 * logkeep's own goes missing beside it. */
static void s_delivery_sid_foreign(struct lk_ir_state *st)
{
    s_stmt(st, "LogKeepLogDeliveryWrite")->sid = lk_ir_strdup(st, "AWSLogDeliveryWrite");
}

/* ------------------------------------------------------------------------------ set-ups: policy */

/* Another team's grant, not logkeep's: reads by a principal that is no declared reader. */
static void s_foreign_read_grant(struct lk_ir_state *st)
{
    struct lk_ir_statement *t = s_copy_stmt(st, "LogKeepReadLogs", "TeamRead");
    t->principals = (struct lk_ir_string_list){0};
    lk_ir_list_add(st, &t->principals, "arn:aws:iam::444455556666:role/Contractor");
}

/* A declared reader granted again by another statement: kept, and no weakness. */
static void s_foreign_reader_again(struct lk_ir_state *st)
{
    s_copy_stmt(st, "LogKeepReadLogs", "TeamRead");
}

/* Readers granted as the account narrowed by aws:PrincipalArn (the shape for roles that can be
 * re-created): the account itself is no declared reader. */
static void s_reader_by_arn(struct lk_ir_state *st)
{
    struct lk_ir_statement *d = s_stmt(st, "LogKeepReadLogs");
    d->principals = (struct lk_ir_string_list){0};
    lk_ir_list_add(st, &d->principals, "arn:aws:iam::111122223333:root");
    d->conditions = lk_arena_alloc(&st->arena, sizeof(*d->conditions));
    d->conditions[0] = (struct lk_ir_condition){.op = lk_ir_strdup(st, "ArnLike"),
                                                .key = lk_ir_strdup(st, "aws:PrincipalArn")};
    lk_ir_list_add(st, &d->conditions[0].values, "arn:aws:iam::111122223333:role/SecurityAnalyst");
    d->n_conditions = 1;
}

/* The same, and another team's grant of reads to the whole account. */
static void s_reader_by_arn_and_account_grant(struct lk_ir_state *st)
{
    s_reader_by_arn(st);
    struct lk_ir_statement *t = s_copy_stmt(st, "LogKeepReadLogs", "TeamRead");
    t->n_conditions = 0;
}

/* An organisation's deny of every object write, with no exemption. */
static void s_foreign_deny_writes(struct lk_ir_state *st)
{
    struct lk_ir_statement *t = s_copy_stmt(st, "LogKeepDenyInsecureTransport", "OrgDenyWrites");
    t->actions = (struct lk_ir_string_list){0};
    lk_ir_list_add(st, &t->actions, "s3:PutObject");
    t->n_conditions = 0;
}

/* The same deny with a condition: the diff cannot evaluate it, so it is only listed. */
static void s_foreign_deny_conditional(struct lk_ir_state *st)
{
    struct lk_ir_statement *t = s_copy_stmt(st, "LogKeepDenyInsecureTransport", "OrgDenyWrites");
    t->actions = (struct lk_ir_string_list){0};
    lk_ir_list_add(st, &t->actions, "s3:PutObject");
}

static void s_reader_added(struct lk_ir_state *st)
{
    lk_ir_list_add(st, &s_stmt(st, "LogKeepReadLogs")->principals,
                   "arn:aws:iam::444455556666:role/Contractor");
}

static void s_reader_dropped(struct lk_ir_state *st)
{
    s_drop_stmt(st, "LogKeepReadLogs");
}

static void s_read_actions_widened(struct lk_ir_state *st)
{
    struct lk_ir_statement *l = s_stmt(st, "LogKeepReadLogs");
    l->actions.n = 0;
    lk_ir_list_add(st, &l->actions, "s3:*");
}

static void s_deny_insecure_dropped(struct lk_ir_state *st)
{
    s_drop_stmt(st, "LogKeepDenyInsecureTransport");
}

/* ArnNotLike: one more ARN the Deny spares. */
static void s_admin_exemption_added(struct lk_ir_state *st)
{
    struct lk_ir_statement *l = s_stmt(st, "LogKeepDenyChangesExceptAdmins");
    lk_ir_list_add(st, &l->conditions[0].values, "arn:aws:iam::111122223333:role/Intruder");
}

static void s_deny_turned_allow(struct lk_ir_state *st)
{
    s_stmt(st, "LogKeepDenyInsecureTransport")->allow = true;
}

static void s_public_read_added(struct lk_ir_state *st)
{
    struct lk_ir_statement *s = s_copy_stmt(st, "LogKeepReadLogs", "PublicRead");
    s->principal_kind = LK_IR_PRINCIPAL_ANY;
    s->principals.n = 0;
}

/* Another service writing into the bucket: extra access, and applying the policy would cut its
 * delivery off. */
static void s_access_logs_grant_added(struct lk_ir_state *st)
{
    struct lk_ir_statement *s = s_copy_stmt(st, "LogKeepLogDeliveryWrite", "AccessLogsWrite");
    s->principals.n = 0;
    lk_ir_list_add(st, &s->principals, "logging.s3.amazonaws.com");
}

/* AWS's own delivery statement for a narrower path, with the same conditions: it grants nothing
 * the policy does not. */
static void s_narrower_delivery_added(struct lk_ir_state *st)
{
    struct lk_ir_statement *s = s_copy_stmt(st, "LogKeepLogDeliveryWrite", "AWSLogDeliveryWrite");
    s->resources.items[0] =
        lk_ir_strdup(st, "arn:aws:s3:::" BUCKET "/vpcflow/AWSLogs/111122223333/vpcflowlogs/*");
}

/* The organization path is gone from CloudTrail's write grant: member accounts' logs are not
 * delivered. */
static void s_org_path_dropped(struct lk_ir_state *st)
{
    struct lk_ir_statement *l = s_stmt(st, "LogKeepCloudTrailWriteOrgTrail");
    ck_assert_uint_eq(l->resources.n, 2);
    l->resources.n = 1;
}

/* CloudTrail checks the bucket ACL before it delivers: without the grant, no logs. */
static void s_acl_check_dropped(struct lk_ir_state *st)
{
    s_drop_stmt(st, "LogKeepCloudTrailAclCheckOrgTrail");
}

static void s_delivery_widened(struct lk_ir_state *st)
{
    s_stmt(st, "LogKeepLogDeliveryWrite")->resources.items[0] =
        lk_ir_strdup(st, "arn:aws:s3:::" BUCKET "/*");
}

static void s_policy_absent(struct lk_ir_state *st)
{
    s_bucket(st)->policy.present = false;
}

/* Every desired statement is missing, and nothing else. */
static void s_also_every_statement_missing(void)
{
    struct lk_diff_summary s;
    lk_diff_summarize(&g_diff, &s);
    ck_assert_uint_eq(s.to_add, s_bucket(g_desired)->policy.n_statements);
    ck_assert_uint_eq(g_diff.n, s.to_add);
}

/* ------------------------------------------------------------------------------ set-ups: bucket */

static void s_versioning_suspended(struct lk_ir_state *st)
{
    s_bucket(st)->versioning = LK_IR_VERSIONING_SUSPENDED;
}

static void s_versioning_never(struct lk_ir_state *st)
{
    s_bucket(st)->versioning = LK_IR_VERSIONING_NEVER;
}

static void s_versioning_enabled(struct lk_ir_state *st)
{
    s_bucket(st)->versioning = LK_IR_VERSIONING_ENABLED;
}

static void s_object_lock_off(struct lk_ir_state *st)
{
    memset(&s_bucket(st)->object_lock, 0, sizeof(s_bucket(st)->object_lock));
}

static void s_object_lock_30_days(struct lk_ir_state *st)
{
    s_bucket(st)->object_lock.days = 30;
}

static void s_object_lock_1_year(struct lk_ir_state *st)
{
    s_bucket(st)->object_lock.days = 0;
    s_bucket(st)->object_lock.years = 1;
}

static void s_object_lock_compliance(struct lk_ir_state *st)
{
    s_bucket(st)->object_lock.mode = LK_IR_LOCK_COMPLIANCE;
}

static void s_object_lock_no_default(struct lk_ir_state *st)
{
    s_bucket(st)->object_lock.mode = LK_IR_LOCK_NONE;
    s_bucket(st)->object_lock.days = 0;
}

static void s_public_buckets_unrestricted(struct lk_ir_state *st)
{
    s_bucket(st)->public_access_block.restrict_public_buckets = false;
}

static void s_public_access_block_absent(struct lk_ir_state *st)
{
    s_public_buckets_unrestricted(st);
    s_bucket(st)->public_access_block.present = false;
}

static void s_encryption_sse_s3(struct lk_ir_state *st)
{
    struct lk_ir_bucket *b = s_bucket(st);
    b->encryption.algorithm = lk_ir_strdup(st, "AES256");
    b->encryption.kms_key_id = NULL;
    b->encryption.bucket_key_enabled = false;
}

static void s_encryption_other_key(struct lk_ir_state *st)
{
    s_bucket(st)->encryption.kms_key_id = lk_ir_strdup(
        st, "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321");
}

/* The key ARN and the bare key ID are the same key. */
static void s_encryption_alias_name(struct lk_ir_state *st)
{
    s_bucket(st)->encryption.kms_key_id =
        lk_ir_strdup(st, "1234abcd-12ab-34cd-56ef-1234567890ab");
}

/* No configuration is SSE-S3, S3's default for every bucket. */
static void s_encryption_unconfigured(struct lk_ir_state *st)
{
    memset(&s_bucket(st)->encryption, 0, sizeof(s_bucket(st)->encryption));
}

static void s_bucket_not_existing(struct lk_ir_state *st)
{
    s_bucket(st)->exists = false;
}

static void s_no_buckets(struct lk_ir_state *st)
{
    st->n_buckets = 0;
}

/* ------------------------------------------------------------------------------ set-ups: lifecycle
 */

static void s_org_trail_expires_365(struct lk_ir_state *st)
{
    s_rule(st, "logkeep-org-trail")->expiration_days = 365;
}

static void s_org_trail_expires_3650(struct lk_ir_state *st)
{
    s_rule(st, "logkeep-org-trail")->expiration_days = 3650;
}

static void s_vpc_flow_noncurrent_kept(struct lk_ir_state *st)
{
    s_rule(st, "logkeep-vpc-flow")->noncurrent_expiration_days = 0;
}

static void s_vpc_flow_rule_dropped(struct lk_ir_state *st)
{
    struct lk_ir_lifecycle *lc = &s_bucket(st)->lifecycle;
    struct lk_ir_lifecycle_rule *r = s_rule(st, "logkeep-vpc-flow");
    size_t i = (size_t)(r - lc->rules);
    memmove(r, r + 1, (lc->n_rules - i - 1) * sizeof(*r));
    lc->n_rules--;
}

static void s_cleanup_rule_added(struct lk_ir_state *st)
{
    struct lk_ir_lifecycle *lc = &s_bucket(st)->lifecycle;
    struct lk_ir_lifecycle_rule *rules =
        lk_arena_alloc(&st->arena, (lc->n_rules + 1) * sizeof(*rules));
    memcpy(rules, lc->rules, lc->n_rules * sizeof(*rules));
    struct lk_ir_lifecycle_rule *x = &rules[lc->n_rules];
    x->id = lk_ir_strdup(st, "cleanup-everything");
    x->prefix = lk_ir_strdup(st, "");
    x->enabled = true;
    x->expiration_days = 30;
    lc->rules = rules;
    lc->n_rules++;
}

static void s_org_trail_disabled(struct lk_ir_state *st)
{
    s_rule(st, "logkeep-org-trail")->enabled = false;
}

static void s_org_trail_colder_earlier(struct lk_ir_state *st)
{
    s_rule(st, "logkeep-org-trail")->transitions[0].days = 30;
}

static void s_org_trail_warmer(struct lk_ir_state *st)
{
    s_rule(st, "logkeep-org-trail")->transitions[0].days = 120;
    s_rule(st, "logkeep-org-trail")->transitions[1].storage_class = LK_IR_SC_GLACIER;
}

static void s_vpc_flow_whole_bucket(struct lk_ir_state *st)
{
    s_rule(st, "logkeep-vpc-flow")->prefix = lk_ir_strdup(st, "");
}

/* The quickstart transitions small objects (varies_by_storage_class). */
static void s_min_size_varies(struct lk_ir_state *st)
{
    ck_assert_int_eq(s_bucket(st)->lifecycle.transition_min_size, LK_IR_TMS_VARIES_BY_CLASS);
}

static void s_min_size_128k(struct lk_ir_state *st)
{
    s_bucket(st)->lifecycle.transition_min_size = LK_IR_TMS_ALL_128K;
}

/* A live configuration that reports no header is on S3's default, all_storage_classes_128K. */
static void s_min_size_unreported(struct lk_ir_state *st)
{
    s_bucket(st)->lifecycle.transition_min_size = LK_IR_TMS_UNSPECIFIED;
}

static void s_lifecycle_absent(struct lk_ir_state *st)
{
    s_bucket(st)->lifecycle.present = false;
}

/* The live rule logkeep-vpc-flow filters on tags or object size. */
static void s_um_filter_of_rule(struct lk_ir_state *st)
{
    struct lk_ir_bucket *b = s_bucket(st);
    b->unmodelled |= LK_IR_UNMODELLED_FILTER;
    lk_ir_list_add(st, &b->unmodelled_filter_rule_ids, "logkeep-vpc-flow");
}

/* Without the rule IDs, the bucket's lifecycle as a whole. */
static void s_um_filter(struct lk_ir_state *st)
{
    s_bucket(st)->unmodelled |= LK_IR_UNMODELLED_FILTER;
}

/* ------------------------------------------------------------------------------ set-ups: log
 * groups
 */

static void s_trail_group_30(struct lk_ir_state *st)
{
    s_group(st, TRAIL_GROUP)->retention_days = 30;
}

/* Applying the desired 90 days deletes what the live 365 days still holds. */
static void s_trail_group_365(struct lk_ir_state *st)
{
    s_group(st, TRAIL_GROUP)->retention_days = 365;
}

static void s_trail_group_forever(struct lk_ir_state *st)
{
    s_group(st, TRAIL_GROUP)->retention_days = 0;
}

static void s_trail_group_gone(struct lk_ir_state *st)
{
    s_group(st, TRAIL_GROUP)->exists = false;
}

static void s_payments_worker_30(struct lk_ir_state *st)
{
    s_group(st, "/app/payments/worker")->retention_days = 30;
}

/* A group of the same name in another region is not governed by the pattern. */
static void s_payments_worker_elsewhere(struct lk_ir_state *st)
{
    struct lk_ir_log_group *g = s_group(st, "/app/payments/worker");
    g->region = lk_ir_strdup(st, "eu-west-1");
    g->retention_days = 1;
}

static void s_payments_groups_gone(struct lk_ir_state *st)
{
    s_group(st, "/app/payments/api")->exists = false;
    s_group(st, "/app/payments/worker")->name = lk_ir_strdup(st, "/app/orders/worker");
}

/* Groups DescribeLogGroups lists: the trail's group and the pattern's are managed;
 * /aws/lambda/y has the unmanaged rule's 365 days. */
static void s_groups_listed(struct lk_ir_state *st)
{
    static const char *const names[6] = {"/aws/lambda/x",       "/aws/lambda/y",
                                         "/aws/codebuild/z",    TRAIL_GROUP,
                                         "/app/payments/batch", "/aws/lambda/short"};
    static const int32_t days[6] = {0, 365, 731, 0, 0, 7};
    s_set_groups(st, names, days, 6);
}

static void s_no_unmanaged_rule(struct lk_ir_state *st)
{
    st->unmanaged_set = false;
    memset(&st->unmanaged_origin, 0, sizeof(st->unmanaged_origin)); /* no section either */
}

/* ------------------------------------------------------------------------------ set-ups: stores */

static void s_store_without_lifecycle(struct lk_ir_state *st)
{
    s_add_store(st, "legacy-logs", NULL);
}

/* Transitions only (no Expiration): the trail's logs stay forever. */
static void s_store_rule_without_expiration(struct lk_ir_state *st)
{
    s_store_rule(st, s_add_store(st, "legacy-logs", NULL), "", true, 0);
}

static void s_store_rule_disabled(struct lk_ir_state *st)
{
    s_store_rule(st, s_add_store(st, "legacy-logs", NULL), "", false, 30);
}

static void s_store_rule_other_prefix(struct lk_ir_state *st)
{
    s_store_rule(st, s_add_store(st, "legacy-logs", NULL), "other/", true, 30);
}

/* The trail writes under "old/AWSLogs/": "old" without the slash is not its prefix. */
static void s_store_rule_near_prefix(struct lk_ir_state *st)
{
    s_store_rule(st, s_add_store(st, "legacy-logs", "old"), "older/", true, 30);
}

/* A trail under key prefix arg[0], a rule of 365 days under arg[1]. */
static void s_store_rule_expires(struct lk_ir_state *st)
{
    s_store_rule(st, s_add_store(st, "legacy-logs", g_case->arg[0]), g_case->arg[1], true, 365);
}

/* Two trails, one under a prefix the rule expires: only the other one is named. */
static void s_store_two_trails(struct lk_ir_state *st)
{
    struct lk_ir_unmanaged_store *u = s_add_store(st, "shared-logs", "kept");
    u->deliveries[1] = u->deliveries[0];
    u->deliveries[1].name = lk_ir_strdup(st, "expiring-trail");
    u->deliveries[1].key_prefix = lk_ir_strdup(st, "short");
    u->n_deliveries = 2;
    s_store_rule(st, u, "short/", true, 90);
}

/* A bucket that refuses the reads (another account's), one that does not exist, and one whose
 * lifecycle holds rules the IR cannot hold. */
static void s_stores_unreadable(struct lk_ir_state *st)
{
    s_add_store(st, "denied-logs", NULL)->error = lk_ir_strdup(st, "AccessDenied");
    struct lk_ir_unmanaged_store *u = s_add_store(st, "gone-logs", NULL);
    u->exists = false;
    u->region = NULL;
    u = s_add_store(st, "tagged-logs", NULL);
    s_store_rule(st, u, "", true, 0);
    u->lifecycle_unmodelled = true;
}

/* A rule the IR holds that expires the logs settles it, unmodelled rules or not. */
static void s_store_unmodelled_but_expiring(struct lk_ir_state *st)
{
    struct lk_ir_unmanaged_store *u = s_add_store(st, "tagged-logs", NULL);
    u->lifecycle_unmodelled = true;
    s_store_rule(st, u, "", true, 30);
}

/* A bucket the policy names is diffed as a bucket, never as an unmanaged store. */
static void s_store_governed(struct lk_ir_state *st)
{
    s_add_store(st, BUCKET, NULL);
}

/* ------------------------------------------------------------------------------ set-ups: trails */

static void s_trail_not_logging(struct lk_ir_state *st)
{
    s_trail(st)->is_logging = false;
}

static void s_trail_validation_off(struct lk_ir_state *st)
{
    s_trail(st)->enable_log_file_validation = false;
}

static void s_trail_single_region(struct lk_ir_state *st)
{
    s_trail(st)->is_multi_region_trail = false;
}

static void s_trail_management_events_off(struct lk_ir_state *st)
{
    s_trail(st)->event_selectors[0].include_management_events = false;
}

/* ReadOnly plus WriteOnly records what All records. */
static void s_trail_selectors_split(struct lk_ir_state *st)
{
    struct lk_ir_trail *t = s_trail(st);
    struct lk_ir_event_selector *e = lk_arena_alloc(&st->arena, 2 * sizeof(*e));
    e[0] = t->event_selectors[0];
    e[1] = t->event_selectors[0];
    e[0].read_write_type = lk_ir_strdup(st, "ReadOnly");
    e[1].read_write_type = lk_ir_strdup(st, "WriteOnly");
    t->event_selectors = e;
    t->n_event_selectors = 2;
}

/* Only reads: management write events are lost. */
static void s_trail_reads_only(struct lk_ir_state *st)
{
    s_trail_selectors_split(st);
    s_trail(st)->n_event_selectors = 1;
}

/* Live also records S3 data events; the policy's selectors would drop them. */
static void s_trail_s3_data_events(struct lk_ir_state *st)
{
    struct lk_ir_event_selector *e = &s_trail(st)->event_selectors[0];
    e->data_resources = lk_arena_alloc(&st->arena, sizeof(*e->data_resources));
    e->n_data_resources = 1;
    e->data_resources[0].type = lk_ir_strdup(st, "AWS::S3::Object");
    lk_ir_list_add(st, &e->data_resources[0].values, "arn:aws:s3");
}

static void s_trail_not_existing(struct lk_ir_state *st)
{
    s_trail(st)->exists = false;
}

/* CloudWatchLogsLogGroupArn without the ":*" suffix, S3KeyPrefix with a trailing '/'. */
static void s_trail_respelled(struct lk_ir_state *st)
{
    struct lk_ir_trail *t = s_trail(st);
    size_t n = strlen(t->cloud_watch_logs_log_group_arn);
    t->cloud_watch_logs_log_group_arn[n - 2] = '\0';
    t->s3_key_prefix = lk_ir_strdup(st, "cloudtrail/");
}

static void s_trail_no_selectors(struct lk_ir_state *st)
{
    s_trail(st)->n_event_selectors = 0;
}

/* Advanced event selectors replace the basic ones. */
static void s_trail_advanced_selectors(struct lk_ir_state *st)
{
    s_trail_no_selectors(st);
    s_trail(st)->unmodelled |= LK_IR_UNMODELLED_ADVANCED_SELECTORS;
}

/* ------------------------------------------------------------------------------ the table */

#define B LK_DIFF_BUCKET
#define G LK_DIFF_LOG_GROUP
#define T LK_DIFF_TRAIL
#define UG LK_DIFF_UNMANAGED_LOG_GROUP
#define US LK_DIFF_UNMANAGED_STORE
#define ADD LK_DIFF_MISSING
#define CHANGE LK_DIFF_CHANGED
#define REMOVE LK_DIFF_EXTRA
#define NOTE LK_DIFF_NOTE
#define WEAKER LK_DIFF_WEAKER
#define STRONGER LK_DIFF_STRONGER
#define NEUTRAL LK_DIFF_NEUTRAL

/* The quickstart's bucket, rendered whole. */
#define BUCKET_SUMMARY                                                                             \
    "versioning Enabled; Object Lock GOVERNANCE, 90 days; encryption aws:kms; 3 lifecycle "        \
    "rules; 9 policy statements"
#define VPC_FLOW_RULE                                                                              \
    "prefix \"vpcflow/\", expire after 366 days, noncurrent versions expire after 366 days"

/* A trail under key prefix @p key_prefix, and a rule that expires its logs. */
#define STORE_RULE_EXPIRES(what, key_prefix, rule_prefix)                                          \
    {                                                                                              \
        .name = "store rule expires: " what, .live = s_store_rule_expires, .call = S_STORES,       \
        .arg = {                                                                                   \
            key_prefix,                                                                            \
            rule_prefix                                                                            \
        }                                                                                          \
    }

#define STORE_NOTE(why)                                                                            \
    "no store names it; it receives the logs of trail legacy-trail (us-east-1), and " why          \
    ": kept forever"

static const struct s_case s_cases[] = {
    /* ---------------------------------------------------------------- no drift */
    {.name = "identical"},
    {.name = "order does not matter", .live = s_reverse_everything},
    {.name = "policy spellings", .live = s_policy_respelled},
    {.name = "policy forms in the IR",
     .desired = s_reader_as_root_arn,
     .live = s_policy_other_forms},
    {.name = "policy Sid only", .live = s_delivery_sid_renamed},
    {.name = "policy Sid foreign",
     .live = s_delivery_sid_foreign,
     .want = {{B, BUCKET, "policy.statement[LogKeepLogDeliveryWrite]", ADD, NEUTRAL, NULL,
               .note = "live statement AWSLogDeliveryWrite already covers it"},
              {B, BUCKET, "policy.statement[AWSLogDeliveryWrite]", NOTE, NEUTRAL, NULL,
               .note = "foreign statement, kept: Allow Service:delivery.logs.amazonaws.com "
                       "s3:PutObject on arn:aws:s3:::" BUCKET "/vpcflow/AWSLogs/111122223333/*"
                       " if ArnLike aws:SourceArn=arn:aws:logs:us-east-1:111122223333:*; "
                       "StringEquals aws:SourceAccount=111122223333; "
                       "StringEquals s3:x-amz-acl=bucket-owner-full-control"}}},

    /* ---------------------------------------------------------------- bucket policy */
    {.name = "reader added",
     .live = s_reader_added,
     .want = {{B, BUCKET, "policy.statement[LogKeepReadLogs].principals", CHANGE, WEAKER, NULL,
               .desired = "AWS:arn:aws:iam::111122223333:role/SecurityAnalyst",
               .live = "AWS:[arn:aws:iam::111122223333:role/SecurityAnalyst, "
                       "arn:aws:iam::444455556666:role/Contractor]",
               .line = 22}}},
    {.name = "reader removed",
     .live = s_reader_dropped,
     .want = {{B, BUCKET, "policy.statement[LogKeepReadLogs]", ADD, STRONGER, NULL, .live = ABSENT}}},
    {.name = "read actions widened",
     .live = s_read_actions_widened,
     .want = {{B, BUCKET, "policy.statement[LogKeepReadLogs].actions", CHANGE, WEAKER, NULL,
               .desired = "[s3:GetObject, s3:GetObjectVersion, s3:ListBucket]", .live = "s3:*"}}},
    {.name = "deny insecure transport removed",
     .live = s_deny_insecure_dropped,
     .want = {{B, BUCKET, "policy.statement[LogKeepDenyInsecureTransport]", ADD, WEAKER, NULL,
               .line = 17}}},
    {.name = "admin exemption added",
     .live = s_admin_exemption_added,
     .want = {{B, BUCKET, "policy.statement[LogKeepDenyChangesExceptAdmins].conditions", CHANGE, WEAKER,
               NULL,
               .desired = "ArnNotLike aws:PrincipalArn=arn:aws:iam::111122223333:role/LogAdmin",
               .live = "ArnNotLike aws:PrincipalArn=[arn:aws:iam::111122223333:role/LogAdmin, "
                       "arn:aws:iam::111122223333:role/Intruder]",
               .line = 23}}},
    {.name = "deny turned allow",
     .live = s_deny_turned_allow,
     .want = {{B, BUCKET, "policy.statement[LogKeepDenyInsecureTransport]", CHANGE, WEAKER, NULL}}},
    {.name = "extra allow",
     .live = s_public_read_added,
     .want = {{B, BUCKET, "policy.statement[PublicRead]", NOTE, WEAKER, NULL, .desired = ABSENT,
               .note = "foreign statement, kept; weakens the store: it allows everyone (\"*\") "
                       "without a condition that pins the caller: Allow * [s3:GetObject, "
                       "s3:GetObjectVersion, s3:ListBucket] on [arn:aws:s3:::" BUCKET ", "
                       "arn:aws:s3:::" BUCKET "/*]",
               .line = 17}}},
    {.name = "foreign read grant",
     .live = s_foreign_read_grant,
     .want = {{B, BUCKET, "policy.statement[TeamRead]", NOTE, WEAKER, NULL}}},
    {.name = "foreign grant to a reader",
     .live = s_foreign_reader_again,
     .want = {{B, BUCKET, "policy.statement[TeamRead]", NOTE, NEUTRAL, NULL}}},
    {.name = "foreign grant to the account",
     .desired = s_reader_by_arn,
     .live = s_reader_by_arn_and_account_grant,
     .want = {{B, BUCKET, "policy.statement[TeamRead]", NOTE, WEAKER, NULL}}},
    {.name = "foreign deny of writes",
     .live = s_foreign_deny_writes,
     .want = {{B, BUCKET, "policy.statement[OrgDenyWrites]", NOTE, WEAKER, NULL}}},
    {.name = "foreign conditional deny",
     .live = s_foreign_deny_conditional,
     .want = {{B, BUCKET, "policy.statement[OrgDenyWrites]", NOTE, NEUTRAL, NULL}}},
    {.name = "extra delivery grant",
     .live = s_access_logs_grant_added,
     .want = {{B, BUCKET, "policy.statement[AccessLogsWrite]", NOTE, WEAKER, NULL,
               .note = "foreign statement, kept; weakens the store: it allows writes to "
                       "logging.s3.amazonaws.com, neither a declared reader nor admin nor a "
                       "service delivering into the store: Allow Service:logging.s3.amazonaws.com "
                       "s3:PutObject on arn:aws:s3:::" BUCKET "/vpcflow/AWSLogs/111122223333/*"
                       " if ArnLike aws:SourceArn=arn:aws:logs:us-east-1:111122223333:*; "
                       "StringEquals aws:SourceAccount=111122223333; "
                       "StringEquals s3:x-amz-acl=bucket-owner-full-control"}}},
    {.name = "extra statement covered",
     .live = s_narrower_delivery_added,
     .want = {{B, BUCKET, "policy.statement[AWSLogDeliveryWrite]", NOTE, NEUTRAL, NULL,
               .note = "foreign statement, kept: Allow Service:delivery.logs.amazonaws.com "
                       "s3:PutObject on arn:aws:s3:::" BUCKET
                       "/vpcflow/AWSLogs/111122223333/vpcflowlogs/*"
                       " if ArnLike aws:SourceArn=arn:aws:logs:us-east-1:111122223333:*; "
                       "StringEquals aws:SourceAccount=111122223333; "
                       "StringEquals s3:x-amz-acl=bucket-owner-full-control"}}},
    {.name = "delivery narrowed",
     .live = s_org_path_dropped,
     .want = {{B, BUCKET, "policy.statement[LogKeepCloudTrailWriteOrgTrail].resources", CHANGE, WEAKER,
               NULL, .live = "arn:aws:s3:::" BUCKET "/cloudtrail/AWSLogs/111122223333/*",
               .line = 37}}},
    {.name = "delivery ACL check removed",
     .live = s_acl_check_dropped,
     .want = {{B, BUCKET, "policy.statement[LogKeepCloudTrailAclCheckOrgTrail]", ADD, WEAKER, NULL}}},
    {.name = "delivery widened needs --allow",
     .live = s_delivery_widened,
     .want = {{B, BUCKET, "policy.statement[LogKeepLogDeliveryWrite].resources", CHANGE, WEAKER,
               "stop-delivery:" BUCKET "/LogKeepLogDeliveryWrite",
               .desired = "arn:aws:s3:::" BUCKET "/vpcflow/AWSLogs/111122223333/*",
               .live = "arn:aws:s3:::" BUCKET "/*", .line = 50}}},
    {.name = "policy absent",
     .live = s_policy_absent,
     .more = true,
     .want = {{B, BUCKET, "policy.statement[LogKeepDenyInsecureTransport]", ADD, WEAKER, NULL},
              {B, BUCKET, "policy.statement[LogKeepCloudTrailWriteOrgTrail]", ADD, WEAKER, NULL},
              {B, BUCKET, "policy.statement[LogKeepReadLogs]", ADD, STRONGER, NULL}},
     .also = s_also_every_statement_missing},

    /* ---------------------------------------------------------------- bucket settings */
    {.name = "versioning suspended",
     .live = s_versioning_suspended,
     .want = {{B, BUCKET, "versioning", CHANGE, WEAKER, NULL, .desired = "Enabled",
               .live = "Suspended", .line = 19}}},
    {.name = "versioning never enabled",
     .live = s_versioning_never,
     .want = {{B, BUCKET, "versioning", CHANGE, WEAKER, NULL, .desired = "Enabled",
               .live = "never enabled"}}},
    /* "Not enabled" is never enabled or suspended alike. */
    {.name = "versioning not desired, suspended",
     .desired = s_versioning_never,
     .live = s_versioning_suspended},
    {.name = "versioning not desired, enabled",
     .desired = s_versioning_never,
     .live = s_versioning_enabled,
     .want = {{B, BUCKET, "versioning", CHANGE, STRONGER, "suspend-versioning:" BUCKET,
               .desired = "never enabled", .live = "Enabled"}}},
    {.name = "object lock absent",
     .live = s_object_lock_off,
     .want = {{B, BUCKET, "object_lock", ADD, WEAKER, "lock:" BUCKET,
               .desired = "GOVERNANCE, 90 days", .live = ABSENT}}},
    {.name = "object lock shorter",
     .live = s_object_lock_30_days,
     .want = {{B, BUCKET, "object_lock.days", CHANGE, WEAKER, "lock:" BUCKET, .desired = "90 days",
               .live = "30 days", .line = 20}}},
    {.name = "object lock longer",
     .live = s_object_lock_1_year,
     .want = {{B, BUCKET, "object_lock.period", CHANGE, STRONGER, "weaken-object-lock:" BUCKET,
               .desired = "90 days", .live = "1 year"}}},
    {.name = "object lock compliance",
     .live = s_object_lock_compliance,
     .want = {{B, BUCKET, "object_lock.mode", CHANGE, STRONGER, "weaken-object-lock:" BUCKET,
               .desired = "GOVERNANCE, 90 days", .live = "COMPLIANCE, 90 days"}}},
    {.name = "object lock without default retention",
     .live = s_object_lock_no_default,
     .want = {{B, BUCKET, "object_lock.mode", CHANGE, WEAKER, "lock:" BUCKET,
               .desired = "GOVERNANCE, 90 days", .live = "enabled, no default retention"}}},
    {.name = "object lock not desired",
     .desired = s_object_lock_off,
     .want = {{B, BUCKET, "object_lock", REMOVE, STRONGER, "remove-object-lock:" BUCKET,
               .desired = ABSENT, .live = "GOVERNANCE, 90 days"}}},
    {.name = "public access block setting",
     .live = s_public_buckets_unrestricted,
     .want = {{B, BUCKET, "public_access_block.restrict_public_buckets", CHANGE, WEAKER, NULL,
               .desired = "true", .live = "false", .line = 17}}},
    {.name = "public access block absent",
     .live = s_public_access_block_absent,
     .want = {{B, BUCKET, "public_access_block", ADD, WEAKER, NULL,
               .desired = "block_public_acls=true, ignore_public_acls=true, "
                          "block_public_policy=true, restrict_public_buckets=true"}}},
    {.name = "encryption weaker",
     .live = s_encryption_sse_s3,
     .want = {{B, BUCKET, "encryption.algorithm", CHANGE, WEAKER, NULL, .desired = "aws:kms",
               .live = "AES256", .line = 18}}},
    {.name = "encryption other key",
     .live = s_encryption_other_key,
     .want = {{B, BUCKET, "encryption.kms_key_id", CHANGE, WEAKER, NULL,
               .desired = "arn:aws:kms:us-east-1:111122223333:key/"
                          "1234abcd-12ab-34cd-56ef-1234567890ab",
               .live = "arn:aws:kms:us-east-1:111122223333:key/"
                       "0987dcba-09fe-87dc-65ba-ab0987654321"}}},
    {.name = "encryption key forms", .live = s_encryption_alias_name},
    {.name = "encryption default",
     .desired = s_encryption_sse_s3,
     .live = s_encryption_unconfigured},
    {.name = "bucket does not exist",
     .live = s_bucket_not_existing,
     .want = {{B, BUCKET, "", ADD, WEAKER, NULL, .desired = BUCKET_SUMMARY, .live = ABSENT,
               .region = "us-east-1", .line = 17}}},
    {.name = "bucket not listed",
     .live = s_no_buckets,
     .want = {{B, BUCKET, "", ADD, WEAKER, NULL, .desired = BUCKET_SUMMARY, .live = ABSENT,
               .region = "us-east-1"}}},

    /* ---------------------------------------------------------------- lifecycle */
    {.name = "lifecycle expires earlier live",
     .live = s_org_trail_expires_365,
     .want = {{B, BUCKET, "lifecycle.rule[logkeep-org-trail].expiration_days", CHANGE, WEAKER, NULL,
               .desired = "2557 days", .live = "365 days", .line = 40}}},
    {.name = "lifecycle expires later live",
     .live = s_org_trail_expires_3650,
     .want = {{B, BUCKET, "lifecycle.rule[logkeep-org-trail].expiration_days", CHANGE, STRONGER,
               "expire-earlier:" BUCKET "/logkeep-org-trail", .desired = "2557 days",
               .live = "3650 days"}}},
    {.name = "lifecycle never expires live",
     .live = s_vpc_flow_noncurrent_kept,
     .want = {{B, BUCKET, "lifecycle.rule[logkeep-vpc-flow].noncurrent_expiration_days", CHANGE,
               STRONGER, "expire-earlier:" BUCKET "/logkeep-vpc-flow", .desired = "366 days",
               .live = "none", .line = 53}}},
    {.name = "lifecycle rule missing",
     .live = s_vpc_flow_rule_dropped,
     .want = {{B, BUCKET, "lifecycle.rule[logkeep-vpc-flow]", ADD, STRONGER,
               "expire-earlier:" BUCKET "/logkeep-vpc-flow", .desired = VPC_FLOW_RULE,
               .live = ABSENT}}},
    {.name = "lifecycle extra rule",
     .live = s_cleanup_rule_added,
     .want = {{B, BUCKET, "lifecycle.rule[cleanup-everything]", REMOVE, WEAKER, NULL,
               .desired = ABSENT, .live = "prefix \"\", expire after 30 days", .line = 17}}},
    {.name = "lifecycle rule disabled live",
     .live = s_org_trail_disabled,
     .want = {{B, BUCKET, "lifecycle.rule[logkeep-org-trail].status", CHANGE, STRONGER,
               "expire-earlier:" BUCKET "/logkeep-org-trail", .desired = "Enabled",
               .live = "Disabled"}}},
    {.name = "lifecycle transition colder earlier",
     .live = s_org_trail_colder_earlier,
     .want = {{B, BUCKET, "lifecycle.rule[logkeep-org-trail].transitions", CHANGE, WEAKER, NULL,
               .desired = "120d GLACIER_IR, 365d DEEP_ARCHIVE",
               .live = "30d GLACIER_IR, 365d DEEP_ARCHIVE"}}},
    {.name = "lifecycle transition warmer",
     .live = s_org_trail_warmer,
     .want = {{B, BUCKET, "lifecycle.rule[logkeep-org-trail].transitions", CHANGE, STRONGER, NULL,
               .desired = "120d GLACIER_IR, 365d DEEP_ARCHIVE",
               .live = "120d GLACIER_IR, 365d GLACIER"}}},
    {.name = "lifecycle prefix wider",
     .live = s_vpc_flow_whole_bucket,
     .want = {{B, BUCKET, "lifecycle.rule[logkeep-vpc-flow].prefix", CHANGE, WEAKER, NULL,
               .desired = "\"vpcflow/\"", .live = "\"\""}}},
    {.name = "lifecycle minimum size unreported",
     .desired = s_min_size_varies,
     .live = s_min_size_unreported,
     .want = {{B, BUCKET, "lifecycle.transition_min_size", CHANGE, STRONGER, NULL,
               .desired = "varies_by_storage_class", .live = "all_storage_classes_128K",
               .note = "not reported: S3's default since September 2024", .line = 21}}},
    {.name = "lifecycle minimum size default",
     .desired = s_min_size_128k,
     .live = s_min_size_unreported},
    {.name = "lifecycle absent",
     .live = s_lifecycle_absent,
     .want = {{B, BUCKET, "lifecycle.rule[logkeep-org-trail]", ADD, STRONGER,
               "expire-earlier:" BUCKET "/logkeep-org-trail"},
              {B, BUCKET, "lifecycle.rule[logkeep-vpc-flow]", ADD, STRONGER,
               "expire-earlier:" BUCKET "/logkeep-vpc-flow", .desired = VPC_FLOW_RULE},
              {B, BUCKET, "lifecycle.rule[logkeep-housekeeping]", ADD, NEUTRAL, NULL,
               .desired = "prefix \"\", abort incomplete uploads after 7 days, remove expired "
                          "delete markers",
               .line = 17}}},
    {.name = "lifecycle rule filter not modelled",
     .live = s_um_filter_of_rule,
     .want = {{B, BUCKET, "lifecycle.rule[logkeep-vpc-flow].filter", CHANGE, NEUTRAL,
               "expire-earlier:" BUCKET "/logkeep-vpc-flow", .desired = "prefix \"vpcflow/\"",
               .live = "tag or object-size filter, prefix \"vpcflow/\"",
               .note = "the live filter is not modelled"}}},
    {.name = "lifecycle filters not modelled",
     .live = s_um_filter,
     .want = {{B, BUCKET, "lifecycle.filter", CHANGE, NEUTRAL, "replace-lifecycle:" BUCKET,
               .desired = "prefix filters only", .live = "tag or object-size filters",
               .note = "some live rule filters on tags or object size (not modelled)"}}},

    /* ---------------------------------------------------------------- log groups */
    {.name = "log group shorter live",
     .live = s_trail_group_30,
     .want = {{G, TRAIL_GROUP, "retention_days", CHANGE, WEAKER, NULL, .desired = "120 days",
               .live = "30 days", .region = "us-east-1", .line = 48}}},
    {.name = "log group longer live",
     .live = s_trail_group_365,
     .want = {{G, TRAIL_GROUP, "retention_days", CHANGE, STRONGER, "shorten-retention:" TRAIL_GROUP,
               .desired = "120 days", .live = "365 days"}}},
    {.name = "log group never expires live",
     .live = s_trail_group_forever,
     .want = {{G, TRAIL_GROUP, "retention_days", CHANGE, STRONGER, "shorten-retention:" TRAIL_GROUP,
               .live = "never expire"}}},
    {.name = "log group missing",
     .live = s_trail_group_gone,
     .want = {{G, TRAIL_GROUP, "", ADD, WEAKER, NULL, .desired = "retention 120 days"}}},
    {.name = "pattern match",
     .live = s_payments_worker_30,
     .want = {{G, "/app/payments/worker", "retention_days", CHANGE, WEAKER, NULL,
               .desired = "400 days", .live = "30 days", .note = "governed by pattern " PATTERN,
               .line = 59}}},
    {.name = "pattern in another region", .live = s_payments_worker_elsewhere},
    {.name = "pattern matches nothing",
     .live = s_payments_groups_gone,
     .want = {{G, PATTERN, "", NOTE, NEUTRAL, NULL, .desired = ABSENT, .live = ABSENT,
               .note = "pattern matches no live log group", .line = 59}}},
    /* One allowance covers every group only the unmanaged rule governs. */
    {.name = "unmanaged groups",
     .live = s_groups_listed,
     .call = S_UNMANAGED_GROUPS,
     .want = {{UG, "/aws/lambda/x", "retention_days", CHANGE, STRONGER, "unmanaged-retention",
               .desired = "365 days", .live = "never expire",
               .note = "no source names it: the unmanaged rule applies", .line = 63},
              {UG, "/aws/codebuild/z", "retention_days", CHANGE, STRONGER,
               LK_DIFF_ALLOW_UNMANAGED_RETENTION, .desired = "365 days", .live = "731 days"},
              {UG, "/aws/lambda/short", "retention_days", CHANGE, WEAKER, NULL,
               .desired = "365 days", .live = "7 days"}}},
    /* Without an unmanaged rule, never-expire groups are notes. */
    {.name = "unmanaged groups without the rule",
     .desired = s_no_unmanaged_rule,
     .live = s_groups_listed,
     .call = S_UNMANAGED_GROUPS,
     .want = {{UG, "/aws/lambda/x", "retention_days", NOTE, NEUTRAL, NULL, .desired = ABSENT,
               .live = ABSENT, .note = "never expires, and no unmanaged rule covers it",
               .line = S_NO_ORIGIN}}},

    /* ---------------------------------------------------------------- unmanaged stores */
    {.name = "store without lifecycle",
     .live = s_store_without_lifecycle,
     .call = S_STORES,
     .want = {{US, "legacy-logs", "lifecycle", REMOVE, STRONGER, NULL, .desired = ABSENT,
               .live = "none", .region = "us-east-1",
               .note = STORE_NOTE("it has no lifecycle configuration"), .line = S_NO_ORIGIN}}},
    /* Without an unmanaged rule in the policy: a note, as a never-expire log group. */
    {.name = "store without lifecycle, no unmanaged rule",
     .desired = s_no_unmanaged_rule,
     .live = s_store_without_lifecycle,
     .call = S_STORES,
     .want = {{US, "legacy-logs", "lifecycle", NOTE, NEUTRAL, NULL,
               .note = STORE_NOTE("it has no lifecycle configuration")}}},
    {.name = "store rule without expiration",
     .live = s_store_rule_without_expiration,
     .call = S_STORES,
     .want = {{US, "legacy-logs", "lifecycle.expiration", REMOVE, STRONGER, NULL, .desired = ABSENT,
               .live = "none", .note = STORE_NOTE("no lifecycle rule expires them")}}},
    {.name = "store rule disabled",
     .live = s_store_rule_disabled,
     .call = S_STORES,
     .want = {{US, "legacy-logs", "lifecycle.expiration", REMOVE, STRONGER, NULL}}},
    {.name = "store rule of another prefix",
     .live = s_store_rule_other_prefix,
     .call = S_STORES,
     .want = {{US, "legacy-logs", "lifecycle.expiration", REMOVE, STRONGER, NULL}}},
    {.name = "store rule of a neighbouring prefix",
     .live = s_store_rule_near_prefix,
     .call = S_STORES,
     .want = {{US, "legacy-logs", "lifecycle.expiration", REMOVE, STRONGER, NULL}}},
    /* Rules that reach where the trail writes: the whole bucket, its prefix, or narrower. */
    STORE_RULE_EXPIRES("whole bucket", NULL, ""),
    STORE_RULE_EXPIRES("AWSLogs/", NULL, "AWSLogs/"),
    STORE_RULE_EXPIRES("one account", NULL, "AWSLogs/111122223333/"),
    STORE_RULE_EXPIRES("whole bucket, trail prefix", "old", ""),
    STORE_RULE_EXPIRES("the trail's prefix", "old", "old/"),
    STORE_RULE_EXPIRES("the trail's AWSLogs/", "old", "old/AWSLogs/"),
    STORE_RULE_EXPIRES("a parent prefix", "a/b", "a/"),
    STORE_RULE_EXPIRES("one account under the prefix", "a/b", "a/b/AWSLogs/1111/"),
    STORE_RULE_EXPIRES("empty trail prefix", "", "AWSLogs"),
    {.name = "store several deliveries",
     .live = s_store_two_trails,
     .call = S_STORES,
     .want = {{US, "shared-logs", "lifecycle.expiration", REMOVE, STRONGER, NULL,
               .note = "no store names it; it receives the logs of trail legacy-trail "
                       "(us-east-1), and no lifecycle rule expires them: kept forever"}}},
    /* Notes, never drift. */
    {.name = "store notes",
     .live = s_stores_unreadable,
     .call = S_STORES,
     .want = {{US, "denied-logs", "lifecycle", NOTE, NEUTRAL, NULL,
               .note = "receives the logs of trail legacy-trail (us-east-1) but cannot be read "
                       "(AccessDenied): its lifecycle is not checked"},
              {US, "gone-logs", "", NOTE, NEUTRAL, NULL, .region = ABSENT,
               .note = "does not exist: the deliveries of trail legacy-trail (us-east-1) fail"},
              {US, "tagged-logs", "lifecycle.expiration", NOTE, NEUTRAL, NULL,
               .note = "receives the logs of trail legacy-trail (us-east-1); no rule logkeep can "
                       "read expires them, and the lifecycle holds rules it cannot (dates, tag "
                       "or size filters): check them"}}},
    {.name = "store unmodelled rules, one expiring",
     .live = s_store_unmodelled_but_expiring,
     .call = S_STORES},
    {.name = "store governed", .live = s_store_governed, .call = S_STORES},

    /* ---------------------------------------------------------------- trails */
    {.name = "trail logging stopped",
     .live = s_trail_not_logging,
     .want = {{T, TRAIL, "trail.is_logging", CHANGE, WEAKER, NULL, .desired = "true",
               .live = "false", .line = 37}}},
    {.name = "trail stop logging desired",
     .desired = s_trail_not_logging,
     .want = {{T, TRAIL, "trail.is_logging", CHANGE, STRONGER, "stop-logging:" TRAIL,
               .desired = "false", .live = "true"}}},
    {.name = "trail validation off",
     .live = s_trail_validation_off,
     .want = {{T, TRAIL, "trail.enable_log_file_validation", CHANGE, WEAKER, NULL,
               .desired = "true", .live = "false", .line = 47}}},
    {.name = "trail single region",
     .live = s_trail_single_region,
     .want = {{T, TRAIL, "trail.is_multi_region_trail", CHANGE, WEAKER, NULL, .desired = "true",
               .live = "false", .line = 44}}},
    {.name = "trail management events off",
     .live = s_trail_management_events_off,
     .want = {{T, TRAIL, "trail.event_selectors", CHANGE, WEAKER, NULL,
               .desired = "All, management events on", .live = "All, management events off",
               .line = 37}}},
    {.name = "trail selectors same coverage", .live = s_trail_selectors_split},
    {.name = "trail selectors reads only",
     .live = s_trail_reads_only,
     .want = {{T, TRAIL, "trail.event_selectors", CHANGE, WEAKER, NULL,
               .desired = "All, management events on", .live = "ReadOnly, management events on"}}},
    {.name = "trail more events live",
     .live = s_trail_s3_data_events,
     .want = {{T, TRAIL, "trail.event_selectors", CHANGE, STRONGER, "reduce-logging:" TRAIL,
               .desired = "All, management events on",
               .live = "All, management events on, data AWS::S3::Object=arn:aws:s3"}}},
    {.name = "trail missing",
     .live = s_trail_not_existing,
     .want = {{T, TRAIL, "", ADD, WEAKER, NULL,
               .desired = "S3 bucket " BUCKET "; multi-Region on; log file validation on; "
                          "logging on",
               .live = ABSENT, .region = "us-east-1", .line = 37}}},
    {.name = "trail spellings", .live = s_trail_respelled},
    {.name = "trail advanced selectors",
     .live = s_trail_advanced_selectors,
     .want = {{T, TRAIL, "trail.event_selectors", CHANGE, NEUTRAL, "reduce-logging:" TRAIL,
               .desired = "All, management events on", .live = "advanced event selectors",
               .note = "advanced event selectors are not modelled"}}},
};

#define S_N_CASES ((int)(sizeof(s_cases) / sizeof(s_cases[0])))

/* ------------------------------------------------------------------------------ the loop */

/* Runs the case's entry point into g_diff. */
static void s_call(const struct s_case *tc)
{
    enum lk_status rc = LK_STATUS_INVALID_ARGUMENT;
    switch (tc->call) {
    case S_STATES:
        rc = lk_diff_states(g_desired, g_live, &g_diff);
        break;
    case S_UNMANAGED_GROUPS:
        rc = lk_diff_log_groups_unmanaged(g_desired, g_live->log_groups, g_live->n_log_groups,
                                          &g_diff);
        break;
    case S_STORES:
        rc = lk_diff_stores_unmanaged(g_desired, g_live->unmanaged_stores,
                                      g_live->n_unmanaged_stores, &g_diff);
        break;
    }
    ck_assert_msg(rc == LK_STATUS_OK, "%s: diff failed (%s)", tc->name, lk_status_name(rc));
}

/* Checks one text of a change against its expectation. */
static void s_check_text(const char *what, const char *got, const char *want, const char *text)
{
    if (!want)
        return;
    if (want == ABSENT)
        ck_assert_msg(!got, "%s: %s \"%s\", expected none:\n%s", g_case->name, what, got, text);
    else
        ck_assert_msg(got && !strcmp(got, want), "%s: %s \"%s\", expected \"%s\":\n%s",
                      g_case->name, what, got ? got : "(none)", want, text);
}

static void s_check_want(const struct s_want *w, const char *text)
{
    const struct lk_diff_change *ch = lk_diff_find(&g_diff, w->resource, w->name, w->attribute);
    ck_assert_msg(ch, "%s: expected a change of %s %s \"%s\", got:\n%s", g_case->name,
                  lk_diff_resource_name(w->resource), w->name, w->attribute, text);
    ck_assert_msg(ch->kind == w->kind, "%s: %s: kind %s, expected %s:\n%s", g_case->name,
                  w->attribute, lk_diff_kind_name(ch->kind), lk_diff_kind_name(w->kind), text);
    ck_assert_msg(ch->direction == w->direction, "%s: %s: direction %s, expected %s:\n%s",
                  g_case->name, w->attribute, lk_diff_direction_name(ch->direction),
                  lk_diff_direction_name(w->direction), text);
    if (w->allow)
        ck_assert_msg(ch->data_loss && ch->allow_name && !strcmp(ch->allow_name, w->allow),
                      "%s: %s: expected a data-loss change needing --allow %s:\n%s", g_case->name,
                      w->attribute, w->allow, text);
    else
        ck_assert_msg(!ch->data_loss && !ch->allow_name, "%s: %s: unexpected data loss:\n%s",
                      g_case->name, w->attribute, text);
    s_check_text("desired", ch->desired, w->desired, text);
    s_check_text("live", ch->live, w->live, text);
    s_check_text("note", ch->note, w->note, text);
    s_check_text("region", ch->region, w->region, text);
    if (w->line == S_NO_ORIGIN) {
        ck_assert_msg(!ch->origin.file, "%s: %s: origin %s:%u, expected none:\n%s", g_case->name,
                      w->attribute, ch->origin.file, ch->origin.line, text);
    } else if (w->line) {
        ck_assert_msg(ch->origin.file && ch->origin.line == w->line,
                      "%s: %s: origin %s:%u, expected line %u:\n%s", g_case->name, w->attribute,
                      ch->origin.file ? ch->origin.file : "(none)", ch->origin.line, w->line, text);
        static const char file[] = "/examples/quickstart/policy.yaml";
        size_t n = strlen(ch->origin.file);
        ck_assert_msg(n >= sizeof(file) - 1 &&
                          !strcmp(ch->origin.file + n - (sizeof(file) - 1), file),
                      "%s: origin in %s", g_case->name, ch->origin.file);
        ck_assert_ptr_nonnull(ch->origin.text);
        ck_assert_uint_ge(ch->origin.column, 1);
        ck_assert_uint_ge(ch->origin.length, 1);
    }
}

/* The wants are every change: the summary counts exactly them. */
static void s_check_summary(const struct s_want *want, size_t n, const char *text)
{
    struct lk_diff_summary want_sum, got;
    memset(&want_sum, 0, sizeof(want_sum));
    for (size_t i = 0; i < n; i++) {
        const struct s_want *w = &want[i];
        want_sum.to_add += w->kind == LK_DIFF_MISSING;
        want_sum.to_change += w->kind == LK_DIFF_CHANGED;
        want_sum.to_remove += w->kind == LK_DIFF_EXTRA;
        want_sum.unmanaged_stores +=
            w->kind == LK_DIFF_EXTRA && w->resource == LK_DIFF_UNMANAGED_STORE;
        want_sum.notes += w->kind == LK_DIFF_NOTE;
        if (w->kind == LK_DIFF_NOTE)
            continue;
        want_sum.weaker += w->direction == LK_DIFF_WEAKER;
        want_sum.stronger += w->direction == LK_DIFF_STRONGER;
        want_sum.need_allow += w->allow != NULL;
    }
    lk_diff_summarize(&g_diff, &got);
    ck_assert_msg(!memcmp(&got, &want_sum, sizeof(got)),
                  "%s: summary %zu to add, %zu to change, %zu to remove (%zu unmanaged stores), "
                  "%zu notes, %zu weaker, %zu stronger, %zu need --allow:\n%s",
                  g_case->name, got.to_add, got.to_change, got.to_remove, got.unmanaged_stores,
                  got.notes, got.weaker, got.stronger, got.need_allow, text);
}

START_TEST(test_case)
{
    const struct s_case *tc = &s_cases[_i];
    g_case = tc;
    if (tc->desired)
        tc->desired(g_desired);
    if (tc->live)
        tc->live(g_live);
    s_call(tc);
    char *text = s_render(&g_diff);
    size_t n_want = 0;
    while (n_want < S_MAX_WANTS && tc->want[n_want].name)
        n_want++;
    if (!tc->more)
        ck_assert_msg(g_diff.n == n_want, "%s: expected %zu changes, got %zu:\n%s", tc->name,
                      n_want, g_diff.n, text);
    for (size_t i = 0; i < n_want; i++)
        s_check_want(&tc->want[i], text);
    if (!tc->more)
        s_check_summary(tc->want, n_want, text);
    if (tc->also)
        tc->also();
    free(text);
}
END_TEST

/* ------------------------------------------------------------------------------ output */

START_TEST(test_no_changes_text)
{
    ck_assert_int_eq(lk_diff_states(g_desired, g_live, &g_diff), LK_STATUS_OK);
    struct lk_diff_summary s;
    lk_diff_summarize(&g_diff, &s);
    ck_assert_uint_eq(s.to_add + s.to_change + s.to_remove + s.notes, 0);
    char *text = s_render(&g_diff);
    ck_assert_ptr_nonnull(strstr(text, "No changes"));
    ck_assert_ptr_nonnull(strstr(
        text, "0 to add, 0 to change, 0 to remove (0 weaker than policy; 0 need --allow)\n"));
    free(text);
}
END_TEST

/* The unmanaged rule's changes become PutRetentionPolicy calls, and shortening (never-expire
 * included) needs --allow unmanaged-retention, lengthening does not. */
START_TEST(test_unmanaged_apply)
{
    static const char *const names[4] = {"/aws/lambda/x", "/aws/lambda/y", "/aws/lambda/short",
                                         TRAIL_GROUP};
    static const int32_t days[4] = {0, 365, 7, 0};
    s_set_groups(g_live, names, days, 4);
    const struct lk_ir_log_group *groups = g_live->log_groups;
    ck_assert_str_eq(LK_DIFF_ALLOW_UNMANAGED_RETENTION, "unmanaged-retention");
    ck_assert_int_eq(lk_diff_log_groups_unmanaged(g_desired, groups, 4, &g_diff), LK_STATUS_OK);
    struct lk_artifacts arts;
    lk_artifacts_init(&arts);
    ck_assert_int_eq(lk_emit_all(g_desired, &arts), LK_STATUS_OK);
    struct lk_apply_plan plan;
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build(g_desired, &g_diff, &arts, &plan), LK_STATUS_OK);
    ck_assert_uint_eq(plan.n, 2);
    for (size_t i = 0; i < plan.n; i++) {
        ck_assert_int_eq(plan.steps[i].op, LK_APPLY_PUT_RETENTION);
        ck_assert_int_eq(plan.steps[i].retention_days, 365);
        ck_assert_str_eq(plan.steps[i].region, "us-east-1");
    }
    ck_assert_str_eq(plan.steps[0].name, "/aws/lambda/short");
    ck_assert_str_eq(plan.steps[1].name, "/aws/lambda/x");

    ck_assert_uint_eq(lk_apply_missing_allows(&g_diff, NULL, 0, NULL), 1);
    const char *other[] = {"shorten-retention:/aws/lambda/x"};
    ck_assert_uint_eq(lk_apply_missing_allows(&g_diff, other, 1, NULL), 1);
    const char *allow[] = {"unmanaged-retention"};
    ck_assert_uint_eq(lk_apply_missing_allows(&g_diff, allow, 1, NULL), 0);
    lk_apply_plan_free(&plan);

    /* Only a lengthening: no allowance needed. */
    lk_diff_free(&g_diff);
    lk_diff_init(&g_diff);
    ck_assert_int_eq(lk_diff_log_groups_unmanaged(g_desired, &groups[2], 1, &g_diff), LK_STATUS_OK);
    ck_assert_uint_eq(lk_apply_missing_allows(&g_diff, NULL, 0, NULL), 0);
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build(g_desired, &g_diff, &arts, &plan), LK_STATUS_OK);
    ck_assert_uint_eq(plan.n, 1);
    lk_apply_plan_free(&plan);

    /* Without the rule nothing is applied to them (never-expire groups are notes). */
    lk_diff_free(&g_diff);
    lk_diff_init(&g_diff);
    g_desired->unmanaged_set = false;
    ck_assert_int_eq(lk_diff_log_groups_unmanaged(g_desired, groups, 4, &g_diff), LK_STATUS_OK);
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build(g_desired, &g_diff, &arts, &plan), LK_STATUS_OK);
    ck_assert_uint_eq(plan.n, 0);
    lk_apply_plan_free(&plan);
    lk_artifacts_free(&arts);
}
END_TEST

/* An unmanaged store in the text, the summary and the JSON. */
START_TEST(test_store_output)
{
    s_store_without_lifecycle(g_live);
    ck_assert_int_eq(lk_diff_stores_unmanaged(g_desired, g_live->unmanaged_stores,
                                              g_live->n_unmanaged_stores, &g_diff),
                     LK_STATUS_OK);
    char *text = s_render(&g_diff);
    ck_assert_ptr_nonnull(strstr(text, "unmanaged store legacy-logs (us-east-1):\n"
                                       "  - lifecycle = none  [stronger]  # no store names it"));
    ck_assert_ptr_nonnull(strstr(text, "0 to add, 0 to change, 1 to remove, of which 1 unmanaged "
                                       "store that apply leaves alone"));
    free(text);
    struct lk_diff_summary counted;
    lk_diff_summarize(&g_diff, &counted);
    ck_assert_uint_eq(counted.unmanaged_stores, 1);
    char *json = lk_diff_to_json(&g_diff);
    ck_assert_ptr_nonnull(strstr(json, "\"resource\":\t\"unmanaged_store\""));
    ck_assert_ptr_nonnull(strstr(json, "\"unmanaged_stores\":\t1"));
    free(json);
}
END_TEST

/* Several changes of every kind. */
static void s_mixed_drift(void)
{
    s_bucket(g_live)->versioning = LK_IR_VERSIONING_SUSPENDED;                        /* ~ weaker */
    s_drop_stmt(g_live, "LogKeepDenyInsecureTransport");                                     /* + weaker */
    s_copy_stmt(g_live, "LogKeepReadLogs", "LogKeepExtra")->principal_kind = LK_IR_PRINCIPAL_ANY; /* - weaker */
    s_group(g_live, TRAIL_GROUP)->retention_days = 0;                                 /* ~ allow */
    s_group(g_live, "/app/payments/api")->retention_days = 545;                       /* ~ allow */
    s_trail(g_live)->is_logging = false;                                              /* ~ weaker */
    ck_assert_int_eq(lk_diff_states(g_desired, g_live, &g_diff), LK_STATUS_OK);
}

START_TEST(test_json)
{
    s_mixed_drift();
    char *json = lk_diff_to_json(&g_diff);
    cJSON *root = cJSON_Parse(json);
    ck_assert_ptr_nonnull(root);
    struct lk_diff_summary s;
    lk_diff_summarize(&g_diff, &s);
    ck_assert_uint_eq(s.to_add, 1);
    ck_assert_uint_eq(s.to_change, 4);
    ck_assert_uint_eq(s.to_remove, 1);
    ck_assert_uint_eq(s.weaker, 4);
    ck_assert_uint_eq(s.need_allow, 2);
    const cJSON *sum = cJSON_GetObjectItem(root, "summary");
    ck_assert_int_eq(cJSON_GetObjectItem(sum, "add")->valueint, (int)s.to_add);
    ck_assert_int_eq(cJSON_GetObjectItem(sum, "change")->valueint, (int)s.to_change);
    ck_assert_int_eq(cJSON_GetObjectItem(sum, "remove")->valueint, (int)s.to_remove);
    ck_assert_int_eq(cJSON_GetObjectItem(sum, "weaker")->valueint, (int)s.weaker);
    ck_assert_int_eq(cJSON_GetObjectItem(sum, "need_allow")->valueint, (int)s.need_allow);

    /* The changes themselves round-trip: recount from the array. */
    const cJSON *changes = cJSON_GetObjectItem(root, "changes");
    ck_assert_int_eq(cJSON_GetArraySize(changes), (int)g_diff.n);
    size_t add = 0, change = 0, remove = 0, weaker = 0, allow = 0, i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, changes)
    {
        const char *action = cJSON_GetObjectItem(c, "action")->valuestring;
        add += !strcmp(action, "add");
        change += !strcmp(action, "change");
        remove += !strcmp(action, "remove");
        weaker += !strcmp(cJSON_GetObjectItem(c, "direction")->valuestring, "weaker");
        bool loss = cJSON_IsTrue(cJSON_GetObjectItem(c, "data_loss"));
        allow += loss;
        ck_assert(loss == cJSON_IsString(cJSON_GetObjectItem(c, "allow_name")));
        ck_assert_str_eq(cJSON_GetObjectItem(c, "attribute")->valuestring,
                         g_diff.changes[i].attribute);
        ck_assert_str_eq(cJSON_GetObjectItem(c, "name")->valuestring, g_diff.changes[i].name);
        i++;
    }
    ck_assert_uint_eq(add, s.to_add);
    ck_assert_uint_eq(change, s.to_change);
    ck_assert_uint_eq(remove, s.to_remove);
    ck_assert_uint_eq(weaker, s.weaker);
    ck_assert_uint_eq(allow, s.need_allow);
    cJSON_Delete(root);
    free(json);
}
END_TEST

START_TEST(test_text)
{
    s_mixed_drift();
    char *text = s_render(&g_diff);
    ck_assert_ptr_nonnull(strstr(
        text, "1 to add, 4 to change, 1 to remove (4 weaker than policy; 2 need --allow)\n"));
    ck_assert_ptr_nonnull(strstr(text, "bucket " BUCKET " (us-east-1):\n"));
    ck_assert_ptr_nonnull(strstr(text, "  ~ versioning: Suspended -> Enabled  [weaker]\n"));
    ck_assert_ptr_nonnull(strstr(text, "  + policy.statement[LogKeepDenyInsecureTransport] = Deny * "));
    ck_assert_ptr_nonnull(strstr(text, "  - policy.statement[LogKeepExtra] = Allow * "));
    ck_assert_ptr_nonnull(strstr(text, "  ~ retention_days: never expire -> 120 days  [stronger]  "
                                       "(needs --allow shorten-retention:" TRAIL_GROUP ")\n"));
    ck_assert_ptr_nonnull(strstr(text, "trail " TRAIL " (us-east-1):\n"));
    ck_assert_ptr_null(strstr(text, "\033["));
    free(text);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_int_eq(lk_diff_render_text(&g_diff, f, true), LK_STATUS_OK);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "\033[1;31m[weaker]"));
    free(buf);
}
END_TEST

/* The location and source line of a change, as a diagnostic shows them: once under the run of
 * changes that share it, not under changes without one. */
START_TEST(test_text_origins)
{
    s_rule(g_live, "logkeep-org-trail")->expiration_days = 365; /* two changes of one rule */
    s_rule(g_live, "logkeep-org-trail")->transitions[0].days = 30;
    s_bucket(g_live)->versioning = LK_IR_VERSIONING_SUSPENDED;
    s_store_without_lifecycle(g_live);
    ck_assert_int_eq(lk_diff_states(g_desired, g_live, &g_diff), LK_STATUS_OK);
    ck_assert_int_eq(lk_diff_stores_unmanaged(g_desired, g_live->unmanaged_stores,
                                              g_live->n_unmanaged_stores, &g_diff),
                     LK_STATUS_OK);
    char *text = s_render(&g_diff);
    const char *rule =
        "  ~ lifecycle.rule[logkeep-org-trail].expiration_days: 365 days -> 2557 days  [weaker]\n"
        "  ~ lifecycle.rule[logkeep-org-trail].transitions: 30d GLACIER_IR, 365d DEEP_ARCHIVE -> "
        "120d GLACIER_IR, 365d DEEP_ARCHIVE  [weaker]\n"
        "      ";
    const char *at = strstr(text, rule);
    ck_assert_msg(at, "%s", text);
    at += strlen(rule);
    const char *snippet = "/examples/quickstart/policy.yaml:40:16\n"
                          " 40 |     retention: security-evidence\n"
                          "    |                ^~~~~~~~~~~~~~~~~\n";
    ck_assert_msg(strstr(at, snippet) && strchr(at, '\n') > strstr(at, snippet), "%s", text);
    ck_assert_msg(strstr(text, "  ~ versioning: Suspended -> Enabled  [weaker]\n      "), "%s",
                  text);
    ck_assert_msg(strstr(text, "/examples/quickstart/policy.yaml:19:17\n"
                               " 19 |     versioning: true\n"
                               "    |                 ^~~~\n"),
                  "%s", text);
    /* Once per run: the rule's location once, though two changes come from it. */
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, "policy.yaml:40:16\n")); p++)
        n++;
    ck_assert_uint_eq(n, 1);
    /* An unmanaged store comes from nowhere in the policy: no location after it. */
    ck_assert_msg(strstr(text, "  - lifecycle = none  [stronger]  # no store names it; it receives "
                               "the logs of trail legacy-trail (us-east-1), and it has no "
                               "lifecycle configuration: kept forever\n\n"),
                  "%s", text);
    ck_assert_ptr_null(strstr(text, "\033["));
    free(text);

    /* In colour: the location bold, the gutter blue, the caret green. */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_int_eq(lk_diff_render_text(&g_diff, f, true), LK_STATUS_OK);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "policy.yaml:19:17\033[0m\n\033[1;34m 19 |\033[0m     "
                                      "versioning: true\n\033[1;34m    |\033[0m                 "
                                      "\033[1;32m^~~~\033[0m\n"));
    free(buf);
}
END_TEST

/* JSON: "origin" {"file", "line", "column"} for a change from the policy, null for one from
 * nowhere in it. */
START_TEST(test_json_origins)
{
    s_bucket(g_live)->versioning = LK_IR_VERSIONING_SUSPENDED;
    s_store_without_lifecycle(g_live);
    ck_assert_int_eq(lk_diff_states(g_desired, g_live, &g_diff), LK_STATUS_OK);
    ck_assert_int_eq(lk_diff_stores_unmanaged(g_desired, g_live->unmanaged_stores,
                                              g_live->n_unmanaged_stores, &g_diff),
                     LK_STATUS_OK);
    char *json = lk_diff_to_json(&g_diff);
    cJSON *root = cJSON_Parse(json);
    ck_assert_ptr_nonnull(root);
    bool saw_versioning = false, saw_store = false;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "changes"))
    {
        const cJSON *o = cJSON_GetObjectItem(c, "origin");
        ck_assert_ptr_nonnull(o);
        const char *attr = cJSON_GetObjectItem(c, "attribute")->valuestring;
        if (!strcmp(attr, "versioning")) {
            saw_versioning = true;
            ck_assert(cJSON_IsObject(o));
            ck_assert_int_eq(cJSON_GetArraySize(o), 3);
            const char *file = cJSON_GetObjectItem(o, "file")->valuestring;
            ck_assert_ptr_nonnull(strstr(file, "/examples/quickstart/policy.yaml"));
            ck_assert_str_eq(file, s_bucket(g_desired)->versioning_origin.file);
            ck_assert_int_eq(cJSON_GetObjectItem(o, "line")->valueint, 19);
            ck_assert_int_eq(cJSON_GetObjectItem(o, "column")->valueint, 17);
        }
        if (!strcmp(cJSON_GetObjectItem(c, "resource")->valuestring, "unmanaged_store")) {
            saw_store = true;
            ck_assert(cJSON_IsNull(o));
        }
    }
    ck_assert(saw_versioning && saw_store);
    cJSON_Delete(root);
    free(json);
}
END_TEST

/* The diff owns copies of its origins: it outlives the desired state (diff.h), and changes from
 * one file share one copy of its path. */
START_TEST(test_origins_owned)
{
    s_mixed_drift();
    lk_ir_state_free(g_desired);
    g_desired = NULL;
    const char *file = NULL;
    size_t with = 0;
    for (size_t i = 0; i < g_diff.n; i++) {
        const struct lk_diff_change *ch = &g_diff.changes[i];
        if (!ch->origin.file)
            continue;
        with++;
        if (!file)
            file = ch->origin.file;
        ck_assert_ptr_eq(ch->origin.file, file);
        ck_assert_uint_gt(strlen(ch->origin.text), 0);
    }
    ck_assert_uint_eq(with, g_diff.n);
    char *text = s_render(&g_diff);
    ck_assert_ptr_nonnull(strstr(text, " 37 |   org-trail:\n"));
    free(text);
}
END_TEST

/* What a source line may hold is shown safely: control characters and invisible ones as '?',
 * tabs kept so the caret stays under its column, a long line windowed around the column. */
START_TEST(test_text_origin_hostile)
{
    struct lk_diff d;
    lk_diff_init(&d);
    d.cap = d.n = 2;
    d.changes = lk_xcalloc(2, sizeof(*d.changes));
    struct lk_diff_change *c = &d.changes[0];
    c->resource = LK_DIFF_LOG_GROUP;
    c->name = lk_arena_strdup(&d.arena, "/a");
    c->attribute = lk_arena_strdup(&d.arena, "retention_days");
    c->kind = LK_DIFF_CHANGED;
    c->desired = lk_arena_strdup(&d.arena, "1 day");
    c->live = lk_arena_strdup(&d.arena, "2 days");
    c->origin.file = lk_arena_strdup(&d.arena, "p\033[2J.yaml");
    c->origin.text = lk_arena_strdup(&d.arena, "\tx: \033]0;t\007 \xE2\x80\xAE"
                                               "ab \xC3\xA9 \xFF");
    c->origin.line = 3;
    c->origin.column = 10;
    c->origin.length = 2;
    /* A line of 400 characters, the span at column 300. */
    char longline[401];
    memset(longline, 'x', 400);
    longline[400] = '\0';
    c = &d.changes[1];
    c->resource = LK_DIFF_LOG_GROUP;
    c->name = lk_arena_strdup(&d.arena, "/b");
    c->attribute = lk_arena_strdup(&d.arena, "");
    c->kind = LK_DIFF_NOTE;
    c->note = lk_arena_strdup(&d.arena, "n");
    c->origin.file = lk_arena_strdup(&d.arena, "p.yaml");
    c->origin.text = lk_arena_strdup(&d.arena, longline);
    c->origin.line = 1234;
    c->origin.column = 300;
    c->origin.length = 1;
    c->seq = 1;
    char *text = s_render(&d);
    ck_assert_msg(strstr(text, "      p?[2J.yaml:3:10\n"
                               " 3 | \tx: ?]0;t? ?ab \xC3\xA9 ?\n"
                               "   | \t        ^~\n"),
                  "%s", text);
    ck_assert_ptr_null(strstr(text, "\033"));
    ck_assert_ptr_null(strstr(text, "\xE2\x80\xAE"));
    /* Columns 260 to 400 (the window starts 40 before the column): "..." before them, the
     * caret under column 300. */
    char want[512];
    snprintf(want, sizeof(want), " 1234 | ...%.141s\n      |    %40s^\n", longline, "");
    ck_assert_msg(strstr(text, want), "%s", text);
    free(text);
    lk_diff_free(&d);
}
END_TEST

START_TEST(test_order_and_determinism)
{
    s_mixed_drift();
    /* Sorted by resource kind, name, region, attribute. */
    for (size_t i = 1; i < g_diff.n; i++) {
        const struct lk_diff_change *a = &g_diff.changes[i - 1], *b = &g_diff.changes[i];
        ck_assert(a->resource <= b->resource);
        if (a->resource == b->resource && !strcmp(a->name, b->name))
            ck_assert(strcmp(a->attribute, b->attribute) <= 0);
        if (a->resource == b->resource)
            ck_assert(strcmp(a->name, b->name) <= 0);
    }
    ck_assert_int_eq(g_diff.changes[0].resource, LK_DIFF_BUCKET);
    ck_assert_int_eq(g_diff.changes[g_diff.n - 1].resource, LK_DIFF_TRAIL);
    char *first = lk_diff_to_json(&g_diff);
    struct lk_diff again;
    lk_diff_init(&again);
    ck_assert_int_eq(lk_diff_states(g_desired, g_live, &again), LK_STATUS_OK);
    char *second = lk_diff_to_json(&again);
    ck_assert_str_eq(first, second);
    free(first);
    free(second);
    lk_diff_free(&again);
}
END_TEST

START_TEST(test_invalid_arguments)
{
    ck_assert_int_eq(lk_diff_states(NULL, g_live, &g_diff), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_int_eq(lk_diff_states(g_desired, NULL, &g_diff), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_int_eq(lk_diff_states(g_desired, g_live, NULL), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_int_eq(lk_diff_log_groups_unmanaged(g_desired, NULL, 1, &g_diff),
                     LK_STATUS_INVALID_ARGUMENT);
    struct lk_ir_unmanaged_store *u = s_add_store(g_live, "legacy-logs", NULL);
    ck_assert_int_eq(lk_diff_stores_unmanaged(g_desired, NULL, 1, &g_diff),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_int_eq(lk_diff_stores_unmanaged(NULL, u, 1, &g_diff), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_int_eq(lk_diff_stores_unmanaged(g_desired, NULL, 0, &g_diff), LK_STATUS_OK);
    ck_assert_int_eq(lk_diff_render_text(NULL, stdout, false), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_null(lk_diff_to_json(NULL));
    ck_assert_uint_eq(g_diff.n, 0);
}
END_TEST

/* ------------------------------------------------------------------------------ overlapping patterns */

/* A state of us-east-1 holding @p n log groups: patterns when @p pattern (with their retention
 * in @p days), else live groups that exist (retention 1 day). */
static struct lk_ir_state *s_pattern_state(const char *const (*groups)[2], const int32_t *days,
                                           size_t n, bool pattern)
{
    struct lk_ir_state *st = lk_ir_state_new();
    st->region = lk_ir_strdup(st, "us-east-1");
    st->log_groups = lk_arena_alloc(&st->arena, n * sizeof(*st->log_groups));
    memset(st->log_groups, 0, n * sizeof(*st->log_groups));
    for (size_t i = 0; i < n; i++) {
        struct lk_ir_log_group *g = &st->log_groups[i];
        g->region = groups[i][0] ? lk_ir_strdup(st, groups[i][0]) : NULL;
        g->name = lk_ir_strdup(st, groups[i][1]);
        g->pattern = pattern;
        g->retention_days = pattern ? days[i] : 1;
        g->exists = !pattern;
    }
    st->n_log_groups = n;
    return st;
}

/* The note of the retention change of live group @p name in @p region. */
static const char *s_governing_note(const struct lk_diff *d, const char *region, const char *name)
{
    for (size_t i = 0; i < d->n; i++) {
        const struct lk_diff_change *c = &d->changes[i];
        if (c->resource == LK_DIFF_LOG_GROUP && !strcmp(c->name, name) && c->region &&
            !strcmp(c->region, region) && !strcmp(c->attribute, "retention_days"))
            return c->note ? c->note : "";
    }
    return "(no change)";
}

/* A live group several patterns match is governed by the most specific: most literal
 * characters, then the bytewise first pattern, then the first declared. */
START_TEST(test_overlapping_patterns)
{
    static const char *const patterns[][2] = {
        {NULL, "/app/*"},           {NULL, "/app/team-1*"},       {NULL, "/app/team-1/*"},
        {NULL, "/app/*/worker"},    {"eu-west-1", "/app/*"},      {NULL, "*"},
        {"us-east-1", "/x/ab*"},    {"us-east-1", "/x/a*b"},      {NULL, "/app/team-1/*"},
    };
    static const int32_t days[] = {30, 60, 90, 120, 7, 3, 14, 180, 400};
    static const char *const live[][2] = {
        {"us-east-1", "/app/team-1/api"}, {"us-east-1", "/app/team-1/worker"},
        {"us-east-1", "/app/x"},          {"us-east-1", "/app/team-12"},
        {"eu-west-1", "/app/team-1/api"}, {"us-east-1", "/other"},
        {"us-east-1", "/x/abb"},          {"eu-west-1", "/other"},
    };
    struct lk_ir_state *d = s_pattern_state(patterns, days, 9, true);
    struct lk_ir_state *l = s_pattern_state(live, NULL, 8, false);
    ck_assert_int_eq(lk_diff_states(d, l, &g_diff), LK_STATUS_OK);
    /* The pattern of team-1's groups is declared twice: the first governs (90 days, not 400). */
    ck_assert_str_eq(s_governing_note(&g_diff, "us-east-1", "/app/team-1/api"),
                     "governed by pattern /app/team-1/*");
    for (size_t i = 0; i < g_diff.n; i++)
        if (!strcmp(g_diff.changes[i].name, "/app/team-1/api") &&
            !strcmp(g_diff.changes[i].region, "us-east-1"))
            ck_assert_str_eq(g_diff.changes[i].desired, "90 days");
    /* Two patterns of 12 literal characters match: the one with '*' after "/app/" sorts first
     * ('*' < 't'). */
    ck_assert_str_eq(s_governing_note(&g_diff, "us-east-1", "/app/team-1/worker"),
                     "governed by pattern /app/*/worker");
    ck_assert_str_eq(s_governing_note(&g_diff, "us-east-1", "/app/x"),
                     "governed by pattern /app/*");
    ck_assert_str_eq(s_governing_note(&g_diff, "us-east-1", "/app/team-12"),
                     "governed by pattern /app/team-1*");
    ck_assert_str_eq(s_governing_note(&g_diff, "eu-west-1", "/app/team-1/api"),
                     "governed by pattern /app/*");
    ck_assert_str_eq(s_governing_note(&g_diff, "us-east-1", "/other"), "governed by pattern *");
    ck_assert_str_eq(s_governing_note(&g_diff, "us-east-1", "/x/abb"),
                     "governed by pattern /x/a*b");
    /* No pattern of eu-west-1 matches: not governed, so no change. */
    ck_assert_str_eq(s_governing_note(&g_diff, "eu-west-1", "/other"), "(no change)");

    /* Unmanaged: every group never expires and no rule covers the ungoverned ones, so each of
     * those gets a note; only the eu-west-1 group no pattern of its region matches is one. */
    for (size_t i = 0; i < l->n_log_groups; i++)
        l->log_groups[i].retention_days = 0;
    struct lk_diff u;
    lk_diff_init(&u);
    ck_assert_int_eq(lk_diff_log_groups_unmanaged(d, l->log_groups, l->n_log_groups, &u),
                     LK_STATUS_OK);
    ck_assert_uint_eq(u.n, 1);
    ck_assert_int_eq(u.changes[0].resource, LK_DIFF_UNMANAGED_LOG_GROUP);
    ck_assert_str_eq(u.changes[0].name, "/other");
    ck_assert_str_eq(u.changes[0].region, "eu-west-1");
    lk_diff_free(&u);
    lk_ir_state_free(l);
    lk_ir_state_free(d);
}
END_TEST

static Suite *s_suite(void)
{
    Suite *s = suite_create("diff");
    TCase *tc;

    /* Each case of the table runs alone, on a fresh fixture. */
    tc = tcase_create("cases");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_add_loop_test(tc, test_case, 0, S_N_CASES);
    suite_add_tcase(s, tc);

    tc = tcase_create("output");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_add_test(tc, test_no_changes_text);
    tcase_add_test(tc, test_overlapping_patterns);
    tcase_add_test(tc, test_unmanaged_apply);
    tcase_add_test(tc, test_store_output);
    tcase_add_test(tc, test_json);
    tcase_add_test(tc, test_text);
    tcase_add_test(tc, test_text_origins);
    tcase_add_test(tc, test_json_origins);
    tcase_add_test(tc, test_origins_owned);
    tcase_add_test(tc, test_text_origin_hostile);
    tcase_add_test(tc, test_order_and_determinism);
    tcase_add_test(tc, test_invalid_arguments);
    suite_add_tcase(s, tc);
    return s;
}

/* ------------------------------------------------------------------------------ KMS keys, log
 * group integrity (states built directly: the compiler does not emit them yet) */

#define K_ARN "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

static struct lk_ir_state *s_bare_state(void)
{
    struct lk_ir_state *st = lk_ir_state_new();
    st->account = lk_ir_strdup(st, "111122223333");
    st->region = lk_ir_strdup(st, "eu-west-1");
    st->partition = lk_ir_strdup(st, "aws");
    return st;
}

static void s_key_stmt(struct lk_ir_state *st, struct lk_ir_statement *s, const char *sid,
                       const char *principal, const char *action)
{
    memset(s, 0, sizeof(*s));
    s->sid = sid ? lk_ir_strdup(st, sid) : NULL;
    s->allow = true;
    s->principal_kind =
        strstr(principal, "amazonaws.com") ? LK_IR_PRINCIPAL_SERVICE : LK_IR_PRINCIPAL_AWS;
    lk_ir_list_add(st, &s->principals, principal);
    lk_ir_list_add(st, &s->actions, action);
    lk_ir_list_add(st, &s->resources, "*");
}

static struct lk_ir_key *s_one_key(struct lk_ir_state *st, size_t n_statements)
{
    st->keys = lk_arena_alloc(&st->arena, sizeof(*st->keys));
    st->n_keys = 1;
    struct lk_ir_key *k = &st->keys[0];
    memset(k, 0, sizeof(*k));
    k->arn = lk_ir_strdup(st, K_ARN);
    k->region = lk_ir_strdup(st, "eu-west-1");
    k->exists = true;
    k->policy.present = true;
    k->policy.version = lk_ir_strdup(st, "2012-10-17");
    k->policy.statements = lk_arena_alloc(&st->arena, n_statements * sizeof(*k->policy.statements));
    k->policy.n_statements = n_statements;
    return k;
}

START_TEST(test_key_policy_owned_statements_only)
{
    struct lk_ir_state *d = s_bare_state(), *l = s_bare_state();
    struct lk_ir_key *dk = s_one_key(d, 2);
    dk->exists = false;
    s_key_stmt(d, &dk->policy.statements[0], "LogKeepCloudTrail", "cloudtrail.amazonaws.com",
               "kms:GenerateDataKey*");
    s_key_stmt(d, &dk->policy.statements[1], "LogKeepReaders",
               "arn:aws:iam::111122223333:role/SecurityAnalyst", "kms:Decrypt");
    struct lk_ir_key *lk = s_one_key(l, 5);
    s_key_stmt(l, &lk->policy.statements[0], "Enable IAM User Permissions",
               "arn:aws:iam::111122223333:root", "kms:*");
    s_key_stmt(l, &lk->policy.statements[1], "LogKeepCloudTrail", "cloudtrail.amazonaws.com",
               "kms:GenerateDataKey*"); /* as desired */
    s_key_stmt(l, &lk->policy.statements[2], "LogKeepReaders",
               "arn:aws:iam::111122223333:role/OpsAdmin", "kms:Decrypt"); /* changed */
    s_key_stmt(l, &lk->policy.statements[3], "LogKeepGone", "config.amazonaws.com",
               "kms:Decrypt"); /* logkeep's, no longer wanted */
    s_key_stmt(l, &lk->policy.statements[4], NULL, "444455556666", "kms:Decrypt");
    lk_ir_canonicalize(d);
    lk_ir_canonicalize(l);
    struct lk_diff diff;
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_states(d, l, &diff), LK_STATUS_OK);
    const char *allow = "key-policy:1234abcd-12ab-34cd-56ef-1234567890ab";
    ck_assert_ptr_null(
        lk_diff_find(&diff, LK_DIFF_KEY, K_ARN, "policy.statement[LogKeepCloudTrail]"));
    const struct lk_diff_change *ch =
        lk_diff_find(&diff, LK_DIFF_KEY, K_ARN, "policy.statement[LogKeepReaders]");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_CHANGED);
    ck_assert_int_eq(ch->direction, LK_DIFF_WEAKER);
    ck_assert_str_eq(ch->allow_name, allow);
    ck_assert_ptr_nonnull(strstr(ch->live, "OpsAdmin"));
    ch = lk_diff_find(&diff, LK_DIFF_KEY, K_ARN, "policy.statement[LogKeepGone]");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_EXTRA);
    ck_assert_str_eq(ch->allow_name, allow);
    /* Foreign statements are listed, never drift. */
    ch = lk_diff_find(&diff, LK_DIFF_KEY, K_ARN, "policy.statement[Enable IAM User Permissions]");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_NOTE);
    ck_assert(!ch->data_loss);
    struct lk_diff_summary sum;
    lk_diff_summarize(&diff, &sum);
    ck_assert_uint_eq(sum.to_change + sum.to_remove + sum.to_add, 2);
    ck_assert_uint_eq(sum.notes, 2);
    ck_assert_uint_eq(sum.need_allow, 2);
    ck_assert_uint_eq(lk_apply_missing_allows(&diff, NULL, 0, NULL), 1);
    char *text = s_render(&diff);
    ck_assert_ptr_nonnull(strstr(text, "KMS key " K_ARN));
    ck_assert_ptr_nonnull(strstr(text, allow));
    free(text);
    char *json = lk_diff_to_json(&diff);
    ck_assert_ptr_nonnull(strstr(json, "\"resource\":\t\"key\""));
    free(json);

    /* Apply: one PutKeyPolicy, first. */
    struct lk_artifacts none;
    lk_artifacts_init(&none);
    struct lk_apply_plan plan;
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build(d, &diff, &none, &plan), LK_STATUS_OK);
    ck_assert_uint_eq(plan.n, 1);
    ck_assert_int_eq(plan.steps[0].op, LK_APPLY_PUT_KEY_POLICY);
    ck_assert_str_eq(plan.steps[0].name, K_ARN);
    ck_assert_str_eq(plan.steps[0].region, "eu-west-1");
    ck_assert_str_eq(lk_apply_op_name(plan.steps[0].op), "PutKeyPolicy");
    lk_apply_plan_free(&plan);
    lk_artifacts_free(&none);
    lk_diff_free(&diff);

    /* Live errors: a key that does not exist is missing; one that cannot be read, a note. */
    lk->exists = false;
    lk->error = lk_ir_strdup(l, "NotFoundException");
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_states(d, l, &diff), LK_STATUS_OK);
    ck_assert_uint_eq(diff.n, 1);
    ck_assert_int_eq(diff.changes[0].kind, LK_DIFF_MISSING);
    ck_assert(!diff.changes[0].data_loss);
    lk_diff_free(&diff);
    lk->error = lk_ir_strdup(l, "AccessDeniedException");
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_states(d, l, &diff), LK_STATUS_OK);
    ck_assert_uint_eq(diff.n, 1);
    ck_assert_int_eq(diff.changes[0].kind, LK_DIFF_NOTE);
    ck_assert_ptr_nonnull(strstr(diff.changes[0].note, "AccessDeniedException"));
    lk_diff_free(&diff);
    lk_ir_state_free(d);
    lk_ir_state_free(l);
}
END_TEST

static struct lk_ir_log_group *s_groups(struct lk_ir_state *st, size_t n)
{
    st->log_groups = lk_arena_alloc(&st->arena, n * sizeof(*st->log_groups));
    st->n_log_groups = n;
    memset(st->log_groups, 0, n * sizeof(*st->log_groups));
    return st->log_groups;
}

START_TEST(test_log_group_integrity)
{
    static const char *const names[] = {"/a/protect", "/b/unprotected-ok", "/c/delivery",
                                        "/d/rekey", "/e/new"};
    struct lk_ir_state *d = s_bare_state(), *l = s_bare_state();
    struct lk_ir_log_group *dg = s_groups(d, 5), *lg = s_groups(l, 4);
    for (size_t i = 0; i < 5; i++) {
        dg[i].name = lk_ir_strdup(d, names[i]);
        dg[i].retention_days = 30;
        dg[i].deletion_protection = i != 1;
        if (i < 4) {
            lg[i].name = lk_ir_strdup(l, names[i]);
            lg[i].region = lk_ir_strdup(l, "eu-west-1");
            lg[i].retention_days = 30;
            lg[i].exists = true;
            lg[i].deletion_protection = i != 0;
        }
    }
    lg[2].log_group_class = LK_IR_LOG_CLASS_DELIVERY;
    lg[2].retention_days = 1;
    dg[3].kms_key_id = lk_ir_strdup(d, K_ARN);
    lg[3].kms_key_id = lk_ir_strdup(l, "arn:aws:kms:eu-west-1:111122223333:key/other");
    lg[1].log_group_class = LK_IR_LOG_CLASS_INFREQUENT_ACCESS;
    dg[1].log_group_class = LK_IR_LOG_CLASS_STANDARD;
    lk_ir_canonicalize(d);
    lk_ir_canonicalize(l);
    struct lk_diff diff;
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_states(d, l, &diff), LK_STATUS_OK);
    const struct lk_diff_change *ch =
        lk_diff_find(&diff, LK_DIFF_LOG_GROUP, "/a/protect", "deletion_protection");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_CHANGED);
    ck_assert_int_eq(ch->direction, LK_DIFF_WEAKER);
    /* Protection on where the policy does not ask for it: never turned off, not drift. */
    ck_assert_ptr_null(
        lk_diff_find(&diff, LK_DIFF_LOG_GROUP, "/b/unprotected-ok", "deletion_protection"));
    ch = lk_diff_find(&diff, LK_DIFF_LOG_GROUP, "/b/unprotected-ok", "log_group_class");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_NOTE);
    ch = lk_diff_find(&diff, LK_DIFF_LOG_GROUP, "/c/delivery", "retention_days");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_NOTE);
    ck_assert_ptr_nonnull(strstr(ch->note, "DELIVERY"));
    ch = lk_diff_find(&diff, LK_DIFF_LOG_GROUP, "/d/rekey", "kms_key_id");
    ck_assert_ptr_nonnull(ch);
    ck_assert_str_eq(ch->allow_name, "log-group-key:/d/rekey");

    struct lk_artifacts none;
    lk_artifacts_init(&none);
    struct lk_apply_plan plan;
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build(d, &diff, &none, &plan), LK_STATUS_OK);
    bool protect_a = false, protect_new = false, rekey = false;
    for (size_t i = 0; i < plan.n; i++) {
        const struct lk_apply_step *s = &plan.steps[i];
        ck_assert_msg(strcmp(s->name, "/c/delivery") != 0, "a call for the DELIVERY group: %s",
                      lk_apply_op_name(s->op));
        ck_assert_msg(strcmp(s->name, "/b/unprotected-ok") != 0, "a call for %s", s->name);
        protect_a |= s->op == LK_APPLY_PUT_DELETION_PROTECTION && !strcmp(s->name, "/a/protect");
        protect_new |= s->op == LK_APPLY_PUT_DELETION_PROTECTION && !strcmp(s->name, "/e/new");
        rekey |= s->op == LK_APPLY_ASSOCIATE_KMS_KEY && !strcmp(s->name, "/d/rekey") &&
                 !strcmp(s->kms_key_id, K_ARN);
    }
    ck_assert(protect_a && protect_new && rekey);
    lk_apply_plan_free(&plan);
    lk_artifacts_free(&none);
    lk_diff_free(&diff);
    lk_ir_state_free(d);
    lk_ir_state_free(l);
}
END_TEST

int main(void)
{
    Suite *s = s_suite();
    TCase *kms = tcase_create("kms");
    tcase_add_test(kms, test_key_policy_owned_statements_only);
    tcase_add_test(kms, test_log_group_integrity);
    suite_add_tcase(s, kms);
    return lk_test_run(s);
}
