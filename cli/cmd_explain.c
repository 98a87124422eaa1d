/*
 * logkeep explain / logkeep rules: the rule catalogue for people.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"

static const char *s_sev(enum lk_severity s)
{
    return s == LK_SEV_ERROR ? "error" : s == LK_SEV_WARNING ? "warning" : "note";
}

int lk_cmd_explain(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        puts("usage: logkeep explain RULE\n\nSays what RULE (for example LK101) checks, why, "
             "and where the requirement comes from.\n\n"
             "exit status: 0 explained, 64 usage error (no such rule)");
        return LK_EXIT_OK;
    }
    if (argc != 2) {
        fputs("usage: logkeep explain RULE\n", stderr);
        return LK_EXIT_USAGE;
    }
    /* A rule's ID in any case ("lk101"), or its name ("retention-forever"). */
    const struct lk_rule *r = NULL;
    size_t count;
    const struct lk_rule *all = lk_rules_all(&count);
    for (size_t i = 0; i < count && !r; i++)
        if (!strcasecmp(all[i].id, argv[1]) || !strcmp(all[i].name, argv[1]))
            r = &all[i];
    if (!r) {
        fprintf(stderr, "logkeep explain: no rule \"%s\"; \"logkeep rules\" lists them\n", argv[1]);
        return LK_EXIT_USAGE;
    }
    printf("%s %s (%s)\n  %s\n\n", r->id, r->name, s_sev(r->severity), r->summary);
    lk_cli_wrap(stdout, r->explain, 2, 78);
    printf("\nSource:\n");
    lk_cli_wrap(stdout, r->source, 2, 78);
    return LK_EXIT_OK;
}

int lk_cmd_rules(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        puts("usage: logkeep rules\n\nLists every rule: ID, severity, name and summary. "
             "\"logkeep explain RULE\" says more.\n\n"
             "exit status: 0 listed, 64 usage error");
        return LK_EXIT_OK;
    }
    if (argc != 1) {
        fputs("usage: logkeep rules\n", stderr);
        return LK_EXIT_USAGE;
    }
    size_t n;
    const struct lk_rule *all = lk_rules_all(&n);
    for (size_t i = 0; i < n; i++)
        printf("%s  %-7s  %-30s %s\n", all[i].id, s_sev(all[i].severity), all[i].name,
               all[i].summary);
    return LK_EXIT_OK;
}
