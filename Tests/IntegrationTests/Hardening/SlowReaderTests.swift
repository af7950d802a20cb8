import Foundation
import Testing

/// A client slower than its answer: what bounds it, and what must not happen to it.
///
/// - A client that stops reading is cut after `server.idle_timeout` without a byte taken (the send
///   timeout), not by the backend's `idle` timeout: the upstream is not stalled, the client is, so
///   the endpoint gets no failure.
/// - A client that reads slowly but steadily gets the whole answer, also on a closing connection
///   (the 2 s linger starts once the last byte is written, not when the answer was queued).
@Suite(.serialized) struct SlowReaderTests {
    static func config(idleTimeout: String, backendIdle: String) -> String {
        """
        version: 1
        listen: {address: 127.0.0.1:0}
        admin: {address: 127.0.0.1:0}
        logging: {level: warn, access_log: off}
        server: {idle_timeout: \(idleTimeout), header_timeout: 5s}
        backends:
          - name: mock
            endpoints: ["http://{MOCK}"]
            timeouts: {connect: 1s, first_byte: 5s, idle: \(backendIdle), total: 60s}
        routes:
          - name: default
            models: ["gpt-4o-mini"]
            backends: [{backend: mock}]
        """
    }

    static func stats(_ gw: GatewayServer) throws -> [String: Any] {
        try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/stats").json()
    }

    static func endpointFailures(_ gw: GatewayServer) throws -> Int {
        let j = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/backends").json()
        let eps = j["endpoints"] as? [[String: Any]] ?? []
        return eps.reduce(0) { $0 + ($1["failures"] as? Int ?? 0) }
    }

    @Test func clientThatStopsReading_isCutAfterIdleTimeout_andTheUpstreamIsNotBlamed() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: Self.config(idleTimeout: "2s", backendIdle: "500ms"), mockPort: mock.port)
        defer { gw.stop() }
        // ~3 MB of stream: far more than the socket buffers and the gateway's queue hold.
        let c = try TestSocket(port: gw.port, receiveBuffer: 4096)
        #expect(c.send(keepAliveChatRequest(maxTokens: 20000, stream: true)) > 0)
        let head = try #require(c.receive(max: 512))
        #expect(String(decoding: head, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        let t0 = monotonicSeconds()
        // The client reads nothing more. The exchange is in flight until the gateway cuts it.
        #expect(waitUntil(timeout: 8) { ((try? Self.stats(gw))?["in_flight"] as? Int) == 0 })
        let cutAfter = monotonicSeconds() - t0
        #expect(cutAfter >= 1.8, "cut after \(cutAfter) s: before idle_timeout (the backend idle timeout of 500ms must not apply)")
        #expect(cutAfter <= 3.5, "cut after \(cutAfter) s: idle_timeout is 2 s")
        #expect(try Self.endpointFailures(gw) == 0)
        let requests = try Self.stats(gw)["requests"] as? [String: Any]
        #expect(requests?["client_cancelled"] as? Int == 1)
        // What the client still finds in its buffers ends without the terminating chunk.
        var tail: [UInt8] = head
        while let more = c.receive(max: 65536), !more.isEmpty { tail = Array((tail + more).suffix(64)) }
        #expect(!String(decoding: tail, as: UTF8.self).hasSuffix("0\r\n\r\n"))
    }

    @Test func clientPausingLongerThanTheBackendIdleTimeout_getsTheWholeStream() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: Self.config(idleTimeout: "5s", backendIdle: "500ms"), mockPort: mock.port)
        defer { gw.stop() }
        let c = try TestSocket(port: gw.port, receiveBuffer: 4096)
        // ~3 MB of stream: the gateway pauses its upstream read once the client's buffers are full.
        #expect(c.send(keepAliveChatRequest(maxTokens: 20000, stream: true)) > 0)
        usleep(1_500_000)   // three backend idle timeouts, well under idle_timeout
        var all: [UInt8] = []
        while !String(decoding: all.suffix(16), as: UTF8.self).hasSuffix("0\r\n\r\n") {
            guard let more = c.receive(max: 65536), !more.isEmpty else { break }
            all += more
        }
        let text = String(decoding: all.suffix(256), as: UTF8.self)
        #expect(text.contains("data: [DONE]"))
        #expect(text.hasSuffix("0\r\n\r\n"))
        #expect(try Self.endpointFailures(gw) == 0)
    }

    @Test func slowButSteadyReader_ofAClosingConnection_getsTheWholeAnswer() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: Self.config(idleTimeout: "5s", backendIdle: "5s"), mockPort: mock.port)
        defer { gw.stop() }
        // A ~7.4 MB JSON answer (256 embeddings of 4096 floats) on a closing connection, read at
        // ~2.5 MB/s: most of it still waits in the gateway's queue when the answer is complete,
        // and the reader needs about 3 s for it, more than the 2 s linger.
        let body = #"{"model":"gpt-4o-mini","dimensions":4096,"input":["# + Array(repeating: #""x""#, count: 256).joined(separator: ",") + "]}"
        let c = try TestSocket(port: gw.port)
        #expect(c.send("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
                       + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)") > 0)
        var all: [UInt8] = []
        let t0 = monotonicSeconds()
        while monotonicSeconds() - t0 < 20 {
            guard let more = c.receive(max: 65536), !more.isEmpty else { break }
            all += more
            usleep(UInt32(Double(more.count) / 2_500_000 * 1e6))
        }
        let headEnd = try #require(all.firstRange(of: Array("\r\n\r\n".utf8)))
        let head = String(decoding: all[..<headEnd.lowerBound], as: UTF8.self)
        #expect(head.hasPrefix("HTTP/1.1 200"))
        let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? -1
        let got = all.count - headEnd.upperBound
        #expect(length > 5_000_000)
        #expect(got == length, "answer truncated: \(got) of \(length) bytes after \(monotonicSeconds() - t0) s")
    }

    @Test func drain_waitsForAnAnswerStillBeingWritten_thenExitsZero() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let yaml = Self.config(idleTimeout: "5s", backendIdle: "5s").replacingOccurrences(
            of: "server: {idle_timeout: 5s, header_timeout: 5s}",
            with: "server: {idle_timeout: 5s, header_timeout: 5s, drain_timeout: 15s}")
        let gw = try GatewayServer(yaml: yaml, mockPort: mock.port)
        defer { gw.stop() }
        // The same 7.4 MB answer; SIGTERM once its head arrived, then read at ~2.5 MB/s (~3 s).
        let body = #"{"model":"gpt-4o-mini","dimensions":4096,"input":["# + Array(repeating: #""x""#, count: 256).joined(separator: ",") + "]}"
        let c = try TestSocket(port: gw.port)
        #expect(c.send("POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)") > 0)
        var all = try #require(c.receive(max: 65536))
        usleep(200_000)   // the whole answer is queued: complete on the handler's side
        let t0 = monotonicSeconds()
        gw.child.signal(SIGTERM)
        while monotonicSeconds() - t0 < 20 {
            guard let more = c.receive(max: 65536), !more.isEmpty else { break }
            all += more
            usleep(UInt32(Double(more.count) / 2_500_000 * 1e6))
        }
        let readFor = monotonicSeconds() - t0
        let headEnd = try #require(all.firstRange(of: Array("\r\n\r\n".utf8)))
        let head = String(decoding: all[..<headEnd.lowerBound], as: UTF8.self)
        let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? -1
        #expect(all.count - headEnd.upperBound == length, "answer cut by the drain after \(all.count) bytes, \(readFor) s")
        // The process exits once the answer is written, well before drain_timeout.
        let code = gw.child.waitExit(timeout: 10)
        #expect(code == 0)
        #expect(monotonicSeconds() - t0 < 12)
    }
}
