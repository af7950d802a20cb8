extension YAMLParser {
    /// Parses a node inside a flow collection (or the collection itself) at `pos`.
    mutating func parseFlowNode(depth: Int) throws(YAMLSyntaxError) -> YAMLNode {
        if depth > maxDepth { throw error("nesting deeper than \(maxDepth) levels", at: pos) }
        try rejectUnsupportedIndicator(at: pos)
        let start = pos
        guard let c = byte(pos) else { throw error("expected a value", at: pos) }
        switch c {
        case UInt8(ascii: "["): return try parseFlowSequence(depth: depth)
        case UInt8(ascii: "{"): return try parseFlowMapping(depth: depth)
        case UInt8(ascii: "\""), UInt8(ascii: "'"): return node(.scalar(try parseQuotedScalar()), at: start)
        case UInt8(ascii: "|"), UInt8(ascii: ">"):
            throw error("block scalars ('|', '>') are not allowed inside [ ] or { }", at: pos)
        case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ":"):
            throw error("expected a value, found '\(Character(Unicode.Scalar(c)))'", at: pos)
        case UInt8(ascii: "-") where isBlank(pos + 1):
            throw error("'- ' list entries are not allowed inside [ ] or { }", at: pos)
        default:
            return node(.scalar(YAMLScalar(text: scanFlowPlain(), style: .plain)), at: start)
        }
    }

    /// Skips spaces, tabs, line breaks and comments between flow tokens.
    private mutating func skipFlowWhitespace() throws(YAMLSyntaxError) {
        while let c = byte(pos) {
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") {
                pos += 1
            } else if c == UInt8(ascii: "#"), pos == 0 || isBlank(pos - 1) {
                pos = lineEnd(from: pos)
            } else {
                return
            }
        }
    }

    private mutating func parseFlowSequence(depth: Int) throws(YAMLSyntaxError) -> YAMLNode {
        let start = pos
        pos += 1
        var items: [YAMLNode] = []
        while true {
            try skipFlowWhitespace()
            guard let c = byte(pos) else { throw error("unterminated flow sequence: missing ']'", at: start) }
            if c == UInt8(ascii: "]") {
                pos += 1
                break
            }
            items.append(try parseFlowNode(depth: depth + 1))
            try skipFlowWhitespace()
            guard let d = byte(pos) else { throw error("unterminated flow sequence: missing ']'", at: start) }
            if d == UInt8(ascii: ",") {
                pos += 1
            } else if d == UInt8(ascii: ":") {
                throw error("'key: value' pairs inside [ ] are not supported; write {key: value}", at: pos)
            } else if d != UInt8(ascii: "]") {
                throw separatorError("expected ',' or ']' in flow sequence")
            }
        }
        return node(.sequence(items), at: start)
    }

    private mutating func parseFlowMapping(depth: Int) throws(YAMLSyntaxError) -> YAMLNode {
        let start = pos
        pos += 1
        var entries: [YAMLMappingEntry] = []
        var seen: [String: Int] = [:]
        while true {
            try skipFlowWhitespace()
            guard let c = byte(pos) else { throw error("unterminated flow mapping: missing '}'", at: start) }
            if c == UInt8(ascii: "}") {
                pos += 1
                break
            }
            if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
                throw error("a key must be a scalar, not a collection", at: pos)
            }
            let keyOffset = pos
            let keyNode = try parseFlowNode(depth: depth + 1)
            let key = keyNode.scalar?.text ?? ""
            if let firstLine = seen[key] {
                throw error("duplicate key '\(key)' (first defined on line \(firstLine))", at: keyOffset)
            }
            seen[key] = keyNode.line
            try skipFlowWhitespace()
            var value = YAMLNode(content: .scalar(YAMLScalar(text: "", style: .plain)), line: keyNode.line, column: keyNode.column)
            if byte(pos) == UInt8(ascii: ":") {
                pos += 1
                try skipFlowWhitespace()
                if let v = byte(pos), v != UInt8(ascii: ","), v != UInt8(ascii: "}") {
                    value = try parseFlowNode(depth: depth + 1)
                    try skipFlowWhitespace()
                }
            }
            entries.append(YAMLMappingEntry(key: key, keyLine: keyNode.line, keyColumn: keyNode.column, value: value))
            guard let d = byte(pos) else { throw error("unterminated flow mapping: missing '}'", at: start) }
            if d == UInt8(ascii: ",") {
                pos += 1
            } else if d != UInt8(ascii: "}") {
                throw separatorError("expected ',' or '}' in flow mapping")
            }
        }
        return node(.mapping(entries), at: start)
    }

    /// The error for a missing separator, with a hint for the commonest cause: an unquoted `${…}`.
    private func separatorError(_ message: String) -> YAMLSyntaxError {
        if byte(pos) == UInt8(ascii: "{"), pos > 0, bytes[pos - 1] == UInt8(ascii: "$") {
            return error(message + "; quote values that contain ${…} inside [ ] or { }", at: pos - 1)
        }
        return error(message, at: pos)
    }

    /// A plain scalar inside a flow collection: ends at a flow indicator, `: `, ` #` or the line end.
    private mutating func scanFlowPlain() -> String {
        let start = pos
        while let c = byte(pos) {
            if c == UInt8(ascii: ",") || c == UInt8(ascii: "[") || c == UInt8(ascii: "]") || c == UInt8(ascii: "{")
                || c == UInt8(ascii: "}") || c == UInt8(ascii: "\n") {
                break
            }
            if c == UInt8(ascii: ":") {
                let n = byte(pos + 1)
                if isBlank(pos + 1) || n == UInt8(ascii: ",") || n == UInt8(ascii: "]") || n == UInt8(ascii: "}")
                    || n == UInt8(ascii: "[") || n == UInt8(ascii: "{") {
                    break
                }
            }
            if c == UInt8(ascii: "#"), pos > start, isBlank(pos - 1) { break }
            pos += 1
        }
        var e = pos
        while e > start, bytes[e - 1] == UInt8(ascii: " ") || bytes[e - 1] == UInt8(ascii: "\t") { e -= 1 }
        return String(decoding: bytes[start..<e], as: UTF8.self)
    }
}
