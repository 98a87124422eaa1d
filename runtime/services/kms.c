/*
 * logkeep runtime: the AWS KMS client (see kms.h). Request bodies are written directly; the
 * GetKeyPolicy answer is read with cJSON through lk_json_doc_parse().
 */
#include "runtime/services/kms.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/escape.h"
#include "runtime/services/policy_json.h"

#define KMS_TARGET_PREFIX "TrentService."

bool lk_kms_parse_key_arn(const char *arn, char *region, size_t region_len, const char **key_id)
{
    /* arn:partition:kms:region:account:key/key-id (KMS Developer Guide, "Key ARN"). */
    if (!arn || strncmp(arn, "arn:", 4) != 0)
        return false;
    const char *p = arn + 4;
    const char *part_end = strchr(p, ':');
    if (!part_end || part_end == p || strncmp(part_end, ":kms:", 5) != 0)
        return false;
    const char *reg = part_end + 5;
    const char *reg_end = strchr(reg, ':');
    if (!reg_end || reg_end == reg)
        return false;
    const char *acct = reg_end + 1;
    const char *acct_end = strchr(acct, ':');
    if (!acct_end || acct_end - acct != 12 || strspn(acct, "0123456789") != 12)
        return false;
    if (strncmp(acct_end + 1, "key/", 4) != 0 || !acct_end[5])
        return false;
    const char *id = acct_end + 5;
    if (strchr(id, '/') || strchr(id, ':'))
        return false;
    size_t rlen = (size_t)(reg_end - reg);
    if (region) {
        if (rlen + 1 > region_len)
            return false;
        memcpy(region, reg, rlen);
        region[rlen] = '\0';
    }
    if (key_id)
        *key_id = id;
    return true;
}

enum lk_status lk_kms_parse_get_key_policy(struct lk_ir_state *st, const char *json, size_t len,
                                           char **text, struct lk_error *err)
{
    enum lk_status rc;
    struct lk_json_doc doc;
    LK_GUARD_GOTO(rc, lk_json_doc_parse(&doc, json, len, LK_JSON_MAX_BYTES, err), cleanup);
    LK_ENSURE_GOTO(
        rc, cJSON_IsObject(doc.root),
        lk_error_set(err, LK_STATUS_SCHEMA, "GetKeyPolicy response is not a JSON object"), cleanup);
    const cJSON *policy = cJSON_GetObjectItemCaseSensitive(doc.root, "Policy");
    LK_ENSURE_GOTO(rc, cJSON_IsString(policy) && policy->valuestring[0],
                   lk_error_set(err, LK_STATUS_SCHEMA, "GetKeyPolicy response has no Policy"),
                   cleanup);
    *text = lk_ir_strdup(st, policy->valuestring);
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}

/* One call in the key's region; frees @p body. */
static enum lk_status s_call(struct lk_aws_client *client, const char *op, const char *key_arn,
                             struct lk_buf *body, struct lk_http_response *resp,
                             struct lk_aws_error *err)
{
    char region[64];
    enum lk_status rc;
    if (!lk_kms_parse_key_arn(key_arn, region, sizeof(region), NULL)) {
        char why[160];
        snprintf(why, sizeof(why), "not a KMS key ARN: %.100s", key_arn ? key_arn : "(null)");
        rc = lk_svc_result(lk_aws_error_invalid(err, op, why), err);
    } else if (lk_buf_failed(body)) {
        rc = lk_svc_result(lk_aws_error_invalid(err, op, "the key policy is too large"), err);
    } else {
        rc = lk_svc_result(lk_aws_json_call(client, LK_AWS_KMS, KMS_TARGET_PREFIX, op, region,
                                            (const char *)body->data, body->len, resp, err),
                           err);
    }
    lk_buf_free(body);
    return rc;
}

enum lk_status lk_kms_get_key_policy(struct lk_aws_client *client, const char *key_arn,
                                     struct lk_ir_state *st, char **text, struct lk_aws_error *err)
{
    static const char op[] = "GetKeyPolicy";
    struct lk_http_response resp = {0};
    struct lk_buf body;
    struct lk_error why = {0};
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&body, "{\"KeyId\":");
    lk_json_escape(&body, key_arn ? key_arn : "");
    lk_buf_puts(&body, ",\"PolicyName\":\"" LK_KMS_POLICY_NAME "\"}");
    enum lk_status rc = s_call(client, op, key_arn, &body, &resp, err);
    if (rc == LK_STATUS_OK &&
        lk_kms_parse_get_key_policy(st, (const char *)resp.body, resp.body_len, text, &why) !=
            LK_STATUS_OK)
        rc = lk_svc_result(lk_aws_error_malformed(err, op, &resp, why.message), err);
    lk_http_response_free(&resp);
    return rc;
}

enum lk_status lk_kms_put_key_policy(struct lk_aws_client *client, const char *key_arn,
                                     const char *policy, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    struct lk_buf body;
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&body, "{\"KeyId\":");
    lk_json_escape(&body, key_arn ? key_arn : "");
    lk_buf_puts(&body, ",\"PolicyName\":\"" LK_KMS_POLICY_NAME "\",\"Policy\":");
    lk_json_escape(&body, policy ? policy : "");
    /* PutKeyPolicy, BypassPolicyLockoutSafetyCheck: "Setting this value to true increases the
     * risk that the KMS key becomes unmanageable" (KMS API Reference): always false. */
    lk_buf_puts(&body, ",\"BypassPolicyLockoutSafetyCheck\":false}");
    enum lk_status rc = s_call(client, "PutKeyPolicy", key_arn, &body, &resp, err);
    lk_http_response_free(&resp);
    return rc;
}
