/*
 * logkeep runtime: what the credential providers share (module-private to
 * runtime/transport/credentials*.c; nothing outside includes it).
 *
 * The chain itself (credentials.c) owns the state below and resolves the providers in order;
 * each provider lives in its own file and answers LK_CREDENTIALS_FOUND, LK_CREDENTIALS_NOT_FOUND
 * (the chain moves on) or LK_CREDENTIALS_ERROR (the chain stops, with @p err set).
 */
#ifndef LK_CREDENTIALS_INT_H
#define LK_CREDENTIALS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/transport/client.h"
#include "runtime/transport/config_file.h"
#include "runtime/transport/credentials.h"
#include "runtime/transport/http.h"

struct cJSON;

/* Longest chain of source_profile links followed; botocore detects loops but sets no depth
 * limit, this only bounds a pathological file. */
#define LK_CREDENTIALS_MAX_ROLE_CHAIN 16

/* Token files: the STS WebIdentityToken is at most 20000 characters (docs/protocol-notes.md
 * section 6; AWS Security Token Service API Reference, "AssumeRoleWithWebIdentity"); the
 * container authorization token is a short bearer token. */
#define LK_CREDENTIALS_MAX_TOKEN_FILE_BYTES ((size_t)64 * 1024)

enum lk_credentials_found {
    LK_CREDENTIALS_ERROR = -1,
    LK_CREDENTIALS_NOT_FOUND = 0,
    LK_CREDENTIALS_FOUND = 1,
};

/* The chain's state (the impl of the provider lk_credentials_chain_new() returns). */
struct lk_credentials_chain {
    struct lk_http_vtable http;       /* copy of the borrowed transport; destroy is NULL */
    struct lk_aws_config cfg;         /* owned strings (debug is borrowed) */
    struct lk_credentials_sts sts;    /* copy of the caller's table; all NULL when none */
    char *profile_cli;                /* owned: --profile, or NULL */
    struct lk_aws_credentials cached; /* owned */
    bool have_cached;
    int64_t resolved_at_s; /* when the cached credentials were fetched */
};

/* The two shared files, read afresh at each resolution. */
struct lk_credentials_files {
    struct lk_config_file config;
    struct lk_config_file creds;
};

/* ---------------------------------------------------------------------------------------------
 * Helpers (credentials.c)
 * ------------------------------------------------------------------------------------------- */

/** Replaces @p err's code and message. @return LK_CREDENTIALS_ERROR */
int lk_credentials_fail(struct lk_aws_error *err, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** @return the value of environment variable @p name, or NULL when unset or empty. */
const char *lk_credentials_env(const char *name);

/** @return true when environment variable @p name is "true" (any case). */
bool lk_credentials_env_true(const char *name);

/** Writes one "logkeep: debug: credentials: ..." line when the chain traces (--debug). */
void lk_credentials_debug(const struct lk_credentials_chain *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** @return the chain's clock, in epoch seconds. */
int64_t lk_credentials_now_s(const struct lk_credentials_chain *c);

/** @return a heap copy of the formatted text (at most 1023 bytes). */
char *lk_credentials_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** @return the string member @p name of @p obj, or NULL when absent or not a string. */
const char *lk_credentials_json_string(const struct cJSON *obj, const char *name);

/** Wipes every string of @p doc (the documents hold secrets), then frees it. NULL is fine. */
void lk_credentials_json_delete(struct cJSON *doc);

/**
 * Reads a small file (a token) wholly, with trailing newlines removed.
 * @param out receives the token (caller frees with lk_http_free_secret())
 * @param errbuf receives the reason on failure; @param errlen its size
 * @return 0, or -1
 */
int lk_credentials_read_token_file(const char *path, char **out, char *errbuf, size_t errlen);

/** Loads the shared config and credentials files. @return 0, or -1 with @p err set */
int lk_credentials_files_load(struct lk_credentials_files *f, struct lk_aws_error *err);

void lk_credentials_files_free(struct lk_credentials_files *f);

/** @return the profile section @p name of the config file, or NULL. */
const struct lk_config_section *lk_credentials_config_profile(const struct lk_credentials_files *f,
                                                              const char *name);

/** @return the profile section @p name of the credentials file, or NULL. */
const struct lk_config_section *lk_credentials_creds_profile(const struct lk_credentials_files *f,
                                                             const char *name);

/** @return the non-empty setting @p key of @p profile, the credentials file's first, or NULL. */
const char *lk_credentials_profile_get(const struct lk_credentials_files *f, const char *profile,
                                       const char *key);

/** @return true when either file defines @p profile. */
bool lk_credentials_profile_exists(const struct lk_credentials_files *f, const char *profile);

/** @return a heap "logkeep-session-<epoch seconds>" for roles without role_session_name. */
char *lk_credentials_default_session_name(const struct lk_credentials_chain *c);

/**
 * Fails with "StsUnavailable" when the chain was built without an STS table.
 * @param what what needed STS ("profile ops: assuming role ..."), for the message
 * @return LK_CREDENTIALS_FOUND when the table is there, else LK_CREDENTIALS_ERROR
 */
int lk_credentials_need_sts(const struct lk_credentials_chain *c, const char *what,
                            struct lk_aws_error *err);

/**
 * Sets up an AWS client for one STS call, sharing the chain's transport, region and endpoints.
 * @param creds the credentials that sign the call, or NULL for the unsigned
 *        AssumeRoleWithWebIdentity
 * @return 0, or -1
 */
int lk_credentials_sts_client(const struct lk_credentials_chain *c,
                              const struct lk_aws_credentials *creds, struct lk_aws_client *client);

/** Copies the STS failure @p inner into @p err, prefixed with @p doing.
 *  @return LK_CREDENTIALS_ERROR */
int lk_credentials_sts_failed(struct lk_aws_error *err, const struct lk_aws_error *inner,
                              const char *doing);

/**
 * One metadata request (container, instance metadata) over the chain's transport, traced with
 * secrets redacted. @return what perform() returned (the reason in resp->error)
 */
LK_MUST_CHECK enum lk_status
lk_credentials_metadata_request(const struct lk_credentials_chain *c, const char *label,
                                const char *method, const char *url, struct lk_http_header *headers,
                                size_t n_headers, long timeout_ms, struct lk_http_response *resp);

/* ---------------------------------------------------------------------------------------------
 * Providers, one file each
 * ------------------------------------------------------------------------------------------- */

/** Environment keys (credentials_env.c). */
int lk_credentials_from_env(struct lk_aws_credentials *out, struct lk_aws_error *err);

/**
 * Static keys of one profile section (credentials_profile.c).
 * @param what "shared credentials file", "shared config file" or "profile", for messages
 */
int lk_credentials_static_keys(const struct lk_config_section *sec, const char *what,
                               const char *profile, struct lk_aws_credentials *out,
                               struct lk_aws_error *err);

/** @return true when @p profile is an assume-role profile (credentials_profile.c). */
bool lk_credentials_is_role_profile(const struct lk_credentials_files *f, const char *profile);

/** Assumes the role of an assume-role profile (credentials_profile.c). */
int lk_credentials_role_profile(const struct lk_credentials_chain *c,
                                const struct lk_credentials_files *f, const char *profile,
                                struct lk_aws_credentials *out, struct lk_aws_error *err);

/**
 * Web identity (credentials_web_identity.c).
 * @param where "AWS_WEB_IDENTITY_TOKEN_FILE" or "profile NAME", for messages
 * @param session_name @param duration the settings, or NULL
 */
int lk_credentials_web_identity(const struct lk_credentials_chain *c, const char *token_file,
                                const char *role_arn, const char *session_name,
                                const char *duration, const char *where,
                                struct lk_aws_credentials *out, struct lk_aws_error *err);

/** credential_process of @p profile (credentials_process.c). */
int lk_credentials_process(const struct lk_credentials_chain *c, const char *command,
                           const char *profile, struct lk_aws_credentials *out,
                           struct lk_aws_error *err);

/**
 * Container credentials (credentials_container.c).
 * @param required true for credential_source EcsContainer: "not configured" is then an error
 */
int lk_credentials_container(const struct lk_credentials_chain *c, bool required,
                             struct lk_aws_credentials *out, struct lk_aws_error *err);

/**
 * EC2 instance metadata (credentials_imds.c).
 * @param required true for credential_source Ec2InstanceMetadata: "not on EC2" is then an error
 */
int lk_credentials_imds(const struct lk_credentials_chain *c, bool required,
                        struct lk_aws_credentials *out, struct lk_aws_error *err);

#endif
