/*
 * logkeep: CloudWatch Logs retention: the PutRetentionPolicy inputs of one region.
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "compiler/emit.h"

/* {"region", "log_groups": [{"source", "operation", "input", "requested_days"?}],
 *  "patterns": [{"source", "pattern", "retentionInDays", "requested_days"?}],
 *  "unmanaged": {"retentionInDays"}}.
 * Each "input" is exactly a PutRetentionPolicy request (CloudWatch Logs API Reference), or a
 * DeleteRetentionPolicy request when logs are kept forever (no retention = never expire).
 * retentionInDays 0 in a pattern or in "unmanaged" means never expire. */
char *lk_emit_retention_json(const struct lk_ir_state *st, const char *region,
                             struct lk_arena *arena)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "region", region);
    cJSON *exact = cJSON_AddArrayToObject(root, "log_groups");
    cJSON *patterns = cJSON_AddArrayToObject(root, "patterns");
    for (size_t i = 0; i < st->n_log_groups; i++) {
        const struct lk_ir_log_group *g = &st->log_groups[i];
        if (strcmp(g->region, region) != 0)
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "source", g->source ? g->source : "");
        if (g->pattern) {
            /* Patterns are expanded against DescribeLogGroups when applied; each match gets
             * this retention ('*' matches any run of characters). */
            cJSON_AddStringToObject(o, "pattern", g->name);
            cJSON_AddNumberToObject(o, "retentionInDays", g->retention_days);
        } else {
            cJSON_AddStringToObject(o, "operation",
                                    g->retention_days > 0 ? "PutRetentionPolicy"
                                                          : "DeleteRetentionPolicy");
            cJSON *in = cJSON_AddObjectToObject(o, "input");
            cJSON_AddStringToObject(in, "logGroupName", g->name);
            if (g->retention_days > 0)
                cJSON_AddNumberToObject(in, "retentionInDays", g->retention_days);
        }
        if (g->retention_days > 0 && g->wanted_days != g->retention_days)
            cJSON_AddNumberToObject(o, "requested_days", g->wanted_days);
        cJSON_AddItemToArray(g->pattern ? patterns : exact, o);
    }
    if (st->unmanaged_set && !strcmp(region, st->region)) {
        cJSON *u = cJSON_AddObjectToObject(root, "unmanaged");
        cJSON_AddNumberToObject(u, "retentionInDays", st->unmanaged_retention_days);
    }
    char *out = lk_json_print(root, arena);
    cJSON_Delete(root);
    return out;
}
