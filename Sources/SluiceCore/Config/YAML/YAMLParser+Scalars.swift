extension YAMLParser {
    /// Parses a single- or double-quoted scalar starting at `pos`; may span lines (folded).
    mutating func parseQuotedScalar() throws(YAMLSyntaxError) -> YAMLScalar {
        let start = pos
        let quote = bytes[pos]
        let isDouble = quote == UInt8(ascii: "\"")
        pos += 1
        var out: [UInt8] = []
        // Bytes before this index are kept when a line break trims trailing whitespace.
        var kept = 0
        while true {
            guard let c = byte(pos) else {
                throw error("unterminated \(isDouble ? "double" : "single")-quoted string", at: start)
            }
            if c == quote {
                if !isDouble, byte(pos + 1) == quote {
                    out.append(quote)
                    kept = out.count
                    pos += 2
                    continue
                }
                pos += 1
                break
            }
            if c == UInt8(ascii: "\n") {
                out.removeSubrange(kept...)
                pos += 1
                var breaks = 0
                while true {
                    skipSpaces()
                    if byte(pos) == UInt8(ascii: "\n") {
                        breaks += 1
                        pos += 1
                    } else {
                        break
                    }
                }
                if breaks == 0 { out.append(UInt8(ascii: " ")) } else { out.append(contentsOf: repeatElement(UInt8(ascii: "\n"), count: breaks)) }
                kept = out.count
                continue
            }
            if isDouble, c == UInt8(ascii: "\\") {
                if byte(pos + 1) == UInt8(ascii: "\n") {
                    // An escaped line break joins the lines without a space.
                    pos += 2
                    skipSpaces()
                    kept = out.count
                    continue
                }
                try appendEscape(into: &out)
                kept = out.count
                continue
            }
            out.append(c)
            pos += 1
            if c != UInt8(ascii: " "), c != UInt8(ascii: "\t") { kept = out.count }
        }
        return YAMLScalar(text: String(decoding: out, as: UTF8.self), style: isDouble ? .doubleQuoted : .singleQuoted)
    }

    /// Decodes one `\` escape of a double-quoted scalar at `pos`.
    private mutating func appendEscape(into out: inout [UInt8]) throws(YAMLSyntaxError) {
        let escapeStart = pos
        guard let e = byte(pos + 1) else { throw error("unterminated double-quoted string", at: pos) }
        pos += 2
        let simple: UInt8?
        switch e {
        case UInt8(ascii: "0"): simple = 0
        case UInt8(ascii: "a"): simple = 7
        case UInt8(ascii: "b"): simple = 8
        case UInt8(ascii: "t"), UInt8(ascii: "\t"): simple = 9
        case UInt8(ascii: "n"): simple = 10
        case UInt8(ascii: "v"): simple = 11
        case UInt8(ascii: "f"): simple = 12
        case UInt8(ascii: "r"): simple = 13
        case UInt8(ascii: "e"): simple = 27
        case UInt8(ascii: " "), UInt8(ascii: "\""), UInt8(ascii: "/"), UInt8(ascii: "\\"): simple = e
        default: simple = nil
        }
        if let simple {
            out.append(simple)
            return
        }
        let scalarValue: UInt32
        switch e {
        case UInt8(ascii: "N"): scalarValue = 0x85
        case UInt8(ascii: "_"): scalarValue = 0xA0
        case UInt8(ascii: "L"): scalarValue = 0x2028
        case UInt8(ascii: "P"): scalarValue = 0x2029
        case UInt8(ascii: "x"): scalarValue = try hexDigits(2, escapeStart: escapeStart)
        case UInt8(ascii: "u"):
            var v = try hexDigits(4, escapeStart: escapeStart)
            if v >= 0xD800, v <= 0xDBFF {
                guard byte(pos) == UInt8(ascii: "\\"), byte(pos + 1) == UInt8(ascii: "u") else {
                    throw error("invalid escape: unpaired UTF-16 surrogate", at: escapeStart)
                }
                pos += 2
                let low = try hexDigits(4, escapeStart: escapeStart)
                guard low >= 0xDC00, low <= 0xDFFF else { throw error("invalid escape: unpaired UTF-16 surrogate", at: escapeStart) }
                v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
            }
            scalarValue = v
        case UInt8(ascii: "U"): scalarValue = try hexDigits(8, escapeStart: escapeStart)
        default:
            throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))' in double-quoted string", at: escapeStart)
        }
        guard let scalar = Unicode.Scalar(scalarValue) else {
            throw error("invalid escape: not a Unicode scalar value", at: escapeStart)
        }
        out.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    private mutating func hexDigits(_ count: Int, escapeStart: Int) throws(YAMLSyntaxError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<count {
            guard let c = byte(pos) else { throw error("invalid escape: expected \(count) hex digits", at: escapeStart) }
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 65...70: d = UInt32(c - 55)
            case 97...102: d = UInt32(c - 87)
            default: throw error("invalid escape: expected \(count) hex digits", at: escapeStart)
            }
            v = v << 4 | d
            pos += 1
        }
        return v
    }

    /// A plain scalar in block context; continues on following lines indented deeper than
    /// `parentIndent` (folded with spaces). Ends the line; `pos` is left at a line start.
    mutating func parseBlockPlainScalar(parentIndent: Int) throws(YAMLSyntaxError) -> YAMLScalar {
        let (first, endedByComment) = try scanPlainLine()
        var text = first
        try finishLine()
        guard !endedByComment else { return YAMLScalar(text: text, style: .plain) }
        var breaks = 0
        while pos < bytes.count {
            let start = pos
            var p = pos
            while p < bytes.count, bytes[p] == UInt8(ascii: " ") { p += 1 }
            let indent = p - start
            while p < bytes.count, bytes[p] == UInt8(ascii: " ") || bytes[p] == UInt8(ascii: "\t") { p += 1 }
            guard let c = byte(p) else { break }
            if c == UInt8(ascii: "\n") {
                breaks += 1
                pos = p + 1
                continue
            }
            if c == UInt8(ascii: "#") || indent <= parentIndent { break }
            if indent == 0, p + 3 <= bytes.count, isBlank(p + 3),
               bytes[p..<(p + 3)].elementsEqual("---".utf8) || bytes[p..<(p + 3)].elementsEqual("...".utf8) {
                break
            }
            pos = p
            let (more, comment) = try scanPlainLine()
            text += breaks == 0 ? " " + more : String(repeating: "\n", count: breaks) + more
            breaks = 0
            try finishLine()
            if comment { break }
        }
        return YAMLScalar(text: text, style: .plain)
    }

    /// Scans one line of a block plain scalar from `pos`; stops before ` #` or the line end.
    /// Returns the trimmed text and whether a comment follows.
    private mutating func scanPlainLine() throws(YAMLSyntaxError) -> (String, Bool) {
        let start = pos
        let end = lineEnd(from: pos)
        var comment = false
        while pos < end {
            let c = bytes[pos]
            if c == UInt8(ascii: ":"), isBlank(pos + 1) {
                throw error("mapping values are not allowed here (is the indentation right?)", at: pos)
            }
            if c == UInt8(ascii: "#"), pos > start, bytes[pos - 1] == UInt8(ascii: " ") || bytes[pos - 1] == UInt8(ascii: "\t") {
                comment = true
                break
            }
            pos += 1
        }
        var e = pos
        while e > start, bytes[e - 1] == UInt8(ascii: " ") || bytes[e - 1] == UInt8(ascii: "\t") { e -= 1 }
        return (String(decoding: bytes[start..<e], as: UTF8.self), comment)
    }
}
