/// A non-validating cursor over bytes `JSONScanner` already accepted (a request body scanned on arrival,
/// a value range from its index). It finds the ends of tokens without checking them again: strings are
/// crossed eight bytes a step up to their next quote or backslash, containers by counting brackets.
/// It never reads outside `bytes[pos..<end]`, and on anything a valid document cannot hold at that point
/// it gives up (nil or false), never guesses. A stack value owned by the calling thread for one walk.
struct JSONTrustedCursor {
    /// The whole buffer; offsets are absolute so ranges can be handed back unchanged.
    let bytes: UnsafeRawBufferPointer
    /// Exclusive end of the region being walked.
    let end: Int
    /// Current offset.
    var pos: Int

    /// A cursor over `range` of `bytes` (clamped to the buffer).
    init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>) {
        self.bytes = bytes
        self.end = Swift.min(Swift.max(range.upperBound, 0), bytes.count)
        self.pos = Swift.min(Swift.max(range.lowerBound, 0), self.end)
    }

    /// The byte at `pos` after whitespace, or nil at the end of the region.
    @inline(__always)
    mutating func peekSignificant() -> UInt8? {
        while pos < end && JSONByte.isWhitespace(bytes[pos]) { pos += 1 }
        return pos < end ? bytes[pos] : nil
    }

    /// Consumes `byte` (after whitespace); false when something else comes next.
    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        guard peekSignificant() == byte else { return false }
        pos += 1
        return true
    }

    /// Consumes the string token at `pos` (its opening quote, whitespace skipped first) and returns the
    /// range inside its quotes and whether it holds escapes; nil when no whole string is there.
    mutating func string() -> (inner: Range<Int>, escaped: Bool)? {
        guard peekSignificant() == JSONByte.quote else { return nil }
        let start = pos + 1
        var i = start
        var escaped = false
        while true {
            i = JSONUTF8.skipWords(bytes, from: i, end: end, JSONUTF8.quoteOrBackslashMask)
            guard i < end else { return nil }
            let c = bytes[i]
            if c == JSONByte.quote {
                pos = i + 1
                return (start..<i, escaped)
            }
            if c == JSONByte.backslash {
                escaped = true
                i += 2
            } else {
                i += 1
            }
        }
    }

    /// Consumes the value at `pos` (whitespace skipped first) and returns its kind; nil when no value
    /// can start there or it runs past `end`.
    mutating func skipValue() -> JSONKind? {
        guard let c = peekSignificant() else { return nil }
        switch c {
        case JSONByte.quote:
            return string() == nil ? nil : .string
        case JSONByte.openBrace:
            return skipContainer() ? .object : nil
        case JSONByte.openBracket:
            return skipContainer() ? .array : nil
        case 0x74, 0x66: // t f
            return skipWord() ? .bool : nil
        case 0x6E: // n
            return skipWord() ? .null : nil
        default:
            let start = pos
            while pos < end && JSONTrustedCursor.isNumberByte(bytes[pos]) { pos += 1 }
            return pos > start ? .number : nil
        }
    }

    /// Consumes the object or array at `pos` by counting brackets outside strings.
    private mutating func skipContainer() -> Bool {
        var depth = 0
        while pos < end {
            switch bytes[pos] {
            case JSONByte.quote:
                guard string() != nil else { return false }
                continue
            case JSONByte.openBrace, JSONByte.openBracket:
                depth += 1
            case JSONByte.closeBrace, JSONByte.closeBracket:
                depth -= 1
                if depth == 0 {
                    pos += 1
                    return true
                }
            default:
                break
            }
            pos += 1
        }
        return false
    }

    /// Consumes the lowercase letters of `true`, `false` or `null`.
    private mutating func skipWord() -> Bool {
        let start = pos
        while pos < end && bytes[pos] &- 0x61 < 26 { pos += 1 }
        return pos > start
    }

    /// A byte that can appear in a number token.
    @inline(__always)
    static func isNumberByte(_ c: UInt8) -> Bool {
        JSONByte.isDigit(c) || c == JSONByte.minus || c == JSONByte.plus || c == JSONByte.dot || c | 0x20 == 0x65
    }
}
