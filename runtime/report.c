/*
 * logkeep runtime: drift and plan reports (see report.h).
 *
 * Each format is rendered into a heap buffer, then written with one fwrite(): a failed write is
 * then one check, and nothing is half-written because of a rendering error.
 */
#include "runtime/report.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/array.h"
#include "common/buf.h"
#include "common/escape.h"

/* ------------------------------------------------------------------------------ shared */

static const char *s_opt(const char *s, const char *fallback)
{
    return s ? s : fallback;
}

/* "(resource)" for the attribute "" (the resource as a whole). */
static const char *s_attr(const struct lk_diff_change *ch)
{
    return ch->attribute && *ch->attribute ? ch->attribute : "(resource)";
}

static bool s_is_drift(const struct lk_diff_change *ch)
{
    return ch->kind != LK_DIFF_NOTE;
}

/* A failure in JUnit terms: the live state is weaker than the policy, or misses something. */
static bool s_is_failure(const struct lk_diff_change *ch)
{
    return s_is_drift(ch) && (ch->direction == LK_DIFF_WEAKER || ch->kind == LK_DIFF_MISSING);
}

/* One line for a change, in the spirit of lk_diff_render_text():
 * "+ attr = desired", "~ attr: live -> desired", "- attr = live", "# attr: note", then the
 * direction, the --allow name and the explanation. */
static void s_change_line(struct lk_buf *b, const struct lk_diff_change *ch)
{
    switch (ch->kind) {
    case LK_DIFF_MISSING:
        lk_buf_printf(b, "+ %s = %s", s_attr(ch), s_opt(ch->desired, "(absent)"));
        break;
    case LK_DIFF_CHANGED:
        lk_buf_printf(b, "~ %s: %s -> %s", s_attr(ch), s_opt(ch->live, "(absent)"),
                      s_opt(ch->desired, "(absent)"));
        break;
    case LK_DIFF_EXTRA:
        lk_buf_printf(b, "- %s = %s", s_attr(ch), s_opt(ch->live, "(absent)"));
        break;
    case LK_DIFF_NOTE:
        lk_buf_printf(b, "# %s: %s", s_attr(ch), s_opt(ch->note, ""));
        break;
    }
    if (ch->kind != LK_DIFF_NOTE) {
        if (ch->direction != LK_DIFF_NEUTRAL)
            lk_buf_printf(b, " [%s]", lk_diff_direction_name(ch->direction));
        if (ch->data_loss && ch->allow_name)
            lk_buf_printf(b, " (needs --allow %s)", ch->allow_name);
        if (ch->note)
            lk_buf_printf(b, " (%s)", ch->note);
    }
}

/* The counts of the title: drift only (notes are not differences). */
static size_t s_differences(const struct lk_diff_summary *sum)
{
    return sum->to_add + sum->to_change + sum->to_remove;
}

static const char *const s_kind_titles[] = {"Buckets", "Log groups", "Trails",
                                            "Unmanaged log groups", "Unmanaged stores"};

static const char *s_kind_title(enum lk_diff_resource r)
{
    return (size_t)r < sizeof(s_kind_titles) / sizeof(s_kind_titles[0]) ? s_kind_titles[r]
                                                                        : "Resources";
}

/* Appends @p part to @p b; a part that passed its cap fails @p b. */
static void s_append_part(struct lk_buf *b, const struct lk_buf *part)
{
    if (lk_buf_failed(part))
        lk_buf_fail(b);
    else if (part->len)
        lk_buf_append(b, part->data, part->len);
}

/* ------------------------------------------------------------------------------ JSON */

static cJSON *s_jnew(cJSON *item)
{
    if (!item)
        lk_oom();
    return item;
}

static cJSON *s_jadd(cJSON *obj, const char *key, cJSON *item)
{
    if (!cJSON_AddItemToObject(obj, key, s_jnew(item)))
        lk_oom();
    return item;
}

static cJSON *s_jstr(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static void s_jpush(cJSON *arr, cJSON *item)
{
    if (!cJSON_AddItemToArray(arr, s_jnew(item)))
        lk_oom();
}

/* The context, absent members as null. */
static cJSON *s_json_context(const struct lk_report_context *ctx)
{
    cJSON *o = s_jnew(cJSON_CreateObject());
    s_jadd(o, "account", s_jstr(ctx->account));
    s_jadd(o, "region", s_jstr(ctx->region));
    cJSON *paths = s_jadd(o, "policy_paths", cJSON_CreateArray());
    for (size_t i = 0; i < ctx->n_policy_paths; i++)
        s_jpush(paths, s_jstr(ctx->policy_paths[i]));
    s_jadd(o, "resources_read", cJSON_CreateNumber((double)ctx->resources_read));
    s_jadd(o, "unmanaged_log_groups", cJSON_CreateNumber((double)ctx->unmanaged_log_groups));
    s_jadd(o, "unmanaged_stores", cJSON_CreateNumber((double)ctx->unmanaged_stores));
    s_jadd(o, "generated_at", s_jstr(ctx->generated_at));
    return o;
}

static void s_print_json(struct lk_buf *b, cJSON *root)
{
    char *text = cJSON_Print(root);
    if (!text)
        lk_oom();
    lk_buf_puts(b, text);
    lk_buf_putc(b, '\n');
    free(text);
}

static void s_arn(struct lk_buf *b, const struct lk_diff_change *ch,
                  const struct lk_report_context *ctx);

/* Each change's account and ARN (docs/plan-json.md): the full list of what a grouped line of
 * the text and Markdown reports counts. The ARN is null for a note about a pattern or a source
 * and for a producer without one (a Config recorder, "*": none in the pair). */
static void s_json_resources(cJSON *root, const struct lk_diff *d,
                             const struct lk_report_context *ctx)
{
    cJSON *changes = cJSON_GetObjectItemCaseSensitive(root, "changes");
    struct lk_buf arn;
    lk_buf_init(&arn, LK_BUF_MAX_LINE);
    size_t i = 0;
    for (cJSON *o = changes ? changes->child : NULL; o && i < d->n; o = o->next, i++) {
        const struct lk_diff_change *ch = &d->changes[i];
        s_jadd(o, "account", s_jstr(ctx->account));
        bool known = ch->resource == LK_DIFF_PRODUCER
                         ? ch->arn != NULL
                         : !(ch->kind == LK_DIFF_NOTE && ch->name && strchr(ch->name, '*'));
        lk_buf_reset(&arn);
        if (known)
            s_arn(&arn, ch, ctx);
        s_jadd(o, "arn",
               known && lk_buf_cstr(&arn) ? s_jstr(lk_buf_cstr(&arn)) : cJSON_CreateNull());
    }
    lk_buf_free(&arn);
}

static void s_render_json(struct lk_buf *b, const struct lk_diff *d,
                          const struct lk_report_context *ctx)
{
    char *text = lk_diff_to_json(d);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    /* lk_diff_to_json() only fails for want of memory; what it prints, cJSON reads back. */
    if (!root)
        lk_oom();
    /* The report's version (docs/plan-json.md) in place of the diff's own number. */
    if (!cJSON_ReplaceItemInObjectCaseSensitive(
            root, "format_version", s_jnew(cJSON_CreateString(LK_REPORT_JSON_FORMAT_VERSION))))
        lk_oom();
    s_json_resources(root, d, ctx);
    s_jadd(root, "context", s_json_context(ctx));
    s_print_json(b, root);
    cJSON_Delete(root);
}

/* ------------------------------------------------------------------------------ grouping */

static const char *const s_kind_nouns[] = {
    "buckets", "log groups", "trails", "unmanaged log groups", "unmanaged stores", "keys"};

static const char *s_kind_noun(enum lk_diff_resource r)
{
    return (size_t)r < sizeof(s_kind_nouns) / sizeof(s_kind_nouns[0]) ? s_kind_nouns[r]
                                                                      : "resources";
}

/* The --allow name of @p ch without its resource's name: "shorten-retention:" when the name is
 * "shorten-retention:<name>" (*per_name set), else the whole name. @return its length. */
static size_t s_allow_verb(const struct lk_diff_change *ch, bool *per_name)
{
    *per_name = false;
    if (!ch->allow_name)
        return 0;
    size_t a = strlen(ch->allow_name);
    size_t n = ch->name ? strlen(ch->name) : 0;
    if (n && a > n + 1 && ch->allow_name[a - n - 1] == ':' &&
        !strcmp(ch->allow_name + a - n, ch->name)) {
        *per_name = true;
        return a - n;
    }
    return a;
}

static int s_strcmp_null(const char *x, const char *y)
{
    if (!x || !y)
        return x ? 1 : (y ? -1 : 0);
    return strcmp(x, y);
}

/* Orders changes by everything a grouped row shows once, then by their place in the diff: equal
 * keys are neighbours, and each run is in the diff's order. */
static int s_cmp_group(const void *a, const void *b)
{
    const struct lk_diff_change *x = *(const struct lk_diff_change *const *)a;
    const struct lk_diff_change *y = *(const struct lk_diff_change *const *)b;
    int c;
    if (x->resource != y->resource)
        return x->resource < y->resource ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->direction != y->direction)
        return x->direction < y->direction ? -1 : 1;
    if (x->data_loss != y->data_loss)
        return x->data_loss ? 1 : -1;
    if ((c = s_strcmp_null(x->region, y->region)) ||
        (c = s_strcmp_null(x->attribute, y->attribute)) || (c = s_strcmp_null(x->live, y->live)) ||
        (c = s_strcmp_null(x->desired, y->desired)) || (c = s_strcmp_null(x->note, y->note)) ||
        (c = s_strcmp_null(x->origin.file, y->origin.file)))
        return c;
    if (x->origin.line != y->origin.line)
        return x->origin.line < y->origin.line ? -1 : 1;
    if (x->origin.column != y->origin.column)
        return x->origin.column < y->origin.column ? -1 : 1;
    bool xp, yp;
    size_t xa = s_allow_verb(x, &xp), ya = s_allow_verb(y, &yp);
    if (xp != yp)
        return xp ? 1 : -1;
    if (xa != ya)
        return xa < ya ? -1 : 1;
    if (xa && (c = memcmp(x->allow_name, y->allow_name, xa)))
        return c;
    return x < y ? -1 : (x > y ? 1 : 0);
}

/* How the changes of a diff fall into rows: a change is alone (count 1), leads a group (count
 * its members, next[] the following member) or follows a leader (count 0). */
struct s_groups {
    size_t *count; /* owned: per change */
    size_t *next;  /* owned: per change, the next member of its group, or SIZE_MAX */
};

static void s_groups_build(struct s_groups *g, const struct lk_diff *d)
{
    size_t n = d->n ? d->n : 1;
    g->count = lk_xcalloc(n, sizeof(*g->count));
    g->next = lk_xcalloc(n, sizeof(*g->next));
    const struct lk_diff_change **order = lk_xcalloc(n, sizeof(*order));
    for (size_t i = 0; i < d->n; i++) {
        order[i] = &d->changes[i];
        g->count[i] = 1;
        g->next[i] = SIZE_MAX;
    }
    qsort(order, d->n, sizeof(*order), s_cmp_group);
    for (size_t i = 0; i < d->n;) {
        size_t j = i + 1;
        while (j < d->n) {
            const struct lk_diff_change *x = order[i], *y = order[j];
            /* Equal but for their place: the comparison without its last key. */
            bool same =
                x->resource == y->resource && x->kind == y->kind && x->direction == y->direction &&
                x->data_loss == y->data_loss && !s_strcmp_null(x->region, y->region) &&
                !s_strcmp_null(x->attribute, y->attribute) && !s_strcmp_null(x->live, y->live) &&
                !s_strcmp_null(x->desired, y->desired) && !s_strcmp_null(x->note, y->note) &&
                !s_strcmp_null(x->origin.file, y->origin.file) &&
                x->origin.line == y->origin.line && x->origin.column == y->origin.column;
            if (same) {
                bool xp, yp;
                size_t xa = s_allow_verb(x, &xp), ya = s_allow_verb(y, &yp);
                same = xp == yp && xa == ya && (!xa || !memcmp(x->allow_name, y->allow_name, xa));
            }
            if (!same)
                break;
            j++;
        }
        /* Producers alike are one line however few (the "14 VPCs in account A, ..."). */
        if (j - i >= LK_REPORT_GROUP_MIN || (j - i > 1 && order[i]->resource == LK_DIFF_PRODUCER)) {
            size_t lead = (size_t)(order[i] - d->changes);
            g->count[lead] = j - i;
            for (size_t k = i + 1; k < j; k++) {
                size_t m = (size_t)(order[k] - d->changes);
                g->count[m] = 0;
                g->next[(size_t)(order[k - 1] - d->changes)] = m;
            }
        }
        i = j;
    }
    free(order);
}

static void s_groups_free(struct s_groups *g)
{
    free(g->count);
    free(g->next);
}

/* ------------------------------------------------------------------------------ Markdown */

static void s_md_value(struct lk_buf *b, const char *s)
{
    if (s)
        lk_md_escape(b, s);
    else
        lk_buf_puts(b, "*absent*");
}

/* "file:line" of an origin, escaped. */
static void s_md_origin(struct lk_buf *b, const struct lk_ir_origin *o)
{
    struct lk_buf at;
    lk_buf_init(&at, LK_BUF_MAX_LINE);
    lk_buf_printf(&at, "%s:%u", o->file, o->line);
    const char *text = lk_buf_cstr(&at);
    if (text)
        lk_md_escape(b, text);
    else
        lk_buf_fail(b); /* a part that could not be rendered refuses the whole report */
    lk_buf_free(&at);
}

/* The first names of the group of @p count that change @p i leads, then "and N more". */
static void s_md_examples(struct lk_buf *b, const struct lk_diff *d, const struct s_groups *g,
                          size_t i, size_t count)
{
    size_t shown = 0;
    for (size_t m = i; m != SIZE_MAX && shown < LK_REPORT_GROUP_EXAMPLES; m = g->next[m]) {
        if (shown++)
            lk_buf_puts(b, ", ");
        lk_md_escape(b, s_opt(d->changes[m].name, ""));
    }
    if (count > shown)
        lk_buf_printf(b, " and %zu more", count - shown);
}

/* The resource of a row: its name, or for a group of @p count the count, the kind and the first
 * names; then the region. */
static void s_md_resource(struct lk_buf *b, const struct lk_diff *d, const struct s_groups *g,
                          size_t i, const char *account)
{
    const struct lk_diff_change *ch = &d->changes[i];
    size_t count = g->count[i];
    if (ch->resource == LK_DIFF_PRODUCER) {
        /* "3 VPCs in account A, eu-west-1, have no flow log to s3://...: vpc-1, vpc-2, vpc-3" */
        struct lk_buf line;
        lk_buf_init(&line, LK_BUF_MAX_LINE);
        lk_diff_producer_sentence(&line, ch, count ? count : 1, account);
        const char *text = lk_buf_cstr(&line);
        if (text)
            lk_md_escape(b, text);
        else
            lk_buf_fail(b);
        lk_buf_free(&line);
        lk_buf_puts(b, ": ");
        s_md_examples(b, d, g, i, count);
        return;
    }
    if (count > 1)
        lk_buf_printf(b, "**%zu** %s", count, s_kind_noun(ch->resource));
    else
        lk_md_escape(b, s_opt(ch->name, ""));
    if (ch->region) {
        lk_buf_puts(b, " (");
        lk_md_escape(b, ch->region);
        lk_buf_putc(b, ')');
    }
    if (count > 1) {
        lk_buf_puts(b, ": ");
        s_md_examples(b, d, g, i, count);
    }
}

/* @param origins the table has the Origin column (some change has an origin). */
static void s_md_row(struct lk_buf *b, const struct lk_diff *d, const struct s_groups *g, size_t i,
                     bool origins, const char *account)
{
    const struct lk_diff_change *ch = &d->changes[i];
    if (origins) {
        lk_buf_puts(b, "| ");
        if (ch->origin.file)
            s_md_origin(b, &ch->origin);
        lk_buf_putc(b, ' ');
    }
    lk_buf_puts(b, "| ");
    if (ch->direction == LK_DIFF_WEAKER)
        lk_buf_puts(b, "**weaker** ");
    s_md_resource(b, d, g, i, account);
    lk_buf_puts(b, " | ");
    lk_md_escape(b, s_attr(ch));
    lk_buf_puts(b, " | ");
    lk_md_escape(b, lk_diff_kind_name(ch->kind));
    if (ch->data_loss && ch->allow_name) {
        lk_buf_puts(b, ", needs --allow ");
        bool per_name;
        size_t verb = s_allow_verb(ch, &per_name);
        if (g->count[i] > 1 && per_name) {
            /* One allow name per member: "shorten-retention:NAME" says its form. */
            struct lk_buf v;
            lk_buf_init(&v, LK_BUF_MAX_LINE);
            lk_buf_append(&v, ch->allow_name, verb);
            lk_buf_puts(&v, "NAME");
            const char *text = lk_buf_cstr(&v);
            if (text)
                lk_md_escape(b, text);
            else
                lk_buf_fail(b);
            lk_buf_free(&v);
            lk_buf_puts(b, " for each");
        } else {
            lk_md_escape(b, ch->allow_name);
        }
    }
    if (ch->note) {
        lk_buf_puts(b, ": ");
        lk_md_escape(b, ch->note);
    }
    lk_buf_puts(b, " | ");
    s_md_value(b, ch->live);
    lk_buf_puts(b, " | ");
    s_md_value(b, ch->desired);
    lk_buf_puts(b, " | ");
    lk_buf_puts(b, lk_diff_direction_name(ch->direction));
    lk_buf_puts(b, " |\n");
}

/* A note's line of the <details> block. */
static void s_md_note(struct lk_buf *b, const struct lk_diff *d, const struct s_groups *g, size_t i,
                      const char *account)
{
    const struct lk_diff_change *ch = &d->changes[i];
    lk_buf_puts(b, "- ");
    if (g->count[i] == 1 && ch->resource != LK_DIFF_PRODUCER) {
        lk_md_escape(b, lk_diff_resource_name(ch->resource));
        lk_buf_putc(b, ' ');
    }
    s_md_resource(b, d, g, i, account);
    if (ch->attribute && *ch->attribute) {
        lk_buf_puts(b, ", ");
        lk_md_escape(b, ch->attribute);
    }
    lk_buf_puts(b, ": ");
    lk_md_escape(b, s_opt(ch->note, "note"));
    if (ch->origin.file) {
        lk_buf_puts(b, " (");
        s_md_origin(b, &ch->origin);
        lk_buf_putc(b, ')');
    }
    lk_buf_putc(b, '\n');
}

static void s_md_context(struct lk_buf *b, const struct lk_report_context *ctx)
{
    bool any = false;
    if (ctx->account) {
        lk_buf_puts(b, "Account ");
        lk_md_escape(b, ctx->account);
        any = true;
    }
    if (ctx->region) {
        lk_buf_puts(b, any ? ", region " : "Region ");
        lk_md_escape(b, ctx->region);
        any = true;
    }
    if (ctx->resources_read) {
        lk_buf_printf(b, "%s%zu resources read", any ? ", " : "", ctx->resources_read);
        any = true;
    }
    if (ctx->unmanaged_log_groups) {
        lk_buf_printf(b, "%s%zu unmanaged log groups", any ? ", " : "", ctx->unmanaged_log_groups);
        any = true;
    }
    if (ctx->unmanaged_stores) {
        lk_buf_printf(b, "%s%zu unmanaged store%s", any ? ", " : "", ctx->unmanaged_stores,
                      ctx->unmanaged_stores == 1 ? "" : "s");
        any = true;
    }
    for (size_t i = 0; i < ctx->n_policy_paths; i++) {
        if (!ctx->policy_paths[i])
            continue;
        lk_buf_puts(b, any ? (i == 0 ? ", policy " : " ") : "Policy ");
        lk_md_escape(b, ctx->policy_paths[i]);
        any = true;
    }
    if (ctx->generated_at) {
        lk_buf_puts(b, any ? ", generated " : "Generated ");
        lk_md_escape(b, ctx->generated_at);
        any = true;
    }
    if (any)
        lk_buf_puts(b, ".\n\n");
}

/* What a budgeted Markdown report left out. */
struct s_md_cut {
    size_t drift_hidden, drift_total; /* differences (changes, not rows) */
    size_t notes_hidden, notes_total;
};

/* The line saying what was cut and where the complete report is (@p full_report, or how to
 * get one when NULL). */
static void s_md_cut_line(struct lk_buf *b, size_t max_bytes, const char *what,
                          const char *full_report)
{
    lk_buf_printf(b, "\n**Cut to fit %zu bytes**: %s.", max_bytes, what);
    if (full_report) {
        lk_buf_puts(b, " The full list is in the JSON report ");
        lk_md_escape(b, full_report);
        lk_buf_puts(b, ".\n");
    } else {
        lk_buf_puts(b, " For the full list, run again with --json-report FILE or --format json.\n");
    }
}

static void s_md_cut_what(struct lk_buf *b, const struct s_md_cut *c)
{
    lk_buf_printf(b, "%zu of %zu difference%s and %zu of %zu note%s not shown", c->drift_hidden,
                  c->drift_total, c->drift_total == 1 ? "" : "s", c->notes_hidden, c->notes_total,
                  c->notes_total == 1 ? "" : "s");
}

/* The cut line's length for @p c (an upper bound for smaller counts of the same totals). */
static size_t s_md_cut_len(size_t max_bytes, const struct s_md_cut *c, const char *full_report)
{
    struct lk_buf what, line;
    lk_buf_init(&what, LK_BUF_MAX_LINE);
    lk_buf_init(&line, LK_BUF_MAX_REPORT);
    s_md_cut_what(&what, c);
    s_md_cut_line(&line, max_bytes, s_opt(lk_buf_cstr(&what), ""), full_report);
    size_t n = lk_buf_failed(&line) ? SIZE_MAX / 4 : line.len;
    lk_buf_free(&what);
    lk_buf_free(&line);
    return n;
}

static size_t s_md_budget(size_t max_bytes)
{
    if (max_bytes == 0)
        return LK_REPORT_MARKDOWN_SUMMARY_BYTES;
    return max_bytes < LK_REPORT_MARKDOWN_MIN_BYTES ? LK_REPORT_MARKDOWN_MIN_BYTES : max_bytes;
}

/* Appends @p part to @p b when @p b then still leaves @p keep bytes of @p max_bytes free.
 * @return whether it did (a failed part fails @p b, and counts as done). */
static bool s_md_fits(struct lk_buf *b, const struct lk_buf *part, size_t keep, size_t max_bytes)
{
    if (lk_buf_failed(part)) {
        lk_buf_fail(b);
        return true;
    }
    if (b->len + part->len + keep > max_bytes)
        return false;
    s_append_part(b, part);
    return true;
}

/* The Markdown report of @p d in at most @p max_bytes (SIZE_MAX: no budget). */
static void s_render_markdown(struct lk_buf *b, const struct lk_diff *d,
                              const struct lk_report_context *ctx, size_t max_bytes)
{
    struct lk_diff_summary sum;
    lk_diff_summarize(d, &sum);
    size_t n = s_differences(&sum);
    struct lk_buf title, head;
    lk_buf_init(&title, LK_BUF_MAX_LINE);
    lk_buf_init(&head, LK_BUF_MAX_REPORT);
    if (n == 0)
        lk_buf_puts(&title, "## logkeep drift: in sync\n\n");
    else
        lk_buf_printf(&title, "## logkeep drift: %zu difference%s (%zu weaker than policy)\n\n", n,
                      n == 1 ? "" : "s", sum.weaker);
    s_md_context(&head, ctx);
    if (n) {
        lk_buf_printf(&head, "%zu to add, %zu to change, %zu to remove", sum.to_add, sum.to_change,
                      sum.to_remove);
        if (sum.unmanaged_stores)
            lk_buf_printf(&head, " (%zu of them unmanaged store%s that apply leaves alone)",
                          sum.unmanaged_stores, sum.unmanaged_stores == 1 ? "" : "s");
        lk_buf_printf(&head, "; %zu stronger than policy; %zu need --allow.\n\n", sum.stronger,
                      sum.need_allow);
    }

    struct s_md_cut cut = {n, n, sum.notes, sum.notes};
    const char *full = ctx->full_report;
    size_t keep = 0; /* the cut line's room, kept free until everything is in */
    if (max_bytes != SIZE_MAX) {
        keep = s_md_cut_len(max_bytes, &cut, full);
        if (b->len + title.len + keep > max_bytes) {
            full = NULL; /* a path too long to name */
            keep = s_md_cut_len(max_bytes, &cut, full);
        }
    }
    s_append_part(b, &title);
    /* The context goes without when it does not fit (long policy paths): the title stays. */
    s_md_fits(b, &head, keep, max_bytes);
    lk_buf_free(&title);
    lk_buf_free(&head);

    struct s_groups g;
    s_groups_build(&g, d);

    /* Where the policy says it, first: a diff made from a policy has it for nearly every row,
     * one made otherwise (a hand-built one) for none, and then goes without the column. */
    bool origins = false;
    for (size_t i = 0; i < d->n && !origins; i++)
        origins = s_is_drift(&d->changes[i]) && d->changes[i].origin.file;

    /* The diff is sorted by resource kind first: one table per run of a kind. Each row goes in
     * only with room left for the table's end and the cut line; the first that does not fit
     * ends the tables. */
    struct lk_buf row;
    lk_buf_init(&row, LK_BUF_MAX_REPORT);
    bool open = false, cut_here = false;
    enum lk_diff_resource current = LK_DIFF_BUCKET;
    for (size_t i = 0; i < d->n && !cut_here; i++) {
        const struct lk_diff_change *ch = &d->changes[i];
        if (!s_is_drift(ch) || g.count[i] == 0)
            continue;
        lk_buf_reset(&row);
        bool opens = !open || ch->resource != current;
        if (opens) {
            if (open)
                lk_buf_putc(&row, '\n');
            lk_buf_printf(&row, "### %s\n\n", s_kind_title(ch->resource));
            if (origins)
                lk_buf_puts(&row, "| Origin ");
            lk_buf_puts(&row, "| Resource | Attribute | Change | Live | Policy | Direction |\n");
            if (origins)
                lk_buf_puts(&row, "|---");
            lk_buf_puts(&row, "|---|---|---|---|---|---|\n");
        }
        s_md_row(&row, d, &g, i, origins, ctx->account);
        if (!s_md_fits(b, &row, keep + 1, max_bytes)) {
            cut_here = true;
            break;
        }
        if (opens) {
            open = true;
            current = ch->resource;
        }
        cut.drift_hidden -= g.count[i];
    }
    if (open)
        lk_buf_putc(b, '\n');

    static const char details_end[] = "\n</details>\n";
    if (sum.notes && !cut_here) {
        bool opened = false;
        for (size_t i = 0; i < d->n; i++) {
            if (s_is_drift(&d->changes[i]) || g.count[i] == 0)
                continue;
            lk_buf_reset(&row);
            if (!opened)
                lk_buf_printf(&row, "<details>\n<summary>%zu note%s</summary>\n\n", sum.notes,
                              sum.notes == 1 ? "" : "s");
            s_md_note(&row, d, &g, i, ctx->account);
            if (!s_md_fits(b, &row, keep + sizeof(details_end) - 1, max_bytes))
                break;
            opened = true;
            cut.notes_hidden -= g.count[i];
        }
        if (opened)
            lk_buf_puts(b, details_end);
    }
    lk_buf_free(&row);
    s_groups_free(&g);

    if (cut.drift_hidden || cut.notes_hidden) {
        struct lk_buf what;
        lk_buf_init(&what, LK_BUF_MAX_LINE);
        s_md_cut_what(&what, &cut);
        s_md_cut_line(b, max_bytes, s_opt(lk_buf_cstr(&what), ""), full);
        lk_buf_free(&what);
    }
}

/* ------------------------------------------------------------------------------ XML */

/* A governed resource: one JUnit testcase. */
struct s_resource {
    enum lk_diff_resource kind;
    const char *name;
    const char *region; /* NULL when no state says */
    size_t failures;    /* changes that fail the testcase */
    size_t first;       /* index of its first change in the grouped order */
    size_t n_changes;
    const struct lk_ir_origin *desired; /* the desired node's origin, or NULL */
};

static int s_cmp_resource(const void *a, const void *b)
{
    const struct s_resource *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    int c = strcmp(s_opt(x->name, ""), s_opt(y->name, ""));
    if (c)
        return c;
    if (!x->region || !y->region)
        return x->region ? 1 : (y->region ? -1 : 0);
    return strcmp(x->region, y->region);
}

/* Appends @p part, rendered apart, escaped; a failed part fails @p b. */
static void s_xml_part(struct lk_buf *b, const struct lk_buf *part)
{
    const char *text = lk_buf_cstr(part);
    if (text)
        lk_xml_escape(b, text, false);
    else
        lk_buf_fail(b);
}

static void s_res_add(struct s_resource **res, size_t *n, size_t *cap, enum lk_diff_resource kind,
                      const char *name, const char *region, const struct lk_ir_origin *desired)
{
    LK_ARRAY_GROW(*res, *n, *cap);
    struct s_resource *r = &(*res)[(*n)++];
    memset(r, 0, sizeof(*r));
    r->kind = kind;
    r->name = name;
    r->region = region;
    r->desired = lk_ir_origin_or(desired, NULL);
}

/* The testcase's place in the policy: that of its first failing change, else of its first
 * change with one, else of the desired node. @return NULL when there is none. */
static const struct lk_ir_origin *s_res_origin(const struct s_resource *r, const struct lk_diff *d,
                                               const size_t *grouped)
{
    const struct lk_ir_origin *any = NULL;
    for (size_t j = 0; j < r->n_changes; j++) {
        const struct lk_diff_change *ch = &d->changes[grouped[r->first + j]];
        if (!ch->origin.file)
            continue;
        if (s_is_failure(ch))
            return &ch->origin;
        if (!any)
            any = &ch->origin;
    }
    return any ? any : r->desired;
}

/* The desired KMS keys, one testcase each. */
static void s_junit_keys(struct s_resource **res, size_t *n, size_t *cap,
                         const struct lk_ir_state *want)
{
    for (size_t i = 0; i < want->n_keys; i++)
        s_res_add(res, n, cap, LK_DIFF_KEY, want->keys[i].arn, want->keys[i].region,
                  &want->keys[i].origin);
}

/* One <testsuite> named @p suite (XML-escaped here) with a testcase per governed resource;
 * adds its tests and failures to @p tests and @p failures. */
static void s_junit_suite(struct lk_buf *b, const struct lk_diff *d,
                          const struct lk_report_context *ctx, const char *suite, size_t *tests,
                          size_t *failures)
{
    struct s_resource *res = NULL;
    size_t n = 0, cap = 0;
    size_t *res_of = NULL, *grouped = NULL, *fill = NULL;

    /* Every governed resource: the desired state's, and every one the diff names. */
    const struct lk_ir_state *want = ctx->desired;
    if (want) {
        for (size_t i = 0; i < want->n_buckets; i++)
            s_res_add(&res, &n, &cap, LK_DIFF_BUCKET, want->buckets[i].name,
                      want->buckets[i].region, &want->buckets[i].origin);
        for (size_t i = 0; i < want->n_log_groups; i++)
            s_res_add(&res, &n, &cap, LK_DIFF_LOG_GROUP, want->log_groups[i].name,
                      want->log_groups[i].region, &want->log_groups[i].origin);
        for (size_t i = 0; i < want->n_trails; i++)
            s_res_add(&res, &n, &cap, LK_DIFF_TRAIL, want->trails[i].name,
                      want->trails[i].home_region, &want->trails[i].origin);
        s_junit_keys(&res, &n, &cap, want);
    }
    for (size_t i = 0; i < d->n; i++)
        s_res_add(&res, &n, &cap, d->changes[i].resource, d->changes[i].name, d->changes[i].region,
                  NULL);
    if (n > 1)
        qsort(res, n, sizeof(*res), s_cmp_resource);
    /* The order is total on the key: equal neighbours are the same resource. */
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (w == 0 || s_cmp_resource(&res[w - 1], &res[i]) != 0)
            res[w++] = res[i];
        else if (!res[w - 1].desired)
            res[w - 1].desired = res[i].desired; /* only the desired state's entry has one */
    }
    n = w;

    /* Group the changes by resource, keeping the diff's order within each. */
    res_of = lk_xcalloc(d->n ? d->n : 1, sizeof(*res_of));
    grouped = lk_xcalloc(d->n ? d->n : 1, sizeof(*grouped));
    fill = lk_xcalloc(n ? n : 1, sizeof(*fill));
    size_t failing = 0;
    for (size_t i = 0; i < d->n; i++) {
        struct s_resource key = {
            d->changes[i].resource, d->changes[i].name, d->changes[i].region, 0, 0, 0, NULL};
        const struct s_resource *r = bsearch(&key, res, n, sizeof(*res), s_cmp_resource);
        res_of[i] = (size_t)(r - res); /* always found: every change added its resource */
        res[res_of[i]].n_changes++;
        if (s_is_failure(&d->changes[i]))
            res[res_of[i]].failures++;
    }
    for (size_t k = 0, at = 0; k < n; k++) {
        res[k].first = at;
        at += res[k].n_changes;
        failing += res[k].failures ? 1 : 0;
    }
    for (size_t i = 0; i < d->n; i++)
        grouped[res[res_of[i]].first + fill[res_of[i]]++] = i;

    *tests += n;
    *failures += failing;
    lk_buf_puts(b, "  <testsuite name=\"");
    lk_xml_escape(b, suite, true);
    lk_buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n", n, failing);
    const char *prop_names[] = {"account", "region", "generated_at"};
    const char *prop_values[] = {ctx->account, ctx->region, ctx->generated_at};
    lk_buf_puts(b, "    <properties>\n");
    for (size_t i = 0; i < 3; i++) {
        if (!prop_values[i])
            continue;
        lk_buf_printf(b, "      <property name=\"%s\" value=\"", prop_names[i]);
        lk_xml_escape(b, prop_values[i], true);
        lk_buf_puts(b, "\"/>\n");
    }
    for (size_t i = 0; i < ctx->n_policy_paths; i++) {
        if (!ctx->policy_paths[i])
            continue;
        lk_buf_puts(b, "      <property name=\"policy\" value=\"");
        lk_xml_escape(b, ctx->policy_paths[i], true);
        lk_buf_puts(b, "\"/>\n");
    }
    lk_buf_printf(b, "      <property name=\"resources_read\" value=\"%zu\"/>\n",
                  ctx->resources_read);
    lk_buf_printf(b, "      <property name=\"unmanaged_log_groups\" value=\"%zu\"/>\n",
                  ctx->unmanaged_log_groups);
    lk_buf_printf(b, "      <property name=\"unmanaged_stores\" value=\"%zu\"/>\n",
                  ctx->unmanaged_stores);
    lk_buf_puts(b, "    </properties>\n");

    struct lk_buf line;
    lk_buf_init(&line, LK_BUF_MAX_REPORT);
    for (size_t k = 0; k < n; k++) {
        const struct s_resource *r = &res[k];
        lk_buf_printf(b, "    <testcase classname=\"logkeep.%s\" name=\"",
                      lk_diff_resource_name(r->kind));
        lk_xml_escape(b, s_opt(r->name, ""), true);
        if (r->region) {
            lk_buf_puts(b, " (");
            lk_xml_escape(b, r->region, true);
            lk_buf_putc(b, ')');
        }
        lk_buf_puts(b, "\"");
        /* The file and line attributes of JUnit's testcase, as CI systems read them to link
         * a result to its source (GitLab, Jenkins). */
        const struct lk_ir_origin *at = s_res_origin(r, d, grouped);
        if (at) {
            lk_buf_puts(b, " file=\"");
            lk_xml_escape(b, at->file, true);
            lk_buf_printf(b, "\" line=\"%u\"", at->line);
        }
        if (r->n_changes == 0) {
            lk_buf_puts(b, "/>\n");
            continue;
        }
        lk_buf_puts(b, ">\n");
        if (r->failures) {
            lk_buf_printf(b,
                          "      <failure type=\"drift\" message=\"%zu change%s weaker than "
                          "policy or missing\">",
                          r->failures, r->failures == 1 ? "" : "s");
            for (size_t j = 0; j < r->n_changes; j++) {
                const struct lk_diff_change *ch = &d->changes[grouped[r->first + j]];
                if (!s_is_failure(ch))
                    continue;
                lk_buf_reset(&line);
                s_change_line(&line, ch);
                s_xml_part(b, &line);
                lk_buf_putc(b, '\n');
            }
            lk_buf_puts(b, "</failure>\n");
        }
        if (r->n_changes > r->failures) {
            lk_buf_puts(b, "      <system-out>");
            for (size_t j = 0; j < r->n_changes; j++) {
                const struct lk_diff_change *ch = &d->changes[grouped[r->first + j]];
                if (s_is_failure(ch))
                    continue;
                lk_buf_reset(&line);
                s_change_line(&line, ch);
                s_xml_part(b, &line);
                lk_buf_putc(b, '\n');
            }
            lk_buf_puts(b, "</system-out>\n");
        }
        lk_buf_puts(b, "    </testcase>\n");
    }
    lk_buf_puts(b, "  </testsuite>\n");

    lk_buf_free(&line);
    free(fill);
    free(grouped);
    free(res_of);
    free(res);
}

static void s_junit_open(struct lk_buf *b, size_t tests, size_t failures, size_t errors)
{
    lk_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    lk_buf_printf(b,
                  "<testsuites name=\"logkeep\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
                  tests, failures, errors);
}

static void s_render_junit(struct lk_buf *b, const struct lk_diff *d,
                           const struct lk_report_context *ctx)
{
    struct lk_buf suite;
    lk_buf_init(&suite, LK_BUF_MAX_REPORT);
    size_t tests = 0, failures = 0;
    s_junit_suite(&suite, d, ctx, "logkeep drift", &tests, &failures);
    s_junit_open(b, tests, failures, 0);
    s_append_part(b, &suite);
    lk_buf_puts(b, "</testsuites>\n");
    lk_buf_free(&suite);
}

/* ------------------------------------------------------------------------------ SARIF */

struct s_rule {
    const char *id;
    const char *name;
    const char *text;
    const char *level; /* default level */
};

/* Stable: ids never change meaning, and new rules are only appended (ruleIndex is the
 * position). */
static const struct s_rule s_rules[] = {
    {LK_REPORT_RULE_MISSING_RESOURCE, "missing-resource",
     "A bucket or trail the policy governs does not exist.", "error"},
    {LK_REPORT_RULE_WEAKER, "weaker-setting",
     "A live setting is weaker than the policy: logs are deleted or archived earlier, less "
     "protected, or not recorded or delivered.",
     "error"},
    {LK_REPORT_RULE_STRONGER, "stronger-setting",
     "A live setting is stronger than the policy (for example, logs kept longer).", "warning"},
    {LK_REPORT_RULE_DIFFERENT, "different-setting",
     "A live setting differs from the policy, neither weaker nor stronger.", "warning"},
    {LK_REPORT_RULE_UNMANAGED_LOG_GROUP, "unmanaged-log-group",
     "A log group no source names breaks the policy's rule for unmanaged log groups.", "warning"},
    {LK_REPORT_RULE_NOTE, "drift-note", "Information about the drift check, not drift.", "note"},
    {LK_REPORT_RULE_UNMANAGED_STORE, "unmanaged-store",
     "An S3 bucket no store names receives logs and nothing deletes them: they are kept forever.",
     "warning"},
};

static size_t s_rule_of(const struct lk_diff_change *ch)
{
    if (ch->kind == LK_DIFF_NOTE)
        return 5;
    if (ch->resource == LK_DIFF_UNMANAGED_LOG_GROUP)
        return 4;
    if (ch->resource == LK_DIFF_UNMANAGED_STORE)
        return 6;
    if (ch->kind == LK_DIFF_MISSING && (!ch->attribute || !*ch->attribute) &&
        (ch->resource == LK_DIFF_BUCKET || ch->resource == LK_DIFF_TRAIL))
        return 0;
    if (ch->direction == LK_DIFF_WEAKER)
        return 1;
    if (ch->direction == LK_DIFF_STRONGER)
        return 2;
    return 3;
}

static const char *s_level_of(const struct lk_diff_change *ch)
{
    if (ch->kind == LK_DIFF_NOTE)
        return "note";
    return ch->direction == LK_DIFF_WEAKER ? "error" : "warning";
}

/* The resource's ARN (S3 bucket ARNs hold neither region nor account). */
static void s_arn(struct lk_buf *b, const struct lk_diff_change *ch,
                  const struct lk_report_context *ctx)
{
    const char *part = s_opt(ctx->partition, "aws");
    const char *region = ch->region ? ch->region : s_opt(ctx->region, "");
    const char *account = s_opt(ctx->account, "");
    const char *name = s_opt(ch->name, "");
    switch (ch->resource) {
    case LK_DIFF_BUCKET:
    case LK_DIFF_UNMANAGED_STORE:
        lk_buf_printf(b, "arn:%s:s3:::%s", part, name);
        break;
    case LK_DIFF_TRAIL:
        lk_buf_printf(b, "arn:%s:cloudtrail:%s:%s:trail/%s", part, region, account, name);
        break;
    case LK_DIFF_LOG_GROUP:
    case LK_DIFF_UNMANAGED_LOG_GROUP:
        lk_buf_printf(b, "arn:%s:logs:%s:%s:log-group:%s", part, region, account, name);
        break;
    case LK_DIFF_KEY:
        lk_buf_puts(b, name); /* the key ARN itself */
        break;
    case LK_DIFF_PRODUCER:
        /* Its ARN where the diff knows one, else its ID (a Config recorder's name, "*"). */
        lk_buf_puts(b, ch->arn ? ch->arn : name);
        break;
    }
}

/* A URI reference for a file path: unreserved characters and '/' as they are, the rest
 * percent-encoded (RFC 3986 section 2.1). */
static void s_uri(struct lk_buf *b, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            lk_buf_putc(b, (char)c);
        } else {
            lk_buf_putc(b, '%');
            lk_buf_putc(b, hex[c >> 4]);
            lk_buf_putc(b, hex[c & 15]);
        }
    }
}

static const char *s_first_policy(const struct lk_report_context *ctx)
{
    for (size_t i = 0; i < ctx->n_policy_paths; i++)
        if (ctx->policy_paths[i])
            return ctx->policy_paths[i];
    return NULL;
}

/* Empties @p tmp for the next part, and notes in @p failed whether the last one passed the
 * cap (lk_buf_reset() forgets it). */
static void s_restart(struct lk_buf *tmp, bool *failed)
{
    if (lk_buf_failed(tmp))
        *failed = true;
    lk_buf_reset(tmp);
}

/* The text of @p tmp; "" when it failed (s_restart() has noted it, the report is refused). */
static const char *s_text(const struct lk_buf *tmp)
{
    const char *text = lk_buf_cstr(tmp);
    return text ? text : "";
}

/* @param failed set when a part passed its cap: the report must then be refused. */
static cJSON *s_sarif_result(const struct lk_diff_change *ch, const struct lk_report_context *ctx,
                             const struct lk_report_pair *pair, struct lk_buf *tmp, bool *failed)
{
    size_t rule = s_rule_of(ch);
    cJSON *r = s_jnew(cJSON_CreateObject());
    s_jadd(r, "ruleId", cJSON_CreateString(s_rules[rule].id));
    s_jadd(r, "ruleIndex", cJSON_CreateNumber((double)rule));
    s_jadd(r, "level", cJSON_CreateString(s_level_of(ch)));

    s_restart(tmp, failed);
    lk_buf_printf(tmp, "%s %s", lk_diff_resource_name(ch->resource), s_opt(ch->name, ""));
    if (ch->region)
        lk_buf_printf(tmp, " (%s)", ch->region);
    lk_buf_puts(tmp, ": ");
    s_change_line(tmp, ch);
    cJSON *msg = s_jadd(r, "message", cJSON_CreateObject());
    s_jadd(msg, "text", cJSON_CreateString(s_text(tmp)));

    cJSON *locs = s_jadd(r, "locations", cJSON_CreateArray());
    cJSON *loc = s_jnew(cJSON_CreateObject());
    /* Where the policy says what is desired; without an origin, the policy as a whole. */
    const char *policy = ch->origin.file ? ch->origin.file : s_first_policy(ctx);
    if (policy) {
        s_restart(tmp, failed);
        s_uri(tmp, policy);
        cJSON *phys = s_jadd(loc, "physicalLocation", cJSON_CreateObject());
        cJSON *art = s_jadd(phys, "artifactLocation", cJSON_CreateObject());
        s_jadd(art, "uri", cJSON_CreateString(s_text(tmp)));
        if (ch->origin.file) {
            /* Positive, one-based line and column numbers (SARIF 2.1.0, 3.30.5 startLine and
             * 3.30.6 startColumn); columns count characters, as the policy's spans do. */
            cJSON *region = s_jadd(phys, "region", cJSON_CreateObject());
            s_jadd(region, "startLine", cJSON_CreateNumber(ch->origin.line));
            s_jadd(region, "startColumn", cJSON_CreateNumber(ch->origin.column));
        }
    }
    s_restart(tmp, failed);
    s_arn(tmp, ch, ctx);
    cJSON *logical = s_jadd(loc, "logicalLocations", cJSON_CreateArray());
    cJSON *ll = s_jnew(cJSON_CreateObject());
    s_jadd(ll, "name", cJSON_CreateString(s_opt(ch->name, "")));
    s_jadd(ll, "fullyQualifiedName", cJSON_CreateString(s_text(tmp)));
    s_jadd(ll, "kind", cJSON_CreateString("resource"));
    s_jpush(logical, ll);
    if (pair) {
        /* The (account, Region) pair, for a bucket's ARN names neither. */
        s_restart(tmp, failed);
        lk_buf_printf(tmp, "%s/%s", s_opt(pair->account, ""), s_opt(pair->region, ""));
        cJSON *pl = s_jnew(cJSON_CreateObject());
        s_jadd(pl, "name", cJSON_CreateString(s_opt(pair->account_name, "")));
        s_jadd(pl, "fullyQualifiedName", cJSON_CreateString(s_text(tmp)));
        s_jadd(pl, "kind", cJSON_CreateString("namespace"));
        s_jpush(logical, pl);
    }
    s_jpush(locs, loc);

    /* The same drift on a later run gets the same fingerprint, whatever its values. */
    s_restart(tmp, failed);
    lk_buf_printf(tmp, "%s/%s/%s/%s", lk_diff_resource_name(ch->resource), s_opt(ch->name, ""),
                  s_opt(ch->region, ""), s_opt(ch->attribute, ""));
    cJSON *fp = s_jadd(r, "partialFingerprints", cJSON_CreateObject());
    s_jadd(fp, "logkeepDrift/v1", cJSON_CreateString(s_text(tmp)));

    cJSON *props = s_jadd(r, "properties", cJSON_CreateObject());
    s_jadd(props, "resource", cJSON_CreateString(lk_diff_resource_name(ch->resource)));
    s_jadd(props, "attribute", s_jstr(ch->attribute));
    s_jadd(props, "action", cJSON_CreateString(lk_diff_kind_name(ch->kind)));
    s_jadd(props, "direction", cJSON_CreateString(lk_diff_direction_name(ch->direction)));
    s_jadd(props, "desired", s_jstr(ch->desired));
    s_jadd(props, "live", s_jstr(ch->live));
    s_jadd(props, "data_loss", cJSON_CreateBool(ch->data_loss));
    s_jadd(props, "allow_name", s_jstr(ch->allow_name));
    if (pair) {
        s_jadd(props, "account", s_jstr(pair->account));
        s_jadd(props, "account_name", s_jstr(pair->account_name));
        s_jadd(props, "region", s_jstr(pair->region));
    }
    s_restart(tmp, failed);
    return r;
}

/* The SARIF document with its one run and the tool's rules; @p run_out receives the run. */
static cJSON *s_sarif_root(const char *tool_version, cJSON **run_out)
{
    cJSON *root = s_jnew(cJSON_CreateObject());
    s_jadd(root, "$schema", cJSON_CreateString("https://json.schemastore.org/sarif-2.1.0.json"));
    s_jadd(root, "version", cJSON_CreateString("2.1.0"));
    cJSON *runs = s_jadd(root, "runs", cJSON_CreateArray());
    cJSON *run = s_jnew(cJSON_CreateObject());
    s_jpush(runs, run);

    cJSON *driver =
        s_jadd(s_jadd(run, "tool", cJSON_CreateObject()), "driver", cJSON_CreateObject());
    s_jadd(driver, "name", cJSON_CreateString("logkeep"));
    if (tool_version)
        s_jadd(driver, "version", cJSON_CreateString(tool_version));
    cJSON *rules = s_jadd(driver, "rules", cJSON_CreateArray());
    for (size_t i = 0; i < sizeof(s_rules) / sizeof(s_rules[0]); i++) {
        cJSON *r = s_jnew(cJSON_CreateObject());
        s_jadd(r, "id", cJSON_CreateString(s_rules[i].id));
        s_jadd(r, "name", cJSON_CreateString(s_rules[i].name));
        cJSON *sd = s_jadd(r, "shortDescription", cJSON_CreateObject());
        s_jadd(sd, "text", cJSON_CreateString(s_rules[i].text));
        cJSON *dc = s_jadd(r, "defaultConfiguration", cJSON_CreateObject());
        s_jadd(dc, "level", cJSON_CreateString(s_rules[i].level));
        s_jpush(rules, r);
    }
    *run_out = run;
    return root;
}

static void s_render_sarif(struct lk_buf *b, const struct lk_diff *d,
                           const struct lk_report_context *ctx)
{
    cJSON *run = NULL;
    cJSON *root = s_sarif_root(ctx->tool_version, &run);
    struct lk_buf tmp;
    lk_buf_init(&tmp, LK_BUF_MAX_REPORT);
    bool failed = false;
    cJSON *results = s_jadd(run, "results", cJSON_CreateArray());
    for (size_t i = 0; i < d->n; i++)
        s_jpush(results, s_sarif_result(&d->changes[i], ctx, NULL, &tmp, &failed));
    lk_buf_free(&tmp);
    if (failed)
        lk_buf_fail(b);

    s_jadd(run, "properties", s_json_context(ctx));
    s_print_json(b, root);
    cJSON_Delete(root);
}

/* ------------------------------------------------------------------------------ entry */

bool lk_report_format_parse(const char *name, enum lk_report_format *out)
{
    static const char *const names[] = {"text", "json", "markdown", "junit", "sarif"};
    for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++) {
        if (!strcmp(name, names[i])) {
            *out = (enum lk_report_format)i;
            return true;
        }
    }
    return false;
}

enum lk_status lk_report_render(const struct lk_diff *d, const struct lk_report_context *ctx,
                                enum lk_report_format fmt, FILE *out)
{
    static const struct lk_report_context none;
    enum lk_status rc = LK_STATUS_OK;
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_REPORT);
    LK_ENSURE_GOTO(rc, d && out, LK_STATUS_INVALID_ARGUMENT, cleanup);
    if (!ctx)
        ctx = &none;
    switch (fmt) {
    case LK_REPORT_TEXT:
        rc = lk_diff_render_text_for(d, ctx->account, out, ctx->color);
        goto cleanup;
    case LK_REPORT_JSON:
        s_render_json(&b, d, ctx);
        break;
    case LK_REPORT_MARKDOWN:
        s_render_markdown(&b, d, ctx, s_md_budget(ctx->markdown_max_bytes));
        break;
    case LK_REPORT_JUNIT:
        s_render_junit(&b, d, ctx);
        break;
    case LK_REPORT_SARIF:
        s_render_sarif(&b, d, ctx);
        break;
    default:
        rc = LK_STATUS_INVALID_ARGUMENT;
        goto cleanup;
    }
    LK_GUARD_GOTO(rc, lk_buf_status(&b), cleanup);
    if ((b.len && fwrite(b.data, 1, b.len, out) != b.len) || fflush(out) != 0)
        rc = LK_STATUS_IO;

cleanup:
    lk_buf_free(&b);
    return rc;
}

/* ------------------------------------------------------------------------------ organisations */

static bool s_pair_drifted(const struct lk_report_pair *p)
{
    if (p->error || !p->diff)
        return false;
    struct lk_diff_summary sum;
    lk_diff_summarize(p->diff, &sum);
    return sum.to_add + sum.to_change + sum.to_remove > 0;
}

static const char *s_pair_status(const struct lk_report_pair *p)
{
    return p->error || !p->diff ? "failed" : s_pair_drifted(p) ? "drift" : "in_sync";
}

static void s_org_counts(const struct lk_report_org *org, size_t *changed, size_t *in_sync,
                         size_t *failed)
{
    *changed = *in_sync = *failed = 0;
    for (size_t i = 0; i < org->n_pairs; i++) {
        const struct lk_report_pair *p = &org->pairs[i];
        if (p->error || !p->diff)
            (*failed)++;
        else if (s_pair_drifted(p))
            (*changed)++;
        else
            (*in_sync)++;
    }
}

/* Renders one pair's report in @p fmt into @p part (emptied first). */
static void s_pair_part(struct lk_buf *part, const struct lk_report_pair *p,
                        enum lk_report_format fmt)
{
    lk_buf_reset(part);
    switch (fmt) {
    case LK_REPORT_JSON:
        s_render_json(part, p->diff, &p->ctx);
        break;
    default:
        break;
    }
}

/* The distinct origins of @p d's changes (NULL: none), with what the pair's JSON report leaves
 * out of them: the caret's length and the source line the text report shows. */
static cJSON *s_json_origins(const struct lk_diff *d)
{
    cJSON *arr = s_jnew(cJSON_CreateArray());
    for (size_t i = 0; d && i < d->n; i++) {
        const struct lk_ir_origin *o = &d->changes[i].origin;
        bool seen = !o->file;
        /* Changes are sorted by resource, so one origin's changes are mostly adjacent: looking
         * back a few changes finds most repeats, and a repeat listed twice is harmless. */
        for (size_t k = i; !seen && k-- > 0 && i - k <= 8;) {
            const struct lk_ir_origin *q = &d->changes[k].origin;
            seen = q->file && q->line == o->line && q->column == o->column &&
                   q->length == o->length && !strcmp(q->file, o->file);
        }
        if (seen)
            continue;
        cJSON *e = s_jnew(cJSON_CreateObject());
        s_jadd(e, "file", cJSON_CreateString(o->file));
        s_jadd(e, "line", cJSON_CreateNumber(o->line));
        s_jadd(e, "column", cJSON_CreateNumber(o->column));
        s_jadd(e, "length", cJSON_CreateNumber(o->length));
        s_jadd(e, "text", s_jstr(o->text));
        s_jpush(arr, e);
    }
    return arr;
}

static void s_render_org_json(struct lk_buf *b, const struct lk_report_org *org)
{
    size_t changed, in_sync, failed;
    s_org_counts(org, &changed, &in_sync, &failed);
    cJSON *root = s_jnew(cJSON_CreateObject());
    s_jadd(root, "format", cJSON_CreateString("logkeep-org-report"));
    s_jadd(root, "version", cJSON_CreateNumber(1));
    s_jadd(root, "format_version", cJSON_CreateString(LK_REPORT_JSON_FORMAT_VERSION));
    s_jadd(root, "command", s_jstr(org->command));
    s_jadd(root, "organization", s_jstr(org->organization));
    s_jadd(root, "generated", s_jstr(org->generated_at));
    cJSON *files = s_jadd(root, "policy_files", cJSON_CreateArray());
    for (size_t i = 0; i < org->n_policy_paths; i++)
        s_jpush(files, s_jstr(org->policy_paths[i]));
    if (org->shard_count) {
        cJSON *shard = s_jadd(root, "shard", cJSON_CreateObject());
        s_jadd(shard, "index", cJSON_CreateNumber((double)org->shard_index));
        s_jadd(shard, "count", cJSON_CreateNumber((double)org->shard_count));
    } else {
        s_jadd(root, "shard", cJSON_CreateNull());
    }
    cJSON *sum = s_jadd(root, "summary", cJSON_CreateObject());
    s_jadd(sum, "pairs", cJSON_CreateNumber((double)org->n_pairs));
    s_jadd(sum, "changed", cJSON_CreateNumber((double)changed));
    s_jadd(sum, "in_sync", cJSON_CreateNumber((double)in_sync));
    s_jadd(sum, "failed", cJSON_CreateNumber((double)failed));
    cJSON *pairs = s_jadd(root, "pairs", cJSON_CreateArray());
    struct lk_buf part;
    lk_buf_init(&part, LK_BUF_MAX_REPORT);
    for (size_t i = 0; i < org->n_pairs; i++) {
        const struct lk_report_pair *p = &org->pairs[i];
        cJSON *e = s_jnew(cJSON_CreateObject());
        s_jadd(e, "account", s_jstr(p->account));
        s_jadd(e, "account_name", s_jstr(p->account_name));
        s_jadd(e, "region", s_jstr(p->region));
        s_jadd(e, "status", cJSON_CreateString(s_pair_status(p)));
        s_jadd(e, "error", s_jstr(p->error));
        cJSON *report = NULL;
        if (!p->error && p->diff) {
            s_pair_part(&part, p, LK_REPORT_JSON);
            const char *text = lk_buf_cstr(&part);
            if (!text)
                lk_buf_fail(b);
            /* What cJSON printed, it reads back; only memory can fail. */
            else if (!(report = cJSON_Parse(text)))
                lk_oom();
        }
        s_jadd(e, "report", report ? report : cJSON_CreateNull());
        s_jadd(e, "origins", s_json_origins(p->diff));
        s_jpush(pairs, e);
    }
    lk_buf_free(&part);
    s_print_json(b, root);
    cJSON_Delete(root);
}

/* "### <name> (<id>) <region>" and, for a failed pair, its error. */
static void s_org_heading(struct lk_buf *b, const struct lk_report_pair *p)
{
    lk_buf_puts(b, "### ");
    s_md_value(b, s_opt(p->account_name, ""));
    lk_buf_puts(b, " (");
    s_md_value(b, s_opt(p->account, ""));
    lk_buf_puts(b, ") ");
    s_md_value(b, s_opt(p->region, ""));
    lk_buf_puts(b, "\n\n");
    if (p->error) {
        lk_buf_puts(b, "**failed**: ");
        s_md_value(b, p->error);
        lk_buf_puts(b, "\n\n");
    }
}

/* The section of pair @p p within @p max_bytes (SIZE_MAX: all of it), into @p out (emptied). */
static void s_org_section(struct lk_buf *out, const struct lk_report_pair *p, size_t max_bytes,
                          const char *full_report)
{
    lk_buf_reset(out);
    s_org_heading(out, p);
    if (p->error)
        return;
    struct lk_report_context ctx = p->ctx;
    ctx.full_report = full_report;
    struct lk_buf part;
    lk_buf_init(&part, LK_BUF_MAX_REPORT);
    size_t room = max_bytes == SIZE_MAX  ? SIZE_MAX
                  : max_bytes > out->len ? max_bytes - out->len
                                         : 0;
    s_render_markdown(&part, p->diff, &ctx, room == SIZE_MAX ? SIZE_MAX : s_md_budget(room));
    s_append_part(out, &part);
    lk_buf_free(&part);
}

static int s_cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The even share of @p avail among sizes[0..n): a section smaller than it keeps its size and
 * leaves the rest to the others (water filling). @return the share. */
static size_t s_org_share(const size_t *sizes, size_t n, size_t avail)
{
    size_t *sorted = lk_xcalloc(n ? n : 1, sizeof(*sorted));
    memcpy(sorted, sizes, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), s_cmp_size);
    size_t share = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t even = avail / (n - i);
        if (sorted[i] > even) {
            share = even;
            break;
        }
        avail -= sorted[i];
    }
    free(sorted);
    return share;
}

static void s_render_org_markdown(struct lk_buf *b, const struct lk_report_org *org)
{
    size_t max_bytes = s_md_budget(org->markdown_max_bytes);
    size_t changed, in_sync, failed;
    s_org_counts(org, &changed, &in_sync, &failed);
    lk_buf_printf(b, "# logkeep drift: %zu pair%s, %zu with drift, %zu in sync, %zu failed\n\n",
                  org->n_pairs, org->n_pairs == 1 ? "" : "s", changed, in_sync, failed);
    if (org->organization) {
        lk_buf_puts(b, "Organization ");
        s_md_value(b, org->organization);
        lk_buf_puts(b, ".\n\n");
    }

    /* The size of each section in full: when they all fit, that is the report. Sections are
     * rendered again to be written, so that only one is held at a time. */
    size_t n_shown = changed + failed;
    size_t *shown = lk_xcalloc(n_shown ? n_shown : 1, sizeof(*shown)); /* pair indices */
    size_t *sizes = lk_xcalloc(n_shown ? n_shown : 1, sizeof(*sizes));
    struct lk_buf sec;
    lk_buf_init(&sec, LK_BUF_MAX_REPORT);
    size_t total = 0, k = 0;
    for (size_t i = 0; i < org->n_pairs && k < n_shown; i++) {
        const struct lk_report_pair *p = &org->pairs[i];
        if (!p->error && !s_pair_drifted(p))
            continue;
        shown[k] = i;
        s_org_section(&sec, p, SIZE_MAX, org->full_report);
        if (lk_buf_failed(&sec))
            lk_buf_fail(b);
        sizes[k] = sec.len;
        total += sizes[k];
        k++;
    }

    struct lk_buf sync;
    lk_buf_init(&sync, LK_BUF_MAX_REPORT);
    if (in_sync) {
        lk_buf_printf(&sync, "In sync (%zu):", in_sync);
        const char *sep = " ";
        for (size_t i = 0; i < org->n_pairs; i++) {
            const struct lk_report_pair *p = &org->pairs[i];
            if (p->error || !p->diff || s_pair_drifted(p))
                continue;
            lk_buf_puts(&sync, sep);
            s_md_value(&sync, s_opt(p->account_name, ""));
            lk_buf_putc(&sync, ' ');
            s_md_value(&sync, s_opt(p->region, ""));
            sep = ", ";
        }
        lk_buf_puts(&sync, ".\n");
    }

    /* The cut line's room (its counts at their largest), and a little for the pairs in sync. */
    struct lk_buf what;
    lk_buf_init(&what, LK_BUF_MAX_LINE);
    lk_buf_printf(&what,
                  "%zu of %zu pairs with drift or failed not shown, %zu cut, %zu of %zu pairs in "
                  "sync not named",
                  n_shown, n_shown, n_shown, in_sync, in_sync);
    const char *full_report = org->full_report;
    struct lk_buf line;
    lk_buf_init(&line, LK_BUF_MAX_REPORT);
    s_md_cut_line(&line, max_bytes, s_opt(lk_buf_cstr(&what), ""), full_report);
    if (b->len + line.len + 256 > max_bytes) {
        full_report = NULL; /* a path too long to name */
        lk_buf_reset(&line);
        s_md_cut_line(&line, max_bytes, s_opt(lk_buf_cstr(&what), ""), full_report);
    }
    size_t keep = line.len + 1;
    lk_buf_free(&line);
    lk_buf_free(&what);
    size_t sync_room = sync.len < 256 + max_bytes / 50 ? sync.len : 256 + max_bytes / 50;
    size_t used = b->len + keep + sync_room;
    size_t avail = used < max_bytes ? max_bytes - used : 0;

    size_t n_fit = n_shown, n_cut = 0;
    bool cut = false;
    if (b->len + total + sync.len + keep <= max_bytes) {
        for (k = 0; k < n_shown; k++) {
            s_org_section(&sec, &org->pairs[shown[k]], SIZE_MAX, org->full_report);
            s_append_part(b, &sec);
        }
    } else {
        /* Shares of at least twice LK_REPORT_MARKDOWN_MIN_BYTES (a pair's report, and its
         * heading): as many of the first pairs as that allows (sections smaller than a share
         * count at their size). */
        size_t least = 2 * LK_REPORT_MARKDOWN_MIN_BYTES;
        while (n_fit > 0 && s_org_share(sizes, n_fit, avail) < least) {
            size_t by_least = avail / least;
            n_fit = by_least < n_fit ? by_least : n_fit - 1;
        }
        size_t share = s_org_share(sizes, n_fit, avail);
        size_t written = 0;
        for (k = 0; k < n_fit; k++) {
            bool whole = sizes[k] <= share;
            s_org_section(&sec, &org->pairs[shown[k]], whole ? SIZE_MAX : share, full_report);
            /* A heading or error longer than the share could pass it: checked, not assumed. */
            if (!s_md_fits(b, &sec, keep + sync_room, max_bytes))
                continue;
            written++;
            n_cut += !whole;
        }
        n_fit = written;
        cut = true;
    }

    size_t named = in_sync;
    if (in_sync) {
        if (b->len + sync.len + keep <= max_bytes) {
            s_append_part(b, &sync);
        } else {
            /* Names while they fit, then how many more. */
            named = 0;
            lk_buf_printf(b, "In sync (%zu):", in_sync);
            const char *sep = " ";
            struct lk_buf one;
            lk_buf_init(&one, LK_BUF_MAX_LINE);
            for (size_t i = 0; i < org->n_pairs; i++) {
                const struct lk_report_pair *p = &org->pairs[i];
                if (p->error || !p->diff || s_pair_drifted(p))
                    continue;
                lk_buf_reset(&one);
                lk_buf_puts(&one, sep);
                s_md_value(&one, s_opt(p->account_name, ""));
                lk_buf_putc(&one, ' ');
                s_md_value(&one, s_opt(p->region, ""));
                if (!s_md_fits(b, &one, keep + 40, max_bytes))
                    break;
                named++;
                sep = ", ";
            }
            lk_buf_free(&one);
            if (named < in_sync)
                lk_buf_printf(b, "%s%zu more", named ? " and " : " ", in_sync - named);
            lk_buf_puts(b, ".\n");
            cut = true;
        }
    }
    lk_buf_free(&sync);
    lk_buf_free(&sec);
    free(sizes);
    free(shown);

    if (cut && (n_fit < n_shown || n_cut || named < in_sync)) {
        lk_buf_init(&what, LK_BUF_MAX_LINE);
        lk_buf_printf(&what,
                      "%zu of %zu pairs with drift or failed not shown, %zu cut, %zu of %zu pairs "
                      "in sync not named",
                      n_shown - n_fit, n_shown, n_cut, in_sync - named, in_sync);
        s_md_cut_line(b, max_bytes, s_opt(lk_buf_cstr(&what), ""), full_report);
        lk_buf_free(&what);
    }
}

static void s_render_org_junit(struct lk_buf *b, const struct lk_report_org *org)
{
    struct lk_buf suites, name;
    lk_buf_init(&suites, LK_BUF_MAX_REPORT);
    lk_buf_init(&name, LK_BUF_MAX_LINE);
    size_t tests = 0, failures = 0, errors = 0;
    for (size_t i = 0; i < org->n_pairs; i++) {
        const struct lk_report_pair *p = &org->pairs[i];
        lk_buf_reset(&name);
        lk_buf_printf(&name, "logkeep drift %s %s", s_opt(p->account_name, ""),
                      s_opt(p->region, ""));
        const char *suite = lk_buf_cstr(&name);
        if (!suite) {
            lk_buf_fail(b);
            break;
        }
        if (!p->error && p->diff) {
            s_junit_suite(&suites, p->diff, &p->ctx, suite, &tests, &failures);
            continue;
        }
        tests++;
        errors++;
        lk_buf_puts(&suites, "  <testsuite name=\"");
        lk_xml_escape(&suites, suite, true);
        lk_buf_puts(&suites, "\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n"
                             "    <testcase classname=\"logkeep.pair\" name=\"");
        lk_xml_escape(&suites, s_opt(p->account, ""), true);
        lk_buf_putc(&suites, '/');
        lk_xml_escape(&suites, s_opt(p->region, ""), true);
        lk_buf_puts(&suites, "\">\n      <error message=\"");
        lk_xml_escape(&suites, p->error ? p->error : "failed", true);
        lk_buf_puts(&suites, "\"/>\n    </testcase>\n  </testsuite>\n");
    }
    s_junit_open(b, tests, failures, errors);
    s_append_part(b, &suites);
    lk_buf_puts(b, "</testsuites>\n");
    lk_buf_free(&name);
    lk_buf_free(&suites);
}

static void s_render_org_sarif(struct lk_buf *b, const struct lk_report_org *org)
{
    cJSON *run = NULL;
    cJSON *root = s_sarif_root(org->tool_version, &run);
    struct lk_buf tmp;
    lk_buf_init(&tmp, LK_BUF_MAX_REPORT);
    bool failed = false;
    cJSON *results = s_jadd(run, "results", cJSON_CreateArray());
    for (size_t i = 0; i < org->n_pairs; i++) {
        const struct lk_report_pair *p = &org->pairs[i];
        if (p->error || !p->diff)
            continue;
        for (size_t k = 0; k < p->diff->n; k++)
            s_jpush(results, s_sarif_result(&p->diff->changes[k], &p->ctx, p, &tmp, &failed));
    }
    lk_buf_free(&tmp);
    if (failed)
        lk_buf_fail(b);
    size_t changed, in_sync, n_failed;
    s_org_counts(org, &changed, &in_sync, &n_failed);
    cJSON *props = s_jadd(run, "properties", cJSON_CreateObject());
    s_jadd(props, "organization", s_jstr(org->organization));
    s_jadd(props, "generated_at", s_jstr(org->generated_at));
    s_jadd(props, "pairs", cJSON_CreateNumber((double)org->n_pairs));
    s_jadd(props, "failed", cJSON_CreateNumber((double)n_failed));
    /* A failed pair is no result (nothing was compared) but a notification of the run. */
    if (n_failed) {
        cJSON *inv = s_jadd(run, "invocations", cJSON_CreateArray());
        cJSON *one = s_jnew(cJSON_CreateObject());
        s_jadd(one, "executionSuccessful", cJSON_CreateBool(false));
        cJSON *notes = s_jadd(one, "toolExecutionNotifications", cJSON_CreateArray());
        for (size_t i = 0; i < org->n_pairs; i++) {
            const struct lk_report_pair *p = &org->pairs[i];
            if (!p->error && p->diff)
                continue;
            cJSON *n = s_jnew(cJSON_CreateObject());
            s_jadd(n, "level", cJSON_CreateString("error"));
            cJSON *msg = s_jadd(n, "message", cJSON_CreateObject());
            s_jadd(msg, "text", cJSON_CreateString(s_opt(p->error, "failed")));
            cJSON *np = s_jadd(n, "properties", cJSON_CreateObject());
            s_jadd(np, "account", s_jstr(p->account));
            s_jadd(np, "account_name", s_jstr(p->account_name));
            s_jadd(np, "region", s_jstr(p->region));
            s_jpush(notes, n);
        }
        s_jpush(inv, one);
    }
    s_print_json(b, root);
    cJSON_Delete(root);
}

/* The pairs in sync the text output names; more are only counted. */
#define S_IN_SYNC_NAMED 24

/* TEXT: written as it goes (each pair's text report is written by lk_diff_render_text()). */
static enum lk_status s_render_org_text(const struct lk_report_org *org, FILE *out)
{
    size_t changed, in_sync, failed;
    s_org_counts(org, &changed, &in_sync, &failed);
    for (size_t i = 0; i < org->n_pairs; i++) {
        const struct lk_report_pair *p = &org->pairs[i];
        bool bad = p->error || !p->diff;
        if (!bad && !s_pair_drifted(p))
            continue;
        fprintf(out, "== %s (%s) %s ==\n", s_opt(p->account_name, ""), s_opt(p->account, ""),
                s_opt(p->region, ""));
        if (bad) {
            fprintf(out, "error: %s\n\n", s_opt(p->error, "failed"));
            continue;
        }
        LK_GUARD(lk_diff_render_text_for(p->diff, p->account, out, org->color));
        fputc('\n', out);
    }
    if (in_sync) {
        /* Named while the line stays readable; beyond, counted (the JSON report names each). */
        bool name = in_sync <= S_IN_SYNC_NAMED;
        fprintf(out, "%zu pair%s in sync%s", in_sync, in_sync == 1 ? "" : "s", name ? ":" : ".");
        for (size_t i = 0; name && i < org->n_pairs; i++) {
            const struct lk_report_pair *p = &org->pairs[i];
            if (!p->error && p->diff && !s_pair_drifted(p))
                fprintf(out, " %s/%s", s_opt(p->account_name, ""), s_opt(p->region, ""));
        }
        fputc('\n', out);
    }
    fprintf(out, "%zu pairs: %zu with changes, %zu in sync, %zu failed\n", org->n_pairs, changed,
            in_sync, failed);
    return ferror(out) || fflush(out) != 0 ? LK_STATUS_IO : LK_STATUS_OK;
}

enum lk_status lk_report_render_org(const struct lk_report_org *org, enum lk_report_format fmt,
                                    FILE *out)
{
    enum lk_status rc = LK_STATUS_OK;
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_REPORT);
    LK_ENSURE_GOTO(rc, org && out && (org->pairs || !org->n_pairs), LK_STATUS_INVALID_ARGUMENT,
                   cleanup);
    switch (fmt) {
    case LK_REPORT_TEXT:
        rc = s_render_org_text(org, out);
        goto cleanup;
    case LK_REPORT_JSON:
        s_render_org_json(&b, org);
        break;
    case LK_REPORT_MARKDOWN:
        s_render_org_markdown(&b, org);
        break;
    case LK_REPORT_JUNIT:
        s_render_org_junit(&b, org);
        break;
    case LK_REPORT_SARIF:
        s_render_org_sarif(&b, org);
        break;
    default:
        rc = LK_STATUS_INVALID_ARGUMENT;
        goto cleanup;
    }
    LK_GUARD_GOTO(rc, lk_buf_status(&b), cleanup);
    if ((b.len && fwrite(b.data, 1, b.len, out) != b.len) || fflush(out) != 0)
        rc = LK_STATUS_IO;

cleanup:
    lk_buf_free(&b);
    return rc;
}
