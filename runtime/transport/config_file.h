/*
 * logkeep runtime: the shared AWS config and credentials files.
 *
 *   config       ~/.aws/config (AWS_CONFIG_FILE): [default], [profile NAME], [services NAME]
 *   credentials  ~/.aws/credentials (AWS_SHARED_CREDENTIALS_FILE): [NAME]
 *
 * The INI dialect is the one botocore reads, Python's configparser.RawConfigParser
 * (botocore/configloader.py raw_config_parse and build_profile_map):
 *   - full-line comments start with '#' or ';' (after optional indentation); there are no inline
 *     comments, so "region = us-east-1 # x" has the value "us-east-1 # x";
 *   - "key = value" or "key: value"; keys are lowercased, values trimmed;
 *   - a line indented deeper than its option continues that option's value;
 *   - an option whose value starts on the next, indented lines holds nested "sub = value"
 *     settings, one level deep (the services sections: "s3 =\n  endpoint_url = ...");
 *   - a repeated section or a repeated key within a section is an error (strict mode);
 *   - text before the first section header is an error.
 * Format reference: AWS SDKs and Tools Reference Guide, "Using shared config and credentials
 * files to globally configure AWS SDKs and tools",
 * https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html
 */
#ifndef LK_CONFIG_FILE_H
#define LK_CONFIG_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/result.h"

/* Largest file read. Real files are a few kilobytes; the cap bounds memory for a hostile or
 * mistaken path (a device, a log file). */
#define LK_CONFIG_MAX_FILE_BYTES ((size_t)1024 * 1024)

enum lk_config_kind {
    LK_CONFIG_SHARED_CONFIG, /* sections [default], [profile NAME], [services NAME], others */
    LK_CONFIG_CREDENTIALS,   /* every section [NAME] is a profile */
};

enum lk_config_section_kind {
    LK_CONFIG_SECTION_PROFILE,
    LK_CONFIG_SECTION_SERVICES,
    LK_CONFIG_SECTION_OTHER, /* sso-session, plugins, a malformed profile header, ... */
};

struct lk_config_entry {
    char *key;    /* owned, lowercase */
    char *subkey; /* owned: the nested key under @c key, or NULL for a top-level setting */
    char *value;  /* owned; may be a secret (wiped when the file is freed) */
    unsigned line;
};

struct lk_config_section {
    enum lk_config_section_kind kind;
    char *name; /* owned: the profile or services name; the whole header text for OTHER */
    unsigned line;
    struct lk_config_entry *entries; /* owned */
    size_t n_entries;
    size_t cap_entries;
};

struct lk_config_file {
    char *path; /* owned, or NULL when parsed from memory */
    bool found; /* false when the file does not exist (then it has no sections) */
    struct lk_config_section *sections; /* owned */
    size_t n_sections;
    size_t cap_sections;
};

/* Where a file could not be read or parsed. */
struct lk_config_error {
    unsigned line;         /* one-based; 0 when the error is not about a line */
    struct lk_error error; /* what was wrong (the same status the function returns) */
};

/**
 * Parses a file's contents.
 * @param data the bytes; need not be NUL-terminated
 * @param len number of bytes (at most LK_CONFIG_MAX_FILE_BYTES)
 * @param kind config or credentials file (decides how section headers name profiles)
 * @param out receives the sections; release with lk_config_file_free() (also after a failure)
 * @param err receives the first problem, located by line
 * @return LK_STATUS_OK, or with @p err set LK_STATUS_MALFORMED (a syntax error, NUL bytes) or
 *         LK_STATUS_TOO_LARGE (over LK_CONFIG_MAX_FILE_BYTES)
 */
LK_MUST_CHECK enum lk_status lk_config_parse(const char *data, size_t len, enum lk_config_kind kind,
                                             struct lk_config_file *out,
                                             struct lk_config_error *err);

/**
 * Reads and parses a file. A file that does not exist is not an error: @p out is empty, with
 * @c found false (AWS tools treat a missing ~/.aws/config as empty).
 * @param path the file
 * @param kind config or credentials file
 * @param out receives the sections; release with lk_config_file_free() (also after a failure)
 * @param err receives the problem (unreadable, too large, or a syntax error by line)
 * @return LK_STATUS_OK, or with @p err set LK_STATUS_IO (unreadable), LK_STATUS_TOO_LARGE or
 *         LK_STATUS_MALFORMED
 */
LK_MUST_CHECK enum lk_status lk_config_load(const char *path, enum lk_config_kind kind,
                                            struct lk_config_file *out,
                                            struct lk_config_error *err);

/** Wipes the values, frees everything @p file owns and zeroes it. */
void lk_config_file_free(struct lk_config_file *file);

/**
 * @return the path of the config (AWS_CONFIG_FILE, else ~/.aws/config) or credentials file
 *         (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials); heap string, caller frees;
 *         NULL when neither the variable nor HOME is set
 */
char *lk_config_default_path(enum lk_config_kind kind);

/**
 * @return the last section of that kind and name (for [default] and [profile default] both
 *         present, the later one wins, as in botocore), or NULL
 */
const struct lk_config_section *lk_config_find(const struct lk_config_file *file,
                                               enum lk_config_section_kind kind, const char *name);

/** @return the value of top-level @p key (lowercase) in @p section, or NULL. */
const char *lk_config_get(const struct lk_config_section *section, const char *key);

/** @return the value of nested @p subkey under @p key in @p section, or NULL. */
const char *lk_config_get_sub(const struct lk_config_section *section, const char *key,
                              const char *subkey);

#endif
