/*
 * logkeep runtime: AWS STS client (sts.h).
 *
 * Sources:
 *   [NOTES] docs/protocol-notes.md section 6 (botocore's sts 2011-06-15 model).
 *   AWS Security Token Service API Reference:
 *   [AR]    "AssumeRole",
 *           https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 *   [ARWI]  "AssumeRoleWithWebIdentity",
 *           https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
 *   [GCI]   "GetCallerIdentity",
 *           https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 */
#include "runtime/services/sts.h"

#include <expat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "runtime/transport/credentials.h"

static const char s_version[] = "2011-06-15";

void lk_sts_identity_clear(struct lk_sts_identity *id)
{
    if (id == NULL)
        return;
    free(id->account);
    free(id->arn);
    free(id->user_id);
    memset(id, 0, sizeof(*id));
}

void lk_sts_form_add(struct lk_buf *form, const char *name, const char *value)
{
    static const char s_hex[] = "0123456789ABCDEF";
    if (form->len > 0)
        lk_buf_putc(form, '&');
    lk_buf_puts(form, name);
    lk_buf_putc(form, '=');
    /* Percent-encode everything outside the RFC 3986 unreserved set. botocore writes a space
     * as '+' [NOTES]; %20 is equally valid form encoding, and the signature covers the bytes
     * sent either way. */
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            lk_buf_putc(form, (char)*p);
        } else {
            char esc[3] = {'%', s_hex[*p >> 4], s_hex[*p & 15]};
            lk_buf_append(form, esc, 3);
        }
    }
}

/* The root element must be in the STS namespace; an answer without one (some emulators) is
 * accepted too. */
static bool s_namespace_ok(const char *ns)
{
    return ns != NULL && (ns[0] == '\0' || strcmp(ns, LK_STS_NAMESPACE) == 0);
}

/* The root element's local name, found by parsing up to its start tag. */
struct s_root {
    XML_Parser parser;
    char name[64];
    bool found;
};

static void XMLCALL s_root_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct s_root *r = ud;
    (void)atts;
    /* With namespace processing expat reports "uri|local". */
    const char *sep = strrchr(name, '|');
    const char *local = sep ? sep + 1 : name;
    if (strlen(local) < sizeof(r->name)) {
        memcpy(r->name, local, strlen(local) + 1);
        r->found = true;
    }
    XML_StopParser(r->parser, XML_FALSE);
}

static void XMLCALL s_root_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                                   const XML_Char *pubid, int has_internal_subset)
{
    struct s_root *r = ud;
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    XML_StopParser(r->parser, XML_FALSE);
}

/* The name of the root element, which is not checked: for the query protocol botocore looks for
 * the model's resultWrapper (GetCallerIdentityResult, ...) among the children of whatever the
 * root is (botocore/parsers.py, QueryParser._parse_body_as_xml and _find_result_wrapped_shape,
 * https://github.com/boto/botocore), so an emulator's differently named root is read as AWS's
 * <OpResponse>. A document type declaration stops the search (lk_aws_xml_find() refuses it
 * anyway). @return false when there is no root element to find. */
static bool s_root_name(const char *xml, size_t len, char *out, size_t size)
{
    struct s_root r = {0};
    if (xml == NULL || len == 0 || len > INT_MAX)
        return false;
    r.parser = XML_ParserCreateNS(NULL, '|');
    if (r.parser == NULL)
        lk_oom();
    XML_SetUserData(r.parser, &r);
    XML_SetStartElementHandler(r.parser, s_root_start);
    XML_SetStartDoctypeDeclHandler(r.parser, s_root_doctype);
    (void)XML_Parse(r.parser, xml, (int)len, XML_TRUE);
    XML_ParserFree(r.parser);
    if (!r.found || strlen(r.name) >= size)
        return false;
    memcpy(out, r.name, strlen(r.name) + 1);
    return true;
}

/* Why an answer was refused, into @p why (@p size bytes; NULL: not wanted). */
#define S_WHY(why, size, ...)                                                                      \
    do {                                                                                           \
        if ((why) != NULL && (size) > 0)                                                           \
            snprintf((why), (size), __VA_ARGS__);                                                  \
    } while (0)

/* The first of @p n members left NULL (or "" when @p nonempty) in @p values, or NULL. */
static const char *s_missing(char *const *values, const char *const *names, size_t n, bool nonempty)
{
    for (size_t i = 0; i < n; i++)
        if (values[i] == NULL || (nonempty && values[i][0] == '\0'))
            return names[i];
    return NULL;
}

/* lk_sts_parse_caller_identity() with the reason of a refusal in @p why. */
static int s_parse_caller_identity(const char *xml, size_t len, struct lk_sts_identity *out,
                                   char *why, size_t why_size)
{
    int rc = -1;
    char *ns = NULL;
    char root[64];
    char paths[3][160];
    memset(out, 0, sizeof(*out));
    if (!s_root_name(xml, len, root, sizeof(root))) {
        S_WHY(why, why_size, "no XML root element");
        return -1;
    }
    /* [GCI] result members Account, Arn, UserId, wrapped in GetCallerIdentityResult. */
    static const char *const s_members[3] = {"Account", "Arn", "UserId"};
    for (int i = 0; i < 3; i++)
        snprintf(paths[i], sizeof(paths[i]), "%s/GetCallerIdentityResult/%s", root, s_members[i]);
    struct lk_aws_xml_field fields[] = {
        {paths[0], &out->account},
        {paths[1], &out->arn},
        {paths[2], &out->user_id},
    };
    if (lk_aws_xml_find(xml, len, fields, 3, &ns) != 0) {
        S_WHY(why, why_size, "malformed XML, or a document type declaration");
        goto cleanup;
    }
    if (!s_namespace_ok(ns)) {
        S_WHY(why, why_size, "the root element <%s> is not in the STS namespace", root);
        goto cleanup;
    }
    char *const values[3] = {out->account, out->arn, out->user_id};
    const char *missing = s_missing(values, s_members, 3, false);
    if (missing != NULL) {
        S_WHY(why, why_size, "<GetCallerIdentityResult> has no <%s>", missing);
        goto cleanup;
    }
    rc = 0;

cleanup:
    free(ns);
    if (rc != 0)
        lk_sts_identity_clear(out);
    return rc;
}

int lk_sts_parse_caller_identity(const char *xml, size_t len, struct lk_sts_identity *out)
{
    return s_parse_caller_identity(xml, len, out, NULL, 0);
}

/* lk_sts_parse_credentials() with the reason of a refusal in @p why. */
static int s_parse_credentials(const char *xml, size_t len, const char *operation,
                               struct lk_aws_credentials *out, char *why, size_t why_size)
{
    int rc = -1;
    char *ns = NULL;
    char *expiration = NULL;
    char root[64];
    char paths[4][200];
    memset(out, 0, sizeof(*out));
    if (operation == NULL || strlen(operation) > 40)
        return -1;
    if (!s_root_name(xml, len, root, sizeof(root))) {
        S_WHY(why, why_size, "no XML root element");
        return -1;
    }
    /* [AR], [ARWI]: <OpResponse><OpResult><Credentials>{AccessKeyId, SecretAccessKey,
     * SessionToken, Expiration}; the root's name is not checked (s_root_name()). */
    static const char *const s_members[4] = {"AccessKeyId", "SecretAccessKey", "SessionToken",
                                             "Expiration"};
    for (int i = 0; i < 4; i++)
        snprintf(paths[i], sizeof(paths[i]), "%s/%sResult/Credentials/%s", root, operation,
                 s_members[i]);
    struct lk_aws_xml_field fields[] = {
        {paths[0], &out->access_key_id},
        {paths[1], &out->secret_access_key},
        {paths[2], &out->session_token},
        {paths[3], &expiration},
    };
    if (lk_aws_xml_find(xml, len, fields, 4, &ns) != 0) {
        S_WHY(why, why_size, "malformed XML, or a document type declaration");
        goto cleanup;
    }
    if (!s_namespace_ok(ns)) {
        S_WHY(why, why_size, "the root element <%s> is not in the STS namespace", root);
        goto cleanup;
    }
    /* All four are required (model shape Credentials). */
    char *const values[4] = {out->access_key_id, out->secret_access_key, out->session_token,
                             expiration};
    const char *missing = s_missing(values, s_members, 3, true);
    if (missing == NULL && expiration == NULL)
        missing = "Expiration";
    if (missing != NULL) {
        S_WHY(why, why_size, "<%sResult><Credentials> has no <%s>", operation, missing);
        goto cleanup;
    }
    /* Expiration: ISO 8601 in UTC [AR]. */
    if (lk_aws_parse_iso8601(expiration, &out->expiration_s) != 0) {
        S_WHY(why, why_size, "<Expiration> is not an ISO 8601 time");
        goto cleanup;
    }
    rc = 0;

cleanup:
    free(ns);
    free(expiration);
    if (rc != 0)
        lk_aws_credentials_clear(out);
    return rc;
}

int lk_sts_parse_credentials(const char *xml, size_t len, const char *operation,
                             struct lk_aws_credentials *out)
{
    return s_parse_credentials(xml, len, operation, out, NULL, 0);
}

/* Sends one STS action. The form body may hold a web identity token: it is wiped. */
static int s_call(struct lk_aws_client *client, const char *operation, struct lk_buf *form,
                  bool unsigned_request, struct lk_http_response *resp, struct lk_aws_error *err)
{
    struct lk_aws_request req = {
        .service = LK_AWS_STS,
        .operation = operation,
        .method = "POST",
        .path = "/",
        .body = (const unsigned char *)form->data,
        .body_len = form->len,
        .unsigned_request = unsigned_request,
    };
    return lk_aws_call(client, &req, resp, err);
}

static void s_form_start(struct lk_buf *form, const char *action, size_t reserve)
{
    /* Reserved up front so the buffer never moves: it may hold a web identity token, and a
     * reallocation would leave an unwiped copy. */
    lk_buf_init(form, LK_BUF_MAX_REQUEST);
    form->cap = reserve + 256;
    form->data = lk_xmalloc(form->cap);
    form->data[0] = '\0';
    lk_sts_form_add(form, "Action", action);
    lk_sts_form_add(form, "Version", s_version);
}

static void s_form_free(struct lk_buf *form)
{
    lk_http_secure_zero(form->data, form->cap);
    lk_buf_free(form);
}

static int s_bad_answer(struct lk_aws_error *err, const char *operation,
                        const struct lk_http_response *resp, const char *why)
{
    /* A 2xx answer we cannot read: keep what we know, with a code of our own. */
    free(err->operation);
    free(err->code);
    free(err->message);
    free(err->request_id);
    memset(err, 0, sizeof(*err));
    err->operation = lk_xstrdup(operation);
    err->code = lk_xstrdup("MalformedResponse");
    char message[256];
    snprintf(message, sizeof(message), "the STS answer could not be read%s%s",
             why != NULL && why[0] != '\0' ? ": " : "", why != NULL ? why : "");
    err->message = lk_xstrdup(message);
    err->http_status = resp->status;
    const char *rid = lk_aws_response_request_id(resp);
    err->request_id = rid != NULL ? lk_xstrdup(rid) : NULL;
    err->attempts = 1;
    return -1;
}

int lk_sts_get_caller_identity(struct lk_aws_client *client, struct lk_sts_identity *out,
                               struct lk_aws_error *err)
{
    int rc = -1;
    struct lk_buf form;
    struct lk_http_response resp;

    memset(out, 0, sizeof(*out));
    memset(&resp, 0, sizeof(resp));
    s_form_start(&form, "GetCallerIdentity", 0);
    if (s_call(client, "GetCallerIdentity", &form, false, &resp, err) != 0)
        goto cleanup;
    char why[160] = "";
    if (s_parse_caller_identity((const char *)resp.body, resp.body_len, out, why, sizeof(why)) !=
        0) {
        s_bad_answer(err, "GetCallerIdentity", &resp, why);
        goto cleanup;
    }
    rc = 0;

cleanup:
    lk_http_response_free(&resp);
    s_form_free(&form);
    return rc;
}

static void s_add_duration(struct lk_buf *form, int duration_seconds)
{
    if (duration_seconds > 0) {
        char num[16];
        snprintf(num, sizeof(num), "%d", duration_seconds);
        lk_sts_form_add(form, "DurationSeconds", num);
    }
}

int lk_sts_assume_role(struct lk_aws_client *client,
                       const struct lk_credentials_assume_role_params *p,
                       struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    int rc = -1;
    struct lk_buf form;
    struct lk_http_response resp;

    memset(out, 0, sizeof(*out));
    memset(&resp, 0, sizeof(resp));
    s_form_start(&form, "AssumeRole", 0);
    if (p == NULL || p->role_arn == NULL || p->role_session_name == NULL) {
        memset(err, 0, sizeof(*err));
        err->operation = lk_xstrdup("AssumeRole");
        err->code = lk_xstrdup("InvalidParameter");
        err->message = lk_xstrdup("RoleArn and RoleSessionName are required");
        goto cleanup;
    }
    /* [AR] request parameters; members in model order. */
    s_add_duration(&form, p->duration_seconds);
    if (p->external_id != NULL)
        lk_sts_form_add(&form, "ExternalId", p->external_id);
    lk_sts_form_add(&form, "RoleArn", p->role_arn);
    lk_sts_form_add(&form, "RoleSessionName", p->role_session_name);
    if (s_call(client, "AssumeRole", &form, false, &resp, err) != 0)
        goto cleanup;
    char why[160] = "";
    if (s_parse_credentials((const char *)resp.body, resp.body_len, "AssumeRole", out, why,
                            sizeof(why)) != 0) {
        s_bad_answer(err, "AssumeRole", &resp, why);
        goto cleanup;
    }
    rc = 0;

cleanup:
    lk_http_response_free(&resp);
    s_form_free(&form);
    return rc;
}

int lk_sts_assume_role_with_web_identity(struct lk_aws_client *client,
                                         const struct lk_credentials_web_identity_params *p,
                                         struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    int rc = -1;
    struct lk_buf form;
    struct lk_http_response resp;

    memset(out, 0, sizeof(*out));
    memset(&resp, 0, sizeof(resp));
    size_t token_len =
        p != NULL && p->web_identity_token != NULL ? strlen(p->web_identity_token) : 0;
    /* Worst case every byte of every value is percent-encoded. */
    s_form_start(&form, "AssumeRoleWithWebIdentity",
                 3 * (token_len + (p && p->role_arn ? strlen(p->role_arn) : 0) +
                      (p && p->role_session_name ? strlen(p->role_session_name) : 0)));
    if (p == NULL || p->role_arn == NULL || p->role_session_name == NULL ||
        p->web_identity_token == NULL) {
        memset(err, 0, sizeof(*err));
        err->operation = lk_xstrdup("AssumeRoleWithWebIdentity");
        err->code = lk_xstrdup("InvalidParameter");
        err->message = lk_xstrdup("RoleArn, RoleSessionName and WebIdentityToken are required");
        goto cleanup;
    }
    s_add_duration(&form, p->duration_seconds);
    lk_sts_form_add(&form, "RoleArn", p->role_arn);
    lk_sts_form_add(&form, "RoleSessionName", p->role_session_name);
    lk_sts_form_add(&form, "WebIdentityToken", p->web_identity_token);
    /* [NOTES] section 6: sent unsigned, no Authorization, X-Amz-Date or token header; the model
     * marks it authtype none. [ARWI]: the call "does not require the use of AWS security
     * credentials"; the token is the proof. */
    if (s_call(client, "AssumeRoleWithWebIdentity", &form, true, &resp, err) != 0)
        goto cleanup;
    char why[160] = "";
    if (s_parse_credentials((const char *)resp.body, resp.body_len, "AssumeRoleWithWebIdentity",
                            out, why, sizeof(why)) != 0) {
        s_bad_answer(err, "AssumeRoleWithWebIdentity", &resp, why);
        goto cleanup;
    }
    rc = 0;

cleanup:
    lk_http_response_free(&resp);
    s_form_free(&form);
    return rc;
}

/* The credential chain's view of STS (runtime/transport/credentials.h): the two calls above,
 * with the context the table carries unused. */
static int s_chain_assume_role(void *ctx, struct lk_aws_client *client,
                               const struct lk_credentials_assume_role_params *p,
                               struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    (void)ctx;
    return lk_sts_assume_role(client, p, out, err);
}

static int s_chain_assume_role_with_web_identity(void *ctx, struct lk_aws_client *client,
                                                 const struct lk_credentials_web_identity_params *p,
                                                 struct lk_aws_credentials *out,
                                                 struct lk_aws_error *err)
{
    (void)ctx;
    return lk_sts_assume_role_with_web_identity(client, p, out, err);
}

static const struct lk_credentials_sts s_credentials_sts = {
    .assume_role = s_chain_assume_role,
    .assume_role_with_web_identity = s_chain_assume_role_with_web_identity,
    .ctx = NULL,
};

const struct lk_credentials_sts *lk_sts_credentials_provider(void)
{
    return &s_credentials_sts;
}
