/// Byte classification and ASCII helpers shared by the HTTP parsers (RFC 9110 §5.6, RFC 3986).
///
/// Character classes are two 64-bit masks (bytes 0–63, 64–127) so a lookup is a shift and a test,
/// with no table to initialise; bytes >= 128 are never members.
enum HTTPByteClass {
    static let cr: UInt8 = 13
    static let lf: UInt8 = 10
    static let sp: UInt8 = 32
    static let htab: UInt8 = 9
    static let colon: UInt8 = 58
    static let comma: UInt8 = 44
    static let semicolon: UInt8 = 59
    static let equals: UInt8 = 61
    static let dquote: UInt8 = 34
    static let backslash: UInt8 = 92

    // tchar: ALPHA / DIGIT / "!#$%&'*+-.^_`|~"
    private static let tokenLow: UInt64 = 0x03FF_6CFA_0000_0000
    private static let tokenHigh: UInt64 = 0x57FF_FFFF_C7FF_FFFE
    // origin-form characters: unreserved / sub-delims / ":" / "@" / "/" / "?" / "%"
    private static let targetLow: UInt64 = 0xAFFF_FFF2_0000_0000
    private static let targetHigh: UInt64 = 0x47FF_FFFE_87FF_FFFF
    // Host / authority characters: unreserved / sub-delims / "%" / ":" / "[" / "]" (no userinfo "@")
    private static let hostLow: UInt64 = 0x2FFF_7FF2_0000_0000
    private static let hostHigh: UInt64 = 0x47FF_FFFE_AFFF_FFFE

    @inline(__always)
    private static func member(_ b: UInt8, _ low: UInt64, _ high: UInt64) -> Bool {
        if b < 64 { return (low >> UInt64(b)) & 1 == 1 }
        if b < 128 { return (high >> UInt64(b &- 64)) & 1 == 1 }
        return false
    }

    /// True for an RFC 9110 `tchar`.
    @inline(__always) static func isToken(_ b: UInt8) -> Bool { member(b, tokenLow, tokenHigh) }
    /// True for a byte allowed in an origin-form request target.
    @inline(__always) static func isTargetChar(_ b: UInt8) -> Bool { member(b, targetLow, targetHigh) }
    /// True for a byte allowed in a Host value or absolute-form authority.
    @inline(__always) static func isHostChar(_ b: UInt8) -> Bool { member(b, hostLow, hostHigh) }
    /// True for a byte allowed inside a field value: HTAB, SP, VCHAR, obs-text.
    @inline(__always) static func isFieldValueChar(_ b: UInt8) -> Bool {
        b == htab || (b >= 0x20 && b != 0x7F)
    }
    /// True for SP or HTAB (OWS).
    @inline(__always) static func isOWS(_ b: UInt8) -> Bool { b == sp || b == htab }
    /// True for an ASCII digit.
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }
    /// Value of a hex digit, or nil.
    @inline(__always) static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case 48...57: return Int(b &- 48)
        case 65...70: return Int(b &- 55)
        case 97...102: return Int(b &- 87)
        default: return nil
        }
    }
    /// ASCII lowercase of one byte.
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b &- 65 < 26 ? b | 0x20 : b }

    /// Case-insensitive comparison of `p[start..<end]` with a lowercase ASCII literal.
    @inline(__always)
    static func equalsLowercase(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ lit: StaticString) -> Bool {
        let n = lit.utf8CodeUnitCount
        guard end &- start == n else { return false }
        let l = lit.utf8Start
        var i = 0
        while i < n {
            if lower(p[start &+ i]) != l[i] { return false }
            i &+= 1
        }
        return true
    }

    /// Case-insensitive comparison of a byte collection with a string (both lowercased as ASCII).
    static func equalsIgnoringCase<C: Collection<UInt8>>(_ bytes: C, _ s: String) -> Bool {
        var u = s.utf8.makeIterator()
        for b in bytes {
            guard let c = u.next(), lower(b) == lower(c) else { return false }
        }
        return u.next() == nil
    }

    /// Case-insensitive prefix test of a byte collection against a lowercase string.
    static func hasPrefixIgnoringCase<C: Collection<UInt8>>(_ bytes: C, _ prefix: String) -> Bool {
        var it = bytes.makeIterator()
        for c in prefix.utf8 {
            guard let b = it.next(), lower(b) == c else { return false }
        }
        return true
    }
}
