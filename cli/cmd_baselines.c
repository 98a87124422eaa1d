/*
 * logkeep baselines: the compliance baselines a policy can list, and what each requires.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "compiler/baseline.h"
#include "cli/cli.h"
#include "compiler/policy.h"

static void s_usage(FILE *out)
{
    fputs("usage: logkeep baselines [NAME | FILE.yaml]\n"
          "\n"
          "Without an argument, lists the built-in compliance baselines, one line each.\n"
          "With a built-in baseline's name or a baseline file, prints its requirements, what\n"
          "logkeep checks for each, its sources and where it interprets the standard.\n"
          "\n"
          "exit status: 0 shown, 1 the baseline has errors, 64 usage error (no such built-in\n"
          "baseline), 66 FILE.yaml cannot be read\n",
          out);
}

static void s_days(const char *label, const struct lk_baseline_days *d)
{
    if (d->set)
        printf("      %s %s (%lld days)\n", label, d->text, (long long)d->days);
}

static void s_want(const char *label, enum lk_baseline_want w)
{
    if (w != LK_WANT_ANY)
        printf("      %s %s\n", label, w == LK_WANT_ON ? "on" : "off");
}

static void s_types(const char *label, uint32_t mask)
{
    if (!mask)
        return;
    printf("      %s", label);
    const char *sep = " ";
    for (int t = 0; t < LK_SRC_TYPE_COUNT; t++)
        if (mask & (1u << t)) {
            printf("%s%s", sep, lk_source_type_info((enum lk_source_type)t)->name);
            sep = ", ";
        }
    putchar('\n');
}

static void s_show(const struct lk_baseline *b)
{
    printf("%s: %s\n", b->name, b->title);
    printf("  status: %s", b->rescinded ? "rescinded" : "current");
    if (b->rescinded_on)
        printf(" on %s", b->rescinded_on);
    if (b->superseded_by)
        printf(", superseded by %s", b->superseded_by);
    printf(" (%s)\n", b->origin);
    if (b->verification && !strcmp(b->verification, "unverified"))
        printf("  figures not verified\n");
    else if (b->verification)
        printf("  figures checked on %s against %s\n", b->verified_on ? b->verified_on : "?",
               !strcmp(b->verification, "verified")
                   ? "the standard's own text"
                   : "sources quoting the standard, not its own text");
    putchar('\n');
    lk_cli_wrap(stdout, b->summary, 2, 78);
    printf("\nRequirements:\n");
    for (size_t i = 0; i < b->n_reqs; i++) {
        const struct lk_baseline_req *r = &b->reqs[i];
        printf("  %s%s\n", r->id, r->interpretation ? " (interpretation)" : "");
        lk_cli_wrap(stdout, r->text, 4, 78);
        if (r->scope == LK_BASELINE_PERSONAL_DATA)
            printf("    checks, for sources with personal_data: true:\n");
        else if (r->scope == LK_BASELINE_TYPES)
            s_types("    checks, for sources of type", r->types);
        else
            printf("    checks, for every source:\n");
        s_days("delete_after at least", &r->min_retention);
        s_days("delete_after at most", &r->max_retention);
        if (r->finite)
            printf("      delete_after not forever\n");
        s_days("available at least", &r->min_available);
        s_want("trail multi_region", r->trail.multi_region);
        s_want("trail log_file_validation", r->trail.log_file_validation);
        s_want("trail KMS encryption", r->trail.kms);
        s_want("trail management_events", r->trail.management_events);
        s_want("trail global_service_events", r->trail.global_service_events);
        if (r->trail.read_write)
            printf("      trail read_write %s\n", r->trail.read_write);
        s_want("store versioning", r->store.versioning);
        s_want("store object_lock", r->store.object_lock);
        s_want("store KMS encryption", r->store.kms);
        s_types("a source of type", r->require_types);
    }
    if (b->n_not_checked) {
        printf("\nNot checked:\n");
        for (size_t i = 0; i < b->n_not_checked; i++)
            lk_cli_wrap(stdout, b->not_checked[i], 2, 78);
    }
    if (b->interpretation) {
        printf("\nInterpretation:\n");
        lk_cli_wrap(stdout, b->interpretation, 2, 78);
    }
    printf("\nSources:\n");
    for (size_t i = 0; i < b->n_sources; i++)
        lk_cli_wrap(stdout, b->sources[i], 2, 78);
}

int lk_cmd_baselines(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        s_usage(stdout);
        return LK_EXIT_OK;
    }
    if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
        s_usage(stderr);
        return LK_EXIT_USAGE;
    }
    int rc = LK_EXIT_OK;
    struct lk_policy *p = lk_policy_new(); /* owns the files, the arena and the diagnostics */
    size_t n;
    const char *const *names = lk_baseline_builtin_names(&n);
    if (argc == 1) {
        for (size_t i = 0; i < n; i++) {
            const struct lk_baseline *b =
                lk_baseline_load_builtin(names[i], &p->sources, &p->arena, &p->diags);
            if (!b) {
                rc = LK_EXIT_POLICY;
                continue;
            }
            printf("%-24s %-9s %s\n", b->name, b->rescinded ? "rescinded" : "current", b->summary);
        }
    } else {
        const char *arg = argv[1];
        const struct lk_baseline *b = NULL;
        if (lk_baseline_entry_is_path(lk_str_c(arg))) {
            uint32_t id;
            const char *base = strrchr(arg, '/');
            base = base ? base + 1 : arg;
            char *name = lk_arena_strndup(&p->arena, base, strlen(base) - 5);
            size_t n_diags = p->diags.n;
            if (lk_sources_read_file(&p->sources, arg, &p->diags, &id) == 0) {
                b = lk_baseline_read(&p->sources, id, name, arg, &p->arena, &p->diags);
            } else if (p->diags.n == n_diags) {
                /* No diagnostic: the file itself cannot be read (an empty or oversized one
                 * has its diagnostic, and is a baseline with errors). */
                int err = errno;
                fprintf(stderr, "logkeep baselines: %s: %s\n", arg,
                        err ? strerror(err) : "cannot be read");
                rc = LK_EXIT_NOINPUT;
            }
        } else {
            b = lk_baseline_load_builtin(arg, &p->sources, &p->arena, &p->diags);
            if (!b && p->diags.n == 0) {
                fprintf(stderr, "logkeep baselines: no built-in baseline \"%s\"", arg);
                const char *s = lk_suggest(lk_str_c(arg), names, n);
                if (s)
                    fprintf(stderr, "; did you mean \"%s\"?", s);
                fputs("; \"logkeep baselines\" lists them\n", stderr);
                lk_policy_free(p);
                return LK_EXIT_USAGE;
            }
        }
        if (b)
            s_show(b);
        else if (rc == LK_EXIT_OK)
            rc = LK_EXIT_POLICY;
    }
    if (p->diags.n) {
        lk_diags_sort(&p->diags);
        struct lk_render_opts ro = {LK_DIAG_TEXT, lk_cli_use_color("auto", stderr),
                                    PACKAGE_VERSION, NULL};
        lk_diags_render(&p->diags, &p->sources, &ro, stderr);
    }
    lk_policy_free(p);
    return rc;
}
