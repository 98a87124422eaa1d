/*
 * logkeep: the coverage settings of sources (docs/language.md, "Coverage and enable"): which
 * producers a source requires to deliver (LK041 for their IDs), the exclusions and their reasons
 * (LK042), and the keys that do not fit the source (LK040).
 *
 * The producers themselves are known only to the run commands, which read them from AWS; what is
 * checked here is what the policy text alone decides.
 */
#include <string.h>

#include "common/glob.h"
#include "compiler/check_int.h"
#include "compiler/decode_int.h"

#define D (&p->diags)

/* ------------------------------------------------------------------------------ producer IDs */

static bool s_hex(struct lk_str s)
{
    for (size_t i = 0; i < s.len; i++)
        if (!((s.ptr[i] >= '0' && s.ptr[i] <= '9') || (s.ptr[i] >= 'a' && s.ptr[i] <= 'f')))
            return false;
    return true;
}

static bool s_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool s_starts(struct lk_str s, const char *prefix)
{
    size_t n = strlen(prefix);
    return s.len >= n && memcmp(s.ptr, prefix, n) == 0;
}

/* "vpc-" and 8 or 17 lowercase hexadecimal digits (EC2 API, Vpc: VpcId; resource IDs moved from
 * 8 to 17 characters in 2018, Amazon EC2 User Guide, "Resource IDs"). */
static bool s_vpc_id(struct lk_str s)
{
    if (!s_starts(s, "vpc-") || (s.len != 12 && s.len != 21))
        return false;
    return s_hex((struct lk_str){s.ptr + 4, s.len - 4});
}

/* An ARN of @p service whose resource starts with @p resource_prefix and goes on. */
static bool s_arn_of(struct lk_str s, const char *service, const char *resource_prefix)
{
    struct lk_arn arn;
    if (!lk_arn_split(s, &arn) || !lk_str_eq_c(arn.service, service) ||
        !lk_account_id_valid(arn.account) || arn.region.len == 0)
        return false;
    return s_starts(arn.resource, resource_prefix) && arn.resource.len > strlen(resource_prefix);
}

/* A Classic Load Balancer's name: 1 to 32 letters, digits and hyphens, neither first nor last a
 * hyphen (ELB API, CreateLoadBalancer: LoadBalancerName). */
static bool s_classic_lb_name(struct lk_str s)
{
    if (s.len < 1 || s.len > 32 || s.ptr[0] == '-' || s.ptr[s.len - 1] == '-')
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (!s_alnum(s.ptr[i]) && s.ptr[i] != '-')
            return false;
    return true;
}

/* An EKS cluster name: 1 to 100 characters, "^[0-9A-Za-z][A-Za-z0-9\-_]*" (EKS API,
 * CreateCluster: name). */
static bool s_eks_name(struct lk_str s)
{
    if (s.len < 1 || s.len > 100 || !s_alnum(s.ptr[0]))
        return false;
    for (size_t i = 1; i < s.len; i++)
        if (!s_alnum(s.ptr[i]) && s.ptr[i] != '-' && s.ptr[i] != '_')
            return false;
    return true;
}

/* A DB instance or cluster identifier as RDS stores it: 1 to 63 lowercase letters, digits and
 * hyphens, starting with a letter, without two hyphens in a row or one at the end; RDS keeps
 * identifiers in lowercase (RDS API, CreateDBInstance: DBInstanceIdentifier, and
 * CreateDBCluster: DBClusterIdentifier, "stored as a lowercase string"). */
static bool s_rds_identifier(struct lk_str s)
{
    if (s.len < 1 || s.len > 63 || !(s.ptr[0] >= 'a' && s.ptr[0] <= 'z') || s.ptr[s.len - 1] == '-')
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
        if (c == '-' && i && s.ptr[i - 1] == '-')
            return false;
    }
    return true;
}

const char *lk_coverage_id_problem(enum lk_source_type type, struct lk_str id)
{
    switch (type) {
    case LK_SRC_VPC_FLOW_LOGS:
    case LK_SRC_ROUTE53_RESOLVER:
        return s_vpc_id(id) ? NULL : "a VPC ID (vpc- and 8 or 17 lowercase hexadecimal digits)";
    case LK_SRC_ELB:
        /* Application Load Balancers by ARN (ELBv2), Classic Load Balancers by name (ELB). */
        return s_arn_of(id, "elasticloadbalancing", "loadbalancer/app/") || s_classic_lb_name(id)
                   ? NULL
                   : "an Application Load Balancer ARN "
                     "(arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/"
                     "<id>)"
                     " or a Classic Load Balancer name";
    case LK_SRC_NLB:
        return s_arn_of(id, "elasticloadbalancing", "loadbalancer/net/")
                   ? NULL
                   : "a Network Load Balancer ARN "
                     "(arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/net/<name>/"
                     "<id>)";
    case LK_SRC_WAF:
        return s_arn_of(id, "wafv2", "regional/webacl/") || s_arn_of(id, "wafv2", "global/webacl/")
                   ? NULL
                   : "a web ACL ARN (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>, "
                     "or global/webacl/ for CloudFront)";
    case LK_SRC_NETWORK_FIREWALL:
        return s_arn_of(id, "network-firewall", "firewall/")
                   ? NULL
                   : "a firewall ARN (arn:aws:network-firewall:<region>:<account>:firewall/<name>)";
    case LK_SRC_EKS_AUDIT:
        return s_eks_name(id) ? NULL
                              : "a cluster name (a letter or digit, then letters, digits, '-' "
                                "and '_', at most 100)";
    case LK_SRC_RDS:
        return s_rds_identifier(id)
                   ? NULL
                   : "a DB instance or cluster identifier (lowercase letters, digits and single "
                     "hyphens, starting with a letter, at most 63)";
    default:
        return "no producer ID: the type has no producers to select";
    }
}

/* ------------------------------------------------------------------------------ log types */

/* EKS control plane log types (EKS API, LogSetup: types; Amazon EKS User Guide, "Send control
 * plane logs to CloudWatch Logs"). */
static const char *const s_eks_log_types[] = {"api", "audit", "authenticator", "controllerManager",
                                              "scheduler"};

/* RDS and Aurora log types, over every engine (docs/source-types.md, rds, "Coverage: is it on":
 * RDS API, CloudwatchLogsExportConfiguration and ModifyDBCluster; Oracle, SQL Server and Db2
 * from the RDS User Guide's pages on each engine's log files). A producer whose engine does not
 * write a declared type is not asked for it. */
static const char *const s_rds_log_types[] = {
    "agent",
    "alert",
    "audit",
    "diag.log",
    "error",
    "general",
    "iam-db-auth-error",
    "instance",
    "listener",
    "notify.log",
    "oemagent",
    "postgresql",
    "slowquery",
    "trace",
    "upgrade",
};

#define S_N(a) (sizeof(a) / sizeof((a)[0]))

static bool s_in_list(struct lk_str s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lk_str_eq_c(s, list[i]))
            return true;
    return false;
}

static void s_log_types(struct lk_policy *p, const struct lk_source *src,
                        const struct lk_coverage_cfg *cov)
{
    bool eks = src->type == LK_SRC_EKS_AUDIT;
    const char *const *known = eks ? s_eks_log_types : s_rds_log_types;
    size_t n_known = eks ? S_N(s_eks_log_types) : S_N(s_rds_log_types);
    bool audit = false;
    for (size_t i = 0; i < cov->log_types.n; i++) {
        const struct lk_text *t = &cov->log_types.items[i];
        if (eks && lk_str_eq_c(t->v, "audit"))
            audit = true;
        if (s_in_list(t->v, known, n_known))
            continue;
        struct lk_diag *d = lk_diag_add(D, "LK040", t->span, "\"%.*s\" is not a log type of %s",
                                        LK_STR_ARG(t->v), lk_source_type_info(src->type)->name);
        const char *s = lk_suggest(t->v, known, n_known);
        if (s)
            lk_diag_help(D, d, "did you mean \"%s\"?", s);
        else if (eks)
            lk_diag_help(D, d,
                         "EKS log types: api, audit, authenticator, controllerManager, "
                         "scheduler");
    }
    /* The source is the cluster's audit log: the other types add to it (docs/language.md). */
    if (eks && !audit) {
        struct lk_diag *d = lk_diag_add(D, "LK040", cov->log_types.span,
                                        "the log_types of an eks-audit source leave out audit");
        lk_diag_help(D, d, "add audit to the list");
    }
}

/* ------------------------------------------------------------------------------ checks */

static const struct lk_text *s_find_id(const struct lk_text_list *l, struct lk_str id, size_t end)
{
    for (size_t i = 0; i < end && i < l->n; i++)
        if (lk_str_eq(l->items[i].v, id))
            return &l->items[i];
    return NULL;
}

/* For an ID in ARN form: the account and Region it names must be covered by the source, or the
 * producer is never read where the source looks for it. */
static void s_arn_in_scope(struct lk_policy *p, const struct lk_source *src,
                           const struct lk_text *id)
{
    struct lk_arn arn;
    if (!lk_arn_split(id->v, &arn) || !src->scope_accounts || !src->scope_regions)
        return;
    bool acc = false, reg = false;
    for (size_t i = 0; i < src->n_scope_accounts; i++)
        acc = acc || lk_str_eq_c(arn.account, src->scope_accounts[i]);
    for (size_t i = 0; i < src->n_scope_regions; i++)
        reg = reg || lk_str_eq_c(arn.region, src->scope_regions[i]);
    if (acc && reg)
        return;
    struct lk_diag *d = lk_diag_add(
        D, "LK041", id->span, "\"%.*s\" is in %s %.*s, which source \"%.*s\" does not cover",
        LK_STR_ARG(id->v), acc ? "Region" : "account", LK_STR_ARG(acc ? arn.region : arn.account),
        LK_STR_ARG(src->name));
    lk_diag_help(D, d, "add the %s to the source's %s, or leave the producer out",
                 acc ? "Region" : "account", acc ? "regions" : "accounts");
}

static bool s_id(struct lk_policy *p, const struct lk_source *src, const struct lk_text *id)
{
    const char *want = lk_coverage_id_problem(src->type, id->v);
    if (!want) {
        s_arn_in_scope(p, src, id);
        return true;
    }
    struct lk_diag *d = lk_diag_add(D, "LK041", id->span, "\"%.*s\" is not a producer ID of %s",
                                    LK_STR_ARG(id->v), lk_source_type_info(src->type)->name);
    lk_diag_help(D, d, "expected %s", want);
    return false;
}

/* The key of a coverage setting that does not apply, and why. */
static void s_refuse(struct lk_policy *p, struct lk_span span, const char *key, const char *why,
                     const char *help)
{
    struct lk_diag *d = lk_diag_add(D, "LK040", span, "%s %s", key, why);
    if (help)
        lk_diag_help(D, d, "%s", help);
}

static void s_source(struct lk_policy *p, struct lk_source *src, const struct lk_coverage_cfg *cov)
{
    const char *type = lk_source_type_info(src->type)->name;
    if (!lk_source_type_produces(src->type)) {
        char *why = lk_arena_printf(&p->arena, "does not apply to %s sources: %s", type,
                                    src->type == LK_SRC_CLOUDTRAIL
                                        ? "logkeep manages the trail itself"
                                        : "the type has no producers logkeep can read");
        if (cov->resources_set)
            s_refuse(p, cov->resources_span, "resources", why, NULL);
        if (cov->enable.set)
            s_refuse(p, cov->enable.span, "enable", why, NULL);
        if (cov->log_types.set)
            s_refuse(p, cov->log_types.span, "log_types", why, NULL);
        if (cov->coverage.set)
            s_refuse(p, cov->coverage.span, "coverage", why, NULL);
        if (cov->delivery_role.set)
            s_refuse(p, cov->delivery_role.span, "delivery_role", why, NULL);
        return;
    }
    bool off = cov->coverage.set && !cov->coverage.v;
    if (off) {
        const char *help = "remove it, or remove coverage: false";
        if (cov->resources_set)
            s_refuse(p, cov->resources_span, "resources", "has no effect with coverage: false",
                     help);
        if (cov->enable.set && cov->enable.v)
            s_refuse(p, cov->enable.span, "enable",
                     "cannot turn on producers whose coverage is off", help);
        if (cov->log_types.set)
            s_refuse(p, cov->log_types.span, "log_types", "has no effect with coverage: false",
                     help);
    }
    /* One recorder and one detector per account and Region: there is nothing to select. */
    if (cov->resources_set && (src->type == LK_SRC_CONFIG || src->type == LK_SRC_GUARDDUTY))
        s_refuse(p, cov->resources_span, "resources",
                 lk_arena_printf(&p->arena, "does not apply to %s sources: %s", type,
                                 src->type == LK_SRC_CONFIG
                                     ? "AWS Config has one recorder per account and Region"
                                     : "GuardDuty has one detector per account and Region"),
                 "narrow the source's accounts or regions instead");
    if (cov->log_types.set) {
        if (src->type == LK_SRC_EKS_AUDIT || src->type == LK_SRC_RDS)
            s_log_types(p, src, cov);
        else
            s_refuse(p, cov->log_types.span, "log_types",
                     lk_arena_printf(&p->arena, "does not apply to %s sources", type),
                     "only eks-audit and rds sources name log types");
    }
    /* VPC Flow Logs to CloudWatch Logs only: "DeliverLogsPermissionArn ... required if the
     * destination type is cloud-watch-logs and unsupported otherwise" (EC2 API, CreateFlowLogs;
     * docs/source-types.md, vpc-flow-logs, "Turning it on"). */
    bool flow_to_logs = src->type == LK_SRC_VPC_FLOW_LOGS && src->log_groups.n;
    if (cov->delivery_role.set && !flow_to_logs)
        s_refuse(p, cov->delivery_role.span, "delivery_role",
                 src->type == LK_SRC_VPC_FLOW_LOGS
                     ? "applies only to flow logs into log groups"
                     : lk_arena_printf(&p->arena, "does not apply to %s sources", type),
                 "only vpc-flow-logs sources with log_groups pass a role");
    else if (cov->delivery_role.set && (off || !(cov->enable.set && cov->enable.v)))
        s_refuse(p, cov->delivery_role.span, "delivery_role", "is used only to turn flow logs on",
                 "add enable: true, or remove it");
    if (flow_to_logs && cov->enable.set && cov->enable.v && !off && !cov->delivery_role.set) {
        struct lk_diag *d = lk_diag_add(D, "LK040", cov->enable.span,
                                        "flow logs into log groups need a delivery_role to be "
                                        "turned on");
        lk_diag_help(D, d,
                     "name the role VPC Flow Logs assumes in each account: delivery_role: "
                     "<role name>");
    }

    /* Turning delivery on needs places to point it at: the store, and log groups named
     * exactly (each destination is required). EKS and RDS choose their log groups themselves. */
    if (cov->enable.set && cov->enable.v && !off && src->type != LK_SRC_EKS_AUDIT &&
        src->type != LK_SRC_RDS) {
        for (size_t i = 0; i < src->log_groups.n; i++) {
            const struct lk_text *g = &src->log_groups.items[i];
            if (!lk_glob_has_wildcard(g->v, 0))
                continue;
            struct lk_diag *d = lk_diag_add(D, "LK040", g->span,
                                            "enable cannot create delivery to the pattern \"%.*s\"",
                                            LK_STR_ARG(g->v));
            lk_diag_help(D, d, "name the log group exactly, or leave enable out");
        }
    }

    /* "You can associate one logging destination to a web ACL" (WAFV2 API,
     * PutLoggingConfiguration, LogDestinationConfigs): a waf source naming two can never be
     * covered. */
    size_t n_dest = (src->store_ref.set ? 1 : 0) + src->log_groups.n;
    if (src->type == LK_SRC_WAF && !off && n_dest > 1) {
        struct lk_diag *d =
            lk_diag_add(D, "LK040", src->log_groups.span,
                        "a web ACL logs to one destination, and source \"%.*s\" names %zu",
                        LK_STR_ARG(src->name), n_dest);
        lk_diag_help(D, d,
                     "give each destination its own source, selecting its web ACLs with "
                     "resources, or set coverage: false");
    }

    /* Producer IDs. */
    for (size_t i = 0; i < cov->ids.n; i++) {
        const struct lk_text *id = &cov->ids.items[i];
        const struct lk_text *first = s_find_id(&cov->ids, id->v, i);
        if (first) {
            struct lk_diag *d =
                lk_diag_add(D, "LK041", id->span, "\"%.*s\" is listed twice", LK_STR_ARG(id->v));
            lk_diag_related(D, d, first->span, "first listed here");
            continue;
        }
        s_id(p, src, id);
    }
    /* Exclusions: like waivers, one that cannot match is an error (LK042). With ids, the
     * policy text says which producers are selected; otherwise the run commands report an
     * exclusion that matches no producer they read. */
    for (size_t i = 0; i < cov->n_exclude; i++) {
        const struct lk_exclusion *x = &cov->exclude[i];
        if (!s_id(p, src, &x->id))
            continue;
        if (!cov->ids.set)
            continue;
        const struct lk_text *listed = s_find_id(&cov->ids, x->id.v, cov->ids.n);
        if (listed) {
            struct lk_diag *d =
                lk_diag_add(D, "LK042", x->id.span, "\"%.*s\" is both selected in ids and excluded",
                            LK_STR_ARG(x->id.v));
            lk_diag_related(D, d, listed->span, "selected here");
            lk_diag_help(D, d, "remove it from ids, and the exclusion with it");
        } else {
            struct lk_diag *d = lk_diag_add(D, "LK042", x->id.span,
                                            "exclusion of \"%.*s\" matches no selected producer",
                                            LK_STR_ARG(x->id.v));
            lk_diag_help(D, d, "ids selects the producers: remove the stale exclusion");
        }
    }
}

void lk_check_coverage(struct lk_policy *p)
{
    static const struct lk_coverage_cfg defaults = {0};
    for (size_t i = 0; i < p->n_srcs; i++) {
        struct lk_source *src = p->srcs[i];
        if (!src->type_set)
            continue;
        if (src->cov)
            s_source(p, src, src->cov);
        else if (lk_source_type_produces(src->type))
            s_source(p, src, &defaults);
    }
}
