#ifndef CSSL_SHIM_H
#define CSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

/// One-shot SHA-1 (libcrypto); `out` must hold 20 bytes. Only for Redis script names (EVALSHA).
static inline void CSSL_sha1(const void *data, size_t len, unsigned char *out) {
    SHA1((const unsigned char *)data, len, out);
}

/// One-shot SHA-256 (libcrypto); `out` must hold 32 bytes (untyped: Swift writes digests into any storage).
/// The low-level calls on a stack context: OpenSSL 3's one-shot `SHA256()` goes through `EVP_Q_digest`,
/// which fetches the algorithm by name and allocates a context on every call (about a sixth of the
/// digest's cost for a 1 KiB prompt-cache key). Deprecated in 3.0, not removed; same digest.
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"
static inline void CSSL_sha256(const void *data, size_t len, void *out) {
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, data, len);
    SHA256_Final((unsigned char *)out, &ctx);
}
#pragma clang diagnostic pop

/// Macro wrappers: Swift cannot import function-like macros.
static inline long CSSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}
static inline long CSSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}
static inline long CSSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}
#endif

/* Net/TLS: macro wrappers for the TLS layer. */
#ifndef CSSL_SHIM_TLS_H
#define CSSL_SHIM_TLS_H
static inline long CSSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}
static inline long CSSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_max_proto_version(ctx, version);
}
static inline uint64_t CSSL_OP_NO_RENEGOTIATION(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline uint64_t CSSL_OP_CIPHER_SERVER_PREFERENCE(void) { return SSL_OP_CIPHER_SERVER_PREFERENCE; }
#endif
