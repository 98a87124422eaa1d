/*
 * logkeep: the JSON Schema of the policy language, built into the binary.
 *
 * The schema is docs/logkeep-policy.schema.json; the build embeds it with
 * build-aux/embed-files.sh (the generated compiler/schema_data.c), as the only entry of
 * lk_schema_files, named "logkeep-policy.schema".
 */
#ifndef LK_SCHEMA_H
#define LK_SCHEMA_H

#include "compiler/embedded.h"

extern const struct lk_embedded_file lk_schema_files[];
extern const char *const lk_schema_files_names[];
extern const size_t lk_schema_files_count;

/** logkeep schema [-o FILE]: prints the schema. @return the process exit status. */
int lk_cmd_schema(int argc, char **argv);

#endif
