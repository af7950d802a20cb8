extension YAMLParser {
    /// Parses the node starting at `pos` (a content byte) whose own indentation is `indent`.
    mutating func parseBlockNode(indent: Int, parentIndent: Int, depth: Int) throws(YAMLSyntaxError) -> YAMLNode {
        if depth > maxDepth { throw error("nesting deeper than \(maxDepth) levels", at: pos) }
        if byte(pos) == UInt8(ascii: "-"), isBlank(pos + 1) {
            return try parseBlockSequence(indent: indent, depth: depth)
        }
        if try isMappingKeyAhead() {
            return try parseBlockMapping(indent: indent, depth: depth)
        }
        return try parseInlineValue(parentIndent: parentIndent, depth: depth)
    }

    /// True when the current line, from `pos`, starts with `key:` followed by whitespace or the end.
    mutating func isMappingKeyAhead() throws(YAMLSyntaxError) -> Bool {
        let end = lineEnd(from: pos)
        guard let first = byte(pos) else { return false }
        var p = pos
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            p += 1
            var closed = false
            while p < end {
                let c = bytes[p]
                if first == UInt8(ascii: "\""), c == UInt8(ascii: "\\") {
                    p += 2
                    continue
                }
                if c == first {
                    if first == UInt8(ascii: "'"), p + 1 < end, bytes[p + 1] == first {
                        p += 2
                        continue
                    }
                    closed = true
                    p += 1
                    break
                }
                p += 1
            }
            guard closed else { return false }
            while p < end, bytes[p] == UInt8(ascii: " ") || bytes[p] == UInt8(ascii: "\t") { p += 1 }
            return p < end && bytes[p] == UInt8(ascii: ":") && isBlank(p + 1)
        }
        switch first {
        case UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: "#"), UInt8(ascii: "|"), UInt8(ascii: ">"),
             UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "%"), UInt8(ascii: "@"),
             UInt8(ascii: "`"), UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"):
            return false
        default: break
        }
        while p < end {
            let c = bytes[p]
            if c == UInt8(ascii: ":"), isBlank(p + 1) { return p > pos }
            if c == UInt8(ascii: "#"), p > pos, bytes[p - 1] == UInt8(ascii: " ") || bytes[p - 1] == UInt8(ascii: "\t") {
                return false
            }
            p += 1
        }
        return false
    }

    /// Parses `key: value` lines at one indentation (the first key may sit mid-line after `- `).
    mutating func parseBlockMapping(indent: Int, depth: Int) throws(YAMLSyntaxError) -> YAMLNode {
        let start = pos
        var entries: [YAMLMappingEntry] = []
        var seen: [String: Int] = [:]
        while true {
            try rejectUnsupportedIndicator(at: pos)
            let keyOffset = pos
            guard try isMappingKeyAhead() else {
                if byte(pos) == UInt8(ascii: "-"), isBlank(pos + 1) {
                    throw error("expected a mapping key, found a list entry ('- ') at the same indentation", at: pos)
                }
                throw error("expected 'key: value' (a mapping entry) here", at: pos)
            }
            let key = try parseMappingKey()
            let (keyLine, keyColumn) = location(of: keyOffset)
            if let firstLine = seen[key] {
                throw error("duplicate key '\(key)' (first defined on line \(firstLine))", at: keyOffset)
            }
            seen[key] = keyLine
            skipSpaces()
            let value: YAMLNode
            if byte(pos) == nil || byte(pos) == UInt8(ascii: "\n") || byte(pos) == UInt8(ascii: "#") {
                try finishLine()
                let m = try skipToContent()
                if let m, m > indent {
                    value = try parseBlockNode(indent: m, parentIndent: indent, depth: depth + 1)
                } else if let m, m == indent, byte(pos) == UInt8(ascii: "-"), isBlank(pos + 1) {
                    value = try parseBlockSequence(indent: indent, depth: depth + 1)
                } else {
                    value = YAMLNode(content: .scalar(YAMLScalar(text: "", style: .plain)), line: keyLine, column: keyColumn)
                }
            } else {
                if byte(pos) == UInt8(ascii: "-"), isBlank(pos + 1) {
                    throw error("a list cannot start on the same line as its key; put '- ' on the next line", at: pos)
                }
                if try isMappingKeyAhead() {
                    throw error("a nested mapping cannot start on the same line as its key; use a new line or {k: v}", at: pos)
                }
                value = try parseInlineValue(parentIndent: indent, depth: depth + 1)
            }
            entries.append(YAMLMappingEntry(key: key, keyLine: keyLine, keyColumn: keyColumn, value: value))
            guard let m = nextIndent, m >= indent else { break }
            if m > indent { throw error("bad indentation: expected \(indent) spaces like the keys above, found \(m)", at: pos) }
        }
        return node(.mapping(entries), at: start)
    }

    /// Reads a plain or single-line quoted key and the `:` after it.
    private mutating func parseMappingKey() throws(YAMLSyntaxError) -> String {
        let key: String
        if let q = byte(pos), q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") {
            key = try parseQuotedScalar().text
            skipSpaces()
        } else {
            let start = pos
            while !(bytes[pos] == UInt8(ascii: ":") && isBlank(pos + 1)) { pos += 1 }
            var end = pos
            while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
            key = String(decoding: bytes[start..<end], as: UTF8.self)
        }
        pos += 1  // the ':'
        return key
    }

    /// Parses `- item` lines at one indentation.
    mutating func parseBlockSequence(indent: Int, depth: Int) throws(YAMLSyntaxError) -> YAMLNode {
        let start = pos
        var items: [YAMLNode] = []
        while true {
            let dash = pos
            pos += 1
            skipSpaces()
            if byte(pos) == nil || byte(pos) == UInt8(ascii: "\n") || byte(pos) == UInt8(ascii: "#") {
                try finishLine()
                let m = try skipToContent()
                if let m, m > indent {
                    items.append(try parseBlockNode(indent: m, parentIndent: indent, depth: depth + 1))
                } else {
                    items.append(node(.scalar(YAMLScalar(text: "", style: .plain)), at: dash))
                }
            } else {
                let column = pos - lineStart(of: pos)
                try rejectUnsupportedIndicator(at: pos)
                items.append(try parseBlockNode(indent: column, parentIndent: indent, depth: depth + 1))
            }
            guard let m = nextIndent, m >= indent else { break }
            if m > indent { throw error("bad indentation: expected \(indent) spaces like the list entries above, found \(m)", at: pos) }
            guard byte(pos) == UInt8(ascii: "-"), isBlank(pos + 1) else { break }
        }
        return node(.sequence(items), at: start)
    }

    /// A value that is not a block collection: flow collection, quoted, block or plain scalar.
    /// Consumes the rest of its line(s) and moves to the next content line.
    mutating func parseInlineValue(parentIndent: Int, depth: Int) throws(YAMLSyntaxError) -> YAMLNode {
        try rejectUnsupportedIndicator(at: pos)
        let start = pos
        guard let c = byte(pos) else { return node(.scalar(YAMLScalar(text: "", style: .plain)), at: start) }
        switch c {
        case UInt8(ascii: "|"), UInt8(ascii: ">"):
            let scalar = try parseBlockScalar(parentIndent: parentIndent)
            _ = try skipToContent()
            return node(.scalar(scalar), at: start)
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            let value = try parseFlowNode(depth: depth)
            try finishLine()
            _ = try skipToContent()
            return value
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            let scalar = try parseQuotedScalar()
            skipSpaces()
            if byte(pos) == UInt8(ascii: ":"), isBlank(pos + 1) {
                throw error("mapping values are not allowed here", at: pos)
            }
            try finishLine()
            _ = try skipToContent()
            return node(.scalar(scalar), at: start)
        case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"):
            throw error("unexpected '\(Character(Unicode.Scalar(c)))'", at: pos)
        default:
            let scalar = try parseBlockPlainScalar(parentIndent: parentIndent)
            _ = try skipToContent()
            return node(.scalar(scalar), at: start)
        }
    }
}
