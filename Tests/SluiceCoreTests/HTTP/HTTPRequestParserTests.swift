import Testing
@testable import SluiceCore

private typealias S = HTTPTestSupport

@Test func simpleGet_parses_allParts() throws {
    let raw = "GET /v1/models?limit=5&x=%20y HTTP/1.1\r\nHost: gw.local:8080\r\nAccept:  */* \r\n\r\n"
    let (head, consumed) = try #require(S.head(S.request(raw)))
    #expect(consumed == raw.utf8.count)
    #expect(head.method == .get)
    #expect(head.target == "/v1/models?limit=5&x=%20y")
    #expect(head.path == "/v1/models")
    #expect(head.query == "limit=5&x=%20y")
    #expect(head.version == .http1_1)
    #expect(head.framing == HTTPBodyFraming.none)
    #expect(head.keepAlive)
    #expect(!head.expectContinue)
    #expect(head.headers.count == 2)
    #expect(head.headers.firstString("host") == "gw.local:8080")
    #expect(head.headers.firstString("ACCEPT") == "*/*")
    #expect(Array(head.headers.name(at: 1)) == Array("Accept".utf8))
}

@Test func postWithContentLength_framingIsLength() throws {
    let raw = "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Length: 17\r\n\r\n{\"model\":\"gpt\"}"
    let (head, consumed) = try #require(S.head(S.request(raw)))
    #expect(head.method == .post)
    #expect(head.framing == .contentLength(17))
    #expect(head.query == nil)
    #expect(consumed == raw.utf8.count - 15)
}

@Test func contentLengthZero_isLengthZero() throws {
    let (head, _) = try #require(S.head(S.request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")))
    #expect(head.framing == .contentLength(0))
}

@Test func contentLengthLeadingZeros_accepted() throws {
    let (head, _) = try #require(S.head(S.request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 007\r\n\r\n")))
    #expect(head.framing == .contentLength(7))
}

@Test func chunkedRequest_framingIsChunked() throws {
    let (head, _) = try #require(S.head(S.request("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")))
    #expect(head.framing == .chunked)
}

@Test(arguments: ["Chunked", "CHUNKED", " chunked ", "chunked\t"])
func chunkedCaseAndOWS_accepted(_ te: String) throws {
    let (head, _) = try #require(S.head(S.request("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \(te)\r\n\r\n")))
    #expect(head.framing == .chunked)
}

@Test func pipelinedRequests_consumedPointsToSecond() throws {
    let first = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
    let second = "GET /b HTTP/1.1\r\nHost: h\r\n\r\n"
    let all = S.bytes(first + second)
    var parser = HTTPRequestParser(limits: HTTPParserLimits())
    let r1 = all.withUnsafeBytes { parser.parseHead($0) }
    let (h1, c1) = try #require(S.head(r1))
    #expect(h1.path == "/a")
    #expect(c1 == first.utf8.count)
    parser.reset()
    let rest = Array(all[c1...])
    let (h2, c2) = try #require(S.head(rest.withUnsafeBytes { parser.parseHead($0) }))
    #expect(h2.path == "/b")
    #expect(c2 == second.utf8.count)
}

@Test func leadingEmptyLines_skipped() throws {
    let raw = "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"
    let (head, consumed) = try #require(S.head(S.request(raw)))
    #expect(head.path == "/")
    #expect(consumed == raw.utf8.count)
}

@Test func absoluteForm_matchingHost_accepted() throws {
    let raw = "POST http://API.example.com:8080/v1/chat/completions?a=1 HTTP/1.1\r\nHost: api.EXAMPLE.com:8080\r\nContent-Length: 2\r\n\r\n"
    let (head, _) = try #require(S.head(S.request(raw)))
    #expect(head.target == "http://API.example.com:8080/v1/chat/completions?a=1")
    #expect(head.path == "/v1/chat/completions")
    #expect(head.query == "a=1")
}

@Test func absoluteForm_emptyPath_isSlash() throws {
    let (head, _) = try #require(S.head(S.request("GET http://h HTTP/1.1\r\nHost: h\r\n\r\n")))
    #expect(head.path == "/")
    #expect(head.query == nil)
}

@Test func absoluteForm_http10WithoutHost_isRejected() throws {
    // SPEC §8: an absolute-form target is accepted only when its authority equals Host.
    #expect(S.head(S.request("GET https://h/x HTTP/1.0\r\n\r\n")) == nil)
}

@Test func hostGrammar_isChecked() throws {
    for bad in ["", "x:abc", "x:80:90", "[::1", "%zz", "a b"] {
        #expect(!HTTPRequestParser.isValidHost(Array(bad.utf8)[...]), "\(bad)")
    }
    for good in ["localhost", "127.0.0.1:8080", "[::1]:443", "api.example.com", "my-host_1"] {
        #expect(HTTPRequestParser.isValidHost(Array(good.utf8)[...]), "\(good)")
    }
}

@Test func asteriskForm_forOptions_accepted() throws {
    let (head, _) = try #require(S.head(S.request("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n")))
    #expect(head.method == .options)
    #expect(head.path == "*")
}

@Test func emptyQuery_isEmptyString() throws {
    let (head, _) = try #require(S.head(S.request("GET /p? HTTP/1.1\r\nHost: h\r\n\r\n")))
    #expect(head.query == "")
    #expect(head.path == "/p")
}

@Test(arguments: [
    ("HTTP/1.1", "", true), ("HTTP/1.1", "Connection: close\r\n", false),
    ("HTTP/1.1", "Connection: keep-alive, CLOSE\r\n", false), ("HTTP/1.1", "Connection: Upgrade\r\n", true),
    ("HTTP/1.0", "", false), ("HTTP/1.0", "Connection: Keep-Alive\r\n", true),
    ("HTTP/1.0", "Connection: keep-alive\r\nConnection: close\r\n", false),
])
func keepAlive_followsVersionAndConnection(_ version: String, _ fields: String, _ expected: Bool) throws {
    let (head, _) = try #require(S.head(S.request("GET / \(version)\r\nHost: h\r\n\(fields)\r\n")))
    #expect(head.keepAlive == expected)
}

@Test(arguments: [
    ("HTTP/1.1", "Expect: 100-continue", true), ("HTTP/1.1", "Expect: 100-Continue", true),
    ("HTTP/1.1", "Expect: something-else", false), ("HTTP/1.0", "Expect: 100-continue", false),
    ("HTTP/1.1", "X-None: 1", false),
])
func expect_onlyContinueOnHTTP11(_ version: String, _ field: String, _ expected: Bool) throws {
    let (head, _) = try #require(S.head(S.request("POST / \(version)\r\nHost: h\r\nContent-Length: 1\r\n\(field)\r\n\r\n")))
    #expect(head.expectContinue == expected)
}

@Test(arguments: [("GET", HTTPMethod.get), ("HEAD", .head), ("POST", .post), ("PUT", .put), ("DELETE", .delete),
                  ("OPTIONS", .options), ("PATCH", .patch), ("TRACE", .trace), ("PROPFIND", .other("PROPFIND")),
                  ("get", .other("get"))])
func methods_parsed(_ text: String, _ method: HTTPMethod) throws {
    let (head, _) = try #require(S.head(S.request("\(text) / HTTP/1.1\r\nHost: h\r\n\r\n")))
    #expect(head.method == method)
}

@Test func http10WithoutHost_accepted() throws {
    let (head, _) = try #require(S.head(S.request("GET / HTTP/1.0\r\n\r\n")))
    #expect(head.version == .http1_0)
    #expect(head.headers.count == 0)
}

@Test func emptyHeaderValue_andObsText_accepted() throws {
    let raw: [UInt8] = S.bytes("GET / HTTP/1.1\r\nHost: h\r\nX-Empty:\r\nX-Utf8: caf") + [0xC3, 0xA9] + S.bytes("\r\n\r\n")
    let (head, _) = try #require(S.head(S.request(raw)))
    #expect(head.headers.first("x-empty")?.isEmpty == true)
    #expect(head.headers.first("x-utf8").map(Array.init) == S.bytes("caf") + [0xC3, 0xA9])
}

@Test func valueInnerWhitespace_kept_outerTrimmed() throws {
    let (head, _) = try #require(S.head(S.request("GET / HTTP/1.1\r\nHost: h\r\nX-A: \t a \t b \t\r\n\r\n")))
    #expect(head.headers.firstString("x-a") == "a \t b")
}

@Test func incremental_byteByByte_sameAsWhole() throws {
    let raw = S.bytes("\r\nPOST http://h/v1/x?q=1 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nX: y\r\n\r\nBODY")
    let (r, fed) = S.requestIncrementally(raw)
    let (head, consumed) = try #require(S.head(r))
    let (whole, wholeConsumed) = try #require(S.head(S.request(raw)))
    #expect(fed == raw.count - 4)
    #expect(consumed == wholeConsumed)
    #expect(head.path == whole.path)
    #expect(head.query == whole.query)
    #expect(head.framing == .chunked)
    #expect(head.headers.count == whole.headers.count)
    #expect(head.headers.firstString("x") == "y")
}

@Test func incremental_needMoreUntilFinalLF() {
    let raw = S.bytes("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    var parser = HTTPRequestParser(limits: HTTPParserLimits())
    for n in 1..<raw.count {
        let r = Array(raw[0..<n]).withUnsafeBytes { parser.parseHead($0) }
        guard case .needMore = r else { Issue.record("early result at \(n)"); return }
    }
    let r = raw.withUnsafeBytes { parser.parseHead($0) }
    #expect(S.head(r) != nil)
}

@Test func incremental_invalidCases_sameStatusAsWhole() {
    let cases = ["GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n",
                 "GET / HTTP/1.1\nHost: h\r\n\r\n",
                 "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n",
                 "GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n"]
    for c in cases {
        let whole = S.rejection(c)
        let (r, _) = S.requestIncrementally(S.bytes(c))
        #expect(whole != nil)
        #expect(S.error(r)?.status == whole)
    }
}

@Test func limits_exactlyAtRequestLineLimit_accepted() throws {
    let line = "GET /" + String(repeating: "a", count: 20) + " HTTP/1.1"  // 34 bytes
    let limits = HTTPParserLimits(maxRequestLineBytes: line.utf8.count)
    #expect(S.head(S.request(line + "\r\nHost: h\r\n\r\n", limits: limits)) != nil)
    let (r, _) = S.requestIncrementally(S.bytes(line + "\r\nHost: h\r\n\r\n"), limits: limits)
    #expect(S.head(r) != nil)
}

@Test func limits_headerCountAtLimit_accepted() {
    let limits = HTTPParserLimits(maxHeaderCount: 3)
    #expect(S.head(S.request("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", limits: limits)) != nil)
}

@Test func limits_headExactlyAtMaxHeaderBytes_accepted() {
    let raw = "GET / HTTP/1.1\r\nHost: h\r\n\r\n"
    let limits = HTTPParserLimits(maxHeaderBytes: raw.utf8.count)
    #expect(S.head(S.request(raw, limits: limits)) != nil)
    #expect(S.head(S.requestIncrementally(S.bytes(raw), limits: limits).0) != nil)
}
