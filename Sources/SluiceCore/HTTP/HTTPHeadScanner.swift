/// First pass of head parsing: finds where a head ends, incrementally, enforcing the size limits.
///
/// It remembers how far it has looked, so feeding a growing buffer costs O(new bytes). It only
/// looks for LF (and checks each LF is preceded by CR); the byte-level grammar is checked once
/// the head is complete, by `HTTPFieldParser` and the start-line parsers. Owned by one parser.
struct HTTPHeadScanner: Sendable {
    /// Where the pieces of a complete head are in the buffer.
    struct Layout: Sendable, Equatable {
        /// First byte of the start line (after skipped empty lines).
        var startLine: Int
        /// Index of the CR ending the start line.
        var startLineEnd: Int
        /// First byte of the field lines (== `end - 2` when there are none).
        var fieldsStart: Int
        /// One past the final CRLF: the number of bytes the head occupies.
        var end: Int
        /// Number of field lines.
        var fieldCount: Int
    }

    /// Scan outcome.
    enum Outcome: Sendable, Equatable {
        case needMore
        case complete(Layout)
        case invalid(HTTPParseError)
    }

    let limits: HTTPParserLimits
    /// Error kind for an over-long start line (414 for requests).
    let startLineTooLong: HTTPParseError.Kind
    private var scanned = 0
    private var lineStart = 0
    private var startLine = 0
    private var startLineEnd = -1
    private var fieldCount = 0

    /// A scanner at the beginning of a head.
    init(limits: HTTPParserLimits, startLineTooLong: HTTPParseError.Kind) {
        self.limits = limits
        self.startLineTooLong = startLineTooLong
    }

    /// Forgets all progress; the next scan starts at byte 0 of a new buffer.
    mutating func reset() {
        scanned = 0
        lineStart = 0
        startLine = 0
        startLineEnd = -1
        fieldCount = 0
    }

    /// Continues scanning `p`, which must start with the same bytes as in earlier calls.
    mutating func scan(_ p: UnsafeRawBufferPointer) -> Outcome {
        let n = p.count
        var i = scanned
        while true {
            while i < n, p[i] != HTTPByteClass.lf { i &+= 1 }
            if i == n { break }
            // p[i] is LF: the line must end in CRLF.
            guard i > lineStart, p[i - 1] == HTTPByteClass.cr else {
                return .invalid(.bad("line not terminated by CRLF"))
            }
            let lineEnd = i - 1
            let next = i + 1
            // An over-long request line is 414 even when it also overflows the head (checked first).
            if startLineEnd < 0, lineEnd - lineStart > limits.maxRequestLineBytes {
                return .invalid(HTTPParseError(startLineTooLong, "start line too long"))
            }
            if next > limits.maxHeaderBytes { return .invalid(HTTPParseError(.headersTooLarge, "head too large")) }
            if startLineEnd < 0 {
                if lineEnd == lineStart {
                    // RFC 9112 §2.2: empty lines before the start line are ignored.
                    startLine = next
                } else {
                    if lineEnd - lineStart > limits.maxRequestLineBytes {
                        return .invalid(HTTPParseError(startLineTooLong, "start line too long"))
                    }
                    startLineEnd = lineEnd
                }
            } else if lineEnd == lineStart {
                scanned = next
                return .complete(Layout(startLine: startLine, startLineEnd: startLineEnd,
                                        fieldsStart: startLineEnd + 2, end: next, fieldCount: fieldCount))
            } else {
                fieldCount += 1
                if fieldCount > limits.maxHeaderCount {
                    return .invalid(HTTPParseError(.headersTooLarge, "too many header fields"))
                }
            }
            lineStart = next
            i = next
        }
        scanned = n
        if startLineEnd < 0 {
            // An incomplete start line: its final CR may still be followed by LF.
            var pending = n - lineStart
            if pending > 0, p[n - 1] == HTTPByteClass.cr { pending -= 1 }
            if pending > limits.maxRequestLineBytes {
                return .invalid(HTTPParseError(startLineTooLong, "start line too long"))
            }
        }
        if n > limits.maxHeaderBytes { return .invalid(HTTPParseError(.headersTooLarge, "head too large")) }
        return .needMore
    }
}
