import Foundation
import Testing

/// Spreading requests over a backend's endpoints (SPEC §2 load_balancing).
@Suite(.serialized) struct BalancingTests {
    static func config(_ a: Int, _ b: Int, policy: String) -> String {
        """
        version: 1
        listen: {address: 127.0.0.1:0}
        admin: {address: 127.0.0.1:0}
        server: {workers: 1}
        logging: {level: warn, access_log: off}
        backends:
          - name: pool
            endpoints: ["http://127.0.0.1:\(a)", "http://127.0.0.1:\(b)"]
            load_balancing: \(policy)
        routes:
          - {name: all, models: ["*"], backends: [{backend: pool}]}
        """
    }

    @Test func roundRobin_alternatesEndpoints() throws {
        let m1 = try MockServer(), m2 = try MockServer()
        defer { m1.stop(); m2.stop() }
        let gw = try GatewayServer(yaml: Self.config(m1.port, m2.port, policy: "round_robin"))
        defer { gw.stop() }
        for _ in 0..<10 { #expect(try HTTPClient.chat(port: gw.port, model: "x").status == 200) }
        #expect(try m1.receivedRequests().count == 5)
        #expect(try m2.receivedRequests().count == 5)
    }

    @Test func leastRequest_usesEveryEndpoint() throws {
        let m1 = try MockServer(), m2 = try MockServer()
        defer { m1.stop(); m2.stop() }
        let gw = try GatewayServer(yaml: Self.config(m1.port, m2.port, policy: "least_request"))
        defer { gw.stop() }
        for _ in 0..<40 { #expect(try HTTPClient.chat(port: gw.port, model: "x").status == 200) }
        let a = try m1.receivedRequests().count, b = try m2.receivedRequests().count
        #expect(a + b == 40)
        #expect(a > 0 && b > 0)
        let backends = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/backends").json()
        #expect((backends["endpoints"] as? [[String: Any]])?.count == 2)
    }
}
