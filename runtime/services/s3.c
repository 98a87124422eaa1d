/*
 * logkeep runtime: the Amazon S3 client for bucket configuration (REST-XML).
 *
 * Responses are parsed with libexpat into a small bounded element tree (depth, element count,
 * text size and input size are all capped, DTDs are refused), then mapped into the IR by
 * element name, ignoring elements this client does not know (docs/protocol-notes.md §3:
 * "Parse child elements by name and ignore unknown ones").
 */
#include "runtime/services/s3.h"

#include <expat.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/services/policy_json.h"
#include "runtime/services/service.h"

#define S3_OP_HEAD "HeadBucket"
#define S3_OP_LOCATION "GetBucketLocation"
#define S3_OP_CREATE "CreateBucket"
#define S3_OP_GET_LIFECYCLE "GetBucketLifecycleConfiguration"
#define S3_OP_PUT_LIFECYCLE "PutBucketLifecycleConfiguration"
#define S3_OP_DELETE_LIFECYCLE "DeleteBucketLifecycle"
#define S3_OP_GET_POLICY "GetBucketPolicy"
#define S3_OP_PUT_POLICY "PutBucketPolicy"
#define S3_OP_DELETE_POLICY "DeleteBucketPolicy"
#define S3_OP_GET_VERSIONING "GetBucketVersioning"
#define S3_OP_PUT_VERSIONING "PutBucketVersioning"
#define S3_OP_GET_LOCK "GetObjectLockConfiguration"
#define S3_OP_PUT_LOCK "PutObjectLockConfiguration"
#define S3_OP_GET_PAB "GetPublicAccessBlock"
#define S3_OP_PUT_PAB "PutPublicAccessBlock"
#define S3_OP_GET_ENCRYPTION "GetBucketEncryption"
#define S3_OP_LIST_VERSIONS "ListObjectVersions"
#define S3_OP_PUT_ENCRYPTION "PutBucketEncryption"

/* "Not configured" codes (docs/protocol-notes.md §3 table; S3 API Reference, "Error responses",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). */
#define S3_ABSENT_LIFECYCLE "NoSuchLifecycleConfiguration"
#define S3_ABSENT_POLICY "NoSuchBucketPolicy"
#define S3_ABSENT_LOCK "ObjectLockConfigurationNotFoundError"
#define S3_ABSENT_PAB "NoSuchPublicAccessBlockConfiguration"
#define S3_ABSENT_ENCRYPTION "ServerSideEncryptionConfigurationNotFoundError"
#define S3_NO_SUCH_BUCKET "NoSuchBucket"

/* ------------------------------------------------------------------------------ XML tree */

struct s_xnode {
    const char *name; /* local name (arena) */
    bool foreign;     /* in a namespace other than S3's: ignored by lookups */
    char *text;       /* character data (arena), raw; NULL when it has child elements */
    struct s_xnode *parent;
    struct s_xnode *child; /* first child element */
    struct s_xnode *last;  /* last child element */
    struct s_xnode *next;  /* next sibling */
};

struct s_xdoc {
    struct lk_arena arena; /* owns every node and string */
    XML_Parser parser;
    struct s_xnode *root;
    struct s_xnode *cur;
    int depth;
    size_t elements;
    struct lk_buf text; /* character data of the innermost open element, at most
                           LK_S3_XML_MAX_TEXT_BYTES */
    char fail[128];     /* set by a handler that stopped the parser */
};

static void s_xstop(struct s_xdoc *d, const char *why)
{
    if (!d->fail[0])
        snprintf(d->fail, sizeof(d->fail), "%s", why);
    XML_StopParser(d->parser, XML_FALSE);
}

static void XMLCALL s_xstart(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct s_xdoc *d = ud;
    (void)atts;
    if (d->fail[0])
        return;
    if (++d->depth > LK_S3_XML_MAX_DEPTH) {
        s_xstop(d, "XML nested too deeply");
        return;
    }
    if (++d->elements > LK_S3_XML_MAX_ELEMENTS) {
        s_xstop(d, "XML has too many elements");
        return;
    }
    struct s_xnode *n = lk_arena_alloc(&d->arena, sizeof(*n));
    /* With namespace processing expat reports "uri|local"; a local name cannot hold '|', so the
     * last '|' separates them. */
    const char *sep = strrchr(name, '|');
    if (sep) {
        n->name = lk_arena_strdup(&d->arena, sep + 1);
        size_t ulen = (size_t)(sep - name);
        n->foreign =
            !(ulen == strlen(LK_S3_XML_NAMESPACE) && !memcmp(name, LK_S3_XML_NAMESPACE, ulen));
    } else {
        n->name = lk_arena_strdup(&d->arena, name);
    }
    n->parent = d->cur;
    if (d->cur) {
        if (d->cur->last)
            d->cur->last->next = n;
        else
            d->cur->child = n;
        d->cur->last = n;
    } else {
        d->root = n;
    }
    d->cur = n;
    lk_buf_reset(&d->text);
}

static void XMLCALL s_xend(void *ud, const XML_Char *name)
{
    struct s_xdoc *d = ud;
    (void)name;
    if (d->fail[0] || !d->cur)
        return;
    struct s_xnode *n = d->cur;
    if (!n->child)
        n->text = lk_arena_strndup(&d->arena, d->text.len ? d->text.data : "", d->text.len);
    lk_buf_reset(&d->text);
    d->cur = n->parent;
    d->depth--;
}

static void XMLCALL s_xchars(void *ud, const XML_Char *s, int len)
{
    struct s_xdoc *d = ud;
    if (d->fail[0] || !d->cur || len <= 0)
        return;
    lk_buf_append(&d->text, s, (size_t)len);
    if (lk_buf_failed(&d->text))
        s_xstop(d, "XML text too long");
}

/* No S3 response has a document type declaration; refusing DTDs rules out entity expansion
 * attacks ("billion laughs") and external entities outright. */
static void XMLCALL s_xdoctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    s_xstop(ud, "XML document type declarations are not accepted");
}

static void s_xdoc_free(struct s_xdoc *d)
{
    if (d->parser)
        XML_ParserFree(d->parser);
    lk_buf_free(&d->text);
    lk_arena_destroy(&d->arena);
}

/* Parses @p xml into @p d. The root element's name is not checked, as the AWS SDKs do not
 * check it: botocore's RestXMLParser reads the payload shape's members from the children of
 * whatever element comes first (botocore/parsers.py, RestXMLParser._initial_body_parse and
 * BaseXMLResponseParser._handle_structure, https://github.com/boto/botocore), and the Go SDK's
 * generated deserializers start from smithy-go's FetchRootElement, "the first start element
 * within the xml body" (encoding/xml/xml_decoder.go, https://github.com/aws/smithy-go). S3
 * emulators answer GetBucketVersioning with <GetBucketVersioningResponse> and the SDKs accept
 * it. Strictness stays where reading every member as absent would do harm:
 *  - the root's namespace is checked: in another namespace its children are too, so every
 *    member would silently read as absent;
 *  - an HTML page (a captive portal or a proxy's error page answering 200) is no answer;
 *  - with @p strict_root the name must be @p what: ListObjectVersions decides whether a bucket
 *    still holds data, and a server that ignores the "versions" subresource answers
 *    <ListBucketResult>, which would read as "no versions".
 * @p what names the expected document in messages. The caller frees @p d with s_xdoc_free()
 * whatever the result. */
static enum lk_status s_xparse(struct s_xdoc *d, const char *xml, size_t len, const char *what,
                               bool strict_root, struct lk_error *err)
{
    memset(d, 0, sizeof(*d));
    lk_arena_init(&d->arena);
    lk_buf_init(&d->text, LK_S3_XML_MAX_TEXT_BYTES);
    LK_ENSURE(xml && len > 0,
              lk_error_set(err, LK_STATUS_MALFORMED, "empty response body, expected <%s>", what));
    LK_ENSURE(len <= LK_S3_XML_MAX_BYTES && len <= INT_MAX,
              lk_error_set(err, LK_STATUS_TOO_LARGE,
                           "XML response of %zu bytes exceeds the %zu-byte limit", len,
                           LK_S3_XML_MAX_BYTES));
    d->parser = XML_ParserCreateNS(NULL, '|');
    if (!d->parser)
        lk_oom();
    XML_SetUserData(d->parser, d);
    XML_SetElementHandler(d->parser, s_xstart, s_xend);
    XML_SetCharacterDataHandler(d->parser, s_xchars);
    XML_SetStartDoctypeDeclHandler(d->parser, s_xdoctype);
    if (XML_Parse(d->parser, xml, (int)len, XML_TRUE) != XML_STATUS_OK) {
        /* A handler's refusal names a bound (too deep, too many elements, text too long) or a
         * DOCTYPE; anything else is expat's own syntax error. */
        if (d->fail[0])
            return lk_error_set(err, LK_STATUS_MALFORMED, "%s", d->fail);
        return lk_error_set(err, LK_STATUS_MALFORMED, "malformed XML at line %lu, column %lu: %s",
                            (unsigned long)XML_GetCurrentLineNumber(d->parser),
                            (unsigned long)XML_GetCurrentColumnNumber(d->parser),
                            XML_ErrorString(XML_GetErrorCode(d->parser)));
    }
    LK_ENSURE(d->root && !d->root->foreign,
              lk_error_set(err, LK_STATUS_SCHEMA,
                           "XML root element <%.60s> is not in the S3 namespace, expected <%s>",
                           d->root ? d->root->name : "", what));
    LK_ENSURE(strcasecmp(d->root->name, "html") != 0,
              lk_error_set(err, LK_STATUS_SCHEMA,
                           "the response is an HTML page, not <%s>: is a proxy answering?", what));
    LK_ENSURE(!strict_root || !strcmp(d->root->name, what),
              lk_error_set(err, LK_STATUS_SCHEMA,
                           "unexpected XML root element <%.60s>, expected <%s>", d->root->name,
                           what));
    return LK_STATUS_OK;
}

/* First child element named @p name in the S3 namespace (or none), or NULL. */
static const struct s_xnode *s_xchild(const struct s_xnode *n, const char *name)
{
    for (const struct s_xnode *c = n ? n->child : NULL; c; c = c->next)
        if (!c->foreign && !strcmp(c->name, name))
            return c;
    return NULL;
}

/* Next sibling named like @p n, for repeated (flattened) elements. */
static const struct s_xnode *s_xnext(const struct s_xnode *n)
{
    for (const struct s_xnode *c = n->next; c; c = c->next)
        if (!c->foreign && !strcmp(c->name, n->name))
            return c;
    return NULL;
}

/* Text of a leaf element with XML whitespace trimmed, into @p buf; NULL when it has child
 * elements. For enumerations, numbers and booleans; names and prefixes keep their spaces. */
static const char *s_xtrim(const struct s_xnode *n, char *buf, size_t size)
{
    if (!n || !n->text)
        return NULL;
    const char *s = n->text;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t len = strlen(s);
    while (len &&
           (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
        len--;
    if (len >= size)
        len = size - 1; /* longer than any value compared against: stays unequal */
    memcpy(buf, s, len);
    buf[len] = '\0';
    return buf;
}

/* A non-negative xsd:int in [min, max]. */
static enum lk_status s_xint(const struct s_xnode *n, int32_t min, int32_t max, int32_t *out,
                             struct lk_error *err)
{
    char buf[32];
    const char *t = s_xtrim(n, buf, sizeof(buf));
    LK_ENSURE(t && *t, lk_error_set(err, LK_STATUS_SCHEMA, "<%s> is not a number", n->name));
    /* s_xtrim() cuts longer text to fit: a number that fills the buffer may have lost digits
     * (29 zeros then "365000" would read as 36), and no int32 needs that many. */
    LK_ENSURE(
        strlen(t) < sizeof(buf) - 1,
        lk_error_set(err, LK_STATUS_SCHEMA, "<%s> is not a number in range: %.20s", n->name, t));
    long long v = 0;
    for (const char *p = t; *p; p++) {
        LK_ENSURE(*p >= '0' && *p <= '9' && v <= INT32_MAX,
                  lk_error_set(err, LK_STATUS_SCHEMA, "<%s> is not a number in range: %.20s",
                               n->name, t));
        v = v * 10 + (*p - '0');
    }
    LK_ENSURE(v >= min && v <= max,
              lk_error_set(err, LK_STATUS_SCHEMA, "<%s> out of range: %lld", n->name, v));
    *out = (int32_t)v;
    return LK_STATUS_OK;
}

/* xsd:boolean: "true", "false", "1" or "0" (XML Schema Part 2, 3.2.2). */
static enum lk_status s_xbool(const struct s_xnode *n, bool *out, struct lk_error *err)
{
    char buf[8];
    const char *t = s_xtrim(n, buf, sizeof(buf));
    if (t && (!strcmp(t, "true") || !strcmp(t, "1")))
        *out = true;
    else if (t && (!strcmp(t, "false") || !strcmp(t, "0")))
        *out = false;
    else
        return lk_error_set(err, LK_STATUS_SCHEMA, "<%s> is not a boolean", n->name);
    return LK_STATUS_OK;
}

/* ------------------------------------------------------------------------------ parsers */

bool lk_s3_transition_min_size_parse(const char *value, enum lk_ir_transition_min_size *out)
{
    /* Values of x-amz-transition-default-minimum-object-size: all_storage_classes_128K,
     * varies_by_storage_class (response header of GetBucketLifecycleConfiguration,
     * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLifecycleConfiguration.html;
     * docs/protocol-notes.md §3 [M43]). */
    if (!value) {
        *out = LK_IR_TMS_UNSPECIFIED;
        return true;
    }
    if (!strcmp(value, "all_storage_classes_128K")) {
        *out = LK_IR_TMS_ALL_128K;
        return true;
    }
    if (!strcmp(value, "varies_by_storage_class")) {
        *out = LK_IR_TMS_VARIES_BY_CLASS;
        return true;
    }
    *out = LK_IR_TMS_UNSPECIFIED;
    return false;
}

const char *lk_s3_transition_min_size_api(enum lk_ir_transition_min_size size)
{
    switch (size) {
    case LK_IR_TMS_ALL_128K:
        return "all_storage_classes_128K";
    case LK_IR_TMS_VARIES_BY_CLASS:
        return "varies_by_storage_class";
    case LK_IR_TMS_UNSPECIFIED:
        break;
    }
    return NULL;
}

static size_t s_count(const struct s_xnode *first)
{
    size_t n = 0;
    for (const struct s_xnode *c = first; c; c = s_xnext(c))
        n++;
    return n;
}

/* One <Rule> of a lifecycle configuration (model shape LifecycleRule). */
static enum lk_status s_lifecycle_rule(struct lk_ir_state *st, const struct s_xnode *x,
                                       struct lk_ir_lifecycle_rule *r, unsigned *flags,
                                       bool *filter_unmodelled, struct lk_error *err)
{
    char buf[32];
    const struct s_xnode *n;

    /* S3 gives every rule an ID ("If you don't specify an ID, Amazon S3 assigns one"); an
     * answer without one is read as "". */
    n = s_xchild(x, "ID");
    r->id = lk_ir_strdup(st, n && n->text ? n->text : "");

    /* Filter: the V2 form. Exactly one of Prefix, Tag, ObjectSizeGreaterThan,
     * ObjectSizeLessThan or And (model LifecycleRuleFilter). Rules written with the deprecated
     * top-level <Prefix> come back with it instead of a Filter. */
    const struct s_xnode *filter = s_xchild(x, "Filter");
    const struct s_xnode *prefix = NULL;
    if (filter) {
        const struct s_xnode *and_op = s_xchild(filter, "And");
        prefix = s_xchild(and_op ? and_op : filter, "Prefix");
        if (and_op || s_xchild(filter, "Tag") || s_xchild(filter, "ObjectSizeGreaterThan") ||
            s_xchild(filter, "ObjectSizeLessThan"))
            *filter_unmodelled = true;
    } else {
        prefix = s_xchild(x, "Prefix");
    }
    LK_ENSURE(!prefix || prefix->text,
              lk_error_set(err, LK_STATUS_SCHEMA, "rule %.80s: <Prefix> holds elements", r->id));
    r->prefix = lk_ir_strdup(st, prefix ? prefix->text : "");

    const char *status = s_xtrim(s_xchild(x, "Status"), buf, sizeof(buf));
    LK_ENSURE(status && (!strcmp(status, "Enabled") || !strcmp(status, "Disabled")),
              lk_error_set(err, LK_STATUS_SCHEMA,
                           "rule %.80s: <Status> must be Enabled or Disabled", r->id));
    r->enabled = !strcmp(status, "Enabled");

    /* Expiration (model LifecycleExpiration): Days, Date or ExpiredObjectDeleteMarker. */
    const struct s_xnode *exp = s_xchild(x, "Expiration");
    if (exp) {
        /* Days, Date and ExpiredObjectDeleteMarker are alternatives (model LifecycleExpiration,
         * no member required); a Days of 0 beside another one is absent, as in
         * DefaultRetention, since S3 itself takes only positive days ("The value must be a
         * non-zero positive integer", API Reference, LifecycleExpiration). */
        if ((n = s_xchild(exp, "Days"))) {
            LK_GUARD(s_xint(n, 0, INT32_MAX, &r->expiration_days, err));
            LK_ENSURE(r->expiration_days > 0 || s_xchild(exp, "Date") ||
                          s_xchild(exp, "ExpiredObjectDeleteMarker"),
                      lk_error_set(err, LK_STATUS_SCHEMA, "<Days> out of range: 0"));
        }
        if ((n = s_xchild(exp, "ExpiredObjectDeleteMarker")))
            LK_GUARD(s_xbool(n, &r->expired_object_delete_marker, err));
        if (s_xchild(exp, "Date"))
            *flags |= LK_IR_UNMODELLED_DATE;
    }

    /* Transition (repeated, flattened; model TransitionList). */
    const struct s_xnode *t0 = s_xchild(x, "Transition");
    size_t nt = s_count(t0);
    r->transitions = nt ? lk_arena_alloc(&st->arena, nt * sizeof(*r->transitions)) : NULL;
    for (const struct s_xnode *t = t0; t; t = s_xnext(t)) {
        struct lk_ir_transition tr = {0};
        const struct s_xnode *days = s_xchild(t, "Days");
        if (!days) {
            LK_ENSURE(s_xchild(t, "Date"),
                      lk_error_set(err, LK_STATUS_SCHEMA, "rule %.80s: <Transition> without <Days>",
                                   r->id));
            *flags |= LK_IR_UNMODELLED_DATE;
            continue;
        }
        /* Days may be 0 for a transition (to INTELLIGENT_TIERING or GLACIER at creation). */
        LK_GUARD(s_xint(days, 0, INT32_MAX, &tr.days, err));
        const char *sc = s_xtrim(s_xchild(t, "StorageClass"), buf, sizeof(buf));
        LK_ENSURE(sc, lk_error_set(err, LK_STATUS_SCHEMA,
                                   "rule %.80s: <Transition> without <StorageClass>", r->id));
        if (!lk_ir_storage_class_parse(sc, &tr.storage_class)) {
            *flags |= LK_IR_UNMODELLED_STORAGE_CLASS;
            continue;
        }
        r->transitions[r->n_transitions++] = tr;
    }
    if (r->n_transitions > 1)
        qsort(r->transitions, r->n_transitions, sizeof(*r->transitions), lk_ir_cmp_transition);

    if (s_xchild(x, "NoncurrentVersionTransition"))
        *flags |= LK_IR_UNMODELLED_NONCURRENT_TRANSITION;

    const struct s_xnode *nce = s_xchild(x, "NoncurrentVersionExpiration");
    if (nce) {
        if ((n = s_xchild(nce, "NoncurrentDays")))
            LK_GUARD(s_xint(n, 1, INT32_MAX, &r->noncurrent_expiration_days, err));
        if (s_xchild(nce, "NewerNoncurrentVersions"))
            *flags |= LK_IR_UNMODELLED_NEWER_NONCURRENT;
    }

    const struct s_xnode *abort_mpu = s_xchild(x, "AbortIncompleteMultipartUpload");
    if (abort_mpu && (n = s_xchild(abort_mpu, "DaysAfterInitiation")))
        LK_GUARD(s_xint(n, 1, INT32_MAX, &r->abort_incomplete_upload_days, err));
    return LK_STATUS_OK;
}

enum lk_status lk_s3_parse_lifecycle(struct lk_ir_state *st, const char *xml, size_t len,
                                     const char *min_size_header, struct lk_ir_bucket *out,
                                     struct lk_error *err)
{
    enum lk_status rc;
    unsigned flags = 0;
    struct s_xdoc d;
    struct lk_ir_lifecycle lc = {0};
    struct lk_ir_string_list filter_ids = {0};
    LK_GUARD_GOTO(rc, s_xparse(&d, xml, len, "LifecycleConfiguration", false, err), cleanup);
    lc.present = true;
    if (!lk_s3_transition_min_size_parse(min_size_header, &lc.transition_min_size))
        flags |= LK_IR_UNMODELLED_MIN_SIZE;
    /* Rule is flattened (model GetBucketLifecycleConfigurationOutput Rules, locationName
     * "Rule"). */
    const struct s_xnode *first = s_xchild(d.root, "Rule");
    size_t n = s_count(first);
    lc.rules = n ? lk_arena_alloc(&st->arena, n * sizeof(*lc.rules)) : NULL;
    for (const struct s_xnode *x = first; x; x = s_xnext(x)) {
        bool filter_unmodelled = false;
        LK_GUARD_GOTO(
            rc, s_lifecycle_rule(st, x, &lc.rules[lc.n_rules], &flags, &filter_unmodelled, err),
            cleanup);
        /* A tag or size filter is reported for the configuration as a whole, not per rule:
         * applying replaces the whole configuration, rules the policy does not name included,
         * so the user must allow replace-lifecycle:<bucket> knowing a filter logkeep cannot
         * read is among them. (unmodelled_filter_rule_ids stays empty; snapshots and the diff
         * accept per-rule IDs from other readers.) */
        if (filter_unmodelled)
            flags |= LK_IR_UNMODELLED_FILTER;
        lc.n_rules++;
    }
    if (lc.n_rules > 1)
        qsort(lc.rules, lc.n_rules, sizeof(*lc.rules), lk_ir_cmp_rule);
    lk_ir_list_sort_unique(&filter_ids);
    out->lifecycle = lc;
    out->unmodelled = (out->unmodelled & ~(unsigned)LK_IR_UNMODELLED_LIFECYCLE) | flags;
    out->unmodelled_filter_rule_ids = filter_ids;
cleanup:
    s_xdoc_free(&d);
    return rc;
}

enum lk_status lk_s3_parse_versioning(const char *xml, size_t len, struct lk_ir_bucket *out,
                                      struct lk_error *err)
{
    enum lk_status rc;
    char buf[16];
    struct s_xdoc d;
    LK_GUARD_GOTO(rc, s_xparse(&d, xml, len, "VersioningConfiguration", false, err), cleanup);
    /* "If the versioning state has never been set on a bucket, it has no versioning state; a
     * GetBucketVersioning request does not return a versioning state value." (S3 API
     * Reference, PutBucketVersioning; the model's PutBucketVersioning documentation) */
    enum lk_ir_versioning v = LK_IR_VERSIONING_NEVER;
    const struct s_xnode *n = s_xchild(d.root, "Status");
    if (n) {
        const char *t = s_xtrim(n, buf, sizeof(buf));
        LK_ENSURE_GOTO(rc, t && (!strcmp(t, "Enabled") || !strcmp(t, "Suspended")),
                       lk_error_set(err, LK_STATUS_SCHEMA, "<Status> must be Enabled or Suspended"),
                       cleanup);
        v = !strcmp(t, "Enabled") ? LK_IR_VERSIONING_ENABLED : LK_IR_VERSIONING_SUSPENDED;
    }
    /* The element is spelled MfaDelete (model MFADelete, locationName "MfaDelete"); it appears
     * only once MFA delete was ever configured. */
    bool mfa = false;
    if ((n = s_xchild(d.root, "MfaDelete"))) {
        const char *t = s_xtrim(n, buf, sizeof(buf));
        LK_ENSURE_GOTO(
            rc, t && (!strcmp(t, "Enabled") || !strcmp(t, "Disabled")),
            lk_error_set(err, LK_STATUS_SCHEMA, "<MfaDelete> must be Enabled or Disabled"),
            cleanup);
        mfa = !strcmp(t, "Enabled");
    }
    out->versioning = v;
    out->mfa_delete = mfa;
cleanup:
    s_xdoc_free(&d);
    return rc;
}

enum lk_status lk_s3_parse_object_lock(const char *xml, size_t len, struct lk_ir_bucket *out,
                                       struct lk_error *err)
{
    enum lk_status rc;
    char buf[16];
    struct s_xdoc d;
    LK_GUARD_GOTO(rc, s_xparse(&d, xml, len, "ObjectLockConfiguration", false, err), cleanup);
    memset(&out->object_lock, 0, sizeof(out->object_lock));
    const struct s_xnode *n = s_xchild(d.root, "ObjectLockEnabled");
    const char *t = s_xtrim(n, buf, sizeof(buf));
    /* ObjectLockEnabled has the single value "Enabled" (model ObjectLockEnabled enum). */
    out->object_lock.enabled = t && !strcmp(t, "Enabled");
    const struct s_xnode *ret = s_xchild(s_xchild(d.root, "Rule"), "DefaultRetention");
    if (ret) {
        /* "The DefaultRetention settings require both a mode and a period. The
         * DefaultRetention period can be either Days or Years but you must select one."
         * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DefaultRetention.html) An
         * alternative that reads 0 is absent: S3 emulators write <Years>0</Years> next to
         * <Days>365</Days>, and the SDKs, which model Mode, Days and Years as optional members
         * without defaults, hand the 0 to the caller for it to ignore. Two non-zero periods
         * stay an error: S3 documents only one. A DefaultRetention with neither a mode nor a
         * period (an emulator's <DefaultRetention/>) is no default retention. */
        int32_t days = 0, years = 0;
        const struct s_xnode *n_days = s_xchild(ret, "Days");
        const struct s_xnode *n_years = s_xchild(ret, "Years");
        const struct s_xnode *n_mode = s_xchild(ret, "Mode");
        if (n_days)
            LK_GUARD_GOTO(rc, s_xint(n_days, 0, INT32_MAX, &days, err), cleanup);
        if (n_years)
            LK_GUARD_GOTO(rc, s_xint(n_years, 0, INT32_MAX, &years, err), cleanup);
        if (!n_mode && !days && !years)
            goto cleanup;
        const char *mode = s_xtrim(n_mode, buf, sizeof(buf));
        LK_ENSURE_GOTO(
            rc, mode && (!strcmp(mode, "GOVERNANCE") || !strcmp(mode, "COMPLIANCE")),
            lk_error_set(err, LK_STATUS_SCHEMA, "<Mode> must be GOVERNANCE or COMPLIANCE"),
            cleanup);
        LK_ENSURE_GOTO(
            rc, !days != !years,
            lk_error_set(err, LK_STATUS_SCHEMA,
                         days ? "<DefaultRetention> has both <Days> and <Years>"
                              : "<DefaultRetention> needs one of <Days> or <Years> above 0"),
            cleanup);
        out->object_lock.mode =
            !strcmp(mode, "GOVERNANCE") ? LK_IR_LOCK_GOVERNANCE : LK_IR_LOCK_COMPLIANCE;
        out->object_lock.days = days;
        out->object_lock.years = years;
    }
cleanup:
    s_xdoc_free(&d);
    return rc;
}

enum lk_status lk_s3_parse_public_access_block(const char *xml, size_t len,
                                               struct lk_ir_bucket *out, struct lk_error *err)
{
    enum lk_status rc;
    struct s_xdoc d;
    LK_GUARD_GOTO(rc, s_xparse(&d, xml, len, "PublicAccessBlockConfiguration", false, err),
                  cleanup);
    static const char *const names[4] = {"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                                         "RestrictPublicBuckets"};
    bool v[4] = {false, false, false, false};
    for (int i = 0; i < 4; i++) {
        const struct s_xnode *n = s_xchild(d.root, names[i]);
        if (n)
            LK_GUARD_GOTO(rc, s_xbool(n, &v[i], err), cleanup);
    }
    out->public_access_block.present = true;
    out->public_access_block.block_public_acls = v[0];
    out->public_access_block.ignore_public_acls = v[1];
    out->public_access_block.block_public_policy = v[2];
    out->public_access_block.restrict_public_buckets = v[3];
cleanup:
    s_xdoc_free(&d);
    return rc;
}

enum lk_status lk_s3_parse_encryption(struct lk_ir_state *st, const char *xml, size_t len,
                                      struct lk_ir_bucket *out, struct lk_error *err)
{
    enum lk_status rc;
    unsigned flags = 0;
    struct s_xdoc d;
    LK_GUARD_GOTO(rc, s_xparse(&d, xml, len, "ServerSideEncryptionConfiguration", false, err),
                  cleanup);
    /* Rule is flattened (model ServerSideEncryptionRules, locationName "Rule"); S3 holds one. */
    const struct s_xnode *rule = s_xchild(d.root, "Rule");
    LK_ENSURE_GOTO(
        rc, rule,
        lk_error_set(err, LK_STATUS_SCHEMA, "<ServerSideEncryptionConfiguration> has no <Rule>"),
        cleanup);
    if (s_xnext(rule) || s_xchild(rule, "BlockedEncryptionTypes"))
        flags |= LK_IR_UNMODELLED_ENCRYPTION;
    const struct s_xnode *def = s_xchild(rule, "ApplyServerSideEncryptionByDefault");
    const struct s_xnode *alg = s_xchild(def, "SSEAlgorithm");
    char buf[64];
    const char *a = s_xtrim(alg, buf, sizeof(buf));
    LK_ENSURE_GOTO(rc, a && *a,
                   lk_error_set(err, LK_STATUS_SCHEMA, "encryption rule without <SSEAlgorithm>"),
                   cleanup);
    const struct s_xnode *key = s_xchild(def, "KMSMasterKeyID");
    bool bucket_key = false;
    const struct s_xnode *bk = s_xchild(rule, "BucketKeyEnabled");
    if (bk)
        LK_GUARD_GOTO(rc, s_xbool(bk, &bucket_key, err), cleanup);
    out->encryption.present = true;
    out->encryption.algorithm = lk_ir_strdup(st, a);
    out->encryption.kms_key_id =
        key && key->text && key->text[0] ? lk_ir_strdup(st, key->text) : NULL;
    out->encryption.bucket_key_enabled = bucket_key;
    out->unmodelled = (out->unmodelled & ~(unsigned)LK_IR_UNMODELLED_ENCRYPTION) | flags;
cleanup:
    s_xdoc_free(&d);
    return rc;
}

/* Region names: lowercase letters, digits and '-' ("us-gov-west-1"), plus the legacy "EU". */
static bool s_region_ok(const char *r)
{
    size_t n = 0;
    for (; r[n]; n++) {
        char c = r[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-'))
            return false;
    }
    return n > 0 && n <= 64;
}

enum lk_status lk_s3_parse_location(struct lk_ir_state *st, const char *xml, size_t len,
                                    char **region, struct lk_error *err)
{
    enum lk_status rc;
    char buf[72];
    struct s_xdoc d;
    LK_GUARD_GOTO(rc, s_xparse(&d, xml, len, "LocationConstraint", false, err), cleanup);
    const char *t = s_xtrim(d.root, buf, sizeof(buf));
    LK_ENSURE_GOTO(
        rc, t, lk_error_set(err, LK_STATUS_SCHEMA, "<LocationConstraint> holds elements"), cleanup);
    /* "Buckets in Region us-east-1 have a LocationConstraint of null. Buckets with a
     * LocationConstraint of EU reside in eu-west-1."
     * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html) */
    if (!*t)
        t = "us-east-1";
    else if (!strcmp(t, "EU"))
        t = "eu-west-1";
    else
        LK_ENSURE_GOTO(
            rc, s_region_ok(t),
            lk_error_set(err, LK_STATUS_SCHEMA, "<LocationConstraint> is not a region name"),
            cleanup);
    *region = lk_ir_strdup(st, t);
cleanup:
    s_xdoc_free(&d);
    return rc;
}

enum lk_status lk_s3_parse_object_versions(const char *xml, size_t len, bool *holds,
                                           struct lk_error *err)
{
    enum lk_status rc;
    struct s_xdoc d;
    LK_GUARD_GOTO(rc, s_xparse(&d, xml, len, "ListVersionsResult", true, err), cleanup);
    /* "Version" and "DeleteMarker" are flattened lists (model ListObjectVersionsOutput:
     * Versions, locationName "Version"; DeleteMarkers, locationName "DeleteMarker"). A delete
     * marker alone still means a noncurrent version may be behind it on another page, so either
     * one counts. */
    bool any = s_xchild(d.root, "Version") || s_xchild(d.root, "DeleteMarker");
    /* A truncated answer with no entry on its page cannot say the bucket is empty. */
    const struct s_xnode *t = s_xchild(d.root, "IsTruncated");
    bool truncated = false;
    if (t)
        LK_GUARD_GOTO(rc, s_xbool(t, &truncated, err), cleanup);
    *holds = any || truncated;
cleanup:
    s_xdoc_free(&d);
    return rc;
}

/* ------------------------------------------------------------------------------ calls */

static enum lk_status s_call(struct lk_aws_client *client, const char *op, const char *method,
                             const char *bucket, const char *region, const char *path,
                             const char *body, size_t len, bool content_md5,
                             const struct lk_http_header *headers, size_t n_headers,
                             struct lk_http_response *resp, struct lk_aws_error *err)
{
    struct lk_aws_request req = {0};
    req.service = LK_AWS_S3;
    req.operation = op;
    req.method = method;
    req.bucket = bucket;
    req.path = path;
    req.body = (const unsigned char *)body;
    req.body_len = body ? len : 0;
    req.content_md5 = content_md5;
    req.extra_headers = headers;
    req.n_extra_headers = n_headers;
    req.region = region;
    LK_GUARD(lk_svc_result(lk_aws_call(client, &req, resp, err), err));
    /* Success leaves nothing behind in @p err (lk_aws_call() records the operation name). */
    lk_aws_error_clear(err);
    return LK_STATUS_OK;
}

/* A 2xx answer that the parser refused: LK_SVC_MALFORMED_RESPONSE with the parser's reason. */
static enum lk_status s_malformed(struct lk_aws_error *err, const char *op,
                                  const struct lk_http_response *resp, const struct lk_error *why)
{
    return lk_svc_result(lk_aws_error_malformed(err, op, resp, why->message), err);
}

static bool s_code_is(const struct lk_aws_error *err, const char *code)
{
    return err->code && !strcmp(err->code, code);
}

/* Turns a call that failed with "not configured" into success: @return true when it was. */
static bool s_absent(struct lk_aws_error *err, const char *code)
{
    if (!s_code_is(err, code))
        return false;
    lk_aws_error_clear(err);
    return true;
}

static const char *s_body(const struct lk_http_response *resp)
{
    return (const char *)resp->body;
}

enum lk_status lk_s3_head_bucket(struct lk_aws_client *client, const char *bucket,
                                 const char *region, struct lk_ir_state *st, bool *exists,
                                 char **bucket_region, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    enum lk_status rc;
    if (bucket_region)
        *bucket_region = NULL;
    *exists = false;
    rc =
        s_call(client, S3_OP_HEAD, "HEAD", bucket, region, "", NULL, 0, false, NULL, 0, &resp, err);
    /* "To find a bucket's region, read x-amz-bucket-region from any HeadBucket response, a 301
     * included" (docs/protocol-notes.md §3; S3 API Reference, HeadBucket). */
    const char *hdr = lk_http_header_get(&resp, "x-amz-bucket-region");
    if (rc != LK_STATUS_OK) {
        /* HeadBucket errors have no body, so the status is all there is: 404 = no bucket. */
        if (!err->no_response && err->http_status == 404) {
            lk_aws_error_clear(err);
            rc = LK_STATUS_OK;
            goto cleanup;
        }
        /* A bucket in another region answers 301 (or 400 AuthorizationHeaderMalformed when the
         * signature names another region) and names its region: it exists. */
        if (!err->no_response && hdr && s_region_ok(hdr) &&
            (err->http_status == 301 || err->http_status == 400)) {
            lk_aws_error_clear(err);
            *exists = true;
            if (bucket_region)
                *bucket_region = lk_ir_strdup(st, hdr);
            rc = LK_STATUS_OK;
        }
        goto cleanup;
    }
    *exists = true;
    if (bucket_region && hdr && s_region_ok(hdr))
        *bucket_region = lk_ir_strdup(st, hdr);
cleanup:
    lk_http_response_free(&resp);
    return rc;
}

enum lk_status lk_s3_get_bucket_location(struct lk_aws_client *client, const char *bucket,
                                         const char *region, struct lk_ir_state *st,
                                         char **bucket_region, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    struct lk_error why = {0};
    enum lk_status rc;
    LK_GUARD_GOTO(rc,
                  s_call(client, S3_OP_LOCATION, "GET", bucket, region, "?location", NULL, 0, false,
                         NULL, 0, &resp, err),
                  cleanup);
    if (lk_s3_parse_location(st, s_body(&resp), resp.body_len, bucket_region, &why) != LK_STATUS_OK)
        rc = s_malformed(err, S3_OP_LOCATION, &resp, &why);
cleanup:
    lk_http_response_free(&resp);
    return rc;
}

enum lk_status lk_s3_create_bucket(struct lk_aws_client *client, const char *bucket,
                                   const char *region, bool object_lock, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    struct lk_buf b;
    enum lk_status rc;
    lk_buf_init(&b, LK_BUF_MAX_REQUEST);
    if (!region)
        region = client->cfg.region;
    LK_ENSURE_GOTO(
        rc, region && s_region_ok(region),
        lk_svc_result(
            lk_aws_error_invalid(err, S3_OP_CREATE, "CreateBucket needs a valid region name"), err),
        cleanup);
    /* "If you don't specify a Region, the bucket is created in the US East (N. Virginia) Region
     * (us-east-1)"; naming us-east-1 as LocationConstraint is refused
     * (InvalidLocationConstraint). (S3 API Reference, CreateBucket) A region name is at most 64
     * characters (s_region_ok()), so the body stays far below its cap. */
    if (strcmp(region, "us-east-1") != 0)
        lk_buf_printf(&b,
                      "<CreateBucketConfiguration xmlns=\"" LK_S3_XML_NAMESPACE "\">"
                      "<LocationConstraint>%s</LocationConstraint></CreateBucketConfiguration>",
                      region);
    LK_GUARD_GOTO(rc, lk_buf_status(&b), cleanup);
    /* x-amz-bucket-object-lock-enabled (model CreateBucketRequest ObjectLockEnabledForBucket,
     * a header). */
    char name[] = "x-amz-bucket-object-lock-enabled";
    char value[] = "true";
    struct lk_http_header hdr = {name, value};
    rc = s_call(client, S3_OP_CREATE, "PUT", bucket, region, "", b.data, b.len, false,
                object_lock ? &hdr : NULL, object_lock ? 1 : 0, &resp, err);
cleanup:
    lk_buf_free(&b);
    lk_http_response_free(&resp);
    return rc;
}

enum lk_status lk_s3_get_lifecycle(struct lk_aws_client *client, const char *bucket,
                                   const char *region, struct lk_ir_state *st,
                                   struct lk_ir_bucket *out, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    struct lk_error why = {0};
    enum lk_status rc;
    rc = s_call(client, S3_OP_GET_LIFECYCLE, "GET", bucket, region, "?lifecycle", NULL, 0, false,
                NULL, 0, &resp, err);
    if (rc != LK_STATUS_OK) {
        /* "NoSuchLifecycleConfiguration: The lifecycle configuration does not exist" (the
         * operation's documented special error). */
        if (s_absent(err, S3_ABSENT_LIFECYCLE)) {
            memset(&out->lifecycle, 0, sizeof(out->lifecycle));
            out->unmodelled &= ~(unsigned)LK_IR_UNMODELLED_LIFECYCLE;
            memset(&out->unmodelled_filter_rule_ids, 0, sizeof(out->unmodelled_filter_rule_ids));
            rc = LK_STATUS_OK;
        }
        goto cleanup;
    }
    if (lk_s3_parse_lifecycle(
            st, s_body(&resp), resp.body_len,
            lk_http_header_get(&resp, "x-amz-transition-default-minimum-object-size"), out,
            &why) != LK_STATUS_OK)
        rc = s_malformed(err, S3_OP_GET_LIFECYCLE, &resp, &why);
cleanup:
    lk_http_response_free(&resp);
    return rc;
}

/* The six configuration PUTs carry "httpChecksum": {"requestChecksumRequired": true} in the
 * model: without Content-MD5 (or a flexible checksum) S3 answers 400 InvalidRequest "Missing
 * required header for this request: Content-MD5" (docs/protocol-notes.md §3, "Integrity
 * header"). Content-MD5 works on AWS and on S3 clones alike. */
static enum lk_status s_put(struct lk_aws_client *client, const char *op, const char *bucket,
                            const char *region, const char *path, const char *body, size_t len,
                            const struct lk_http_header *headers, size_t n_headers,
                            struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    enum lk_status rc = s_call(client, op, "PUT", bucket, region, path, body, len, true, headers,
                               n_headers, &resp, err);
    lk_http_response_free(&resp);
    return rc;
}

static enum lk_status s_delete(struct lk_aws_client *client, const char *op, const char *bucket,
                               const char *region, const char *path, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    enum lk_status rc =
        s_call(client, op, "DELETE", bucket, region, path, NULL, 0, false, NULL, 0, &resp, err);
    lk_http_response_free(&resp);
    return rc;
}

enum lk_status lk_s3_put_lifecycle(struct lk_aws_client *client, const char *bucket,
                                   const char *region, const char *xml, size_t len,
                                   enum lk_ir_transition_min_size min_size,
                                   struct lk_aws_error *err)
{
    /* x-amz-transition-default-minimum-object-size is a request header of
     * PutBucketLifecycleConfiguration (S3 API Reference; [M43] in docs/protocol-notes.md §3). */
    char name[] = "x-amz-transition-default-minimum-object-size";
    char value[32];
    const char *api = lk_s3_transition_min_size_api(min_size);
    snprintf(value, sizeof(value), "%s", api ? api : "");
    struct lk_http_header hdr = {name, value};
    return s_put(client, S3_OP_PUT_LIFECYCLE, bucket, region, "?lifecycle", xml, len,
                 api ? &hdr : NULL, api ? 1 : 0, err);
}

enum lk_status lk_s3_delete_lifecycle(struct lk_aws_client *client, const char *bucket,
                                      const char *region, struct lk_aws_error *err)
{
    return s_delete(client, S3_OP_DELETE_LIFECYCLE, bucket, region, "?lifecycle", err);
}

enum lk_status lk_s3_get_policy(struct lk_aws_client *client, const char *bucket,
                                const char *region, struct lk_ir_state *st,
                                struct lk_ir_bucket *out, char **raw, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    struct lk_error why = {0};
    enum lk_status rc;
    if (raw)
        *raw = NULL;
    rc = s_call(client, S3_OP_GET_POLICY, "GET", bucket, region, "?policy", NULL, 0, false, NULL, 0,
                &resp, err);
    if (rc != LK_STATUS_OK) {
        if (s_absent(err, S3_ABSENT_POLICY)) {
            memset(&out->policy, 0, sizeof(out->policy));
            out->unmodelled &= ~(unsigned)LK_IR_UNMODELLED_POLICY;
            rc = LK_STATUS_OK;
        }
        goto cleanup;
    }
    /* The payload is the policy text itself, not XML (model GetBucketPolicyOutput: payload
     * "Policy", a string). */
    if (lk_policy_json_parse(st, s_body(&resp), resp.body_len, st->partition, out, &why) !=
        LK_STATUS_OK) {
        rc = s_malformed(err, S3_OP_GET_POLICY, &resp, &why);
        goto cleanup;
    }
    if (raw)
        *raw = lk_ir_strndup(st, s_body(&resp), resp.body_len);
cleanup:
    lk_http_response_free(&resp);
    return rc;
}

enum lk_status lk_s3_put_policy(struct lk_aws_client *client, const char *bucket,
                                const char *region, const char *json, size_t len,
                                struct lk_aws_error *err)
{
    return s_put(client, S3_OP_PUT_POLICY, bucket, region, "?policy", json, len, NULL, 0, err);
}

enum lk_status lk_s3_holds_versions(struct lk_aws_client *client, const char *bucket,
                                    const char *region, bool *holds, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    struct lk_error why = {0};
    *holds = true; /* until S3 says otherwise */
    /* One key is enough to know: max-keys bounds the answer (S3 API Reference,
     * ListObjectVersions, "max-keys"). */
    enum lk_status rc = s_call(client, S3_OP_LIST_VERSIONS, "GET", bucket, region,
                               "?versions&max-keys=1", NULL, 0, false, NULL, 0, &resp, err);
    if (rc != LK_STATUS_OK)
        goto cleanup;
    bool any = true;
    if (lk_s3_parse_object_versions(s_body(&resp), resp.body_len, &any, &why) != LK_STATUS_OK)
        rc = s_malformed(err, S3_OP_LIST_VERSIONS, &resp, &why);
    else
        *holds = any;
cleanup:
    lk_http_response_free(&resp);
    return rc;
}

enum lk_status lk_s3_get_policy_text(struct lk_aws_client *client, const char *bucket,
                                     const char *region, char **text, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    *text = NULL;
    enum lk_status rc = s_call(client, S3_OP_GET_POLICY, "GET", bucket, region, "?policy", NULL, 0,
                               false, NULL, 0, &resp, err);
    if (rc != LK_STATUS_OK) {
        if (s_absent(err, S3_ABSENT_POLICY))
            rc = LK_STATUS_OK;
        goto cleanup;
    }
    char *t = lk_xmalloc(resp.body_len + 1);
    if (resp.body_len)
        memcpy(t, resp.body, resp.body_len);
    t[resp.body_len] = '\0';
    *text = t;
cleanup:
    lk_http_response_free(&resp);
    return rc;
}

enum lk_status lk_s3_delete_policy(struct lk_aws_client *client, const char *bucket,
                                   const char *region, struct lk_aws_error *err)
{
    return s_delete(client, S3_OP_DELETE_POLICY, bucket, region, "?policy", err);
}

/* A Get whose XML answer fills part of a bucket, with an optional "not configured" code. */
static enum lk_status s_get_part(struct lk_aws_client *client, const char *op, const char *bucket,
                                 const char *region, const char *path, const char *absent_code,
                                 enum lk_status (*parse)(const char *, size_t,
                                                         struct lk_ir_bucket *, struct lk_error *),
                                 struct lk_ir_bucket *out, bool *absent, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    struct lk_error why = {0};
    enum lk_status rc;
    *absent = false;
    rc = s_call(client, op, "GET", bucket, region, path, NULL, 0, false, NULL, 0, &resp, err);
    if (rc != LK_STATUS_OK) {
        if (absent_code && s_absent(err, absent_code)) {
            *absent = true;
            rc = LK_STATUS_OK;
        }
        goto cleanup;
    }
    if (parse(s_body(&resp), resp.body_len, out, &why) != LK_STATUS_OK)
        rc = s_malformed(err, op, &resp, &why);
cleanup:
    lk_http_response_free(&resp);
    return rc;
}

enum lk_status lk_s3_get_versioning(struct lk_aws_client *client, const char *bucket,
                                    const char *region, struct lk_ir_bucket *out,
                                    struct lk_aws_error *err)
{
    bool absent;
    return s_get_part(client, S3_OP_GET_VERSIONING, bucket, region, "?versioning", NULL,
                      lk_s3_parse_versioning, out, &absent, err);
}

enum lk_status lk_s3_put_versioning(struct lk_aws_client *client, const char *bucket,
                                    const char *region, const char *xml, size_t len,
                                    struct lk_aws_error *err)
{
    return s_put(client, S3_OP_PUT_VERSIONING, bucket, region, "?versioning", xml, len, NULL, 0,
                 err);
}

enum lk_status lk_s3_get_object_lock(struct lk_aws_client *client, const char *bucket,
                                     const char *region, struct lk_ir_bucket *out,
                                     struct lk_aws_error *err)
{
    bool absent;
    enum lk_status rc = s_get_part(client, S3_OP_GET_LOCK, bucket, region, "?object-lock",
                                   S3_ABSENT_LOCK, lk_s3_parse_object_lock, out, &absent, err);
    if (rc == LK_STATUS_OK && absent)
        memset(&out->object_lock, 0, sizeof(out->object_lock));
    return rc;
}

enum lk_status lk_s3_put_object_lock(struct lk_aws_client *client, const char *bucket,
                                     const char *region, const char *xml, size_t len,
                                     struct lk_aws_error *err)
{
    return s_put(client, S3_OP_PUT_LOCK, bucket, region, "?object-lock", xml, len, NULL, 0, err);
}

enum lk_status lk_s3_get_public_access_block(struct lk_aws_client *client, const char *bucket,
                                             const char *region, struct lk_ir_bucket *out,
                                             struct lk_aws_error *err)
{
    bool absent;
    enum lk_status rc =
        s_get_part(client, S3_OP_GET_PAB, bucket, region, "?publicAccessBlock", S3_ABSENT_PAB,
                   lk_s3_parse_public_access_block, out, &absent, err);
    if (rc == LK_STATUS_OK && absent)
        memset(&out->public_access_block, 0, sizeof(out->public_access_block));
    return rc;
}

enum lk_status lk_s3_put_public_access_block(struct lk_aws_client *client, const char *bucket,
                                             const char *region, const char *xml, size_t len,
                                             struct lk_aws_error *err)
{
    return s_put(client, S3_OP_PUT_PAB, bucket, region, "?publicAccessBlock", xml, len, NULL, 0,
                 err);
}

enum lk_status lk_s3_get_encryption(struct lk_aws_client *client, const char *bucket,
                                    const char *region, struct lk_ir_state *st,
                                    struct lk_ir_bucket *out, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    struct lk_error why = {0};
    enum lk_status rc;
    rc = s_call(client, S3_OP_GET_ENCRYPTION, "GET", bucket, region, "?encryption", NULL, 0, false,
                NULL, 0, &resp, err);
    if (rc != LK_STATUS_OK) {
        if (s_absent(err, S3_ABSENT_ENCRYPTION)) {
            memset(&out->encryption, 0, sizeof(out->encryption));
            out->unmodelled &= ~(unsigned)LK_IR_UNMODELLED_ENCRYPTION;
            rc = LK_STATUS_OK;
        }
        goto cleanup;
    }
    if (lk_s3_parse_encryption(st, s_body(&resp), resp.body_len, out, &why) != LK_STATUS_OK)
        rc = s_malformed(err, S3_OP_GET_ENCRYPTION, &resp, &why);
cleanup:
    lk_http_response_free(&resp);
    return rc;
}

enum lk_status lk_s3_put_encryption(struct lk_aws_client *client, const char *bucket,
                                    const char *region, const char *xml, size_t len,
                                    struct lk_aws_error *err)
{
    return s_put(client, S3_OP_PUT_ENCRYPTION, bucket, region, "?encryption", xml, len, NULL, 0,
                 err);
}

/* ------------------------------------------------------------------------------ whole bucket */

enum lk_status lk_s3_read_bucket(struct lk_aws_client *client, const char *name,
                                 struct lk_ir_state *st, struct lk_ir_bucket *out,
                                 struct lk_aws_error *err)
{
    bool exists = false;
    char *region = NULL;
    enum lk_status rc;
    memset(out, 0, sizeof(*out));
    out->name = lk_ir_strdup(st, name);

    LK_GUARD_GOTO(rc, lk_s3_head_bucket(client, name, NULL, st, &exists, &region, err), cleanup);
    if (!exists)
        goto cleanup;
    /* x-amz-bucket-region is on every HeadBucket answer from AWS; S3 clones may omit it. */
    if (!region)
        LK_GUARD_GOTO(rc, lk_s3_get_bucket_location(client, name, NULL, st, &region, err), cleanup);
    out->exists = true;
    out->region = region;

    /* Every further call is signed for the bucket's own region. */
    LK_GUARD_GOTO(rc, lk_s3_get_lifecycle(client, name, region, st, out, err), cleanup);
    LK_GUARD_GOTO(rc, lk_s3_get_policy(client, name, region, st, out, NULL, err), cleanup);
    LK_GUARD_GOTO(rc, lk_s3_get_versioning(client, name, region, out, err), cleanup);
    LK_GUARD_GOTO(rc, lk_s3_get_object_lock(client, name, region, out, err), cleanup);
    LK_GUARD_GOTO(rc, lk_s3_get_public_access_block(client, name, region, out, err), cleanup);
    LK_GUARD_GOTO(rc, lk_s3_get_encryption(client, name, region, st, out, err), cleanup);
cleanup:
    /* A bucket deleted between the calls reads as missing, not as an error. */
    if (rc != LK_STATUS_OK && s_code_is(err, S3_NO_SUCH_BUCKET)) {
        lk_aws_error_clear(err);
        memset(out, 0, sizeof(*out));
        out->name = lk_ir_strdup(st, name);
        rc = LK_STATUS_OK;
    }
    return rc;
}
