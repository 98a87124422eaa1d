/*
 * logkeep: the digests logkeep computes, through OpenSSL's EVP interface: SHA-256 (artifact
 * checksums, SigV4 payload and canonical-request hashes) and MD5 (only for the Content-MD5
 * header some S3 PUTs require).
 */
#ifndef LK_COMMON_HASH_H
#define LK_COMMON_HASH_H

#include <stddef.h>

#define LK_SHA256_BYTES 32
#define LK_SHA256_HEX_LEN 64 /* lowercase hex digits, without the terminator */

struct evp_md_st;

/** @return the SHA-256 method, fetched from the default provider once per process (OpenSSL 3
 *  looks an algorithm up by name on every implicit fetch). Never NULL. */
const struct evp_md_st *lk_sha256_md(void);

/** Hashes @p len bytes of @p data into @p out. @return 0, or -1 when OpenSSL fails (it only
 *  does on allocation failure). */
int lk_sha256(const void *data, size_t len, unsigned char out[LK_SHA256_BYTES])
    __attribute__((warn_unused_result));

/** Writes @p len bytes of @p data as 64 lowercase hex digits and a NUL into @p out.
 *  @return 0, or -1 when OpenSSL fails. */
int lk_sha256_hex(const void *data, size_t len, char out[LK_SHA256_HEX_LEN + 1])
    __attribute__((warn_unused_result));

#define LK_MD5_BYTES 16

/** Hashes @p len bytes of @p data with MD5 into @p out (RFC 1321; the Content-MD5 header of
 *  RFC 1864, not for security). @return 0, or -1 when OpenSSL fails. */
int lk_md5(const void *data, size_t len, unsigned char out[LK_MD5_BYTES])
    __attribute__((warn_unused_result));

/** Writes @p n bytes of @p in as lowercase hex and a NUL into @p out (2n + 1 bytes). */
void lk_hex_lower(const unsigned char *in, size_t n, char *out);

#endif
