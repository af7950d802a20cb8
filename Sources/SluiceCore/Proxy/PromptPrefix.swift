/// A streaming 64-bit hash over at most `limit` bytes, fed in pieces: the pieces' boundaries do not
/// change the result (it hashes their concatenation). Eight bytes per round (an xxHash64-style
/// round and avalanche); deterministic across processes and machines. Not cryptographic.
struct PrefixHasher {
    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9

    private var state: UInt64 = 0x27D4_EB2F_1656_67C5
    private var tail: UInt64 = 0
    private var tailCount = 0
    /// Bytes hashed so far.
    private(set) var count = 0
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// True once `limit` bytes have been hashed (later bytes are ignored).
    var isFull: Bool { count >= limit }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        let n = min(bytes.count, limit - count)
        guard n > 0 else { return }
        count += n
        var i = 0
        while tailCount > 0 && tailCount < 8 && i < n {
            tail |= UInt64(bytes[i]) << (UInt64(tailCount) * 8)
            tailCount += 1
            i += 1
        }
        if tailCount == 8 {
            round(tail)
            tail = 0
            tailCount = 0
        }
        while i + 8 <= n {
            round(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        while i < n {
            tail |= UInt64(bytes[i]) << (UInt64(tailCount) * 8)
            tailCount += 1
            i += 1
        }
    }

    @inline(__always)
    private mutating func round(_ word: UInt64) {
        let x = state &+ word &* Self.p2
        state = ((x << 31) | (x >> 33)) &* Self.p1
    }

    /// The hash of everything fed (the length counts, so "a" and "a\0" differ).
    func finish() -> UInt64 {
        var h = state ^ (tail &* Self.p1) ^ UInt64(count) &* Self.p3
        h ^= h >> 33
        h = h &* Self.p2
        h ^= h >> 29
        h = h &* Self.p3
        h ^= h >> 32
        return h
    }
}

/// The affinity key of a request for `prefix_affinity`: a hash of the first `maxBytes` bytes of its
/// prompt text, i.e. the concatenated text of `messages` (string contents and `text` parts),
/// `system`, `prompt`, `input` and `instructions`, in body order — the same fields the token
/// estimator reads. String contents are hashed as written in the JSON (escapes not decoded: a
/// client writes a given prefix the same way every time). Pure; allocates nothing.
enum PromptPrefix {
    /// Bytes of prompt text that decide the endpoint.
    static let maxBytes = 2048
    /// How deep nested content (parts, items) is followed.
    static let maxDepth = 6

    static func hash(body: UnsafeRawBufferPointer, index: JSONObjectIndex, maxBytes: Int = PromptPrefix.maxBytes) -> UInt64 {
        var h = PrefixHasher(limit: maxBytes)
        for m in index.members {
            guard !h.isFull else { break }
            guard TokenEstimatorContent.Field(key: m, in: body) != nil else { continue }
            feed(m.kind, m.valueRange, body, &h, depth: maxDepth)
        }
        return h.finish()
    }

    private static func feed(_ kind: JSONKind, _ range: Range<Int>, _ body: UnsafeRawBufferPointer,
                             _ h: inout PrefixHasher, depth: Int) {
        guard !h.isFull else { return }
        switch kind {
        case .string:
            guard range.count >= 2 else { return }
            h.feed(UnsafeRawBufferPointer(rebasing: body[(range.lowerBound + 1)..<(range.upperBound - 1)]))
        case .number:
            // Token ids (`prompt: [1, 2, 3]`): their digits are the text.
            h.feed(UnsafeRawBufferPointer(rebasing: body[range]))
        case .array where depth > 0:
            JSONScanner.forEachElement(ofArrayAt: range, in: body) { k, r in
                feed(k, r, body, &h, depth: depth - 1)
            }
        case .object where depth > 0:
            JSONScanner.forEachMember(ofObjectAt: range, in: body) { m in
                guard !h.isFull else { return }
                if m.kind == .string && isKey(m, "text", body) {
                    feed(.string, m.valueRange, body, &h, depth: depth - 1)
                } else if (m.kind == .string || m.kind == .array) && isKey(m, "content", body) {
                    feed(m.kind, m.valueRange, body, &h, depth: depth - 1)
                }
            }
        default:
            return
        }
    }

    private static func isKey(_ m: JSONMember, _ s: StaticString, _ body: UnsafeRawBufferPointer) -> Bool {
        s.withUTF8Buffer { JSONScanner.keyEquals(m, UnsafeRawBufferPointer($0), in: body) }
    }
}
