/*
 * logkeep schema: print the JSON Schema (draft 2020-12) of the policy language, for editors
 * (yaml-language-server's "# yaml-language-server: $schema=..." modeline) and other tools.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "compiler/schema.h"

static void s_schema_usage(FILE *out)
{
    fputs("usage: logkeep schema [-o FILE]\n"
          "\n"
          "Prints the JSON Schema (draft 2020-12) of the policy language, for editors and other\n"
          "tools that check YAML against a schema. logkeep validate checks much more than the\n"
          "schema can: references between entries, AWS limits and the day arithmetic.\n"
          "\n"
          "options:\n"
          "  -o, --output FILE   write the schema to FILE instead of stdout\n"
          "  -h, --help          print this help\n"
          "\n"
          "exit status: 0 written, 64 usage error, 73 FILE cannot be written\n",
          out);
}

int lk_cmd_schema(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *output = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'h': s_schema_usage(stdout); return LK_EXIT_OK;
        case ':':
            fprintf(stderr, "logkeep schema: option %s needs a value\n", argv[optind - 1]);
            return LK_EXIT_USAGE;
        default:
            fprintf(stderr, "logkeep schema: unknown option %s\n", argv[optind - 1]);
            s_schema_usage(stderr);
            return LK_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "logkeep schema: unexpected argument \"%s\"\n", argv[optind]);
        s_schema_usage(stderr);
        return LK_EXIT_USAGE;
    }

    FILE *out = stdout;
    const char *name = "standard output";
    if (output && strcmp(output, "-") != 0) {
        out = fopen(output, "w");
        if (!out) {
            fprintf(stderr, "logkeep schema: cannot write %s: %s\n", output, strerror(errno));
            return LK_EXIT_CANTCREAT;
        }
        name = output;
    }
    bool ok = fputs(lk_schema_files[0].data, out) != EOF;
    ok = fflush(out) == 0 && ok;
    int err = errno;
    if (out != stdout && fclose(out) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        fprintf(stderr, "logkeep schema: cannot write %s: %s\n", name, strerror(err));
        return LK_EXIT_CANTCREAT;
    }
    return LK_EXIT_OK;
}
