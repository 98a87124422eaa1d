/*
 * logkeep runtime: what the service clients share (see service.h).
 */
#include "runtime/services/service.h"

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
