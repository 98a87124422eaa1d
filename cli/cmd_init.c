/*
 * logkeep init: a starting policy repository. It writes a policy for one account that
 * validates (checked before anything is written), the JSON Schema beside it for editors, the
 * pre-commit configuration, and the CI workflows of examples/ci (built into the binary, the
 * same files tests/ci/run checks). Values come from options, or from questions on a terminal.
 * Nothing is overwritten without --force, and nothing is written when any file would be.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/arena.h"
#include "common/buf.h"
#include "compiler/embedded.h"
#include "compiler/policy.h"
#include "compiler/schema.h"

/* The CI workflows of examples/ci (Makefile.am: cli/init_data.c). */
extern const struct lk_embedded_file lk_init_files[];
extern const size_t lk_init_files_count;

/* The longest answer read from the terminal. */
#define S_MAX_ANSWER 512

static void s_usage(FILE *out)
{
    fputs("usage: logkeep init [options] [DIR]\n"
          "\n"
          "Writes a starting policy repository into DIR (default: the current directory):\n"
          "policies/policy.yaml (a policy for one account that validates), the policy\n"
          "language's JSON Schema beside it for editors, .pre-commit-config.yaml, and the CI\n"
          "workflows of logkeep's examples. Values not given as options are asked on a\n"
          "terminal. Nothing is overwritten without --force.\n"
          "\n"
          "options:\n"
          "      --account ID      the AWS account the policy governs (12 digits)\n"
          "      --region REGION   its Region, for example eu-west-1\n"
          "      --bucket NAME     the S3 bucket for the logs (default:\n"
          "                        security-logs-ACCOUNT-REGION)\n"
          "      --kms-key ARN     the KMS key ARN that encrypts the bucket and the trail\n"
          "                        (default: none; validate then warns that the trail's logs\n"
          "                        are not encrypted with a KMS key)\n"
          "      --ci CI           github (default), gitlab or none: which workflows to write\n"
          "      --force           overwrite files that exist\n"
          "  -h, --help            print this help\n"
          "\n"
          "exit status: 0 written, 1 the values give a policy with errors (nothing written),\n"
          "64 usage error (a bad value, or no terminal to ask on), 73 a file cannot be\n"
          "written or exists (without --force)\n",
          out);
}

struct s_init {
    const char *dir;
    const char *account, *region, *bucket, *kms_key, *ci;
    bool force;
};

/* ------------------------------------------------------------------------------ values */

static bool s_account_ok(const char *s)
{
    size_t n = strlen(s);
    if (n != 12)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* A Region's form (the checker decides whether AWS has it): lower-case letters, digits and
 * dashes, as in eu-west-1. */
static bool s_region_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 32 || !strchr(s, '-'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

static bool s_ci_ok(const char *s)
{
    return !strcmp(s, "github") || !strcmp(s, "gitlab") || !strcmp(s, "none");
}

/* Characters allowed in a value written into YAML unquoted or double-quoted: the values are
 * names, IDs and ARNs, so anything else is a mistake (and could change the YAML). */
static bool s_plain(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("-_.:/", *s)))
            return false;
    return true;
}

/* Asks @p question on the terminal and reads one line into @p answer (owned by the arena).
 * An empty answer takes @p dflt when there is one. @return the answer, or NULL at end of input. */
static const char *s_ask(struct lk_arena *a, const char *question, const char *dflt)
{
    char line[S_MAX_ANSWER];
    for (;;) {
        if (dflt)
            fprintf(stderr, "%s [%s]: ", question, dflt);
        else
            fprintf(stderr, "%s: ", question);
        fflush(stderr);
        if (!fgets(line, sizeof(line), stdin))
            return NULL;
        line[strcspn(line, "\r\n")] = '\0';
        char *v = line;
        while (*v == ' ' || *v == '\t')
            v++;
        size_t n = strlen(v);
        while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
            v[--n] = '\0';
        if (n)
            return lk_arena_printf(a, "%s", v);
        if (dflt)
            return dflt;
    }
}

/* Fills what the options left out: from the terminal when stdin and stderr are terminals,
 * else a usage error naming the options. @return 0, or an exit status after a message. */
static int s_complete(struct lk_arena *a, struct s_init *in)
{
    bool tty = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
    if (!tty && (!in->account || !in->region)) {
        fprintf(stderr, "logkeep init: give --account and --region (no terminal to ask on)\n");
        return LK_EXIT_USAGE;
    }
    while (!in->account) {
        const char *v = s_ask(a, "AWS account ID (12 digits)", NULL);
        if (!v)
            return LK_EXIT_USAGE;
        if (s_account_ok(v))
            in->account = v;
        else
            fprintf(stderr, "  \"%s\" is not 12 digits\n", v);
    }
    while (!in->region) {
        const char *env = getenv("AWS_REGION");
        const char *v = s_ask(a, "Region", env && *env && s_region_ok(env) ? env : "us-east-1");
        if (!v)
            return LK_EXIT_USAGE;
        if (s_region_ok(v))
            in->region = v;
        else
            fprintf(stderr, "  \"%s\" is not a Region name such as eu-west-1\n", v);
    }
    const char *dflt_bucket =
        lk_arena_printf(a, "security-logs-%s-%s", in->account, in->region);
    if (!in->bucket && tty) {
        const char *v = s_ask(a, "S3 bucket for the logs", dflt_bucket);
        if (!v)
            return LK_EXIT_USAGE;
        in->bucket = v;
    }
    if (!in->bucket)
        in->bucket = dflt_bucket;
    if (!in->kms_key && tty) {
        const char *v = s_ask(a, "KMS key ARN for the logs (none to leave out)", "none");
        if (!v)
            return LK_EXIT_USAGE;
        if (strcmp(v, "none") != 0)
            in->kms_key = v;
    }
    while (!in->ci && tty) {
        const char *v = s_ask(a, "CI workflows: github, gitlab or none", "github");
        if (!v)
            return LK_EXIT_USAGE;
        if (s_ci_ok(v))
            in->ci = v;
    }
    if (!in->ci)
        in->ci = "github";
    return 0;
}

/* ------------------------------------------------------------------------------ files */

/* The starting policy: one account, its CloudTrail trail and VPC Flow Logs in one store, two
 * retention classes, readers and admins, and a retention for log groups no source names.
 * @return the text, in @p a. */
static const char *s_policy_text(struct lk_arena *a, const struct s_init *in)
{
    struct lk_buf b;
    lk_buf_init(&b, 0);
    lk_buf_printf(&b,
                  "# yaml-language-server: $schema=.logkeep-policy.schema.json\n"
                  "# The logkeep policy of account %s: which security logs are kept, where,\n"
                  "# for how long, and who may read them. Check it with: logkeep validate "
                  "policies/\n"
                  "# The language: docs/language.md, or man 5 logkeep-policy.\n"
                  "logkeep: 1\n"
                  "account: \"%s\"          # apply refuses to run against any other account\n"
                  "region: %s\n"
                  "baselines: [sec04-bp01]         # AWS Well-Architected SEC04-BP01 "
                  "(logkeep baselines)\n"
                  "\n"
                  "roles:\n"
                  "  security-analysts:            # who investigates: reads the logs\n"
                  "    principals: [arn:aws:iam::%s:role/SecurityAnalyst]\n"
                  "    access: read\n"
                  "  log-admins:                   # who may change retention and access\n"
                  "    principals: [arn:aws:iam::%s:role/LogAdmin]\n"
                  "    access: admin\n"
                  "\n"
                  "stores:\n"
                  "  security-logs:\n"
                  "    bucket: %s\n",
                  in->account, in->account, in->region, in->account, in->account, in->bucket);
    if (in->kms_key)
        lk_buf_printf(&b, "    encryption: { kms_key: %s }\n", in->kms_key);
    lk_buf_printf(&b,
                  "    versioning: true\n"
                  "    transition_small_objects: true   # small log files reach the archive "
                  "too\n"
                  "    readers: [security-analysts]\n"
                  "    admins: [log-admins]\n"
                  "\n"
                  "retention:\n"
                  "  security-evidence:\n"
                  "    available: 120d               # readily queryable\n"
                  "    archive:\n"
                  "      - { after: 120d, class: glacier }\n"
                  "      - { after: 1y, class: deep-archive }\n"
                  "    delete_after: 7y\n"
                  "  operational:\n"
                  "    available: 92d                # three months at their longest\n"
                  "    delete_after: 1y\n"
                  "\n"
                  "sources:\n"
                  "  cloudtrail:\n"
                  "    type: cloudtrail\n"
                  "    purpose: security investigations and audit evidence\n"
                  "    retention: security-evidence\n"
                  "    store: security-logs\n"
                  "    prefix: cloudtrail/\n"
                  "    trail:\n"
                  "      multi_region: true\n"
                  "      log_file_validation: true\n");
    if (in->kms_key)
        lk_buf_printf(&b, "      kms_key: %s\n", in->kms_key);
    lk_buf_printf(&b, "  vpc-flow:\n"
                      "    type: vpc-flow-logs\n"
                      "    purpose: network forensics during incident response\n"
                      "    retention: operational\n"
                      "    store: security-logs\n"
                      "    prefix: vpcflow/\n"
                      "\n"
                      "unmanaged:                       # log groups no source names\n"
                      "  log_groups: { delete_after: 1y }\n");
    return lk_buf_take_arena(&b, a);
}

static const char s_precommit[] =
    "# pre-commit (https://pre-commit.com): `logkeep validate policies/` before each commit that\n"
    "# changes a policy file. logkeep must be on PATH. Set `rev` to the logkeep release you use\n"
    "# and `repo` to where your organisation gets logkeep from.\n"
    "repos:\n"
    "  - repo: https://git.example.com/tools/logkeep\n"
    "    rev: v" PACKAGE_VERSION "\n"
    "    hooks:\n"
    "      - id: logkeep-validate\n";

struct s_file {
    const char *path; /* relative to the directory */
    const char *data;
};

static const char *s_embedded(const char *name)
{
    for (size_t i = 0; i < lk_init_files_count; i++)
        if (!strcmp(lk_init_files[i].name, name))
            return lk_init_files[i].data;
    return NULL;
}

/* Creates every missing directory of @p path up to its last '/'. @return 0 or -1 (errno). */
static int s_mkdirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0777);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

/* Writes @p data to @p path through a temporary file renamed over it. @return 0 or -1 (errno). */
static int s_write(const char *path, const char *data)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + sizeof(".tmp"));
    if (!tmp)
        return -1;
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmp", sizeof(".tmp"));
    FILE *f = fopen(tmp, "w");
    int rc = -1;
    if (f) {
        bool ok = fputs(data, f) != EOF;
        ok = fclose(f) == 0 && ok;
        if (ok && rename(tmp, path) == 0)
            rc = 0;
        else
            unlink(tmp);
    }
    free(tmp);
    return rc;
}

/* ------------------------------------------------------------------------------ command */

static int s_parse(struct s_init *in, int argc, char **argv)
{
    static const struct option opts[] = {
        {"account", required_argument, NULL, 'a'}, {"region", required_argument, NULL, 'r'},
        {"bucket", required_argument, NULL, 'b'},  {"kms-key", required_argument, NULL, 'k'},
        {"ci", required_argument, NULL, 'c'},      {"force", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'a': in->account = optarg; break;
        case 'r': in->region = optarg; break;
        case 'b': in->bucket = optarg; break;
        case 'k': in->kms_key = optarg; break;
        case 'c': in->ci = optarg; break;
        case 'f': in->force = true; break;
        case 'h': s_usage(stdout); return -1;
        case ':':
            fprintf(stderr, "logkeep init: option %s needs a value\n", argv[optind - 1]);
            return LK_EXIT_USAGE;
        default:
            fprintf(stderr, "logkeep init: unknown option %s\n", argv[optind - 1]);
            s_usage(stderr);
            return LK_EXIT_USAGE;
        }
    }
    if (argc - optind > 1) {
        fprintf(stderr, "logkeep init: one directory at most, not \"%s\" too\n", argv[optind + 1]);
        return LK_EXIT_USAGE;
    }
    in->dir = optind < argc ? argv[optind] : ".";
    if (in->account && !s_account_ok(in->account)) {
        fprintf(stderr, "logkeep init: --account \"%s\" is not a 12-digit account ID\n",
                in->account);
        return LK_EXIT_USAGE;
    }
    if (in->region && !s_region_ok(in->region)) {
        fprintf(stderr, "logkeep init: --region \"%s\" is not a Region name such as eu-west-1\n",
                in->region);
        return LK_EXIT_USAGE;
    }
    if (in->ci && !s_ci_ok(in->ci)) {
        fprintf(stderr, "logkeep init: --ci takes github, gitlab or none, not \"%s\"\n", in->ci);
        return LK_EXIT_USAGE;
    }
    const char *values[] = {in->bucket, in->kms_key};
    for (size_t i = 0; i < 2; i++)
        if (values[i] && (!*values[i] || !s_plain(values[i]))) {
            fprintf(stderr, "logkeep init: \"%s\" is not a bucket name or an ARN\n", values[i]);
            return LK_EXIT_USAGE;
        }
    return 0;
}

int lk_cmd_init(int argc, char **argv)
{
    struct s_init in;
    memset(&in, 0, sizeof(in));
    int rc = s_parse(&in, argc, argv);
    if (rc)
        return rc < 0 ? LK_EXIT_OK : rc;

    struct lk_arena a;
    lk_arena_init(&a);
    struct s_file files[6];
    size_t n_files = 0;
    struct lk_policy *p = NULL;
    rc = s_complete(&a, &in);
    if (rc)
        goto cleanup;
    if (!s_plain(in.bucket) || (in.kms_key && !s_plain(in.kms_key))) {
        fprintf(stderr, "logkeep init: \"%s\" is not a bucket name or an ARN\n",
                !s_plain(in.bucket) ? in.bucket : in.kms_key);
        rc = LK_EXIT_USAGE;
        goto cleanup;
    }

    files[n_files++] = (struct s_file){"policies/policy.yaml", s_policy_text(&a, &in)};
    files[n_files++] =
        (struct s_file){"policies/.logkeep-policy.schema.json", lk_schema_files[0].data};
    files[n_files++] = (struct s_file){".pre-commit-config.yaml", s_precommit};
    if (!strcmp(in.ci, "github")) {
        files[n_files++] = (struct s_file){".github/workflows/logkeep-premerge.yml",
                                           s_embedded("github-premerge")};
        files[n_files++] = (struct s_file){".github/workflows/logkeep-drift.yml",
                                           s_embedded("github-drift")};
    } else if (!strcmp(in.ci, "gitlab")) {
        files[n_files++] = (struct s_file){".gitlab-ci.yml", s_embedded("gitlab-ci")};
    }

    if (!files[0].data) {
        fputs("logkeep init: out of memory\n", stderr);
        rc = LK_EXIT_FAILED;
        goto cleanup;
    }
    /* The policy must validate before anything is written: a value the checker refuses (a
     * bucket name S3 does not allow, a Region AWS does not have) is reported where it stands. */
    p = lk_policy_new();
    lk_policy_load_buffer(p, "policies/policy.yaml", files[0].data, strlen(files[0].data));
    lk_policy_check(p);
    if (p->diags.n_errors) {
        lk_cli_print_diags(p, "auto", stderr);
        fputs("logkeep init: these values give a policy with errors; nothing was written\n",
              stderr);
        rc = LK_EXIT_POLICY;
        goto cleanup;
    }

    char **paths = lk_arena_alloc(&a, n_files * sizeof(*paths));
    size_t dlen = strlen(in.dir);
    bool slash = dlen && in.dir[dlen - 1] == '/';
    size_t existing = 0;
    for (size_t i = 0; i < n_files; i++) {
        paths[i] = lk_arena_printf(&a, "%s%s%s", in.dir, slash ? "" : "/", files[i].path);
        struct stat st;
        if (!in.force && lstat(paths[i], &st) == 0) {
            fprintf(stderr, "logkeep init: %s exists\n", paths[i]);
            existing++;
        }
    }
    if (existing) {
        fprintf(stderr, "logkeep init: nothing was written; --force overwrites %s\n",
                existing == 1 ? "it" : "them");
        rc = LK_EXIT_CANTCREAT;
        goto cleanup;
    }
    for (size_t i = 0; i < n_files; i++) {
        if (!files[i].data) {
            fprintf(stderr, "logkeep init: %s: no such built-in file\n", files[i].path);
            rc = LK_EXIT_FAILED;
            goto cleanup;
        }
        if (s_mkdirs(paths[i]) != 0 || s_write(paths[i], files[i].data) != 0) {
            fprintf(stderr, "logkeep init: cannot write %s: %s\n", paths[i], strerror(errno));
            rc = LK_EXIT_CANTCREAT;
            goto cleanup;
        }
        printf("wrote %s\n", paths[i]);
    }
    if (p->diags.n)
        lk_cli_print_diags(p, "auto", stdout);
    printf("\nNext: edit %s%spolicies/policy.yaml (the role ARNs, the sources), then run\n"
           "  logkeep validate %s%spolicies/\n"
           "  logkeep plan %s%spolicies/    (read-only: what apply would change)\n",
           in.dir, slash ? "" : "/", in.dir, slash ? "" : "/", in.dir, slash ? "" : "/");
    rc = LK_EXIT_OK;
cleanup:
    lk_policy_free(p);
    lk_arena_destroy(&a);
    return rc;
}
