/*
 * libFuzzer target for the policy front end: YAML reading, decoding, every semantic check and
 * every rendering. Any crash, leak, hang or sanitizer report is a bug.
 *
 *   ./configure CC=clang --enable-fuzz && make && make fuzz FUZZ_SECONDS=300
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "compiler/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lk_policy *p = lk_policy_new();
    lk_policy_load_buffer(p, "fuzz.yaml", (const char *)data, size);
    lk_policy_check(p);
    FILE *sink = fopen("/dev/null", "w");
    if (sink) {
        static const enum lk_diag_format formats[] = {LK_DIAG_TEXT, LK_DIAG_JSON, LK_DIAG_SARIF,
                                                      LK_DIAG_GITHUB};
        for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
            struct lk_render_opts ro = {formats[i], i == 0, "fuzz", "https://docs.example.test/docs"};
            lk_diags_render(&p->diags, &p->sources, &ro, sink);
        }
        fclose(sink);
    }
    lk_policy_free(p);
    return 0;
}
