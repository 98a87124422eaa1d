/*
 * A minimal "logkeep whoami" for the runtime tests, so tests/runtime/run can exercise the
 * command whether or not the logkeep binary dispatches it yet:
 *   whoami_main whoami ARGS...   ==   logkeep whoami ARGS...
 */
#include <string.h>

#include "cli/cmd_aws.h"

int main(int argc, char **argv)
{
    /* Like the dispatcher in cli/main.c: the subcommand sees argv[0] == "whoami". */
    if (argc >= 2 && strcmp(argv[1], "whoami") == 0)
        return lk_cmd_whoami(argc - 1, argv + 1);
    return lk_cmd_whoami(argc, argv);
}
