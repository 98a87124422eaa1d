/*
 * logkeep: SHA-256 and MD5 through OpenSSL's EVP interface.
 */
/* SHA256_Init() and its kin are deprecated since OpenSSL 3.0: declare them as 1.1.1 did. */
#define OPENSSL_API_COMPAT 0x10101000L

#include "common/hash.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>

static pthread_once_t s_fetch_once = PTHREAD_ONCE_INIT;
static EVP_MD *s_md; /* owned for the life of the process */

static void s_fetch(void)
{
    s_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

const struct evp_md_st *lk_sha256_md(void)
{
    pthread_once(&s_fetch_once, s_fetch);
    return s_md ? s_md : EVP_sha256();
}

int lk_sha256(const void *data, size_t len, unsigned char out[LK_SHA256_BYTES])
{
    /* The digest functions rather than EVP_Digest(): the same code (the CPU's SHA extensions
     * where it has them), without the first EVP call loading OpenSSL's providers and
     * configuration, which costs a process about 2 MB of memory. compile hashes every artifact
     * and needs nothing else of OpenSSL. */
    SHA256_CTX ctx;
    if (SHA256_Init(&ctx) != 1 || SHA256_Update(&ctx, data, len) != 1 ||
        SHA256_Final(out, &ctx) != 1)
        return -1;
    return 0;
}

int lk_md5(const void *data, size_t len, unsigned char out[LK_MD5_BYTES])
{
    static const unsigned char s_empty[1] = {0};
    unsigned int out_len = 0;
    if (EVP_Digest(data != NULL ? data : s_empty, len, out, &out_len, EVP_md5(), NULL) != 1 ||
        out_len != LK_MD5_BYTES)
        return -1;
    return 0;
}

void lk_hex_lower(const unsigned char *in, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 15];
    }
    out[2 * n] = '\0';
}

int lk_sha256_hex(const void *data, size_t len, char out[LK_SHA256_HEX_LEN + 1])
{
    unsigned char md[LK_SHA256_BYTES];
    if (lk_sha256(data, len, md) != 0)
        return -1;
    lk_hex_lower(md, sizeof(md), out);
    return 0;
}
