/*
 * logkeep: S3 bucket policy documents (IAM policy JSON), written directly: the structure is
 * fixed, and a policy per bucket for hundreds of buckets is worth not building a tree for.
 * Layout matches lk_json_print (two-space indentation).
 */
#include <string.h>

#include "compiler/emit.h"

static void s_indent(struct lk_buf *b, int depth)
{
    for (int i = 0; i < depth; i++)
        lk_buf_append(b, "  ", 2);
}

static void s_key(struct lk_buf *b, int depth, const char *key)
{
    s_indent(b, depth);
    lk_json_escape(b, key);
    lk_buf_append(b, ": ", 2);
}

/* A one-element list is written as a plain string, as AWS writes it back (GetBucketPolicy):
 * the drift checker treats both forms as equal anyway. */
static void s_list(struct lk_buf *b, int depth, const struct lk_ir_string_list *l)
{
    if (l->n == 1) {
        lk_json_escape(b, l->items[0]);
        return;
    }
    if (l->n == 0) {
        lk_buf_puts(b, "[]");
        return;
    }
    lk_buf_puts(b, "[\n");
    for (size_t i = 0; i < l->n; i++) {
        s_indent(b, depth + 1);
        lk_json_escape(b, l->items[i]);
        lk_buf_puts(b, i + 1 < l->n ? ",\n" : "\n");
    }
    s_indent(b, depth);
    lk_buf_putc(b, ']');
}

static void s_statement(struct lk_buf *b, const struct lk_ir_statement *s)
{
    lk_buf_puts(b, "    {\n");
    s_key(b, 3, "Sid");
    lk_json_escape(b, s->sid);
    lk_buf_puts(b, ",\n");
    s_key(b, 3, "Effect");
    lk_buf_puts(b, s->allow ? "\"Allow\",\n" : "\"Deny\",\n");
    s_key(b, 3, "Principal");
    if (s->principal_kind == LK_IR_PRINCIPAL_ANY) {
        lk_buf_puts(b, "\"*\",\n");
    } else {
        lk_buf_puts(b, "{\n");
        s_key(b, 4, s->principal_kind == LK_IR_PRINCIPAL_AWS ? "AWS" : "Service");
        s_list(b, 4, &s->principals);
        lk_buf_puts(b, "\n      },\n");
    }
    s_key(b, 3, "Action");
    s_list(b, 3, &s->actions);
    lk_buf_puts(b, ",\n");
    s_key(b, 3, "Resource");
    s_list(b, 3, &s->resources);
    if (s->n_conditions) {
        /* Conditions are sorted by operator, then key: group the keys of each operator. */
        lk_buf_puts(b, ",\n");
        s_key(b, 3, "Condition");
        lk_buf_puts(b, "{\n");
        for (size_t k = 0; k < s->n_conditions; k++) {
            const struct lk_ir_condition *c = &s->conditions[k];
            bool first_of_op = k == 0 || strcmp(s->conditions[k - 1].op, c->op) != 0;
            bool last_of_op = k + 1 == s->n_conditions || strcmp(s->conditions[k + 1].op, c->op);
            if (first_of_op) {
                s_key(b, 4, c->op);
                lk_buf_puts(b, "{\n");
            }
            s_key(b, 5, c->key);
            s_list(b, 5, &c->values);
            lk_buf_puts(b, last_of_op ? "\n" : ",\n");
            if (last_of_op) {
                s_indent(b, 4);
                lk_buf_puts(b, k + 1 < s->n_conditions ? "},\n" : "}\n");
            }
        }
        s_indent(b, 3);
        lk_buf_putc(b, '}');
    }
    lk_buf_puts(b, "\n    }");
}

char *lk_emit_bucket_policy_json(const struct lk_ir_bucket_policy *p, struct lk_arena *arena)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_DOCUMENT);
    lk_buf_puts(&b, "{\n  \"Version\": ");
    lk_json_escape(&b, p->version ? p->version : "2012-10-17");
    lk_buf_puts(&b, ",\n  \"Statement\": [");
    for (size_t i = 0; i < p->n_statements; i++) {
        lk_buf_puts(&b, i ? ",\n" : "\n");
        s_statement(&b, &p->statements[i]);
    }
    lk_buf_puts(&b, p->n_statements ? "\n  ]\n}\n" : "]\n}\n");
    return lk_buf_take_arena(&b, arena);
}
