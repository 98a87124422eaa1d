/*
 * logkeep runtime: the AWS Query protocols (query.h).
 *
 * Sources:
 *   [QUERY] EC2 API Reference, "Query requests for Amazon EC2",
 *           https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html
 *   [BOTO]  botocore serialize.py (QuerySerializer, EC2Serializer) and parsers.py (QueryParser,
 *           EC2QueryParser), https://github.com/boto/botocore: what the SDKs write and accept.
 */
#include "runtime/services/query.h"

#include <errno.h>
#include <expat.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/services/sts.h"

/* ------------------------------------------------------------------------------ XML tree */

struct s_parse {
    struct lk_query_doc *doc;
    XML_Parser parser;
    struct lk_query_node *cur;
    int depth;
    size_t elements;
    struct lk_buf text; /* character data of the innermost open element */
    char fail[128];     /* set by a handler that stopped the parser */
};

static void s_stop(struct s_parse *p, const char *why)
{
    if (!p->fail[0])
        snprintf(p->fail, sizeof(p->fail), "%s", why);
    XML_StopParser(p->parser, XML_FALSE);
}

static void XMLCALL s_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct s_parse *p = ud;
    (void)atts;
    if (p->fail[0])
        return;
    if (++p->depth > LK_QUERY_MAX_DEPTH) {
        s_stop(p, "XML nested too deeply");
        return;
    }
    if (++p->elements > LK_QUERY_MAX_ELEMENTS) {
        s_stop(p, "XML has too many elements");
        return;
    }
    struct lk_query_node *n = lk_arena_alloc(&p->doc->arena, sizeof(*n));
    /* With namespace processing expat reports "uri|local"; a local name cannot hold '|'. The
     * namespace is not checked: the SDKs read the members of whatever document comes [BOTO]. */
    const char *sep = strrchr(name, '|');
    n->name = lk_arena_strdup(&p->doc->arena, sep ? sep + 1 : name);
    n->text = "";
    n->parent = p->cur;
    if (p->cur) {
        if (p->cur->last)
            p->cur->last->next = n;
        else
            p->cur->child = n;
        p->cur->last = n;
    } else {
        p->doc->root = n;
    }
    p->cur = n;
    lk_buf_reset(&p->text);
}

static void XMLCALL s_end(void *ud, const XML_Char *name)
{
    struct s_parse *p = ud;
    (void)name;
    if (p->fail[0] || !p->cur)
        return;
    struct lk_query_node *n = p->cur;
    if (!n->child)
        n->text = lk_arena_strndup(&p->doc->arena, p->text.len ? p->text.data : "", p->text.len);
    lk_buf_reset(&p->text);
    p->cur = n->parent;
    p->depth--;
}

static void XMLCALL s_chars(void *ud, const XML_Char *s, int len)
{
    struct s_parse *p = ud;
    if (p->fail[0] || !p->cur || len <= 0 || p->cur->child)
        return;
    lk_buf_append(&p->text, s, (size_t)len);
    if (lk_buf_failed(&p->text))
        s_stop(p, "XML text too long");
}

/* No AWS answer has a document type declaration; refusing DTDs rules out entity expansion and
 * external entities outright. */
static void XMLCALL s_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                              const XML_Char *pubid, int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    s_stop(ud, "XML document type declarations are not accepted");
}

enum lk_status lk_query_parse(struct lk_query_doc *doc, const char *xml, size_t len,
                              struct lk_error *err)
{
    struct s_parse p;
    enum lk_status rc = LK_STATUS_OK;

    memset(doc, 0, sizeof(*doc));
    lk_arena_init(&doc->arena);
    memset(&p, 0, sizeof(p));
    p.doc = doc;
    LK_ENSURE(xml && len > 0, lk_error_set(err, LK_STATUS_MALFORMED, "empty response body"));
    LK_ENSURE(len <= LK_QUERY_MAX_BYTES && len <= INT_MAX,
              lk_error_set(err, LK_STATUS_TOO_LARGE,
                           "XML response of %zu bytes exceeds the %zu-byte limit", len,
                           LK_QUERY_MAX_BYTES));
    lk_buf_init(&p.text, LK_QUERY_MAX_TEXT_BYTES);
    p.parser = XML_ParserCreateNS(NULL, '|');
    if (!p.parser)
        lk_oom();
    XML_SetUserData(p.parser, &p);
    XML_SetElementHandler(p.parser, s_start, s_end);
    XML_SetCharacterDataHandler(p.parser, s_chars);
    XML_SetStartDoctypeDeclHandler(p.parser, s_doctype);
    if (XML_Parse(p.parser, xml, (int)len, XML_TRUE) != XML_STATUS_OK) {
        if (p.fail[0])
            rc = lk_error_set(err, LK_STATUS_MALFORMED, "%s", p.fail);
        else
            rc = lk_error_set(err, LK_STATUS_MALFORMED, "malformed XML at line %lu, column %lu: %s",
                              (unsigned long)XML_GetCurrentLineNumber(p.parser),
                              (unsigned long)XML_GetCurrentColumnNumber(p.parser),
                              XML_ErrorString(XML_GetErrorCode(p.parser)));
    } else if (!doc->root) {
        rc = lk_error_set(err, LK_STATUS_MALFORMED, "no XML element in the response");
    } else if (strcasecmp(doc->root->name, "html") == 0) {
        /* A captive portal or a proxy's error page answering 200 is no answer. */
        rc = lk_error_set(err, LK_STATUS_SCHEMA,
                          "the response is an HTML page: is a proxy answering?");
    }
    XML_ParserFree(p.parser);
    lk_buf_free(&p.text);
    return rc;
}

void lk_query_doc_free(struct lk_query_doc *doc)
{
    if (doc == NULL)
        return;
    lk_arena_destroy(&doc->arena);
    memset(doc, 0, sizeof(*doc));
}

const struct lk_query_node *lk_query_child(const struct lk_query_node *n, const char *name)
{
    for (const struct lk_query_node *c = n ? n->child : NULL; c; c = c->next)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

const struct lk_query_node *lk_query_next(const struct lk_query_node *n)
{
    for (const struct lk_query_node *c = n ? n->next : NULL; c; c = c->next)
        if (strcmp(c->name, n->name) == 0)
            return c;
    return NULL;
}

const char *lk_query_text(const struct lk_query_node *n, const char *name)
{
    const struct lk_query_node *c = lk_query_child(n, name);
    return c ? c->text : NULL;
}

enum lk_status lk_query_bool(const struct lk_query_node *n, const char *name, bool *out,
                             struct lk_error *err)
{
    const char *t = lk_query_text(n, name);
    if (t == NULL)
        return LK_STATUS_OK;
    if (strcmp(t, "true") == 0)
        *out = true;
    else if (strcmp(t, "false") == 0)
        *out = false;
    else
        return lk_error_set(err, LK_STATUS_SCHEMA, "<%s> is not a boolean: \"%.40s\"", name, t);
    return LK_STATUS_OK;
}

enum lk_status lk_query_int(const struct lk_query_node *n, const char *name, int64_t *out,
                            struct lk_error *err)
{
    const char *t = lk_query_text(n, name);
    if (t == NULL)
        return LK_STATUS_OK;
    const char *d = t + (t[0] == '-' || t[0] == '+');
    char *end = NULL;
    errno = 0;
    long long v = strtoll(t, &end, 10);
    if (*d < '0' || *d > '9' || errno != 0 || end == NULL || *end != '\0')
        return lk_error_set(err, LK_STATUS_SCHEMA, "<%s> is not an integer: \"%.40s\"", name, t);
    *out = (int64_t)v;
    return LK_STATUS_OK;
}

enum lk_status lk_query_result(const struct lk_query_doc *doc, const char *op, bool ec2,
                               const struct lk_query_node **out, struct lk_error *err)
{
    *out = NULL;
    LK_ENSURE(doc->root, lk_error_set(err, LK_STATUS_MALFORMED, "no XML document"));
    if (ec2) {
        /* EC2: the output members are the root's children, no result wrapper [BOTO]. */
        *out = doc->root;
        return LK_STATUS_OK;
    }
    char wrapper[128];
    snprintf(wrapper, sizeof(wrapper), "%sResult", op);
    *out = lk_query_child(doc->root, wrapper);
    LK_ENSURE(*out, lk_error_set(err, LK_STATUS_SCHEMA, "the response has no <%s>", wrapper));
    return LK_STATUS_OK;
}

/* ------------------------------------------------------------------------------ requests */

void lk_query_form_init(struct lk_buf *form, const char *action, const char *version)
{
    lk_buf_init(form, LK_BUF_MAX_REQUEST);
    lk_sts_form_add(form, "Action", action);
    lk_sts_form_add(form, "Version", version);
}

void lk_query_form_add(struct lk_buf *form, const char *name, const char *value)
{
    lk_sts_form_add(form, name, value ? value : "");
}

void lk_query_form_addf(struct lk_buf *form, const char *value, const char *name_fmt, ...)
{
    char name[256];
    va_list ap;
    va_start(ap, name_fmt);
    int n = vsnprintf(name, sizeof(name), name_fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(name)) {
        lk_buf_fail(form); /* refused by lk_query_call() */
        return;
    }
    lk_query_form_add(form, name, value);
}

enum lk_status lk_query_call(struct lk_aws_client *client, enum lk_aws_service service,
                             const char *op, const char *region, const struct lk_buf *form,
                             const struct lk_query_reader *reader, struct lk_aws_error *err)
{
    if (lk_buf_failed(form)) {
        char why[128];
        snprintf(why, sizeof(why), "the %s request would exceed %zu bytes", op,
                 (size_t)LK_BUF_MAX_REQUEST);
        return lk_svc_result(lk_aws_error_invalid(err, op, why), err);
    }
    struct lk_http_response resp = {0};
    /* The client writes Content-Type application/x-www-form-urlencoded for Query services. */
    struct lk_aws_request req = {
        .service = service,
        .operation = op,
        .method = "POST",
        .path = "/",
        .body = (const unsigned char *)form->data,
        .body_len = form->len,
        .region = region,
    };
    enum lk_status rc = lk_svc_result(lk_aws_call(client, &req, &resp, err), err);
    if (rc == LK_STATUS_OK && reader != NULL) {
        struct lk_error why = {0};
        if (reader->read(reader->ctx, (const char *)resp.body, resp.body_len, &why) != LK_STATUS_OK)
            rc = lk_svc_result(lk_aws_error_malformed(err, op, &resp, why.message), err);
    }
    lk_http_response_free(&resp);
    return rc;
}
