/*
 * logkeep: the policy AST.
 *
 * A policy is what one or more YAML files say, merged, with every value located (struct lk_span)
 * so diagnostics can point at it. The decoder fills it; the checks read it; lowering to the IR of
 * AWS state reads it. Nothing here knows libyaml.
 *
 * Memory: everything hangs off one arena (struct lk_policy.arena); lk_policy_free() releases it.
 */
#ifndef LK_POLICY_H
#define LK_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/result.h"
#include "common/arena.h"
#include "compiler/diag.h"
#include "compiler/source.h"

/* The language version this build implements. */
#define LK_LANGUAGE_VERSION 1

/** A located string value. @c set is false when the key was absent. */
struct lk_text {
    struct lk_str v;
    struct lk_span span;
    bool set;
};

/** A located boolean. */
struct lk_flag {
    bool v;
    struct lk_span span;
    bool set;
};

/** A located duration, already converted to days (see duration.c). */
struct lk_days {
    int64_t days;  /* meaningful when !forever */
    bool forever;
    struct lk_span span;
    bool set;
};

struct lk_text_list {
    struct lk_text *items; /* arena */
    size_t n;
    struct lk_span span;
    bool set;
};

/** "waivers: { LK402: reason }": turns one rule's findings on this entry into notes. */
struct lk_waiver {
    struct lk_text rule;
    struct lk_text reason;
    bool used; /* a finding matched it */
};

struct lk_waivers {
    struct lk_waiver *items; /* arena */
    size_t n;
};

enum lk_access {
    LK_ACCESS_READ,
    LK_ACCESS_ADMIN,
};

struct lk_role {
    struct lk_str name;
    struct lk_span span; /* the name's key */
    struct lk_text_list principals;
    enum lk_access access;
    struct lk_span access_span;
    bool access_set;
    struct lk_text description;
    bool used;
};

/* S3 storage classes an archive tier may use. Order: warmest to coldest. */
enum lk_storage_class {
    LK_SC_STANDARD_IA,
    LK_SC_ONEZONE_IA,
    LK_SC_INTELLIGENT_TIERING,
    LK_SC_GLACIER_IR,
    LK_SC_GLACIER,
    LK_SC_DEEP_ARCHIVE,
    LK_SC_COUNT,
};

struct lk_tier {
    struct lk_days after;
    enum lk_storage_class storage_class;
    struct lk_span class_span;
    struct lk_span span;
};

/** A retention class, named (under "retention:") or inline in a source. */
struct lk_retention {
    struct lk_str name; /* empty for an inline retention */
    struct lk_span span;
    bool named;
    struct lk_days available;
    struct lk_tier *tiers; /* arena */
    size_t n_tiers;
    struct lk_span archive_span;
    bool archive_set;
    struct lk_days delete_after;
    bool used;
    bool cwl_noted[2]; /* LK111 already reported for [0] delete_after, [1] available */
};

enum lk_lock_mode {
    LK_LOCK_GOVERNANCE,
    LK_LOCK_COMPLIANCE,
};

struct lk_store {
    struct lk_str name;
    struct lk_span span;
    struct lk_text bucket;
    struct lk_text region; /* defaults to the policy's region */
    struct lk_text account; /* an account name of "accounts:"; required when the policy declares
                             * accounts, refused otherwise */
    struct lk_text kms_key;
    struct lk_span encryption_span;
    bool encryption_set;
    struct lk_flag versioning; /* default: true */
    struct {
        bool set;
        struct lk_span span;
        enum lk_lock_mode mode;
        struct lk_span mode_span;
        bool mode_set;
        struct lk_days period;
    } object_lock;
    struct lk_text_list readers;
    struct lk_text_list admins;
    struct lk_flag transition_small_objects;
    struct lk_days abort_incomplete_uploads; /* default: 7 days */
    struct lk_waivers waivers;
    bool used;
    /* Resolved by lk_policy_check() (valid when the policy has no errors): the store's account
     * ID and Region (arena; a single-account policy: its account, the store's region). */
    const char *scope_account;
    const char *scope_region;
    struct lk_source *shortest_lived; /* check scratch: its source deleting soonest */
    bool baseline_due;                /* check scratch: holds logs a baseline requirement covers */
};

enum lk_source_type {
    LK_SRC_CLOUDTRAIL,
    LK_SRC_VPC_FLOW_LOGS,
    LK_SRC_ROUTE53_RESOLVER,
    LK_SRC_ELB,
    LK_SRC_NLB,
    LK_SRC_WAF,
    LK_SRC_NETWORK_FIREWALL,
    LK_SRC_CONFIG,
    LK_SRC_GUARDDUTY,
    LK_SRC_EKS_AUDIT,
    LK_SRC_RDS,
    LK_SRC_CLOUDWATCH_LOGS,
    LK_SRC_S3_PREFIX,
    LK_SRC_LOG_GROUP,
    LK_SRC_TYPE_COUNT,
};

/* Destinations a source type can write to (bit set). */
#define LK_DEST_S3 1u
#define LK_DEST_LOGS 2u

/** What the language knows of each source type (sources.c). */
struct lk_source_type_info {
    enum lk_source_type type;
    const char *name;        /* as written in policies: "vpc-flow-logs" */
    const char *title;       /* "VPC Flow Logs" */
    unsigned destinations;   /* LK_DEST_* the service can deliver to */
    const char *log_group_prefix; /* required prefix of log group names, or NULL */
    const char *bucket_prefix;    /* required prefix of bucket names, or NULL */
};

/** @return the catalogue entry of @p type. */
const struct lk_source_type_info *lk_source_type_info(enum lk_source_type type);

/** @return true and the type written as @p name. */
bool lk_source_type_parse(struct lk_str name, enum lk_source_type *out);

/** @return the names of all source types, for suggestions and messages. */
const char *const *lk_source_type_names(size_t *n);

struct lk_trail_cfg {
    bool set;
    struct lk_span span;
    struct lk_text name; /* defaults to the source name */
    struct lk_flag multi_region;          /* default true */
    struct lk_flag organization;          /* default false */
    struct lk_text organization_id;       /* "o-..."; required for organization trails */
    struct lk_flag log_file_validation;   /* default true */
    struct lk_flag global_service_events; /* default true */
    struct lk_flag management_events;     /* default true */
    struct lk_text read_write;            /* All (default) | ReadOnly | WriteOnly */
    struct lk_text kms_key;
    struct {
        bool set;
        struct lk_span span;
        struct lk_text log_group;
        struct lk_text role;
    } cloudwatch;
};

/* ------------------------------------------------------------------------------ coverage */

/** A tag a selected producer must carry: "tags: { env: prod }". */
struct lk_tag_match {
    struct lk_text key;
    struct lk_text value;
};

/** "exclude: { <producer id>: <reason> }": a producer the source does not require, and why. */
struct lk_exclusion {
    struct lk_text id;
    struct lk_text reason;
};

/**
 * What a source of a producing type (lk_source_type_produces()) says about its producers
 * (docs/language.md, "Coverage and enable"). Absent keys keep their defaults: coverage on, every
 * producer of the source's scope, enable off, the type's default log types.
 */
struct lk_coverage_cfg {
    struct lk_flag coverage; /* "coverage: false" opts the source out of the check */
    struct lk_flag enable;   /* apply turns delivery on where it is off */
    struct lk_span resources_span;
    bool resources_set;
    bool tags_set;
    struct lk_text_list ids;   /* producer IDs, in the type's form (lk_coverage_id_problem()) */
    struct lk_text_list names; /* name patterns ('*' for any run of characters) */
    struct lk_tag_match *tags; /* arena; every one must match */
    size_t n_tags;
    struct lk_span tags_span;
    struct lk_exclusion *exclude; /* arena */
    size_t n_exclude;
    struct lk_text_list log_types; /* eks-audit and rds */
    struct lk_text delivery_role;  /* vpc-flow-logs to log groups: the name of the role, in each
                                    * account, that CreateFlowLogs passes as
                                    * DeliverLogsPermissionArn */
};

/** @return true for the types whose producers coverage checks (vpc-flow-logs ... rds). */
bool lk_source_type_produces(enum lk_source_type type);

/**
 * @return NULL when @p id is a producer ID of @p type as AWS writes it, else what the type's IDs
 *         look like (for a message: "a VPC ID (vpc- and 8 or 17 hexadecimal digits)").
 */
const char *lk_coverage_id_problem(enum lk_source_type type, struct lk_str id);

/* The keys of a source that few sources write, apart, so that the sources that do not write
 * them (most) do not carry their 224 bytes each: a policy may hold a hundred thousand sources. */
struct lk_source_more {
    struct lk_text forever_because;
    struct lk_flag personal_data; /* the logs hold personal data (default false): GDPR */
    struct lk_flag deletion_protection; /* of its log groups (default true) */
    struct lk_text kms_key;             /* the KMS key of its log groups (kmsKeyId) */
    struct lk_text_list accounts; /* "accounts:": account and group names (a scalar is a list of
                                   * one); default: every account of the scope */
    struct lk_text_list regions;  /* "regions:"; default: the policy's regions */
    struct lk_waivers waivers;    /* lk_source_waivers() */
};

struct lk_source {
    /* Members are grouped by alignment (the flags together, after the spans) so that the
     * struct has no holes: a policy may hold a hundred thousand sources. */
    struct lk_str name;
    struct lk_span span;
    struct lk_span type_span;
    struct lk_span retention_span;
    enum lk_source_type type;
    bool type_set;
    bool purpose_given; /* the key was written (even with a value of the wrong type) */
    bool retention_inline;
    bool prefix_invalid; /* the prefix given was refused (LK016): the source has no prefix to
                          * compare, so no overlap is reported against it */
    struct lk_text purpose;
    struct lk_text retention_ref;   /* "retention: <class>" */
    struct lk_retention *retention; /* resolved class, or the inline one; NULL if unresolved */
    struct lk_text store_ref;
    struct lk_store *store; /* resolved, or NULL */
    struct lk_text prefix;
    struct lk_text_list log_groups;
    struct lk_trail_cfg *trail; /* arena: set for cloudtrail sources and when "trail:" is given */
    struct lk_coverage_cfg *cov; /* arena: set when the source writes a coverage key (resources,
                                  * enable, log_types, coverage), else NULL: the defaults */
    struct lk_source_more *more; /* arena: set when the source writes one of its keys, else
                                  * NULL: the defaults. Read it through lk_source_more(). */

    /* The resolved scope (lk_policy_check(), valid when the policy has no errors): the account
     * IDs and Regions the source covers, each sorted bytewise and unique (arena strings). A
     * single-account policy: its account and its region. A cloudtrail source: the accounts
     * that own a trail (one, the owner, for an organisation trail) and one Region, the trails'
     * home Region. */
    const char **scope_accounts;
    size_t n_scope_accounts;
    const char **scope_regions;
    size_t n_scope_regions;
};

/* ------------------------------------------------------------------------------ organisations */

/* What an account is for (accounts.<name>.kind). */
enum lk_account_kind {
    LK_ACCOUNT_WORKLOAD, /* the default */
    LK_ACCOUNT_MANAGEMENT,
    LK_ACCOUNT_LOG_ARCHIVE,
    LK_ACCOUNT_SECURITY,
};

/** "accounts: { <name>: { id, kind, delegated_admin } }" */
struct lk_account {
    struct lk_str name;
    struct lk_span span; /* the name's key */
    struct lk_text id;   /* twelve digits */
    enum lk_account_kind kind;
    struct lk_span kind_span;
    bool kind_set;
    struct lk_text_list delegated_admin; /* services it administers for the organisation:
                                          * "cloudtrail", "config", "guardduty" */
    bool used;
};

enum lk_group_kind {
    LK_GROUP_LIST,         /* [account names] */
    LK_GROUP_ORGANIZATION, /* { organization: true }: every ACTIVE account of the organisation */
    LK_GROUP_OU,           /* { organizational_unit: ou-... }: the ACTIVE accounts under an OU */
};

/** "account_groups: { <name>: [names] | { organization: true } | { organizational_unit } }" */
struct lk_account_group {
    struct lk_str name;
    struct lk_span span;
    enum lk_group_kind kind;
    struct lk_text_list members; /* LK_GROUP_LIST: account (or group) names */
    struct lk_text ou;           /* LK_GROUP_OU */
    /* The dynamic kinds: account IDs pinned by "resolved:" in a policy file or given by
     * lk_policy_pin_group() (the command line resolving them through AWS Organizations). */
    struct lk_text_list pinned;
    bool pinned_set;
    bool used;
};

/** "resolved: { account_groups: { <group>: [ids] } }" as a policy file gives it (written by
 *  `logkeep resolve`); lk_policy_check() pins the group unless lk_policy_pin_group() did. */
struct lk_group_pin {
    struct lk_str group;
    struct lk_span span; /* the group's key */
    struct lk_text_list ids;
};

/* One account of the resolved scope. */
struct lk_scope_account {
    const char *id;   /* arena */
    const char *name; /* the name under "accounts:", or the ID for an account known only from a
                       * pinned group */
    enum lk_account_kind kind;
    const struct lk_account *decl; /* NULL for an account known only from a pinned group */
};

/* The resolved scope (lk_policy_check(), valid when the policy has no errors). */
struct lk_scope {
    bool multi; /* the policy declares "accounts:": artifacts and runs are per (account, Region) */
    struct lk_scope_account *accounts; /* sorted by ID; a single-account policy: its account */
    size_t n_accounts;
    const char **regions; /* sorted, unique; a single-account policy: its region */
    size_t n_regions;
};

struct lk_policy {
    struct lk_arena arena;       /* owns everything below */
    struct lk_sources sources;   /* owns the files */
    struct lk_diags diags;       /* owns its vector; strings in arena */

    int64_t version;
    struct lk_span version_span;
    bool version_set;
    struct lk_text account;
    struct lk_text region; /* the home Region: stores and trails default to it */
    struct lk_text_list baselines;

    /* Organisations (docs/language.md, "Accounts and Regions"). */
    struct lk_text organization;  /* "organization: o-..." */
    struct lk_text_list regions;  /* the Regions in scope; default: [region] */
    struct lk_account **accounts; /* arena, in definition order (by name after checking) */
    size_t n_accounts, cap_accounts;
    struct lk_account_group **groups; /* likewise */
    size_t n_groups, cap_groups;
    struct lk_group_pin *pins; /* arena: the "resolved:" sections of the files */
    size_t n_pins, cap_pins;
    struct {
        bool set;
        struct lk_span span;
        struct lk_text apply_role;   /* role name assumed in every account by apply */
        struct lk_text read_role;    /* by plan, drift and snapshot (default: apply_role) */
        struct lk_text external_id;  /* sts:ExternalId, when the roles require one */
        struct lk_text session_name; /* RoleSessionName (default "logkeep") */
    } access;
    struct lk_scope scope; /* resolved by lk_policy_check() */

    struct lk_role **roles; /* arena: arrays of pointers, in definition order */
    size_t n_roles, cap_roles;
    struct lk_store **stores;
    size_t n_stores, cap_stores;
    struct lk_retention **retentions;
    size_t n_retentions, cap_retentions;
    struct lk_source **srcs;
    size_t n_srcs, cap_srcs;

    struct {
        bool set;
        struct lk_span span;
        struct lk_days delete_after;
    } unmanaged;

    size_t n_files_read;
    size_t n_files_unreadable; /* files whose YAML could not be read into a tree */
};

/** @return a new, empty policy. Free it with lk_policy_free(). */
struct lk_policy *lk_policy_new(void);
void lk_policy_free(struct lk_policy *policy);

/**
 * Reads the policy files at @p paths (files, or directories searched recursively for *.yaml and
 * *.yml, in byte order of their paths) and decodes them into @p policy. Problems in the policy
 * become diagnostics in policy->diags.
 * @param err_path receives the path that could not be read on an I/O error.
 * @return 0 when every path was read (even with policy diagnostics), -1 on an I/O error (errno
 *         set) or when no policy file was found (errno ENOENT).
 */
LK_MUST_CHECK int lk_policy_load_paths(struct lk_policy *policy, const char *const *paths,
                                       size_t n_paths, const char **err_path);

/** Decodes one in-memory file (tests, fuzzers, stdin). */
void lk_policy_load_buffer(struct lk_policy *policy, const char *name, const char *data,
                           size_t len);

/**
 * Resolves references and runs every semantic check. Call once, after loading all files.
 * Diagnostics are sorted afterwards.
 */
void lk_policy_check(struct lk_policy *policy);

/**
 * @return the keys of @p src that few sources write (struct lk_source_more): its own, or, when
 *         it writes none of them, a shared zeroed one (nothing set: the defaults).
 */
const struct lk_source_more *lk_source_more(const struct lk_source *src);

/** @return the waivers of @p src, for lk_policy_report(), or NULL when it has none. */
struct lk_waivers *lk_source_waivers(struct lk_source *src);

/* Lookup helpers, valid after lk_policy_check(). */
struct lk_role *lk_policy_find_role(struct lk_policy *policy, struct lk_str name);
struct lk_store *lk_policy_find_store(struct lk_policy *policy, struct lk_str name);
struct lk_retention *lk_policy_find_retention(struct lk_policy *policy, struct lk_str name);
struct lk_account *lk_policy_find_account(struct lk_policy *policy, struct lk_str name);
struct lk_account_group *lk_policy_find_group(struct lk_policy *policy, struct lk_str name);
/** @return the scope account with ID @p id, or NULL. Valid after lk_policy_check(). */
const struct lk_scope_account *lk_policy_scope_account(const struct lk_policy *policy,
                                                       const char *id);

/**
 * Pins a dynamic account group (organization or organizational_unit) to the account IDs the
 * caller resolved through AWS Organizations, as a "resolved:" section would. Call after loading
 * and before lk_policy_check(); replaces a pin the files give.
 * @return false when the policy has no dynamic group named @p group.
 */
bool lk_policy_pin_group(struct lk_policy *policy, const char *group, const char *const *ids,
                         size_t n_ids);

/** @return the display name of a storage class as written in policies ("glacier-ir"). */
const char *lk_storage_class_name(enum lk_storage_class sc);
/** @return the S3 API name ("GLACIER_IR"). */
const char *lk_storage_class_api(enum lk_storage_class sc);

/*
 * Waivers: checks on a source or store report through this helper so that a waiver on that entry
 * can turn the finding into a note.
 */
struct lk_diag *lk_policy_report(struct lk_policy *policy, struct lk_waivers *waivers,
                                 const char *rule_id, struct lk_span span, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
