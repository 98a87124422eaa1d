/*
 * libFuzzer target for the Query-protocol XML readers: the bounded element tree of
 * runtime/services/query.c (lk_query_parse and its accessors) and the response readers of
 * Amazon EC2 (DescribeVpcs, DescribeFlowLogs, CreateFlowLogs; ec2.c), Elastic Load Balancing
 * v2 (DescribeLoadBalancers, Describe/ModifyLoadBalancerAttributes; elbv2.c) and Amazon RDS
 * (DescribeDBInstances, DescribeDBClusters, ModifyDBInstance, ModifyDBCluster; rds.c). Each
 * input is given to every reader. Any crash, leak, hang or sanitizer report is a bug, and so is
 * a tree or a result that breaks what query.h and the readers promise (checked below).
 *
 *   clang -fsanitize=fuzzer,address,undefined ... tests/fuzz/fuzz_query_xml.c -o fuzz_query_xml
 *   ./fuzz_query_xml -max_total_time=60 corpus tests/services/fuzz-seeds/query
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/services/ec2.h"
#include "runtime/services/elbv2.h"
#include "runtime/services/query.h"
#include "runtime/services/rds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void s_check(bool ok)
{
    if (!ok)
        abort();
}

/* The tree's shape: links agree, the depth and element bounds hold, names are local (no
 * namespace separator), and only leaves carry text. @return the elements under @p n. */
static size_t s_walk(const struct lk_query_node *n, int depth)
{
    size_t count = 1;
    s_check(depth <= LK_QUERY_MAX_DEPTH);
    s_check(n->name != NULL && n->text != NULL && strchr(n->name, '|') == NULL);
    s_check(n->child == NULL || n->text[0] == '\0');
    s_check((n->child == NULL) == (n->last == NULL));
    for (const struct lk_query_node *c = n->child; c; c = c->next) {
        s_check(c->parent == n);
        s_check(c->next != NULL || c == n->last);
        count += s_walk(c, depth + 1);
    }
    return count;
}

static void s_tree(const char *xml, size_t size)
{
    struct lk_query_doc doc;
    struct lk_error err = {0};
    if (lk_query_parse(&doc, xml, size, &err) == 0) {
        s_check(doc.root != NULL && doc.root->parent == NULL);
        s_check(s_walk(doc.root, 1) <= LK_QUERY_MAX_ELEMENTS);
        /* The accessors over the root's first child, whatever it is. */
        const struct lk_query_node *first = doc.root->child;
        if (first != NULL) {
            s_check(lk_query_child(doc.root, first->name) == first);
            for (const struct lk_query_node *s = lk_query_next(first); s; s = lk_query_next(s))
                s_check(strcmp(s->name, first->name) == 0);
            bool b = false;
            int64_t v = 0;
            LK_IGNORE(lk_query_bool(doc.root, first->name, &b, &err));
            LK_IGNORE(lk_query_int(doc.root, first->name, &v, &err));
        }
        const struct lk_query_node *result = NULL;
        if (lk_query_result(&doc, "DescribeVpcs", false, &result, &err) == 0)
            s_check(result != NULL && result->parent == doc.root);
        s_check(lk_query_result(&doc, "DescribeVpcs", true, &result, &err) == 0 &&
                result == doc.root);
    } else {
        s_check(err.message[0] != '\0');
    }
    lk_query_doc_free(&doc);
}

static void s_ec2(const char *xml, size_t size)
{
    struct lk_error err = {0};
    const char *next = NULL;

    struct lk_ec2_vpc_list vpcs;
    memset(&vpcs, 0, sizeof(vpcs));
    if (lk_ec2_parse_describe_vpcs(&vpcs, xml, size, &next, &err) == 0) {
        for (size_t i = 0; i < vpcs.n; i++)
            s_check(vpcs.items[i].vpc_id && vpcs.items[i].vpc_id[0]);
        s_check(!next || next[0]);
    } else {
        s_check(err.message[0] != '\0');
    }
    lk_ec2_vpc_list_free(&vpcs);

    struct lk_ec2_flow_log_list flows;
    memset(&flows, 0, sizeof(flows));
    if (lk_ec2_parse_describe_flow_logs(&flows, xml, size, &next, &err) == 0) {
        for (size_t i = 0; i < flows.n; i++) {
            const struct lk_ec2_flow_log *f = &flows.items[i];
            s_check(f->flow_log_id[0] && f->resource_id[0] && f->log_destination_type);
        }
        s_check(!next || next[0]);
    }
    lk_ec2_flow_log_list_free(&flows);

    /* Twice into the same result: the reader appends. */
    struct lk_ec2_create_result created;
    memset(&created, 0, sizeof(created));
    for (int round = 0; round < 2; round++) {
        size_t before = created.n_flow_log_ids;
        if (lk_ec2_parse_create_flow_logs(&created, xml, size, &err) == 0)
            for (size_t i = before; i < created.n_flow_log_ids; i++)
                s_check(created.flow_log_ids[i][0] != '\0');
    }
    lk_ec2_create_result_free(&created);
}

static void s_elbv2(const char *xml, size_t size)
{
    struct lk_error err = {0};
    const char *next = NULL;
    struct lk_elbv2_list lbs;
    memset(&lbs, 0, sizeof(lbs));
    if (lk_elbv2_parse_describe_load_balancers(&lbs, xml, size, &next, &err) == 0) {
        for (size_t i = 0; i < lbs.n; i++)
            s_check(lbs.items[i].arn[0] && !lbs.items[i].attributes_read);
        s_check(!next || next[0]);
    } else {
        s_check(err.message[0] != '\0');
    }
    static const char *const ops[] = {"DescribeLoadBalancerAttributes",
                                      "ModifyLoadBalancerAttributes"};
    for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
        struct lk_elbv2_load_balancer lb;
        memset(&lb, 0, sizeof(lb));
        if (lk_elbv2_parse_attributes(&lbs.arena, ops[k], &lb, xml, size, &err) == 0)
            s_check(lb.attributes_read && lb.access_logs_bucket && lb.access_logs_prefix);
        else
            s_check(!lb.attributes_read);
    }
    lk_elbv2_list_free(&lbs);
}

static void s_rds(const char *xml, size_t size)
{
    static const char *const ops[] = {"DescribeDBInstances", "DescribeDBClusters",
                                      "ModifyDBInstance", "ModifyDBCluster"};
    struct lk_rds_list dbs;
    memset(&dbs, 0, sizeof(dbs));
    for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
        struct lk_error err = {0};
        const char *next = NULL;
        size_t before = dbs.n;
        if (lk_rds_parse(&dbs, ops[k], xml, size, k < 2 ? &next : NULL, &err) == 0) {
            s_check(k < 2 || dbs.n == before + 1);
            for (size_t i = before; i < dbs.n; i++) {
                const struct lk_rds_database *d = &dbs.items[i];
                s_check(d->id && d->id[0] && d->is_cluster == (k % 2 == 1));
                for (size_t t = 0; t < d->n_log_exports; t++)
                    s_check(d->log_exports[t][0] != '\0');
            }
            s_check(!next || next[0]);
        } else {
            s_check(err.message[0] != '\0');
        }
    }
    lk_rds_list_free(&dbs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *xml = (const char *)data;
    s_tree(xml, size);
    s_ec2(xml, size);
    s_elbv2(xml, size);
    s_rds(xml, size);
    return 0;
}
