/*
 * logkeep: lowering a checked policy into the IR of desired AWS state.
 */
#include "compiler/lower.h"

#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/glob.h"
#include "compiler/check_int.h"
#include "compiler/decode_int.h"
#include "compiler/duration.h"
#include "compiler/emit.h"

/* Days after which incomplete multipart uploads are aborted unless the store says otherwise
 * (AbortIncompleteMultipartUpload DaysAfterInitiation). */
#define LK_ABORT_UPLOAD_DAYS 7

static char *s_str(struct lk_ir_state *st, struct lk_str s)
{
    return lk_ir_strndup(st, s.ptr ? s.ptr : "", s.len);
}

static char *s_str_arena(struct lk_arena *arena, struct lk_str s)
{
    return lk_arena_strndup(arena, s.ptr ? s.ptr : "", s.len);
}

static const char *s_partition(const struct lk_policy *p)
{
    const char *part = p->region.set ? lk_region_partition(p->region.v) : NULL;
    return part ? part : "aws";
}

/* ------------------------------------------------------------------------------ origins */

/* One policy file, as origins need it. */
struct s_origin_file {
    const char *path; /* the path's copy in the state's arena; NULL until the file is used */
    uint32_t *starts; /* owned (heap): byte offset of each line, or NULL: use lk_sources_line() */
    uint32_t n_starts;
};

/* Turns spans of the policy into IR origins (ir.h), copying into the state's arena each file's
 * path once (nodes of one file share it) and each line once while origins come from it. */
struct s_origins {
    struct lk_ir_state *st;
    struct lk_sources *sources;
    struct s_origin_file *files; /* owned (heap), by file id */
    uint32_t line_file, line;    /* the line last copied ... */
    const char *line_text;       /* ... and its copy */
    bool off; /* lk_lower_artifacts(): no origins (the artifacts do not show them) */
};

static void s_origins_init(struct s_origins *o, struct lk_ir_state *st, struct lk_policy *p)
{
    memset(o, 0, sizeof(*o));
    o->st = st;
    o->sources = &p->sources;
    o->files = lk_xcalloc(p->sources.n ? p->sources.n : 1, sizeof(*o->files));
    o->line_file = LK_SPAN_NONE_FILE;
}

static void s_origins_free(struct s_origins *o)
{
    for (uint32_t i = 0; i < o->sources->n; i++)
        free(o->files[i].starts);
    free(o->files);
}

/* Whether @p text breaks lines only with LF or CR LF. YAML and libyaml also break at a lone CR,
 * NEL, LS and PS (source.c, s_break_at()). */
static bool s_plain_breaks(const char *text, size_t len)
{
    const char *end = text + len;
    for (const char *p = text; (p = memchr(p, '\r', (size_t)(end - p))) != NULL; p++)
        if (p + 1 == end || p[1] != '\n')
            return false;
    for (const char *p = text; (p = memchr(p, 0xC2, (size_t)(end - p))) != NULL; p++)
        if (p + 1 < end && (unsigned char)p[1] == 0x85)
            return false;
    for (const char *p = text; (p = memchr(p, 0xE2, (size_t)(end - p))) != NULL; p++)
        if (p + 2 < end && (unsigned char)p[1] == 0x80 &&
            ((unsigned char)p[2] == 0xA8 || (unsigned char)p[2] == 0xA9))
            return false;
    return true;
}

/* Indexes the lines of @p f's file when its breaks are plain. lk_sources_line() would do, but
 * its line map checks every kind of YAML break at every byte: that alone made compiling the
 * 10,000-source benchmark policy (tests/bench) 7% slower, where memchr() costs next to nothing. */
static void s_index_lines(struct s_origin_file *f, const struct lk_source_file *src)
{
    if (!s_plain_breaks(src->text, src->len))
        return;
    const char *end = src->text + src->len;
    /* One pass, the array grown as it goes: a line of a policy is rarely under 16 bytes. */
    size_t cap = src->len / 16 + 16;
    f->starts = lk_xmalloc(cap * sizeof(*f->starts));
    f->starts[0] = 0;
    f->n_starts = 1;
    for (const char *p = src->text; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++) {
        if (f->n_starts == cap) {
            cap *= 2;
            f->starts = lk_xrealloc(f->starts, cap * sizeof(*f->starts));
        }
        f->starts[f->n_starts++] = (uint32_t)(p + 1 - src->text);
    }
}

/* Line @p line of file @p file, without its break (and, on line 1, without a byte-order mark,
 * as lk_sources_line() gives it). @return false when there is no such line. */
static bool s_line(struct s_origins *o, uint32_t file, uint32_t line, const char **out,
                   size_t *out_len)
{
    const struct s_origin_file *f = &o->files[file];
    if (!f->starts)
        return lk_sources_line(o->sources, file, line, out, out_len);
    if (line > f->n_starts)
        return false;
    const struct lk_source_file *src = o->sources->files[file];
    size_t start = f->starts[line - 1];
    size_t end = line < f->n_starts ? f->starts[line] - 1 : src->len;
    if (end > start && src->text[end - 1] == '\r')
        end--;
    if (line == 1 && end - start >= 3 && !memcmp(src->text, "\xEF\xBB\xBF", 3))
        start += 3;
    *out = src->text + start;
    *out_len = end - start;
    return true;
}

/* @return the origin of @p span; no origin (file NULL) for a span that names no place. */
static struct lk_ir_origin s_origin(struct s_origins *o, struct lk_span span)
{
    struct lk_ir_origin out = {0};
    if (o->off || span.file >= o->sources->n || span.line == 0)
        return out;
    struct s_origin_file *f = &o->files[span.file];
    if (!f->path) {
        f->path = lk_ir_strdup(o->st, lk_sources_path(o->sources, span.file));
        s_index_lines(f, o->sources->files[span.file]);
    }
    if (span.file != o->line_file || span.line != o->line) {
        const char *line;
        size_t len;
        if (!s_line(o, span.file, span.line, &line, &len))
            return out;
        o->line_text = lk_ir_strndup(o->st, line, len);
        o->line_file = span.file;
        o->line = span.line;
    }
    out.file = f->path;
    out.text = o->line_text;
    out.line = span.line;
    out.column = span.col ? span.col : 1;
    out.length = span.len ? span.len : 1;
    return out;
}

/* ------------------------------------------------------------------------------ statements */

#define S_MIN_STATEMENTS ((size_t)16) /* a power of two */

struct lk_ir_statement *lk_lower_policy_add_statement(struct lk_ir_state *st,
                                                      struct lk_ir_bucket_policy *pol,
                                                      const char *sid, bool allow,
                                                      enum lk_ir_principal_kind kind)
{
    /* A store's policy holds about a dozen statements: the array starts with room for
     * S_MIN_STATEMENTS and doubles from there, rather than from 1, which would leave the copies
     * of 1, 2, 4 and 8 behind in the arena (about 2 KB a bucket). Only this function appends
     * statements to a desired policy, so the capacity follows from the count alone. */
    size_t n = pol->n_statements;
    if (n == 0 || (n >= S_MIN_STATEMENTS && (n & (n - 1)) == 0)) {
        size_t cap = n;
        pol->statements = lk_array_grow(&st->arena, pol->statements, n, &cap, n + 1,
                                        sizeof(*pol->statements), S_MIN_STATEMENTS);
    }
    struct lk_ir_statement *s = &pol->statements[pol->n_statements++];
    memset(s, 0, sizeof(*s));
    s->sid = lk_ir_intern(st, sid);
    s->allow = allow;
    s->principal_kind = kind;
    return s;
}

struct lk_ir_statement *lk_lower_add_statement(struct lk_ir_state *st, struct lk_ir_bucket *b,
                                               const char *sid, bool allow,
                                               enum lk_ir_principal_kind kind)
{
    return lk_lower_policy_add_statement(st, &b->policy, sid, allow, kind);
}

void lk_lower_add_condition(struct lk_ir_state *st, struct lk_ir_statement *s, const char *op,
                            const char *key, const char *value)
{
    for (size_t i = 0; i < s->n_conditions; i++) {
        if (!strcmp(s->conditions[i].op, op) && !strcmp(s->conditions[i].key, key)) {
            lk_ir_list_add_set(st, &s->conditions[i].values, value);
            return;
        }
    }
    LK_ARENA_ARRAY_GROW_IMPLICIT(&st->arena, s->conditions, s->n_conditions);
    struct lk_ir_condition *c = &s->conditions[s->n_conditions++];
    memset(c, 0, sizeof(*c));
    c->op = lk_ir_intern(st, op);
    c->key = lk_ir_intern(st, key);
    lk_ir_list_add(st, &c->values, value);
}

/* Principals as AWS stores them: a bare account ID becomes that account's root ARN. */
static char *s_principal_arn(struct lk_ir_state *st, const char *partition, struct lk_str p)
{
    if (lk_account_id_valid(p))
        return lk_ir_printf(st, "arn:%s:iam::%.*s:root", partition, LK_STR_ARG(p));
    return s_str(st, p);
}

static void s_role_principals(struct lk_ir_state *st, struct lk_policy *p,
                              const struct lk_text_list *roles, struct lk_ir_string_list *out)
{
    for (size_t i = 0; i < roles->n; i++) {
        struct lk_role *r = lk_policy_find_role(p, roles->items[i].v);
        if (!r)
            continue;
        for (size_t k = 0; k < r->principals.n; k++)
            lk_ir_list_add(st, out, s_principal_arn(st, st->partition, r->principals.items[k].v));
    }
}

bool lk_lower_recreatable_role(const char *arn, char *account, size_t account_size)
{
    /* IAM Identity Center creates the roles of a permission set under this path and replaces
     * them when the permission set is provisioned again ("IAM Identity Center roles":
     * arn:aws:iam::<account>:role/aws-reserved/sso.amazonaws.com/[<region>/]AWSReservedSSO_...).
     * A policy's Principal element holds the unique ID of the role it names, so a replaced
     * role loses the grant (IAM User Guide, "AWS JSON policy elements: Principal", IAM roles;
     * docs/source-types.md, "Readers that IAM Identity Center re-creates"). */
    struct lk_arn a;
    if (!lk_arn_split(lk_str_c(arn), &a) || !lk_str_eq_c(a.service, "iam") ||
        !lk_str_starts_with(a.resource, "role/aws-reserved/sso.amazonaws.com/") ||
        a.account.len + 1 > account_size)
        return false;
    memcpy(account, a.account.ptr, a.account.len);
    account[a.account.len] = '\0';
    return true;
}

/* Actions denied to everyone but a store's admins: deleting log objects and changing what
 * protects them. Names from the Service Authorization Reference, "Actions defined by Amazon S3"
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html).
 * s3:PutBucketAcl, s3:PutBucketOwnershipControls and s3:PutReplicationConfiguration would let
 * another principal re-enable ACLs or copy every new log elsewhere; s3:PutObjectLegalHold would
 * let one keep a log version past its delete_after (a legal hold stops lifecycle expiration:
 * S3 User Guide, "Locking objects with Object Lock", Legal holds). */
static const char *const s_admin_actions[] = {
    "s3:BypassGovernanceRetention",
    "s3:DeleteBucket",
    "s3:DeleteBucketPolicy",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:PutBucketAcl",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketOwnershipControls",
    "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
    "s3:PutLifecycleConfiguration",
    "s3:PutObjectLegalHold",
    "s3:PutObjectRetention",
    "s3:PutReplicationConfiguration",
};

/* Object writes denied to everyone but a store's admins and the services that deliver into it:
 * a replaced log object becomes a noncurrent version that lifecycle expires. PutObjectAcl and
 * PutObjectVersionAcl (setting a version's ACL: S3 API Reference, PutObjectAcl) grant others
 * access to one object. */
static const char *const s_write_actions[] = {
    "s3:PutObject",
    "s3:PutObjectAcl",
    "s3:PutObjectVersionAcl",
};

/* Reads denied to everyone but a store's readers and admins and the delivering services
 * (which list the bucket: AWS Config, the log delivery service). s3:GetObject* covers
 * GetObject, GetObjectVersion, GetObjectAcl, GetObjectAttributes, GetObjectTagging ...;
 * ListBucketVersions lists the noncurrent versions' keys. */
static const char *const s_read_actions[] = {
    "s3:GetObject*",
    "s3:ListBucket",
    "s3:ListBucketVersions",
};

/*
 * The exemptions of the store's Deny statements for the principals that deliver logs into it.
 * IAM User Guide, "AWS global condition context keys"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html):
 * - aws:PrincipalArn "is included in the request context for all signed requests" made by an
 *   IAM role, IAM user, federated user or root user; a service principal has none, and a
 *   negated operator (ArnNotLike) is true when its key is absent ("Condition operators",
 *   negated matching), so ArnNotLike alone would deny the services too.
 * - aws:PrincipalServiceName "is present in the request when the call is made by an AWS service
 *   principal" and absent in every other case (a service role, a principal's credentials, an
 *   IAM principal, an anonymous caller). StringNotEqualsIfExists is therefore true, and the
 *   Deny applies, for every caller but the listed services; the page's own bucket policy
 *   example exempts cloudtrail.amazonaws.com this way.
 * - aws:PrincipalAccount "is included in the request context for all requests": the ELB
 *   account of older Regions writes as a principal of its own account, so it is exempted by
 *   that account (StringNotEquals).
 * Conditions of one statement are ANDed: the Deny applies only when every exemption fails.
 */
static void s_exempt_writers(struct lk_ir_state *st, struct lk_ir_statement *s,
                             const struct lk_ir_string_list *services,
                             const struct lk_ir_string_list *accounts)
{
    for (size_t i = 0; i < services->n; i++)
        lk_lower_add_condition(st, s, "StringNotEqualsIfExists", "aws:PrincipalServiceName",
                               services->items[i]);
    for (size_t i = 0; accounts && i < accounts->n; i++)
        lk_lower_add_condition(st, s, "StringNotEquals", "aws:PrincipalAccount",
                               accounts->items[i]);
}

static struct lk_ir_statement *s_deny(struct lk_ir_state *st, struct lk_ir_bucket *b,
                                      const char *sid, const char *const *actions, size_t n)
{
    struct lk_ir_statement *s = lk_lower_add_statement(st, b, sid, false, LK_IR_PRINCIPAL_ANY);
    for (size_t i = 0; i < n; i++)
        lk_ir_list_add(st, &s->actions, actions[i]);
    return s;
}

#define S_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The statements logkeep writes for every store (docs/source-types.md, "Statements common to
 * every store"): TLS only, the readers' grant, and the denies that keep everyone but readers,
 * admins and the delivering services from reading, writing and reconfiguring. */
static void s_base_statements(struct lk_ir_state *st, struct lk_policy *p, struct s_origins *o,
                              struct lk_store *store, struct lk_source **srcs, size_t n,
                              struct lk_ir_bucket *b)
{
    char *arn = lk_ir_printf(st, "arn:%s:s3:::%s", st->partition, b->name);
    char *objects = lk_ir_printf(st, "%s/*", arn);

    /* Deny any request not made over TLS (S3 User Guide, "Security best practices for Amazon
     * S3": enforce encryption of data in transit with aws:SecureTransport). */
    struct lk_ir_statement *s = lk_lower_add_statement(
        st, b, LK_IR_SID_PREFIX "DenyInsecureTransport", false, LK_IR_PRINCIPAL_ANY);
    s->origin = b->origin;
    lk_ir_list_add(st, &s->actions, "s3:*");
    lk_ir_list_add(st, &s->resources, arn);
    lk_ir_list_add(st, &s->resources, objects);
    lk_lower_add_condition(st, s, "Bool", "aws:SecureTransport", "false");

    struct lk_ir_string_list services = {0}, accounts = {0};
    for (size_t i = 0; i < n; i++)
        lk_delivery_writers(st, p, srcs[i], b, &services, &accounts);
    lk_ir_list_sort_unique(&services);
    lk_ir_list_sort_unique(&accounts);

    /* Readers: named in the Principal element, except roles that IAM Identity Center may
     * replace. Those are granted to their account with an ArnLike aws:PrincipalArn condition,
     * which matches the role's ARN whatever its unique ID. The account, not "*", is the
     * principal: S3 counts a policy that grants to "*" as public unless a condition pins one of
     * the keys S3 lists (S3 User Guide, "Blocking public access to your Amazon S3 storage",
     * "The meaning of public"), and PutBucketPolicy refuses public policies while
     * BlockPublicPolicy is on. */
    struct lk_ir_string_list readers = {0}, admins = {0};
    s_role_principals(st, p, &store->readers, &readers);
    s_role_principals(st, p, &store->admins, &admins);
    struct lk_ir_string_list direct = {0}, by_arn = {0}, by_arn_accounts = {0};
    for (size_t i = 0; i < readers.n; i++) {
        char account[64];
        if (lk_lower_recreatable_role(readers.items[i], account, sizeof(account))) {
            lk_ir_list_add(st, &by_arn, readers.items[i]);
            lk_ir_list_add(st, &by_arn_accounts,
                           lk_ir_printf(st, "arn:%s:iam::%s:root", st->partition, account));
        } else {
            lk_ir_list_add(st, &direct, readers.items[i]);
        }
    }
    struct lk_ir_origin readers_origin = s_origin(o, store->readers.span);
    if (direct.n) {
        s = lk_lower_add_statement(st, b, LK_IR_SID_PREFIX "ReadLogs", true, LK_IR_PRINCIPAL_AWS);
        s->principals = direct;
        s->origin = readers_origin;
        lk_ir_list_add(st, &s->actions, "s3:GetObject");
        lk_ir_list_add(st, &s->actions, "s3:GetObjectVersion");
        lk_ir_list_add(st, &s->actions, "s3:ListBucket");
        lk_ir_list_add(st, &s->resources, arn);
        lk_ir_list_add(st, &s->resources, objects);
    }
    if (by_arn.n) {
        s = lk_lower_add_statement(st, b, LK_IR_SID_PREFIX "ReadLogsByArn", true,
                                   LK_IR_PRINCIPAL_AWS);
        s->principals = by_arn_accounts;
        s->origin = readers_origin;
        lk_ir_list_add(st, &s->actions, "s3:GetObject");
        lk_ir_list_add(st, &s->actions, "s3:GetObjectVersion");
        lk_ir_list_add(st, &s->actions, "s3:ListBucket");
        lk_ir_list_add(st, &s->resources, arn);
        lk_ir_list_add(st, &s->resources, objects);
        for (size_t i = 0; i < by_arn.n; i++)
            lk_lower_add_condition(st, s, "ArnLike", "aws:PrincipalArn", by_arn.items[i]);
    }

    /* Nobody but readers and admins reads: an identity policy that allows s3:GetObject on "*"
     * (ReadOnlyAccess) would otherwise read every log. */
    if (readers.n || admins.n) {
        s = s_deny(st, b, LK_IR_SID_PREFIX "DenyReadsExceptReaders", s_read_actions,
                   S_COUNT(s_read_actions));
        s->origin = store->readers.set ? readers_origin : s_origin(o, store->admins.span);
        lk_ir_list_add(st, &s->resources, arn);
        lk_ir_list_add(st, &s->resources, objects);
        for (size_t i = 0; i < readers.n; i++)
            lk_lower_add_condition(st, s, "ArnNotLike", "aws:PrincipalArn", readers.items[i]);
        for (size_t i = 0; i < admins.n; i++)
            lk_lower_add_condition(st, s, "ArnNotLike", "aws:PrincipalArn", admins.items[i]);
        s_exempt_writers(st, s, &services, NULL);
    }

    /* Nobody but admins and the delivering services writes objects. A store without admins
     * does not compile (LK204); the statement is then left out rather than lock out all. */
    if (admins.n) {
        s = s_deny(st, b, LK_IR_SID_PREFIX "DenyWritesExceptDelivery", s_write_actions,
                   S_COUNT(s_write_actions));
        s->origin = s_origin(o, store->admins.span);
        lk_ir_list_add(st, &s->resources, objects);
        for (size_t i = 0; i < admins.n; i++)
            lk_lower_add_condition(st, s, "ArnNotLike", "aws:PrincipalArn", admins.items[i]);
        s_exempt_writers(st, s, &services, &accounts);

        /* No delivering service needs any of these actions: no exemption. */
        s = s_deny(st, b, LK_IR_SID_PREFIX "DenyChangesExceptAdmins", s_admin_actions,
                   S_COUNT(s_admin_actions));
        s->origin = s_origin(o, store->admins.span);
        lk_ir_list_add(st, &s->resources, arn);
        lk_ir_list_add(st, &s->resources, objects);
        for (size_t i = 0; i < admins.n; i++)
            lk_lower_add_condition(st, s, "ArnNotLike", "aws:PrincipalArn", admins.items[i]);
    }
}

/* ------------------------------------------------------------------------------ lifecycle */

static int s_cmp_src_prefix(const void *x, const void *y)
{
    const struct lk_source *a = *(const struct lk_source *const *)x;
    const struct lk_source *b = *(const struct lk_source *const *)y;
    int c = lk_str_cmp(a->prefix.v, b->prefix.v);
    return c ? c : lk_str_cmp(a->name, b->name);
}

/* Adds a rule to @p lc, whose array holds *@p cap rules. */
static struct lk_ir_lifecycle_rule *s_add_rule(struct lk_ir_state *st, struct lk_ir_lifecycle *lc,
                                               size_t *cap)
{
    LK_ARENA_ARRAY_GROW(&st->arena, lc->rules, lc->n_rules, *cap);
    struct lk_ir_lifecycle_rule *r = &lc->rules[lc->n_rules++];
    memset(r, 0, sizeof(*r));
    r->enabled = true;
    return r;
}

static void s_lifecycle(struct lk_ir_state *st, struct s_origins *o, struct lk_store *store,
                        struct lk_source **srcs, size_t n, struct lk_ir_bucket *b)
{
    struct lk_ir_lifecycle *lc = &b->lifecycle;
    bool versioned = b->versioning == LK_IR_VERSIONING_ENABLED;
    lc->present = true;
    /* Say explicitly which minimum object size applies to transitions: S3's default since
     * September 2024 skips objects under 128 KB (LK113). */
    lc->transition_min_size =
        store->transition_small_objects.set && store->transition_small_objects.v
            ? LK_IR_TMS_VARIES_BY_CLASS
            : LK_IR_TMS_ALL_128K;
    qsort(srcs, n, sizeof(*srcs), s_cmp_src_prefix);
    /* At most a rule per source and the housekeeping rule: room for exactly that at once, since
     * an arena array that doubles keeps every smaller copy. Nothing adds rules to a lowered
     * state, which would need the capacity of LK_ARENA_ARRAY_GROW_IMPLICIT (a power of two). */
    size_t cap = lc->n_rules + n + 1;
    struct lk_ir_lifecycle_rule *rules = lk_arena_alloc(&st->arena, cap * sizeof(*rules));
    /* For the artifacts alone (nothing changes a rule once lowered), the rules of one retention
     * share its transitions: thousands of sources name the same few classes. */
    const struct lk_retention *shared_ret = NULL;
    struct lk_ir_transition *shared = NULL;
    if (lc->n_rules)
        memcpy(rules, lc->rules, lc->n_rules * sizeof(*rules));
    lc->rules = rules;
    for (size_t i = 0; i < n;) {
        struct lk_source *first = srcs[i];
        /* Sources with one prefix and one S3 retention share a rule (sorted by name, so the
         * rule is named after the first). */
        size_t j = i + 1;
        while (j < n && lk_str_eq(srcs[j]->prefix.v, first->prefix.v) &&
               lk_retention_same_s3(srcs[j]->retention, first->retention))
            j++;
        struct lk_ir_lifecycle_rule *r = s_add_rule(st, lc, &cap);
        r->id = lk_ir_cat(st, (struct lk_str[]){LK_STR_LIT("logkeep-"), first->name}, 2);
        /* The retention the source names (or writes inline): what decides the rule's actions. */
        r->origin = s_origin(o, first->retention_span);
        r->prefix = s_str(st, first->prefix.v);
        const struct lk_retention *ret = first->retention;
        r->n_transitions = ret->n_tiers;
        if (o->off && ret == shared_ret) {
            r->transitions = shared;
        } else {
            r->transitions = lk_arena_alloc(&st->arena, ret->n_tiers * sizeof(*r->transitions));
            for (size_t t = 0; t < ret->n_tiers; t++) {
                r->transitions[t].days = (int32_t)ret->tiers[t].after.days;
                r->transitions[t].storage_class =
                    (enum lk_ir_storage_class)ret->tiers[t].storage_class;
            }
            shared_ret = ret;
            shared = r->transitions;
        }
        if (!ret->delete_after.forever) {
            r->expiration_days = (int32_t)ret->delete_after.days;
            /* In a versioned bucket expiration only adds a delete marker; the data goes when
             * the then-noncurrent version expires. A version replaced or deleted before its
             * time is kept as long as it would have been kept as the current one, so an
             * overwrite or delete cannot shorten the retention. NoncurrentDays is "the number of
             * days an object is noncurrent before Amazon S3 can perform the associated action"
             * (S3 API Reference, NoncurrentVersionExpiration), so the data is kept at most
             * delete_after + the same window again (docs/language.md, stores, versioning). */
            if (versioned)
                r->noncurrent_expiration_days = (int32_t)ret->delete_after.days;
        }
        for (size_t k = i; k < j && !o->off; k++) /* for reports, not artifacts */
            lk_ir_list_push(st, &r->sources, s_str(st, srcs[k]->name));
        /* Logs kept forever in S3 Standard need no rule, and S3 rejects a rule without an action
         * ("one or more lifecycle transition and expiration actions", LifecycleRule). */
        if (r->n_transitions == 0 && r->expiration_days == 0 && r->noncurrent_expiration_days == 0)
            lc->n_rules--;
        i = j;
    }
    /* Bucket-wide housekeeping: abort incomplete multipart uploads, and remove delete markers
     * left with no versions behind them. ExpiredObjectDeleteMarker cannot share a rule with an
     * Expiration in days (PutBucketLifecycleConfiguration, LifecycleExpiration), hence a rule of
     * its own. */
    struct lk_ir_lifecycle_rule *h = s_add_rule(st, lc, &cap);
    h->id = lk_ir_strdup(st, "logkeep-housekeeping");
    h->prefix = lk_ir_strdup(st, "");
    h->abort_incomplete_upload_days = store->abort_incomplete_uploads.set
                                          ? (int32_t)store->abort_incomplete_uploads.days
                                          : LK_ABORT_UPLOAD_DAYS;
    h->expired_object_delete_marker = versioned;
    h->origin = store->abort_incomplete_uploads.set
                    ? s_origin(o, store->abort_incomplete_uploads.span)
                    : b->origin;
}

/* ------------------------------------------------------------------------------ buckets */

static void s_bucket(struct lk_ir_state *st, struct lk_policy *p, struct s_origins *o,
                     struct lk_store *store, struct lk_source **srcs, size_t n, const char *org_id,
                     struct lk_ir_bucket *b)
{
    memset(b, 0, sizeof(*b));
    b->name = s_str(st, store->bucket.v);
    b->origin = s_origin(o, store->bucket.set ? store->bucket.span : store->span);
    /* Object Lock turns versioning on where the store does not say (LK403 stops "false"). */
    if (store->versioning.set)
        b->versioning_origin = s_origin(o, store->versioning.span);
    else if (store->object_lock.set)
        b->versioning_origin = s_origin(o, store->object_lock.span);
    if (store->kms_key.set)
        b->encryption.origin = s_origin(o, store->kms_key.span);
    else if (store->encryption_set)
        b->encryption.origin = s_origin(o, store->encryption_span);
    if (store->object_lock.set)
        b->object_lock.origin = s_origin(o, store->object_lock.span);
    if (store->transition_small_objects.set)
        b->lifecycle.origin = s_origin(o, store->transition_small_objects.span);
    if (p->scope.multi && store->scope_region)
        b->region = lk_ir_strdup(st, store->scope_region);
    else
        b->region = store->region.set ? s_str(st, store->region.v) : lk_ir_strdup(st, st->region);
    b->store = s_str(st, store->name);
    b->versioning = (!store->versioning.set || store->versioning.v || store->object_lock.set)
                        ? LK_IR_VERSIONING_ENABLED
                        : LK_IR_VERSIONING_NEVER;
    b->public_access_block.present = true;
    b->public_access_block.block_public_acls = true;
    b->public_access_block.ignore_public_acls = true;
    b->public_access_block.block_public_policy = true;
    b->public_access_block.restrict_public_buckets = true;
    b->encryption.present = true;
    if (store->kms_key.set) {
        b->encryption.algorithm = lk_ir_strdup(st, "aws:kms");
        b->encryption.kms_key_id = s_str(st, store->kms_key.v);
        /* S3 Bucket Keys cut KMS requests (and cost) for high-volume log delivery. */
        b->encryption.bucket_key_enabled = true;
    } else {
        b->encryption.algorithm = lk_ir_strdup(st, "AES256");
    }
    if (store->object_lock.set) {
        b->object_lock.enabled = true;
        b->object_lock.mode = store->object_lock.mode == LK_LOCK_COMPLIANCE ? LK_IR_LOCK_COMPLIANCE
                                                                            : LK_IR_LOCK_GOVERNANCE;
        b->object_lock.days = (int32_t)store->object_lock.period.days;
    }
    s_lifecycle(st, o, store, srcs, n, b);
    b->policy.present = true;
    b->policy.version = lk_ir_strdup(st, "2012-10-17");
    s_base_statements(st, p, o, store, srcs, n, b);
    for (size_t i = 0; i < n; i++) {
        /* Statements a source's service shares with sources of the same kind come from the
         * first source that needs them. */
        size_t before = b->policy.n_statements;
        lk_delivery_statements(st, p, srcs[i], b, org_id);
        if (b->policy.n_statements == before)
            continue;
        struct lk_ir_origin from = s_origin(o, srcs[i]->span);
        for (size_t k = before; k < b->policy.n_statements; k++)
            b->policy.statements[k].origin = from;
    }
}

/* ------------------------------------------------------------------------------ log groups */

/* Copies of the strings log groups share, made once: a source's name for all its groups, a
 * Region for every group of consecutive sources in it. */
struct s_group_strings {
    char *source; /* the current source's name, or NULL until one of its groups needs it */
    const char *region_in;
    char *region; /* copy of region_in */
};

static void s_add_log_group(struct lk_ir_state *st, struct s_origins *o, size_t *cap,
                            struct s_group_strings *shared, const struct lk_source *src,
                            const struct lk_text *name_text, const char *region, int64_t days,
                            bool forever)
{
    struct lk_str name = name_text->v;
    LK_ARRAY_GROW(st->log_groups, st->n_log_groups, *cap);
    struct lk_ir_log_group *g = &st->log_groups[st->n_log_groups++];
    memset(g, 0, sizeof(*g));
    g->name = s_str(st, name);
    g->pattern = lk_glob_has_wildcard(name, 0);
    if (!shared->region || (region != shared->region_in && strcmp(region, shared->region_in))) {
        shared->region_in = region;
        shared->region = lk_ir_strdup(st, region);
    }
    g->region = shared->region;
    if (!shared->source)
        shared->source = s_str(st, src->name);
    g->source = shared->source;
    g->origin = s_origin(o, name_text->span);
    /* Security logs are not deleted with their log group: DeleteLogGroup fails while deletion
     * protection is on (CloudWatch Logs API Reference, PutLogGroupDeletionProtection). A source
     * turns it off with deletion_protection: false. */
    const struct lk_source_more *more = lk_source_more(src);
    g->deletion_protection = !more->deletion_protection.set || more->deletion_protection.v;
    if (more->kms_key.set)
        g->kms_key_id = s_str(st, more->kms_key.v);
    if (!forever) {
        int rounded = 0;
        g->wanted_days = (int32_t)days;
        /* Checked earlier: LK112 stops values past 3653 days. */
        g->retention_days = lk_cwl_round_up(days, &rounded) ? rounded : LK_CWL_MAX_RETENTION_DAYS;
    }
}

/* ------------------------------------------------------------------------------ trails */

/* The source key for the trail as a whole; each setting's own key where the source writes it. */
static void s_trail_origins(struct s_origins *o, const struct lk_source *src, struct lk_ir_trail *t)
{
    const struct lk_trail_cfg *cfg = src->trail;
    t->origin = s_origin(o, src->span);
    if (src->store_ref.set)
        t->origins.s3_bucket_name = s_origin(o, src->store_ref.span);
    if (src->prefix.set)
        t->origins.s3_key_prefix = s_origin(o, src->prefix.span);
    if (!cfg)
        return;
    const struct {
        const struct lk_flag *flag;
        struct lk_ir_origin *out;
    } flags[] = {
        {&cfg->global_service_events, &t->origins.include_global_service_events},
        {&cfg->multi_region, &t->origins.is_multi_region_trail},
        {&cfg->log_file_validation, &t->origins.enable_log_file_validation},
        {&cfg->organization, &t->origins.is_organization_trail},
    };
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (flags[i].flag->set)
            *flags[i].out = s_origin(o, flags[i].flag->span);
    if (cfg->kms_key.set)
        t->origins.kms_key_id = s_origin(o, cfg->kms_key.span);
    if (cfg->cloudwatch.set)
        t->origins.cloud_watch_logs =
            s_origin(o, cfg->cloudwatch.log_group.set ? cfg->cloudwatch.log_group.span
                                                      : cfg->cloudwatch.span);
    if (cfg->management_events.set)
        t->origins.event_selectors = s_origin(o, cfg->management_events.span);
    else if (cfg->read_write.set)
        t->origins.event_selectors = s_origin(o, cfg->read_write.span);
}

static void s_trail(struct lk_ir_state *st, struct lk_policy *p, struct s_origins *o,
                    struct lk_source *src, struct lk_ir_trail *t)
{
    const struct lk_trail_cfg *cfg = src->trail;
    memset(t, 0, sizeof(*t));
    t->name = cfg && cfg->name.set ? s_str(st, cfg->name.v) : s_str(st, src->name);
    t->home_region = lk_ir_strdup(st, st->region);
    t->source = s_str(st, src->name);
    t->s3_bucket_name = src->store ? s_str(st, src->store->bucket.v) : NULL;
    /* S3KeyPrefix: CloudTrail writes to <prefix>/AWSLogs/..., adding the '/' itself
     * (CloudTrail API Reference, CreateTrail S3KeyPrefix). */
    struct lk_str pre = src->prefix.v;
    while (pre.len && pre.ptr[pre.len - 1] == '/')
        pre.len--;
    t->s3_key_prefix = pre.len ? s_str(st, pre) : NULL;
    t->include_global_service_events =
        !cfg || !cfg->global_service_events.set || cfg->global_service_events.v;
    t->is_multi_region_trail = !cfg || !cfg->multi_region.set || cfg->multi_region.v;
    t->enable_log_file_validation =
        !cfg || !cfg->log_file_validation.set || cfg->log_file_validation.v;
    t->is_organization_trail = cfg && cfg->organization.set && cfg->organization.v;
    if (cfg && cfg->kms_key.set)
        t->kms_key_id = s_str(st, cfg->kms_key.v);
    if (cfg && cfg->cloudwatch.set && cfg->cloudwatch.log_group.set) {
        /* CloudWatchLogsLogGroupArn is the log group ARN with its ":*" suffix, as the CloudTrail
         * User Guide's examples show. */
        t->cloud_watch_logs_log_group_arn =
            lk_ir_printf(st, "arn:%s:logs:%s:%s:log-group:%.*s:*", st->partition, st->region,
                         st->account, LK_STR_ARG(cfg->cloudwatch.log_group.v));
        t->cloud_watch_logs_role_arn = s_str(st, cfg->cloudwatch.role.v);
    }
    t->n_event_selectors = 1;
    t->event_selectors = lk_arena_alloc(&st->arena, sizeof(*t->event_selectors));
    t->event_selectors[0].read_write_type =
        cfg && cfg->read_write.set ? s_str(st, cfg->read_write.v) : lk_ir_strdup(st, "All");
    t->event_selectors[0].include_management_events =
        !cfg || !cfg->management_events.set || cfg->management_events.v;
    t->is_logging = true;
    s_trail_origins(o, src, t);
    (void)p;
}

/* ------------------------------------------------------------------------------ the state */

/* Index of a store in the policy's sorted store index (binary search by name). */
/* ------------------------------------------------------------------------------ coverage */

/* The producer type of a producing source type (lk_source_type_produces()). */
static enum lk_ir_producer_type s_producer_type(enum lk_source_type t)
{
    switch (t) {
    case LK_SRC_VPC_FLOW_LOGS: return LK_IR_PRODUCER_VPC_FLOW_LOGS;
    case LK_SRC_ROUTE53_RESOLVER: return LK_IR_PRODUCER_RESOLVER_QUERY_LOGS;
    case LK_SRC_ELB: return LK_IR_PRODUCER_ELB;
    case LK_SRC_NLB: return LK_IR_PRODUCER_NLB;
    case LK_SRC_WAF: return LK_IR_PRODUCER_WAF;
    case LK_SRC_NETWORK_FIREWALL: return LK_IR_PRODUCER_NETWORK_FIREWALL;
    case LK_SRC_CONFIG: return LK_IR_PRODUCER_CONFIG;
    case LK_SRC_GUARDDUTY: return LK_IR_PRODUCER_GUARDDUTY;
    case LK_SRC_EKS_AUDIT: return LK_IR_PRODUCER_EKS;
    default: return LK_IR_PRODUCER_RDS;
    }
}

/* Whether @p src requires its producers to deliver: a producing type, not opted out. */
static bool s_checks_coverage(const struct lk_source *src)
{
    return lk_source_type_produces(src->type) &&
           !(src->cov && src->cov->coverage.set && !src->cov->coverage.v);
}

static void s_list_texts(struct lk_ir_state *st, struct lk_ir_string_list *out,
                         const struct lk_text_list *in)
{
    for (size_t i = 0; i < in->n; i++)
        lk_ir_list_push(st, out, s_str(st, in->items[i].v));
}

/* The destinations of @p src in @p region of the state's account: its store (bucket and prefix,
 * with the store's key where the service encrypts with it), and the log groups it names for the
 * types whose producers choose one. EKS and RDS write to log groups of their own naming
 * (docs/source-types.md, facts 42 and 43): their requirement is about log types only. */
static void s_coverage_destinations(struct lk_ir_state *st, struct lk_ir_coverage *c,
                                    const struct lk_source *src, const char *region)
{
    bool logs = src->type != LK_SRC_EKS_AUDIT && src->type != LK_SRC_RDS;
    size_t n = (src->store ? 1 : 0) + (logs ? src->log_groups.n : 0);
    c->destinations = lk_arena_alloc(&st->arena, (n ? n : 1) * sizeof(*c->destinations));
    if (src->store) {
        struct lk_ir_destination *d = &c->destinations[c->n_destinations++];
        const struct lk_store *store = src->store;
        d->kind = LK_IR_DEST_S3;
        d->bucket = s_str(st, store->bucket.v);
        d->arn = lk_ir_printf(st, "arn:%s:s3:::%s", st->partition, d->bucket);
        d->prefix = src->prefix.set ? s_str(st, src->prefix.v) : lk_ir_strdup(st, "");
        /* GuardDuty exports with a key (PublishingDestination kmsKeyArn, LK030); Config's
         * delivery channel names the store's key (s3KmsKeyArn) when the bucket has one. */
        if ((src->type == LK_SRC_GUARDDUTY || src->type == LK_SRC_CONFIG) && store->kms_key.set)
            d->kms_key_arn = s_str(st, store->kms_key.v);
    }
    for (size_t i = 0; logs && i < src->log_groups.n; i++) {
        struct lk_ir_destination *d = &c->destinations[c->n_destinations++];
        d->kind = LK_IR_DEST_LOGS;
        d->log_group = s_str(st, src->log_groups.items[i].v);
        d->pattern = lk_glob_has_wildcard(src->log_groups.items[i].v, 0);
        d->arn = lk_ir_printf(st, "arn:%s:logs:%s:%s:log-group:%s", st->partition, region,
                              st->account, d->log_group);
    }
}

/* Adds the coverage requirement of @p src in @p region (struct lk_ir_coverage). The Region's
 * and the source's names are copied once per run of requirements that share them (@p shared:
 * the pair's one Region, a source's Regions), as for log groups. */
static void s_add_coverage(struct lk_ir_state *st, struct s_origins *o, size_t *cap,
                           struct s_group_strings *shared, const struct lk_source *src,
                           const char *region)
{
    LK_ARRAY_GROW(st->coverages, st->n_coverages, *cap);
    struct lk_ir_coverage *c = &st->coverages[st->n_coverages++];
    memset(c, 0, sizeof(*c));
    const struct lk_coverage_cfg *cov = src->cov;
    c->type = s_producer_type(src->type);
    if (!shared->region || (region != shared->region_in && strcmp(region, shared->region_in))) {
        shared->region_in = region;
        shared->region = lk_ir_strdup(st, region);
    }
    c->region = shared->region;
    if (!shared->source)
        shared->source = s_str(st, src->name);
    c->source = shared->source;
    c->origin = s_origin(o, src->type_span);
    s_coverage_destinations(st, c, src, region);
    if (src->type == LK_SRC_VPC_FLOW_LOGS)
        c->traffic_type = lk_ir_strdup(st, "ALL"); /* ACCEPT or REJECT alone is partial */
    if (src->type == LK_SRC_NETWORK_FIREWALL) {
        /* Network Firewall logs alerts and flows under separate LogDestinationConfigs. */
        lk_ir_list_add(st, &c->log_types, "ALERT");
        lk_ir_list_add(st, &c->log_types, "FLOW");
    }
    if (cov && cov->log_types.set)
        s_list_texts(st, &c->log_types, &cov->log_types);
    else if (src->type == LK_SRC_EKS_AUDIT)
        lk_ir_list_add(st, &c->log_types, "audit");
    /* A GuardDuty member is covered through its administrator's export when the source covers
     * the administrator's pair too (ir.h, lk_ir_coverage.accounts): every account of the source
     * covers @p region, as the requirement exists only in the source's Regions. */
    if (src->type == LK_SRC_GUARDDUTY && src->n_scope_accounts) {
        c->accounts.items =
            lk_arena_alloc(&st->arena, src->n_scope_accounts * sizeof(*c->accounts.items));
        for (size_t i = 0; i < src->n_scope_accounts; i++)
            c->accounts.items[c->accounts.n++] = lk_ir_strdup(st, src->scope_accounts[i]);
    }
    if (!cov)
        return;
    c->enable = cov->enable.set && cov->enable.v;
    if (c->enable && cov->delivery_role.set && src->type == LK_SRC_VPC_FLOW_LOGS)
        c->delivery_role_arn = lk_ir_printf(st, "arn:%s:iam::%s:role/%.*s", st->partition,
                                            st->account, LK_STR_ARG(cov->delivery_role.v));
    if (cov->enable.set)
        c->enable_origin = s_origin(o, cov->enable.span);
    s_list_texts(st, &c->ids, &cov->ids);
    s_list_texts(st, &c->names, &cov->names);
    if (cov->n_tags) {
        c->tags = lk_arena_alloc(&st->arena, cov->n_tags * sizeof(*c->tags));
        for (size_t i = 0; i < cov->n_tags; i++) {
            c->tags[c->n_tags].key = s_str(st, cov->tags[i].key.v);
            c->tags[c->n_tags++].value = s_str(st, cov->tags[i].value.v);
        }
    }
    if (cov->n_exclude) {
        c->exclusions = lk_arena_alloc(&st->arena, cov->n_exclude * sizeof(*c->exclusions));
        for (size_t i = 0; i < cov->n_exclude; i++) {
            struct lk_ir_exclusion *x = &c->exclusions[c->n_exclusions++];
            x->id = s_str(st, cov->exclude[i].id.v);
            x->reason = s_str(st, cov->exclude[i].reason.v);
            x->origin = s_origin(o, cov->exclude[i].id.span);
        }
    }
}

static size_t s_store_index(struct lk_policy *p, const struct lk_store *store)
{
    size_t lo = 0, hi = p->n_stores;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = lk_str_cmp(store->name, p->stores[mid]->name);
        if (c == 0)
            return mid;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0; /* unreachable: a resolved store is in the index */
}

/* The (account, Region) pair a state is lowered for; NULL for a policy of one account, whose one
 * state holds everything. */
struct s_pair {
    const char *account;
    const char *region;
};

/* Whether @p s is in @p list, sorted bytewise (a source's resolved scope: policy.h). */
static bool s_in(const char *const *list, size_t n, const char *s)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s, list[mid]);
        if (c == 0)
            return true;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

/* The size of @p b's policy as PutBucketPolicy would send it, its lists made unique as
 * lk_ir_canonicalize() makes them; SIZE_MAX when it outgrows LK_BUF_MAX_DOCUMENT. */
static size_t s_policy_bytes(struct lk_ir_bucket *b)
{
    for (size_t i = 0; i < b->policy.n_statements; i++) {
        struct lk_ir_statement *s = &b->policy.statements[i];
        lk_ir_list_sort_unique(&s->principals);
        lk_ir_list_sort_unique(&s->actions);
        lk_ir_list_sort_unique(&s->resources);
        for (size_t k = 0; k < s->n_conditions; k++)
            lk_ir_list_sort_unique(&s->conditions[k].values);
    }
    struct lk_arena tmp;
    lk_arena_init(&tmp);
    char *json = lk_emit_bucket_policy_json(&b->policy, &tmp);
    size_t n = json ? strlen(json) : SIZE_MAX;
    lk_arena_destroy(&tmp);
    return n;
}

/* Lowers the bucket of @p store. In a policy of several accounts whose bucket policy would pass
 * S3's 20 KB limit with a statement per writer account and Region, and which names its
 * organisation, the delivery statements take the organisation-wide form (aws:SourceOrgID,
 * delivery.c) instead. */
static void s_store_bucket(struct lk_ir_state *st, struct lk_policy *p, struct s_origins *o,
                           struct lk_store *store, struct lk_source **srcs, size_t n,
                           struct lk_ir_bucket *b)
{
    s_bucket(st, p, o, store, srcs, n, NULL, b);
    if (!p->scope.multi || !p->organization.set || !p->organization.v.len)
        return;
    if (s_policy_bytes(b) <= LK_BUCKET_POLICY_MAX_BYTES)
        return;
    s_bucket(st, p, o, store, srcs, n, s_str(st, p->organization.v), b);
}

/* Whether @p src covers the pair's account and Region (every pair when @p pair is NULL). */
static bool s_covers(const struct lk_source *src, const struct s_pair *pair)
{
    return !pair || (s_in(src->scope_accounts, src->n_scope_accounts, pair->account) &&
                     s_in(src->scope_regions, src->n_scope_regions, pair->region));
}

/* Lowers the state of @p pair. @p only, when not NULL, flags the stores (indexed as p->stores)
 * whose buckets are lowered, and nothing else is: no other bucket, log group, trail or key. */
/* @p artifacts: only what the artifacts show, for lk_lower_artifacts(): no coverage requirements
 * (struct lk_ir_coverage), no origins and no lifecycle rule sources, which plan, apply and drift
 * read and no artifact holds. */
static struct lk_ir_state *s_lower(struct lk_policy *p, const struct s_pair *pair,
                                   const bool *only, bool artifacts)
{
    struct lk_ir_state *st = lk_ir_state_new();
    if (pair) {
        const char *part = lk_region_partition(lk_str_c(pair->region));
        st->account = lk_ir_strdup(st, pair->account);
        st->region = lk_ir_strdup(st, pair->region);
        st->partition = lk_ir_strdup(st, part ? part : "aws");
    } else {
        st->account = s_str(st, p->account.v);
        st->region = s_str(st, p->region.v);
        st->partition = lk_ir_strdup(st, s_partition(p));
    }
    struct s_origins o;
    s_origins_init(&o, st, p);
    o.off = artifacts;
    /* Every bucket's statements repeat the same actions, keys, services and ARNs. */
    lk_ir_intern_begin(st);

    /* Sources of each store: one pass counting, one placing (stores are few, sources many). */
    size_t *count = lk_xcalloc(p->n_stores + 1, sizeof(*count));
    struct lk_source **by_store = lk_xmalloc((p->n_srcs ? p->n_srcs : 1) * sizeof(*by_store));
    for (size_t k = 0; k < p->n_srcs; k++)
        if (p->srcs[k]->store && p->srcs[k]->retention)
            count[s_store_index(p, p->srcs[k]->store) + 1]++;
    for (size_t i = 0; i < p->n_stores; i++)
        count[i + 1] += count[i];
    size_t *fill = lk_xmalloc((p->n_stores + 1) * sizeof(*fill));
    memcpy(fill, count, (p->n_stores + 1) * sizeof(*fill));
    for (size_t k = 0; k < p->n_srcs; k++)
        if (p->srcs[k]->store && p->srcs[k]->retention)
            by_store[fill[s_store_index(p, p->srcs[k]->store)]++] = p->srcs[k];
    st->buckets =
        lk_arena_alloc(&st->arena, (p->n_stores ? p->n_stores : 1) * sizeof(*st->buckets));
    for (size_t i = 0; i < p->n_stores; i++) {
        const struct lk_store *store = p->stores[i];
        /* A pair holds the buckets of the stores that live in its account and Region. */
        if (pair && (!store->scope_account || !store->scope_region ||
                     strcmp(store->scope_account, pair->account) != 0 ||
                     strcmp(store->scope_region, pair->region) != 0))
            continue;
        if (only && !only[i])
            continue;
        s_store_bucket(st, p, &o, p->stores[i], by_store + count[i], count[i + 1] - count[i],
                       &st->buckets[st->n_buckets++]);
    }
    free(fill);
    free(count);
    free(by_store);
    if (only) {
        lk_ir_intern_end();
        s_origins_free(&o);
        lk_ir_canonicalize(st);
        return st;
    }

    size_t cap_groups = 0, cap_coverages = 0;
    struct s_group_strings groups = {0};
    size_t n_trails = 0;
    for (size_t i = 0; i < p->n_srcs; i++)
        if (p->srcs[i]->type == LK_SRC_CLOUDTRAIL)
            n_trails++;
    st->trails = lk_arena_alloc(&st->arena, (n_trails ? n_trails : 1) * sizeof(*st->trails));
    for (size_t i = 0; i < p->n_srcs; i++) {
        struct lk_source *src = p->srcs[i];
        struct lk_retention *r = src->retention;
        if (!r)
            continue;
        groups.source = NULL;
        bool also_s3 = src->store_ref.set;
        int64_t avail = lk_retention_available_days(r);
        /* A source's log groups exist in every Region it covers: the pair's, or, in a policy of
         * one account, each of the source's Regions. */
        struct lk_writers w;
        lk_delivery_source_writers(st, src, &w);
        const char *const *regions = pair ? &pair->region : w.regions;
        size_t n_regions = pair ? 1 : w.n_regions;
        if (!s_covers(src, pair))
            n_regions = 0;
        for (size_t g = 0; g < n_regions; g++)
            for (size_t k = 0; k < src->log_groups.n; k++) {
                if (also_s3)
                    s_add_log_group(st, &o, &cap_groups, &groups, src, &src->log_groups.items[k],
                                    regions[g], avail, avail < 0);
                else
                    s_add_log_group(st, &o, &cap_groups, &groups, src, &src->log_groups.items[k],
                                    regions[g], r->delete_after.days, r->delete_after.forever);
            }
        /* Its producers deliver in every Region it covers, as its log groups exist there. */
        if (!artifacts && s_checks_coverage(src))
            for (size_t g = 0; g < n_regions; g++)
                s_add_coverage(st, &o, &cap_coverages, &groups, src, regions[g]);
        if (src->type != LK_SRC_CLOUDTRAIL)
            continue;
        /* Each account of a cloudtrail source owns its trail, in the trail's home Region (the
         * source's one Region), with the trail's CloudWatch Logs group beside it: CloudTrail
         * sends events to a log group of the trail's account and Region (CloudTrail User Guide,
         * "Sending events to CloudWatch Logs"). */
        if (pair && (!s_in(src->scope_accounts, src->n_scope_accounts, pair->account) ||
                     !src->n_scope_regions || strcmp(src->scope_regions[0], pair->region) != 0))
            continue;
        s_trail(st, p, &o, src, &st->trails[st->n_trails++]);
        if (src->trail && src->trail->cloudwatch.set && src->trail->cloudwatch.log_group.set)
            s_add_log_group(st, &o, &cap_groups, &groups, src, &src->trail->cloudwatch.log_group,
                            st->region, avail, avail < 0);
    }
    /* The log groups grew on the heap, where growing does not leave every smaller copy behind
     * as it would in the arena; the state keeps an exact copy. */
    if (st->n_log_groups) {
        struct lk_ir_log_group *groups_heap = st->log_groups;
        st->log_groups =
            lk_arena_alloc_uninit(&st->arena, st->n_log_groups * sizeof(*st->log_groups));
        memcpy(st->log_groups, groups_heap, st->n_log_groups * sizeof(*st->log_groups));
        free(groups_heap);
    }
    if (st->n_coverages) {
        struct lk_ir_coverage *heap = st->coverages;
        st->coverages = lk_arena_alloc_uninit(&st->arena, st->n_coverages * sizeof(*heap));
        memcpy(st->coverages, heap, st->n_coverages * sizeof(*heap));
        free(heap);
    }
    if (p->unmanaged.set)
        st->unmanaged_origin = s_origin(
            &o, p->unmanaged.delete_after.set ? p->unmanaged.delete_after.span : p->unmanaged.span);
    s_origins_free(&o);
    if (p->unmanaged.set && p->unmanaged.delete_after.set && !p->unmanaged.delete_after.forever) {
        int rounded = 0;
        st->unmanaged_set = true;
        st->unmanaged_retention_days = lk_cwl_round_up(p->unmanaged.delete_after.days, &rounded)
                                           ? rounded
                                           : LK_CWL_MAX_RETENTION_DAYS;
    }
    /* Keys of a policy of several accounts are lowered over every pair at once
     * (lk_keys_lower_scope()). */
    if (!pair)
        lk_keys_lower(st, p);
    lk_ir_intern_end();
    lk_ir_canonicalize(st);
    return st;
}

struct lk_ir_state *lk_lower(struct lk_policy *p)
{
    return s_lower(p, NULL, NULL, false);
}

struct lk_ir_state *lk_lower_artifacts(struct lk_policy *p)
{
    return s_lower(p, NULL, NULL, true);
}

/* A scope of every pair, or (@p only not NULL) of the buckets of the flagged stores alone. */
static struct lk_ir_scope *s_lower_scope(struct lk_policy *p, const bool *only)
{
    struct lk_ir_scope *scope = lk_ir_scope_new();
    scope->multi = p->scope.multi;
    if (p->organization.set && p->organization.v.len)
        scope->organization_id = s_str_arena(&scope->arena, p->organization.v);
    if (!p->scope.multi) {
        struct lk_ir_state *st = s_lower(p, NULL, only, false);
        lk_ir_scope_add(scope, NULL, st->account, st->region, st, NULL);
        return scope;
    }
    for (size_t a = 0; a < p->scope.n_accounts; a++) {
        const struct lk_scope_account *acc = &p->scope.accounts[a];
        for (size_t r = 0; r < p->scope.n_regions; r++) {
            struct s_pair pair = {acc->id, p->scope.regions[r]};
            lk_ir_scope_add(scope, acc->name, acc->id, pair.region,
                            s_lower(p, &pair, only, false), NULL);
        }
    }
    lk_ir_scope_sort(scope);
    if (only)
        return scope;
    lk_keys_lower_scope(scope, p);
    for (size_t i = 0; i < scope->n_pairs; i++)
        lk_ir_canonicalize(scope->pairs[i].state);
    return scope;
}

struct lk_ir_scope *lk_lower_scope(struct lk_policy *p)
{
    return s_lower_scope(p, NULL);
}

struct lk_ir_scope *lk_lower_scope_buckets(struct lk_policy *p, const bool *stores)
{
    return s_lower_scope(p, stores);
}

struct lk_ir_statement *lk_lower_find_statement(struct lk_ir_bucket *b, const char *sid)
{
    for (size_t i = 0; i < b->policy.n_statements; i++)
        if (!strcmp(b->policy.statements[i].sid, sid))
            return &b->policy.statements[i];
    return NULL;
}
