/*
 * libFuzzer target for the shared AWS config and credentials file parser
 * (runtime/transport/config_file.c): both file kinds, then every lookup on what was parsed.
 * Any crash, leak, hang or sanitizer report is a bug.
 *
 *   clang -fsanitize=fuzzer,address,undefined ... tests/fuzz/fuzz_config.c
 *   ./fuzz_config -max_len=65536 corpus/
 */
#include <stddef.h>
#include <stdint.h>

#include "runtime/transport/config_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void s_walk(const struct lk_config_file *f)
{
    for (size_t i = 0; i < f->n_sections; i++) {
        const struct lk_config_section *sec = &f->sections[i];
        /* Every lookup must find what the parser stored, by the parser's own names. */
        if (lk_config_find(f, sec->kind, sec->name) == NULL)
            __builtin_trap();
        for (size_t k = 0; k < sec->n_entries; k++) {
            const struct lk_config_entry *e = &sec->entries[k];
            const char *v =
                e->subkey ? lk_config_get_sub(sec, e->key, e->subkey) : lk_config_get(sec, e->key);
            if (v == NULL)
                __builtin_trap();
        }
        (void)lk_config_get(sec, "region");
        (void)lk_config_get_sub(sec, "s3", "endpoint_url");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum lk_config_kind kinds[] = {LK_CONFIG_SHARED_CONFIG, LK_CONFIG_CREDENTIALS};
    for (size_t i = 0; i < 2; i++) {
        struct lk_config_file f;
        struct lk_config_error e;
        if (lk_config_parse((const char *)data, size, kinds[i], &f, &e) == 0)
            s_walk(&f);
        else if (e.error.message[0] == '\0')
            __builtin_trap(); /* a failure always says why */
        lk_config_file_free(&f);
    }
    return 0;
}
