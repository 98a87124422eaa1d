/*
 * Unit tests: the semantic diff of two policies (compiler/policy_diff.h).
 */
#include "lk_test.h"

#include <stdio.h>

#include "compiler/compile.h"
#include "compiler/policy_diff.h"

#define BASE                                                                                       \
    LK_TEST_HEADER                                                                                 \
    "roles:\n"                                                                                     \
    "  analysts: { principals: [\"arn:aws:iam::111122223333:role/Analyst\"], access: read }\n"     \
    "  admins: { principals: [\"arn:aws:iam::111122223333:role/Admin\"], access: admin }\n"        \
    "stores:\n"                                                                                    \
    "  archive:\n"                                                                                 \
    "    bucket: unit-diff-111122223333\n"                                                         \
    "    encryption: { kms_key: \"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\" }\n"             \
    "    object_lock: { mode: compliance, for: 30d }\n"                                            \
    "    transition_small_objects: true\n"                                                         \
    "    readers: [analysts]\n"                                                                    \
    "    admins: [admins]\n"                                                                       \
    "retention:\n"                                                                                 \
    "  evidence:\n"                                                                                \
    "    available: 90d\n"                                                                         \
    "    archive: [{ after: 90d, class: glacier-ir }, { after: 1y, class: deep-archive }]\n"       \
    "    delete_after: 7y\n"                                                                       \
    "sources:\n"                                                                                   \
    "  trail:\n"                                                                                   \
    "    type: cloudtrail\n"                                                                       \
    "    purpose: security investigations and audit evidence\n"                                    \
    "    retention: evidence\n"                                                                    \
    "    store: archive\n"                                                                         \
    "    prefix: cloudtrail/\n"                                                                    \
    "  flow:\n"                                                                                    \
    "    type: vpc-flow-logs\n"                                                                    \
    "    purpose: network forensics for incident response\n"                                       \
    "    retention: { available: 30d, delete_after: 400d }\n"                                      \
    "    store: archive\n"                                                                         \
    "    prefix: flow/\n"                                                                          \
    "  app:\n"                                                                                     \
    "    type: cloudwatch-logs\n"                                                                  \
    "    purpose: payment dispute investigations\n"                                                \
    "    log_groups: [\"/app/payments/*\"]\n"                                                      \
    "    retention: { delete_after: 400d }\n"

/* @return a heap copy of @p text with the one occurrence of @p from replaced by @p to. */
static char *s_sub(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    ck_assert_msg(at != NULL, "no \"%s\" in the policy", from);
    ck_assert_msg(strstr(at + 1, from) == NULL, "\"%s\" occurs twice", from);
    size_t head = (size_t)(at - text), fl = strlen(from), tl = strlen(to);
    char *out = malloc(strlen(text) - fl + tl + 1);
    ck_assert_ptr_nonnull(out);
    memcpy(out, text, head);
    memcpy(out + head, to, tl);
    strcpy(out + head + tl, at + fl);
    return out;
}

/* s_sub() that frees its input. */
static char *s_sub_free(char *text, const char *from, const char *to)
{
    char *out = s_sub(text, from, to);
    free(text);
    return out;
}

struct s_side {
    struct lk_policy *p;
    struct lk_ir_state *st;
    struct lk_artifacts arts;
    bool compiled;
};

static void s_side_load(struct s_side *s, const char *yaml, bool errors_allowed)
{
    s->p = lk_test_policy(yaml);
    lk_artifacts_init(&s->arts);
    s->st = NULL;
    s->compiled = lk_compile(s->p, &s->st, &s->arts) == 0;
    if (!errors_allowed)
        for (size_t i = 0; i < s->p->diags.n; i++)
            ck_assert_msg(s->p->diags.items[i].severity != LK_SEV_ERROR, "%s: %s",
                          s->p->diags.items[i].rule->id, s->p->diags.items[i].message);
}

static void s_side_free(struct s_side *s)
{
    lk_ir_state_free(s->st);
    lk_artifacts_free(&s->arts);
    lk_policy_free(s->p);
}

/* Diffs two policies (both compiled, no errors allowed). */
static struct lk_policy_diff *s_diff(const char *old_yaml, const char *new_yaml)
{
    struct s_side o, n;
    s_side_load(&o, old_yaml, false);
    s_side_load(&n, new_yaml, false);
    struct lk_policy_diff *d = lk_policy_diff_compute(o.p, &o.arts, n.p, &n.arts);
    s_side_free(&o);
    s_side_free(&n);
    return d;
}

static const struct lk_policy_diff_entry *s_entry(const struct lk_policy_diff *d,
                                                  enum lk_policy_diff_kind kind, const char *name)
{
    for (size_t i = 0; i < d->n_entries; i++)
        if (d->entries[i].kind == kind && !strcmp(d->entries[i].name, name))
            return &d->entries[i];
    return NULL;
}

static const struct lk_policy_diff_row *s_row(const struct lk_policy_diff_entry *e,
                                              const char *attribute)
{
    for (size_t i = 0; e && i < e->n_rows; i++)
        if (!strcmp(e->rows[i].attribute, attribute))
            return &e->rows[i];
    return NULL;
}

/* The one row of entry (kind, name) for @p attribute, which must exist. */
static const struct lk_policy_diff_row *s_must_row(const struct lk_policy_diff *d,
                                                   enum lk_policy_diff_kind kind, const char *name,
                                                   const char *attribute)
{
    const struct lk_policy_diff_entry *e = s_entry(d, kind, name);
    ck_assert_msg(e != NULL, "no entry %s %s", lk_policy_diff_kind_name(kind), name);
    const struct lk_policy_diff_row *r = s_row(e, attribute);
    ck_assert_msg(r != NULL, "no row %s on %s %s", attribute, lk_policy_diff_kind_name(kind), name);
    return r;
}

static void s_assert_risks(const struct lk_policy_diff *d, unsigned want)
{
    unsigned got = lk_policy_diff_risks(d);
    if (got != want) {
        char *text = lk_policy_diff_render(d, LK_POLICY_DIFF_TEXT, false);
        ck_abort_msg("risks 0x%x, expected 0x%x:\n%s", got, want, text);
    }
}

/* One substitution of BASE, diffed against BASE. */
static struct lk_policy_diff *s_diff_sub(const char *from, const char *to)
{
    char *n = s_sub(BASE, from, to);
    struct lk_policy_diff *d = s_diff(BASE, n);
    free(n);
    return d;
}

START_TEST(test_identical)
{
    struct lk_policy_diff *d = s_diff(BASE, BASE);
    ck_assert_uint_eq(d->n_entries, 0);
    ck_assert(d->artifacts_compared);
    ck_assert_uint_eq(d->n_artifacts, 0);
    s_assert_risks(d, 0);
    char *text = lk_policy_diff_render(d, LK_POLICY_DIFF_TEXT, false);
    ck_assert_str_eq(text, "no change in meaning\n\nartifacts: 0 added, 0 changed, 0 removed\n"
                           "\nno risky change\n");
    free(text);
    lk_policy_diff_free(d);
}
END_TEST

START_TEST(test_data_loss_retention)
{
    /* 7y (2557 days) to 5y: expiration earlier. */
    struct lk_policy_diff *d = s_diff_sub("delete_after: 7y", "delete_after: 5y");
    const struct lk_policy_diff_row *r =
        s_must_row(d, LK_POLICY_DIFF_SOURCE, "trail", "delete_after");
    ck_assert_str_eq(r->old_value, "2557 days");
    ck_assert_str_eq(r->new_value, "1827 days");
    ck_assert_uint_eq(r->risks, LK_POLICY_DIFF_RISK_DATA_LOSS);
    s_assert_risks(d, LK_POLICY_DIFF_RISK_DATA_LOSS);
    ck_assert_uint_eq(lk_policy_diff_count(d, LK_POLICY_DIFF_RISK_DATA_LOSS), 1);
    /* The lifecycle changes. */
    ck_assert_uint_eq(d->n_artifacts, 1);
    ck_assert_str_eq(d->artifacts[0].path, "s3/unit-diff-111122223333/lifecycle.xml");
    ck_assert_int_eq(d->artifacts[0].change, LK_POLICY_DIFF_ARTIFACT_CHANGED);
    ck_assert_str_ne(d->artifacts[0].old_sha256, d->artifacts[0].new_sha256);
    lk_policy_diff_free(d);

    /* Longer is not risky. */
    d = s_diff_sub("delete_after: 7y", "delete_after: 10y");
    s_must_row(d, LK_POLICY_DIFF_SOURCE, "trail", "delete_after");
    s_assert_risks(d, 0);
    lk_policy_diff_free(d);
}
END_TEST

START_TEST(test_data_loss_forever_to_finite)
{
    char *o = s_sub(BASE, "    retention: { delete_after: 400d }\n",
                    "    retention: { delete_after: forever }\n"
                    "    forever_because: \"court order 2024-117 keeps these until the case "
                    "closes\"\n");
    struct lk_policy_diff *d = s_diff(o, BASE);
    const struct lk_policy_diff_row *r =
        s_must_row(d, LK_POLICY_DIFF_SOURCE, "app", "delete_after");
    ck_assert_str_eq(r->old_value, "forever");
    ck_assert_str_eq(r->new_value, "400 days");
    ck_assert(r->risks & LK_POLICY_DIFF_RISK_DATA_LOSS);
    /* A log-group-only source is available until deletion: deletion explains the shorter
     * window, so availability-reduced is not raised on top. */
    r = s_must_row(d, LK_POLICY_DIFF_SOURCE, "app", "available");
    ck_assert_uint_eq(r->risks, 0);
    s_assert_risks(d, LK_POLICY_DIFF_RISK_DATA_LOSS);
    lk_policy_diff_free(d);
    /* The other way round keeps logs longer. */
    d = s_diff(BASE, o);
    s_assert_risks(d, 0);
    lk_policy_diff_free(d);
    free(o);
}
END_TEST

START_TEST(test_availability_reduced)
{
    struct lk_policy_diff *d = s_diff_sub("{ available: 30d, delete_after: 400d }",
                                          "{ available: 14d, delete_after: 400d }");
    const struct lk_policy_diff_row *r = s_must_row(d, LK_POLICY_DIFF_SOURCE, "flow", "available");
    ck_assert_str_eq(r->old_value, "30 days");
    ck_assert_str_eq(r->new_value, "14 days");
    ck_assert_uint_eq(r->risks, LK_POLICY_DIFF_RISK_AVAILABILITY_REDUCED);
    s_assert_risks(d, LK_POLICY_DIFF_RISK_AVAILABILITY_REDUCED);
    lk_policy_diff_free(d);

    /* Log groups that held the only copy keep fewer days once the source also writes to a
     * store: what they held beyond the window is gone. */
    char *o =
        s_sub(BASE, "    store: archive\n    prefix: flow/\n", "    log_groups: [\"/vpc/flow\"]\n");
    char *n = s_sub(BASE, "    store: archive\n    prefix: flow/\n",
                    "    log_groups: [\"/vpc/flow\"]\n    store: archive\n    prefix: flow/\n");
    d = s_diff(o, n);
    r = s_must_row(d, LK_POLICY_DIFF_SOURCE, "flow", "available");
    ck_assert_str_eq(r->old_value, "400 days");
    ck_assert_str_eq(r->new_value, "30 days");
    ck_assert_uint_eq(r->risks,
                      LK_POLICY_DIFF_RISK_DATA_LOSS | LK_POLICY_DIFF_RISK_AVAILABILITY_REDUCED);
    ck_assert_ptr_nonnull(r->note);
    lk_policy_diff_free(d);
    /* Already in the store, a shorter window loses nothing. */
    char *n2 = s_sub(n, "{ available: 30d, delete_after: 400d }",
                     "{ available: 14d, delete_after: 400d }");
    d = s_diff(n, n2);
    r = s_must_row(d, LK_POLICY_DIFF_SOURCE, "flow", "available");
    ck_assert_uint_eq(r->risks, LK_POLICY_DIFF_RISK_AVAILABILITY_REDUCED);
    lk_policy_diff_free(d);
    free(o);
    free(n);
    free(n2);

    /* Archive tiers alone do not reduce availability: a colder class earlier, same window. */
    d = s_diff_sub("{ after: 1y, class: deep-archive }", "{ after: 180d, class: deep-archive }");
    r = s_must_row(d, LK_POLICY_DIFF_SOURCE, "trail", "archive");
    ck_assert_str_eq(r->old_value, "glacier-ir from day 90, deep-archive from day 365");
    ck_assert_str_eq(r->new_value, "glacier-ir from day 90, deep-archive from day 180");
    s_assert_risks(d, 0);
    lk_policy_diff_free(d);
}
END_TEST

START_TEST(test_access_widened)
{
    /* A principal added to a reader role widens access to the store. */
    struct lk_policy_diff *d = s_diff_sub("[\"arn:aws:iam::111122223333:role/Analyst\"]",
                                          "[\"arn:aws:iam::111122223333:role/Analyst\", "
                                          "\"arn:aws:iam::111122223333:role/Auditor\"]");
    const struct lk_policy_diff_row *r = s_must_row(d, LK_POLICY_DIFF_STORE, "archive", "readers");
    ck_assert_uint_eq(r->risks, LK_POLICY_DIFF_RISK_ACCESS_WIDENED);
    ck_assert_str_eq(r->note, "added: arn:aws:iam::111122223333:role/Auditor");
    s_assert_risks(d, LK_POLICY_DIFF_RISK_ACCESS_WIDENED);
    /* Sources of the store do not repeat it. */
    ck_assert_ptr_null(s_entry(d, LK_POLICY_DIFF_SOURCE, "trail"));
    lk_policy_diff_free(d);

    /* Fewer admins is not widening. */
    char *o = s_sub(BASE, "    admins: [admins]\n", "    admins: [admins, admins2]\n");
    o = s_sub_free(o, "stores:\n",
                   "  admins2: { principals: [\"arn:aws:iam::111122223333:role/Ops\"], access: "
                   "admin }\nstores:\n");
    d = s_diff(o, BASE);
    r = s_must_row(d, LK_POLICY_DIFF_STORE, "archive", "admins");
    ck_assert_uint_eq(r->risks, 0);
    s_assert_risks(d, 0);
    lk_policy_diff_free(d);
    /* More admins is. */
    d = s_diff(BASE, o);
    s_assert_risks(d, LK_POLICY_DIFF_RISK_ACCESS_WIDENED);
    lk_policy_diff_free(d);
    free(o);
}
END_TEST

START_TEST(test_access_widened_by_moving)
{
    /* A source moved to another bucket whose readers include new principals. */
    char *n = s_sub(BASE, "retention:\n",
                    "  shared:\n"
                    "    bucket: unit-shared-111122223333\n"
                    "    readers: [analysts, everyone]\n"
                    "    admins: [admins]\n"
                    "retention:\n");
    n = s_sub_free(n, "stores:\n",
                   "  everyone: { principals: [\"arn:aws:iam::111122223333:role/Dev\"], access: "
                   "read }\nstores:\n");
    n = s_sub_free(n, "    store: archive\n    prefix: flow/\n",
                   "    store: shared\n    prefix: flow/\n");
    struct lk_policy_diff *d = s_diff(BASE, n);
    const struct lk_policy_diff_row *r = s_must_row(d, LK_POLICY_DIFF_SOURCE, "flow", "bucket");
    ck_assert_str_eq(r->new_value, "unit-shared-111122223333");
    r = s_must_row(d, LK_POLICY_DIFF_SOURCE, "flow", "readers");
    ck_assert_uint_eq(r->risks, LK_POLICY_DIFF_RISK_ACCESS_WIDENED);
    ck_assert_str_eq(r->note, "added: arn:aws:iam::111122223333:role/Dev");
    const struct lk_policy_diff_entry *e = s_entry(d, LK_POLICY_DIFF_STORE, "shared");
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->status, LK_POLICY_DIFF_ADDED);
    ck_assert_uint_eq(e->risks, 0);
    s_assert_risks(d, LK_POLICY_DIFF_RISK_ACCESS_WIDENED);
    lk_policy_diff_free(d);
    free(n);
}
END_TEST

START_TEST(test_role_rename_not_widening)
{
    char *n = s_sub(BASE, "  analysts: {", "  investigators: {");
    n = s_sub_free(n, "readers: [analysts]", "readers: [investigators]");
    struct lk_policy_diff *d = s_diff(BASE, n);
    ck_assert_uint_eq(d->n_entries, 0);
    ck_assert_uint_eq(d->n_artifacts, 0);
    s_assert_risks(d, 0);
    lk_policy_diff_free(d);
    free(n);

    /* A bare account ID and its root ARN are the same principal. */
    char *o = s_sub(BASE, "[\"arn:aws:iam::111122223333:role/Analyst\"]",
                    "[\"arn:aws:iam::111122223333:role/Analyst\", \"111122223333\"]");
    n = s_sub(BASE, "[\"arn:aws:iam::111122223333:role/Analyst\"]",
              "[\"arn:aws:iam::111122223333:role/Analyst\", \"arn:aws:iam::111122223333:root\"]");
    d = s_diff(o, n);
    ck_assert_uint_eq(d->n_entries, 0);
    lk_policy_diff_free(d);
    free(o);
    free(n);
}
END_TEST

START_TEST(test_class_rename_not_a_change)
{
    /* The class renamed, and an inline retention turned into a class with the same days. */
    char *n = s_sub(BASE, "  evidence:\n", "  seven-years:\n");
    n = s_sub_free(n, "    retention: evidence\n", "    retention: seven-years\n");
    n = s_sub_free(n, "    retention: { delete_after: 400d }\n", "    retention: thirteen\n");
    n = s_sub_free(n, "sources:\n", "  thirteen: { delete_after: 400d }\nsources:\n");
    struct lk_policy_diff *d = s_diff(BASE, n);
    ck_assert_uint_eq(d->n_entries, 0);
    ck_assert_uint_eq(d->n_artifacts, 0);
    s_assert_risks(d, 0);
    lk_policy_diff_free(d);
    free(n);
}
END_TEST

START_TEST(test_source_rename)
{
    char *n = s_sub(BASE, "  flow:\n", "  vpc-flow:\n");
    n = s_sub_free(n, "network forensics for incident response",
                   "network forensics during incident response");
    struct lk_policy_diff *d = s_diff(BASE, n);
    ck_assert_uint_eq(d->n_entries, 1);
    const struct lk_policy_diff_entry *e = &d->entries[0];
    ck_assert_int_eq(e->status, LK_POLICY_DIFF_RENAMED);
    ck_assert_str_eq(e->name, "vpc-flow");
    ck_assert_str_eq(e->old_name, "flow");
    /* The purpose is a description: it changes, the logs do not. */
    ck_assert_uint_eq(e->n_rows, 1);
    ck_assert_str_eq(e->rows[0].attribute, "purpose");
    s_assert_risks(d, 0);
    /* The lifecycle rule is named after the source, so its payload changes. */
    ck_assert_uint_eq(d->n_artifacts, 1);
    lk_policy_diff_free(d);
    free(n);

    /* Renamed and shortened is not a rename: the old source goes, a new one comes. */
    n = s_sub(BASE, "  flow:\n", "  vpc-flow:\n");
    n = s_sub_free(n, "{ available: 30d, delete_after: 400d }",
                   "{ available: 30d, delete_after: 365d }");
    d = s_diff(BASE, n);
    e = s_entry(d, LK_POLICY_DIFF_SOURCE, "flow");
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->status, LK_POLICY_DIFF_REMOVED);
    ck_assert_uint_eq(e->risks, LK_POLICY_DIFF_RISK_DATA_LOSS);
    e = s_entry(d, LK_POLICY_DIFF_SOURCE, "vpc-flow");
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->status, LK_POLICY_DIFF_ADDED);
    s_assert_risks(d, LK_POLICY_DIFF_RISK_DATA_LOSS);
    lk_policy_diff_free(d);
    free(n);

    /* A trail renamed without trail.name gets a new trail name: not a rename either. */
    n = s_sub(BASE, "  trail:\n", "  org-trail:\n");
    d = s_diff(BASE, n);
    e = s_entry(d, LK_POLICY_DIFF_SOURCE, "org-trail");
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->status, LK_POLICY_DIFF_ADDED);
    lk_policy_diff_free(d);
    free(n);
}
END_TEST

START_TEST(test_store_rename)
{
    char *n = s_sub(BASE, "  archive:\n", "  security-archive:\n");
    n = s_sub_free(n, "    store: archive\n    prefix: cloudtrail/\n",
                   "    store: security-archive\n    prefix: cloudtrail/\n");
    n = s_sub_free(n, "    store: archive\n    prefix: flow/\n",
                   "    store: security-archive\n    prefix: flow/\n");
    struct lk_policy_diff *d = s_diff(BASE, n);
    ck_assert_uint_eq(d->n_entries, 1);
    ck_assert_int_eq(d->entries[0].status, LK_POLICY_DIFF_RENAMED);
    ck_assert_str_eq(d->entries[0].old_name, "archive");
    ck_assert_str_eq(d->entries[0].bucket, "unit-diff-111122223333");
    ck_assert_uint_eq(d->entries[0].n_rows, 0);
    s_assert_risks(d, 0);
    lk_policy_diff_free(d);
    free(n);
}
END_TEST

START_TEST(test_integrity_weakened)
{
    static const struct {
        const char *from, *to, *kind_name, *attribute;
    } cases[] = {
        {"    object_lock: { mode: compliance, for: 30d }\n", "", "archive", "object_lock"},
        {"mode: compliance, for: 30d", "mode: governance, for: 30d", "archive", "object_lock"},
        {"mode: compliance, for: 30d", "mode: compliance, for: 14d", "archive", "object_lock"},
        {"    encryption: { kms_key: \"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\" }\n", "",
         "archive", "encryption"},
        {"    prefix: cloudtrail/\n",
         "    prefix: cloudtrail/\n    trail: { multi_region: false }\n", "trail",
         "trail.multi_region"},
        {"    prefix: cloudtrail/\n",
         "    prefix: cloudtrail/\n    trail: { management_events: false }\n", "trail",
         "trail.management_events"},
        {"    prefix: cloudtrail/\n",
         "    prefix: cloudtrail/\n    trail: { read_write: WriteOnly }\n", "trail",
         "trail.read_write"},
        {"    prefix: cloudtrail/\n",
         "    prefix: cloudtrail/\n    trail: { log_file_validation: false }\n"
         "    waivers: { LK401: \"digests are verified by the organization trail instead\" }\n",
         "trail", "trail.log_file_validation"},
        {"    retention: { delete_after: 400d }\n",
         "    retention: { delete_after: 400d }\n    deletion_protection: false\n", "app",
         "deletion_protection"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lk_policy_diff *d = s_diff_sub(cases[i].from, cases[i].to);
        bool store = !strcmp(cases[i].kind_name, "archive");
        const struct lk_policy_diff_row *r =
            s_must_row(d, store ? LK_POLICY_DIFF_STORE : LK_POLICY_DIFF_SOURCE, cases[i].kind_name,
                       cases[i].attribute);
        ck_assert_msg(r->risks & LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED, "case %zu", i);
        ck_assert_msg(!(lk_policy_diff_risks(d) & ~LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED),
                      "case %zu: other risks", i);
        lk_policy_diff_free(d);
        /* The reverse strengthens. */
        char *n = s_sub(BASE, cases[i].from, cases[i].to);
        d = s_diff(n, BASE);
        ck_assert_msg(lk_policy_diff_risks(d) == 0, "case %zu reversed", i);
        lk_policy_diff_free(d);
        free(n);
    }

    /* Versioning off (without Object Lock, which keeps it on). */
    char *n = s_sub(BASE, "    object_lock: { mode: compliance, for: 30d }\n",
                    "    versioning: false\n"
                    "    waivers: { LK402: \"the bucket is replicated to a locked account\" }\n");
    char *o = s_sub(BASE, "    object_lock: { mode: compliance, for: 30d }\n", "");
    struct lk_policy_diff *d = s_diff(o, n);
    const struct lk_policy_diff_row *r =
        s_must_row(d, LK_POLICY_DIFF_STORE, "archive", "versioning");
    ck_assert_str_eq(r->old_value, "on");
    ck_assert_str_eq(r->new_value, "off");
    ck_assert_uint_eq(r->risks, LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED);
    s_assert_risks(d, LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED);
    lk_policy_diff_free(d);
    free(o);
    free(n);

    /* A trail encrypted through its store loses that with the store's key. */
    d = s_diff_sub(
        "    encryption: { kms_key: \"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\" }\n", "");
    r = s_must_row(d, LK_POLICY_DIFF_SOURCE, "trail", "trail.encryption");
    ck_assert_uint_eq(r->risks, LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED);
    lk_policy_diff_free(d);
}
END_TEST

/* The coverage settings of a producing source: turning the check off, or excluding a producer,
 * weakens integrity; turning enable on or narrowing the selection is shown without a risk. */
START_TEST(test_coverage_changes)
{
    static const struct {
        const char *to, *attribute, *old_value, *new_value;
        unsigned risks;
    } cases[] = {
        {"    prefix: flow/\n    coverage: false\n", "coverage", "on", "off",
         LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED},
        {"    prefix: flow/\n    resources:\n      exclude: { vpc-0abc1234: \"sandbox VPC torn "
         "down nightly\" }\n",
         "resources.exclude", "none", "vpc-0abc1234", LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED},
        {"    prefix: flow/\n    enable: true\n", "enable", "off", "on", 0},
        {"    prefix: flow/\n    resources: { tags: { env: prod }, names: [\"b-*\", \"a-*\"] }\n",
         "resources", "every producer of the scope", "names: a-*, b-*; tags: env=prod", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lk_policy_diff *d = s_diff_sub("    prefix: flow/\n", cases[i].to);
        const struct lk_policy_diff_row *r =
            s_must_row(d, LK_POLICY_DIFF_SOURCE, "flow", cases[i].attribute);
        ck_assert_str_eq(r->old_value, cases[i].old_value);
        ck_assert_str_eq(r->new_value, cases[i].new_value);
        ck_assert_uint_eq(r->risks, cases[i].risks);
        s_assert_risks(d, cases[i].risks);
        lk_policy_diff_free(d);
        /* The reverse carries no risk. */
        char *n = s_sub(BASE, "    prefix: flow/\n", cases[i].to);
        d = s_diff(n, BASE);
        s_assert_risks(d, 0);
        lk_policy_diff_free(d);
        free(n);
    }
    /* A type without producers has none of these rows. */
    struct lk_policy_diff *d = s_diff_sub("    type: cloudwatch-logs\n", "    type: log-group\n");
    ck_assert_ptr_null(s_row(s_entry(d, LK_POLICY_DIFF_SOURCE, "app"), "coverage"));
    lk_policy_diff_free(d);
}
END_TEST

START_TEST(test_removals)
{
    /* A source removed: its logs stop being governed. */
    char *n = s_sub(BASE,
                    "  app:\n    type: cloudwatch-logs\n    purpose: payment dispute "
                    "investigations\n    log_groups: [\"/app/payments/*\"]\n    retention: { "
                    "delete_after: 400d }\n",
                    "");
    struct lk_policy_diff *d = s_diff(BASE, n);
    const struct lk_policy_diff_entry *e = s_entry(d, LK_POLICY_DIFF_SOURCE, "app");
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->status, LK_POLICY_DIFF_REMOVED);
    ck_assert_uint_eq(e->risks, LK_POLICY_DIFF_RISK_DATA_LOSS);
    ck_assert_ptr_nonnull(s_row(e, "log_groups"));
    ck_assert_str_eq(s_row(e, "log_groups")->old_value, "/app/payments/*");
    ck_assert_ptr_null(s_row(e, "log_groups")->new_value);
    ck_assert_uint_eq(lk_policy_diff_count(d, LK_POLICY_DIFF_RISK_DATA_LOSS), 1);
    /* Its log groups leave retention.json. */
    ck_assert_uint_eq(d->n_artifacts, 1);
    ck_assert_str_eq(d->artifacts[0].path, "logs/us-east-1/retention.json");
    ck_assert_int_eq(d->artifacts[0].change, LK_POLICY_DIFF_ARTIFACT_REMOVED);
    ck_assert_str_eq(d->artifacts[0].new_sha256, "");
    lk_policy_diff_free(d);
    /* Added is not risky. */
    d = s_diff(n, BASE);
    s_assert_risks(d, 0);
    ck_assert_int_eq(d->artifacts[0].change, LK_POLICY_DIFF_ARTIFACT_ADDED);
    lk_policy_diff_free(d);
    free(n);

    /* A log group dropped from a source. */
    char *o = s_sub(BASE, "[\"/app/payments/*\"]", "[\"/app/payments/*\", \"/app/refunds\"]");
    d = s_diff(o, BASE);
    const struct lk_policy_diff_row *r = s_must_row(d, LK_POLICY_DIFF_SOURCE, "app", "log_groups");
    ck_assert_uint_eq(r->risks, LK_POLICY_DIFF_RISK_DATA_LOSS);
    ck_assert_str_eq(r->note, "no longer kept as long by any source: /app/refunds");
    lk_policy_diff_free(d);
    /* ... unless another source now keeps it as long. */
    n = s_sub(BASE, "sources:\n",
              "sources:\n  refunds:\n    type: cloudwatch-logs\n    purpose: refund dispute "
              "investigations\n    log_groups: /app/refunds\n    retention: { delete_after: 400d "
              "}\n");
    d = s_diff(o, n);
    r = s_must_row(d, LK_POLICY_DIFF_SOURCE, "app", "log_groups");
    ck_assert_uint_eq(r->risks, 0);
    s_assert_risks(d, 0);
    lk_policy_diff_free(d);
    free(n);
    free(o);

    /* A store removed (with the sources it held). */
    o = s_sub(BASE, "retention:\n",
              "  spare:\n    bucket: unit-spare-111122223333\n    readers: [analysts]\n"
              "    admins: [admins]\nretention:\n");
    d = s_diff(o, BASE);
    e = s_entry(d, LK_POLICY_DIFF_STORE, "spare");
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->status, LK_POLICY_DIFF_REMOVED);
    ck_assert_uint_eq(e->risks, LK_POLICY_DIFF_RISK_DATA_LOSS);
    ck_assert_str_eq(e->bucket, "unit-spare-111122223333");
    lk_policy_diff_free(d);
    free(o);
}
END_TEST

START_TEST(test_policy_level)
{
    /* Setting the unmanaged retention deletes older events of never-expire groups. */
    char *n = s_sub(BASE, "roles:\n", "unmanaged:\n  log_groups: { delete_after: 1y }\nroles:\n");
    struct lk_policy_diff *d = s_diff(BASE, n);
    const struct lk_policy_diff_row *r =
        s_must_row(d, LK_POLICY_DIFF_POLICY, "policy", "unmanaged.log_groups.delete_after");
    ck_assert_str_eq(r->old_value, "not set");
    ck_assert_str_eq(r->new_value, "365 days");
    ck_assert_uint_eq(r->risks, LK_POLICY_DIFF_RISK_DATA_LOSS);
    lk_policy_diff_free(d);
    d = s_diff(n, BASE);
    s_assert_risks(d, 0);
    lk_policy_diff_free(d);
    free(n);

    /* Baselines listed: reported, not risky by themselves. */
    n = s_sub(BASE, "roles:\n", "baselines: [sec04-bp01]\nroles:\n");
    struct s_side o, nw;
    s_side_load(&o, BASE, false);
    s_side_load(&nw, n, true);
    d = lk_policy_diff_compute(o.p, &o.arts, nw.p, nw.compiled ? &nw.arts : NULL);
    r = s_must_row(d, LK_POLICY_DIFF_POLICY, "policy", "baselines");
    ck_assert_str_eq(r->old_value, "none");
    ck_assert_str_eq(r->new_value, "sec04-bp01");
    ck_assert_uint_eq(r->risks, 0);
    lk_policy_diff_free(d);
    s_side_free(&o);
    s_side_free(&nw);
    free(n);
}
END_TEST

START_TEST(test_baseline_violated)
{
    /* A baseline finding the old policy did not have (LK501 here: any LK5xx finding counts). */
    char *n = s_sub(BASE, "roles:\n", "baselines: [sox-2002]\nroles:\n");
    struct s_side o, nw;
    s_side_load(&o, BASE, false);
    s_side_load(&nw, n, true);
    ck_assert_uint_eq(lk_test_count(nw.p, "LK501"), 1);
    ck_assert(!nw.compiled);
    struct lk_policy_diff *d = lk_policy_diff_compute(o.p, &o.arts, nw.p, NULL);
    ck_assert(!d->artifacts_compared);
    const struct lk_policy_diff_entry *e = s_entry(d, LK_POLICY_DIFF_BASELINE, "LK501");
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->status, LK_POLICY_DIFF_ADDED);
    ck_assert_uint_eq(e->risks, LK_POLICY_DIFF_RISK_BASELINE_VIOLATED);
    ck_assert_str_eq(e->note, lk_test_find(nw.p, "LK501")->message);
    ck_assert(lk_policy_diff_risks(d) & LK_POLICY_DIFF_RISK_BASELINE_VIOLATED);
    lk_policy_diff_free(d);

    /* The same finding on both sides is not new; gone, it is reported without risk. */
    d = lk_policy_diff_compute(nw.p, NULL, nw.p, NULL);
    ck_assert_ptr_null(s_entry(d, LK_POLICY_DIFF_BASELINE, "LK501"));
    lk_policy_diff_free(d);
    d = lk_policy_diff_compute(nw.p, NULL, o.p, &o.arts);
    e = s_entry(d, LK_POLICY_DIFF_BASELINE, "LK501");
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->status, LK_POLICY_DIFF_REMOVED);
    ck_assert_uint_eq(e->risks, 0);
    ck_assert_uint_eq(d->old_errors, nw.p->diags.n_errors);
    lk_policy_diff_free(d);
    s_side_free(&o);
    s_side_free(&nw);
    free(n);
}
END_TEST

START_TEST(test_deterministic)
{
    /* The same change, with the new policy's definitions in another order, renders to the same
     * bytes in every format. */
    char *a = s_sub(BASE, "delete_after: 7y", "delete_after: 5y");
    a = s_sub_free(a, "readers: [analysts]", "readers: [analysts, admins]");
    char *b = s_sub(a,
                    "  app:\n    type: cloudwatch-logs\n    purpose: payment dispute "
                    "investigations\n    log_groups: [\"/app/payments/*\"]\n    retention: { "
                    "delete_after: 400d }\n",
                    "");
    b = s_sub_free(b, "sources:\n",
                   "sources:\n  app:\n    type: cloudwatch-logs\n    purpose: payment dispute "
                   "investigations\n    log_groups: [\"/app/payments/*\"]\n    retention: { "
                   "delete_after: 400d }\n");
    b = s_sub_free(b, "readers: [analysts, admins]", "readers: [admins, analysts]");
    ck_assert_str_ne(a, b);
    struct lk_policy_diff *d1 = s_diff(BASE, a), *d2 = s_diff(BASE, b);
    for (int f = LK_POLICY_DIFF_TEXT; f <= LK_POLICY_DIFF_JSON; f++) {
        char *t1 = lk_policy_diff_render(d1, (enum lk_policy_diff_format)f, false);
        char *t2 = lk_policy_diff_render(d2, (enum lk_policy_diff_format)f, false);
        char *t3 = lk_policy_diff_render(d1, (enum lk_policy_diff_format)f, false);
        ck_assert_str_eq(t1, t2);
        ck_assert_str_eq(t1, t3);
        free(t1);
        free(t2);
        free(t3);
    }
    s_assert_risks(d1, LK_POLICY_DIFF_RISK_DATA_LOSS | LK_POLICY_DIFF_RISK_ACCESS_WIDENED);
    /* JSON: the fixed members, the risk counts. */
    char *json = lk_policy_diff_render(d1, LK_POLICY_DIFF_JSON, false);
    ck_assert_ptr_nonnull(strstr(json, "\"format\": \"logkeep-diff\""));
    ck_assert_ptr_nonnull(strstr(json, "\"data-loss\": 1"));
    ck_assert_ptr_nonnull(strstr(json, "\"access-widened\": 1"));
    ck_assert_ptr_nonnull(strstr(json, "\"risky\": true"));
    free(json);
    /* Colour only when asked, and only in text. */
    char *md = lk_policy_diff_render(d1, LK_POLICY_DIFF_MARKDOWN, true);
    ck_assert_ptr_null(strchr(md, '\033'));
    ck_assert_ptr_nonnull(strstr(md, "## logkeep diff: risky change (data-loss, access-widened)"));
    free(md);
    char *col = lk_policy_diff_render(d1, LK_POLICY_DIFF_TEXT, true);
    ck_assert_ptr_nonnull(strchr(col, '\033'));
    free(col);
    lk_policy_diff_free(d1);
    lk_policy_diff_free(d2);
    free(a);
    free(b);
}
END_TEST

START_TEST(test_names)
{
    ck_assert_str_eq(lk_policy_diff_risk_name(LK_POLICY_DIFF_RISK_DATA_LOSS), "data-loss");
    ck_assert_str_eq(lk_policy_diff_risk_name(LK_POLICY_DIFF_RISK_AVAILABILITY_REDUCED),
                     "availability-reduced");
    ck_assert_str_eq(lk_policy_diff_risk_name(LK_POLICY_DIFF_RISK_ACCESS_WIDENED),
                     "access-widened");
    ck_assert_str_eq(lk_policy_diff_risk_name(LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED),
                     "integrity-weakened");
    ck_assert_str_eq(lk_policy_diff_risk_name(LK_POLICY_DIFF_RISK_BASELINE_VIOLATED),
                     "baseline-violated");
    ck_assert_ptr_null(lk_policy_diff_risk_name(3));
    enum lk_policy_diff_format f;
    ck_assert(lk_policy_diff_format_parse("markdown", &f) && f == LK_POLICY_DIFF_MARKDOWN);
    ck_assert(!lk_policy_diff_format_parse("sarif", &f));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("policy_diff");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_identical);
    tcase_add_test(tc, test_data_loss_retention);
    tcase_add_test(tc, test_data_loss_forever_to_finite);
    tcase_add_test(tc, test_availability_reduced);
    tcase_add_test(tc, test_access_widened);
    tcase_add_test(tc, test_access_widened_by_moving);
    tcase_add_test(tc, test_role_rename_not_widening);
    tcase_add_test(tc, test_class_rename_not_a_change);
    tcase_add_test(tc, test_source_rename);
    tcase_add_test(tc, test_store_rename);
    tcase_add_test(tc, test_integrity_weakened);
    tcase_add_test(tc, test_coverage_changes);
    tcase_add_test(tc, test_removals);
    tcase_add_test(tc, test_policy_level);
    tcase_add_test(tc, test_baseline_violated);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
