/// ASCII byte classes used by the hand-written matchers (branch-light range checks, no tables to load).
enum GuardrailASCII {

    /// `0-9`.
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    /// `A-Z`.
    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b &- 0x41 < 26 }
    /// `a-z`.
    @inline(__always) static func isLower(_ b: UInt8) -> Bool { b &- 0x61 < 26 }
    /// `A-Za-z`.
    @inline(__always) static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }
    /// `A-Za-z0-9`.
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isAlpha(b) }
    /// Letters, digits and '_': what a "word" is made of for boundaries.
    @inline(__always) static func isWord(_ b: UInt8) -> Bool { isAlnum(b) || b == 0x5F }
    /// `[A-Za-z0-9_-]`: the alphabet of API keys and base64url.
    @inline(__always) static func isKeyChar(_ b: UInt8) -> Bool { isWord(b) || b == 0x2D }

    /// The byte at `i`, or 0 outside the buffer (0 never matches any class above).
    @inline(__always)
    static func at(_ p: UnsafeRawBufferPointer, _ i: Int) -> UInt8 {
        i >= 0 && i < p.count ? p[i] : 0
    }

    /// True when `p[i...]` starts with `lit` (exact bytes).
    @inline(__always)
    static func hasPrefix(_ p: UnsafeRawBufferPointer, at i: Int, _ lit: StaticString) -> Bool {
        let n = lit.utf8CodeUnitCount
        guard i >= 0, i + n <= p.count else { return false }
        return lit.withUTF8Buffer { l -> Bool in
            for k in 0..<n where p[i + k] != l[k] { return false }
            return true
        }
    }

    /// End of the run of bytes satisfying `pred` starting at `i`.
    @inline(__always)
    static func run(_ p: UnsafeRawBufferPointer, from i: Int, _ pred: (UInt8) -> Bool) -> Int {
        var j = i
        while j < p.count && pred(p[j]) { j += 1 }
        return j
    }

    /// A number may start at `i`: the previous byte is not part of a word, and not a '-', '.' or ','
    /// glued to a digit before it (so the tail of "1.2.3.4.5" or "12-345" is not a fresh number).
    @inline(__always)
    static func isNumberStart(_ p: UnsafeRawBufferPointer, _ i: Int) -> Bool {
        guard i > 0 else { return true }
        let prev = p[i - 1]
        if isWord(prev) { return false }
        if prev == 0x2D || prev == 0x2E || prev == 0x2C { return !isDigit(at(p, i - 2)) }
        return true
    }

    /// A number may end at `e`: the next byte is not part of a word, and not a '-' or '.' glued to a digit.
    @inline(__always)
    static func isNumberEnd(_ p: UnsafeRawBufferPointer, _ e: Int) -> Bool {
        guard e < p.count else { return true }
        let next = p[e]
        if isWord(next) { return false }
        if next == 0x2D || next == 0x2E { return !isDigit(at(p, e + 1)) }
        return true
    }
}
