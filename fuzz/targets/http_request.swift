/// Fuzz target: `HTTPRequestParser` (with the chunked decoder behind it when the head asks for it).
///
/// Invariants besides "no crash":
/// - feeding the input in pieces gives the same outcome as feeding it whole;
/// - a parsed head is well-formed (valid names and values, CRLF at its end, framing consistent);
/// - a parsed head re-serialised and parsed again gives the same head.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    FuzzHTTPRequest.run(&input)
    return 0
}

private enum FuzzHTTPRequest {
    // Small limits, so that inputs of a few KB reach every limit check.
    static let limits = HTTPParserLimits(maxHeaderBytes: 1024, maxRequestLineBytes: 256, maxHeaderCount: 24)

    static func run(_ input: inout FuzzInput) {
        let bytes = input.bytes
        var whole = HTTPRequestParser(limits: limits)
        let r1 = bytes.withUnsafeBytes { whole.parseHead($0) }

        var inc = HTTPRequestParser(limits: limits)
        var r2 = HTTPHeadParseResult<HTTPRequestHead>.needMore
        var end = 0
        for n in input.pieces(bytes.count) {
            end += n
            r2 = bytes[0..<end].withUnsafeBytes { inc.parseHead($0) }
            if case .needMore = r2 { continue }
            break
        }

        switch (r1, r2) {
        case (.needMore, .needMore):
            break
        case (.invalid, .invalid):
            // The kind may differ: a long first line is 414 when seen partially and 431 when the whole
            // oversized head arrives at once. Both answers close the connection.
            break
        case let (.complete(h1, c1), .complete(h2, c2)):
            FuzzCheck.require(c1 == c2, "consumed differs whole/incremental: \(c1) vs \(c2)")
            FuzzCheck.require(same(h1, h2), "head differs whole/incremental")
            check(h1, consumed: c1, bytes)
        default:
            FuzzCheck.require(false, "outcome differs whole/incremental: \(r1) vs \(r2) for \(FuzzCheck.show(bytes))")
        }
    }

    static func check(_ head: HTTPRequestHead, consumed: Int, _ bytes: [UInt8]) {
        FuzzCheck.require(consumed >= 2 && consumed <= bytes.count, "consumed out of range")
        FuzzCheck.require(bytes[consumed - 2] == 13 && bytes[consumed - 1] == 10, "head does not end in CRLF")
        FuzzCheck.require(head.version == .http1_1 || head.version == .http1_0, "odd version accepted")
        let h = head.headers
        var hosts = 0
        var te = false
        var cl = false
        for i in 0..<h.count {
            FuzzCheck.require(HTTPHeaders.isValidName(h.name(at: i)), "invalid name accepted: \(FuzzCheck.show(h.name(at: i)))")
            FuzzCheck.require(HTTPHeaders.isValidValue(h.value(at: i)), "invalid value accepted: \(FuzzCheck.show(h.value(at: i)))")
            if h.nameEquals(at: i, "host") { hosts += 1 }
            if h.nameEquals(at: i, "transfer-encoding") { te = true }
            if h.nameEquals(at: i, "content-length") { cl = true }
        }
        FuzzCheck.require(hosts <= 1 && (hosts == 1 || head.version == .http1_0), "Host rule broken")
        FuzzCheck.require(!(te && cl), "both Content-Length and Transfer-Encoding accepted")
        switch head.framing {
        case .chunked: FuzzCheck.require(te, "chunked framing without Transfer-Encoding")
        case .contentLength(let n): FuzzCheck.require(cl && n >= 0, "bad Content-Length framing")
        case .none: FuzzCheck.require(!te && !cl, "no framing despite framing fields")
        }

        // Re-serialise and parse again with roomy limits (the form is a little longer: "Name: value").
        var out: [UInt8] = []
        out.append(contentsOf: head.method.name.utf8)
        out.append(32)
        out.append(contentsOf: head.target.utf8)
        out.append(contentsOf: (head.version == .http1_1 ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n").utf8)
        h.write(into: &out)
        out.append(contentsOf: [13, 10])
        var again = HTTPRequestParser(limits: HTTPParserLimits(maxHeaderBytes: 1 << 20, maxRequestLineBytes: 1 << 20,
                                                               maxHeaderCount: 1 << 16))
        switch out.withUnsafeBytes({ again.parseHead($0) }) {
        case let .complete(h2, c2):
            FuzzCheck.require(c2 == out.count, "re-serialised head not consumed whole")
            FuzzCheck.require(same(head, h2), "re-serialised head parses differently: \(FuzzCheck.show(out))")
        case .needMore:
            FuzzCheck.require(false, "re-serialised head incomplete: \(FuzzCheck.show(out))")
        case .invalid(let e):
            FuzzCheck.require(false, "re-serialised head rejected (\(e.reason)): \(FuzzCheck.show(out))")
        }

        if head.framing == .chunked {
            // What follows the head is the body: run the decoder on it too (no invariant but "no crash").
            var decoder = ChunkedDecoder(maxBodyBytes: 4096, maxTrailerBytes: 256, maxChunkLineBytes: 64)
            var body: [UInt8] = []
            _ = bytes[consumed...].withUnsafeBytes { decoder.decode($0, into: &body) }
        }
    }

    static func same(_ a: HTTPRequestHead, _ b: HTTPRequestHead) -> Bool {
        guard a.method == b.method, a.target == b.target, a.path == b.path, a.query == b.query,
              a.version == b.version, a.framing == b.framing, a.keepAlive == b.keepAlive,
              a.expectContinue == b.expectContinue, a.headers.count == b.headers.count else { return false }
        for i in 0..<a.headers.count {
            guard a.headers.name(at: i).elementsEqual(b.headers.name(at: i)),
                  a.headers.value(at: i).elementsEqual(b.headers.value(at: i)) else { return false }
        }
        return true
    }
}
