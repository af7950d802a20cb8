import Foundation
import Testing

/// Client connections hold a read buffer only while unparsed bytes wait (`ReadBufferPool`):
/// `/stats` `connections.read_buffer_bytes` is 0 whenever every connection is idle, and requests
/// that arrive in pieces, pipelined, with a large head, or over TLS are served as before.
@Suite(.serialized) struct ConnectionReadBufferTests {
    static let chunk = 16 * 1024

    /// `connections.read_buffer_bytes` of `/stats`.
    static func heldBytes(_ gw: GatewayServer) throws -> Int {
        let stats = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/stats").json()
        guard let n = (stats["connections"] as? [String: Any])?["read_buffer_bytes"] as? Int else {
            throw TestFailure("no connections.read_buffer_bytes in /stats: \(stats)")
        }
        return n
    }

    /// Waits until the held bytes satisfy `condition` (the gateway reads asynchronously); the last value.
    static func heldBytes(_ gw: GatewayServer, until condition: (Int) -> Bool) throws -> Int {
        var n = try heldBytes(gw)
        let deadline = Date().addingTimeInterval(5)
        while !condition(n) && Date() < deadline {
            usleep(20_000)
            n = try heldBytes(gw)
        }
        return n
    }

    static func withGateway(extra: String = "", _ body: (GatewayServer) throws -> Void) throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(extra: extra), mockPort: mock.port)
        defer { gw.stop() }
        try body(gw)
    }

    static func request(_ id: String) -> String {
        let body = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":2}"#
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nx-request-id: \(id)\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test func idleKeepAliveConnections_holdNoReadBuffer() throws {
        try Self.withGateway { gw in
            var open: [RawConnection] = []
            for i in 0..<20 {
                let c = try RawConnection(port: gw.port)
                try c.send(Self.request("idle\(i)"))
                #expect(try c.readResponse().status == 200)
                open.append(c)
            }
            let stats = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/stats").json()
            #expect((stats["connections"] as? [String: Any])?["active"] as? Int == 20)
            #expect(try Self.heldBytes(gw, until: { $0 == 0 }) == 0)
            // Still usable after their buffers went back.
            try open[3].send(Self.request("again"))
            #expect(try open[3].readResponse().header("x-request-id") == "again")
        }
    }

    @Test func requestWaitingOnItsUpstream_holdsNoBuffer() throws {
        try Self.withGateway { gw in
            let c = try RawConnection(port: gw.port)
            let text = Self.request("slow")
            let headEnd = text.range(of: "\r\n")?.upperBound ?? text.startIndex
            try c.send(String(text[..<headEnd]) + "x-mock-delay-ms: 1500\r\n" + String(text[headEnd...]))
            usleep(300_000)
            let stats = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/stats").json()
            #expect(stats["in_flight"] as? Int == 1)
            #expect((stats["connections"] as? [String: Any])?["read_buffer_bytes"] as? Int == 0)
            #expect(try c.readResponse().header("x-request-id") == "slow")
        }
    }

    @Test func headSplitAcrossReads_holdsABufferUntilComplete_thenReturnsIt() throws {
        try Self.withGateway { gw in
            let c = try RawConnection(port: gw.port)
            let bytes = Array(Self.request("split").utf8)
            try c.send(Array(bytes[0..<20]))
            #expect(try Self.heldBytes(gw, until: { $0 > 0 }) == Self.chunk)
            try c.send(Array(bytes[20..<60]))
            usleep(50_000)
            try c.send(Array(bytes[60...]))
            let r = try c.readResponse()
            #expect(r.status == 200)
            #expect(r.header("x-request-id") == "split")
            #expect(try Self.heldBytes(gw, until: { $0 == 0 }) == 0)
        }
    }

    @Test func bodyArrivingInPieces_isServed_andNoBufferIsHeldBetweenPieces() throws {
        try Self.withGateway { gw in
            let c = try RawConnection(port: gw.port)
            let text = Self.request("pieces")
            let split = text.range(of: "\r\n\r\n")?.upperBound ?? text.endIndex
            try c.send(String(text[..<split]) + "{\"model\":")
            // The head and the first body bytes were consumed: the body waits in its own array.
            #expect(try Self.heldBytes(gw, until: { $0 == 0 }) == 0)
            try c.send(String(text[split...].dropFirst(9)))
            #expect(try c.readResponse().status == 200)
        }
    }

    @Test func pipelinedRequestsSplitAcrossReads_areAnsweredInOrder() throws {
        try Self.withGateway { gw in
            let c = try RawConnection(port: gw.port)
            let all = Array((Self.request("q1") + Self.request("q2") + Self.request("q3")).utf8)
            let cut = Self.request("q1").utf8.count + 30
            try c.send(Array(all[0..<cut]))
            var reader = ResponseReader(conn: c)
            #expect(try reader.read().header("x-request-id") == "q1")
            try c.send(Array(all[cut...]))
            for id in ["q2", "q3"] { #expect(try reader.read().header("x-request-id") == id) }
            #expect(try Self.heldBytes(gw, until: { $0 == 0 }) == 0)
        }
    }

    @Test func pipelinedBatchLargerThanTheBuffer_isAnsweredInOrder() throws {
        try Self.withGateway { gw in
            let c = try RawConnection(port: gw.port)
            let ids = (0..<120).map { "b\($0)" }
            try c.send(ids.map(Self.request).joined())   // about 20 KiB: more than one buffer
            var reader = ResponseReader(conn: c)
            for id in ids { #expect(try reader.read().header("x-request-id") == id) }
            #expect(try Self.heldBytes(gw, until: { $0 == 0 }) == 0)
        }
    }

    @Test func headLargerThanTheBuffer_growsIt_isServed_andTheGrownBufferIsFreed() throws {
        try Self.withGateway { gw in
            let c = try RawConnection(port: gw.port)
            let pad = String(repeating: "p", count: 24 * 1024)
            let text = Self.request("big")
            let headEnd = text.range(of: "\r\n")?.upperBound ?? text.startIndex
            let big = String(text[..<headEnd]) + "x-pad: \(pad)\r\n" + String(text[headEnd...])
            let bytes = Array(big.utf8)
            try c.send(Array(bytes[0..<(20 * 1024)]))
            #expect(try Self.heldBytes(gw, until: { $0 > Self.chunk }) == 2 * Self.chunk)
            try c.send(Array(bytes[(20 * 1024)...]))
            let r = try c.readResponse()
            #expect(r.status == 200)
            #expect(r.header("x-request-id") == "big")
            #expect(try Self.heldBytes(gw, until: { $0 == 0 }) == 0)
            try c.send(Self.request("after"))
            #expect(try c.readResponse().header("x-request-id") == "after")
        }
    }

    @Test func closedConnections_giveTheirBuffersBack() throws {
        try Self.withGateway { gw in
            do {
                let partial = try RawConnection(port: gw.port)
                try partial.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n")
                #expect(try Self.heldBytes(gw, until: { $0 > 0 }) == Self.chunk)
            }
            // The client went away mid-head; a closing answer lingers and discards what follows.
            let closing = try RawConnection(port: gw.port)
            try closing.send("GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + String(repeating: "z", count: 5000))
            #expect(closing.isClosedByPeer())
            #expect(try Self.heldBytes(gw, until: { $0 == 0 }) == 0)
        }
    }

    @Test func tlsConnections_holdNoBufferWhileIdle_andServePipelinedBatches() throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: IngressTLSTests.config(cert: certs.serverCert, key: certs.serverKey), mockPort: mock.port)
        defer { gw.stop() }
        let held = try TLSClientFixture(port: gw.port, ca: certs.caCert, ["--sequential", "2", "--hold"])
        defer { held.stop() }
        try held.waitFor("held")
        #expect(try Self.heldBytes(gw, until: { $0 == 0 }) == 0)
        held.proceed()
        #expect(IngressTLSTests.statuses(try held.finish()) == [200, 200, 200, 200])
        let lines = try TLSClientFixture.run(port: gw.port, ca: certs.caCert, ["--pipeline", "6", "--pad", "6000"])
        #expect(IngressTLSTests.statuses(lines) == Array(repeating: 200, count: 6))
        #expect(lines.compactMap { $0["request_id"] as? String } == (1...6).map { "r\($0)" })
        #expect(try Self.heldBytes(gw, until: { $0 == 0 }) == 0)
    }
}
