/*
 * logkeep: purpose rules (LK301, LK302). "Storing every type of log just in case" is a
 * SEC04-BP01 anti-pattern: each source states the use case it serves.
 */
#include <string.h>

#include "compiler/decode_int.h"

static char s_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Compares ignoring case and surrounding blanks and a final full stop. */
static bool s_is_placeholder(struct lk_str s)
{
    static const char *const vague[] = {"tbd", "todo", "tbc", "n/a", "na", "none", "-", "?",
                                        "just in case", "in case", "logs", "logging", "misc",
                                        "various", "test", "audit", "security", "compliance",
                                        "unknown", "placeholder", "xxx"};
    while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t')) {
        s.ptr++;
        s.len--;
    }
    while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '.' ||
                     s.ptr[s.len - 1] == '\t'))
        s.len--;
    for (size_t i = 0; i < sizeof(vague) / sizeof(vague[0]); i++) {
        size_t n = strlen(vague[i]);
        if (n != s.len)
            continue;
        size_t k = 0;
        while (k < n && s_lower(s.ptr[k]) == vague[i][k])
            k++;
        if (k == n)
            return true;
    }
    return false;
}

static size_t s_words(struct lk_str s)
{
    size_t words = 0;
    bool in_word = false;
    for (size_t i = 0; i < s.len; i++) {
        bool blank = s.ptr[i] == ' ' || s.ptr[i] == '\t' || s.ptr[i] == '\n';
        if (!blank && !in_word)
            words++;
        in_word = !blank;
    }
    return words;
}

void lk_check_purpose(struct lk_policy *p)
{
    for (size_t i = 0; i < p->n_srcs; i++) {
        struct lk_source *src = p->srcs[i];
        if (src->purpose_given && !src->purpose.set)
            continue; /* wrong type: LK010 already says so */
        if (!src->purpose.set || s_words(src->purpose.v) == 0) {
            struct lk_diag *d = lk_policy_report(p, lk_source_waivers(src), "LK301",
                                                 src->purpose.set ? src->purpose.span : src->span,
                                                 "source \"%.*s\" states no purpose",
                                                 LK_STR_ARG(src->name));
            if (d && d->severity != LK_SEV_NOTE)
                lk_diag_help(&p->diags, d, "say what the logs are for: purpose: \"network "
                                           "forensics for incident response\"");
            continue;
        }
        if (s_is_placeholder(src->purpose.v) || s_words(src->purpose.v) < 2) {
            struct lk_diag *d = lk_policy_report(p, lk_source_waivers(src), "LK302", src->purpose.span,
                                                 "the purpose of source \"%.*s\" (\"%.*s\") says "
                                                 "too little",
                                                 LK_STR_ARG(src->name),
                                                 LK_STR_ARG(src->purpose.v));
            if (d && d->severity != LK_SEV_NOTE)
                lk_diag_help(&p->diags, d, "name the investigations, audits or obligations the "
                                           "logs serve, in a few words");
        }
    }
}
