/*
 * logkeep runtime: reading producers into the live state (coverage.h). One reader per type,
 * each turning its service's plain structs (runtime/services) into lk_ir_producer entries;
 * destinations as docs/source-types.md, "Producers", describes the response members.
 */
#include "runtime/coverage.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "runtime/services/configsvc.h"
#include "runtime/services/ec2.h"
#include "runtime/services/eks.h"
#include "runtime/services/elbv2.h"
#include "runtime/services/guardduty.h"
#include "runtime/services/netfw.h"
#include "runtime/services/rds.h"
#include "runtime/services/resolver.h"
#include "runtime/services/wafv2.h"

/* Producers being collected for the live state (heap array, copied at the end). */
struct s_reading {
    struct lk_ir_state *live;
    const char *region; /* the Region being read; NULL: the client's */
    char *region_kept;  /* the same in the live state's arena: each producer's region */
    const char *partition;
    struct lk_ir_producer *items;
    size_t n, cap;
    struct lk_coverage_report *report;
    const struct lk_coverage_options *opts;
    const struct lk_ir_state *desired; /* its requirements */
    /* Types a requirement of this Region selects by tags: their tags are read (ELBv2
     * DescribeTags, Network Firewall DescribeFirewall, WAF ListTagsForResource) or kept (RDS
     * TagList, EKS tags); otherwise no call is made for them and producers carry none. */
    bool tags[LK_IR_PRODUCER_COUNT];
};

static struct lk_ir_producer *s_add(struct s_reading *rd, enum lk_ir_producer_type type,
                                    const char *id)
{
    if (rd->n == rd->cap) {
        rd->cap = rd->cap ? rd->cap * 2 : 16;
        rd->items = lk_xrealloc(rd->items, rd->cap * sizeof(*rd->items));
    }
    struct lk_ir_producer *p = &rd->items[rd->n++];
    memset(p, 0, sizeof(*p));
    p->type = type;
    p->region = rd->region_kept;
    p->id = lk_ir_strdup(rd->live, id);
    p->enabled = true;
    return p;
}

static struct lk_ir_destination *s_add_destination(struct s_reading *rd, struct lk_ir_producer *p)
{
    /* Few destinations per producer: grow one at a time in the state's arena. */
    struct lk_ir_destination *d =
        lk_arena_alloc(&rd->live->arena, (p->n_destinations + 1) * sizeof(*d));
    if (p->n_destinations)
        memcpy(d, p->destinations, p->n_destinations * sizeof(*d));
    p->destinations = d;
    d = &d[p->n_destinations++];
    memset(d, 0, sizeof(*d));
    return d;
}

/* An S3 destination from an ARN that may carry a folder ("arn:aws:s3:::bucket/prefix/", as
 * flow logs, Resolver, WAF and GuardDuty report it): arn keeps the bucket's ARN. */
static void s_s3_from_arn(struct s_reading *rd, struct lk_ir_destination *d, const char *arn)
{
    d->kind = LK_IR_DEST_S3;
    const char *res = strstr(arn, ":::");
    const char *bucket = res ? res + 3 : arn;
    const char *slash = strchr(bucket, '/');
    size_t blen = slash ? (size_t)(slash - bucket) : strlen(bucket);
    d->bucket = lk_arena_strndup(&rd->live->arena, bucket, blen);
    d->arn = lk_arena_printf(&rd->live->arena, "%.*s%s", (int)(bucket - arn), arn, d->bucket);
    d->prefix = lk_ir_strdup(rd->live, slash ? slash + 1 : "");
}

static void s_s3_from_bucket(struct s_reading *rd, struct lk_ir_destination *d, const char *bucket,
                             const char *prefix)
{
    d->kind = LK_IR_DEST_S3;
    d->bucket = lk_ir_strdup(rd->live, bucket);
    d->arn = lk_arena_printf(&rd->live->arena, "arn:%s:s3:::%s", rd->partition, bucket);
    d->prefix = lk_ir_strdup(rd->live, prefix ? prefix : "");
}

/* A destination named by its ARN, of whichever kind the ARN's service says. */
static void s_from_arn(struct s_reading *rd, struct lk_ir_destination *d, const char *arn)
{
    if (strstr(arn, ":s3:::") != NULL) {
        s_s3_from_arn(rd, d, arn);
        return;
    }
    d->arn = lk_ir_strdup(rd->live, arn);
    const char *lg = strstr(arn, ":log-group:");
    if (strstr(arn, ":logs:") != NULL && lg != NULL) {
        d->kind = LK_IR_DEST_LOGS;
        const char *name = lg + strlen(":log-group:");
        size_t len = strlen(name);
        if (len >= 2 && strcmp(name + len - 2, ":*") == 0)
            len -= 2;
        d->log_group = lk_arena_strndup(&rd->live->arena, name, len);
    } else {
        d->kind = LK_IR_DEST_FIREHOSE;
    }
}

/* A refusal: HTTP 403 (EC2 UnauthorizedOperation, ELBv2 and RDS AccessDenied, REST-JSON
 * AccessDeniedException), or the code the JSON 1.1 services answer with HTTP 400
 * (AccessDeniedException: Route 53 Resolver, Config, Network Firewall; WAFAccessDenied...). */
static bool s_refused(const struct lk_aws_error *err)
{
    static const char *const codes[] = {"AccessDenied", "AccessDeniedException",
                                        "UnauthorizedOperation", "WAFAccessDeniedException"};
    if (err->no_response)
        return false;
    if (err->http_status == 403)
        return true;
    for (size_t i = 0; err->code != NULL && i < sizeof(codes) / sizeof(codes[0]); i++)
        if (strcmp(err->code, codes[i]) == 0)
            return true;
    return false;
}

/* A refused listing: one producer "*" of the type, unreadable. @return 0, or -1 (not a
 * refusal: @p err stays set). */
static int s_refusal(struct s_reading *rd, enum lk_ir_producer_type type, struct lk_aws_error *err)
{
    if (!s_refused(err))
        return -1;
    struct lk_ir_producer *p = s_add(rd, type, "*");
    p->error = lk_ir_strdup(rd->live, err->code ? err->code : "AccessDenied");
    rd->report->unreadable++;
    lk_aws_error_clear(err);
    return 0;
}

/* ------------------------------------------------------------------------------ VPCs */

/* Gives @p p the tags @p keys / @p values (the state sorts them, lk_ir_canonicalize()). */
static void s_set_tags(struct s_reading *rd, struct lk_ir_producer *p, const char *const *keys,
                       const char *const *values, size_t n)
{
    if (n == 0)
        return;
    p->tags = lk_arena_alloc(&rd->live->arena, n * sizeof(*p->tags));
    for (size_t i = 0; i < n; i++) {
        p->tags[i].key = lk_ir_strdup(rd->live, keys[i]);
        p->tags[i].value = lk_ir_strdup(rd->live, values[i] ? values[i] : "");
    }
    p->n_tags = n;
}

/* A VPC producer with its tags, its Name tag as its name (selectors: names, tags). */
static void s_add_vpc(struct s_reading *rd, enum lk_ir_producer_type type,
                      const struct lk_ec2_vpc *v)
{
    struct lk_ir_producer *p = s_add(rd, type, v->vpc_id);
    if (v->n_tags == 0)
        return;
    p->tags = lk_arena_alloc(&rd->live->arena, v->n_tags * sizeof(*p->tags));
    for (size_t i = 0; i < v->n_tags; i++) {
        p->tags[i].key = lk_ir_strdup(rd->live, v->tag_keys[i]);
        p->tags[i].value = lk_ir_strdup(rd->live, v->tag_values[i]);
        if (p->name == NULL && strcmp(v->tag_keys[i], "Name") == 0)
            p->name = p->tags[i].value;
    }
    p->n_tags = v->n_tags;
}

/* The VPC producers of both VPC types read with one DescribeVpcs listing. */
static int s_read_vpc_types(struct lk_aws_client *client, struct s_reading *rd, bool flow,
                            bool resolver, struct lk_aws_error *err)
{
    struct lk_ec2_vpc_list vpcs = {0};
    int rc = -1;
    enum lk_status st = lk_ec2_describe_vpcs(client, rd->region, &vpcs, err);
    size_t vpc_requests = (size_t)vpcs.pages;
    if (st != LK_STATUS_OK) {
        rd->report->requests += vpc_requests;
        if (s_refused(err)) {
            if (flow && resolver) {
                /* Both types are unreadable: keep the code for the second. */
                struct lk_ir_producer *p = s_add(rd, LK_IR_PRODUCER_RESOLVER_QUERY_LOGS, "*");
                p->error = lk_ir_strdup(rd->live, err->code ? err->code : "AccessDenied");
                rd->report->unreadable++;
            }
            rc = s_refusal(
                rd, flow ? LK_IR_PRODUCER_VPC_FLOW_LOGS : LK_IR_PRODUCER_RESOLVER_QUERY_LOGS, err);
        }
        goto out;
    }
    /* Without a VPC there is no producer of either type: the flow log and query-logging
     * listings would answer nothing that matters (the API minimum is DescribeVpcs alone). */
    if (vpcs.n == 0) {
        rd->report->requests_of[flow ? LK_IR_PRODUCER_VPC_FLOW_LOGS
                                     : LK_IR_PRODUCER_RESOLVER_QUERY_LOGS] += vpc_requests;
        rd->report->requests += vpc_requests;
        rc = 0;
        goto out;
    }
    if (flow) {
        struct lk_ec2_flow_log_list fls = {0};
        size_t first = rd->n;
        st = lk_ec2_describe_flow_logs(client, rd->region, NULL, 0, &fls, err);
        rd->report->requests_of[LK_IR_PRODUCER_VPC_FLOW_LOGS] += vpc_requests + (size_t)fls.pages;
        rd->report->requests += (size_t)fls.pages;
        if (st != LK_STATUS_OK) {
            lk_ec2_flow_log_list_free(&fls);
            if (s_refusal(rd, LK_IR_PRODUCER_VPC_FLOW_LOGS, err) != 0)
                goto out;
        } else {
            for (size_t i = 0; i < vpcs.n; i++)
                s_add_vpc(rd, LK_IR_PRODUCER_VPC_FLOW_LOGS, &vpcs.items[i]);
            /* Flow logs by VPC: the producers were added in the listing's order; a linear
             * search per flow log is enough for a Region's VPCs, but sort for thousands. */
            for (size_t j = 0; j < fls.n; j++) {
                const struct lk_ec2_flow_log *fl = &fls.items[j];
                if (fl->resource_id == NULL || fl->log_destination == NULL)
                    continue;
                for (size_t i = first; i < rd->n; i++) {
                    struct lk_ir_producer *p = &rd->items[i];
                    if (strcmp(p->id, fl->resource_id) != 0)
                        continue;
                    struct lk_ir_destination *d = s_add_destination(rd, p);
                    s_from_arn(rd, d, fl->log_destination);
                    if (d->kind == LK_IR_DEST_LOGS && fl->log_group_name != NULL)
                        d->log_group = lk_ir_strdup(rd->live, fl->log_group_name);
                    if (fl->traffic_type)
                        d->traffic_type = lk_ir_strdup(rd->live, fl->traffic_type);
                    if (fl->deliver_logs_status && strcmp(fl->deliver_logs_status, "SUCCESS"))
                        d->status = lk_ir_strdup(rd->live, fl->deliver_logs_status);
                    else if (fl->flow_log_status && strcmp(fl->flow_log_status, "ACTIVE"))
                        d->status = lk_ir_strdup(rd->live, fl->flow_log_status);
                    break;
                }
            }
            lk_ec2_flow_log_list_free(&fls);
        }
    }
    if (resolver) {
        struct lk_resolver_listing rl;
        lk_resolver_listing_init(&rl);
        size_t first = rd->n;
        st = lk_resolver_list(client, rd->region, 0, &rl, err);
        rd->report->requests_of[LK_IR_PRODUCER_RESOLVER_QUERY_LOGS] +=
            (flow ? 0 : vpc_requests) + rl.requests;
        rd->report->requests += rl.requests;
        if (st != LK_STATUS_OK) {
            lk_resolver_listing_free(&rl);
            if (s_refusal(rd, LK_IR_PRODUCER_RESOLVER_QUERY_LOGS, err) != 0)
                goto out;
        } else {
            for (size_t i = 0; i < vpcs.n; i++) {
                s_add_vpc(rd, LK_IR_PRODUCER_RESOLVER_QUERY_LOGS, &vpcs.items[i]);
            }
            for (size_t a = 0; a < rl.n_associations; a++) {
                const struct lk_resolver_association *as = &rl.associations[a];
                const struct lk_resolver_config *cfg = NULL;
                for (size_t c = 0; c < rl.n_configs && cfg == NULL; c++)
                    if (as->config_id && strcmp(rl.configs[c].id, as->config_id) == 0)
                        cfg = &rl.configs[c];
                if (cfg == NULL || cfg->destination_arn == NULL || as->resource_id == NULL)
                    continue;
                for (size_t i = first; i < rd->n; i++) {
                    struct lk_ir_producer *p = &rd->items[i];
                    if (strcmp(p->id, as->resource_id) != 0)
                        continue;
                    struct lk_ir_destination *d = s_add_destination(rd, p);
                    s_from_arn(rd, d, cfg->destination_arn);
                    if (as->status && strcmp(as->status, "ACTIVE") != 0)
                        d->status = lk_ir_strdup(rd->live, as->status);
                    break;
                }
            }
            lk_resolver_listing_free(&rl);
        }
    }
    rd->report->requests += vpc_requests;
    rc = 0;
out:
    lk_ec2_vpc_list_free(&vpcs);
    return rc;
}

/* ------------------------------------------------------------------------------ fan-out */

/* Per-resource calls (the APIs with no list of what they return) spread over threads, each
 * with its own client (as live.c's workers: created on the calling thread). Thread 0 is the
 * caller's, on the caller's client. */
struct s_fan_worker;

struct s_fan {
    size_t n;           /* items */
    const char *region; /* NULL: the client's */
    void *ctx;          /* what one() reads into */
    /* Reads item @p i with @p w's client, strings into @p w's scratch. */
    enum lk_status (*one)(struct s_fan_worker *w, size_t i, struct lk_aws_error *err);
    bool tags;      /* one() also reads the item's tags (a second call, counted by one()) */
    char **refused; /* heap, n entries: the AWS code of an item AWS refused (HTTP 403) */
    struct s_fan_worker *workers;
    int n_workers;
    pthread_mutex_t mu;
    size_t next;
    bool failed;
    struct lk_aws_error err; /* the first failure that is not a refusal */
};

struct s_fan_worker {
    struct s_fan *fan;
    struct lk_aws_client *client;
    struct lk_aws_client own;
    bool has_own;
    struct lk_arena arena;         /* scratch strings (ELBv2 attributes) */
    struct lk_eks_listing eks;     /* scratch strings of DescribeCluster */
    struct lk_netfw_listing netfw; /* scratch strings of DescribeLoggingConfiguration */
    pthread_t thread;
    size_t requests;
};

static void *s_fan_main(void *arg)
{
    struct s_fan_worker *w = arg;
    struct s_fan *f = w->fan;
    for (;;) {
        pthread_mutex_lock(&f->mu);
        size_t i = f->next++;
        bool stop = f->failed;
        pthread_mutex_unlock(&f->mu);
        if (stop || i >= f->n)
            break;
        struct lk_aws_error e = {0};
        w->requests++;
        if (f->one(w, i, &e) == LK_STATUS_OK)
            continue;
        if (s_refused(&e)) {
            f->refused[i] = lk_xstrdup(e.code ? e.code : "AccessDenied");
            lk_aws_error_clear(&e);
            continue;
        }
        pthread_mutex_lock(&f->mu);
        if (!f->failed) {
            f->failed = true;
            f->err = e;
        } else {
            lk_aws_error_clear(&e);
        }
        pthread_mutex_unlock(&f->mu);
    }
    return NULL;
}

/* Runs @p f; its workers (and their scratch) stay until s_fan_free(). @return 0, or -1 with
 * @p err set. */
static int s_fan_run(struct lk_aws_client *client, struct s_reading *rd, struct s_fan *f,
                     struct lk_aws_error *err)
{
    int n_threads = rd->opts->concurrency;
    if (rd->opts->new_client == NULL || n_threads < 1)
        n_threads = 1;
    if ((size_t)n_threads > f->n)
        n_threads = f->n ? (int)f->n : 1;
    pthread_mutex_init(&f->mu, NULL);
    f->refused = lk_xcalloc(f->n ? f->n : 1, sizeof(*f->refused));
    f->workers = lk_xcalloc((size_t)n_threads, sizeof(*f->workers));
    for (int i = 0; i < n_threads; i++) {
        struct s_fan_worker *w = &f->workers[i];
        w->fan = f;
        lk_eks_listing_init(&w->eks);
        lk_netfw_listing_init(&w->netfw);
        f->n_workers++;
        if (i == 0) {
            w->client = client;
        } else {
            if (rd->opts->new_client(rd->opts->new_client_ctx, &w->own, err) != 0)
                return -1;
            w->has_own = true;
            w->client = &w->own;
        }
    }
    int started = 0;
    for (int i = 1; i < n_threads; i++) {
        if (pthread_create(&f->workers[i].thread, NULL, s_fan_main, &f->workers[i]) != 0)
            break; /* fewer threads: the ones started read everything */
        started = i;
    }
    s_fan_main(&f->workers[0]);
    for (int i = 1; i <= started; i++)
        pthread_join(f->workers[i].thread, NULL);
    if (started + 1 > rd->report->threads)
        rd->report->threads = started + 1;
    if (f->failed) {
        *err = f->err;
        memset(&f->err, 0, sizeof(f->err));
        return -1;
    }
    return 0;
}

static size_t s_fan_requests(const struct s_fan *f)
{
    size_t n = 0;
    for (int i = 0; i < f->n_workers; i++)
        n += f->workers[i].requests;
    return n;
}

static void s_fan_free(struct s_fan *f)
{
    for (int i = 0; i < f->n_workers; i++) {
        struct s_fan_worker *w = &f->workers[i];
        lk_arena_destroy(&w->arena);
        lk_eks_listing_free(&w->eks);
        lk_netfw_listing_free(&w->netfw);
        if (w->has_own)
            lk_aws_client_free(&w->own);
    }
    for (size_t i = 0; f->refused && i < f->n; i++)
        free(f->refused[i]);
    free(f->refused);
    free(f->workers);
    pthread_mutex_destroy(&f->mu);
    lk_aws_error_clear(&f->err);
}

/* ------------------------------------------------------------------------------ ELBv2 */

static enum lk_status s_elb_one(struct s_fan_worker *w, size_t i, struct lk_aws_error *err)
{
    struct lk_elbv2_list *list = w->fan->ctx;
    return lk_elbv2_read_attributes(w->client, w->fan->region, &w->arena, &list->items[i], err);
}

/* A failed ELBv2 read: one listing serves both balancer types, so a refusal leaves both
 * unreadable when both are required (s_refusal() marks the first). */
static int s_elb_refusal(struct s_reading *rd, bool alb, bool nlb, struct lk_aws_error *err)
{
    if (s_refused(err) && alb && nlb) {
        struct lk_ir_producer *p = s_add(rd, LK_IR_PRODUCER_NLB, "*");
        p->error = lk_ir_strdup(rd->live, err->code ? err->code : "AccessDenied");
        rd->report->unreadable++;
    }
    return s_refusal(rd, alb ? LK_IR_PRODUCER_ELB : LK_IR_PRODUCER_NLB, err);
}

static int s_read_elb(struct lk_aws_client *client, struct s_reading *rd, bool alb, bool nlb,
                      struct lk_aws_error *err)
{
    struct lk_elbv2_list list = {0};
    int rc = -1;
    size_t requests = 0;
    enum lk_ir_producer_type first = alb ? LK_IR_PRODUCER_ELB : LK_IR_PRODUCER_NLB;
    if (lk_elbv2_describe_load_balancers(client, rd->region, false, &list, err) != LK_STATUS_OK) {
        requests = (size_t)list.pages;
        rc = s_elb_refusal(rd, alb, nlb, err);
        goto out;
    }
    requests = (size_t)list.pages;
    /* Only the balancers of the types asked for need their attributes. */
    size_t kept = 0;
    for (size_t i = 0; i < list.n; i++) {
        const char *t = list.items[i].type ? list.items[i].type : "";
        if ((alb && strcmp(t, "application") == 0) || (nlb && strcmp(t, "network") == 0))
            list.items[kept++] = list.items[i];
    }
    list.n = kept;
    /* A tags selector on a balancer type: DescribeTags, 20 balancers a call (elbv2.h), for
     * the balancers of the types required only. Refused, the type cannot be read. */
    if (list.n > 0 &&
        ((alb && rd->tags[LK_IR_PRODUCER_ELB]) || (nlb && rd->tags[LK_IR_PRODUCER_NLB]))) {
        size_t tag_requests = 0;
        enum lk_status st = lk_elbv2_describe_tags(client, rd->region, &list.arena, list.items,
                                                   list.n, &tag_requests, err);
        requests += tag_requests;
        if (st != LK_STATUS_OK) {
            rc = s_elb_refusal(rd, alb, nlb, err);
            goto out;
        }
    }
    struct s_fan fan = {.n = list.n, .region = rd->region, .ctx = &list, .one = s_elb_one};
    int fr = s_fan_run(client, rd, &fan, err);
    requests += s_fan_requests(&fan);
    for (size_t i = 0; fr == 0 && i < list.n; i++) {
        const struct lk_elbv2_load_balancer *lb = &list.items[i];
        bool is_nlb = strcmp(lb->type, "network") == 0;
        struct lk_ir_producer *p =
            s_add(rd, is_nlb ? LK_IR_PRODUCER_NLB : LK_IR_PRODUCER_ELB, lb->arn);
        p->arn = lk_ir_strdup(rd->live, lb->arn);
        p->name = lb->name ? lk_ir_strdup(rd->live, lb->name) : NULL;
        if (rd->tags[p->type])
            s_set_tags(rd, p, lb->tag_keys, lb->tag_values, lb->n_tags);
        if (fan.refused[i] != NULL) {
            p->error = lk_ir_strdup(rd->live, fan.refused[i]);
            continue;
        }
        p->enabled = lb->access_logs_enabled;
        if (lb->access_logs_bucket != NULL && lb->access_logs_bucket[0] != '\0')
            s_s3_from_bucket(rd, s_add_destination(rd, p), lb->access_logs_bucket,
                             lb->access_logs_prefix);
    }
    s_fan_free(&fan);
    if (fr != 0)
        goto out;
    rc = 0;
out:
    rd->report->requests += requests;
    rd->report->requests_of[first] += requests;
    lk_elbv2_list_free(&list);
    return rc;
}

/* ------------------------------------------------------------------------------ WAF */

static enum lk_status s_waf_one(struct s_fan_worker *w, size_t i, struct lk_aws_error *err)
{
    struct lk_wafv2_listing *l = w->fan->ctx;
    size_t calls = 0;
    enum lk_status rc =
        lk_wafv2_list_tags(w->client, w->fan->region, &w->arena, &l->acls[i], &calls, err);
    if (calls > 1)
        w->requests += calls - 1; /* the fan counts one per item */
    return rc;
}

static int s_read_waf(struct lk_aws_client *client, struct s_reading *rd, struct lk_aws_error *err)
{
    /* CloudFront-scoped web ACLs are read with the us-east-1 pair (wafv2.h). */
    bool cloudfront = rd->region != NULL && strcmp(rd->region, "us-east-1") == 0;
    for (int s = 0; s < (cloudfront ? 2 : 1); s++) {
        struct lk_wafv2_listing l;
        lk_wafv2_listing_init(&l);
        enum lk_status st = lk_wafv2_list(client, rd->region,
                                          s ? LK_WAFV2_CLOUDFRONT : LK_WAFV2_REGIONAL, 0, &l, err);
        rd->report->requests += l.requests;
        rd->report->requests_of[LK_IR_PRODUCER_WAF] += l.requests;
        if (st != LK_STATUS_OK) {
            lk_wafv2_listing_free(&l);
            if (s_refusal(rd, LK_IR_PRODUCER_WAF, err) != 0)
                return -1;
            continue;
        }
        /* A tags selector: ListTagsForResource per web ACL (the listings carry no tags). */
        bool tags = rd->tags[LK_IR_PRODUCER_WAF] && l.n_acls > 0;
        struct s_fan fan = {.n = l.n_acls, .region = rd->region, .ctx = &l, .one = s_waf_one};
        if (tags) {
            int fr = s_fan_run(client, rd, &fan, err);
            size_t n = s_fan_requests(&fan);
            rd->report->requests += n;
            rd->report->requests_of[LK_IR_PRODUCER_WAF] += n;
            if (fr != 0) {
                s_fan_free(&fan);
                lk_wafv2_listing_free(&l);
                return -1;
            }
        }
        for (size_t i = 0; i < l.n_acls; i++) {
            const struct lk_wafv2_web_acl *a = &l.acls[i];
            struct lk_ir_producer *p = s_add(rd, LK_IR_PRODUCER_WAF, a->arn);
            p->arn = lk_ir_strdup(rd->live, a->arn);
            p->name = a->name ? lk_ir_strdup(rd->live, a->name) : NULL;
            if (tags && fan.refused[i] != NULL) {
                p->error = lk_ir_strdup(rd->live, fan.refused[i]);
                continue;
            }
            if (tags)
                s_set_tags(rd, p, (const char *const *)a->tag_keys,
                           (const char *const *)a->tag_values, a->n_tags);
            for (size_t j = 0; j < a->n_destinations; j++)
                s_from_arn(rd, s_add_destination(rd, p), a->destinations[j]);
        }
        if (tags)
            s_fan_free(&fan);
        lk_wafv2_listing_free(&l);
    }
    return 0;
}

/* ------------------------------------------------------------------------------ NFW */

static enum lk_status s_netfw_one(struct s_fan_worker *w, size_t i, struct lk_aws_error *err)
{
    struct lk_netfw_listing *l = w->fan->ctx;
    /* A tags selector: DescribeFirewall first (its Tags), then the logging configuration. */
    if (w->fan->tags) {
        w->requests++;
        LK_GUARD(lk_netfw_read_tags(w->client, w->fan->region, &w->netfw, &l->firewalls[i], err));
    }
    return lk_netfw_read_logging(w->client, w->fan->region, &w->netfw, &l->firewalls[i], err);
}

/* After the listing of @p type (status @p st, @p listed requests): runs @p fan's per-resource
 * calls when the listing succeeded and counts every request. @return 0 to go on with the
 * fan's results; else what the read returns (a refused listing's, or -1 after a per-resource
 * call failed; the fan is freed then). */
static int s_listed_fan(struct lk_aws_client *client, struct s_reading *rd,
                        enum lk_ir_producer_type type, enum lk_status st, size_t listed,
                        struct s_fan *fan, struct lk_aws_error *err)
{
    size_t requests = listed;
    int fr = 0;
    if (st == LK_STATUS_OK) {
        fr = s_fan_run(client, rd, fan, err);
        requests += s_fan_requests(fan);
    }
    rd->report->requests += requests;
    rd->report->requests_of[type] += requests;
    if (st != LK_STATUS_OK)
        return s_refusal(rd, type, err);
    if (fr != 0) {
        s_fan_free(fan);
        return -1;
    }
    return 0;
}

static int s_read_netfw(struct lk_aws_client *client, struct s_reading *rd,
                        struct lk_aws_error *err)
{
    struct lk_netfw_listing l;
    lk_netfw_listing_init(&l);
    enum lk_status st = lk_netfw_list_firewalls(client, rd->region, 0, &l, err);
    struct s_fan fan = {.n = l.n_firewalls,
                        .region = rd->region,
                        .ctx = &l,
                        .one = s_netfw_one,
                        .tags = rd->tags[LK_IR_PRODUCER_NETWORK_FIREWALL]};
    int rc = s_listed_fan(client, rd, LK_IR_PRODUCER_NETWORK_FIREWALL, st, l.requests, &fan, err);
    if (rc != 0) {
        lk_netfw_listing_free(&l);
        return rc;
    }
    /* The log group's ARN names the firewall's account and Region (it is in both). */
    const char *account = rd->live->account ? rd->live->account : "";
    const char *region = rd->region ? rd->region : (rd->live->region ? rd->live->region : "");
    for (size_t i = 0; i < l.n_firewalls; i++) {
        const struct lk_netfw_firewall *fw = &l.firewalls[i];
        struct lk_ir_producer *p = s_add(rd, LK_IR_PRODUCER_NETWORK_FIREWALL, fw->arn);
        p->arn = lk_ir_strdup(rd->live, fw->arn);
        p->name = fw->name ? lk_ir_strdup(rd->live, fw->name) : NULL;
        if (fan.tags)
            s_set_tags(rd, p, (const char *const *)fw->tag_keys,
                       (const char *const *)fw->tag_values, fw->n_tags);
        if (fan.refused[i] != NULL) {
            p->error = lk_ir_strdup(rd->live, fan.refused[i]);
            continue;
        }
        for (size_t j = 0; j < fw->n_destinations; j++) {
            const struct lk_netfw_destination *nd = &fw->destinations[j];
            const char *t = nd->destination_type ? nd->destination_type : "";
            struct lk_ir_destination *d = s_add_destination(rd, p);
            if (strcmp(t, "S3") == 0 && nd->bucket_name) {
                s_s3_from_bucket(rd, d, nd->bucket_name, nd->prefix);
            } else if (strcmp(t, "CloudWatchLogs") == 0 && nd->log_group) {
                d->kind = LK_IR_DEST_LOGS;
                d->log_group = lk_ir_strdup(rd->live, nd->log_group);
                d->arn = lk_arena_printf(&rd->live->arena, "arn:%s:logs:%s:%s:log-group:%s",
                                         rd->partition, region, account, nd->log_group);
            } else {
                d->kind = LK_IR_DEST_FIREHOSE;
                d->arn = lk_arena_printf(
                    &rd->live->arena, "arn:%s:firehose:%s:%s:deliverystream/%s", rd->partition,
                    region, account, nd->delivery_stream ? nd->delivery_stream : "");
            }
            if (nd->log_type)
                d->log_type = lk_ir_strdup(rd->live, nd->log_type);
        }
    }
    s_fan_free(&fan);
    lk_netfw_listing_free(&l);
    return 0;
}

/* ------------------------------------------------------------------------------ Config */

static int s_read_config(struct lk_aws_client *client, struct s_reading *rd,
                         struct lk_aws_error *err)
{
    struct lk_config_listing l;
    lk_config_listing_init(&l);
    enum lk_status st = lk_config_list(client, rd->region, &l, err);
    rd->report->requests += l.requests;
    rd->report->requests_of[LK_IR_PRODUCER_CONFIG] += l.requests;
    if (st != LK_STATUS_OK) {
        lk_config_listing_free(&l);
        return s_refusal(rd, LK_IR_PRODUCER_CONFIG, err);
    }
    /* One recorder per account and Region; the delivery channel (one too) is its destination. */
    for (size_t i = 0; i < l.n_recorders; i++) {
        const struct lk_config_recorder *r = &l.recorders[i];
        struct lk_ir_producer *p = s_add(rd, LK_IR_PRODUCER_CONFIG, r->name);
        p->name = lk_ir_strdup(rd->live, r->name);
        p->enabled = r->has_status && r->recording;
        if (!r->all_supported)
            p->partial = lk_ir_strdup(rd->live, "recording-group");
        for (size_t c = 0; c < l.n_channels; c++) {
            const struct lk_config_channel *ch = &l.channels[c];
            if (ch->s3_bucket_name == NULL)
                continue;
            struct lk_ir_destination *d = s_add_destination(rd, p);
            s_s3_from_bucket(rd, d, ch->s3_bucket_name, ch->s3_key_prefix);
            if (ch->s3_kms_key_arn)
                d->kms_key_arn = lk_ir_strdup(rd->live, ch->s3_kms_key_arn);
            if (r->last_status && strcmp(r->last_status, "Failure") == 0)
                d->status = lk_ir_strdup(rd->live, "Failure");
        }
    }
    lk_config_listing_free(&l);
    return 0;
}

/* ------------------------------------------------------------------------------ GuardDuty */

/* Whether a GuardDuty requirement of rd->region finds @p p not delivering by itself (partly,
 * elsewhere or nowhere): only then can its administrator's export matter. */
static bool s_guardduty_short(const struct s_reading *rd, const struct lk_ir_producer *p)
{
    for (size_t i = 0; rd->desired && i < rd->desired->n_coverages; i++) {
        const struct lk_ir_coverage *c = &rd->desired->coverages[i];
        const char *r = c->region ? c->region : rd->live->region;
        if (c->type != LK_IR_PRODUCER_GUARDDUTY ||
            !(r == rd->region || (r && rd->region && strcmp(r, rd->region) == 0)))
            continue;
        enum lk_ir_coverage_status st = lk_ir_coverage_check(c, p, NULL);
        if (st == LK_IR_COVERAGE_PARTLY || st == LK_IR_COVERAGE_ELSEWHERE ||
            st == LK_IR_COVERAGE_MISSING)
            return true;
    }
    return false;
}

static int s_read_guardduty(struct lk_aws_client *client, struct s_reading *rd,
                            struct lk_aws_error *err)
{
    struct lk_guardduty_listing l;
    lk_guardduty_listing_init(&l);
    enum lk_status st = lk_guardduty_list(client, rd->region, 0, &l, err);
    rd->report->requests += l.requests;
    rd->report->requests_of[LK_IR_PRODUCER_GUARDDUTY] += l.requests;
    if (st != LK_STATUS_OK) {
        lk_guardduty_listing_free(&l);
        return s_refusal(rd, LK_IR_PRODUCER_GUARDDUTY, err);
    }
    for (size_t i = 0; i < l.n_detectors; i++) {
        const struct lk_guardduty_detector *det = &l.detectors[i];
        struct lk_ir_producer *p = s_add(rd, LK_IR_PRODUCER_GUARDDUTY, det->id);
        for (size_t j = 0; j < det->n_destinations; j++) {
            const struct lk_guardduty_destination *gd = &det->destinations[j];
            if (gd->destination_arn == NULL)
                continue;
            struct lk_ir_destination *d = s_add_destination(rd, p);
            s_s3_from_arn(rd, d, gd->destination_arn);
            if (gd->kms_key_arn)
                d->kms_key_arn = lk_ir_strdup(rd->live, gd->kms_key_arn);
            if (gd->status && strcmp(gd->status, "PUBLISHING") != 0)
                d->status = lk_ir_strdup(rd->live, gd->status);
        }
        if (!s_guardduty_short(rd, p))
            continue;
        /* A member may be covered through its administrator's export: one more request, only
         * for a detector that does not deliver to the store itself. */
        struct lk_guardduty_administrator adm;
        unsigned before = l.requests;
        st = lk_guardduty_get_administrator(client, rd->region, det->id, &l, &adm, err);
        rd->report->requests += l.requests - before;
        rd->report->requests_of[LK_IR_PRODUCER_GUARDDUTY] += l.requests - before;
        if (st != LK_STATUS_OK) {
            if (!s_refused(err)) {
                lk_guardduty_listing_free(&l);
                return -1;
            }
            p->error = lk_ir_strdup(rd->live, err->code ? err->code : "AccessDenied");
            lk_aws_error_clear(err);
            continue;
        }
        if (adm.account_id != NULL) {
            p->administrator_account = lk_ir_strdup(rd->live, adm.account_id);
            p->administrator_status =
                adm.relationship_status ? lk_ir_strdup(rd->live, adm.relationship_status) : NULL;
        }
    }
    lk_guardduty_listing_free(&l);
    return 0;
}

/* ------------------------------------------------------------------------------ EKS, RDS */

static enum lk_status s_eks_one(struct s_fan_worker *w, size_t i, struct lk_aws_error *err)
{
    struct lk_eks_listing *l = w->fan->ctx;
    return lk_eks_describe(w->client, w->fan->region, &w->eks, &l->clusters[i], err);
}

static int s_read_eks(struct lk_aws_client *client, struct s_reading *rd, struct lk_aws_error *err)
{
    struct lk_eks_listing l;
    lk_eks_listing_init(&l);
    enum lk_status st = lk_eks_list_names(client, rd->region, 0, &l, err);
    struct s_fan fan = {.n = l.n_clusters, .region = rd->region, .ctx = &l, .one = s_eks_one};
    int rc = s_listed_fan(client, rd, LK_IR_PRODUCER_EKS, st, l.requests, &fan, err);
    if (rc != 0) {
        lk_eks_listing_free(&l);
        return rc;
    }
    for (size_t i = 0; i < l.n_clusters; i++) {
        const struct lk_eks_cluster *c = &l.clusters[i];
        struct lk_ir_producer *p = s_add(rd, LK_IR_PRODUCER_EKS, c->name);
        p->name = lk_ir_strdup(rd->live, c->name);
        p->arn = c->arn ? lk_ir_strdup(rd->live, c->arn) : NULL;
        if (rd->tags[LK_IR_PRODUCER_EKS])
            s_set_tags(rd, p, (const char *const *)c->tag_keys, (const char *const *)c->tag_values,
                       c->n_tags);
        if (fan.refused[i] != NULL) {
            p->error = lk_ir_strdup(rd->live, fan.refused[i]);
            continue;
        }
        for (unsigned bit = 1; bit <= LK_EKS_LOG_ALL; bit <<= 1)
            if (c->enabled_types & bit)
                lk_ir_list_add_set(rd->live, &p->log_types, lk_eks_log_type_name(bit));
    }
    s_fan_free(&fan);
    lk_eks_listing_free(&l);
    return 0;
}

static int s_read_rds(struct lk_aws_client *client, struct s_reading *rd, struct lk_aws_error *err)
{
    struct lk_rds_list l = {0};
    enum lk_status st = lk_rds_describe_db_instances(client, rd->region, &l, err);
    if (st == LK_STATUS_OK)
        st = lk_rds_describe_db_clusters(client, rd->region, &l, err);
    rd->report->requests += (size_t)l.pages;
    rd->report->requests_of[LK_IR_PRODUCER_RDS] += (size_t)l.pages;
    if (st != LK_STATUS_OK) {
        lk_rds_list_free(&l);
        return s_refusal(rd, LK_IR_PRODUCER_RDS, err);
    }
    for (size_t i = 0; i < l.n; i++) {
        const struct lk_rds_database *db = &l.items[i];
        /* An Aurora instance exports its cluster's logs: the cluster is the producer. */
        if (!db->is_cluster && db->cluster_id != NULL)
            continue;
        struct lk_ir_producer *p = s_add(rd, LK_IR_PRODUCER_RDS, db->id);
        p->name = lk_ir_strdup(rd->live, db->id);
        p->arn = db->arn ? lk_ir_strdup(rd->live, db->arn) : NULL;
        p->engine = db->engine ? lk_ir_strdup(rd->live, db->engine) : NULL;
        if (rd->tags[LK_IR_PRODUCER_RDS])
            s_set_tags(rd, p, db->tag_keys, db->tag_values, db->n_tags);
        for (size_t j = 0; j < db->n_log_exports; j++)
            lk_ir_list_add_set(rd->live, &p->log_types, db->log_exports[j]);
    }
    lk_rds_list_free(&l);
    return 0;
}

/* ------------------------------------------------------------------------------ entry */

/* Reads the producers of the types @p want in rd->region. @return 0, or -1 with @p err set. */
static int s_read_region(struct lk_aws_client *client, struct s_reading *rd, const bool *want,
                         struct lk_aws_error *err)
{
    int rc = 0;
    if (rc == 0 && (want[LK_IR_PRODUCER_VPC_FLOW_LOGS] || want[LK_IR_PRODUCER_RESOLVER_QUERY_LOGS]))
        rc = s_read_vpc_types(client, rd, want[LK_IR_PRODUCER_VPC_FLOW_LOGS],
                              want[LK_IR_PRODUCER_RESOLVER_QUERY_LOGS], err);
    if (rc == 0 && (want[LK_IR_PRODUCER_ELB] || want[LK_IR_PRODUCER_NLB]))
        rc = s_read_elb(client, rd, want[LK_IR_PRODUCER_ELB], want[LK_IR_PRODUCER_NLB], err);
    if (rc == 0 && want[LK_IR_PRODUCER_WAF])
        rc = s_read_waf(client, rd, err);
    if (rc == 0 && want[LK_IR_PRODUCER_NETWORK_FIREWALL])
        rc = s_read_netfw(client, rd, err);
    if (rc == 0 && want[LK_IR_PRODUCER_CONFIG])
        rc = s_read_config(client, rd, err);
    if (rc == 0 && want[LK_IR_PRODUCER_GUARDDUTY])
        rc = s_read_guardduty(client, rd, err);
    if (rc == 0 && want[LK_IR_PRODUCER_EKS])
        rc = s_read_eks(client, rd, err);
    if (rc == 0 && want[LK_IR_PRODUCER_RDS])
        rc = s_read_rds(client, rd, err);
    return rc;
}

int lk_coverage_read(struct lk_aws_client *client, const struct lk_ir_state *desired,
                     const struct lk_coverage_options *opts, struct lk_ir_state *live,
                     struct lk_coverage_report *report, struct lk_aws_error *err)
{
    static const struct lk_coverage_options s_defaults = {0};
    struct lk_coverage_report scratch;
    if (report == NULL)
        report = &scratch;
    memset(report, 0, sizeof(*report));
    if (client == NULL || desired == NULL || live == NULL || err == NULL)
        return -1;
    /* Every Region a requirement names: a state of one account holds the requirements of each
     * Region of its sources, an organisation pair's those of its one Region. */
    const char **regions = lk_xcalloc(desired->n_coverages + 1, sizeof(*regions));
    size_t n_regions = 0;
    for (size_t i = 0; i < desired->n_coverages; i++) {
        const struct lk_ir_coverage *c = &desired->coverages[i];
        const char *r = c->region ? c->region : live->region;
        bool seen = false;
        for (size_t k = 0; k < n_regions && !seen; k++)
            seen = regions[k] == r || (regions[k] && r && strcmp(regions[k], r) == 0);
        if (!seen)
            regions[n_regions++] = r;
    }
    struct s_reading rd = {
        .live = live,
        .partition =
            live->partition ? live->partition : (desired->partition ? desired->partition : "aws"),
        .report = report,
        .opts = opts ? opts : &s_defaults,
        .desired = desired,
    };
    int rc = 0;
    for (size_t g = 0; rc == 0 && g < n_regions; g++) {
        bool want[LK_IR_PRODUCER_COUNT] = {false};
        memset(rd.tags, 0, sizeof(rd.tags));
        for (size_t i = 0; i < desired->n_coverages; i++) {
            const struct lk_ir_coverage *c = &desired->coverages[i];
            const char *r = c->region ? c->region : live->region;
            bool same = r == regions[g] || (r && regions[g] && strcmp(r, regions[g]) == 0);
            if (same && (unsigned)c->type < LK_IR_PRODUCER_COUNT) {
                want[c->type] = true;
                if (c->n_tags > 0)
                    rd.tags[c->type] = true;
            }
        }
        rd.region = regions[g];
        rd.region_kept = regions[g] ? lk_ir_strdup(live, regions[g]) : NULL;
        rc = s_read_region(client, &rd, want, err);
        if (rc == 0 && rd.region_kept)
            lk_ir_list_add_set(live, &live->producer_regions, rd.region_kept);
    }
    free(regions);
    lk_ir_list_sort_unique(&live->producer_regions);
    if (rc == 0 && rd.n > 0) {
        size_t have = live->n_producers;
        struct lk_ir_producer *all = lk_arena_alloc(&live->arena, (have + rd.n) * sizeof(*all));
        if (have)
            memcpy(all, live->producers, have * sizeof(*all));
        memcpy(all + have, rd.items, rd.n * sizeof(*all));
        live->producers = all;
        live->n_producers = have + rd.n;
        report->producers = rd.n;
        lk_ir_canonicalize(live);
    }
    free(rd.items);
    return rc;
}
