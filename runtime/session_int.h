/*
 * logkeep runtime: what session.c (the steps) and session_plan.c (plan files) share.
 */
#ifndef LK_SESSION_INT_H
#define LK_SESSION_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/hash.h"
#include "common/result.h"
#include "runtime/session.h"

struct cJSON;

/* Differences named when a saved plan is refused; the rest are counted. */
#define LK_SESSION_MAX_NAMED 20

/* A plan file read back: every pointer borrows from @c root. */
struct lk_session_saved {
    struct cJSON *root; /* owned */
    const char *desired_sha256, *live_sha256;
    const struct cJSON *artifacts, *calls, *diff, *live_state;
};

/** Replaces the session's message with a printf-style one. */
void lk_session_fail(struct lk_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Replaces the session's message with the text of @p b (one final newline dropped; a note
 *  that the detail was too long when @p b failed) and empties @p b. */
void lk_session_fail_buf(struct lk_session *s, struct lk_buf *b);

/**
 * Reads the whole of @p path into @p b (NUL-terminated, the NUL not counted), at most @p max
 * bytes; @p what names the kind of file in the message ("state file", "plan file").
 * @param b an empty buffer whose cap is above @p max.
 * @return LK_STATUS_OK, or LK_STATUS_IO or LK_STATUS_TOO_LARGE with a message.
 */
LK_MUST_CHECK enum lk_status lk_session_read_file(struct lk_session *s, const char *path,
                                                  size_t max, const char *what, struct lk_buf *b);

/**
 * The SHA-256 (hex) of the state document of @p st, the fingerprint a plan file keeps.
 * @param json_out receives the document itself (heap, free()) when not NULL.
 */
void lk_session_state_sha256(const struct lk_ir_state *st, char out[LK_SHA256_HEX_LEN + 1],
                             char **json_out);

/** Frees a saved plan (NULL allowed). */
void lk_session_saved_free(struct lk_session_saved *sp);

/** Saved plan: refuses when the desired state or a payload differs from the plan's.
 *  @return LK_STATUS_OK or LK_STATUS_REFUSED with a message. */
LK_MUST_CHECK enum lk_status lk_session_saved_check_desired(struct lk_session *s);

/** Saved plan: refuses when the live state differs from the plan's, naming what changed.
 *  @return LK_STATUS_OK or LK_STATUS_REFUSED with a message. */
LK_MUST_CHECK enum lk_status lk_session_saved_check_live(struct lk_session *s);

/** Saved plan: refuses when the diff or the calls differ from the plan's.
 *  @return LK_STATUS_OK or LK_STATUS_REFUSED with a message. */
LK_MUST_CHECK enum lk_status lk_session_saved_check_calls(struct lk_session *s);

#endif
