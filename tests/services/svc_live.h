/*
 * logkeep service client tests against the local endpoint: what the live suites share.
 */
#ifndef LK_SVC_LIVE_H
#define LK_SVC_LIVE_H

#include <check.h>

#include "runtime/transport/client.h"

/* Fails the test with @p what and the AWS error @p err describes. */
static inline void lk_svc_fail_err(const char *what, const struct lk_aws_error *err)
{
    char buf[512];
    lk_aws_error_format(err, buf, sizeof(buf));
    ck_abort_msg("%s: %s", what, buf);
}

/* Asserts success, printing the AWS error otherwise, and leaves @p err empty. */
#define OK(call, err)                                                                              \
    do {                                                                                           \
        if ((call) != 0)                                                                           \
            lk_svc_fail_err(#call, &(err));                                                        \
        ck_assert_ptr_null((err).code);                                                            \
    } while (0)

#endif
