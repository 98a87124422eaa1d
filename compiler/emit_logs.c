/*
 * logkeep: CloudWatch Logs retention: the PutRetentionPolicy inputs of one region.
 */
#include <stdbool.h>
#include <string.h>

#include "common/buf.h"
#include "common/escape.h"
#include "compiler/emit.h"

/* {"region", "log_groups": [{"source", "operation", "input", "requested_days"?}],
 *  "patterns": [{"source", "pattern", "retentionInDays", "requested_days"?}],
 *  "unmanaged": {"retentionInDays"}}.
 * Each "input" is exactly a PutRetentionPolicy request (CloudWatch Logs API Reference), or a
 * DeleteRetentionPolicy request when logs are kept forever (no retention = never expire).
 * retentionInDays 0 in a pattern or in "unmanaged" means never expire. */
/* One entry of "log_groups" or "patterns", laid out as lk_json_print() lays out the same
 * members (two spaces per level). */
static void s_retention_entry(struct lk_buf *b, const struct lk_ir_log_group *g)
{
    lk_buf_puts(b, "    {\n      \"source\": ");
    lk_json_escape(b, g->source ? g->source : "");
    if (g->pattern) {
        /* Patterns are expanded against DescribeLogGroups when applied; each match gets this
         * retention ('*' matches any run of characters). */
        lk_buf_puts(b, ",\n      \"pattern\": ");
        lk_json_escape(b, g->name);
        lk_buf_printf(b, ",\n      \"retentionInDays\": %d", (int)g->retention_days);
    } else {
        lk_buf_puts(b, g->retention_days > 0 ? ",\n      \"operation\": \"PutRetentionPolicy\""
                                             : ",\n      \"operation\": \"DeleteRetentionPolicy\"");
        lk_buf_puts(b, ",\n      \"input\": {\n        \"logGroupName\": ");
        lk_json_escape(b, g->name);
        if (g->retention_days > 0)
            lk_buf_printf(b, ",\n        \"retentionInDays\": %d", (int)g->retention_days);
        lk_buf_puts(b, "\n      }");
    }
    if (g->retention_days > 0 && g->wanted_days != g->retention_days)
        lk_buf_printf(b, ",\n      \"requested_days\": %d", (int)g->wanted_days);
    lk_buf_puts(b, "\n    }");
}

/* The entries of @p region whose pattern flag is @p pattern, as one JSON array member. */
static void s_retention_list(struct lk_buf *b, const struct lk_ir_state *st, const char *region,
                             bool pattern)
{
    bool first = true;
    for (size_t i = 0; i < st->n_log_groups; i++) {
        const struct lk_ir_log_group *g = &st->log_groups[i];
        if (g->pattern != pattern || strcmp(g->region, region) != 0)
            continue;
        lk_buf_puts(b, first ? "[\n" : ",\n");
        s_retention_entry(b, g);
        first = false;
    }
    lk_buf_puts(b, first ? "[]" : "\n  ]");
}

/* {"region", "log_groups": [{"source", "operation", "input", "requested_days"?}],
 *  "patterns": [{"source", "pattern", "retentionInDays", "requested_days"?}],
 *  "unmanaged": {"retentionInDays"}}.
 * Each "input" is exactly a PutRetentionPolicy request (CloudWatch Logs API Reference), or a
 * DeleteRetentionPolicy request when logs are kept forever (no retention = never expire).
 * retentionInDays 0 in a pattern or in "unmanaged" means never expire.
 * Written directly rather than through a cJSON tree, which took about ten times the document's
 * size for a policy with a hundred thousand sources; the layout is lk_json_print()'s. */
char *lk_emit_retention_json(const struct lk_ir_state *st, const char *region,
                             struct lk_arena *arena)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_DOCUMENT);
    lk_buf_puts(&b, "{\n  \"region\": ");
    lk_json_escape(&b, region);
    lk_buf_puts(&b, ",\n  \"log_groups\": ");
    s_retention_list(&b, st, region, false);
    lk_buf_puts(&b, ",\n  \"patterns\": ");
    s_retention_list(&b, st, region, true);
    if (st->unmanaged_set && !strcmp(region, st->region))
        lk_buf_printf(&b, ",\n  \"unmanaged\": {\n    \"retentionInDays\": %d\n  }",
                      (int)st->unmanaged_retention_days);
    lk_buf_puts(&b, "\n}\n");
    return lk_buf_take_arena(&b, arena);
}
