/*
 * logkeep: how a live producer stands against a coverage requirement (ir.h, "matching").
 *
 * The facts behind each rule are in docs/source-types.md, "Producers: is a source on": a VPC's
 * flow log delivers with traffic type ALL; a firewall logs ALERT and FLOW under separate
 * destinations; EKS and RDS deliver to log groups of their own naming, so only their log types
 * count; a status other than delivering, or a setting that drops records, makes it partial.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/glob.h"
#include "ir/ir.h"

static const char *const s_status_names[] = {
    "not-selected", "excluded",      "unreadable",
    "delivers",     "partly",        "elsewhere",
    "missing",      "administrator", "administrator-outside",
};

const char *lk_ir_coverage_status_name(enum lk_ir_coverage_status s)
{
    return (size_t)s < sizeof(s_status_names) / sizeof(s_status_names[0]) ? s_status_names[s] : "?";
}

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

/* The producer's ID, or its ARN, is @p id. */
static bool s_names(const struct lk_ir_producer *p, const char *id)
{
    return s_eq(p->id, id) || s_eq(p->arn, id);
}

bool lk_ir_coverage_selects(const struct lk_ir_coverage *c, const struct lk_ir_producer *p)
{
    if (c->type != p->type)
        return false;
    /* A listing AWS refused ("*"): which producers it hides is unknown, so every requirement of
     * the type sees it (and reports the pair and type as not checked). */
    if (p->error && !strcmp(p->id, "*"))
        return true;
    if (c->ids.n && !s_in(&c->ids, p->id) && !s_in(&c->ids, p->arn))
        return false;
    if (c->names.n) {
        bool any = false;
        for (size_t i = 0; i < c->names.n && !any && p->name; i++)
            any = lk_glob_match_c(c->names.items[i], p->name, 0);
        if (!any)
            return false;
    }
    /* A producer whose own read was refused may have tags it could not read: a tags selector
     * cannot leave it out, so it is reported as not checked rather than silently skipped. */
    if (p->error && p->n_tags == 0)
        return true;
    for (size_t i = 0; i < c->n_tags; i++) {
        bool has = false;
        for (size_t k = 0; k < p->n_tags && !has; k++)
            has = s_eq(p->tags[k].key, c->tags[i].key) && s_eq(p->tags[k].value, c->tags[i].value);
        if (!has)
            return false;
    }
    return true;
}

const struct lk_ir_exclusion *lk_ir_coverage_exclusion(const struct lk_ir_coverage *c,
                                                       const struct lk_ir_producer *p)
{
    for (size_t i = 0; i < c->n_exclusions; i++)
        if (s_names(p, c->exclusions[i].id))
            return &c->exclusions[i];
    return NULL;
}

bool lk_ir_same_folder(const char *a, const char *b)
{
    size_t na = a ? strlen(a) : 0, nb = b ? strlen(b) : 0;
    while (na && a[na - 1] == '/')
        na--;
    while (nb && b[nb - 1] == '/')
        nb--;
    return na == nb && (na == 0 || !memcmp(a, b, na));
}

/* The log group a live destination names: its log_group, else the name in its ARN
 * ("arn:...:log-group:<name>", a trailing ":*" dropped). Written into @p buf. */
static const char *s_log_group(const struct lk_ir_destination *d, char *buf, size_t size)
{
    if (d->log_group)
        return d->log_group;
    const char *at = d->arn ? strstr(d->arn, ":log-group:") : NULL;
    if (!at)
        return NULL;
    at += strlen(":log-group:");
    size_t n = strlen(at);
    if (n >= 2 && !strcmp(at + n - 2, ":*"))
        n -= 2;
    if (n >= size)
        return NULL;
    memcpy(buf, at, n);
    buf[n] = '\0';
    return buf;
}

bool lk_ir_destination_matches(const struct lk_ir_destination *want,
                               const struct lk_ir_destination *got)
{
    if (want->kind != got->kind)
        return false;
    if (want->kind == LK_IR_DEST_S3)
        return s_eq(want->bucket, got->bucket) && lk_ir_same_folder(want->prefix, got->prefix) &&
               (!want->kms_key_arn || s_eq(want->kms_key_arn, got->kms_key_arn));
    if (want->kind == LK_IR_DEST_LOGS) {
        char buf[600];
        const char *name = s_log_group(got, buf, sizeof(buf));
        if (!name || !want->log_group)
            return false;
        return want->pattern ? lk_glob_match_c(want->log_group, name, 0)
                             : !strcmp(want->log_group, name);
    }
    return s_eq(want->arn, got->arn);
}

static void s_why(struct lk_ir_mismatch *why, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void s_why(struct lk_ir_mismatch *why, const char *fmt, ...)
{
    if (!why)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why->text, sizeof(why->text), fmt, ap);
    va_end(ap);
}

/* Appends @p s to a ", "-separated list in @p buf. */
static void s_append(char *buf, size_t size, const char *s)
{
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, "%s%s", n ? ", " : "", s ? s : "");
}

/* EKS and RDS: the required log types against those the producer has on. */
static enum lk_ir_coverage_status s_check_log_types(const struct lk_ir_coverage *c,
                                                    const struct lk_ir_producer *p,
                                                    struct lk_ir_mismatch *why)
{
    const char *def = NULL;
    size_t n_required = c->log_types.n;
    if (!n_required && c->type == LK_IR_PRODUCER_RDS) {
        def = lk_ir_rds_default_log_type(p->engine);
        if (!def)
            return LK_IR_COVERAGE_NOT_SELECTED; /* Neptune, DocumentDB: not RDS's */
        n_required = 1;
    }
    char off[256] = "", pending[256] = "";
    for (size_t i = 0; i < n_required; i++) {
        const char *type = def ? def : c->log_types.items[i];
        if (s_in(&p->log_types, type))
            continue;
        s_append(off, sizeof(off), type);
        if (s_in(&p->pending_log_types, type))
            s_append(pending, sizeof(pending), type);
    }
    if (!off[0]) {
        if (p->partial) {
            s_why(why, "%s", p->partial);
            return LK_IR_COVERAGE_PARTLY;
        }
        return LK_IR_COVERAGE_DELIVERS;
    }
    if (pending[0])
        s_why(why, "log types not on: %s (pending: %s)", off, pending);
    else
        s_why(why, "log types not on: %s", off);
    return p->log_types.n ? LK_IR_COVERAGE_PARTLY : LK_IR_COVERAGE_MISSING;
}

/* How @p p stands by its own configuration. */
static enum lk_ir_coverage_status s_check_own(const struct lk_ir_coverage *c,
                                              const struct lk_ir_producer *p,
                                              struct lk_ir_mismatch *why)
{
    if (!lk_ir_coverage_selects(c, p))
        return LK_IR_COVERAGE_NOT_SELECTED;
    if (lk_ir_coverage_exclusion(c, p))
        return LK_IR_COVERAGE_EXCLUDED;
    if (p->error) {
        s_why(why, "%s", p->error);
        return LK_IR_COVERAGE_UNREADABLE;
    }
    if (!c->n_destinations)
        return s_check_log_types(c, p, why);

    size_t matched = 0;
    char problems[400] = "";
    const char *unmatched = NULL;
    for (size_t d = 0; d < c->n_destinations; d++) {
        const struct lk_ir_destination *want = &c->destinations[d];
        /* One configuration must do it all: the traffic type, and delivering (no status). */
        bool any = false, good = false;
        char traffic[64] = "", status[64] = "";
        for (size_t k = 0; k < p->n_destinations; k++) {
            const struct lk_ir_destination *got = &p->destinations[k];
            if (!lk_ir_destination_matches(want, got))
                continue;
            any = true;
            bool traffic_ok = !c->traffic_type || s_eq(got->traffic_type, c->traffic_type);
            if (traffic_ok && !got->status)
                good = true;
            if (!traffic_ok && !traffic[0])
                snprintf(traffic, sizeof(traffic), "%s",
                         got->traffic_type ? got->traffic_type : "unknown");
            if (got->status && !status[0])
                snprintf(status, sizeof(status), "%s", got->status);
        }
        if (!any) {
            if (!unmatched)
                unmatched = want->arn;
            continue;
        }
        matched++;
        if (!good) {
            char msg[160];
            if (traffic[0])
                snprintf(msg, sizeof(msg), "traffic type %s, not %s", traffic, c->traffic_type);
            else
                snprintf(msg, sizeof(msg), "status %s", status[0] ? status : "unknown");
            s_append(problems, sizeof(problems), msg);
            if (traffic[0] && status[0]) {
                snprintf(msg, sizeof(msg), "status %s", status);
                s_append(problems, sizeof(problems), msg);
            }
        }
        /* Types delivered under separate configurations (Network Firewall ALERT and FLOW). */
        for (size_t t = 0; t < c->log_types.n; t++) {
            bool has = false;
            for (size_t k = 0; k < p->n_destinations && !has; k++)
                has = lk_ir_destination_matches(want, &p->destinations[k]) &&
                      s_eq(p->destinations[k].log_type, c->log_types.items[t]) &&
                      !p->destinations[k].status;
            if (!has) {
                char msg[96];
                snprintf(msg, sizeof(msg), "no %s logs", c->log_types.items[t]);
                s_append(problems, sizeof(problems), msg);
            }
        }
    }
    if (!matched) {
        if (p->enabled && p->n_destinations) {
            const struct lk_ir_destination *got = &p->destinations[0];
            if (got->kind == LK_IR_DEST_S3)
                s_why(why, "delivers to s3://%s/%s", got->bucket ? got->bucket : "?",
                      got->prefix ? got->prefix : "");
            else
                s_why(why, "delivers to %s", got->arn ? got->arn : "?");
            return LK_IR_COVERAGE_ELSEWHERE;
        }
        s_why(why, "no delivery to %s", unmatched ? unmatched : "the destination");
        return LK_IR_COVERAGE_MISSING;
    }
    if (matched < c->n_destinations) {
        char msg[200];
        snprintf(msg, sizeof(msg), "no delivery to %s", unmatched ? unmatched : "?");
        s_append(problems, sizeof(problems), msg);
    }
    if (!p->enabled)
        s_append(problems, sizeof(problems), "logging is off");
    if (p->partial)
        s_append(problems, sizeof(problems), p->partial);
    if (problems[0]) {
        s_why(why, "%s", problems);
        return LK_IR_COVERAGE_PARTLY;
    }
    return LK_IR_COVERAGE_DELIVERS;
}

/* "If you enable findings export in a GuardDuty master account, all findings from associated
 * member accounts that are generated in the current Region are also exported to the same
 * location" (GuardDuty User Guide, "Exporting findings"): a member whose relationship is Enabled
 * is covered when the requirement also covers its administrator's account, whose own pair
 * checks that export against the same destinations. Any other relationship status (Invited,
 * Removed, Disabled, ...) exports nothing for the member. */
static enum lk_ir_coverage_status s_check_administrator(const struct lk_ir_coverage *c,
                                                        const struct lk_ir_producer *p,
                                                        enum lk_ir_coverage_status own,
                                                        struct lk_ir_mismatch *why)
{
    if (p->type != LK_IR_PRODUCER_GUARDDUTY || !p->administrator_account ||
        !s_eq(p->administrator_status, "Enabled"))
        return own;
    if (s_in(&c->accounts, p->administrator_account)) {
        s_why(why, "%s", p->administrator_account);
        return LK_IR_COVERAGE_ADMINISTRATOR;
    }
    /* A detector that exports elsewhere or partly by itself keeps that finding. */
    if (own != LK_IR_COVERAGE_MISSING)
        return own;
    s_why(why, "%s", p->administrator_account);
    return LK_IR_COVERAGE_ADMINISTRATOR_OUTSIDE;
}

enum lk_ir_coverage_status lk_ir_coverage_check(const struct lk_ir_coverage *c,
                                                const struct lk_ir_producer *p,
                                                struct lk_ir_mismatch *why)
{
    if (why)
        why->text[0] = '\0';
    enum lk_ir_coverage_status own = s_check_own(c, p, why);
    if (own == LK_IR_COVERAGE_PARTLY || own == LK_IR_COVERAGE_ELSEWHERE ||
        own == LK_IR_COVERAGE_MISSING)
        return s_check_administrator(c, p, own, why); /* "why" rewritten only when it decides */
    return own;
}
