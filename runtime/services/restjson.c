/*
 * logkeep runtime: the REST-JSON protocol and the JSON reading functions (see restjson.h).
 */
#include "runtime/services/restjson.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/services/policy_json.h"

void lk_restjson_encode(struct lk_buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        /* RFC 3986 section 2.3, unreserved characters; SigV4 encodes the same set ("URI-encode
         * each URI component ... Do not URI-encode any of the unreserved characters"). */
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            lk_buf_putc(out, (char)c);
        } else {
            lk_buf_putc(out, '%');
            lk_buf_putc(out, hex[c >> 4]);
            lk_buf_putc(out, hex[c & 15]);
        }
    }
}

enum lk_status lk_restjson_path(struct lk_buf *out, const char *uri_template,
                                const char *const *labels, size_t n_labels)
{
    size_t used = 0;
    for (const char *p = uri_template; *p;) {
        if (*p != '{') {
            lk_buf_putc(out, *p++);
            continue;
        }
        const char *end = strchr(p, '}');
        if (end == NULL || used == n_labels || labels[used] == NULL || labels[used][0] == '\0')
            return LK_STATUS_INVALID_ARGUMENT;
        lk_restjson_encode(out, labels[used++]);
        p = end + 1;
    }
    return used == n_labels ? LK_STATUS_OK : LK_STATUS_INVALID_ARGUMENT;
}

void lk_restjson_query(struct lk_buf *out, const char *name, const char *value)
{
    bool first = out->data == NULL || strchr(out->data, '?') == NULL;
    lk_buf_putc(out, first ? '?' : '&');
    lk_restjson_encode(out, name);
    lk_buf_putc(out, '=');
    lk_restjson_encode(out, value);
}

/* @p raw cut at ':' and after the last '#' before it, blanks trimmed; heap or NULL. */
static char *s_error_type(const char *raw, size_t len)
{
    size_t cut = 0;
    while (cut < len && raw[cut] != ':')
        cut++;
    const char *start = raw;
    for (size_t i = 0; i < cut; i++)
        if (raw[i] == '#')
            start = raw + i + 1;
    size_t n = (size_t)(raw + cut - start);
    while (n > 0 && (*start == ' ' || *start == '\t')) {
        start++;
        n--;
    }
    while (n > 0 && (start[n - 1] == ' ' || start[n - 1] == '\t'))
        n--;
    /* An AWS error type is a short identifier: a longer one is not taken. */
    return n > 0 && n <= 256 ? lk_xstrndup(start, n) : NULL;
}

void lk_restjson_error_type(const struct lk_http_response *resp, struct lk_aws_error *err)
{
    if (resp == NULL || resp->status < 300)
        return;
    char *code = NULL;
    const char *hdr = lk_http_header_get(resp, "x-amzn-ErrorType");
    if (hdr != NULL)
        code = s_error_type(hdr, strlen(hdr));
    if (code == NULL && resp->body != NULL && resp->body_len > 0) {
        cJSON *doc = NULL;
        struct lk_error why = {0};
        if (lk_json_parse_bounded((const char *)resp->body, resp->body_len, LK_JSON_MAX_BYTES, &doc,
                                  &why) == LK_STATUS_OK &&
            cJSON_IsObject(doc)) {
            static const char *const keys[] = {"code", "Code", "__type"};
            for (size_t i = 0; code == NULL && i < sizeof(keys) / sizeof(keys[0]); i++) {
                const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, keys[i]);
                if (cJSON_IsString(t))
                    code = s_error_type(t->valuestring, strlen(t->valuestring));
            }
        }
        cJSON_Delete(doc);
    }
    if (code == NULL)
        return;
    free(err->code);
    err->code = code;
}

enum lk_status lk_restjson_call(struct lk_aws_client *client, enum lk_aws_service service,
                                const char *op, const char *method, const struct lk_buf *path,
                                const char *region, const struct lk_buf *body,
                                struct lk_http_response *resp, struct lk_aws_error *err)
{
    if (lk_buf_failed(path) || path->data == NULL || (body != NULL && lk_buf_failed(body))) {
        char why[128];
        /* lk_restjson_path() failed (an empty or missing label), or a buffer hit its cap. */
        snprintf(why, sizeof(why),
                 "the %s request has an empty path label or exceeds its size bound", op);
        return lk_svc_result(lk_aws_error_invalid(err, op, why), err);
    }
    struct lk_aws_request req = {0};
    req.service = service;
    req.operation = op;
    req.method = method;
    req.path = path->data;
    req.region = region;
    if (body != NULL) {
        req.content_type = "application/json";
        req.body = (const unsigned char *)body->data;
        req.body_len = body->len;
    }
    enum lk_status rc = lk_aws_call(client, &req, resp, err);
    if (rc == LK_STATUS_OK) {
        lk_aws_error_clear(err);
        return LK_STATUS_OK;
    }
    if (rc == LK_STATUS_AWS)
        lk_restjson_error_type(resp, err);
    return rc;
}

enum lk_status lk_restjson_json10_call(struct lk_aws_client *client, enum lk_aws_service service,
                                       const char *target_prefix, const char *op,
                                       const char *region, const struct lk_buf *body,
                                       struct lk_http_response *resp, struct lk_aws_error *err)
{
    if (lk_buf_failed(body)) {
        char why[96];
        snprintf(why, sizeof(why), "the %s request would exceed %zu bytes", op, LK_BUF_MAX_REQUEST);
        return lk_svc_result(lk_aws_error_invalid(err, op, why), err);
    }
    char target[160];
    snprintf(target, sizeof(target), "%s%s", target_prefix, op);
    struct lk_aws_request req = {0};
    req.service = service;
    req.operation = op;
    req.method = "POST";
    req.path = "/";
    req.target = target;
    /* "AWS JSON 1.0 protocol": Content-Type application/x-amz-json-1.0
     * (https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html). */
    req.content_type = "application/x-amz-json-1.0";
    req.body = (const unsigned char *)(body->data != NULL ? body->data : "{}");
    req.body_len = body->data != NULL ? body->len : 2;
    req.region = region;
    enum lk_status rc = lk_aws_call(client, &req, resp, err);
    if (rc == LK_STATUS_OK)
        lk_aws_error_clear(err);
    return rc;
}

enum lk_status lk_restjson_get_str(struct lk_arena *arena, const cJSON *obj, const char *name,
                                   size_t max_len, char **out, struct lk_error *err)
{
    *out = NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (v == NULL || cJSON_IsNull(v))
        return LK_STATUS_OK;
    if (!cJSON_IsString(v) || v->valuestring == NULL)
        return lk_error_set(err, LK_STATUS_SCHEMA, "%s is not a string", name);
    size_t len = strlen(v->valuestring);
    if (len > max_len)
        return lk_error_set(err, LK_STATUS_TOO_LARGE, "%s is longer than %zu bytes", name, max_len);
    *out = lk_arena_strndup(arena, v->valuestring, len);
    return LK_STATUS_OK;
}

enum lk_status lk_restjson_get_bool(const cJSON *obj, const char *name, bool *out,
                                    struct lk_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (v == NULL || cJSON_IsNull(v))
        return LK_STATUS_OK;
    if (!cJSON_IsBool(v))
        return lk_error_set(err, LK_STATUS_SCHEMA, "%s is not a boolean", name);
    *out = cJSON_IsTrue(v);
    return LK_STATUS_OK;
}

enum lk_status lk_restjson_get_int(const cJSON *obj, const char *name, int64_t *out,
                                   struct lk_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (v == NULL || cJSON_IsNull(v))
        return LK_STATUS_OK;
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
        fabs(v->valuedouble) > 9007199254740992.0)
        return lk_error_set(err, LK_STATUS_SCHEMA, "%s is not an integer", name);
    *out = (int64_t)v->valuedouble;
    return LK_STATUS_OK;
}

enum lk_status lk_restjson_get_array(const cJSON *obj, const char *name, bool required,
                                     const cJSON **out, struct lk_error *err)
{
    *out = NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (v == NULL || cJSON_IsNull(v))
        return required ? lk_error_set(err, LK_STATUS_SCHEMA, "%s is missing", name) : LK_STATUS_OK;
    if (!cJSON_IsArray(v))
        return lk_error_set(err, LK_STATUS_SCHEMA, "%s is not an array", name);
    *out = v;
    return LK_STATUS_OK;
}

enum lk_status lk_restjson_get_object(const cJSON *obj, const char *name, const cJSON **out,
                                      struct lk_error *err)
{
    *out = NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (v == NULL || cJSON_IsNull(v))
        return LK_STATUS_OK;
    if (!cJSON_IsObject(v))
        return lk_error_set(err, LK_STATUS_SCHEMA, "%s is not an object", name);
    *out = v;
    return LK_STATUS_OK;
}

void *lk_restjson_push(void **items, size_t *n, size_t elem_size)
{
    if (*n >= LK_RESTJSON_MAX_ITEMS)
        return NULL;
    /* Capacity doubles at powers of two, so the array is reallocated log2(n) times. */
    size_t count = *n;
    if (count == 0 || (count & (count - 1)) == 0)
        *items = lk_xrealloc(*items, (count == 0 ? 1 : count * 2) * elem_size);
    void *item = (char *)*items + count * elem_size;
    memset(item, 0, elem_size);
    *n = count + 1;
    return item;
}

bool lk_restjson_next_page(char **prev, const char *token, unsigned pages)
{
    if (pages >= LK_RESTJSON_MAX_PAGES)
        return false;
    if (*prev != NULL && strcmp(*prev, token) == 0)
        return false;
    free(*prev);
    *prev = lk_xstrdup(token);
    return true;
}

enum lk_status lk_restjson_parse_object(struct lk_json_doc *doc, const char *json, size_t len,
                                        const char *op, struct lk_error *err)
{
    LK_GUARD(lk_json_doc_parse(doc, json, len, LK_JSON_MAX_BYTES, err));
    if (!cJSON_IsObject(doc->root))
        return lk_error_set(err, LK_STATUS_SCHEMA, "%s response is not a JSON object", op);
    return LK_STATUS_OK;
}

enum lk_status lk_restjson_parse_names(struct lk_arena *arena, const char *json, size_t len,
                                       const char *op, const char *member, bool required,
                                       const char *what, void **items, size_t *n, size_t elem_size,
                                       char **next_token, struct lk_error *err)
{
    enum lk_status rc;
    struct lk_json_doc doc;
    const cJSON *arr = NULL, *item;
    *next_token = NULL;
    LK_GUARD_GOTO(rc, lk_restjson_parse_object(&doc, json, len, op, err), cleanup);
    LK_GUARD_GOTO(rc, lk_restjson_get_array(doc.root, member, required, &arr, err), cleanup);
    cJSON_ArrayForEach(item, arr)
    {
        LK_ENSURE_GOTO(rc,
                       cJSON_IsString(item) && strlen(item->valuestring) <= LK_RESTJSON_MAX_STRING,
                       lk_error_set(err, LK_STATUS_SCHEMA, "%s is not a string", what), cleanup);
        /* A pointer to a structure points to its first member (C11 6.7.2.1). */
        char **name = lk_restjson_push(items, n, elem_size);
        LK_ENSURE_GOTO(rc, name != NULL,
                       lk_error_set(err, LK_STATUS_TOO_LARGE, "%s lists too many", op), cleanup);
        *name = lk_arena_strdup(arena, item->valuestring);
    }
    LK_GUARD_GOTO(
        rc,
        lk_restjson_get_str(arena, doc.root, "nextToken", LK_RESTJSON_MAX_STRING, next_token, err),
        cleanup);
    if (*next_token != NULL && (*next_token)[0] == '\0')
        *next_token = NULL;
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}
