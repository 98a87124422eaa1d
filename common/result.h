/*
 * logkeep: the error model of operations inside the program.
 *
 * A function that can fail returns an enum lk_status: LK_STATUS_OK (zero) or one of a small
 * vocabulary of failure classes, and, when the caller passes one, writes the human message into a
 * struct lk_error. The status says what kind of failure it was, for the code (retry, exit code,
 * which test expectation); the message says what was wrong and where, for the person reading it,
 * one condition per message (docs/architecture.md "Errors"; curl Curl_failf()). Policy diagnostics are a
 * different thing (compiler/diag.h): they are collected, not returned.
 *
 * Models: s2n-tls utils/s2n_safety_macros.h (RESULT_GUARD, RESULT_ENSURE, and results the
 * compiler will not let a caller drop), aws-c-common include/aws/common/error.h and
 * docs/error-handling.md (one cleanup: label per function).
 *
 * Adopting it, file by file:
 *   1. Declare the function `LK_MUST_CHECK enum lk_status lk_x_verb(..., struct lk_error *err);`
 *      Status first, outputs after, the error last. LK_STATUS_OK is 0, so callers still written
 *      as `if (lk_x_verb(...) != 0)` keep working while they are converted.
 *   2. Report a failure with `return lk_error_set(err, LK_STATUS_MALFORMED, "... %s", x);`
 *      (it returns the status). @p err may be NULL: the status is still returned.
 *   3. Propagate with LK_GUARD(call) in functions without resources to release, and with
 *      LK_GUARD_GOTO(rc, call, cleanup) in functions that end in a single cleanup: label:
 *
 *          enum lk_status rc = LK_STATUS_OK;
 *          LK_GUARD_GOTO(rc, s_read(..., err), cleanup);
 *          LK_ENSURE_GOTO(rc, n <= max, lk_error_set(err, LK_STATUS_TOO_LARGE, "..."), cleanup);
 *      cleanup:
 *          free(tmp);
 *          return rc;
 *
 *      The status argument of LK_ENSURE and LK_ENSURE_GOTO is evaluated only when the condition
 *      fails, so it may be an lk_error_set() call that records the message.
 *   4. A result deliberately ignored is written LK_IGNORE(call): GCC does not accept a cast to
 *      void as using a warn_unused_result value.
 */
#ifndef LK_COMMON_RESULT_H
#define LK_COMMON_RESULT_H

#include <stdarg.h>
#include <stddef.h>

/* A result the caller must look at (GCC and Clang warn_unused_result; -Werror makes ignoring one
 * a build failure). Put it before the return type of the declaration. */
#if defined(__GNUC__) || defined(__clang__)
#define LK_MUST_CHECK __attribute__((warn_unused_result))
#else
#define LK_MUST_CHECK
#endif

/* Uses a result on purpose without looking at it (see 4. above). */
#define LK_IGNORE(expr) ((void)!(expr))

/** What kind of failure an operation had. Zero is success; the order carries no meaning. */
enum lk_status {
    LK_STATUS_OK = 0,
    LK_STATUS_INVALID_ARGUMENT, /* the caller broke the contract: a NULL that is required, an
                                   argument the operation (or AWS) refuses before anything runs */
    LK_STATUS_MALFORMED,        /* input that is not well-formed: not JSON or XML, a NUL byte,
                                   nested too deeply, a response body of the wrong shape */
    LK_STATUS_SCHEMA,           /* well-formed input with the wrong content: a field missing,
                                   unknown, duplicated, of the wrong type or out of range */
    LK_STATUS_TOO_LARGE,        /* input or output over one of logkeep's size caps */
    LK_STATUS_UNSUPPORTED,      /* a format, version or feature this build does not handle */
    LK_STATUS_IO,               /* the operating system refused: open, read, write, rename */
    LK_STATUS_NETWORK,          /* no usable answer arrived: connection, TLS, truncated body */
    LK_STATUS_TIMEOUT,          /* a deadline passed */
    LK_STATUS_AWS,              /* AWS answered with an error (the AWS code, message, HTTP
                                   status and request id are in the caller's struct lk_aws_error) */
    LK_STATUS_CRYPTO,           /* the cryptographic library failed */
    LK_STATUS_CONFLICT,         /* the state changed under logkeep (a plan made for other live
                                   state, a resource that appeared or disappeared) */
    LK_STATUS_REFUSED,          /* logkeep declined on purpose: a change its guards forbid */
    LK_STATUS_COUNT
};

/** @return a short lowercase name of @p status ("malformed input"), for messages and test
 *  failures; "unknown status" for a value outside the enum. */
const char *lk_status_name(enum lk_status status);

/* Messages are one line; a JSON path, an AWS message or a file name fits with room to spare. */
#define LK_ERROR_MESSAGE_MAX 512

/** The human side of a failure. Zero-initialised means "no error". */
struct lk_error {
    enum lk_status status;
    char message[LK_ERROR_MESSAGE_MAX]; /* one line, NUL-terminated; "" when status is OK */
};

/**
 * Records a failure: @p status and a printf-formatted message (truncated to fit).
 * @param err may be NULL (the caller does not want the message).
 * @param status the failure; LK_STATUS_OK clears @p err instead.
 * @param fmt the message; its arguments must not point into err->message (add context to a
 *        message already there with lk_error_prefix()).
 * @return @p status, so that failing is `return lk_error_set(err, LK_STATUS_X, "...");`.
 */
enum lk_status lk_error_set(struct lk_error *err, enum lk_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** lk_error_set() with a va_list. */
enum lk_status lk_error_vset(struct lk_error *err, enum lk_status status, const char *fmt,
                             va_list ap) __attribute__((format(printf, 3, 0)));

/**
 * Puts context before the message already in @p err: "state file a.json: " + message. Does
 * nothing when @p err is NULL or holds no error.
 * @return err->status (LK_STATUS_OK when there is no error).
 */
enum lk_status lk_error_prefix(struct lk_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Resets @p err to "no error" (NULL is accepted). */
void lk_error_clear(struct lk_error *err);

/* ------------------------------------------------------------------------------ guards */

/* Returns the status of @p expr from the enclosing function unless it is LK_STATUS_OK. */
#define LK_GUARD(expr)                                                                             \
    do {                                                                                           \
        enum lk_status lk_guard_status_ = (expr);                                                  \
        if (lk_guard_status_ != LK_STATUS_OK)                                                      \
            return lk_guard_status_;                                                               \
    } while (0)

/* Returns @p status from the enclosing function when @p cond is false. @p status is evaluated
 * only then (it may be an lk_error_set() call). */
#define LK_ENSURE(cond, status)                                                                    \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return (status);                                                                       \
    } while (0)

/* Stores the status of @p expr in @p rc, and jumps to @p label unless it is LK_STATUS_OK. */
#define LK_GUARD_GOTO(rc, expr, label)                                                             \
    do {                                                                                           \
        if (((rc) = (expr)) != LK_STATUS_OK)                                                       \
            goto label;                                                                            \
    } while (0)

/* When @p cond is false, stores @p status in @p rc and jumps to @p label. @p status is evaluated
 * only then (it may be an lk_error_set() call). */
#define LK_ENSURE_GOTO(rc, cond, status, label)                                                    \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            (rc) = (status);                                                                       \
            goto label;                                                                            \
        }                                                                                          \
    } while (0)

#endif
