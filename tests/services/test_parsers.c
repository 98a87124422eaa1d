/*
 * Unit tests: the response parsers of the S3, CloudWatch Logs and CloudTrail clients and the
 * bucket policy reader, on recorded response bodies (no network).
 *
 * The samples follow the response examples of the AWS API references
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLifecycleConfiguration.html and
 * the other Get operations, https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/
 * API_DescribeLogGroups.html, https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/
 * API_GetTrail.html, API_GetTrailStatus.html, API_GetEventSelectors.html,
 * API_DescribeTrails.html) and the examples of botocore's models (examples-1.json), with the
 * element and member names of botocore's service-2.json.
 */
#include "../unit/lk_test.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/services/cloudtrail.h"
#include "runtime/services/kms.h"
#include "runtime/transport/credentials.h"
#include "runtime/services/logs.h"
#include "runtime/services/organizations.h"
#include "runtime/transport/endpoint.h"
#include "runtime/services/policy_json.h"
#include "runtime/services/s3.h"
#include "runtime/services/sts.h"
#include "svc_test.h"

#define NS "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""
#define XMLDECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

static struct lk_ir_state *g_st;
static struct lk_error g_err;

static void s_setup(void)
{
    g_st = lk_ir_state_new();
    lk_error_clear(&g_err);
}

/* What a JSON parser answers for @p text it refuses: malformed input when it is not JSON at
 * all, unexpected content when it is JSON of the wrong shape. cJSON itself is the judge. */
static enum lk_status s_json_refusal(const char *text)
{
    cJSON *j = cJSON_ParseWithOpts(text, NULL, 1);
    cJSON_Delete(j);
    return j ? LK_STATUS_SCHEMA : LK_STATUS_MALFORMED;
}

static void s_teardown(void)
{
    lk_ir_state_free(g_st);
    g_st = NULL;
}

/* ------------------------------------------------------------------------------ lifecycle */

/* S3 API Reference, GetBucketLifecycleConfiguration, "Examples" (two V2 rules). */
/* lk_s3_parse_lifecycle() into a bucket whose unmodelled lifecycle parts are all set, so that
 * the parser must replace them: @p lc receives the lifecycle, @p um (may be NULL) the bucket's
 * unmodelled bits after the parse. */
static enum lk_status s_parse_lifecycle(const char *xml, size_t len, const char *min_size_header,
                                        struct lk_ir_lifecycle *lc, unsigned *um)
{
    struct lk_ir_bucket b;
    memset(&b, 0, sizeof(b));
    b.unmodelled = LK_IR_UNMODELLED_LIFECYCLE;
    lk_ir_list_add(g_st, &b.unmodelled_filter_rule_ids, "stale");
    enum lk_status rc = lk_s3_parse_lifecycle(g_st, xml, len, min_size_header, &b, &g_err);
    if (rc == LK_STATUS_OK) {
        *lc = b.lifecycle;
        if (!(b.unmodelled & LK_IR_UNMODELLED_FILTER))
            ck_assert_uint_eq(b.unmodelled_filter_rule_ids.n, 0);
    }
    if (um)
        *um = b.unmodelled;
    return rc;
}

static const char LIFECYCLE_DOC[] = XMLDECL "<LifecycleConfiguration " NS ">\n"
                                            "  <Rule>\n"
                                            "    <ID>id1</ID>\n"
                                            "    <Filter>\n"
                                            "       <Prefix>documents/</Prefix>\n"
                                            "    </Filter>\n"
                                            "    <Status>Enabled</Status>\n"
                                            "    <Transition>\n"
                                            "      <Days>30</Days>\n"
                                            "      <StorageClass>GLACIER</StorageClass>\n"
                                            "    </Transition>\n"
                                            "  </Rule>\n"
                                            "  <Rule>\n"
                                            "    <ID>id2</ID>\n"
                                            "    <Filter>\n"
                                            "       <Prefix>logs/</Prefix>\n"
                                            "    </Filter>\n"
                                            "    <Status>Enabled</Status>\n"
                                            "    <Expiration>\n"
                                            "      <Days>365</Days>\n"
                                            "    </Expiration>\n"
                                            "  </Rule>\n"
                                            "</LifecycleConfiguration>\n";

START_TEST(test_lifecycle_doc_example)
{
    struct lk_ir_lifecycle lc;
    unsigned um = 99;
    ck_assert_int_eq(s_parse_lifecycle(LIFECYCLE_DOC, strlen(LIFECYCLE_DOC),
                                       "all_storage_classes_128K", &lc, &um),
                     0);
    ck_assert_uint_eq(um, 0);
    ck_assert(lc.present);
    ck_assert_int_eq(lc.transition_min_size, LK_IR_TMS_ALL_128K);
    ck_assert_uint_eq(lc.n_rules, 2);
    ck_assert_str_eq(lc.rules[0].id, "id1");
    ck_assert_str_eq(lc.rules[0].prefix, "documents/");
    ck_assert(lc.rules[0].enabled);
    ck_assert_uint_eq(lc.rules[0].n_transitions, 1);
    ck_assert_int_eq(lc.rules[0].transitions[0].days, 30);
    ck_assert_int_eq(lc.rules[0].transitions[0].storage_class, LK_IR_SC_GLACIER);
    ck_assert_int_eq(lc.rules[0].expiration_days, 0);
    ck_assert_str_eq(lc.rules[1].id, "id2");
    ck_assert_str_eq(lc.rules[1].prefix, "logs/");
    ck_assert_int_eq(lc.rules[1].expiration_days, 365);
    ck_assert_uint_eq(lc.rules[1].n_transitions, 0);
}
END_TEST

/* botocore examples-1.json, GetBucketLifecycleConfiguration: a rule with the deprecated
 * top-level Prefix, as S3 returns rules written with the V1 API. */
START_TEST(test_lifecycle_legacy_prefix)
{
    static const char xml[] = "<LifecycleConfiguration " NS "><Rule><ID>Rule for TaxDocs/</ID>"
                              "<Prefix>TaxDocs</Prefix><Status>Enabled</Status><Transition>"
                              "<Days>365</Days><StorageClass>STANDARD_IA</StorageClass>"
                              "</Transition></Rule></LifecycleConfiguration>";
    struct lk_ir_lifecycle lc;
    ck_assert_int_eq(s_parse_lifecycle(xml, strlen(xml), NULL, &lc, NULL), 0);
    ck_assert_int_eq(lc.transition_min_size, LK_IR_TMS_UNSPECIFIED);
    ck_assert_uint_eq(lc.n_rules, 1);
    ck_assert_str_eq(lc.rules[0].id, "Rule for TaxDocs/");
    ck_assert_str_eq(lc.rules[0].prefix, "TaxDocs");
    ck_assert_int_eq(lc.rules[0].transitions[0].storage_class, LK_IR_SC_STANDARD_IA);
}
END_TEST

/* Everything logkeep writes, out of order, with unknown elements, comments, a foreign
 * namespace element and a prefixed S3 namespace: all read the same. */
START_TEST(test_lifecycle_full_rule_namespaces_unknown)
{
    static const char xml[] =
        "<s3:LifecycleConfiguration xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\" "
        "xmlns:x=\"urn:example:other\">"
        "<!-- comment -->"
        "<s3:Rule><s3:Status>Disabled</s3:Status><s3:FutureElement><s3:Deep>1</s3:Deep>"
        "</s3:FutureElement>"
        "<s3:Transition><s3:Days>365</s3:Days><s3:StorageClass>DEEP_ARCHIVE</s3:StorageClass>"
        "</s3:Transition>"
        "<s3:Transition><s3:Days>90</s3:Days><s3:StorageClass>GLACIER_IR</s3:StorageClass>"
        "</s3:Transition>"
        "<x:Expiration><x:Days>1</x:Days></x:Expiration>"
        "<s3:Expiration><s3:Days>2557</s3:Days></s3:Expiration>"
        "<s3:ID>logkeep-org-trail</s3:ID><s3:Filter><s3:Prefix>cloudtrail/</s3:Prefix>"
        "</s3:Filter><s3:NoncurrentVersionExpiration><s3:NoncurrentDays>30</s3:NoncurrentDays>"
        "</s3:NoncurrentVersionExpiration><s3:AbortIncompleteMultipartUpload>"
        "<s3:DaysAfterInitiation>7</s3:DaysAfterInitiation></s3:AbortIncompleteMultipartUpload>"
        "</s3:Rule>"
        "<Rule><ID>a-housekeeping</ID><Filter><Prefix/></Filter><Status>Enabled</Status>"
        "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>"
        "</Rule>"
        "</s3:LifecycleConfiguration>";
    struct lk_ir_lifecycle lc;
    unsigned um = 0;
    ck_assert_msg(s_parse_lifecycle(xml, strlen(xml), "varies_by_storage_class", &lc, &um) == 0,
                  "%s", g_err.message);
    ck_assert_uint_eq(um, 0);
    ck_assert_int_eq(lc.transition_min_size, LK_IR_TMS_VARIES_BY_CLASS);
    ck_assert_uint_eq(lc.n_rules, 2);
    /* Rules sorted by ID; the no-namespace Rule is read too. */
    const struct lk_ir_lifecycle_rule *h = &lc.rules[0], *r = &lc.rules[1];
    ck_assert_str_eq(h->id, "a-housekeeping");
    ck_assert_str_eq(h->prefix, "");
    ck_assert(h->expired_object_delete_marker);
    ck_assert_str_eq(r->id, "logkeep-org-trail");
    ck_assert(!r->enabled);
    ck_assert_str_eq(r->prefix, "cloudtrail/");
    ck_assert_int_eq(r->expiration_days, 2557); /* the foreign x:Expiration is ignored */
    ck_assert_uint_eq(r->n_transitions, 2);     /* sorted by days */
    ck_assert_int_eq(r->transitions[0].days, 90);
    ck_assert_int_eq(r->transitions[0].storage_class, LK_IR_SC_GLACIER_IR);
    ck_assert_int_eq(r->transitions[1].days, 365);
    ck_assert_int_eq(r->transitions[1].storage_class, LK_IR_SC_DEEP_ARCHIVE);
    ck_assert_int_eq(r->noncurrent_expiration_days, 30);
    ck_assert_int_eq(r->abort_incomplete_upload_days, 7);
    ck_assert_uint_eq(r->sources.n, 0);
}
END_TEST

START_TEST(test_lifecycle_unmodelled)
{
    static const char xml[] =
        "<LifecycleConfiguration " NS "><Rule><ID>t</ID><Filter><And><Prefix>p/</Prefix>"
        "<Tag><Key>k</Key><Value>v</Value></Tag></And></Filter><Status>Enabled</Status>"
        "<Transition><Date>2030-01-01T00:00:00.000Z</Date><StorageClass>GLACIER</StorageClass>"
        "</Transition><Transition><Days>10</Days><StorageClass>EXPRESS_ONEZONE</StorageClass>"
        "</Transition><NoncurrentVersionTransition><NoncurrentDays>30</NoncurrentDays>"
        "<StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition>"
        "<NoncurrentVersionExpiration><NoncurrentDays>40</NoncurrentDays>"
        "<NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration>"
        "</Rule></LifecycleConfiguration>";
    struct lk_ir_lifecycle lc;
    unsigned um = 0;
    ck_assert_int_eq(s_parse_lifecycle(xml, strlen(xml), "some_future_value", &lc, &um), 0);
    ck_assert_uint_eq(um, LK_IR_UNMODELLED_FILTER | LK_IR_UNMODELLED_DATE |
                              LK_IR_UNMODELLED_STORAGE_CLASS |
                              LK_IR_UNMODELLED_NONCURRENT_TRANSITION |
                              LK_IR_UNMODELLED_NEWER_NONCURRENT | LK_IR_UNMODELLED_MIN_SIZE);
    ck_assert_str_eq(lc.rules[0].prefix, "p/");
    ck_assert_uint_eq(lc.rules[0].n_transitions, 0);
    ck_assert_int_eq(lc.rules[0].noncurrent_expiration_days, 40);

    /* A filter on tags or object size is reported for the bucket as a whole (applying replaces
     * the whole configuration: replace-lifecycle:<bucket>), not rule by rule; the bucket's other
     * bits stay. */
    static const char two[] =
        "<LifecycleConfiguration " NS "><Rule><ID>z</ID><Filter><ObjectSizeGreaterThan>1024"
        "</ObjectSizeGreaterThan></Filter><Status>Enabled</Status><Expiration><Days>1</Days>"
        "</Expiration></Rule><Rule><ID>plain</ID><Filter><Prefix>p/</Prefix></Filter>"
        "<Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule><Rule><ID>a</ID>"
        "<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>"
        "<Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>";
    struct lk_ir_bucket b;
    memset(&b, 0, sizeof(b));
    b.unmodelled = LK_IR_UNMODELLED_ENCRYPTION | LK_IR_UNMODELLED_DATE;
    ck_assert_msg(lk_s3_parse_lifecycle(g_st, two, strlen(two), NULL, &b, &g_err) == 0, "%s",
                  g_err.message);
    ck_assert_uint_eq(b.unmodelled, LK_IR_UNMODELLED_FILTER | LK_IR_UNMODELLED_ENCRYPTION);
    ck_assert_uint_eq(b.unmodelled_filter_rule_ids.n, 0);
    ck_assert_uint_eq(b.lifecycle.n_rules, 3);
}
END_TEST

START_TEST(test_lifecycle_empty_and_errors)
{
    struct lk_ir_lifecycle lc;
    static const char empty[] = "<LifecycleConfiguration " NS "/>";
    ck_assert_int_eq(s_parse_lifecycle(empty, strlen(empty), NULL, &lc, NULL), 0);
    ck_assert(lc.present);
    ck_assert_uint_eq(lc.n_rules, 0);

    /* Not XML: malformed; XML that is not a lifecycle configuration: unexpected content. */
    static const struct {
        const char *xml;
        enum lk_status status;
    } bad[] = {
        {"", LK_STATUS_MALFORMED},
        {"garbage", LK_STATUS_MALFORMED},
        {"<LifecycleConfiguration " NS "><Rule><ID>x</ID>", LK_STATUS_MALFORMED}, /* truncated */
        {"<x:LifecycleConfiguration xmlns:x=\"urn:other\"/>", /* root in a foreign namespace */
         LK_STATUS_SCHEMA},
        {"<LifecycleConfiguration " NS "><Rule><ID>x</ID><Status>On</Status></Rule>"
         "</LifecycleConfiguration>",
         LK_STATUS_SCHEMA},
        {"<LifecycleConfiguration " NS "><Rule><ID>x</ID><Status>Enabled</Status><Expiration>"
         "<Days>-5</Days></Expiration></Rule></LifecycleConfiguration>",
         LK_STATUS_SCHEMA},
        {"<LifecycleConfiguration " NS "><Rule><ID>x</ID><Status>Enabled</Status><Expiration>"
         "<Days>99999999999</Days></Expiration></Rule></LifecycleConfiguration>",
         LK_STATUS_SCHEMA},
        {"<LifecycleConfiguration " NS "><Rule><ID>x</ID><Status>Enabled</Status><Transition>"
         "<Days>3</Days></Transition></Rule></LifecycleConfiguration>",
         LK_STATUS_SCHEMA},
        {"<LifecycleConfiguration " NS "><Rule><Status>Enabled</Status></Rule>"
         "</LifecycleConfiguration>trailing",
         LK_STATUS_MALFORMED},
        {"<LifecycleConfiguration " NS "><s3:Rule/></LifecycleConfiguration>", /* unbound prefix */
         LK_STATUS_MALFORMED},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        lk_error_clear(&g_err);
        enum lk_status rc = s_parse_lifecycle(bad[i].xml, strlen(bad[i].xml), NULL, &lc, NULL);
        ck_assert_msg(rc == bad[i].status, "case %zu: %s, expected %s (%s)", i, lk_status_name(rc),
                      lk_status_name(bad[i].status), g_err.message);
        ck_assert_int_eq(g_err.status, rc);
        ck_assert_msg(g_err.message[0] != '\0', "case %zu: no message", i);
    }
    ck_assert_int_eq(s_parse_lifecycle(NULL, 0, NULL, &lc, NULL), LK_STATUS_MALFORMED);
}
END_TEST

/* The root element's name is not checked, as in the AWS SDKs' REST-XML parsers: an emulator's
 * <GetBucketLifecycleConfigurationResponse> (or any other name) is read by its children. */
START_TEST(test_xml_root_name_not_checked)
{
    struct lk_ir_lifecycle lc;
    static const char wrapped[] =
        "<GetBucketLifecycleConfigurationResponse " NS "><Rule><ID>r</ID><Filter><Prefix>p/"
        "</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration>"
        "</Rule></GetBucketLifecycleConfigurationResponse>";
    ck_assert_msg(s_parse_lifecycle(wrapped, strlen(wrapped), NULL, &lc, NULL) == 0, "%s",
                  g_err.message);
    ck_assert_uint_eq(lc.n_rules, 1);
    ck_assert_int_eq(lc.rules[0].expiration_days, 30);
    /* Another configuration's root holds no <Rule>: an empty configuration. */
    static const char other[] = "<VersioningConfiguration " NS "/>";
    ck_assert_int_eq(s_parse_lifecycle(other, strlen(other), NULL, &lc, NULL), 0);
    ck_assert(lc.present);
    ck_assert_uint_eq(lc.n_rules, 0);
    /* <Days>0</Days> beside <ExpiredObjectDeleteMarker> is absent; alone it is refused. */
    static const char zero[] =
        "<LifecycleConfiguration " NS "><Rule><ID>m</ID><Status>Enabled</Status><Expiration>"
        "<Days>0</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>"
        "</Rule></LifecycleConfiguration>";
    ck_assert_msg(s_parse_lifecycle(zero, strlen(zero), NULL, &lc, NULL) == 0, "%s", g_err.message);
    ck_assert_int_eq(lc.rules[0].expiration_days, 0);
    ck_assert(lc.rules[0].expired_object_delete_marker);
    static const char zero_alone[] =
        "<LifecycleConfiguration " NS "><Rule><ID>m</ID><Status>Enabled</Status><Expiration>"
        "<Days>0</Days></Expiration></Rule></LifecycleConfiguration>";
    ck_assert_int_eq(s_parse_lifecycle(zero_alone, strlen(zero_alone), NULL, &lc, NULL),
                     LK_STATUS_SCHEMA);

    struct lk_ir_bucket b = {0};
    static const char ver[] = "<GetBucketVersioningResponse " NS "><Status>Enabled</Status>"
                              "<Unknown><Deep>1</Deep></Unknown></GetBucketVersioningResponse>";
    ck_assert_int_eq(lk_s3_parse_versioning(ver, strlen(ver), &b, &g_err), 0);
    ck_assert_int_eq(b.versioning, LK_IR_VERSIONING_ENABLED);
    /* Still refused: a root in another namespace, whose children would all read as absent. */
    static const char foreign[] = "<VersioningConfiguration xmlns=\"urn:other\"><Status>Enabled"
                                  "</Status></VersioningConfiguration>";
    ck_assert_int_eq(lk_s3_parse_versioning(foreign, strlen(foreign), &b, &g_err),
                     LK_STATUS_SCHEMA);
    ck_assert_ptr_nonnull(strstr(g_err.message, "namespace"));
}
END_TEST

/* A document type declaration (the "billion laughs" entity bomb) is refused before any entity
 * is expanded. */
START_TEST(test_xml_dtd_refused)
{
    static const char xml[] =
        "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
        "<LifecycleConfiguration " NS "><Rule><ID>&c;</ID><Status>Enabled</Status></Rule>"
        "</LifecycleConfiguration>";
    struct lk_ir_lifecycle lc;
    ck_assert_int_eq(s_parse_lifecycle(xml, strlen(xml), NULL, &lc, NULL), LK_STATUS_MALFORMED);
    ck_assert_ptr_nonnull(strstr(g_err.message, "document type"));
    static const char ext[] = "<!DOCTYPE x SYSTEM \"file:///etc/passwd\"><LocationConstraint/>";
    char *region = NULL;
    ck_assert_int_eq(lk_s3_parse_location(g_st, ext, strlen(ext), &region, &g_err),
                     LK_STATUS_MALFORMED);
}
END_TEST

START_TEST(test_xml_bounds)
{
    struct lk_ir_lifecycle lc;
    /* Nesting: 10,000 levels is refused at LK_S3_XML_MAX_DEPTH, without deep recursion. */
    size_t depth = 10000;
    char *deep = malloc(depth * 7 + 64);
    ck_assert_ptr_nonnull(deep);
    size_t n = (size_t)sprintf(deep, "<LifecycleConfiguration>");
    for (size_t i = 0; i < depth; i++)
        n += (size_t)sprintf(deep + n, "<Rule>");
    ck_assert_int_eq(s_parse_lifecycle(deep, n, NULL, &lc, NULL), LK_STATUS_MALFORMED);
    ck_assert_ptr_nonnull(strstr(g_err.message, "deep"));
    free(deep);

    /* Too many elements. */
    size_t count = LK_S3_XML_MAX_ELEMENTS + 10;
    char *wide = malloc(count * 4 + 64);
    ck_assert_ptr_nonnull(wide);
    n = (size_t)sprintf(wide, "<LifecycleConfiguration>");
    for (size_t i = 0; i < count; i++)
        n += (size_t)sprintf(wide + n, "<a/>");
    n += (size_t)sprintf(wide + n, "</LifecycleConfiguration>");
    ck_assert_int_eq(s_parse_lifecycle(wide, n, NULL, &lc, NULL), LK_STATUS_MALFORMED);
    ck_assert_ptr_nonnull(strstr(g_err.message, "many"));
    free(wide);

    /* Over the size limit. */
    size_t big = LK_S3_XML_MAX_BYTES + 1;
    char *huge = malloc(big);
    ck_assert_ptr_nonnull(huge);
    memset(huge, ' ', big);
    ck_assert_int_eq(s_parse_lifecycle(huge, big, NULL, &lc, NULL), LK_STATUS_TOO_LARGE);
    ck_assert_ptr_nonnull(strstr(g_err.message, "limit"));

    /* A text node over the text limit. */
    n = (size_t)sprintf(huge, "<LifecycleConfiguration><Rule><ID>");
    memset(huge + n, 'a', LK_S3_XML_MAX_TEXT_BYTES + 1);
    n += LK_S3_XML_MAX_TEXT_BYTES + 1;
    n += (size_t)sprintf(huge + n, "</ID></Rule></LifecycleConfiguration>");
    ck_assert_int_eq(s_parse_lifecycle(huge, n, NULL, &lc, NULL), LK_STATUS_MALFORMED);
    ck_assert_ptr_nonnull(strstr(g_err.message, "text"));
    free(huge);
}
END_TEST

/* ------------------------------------------------------------------------------ other S3 */

START_TEST(test_versioning)
{
    struct lk_ir_bucket b = {0};
    /* botocore examples-1.json GetBucketVersioning: Status Enabled, MFADelete Disabled. */
    static const char on[] = "<VersioningConfiguration " NS "><Status>Enabled</Status>"
                             "<MfaDelete>Disabled</MfaDelete></VersioningConfiguration>";
    ck_assert_int_eq(lk_s3_parse_versioning(on, strlen(on), &b, &g_err), 0);
    ck_assert_int_eq(b.versioning, LK_IR_VERSIONING_ENABLED);
    ck_assert(!b.mfa_delete);
    static const char susp[] = "<VersioningConfiguration " NS "><Status>Suspended</Status>"
                               "<MfaDelete>Enabled</MfaDelete></VersioningConfiguration>";
    ck_assert_int_eq(lk_s3_parse_versioning(susp, strlen(susp), &b, &g_err), 0);
    ck_assert_int_eq(b.versioning, LK_IR_VERSIONING_SUSPENDED);
    ck_assert(b.mfa_delete);
    /* Never versioned: no Status at all (S3 API Reference, GetBucketVersioning). */
    static const char never[] = XMLDECL "<VersioningConfiguration " NS "/>";
    ck_assert_int_eq(lk_s3_parse_versioning(never, strlen(never), &b, &g_err), 0);
    ck_assert_int_eq(b.versioning, LK_IR_VERSIONING_NEVER);
    ck_assert(!b.mfa_delete);
    static const char bad[] = "<VersioningConfiguration><Status>On</Status>"
                              "</VersioningConfiguration>";
    ck_assert_int_eq(lk_s3_parse_versioning(bad, strlen(bad), &b, &g_err), LK_STATUS_SCHEMA);
}
END_TEST

START_TEST(test_object_versions)
{
    bool holds = false;
    /* S3 API Reference, ListObjectVersions response syntax: a page with one version. */
    static const char one[] = XMLDECL "<ListVersionsResult " NS "><IsTruncated>true</IsTruncated>"
                                      "<Name>b</Name><MaxKeys>1</MaxKeys><Version><Key>k</Key>"
                                      "<VersionId>v1</VersionId><IsLatest>true</IsLatest></Version>"
                                      "</ListVersionsResult>";
    ck_assert_int_eq(lk_s3_parse_object_versions(one, strlen(one), &holds, &g_err), 0);
    ck_assert(holds);
    /* Only a delete marker: the objects behind it are noncurrent versions. */
    static const char marker[] = "<ListVersionsResult " NS "><IsTruncated>false</IsTruncated>"
                                 "<DeleteMarker><Key>k</Key><VersionId>v2</VersionId>"
                                 "</DeleteMarker></ListVersionsResult>";
    holds = false;
    ck_assert_int_eq(lk_s3_parse_object_versions(marker, strlen(marker), &holds, &g_err), 0);
    ck_assert(holds);
    /* An empty bucket. */
    static const char empty[] = "<ListVersionsResult " NS "><IsTruncated>false</IsTruncated>"
                                "<Name>b</Name><MaxKeys>1</MaxKeys></ListVersionsResult>";
    holds = true;
    ck_assert_int_eq(lk_s3_parse_object_versions(empty, strlen(empty), &holds, &g_err), 0);
    ck_assert(!holds);
    /* A page that says more follow, with nothing on it, is not "empty". */
    static const char more[] = "<ListVersionsResult><IsTruncated>true</IsTruncated>"
                               "</ListVersionsResult>";
    ck_assert_int_eq(lk_s3_parse_object_versions(more, strlen(more), &holds, &g_err), 0);
    ck_assert(holds);
    static const char bad[] = "<ListVersionsResult><IsTruncated>maybe</IsTruncated>"
                              "</ListVersionsResult>";
    ck_assert_int_eq(lk_s3_parse_object_versions(bad, strlen(bad), &holds, &g_err),
                     LK_STATUS_SCHEMA);
    static const char other[] = "<ListBucketResult/>";
    ck_assert_int_eq(lk_s3_parse_object_versions(other, strlen(other), &holds, &g_err),
                     LK_STATUS_SCHEMA);
    ck_assert_int_eq(lk_s3_parse_object_versions("<a", 2, &holds, &g_err), LK_STATUS_MALFORMED);
}
END_TEST

START_TEST(test_object_lock)
{
    struct lk_ir_bucket b = {0};
    /* S3 API Reference, GetObjectLockConfiguration response syntax. */
    static const char years[] = "<ObjectLockConfiguration " NS ">\n"
                                "   <ObjectLockEnabled>Enabled</ObjectLockEnabled>\n"
                                "   <Rule>\n"
                                "      <DefaultRetention>\n"
                                "         <Mode>COMPLIANCE</Mode>\n"
                                "         <Years>1</Years>\n"
                                "      </DefaultRetention>\n"
                                "   </Rule>\n"
                                "</ObjectLockConfiguration>";
    ck_assert_int_eq(lk_s3_parse_object_lock(years, strlen(years), &b, &g_err), 0);
    ck_assert(b.object_lock.enabled);
    ck_assert_int_eq(b.object_lock.mode, LK_IR_LOCK_COMPLIANCE);
    ck_assert_int_eq(b.object_lock.years, 1);
    ck_assert_int_eq(b.object_lock.days, 0);
    static const char days[] = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled"
                               "</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE"
                               "</Mode><Days>90</Days></DefaultRetention></Rule>"
                               "</ObjectLockConfiguration>";
    ck_assert_int_eq(lk_s3_parse_object_lock(days, strlen(days), &b, &g_err), 0);
    ck_assert_int_eq(b.object_lock.mode, LK_IR_LOCK_GOVERNANCE);
    ck_assert_int_eq(b.object_lock.days, 90);
    ck_assert_int_eq(b.object_lock.years, 0);
    static const char norule[] = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled"
                                 "</ObjectLockEnabled></ObjectLockConfiguration>";
    ck_assert_int_eq(lk_s3_parse_object_lock(norule, strlen(norule), &b, &g_err), 0);
    ck_assert(b.object_lock.enabled);
    ck_assert_int_eq(b.object_lock.mode, LK_IR_LOCK_NONE);
    static const char both[] = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled"
                               "</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE"
                               "</Mode><Days>9</Days><Years>1</Years></DefaultRetention></Rule>"
                               "</ObjectLockConfiguration>";
    ck_assert_int_eq(lk_s3_parse_object_lock(both, strlen(both), &b, &g_err), LK_STATUS_SCHEMA);
    /* A zero-valued alternative is absent (an emulator's Days 365 with Years 0). */
    static const char zero_years[] = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled"
                                     "</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE"
                                     "</Mode><Days>365</Days><Years>0</Years></DefaultRetention>"
                                     "</Rule></ObjectLockConfiguration>";
    ck_assert_msg(lk_s3_parse_object_lock(zero_years, strlen(zero_years), &b, &g_err) == 0, "%s",
                  g_err.message);
    ck_assert_int_eq(b.object_lock.mode, LK_IR_LOCK_COMPLIANCE);
    ck_assert_int_eq(b.object_lock.days, 365);
    ck_assert_int_eq(b.object_lock.years, 0);
    static const char zero_days[] = "<ObjectLockConfiguration><Rule><DefaultRetention><Mode>"
                                    "GOVERNANCE</Mode><Days>0</Days><Years>2</Years>"
                                    "</DefaultRetention></Rule></ObjectLockConfiguration>";
    ck_assert_int_eq(lk_s3_parse_object_lock(zero_days, strlen(zero_days), &b, &g_err), 0);
    ck_assert_int_eq(b.object_lock.days, 0);
    ck_assert_int_eq(b.object_lock.years, 2);
    /* Both zero: no period at all, which S3 requires. */
    static const char zero_both[] = "<ObjectLockConfiguration><Rule><DefaultRetention><Mode>"
                                    "GOVERNANCE</Mode><Days>0</Days><Years>0</Years>"
                                    "</DefaultRetention></Rule></ObjectLockConfiguration>";
    ck_assert_int_eq(lk_s3_parse_object_lock(zero_both, strlen(zero_both), &b, &g_err),
                     LK_STATUS_SCHEMA);
    /* No mode and no period (an emulator's empty element): no default retention. */
    static const char empty_ret[] = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled"
                                    "</ObjectLockEnabled><Rule><DefaultRetention><Years>0</Years>"
                                    "</DefaultRetention></Rule></ObjectLockConfiguration>";
    ck_assert_int_eq(lk_s3_parse_object_lock(empty_ret, strlen(empty_ret), &b, &g_err), 0);
    ck_assert(b.object_lock.enabled);
    ck_assert_int_eq(b.object_lock.mode, LK_IR_LOCK_NONE);
    ck_assert_int_eq(b.object_lock.years, 0);
    /* A period without a mode stays an error: S3 requires both. */
    static const char no_mode[] = "<ObjectLockConfiguration><Rule><DefaultRetention><Days>5"
                                  "</Days></DefaultRetention></Rule></ObjectLockConfiguration>";
    ck_assert_int_eq(lk_s3_parse_object_lock(no_mode, strlen(no_mode), &b, &g_err),
                     LK_STATUS_SCHEMA);
    /* A string where a number is required stays an error naming the member. */
    static const char word[] = "<ObjectLockConfiguration><Rule><DefaultRetention><Mode>GOVERNANCE"
                               "</Mode><Days>a year</Days></DefaultRetention></Rule>"
                               "</ObjectLockConfiguration>";
    ck_assert_int_eq(lk_s3_parse_object_lock(word, strlen(word), &b, &g_err), LK_STATUS_SCHEMA);
    ck_assert_ptr_nonnull(strstr(g_err.message, "<Days>"));
    static const char mode[] = "<ObjectLockConfiguration><Rule><DefaultRetention><Mode>STRICT"
                               "</Mode><Days>9</Days></DefaultRetention></Rule>"
                               "</ObjectLockConfiguration>";
    ck_assert_int_eq(lk_s3_parse_object_lock(mode, strlen(mode), &b, &g_err), LK_STATUS_SCHEMA);
    /* Too long to read whole: refused, not read as its first digits (36). */
    static const char zeros[] = "<ObjectLockConfiguration><Rule><DefaultRetention><Mode>GOVERNANCE"
                                "</Mode><Days>00000000000000000000000000000365000</Days>"
                                "</DefaultRetention></Rule></ObjectLockConfiguration>";
    ck_assert_int_eq(lk_s3_parse_object_lock(zeros, strlen(zeros), &b, &g_err), LK_STATUS_SCHEMA);
    ck_assert_str_eq(g_err.message, "<Days> is not a number in range: 00000000000000000000");
}
END_TEST

START_TEST(test_public_access_block)
{
    struct lk_ir_bucket b = {0};
    /* S3 API Reference, GetPublicAccessBlock response syntax. */
    static const char xml[] = "<PublicAccessBlockConfiguration " NS ">\n"
                              "   <BlockPublicAcls>true</BlockPublicAcls>\n"
                              "   <IgnorePublicAcls>false</IgnorePublicAcls>\n"
                              "   <BlockPublicPolicy>true</BlockPublicPolicy>\n"
                              "   <RestrictPublicBuckets>1</RestrictPublicBuckets>\n"
                              "</PublicAccessBlockConfiguration>";
    ck_assert_int_eq(lk_s3_parse_public_access_block(xml, strlen(xml), &b, &g_err), 0);
    ck_assert(b.public_access_block.present);
    ck_assert(b.public_access_block.block_public_acls);
    ck_assert(!b.public_access_block.ignore_public_acls);
    ck_assert(b.public_access_block.block_public_policy);
    ck_assert(b.public_access_block.restrict_public_buckets);
    static const char bad[] = "<PublicAccessBlockConfiguration><BlockPublicAcls>yes"
                              "</BlockPublicAcls></PublicAccessBlockConfiguration>";
    ck_assert_int_eq(lk_s3_parse_public_access_block(bad, strlen(bad), &b, &g_err),
                     LK_STATUS_SCHEMA);
}
END_TEST

START_TEST(test_encryption)
{
    struct lk_ir_bucket b = {0};
    b.unmodelled = LK_IR_UNMODELLED_ENCRYPTION | LK_IR_UNMODELLED_FILTER;
    /* S3 API Reference, GetBucketEncryption response syntax (SSE-S3, the default since 2023). */
    static const char sse_s3[] =
        "<ServerSideEncryptionConfiguration " NS "><Rule><ApplyServerSideEncryptionByDefault>"
        "<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>"
        "<BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>";
    ck_assert_int_eq(lk_s3_parse_encryption(g_st, sse_s3, strlen(sse_s3), &b, &g_err), 0);
    ck_assert_uint_eq(b.unmodelled, LK_IR_UNMODELLED_FILTER); /* only its own bit replaced */
    b.unmodelled = 0;
    ck_assert(b.encryption.present);
    ck_assert_str_eq(b.encryption.algorithm, "AES256");
    ck_assert_ptr_null(b.encryption.kms_key_id);
    ck_assert(!b.encryption.bucket_key_enabled);
    static const char kms[] =
        "<ServerSideEncryptionConfiguration " NS "><Rule><ApplyServerSideEncryptionByDefault>"
        "<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>arn:aws:kms:us-east-1:111122223333:"
        "key/1234abcd-12ab-34cd-56ef-1234567890ab</KMSMasterKeyID>"
        "</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled>"
        "<BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes>"
        "</Rule></ServerSideEncryptionConfiguration>";
    ck_assert_int_eq(lk_s3_parse_encryption(g_st, kms, strlen(kms), &b, &g_err), 0);
    ck_assert_uint_eq(b.unmodelled, LK_IR_UNMODELLED_ENCRYPTION);
    ck_assert_str_eq(b.encryption.algorithm, "aws:kms");
    ck_assert_str_eq(b.encryption.kms_key_id,
                     "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    ck_assert(b.encryption.bucket_key_enabled);
    static const char norule[] = "<ServerSideEncryptionConfiguration " NS "/>";
    ck_assert_int_eq(lk_s3_parse_encryption(g_st, norule, strlen(norule), &b, &g_err),
                     LK_STATUS_SCHEMA);
}
END_TEST

START_TEST(test_location)
{
    char *r = NULL;
    /* botocore examples-1.json GetBucketLocation: us-west-2. */
    static const char w2[] = XMLDECL "<LocationConstraint " NS ">us-west-2</LocationConstraint>";
    ck_assert_int_eq(lk_s3_parse_location(g_st, w2, strlen(w2), &r, &g_err), 0);
    ck_assert_str_eq(r, "us-west-2");
    /* "Buckets in Region us-east-1 have a LocationConstraint of null." */
    static const char e1[] = "<LocationConstraint " NS "/>";
    ck_assert_int_eq(lk_s3_parse_location(g_st, e1, strlen(e1), &r, &g_err), 0);
    ck_assert_str_eq(r, "us-east-1");
    static const char e1b[] = "<LocationConstraint " NS "></LocationConstraint>";
    ck_assert_int_eq(lk_s3_parse_location(g_st, e1b, strlen(e1b), &r, &g_err), 0);
    ck_assert_str_eq(r, "us-east-1");
    /* "Buckets with a LocationConstraint of EU reside in eu-west-1." */
    static const char eu[] = "<LocationConstraint " NS ">EU</LocationConstraint>";
    ck_assert_int_eq(lk_s3_parse_location(g_st, eu, strlen(eu), &r, &g_err), 0);
    ck_assert_str_eq(r, "eu-west-1");
    static const char bad[] = "<LocationConstraint>eu west/1</LocationConstraint>";
    ck_assert_int_eq(lk_s3_parse_location(g_st, bad, strlen(bad), &r, &g_err), LK_STATUS_SCHEMA);
}
END_TEST

START_TEST(test_transition_min_size)
{
    enum lk_ir_transition_min_size v;
    ck_assert(lk_s3_transition_min_size_parse(NULL, &v));
    ck_assert_int_eq(v, LK_IR_TMS_UNSPECIFIED);
    ck_assert(lk_s3_transition_min_size_parse("all_storage_classes_128K", &v));
    ck_assert_int_eq(v, LK_IR_TMS_ALL_128K);
    ck_assert(lk_s3_transition_min_size_parse("varies_by_storage_class", &v));
    ck_assert_int_eq(v, LK_IR_TMS_VARIES_BY_CLASS);
    ck_assert(!lk_s3_transition_min_size_parse("128K", &v));
    ck_assert_str_eq(lk_s3_transition_min_size_api(LK_IR_TMS_ALL_128K), "all_storage_classes_128K");
    ck_assert_ptr_null(lk_s3_transition_min_size_api(LK_IR_TMS_UNSPECIFIED));
}
END_TEST

/* ------------------------------------------------------------------------------ policies */

/* lk_policy_json_parse() into a bucket; @p um (may be NULL) receives its unmodelled bits. */
static struct lk_ir_bucket_policy s_policy(const char *json, unsigned *um)
{
    struct lk_ir_bucket b;
    memset(&b, 0, sizeof(b));
    ck_assert_msg(lk_policy_json_parse(g_st, json, strlen(json), "aws", &b, &g_err) == 0, "%s",
                  g_err.message);
    if (um)
        *um = b.unmodelled;
    return b.policy;
}

/* botocore examples-1.json GetBucketPolicy: Version 2008-10-17, an account id principal, lists. */
START_TEST(test_policy_botocore_example)
{
    static const char json[] =
        "{\"Version\":\"2008-10-17\",\"Id\":\"LogPolicy\",\"Statement\":[{\"Sid\":\"Enables the "
        "log delivery group to publish logs to your bucket \",\"Effect\":\"Allow\",\"Principal\":"
        "{\"AWS\":\"111122223333\"},\"Action\":[\"s3:GetBucketAcl\",\"s3:GetObjectAcl\","
        "\"s3:PutObject\"],\"Resource\":[\"arn:aws:s3:::policytest1/*\","
        "\"arn:aws:s3:::policytest1\"]}]}";
    unsigned um = 7;
    struct lk_ir_bucket_policy p = s_policy(json, &um);
    ck_assert_uint_eq(um, 0);
    ck_assert(p.present);
    ck_assert_str_eq(p.version, "2008-10-17");
    ck_assert_uint_eq(p.n_statements, 1);
    const struct lk_ir_statement *s = &p.statements[0];
    ck_assert(s->allow);
    ck_assert_int_eq(s->principal_kind, LK_IR_PRINCIPAL_AWS);
    ck_assert_uint_eq(s->principals.n, 1);
    ck_assert_str_eq(s->principals.items[0], "arn:aws:iam::111122223333:root");
    ck_assert_uint_eq(s->actions.n, 3);
    ck_assert_str_eq(s->actions.items[0], "s3:GetBucketAcl");
    ck_assert_uint_eq(s->resources.n, 2);
    ck_assert_str_eq(s->resources.items[0], "arn:aws:s3:::policytest1"); /* sorted */
}
END_TEST

START_TEST(test_policy_string_vs_list_and_any)
{
    /* The same statement four ways: Statement object vs list, string vs one-element lists,
     * "*" vs {"AWS": "*"} vs {"AWS": ["*"]}. */
    static const char *const forms[] = {
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"D\",\"Effect\":\"Deny\","
        "\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b\",\"Condition\":"
        "{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}}",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"D\",\"Effect\":\"Deny\","
        "\"Principal\":{\"AWS\":\"*\"},\"Action\":[\"s3:*\"],\"Resource\":[\"arn:aws:s3:::b\"],"
        "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":[\"false\"]}}}]}",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"D\",\"Effect\":\"Deny\","
        "\"Principal\":{\"AWS\":[\"*\"]},\"Action\":[\"s3:*\",\"s3:*\"],\"Resource\":"
        "\"arn:aws:s3:::b\",\"Condition\":{\"Bool\":{\"AWS:SECURETRANSPORT\":false}}}]}",
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"D\",\"Effect\":\"Deny\","
        "\"Principal\":{\"AWS\":[\"arn:aws:iam::111122223333:root\",\"*\"]},\"Action\":\"s3:*\","
        "\"Resource\":\"arn:aws:s3:::b\",\"Condition\":{\"Bool\":{\"aws:securetransport\":"
        "[false]}}}]}",
    };
    struct lk_ir_bucket_policy first = s_policy(forms[0], NULL);
    ck_assert_int_eq(first.statements[0].principal_kind, LK_IR_PRINCIPAL_ANY);
    ck_assert_uint_eq(first.statements[0].principals.n, 0);
    ck_assert_str_eq(first.statements[0].conditions[0].key, "aws:SecureTransport");
    ck_assert_str_eq(first.statements[0].conditions[0].values.items[0], "false");
    for (size_t i = 1; i < sizeof(forms) / sizeof(forms[0]); i++) {
        unsigned um = 0;
        struct lk_ir_bucket_policy p = s_policy(forms[i], &um);
        ck_assert_uint_eq(um, 0);
        const char *d = lk_svc_cmp_policy(&first, &p);
        ck_assert_msg(d == NULL, "form %zu: %s", i, d);
    }
}
END_TEST

START_TEST(test_policy_principals_conditions)
{
    static const char json[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":["
        "{\"Sid\":\"Svc\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":[\"logging.s3.amazonaws"
        ".com\",\"delivery.logs.amazonaws.com\"]},\"Action\":\"s3:PutObject\",\"Resource\":"
        "\"arn:aws:s3:::b/*\",\"Condition\":{\"StringEquals\":{\"aws:SourceAccount\":"
        "\"111122223333\",\"s3:x-amz-acl\":\"bucket-owner-full-control\"},\"ArnLike\":{"
        "\"aws:SourceArn\":[\"arn:aws:logs:us-east-1:111122223333:*\"]},\"NumericLessThan\":{"
        "\"s3:TlsVersion\":1.2},\"NumericEquals\":{\"s3:max-keys\":10}}},"
        "{\"Sid\":\"Mixed\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"444455556666\","
        "\"arn:aws:iam::111122223333:role/R\"],\"Service\":\"cloudtrail.amazonaws.com\"},"
        "\"Action\":\"s3:GetBucketAcl\",\"Resource\":\"arn:aws:s3:::b\"}]}";
    unsigned um = 0;
    struct lk_ir_bucket_policy p = s_policy(json, &um);
    ck_assert_uint_eq(um, LK_IR_UNMODELLED_POLICY_MIXED_PRINCIPALS);
    ck_assert_uint_eq(p.n_statements, 3);
    /* "Mixed" split into an AWS and a Service statement, sorted by Sid then kind. */
    ck_assert_str_eq(p.statements[0].sid, "Mixed");
    ck_assert_int_eq(p.statements[0].principal_kind, LK_IR_PRINCIPAL_AWS);
    ck_assert_uint_eq(p.statements[0].principals.n, 2);
    ck_assert_str_eq(p.statements[0].principals.items[0], "arn:aws:iam::111122223333:role/R");
    ck_assert_str_eq(p.statements[0].principals.items[1], "arn:aws:iam::444455556666:root");
    ck_assert_str_eq(p.statements[1].sid, "Mixed");
    ck_assert_int_eq(p.statements[1].principal_kind, LK_IR_PRINCIPAL_SERVICE);
    ck_assert_str_eq(p.statements[1].principals.items[0], "cloudtrail.amazonaws.com");
    ck_assert_str_eq(p.statements[1].actions.items[0], "s3:GetBucketAcl");
    const struct lk_ir_statement *s = &p.statements[2];
    ck_assert_str_eq(s->sid, "Svc");
    ck_assert_int_eq(s->principal_kind, LK_IR_PRINCIPAL_SERVICE);
    ck_assert_str_eq(s->principals.items[0], "delivery.logs.amazonaws.com");
    ck_assert_uint_eq(s->n_conditions, 5); /* sorted by operator, then key */
    ck_assert_str_eq(s->conditions[0].op, "ArnLike");
    ck_assert_str_eq(s->conditions[1].op, "NumericEquals");
    ck_assert_str_eq(s->conditions[1].values.items[0], "10");
    ck_assert_str_eq(s->conditions[2].op, "NumericLessThan");
    ck_assert_str_eq(s->conditions[2].values.items[0], "1.2");
    ck_assert_str_eq(s->conditions[3].key, "aws:SourceAccount");
    ck_assert_str_eq(s->conditions[4].key, "s3:x-amz-acl");
}
END_TEST

START_TEST(test_policy_unmodelled_and_defaults)
{
    static const char json[] =
        "{\"Statement\":[{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::1:root\"},"
        "\"NotAction\":\"s3:GetObject\",\"NotResource\":[\"arn:aws:s3:::b/public/*\"]},"
        "{\"Sid\":\"Fed\",\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"cognito-identity."
        "amazonaws.com\"},\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}";
    unsigned um = 0;
    struct lk_ir_bucket_policy p = s_policy(json, &um);
    ck_assert_uint_eq(um,
                      LK_IR_UNMODELLED_POLICY_NOT_ELEMENT | LK_IR_UNMODELLED_POLICY_PRINCIPAL_TYPE);
    ck_assert_str_eq(p.version, "2008-10-17"); /* no Version */
    ck_assert_uint_eq(p.n_statements, 2);
    ck_assert_ptr_null(p.statements[0].sid); /* no Sid sorts first */
    ck_assert_str_eq(p.statements[0].principals.items[0], "NotPrincipal:AWS:arn:aws:iam::1:root");
    ck_assert_str_eq(p.statements[0].actions.items[0], "NotAction:s3:GetObject");
    ck_assert_str_eq(p.statements[0].resources.items[0], "NotResource:arn:aws:s3:::b/public/*");
    ck_assert_str_eq(p.statements[1].principals.items[0],
                     "Federated:cognito-identity.amazonaws.com");
}
END_TEST

START_TEST(test_policy_errors)
{
    static const char *const bad[] = {
        "",
        "not json",
        "[]",
        "{\"Version\":\"2012-10-17\"}",
        "{\"Statement\":[1]}",
        "{\"Statement\":[{\"Effect\":\"allow\",\"Principal\":\"*\",\"Action\":\"a\","
        "\"Resource\":\"r\"}]}",
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"a\",\"Resource\":\"r\"}]}",
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"arn:aws:iam::1:root\","
        "\"Action\":\"a\",\"Resource\":\"r\"}]}",
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{},\"Action\":\"a\","
        "\"Resource\":\"r\"}]}",
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":[1],"
        "\"Resource\":\"r\"}]}",
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"a\"}]}",
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"a\","
        "\"Resource\":\"r\",\"Condition\":{\"StringEquals\":{\"k\":{\"x\":1}}}}]}",
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"a\","
        "\"Resource\":\"r\",\"Condition\":{\"StringEquals\":{\"k\":[]}}}]}",
        "{\"Statement\":[]} trailing",
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"a\","
        "\"Resource\":\"r\"}", /* truncated */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct lk_ir_bucket p = {0};
        lk_error_clear(&g_err);
        ck_assert_msg(lk_policy_json_parse(g_st, bad[i], strlen(bad[i]), NULL, &p, &g_err) ==
                          s_json_refusal(bad[i]),
                      "case %zu accepted", i);
        ck_assert_msg(g_err.message[0], "case %zu: no message", i);
    }
    /* An embedded NUL hides nothing. */
    static const char nul[] = "{\"Statement\":[]}\0{\"x\":1}";
    struct lk_ir_bucket p = {0};
    ck_assert_int_eq(lk_policy_json_parse(g_st, nul, sizeof(nul) - 1, NULL, &p, &g_err),
                     LK_STATUS_MALFORMED);
}
END_TEST

START_TEST(test_json_bounds)
{
    /* 100,000 levels of nesting are refused before cJSON recurses. */
    size_t depth = 100000;
    char *deep = malloc(depth * 2 + 1);
    ck_assert_ptr_nonnull(deep);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    cJSON *j = NULL;
    ck_assert_int_eq(lk_json_parse_bounded(deep, depth * 2, LK_JSON_MAX_BYTES, &j, &g_err),
                     LK_STATUS_MALFORMED);
    ck_assert_ptr_null(j);
    ck_assert_ptr_nonnull(strstr(g_err.message, "nested"));
    /* Brackets inside strings do not count. */
    static const char str[] = "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[\"}";
    ck_assert_int_eq(lk_json_parse_bounded(str, strlen(str), LK_JSON_MAX_BYTES, &j, &g_err),
                     LK_STATUS_OK);
    ck_assert_ptr_nonnull(j);
    cJSON_Delete(j);
    /* A string ends at a quote after an even run of backslashes: the nesting after it counts
     * (one level past the limit is refused, the limit itself is not). */
    for (int extra = 0; extra <= 1; extra++) {
        struct lk_buf b;
        lk_buf_init(&b, LK_BUF_MAX_LINE);
        lk_buf_puts(&b, "[\"a\\\\\", \"b\\\"[\\\\\", ");
        for (int i = 1; i < LK_JSON_MAX_DEPTH + extra; i++)
            lk_buf_putc(&b, '[');
        for (int i = 1; i < LK_JSON_MAX_DEPTH + extra; i++)
            lk_buf_putc(&b, ']');
        lk_buf_putc(&b, ']');
        enum lk_status rc = lk_json_parse_bounded(b.data, b.len, LK_JSON_MAX_BYTES, &j, &g_err);
        if (extra) {
            ck_assert_int_eq(rc, LK_STATUS_MALFORMED);
            ck_assert_ptr_null(j);
            ck_assert_ptr_nonnull(strstr(g_err.message, "nested"));
        } else {
            ck_assert_msg(rc == LK_STATUS_OK && j != NULL, "%s: %s", b.data, g_err.message);
            ck_assert_str_eq(cJSON_GetArrayItem(j, 0)->valuestring, "a\\");
            ck_assert_str_eq(cJSON_GetArrayItem(j, 1)->valuestring, "b\"[\\");
            cJSON_Delete(j);
        }
        lk_buf_free(&b);
    }
    /* An unterminated string is refused by the parser, not mistaken for nesting. */
    ck_assert_int_eq(lk_json_parse_bounded("[\"abc\\\"]", 8, LK_JSON_MAX_BYTES, &j, &g_err),
                     LK_STATUS_MALFORMED);
    ck_assert_ptr_null(j);
    ck_assert_ptr_nonnull(strstr(g_err.message, "invalid JSON"));
    /* The size limit. */
    ck_assert_int_eq(lk_json_parse_bounded(deep, depth * 2, 1000, &j, &g_err), LK_STATUS_TOO_LARGE);
    ck_assert_ptr_null(j);
    ck_assert_ptr_nonnull(strstr(g_err.message, "limit"));
    free(deep);
    struct lk_ir_bucket p = {0};
    char *big = malloc(LK_POLICY_JSON_MAX_BYTES + 2);
    ck_assert_ptr_nonnull(big);
    memset(big, ' ', LK_POLICY_JSON_MAX_BYTES + 1);
    big[0] = '{';
    big[LK_POLICY_JSON_MAX_BYTES] = '}';
    ck_assert_int_eq(
        lk_policy_json_parse(g_st, big, LK_POLICY_JSON_MAX_BYTES + 1, NULL, &p, &g_err),
        LK_STATUS_TOO_LARGE);
    free(big);
}
END_TEST

/* Documents in an arena: one thread's scratch arena serves one document at a time and is
 * reused; a second document opened meanwhile gets its own arena; failures leave nothing. */
START_TEST(test_json_doc_scratch)
{
    static const char a_text[] = "{\"name\": \"first\", \"list\": [1, 2, 3]}";
    static const char b_text[] = "{\"name\": \"second\"}";
    struct lk_arena scratch;
    lk_arena_init(&scratch);
    lk_json_use_scratch(&scratch);

    struct lk_json_doc a, b;
    ck_assert_int_eq(lk_json_doc_parse(&a, a_text, strlen(a_text), 1000, &g_err), LK_STATUS_OK);
    ck_assert_ptr_nonnull(a.root);
    ck_assert(a.in_scratch);
    size_t reserved = scratch.bytes_reserved;
    ck_assert_uint_gt(reserved, 0);
    ck_assert_int_eq(lk_json_doc_parse(&b, b_text, strlen(b_text), 1000, &g_err), LK_STATUS_OK);
    ck_assert_ptr_nonnull(b.root);
    ck_assert(!b.in_scratch);
    lk_json_doc_free(&b);
    /* a is intact after b is freed. */
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(a.root, "name")->valuestring, "first");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(a.root, "list")), 3);
    lk_json_doc_free(&a);
    ck_assert_uint_eq(scratch.bytes_used, 0);

    /* The next document reuses the scratch memory: nothing more is reserved. */
    ck_assert_int_eq(lk_json_doc_parse(&a, a_text, strlen(a_text), 1000, &g_err), LK_STATUS_OK);
    ck_assert(a.in_scratch);
    ck_assert_uint_eq(scratch.bytes_reserved, reserved);
    lk_json_doc_free(&a);

    /* A failed parse (cJSON deletes its partial tree through the hooks) is released too. */
    ck_assert_int_eq(lk_json_doc_parse(&a, "{\"x\": [1, 2,]}", 14, 1000, &g_err),
                     LK_STATUS_MALFORMED);
    ck_assert_ptr_null(a.root);
    ck_assert_ptr_nonnull(strstr(g_err.message, "invalid JSON"));
    lk_json_doc_free(&a);
    ck_assert_int_eq(lk_json_doc_parse(&a, "", 0, 1000, &g_err), LK_STATUS_MALFORMED);
    ck_assert_ptr_null(a.root);
    lk_json_doc_free(&a);

    lk_json_use_scratch(NULL);
    lk_arena_destroy(&scratch);
    /* Without a scratch arena the document has its own. */
    ck_assert_int_eq(lk_json_doc_parse(&a, a_text, strlen(a_text), 1000, &g_err), LK_STATUS_OK);
    ck_assert(!a.in_scratch);
    lk_json_doc_free(&a);
    /* Heap trees still work alongside (cJSON_Delete through the hooks). */
    cJSON *h = NULL;
    ck_assert_int_eq(lk_json_parse_bounded(a_text, strlen(a_text), 1000, &h, &g_err), LK_STATUS_OK);
    ck_assert_ptr_nonnull(h);
    cJSON_Delete(h);
}
END_TEST

/* ------------------------------------------------------------------------------ round trip */

/* Every S3 artifact of examples/quickstart, read back by the parsers, equals the desired IR it
 * was emitted from: emit and parse agree on every field both carry. */
START_TEST(test_round_trip_quickstart_artifacts)
{
    struct lk_ir_state *desired = NULL;
    struct lk_artifacts arts;
    char *dir = lk_svc_srcpath("examples/quickstart");
    struct lk_policy *pol = lk_svc_compile(dir, &desired, &arts);
    ck_assert_uint_ge(desired->n_buckets, 1);
    for (size_t i = 0; i < desired->n_buckets; i++) {
        const struct lk_ir_bucket *want = &desired->buckets[i];
        struct lk_ir_bucket got = {0};
        char path[512];
        const struct lk_artifact *a;

        snprintf(path, sizeof(path), "s3/%s/lifecycle.xml", want->name);
        if ((a = lk_artifacts_find(&arts, path))) {
            const char *hdr = a->headers ? strchr(a->headers, ':') : NULL;
            char value[64] = "";
            if (hdr)
                sscanf(hdr + 1, " %63s", value);
            ck_assert_msg(lk_s3_parse_lifecycle(g_st, a->content, a->len, hdr ? value : NULL, &got,
                                                &g_err) == 0,
                          "%s", g_err.message);
            ck_assert_uint_eq(got.unmodelled, 0);
        }
        snprintf(path, sizeof(path), "s3/%s/policy.json", want->name);
        if ((a = lk_artifacts_find(&arts, path)))
            ck_assert_msg(lk_policy_json_parse(g_st, a->content, a->len, desired->partition, &got,
                                               &g_err) == 0,
                          "%s", g_err.message);
        snprintf(path, sizeof(path), "s3/%s/versioning.xml", want->name);
        if ((a = lk_artifacts_find(&arts, path)))
            ck_assert_int_eq(lk_s3_parse_versioning(a->content, a->len, &got, &g_err), 0);
        snprintf(path, sizeof(path), "s3/%s/public-access-block.xml", want->name);
        if ((a = lk_artifacts_find(&arts, path)))
            ck_assert_int_eq(lk_s3_parse_public_access_block(a->content, a->len, &got, &g_err), 0);
        snprintf(path, sizeof(path), "s3/%s/encryption.xml", want->name);
        if ((a = lk_artifacts_find(&arts, path)))
            ck_assert_int_eq(lk_s3_parse_encryption(g_st, a->content, a->len, &got, &g_err), 0);
        snprintf(path, sizeof(path), "s3/%s/object-lock.xml", want->name);
        if ((a = lk_artifacts_find(&arts, path)))
            ck_assert_int_eq(lk_s3_parse_object_lock(a->content, a->len, &got, &g_err), 0);
        const char *d = lk_svc_cmp_bucket(want, &got);
        ck_assert_msg(d == NULL, "bucket %s: %s", want->name, d);
    }
    lk_artifacts_free(&arts);
    lk_ir_state_free(desired);
    lk_policy_free(pol);
    free(dir);
}
END_TEST

/* The CloudTrail request builders produce the artifact's CreateTrail and PutEventSelectors
 * sections member for member. */
START_TEST(test_trail_requests_match_artifact)
{
    struct lk_ir_state *desired = NULL;
    struct lk_artifacts arts;
    char *dir = lk_svc_srcpath("examples/quickstart");
    struct lk_policy *pol = lk_svc_compile(dir, &desired, &arts);
    ck_assert_uint_ge(desired->n_trails, 1);
    for (size_t i = 0; i < desired->n_trails; i++) {
        const struct lk_ir_trail *t = &desired->trails[i];
        char path[512];
        snprintf(path, sizeof(path), "cloudtrail/%s.json", t->name);
        const struct lk_artifact *a = lk_artifacts_find(&arts, path);
        ck_assert_ptr_nonnull(a);
        cJSON *art = cJSON_Parse(a->content);
        ck_assert_ptr_nonnull(art);
        char *create = lk_cloudtrail_trail_request_json(t);
        char *sels = lk_cloudtrail_event_selectors_request_json(t);
        cJSON *jc = cJSON_Parse(create), *js = cJSON_Parse(sels);
        ck_assert_msg(cJSON_Compare(jc, cJSON_GetObjectItem(art, "CreateTrail"), true),
                      "CreateTrail: %s", create);
        ck_assert_msg(cJSON_Compare(js, cJSON_GetObjectItem(art, "PutEventSelectors"), true),
                      "PutEventSelectors: %s", sels);
        cJSON_Delete(jc);
        cJSON_Delete(js);
        cJSON_Delete(art);
        free(create);
        free(sels);
    }
    lk_artifacts_free(&arts);
    lk_ir_state_free(desired);
    lk_policy_free(pol);
    free(dir);
}
END_TEST

/* ------------------------------------------------------------------------------ logs */

/* CloudWatch Logs API Reference, DescribeLogGroups "Example" response, plus a KMS key. */
static const char DESCRIBE_LOG_GROUPS[] =
    "{\n"
    "    \"logGroups\": [\n"
    "        {\n"
    "            \"storedBytes\": 0,\n"
    "            \"metricFilterCount\": 0,\n"
    "            \"creationTime\": 1433189500783,\n"
    "            \"logGroupName\": \"exampleLogGroupName1\",\n"
    "            \"retentionInDays\": 30,\n"
    "            \"arn\": "
    "\"arn:aws:logs:us-east-1:123456789012:log-group:exampleLogGroupName1:*\"\n"
    "        },\n"
    "        {\n"
    "            \"storedBytes\": 0,\n"
    "            \"metricFilterCount\": 0,\n"
    "            \"creationTime\": 1433189500783,\n"
    "            \"logGroupName\": \"exampleLogGroupName2\",\n"
    "            \"kmsKeyId\": \"arn:aws:kms:us-east-1:123456789012:key/abcd\",\n"
    "            \"dataProtectionStatus\": \"ACTIVATED\",\n"
    "            \"arn\": "
    "\"arn:aws:logs:us-east-1:123456789012:log-group:exampleLogGroupName2:*\"\n"
    "        }\n"
    "    ],\n"
    "    \"nextToken\": \"exampleNextToken\"\n"
    "}\n";

/* The LogGroup members newer than botocore 1.29's model (CloudWatch Logs API Reference,
 * LogGroup: deletionProtectionEnabled, logGroupClass). */
START_TEST(test_describe_log_groups_integrity)
{
    static const char page[] =
        "{\"logGroups\":[{\"logGroupName\":\"a\",\"deletionProtectionEnabled\":true,"
        "\"logGroupClass\":\"DELIVERY\",\"retentionInDays\":1},"
        "{\"logGroupName\":\"b\",\"deletionProtectionEnabled\":false,"
        "\"logGroupClass\":\"INFREQUENT_ACCESS\"},{\"logGroupName\":\"c\"},"
        "{\"logGroupName\":\"d\",\"logGroupClass\":\"FUTURE_CLASS\"}]}";
    struct lk_ir_log_group *g = NULL;
    size_t n = 0;
    char *next = NULL;
    ck_assert_int_eq(
        lk_logs_parse_describe_log_groups(g_st, page, strlen(page), NULL, &g, &n, &next, &g_err),
        0);
    ck_assert_uint_eq(n, 4);
    ck_assert(g[0].deletion_protection);
    ck_assert_int_eq(g[0].log_group_class, LK_IR_LOG_CLASS_DELIVERY);
    ck_assert(!g[1].deletion_protection);
    ck_assert_int_eq(g[1].log_group_class, LK_IR_LOG_CLASS_INFREQUENT_ACCESS);
    ck_assert(!g[2].deletion_protection);
    ck_assert_int_eq(g[2].log_group_class, LK_IR_LOG_CLASS_UNSET); /* not reported */
    ck_assert_int_eq(g[3].log_group_class, LK_IR_LOG_CLASS_UNSET); /* unknown: not refused */
    static const char *const bad[] = {
        "{\"logGroups\":[{\"logGroupName\":\"a\",\"deletionProtectionEnabled\":\"true\"}]}",
        "{\"logGroups\":[{\"logGroupName\":\"a\",\"logGroupClass\":1}]}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_int_eq(lk_logs_parse_describe_log_groups(g_st, bad[i], strlen(bad[i]), NULL, &g,
                                                           &n, &next, &g_err),
                         LK_STATUS_SCHEMA);
}
END_TEST

START_TEST(test_kms_key_policy)
{
    /* GetKeyPolicy's response: {"Policy": "<document>"} (KMS API Reference, GetKeyPolicy). */
    static const char resp[] = "{\"Policy\":\"{\\\"Version\\\":\\\"2012-10-17\\\"}\","
                               "\"PolicyName\":\"default\"}";
    char *text = NULL;
    ck_assert_int_eq(lk_kms_parse_get_key_policy(g_st, resp, strlen(resp), &text, &g_err), 0);
    ck_assert_str_eq(text, "{\"Version\":\"2012-10-17\"}");
    static const char *const bad[] = {"[]", "{}", "{\"Policy\":1}", "{\"Policy\":\"\"}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_int_eq(lk_kms_parse_get_key_policy(g_st, bad[i], strlen(bad[i]), &text, &g_err),
                         LK_STATUS_SCHEMA);
    ck_assert_int_eq(lk_kms_parse_get_key_policy(g_st, "{", 1, &text, &g_err), LK_STATUS_MALFORMED);

    /* Key ARNs (KMS Developer Guide, "Key ARN"); aliases and bare key ids are not. */
    char region[32];
    const char *id = NULL;
    ck_assert(lk_kms_parse_key_arn(
        "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", region,
        sizeof(region), &id));
    ck_assert_str_eq(region, "us-east-2");
    ck_assert_str_eq(id, "1234abcd-12ab-34cd-56ef-1234567890ab");
    ck_assert(lk_kms_parse_key_arn("arn:aws-cn:kms:cn-north-1:111122223333:key/k", NULL, 0, NULL));
    static const char *const not_keys[] = {
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-2:111122223333:alias/logs",
        "arn:aws:kms::111122223333:key/k",
        "arn:aws:kms:us-east-2:1111:key/k",
        "arn:aws:s3:us-east-2:111122223333:key/k",
        "arn:aws:kms:us-east-2:111122223333:key/",
        "arn:aws:kms:us-east-2:111122223333:key/a/b",
    };
    for (size_t i = 0; i < sizeof(not_keys) / sizeof(not_keys[0]); i++)
        ck_assert_msg(!lk_kms_parse_key_arn(not_keys[i], region, sizeof(region), &id), "%s",
                      not_keys[i]);
    ck_assert(!lk_kms_parse_key_arn("arn:aws:kms:us-east-2:111122223333:key/k", region, 4, &id));
}
END_TEST

/* ------------------------------------------------------------------------------ organizations */

/* DescribeOrganization's response (Organizations API Reference, DescribeOrganization,
 * "Examples"), with a member this build does not know. */
static const char ORG_DESCRIBE[] =
    "{\"Organization\":{\"Arn\":\"arn:aws:organizations::111111111111:organization/"
    "111111111111/o-exampleorgid\",\"AvailablePolicyTypes\":[{\"Status\":\"ENABLED\","
    "\"Type\":\"SERVICE_CONTROL_POLICY\"}],\"FeatureSet\":\"ALL\",\"Id\":\"o-exampleorgid\","
    "\"MasterAccountArn\":\"arn:aws:organizations::111111111111:account/o-exampleorgid/"
    "111111111111\",\"MasterAccountEmail\":\"bill@example.com\",\"MasterAccountId\":"
    "\"111111111111\",\"SomethingNew\":{\"x\":[1,2]}}}";

START_TEST(test_org_describe_organization)
{
    struct lk_org_organization o;
    ck_assert_int_eq(lk_org_parse_describe_organization(&g_st->arena, ORG_DESCRIBE,
                                                        strlen(ORG_DESCRIBE), &o, &g_err),
                     0);
    ck_assert_str_eq(o.id, "o-exampleorgid");
    ck_assert_str_eq(o.management_account_id, "111111111111");
    ck_assert_str_eq(
        o.arn, "arn:aws:organizations::111111111111:organization/111111111111/o-exampleorgid");
    static const char *const bad[] = {
        "[]",
        "{}",
        "{\"Organization\":[]}",
        "{\"Organization\":{\"Id\":\"o-exampleorgid\"}}",
        "{\"Organization\":{\"Id\":\"o-exampleorgid\",\"MasterAccountId\":111111111111}}",
        "{\"Organization\":{\"Id\":\"o-exampleorgid\",\"MasterAccountId\":\"11111111111\"}}",
        "{\"Organization\":{\"Id\":\"o-exampleorgid\",\"MasterAccountId\":\"1111111111111\"}}",
        "{\"Organization\":{\"Id\":\"o-short\",\"MasterAccountId\":\"111111111111\"}}",
        "{\"Organization\":{\"Id\":\"o-EXAMPLEORGID\",\"MasterAccountId\":\"111111111111\"}}",
        "{\"Organization\":{\"Id\":\"o-exampleorgid\",\"MasterAccountId\":\"111111111111\","
        "\"Arn\":7}}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(lk_org_parse_describe_organization(&g_st->arena, bad[i], strlen(bad[i]), &o,
                                                         &g_err) == LK_STATUS_SCHEMA,
                      "%s", bad[i]);
    ck_assert_int_eq(
        lk_org_parse_describe_organization(&g_st->arena, "{\"Organization\":", 16, &o, &g_err),
        LK_STATUS_MALFORMED);
}
END_TEST

START_TEST(test_org_list_pages)
{
    /* ListRoots (API Reference, ListRoots, "Examples"). */
    static const char roots[] =
        "{\"Roots\":[{\"Arn\":\"arn:aws:organizations::111111111111:root/o-exampleorgid/"
        "r-examplerootid111\",\"Id\":\"r-examplerootid111\",\"Name\":\"Root\",\"PolicyTypes\":"
        "[]}]}";
    struct lk_org_root *r = NULL;
    size_t n = 0;
    static char stale[] = "stale";
    char *next = stale;
    ck_assert_int_eq(
        lk_org_parse_list_roots(&g_st->arena, roots, strlen(roots), &r, &n, &next, &g_err), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(r[0].id, "r-examplerootid111");
    ck_assert_str_eq(r[0].name, "Root");
    ck_assert_ptr_null(next);

    /* ListOrganizationalUnitsForParent ("Examples"): the parent comes from the request. */
    static const char ous[] =
        "{\"OrganizationalUnits\":[{\"Arn\":\"arn:aws:organizations::111111111111:ou/"
        "o-exampleorgid/ou-examplerootid111-exampleouid111\",\"Id\":"
        "\"ou-examplerootid111-exampleouid111\",\"Name\":\"Development\"},{\"Id\":"
        "\"ou-examplerootid111-exampleouid222\",\"Name\":\"Production\",\"Path\":\"x\"}],"
        "\"NextToken\":\"tok\"}";
    struct lk_org_ou *o = NULL;
    ck_assert_int_eq(lk_org_parse_list_ous(&g_st->arena, ous, strlen(ous), "r-examplerootid111", &o,
                                           &n, &next, &g_err),
                     0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(o[1].id, "ou-examplerootid111-exampleouid222");
    ck_assert_str_eq(o[1].name, "Production");
    ck_assert_str_eq(o[0].parent_id, "r-examplerootid111");
    ck_assert_str_eq(next, "tok");

    /* ListAccounts ("Examples"), one SUSPENDED, one with a status this build does not know. */
    static const char accts[] =
        "{\"Accounts\":[{\"Arn\":\"arn:aws:organizations::111111111111:account/o-exampleorgid/"
        "111111111111\",\"Email\":\"bill@example.com\",\"Id\":\"111111111111\","
        "\"JoinedMethod\":\"INVITED\",\"JoinedTimestamp\":1481830215.45,\"Name\":\"Master\","
        "\"Status\":\"ACTIVE\"},{\"Id\":\"222222222222\",\"Name\":\"Dev\",\"Status\":"
        "\"SUSPENDED\"},{\"Id\":\"333333333333\",\"Status\":\"SOMETHING_NEW\"},{\"Id\":"
        "\"444444444444\"}],\"NextToken\":\"\"}";
    struct lk_org_account *a = NULL;
    ck_assert_int_eq(
        lk_org_parse_list_accounts(&g_st->arena, accts, strlen(accts), &a, &n, &next, &g_err), 0);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(a[0].id, "111111111111");
    ck_assert_str_eq(a[0].name, "Master");
    ck_assert(a[0].active);
    ck_assert_str_eq(a[1].status, "SUSPENDED");
    ck_assert(!a[1].active);
    ck_assert_str_eq(a[2].status, "SOMETHING_NEW");
    ck_assert(!a[2].active);
    ck_assert_str_eq(a[3].status, "");
    ck_assert(!a[3].active);
    ck_assert_ptr_null(next); /* an empty token ends the listing */

    /* Absent or null lists are empty pages. */
    ck_assert_int_eq(lk_org_parse_list_accounts(&g_st->arena, "{\"NextToken\":\"t\"}", 17, &a, &n,
                                                &next, &g_err),
                     0);
    ck_assert_uint_eq(n, 0);
    ck_assert_str_eq(next, "t");
    ck_assert_int_eq(
        lk_org_parse_list_roots(&g_st->arena, "{\"Roots\":null}", 14, &r, &n, &next, &g_err), 0);
    ck_assert_uint_eq(n, 0);

    static const char *const bad_accounts[] = {
        "[]",
        "{\"Accounts\":{}}",
        "{\"Accounts\":[1]}",
        "{\"Accounts\":[{}]}",
        "{\"Accounts\":[{\"Id\":111111111111}]}",
        "{\"Accounts\":[{\"Id\":\"11111111111a\"}]}",
        "{\"Accounts\":[{\"Id\":\"111111111111\",\"Name\":5}]}",
        "{\"Accounts\":[{\"Id\":\"111111111111\",\"Status\":true}]}",
        "{\"Accounts\":[],\"NextToken\":3}",
    };
    for (size_t i = 0; i < sizeof(bad_accounts) / sizeof(bad_accounts[0]); i++)
        ck_assert_msg(lk_org_parse_list_accounts(&g_st->arena, bad_accounts[i],
                                                 strlen(bad_accounts[i]), &a, &n, &next,
                                                 &g_err) == LK_STATUS_SCHEMA,
                      "%s", bad_accounts[i]);
    static const char *const bad_ous[] = {
        "{\"OrganizationalUnits\":[{\"Id\":\"r-examplerootid111\"}]}",
        "{\"OrganizationalUnits\":[{\"Id\":\"ou-abc-12345678\"}]}",
        "{\"OrganizationalUnits\":[{\"Id\":\"ou-abcd-1234567\"}]}",
        "{\"OrganizationalUnits\":[{\"Id\":\"ou-abcd-12345678-\"}]}",
        "{\"OrganizationalUnits\":[{\"Id\":\"ou-abcd-12345678\",\"Name\":[]}]}",
    };
    for (size_t i = 0; i < sizeof(bad_ous) / sizeof(bad_ous[0]); i++)
        ck_assert_msg(lk_org_parse_list_ous(&g_st->arena, bad_ous[i], strlen(bad_ous[i]), "r-abcd",
                                            &o, &n, &next, &g_err) == LK_STATUS_SCHEMA,
                      "%s", bad_ous[i]);
    ck_assert_int_eq(lk_org_parse_list_roots(&g_st->arena, "{\"Roots\":[{\"Id\":\"r-ab\"}]}",
                                             strlen("{\"Roots\":[{\"Id\":\"r-ab\"}]}"), &r, &n,
                                             &next, &g_err),
                     LK_STATUS_SCHEMA);

    /* Sizes: a name over the bound is refused, a long name within it is kept. */
    char big[600];
    char name[300];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    snprintf(big, sizeof(big), "{\"Accounts\":[{\"Id\":\"111111111111\",\"Name\":\"%s\"}]}", name);
    ck_assert_int_eq(
        lk_org_parse_list_accounts(&g_st->arena, big, strlen(big), &a, &n, &next, &g_err),
        LK_STATUS_SCHEMA);
    name[200] = '\0';
    snprintf(big, sizeof(big), "{\"Accounts\":[{\"Id\":\"111111111111\",\"Name\":\"%s\"}]}", name);
    ck_assert_int_eq(
        lk_org_parse_list_accounts(&g_st->arena, big, strlen(big), &a, &n, &next, &g_err), 0);
    ck_assert_uint_eq(strlen(a[0].name), 200);
}
END_TEST

START_TEST(test_org_ids_and_endpoint)
{
    ck_assert(lk_org_is_account_id("012345678901"));
    ck_assert(!lk_org_is_account_id("01234567890"));
    ck_assert(!lk_org_is_account_id(NULL));
    ck_assert(lk_org_is_root_id("r-ab12"));
    ck_assert(!lk_org_is_root_id("r-AB12"));
    ck_assert(lk_org_is_ou_id("ou-ab12-abcdefgh"));
    ck_assert(!lk_org_is_ou_id("ou-ab12_abcdefgh"));

    /* One global endpoint per partition (docs/protocol-notes.md §4b). */
    ck_assert_str_eq(lk_org_region("eu-west-1"), "us-east-1");
    ck_assert_str_eq(lk_org_region(NULL), "us-east-1");
    ck_assert_str_eq(lk_org_region("us-gov-east-1"), "us-gov-west-1");
    ck_assert_str_eq(lk_org_region("cn-north-1"), "cn-northwest-1");
    static const struct {
        const char *region, *url;
    } eps[] = {
        {"us-east-1", "https://organizations.us-east-1.amazonaws.com/"},
        {"us-gov-west-1", "https://organizations.us-gov-west-1.amazonaws.com/"},
        {"cn-northwest-1", "https://organizations.cn-northwest-1.amazonaws.com.cn/"},
    };
    for (size_t i = 0; i < sizeof(eps) / sizeof(eps[0]); i++) {
        struct lk_endpoint_request req = {.service = LK_AWS_ORGANIZATIONS, .region = eps[i].region};
        struct lk_endpoint ep;
        ck_assert_int_eq(lk_endpoint_resolve(&req, &ep, &g_err), 0);
        ck_assert_str_eq(ep.url, eps[i].url);
        ck_assert_str_eq(ep.signing_region, eps[i].region);
        lk_endpoint_free(&ep);
    }
    ck_assert_str_eq(lk_aws_service_name(LK_AWS_ORGANIZATIONS), "organizations");
    ck_assert_str_eq(lk_endpoint_env_id(LK_AWS_ORGANIZATIONS), "ORGANIZATIONS");

    char i1[] = "333333333333", i2[] = "111111111111", i3[] = "333333333333", i4[] = "222222222222";
    struct lk_org_account a[] = {{i1, NULL, NULL, true},
                                 {i2, NULL, NULL, true},
                                 {i3, NULL, NULL, true},
                                 {i4, NULL, NULL, true}};
    ck_assert_uint_eq(lk_org_accounts_sort_unique(a, 4), 3);
    ck_assert_str_eq(a[0].id, "111111111111");
    ck_assert_str_eq(a[1].id, "222222222222");
    ck_assert_str_eq(a[2].id, "333333333333");
}
END_TEST

START_TEST(test_describe_log_groups)
{
    struct lk_ir_log_group *g = NULL;
    size_t n = 0;
    char *next = NULL;
    ck_assert_int_eq(lk_logs_parse_describe_log_groups(g_st, DESCRIBE_LOG_GROUPS,
                                                       strlen(DESCRIBE_LOG_GROUPS), "us-east-1", &g,
                                                       &n, &next, &g_err),
                     0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(g[0].name, "exampleLogGroupName1");
    ck_assert_str_eq(g[0].region, "us-east-1");
    ck_assert_int_eq(g[0].retention_days, 30);
    ck_assert_ptr_null(g[0].kms_key_id);
    ck_assert(g[0].exists);
    ck_assert(!g[0].pattern);
    ck_assert_str_eq(g[1].name, "exampleLogGroupName2");
    ck_assert_int_eq(g[1].retention_days, 0); /* absent = never expire */
    ck_assert_str_eq(g[1].kms_key_id, "arn:aws:kms:us-east-1:123456789012:key/abcd");
    ck_assert_str_eq(next, "exampleNextToken");

    static const char last[] = "{\"logGroups\":[]}";
    ck_assert_int_eq(
        lk_logs_parse_describe_log_groups(g_st, last, strlen(last), NULL, &g, &n, &next, &g_err),
        0);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(next);
    static const char empty_token[] = "{\"nextToken\":\"\"}";
    ck_assert_int_eq(lk_logs_parse_describe_log_groups(g_st, empty_token, strlen(empty_token), NULL,
                                                       &g, &n, &next, &g_err),
                     0);
    ck_assert_ptr_null(next);

    static const char *const bad[] = {
        "",
        "{",
        "[]",
        "{\"logGroups\":{}}",
        "{\"logGroups\":[1]}",
        "{\"logGroups\":[{\"retentionInDays\":30}]}",
        "{\"logGroups\":[{\"logGroupName\":\"a\",\"retentionInDays\":\"30\"}]}",
        "{\"logGroups\":[{\"logGroupName\":\"a\",\"retentionInDays\":1.5}]}",
        "{\"logGroups\":[{\"logGroupName\":\"a\",\"retentionInDays\":-1}]}",
        "{\"logGroups\":[{\"logGroupName\":\"a\",\"retentionInDays\":1e300}]}",
        "{\"logGroups\":[{\"logGroupName\":\"a\",\"kmsKeyId\":5}]}",
        "{\"logGroups\":[],\"nextToken\":7}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(lk_logs_parse_describe_log_groups(g_st, bad[i], strlen(bad[i]), NULL, &g, &n,
                                                        &next, &g_err) == s_json_refusal(bad[i]),
                      "case %zu accepted", i);
}
END_TEST

START_TEST(test_pattern_match)
{
    ck_assert(lk_logs_pattern_match("/app/payments/*", "/app/payments/api"));
    ck_assert(lk_logs_pattern_match("/app/payments/*", "/app/payments/"));
    ck_assert(lk_logs_pattern_match("/app/payments/*", "/app/payments/a/b/c"));
    ck_assert(!lk_logs_pattern_match("/app/payments/*", "/app/payment"));
    ck_assert(lk_logs_pattern_match("/app/*/audit", "/app/x/audit"));
    ck_assert(lk_logs_pattern_match("/app/*/audit", "/app/x/y/audit"));
    ck_assert(!lk_logs_pattern_match("/app/*/audit", "/app/x/audit2"));
    ck_assert(lk_logs_pattern_match("*", ""));
    ck_assert(lk_logs_pattern_match("*-prod*", "svc-prod-1"));
    ck_assert(lk_logs_pattern_match("a*b*c", "aXbYbZc"));
    ck_assert(!lk_logs_pattern_match("a*b*c", "aXbYbZ"));
    ck_assert(lk_logs_pattern_match("exact", "exact"));
    ck_assert(!lk_logs_pattern_match("exact", "exactly"));
    ck_assert_uint_eq(lk_logs_pattern_prefix_len("/app/*/audit"), 5);
    ck_assert_uint_eq(lk_logs_pattern_prefix_len("*x"), 0);
    ck_assert_uint_eq(lk_logs_pattern_prefix_len("/plain"), 6);
}
END_TEST

/* ------------------------------------------------------------------------------ cloudtrail */

/* CloudTrail API Reference, GetTrail "Example" response shape, with every Trail member. */
static const char GET_TRAIL[] =
    "{\"Trail\": {\n"
    "  \"CloudWatchLogsLogGroupArn\": \"arn:aws:logs:us-east-1:123456789012:log-group:CT:*\",\n"
    "  \"CloudWatchLogsRoleArn\": \"arn:aws:iam::123456789012:role/CT_CWL\",\n"
    "  \"HasCustomEventSelectors\": false,\n"
    "  \"HasInsightSelectors\": false,\n"
    "  \"HomeRegion\": \"us-east-1\",\n"
    "  \"IncludeGlobalServiceEvents\": true,\n"
    "  \"IsMultiRegionTrail\": true,\n"
    "  \"IsOrganizationTrail\": false,\n"
    "  \"KmsKeyId\": \"arn:aws:kms:us-east-1:123456789012:key/1234\",\n"
    "  \"LogFileValidationEnabled\": true,\n"
    "  \"Name\": \"MyTrail\",\n"
    "  \"S3BucketName\": \"amzn-s3-demo-bucket\",\n"
    "  \"S3KeyPrefix\": \"ct\",\n"
    "  \"SnsTopicARN\": \"arn:aws:sns:us-east-1:123456789012:topic\",\n"
    "  \"TrailARN\": \"arn:aws:cloudtrail:us-east-1:123456789012:trail/MyTrail\",\n"
    "  \"FutureMember\": {\"x\": [1, 2]}\n"
    "}}";

START_TEST(test_get_trail)
{
    struct lk_ir_trail t;
    ck_assert_int_eq(lk_cloudtrail_parse_trail(g_st, GET_TRAIL, strlen(GET_TRAIL), &t, &g_err), 0);
    ck_assert(t.exists);
    ck_assert_str_eq(t.name, "MyTrail");
    ck_assert_str_eq(t.home_region, "us-east-1");
    ck_assert_str_eq(t.s3_bucket_name, "amzn-s3-demo-bucket");
    ck_assert_str_eq(t.s3_key_prefix, "ct");
    ck_assert(t.include_global_service_events);
    ck_assert(t.is_multi_region_trail);
    ck_assert(t.enable_log_file_validation);
    ck_assert(!t.is_organization_trail);
    ck_assert_str_eq(t.cloud_watch_logs_log_group_arn,
                     "arn:aws:logs:us-east-1:123456789012:log-group:CT:*");
    ck_assert_str_eq(t.cloud_watch_logs_role_arn, "arn:aws:iam::123456789012:role/CT_CWL");
    ck_assert_str_eq(t.kms_key_id, "arn:aws:kms:us-east-1:123456789012:key/1234");
    ck_assert(!t.is_logging);
    ck_assert_uint_eq(t.n_event_selectors, 0);

    static const char minimal[] = "{\"Trail\":{\"Name\":\"t\",\"S3BucketName\":\"b\"}}";
    ck_assert_int_eq(lk_cloudtrail_parse_trail(g_st, minimal, strlen(minimal), &t, &g_err), 0);
    ck_assert_ptr_null(t.s3_key_prefix);
    ck_assert_ptr_null(t.kms_key_id);
    ck_assert(!t.is_multi_region_trail);

    static const char *const bad[] = {
        "{}",
        "{\"Trail\":[]}",
        "{\"Trail\":{}}",
        "{\"Trail\":{\"Name\":1}}",
        "{\"Trail\":{\"Name\":\"t\",\"IsMultiRegionTrail\":\"yes\"}}",
        "null",
        "{\"Trail\":",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(lk_cloudtrail_parse_trail(g_st, bad[i], strlen(bad[i]), &t, &g_err) ==
                          s_json_refusal(bad[i]),
                      "case %zu accepted", i);
}
END_TEST

START_TEST(test_describe_trails)
{
    /* CloudTrail API Reference, DescribeTrails "Example" (two trails, one a shadow). */
    static const char json[] =
        "{\"trailList\": [{\"IncludeGlobalServiceEvents\": true,\"Name\": \"Default\","
        "\"S3KeyPrefix\": \"\",\"TrailARN\": \"arn:aws:cloudtrail:us-east-2:123456789012:trail/"
        "Default\",\"LogFileValidationEnabled\": false,\"IsMultiRegionTrail\": false,"
        "\"HasCustomEventSelectors\": false,\"S3BucketName\": \"amzn-s3-demo-bucket\","
        "\"HomeRegion\": \"us-east-2\"},{\"IncludeGlobalServiceEvents\": true,\"Name\": "
        "\"Trail1\",\"TrailARN\": \"arn:aws:cloudtrail:us-east-1:123456789012:trail/Trail1\","
        "\"LogFileValidationEnabled\": false,\"IsMultiRegionTrail\": true,"
        "\"HasCustomEventSelectors\": false,\"S3BucketName\": \"amzn-s3-demo-bucket2\","
        "\"HomeRegion\": \"us-east-1\"}]}";
    struct lk_ir_trail *t = NULL;
    size_t n = 0;
    ck_assert_int_eq(lk_cloudtrail_parse_describe_trails(g_st, json, strlen(json), &t, &n, &g_err),
                     0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(t[0].name, "Default");
    ck_assert_ptr_null(t[0].s3_key_prefix); /* "" = none */
    ck_assert_str_eq(t[1].home_region, "us-east-1");
    ck_assert(t[1].is_multi_region_trail);
    static const char none[] = "{\"trailList\":[]}";
    ck_assert_int_eq(lk_cloudtrail_parse_describe_trails(g_st, none, strlen(none), &t, &n, &g_err),
                     0);
    ck_assert_uint_eq(n, 0);
    static const char bad[] = "{\"trailList\":{\"Name\":\"x\"}}";
    ck_assert_int_eq(lk_cloudtrail_parse_describe_trails(g_st, bad, strlen(bad), &t, &n, &g_err),
                     LK_STATUS_SCHEMA);
}
END_TEST

START_TEST(test_trail_status)
{
    /* CloudTrail API Reference, GetTrailStatus: timestamps are epoch seconds (numbers). */
    static const char on[] = "{\"LatestDeliveryTime\": 1.744985216E9,\"IsLogging\": true,"
                             "\"StartLoggingTime\": 1.744985000E9,\"LatestDigestDeliveryTime\": "
                             "1.744985300E9,\"TimeLoggingStarted\": \"2025-04-18T14:00:00Z\"}";
    bool logging = false;
    ck_assert_int_eq(lk_cloudtrail_parse_trail_status(on, strlen(on), &logging, &g_err), 0);
    ck_assert(logging);
    static const char off[] = "{\"IsLogging\":false}";
    ck_assert_int_eq(lk_cloudtrail_parse_trail_status(off, strlen(off), &logging, &g_err), 0);
    ck_assert(!logging);
    static const char bad[] = "{\"IsLogging\":\"true\"}";
    ck_assert_int_eq(lk_cloudtrail_parse_trail_status(bad, strlen(bad), &logging, &g_err),
                     LK_STATUS_SCHEMA);
    static const char missing[] = "{}";
    ck_assert_int_eq(lk_cloudtrail_parse_trail_status(missing, strlen(missing), &logging, &g_err),
                     LK_STATUS_SCHEMA);
    ck_assert_ptr_nonnull(strstr(g_err.message, "IsLogging"));
    ck_assert_int_eq(lk_cloudtrail_parse_trail_status(bad, strlen(bad), &logging, &g_err),
                     LK_STATUS_SCHEMA);
    ck_assert_str_eq(g_err.message, "IsLogging is not a boolean");
    /* Unknown members, whatever their type, are ignored. */
    static const char extra[] = "{\"IsLogging\":true,\"EmulatorState\":{\"a\":[1,null]},"
                                "\"LatestDeliveryAttemptTime\":\"\"}";
    ck_assert_int_eq(lk_cloudtrail_parse_trail_status(extra, strlen(extra), &logging, &g_err), 0);
    ck_assert(logging);
}
END_TEST

/* The query protocol's root element is not checked either: the result wrapper is looked for
 * among its children, as botocore's QueryParser does. */
START_TEST(test_sts_root_name_not_checked)
{
    struct lk_sts_identity id;
    static const char renamed[] =
        "<EmulatorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
        "<GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/u</Arn><UserId>AIDA1"
        "</UserId><Account>111122223333</Account><Unknown>x</Unknown></GetCallerIdentityResult>"
        "</EmulatorResponse>";
    ck_assert_int_eq(lk_sts_parse_caller_identity(renamed, strlen(renamed), &id), 0);
    ck_assert_str_eq(id.account, "111122223333");
    lk_sts_identity_clear(&id);
    /* The result wrapper is still required, by name. */
    static const char unwrapped[] =
        "<GetCallerIdentityResponse><Arn>a</Arn><UserId>u</UserId><Account>1</Account>"
        "</GetCallerIdentityResponse>";
    ck_assert_int_eq(lk_sts_parse_caller_identity(unwrapped, strlen(unwrapped), &id), -1);
    struct lk_aws_credentials cr;
    static const char creds[] =
        "<R><AssumeRoleResult><Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s"
        "</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2030-01-01T00:00:00Z"
        "</Expiration></Credentials></AssumeRoleResult></R>";
    ck_assert_int_eq(lk_sts_parse_credentials(creds, strlen(creds), "AssumeRole", &cr), 0);
    ck_assert_str_eq(cr.access_key_id, "ASIA1");
    lk_aws_credentials_clear(&cr);
    static const char doctype[] = "<!DOCTYPE R [<!ENTITY a \"ASIA1\">]><R><AssumeRoleResult>"
                                  "<Credentials><AccessKeyId>&a;</AccessKeyId></Credentials>"
                                  "</AssumeRoleResult></R>";
    ck_assert_int_eq(lk_sts_parse_credentials(doctype, strlen(doctype), "AssumeRole", &cr), -1);
}
END_TEST

START_TEST(test_event_selectors)
{
    /* CloudTrail API Reference, GetEventSelectors "Example": basic selectors. */
    static const char basic[] =
        "{\"EventSelectors\": [{\"ExcludeManagementEventSources\": [\"kms.amazonaws.com\","
        "\"rdsdata.amazonaws.com\"],\"IncludeManagementEvents\": true,\"DataResources\": ["
        "{\"Values\": [\"arn:aws:s3:::b2/\",\"arn:aws:s3:::b1/\"],\"Type\": \"AWS::S3::Object\"},"
        "{\"Values\": [\"arn:aws:lambda\"],\"Type\": \"AWS::Lambda::Function\"}],"
        "\"ReadWriteType\": \"WriteOnly\"},{}],"
        "\"TrailARN\": \"arn:aws:cloudtrail:us-east-2:123456789012:trail/TrailName\"}";
    struct lk_ir_trail t = {0};
    t.unmodelled = LK_IR_UNMODELLED_ADVANCED_SELECTORS;
    ck_assert_msg(lk_cloudtrail_parse_event_selectors(g_st, basic, strlen(basic), &t, &g_err) == 0,
                  "%s", g_err.message);
    ck_assert(!(t.unmodelled & LK_IR_UNMODELLED_ADVANCED_SELECTORS));
    ck_assert_uint_eq(t.n_event_selectors, 2);
    const struct lk_ir_event_selector *e = &t.event_selectors[0];
    ck_assert_str_eq(e->read_write_type, "WriteOnly");
    ck_assert(e->include_management_events);
    ck_assert_uint_eq(e->n_data_resources, 2);
    ck_assert_str_eq(e->data_resources[0].type, "AWS::Lambda::Function"); /* sorted by type */
    ck_assert_str_eq(e->data_resources[1].values.items[0], "arn:aws:s3:::b1/");
    ck_assert_uint_eq(e->exclude_management_event_sources.n, 2);
    /* Members left out take the documented defaults: All, management events included. */
    ck_assert_str_eq(t.event_selectors[1].read_write_type, "All");
    ck_assert(t.event_selectors[1].include_management_events);

    /* GetEventSelectors "Example": advanced selectors only. */
    static const char advanced[] =
        "{\"AdvancedEventSelectors\": [{\"Name\": \"Management events selector\","
        "\"FieldSelectors\": [{\"Field\": \"eventCategory\",\"Equals\": [\"Management\"]}]}],"
        "\"TrailARN\": \"arn:aws:cloudtrail:us-east-2:123456789012:trail/TrailName\"}";
    struct lk_ir_trail t2 = {0};
    ck_assert_int_eq(
        lk_cloudtrail_parse_event_selectors(g_st, advanced, strlen(advanced), &t2, &g_err), 0);
    ck_assert(t2.unmodelled & LK_IR_UNMODELLED_ADVANCED_SELECTORS);
    ck_assert_uint_eq(t2.n_event_selectors, 0);

    static const char *const bad[] = {
        "{\"EventSelectors\":{}}",
        "{\"EventSelectors\":[{\"ReadWriteType\":\"Everything\"}]}",
        "{\"EventSelectors\":[{\"DataResources\":[{\"Values\":[\"x\"]}]}]}",
        "{\"EventSelectors\":[{\"DataResources\":[{\"Type\":\"t\",\"Values\":\"x\"}]}]}",
        "{\"EventSelectors\":[{\"IncludeManagementEvents\":1}]}",
        "{\"AdvancedEventSelectors\":{}}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(lk_cloudtrail_parse_event_selectors(g_st, bad[i], strlen(bad[i]), &t2,
                                                          &g_err) == s_json_refusal(bad[i]),
                      "case %zu accepted", i);
}
END_TEST

/* ------------------------------------------------------------------------------ calls */
/*
 * The operations over a scripted transport (struct lk_http_vtable, as docs/architecture.md
 * describes): lk_aws_call() signs and maps errors as it does against AWS, and each test checks what
 * the client sent and how it read the canned answers ("not configured" = absent, errors kept).
 */

struct s_canned {
    long status;
    const char *headers[4]; /* "Name: value" */
    const char *body;
};

struct s_sent {
    char method[8];
    char url[512];
    struct lk_http_header *headers; /* heap copies */
    size_t n_headers;
    char *body; /* heap, NUL-terminated */
    size_t body_len;
};

#define S_MAX_SENT 32

static struct {
    const struct s_canned *script;
    size_t n, next;
    struct s_sent sent[S_MAX_SENT];
    size_t n_sent;
} g_fake;

static char *s_dup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    ck_assert_ptr_nonnull(p);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static enum lk_status s_fake_perform(void *impl, const struct lk_http_request *req,
                                     struct lk_http_response *resp)
{
    (void)impl;
    ck_assert_uint_lt(g_fake.n_sent, S_MAX_SENT);
    struct s_sent *s = &g_fake.sent[g_fake.n_sent++];
    snprintf(s->method, sizeof(s->method), "%s", req->method);
    snprintf(s->url, sizeof(s->url), "%s", req->url);
    s->headers = calloc(req->n_headers + 1, sizeof(*s->headers));
    ck_assert_ptr_nonnull(s->headers);
    for (size_t i = 0; i < req->n_headers; i++) {
        s->headers[i].name = s_dup(req->headers[i].name, strlen(req->headers[i].name));
        s->headers[i].value = s_dup(req->headers[i].value, strlen(req->headers[i].value));
    }
    s->n_headers = req->n_headers;
    s->body = s_dup(req->body ? (const char *)req->body : "", req->body ? req->body_len : 0);
    s->body_len = req->body ? req->body_len : 0;

    memset(resp, 0, sizeof(*resp));
    if (g_fake.next >= g_fake.n) {
        resp->retryable = true;
        return lk_error_set(&resp->error, LK_STATUS_NETWORK, "script exhausted");
    }
    const struct s_canned *c = &g_fake.script[g_fake.next++];
    resp->status = c->status;
    size_t nh = 0;
    while (nh < 4 && c->headers[nh])
        nh++;
    resp->headers = calloc(nh + 1, sizeof(*resp->headers));
    ck_assert_ptr_nonnull(resp->headers);
    for (size_t i = 0; i < nh; i++) {
        const char *colon = strchr(c->headers[i], ':');
        ck_assert_ptr_nonnull(colon);
        resp->headers[i].name = s_dup(c->headers[i], (size_t)(colon - c->headers[i]));
        resp->headers[i].value = s_dup(colon + 2, strlen(colon + 2));
    }
    resp->n_headers = nh;
    size_t blen = c->body ? strlen(c->body) : 0;
    resp->body = (unsigned char *)s_dup(c->body ? c->body : "", blen);
    resp->body_len = blen;
    return LK_STATUS_OK;
}

static int64_t s_fake_now(void *impl)
{
    (void)impl;
    return INT64_C(1764165600000); /* 2025-11-26T14:00:00Z */
}

static void s_fake_sleep(void *impl, int64_t ms)
{
    (void)impl, (void)ms;
}

static struct lk_aws_client g_client;

static void s_fake_setup(void)
{
    s_setup();
    memset(&g_fake, 0, sizeof(g_fake));
    struct lk_http_vtable http = {s_fake_perform, s_fake_now, s_fake_sleep, NULL, NULL};
    char akid[] = "AKIDEXAMPLE", secret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    struct lk_aws_credentials creds = {akid, secret, NULL, 0, NULL};
    struct lk_aws_credential_provider prov;
    lk_credentials_static_new(&creds, &prov);
    struct lk_aws_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.region = lk_xstrdup("us-east-1");
    cfg.endpoint_url = lk_xstrdup("http://127.0.0.1:4566");
    cfg.max_attempts = 1;
    ck_assert_int_eq(lk_aws_client_init(&g_client, &http, &prov, &cfg), 0);
}

static void s_fake_teardown(void)
{
    for (size_t i = 0; i < g_fake.n_sent; i++) {
        struct s_sent *s = &g_fake.sent[i];
        for (size_t k = 0; k < s->n_headers; k++) {
            free(s->headers[k].name);
            free(s->headers[k].value);
        }
        free(s->headers);
        free(s->body);
    }
    lk_aws_client_free(&g_client);
    s_teardown();
}

#define S_SCRIPT(arr) (g_fake.script = (arr), g_fake.n = sizeof(arr) / sizeof((arr)[0]))

static const char *s_sent_header(size_t i, const char *name)
{
    ck_assert_uint_lt(i, g_fake.n_sent);
    for (size_t k = 0; k < g_fake.sent[i].n_headers; k++)
        if (!strcasecmp(g_fake.sent[i].headers[k].name, name))
            return g_fake.sent[i].headers[k].value;
    return NULL;
}

static void s_assert_err_empty(const struct lk_aws_error *err)
{
    ck_assert_ptr_null(err->code);
    ck_assert_ptr_null(err->operation);
    ck_assert_ptr_null(err->message);
}

#define S3_ERR(code)                                                                               \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" code "</Code><Message>m"           \
    "</Message><BucketName>b</BucketName><RequestId>4442587FB7D0A2F9</RequestId></Error>"

/* Every "not configured" answer (S3 ErrorResponses) reads as absent, with no error left. */
START_TEST(test_calls_s3_absent)
{
    static const struct s_canned script[] = {
        {404,
         {"x-amz-request-id: R1", "Content-Type: application/xml"},
         S3_ERR("NoSuchLifecycleConfiguration")},
        {404, {"x-amz-request-id: R2"}, S3_ERR("NoSuchBucketPolicy")},
        {404, {"x-amz-request-id: R3"}, S3_ERR("ObjectLockConfigurationNotFoundError")},
        {404, {"x-amz-request-id: R4"}, S3_ERR("NoSuchPublicAccessBlockConfiguration")},
        {404, {"x-amz-request-id: R5"}, S3_ERR("ServerSideEncryptionConfigurationNotFoundError")},
        {200, {"x-amz-request-id: R6"}, "<VersioningConfiguration " NS "/>"},
    };
    S_SCRIPT(script);
    struct lk_aws_error err = {0};
    struct lk_ir_bucket b;
    memset(&b, 0xff, sizeof(b)); /* every part must be set, not left alone */
    b.unmodelled =
        LK_IR_UNMODELLED_LIFECYCLE | LK_IR_UNMODELLED_POLICY | LK_IR_UNMODELLED_ENCRYPTION;
    ck_assert_int_eq(lk_s3_get_lifecycle(&g_client, "b", NULL, g_st, &b, &err), 0);
    s_assert_err_empty(&err);
    ck_assert(!b.lifecycle.present);
    ck_assert_uint_eq(b.lifecycle.n_rules, 0);
    ck_assert_uint_eq(b.unmodelled & LK_IR_UNMODELLED_LIFECYCLE, 0);
    ck_assert_uint_eq(b.unmodelled_filter_rule_ids.n, 0);
    char *raw = (char *)1;
    ck_assert_int_eq(lk_s3_get_policy(&g_client, "b", NULL, g_st, &b, &raw, &err), 0);
    s_assert_err_empty(&err);
    ck_assert(!b.policy.present);
    ck_assert_ptr_null(raw);
    ck_assert_int_eq(lk_s3_get_object_lock(&g_client, "b", NULL, &b, &err), 0);
    ck_assert(!b.object_lock.enabled);
    ck_assert_int_eq(b.object_lock.mode, LK_IR_LOCK_NONE);
    ck_assert_int_eq(lk_s3_get_public_access_block(&g_client, "b", NULL, &b, &err), 0);
    ck_assert(!b.public_access_block.present);
    ck_assert_int_eq(lk_s3_get_encryption(&g_client, "b", NULL, g_st, &b, &err), 0);
    ck_assert(!b.encryption.present);
    ck_assert_uint_eq(b.unmodelled, 0); /* absent parts hold nothing unmodelled */
    ck_assert_ptr_null(b.encryption.algorithm);
    ck_assert_int_eq(lk_s3_get_versioning(&g_client, "b", NULL, &b, &err), 0);
    ck_assert_int_eq(b.versioning, LK_IR_VERSIONING_NEVER);
    ck_assert(!b.mfa_delete);
    s_assert_err_empty(&err);
    /* Path-style against a configured endpoint, one subresource per operation. */
    ck_assert_str_eq(g_fake.sent[0].url, "http://127.0.0.1:4566/b?lifecycle");
    ck_assert_str_eq(g_fake.sent[1].url, "http://127.0.0.1:4566/b?policy");
    ck_assert_str_eq(g_fake.sent[2].url, "http://127.0.0.1:4566/b?object-lock");
    ck_assert_str_eq(g_fake.sent[3].url, "http://127.0.0.1:4566/b?publicAccessBlock");
    ck_assert_str_eq(g_fake.sent[4].url, "http://127.0.0.1:4566/b?encryption");
    ck_assert_str_eq(g_fake.sent[5].url, "http://127.0.0.1:4566/b?versioning");
    ck_assert_str_eq(g_fake.sent[0].method, "GET");
}
END_TEST

/* Other errors are kept as AWS reported them; a 2xx body that is not the answer is an error. */
START_TEST(test_calls_s3_errors)
{
    static const struct s_canned script[] = {
        {403, {"x-amz-request-id: 4442587FB7D0A2F9"}, S3_ERR("AccessDenied")},
        {200, {"x-amz-request-id: RQ2"}, "<html>captive portal</html>"},
        {404, {"x-amz-request-id: RQ3"}, S3_ERR("NoSuchBucket")},
    };
    S_SCRIPT(script);
    struct lk_aws_error err = {0};
    struct lk_ir_bucket lc = {0};
    ck_assert_int_eq(lk_s3_get_lifecycle(&g_client, "b", NULL, g_st, &lc, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "AccessDenied");
    ck_assert_str_eq(err.operation, "GetBucketLifecycleConfiguration");
    ck_assert_int_eq(err.http_status, 403);
    ck_assert_str_eq(err.request_id, "4442587FB7D0A2F9");
    lk_aws_error_clear(&err);
    struct lk_ir_bucket b = {0};
    ck_assert_int_eq(lk_s3_get_versioning(&g_client, "b", NULL, &b, &err), LK_STATUS_MALFORMED);
    ck_assert_str_eq(err.code, LK_SVC_MALFORMED_RESPONSE);
    ck_assert_str_eq(err.operation, "GetBucketVersioning");
    ck_assert_str_eq(err.request_id, "RQ2");
    ck_assert_int_eq(err.http_status, 200);
    ck_assert_ptr_nonnull(strstr(err.message, "VersioningConfiguration"));
    lk_aws_error_clear(&err);
    /* NoSuchBucket is not "not configured": the caller learns the bucket is gone. */
    ck_assert_int_eq(lk_s3_get_public_access_block(&g_client, "b", NULL, &b, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "NoSuchBucket");
    lk_aws_error_clear(&err);
}
END_TEST

START_TEST(test_calls_s3_puts)
{
    static const struct s_canned script[] = {
        {200, {"x-amz-transition-default-minimum-object-size: varies_by_storage_class"}, ""},
        {204, {NULL}, ""},
        {200, {NULL}, ""},
        {200, {"Location: /b2"}, ""},
        {200, {NULL}, ""},
        {204, {NULL}, ""},
    };
    S_SCRIPT(script);
    struct lk_aws_error err = {0};
    static const char lc[] = "<LifecycleConfiguration " NS "><Rule><ID>x</ID><Filter><Prefix>"
                             "</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1"
                             "</Days></Expiration></Rule></LifecycleConfiguration>";
    ck_assert_int_eq(
        lk_s3_put_lifecycle(&g_client, "b", NULL, lc, strlen(lc), LK_IR_TMS_VARIES_BY_CLASS, &err),
        0);
    s_assert_err_empty(&err);
    ck_assert_str_eq(g_fake.sent[0].method, "PUT");
    ck_assert_str_eq(g_fake.sent[0].url, "http://127.0.0.1:4566/b?lifecycle");
    ck_assert_str_eq(g_fake.sent[0].body, lc);
    /* base64(MD5(body)), the checksum the configuration PUTs require. */
    char md5[LK_HTTP_MD5_BASE64_SIZE];
    ck_assert_int_eq(lk_http_content_md5(lc, strlen(lc), md5), 0);
    ck_assert_str_eq(s_sent_header(0, "Content-MD5"), md5);
    ck_assert_str_eq(s_sent_header(0, "x-amz-transition-default-minimum-object-size"),
                     "varies_by_storage_class");
    ck_assert_ptr_nonnull(
        strstr(s_sent_header(0, "Authorization"), "x-amz-transition-default-minimum-object-size"));

    static const char pol[] = "{\"Version\":\"2012-10-17\",\"Statement\":[]}";
    ck_assert_int_eq(lk_s3_put_policy(&g_client, "b", NULL, pol, strlen(pol), &err), 0);
    ck_assert_str_eq(g_fake.sent[1].url, "http://127.0.0.1:4566/b?policy");
    ck_assert_ptr_nonnull(s_sent_header(1, "Content-MD5"));

    /* No header when the size is unspecified. */
    ck_assert_int_eq(
        lk_s3_put_lifecycle(&g_client, "b", NULL, lc, strlen(lc), LK_IR_TMS_UNSPECIFIED, &err), 0);
    ck_assert_ptr_null(s_sent_header(2, "x-amz-transition-default-minimum-object-size"));

    /* CreateBucket outside us-east-1: LocationConstraint, signed for that region. */
    ck_assert_int_eq(lk_s3_create_bucket(&g_client, "b2", "eu-west-1", true, &err), 0);
    ck_assert_str_eq(g_fake.sent[3].method, "PUT");
    ck_assert_str_eq(g_fake.sent[3].url, "http://127.0.0.1:4566/b2");
    ck_assert_ptr_nonnull(
        strstr(g_fake.sent[3].body, "<LocationConstraint>eu-west-1</LocationConstraint>"));
    ck_assert_str_eq(s_sent_header(3, "x-amz-bucket-object-lock-enabled"), "true");
    ck_assert_ptr_nonnull(strstr(s_sent_header(3, "Authorization"), "/eu-west-1/s3/aws4_request"));
    /* us-east-1: no body, no lock header. */
    ck_assert_int_eq(lk_s3_create_bucket(&g_client, "b3", NULL, false, &err), 0);
    ck_assert_uint_eq(g_fake.sent[4].body_len, 0);
    ck_assert_ptr_null(s_sent_header(4, "x-amz-bucket-object-lock-enabled"));
    ck_assert_int_eq(lk_s3_delete_lifecycle(&g_client, "b", NULL, &err), 0);
    ck_assert_str_eq(g_fake.sent[5].method, "DELETE");
    ck_assert_int_eq(lk_s3_create_bucket(&g_client, "b4", "not a region", false, &err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(err.code, "logkeep.InvalidArgument");
    lk_aws_error_clear(&err);
}
END_TEST

/* lk_s3_read_bucket: HeadBucket finds the region; every further call is signed for it. */
START_TEST(test_calls_s3_read_bucket)
{
    static const struct s_canned script[] = {
        {200, {"x-amz-bucket-region: eu-west-1"}, ""},
        {200,
         {"x-amz-transition-default-minimum-object-size: all_storage_classes_128K"},
         LIFECYCLE_DOC},
        {200,
         {NULL},
         "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"S\",\"Effect\":\"Deny\","
         "\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b\"}]}"},
        {200,
         {NULL},
         "<VersioningConfiguration " NS "><Status>Enabled</Status>"
         "</VersioningConfiguration>"},
        {404, {NULL}, S3_ERR("ObjectLockConfigurationNotFoundError")},
        {200,
         {NULL},
         "<PublicAccessBlockConfiguration " NS "><BlockPublicAcls>true"
         "</BlockPublicAcls></PublicAccessBlockConfiguration>"},
        {200,
         {NULL},
         "<ServerSideEncryptionConfiguration " NS "><Rule>"
         "<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"
         "</ApplyServerSideEncryptionByDefault></Rule>"
         "</ServerSideEncryptionConfiguration>"},
    };
    S_SCRIPT(script);
    struct lk_aws_error err = {0};
    struct lk_ir_bucket b;
    ck_assert_int_eq(lk_s3_read_bucket(&g_client, "b", g_st, &b, &err), 0);
    s_assert_err_empty(&err);
    ck_assert_uint_eq(g_fake.n_sent, 7);
    ck_assert_str_eq(g_fake.sent[0].method, "HEAD");
    ck_assert_ptr_nonnull(strstr(s_sent_header(0, "Authorization"), "/us-east-1/s3/"));
    for (size_t i = 1; i < 7; i++)
        ck_assert_ptr_nonnull(strstr(s_sent_header(i, "Authorization"), "/eu-west-1/s3/"));
    ck_assert(b.exists);
    ck_assert_str_eq(b.name, "b");
    ck_assert_str_eq(b.region, "eu-west-1");
    ck_assert(b.lifecycle.present);
    ck_assert_uint_eq(b.lifecycle.n_rules, 2);
    ck_assert_int_eq(b.lifecycle.transition_min_size, LK_IR_TMS_ALL_128K);
    ck_assert(b.policy.present);
    ck_assert_int_eq(b.policy.statements[0].principal_kind, LK_IR_PRINCIPAL_ANY);
    ck_assert_int_eq(b.versioning, LK_IR_VERSIONING_ENABLED);
    ck_assert(!b.object_lock.enabled);
    ck_assert(b.public_access_block.present);
    ck_assert(b.public_access_block.block_public_acls);
    ck_assert(!b.public_access_block.restrict_public_buckets);
    ck_assert_str_eq(b.encryption.algorithm, "AES256");
    ck_assert_ptr_null(b.store);
}
END_TEST

START_TEST(test_calls_s3_read_bucket_missing)
{
    /* HeadBucket: a bodiless 404 (S3 API Reference, HeadBucket). Then a bucket that vanishes
     * between HeadBucket and the Gets. Then a bucket in another region (400 with its region). */
    static const struct s_canned script[] = {
        {404, {"x-amz-request-id: A"}, NULL},   {200, {"x-amz-bucket-region: us-east-1"}, NULL},
        {404, {NULL}, S3_ERR("NoSuchBucket")},  {400, {"x-amz-bucket-region: ap-south-1"}, NULL},
        {500, {NULL}, S3_ERR("InternalError")},
    };
    S_SCRIPT(script);
    struct lk_aws_error err = {0};
    struct lk_ir_bucket b;
    ck_assert_int_eq(lk_s3_read_bucket(&g_client, "gone", g_st, &b, &err), 0);
    s_assert_err_empty(&err);
    ck_assert(!b.exists);
    ck_assert_str_eq(b.name, "gone");
    ck_assert(!b.lifecycle.present);
    ck_assert_uint_eq(g_fake.n_sent, 1);
    ck_assert_int_eq(lk_s3_read_bucket(&g_client, "vanishing", g_st, &b, &err), 0);
    s_assert_err_empty(&err);
    ck_assert(!b.exists);
    ck_assert_str_eq(b.name, "vanishing");
    ck_assert_ptr_null(b.region);
    bool exists = false;
    char *region = NULL;
    ck_assert_int_eq(lk_s3_head_bucket(&g_client, "far", NULL, g_st, &exists, &region, &err), 0);
    ck_assert(exists);
    ck_assert_str_eq(region, "ap-south-1");
    ck_assert_int_eq(lk_s3_head_bucket(&g_client, "err", NULL, g_st, &exists, &region, &err),
                     LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "InternalError");
    lk_aws_error_clear(&err);
}
END_TEST

#define LOGS_PAGE(groups, token) "{\"logGroups\":[" groups "]" token "}"
#define LG(name) "{\"logGroupName\":\"" name "\",\"retentionInDays\":30,\"arn\":\"x\"}"

START_TEST(test_calls_logs)
{
    static const struct s_canned script[] = {
        {200,
         {"x-amzn-RequestId: L1"},
         LOGS_PAGE(LG("/app/a/audit") "," LG("/app/a/b"), ",\"nextToken\":\"t1\"")},
        {200,
         {"x-amzn-RequestId: L2"},
         LOGS_PAGE(LG("/app/b/c/audit") "," LG("/app/x/audit2"), "")},
        {400,
         {"x-amzn-RequestId: L3"},
         "{\"__type\":\"ResourceAlreadyExistsException\",\"message\":\"The specified log group "
         "already exists\"}"},
        {400,
         {"x-amzn-RequestId: L4"},
         "{\"__type\":\"ResourceAlreadyExistsException\",\"message\":\"exists\"}"},
        {200, {NULL}, LOGS_PAGE(LG("/a"), ",\"nextToken\":\"same\"")},
        {200, {NULL}, LOGS_PAGE(LG("/b"), ",\"nextToken\":\"same\"")},
        {200, {NULL}, ""},
        {400,
         {"x-amzn-RequestId: L8"},
         "{\"__type\":\"InvalidParameterException\",\"message\":\"bad days\"}"},
    };
    S_SCRIPT(script);
    struct lk_aws_error err = {0};
    struct lk_ir_log_group *g = NULL;
    size_t n = 0;
    ck_assert_int_eq(lk_logs_expand_pattern(&g_client, "/app/*/audit", NULL, g_st, &g, &n, &err),
                     0);
    s_assert_err_empty(&err);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(g[0].name, "/app/a/audit");
    ck_assert_str_eq(g[1].name, "/app/b/c/audit");
    ck_assert_str_eq(g[1].region, "us-east-1");
    ck_assert_int_eq(g[1].retention_days, 30);
    ck_assert_str_eq(g_fake.sent[0].method, "POST");
    ck_assert_str_eq(s_sent_header(0, "X-Amz-Target"), "Logs_20140328.DescribeLogGroups");
    ck_assert_str_eq(s_sent_header(0, "Content-Type"), "application/x-amz-json-1.1");
    cJSON *b0 = cJSON_Parse(g_fake.sent[0].body), *b1 = cJSON_Parse(g_fake.sent[1].body);
    ck_assert_str_eq(cJSON_GetObjectItem(b0, "logGroupNamePrefix")->valuestring, "/app/");
    ck_assert_int_eq(cJSON_GetObjectItem(b0, "limit")->valueint, 50);
    ck_assert_ptr_null(cJSON_GetObjectItem(b0, "nextToken"));
    ck_assert_str_eq(cJSON_GetObjectItem(b1, "nextToken")->valuestring, "t1");
    cJSON_Delete(b0);
    cJSON_Delete(b1);

    /* CreateLogGroup: ResourceAlreadyExistsException is success only when asked. */
    ck_assert_int_eq(lk_logs_create_log_group(&g_client, "/app/x", NULL, NULL, true, &err), 0);
    s_assert_err_empty(&err);
    ck_assert_int_eq(lk_logs_create_log_group(&g_client, "/app/x", NULL, "arn:k", false, &err),
                     LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "ResourceAlreadyExistsException");
    ck_assert_str_eq(err.operation, "CreateLogGroup");
    ck_assert_str_eq(err.request_id, "L4");
    ck_assert_str_eq(g_fake.sent[3].body, "{\"logGroupName\":\"/app/x\",\"kmsKeyId\":\"arn:k\"}");
    lk_aws_error_clear(&err);

    /* A nextToken handed back twice would page forever: refused. */
    struct lk_logs_query q = {.prefix = "/"};
    ck_assert_int_eq(lk_logs_describe_log_groups(&g_client, &q, g_st, &g, &n, &err),
                     LK_STATUS_MALFORMED);
    ck_assert_str_eq(err.code, LK_SVC_MALFORMED_RESPONSE);
    lk_aws_error_clear(&err);
    q.pattern = "x";
    ck_assert_int_eq(lk_logs_describe_log_groups(&g_client, &q, g_st, &g, &n, &err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(err.code, "logkeep.InvalidArgument");
    lk_aws_error_clear(&err);

    ck_assert_int_eq(lk_logs_put_retention(&g_client, "/app/x", "eu-west-1", 400, &err), 0);
    ck_assert_str_eq(g_fake.sent[6].body, "{\"logGroupName\":\"/app/x\",\"retentionInDays\":400}");
    ck_assert_ptr_nonnull(strstr(s_sent_header(6, "Authorization"), "/eu-west-1/logs/"));
    ck_assert_int_eq(lk_logs_delete_retention(&g_client, "/app/x", NULL, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "InvalidParameterException");
    ck_assert_str_eq(s_sent_header(7, "X-Amz-Target"), "Logs_20140328.DeleteRetentionPolicy");
    lk_aws_error_clear(&err);
}
END_TEST

#define CT_TARGET "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."

START_TEST(test_calls_cloudtrail)
{
    static const struct s_canned script[] = {
        {400,
         {"x-amzn-RequestId: C1"},
         "{\"__type\":\"com.amazonaws.cloudtrail.v20131101#TrailNotFoundException\","
         "\"message\":\"Unknown trail\"}"},
        {400,
         {"x-amzn-RequestId: C2"},
         "{\"__type\":\"InsufficientS3BucketPolicyException\",\"Message\":\"Incorrect S3 bucket "
         "policy is detected for bucket: b\"}"},
        {200, {NULL}, GET_TRAIL},
        {200, {NULL}, "{\"IsLogging\":true}"},
        {200,
         {NULL},
         "{\"TrailARN\":\"arn\",\"EventSelectors\":[{\"ReadWriteType\":\"All\","
         "\"IncludeManagementEvents\":true,\"DataResources\":[]}]}"},
        {200, {NULL}, "{}"},
        {200, {NULL}, "{}"},
    };
    S_SCRIPT(script);
    struct lk_aws_error err = {0};
    struct lk_ir_trail t;
    ck_assert_int_eq(lk_cloudtrail_read_trail(&g_client, "nope", NULL, g_st, &t, &err), 0);
    s_assert_err_empty(&err);
    ck_assert(!t.exists);
    ck_assert_str_eq(t.name, "nope");
    ck_assert_str_eq(s_sent_header(0, "X-Amz-Target"), CT_TARGET "GetTrail");
    ck_assert_str_eq(g_fake.sent[0].body, "{\"Name\":\"nope\"}");

    struct lk_ir_trail want = {0};
    want.name = lk_ir_strdup(g_st, "MyTrail");
    want.home_region = lk_ir_strdup(g_st, "us-west-2");
    want.s3_bucket_name = lk_ir_strdup(g_st, "b");
    want.is_multi_region_trail = true;
    want.include_global_service_events = true;
    ck_assert_int_eq(lk_cloudtrail_create_trail(&g_client, &want, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "InsufficientS3BucketPolicyException");
    ck_assert_str_eq(err.message, "Incorrect S3 bucket policy is detected for bucket: b");
    ck_assert_str_eq(err.operation, "CreateTrail");
    ck_assert_str_eq(err.request_id, "C2");
    ck_assert_str_eq(s_sent_header(1, "X-Amz-Target"), CT_TARGET "CreateTrail");
    ck_assert_ptr_nonnull(strstr(s_sent_header(1, "Authorization"), "/us-west-2/cloudtrail/"));
    char *body = lk_cloudtrail_trail_request_json(&want);
    ck_assert_str_eq(g_fake.sent[1].body, body);
    free(body);
    lk_aws_error_clear(&err);

    t.unmodelled = LK_IR_UNMODELLED_ADVANCED_SELECTORS;
    ck_assert_int_eq(lk_cloudtrail_read_trail(&g_client, "MyTrail", NULL, g_st, &t, &err), 0);
    s_assert_err_empty(&err);
    ck_assert_uint_eq(t.unmodelled, 0);
    ck_assert(t.exists);
    ck_assert(t.is_logging);
    ck_assert_uint_eq(t.n_event_selectors, 1);
    ck_assert_str_eq(t.event_selectors[0].read_write_type, "All");
    ck_assert_str_eq(s_sent_header(3, "X-Amz-Target"), CT_TARGET "GetTrailStatus");
    ck_assert_str_eq(s_sent_header(4, "X-Amz-Target"), CT_TARGET "GetEventSelectors");
    ck_assert_str_eq(g_fake.sent[4].body, "{\"TrailName\":\"MyTrail\"}");

    ck_assert_int_eq(lk_cloudtrail_start_logging(&g_client, "MyTrail", NULL, &err), 0);
    ck_assert_str_eq(s_sent_header(5, "X-Amz-Target"), CT_TARGET "StartLogging");
    static const char artifact[] = "{\"CreateTrail\":{\"Name\":\"x\"},\"StopLogging\":{\"Name\":"
                                   "\"x\"}}";
    ck_assert_int_eq(lk_cloudtrail_send_artifact_section(&g_client, artifact, strlen(artifact),
                                                         "StopLogging", NULL, &err),
                     0);
    ck_assert_str_eq(s_sent_header(6, "X-Amz-Target"), CT_TARGET "StopLogging");
    ck_assert_str_eq(g_fake.sent[6].body, "{\"Name\":\"x\"}");
    ck_assert_int_eq(lk_cloudtrail_send_artifact_section(&g_client, artifact, strlen(artifact),
                                                         "StartLogging", NULL, &err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(err.code, "logkeep.InvalidArgument");
    ck_assert_uint_eq(g_fake.n_sent, 7); /* nothing sent */
    lk_aws_error_clear(&err);
}
END_TEST

#define ORG_ACCT(id, status) "{\"Id\":\"" id "\",\"Name\":\"n" id "\",\"Status\":\"" status "\"}"
#define ORG_OU(id) "{\"Id\":\"" id "\",\"Name\":\"" id "\"}"

START_TEST(test_calls_organizations)
{
    static const struct s_canned script[] = {
        /* the root's accounts, three pages, the second one empty but not the last */
        {200,
         {NULL},
         "{\"Accounts\":[" ORG_ACCT("333333333333", "ACTIVE") "," ORG_ACCT(
             "111111111111", "SUSPENDED") "],\"NextToken\":\"a1\"}"},
        {200, {NULL}, "{\"Accounts\":[],\"NextToken\":\"a2\"}"},
        {200, {NULL}, "{\"Accounts\":[" ORG_ACCT("222222222222", "ACTIVE") "]}"},
        /* the root's OUs */
        {200,
         {NULL},
         "{\"OrganizationalUnits\":[" ORG_OU("ou-abcd-11111111") "," ORG_OU(
             "ou-abcd-22222222") "]}"},
        /* the first OU: an account already seen, and one more; no child OUs */
        {200,
         {NULL},
         "{\"Accounts\":[" ORG_ACCT("555555555555", "ACTIVE") "," ORG_ACCT("222222222222",
                                                                           "ACTIVE") "]}"},
        {200, {NULL}, "{\"OrganizationalUnits\":[]}"},
        /* the second OU */
        {200,
         {NULL},
         "{\"Accounts\":[" ORG_ACCT("666666666666", "PENDING_CLOSURE") "," ORG_ACCT("444444444444",
                                                                                    "ACTIVE") "]}"},
        {200, {NULL}, "{}"},
        /* DescribeOrganization, then errors */
        {200, {NULL}, ORG_DESCRIBE},
        {400,
         {"x-amzn-RequestId: O10"},
         "{\"__type\":\"AWSOrganizationsNotInUseException\",\"Message\":\"Your account is not a "
         "member of an organization.\"}"},
        {400,
         {NULL},
         "{\"__type\":\"TooManyRequestsException\",\"Message\":\"slow down\",\"Type\":\"x\"}"},
        {200, {NULL}, "{\"Accounts\":[],\"NextToken\":\"same\"}"},
        {200, {NULL}, "{\"Accounts\":[],\"NextToken\":\"same\"}"},
    };
    S_SCRIPT(script);
    /* A client in another region still calls the partition's endpoint region. */
    free(g_client.cfg.region);
    g_client.cfg.region = lk_xstrdup("eu-west-1");
    struct lk_aws_error err = {0};
    struct lk_org_account *a = NULL;
    size_t n = 0;
    ck_assert_int_eq(
        lk_org_resolve_active_accounts(&g_client, "r-abcd", &g_st->arena, &a, &n, &err), 0);
    s_assert_err_empty(&err);
    ck_assert_uint_eq(g_fake.n_sent, 8);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(a[0].id, "222222222222");
    ck_assert_str_eq(a[1].id, "333333333333");
    ck_assert_str_eq(a[2].id, "444444444444");
    ck_assert_str_eq(a[3].id, "555555555555");

    ck_assert_str_eq(g_fake.sent[0].method, "POST");
    ck_assert_str_eq(g_fake.sent[0].url, "http://127.0.0.1:4566/");
    ck_assert_str_eq(s_sent_header(0, "X-Amz-Target"),
                     "AWSOrganizationsV20161128.ListAccountsForParent");
    ck_assert_str_eq(s_sent_header(0, "Content-Type"), "application/x-amz-json-1.1");
    ck_assert_ptr_nonnull(
        strstr(s_sent_header(0, "Authorization"), "/us-east-1/organizations/aws4_request"));
    ck_assert_str_eq(g_fake.sent[0].body, "{\"ParentId\":\"r-abcd\",\"MaxResults\":20}");
    ck_assert_str_eq(g_fake.sent[1].body,
                     "{\"ParentId\":\"r-abcd\",\"NextToken\":\"a1\",\"MaxResults\":20}");
    ck_assert_str_eq(g_fake.sent[2].body,
                     "{\"ParentId\":\"r-abcd\",\"NextToken\":\"a2\",\"MaxResults\":20}");
    ck_assert_str_eq(s_sent_header(3, "X-Amz-Target"),
                     "AWSOrganizationsV20161128.ListOrganizationalUnitsForParent");
    ck_assert_str_eq(g_fake.sent[4].body, "{\"ParentId\":\"ou-abcd-11111111\",\"MaxResults\":20}");
    ck_assert_str_eq(g_fake.sent[6].body, "{\"ParentId\":\"ou-abcd-22222222\",\"MaxResults\":20}");

    struct lk_org_organization org;
    ck_assert_int_eq(lk_org_describe_organization(&g_client, &g_st->arena, &org, &err), 0);
    ck_assert_str_eq(org.management_account_id, "111111111111");
    ck_assert_str_eq(g_fake.sent[8].body, "{}");

    /* AWS's errors come back unchanged. */
    ck_assert_int_eq(lk_org_describe_organization(&g_client, &g_st->arena, &org, &err),
                     LK_STATUS_AWS);
    ck_assert_str_eq(err.code, LK_ORG_NOT_IN_USE);
    ck_assert_str_eq(err.operation, "DescribeOrganization");
    ck_assert_str_eq(err.request_id, "O10");
    lk_aws_error_clear(&err);
    /* TooManyRequestsException is throttling: the standard retry mode retries it (this client
     * makes one attempt only). */
    ck_assert_int_eq(lk_org_list_accounts(&g_client, &g_st->arena, &a, &n, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, LK_ORG_TOO_MANY_REQUESTS);
    ck_assert(lk_aws_error_is_throttling(&err));
    ck_assert_str_eq(s_sent_header(10, "X-Amz-Target"), "AWSOrganizationsV20161128.ListAccounts");
    ck_assert_str_eq(g_fake.sent[10].body, "{\"MaxResults\":20}");
    lk_aws_error_clear(&err);
    /* A NextToken handed back twice would page forever: refused. */
    ck_assert_int_eq(lk_org_list_accounts(&g_client, &g_st->arena, &a, &n, &err),
                     LK_STATUS_MALFORMED);
    lk_aws_error_clear(&err);
    /* A parent that is neither a root nor an OU is refused before sending. */
    size_t sent = g_fake.n_sent;
    ck_assert_int_eq(
        lk_org_resolve_active_accounts(&g_client, "111111111111", &g_st->arena, &a, &n, &err),
        LK_STATUS_INVALID_ARGUMENT);
    ck_assert_uint_eq(g_fake.n_sent, sent);
    lk_aws_error_clear(&err);
}
END_TEST

START_TEST(test_calls_organizations_cycle)
{
    /* An OU that lists itself as its own child: the walk stops at LK_ORG_MAX_DEPTH. */
    static struct s_canned script[2 * (LK_ORG_MAX_DEPTH + 1)];
    for (size_t i = 0; i < sizeof(script) / sizeof(script[0]); i++) {
        script[i].status = 200;
        script[i].body = i % 2 ? "{\"OrganizationalUnits\":[" ORG_OU("ou-abcd-11111111") "]}"
                               : "{\"Accounts\":[" ORG_ACCT("111111111111", "ACTIVE") "]}";
    }
    S_SCRIPT(script);
    struct lk_aws_error err = {0};
    struct lk_org_account *a = NULL;
    size_t n = 0;
    ck_assert_int_eq(
        lk_org_resolve_active_accounts(&g_client, "ou-abcd-11111111", &g_st->arena, &a, &n, &err),
        LK_STATUS_MALFORMED);
    ck_assert_uint_eq(g_fake.n_sent, 2 * (LK_ORG_MAX_DEPTH + 1));
    ck_assert_str_eq(err.message, "organizational units nest too deeply");
    ck_assert_uint_eq(n, 0);
    lk_aws_error_clear(&err);
}
END_TEST

/* ------------------------------------------------------------------------------ main */

static Suite *s_suite(void)
{
    Suite *s = suite_create("services_parsers");
    TCase *xml = tcase_create("s3_xml");
    tcase_add_checked_fixture(xml, s_setup, s_teardown);
    tcase_add_test(xml, test_lifecycle_doc_example);
    tcase_add_test(xml, test_lifecycle_legacy_prefix);
    tcase_add_test(xml, test_lifecycle_full_rule_namespaces_unknown);
    tcase_add_test(xml, test_lifecycle_unmodelled);
    tcase_add_test(xml, test_lifecycle_empty_and_errors);
    tcase_add_test(xml, test_xml_root_name_not_checked);
    tcase_add_test(xml, test_xml_dtd_refused);
    tcase_add_test(xml, test_xml_bounds);
    tcase_add_test(xml, test_versioning);
    tcase_add_test(xml, test_object_lock);
    tcase_add_test(xml, test_object_versions);
    tcase_add_test(xml, test_public_access_block);
    tcase_add_test(xml, test_encryption);
    tcase_add_test(xml, test_location);
    tcase_add_test(xml, test_transition_min_size);
    suite_add_tcase(s, xml);

    TCase *pol = tcase_create("policy_json");
    tcase_add_checked_fixture(pol, s_setup, s_teardown);
    tcase_add_test(pol, test_policy_botocore_example);
    tcase_add_test(pol, test_policy_string_vs_list_and_any);
    tcase_add_test(pol, test_policy_principals_conditions);
    tcase_add_test(pol, test_policy_unmodelled_and_defaults);
    tcase_add_test(pol, test_policy_errors);
    tcase_add_test(pol, test_json_bounds);
    tcase_add_test(pol, test_json_doc_scratch);
    suite_add_tcase(s, pol);

    TCase *rt = tcase_create("round_trip");
    tcase_add_checked_fixture(rt, s_setup, s_teardown);
    tcase_add_test(rt, test_round_trip_quickstart_artifacts);
    tcase_add_test(rt, test_trail_requests_match_artifact);
    suite_add_tcase(s, rt);

    TCase *js = tcase_create("json_services");
    tcase_add_checked_fixture(js, s_setup, s_teardown);
    tcase_add_test(js, test_describe_log_groups);
    tcase_add_test(js, test_describe_log_groups_integrity);
    tcase_add_test(js, test_kms_key_policy);
    tcase_add_test(js, test_org_describe_organization);
    tcase_add_test(js, test_org_list_pages);
    tcase_add_test(js, test_org_ids_and_endpoint);
    tcase_add_test(js, test_pattern_match);
    tcase_add_test(js, test_get_trail);
    tcase_add_test(js, test_describe_trails);
    tcase_add_test(js, test_trail_status);
    tcase_add_test(js, test_sts_root_name_not_checked);
    tcase_add_test(js, test_event_selectors);
    suite_add_tcase(s, js);

    TCase *calls = tcase_create("calls_scripted_transport");
    tcase_add_checked_fixture(calls, s_fake_setup, s_fake_teardown);
    tcase_add_test(calls, test_calls_s3_absent);
    tcase_add_test(calls, test_calls_s3_errors);
    tcase_add_test(calls, test_calls_s3_puts);
    tcase_add_test(calls, test_calls_s3_read_bucket);
    tcase_add_test(calls, test_calls_s3_read_bucket_missing);
    tcase_add_test(calls, test_calls_logs);
    tcase_add_test(calls, test_calls_cloudtrail);
    tcase_add_test(calls, test_calls_organizations);
    tcase_add_test(calls, test_calls_organizations_cycle);
    suite_add_tcase(s, calls);
    return s;
}

int main(void)
{
    return lk_test_run(s_suite());
}
