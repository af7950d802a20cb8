/// Shared by every fuzz target (compiled into each executable, never into SluiceCore).
///
/// Targets take the fuzzer's bytes as the message itself, so the seed corpus stays readable; the
/// choices a target needs besides the message (where to split a feed, how to frame a payload) come
/// from a small PRNG seeded by a hash of the input, which keeps every run reproducible from its input.
struct FuzzInput {
    /// The input bytes.
    let bytes: [UInt8]
    private var state: UInt64

    /// Copies the fuzzer's buffer.
    init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = Array(UnsafeBufferPointer(start: data, count: size))
        // FNV-1a over the input: a different split pattern for every input, the same one on replay.
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        state = h | 1
    }

    /// Next pseudo-random value (xorshift64*).
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    /// A value in `0..<bound` (`bound > 0`).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// Piece lengths (each >= 1) covering `count` bytes; small pieces are favoured so that every
    /// state of an incremental parser sees a feed boundary sooner or later.
    mutating func pieces(_ count: Int) -> [Int] {
        var out: [Int] = []
        var left = count
        while left > 0 {
            let limit = below(4) == 0 ? 64 : 4
            let n = min(left, 1 + below(limit))
            out.append(n)
            left -= n
        }
        return out
    }
}

/// Invariant checks: a violated invariant is a finding, so the process must die loudly for libFuzzer.
enum FuzzCheck {
    /// Stops the run with `message` when `condition` is false.
    static func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                        file: StaticString = #fileID, line: UInt = #line) {
        if !condition() { fatalError("invariant violated: \(message())", file: file, line: line) }
    }

    /// Printable form of bytes for failure messages (non-ASCII and controls escaped).
    static func show(_ bytes: some Sequence<UInt8>) -> String {
        var s = ""
        for b in bytes.prefix(400) {
            switch b {
            case 0x0D: s += "\\r"
            case 0x0A: s += "\\n"
            case 0x5C: s += "\\\\"
            case 0x20..<0x7F: s.unicodeScalars.append(Unicode.Scalar(b))
            default: s += "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16)
            }
        }
        return s
    }
}
