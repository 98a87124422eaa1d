/*
 * logkeep: wildcard matching of names.
 *
 * logkeep's log group patterns ("/aws/lambda/prod-*") use the wildcard of IAM resource ARNs,
 * which is how AWS itself names a set of log groups (the resource
 * arn:aws:logs:REGION:ACCOUNT:log-group:/aws/lambda/<star>): "*" stands for any combination of zero
 * or more characters, the forward slash included, and every other character stands for itself,
 * case-sensitively (IAM User Guide, "IAM JSON policy elements: Resource", "Using wildcards in
 * resource ARNs",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
 * The same page gives "?" for any single character; IAM policy comparison wants it
 * (LK_GLOB_QUESTION), log group patterns do not (docs/language.md: "`*` in a name stands for any
 * run of characters", and "?" is not a log group name character).
 *
 * Matching is iterative with one backtrack point (the last '*'): linear in practice and
 * O(len(pattern) * len(name)) at worst, never exponential, whatever the input.
 */
#ifndef LK_COMMON_GLOB_H
#define LK_COMMON_GLOB_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"

/* Flags of lk_glob_match(). */
#define LK_GLOB_QUESTION 0x1u /* '?' matches any one character (IAM ARNs); else it is literal */

/**
 * @param pattern the pattern; '*' matches any run of characters, '/' included.
 * @param name the name to test.
 * @param flags LK_GLOB_* bits; 0 for log group patterns.
 * @return true when @p name matches the whole of @p pattern.
 */
bool lk_glob_match(struct lk_str pattern, struct lk_str name, unsigned flags);

/** lk_glob_match() of two C strings. */
bool lk_glob_match_c(const char *pattern, const char *name, unsigned flags);

/** @return true when @p pattern holds a wildcard ('*', and '?' with LK_GLOB_QUESTION). */
bool lk_glob_has_wildcard(struct lk_str pattern, unsigned flags);

/**
 * @return the length of the literal part of @p pattern before its first wildcard (the whole
 *         length when it has none): every name it matches starts with those bytes, which is
 *         what a listing by prefix (DescribeLogGroups logGroupNamePrefix) can ask for.
 */
size_t lk_glob_literal_prefix_len(struct lk_str pattern, unsigned flags);

#endif
