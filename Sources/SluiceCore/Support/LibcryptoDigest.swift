/// The prompt cache's `CacheDigest`, backed by libcrypto's SHA-256.
struct LibcryptoDigest: CacheDigest {
    func sha256(_ bytes: [UInt8]) -> [UInt8] { SHA256Digest.digest(bytes) }

    /// Writes the digest straight into the key (no intermediate array).
    func key(_ bytes: [UInt8]) -> CacheKey {
        CacheKey { out in SHA256Digest.digest(bytes, into: out) }
    }
}
