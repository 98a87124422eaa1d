/*
 * logkeep report: work on reports already written (runtime/report.h).
 */
#ifndef LK_CMD_REPORT_H
#define LK_CMD_REPORT_H

/**
 * `logkeep report merge [--format F] [--json-report FILE] [--markdown-limit L] REPORT.json...`:
 * the JSON reports of a sharded plan or drift (--shard I/N) as the report of the whole run, in
 * any format, with the exit status the whole run would have had.
 * @return plan: 0, or 3 when a pair failed; drift: 0 in sync, 2 drift, 3 a pair failed; 1 a
 *         report cannot be read or the reports do not merge; 2 usage.
 */
int lk_cmd_report(int argc, char **argv);

#endif
