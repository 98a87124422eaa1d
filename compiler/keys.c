/*
 * logkeep: the KMS keys a policy names and the key policy statements each needs.
 *
 * A store's encryption.kms_key is the bucket's default SSE-KMS key: every service that writes
 * into the store calls KMS with it (GenerateDataKey), and every reader decrypts with it. A trail's
 * kms_key encrypts that trail's log files. logkeep never creates keys: it owns only the
 * statements below (Sids starting with LK_IR_SID_PREFIX) in each key's policy, Resource "*" (in a
 * key policy, the key itself: AWS KMS Developer Guide, "Key policies in AWS KMS"). Each block
 * cites the AWS page it follows; docs/source-types.md shows them with their evidence.
 */
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "compiler/check_int.h"
#include "compiler/lower.h"

/* The key named @p arn in @p st, created (with @p origin) on first use. */
static struct lk_ir_key *s_key(struct lk_ir_state *st, struct lk_str arn,
                               struct lk_ir_origin origin)
{
    for (size_t i = 0; i < st->n_keys; i++)
        if (lk_str_eq_c(arn, st->keys[i].arn))
            return &st->keys[i];
    LK_ARENA_ARRAY_GROW_IMPLICIT(&st->arena, st->keys, st->n_keys);
    struct lk_ir_key *k = &st->keys[st->n_keys++];
    memset(k, 0, sizeof(*k));
    k->arn = lk_ir_strndup(st, arn.ptr, arn.len);
    struct lk_arn a;
    k->region = lk_arn_split(arn, &a) ? lk_ir_strndup(st, a.region.ptr, a.region.len)
                                      : lk_ir_strdup(st, st->region);
    k->policy.present = true;
    k->policy.version = lk_ir_strdup(st, "2012-10-17");
    k->origin = origin;
    return k;
}

/* A statement of @p k's policy shared by every user that needs it: found by Sid, or created
 * with Resource "*" and one principal. */
static struct lk_ir_statement *s_shared(struct lk_ir_state *st, struct lk_ir_key *k,
                                        const char *sid, enum lk_ir_principal_kind kind,
                                        const char *principal, bool *created)
{
    for (size_t i = 0; i < k->policy.n_statements; i++)
        if (!strcmp(k->policy.statements[i].sid, sid)) {
            *created = false;
            return &k->policy.statements[i];
        }
    struct lk_ir_statement *s = lk_lower_policy_add_statement(st, &k->policy, sid, true, kind);
    lk_ir_list_add(st, &s->principals, principal);
    lk_ir_list_add(st, &s->resources, "*");
    *created = true;
    return s;
}

static void s_actions(struct lk_ir_state *st, struct lk_ir_statement *s, const char *const *actions,
                      size_t n)
{
    for (size_t i = 0; i < n; i++)
        lk_ir_list_add(st, &s->actions, actions[i]);
}

#define S_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail"
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html):
 * "Granting encrypt permissions for trails": cloudtrail.amazonaws.com gets kms:GenerateDataKey*
 * with StringLike kms:EncryptionContext:aws:cloudtrail:arn =
 * arn:<p>:cloudtrail:*:<account>:trail/<any> and, as the page's security best practice,
 * StringEquals aws:SourceArn = the trail ARN(s); "Enable CloudTrail to describe KMS key
 * properties": kms:DescribeKey, with the same aws:SourceArn. Without them CloudTrail cannot deliver
 * ("If ... the KMS key policy is not correctly configured for CloudTrail, CloudTrail cannot deliver
 * logs"). @p account owns the trail (each owner of a source's trails is listed). */
static void s_cloudtrail(struct lk_ir_state *st, struct lk_ir_key *k, const struct lk_ir_trail *t,
                         const char *account)
{
    char *trail_arn = lk_ir_printf(st, "arn:%s:cloudtrail:%s:%s:trail/%s", st->partition,
                                   t->home_region, account, t->name);
    bool created;
    struct lk_ir_statement *e =
        s_shared(st, k, LK_IR_SID_PREFIX "CloudTrailEncrypt", LK_IR_PRINCIPAL_SERVICE,
                 "cloudtrail.amazonaws.com", &created);
    if (created)
        lk_ir_list_add(st, &e->actions, "kms:GenerateDataKey*");
    lk_lower_add_condition(
        st, e, "StringLike", "kms:EncryptionContext:aws:cloudtrail:arn",
        lk_ir_printf(st, "arn:%s:cloudtrail:*:%s:trail/*", st->partition, account));
    lk_lower_add_condition(st, e, "StringEquals", "aws:SourceArn", trail_arn);
    struct lk_ir_statement *d =
        s_shared(st, k, LK_IR_SID_PREFIX "CloudTrailDescribeKey", LK_IR_PRINCIPAL_SERVICE,
                 "cloudtrail.amazonaws.com", &created);
    if (created)
        lk_ir_list_add(st, &d->actions, "kms:DescribeKey");
    lk_lower_add_condition(st, d, "StringEquals", "aws:SourceArn", trail_arn);
}

/* aws:SourceAccount of every writer account and, when @p arn_service is given, aws:SourceArn
 * arn:<p>:<service>:<region>:<account>:<resource> of every writer account and Region; or, when
 * the store the key encrypts has the organisation-wide form (@p org_id, delivery.c), the
 * organisation's aws:SourceOrgID alone. */
static void s_writer_conditions(struct lk_ir_state *st, struct lk_ir_statement *s,
                                const struct lk_writers *w, const char *org_id,
                                const char *arn_service, const char *arn_resource)
{
    if (org_id) {
        lk_lower_add_condition(st, s, "StringEquals", "aws:SourceOrgID", org_id);
        return;
    }
    for (size_t a = 0; a < w->n_accounts; a++) {
        lk_lower_add_condition(st, s, "StringEquals", "aws:SourceAccount", w->accounts[a]);
        for (size_t r = 0; arn_service && r < w->n_regions; r++)
            lk_lower_add_condition(st, s, "ArnLike", "aws:SourceArn",
                                   lk_ir_printf(st, "arn:%s:%s:%s:%s:%s", st->partition,
                                                arn_service, w->regions[r], w->accounts[a],
                                                arn_resource));
    }
}

/* CloudWatch Logs User Guide, "Enabling logging from AWS services", logs sent to Amazon S3,
 * SSE-KMS
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html#AWS-logs-SSE-KMS-S3):
 * "Allow Logs Delivery to use the key": delivery.logs.amazonaws.com gets kms:Encrypt,
 * kms:Decrypt, kms:ReEncrypt*, kms:GenerateDataKey* and kms:DescribeKey, scoped by
 * aws:SourceAccount and aws:SourceArn arn:<p>:logs:<region>:<account>:* (the form the bucket
 * policy uses, which also covers the page's newer ...:delivery-source:*), for every writer. */
static void s_log_delivery(struct lk_ir_state *st, struct lk_ir_key *k, const struct lk_writers *w,
                           const char *org_id)
{
    static const char *const actions[] = {"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt",
                                          "kms:GenerateDataKey*", "kms:ReEncrypt*"};
    bool created;
    struct lk_ir_statement *s =
        s_shared(st, k, LK_IR_SID_PREFIX "LogDeliveryUseKey", LK_IR_PRINCIPAL_SERVICE,
                 "delivery.logs.amazonaws.com", &created);
    if (created)
        s_actions(st, s, actions, S_COUNT(actions));
    s_writer_conditions(st, s, w, org_id, "logs", "*");
}

/* AWS Config Developer Guide, "Permissions for the KMS Key", service-linked role
 * (https://docs.aws.amazon.com/config/latest/developerguide/s3-kms-key-policy.html):
 * "AWSConfigKMSPolicy": config.amazonaws.com gets kms:Decrypt and kms:GenerateDataKey, scoped by
 * aws:SourceAccount (every writer account). */
static void s_config(struct lk_ir_state *st, struct lk_ir_key *k, const struct lk_writers *w,
                     const char *org_id)
{
    static const char *const actions[] = {"kms:Decrypt", "kms:GenerateDataKey"};
    bool created;
    struct lk_ir_statement *s = s_shared(st, k, LK_IR_SID_PREFIX "ConfigUseKey",
                                         LK_IR_PRINCIPAL_SERVICE, "config.amazonaws.com", &created);
    if (created)
        s_actions(st, s, actions, S_COUNT(actions));
    s_writer_conditions(st, s, w, org_id, NULL, NULL);
}

/* Amazon GuardDuty User Guide, "Exporting generated findings to Amazon S3", key policy
 * (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html): "Allow
 * GuardDuty to encrypt findings": the GuardDuty principal gets kms:GenerateDataKey, scoped by
 * aws:SourceAccount and aws:SourceArn of the detector (matched with a wildcard, as in the bucket
 * policy: the detector ID is not part of the policy). Export requires a KMS key (LK030). The
 * principal is the one of each writer Region. */
static void s_guardduty(struct lk_ir_state *st, struct lk_ir_key *k, const struct lk_writers *w,
                        const char *org_id)
{
    struct lk_ir_statement *s = NULL;
    for (size_t r = 0; r < w->n_regions; r++) {
        const char *principal = lk_delivery_guardduty_principal(st, w->regions[r]);
        bool created;
        s = s_shared(st, k, LK_IR_SID_PREFIX "GuardDutyUseKey", LK_IR_PRINCIPAL_SERVICE, principal,
                     &created);
        if (created)
            lk_ir_list_add(st, &s->actions, "kms:GenerateDataKey");
        lk_ir_list_add(st, &s->principals, principal);
    }
    if (s)
        s_writer_conditions(st, s, w, org_id, "guardduty", "detector/*");
}

/* CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS", step 2
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html):
 * logs.<region>.amazonaws.com gets kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*,
 * kms:GenerateDataKey* and kms:Describe*, scoped by ArnLike kms:EncryptionContext:aws:logs:arn
 * to the log groups' ARNs (@p account owns the log group). */
static void s_log_group(struct lk_ir_state *st, struct lk_ir_key *k,
                        const struct lk_ir_log_group *g, const char *account)
{
    static const char *const actions[] = {"kms:Decrypt*", "kms:Describe*", "kms:Encrypt*",
                                          "kms:GenerateDataKey*", "kms:ReEncrypt*"};
    bool created;
    struct lk_ir_statement *s =
        s_shared(st, k, LK_IR_SID_PREFIX "LogsUseKey", LK_IR_PRINCIPAL_SERVICE,
                 lk_ir_printf(st, "logs.%s.amazonaws.com", g->region), &created);
    if (created)
        s_actions(st, s, actions, S_COUNT(actions));
    else
        lk_ir_list_add(st, &s->principals, lk_ir_printf(st, "logs.%s.amazonaws.com", g->region));
    lk_lower_add_condition(st, s, "ArnLike", "kms:EncryptionContext:aws:logs:arn",
                           lk_ir_printf(st, "arn:%s:logs:%s:%s:log-group:%s", st->partition,
                                        g->region, account, g->name));
}

/* The readers of a store decrypt what it holds: kms:Decrypt granted to their accounts with an
 * ArnLike aws:PrincipalArn condition naming them (the form that survives a replaced IAM Identity
 * Center role; docs/source-types.md, "Readers that IAM Identity Center re-creates"), and only
 * through S3 in the store's Region (AWS KMS Developer Guide, "AWS KMS condition keys",
 * kms:ViaService). With the account as principal, the key policy delegates to IAM: the reader's
 * identity policy must allow kms:Decrypt too (AWS KMS Developer Guide, "Default key policy"). */
static void s_readers(struct lk_ir_state *st, struct lk_policy *p, struct lk_ir_key *k,
                      const struct lk_store *store, const char *bucket_region)
{
    bool created = false;
    struct lk_ir_statement *s = NULL;
    for (size_t i = 0; i < store->readers.n; i++) {
        struct lk_role *r = lk_policy_find_role(p, store->readers.items[i].v);
        for (size_t j = 0; r && j < r->principals.n; j++) {
            struct lk_str pr = r->principals.items[j].v;
            struct lk_str account = pr;
            char *arn;
            if (lk_account_id_valid(pr)) {
                arn = lk_ir_printf(st, "arn:%s:iam::%.*s:root", st->partition, LK_STR_ARG(pr));
            } else {
                struct lk_arn a;
                if (!lk_arn_split(pr, &a))
                    continue;
                account = a.account;
                arn = lk_ir_strndup(st, pr.ptr, pr.len);
            }
            char *root =
                lk_ir_printf(st, "arn:%s:iam::%.*s:root", st->partition, LK_STR_ARG(account));
            if (!s)
                s = s_shared(st, k, LK_IR_SID_PREFIX "ReadersDecrypt", LK_IR_PRINCIPAL_AWS, root,
                             &created);
            else
                lk_ir_list_add(st, &s->principals, root);
            if (created) {
                lk_ir_list_add(st, &s->actions, "kms:Decrypt");
                created = false;
            }
            lk_lower_add_condition(st, s, "ArnLike", "aws:PrincipalArn", arn);
        }
    }
    if (s)
        lk_lower_add_condition(st, s, "StringEquals", "kms:ViaService",
                               lk_ir_printf(st, "s3.%s.amazonaws.com", bucket_region));
}

static const struct lk_ir_bucket *s_bucket_of(const struct lk_ir_state *st,
                                              const struct lk_store *store)
{
    for (size_t i = 0; i < st->n_buckets; i++)
        if (lk_str_eq_c(store->name, st->buckets[i].store))
            return &st->buckets[i];
    return NULL;
}

/* Buckets by store name, so that finding each source's bucket is a binary search rather than a
 * scan of every bucket (a policy of 100,000 sources and 5,000 stores made the scan quadratic).
 * Equal names keep bucket order, and a search returns the first, as the scan did. */
struct s_bucket_ref {
    struct lk_str name;
    size_t i;
};

struct s_bucket_index {
    struct s_bucket_ref *refs;
    size_t n;
};

static int s_bucket_ref_cmp(const void *a, const void *b)
{
    const struct s_bucket_ref *x = a, *y = b;
    int c = lk_str_cmp(x->name, y->name);
    if (c)
        return c;
    return x->i < y->i ? -1 : x->i > y->i;
}

static void s_bucket_index_init(struct s_bucket_index *ix, const struct lk_ir_state *st)
{
    ix->n = st->n_buckets;
    ix->refs = lk_xmalloc((ix->n ? ix->n : 1) * sizeof(*ix->refs));
    for (size_t i = 0; i < ix->n; i++)
        ix->refs[i] = (struct s_bucket_ref){lk_str_c(st->buckets[i].store), i};
    qsort(ix->refs, ix->n, sizeof(*ix->refs), s_bucket_ref_cmp);
}

static const struct lk_ir_bucket *s_bucket_find(const struct s_bucket_index *ix,
                                                const struct lk_ir_state *st,
                                                const struct lk_store *store)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (lk_str_cmp(ix->refs[mid].name, store->name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < ix->n && lk_str_eq(ix->refs[lo].name, store->name))
        return &st->buckets[ix->refs[lo].i];
    return NULL;
}

static const struct lk_ir_trail *s_trail_of(const struct lk_ir_state *st,
                                            const struct lk_source *src)
{
    for (size_t i = 0; i < st->n_trails; i++)
        if (st->trails[i].source && lk_str_eq_c(src->name, st->trails[i].source))
            return &st->trails[i];
    return NULL;
}

/* The statements a source writing into a store encrypted with @p k needs on the key. */
static void s_writer_statements(struct lk_ir_state *st, struct lk_ir_key *k,
                                const struct lk_source *src, const struct lk_writers *w,
                                const char *org_id)
{
    switch (src->type) {
    case LK_SRC_VPC_FLOW_LOGS:
    case LK_SRC_ROUTE53_RESOLVER:
    case LK_SRC_WAF:
    case LK_SRC_NETWORK_FIREWALL:
    case LK_SRC_NLB:
        s_log_delivery(st, k, w, org_id);
        break;
    case LK_SRC_CONFIG:
        s_config(st, k, w, org_id);
        break;
    case LK_SRC_GUARDDUTY:
        s_guardduty(st, k, w, org_id);
        break;
    case LK_SRC_CLOUDTRAIL: /* the trail's statements come with the trail */
    case LK_SRC_ELB:        /* load balancers deliver only to SSE-S3 buckets (LK027) */
    case LK_SRC_EKS_AUDIT:
    case LK_SRC_RDS:
    case LK_SRC_CLOUDWATCH_LOGS:
    case LK_SRC_LOG_GROUP:
    case LK_SRC_S3_PREFIX:
    case LK_SRC_TYPE_COUNT:
        break;
    }
}

void lk_keys_lower(struct lk_ir_state *st, struct lk_policy *p)
{
    struct s_bucket_index bix;
    s_bucket_index_init(&bix, st);
    /* Origins: the kms_key that first names each key (copied from the lowered nodes). */
    for (size_t i = 0; i < p->n_stores; i++) {
        const struct lk_store *store = p->stores[i];
        const struct lk_ir_bucket *b = s_bucket_find(&bix, st, store);
        if (!store->kms_key.set || !b)
            continue;
        struct lk_ir_key *k = s_key(st, store->kms_key.v, b->encryption.origin);
        lk_ir_list_add(st, &k->users, lk_ir_printf(st, "store:%.*s", LK_STR_ARG(store->name)));
        s_readers(st, p, k, store, b->region);
    }
    for (size_t i = 0; i < p->n_srcs; i++) {
        const struct lk_source *src = p->srcs[i];
        if (!src->retention || !src->type_set)
            continue;
        const struct lk_ir_trail *t = src->type == LK_SRC_CLOUDTRAIL ? s_trail_of(st, src) : NULL;
        /* A trail with a key of its own encrypts its log files with it (CreateTrail KmsKeyId);
         * S3 applies the store's default key only to objects written without one. */
        if (t && src->trail && src->trail->kms_key.set) {
            struct lk_ir_key *k = s_key(st, src->trail->kms_key.v, t->origins.kms_key_id);
            lk_ir_list_add(st, &k->users, lk_ir_printf(st, "trail:%s", t->name));
            s_cloudtrail(st, k, t, st->account);
            const struct lk_ir_bucket *b = src->store ? s_bucket_find(&bix, st, src->store) : NULL;
            if (b)
                s_readers(st, p, k, src->store, b->region);
        }
        if (!src->store || !src->store->kms_key.set)
            continue;
        const struct lk_ir_bucket *b = s_bucket_find(&bix, st, src->store);
        if (!b)
            continue;
        struct lk_ir_key *k = s_key(st, src->store->kms_key.v, b->encryption.origin);
        if (src->type == LK_SRC_CLOUDTRAIL) {
            if (t && !(src->trail && src->trail->kms_key.set))
                s_cloudtrail(st, k, t, st->account);
            continue;
        }
        struct lk_writers w;
        lk_delivery_source_writers(st, src, &w);
        s_writer_statements(st, k, src, &w, NULL);
    }
    /* Log groups encrypted with a key the policy names elsewhere too. */
    for (size_t i = 0; i < st->n_log_groups; i++) {
        const struct lk_ir_log_group *g = &st->log_groups[i];
        if (!g->kms_key_id)
            continue;
        struct lk_ir_key *k = s_key(st, lk_str_c(g->kms_key_id), g->origin);
        lk_ir_list_add(st, &k->users, lk_ir_printf(st, "source:%s", g->source));
        s_log_group(st, k, g, st->account);
    }
    free(bix.refs);
}

/* ------------------------------------------------------------------------------ scope */

/* Where each key of a scope lives: the pair found for it when its first user named it. */
struct s_home {
    const char *arn; /* the pair state's copy */
    size_t pair;
};

struct s_homes {
    struct s_home *items; /* owned (heap) */
    size_t n, cap;
};

/* @p o copied into @p st's arena (origins of another pair point into that pair's arena). */
static struct lk_ir_origin s_origin_copy(struct lk_ir_state *st, const struct lk_ir_origin *o)
{
    struct lk_ir_origin out = {0};
    if (!o || !o->file)
        return out;
    out = *o;
    out.file = lk_ir_strdup(st, o->file);
    out.text = o->text ? lk_ir_strdup(st, o->text) : NULL;
    return out;
}

/* The key @p arn in the state of its pair: the pair of the ARN's account and Region, else
 * @p user_pair (the pair of its first user). */
static struct lk_ir_key *s_scope_key(struct lk_ir_scope *scope, struct s_homes *homes,
                                     struct lk_str arn, size_t user_pair,
                                     const struct lk_ir_origin *origin, struct lk_ir_state **out)
{
    size_t pair = user_pair;
    bool found = false;
    for (size_t i = 0; i < homes->n && !found; i++)
        if (lk_str_eq_c(arn, homes->items[i].arn)) {
            pair = homes->items[i].pair;
            found = true;
        }
    if (!found) {
        struct lk_arn a;
        if (lk_arn_split(arn, &a)) {
            char *account = lk_xstrndup(a.account.ptr, a.account.len);
            char *region = lk_xstrndup(a.region.ptr, a.region.len);
            const struct lk_ir_pair *home = lk_ir_scope_find(scope, account, region);
            if (home)
                pair = (size_t)(home - scope->pairs);
            free(account);
            free(region);
        }
    }
    struct lk_ir_state *st = scope->pairs[pair].state;
    struct lk_ir_key *k = s_key(st, arn, s_origin_copy(st, origin));
    if (!found) {
        if (homes->n == homes->cap) {
            homes->cap = homes->cap ? 2 * homes->cap : 8;
            homes->items = lk_xrealloc(homes->items, homes->cap * sizeof(*homes->items));
        }
        homes->items[homes->n].arn = k->arn;
        homes->items[homes->n++].pair = pair;
    }
    *out = st;
    return k;
}

static const struct lk_source *s_source_named(const struct lk_policy *p, const char *name)
{
    for (size_t i = 0; name && i < p->n_srcs; i++)
        if (lk_str_eq_c(p->srcs[i]->name, name))
            return p->srcs[i];
    return NULL;
}

/* The index of the pair that holds @p store's bucket (0 when none does). */
static size_t s_store_pair(const struct lk_ir_scope *scope, const struct lk_store *store)
{
    const struct lk_ir_pair *home =
        store->scope_account && store->scope_region
            ? lk_ir_scope_find(scope, store->scope_account, store->scope_region)
            : NULL;
    return home ? (size_t)(home - scope->pairs) : 0;
}

/* The organisation ID when the bucket of @p store (in @p st) has the organisation-wide delivery
 * statements (lower.c: they would not fit S3's limit otherwise), else NULL: the key's statements
 * for the store's writers then take the same form. */
static const char *s_store_org(const struct lk_ir_state *st, const struct lk_store *store)
{
    const struct lk_ir_bucket *b = s_bucket_of(st, store);
    for (size_t i = 0; b && i < b->policy.n_statements; i++) {
        const struct lk_ir_statement *s = &b->policy.statements[i];
        for (size_t c = 0; c < s->n_conditions; c++)
            if (!strcmp(s->conditions[c].key, "aws:SourceOrgID") && s->conditions[c].values.n)
                return s->conditions[c].values.items[0];
    }
    return NULL;
}

void lk_keys_lower_scope(struct lk_ir_scope *scope, struct lk_policy *p)
{
    struct s_homes homes = {0};
    struct lk_ir_state *kst;
    for (size_t pi = 0; pi < scope->n_pairs; pi++) {
        struct lk_ir_state *ps = scope->pairs[pi].state;
        for (size_t i = 0; i < ps->n_buckets; i++) {
            const struct lk_ir_bucket *b = &ps->buckets[i];
            const struct lk_store *store = lk_policy_find_store(p, lk_str_c(b->store));
            if (!store || !store->kms_key.set)
                continue;
            struct lk_ir_key *k =
                s_scope_key(scope, &homes, store->kms_key.v, pi, &b->encryption.origin, &kst);
            lk_ir_list_add(kst, &k->users,
                           lk_ir_printf(kst, "store:%.*s", LK_STR_ARG(store->name)));
            s_readers(kst, p, k, store, b->region);
        }
    }
    /* Then trails and log groups: a store's key already has its origin (the store's kms_key)
     * when a trail writing into the store uses it. */
    for (size_t pi = 0; pi < scope->n_pairs; pi++) {
        struct lk_ir_state *ps = scope->pairs[pi].state;
        for (size_t i = 0; i < ps->n_trails; i++) {
            const struct lk_ir_trail *t = &ps->trails[i];
            const struct lk_source *src = s_source_named(p, t->source);
            if (!src)
                continue;
            if (src->trail && src->trail->kms_key.set) {
                struct lk_ir_key *k = s_scope_key(scope, &homes, src->trail->kms_key.v, pi,
                                                  &t->origins.kms_key_id, &kst);
                lk_ir_list_add(kst, &k->users, lk_ir_printf(kst, "trail:%s", t->name));
                s_cloudtrail(kst, k, t, ps->account);
                if (src->store)
                    s_readers(kst, p, k, src->store,
                              src->store->scope_region ? src->store->scope_region : ps->region);
            } else if (src->store && src->store->kms_key.set) {
                struct lk_ir_key *k = s_scope_key(scope, &homes, src->store->kms_key.v,
                                                  s_store_pair(scope, src->store), NULL, &kst);
                s_cloudtrail(kst, k, t, ps->account);
            }
        }
        for (size_t i = 0; i < ps->n_log_groups; i++) {
            const struct lk_ir_log_group *g = &ps->log_groups[i];
            if (!g->kms_key_id)
                continue;
            struct lk_ir_key *k =
                s_scope_key(scope, &homes, lk_str_c(g->kms_key_id), pi, &g->origin, &kst);
            lk_ir_list_add(kst, &k->users, lk_ir_printf(kst, "source:%s", g->source));
            s_log_group(kst, k, g, ps->account);
        }
    }
    /* The services writing into each encrypted store, from every account and Region they write
     * from. */
    for (size_t i = 0; i < p->n_srcs; i++) {
        const struct lk_source *src = p->srcs[i];
        if (!src->retention || !src->type_set || !src->store || !src->store->kms_key.set ||
            src->type == LK_SRC_CLOUDTRAIL || !scope->n_pairs)
            continue;
        size_t home = s_store_pair(scope, src->store);
        struct lk_ir_key *k = s_scope_key(scope, &homes, src->store->kms_key.v, home, NULL, &kst);
        struct lk_writers w;
        lk_delivery_source_writers(kst, src, &w);
        s_writer_statements(kst, k, src, &w, s_store_org(scope->pairs[home].state, src->store));
    }
    free(homes.items);
}
