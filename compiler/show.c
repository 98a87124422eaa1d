/*
 * logkeep: a source's timeline for `logkeep show` (see show.h).
 */
#include "compiler/show.h"

#include <stdlib.h>

#include "common/arena.h"
#include "compiler/check_int.h"
#include "compiler/duration.h"

/* Years tried when naming a deletion day in years: the longest finite duration a policy may
 * say is 100 years (LK_DURATION_MAX_DAYS, duration.h). */
#define S_MAX_YEARS 100

static void s_add(struct lk_show_timeline *t, enum lk_show_event_kind kind, int64_t day,
                  enum lk_storage_class storage_class)
{
    t->events[t->n++] = (struct lk_show_event){kind, day, storage_class};
}

bool lk_show_timeline(const struct lk_source *src, struct lk_show_timeline *out)
{
    const struct lk_retention *r = src->retention;
    *out = (struct lk_show_timeline){0};
    if (!r)
        return false;
    bool s3 = src->store != NULL;
    /* Day 0, each tier, the window's end once, and the deletion (or forever). */
    out->events = lk_xcalloc(r->n_tiers + 3, sizeof(*out->events));
    out->in_s3 = s3;
    int64_t avail = lk_retention_available_days(r);
    s_add(out, LK_SHOW_AVAILABLE, 0, 0);
    bool window_end = false;
    for (size_t i = 0; s3 && i < r->n_tiers; i++) {
        if (!window_end && avail >= 0 && avail <= r->tiers[i].after.days && r->available.set) {
            s_add(out, LK_SHOW_WINDOW_END, avail, 0);
            window_end = true;
        }
        s_add(out, LK_SHOW_TIER, r->tiers[i].after.days, r->tiers[i].storage_class);
    }
    if (!window_end && s3 && r->available.set && avail >= 0 &&
        (r->delete_after.forever || avail < r->delete_after.days))
        s_add(out, LK_SHOW_WINDOW_END, avail, 0);
    if (r->delete_after.forever) {
        s_add(out, LK_SHOW_FOREVER, -1, 0);
        return true;
    }
    s_add(out, LK_SHOW_DELETED, r->delete_after.days, 0);
    /* Named in years too when the days are a whole number of years as lk_years_to_days()
     * counts them (one count per number of days). */
    for (int64_t y = 1; y <= S_MAX_YEARS; y++)
        if (lk_years_to_days(y) == r->delete_after.days)
            out->delete_years = y;
    /* A store is versioned unless it says otherwise; Object Lock needs versioning. */
    out->versioned = s3 && (!src->store->versioning.set || src->store->versioning.v ||
                            src->store->object_lock.set);
    return true;
}

void lk_show_timeline_free(struct lk_show_timeline *t)
{
    free(t->events);
    *t = (struct lk_show_timeline){0};
}

const struct lk_ir_log_group *lk_show_log_group(const struct lk_ir_state *st, struct lk_str name)
{
    for (size_t i = 0; i < st->n_log_groups; i++)
        if (lk_str_eq_c(name, st->log_groups[i].name))
            return &st->log_groups[i];
    return NULL;
}

bool lk_show_other_account(const struct lk_policy *p, struct lk_str principal,
                           struct lk_str *account)
{
    struct lk_arn a;
    if (!p->account.set)
        return false;
    if (lk_account_id_valid(principal))
        *account = principal;
    else if (lk_arn_split(principal, &a) && lk_account_id_valid(a.account))
        *account = a.account;
    else
        return false;
    return !lk_str_eq(*account, p->account.v);
}
