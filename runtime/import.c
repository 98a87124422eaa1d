/*
 * logkeep runtime: `logkeep import` (see import.h; the reference is docs/import.md).
 *
 * The draft is what the compiler would turn back into the live state: each choice below mirrors
 * a lowering rule of compiler/lower.c (lifecycle rule IDs "logkeep-<source>", the housekeeping
 * rule, the LogKeep statements of readers and admins, the trail defaults). What the language
 * cannot say is written as a comment next to the store or source it concerns, and the caller
 * lists every change plan would still show in the header (lk_import_draft()'s @p plan).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/array.h"
#include "common/escape.h"
#include "runtime/import.h"
#include "runtime/live.h"
#include "runtime/services/configsvc.h"
#include "runtime/services/ec2.h"
#include "runtime/services/elbv2.h"
#include "runtime/services/s3.h"
#include "runtime/transport/http.h"

/* ------------------------------------------------------------------------------ YAML text */

/* Words a YAML 1.1 or 1.2 reader would type as something other than a string. */
static bool s_reserved(const char *s)
{
    static const char *const words[] = {"true", "false", "yes", "no", "on",
                                        "off",  "null",  "y",   "n",  "~"};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (!strcasecmp(s, words[i]))
            return true;
    return false;
}

/* Appends @p s as a YAML scalar: plain when it is made of letters, digits and "._/-", starts
 * with a letter or '/' and is no reserved word; otherwise double-quoted. A JSON string literal
 * is a YAML 1.2 double-quoted scalar (YAML 1.2, section 7.3.1: the escapes of JSON are a
 * subset of YAML's), so lk_json_escape() quotes it. */
static void s_scalar(struct lk_buf *b, const char *s)
{
    bool plain = s[0] &&
                 ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '/') &&
                 !s_reserved(s);
    for (const char *p = s; plain && *p; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                *p == '.' || *p == '_' || *p == '/' || *p == '-';
    if (plain)
        lk_buf_puts(b, s);
    else
        lk_json_escape(b, s);
}

/* Appends @p s to a comment: a control character would end the comment (a line break) and
 * let live data write policy text, so each becomes '?'. */
static void s_comment_text(struct lk_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        lk_buf_putc(b, *p < 0x20 || *p == 0x7f ? '?' : (char)*p);
}

/* Writes "<indent># logkeep cannot express: <text>\n"; @return 1 (for the count). */
static size_t s_flag(struct lk_buf *b, int indent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static size_t s_flag(struct lk_buf *b, int indent, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    lk_buf_printf(b, "%*s# logkeep cannot express: ", indent, "");
    s_comment_text(b, text);
    lk_buf_putc(b, '\n');
    return 1;
}

/* ------------------------------------------------------------------------------ grouping */

static int s_cmp_group_ptr(const void *x, const void *y)
{
    const struct lk_ir_log_group *a = *(const struct lk_ir_log_group *const *)x;
    const struct lk_ir_log_group *b = *(const struct lk_ir_log_group *const *)y;
    return strcmp(a->name, b->name);
}

struct s_grouping {
    struct lk_arena *arena;
    const struct lk_ir_log_group **g; /* sorted by name */
    const char *prefix;               /* the caller's name prefix ("" for all) */
    struct lk_import_group *out;
    size_t n, cap;
};

/* Emits the entry that stands for the groups [i, j). */
static void s_emit(struct s_grouping *s, const char *name, bool pattern, size_t i, size_t j)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->out = lk_xrealloc(s->out, s->cap * sizeof(*s->out));
    }
    size_t kms = 0;
    for (size_t k = i; k < j; k++)
        kms += s->g[k]->kms_key_id != NULL;
    s->out[s->n++] = (struct lk_import_group){
        .name = lk_arena_strdup(s->arena, name),
        .pattern = pattern,
        .retention_days = s->g[i]->retention_days,
        .deletion_protection = s->g[i]->deletion_protection,
        .members = j - i,
        .with_kms = kms,
    };
}

static bool s_same_settings(const struct lk_ir_log_group *a, const struct lk_ir_log_group *b)
{
    return a->retention_days == b->retention_days &&
           a->deletion_protection == b->deletion_protection;
}

/* Groups [i, j) all start with the path prefix of @p plen bytes (ending in '/', or 0 for the
 * top). Emits a pattern for the range, or recurses into each child prefix. */
static void s_walk(struct s_grouping *s, size_t i, size_t j, size_t plen)
{
    const char *first = s->g[i]->name;
    bool uniform = true;
    for (size_t k = i + 1; k < j && uniform; k++)
        uniform = s_same_settings(s->g[i], s->g[k]);
    /* A pattern needs a prefix below the caller's, with more than slashes in it. */
    size_t flen = strlen(s->prefix);
    bool named = false;
    for (size_t k = 0; k < plen && !named; k++)
        named = first[k] != '/';
    if (uniform && j - i >= LK_IMPORT_MIN_PATTERN && plen > 0 && plen >= flen && named) {
        char *pat = lk_arena_printf(s->arena, "%.*s*", (int)plen, first);
        s_emit(s, pat, true, i, j);
        return;
    }
    /* Children: the groups sharing the next path segment (a prefix of names is contiguous in
     * sorted order); a group with no further '/' stays exact. */
    size_t k = i;
    while (k < j) {
        const char *name = s->g[k]->name;
        const char *slash = strchr(name + plen, '/');
        if (!slash) {
            s_emit(s, name, false, k, k + 1);
            k++;
            continue;
        }
        size_t clen = (size_t)(slash - name) + 1;
        size_t m = k + 1;
        while (m < j && !strncmp(s->g[m]->name, name, clen))
            m++;
        if (m - k == 1)
            s_emit(s, name, false, k, m);
        else
            s_walk(s, k, m, clen);
        k = m;
    }
}

size_t lk_import_group(struct lk_arena *arena, const struct lk_ir_log_group *groups, size_t n,
                       const char *region, const char *prefix, struct lk_import_group **out)
{
    *out = NULL;
    if (!prefix)
        prefix = "";
    const struct lk_ir_log_group **g = lk_xcalloc(n ? n : 1, sizeof(*g));
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const struct lk_ir_log_group *x = &groups[i];
        if (!x->exists || x->pattern || !x->name ||
            (region && x->region && strcmp(region, x->region)) ||
            strncmp(x->name, prefix, strlen(prefix)))
            continue;
        g[m++] = x;
    }
    qsort(g, m, sizeof(*g), s_cmp_group_ptr);
    struct s_grouping s = {.arena = arena, .g = g, .prefix = prefix};
    if (m)
        s_walk(&s, 0, m, 0);
    free(g);
    *out = s.out;
    return s.n;
}

/* ------------------------------------------------------------------------------ names */

/* An entry name (docs/language.md, value types): 1 to 64 letters, digits, '-', '_' and '.',
 * starting with a letter or digit. @return @p want made into one, in @p arena. */
static char *s_entry_name(struct lk_arena *arena, const char *want)
{
    char buf[65];
    size_t n = 0;
    for (const char *p = want; *p && n < 64; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        if (!ok)
            c = '-';
        if (n == 0 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            continue;
        buf[n++] = c;
    }
    buf[n] = '\0';
    return lk_arena_strdup(arena, n ? buf : "imported");
}

/* The names used so far in one namespace. */
struct s_names {
    char **v;
    size_t n, cap;
};

/* @return @p want as an entry name no other entry of @p used has ("-2", "-3", ... added). */
static char *s_unique(struct lk_arena *arena, struct s_names *used, const char *want)
{
    char *base = s_entry_name(arena, want);
    char *name = base;
    for (int k = 2;; k++) {
        bool taken = false;
        for (size_t i = 0; i < used->n && !taken; i++)
            taken = !strcmp(used->v[i], name);
        if (!taken)
            break;
        name = lk_arena_printf(arena, "%.*s-%d", (int)(strlen(base) > 58 ? 58 : strlen(base)), base,
                               k);
    }
    if (used->n == used->cap) {
        used->cap = used->cap ? 2 * used->cap : 16;
        used->v = lk_xrealloc(used->v, used->cap * sizeof(*used->v));
    }
    used->v[used->n++] = name;
    return name;
}

/* ------------------------------------------------------------------------------ retention */

/* The S3 retention a lifecycle rule means, as a source's retention says it. */
struct s_ret {
    bool forever;
    int32_t delete_days;
    const struct lk_ir_transition *tiers;
    size_t n_tiers;
};

static struct s_ret s_ret_of(const struct lk_ir_lifecycle_rule *r)
{
    return (struct s_ret){.forever = r->expiration_days <= 0,
                          .delete_days = r->expiration_days,
                          .tiers = r->transitions,
                          .n_tiers = r->n_transitions};
}

static bool s_ret_same(const struct s_ret *a, const struct s_ret *b)
{
    if (a->forever != b->forever || (!a->forever && a->delete_days != b->delete_days) ||
        a->n_tiers != b->n_tiers)
        return false;
    for (size_t i = 0; i < a->n_tiers; i++)
        if (a->tiers[i].days != b->tiers[i].days ||
            a->tiers[i].storage_class != b->tiers[i].storage_class)
            return false;
    return true;
}

/* The policy's name of an S3 storage class (docs/language.md, retention). */
static const char *s_class_name(enum lk_ir_storage_class sc)
{
    switch (sc) {
    case LK_IR_SC_STANDARD_IA:
        return "standard-ia";
    case LK_IR_SC_ONEZONE_IA:
        return "onezone-ia";
    case LK_IR_SC_INTELLIGENT_TIERING:
        return "intelligent-tiering";
    case LK_IR_SC_GLACIER_IR:
        return "glacier-ir";
    case LK_IR_SC_GLACIER:
        return "glacier";
    case LK_IR_SC_DEEP_ARCHIVE:
        return "deep-archive";
    case LK_IR_SC_COUNT:
        break;
    }
    return "standard-ia";
}

static bool s_slow_class(enum lk_ir_storage_class sc)
{
    return sc == LK_IR_SC_GLACIER || sc == LK_IR_SC_DEEP_ARCHIVE;
}

/* Writes "    retention: {...}\n". @p available_days, when positive, is the window a trail's log
 * group keeps; otherwise the window is the first tier's start (tiers need one: docs/language.md,
 * rules of a retention, 2), which never puts a slow tier inside it. */
static void s_write_retention(struct lk_buf *b, const struct s_ret *r, int32_t available_days)
{
    lk_buf_puts(b, "    retention: { ");
    int32_t avail = available_days;
    if (avail <= 0 && r->n_tiers)
        avail = r->tiers[0].days;
    if (avail > 0 && (r->n_tiers || (!r->forever && avail != r->delete_days) || r->forever))
        lk_buf_printf(b, "available: %dd, ", (int)avail);
    if (r->n_tiers) {
        lk_buf_puts(b, "archive: [");
        for (size_t i = 0; i < r->n_tiers; i++)
            lk_buf_printf(b, "%s{ after: %dd, class: %s }", i ? ", " : "", (int)r->tiers[i].days,
                          s_class_name(r->tiers[i].storage_class));
        lk_buf_puts(b, "], ");
    }
    if (r->forever)
        lk_buf_puts(b, "delete_after: forever }\n");
    else
        lk_buf_printf(b, "delete_after: %dd }\n", (int)r->delete_days);
}

static void s_write_forever_because(struct lk_buf *b, const struct s_ret *r)
{
    if (r->forever)
        lk_buf_puts(b, "    forever_because: \"nothing deletes these logs in the live state "
                       "(drafted by logkeep import)\"\n");
}

/* ------------------------------------------------------------------------------ roles */

/* A role of the draft: one access level, one principal set. */
struct s_role {
    char *name;
    bool admin;
    struct lk_ir_string_list principals; /* sorted */
};

struct s_roles {
    struct s_role *v;
    size_t n, cap;
    struct s_names names;
};

static bool s_list_equal(const struct lk_ir_string_list *a, const struct lk_ir_string_list *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->items[i], b->items[i]))
            return false;
    return true;
}

/* @return the name of the role with @p admin and @p principals (sorted), made when new. */
static const char *s_role_for(struct lk_arena *arena, struct s_roles *roles, bool admin,
                              const struct lk_ir_string_list *principals)
{
    for (size_t i = 0; i < roles->n; i++)
        if (roles->v[i].admin == admin && s_list_equal(&roles->v[i].principals, principals))
            return roles->v[i].name;
    if (roles->n == roles->cap) {
        roles->cap = roles->cap ? 2 * roles->cap : 8;
        roles->v = lk_xrealloc(roles->v, roles->cap * sizeof(*roles->v));
    }
    struct s_role *r = &roles->v[roles->n++];
    r->admin = admin;
    r->principals = *principals;
    r->name = s_unique(arena, &roles->names, admin ? "log-admins" : "log-readers");
    return r->name;
}

/* A principal the draft can name in a role: an IAM role or user ARN (LK023, LK201). */
static bool s_principal_ok(const char *p)
{
    return !strncmp(p, "arn:", 4) && strstr(p, ":iam::") && !strchr(p, '*') &&
           (strstr(p, ":role/") || strstr(p, ":user/"));
}

/* ------------------------------------------------------------------------------ the draft */

struct s_draft {
    const struct lk_ir_state *live;
    const struct lk_import_options *o;
    struct lk_arena arena;
    struct lk_buf stores, sources; /* the two sections, written side by side */
    struct s_roles roles;
    struct s_names store_names, source_names;
    size_t flags;
};

static const struct lk_ir_log_group *s_log_group(const struct lk_ir_state *st, const char *name)
{
    for (size_t i = 0; i < st->n_log_groups; i++)
        if (st->log_groups[i].exists && !strcmp(st->log_groups[i].name, name) &&
            (!st->log_groups[i].region || !st->region ||
             !strcmp(st->log_groups[i].region, st->region)))
            return &st->log_groups[i];
    return NULL;
}

static bool s_housekeeping(const struct lk_ir_lifecycle_rule *r)
{
    return r->id && !strcmp(r->id, "logkeep-housekeeping");
}

static bool s_in_list(const struct lk_ir_string_list *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i], s))
            return true;
    return false;
}

/* The trail's log group name from CloudWatchLogsLogGroupArn
 * ("arn:aws:logs:<region>:<account>:log-group:<name>:*"), or NULL. */
static char *s_trail_log_group(struct lk_arena *arena, const char *arn)
{
    const char *p = arn ? strstr(arn, ":log-group:") : NULL;
    if (!p)
        return NULL;
    p += strlen(":log-group:");
    size_t n = strlen(p);
    if (n >= 2 && !strcmp(p + n - 2, ":*"))
        n -= 2;
    return n ? lk_arena_strndup(arena, p, n) : NULL;
}

/* A source of a store: a trail, a delivery discovery found, or a lifecycle rule's prefix. */
struct s_src {
    const struct lk_ir_trail *trail;         /* or NULL */
    const struct lk_ir_delivery *delivery;   /* or NULL: a flow log, balancer or channel */
    const struct lk_ir_lifecycle_rule *rule; /* the rule that decides its retention, or NULL */
    char *prefix;                            /* with its '/', or "" */
    struct s_ret ret;
};

/* Whether two S3 prefixes overlap: equal, or one a prefix of the other (LK114). */
static bool s_overlap(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return !strncmp(a, b, la < lb ? la : lb);
}

/* Readers and admins from the LogKeep statements lk_lower()'s s_base_statements() writes. */
static void s_store_roles(struct s_draft *d, const struct lk_ir_bucket *bk,
                          struct lk_ir_string_list *readers, struct lk_ir_string_list *admins,
                          struct lk_ir_state *scratch)
{
    const struct lk_ir_bucket_policy *pol = &bk->policy;
    for (size_t i = 0; pol->present && i < pol->n_statements; i++) {
        const struct lk_ir_statement *s = &pol->statements[i];
        if (!s->sid)
            continue;
        if (!strcmp(s->sid, LK_IR_SID_PREFIX "ReadLogs"))
            for (size_t k = 0; k < s->principals.n; k++)
                lk_ir_list_add(scratch, readers, s->principals.items[k]);
        if (!strcmp(s->sid, LK_IR_SID_PREFIX "ReadLogsByArn"))
            for (size_t c = 0; c < s->n_conditions; c++)
                if (!strcmp(s->conditions[c].op, "ArnLike") &&
                    !strcmp(s->conditions[c].key, "aws:PrincipalArn"))
                    for (size_t k = 0; k < s->conditions[c].values.n; k++)
                        lk_ir_list_add(scratch, readers, s->conditions[c].values.items[k]);
        if (!strcmp(s->sid, LK_IR_SID_PREFIX "DenyChangesExceptAdmins"))
            for (size_t c = 0; c < s->n_conditions; c++)
                if (!strcmp(s->conditions[c].op, "ArnNotLike") &&
                    !strcmp(s->conditions[c].key, "aws:PrincipalArn"))
                    for (size_t k = 0; k < s->conditions[c].values.n; k++)
                        lk_ir_list_add(scratch, admins, s->conditions[c].values.items[k]);
    }
    (void)d;
    lk_ir_list_sort_unique(readers);
    lk_ir_list_sort_unique(admins);
}

static void s_write_role_refs(struct lk_buf *b, const char *key, const char *role)
{
    lk_buf_printf(b, "    %s: [", key);
    s_scalar(b, role);
    lk_buf_puts(b, "]\n");
}

/* Writes the trail settings that differ from the language's defaults (docs/language.md,
 * section 12). */
static void s_write_trail(struct s_draft *d, const struct lk_ir_trail *t, const char *src_name,
                          const char *cw_group)
{
    /* The settings go to a buffer first: a trail with every default writes no "trail:". */
    struct lk_buf settings;
    lk_buf_init_default(&settings);
    struct lk_buf *b = &settings;
    if (strcmp(t->name, src_name)) {
        lk_buf_puts(b, "      name: ");
        s_scalar(b, t->name);
        lk_buf_putc(b, '\n');
    }
    if (!t->is_multi_region_trail)
        lk_buf_puts(b, "      multi_region: false\n");
    if (!t->enable_log_file_validation)
        lk_buf_puts(b, "      log_file_validation: false\n");
    if (!t->include_global_service_events)
        lk_buf_puts(b, "      global_service_events: false\n");
    const struct lk_ir_event_selector *es = t->n_event_selectors ? &t->event_selectors[0] : NULL;
    if (es && !es->include_management_events)
        lk_buf_puts(b, "      management_events: false\n");
    if (es && es->read_write_type && strcmp(es->read_write_type, "All")) {
        lk_buf_puts(b, "      read_write: ");
        s_scalar(b, es->read_write_type);
        lk_buf_putc(b, '\n');
    }
    if (t->kms_key_id) {
        lk_buf_puts(b, "      kms_key: ");
        s_scalar(b, t->kms_key_id);
        lk_buf_putc(b, '\n');
    }
    if (cw_group && t->cloud_watch_logs_role_arn) {
        lk_buf_puts(b, "      cloudwatch: { log_group: ");
        s_scalar(b, cw_group);
        lk_buf_puts(b, ", role: ");
        s_scalar(b, t->cloud_watch_logs_role_arn);
        lk_buf_puts(b, " }\n");
    }
    if (t->n_event_selectors > 1 || (es && es->n_data_resources) ||
        (es && es->exclude_management_event_sources.n))
        d->flags += s_flag(b, 6,
                           "event selectors beyond one with management events only "
                           "(data events, excluded sources); plan lists them");
    if (t->unmodelled & LK_IR_UNMODELLED_ADVANCED_SELECTORS)
        d->flags += s_flag(b, 6, "advanced event selectors; plan lists them");
    if (t->home_region && d->live->region && strcmp(t->home_region, d->live->region))
        d->flags += s_flag(b, 6, "the trail's home Region is %s; plan lists it", t->home_region);
    if (t->is_organization_trail)
        d->flags += s_flag(b, 6,
                           "organization trail: add organization: true and "
                           "organization_id; plan lists it");
    if (!t->is_logging)
        d->flags += s_flag(b, 6, "the trail is stopped; apply would start it");
    if (settings.len) {
        lk_buf_puts(&d->sources, "    trail:\n");
        lk_buf_append(&d->sources, lk_buf_cstr(&settings), settings.len);
    }
    lk_buf_free(&settings);
}

/* The type of a prefix's source, told by the LogKeep delivery statement whose object resource
 * is that prefix's "AWSLogs/" (compiler/delivery.c writes one per delivering service): plan of a
 * source of another type would remove the statement. NULL: none names the prefix (s3-prefix).
 * Several services share delivery.logs.amazonaws.com's statements (CloudWatch Logs User Guide,
 * logs sent to Amazon S3): @p shared is set when the type is one of them. */
static const char *s_delivery_type(const struct lk_ir_state *live, const struct lk_ir_bucket *bk,
                                   const char *prefix, bool *shared)
{
    static const struct {
        const char *sid, *type;
    } map[] = {
        {LK_IR_SID_PREFIX "LogDeliveryWrite", "vpc-flow-logs"},
        {LK_IR_SID_PREFIX "ConfigBucketDelivery", "config"},
        {LK_IR_SID_PREFIX "ElbLogDelivery", "elb-access-logs"},
        {LK_IR_SID_PREFIX "ElbLogDeliveryService", "elb-access-logs"},
        {LK_IR_SID_PREFIX "GuardDutyPutObject", "guardduty"},
    };
    char want[1200];
    snprintf(want, sizeof(want), "arn:%s:s3:::%s/%sAWSLogs/",
             live->partition ? live->partition : "aws", bk->name, prefix);
    bool kms = bk->encryption.present && bk->encryption.kms_key_id;
    *shared = false;
    for (size_t i = 0; bk->policy.present && i < bk->policy.n_statements; i++) {
        const struct lk_ir_statement *st = &bk->policy.statements[i];
        for (size_t m = 0; st->sid && m < sizeof(map) / sizeof(map[0]); m++) {
            if (strcmp(st->sid, map[m].sid))
                continue;
            bool hit = false;
            for (size_t r = 0; r < st->resources.n && !hit; r++)
                hit = !strncmp(st->resources.items[r], want, strlen(want));
            if (!hit)
                continue;
            /* The language's requirements of each type (docs/language.md, section 11). */
            if (!strcmp(map[m].type, "guardduty") && !kms)
                return NULL;
            if (!strcmp(map[m].type, "elb-access-logs") && kms)
                return NULL;
            if (!strcmp(map[m].type, "vpc-flow-logs")) {
                *shared = true;
                if (!strncmp(bk->name, "aws-waf-logs-", 13))
                    return "waf";
            }
            return map[m].type;
        }
    }
    return NULL;
}

/* What a delivery of @p service is called in a comment; NULL for a trail's (or one import
 * does not discover). */
static const char *s_delivery_what(const char *service)
{
    if (!strcmp(service, "vpc-flow-logs"))
        return "flow log";
    if (!strcmp(service, "elb-access-logs") || !strcmp(service, "nlb-access-logs"))
        return "load balancer";
    if (!strcmp(service, "config"))
        return "Config delivery channel";
    return NULL;
}

/* The deliveries found for bucket @p name (live->unmanaged_stores), or NULL. */
static const struct lk_ir_unmanaged_store *s_found(const struct lk_ir_state *live, const char *name)
{
    for (size_t u = 0; u < live->n_unmanaged_stores; u++)
        if (!strcmp(live->unmanaged_stores[u].bucket, name))
            return &live->unmanaged_stores[u];
    return NULL;
}

/* The lifecycle rule of a source of @p prefix: the rule of exactly that prefix (marked in
 * @p rule_used), else the longest one that covers it, else NULL. */
static const struct lk_ir_lifecycle_rule *s_rule_for(const struct lk_ir_bucket *bk,
                                                     const char *prefix, bool *rule_used)
{
    const struct lk_ir_lifecycle_rule *best = NULL;
    for (size_t i = 0; bk->lifecycle.present && i < bk->lifecycle.n_rules; i++) {
        const struct lk_ir_lifecycle_rule *r = &bk->lifecycle.rules[i];
        if (s_housekeeping(r) || !r->enabled || !r->prefix ||
            s_in_list(&bk->unmodelled_filter_rule_ids, r->id ? r->id : ""))
            continue;
        if (!strcmp(r->prefix, prefix)) {
            rule_used[i] = true;
            return r;
        }
        if (!strncmp(prefix, r->prefix, strlen(r->prefix)) &&
            (!best || strlen(r->prefix) > strlen(best->prefix)))
            best = r;
    }
    return best;
}

/* The store of one bucket and its sources: each trail that delivers there, each type and prefix
 * of the deliveries discovery found, then one s3-prefix source per remaining lifecycle rule. */
static void s_store(struct s_draft *d, const struct lk_ir_bucket *bk, bool *trail_done,
                    bool *group_taken)
{
    const struct lk_ir_state *live = d->live;
    struct lk_buf *b = &d->stores;
    struct lk_ir_state *scratch = lk_ir_state_new();
    const char *store = s_unique(&d->arena, &d->store_names, bk->name);
    bool versioned = bk->versioning == LK_IR_VERSIONING_ENABLED;

    lk_buf_puts(b, "  ");
    s_scalar(b, store);
    lk_buf_puts(b, ":\n    bucket: ");
    s_scalar(b, bk->name);
    lk_buf_putc(b, '\n');
    if (bk->region && live->region && strcmp(bk->region, live->region)) {
        lk_buf_puts(b, "    region: ");
        s_scalar(b, bk->region);
        lk_buf_putc(b, '\n');
    }
    if (!versioned)
        lk_buf_puts(b, "    versioning: false\n    waivers: { LK402: \"versioning is off in the "
                       "live state (drafted by logkeep import)\" }\n");
    if (bk->versioning == LK_IR_VERSIONING_SUSPENDED)
        d->flags += s_flag(b, 4, "versioning suspended (the language says on or never enabled)");
    if (bk->encryption.present && bk->encryption.algorithm &&
        !strcmp(bk->encryption.algorithm, "aws:kms") && bk->encryption.kms_key_id &&
        !strncmp(bk->encryption.kms_key_id, "arn:", 4) &&
        strstr(bk->encryption.kms_key_id, ":key/")) {
        lk_buf_puts(b, "    encryption: { kms_key: ");
        s_scalar(b, bk->encryption.kms_key_id);
        lk_buf_puts(b, " }\n");
        if (!bk->encryption.bucket_key_enabled)
            d->flags += s_flag(b, 4, "SSE-KMS without S3 Bucket Keys; apply turns them on");
    } else if (!bk->encryption.present || !bk->encryption.algorithm ||
               strcmp(bk->encryption.algorithm, "AES256")) {
        d->flags += s_flag(
            b, 4,
            "default encryption %s%s; apply sets SSE-S3 unless kms_key is "
            "given as a key ARN",
            bk->encryption.present && bk->encryption.algorithm ? bk->encryption.algorithm : "none",
            bk->encryption.kms_key_id ? " with a key ID or alias" : "");
    }
    if (bk->object_lock.enabled) {
        int32_t days = bk->object_lock.days;
        if (bk->object_lock.mode != LK_IR_LOCK_NONE && days > 0)
            lk_buf_printf(b, "    object_lock: { mode: %s, for: %dd }\n",
                          bk->object_lock.mode == LK_IR_LOCK_COMPLIANCE ? "compliance"
                                                                        : "governance",
                          (int)days);
        else
            d->flags += s_flag(b, 4, "Object Lock %s",
                               bk->object_lock.years ? "default retention in years"
                                                     : "enabled without a default retention");
    }
    if (bk->lifecycle.present && bk->lifecycle.transition_min_size == LK_IR_TMS_VARIES_BY_CLASS)
        lk_buf_puts(b, "    transition_small_objects: true\n");
    if (!bk->public_access_block.present || !bk->public_access_block.block_public_acls ||
        !bk->public_access_block.ignore_public_acls ||
        !bk->public_access_block.block_public_policy ||
        !bk->public_access_block.restrict_public_buckets)
        d->flags += s_flag(b, 4, "Block Public Access not fully on; every store turns it on");

    /* The housekeeping rule carries abort_incomplete_uploads (default 7 days). */
    const struct lk_ir_lifecycle_rule *house = NULL;
    for (size_t i = 0; bk->lifecycle.present && i < bk->lifecycle.n_rules; i++)
        if (s_housekeeping(&bk->lifecycle.rules[i]))
            house = &bk->lifecycle.rules[i];
    if (house && house->abort_incomplete_upload_days > 0 &&
        house->abort_incomplete_upload_days != 7)
        lk_buf_printf(b, "    abort_incomplete_uploads: %dd\n",
                      (int)house->abort_incomplete_upload_days);

    /* Readers and admins. */
    struct lk_ir_string_list readers = {0}, admins = {0}, r_ok = {0}, a_ok = {0};
    s_store_roles(d, bk, &readers, &admins, scratch);
    for (size_t i = 0; i < readers.n; i++)
        if (s_principal_ok(readers.items[i]))
            lk_ir_list_add(scratch, &r_ok, readers.items[i]);
        else
            d->flags += s_flag(b, 4, "reader %s (not an IAM role or user ARN)", readers.items[i]);
    for (size_t i = 0; i < admins.n; i++)
        if (s_principal_ok(admins.items[i]))
            lk_ir_list_add(scratch, &a_ok, admins.items[i]);
        else
            d->flags += s_flag(b, 4, "admin %s (not an IAM role or user ARN)", admins.items[i]);
    if (a_ok.n == 0) {
        /* A store needs admins (LK204); the live policy names none: a placeholder, flagged. */
        lk_ir_list_add(scratch, &a_ok,
                       lk_ir_printf(scratch, "arn:%s:iam::%s:role/REPLACE-WITH-LOG-ADMIN-ROLE",
                                    live->partition ? live->partition : "aws",
                                    live->account ? live->account : "111122223333"));
        d->flags += s_flag(b, 4,
                           "no admins in the live bucket policy; replace the placeholder "
                           "role with the role that runs apply");
    }
    /* Roles outlive the scratch state: copy the lists into the draft's arena. */
    struct lk_ir_string_list *lists[] = {&r_ok, &a_ok};
    for (size_t l = 0; l < 2; l++) {
        char **items = lk_arena_alloc(&d->arena, (lists[l]->n ? lists[l]->n : 1) * sizeof(char *));
        for (size_t i = 0; i < lists[l]->n; i++)
            items[i] = lk_arena_strdup(&d->arena, lists[l]->items[i]);
        lists[l]->items = items;
    }
    if (r_ok.n)
        s_write_role_refs(b, "readers", s_role_for(&d->arena, &d->roles, false, &r_ok));
    s_write_role_refs(b, "admins", s_role_for(&d->arena, &d->roles, true, &a_ok));
    for (size_t i = 0; bk->policy.present && i < bk->policy.n_statements; i++) {
        const char *sid = bk->policy.statements[i].sid;
        if (sid && lk_ir_sid_owned(sid))
            continue;
        lk_buf_puts(b, "    # kept as is by apply (not logkeep's): bucket policy statement ");
        s_comment_text(b, sid ? sid : "without a Sid");
        lk_buf_putc(b, '\n');
    }

    /* The sources: trails first, in name order (live->trails is canonical). */
    const struct lk_ir_unmanaged_store *found = s_found(live, bk->name);
    size_t cap = live->n_trails + (bk->lifecycle.present ? bk->lifecycle.n_rules : 0) +
                 (found ? found->n_deliveries : 0) + 1;
    struct s_src *srcs = lk_xcalloc(cap, sizeof(*srcs));
    size_t n = 0;
    bool *rule_used = lk_xcalloc(bk->lifecycle.n_rules + 1, sizeof(bool));
    for (size_t t = 0; t < live->n_trails; t++) {
        const struct lk_ir_trail *tr = &live->trails[t];
        if (trail_done[t] || !tr->exists || !tr->s3_bucket_name ||
            strcmp(tr->s3_bucket_name, bk->name))
            continue;
        trail_done[t] = true;
        struct s_src *s = &srcs[n];
        s->trail = tr;
        s->prefix = tr->s3_key_prefix && tr->s3_key_prefix[0]
                        ? lk_arena_printf(&d->arena, "%s/", tr->s3_key_prefix)
                        : lk_arena_strdup(&d->arena, "");
        s->rule = s_rule_for(bk, s->prefix, rule_used);
        s->ret = s->rule ? s_ret_of(s->rule) : (struct s_ret){.forever = true};
        n++;
    }
    /* The deliveries found (live->unmanaged_stores is canonical: by service, then name): one
     * source per type and prefix, several flow logs into one prefix being one source. */
    bool kms_store = bk->encryption.present && bk->encryption.algorithm &&
                     !strcmp(bk->encryption.algorithm, "aws:kms");
    bool other_region = bk->region && live->region && strcmp(bk->region, live->region);
    for (size_t k = 0; found && k < found->n_deliveries; k++) {
        const struct lk_ir_delivery *dl = &found->deliveries[k];
        const char *what = s_delivery_what(dl->service);
        if (!what)
            continue;
        char *prefix = dl->key_prefix && dl->key_prefix[0]
                           ? lk_arena_printf(&d->arena, "%s/", dl->key_prefix)
                           : lk_arena_strdup(&d->arena, "");
        bool dup = false;
        for (size_t i = 0; i < n && !dup; i++)
            dup = srcs[i].delivery && !strcmp(srcs[i].delivery->service, dl->service) &&
                  !strcmp(srcs[i].prefix, prefix);
        if (dup)
            continue;
        bool lb = !strcmp(what, "load balancer");
        /* The language's requirements of the type (docs/language.md, section 11: LK027; a
         * balancer logs only into a bucket of its Region, LK039). */
        if (lb && other_region) {
            d->flags += s_flag(b, 4,
                               "load balancer %s writes access logs under '%s' from another "
                               "Region than the bucket's; no source drafted for it",
                               dl->name, prefix);
            continue;
        }
        if (!strcmp(dl->service, "elb-access-logs") && kms_store) {
            d->flags += s_flag(b, 4,
                               "load balancer %s writes access logs under '%s', but "
                               "elb-access-logs needs SSE-S3 and the bucket uses SSE-KMS; no "
                               "source drafted for it",
                               dl->name, prefix);
            continue;
        }
        struct s_src *s = &srcs[n];
        s->delivery = dl;
        s->prefix = prefix;
        s->rule = s_rule_for(bk, s->prefix, rule_used);
        s->ret = s->rule ? s_ret_of(s->rule) : (struct s_ret){.forever = true};
        n++;
    }
    for (size_t i = 0; bk->lifecycle.present && i < bk->lifecycle.n_rules; i++) {
        const struct lk_ir_lifecycle_rule *r = &bk->lifecycle.rules[i];
        const char *id = r->id ? r->id : "";
        if (s_housekeeping(r) || rule_used[i])
            continue;
        if (s_in_list(&bk->unmodelled_filter_rule_ids, id)) {
            d->flags += s_flag(b, 4,
                               "lifecycle rule '%s' with a tag or object size filter; "
                               "plan lists it",
                               id);
            continue;
        }
        if (!r->enabled) {
            d->flags += s_flag(b, 4, "disabled lifecycle rule '%s'; plan lists it", id);
            continue;
        }
        const char *pre = r->prefix ? r->prefix : "";
        size_t pl = strlen(pre);
        if (pre[0] == '/' || (pl && pre[pl - 1] != '/')) {
            d->flags += s_flag(b, 4,
                               "lifecycle rule '%s' on prefix '%s' (a prefix ends with '/' "
                               "and does not start with one); plan lists it",
                               id, pre);
            continue;
        }
        if (r->expiration_days <= 0 && r->n_transitions == 0) {
            d->flags += s_flag(b, 4,
                               "lifecycle rule '%s' that neither expires nor archives "
                               "current objects; plan lists it",
                               id);
            continue;
        }
        srcs[n].rule = r;
        srcs[n].prefix = lk_arena_strdup(&d->arena, pre);
        srcs[n].ret = s_ret_of(r);
        n++;
    }
    if (bk->unmodelled & LK_IR_UNMODELLED_LIFECYCLE)
        d->flags += s_flag(b, 4,
                           "lifecycle rules with filters on tags or object size, dates, "
                           "noncurrent transitions or other storage classes; plan lists "
                           "them");
    if (!house)
        d->flags += s_flag(b, 4, "no logkeep-housekeeping lifecycle rule; apply adds it");

    /* Write the sources; one whose prefix overlaps an earlier one's with another retention
     * would be LK114: left out, flagged. */
    bool *kept = lk_xcalloc(n + 1, sizeof(bool));
    for (size_t i = 0; i < n; i++) {
        struct s_src *s = &srcs[i];
        bool clash = false;
        for (size_t k = 0; k < i && !clash; k++)
            clash = kept[k] && s_overlap(srcs[k].prefix, s->prefix) &&
                    !s_ret_same(&srcs[k].ret, &s->ret);
        if (clash) {
            if (s->trail)
                d->flags += s_flag(&d->sources, 2,
                                   "trail %s: its prefix '%s' overlaps another source's with "
                                   "another retention (LK114); left out",
                                   s->trail->name, s->prefix);
            else if (s->delivery)
                d->flags +=
                    s_flag(&d->sources, 2,
                           "%s %s: its prefix '%s' overlaps another source's with "
                           "another retention (LK114); left out",
                           s_delivery_what(s->delivery->service), s->delivery->name, s->prefix);
            else
                d->flags += s_flag(b, 4,
                                   "lifecycle rule '%s': prefix '%s' overlaps another source's "
                                   "with another retention (LK114); plan lists it",
                                   s->rule->id ? s->rule->id : "", s->prefix);
            continue;
        }
        kept[i] = true;
        struct lk_buf *o = &d->sources;
        const char *want;
        if (s->trail)
            want = s->trail->name;
        else if (s->delivery)
            /* The source logkeep applied keeps its name (its rule is "logkeep-<name>"). */
            want = s->rule && s->rule->id && !strcmp(s->rule->prefix, s->prefix) &&
                           !strncmp(s->rule->id, "logkeep-", 8) && s->rule->id[8]
                       ? s->rule->id + 8
                       : s->delivery->service;
        else if (s->rule->id && !strncmp(s->rule->id, "logkeep-", 8))
            want = s->rule->id + 8;
        else
            want = s->rule->id && s->rule->id[0] ? s->rule->id : "prefix";
        const char *name = s_unique(&d->arena, &d->source_names, want);
        lk_buf_puts(o, "  ");
        s_scalar(o, name);
        lk_buf_puts(o, ":\n");
        bool shared = false;
        const char *type = s->trail      ? "cloudtrail"
                           : s->delivery ? s->delivery->service
                                         : s_delivery_type(live, bk, s->prefix, &shared);
        lk_buf_printf(o, "    type: %s\n", type ? type : "s3-prefix");
        if (shared)
            lk_buf_puts(o, "    # delivered by delivery.logs.amazonaws.com: the type may also be "
                           "route53-resolver-query-logs, network-firewall or nlb-access-logs\n");
        lk_buf_printf(o,
                      "    purpose: \"%s (drafted by logkeep import: say what these logs are "
                      "kept for)\"\n",
                      s->trail ? "CloudTrail events of the account"
                      : type   ? "logs a service delivers"
                               : "logs kept under a prefix");
        /* The rule apply writes is named after the source (compiler/lower.c s_lifecycle). */
        if (s->rule && s->rule->id && !strcmp(s->rule->prefix ? s->rule->prefix : "", s->prefix) &&
            strcmp(s->rule->id, lk_arena_printf(&d->arena, "logkeep-%s", name)))
            d->flags += s_flag(o, 4, "lifecycle rule ID '%s' (apply names the rule logkeep-%s)",
                               s->rule->id, name);
        else if (s->rule && strcmp(s->rule->prefix ? s->rule->prefix : "", s->prefix))
            d->flags +=
                s_flag(o, 4,
                       "its logs expire by lifecycle rule '%s' of prefix '%s'; apply adds "
                       "a rule of its own prefix with the same retention",
                       s->rule->id ? s->rule->id : "", s->rule->prefix ? s->rule->prefix : "");
        lk_buf_puts(o, "    store: ");
        s_scalar(o, store);
        lk_buf_putc(o, '\n');
        if (s->prefix[0]) {
            lk_buf_puts(o, "    prefix: ");
            s_scalar(o, s->prefix);
            lk_buf_putc(o, '\n');
        }
        int32_t avail = 0;
        const char *cw = NULL;
        if (s->trail && s->trail->cloud_watch_logs_log_group_arn) {
            cw = s_trail_log_group(&d->arena, s->trail->cloud_watch_logs_log_group_arn);
            const struct lk_ir_log_group *g = cw ? s_log_group(live, cw) : NULL;
            if (g) {
                group_taken[g - live->log_groups] = true;
                avail = g->retention_days;
                /* The group keeps the retention's window; it must fit before deletion and
                 * before the first slow tier (LK104, LK107). */
                bool fits = avail > 0 && (s->ret.forever || avail <= s->ret.delete_days);
                for (size_t k = 0; fits && k < s->ret.n_tiers; k++)
                    fits = !s_slow_class(s->ret.tiers[k].storage_class) ||
                           s->ret.tiers[k].days >= avail;
                if (!fits) {
                    d->flags += s_flag(o, 4,
                                       "log group %s keeps %d days, which no retention window of "
                                       "this source can say; plan lists it",
                                       cw, (int)avail);
                    avail = 0;
                }
                if (!g->deletion_protection)
                    lk_buf_puts(o, "    deletion_protection: false\n");
            }
        }
        s_write_retention(o, &s->ret, avail);
        s_write_forever_because(o, &s->ret);
        if (s->trail) {
            s_write_trail(d, s->trail, name, cw);
            if (!s->trail->enable_log_file_validation)
                lk_buf_puts(o, "    waivers: { LK401: \"log file validation is off in the live "
                               "state (drafted by logkeep import)\" }\n");
        }
    }
    free(kept);
    free(rule_used);
    free(srcs);
    lk_ir_state_free(scratch);
}

static int s_cmp_import_group(const void *x, const void *y)
{
    const struct lk_import_group *a = x, *b = y;
    if (a->retention_days != b->retention_days)
        return a->retention_days < b->retention_days ? -1 : 1;
    if (a->deletion_protection != b->deletion_protection)
        return a->deletion_protection ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* The log group sources: one per (retention, deletion protection), listing its patterns and
 * names. */
static void s_log_group_sources(struct s_draft *d, const bool *group_taken)
{
    const struct lk_ir_state *live = d->live;
    /* The groups a trail's source already names stay out (LK118). */
    struct lk_ir_log_group *rest =
        lk_xcalloc(live->n_log_groups ? live->n_log_groups : 1, sizeof(*rest));
    size_t n_rest = 0;
    for (size_t i = 0; i < live->n_log_groups; i++)
        if (!group_taken[i])
            rest[n_rest++] = live->log_groups[i];
    struct lk_import_group *g = NULL;
    size_t n = lk_import_group(&d->arena, rest, n_rest, live->region, d->o->log_group_prefix, &g);
    if (n) /* g is NULL when there are none, and qsort's base must not be (C11 7.22.5) */
        qsort(g, n, sizeof(*g), s_cmp_import_group);
    struct lk_buf *o = &d->sources;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        size_t members = 0;
        while (j < n && g[j].retention_days == g[i].retention_days &&
               g[j].deletion_protection == g[i].deletion_protection)
            members += g[j++].members;
        char want[64];
        if (g[i].retention_days > 0)
            snprintf(want, sizeof(want), "log-groups-%dd%s", (int)g[i].retention_days,
                     g[i].deletion_protection ? "" : "-unprotected");
        else
            snprintf(want, sizeof(want), "log-groups-never-expire%s",
                     g[i].deletion_protection ? "" : "-unprotected");
        const char *name = s_unique(&d->arena, &d->source_names, want);
        lk_buf_puts(o, "  ");
        s_scalar(o, name);
        lk_buf_printf(o, ":  # %zu log group%s\n", members, members == 1 ? "" : "s");
        lk_buf_puts(o, "    type: log-group\n    purpose: \"log groups (drafted by logkeep import: "
                       "say what these logs are kept for)\"\n    log_groups:\n");
        for (size_t k = i; k < j; k++) {
            lk_buf_puts(o, "      - ");
            s_scalar(o, g[k].name);
            if (g[k].pattern)
                lk_buf_printf(o, "  # %zu groups", g[k].members);
            lk_buf_putc(o, '\n');
        }
        size_t kms = 0;
        for (size_t k = i; k < j; k++)
            kms += g[k].with_kms;
        if (kms)
            lk_buf_printf(o,
                          "    # %zu of these log groups are encrypted with KMS keys: kms_key is "
                          "left out (plan would add its key policy statement); add it to govern "
                          "the key\n",
                          kms);
        struct s_ret r = {.forever = g[i].retention_days <= 0, .delete_days = g[i].retention_days};
        s_write_retention(o, &r, 0);
        s_write_forever_because(o, &r);
        if (!g[i].deletion_protection)
            lk_buf_puts(o, "    deletion_protection: false\n");
        i = j;
    }
    free(g);
    free(rest);
}

static void s_header(struct lk_buf *b, const struct lk_ir_state *live,
                     const struct lk_import_warnings *warnings, const struct lk_diff *plan)
{
    lk_buf_puts(b, "# yaml-language-server: $schema=.logkeep-policy.schema.json\n");
    lk_buf_puts(b, "# Drafted by `logkeep import` from the live state of account ");
    s_comment_text(b, live->account ? live->account : "?");
    lk_buf_puts(b, " in ");
    s_comment_text(b, live->region ? live->region : "?");
    lk_buf_puts(b, ".\n# Review it: every purpose is a placeholder, and each \"logkeep cannot "
                   "express\" comment\n# marks live configuration this policy does not "
                   "reproduce.\n");
    for (size_t i = 0; warnings && i < warnings->n; i++) {
        lk_buf_puts(b, "# warning: ");
        s_comment_text(b, warnings->lines[i]);
        lk_buf_putc(b, '\n');
    }
    if (!plan)
        return;
    size_t n = 0;
    for (size_t i = 0; i < plan->n; i++)
        n += plan->changes[i].kind != LK_DIFF_NOTE;
    if (n == 0) {
        lk_buf_puts(b, "# `logkeep plan` of this draft against the same account shows no "
                       "changes.\n");
        return;
    }
    lk_buf_printf(b,
                  "# `logkeep plan` of this draft against the same account shows %zu "
                  "change%s:\n",
                  n, n == 1 ? "" : "s");
    for (size_t i = 0; i < plan->n; i++) {
        const struct lk_diff_change *c = &plan->changes[i];
        if (c->kind == LK_DIFF_NOTE)
            continue;
        lk_buf_puts(b, "#   ");
        s_comment_text(b, lk_diff_kind_name(c->kind));
        lk_buf_putc(b, ' ');
        s_comment_text(b, lk_diff_resource_name(c->resource));
        lk_buf_putc(b, ' ');
        s_comment_text(b, c->name ? c->name : "");
        if (c->attribute && c->attribute[0]) {
            lk_buf_putc(b, ' ');
            s_comment_text(b, c->attribute);
        }
        if (c->live || c->desired) {
            lk_buf_puts(b, ": ");
            s_comment_text(b, c->live ? c->live : "none");
            lk_buf_puts(b, " -> ");
            s_comment_text(b, c->desired ? c->desired : "none");
        }
        lk_buf_putc(b, '\n');
    }
}

size_t lk_import_draft(const struct lk_ir_state *live, const struct lk_import_options *o,
                       const struct lk_diff *plan, struct lk_buf *out)
{
    struct s_draft d = {.live = live, .o = o};
    lk_arena_init(&d.arena);
    lk_buf_init_default(&d.stores);
    lk_buf_init_default(&d.sources);
    bool *trail_done = lk_xcalloc(live->n_trails + 1, sizeof(bool));
    bool *group_taken = lk_xcalloc(live->n_log_groups + 1, sizeof(bool));

    /* Stores, in bucket name order (live->buckets is canonical). */
    for (size_t i = 0; i < live->n_buckets; i++)
        if (live->buckets[i].exists)
            s_store(&d, &live->buckets[i], trail_done, group_taken);
    /* Trails whose bucket is not drafted. */
    for (size_t t = 0; t < live->n_trails; t++) {
        const struct lk_ir_trail *tr = &live->trails[t];
        if (trail_done[t] || !tr->exists)
            continue;
        const char *why = "its bucket could not be read";
        for (size_t u = 0; u < live->n_unmanaged_stores; u++)
            if (tr->s3_bucket_name &&
                !strcmp(live->unmanaged_stores[u].bucket, tr->s3_bucket_name) &&
                live->unmanaged_stores[u].error)
                why = live->unmanaged_stores[u].error;
        d.flags += s_flag(&d.sources, 2, "trail %s delivers to bucket %s (%s); left out", tr->name,
                          tr->s3_bucket_name ? tr->s3_bucket_name : "?", why);
    }
    /* Flow logs, balancers and channels whose bucket is not drafted. */
    for (size_t u = 0; u < live->n_unmanaged_stores; u++) {
        const struct lk_ir_unmanaged_store *us = &live->unmanaged_stores[u];
        bool drafted = false;
        for (size_t i = 0; i < live->n_buckets && !drafted; i++)
            drafted = live->buckets[i].exists && !strcmp(live->buckets[i].name, us->bucket);
        for (size_t k = 0; !drafted && k < us->n_deliveries; k++) {
            const char *what = s_delivery_what(us->deliveries[k].service);
            if (what)
                d.flags += s_flag(&d.sources, 2, "%s %s delivers to bucket %s (%s); left out", what,
                                  us->deliveries[k].name, us->bucket,
                                  us->error     ? us->error
                                  : !us->exists ? "NoSuchBucket"
                                                : "its bucket could not be read");
        }
    }
    s_log_group_sources(&d, group_taken);

    s_header(out, live, o->warnings, plan);
    lk_buf_puts(out, "logkeep: 1\naccount: ");
    lk_json_escape(out, live->account ? live->account : "");
    lk_buf_puts(out, "\nregion: ");
    s_scalar(out, live->region ? live->region : "");
    lk_buf_putc(out, '\n');
    if (d.roles.n) {
        lk_buf_puts(out, "\nroles:\n");
        for (size_t i = 0; i < d.roles.n; i++) {
            const struct s_role *r = &d.roles.v[i];
            lk_buf_puts(out, "  ");
            s_scalar(out, r->name);
            lk_buf_puts(out, ":\n    principals:\n");
            for (size_t k = 0; k < r->principals.n; k++) {
                lk_buf_puts(out, "      - ");
                s_scalar(out, r->principals.items[k]);
                lk_buf_putc(out, '\n');
            }
            lk_buf_printf(out, "    access: %s\n", r->admin ? "admin" : "read");
        }
    }
    if (d.stores.len) {
        lk_buf_puts(out, "\nstores:\n");
        lk_buf_append(out, lk_buf_cstr(&d.stores), d.stores.len);
    }
    if (d.sources.len) {
        lk_buf_puts(out, "\nsources:\n");
        lk_buf_append(out, lk_buf_cstr(&d.sources), d.sources.len);
    }
    size_t flags = d.flags;
    free(trail_done);
    free(group_taken);
    free(d.roles.v);
    free(d.roles.names.v);
    free(d.store_names.v);
    free(d.source_names.v);
    lk_buf_free(&d.stores);
    lk_buf_free(&d.sources);
    lk_arena_destroy(&d.arena);
    return flags;
}

/* ------------------------------------------------------------------------------ reading */

static char *s_dup(struct lk_ir_state *st, const char *s)
{
    return s ? lk_ir_strdup(st, s) : NULL;
}

static void s_copy_list(struct lk_ir_state *st, struct lk_ir_string_list *to,
                        const struct lk_ir_string_list *from)
{
    *to = (struct lk_ir_string_list){0};
    for (size_t i = 0; i < from->n; i++)
        lk_ir_list_add(st, to, from->items[i]);
}

/* A deep copy of a key (its policy included) into @p st's arena. */
static void s_copy_key(struct lk_ir_state *st, struct lk_ir_key *to, const struct lk_ir_key *from)
{
    *to = *from;
    to->arn = s_dup(st, from->arn);
    to->region = s_dup(st, from->region);
    to->error = s_dup(st, from->error);
    to->users = (struct lk_ir_string_list){0};
    to->policy.version = s_dup(st, from->policy.version);
    to->policy.statements =
        lk_arena_alloc(&st->arena, (from->policy.n_statements ? from->policy.n_statements : 1) *
                                       sizeof(*to->policy.statements));
    for (size_t i = 0; i < from->policy.n_statements; i++) {
        const struct lk_ir_statement *a = &from->policy.statements[i];
        struct lk_ir_statement *b = &to->policy.statements[i];
        *b = *a;
        b->sid = s_dup(st, a->sid);
        s_copy_list(st, &b->principals, &a->principals);
        s_copy_list(st, &b->actions, &a->actions);
        s_copy_list(st, &b->resources, &a->resources);
        b->conditions = lk_arena_alloc(&st->arena, (a->n_conditions ? a->n_conditions : 1) *
                                                       sizeof(*b->conditions));
        for (size_t c = 0; c < a->n_conditions; c++) {
            b->conditions[c].op = s_dup(st, a->conditions[c].op);
            b->conditions[c].key = s_dup(st, a->conditions[c].key);
            s_copy_list(st, &b->conditions[c].values, &a->conditions[c].values);
        }
    }
}

/* The Region of a KMS key ARN (arn:<partition>:kms:<region>:...), in @p st, or NULL. */
static char *s_arn_region(struct lk_ir_state *st, const char *arn)
{
    const char *p = arn;
    for (int field = 0; field < 3 && p; field++) {
        p = strchr(p, ':');
        if (p)
            p++;
    }
    const char *end = p ? strchr(p, ':') : NULL;
    return end && end > p ? lk_ir_strndup(st, p, (size_t)(end - p)) : NULL;
}

static void s_add_key(struct lk_ir_state *d, size_t *cap, const char *arn)
{
    if (!arn || strncmp(arn, "arn:", 4) || !strstr(arn, ":key/"))
        return;
    for (size_t i = 0; i < d->n_keys; i++)
        if (!strcmp(d->keys[i].arn, arn))
            return;
    LK_ARENA_ARRAY_GROW(&d->arena, d->keys, d->n_keys, *cap);
    struct lk_ir_key *k = &d->keys[d->n_keys++];
    memset(k, 0, sizeof(*k));
    k->arn = lk_ir_strdup(d, arn);
    k->region = s_arn_region(d, arn);
}

/* One lk_live_read(); on failure, the message. */
static int s_read(struct lk_aws_client *client, const struct lk_ir_state *desired,
                  const struct lk_live_options *lopts, struct lk_ir_state **live, char **message,
                  enum lk_status *status)
{
    struct lk_live_report report;
    struct lk_aws_error err = {0};
    *live = lk_ir_state_new();
    int rc = lk_live_read(client, desired, lopts, *live, &report, &err);
    if (rc != 0) {
        char text[2048];
        lk_live_error_format(&report, &err, text, sizeof(text));
        *message = lk_xstrdup(text);
        *status = err.status != LK_STATUS_OK ? err.status : LK_STATUS_AWS;
    }
    lk_aws_error_clear(&err);
    lk_live_report_free(&report);
    return rc;
}

static bool s_has_bucket(const struct lk_ir_state *st, const char *name)
{
    for (size_t i = 0; i < st->n_buckets; i++)
        if (!strcmp(st->buckets[i].name, name))
            return true;
    return false;
}

static void s_add_bucket(struct lk_ir_state *d, size_t *cap, const char *name)
{
    if (s_has_bucket(d, name))
        return;
    LK_ARENA_ARRAY_GROW(&d->arena, d->buckets, d->n_buckets, *cap);
    struct lk_ir_bucket *b = &d->buckets[d->n_buckets++];
    memset(b, 0, sizeof(*b));
    b->name = lk_ir_strdup(d, name);
    b->region = s_dup(d, d->region);
}

void lk_import_warnings_free(struct lk_import_warnings *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->lines[i]);
    free(w->lines);
    *w = (struct lk_import_warnings){0};
}

/* ------------------------------------------------------------------------------ discovery */

/* Whether a call was refused for want of permission: EC2 answers UnauthorizedOperation, the
 * Query and S3 APIs AccessDenied, the JSON APIs AccessDeniedException (EC2 API Reference,
 * "Error codes"; ELB API Reference, "Common Errors"; AWS Config API Reference, "Common
 * Errors"). A bad signature or an expired token is no such refusal: it fails the read. */
static bool s_denied(const struct lk_aws_error *err)
{
    return !err->no_response && err->code &&
           (!strcmp(err->code, "AccessDenied") || !strcmp(err->code, "AccessDeniedException") ||
            !strcmp(err->code, "UnauthorizedOperation"));
}

/* Deliveries found, by bucket, in @c st->unmanaged_stores (each store's deliveries grown one at
 * a time: a Region has few). */
struct s_discovery {
    struct lk_ir_state *st;
    size_t cap;
    struct lk_import_warnings *warnings;
};

static void s_found_add(struct s_discovery *x, const char *bucket, const char *service,
                        const char *name, const char *key_prefix, size_t prefix_len)
{
    struct lk_ir_state *st = x->st;
    struct lk_ir_unmanaged_store *u = NULL;
    for (size_t i = 0; i < st->n_unmanaged_stores && !u; i++)
        if (!strcmp(st->unmanaged_stores[i].bucket, bucket))
            u = &st->unmanaged_stores[i];
    if (!u) {
        LK_ARENA_ARRAY_GROW(&st->arena, st->unmanaged_stores, st->n_unmanaged_stores, x->cap);
        u = &st->unmanaged_stores[st->n_unmanaged_stores++];
        memset(u, 0, sizeof(*u));
        u->bucket = lk_ir_strdup(st, bucket);
        u->exists = true;
    }
    struct lk_ir_delivery *v =
        lk_arena_alloc(&st->arena, (u->n_deliveries + 1) * sizeof(*u->deliveries));
    if (u->n_deliveries)
        memcpy(v, u->deliveries, u->n_deliveries * sizeof(*v));
    struct lk_ir_delivery *dl = &v[u->n_deliveries++];
    u->deliveries = v;
    *dl = (struct lk_ir_delivery){
        .service = lk_ir_strdup(st, service),
        .name = lk_ir_strdup(st, name),
        .region = s_dup(st, st->region),
        .key_prefix = prefix_len ? lk_ir_strndup(st, key_prefix, prefix_len) : NULL,
    };
}

/* A refusal becomes a warning (and 0); another failure the read's message (and -1). */
static int s_discovery_failed(struct s_discovery *x, struct lk_aws_error *err, const char *what,
                              char **message, enum lk_status *status)
{
    char text[2048];
    lk_aws_error_format(err, text, sizeof(text));
    if (s_denied(err)) {
        x->warnings->lines =
            lk_xrealloc(x->warnings->lines, (x->warnings->n + 1) * sizeof(*x->warnings->lines));
        size_t len = strlen(what) + strlen(text) + 128;
        char *line = lk_xmalloc(len);
        snprintf(line, len, "%s not discovered (%s); name their buckets with --bucket", what, text);
        x->warnings->lines[x->warnings->n++] = line;
        lk_aws_error_clear(err);
        return 0;
    }
    size_t len = strlen(what) + strlen(text) + 32;
    *message = lk_xmalloc(len);
    snprintf(*message, len, "discovering %s: %s", what, text);
    *status = err->status != LK_STATUS_OK ? err->status : LK_STATUS_AWS;
    lk_aws_error_clear(err);
    return -1;
}

/* The buckets of the Region's S3 flow logs, load balancer access logs and Config delivery
 * channel: DescribeFlowLogs and DescribeLoadBalancers in pages, one
 * DescribeLoadBalancerAttributes per balancer (ELBv2 has no call for several: elbv2.h), one
 * DescribeDeliveryChannels. @return 0, or -1 with @p message. */
static int s_discover(struct lk_aws_client *client, struct s_discovery *x, char **message,
                      enum lk_status *status)
{
    const char *region = x->st->region;
    struct lk_aws_error err = {0};

    /* Flow logs: LogDestination is the bucket's ARN with the prefix as its path,
     * "arn:aws:s3:::bucket/prefix/" (EC2 API Reference, API_FlowLog.html). */
    struct lk_ec2_flow_log_list fl = {0};
    if (lk_ec2_describe_flow_logs(client, region, NULL, 0, &fl, &err) != LK_STATUS_OK) {
        lk_ec2_flow_log_list_free(&fl);
        if (s_discovery_failed(x, &err, "VPC Flow Logs", message, status) != 0)
            return -1;
    }
    for (size_t i = 0; i < fl.n; i++) {
        const struct lk_ec2_flow_log *f = &fl.items[i];
        const char *arn = f->log_destination;
        const char *p = arn ? strstr(arn, ":s3:::") : NULL;
        if (!f->log_destination_type || strcmp(f->log_destination_type, "s3") || !p ||
            !f->flow_log_id)
            continue;
        p += strlen(":s3:::");
        const char *slash = strchr(p, '/');
        size_t blen = slash ? (size_t)(slash - p) : strlen(p);
        const char *pre = slash ? slash + 1 : "";
        size_t plen = strlen(pre);
        while (plen && pre[plen - 1] == '/')
            plen--;
        if (!blen)
            continue;
        char *bucket = lk_ir_strndup(x->st, p, blen);
        s_found_add(x, bucket, "vpc-flow-logs", f->flow_log_id, pre, plen);
    }
    lk_ec2_flow_log_list_free(&fl);

    /* Load balancers: access_logs.s3.* of each (ELB User Guides, "Access logs"); a gateway
     * load balancer has none. */
    struct lk_elbv2_list lbs = {0};
    if (lk_elbv2_describe_load_balancers(client, region, true, &lbs, &err) != LK_STATUS_OK) {
        lk_elbv2_list_free(&lbs);
        if (s_discovery_failed(x, &err, "Load balancer access logs", message, status) != 0)
            return -1;
    }
    for (size_t i = 0; i < lbs.n; i++) {
        const struct lk_elbv2_load_balancer *lb = &lbs.items[i];
        if (!lb->attributes_read || !lb->access_logs_enabled || !lb->access_logs_bucket ||
            !lb->access_logs_bucket[0] || !lb->type || !lb->name)
            continue;
        const char *type = !strcmp(lb->type, "application") ? "elb-access-logs"
                           : !strcmp(lb->type, "network")   ? "nlb-access-logs"
                                                            : NULL;
        if (!type)
            continue;
        const char *pre = lb->access_logs_prefix ? lb->access_logs_prefix : "";
        size_t plen = strlen(pre);
        while (plen && pre[plen - 1] == '/')
            plen--;
        s_found_add(x, lb->access_logs_bucket, type, lb->name, pre, plen);
    }
    lk_elbv2_list_free(&lbs);

    /* The Config delivery channel: DescribeDeliveryChannels alone (the recorders are not
     * needed); target prefix "StarlingDoveService" (AWS Config API Reference, requests). */
    struct lk_config_listing cl;
    lk_config_listing_init(&cl);
    struct lk_buf body;
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&body, "{}");
    struct lk_http_response resp = {0};
    enum lk_status rc = lk_svc_json_call(client, LK_AWS_CONFIG, "StarlingDoveService.",
                                         "DescribeDeliveryChannels", region, &body, &resp, &err);
    lk_buf_free(&body);
    if (rc == LK_STATUS_OK) {
        struct lk_error why = {0};
        if (lk_config_parse_channels(&cl, (const char *)resp.body, resp.body_len, &why) !=
            LK_STATUS_OK)
            rc = lk_svc_result(
                lk_aws_error_malformed(&err, "DescribeDeliveryChannels", &resp, why.message), &err);
    }
    lk_http_response_free(&resp);
    if (rc != LK_STATUS_OK) {
        lk_config_listing_free(&cl);
        return s_discovery_failed(x, &err, "AWS Config deliveries", message, status);
    }
    for (size_t i = 0; i < cl.n_channels; i++) {
        const struct lk_config_channel *c = &cl.channels[i];
        if (!c->s3_bucket_name || !c->s3_bucket_name[0] || !c->name)
            continue;
        const char *pre = c->s3_key_prefix ? c->s3_key_prefix : "";
        size_t plen = strlen(pre);
        while (plen && pre[plen - 1] == '/')
            plen--;
        s_found_add(x, c->s3_bucket_name, "config", c->name, pre, plen);
    }
    lk_config_listing_free(&cl);
    return 0;
}

enum lk_status lk_import_read(const struct lk_aws_config_options *client_opts, int concurrency,
                              const struct lk_import_options *o,
                              void (*progress)(void *ctx, const struct lk_live_progress *p),
                              void *progress_ctx, struct lk_ir_state **out,
                              struct lk_import_warnings *warnings, char **message)
{
    *out = NULL;
    *message = NULL;
    *warnings = (struct lk_import_warnings){0};
    enum lk_status status = LK_STATUS_OK;
    /* Every client of the read is built from these (lk_live_client_new() takes them as its
     * context). */
    struct lk_aws_config_options copts = *client_opts;
    struct lk_aws_client client;
    struct lk_aws_error err = {0};
    if (lk_live_client_new(&copts, &client, &err) != 0) {
        char text[2048];
        lk_aws_error_format(&err, text, sizeof(text));
        *message = lk_xstrdup(text);
        status = err.status != LK_STATUS_OK ? err.status : LK_STATUS_AWS;
        lk_aws_error_clear(&err);
        return status;
    }
    struct lk_ir_state *d1 = lk_ir_state_new(), *d2 = lk_ir_state_new(), *d3 = NULL;
    struct s_discovery found = {.st = lk_ir_state_new(), .warnings = warnings};
    struct lk_ir_state *l1 = NULL, *l2 = NULL, *l3 = NULL;
    if (!client.cfg.region) {
        *message = lk_xstrdup("no AWS Region: give --region, or set AWS_REGION or the profile's "
                              "region");
        status = LK_STATUS_INVALID_ARGUMENT;
        goto cleanup;
    }
    struct lk_live_options lopts = {
        .concurrency = concurrency,
        .new_client = lk_live_client_new,
        .new_client_ctx = &copts,
        .progress = progress,
        .progress_ctx = progress_ctx,
    };

    /* 1. The trails of the Region and the buckets they deliver to (discover_stores), and the
     *    log groups: the whole Region, or one listing of the prefix (a desired pattern). */
    d1->region = lk_ir_strdup(d1, client.cfg.region);
    if (o->log_group_prefix) {
        d1->log_groups = lk_arena_alloc(&d1->arena, sizeof(*d1->log_groups));
        d1->n_log_groups = 1;
        d1->log_groups[0].name = lk_ir_printf(d1, "%s*", o->log_group_prefix);
        d1->log_groups[0].pattern = true;
        d1->log_groups[0].region = lk_ir_strdup(d1, client.cfg.region);
    }
    lopts.discover_stores = true;
    lopts.discover_unmanaged = !o->log_group_prefix;
    if (s_read(&client, d1, &lopts, &l1, message, &status) != 0)
        goto cleanup;

    /* 2. Every trail listed and every readable bucket: all their configuration. */
    d2->region = lk_ir_strdup(d2, l1->region);
    d2->partition = s_dup(d2, l1->partition);
    size_t cap_b = 0, cap_t = 0, cap_k = 0;
    for (size_t u = 0; u < l1->n_unmanaged_stores; u++) {
        const struct lk_ir_unmanaged_store *us = &l1->unmanaged_stores[u];
        for (size_t k = 0; k < us->n_deliveries; k++) {
            const struct lk_ir_delivery *dl = &us->deliveries[k];
            bool seen = false;
            for (size_t t = 0; t < d2->n_trails && !seen; t++)
                seen = !strcmp(d2->trails[t].name, dl->name) &&
                       !lk_ir_strcmp(d2->trails[t].home_region, dl->region);
            if (seen || strcmp(dl->service, "cloudtrail"))
                continue;
            LK_ARENA_ARRAY_GROW(&d2->arena, d2->trails, d2->n_trails, cap_t);
            struct lk_ir_trail *t = &d2->trails[d2->n_trails++];
            memset(t, 0, sizeof(*t));
            t->name = lk_ir_strdup(d2, dl->name);
            t->home_region = s_dup(d2, dl->region);
        }
        /* Another account's bucket refuses the reads: kept as found (the draft says so). */
        if (us->exists && !us->error)
            s_add_bucket(d2, &cap_b, us->bucket);
    }
    for (size_t i = 0; i < o->n_buckets; i++)
        s_add_bucket(d2, &cap_b, o->buckets[i]);
    /* The buckets of flow logs, balancers and Config: read when HeadBucket answers, as the
     *    trails' are (another account's bucket is kept as found, with its error). */
    found.st->region = lk_ir_strdup(found.st, l1->region);
    if (s_discover(&client, &found, message, &status) != 0)
        goto cleanup;
    for (size_t u = 0; u < found.st->n_unmanaged_stores; u++) {
        struct lk_ir_unmanaged_store *us = &found.st->unmanaged_stores[u];
        if (s_has_bucket(d2, us->bucket))
            continue;
        const struct lk_ir_unmanaged_store *seen = NULL;
        for (size_t k = 0; k < l1->n_unmanaged_stores && !seen; k++)
            if (!strcmp(l1->unmanaged_stores[k].bucket, us->bucket))
                seen = &l1->unmanaged_stores[k];
        if (seen) { /* a trail's bucket that could not be read (or does not exist) */
            us->exists = seen->exists;
            us->error = s_dup(found.st, seen->error);
            continue;
        }
        bool exists = false;
        if (lk_s3_head_bucket(&client, us->bucket, NULL, found.st, &exists, &us->region, &err) !=
            LK_STATUS_OK) {
            if (err.no_response || err.http_status != 403) {
                char text[2048];
                lk_aws_error_format(&err, text, sizeof(text));
                size_t len = strlen(text) + strlen(us->bucket) + 32;
                *message = lk_xmalloc(len);
                snprintf(*message, len, "reading bucket %s: %s", us->bucket, text);
                status = err.status != LK_STATUS_OK ? err.status : LK_STATUS_AWS;
                lk_aws_error_clear(&err);
                goto cleanup;
            }
            us->error = lk_ir_strdup(found.st, err.code ? err.code : "AccessDenied");
            lk_aws_error_clear(&err);
            continue;
        }
        us->exists = exists;
        if (exists)
            s_add_bucket(d2, &cap_b, us->bucket);
    }
    lopts.discover_stores = false;
    lopts.discover_unmanaged = false;
    if (s_read(&client, d2, &lopts, &l2, message, &status) != 0)
        goto cleanup;

    /* 3. The policies of the KMS keys the stores and trails name (plan reads them too). */
    d3 = lk_ir_state_new();
    d3->region = lk_ir_strdup(d3, l1->region);
    for (size_t i = 0; i < l2->n_buckets; i++)
        if (l2->buckets[i].encryption.present)
            s_add_key(d3, &cap_k, l2->buckets[i].encryption.kms_key_id);
    for (size_t i = 0; i < l2->n_trails; i++)
        s_add_key(d3, &cap_k, l2->trails[i].kms_key_id);
    if (d3->n_keys && s_read(&client, d3, &lopts, &l3, message, &status) != 0)
        goto cleanup;

    /* One state: l2 with l1's log groups and unread buckets, and l3's keys. */
    size_t cap = 0;
    for (size_t i = 0; i < l1->n_log_groups; i++) {
        const struct lk_ir_log_group *g = &l1->log_groups[i];
        if (!g->exists)
            continue;
        LK_ARENA_ARRAY_GROW(&l2->arena, l2->log_groups, l2->n_log_groups, cap);
        struct lk_ir_log_group *c = &l2->log_groups[l2->n_log_groups++];
        *c = *g;
        c->name = s_dup(l2, g->name);
        c->region = s_dup(l2, g->region);
        c->kms_key_id = s_dup(l2, g->kms_key_id);
        c->source = NULL;
    }
    cap = 0;
    for (size_t u = 0; u < l1->n_unmanaged_stores; u++) {
        const struct lk_ir_unmanaged_store *us = &l1->unmanaged_stores[u];
        if (s_has_bucket(l2, us->bucket))
            continue;
        LK_ARENA_ARRAY_GROW(&l2->arena, l2->unmanaged_stores, l2->n_unmanaged_stores, cap);
        struct lk_ir_unmanaged_store *c = &l2->unmanaged_stores[l2->n_unmanaged_stores++];
        memset(c, 0, sizeof(*c));
        c->bucket = s_dup(l2, us->bucket);
        c->region = s_dup(l2, us->region);
        c->exists = us->exists;
        c->error = s_dup(l2, us->error ? us->error : (us->exists ? NULL : "NoSuchBucket"));
    }
    /* The deliveries found, beside each bucket's trails (a trail's unread bucket has its entry
     * already). */
    for (size_t f = 0; f < found.st->n_unmanaged_stores; f++) {
        const struct lk_ir_unmanaged_store *fs = &found.st->unmanaged_stores[f];
        struct lk_ir_unmanaged_store *c = NULL;
        for (size_t u = 0; u < l2->n_unmanaged_stores && !c; u++)
            if (!strcmp(l2->unmanaged_stores[u].bucket, fs->bucket))
                c = &l2->unmanaged_stores[u];
        if (!c) {
            LK_ARENA_ARRAY_GROW(&l2->arena, l2->unmanaged_stores, l2->n_unmanaged_stores, cap);
            c = &l2->unmanaged_stores[l2->n_unmanaged_stores++];
            memset(c, 0, sizeof(*c));
            c->bucket = s_dup(l2, fs->bucket);
            c->exists = s_has_bucket(l2, fs->bucket) || fs->exists;
            c->error = s_has_bucket(l2, fs->bucket) ? NULL : s_dup(l2, fs->error);
            c->region = s_dup(l2, fs->region);
            for (size_t i = 0; i < l2->n_buckets; i++)
                if (!strcmp(l2->buckets[i].name, fs->bucket) && l2->buckets[i].region)
                    c->region = s_dup(l2, l2->buckets[i].region);
        }
        struct lk_ir_delivery *v = lk_arena_alloc(
            &l2->arena, (c->n_deliveries + fs->n_deliveries + 1) * sizeof(*c->deliveries));
        if (c->n_deliveries)
            memcpy(v, c->deliveries, c->n_deliveries * sizeof(*v));
        for (size_t k = 0; k < fs->n_deliveries; k++)
            v[c->n_deliveries + k] = (struct lk_ir_delivery){
                .service = s_dup(l2, fs->deliveries[k].service),
                .name = s_dup(l2, fs->deliveries[k].name),
                .region = s_dup(l2, fs->deliveries[k].region),
                .key_prefix = s_dup(l2, fs->deliveries[k].key_prefix),
            };
        c->deliveries = v;
        c->n_deliveries += fs->n_deliveries;
    }
    if (l3) {
        l2->keys = lk_arena_alloc(&l2->arena, l3->n_keys * sizeof(*l2->keys) + 1);
        for (size_t i = 0; i < l3->n_keys; i++)
            s_copy_key(l2, &l2->keys[i], &l3->keys[i]);
        l2->n_keys = l3->n_keys;
    }
    lk_ir_canonicalize(l2);
    *out = l2;
    l2 = NULL;

cleanup:
    lk_ir_state_free(found.st);
    lk_ir_state_free(d1);
    lk_ir_state_free(d2);
    lk_ir_state_free(d3);
    lk_ir_state_free(l1);
    lk_ir_state_free(l2);
    lk_ir_state_free(l3);
    lk_aws_client_free(&client);
    return status;
}
