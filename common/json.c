/*
 * logkeep: deterministic pretty-printing of cJSON trees.
 */
#include "common/json.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "common/escape.h"

static void s_indent(struct lk_buf *b, int depth)
{
    for (int i = 0; i < depth; i++)
        lk_buf_puts(b, "  ");
}

static void s_print(struct lk_buf *b, const cJSON *item, int depth)
{
    if (cJSON_IsObject(item) || cJSON_IsArray(item)) {
        bool obj = cJSON_IsObject(item);
        const cJSON *child = item->child;
        if (!child) {
            lk_buf_puts(b, obj ? "{}" : "[]");
            return;
        }
        lk_buf_puts(b, obj ? "{\n" : "[\n");
        for (; child; child = child->next) {
            s_indent(b, depth + 1);
            if (obj) {
                lk_json_escape(b, child->string);
                lk_buf_puts(b, ": ");
            }
            s_print(b, child, depth + 1);
            lk_buf_puts(b, child->next ? ",\n" : "\n");
        }
        s_indent(b, depth);
        lk_buf_putc(b, obj ? '}' : ']');
        return;
    }
    if (cJSON_IsString(item)) {
        lk_json_escape(b, item->valuestring);
        return;
    }
    if (cJSON_IsNumber(item) && item->valuedouble == (double)item->valueint) {
        lk_buf_printf(b, "%d", item->valueint);
        return;
    }
    /* true, false, null and non-integral numbers: cJSON formats them. */
    char *leaf = cJSON_PrintUnformatted(item);
    if (!leaf)
        lk_oom();
    lk_buf_puts(b, leaf);
    cJSON_free(leaf);
}

char *lk_json_print(const cJSON *item, struct lk_arena *arena)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_DOCUMENT);
    s_print(&b, item, 0);
    lk_buf_putc(&b, '\n');
    return lk_buf_take_arena(&b, arena);
}
