import Testing
@testable import SluiceCore

private typealias S = HTTPTestSupport

private func head(_ raw: String, method: HTTPMethod = .get) -> HTTPResponseHead? {
    if case .complete(let h, _) = S.response(raw, method: method) { return h }
    return nil
}

private func status(_ raw: String) -> Int? {
    if case .invalid(let e) = S.response(raw) { return e.status }
    return nil
}

@Test func response_contentLength_framing() throws {
    let raw = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n"
    guard case .complete(let h, let consumed) = S.response(raw + "{\"ok\":true}") else {
        Issue.record("not complete"); return
    }
    #expect(consumed == raw.utf8.count)
    #expect(h.status == 200)
    #expect(h.reason == "OK")
    #expect(h.version == .http1_1)
    #expect(h.framing == .contentLength(12))
    #expect(h.keepAlive)
    #expect(h.headers.firstString("content-type") == "application/json")
}

@Test func response_chunked_framing() throws {
    let h = try #require(head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"))
    #expect(h.framing == .chunked)
    #expect(h.keepAlive)
}

@Test func response_noFraming_untilClose_notKeepAlive() throws {
    let h = try #require(head("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"))
    #expect(h.framing == .untilClose)
    #expect(!h.keepAlive)
}

@Test(arguments: [("HTTP/1.1 204 No Content\r\n\r\n", HTTPMethod.get),
                  ("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n", .get),
                  ("HTTP/1.1 100 Continue\r\n\r\n", .post),
                  ("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n", .get),
                  ("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", .head),
                  ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", .head)])
func response_bodylessCases_haveNoFraming(_ raw: String, _ method: HTTPMethod) throws {
    let h = try #require(head(raw, method: method))
    #expect(h.framing == HTTPResponseFraming.none)
    #expect(h.keepAlive)
}

@Test func response_missingReason_accepted() throws {
    let a = try #require(head("HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n"))
    #expect(a.status == 404)
    #expect(a.reason == "")
    let b = try #require(head("HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n"))
    #expect(b.reason == "")
}

@Test func response_http10_keepAliveOnlyWhenAsked() throws {
    let a = try #require(head("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n"))
    #expect(!a.keepAlive)
    let b = try #require(head("HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\n"))
    #expect(b.keepAlive)
    #expect(b.version == .http1_0)
}

@Test func response_connectionClose_notKeepAlive() throws {
    let h = try #require(head("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\n"))
    #expect(!h.keepAlive)
}

@Test func response_reasonWithSpaces_kept() throws {
    let h = try #require(head("HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n"))
    #expect(h.reason == "Too Many Requests")
}

@Test(arguments: [
    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
    "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
    "HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n",
    "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n",
    "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nX-A: a\u{0}\r\n\r\n",
    "HTTP/2 200 OK\r\n\r\n",
    "HTTP/2.0 200 OK\r\n\r\n",
    "HTTP/1.1 20 OK\r\n\r\n",
    "HTTP/1.1 2000 OK\r\n\r\n",
    "HTTP/1.1 099 OK\r\n\r\n",
    "HTTP/1.1  200 OK\r\n\r\n",
    "HTTP/1.1 200 O\u{1}K\r\n\r\n",
    "ICY 200 OK\r\n\r\n",
])
func response_malformed_is400(_ raw: String) {
    #expect(status(raw) == 400)
}

@Test(arguments: ["gzip", "gzip, chunked", "x-custom"])
func response_otherTransferCodings_are501(_ te: String) {
    #expect(status("HTTP/1.1 200 OK\r\nTransfer-Encoding: \(te)\r\n\r\n") == 501)
}

@Test func response_headTooLarge_is431() {
    let limits = HTTPParserLimits(maxHeaderBytes: 40)
    var p = HTTPResponseParser(limits: limits)
    let raw = Array("HTTP/1.1 200 OK\r\nX-Long: \(String(repeating: "v", count: 40))".utf8)
    let r = raw.withUnsafeBytes { p.parseHead($0, requestMethod: .get) }
    guard case .invalid(let e) = r else { Issue.record("expected invalid"); return }
    #expect(e.status == 431)
}

@Test func response_byteByByte_thenReset_parsesNext() throws {
    let first = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
    let second = Array("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n".utf8)
    var p = HTTPResponseParser(limits: HTTPParserLimits())
    var got: HTTPResponseHead?
    for n in 1...first.count {
        if case .complete(let h, let c) = Array(first[0..<n]).withUnsafeBytes({ p.parseHead($0, requestMethod: .post) }) {
            #expect(c == first.count)
            got = h
        }
    }
    #expect(got?.status == 100)
    p.reset()
    var done = false
    for n in 1...second.count {
        if case .complete(let h, _) = Array(second[0..<n]).withUnsafeBytes({ p.parseHead($0, requestMethod: .post) }) {
            #expect(h.status == 201)
            #expect(h.framing == .contentLength(0))
            done = true
        }
    }
    #expect(done)
}
