/// Strict incremental HTTP/1.1 request-head parser (RFC 9112), one per downstream connection.
///
/// Call `parseHead` with the whole accumulated buffer (starting at the head's first byte) each time
/// bytes arrive; only new bytes are scanned for the end of the head, and 414/431 are answered as soon
/// as a limit is passed. Once complete, the head is validated in one pass. Call `reset()` before the
/// next request. Rules beyond the RFC's MUSTs, chosen for strictness:
/// - several Content-Length fields, even identical, and comma lists in it -> 400;
/// - a Content-Length too large for `Int` -> 413;
/// - Transfer-Encoding: see `HTTPTransferCoding` (501 only for registered codings);
/// - HTTP versions other than 1.0/1.1 -> 400; Host must appear once in 1.1, at most once in 1.0.
struct HTTPRequestParser: Sendable {
    private var scanner: HTTPHeadScanner

    /// A parser enforcing `limits`.
    init(limits: HTTPParserLimits = HTTPParserLimits()) {
        scanner = HTTPHeadScanner(limits: limits, startLineTooLong: .uriTooLong)
    }

    /// Prepares for the next request head (the caller drops the consumed bytes).
    mutating func reset() { scanner.reset() }

    /// Parses as far as `bytes` allow.
    mutating func parseHead(_ bytes: UnsafeRawBufferPointer) -> HTTPHeadParseResult<HTTPRequestHead> {
        switch scanner.scan(bytes) {
        case .needMore: return .needMore
        case .invalid(let e): return .invalid(e)
        case .complete(let layout):
            switch Self.build(bytes, layout) {
            case .success(let head): return .complete(head, consumed: layout.end)
            case .failure(let e): return .invalid(e)
            }
        }
    }

    private static func build(_ p: UnsafeRawBufferPointer, _ layout: HTTPHeadScanner.Layout)
        -> Result<HTTPRequestHead, HTTPParseError> {
        // request-line = method SP request-target SP HTTP-version, single spaces only.
        let ls = layout.startLine
        let le = layout.startLineEnd
        var m = ls
        while m < le, HTTPByteClass.isToken(p[m]) { m += 1 }
        guard m > ls, m < le, p[m] == HTTPByteClass.sp else { return .failure(.bad("invalid method")) }
        let ts = m + 1
        var te = ts
        while te < le, p[te] > 0x20, p[te] < 0x7F { te += 1 }
        guard te > ts, te < le, p[te] == HTTPByteClass.sp else { return .failure(.bad("invalid request line")) }
        guard let version = HTTPVersion.parse(p, te + 1, le) else { return .failure(.bad("invalid HTTP version")) }
        guard version == .http1_1 || version == .http1_0 else { return .failure(.bad("unsupported HTTP version")) }
        let method = HTTPMethod(token: p, ls, m)

        let headers: HTTPHeaders
        let s: HTTPFieldParser.Summary
        switch HTTPFieldParser.parse(p, layout) {
        case .failure(let e): return .failure(e)
        case .success(let r): (headers, s) = r
        }

        if s.hostCount > 1 { return .failure(.bad("duplicate Host")) }
        if s.hostCount == 0 && version == .http1_1 { return .failure(.bad("missing Host")) }
        let host: ArraySlice<UInt8>? = s.hostIndex >= 0 ? headers.value(at: s.hostIndex) : nil
        if let host, !Self.isValidHost(host) { return .failure(.bad("invalid Host")) }

        let framing: HTTPBodyFraming
        switch framingOf(s, headers, version) {
        case .failure(let e): return .failure(e)
        case .success(let f): framing = f
        }

        let target: HTTPRequestTarget
        switch HTTPRequestTarget.parse(p, ts, te, method: method, host: host) {
        case .failure(let e): return .failure(e)
        case .success(let t): target = t
        }

        let keepAlive = version == .http1_1 ? !s.connectionClose : (s.connectionKeepAlive && !s.connectionClose)
        return .success(HTTPRequestHead(
            method: method, target: target.target, path: target.path, query: target.query, version: version,
            headers: headers, framing: framing, keepAlive: keepAlive,
            expectContinue: s.expectContinue && version == .http1_1))
    }

    private static func framingOf(_ s: HTTPFieldParser.Summary, _ headers: HTTPHeaders,
                                  _ version: HTTPVersion) -> Result<HTTPBodyFraming, HTTPParseError> {
        if s.transferEncodingCount > 0 {
            if s.contentLengthCount > 0 { return .failure(.bad("both Content-Length and Transfer-Encoding")) }
            if version == .http1_0 { return .failure(.bad("Transfer-Encoding in HTTP/1.0")) }
            if let e = HTTPTransferCoding(headers).requestError { return .failure(e) }
            return .success(.chunked)
        }
        if s.contentLengthCount == 0 { return .success(.none) }
        if s.contentLengthCount > 1 { return .failure(.bad("multiple Content-Length")) }
        if let e = s.contentLengthError { return .failure(e) }
        return .success(.contentLength(s.contentLength))
    }

    /// `uri-host [":" port]` (RFC 9112 §3.2): a reg-name or IPv4 (host characters, valid
    /// percent-escapes), or a bracketed IPv6 literal, then an optional all-digit port. Empty is refused.
    static func isValidHost(_ v: ArraySlice<UInt8>) -> Bool {
        guard !v.isEmpty else { return false }
        var i = v.startIndex
        if v[i] == UInt8(ascii: "[") {
            guard let close = v.firstIndex(of: UInt8(ascii: "]")), close > i + 1 else { return false }
            for b in v[(i + 1)..<close] {
                let hex = (b >= 48 && b <= 57) || (b | 0x20 >= 97 && b | 0x20 <= 102)
                guard hex || b == UInt8(ascii: ":") || b == UInt8(ascii: ".") else { return false }
            }
            i = close + 1
        } else {
            while i < v.endIndex, v[i] != UInt8(ascii: ":") {
                let b = v[i]
                guard HTTPByteClass.isHostChar(b), b != UInt8(ascii: "[") , b != UInt8(ascii: "]") else { return false }
                if b == UInt8(ascii: "%") {
                    guard i + 2 < v.endIndex, HTTPByteClass.hexValue(v[i + 1]) != nil, HTTPByteClass.hexValue(v[i + 2]) != nil
                    else { return false }
                    i += 2
                }
                i += 1
            }
            if i == v.startIndex { return false }
        }
        guard i < v.endIndex else { return true }
        guard v[i] == UInt8(ascii: ":") else { return false }
        let port = v[(i + 1)...]
        return port.count <= 5 && port.allSatisfy { $0 >= 48 && $0 <= 57 }
    }
}
