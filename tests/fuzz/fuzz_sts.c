/*
 * libFuzzer target for the parsers of AWS answers: the STS XML documents
 * (GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity), the error documents of the three
 * protocols (S3 <Error>, JSON 1.1 __type, STS <ErrorResponse>), the credential_process and
 * metadata JSON, and the timestamp parsers. Any crash, leak, hang or sanitizer report is a bug.
 *
 *   clang -fsanitize=fuzzer,address,undefined ... tests/fuzz/fuzz_sts.c
 *   ./fuzz_sts -max_len=65536 corpus/
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/transport/client.h"
#include "runtime/transport/credentials.h"
#include "runtime/services/sts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;

    struct lk_sts_identity id;
    if (lk_sts_parse_caller_identity(text, size, &id) == 0 &&
        (id.account == NULL || id.arn == NULL || id.user_id == NULL))
        __builtin_trap();
    lk_sts_identity_clear(&id);

    static const char *const ops[] = {"AssumeRole", "AssumeRoleWithWebIdentity"};
    for (size_t i = 0; i < 2; i++) {
        struct lk_aws_credentials cr;
        if (lk_sts_parse_credentials(text, size, ops[i], &cr) == 0 &&
            (cr.access_key_id == NULL || cr.secret_access_key == NULL || cr.session_token == NULL))
            __builtin_trap();
        lk_aws_credentials_clear(&cr);
    }

    /* The error parser reads the body as the response would carry it: NUL-terminated. */
    unsigned char *body = malloc(size + 1);
    if (body == NULL)
        return 0;
    memcpy(body, data, size);
    body[size] = '\0';
    char n1[] = "x-amzn-ErrorType", v1[] = "FuzzException:http://internal";
    char n2[] = "Date", v2[] = "Thu, 26 Nov 2026 14:00:00 GMT";
    struct lk_http_header headers[] = {{n1, v1}, {n2, v2}};
    struct lk_http_response resp = {.status = size % 2 ? 400 : 503,
                                    .headers = headers,
                                    .n_headers = 2,
                                    .body = body,
                                    .body_len = size};
    for (int svc = 0; svc < LK_AWS_SERVICE_COUNT; svc++) {
        struct lk_aws_error err = {0};
        lk_aws_parse_error((enum lk_aws_service)svc, "GET", svc == LK_AWS_S3, &resp, &err);
        if (err.code == NULL)
            __builtin_trap(); /* every error response gets a code */
        (void)lk_aws_error_is_throttling(&err);
        (void)lk_aws_error_is_transient(&err);
        char line[512];
        lk_aws_error_format(&err, line, sizeof(line));
        lk_aws_error_clear(&err);
    }

    char eb[256];
    struct lk_aws_credentials cr;
    lk_credentials_parse_process_output(text, size, &cr, eb, sizeof(eb));
    lk_aws_credentials_clear(&cr);
    lk_credentials_parse_metadata_json(text, size, &cr, eb, sizeof(eb));
    lk_aws_credentials_clear(&cr);

    int64_t t;
    LK_IGNORE(lk_aws_parse_iso8601((const char *)body, &t));
    LK_IGNORE(lk_aws_parse_http_date((const char *)body, &t));
    free(body);
    return 0;
}
