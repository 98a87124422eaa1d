/*
 * logkeep runtime: plan files (see session.h): writing one (plan --out), reading one back
 * (apply PLAN.json), and the checks that refuse a saved plan once the policy, the payloads, the
 * live state, the changes or the calls differ from what was reviewed.
 */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/json.h"
#include "runtime/session_int.h"
#include "runtime/state_json.h"

/* Largest plan file read: it holds a live state document (LK_STATE_JSON_MAX_BYTES) besides the
 * diff and the calls, which are smaller than the state they come from. */
#define S_PLAN_MAX_BYTES (2 * LK_STATE_JSON_MAX_BYTES)

static cJSON *s_json_check(cJSON *item)
{
    if (!item)
        lk_oom();
    return item;
}

static cJSON *s_json_parse_or_die(const char *json)
{
    return s_json_check(cJSON_Parse(json));
}

/* ------------------------------------------------------------------------------ writing */

/* The calls of @p plan as [{"operation", "name", "region"}], in execution order; a call with an
 * effect to name (lk_apply_step_effect(): a database modified) has "effect" too. */
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
        const char *effect = lk_apply_step_effect(st);
        if (effect)
            s_json_check(cJSON_AddStringToObject(c, "effect", effect));
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

/* The plan file of @p s. @return a heap string (free()). */
static char *s_plan_file_json(const struct lk_session *s, const char *const *paths, size_t n_paths)
{
    const struct lk_ir_state *desired = s->desired;
    char desired_sha256[LK_SHA256_HEX_LEN + 1], live_sha256[LK_SHA256_HEX_LEN + 1];
    char *live_json = NULL;
    lk_session_state_sha256(desired, desired_sha256, NULL);
    lk_session_state_sha256(s->live, live_sha256, &live_json);

    cJSON *root = s_json_check(cJSON_CreateObject());
    s_json_check(cJSON_AddStringToObject(root, "format", LK_SESSION_PLAN_FORMAT));
    s_json_check(cJSON_AddNumberToObject(root, "version", LK_SESSION_PLAN_VERSION));
    s_json_check(cJSON_AddStringToObject(root, "logkeep_version", PACKAGE_VERSION));
    s_json_check(
        cJSON_AddStringToObject(root, "account", desired->account ? desired->account : ""));
    s_json_check(cJSON_AddStringToObject(root, "region", desired->region ? desired->region : ""));
    cJSON *jp = s_json_check(cJSON_AddArrayToObject(root, "policy_paths"));
    for (size_t i = 0; i < n_paths; i++) {
        /* Absolute, so apply finds the policy from any directory. */
        char cwd[4096];
        struct lk_buf abs;
        lk_buf_init(&abs, LK_BUF_MAX_LINE);
        if (paths[i][0] != '/' && getcwd(cwd, sizeof(cwd)))
            lk_buf_printf(&abs, "%s/", cwd);
        lk_buf_puts(&abs, paths[i]);
        const char *text = lk_buf_cstr(&abs);
        if (!text) {
            /* A path longer than any file system takes: no plan is better than a wrong one. */
            lk_buf_free(&abs);
            cJSON_Delete(root);
            free(live_json);
            return NULL;
        }
        cJSON_AddItemToArray(jp, s_json_check(cJSON_CreateString(text)));
        lk_buf_free(&abs);
    }
    s_json_check(cJSON_AddStringToObject(root, "desired_sha256", desired_sha256));
    cJSON *ja = s_json_check(cJSON_AddArrayToObject(root, "artifacts"));
    for (size_t i = 0; i < s->artifacts->n; i++) {
        cJSON *x = s_json_check(cJSON_CreateObject());
        cJSON_AddItemToArray(ja, x);
        s_json_check(cJSON_AddStringToObject(x, "path", s->artifacts->items[i].path));
        s_json_check(cJSON_AddStringToObject(x, "sha256", s->artifacts->items[i].sha256));
    }
    s_json_check(cJSON_AddStringToObject(root, "live_sha256", live_sha256));
    cJSON_AddItemToObject(root, "allow", s_allow_json(&s->diff));
    cJSON_AddItemToObject(root, "calls", s_calls_json(&s->plan));
    char *dj = lk_diff_to_json(&s->diff);
    cJSON_AddItemToObject(root, "diff", s_json_parse_or_die(dj));
    free(dj);
    cJSON_AddItemToObject(root, "live_state", s_json_parse_or_die(live_json));
    free(live_json);

    struct lk_arena arena;
    lk_arena_init(&arena);
    const char *text = lk_json_print(root, &arena);
    char *out = text ? lk_xstrdup(text) : NULL; /* NULL past LK_BUF_MAX_DOCUMENT */
    lk_arena_destroy(&arena);
    cJSON_Delete(root);
    return out;
}

enum lk_status lk_session_write_atomic(const char *path, const char *text, char **message)
{
    if (!path || !text)
        return LK_STATUS_INVALID_ARGUMENT;
    if (message)
        *message = NULL;
    size_t n = strlen(path);
    char *tmp = lk_xmalloc(n + sizeof(".tmp.XXXXXX"));
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));
    int fd = mkstemp(tmp);
    bool ok = fd >= 0;
    int err = errno;
    if (ok) {
        /* mkstemp makes 0600; a plan is as readable as any file the user writes. */
        mode_t mask = umask(0);
        umask(mask);
        ok = fchmod(fd, 0666 & ~mask) == 0;
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
        err = errno;
        if (!ok)
            unlink(tmp);
    }
    if (!ok && message) {
        const char *why = strerror(err);
        *message = lk_xmalloc(n + strlen(why) + sizeof("cannot write : "));
        sprintf(*message, "cannot write %s: %s", path, why);
    }
    free(tmp);
    return ok ? LK_STATUS_OK : LK_STATUS_IO;
}

/* Writes @p text to @p path atomically (lk_session_write_atomic()), the failure as the
 * session's message. */
static enum lk_status s_write_atomic(struct lk_session *s, const char *path, const char *text)
{
    char *msg = NULL;
    enum lk_status rc = lk_session_write_atomic(path, text, &msg);
    if (msg) {
        free(s->message);
        s->message = msg;
    }
    return rc;
}

enum lk_status lk_session_plan_document(struct lk_session *s, const char *const *policy_paths,
                                        size_t n_policy_paths, char **out)
{
    if (!s || !out || !s->desired || !s->live || !s->artifacts || (n_policy_paths && !policy_paths))
        return LK_STATUS_INVALID_ARGUMENT;
    *out = s_plan_file_json(s, policy_paths, n_policy_paths);
    if (!*out) {
        lk_session_fail(s, "the plan would exceed %zu bytes", (size_t)LK_BUF_MAX_DOCUMENT);
        return LK_STATUS_TOO_LARGE;
    }
    return LK_STATUS_OK;
}

enum lk_status lk_session_save_plan(struct lk_session *s, const char *path,
                                    const char *const *policy_paths, size_t n_policy_paths)
{
    if (!s || !path || !s->desired || !s->live || !s->artifacts ||
        (n_policy_paths && !policy_paths))
        return LK_STATUS_INVALID_ARGUMENT;
    char *json = s_plan_file_json(s, policy_paths, n_policy_paths);
    if (!json) {
        lk_session_fail(s, "the plan would exceed %zu bytes", (size_t)LK_BUF_MAX_DOCUMENT);
        return LK_STATUS_TOO_LARGE;
    }
    enum lk_status rc = s_write_atomic(s, path, json);
    free(json);
    return rc;
}

/* ------------------------------------------------------------------------------ reading */

void lk_session_saved_free(struct lk_session_saved *sp)
{
    if (!sp)
        return;
    cJSON_Delete(sp->root);
    free(sp);
}

static bool s_is_sha256(const cJSON *x)
{
    if (!cJSON_IsString(x) || strlen(x->valuestring) != LK_SHA256_HEX_LEN)
        return false;
    return strspn(x->valuestring, "0123456789abcdef") == LK_SHA256_HEX_LEN;
}

static bool s_is_string_array(const cJSON *x)
{
    if (!cJSON_IsArray(x))
        return false;
    const cJSON *e;
    cJSON_ArrayForEach(e, x) if (!cJSON_IsString(e)) return false;
    return true;
}

/* Checks the members of a plan document and points @p sp at them. @return NULL, or what is
 * wrong. */
static const char *s_saved_check(struct lk_session_saved *sp)
{
    const cJSON *r = sp->root;
#define S_GET(k) cJSON_GetObjectItemCaseSensitive(r, k)
    const cJSON *v = S_GET("version");
    if (!cJSON_IsNumber(v))
        return "\"version\": expected a number";
    if (v->valuedouble != LK_SESSION_PLAN_VERSION)
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
#undef S_GET
    return NULL;
}

/* The plan document @p *spp (parsed, an object with a "format") becomes the session's saved
 * plan: checked, then moved into @p s (@p *spp set to NULL). @p label names it in messages and
 * must outlive the session. @return LK_STATUS_OK, or LK_STATUS_UNSUPPORTED with a message. */
static enum lk_status s_open_parsed(struct lk_session *s, struct lk_session_saved **spp,
                                    const char *label)
{
    struct lk_session_saved *sp = *spp;
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(sp->root, "format");
    /* Another logkeep document, or a plan this build cannot read. */
    if (!cJSON_IsString(format) || strcmp(format->valuestring, LK_SESSION_PLAN_FORMAT)) {
        lk_session_fail(s, "%s: not a plan file (\"format\" is %s, not \"%s\")", label,
                        cJSON_IsString(format) ? format->valuestring : "not a string",
                        LK_SESSION_PLAN_FORMAT);
        return LK_STATUS_UNSUPPORTED;
    }
    const char *why = s_saved_check(sp);
    if (why) {
        lk_session_fail(s, "%s: not a valid plan file: %s", label, why);
        return LK_STATUS_UNSUPPORTED;
    }
    const cJSON *paths = cJSON_GetObjectItemCaseSensitive(sp->root, "policy_paths"), *e;
    s->n_saved_policy_paths = (size_t)cJSON_GetArraySize(paths);
    s->saved_policy_paths = lk_xcalloc(s->n_saved_policy_paths + 1, sizeof(char *));
    size_t i = 0;
    cJSON_ArrayForEach(e, paths) s->saved_policy_paths[i++] = e->valuestring;
    s->saved_plan_path = label;
    s->saved = sp;
    *spp = NULL;
    return LK_STATUS_OK;
}

enum lk_status lk_session_open_plan(struct lk_session *s, const char *path)
{
    if (!s || !path || s->kind != LK_SESSION_APPLY || s->saved)
        return LK_STATUS_INVALID_ARGUMENT;
    size_t n = strlen(path);
    struct stat st;
    if (n < 5 || strcmp(path + n - 5, ".json") || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return LK_STATUS_OK; /* not a plan: saved_plan_path stays NULL */
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_DOCUMENT);
    struct lk_session_saved *sp = lk_xcalloc(1, sizeof(*sp));
    enum lk_status rc = lk_session_read_file(s, path, S_PLAN_MAX_BYTES, "plan file", &b);
    if (rc != LK_STATUS_OK)
        goto cleanup;
    rc = LK_STATUS_MALFORMED;
    const char *text = lk_buf_cstr(&b);
    sp->root = cJSON_ParseWithLength(text, b.len);
    if (!sp->root) {
        if (!strstr(text, "\"" LK_SESSION_PLAN_FORMAT "\"")) {
            rc = LK_STATUS_OK; /* not JSON: a policy, maybe */
            goto cleanup;
        }
        const char *at = cJSON_GetErrorPtr();
        size_t off = at && at >= text && at <= text + b.len ? (size_t)(at - text) : 0;
        lk_session_fail(s,
                        "%s: not a valid plan file: JSON syntax error at byte %zu (damaged or "
                        "cut short); run plan --out again",
                        path, off);
        goto cleanup;
    }
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(sp->root, "format");
    if (!cJSON_IsObject(sp->root) || !format) {
        rc = LK_STATUS_OK; /* JSON, but no document of logkeep's: a policy, maybe */
        goto cleanup;
    }
    rc = s_open_parsed(s, &sp, path);
cleanup:
    lk_session_saved_free(sp);
    lk_buf_free(&b);
    return rc;
}

enum lk_status lk_session_open_plan_text(struct lk_session *s, const char *label, const char *text,
                                         size_t len)
{
    if (!s || !label || !text || s->kind != LK_SESSION_APPLY || s->saved)
        return LK_STATUS_INVALID_ARGUMENT;
    if (len > S_PLAN_MAX_BYTES) {
        lk_session_fail(s, "%s: larger than a plan file can be", label);
        return LK_STATUS_TOO_LARGE;
    }
    struct lk_session_saved *sp = lk_xcalloc(1, sizeof(*sp));
    sp->root = cJSON_ParseWithLength(text, len);
    enum lk_status rc;
    if (!sp->root || !cJSON_IsObject(sp->root)) {
        lk_session_fail(s, "%s: not a valid plan: not a JSON object", label);
        rc = LK_STATUS_MALFORMED;
    } else {
        rc = s_open_parsed(s, &sp, label);
    }
    lk_session_saved_free(sp);
    return rc;
}

/* ------------------------------------------------------------------------------ checks */

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

static void s_print_value(const cJSON *v, struct lk_buf *b)
{
    if (!v) {
        lk_buf_puts(b, "(absent)");
        return;
    }
    char *text = cJSON_PrintUnformatted(v);
    if (!text) {
        lk_buf_puts(b, "?");
        return;
    }
    if (strlen(text) > 120)
        lk_buf_printf(b, "%.117s...", text);
    else
        lk_buf_puts(b, text);
    cJSON_free(text);
}

/* Writes "  PATH: OLD -> NEW" for each leaf where two state documents differ, the first
 * LK_SESSION_MAX_NAMED of them; array elements are matched by their label, so a reordering is
 * no difference. @p count receives how many there are. */
static void s_json_changes(const cJSON *old, const cJSON *now, const char *path, struct lk_buf *b,
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
            s_json_changes(x, cJSON_GetObjectItemCaseSensitive(now, x->string), sub, b, count);
        }
        cJSON_ArrayForEach(x, now)
        {
            if (cJSON_GetObjectItemCaseSensitive(old, x->string))
                continue;
            snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", x->string);
            s_json_changes(NULL, x, sub, b, count);
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
                const cJSON *c = cJSON_GetArrayItem(now, j);
                s_elem_label(c, j, lb, sizeof(lb));
                if (!used[j] && !strcmp(la, lb)) {
                    used[j] = true;
                    match = c;
                }
            }
            snprintf(sub, sizeof(sub), "%s[%s]", path, la);
            s_json_changes(a, match, sub, b, count);
        }
        for (int j = 0; j < n_now; j++) {
            if (used[j])
                continue;
            const cJSON *c = cJSON_GetArrayItem(now, j);
            s_elem_label(c, j, lb, sizeof(lb));
            snprintf(sub, sizeof(sub), "%s[%s]", path, lb);
            s_json_changes(NULL, c, sub, b, count);
        }
        free(used);
        return;
    }
    if ((*count)++ >= LK_SESSION_MAX_NAMED)
        return;
    lk_buf_printf(b, "  %s: ", path);
    s_print_value(old, b);
    lk_buf_puts(b, " -> ");
    s_print_value(now, b);
    lk_buf_putc(b, '\n');
}

/* Names, into @p b when not NULL, the artifacts whose payload differs from the plan's (or that
 * one side lacks). @return how many. */
static size_t s_artifact_changes(const cJSON *planned, const struct lk_artifacts *arts,
                                 struct lk_buf *b)
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
        if (n++ < LK_SESSION_MAX_NAMED && b)
            lk_buf_printf(b, "  %s: %s\n", path, x ? "payload differs" : "no longer produced");
    }
    for (size_t i = 0; i < arts->n; i++) {
        bool found = false;
        cJSON_ArrayForEach(e, planned) found =
            found ||
            !strcmp(cJSON_GetObjectItemCaseSensitive(e, "path")->valuestring, arts->items[i].path);
        if (!found && n++ < LK_SESSION_MAX_NAMED && b)
            lk_buf_printf(b, "  %s: new payload\n", arts->items[i].path);
    }
    if (n > LK_SESSION_MAX_NAMED && b)
        lk_buf_printf(b, "  ... and %zu more\n", n - LK_SESSION_MAX_NAMED);
    return n;
}

enum lk_status lk_session_saved_check_desired(struct lk_session *s)
{
    const struct lk_session_saved *sp = s->saved;
    char desired_sha256[LK_SHA256_HEX_LEN + 1];
    lk_session_state_sha256(s->desired, desired_sha256, NULL);
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_REPORT);
    if (strcmp(desired_sha256, sp->desired_sha256) != 0) {
        lk_buf_printf(&b,
                      "refusing: the policy changed since the plan was made (%s); run plan "
                      "again. Nothing was read or changed.\n",
                      s->saved_plan_path);
        if (s_artifact_changes(sp->artifacts, s->artifacts, &b) == 0)
            lk_buf_puts(&b, "  the desired state differs, though no payload does\n");
        lk_session_fail_buf(s, &b);
        return LK_STATUS_REFUSED;
    }
    if (s_artifact_changes(sp->artifacts, s->artifacts, NULL) != 0) {
        /* Same desired state, other payloads: another logkeep version, say. */
        lk_buf_printf(&b,
                      "refusing: the payloads differ from the plan's (%s); run plan again. "
                      "Nothing was read or changed.\n",
                      s->saved_plan_path);
        s_artifact_changes(sp->artifacts, s->artifacts, &b);
        lk_session_fail_buf(s, &b);
        return LK_STATUS_REFUSED;
    }
    return LK_STATUS_OK;
}

enum lk_status lk_session_saved_check_live(struct lk_session *s)
{
    const struct lk_session_saved *sp = s->saved;
    char live_sha256[LK_SHA256_HEX_LEN + 1];
    char *live_json = NULL;
    lk_session_state_sha256(s->live, live_sha256, &live_json);
    enum lk_status rc = LK_STATUS_OK;
    if (strcmp(live_sha256, sp->live_sha256) != 0) {
        struct lk_buf b;
        lk_buf_init(&b, LK_BUF_MAX_REPORT);
        lk_buf_puts(&b, "refusing: live state changed since the plan was made; run plan again. "
                        "Nothing was changed. What changed (at plan time -> now):\n");
        cJSON *now = s_json_parse_or_die(live_json);
        size_t count = 0;
        s_json_changes(sp->live_state, now, "", &b, &count);
        cJSON_Delete(now);
        if (count == 0)
            lk_buf_printf(&b,
                          "  the plan's live state does not match its fingerprint (%s was "
                          "edited?)\n",
                          s->saved_plan_path);
        else if (count > LK_SESSION_MAX_NAMED)
            lk_buf_printf(&b, "  ... and %zu more\n", count - LK_SESSION_MAX_NAMED);
        lk_session_fail_buf(s, &b);
        rc = LK_STATUS_REFUSED;
    }
    free(live_json);
    return rc;
}

/* Drops the "origin" of every change of a diff document. Where the policy says a thing is no
 * part of what a plan does: the desired state's fingerprint already holds the policy to the
 * plan's, and a file's path differs when apply runs elsewhere (the plan keeps absolute paths),
 * its lines when only comments moved. Plans written before changes had origins compare the
 * same. */
static void s_strip_origins(cJSON *diff)
{
    cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(diff, "changes"))
        cJSON_DeleteItemFromObjectCaseSensitive(c, "origin");
}

enum lk_status lk_session_saved_check_calls(struct lk_session *s)
{
    const struct lk_session_saved *sp = s->saved;
    char *dj = lk_diff_to_json(&s->diff);
    cJSON *d = s_json_parse_or_die(dj), *calls = s_calls_json(&s->plan);
    cJSON *planned = s_json_check(cJSON_Duplicate(sp->diff, true));
    free(dj);
    s_strip_origins(d);
    s_strip_origins(planned);
    bool same_diff = cJSON_Compare(d, planned, true);
    bool same_calls = cJSON_Compare(calls, sp->calls, true);
    cJSON_Delete(planned);
    cJSON_Delete(d);
    cJSON_Delete(calls);
    if (same_diff && same_calls)
        return LK_STATUS_OK;
    lk_session_fail(s,
                    "refusing: the %s now differ from the plan's (%s); run plan again. Nothing "
                    "was changed.",
                    same_diff ? "calls" : "changes", s->saved_plan_path);
    return LK_STATUS_REFUSED;
}
