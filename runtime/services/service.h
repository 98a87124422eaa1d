/*
 * logkeep runtime: what the service clients (s3.c, logs.c, cloudtrail.c, policy_json.c) share.
 *
 * Conventions of every service call:
 *  - It returns an enum lk_status (common/result.h): LK_STATUS_OK with @p err left empty, or a
 *    failure with @p err filled as AWS reported it (operation, AWS code, message, HTTP status,
 *    request id). @p err must be empty on entry; the caller clears it after a failure.
 *  - The status classifies the failure (lk_svc_status()): LK_STATUS_AWS for an AWS error
 *    response, LK_STATUS_MALFORMED for a 2xx answer that cannot be parsed (code
 *    LK_SVC_MALFORMED_RESPONSE), LK_STATUS_INVALID_ARGUMENT for a call refused before it was sent
 *    (code LK_SVC_INVALID_ARGUMENT), and LK_STATUS_NETWORK, LK_STATUS_TIMEOUT or
 *    LK_STATUS_TOO_LARGE when no usable answer arrived (err->no_response is set, err->status
 *    says which).
 *  - The response parsers, exposed for the tests and the fuzzers, take the body (not
 *    necessarily NUL-terminated) and return LK_STATUS_OK, or LK_STATUS_MALFORMED (not XML or
 *    JSON, nested too deeply), LK_STATUS_TOO_LARGE (over the parser's size bound) or
 *    LK_STATUS_SCHEMA (well-formed, but not what the operation returns), with a one-line reason
 *    in a struct lk_error.
 */
#ifndef LK_RUNTIME_SERVICES_SERVICE_H
#define LK_RUNTIME_SERVICES_SERVICE_H

#include "common/result.h"
#include "runtime/transport/client.h"

/* Error code given to a 2xx response whose body is not what the operation returns. It is not
 * an AWS code: AWS codes never contain a '.'. (runtime/transport/client.h keeps a copy for
 * lk_aws_error_malformed(): the transport floor cannot include this header.) */
#define LK_SVC_MALFORMED_RESPONSE "logkeep.MalformedResponse"

/* Error code of a call refused before it was sent (lk_aws_error_invalid()). */
#define LK_SVC_INVALID_ARGUMENT "logkeep.InvalidArgument"

/**
 * @return the status of a call that failed with @p err (see above); LK_STATUS_AWS when @p err
 *         holds nothing more specific.
 */
enum lk_status lk_svc_status(const struct lk_aws_error *err);

/**
 * For the int results of the transport (0 or -1 with @p err filled).
 * @return LK_STATUS_OK when @p rc is 0, else lk_svc_status(err).
 */
LK_MUST_CHECK enum lk_status lk_svc_result(int rc, const struct lk_aws_error *err);

/**
 * One JSON 1.1 call (lk_aws_json_call()) with a request body built in an lk_buf: a body that
 * overflowed its buffer is refused before anything is sent (LK_SVC_INVALID_ARGUMENT, "the <op>
 * request would exceed N bytes").
 * @param body the request body (not freed)
 * @return as lk_svc_result()
 */
LK_MUST_CHECK enum lk_status lk_svc_json_call(struct lk_aws_client *client,
                                              enum lk_aws_service service,
                                              const char *target_prefix, const char *op,
                                              const char *region, const struct lk_buf *body,
                                              struct lk_http_response *resp,
                                              struct lk_aws_error *err);

#endif
