/*
 * Unit tests of the Query-protocol response parsers (runtime/services/query.c and the EC2, ELBv2
 * and RDS readers) on documents written here: they read answers as botocore's QueryParser and
 * EC2QueryParser do (unknown elements ignored, the root element's name not checked, the Query
 * services' <OpResult> wrapper required) and stay strict where it matters (booleans and integers,
 * required ids, DTDs, size bounds).
 */
#include "../unit/lk_test.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/services/ec2.h"
#include "runtime/services/elbv2.h"
#include "runtime/services/query.h"
#include "runtime/services/rds.h"

#define EC2_NS "http://ec2.amazonaws.com/doc/2016-11-15/"

static const char s_vpcs[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<DescribeVpcsResponse xmlns=\"" EC2_NS "\">"
    "<requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>"
    "<vpcSet><item><vpcId>vpc-0a60eb65b4EXAMPLE</vpcId><ownerId>111122223333</ownerId>"
    "<state>available</state><cidrBlock>10.0.0.0/16</cidrBlock><isDefault>false</isDefault>"
    "<newerMember><deep>ignored</deep></newerMember></item>"
    "<item><vpcId>vpc-2</vpcId><isDefault>true</isDefault></item></vpcSet>"
    "<nextToken>abc</nextToken></DescribeVpcsResponse>";

START_TEST(test_ec2_vpcs_read_as_the_sdks_do)
{
    struct lk_ec2_vpc_list l = {0};
    struct lk_error err = {0};
    const char *next = NULL;
    ck_assert_int_eq(lk_ec2_parse_describe_vpcs(&l, s_vpcs, strlen(s_vpcs), &next, &err),
                     LK_STATUS_OK);
    ck_assert_uint_eq(l.n, 2);
    ck_assert_str_eq(l.items[0].vpc_id, "vpc-0a60eb65b4EXAMPLE");
    ck_assert_str_eq(l.items[0].cidr_block, "10.0.0.0/16");
    ck_assert(!l.items[0].is_default);
    ck_assert(l.items[1].is_default);
    ck_assert_ptr_null(l.items[1].owner_id);
    ck_assert_str_eq(next, "abc");
    lk_ec2_vpc_list_free(&l);

    /* Another root name, no namespace: the members are read all the same. */
    static const char other_root[] = "<Whatever><vpcSet><item><vpcId>vpc-9</vpcId></item></vpcSet>"
                                     "</Whatever>";
    ck_assert_int_eq(lk_ec2_parse_describe_vpcs(&l, other_root, strlen(other_root), &next, &err),
                     LK_STATUS_OK);
    ck_assert_uint_eq(l.n, 1);
    ck_assert_ptr_null(next);
    lk_ec2_vpc_list_free(&l);
}
END_TEST

START_TEST(test_ec2_strict_types_and_ids)
{
    struct lk_ec2_vpc_list l = {0};
    struct lk_error err = {0};
    const char *next = NULL;
    static const char yes[] =
        "<R><vpcSet><item><vpcId>vpc-1</vpcId><isDefault>yes</isDefault></item></vpcSet></R>";
    ck_assert_int_eq(lk_ec2_parse_describe_vpcs(&l, yes, strlen(yes), &next, &err),
                     LK_STATUS_SCHEMA);
    ck_assert_ptr_nonnull(strstr(err.message, "isDefault"));
    lk_ec2_vpc_list_free(&l);
    static const char no_id[] = "<R><vpcSet><item><state>available</state></item></vpcSet></R>";
    ck_assert_int_eq(lk_ec2_parse_describe_vpcs(&l, no_id, strlen(no_id), &next, &err),
                     LK_STATUS_SCHEMA);
    lk_ec2_vpc_list_free(&l);

    struct lk_ec2_flow_log_list f = {0};
    static const char interval[] =
        "<R><flowLogSet><item><flowLogId>fl-1</flowLogId><resourceId>vpc-1</resourceId>"
        "<maxAggregationInterval>10m</maxAggregationInterval></item></flowLogSet></R>";
    ck_assert_int_eq(lk_ec2_parse_describe_flow_logs(&f, interval, strlen(interval), &next, &err),
                     LK_STATUS_SCHEMA);
    lk_ec2_flow_log_list_free(&f);
    /* A flow log with only logGroupName (older API) delivers to CloudWatch Logs. */
    static const char old[] =
        "<R><flowLogSet><item><flowLogId>fl-1</flowLogId><resourceId>vpc-1</resourceId>"
        "<logGroupName>/flow</logGroupName><trafficType>ALL</trafficType></item></flowLogSet></R>";
    ck_assert_int_eq(lk_ec2_parse_describe_flow_logs(&f, old, strlen(old), &next, &err),
                     LK_STATUS_OK);
    ck_assert_str_eq(f.items[0].log_destination_type, "cloud-watch-logs");
    ck_assert_str_eq(f.items[0].log_group_name, "/flow");
    lk_ec2_flow_log_list_free(&f);
}
END_TEST

START_TEST(test_hostile_documents_refused)
{
    struct lk_query_doc doc;
    struct lk_error err = {0};
    static const char dtd[] =
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaa\">]><r>&a;</r>";
    ck_assert_int_eq(lk_query_parse(&doc, dtd, strlen(dtd), &err), LK_STATUS_MALFORMED);
    lk_query_doc_free(&doc);
    static const char html[] = "<html><body>portal</body></html>";
    ck_assert_int_eq(lk_query_parse(&doc, html, strlen(html), &err), LK_STATUS_SCHEMA);
    lk_query_doc_free(&doc);
    static const char broken[] = "<a><b></a>";
    ck_assert_int_eq(lk_query_parse(&doc, broken, strlen(broken), &err), LK_STATUS_MALFORMED);
    lk_query_doc_free(&doc);
    ck_assert_int_eq(lk_query_parse(&doc, "", 0, &err), LK_STATUS_MALFORMED);
    lk_query_doc_free(&doc);

    /* Nesting past the bound. */
    char deep[LK_QUERY_MAX_DEPTH * 8 + 16];
    size_t n = 0;
    for (int i = 0; i <= LK_QUERY_MAX_DEPTH; i++)
        n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<a>");
    ck_assert_int_eq(lk_query_parse(&doc, deep, n, &err), LK_STATUS_MALFORMED);
    ck_assert_ptr_nonnull(strstr(err.message, "deeply"));
    lk_query_doc_free(&doc);

    /* A text over the bound. */
    size_t big = LK_QUERY_MAX_TEXT_BYTES + 16;
    char *text = malloc(big + 8);
    ck_assert_ptr_nonnull(text);
    memcpy(text, "<a>", 3);
    memset(text + 3, 'x', big - 7);
    memcpy(text + big - 4, "</a>", 4);
    ck_assert_int_eq(lk_query_parse(&doc, text, big, &err), LK_STATUS_MALFORMED);
    lk_query_doc_free(&doc);
    free(text);
    /* An input over the size bound is refused before parsing. */
    ck_assert_int_eq(lk_query_parse(&doc, "<a/>", LK_QUERY_MAX_BYTES + 1, &err),
                     LK_STATUS_TOO_LARGE);
    lk_query_doc_free(&doc);
}
END_TEST

START_TEST(test_elbv2_result_wrapper_and_attributes)
{
    static const char page[] =
        "<DescribeLoadBalancersResponse "
        "xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">"
        "<DescribeLoadBalancersResult><LoadBalancers><member>"
        "<LoadBalancerArn>arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/a/1"
        "</LoadBalancerArn><LoadBalancerName>a</LoadBalancerName><Type>application</Type>"
        "<State><Code>active</Code></State><AvailabilityZones><member><ZoneName>x</ZoneName>"
        "</member></AvailabilityZones></member></LoadBalancers><NextMarker>m1</NextMarker>"
        "</DescribeLoadBalancersResult><ResponseMetadata><RequestId>r</RequestId>"
        "</ResponseMetadata></DescribeLoadBalancersResponse>";
    struct lk_elbv2_list l = {0};
    struct lk_error err = {0};
    const char *marker = NULL;
    ck_assert_int_eq(lk_elbv2_parse_describe_load_balancers(&l, page, strlen(page), &marker, &err),
                     LK_STATUS_OK);
    ck_assert_uint_eq(l.n, 1);
    ck_assert_str_eq(l.items[0].state, "active");
    ck_assert_str_eq(marker, "m1");
    /* Without the <OpResult> wrapper botocore refuses the answer; so does the client. */
    static const char bare[] = "<DescribeLoadBalancersResponse><LoadBalancers/>"
                               "</DescribeLoadBalancersResponse>";
    ck_assert_int_eq(lk_elbv2_parse_describe_load_balancers(&l, bare, strlen(bare), &marker, &err),
                     LK_STATUS_SCHEMA);

    static const char attrs[] =
        "<X><DescribeLoadBalancerAttributesResult><Attributes>"
        "<member><Key>deletion_protection.enabled</Key><Value>false</Value></member>"
        "<member><Key>access_logs.s3.enabled</Key><Value>true</Value></member>"
        "<member><Key>access_logs.s3.bucket</Key><Value>logs</Value></member>"
        "</Attributes></DescribeLoadBalancerAttributesResult></X>";
    ck_assert_int_eq(lk_elbv2_parse_attributes(&l.arena, "DescribeLoadBalancerAttributes",
                                               &l.items[0], attrs, strlen(attrs), &err),
                     LK_STATUS_OK);
    ck_assert(l.items[0].access_logs_enabled);
    ck_assert_str_eq(l.items[0].access_logs_bucket, "logs");
    ck_assert_str_eq(l.items[0].access_logs_prefix, "");
    static const char bad[] = "<X><DescribeLoadBalancerAttributesResult><Attributes>"
                              "<member><Key>access_logs.s3.enabled</Key><Value>1</Value></member>"
                              "</Attributes></DescribeLoadBalancerAttributesResult></X>";
    ck_assert_int_eq(lk_elbv2_parse_attributes(&l.arena, "DescribeLoadBalancerAttributes",
                                               &l.items[0], bad, strlen(bad), &err),
                     LK_STATUS_SCHEMA);
    lk_elbv2_list_free(&l);
}
END_TEST

START_TEST(test_rds_exports)
{
    static const char page[] =
        "<DescribeDBInstancesResponse><DescribeDBInstancesResult><DBInstances><DBInstance>"
        "<DBInstanceIdentifier>db1</DBInstanceIdentifier><Engine>mysql</Engine>"
        "<EnabledCloudwatchLogsExports><member>audit</member><member>error</member>"
        "</EnabledCloudwatchLogsExports><Unknown>1</Unknown></DBInstance></DBInstances>"
        "<Marker>next</Marker></DescribeDBInstancesResult></DescribeDBInstancesResponse>";
    struct lk_rds_list l = {0};
    struct lk_error err = {0};
    const char *marker = NULL;
    ck_assert_int_eq(lk_rds_parse(&l, "DescribeDBInstances", page, strlen(page), &marker, &err),
                     LK_STATUS_OK);
    ck_assert_uint_eq(l.n, 1);
    ck_assert_uint_eq(l.items[0].n_log_exports, 2);
    ck_assert_str_eq(l.items[0].log_exports[1], "error");
    ck_assert_str_eq(marker, "next");
    static const char modify[] = "<M><ModifyDBClusterResult><DBCluster><DBClusterIdentifier>c"
                                 "</DBClusterIdentifier></DBCluster></ModifyDBClusterResult></M>";
    ck_assert_int_eq(lk_rds_parse(&l, "ModifyDBCluster", modify, strlen(modify), NULL, &err),
                     LK_STATUS_OK);
    ck_assert(l.items[1].is_cluster);
    ck_assert_uint_eq(l.items[1].n_log_exports, 0);
    static const char none[] = "<M><ModifyDBClusterResult/></M>";
    ck_assert_int_eq(lk_rds_parse(&l, "ModifyDBCluster", none, strlen(none), NULL, &err),
                     LK_STATUS_SCHEMA);
    lk_rds_list_free(&l);
}
END_TEST

START_TEST(test_form_encoding)
{
    struct lk_buf form;
    lk_query_form_init(&form, "DescribeFlowLogs", "2016-11-15");
    lk_query_form_add(&form, "Filter.1.Name", "resource-id");
    lk_query_form_addf(&form, "a b/c&d", "Filter.1.Value.%d", 1);
    ck_assert_str_eq(lk_buf_cstr(&form),
                     "Action=DescribeFlowLogs&Version=2016-11-15&"
                     "Filter.1.Name=resource-id&Filter.1.Value.1=a%20b%2Fc%26d");
    lk_buf_free(&form);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("query_parsers");
    TCase *tc = tcase_create("parsers");
    tcase_add_test(tc, test_ec2_vpcs_read_as_the_sdks_do);
    tcase_add_test(tc, test_ec2_strict_types_and_ids);
    tcase_add_test(tc, test_hostile_documents_refused);
    tcase_add_test(tc, test_elbv2_result_wrapper_and_attributes);
    tcase_add_test(tc, test_rds_exports);
    tcase_add_test(tc, test_form_encoding);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
