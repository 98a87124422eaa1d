/*
 * logkeep report: work on reports already written (runtime/report.h).
 */
#ifndef LK_CMD_REPORT_H
#define LK_CMD_REPORT_H

/**
 * `logkeep report merge [--format F] [--json-report FILE] [--markdown-limit L] REPORT.json...`:
 * the JSON reports of a sharded plan or drift (--shard I/N) as the report of the whole run, in
 * any format, with the exit status the whole run would have had.
 * @return plan: 0 (--detailed-exitcode: no changes) or LK_EXIT_CHANGES (--detailed-exitcode);
 *         drift: 0 in sync, LK_EXIT_CHANGES drift; LK_EXIT_INCOMPLETE a pair failed;
 *         LK_EXIT_FAILED a damaged report or reports that do not merge; LK_EXIT_USAGE,
 *         LK_EXIT_NOINPUT (a report cannot be read), LK_EXIT_CANTCREAT (cli.h).
 */
int lk_cmd_report(int argc, char **argv);

#endif
