import Foundation
import Testing

/// Keep-alive, pipelining, Expect, limits and framing errors on the downstream connection.
@Suite(.serialized) struct ConnectionTests {
    static func chatRequest(_ port: Int, model: String = "gpt-4o-mini", close: Bool = false) -> String {
        let body = #"{"model":"\#(model)","messages":[{"role":"user","content":"hi"}],"max_tokens":2}"#
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n"
            + (close ? "Connection: close\r\n" : "") + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test func keepAlive_servesSeveralRequestsOnOneConnection() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        let c = try RawConnection(port: gw.port)
        var reader = ResponseReader(conn: c)
        for _ in 0..<5 {
            try c.send(Self.chatRequest(gw.port))
            let r = try reader.read()
            #expect(r.status == 200)
            #expect(r.header("connection") == nil)
        }
    }

    @Test func pipelinedRequests_areAnsweredInOrder() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        let c = try RawConnection(port: gw.port)
        let ids = ["p1", "p2", "p3"]
        var all = ""
        for id in ids {
            let body = #"{"model":"gpt-4o-mini","messages":[]}"#
            all += "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nx-request-id: \(id)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        }
        all += "GET /v1/models HTTP/1.1\r\nHost: x\r\nx-request-id: p4\r\n\r\n"
        try c.send(all)
        var reader = ResponseReader(conn: c)
        for id in ids + ["p4"] {
            let r = try reader.read()
            #expect(r.status == 200)
            #expect(r.header("x-request-id") == id)
        }
    }

    @Test func connectionClose_isHonoured() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        let c = try RawConnection(port: gw.port)
        try c.send(Self.chatRequest(gw.port, close: true))
        let r = try c.readResponse()
        #expect(r.status == 200)
        #expect(r.header("connection") == "close")
        #expect(c.isClosedByPeer())
    }

    @Test func expectContinue_getsInterimResponseBeforeBody() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        let c = try RawConnection(port: gw.port)
        let body = #"{"model":"gpt-4o-mini","messages":[]}"#
        try c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
        let interim = String(decoding: try c.readSome(), as: UTF8.self)
        #expect(interim.hasPrefix("HTTP/1.1 100 Continue\r\n"))
        try c.send(body)
        #expect(try c.readResponse().status == 200)
    }

    @Test func oversizedContentLength_is413_withoutContinue_andCloses() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(extra: "server: {max_body_bytes: 1KiB}"), mockPort: mock.port)
        defer { gw.stop() }
        let c = try RawConnection(port: gw.port)
        try c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n")
        let r = try c.readResponse()
        #expect(r.status == 413)
        #expect(r.errorCode == "request_too_large")
        #expect(c.isClosedByPeer())
        #expect(try mock.receivedRequests().isEmpty)
    }

    @Test func framingErrors_get400_andClose() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        let cases: [(String, Int)] = [
            ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
            ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 400),
            ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
            ("GET /v1/models HTTP/1.1\r\n\r\n", 400),
            ("GET /v1/models HTTP/1.1\r\nHost : x\r\n\r\n", 400),
            ("GET /v1/models HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", 400),
            ("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414),
            ("GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "b", count: 40000) + "\r\n\r\n", 431),
        ]
        for (raw, status) in cases {
            let c = try RawConnection(port: gw.port)
            try c.send(raw)
            let r = try c.readResponse()
            #expect(r.status == status, "for \(raw.prefix(60))")
            #expect(r.header("content-type") == "application/json")
            #expect(c.isClosedByPeer())
        }
        #expect(try mock.receivedRequests().isEmpty)
    }

    @Test func chunkedRequestBody_isDecodedAndForwardedWithContentLength() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        let body = #"{"model":"gpt-4o-mini","messages":[]}"#
        let half = body.utf8.count / 2
        let a = String(body.prefix(half)), b = String(body.dropFirst(half))
        let c = try RawConnection(port: gw.port)
        try c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                   + String(a.utf8.count, radix: 16) + "\r\n" + a + "\r\n" + String(b.utf8.count, radix: 16) + "\r\n" + b + "\r\n0\r\n\r\n")
        #expect(try c.readResponse().status == 200)
        let last = try #require(try mock.receivedRequests().last)
        #expect(last["body"] as? String == body)
    }

    /// Body buffers are reused from one request to the next (`BodyBufferPool`): bodies of changing sizes,
    /// on one connection and on several at once, each reach the backend exactly as sent.
    @Test func reusedBodyBuffers_forwardEachBodyExactly() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        func body(_ tag: String, _ size: Int) -> String {
            let text = String(repeating: tag, count: max(1, size / tag.utf8.count))
            return #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"\#(text)"}],"max_tokens":2}"#
        }
        let c = try RawConnection(port: gw.port)
        var reader = ResponseReader(conn: c)
        for (i, size) in [3000, 1200, 2600, 400, 5000, 1100].enumerated() {
            let b = body("r\(i)-", size)
            try c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: \(b.utf8.count)\r\n\r\n\(b)")
            #expect(try reader.read().status == 200)
            let last = try #require(try mock.receivedRequests().last)
            #expect(last["body"] as? String == b, "request \(i) of \(size) bytes")
        }
        try mock.clearRequests()
        let conns = try (0..<6).map { _ in try RawConnection(port: gw.port) }
        var sent = Set<String>()
        for round in 0..<3 {
            for (k, conn) in conns.enumerated() {
                let b = body("c\(k)r\(round)-", 800 + 700 * ((k + round) % 4))
                sent.insert(b)
                try conn.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: \(b.utf8.count)\r\n\r\n\(b)")
            }
            for conn in conns { #expect(try conn.readResponse().status == 200) }
        }
        let received = Set(try mock.receivedRequests().compactMap { $0["body"] as? String })
        #expect(received == sent)
    }

    @Test func slowHead_gets408_andSilentConnectionIsClosed() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(extra: "server: {header_timeout: 300ms}"), mockPort: mock.port)
        defer { gw.stop() }
        let partial = try RawConnection(port: gw.port)
        try partial.send("GET /v1/models HTTP/1.1\r\nHost: x\r\n")
        let r = try partial.readResponse()
        #expect(r.status == 408)
        #expect(r.errorCode == "request_timeout")
        let silent = try RawConnection(port: gw.port)
        #expect(try silent.readToEOF().isEmpty)
    }
}
