/*
 * logkeep completion SHELL: prints the shell completion script for bash, zsh or fish (the files
 * of cli/completion/, built into the binary; make install also installs them where each shell
 * looks). The scripts ask logkeep itself for its commands and each command's options.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "compiler/embedded.h"

/* cli/completion/{bash,zsh,fish} (Makefile.am: cli/completion_data.c). */
extern const struct lk_embedded_file lk_completion_files[];
extern const size_t lk_completion_files_count;

static void s_usage(FILE *out)
{
    fputs("usage: logkeep completion bash|zsh|fish\n"
          "\n"
          "Prints the completion script of a shell: commands, each command's options, rule IDs\n"
          "for explain, baseline names, formats and policy paths. To use it now:\n"
          "  bash: source <(logkeep completion bash)\n"
          "  zsh:  source <(logkeep completion zsh)   (after compinit)\n"
          "  fish: logkeep completion fish | source\n"
          "make install (and the Debian package) installs the scripts where each shell finds\n"
          "them.\n"
          "\n"
          "options:\n"
          "  -h, --help   print this help\n"
          "\n"
          "exit status: 0 printed, 64 usage error (no shell, or one logkeep has no script\n"
          "for), 73 standard output cannot be written\n",
          out);
}

int lk_cmd_completion(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        s_usage(stdout);
        return LK_EXIT_OK;
    }
    if (argc != 2 || argv[1][0] == '-') {
        fputs(argc < 2 ? "logkeep completion: name the shell: bash, zsh or fish\n"
                       : "logkeep completion: one shell: bash, zsh or fish\n",
              stderr);
        s_usage(stderr);
        return LK_EXIT_USAGE;
    }
    for (size_t i = 0; i < lk_completion_files_count; i++) {
        if (strcmp(lk_completion_files[i].name, argv[1]) != 0)
            continue;
        if (fputs(lk_completion_files[i].data, stdout) == EOF || fflush(stdout) != 0) {
            fputs("logkeep completion: cannot write to standard output\n", stderr);
            return LK_EXIT_CANTCREAT;
        }
        return LK_EXIT_OK;
    }
    fprintf(stderr, "logkeep completion: no completion for \"%s\": bash, zsh or fish\n", argv[1]);
    return LK_EXIT_USAGE;
}
