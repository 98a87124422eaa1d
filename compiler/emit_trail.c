/*
 * logkeep: CloudTrail trail configuration: the CreateTrail, PutEventSelectors and StartLogging
 * requests (CloudTrail API Reference; JSON 1.1 member names as in the service model).
 * UpdateTrail takes the same members as CreateTrail but TagsList and IsOrganizationTrail's
 * creation-only semantics; the runtime derives it from the CreateTrail input.
 */
#include <cjson/cJSON.h>

#include "compiler/emit.h"

char *lk_emit_trail_json(const struct lk_ir_state *st, const struct lk_ir_trail *t,
                         struct lk_arena *arena)
{
    (void)st;
    cJSON *root = cJSON_CreateObject();
    cJSON *ct = cJSON_AddObjectToObject(root, "CreateTrail");
    cJSON_AddStringToObject(ct, "Name", t->name);
    cJSON_AddStringToObject(ct, "S3BucketName", t->s3_bucket_name ? t->s3_bucket_name : "");
    if (t->s3_key_prefix)
        cJSON_AddStringToObject(ct, "S3KeyPrefix", t->s3_key_prefix);
    cJSON_AddBoolToObject(ct, "IncludeGlobalServiceEvents", t->include_global_service_events);
    cJSON_AddBoolToObject(ct, "IsMultiRegionTrail", t->is_multi_region_trail);
    cJSON_AddBoolToObject(ct, "EnableLogFileValidation", t->enable_log_file_validation);
    if (t->cloud_watch_logs_log_group_arn) {
        cJSON_AddStringToObject(ct, "CloudWatchLogsLogGroupArn", t->cloud_watch_logs_log_group_arn);
        cJSON_AddStringToObject(ct, "CloudWatchLogsRoleArn", t->cloud_watch_logs_role_arn);
    }
    if (t->kms_key_id)
        cJSON_AddStringToObject(ct, "KmsKeyId", t->kms_key_id);
    cJSON_AddBoolToObject(ct, "IsOrganizationTrail", t->is_organization_trail);

    cJSON *pes = cJSON_AddObjectToObject(root, "PutEventSelectors");
    cJSON_AddStringToObject(pes, "TrailName", t->name);
    cJSON *sels = cJSON_AddArrayToObject(pes, "EventSelectors");
    for (size_t i = 0; i < t->n_event_selectors; i++) {
        const struct lk_ir_event_selector *e = &t->event_selectors[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "ReadWriteType", e->read_write_type);
        cJSON_AddBoolToObject(o, "IncludeManagementEvents", e->include_management_events);
        cJSON *drs = cJSON_AddArrayToObject(o, "DataResources");
        for (size_t d = 0; d < e->n_data_resources; d++) {
            cJSON *dr = cJSON_CreateObject();
            cJSON_AddStringToObject(dr, "Type", e->data_resources[d].type);
            cJSON *vals = cJSON_AddArrayToObject(dr, "Values");
            for (size_t v = 0; v < e->data_resources[d].values.n; v++)
                cJSON_AddItemToArray(vals, cJSON_CreateString(e->data_resources[d].values.items[v]));
            cJSON_AddItemToArray(drs, dr);
        }
        if (e->exclude_management_event_sources.n) {
            cJSON *ex = cJSON_AddArrayToObject(o, "ExcludeManagementEventSources");
            for (size_t v = 0; v < e->exclude_management_event_sources.n; v++)
                cJSON_AddItemToArray(ex,
                                     cJSON_CreateString(e->exclude_management_event_sources.items[v]));
        }
        cJSON_AddItemToArray(sels, o);
    }
    if (t->is_logging) {
        cJSON *sl = cJSON_AddObjectToObject(root, "StartLogging");
        cJSON_AddStringToObject(sl, "Name", t->name);
    } else {
        cJSON *sl = cJSON_AddObjectToObject(root, "StopLogging");
        cJSON_AddStringToObject(sl, "Name", t->name);
    }
    char *out = lk_json_print(root, arena);
    cJSON_Delete(root);
    return out;
}
