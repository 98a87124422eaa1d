/*
 * logkeep: compliance baselines (docs/baselines.md).
 *
 * A baseline is a data file that states requirements on retention, availability, trails and
 * stores, each with the standard's own requirement number and a citation. The built-in ones
 * are policies/<name>.yaml, compiled into the binary; an organisation adds its own as files in
 * its policy repository. This module reads and checks baseline files; check_baselines.c holds
 * a policy to the baselines it lists.
 */
#ifndef LK_BASELINE_H
#define LK_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "compiler/diag.h"
#include "compiler/source.h"

/** Which sources a requirement applies to. */
enum lk_baseline_scope {
    LK_BASELINE_ALL,           /* every source (the default) */
    LK_BASELINE_PERSONAL_DATA, /* sources with personal_data: true */
    LK_BASELINE_TYPES,         /* sources of the listed types */
};

/** A yes/no setting a requirement may ask for: unset, or the value required. */
enum lk_baseline_want {
    LK_WANT_ANY = 0,
    LK_WANT_OFF,
    LK_WANT_ON,
};

/** A duration limit: set, and its days. */
struct lk_baseline_days {
    bool set;
    int64_t days;
    const char *text; /* as written in the file, for messages ("1y") */
};

struct lk_baseline_req {
    const char *id;   /* the standard's number, "10.5.1" */
    const char *text; /* the requirement in a sentence */
    bool interpretation;
    struct lk_span span; /* the requirement in the baseline file */

    enum lk_baseline_scope scope;
    uint32_t types; /* LK_BASELINE_TYPES: bit (1 << enum lk_source_type) per type */

    struct lk_baseline_days min_retention, max_retention, min_available;
    bool finite;

    struct {
        enum lk_baseline_want multi_region, log_file_validation, kms, management_events,
            global_service_events;
        const char *read_write; /* NULL: any */
    } trail;
    struct {
        enum lk_baseline_want versioning, object_lock, kms;
    } store;
    uint32_t require_types; /* bit per source type the policy must have a source of */
};

struct lk_baseline {
    const char *name;    /* "pci-dss-4.0" */
    const char *title;   /* a line naming the standard and what the file encodes */
    const char *summary; /* one line for `logkeep baselines` */
    bool rescinded;
    const char *superseded_by; /* with rescinded, or NULL */
    const char *rescinded_on;  /* with rescinded: the date, "YYYY-MM-DD", or NULL */
    /* How the figures were checked: "verified" (against the standard's own text or an official
     * publication of it), "secondary" (against sources that quote or map it), "unverified";
     * NULL when the file does not say. */
    const char *verification;
    const char *verified_on; /* with verified or secondary: the date of the check */
    const char **sources;    /* citations */
    size_t n_sources;
    const char *interpretation; /* where the file interprets, or NULL */
    const char **not_checked;   /* parts of the standard logkeep cannot check */
    size_t n_not_checked;
    struct lk_baseline_req *reqs;
    size_t n_reqs;
    const char *origin; /* "built-in" or the file's path */
};

/** @return the built-in baseline names, in name order; @p n receives their number. */
const char *const *lk_baseline_builtin_names(size_t *n);

/** @return true when a baselines: entry names a file (a relative path ending in ".yaml"). */
bool lk_baseline_entry_is_path(struct lk_str entry);

/**
 * Reads a baseline file already in @p sources. Problems are reported as LK509 (or the YAML
 * rules) located in the file.
 * @param expected_name the name the file must declare (a built-in's name, or the file's base
 *        name without ".yaml"), or NULL for any
 * @return the baseline, allocated in @p arena, or NULL when the file is not a valid baseline
 */
struct lk_baseline *lk_baseline_read(struct lk_sources *sources, uint32_t file_id,
                                     const char *expected_name, const char *origin,
                                     struct lk_arena *arena, struct lk_diags *diags);

/**
 * Loads a built-in baseline by name into @p sources and reads it.
 * @return the baseline, or NULL when no built-in has that name (nothing reported) or it is
 *         invalid (reported)
 */
struct lk_baseline *lk_baseline_load_builtin(const char *name, struct lk_sources *sources,
                                             struct lk_arena *arena, struct lk_diags *diags);

#endif
