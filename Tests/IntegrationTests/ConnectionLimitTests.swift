import Foundation
import Testing

/// SPEC §11: past a backend's `max_connections` (per endpoint, whole process) requests wait in a
/// bounded queue for `queue_timeout`, then get 503 `no_healthy_backend`.
@Suite(.serialized) struct ConnectionLimitTests {
    static func config(queueTimeout: String) -> String {
        """
        version: 1
        listen: {address: 127.0.0.1:0}
        admin: {address: 127.0.0.1:0}
        server: {workers: 1}
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
}
