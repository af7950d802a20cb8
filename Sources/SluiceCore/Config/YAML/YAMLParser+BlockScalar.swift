extension YAMLParser {
    private enum Chomping { case clip, strip, keep }

    /// Parses a `|` (literal) or `>` (folded) block scalar whose header is at `pos`.
    /// Leaves `pos` at the start of the first line that is not part of the scalar.
    mutating func parseBlockScalar(parentIndent: Int) throws(YAMLSyntaxError) -> YAMLScalar {
        let literal = bytes[pos] == UInt8(ascii: "|")
        pos += 1
        var chomping = Chomping.clip
        var explicitIndent: Int?
        for _ in 0..<2 {
            guard let c = byte(pos) else { break }
            if c == UInt8(ascii: "-") || c == UInt8(ascii: "+"), chomping == .clip {
                chomping = c == UInt8(ascii: "-") ? .strip : .keep
                pos += 1
            } else if c >= UInt8(ascii: "1"), c <= UInt8(ascii: "9"), explicitIndent == nil {
                explicitIndent = Int(c - 48)
                pos += 1
            } else {
                break
            }
        }
        if !isBlank(pos), byte(pos) != UInt8(ascii: "#") {
            throw error("invalid block scalar header: expected '-', '+' or an indentation digit 1-9", at: pos)
        }
        try finishLine()

        let base = max(parentIndent, 0)
        let contentIndent = explicitIndent.map { base + $0 } ?? detectIndent()
        var lines: [ArraySlice<UInt8>] = []
        var lastEndedWithBreak = false
        while pos < bytes.count, contentIndent > parentIndent {
            let start = pos
            let end = lineEnd(from: pos)
            var p = start
            while p < end, bytes[p] == UInt8(ascii: " ") { p += 1 }
            let spaces = p - start
            if p == end, spaces <= contentIndent {
                lines.append([])
            } else if spaces < contentIndent {
                break
            } else {
                lines.append(bytes[(start + contentIndent)..<end])
            }
            lastEndedWithBreak = end < bytes.count
            pos = min(end + 1, bytes.count)
        }
        // Trailing blank lines are only kept with `+`; they belong to the scalar's chomping.
        var lastContent = lines.count - 1
        while lastContent >= 0, lines[lastContent].isEmpty { lastContent -= 1 }
        let trailingBlank = lines.count - 1 - lastContent
        var out: [UInt8] = []
        if lastContent >= 0 {
            let body = lines[0...lastContent]
            out = literal ? Self.joinLiteral(body) : Self.fold(body)
        }
        switch chomping {
        case .strip: break
        case .clip:
            if lastContent >= 0, lastContent < lines.count - 1 || lastEndedWithBreak { out.append(UInt8(ascii: "\n")) }
        case .keep:
            if lastContent >= 0, lastContent < lines.count - 1 || lastEndedWithBreak { out.append(UInt8(ascii: "\n")) }
            out.append(contentsOf: repeatElement(UInt8(ascii: "\n"), count: trailingBlank))
        }
        return YAMLScalar(text: String(decoding: out, as: UTF8.self), style: literal ? .literal : .folded)
    }

    /// Indentation of the first non-blank line from `pos` (0 at the end).
    private func detectIndent() -> Int {
        var p = pos
        while p < bytes.count {
            let start = p
            while p < bytes.count, bytes[p] == UInt8(ascii: " ") { p += 1 }
            if p < bytes.count, bytes[p] == UInt8(ascii: "\n") {
                p += 1
                continue
            }
            return p == bytes.count ? 0 : p - start
        }
        return 0
    }

    private static func joinLiteral(_ lines: ArraySlice<ArraySlice<UInt8>>) -> [UInt8] {
        var out: [UInt8] = []
        for (i, line) in lines.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "\n")) }
            out.append(contentsOf: line)
        }
        return out
    }

    /// Folding: a single break between two normal lines becomes a space; blank lines become
    /// breaks; lines starting with whitespace ("more indented") keep their breaks.
    private static func fold(_ lines: ArraySlice<ArraySlice<UInt8>>) -> [UInt8] {
        var out: [UInt8] = []
        var pendingBreaks = 0
        var previousMoreIndented = false
        var first = true
        for line in lines {
            if line.isEmpty {
                pendingBreaks += 1
                continue
            }
            let moreIndented = line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t")
            if first {
                out.append(contentsOf: repeatElement(UInt8(ascii: "\n"), count: pendingBreaks))
            } else if pendingBreaks == 0 {
                out.append(previousMoreIndented || moreIndented ? UInt8(ascii: "\n") : UInt8(ascii: " "))
            } else {
                let extra = previousMoreIndented || moreIndented ? 1 : 0
                out.append(contentsOf: repeatElement(UInt8(ascii: "\n"), count: pendingBreaks + extra))
            }
            out.append(contentsOf: line)
            first = false
            previousMoreIndented = moreIndented
            pendingBreaks = 0
        }
        return out
    }
}
