/*
 * libFuzzer target for the S3 XML response parsers (runtime/services/s3.c): lifecycle,
 * versioning, Object Lock, Block Public Access, default encryption and bucket location. Each
 * input is given to every parser; the first byte also picks a transition-minimum-size header.
 * Any crash, leak, hang or sanitizer report is a bug, and so is a parse that succeeds with a
 * result outside the IR's canonical order (checked below).
 *
 *   clang -fsanitize=fuzzer,address,undefined ... tests/fuzz/fuzz_s3_xml.c -o fuzz_s3_xml
 *   ./fuzz_s3_xml -max_total_time=60 corpus tests/services/fuzz-seeds/xml
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/services/s3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void s_check(bool ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const headers[] = {NULL, "all_storage_classes_128K",
                                          "varies_by_storage_class", "bogus"};
    const char *xml = (const char *)data;
    struct lk_error err = {0};
    struct lk_ir_state *st = lk_ir_state_new();
    struct lk_ir_bucket b;
    memset(&b, 0, sizeof(b));

    const char *hdr = headers[size ? data[0] % 4 : 0];
    if (lk_s3_parse_lifecycle(st, xml, size, hdr, &b, &err) == 0) {
        const struct lk_ir_lifecycle lc = b.lifecycle;
        s_check(lc.present);
        s_check(!(b.unmodelled & ~(unsigned)LK_IR_UNMODELLED_LIFECYCLE));
        /* Filters on tags or size are reported for the bucket as a whole, never by rule. */
        s_check(b.unmodelled_filter_rule_ids.n == 0);
        for (size_t i = 0; i < lc.n_rules; i++) {
            const struct lk_ir_lifecycle_rule *r = &lc.rules[i];
            s_check(r->id && r->prefix);
            s_check(i == 0 || strcmp(lc.rules[i - 1].id, r->id) <= 0);
            for (size_t t = 1; t < r->n_transitions; t++)
                s_check(r->transitions[t - 1].days <= r->transitions[t].days);
            for (size_t t = 0; t < r->n_transitions; t++)
                s_check(r->transitions[t].storage_class < LK_IR_SC_COUNT);
        }
    } else {
        s_check(err.message[0] != '\0');
    }

    if (lk_s3_parse_versioning(xml, size, &b, &err) == 0)
        s_check(b.versioning <= LK_IR_VERSIONING_SUSPENDED);
    if (lk_s3_parse_object_lock(xml, size, &b, &err) == 0)
        s_check(b.object_lock.mode == LK_IR_LOCK_NONE ||
                (b.object_lock.days > 0) != (b.object_lock.years > 0));
    LK_IGNORE(lk_s3_parse_public_access_block(xml, size, &b, &err));
    if (lk_s3_parse_encryption(st, xml, size, &b, &err) == 0)
        s_check(b.encryption.algorithm && b.encryption.algorithm[0]);
    bool holds = false;
    if (lk_s3_parse_object_versions(xml, size, &holds, &err) != 0)
        s_check(err.message[0] != '\0');
    char *region = NULL;
    if (lk_s3_parse_location(st, xml, size, &region, &err) == 0)
        s_check(region && region[0]);

    lk_ir_state_free(st);
    return 0;
}
