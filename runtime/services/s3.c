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

#include "runtime/services/policy_json.h"

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
    struct lk_buf text; /* character data of the innermost open element */
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
    d->text.len = 0;
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
    d->text.len = 0;
    d->cur = n->parent;
    d->depth--;
}

static void XMLCALL s_xchars(void *ud, const XML_Char *s, int len)
{
    struct s_xdoc *d = ud;
    if (d->fail[0] || !d->cur || len <= 0)
        return;
    if (d->text.len + (size_t)len > LK_S3_XML_MAX_TEXT_BYTES) {
        s_xstop(d, "XML text too long");
        return;
    }
    lk_buf_append(&d->text, s, (size_t)len);
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

/* Parses @p xml into @p d and checks the root element's name. The caller frees @p d with
 * s_xdoc_free() whatever the result. */
static int s_xparse(struct s_xdoc *d, const char *xml, size_t len, const char *root_name,
                    char *errbuf, size_t errlen)
{
    memset(d, 0, sizeof(*d));
    lk_arena_init(&d->arena);
    lk_buf_init(&d->text);
    if (!xml || len == 0)
        return lk_svc_fail(errbuf, errlen, "empty response body, expected <%s>", root_name);
    if (len > LK_S3_XML_MAX_BYTES || len > INT_MAX)
        return lk_svc_fail(errbuf, errlen, "XML response of %zu bytes exceeds the %zu-byte limit", len,
                      LK_S3_XML_MAX_BYTES);
    d->parser = XML_ParserCreateNS(NULL, '|');
    if (!d->parser)
        lk_oom();
    XML_SetUserData(d->parser, d);
    XML_SetElementHandler(d->parser, s_xstart, s_xend);
    XML_SetCharacterDataHandler(d->parser, s_xchars);
    XML_SetStartDoctypeDeclHandler(d->parser, s_xdoctype);
    if (XML_Parse(d->parser, xml, (int)len, XML_TRUE) != XML_STATUS_OK) {
        if (d->fail[0])
            return lk_svc_fail(errbuf, errlen, "%s", d->fail);
        return lk_svc_fail(errbuf, errlen, "malformed XML at line %lu, column %lu: %s",
                      (unsigned long)XML_GetCurrentLineNumber(d->parser),
                      (unsigned long)XML_GetCurrentColumnNumber(d->parser),
                      XML_ErrorString(XML_GetErrorCode(d->parser)));
    }
    if (!d->root || d->root->foreign || strcmp(d->root->name, root_name) != 0)
        return lk_svc_fail(errbuf, errlen, "unexpected XML root element <%.60s>, expected <%s>",
                      d->root ? d->root->name : "", root_name);
    return 0;
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
static int s_xint(const struct s_xnode *n, int32_t min, int32_t max, int32_t *out, char *errbuf,
                  size_t errlen)
{
    char buf[32];
    const char *t = s_xtrim(n, buf, sizeof(buf));
    if (!t || !*t)
        return lk_svc_fail(errbuf, errlen, "<%s> is not a number", n->name);
    /* s_xtrim() cuts longer text to fit: a number that fills the buffer may have lost digits
     * (29 zeros then "365000" would read as 36), and no int32 needs that many. */
    if (strlen(t) >= sizeof(buf) - 1)
        return lk_svc_fail(errbuf, errlen, "<%s> is not a number in range: %.20s", n->name, t);
    long long v = 0;
    for (const char *p = t; *p; p++) {
        if (*p < '0' || *p > '9' || v > INT32_MAX)
            return lk_svc_fail(errbuf, errlen, "<%s> is not a number in range: %.20s", n->name, t);
        v = v * 10 + (*p - '0');
    }
    if (v < min || v > max)
        return lk_svc_fail(errbuf, errlen, "<%s> out of range: %lld", n->name, v);
    *out = (int32_t)v;
    return 0;
}

/* xsd:boolean: "true", "false", "1" or "0" (XML Schema Part 2, 3.2.2). */
static int s_xbool(const struct s_xnode *n, bool *out, char *errbuf, size_t errlen)
{
    char buf[8];
    const char *t = s_xtrim(n, buf, sizeof(buf));
    if (t && (!strcmp(t, "true") || !strcmp(t, "1")))
        *out = true;
    else if (t && (!strcmp(t, "false") || !strcmp(t, "0")))
        *out = false;
    else
        return lk_svc_fail(errbuf, errlen, "<%s> is not a boolean", n->name);
    return 0;
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

static int s_cmp_transition(const void *a, const void *b)
{
    const struct lk_ir_transition *x = a, *y = b;
    if (x->days != y->days)
        return x->days < y->days ? -1 : 1;
    return (int)x->storage_class - (int)y->storage_class;
}

static int s_cmp_rule(const void *a, const void *b)
{
    return strcmp(((const struct lk_ir_lifecycle_rule *)a)->id,
                  ((const struct lk_ir_lifecycle_rule *)b)->id);
}

static size_t s_count(const struct s_xnode *first)
{
    size_t n = 0;
    for (const struct s_xnode *c = first; c; c = s_xnext(c))
        n++;
    return n;
}

/* One <Rule> of a lifecycle configuration (model shape LifecycleRule). */
static int s_lifecycle_rule(struct lk_ir_state *st, const struct s_xnode *x,
                            struct lk_ir_lifecycle_rule *r, unsigned *flags, char *errbuf,
                            size_t errlen)
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
            *flags |= LK_S3_UNMODELLED_FILTER;
    } else {
        prefix = s_xchild(x, "Prefix");
    }
    if (prefix && !prefix->text)
        return lk_svc_fail(errbuf, errlen, "rule %.80s: <Prefix> holds elements", r->id);
    r->prefix = lk_ir_strdup(st, prefix ? prefix->text : "");

    const char *status = s_xtrim(s_xchild(x, "Status"), buf, sizeof(buf));
    if (!status || (strcmp(status, "Enabled") != 0 && strcmp(status, "Disabled") != 0))
        return lk_svc_fail(errbuf, errlen, "rule %.80s: <Status> must be Enabled or Disabled", r->id);
    r->enabled = !strcmp(status, "Enabled");

    /* Expiration (model LifecycleExpiration): Days, Date or ExpiredObjectDeleteMarker. */
    const struct s_xnode *exp = s_xchild(x, "Expiration");
    if (exp) {
        if ((n = s_xchild(exp, "Days")) &&
            s_xint(n, 1, INT32_MAX, &r->expiration_days, errbuf, errlen) != 0)
            return -1;
        if ((n = s_xchild(exp, "ExpiredObjectDeleteMarker")) &&
            s_xbool(n, &r->expired_object_delete_marker, errbuf, errlen) != 0)
            return -1;
        if (s_xchild(exp, "Date"))
            *flags |= LK_S3_UNMODELLED_DATE;
    }

    /* Transition (repeated, flattened; model TransitionList). */
    const struct s_xnode *t0 = s_xchild(x, "Transition");
    size_t nt = s_count(t0);
    r->transitions = nt ? lk_arena_alloc(&st->arena, nt * sizeof(*r->transitions)) : NULL;
    for (const struct s_xnode *t = t0; t; t = s_xnext(t)) {
        struct lk_ir_transition tr = {0};
        const struct s_xnode *days = s_xchild(t, "Days");
        if (!days) {
            if (s_xchild(t, "Date"))
                *flags |= LK_S3_UNMODELLED_DATE;
            else
                return lk_svc_fail(errbuf, errlen, "rule %.80s: <Transition> without <Days>", r->id);
            continue;
        }
        /* Days may be 0 for a transition (to INTELLIGENT_TIERING or GLACIER at creation). */
        if (s_xint(days, 0, INT32_MAX, &tr.days, errbuf, errlen) != 0)
            return -1;
        const char *sc = s_xtrim(s_xchild(t, "StorageClass"), buf, sizeof(buf));
        if (!sc)
            return lk_svc_fail(errbuf, errlen, "rule %.80s: <Transition> without <StorageClass>", r->id);
        if (!lk_ir_storage_class_parse(sc, &tr.storage_class)) {
            *flags |= LK_S3_UNMODELLED_STORAGE_CLASS;
            continue;
        }
        r->transitions[r->n_transitions++] = tr;
    }
    if (r->n_transitions > 1)
        qsort(r->transitions, r->n_transitions, sizeof(*r->transitions), s_cmp_transition);

    if (s_xchild(x, "NoncurrentVersionTransition"))
        *flags |= LK_S3_UNMODELLED_NONCURRENT_TRANSITION;

    const struct s_xnode *nce = s_xchild(x, "NoncurrentVersionExpiration");
    if (nce) {
        if ((n = s_xchild(nce, "NoncurrentDays")) &&
            s_xint(n, 1, INT32_MAX, &r->noncurrent_expiration_days, errbuf, errlen) != 0)
            return -1;
        if (s_xchild(nce, "NewerNoncurrentVersions"))
            *flags |= LK_S3_UNMODELLED_NEWER_NONCURRENT;
    }

    const struct s_xnode *abort_mpu = s_xchild(x, "AbortIncompleteMultipartUpload");
    if (abort_mpu && (n = s_xchild(abort_mpu, "DaysAfterInitiation")) &&
        s_xint(n, 1, INT32_MAX, &r->abort_incomplete_upload_days, errbuf, errlen) != 0)
        return -1;
    return 0;
}

int lk_s3_parse_lifecycle(struct lk_ir_state *st, const char *xml, size_t len,
                          const char *min_size_header, struct lk_ir_lifecycle *out,
                          unsigned *unmodelled, char *errbuf, size_t errlen)
{
    int rc = -1;
    unsigned flags = 0;
    struct s_xdoc d;
    struct lk_ir_lifecycle lc = {0};
    if (s_xparse(&d, xml, len, "LifecycleConfiguration", errbuf, errlen) != 0)
        goto cleanup;
    lc.present = true;
    if (!lk_s3_transition_min_size_parse(min_size_header, &lc.transition_min_size))
        flags |= LK_S3_UNMODELLED_MIN_SIZE;
    /* Rule is flattened (model GetBucketLifecycleConfigurationOutput Rules, locationName
     * "Rule"). */
    const struct s_xnode *first = s_xchild(d.root, "Rule");
    size_t n = s_count(first);
    lc.rules = n ? lk_arena_alloc(&st->arena, n * sizeof(*lc.rules)) : NULL;
    for (const struct s_xnode *x = first; x; x = s_xnext(x)) {
        if (s_lifecycle_rule(st, x, &lc.rules[lc.n_rules], &flags, errbuf, errlen) != 0)
            goto cleanup;
        lc.n_rules++;
    }
    if (lc.n_rules > 1)
        qsort(lc.rules, lc.n_rules, sizeof(*lc.rules), s_cmp_rule);
    *out = lc;
    if (unmodelled)
        *unmodelled = flags;
    rc = 0;
cleanup:
    s_xdoc_free(&d);
    return rc;
}

int lk_s3_parse_versioning(const char *xml, size_t len, struct lk_ir_bucket *out, char *errbuf,
                           size_t errlen)
{
    int rc = -1;
    char buf[16];
    struct s_xdoc d;
    if (s_xparse(&d, xml, len, "VersioningConfiguration", errbuf, errlen) != 0)
        goto cleanup;
    /* "If the versioning state has never been set on a bucket, it has no versioning state; a
     * GetBucketVersioning request does not return a versioning state value." (S3 API
     * Reference, PutBucketVersioning; the model's PutBucketVersioning documentation) */
    enum lk_ir_versioning v = LK_IR_VERSIONING_NEVER;
    const struct s_xnode *n = s_xchild(d.root, "Status");
    if (n) {
        const char *t = s_xtrim(n, buf, sizeof(buf));
        if (t && !strcmp(t, "Enabled")) {
            v = LK_IR_VERSIONING_ENABLED;
        } else if (t && !strcmp(t, "Suspended")) {
            v = LK_IR_VERSIONING_SUSPENDED;
        } else {
            lk_svc_fail(errbuf, errlen, "<Status> must be Enabled or Suspended");
            goto cleanup;
        }
    }
    /* The element is spelled MfaDelete (model MFADelete, locationName "MfaDelete"); it appears
     * only once MFA delete was ever configured. */
    bool mfa = false;
    if ((n = s_xchild(d.root, "MfaDelete"))) {
        const char *t = s_xtrim(n, buf, sizeof(buf));
        if (t && !strcmp(t, "Enabled")) {
            mfa = true;
        } else if (!t || strcmp(t, "Disabled") != 0) {
            lk_svc_fail(errbuf, errlen, "<MfaDelete> must be Enabled or Disabled");
            goto cleanup;
        }
    }
    out->versioning = v;
    out->mfa_delete = mfa;
    rc = 0;
cleanup:
    s_xdoc_free(&d);
    return rc;
}

int lk_s3_parse_object_lock(const char *xml, size_t len, struct lk_ir_bucket *out, char *errbuf,
                            size_t errlen)
{
    int rc = -1;
    char buf[16];
    struct s_xdoc d;
    if (s_xparse(&d, xml, len, "ObjectLockConfiguration", errbuf, errlen) != 0)
        goto cleanup;
    memset(&out->object_lock, 0, sizeof(out->object_lock));
    const struct s_xnode *n = s_xchild(d.root, "ObjectLockEnabled");
    const char *t = s_xtrim(n, buf, sizeof(buf));
    /* ObjectLockEnabled has the single value "Enabled" (model ObjectLockEnabled enum). */
    out->object_lock.enabled = t && !strcmp(t, "Enabled");
    const struct s_xnode *ret = s_xchild(s_xchild(d.root, "Rule"), "DefaultRetention");
    if (ret) {
        const char *mode = s_xtrim(s_xchild(ret, "Mode"), buf, sizeof(buf));
        if (mode && !strcmp(mode, "GOVERNANCE")) {
            out->object_lock.mode = LK_IR_LOCK_GOVERNANCE;
        } else if (mode && !strcmp(mode, "COMPLIANCE")) {
            out->object_lock.mode = LK_IR_LOCK_COMPLIANCE;
        } else {
            lk_svc_fail(errbuf, errlen, "<Mode> must be GOVERNANCE or COMPLIANCE");
            goto cleanup;
        }
        /* "The DefaultRetention settings require both a mode and a period. The
         * DefaultRetention period can be either Days or Years but you must select one."
         * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DefaultRetention.html) */
        const struct s_xnode *days = s_xchild(ret, "Days");
        const struct s_xnode *years = s_xchild(ret, "Years");
        if (!days == !years) {
            lk_svc_fail(errbuf, errlen, "<DefaultRetention> needs exactly one of <Days> or <Years>");
            goto cleanup;
        }
        if (days && s_xint(days, 1, INT32_MAX, &out->object_lock.days, errbuf, errlen) != 0)
            goto cleanup;
        if (years && s_xint(years, 1, INT32_MAX, &out->object_lock.years, errbuf, errlen) != 0)
            goto cleanup;
    }
    rc = 0;
cleanup:
    s_xdoc_free(&d);
    return rc;
}

int lk_s3_parse_public_access_block(const char *xml, size_t len, struct lk_ir_bucket *out,
                                    char *errbuf, size_t errlen)
{
    int rc = -1;
    struct s_xdoc d;
    if (s_xparse(&d, xml, len, "PublicAccessBlockConfiguration", errbuf, errlen) != 0)
        goto cleanup;
    static const char *const names[4] = {"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                                         "RestrictPublicBuckets"};
    bool v[4] = {false, false, false, false};
    for (int i = 0; i < 4; i++) {
        const struct s_xnode *n = s_xchild(d.root, names[i]);
        if (n && s_xbool(n, &v[i], errbuf, errlen) != 0)
            goto cleanup;
    }
    out->public_access_block.present = true;
    out->public_access_block.block_public_acls = v[0];
    out->public_access_block.ignore_public_acls = v[1];
    out->public_access_block.block_public_policy = v[2];
    out->public_access_block.restrict_public_buckets = v[3];
    rc = 0;
cleanup:
    s_xdoc_free(&d);
    return rc;
}

int lk_s3_parse_encryption(struct lk_ir_state *st, const char *xml, size_t len,
                           struct lk_ir_bucket *out, unsigned *unmodelled, char *errbuf,
                           size_t errlen)
{
    int rc = -1;
    unsigned flags = 0;
    struct s_xdoc d;
    if (s_xparse(&d, xml, len, "ServerSideEncryptionConfiguration", errbuf, errlen) != 0)
        goto cleanup;
    /* Rule is flattened (model ServerSideEncryptionRules, locationName "Rule"); S3 holds one. */
    const struct s_xnode *rule = s_xchild(d.root, "Rule");
    if (!rule) {
        lk_svc_fail(errbuf, errlen, "<ServerSideEncryptionConfiguration> has no <Rule>");
        goto cleanup;
    }
    if (s_xnext(rule) || s_xchild(rule, "BlockedEncryptionTypes"))
        flags |= LK_S3_UNMODELLED_ENCRYPTION;
    const struct s_xnode *def = s_xchild(rule, "ApplyServerSideEncryptionByDefault");
    const struct s_xnode *alg = s_xchild(def, "SSEAlgorithm");
    char buf[64];
    const char *a = s_xtrim(alg, buf, sizeof(buf));
    if (!a || !*a) {
        lk_svc_fail(errbuf, errlen, "encryption rule without <SSEAlgorithm>");
        goto cleanup;
    }
    const struct s_xnode *key = s_xchild(def, "KMSMasterKeyID");
    bool bucket_key = false;
    const struct s_xnode *bk = s_xchild(rule, "BucketKeyEnabled");
    if (bk && s_xbool(bk, &bucket_key, errbuf, errlen) != 0)
        goto cleanup;
    out->encryption.present = true;
    out->encryption.algorithm = lk_ir_strdup(st, a);
    out->encryption.kms_key_id =
        key && key->text && key->text[0] ? lk_ir_strdup(st, key->text) : NULL;
    out->encryption.bucket_key_enabled = bucket_key;
    if (unmodelled)
        *unmodelled = flags;
    rc = 0;
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

int lk_s3_parse_location(struct lk_ir_state *st, const char *xml, size_t len, char **region,
                         char *errbuf, size_t errlen)
{
    int rc = -1;
    char buf[72];
    struct s_xdoc d;
    if (s_xparse(&d, xml, len, "LocationConstraint", errbuf, errlen) != 0)
        goto cleanup;
    const char *t = s_xtrim(d.root, buf, sizeof(buf));
    if (!t) {
        lk_svc_fail(errbuf, errlen, "<LocationConstraint> holds elements");
        goto cleanup;
    }
    /* "Buckets in Region us-east-1 have a LocationConstraint of null. Buckets with a
     * LocationConstraint of EU reside in eu-west-1."
     * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html) */
    if (!*t)
        t = "us-east-1";
    else if (!strcmp(t, "EU"))
        t = "eu-west-1";
    else if (!s_region_ok(t)) {
        lk_svc_fail(errbuf, errlen, "<LocationConstraint> is not a region name");
        goto cleanup;
    }
    *region = lk_ir_strdup(st, t);
    rc = 0;
cleanup:
    s_xdoc_free(&d);
    return rc;
}

/* ------------------------------------------------------------------------------ calls */

static int s_call(struct lk_aws_client *client, const char *op, const char *method,
                  const char *bucket, const char *region, const char *path, const char *body,
                  size_t len, bool content_md5, const struct lk_http_header *headers,
                  size_t n_headers, struct lk_http_response *resp, struct lk_aws_error *err)
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
    if (lk_aws_call(client, &req, resp, err) != 0)
        return -1;
    /* Success leaves nothing behind in @p err (lk_aws_call() records the operation name). */
    lk_aws_error_clear(err);
    return 0;
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

int lk_s3_head_bucket(struct lk_aws_client *client, const char *bucket, const char *region,
                      struct lk_ir_state *st, bool *exists, char **bucket_region,
                      struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    int rc = -1;
    if (bucket_region)
        *bucket_region = NULL;
    *exists = false;
    int call =
        s_call(client, S3_OP_HEAD, "HEAD", bucket, region, "", NULL, 0, false, NULL, 0, &resp, err);
    /* "To find a bucket's region, read x-amz-bucket-region from any HeadBucket response, a 301
     * included" (docs/protocol-notes.md §3; S3 API Reference, HeadBucket). */
    const char *hdr = lk_http_header_get(&resp, "x-amz-bucket-region");
    if (call != 0) {
        /* HeadBucket errors have no body, so the status is all there is: 404 = no bucket. */
        if (err->transport == LK_HTTP_OK && err->http_status == 404) {
            lk_aws_error_clear(err);
            rc = 0;
            goto cleanup;
        }
        /* A bucket in another region answers 301 (or 400 AuthorizationHeaderMalformed when the
         * signature names another region) and names its region: it exists. */
        if (err->transport == LK_HTTP_OK && hdr && s_region_ok(hdr) &&
            (err->http_status == 301 || err->http_status == 400)) {
            lk_aws_error_clear(err);
            *exists = true;
            if (bucket_region)
                *bucket_region = lk_ir_strdup(st, hdr);
            rc = 0;
        }
        goto cleanup;
    }
    *exists = true;
    if (bucket_region && hdr && s_region_ok(hdr))
        *bucket_region = lk_ir_strdup(st, hdr);
    rc = 0;
cleanup:
    lk_http_response_free(&resp);
    return rc;
}

int lk_s3_get_bucket_location(struct lk_aws_client *client, const char *bucket, const char *region,
                              struct lk_ir_state *st, char **bucket_region,
                              struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    char why[160];
    int rc = -1;
    if (s_call(client, S3_OP_LOCATION, "GET", bucket, region, "?location", NULL, 0, false, NULL, 0,
               &resp, err) != 0)
        goto cleanup;
    if (lk_s3_parse_location(st, s_body(&resp), resp.body_len, bucket_region, why, sizeof(why)) !=
        0) {
        lk_aws_error_malformed(err, S3_OP_LOCATION, &resp, why);
        goto cleanup;
    }
    rc = 0;
cleanup:
    lk_http_response_free(&resp);
    return rc;
}

int lk_s3_create_bucket(struct lk_aws_client *client, const char *bucket, const char *region,
                        bool object_lock, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    char *body = NULL;
    int rc = -1;
    if (!region)
        region = client->cfg.region;
    if (!region || !s_region_ok(region)) {
        lk_aws_error_invalid(err, S3_OP_CREATE, "CreateBucket needs a valid region name");
        goto cleanup;
    }
    /* "If you don't specify a Region, the bucket is created in the US East (N. Virginia) Region
     * (us-east-1)"; naming us-east-1 as LocationConstraint is refused
     * (InvalidLocationConstraint). (S3 API Reference, CreateBucket) */
    size_t len = 0;
    if (strcmp(region, "us-east-1") != 0) {
        struct lk_buf b;
        lk_buf_init(&b);
        lk_buf_printf(&b,
                      "<CreateBucketConfiguration xmlns=\"" LK_S3_XML_NAMESPACE "\">"
                      "<LocationConstraint>%s</LocationConstraint></CreateBucketConfiguration>",
                      region);
        body = b.data;
        len = b.len;
    }
    /* x-amz-bucket-object-lock-enabled (model CreateBucketRequest ObjectLockEnabledForBucket,
     * a header). */
    char name[] = "x-amz-bucket-object-lock-enabled";
    char value[] = "true";
    struct lk_http_header hdr = {name, value};
    if (s_call(client, S3_OP_CREATE, "PUT", bucket, region, "", body, len, false,
               object_lock ? &hdr : NULL, object_lock ? 1 : 0, &resp, err) != 0)
        goto cleanup;
    rc = 0;
cleanup:
    free(body);
    lk_http_response_free(&resp);
    return rc;
}

int lk_s3_get_lifecycle(struct lk_aws_client *client, const char *bucket, const char *region,
                        struct lk_ir_state *st, struct lk_ir_lifecycle *out, unsigned *unmodelled,
                        struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    char why[160];
    int rc = -1;
    if (unmodelled)
        *unmodelled = 0;
    if (s_call(client, S3_OP_GET_LIFECYCLE, "GET", bucket, region, "?lifecycle", NULL, 0, false,
               NULL, 0, &resp, err) != 0) {
        /* "NoSuchLifecycleConfiguration: The lifecycle configuration does not exist" (the
         * operation's documented special error). */
        if (s_absent(err, S3_ABSENT_LIFECYCLE)) {
            memset(out, 0, sizeof(*out));
            rc = 0;
        }
        goto cleanup;
    }
    if (lk_s3_parse_lifecycle(
            st, s_body(&resp), resp.body_len,
            lk_http_header_get(&resp, "x-amz-transition-default-minimum-object-size"), out,
            unmodelled, why, sizeof(why)) != 0) {
        lk_aws_error_malformed(err, S3_OP_GET_LIFECYCLE, &resp, why);
        goto cleanup;
    }
    rc = 0;
cleanup:
    lk_http_response_free(&resp);
    return rc;
}

/* The six configuration PUTs carry "httpChecksum": {"requestChecksumRequired": true} in the
 * model: without Content-MD5 (or a flexible checksum) S3 answers 400 InvalidRequest "Missing
 * required header for this request: Content-MD5" (docs/protocol-notes.md §3, "Integrity
 * header"). Content-MD5 works on AWS and on S3 clones alike. */
static int s_put(struct lk_aws_client *client, const char *op, const char *bucket,
                 const char *region, const char *path, const char *body, size_t len,
                 const struct lk_http_header *headers, size_t n_headers, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    int rc = s_call(client, op, "PUT", bucket, region, path, body, len, true, headers, n_headers,
                    &resp, err);
    lk_http_response_free(&resp);
    return rc;
}

static int s_delete(struct lk_aws_client *client, const char *op, const char *bucket,
                    const char *region, const char *path, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    int rc =
        s_call(client, op, "DELETE", bucket, region, path, NULL, 0, false, NULL, 0, &resp, err);
    lk_http_response_free(&resp);
    return rc;
}

int lk_s3_put_lifecycle(struct lk_aws_client *client, const char *bucket, const char *region,
                        const char *xml, size_t len, enum lk_ir_transition_min_size min_size,
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

int lk_s3_delete_lifecycle(struct lk_aws_client *client, const char *bucket, const char *region,
                           struct lk_aws_error *err)
{
    return s_delete(client, S3_OP_DELETE_LIFECYCLE, bucket, region, "?lifecycle", err);
}

int lk_s3_get_policy(struct lk_aws_client *client, const char *bucket, const char *region,
                     struct lk_ir_state *st, struct lk_ir_bucket_policy *out, char **raw,
                     unsigned *unmodelled, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    char why[160];
    int rc = -1;
    if (raw)
        *raw = NULL;
    if (unmodelled)
        *unmodelled = 0;
    if (s_call(client, S3_OP_GET_POLICY, "GET", bucket, region, "?policy", NULL, 0, false, NULL, 0,
               &resp, err) != 0) {
        if (s_absent(err, S3_ABSENT_POLICY)) {
            memset(out, 0, sizeof(*out));
            rc = 0;
        }
        goto cleanup;
    }
    /* The payload is the policy text itself, not XML (model GetBucketPolicyOutput: payload
     * "Policy", a string). */
    if (lk_policy_json_parse(st, s_body(&resp), resp.body_len, st->partition, out, unmodelled, why,
                             sizeof(why)) != 0) {
        lk_aws_error_malformed(err, S3_OP_GET_POLICY, &resp, why);
        goto cleanup;
    }
    if (raw)
        *raw = lk_ir_strndup(st, s_body(&resp), resp.body_len);
    rc = 0;
cleanup:
    lk_http_response_free(&resp);
    return rc;
}

int lk_s3_put_policy(struct lk_aws_client *client, const char *bucket, const char *region,
                     const char *json, size_t len, struct lk_aws_error *err)
{
    return s_put(client, S3_OP_PUT_POLICY, bucket, region, "?policy", json, len, NULL, 0, err);
}

int lk_s3_delete_policy(struct lk_aws_client *client, const char *bucket, const char *region,
                        struct lk_aws_error *err)
{
    return s_delete(client, S3_OP_DELETE_POLICY, bucket, region, "?policy", err);
}

/* A Get whose XML answer fills part of a bucket, with an optional "not configured" code. */
static int s_get_part(struct lk_aws_client *client, const char *op, const char *bucket,
                      const char *region, const char *path, const char *absent_code,
                      int (*parse)(const char *, size_t, struct lk_ir_bucket *, char *, size_t),
                      struct lk_ir_bucket *out, bool *absent, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    char why[160];
    int rc = -1;
    *absent = false;
    if (s_call(client, op, "GET", bucket, region, path, NULL, 0, false, NULL, 0, &resp, err) != 0) {
        if (absent_code && s_absent(err, absent_code)) {
            *absent = true;
            rc = 0;
        }
        goto cleanup;
    }
    if (parse(s_body(&resp), resp.body_len, out, why, sizeof(why)) != 0) {
        lk_aws_error_malformed(err, op, &resp, why);
        goto cleanup;
    }
    rc = 0;
cleanup:
    lk_http_response_free(&resp);
    return rc;
}

int lk_s3_get_versioning(struct lk_aws_client *client, const char *bucket, const char *region,
                         struct lk_ir_bucket *out, struct lk_aws_error *err)
{
    bool absent;
    return s_get_part(client, S3_OP_GET_VERSIONING, bucket, region, "?versioning", NULL,
                      lk_s3_parse_versioning, out, &absent, err);
}

int lk_s3_put_versioning(struct lk_aws_client *client, const char *bucket, const char *region,
                         const char *xml, size_t len, struct lk_aws_error *err)
{
    return s_put(client, S3_OP_PUT_VERSIONING, bucket, region, "?versioning", xml, len, NULL, 0,
                 err);
}

int lk_s3_get_object_lock(struct lk_aws_client *client, const char *bucket, const char *region,
                          struct lk_ir_bucket *out, struct lk_aws_error *err)
{
    bool absent;
    int rc = s_get_part(client, S3_OP_GET_LOCK, bucket, region, "?object-lock", S3_ABSENT_LOCK,
                        lk_s3_parse_object_lock, out, &absent, err);
    if (rc == 0 && absent)
        memset(&out->object_lock, 0, sizeof(out->object_lock));
    return rc;
}

int lk_s3_put_object_lock(struct lk_aws_client *client, const char *bucket, const char *region,
                          const char *xml, size_t len, struct lk_aws_error *err)
{
    return s_put(client, S3_OP_PUT_LOCK, bucket, region, "?object-lock", xml, len, NULL, 0, err);
}

int lk_s3_get_public_access_block(struct lk_aws_client *client, const char *bucket,
                                  const char *region, struct lk_ir_bucket *out,
                                  struct lk_aws_error *err)
{
    bool absent;
    int rc = s_get_part(client, S3_OP_GET_PAB, bucket, region, "?publicAccessBlock", S3_ABSENT_PAB,
                        lk_s3_parse_public_access_block, out, &absent, err);
    if (rc == 0 && absent)
        memset(&out->public_access_block, 0, sizeof(out->public_access_block));
    return rc;
}

int lk_s3_put_public_access_block(struct lk_aws_client *client, const char *bucket,
                                  const char *region, const char *xml, size_t len,
                                  struct lk_aws_error *err)
{
    return s_put(client, S3_OP_PUT_PAB, bucket, region, "?publicAccessBlock", xml, len, NULL, 0,
                 err);
}

int lk_s3_get_encryption(struct lk_aws_client *client, const char *bucket, const char *region,
                         struct lk_ir_state *st, struct lk_ir_bucket *out, unsigned *unmodelled,
                         struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    char why[160];
    int rc = -1;
    if (unmodelled)
        *unmodelled = 0;
    if (s_call(client, S3_OP_GET_ENCRYPTION, "GET", bucket, region, "?encryption", NULL, 0, false,
               NULL, 0, &resp, err) != 0) {
        if (s_absent(err, S3_ABSENT_ENCRYPTION)) {
            memset(&out->encryption, 0, sizeof(out->encryption));
            rc = 0;
        }
        goto cleanup;
    }
    if (lk_s3_parse_encryption(st, s_body(&resp), resp.body_len, out, unmodelled, why,
                               sizeof(why)) != 0) {
        lk_aws_error_malformed(err, S3_OP_GET_ENCRYPTION, &resp, why);
        goto cleanup;
    }
    rc = 0;
cleanup:
    lk_http_response_free(&resp);
    return rc;
}

int lk_s3_put_encryption(struct lk_aws_client *client, const char *bucket, const char *region,
                         const char *xml, size_t len, struct lk_aws_error *err)
{
    return s_put(client, S3_OP_PUT_ENCRYPTION, bucket, region, "?encryption", xml, len, NULL, 0,
                 err);
}

/* ------------------------------------------------------------------------------ whole bucket */

int lk_s3_read_bucket_ex(struct lk_aws_client *client, const char *name, struct lk_ir_state *st,
                         struct lk_ir_bucket *out, unsigned *unmodelled, struct lk_aws_error *err)
{
    unsigned flags = 0, part = 0;
    bool exists = false;
    char *region = NULL;
    int rc = -1;
    memset(out, 0, sizeof(*out));
    out->name = lk_ir_strdup(st, name);
    if (unmodelled)
        *unmodelled = 0;

    if (lk_s3_head_bucket(client, name, NULL, st, &exists, &region, err) != 0)
        goto cleanup;
    if (!exists) {
        rc = 0;
        goto cleanup;
    }
    /* x-amz-bucket-region is on every HeadBucket answer from AWS; S3 clones may omit it. */
    if (!region && lk_s3_get_bucket_location(client, name, NULL, st, &region, err) != 0)
        goto cleanup;
    out->exists = true;
    out->region = region;

    /* Every further call is signed for the bucket's own region. */
    if (lk_s3_get_lifecycle(client, name, region, st, &out->lifecycle, &part, err) != 0)
        goto cleanup;
    flags |= part;
    if (lk_s3_get_policy(client, name, region, st, &out->policy, NULL, &part, err) != 0)
        goto cleanup;
    if (part)
        flags |= LK_S3_UNMODELLED_POLICY;
    if (lk_s3_get_versioning(client, name, region, out, err) != 0 ||
        lk_s3_get_object_lock(client, name, region, out, err) != 0 ||
        lk_s3_get_public_access_block(client, name, region, out, err) != 0 ||
        lk_s3_get_encryption(client, name, region, st, out, &part, err) != 0)
        goto cleanup;
    flags |= part;
    if (unmodelled)
        *unmodelled = flags;
    rc = 0;
cleanup:
    /* A bucket deleted between the calls reads as missing, not as an error. */
    if (rc != 0 && s_code_is(err, S3_NO_SUCH_BUCKET)) {
        lk_aws_error_clear(err);
        memset(out, 0, sizeof(*out));
        out->name = lk_ir_strdup(st, name);
        if (unmodelled)
            *unmodelled = 0;
        rc = 0;
    }
    return rc;
}

int lk_s3_read_bucket(struct lk_aws_client *client, const char *name, struct lk_ir_state *st,
                      struct lk_ir_bucket *out, struct lk_aws_error *err)
{
    return lk_s3_read_bucket_ex(client, name, st, out, NULL, err);
}
