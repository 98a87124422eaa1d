/*
 * Unit tests: lowering to the IR and emitting payloads.
 */
#include "lk_test.h"
#include "runtime/state_json.h"

#include <stdio.h>

#include "compiler/compile.h"
#include "compiler/lower.h"

#define POLICY                                                                                     \
    LK_TEST_HEADER                                                                                 \
    "roles:\n"                                                                                     \
    "  r: { principals: [\"arn:aws:iam::111122223333:role/Reader\", \"111122223333\"], access: "   \
    "read }\n"                                                                                     \
    "  a: { principals: [\"arn:aws:iam::111122223333:role/Admin\"], access: admin }\n"             \
    "stores:\n"                                                                                    \
    "  s:\n"                                                                                       \
    "    bucket: unit-logs-111122223333\n"                                                         \
    "    transition_small_objects: false\n"                                                        \
    "    readers: [r]\n"                                                                           \
    "    admins: [a]\n"                                                                            \
    "sources:\n"                                                                                   \
    "  b-flow:\n"                                                                                  \
    "    type: vpc-flow-logs\n"                                                                    \
    "    purpose: network forensics\n"                                                             \
    "    store: s\n"                                                                               \
    "    prefix: flow/\n"                                                                          \
    "    retention: { available: 90d, archive: [{after: 90d, class: glacier-ir}, {after: 1y, "     \
    "class: deep-archive}], delete_after: 3y }\n"                                                  \
    "  a-flow:\n"                                                                                  \
    "    type: vpc-flow-logs\n"                                                                    \
    "    purpose: network forensics\n"                                                             \
    "    store: s\n"                                                                               \
    "    prefix: flow/\n"                                                                          \
    "    retention: { available: 90d, archive: [{after: 90d, class: glacier-ir}, {after: 1y, "     \
    "class: deep-archive}], delete_after: 3y }\n"                                                  \
    "  app:\n"                                                                                     \
    "    type: cloudwatch-logs\n"                                                                  \
    "    purpose: payment disputes\n"                                                              \
    "    log_groups: [\"/app/x\", \"/app/y/*\"]\n"                                                 \
    "    retention: { delete_after: 100d }\n"

static struct lk_policy *s_checked(const char *yaml)
{
    struct lk_policy *p = lk_test_policy(yaml);
    for (size_t i = 0; i < p->diags.n; i++)
        if (p->diags.items[i].severity == LK_SEV_ERROR)
            ck_abort_msg("%s: %s", p->diags.items[i].rule->id, p->diags.items[i].message);
    return p;
}

START_TEST(test_lower_buckets)
{
    struct lk_policy *p = s_checked(POLICY);
    struct lk_ir_state *st = lk_lower(p);
    ck_assert_uint_eq(st->n_buckets, 1);
    struct lk_ir_bucket *b = &st->buckets[0];
    ck_assert_str_eq(b->name, "unit-logs-111122223333");
    ck_assert_str_eq(b->region, "us-east-1");
    ck_assert_int_eq(b->versioning, LK_IR_VERSIONING_ENABLED);
    ck_assert(b->public_access_block.present && b->public_access_block.restrict_public_buckets);
    ck_assert_str_eq(b->encryption.algorithm, "AES256");
    ck_assert(!b->object_lock.enabled);
    /* Two sources with one prefix and one retention share one rule, named after the first. */
    ck_assert_uint_eq(b->lifecycle.n_rules, 2);
    ck_assert_int_eq(b->lifecycle.transition_min_size, LK_IR_TMS_ALL_128K);
    struct lk_ir_lifecycle_rule *r = &b->lifecycle.rules[0];
    ck_assert_str_eq(r->id, "logkeep-a-flow");
    ck_assert_str_eq(r->prefix, "flow/");
    ck_assert_uint_eq(r->sources.n, 2);
    ck_assert_int_eq(r->expiration_days, 1096);
    ck_assert_uint_eq(r->n_transitions, 2);
    ck_assert_int_eq(r->transitions[1].storage_class, LK_IR_SC_DEEP_ARCHIVE);
    ck_assert_int_eq(r->noncurrent_expiration_days, 30);
    ck_assert_str_eq(b->lifecycle.rules[1].id, "logkeep-housekeeping");
    ck_assert(b->lifecycle.rules[1].expired_object_delete_marker);
    /* Statements sorted by Sid; readers include the account root form of a bare ID. */
    ck_assert_str_eq(b->policy.statements[0].sid, "DenyChangesExceptAdmins");
    const struct lk_ir_statement *read = lk_lower_find_statement(b, "ReadLogs");
    ck_assert_ptr_nonnull(read);
    ck_assert_uint_eq(read->principals.n, 2);
    ck_assert_str_eq(read->principals.items[0], "arn:aws:iam::111122223333:role/Reader");
    ck_assert_str_eq(read->principals.items[1], "arn:aws:iam::111122223333:root");
    ck_assert_ptr_nonnull(lk_lower_find_statement(b, "LogDeliveryWrite"));
    for (size_t i = 0; i < b->policy.n_statements; i++)
        ck_assert_msg(!(b->policy.statements[i].allow &&
                        b->policy.statements[i].principal_kind == LK_IR_PRINCIPAL_ANY),
                      "Allow to * in %s", b->policy.statements[i].sid);
    /* Log groups: exact and pattern, 100 days rounded up to 120. */
    ck_assert_uint_eq(st->n_log_groups, 2);
    ck_assert_str_eq(st->log_groups[0].name, "/app/x");
    ck_assert(!st->log_groups[0].pattern);
    ck_assert(st->log_groups[1].pattern);
    ck_assert_int_eq(st->log_groups[0].retention_days, 120);
    ck_assert_int_eq(st->log_groups[0].wanted_days, 100);
    lk_ir_state_free(st);
    lk_policy_free(p);
}
END_TEST

START_TEST(test_emit_deterministic)
{
    struct lk_policy *p = s_checked(POLICY);
    struct lk_ir_state *st1, *st2;
    struct lk_artifacts a1, a2;
    lk_artifacts_init(&a1);
    lk_artifacts_init(&a2);
    ck_assert_int_eq(lk_compile(p, &st1, &a1), 0);
    ck_assert_int_eq(lk_compile(p, &st2, &a2), 0);
    ck_assert_uint_eq(a1.n, a2.n);
    for (size_t i = 0; i < a1.n; i++) {
        ck_assert_str_eq(a1.items[i].path, a2.items[i].path);
        ck_assert_str_eq(a1.items[i].sha256, a2.items[i].sha256);
        /* Found by bisection in the sorted set, each at its own place. */
        ck_assert_ptr_eq(lk_artifacts_find(&a1, a1.items[i].path), &a1.items[i]);
    }
    ck_assert(a1.sorted);
    ck_assert_ptr_null(lk_artifacts_find(&a1, "s3/aaa/none.xml"));
    ck_assert_ptr_null(lk_artifacts_find(&a1, "zzz"));
    const struct lk_artifact *lc =
        lk_artifacts_find(&a1, "s3/unit-logs-111122223333/lifecycle.xml");
    ck_assert_ptr_nonnull(lc);
    ck_assert_ptr_nonnull(
        strstr(lc->content, "<Filter>\n      <Prefix>flow/</Prefix>\n    </Filter>"));
    ck_assert_ptr_null(strstr(lc->content, "<Rule>\n    <Prefix>"));
    ck_assert_ptr_nonnull(strstr(lc->headers, "all_storage_classes_128K"));
    ck_assert_ptr_nonnull(lk_artifacts_find(&a1, "logs/us-east-1/retention.json"));
    ck_assert_ptr_null(lk_artifacts_find(&a1, "s3/unit-logs-111122223333/object-lock.xml"));
    /* The state-only compilation lowers to the same state. */
    struct lk_ir_state *st3;
    ck_assert_int_eq(lk_compile_state(p, &st3), 0);
    char *j1 = lk_ir_state_to_json(st1), *j3 = lk_ir_state_to_json(st3);
    ck_assert_str_eq(j1, j3);
    free(j1);
    free(j3);
    lk_ir_state_free(st3);
    char *m = lk_emit_manifest(st1, &a1);
    ck_assert_ptr_nonnull(strstr(m, a1.items[0].sha256));
    free(m);
    lk_ir_state_free(st1);
    lk_ir_state_free(st2);
    lk_artifacts_free(&a1);
    lk_artifacts_free(&a2);
    lk_policy_free(p);
}
END_TEST

START_TEST(test_xml_escaping)
{
    struct lk_arena a;
    lk_arena_init(&a);
    struct lk_ir_lifecycle_rule rule = {0};
    char id[] = "a&b<c>", prefix[] = "x\"'y";
    rule.id = id;
    rule.prefix = prefix;
    rule.enabled = true;
    struct lk_ir_lifecycle lc = {
        .present = true, .transition_min_size = LK_IR_TMS_ALL_128K, .rules = &rule, .n_rules = 1};
    char *xml = lk_emit_lifecycle_xml(&lc, &a);
    ck_assert_ptr_nonnull(strstr(xml, "<ID>a&amp;b&lt;c&gt;</ID>"));
    ck_assert_ptr_nonnull(strstr(xml, "<Prefix>x&quot;&apos;y</Prefix>"));
    lk_arena_destroy(&a);
}
END_TEST

/* LK206: a store whose generated policy would exceed 20 KB is an error at the store. */
START_TEST(test_policy_size_limit)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_DOCUMENT);
    lk_buf_puts(&b, LK_TEST_HEADER "roles:\n  r:\n    access: read\n    principals:\n");
    for (int i = 0; i < 400; i++)
        lk_buf_printf(&b, "      - arn:aws:iam::111122223333:role/investigations/team-%04d\n", i);
    lk_buf_puts(&b,
                "  a: { principals: [\"arn:aws:iam::111122223333:role/Admin\"], access: admin }\n"
                "stores:\n  s: { bucket: unit-logs-111122223333, readers: [r], admins: [a] }\n"
                "sources:\n  x: { type: s3-prefix, purpose: audit evidence, store: s, "
                "retention: { delete_after: 1y } }\n");
    struct lk_policy *p = lk_test_policy(b.data);
    ck_assert_uint_eq(p->diags.n_errors, 0);
    struct lk_ir_state *st;
    struct lk_artifacts a;
    lk_artifacts_init(&a);
    ck_assert_int_eq(lk_compile(p, &st, &a), 1);
    ck_assert_ptr_null(st);
    const struct lk_diag *d = lk_test_find(p, "LK206");
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->span.line, 410); /* the store's name */
    lk_artifacts_free(&a);
    lk_policy_free(p);

    /* The state-only compilation (drift, snapshot) refuses it too. */
    p = lk_test_policy(b.data);
    lk_buf_free(&b);
    ck_assert_int_eq(lk_compile_state(p, &st), 1);
    ck_assert_ptr_null(st);
    ck_assert_ptr_nonnull(lk_test_find(p, "LK206"));
    lk_policy_free(p);
}
END_TEST

START_TEST(test_trail)
{
    struct lk_policy *p = s_checked(
        LK_TEST_HEADER
        "roles:\n  a: { principals: [\"arn:aws:iam::111122223333:role/Admin\"], access: admin }\n"
        "stores:\n  s: { bucket: unit-logs-111122223333, readers: [a], admins: [a], "
        "encryption: { kms_key: \"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\" } }\n"
        "sources:\n  main-trail:\n    type: cloudtrail\n    purpose: account activity audit\n"
        "    store: s\n    prefix: ct/\n    retention: { available: 90d, delete_after: 1y }\n"
        "    trail:\n      multi_region: true\n      cloudwatch: { log_group: /ct/main, role: "
        "\"arn:aws:iam::111122223333:role/CT\" }\n");
    struct lk_ir_state *st = lk_lower(p);
    ck_assert_uint_eq(st->n_trails, 1);
    struct lk_ir_trail *t = &st->trails[0];
    ck_assert_str_eq(t->name, "main-trail");
    ck_assert_str_eq(t->s3_key_prefix, "ct");
    ck_assert(t->enable_log_file_validation && t->is_multi_region_trail && t->is_logging);
    ck_assert_str_eq(t->cloud_watch_logs_log_group_arn,
                     "arn:aws:logs:us-east-1:111122223333:log-group:/ct/main:*");
    /* The CloudWatch copy keeps the availability window: 90 days. */
    ck_assert_uint_eq(st->n_log_groups, 1);
    ck_assert_int_eq(st->log_groups[0].retention_days, 90);
    const struct lk_ir_statement *w =
        lk_lower_find_statement(&st->buckets[0], "CloudTrailWriteMainTrail");
    ck_assert_ptr_nonnull(w);
    ck_assert_str_eq(w->resources.items[0],
                     "arn:aws:s3:::unit-logs-111122223333/ct/AWSLogs/111122223333/*");
    lk_ir_state_free(st);
    lk_policy_free(p);
}
END_TEST

/* Checks @p o against a place in "test.yaml". */
static void s_origin_is(const struct lk_ir_origin *o, uint32_t line, uint32_t column,
                        uint32_t length, const char *text)
{
    ck_assert_ptr_nonnull(o->file);
    ck_assert_str_eq(o->file, "test.yaml");
    ck_assert_uint_eq(o->line, line);
    ck_assert_uint_eq(o->column, column);
    ck_assert_uint_eq(o->length, length);
    ck_assert_str_eq(o->text, text);
}

static const struct lk_ir_statement *s_stmt(const struct lk_ir_bucket *b, const char *sid)
{
    for (size_t i = 0; i < b->policy.n_statements; i++)
        if (!strcmp(b->policy.statements[i].sid, sid))
            return &b->policy.statements[i];
    ck_abort_msg("no statement %s", sid);
    return NULL;
}

/* Each desired node's origin: the key of the policy that produces it (POLICY's lines). */
START_TEST(test_lower_origins)
{
    struct lk_policy *p = s_checked(POLICY);
    struct lk_ir_state *st = lk_lower(p);
    const struct lk_ir_bucket *b = &st->buckets[0];
    s_origin_is(&b->origin, 9, 13, 22, "    bucket: unit-logs-111122223333");
    /* Settings the store does not write have none of their own. */
    ck_assert_ptr_null(b->versioning_origin.file);
    ck_assert_ptr_null(b->encryption.origin.file);
    ck_assert_ptr_null(b->object_lock.origin.file);
    ck_assert_ptr_eq(lk_ir_origin_or(&b->encryption.origin, &b->origin), &b->origin);
    s_origin_is(&b->lifecycle.origin, 10, 31, 5, "    transition_small_objects: false");
    /* A rule: the retention of the first source it serves (a-flow sorts before b-flow). */
    ck_assert_str_eq(b->lifecycle.rules[0].id, "logkeep-a-flow");
    s_origin_is(&b->lifecycle.rules[0].origin, 25, 16, 1,
                "    retention: { available: 90d, archive: [{after: 90d, class: glacier-ir}, "
                "{after: 1y, class: deep-archive}], delete_after: 3y }");
    s_origin_is(&b->lifecycle.rules[1].origin, 9, 13, 22, "    bucket: unit-logs-111122223333");
    /* Statements: the store, its role lists, the source whose service writes. */
    s_origin_is(&s_stmt(b, "DenyInsecureTransport")->origin, 9, 13, 22,
                "    bucket: unit-logs-111122223333");
    s_origin_is(&s_stmt(b, "ReadLogs")->origin, 11, 14, 1, "    readers: [r]");
    s_origin_is(&s_stmt(b, "DenyChangesExceptAdmins")->origin, 12, 13, 1, "    admins: [a]");
    s_origin_is(&s_stmt(b, "LogDeliveryWrite")->origin, 20, 3, 6, "  a-flow:");
    s_origin_is(&s_stmt(b, "LogDeliveryAclCheck")->origin, 20, 3, 6, "  a-flow:");
    /* Log groups: the name or pattern in the source's list. */
    ck_assert_str_eq(st->log_groups[0].name, "/app/x");
    s_origin_is(&st->log_groups[0].origin, 29, 18, 8, "    log_groups: [\"/app/x\", \"/app/y/*\"]");
    s_origin_is(&st->log_groups[1].origin, 29, 28, 10,
                "    log_groups: [\"/app/x\", \"/app/y/*\"]");
    /* One copy of the file's path for every node, one of a line for the nodes it holds. */
    ck_assert_ptr_eq(st->log_groups[0].origin.file, b->origin.file);
    ck_assert_ptr_eq(st->log_groups[0].origin.text, st->log_groups[1].origin.text);
    ck_assert_ptr_null(st->unmanaged_origin.file);

    /* Canonical order moves each origin with its node. */
    struct lk_ir_bucket *mb = &st->buckets[0];
    size_t n = mb->policy.n_statements;
    for (size_t i = 0; i < n / 2; i++) {
        struct lk_ir_statement t = mb->policy.statements[i];
        mb->policy.statements[i] = mb->policy.statements[n - 1 - i];
        mb->policy.statements[n - 1 - i] = t;
    }
    struct lk_ir_log_group g = st->log_groups[0];
    st->log_groups[0] = st->log_groups[1];
    st->log_groups[1] = g;
    lk_ir_canonicalize(st);
    s_origin_is(&s_stmt(b, "ReadLogs")->origin, 11, 14, 1, "    readers: [r]");
    ck_assert_str_eq(st->log_groups[0].name, "/app/x");
    ck_assert_uint_eq(st->log_groups[0].origin.column, 18);
    lk_ir_state_free(st);
    lk_policy_free(p);
}
END_TEST

/* A trail: the source's key for the whole, each setting's key where the source writes it. */
START_TEST(test_lower_trail_origins)
{
    struct lk_policy *p = s_checked(
        LK_TEST_HEADER
        "roles:\n  a: { principals: [\"arn:aws:iam::111122223333:role/Admin\"], access: admin }\n"
        "stores:\n  s: { bucket: unit-logs-111122223333, readers: [a], admins: [a] }\n"
        "sources:\n  main-trail:\n    type: cloudtrail\n    purpose: account activity audit\n"
        "    store: s\n    prefix: ct/\n    retention: { available: 90d, delete_after: 1y }\n"
        "    trail:\n      multi_region: false\n      cloudwatch: { log_group: /ct/main, role: "
        "\"arn:aws:iam::111122223333:role/CT\" }\n"
        "unmanaged:\n  log_groups: { delete_after: 90d }\n");
    struct lk_ir_state *st = lk_lower(p);
    const struct lk_ir_trail *t = &st->trails[0];
    s_origin_is(&t->origin, 9, 3, 10, "  main-trail:");
    s_origin_is(&t->origins.s3_bucket_name, 12, 12, 1, "    store: s");
    s_origin_is(&t->origins.s3_key_prefix, 13, 13, 3, "    prefix: ct/");
    s_origin_is(&t->origins.is_multi_region_trail, 16, 21, 5, "      multi_region: false");
    s_origin_is(&t->origins.cloud_watch_logs, 17, 32, 8,
                "      cloudwatch: { log_group: /ct/main, role: "
                "\"arn:aws:iam::111122223333:role/CT\" }");
    ck_assert_ptr_null(t->origins.enable_log_file_validation.file);
    ck_assert_ptr_null(t->origins.kms_key_id.file);
    ck_assert_ptr_null(t->origins.event_selectors.file);
    /* The CloudWatch Logs copy of the trail's logs: its log_group. */
    s_origin_is(&st->log_groups[0].origin, 17, 32, 8,
                "      cloudwatch: { log_group: /ct/main, role: "
                "\"arn:aws:iam::111122223333:role/CT\" }");
    s_origin_is(&st->unmanaged_origin, 19, 31, 3, "  log_groups: { delete_after: 90d }");
    lk_ir_state_free(st);
    lk_policy_free(p);
}
END_TEST

/* Object Lock needs versioning, and turns it on when the store does not say: the origin of
 * versioning is then the object_lock key. */
START_TEST(test_lower_versioning_origin)
{
    struct lk_policy *p = s_checked(
        LK_TEST_HEADER
        "roles:\n  a: { principals: [\"arn:aws:iam::111122223333:role/Admin\"], access: admin }\n"
        "stores:\n  s:\n    bucket: unit-logs-111122223333\n    admins: [a]\n"
        "    object_lock: { mode: governance, for: 30d }\n"
        "sources:\n  app:\n    type: s3-prefix\n    purpose: application audit trail\n"
        "    store: s\n    prefix: app/\n    retention: { delete_after: 1y }\n");
    struct lk_ir_state *st = lk_lower(p);
    const struct lk_ir_bucket *b = &st->buckets[0];
    ck_assert_int_eq(b->versioning, LK_IR_VERSIONING_ENABLED);
    s_origin_is(&b->versioning_origin, 10, 18, 1,
                "    object_lock: { mode: governance, for: 30d }");
    s_origin_is(&b->object_lock.origin, 10, 18, 1,
                "    object_lock: { mode: governance, for: 30d }");
    lk_ir_state_free(st);
    lk_policy_free(p);
}
END_TEST

/* The line of an origin is the line lk_sources_line() gives, however the file breaks its lines:
 * CR LF (the break dropped), or also a Unicode line separator, which libyaml counts as a break
 * too (lines then count as it does). */
START_TEST(test_lower_origin_line_breaks)
{
    static const char *const breaks[] = {"\r\n", "\xE2\x80\xA8"};
    for (size_t k = 0; k < 2; k++) {
        struct lk_buf yaml;
        lk_buf_init(&yaml, LK_BUF_MAX_DOCUMENT);
        lk_buf_puts(&yaml, "# comment");
        lk_buf_puts(&yaml, breaks[k]);
        for (const char *c = POLICY; *c; c++) {
            if (*c == '\n')
                lk_buf_puts(&yaml, "\r\n");
            else
                lk_buf_putc(&yaml, *c);
        }
        lk_buf_putc(&yaml, '\0');
        struct lk_policy *p = s_checked(yaml.data);
        lk_buf_free(&yaml);
        struct lk_ir_state *st = lk_lower(p);
        const struct lk_ir_origin *o = &st->buckets[0].origin;
        const char *line;
        size_t len;
        ck_assert(lk_sources_line(&p->sources, 0, o->line, &line, &len));
        ck_assert_uint_eq(strlen(o->text), len);
        ck_assert(!memcmp(o->text, line, len));
        ck_assert_str_eq(o->text, "    bucket: unit-logs-111122223333");
        ck_assert_uint_eq(o->line, 10);
        lk_ir_state_free(st);
        lk_policy_free(p);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compile");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_lower_buckets);
    tcase_add_test(tc, test_emit_deterministic);
    tcase_add_test(tc, test_xml_escaping);
    tcase_add_test(tc, test_policy_size_limit);
    tcase_add_test(tc, test_trail);
    tcase_add_test(tc, test_lower_origins);
    tcase_add_test(tc, test_lower_trail_origins);
    tcase_add_test(tc, test_lower_versioning_origin);
    tcase_add_test(tc, test_lower_origin_line_breaks);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
