/*
 * logkeep: AWS naming rules (LK020-LK025): bucket, log group and trail names, ARNs, account IDs
 * and regions.
 */
#include <stdlib.h>
#include <string.h>

#include "common/glob.h"
#include "compiler/check_int.h"
#include "compiler/decode_int.h"

/* Regions by partition. Sources: AWS General Reference, "AWS service endpoints" and "Regions
 * and Zones" (https://docs.aws.amazon.com/general/latest/gr/rande.html,
 * https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html); China:
 * https://docs.amazonaws.cn/en_us/aws/latest/userguide/endpoints-arns.html; GovCloud:
 * https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/using-govcloud-endpoints.html. */
static const struct {
    const char *region;
    const char *partition;
} s_regions[] = {
    {"af-south-1", "aws"},     {"ap-east-1", "aws"},      {"ap-east-2", "aws"},
    {"ap-northeast-1", "aws"}, {"ap-northeast-2", "aws"}, {"ap-northeast-3", "aws"},
    {"ap-south-1", "aws"},     {"ap-south-2", "aws"},     {"ap-southeast-1", "aws"},
    {"ap-southeast-2", "aws"}, {"ap-southeast-3", "aws"}, {"ap-southeast-4", "aws"},
    {"ap-southeast-5", "aws"}, {"ap-southeast-6", "aws"}, {"ap-southeast-7", "aws"},
    {"ca-central-1", "aws"},   {"ca-west-1", "aws"},      {"eu-central-1", "aws"},
    {"eu-central-2", "aws"},   {"eu-north-1", "aws"},     {"eu-south-1", "aws"},
    {"eu-south-2", "aws"},     {"eu-west-1", "aws"},      {"eu-west-2", "aws"},
    {"eu-west-3", "aws"},      {"il-central-1", "aws"},   {"me-central-1", "aws"},
    {"me-south-1", "aws"},     {"mx-central-1", "aws"},   {"sa-east-1", "aws"},
    {"us-east-1", "aws"},      {"us-east-2", "aws"},      {"us-west-1", "aws"},
    {"us-west-2", "aws"},      {"cn-north-1", "aws-cn"},  {"cn-northwest-1", "aws-cn"},
    {"us-gov-east-1", "aws-us-gov"}, {"us-gov-west-1", "aws-us-gov"},
};
#define S_N_REGIONS (sizeof(s_regions) / sizeof(s_regions[0]))

const char *lk_region_partition(struct lk_str region)
{
    for (size_t i = 0; i < S_N_REGIONS; i++)
        if (lk_str_eq_c(region, s_regions[i].region))
            return s_regions[i].partition;
    return NULL;
}

bool lk_check_region(struct lk_policy *p, const struct lk_text *t)
{
    if (!t->set || lk_region_partition(t->v))
        return true;
    struct lk_diag *d = lk_diag_add(&p->diags, "LK025", t->span, "unknown AWS region \"%.*s\"",
                                    LK_STR_ARG(t->v));
    const char *names[S_N_REGIONS];
    for (size_t i = 0; i < S_N_REGIONS; i++)
        names[i] = s_regions[i].region;
    const char *s = lk_suggest(t->v, names, S_N_REGIONS);
    if (s)
        lk_diag_help(&p->diags, d, "did you mean \"%s\"?", s);
    return false;
}

bool lk_account_id_valid(struct lk_str s)
{
    if (s.len != 12)
        return false;
    for (size_t i = 0; i < 12; i++)
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return false;
    return true;
}

static bool s_is(char c, const char *set)
{
    return c && strchr(set, c) != NULL;
}

#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGIT "0123456789"

const char *lk_bucket_name_problem(struct lk_str b)
{
    /* General purpose bucket naming rules, Amazon S3 User Guide:
     * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html */
    if (b.len < 3 || b.len > 63)
        return "bucket names are 3 to 63 characters long";
    for (size_t i = 0; i < b.len; i++)
        if (!s_is(b.ptr[i], LOWER DIGIT ".-"))
            return "bucket names use only lowercase letters, digits, dots and hyphens";
    if (!s_is(b.ptr[0], LOWER DIGIT) || !s_is(b.ptr[b.len - 1], LOWER DIGIT))
        return "bucket names begin and end with a letter or digit";
    for (size_t i = 1; i < b.len; i++)
        if (b.ptr[i] == '.' && b.ptr[i - 1] == '.')
            return "bucket names must not contain two adjacent dots";
    /* "Bucket names must not be formatted as an IP address (for example, 192.168.5.4)." */
    int dots = 0;
    bool ip = true;
    for (size_t i = 0; i < b.len; i++) {
        if (b.ptr[i] == '.')
            dots++;
        else if (!s_is(b.ptr[i], DIGIT))
            ip = false;
    }
    if (ip && dots == 3)
        return "bucket names must not look like an IP address";
    static const char *const bad_prefix[] = {"xn--", "sthree-", "amzn-s3-demo-"};
    for (size_t i = 0; i < sizeof(bad_prefix) / sizeof(bad_prefix[0]); i++)
        if (lk_str_starts_with(b, bad_prefix[i]))
            return "bucket names must not start with xn--, sthree- or amzn-s3-demo-";
    static const char *const bad_suffix[] = {"-s3alias", "--ol-s3", ".mrap", "--x-s3",
                                             "--table-s3"};
    for (size_t i = 0; i < sizeof(bad_suffix) / sizeof(bad_suffix[0]); i++) {
        size_t n = strlen(bad_suffix[i]);
        if (b.len >= n && memcmp(b.ptr + b.len - n, bad_suffix[i], n) == 0)
            return "bucket names must not end with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3";
    }
    return NULL;
}

const char *lk_log_group_problem(struct lk_str g, bool pattern)
{
    /* CreateLogGroup: "logGroupName ... Length Constraints: Minimum length of 1. Maximum length
     * of 512. Pattern: [\.\-_/#A-Za-z0-9]+" (CloudWatch Logs API Reference). */
    if (g.len < 1 || g.len > 512)
        return "log group names are 1 to 512 characters long";
    for (size_t i = 0; i < g.len; i++) {
        char c = g.ptr[i];
        if (c == '*' && pattern)
            continue;
        if (!s_is(c, LOWER UPPER DIGIT "._-/#"))
            return pattern ? "log group names use only letters, digits and . _ - / # (and * in "
                             "patterns)"
                           : "log group names use only letters, digits and . _ - / #";
    }
    return NULL;
}

/* Four dot-separated groups of 1 to 3 digits, as S3 and CloudTrail read "IP address format"
 * (their example: 192.168.5.4). Values above 255 are not checked: a name such as 999.1.1.1
 * is just as likely to be refused, and nothing is lost by asking for another name. */
static bool s_ipv4_form(struct lk_str s)
{
    int groups = 0, digits = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] == '.') {
            if (digits == 0)
                return false;
            groups++;
            digits = 0;
        } else if (s_is(s.ptr[i], DIGIT) && digits < 3) {
            digits++;
        } else {
            return false;
        }
    }
    return digits > 0 && groups == 3;
}

const char *lk_trail_name_problem(struct lk_str t)
{
    /* CreateTrail Name: "Contain only ASCII letters (a-z, A-Z), numbers (0-9), periods (.),
     * underscores (_), or dashes (-); Start with a letter or number, and end with a letter or
     * number; Be between 3 and 128 characters; Have no adjacent periods, underscores or dashes.
     * Names like my-_namespace and my--namespace are not valid." (CloudTrail API Reference) */
    if (t.len < 3 || t.len > 128)
        return "trail names are 3 to 128 characters long";
    for (size_t i = 0; i < t.len; i++)
        if (!s_is(t.ptr[i], LOWER UPPER DIGIT "._-"))
            return "trail names use only ASCII letters, digits, '.', '_' and '-'";
    if (!s_is(t.ptr[0], LOWER UPPER DIGIT) || !s_is(t.ptr[t.len - 1], LOWER UPPER DIGIT))
        return "trail names start and end with a letter or digit";
    for (size_t i = 1; i < t.len; i++)
        if (s_is(t.ptr[i], "._-") && s_is(t.ptr[i - 1], "._-"))
            return "trail names have no adjacent '.', '_' or '-'";
    /* "Not be in IP address format (for example, 192.168.5.4)" (same list; CloudTrail User
     * Guide, "Naming requirements for CloudTrail resources, S3 buckets, and KMS keys"). The
     * rules above already leave only digits and single dots between them, so the IPv4 form
     * is four groups of digits. */
    if (s_ipv4_form(t))
        return "trail names must not be in IP address form (like 192.168.5.4)";
    return NULL;
}

bool lk_arn_split(struct lk_str arn, struct lk_arn *out)
{
    memset(out, 0, sizeof(*out));
    struct lk_str *parts[5] = {&out->partition, &out->service, &out->region, &out->account,
                               &out->resource};
    if (!lk_str_starts_with(arn, "arn:"))
        return false;
    size_t pos = 4;
    for (int i = 0; i < 4; i++) {
        const char *colon = memchr(arn.ptr + pos, ':', arn.len - pos);
        if (!colon)
            return false;
        parts[i]->ptr = arn.ptr + pos;
        parts[i]->len = (size_t)(colon - (arn.ptr + pos));
        pos = (size_t)(colon - arn.ptr) + 1;
    }
    out->resource.ptr = arn.ptr + pos;
    out->resource.len = arn.len - pos;
    return out->partition.len > 0 && out->service.len > 0 && out->resource.len > 0;
}

static bool s_known_partition(struct lk_str p)
{
    return lk_str_eq_c(p, "aws") || lk_str_eq_c(p, "aws-cn") || lk_str_eq_c(p, "aws-us-gov");
}

/* Reports an ARN problem. @p want_service/@p resource_prefixes describe the expected kind. */
static bool s_check_arn(struct lk_policy *p, const struct lk_text *t, const char *what,
                        const char *want_service, const char *const *resource_prefixes,
                        size_t n_prefixes, bool regional)
{
    struct lk_arn a;
    struct lk_diags *D = &p->diags;
    const char *problem = NULL;
    if (!lk_arn_split(t->v, &a))
        problem = "it is not of the form arn:partition:service:region:account:resource";
    else if (!s_known_partition(a.partition))
        problem = "the partition must be aws, aws-cn or aws-us-gov";
    else if (!lk_str_eq_c(a.service, want_service))
        problem = lk_arena_printf(&p->arena, "it names the %.*s service, not %s",
                                  LK_STR_ARG(a.service), want_service);
    else if (regional && !lk_region_partition(a.region))
        problem = "its region is not an AWS region";
    else if (!regional && a.region.len)
        problem = "this kind of ARN has an empty region field";
    else if (!lk_account_id_valid(a.account))
        problem = "its account field is not a 12-digit account ID";
    else {
        bool ok = n_prefixes == 0;
        for (size_t i = 0; i < n_prefixes && !ok; i++)
            if (lk_str_starts_with(a.resource, resource_prefixes[i]) &&
                (resource_prefixes[i][strlen(resource_prefixes[i]) - 1] != '/' ||
                 a.resource.len > strlen(resource_prefixes[i])))
                ok = true;
        if (!ok) {
            struct lk_buf b;
            lk_buf_init(&b, LK_BUF_MAX_LINE);
            for (size_t i = 0; i < n_prefixes; i++)
                lk_buf_printf(&b, "%s%s", i ? " or " : "", resource_prefixes[i]);
            const char *kinds = lk_buf_cstr(&b);
            problem = kinds ? lk_arena_printf(&p->arena, "its resource must be %s...", kinds)
                            : "its resource is of the wrong kind";
            lk_buf_free(&b);
        }
    }
    if (problem) {
        lk_diag_add(D, "LK023", t->span, "%s \"%.*s\" is not a valid ARN: %s", what,
                    LK_STR_ARG(t->v), problem);
        return false;
    }
    /* Resources of one policy live in one partition: an aws-cn ARN in a us-east-1 policy can
     * never match. */
    const char *want = p->region.set ? lk_region_partition(p->region.v) : NULL;
    if (want && !lk_str_eq_c(a.partition, want)) {
        struct lk_diag *d = lk_diag_add(D, "LK023", t->span,
                                        "%s is in partition %.*s, but the policy's region %.*s is "
                                        "in %s",
                                        what, LK_STR_ARG(a.partition), LK_STR_ARG(p->region.v), want);
        lk_diag_related(D, d, p->region.span, "region set here");
        return false;
    }
    return true;
}

/* A KMS key written as a key ID, "key/<id>" or "alias/<name>" instead of an ARN (LK023): the
 * help writes the key ARN from the policy's account and Region, or says how to find it. */
static bool s_kms_not_arn(struct lk_policy *p, const struct lk_text *t)
{
    struct lk_str v = t->v;
    if (lk_str_starts_with(v, "arn:") || !v.len)
        return false;
    struct lk_diags *D = &p->diags;
    struct lk_diag *d = lk_diag_add(D, "LK023", t->span,
                                    "KMS key \"%.*s\" is not a valid ARN: it is not of the form "
                                    "arn:partition:service:region:account:resource",
                                    LK_STR_ARG(v));
    const char *partition = p->region.set ? lk_region_partition(p->region.v) : NULL;
    const char *region = p->region.set && partition
                             ? lk_arena_printf(&p->arena, "%.*s", LK_STR_ARG(p->region.v))
                             : "<region>";
    const char *account = p->account.set && lk_account_id_valid(p->account.v)
                              ? lk_arena_printf(&p->arena, "%.*s", LK_STR_ARG(p->account.v))
                              : "<account-id>";
    if (!partition)
        partition = "aws";
    if (lk_str_starts_with(v, "alias/")) {
        lk_diag_help(D, d,
                     "name the key by its key ARN, arn:%s:kms:%s:%s:key/<key-id>: aws kms "
                     "describe-key --key-id %.*s --region %s --query KeyMetadata.Arn prints it "
                     "(a service writing with an alias looks it up in its own account)",
                     partition, region, account, LK_STR_ARG(v), region);
        return true;
    }
    struct lk_str id = v;
    if (lk_str_starts_with(id, "key/")) {
        id.ptr += 4;
        id.len -= 4;
    }
    bool id_chars = id.len > 0;
    for (size_t i = 0; i < id.len && id_chars; i++)
        id_chars = (id.ptr[i] >= '0' && id.ptr[i] <= '9') || (id.ptr[i] >= 'a' && id.ptr[i] <= 'z') ||
                   id.ptr[i] == '-';
    if (id_chars)
        lk_diag_help(D, d, "write the key ARN: arn:%s:kms:%s:%s:key/%.*s", partition, region,
                     account, LK_STR_ARG(id));
    else
        lk_diag_help(D, d, "name the key by its key ARN, arn:%s:kms:%s:%s:key/<key-id>",
                     partition, region, account);
    return true;
}

bool lk_check_kms_arn(struct lk_policy *p, const struct lk_text *t)
{
    static const char *const res[] = {"key/", "alias/"};
    if (t->set && s_kms_not_arn(p, t))
        return false;
    return s_check_arn(p, t, "KMS key", "kms", res, 2, true);
}

static int s_cmp_store_bucket(const void *x, const void *y)
{
    const struct lk_store *a = *(const struct lk_store *const *)x;
    const struct lk_store *b = *(const struct lk_store *const *)y;
    int c = lk_str_cmp(a->bucket.v, b->bucket.v);
    if (c)
        return c;
    if (a->bucket.span.file != b->bucket.span.file)
        return a->bucket.span.file < b->bucket.span.file ? -1 : 1;
    return a->bucket.span.line < b->bucket.span.line ? -1 : (a->bucket.span.line > b->bucket.span.line);
}

void lk_check_naming(struct lk_policy *p)
{
    struct lk_diags *D = &p->diags;
    struct lk_span top = p->sources.n ? (struct lk_span){0, 1, 1, 1} : LK_SPAN_NONE;
    /* A file that could not be read may hold the account or region: say nothing of them
     * missing then, the file's own error comes first. */
    bool any_file_decoded = p->version_set && p->n_files_unreadable == 0;

    if (p->account.set) {
        if (!lk_account_id_valid(p->account.v)) {
            struct lk_diag *d = lk_diag_add(D, "LK024", p->account.span,
                                            "\"%.*s\" is not an AWS account ID",
                                            LK_STR_ARG(p->account.v));
            lk_diag_help(D, d, "an account ID is exactly 12 digits");
        }
    } else if (any_file_decoded && !p->scope.multi) {
        struct lk_diag *d = lk_diag_add(D, "LK011", top, "the policy has no \"account\"");
        lk_diag_help(D, d, "name the AWS account the policy governs: account: \"111122223333\"; "
                           "apply refuses to run against any other");
    }
    if (p->region.set)
        lk_check_region(p, &p->region);
    else if (any_file_decoded)
        lk_diag_add(D, "LK011", top, "the policy has no \"region\"");

    for (size_t i = 0; i < p->n_stores; i++) {
        struct lk_store *s = p->stores[i];
        if (s->bucket.set) {
            const char *why = lk_bucket_name_problem(s->bucket.v);
            if (why) {
                struct lk_diag *d = lk_diag_add(D, "LK020", s->bucket.span,
                                                "invalid bucket name \"%.*s\"",
                                                LK_STR_ARG(s->bucket.v));
                lk_diag_help(D, d, "%s", why);
            }
        }
        lk_check_region(p, &s->region);
        if (s->kms_key.set)
            lk_check_kms_arn(p, &s->kms_key);
    }
    /* Two stores on one bucket would fight over its lifecycle and policy: sort by bucket name
     * (then by where the bucket is written) and compare neighbours. */
    if (p->n_stores > 1) {
        struct lk_store **by_bucket = lk_xmalloc(p->n_stores * sizeof(*by_bucket));
        size_t n = 0;
        for (size_t i = 0; i < p->n_stores; i++)
            if (p->stores[i]->bucket.set)
                by_bucket[n++] = p->stores[i];
        qsort(by_bucket, n, sizeof(*by_bucket), s_cmp_store_bucket);
        for (size_t i = 1; i < n; i++) {
            struct lk_store *first = by_bucket[i - 1], *second = by_bucket[i];
            if (!lk_str_eq(first->bucket.v, second->bucket.v))
                continue;
            size_t k = i - 1; /* the first store on this bucket */
            while (k > 0 && lk_str_eq(by_bucket[k - 1]->bucket.v, second->bucket.v))
                k--;
            first = by_bucket[k];
            struct lk_diag *d = lk_diag_add(
                D, "LK012", second->bucket.span, "bucket \"%.*s\" is also store \"%.*s\"",
                LK_STR_ARG(second->bucket.v), LK_STR_ARG(first->name));
            lk_diag_related(D, d, first->bucket.span, "first used here");
        }
        free(by_bucket);
    }

    for (size_t i = 0; i < p->n_roles; i++) {
        struct lk_role *r = p->roles[i];
        for (size_t k = 0; k < r->principals.n; k++) {
            struct lk_text *pr = &r->principals.items[k];
            /* "*" and bare account IDs are judged by the access rules (LK201, LK202). */
            if (lk_str_eq_c(pr->v, "*") || lk_account_id_valid(pr->v) ||
                lk_glob_has_wildcard(pr->v, 0))
                continue;
            static const char *const res[] = {"role/", "user/", "root"};
            s_check_arn(p, pr, "principal", "iam", res, 3, false);
        }
    }

    for (size_t i = 0; i < p->n_srcs; i++) {
        struct lk_source *src = p->srcs[i];
        if (src->log_groups.set) {
            for (size_t k = 0; k < src->log_groups.n; k++) {
                struct lk_text *lg = &src->log_groups.items[k];
                const char *why = lk_log_group_problem(lg->v, true);
                if (why) {
                    struct lk_diag *d = lk_diag_add(D, "LK021", lg->span,
                                                    "invalid log group name \"%.*s\"",
                                                    LK_STR_ARG(lg->v));
                    lk_diag_help(D, d, "%s", why);
                }
            }
        }
        if (src->type_set && src->type == LK_SRC_CLOUDTRAIL) {
            struct lk_text name = src->trail->name;
            if (!name.set) {
                name.v = src->name;
                name.span = src->span;
            }
            const char *why = lk_trail_name_problem(name.v);
            if (why) {
                struct lk_diag *d = lk_diag_add(D, "LK022", name.span,
                                                "invalid trail name \"%.*s\"", LK_STR_ARG(name.v));
                lk_diag_help(D, d, "%s%s", why,
                             src->trail->name.set ? "" : " (the trail is named after the source; "
                                                        "set trail: { name: ... } to choose)");
            }
            /* In a policy with accounts: LK034 reports it (check_scope.c). */
            if (src->trail->organization.set && src->trail->organization.v &&
                !src->trail->organization_id.set && !p->scope.multi) {
                struct lk_diag *d = lk_diag_add(D, "LK011", src->trail->organization.span,
                                                "an organization trail has no \"organization_id\"");
                lk_diag_help(D, d, "organization trails also write AWSLogs/<organization-id>/; "
                                   "give the ID (o-...) so the bucket policy allows it");
            }
            if (src->trail->organization_id.set) {
                /* Organizations IDs: "^o-[a-z0-9]{10,32}$" (AWS Organizations API Reference,
                 * Organization Id). */
                struct lk_str o = src->trail->organization_id.v;
                bool ok = o.len >= 12 && o.len <= 34 && o.ptr[0] == 'o' && o.ptr[1] == '-';
                for (size_t k = 2; ok && k < o.len; k++)
                    ok = (o.ptr[k] >= 'a' && o.ptr[k] <= 'z') || (o.ptr[k] >= '0' && o.ptr[k] <= '9');
                if (!ok) {
                    struct lk_diag *d = lk_diag_add(D, "LK016", src->trail->organization_id.span,
                                                    "\"%.*s\" is not an AWS Organizations ID",
                                                    LK_STR_ARG(o));
                    lk_diag_help(D, d, "organization IDs are o- followed by 10 to 32 lowercase "
                                       "letters and digits");
                }
            }
            if (src->trail->kms_key.set)
                lk_check_kms_arn(p, &src->trail->kms_key);
            if (src->trail->cloudwatch.log_group.set) {
                const char *w = lk_log_group_problem(src->trail->cloudwatch.log_group.v, false);
                if (w) {
                    struct lk_diag *d = lk_diag_add(
                        D, "LK021", src->trail->cloudwatch.log_group.span,
                        "invalid log group name \"%.*s\"",
                        LK_STR_ARG(src->trail->cloudwatch.log_group.v));
                    lk_diag_help(D, d, "%s", w);
                }
            }
            if (src->trail->cloudwatch.role.set) {
                static const char *const res[] = {"role/"};
                s_check_arn(p, &src->trail->cloudwatch.role, "CloudWatch Logs role", "iam", res, 1,
                            false);
            }
        }
    }
}
