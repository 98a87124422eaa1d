/*
 * logkeep: helpers shared by the subcommands.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/buf.h"
#include "compiler/compile.h"
#include "compiler/policy.h"

/* Reads all of stdin, bounded by the policy size limit (plus one byte to detect excess). */
static char *s_read_stdin(size_t *len)
{
    size_t cap = 64 * 1024, n = 0;
    char *buf = lk_xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap > LK_SOURCE_MAX_BYTES)
                break;
            cap *= 2;
            buf = lk_xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, stdin);
        n += got;
        if (got == 0)
            break;
    }
    *len = n;
    return buf;
}

struct lk_policy *lk_cli_load_policy(const char *cmd, int n_paths, char **paths)
{
    struct lk_policy *p = lk_cli_read_policy(cmd, n_paths, paths);
    if (p)
        lk_policy_check(p);
    return p;
}

struct lk_policy *lk_cli_read_policy(const char *cmd, int n_paths, char **paths)
{
    struct lk_policy *p = lk_policy_new();
    if (n_paths == 1 && !strcmp(paths[0], "-")) {
        size_t len;
        char *data = s_read_stdin(&len);
        lk_policy_load_buffer(p, "<stdin>", data, len);
        free(data);
    } else {
        const char *bad = NULL;
        if (lk_policy_load_paths(p, (const char *const *)paths, (size_t)n_paths, &bad) != 0) {
            if (errno == ENOENT && bad)
                fprintf(stderr, "logkeep %s: %s: no such file, or no policy files (*.yaml, *.yml, *.json) in it\n",
                        cmd, bad);
            else if (errno == EFBIG && bad)
                fprintf(stderr, "logkeep %s: %s: more than 10,000 policy files\n", cmd, bad);
            else if (errno == EINVAL && bad)
                fprintf(stderr, "logkeep %s: %s: not a regular file or directory\n", cmd, bad);
            else
                fprintf(stderr, "logkeep %s: %s: %s\n", cmd, bad ? bad : "?", strerror(errno));
            lk_policy_free(p);
            return NULL;
        }
    }
    return p;
}

void lk_cli_print_diags(struct lk_policy *p, const char *color, FILE *out)
{
    struct lk_render_opts ro = {LK_DIAG_TEXT, lk_cli_use_color(color, out), PACKAGE_VERSION,
                                NULL};
    lk_diags_render(&p->diags, &p->sources, &ro, out);
    lk_cli_print_summary(p, out);
}

void lk_cli_print_summary(struct lk_policy *p, FILE *out)
{
    struct lk_diags *d = &p->diags;
    if (d->n_errors || d->n_warnings || d->n_notes)
        fprintf(out, "%zu error%s, %zu warning%s, %zu note%s in %zu file%s\n", d->n_errors,
                d->n_errors == 1 ? "" : "s", d->n_warnings, d->n_warnings == 1 ? "" : "s",
                d->n_notes, d->n_notes == 1 ? "" : "s", p->n_files_read,
                p->n_files_read == 1 ? "" : "s");
}

void lk_cli_wrap(FILE *out, const char *text, int indent, int width)
{
    int col = 0;
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        int len = (int)(p - w);
        if (len == 0)
            break;
        if (col == 0) {
            fprintf(out, "%*s", indent, "");
            col = indent;
        } else if (col + 1 + len > width) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        } else {
            fputc(' ', out);
            col++;
        }
        fwrite(w, 1, (size_t)len, out);
        col += len;
    }
    if (col)
        fputc('\n', out);
}

int lk_cli_compile(const char *cmd, struct lk_policy *p, struct lk_ir_state **out_state,
                   struct lk_artifacts *out)
{
    int rc = lk_compile(p, out_state, out);
    if (rc == 2)
        fprintf(stderr, "logkeep %s: an artifact would exceed %zu bytes; nothing was produced\n",
                cmd, (size_t)LK_BUF_MAX_DOCUMENT);
    return rc;
}

bool lk_cli_can_ask(char *why, size_t why_len)
{
    if (isatty(STDIN_FILENO))
        return true;
    snprintf(why, why_len,
             "refusing: stdin is not a terminal, so apply cannot ask for confirmation; "
             "review `logkeep plan` and rerun with --auto-approve");
    return false;
}

bool lk_cli_answer_yes(char *why, size_t why_len)
{
    fflush(stdout);
    char line[64];
    bool yes = false;
    if (fgets(line, sizeof(line), stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        yes = !strcmp(line, "yes");
    }
    if (!yes)
        snprintf(why, why_len, "not applied (answer was not \"yes\")");
    return yes;
}
