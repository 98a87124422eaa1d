/*
 * logkeep: subcommands that talk to AWS (runtime/).
 */
#ifndef LK_CMD_AWS_H
#define LK_CMD_AWS_H

/**
 * logkeep whoami [--region R] [--endpoint-url URL] [--profile P] [--debug]: calls STS
 * GetCallerIdentity and prints the account, ARN and user id, and where the credentials came
 * from.
 * @param argc argument count, argv[0] being "whoami"
 * @param argv the arguments
 * @return 0 on success, 1 when the call or the configuration fails, 2 for a usage error
 */
int lk_cmd_whoami(int argc, char **argv);

#endif
