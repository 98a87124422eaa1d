/*
 * logkeep runtime: the AWS Organizations client (JSON 1.1, API 2016-11-28), read-only discovery
 * of an organisation's structure: DescribeOrganization, ListRoots,
 * ListOrganizationalUnitsForParent, ListAccountsForParent, ListAccounts, and the resolution of a
 * root or an organizational unit into the ACTIVE accounts under it. logkeep never changes an
 * organisation.
 *
 * Requests: POST / with X-Amz-Target "AWSOrganizationsV20161128.<Operation>", signed for the
 * service "organizations" (botocore's organizations model: targetPrefix
 * AWSOrganizationsV20161128, endpointPrefix organizations).
 *
 * Organizations is a global service with one endpoint per partition ("AWS Organizations
 * endpoints and quotas", https://docs.aws.amazon.com/general/latest/gr/ao.html: "there is a
 * single global endpoint for all of the AWS Regions in each partition"; Organizations User
 * Guide, "Region support for AWS Organizations": US East (N. Virginia) for commercial
 * organisations, AWS GovCloud (US-West) for GovCloud ones, China (Ningxia) for China ones).
 * Calls therefore go to and are signed for lk_org_region() of the client's region, whatever
 * that region is. Facts: docs/protocol-notes.md §4b.
 *
 * Conventions: those of runtime/services/service.h. Results are allocated in @p arena; the
 * errors are AWS's, unchanged: AWSOrganizationsNotInUseException (the account is in no
 * organisation), AccessDeniedException (not the management account or a delegated
 * administrator), TooManyRequestsException (throttling: retried by the client, see
 * lk_aws_error_is_throttling()).
 */
#ifndef LK_ORGANIZATIONS_H
#define LK_ORGANIZATIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/result.h"
#include "runtime/services/service.h"
#include "runtime/transport/client.h"

/* MaxResults of every List operation used here: at most 20 (the MaxResults shape of botocore's
 * organizations model: min 1, max 20; docs/protocol-notes.md §4b). The service may return fewer
 * items, even none, with a NextToken: only a missing NextToken ends a listing (API Reference,
 * ListAccounts: "These operations can occasionally return an empty set of results even when
 * there are more results available"). */
#define LK_ORG_PAGE_MAX 20

/* Pages followed before giving up on one listing: 200,000 items at 20 a page, above any
 * organisation ("Quotas for AWS Organizations": 10 accounts by default, raised up to 50,000 on
 * request; 2,000 OUs). A broken endpoint that never stops paginating cannot loop forever. */
#define LK_ORG_MAX_PAGES 10000

/* OUs nest at most five levels deep under the root when service control policies are enabled
 * (API Reference, CreateOrganizationalUnit: "For service control policies, the limit is five").
 * The resolver follows a little more and then refuses, so a cycle in a broken answer ends. */
#define LK_ORG_MAX_DEPTH 8

/* OUs the resolver visits before refusing: twice the 2,000 OUs an organisation may have
 * ("Quotas for AWS Organizations", "Number of OUs in an organization"), so that a broken answer
 * repeating OUs cannot make the walk grow without end. */
#define LK_ORG_MAX_OUS 4000

/* Error codes of Organizations (API Reference, "Common Errors" and each operation's errors). */
#define LK_ORG_NOT_IN_USE "AWSOrganizationsNotInUseException"
#define LK_ORG_ACCESS_DENIED "AccessDeniedException"
#define LK_ORG_TOO_MANY_REQUESTS "TooManyRequestsException"

/** The organisation (DescribeOrganization). */
struct lk_org_organization {
    char *id;                    /* "o-exampleorgid" */
    char *arn;                   /* or NULL when not reported */
    char *management_account_id; /* MasterAccountId: 12 digits */
};

/** A root (ListRoots). */
struct lk_org_root {
    char *id; /* "r-examplerootid111" */
    char *name;
};

/** An organizational unit (ListOrganizationalUnitsForParent). */
struct lk_org_ou {
    char *id;        /* "ou-examplerootid111-exampleouid111" */
    char *name;      /* may be "" when not reported */
    char *parent_id; /* the root or OU it was listed under */
};

/** An account (ListAccounts, ListAccountsForParent). The e-mail address is not kept. */
struct lk_org_account {
    char *id;     /* 12 digits */
    char *name;   /* may be "" when not reported */
    char *status; /* "ACTIVE", "SUSPENDED", "PENDING_CLOSURE", ...; "" when not reported */
    bool active;  /* status is ACTIVE */
};

/**
 * @return the region whose global endpoint serves @p region's partition: "cn-northwest-1" for a
 *         China region (cn-*), "us-gov-west-1" for a GovCloud region (us-gov-*), else
 *         "us-east-1" (also when @p region is NULL).
 */
const char *lk_org_region(const char *region);

/** @return true for an account id: exactly 12 digits. */
bool lk_org_is_account_id(const char *s);
/** @return true for a root id: "r-" and 4 to 32 lowercase letters or digits. */
bool lk_org_is_root_id(const char *s);
/** @return true for an OU id: "ou-", 4 to 32 [a-z0-9], '-', 8 to 32 [a-z0-9]. */
bool lk_org_is_ou_id(const char *s);

/**
 * Parses a DescribeOrganization response {"Organization": {...}}.
 * @return a status with a reason in @p err (service.h).
 */
LK_MUST_CHECK enum lk_status lk_org_parse_describe_organization(struct lk_arena *arena,
                                                                const char *json, size_t len,
                                                                struct lk_org_organization *out,
                                                                struct lk_error *err);

/**
 * Parses one ListRoots page {"Roots": [...], "NextToken": ...}.
 * @param next_token receives the NextToken (arena), or NULL on the last page.
 */
LK_MUST_CHECK enum lk_status lk_org_parse_list_roots(struct lk_arena *arena, const char *json,
                                                     size_t len, struct lk_org_root **roots,
                                                     size_t *n, char **next_token,
                                                     struct lk_error *err);

/**
 * Parses one ListOrganizationalUnitsForParent page {"OrganizationalUnits": [...], ...}.
 * @param parent_id the ParentId of the request, copied into each OU.
 */
LK_MUST_CHECK enum lk_status lk_org_parse_list_ous(struct lk_arena *arena, const char *json,
                                                   size_t len, const char *parent_id,
                                                   struct lk_org_ou **ous, size_t *n,
                                                   char **next_token, struct lk_error *err);

/** Parses one ListAccounts or ListAccountsForParent page {"Accounts": [...], ...}. */
LK_MUST_CHECK enum lk_status lk_org_parse_list_accounts(struct lk_arena *arena, const char *json,
                                                        size_t len,
                                                        struct lk_org_account **accounts, size_t *n,
                                                        char **next_token, struct lk_error *err);

/** DescribeOrganization. */
LK_MUST_CHECK enum lk_status lk_org_describe_organization(struct lk_aws_client *client,
                                                          struct lk_arena *arena,
                                                          struct lk_org_organization *out,
                                                          struct lk_aws_error *err);

/** ListRoots, every page, in the API's order. */
LK_MUST_CHECK enum lk_status lk_org_list_roots(struct lk_aws_client *client, struct lk_arena *arena,
                                               struct lk_org_root **out, size_t *n_out,
                                               struct lk_aws_error *err);

/** ListOrganizationalUnitsForParent of @p parent_id (a root or OU id), every page. */
LK_MUST_CHECK enum lk_status lk_org_list_ous_for_parent(struct lk_aws_client *client,
                                                        const char *parent_id,
                                                        struct lk_arena *arena,
                                                        struct lk_org_ou **out, size_t *n_out,
                                                        struct lk_aws_error *err);

/** ListAccountsForParent of @p parent_id (only the accounts directly in it), every page. */
LK_MUST_CHECK enum lk_status
lk_org_list_accounts_for_parent(struct lk_aws_client *client, const char *parent_id,
                                struct lk_arena *arena, struct lk_org_account **out, size_t *n_out,
                                struct lk_aws_error *err);

/** ListAccounts: every account of the organisation, every page. */
LK_MUST_CHECK enum lk_status lk_org_list_accounts(struct lk_aws_client *client,
                                                  struct lk_arena *arena,
                                                  struct lk_org_account **out, size_t *n_out,
                                                  struct lk_aws_error *err);

/**
 * Every ACTIVE account under @p parent_id, recursively (its accounts, its OUs' accounts, and so
 * on), sorted by id, without duplicates: the same answer for the same organisation whatever the
 * order of the pages.
 * @param parent_id a root or OU id; NULL means the whole organisation (one ListAccounts).
 * @return LK_STATUS_OK; LK_STATUS_INVALID_ARGUMENT for an id that is neither a root nor an OU;
 *         LK_STATUS_MALFORMED when the OUs nest deeper than LK_ORG_MAX_DEPTH or number more
 *         than LK_ORG_MAX_OUS; or the failure of a call.
 */
LK_MUST_CHECK enum lk_status
lk_org_resolve_active_accounts(struct lk_aws_client *client, const char *parent_id,
                               struct lk_arena *arena, struct lk_org_account **out, size_t *n_out,
                               struct lk_aws_error *err);

/** Sorts @p accounts by id and drops repeated ids (the first is kept). @return the new count. */
size_t lk_org_accounts_sort_unique(struct lk_org_account *accounts, size_t n);

#endif
