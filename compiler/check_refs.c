/*
 * logkeep: references between roles, stores, retention classes and sources (LK013, LK017), and
 * whether each source's destinations fit its type (LK027).
 */
#include <stdlib.h>
#include <string.h>

#include "compiler/decode_int.h"

/* Collects the names of an index for suggestions. Caller frees the array (not the strings:
 * names are NUL-terminated in the arena). */
static const char **s_names(void **arr, size_t n, size_t name_offset)
{
    const char **names = lk_xmalloc((n ? n : 1) * sizeof(*names));
    for (size_t i = 0; i < n; i++)
        names[i] = ((const struct lk_str *)((const char *)arr[i] + name_offset))->ptr;
    return names;
}

static void s_undefined(struct lk_policy *p, const struct lk_text *ref, const char *kind,
                        void **arr, size_t n, size_t name_offset)
{
    struct lk_diag *d = lk_diag_add(&p->diags, "LK013", ref->span, "%s \"%.*s\" is not defined",
                                    kind, LK_STR_ARG(ref->v));
    const char **names = s_names(arr, n, name_offset);
    const char *s = lk_suggest(ref->v, names, n);
    if (s)
        lk_diag_help(&p->diags, d, "did you mean \"%s\"?", s);
    else if (n == 0)
        lk_diag_help(&p->diags, d, "the policy defines no %s", kind);
    free(names);
}

static void s_resolve_roles(struct lk_policy *p, struct lk_text_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        struct lk_role *r = lk_policy_find_role(p, list->items[i].v);
        if (r)
            r->used = true;
        else
            s_undefined(p, &list->items[i], "role", (void **)p->roles, p->n_roles,
                        offsetof(struct lk_role, name));
    }
}

/* Default log group patterns for types whose services choose the name. */
static void s_default_log_groups(struct lk_policy *p, struct lk_source *src)
{
    const char *pattern = NULL;
    /* EKS: "/aws/eks/<cluster-name>/cluster" (Amazon EKS User Guide, "Send control plane logs to
     * CloudWatch Logs"). RDS: "/aws/rds/instance/<db>/<log>" and "/aws/rds/cluster/<c>/<log>"
     * (Amazon RDS User Guide, "Publishing database logs to Amazon CloudWatch Logs"). */
    if (src->type == LK_SRC_EKS_AUDIT)
        pattern = "/aws/eks/*/cluster";
    else if (src->type == LK_SRC_RDS)
        pattern = "/aws/rds/*";
    if (!pattern || src->log_groups.set || src->store_ref.set)
        return;
    src->log_groups.items = lk_arena_alloc(&p->arena, sizeof(struct lk_text));
    src->log_groups.items[0].v = lk_str_c(pattern);
    src->log_groups.items[0].span = src->type_span;
    src->log_groups.items[0].set = true;
    src->log_groups.n = 1;
    src->log_groups.span = src->type_span;
    src->log_groups.set = true;
}

static void s_destinations(struct lk_policy *p, struct lk_source *src)
{
    if (!src->type_set)
        return;
    const struct lk_source_type_info *ti = lk_source_type_info(src->type);
    s_default_log_groups(p, src);
    bool s3 = src->store_ref.set, logs = src->log_groups.set && src->log_groups.n > 0;
    struct lk_diags *D = &p->diags;
    if (s3 && !(ti->destinations & LK_DEST_S3)) {
        struct lk_diag *d = lk_diag_add(D, "LK027", src->store_ref.span,
                                        "%s sources write only to CloudWatch Logs, not to a store",
                                        ti->name);
        lk_diag_help(D, d, "remove \"store\" and name the log groups in log_groups");
    }
    if (logs && !(ti->destinations & LK_DEST_LOGS)) {
        struct lk_diag *d = lk_diag_add(D, "LK027", src->log_groups.span,
                                        "%s sources do not write to CloudWatch Logs log groups",
                                        ti->name);
        if (src->type == LK_SRC_CLOUDTRAIL)
            lk_diag_help(D, d, "send a trail to CloudWatch Logs with trail: { cloudwatch: "
                               "{ log_group: ..., role: ... } }");
        else
            lk_diag_help(D, d, "remove log_groups; %s logs are delivered to S3", ti->name);
    }
    if (!s3 && !logs) {
        struct lk_diag *d = lk_diag_add(D, "LK027", src->span, "source \"%.*s\" has no destination",
                                        LK_STR_ARG(src->name));
        if ((ti->destinations & LK_DEST_S3) && (ti->destinations & LK_DEST_LOGS))
            lk_diag_help(D, d, "name a store, or the log groups it writes to in log_groups");
        else if (ti->destinations & LK_DEST_S3)
            lk_diag_help(D, d, "%s logs are delivered to S3: name a store", ti->name);
        else
            lk_diag_help(D, d, "name the log groups it writes to in log_groups");
    }
    if (src->prefix.set && !s3)
        lk_diag_add(D, "LK027", src->prefix.span, "a prefix applies only to a source with a store");
    if (src->trail && src->trail->set && src->type != LK_SRC_CLOUDTRAIL)
        lk_diag_add(D, "LK027", src->trail->span, "only cloudtrail sources take trail settings");
    /* Prefixes that services require of destination names. */
    if (ti->log_group_prefix && logs) {
        for (size_t i = 0; i < src->log_groups.n; i++) {
            const struct lk_text *lg = &src->log_groups.items[i];
            if (!lk_str_starts_with(lg->v, ti->log_group_prefix)) {
                struct lk_diag *d = lk_diag_add(
                    D, "LK027", lg->span, "%s log group \"%.*s\" does not start with \"%s\"",
                    ti->name, LK_STR_ARG(lg->v), ti->log_group_prefix);
                if (src->type == LK_SRC_WAF)
                    lk_diag_help(D, d, "AWS WAF delivers only to log groups named aws-waf-logs-*");
                else
                    lk_diag_help(D, d, "%s always write to log groups under %s", ti->title,
                                 ti->log_group_prefix);
            }
        }
    }
}

void lk_check_refs(struct lk_policy *p)
{
    for (size_t i = 0; i < p->n_srcs; i++) {
        struct lk_source *src = p->srcs[i];
        if (src->retention_ref.set) {
            src->retention = lk_policy_find_retention(p, src->retention_ref.v);
            if (src->retention)
                src->retention->used = true;
            else
                s_undefined(p, &src->retention_ref, "retention class", (void **)p->retentions,
                            p->n_retentions, offsetof(struct lk_retention, name));
        }
        if (src->store_ref.set) {
            src->store = lk_policy_find_store(p, src->store_ref.v);
            if (src->store)
                src->store->used = true;
            else
                s_undefined(p, &src->store_ref, "store", (void **)p->stores, p->n_stores,
                            offsetof(struct lk_store, name));
        }
        s_destinations(p, src);
        /* ALB and Classic Load Balancer access logs: "The only server-side encryption option
         * that's supported is Amazon S3-managed keys (SSE-S3)" (Elastic Load Balancing User
         * Guide, "Access logs for your Application Load Balancer", bucket requirements). */
        if (src->store && src->type_set && src->type == LK_SRC_ELB && src->store->kms_key.set) {
            struct lk_diag *d = lk_diag_add(&p->diags, "LK027", src->store_ref.span,
                                            "store \"%.*s\" uses SSE-KMS, but load balancers "
                                            "deliver access logs only to SSE-S3 buckets",
                                            LK_STR_ARG(src->store->name));
            lk_diag_related(&p->diags, d, src->store->kms_key.span, "KMS key named here");
            lk_diag_help(&p->diags, d, "send load balancer logs to a store without a kms_key");
        }
        /* WAF buckets must be named aws-waf-logs-* (AWS WAF Developer Guide, "Amazon S3"). */
        if (src->store && src->type_set && lk_source_type_info(src->type)->bucket_prefix &&
            src->store->bucket.set &&
            !lk_str_starts_with(src->store->bucket.v, lk_source_type_info(src->type)->bucket_prefix)) {
            struct lk_diag *d = lk_diag_add(
                &p->diags, "LK027", src->store_ref.span,
                "store \"%.*s\" cannot receive %s logs: its bucket is not named %s*",
                LK_STR_ARG(src->store->name), lk_source_type_info(src->type)->name,
                lk_source_type_info(src->type)->bucket_prefix);
            lk_diag_related(&p->diags, d, src->store->bucket.span, "bucket named here");
        }
    }
    for (size_t i = 0; i < p->n_stores; i++) {
        s_resolve_roles(p, &p->stores[i]->readers);
        s_resolve_roles(p, &p->stores[i]->admins);
    }
    /* "Unused" needs the whole policy: a file that could not be read may hold the users. */
    if (p->n_files_unreadable)
        return;
    for (size_t i = 0; i < p->n_roles; i++)
        if (!p->roles[i]->used)
            lk_diag_add(&p->diags, "LK017", p->roles[i]->span,
                        "role \"%.*s\" is not a reader or admin of any store",
                        LK_STR_ARG(p->roles[i]->name));
    for (size_t i = 0; i < p->n_stores; i++)
        if (!p->stores[i]->used)
            lk_diag_add(&p->diags, "LK017", p->stores[i]->span, "no source uses store \"%.*s\"",
                        LK_STR_ARG(p->stores[i]->name));
    for (size_t i = 0; i < p->n_retentions; i++)
        if (!p->retentions[i]->used)
            lk_diag_add(&p->diags, "LK017", p->retentions[i]->span,
                        "no source uses retention class \"%.*s\"",
                        LK_STR_ARG(p->retentions[i]->name));
}
