/*
 * logkeep: YAML reading. libyaml events become a tree of located nodes; the policy decoder
 * (decode.c) then gives the tree its meaning.
 *
 * The reader enforces the input bounds: nesting depth, alias expansion, core-schema tags, unique
 * keys and one document per file. Each problem is a located diagnostic.
 */
#ifndef LK_YAML_READ_H
#define LK_YAML_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "compiler/source.h"

struct lk_diags;

/* Deepest nesting of mappings and sequences accepted. The language needs about six. */
#define LK_YAML_MAX_DEPTH 64
/* Aliases per file, and nodes their expansion may add (billion-laughs bound). */
#define LK_YAML_MAX_ALIASES 64
#define LK_YAML_MAX_ALIAS_NODES 10000

enum lk_ynode_kind {
    LK_Y_SCALAR,
    LK_Y_MAP,
    LK_Y_SEQ,
};

/* What a scalar resolves to under the YAML 1.2 core schema (§10.3.2). Quoted scalars and
 * scalars tagged !!str are always strings. */
enum lk_yscalar_type {
    LK_YS_STR,
    LK_YS_INT,
    LK_YS_FLOAT,
    LK_YS_BOOL,
    LK_YS_NULL,
};

struct lk_ynode {
    uint8_t kind;               /* enum lk_ynode_kind */
    uint8_t stype;              /* enum lk_yscalar_type; scalars only */
    uint32_t weight;            /* nodes in this subtree, aliases expanded (saturating) */
    struct lk_span span;        /* the node's start; len covers a scalar on its line */
    struct lk_str text;         /* scalars: the value, NUL-terminated in the arena */
    size_t n;                   /* mappings: pairs; sequences: items */
    struct lk_ynode **keys;     /* arena: mappings only, n entries (always scalars) */
    struct lk_ynode **values;   /* arena: mapping values or sequence items, n entries */
};

/**
 * Reads the YAML document in file @p file_id of @p sources.
 * @param arena owns the returned tree.
 * @return the document's root node, or NULL when the file could not be read into a tree (every
 *         reason has been reported to @p diags).
 */
struct lk_ynode *lk_yaml_read(struct lk_sources *sources, uint32_t file_id, struct lk_arena *arena,
                              struct lk_diags *diags);

/**
 * Streaming: the entries of chosen top-level sections ("sources:", ...) are handed to a callback
 * as soon as each is complete, and their nodes are released, so a policy with ten thousand
 * sources never holds ten thousand subtrees at once. The section's mapping then appears empty in
 * the returned tree.
 */
struct lk_yaml_stream {
    void (*entry)(void *ctx, const struct lk_ynode *section_key, const struct lk_ynode *key,
                  const struct lk_ynode *value);
    void *ctx;
    const char *const *sections; /* top-level keys whose entries are streamed */
    size_t n_sections;
};

/**
 * Like lk_yaml_read(), streaming the entries of @p stream's sections.
 * @param arena owns scalar texts, which stay valid after the call.
 * @param scratch owns the nodes; streamed entries are released from it as they are decoded.
 */
struct lk_ynode *lk_yaml_read_stream(struct lk_sources *sources, uint32_t file_id,
                                     struct lk_arena *arena, struct lk_arena *scratch,
                                     struct lk_diags *diags, const struct lk_yaml_stream *stream);

/** @return a human name for a node's type: "a mapping", "a string", "an integer", ... */
const char *lk_ynode_describe(const struct lk_ynode *node);

#endif
