/// Second pass of head parsing: validates field lines (RFC 9112 §5) and builds `HTTPHeaders` with
/// one copy of the field section, noting the fields that decide framing on the way.
enum HTTPFieldParser {
    /// What the framing and connection rules need, gathered while parsing.
    struct Summary: Sendable {
        /// Number of Host fields and the index of the first one.
        var hostCount = 0
        var hostIndex = -1
        /// Number of Content-Length fields and the parsed value of the last well-formed one.
        var contentLengthCount = 0
        var contentLength = 0
        /// Set when a Content-Length value is malformed or overflows.
        var contentLengthError: HTTPParseError?
        /// Number of Transfer-Encoding fields.
        var transferEncodingCount = 0
        /// Connection options seen.
        var connectionClose = false
        var connectionKeepAlive = false
        /// `Expect: 100-continue` seen.
        var expectContinue = false
    }

    /// Parses the field lines of a complete head scanned by `HTTPHeadScanner`.
    static func parse(_ p: UnsafeRawBufferPointer, _ layout: HTTPHeadScanner.Layout)
        -> Result<(HTTPHeaders, Summary), HTTPParseError> {
        let base = layout.fieldsStart
        let sectionEnd = layout.end - 2
        var fields: [HTTPHeaders.Field] = []
        fields.reserveCapacity(layout.fieldCount)
        var summary = Summary()
        var i = base
        while i < sectionEnd {
            // Line i..<lineEnd; the scanner guaranteed each LF is preceded by CR.
            var lineEnd = i
            while p[lineEnd] != HTTPByteClass.lf { lineEnd &+= 1 }
            lineEnd -= 1
            if HTTPByteClass.isOWS(p[i]) { return .failure(.bad("obsolete line folding")) }
            var c = i
            while c < lineEnd, HTTPByteClass.isToken(p[c]) { c &+= 1 }
            guard c < lineEnd, p[c] == HTTPByteClass.colon else {
                if c < lineEnd, HTTPByteClass.isOWS(p[c]) { return .failure(.bad("whitespace before colon")) }
                return .failure(.bad("invalid header name"))
            }
            if c == i { return .failure(.bad("empty header name")) }
            var vs = c + 1
            var ve = lineEnd
            while vs < ve, HTTPByteClass.isOWS(p[vs]) { vs &+= 1 }
            while ve > vs, HTTPByteClass.isOWS(p[ve - 1]) { ve -= 1 }
            var k = vs
            while k < ve {
                guard HTTPByteClass.isFieldValueChar(p[k]) else {
                    return .failure(.bad(p[k] == HTTPByteClass.cr ? "bare CR in header" : "control character in header"))
                }
                k &+= 1
            }
            let index = fields.count
            fields.append(HTTPHeaders.Field(nameStart: i - base, nameEnd: c - base, valueStart: vs - base, valueEnd: ve - base))
            note(p, nameStart: i, nameEnd: c, valueStart: vs, valueEnd: ve, index: index, into: &summary)
            i = lineEnd + 2
        }
        let storage = Array(UnsafeRawBufferPointer(rebasing: p[base..<max(base, sectionEnd)]))
        return .success((HTTPHeaders(storage: storage, fields: fields), summary))
    }

    private static func note(_ p: UnsafeRawBufferPointer, nameStart ns: Int, nameEnd ne: Int,
                             valueStart vs: Int, valueEnd ve: Int, index: Int, into s: inout Summary) {
        switch ne - ns {
        case 4 where HTTPByteClass.equalsLowercase(p, ns, ne, "host"):
            s.hostCount += 1
            if s.hostIndex < 0 { s.hostIndex = index }
        case 6 where HTTPByteClass.equalsLowercase(p, ns, ne, "expect"):
            if HTTPByteClass.equalsLowercase(p, vs, ve, "100-continue") { s.expectContinue = true }
        case 10 where HTTPByteClass.equalsLowercase(p, ns, ne, "connection"):
            noteConnection(p, vs, ve, into: &s)
        case 14 where HTTPByteClass.equalsLowercase(p, ns, ne, "content-length"):
            s.contentLengthCount += 1
            switch parseContentLength(p, vs, ve) {
            case .success(let n): s.contentLength = n
            case .failure(let e): s.contentLengthError = s.contentLengthError ?? e
            }
        case 17 where HTTPByteClass.equalsLowercase(p, ns, ne, "transfer-encoding"):
            s.transferEncodingCount += 1
        default:
            break
        }
    }

    private static func noteConnection(_ p: UnsafeRawBufferPointer, _ vs: Int, _ ve: Int, into s: inout Summary) {
        var a = vs
        while a < ve {
            var b = a
            while b < ve, p[b] != HTTPByteClass.comma { b &+= 1 }
            var ts = a
            var te = b
            while ts < te, HTTPByteClass.isOWS(p[ts]) { ts &+= 1 }
            while te > ts, HTTPByteClass.isOWS(p[te - 1]) { te -= 1 }
            if HTTPByteClass.equalsLowercase(p, ts, te, "close") { s.connectionClose = true }
            if HTTPByteClass.equalsLowercase(p, ts, te, "keep-alive") { s.connectionKeepAlive = true }
            a = b + 1
        }
    }

    /// `1*DIGIT` only: no sign, no spaces, no lists. Too large for Int -> 413.
    static func parseContentLength(_ p: UnsafeRawBufferPointer, _ vs: Int, _ ve: Int) -> Result<Int, HTTPParseError> {
        guard vs < ve else { return .failure(.bad("empty Content-Length")) }
        var n = 0
        for k in vs..<ve {
            let b = p[k]
            guard HTTPByteClass.isDigit(b) else { return .failure(.bad("malformed Content-Length")) }
            let (m, o1) = n.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(b &- 48))
            if o1 || o2 {
                // Still scan the rest so a later non-digit is reported as malformed, not too large.
                for r in (k + 1)..<ve where !HTTPByteClass.isDigit(p[r]) { return .failure(.bad("malformed Content-Length")) }
                return .failure(HTTPParseError(.bodyTooLarge, "Content-Length too large"))
            }
            n = a
        }
        return .success(n)
    }
}
