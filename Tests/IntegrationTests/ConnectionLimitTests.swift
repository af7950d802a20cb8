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
}
