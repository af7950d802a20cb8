extension JSONCursor {
    /// Validates a string at `pos` (which must be '"') and leaves `pos` past the closing quote.
    /// Returns whether it contains escapes. Plain ASCII runs are crossed eight bytes at a time, straight
    /// to the next byte that needs a look (quote, backslash, control or non-ASCII).
    mutating func scanString() throws(JSONError) -> Bool {
        let start = pos
        pos += 1
        var escaped = false
        while true {
            pos = JSONUTF8.skipWords(bytes, from: pos, end: end, JSONUTF8.stringSpecialMask)
            guard pos < end else { throw error("unterminated string", at: start) }
            let b = bytes[pos]
            if b == JSONByte.quote {
                pos += 1
                return escaped
            }
            if b == JSONByte.backslash {
                escaped = true
                try scanEscape()
            } else if b < 0x20 {
                throw error("control character in string")
            } else if b < 0x80 {
                pos += 1
            } else {
                let n = JSONUTF8.sequenceLength(bytes, at: pos, end: end)
                guard n > 0 else { throw error("invalid UTF-8") }
                pos += n
            }
        }
    }

    /// Validates one escape at `pos` (the backslash); a high surrogate must be followed by a low one.
    private mutating func scanEscape() throws(JSONError) {
        guard pos + 1 < end else { throw error("unterminated string") }
        switch bytes[pos + 1] {
        case JSONByte.quote, JSONByte.backslash, JSONByte.slash,
             0x62, 0x66, 0x6E, 0x72, 0x74: // b f n r t
            pos += 2
        case 0x75: // u
            let unit = try hex4(at: pos + 2)
            if unit >= 0xDC00 && unit <= 0xDFFF { throw error("lone low surrogate") }
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard pos + 7 < end && bytes[pos + 6] == JSONByte.backslash && bytes[pos + 7] == 0x75 else {
                    throw error("lone high surrogate")
                }
                let low = try hex4(at: pos + 8)
                guard low >= 0xDC00 && low <= 0xDFFF else { throw error("lone high surrogate") }
                pos += 12
            } else {
                pos += 6
            }
        default:
            throw error("invalid escape")
        }
    }

    private func hex4(at i: Int) throws(JSONError) -> UInt32 {
        guard i + 4 <= end else { throw error("truncated \\u escape", at: i) }
        var v: UInt32 = 0
        for k in 0..<4 {
            guard let h = JSONByte.hexValue(bytes[i + k]) else { throw error("invalid \\u escape", at: i + k) }
            v = v << 4 | h
        }
        return v
    }
}
