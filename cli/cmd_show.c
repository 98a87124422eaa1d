/*
 * logkeep show: each source's timeline in days, where it lives and who can read it.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "compiler/compile.h"
#include "compiler/show.h"

/* Access characteristics from the S3 User Guide, "Understanding and managing Amazon S3 storage
 * classes" and "Understanding archival storage in S3 Glacier" (restore times by tier). */
static const char *const s_class_desc[LK_SC_COUNT] = {
    "S3 Standard-IA (millisecond access)",
    "S3 One Zone-IA (millisecond access, one Availability Zone)",
    "S3 Intelligent-Tiering (millisecond access, automatic tiers)",
    "S3 Glacier Instant Retrieval (millisecond access)",
    "S3 Glacier Flexible Retrieval (restore first: minutes to 12 hours)",
    "S3 Glacier Deep Archive (restore first: up to 48 hours)",
};

static void s_roles(struct lk_policy *p, const char *label, const struct lk_text_list *roles)
{
    if (!roles->n) {
        printf("  %-8s (none)\n", label);
        return;
    }
    for (size_t i = 0; i < roles->n; i++) {
        struct lk_role *r = lk_policy_find_role(p, roles->items[i].v);
        printf("  %-8s %.*s:", i == 0 ? label : "", LK_STR_ARG(roles->items[i].v));
        bool readers = strcmp(label, "readers") == 0;
        for (size_t k = 0; r && k < r->principals.n; k++) {
            struct lk_str account;
            printf(" %.*s", LK_STR_ARG(r->principals.items[k].v));
            /* A reader in another account is a cross-account grant (LK208). */
            if (readers && lk_show_other_account(p, r->principals.items[k].v, &account))
                printf(" (cross-account: %.*s)", LK_STR_ARG(account));
        }
        putchar('\n');
    }
}

static void s_group_line(const struct lk_ir_state *st, const char *label, struct lk_str name)
{
    const struct lk_ir_log_group *g = lk_show_log_group(st, name);
    printf("  %-8s log group%s %.*s  ", label, g && g->pattern ? "s" : "", LK_STR_ARG(name));
    if (!g || g->retention_days == 0)
        printf("(CloudWatch Logs: never expire)\n");
    else if (g->wanted_days != g->retention_days)
        printf("(CloudWatch Logs keeps %d days: %d rounded up)\n", g->retention_days,
               g->wanted_days);
    else
        printf("(CloudWatch Logs keeps %d days)\n", g->retention_days);
}

static void s_show_source(struct lk_policy *p, const struct lk_ir_state *st, struct lk_source *src)
{
    const struct lk_source_type_info *ti = lk_source_type_info(src->type);
    printf("source %.*s  (%s: %s)\n", LK_STR_ARG(src->name), ti->name, ti->title);
    printf("  %-8s %.*s\n", "purpose", LK_STR_ARG(src->purpose.v));
    const char *label = "where";
    if (src->store) {
        printf("  %-8s s3://%.*s/%.*s  (store %.*s, %.*s)\n", label,
               LK_STR_ARG(src->store->bucket.v), LK_STR_ARG(src->prefix.v),
               LK_STR_ARG(src->store->name),
               LK_STR_ARG(src->store->region.set ? src->store->region.v : p->region.v));
        label = "";
    }
    if (src->type == LK_SRC_CLOUDTRAIL && src->trail) {
        const struct lk_trail_cfg *t = src->trail;
        struct lk_str name = t->name.set ? t->name.v : src->name;
        bool multi = !t->multi_region.set || t->multi_region.v;
        bool valid = !t->log_file_validation.set || t->log_file_validation.v;
        printf("  %-8s trail %.*s: %s, log file validation %s%s\n", label, LK_STR_ARG(name),
               multi ? "all regions" : "one region", valid ? "on" : "OFF",
               t->organization.set && t->organization.v ? ", organization trail" : "");
        label = "";
        if (t->cloudwatch.set && t->cloudwatch.log_group.set) {
            s_group_line(st, label, t->cloudwatch.log_group.v);
        }
    }
    for (size_t i = 0; i < src->log_groups.n; i++) {
        s_group_line(st, label, src->log_groups.items[i].v);
        label = "";
    }
    struct lk_show_timeline t;
    if (!lk_show_timeline(src, &t))
        return;
    for (size_t i = 0; i < t.n; i++) {
        const struct lk_show_event *e = &t.events[i];
        switch (e->kind) {
        case LK_SHOW_AVAILABLE:
            printf("  day %-6lld %s, readily available\n", (long long)e->day,
                   t.in_s3 ? "S3 Standard" : "CloudWatch Logs");
            break;
        case LK_SHOW_WINDOW_END:
            printf("  day %-6lld end of the availability window\n", (long long)e->day);
            break;
        case LK_SHOW_TIER:
            printf("  day %-6lld %s\n", (long long)e->day, s_class_desc[e->storage_class]);
            break;
        case LK_SHOW_FOREVER:
            printf("  never    deleted: kept forever (%.*s)\n",
                   LK_STR_ARG(lk_source_more(src)->forever_because.v));
            break;
        case LK_SHOW_DELETED:
            printf("  day %-6lld deleted", (long long)e->day);
            if (t.delete_years)
                printf(" (%lldy)", (long long)t.delete_years);
            if (t.versioned)
                printf("; replaced, deleted or expired versions are kept %lld days more",
                       (long long)e->day);
            putchar('\n');
            break;
        }
    }
    lk_show_timeline_free(&t);
    if (src->store) {
        s_roles(p, "readers", &src->store->readers);
        s_roles(p, "admins", &src->store->admins);
    } else {
        printf("  %-8s through IAM permissions on CloudWatch Logs (outside this policy)\n",
               "readers");
    }
}

int lk_cmd_show(int argc, char **argv)
{
    static const struct option opts[] = {
        {"color", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *color = "auto";
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            color = optarg;
            break;
        case 'h':
            puts("usage: logkeep show [--color WHEN] PATH...\n\n"
                 "Prints each source's timeline in days (readily available until, each storage\n"
                 "class from, deleted at), where its logs live and who can read them.\n\n"
                 "exit status: 0 shown, 1 policy errors, 64 usage error, 66 a path cannot be read");
            return LK_EXIT_OK;
        default:
            fprintf(stderr, "logkeep show: unknown option %s\n", argv[optind - 1]);
            return LK_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs("usage: logkeep show [--color WHEN] PATH...\n", stderr);
        return LK_EXIT_USAGE;
    }
    struct lk_policy *p = lk_cli_load_policy("show", argc - optind, argv + optind);
    if (!p)
        return LK_EXIT_NOINPUT;
    struct lk_artifacts arts;
    lk_artifacts_init(&arts);
    struct lk_ir_state *st = NULL;
    int rc = lk_cli_compile("show", p, &st, &arts) == 0 ? LK_EXIT_OK : LK_EXIT_POLICY;
    if (rc != LK_EXIT_OK || p->diags.n)
        lk_cli_print_diags(p, color, stderr);
    if (rc == LK_EXIT_OK) {
        if (p->scope.multi) {
            printf("policy for %zu account%s in", p->scope.n_accounts,
                   p->scope.n_accounts == 1 ? "" : "s");
            for (size_t i = 0; i < p->scope.n_regions; i++)
                printf("%s %s", i ? "," : "", p->scope.regions[i]);
            printf(" (home region %.*s): %zu source%s\n", LK_STR_ARG(p->region.v), p->n_srcs,
                   p->n_srcs == 1 ? "" : "s");
        } else {
            printf("policy for account %.*s, region %.*s: %zu source%s\n",
                   LK_STR_ARG(p->account.v), LK_STR_ARG(p->region.v), p->n_srcs,
                   p->n_srcs == 1 ? "" : "s");
        }
        for (size_t i = 0; i < p->n_srcs; i++) {
            putchar('\n');
            s_show_source(p, st, p->srcs[i]);
        }
        if (st->unmanaged_set)
            printf("\nunmanaged log groups: CloudWatch Logs keeps %d days\n",
                   st->unmanaged_retention_days);
    }
    lk_ir_state_free(st);
    lk_artifacts_free(&arts);
    lk_policy_free(p);
    return rc;
}
