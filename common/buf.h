/*
 * logkeep: the bounded byte buffer.
 *
 * A growable heap buffer with a hard maximum size chosen by its owner, after curl's dynbuf
 * (curl docs/internals/DYNBUF.md): an append that would take the buffer past its maximum does
 * not grow it; it fails the buffer, which releases its contents, and every later append does
 * nothing. The owner asks once, where the result leaves its function (lk_buf_failed(),
 * lk_buf_status(), or lk_buf_take() returning NULL), instead of checking every append: rendering
 * code stays a plain sequence of lk_buf_puts() calls, and a hostile or broken input can neither
 * grow the process without bound nor produce a silently truncated document.
 *
 * Each buffer names its maximum, one of the LK_BUF_MAX_* caps below (or a bound of its own that
 * its module documents). A zeroed struct lk_buf is an empty buffer with the LK_BUF_MAX_DEFAULT
 * cap. Allocation failure aborts (lk_oom()), as everywhere in logkeep.
 */
#ifndef LK_COMMON_BUF_H
#define LK_COMMON_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/result.h"

struct lk_arena;

/* ------------------------------------------------------------------------------ caps */

/* One line or one message assembled from names: a diagnostic's help text, a value rendered for a
 * report, a list of choices. Its parts are names AWS bounds far below this: a log group name is
 * at most 512 characters (CloudWatch Logs API Reference, CreateLogGroup), an S3 object key 1,024
 * bytes (S3 User Guide, "Naming Amazon S3 objects"). */
#define LK_BUF_MAX_LINE ((size_t)64 * 1024)

/* The body of one AWS API request that logkeep writes itself (DescribeLogGroups, CreateTrail,
 * PutEventSelectors, CreateBucket). The largest is PutEventSelectors: "A trail can have up to 5
 * event selectors ... A trail is limited to 250 data resources" (CloudTrail API Reference,
 * InvalidEventSelectorsException), each an ARN such as an S3 bucket (63 characters) and key
 * prefix (1,024 bytes), so under 0.5 MiB. */
#define LK_BUF_MAX_REQUEST ((size_t)1 * 1024 * 1024)

/* One HTTP response body held in memory. The largest answer logkeep reads is a lifecycle
 * configuration of 1,000 rules (S3 API Reference, PutBucketLifecycleConfiguration), under the
 * 2 MiB the S3 parser accepts; a DescribeLogGroups page of 50 groups is about 15 KB. Equal to the
 * transport's default response cap (runtime/transport/http.h). */
#define LK_BUF_MAX_HTTP_BODY ((size_t)8 * 1024 * 1024)

/* A document logkeep writes: a compiled artifact, the manifest, a state snapshot or a plan file,
 * a pretty-printed JSON tree. A state document is read back only up to 64 MiB and a plan up to
 * twice that (runtime/state_json.h, cli/cmd_plan.c), and the largest artifact, a region's
 * retention file at about 200 bytes per log group, reaches 256 MiB only past a million log
 * groups, the default quota of log groups per account and Region (CloudWatch Logs User Guide,
 * "CloudWatch Logs quotas"). */
#define LK_BUF_MAX_DOCUMENT ((size_t)256 * 1024 * 1024)

/* A rendered report or diff (text, Markdown, JSON, JUnit, SARIF). Each change quotes at most
 * both sides of one value, so a report is of the order of the two states or policies it
 * compares (a state is read back up to 64 MiB, a policy file up to 16 MiB). */
#define LK_BUF_MAX_REPORT ((size_t)256 * 1024 * 1024)

/* The cap of a buffer whose owner has not named one (lk_buf_init_default() and a zeroed
 * struct): large enough that no output logkeep produces today reaches it, still a bound.
 * New code names one of the caps above. */
#define LK_BUF_MAX_DEFAULT ((size_t)1024 * 1024 * 1024)

/* ------------------------------------------------------------------------------ the buffer */

struct lk_buf {
    char *data;     /* owned; NUL-terminated once anything was appended, NULL before and after a
                       failure */
    size_t len;     /* bytes held, the terminator excluded; never more than max_len */
    size_t cap;     /* bytes allocated at data, never more than max_len + 1 */
    size_t max_len; /* the hard maximum of len; 0 means LK_BUF_MAX_DEFAULT */
    bool failed;    /* sticky: an append would have passed max_len */
    bool secret;    /* the contents are wiped before memory is released or moved */
};

/**
 * Makes @p buf an empty buffer that will never hold more than @p max_len bytes.
 * @param max_len one of the LK_BUF_MAX_* caps (0 means LK_BUF_MAX_DEFAULT).
 */
void lk_buf_init(struct lk_buf *buf, size_t max_len);

/**
 * lk_buf_init() for a buffer that holds a secret (a credential, a web identity token): growing
 * copies into fresh memory and wipes the old block instead of realloc(), which could leave an
 * unwiped copy behind, and lk_buf_free() and lk_buf_reset() wipe what was written (s2n-tls
 * wipes secrets before freeing them; docs/architecture.md "Memory").
 */
void lk_buf_init_secret(struct lk_buf *buf, size_t max_len);

/** lk_buf_init(buf, LK_BUF_MAX_DEFAULT), for code that has not chosen its cap yet. */
void lk_buf_init_default(struct lk_buf *buf);

/** Releases the contents (wiped first when secret) and clears a failure: @p buf is empty, keeps
 *  its maximum and secrecy, and may be appended to again without lk_buf_init(). */
void lk_buf_free(struct lk_buf *buf);

/** Empties @p buf but keeps its memory for the next appends; clears a failure. */
void lk_buf_reset(struct lk_buf *buf);

/** Appends @p len bytes of @p data (which may hold NULs). */
void lk_buf_append(struct lk_buf *buf, const void *data, size_t len);
/** Appends the C string @p s. */
void lk_buf_puts(struct lk_buf *buf, const char *s);
/** Appends one byte. */
void lk_buf_putc(struct lk_buf *buf, char c);
/** Appends printf-formatted text. */
void lk_buf_printf(struct lk_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** lk_buf_printf() with a va_list. */
void lk_buf_vprintf(struct lk_buf *buf, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/**
 * Makes room for @p extra more bytes and a terminator, for code that writes into
 * data + len directly and then advances len (lk_json_escape()).
 * @return true when the room is there; false when the buffer failed or @p extra bytes would
 *         pass its cap. A false return does not fail the buffer: fewer bytes may still fit.
 */
bool lk_buf_reserve(struct lk_buf *buf, size_t extra);

/** Fails @p buf as an append past its cap would: for a part that could not be produced (a
 *  nested document over its own cap), so that the whole is refused too. */
void lk_buf_fail(struct lk_buf *buf);

/** @return the contents as a C string: "" when nothing was appended; NULL when the buffer
 *  failed. The string belongs to @p buf. */
const char *lk_buf_cstr(const struct lk_buf *buf);

/** @return true when an append was refused: the contents are gone. */
bool lk_buf_failed(const struct lk_buf *buf);

/** @return LK_STATUS_OK, or LK_STATUS_TOO_LARGE when the buffer failed. */
LK_MUST_CHECK enum lk_status lk_buf_status(const struct lk_buf *buf);

/**
 * Appends the whole of the file at @p path to @p buf, whose cap bounds the file's size; the
 * buffer is then NUL-terminated (an empty file gives "").
 * @param err receives errno when the file cannot be opened or read (0 for a read error without
 *        one), and is left alone otherwise.
 * @return LK_STATUS_OK, LK_STATUS_IO (cannot open or read), or LK_STATUS_TOO_LARGE (the file
 *         passes the cap: the buffer has failed).
 */
LK_MUST_CHECK enum lk_status lk_buf_read_file(struct lk_buf *buf, const char *path, int *err);

/**
 * Hands the contents over: a NUL-terminated heap string ("" when nothing was appended) that the
 * caller frees, and @p buf is left empty as lk_buf_free() leaves it.
 * @param len receives the length (may be NULL).
 * @return the string, or NULL when the buffer failed.
 */
LK_MUST_CHECK char *lk_buf_take(struct lk_buf *buf, size_t *len);

/**
 * Copies the contents into @p arena (NUL-terminated) and frees @p buf.
 * @return the copy, or NULL when the buffer failed.
 */
LK_MUST_CHECK char *lk_buf_take_arena(struct lk_buf *buf, struct lk_arena *arena);

/** Overwrites @p len bytes at @p ptr with zeros in a way the compiler cannot drop as a dead
 *  store (memset() before free() may be removed). */
void lk_secure_zero(void *ptr, size_t len);

#endif
