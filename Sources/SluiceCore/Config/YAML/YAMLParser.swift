/// Parser for the YAML subset of SPEC §2: block mappings and sequences, flow collections, plain,
/// quoted and block scalars, comments. Anchors, aliases, tags, directives and multi-document
/// streams are rejected. Stops at the first syntax error, which carries its line and column.
///
/// Block-level functions share one postcondition: on return `pos` sits on the first content byte
/// of the next non-blank, non-comment line (or at the end) and `nextIndent` holds that line's
/// indentation (nil at the end).
struct YAMLParser {
    let bytes: [UInt8]
    var pos = 0
    var nextIndent: Int?
    let maxDepth: Int
    private let lineStarts: [Int]
    private var documentStarted = false

    /// Parses one document; returns nil for a file with no content (only comments/blank lines).
    static func parse(_ input: [UInt8], maxDepth: Int = 64) throws(YAMLSyntaxError) -> YAMLNode? {
        var parser = YAMLParser(input: input, maxDepth: maxDepth)
        return try parser.parseDocument()
    }

    private init(input: [UInt8], maxDepth: Int) {
        var b = input
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { b.removeFirst(3) }
        // CRLF line ends: drop the CR so every later rule sees plain LF lines.
        if b.contains(UInt8(ascii: "\r")) {
            var out: [UInt8] = []
            out.reserveCapacity(b.count)
            for (i, c) in b.enumerated() where !(c == UInt8(ascii: "\r") && i + 1 < b.count && b[i + 1] == UInt8(ascii: "\n")) {
                out.append(c)
            }
            b = out
        }
        bytes = b
        self.maxDepth = maxDepth
        var starts = [0]
        for (i, c) in b.enumerated() where c == UInt8(ascii: "\n") { starts.append(i + 1) }
        lineStarts = starts
    }

    private mutating func parseDocument() throws(YAMLSyntaxError) -> YAMLNode? {
        guard let indent = try skipToContent() else { return nil }
        let root = try parseBlockNode(indent: indent, parentIndent: -1, depth: 0)
        if nextIndent != nil { throw error("bad indentation: this line does not belong to any mapping or list", at: pos) }
        return root
    }

    // MARK: positions

    /// 1-based line and column of a byte offset; columns count Unicode scalars, not bytes.
    func location(of offset: Int) -> (line: Int, column: Int) {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        var column = 1
        var i = lineStarts[lo]
        while i < offset, i < bytes.count {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return (lo + 1, column)
    }

    func error(_ message: String, at offset: Int) -> YAMLSyntaxError {
        let (line, column) = location(of: offset)
        return YAMLSyntaxError(line: line, column: column, message: message)
    }

    func node(_ content: YAMLNode.Content, at offset: Int) -> YAMLNode {
        let (line, column) = location(of: offset)
        return YAMLNode(content: content, line: line, column: column)
    }

    func lineStart(of offset: Int) -> Int {
        var i = offset
        while i > 0, bytes[i - 1] != UInt8(ascii: "\n") { i -= 1 }
        return i
    }

    func lineEnd(from offset: Int) -> Int {
        var i = offset
        while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
        return i
    }

    func byte(_ offset: Int) -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

    /// True at the end, a line break, a space or a tab.
    func isBlank(_ offset: Int) -> Bool {
        guard let c = byte(offset) else { return true }
        return c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n")
    }

    mutating func skipSpaces() {
        while let c = byte(pos), c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { pos += 1 }
    }

    // MARK: lines

    /// From a line start, skips blank and comment lines; leaves `pos` on the first content byte
    /// and returns (and records in `nextIndent`) its indentation, or nil at the end.
    mutating func skipToContent() throws(YAMLSyntaxError) -> Int? {
        while pos < bytes.count {
            let start = pos
            var p = pos
            while p < bytes.count, bytes[p] == UInt8(ascii: " ") { p += 1 }
            let end = lineEnd(from: p)
            let c = byte(p)
            if c == nil || c == UInt8(ascii: "\n") || c == UInt8(ascii: "#") {
                pos = min(end + 1, bytes.count)
                continue
            }
            if c == UInt8(ascii: "\t") {
                var q = p
                while q < end, bytes[q] == UInt8(ascii: " ") || bytes[q] == UInt8(ascii: "\t") { q += 1 }
                if q == end || bytes[q] == UInt8(ascii: "#") {
                    pos = min(end + 1, bytes.count)
                    continue
                }
                throw error("tabs are not allowed for indentation; use spaces", at: p)
            }
            if p == start, try handleMarkerLine(at: p, end: end) { continue }
            documentStarted = true
            pos = p
            nextIndent = p - start
            return p - start
        }
        pos = bytes.count
        nextIndent = nil
        return nil
    }

    /// Handles `---`, `...` and `%` at column 1; returns true when the line was consumed.
    private mutating func handleMarkerLine(at p: Int, end: Int) throws(YAMLSyntaxError) -> Bool {
        if bytes[p] == UInt8(ascii: "%") {
            throw error("directives (%YAML, %TAG) are not supported", at: p)
        }
        guard end - p >= 3, isBlank(p + 3) else { return false }
        let three = (bytes[p], bytes[p + 1], bytes[p + 2])
        if three == (UInt8(ascii: "-"), UInt8(ascii: "-"), UInt8(ascii: "-")) {
            if documentStarted { throw error("multiple documents are not supported (found '---' after content)", at: p) }
            var q = p + 3
            while q < end, bytes[q] == UInt8(ascii: " ") || bytes[q] == UInt8(ascii: "\t") { q += 1 }
            if q < end, bytes[q] != UInt8(ascii: "#") {
                throw error("content on the '---' line is not supported; start it on the next line", at: q)
            }
            documentStarted = true
            pos = min(end + 1, bytes.count)
            return true
        }
        if three == (UInt8(ascii: "."), UInt8(ascii: "."), UInt8(ascii: ".")) {
            throw error("document end marker '...' is not supported (one document per file)", at: p)
        }
        return false
    }

    /// After a value on a line: allows trailing spaces and a comment, then consumes the line break.
    mutating func finishLine() throws(YAMLSyntaxError) {
        let before = pos
        skipSpaces()
        guard let c = byte(pos) else { return }
        if c == UInt8(ascii: "\n") {
            pos += 1
            return
        }
        if c == UInt8(ascii: "#") {
            if pos == before, pos > 0, !isBlank(pos - 1) {
                throw error("a comment needs whitespace before '#'", at: pos)
            }
            pos = min(lineEnd(from: pos) + 1, bytes.count)
            return
        }
        throw error("unexpected text after the value", at: pos)
    }

    /// Rejects indicators this subset does not support, at the start of a node.
    func rejectUnsupportedIndicator(at offset: Int) throws(YAMLSyntaxError) {
        guard let c = byte(offset) else { return }
        switch c {
        case UInt8(ascii: "&"): throw error("anchors ('&') are not supported", at: offset)
        case UInt8(ascii: "*"): throw error("aliases ('*') are not supported", at: offset)
        case UInt8(ascii: "!"): throw error("tags ('!') are not supported", at: offset)
        case UInt8(ascii: "?") where isBlank(offset + 1):
            throw error("complex mapping keys ('?') are not supported", at: offset)
        case UInt8(ascii: "@"), UInt8(ascii: "`"), UInt8(ascii: "%"):
            throw error("'\(Character(Unicode.Scalar(c)))' cannot start a plain value; quote it", at: offset)
        default: return
        }
    }
}
