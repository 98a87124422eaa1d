/*
 * logkeep iam-policy: the least-privilege IAM identity policies a policy's runs need.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "common/arena.h"
#include "compiler/compile.h"
#include "compiler/policy.h"
#include "ir/ir.h"
#include "runtime/iam_policy.h"

/* The caller's document of an organisation policy, next to the accounts' documents. */
#define S_CALLER_FILE "caller.json"

static void s_usage(FILE *out)
{
    fputs("usage: logkeep iam-policy [--for apply|drift] [--account NAME|ID] [--caller]\n"
          "                          [-o FILE|DIR] POLICY...\n"
          "Prints the least-privilege IAM identity policy (JSON) that runs of the policy need:\n"
          "the actions logkeep calls, on exactly the policy's buckets, log groups, trails and\n"
          "KMS keys, and the producers its sources cover (their reads; with enable: true, the\n"
          "calls that turn delivery on, for apply).\n"
          "  --for apply    the deployer: plan and apply (the default)\n"
          "  --for drift    the read-only role of plan, drift and snapshot (no write action)\n"
          "  --account A    an organisation policy: the document of account A (name or ID)\n"
          "  --caller       an organisation policy: the caller's document (sts:AssumeRole on\n"
          "                 the access role of every account)\n"
          "  -o FILE|DIR    write to FILE; an organisation policy: write DIR/<account-name>.json\n"
          "                 for each account and DIR/" S_CALLER_FILE "\n"
          "exit status: 0 printed, 1 policy errors, 64 usage error, 66 a policy path cannot\n"
          "be read, 73 the output cannot be written\n",
          out);
}

static const char *s_text(struct lk_arena *arena, const struct lk_text *t)
{
    return t->set && t->v.ptr ? lk_arena_strndup(arena, t->v.ptr, t->v.len) : NULL;
}

static int s_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
        fprintf(stderr, "logkeep iam-policy: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* "IAM and AWS STS quotas"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): a managed policy
 * holds at most 6,144 characters and a role's inline policies 10,240 in all; IAM does not count
 * white space. */
#define S_MANAGED_POLICY_MAX_CHARS 6144
#define S_ROLE_INLINE_MAX_CHARS 10240

/* Notes on stderr when @p text is larger than a managed policy may be. */
static void s_check_size(const char *what, const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p != ' ' && *p != '\n' && *p != '\t' && *p != '\r';
    if (n > S_MANAGED_POLICY_MAX_CHARS)
        fprintf(stderr,
                "logkeep iam-policy: note: %s has %zu characters without white space, more than "
                "a managed policy holds (%d); attach it inline (a role's inline policies hold "
                "%d in all) or split its statements\n",
                what, n, S_MANAGED_POLICY_MAX_CHARS, S_ROLE_INLINE_MAX_CHARS);
}

static int s_emit(const char *path, const char *text)
{
    s_check_size(path ? path : "the document", text);
    if (!path) {
        fputs(text, stdout);
        return fflush(stdout) == 0 ? 0 : -1;
    }
    return s_write(path, text);
}

/* Whether the policy has a dynamic account group (resolved through AWS Organizations). */
static bool s_has_dynamic_group(const struct lk_policy *p)
{
    for (size_t i = 0; i < p->n_groups; i++)
        if (p->groups[i]->kind != LK_GROUP_LIST)
            return true;
    return false;
}

/* The caller's document: sts:AssumeRole on the access role of every account of the scope. */
static char *s_caller(struct lk_arena *arena, const struct lk_policy *p,
                      const struct lk_ir_scope *scope, enum lk_iam_purpose purpose)
{
    const char *apply = s_text(arena, &p->access.apply_role);
    const char *read = s_text(arena, &p->access.read_role);
    const char *role = purpose == LK_IAM_FOR_APPLY ? apply : (read ? read : apply);
    if (!role)
        return NULL;
    const char *partition = "aws";
    for (size_t i = 0; i < scope->n_pairs; i++)
        if (scope->pairs[i].state && scope->pairs[i].state->partition)
            partition = scope->pairs[i].state->partition;
    const char **arns = lk_xcalloc(p->scope.n_accounts + 1, sizeof(*arns));
    for (size_t i = 0; i < p->scope.n_accounts; i++)
        arns[i] = lk_arena_printf(arena, "arn:%s:iam::%s:role/%s", partition,
                                  p->scope.accounts[i].id, role);
    char *doc = lk_iam_policy_caller_json(arns, p->scope.n_accounts);
    free(arns);
    return doc;
}

static char *s_account_doc(const struct lk_policy *p, const struct lk_ir_scope *scope,
                           const struct lk_scope_account *acct, enum lk_iam_purpose purpose,
                           struct lk_arena *arena)
{
    struct lk_iam_policy_options o = {
        .purpose = purpose,
        .organizations_reader = acct->kind == LK_ACCOUNT_MANAGEMENT && s_has_dynamic_group(p),
        .organization_id =
            scope->organization_id ? scope->organization_id : s_text(arena, &p->organization),
    };
    return lk_iam_policy_account_json(scope, acct->id, &o);
}

static int s_org(const struct lk_policy *p, const struct lk_ir_scope *scope,
                 enum lk_iam_purpose purpose, const char *account, bool caller, const char *out)
{
    struct lk_arena arena;
    lk_arena_init(&arena);
    int rc = LK_EXIT_OK;
    if (caller) {
        char *doc = s_caller(&arena, p, scope, purpose);
        if (!doc) {
            fputs("logkeep iam-policy: the policy names no access role (access.apply_role): "
                  "runs use the credentials as they are in every account\n",
                  stderr);
            rc = LK_EXIT_USAGE;
        } else if (s_emit(out, doc) != 0) {
            rc = LK_EXIT_CANTCREAT;
        }
        free(doc);
        goto cleanup;
    }
    if (account) {
        const struct lk_scope_account *found = NULL;
        for (size_t i = 0; i < p->scope.n_accounts && !found; i++)
            if (!strcmp(p->scope.accounts[i].id, account) ||
                (p->scope.accounts[i].name && !strcmp(p->scope.accounts[i].name, account)))
                found = &p->scope.accounts[i];
        if (!found) {
            fprintf(stderr, "logkeep iam-policy: no account \"%s\" in the policy's scope\n",
                    account);
            rc = LK_EXIT_USAGE;
            goto cleanup;
        }
        char *doc = s_account_doc(p, scope, found, purpose, &arena);
        if (s_emit(out, doc) != 0)
            rc = LK_EXIT_CANTCREAT;
        free(doc);
        goto cleanup;
    }
    if (!out) {
        fputs("logkeep iam-policy: an organisation policy has one document per account: give "
              "--account NAME, --caller, or -o DIR\n",
              stderr);
        rc = LK_EXIT_USAGE;
        goto cleanup;
    }
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "logkeep iam-policy: cannot create %s: %s\n", out, strerror(errno));
        rc = LK_EXIT_CANTCREAT;
        goto cleanup;
    }
    size_t written = 0;
    for (size_t i = 0; i < p->scope.n_accounts && rc == LK_EXIT_OK; i++) {
        const struct lk_scope_account *a = &p->scope.accounts[i];
        const char *name = a->name ? a->name : a->id;
        if (!strcmp(name, "caller")) {
            fprintf(stderr, "logkeep iam-policy: an account named \"caller\" would overwrite %s\n",
                    S_CALLER_FILE);
            rc = LK_EXIT_CANTCREAT;
            break;
        }
        char *doc = s_account_doc(p, scope, a, purpose, &arena);
        s_check_size(name, doc);
        if (s_write(lk_arena_printf(&arena, "%s/%s.json", out, name), doc) != 0)
            rc = LK_EXIT_CANTCREAT;
        written++;
        free(doc);
    }
    char *doc = rc == LK_EXIT_OK ? s_caller(&arena, p, scope, purpose) : NULL;
    if (doc) {
        if (s_write(lk_arena_printf(&arena, "%s/%s", out, S_CALLER_FILE), doc) != 0)
            rc = LK_EXIT_CANTCREAT;
        free(doc);
    }
    if (rc == LK_EXIT_OK)
        fprintf(stderr, "logkeep iam-policy: wrote %zu account document%s%s to %s\n", written,
                written == 1 ? "" : "s", doc ? " and " S_CALLER_FILE : "", out);
cleanup:
    lk_arena_destroy(&arena);
    return rc;
}

int lk_cmd_iam_policy(int argc, char **argv)
{
    static const struct option opts[] = {
        {"for", required_argument, NULL, 'f'},   {"account", required_argument, NULL, 'a'},
        {"caller", no_argument, NULL, 'C'},      {"output", required_argument, NULL, 'o'},
        {"color", required_argument, NULL, 'c'}, {"colour", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
    };
    enum lk_iam_purpose purpose = LK_IAM_FOR_APPLY;
    const char *account = NULL, *out = NULL, *color = "auto";
    bool caller = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!strcmp(optarg, "apply")) {
                purpose = LK_IAM_FOR_APPLY;
            } else if (!strcmp(optarg, "drift")) {
                purpose = LK_IAM_FOR_DRIFT;
            } else {
                fprintf(stderr, "logkeep iam-policy: --for takes apply or drift, not \"%s\"\n",
                        optarg);
                return LK_EXIT_USAGE;
            }
            break;
        case 'a':
            account = optarg;
            break;
        case 'C':
            caller = true;
            break;
        case 'o':
            out = optarg;
            break;
        case 'c':
            color = optarg;
            break;
        case 'h':
            s_usage(stdout);
            return LK_EXIT_OK;
        case ':':
            fprintf(stderr, "logkeep iam-policy: option %s needs a value\n", argv[optind - 1]);
            return LK_EXIT_USAGE;
        default:
            fprintf(stderr, "logkeep iam-policy: unknown option %s\n", argv[optind - 1]);
            s_usage(stderr);
            return LK_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs("logkeep iam-policy: no policy given\n", stderr);
        s_usage(stderr);
        return LK_EXIT_USAGE;
    }
    if (account && caller) {
        fputs("logkeep iam-policy: --account and --caller are exclusive\n", stderr);
        return LK_EXIT_USAGE;
    }
    struct lk_policy *p = lk_cli_load_policy("iam-policy", argc - optind, argv + optind);
    if (!p)
        return LK_EXIT_NOINPUT;
    int rc = LK_EXIT_POLICY;
    struct lk_ir_scope *scope = NULL;
    if (lk_compile_scope_state(p, &scope) != 0 || !scope) {
        lk_cli_print_diags(p, color, stderr);
        goto cleanup;
    }
    if (p->diags.n_warnings)
        lk_cli_print_diags(p, color, stderr);
    if (p->scope.multi) {
        rc = s_org(p, scope, purpose, account, caller, out);
    } else if (account || caller) {
        fprintf(stderr,
                "logkeep iam-policy: --%s is for organisation policies (accounts:); "
                "this policy has one account\n",
                account ? "account" : "caller");
        rc = LK_EXIT_USAGE;
    } else {
        struct lk_iam_policy_options o = {.purpose = purpose};
        char *doc = lk_iam_policy_account_json(scope, NULL, &o);
        rc = s_emit(out, doc) == 0 ? LK_EXIT_OK : LK_EXIT_CANTCREAT;
        free(doc);
    }
cleanup:
    lk_ir_scope_free(scope);
    lk_policy_free(p);
    return rc;
}
