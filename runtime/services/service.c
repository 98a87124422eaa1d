/*
 * logkeep runtime: what the service clients share (see service.h).
 */
#include "runtime/services/service.h"

#include <stdio.h>
#include <string.h>

enum lk_status lk_svc_status(const struct lk_aws_error *err)
{
    if (err->no_response)
        return err->status;
    if (err->code && !strcmp(err->code, LK_SVC_MALFORMED_RESPONSE))
        return LK_STATUS_MALFORMED;
    if (err->code && !strcmp(err->code, LK_SVC_INVALID_ARGUMENT))
        return LK_STATUS_INVALID_ARGUMENT;
    return LK_STATUS_AWS;
}

enum lk_status lk_svc_result(int rc, const struct lk_aws_error *err)
{
    return rc == 0 ? LK_STATUS_OK : lk_svc_status(err);
}

enum lk_status lk_svc_json_call(struct lk_aws_client *client, enum lk_aws_service service,
                                const char *target_prefix, const char *op, const char *region,
                                const struct lk_buf *body, struct lk_http_response *resp,
                                struct lk_aws_error *err)
{
    if (lk_buf_failed(body)) {
        char why[96];
        snprintf(why, sizeof(why), "the %s request would exceed %zu bytes", op, LK_BUF_MAX_REQUEST);
        return lk_svc_result(lk_aws_error_invalid(err, op, why), err);
    }
    return lk_svc_result(lk_aws_json_call(client, service, target_prefix, op, region,
                                          (const char *)body->data, body->len, resp, err),
                         err);
}
