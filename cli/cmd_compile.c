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

/* One JSON document: {"manifest": {...}, "artifacts": {"<path>": <payload>}}. JSON payloads are
 * embedded as JSON, XML payloads as strings. Streamed: the artifacts are already rendered. */
static void s_print_json(const struct lk_artifacts *a, const char *manifest, FILE *out)
{
    s_print_json_manifest(manifest, out);
    for (size_t i = 0; i < a->n; i++)
        s_print_json_artifact(out, i == 0, a->items[i].path, &a->items[i]);
    fputs("\n}\n}\n", out);
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
    struct lk_artifacts arts;
    lk_artifacts_init(&arts);
    struct lk_ir_state *st = NULL;
    int rc = lk_cli_compile("compile", p, &st, &arts) == 0 ? LK_EXIT_OK : LK_EXIT_POLICY;
    lk_cli_print_diags(p, color, stderr);
    if (rc == LK_EXIT_OK) {
        char *manifest = lk_emit_manifest(st, &arts);
        if (!manifest) {
            fprintf(stderr, "logkeep compile: the manifest would exceed %zu bytes\n",
                    (size_t)LK_BUF_MAX_DOCUMENT);
            rc = LK_EXIT_POLICY;
        } else if (json) {
            s_print_json(&arts, manifest, stdout);
        } else {
            char *last_dir = NULL;
            for (size_t i = 0; i < arts.n && rc == LK_EXIT_OK; i++)
                if (s_write_file(dir, arts.items[i].path, arts.items[i].content, arts.items[i].len,
                                 &last_dir))
                    rc = LK_EXIT_CANTCREAT;
            if (rc == LK_EXIT_OK &&
                s_write_file(dir, "manifest.json", manifest, strlen(manifest), &last_dir))
                rc = LK_EXIT_CANTCREAT;
            free(last_dir);
            if (rc == LK_EXIT_OK)
                fprintf(stderr, "logkeep compile: wrote %zu artifacts and manifest.json to %s\n",
                        arts.n, dir);
        }
        free(manifest);
    }
    if (fflush(stdout) != 0)
        rc = LK_EXIT_CANTCREAT;
    lk_ir_state_free(st);
    lk_artifacts_free(&arts);
    lk_policy_free(p);
    return rc;
}
