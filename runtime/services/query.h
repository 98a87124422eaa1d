/*
 * logkeep runtime: the AWS Query protocols (Amazon EC2, Elastic Load Balancing v2, Amazon RDS):
 * form-encoded requests and XML responses.
 *
 * A request is POST / with Content-Type application/x-www-form-urlencoded and the body
 * Action=<Op>&Version=<API version>&<parameters> (AWS General Reference, "Query requests";
 * EC2 API Reference, "Query requests for Amazon EC2",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html). Parameter names
 * follow botocore's serializers: a list is Name.member.N for the Query services and Name.N for
 * EC2 (Filter.1.Name=resource-id&Filter.1.Value.1=vpc-...).
 *
 * The answer is parsed with libexpat into a bounded element tree (depth, element count, text
 * size and input size capped; DTDs refused), then read by element name as the AWS SDKs do:
 * unknown elements are ignored and the root element's name is not checked; the Query services
 * wrap the result in <OpResult>, EC2 does not (botocore parsers.py, QueryParser and
 * EC2QueryParser). Errors (<ErrorResponse><Error> of the Query services, <Response><Errors>
 * <Error> of EC2) are mapped to struct lk_aws_error by the client (runtime/transport/client.c),
 * which needs the code to decide retries.
 *
 * Conventions: those of runtime/services/service.h.
 */
#ifndef LK_RUNTIME_SERVICES_QUERY_H
#define LK_RUNTIME_SERVICES_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/result.h"
#include "runtime/services/service.h"
#include "runtime/transport/client.h"

/* Bounds of a parsed answer. A page of 1,000 VPCs or flow logs is well under 4 MiB; 32 MiB leaves
 * room for tags without letting a broken server exhaust memory. */
#define LK_QUERY_MAX_BYTES ((size_t)32 * 1024 * 1024)
#define LK_QUERY_MAX_DEPTH 32
#define LK_QUERY_MAX_ELEMENTS ((size_t)1000000)
#define LK_QUERY_MAX_TEXT_BYTES ((size_t)64 * 1024)

/* Pages followed before a listing gives up: a server that never stops paginating cannot loop
 * forever. 100,000 pages is past any account's quota for every resource listed here. */
#define LK_QUERY_MAX_PAGES 100000

/** One element of a parsed answer (strings in the document's arena). */
struct lk_query_node {
    const char *name; /* local name (namespace dropped) */
    const char *text; /* character data; "" for an element with children */
    struct lk_query_node *parent;
    struct lk_query_node *child; /* first child element */
    struct lk_query_node *last;  /* last child element */
    struct lk_query_node *next;  /* next sibling */
};

/** A parsed answer: free with lk_query_doc_free(). */
struct lk_query_doc {
    struct lk_arena arena;
    struct lk_query_node *root;
};

/**
 * Parses @p xml into @p doc (which the caller frees with lk_query_doc_free() whatever the
 * result).
 * @return LK_STATUS_OK, LK_STATUS_MALFORMED (not XML, a DTD, nested too deeply, too many
 *         elements, a text over the bound), LK_STATUS_TOO_LARGE (over LK_QUERY_MAX_BYTES) or
 *         LK_STATUS_SCHEMA (an HTML page), with @p err saying why
 */
LK_MUST_CHECK enum lk_status lk_query_parse(struct lk_query_doc *doc, const char *xml, size_t len,
                                            struct lk_error *err);

/** Frees what lk_query_parse() allocated. */
void lk_query_doc_free(struct lk_query_doc *doc);

/** @return the first child element of @p n named @p name, or NULL (also when @p n is NULL). */
const struct lk_query_node *lk_query_child(const struct lk_query_node *n, const char *name);

/** @return the next sibling of @p n with the same name, or NULL. */
const struct lk_query_node *lk_query_next(const struct lk_query_node *n);

/** @return the text of the child @p name of @p n, or NULL when there is none. */
const char *lk_query_text(const struct lk_query_node *n, const char *name);

/**
 * Reads the boolean child @p name strictly ("true" or "false", as the XML Schema boolean the
 * models declare; botocore accepts exactly these).
 * @param out left unchanged when the child is absent
 * @return LK_STATUS_OK, or LK_STATUS_SCHEMA with @p err for another text
 */
LK_MUST_CHECK enum lk_status lk_query_bool(const struct lk_query_node *n, const char *name,
                                           bool *out, struct lk_error *err);

/**
 * Reads the integer child @p name strictly (optional sign and decimal digits, in int64 range).
 * @param out left unchanged when the child is absent
 * @return LK_STATUS_OK, or LK_STATUS_SCHEMA with @p err
 */
LK_MUST_CHECK enum lk_status lk_query_int(const struct lk_query_node *n, const char *name,
                                          int64_t *out, struct lk_error *err);

/**
 * The element holding an operation's output members: <OpResult> under the root for the Query
 * services (its absence is LK_STATUS_SCHEMA: botocore refuses such an answer too), the root
 * itself for EC2.
 * @param ec2 true for the EC2 protocol
 */
LK_MUST_CHECK enum lk_status lk_query_result(const struct lk_query_doc *doc, const char *op,
                                             bool ec2, const struct lk_query_node **out,
                                             struct lk_error *err);

/** Starts a request body: Action=@p action&Version=@p version, in a buffer capped at
 *  LK_BUF_MAX_REQUEST (lk_buf_free() it). */
void lk_query_form_init(struct lk_buf *form, const char *action, const char *version);

/** Appends &@p name=@p value, form-encoded. */
void lk_query_form_add(struct lk_buf *form, const char *name, const char *value);

/** Appends a parameter whose name is formatted (list indexes: "Filter.%zu.Value.%zu"). */
void lk_query_form_addf(struct lk_buf *form, const char *value, const char *name_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/**
 * Reads a 2xx answer of an operation (the service's parser, given the body).
 * @return LK_STATUS_OK, or a failure with @p why set
 */
struct lk_query_reader {
    enum lk_status (*read)(void *ctx, const char *xml, size_t len, struct lk_error *why);
    void *ctx;
};

/**
 * One Query call: POST / with @p form (a form that overflowed its buffer is refused before
 * anything is sent), then @p reader on the 2xx answer; an answer it refuses is
 * LK_STATUS_MALFORMED (code LK_SVC_MALFORMED_RESPONSE, the reader's reason as message, the
 * answer's request id).
 * @param region the signing Region, or NULL for the client's
 * @return as lk_svc_result()
 */
LK_MUST_CHECK enum lk_status lk_query_call(struct lk_aws_client *client,
                                           enum lk_aws_service service, const char *op,
                                           const char *region, const struct lk_buf *form,
                                           const struct lk_query_reader *reader,
                                           struct lk_aws_error *err);

#endif
