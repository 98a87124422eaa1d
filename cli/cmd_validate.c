/*
 * logkeep validate: read a policy, report every problem.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "compiler/compile.h"
#include "compiler/policy.h"

bool lk_cli_use_color(const char *mode, FILE *out)
{
    if (mode && !strcmp(mode, "always"))
        return true;
    if (mode && !strcmp(mode, "never"))
        return false;
    /* https://no-color.org: any non-empty NO_COLOR disables colour. */
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc)
        return false;
    return isatty(fileno(out)) == 1;
}

static void s_validate_usage(FILE *out)
{
    fputs("usage: logkeep validate [options] PATH...\n"
          "\n"
          "Reads the policy made of the files and directories given (directories are searched\n"
          "for *.yaml, *.yml and *.json) and reports every problem. \"-\" reads a policy\n"
          "from stdin.\n"
          "\n"
          "options:\n"
          "  -f, --format FORMAT   text (default), json, sarif (SARIF 2.1.0) or github\n"
          "                        (GitHub Actions annotations)\n"
          "  -o, --output FILE     write the report to FILE instead of stdout\n"
          "      --strict          treat warnings as errors\n"
          "      --color WHEN      auto (default), always or never\n"
          "  -q, --quiet           print only errors and warnings: no notes, and nothing for\n"
          "                        a clean policy (text and github formats)\n"
          "  -h, --help            print this help\n"
          "\n"
          "exit status: 0 no errors, 1 policy errors, 64 usage error, 66 a path cannot be\n"
          "read (or holds no policy file), 73 the report cannot be written\n",
          out);
}

/* Removes the notes from @p d (-q): what is left is what needs fixing. The documents (JSON,
 * SARIF) always carry every finding. */
static void s_drop_notes(struct lk_diags *d)
{
    size_t w = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].severity != LK_SEV_NOTE)
            d->items[w++] = d->items[i];
    d->n = w;
    d->n_notes = 0;
}

int lk_cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},
        {"strict", no_argument, NULL, 's'},       {"color", required_argument, NULL, 'c'},
        {"colour", required_argument, NULL, 'c'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    /* Rules link to their section of docs/rules.md where the documentation is published. */
    const char *docs_url = getenv("LOGKEEP_DOCS_URL");
    struct lk_render_opts ro = {LK_DIAG_TEXT, false, PACKAGE_VERSION,
                                docs_url && *docs_url ? docs_url : LK_DOCS_URL};
    const char *output = NULL, *color = "auto";
    bool strict = false, quiet = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!lk_diag_format_parse(optarg, &ro.format)) {
                fprintf(stderr, "logkeep validate: unknown format \"%s\" (text, json, sarif, "
                                "github)\n",
                        optarg);
                return LK_EXIT_USAGE;
            }
            break;
        case 'o': output = optarg; break;
        case 's': strict = true; break;
        case 'c':
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
                fprintf(stderr, "logkeep validate: --color takes auto, always or never\n");
                return LK_EXIT_USAGE;
            }
            color = optarg;
            break;
        case 'q': quiet = true; break;
        case 'h': s_validate_usage(stdout); return LK_EXIT_OK;
        case ':':
            fprintf(stderr, "logkeep validate: option %s needs a value\n", argv[optind - 1]);
            return LK_EXIT_USAGE;
        default:
            fprintf(stderr, "logkeep validate: unknown option %s\n", argv[optind - 1]);
            s_validate_usage(stderr);
            return LK_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs("logkeep validate: no policy given\n", stderr);
        s_validate_usage(stderr);
        return LK_EXIT_USAGE;
    }

    int rc = LK_EXIT_CANTCREAT;
    FILE *out = stdout;
    struct lk_policy *p = lk_cli_load_policy("validate", argc - optind, argv + optind);
    if (!p)
        return LK_EXIT_NOINPUT;
    lk_compile_check_limits(p);
    if (strict)
        lk_diags_promote_warnings(&p->diags);
    if (quiet && (ro.format == LK_DIAG_TEXT || ro.format == LK_DIAG_GITHUB))
        s_drop_notes(&p->diags);

    if (output) {
        out = fopen(output, "w");
        if (!out) {
            fprintf(stderr, "logkeep validate: cannot write %s: %s\n", output, strerror(errno));
            out = stdout;
            goto cleanup;
        }
    }
    ro.color = ro.format == LK_DIAG_TEXT && lk_cli_use_color(color, out);
    lk_diags_render(&p->diags, &p->sources, &ro, out);
    if (ro.format == LK_DIAG_TEXT) {
        struct lk_diags *d = &p->diags;
        if (d->n_errors || d->n_warnings || d->n_notes)
            lk_cli_print_summary(p, out);
        else if (!quiet)
            fprintf(out, "%zu file%s: no problems found\n", p->n_files_read,
                    p->n_files_read == 1 ? "" : "s");
    }
    rc = p->diags.n_errors ? LK_EXIT_POLICY : LK_EXIT_OK;
cleanup:
    if (out != stdout) {
        if (fclose(out) != 0) {
            fprintf(stderr, "logkeep validate: cannot write %s: %s\n", output, strerror(errno));
            rc = LK_EXIT_CANTCREAT;
        }
    } else if (fflush(stdout) != 0) {
        rc = LK_EXIT_CANTCREAT;
    }
    lk_policy_free(p);
    return rc;
}
