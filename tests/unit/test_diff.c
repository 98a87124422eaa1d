/*
 * Unit tests: the semantic diff of desired against live state (runtime/diff.c).
 *
 * The desired state is the quickstart example, compiled and lowered. The live state starts as
 * what AWS would hand back for it: the emitted payloads (lifecycle, versioning, Object Lock,
 * Block Public Access and encryption XML, the bucket policy, the trail) read back through the
 * runtime's own response parsers, and the log group pattern expanded into concrete groups.
 * Each test then changes one thing, by hand or by respelling a payload, and checks the one
 * change the diff reports: kind, direction, and whether applying needs --allow.
 */
#include "lk_test.h"

#include <cjson/cJSON.h>
#include <stdio.h>

#include "runtime/apply.h"
#include "runtime/services/cloudtrail.h"
#include "runtime/diff.h"
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
    unsigned um = 0;
    struct lk_ir_bucket got;
    memset(&got, 0, sizeof(got));

    char *xml = lk_emit_lifecycle_xml(&b->lifecycle, &a);
    ck_assert_msg(
        lk_s3_parse_lifecycle(live, xml, strlen(xml),
                              lk_s3_transition_min_size_api(b->lifecycle.transition_min_size),
                              &got.lifecycle, &um, &g_err) == 0,
        "%s", g_err.message);
    ck_assert_uint_eq(um, 0);
    char *json = lk_emit_bucket_policy_json(&b->policy, &a);
    ck_assert_msg(lk_policy_json_parse(live, json, strlen(json), live->partition, &got.policy, &um,
                                       &g_err) == 0,
                  "%s", g_err.message);
    ck_assert_uint_eq(um, 0);
    xml = lk_emit_versioning_xml(b, &a);
    ck_assert(lk_s3_parse_versioning(xml, strlen(xml), &got, &g_err) == 0);
    xml = lk_emit_object_lock_xml(b, &a);
    ck_assert(lk_s3_parse_object_lock(xml, strlen(xml), &got, &g_err) == 0);
    xml = lk_emit_public_access_block_xml(b, &a);
    ck_assert(lk_s3_parse_public_access_block(xml, strlen(xml), &got, &g_err) == 0);
    xml = lk_emit_encryption_xml(b, &a);
    ck_assert(lk_s3_parse_encryption(live, xml, strlen(xml), &got, &um, &g_err) == 0);

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
    bool advanced = true;
    ck_assert_msg(
        lk_cloudtrail_parse_event_selectors(live, text, strlen(text), &got, &advanced, &g_err) == 0,
        "%s", g_err.message);
    ck_assert(!advanced);
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
    ck_assert_int_eq(lk_diff_render_text(d, f, false), LK_DIFF_OK);
    fclose(f);
    return buf;
}

/* Diffs the states into a fresh g_diff. */
static void s_run(void)
{
    lk_diff_free(&g_diff);
    lk_diff_init(&g_diff);
    ck_assert_int_eq(lk_diff_states(g_desired, g_live, &g_diff), LK_DIFF_OK);
}

static void s_expect_none(void)
{
    s_run();
    if (g_diff.n) {
        char *text = s_render(&g_diff);
        ck_abort_msg("expected no changes, got:\n%s", text);
    }
}

/* Runs the diff and checks that it holds exactly one change, as described. */
static const struct lk_diff_change *s_expect_one(enum lk_diff_resource res, const char *name,
                                                 const char *attr, enum lk_diff_kind kind,
                                                 enum lk_diff_direction dir, const char *allow)
{
    s_run();
    char *text = s_render(&g_diff);
    ck_assert_msg(g_diff.n == 1, "expected one change, got %zu:\n%s", g_diff.n, text);
    const struct lk_diff_change *ch = &g_diff.changes[0];
    ck_assert_msg(ch->resource == res && !strcmp(ch->name, name) && !strcmp(ch->attribute, attr),
                  "expected %s %s %s, got:\n%s", lk_diff_resource_name(res), name, attr, text);
    ck_assert_msg(ch->kind == kind, "kind %s, expected %s:\n%s", lk_diff_kind_name(ch->kind),
                  lk_diff_kind_name(kind), text);
    ck_assert_msg(ch->direction == dir, "direction %s, expected %s:\n%s",
                  lk_diff_direction_name(ch->direction), lk_diff_direction_name(dir), text);
    if (allow) {
        ck_assert_msg(ch->data_loss, "expected a data-loss change:\n%s", text);
        ck_assert_str_eq(ch->allow_name, allow);
    } else {
        ck_assert_msg(!ch->data_loss && !ch->allow_name, "unexpected data loss:\n%s", text);
    }
    free(text);
    return ch;
}

/* ------------------------------------------------------------------------------ no drift */

START_TEST(test_identical)
{
    s_expect_none();
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

static void s_reverse_strings(struct lk_ir_string_list *l)
{
    for (size_t i = 0; i < l->n / 2; i++) {
        char *t = l->items[i];
        l->items[i] = l->items[l->n - 1 - i];
        l->items[l->n - 1 - i] = t;
    }
}

START_TEST(test_order_does_not_matter)
{
    struct lk_ir_bucket *b = s_bucket(g_live);
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
    struct lk_ir_lifecycle_rule *r = s_rule(g_live, "logkeep-org-trail");
    ck_assert_uint_eq(r->n_transitions, 2);
    struct lk_ir_transition t = r->transitions[0];
    r->transitions[0] = r->transitions[1];
    r->transitions[1] = t;
    for (size_t i = 0; i < g_live->n_log_groups / 2; i++) {
        struct lk_ir_log_group g = g_live->log_groups[i];
        g_live->log_groups[i] = g_live->log_groups[g_live->n_log_groups - 1 - i];
        g_live->log_groups[g_live->n_log_groups - 1 - i] = g;
    }
    s_expect_none();
}
END_TEST

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

START_TEST(test_policy_spellings)
{
    struct lk_ir_bucket *db = s_bucket(g_desired);
    struct lk_arena a;
    lk_arena_init(&a);
    char *json = lk_emit_bucket_policy_json(&db->policy, &a);
    cJSON *root = cJSON_Parse(json);
    ck_assert_ptr_nonnull(root);
    /* Statements respelled, in reverse order. */
    cJSON *stmts = cJSON_GetObjectItem(root, "Statement");
    cJSON *st;
    cJSON_ArrayForEach(st, stmts)
    {
        s_respell_statement(st);
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

    struct lk_ir_bucket *lb = s_bucket(g_live);
    unsigned um = 0;
    ck_assert_msg(
        lk_policy_json_parse(g_live, text, strlen(text), "aws", &lb->policy, &um, &g_err) == 0,
        "%s", g_err.message);
    free(text);
    lk_arena_destroy(&a);
    s_expect_none();
}
END_TEST

START_TEST(test_policy_forms_in_ir)
{
    /* An account ID and its root ARN are the same principal; action names and condition keys
     * ignore case; Bool values too. */
    struct lk_ir_statement *d = s_stmt(g_desired, "ReadLogs");
    d->principals.n = 0;
    lk_ir_list_add(g_desired, &d->principals, "arn:aws:iam::111122223333:root");
    struct lk_ir_statement *l = s_stmt(g_live, "ReadLogs");
    l->principals.n = 0;
    lk_ir_list_add(g_live, &l->principals, "111122223333");
    for (size_t i = 0; i < l->actions.n; i++)
        for (char *p = l->actions.items[i]; *p; p++)
            *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    struct lk_ir_statement *t = s_stmt(g_live, "DenyInsecureTransport");
    t->conditions[0].key = lk_ir_strdup(g_live, "AWS:securetransport");
    t->conditions[0].values.items[0] = lk_ir_strdup(g_live, "False");
    /* {"AWS": ["*"]} written into the IR by hand. */
    t->principal_kind = LK_IR_PRINCIPAL_AWS;
    lk_ir_list_add(g_live, &t->principals, "*");
    s_expect_none();
}
END_TEST

START_TEST(test_policy_sid_only)
{
    /* AWS writes its own delivery statements (AWSLogDeliveryWrite): same meaning, other Sid. */
    s_stmt(g_live, "LogDeliveryWrite")->sid = lk_ir_strdup(g_live, "AWSLogDeliveryWrite");
    s_expect_none();
}
END_TEST

/* ------------------------------------------------------------------------------ policy drift */

START_TEST(test_reader_added)
{
    lk_ir_list_add(g_live, &s_stmt(g_live, "ReadLogs")->principals,
                   "arn:aws:iam::444455556666:role/Contractor");
    const struct lk_diff_change *ch =
        s_expect_one(LK_DIFF_BUCKET, BUCKET, "policy.statement[ReadLogs].principals",
                     LK_DIFF_CHANGED, LK_DIFF_WEAKER, NULL);
    ck_assert_ptr_nonnull(strstr(ch->live, "Contractor"));
    ck_assert_ptr_null(strstr(ch->desired, "Contractor"));
}
END_TEST

START_TEST(test_reader_removed)
{
    s_drop_stmt(g_live, "ReadLogs");
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "policy.statement[ReadLogs]", LK_DIFF_MISSING,
                 LK_DIFF_STRONGER, NULL);
}
END_TEST

START_TEST(test_read_actions_widened)
{
    struct lk_ir_statement *l = s_stmt(g_live, "ReadLogs");
    l->actions.n = 0;
    lk_ir_list_add(g_live, &l->actions, "s3:*");
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "policy.statement[ReadLogs].actions", LK_DIFF_CHANGED,
                 LK_DIFF_WEAKER, NULL);
}
END_TEST

START_TEST(test_deny_insecure_transport_removed)
{
    s_drop_stmt(g_live, "DenyInsecureTransport");
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "policy.statement[DenyInsecureTransport]", LK_DIFF_MISSING,
                 LK_DIFF_WEAKER, NULL);
}
END_TEST

START_TEST(test_admin_exemption_added)
{
    /* ArnNotLike: one more ARN the Deny spares. */
    struct lk_ir_statement *l = s_stmt(g_live, "DenyChangesExceptAdmins");
    lk_ir_list_add(g_live, &l->conditions[0].values, "arn:aws:iam::111122223333:role/Intruder");
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "policy.statement[DenyChangesExceptAdmins].conditions",
                 LK_DIFF_CHANGED, LK_DIFF_WEAKER, NULL);
}
END_TEST

START_TEST(test_deny_turned_allow)
{
    s_stmt(g_live, "DenyInsecureTransport")->allow = true;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "policy.statement[DenyInsecureTransport]", LK_DIFF_CHANGED,
                 LK_DIFF_WEAKER, NULL);
}
END_TEST

START_TEST(test_extra_allow)
{
    struct lk_ir_statement *s = s_copy_stmt(g_live, "ReadLogs", "PublicRead");
    s->principal_kind = LK_IR_PRINCIPAL_ANY;
    s->principals.n = 0;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "policy.statement[PublicRead]", LK_DIFF_EXTRA,
                 LK_DIFF_WEAKER, NULL);
}
END_TEST

START_TEST(test_extra_delivery_grant)
{
    /* Another service writing into the bucket: extra access, and applying the policy would cut
     * its delivery off. */
    struct lk_ir_statement *s = s_copy_stmt(g_live, "LogDeliveryWrite", "AccessLogsWrite");
    s->principals.n = 0;
    lk_ir_list_add(g_live, &s->principals, "logging.s3.amazonaws.com");
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "policy.statement[AccessLogsWrite]", LK_DIFF_EXTRA,
                 LK_DIFF_WEAKER, "stop-delivery:" BUCKET "/AccessLogsWrite");
}
END_TEST

START_TEST(test_extra_statement_covered)
{
    /* AWS's own delivery statement for a narrower path, with the same conditions: it grants
     * nothing the policy does not. */
    struct lk_ir_statement *s = s_copy_stmt(g_live, "LogDeliveryWrite", "AWSLogDeliveryWrite");
    s->resources.items[0] =
        lk_ir_strdup(g_live, "arn:aws:s3:::" BUCKET "/vpcflow/AWSLogs/111122223333/vpcflowlogs/*");
    const struct lk_diff_change *ch =
        s_expect_one(LK_DIFF_BUCKET, BUCKET, "policy.statement[AWSLogDeliveryWrite]", LK_DIFF_EXTRA,
                     LK_DIFF_NEUTRAL, NULL);
    ck_assert_ptr_nonnull(ch->note);
}
END_TEST

START_TEST(test_delivery_narrowed)
{
    /* The organization path is gone from CloudTrail's write grant: member accounts' logs are
     * not delivered. */
    struct lk_ir_statement *l = s_stmt(g_live, "CloudTrailWriteOrgTrail");
    ck_assert_uint_eq(l->resources.n, 2);
    l->resources.n = 1;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "policy.statement[CloudTrailWriteOrgTrail].resources",
                 LK_DIFF_CHANGED, LK_DIFF_WEAKER, NULL);
}
END_TEST

START_TEST(test_delivery_acl_check_removed)
{
    /* CloudTrail checks the bucket ACL before it delivers: without the grant, no logs. */
    s_drop_stmt(g_live, "CloudTrailAclCheckOrgTrail");
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "policy.statement[CloudTrailAclCheckOrgTrail]",
                 LK_DIFF_MISSING, LK_DIFF_WEAKER, NULL);
}
END_TEST

START_TEST(test_delivery_widened_needs_allow)
{
    struct lk_ir_statement *l = s_stmt(g_live, "LogDeliveryWrite");
    l->resources.items[0] = lk_ir_strdup(g_live, "arn:aws:s3:::" BUCKET "/*");
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "policy.statement[LogDeliveryWrite].resources",
                 LK_DIFF_CHANGED, LK_DIFF_WEAKER, "stop-delivery:" BUCKET "/LogDeliveryWrite");
}
END_TEST

START_TEST(test_policy_absent)
{
    s_bucket(g_live)->policy.present = false;
    s_run();
    struct lk_diff_summary s;
    lk_diff_summarize(&g_diff, &s);
    ck_assert_uint_eq(s.to_add, s_bucket(g_desired)->policy.n_statements);
    ck_assert_uint_eq(g_diff.n, s.to_add);
    ck_assert_int_eq(
        lk_diff_find(&g_diff, LK_DIFF_BUCKET, BUCKET, "policy.statement[DenyInsecureTransport]")
            ->direction,
        LK_DIFF_WEAKER);
    ck_assert_int_eq(
        lk_diff_find(&g_diff, LK_DIFF_BUCKET, BUCKET, "policy.statement[CloudTrailWriteOrgTrail]")
            ->direction,
        LK_DIFF_WEAKER);
    ck_assert_int_eq(
        lk_diff_find(&g_diff, LK_DIFF_BUCKET, BUCKET, "policy.statement[ReadLogs]")->direction,
        LK_DIFF_STRONGER);
}
END_TEST

/* ------------------------------------------------------------------------------ bucket settings */

START_TEST(test_versioning_suspended)
{
    s_bucket(g_live)->versioning = LK_IR_VERSIONING_SUSPENDED;
    const struct lk_diff_change *ch =
        s_expect_one(LK_DIFF_BUCKET, BUCKET, "versioning", LK_DIFF_CHANGED, LK_DIFF_WEAKER, NULL);
    ck_assert_str_eq(ch->live, "Suspended");
    ck_assert_str_eq(ch->desired, "Enabled");
}
END_TEST

START_TEST(test_versioning_never)
{
    s_bucket(g_live)->versioning = LK_IR_VERSIONING_NEVER;
    const struct lk_diff_change *ch =
        s_expect_one(LK_DIFF_BUCKET, BUCKET, "versioning", LK_DIFF_CHANGED, LK_DIFF_WEAKER, NULL);
    ck_assert_str_eq(ch->live, "never enabled");
}
END_TEST

START_TEST(test_versioning_not_desired)
{
    /* "Not enabled" is never enabled or suspended alike. */
    s_bucket(g_desired)->versioning = LK_IR_VERSIONING_NEVER;
    s_bucket(g_live)->versioning = LK_IR_VERSIONING_SUSPENDED;
    s_expect_none();
    s_bucket(g_live)->versioning = LK_IR_VERSIONING_ENABLED;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "versioning", LK_DIFF_CHANGED, LK_DIFF_STRONGER,
                 "suspend-versioning:" BUCKET);
}
END_TEST

START_TEST(test_object_lock_absent)
{
    memset(&s_bucket(g_live)->object_lock, 0, sizeof(s_bucket(g_live)->object_lock));
    const struct lk_diff_change *ch =
        s_expect_one(LK_DIFF_BUCKET, BUCKET, "object_lock", LK_DIFF_MISSING, LK_DIFF_WEAKER, NULL);
    ck_assert_str_eq(ch->desired, "GOVERNANCE, 90 days");
    ck_assert_ptr_null(ch->live);
}
END_TEST

START_TEST(test_object_lock_shorter)
{
    s_bucket(g_live)->object_lock.days = 30;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "object_lock.days", LK_DIFF_CHANGED, LK_DIFF_WEAKER, NULL);
}
END_TEST

START_TEST(test_object_lock_longer)
{
    s_bucket(g_live)->object_lock.days = 0;
    s_bucket(g_live)->object_lock.years = 1;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "object_lock.period", LK_DIFF_CHANGED, LK_DIFF_STRONGER,
                 "weaken-object-lock:" BUCKET);
}
END_TEST

START_TEST(test_object_lock_mode)
{
    s_bucket(g_live)->object_lock.mode = LK_IR_LOCK_COMPLIANCE;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "object_lock.mode", LK_DIFF_CHANGED, LK_DIFF_STRONGER,
                 "weaken-object-lock:" BUCKET);
    s_bucket(g_live)->object_lock.mode = LK_IR_LOCK_NONE;
    s_bucket(g_live)->object_lock.days = 0;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "object_lock.mode", LK_DIFF_CHANGED, LK_DIFF_WEAKER, NULL);
}
END_TEST

START_TEST(test_object_lock_not_desired)
{
    memset(&s_bucket(g_desired)->object_lock, 0, sizeof(s_bucket(g_desired)->object_lock));
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "object_lock", LK_DIFF_EXTRA, LK_DIFF_STRONGER,
                 "remove-object-lock:" BUCKET);
}
END_TEST

START_TEST(test_public_access_block)
{
    s_bucket(g_live)->public_access_block.restrict_public_buckets = false;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "public_access_block.restrict_public_buckets",
                 LK_DIFF_CHANGED, LK_DIFF_WEAKER, NULL);
    s_bucket(g_live)->public_access_block.present = false;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "public_access_block", LK_DIFF_MISSING, LK_DIFF_WEAKER,
                 NULL);
}
END_TEST

START_TEST(test_encryption_weaker)
{
    struct lk_ir_bucket *l = s_bucket(g_live);
    l->encryption.algorithm = lk_ir_strdup(g_live, "AES256");
    l->encryption.kms_key_id = NULL;
    l->encryption.bucket_key_enabled = false;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "encryption.algorithm", LK_DIFF_CHANGED, LK_DIFF_WEAKER,
                 NULL);
}
END_TEST

START_TEST(test_encryption_other_key)
{
    s_bucket(g_live)->encryption.kms_key_id = lk_ir_strdup(
        g_live, "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "encryption.kms_key_id", LK_DIFF_CHANGED, LK_DIFF_WEAKER,
                 NULL);
}
END_TEST

START_TEST(test_encryption_key_forms)
{
    /* The alias ARN and the bare alias name are the same key. */
    s_bucket(g_live)->encryption.kms_key_id = lk_ir_strdup(g_live, "alias/security-logs");
    s_expect_none();
}
END_TEST

START_TEST(test_encryption_default)
{
    /* No configuration is SSE-S3, S3's default for every bucket. */
    struct lk_ir_bucket *d = s_bucket(g_desired);
    d->encryption.algorithm = lk_ir_strdup(g_desired, "AES256");
    d->encryption.kms_key_id = NULL;
    d->encryption.bucket_key_enabled = false;
    memset(&s_bucket(g_live)->encryption, 0, sizeof(s_bucket(g_live)->encryption));
    s_expect_none();
}
END_TEST

START_TEST(test_bucket_missing)
{
    s_bucket(g_live)->exists = false;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "", LK_DIFF_MISSING, LK_DIFF_WEAKER, NULL);
    lk_diff_free(&g_diff);
    lk_diff_init(&g_diff);
    g_live->n_buckets = 0;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "", LK_DIFF_MISSING, LK_DIFF_WEAKER, NULL);
}
END_TEST

/* ------------------------------------------------------------------------------ lifecycle */

START_TEST(test_lifecycle_expires_earlier_live)
{
    s_rule(g_live, "logkeep-org-trail")->expiration_days = 365;
    const struct lk_diff_change *ch =
        s_expect_one(LK_DIFF_BUCKET, BUCKET, "lifecycle.rule[logkeep-org-trail].expiration_days",
                     LK_DIFF_CHANGED, LK_DIFF_WEAKER, NULL);
    ck_assert_str_eq(ch->desired, "2557 days");
    ck_assert_str_eq(ch->live, "365 days");
}
END_TEST

START_TEST(test_lifecycle_expires_later_live)
{
    s_rule(g_live, "logkeep-org-trail")->expiration_days = 3650;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "lifecycle.rule[logkeep-org-trail].expiration_days",
                 LK_DIFF_CHANGED, LK_DIFF_STRONGER, "expire-earlier:" BUCKET "/logkeep-org-trail");
}
END_TEST

START_TEST(test_lifecycle_never_expires_live)
{
    s_rule(g_live, "logkeep-vpc-flow")->noncurrent_expiration_days = 0;
    s_expect_one(LK_DIFF_BUCKET, BUCKET,
                 "lifecycle.rule[logkeep-vpc-flow].noncurrent_expiration_days", LK_DIFF_CHANGED,
                 LK_DIFF_STRONGER, "expire-earlier:" BUCKET "/logkeep-vpc-flow");
}
END_TEST

START_TEST(test_lifecycle_rule_missing)
{
    struct lk_ir_lifecycle *lc = &s_bucket(g_live)->lifecycle;
    struct lk_ir_lifecycle_rule *r = s_rule(g_live, "logkeep-vpc-flow");
    size_t i = (size_t)(r - lc->rules);
    memmove(r, r + 1, (lc->n_rules - i - 1) * sizeof(*r));
    lc->n_rules--;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "lifecycle.rule[logkeep-vpc-flow]", LK_DIFF_MISSING,
                 LK_DIFF_STRONGER, "expire-earlier:" BUCKET "/logkeep-vpc-flow");
}
END_TEST

START_TEST(test_lifecycle_extra_rule)
{
    struct lk_ir_lifecycle *lc = &s_bucket(g_live)->lifecycle;
    struct lk_ir_lifecycle_rule *rules =
        lk_arena_alloc(&g_live->arena, (lc->n_rules + 1) * sizeof(*rules));
    memcpy(rules, lc->rules, lc->n_rules * sizeof(*rules));
    struct lk_ir_lifecycle_rule *x = &rules[lc->n_rules];
    x->id = lk_ir_strdup(g_live, "cleanup-everything");
    x->prefix = lk_ir_strdup(g_live, "");
    x->enabled = true;
    x->expiration_days = 30;
    lc->rules = rules;
    lc->n_rules++;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "lifecycle.rule[cleanup-everything]", LK_DIFF_EXTRA,
                 LK_DIFF_WEAKER, NULL);
}
END_TEST

START_TEST(test_lifecycle_disabled_live)
{
    s_rule(g_live, "logkeep-org-trail")->enabled = false;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "lifecycle.rule[logkeep-org-trail].status",
                 LK_DIFF_CHANGED, LK_DIFF_STRONGER, "expire-earlier:" BUCKET "/logkeep-org-trail");
}
END_TEST

START_TEST(test_lifecycle_transition_colder_earlier)
{
    s_rule(g_live, "logkeep-org-trail")->transitions[0].days = 30;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "lifecycle.rule[logkeep-org-trail].transitions",
                 LK_DIFF_CHANGED, LK_DIFF_WEAKER, NULL);
    s_rule(g_live, "logkeep-org-trail")->transitions[0].days = 90;
    s_rule(g_live, "logkeep-org-trail")->transitions[1].storage_class = LK_IR_SC_GLACIER;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "lifecycle.rule[logkeep-org-trail].transitions",
                 LK_DIFF_CHANGED, LK_DIFF_STRONGER, NULL);
}
END_TEST

START_TEST(test_lifecycle_prefix_wider)
{
    s_rule(g_live, "logkeep-vpc-flow")->prefix = lk_ir_strdup(g_live, "");
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "lifecycle.rule[logkeep-vpc-flow].prefix", LK_DIFF_CHANGED,
                 LK_DIFF_WEAKER, NULL);
}
END_TEST

START_TEST(test_lifecycle_min_size)
{
    /* The quickstart transitions small objects (varies_by_storage_class). A live configuration
     * that reports no header is on S3's default, all_storage_classes_128K. */
    ck_assert_int_eq(s_bucket(g_desired)->lifecycle.transition_min_size, LK_IR_TMS_VARIES_BY_CLASS);
    s_bucket(g_live)->lifecycle.transition_min_size = LK_IR_TMS_UNSPECIFIED;
    s_expect_one(LK_DIFF_BUCKET, BUCKET, "lifecycle.transition_min_size", LK_DIFF_CHANGED,
                 LK_DIFF_STRONGER, NULL);
    s_bucket(g_desired)->lifecycle.transition_min_size = LK_IR_TMS_ALL_128K;
    s_expect_none();
}
END_TEST

START_TEST(test_lifecycle_absent)
{
    s_bucket(g_live)->lifecycle.present = false;
    s_run();
    ck_assert_uint_eq(g_diff.n, 3);
    const struct lk_diff_change *ch =
        lk_diff_find(&g_diff, LK_DIFF_BUCKET, BUCKET, "lifecycle.rule[logkeep-org-trail]");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_MISSING);
    ck_assert_int_eq(ch->direction, LK_DIFF_STRONGER);
    ck_assert_str_eq(ch->allow_name, "expire-earlier:" BUCKET "/logkeep-org-trail");
    ch = lk_diff_find(&g_diff, LK_DIFF_BUCKET, BUCKET, "lifecycle.rule[logkeep-housekeeping]");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->direction, LK_DIFF_NEUTRAL);
    ck_assert(!ch->data_loss);
}
END_TEST

START_TEST(test_lifecycle_unmodelled_filter)
{
    const char *ids[1] = {"logkeep-vpc-flow"};
    struct lk_diff_unmodelled um = {LK_DIFF_BUCKET, BUCKET, LK_S3_UNMODELLED_FILTER, ids, 1};
    ck_assert_int_eq(lk_diff_states_ex(g_desired, g_live, &um, 1, &g_diff), LK_DIFF_OK);
    ck_assert_uint_eq(g_diff.n, 1);
    const struct lk_diff_change *ch = &g_diff.changes[0];
    ck_assert_str_eq(ch->attribute, "lifecycle.rule[logkeep-vpc-flow].filter");
    ck_assert_int_eq(ch->kind, LK_DIFF_CHANGED);
    ck_assert_str_eq(ch->allow_name, "expire-earlier:" BUCKET "/logkeep-vpc-flow");

    /* Without the rule IDs, the bucket's lifecycle as a whole. */
    lk_diff_free(&g_diff);
    lk_diff_init(&g_diff);
    um.filter_rule_ids = NULL;
    um.n_filter_rule_ids = 0;
    ck_assert_int_eq(lk_diff_states_ex(g_desired, g_live, &um, 1, &g_diff), LK_DIFF_OK);
    ck_assert_uint_eq(g_diff.n, 1);
    ck_assert_str_eq(g_diff.changes[0].attribute, "lifecycle.filter");
    ck_assert_str_eq(g_diff.changes[0].allow_name, "replace-lifecycle:" BUCKET);
}
END_TEST

/* ------------------------------------------------------------------------------ log groups */

START_TEST(test_log_group_shorter_live)
{
    s_group(g_live, TRAIL_GROUP)->retention_days = 30;
    const struct lk_diff_change *ch = s_expect_one(LK_DIFF_LOG_GROUP, TRAIL_GROUP, "retention_days",
                                                   LK_DIFF_CHANGED, LK_DIFF_WEAKER, NULL);
    ck_assert_str_eq(ch->region, "us-east-1");
    ck_assert_str_eq(ch->desired, "90 days");
    ck_assert_str_eq(ch->live, "30 days");
}
END_TEST

START_TEST(test_log_group_longer_live)
{
    /* Applying the desired 90 days deletes what the live 365 days still holds. */
    s_group(g_live, TRAIL_GROUP)->retention_days = 365;
    s_expect_one(LK_DIFF_LOG_GROUP, TRAIL_GROUP, "retention_days", LK_DIFF_CHANGED,
                 LK_DIFF_STRONGER, "shorten-retention:" TRAIL_GROUP);
}
END_TEST

START_TEST(test_log_group_never_expires_live)
{
    s_group(g_live, TRAIL_GROUP)->retention_days = 0;
    const struct lk_diff_change *ch =
        s_expect_one(LK_DIFF_LOG_GROUP, TRAIL_GROUP, "retention_days", LK_DIFF_CHANGED,
                     LK_DIFF_STRONGER, "shorten-retention:" TRAIL_GROUP);
    ck_assert_str_eq(ch->live, "never expire");
}
END_TEST

START_TEST(test_log_group_missing)
{
    s_group(g_live, TRAIL_GROUP)->exists = false;
    s_expect_one(LK_DIFF_LOG_GROUP, TRAIL_GROUP, "", LK_DIFF_MISSING, LK_DIFF_WEAKER, NULL);
}
END_TEST

START_TEST(test_pattern_match)
{
    s_group(g_live, "/app/payments/worker")->retention_days = 30;
    const struct lk_diff_change *ch =
        s_expect_one(LK_DIFF_LOG_GROUP, "/app/payments/worker", "retention_days", LK_DIFF_CHANGED,
                     LK_DIFF_WEAKER, NULL);
    ck_assert_ptr_nonnull(strstr(ch->note, PATTERN));
}
END_TEST

START_TEST(test_pattern_other_region)
{
    /* A group of the same name in another region is not governed by the pattern. */
    struct lk_ir_log_group *g = s_group(g_live, "/app/payments/worker");
    g->region = lk_ir_strdup(g_live, "eu-west-1");
    g->retention_days = 1;
    s_expect_none();
}
END_TEST

START_TEST(test_pattern_matches_nothing)
{
    s_group(g_live, "/app/payments/api")->exists = false;
    s_group(g_live, "/app/payments/worker")->name = lk_ir_strdup(g_live, "/app/orders/worker");
    const struct lk_diff_change *ch =
        s_expect_one(LK_DIFF_LOG_GROUP, PATTERN, "", LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL);
    ck_assert_ptr_nonnull(ch->note);
    struct lk_diff_summary s;
    lk_diff_summarize(&g_diff, &s);
    ck_assert_uint_eq(s.notes, 1);
    ck_assert_uint_eq(s.to_add + s.to_change + s.to_remove, 0);
}
END_TEST

START_TEST(test_unmanaged)
{
    struct lk_ir_log_group groups[6];
    memset(groups, 0, sizeof(groups));
    const char *names[6] = {"/aws/lambda/x", "/aws/lambda/y",       "/aws/codebuild/z",
                            TRAIL_GROUP,     "/app/payments/batch", "/aws/lambda/short"};
    int32_t days[6] = {0, 365, 731, 0, 0, 7};
    for (int i = 0; i < 6; i++) {
        groups[i].name = lk_ir_strdup(g_live, names[i]);
        groups[i].region = lk_ir_strdup(g_live, "us-east-1");
        groups[i].retention_days = days[i];
        groups[i].exists = true;
    }
    ck_assert_int_eq(lk_diff_log_groups_unmanaged(g_desired, groups, 6, &g_diff), LK_DIFF_OK);
    char *text = s_render(&g_diff);
    /* The trail's group and the pattern's are managed; /aws/lambda/y has the rule's 365 days. */
    ck_assert_msg(g_diff.n == 3, "%s", text);
    free(text);
    const struct lk_diff_change *ch =
        lk_diff_find(&g_diff, LK_DIFF_UNMANAGED_LOG_GROUP, "/aws/lambda/x", "retention_days");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_CHANGED);
    ck_assert_int_eq(ch->direction, LK_DIFF_STRONGER);
    /* One allowance covers every group only the unmanaged rule governs. */
    ck_assert_str_eq(ch->allow_name, LK_DIFF_ALLOW_UNMANAGED_RETENTION);
    ck_assert_str_eq(ch->allow_name, "unmanaged-retention");
    ck_assert_str_eq(ch->desired, "365 days");
    ck_assert_str_eq(ch->live, "never expire");
    ch = lk_diff_find(&g_diff, LK_DIFF_UNMANAGED_LOG_GROUP, "/aws/codebuild/z", "retention_days");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->direction, LK_DIFF_STRONGER);
    ck_assert(ch->data_loss);
    ch = lk_diff_find(&g_diff, LK_DIFF_UNMANAGED_LOG_GROUP, "/aws/lambda/short", "retention_days");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->direction, LK_DIFF_WEAKER);
    ck_assert(!ch->data_loss);

    /* Without an unmanaged rule, never-expire groups are notes. */
    lk_diff_free(&g_diff);
    lk_diff_init(&g_diff);
    g_desired->unmanaged_set = false;
    ck_assert_int_eq(lk_diff_log_groups_unmanaged(g_desired, groups, 6, &g_diff), LK_DIFF_OK);
    ck_assert_uint_eq(g_diff.n, 1);
    ck_assert_int_eq(g_diff.changes[0].kind, LK_DIFF_NOTE);
    ck_assert_str_eq(g_diff.changes[0].name, "/aws/lambda/x");
}
END_TEST

/* The unmanaged rule's changes become PutRetentionPolicy calls, and shortening (never-expire
 * included) needs --allow unmanaged-retention, lengthening does not. */
START_TEST(test_unmanaged_apply)
{
    struct lk_ir_log_group groups[4];
    memset(groups, 0, sizeof(groups));
    const char *names[4] = {"/aws/lambda/x", "/aws/lambda/y", "/aws/lambda/short", TRAIL_GROUP};
    int32_t days[4] = {0, 365, 7, 0};
    for (int i = 0; i < 4; i++) {
        groups[i].name = lk_ir_strdup(g_live, names[i]);
        groups[i].region = lk_ir_strdup(g_live, "us-east-1");
        groups[i].retention_days = days[i];
        groups[i].exists = true;
    }
    ck_assert_int_eq(lk_diff_log_groups_unmanaged(g_desired, groups, 4, &g_diff), LK_DIFF_OK);
    struct lk_artifacts arts;
    lk_artifacts_init(&arts);
    ck_assert_int_eq(lk_emit_all(g_desired, &arts), LK_STATUS_OK);
    struct lk_apply_plan plan;
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build(g_desired, &g_diff, &arts, &plan), LK_APPLY_OK);
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
    ck_assert_int_eq(lk_diff_log_groups_unmanaged(g_desired, &groups[2], 1, &g_diff), LK_DIFF_OK);
    ck_assert_uint_eq(lk_apply_missing_allows(&g_diff, NULL, 0, NULL), 0);
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build(g_desired, &g_diff, &arts, &plan), LK_APPLY_OK);
    ck_assert_uint_eq(plan.n, 1);
    lk_apply_plan_free(&plan);

    /* Without the rule nothing is applied to them (never-expire groups are notes). */
    lk_diff_free(&g_diff);
    lk_diff_init(&g_diff);
    g_desired->unmanaged_set = false;
    ck_assert_int_eq(lk_diff_log_groups_unmanaged(g_desired, groups, 4, &g_diff), LK_DIFF_OK);
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build(g_desired, &g_diff, &arts, &plan), LK_APPLY_OK);
    ck_assert_uint_eq(plan.n, 0);
    lk_apply_plan_free(&plan);
    lk_artifacts_free(&arts);
}
END_TEST

/* ------------------------------------------------------------------------------ unmanaged stores
 */

/* An unmanaged store in g_live's arena, receiving the logs of one trail with @p key_prefix. */
static struct lk_ir_unmanaged_store s_store(const char *bucket, const char *key_prefix)
{
    struct lk_ir_unmanaged_store u;
    memset(&u, 0, sizeof(u));
    u.bucket = lk_ir_strdup(g_live, bucket);
    u.region = lk_ir_strdup(g_live, "us-east-1");
    u.exists = true;
    u.deliveries = lk_arena_alloc(&g_live->arena, 2 * sizeof(*u.deliveries));
    memset(u.deliveries, 0, 2 * sizeof(*u.deliveries));
    u.deliveries[0].service = lk_ir_strdup(g_live, "cloudtrail");
    u.deliveries[0].name = lk_ir_strdup(g_live, "legacy-trail");
    u.deliveries[0].region = lk_ir_strdup(g_live, "us-east-1");
    u.deliveries[0].key_prefix = lk_ir_strdup(g_live, key_prefix);
    u.n_deliveries = 1;
    return u;
}

/* Gives @p u a lifecycle of one rule. */
static void s_store_rule(struct lk_ir_unmanaged_store *u, const char *prefix, bool enabled,
                         int32_t expiration_days)
{
    struct lk_ir_lifecycle_rule *r = lk_arena_alloc(&g_live->arena, sizeof(*r));
    memset(r, 0, sizeof(*r));
    r->id = lk_ir_strdup(g_live, "rule");
    r->prefix = lk_ir_strdup(g_live, prefix);
    r->enabled = enabled;
    r->expiration_days = expiration_days;
    u->lifecycle.present = true;
    u->lifecycle.rules = r;
    u->lifecycle.n_rules = 1;
}

/* Diffs one store into a fresh g_diff. @return the number of changes. */
static size_t s_diff_store(const struct lk_ir_unmanaged_store *u)
{
    lk_diff_free(&g_diff);
    lk_diff_init(&g_diff);
    ck_assert_int_eq(lk_diff_stores_unmanaged(g_desired, u, 1, &g_diff), LK_DIFF_OK);
    return g_diff.n;
}

START_TEST(test_store_no_lifecycle)
{
    struct lk_ir_unmanaged_store u = s_store("legacy-logs", NULL);
    ck_assert_uint_eq(s_diff_store(&u), 1);
    const struct lk_diff_change *ch =
        lk_diff_find(&g_diff, LK_DIFF_UNMANAGED_STORE, "legacy-logs", "lifecycle");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_EXTRA);
    ck_assert_int_eq(ch->direction, LK_DIFF_STRONGER);
    ck_assert(!ch->data_loss);
    ck_assert_str_eq(ch->live, "none");
    ck_assert_ptr_null(ch->desired);
    ck_assert_str_eq(ch->region, "us-east-1");
    ck_assert_ptr_nonnull(strstr(ch->note, "trail legacy-trail (us-east-1)"));
    ck_assert_ptr_nonnull(strstr(ch->note, "no lifecycle configuration: kept forever"));
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

    /* Without an unmanaged rule in the policy: a note, as a never-expire log group. */
    g_desired->unmanaged_set = false;
    ck_assert_uint_eq(s_diff_store(&u), 1);
    ck_assert_int_eq(g_diff.changes[0].kind, LK_DIFF_NOTE);
    ck_assert_str_eq(g_diff.changes[0].attribute, "lifecycle");
    struct lk_diff_summary sum;
    lk_diff_summarize(&g_diff, &sum);
    ck_assert_uint_eq(sum.to_add + sum.to_change + sum.to_remove, 0);
}
END_TEST

START_TEST(test_store_lifecycle_without_expiration)
{
    /* Transitions only (no Expiration), a disabled rule, an expiration of another prefix: the
     * trail's logs stay forever. */
    struct lk_ir_unmanaged_store u = s_store("legacy-logs", NULL);
    s_store_rule(&u, "", true, 0);
    ck_assert_uint_eq(s_diff_store(&u), 1);
    const struct lk_diff_change *ch =
        lk_diff_find(&g_diff, LK_DIFF_UNMANAGED_STORE, "legacy-logs", "lifecycle.expiration");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_EXTRA);
    ck_assert_ptr_nonnull(strstr(ch->note, "no lifecycle rule expires them"));

    s_store_rule(&u, "", false, 30);
    ck_assert_uint_eq(s_diff_store(&u), 1);
    s_store_rule(&u, "other/", true, 30);
    ck_assert_uint_eq(s_diff_store(&u), 1);
    /* The trail writes under "old/AWSLogs/": "old" without the slash is not its prefix. */
    u = s_store("legacy-logs", "old");
    s_store_rule(&u, "older/", true, 30);
    ck_assert_uint_eq(s_diff_store(&u), 1);
}
END_TEST

START_TEST(test_store_lifecycle_expires)
{
    /* Rules that reach where the trail writes: the whole bucket, its prefix, or narrower. */
    const char *cases[][2] = {
        {NULL, ""},
        {NULL, "AWSLogs/"},
        {NULL, "AWSLogs/111122223333/"},
        {"old", ""},
        {"old", "old/"},
        {"old", "old/AWSLogs/"},
        {"a/b", "a/"},
        {"a/b", "a/b/AWSLogs/1111/"},
        {"", "AWSLogs"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lk_ir_unmanaged_store u = s_store("legacy-logs", cases[i][0]);
        s_store_rule(&u, cases[i][1], true, 365);
        ck_assert_msg(s_diff_store(&u) == 0, "prefix %s, rule %s", cases[i][0], cases[i][1]);
    }
}
END_TEST

START_TEST(test_store_several_deliveries)
{
    /* Two trails, one under a prefix the rule expires: only the other one is named. */
    struct lk_ir_unmanaged_store u = s_store("shared-logs", "kept");
    u.deliveries[1] = u.deliveries[0];
    u.deliveries[1].name = lk_ir_strdup(g_live, "expiring-trail");
    u.deliveries[1].key_prefix = lk_ir_strdup(g_live, "short");
    u.n_deliveries = 2;
    s_store_rule(&u, "short/", true, 90);
    ck_assert_uint_eq(s_diff_store(&u), 1);
    const char *note = g_diff.changes[0].note;
    ck_assert_ptr_nonnull(strstr(note, "trail legacy-trail"));
    ck_assert_ptr_null(strstr(note, "expiring-trail"));
}
END_TEST

START_TEST(test_store_notes)
{
    /* A bucket that refuses the reads (another account's), one that does not exist, and one
     * whose lifecycle holds rules the IR cannot hold: notes, never drift. */
    struct lk_ir_unmanaged_store u[3];
    u[0] = s_store("denied-logs", NULL);
    u[0].error = lk_ir_strdup(g_live, "AccessDenied");
    u[1] = s_store("gone-logs", NULL);
    u[1].exists = false;
    u[1].region = NULL;
    u[2] = s_store("tagged-logs", NULL);
    s_store_rule(&u[2], "", true, 0);
    u[2].lifecycle_unmodelled = true;
    ck_assert_int_eq(lk_diff_stores_unmanaged(g_desired, u, 3, &g_diff), LK_DIFF_OK);
    ck_assert_uint_eq(g_diff.n, 3);
    struct lk_diff_summary sum;
    lk_diff_summarize(&g_diff, &sum);
    ck_assert_uint_eq(sum.notes, 3);
    const struct lk_diff_change *ch =
        lk_diff_find(&g_diff, LK_DIFF_UNMANAGED_STORE, "denied-logs", "lifecycle");
    ck_assert_ptr_nonnull(ch);
    ck_assert_ptr_nonnull(strstr(ch->note, "cannot be read (AccessDenied)"));
    ch = lk_diff_find(&g_diff, LK_DIFF_UNMANAGED_STORE, "gone-logs", "");
    ck_assert_ptr_nonnull(ch);
    ck_assert_ptr_nonnull(strstr(ch->note, "does not exist"));
    ch = lk_diff_find(&g_diff, LK_DIFF_UNMANAGED_STORE, "tagged-logs", "lifecycle.expiration");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_NOTE);

    /* A rule the IR holds that expires the logs settles it, unmodelled rules or not. */
    s_store_rule(&u[2], "", true, 30);
    ck_assert_uint_eq(s_diff_store(&u[2]), 0);
}
END_TEST

START_TEST(test_store_governed)
{
    /* A bucket the policy names is diffed as a bucket, never as an unmanaged store. */
    struct lk_ir_unmanaged_store u = s_store(BUCKET, NULL);
    ck_assert_uint_eq(s_diff_store(&u), 0);
    ck_assert_int_eq(lk_diff_stores_unmanaged(g_desired, NULL, 1, &g_diff), LK_DIFF_EINVAL);
    ck_assert_int_eq(lk_diff_stores_unmanaged(NULL, &u, 1, &g_diff), LK_DIFF_EINVAL);
    ck_assert_int_eq(lk_diff_stores_unmanaged(g_desired, NULL, 0, &g_diff), LK_DIFF_OK);
}
END_TEST

/* ------------------------------------------------------------------------------ trails */

START_TEST(test_trail_logging_stopped)
{
    s_trail(g_live)->is_logging = false;
    s_expect_one(LK_DIFF_TRAIL, TRAIL, "trail.is_logging", LK_DIFF_CHANGED, LK_DIFF_WEAKER, NULL);
}
END_TEST

START_TEST(test_trail_stop_logging_desired)
{
    s_trail(g_desired)->is_logging = false;
    s_expect_one(LK_DIFF_TRAIL, TRAIL, "trail.is_logging", LK_DIFF_CHANGED, LK_DIFF_STRONGER,
                 "stop-logging:" TRAIL);
}
END_TEST

START_TEST(test_trail_validation_off)
{
    s_trail(g_live)->enable_log_file_validation = false;
    s_expect_one(LK_DIFF_TRAIL, TRAIL, "trail.enable_log_file_validation", LK_DIFF_CHANGED,
                 LK_DIFF_WEAKER, NULL);
}
END_TEST

START_TEST(test_trail_single_region)
{
    s_trail(g_live)->is_multi_region_trail = false;
    s_expect_one(LK_DIFF_TRAIL, TRAIL, "trail.is_multi_region_trail", LK_DIFF_CHANGED,
                 LK_DIFF_WEAKER, NULL);
}
END_TEST

START_TEST(test_trail_management_events_off)
{
    s_trail(g_live)->event_selectors[0].include_management_events = false;
    s_expect_one(LK_DIFF_TRAIL, TRAIL, "trail.event_selectors", LK_DIFF_CHANGED, LK_DIFF_WEAKER,
                 NULL);
}
END_TEST

START_TEST(test_trail_selectors_same_coverage)
{
    /* ReadOnly plus WriteOnly records what All records. */
    struct lk_ir_trail *t = s_trail(g_live);
    struct lk_ir_event_selector *e = lk_arena_alloc(&g_live->arena, 2 * sizeof(*e));
    e[0] = t->event_selectors[0];
    e[1] = t->event_selectors[0];
    e[0].read_write_type = lk_ir_strdup(g_live, "ReadOnly");
    e[1].read_write_type = lk_ir_strdup(g_live, "WriteOnly");
    t->event_selectors = e;
    t->n_event_selectors = 2;
    s_expect_none();
    /* Only reads: management write events are lost. */
    t->n_event_selectors = 1;
    s_expect_one(LK_DIFF_TRAIL, TRAIL, "trail.event_selectors", LK_DIFF_CHANGED, LK_DIFF_WEAKER,
                 NULL);
}
END_TEST

START_TEST(test_trail_more_events_live)
{
    /* Live also records S3 data events; the policy's selectors would drop them. */
    struct lk_ir_event_selector *e = &s_trail(g_live)->event_selectors[0];
    e->data_resources = lk_arena_alloc(&g_live->arena, sizeof(*e->data_resources));
    e->n_data_resources = 1;
    e->data_resources[0].type = lk_ir_strdup(g_live, "AWS::S3::Object");
    lk_ir_list_add(g_live, &e->data_resources[0].values, "arn:aws:s3");
    s_expect_one(LK_DIFF_TRAIL, TRAIL, "trail.event_selectors", LK_DIFF_CHANGED, LK_DIFF_STRONGER,
                 "reduce-logging:" TRAIL);
}
END_TEST

START_TEST(test_trail_missing)
{
    s_trail(g_live)->exists = false;
    s_expect_one(LK_DIFF_TRAIL, TRAIL, "", LK_DIFF_MISSING, LK_DIFF_WEAKER, NULL);
}
END_TEST

START_TEST(test_trail_spellings)
{
    /* CloudWatchLogsLogGroupArn without the ":*" suffix, S3KeyPrefix with a trailing '/'. */
    struct lk_ir_trail *t = s_trail(g_live);
    size_t n = strlen(t->cloud_watch_logs_log_group_arn);
    t->cloud_watch_logs_log_group_arn[n - 2] = '\0';
    t->s3_key_prefix = lk_ir_strdup(g_live, "cloudtrail/");
    s_expect_none();
}
END_TEST

START_TEST(test_trail_advanced_selectors)
{
    s_trail(g_live)->n_event_selectors = 0;
    struct lk_diff_unmodelled um = {LK_DIFF_TRAIL, TRAIL,
                                    LK_CLOUDTRAIL_UNMODELLED_ADVANCED_SELECTORS, NULL, 0};
    ck_assert_int_eq(lk_diff_states_ex(g_desired, g_live, &um, 1, &g_diff), LK_DIFF_OK);
    ck_assert_uint_eq(g_diff.n, 1);
    ck_assert_str_eq(g_diff.changes[0].attribute, "trail.event_selectors");
    ck_assert_int_eq(g_diff.changes[0].direction, LK_DIFF_NEUTRAL);
    ck_assert_str_eq(g_diff.changes[0].allow_name, "reduce-logging:" TRAIL);
}
END_TEST

/* ------------------------------------------------------------------------------ output */

/* Several changes of every kind. */
static void s_mixed_drift(void)
{
    s_bucket(g_live)->versioning = LK_IR_VERSIONING_SUSPENDED;                      /* ~ weaker */
    s_drop_stmt(g_live, "DenyInsecureTransport");                                   /* + weaker */
    s_copy_stmt(g_live, "ReadLogs", "Extra")->principal_kind = LK_IR_PRINCIPAL_ANY; /* - weaker */
    s_group(g_live, TRAIL_GROUP)->retention_days = 0;                               /* ~ allow */
    s_group(g_live, "/app/payments/api")->retention_days = 545;                     /* ~ allow */
    s_trail(g_live)->is_logging = false;                                            /* ~ weaker */
    s_run();
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
    ck_assert_ptr_nonnull(strstr(text, "  + policy.statement[DenyInsecureTransport] = Deny * "));
    ck_assert_ptr_nonnull(strstr(text, "  - policy.statement[Extra] = Allow * "));
    ck_assert_ptr_nonnull(strstr(text, "  ~ retention_days: never expire -> 90 days  [stronger]  "
                                       "(needs --allow shorten-retention:" TRAIL_GROUP ")\n"));
    ck_assert_ptr_nonnull(strstr(text, "trail " TRAIL " (us-east-1):\n"));
    ck_assert_ptr_null(strstr(text, "\033["));
    free(text);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_int_eq(lk_diff_render_text(&g_diff, f, true), LK_DIFF_OK);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "\033[1;31m[weaker]"));
    free(buf);
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
    ck_assert_int_eq(lk_diff_states(g_desired, g_live, &again), LK_DIFF_OK);
    char *second = lk_diff_to_json(&again);
    ck_assert_str_eq(first, second);
    free(first);
    free(second);
    lk_diff_free(&again);
}
END_TEST

START_TEST(test_invalid_arguments)
{
    ck_assert_int_eq(lk_diff_states(NULL, g_live, &g_diff), LK_DIFF_EINVAL);
    ck_assert_int_eq(lk_diff_states(g_desired, NULL, &g_diff), LK_DIFF_EINVAL);
    ck_assert_int_eq(lk_diff_states(g_desired, g_live, NULL), LK_DIFF_EINVAL);
    ck_assert_int_eq(lk_diff_states_ex(g_desired, g_live, NULL, 1, &g_diff), LK_DIFF_EINVAL);
    ck_assert_int_eq(lk_diff_log_groups_unmanaged(g_desired, NULL, 1, &g_diff), LK_DIFF_EINVAL);
    ck_assert_int_eq(lk_diff_render_text(NULL, stdout, false), LK_DIFF_EINVAL);
    ck_assert_ptr_null(lk_diff_to_json(NULL));
    ck_assert_uint_eq(g_diff.n, 0);
}
END_TEST

static Suite *s_suite(void)
{
    Suite *s = suite_create("diff");
    TCase *tc;

    tc = tcase_create("same");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_add_test(tc, test_identical);
    tcase_add_test(tc, test_order_does_not_matter);
    tcase_add_test(tc, test_policy_spellings);
    tcase_add_test(tc, test_policy_forms_in_ir);
    tcase_add_test(tc, test_policy_sid_only);
    suite_add_tcase(s, tc);

    tc = tcase_create("policy");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_add_test(tc, test_reader_added);
    tcase_add_test(tc, test_reader_removed);
    tcase_add_test(tc, test_read_actions_widened);
    tcase_add_test(tc, test_deny_insecure_transport_removed);
    tcase_add_test(tc, test_admin_exemption_added);
    tcase_add_test(tc, test_deny_turned_allow);
    tcase_add_test(tc, test_extra_allow);
    tcase_add_test(tc, test_extra_delivery_grant);
    tcase_add_test(tc, test_extra_statement_covered);
    tcase_add_test(tc, test_delivery_narrowed);
    tcase_add_test(tc, test_delivery_acl_check_removed);
    tcase_add_test(tc, test_delivery_widened_needs_allow);
    tcase_add_test(tc, test_policy_absent);
    suite_add_tcase(s, tc);

    tc = tcase_create("bucket");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_add_test(tc, test_versioning_suspended);
    tcase_add_test(tc, test_versioning_never);
    tcase_add_test(tc, test_versioning_not_desired);
    tcase_add_test(tc, test_object_lock_absent);
    tcase_add_test(tc, test_object_lock_shorter);
    tcase_add_test(tc, test_object_lock_longer);
    tcase_add_test(tc, test_object_lock_mode);
    tcase_add_test(tc, test_object_lock_not_desired);
    tcase_add_test(tc, test_public_access_block);
    tcase_add_test(tc, test_encryption_weaker);
    tcase_add_test(tc, test_encryption_other_key);
    tcase_add_test(tc, test_encryption_key_forms);
    tcase_add_test(tc, test_encryption_default);
    tcase_add_test(tc, test_bucket_missing);
    suite_add_tcase(s, tc);

    tc = tcase_create("lifecycle");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_add_test(tc, test_lifecycle_expires_earlier_live);
    tcase_add_test(tc, test_lifecycle_expires_later_live);
    tcase_add_test(tc, test_lifecycle_never_expires_live);
    tcase_add_test(tc, test_lifecycle_rule_missing);
    tcase_add_test(tc, test_lifecycle_extra_rule);
    tcase_add_test(tc, test_lifecycle_disabled_live);
    tcase_add_test(tc, test_lifecycle_transition_colder_earlier);
    tcase_add_test(tc, test_lifecycle_prefix_wider);
    tcase_add_test(tc, test_lifecycle_min_size);
    tcase_add_test(tc, test_lifecycle_absent);
    tcase_add_test(tc, test_lifecycle_unmodelled_filter);
    suite_add_tcase(s, tc);

    tc = tcase_create("log_groups");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_add_test(tc, test_log_group_shorter_live);
    tcase_add_test(tc, test_log_group_longer_live);
    tcase_add_test(tc, test_log_group_never_expires_live);
    tcase_add_test(tc, test_log_group_missing);
    tcase_add_test(tc, test_pattern_match);
    tcase_add_test(tc, test_pattern_other_region);
    tcase_add_test(tc, test_pattern_matches_nothing);
    tcase_add_test(tc, test_unmanaged);
    tcase_add_test(tc, test_unmanaged_apply);
    suite_add_tcase(s, tc);

    tc = tcase_create("unmanaged_stores");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_add_test(tc, test_store_no_lifecycle);
    tcase_add_test(tc, test_store_lifecycle_without_expiration);
    tcase_add_test(tc, test_store_lifecycle_expires);
    tcase_add_test(tc, test_store_several_deliveries);
    tcase_add_test(tc, test_store_notes);
    tcase_add_test(tc, test_store_governed);
    suite_add_tcase(s, tc);

    tc = tcase_create("trails");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_add_test(tc, test_trail_logging_stopped);
    tcase_add_test(tc, test_trail_stop_logging_desired);
    tcase_add_test(tc, test_trail_validation_off);
    tcase_add_test(tc, test_trail_single_region);
    tcase_add_test(tc, test_trail_management_events_off);
    tcase_add_test(tc, test_trail_selectors_same_coverage);
    tcase_add_test(tc, test_trail_more_events_live);
    tcase_add_test(tc, test_trail_missing);
    tcase_add_test(tc, test_trail_spellings);
    tcase_add_test(tc, test_trail_advanced_selectors);
    suite_add_tcase(s, tc);

    tc = tcase_create("output");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_add_test(tc, test_json);
    tcase_add_test(tc, test_text);
    tcase_add_test(tc, test_order_and_determinism);
    tcase_add_test(tc, test_invalid_arguments);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return lk_test_run(s_suite());
}
