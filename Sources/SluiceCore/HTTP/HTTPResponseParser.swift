/// Incremental HTTP/1.x response-head parser for upstream connections, one per upstream connection.
///
/// Same field rules as requests (CRLF only, no obs-fold, no controls). Slightly more lenient where
/// RFC 9112 allows: any 1.x version, a missing reason phrase (with or without its SP). Still rejects
/// Content-Length with Transfer-Encoding, several or malformed Content-Length fields, and codings
/// other than a lone final `chunked` (see `HTTPTransferCoding.responseError`). An over-long status
/// line or head is a `headersTooLarge` error. A 1xx head is returned like any other (framing
/// `.none`); the caller skips it and parses again after `reset()`.
struct HTTPResponseParser: Sendable {
    private var scanner: HTTPHeadScanner

    /// A parser enforcing `limits`.
    init(limits: HTTPParserLimits = HTTPParserLimits()) {
        scanner = HTTPHeadScanner(limits: limits, startLineTooLong: .headersTooLarge)
    }

    /// Prepares for the next response head.
    mutating func reset() { scanner.reset() }

    /// Parses as far as `bytes` allow; `requestMethod` decides body-less responses to HEAD.
    mutating func parseHead(_ bytes: UnsafeRawBufferPointer, requestMethod: HTTPMethod)
        -> HTTPHeadParseResult<HTTPResponseHead> {
        switch scanner.scan(bytes) {
        case .needMore: return .needMore
        case .invalid(let e): return .invalid(e)
        case .complete(let layout):
            switch Self.build(bytes, layout, requestMethod) {
            case .success(let head): return .complete(head, consumed: layout.end)
            case .failure(let e): return .invalid(e)
            }
        }
    }

    private static func build(_ p: UnsafeRawBufferPointer, _ layout: HTTPHeadScanner.Layout,
                              _ method: HTTPMethod) -> Result<HTTPResponseHead, HTTPParseError> {
        // status-line = HTTP-version SP 3DIGIT [ SP reason-phrase ]
        let ls = layout.startLine
        let le = layout.startLineEnd
        guard le - ls >= 12, let version = HTTPVersion.parse(p, ls, ls + 8), version.major == 1,
              p[ls + 8] == HTTPByteClass.sp,
              HTTPByteClass.isDigit(p[ls + 9]), HTTPByteClass.isDigit(p[ls + 10]), HTTPByteClass.isDigit(p[ls + 11]),
              p[ls + 9] != 48
        else { return .failure(.bad("invalid status line")) }
        let status = Int(p[ls + 9] - 48) * 100 + Int(p[ls + 10] - 48) * 10 + Int(p[ls + 11] - 48)
        var reason = ""
        if le > ls + 12 {
            guard p[ls + 12] == HTTPByteClass.sp else { return .failure(.bad("invalid status line")) }
            for k in (ls + 13)..<le where !HTTPByteClass.isFieldValueChar(p[k]) {
                return .failure(.bad("invalid reason phrase"))
            }
            reason = String(decoding: UnsafeRawBufferPointer(rebasing: p[(ls + 13)..<le]), as: UTF8.self)
        }

        let headers: HTTPHeaders
        let s: HTTPFieldParser.Summary
        switch HTTPFieldParser.parse(p, layout) {
        case .failure(let e): return .failure(e)
        case .success(let r): (headers, s) = r
        }

        var framing: HTTPResponseFraming
        if s.transferEncodingCount > 0 {
            if s.contentLengthCount > 0 { return .failure(.bad("both Content-Length and Transfer-Encoding")) }
            if version.minor == 0 { return .failure(.bad("Transfer-Encoding in HTTP/1.0")) }
            if let e = HTTPTransferCoding(headers).responseError { return .failure(e) }
            framing = .chunked
        } else if s.contentLengthCount > 1 {
            return .failure(.bad("multiple Content-Length"))
        } else if s.contentLengthCount == 1 {
            if let e = s.contentLengthError { return .failure(e) }
            framing = .contentLength(s.contentLength)
        } else {
            framing = .untilClose
        }
        // RFC 9112 §6.3 rule 1: these never have a body, whatever the fields say.
        if method == .head || status < 200 || status == 204 || status == 304 { framing = .none }

        var keepAlive = version.minor >= 1 ? !s.connectionClose : (s.connectionKeepAlive && !s.connectionClose)
        if framing == .untilClose { keepAlive = false }
        return .success(HTTPResponseHead(version: version, status: status, reason: reason, headers: headers,
                                         framing: framing, keepAlive: keepAlive))
    }
}
