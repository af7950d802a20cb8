import Testing
@testable import SluiceCore

private func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }

@Test func serializer_responseHead() {
    var h = HTTPHeaders()
    h.add("Content-Type", "application/json")
    h.add("Content-Length", "2")
    var out: [UInt8] = []
    HTTPSerializer.writeResponseHead(status: 200, headers: h, into: &out)
    #expect(text(out) == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n")
}

@Test func serializer_responseHead_noHeaders_unknownStatus() {
    var out: [UInt8] = []
    HTTPSerializer.writeResponseHead(status: 599, headers: HTTPHeaders(), into: &out)
    #expect(text(out) == "HTTP/1.1 599 Unknown\r\n\r\n")
}

@Test func serializer_requestHead() {
    var h = HTTPHeaders()
    h.add("Host", "backend:8000")
    var out: [UInt8] = []
    HTTPSerializer.writeRequestHead(method: .post, target: "/v1/chat/completions", headers: h, into: &out)
    #expect(text(out) == "POST /v1/chat/completions HTTP/1.1\r\nHost: backend:8000\r\n\r\n")
    out.removeAll()
    HTTPSerializer.writeRequestHead(method: .other("PROPFIND"), target: "/", headers: HTTPHeaders(), into: &out)
    #expect(text(out) == "PROPFIND / HTTP/1.1\r\n\r\n")
}

@Test func serializer_roundTrip_throughParser() throws {
    var h = HTTPHeaders()
    h.add("Host", "h")
    h.add("Content-Length", "0")
    var out: [UInt8] = []
    HTTPSerializer.writeRequestHead(method: .post, target: "/x?y=1", headers: h, into: &out)
    let (head, consumed) = try #require(HTTPTestSupport.head(HTTPTestSupport.request(out)))
    #expect(consumed == out.count)
    #expect(head.framing == .contentLength(0))
    #expect(head.query == "y=1")
}

@Test func serializer_chunks() {
    var out: [UInt8] = []
    Array("hello".utf8).withUnsafeBytes { HTTPSerializer.writeChunk($0, into: &out) }
    [UInt8]().withUnsafeBytes { HTTPSerializer.writeChunk($0, into: &out) }
    Array(repeating: UInt8(ascii: "x"), count: 255).withUnsafeBytes { HTTPSerializer.writeChunk($0, into: &out) }
    HTTPSerializer.writeLastChunk(into: &out)
    #expect(text(out) == "5\r\nhello\r\nff\r\n" + String(repeating: "x", count: 255) + "\r\n0\r\n\r\n")
    // And it decodes back.
    let (r, decoded) = HTTPTestSupport.dechunk(out)
    #expect(r == .done(consumed: out.count))
    #expect(decoded.count == 260)
}

@Test(arguments: [(0, "0"), (9, "9"), (10, "10"), (404, "404"), (1_000_000, "1000000"),
                  (Int.max, "9223372036854775807")])
func serializer_writeDecimal(_ n: Int, _ expected: String) {
    var out: [UInt8] = []
    HTTPSerializer.writeDecimal(n, into: &out)
    #expect(text(out) == expected)
}

@Test(arguments: [(0, "0"), (15, "f"), (16, "10"), (4096, "1000"), (0xABCDEF, "abcdef"), (Int.max, "7fffffffffffffff")])
func serializer_writeHex(_ n: Int, _ expected: String) {
    var out: [UInt8] = []
    HTTPSerializer.writeHex(n, into: &out)
    #expect(text(out) == expected)
}

@Test func serializer_reasonPhrases() {
    #expect(HTTPSerializer.reasonPhrase(200) == "OK")
    #expect(HTTPSerializer.reasonPhrase(413) == "Content Too Large")
    #expect(HTTPSerializer.reasonPhrase(429) == "Too Many Requests")
    #expect(HTTPSerializer.reasonPhrase(431) == "Request Header Fields Too Large")
    #expect(HTTPSerializer.reasonPhrase(502) == "Bad Gateway")
    #expect(HTTPSerializer.reasonPhrase(799) == "Unknown")
}
