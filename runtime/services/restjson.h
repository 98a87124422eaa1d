/*
 * logkeep runtime: the AWS REST-JSON protocol (Amazon GuardDuty, Amazon EKS), and the reading
 * functions that every JSON log-source client (resolver.c, wafv2.c, netfw.c, configsvc.c,
 * guardduty.c, eks.c) shares.
 *
 * REST-JSON (botocore "protocol": "rest-json"): the operation is the HTTP method and the
 * model's requestUri, with its {labels} percent-encoded (every byte but the RFC 3986 unreserved
 * characters A-Z a-z 0-9 - . _ ~, as the SDKs encode a non-greedy label); query-string members
 * are percent-encoded the same way; the input body is a JSON object (Content-Type
 * application/json). An error answer's type is the X-Amzn-ErrorType header when there is one
 * ("ResourceNotFoundException:http://internal.amazon.com/..." is cut at ':'), else the body's
 * "code" or "__type" (cut after '#') (AWS SDKs: botocore's RestJSONParser reads the header
 * first; "Smithy AWS restJson1 protocol", "Operation error serialization":
 * https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html).
 *
 * Reading (lk_restjson_get_*): members are looked up by their exact wire name; unknown members
 * are ignored; a member of the wrong JSON type is a schema error (LK_STATUS_SCHEMA), not
 * skipped; strings longer than their cap are refused (LK_STATUS_TOO_LARGE); JSON null counts as
 * absent (as the SDKs read it).
 *
 * Conventions: those of runtime/services/service.h.
 */
#ifndef LK_RESTJSON_H
#define LK_RESTJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/result.h"
#include "runtime/services/service.h"
#include "runtime/transport/client.h"

struct cJSON;
struct lk_json_doc;

/* Longest string member the log-source clients keep: an ARN is at most 2,048 characters
 * (wafv2 ResourceArn, "Length Constraints: Maximum length of 2048"), a pagination token at most
 * 2,048 (Network Firewall PaginationToken) and the other members are shorter. */
#define LK_RESTJSON_MAX_STRING 4096

/* Items a listing keeps before it stops with LK_STATUS_TOO_LARGE: far above any account's
 * quota for these resource types, so only a broken endpoint reaches it. */
#define LK_RESTJSON_MAX_ITEMS 200000

/* Pages a listing follows before it stops: a broken endpoint that hands out tokens forever
 * cannot loop without end. */
#define LK_RESTJSON_MAX_PAGES 20000

/**
 * Appends @p s percent-encoded: every byte but A-Z a-z 0-9 - . _ ~ becomes %XX (upper-case hex).
 * @param out the buffer (its cap applies)
 */
void lk_restjson_encode(struct lk_buf *out, const char *s);

/**
 * Writes a request path from a model requestUri: each {label} of @p uri_template is replaced,
 * in order, by the next of @p labels, percent-encoded (lk_restjson_encode()).
 * @param out receives the path (its cap applies; a failed buffer reports the overflow)
 * @return LK_STATUS_OK, or LK_STATUS_INVALID_ARGUMENT when the template's labels and @p n_labels
 *         differ, or a label is empty (AWS answers an empty label with a routing error)
 */
LK_MUST_CHECK enum lk_status lk_restjson_path(struct lk_buf *out, const char *uri_template,
                                              const char *const *labels, size_t n_labels);

/**
 * Appends one query-string parameter, "?name=value" for the first and "&name=value" after,
 * both percent-encoded.
 */
void lk_restjson_query(struct lk_buf *out, const char *name, const char *value);

/**
 * Takes the error type of an error response the REST-JSON way (above) into @p err->code,
 * replacing what the transport read. Does nothing for a 2xx response or when no type is there.
 */
void lk_restjson_error_type(const struct lk_http_response *resp, struct lk_aws_error *err);

/**
 * One REST-JSON call through lk_aws_call() (signing, retries, error mapping), with the error
 * type taken as lk_restjson_error_type() says.
 * @param method "GET", "POST", ...
 * @param path the request path with its query string (lk_restjson_path(), lk_restjson_query())
 * @param region the region of the call, or NULL for the client's
 * @param body the JSON body, or NULL for none; a failed buffer is refused before sending
 * @param resp receives the response (caller frees with lk_http_response_free())
 * @return as lk_svc_result()
 */
LK_MUST_CHECK enum lk_status lk_restjson_call(struct lk_aws_client *client,
                                              enum lk_aws_service service, const char *op,
                                              const char *method, const struct lk_buf *path,
                                              const char *region, const struct lk_buf *body,
                                              struct lk_http_response *resp,
                                              struct lk_aws_error *err);

/**
 * One JSON 1.0 call (AWS Network Firewall: Content-Type application/x-amz-json-1.0, otherwise
 * as lk_svc_json_call()).
 */
LK_MUST_CHECK enum lk_status lk_restjson_json10_call(struct lk_aws_client *client,
                                                     enum lk_aws_service service,
                                                     const char *target_prefix, const char *op,
                                                     const char *region, const struct lk_buf *body,
                                                     struct lk_http_response *resp,
                                                     struct lk_aws_error *err);

/**
 * Reads a string member of @p obj.
 * @param arena where the copy goes
 * @param out receives the copy, or NULL when the member is absent or null
 * @param max_len the longest accepted value (bytes)
 * @return LK_STATUS_OK; LK_STATUS_SCHEMA (not a string) or LK_STATUS_TOO_LARGE with a reason
 */
LK_MUST_CHECK enum lk_status lk_restjson_get_str(struct lk_arena *arena, const struct cJSON *obj,
                                                 const char *name, size_t max_len, char **out,
                                                 struct lk_error *err);

/** Reads a boolean member; @p out is left as is when absent. @return LK_STATUS_SCHEMA when it is
 *  not a boolean. */
LK_MUST_CHECK enum lk_status lk_restjson_get_bool(const struct cJSON *obj, const char *name,
                                                  bool *out, struct lk_error *err);

/** Reads an integer member (a JSON number without a fraction, within int64); @p out is left as
 *  is when absent. @return LK_STATUS_SCHEMA otherwise. */
LK_MUST_CHECK enum lk_status lk_restjson_get_int(const struct cJSON *obj, const char *name,
                                                 int64_t *out, struct lk_error *err);

/**
 * Finds an array member.
 * @param out receives the array, or NULL when absent or null
 * @param required true when absence is a schema error (the model's "required")
 * @return LK_STATUS_OK, or LK_STATUS_SCHEMA (not an array, or required and absent)
 */
LK_MUST_CHECK enum lk_status lk_restjson_get_array(const struct cJSON *obj, const char *name,
                                                   bool required, const struct cJSON **out,
                                                   struct lk_error *err);

/** Finds an object member (@p out NULL when absent or null). @return LK_STATUS_SCHEMA when it
 *  is not an object. */
LK_MUST_CHECK enum lk_status lk_restjson_get_object(const struct cJSON *obj, const char *name,
                                                    const struct cJSON **out, struct lk_error *err);

/**
 * Grows a heap array by one zeroed element.
 * @param items the array (heap; the caller frees it)
 * @param n the count, incremented
 * @param elem_size the element size
 * @return the new element, or NULL when @p *n is already LK_RESTJSON_MAX_ITEMS (the caller
 *         reports LK_STATUS_TOO_LARGE)
 */
void *lk_restjson_push(void **items, size_t *n, size_t elem_size);

/**
 * Records that a listing is about to follow @p token: refuses a token that repeats the previous
 * one (an endpoint that loops) and a listing over LK_RESTJSON_MAX_PAGES pages.
 * @param prev the previous token (heap, replaced by a copy of @p token; freed by the caller)
 * @param pages the pages read so far
 * @return true when the listing may go on
 */
bool lk_restjson_next_page(char **prev, const char *token, unsigned pages);

/**
 * Parses a response body that must be a JSON object (lk_json_doc_parse(), LK_JSON_MAX_BYTES).
 * @param doc receives the document; release it with lk_json_doc_free() in every case
 * @param op the operation, for the reason
 * @return as lk_json_doc_parse(), or LK_STATUS_SCHEMA when the root is not an object
 */
LK_MUST_CHECK enum lk_status lk_restjson_parse_object(struct lk_json_doc *doc, const char *json,
                                                      size_t len, const char *op,
                                                      struct lk_error *err);

/**
 * Parses one page of a listing that answers names or ids only (EKS ListClusters, GuardDuty
 * ListDetectors): each string of the array @p member becomes a new zeroed element of @p items
 * whose first member, a `char *`, is set to a copy in @p arena.
 * @param op the operation, for the reason
 * @param required the model requires the array
 * @param what what one string names ("a cluster name"), for the reason
 * @param next_token receives the page's nextToken (in @p arena), NULL at the last page: an empty
 *        token ends the listing, as the SDKs' paginators treat it
 * @return LK_STATUS_OK, LK_STATUS_SCHEMA for a string that is not one or too long,
 *         LK_STATUS_TOO_LARGE past LK_RESTJSON_MAX_ITEMS, or the parse's status
 */
LK_MUST_CHECK enum lk_status lk_restjson_parse_names(struct lk_arena *arena, const char *json,
                                                     size_t len, const char *op, const char *member,
                                                     bool required, const char *what, void **items,
                                                     size_t *n, size_t elem_size, char **next_token,
                                                     struct lk_error *err);

#endif
