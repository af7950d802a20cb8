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

    /// The first offset from `start` whose byte `mask` flags, crossing whole words (two a step while
    /// sixteen bytes remain); when fewer than eight bytes are left before `end` it returns there and the
    /// caller looks at the remaining bytes one by one. `mask` is one of the word masks below (lowest set
    /// bit exact).
    @inline(__always)
    static func skipWords(_ p: UnsafeRawBufferPointer, from start: Int, end: Int, _ mask: (UInt64) -> UInt64) -> Int {
        var i = start
        while i + 16 <= end {
            let a = mask(UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            let b = mask(UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)))
            if a | b != 0 { return a != 0 ? i + a.trailingZeroBitCount >> 3 : i + 8 + b.trailingZeroBitCount >> 3 }
            i += 16
        }
        if i + 8 <= end {
            let a = mask(UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            if a != 0 { return i + a.trailingZeroBitCount >> 3 }
            i += 8
        }
        return i
    }

    /// The high bit of every byte of `v` equal to `byte`, and maybe of some bytes after the first such
    /// byte (borrows): the lowest set bit is exact, so `trailingZeroBitCount >> 3` of a little-endian
    /// load is the offset of the first match. Zero when the word holds no `byte` (SWAR).
    @inline(__always)
    static func matchMask(_ v: UInt64, _ byte: UInt8) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let x = v ^ (ones &* UInt64(byte))
        return (x &- ones) & ~x & 0x8080_8080_8080_8080
    }

    /// As `matchMask`, for the bytes a string scan must look at: '"', '\\', a control character or
    /// non-ASCII. Zero when the whole word can be skipped inside a string.
    @inline(__always)
    static func stringSpecialMask(_ v: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let control = (v &- ones &* 0x20) & ~v & highs
        return quoteOrBackslashMask(v) | control | (v & highs)
    }

    /// As `matchMask`, for '"' or '\\'.
    @inline(__always)
    static func quoteOrBackslashMask(_ v: UInt64) -> UInt64 {
        matchMask(v, JSONByte.quote) | matchMask(v, JSONByte.backslash)
    }

    /// True when none of the 8 bytes in `v` is a backslash.
    @inline(__always)
    static func hasNoBackslash(_ v: UInt64) -> Bool {
        matchMask(v, JSONByte.backslash) == 0
    }
}
