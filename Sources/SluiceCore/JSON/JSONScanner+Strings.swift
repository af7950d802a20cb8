extension JSONScanner {
    /// Decodes the string value at `range` (quotes included); nil when it is not exactly one valid string.
    static func decodeString(_ range: Range<Int>, in bytes: UnsafeRawBufferPointer) -> String? {
        guard let hasEscapes = validString(range, in: bytes) else { return nil }
        let inner = (range.lowerBound + 1)..<(range.upperBound - 1)
        if !hasEscapes {
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[inner]), as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(inner.count)
        appendDecoded(inner, in: bytes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Decoded UTF-8 byte count of the string value at `range` (quotes included), without allocating.
    /// The range is trusted to come from a scan; anything not starting and ending with '"' counts 0.
    static func decodedByteCount(_ range: Range<Int>, in bytes: UnsafeRawBufferPointer) -> Int {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count, range.count >= 2,
              bytes[range.lowerBound] == JSONByte.quote, bytes[range.upperBound - 1] == JSONByte.quote else { return 0 }
        let end = range.upperBound - 1
        var i = range.lowerBound + 1
        var count = 0
        while i < end {
            if i + 8 <= end && JSONUTF8.hasNoBackslash(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                i += 8
                count += 8
                continue
            }
            guard bytes[i] == JSONByte.backslash, i + 1 < end else {
                i += 1
                count += 1
                continue
            }
            guard bytes[i + 1] == 0x75, let unit = hex4(bytes, i + 2, end) else {
                i += 2
                count += 1
                continue
            }
            if unit >= 0xD800 && unit <= 0xDBFF, i + 11 < end, bytes[i + 6] == JSONByte.backslash,
               bytes[i + 7] == 0x75, let low = hex4(bytes, i + 8, end), low >= 0xDC00 && low <= 0xDFFF {
                i += 12
                count += 4
            } else {
                i += 6
                count += JSONUTF8.encodedLength(unit)
            }
        }
        return count
    }

    /// Parses the integer number at `range` (plain integer syntax only: no fraction, no exponent);
    /// nil when it is not such a literal or does not fit in `Int`.
    static func int(_ range: Range<Int>, in bytes: UnsafeRawBufferPointer) -> Int? {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count, !range.isEmpty else { return nil }
        var i = range.lowerBound
        let negative = bytes[i] == JSONByte.minus
        if negative { i += 1 }
        guard i < range.upperBound else { return nil }
        if bytes[i] == JSONByte.zero && range.upperBound - i > 1 { return nil }
        // Accumulate negatively so Int.min parses.
        var value = 0
        while i < range.upperBound {
            let b = bytes[i]
            guard JSONByte.isDigit(b) else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.subtractingReportingOverflow(Int(b &- JSONByte.zero))
            guard !o1 && !o2 else { return nil }
            value = s
            i += 1
        }
        if negative { return value }
        return value == Int.min ? nil : -value
    }

    /// True when the string value at `range` (quotes included) decodes to exactly `literal`.
    static func string(_ range: Range<Int>, in bytes: UnsafeRawBufferPointer, equals literal: StaticString) -> Bool {
        guard range.count >= 2, range.lowerBound >= 0, range.upperBound <= bytes.count else { return false }
        let member = JSONMember(keyRange: (range.lowerBound + 1)..<(range.upperBound - 1), valueRange: range,
                                kind: .string, keyHasEscapes: true)
        return literal.withUTF8Buffer { keyEquals(member, UnsafeRawBufferPointer($0), in: bytes) }
    }

    /// True when the member's decoded key equals `key`. A raw key without escapes and of another length
    /// is turned down before any byte is compared (most keys, when a caller tries several names).
    @inline(__always)
    static func keyEquals(_ m: JSONMember, _ key: StaticString, in bytes: UnsafeRawBufferPointer) -> Bool {
        if !m.keyHasEscapes && m.keyRange.count != key.utf8CodeUnitCount { return false }
        return key.withUTF8Buffer { keyEquals(m, UnsafeRawBufferPointer($0), in: bytes) }
    }

    /// True when the member's decoded key equals `key` (UTF-8).
    @inline(__always)
    static func keyEquals(_ m: JSONMember, _ key: UnsafeRawBufferPointer, in bytes: UnsafeRawBufferPointer) -> Bool {
        let r = m.keyRange
        if !m.keyHasEscapes || !rawContainsBackslash(r, in: bytes) {
            guard r.count == key.count else { return false }
            var i = 0
            while i < key.count {
                if bytes[r.lowerBound + i] != key[i] { return false }
                i += 1
            }
            return true
        }
        // Escaped keys are rare: decode them.
        var out: [UInt8] = []
        out.reserveCapacity(r.count)
        appendDecoded(r, in: bytes, to: &out)
        return out.elementsEqual(key)
    }

    /// Appends the decoded bytes of a string body (inside the quotes, already validated).
    static func appendDecoded(_ inner: Range<Int>, in bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        var i = inner.lowerBound
        let end = inner.upperBound
        while i < end {
            let b = bytes[i]
            guard b == JSONByte.backslash, i + 1 < end else {
                out.append(b)
                i += 1
                continue
            }
            let e = bytes[i + 1]
            i += 2
            switch e {
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                guard let unit = hex4(bytes, i, end) else { continue }
                i += 4
                var scalar = unit
                if unit >= 0xD800 && unit <= 0xDBFF, i + 5 < end, bytes[i] == JSONByte.backslash,
                   bytes[i + 1] == 0x75, let low = hex4(bytes, i + 2, end), low >= 0xDC00 && low <= 0xDFFF {
                    scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                } else if unit >= 0xD800 && unit <= 0xDFFF {
                    scalar = 0xFFFD // unreachable for validated input
                }
                JSONUTF8.append(scalar: scalar, to: &out)
            default: out.append(e) // '"', '\\', '/'
            }
        }
    }

    /// Validates that `range` is exactly one string token; returns whether it has escapes.
    private static func validString(_ range: Range<Int>, in bytes: UnsafeRawBufferPointer) -> Bool? {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count, range.count >= 2,
              bytes[range.lowerBound] == JSONByte.quote else { return nil }
        var cur = JSONCursor(bytes, range: range)
        guard let escaped = try? cur.scanString(), cur.pos == range.upperBound else { return nil }
        return escaped
    }

    private static func rawContainsBackslash(_ r: Range<Int>, in bytes: UnsafeRawBufferPointer) -> Bool {
        for i in r where bytes[i] == JSONByte.backslash { return true }
        return false
    }

    private static func hex4(_ bytes: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> UInt32? {
        guard i + 4 <= end else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            guard let h = JSONByte.hexValue(bytes[i + k]) else { return nil }
            v = v << 4 | h
        }
        return v
    }
}

extension JSONScanner {
    /// The last member named `key` of the object at `range` (no allocation); nil if absent or not an object.
    static func member(_ key: StaticString, ofObjectAt range: Range<Int>, in bytes: UnsafeRawBufferPointer) -> JSONMember? {
        key.withUTF8Buffer { k -> JSONMember? in
            var found: JSONMember?
            let ok = forEachMember(ofObjectAt: range, in: bytes) { m in
                if keyEquals(m, UnsafeRawBufferPointer(k), in: bytes) { found = m }
            }
            return ok ? found : nil
        }
    }

    /// Decoded byte count of `m`'s value when it is a string, else 0.
    static func stringByteCount(_ m: JSONMember?, in bytes: UnsafeRawBufferPointer) -> Int {
        guard let m, m.kind == .string else { return 0 }
        return decodedByteCount(m.valueRange, in: bytes)
    }
}
