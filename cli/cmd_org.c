/*
 * logkeep plan, apply, drift and snapshot over an organisation (see aws_options.h): a policy
 * that declares accounts: runs one session per (account, Region) pair (runtime/org.h), with the
 * role the policy's access section (or the command line) names; and the resolution of dynamic
 * account groups through AWS Organizations, shared with `logkeep resolve`.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/aws_options.h"
#include "cli/cli.h"
#include "common/arena.h"
#include "compiler/compile.h"
#include "compiler/policy.h"
#include "runtime/org.h"
#include "runtime/report.h"
#include "runtime/session.h"

/* A policy text as a C string (arena), or NULL when not set. */
static const char *s_text(struct lk_arena *arena, const struct lk_text *t)
{
    return t->set && t->v.ptr ? lk_arena_strndup(arena, t->v.ptr, t->v.len) : NULL;
}

/* The policy's home Region: region:, else the first of regions:. */
static const char *s_home_region(struct lk_arena *arena, const struct lk_policy *p)
{
    const char *r = s_text(arena, &p->region);
    if (!r && p->regions.n)
        r = s_text(arena, &p->regions.items[0]);
    return r;
}

/* The ARN partition of a Region: "AWS Regions and endpoints" names the China (cn-) and
 * GovCloud (us-gov-) Regions' partitions; the others are "aws". */
static const char *s_partition(const char *region)
{
    if (region && !strncmp(region, "cn-", 3))
        return "aws-cn";
    if (region && !strncmp(region, "us-gov-", 7))
        return "aws-us-gov";
    return "aws";
}

/* The role a command assumes: --role, else the policy's by command (read_role defaults to
 * apply_role). */
static const char *s_role(struct lk_arena *arena, const struct lk_aws_args *a,
                          const struct lk_policy *p)
{
    if (a->role)
        return a->role;
    const char *apply = s_text(arena, &p->access.apply_role);
    if (a->mode == LK_AWS_CMD_APPLY)
        return apply;
    const char *read = s_text(arena, &p->access.read_role);
    return read ? read : apply;
}

static struct lk_aws_config_options s_config(const struct lk_aws_args *a, const char *region)
{
    return (struct lk_aws_config_options){
        .region = region,
        .endpoint_url = a->endpoint_url,
        .profile = a->profile,
        .fallback_region = region,
        .debug = a->debug ? stderr : NULL,
    };
}

/* Whether @p g is pinned: by lk_policy_pin_group(), or by a "resolved:" section of the files
 * (which lk_policy_check() applies). */
static bool s_pinned(const struct lk_policy *p, const struct lk_account_group *g)
{
    if (g->pinned_set)
        return true;
    for (size_t i = 0; i < p->n_pins; i++)
        if (lk_str_eq(p->pins[i].group, g->name))
            return true;
    return false;
}

/* Whether @p g is to be resolved: dynamic, and not pinned unless @p all. */
static bool s_to_resolve(const struct lk_policy *p, const struct lk_account_group *g, bool all)
{
    return g->kind != LK_GROUP_LIST && (all || !s_pinned(p, g));
}

int lk_aws_resolve_groups(const struct lk_aws_args *a, struct lk_policy *p, bool all, FILE *yaml)
{
    size_t todo = 0;
    for (size_t i = 0; i < p->n_groups; i++)
        if (s_to_resolve(p, p->groups[i], all))
            todo++;
    if (!todo)
        return 0;
    struct lk_arena arena;
    lk_arena_init(&arena);
    int rc = LK_EXIT_FAILED;
    struct lk_aws_credentials base = {0}, role_creds = {0};
    const struct lk_aws_credentials *creds = &base;
    char *msg = NULL;
    const char *home = s_home_region(&arena, p);
    struct lk_aws_config_options copts = s_config(a, home);
    const char *role = a->no_role ? NULL : s_role(&arena, a, p);
    const struct lk_account *mgmt = NULL;
    for (size_t i = 0; i < p->n_accounts && !mgmt; i++)
        if (p->accounts[i]->kind == LK_ACCOUNT_MANAGEMENT)
            mgmt = p->accounts[i];
    if (role && !mgmt) {
        fprintf(stderr,
                "logkeep %s: resolving the account groups needs the management account (an "
                "account of kind: management) to assume %s in\n",
                a->cmd, role);
        goto cleanup;
    }
    if (lk_org_base_credentials(&copts, &base, &msg) != LK_STATUS_OK) {
        fprintf(stderr, "logkeep %s: %s\n", a->cmd, msg);
        goto cleanup;
    }
    if (role) {
        const char *mgmt_id = s_text(&arena, &mgmt->id);
        const char *ext = a->external_id ? a->external_id : s_text(&arena, &p->access.external_id);
        const char *session =
            a->session_name ? a->session_name : s_text(&arena, &p->access.session_name);
        if (lk_org_assume_role(&copts, &base, s_partition(home), mgmt_id, role, ext, session, home,
                               &role_creds, &msg) != LK_STATUS_OK) {
            fprintf(stderr, "logkeep %s: resolving the account groups: %s\n", a->cmd, msg);
            goto cleanup;
        }
        creds = &role_creds;
    }
    for (size_t i = 0; i < p->n_groups; i++) {
        struct lk_account_group *g = p->groups[i];
        if (!s_to_resolve(p, g, all))
            continue;
        const char *name = lk_arena_strndup(&arena, g->name.ptr, g->name.len);
        const char *ou = g->kind == LK_GROUP_OU ? s_text(&arena, &g->ou) : NULL;
        char **ids = NULL;
        size_t n = 0;
        if (lk_org_resolve_ids(&copts, creds, ou, &ids, &n, &msg) != LK_STATUS_OK) {
            fprintf(stderr, "logkeep %s: resolving account group %s: %s\n", a->cmd, name, msg);
            goto cleanup;
        }
        if (!lk_policy_pin_group(p, name, (const char *const *)ids, n)) {
            lk_org_ids_free(ids, n);
            fprintf(stderr, "logkeep %s: account group %s cannot be pinned\n", a->cmd, name);
            goto cleanup;
        }
        if (yaml) {
            /* Double-quoted YAML scalars: a name or ID is then read back exactly. */
            fprintf(yaml, "    \"%s\": [", name);
            for (size_t k = 0; k < n; k++)
                fprintf(yaml, "%s\"%s\"", k ? ", " : "", ids[k]);
            fputs("]\n", yaml);
        }
        fprintf(stderr, "resolved %s: %zu account%s (", name, n, n == 1 ? "" : "s");
        for (size_t k = 0; k < n; k++)
            fprintf(stderr, "%s%s", k ? ", " : "", ids[k]);
        fputs(")\n", stderr);
        lk_org_ids_free(ids, n);
    }
    rc = 0;

cleanup:
    free(msg);
    lk_aws_credentials_clear(&base);
    lk_aws_credentials_clear(&role_creds);
    lk_arena_destroy(&arena);
    return rc;
}

/* ------------------------------------------------------------------------------ apply hooks */

/* The calls every pair's plan would make to turn producers on (sources with enable: true), as
 * the single-account plan lists them: they change resources other teams own. */
static void s_print_producer_calls(const struct lk_org_run *run)
{
    size_t n = 0;
    for (size_t i = 0; i < run->n_pairs; i++)
        if (!run->pairs[i].failed)
            n += lk_aws_count_producer_calls(&run->pairs[i].session.plan);
    if (n == 0)
        return;
    lk_aws_print_producer_calls_header(n, stdout);
    for (size_t i = 0; i < run->n_pairs; i++) {
        const struct lk_org_pair *p = &run->pairs[i];
        if (p->failed)
            continue;
        char label[256];
        snprintf(label, sizeof(label), "%s/%s", p->pair->account_name, p->pair->region);
        lk_aws_print_producer_call_lines(&p->session.plan, label, stdout);
    }
}

static bool s_confirm(void *ctx, const struct lk_org_run *run, size_t n_pairs, size_t n_calls,
                      char *why, size_t why_len)
{
    (void)ctx;
    if (!lk_cli_can_ask(why, why_len))
        return false;
    printf("\nApply %zu call%s in %zu pair%s:", n_calls, n_calls == 1 ? "" : "s", n_pairs,
           n_pairs == 1 ? "" : "s");
    for (size_t i = 0; i < run->n_pairs; i++) {
        const struct lk_org_pair *p = &run->pairs[i];
        if (!p->failed && p->session.plan.n)
            printf(" %s/%s", p->pair->account_name, p->pair->region);
    }
    fputs("? (yes/no) ", stdout);
    return lk_cli_answer_yes(why, why_len);
}

static void s_on_step(void *ctx, const struct lk_org_pair *pair, const struct lk_apply_step *step)
{
    (void)ctx;
    if (step->status == LK_APPLY_DONE) {
        /* The effect of a producer call on a resource another team owns (a database modified)
         * is shown as the single-account apply shows it. */
        const char *effect = lk_apply_step_effect(step);
        printf("  done  %s/%s  %s %s%s%s\n", pair->pair->account_name, pair->pair->region,
               lk_apply_op_name(step->op), step->name, effect ? ": " : "", effect ? effect : "");
        fflush(stdout);
    }
}

static void s_on_start(void *ctx, const struct lk_org_run *run, size_t n_pairs, size_t n_calls)
{
    (void)ctx;
    if (run->plan)
        printf("\nApplying the saved plan %s.\n", run->plan->path);
    printf("\nApplying %zu call%s in %zu pair%s:\n", n_calls, n_calls == 1 ? "" : "s", n_pairs,
           n_pairs == 1 ? "" : "s");
    fflush(stdout);
}

/* ------------------------------------------------------------------------------ the run */

static enum lk_session_kind s_kind(enum lk_aws_cmd mode)
{
    switch (mode) {
    case LK_AWS_CMD_APPLY:
        return LK_SESSION_APPLY;
    case LK_AWS_CMD_DRIFT:
        return LK_SESSION_DRIFT;
    case LK_AWS_CMD_SNAPSHOT:
        return LK_SESSION_SNAPSHOT;
    default:
        return LK_SESSION_PLAN;
    }
}

static int s_apply(const struct lk_aws_args *a, struct lk_org_run *run)
{
    bool *failed_before = lk_xcalloc(run->n_pairs ? run->n_pairs : 1, sizeof(*failed_before));
    size_t n_calls = 0;
    for (size_t i = 0; i < run->n_pairs; i++) {
        failed_before[i] = run->pairs[i].failed;
        if (!run->pairs[i].failed)
            n_calls += run->pairs[i].session.plan.n;
    }
    struct lk_org_summary sum;
    lk_org_run_summarize(run, &sum);
    int rc = sum.failed ? LK_EXIT_INCOMPLETE : LK_EXIT_OK;
    /* With a saved plan, a failed pair refuses the whole plan (lk_org_run_apply()). */
    if (n_calls == 0 && !(run->plan && sum.failed)) {
        printf("\nNothing to apply: live state matches the policy%s.\n",
               sum.failed ? " in every pair read" : "");
        goto cleanup;
    }
    s_print_producer_calls(run);
    struct lk_org_apply_hooks hooks = {
        .confirm = s_confirm, .on_step = s_on_step, .on_start = s_on_start};
    enum lk_status st = lk_org_run_apply(run, &hooks);
    if (st != LK_STATUS_OK) {
        if (run->message)
            fprintf(stderr, "logkeep %s: %s\n", a->cmd, run->message);
        rc = LK_EXIT_FAILED;
        goto cleanup;
    }
    size_t applied = 0, calls_made = 0, failed_now = 0;
    for (size_t i = 0; i < run->n_pairs; i++) {
        const struct lk_org_pair *p = &run->pairs[i];
        if (p->applied) {
            applied++;
            calls_made += p->session.plan.n;
        } else if (p->failed && !failed_before[i]) {
            failed_now++;
            fprintf(stderr, "== %s (%s) %s ==\nerror: %s\n", p->pair->account_name,
                    p->pair->account, p->pair->region, p->error ? p->error : "failed");
        }
    }
    if (failed_now || sum.failed) {
        printf("Apply incomplete: %zu call%s made in %zu pair%s; %zu pair%s failed.\n", calls_made,
               calls_made == 1 ? "" : "s", applied, applied == 1 ? "" : "s",
               failed_now + sum.failed, failed_now + sum.failed == 1 ? "" : "s");
        /* Nothing applied at all: the apply failed rather than being incomplete. */
        rc = applied ? LK_EXIT_INCOMPLETE : LK_EXIT_FAILED;
    } else {
        printf("Apply complete: %zu call%s made in %zu pair%s.\n", calls_made,
               calls_made == 1 ? "" : "s", applied, applied == 1 ? "" : "s");
    }

cleanup:
    free(failed_before);
    return rc;
}

int lk_aws_run_org(const struct lk_aws_args *a, struct lk_policy *p)
{
    return lk_aws_run_org_plan(a, p, NULL);
}

int lk_aws_run_org_plan(const struct lk_aws_args *a, struct lk_policy *p,
                        const struct lk_org_plan *plan)
{
    struct lk_arena arena;
    lk_arena_init(&arena);
    struct lk_ir_scope *scope = NULL;
    struct lk_org_run run;
    bool have_run = false;
    int rc = LK_EXIT_FAILED;
    bool emit = a->mode == LK_AWS_CMD_PLAN || a->mode == LK_AWS_CMD_APPLY;
    int crc = emit ? lk_compile_scope(p, &scope) : lk_compile_scope_state(p, &scope);
    if (crc != 0) {
        if (crc == 2)
            fprintf(stderr,
                    "logkeep %s: an artifact would exceed %zu bytes; nothing was produced\n",
                    a->cmd, (size_t)LK_BUF_MAX_DOCUMENT);
        lk_cli_print_diags(p, a->color, stderr);
        fprintf(stderr, "logkeep %s: the policy has errors; nothing was read or changed\n", a->cmd);
        goto cleanup;
    }
    if (p->diags.n_errors || p->diags.n_warnings)
        lk_cli_print_diags(p, a->color, stderr);
    if (a->region)
        fprintf(stderr,
                "logkeep %s: --region is ignored: each (account, Region) pair of the "
                "policy is read in its own Region\n",
                a->cmd);

    struct lk_org_options o = {
        .role = s_role(&arena, a, p),
        .external_id = a->external_id ? a->external_id : s_text(&arena, &p->access.external_id),
        .session_name = a->session_name ? a->session_name : s_text(&arena, &p->access.session_name),
        .pairs_at_once = a->pairs_at_once,
        .home_region = s_home_region(&arena, p),
        .shard_index = a->shard_index,
        .shard_count = a->shard_count,
        .progress = lk_aws_org_progress,
    };
    lk_aws_session_options(a, &o.session);
    o.session.region = NULL;
    lk_org_run_init(&run, s_kind(a->mode), &o, scope);
    have_run = true;
    if (plan && lk_org_run_use_plan(&run, plan) != LK_STATUS_OK) {
        fprintf(stderr, "logkeep %s: %s\n", a->cmd, run.message ? run.message : "failed");
        goto cleanup;
    }
    if (lk_org_run_read(&run) != LK_STATUS_OK) {
        if (run.message)
            fprintf(stderr, "logkeep %s: %s\n", a->cmd, run.message);
        goto cleanup;
    }
    struct lk_org_summary sum;
    lk_org_run_summarize(&run, &sum);
    const char *org_id =
        scope->organization_id ? scope->organization_id : s_text(&arena, &p->organization);

    if (a->mode == LK_AWS_CMD_SNAPSHOT) {
        enum lk_status wst = lk_org_run_write_snapshot(&run, a->output_file);
        if (wst != LK_STATUS_OK) {
            fprintf(stderr, "logkeep %s: %s\n", a->cmd, run.message ? run.message : "failed");
            if (wst == LK_STATUS_IO)
                rc = LK_EXIT_CANTCREAT;
            goto cleanup;
        }
        for (size_t i = 0; i < run.n_pairs; i++)
            if (run.pairs[i].failed)
                fprintf(stderr, "logkeep snapshot: %s (%s) %s: %s\n",
                        run.pairs[i].pair->account_name, run.pairs[i].pair->account,
                        run.pairs[i].pair->region, run.pairs[i].error);
        if (strcmp(a->output_file, "-"))
            fprintf(stderr, "logkeep snapshot: wrote the live state of %zu pair%s to %s\n",
                    sum.pairs - sum.failed, sum.pairs - sum.failed == 1 ? "" : "s", a->output_file);
        rc = sum.failed ? LK_EXIT_INCOMPLETE : LK_EXIT_OK;
        goto cleanup;
    }

    enum lk_report_format fmt = LK_REPORT_TEXT;
    if (a->format)
        lk_report_format_parse(a->format, &fmt); /* checked by lk_aws_args_parse() */
    bool color = fmt == LK_REPORT_TEXT && lk_cli_use_color(a->color, stdout);
    if (a->json_report) {
        /* The JSON report first: the Markdown may name it. */
        FILE *f = fopen(a->json_report, "w");
        enum lk_status wrc = f ? lk_org_run_render(&run, LK_REPORT_JSON, false, org_id,
                                                   (const char *const *)a->policy_paths,
                                                   (size_t)a->n_policy_paths, f)
                               : LK_STATUS_IO;
        if (f && fclose(f) != 0)
            wrc = LK_STATUS_IO;
        if (wrc != LK_STATUS_OK) {
            fprintf(stderr, "logkeep %s: cannot write the JSON report %s\n", a->cmd,
                    a->json_report);
            rc = LK_EXIT_CANTCREAT;
            goto cleanup;
        }
    }
    if (lk_org_run_render(&run, fmt, color, org_id, (const char *const *)a->policy_paths,
                          (size_t)a->n_policy_paths, stdout) != LK_STATUS_OK) {
        fprintf(stderr, "logkeep %s: the report could not be written\n", a->cmd);
        goto cleanup;
    }
    if (a->mode == LK_AWS_CMD_PLAN && fmt == LK_REPORT_TEXT)
        s_print_producer_calls(&run);
    switch (a->mode) {
    case LK_AWS_CMD_APPLY:
        rc = s_apply(a, &run);
        break;
    case LK_AWS_CMD_DRIFT:
        rc = sum.failed ? LK_EXIT_INCOMPLETE : sum.changed ? LK_EXIT_CHANGES : LK_EXIT_OK;
        break;
    default:
        /* plan: a failed pair makes the run incomplete, with --detailed-exitcode too. */
        rc = sum.failed                            ? LK_EXIT_INCOMPLETE
             : a->detailed_exitcode && sum.changed ? LK_EXIT_CHANGES
                                                   : LK_EXIT_OK;
        if (a->plan_out) {
            enum lk_status pst = lk_org_run_save_plan(
                &run, a->plan_out, (const char *const *)a->policy_paths, (size_t)a->n_policy_paths);
            if (pst != LK_STATUS_OK) {
                fprintf(stderr, "logkeep %s: %s\n", a->cmd, run.message ? run.message : "failed");
                if (!sum.failed)
                    rc = pst == LK_STATUS_IO ? LK_EXIT_CANTCREAT : LK_EXIT_FAILED;
                break;
            }
            size_t n_calls = 0, n_pairs = 0;
            for (size_t i = 0; i < run.n_pairs; i++) {
                n_calls += run.pairs[i].session.plan.n;
                n_pairs += run.pairs[i].session.plan.n > 0;
            }
            /* Standard output holds the report; a JSON or XML one stays a document. */
            fprintf(fmt == LK_REPORT_TEXT ? stdout : stderr,
                    "\nSaved the plan (%zu call%s in %zu pair%s) to %s. To make exactly these "
                    "changes, run:\n  logkeep apply %s\n",
                    n_calls, n_calls == 1 ? "" : "s", n_pairs, n_pairs == 1 ? "" : "s", a->plan_out,
                    a->plan_out);
        }
        break;
    }

cleanup:
    if (fflush(stdout) != 0 && rc == LK_EXIT_OK)
        rc = LK_EXIT_CANTCREAT;
    if (have_run)
        lk_org_run_free(&run);
    lk_ir_scope_free(scope);
    lk_arena_destroy(&arena);
    return rc;
}
