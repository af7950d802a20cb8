/// UTF-8 helpers shared by the scanner and the writers (RFC 3629: no overlongs, no surrogates, max U+10FFFF).
enum JSONUTF8 {
    /// Length of the well-formed multi-byte sequence whose lead byte is at `i`, or 0 when it is malformed
    /// or truncated before `end`. The lead byte must be >= 0x80.
    @inline(__always)
    static func sequenceLength(_ p: UnsafeRawBufferPointer, at i: Int, end: Int) -> Int {
        let b0 = p[i]
        var need = 0
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 2
        case 0xED: need = 2; hi = 0x9F
        case 0xF0: need = 3; lo = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; hi = 0x8F
        default: return 0
        }
        guard i + need < end else { return 0 }
        let b1 = p[i + 1]
        guard b1 >= lo && b1 <= hi else { return 0 }
        var k = 2
        while k <= need {
            guard p[i + k] & 0xC0 == 0x80 else { return 0 }
            k += 1
        }
        return need + 1
    }

    /// Appends the UTF-8 encoding of a Unicode scalar value (callers pass valid scalars).
    @inline(__always)
    static func append(scalar cp: UInt32, to out: inout [UInt8]) {
        switch cp {
        case 0..<0x80:
            out.append(UInt8(cp))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (cp >> 6)))
            out.append(UInt8(0x80 | (cp & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (cp >> 12)))
            out.append(UInt8(0x80 | ((cp >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (cp & 0x3F)))
        default:
            out.append(UInt8(0xF0 | ((cp >> 18) & 0x07)))
            out.append(UInt8(0x80 | ((cp >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((cp >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (cp & 0x3F)))
        }
    }

    /// Number of UTF-8 bytes a scalar value encodes to.
    @inline(__always)
    static func encodedLength(_ cp: UInt32) -> Int {
        cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4
    }

    /// True when none of the 8 bytes in `v` is '"', '\\', a control character or non-ASCII:
    /// such a word can be skipped inside a string in one step (SWAR, exact for "any byte matches").
    @inline(__always)
    static func isPlainStringWord(_ v: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let q = v ^ (ones &* 0x22)
        let bs = v ^ (ones &* 0x5C)
        let hasQuote = (q &- ones) & ~q
        let hasBackslash = (bs &- ones) & ~bs
        let hasControl = (v &- ones &* 0x20) & ~v
        return ((hasQuote | hasBackslash | hasControl) & highs) | (v & highs) == 0
    }

    /// True when none of the 8 bytes in `v` is a backslash.
    @inline(__always)
    static func hasNoBackslash(_ v: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let bs = v ^ (ones &* 0x5C)
        return (bs &- ones) & ~bs & 0x8080_8080_8080_8080 == 0
    }
}
