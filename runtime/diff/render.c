/*
 * logkeep runtime: the renderings of a diff: text in the style of `terraform plan`, and JSON
 * for --out plan.json and --format json (formats in diff.h).
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/diff/diff_int.h"

/* ------------------------------------------------------------------------------ names */

/* Each resource kind: its name in JSON, and its title over its changes in the text. */
static const struct {
    const char *name;
    const char *title;
} s_resources[] = {
    [LK_DIFF_BUCKET] = {"bucket", "bucket"},
    [LK_DIFF_LOG_GROUP] = {"log_group", "log group"},
    [LK_DIFF_TRAIL] = {"trail", "trail"},
    [LK_DIFF_UNMANAGED_LOG_GROUP] = {"unmanaged_log_group", "unmanaged log group"},
    [LK_DIFF_UNMANAGED_STORE] = {"unmanaged_store", "unmanaged store"},
    [LK_DIFF_KEY] = {"key", "KMS key"},
    [LK_DIFF_PRODUCER] = {"producer", "producer"},
};
_Static_assert(sizeof(s_resources) / sizeof(s_resources[0]) == LK_DIFF_PRODUCER + 1,
               "a title for every resource kind");

const char *lk_diff_resource_name(enum lk_diff_resource resource)
{
    return (size_t)resource < sizeof(s_resources) / sizeof(s_resources[0])
               ? s_resources[resource].name
               : "?";
}

const char *lk_diff_kind_name(enum lk_diff_kind kind)
{
    switch (kind) {
    case LK_DIFF_MISSING:
        return "add";
    case LK_DIFF_CHANGED:
        return "change";
    case LK_DIFF_EXTRA:
        return "remove";
    case LK_DIFF_NOTE:
        return "note";
    }
    return "?";
}

const char *lk_diff_direction_name(enum lk_diff_direction direction)
{
    switch (direction) {
    case LK_DIFF_WEAKER:
        return "weaker";
    case LK_DIFF_STRONGER:
        return "stronger";
    case LK_DIFF_NEUTRAL:
        break;
    }
    return "neutral";
}

/* ------------------------------------------------------------------------------ text */

#define S_RESET "\033[0m"

static const char *s_resource_title(enum lk_diff_resource r)
{
    return (size_t)r < sizeof(s_resources) / sizeof(s_resources[0]) ? s_resources[r].title : "?";
}

static bool s_same_resource(const struct lk_diff_change *a, const struct lk_diff_change *b)
{
    return a->resource == b->resource && !strcmp(a->name, b->name) &&
           lk_diff_streq(a->region, b->region);
}

/* ------------------------------------------------------------------------------ origins */

/* The location and source line under changes, as compiler/diag.c renders a diagnostic's: the
 * same window of a long line, the same replacement of what a terminal must not see, the same
 * caret. The runtime cannot use the compiler's renderer (docs/architecture.md), hence this
 * copy of its rules. */

#define S_BOLD "\033[1m"
#define S_BLUE "\033[1;34m"
#define S_GREEN "\033[1;32m"

/* At most this many characters of a source line are shown, around the column. */
#define S_LINE_WINDOW 160

/* Code points that change how the text around them is displayed without showing themselves:
 * bidirectional controls ("Trojan Source", CVE-2021-42574), zero-width characters, the
 * byte-order mark, NEL and the Unicode line and paragraph separators. */
static bool s_invisible(uint32_t cp)
{
    return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF || cp == 0x2028 || cp == 0x2029 ||
           cp == 0x0085 || cp == 0x061C;
}

/* Length of the UTF-8 sequence a lead byte announces (1 for a byte that leads none). */
static size_t s_char_len(const char *p, size_t left)
{
    unsigned char c = (unsigned char)p[0];
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return n > left ? 1 : n;
}

/* @return the code point of the @p n-byte sequence at @p p, or UINT32_MAX when it is not
 * well-formed UTF-8 (a bad continuation, an overlong form, a surrogate, past U+10FFFF). */
static uint32_t s_code_point(const unsigned char *p, size_t n)
{
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    uint32_t cp = n == 2 ? (p[0] & 0x1Fu) : n == 3 ? (p[0] & 0x0Fu) : (p[0] & 0x07u);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0u) != 0x80u)
            return UINT32_MAX;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return UINT32_MAX;
    return cp;
}

/* Writes one character of policy text: a tab as it is; control bytes, malformed UTF-8 and
 * invisible or reordering characters as '?' (one column, so the caret stays aligned).
 * @return the bytes consumed. */
static size_t s_put_char(struct lk_buf *b, const char *p, size_t left)
{
    unsigned char c = (unsigned char)p[0];
    if (c == '\t' || (c >= 0x20 && c < 0x7F)) {
        lk_buf_putc(b, (char)c);
        return 1;
    }
    size_t n = s_char_len(p, left);
    uint32_t cp = n > 1 ? s_code_point((const unsigned char *)p, n) : UINT32_MAX;
    if (cp == UINT32_MAX) {
        lk_buf_putc(b, '?');
        return 1;
    }
    if (s_invisible(cp))
        lk_buf_putc(b, '?');
    else
        lk_buf_append(b, p, n);
    return n;
}

static void s_put_text(struct lk_buf *b, const char *s)
{
    size_t len = strlen(s);
    for (size_t o = 0; o < len;)
        o += s_put_char(b, s + o, len - o);
}

/* "      FILE:LINE:COL", then " LINE | text" and "      | ^~~~" under the span. */
static void s_render_origin(struct lk_buf *b, const struct lk_ir_origin *o, bool color)
{
    lk_buf_puts(b, color ? "      " S_BOLD : "      ");
    s_put_text(b, o->file);
    lk_buf_printf(b, ":%u:%u%s\n", o->line, o->column, color ? S_RESET : "");
    if (!o->text)
        return;
    const char *line = o->text;
    size_t len = strlen(line);
    char num[16];
    int w = snprintf(num, sizeof(num), "%u", o->line);
    /* The window of characters shown: the column stays in view. */
    uint32_t first = 1;
    if (o->column > S_LINE_WINDOW / 2)
        first = o->column - S_LINE_WINDOW / 4;
    size_t off = 0;
    for (uint32_t ch = 1; ch < first && off < len; ch++)
        off += s_char_len(line + off, len - off);
    lk_buf_printf(b, "%s %s |%s ", color ? S_BLUE : "", num, color ? S_RESET : "");
    if (first > 1)
        lk_buf_puts(b, "...");
    size_t shown = 0, at = off;
    while (at < len && shown < S_LINE_WINDOW) {
        at += s_put_char(b, line + at, len - at);
        shown++;
    }
    if (at < len)
        lk_buf_puts(b, "...");
    lk_buf_putc(b, '\n');
    lk_buf_printf(b, "%s %*s |%s ", color ? S_BLUE : "", w, "", color ? S_RESET : "");
    if (first > 1)
        lk_buf_puts(b, "   ");
    at = off;
    for (uint32_t ch = first; ch < o->column; ch++) {
        lk_buf_putc(b, at < len && line[at] == '\t' ? '\t' : ' ');
        if (at < len)
            at += s_char_len(line + at, len - at);
    }
    if (color)
        lk_buf_puts(b, S_GREEN);
    lk_buf_putc(b, '^');
    uint32_t tail = o->length > 1 ? o->length - 1 : 0;
    if (tail > S_LINE_WINDOW)
        tail = S_LINE_WINDOW;
    for (uint32_t i = 0; i < tail; i++)
        lk_buf_putc(b, '~');
    if (color)
        lk_buf_puts(b, S_RESET);
    lk_buf_putc(b, '\n');
}

static bool s_same_origin(const struct lk_ir_origin *a, const struct lk_ir_origin *b)
{
    if (!a->file || !b->file)
        return !a->file && !b->file;
    return a->line == b->line && a->column == b->column && a->length == b->length &&
           !strcmp(a->file, b->file);
}

static void s_render_change(struct lk_buf *b, const struct lk_diff_change *ch, bool color)
{
    static const char sym[] = {'+', '~', '-', '#'};
    static const char *const sym_color[] = {"\033[32m", "\033[33m", "\033[31m", "\033[2m"};
    /* The resource as a whole is shown by its kind ("+ bucket = ..."). */
    const char *attr = ch->attribute[0] ? ch->attribute : lk_diff_resource_name(ch->resource);
    lk_buf_puts(b, "  ");
    if (color)
        lk_buf_puts(b, sym_color[ch->kind]);
    lk_buf_putc(b, sym[ch->kind]);
    if (color)
        lk_buf_puts(b, S_RESET);
    switch (ch->kind) {
    case LK_DIFF_MISSING:
        lk_buf_printf(b, " %s = %s", attr, ch->desired ? ch->desired : "");
        break;
    case LK_DIFF_CHANGED:
        lk_buf_printf(b, " %s: %s -> %s", attr, ch->live ? ch->live : "",
                      ch->desired ? ch->desired : "");
        break;
    case LK_DIFF_EXTRA:
        lk_buf_printf(b, " %s = %s", attr, ch->live ? ch->live : "");
        break;
    case LK_DIFF_NOTE:
        lk_buf_printf(b, " %s: %s", attr, ch->note ? ch->note : "");
        break;
    }
    if (ch->direction == LK_DIFF_WEAKER)
        lk_buf_puts(b, color ? "  \033[1;31m[weaker]" S_RESET : "  [weaker]");
    else if (ch->direction == LK_DIFF_STRONGER)
        lk_buf_puts(b, color ? "  \033[36m[stronger]" S_RESET : "  [stronger]");
    if (ch->data_loss)
        lk_buf_printf(b, color ? "  \033[1m(needs --allow %s)" S_RESET : "  (needs --allow %s)",
                      ch->allow_name);
    if (ch->note && ch->kind != LK_DIFF_NOTE)
        lk_buf_printf(b, "  # %s", ch->note);
    lk_buf_putc(b, '\n');
}

/* ------------------------------------------------------------------------------ producers */

/* How a report words the producers of a type: the noun, singular and plural, and what a
 * producer that delivers nowhere does not do (singular, plural). */
static const struct {
    const char *one, *many, *missing_one, *missing_many;
} s_producer_words[LK_IR_PRODUCER_COUNT] = {
    [LK_IR_PRODUCER_VPC_FLOW_LOGS] = {"VPC", "VPCs", "has no flow log to", "have no flow log to"},
    [LK_IR_PRODUCER_RESOLVER_QUERY_LOGS] = {"VPC", "VPCs", "has no query logging to",
                                            "have no query logging to"},
    [LK_IR_PRODUCER_ELB] = {"load balancer", "load balancers", "has no access logs to",
                            "have no access logs to"},
    [LK_IR_PRODUCER_NLB] = {"Network Load Balancer", "Network Load Balancers",
                            "has no access logs to", "have no access logs to"},
    [LK_IR_PRODUCER_WAF] = {"web ACL", "web ACLs", "has no logging to", "have no logging to"},
    [LK_IR_PRODUCER_NETWORK_FIREWALL] = {"firewall", "firewalls", "does not log to",
                                         "do not log to"},
    [LK_IR_PRODUCER_CONFIG] = {"configuration recorder", "configuration recorders",
                               "does not deliver to", "do not deliver to"},
    [LK_IR_PRODUCER_GUARDDUTY] = {"GuardDuty detector", "GuardDuty detectors",
                                  "does not export findings to", "do not export findings to"},
    [LK_IR_PRODUCER_EKS] = {"EKS cluster", "EKS clusters", "does not send", "do not send"},
    [LK_IR_PRODUCER_RDS] = {"database", "databases", "does not export", "do not export"},
};

/* The producer type of a change's attribute "<type>[<source>]...". @return false if none. */
static bool s_producer_type(const struct lk_diff_change *ch, enum lk_ir_producer_type *out)
{
    const char *a = ch->attribute ? ch->attribute : "";
    const char *br = strchr(a, '[');
    char name[64];
    size_t n = br ? (size_t)(br - a) : strlen(a);
    if (n == 0 || n >= sizeof(name))
        return false;
    memcpy(name, a, n);
    name[n] = '\0';
    return lk_ir_producer_type_parse(name, out);
}

/* The length of the --allow name of @p ch without its resource's name ("redirect:"). */
static size_t s_allow_verb_len(const struct lk_diff_change *ch)
{
    if (!ch->allow_name)
        return 0;
    size_t a = strlen(ch->allow_name), n = ch->name ? strlen(ch->name) : 0;
    if (n && a > n && !strcmp(ch->allow_name + a - n, ch->name))
        return a - n;
    return a;
}

bool lk_diff_producer_alike(const struct lk_diff_change *a, const struct lk_diff_change *b)
{
    size_t va = s_allow_verb_len(a), vb = s_allow_verb_len(b);
    return a->resource == LK_DIFF_PRODUCER && b->resource == LK_DIFF_PRODUCER &&
           a->kind == b->kind && a->direction == b->direction && a->data_loss == b->data_loss &&
           lk_diff_streq(a->region, b->region) && lk_diff_streq(a->attribute, b->attribute) &&
           lk_diff_streq(a->desired, b->desired) && lk_diff_streq(a->live, b->live) &&
           lk_diff_streq(a->note, b->note) && va == vb &&
           (!va || !memcmp(a->allow_name, b->allow_name, va));
}

void lk_diff_producer_sentence(struct lk_buf *b, const struct lk_diff_change *first, size_t count,
                               const char *account)
{
    enum lk_ir_producer_type t;
    bool typed = s_producer_type(first, &t);
    const char *one = typed ? s_producer_words[t].one : "producer";
    const char *many = typed ? s_producer_words[t].many : "producers";
    bool plural = count != 1;
    const char *desired = first->desired ? first->desired : "";
    /* RDS with no log types named: the engine's main log (lk_ir_rds_default_log_type()). */
    if (!strcmp(desired, "delivering"))
        desired = "its main log";
    /* "*": no recorder or detector at all in the pair (runtime/diff/coverage.c). */
    bool none = first->name && !strcmp(first->name, "*") && count == 1;
    if (none && first->kind == LK_DIFF_MISSING) {
        lk_buf_printf(b, "no %s", one);
        if (account)
            lk_buf_printf(b, " in account %s", account);
        if (first->region)
            lk_buf_printf(b, ", %s,", first->region);
        lk_buf_printf(b, " %s %s",
                      typed && t == LK_IR_PRODUCER_GUARDDUTY ? "exports findings to"
                                                             : "delivers to",
                      desired);
        return;
    }
    if (none)
        lk_buf_printf(b, "the %s", many);
    else
        lk_buf_printf(b, "%zu %s", count, plural ? many : one);
    if (!first->region) {
        /* Decided over every pair of the source (stale exclusions and IDs). */
        lk_buf_printf(b, ": %s", first->note ? first->note : "note");
        return;
    }
    if (account)
        lk_buf_printf(b, " in account %s, %s,", account, first->region);
    else
        lk_buf_printf(b, " in %s,", first->region);
    switch (first->kind) {
    case LK_DIFF_MISSING:
        lk_buf_printf(
            b, " %s %s",
            typed ? (plural ? s_producer_words[t].missing_many : s_producer_words[t].missing_one)
                  : (plural ? "do not deliver to" : "does not deliver to"),
            desired);
        break;
    case LK_DIFF_CHANGED:
        if (first->note && !strncmp(first->note, LK_DIFF_NOTE_ADMINISTRATOR,
                                    strlen(LK_DIFF_NOTE_ADMINISTRATOR)))
            lk_buf_printf(b, " %s %s: not checked against %s", plural ? "are" : "is", first->note,
                          desired);
        else if (first->note && !strcmp(first->note, LK_DIFF_NOTE_ELSEWHERE))
            lk_buf_printf(b, " %s elsewhere, not to %s (%s)", plural ? "deliver" : "delivers",
                          desired, first->live ? first->live : "");
        else
            lk_buf_printf(b, " %s only partly to %s (%s)", plural ? "deliver" : "delivers", desired,
                          first->live ? first->live : "");
        break;
    case LK_DIFF_EXTRA:
    case LK_DIFF_NOTE:
        lk_buf_printf(b, " %s", first->note ? first->note : "note");
        break;
    }
}

/* Text: the IDs of a group named on its line; more are counted (the JSON report lists each). */
#define S_TEXT_GROUP_IDS 10

/* The block of the producer changes alike to diff->changes[i] (each marked in @p done). */
static void s_render_producers(struct lk_buf *b, const struct lk_diff *diff, size_t i,
                               const char *account, bool *done, bool color)
{
    static const char sym[] = {'+', '~', '-', '#'};
    static const char *const sym_color[] = {"\033[32m", "\033[33m", "\033[31m", "\033[2m"};
    const struct lk_diff_change *ch = &diff->changes[i];
    size_t count = 0;
    for (size_t k = i; k < diff->n; k++)
        count += !done[k] && lk_diff_producer_alike(ch, &diff->changes[k]);
    lk_buf_printf(b, color ? "\033[1mproducers %s" S_RESET : "producers %s", ch->attribute);
    if (ch->region)
        lk_buf_printf(b, " (%s)", ch->region);
    lk_buf_puts(b, ":\n  ");
    if (color)
        lk_buf_puts(b, sym_color[ch->kind]);
    lk_buf_putc(b, sym[ch->kind]);
    if (color)
        lk_buf_puts(b, S_RESET);
    lk_buf_putc(b, ' ');
    lk_diff_producer_sentence(b, ch, count, account);
    lk_buf_puts(b, ": ");
    size_t shown = 0;
    for (size_t k = i; k < diff->n; k++) {
        if (done[k] || !lk_diff_producer_alike(ch, &diff->changes[k]))
            continue;
        done[k] = true;
        if (shown < S_TEXT_GROUP_IDS)
            lk_buf_printf(b, "%s%s", shown ? ", " : "", diff->changes[k].name);
        shown++;
    }
    if (count > S_TEXT_GROUP_IDS)
        lk_buf_printf(b, " and %zu more", count - S_TEXT_GROUP_IDS);
    if (ch->direction == LK_DIFF_WEAKER)
        lk_buf_puts(b, color ? "  \033[1;31m[weaker]" S_RESET : "  [weaker]");
    if (ch->data_loss) {
        size_t verb = s_allow_verb_len(ch);
        if (count > 1 && verb < strlen(ch->allow_name))
            lk_buf_printf(b,
                          color ? "  \033[1m(needs --allow %.*s<id> for each)" S_RESET
                                : "  (needs --allow %.*s<id> for each)",
                          (int)verb, ch->allow_name);
        else
            lk_buf_printf(b, color ? "  \033[1m(needs --allow %s)" S_RESET : "  (needs --allow %s)",
                          ch->allow_name);
    }
    lk_buf_putc(b, '\n');
    if (ch->origin.file)
        s_render_origin(b, &ch->origin, color);
}

enum lk_status lk_diff_render_text(const struct lk_diff *diff, FILE *f, bool color)
{
    return lk_diff_render_text_for(diff, NULL, f, color);
}

enum lk_status lk_diff_render_text_for(const struct lk_diff *diff, const char *account, FILE *f,
                                       bool color)
{
    enum lk_status rc = LK_STATUS_OK;
    struct lk_buf b;
    bool *done = NULL;
    lk_buf_init(&b, LK_BUF_MAX_REPORT);
    LK_ENSURE_GOTO(rc, diff && f, LK_STATUS_INVALID_ARGUMENT, cleanup);
    done = lk_xcalloc(diff->n ? diff->n : 1, sizeof(*done));
    bool first_block = true;
    for (size_t i = 0; i < diff->n; i++) {
        const struct lk_diff_change *ch = &diff->changes[i];
        if (done[i])
            continue;
        if (ch->resource == LK_DIFF_PRODUCER) {
            if (!first_block)
                lk_buf_putc(&b, '\n');
            first_block = false;
            s_render_producers(&b, diff, i, account, done, color);
            continue;
        }
        if (i == 0 || !s_same_resource(ch, &diff->changes[i - 1])) {
            if (!first_block)
                lk_buf_putc(&b, '\n');
            first_block = false;
            lk_buf_printf(&b, color ? "\033[1m%s %s" S_RESET : "%s %s",
                          s_resource_title(ch->resource), ch->name);
            if (ch->region)
                lk_buf_printf(&b, " (%s)", ch->region);
            lk_buf_puts(&b, ":\n");
        }
        s_render_change(&b, ch, color);
        /* The origin once under the run of changes of this resource that share it. */
        const struct lk_diff_change *next = i + 1 < diff->n ? &diff->changes[i + 1] : NULL;
        if (ch->origin.file &&
            (!next || !s_same_resource(ch, next) || !s_same_origin(&ch->origin, &next->origin)))
            s_render_origin(&b, &ch->origin, color);
    }
    struct lk_diff_summary s;
    lk_diff_summarize(diff, &s);
    if (diff->n)
        lk_buf_putc(&b, '\n');
    if (s.to_add + s.to_change + s.to_remove == 0)
        lk_buf_puts(&b, "No changes: live state matches the policy.\n");
    lk_buf_printf(&b, "%zu to add, %zu to change, %zu to remove", s.to_add, s.to_change,
                  s.to_remove);
    if (s.unmanaged_stores)
        lk_buf_printf(&b, ", of which %zu unmanaged store%s that apply leaves alone",
                      s.unmanaged_stores, s.unmanaged_stores == 1 ? "" : "s");
    lk_buf_printf(&b, " (%zu weaker than policy; %zu need --allow)\n", s.weaker, s.need_allow);
    LK_GUARD_GOTO(rc, lk_buf_status(&b), cleanup);
    LK_ENSURE_GOTO(rc, fwrite(b.data, 1, b.len, f) == b.len, LK_STATUS_IO, cleanup);
    LK_ENSURE_GOTO(rc, fflush(f) == 0, LK_STATUS_IO, cleanup);
cleanup:
    free(done);
    lk_buf_free(&b);
    return rc;
}

/* ------------------------------------------------------------------------------ JSON */

static void s_json_str(cJSON *o, const char *key, const char *value)
{
    if (value)
        cJSON_AddStringToObject(o, key, value);
    else
        cJSON_AddNullToObject(o, key);
}

char *lk_diff_to_json(const struct lk_diff *diff)
{
    if (!diff)
        return NULL;
    cJSON *root = cJSON_CreateObject();
    if (!root)
        lk_oom();
    cJSON_AddNumberToObject(root, "format_version", 1);
    cJSON *changes = cJSON_AddArrayToObject(root, "changes");
    for (size_t i = 0; i < diff->n; i++) {
        const struct lk_diff_change *ch = &diff->changes[i];
        cJSON *o = cJSON_CreateObject();
        if (!o)
            lk_oom();
        cJSON_AddStringToObject(o, "resource", lk_diff_resource_name(ch->resource));
        s_json_str(o, "name", ch->name);
        s_json_str(o, "region", ch->region);
        s_json_str(o, "attribute", ch->attribute);
        cJSON_AddStringToObject(o, "action", lk_diff_kind_name(ch->kind));
        cJSON_AddStringToObject(o, "direction", lk_diff_direction_name(ch->direction));
        s_json_str(o, "desired", ch->desired);
        s_json_str(o, "live", ch->live);
        cJSON_AddBoolToObject(o, "data_loss", ch->data_loss);
        s_json_str(o, "allow_name", ch->allow_name);
        s_json_str(o, "note", ch->note);
        if (ch->origin.file) {
            cJSON *at = cJSON_AddObjectToObject(o, "origin");
            if (!at)
                lk_oom();
            cJSON_AddStringToObject(at, "file", ch->origin.file);
            cJSON_AddNumberToObject(at, "line", ch->origin.line);
            cJSON_AddNumberToObject(at, "column", ch->origin.column);
        } else {
            cJSON_AddNullToObject(o, "origin");
        }
        cJSON_AddItemToArray(changes, o);
    }
    struct lk_diff_summary s;
    lk_diff_summarize(diff, &s);
    cJSON *sum = cJSON_AddObjectToObject(root, "summary");
    cJSON_AddNumberToObject(sum, "add", (double)s.to_add);
    cJSON_AddNumberToObject(sum, "change", (double)s.to_change);
    cJSON_AddNumberToObject(sum, "remove", (double)s.to_remove);
    cJSON_AddNumberToObject(sum, "unmanaged_stores", (double)s.unmanaged_stores);
    cJSON_AddNumberToObject(sum, "notes", (double)s.notes);
    cJSON_AddNumberToObject(sum, "weaker", (double)s.weaker);
    cJSON_AddNumberToObject(sum, "stronger", (double)s.stronger);
    cJSON_AddNumberToObject(sum, "need_allow", (double)s.need_allow);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        lk_oom();
    return text;
}
