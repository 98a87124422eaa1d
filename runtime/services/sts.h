/*
 * logkeep runtime: AWS STS (query protocol, API version 2011-06-15).
 *
 *   GetCallerIdentity           who the credentials belong to (logkeep whoami)
 *   AssumeRole                  temporary credentials of a role (assume-role profiles)
 *   AssumeRoleWithWebIdentity   the same from an OIDC token, sent unsigned (web identity)
 *
 * Requests are form bodies "Action=...&Version=2011-06-15&..."; answers are XML in the namespace
 * https://sts.amazonaws.com/doc/2011-06-15/ (docs/protocol-notes.md section 6; the response
 * examples of the AWS Security Token Service API Reference, "AssumeRole", "GetCallerIdentity").
 */
#ifndef LK_STS_H
#define LK_STS_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "runtime/transport/client.h"

/* runtime/transport/credentials.h */
struct lk_credentials_assume_role_params;
struct lk_credentials_web_identity_params;
struct lk_credentials_sts;

#define LK_STS_NAMESPACE "https://sts.amazonaws.com/doc/2011-06-15/"

struct lk_sts_identity {
    char *account; /* owned: "111122223333" */
    char *arn;     /* owned: "arn:aws:iam::111122223333:user/name" */
    char *user_id; /* owned: "AIDA..." or "AROA...:session" */
};

/** Frees what @p id owns and zeroes it. */
void lk_sts_identity_clear(struct lk_sts_identity *id);

/**
 * Calls GetCallerIdentity.
 * @param client the client (region and endpoint from its configuration)
 * @param out receives the identity (caller clears)
 * @param err receives the error (caller clears)
 * @return 0, or -1 with @p err set
 */
int lk_sts_get_caller_identity(struct lk_aws_client *client, struct lk_sts_identity *out,
                               struct lk_aws_error *err);

/**
 * Calls AssumeRole with the client's credentials.
 * @param p the role (runtime/transport/credentials.h: the parameters the credential chain asks
 *        for, so the chain's STS table and this function take the same ones)
 * @param out receives the role's temporary credentials (caller clears); source is NULL
 * @return 0, or -1 with @p err set
 */
int lk_sts_assume_role(struct lk_aws_client *client,
                       const struct lk_credentials_assume_role_params *p,
                       struct lk_aws_credentials *out, struct lk_aws_error *err);

/**
 * Calls AssumeRoleWithWebIdentity, unsigned (the token is the proof).
 * @return 0, or -1 with @p err set
 */
int lk_sts_assume_role_with_web_identity(struct lk_aws_client *client,
                                         const struct lk_credentials_web_identity_params *p,
                                         struct lk_aws_credentials *out, struct lk_aws_error *err);

/**
 * The STS table the credential chain calls for assume-role and web identity providers
 * (struct lk_credentials_sts): lk_sts_assume_role() and lk_sts_assume_role_with_web_identity().
 * Pass it as lk_credentials_options.sts wherever a chain is built.
 * @return a table with static storage (never NULL, never freed)
 */
const struct lk_credentials_sts *lk_sts_credentials_provider(void);

/**
 * Parses a GetCallerIdentityResponse document.
 * @return 0, or -1 (malformed, wrong namespace or root, a member missing)
 */
int lk_sts_parse_caller_identity(const char *xml, size_t len, struct lk_sts_identity *out);

/**
 * Parses the Credentials of an AssumeRoleResponse or AssumeRoleWithWebIdentityResponse.
 * @param operation "AssumeRole" or "AssumeRoleWithWebIdentity" (names the root element)
 * @param out receives the credentials, Expiration converted to epoch seconds (caller clears)
 * @return 0, or -1 (malformed, a member missing, a bad Expiration)
 */
int lk_sts_parse_credentials(const char *xml, size_t len, const char *operation,
                             struct lk_aws_credentials *out);

/**
 * Appends "&name=value" to a form body, the value encoded as
 * application/x-www-form-urlencoded (unreserved characters kept, '%XX' for the rest).
 */
void lk_sts_form_add(struct lk_buf *form, const char *name, const char *value);

#endif
