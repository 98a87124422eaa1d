/*
 * libFuzzer target for the JSON response parsers: CloudWatch Logs DescribeLogGroups
 * (runtime/services/logs.c), CloudTrail GetTrail, DescribeTrails, GetTrailStatus and
 * GetEventSelectors (cloudtrail.c), bucket policy documents (policy_json.c), and Organizations
 * DescribeOrganization, ListRoots, ListOrganizationalUnitsForParent and ListAccounts
 * (organizations.c), and the log-source listings: Route 53 Resolver query logging (resolver.c),
 * AWS WAF (wafv2.c), AWS Network Firewall (netfw.c), AWS Config (configsvc.c), Amazon GuardDuty
 * (guardduty.c) and Amazon EKS (eks.c), and the REST-JSON error type (restjson.c). Each input
 * is given to every parser. Any crash, leak, hang or sanitizer report is a bug, and so is a
 * parse that succeeds with a result outside the IR's canonical order or its reader's promises
 * (checked below).
 *
 *   clang -fsanitize=fuzzer,address,undefined ... tests/fuzz/fuzz_json_responses.c -o fuzz_json
 *   ./fuzz_json -max_total_time=60 corpus tests/services/fuzz-seeds/json
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/services/cloudtrail.h"
#include "runtime/services/configsvc.h"
#include "runtime/services/eks.h"
#include "runtime/services/guardduty.h"
#include "runtime/services/logs.h"
#include "runtime/services/netfw.h"
#include "runtime/services/organizations.h"
#include "runtime/services/policy_json.h"
#include "runtime/services/resolver.h"
#include "runtime/services/restjson.h"
#include "runtime/services/wafv2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void s_check(bool ok)
{
    if (!ok)
        abort();
}

static void s_sorted_unique(const struct lk_ir_string_list *l)
{
    for (size_t i = 1; i < l->n; i++)
        s_check(strcmp(l->items[i - 1], l->items[i]) < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *json = (const char *)data;
    struct lk_error err = {0};
    struct lk_ir_state *st = lk_ir_state_new();

    struct lk_ir_log_group *groups = NULL;
    size_t n = 0;
    char *next = NULL;
    if (lk_logs_parse_describe_log_groups(st, json, size, "us-east-1", &groups, &n, &next, &err) ==
        0) {
        for (size_t i = 0; i < n; i++)
            s_check(groups[i].name && groups[i].name[0] && groups[i].retention_days >= 0);
        s_check(!next || next[0]);
    } else {
        s_check(err.message[0] != '\0');
    }

    struct lk_ir_trail t;
    if (lk_cloudtrail_parse_trail(st, json, size, &t, &err) == 0)
        s_check(t.name && t.exists);
    struct lk_ir_trail *trails = NULL;
    if (lk_cloudtrail_parse_describe_trails(st, json, size, &trails, &n, &err) == 0)
        for (size_t i = 0; i < n; i++)
            s_check(trails[i].name != NULL);
    bool logging = false;
    LK_IGNORE(lk_cloudtrail_parse_trail_status(json, size, &logging, &err));
    struct lk_ir_trail sel;
    memset(&sel, 0, sizeof(sel));
    if (lk_cloudtrail_parse_event_selectors(st, json, size, &sel, &err) == 0) {
        for (size_t i = 0; i < sel.n_event_selectors; i++) {
            const struct lk_ir_event_selector *e = &sel.event_selectors[i];
            s_check(e->read_write_type != NULL);
            for (size_t d = 0; d < e->n_data_resources; d++) {
                s_check(e->data_resources[d].type != NULL);
                s_sorted_unique(&e->data_resources[d].values);
            }
            s_sorted_unique(&e->exclude_management_event_sources);
        }
    }

    struct lk_ir_bucket pb;
    memset(&pb, 0, sizeof(pb));
    if (lk_policy_json_parse(st, json, size, "aws", &pb, &err) == 0) {
        const struct lk_ir_bucket_policy p = pb.policy;
        s_check(!(pb.unmodelled & ~(unsigned)LK_IR_UNMODELLED_POLICY));
        s_check(p.present && p.version);
        for (size_t i = 0; i < p.n_statements; i++) {
            const struct lk_ir_statement *s = &p.statements[i];
            s_check(i == 0 || strcmp(p.statements[i - 1].sid ? p.statements[i - 1].sid : "",
                                     s->sid ? s->sid : "") <= 0);
            s_check(s->principal_kind == LK_IR_PRINCIPAL_ANY ? s->principals.n == 0
                                                             : s->principals.n > 0);
            s_sorted_unique(&s->principals);
            s_sorted_unique(&s->actions);
            s_sorted_unique(&s->resources);
            for (size_t k = 0; k < s->n_conditions; k++) {
                s_sorted_unique(&s->conditions[k].values);
                s_check(s->conditions[k].values.n > 0);
            }
        }
    } else {
        s_check(err.message[0] != '\0');
    }

    /* Organizations: every id that parses matches the API's pattern. */
    struct lk_org_organization org;
    if (lk_org_parse_describe_organization(&st->arena, json, size, &org, &err) == 0)
        s_check(org.id && lk_org_is_account_id(org.management_account_id));
    struct lk_org_root *roots = NULL;
    if (lk_org_parse_list_roots(&st->arena, json, size, &roots, &n, &next, &err) == 0) {
        for (size_t i = 0; i < n; i++)
            s_check(lk_org_is_root_id(roots[i].id) && roots[i].name);
        s_check(!next || next[0]);
    }
    struct lk_org_ou *ous = NULL;
    if (lk_org_parse_list_ous(&st->arena, json, size, "r-abcd", &ous, &n, &next, &err) == 0)
        for (size_t i = 0; i < n; i++)
            s_check(lk_org_is_ou_id(ous[i].id) && !strcmp(ous[i].parent_id, "r-abcd"));
    struct lk_org_account *accounts = NULL;
    if (lk_org_parse_list_accounts(&st->arena, json, size, &accounts, &n, &next, &err) == 0) {
        for (size_t i = 0; i < n; i++)
            s_check(lk_org_is_account_id(accounts[i].id) &&
                    accounts[i].active == !strcmp(accounts[i].status, "ACTIVE"));
        size_t u = lk_org_accounts_sort_unique(accounts, n);
        for (size_t i = 1; i < u; i++)
            s_check(strcmp(accounts[i - 1].id, accounts[i].id) < 0);
    }

    /* The log-source clients (resolver.c, wafv2.c, netfw.c, configsvc.c, guardduty.c, eks.c):
     * every parser reads the input; a parser that reads into a listing another one filled is
     * given that listing only when the first succeeded, as the clients do. */
    struct lk_error why = {0};
    char *tok = NULL;
    struct lk_resolver_listing rl;
    lk_resolver_listing_init(&rl);
    if (lk_resolver_parse_configs(&rl, json, size, &tok, &why) == 0)
        for (size_t i = 0; i < rl.n_configs; i++)
            s_check(rl.configs[i].id != NULL);
    else
        s_check(why.message[0] != '\0');
    if (lk_resolver_parse_associations(&rl, json, size, &tok, &why) == 0)
        for (size_t i = 0; i < rl.n_associations; i++)
            s_check(rl.associations[i].config_id && rl.associations[i].resource_id);
    lk_resolver_listing_free(&rl);

    struct lk_wafv2_listing wl;
    lk_wafv2_listing_init(&wl);
    if (lk_wafv2_parse_web_acls(&wl, LK_WAFV2_REGIONAL, json, size, &tok, &why) == 0) {
        for (size_t i = 0; i < wl.n_acls; i++)
            s_check(wl.acls[i].arn != NULL && wl.acls[i].scope == LK_WAFV2_REGIONAL);
        if (lk_wafv2_parse_logging_configurations(&wl, json, size, &tok, &why) == 0)
            for (size_t i = 0; i < wl.n_acls; i++)
                s_check(!wl.acls[i].logging ||
                        (wl.acls[i].destinations != NULL &&
                         wl.acls[i].n_destinations <= LK_WAFV2_MAX_DESTINATIONS));
    }
    lk_wafv2_listing_free(&wl);

    struct lk_netfw_listing nl;
    lk_netfw_listing_init(&nl);
    struct lk_netfw_firewall fw;
    memset(&fw, 0, sizeof(fw));
    if (lk_netfw_parse_firewalls(&nl, json, size, &tok, &why) == 0)
        for (size_t i = 0; i < nl.n_firewalls; i++)
            s_check(nl.firewalls[i].arn != NULL);
    if (lk_netfw_parse_logging(&nl, json, size, nl.n_firewalls ? &nl.firewalls[0] : &fw, &why) ==
        0) {
        const struct lk_netfw_firewall *f = nl.n_firewalls ? &nl.firewalls[0] : &fw;
        s_check(f->n_destinations <= LK_NETFW_MAX_DESTINATIONS);
        for (size_t i = 0; i < f->n_destinations; i++)
            s_check(f->destinations[i].log_type && f->destinations[i].destination_type);
    }
    lk_netfw_listing_free(&nl);

    struct lk_config_listing cl;
    lk_config_listing_init(&cl);
    if (lk_config_parse_recorders(&cl, json, size, &why) == 0) {
        s_check(cl.n_recorders <= LK_CONFIG_MAX_ENTRIES);
        for (size_t i = 0; i < cl.n_recorders; i++)
            s_check(cl.recorders[i].name != NULL);
        if (lk_config_parse_status(&cl, json, size, &why) == 0)
            for (size_t i = 0; i < cl.n_recorders; i++)
                s_check(cl.recorders[i].has_status || !cl.recorders[i].recording);
    }
    if (lk_config_parse_channels(&cl, json, size, &why) == 0)
        for (size_t i = 0; i < cl.n_channels; i++)
            s_check(cl.channels[i].name != NULL);
    lk_config_listing_free(&cl);

    struct lk_guardduty_listing gl;
    lk_guardduty_listing_init(&gl);
    if (lk_guardduty_parse_detectors(&gl, json, size, &tok, &why) == 0) {
        for (size_t i = 0; i < gl.n_detectors; i++)
            s_check(gl.detectors[i].id != NULL);
        s_check(!tok || tok[0]);
    }
    struct lk_guardduty_detector det;
    memset(&det, 0, sizeof(det));
    struct lk_guardduty_detector *dp = gl.n_detectors ? &gl.detectors[0] : &det;
    if (lk_guardduty_parse_destinations(&gl, dp, json, size, &tok, &why) == 0)
        for (size_t i = 0; i < dp->n_destinations; i++)
            s_check(dp->destinations[i].id != NULL);
    struct lk_guardduty_destination gd;
    memset(&gd, 0, sizeof(gd));
    LK_IGNORE(lk_guardduty_parse_destination(&gl, &gd, json, size, &why));
    free(det.destinations);
    lk_guardduty_listing_free(&gl);

    struct lk_eks_listing el;
    lk_eks_listing_init(&el);
    struct lk_eks_cluster ec;
    memset(&ec, 0, sizeof(ec));
    if (lk_eks_parse_clusters(&el, json, size, &tok, &why) == 0)
        for (size_t i = 0; i < el.n_clusters; i++)
            s_check(el.clusters[i].name != NULL);
    struct lk_eks_cluster *cp = el.n_clusters ? &el.clusters[0] : &ec;
    if (lk_eks_parse_cluster(&el, json, size, cp, &why) == 0)
        s_check((cp->enabled_types & ~LK_EKS_LOG_ALL) == 0);
    lk_eks_listing_free(&el);

    /* The REST-JSON error type (restjson.c): from the X-Amzn-ErrorType header when there is
     * one (here the input up to its first NUL or line end), else from the body's code, Code or
     * __type. What is taken is a short identifier, cut at ':' and after '#', without blanks at
     * either end. */
    char *copy = malloc(size + 1);
    s_check(copy != NULL);
    memcpy(copy, data, size);
    copy[size] = '\0';
    for (int with_header = 0; with_header < 2; with_header++) {
        char hdr_name[] = "x-amzn-ErrorType";
        struct lk_http_header hdr = {hdr_name, copy};
        struct lk_http_response resp;
        memset(&resp, 0, sizeof(resp));
        resp.status = 400;
        resp.body = (unsigned char *)copy;
        resp.body_len = size;
        if (with_header) {
            copy[strcspn(copy, "\r\n")] = '\0';
            resp.headers = &hdr;
            resp.n_headers = 1;
        }
        struct lk_aws_error aerr;
        memset(&aerr, 0, sizeof(aerr));
        lk_restjson_error_type(&resp, &aerr);
        if (aerr.code != NULL) {
            size_t len = strlen(aerr.code);
            s_check(len > 0 && len <= 256 && !strpbrk(aerr.code, ":#"));
            s_check(aerr.code[0] != ' ' && aerr.code[0] != '\t');
            s_check(aerr.code[len - 1] != ' ' && aerr.code[len - 1] != '\t');
        }
        free(aerr.code);
    }
    free(copy);

    lk_ir_state_free(st);
    return 0;
}
