/*
 * Unit tests: lowering to the IR and emitting payloads.
 */
#include "lk_test.h"
#include "runtime/state_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"
#include "compiler/emit.h"
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
    /* A noncurrent version is kept as long as the current one would have been (delete_after). */
    ck_assert_int_eq(r->noncurrent_expiration_days, 1096);
    ck_assert_str_eq(b->lifecycle.rules[1].id, "logkeep-housekeeping");
    ck_assert(b->lifecycle.rules[1].expired_object_delete_marker);
    /* Statements sorted by Sid; readers include the account root form of a bare ID. */
    ck_assert_str_eq(b->policy.statements[0].sid, "LogKeepDenyChangesExceptAdmins");
    const struct lk_ir_statement *read = lk_lower_find_statement(b, "LogKeepReadLogs");
    ck_assert_ptr_nonnull(read);
    ck_assert_uint_eq(read->principals.n, 2);
    ck_assert_str_eq(read->principals.items[0], "arn:aws:iam::111122223333:role/Reader");
    ck_assert_str_eq(read->principals.items[1], "arn:aws:iam::111122223333:root");
    ck_assert_ptr_nonnull(lk_lower_find_statement(b, "LogKeepLogDeliveryWrite"));
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

/* The values of condition {op: {key: [...]}} of @p s, or NULL. */
static const struct lk_ir_string_list *s_cond(const struct lk_ir_statement *s, const char *op,
                                              const char *key)
{
    for (size_t i = 0; i < s->n_conditions; i++)
        if (!strcmp(s->conditions[i].op, op) && !strcmp(s->conditions[i].key, key))
            return &s->conditions[i].values;
    return NULL;
}

static bool s_has(const struct lk_ir_string_list *l, const char *v)
{
    for (size_t i = 0; l && i < l->n; i++)
        if (!strcmp(l->items[i], v))
            return true;
    return false;
}

static const struct lk_ir_statement *s_key_stmt(const struct lk_ir_key *k, const char *sid)
{
    for (size_t i = 0; i < k->policy.n_statements; i++)
        if (!strcmp(k->policy.statements[i].sid, sid))
            return &k->policy.statements[i];
    return NULL;
}

/* Reads, object writes and changes are denied to all but readers, admins and the delivering
 * services; every statement carries the prefix logkeep owns. */
START_TEST(test_lower_store_guards)
{
    struct lk_policy *p = s_checked(POLICY);
    struct lk_ir_state *st = lk_lower(p);
    struct lk_ir_bucket *b = &st->buckets[0];
    for (size_t i = 0; i < b->policy.n_statements; i++)
        ck_assert_msg(!strncmp(b->policy.statements[i].sid, LK_IR_SID_PREFIX, 7) &&
                          lk_ir_sid_owned(b->policy.statements[i].sid),
                      "Sid %s", b->policy.statements[i].sid);
    const struct lk_ir_statement *r = lk_lower_find_statement(b, "LogKeepDenyReadsExceptReaders");
    ck_assert_ptr_nonnull(r);
    ck_assert(!r->allow && r->principal_kind == LK_IR_PRINCIPAL_ANY);
    ck_assert(s_has(&r->actions, "s3:GetObject*") && s_has(&r->actions, "s3:ListBucket") &&
              s_has(&r->actions, "s3:ListBucketVersions"));
    const struct lk_ir_string_list *arns = s_cond(r, "ArnNotLike", "aws:PrincipalArn");
    ck_assert_uint_eq(arns->n, 3);
    ck_assert(s_has(arns, "arn:aws:iam::111122223333:role/Reader") &&
              s_has(arns, "arn:aws:iam::111122223333:role/Admin") &&
              s_has(arns, "arn:aws:iam::111122223333:root"));
    const struct lk_ir_string_list *svc =
        s_cond(r, "StringNotEqualsIfExists", "aws:PrincipalServiceName");
    ck_assert_uint_eq(svc->n, 1);
    ck_assert_str_eq(svc->items[0], "delivery.logs.amazonaws.com");

    const struct lk_ir_statement *w = lk_lower_find_statement(b, "LogKeepDenyWritesExceptDelivery");
    ck_assert_ptr_nonnull(w);
    ck_assert(s_has(&w->actions, "s3:PutObject") && s_has(&w->actions, "s3:PutObjectAcl"));
    ck_assert_uint_eq(w->resources.n, 1);
    ck_assert_str_eq(w->resources.items[0], "arn:aws:s3:::unit-logs-111122223333/*");
    arns = s_cond(w, "ArnNotLike", "aws:PrincipalArn");
    ck_assert_uint_eq(arns->n, 1);
    ck_assert_str_eq(arns->items[0], "arn:aws:iam::111122223333:role/Admin");
    ck_assert(s_has(s_cond(w, "StringNotEqualsIfExists", "aws:PrincipalServiceName"),
                    "delivery.logs.amazonaws.com"));
    ck_assert_ptr_null(s_cond(w, "StringNotEquals", "aws:PrincipalAccount"));

    const struct lk_ir_statement *c = lk_lower_find_statement(b, "LogKeepDenyChangesExceptAdmins");
    ck_assert(s_has(&c->actions, "s3:PutBucketAcl") &&
              s_has(&c->actions, "s3:PutBucketOwnershipControls") &&
              s_has(&c->actions, "s3:PutReplicationConfiguration") &&
              !s_has(&c->actions, "s3:PutObject"));
    ck_assert_uint_eq(c->n_conditions, 1);
    /* No key named: no key policy; log groups are protected from deletion by default. */
    ck_assert_uint_eq(st->n_keys, 0);
    ck_assert(st->log_groups[0].deletion_protection && st->log_groups[1].deletion_protection);
    ck_assert_ptr_null(st->log_groups[0].kms_key_id);
    lk_ir_state_free(st);
    lk_policy_free(p);
}
END_TEST

#define SSO_ROLE "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Audit_0123"
#define STORE_KEY "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
#define TRAIL_KEY "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321"
#define LOGS_KEY "arn:aws:kms:us-east-1:111122223333:key/6ba7b810-9dad-11d1-80b4-00c04fd430c8"
#define KEYS_POLICY                                                                                \
    LK_TEST_HEADER                                                                                 \
    "roles:\n"                                                                                     \
    "  r: { principals: [\"" SSO_ROLE "\"], access: read }\n"                                      \
    "  a: { principals: [\"arn:aws:iam::111122223333:role/Admin\"], access: admin }\n"             \
    "stores:\n"                                                                                    \
    "  s:\n"                                                                                       \
    "    bucket: unit-logs-111122223333\n"                                                         \
    "    encryption: { kms_key: \"" STORE_KEY "\" }\n"                                             \
    "    readers: [r]\n"                                                                           \
    "    admins: [a]\n"                                                                            \
    "  elb:\n"                                                                                     \
    "    bucket: unit-elb-111122223333\n"                                                          \
    "    readers: [r]\n"                                                                           \
    "    admins: [a]\n"                                                                            \
    "retention:\n"                                                                                 \
    "  std: { delete_after: 1y }\n"                                                                \
    "sources:\n"                                                                                   \
    "  main:\n"                                                                                    \
    "    type: cloudtrail\n"                                                                       \
    "    purpose: account activity\n"                                                              \
    "    store: s\n"                                                                               \
    "    prefix: ct/\n"                                                                            \
    "    retention: std\n"                                                                         \
    "    trail: { kms_key: \"" TRAIL_KEY "\" }\n"                                                  \
    "  cfg: { type: config, purpose: configuration history, store: s, prefix: config/, "          \
    "retention: std }\n"                                                                           \
    "  gd: { type: guardduty, purpose: threat findings, store: s, prefix: gd/, retention: std }\n" \
    "  flow: { type: vpc-flow-logs, purpose: network forensics, store: s, prefix: flow/, "         \
    "retention: std }\n"                                                                           \
    "  alb: { type: elb-access-logs, purpose: web forensics, store: elb, retention: std }\n"       \
    "  app:\n"                                                                                     \
    "    type: cloudwatch-logs\n"                                                                  \
    "    purpose: payment disputes\n"                                                              \
    "    log_groups: [\"/app/x\"]\n"                                                               \
    "    kms_key: \"" LOGS_KEY "\"\n"                                                              \
    "    deletion_protection: false\n"                                                             \
    "    retention: std\n"

/* Key policies: each service delivering with a key, and the readers, get their statements;
 * IAM Identity Center readers are granted by aws:PrincipalArn; the ELB account is exempted. */
START_TEST(test_lower_keys)
{
    struct lk_policy *p = s_checked(KEYS_POLICY);
    struct lk_ir_state *st = lk_lower(p);
    ck_assert_uint_eq(st->n_buckets, 2);
    struct lk_ir_bucket *elb = &st->buckets[0], *b = &st->buckets[1];
    ck_assert_str_eq(b->name, "unit-logs-111122223333");

    /* The reader is an IAM Identity Center role: its account with an ArnLike condition. */
    ck_assert_ptr_null(lk_lower_find_statement(b, "LogKeepReadLogs"));
    const struct lk_ir_statement *rb = lk_lower_find_statement(b, "LogKeepReadLogsByArn");
    ck_assert_ptr_nonnull(rb);
    ck_assert(rb->allow && rb->principal_kind == LK_IR_PRINCIPAL_AWS);
    ck_assert_uint_eq(rb->principals.n, 1);
    ck_assert_str_eq(rb->principals.items[0], "arn:aws:iam::111122223333:root");
    const struct lk_ir_string_list *v = s_cond(rb, "ArnLike", "aws:PrincipalArn");
    ck_assert_uint_eq(v->n, 1);
    ck_assert_str_eq(v->items[0], SSO_ROLE);
    v = s_cond(lk_lower_find_statement(b, "LogKeepDenyReadsExceptReaders"),
               "StringNotEqualsIfExists", "aws:PrincipalServiceName");
    ck_assert_uint_eq(v->n, 4);
    ck_assert(s_has(v, "cloudtrail.amazonaws.com") && s_has(v, "config.amazonaws.com") &&
              s_has(v, "guardduty.amazonaws.com") && s_has(v, "delivery.logs.amazonaws.com"));
    /* us-east-1 load balancers write as the Regional ELB account. */
    v = s_cond(lk_lower_find_statement(elb, "LogKeepDenyWritesExceptDelivery"), "StringNotEquals",
               "aws:PrincipalAccount");
    ck_assert_uint_eq(v->n, 1);
    ck_assert_str_eq(v->items[0], "127311923021");
    ck_assert_ptr_null(s_cond(lk_lower_find_statement(elb, "LogKeepDenyWritesExceptDelivery"),
                              "StringNotEqualsIfExists", "aws:PrincipalServiceName"));

    /* Keys by ARN: the trail's, the store's, the log group's. */
    ck_assert_uint_eq(st->n_keys, 3);
    const struct lk_ir_key *trail = &st->keys[0], *store = &st->keys[1], *logs = &st->keys[2];
    ck_assert_str_eq(trail->arn, TRAIL_KEY);
    ck_assert_str_eq(store->arn, STORE_KEY);
    ck_assert_str_eq(logs->arn, LOGS_KEY);
    ck_assert_str_eq(store->region, "us-east-1");
    ck_assert_uint_eq(store->users.n, 1);
    ck_assert_str_eq(store->users.items[0], "store:s");
    ck_assert_str_eq(trail->users.items[0], "trail:main");
    for (size_t k = 0; k < st->n_keys; k++)
        for (size_t i = 0; i < st->keys[k].policy.n_statements; i++) {
            const struct lk_ir_statement *s = &st->keys[k].policy.statements[i];
            ck_assert_msg(lk_ir_sid_owned(s->sid) && s->allow, "%s", s->sid);
            ck_assert_uint_eq(s->resources.n, 1);
            ck_assert_str_eq(s->resources.items[0], "*");
        }
    /* The trail encrypts with its own key: CloudTrail's statements are there, not on the
     * store's key. */
    const struct lk_ir_statement *e = s_key_stmt(trail, "LogKeepCloudTrailEncrypt");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->actions.items[0], "kms:GenerateDataKey*");
    ck_assert_str_eq(s_cond(e, "StringEquals", "aws:SourceArn")->items[0],
                     "arn:aws:cloudtrail:us-east-1:111122223333:trail/main");
    ck_assert_str_eq(s_cond(e, "StringLike", "kms:EncryptionContext:aws:cloudtrail:arn")->items[0],
                     "arn:aws:cloudtrail:*:111122223333:trail/*");
    ck_assert_ptr_nonnull(s_key_stmt(trail, "LogKeepCloudTrailDescribeKey"));
    ck_assert_ptr_nonnull(s_key_stmt(trail, "LogKeepReadersDecrypt"));
    ck_assert_ptr_null(s_key_stmt(store, "LogKeepCloudTrailEncrypt"));
    ck_assert_ptr_nonnull(s_key_stmt(store, "LogKeepConfigUseKey"));
    ck_assert_ptr_nonnull(s_key_stmt(store, "LogKeepLogDeliveryUseKey"));
    const struct lk_ir_statement *g = s_key_stmt(store, "LogKeepGuardDutyUseKey");
    ck_assert_str_eq(g->principals.items[0], "guardduty.amazonaws.com");
    ck_assert_str_eq(s_cond(g, "ArnLike", "aws:SourceArn")->items[0],
                     "arn:aws:guardduty:us-east-1:111122223333:detector/*");
    const struct lk_ir_statement *d = s_key_stmt(store, "LogKeepReadersDecrypt");
    ck_assert_str_eq(d->principals.items[0], "arn:aws:iam::111122223333:root");
    ck_assert_str_eq(d->actions.items[0], "kms:Decrypt");
    ck_assert_str_eq(s_cond(d, "ArnLike", "aws:PrincipalArn")->items[0], SSO_ROLE);
    ck_assert_str_eq(s_cond(d, "StringEquals", "kms:ViaService")->items[0],
                     "s3.us-east-1.amazonaws.com");
    const struct lk_ir_statement *l = s_key_stmt(logs, "LogKeepLogsUseKey");
    ck_assert_str_eq(l->principals.items[0], "logs.us-east-1.amazonaws.com");
    ck_assert_str_eq(s_cond(l, "ArnLike", "kms:EncryptionContext:aws:logs:arn")->items[0],
                     "arn:aws:logs:us-east-1:111122223333:log-group:/app/x");
    ck_assert_uint_eq(logs->policy.n_statements, 1);

    /* The log group: the source's key, deletion protection turned off. */
    ck_assert_uint_eq(st->n_log_groups, 1);
    ck_assert(!st->log_groups[0].deletion_protection);
    ck_assert_str_eq(st->log_groups[0].kms_key_id, LOGS_KEY);

    /* Each key policy is an artifact for PutKeyPolicy on the key. */
    struct lk_artifacts a;
    lk_artifacts_init(&a);
    ck_assert_int_eq(lk_emit_all(st, &a), LK_STATUS_OK);
    const struct lk_artifact *k =
        lk_artifacts_find(&a, "kms/1234abcd-12ab-34cd-56ef-1234567890ab/key-policy.json");
    ck_assert_ptr_nonnull(k);
    ck_assert_str_eq(k->operations, "PutKeyPolicy");
    ck_assert_str_eq(k->resource, STORE_KEY);
    ck_assert_ptr_nonnull(strstr(k->content, "\"Sid\": \"LogKeepReadersDecrypt\""));
    ck_assert_ptr_nonnull(strstr(k->content, "\"Resource\": \"*\""));
    char *manifest = lk_emit_manifest(st, &a);
    ck_assert_ptr_nonnull(strstr(manifest, "\"path\": \"kms/0987dcba-09fe-87dc-65ba-ab0987654321/key-policy.json\""));
    free(manifest);
    lk_artifacts_free(&a);
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

/* Collects what lk_compiled_each() hands over: copies of each artifact's path and content. */
struct s_handed {
    size_t n, stop_at;
    char *paths[64];
    char *contents[64];
};

static int s_collect(void *ctx, const struct lk_artifact *x)
{
    struct s_handed *h = ctx;
    ck_assert_uint_lt(h->n, 64);
    ck_assert_uint_eq(strlen(x->content), x->len);
    h->paths[h->n] = lk_xstrdup(x->path);
    h->contents[h->n] = lk_xstrdup(x->content);
    h->n++;
    return h->n == h->stop_at ? 1 : 0;
}

static void s_handed_free(struct s_handed *h)
{
    for (size_t i = 0; i < h->n; i++) {
        free(h->paths[i]);
        free(h->contents[i]);
    }
}

/* Artifacts handed over one at a time are lk_compile()'s, in the same order, and so is the
 * manifest made from what is kept of them. */
START_TEST(test_compiled_each_matches_compile)
{
    struct lk_policy *p = s_checked(POLICY);
    struct lk_ir_state *st;
    struct lk_artifacts a;
    lk_artifacts_init(&a);
    ck_assert_int_eq(lk_compile(p, &st, &a), 0);

    struct lk_compiled c;
    ck_assert_int_eq(lk_compile_plan(p, &c), 0);
    ck_assert_uint_eq(c.n_items, a.n);
    struct lk_artifacts kept;
    lk_artifacts_init(&kept);
    struct s_handed h = {0};
    ck_assert_int_eq(lk_compiled_each(&c, &kept, s_collect, &h), 0);
    ck_assert_uint_eq(h.n, a.n);
    ck_assert_uint_eq(kept.n, a.n);
    for (size_t i = 0; i < a.n; i++) {
        ck_assert_str_eq(h.paths[i], a.items[i].path);
        ck_assert_str_eq(h.contents[i], a.items[i].content);
        ck_assert_str_eq(kept.items[i].path, a.items[i].path);
        ck_assert_str_eq(kept.items[i].sha256, a.items[i].sha256);
        ck_assert_uint_eq(kept.items[i].len, a.items[i].len);
        ck_assert_ptr_null(kept.items[i].content);
    }
    char *m1 = lk_emit_manifest(st, &a), *m2 = lk_emit_manifest(c.state, &kept);
    ck_assert_str_eq(m1, m2);
    free(m1);
    free(m2);
    s_handed_free(&h);
    lk_artifacts_free(&kept);
    lk_compiled_free(&c);

    /* A consumer that stops ends the run: nothing more is handed over. */
    ck_assert_int_eq(lk_compile_plan(p, &c), 0);
    lk_artifacts_init(&kept);
    struct s_handed stop = {.stop_at = 2};
    ck_assert_int_eq(lk_compiled_each(&c, &kept, s_collect, &stop), 3);
    ck_assert_uint_eq(stop.n, 2);
    s_handed_free(&stop);
    lk_artifacts_free(&kept);
    lk_compiled_free(&c);

    lk_artifacts_free(&a);
    lk_ir_state_free(st);
    lk_policy_free(p);
}
END_TEST

/* A bucket policy over S3's limit stops the planned compilation before any artifact: LK206 at
 * the store, as lk_compile() reports it. */
START_TEST(test_compile_plan_size_limit)
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
    lk_buf_free(&b);
    ck_assert_uint_eq(p->diags.n_errors, 0);
    struct lk_compiled c;
    ck_assert_int_eq(lk_compile_plan(p, &c), 1);
    const struct lk_diag *d = lk_test_find(p, "LK206");
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->span.line, 410); /* the store's name */
    lk_compiled_free(&c);
    lk_policy_free(p);
}
END_TEST

/* The list helpers lowering uses: push shares the string, add_set drops a repeat of the last
 * item only, and sort_unique gives what lk_ir_list_add() would have. */
START_TEST(test_ir_list_helpers)
{
    struct lk_ir_state *st = lk_ir_state_new();
    struct lk_ir_string_list a = {0}, b = {0};
    const char *in[] = {"x", "x", "y", "x", "y", "y", "z"};
    for (size_t i = 0; i < 7; i++) {
        lk_ir_list_add(st, &a, in[i]);
        lk_ir_list_add_set(st, &b, in[i]);
    }
    ck_assert_uint_eq(b.n, 5); /* x y x y z */
    lk_ir_list_sort_unique(&a);
    lk_ir_list_sort_unique(&b);
    ck_assert_uint_eq(a.n, b.n);
    for (size_t i = 0; i < a.n; i++)
        ck_assert_str_eq(a.items[i], b.items[i]);
    char *own = lk_ir_strdup(st, "shared");
    struct lk_ir_string_list c = {0};
    for (int i = 0; i < 40; i++)
        lk_ir_list_push(st, &c, own);
    ck_assert_uint_eq(c.n, 40);
    ck_assert_ptr_eq(c.items[0], own);
    ck_assert_ptr_eq(c.items[39], own);
    /* lk_ir_cat() is "%s%s%s" of its parts, an empty part or none included. */
    const struct lk_str parts[] = {
        LK_STR_LIT("arn:"), LK_STR_LIT(""), {"aws-cn:x", 6}, LK_STR_LIT(":s3")};
    ck_assert_str_eq(lk_ir_cat(st, parts, 4), "arn:aws-cn:s3");
    ck_assert_str_eq(lk_ir_cat(st, parts, 0), "");
    lk_ir_state_free(st);
}
END_TEST

/* Lowering the buckets of some stores only gives those buckets, with the policies the whole
 * lowering gives them, and nothing else. */
START_TEST(test_lower_scope_buckets)
{
    struct lk_policy *p = s_checked(
        LK_TEST_HEADER
        "roles:\n"
        "  r: { principals: [\"arn:aws:iam::111122223333:role/Reader\"], access: read }\n"
        "  a: { principals: [\"arn:aws:iam::111122223333:role/Admin\"], access: admin }\n"
        "stores:\n"
        "  one: { bucket: unit-one-111122223333, readers: [r], admins: [a] }\n"
        "  two: { bucket: unit-two-111122223333, readers: [r], admins: [a] }\n"
        "sources:\n"
        "  flow: { type: vpc-flow-logs, purpose: network forensics, store: one, prefix: flow/,\n"
        "          retention: { available: 90d, delete_after: 1y } }\n"
        "  cfg: { type: config, purpose: change evidence, store: two, prefix: config/,\n"
        "         retention: { available: 90d, delete_after: 1y } }\n"
        "  app: { type: cloudwatch-logs, purpose: payment disputes, log_groups: [\"/app/x\"],\n"
        "         retention: { delete_after: 100d } }\n");
    ck_assert_uint_eq(p->n_stores, 2);
    ck_assert(lk_str_eq_c(p->stores[1]->name, "two"));
    struct lk_ir_state *all = lk_lower(p);
    bool only[2] = {false, true};
    struct lk_ir_scope *scope = lk_lower_scope_buckets(p, only);
    ck_assert_uint_eq(scope->n_pairs, 1);
    const struct lk_ir_state *st = scope->pairs[0].state;
    ck_assert_uint_eq(st->n_buckets, 1);
    ck_assert_str_eq(st->buckets[0].store, "two");
    ck_assert_uint_eq(st->n_log_groups, 0);
    ck_assert_uint_eq(st->n_trails, 0);
    ck_assert_uint_eq(st->n_keys, 0);
    const struct lk_ir_bucket *full = NULL;
    for (size_t i = 0; i < all->n_buckets; i++)
        if (!strcmp(all->buckets[i].store, "two"))
            full = &all->buckets[i];
    ck_assert_ptr_nonnull(full);
    struct lk_arena a;
    lk_arena_init(&a);
    ck_assert_str_eq(lk_emit_bucket_policy_json(&st->buckets[0].policy, &a),
                     lk_emit_bucket_policy_json(&full->policy, &a));
    lk_arena_destroy(&a);
    lk_ir_scope_free(scope);

    /* No store flagged: every pair, no bucket. */
    only[1] = false;
    scope = lk_lower_scope_buckets(p, only);
    ck_assert_uint_eq(scope->n_pairs, 1);
    ck_assert_uint_eq(scope->pairs[0].state->n_buckets, 0);
    lk_ir_scope_free(scope);
    lk_ir_state_free(all);
    lk_policy_free(p);
}
END_TEST

/* The size check validate runs (lk_compile_check_limits()) measures only the stores whose bound
 * passes the limit; it reports LK206 exactly when compiling does, on either side of the limit. */
START_TEST(test_check_limits_agrees)
{
    static const int counts[] = {20, 150, 185, 195, 210, 300};
    bool seen_fit = false, seen_over = false;
    for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
        struct lk_buf b;
        lk_buf_init(&b, LK_BUF_MAX_DOCUMENT);
        lk_buf_puts(
            &b, LK_TEST_HEADER
            "roles:\n"
            "  r: { principals: [\"arn:aws:iam::111122223333:role/Reader\"], access: read }\n"
            "  a: { principals: [\"arn:aws:iam::111122223333:role/Admin\"], access: admin }\n"
            "stores:\n"
            "  s: { bucket: unit-logs-111122223333, readers: [r], admins: [a] }\n"
            "sources:\n");
        for (int i = 0; i < counts[c]; i++)
            lk_buf_printf(&b,
                          "  src-%d: { type: %s, purpose: network forensics, store: s,"
                          " prefix: flow-%04d-segment/, retention: { available: 90d,"
                          " delete_after: 1y } }\n",
                          i, i % 3 ? "vpc-flow-logs" : "config", i);
        struct lk_policy *checked = lk_test_policy(b.data);
        ck_assert_uint_eq(checked->diags.n_errors, 0);
        lk_compile_check_limits(checked);
        bool by_check = lk_test_find(checked, "LK206") != NULL;

        struct lk_policy *compiled = lk_test_policy(b.data);
        struct lk_ir_state *st = NULL;
        struct lk_artifacts a;
        lk_artifacts_init(&a);
        int rc = lk_compile(compiled, &st, &a);
        bool by_compile = lk_test_find(compiled, "LK206") != NULL;
        ck_assert_int_eq(rc, by_compile ? 1 : 0);
        ck_assert_msg(by_check == by_compile, "%d sources: check %d, compile %d", counts[c],
                      by_check, by_compile);
        if (by_check)
            ck_assert_str_eq(lk_test_find(checked, "LK206")->message,
                             lk_test_find(compiled, "LK206")->message);
        seen_fit = seen_fit || !by_compile;
        seen_over = seen_over || by_compile;
        lk_artifacts_free(&a);
        lk_ir_state_free(st);
        lk_policy_free(compiled);
        lk_policy_free(checked);
        lk_buf_free(&b);
    }
    ck_assert(seen_fit && seen_over);
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
        lk_lower_find_statement(&st->buckets[0], "LogKeepCloudTrailWriteMainTrail");
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
    s_origin_is(&s_stmt(b, "LogKeepDenyInsecureTransport")->origin, 9, 13, 22,
                "    bucket: unit-logs-111122223333");
    s_origin_is(&s_stmt(b, "LogKeepReadLogs")->origin, 11, 14, 1, "    readers: [r]");
    s_origin_is(&s_stmt(b, "LogKeepDenyChangesExceptAdmins")->origin, 12, 13, 1, "    admins: [a]");
    s_origin_is(&s_stmt(b, "LogKeepLogDeliveryWrite")->origin, 20, 3, 6, "  a-flow:");
    s_origin_is(&s_stmt(b, "LogKeepLogDeliveryAclCheck")->origin, 20, 3, 6, "  a-flow:");
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
    s_origin_is(&s_stmt(b, "LogKeepReadLogs")->origin, 11, 14, 1, "    readers: [r]");
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

/* ------------------------------------------------------------------------------ scope */

#define ORG_POLICY                                                                                 \
    LK_TEST_HEADER                                                                                 \
    "roles:\n"                                                                                     \
    "  r: { principals: [\"arn:aws:iam::111122223333:role/Reader\"], access: read }\n"             \
    "  a: { principals: [\"arn:aws:iam::111122223333:role/Admin\"], access: admin }\n"             \
    "stores:\n"                                                                                    \
    "  s:\n"                                                                                       \
    "    bucket: org-logs-111122223333\n"                                                          \
    "    readers: [r]\n"                                                                           \
    "    admins: [a]\n"                                                                            \
    "    encryption: { kms_key: "                                                                  \
    "\"arn:aws:kms:us-east-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab\" }\n"          \
    "sources:\n"                                                                                   \
    "  flow:\n"                                                                                    \
    "    type: vpc-flow-logs\n"                                                                    \
    "    purpose: network forensics\n"                                                             \
    "    store: s\n"                                                                               \
    "    prefix: flow/\n"                                                                          \
    "    retention: { delete_after: 1y }\n"                                                        \
    "  cfg:\n"                                                                                     \
    "    type: config\n"                                                                           \
    "    purpose: configuration history\n"                                                         \
    "    store: s\n"                                                                               \
    "    prefix: config/\n"                                                                        \
    "    retention: { delete_after: 7y }\n"                                                        \
    "  org-trail:\n"                                                                               \
    "    type: cloudtrail\n"                                                                       \
    "    purpose: account activity audit\n"                                                        \
    "    store: s\n"                                                                               \
    "    prefix: ct/\n"                                                                            \
    "    retention: { available: 90d, delete_after: 1y }\n"                                        \
    "    trail: { organization: true, organization_id: o-a1b2c3d4e5, cloudwatch: { log_group: "    \
    "/ct/org, role: \"arn:aws:iam::123456789012:role/CT\" } }\n"                                   \
    "  app:\n"                                                                                     \
    "    type: cloudwatch-logs\n"                                                                  \
    "    purpose: payment disputes\n"                                                              \
    "    log_groups: [\"/app/x\"]\n"                                                               \
    "    retention: { delete_after: 100d }\n"

static const char **s_strs(struct lk_policy *p, const char *const *items, size_t n)
{
    const char **out = lk_arena_alloc(&p->arena, (n ? n : 1) * sizeof(*out));
    for (size_t i = 0; i < n; i++)
        out[i] = lk_arena_strdup(&p->arena, items[i]);
    return out;
}

static void s_source_scope(struct lk_policy *p, const char *name, const char *const *accounts,
                           size_t n_accounts, const char *const *regions, size_t n_regions)
{
    struct lk_source *src = NULL;
    for (size_t i = 0; i < p->n_srcs; i++)
        if (lk_str_eq_c(p->srcs[i]->name, name))
            src = p->srcs[i];
    ck_assert_ptr_nonnull(src);
    src->scope_accounts = s_strs(p, accounts, n_accounts);
    src->n_scope_accounts = n_accounts;
    src->scope_regions = s_strs(p, regions, n_regions);
    src->n_scope_regions = n_regions;
}

/* ORG_POLICY's scope as the resolution of an organisation gives it: management 123456789012 owns
 * the organisation trail, the store lives in log-archive 222233334444 (us-east-1), workloads
 * 333344445555 and 555566667777 deliver flow logs and Config from two Regions. @p n_extra more
 * workload accounts (900000000000 + i) deliver flow logs too. */
static void s_make_org(struct lk_policy *p, size_t n_extra)
{
    static const char *const ids[] = {"123456789012", "222233334444", "333344445555",
                                      "555566667777"};
    static const char *const names[] = {"management", "log-archive", "prod", "dev"};
    static const enum lk_account_kind kinds[] = {LK_ACCOUNT_MANAGEMENT, LK_ACCOUNT_LOG_ARCHIVE,
                                                 LK_ACCOUNT_WORKLOAD, LK_ACCOUNT_WORKLOAD};
    static const char *const regions[] = {"eu-west-1", "us-east-1"};
    size_t n = 4 + n_extra;
    p->scope.multi = true;
    p->scope.accounts = lk_arena_alloc(&p->arena, n * sizeof(*p->scope.accounts));
    p->scope.n_accounts = n;
    const char **workloads = lk_arena_alloc(&p->arena, (2 + n_extra) * sizeof(*workloads));
    workloads[0] = ids[2];
    workloads[1] = ids[3];
    for (size_t i = 0; i < n; i++) {
        struct lk_scope_account *a = &p->scope.accounts[i];
        memset(a, 0, sizeof(*a));
        if (i < 4) {
            a->id = ids[i];
            a->name = names[i];
            a->kind = kinds[i];
        } else {
            a->id = lk_arena_printf(&p->arena, "%012zu", (size_t)900000000000 + i);
            a->name = a->id;
            workloads[2 + i - 4] = a->id;
        }
    }
    p->scope.regions = s_strs(p, regions, 2);
    p->scope.n_regions = 2;
    p->organization.set = true;
    p->organization.v = lk_str_c("o-a1b2c3d4e5");
    struct lk_store *s = lk_policy_find_store(p, lk_str_c("s"));
    s->scope_account = ids[1];
    s->scope_region = "us-east-1";
    s_source_scope(p, "flow", workloads, 2 + n_extra, regions, 2);
    s_source_scope(p, "cfg", workloads, 2, regions, 2);
    s_source_scope(p, "org-trail", ids, 1, regions + 1, 1);
    s_source_scope(p, "app", ids + 2, 1, regions, 1);
}

/* The values of any condition on @p key of @p st, or NULL. */
static const struct lk_ir_string_list *s_cond_key(const struct lk_ir_statement *st, const char *key)
{
    for (size_t i = 0; i < st->n_conditions; i++)
        if (!strcmp(st->conditions[i].key, key))
            return &st->conditions[i].values;
    return NULL;
}

/* Each pair of the scope holds what lives in its account and Region; the delivery statements of
 * the archive's bucket and key list every writer, whichever pair it is in. */
START_TEST(test_scope_pairs)
{
    struct lk_policy *p = s_checked(ORG_POLICY);
    s_make_org(p, 0);
    struct lk_ir_scope *scope = NULL;
    ck_assert_int_eq(lk_compile_scope(p, &scope), 0);
    ck_assert(scope->multi);
    ck_assert_str_eq(scope->organization_id, "o-a1b2c3d4e5");
    ck_assert_uint_eq(scope->n_pairs, 8);
    for (size_t i = 1; i < scope->n_pairs; i++) {
        int c = strcmp(scope->pairs[i - 1].account, scope->pairs[i].account);
        ck_assert(c < 0 ||
                  (c == 0 && strcmp(scope->pairs[i - 1].region, scope->pairs[i].region) < 0));
    }
    for (size_t i = 0; i < scope->n_pairs; i++) {
        const struct lk_ir_pair *pr = &scope->pairs[i];
        const struct lk_ir_state *st = pr->state;
        ck_assert_str_eq(st->account, pr->account);
        ck_assert_str_eq(st->region, pr->region);
        bool archive = !strcmp(pr->account, "222233334444") && !strcmp(pr->region, "us-east-1");
        bool mgmt = !strcmp(pr->account, "123456789012") && !strcmp(pr->region, "us-east-1");
        bool prod_eu = !strcmp(pr->account, "333344445555") && !strcmp(pr->region, "eu-west-1");
        ck_assert_uint_eq(st->n_buckets, archive ? 1 : 0);
        ck_assert_uint_eq(st->n_keys, archive ? 1 : 0);
        ck_assert_uint_eq(st->n_trails, mgmt ? 1 : 0);
        ck_assert_uint_eq(st->n_log_groups, (mgmt || prod_eu) ? 1 : 0);
        if (prod_eu) {
            ck_assert_str_eq(st->log_groups[0].name, "/app/x");
            ck_assert_str_eq(st->log_groups[0].region, "eu-west-1");
        }
        ck_assert_ptr_nonnull(pr->artifacts);
        ck_assert_uint_eq(pr->artifacts->n > 0, archive || mgmt || prod_eu);
    }
    const struct lk_ir_state *mg = lk_ir_scope_find(scope, "123456789012", "us-east-1")->state;
    ck_assert(mg->trails[0].is_organization_trail);
    ck_assert_str_eq(mg->trails[0].cloud_watch_logs_log_group_arn,
                     "arn:aws:logs:us-east-1:123456789012:log-group:/ct/org:*");
    ck_assert_str_eq(mg->log_groups[0].name, "/ct/org");

    const struct lk_ir_state *ar = lk_ir_scope_find(scope, "222233334444", "us-east-1")->state;
    const struct lk_ir_bucket *b = &ar->buckets[0];
    const struct lk_ir_statement *w = s_stmt(b, "LogKeepLogDeliveryWrite");
    ck_assert_uint_eq(w->resources.n, 2);
    ck_assert(
        s_has(&w->resources, "arn:aws:s3:::org-logs-111122223333/flow/AWSLogs/333344445555/*"));
    ck_assert(
        s_has(&w->resources, "arn:aws:s3:::org-logs-111122223333/flow/AWSLogs/555566667777/*"));
    ck_assert_uint_eq(s_cond_key(w, "aws:SourceAccount")->n, 2);
    const struct lk_ir_string_list *arns = s_cond_key(w, "aws:SourceArn");
    ck_assert_uint_eq(arns->n, 4);
    ck_assert(s_has(arns, "arn:aws:logs:eu-west-1:555566667777:*"));
    ck_assert(s_has(arns, "arn:aws:logs:us-east-1:333344445555:*"));
    const struct lk_ir_statement *cd = s_stmt(b, "LogKeepConfigBucketDelivery");
    ck_assert(s_has(&cd->resources,
                    "arn:aws:s3:::org-logs-111122223333/config/AWSLogs/555566667777/Config/*"));
    ck_assert_uint_eq(s_cond_key(cd, "aws:SourceAccount")->n, 2);
    const struct lk_ir_statement *ct = s_stmt(b, "LogKeepCloudTrailWriteOrgTrail");
    ck_assert_uint_eq(ct->resources.n, 2);
    ck_assert(
        s_has(&ct->resources, "arn:aws:s3:::org-logs-111122223333/ct/AWSLogs/o-a1b2c3d4e5/*"));
    ck_assert(
        s_has(&ct->resources, "arn:aws:s3:::org-logs-111122223333/ct/AWSLogs/123456789012/*"));
    ck_assert_str_eq(s_cond_key(ct, "aws:SourceArn")->items[0],
                     "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail");
    /* The key (in the archive account) lets every writer use it. */
    const struct lk_ir_key *k = &ar->keys[0];
    const struct lk_ir_statement *ld = NULL, *ce = NULL;
    for (size_t i = 0; i < k->policy.n_statements; i++) {
        if (!strcmp(k->policy.statements[i].sid, "LogKeepLogDeliveryUseKey"))
            ld = &k->policy.statements[i];
        if (!strcmp(k->policy.statements[i].sid, "LogKeepCloudTrailEncrypt"))
            ce = &k->policy.statements[i];
    }
    ck_assert_ptr_nonnull(ld);
    ck_assert_uint_eq(s_cond_key(ld, "aws:SourceArn")->n, 4);
    ck_assert_ptr_nonnull(ce);
    ck_assert(s_has(s_cond_key(ce, "aws:SourceArn"),
                    "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail"));

    /* The manifest names each artifact's pair, under <account-name>/<region>/. */
    struct lk_emit_account acc[] = {{"management", "123456789012", 1}};
    char *m = lk_emit_scope_manifest(scope, acc, 1);
    ck_assert_ptr_nonnull(m);
    ck_assert_ptr_nonnull(strstr(m, "\"version\": 2,\n  \"organization\": \"o-a1b2c3d4e5\""));
    ck_assert_ptr_nonnull(
        strstr(m, "\"path\": \"log-archive/us-east-1/s3/org-logs-111122223333/policy.json\",\n"
                  "      \"account\": \"222233334444\",\n      \"account_name\": \"log-archive\",\n"
                  "      \"region\": \"us-east-1\""));
    ck_assert_ptr_nonnull(
        strstr(m, "\"path\": \"management/us-east-1/cloudtrail/org-trail.json\""));
    ck_assert_ptr_nonnull(strstr(m, "\"regions\": [\n    \"eu-west-1\",\n    \"us-east-1\"\n  ]"));
    /* Sorted by full path: "log-archive/..." before "management/..." before "prod/...". */
    ck_assert(strstr(m, "\"log-archive/") < strstr(m, "\"management/"));
    ck_assert(strstr(m, "\"management/") < strstr(m, "\"prod/"));
    free(m);
    lk_ir_scope_free(scope);

    /* The state-only form gives the same states. */
    struct lk_ir_scope *again = NULL;
    ck_assert_int_eq(lk_compile_scope_state(p, &again), 0);
    ck_assert_uint_eq(again->n_pairs, 8);
    ck_assert_ptr_null(again->pairs[0].artifacts);
    lk_ir_scope_free(again);
    lk_policy_free(p);
}
END_TEST

/* A single-account policy is one pair with exactly lk_compile()'s state and artifacts. */
START_TEST(test_scope_single)
{
    struct lk_policy *p = s_checked(POLICY);
    struct lk_ir_scope *scope = NULL;
    struct lk_ir_state *st = NULL;
    struct lk_artifacts a;
    lk_artifacts_init(&a);
    ck_assert_int_eq(lk_compile(p, &st, &a), 0);
    ck_assert_int_eq(lk_compile_scope(p, &scope), 0);
    ck_assert(!scope->multi);
    ck_assert_uint_eq(scope->n_pairs, 1);
    ck_assert_str_eq(scope->pairs[0].account, "111122223333");
    ck_assert_str_eq(scope->pairs[0].region, "us-east-1");
    ck_assert(lk_ir_state_equal(st, scope->pairs[0].state, 0, NULL));
    ck_assert_uint_eq(scope->pairs[0].artifacts->n, a.n);
    for (size_t i = 0; i < a.n; i++) {
        ck_assert_str_eq(scope->pairs[0].artifacts->items[i].path, a.items[i].path);
        ck_assert_str_eq(scope->pairs[0].artifacts->items[i].sha256, a.items[i].sha256);
    }
    lk_artifacts_free(&a);
    lk_ir_state_free(st);
    lk_ir_scope_free(scope);
    lk_policy_free(p);
}
END_TEST

/* Past S3's 20 KB, a store of a policy that names its organisation gets the organisation-wide
 * statements, and a note of the size rule (LK206) says so. */
START_TEST(test_scope_org_form)
{
    struct lk_policy *p = s_checked(ORG_POLICY);
    s_make_org(p, 120);
    struct lk_ir_scope *scope = NULL;
    ck_assert_int_eq(lk_compile_scope(p, &scope), 0);
    const struct lk_ir_pair *ar = lk_ir_scope_find(scope, "222233334444", "us-east-1");
    const struct lk_ir_bucket *b = &ar->state->buckets[0];
    const struct lk_ir_statement *w = s_stmt(b, "LogKeepLogDeliveryWrite");
    ck_assert_uint_eq(w->resources.n, 1);
    ck_assert_str_eq(w->resources.items[0], "arn:aws:s3:::org-logs-111122223333/flow/AWSLogs/*");
    ck_assert_ptr_null(s_cond_key(w, "aws:SourceAccount"));
    ck_assert_str_eq(s_cond_key(w, "aws:SourceOrgID")->items[0], "o-a1b2c3d4e5");
    const struct lk_artifact *pol =
        lk_artifacts_find(ar->artifacts, "s3/org-logs-111122223333/policy.json");
    ck_assert_ptr_nonnull(pol);
    ck_assert_uint_le(pol->len, LK_BUCKET_POLICY_MAX_BYTES);
    bool noted = false;
    for (size_t i = 0; i < p->diags.n; i++)
        noted = noted || (!strcmp(p->diags.items[i].rule->id, "LK206") &&
                          p->diags.items[i].severity == LK_SEV_NOTE);
    ck_assert(noted);
    ck_assert_uint_eq(p->diags.n_errors, 0);
    lk_ir_scope_free(scope);

    /* Without the organisation's ID the store cannot be made to fit: LK206. */
    p->organization.set = false;
    p->organization.v = lk_str_c("");
    ck_assert_int_eq(lk_compile_scope(p, &scope), 1);
    ck_assert_ptr_null(scope);
    bool too_big = false;
    for (size_t i = 0; i < p->diags.n; i++)
        too_big = too_big || (!strcmp(p->diags.items[i].rule->id, "LK206") &&
                              p->diags.items[i].severity == LK_SEV_ERROR);
    ck_assert(too_big);
    lk_policy_free(p);
}
END_TEST

/* A key lives in the pair its ARN names, even when the store it encrypts is in another Region;
 * a key of an account outside the scope goes to the pair of its first user. */
START_TEST(test_scope_key_home)
{
    struct lk_policy *p = s_checked(ORG_POLICY);
    s_make_org(p, 0);
    struct lk_store *store = lk_policy_find_store(p, lk_str_c("s"));
    store->scope_region = "eu-west-1";
    struct lk_ir_scope *scope = NULL;
    ck_assert_int_eq(lk_compile_scope(p, &scope), 0);
    const struct lk_ir_state *eu = lk_ir_scope_find(scope, "222233334444", "eu-west-1")->state;
    const struct lk_ir_state *us = lk_ir_scope_find(scope, "222233334444", "us-east-1")->state;
    ck_assert_uint_eq(eu->n_buckets, 1);
    ck_assert_str_eq(eu->buckets[0].region, "eu-west-1");
    ck_assert_uint_eq(eu->n_keys, 0);
    ck_assert_uint_eq(us->n_keys, 1);
    /* The trail has no key of its own: the store's key is used by the store alone. */
    ck_assert_uint_eq(us->keys[0].users.n, 1);
    ck_assert_str_eq(us->keys[0].users.items[0], "store:s");
    /* The origin of the key is its kms_key, copied into the key's own pair. */
    ck_assert_ptr_nonnull(us->keys[0].origin.file);
    ck_assert_str_eq(us->keys[0].origin.file, "test.yaml");
    ck_assert_ptr_nonnull(strstr(us->keys[0].origin.text, "kms_key"));
    lk_ir_scope_free(scope);

    store->kms_key.v =
        lk_str_c("arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    ck_assert_int_eq(lk_compile_scope(p, &scope), 0);
    eu = lk_ir_scope_find(scope, "222233334444", "eu-west-1")->state;
    ck_assert_uint_eq(eu->n_keys, 1);
    ck_assert_str_eq(eu->keys[0].region, "us-east-1");
    lk_ir_scope_free(scope);
    lk_policy_free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compile");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_lower_buckets);
    tcase_add_test(tc, test_lower_store_guards);
    tcase_add_test(tc, test_lower_keys);
    tcase_add_test(tc, test_emit_deterministic);
    tcase_add_test(tc, test_xml_escaping);
    tcase_add_test(tc, test_policy_size_limit);
    tcase_add_test(tc, test_compiled_each_matches_compile);
    tcase_add_test(tc, test_compile_plan_size_limit);
    tcase_add_test(tc, test_ir_list_helpers);
    tcase_add_test(tc, test_lower_scope_buckets);
    tcase_add_test(tc, test_check_limits_agrees);
    tcase_add_test(tc, test_trail);
    tcase_add_test(tc, test_lower_origins);
    tcase_add_test(tc, test_lower_trail_origins);
    tcase_add_test(tc, test_lower_versioning_origin);
    tcase_add_test(tc, test_lower_origin_line_breaks);
    tcase_add_test(tc, test_scope_pairs);
    tcase_add_test(tc, test_scope_single);
    tcase_add_test(tc, test_scope_org_form);
    tcase_add_test(tc, test_scope_key_home);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
