/*
 * logkeep diff (see cmd_diff.h): load both policies, check and compile them, compare them with
 * lk_policy_diff_compute(), render the report.
 *
 * With --git, the old files are read by git itself (git ls-tree, git cat-file), run with
 * fork/exec and no shell, so that whatever git knows of the repository (worktrees, alternates,
 * packs, the index of a sparse checkout) is honoured and no revision text is ever interpreted
 * by anything but git. git runs in the directory of each PATH (git -C), so the repository read
 * is the one that holds the policy, whatever the current directory is.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/array.h"
#include "cli/cmd_diff.h"
#include "compiler/compile.h"
#include "compiler/policy.h"
#include "compiler/policy_diff.h"

/* Policy files per revision, as lk_policy_load_paths() allows (policy.c, LK_MAX_FILES). */
#define S_MAX_FILES 10000
/* Directory levels searched below a path, as lk_policy_load_paths() does. */
#define S_MAX_DEPTH 16
/* Largest `git ls-tree` listing read: 10,000 policy files among many other files. */
#define S_MAX_LISTING ((size_t)64 * 1024 * 1024)
/* git's error output kept for the message. */
#define S_MAX_STDERR 4096

static void s_usage(FILE *out)
{
    fputs("usage: logkeep diff [options] OLD NEW\n"
          "       logkeep diff [options] --old PATH... --new PATH...\n"
          "       logkeep diff [options] --git REV[..REV2] [PATH...]\n"
          "\n"
          "Compares two versions of a policy by meaning: per source and store, availability,\n"
          "retention in days, archive tiers, readers and admins (as principals), integrity\n"
          "settings and the artifacts that change, and flags risky changes: data-loss,\n"
          "availability-reduced, access-widened, integrity-weakened, baseline-violated.\n"
          "OLD and NEW are policy files or directories, as for validate.\n"
          "\n"
          "options:\n"
          "  -f, --format FORMAT   text (default), markdown (a pull request comment) or json\n"
          "  -o, --output FILE     write the report to FILE instead of stdout\n"
          "      --old PATH        a path of the old policy (repeatable)\n"
          "      --new PATH        a path of the new policy (repeatable)\n"
          "      --git REV         compare the policy at git revision REV with the working tree\n"
          "                        (PATH... default to the current directory; git reads the\n"
          "                        repository that holds them); REV..REV2 compares two\n"
          "                        revisions. Paths missing at REV are new.\n"
          "      --color WHEN      auto (default), always or never\n"
          "  -h, --help            print this help\n"
          "\n"
          "exit status: 0 no risky change, 1 the new policy has errors, 3 risky change,\n"
          "64 usage error, 66 a path cannot be read (or holds no policy file), no git\n"
          "repository or no such revision, 69 git is not installed, 73 FILE cannot be\n"
          "written\n",
          out);
}

/* ------------------------------------------------------------------------------ git */

/* A heap argv for execvp (execvp's prototype takes char *const[]). */
struct s_argv {
    char *v[12]; /* owned strings, NULL-terminated */
    int n;
};

static void s_argv_add(struct s_argv *a, const char *s)
{
    if (a->n < (int)(sizeof(a->v) / sizeof(a->v[0])) - 1)
        a->v[a->n++] = lk_xstrdup(s);
    a->v[a->n] = NULL;
}

/* Starts a git command line that runs in @p dir (git -C DIR), or in the current directory when
 * @p dir is NULL. */
static void s_argv_git(struct s_argv *a, const char *dir)
{
    s_argv_add(a, "git");
    if (dir) {
        s_argv_add(a, "-C");
        s_argv_add(a, dir);
    }
}

static void s_argv_free(struct s_argv *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->v[i]);
    a->n = 0;
}

/* Reads what is available on @p fd into @p b, keeping at most @p max bytes. @return false at
 * end of file or on an error; *over set when bytes beyond @p max arrived. */
static bool s_drain(int fd, struct lk_buf *b, size_t max, bool *over)
{
    char chunk[65536];
    ssize_t got = read(fd, chunk, sizeof(chunk));
    if (got < 0)
        return errno == EINTR || errno == EAGAIN;
    if (got == 0)
        return false;
    size_t room = b->len < max ? max - b->len : 0;
    size_t keep = (size_t)got < room ? (size_t)got : room;
    if (keep)
        lk_buf_append(b, chunk, keep);
    if (keep < (size_t)got)
        *over = true;
    return true;
}

/* What the child of s_git_run() writes when execvp() fails. */
static const char s_no_git[] = "cannot run git: not installed or not on PATH\n";

/**
 * Runs git with @p argv (argv[0] "git"), no shell, stdin from /dev/null.
 * @param out receives standard output, at most @p max bytes (more stops git).
 * @param err receives the first S_MAX_STDERR bytes of standard error.
 * @return git's exit status, 128 + signal when killed, -1 when git could not be started,
 *         -2 when its output exceeded @p max.
 */
static int s_git_run(struct s_argv *argv, struct lk_buf *out, size_t max, struct lk_buf *err)
{
    /* The buffers' caps are the limits below plus the terminator appended at the end. */
    lk_buf_init(out, max + 1);
    lk_buf_init(err, S_MAX_STDERR + 1);
    int po[2], pe[2];
    if (pipe(po) != 0)
        return -1;
    if (pipe(pe) != 0) {
        close(po[0]);
        close(po[1]);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(po[0]);
        close(po[1]);
        close(pe[0]);
        close(pe[1]);
        return -1;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, 0) < 0 || dup2(po[1], 1) < 0 || dup2(pe[1], 2) < 0)
            _exit(127);
        close(null);
        close(po[0]);
        close(po[1]);
        close(pe[0]);
        close(pe[1]);
        execvp("git", argv->v);
        if (write(2, s_no_git, sizeof(s_no_git) - 1) < 0)
            _exit(127);
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
    bool open_out = true, open_err = true, over = false, err_over = false, killed = false;
    while (open_out || open_err) {
        fds[0].fd = open_out ? po[0] : -1;
        fds[1].fd = open_err ? pe[0] : -1;
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (open_out && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
            open_out = s_drain(po[0], out, max, &over);
        if (open_err && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
            open_err = s_drain(pe[0], err, S_MAX_STDERR, &err_over);
        if (over && !killed) {
            /* Enough: the rest is not read. */
            kill(pid, SIGKILL);
            killed = true;
        }
    }
    close(po[0]);
    close(pe[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    lk_buf_putc(out, '\0');
    out->len--;
    lk_buf_putc(err, '\0');
    err->len--;
    if (over)
        return -2;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* The exit status of the last failed git step: LK_EXIT_UNAVAILABLE when git is not installed,
 * LK_EXIT_USAGE for paths in two repositories, else LK_EXIT_NOINPUT (no repository, no such
 * revision: the input cannot be read). */
static int s_git_exit = LK_EXIT_NOINPUT;

/* Prints why a git command failed, and sets s_git_exit. */
static void s_git_fail(const char *what, int rc, const struct lk_buf *err)
{
    s_git_exit = LK_EXIT_NOINPUT;
    if (rc == -1) {
        fprintf(stderr, "logkeep diff: cannot run git: %s\n", strerror(errno));
        return;
    }
    if (rc == 127 && err->data && !strncmp(err->data, s_no_git, sizeof(s_no_git) - 1)) {
        /* execvp() failed: 127, as a shell says "command not found". */
        s_git_exit = LK_EXIT_UNAVAILABLE;
        fprintf(stderr, "logkeep diff: %s", s_no_git);
        return;
    }
    if (rc == -2) {
        fprintf(stderr, "logkeep diff: git %s: output too large\n", what);
        return;
    }
    /* git's own first line says it best ("fatal: not a git repository ..."). */
    const char *msg = err->data && err->len ? err->data : "";
    size_t len = strcspn(msg, "\n");
    if (len)
        fprintf(stderr, "logkeep diff: git %s: %.*s\n", what, (int)len, msg);
    else
        fprintf(stderr, "logkeep diff: git %s failed (exit status %d)\n", what, rc);
}

/* Resolves @p rev to a commit ID (heap string), or NULL after a message. */
static char *s_git_commit(const char *dir, const char *rev)
{
    struct s_argv av = {{0}, 0};
    struct lk_buf out, err;
    lk_buf_init(&out, 0); /* capped by s_git_run() */
    lk_buf_init(&err, 0);
    char *spec = lk_xmalloc(strlen(rev) + sizeof("^{commit}"));
    strcpy(spec, rev);
    strcat(spec, "^{commit}");
    s_argv_git(&av, dir);
    s_argv_add(&av, "rev-parse");
    s_argv_add(&av, "--verify");
    s_argv_add(&av, "--quiet");
    s_argv_add(&av, spec);
    int rc = s_git_run(&av, &out, 1024, &err);
    char *sha = NULL;
    if (rc == 0 && out.len) {
        sha = lk_xstrndup(out.data, strcspn(out.data, "\n"));
    } else if (rc > 0 && !err.len) {
        fprintf(stderr, "logkeep diff: %s: no such commit in the git repository that holds %s\n",
                rev, dir ? dir : ".");
    } else {
        s_git_fail("rev-parse", rc, &err);
    }
    free(spec);
    s_argv_free(&av);
    lk_buf_free(&out);
    lk_buf_free(&err);
    return sha;
}

/* A policy file found at a revision. */
struct s_git_file {
    char *path; /* owned: the file as the user's paths name it (the PATH it was found under,
                 * then its path below that directory) */
    char *rel;  /* owned: the path relative to where git listed it */
    char *blob; /* owned: the blob ID */
};

struct s_git_files {
    struct s_git_file *v; /* owned */
    size_t n, cap;
};

static void s_git_files_free(struct s_git_files *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].path);
        free(f->v[i].rel);
        free(f->v[i].blob);
    }
    free(f->v);
    memset(f, 0, sizeof(*f));
}

static int s_cmp_git_file(const void *a, const void *b)
{
    return strcmp(((const struct s_git_file *)a)->path, ((const struct s_git_file *)b)->path);
}

/* @p path as git prints it: no "./" components, no doubled or trailing '/'; "" for ".". */
static char *s_normalize(const char *path)
{
    size_t n = strlen(path);
    char *out = lk_xmalloc(n + 1);
    size_t w = 0;
    const char *p = path;
    while (*p) {
        size_t len = strcspn(p, "/");
        if (len && !(len == 1 && p[0] == '.')) {
            if (w)
                out[w++] = '/';
            memcpy(out + w, p, len);
            w += len;
        }
        p += len;
        while (*p == '/')
            p++;
    }
    out[w] = '\0';
    return out;
}

static bool s_is_policy_name(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml")) ||
           (n > 5 && !strcmp(name + n - 5, ".json"));
}

/* Whether a file found under a directory is a policy file, as the directory search of
 * lk_policy_load_paths() decides: *.yaml, *.yml or *.json, no component starting with a dot, at
 * most S_MAX_DEPTH levels down. @p rel is the path below the directory. */
static bool s_dir_member(const char *rel)
{
    int depth = 0;
    for (const char *p = rel; *p;) {
        size_t len = strcspn(p, "/");
        if (p[0] == '.' && !(len == 2 && p[1] == '.'))
            return false;
        p += len;
        if (*p == '/') {
            depth++;
            p++;
        }
    }
    return depth <= S_MAX_DEPTH && s_is_policy_name(rel);
}

/* Where git runs for a PATH, and what it lists there. A directory is listed from inside it (leaf
 * "."), a file, or a path the working tree lacks, from its parent directory; dir is NULL when
 * that parent does not exist either, and git then runs in the current directory with the path
 * as given. Running git there makes the repository the one holding the policy. */
struct s_git_where {
    char *dir;  /* owned, or NULL: the current directory */
    char *leaf; /* owned: the path relative to dir */
};

static bool s_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void s_git_where(const char *path, struct s_git_where *w)
{
    if (s_is_dir(path)) {
        w->dir = lk_xstrdup(path);
        w->leaf = lk_xstrdup(".");
        return;
    }
    const char *slash = strrchr(path, '/');
    if (slash && slash[1]) {
        char *parent = slash == path ? lk_xstrdup("/") : lk_xstrndup(path, (size_t)(slash - path));
        if (s_is_dir(parent)) {
            w->dir = parent;
            w->leaf = lk_xstrdup(slash + 1);
            return;
        }
        free(parent);
    }
    w->dir = NULL;
    w->leaf = lk_xstrdup(path);
}

static void s_git_where_free(struct s_git_where *w)
{
    free(w->dir);
    free(w->leaf);
    w->dir = w->leaf = NULL;
}

/* @p file (a path git printed, relative to @p dir) as the user's paths name it: below @p dir as
 * the user wrote it, or as is when @p dir is the current directory. */
static char *s_user_path(const char *dir, const char *file)
{
    char *norm = dir ? s_normalize(dir) : NULL;
    bool here = !norm || (!*norm && dir[0] != '/');
    free(norm);
    if (here)
        return lk_xstrdup(file);
    size_t n = strlen(dir);
    bool slash = n && dir[n - 1] == '/';
    char *out = lk_xmalloc(n + 1 + strlen(file) + 1);
    sprintf(out, "%s%s%s", dir, slash ? "" : "/", file);
    return out;
}

/* The top directory of the git repository that holds @p dir (git rev-parse --show-toplevel).
 * @return it (owned), or NULL after a message. */
static char *s_git_toplevel(const char *dir)
{
    struct s_argv av = {{0}, 0};
    struct lk_buf out, err;
    lk_buf_init(&out, 0); /* capped by s_git_run() */
    lk_buf_init(&err, 0);
    s_argv_git(&av, dir);
    s_argv_add(&av, "rev-parse");
    s_argv_add(&av, "--show-toplevel");
    int rc = s_git_run(&av, &out, 4096, &err);
    char *top = NULL;
    if (rc == 0 && out.len)
        top = lk_xstrndup(out.data, strcspn(out.data, "\n"));
    else
        s_git_fail("rev-parse", rc, &err);
    s_argv_free(&av);
    lk_buf_free(&out);
    lk_buf_free(&err);
    return top;
}

/* Lists the policy files of @p path at commit @p sha into @p files. @return 0, or -1 after a
 * message. */
static int s_git_list(const char *sha, const char *path, struct s_git_files *files)
{
    struct s_git_where where;
    s_git_where(path, &where);
    struct s_argv av = {{0}, 0};
    struct lk_buf out, err;
    lk_buf_init(&out, 0); /* capped by s_git_run() */
    lk_buf_init(&err, 0);
    s_argv_git(&av, where.dir);
    s_argv_add(&av, "ls-tree");
    s_argv_add(&av, "-r");
    s_argv_add(&av, "-z");
    s_argv_add(&av, sha);
    s_argv_add(&av, "--");
    s_argv_add(&av, where.leaf);
    int rc = s_git_run(&av, &out, S_MAX_LISTING, &err);
    s_argv_free(&av);
    if (rc != 0) {
        s_git_fail("ls-tree", rc, &err);
        lk_buf_free(&out);
        lk_buf_free(&err);
        s_git_where_free(&where);
        return -1;
    }
    lk_buf_free(&err);

    /* Entries: "<mode> SP <type> SP <object> TAB <path> NUL", the path relative to where git
     * ran. */
    char *norm = s_normalize(where.leaf);
    size_t norm_len = strlen(norm);
    size_t first = files->n, found = 0;
    bool single_file = false;
    const char *end = out.data ? out.data + out.len : NULL;
    for (const char *p = out.data; p && p < end; p += strlen(p) + 1) {
        const char *tab = strchr(p, '\t');
        if (!tab)
            continue;
        found++;
        /* Regular files only: links (120000) and submodules (160000) are not read. */
        bool regular = !strncmp(p, "100644 blob ", 12) || !strncmp(p, "100755 blob ", 12);
        const char *file = tab + 1;
        if (found == 1 && !strcmp(file, norm))
            single_file = true;
        if (!regular)
            continue;
        LK_ARRAY_GROW(files->v, files->n, files->cap);
        const char *blob = p + 12;
        files->v[files->n].path = s_user_path(where.dir, file);
        files->v[files->n].rel = lk_xstrdup(file);
        files->v[files->n].blob = lk_xstrndup(blob, (size_t)(tab - blob));
        files->n++;
    }
    if (!(single_file && found == 1)) {
        /* A directory: keep what its search would find. */
        size_t w = first;
        for (size_t i = first; i < files->n; i++) {
            const char *rel = files->v[i].rel;
            if (norm_len && !strncmp(rel, norm, norm_len) && rel[norm_len] == '/')
                rel += norm_len + 1;
            if (s_dir_member(rel)) {
                files->v[w++] = files->v[i];
            } else {
                free(files->v[i].path);
                free(files->v[i].rel);
                free(files->v[i].blob);
            }
        }
        files->n = w;
        if (files->n - first > 1)
            qsort(files->v + first, files->n - first, sizeof(*files->v), s_cmp_git_file);
    }
    free(norm);
    lk_buf_free(&out);
    s_git_where_free(&where);
    return 0;
}

/**
 * Reads the policy at @p paths as of commit @p sha into a new policy. Each file is named by its
 * path, as in the working tree, so that what a policy names relative to its files (a baseline
 * file: baselines: [acme.yaml]) is found in the working tree. Files found twice are read once.
 * When nothing is found, the policy is empty and unchecked (*empty set).
 * @param label the revision as the user wrote it, for messages.
 * @param dir where git reads objects (a directory of the repository), NULL for the current one.
 * @return the policy, or NULL after a message.
 */
static struct lk_policy *s_git_policy(const char *label, const char *dir, const char *sha,
                                      int n_paths, char **paths, bool *empty)
{
    struct s_git_files files = {0};
    struct lk_policy *p = NULL;
    for (int i = 0; i < n_paths; i++)
        if (s_git_list(sha, paths[i], &files) != 0)
            goto cleanup;
    if (files.n > S_MAX_FILES) {
        fprintf(stderr, "logkeep diff: %s: more than 10,000 policy files\n", label);
        goto cleanup;
    }
    p = lk_policy_new();
    for (size_t i = 0; i < files.n; i++) {
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = !strcmp(files.v[k].path, files.v[i].path);
        if (seen)
            continue;
        struct s_argv av = {{0}, 0};
        struct lk_buf out, err;
        lk_buf_init(&out, 0); /* capped by s_git_run() */
        lk_buf_init(&err, 0);
        s_argv_git(&av, dir);
        s_argv_add(&av, "cat-file");
        s_argv_add(&av, "blob");
        s_argv_add(&av, files.v[i].blob);
        /* One byte over the limit is enough for the reader to report LK003. */
        int rc = s_git_run(&av, &out, LK_SOURCE_MAX_BYTES + 1, &err);
        s_argv_free(&av);
        if (rc == 0 || rc == -2) {
            lk_policy_load_buffer(p, files.v[i].path, out.data ? out.data : "", out.len);
        } else {
            s_git_fail("cat-file", rc, &err);
            lk_policy_free(p);
            p = NULL;
        }
        lk_buf_free(&out);
        lk_buf_free(&err);
        if (!p)
            goto cleanup;
    }
    *empty = p->n_files_read == 0;
    if (!*empty)
        lk_policy_check(p);
cleanup:
    s_git_files_free(&files);
    return p;
}

/* ------------------------------------------------------------------------------ the command */

struct s_args {
    const char *format_name;
    enum lk_policy_diff_format format;
    const char *output, *color, *git;
    char **old_paths, **new_paths; /* owned arrays of borrowed argv strings */
    int n_old, n_new;
};

static void s_push_path(char ***arr, int *n, char *path)
{
    *arr = lk_xrealloc(*arr, (size_t)(*n + 1) * sizeof(**arr));
    (*arr)[(*n)++] = path;
}

/* @return 0 to go on, -1 after --help, or an exit status. */
static int s_parse(struct s_args *a, int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"old", required_argument, NULL, 'O'},
        {"new", required_argument, NULL, 'N'},
        {"git", required_argument, NULL, 'g'},
        {"color", required_argument, NULL, 'c'},
        {"colour", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!lk_policy_diff_format_parse(optarg, &a->format)) {
                fprintf(stderr, "logkeep diff: unknown format \"%s\" (text, markdown, json)\n",
                        optarg);
                return LK_EXIT_USAGE;
            }
            break;
        case 'o':
            a->output = optarg;
            break;
        case 'O':
            s_push_path(&a->old_paths, &a->n_old, optarg);
            break;
        case 'N':
            s_push_path(&a->new_paths, &a->n_new, optarg);
            break;
        case 'g':
            if (a->git) {
                fputs("logkeep diff: --git given twice\n", stderr);
                return LK_EXIT_USAGE;
            }
            a->git = optarg;
            break;
        case 'c':
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
                fputs("logkeep diff: --color takes auto, always or never\n", stderr);
                return LK_EXIT_USAGE;
            }
            a->color = optarg;
            break;
        case 'h':
            s_usage(stdout);
            return -1;
        case ':':
            fprintf(stderr, "logkeep diff: option %s needs a value\n", argv[optind - 1]);
            return LK_EXIT_USAGE;
        default:
            fprintf(stderr, "logkeep diff: unknown option %s\n", argv[optind - 1]);
            s_usage(stderr);
            return LK_EXIT_USAGE;
        }
    }
    int rest = argc - optind;
    if (a->git) {
        if (a->n_old || a->n_new) {
            fputs("logkeep diff: --git takes the paths as arguments, not --old or --new\n", stderr);
            return LK_EXIT_USAGE;
        }
        for (int i = optind; i < argc; i++)
            s_push_path(&a->new_paths, &a->n_new, argv[i]);
        return 0;
    }
    if (a->n_old || a->n_new) {
        if (!a->n_old || !a->n_new || rest) {
            fputs("logkeep diff: give both --old and --new, and no other paths\n", stderr);
            s_usage(stderr);
            return LK_EXIT_USAGE;
        }
        return 0;
    }
    if (rest != 2) {
        fprintf(stderr, "logkeep diff: %s\n",
                rest < 2 ? "give the old and the new policy" : "too many paths (OLD NEW)");
        s_usage(stderr);
        return LK_EXIT_USAGE;
    }
    s_push_path(&a->old_paths, &a->n_old, argv[optind]);
    s_push_path(&a->new_paths, &a->n_new, argv[optind + 1]);
    return 0;
}

/* Splits "A..B" (either side may be empty: HEAD) or "A". @return 0, or a usage message. */
static int s_split_range(const char *spec, char **base, char **head)
{
    *base = *head = NULL;
    if (!*spec || spec[0] == '-' || strstr(spec, "...")) {
        fprintf(stderr, "logkeep diff: --git takes REV or REV..REV2, not \"%s\"\n", spec);
        return LK_EXIT_USAGE;
    }
    const char *dots = strstr(spec, "..");
    if (!dots) {
        *base = lk_xstrdup(spec);
        return 0;
    }
    *base = dots == spec ? lk_xstrdup("HEAD") : lk_xstrndup(spec, (size_t)(dots - spec));
    *head = dots[2] ? lk_xstrdup(dots + 2) : lk_xstrdup("HEAD");
    if ((*head)[0] == '-') {
        fprintf(stderr, "logkeep diff: --git takes REV or REV..REV2, not \"%s\"\n", spec);
        free(*base);
        free(*head);
        *base = *head = NULL;
        return LK_EXIT_USAGE;
    }
    return 0;
}

/* Loads one side from git, from the repository that holds the first of @p paths; every other
 * path must be in that repository too. @return the policy, or NULL after a message. */
static struct lk_policy *s_load_git_side(const char *rev, int n_paths, char **paths, bool *empty)
{
    struct s_git_where first;
    s_git_where(paths[0], &first);
    struct lk_policy *p = NULL;
    char *sha = NULL, *top = NULL;
    if (n_paths > 1) {
        top = s_git_toplevel(first.dir);
        if (!top)
            goto cleanup;
        for (int i = 1; i < n_paths; i++) {
            struct s_git_where w;
            s_git_where(paths[i], &w);
            char *other = s_git_toplevel(w.dir);
            bool same = other && !strcmp(other, top);
            if (other && !same) {
                fprintf(stderr,
                        "logkeep diff: %s is in the git repository %s, %s in %s: --git reads "
                        "one repository\n",
                        paths[i], other, paths[0], top);
                s_git_exit = LK_EXIT_USAGE;
            }
            free(other);
            s_git_where_free(&w);
            if (!same)
                goto cleanup;
        }
    }
    sha = s_git_commit(first.dir, rev);
    if (sha)
        p = s_git_policy(rev, first.dir, sha, n_paths, paths, empty);
cleanup:
    free(sha);
    free(top);
    s_git_where_free(&first);
    return p;
}

static int s_write(const char *output, const char *text)
{
    FILE *out = output ? fopen(output, "w") : stdout;
    if (!out) {
        fprintf(stderr, "logkeep diff: cannot write %s: %s\n", output, strerror(errno));
        return LK_EXIT_CANTCREAT;
    }
    bool ok = fputs(text, out) >= 0 || !*text;
    ok = (out == stdout ? fflush(out) == 0 : fclose(out) == 0) && ok;
    if (!ok) {
        fprintf(stderr, "logkeep diff: cannot write %s: %s\n", output ? output : "stdout",
                strerror(errno));
        return LK_EXIT_CANTCREAT;
    }
    return 0;
}

/* When every error of @p p is an unmet baseline requirement (LK502 to LK508), prints them to
 * standard error when @p color is not NULL, then turns them into warnings so that the policy
 * compiles; they are still baseline findings for the diff. @return true when it did. */
static bool s_demote_baseline_findings(struct lk_policy *p, const char *color)
{
    size_t baseline = 0;
    for (size_t i = 0; i < p->diags.n; i++) {
        const struct lk_diag *d = &p->diags.items[i];
        if (d->severity != LK_SEV_ERROR)
            continue;
        if (strncmp(d->rule->id, "LK50", 4) != 0 || d->rule->id[4] < '2' || d->rule->id[4] > '8')
            return false;
        baseline++;
    }
    if (baseline == 0)
        return false;
    if (color) {
        fputs("logkeep diff: the new policy does not meet its baselines:\n", stderr);
        lk_cli_print_diags(p, color, stderr);
    }
    for (size_t i = 0; i < p->diags.n; i++)
        if (p->diags.items[i].severity == LK_SEV_ERROR)
            lk_diag_set_severity(&p->diags, &p->diags.items[i], LK_SEV_WARNING);
    return true;
}

int lk_cmd_diff(int argc, char **argv)
{
    struct s_args a;
    memset(&a, 0, sizeof(a));
    a.color = "auto";
    struct lk_policy *op = NULL, *np = NULL;
    struct lk_ir_state *ost = NULL, *nst = NULL;
    struct lk_artifacts oarts, narts;
    lk_artifacts_init(&oarts);
    lk_artifacts_init(&narts);
    struct lk_policy_diff *d = NULL;
    char *base = NULL, *head = NULL, *text = NULL;
    static char dot[] = ".";
    bool old_empty = false, new_empty = false;

    int rc = s_parse(&a, argc, argv);
    if (rc != 0) {
        rc = rc < 0 ? LK_EXIT_OK : rc;
        goto cleanup;
    }
    if (a.git) {
        if ((rc = s_split_range(a.git, &base, &head)) != 0)
            goto cleanup;
        char *def[1] = {dot};
        int n = a.n_new ? a.n_new : 1;
        char **paths = a.n_new ? a.new_paths : def;
        rc = LK_EXIT_NOINPUT;
        s_git_exit = LK_EXIT_NOINPUT;
        op = s_load_git_side(base, n, paths, &old_empty);
        if (!op) {
            rc = s_git_exit;
            goto cleanup;
        }
        if (head) {
            np = s_load_git_side(head, n, paths, &new_empty);
            if (!np) {
                rc = s_git_exit;
                goto cleanup;
            }
            if (new_empty) {
                fprintf(stderr, "logkeep diff: %s: no policy files at this revision\n", head);
                goto cleanup;
            }
        } else {
            np = lk_cli_load_policy("diff", n, paths);
            if (!np)
                goto cleanup;
        }
        if (old_empty)
            fprintf(stderr, "logkeep diff: no policy files at %s: everything is new\n", base);
    } else {
        rc = LK_EXIT_NOINPUT;
        op = lk_cli_load_policy("diff", a.n_old, a.old_paths);
        if (!op)
            goto cleanup;
        np = lk_cli_load_policy("diff", a.n_new, a.new_paths);
        if (!np)
            goto cleanup;
    }

    /* A policy whose only errors are unmet baseline requirements is still compiled and
     * compared: the change that makes it miss a baseline is what the review must flag
     * (baseline-violated), not a reason to stop. */
    s_demote_baseline_findings(op, NULL);
    s_demote_baseline_findings(np, a.color);
    if (lk_cli_compile("diff", np, &nst, &narts) != 0) {
        if (head)
            fprintf(stderr, "logkeep diff: the new policy (at %s) has errors\n", head);
        else
            fputs("logkeep diff: the new policy has errors\n", stderr);
        lk_cli_print_diags(np, a.color, stderr);
        rc = LK_EXIT_POLICY;
        goto cleanup;
    }
    /* An old policy with errors is compared as far as it goes; its artifacts are not. */
    bool old_compiled = old_empty || lk_cli_compile("diff", op, &ost, &oarts) == 0;
    if (!old_compiled)
        fprintf(stderr,
                "logkeep diff: the old policy has %zu error%s: compared as far as it could be "
                "read, artifacts not compared\n",
                op->diags.n_errors, op->diags.n_errors == 1 ? "" : "s");

    d = lk_policy_diff_compute(op, old_compiled ? &oarts : NULL, np, &narts);
    FILE *probe = a.output ? NULL : stdout;
    bool color = a.format == LK_POLICY_DIFF_TEXT &&
                 (probe ? lk_cli_use_color(a.color, probe) : !strcmp(a.color, "always"));
    text = lk_policy_diff_render(d, a.format, color);
    if (!text) {
        fprintf(stderr, "logkeep diff: the report would exceed %zu bytes\n",
                (size_t)LK_BUF_MAX_REPORT);
        rc = LK_EXIT_FAILED;
        goto cleanup;
    }
    rc = s_write(a.output, text);
    if (rc == 0)
        rc = lk_policy_diff_risks(d) ? LK_EXIT_RISKY : LK_EXIT_OK;

cleanup:
    free(text);
    lk_policy_diff_free(d);
    lk_ir_state_free(ost);
    lk_ir_state_free(nst);
    lk_artifacts_free(&oarts);
    lk_artifacts_free(&narts);
    lk_policy_free(op);
    lk_policy_free(np);
    free(base);
    free(head);
    free(a.old_paths);
    free(a.new_paths);
    return rc;
}
