/*
 * logkeep plan, apply and drift (see cmd_plan.h). One pipeline: compile the policy into the
 * desired state, read the live state (runtime/live.h), diff (runtime/diff.h); then print
 * (plan, drift) or guard, confirm and apply (runtime/apply.h).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/apply.h"
#include "runtime/transport/client.h"
#include "cli/cli.h"
#include "cli/cmd_plan.h"
#include "compiler/compile.h"
#include "runtime/diff.h"
#include "runtime/live.h"
#include "compiler/policy.h"
#include "runtime/report.h"
#include "runtime/state_json.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <time.h>

/* Exit status of an AWS error, a refusal or a failed apply (cli.h has 0 and 2). */
#define S_EXIT_FAILED 1
/* drift: differences found (terraform plan -detailed-exitcode's 2). */
#define S_EXIT_DRIFT 2

/* The "format" and "version" members of a plan file (plan --out). */
#define S_PLAN_FORMAT "logkeep-plan"
#define S_PLAN_VERSION 1
/* Largest plan file read: it holds a live state document (LK_STATE_JSON_MAX_BYTES) besides the
 * diff and the calls, which are smaller than the state they come from. */
#define S_PLAN_MAX_BYTES (2 * LK_STATE_JSON_MAX_BYTES)
/* Differences named when apply refuses a stale plan; the rest are counted. */
#define S_MAX_NAMED 20

enum s_mode { S_PLAN, S_APPLY, S_DRIFT, S_SNAPSHOT };

struct s_args {
    enum s_mode mode;
    const char *cmd;
    const char *region, *endpoint_url, *profile, *color, *format;
    const char *state_file;  /* plan, drift: --state FILE, offline */
    const char *output_file; /* snapshot: -o FILE */
    const char *plan_out;    /* plan: --out FILE */
    bool debug, auto_approve;
    const char **allow; /* owned array of borrowed argv strings */
    size_t n_allow;
};

static void s_usage(const struct s_args *a, FILE *out)
{
    fprintf(out, "usage: logkeep %s %s ", a->cmd,
            a->mode == S_APPLY ? "POLICY...|PLAN.json" : "POLICY...");
    if (a->mode == S_APPLY)
        fputs("[--auto-approve] [--allow NAME]... ", out);
    if (a->mode == S_PLAN)
        fputs("[--out PLAN.json] ", out);
    if (a->mode == S_DRIFT)
        fputs("[--format text|json|markdown|junit|sarif] ", out);
    if (a->mode == S_PLAN || a->mode == S_DRIFT)
        fputs("[--state FILE] ", out);
    if (a->mode == S_SNAPSHOT)
        fputs("-o FILE ", out);
    fputs("[--region REGION] [--endpoint-url URL]\n"
          "       [--profile NAME] [--debug] [--color auto|always|never]\n\n",
          out);
    if (a->mode == S_PLAN)
        fputs("Prints the changes `logkeep apply` would make to live AWS state.\n"
              "Exit status: 0 success (with or without changes), 1 policy or AWS error, 2 usage.\n",
              out);
    else if (a->mode == S_APPLY)
        fputs("Changes live AWS state to match the policy, after a confirmation on the terminal.\n"
              "  --auto-approve  apply without asking (needed when stdin is not a terminal)\n"
              "  --allow NAME    allow one change that can lose logs (plan prints the names)\n"
              "  PLAN.json       a plan saved by `logkeep plan --out`: applies exactly its calls,\n"
              "                  without asking (the saved plan is the approval, as with\n"
              "                  terraform); refuses, changing nothing, when the policy or the\n"
              "                  live state changed since the plan was made. --allow still\n"
              "                  applies.\n"
              "Exit status: 0 applied or nothing to do, 1 refused or failed, 2 usage.\n",
              out);
    else if (a->mode == S_DRIFT)
        fputs("Reports where live AWS state differs from the policy, and the log groups and the\n"
              "buckets receiving logs (trails' buckets) that the policy does not govern.\n"
              "  --format F     text (default), json, markdown (GitHub step summary, PR comment),\n"
              "                 junit or sarif\n"
              "  --state FILE   compare with a snapshot (logkeep snapshot) instead of AWS: no\n"
              "                 credentials needed\n"
              "Exit status: 0 in sync, 2 drift found, 1 policy or AWS error.\n",
              out);
    else
        fputs("Reads the live state of everything the policy governs (and every log group of the\n"
              "region, every trail's bucket outside the policy) and writes it as JSON, for\n"
              "drift --state and plan --state offline.\n"
              "  -o FILE        where to write it (\"-\" for stdout)\n"
              "Exit status: 0 written, 1 policy or AWS error, 2 usage.\n",
              out);
    if (a->mode == S_PLAN)
        fputs("  --state FILE   compare with a snapshot instead of AWS: no credentials needed\n"
              "  --out FILE     also save the plan (JSON): `logkeep apply FILE` applies exactly\n"
              "                 these calls, and refuses if the policy or live state changed\n",
              out);
}

/* Terminal progress of the live read, on stderr. */
static void s_progress(void *ctx, size_t done, size_t total)
{
    (void)ctx;
    if (done >= total)
        fputs("\r\033[K", stderr);
    else
        fprintf(stderr, "\rreading live state: %zu/%zu", done, total);
    fflush(stderr);
}

static void s_on_step(void *ctx, const struct lk_apply_step *s)
{
    (void)ctx;
    if (s->status == LK_APPLY_DONE) {
        printf("  done  %s %s\n", lk_apply_op_name(s->op), s->name);
        fflush(stdout);
    }
}

/* @return 0 to go on, or an exit status. */
static int s_parse(struct s_args *a, int argc, char **argv)
{
    /* clang-format off */
    static const struct option s_options[] = {
        {"region", required_argument, NULL, 'r'},
        {"endpoint-url", required_argument, NULL, 'e'},
        {"profile", required_argument, NULL, 'p'},
        {"debug", no_argument, NULL, 'd'},
        {"color", required_argument, NULL, 'c'},
        {"auto-approve", no_argument, NULL, 'y'},
        {"allow", required_argument, NULL, 'a'},
        {"format", required_argument, NULL, 'f'},
        {"state", required_argument, NULL, 's'},
        {"output", required_argument, NULL, 'o'},
        /* An exact match wins over the abbreviation of --output. */
        {"out", required_argument, NULL, 'O'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    /* clang-format on */
    optind = 1;
    opterr = 0;
    for (;;) {
        int opt = getopt_long(argc, argv, "ho:", s_options, NULL);
        if (opt == -1)
            break;
        switch (opt) {
        case 'r': a->region = optarg; break;
        case 'e': a->endpoint_url = optarg; break;
        case 'p': a->profile = optarg; break;
        case 'd': a->debug = true; break;
        case 'c':
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
                fprintf(stderr, "logkeep %s: --color takes auto, always or never\n", a->cmd);
                return LK_EXIT_USAGE;
            }
            a->color = optarg;
            break;
        case 'y':
            if (a->mode != S_APPLY)
                goto bad;
            a->auto_approve = true;
            break;
        case 'a':
            if (a->mode != S_APPLY)
                goto bad;
            a->allow = lk_xrealloc(a->allow, (a->n_allow + 1) * sizeof(*a->allow));
            a->allow[a->n_allow++] = optarg;
            break;
        case 'f':
            if (a->mode != S_DRIFT)
                goto bad;
            enum lk_report_format fmt;
            if (!lk_report_format_parse(optarg, &fmt)) {
                fprintf(stderr,
                        "logkeep %s: --format takes text, json, markdown, junit or sarif\n",
                        a->cmd);
                return LK_EXIT_USAGE;
            }
            a->format = optarg;
            break;
        case 's':
            if (a->mode != S_PLAN && a->mode != S_DRIFT)
                goto bad;
            a->state_file = optarg;
            break;
        case 'o':
            if (a->mode != S_SNAPSHOT)
                goto bad;
            a->output_file = optarg;
            break;
        case 'O':
            if (a->mode != S_PLAN)
                goto bad;
            a->plan_out = optarg;
            break;
        case 'h':
            s_usage(a, stdout);
            return -1;
        default:
        bad:
            fprintf(stderr, "logkeep %s: unknown option or missing value: %s\n", a->cmd,
                    argv[optind - 1]);
            s_usage(a, stderr);
            return LK_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "logkeep %s: no policy given\n", a->cmd);
        s_usage(a, stderr);
        return LK_EXIT_USAGE;
    }
    if (a->plan_out && a->state_file) {
        /* apply compares the live state it reads with the one the plan was made from. */
        fprintf(stderr, "logkeep plan: --out needs the live state read from AWS, not --state\n");
        return LK_EXIT_USAGE;
    }
    if (a->plan_out &&
        (!strcmp(a->plan_out, "-") || (argc - optind == 1 && !strcmp(argv[optind], "-")))) {
        /* apply reads the policy again from the paths the plan names. */
        fprintf(stderr, "logkeep plan: --out needs a file name and policy files, not stdin\n");
        return LK_EXIT_USAGE;
    }
    if (a->mode == S_SNAPSHOT && !a->output_file) {
        fprintf(stderr, "logkeep snapshot: give the output file with -o FILE\n");
        s_usage(a, stderr);
        return LK_EXIT_USAGE;
    }
    return 0;
}

static int s_read_file(const char *cmd, const char *path, size_t max, const char *what,
                       struct lk_buf *b);

/* Reads a snapshot written by `logkeep snapshot`. @return the state, or NULL after a message. */
static struct lk_ir_state *s_load_state(const char *cmd, const char *path)
{
    struct lk_buf b;
    lk_buf_init(&b);
    struct lk_ir_state *st = NULL;
    struct lk_error err = {0};
    if (s_read_file(cmd, path, LK_STATE_JSON_MAX_BYTES, "state file", &b) == 0 &&
        lk_ir_state_from_json(b.data ? b.data : "", b.len, &st, &err) != LK_STATUS_OK)
        fprintf(stderr, "logkeep %s: %s: %s\n", cmd, path, err.message);
    lk_buf_free(&b);
    return st;
}

/* Writes the snapshot to @p path ("-" = stdout). @return 0, or -1 after a message. */
static int s_write_state(const char *path, const struct lk_ir_state *live)
{
    char *json = lk_ir_state_to_json(live);
    FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    int rc = -1;
    if (!f) {
        fprintf(stderr, "logkeep snapshot: cannot write %s: %s\n", path, strerror(errno));
        goto cleanup;
    }
    if (fputs(json, f) < 0 || (f != stdout && fclose(f) != 0) || (f == stdout && fflush(f))) {
        fprintf(stderr, "logkeep snapshot: cannot write %s: %s\n", path, strerror(errno));
        goto cleanup;
    }
    rc = 0;
cleanup:
    free(json);
    return rc;
}

/* Reads the whole of @p path into @p b (NUL-terminated, the NUL not counted), at most @p max
 * bytes. @return 0, or -1 after a message. */
static int s_read_file(const char *cmd, const char *path, size_t max, const char *what,
                       struct lk_buf *b)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "logkeep %s: %s: %s\n", cmd, path, strerror(errno));
        return -1;
    }
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (b->len + got > max) {
            fprintf(stderr, "logkeep %s: %s: larger than a %s can be\n", cmd, path, what);
            fclose(f);
            return -1;
        }
        lk_buf_append(b, chunk, got);
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        fprintf(stderr, "logkeep %s: %s: read error\n", cmd, path);
        return -1;
    }
    lk_buf_putc(b, '\0');
    b->len--;
    return 0;
}

static void s_sha256_hex(const char *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned md_len = 0;
    if (!EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) || md_len != 32) {
        fputs("logkeep: SHA-256 failed\n", stderr);
        abort();
    }
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* @return the SHA-256 (hex) of the state document of @p st, the fingerprint a plan keeps. */
static void s_state_sha256(const struct lk_ir_state *st, char out[65], char **json_out)
{
    char *json = lk_ir_state_to_json(st);
    s_sha256_hex(json, strlen(json), out);
    if (json_out)
        *json_out = json;
    else
        free(json);
}

static cJSON *s_json_check(cJSON *item)
{
    if (!item) {
        fputs("logkeep: out of memory\n", stderr);
        abort();
    }
    return item;
}

static cJSON *s_json_parse_or_die(const char *json)
{
    return s_json_check(cJSON_Parse(json));
}

/* The calls of @p plan as [{"operation", "name", "region"}], in execution order. */
static cJSON *s_calls_json(const struct lk_apply_plan *plan)
{
    cJSON *calls = s_json_check(cJSON_CreateArray());
    for (size_t i = 0; i < plan->n; i++) {
        const struct lk_apply_step *st = &plan->steps[i];
        cJSON *c = s_json_check(cJSON_CreateObject());
        cJSON_AddItemToArray(calls, c);
        s_json_check(cJSON_AddStringToObject(c, "operation", lk_apply_op_name(st->op)));
        s_json_check(cJSON_AddStringToObject(c, "name", st->name ? st->name : ""));
        if (st->region)
            s_json_check(cJSON_AddStringToObject(c, "region", st->region));
        else
            s_json_check(cJSON_AddNullToObject(c, "region"));
    }
    return calls;
}

/* The allow names @p diff needs, each once, in the order of the diff. */
static cJSON *s_allow_json(const struct lk_diff *diff)
{
    cJSON *allow = s_json_check(cJSON_CreateArray());
    for (size_t i = 0; i < diff->n; i++) {
        const char *name = diff->changes[i].allow_name;
        if (!diff->changes[i].data_loss || !name)
            continue;
        bool seen = false;
        const cJSON *x;
        cJSON_ArrayForEach(x, allow) seen = seen || !strcmp(x->valuestring, name);
        if (!seen)
            cJSON_AddItemToArray(allow, s_json_check(cJSON_CreateString(name)));
    }
    return allow;
}

/**
 * The plan file: what apply needs to rebuild the payloads (the policy paths), to check that
 * nothing moved since (the desired state's and every artifact's SHA-256, the live state and its
 * fingerprint), and what it will do (the diff, the calls, the allow names).
 * @return a heap string (free()).
 */
static char *s_plan_file_json(char **paths, size_t n_paths, const struct lk_ir_state *desired,
                              const struct lk_artifacts *arts, const char *desired_sha256,
                              const char *live_json, const char *live_sha256,
                              const struct lk_diff *diff, const struct lk_apply_plan *plan)
{
    cJSON *root = s_json_check(cJSON_CreateObject());
    s_json_check(cJSON_AddStringToObject(root, "format", S_PLAN_FORMAT));
    s_json_check(cJSON_AddNumberToObject(root, "version", S_PLAN_VERSION));
    s_json_check(cJSON_AddStringToObject(root, "logkeep_version", PACKAGE_VERSION));
    s_json_check(
        cJSON_AddStringToObject(root, "account", desired->account ? desired->account : ""));
    s_json_check(cJSON_AddStringToObject(root, "region", desired->region ? desired->region : ""));
    cJSON *jp = s_json_check(cJSON_AddArrayToObject(root, "policy_paths"));
    for (size_t i = 0; i < n_paths; i++) {
        /* Absolute, so apply finds the policy from any directory. */
        char cwd[4096];
        struct lk_buf abs;
        lk_buf_init(&abs);
        if (paths[i][0] != '/' && getcwd(cwd, sizeof(cwd)))
            lk_buf_printf(&abs, "%s/", cwd);
        lk_buf_puts(&abs, paths[i]);
        lk_buf_putc(&abs, '\0');
        cJSON_AddItemToArray(jp, s_json_check(cJSON_CreateString(abs.data)));
        lk_buf_free(&abs);
    }
    s_json_check(cJSON_AddStringToObject(root, "desired_sha256", desired_sha256));
    cJSON *ja = s_json_check(cJSON_AddArrayToObject(root, "artifacts"));
    for (size_t i = 0; i < arts->n; i++) {
        cJSON *x = s_json_check(cJSON_CreateObject());
        cJSON_AddItemToArray(ja, x);
        s_json_check(cJSON_AddStringToObject(x, "path", arts->items[i].path));
        s_json_check(cJSON_AddStringToObject(x, "sha256", arts->items[i].sha256));
    }
    s_json_check(cJSON_AddStringToObject(root, "live_sha256", live_sha256));
    cJSON_AddItemToObject(root, "allow", s_allow_json(diff));
    cJSON_AddItemToObject(root, "calls", s_calls_json(plan));
    char *dj = lk_diff_to_json(diff);
    cJSON_AddItemToObject(root, "diff", s_json_parse_or_die(dj));
    free(dj);
    cJSON_AddItemToObject(root, "live_state", s_json_parse_or_die(live_json));

    struct lk_arena arena;
    lk_arena_init(&arena);
    const char *text = lk_json_print(root, &arena);
    char *out = text ? lk_xstrdup(text) : NULL; /* NULL past LK_BUF_MAX_DOCUMENT */
    lk_arena_destroy(&arena);
    cJSON_Delete(root);
    return out;
}

/* Writes @p text to @p path atomically: a temporary file in the same directory, then rename(),
 * so a reader never sees half a plan. @return 0, or -1 after a message. */
static int s_write_atomic(const char *cmd, const char *path, const char *text)
{
    size_t n = strlen(path);
    char *tmp = lk_xmalloc(n + sizeof(".tmp.XXXXXX"));
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "logkeep %s: cannot write %s: %s\n", cmd, path, strerror(errno));
        free(tmp);
        return -1;
    }
    /* mkstemp makes 0600; a plan is as readable as any file the user writes. */
    mode_t mask = umask(0);
    umask(mask);
    bool ok = fchmod(fd, 0666 & ~mask) == 0;
    size_t len = strlen(text), done = 0;
    while (ok && done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        if (ok)
            done += (size_t)w;
    }
    ok = ok && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    ok = ok && rename(tmp, path) == 0;
    if (!ok) {
        fprintf(stderr, "logkeep %s: cannot write %s: %s\n", cmd, path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return ok ? 0 : -1;
}

/* A plan file read back: every pointer borrows from @c root. */
struct s_saved_plan {
    cJSON *root; /* owned */
    const char *path;
    const char *desired_sha256, *live_sha256;
    const cJSON *artifacts, *calls, *diff, *live_state;
    char **paths; /* owned array; the strings are borrowed from root */
    size_t n_paths;
};

static void s_saved_plan_free(struct s_saved_plan *sp)
{
    cJSON_Delete(sp->root);
    free(sp->paths);
    memset(sp, 0, sizeof(*sp));
}

static bool s_is_sha256(const cJSON *x)
{
    if (!cJSON_IsString(x) || strlen(x->valuestring) != 64)
        return false;
    return strspn(x->valuestring, "0123456789abcdef") == 64;
}

static bool s_is_string_array(const cJSON *x)
{
    if (!cJSON_IsArray(x))
        return false;
    const cJSON *e;
    cJSON_ArrayForEach(e, x) if (!cJSON_IsString(e)) return false;
    return true;
}

/* Checks the members of a plan document. @return NULL, or what is wrong. */
static const char *s_saved_plan_check(struct s_saved_plan *sp)
{
    const cJSON *r = sp->root;
#define S_GET(k) cJSON_GetObjectItemCaseSensitive(r, k)
    const cJSON *v = S_GET("version");
    if (!cJSON_IsNumber(v))
        return "\"version\": expected a number";
    if (v->valuedouble != S_PLAN_VERSION)
        return "a plan version this logkeep cannot read (it reads version 1)";
    if (!cJSON_IsString(S_GET("account")) || !cJSON_IsString(S_GET("region")))
        return "\"account\" and \"region\": expected strings";
    const cJSON *paths = S_GET("policy_paths");
    if (!s_is_string_array(paths) || cJSON_GetArraySize(paths) == 0)
        return "\"policy_paths\": expected a non-empty array of strings";
    if (!s_is_sha256(S_GET("desired_sha256")))
        return "\"desired_sha256\": expected 64 lowercase hex digits";
    if (!s_is_sha256(S_GET("live_sha256")))
        return "\"live_sha256\": expected 64 lowercase hex digits";
    const cJSON *arts = S_GET("artifacts"), *e;
    if (!cJSON_IsArray(arts))
        return "\"artifacts\": expected an array";
    cJSON_ArrayForEach(e, arts)
    {
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "path")) ||
            !s_is_sha256(cJSON_GetObjectItemCaseSensitive(e, "sha256")))
            return "\"artifacts\": expected {\"path\", \"sha256\"} objects";
    }
    const cJSON *calls = S_GET("calls");
    if (!cJSON_IsArray(calls))
        return "\"calls\": expected an array";
    cJSON_ArrayForEach(e, calls)
    {
        const cJSON *reg = cJSON_GetObjectItemCaseSensitive(e, "region");
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "operation")) ||
            !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "name")) ||
            !(cJSON_IsString(reg) || cJSON_IsNull(reg)))
            return "\"calls\": expected {\"operation\", \"name\", \"region\"} objects";
    }
    if (!s_is_string_array(S_GET("allow")))
        return "\"allow\": expected an array of strings";
    if (!cJSON_IsObject(S_GET("diff")))
        return "\"diff\": expected an object";
    if (!cJSON_IsObject(S_GET("live_state")))
        return "\"live_state\": expected an object";
    sp->desired_sha256 = S_GET("desired_sha256")->valuestring;
    sp->live_sha256 = S_GET("live_sha256")->valuestring;
    sp->artifacts = arts;
    sp->calls = calls;
    sp->diff = S_GET("diff");
    sp->live_state = S_GET("live_state");
    sp->n_paths = (size_t)cJSON_GetArraySize(paths);
    sp->paths = lk_xcalloc(sp->n_paths + 1, sizeof(*sp->paths));
    size_t i = 0;
    cJSON_ArrayForEach(e, paths) sp->paths[i++] = e->valuestring;
#undef S_GET
    return NULL;
}

/**
 * Tells a plan file from a policy by its content: a JSON object whose "format" is
 * "logkeep-plan". Only a regular file named *.json is looked at.
 * @return 1 a plan, loaded into @p sp; 0 not a plan (read it as a policy); -1 after a message
 *         (a plan file that is damaged, or another logkeep document).
 */
static int s_saved_plan_open(const char *cmd, const char *path, struct s_saved_plan *sp)
{
    memset(sp, 0, sizeof(*sp));
    size_t n = strlen(path);
    struct stat st;
    if (n < 5 || strcmp(path + n - 5, ".json") || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    struct lk_buf b;
    lk_buf_init(&b);
    int rc = -1;
    if (s_read_file(cmd, path, S_PLAN_MAX_BYTES, "plan file", &b) != 0)
        goto cleanup;
    const char *text = b.data ? b.data : "";
    sp->root = cJSON_ParseWithLength(text, b.len);
    if (!sp->root) {
        if (!strstr(text, "\"" S_PLAN_FORMAT "\"")) {
            rc = 0; /* not JSON: a policy, maybe */
            goto cleanup;
        }
        const char *at = cJSON_GetErrorPtr();
        size_t off = at && at >= text && at <= text + b.len ? (size_t)(at - text) : 0;
        fprintf(stderr,
                "logkeep %s: %s: not a valid plan file: JSON syntax error at byte %zu (damaged "
                "or cut short); run plan --out again\n",
                cmd, path, off);
        goto cleanup;
    }
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(sp->root, "format");
    if (!cJSON_IsObject(sp->root) || !format) {
        rc = 0;
        goto cleanup;
    }
    if (!cJSON_IsString(format) || strcmp(format->valuestring, S_PLAN_FORMAT)) {
        fprintf(stderr, "logkeep %s: %s: not a plan file (\"format\" is %s, not \"%s\")\n", cmd,
                path, cJSON_IsString(format) ? format->valuestring : "not a string",
                S_PLAN_FORMAT);
        goto cleanup;
    }
    const char *why = s_saved_plan_check(sp);
    if (why) {
        fprintf(stderr, "logkeep %s: %s: not a valid plan file: %s\n", cmd, path, why);
        goto cleanup;
    }
    sp->path = path;
    rc = 1;
cleanup:
    if (rc != 1)
        s_saved_plan_free(sp);
    lk_buf_free(&b);
    return rc;
}

/* The label of an array element: its "name" (with its "region"), "id" or "sid", or "#i". */
static void s_elem_label(const cJSON *e, int i, char *out, size_t len)
{
    static const char *const keys[] = {"name", "id", "sid"};
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, keys[k]);
        if (cJSON_IsString(v)) {
            const cJSON *reg = cJSON_GetObjectItemCaseSensitive(e, "region");
            if (cJSON_IsString(reg))
                snprintf(out, len, "%s %s", reg->valuestring, v->valuestring);
            else
                snprintf(out, len, "%s", v->valuestring);
            return;
        }
    }
    snprintf(out, len, "#%d", i);
}

static void s_print_value(const cJSON *v, FILE *f)
{
    if (!v) {
        fputs("(absent)", f);
        return;
    }
    char *s = cJSON_PrintUnformatted(v);
    if (!s) {
        fputs("?", f);
        return;
    }
    if (strlen(s) > 120)
        fprintf(f, "%.117s...", s);
    else
        fputs(s, f);
    cJSON_free(s);
}

/* Writes "  PATH: OLD -> NEW" for each leaf where two state documents differ; array elements
 * are matched by their label, so a reordering is no difference. */
static void s_json_changes(const cJSON *old, const cJSON *now, const char *path, FILE *f,
                           size_t *count)
{
    if (old && now && cJSON_Compare(old, now, true))
        return;
    char sub[1024];
    if (cJSON_IsObject(old) && cJSON_IsObject(now)) {
        const cJSON *x;
        cJSON_ArrayForEach(x, old)
        {
            snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", x->string);
            s_json_changes(x, cJSON_GetObjectItemCaseSensitive(now, x->string), sub, f, count);
        }
        cJSON_ArrayForEach(x, now)
        {
            if (cJSON_GetObjectItemCaseSensitive(old, x->string))
                continue;
            snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", x->string);
            s_json_changes(NULL, x, sub, f, count);
        }
        return;
    }
    if (cJSON_IsArray(old) && cJSON_IsArray(now)) {
        int n_old = cJSON_GetArraySize(old), n_now = cJSON_GetArraySize(now);
        bool *used = lk_xcalloc((size_t)n_now + 1, sizeof(*used));
        char la[512], lb[512];
        for (int i = 0; i < n_old; i++) {
            const cJSON *a = cJSON_GetArrayItem(old, i), *match = NULL;
            s_elem_label(a, i, la, sizeof(la));
            for (int j = 0; j < n_now && !match; j++) {
                const cJSON *b = cJSON_GetArrayItem(now, j);
                s_elem_label(b, j, lb, sizeof(lb));
                if (!used[j] && !strcmp(la, lb)) {
                    used[j] = true;
                    match = b;
                }
            }
            snprintf(sub, sizeof(sub), "%s[%s]", path, la);
            s_json_changes(a, match, sub, f, count);
        }
        for (int j = 0; j < n_now; j++) {
            if (used[j])
                continue;
            const cJSON *b = cJSON_GetArrayItem(now, j);
            s_elem_label(b, j, lb, sizeof(lb));
            snprintf(sub, sizeof(sub), "%s[%s]", path, lb);
            s_json_changes(NULL, b, sub, f, count);
        }
        free(used);
        return;
    }
    if ((*count)++ >= S_MAX_NAMED)
        return;
    fprintf(f, "  %s: ", path);
    s_print_value(old, f);
    fputs(" -> ", f);
    s_print_value(now, f);
    fputc('\n', f);
}

/* Names the artifacts whose payload differs from the plan's (or that one side lacks).
 * @return how many. */
static size_t s_artifact_changes(const cJSON *planned, const struct lk_artifacts *arts, FILE *f)
{
    size_t n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, planned)
    {
        const char *path = cJSON_GetObjectItemCaseSensitive(e, "path")->valuestring;
        const char *sha = cJSON_GetObjectItemCaseSensitive(e, "sha256")->valuestring;
        const struct lk_artifact *x = lk_artifacts_find(arts, path);
        if (x && !strcmp(x->sha256, sha))
            continue;
        if (n++ < S_MAX_NAMED)
            fprintf(f, "  %s: %s\n", path, x ? "payload differs" : "no longer produced");
    }
    for (size_t i = 0; i < arts->n; i++) {
        bool found = false;
        cJSON_ArrayForEach(e, planned) found =
            found || !strcmp(cJSON_GetObjectItemCaseSensitive(e, "path")->valuestring,
                             arts->items[i].path);
        if (!found && n++ < S_MAX_NAMED)
            fprintf(f, "  %s: new payload\n", arts->items[i].path);
    }
    if (n > S_MAX_NAMED)
        fprintf(f, "  ... and %zu more\n", n - S_MAX_NAMED);
    return n;
}

static bool s_confirm(void)
{
    fputs("\nApply these changes? (yes/no) ", stdout);
    fflush(stdout);
    char line[64];
    if (!fgets(line, sizeof(line), stdin))
        return false;
    line[strcspn(line, "\r\n")] = '\0';
    return !strcmp(line, "yes");
}

static int s_run(struct s_args *a, int argc, char **argv)
{
    int rc = s_parse(a, argc, argv);
    if (rc != 0)
        return rc < 0 ? LK_EXIT_OK : rc;

    rc = S_EXIT_FAILED;
    struct lk_policy *p = NULL;
    struct lk_ir_state *desired = NULL, *live = NULL;
    struct lk_artifacts arts;
    struct lk_aws_client client;
    bool have_client = false;
    struct lk_aws_error err;
    struct lk_live_report report;
    struct lk_diff diff;
    struct lk_apply_plan plan;
    struct lk_diff_unmodelled *um = NULL;
    char *json = NULL;
    char *live_json = NULL;
    char text[2048];
    char desired_sha256[65] = "", live_sha256[65] = "";
    struct s_saved_plan saved;
    memset(&saved, 0, sizeof(saved));
    int n_policy = argc - optind;
    char **policy_paths = argv + optind;

    lk_artifacts_init(&arts);
    memset(&client, 0, sizeof(client));
    memset(&err, 0, sizeof(err));
    memset(&report, 0, sizeof(report));
    lk_diff_init(&diff);
    lk_apply_plan_init(&plan);

    if (a->mode == S_APPLY && n_policy == 1) {
        int k = s_saved_plan_open(a->cmd, policy_paths[0], &saved);
        if (k < 0)
            goto cleanup;
        if (k > 0) {
            /* The payloads are rebuilt from the policy the plan was made from. */
            policy_paths = saved.paths;
            n_policy = (int)saved.n_paths;
        }
    }

    p = lk_cli_load_policy(a->cmd, n_policy, policy_paths);
    if (!p) {
        rc = LK_EXIT_USAGE;
        goto cleanup;
    }
    /* drift and snapshot compare states: the payloads are not needed. */
    bool states_only = a->mode == S_DRIFT || a->mode == S_SNAPSHOT;
    if ((states_only ? lk_compile_state(p, &desired) : lk_compile(p, &desired, &arts)) != 0) {
        lk_cli_print_diags(p, a->color, stderr);
        fprintf(stderr, "logkeep %s: the policy has errors; nothing was read or changed\n",
                a->cmd);
        goto cleanup;
    }
    if (p->diags.n_errors || p->diags.n_warnings)
        lk_cli_print_diags(p, a->color, stderr);
    if (saved.root || a->plan_out)
        s_state_sha256(desired, desired_sha256, NULL);
    if (saved.root && strcmp(desired_sha256, saved.desired_sha256) != 0) {
        fprintf(stderr,
                "logkeep apply: refusing: the policy changed since the plan was made (%s); run "
                "plan again. Nothing was read or changed.\n",
                saved.path);
        if (s_artifact_changes(saved.artifacts, &arts, stderr) == 0)
            fputs("  the desired state differs, though no payload does\n", stderr);
        goto cleanup;
    }
    if (saved.root && s_artifact_changes(saved.artifacts, &arts, NULL) != 0) {
        /* Same desired state, other payloads: another logkeep version, say. */
        fprintf(stderr, "logkeep apply: refusing: the payloads differ from the plan's (%s); run "
                        "plan again. Nothing was read or changed.\n",
                saved.path);
        s_artifact_changes(saved.artifacts, &arts, stderr);
        goto cleanup;
    }

    if (a->state_file) {
        /* Offline: the live state comes from a snapshot; no credentials, no requests. */
        live = s_load_state(a->cmd, a->state_file);
        if (!live)
            goto cleanup;
        if (!live->account || !desired->account || strcmp(live->account, desired->account)) {
            fprintf(stderr, "logkeep %s: %s is a snapshot of account %s, but the policy is for "
                            "account %s\n",
                    a->cmd, a->state_file, live->account ? live->account : "?",
                    desired->account ? desired->account : "?");
            goto cleanup;
        }
        lk_ir_canonicalize(live);
        goto diff;
    }

    /* The client, built as `logkeep whoami` builds it; the policy's region is the fallback. */
    struct lk_aws_config_options copts = {
        .region = a->region,
        .endpoint_url = a->endpoint_url,
        .profile = a->profile,
        .fallback_region = desired->region,
        .debug = a->debug ? stderr : NULL,
    };
    if (lk_live_client_new(&copts, &client, &err) != 0) {
        lk_aws_error_format(&err, text, sizeof(text));
        fprintf(stderr, "logkeep %s: %s\n", a->cmd, text);
        goto cleanup;
    }
    have_client = true;

    live = lk_ir_state_new();
    struct lk_live_options lopts = {
        /* plan and apply list every log group too when the policy's unmanaged rule sets their
         * retention. */
        .discover_unmanaged = a->mode == S_DRIFT || a->mode == S_SNAPSHOT || desired->unmanaged_set,
        .discover_stores = a->mode == S_DRIFT || a->mode == S_SNAPSHOT,
        /* The account guard: the reader stops after GetCallerIdentity, before reading (let
         * alone writing) anything in another account. */
        .expected_account = desired->account,
        .new_client = lk_live_client_new,
        .new_client_ctx = &copts,
        .progress = isatty(STDERR_FILENO) ? s_progress : NULL,
    };
    if (lk_live_read(&client, desired, &lopts, live, &report, &err) != 0) {
        if (err.code && !strcmp(err.code, LK_LIVE_WRONG_ACCOUNT))
            fprintf(stderr,
                    "logkeep %s: refusing: the credentials belong to account %s (%s), but the "
                    "policy is for account %s; nothing was changed\n",
                    a->cmd, report.account ? report.account : "?",
                    report.arn ? report.arn : "?", desired->account ? desired->account : "?");
        else {
            lk_live_error_format(&report, &err, text, sizeof(text));
            fprintf(stderr, "logkeep %s: %s\n", a->cmd, text);
        }
        goto cleanup;
    }

    if (a->mode == S_SNAPSHOT) {
        rc = s_write_state(a->output_file, live) == 0 ? LK_EXIT_OK : S_EXIT_FAILED;
        if (rc == LK_EXIT_OK && strcmp(a->output_file, "-"))
            fprintf(stderr, "logkeep snapshot: wrote the live state of account %s to %s\n",
                    live->account ? live->account : "?", a->output_file);
        goto cleanup;
    }

    if (saved.root || a->plan_out)
        s_state_sha256(live, live_sha256, &live_json);
    if (saved.root && strcmp(live_sha256, saved.live_sha256) != 0) {
        fprintf(stderr,
                "logkeep apply: refusing: live state changed since the plan was made; run plan "
                "again. Nothing was changed. What changed (at plan time -> now):\n");
        cJSON *now = s_json_parse_or_die(live_json);
        size_t count = 0;
        s_json_changes(saved.live_state, now, "", stderr, &count);
        cJSON_Delete(now);
        if (count == 0)
            fprintf(stderr, "  the plan's live state does not match its fingerprint (%s was "
                            "edited?)\n",
                    saved.path);
        else if (count > S_MAX_NAMED)
            fprintf(stderr, "  ... and %zu more\n", count - S_MAX_NAMED);
        goto cleanup;
    }

    if (report.n_unmodelled) {
        um = lk_xcalloc(report.n_unmodelled, sizeof(*um));
        for (size_t i = 0; i < report.n_unmodelled; i++) {
            um[i].resource = report.unmodelled[i].kind == LK_LIVE_TRAIL ? LK_DIFF_TRAIL
                                                                        : LK_DIFF_BUCKET;
            um[i].name = report.unmodelled[i].name;
            um[i].bits = report.unmodelled[i].bits;
        }
    }
diff:
    if (lk_diff_states_ex(desired, live, um, report.n_unmodelled, &diff) != LK_DIFF_OK)
        goto cleanup;
    /* Unmanaged log groups: drift reports them; plan and apply set the unmanaged rule's
     * retention. */
    if ((a->mode == S_DRIFT || desired->unmanaged_set) &&
        lk_diff_log_groups_unmanaged(desired, live->log_groups, live->n_log_groups, &diff) !=
            LK_DIFF_OK)
        goto cleanup;
    /* Buckets receiving logs outside the policy: reported, never changed. */
    if (a->mode == S_DRIFT &&
        lk_diff_stores_unmanaged(desired, live->unmanaged_stores, live->n_unmanaged_stores,
                                 &diff) != LK_DIFF_OK)
        goto cleanup;

    struct lk_diff_summary sum;
    lk_diff_summarize(&diff, &sum);
    bool drift = sum.to_add + sum.to_change + sum.to_remove > 0;

    if (a->mode == S_DRIFT && a->format && strcmp(a->format, "text") != 0) {
        enum lk_report_format fmt = LK_REPORT_TEXT;
        lk_report_format_parse(a->format, &fmt);
        char when[32] = "";
        time_t now = time(NULL);
        struct tm tm;
        if (gmtime_r(&now, &tm))
            strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        struct lk_report_context ctx = {
            .account = desired->account,
            .region = desired->region,
            .partition = desired->partition,
            .policy_paths = (const char *const *)(argv + optind),
            .n_policy_paths = (size_t)(argc - optind),
            .resources_read =
                live->n_buckets + live->n_trails + live->n_log_groups + live->n_unmanaged_stores,
            .unmanaged_log_groups = report.n_unmanaged,
            .unmanaged_stores = live->n_unmanaged_stores,
            .generated_at = when,
            .tool_version = PACKAGE_VERSION,
            .desired = desired,
            .color = false,
        };
        if (lk_report_render(&diff, &ctx, fmt, stdout) != LK_REPORT_OK)
            goto cleanup;
        rc = drift ? S_EXIT_DRIFT : LK_EXIT_OK;
        goto cleanup;
    }
    if (lk_diff_render_text(&diff, stdout, lk_cli_use_color(a->color, stdout)) != LK_DIFF_OK)
        goto cleanup;
    if (a->mode == S_DRIFT) {
        rc = drift ? S_EXIT_DRIFT : LK_EXIT_OK;
        goto cleanup;
    }
    if (a->mode == S_PLAN && !a->plan_out) {
        rc = LK_EXIT_OK;
        goto cleanup;
    }

    /* apply: every guard runs before the first write. */
    if (lk_apply_plan_build(desired, &diff, &arts, &plan) != LK_APPLY_OK)
        goto cleanup;
    if (a->mode == S_PLAN) {
        json = s_plan_file_json(policy_paths, (size_t)n_policy, desired, &arts, desired_sha256,
                                live_json, live_sha256, &diff, &plan);
        if (!json) {
            fprintf(stderr, "logkeep %s: the plan would exceed %zu bytes\n", a->cmd,
                    (size_t)LK_BUF_MAX_DOCUMENT);
            goto cleanup;
        }
        if (s_write_atomic(a->cmd, a->plan_out, json) != 0)
            goto cleanup;
        printf("\nSaved the plan (%zu call%s) to %s. To make exactly these changes, run:\n"
               "  logkeep apply %s\n",
               plan.n, plan.n == 1 ? "" : "s", a->plan_out, a->plan_out);
        rc = LK_EXIT_OK;
        goto cleanup;
    }
    if (saved.root) {
        /* Same desired and live state give the same diff and calls, unless what the reader
         * cannot model (and the fingerprint does not hold) changed: check both. */
        char *dj = lk_diff_to_json(&diff);
        cJSON *d = s_json_parse_or_die(dj), *calls = s_calls_json(&plan);
        free(dj);
        bool same_diff = cJSON_Compare(d, saved.diff, true);
        bool same_calls = cJSON_Compare(calls, saved.calls, true);
        cJSON_Delete(d);
        cJSON_Delete(calls);
        if (!same_diff || !same_calls) {
            fprintf(stderr,
                    "logkeep apply: refusing: the %s now differ from the plan's (%s); run plan "
                    "again. Nothing was changed.\n",
                    same_diff ? "calls" : "changes", saved.path);
            goto cleanup;
        }
    }
    if (plan.n == 0) {
        printf("\nNothing to apply: live state matches the policy.\n");
        rc = LK_EXIT_OK;
        goto cleanup;
    }
    if (lk_apply_missing_allows(&diff, a->allow, a->n_allow, NULL) > 0) {
        fprintf(stderr,
                "logkeep apply: refusing: some changes can lose logs or reduce what is "
                "recorded; nothing was changed. To allow them, add:\n");
        lk_apply_missing_allows(&diff, a->allow, a->n_allow, stderr);
        goto cleanup;
    }
    if (!report.arn) {
        fprintf(stderr, "logkeep apply: refusing: the caller's identity is unknown\n");
        goto cleanup;
    }
    if (!lk_apply_check_lockout(desired, report.arn, text, sizeof(text))) {
        fprintf(stderr, "logkeep apply: refusing: %s; nothing was changed\n", text);
        goto cleanup;
    }
    if (saved.root) {
        /* Like terraform apply PLANFILE: the saved plan, reviewed when it was made, is the
         * approval; the checks above ensure it is still exactly what will happen. */
        printf("\nApplying the saved plan %s.\n", saved.path);
    } else if (!a->auto_approve) {
        if (!isatty(STDIN_FILENO)) {
            fprintf(stderr, "logkeep apply: refusing: stdin is not a terminal, so apply cannot "
                            "ask for confirmation; review `logkeep plan` and rerun with "
                            "--auto-approve\n");
            goto cleanup;
        }
        if (!s_confirm()) {
            fprintf(stderr, "logkeep apply: not applied (answer was not \"yes\")\n");
            goto cleanup;
        }
    }
    printf("\nApplying %zu call%s as %s in account %s:\n", plan.n, plan.n == 1 ? "" : "s",
           report.arn, report.account ? report.account : "?");
    fflush(stdout);
    if (lk_apply_execute(&client, &plan, s_on_step, NULL, &err) != LK_APPLY_OK) {
        lk_aws_error_format(&err, text, sizeof(text));
        fprintf(stderr, "logkeep apply: stopped at the first failed call: %s\n", text);
        fprintf(stderr, "What was and was not applied:\n");
        lk_apply_report(&plan, stderr);
        fprintf(stderr, "Run apply again to converge: it recomputes the changes from live "
                        "state.\n");
        goto cleanup;
    }
    printf("Apply complete: %zu call%s made.\n", plan.n, plan.n == 1 ? "" : "s");
    rc = LK_EXIT_OK;

cleanup:
    if (fflush(stdout) != 0 && rc == LK_EXIT_OK)
        rc = S_EXIT_FAILED;
    free(json);
    free(live_json);
    s_saved_plan_free(&saved);
    free(um);
    free(a->allow);
    lk_apply_plan_free(&plan);
    lk_diff_free(&diff);
    lk_live_report_free(&report);
    lk_aws_error_clear(&err);
    if (have_client)
        lk_aws_client_free(&client);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
    lk_artifacts_free(&arts);
    if (p)
        lk_policy_free(p);
    return rc;
}

int lk_cmd_plan(int argc, char **argv)
{
    struct s_args a = {.mode = S_PLAN, .cmd = "plan"};
    return s_run(&a, argc, argv);
}

int lk_cmd_apply(int argc, char **argv)
{
    struct s_args a = {.mode = S_APPLY, .cmd = "apply"};
    return s_run(&a, argc, argv);
}

int lk_cmd_drift(int argc, char **argv)
{
    struct s_args a = {.mode = S_DRIFT, .cmd = "drift"};
    return s_run(&a, argc, argv);
}

int lk_cmd_snapshot(int argc, char **argv)
{
    struct s_args a = {.mode = S_SNAPSHOT, .cmd = "snapshot"};
    return s_run(&a, argc, argv);
}
