/// SHA-256 supplied from outside: libcrypto in the daemon, a pure fake in tests (the cache layer stays pure).
protocol CacheDigest: Sendable {
    /// The 32-byte SHA-256 of `bytes`.
    func sha256(_ bytes: [UInt8]) -> [UInt8]
}

/// A prompt-cache key: the digest bytes (32 for SHA-256). Used as the LRU key, the shard selector and,
/// as `hex`, in `/explain` answers and (later) Redis key names.
struct CacheKey: Hashable, Sendable {
    /// The raw digest.
    var bytes: [UInt8]

    /// Lowercase hexadecimal form of `bytes`.
    var hex: String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(CacheKey.hexDigit(b >> 4))
            out.append(CacheKey.hexDigit(b & 0x0F))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A well-mixed 64-bit value for picking a shard: the first 8 digest bytes (already uniform for SHA-256),
    /// folded with the rest so short or fake digests still spread.
    var shardHash: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes.prefix(8) { h = (h << 8) | UInt64(b) }
        for b in bytes.dropFirst(8) { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// Hashes the digest as whole words rather than byte by byte (the synthesized form fed Hasher one
    /// byte at a time, a visible cost on every cached request).
    func hash(into h: inout Hasher) {
        bytes.withUnsafeBytes { raw in
            var i = 0
            while i + 8 <= raw.count {
                h.combine(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i += 8
            }
            while i < raw.count {
                h.combine(raw[i])
                i += 1
            }
        }
    }

    static func == (a: CacheKey, b: CacheKey) -> Bool { a.bytes == b.bytes }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10
    }
}
