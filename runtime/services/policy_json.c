/*
 * logkeep runtime: bucket policy documents (IAM policy JSON) -> IR, and the bounded JSON reader.
 *
 * Grammar followed: IAM JSON policy element reference,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
 * (Version, Statement, Sid, Effect, Principal/NotPrincipal, Action/NotAction,
 * Resource/NotResource, Condition).
 */
#include "runtime/services/policy_json.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/array.h"

/* ------------------------------------------------------------------------------ bounded JSON */

/* Nesting depth of JSON text, counted outside strings; stops early once over @p max. The text is
 * not validated here (cJSON does that); this only keeps hostile nesting away from cJSON's
 * recursive descent and from cJSON_Delete(). */
static bool s_depth_ok(const char *text, size_t len, int max)
{
    int depth = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '"') {
            /* Skip the string: its end is the next '"' after an even run of backslashes (most
             * of an AWS response is strings: names, ARNs, tokens). */
            for (;;) {
                const char *q = memchr(text + i + 1, '"', len - i - 1);
                if (!q)
                    return true; /* unterminated: cJSON refuses it */
                size_t at = (size_t)(q - text), bs = 0;
                while (at - bs > i + 1 && text[at - bs - 1] == '\\')
                    bs++;
                i = at;
                if (bs % 2 == 0)
                    break;
            }
        } else if (c == '{' || c == '[') {
            if (++depth > max)
                return false;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
    }
    return true;
}

/* cJSON allocates through process-wide hooks (cJSON_InitHooks). logkeep's hooks send a thread's
 * allocations to an arena while that thread parses a document with lk_json_doc_parse(), and to
 * malloc() otherwise. Frees are ignored only in that window, where cJSON frees nothing but
 * nodes of the document being parsed (a failed parse deletes its partial tree); the arena
 * releases them all at once. */
static _Thread_local struct lk_arena *s_tl_json_arena;
/* lk_json_use_scratch(): the thread's scratch arena, and whether a document occupies it. */
static _Thread_local struct lk_arena *s_tl_scratch;
static _Thread_local bool s_tl_scratch_busy;

void lk_json_use_scratch(struct lk_arena *scratch)
{
    s_tl_scratch = scratch;
    s_tl_scratch_busy = false;
}

static void *s_json_malloc(size_t size)
{
    if (s_tl_json_arena != NULL)
        return lk_arena_alloc_uninit(s_tl_json_arena, size); /* cJSON initialises its nodes */
    return malloc(size);
}

static void s_json_free(void *ptr)
{
    if (s_tl_json_arena == NULL)
        free(ptr);
}

static pthread_once_t s_json_hooks_once = PTHREAD_ONCE_INIT;

static void s_json_install_hooks(void)
{
    cJSON_Hooks hooks = {.malloc_fn = s_json_malloc, .free_fn = s_json_free};
    cJSON_InitHooks(&hooks);
}

void lk_json_init(void)
{
    pthread_once(&s_json_hooks_once, s_json_install_hooks);
}

static enum lk_status s_parse_bounded(struct lk_arena *arena, const char *text, size_t len,
                                      size_t max_bytes, cJSON **out, struct lk_error *err)
{
    enum lk_status rc = LK_STATUS_OK;
    char *copy = NULL;
    *out = NULL;
    LK_ENSURE_GOTO(rc, text && len > 0,
                   lk_error_set(err, LK_STATUS_MALFORMED, "empty JSON document"), cleanup);
    LK_ENSURE_GOTO(rc, len <= max_bytes,
                   lk_error_set(err, LK_STATUS_TOO_LARGE,
                                "JSON document of %zu bytes exceeds the %zu-byte limit", len,
                                max_bytes),
                   cleanup);
    /* An embedded NUL would end the text early for cJSON and hide what follows it. */
    LK_ENSURE_GOTO(rc, !memchr(text, '\0', len),
                   lk_error_set(err, LK_STATUS_MALFORMED, "JSON document contains a NUL byte"),
                   cleanup);
    LK_ENSURE_GOTO(rc, s_depth_ok(text, len, LK_JSON_MAX_DEPTH),
                   lk_error_set(err, LK_STATUS_MALFORMED,
                                "JSON document nested deeper than %d levels", LK_JSON_MAX_DEPTH),
                   cleanup);
    /* cJSON checks for trailing garbage only up to a terminating NUL: parse a terminated copy,
     * length included, and require the NUL right after the value. */
    copy = arena ? lk_arena_alloc_uninit(arena, len + 1) : lk_xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    const char *end = NULL;
    lk_json_init();
    s_tl_json_arena = arena;
    *out = cJSON_ParseWithLengthOpts(copy, len + 1, &end, true);
    s_tl_json_arena = NULL;
    if (!*out) {
        size_t at = end && end >= copy && end <= copy + len ? (size_t)(end - copy) : 0;
        rc = lk_error_set(err, LK_STATUS_MALFORMED, "invalid JSON near byte %zu", at);
    }
cleanup:
    if (!arena)
        free(copy);
    return rc;
}

enum lk_status lk_json_parse_bounded(const char *text, size_t len, size_t max_bytes, cJSON **out,
                                     struct lk_error *err)
{
    return s_parse_bounded(NULL, text, len, max_bytes, out, err);
}

enum lk_status lk_json_doc_parse(struct lk_json_doc *doc, const char *text, size_t len,
                                 size_t max_bytes, struct lk_error *err)
{
    lk_arena_init(&doc->arena);
    doc->in_scratch = s_tl_scratch != NULL && !s_tl_scratch_busy;
    struct lk_arena *arena = &doc->arena;
    if (doc->in_scratch) {
        s_tl_scratch_busy = true;
        arena = s_tl_scratch;
    }
    return s_parse_bounded(arena, text, len, max_bytes, &doc->root, err);
}

void lk_json_doc_free(struct lk_json_doc *doc)
{
    if (doc == NULL)
        return;
    if (doc->in_scratch && s_tl_scratch != NULL) {
        lk_arena_rewind(s_tl_scratch);
        s_tl_scratch_busy = false;
    }
    lk_arena_destroy(&doc->arena);
    doc->root = NULL;
    doc->in_scratch = false;
}

/* ------------------------------------------------------------------------------ policy */

/* Condition key names are not case-sensitive ("Context key names are not case-sensitive. For
 * example, including the aws:SourceIP context key is equivalent to testing for AWS:SourceIp",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html).
 * Keys logkeep writes (lower.c, delivery.c) and common neighbours take the spelling of the
 * global condition key reference (reference_policies_condition-keys.html) so that a policy
 * written with other casing still compares equal; other keys are kept as given. */
static const char *const s_condition_keys[] = {
    "aws:CalledVia",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName",
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:SecureTransport",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceIp",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:userid",
    "aws:username",
    "s3:TlsVersion",
    "s3:authType",
    "s3:signatureversion",
    "s3:x-amz-acl",
    "s3:x-amz-server-side-encryption",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
};

static const char *s_canonical_key(const char *key)
{
    for (size_t i = 0; i < sizeof(s_condition_keys) / sizeof(s_condition_keys[0]); i++)
        if (!strcasecmp(key, s_condition_keys[i]))
            return s_condition_keys[i];
    return key;
}

/* "You can specify AWS account identifiers ... the account ARN (arn:aws:iam::account-ID:root),
 * or a shortened form that consists of the "AWS": prefix followed by the account ID. ... The
 * account ARN and the shortened account ID behave the same way."
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
 * "AWS account principals"). S3 itself stores the ARN form. */
static bool s_is_account_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!isdigit((unsigned char)s[n]))
            return false;
    return n == 12;
}

static struct lk_ir_string_list s_list_copy(struct lk_ir_state *st,
                                            const struct lk_ir_string_list *l)
{
    struct lk_ir_string_list c = {0};
    for (size_t i = 0; i < l->n; i++)
        lk_ir_list_add(st, &c, l->items[i]);
    return c;
}

/* Adds a string or every string of a list to @p list, each with an optional marker prefix.
 * @return 0, or -1 when @p item is neither (or a list holds a non-string). */
static enum lk_status s_add_strings(struct lk_ir_state *st, struct lk_ir_string_list *list,
                                    const cJSON *item, const char *marker, const char *what,
                                    struct lk_error *err)
{
    if (cJSON_IsString(item)) {
        lk_ir_list_add(st, list,
                       marker ? lk_ir_printf(st, "%s%s", marker, item->valuestring)
                              : item->valuestring);
        return LK_STATUS_OK;
    }
    if (!cJSON_IsArray(item))
        return lk_error_set(err, LK_STATUS_SCHEMA, "%s is neither a string nor a list of strings",
                            what);
    const cJSON *el;
    cJSON_ArrayForEach(el, item)
    {
        if (!cJSON_IsString(el))
            return lk_error_set(err, LK_STATUS_SCHEMA, "%s holds a value that is not a string",
                                what);
        lk_ir_list_add(
            st, list, marker ? lk_ir_printf(st, "%s%s", marker, el->valuestring) : el->valuestring);
    }
    return LK_STATUS_OK;
}

/* A condition value as text: strings as they are; booleans and numbers as their JSON text,
 * which is how IAM compares them ("Bool": {"aws:SecureTransport": false} equals "false"). */
static const char *s_condition_value(struct lk_ir_state *st, const cJSON *v)
{
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsTrue(v))
        return "true";
    if (cJSON_IsFalse(v))
        return "false";
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == (double)(long long)d && d > -9007199254740992.0 && d < 9007199254740992.0)
            return lk_ir_printf(st, "%lld", (long long)d);
        return lk_ir_printf(st, "%.17g", d);
    }
    return NULL;
}

struct s_principals {
    bool any;
    bool present;
    struct lk_ir_string_list aws;     /* AWS principals, and markers of unmodelled forms */
    struct lk_ir_string_list service; /* Service principals */
};

/* Principal or NotPrincipal (@p negated) of one statement. */
static enum lk_status s_principals(struct lk_ir_state *st, const cJSON *p, bool negated,
                                   const char *partition, struct s_principals *out,
                                   unsigned *unmodelled, struct lk_error *err)
{
    const char *elem = negated ? "NotPrincipal" : "Principal";
    out->present = true;
    if (cJSON_IsString(p)) {
        /* Only "*" may stand alone: "Principal": "*" (principal.html, "All principals"). */
        if (strcmp(p->valuestring, "*") != 0)
            return lk_error_set(err, LK_STATUS_SCHEMA, "%s is a string other than \"*\"", elem);
        if (negated) {
            *unmodelled |= LK_IR_UNMODELLED_POLICY_NOT_ELEMENT;
            lk_ir_list_add(st, &out->aws, "NotPrincipal:*");
        } else {
            out->any = true;
        }
        return LK_STATUS_OK;
    }
    if (!cJSON_IsObject(p) || !p->child)
        return lk_error_set(err, LK_STATUS_SCHEMA,
                            "%s is neither \"*\" nor an object of principals", elem);
    const cJSON *type;
    cJSON_ArrayForEach(type, p)
    {
        struct lk_ir_string_list vals = {0};
        char what[96];
        snprintf(what, sizeof(what), "%s.%.40s", elem, type->string);
        LK_GUARD(s_add_strings(st, &vals, type, NULL, what, err));
        bool is_aws = !strcmp(type->string, "AWS");
        bool is_service = !strcmp(type->string, "Service");
        for (size_t i = 0; i < vals.n; i++) {
            const char *v = vals.items[i];
            if (negated) {
                *unmodelled |= LK_IR_UNMODELLED_POLICY_NOT_ELEMENT;
                lk_ir_list_add(st, &out->aws,
                               lk_ir_printf(st, "NotPrincipal:%s:%s", type->string, v));
            } else if (is_aws && !strcmp(v, "*")) {
                /* {"AWS": "*"} is the same as "*" (principal.html, "All principals"). */
                out->any = true;
            } else if (is_aws) {
                lk_ir_list_add(st, &out->aws,
                               s_is_account_id(v) ? lk_ir_printf(st, "arn:%s:iam::%s:root",
                                                                 partition ? partition : "aws", v)
                                                  : v);
            } else if (is_service) {
                lk_ir_list_add(st, &out->service, v);
            } else {
                /* Federated, CanonicalUser: no IR kind; keep them visible to the diff. */
                *unmodelled |= LK_IR_UNMODELLED_POLICY_PRINCIPAL_TYPE;
                lk_ir_list_add(st, &out->aws, lk_ir_printf(st, "%s:%s", type->string, v));
            }
        }
    }
    return LK_STATUS_OK;
}

static enum lk_status s_conditions(struct lk_ir_state *st, const cJSON *cond,
                                   struct lk_ir_statement *s, struct lk_error *err)
{
    if (!cJSON_IsObject(cond))
        return lk_error_set(err, LK_STATUS_SCHEMA, "Condition is not an object");
    size_t cap = 0;
    const cJSON *op;
    cJSON_ArrayForEach(op, cond)
    {
        if (!cJSON_IsObject(op))
            return lk_error_set(err, LK_STATUS_SCHEMA, "Condition operator %.60s is not an object",
                                op->string);
        const cJSON *key;
        cJSON_ArrayForEach(key, op)
        {
            const char *k = s_canonical_key(key->string);
            struct lk_ir_condition *c = NULL;
            for (size_t i = 0; i < s->n_conditions; i++)
                if (!strcmp(s->conditions[i].op, op->string) && !strcmp(s->conditions[i].key, k))
                    c = &s->conditions[i];
            if (!c) {
                LK_ARENA_ARRAY_GROW(&st->arena, s->conditions, s->n_conditions, cap);
                c = &s->conditions[s->n_conditions++];
                memset(c, 0, sizeof(*c));
                c->op = lk_ir_strdup(st, op->string);
                c->key = lk_ir_strdup(st, k);
            }
            const cJSON *v = key;
            if (cJSON_IsArray(key)) {
                if (!key->child)
                    return lk_error_set(err, LK_STATUS_SCHEMA,
                                        "Condition %.40s %.60s has an empty list", op->string, k);
                v = key->child;
            }
            for (; v; v = cJSON_IsArray(key) ? v->next : NULL) {
                const char *text = s_condition_value(st, v);
                if (!text)
                    return lk_error_set(err, LK_STATUS_SCHEMA,
                                        "Condition %.40s %.60s holds a value that is not a "
                                        "string, number or boolean",
                                        op->string, k);
                lk_ir_list_add(st, &c->values, text);
            }
        }
    }
    return LK_STATUS_OK;
}

static int s_cmp_str_nullable(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static const char *s_first(const struct lk_ir_string_list *l)
{
    return l->n ? l->items[0] : NULL;
}

/* Statements by Sid; statements split from one (same Sid) by kind, then their first values,
 * so the order is total and deterministic. */
static int s_cmp_statement(const void *a, const void *b)
{
    const struct lk_ir_statement *x = a, *y = b;
    int c = lk_ir_cmp_statement(a, b);
    if (c)
        return c;
    if (x->principal_kind != y->principal_kind)
        return x->principal_kind < y->principal_kind ? -1 : 1;
    c = s_cmp_str_nullable(s_first(&x->principals), s_first(&y->principals));
    if (c)
        return c;
    c = s_cmp_str_nullable(s_first(&x->actions), s_first(&y->actions));
    return c ? c : s_cmp_str_nullable(s_first(&x->resources), s_first(&y->resources));
}

void lk_policy_json_canonicalize(struct lk_ir_bucket_policy *p)
{
    for (size_t i = 0; i < p->n_statements; i++) {
        struct lk_ir_statement *s = &p->statements[i];
        lk_ir_list_sort_unique(&s->principals);
        lk_ir_list_sort_unique(&s->actions);
        lk_ir_list_sort_unique(&s->resources);
        for (size_t k = 0; k < s->n_conditions; k++)
            lk_ir_list_sort_unique(&s->conditions[k].values);
        if (s->n_conditions > 1)
            qsort(s->conditions, s->n_conditions, sizeof(*s->conditions), lk_ir_cmp_condition);
    }
    if (p->n_statements > 1)
        qsort(p->statements, p->n_statements, sizeof(*p->statements), s_cmp_statement);
}

/* One statement object; appends one statement, or two when it names both AWS and Service
 * principals (the IR holds one principal kind per statement; a statement applies to each of
 * its principals, so the split keeps the meaning). */
static enum lk_status s_statement(struct lk_ir_state *st, const cJSON *js, const char *partition,
                                  struct lk_ir_bucket_policy *out, size_t *cap,
                                  unsigned *unmodelled, struct lk_error *err)
{
    struct lk_ir_statement s = {0};
    struct s_principals pr = {0};
    if (!cJSON_IsObject(js))
        return lk_error_set(err, LK_STATUS_SCHEMA, "a Statement entry is not an object");

    const cJSON *sid = cJSON_GetObjectItemCaseSensitive(js, "Sid");
    if (sid && !cJSON_IsString(sid))
        return lk_error_set(err, LK_STATUS_SCHEMA, "Sid is not a string");
    s.sid = sid ? lk_ir_strdup(st, sid->valuestring) : NULL;

    /* "The Effect element is required ... Valid values for Effect are Allow and Deny. The Effect
     * value is case sensitive." (reference_policies_elements_effect.html) */
    const cJSON *effect = cJSON_GetObjectItemCaseSensitive(js, "Effect");
    if (!cJSON_IsString(effect) ||
        (strcmp(effect->valuestring, "Allow") != 0 && strcmp(effect->valuestring, "Deny") != 0))
        return lk_error_set(err, LK_STATUS_SCHEMA,
                            "statement %.80s: Effect must be \"Allow\" or \"Deny\"",
                            s.sid ? s.sid : "(no Sid)");
    s.allow = !strcmp(effect->valuestring, "Allow");

    const cJSON *p = cJSON_GetObjectItemCaseSensitive(js, "Principal");
    const cJSON *np = cJSON_GetObjectItemCaseSensitive(js, "NotPrincipal");
    if (!p && !np)
        return lk_error_set(err, LK_STATUS_SCHEMA, "statement %.80s has no Principal",
                            s.sid ? s.sid : "(no Sid)");
    if (p)
        LK_GUARD(s_principals(st, p, false, partition, &pr, unmodelled, err));
    if (np)
        LK_GUARD(s_principals(st, np, true, partition, &pr, unmodelled, err));

    const cJSON *a = cJSON_GetObjectItemCaseSensitive(js, "Action");
    const cJSON *na = cJSON_GetObjectItemCaseSensitive(js, "NotAction");
    if (!a && !na)
        return lk_error_set(err, LK_STATUS_SCHEMA, "statement %.80s has no Action",
                            s.sid ? s.sid : "(no Sid)");
    if (a)
        LK_GUARD(s_add_strings(st, &s.actions, a, NULL, "Action", err));
    if (na) {
        *unmodelled |= LK_IR_UNMODELLED_POLICY_NOT_ELEMENT;
        LK_GUARD(s_add_strings(st, &s.actions, na, "NotAction:", "NotAction", err));
    }

    const cJSON *r = cJSON_GetObjectItemCaseSensitive(js, "Resource");
    const cJSON *nr = cJSON_GetObjectItemCaseSensitive(js, "NotResource");
    if (!r && !nr)
        return lk_error_set(err, LK_STATUS_SCHEMA, "statement %.80s has no Resource",
                            s.sid ? s.sid : "(no Sid)");
    if (r)
        LK_GUARD(s_add_strings(st, &s.resources, r, NULL, "Resource", err));
    if (nr) {
        *unmodelled |= LK_IR_UNMODELLED_POLICY_NOT_ELEMENT;
        LK_GUARD(s_add_strings(st, &s.resources, nr, "NotResource:", "NotResource", err));
    }

    const cJSON *cond = cJSON_GetObjectItemCaseSensitive(js, "Condition");
    if (cond)
        LK_GUARD(s_conditions(st, cond, &s, err));

    /* "*" anywhere among the principals means everyone: the others add nothing. */
    int kinds = pr.any ? 1 : (pr.aws.n > 0) + (pr.service.n > 0);
    if (kinds == 0)
        return lk_error_set(err, LK_STATUS_SCHEMA, "statement %.80s names no principal",
                            s.sid ? s.sid : "(no Sid)");
    if (kinds > 1)
        *unmodelled |= LK_IR_UNMODELLED_POLICY_MIXED_PRINCIPALS;
    int emitted = 0;
    for (int k = 0; k < 3; k++) {
        enum lk_ir_principal_kind kind = k == 0   ? LK_IR_PRINCIPAL_ANY
                                         : k == 1 ? LK_IR_PRINCIPAL_AWS
                                                  : LK_IR_PRINCIPAL_SERVICE;
        const struct lk_ir_string_list *list = k == 1 ? &pr.aws : &pr.service;
        if (k == 0 ? !pr.any : pr.any || list->n == 0)
            continue;
        LK_ARENA_ARRAY_GROW(&st->arena, out->statements, out->n_statements, *cap);
        struct lk_ir_statement *o = &out->statements[out->n_statements++];
        *o = s;
        if (emitted++) {
            /* The second statement of a split gets its own copies: the IR's lists are edited
             * in place (sorting, appending). */
            o->actions = s_list_copy(st, &s.actions);
            o->resources = s_list_copy(st, &s.resources);
            o->conditions = lk_arena_alloc(&st->arena, s.n_conditions * sizeof(*o->conditions));
            for (size_t i = 0; i < s.n_conditions; i++) {
                o->conditions[i] = s.conditions[i];
                o->conditions[i].values = s_list_copy(st, &s.conditions[i].values);
            }
        }
        o->principal_kind = kind;
        if (k != 0)
            o->principals = *list;
    }
    return LK_STATUS_OK;
}

enum lk_status lk_policy_json_parse(struct lk_ir_state *st, const char *text, size_t len,
                                    const char *partition, struct lk_ir_bucket *out,
                                    struct lk_error *err)
{
    enum lk_status rc;
    unsigned flags = 0;
    struct lk_ir_bucket_policy pol = {0};
    struct lk_json_doc doc;
    LK_GUARD_GOTO(rc, lk_json_doc_parse(&doc, text, len, LK_POLICY_JSON_MAX_BYTES, err), cleanup);
    const cJSON *root = doc.root;
    LK_ENSURE_GOTO(rc, cJSON_IsObject(root),
                   lk_error_set(err, LK_STATUS_SCHEMA, "the policy is not a JSON object"), cleanup);
    /* "If you do not include a Version element, the value defaults to 2008-10-17"
     * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html).
     */
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "Version");
    LK_ENSURE_GOTO(rc, !version || cJSON_IsString(version),
                   lk_error_set(err, LK_STATUS_SCHEMA, "Version is not a string"), cleanup);
    pol.present = true;
    pol.version = lk_ir_strdup(st, version ? version->valuestring : "2008-10-17");

    /* "The Statement element can contain a single statement or an array of individual
     * statements" (reference_policies_elements_statement.html). */
    const cJSON *stmts = cJSON_GetObjectItemCaseSensitive(root, "Statement");
    LK_ENSURE_GOTO(
        rc, stmts && (cJSON_IsObject(stmts) || cJSON_IsArray(stmts)),
        lk_error_set(err, LK_STATUS_SCHEMA, "the policy has no Statement object or list"), cleanup);
    size_t cap = 0;
    if (cJSON_IsObject(stmts)) {
        LK_GUARD_GOTO(rc, s_statement(st, stmts, partition, &pol, &cap, &flags, err), cleanup);
    } else {
        const cJSON *js;
        cJSON_ArrayForEach(js, stmts)
        {
            LK_GUARD_GOTO(rc, s_statement(st, js, partition, &pol, &cap, &flags, err), cleanup);
        }
    }
    lk_policy_json_canonicalize(&pol);
    out->policy = pol;
    out->unmodelled = (out->unmodelled & ~(unsigned)LK_IR_UNMODELLED_POLICY) | flags;
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}
