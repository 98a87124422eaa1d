/*
 * logkeep runtime: apply's producer steps (apply.h, lk_apply_plan_build_coverage()): turning
 * delivery on for the producers a source with `enable: true` selects, with the calls of the wire
 * layer (runtime/services). The AWS facts behind each call, with citations, are in
 * docs/source-types.md, "Turning it on" of each type; the matching rules in ir/coverage.c.
 *
 * Nothing here turns logging off, removes a log type or a destination: a flow log is added next
 * to those there are, EKS and RDS gain log types, a firewall gains a log type's destination, a
 * Config channel keeps its SNS topic and frequency. A producer that delivers elsewhere changes
 * only through a change whose allow name (redirect:<id>) the guard asks for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "runtime/apply_int.h"
#include "runtime/services/configsvc.h"
#include "runtime/services/ec2.h"
#include "runtime/services/eks.h"
#include "runtime/services/elbv2.h"
#include "runtime/services/guardduty.h"
#include "runtime/services/netfw.h"
#include "runtime/services/rds.h"
#include "runtime/services/resolver.h"
#include "runtime/services/wafv2.h"

/* "The maximum number of resources that you can specify is 1000" for VPCs (EC2 API,
 * CreateFlowLogs, ResourceIds; docs/source-types.md, vpc-flow-logs "Turning it on"). */
#define S_FLOW_LOG_BATCH_MAX 1000

bool lk_apply_op_is_producer(enum lk_apply_op op)
{
    return op >= LK_APPLY_CREATE_FLOW_LOGS && op <= LK_APPLY_MODIFY_DB_CLUSTER;
}

const char *lk_apply_step_effect(const struct lk_apply_step *step)
{
    if (!step)
        return NULL;
    switch (step->op) {
    case LK_APPLY_MODIFY_DB_INSTANCE:
    case LK_APPLY_MODIFY_DB_CLUSTER:
        /* "A change to the CloudwatchLogsExportConfiguration parameter is always applied to the
         * DB instance immediately. Therefore, the ApplyImmediately parameter has no effect."
         * (RDS API Reference, ModifyDBInstance,
         * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html);
         * "Log exports ... Downtime doesn't occur during this change." (RDS User Guide,
         * "Modifying an Amazon RDS DB instance"); "An outage doesn't occur during this change"
         * (Aurora User Guide, "Modifying an Amazon Aurora DB cluster"). */
        return "modifies the database: log exports, applied immediately, no restart";
    case LK_APPLY_ENABLE_CLUSTER_LOGGING:
        /* "Your cluster continues to function during the update" (EKS API Reference,
         * UpdateClusterConfig). */
        return "updates the cluster: control plane log types, the cluster keeps running";
    default:
        return NULL;
    }
}

/* ------------------------------------------------------------------------------ matching */

static bool s_eq(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

static bool s_in(const struct lk_ir_string_list *l, const char *s)
{
    for (size_t i = 0; s && i < l->n; i++)
        if (!strcmp(l->items[i], s))
            return true;
    return false;
}

/* The first destination of @p p that is @p want, or NULL. */
static const struct lk_ir_destination *s_delivery_to(const struct lk_ir_producer *p,
                                                     const struct lk_ir_destination *want)
{
    for (size_t i = 0; i < p->n_destinations; i++)
        if (lk_ir_destination_matches(want, &p->destinations[i]))
            return &p->destinations[i];
    return NULL;
}

static const struct lk_ir_destination *s_first_of_kind(const struct lk_ir_coverage *c,
                                                       enum lk_ir_destination_kind kind)
{
    for (size_t i = 0; i < c->n_destinations; i++)
        if (c->destinations[i].kind == kind && !c->destinations[i].pattern)
            return &c->destinations[i];
    return NULL;
}

/* ------------------------------------------------------------------------------ building */

struct s_build {
    struct lk_apply_plan *plan;
    size_t first; /* the first producer step */
    bool pushed;  /* the change at hand got a step */
};

static struct lk_apply_step *s_push(struct s_build *b, enum lk_apply_op op, const char *name,
                                    const char *region, const struct lk_ir_coverage *cov,
                                    const struct lk_ir_producer *p,
                                    const struct lk_ir_destination *dest)
{
    struct lk_apply_plan *plan = b->plan;
    for (size_t i = b->first; i < plan->n; i++) {
        const struct lk_apply_step *s = &plan->steps[i];
        if (s->op == op && !strcmp(s->name, name) && s->destination == dest &&
            ((!s->region && !region) || (s->region && region && !strcmp(s->region, region)))) {
            b->pushed = true;
            return NULL; /* one call each */
        }
    }
    LK_ARRAY_GROW(plan->steps, plan->n, plan->cap);
    struct lk_apply_step *s = &plan->steps[plan->n++];
    memset(s, 0, sizeof(*s));
    s->op = op;
    s->name = name;
    s->region = region;
    s->coverage = cov;
    s->producer = p;
    s->destination = dest;
    b->pushed = true;
    return s;
}

static void s_add_type(struct lk_apply_plan *plan, struct lk_ir_string_list *l, const char *t)
{
    if (s_in(l, t))
        return;
    char **items = lk_arena_alloc(&plan->arena, (l->n + 1) * sizeof(*items));
    if (l->n)
        memcpy(items, l->items, l->n * sizeof(*items));
    items[l->n++] = lk_arena_strdup(&plan->arena, t);
    l->items = items;
}

/* A query-log configuration's name: "logkeep-<source>", in the characters Resolver takes
 * (letters, digits, '-', '_' and space, 1 to 64: docs/source-types.md, Resolver "Turning it
 * on"). */
static char *s_config_name(struct lk_apply_plan *plan, const struct lk_ir_coverage *cov)
{
    char buf[65];
    int n = snprintf(buf, sizeof(buf), "logkeep-%s", cov->source ? cov->source : "source");
    if (n < 0)
        n = 0;
    for (char *c = buf; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_'))
            *c = '-';
    return lk_arena_strdup(&plan->arena, buf);
}

/* The steps for producer @p p against requirement @p cov (status @p st: missing, partly or
 * elsewhere). */
static void s_plan_producer(struct s_build *b, const struct lk_ir_coverage *cov,
                            const struct lk_ir_producer *p, enum lk_ir_coverage_status st,
                            const char *region)
{
    struct lk_apply_plan *plan = b->plan;
    struct lk_apply_step *s;
    switch (cov->type) {
    case LK_IR_PRODUCER_VPC_FLOW_LOGS:
        /* A flow log with traffic type ALL to each destination that has none; one whose
         * delivery fails is reported, not duplicated (AWS refuses an identical flow log:
         * FlowLogAlreadyExists). */
        for (size_t d = 0; d < cov->n_destinations; d++) {
            const struct lk_ir_destination *want = &cov->destinations[d];
            bool all = false;
            for (size_t k = 0; k < p->n_destinations && !all; k++)
                all = lk_ir_destination_matches(want, &p->destinations[k]) &&
                      s_eq(p->destinations[k].traffic_type, "ALL");
            if (all || want->pattern || want->kind == LK_IR_DEST_FIREHOSE)
                continue;
            if (want->kind == LK_IR_DEST_LOGS && !cov->delivery_role_arn)
                continue; /* DeliverLogsPermissionArn is required for log groups (LK040) */
            s_push(b, LK_APPLY_CREATE_FLOW_LOGS, p->id, region, cov, p, want);
        }
        return;
    case LK_IR_PRODUCER_RESOLVER_QUERY_LOGS:
        for (size_t d = 0; d < cov->n_destinations; d++) {
            const struct lk_ir_destination *want = &cov->destinations[d];
            if (s_delivery_to(p, want) || want->pattern || want->kind == LK_IR_DEST_FIREHOSE)
                continue;
            s_push(b, LK_APPLY_CREATE_QUERY_LOG_CONFIG, s_config_name(plan, cov), region, cov, NULL,
                   want);
            s_push(b, LK_APPLY_ASSOCIATE_QUERY_LOG_CONFIG, p->id, region, cov, p, want);
        }
        return;
    case LK_IR_PRODUCER_ELB:
    case LK_IR_PRODUCER_NLB: {
        /* One bucket per balancer: on where it is off, replaced only as a redirect (the guard
         * asks for --allow redirect:<id>). */
        const struct lk_ir_destination *want = s_first_of_kind(cov, LK_IR_DEST_S3);
        if (!want || (p->enabled && s_delivery_to(p, want)))
            return;
        if (st != LK_IR_COVERAGE_MISSING && st != LK_IR_COVERAGE_ELSEWHERE && p->enabled)
            return;
        s_push(b, LK_APPLY_ENABLE_ACCESS_LOGS, p->id, region, cov, p, want);
        return;
    }
    case LK_IR_PRODUCER_WAF: {
        /* PutLoggingConfiguration replaces the whole configuration (one destination per web
         * ACL): only where there is none, or as a redirect. A partial one (a logging filter)
         * is reported only. WAF takes a bucket ARN without a folder. */
        if (st != LK_IR_COVERAGE_MISSING && st != LK_IR_COVERAGE_ELSEWHERE)
            return;
        if (st == LK_IR_COVERAGE_MISSING && p->n_destinations)
            return;
        const struct lk_ir_destination *want = cov->n_destinations ? &cov->destinations[0] : NULL;
        if (!want || want->pattern || want->kind == LK_IR_DEST_FIREHOSE ||
            (want->kind == LK_IR_DEST_S3 && !lk_ir_same_folder(want->prefix, "")))
            return;
        s_push(b, LK_APPLY_PUT_WAF_LOGGING, p->id, region, cov, p, want);
        return;
    }
    case LK_IR_PRODUCER_NETWORK_FIREWALL: {
        /* One destination per log type: a type with none gains the store; a type delivering
         * elsewhere changes only as a redirect (status elsewhere: no type delivers there). */
        const struct lk_ir_destination *want = cov->n_destinations ? &cov->destinations[0] : NULL;
        if (!want || want->pattern || want->kind == LK_IR_DEST_FIREHOSE)
            return;
        struct lk_ir_string_list types = {0};
        for (size_t t = 0; t < cov->log_types.n; t++) {
            const char *type = cov->log_types.items[t];
            const struct lk_ir_destination *got = NULL;
            for (size_t k = 0; k < p->n_destinations && !got; k++)
                if (s_eq(p->destinations[k].log_type, type))
                    got = &p->destinations[k];
            if (got && lk_ir_destination_matches(want, got))
                continue;
            if (got && st != LK_IR_COVERAGE_ELSEWHERE)
                continue;
            s_add_type(plan, &types, type);
        }
        if (types.n &&
            (s = s_push(b, LK_APPLY_UPDATE_FIREWALL_LOGGING, p->id, region, cov, p, want)) != NULL)
            s->log_types = types;
        return;
    }
    case LK_IR_PRODUCER_CONFIG: {
        /* The recorder is there (logkeep creates none: it needs a role); the channel is put
         * where there is none or as a redirect, then the recorder started. */
        const struct lk_ir_destination *want = s_first_of_kind(cov, LK_IR_DEST_S3);
        if (!want || !strcmp(p->id, "*"))
            return;
        bool channel_ok = s_delivery_to(p, want) != NULL;
        if (!channel_ok && p->n_destinations && st != LK_IR_COVERAGE_ELSEWHERE)
            return; /* a stopped recorder's channel elsewhere: starting it would deliver there */
        if (!channel_ok)
            s_push(b, LK_APPLY_PUT_DELIVERY_CHANNEL, p->id, region, cov, p, want);
        if (!p->enabled)
            s_push(b, LK_APPLY_START_RECORDER, p->id, region, cov, p, want);
        return;
    }
    case LK_IR_PRODUCER_GUARDDUTY: {
        /* A detector without an export gains one; the one export of a detector exporting
         * elsewhere is pointed at the store (UpdatePublishingDestination), as a redirect the
         * guard asks --allow redirect:<detector> for. A detector with several exports is
         * reported only: which one to move is its owner's choice. The KMS key is required
         * (GuardDuty User Guide, "Exporting generated findings to Amazon S3"). */
        const struct lk_ir_destination *want = s_first_of_kind(cov, LK_IR_DEST_S3);
        if (!want || !want->kms_key_arn || !strcmp(p->id, "*"))
            return;
        if (!p->n_destinations)
            s_push(b, LK_APPLY_CREATE_PUBLISHING_DESTINATION, p->id, region, cov, p, want);
        else if (st == LK_IR_COVERAGE_ELSEWHERE && p->n_destinations == 1)
            s_push(b, LK_APPLY_UPDATE_PUBLISHING_DESTINATION, p->id, region, cov, p, want);
        return;
    }
    case LK_IR_PRODUCER_EKS: {
        struct lk_ir_string_list types = {0};
        for (size_t t = 0; t < cov->log_types.n; t++)
            if (!s_in(&p->log_types, cov->log_types.items[t]) &&
                lk_eks_log_type_parse(cov->log_types.items[t]))
                s_add_type(plan, &types, cov->log_types.items[t]);
        if (types.n &&
            (s = s_push(b, LK_APPLY_ENABLE_CLUSTER_LOGGING, p->id, region, cov, p, NULL)) != NULL)
            s->log_types = types;
        return;
    }
    case LK_IR_PRODUCER_RDS: {
        struct lk_ir_string_list types = {0};
        const char *def = cov->log_types.n ? NULL : lk_ir_rds_default_log_type(p->engine);
        size_t n = def ? 1 : cov->log_types.n;
        for (size_t t = 0; t < n; t++) {
            const char *type = def ? def : cov->log_types.items[t];
            /* Pending: asked for already, turning on. */
            if (!s_in(&p->log_types, type) && !s_in(&p->pending_log_types, type))
                s_add_type(plan, &types, type);
        }
        if (!types.n || types.n > LK_RDS_MAX_LOG_TYPES)
            return;
        bool cluster = p->arn && strstr(p->arn, ":cluster:");
        s = s_push(b, cluster ? LK_APPLY_MODIFY_DB_CLUSTER : LK_APPLY_MODIFY_DB_INSTANCE, p->id,
                   region, cov, p, NULL);
        if (s)
            s->log_types = types;
        return;
    }
    case LK_IR_PRODUCER_COUNT:
        return;
    }
}

/* The requirement a change's attribute "<type>[<source>]" names, in @p region. */
static const struct lk_ir_coverage *s_coverage_of(const struct lk_ir_state *desired,
                                                  const struct lk_diff_change *ch)
{
    const char *open = strchr(ch->attribute, '[');
    size_t alen = strlen(ch->attribute);
    if (!open || alen < 2 || ch->attribute[alen - 1] != ']')
        return NULL;
    size_t tlen = (size_t)(open - ch->attribute);
    const char *src = open + 1;
    size_t slen = (size_t)(ch->attribute + alen - 1 - src);
    for (size_t i = 0; i < desired->n_coverages; i++) {
        const struct lk_ir_coverage *c = &desired->coverages[i];
        const char *tn = lk_ir_producer_type_name(c->type);
        const char *cs = c->source ? c->source : "";
        if (strlen(tn) == tlen && !memcmp(tn, ch->attribute, tlen) && strlen(cs) == slen &&
            !memcmp(cs, src, slen) && ((!c->region && !ch->region) || s_eq(c->region, ch->region)))
            return c;
    }
    return NULL;
}

/* The producer a change names, read in the change's Region (a producer without one is of the
 * live state's Region). */
static const struct lk_ir_producer *s_producer_of(const struct lk_ir_state *live,
                                                  enum lk_ir_producer_type type, const char *id,
                                                  const char *region)
{
    for (size_t i = 0; i < live->n_producers; i++) {
        const struct lk_ir_producer *p = &live->producers[i];
        const char *at = p->region ? p->region : live->region;
        if (p->type == type && s_eq(p->id, id) && (!region || !at || !strcmp(at, region)))
            return p;
    }
    return NULL;
}

static int s_region_cmp(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

struct s_sorted {
    struct lk_apply_step step;
    size_t seq;
};

static int s_step_cmp(const void *x, const void *y)
{
    const struct s_sorted *a = x, *b = y;
    int c = s_region_cmp(a->step.region, b->step.region);
    if (c)
        return c;
    if (a->step.op != b->step.op)
        return a->step.op < b->step.op ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

enum lk_status lk_apply_plan_build_coverage(const struct lk_ir_state *desired,
                                            const struct lk_ir_state *live, struct lk_diff *diff,
                                            struct lk_apply_plan *out)
{
    if (!desired || !live || !diff || !out)
        return LK_STATUS_INVALID_ARGUMENT;
    struct s_build b = {.plan = out, .first = out->n};
    for (size_t i = 0; i < diff->n; i++) {
        struct lk_diff_change *ch = &diff->changes[i];
        if (ch->resource != LK_DIFF_PRODUCER)
            continue;
        b.pushed = false;
        const struct lk_ir_coverage *cov =
            ch->kind == LK_DIFF_NOTE ? NULL : s_coverage_of(desired, ch);
        const struct lk_ir_producer *p =
            cov && cov->enable ? s_producer_of(live, cov->type, ch->name, ch->region) : NULL;
        enum lk_ir_coverage_status st =
            p ? lk_ir_coverage_check(cov, p, NULL) : LK_IR_COVERAGE_NOT_SELECTED;
        if (st == LK_IR_COVERAGE_MISSING || st == LK_IR_COVERAGE_PARTLY ||
            st == LK_IR_COVERAGE_ELSEWHERE)
            s_plan_producer(&b, cov, p, st, ch->region);
        if (!b.pushed && ch->data_loss) {
            /* Nothing will be redirected: nothing to allow (drift only). */
            ch->data_loss = false;
            ch->allow_name = NULL;
        }
    }
    /* Grouped per Region, the operations in their order (a query-log configuration before its
     * associations, a Config channel before its recorder starts), else as found. */
    size_t n = out->n - b.first;
    if (n > 1) {
        struct s_sorted *v = lk_xcalloc(n, sizeof(*v));
        for (size_t i = 0; i < n; i++) {
            v[i].step = out->steps[b.first + i];
            v[i].seq = i;
        }
        qsort(v, n, sizeof(*v), s_step_cmp);
        for (size_t i = 0; i < n; i++)
            out->steps[b.first + i] = v[i].step;
        free(v);
    }
    for (size_t i = b.first; i < out->n; i++) {
        struct lk_apply_step *s = &out->steps[i];
        if (s->op != LK_APPLY_ASSOCIATE_QUERY_LOG_CONFIG)
            continue;
        for (size_t k = b.first; k < i; k++)
            if (out->steps[k].op == LK_APPLY_CREATE_QUERY_LOG_CONFIG &&
                out->steps[k].destination == s->destination)
                s->config_step = k;
    }
    return LK_STATUS_OK;
}

/* ------------------------------------------------------------------------------ calls */

static enum lk_status s_fail(struct lk_aws_error *err, const char *op, const char *code,
                             const char *message)
{
    (void)lk_aws_error_invalid(err, op, message ? message : "failed");
    free(err->code);
    err->code = lk_xstrdup(code ? code : "logkeep.Failed");
    err->status = LK_STATUS_AWS;
    return LK_STATUS_AWS;
}

/* A folder without its trailing '/' ("" for the root): ELB, Network Firewall and Config take
 * the prefix as a separate parameter. */
static char *s_folder(struct lk_apply_plan *plan, const char *prefix)
{
    size_t n = prefix ? strlen(prefix) : 0;
    while (n && prefix[n - 1] == '/')
        n--;
    return lk_arena_strndup(&plan->arena, prefix ? prefix : "", n);
}

/* The S3 ARN with the folder, "arn:aws:s3:::bucket/prefix/" (flow logs, Resolver, GuardDuty),
 * or the bucket's ARN for the root. */
static char *s_s3_arn(struct lk_apply_plan *plan, const struct lk_ir_destination *d)
{
    if (!d->prefix || !*d->prefix)
        return lk_arena_strdup(&plan->arena, d->arn);
    return lk_arena_printf(&plan->arena, "%s/%s", d->arn, d->prefix);
}

/* The ARN a service is given for a destination: S3 with its folder, else the log group's. */
static char *s_dest_arn(struct lk_apply_plan *plan, const struct lk_ir_destination *d)
{
    return d->kind == LK_IR_DEST_S3 ? s_s3_arn(plan, d) : lk_arena_strdup(&plan->arena, d->arn);
}

static bool s_same_flow(const struct lk_apply_step *a, const struct lk_apply_step *b)
{
    return a->op == b->op && a->destination == b->destination && a->coverage == b->coverage &&
           !s_region_cmp(a->region, b->region);
}

/* CreateFlowLogs for step @p s and the pending steps after it to the same destination (one call
 * for up to S_FLOW_LOG_BATCH_MAX VPCs); those are marked done with it. A VPC that got a flow
 * log of the same configuration since the read (FlowLogAlreadyExists) is done too. */
static enum lk_status s_flow_logs(struct lk_aws_client *c, struct lk_apply_plan *plan,
                                  struct lk_apply_step *s, struct lk_aws_error *err)
{
    const struct lk_ir_destination *d = s->destination;
    struct lk_ec2_flow_log_spec spec = {.traffic_type = "ALL"};
    if (d->kind == LK_IR_DEST_S3) {
        spec.log_destination_type = "s3";
        spec.log_destination = s_s3_arn(plan, d);
    } else {
        spec.log_destination_type = "cloud-watch-logs";
        spec.log_group_name = d->log_group;
        spec.deliver_logs_permission_arn = s->coverage->delivery_role_arn;
    }
    size_t first = (size_t)(s - plan->steps);
    const char **ids = lk_xcalloc(S_FLOW_LOG_BATCH_MAX, sizeof(*ids));
    struct lk_apply_step **batch = lk_xcalloc(S_FLOW_LOG_BATCH_MAX, sizeof(*batch));
    size_t n = 0;
    for (size_t i = first; i < plan->n && n < S_FLOW_LOG_BATCH_MAX; i++) {
        struct lk_apply_step *o = &plan->steps[i];
        if (o->status != LK_APPLY_PENDING || !s_same_flow(o, s))
            continue;
        batch[n] = o;
        ids[n++] = o->name;
    }
    struct lk_ec2_create_result res;
    memset(&res, 0, sizeof(res));
    enum lk_status rc = lk_ec2_create_flow_logs(c, s->region, &spec, ids, n, &res, err);
    for (size_t i = 0; rc == LK_STATUS_OK && i < res.n_unsuccessful; i++) {
        const struct lk_ec2_unsuccessful *u = &res.unsuccessful[i];
        if (s_eq(u->code, "FlowLogAlreadyExists"))
            continue;
        char msg[512];
        snprintf(msg, sizeof(msg), "%s: %s", u->resource_id ? u->resource_id : "?",
                 u->message ? u->message : "not created");
        rc = s_fail(err, "CreateFlowLogs", u->code, msg);
    }
    /* The batch's others are done with @p s (the caller marks @p s). */
    for (size_t i = 1; rc == LK_STATUS_OK && i < n; i++)
        batch[i]->status = LK_APPLY_DONE;
    lk_ec2_create_result_free(&res);
    free(ids);
    free(batch);
    return rc;
}

/* The query-log configuration delivering to the step's destination: one there is (owned by the
 * account or shared with it, not failing), else a new one. CreatorRequestId makes a retry answer
 * the configuration made before (Route 53 Resolver API, CreateResolverQueryLogConfig). */
static enum lk_status s_query_log_config(struct lk_aws_client *c, struct lk_apply_plan *plan,
                                         struct lk_apply_step *s, struct lk_aws_error *err)
{
    struct lk_resolver_listing l;
    lk_resolver_listing_init(&l);
    enum lk_status rc = lk_resolver_list(c, s->region, 0, &l, err);
    const char *id = NULL;
    for (size_t i = 0; rc == LK_STATUS_OK && i < l.n_configs && !id; i++) {
        const struct lk_resolver_config *cfg = &l.configs[i];
        if (!cfg->destination_arn || s_eq(cfg->status, "FAILED") || s_eq(cfg->status, "DELETING"))
            continue;
        struct lk_ir_destination got = {.kind = s->destination->kind};
        char bucket[256] = "", *slash;
        const char *res = strstr(cfg->destination_arn, ":::");
        if (got.kind == LK_IR_DEST_S3 && res) {
            snprintf(bucket, sizeof(bucket), "%s", res + 3);
            slash = strchr(bucket, '/');
            got.prefix = slash ? slash + 1 : bucket + strlen(bucket);
            if (slash)
                *slash = '\0';
            got.bucket = bucket;
        } else {
            got.arn = cfg->destination_arn;
        }
        if (lk_ir_destination_matches(s->destination, &got))
            id = cfg->id;
    }
    if (rc == LK_STATUS_OK && !id) {
        struct lk_resolver_config made;
        memset(&made, 0, sizeof(made));
        char *arn = s_dest_arn(plan, s->destination);
        char request_id[256];
        snprintf(request_id, sizeof(request_id), "logkeep/%s", arn);
        rc = lk_resolver_create_config(c, s->region, s->name, arn, request_id, &l, &made, err);
        id = made.id;
    }
    if (rc == LK_STATUS_OK) {
        if (!id)
            rc = s_fail(err, "CreateResolverQueryLogConfig", "logkeep.MalformedResponse",
                        "the answer named no configuration");
        else
            s->result = lk_arena_strdup(&plan->arena, id);
    }
    lk_resolver_listing_free(&l);
    return rc;
}

static enum lk_status s_associate(struct lk_aws_client *c, struct lk_apply_plan *plan,
                                  struct lk_apply_step *s, struct lk_aws_error *err)
{
    const char *id = s->config_step < plan->n ? plan->steps[s->config_step].result : NULL;
    if (!id)
        return lk_aws_error_invalid(err, "AssociateResolverQueryLogConfig",
                                    "no query-log configuration was made before it");
    struct lk_resolver_listing l;
    lk_resolver_listing_init(&l);
    enum lk_status rc = lk_resolver_associate(c, s->region, id, s->name, &l, NULL, err);
    lk_resolver_listing_free(&l);
    return rc;
}

/* UpdateLoggingConfiguration, one change per call (Network Firewall API,
 * UpdateLoggingConfiguration): the configuration read again, then each missing log type's
 * destination added (or, in a redirect, changed), the others kept. */
static enum lk_status s_firewall_logging(struct lk_aws_client *c, struct lk_apply_plan *plan,
                                         struct lk_apply_step *s, struct lk_aws_error *err)
{
    const struct lk_ir_destination *d = s->destination;
    struct lk_netfw_listing l;
    lk_netfw_listing_init(&l);
    struct lk_netfw_firewall fw = {.arn = lk_arena_strdup(&plan->arena, s->name)};
    enum lk_status rc = lk_netfw_read_logging(c, s->region, &l, &fw, err);
    size_t nw = s->log_types.n;
    struct lk_netfw_destination *wanted = lk_xcalloc(nw + 1, sizeof(*wanted));
    for (size_t i = 0; i < nw; i++) {
        wanted[i].log_type = s->log_types.items[i];
        if (d->kind == LK_IR_DEST_S3) {
            wanted[i].destination_type = lk_arena_strdup(&plan->arena, "S3");
            wanted[i].bucket_name = d->bucket;
            char *folder = s_folder(plan, d->prefix);
            wanted[i].prefix = *folder ? folder : NULL;
        } else {
            wanted[i].destination_type = lk_arena_strdup(&plan->arena, "CloudWatchLogs");
            wanted[i].log_group = d->log_group;
        }
    }
    /* Each call adds or changes one entry: at most one call per wanted type. */
    size_t cap = fw.n_destinations + nw + 1;
    struct lk_netfw_destination *cur = lk_xcalloc(cap, sizeof(*cur));
    struct lk_netfw_destination *next = lk_xcalloc(cap, sizeof(*next));
    size_t n_cur = fw.n_destinations;
    if (n_cur)
        memcpy(cur, fw.destinations, n_cur * sizeof(*cur));
    for (size_t round = 0; rc == LK_STATUS_OK && round <= nw; round++) {
        size_t n = lk_netfw_next_step(cur, n_cur, wanted, nw, next);
        if (n == 0)
            break;
        if (round == nw) {
            rc = s_fail(err, "UpdateLoggingConfiguration", "logkeep.NotConverging",
                        "the logging configuration does not reach the wanted one");
            break;
        }
        rc = lk_netfw_update_logging(c, s->region, s->name, next, n, err);
        struct lk_netfw_destination *t = cur;
        cur = next;
        next = t;
        n_cur = n;
    }
    free(cur);
    free(next);
    free(wanted);
    lk_netfw_listing_free(&l);
    return rc;
}

/* PutDeliveryChannel: the existing channel's name (one per account and Region: AWS Config API,
 * PutDeliveryChannel), its SNS topic and frequency kept; the store's bucket, folder and key. */
static enum lk_status s_delivery_channel(struct lk_aws_client *c, struct lk_apply_plan *plan,
                                         struct lk_apply_step *s, struct lk_aws_error *err)
{
    struct lk_config_listing l;
    lk_config_listing_init(&l);
    enum lk_status rc = lk_config_list(c, s->region, &l, err);
    if (rc == LK_STATUS_OK) {
        const struct lk_config_channel *old = l.n_channels ? &l.channels[0] : NULL;
        const struct lk_ir_destination *d = s->destination;
        char *folder = s_folder(plan, d->prefix);
        struct lk_config_channel ch = {
            .name = old && old->name ? old->name : lk_arena_strdup(&plan->arena, "default"),
            .s3_bucket_name = d->bucket,
            .s3_key_prefix = *folder ? folder : NULL,
            .s3_kms_key_arn = d->kms_key_arn,
            .sns_topic_arn = old ? old->sns_topic_arn : NULL,
            .delivery_frequency = old ? old->delivery_frequency : NULL,
        };
        rc = lk_config_put_channel(c, s->region, &ch, err);
    }
    lk_config_listing_free(&l);
    return rc;
}

static enum lk_status s_publishing_destination(struct lk_aws_client *c, struct lk_apply_plan *plan,
                                               struct lk_apply_step *s, struct lk_aws_error *err)
{
    struct lk_guardduty_listing l;
    lk_guardduty_listing_init(&l);
    char *id = NULL;
    enum lk_status rc =
        lk_guardduty_create_destination(c, s->region, s->name, s_s3_arn(plan, s->destination),
                                        s->destination->kms_key_arn, &l, &id, err);
    if (rc == LK_STATUS_OK && id)
        s->result = lk_arena_strdup(&plan->arena, id);
    lk_guardduty_listing_free(&l);
    return rc;
}

/* The redirect of a detector's one export: its destination ID is read again (the live state
 * keeps none), and a detector that gained a second export since the plan is refused. */
static enum lk_status s_redirect_destination(struct lk_aws_client *c, struct lk_apply_plan *plan,
                                             struct lk_apply_step *s, struct lk_aws_error *err)
{
    struct lk_guardduty_listing l;
    lk_guardduty_listing_init(&l);
    enum lk_status rc = lk_guardduty_list(c, s->region, 0, &l, err);
    const struct lk_guardduty_detector *det = NULL;
    for (size_t i = 0; rc == LK_STATUS_OK && i < l.n_detectors && !det; i++)
        if (!strcmp(l.detectors[i].id, s->name))
            det = &l.detectors[i];
    if (rc == LK_STATUS_OK && (!det || det->n_destinations != 1))
        rc = s_fail(err, "UpdatePublishingDestination", "logkeep.Changed",
                    det ? "the detector no longer has exactly one export: not redirected"
                        : "the detector is gone: not redirected");
    if (rc == LK_STATUS_OK)
        rc = lk_guardduty_update_destination(c, s->region, s->name, det->destinations[0].id,
                                             s_s3_arn(plan, s->destination),
                                             s->destination->kms_key_arn, err);
    lk_guardduty_listing_free(&l);
    return rc;
}

static enum lk_status s_cluster_logging(struct lk_aws_client *c, struct lk_apply_plan *plan,
                                        struct lk_apply_step *s, struct lk_aws_error *err)
{
    /* The types already on are sent as enabled too: that a type the request leaves out keeps
     * its state is unconfirmed (docs/source-types.md, eks-audit "Turning it on"). */
    unsigned types = 0;
    for (size_t i = 0; i < s->log_types.n; i++)
        types |= lk_eks_log_type_parse(s->log_types.items[i]);
    for (size_t i = 0; s->producer && i < s->producer->log_types.n; i++)
        types |= lk_eks_log_type_parse(s->producer->log_types.items[i]);
    struct lk_eks_listing l;
    lk_eks_listing_init(&l);
    char *update = NULL;
    enum lk_status rc = lk_eks_enable_logging(c, s->region, s->name, types, &l, &update, err);
    if (rc == LK_STATUS_OK && update)
        s->result = lk_arena_strdup(&plan->arena, update);
    lk_eks_listing_free(&l);
    return rc;
}

enum lk_status lk_apply_run_producer(struct lk_aws_client *c, struct lk_apply_plan *plan,
                                     struct lk_apply_step *s, struct lk_aws_error *err)
{
    const struct lk_ir_destination *d = s->destination;
    switch (s->op) {
    case LK_APPLY_CREATE_FLOW_LOGS:
        return s_flow_logs(c, plan, s, err);
    case LK_APPLY_CREATE_QUERY_LOG_CONFIG:
        return s_query_log_config(c, plan, s, err);
    case LK_APPLY_ASSOCIATE_QUERY_LOG_CONFIG:
        return s_associate(c, plan, s, err);
    case LK_APPLY_ENABLE_ACCESS_LOGS:
        return lk_elbv2_enable_access_logs(c, s->region, s->name, d->bucket,
                                           s_folder(plan, d->prefix), err);
    case LK_APPLY_PUT_WAF_LOGGING:
        return lk_wafv2_put_logging(c, s->region, s->name, d->arn, err);
    case LK_APPLY_UPDATE_FIREWALL_LOGGING:
        return s_firewall_logging(c, plan, s, err);
    case LK_APPLY_PUT_DELIVERY_CHANNEL:
        return s_delivery_channel(c, plan, s, err);
    case LK_APPLY_START_RECORDER:
        return lk_config_start_recorder(c, s->region, s->name, err);
    case LK_APPLY_CREATE_PUBLISHING_DESTINATION:
        return s_publishing_destination(c, plan, s, err);
    case LK_APPLY_UPDATE_PUBLISHING_DESTINATION:
        return s_redirect_destination(c, plan, s, err);
    case LK_APPLY_ENABLE_CLUSTER_LOGGING:
        return s_cluster_logging(c, plan, s, err);
    case LK_APPLY_MODIFY_DB_INSTANCE:
    case LK_APPLY_MODIFY_DB_CLUSTER:
        return lk_rds_enable_log_exports(c, s->region, s->op == LK_APPLY_MODIFY_DB_CLUSTER, s->name,
                                         (const char *const *)s->log_types.items, s->log_types.n,
                                         err);
    default:
        return LK_STATUS_INVALID_ARGUMENT;
    }
}
