/// SHA-256 supplied from outside: libcrypto in the daemon, a pure fake in tests (the cache layer stays pure).
protocol CacheDigest: Sendable {
    /// The 32-byte SHA-256 of `bytes`.
    func sha256(_ bytes: [UInt8]) -> [UInt8]
    /// `CacheKey(bytes: sha256(bytes))`; an implementation may write the digest straight into the key
    /// (`CacheKey(filling:)`) and save the array.
    func key(_ bytes: [UInt8]) -> CacheKey
}

extension CacheDigest {
    func key(_ bytes: [UInt8]) -> CacheKey { CacheKey(bytes: sha256(bytes)) }
}

/// A prompt-cache key: the digest bytes (32 for SHA-256). Used as the LRU key, the shard selector and,
/// as `hex`, in `/explain` answers and Redis key names.
///
/// Held inline (four words and a length, no heap buffer): the LRU compares keys to confirm its index's
/// matches, and a key behind a pointer made each comparison a cache miss on another entry's buffer.
struct CacheKey: Hashable, Sendable {
    /// The most bytes a key holds (a SHA-256 digest).
    static let capacity = 32

    /// The digest bytes in memory order, zero past `count`.
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// Number of digest bytes held (32, or fewer for the short fake digests of tests).
    private var count: UInt8

    /// The key holding `bytes`, at most `capacity` of them (a digest's output; more is a programmer error).
    init(bytes: [UInt8]) {
        precondition(bytes.count <= CacheKey.capacity, "a cache key holds at most 32 digest bytes")
        count = UInt8(bytes.count)
        bytes.withUnsafeBytes { src in
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: src) }
        }
    }

    /// A full 32-byte key whose bytes `fill` writes into the buffer it is given (a digest writing in place).
    init(filling fill: (UnsafeMutableRawBufferPointer) -> Void) {
        count = UInt8(CacheKey.capacity)
        withUnsafeMutableBytes(of: &words) { fill($0) }
    }

    /// The raw digest.
    var bytes: [UInt8] {
        withUnsafeBytes(of: words) { Array($0.prefix(Int(count))) }
    }

    /// Lowercase hexadecimal form of `bytes`.
    var hex: String {
        withUnsafeBytes(of: words) { raw in
            var out: [UInt8] = []
            out.reserveCapacity(Int(count) * 2)
            for b in raw.prefix(Int(count)) {
                out.append(CacheKey.hexDigit(b >> 4))
                out.append(CacheKey.hexDigit(b & 0x0F))
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// A well-mixed 64-bit value for picking a shard: the first 8 digest bytes (already uniform for SHA-256),
    /// folded with the rest so short or fake digests still spread.
    var shardHash: UInt64 {
        withUnsafeBytes(of: words) { raw in
            let n = Int(count)
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for i in 0..<Swift.min(8, n) { h = (h << 8) | UInt64(raw[i]) }
            for i in Swift.min(8, n)..<n { h = (h ^ UInt64(raw[i])) &* 0x0000_0100_0000_01B3 }
            return h
        }
    }

    /// 64 well-spread bits for the LRU's index, which takes its home slot and tag from the top ones: the words
    /// folded together, times an odd constant. A SHA-256 digest is uniform already; the fold and the multiply
    /// keep short fake keys that differ only in low bits or past the first word apart (keys of equal hash merely
    /// collide; `==` still tells them apart).
    var indexHash: UInt64 {
        (words.0 ^ words.1 ^ words.2 ^ words.3) &* 0x9E37_79B9_7F4A_7C15
    }

    /// Feeds the first word only: a SHA-256 digest is uniform already, so more words would only cost
    /// hashing time (short fake keys sharing a first word merely collide; `==` still tells them apart).
    func hash(into h: inout Hasher) {
        h.combine(words.0)
    }

    static func == (a: CacheKey, b: CacheKey) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
            && a.count == b.count
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10
    }
}
