/*
 * logkeep runtime: coverage drift (diff.h lk_diff_coverage()): how each producer read in the
 * pair stands against each coverage requirement of the desired state, with the matching rules
 * of ir/coverage.c, as changes of LK_DIFF_PRODUCER. Words: docs/source-types.md, "Producers".
 *
 *   missing    delivers nowhere                        MISSING, weaker
 *   elsewhere  delivers, to none of the destinations   CHANGED, weaker; with enable,
 *                                                      --allow redirect:<id> (apply would
 *                                                      change where it delivers)
 *   partly     delivers there, not everything          CHANGED, weaker
 *   excluded   left out with a reason                  NOTE (the exclusion's origin)
 *   unreadable its configuration could not be read     NOTE
 *   administrator  a GuardDuty member exported by its  NOTE (checked in the administrator's
 *              administrator, which the source covers  pair, against the same destinations)
 *   administrator-outside  ... by an administrator     CHANGED, weaker; apply makes no call
 *              the source does not cover               (a member's own export is not the fix)
 *
 * Config and GuardDuty have one producer per account and Region: a requirement of those types
 * with no producer read is MISSING on "*" (no recorder, no detector).
 */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "runtime/diff/diff_int.h"

/* "s3://bucket/prefix", "logs:<group>", or the ARN, for each destination of @p c. */
static char *s_wanted(struct lk_diff_ctx *c, const struct lk_ir_coverage *cov)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_LINE);
    for (size_t i = 0; i < cov->n_destinations; i++) {
        const struct lk_ir_destination *d = &cov->destinations[i];
        if (i)
            lk_buf_puts(&b, ", ");
        if (d->kind == LK_IR_DEST_S3 && d->bucket)
            lk_buf_printf(&b, "s3://%s/%s", d->bucket, d->prefix ? d->prefix : "");
        else if (d->kind == LK_IR_DEST_LOGS && d->log_group)
            lk_buf_printf(&b, "logs:%s", d->log_group);
        else
            lk_buf_puts(&b, d->arn ? d->arn : "?");
    }
    if (cov->log_types.n) {
        lk_buf_puts(&b, cov->n_destinations ? "; log types " : "log types ");
        lk_diff_join_list(&b, &cov->log_types);
    }
    if (cov->n_destinations == 0 && cov->log_types.n == 0)
        lk_buf_puts(&b, "delivering"); /* RDS: the engine's main log */
    return lk_diff_done(c, &b);
}

static void s_at(struct lk_diff_ctx *c, const struct lk_ir_coverage *cov, const char *name)
{
    c->res = LK_DIFF_PRODUCER;
    c->name = name;
    c->res_region = cov->region;
    c->res_origin = lk_ir_origin_or(&cov->origin, NULL);
    c->origin = c->res_origin;
}

/* The ARN of @p p: its own, else made from its ID where the type's ARN is (Service
 * Authorization Reference, "Resource types defined by Amazon EC2": vpc; "by Amazon GuardDuty":
 * detector); NULL for Config recorders (the API names them only) and "*". */
static char *s_producer_arn(struct lk_diff_ctx *c, const struct lk_ir_producer *p,
                            const struct lk_ir_state *live)
{
    if (p->arn)
        return lk_arena_strdup(&c->out->arena, p->arn);
    const char *region = p->region ? p->region : live->region;
    if (!strcmp(p->id, "*") || !live->account || !region)
        return NULL;
    if (p->type == LK_IR_PRODUCER_VPC_FLOW_LOGS || p->type == LK_IR_PRODUCER_RESOLVER_QUERY_LOGS)
        return lk_arena_printf(&c->out->arena, "arn:%s:ec2:%s:%s:vpc/%s", c->partition, region,
                               live->account, p->id);
    if (p->type == LK_IR_PRODUCER_GUARDDUTY)
        return lk_arena_printf(&c->out->arena, "arn:%s:guardduty:%s:%s:detector/%s", c->partition,
                               region, live->account, p->id);
    return NULL;
}

static void s_one(struct lk_diff_ctx *c, const struct lk_ir_coverage *cov,
                  const struct lk_ir_producer *p, const char *attr, const struct lk_ir_state *live)
{
    struct lk_ir_mismatch why;
    why.text[0] = '\0';
    enum lk_ir_coverage_status st = lk_ir_coverage_check(cov, p, &why);
    struct lk_diff_change *ch;
    switch (st) {
    case LK_IR_COVERAGE_NOT_SELECTED:
    case LK_IR_COVERAGE_DELIVERS:
        return;
    case LK_IR_COVERAGE_EXCLUDED: {
        const struct lk_ir_exclusion *ex = lk_ir_coverage_exclusion(cov, p);
        s_at(c, cov, p->id);
        if (ex != NULL)
            c->origin = lk_ir_origin_or(&ex->origin, c->res_origin);
        ch = lk_diff_add(c, attr, LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL);
        lk_diff_note(c, ch, "excluded: %s", ex && ex->reason ? ex->reason : "");
        ch->arn = s_producer_arn(c, p, live);
        return;
    }
    case LK_IR_COVERAGE_UNREADABLE:
        s_at(c, cov, p->id);
        ch = lk_diff_add(c, attr, LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL);
        lk_diff_note(c, ch, "cannot read: %s", why.text);
        ch->arn = s_producer_arn(c, p, live);
        return;
    case LK_IR_COVERAGE_MISSING:
        s_at(c, cov, p->id);
        ch = lk_diff_add(c, attr, LK_DIFF_MISSING, LK_DIFF_WEAKER, s_wanted(c, cov), NULL);
        lk_diff_note(c, ch, "%s", why.text);
        ch->arn = s_producer_arn(c, p, live);
        return;
    case LK_IR_COVERAGE_PARTLY:
        s_at(c, cov, p->id);
        ch = lk_diff_add(c, attr, LK_DIFF_CHANGED, LK_DIFF_WEAKER, s_wanted(c, cov), why.text);
        lk_diff_note(c, ch, "delivers partly: %s", why.text);
        ch->arn = s_producer_arn(c, p, live);
        return;
    case LK_IR_COVERAGE_ADMINISTRATOR:
        s_at(c, cov, p->id);
        ch = lk_diff_add(c, attr, LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL);
        lk_diff_note(c, ch, "covered through administrator %s's export, checked in that pair",
                     why.text);
        ch->arn = s_producer_arn(c, p, live);
        return;
    case LK_IR_COVERAGE_ADMINISTRATOR_OUTSIDE:
        /* Its findings go where the administrator exports them, which no requirement of this
         * source checks: weaker, as nothing shows they reach the store. */
        s_at(c, cov, p->id);
        ch = lk_diff_add(c, attr, LK_DIFF_CHANGED, LK_DIFF_WEAKER, s_wanted(c, cov),
                         lk_diff_fmt(c, LK_DIFF_NOTE_ADMINISTRATOR "%s", why.text));
        lk_diff_note(c, ch, LK_DIFF_NOTE_ADMINISTRATOR "%s, which this source does not cover",
                     why.text);
        ch->arn = s_producer_arn(c, p, live);
        return;
    case LK_IR_COVERAGE_ELSEWHERE:
        s_at(c, cov, p->id);
        ch = lk_diff_add(c, attr, LK_DIFF_CHANGED, LK_DIFF_WEAKER, s_wanted(c, cov), why.text);
        /* With enable, apply would make it deliver to the policy's destination too or instead,
         * over its owner's choice: never without --allow redirect:<resource>. Without enable
         * apply leaves it alone, so there is nothing to allow (drift only). */
        if (cov->enable) {
            ch->data_loss = true;
            lk_diff_allow(c, ch, "redirect:%s", p->id);
        }
        lk_diff_note(c, ch, "%s", LK_DIFF_NOTE_ELSEWHERE);
        ch->arn = s_producer_arn(c, p, live);
        return;
    }
}

/* Whether @p p was read in the Region of @p cov (a producer or requirement without a Region is
 * of the live state's). */
static bool s_same_region(const struct lk_ir_coverage *cov, const struct lk_ir_producer *p,
                          const struct lk_ir_state *live)
{
    const char *want = cov->region ? cov->region : live->region;
    const char *have = p->region ? p->region : live->region;
    if (want == NULL || have == NULL)
        return true; /* one Region, the client's */
    return strcmp(want, have) == 0;
}

/* Whether the producers of @p cov's Region were read into @p live: a Region of
 * live->producer_regions, or, in a state that lists none (one read before producers carried a
 * Region), the state's own. */
static bool s_region_read(const struct lk_ir_coverage *cov, const struct lk_ir_state *live)
{
    const char *want = cov->region ? cov->region : live->region;
    if (want == NULL)
        return true;
    if (live->producer_regions.n == 0)
        return live->region == NULL || strcmp(want, live->region) == 0;
    for (size_t i = 0; i < live->producer_regions.n; i++)
        if (strcmp(live->producer_regions.items[i], want) == 0)
            return true;
    return false;
}

void lk_diff_producers(struct lk_diff_ctx *c, const struct lk_ir_state *desired,
                       const struct lk_ir_state *live)
{
    for (size_t i = 0; i < desired->n_coverages; i++) {
        const struct lk_ir_coverage *cov = &desired->coverages[i];
        /* A Region not read (another pair's) is not decided here. */
        if (!s_region_read(cov, live))
            continue;
        char *attr = lk_diff_fmt(c, "%s[%s]", lk_ir_producer_type_name(cov->type),
                                 cov->source ? cov->source : "");
        size_t of_type = 0, tagged = 0;
        for (size_t k = 0; k < live->n_producers; k++) {
            const struct lk_ir_producer *p = &live->producers[k];
            if (p->type != cov->type || !s_same_region(cov, p, live))
                continue;
            of_type++;
            tagged += p->n_tags > 0;
            s_one(c, cov, p, attr, live);
        }
        /* A tags selector over producers none of which carries a tag (the reader reads the
         * tags of every type when a tags selector asks) selects nothing: say so rather than be
         * clean, as a misspelt key or untagged resources would otherwise pass unseen. */
        if (cov->n_tags > 0 && of_type > 0 && tagged == 0) {
            s_at(c, cov, "*");
            struct lk_diff_change *ch =
                lk_diff_add(c, attr, LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL);
            lk_diff_note(c, ch,
                         "none of the %zu producers read carries tags: the tags selector "
                         "selects none",
                         of_type);
        }
        /* One recorder or detector per account and Region: none read is none there. */
        if (of_type == 0 &&
            (cov->type == LK_IR_PRODUCER_CONFIG || cov->type == LK_IR_PRODUCER_GUARDDUTY)) {
            s_at(c, cov, "*");
            struct lk_diff_change *ch =
                lk_diff_add(c, attr, LK_DIFF_MISSING, LK_DIFF_WEAKER, s_wanted(c, cov), NULL);
            lk_diff_note(c, ch, "%s",
                         cov->type == LK_IR_PRODUCER_CONFIG ? "no configuration recorder"
                                                            : "no detector");
        }
    }
}

/* ------------------------------------------------------------------------------ stale */

/* An exclusion or ID of a source, and whether a producer of any pair matched it. */
struct s_named {
    const char *source;
    const char *id;
    bool exclusion; /* else an `ids` entry */
    bool matched;
    const struct lk_ir_coverage *cov;   /* the first requirement naming it */
    const struct lk_ir_exclusion *excl; /* when an exclusion */
    size_t pair;                        /* the pair of that requirement */
};

/* A source whose producers could not all be read somewhere: nothing about it is decided. */
struct s_undecided {
    const char *source;
};

static bool s_names_producer(const char *id, const struct lk_ir_producer *p)
{
    return strcmp(id, p->id) == 0 || (p->arn != NULL && strcmp(id, p->arn) == 0);
}

static bool s_in_undecided(const struct s_undecided *u, size_t n, const char *source)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(u[i].source, source) == 0)
            return true;
    return false;
}

static struct s_named *s_named_find(struct s_named *v, size_t n, const char *source, const char *id,
                                    bool exclusion)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].exclusion == exclusion && strcmp(v[i].source, source) == 0 &&
            strcmp(v[i].id, id) == 0)
            return &v[i];
    return NULL;
}

void lk_diff_producers_stale(struct lk_diff_ctx *c, const struct lk_ir_state *const *desired,
                             const struct lk_ir_state *const *live, size_t n,
                             struct lk_diff *const *outs)
{
    struct s_named *named = NULL;
    size_t n_named = 0, cap_named = 0;
    struct s_undecided *undecided = NULL;
    size_t n_undecided = 0, cap_undecided = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < desired[i]->n_coverages; k++) {
            const struct lk_ir_coverage *cov = &desired[i]->coverages[k];
            const char *source = cov->source ? cov->source : "";
            bool read = s_region_read(cov, live[i]);
            for (size_t p = 0; read && p < live[i]->n_producers; p++)
                if (live[i]->producers[p].type == cov->type && live[i]->producers[p].error &&
                    strcmp(live[i]->producers[p].id, "*") == 0 &&
                    s_same_region(cov, &live[i]->producers[p], live[i]))
                    read = false; /* the type's listing was refused there */
            if (!read && !s_in_undecided(undecided, n_undecided, source)) {
                LK_ARRAY_GROW(undecided, n_undecided, cap_undecided);
                undecided[n_undecided++].source = source;
            }
            for (size_t e = 0; e < cov->n_exclusions + cov->ids.n; e++) {
                bool excl = e < cov->n_exclusions;
                const char *id =
                    excl ? cov->exclusions[e].id : cov->ids.items[e - cov->n_exclusions];
                struct s_named *nm = s_named_find(named, n_named, source, id, excl);
                if (nm == NULL) {
                    LK_ARRAY_GROW(named, n_named, cap_named);
                    nm = &named[n_named++];
                    *nm = (struct s_named){.source = source,
                                           .id = id,
                                           .exclusion = excl,
                                           .cov = cov,
                                           .excl = excl ? &cov->exclusions[e] : NULL,
                                           .pair = i};
                }
                for (size_t p = 0; read && !nm->matched && p < live[i]->n_producers; p++)
                    nm->matched = live[i]->producers[p].type == cov->type &&
                                  s_same_region(cov, &live[i]->producers[p], live[i]) &&
                                  s_names_producer(id, &live[i]->producers[p]);
            }
        }
    }
    for (size_t i = 0; i < n_named; i++) {
        const struct s_named *nm = &named[i];
        if (nm->matched || s_in_undecided(undecided, n_undecided, nm->source))
            continue;
        if (outs != NULL && c->out != outs[nm->pair]) {
            /* Another diff: its own arena, so no origin string interned for the last one. */
            c->out = outs[nm->pair];
            c->interned = NULL;
            c->n_interned = c->cap_interned = 0;
        }
        char *attr = lk_diff_fmt(c, "%s[%s].%s", lk_ir_producer_type_name(nm->cov->type),
                                 nm->source, nm->exclusion ? "exclude" : "ids");
        c->res = LK_DIFF_PRODUCER;
        c->name = nm->id;
        c->res_region = NULL; /* every pair of the source */
        c->res_origin = lk_ir_origin_or(&nm->cov->origin, NULL);
        c->origin = nm->excl ? lk_ir_origin_or(&nm->excl->origin, c->res_origin) : c->res_origin;
        struct lk_diff_change *ch = lk_diff_add(c, attr, LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL);
        lk_diff_note(c, ch, "%s",
                     nm->exclusion ? "stale exclusion: no producer of the source "
                                     "has this ID in any pair read"
                                   : "no producer of the source has this ID in any "
                                     "pair read");
    }
    free(named);
    free(undecided);
}
