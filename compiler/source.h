/*
 * logkeep: policy source files, spans and line maps.
 */
#ifndef LK_SOURCE_H
#define LK_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/result.h"
#include "common/arena.h"

/* Largest policy file accepted. A policy with 10,000 sources is about 3 MiB; anything past this
 * bound is almost certainly not a policy, and refusing it keeps memory use predictable. */
#define LK_SOURCE_MAX_BYTES ((size_t)16 * 1024 * 1024)

/**
 * A location in a policy file. Lines and columns are one-based (libyaml's marks are zero-based:
 * the reader adds one); columns count characters, not bytes. @c len is the number of characters
 * the caret covers on that line (0 or 1 for a point).
 */
struct lk_span {
    uint32_t file; /* index into struct lk_sources; LK_SPAN_NONE_FILE when there is no location */
    uint32_t line;
    uint32_t col;
    uint32_t len;
};

#define LK_SPAN_NONE_FILE UINT32_MAX
#define LK_SPAN_NONE ((struct lk_span){LK_SPAN_NONE_FILE, 0, 0, 0})

struct lk_source_file {
    char *path;           /* owned: the path as the user gave it (used in diagnostics) */
    char *text;           /* owned: file contents, NUL-terminated (may hold NULs when invalid) */
    size_t len;           /* bytes in text, excluding the terminator */
    uint32_t *line_start; /* owned: byte offset of each line, built on first use */
    uint32_t n_lines;
};

/** The set of files that make up one policy. Owns each file. */
struct lk_sources {
    struct lk_source_file **files; /* owned */
    uint32_t n;
    size_t cap; /* of files */
};

struct lk_diags;

void lk_sources_init(struct lk_sources *set);
void lk_sources_free(struct lk_sources *set);

/**
 * Reads @p path into the set.
 * @param diags receives a located diagnostic when the file is too large, empty or not UTF-8.
 * @param out_id the new file's index, valid even when a diagnostic was reported.
 * @return 0 when the contents are usable, 1 when a policy diagnostic was reported (the file is
 *         kept so the diagnostic can be rendered), -1 on an I/O error (errno set; nothing added).
 */
LK_MUST_CHECK int lk_sources_read_file(struct lk_sources *set, const char *path,
                                       struct lk_diags *diags, uint32_t *out_id);

/** Like lk_sources_read_file() for bytes already in memory (tests, fuzzers, stdin). */
LK_MUST_CHECK int lk_sources_add_buffer(struct lk_sources *set, const char *path, const char *data,
                                        size_t len, struct lk_diags *diags, uint32_t *out_id);

/**
 * Finds line @p line (one-based) of file @p file.
 * @return true and the line's bytes without its newline, or false when out of range.
 */
bool lk_sources_line(struct lk_sources *set, uint32_t file, uint32_t line, const char **out,
                     size_t *out_len);

/** @return the one-based line and character column of byte @p offset of file @p file (columns
 *  count from after a byte-order mark, as libyaml's do). */
struct lk_span lk_sources_span_at(struct lk_sources *set, uint32_t file, size_t offset);

/** @return the number of lines of file @p file (a final line without a break counts). */
uint32_t lk_sources_line_count(struct lk_sources *set, uint32_t file);

/** @return the path of file @p file, or "<unknown>". */
const char *lk_sources_path(const struct lk_sources *set, uint32_t file);

/**
 * Checks that @p data is well-formed UTF-8 (no overlongs, no surrogates, no NUL bytes).
 * @param bad_offset receives the offset of the first bad byte on failure.
 * @return true when valid.
 */
bool lk_utf8_valid(const char *data, size_t len, size_t *bad_offset);

#endif
