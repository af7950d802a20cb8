/// Analysis of the Transfer-Encoding fields of a head (RFC 9112 §6.1), with the request and the
/// response policies on top.
///
/// Request policy (strict): exactly one `chunked`, last, alone -> chunked. Registered codings we do not
/// implement (`gzip`, `deflate`, `compress`, `x-gzip`, `x-compress`) -> 501. Anything else -> 400:
/// unregistered names (`xchunked`, `identity`), `chunked` twice or not last, parameters, empty list
/// elements, or bytes that are not a token. OWS around list elements is allowed (it is list syntax).
struct HTTPTransferCoding: Sendable, Equatable {
    /// Elements that are `chunked` (any case).
    var chunkedCount = 0
    /// Whether the last element is `chunked`.
    var chunkedIsLast = false
    /// A registered coding other than chunked is present.
    var hasOtherKnown = false
    /// An unregistered coding name is present.
    var hasUnknown = false
    /// Syntax error: empty element, parameters, non-token bytes.
    var malformed = false

    /// Analyses every Transfer-Encoding field of `headers`, as one combined list.
    init(_ headers: HTTPHeaders) {
        for i in 0..<headers.count where headers.nameEquals(at: i, "transfer-encoding") {
            analyse(headers.value(at: i))
        }
    }

    private mutating func analyse(_ value: ArraySlice<UInt8>) {
        var start = value.startIndex
        while true {
            var end = start
            while end < value.endIndex, value[end] != HTTPByteClass.comma { end += 1 }
            var s = start
            var e = end
            while s < e, HTTPByteClass.isOWS(value[s]) { s += 1 }
            while e > s, HTTPByteClass.isOWS(value[e - 1]) { e -= 1 }
            element(value[s..<e])
            if end == value.endIndex { return }
            start = end + 1
        }
    }

    private mutating func element(_ name: ArraySlice<UInt8>) {
        guard !name.isEmpty, name.allSatisfy(HTTPByteClass.isToken) else {
            malformed = true
            chunkedIsLast = false
            return
        }
        if HTTPByteClass.equalsIgnoringCase(name, "chunked") {
            chunkedCount += 1
            chunkedIsLast = true
            return
        }
        chunkedIsLast = false
        switch name.count {
        case 4 where HTTPByteClass.equalsIgnoringCase(name, "gzip"): hasOtherKnown = true
        case 6 where HTTPByteClass.equalsIgnoringCase(name, "x-gzip"): hasOtherKnown = true
        case 7 where HTTPByteClass.equalsIgnoringCase(name, "deflate"): hasOtherKnown = true
        case 8 where HTTPByteClass.equalsIgnoringCase(name, "compress"): hasOtherKnown = true
        case 10 where HTTPByteClass.equalsIgnoringCase(name, "x-compress"): hasOtherKnown = true
        default: hasUnknown = true
        }
    }

    /// The request policy: nil means "chunked", else the error to answer.
    var requestError: HTTPParseError? {
        if malformed { return .bad("malformed Transfer-Encoding") }
        if chunkedCount > 1 { return .bad("chunked applied more than once") }
        if chunkedCount == 1 && !chunkedIsLast { return .bad("chunked is not the final coding") }
        if hasUnknown { return .bad("unrecognised Transfer-Encoding") }
        if hasOtherKnown { return HTTPParseError(.unsupportedTransferEncoding, "unsupported transfer coding") }
        return nil
    }

    /// The response policy: a lone `chunked` -> nil (chunked framing). Syntax errors and a repeated or
    /// non-final chunked -> 400 kind; any other coding -> 501 kind, because the gateway must read plain
    /// bytes (it asks for identity) and cannot undo a coding. RFC 9112 §6.3 would read such a body until
    /// close; refusing it instead keeps a misbehaving upstream from being relayed half-decoded.
    var responseError: HTTPParseError? {
        if malformed { return .bad("malformed Transfer-Encoding") }
        if chunkedCount > 1 { return .bad("chunked applied more than once") }
        if chunkedCount == 1 && !chunkedIsLast { return .bad("chunked is not the final coding") }
        if hasUnknown || hasOtherKnown { return HTTPParseError(.unsupportedTransferEncoding, "unsupported transfer coding") }
        return nil
    }
}
