import Testing
@testable import SluiceCore

private typealias S = HTTPTestSupport

private func get(_ fields: String) -> String { "GET / HTTP/1.1\r\nHost: h\r\n\(fields)\r\n" }
private func post(_ fields: String) -> String { "POST / HTTP/1.1\r\nHost: h\r\n\(fields)\r\n" }

/// (label, raw request, expected status)
private let rejected: [(String, String, Int)] = [
    // framing conflicts and Content-Length
    ("CL and TE", post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"), 400),
    ("TE and CL", post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"), 400),
    ("differing CL", post("Content-Length: 5\r\nContent-Length: 6\r\n"), 400),
    ("identical CL twice", post("Content-Length: 5\r\nContent-Length: 5\r\n"), 400),
    ("CL comma list", post("Content-Length: 5, 5\r\n"), 400),
    ("CL signed plus", post("Content-Length: +5\r\n"), 400),
    ("CL negative", post("Content-Length: -1\r\n"), 400),
    ("CL hex", post("Content-Length: 0x10\r\n"), 400),
    ("CL inner space", post("Content-Length: 1 0\r\n"), 400),
    ("CL empty", post("Content-Length:\r\n"), 400),
    ("CL letters", post("Content-Length: ten\r\n"), 400),
    ("CL decimal", post("Content-Length: 1.5\r\n"), 400),
    ("CL overflow", post("Content-Length: 99999999999999999999999\r\n"), 413),
    // transfer codings
    ("TE gzip", post("Transfer-Encoding: gzip\r\n"), 501),
    ("TE gzip, chunked", post("Transfer-Encoding: gzip, chunked\r\n"), 501),
    ("TE deflate", post("Transfer-Encoding: deflate\r\n"), 501),
    ("TE chunked, chunked", post("Transfer-Encoding: chunked, chunked\r\n"), 400),
    ("TE chunked twice as fields", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"), 400),
    ("TE chunked not last", post("Transfer-Encoding: chunked, gzip\r\n"), 400),
    ("TE chunked then field gzip", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n"), 400),
    ("TE xchunked", post("Transfer-Encoding: xchunked\r\n"), 400),
    ("TE chunkedx", post("Transfer-Encoding: chunkedx\r\n"), 400),
    ("TE identity", post("Transfer-Encoding: identity\r\n"), 400),
    ("TE quoted", post("Transfer-Encoding: \"chunked\"\r\n"), 400),
    ("TE inner space", post("Transfer-Encoding: chun ked\r\n"), 400),
    ("TE vertical tab", post("Transfer-Encoding: chunked\u{0B}\r\n"), 400),
    ("TE empty element", post("Transfer-Encoding: , chunked\r\n"), 400),
    ("TE empty", post("Transfer-Encoding:\r\n"), 400),
    ("TE parameter", post("Transfer-Encoding: chunked;q=1\r\n"), 400),
    ("TE on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    // field syntax
    ("obs-fold", get("X-A: 1\r\n  continued\r\n"), 400),
    ("obs-fold tab", get("X-A: 1\r\n\tcontinued\r\n"), 400),
    ("first field folded", "GET / HTTP/1.1\r\n Host: h\r\n\r\n", 400),
    ("space before colon", get("X-A : 1\r\n"), 400),
    ("tab before colon", get("X-A\t: 1\r\n"), 400),
    ("space before colon on CL", post("Content-Length : 5\r\n"), 400),
    ("empty name", get(": v\r\n"), 400),
    ("no colon", get("NoColon\r\n"), 400),
    ("invalid name char", get("X(A): 1\r\n"), 400),
    ("name with slash", get("X/A: 1\r\n"), 400),
    ("NUL in value", get("X-A: a\u{0}b\r\n"), 400),
    ("DEL in value", get("X-A: a\u{7F}b\r\n"), 400),
    ("ESC in value", get("X-A: a\u{1B}b\r\n"), 400),
    ("bare CR in value", get("X-A: a\rb\r\n"), 400),
    ("CR before CRLF", get("X-A: a\r\r\n"), 400),
    ("bare LF field terminator", "GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n", 400),
    ("bare LF end of head", "GET / HTTP/1.1\r\nHost: h\r\n\n", 400),
    ("bare LF request line", "GET / HTTP/1.1\nHost: h\r\n\r\n", 400),
    ("bare LF leading line", "\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("bare CR request line", "GET /\r HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    // Host
    ("missing Host", "GET / HTTP/1.1\r\nX: y\r\n\r\n", 400),
    ("duplicate Host", get("Host: h\r\n"), 400),
    ("duplicate Host HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", 400),
    ("Host with space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
    ("Host with userinfo", "GET / HTTP/1.1\r\nHost: u@h\r\n\r\n", 400),
    ("Host with slash", "GET / HTTP/1.1\r\nHost: h/x\r\n\r\n", 400),
    // request line
    ("invalid method char", "GE(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("empty method", " / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("double space", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("tab separator", "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("trailing space", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400),
    ("missing version", "GET /\r\nHost: h\r\n\r\n", 400),
    ("HTTP/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 400),
    ("HTTP/1.2", "GET / HTTP/1.2\r\nHost: h\r\n\r\n", 400),
    ("HTTP/0.9", "GET / HTTP/0.9\r\nHost: h\r\n\r\n", 400),
    ("lowercase http", "GET / http/1.1\r\nHost: h\r\n\r\n", 400),
    ("HTTP/1.10", "GET / HTTP/1.10\r\nHost: h\r\n\r\n", 400),
    // request target
    ("relative target", "GET v1/models HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("asterisk on GET", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("authority-form", "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n", 400),
    ("absolute host mismatch", "GET http://other/x HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("absolute port mismatch", "GET http://h:81/x HTTP/1.1\r\nHost: h:80\r\n\r\n", 400),
    ("absolute userinfo", "GET http://u@h/x HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("absolute empty authority", "GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("ftp scheme", "GET ftp://h/x HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("fragment", "GET /x#frag HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("bad percent", "GET /x%zz HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("truncated percent", "GET /x%4 HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("backslash", "GET /a\\b HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("quote in target", "GET /a\"b HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ("braces in target", "GET /a{b} HTTP/1.1\r\nHost: h\r\n\r\n", 400),
]

@Test(arguments: rejected)
func invalidRequest_isRejected_withStatus(_ label: String, _ raw: String, _ status: Int) {
    let whole = S.error(S.request(raw))
    #expect(whole?.status == status, "\(label)")
    // Byte-by-byte feeding must reach the same verdict.
    let (r, _) = S.requestIncrementally(S.bytes(raw))
    #expect(S.error(r)?.status == status, "\(label) incremental")
}

@Test func invalidRequest_reasonNeverEchoesInput() {
    let e = S.error(S.request(get("X-Secret-Token: a\u{0}b\r\n")))
    #expect(e?.reason.contains("Secret") == false)
    #expect(e?.code == "bad_request")
}

@Test func requestLineTooLong_without_CRLF_is414_early() {
    let limits = HTTPParserLimits(maxRequestLineBytes: 64)
    var raw = S.bytes("GET /")
    raw += Array(repeating: UInt8(ascii: "a"), count: 59)  // 64 bytes: still allowed
    #expect(S.error(S.request(raw, limits: limits)) == nil)
    raw.append(UInt8(ascii: "a"))
    let e = S.error(S.request(raw, limits: limits))
    #expect(e?.status == 414)
    #expect(e?.code == "uri_too_long")
}

@Test func requestLine_atLimitWithPendingCR_stillNeedsMore() {
    let limits = HTTPParserLimits(maxRequestLineBytes: 14)
    let r = S.request("GET / HTTP/1.1\r", limits: limits)
    guard case .needMore = r else { Issue.record("expected needMore"); return }
}

@Test func requestLineTooLong_withCRLF_is414() {
    let limits = HTTPParserLimits(maxRequestLineBytes: 10)
    #expect(S.rejection("GET /abcdefgh HTTP/1.1\r\nHost: h\r\n\r\n", limits: limits) == 414)
}

@Test func headTooLarge_withoutTerminator_is431_early() {
    let limits = HTTPParserLimits(maxHeaderBytes: 100)
    var raw = S.bytes("GET / HTTP/1.1\r\nHost: h\r\nX-Big: ")
    raw += Array(repeating: UInt8(ascii: "b"), count: 100 - raw.count)
    guard case .needMore = S.request(raw, limits: limits) else { Issue.record("expected needMore at limit"); return }
    raw.append(UInt8(ascii: "b"))
    let e = S.error(S.request(raw, limits: limits))
    #expect(e?.status == 431)
    #expect(e?.code == "headers_too_large")
}

@Test func headTooLarge_complete_is431() {
    let raw = "GET / HTTP/1.1\r\nHost: h\r\n\r\n"
    let limits = HTTPParserLimits(maxHeaderBytes: raw.utf8.count - 1)
    #expect(S.rejection(raw, limits: limits) == 431)
}

@Test func tooManyHeaders_is431() {
    let limits = HTTPParserLimits(maxHeaderCount: 2)
    #expect(S.rejection(get("A: 1\r\nB: 2\r\n"), limits: limits) == 431)
}

@Test func endlessLeadingEmptyLines_is431() {
    let limits = HTTPParserLimits(maxHeaderBytes: 64)
    #expect(S.rejection(String(repeating: "\r\n", count: 40), limits: limits) == 431)
}
