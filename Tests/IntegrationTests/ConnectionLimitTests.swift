import Foundation
import Testing

/// SPEC §11: past a backend's `max_connections` (per endpoint, whole process) requests wait in a
/// bounded queue for `queue_timeout`, then get 503 `no_healthy_backend`.
@Suite(.serialized) struct ConnectionLimitTests {
    static func config(queueTimeout: String, workers: Int = 1) -> String {
        """
        version: 1
        listen: {address: 127.0.0.1:0}
        admin: {address: 127.0.0.1:0}
        server: {workers: \(workers)}
        logging: {level: warn, access_log: off}
        backends:
          - name: mock
            endpoints: ["http://{MOCK}"]
            max_connections: 1
            queue_timeout: \(queueTimeout)
            timeouts: {connect: 1s, first_byte: 5s, idle: 5s, total: 10s}
        routes:
          - {name: all, models: ["*"], backends: [{backend: mock}]}
        """
    }

    /// Sends a slow request (held upstream for `delayMs`) and, while it holds the only connection, a
    /// second one; returns the second's status, error code and how long it took.
    static func contend(_ gw: GatewayServer, delayMs: Int) throws -> (Int, String?, Double) {
        let slow = StatusCollector()
        let t = Thread {
            let r = try? HTTPClient.chat(port: gw.port, model: "m", headers: [("x-mock-delay-ms", String(delayMs))])
            slow.add(r?.status ?? -1)
        }
        t.start()
        usleep(100_000)
        let started = Date()
        let r = try HTTPClient.chat(port: gw.port, model: "m")
        let took = Date().timeIntervalSince(started)
        while slow.values.isEmpty { usleep(10_000) }
        #expect(slow.values == [200])
        return (r.status, r.errorCode, took)
    }

    @Test func aRequestPastMaxConnectionsWaitsForTheSlot() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: Self.config(queueTimeout: "2s"), mockPort: mock.port)
        defer { gw.stop() }
        let (status, _, took) = try Self.contend(gw, delayMs: 500)
        #expect(status == 200)
        #expect(took >= 0.3, "it waited for the slow request's connection (\(took)s)")
    }

    @Test func aRequestThatWaitsPastQueueTimeoutGets503() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: Self.config(queueTimeout: "150ms"), mockPort: mock.port)
        defer { gw.stop() }
        let (status, code, took) = try Self.contend(gw, delayMs: 1500)
        #expect(status == 503)
        #expect(code == "no_healthy_backend")
        #expect(took >= 0.14 && took < 1.2, "\(took)s")
        let zero = try GatewayServer(yaml: Self.config(queueTimeout: "0s"), mockPort: mock.port)
        defer { zero.stop() }
        let (s0, c0, t0) = try Self.contend(zero, delayMs: 800)
        #expect(s0 == 503 && c0 == "no_healthy_backend" && t0 < 0.5, "queue_timeout 0s: no wait")
    }

    /// Waiters on both loops share one connection: the loop that holds it hands it to its own first
    /// waiter, and the other loop's waiters are woken when a slot frees (its poll), in turn, so
    /// every request is answered and they pass one at a time.
    @Test func waitersOnEveryLoopGetTheConnectionInTurn() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: Self.config(queueTimeout: "8s", workers: 2), mockPort: mock.port)
        defer { gw.stop() }
        let statuses = StatusCollector()
        let started = Date()
        let threads = (0..<12).map { _ in
            Thread {
                let r = try? HTTPClient.chat(port: gw.port, model: "m", headers: [("x-mock-delay-ms", "60")])
                statuses.add(r?.status ?? -1)
            }
        }
        for t in threads { t.start() }
        while statuses.values.count < 12 && Date().timeIntervalSince(started) < 15 { usleep(10_000) }
        let took = Date().timeIntervalSince(started)
        #expect(statuses.values.count == 12 && statuses.values.allSatisfy { $0 == 200 }, "\(statuses.values)")
        #expect(took >= 0.7, "one connection: the requests passed one after another (\(took)s)")
    }

    /// A connection handed to a waiting request that then goes away (client gone) returns to the pool
    /// once: with clients dropping out of the queue while the one connection passes from request to
    /// request, every answered request gets its own answer (the mock replies with each request's tag).
    @Test func waitersThatLeaveGiveTheConnectionBackOnce() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: Self.config(queueTimeout: "5s"), mockPort: mock.port)
        defer { gw.stop() }
        let body = #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#
        let stop = StatusCollector()
        let leavers = (0..<12).map { i in
            Thread {
                var n = 0
                while stop.values.isEmpty && n < 400 {
                    n += 1
                    guard let c = try? RawConnection(port: gw.port, timeout: 2) else { continue }
                    try? c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nx-mock-delay-ms: 2\r\n"
                                + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
                    usleep(UInt32(200 + (i * 137 + n * 61) % 3000))
                }
            }
        }
        let answers = StatusCollector()
        let checkers = (0..<6).map { i in
            Thread {
                for n in 0..<80 {
                    let tag = "tag-\(i)-\(n)"
                    let r = try? HTTPClient.chat(port: gw.port, model: "m", headers: [("x-mock-reply-text", tag)])
                    let content = ((try? r?.json())?["choices"] as? [[String: Any]])?.first
                        .flatMap { ($0["message"] as? [String: Any])?["content"] as? String }
                    answers.add(r?.status == 200 && content == tag ? 1 : 0)
                }
            }
        }
        for t in leavers + checkers { t.start() }
        let started = Date()
        while answers.values.count < 480 && Date().timeIntervalSince(started) < 60 { usleep(20_000) }
        stop.add(1)
        #expect(answers.values.count == 480 && answers.values.allSatisfy { $0 == 1 },
                "\(answers.values.filter { $0 == 0 }.count) of \(answers.values.count) answers were not the request's own")
    }
}
