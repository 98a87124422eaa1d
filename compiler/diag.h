/*
 * logkeep: diagnostics about a policy, the rule catalogue, and their renderings.
 *
 * A diagnostic is {severity, rule, span, message}; the parser and the checks add them to one list
 * and carry on, so a single run reports every problem.
 */
#ifndef LK_DIAG_H
#define LK_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/arena.h"
#include "compiler/source.h"

enum lk_severity {
    LK_SEV_NOTE = 0,
    LK_SEV_WARNING = 1,
    LK_SEV_ERROR = 2,
};

/** One entry of the rule catalogue (rules.c). Every diagnostic names one. */
struct lk_rule {
    const char *id;      /* stable: "LK102" */
    const char *name;    /* kebab-case: "retention-ordering" */
    enum lk_severity severity;
    const char *summary; /* one line */
    const char *explain; /* what the rule checks and why */
    const char *source;  /* where the requirement comes from */
};

/** @return the rule with this id, or NULL. */
const struct lk_rule *lk_rule_find(const char *id);

/** @return true when findings of @p rule may be waived in a policy. */
bool lk_rule_waivable(const struct lk_rule *rule);

/** @return the catalogue and its length, in id order. */
const struct lk_rule *lk_rules_all(size_t *n);

struct lk_diag {
    enum lk_severity severity;
    const struct lk_rule *rule;
    struct lk_span span;
    const char *message;       /* arena */
    const char *help;          /* arena, optional: "did you mean ...", the value derived */
    struct lk_span related;    /* optional second location (file LK_SPAN_NONE_FILE when none) */
    const char *related_label; /* arena, optional: "first defined here" */
    const char *waiver;        /* arena: the reason of the waiver that turned the finding into a
                                * note (the waiver is the related location); NULL when none */
    size_t seq;                /* insertion order, for a stable sort */
};

struct lk_diags {
    struct lk_diag *items; /* owned (heap) */
    size_t n;
    size_t cap;
    struct lk_arena *arena; /* borrowed: holds the message strings */
    size_t n_errors;
    size_t n_warnings;
    size_t n_notes;
    size_t max_diags;       /* stop recording after this many (0: unlimited) */
    size_t n_dropped;
};

void lk_diags_init(struct lk_diags *diags, struct lk_arena *arena);
void lk_diags_free(struct lk_diags *diags);

/**
 * Adds a diagnostic with the rule's default severity.
 * @param rule_id must name a rule in the catalogue (aborts otherwise: a programming error).
 * @return the new diagnostic so the caller can attach help or a related location; NULL when the
 *         list is full.
 */
struct lk_diag *lk_diag_add(struct lk_diags *diags, const char *rule_id, struct lk_span span,
                            const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/** Attaches a "help" line (printf-style) to @p d. Accepts NULL. */
void lk_diag_help(struct lk_diags *diags, struct lk_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Attaches a related location with a label to @p d. Accepts NULL. */
void lk_diag_related(struct lk_diags *diags, struct lk_diag *d, struct lk_span span,
                     const char *label);

/** Changes the severity of @p d, keeping the counts right (waivers). Accepts NULL. */
void lk_diag_set_severity(struct lk_diags *diags, struct lk_diag *d, enum lk_severity sev);

/** Sorts by file, line, column, then insertion order (deterministic output). */
void lk_diags_sort(struct lk_diags *diags);

/** Turns warnings into errors (--strict). */
void lk_diags_promote_warnings(struct lk_diags *diags);

enum lk_diag_format {
    LK_DIAG_TEXT,
    LK_DIAG_JSON,
    LK_DIAG_SARIF,
    LK_DIAG_GITHUB,
};

/** @return true and the format for "text", "json", "sarif" or "github". */
bool lk_diag_format_parse(const char *name, enum lk_diag_format *out);

struct lk_render_opts {
    enum lk_diag_format format;
    bool color;            /* text only */
    const char *tool_version;
    const char *docs_url;  /* SARIF: the URL of the docs/ folder (rules.md is under it); each
                            * rule's helpUri is its section of rules.md. NULL: no helpUri */
};

/** Renders every diagnostic (and, for text, a summary line) to @p out. */
void lk_diags_render(struct lk_diags *diags, struct lk_sources *sources,
                     const struct lk_render_opts *opts, FILE *out);

/**
 * Levenshtein-based suggestion: the candidate closest to @p word within a distance that scales
 * with its length, or NULL.
 */
const char *lk_suggest(struct lk_str word, const char *const *candidates, size_t n);

#endif
