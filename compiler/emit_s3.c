/*
 * logkeep: S3 bucket configuration payloads (REST-XML), in the element order of the S3 service
 * model (botocore data/s3/2006-03-01/service-2.json), namespace on the root element only.
 */
#include <stdio.h>
#include <string.h>

#include "compiler/emit.h"

#define S3_NS "http://s3.amazonaws.com/doc/2006-03-01/"
#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/* Escapes the five XML special characters (XML 1.0 §2.4). */
static void s_text(struct lk_buf *b, const char *s)
{
    const char *run = s;
    for (; *s; s++) {
        const char *rep;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&apos;"; break;
        default: continue;
        }
        lk_buf_append(b, run, (size_t)(s - run));
        lk_buf_puts(b, rep);
        run = s + 1;
    }
    lk_buf_append(b, run, (size_t)(s - run));
}

static void s_indent(struct lk_buf *b, int depth)
{
    static const char spaces[] = "            ";
    lk_buf_append(b, spaces, (size_t)(2 * depth) < sizeof(spaces) - 1 ? (size_t)(2 * depth)
                                                                     : sizeof(spaces) - 1);
}

static void s_tag(struct lk_buf *b, const char *open, const char *name, const char *end)
{
    /* The delimiters are one or two bytes ("<", "</", ">", ">\n"): no strlen() for them. */
    lk_buf_append(b, open, open[1] ? 2 : 1);
    lk_buf_puts(b, name);
    lk_buf_append(b, end, end[1] ? 2 : 1);
}

static void s_elem(struct lk_buf *b, int depth, const char *name, const char *value)
{
    s_indent(b, depth);
    s_tag(b, "<", name, ">");
    s_text(b, value);
    s_tag(b, "</", name, ">\n");
}

static void s_elem_int(struct lk_buf *b, int depth, const char *name, long long v)
{
    /* Written by hand: a lifecycle has a few numbers per rule and snprintf() costs more than
     * the rest of the element. */
    char num[24], *w = num + sizeof(num);
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    *--w = '\0';
    do {
        *--w = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--w = '-';
    s_elem(b, depth, name, w);
}

static void s_open(struct lk_buf *b, int depth, const char *name)
{
    s_indent(b, depth);
    s_tag(b, "<", name, ">\n");
}

static void s_close(struct lk_buf *b, int depth, const char *name)
{
    s_indent(b, depth);
    s_tag(b, "</", name, ">\n");
}

/* The document, copied into @p arena; NULL when it outgrew LK_BUF_MAX_DOCUMENT. */
static char *s_finish(struct lk_buf *b, struct lk_arena *arena)
{
    return lk_buf_take_arena(b, arena);
}

/* PutBucketLifecycleConfiguration body: LifecycleConfiguration with one Rule per IR rule.
 * LifecycleRule members in model order: Expiration, ID, Filter, Status, Transitions,
 * NoncurrentVersionExpiration, AbortIncompleteMultipartUpload. The V2 <Filter><Prefix> form is
 * used; the deprecated top-level <Prefix> never is. */
char *lk_emit_lifecycle_xml(const struct lk_ir_lifecycle *lc, struct lk_arena *arena)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_DOCUMENT);
    lk_buf_puts(&b, XML_DECL "<LifecycleConfiguration xmlns=\"" S3_NS "\">\n");
    for (size_t i = 0; i < lc->n_rules; i++) {
        const struct lk_ir_lifecycle_rule *r = &lc->rules[i];
        s_open(&b, 1, "Rule");
        if (r->expiration_days > 0 || r->expired_object_delete_marker) {
            s_open(&b, 2, "Expiration");
            if (r->expiration_days > 0)
                s_elem_int(&b, 3, "Days", r->expiration_days);
            else
                s_elem(&b, 3, "ExpiredObjectDeleteMarker", "true");
            s_close(&b, 2, "Expiration");
        }
        s_elem(&b, 2, "ID", r->id);
        s_open(&b, 2, "Filter");
        s_elem(&b, 3, "Prefix", r->prefix);
        s_close(&b, 2, "Filter");
        s_elem(&b, 2, "Status", r->enabled ? "Enabled" : "Disabled");
        for (size_t t = 0; t < r->n_transitions; t++) {
            s_open(&b, 2, "Transition");
            s_elem_int(&b, 3, "Days", r->transitions[t].days);
            s_elem(&b, 3, "StorageClass", lk_ir_storage_class_api(r->transitions[t].storage_class));
            s_close(&b, 2, "Transition");
        }
        if (r->noncurrent_expiration_days > 0) {
            s_open(&b, 2, "NoncurrentVersionExpiration");
            s_elem_int(&b, 3, "NoncurrentDays", r->noncurrent_expiration_days);
            s_close(&b, 2, "NoncurrentVersionExpiration");
        }
        if (r->abort_incomplete_upload_days > 0) {
            s_open(&b, 2, "AbortIncompleteMultipartUpload");
            s_elem_int(&b, 3, "DaysAfterInitiation", r->abort_incomplete_upload_days);
            s_close(&b, 2, "AbortIncompleteMultipartUpload");
        }
        s_close(&b, 1, "Rule");
    }
    lk_buf_puts(&b, "</LifecycleConfiguration>\n");
    return s_finish(&b, arena);
}

/* PutBucketVersioning: VersioningConfiguration {MFADelete as <MfaDelete>, Status}. MFA delete
 * is never turned on by logkeep (it needs the root user's MFA device), so only Status is sent. */
char *lk_emit_versioning_xml(const struct lk_ir_bucket *bk, struct lk_arena *arena)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_DOCUMENT);
    lk_buf_puts(&b, XML_DECL "<VersioningConfiguration xmlns=\"" S3_NS "\">\n");
    s_elem(&b, 1, "Status", bk->versioning == LK_IR_VERSIONING_SUSPENDED ? "Suspended" : "Enabled");
    lk_buf_puts(&b, "</VersioningConfiguration>\n");
    return s_finish(&b, arena);
}

/* PutPublicAccessBlock: all four settings on (S3 User Guide, "Blocking public access to your
 * Amazon S3 storage"). */
char *lk_emit_public_access_block_xml(const struct lk_ir_bucket *bk, struct lk_arena *arena)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_DOCUMENT);
    lk_buf_puts(&b, XML_DECL "<PublicAccessBlockConfiguration xmlns=\"" S3_NS "\">\n");
    s_elem(&b, 1, "BlockPublicAcls", bk->public_access_block.block_public_acls ? "true" : "false");
    s_elem(&b, 1, "IgnorePublicAcls", bk->public_access_block.ignore_public_acls ? "true" : "false");
    s_elem(&b, 1, "BlockPublicPolicy",
           bk->public_access_block.block_public_policy ? "true" : "false");
    s_elem(&b, 1, "RestrictPublicBuckets",
           bk->public_access_block.restrict_public_buckets ? "true" : "false");
    lk_buf_puts(&b, "</PublicAccessBlockConfiguration>\n");
    return s_finish(&b, arena);
}

/* PutBucketEncryption: one Rule with ApplyServerSideEncryptionByDefault {SSEAlgorithm,
 * KMSMasterKeyID} and BucketKeyEnabled. */
char *lk_emit_encryption_xml(const struct lk_ir_bucket *bk, struct lk_arena *arena)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_DOCUMENT);
    lk_buf_puts(&b, XML_DECL "<ServerSideEncryptionConfiguration xmlns=\"" S3_NS "\">\n");
    s_open(&b, 1, "Rule");
    s_open(&b, 2, "ApplyServerSideEncryptionByDefault");
    s_elem(&b, 3, "SSEAlgorithm", bk->encryption.algorithm);
    if (bk->encryption.kms_key_id)
        s_elem(&b, 3, "KMSMasterKeyID", bk->encryption.kms_key_id);
    s_close(&b, 2, "ApplyServerSideEncryptionByDefault");
    s_elem(&b, 2, "BucketKeyEnabled", bk->encryption.bucket_key_enabled ? "true" : "false");
    s_close(&b, 1, "Rule");
    lk_buf_puts(&b, "</ServerSideEncryptionConfiguration>\n");
    return s_finish(&b, arena);
}

/* PutObjectLockConfiguration: ObjectLockEnabled and, when a mode is set, a DefaultRetention
 * with a Mode and exactly one of Days or Years. */
char *lk_emit_object_lock_xml(const struct lk_ir_bucket *bk, struct lk_arena *arena)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_DOCUMENT);
    lk_buf_puts(&b, XML_DECL "<ObjectLockConfiguration xmlns=\"" S3_NS "\">\n");
    s_elem(&b, 1, "ObjectLockEnabled", "Enabled");
    if (bk->object_lock.mode != LK_IR_LOCK_NONE) {
        s_open(&b, 1, "Rule");
        s_open(&b, 2, "DefaultRetention");
        s_elem(&b, 3, "Mode",
               bk->object_lock.mode == LK_IR_LOCK_COMPLIANCE ? "COMPLIANCE" : "GOVERNANCE");
        if (bk->object_lock.years > 0)
            s_elem_int(&b, 3, "Years", bk->object_lock.years);
        else
            s_elem_int(&b, 3, "Days", bk->object_lock.days);
        s_close(&b, 2, "DefaultRetention");
        s_close(&b, 1, "Rule");
    }
    lk_buf_puts(&b, "</ObjectLockConfiguration>\n");
    return s_finish(&b, arena);
}
