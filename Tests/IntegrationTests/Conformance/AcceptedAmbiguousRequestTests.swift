import Foundation
import Testing

/// Requests that look odd but are valid HTTP/1.1 (SPEC §8, RFC 9112): the gateway must accept them,
/// forward exactly one request with the decoded body under one Content-Length, and, for HTTP/1.1,
/// keep the connection usable, which proves the body framing was consumed exactly.
@Suite(.serialized) struct AcceptedAmbiguousRequestTests {
    private typealias R = ConformanceRaw

    /// One valid request, sent as is on a fresh connection.
    struct AcceptedCase {
        let name: String
        let raw: String
        /// HTTP/1.0 without keep-alive: the gateway closes after answering.
        var closes = false
    }

    static var cases: [AcceptedCase] {
        let t = R.target, b = R.body, len = R.length, hex = String(R.length, radix: 16)
        let mid = R.length / 2
        let first = String(b.prefix(mid)), rest = String(b.dropFirst(mid))
        return [
            AcceptedCase(name: "absolute-form-same-authority",
                         raw: "POST http://x\(t) HTTP/1.1\r\nHost: x\r\nContent-Length: \(len)\r\n\r\n\(b)"),
            AcceptedCase(name: "absolute-form-authority-case-insensitive",
                         raw: "POST http://EXAMPLE.test:8080\(t) HTTP/1.1\r\nHost: example.TEST:8080\r\nContent-Length: \(len)\r\n\r\n\(b)"),
            AcceptedCase(name: "te-tab-before-value", raw: R.post(["Transfer-Encoding:\tchunked"], body: R.chunkedBody)),
            AcceptedCase(name: "te-spaces-around-value", raw: R.post(["Transfer-Encoding:    chunked   "], body: R.chunkedBody)),
            AcceptedCase(name: "te-uppercase-value", raw: R.post(["Transfer-Encoding: CHUNKED"], body: R.chunkedBody)),
            AcceptedCase(name: "te-lowercase-name", raw: R.post(["transfer-encoding: chunked"], body: R.chunkedBody)),
            AcceptedCase(name: "chunked-extensions-and-trailers",
                         raw: R.chunkedPost("\(hex);a=b;q=\"x\\\"y\"\r\n\(b)\r\n0;last\r\nX-Trailer: 1\r\nX-Other:\r\n\r\n")),
            AcceptedCase(name: "chunked-uppercase-hex-leading-zeros",
                         raw: R.chunkedPost("00\(hex.uppercased())\r\n\(b)\r\n000\r\n\r\n")),
            AcceptedCase(name: "chunked-two-chunks",
                         raw: R.chunkedPost(String(first.utf8.count, radix: 16) + "\r\n\(first)\r\n"
                                            + String(rest.utf8.count, radix: 16) + "\r\n\(rest)\r\n0\r\n\r\n")),
            AcceptedCase(name: "cl-leading-zeros", raw: R.post(["Content-Length: 000\(len)"])),
            AcceptedCase(name: "leading-empty-line", raw: "\r\n" + R.post(["Content-Length: \(len)"])),
            AcceptedCase(name: "empty-and-obs-text-values", raw: R.post(["Content-Length: \(len)", "X-Empty:", "X-Note: caf\u{e9}"])),
            AcceptedCase(name: "http10-without-host",
                         raw: "POST \(t) HTTP/1.0\r\nContent-Length: \(len)\r\n\r\n\(b)", closes: true),
            // Not Transfer-Encoding (`_` is a token character): an ordinary field, framing by Content-Length.
            AcceptedCase(name: "te-underscore-is-not-te", raw: R.post(["Transfer_Encoding: chunked", "Content-Length: \(len)"])),
        ]
    }

    @Test func validButUnusualRequests_areForwardedOnce_withTheDecodedBody() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: ConformanceTests.yaml, mockPort: mock.port)
        defer { gw.stop() }
        for c in Self.cases {
            try mock.clearRequests()
            let conn = try RawConnection(port: gw.port, timeout: 5)
            try conn.send(c.raw)
            var reader = ResponseReader(conn: conn)
            let r = try reader.read()
            #expect(r.status == 200, "\(c.name): \(r.status) \(r.text)")
            let seen = try mock.receivedRequests()
            #expect(seen.count == 1, "\(c.name): mock received \(seen.count) requests")
            if let req = seen.first {
                let headers = req["headers"] as? [String: Any] ?? [:]
                #expect(req["path"] as? String == R.target, "\(c.name): path")
                #expect(req["body"] as? String == R.body, "\(c.name): body \(req["body"] ?? "nil")")
                #expect(headers["content-length"] as? String == String(R.length), "\(c.name): content-length")
                #expect(headers["transfer-encoding"] == nil, "\(c.name): transfer-encoding forwarded")
            }
            if c.closes {
                #expect(ConformanceRunner.drain(conn, reader.buffer).0, "\(c.name): HTTP/1.0 connection left open")
            } else {
                // The next request on the same connection is parsed from the right byte.
                try conn.send("GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try reader.read().status == 200, "\(c.name): follow-up request on the same connection")
            }
        }
    }
}
