/*
 * libFuzzer target for the JSON response parsers: CloudWatch Logs DescribeLogGroups
 * (runtime/services/logs.c), CloudTrail GetTrail, DescribeTrails, GetTrailStatus and
 * GetEventSelectors (cloudtrail.c), bucket policy documents (policy_json.c), and Organizations
 * DescribeOrganization, ListRoots, ListOrganizationalUnitsForParent and ListAccounts
 * (organizations.c). Each input is
 * given to every parser. Any crash, leak, hang or sanitizer report is a bug, and so is a parse
 * that succeeds with a result outside the IR's canonical order (checked below).
 *
 *   clang -fsanitize=fuzzer,address,undefined ... tests/fuzz/fuzz_json_responses.c -o fuzz_json
 *   ./fuzz_json -max_total_time=60 corpus tests/services/fuzz-seeds/json
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/services/cloudtrail.h"
#include "runtime/services/logs.h"
#include "runtime/services/organizations.h"
#include "runtime/services/policy_json.h"

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

    lk_ir_state_free(st);
    return 0;
}
