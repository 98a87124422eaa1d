/*
 * logkeep compile: write the AWS API payloads a policy means.
 */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "compiler/compile.h"

static void s_usage(FILE *out)
{
    fputs("usage: logkeep compile [options] PATH... (-o DIR | --format json)\n"
          "\n"
          "Validates the policy and writes one file per AWS API payload: S3 lifecycle, bucket\n"
          "policy, versioning, public access block, encryption and Object Lock configuration per\n"
          "bucket; CloudWatch Logs retention per region; CloudTrail trail configuration; and a\n"
          "manifest.json listing each file with its operation, resource and SHA-256. A policy\n"
          "of several accounts writes each account's and Region's files under\n"
          "<account-name>/<region>/, with one manifest.json naming each file's pair.\n"
          "\n"
          "options:\n"
          "  -o, --output DIR      write the artifacts under DIR (created if needed)\n"
          "  -f, --format FORMAT   files (default) or json (everything as one JSON document on\n"
          "                        stdout)\n"
          "      --strict          treat warnings as errors\n"
          "      --color WHEN      auto (default), always or never, for diagnostics\n"
          "  -h, --help            print this help\n"
          "\n"
          "Diagnostics go to stderr.\n"
          "\n"
          "exit status: 0 compiled, 1 policy errors, 64 usage error, 66 a path cannot be read,\n"
          "73 DIR or a file in it cannot be written\n",
          out);
}

/* mkdir -p of the directory part of @p path, skipped when it is the directory of the previous
 * file (artifacts come sorted, so a bucket's files share one check). @return 0, or -1 with errno
 * set. */
static int s_mkdirs(char *path, char **last_dir)
{
    char *slash = strrchr(path, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    bool same = *last_dir && !strcmp(*last_dir, path);
    if (!same) {
        free(*last_dir);
        *last_dir = lk_xstrdup(path);
    }
    *slash = '/';
    if (same)
        return 0;
    for (char *p = path + 1; p <= slash; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int r = mkdir(path, 0777);
        int saved = errno;
        *p = '/';
        if (r != 0 && saved != EEXIST) {
            errno = saved;
            return -1;
        }
    }
    return 0;
}

static int s_write_file(const char *dir, const char *rel, const char *content, size_t len,
                        char **last_dir)
{
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *path = lk_xmalloc(n);
    snprintf(path, n, "%s/%s", dir, rel);
    int rc = -1;
    FILE *f = NULL;
    if (s_mkdirs(path, last_dir) != 0)
        goto cleanup;
    f = fopen(path, "wb");
    if (!f)
        goto cleanup;
    if (fwrite(content, 1, len, f) != len)
        goto cleanup;
    rc = 0;
cleanup:
    if (f && fclose(f) != 0)
        rc = -1;
    if (rc != 0)
        fprintf(stderr, "logkeep compile: cannot write %s: %s\n", path, strerror(errno));
    free(path);
    return rc;
}

/* Writes @p s as a JSON string literal (RFC 8259 §7). */
static void s_json_string(FILE *out, const char *s)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_DOCUMENT);
    lk_json_escape(&b, s);
    fwrite(b.data, 1, b.len, out);
    lk_buf_free(&b);
}

/* One member of the "artifacts" object: the path, then the payload (JSON embedded as JSON, XML
 * as a string). */
static void s_print_json_artifact(FILE *out, bool first, const char *path,
                                  const struct lk_artifact *x)
{
    size_t len = strlen(path);
    fputs(first ? "\n" : ",\n", out);
    s_json_string(out, path);
    fputs(": ", out);
    if (len > 5 && !strcmp(path + len - 5, ".json"))
        fwrite(x->content, 1, x->len && x->content[x->len - 1] == '\n' ? x->len - 1 : x->len, out);
    else
        s_json_string(out, x->content);
}

static void s_print_json_manifest(const char *manifest, FILE *out)
{
    size_t mlen = strlen(manifest);
    fputs("{\n\"manifest\": ", out);
    fwrite(manifest, 1, mlen && manifest[mlen - 1] == '\n' ? mlen - 1 : mlen, out);
    fputs(",\n\"artifacts\": {", out);
}

/* Where lk_compiled_each() hands the artifacts of a single-account policy. */
struct s_out {
    const char *dir; /* -o DIR */
    char *last_dir;  /* s_mkdirs()'s */
    FILE *spill;     /* --format json: the "artifacts" members until the manifest is printed */
    bool first;      /* no member written yet */
};

static int s_put_file(void *ctx, const struct lk_artifact *x)
{
    struct s_out *o = ctx;
    return s_write_file(o->dir, x->path, x->content, x->len, &o->last_dir);
}

static int s_put_json(void *ctx, const struct lk_artifact *x)
{
    struct s_out *o = ctx;
    s_print_json_artifact(o->spill, o->first, x->path, x);
    o->first = false;
    return ferror(o->spill) ? -1 : 0;
}

/* Copies the spilled members to @p out. @return 0, or -1 with errno set. */
static int s_copy_spill(FILE *spill, FILE *out)
{
    if (fflush(spill) != 0 || fseek(spill, 0, SEEK_SET) != 0)
        return -1;
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), spill)) > 0)
        fwrite(chunk, 1, got, out);
    return ferror(spill) ? -1 : 0;
}

/* Removes the files written before an artifact turned out too large: nothing is produced. */
static void s_unwrite(const char *dir, const struct lk_artifacts *arts)
{
    for (size_t i = 0; i < arts->n; i++) {
        size_t n = strlen(dir) + strlen(arts->items[i].path) + 2;
        char *path = lk_xmalloc(n);
        snprintf(path, n, "%s/%s", dir, arts->items[i].path);
        remove(path);
        free(path);
    }
}

/* A policy of several accounts: every pair's artifacts under <account-name>/<region>/, with one
 * manifest (version 2) for all of them. */
static int s_compile_scope(struct lk_policy *p, const char *dir, bool json, const char *color)
{
    struct lk_ir_scope *scope = NULL;
    int crc = lk_compile_scope(p, &scope);
    if (crc == 2)
        fprintf(stderr,
                "logkeep compile: an artifact would exceed %zu bytes; nothing was produced\n",
                (size_t)LK_BUF_MAX_DOCUMENT);
    lk_cli_print_diags(p, color, stderr);
    if (crc != 0)
        return LK_EXIT_POLICY;
    int rc = LK_EXIT_OK;
    struct lk_emit_account *accounts =
        lk_xcalloc(p->scope.n_accounts ? p->scope.n_accounts : 1, sizeof(*accounts));
    for (size_t i = 0; i < p->scope.n_accounts; i++) {
        accounts[i].name =
            p->scope.accounts[i].name ? p->scope.accounts[i].name : p->scope.accounts[i].id;
        accounts[i].id = p->scope.accounts[i].id;
        accounts[i].kind = (int)p->scope.accounts[i].kind;
    }
    char *manifest = lk_emit_scope_manifest(scope, accounts, p->scope.n_accounts);
    free(accounts);
    struct lk_arena tmp;
    lk_arena_init(&tmp);
    struct lk_scope_entry *e;
    size_t n = lk_emit_scope_entries(scope, &tmp, &e);
    if (!manifest) {
        fprintf(stderr, "logkeep compile: the manifest would exceed %zu bytes\n",
                (size_t)LK_BUF_MAX_DOCUMENT);
        rc = LK_EXIT_POLICY;
    } else if (json) {
        s_print_json_manifest(manifest, stdout);
        for (size_t i = 0; i < n; i++)
            s_print_json_artifact(stdout, i == 0, e[i].path, e[i].artifact);
        fputs("\n}\n}\n", stdout);
    } else {
        char *last_dir = NULL;
        for (size_t i = 0; i < n && rc == LK_EXIT_OK; i++)
            if (s_write_file(dir, e[i].path, e[i].artifact->content, e[i].artifact->len, &last_dir))
                rc = LK_EXIT_CANTCREAT;
        if (rc == LK_EXIT_OK &&
            s_write_file(dir, "manifest.json", manifest, strlen(manifest), &last_dir))
            rc = LK_EXIT_CANTCREAT;
        free(last_dir);
        if (rc == LK_EXIT_OK)
            fprintf(stderr,
                    "logkeep compile: wrote %zu artifacts for %zu accounts and Regions and "
                    "manifest.json to %s\n",
                    n, scope->n_pairs, dir);
    }
    free(manifest);
    lk_arena_destroy(&tmp);
    lk_ir_scope_free(scope);
    return rc;
}

int lk_cmd_compile(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"format", required_argument, NULL, 'f'},
        {"strict", no_argument, NULL, 's'},       {"color", required_argument, NULL, 'c'},
        {"colour", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL, *color = "auto";
    bool json = false, strict = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': dir = optarg; break;
        case 'f':
            if (!strcmp(optarg, "json")) {
                json = true;
            } else if (strcmp(optarg, "files") != 0) {
                fprintf(stderr, "logkeep compile: unknown format \"%s\" (files, json)\n", optarg);
                return LK_EXIT_USAGE;
            }
            break;
        case 's': strict = true; break;
        case 'c': color = optarg; break;
        case 'h': s_usage(stdout); return LK_EXIT_OK;
        case ':':
            fprintf(stderr, "logkeep compile: option %s needs a value\n", argv[optind - 1]);
            return LK_EXIT_USAGE;
        default:
            fprintf(stderr, "logkeep compile: unknown option %s\n", argv[optind - 1]);
            s_usage(stderr);
            return LK_EXIT_USAGE;
        }
    }
    if (optind >= argc || (!dir && !json)) {
        fputs(optind >= argc ? "logkeep compile: no policy given\n"
                             : "logkeep compile: give an output directory with -o DIR, or "
                               "--format json\n",
              stderr);
        s_usage(stderr);
        return LK_EXIT_USAGE;
    }
    struct lk_policy *p = lk_cli_load_policy("compile", argc - optind, argv + optind);
    if (!p)
        return LK_EXIT_NOINPUT;
    if (strict)
        lk_diags_promote_warnings(&p->diags);
    if (p->scope.multi) {
        int rc = s_compile_scope(p, dir, json, color);
        if (fflush(stdout) != 0)
            rc = LK_EXIT_CANTCREAT;
        lk_policy_free(p);
        return rc;
    }
    /* The artifacts come one at a time (lk_compiled_each()) and each is released once written,
     * so their text is never all in memory. */
    struct lk_compiled comp;
    int crc = lk_compile_plan(p, &comp);
    if (crc == 2)
        fprintf(stderr,
                "logkeep compile: an artifact would exceed %zu bytes; nothing was produced\n",
                (size_t)LK_BUF_MAX_DOCUMENT);
    int rc = crc == 0 ? LK_EXIT_OK : LK_EXIT_POLICY;
    if (rc != LK_EXIT_OK)
        lk_cli_print_diags(p, color, stderr);
    struct lk_artifacts arts;
    lk_artifacts_init(&arts);
    if (rc == LK_EXIT_OK) {
        struct s_out o = {dir, NULL, NULL, true};
        /* JSON: the manifest comes first and needs every artifact's SHA-256, so the members go
         * to a temporary file (in memory only when none can be made) until it is printed. */
        char *spill_mem = NULL;
        size_t spill_len = 0;
        bool in_mem = false;
        if (json && !(o.spill = tmpfile())) {
            o.spill = open_memstream(&spill_mem, &spill_len);
            in_mem = true;
        }
        int erc = json && !o.spill
                      ? 3
                      : lk_compiled_each(&comp, &arts, json ? s_put_json : s_put_file, &o);
        char *manifest = erc == 0 ? lk_compiled_manifest(&comp, &arts) : NULL;
        /* After the artifacts: a bucket policy over S3's limit may only show when emitted. */
        lk_cli_print_diags(p, color, stderr);
        if (erc == 1) {
            if (!json)
                s_unwrite(dir, &arts);
            rc = LK_EXIT_POLICY;
        } else if (erc == 2) {
            fprintf(stderr,
                    "logkeep compile: an artifact would exceed %zu bytes; nothing was produced\n",
                    (size_t)LK_BUF_MAX_DOCUMENT);
            if (!json)
                s_unwrite(dir, &arts);
            rc = LK_EXIT_POLICY;
        } else if (erc != 0) {
            if (json)
                fprintf(stderr, "logkeep compile: cannot buffer the artifacts: %s\n",
                        strerror(errno));
            rc = LK_EXIT_CANTCREAT;
        } else if (!manifest) {
            fprintf(stderr, "logkeep compile: the manifest would exceed %zu bytes\n",
                    (size_t)LK_BUF_MAX_DOCUMENT);
            rc = LK_EXIT_POLICY;
        } else if (json) {
            s_print_json_manifest(manifest, stdout);
            if (in_mem
                    ? fflush(o.spill) != 0 || fwrite(spill_mem, 1, spill_len, stdout) != spill_len
                    : s_copy_spill(o.spill, stdout) != 0) {
                fprintf(stderr, "logkeep compile: cannot read the artifacts back: %s\n",
                        strerror(errno));
                rc = LK_EXIT_CANTCREAT;
            }
            fputs("\n}\n}\n", stdout);
        } else {
            if (s_write_file(dir, "manifest.json", manifest, strlen(manifest), &o.last_dir))
                rc = LK_EXIT_CANTCREAT;
            if (rc == LK_EXIT_OK)
                fprintf(stderr, "logkeep compile: wrote %zu artifacts and manifest.json to %s\n",
                        arts.n, dir);
        }
        free(manifest);
        free(o.last_dir);
        if (o.spill)
            fclose(o.spill); /* a memory stream sets spill_mem here */
        free(spill_mem);
    }
    if (fflush(stdout) != 0)
        rc = LK_EXIT_CANTCREAT;
    lk_compiled_free(&comp);
    lk_artifacts_free(&arts);
    lk_policy_free(p);
    return rc;
}
