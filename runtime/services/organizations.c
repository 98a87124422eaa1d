/*
 * logkeep runtime: the AWS Organizations client (see organizations.h). Request bodies are
 * written directly; answers are read with cJSON through lk_json_doc_parse(). Unknown members
 * are ignored (AWS adds members over time); known members of the wrong type, or ids that do
 * not match the API's patterns, make the page malformed.
 */
#include "runtime/services/organizations.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/buf.h"
#include "common/escape.h"
#include "runtime/services/policy_json.h"

#define ORG_TARGET_PREFIX "AWSOrganizationsV20161128."

/* Name lengths (API Reference, Account Name: 1 to 50; OrganizationalUnit Name: 1 to 128; Root
 * Name: 1 to 128), with room to spare: a longer value is refused as malformed. */
#define ORG_NAME_MAX 256

/* ------------------------------------------------------------------------------ ids */

const char *lk_org_region(const char *region)
{
    /* "Region support for AWS Organizations" (Organizations User Guide): the endpoints are in
     * US East (N. Virginia), AWS GovCloud (US-West) and China (Ningxia). */
    if (region && !strncmp(region, "cn-", 3))
        return "cn-northwest-1";
    if (region && !strncmp(region, "us-gov-", 7))
        return "us-gov-west-1";
    return "us-east-1";
}

/* The length of the run of [a-z0-9] at @p s. */
static size_t s_lower_alnum(const char *s)
{
    size_t n = 0;
    while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9'))
        n++;
    return n;
}

bool lk_org_is_account_id(const char *s)
{
    /* "The regex pattern for an account ID string requires exactly 12 digits." (API Reference,
     * Account Id) */
    return s && strlen(s) == 12 && strspn(s, "0123456789") == 12;
}

bool lk_org_is_root_id(const char *s)
{
    /* Root Id pattern ^r-[0-9a-z]{4,32}$ (API Reference, Root). */
    if (!s || strncmp(s, "r-", 2) != 0)
        return false;
    size_t n = s_lower_alnum(s + 2);
    return n >= 4 && n <= 32 && s[2 + n] == '\0';
}

bool lk_org_is_ou_id(const char *s)
{
    /* OU Id pattern ^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$ (API Reference, OrganizationalUnit:
     * "ou-" followed by 4 to 32 lowercase letters or digits, a second "-" and 8 to 32 more). */
    if (!s || strncmp(s, "ou-", 3) != 0)
        return false;
    size_t a = s_lower_alnum(s + 3);
    if (a < 4 || a > 32 || s[3 + a] != '-')
        return false;
    size_t b = s_lower_alnum(s + 4 + a);
    return b >= 8 && b <= 32 && s[4 + a + b] == '\0';
}

static bool s_is_org_id(const char *s)
{
    /* Organization Id pattern ^o-[a-z0-9]{10,32}$ (API Reference, Organization). */
    if (!s || strncmp(s, "o-", 2) != 0)
        return false;
    size_t n = s_lower_alnum(s + 2);
    return n >= 10 && n <= 32 && s[2 + n] == '\0';
}

/* ------------------------------------------------------------------------------ parsing */

/* An optional string member: absent or null leaves *out NULL; anything but a string of at most
 * @p max bytes is an error. */
static enum lk_status s_opt_string(const cJSON *o, const char *name, size_t max, const char **out,
                                   struct lk_error *err)
{
    *out = NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!v || cJSON_IsNull(v))
        return LK_STATUS_OK;
    LK_ENSURE(cJSON_IsString(v), lk_error_set(err, LK_STATUS_SCHEMA, "%s is not a string", name));
    LK_ENSURE(strlen(v->valuestring) <= max,
              lk_error_set(err, LK_STATUS_SCHEMA, "%s is longer than %zu bytes", name, max));
    *out = v->valuestring;
    return LK_STATUS_OK;
}

/* A required id member that @p valid accepts. */
static enum lk_status s_id(const cJSON *o, const char *what, bool (*valid)(const char *),
                           const char **out, struct lk_error *err)
{
    LK_GUARD(s_opt_string(o, "Id", 64, out, err));
    LK_ENSURE(*out && valid(*out), lk_error_set(err, LK_STATUS_SCHEMA, "%s has no valid Id", what));
    return LK_STATUS_OK;
}

/* The NextToken of a page: absent, null or empty on the last page. */
static enum lk_status s_next_token(struct lk_arena *arena, const cJSON *root, char **next_token,
                                   struct lk_error *err)
{
    const char *t;
    *next_token = NULL;
    /* NextToken: a string of at most 100,000 characters (model shape NextToken). */
    LK_GUARD(s_opt_string(root, "NextToken", 100000, &t, err));
    if (t && t[0])
        *next_token = lk_arena_strdup(arena, t);
    return LK_STATUS_OK;
}

/* The list member @p name of a page: absent or null is an empty page. */
static enum lk_status s_list(const cJSON *root, const char *name, const cJSON **list, size_t *count,
                             struct lk_error *err)
{
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(root, name);
    *list = NULL;
    *count = 0;
    if (!l || cJSON_IsNull(l))
        return LK_STATUS_OK;
    LK_ENSURE(cJSON_IsArray(l), lk_error_set(err, LK_STATUS_SCHEMA, "%s is not a list", name));
    *list = l;
    *count = (size_t)cJSON_GetArraySize(l);
    return LK_STATUS_OK;
}

/* Parses @p json into an object, or fails with "<op> response is not a JSON object". */
static enum lk_status s_doc(struct lk_json_doc *doc, const char *json, size_t len, const char *op,
                            struct lk_error *err)
{
    LK_GUARD(lk_json_doc_parse(doc, json, len, LK_JSON_MAX_BYTES, err));
    LK_ENSURE(cJSON_IsObject(doc->root),
              lk_error_set(err, LK_STATUS_SCHEMA, "%s response is not a JSON object", op));
    return LK_STATUS_OK;
}

enum lk_status lk_org_parse_describe_organization(struct lk_arena *arena, const char *json,
                                                  size_t len, struct lk_org_organization *out,
                                                  struct lk_error *err)
{
    enum lk_status rc;
    struct lk_json_doc doc;
    const char *id, *arn, *mgmt;
    memset(out, 0, sizeof(*out));
    LK_GUARD_GOTO(rc, s_doc(&doc, json, len, "DescribeOrganization", err), cleanup);
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(doc.root, "Organization");
    LK_ENSURE_GOTO(rc, cJSON_IsObject(o),
                   lk_error_set(err, LK_STATUS_SCHEMA,
                                "DescribeOrganization response has no Organization object"),
                   cleanup);
    LK_GUARD_GOTO(rc, s_id(o, "the organization", s_is_org_id, &id, err), cleanup);
    LK_GUARD_GOTO(rc, s_opt_string(o, "Arn", 2048, &arn, err), cleanup);
    /* The management account is still named "Master..." on the wire (API Reference,
     * Organization: MasterAccountId, "The unique identifier (ID) of the management account"). */
    LK_GUARD_GOTO(rc, s_opt_string(o, "MasterAccountId", 64, &mgmt, err), cleanup);
    LK_ENSURE_GOTO(
        rc, mgmt && lk_org_is_account_id(mgmt),
        lk_error_set(err, LK_STATUS_SCHEMA, "the organization has no valid MasterAccountId"),
        cleanup);
    out->id = lk_arena_strdup(arena, id);
    out->arn = arn && arn[0] ? lk_arena_strdup(arena, arn) : NULL;
    out->management_account_id = lk_arena_strdup(arena, mgmt);
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}

/* One page of the listings (ListRoots, ListOrganizationalUnitsForParent, ListAccounts...): an
 * object whose member @p list_name is a list (absent or null: an empty page) of objects, each
 * filled by @p fill into an item of @p item_size bytes (arena), and a NextToken. @p not_object
 * is the message for an entry that is not an object; @p parent_id is passed to @p fill. */
static enum lk_status
s_parse_page(struct lk_arena *arena, const char *json, size_t len, const char *op,
             const char *list_name, const char *not_object, size_t item_size,
             enum lk_status (*fill)(struct lk_arena *arena, const cJSON *o, const char *parent_id,
                                    void *item, struct lk_error *err),
             const char *parent_id, void **out, size_t *n, char **next_token, struct lk_error *err)
{
    enum lk_status rc;
    struct lk_json_doc doc;
    const cJSON *list, *o;
    size_t total = 0, count = 0;
    char *items = NULL;
    *out = NULL;
    *n = 0;
    *next_token = NULL;
    LK_GUARD_GOTO(rc, s_doc(&doc, json, len, op, err), cleanup);
    LK_GUARD_GOTO(rc, s_list(doc.root, list_name, &list, &total, err), cleanup);
    items = total ? lk_arena_alloc(arena, total * item_size) : NULL;
    cJSON_ArrayForEach(o, list)
    {
        LK_ENSURE_GOTO(rc, cJSON_IsObject(o), lk_error_set(err, LK_STATUS_SCHEMA, "%s", not_object),
                       cleanup);
        LK_GUARD_GOTO(rc, fill(arena, o, parent_id, items + count * item_size, err), cleanup);
        count++;
    }
    LK_GUARD_GOTO(rc, s_next_token(arena, doc.root, next_token, err), cleanup);
    *out = items;
    *n = count;
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}

static enum lk_status s_fill_root(struct lk_arena *arena, const cJSON *o, const char *parent_id,
                                  void *item, struct lk_error *err)
{
    struct lk_org_root *r = item;
    const char *id, *name;
    (void)parent_id;
    LK_GUARD(s_id(o, "a root", lk_org_is_root_id, &id, err));
    LK_GUARD(s_opt_string(o, "Name", ORG_NAME_MAX, &name, err));
    r->id = lk_arena_strdup(arena, id);
    r->name = lk_arena_strdup(arena, name ? name : "");
    return LK_STATUS_OK;
}

static enum lk_status s_fill_ou(struct lk_arena *arena, const cJSON *o, const char *parent_id,
                                void *item, struct lk_error *err)
{
    struct lk_org_ou *ou = item;
    const char *id, *name;
    LK_GUARD(s_id(o, "an organizational unit", lk_org_is_ou_id, &id, err));
    LK_GUARD(s_opt_string(o, "Name", ORG_NAME_MAX, &name, err));
    ou->id = lk_arena_strdup(arena, id);
    ou->name = lk_arena_strdup(arena, name ? name : "");
    ou->parent_id = parent_id ? lk_arena_strdup(arena, parent_id) : NULL;
    return LK_STATUS_OK;
}

static enum lk_status s_fill_account(struct lk_arena *arena, const cJSON *o, const char *parent_id,
                                     void *item, struct lk_error *err)
{
    struct lk_org_account *a = item;
    const char *id, *name, *status;
    (void)parent_id;
    LK_GUARD(s_id(o, "an account", lk_org_is_account_id, &id, err));
    LK_GUARD(s_opt_string(o, "Name", ORG_NAME_MAX, &name, err));
    /* Status: ACTIVE, SUSPENDED or PENDING_CLOSURE (API Reference, Account). A value this build
     * does not know is kept as reported and is not ACTIVE. */
    LK_GUARD(s_opt_string(o, "Status", 64, &status, err));
    a->id = lk_arena_strdup(arena, id);
    a->name = lk_arena_strdup(arena, name ? name : "");
    a->status = lk_arena_strdup(arena, status ? status : "");
    a->active = status && !strcmp(status, "ACTIVE");
    return LK_STATUS_OK;
}

enum lk_status lk_org_parse_list_roots(struct lk_arena *arena, const char *json, size_t len,
                                       struct lk_org_root **roots, size_t *n, char **next_token,
                                       struct lk_error *err)
{
    void *items;
    enum lk_status rc =
        s_parse_page(arena, json, len, "ListRoots", "Roots", "a Roots entry is not an object",
                     sizeof(**roots), s_fill_root, NULL, &items, n, next_token, err);
    *roots = items;
    return rc;
}

enum lk_status lk_org_parse_list_ous(struct lk_arena *arena, const char *json, size_t len,
                                     const char *parent_id, struct lk_org_ou **ous, size_t *n,
                                     char **next_token, struct lk_error *err)
{
    void *items;
    enum lk_status rc =
        s_parse_page(arena, json, len, "ListOrganizationalUnitsForParent", "OrganizationalUnits",
                     "an OrganizationalUnits entry is not an object", sizeof(**ous), s_fill_ou,
                     parent_id, &items, n, next_token, err);
    *ous = items;
    return rc;
}

enum lk_status lk_org_parse_list_accounts(struct lk_arena *arena, const char *json, size_t len,
                                          struct lk_org_account **accounts, size_t *n,
                                          char **next_token, struct lk_error *err)
{
    void *items;
    enum lk_status rc = s_parse_page(arena, json, len, "ListAccounts", "Accounts",
                                     "an Accounts entry is not an object", sizeof(**accounts),
                                     s_fill_account, NULL, &items, n, next_token, err);
    *accounts = items;
    return rc;
}

/* ------------------------------------------------------------------------------ calls */

/* One call to the partition's global endpoint; the body is @p body (not freed). */
static enum lk_status s_call(struct lk_aws_client *client, const char *op,
                             const struct lk_buf *body, struct lk_http_response *resp,
                             struct lk_aws_error *err)
{
    return lk_svc_json_call(client, LK_AWS_ORGANIZATIONS, ORG_TARGET_PREFIX, op,
                            lk_org_region(client->cfg.region), body, resp, err);
}

enum lk_status lk_org_describe_organization(struct lk_aws_client *client, struct lk_arena *arena,
                                            struct lk_org_organization *out,
                                            struct lk_aws_error *err)
{
    static const char op[] = "DescribeOrganization";
    struct lk_http_response resp = {0};
    struct lk_buf body;
    struct lk_error why = {0};
    memset(out, 0, sizeof(*out));
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&body, "{}");
    enum lk_status rc = s_call(client, op, &body, &resp, err);
    if (rc == LK_STATUS_OK &&
        lk_org_parse_describe_organization(arena, (const char *)resp.body, resp.body_len, out,
                                           &why) != LK_STATUS_OK)
        rc = lk_svc_result(lk_aws_error_malformed(err, op, &resp, why.message), err);
    lk_buf_free(&body);
    lk_http_response_free(&resp);
    return rc;
}

/* One listing: which operation, its parent (or NULL), and where the items go. */
struct s_listing {
    const char *op;
    const char *parent_id; /* ParentId, or NULL for ListRoots and ListAccounts */
    bool needs_parent;     /* ParentId is required: checked before anything is sent */
    struct lk_arena *arena;
    /* Parses one page: its items (arena), their count and the token. */
    enum lk_status (*parse)(struct s_listing *l, const char *json, size_t len, void **items,
                            size_t *n, char **next, struct lk_error *err);
    size_t item_size;
    char *all; /* the items of every page, concatenated (arena) */
    size_t n_all, cap_all;
};

static enum lk_status s_parse_roots(struct s_listing *l, const char *json, size_t len, void **items,
                                    size_t *n, char **next, struct lk_error *err)
{
    return lk_org_parse_list_roots(l->arena, json, len, (struct lk_org_root **)items, n, next, err);
}

static enum lk_status s_parse_ous(struct s_listing *l, const char *json, size_t len, void **items,
                                  size_t *n, char **next, struct lk_error *err)
{
    return lk_org_parse_list_ous(l->arena, json, len, l->parent_id, (struct lk_org_ou **)items, n,
                                 next, err);
}

static enum lk_status s_parse_accounts(struct s_listing *l, const char *json, size_t len,
                                       void **items, size_t *n, char **next, struct lk_error *err)
{
    return lk_org_parse_list_accounts(l->arena, json, len, (struct lk_org_account **)items, n, next,
                                      err);
}

/* Appends @p n items of l->item_size bytes to l->all. */
static void s_append(struct s_listing *l, const void *items, size_t n)
{
    if (l->n_all + n > l->cap_all) {
        size_t cap = l->cap_all ? l->cap_all : 16;
        while (cap < l->n_all + n)
            cap *= 2;
        char *grown = lk_arena_alloc(l->arena, cap * l->item_size);
        if (l->n_all)
            memcpy(grown, l->all, l->n_all * l->item_size);
        l->all = grown;
        l->cap_all = cap;
    }
    if (n)
        memcpy(l->all + l->n_all * l->item_size, items, n * l->item_size);
    l->n_all += n;
}

/* Runs a listing to its last page. */
static enum lk_status s_list_all(struct lk_aws_client *client, struct s_listing *l,
                                 struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    struct lk_buf body;
    struct lk_error why = {0};
    char *token = NULL;
    enum lk_status rc = LK_STATUS_OK;
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    for (int page = 0;; page++) {
        LK_ENSURE_GOTO(rc, page < LK_ORG_MAX_PAGES,
                       lk_svc_result(lk_aws_error_malformed(err, l->op, &resp,
                                                            "the listing did not stop paginating"),
                                     err),
                       cleanup);
        lk_buf_free(&body);
        lk_buf_puts(&body, "{");
        if (l->parent_id) {
            lk_buf_puts(&body, "\"ParentId\":");
            lk_json_escape(&body, l->parent_id);
            lk_buf_putc(&body, ',');
        }
        if (token) {
            lk_buf_puts(&body, "\"NextToken\":");
            lk_json_escape(&body, token);
            lk_buf_putc(&body, ',');
        }
        lk_buf_printf(&body, "\"MaxResults\":%d}", LK_ORG_PAGE_MAX);

        lk_http_response_free(&resp);
        LK_GUARD_GOTO(rc, s_call(client, l->op, &body, &resp, err), cleanup);
        void *items = NULL;
        size_t n = 0;
        char *next = NULL;
        LK_ENSURE_GOTO(rc,
                       l->parse(l, (const char *)resp.body, resp.body_len, &items, &n, &next,
                                &why) == LK_STATUS_OK,
                       lk_svc_result(lk_aws_error_malformed(err, l->op, &resp, why.message), err),
                       cleanup);
        s_append(l, items, n);
        if (!next)
            break;
        /* A token handed back unchanged would page forever. */
        LK_ENSURE_GOTO(rc, !token || strcmp(token, next) != 0,
                       lk_svc_result(lk_aws_error_malformed(err, l->op, &resp,
                                                            "the same NextToken came back twice"),
                                     err),
                       cleanup);
        token = next;
    }
cleanup:
    lk_buf_free(&body);
    lk_http_response_free(&resp);
    return rc;
}

/* Refuses a ParentId that is neither a root nor an OU id before sending it. */
static enum lk_status s_check_parent(const char *op, const char *parent_id,
                                     struct lk_aws_error *err)
{
    if (lk_org_is_root_id(parent_id) || lk_org_is_ou_id(parent_id))
        return LK_STATUS_OK;
    char why[160];
    snprintf(why, sizeof(why), "not a root or organizational unit id: %.100s",
             parent_id ? parent_id : "(null)");
    return lk_svc_result(lk_aws_error_invalid(err, op, why), err);
}

/* Runs listing @p l to its last page (its ParentId checked first when it needs one): every
 * page's items in *@p all (arena), their count in *@p n. */
static enum lk_status s_list_into(struct lk_aws_client *client, struct s_listing *l, void **all,
                                  size_t *n, struct lk_aws_error *err)
{
    *all = NULL;
    *n = 0;
    if (l->needs_parent)
        LK_GUARD(s_check_parent(l->op, l->parent_id, err));
    LK_GUARD(s_list_all(client, l, err));
    *all = l->all;
    *n = l->n_all;
    return LK_STATUS_OK;
}

enum lk_status lk_org_list_roots(struct lk_aws_client *client, struct lk_arena *arena,
                                 struct lk_org_root **out, size_t *n_out, struct lk_aws_error *err)
{
    struct s_listing l = {
        .op = "ListRoots", .arena = arena, .parse = s_parse_roots, .item_size = sizeof(**out)};
    void *all;
    enum lk_status rc = s_list_into(client, &l, &all, n_out, err);
    *out = all;
    return rc;
}

enum lk_status lk_org_list_ous_for_parent(struct lk_aws_client *client, const char *parent_id,
                                          struct lk_arena *arena, struct lk_org_ou **out,
                                          size_t *n_out, struct lk_aws_error *err)
{
    struct s_listing l = {.op = "ListOrganizationalUnitsForParent",
                          .parent_id = parent_id,
                          .needs_parent = true,
                          .arena = arena,
                          .parse = s_parse_ous,
                          .item_size = sizeof(**out)};
    void *all;
    enum lk_status rc = s_list_into(client, &l, &all, n_out, err);
    *out = all;
    return rc;
}

enum lk_status lk_org_list_accounts_for_parent(struct lk_aws_client *client, const char *parent_id,
                                               struct lk_arena *arena, struct lk_org_account **out,
                                               size_t *n_out, struct lk_aws_error *err)
{
    struct s_listing l = {.op = "ListAccountsForParent",
                          .parent_id = parent_id,
                          .needs_parent = true,
                          .arena = arena,
                          .parse = s_parse_accounts,
                          .item_size = sizeof(**out)};
    void *all;
    enum lk_status rc = s_list_into(client, &l, &all, n_out, err);
    *out = all;
    return rc;
}

enum lk_status lk_org_list_accounts(struct lk_aws_client *client, struct lk_arena *arena,
                                    struct lk_org_account **out, size_t *n_out,
                                    struct lk_aws_error *err)
{
    struct s_listing l = {.op = "ListAccounts",
                          .arena = arena,
                          .parse = s_parse_accounts,
                          .item_size = sizeof(**out)};
    void *all;
    enum lk_status rc = s_list_into(client, &l, &all, n_out, err);
    *out = all;
    return rc;
}

/* ------------------------------------------------------------------------------ resolving */

static int s_account_cmp(const void *a, const void *b)
{
    const struct lk_org_account *x = a, *y = b;
    return strcmp(x->id, y->id);
}

size_t lk_org_accounts_sort_unique(struct lk_org_account *accounts, size_t n)
{
    if (n < 2)
        return n;
    /* qsort is not stable, but equal ids are dropped but one, and which one is kept only
     * matters if AWS reported the same account twice with different names. */
    qsort(accounts, n, sizeof(*accounts), s_account_cmp);
    size_t w = 1;
    for (size_t r = 1; r < n; r++)
        if (strcmp(accounts[r].id, accounts[w - 1].id) != 0)
            accounts[w++] = accounts[r];
    return w;
}

struct s_resolve {
    struct lk_aws_client *client;
    struct lk_arena *arena;
    struct lk_org_account *items;
    size_t n, cap;
    size_t n_ous; /* OUs listed so far */
};

/* Adds the ACTIVE accounts of @p parent_id and, recursively, of its OUs. */
static enum lk_status s_resolve(struct s_resolve *r, const char *parent_id, int depth,
                                struct lk_aws_error *err)
{
    if (depth > LK_ORG_MAX_DEPTH || r->n_ous > LK_ORG_MAX_OUS) {
        struct lk_http_response none = {0};
        return lk_svc_result(
            lk_aws_error_malformed(err, "ListOrganizationalUnitsForParent", &none,
                                   depth > LK_ORG_MAX_DEPTH
                                       ? "organizational units nest too deeply"
                                       : "more organizational units than an organization has"),
            err);
    }
    struct lk_org_account *accounts;
    size_t n;
    LK_GUARD(lk_org_list_accounts_for_parent(r->client, parent_id, r->arena, &accounts, &n, err));
    for (size_t i = 0; i < n; i++) {
        if (!accounts[i].active)
            continue;
        LK_ARENA_ARRAY_GROW(r->arena, r->items, r->n, r->cap);
        r->items[r->n++] = accounts[i];
    }
    struct lk_org_ou *ous;
    LK_GUARD(lk_org_list_ous_for_parent(r->client, parent_id, r->arena, &ous, &n, err));
    r->n_ous += n;
    for (size_t i = 0; i < n; i++)
        LK_GUARD(s_resolve(r, ous[i].id, depth + 1, err));
    return LK_STATUS_OK;
}

enum lk_status lk_org_resolve_active_accounts(struct lk_aws_client *client, const char *parent_id,
                                              struct lk_arena *arena, struct lk_org_account **out,
                                              size_t *n_out, struct lk_aws_error *err)
{
    struct s_resolve r = {.client = client, .arena = arena};
    *out = NULL;
    *n_out = 0;
    if (!parent_id) {
        /* The whole organisation: ListAccounts lists every account in one paginated call,
         * instead of two calls per OU. */
        struct lk_org_account *all;
        size_t n;
        LK_GUARD(lk_org_list_accounts(client, arena, &all, &n, err));
        for (size_t i = 0; i < n; i++) {
            if (!all[i].active)
                continue;
            LK_ARENA_ARRAY_GROW(arena, r.items, r.n, r.cap);
            r.items[r.n++] = all[i];
        }
    } else {
        LK_GUARD(s_check_parent("ListAccountsForParent", parent_id, err));
        LK_GUARD(s_resolve(&r, parent_id, 0, err));
    }
    *out = r.items;
    *n_out = lk_org_accounts_sort_unique(r.items, r.n);
    return LK_STATUS_OK;
}
