/*
 * logkeep: S3 bucket policy documents (IAM policy JSON).
 */
#include <cjson/cJSON.h>

#include "emit.h"

/* A one-element list is written as a plain string, as AWS writes it back (GetBucketPolicy):
 * the drift checker treats both forms as equal anyway. */
static cJSON *s_list(const struct lk_ir_string_list *l)
{
    if (l->n == 1)
        return cJSON_CreateString(l->items[0]);
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < l->n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(l->items[i]));
    return arr;
}

char *lk_emit_bucket_policy_json(const struct lk_ir_bucket_policy *p, struct lk_arena *arena)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "Version", p->version ? p->version : "2012-10-17");
    cJSON *stmts = cJSON_AddArrayToObject(root, "Statement");
    for (size_t i = 0; i < p->n_statements; i++) {
        const struct lk_ir_statement *s = &p->statements[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "Sid", s->sid);
        cJSON_AddStringToObject(o, "Effect", s->allow ? "Allow" : "Deny");
        switch (s->principal_kind) {
        case LK_IR_PRINCIPAL_ANY: cJSON_AddStringToObject(o, "Principal", "*"); break;
        case LK_IR_PRINCIPAL_AWS:
            cJSON_AddItemToObject(cJSON_AddObjectToObject(o, "Principal"), "AWS",
                                  s_list(&s->principals));
            break;
        case LK_IR_PRINCIPAL_SERVICE:
            cJSON_AddItemToObject(cJSON_AddObjectToObject(o, "Principal"), "Service",
                                  s_list(&s->principals));
            break;
        }
        cJSON_AddItemToObject(o, "Action", s_list(&s->actions));
        cJSON_AddItemToObject(o, "Resource", s_list(&s->resources));
        if (s->n_conditions) {
            cJSON *cond = cJSON_AddObjectToObject(o, "Condition");
            for (size_t k = 0; k < s->n_conditions; k++) {
                const struct lk_ir_condition *c = &s->conditions[k];
                cJSON *op = cJSON_GetObjectItemCaseSensitive(cond, c->op);
                if (!op)
                    op = cJSON_AddObjectToObject(cond, c->op);
                cJSON_AddItemToObject(op, c->key, s_list(&c->values));
            }
        }
        cJSON_AddItemToArray(stmts, o);
    }
    char *out = lk_json_print(root, arena);
    cJSON_Delete(root);
    return out;
}
