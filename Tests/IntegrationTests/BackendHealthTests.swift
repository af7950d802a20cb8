import Foundation
import Testing

/// Backend resilience (SPEC §2 `health_check`, `outlier`, `prefix_affinity`; §6 `GET /backends`;
/// §7 `backend_endpoint_healthy`): ejection and recovery, active checks, panic mode, affinity.
@Suite(.serialized) struct BackendHealthTests {
    /// One backend `pool` over `endpoints` (host:port), every model routed to it, one loop (so
    /// round robin is exact).
    static func config(_ endpoints: [Int], policy: String = "round_robin", extra: String = "", retry: String = "") -> String {
        """
        version: 1
        listen: {address: 127.0.0.1:0}
        admin: {address: 127.0.0.1:0}
        server: {workers: 1}
        logging: {level: error, access_log: off}
        backends:
          - name: pool
            endpoints: [\(endpoints.map { "\"http://127.0.0.1:\($0)\"" }.joined(separator: ", "))]
            load_balancing: \(policy)
            timeouts: {connect: 1s, first_byte: 2s}
        \(extra)
        routes:
          - name: all
            models: ["*"]
            backends: [{backend: pool}]
        \(retry)
        """
    }

    /// A port nothing listens on (a mock started and stopped).
    static func deadPort() throws -> Int {
        let m = try MockServer()
        let p = m.port
        m.stop()
        return p
    }

    /// `GET /backends`, by port of the endpoint.
    static func endpoints(_ gw: GatewayServer) throws -> [Int: [String: Any]] {
        let list = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/backends").json()["endpoints"] as? [[String: Any]] ?? []
        var out: [Int: [String: Any]] = [:]
        for e in list {
            if let url = e["endpoint"] as? String, let p = url.split(separator: ":").last.flatMap({ Int($0) }) { out[p] = e }
        }
        return out
    }

    /// The `sluice_backend_endpoint_healthy` value of the endpoint on `port`.
    static func healthGauge(_ gw: GatewayServer, port: Int) throws -> String? {
        let text = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/metrics").text
        let prefix = "sluice_backend_endpoint_healthy{backend=\"pool\",endpoint=\"http://127.0.0.1:\(port)\"} "
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    /// Polls `condition` every 50 ms for up to `timeout` seconds.
    static func eventually(_ timeout: Double = 5, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }

    @Test func consecutiveFailures_ejectTheEndpoint_whichReturnsAfterTheEjectionTime() throws {
        let live = try MockServer()
        defer { live.stop() }
        let dead = try Self.deadPort()
        let gw = try GatewayServer(yaml: Self.config([dead, live.port],
                                                     extra: "    outlier: {consecutive_failures: 2, ejection: 3s}",
                                                     retry: "    retry: {attempts: 2, on: [connect_error]}"))
        defer { gw.stop() }
        // Round robin: every other try hits the dead port and is retried on the live one.
        for _ in 0..<6 { #expect(try HTTPClient.chat(port: gw.port).status == 200) }
        var eps = try Self.endpoints(gw)
        #expect(eps[dead]?["ejected"] as? Bool == true)
        #expect(eps[dead]?["healthy"] as? Bool == true)
        #expect(eps[dead]?["failures"] as? Int == 2)
        #expect(eps[dead]?["ejections"] as? Int == 1)
        #expect((eps[dead]?["last_error"] as? String)?.contains("connect") == true)
        #expect(eps[live.port]?["ejected"] as? Bool == false && eps[live.port]?["failures"] as? Int == 0)
        #expect(try Self.healthGauge(gw, port: dead) == "0")
        #expect(try Self.healthGauge(gw, port: live.port) == "1")
        // Ejected: no more tries on it (well within the 3 s).
        for _ in 0..<4 { #expect(try HTTPClient.chat(port: gw.port).status == 200) }
        #expect(try Self.endpoints(gw)[dead]?["failures"] as? Int == 2)
        #expect(try live.receivedRequests().count == 10)

        // The endpoint comes back to life; after the ejection time it takes traffic again.
        let revived = try MockServer(extraArgs: ["--port", String(dead)])
        defer { revived.stop() }
        #expect(try Self.eventually { try Self.endpoints(gw)[dead]?["ejected"] as? Bool == false })
        for _ in 0..<4 { #expect(try HTTPClient.chat(port: gw.port).status == 200) }
        #expect(try revived.receivedRequests().count == 2)
        eps = try Self.endpoints(gw)
        #expect(eps[dead]?["available"] as? Bool == true && eps[dead]?["consecutive_failures"] as? Int == 0)
        #expect(try Self.healthGauge(gw, port: dead) == "1")
    }

    @Test func status5xx_countsTowardsEjection_4xxDoesNot() throws {
        let a = try MockServer(), b = try MockServer()
        defer { a.stop(); b.stop() }
        let gw = try GatewayServer(yaml: Self.config([a.port, b.port], extra: "    outlier: {consecutive_failures: 2, ejection: 30s}"))
        defer { gw.stop() }
        // 4xx answers are the client's problem: nobody is ejected.
        for _ in 0..<6 { #expect(try HTTPClient.chat(port: gw.port, headers: [("x-mock-status", "400")]).status == 400) }
        let fine = try Self.endpoints(gw)
        #expect(fine.count == 2 && fine.values.allSatisfy { $0["ejected"] as? Bool == false })
        // Two 503s each (round robin): both endpoints are ejected; the next request still goes (panic).
        for _ in 0..<4 { #expect(try HTTPClient.chat(port: gw.port, headers: [("x-mock-status", "503")]).status == 503) }
        let eps = try Self.endpoints(gw)
        #expect(eps[a.port]?["ejected"] as? Bool == true && eps[b.port]?["ejected"] as? Bool == true)
        #expect(try HTTPClient.chat(port: gw.port).status == 200)
    }

    @Test func activeChecks_markADeadEndpointUnhealthy_andHealthyWhenItAnswersAgain() throws {
        let a = try MockServer(), b = try MockServer()
        defer { a.stop(); b.stop() }
        let port = a.port
        let gw = try GatewayServer(yaml: Self.config([port, b.port], extra: """
                health_check: {path: /health, interval: 100ms, timeout: 500ms, unhealthy_after: 2, healthy_after: 2}
            """))
        defer { gw.stop() }
        #expect(try Self.endpoints(gw)[port]?["healthy"] as? Bool == true)
        a.stop()
        #expect(try Self.eventually { try Self.endpoints(gw)[port]?["healthy"] as? Bool == false })
        #expect(try Self.healthGauge(gw, port: port) == "0")
        #expect((try Self.endpoints(gw)[port]?["last_error"] as? String)?.hasPrefix("health check:") == true)
        // Without a retry policy a try on the dead endpoint would be a 502: it is skipped instead.
        for _ in 0..<4 { #expect(try HTTPClient.chat(port: gw.port).status == 200) }
        #expect(try b.receivedRequests().count == 4)

        let back = try MockServer(extraArgs: ["--port", String(port)])
        defer { back.stop() }
        #expect(try Self.eventually { try Self.endpoints(gw)[port]?["healthy"] as? Bool == true })
        #expect(try Self.healthGauge(gw, port: port) == "1")
        for _ in 0..<4 { #expect(try HTTPClient.chat(port: gw.port).status == 200) }
        #expect(try back.receivedRequests().count == 2)
    }

    @Test func allEndpointsUnhealthy_panicMode_stillTriesThem_andHealthSurvivesAReload() throws {
        let a = try MockServer(), b = try MockServer()
        defer { a.stop(); b.stop() }
        // The mock answers 404 on this path: every check fails.
        let checked = Self.config([a.port, b.port], extra: """
                health_check: {path: /not-here, interval: 100ms, timeout: 500ms, unhealthy_after: 1, healthy_after: 1}
            """)
        let gw = try GatewayServer(yaml: checked)
        defer { gw.stop() }
        #expect(try Self.eventually { try Self.all(gw, healthy: false) })
        #expect(try Self.endpoints(gw)[a.port]?["last_error"] as? String == "health check: status 404")
        for _ in 0..<4 { #expect(try HTTPClient.chat(port: gw.port).status == 200) }
        // The mock logs the failing checks too: count the chat requests only.
        func chats(_ m: MockServer) throws -> Int { try m.receivedRequests().filter { $0["path"] as? String == "/v1/chat/completions" }.count }
        #expect(try chats(a) == 2 && chats(b) == 2)

        // A reload keeps the endpoints and their health, and their one checker each: about ten
        // checks a second per endpoint at 100ms, not twice that.
        #expect(try HTTPClient.request(port: gw.adminPort, method: "POST", path: "/reload").status == 200)
        #expect(try Self.all(gw, healthy: false))
        try a.clearRequests()
        let since = Date()
        usleep(1_000_000)
        let checks = try a.receivedRequests().filter { $0["path"] as? String == "/not-here" }.count
        let rate = Double(checks) / Date().timeIntervalSince(since)
        #expect(checks >= 1 && rate < 15, "\(checks) checks in \(Date().timeIntervalSince(since)) s")
        // A reload that drops health_check stops the checks and clears the verdict.
        try gw.rewriteConfig(Self.config([a.port, b.port]))
        #expect(try HTTPClient.request(port: gw.adminPort, method: "POST", path: "/reload").status == 200)
        #expect(try Self.eventually { try Self.all(gw, healthy: true) })
        try a.clearRequests()
        usleep(300_000)
        #expect(try a.receivedRequests().isEmpty)
    }

    /// Both endpoints of the pool report `healthy` == `healthy`.
    static func all(_ gw: GatewayServer, healthy: Bool) throws -> Bool {
        let eps = try endpoints(gw)
        return eps.count == 2 && eps.values.allSatisfy { $0["healthy"] as? Bool == healthy }
    }

    @Test func noEndpointReachable_andAllUnhealthy_is503NoHealthyBackend() throws {
        let d1 = try Self.deadPort(), d2 = try Self.deadPort()
        let gw = try GatewayServer(yaml: Self.config([d1, d2], extra: """
                health_check: {path: /health, interval: 100ms, timeout: 500ms, unhealthy_after: 1, healthy_after: 1}
            """, retry: "    retry: {attempts: 2, on: [connect_error]}"))
        defer { gw.stop() }
        #expect(try Self.eventually { try Self.all(gw, healthy: false) })
        let r = try HTTPClient.chat(port: gw.port)
        #expect(r.status == 503)
        #expect(r.errorCode == "no_healthy_backend")
        // Both were tried (panic), each once.
        let eps = try Self.endpoints(gw)
        #expect(eps[d1]?["failures"] as? Int == 1 && eps[d2]?["failures"] as? Int == 1)
    }

    @Test func httpsEndpoints_areCheckedOverTLS() throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        let up = try TLSUpstream(certs: certs)
        defer { up.stop() }
        func yaml(ca: String) -> String {
            """
            version: 1
            listen: {address: 127.0.0.1:0}
            admin: {address: 127.0.0.1:0}
            logging: {level: error, access_log: off}
            backends:
              - name: egress
                endpoints: ["https://localhost:\(up.port)"]
                tls: {ca_file: "\(ca)"}
                health_check: {path: /health, interval: 100ms, timeout: 1s, unhealthy_after: 1, healthy_after: 1}
            routes:
              - {name: gpt, models: ["*"], backends: [{backend: egress}]}
            """
        }
        func lastError(_ gw: GatewayServer) throws -> String {
            let list = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/backends").json()["endpoints"] as? [[String: Any]]
            return list?.first?["last_error"] as? String ?? ""
        }
        // The fixture answers POST only: a GET check gets its 501 — over a verified TLS connection.
        let gw = try GatewayServer(yaml: yaml(ca: certs.caCert))
        defer { gw.stop() }
        #expect(try Self.eventually { try lastError(gw) == "health check: status 501" })
        // With the wrong CA the check fails in the handshake.
        let wrong = try GatewayServer(yaml: yaml(ca: certs.otherCACert))
        defer { wrong.stop() }
        #expect(try Self.eventually { try lastError(wrong).contains("TLS handshake failed") })
    }

    /// A chat body: `system` then `user` message.
    static func body(system: String, user: String) -> String {
        #"{"model":"m","messages":[{"role":"system","content":"\#(system)"},{"role":"user","content":"\#(user)"}]}"#
    }

    @Test func prefixAffinity_keepsASharedPrefixOnOneEndpoint_andSpreadsDistinctOnes() throws {
        let a = try MockServer(), b = try MockServer()
        defer { a.stop(); b.stop() }
        let gw = try GatewayServer(yaml: Self.config([a.port, b.port], policy: "prefix_affinity"))
        defer { gw.stop() }
        // A system prompt longer than the 2 KiB that decide: every question lands on the same replica.
        let system = String(repeating: "You answer questions about the Sluice gateway. ", count: 50)
        for q in 0..<8 {
            let r = try HTTPClient.request(port: gw.port, method: "POST", path: "/v1/chat/completions",
                                           body: Self.body(system: system, user: "question \(q)"))
            #expect(r.status == 200)
        }
        let (na, nb) = (try a.receivedRequests().count, try b.receivedRequests().count)
        #expect((na == 8 && nb == 0) || (na == 0 && nb == 8), "shared prefix split \(na)/\(nb)")
        try a.clearRequests()
        try b.clearRequests()
        // Distinct short prompts spread over both (each one sticks: sent twice, same endpoint).
        for k in 0..<24 {
            for _ in 0..<2 {
                let r = try HTTPClient.request(port: gw.port, method: "POST", path: "/v1/chat/completions",
                                               body: Self.body(system: "tenant \(k)", user: "hi"))
                #expect(r.status == 200)
            }
        }
        let sa = try a.receivedRequests(), sb = try b.receivedRequests()
        #expect(sa.count > 0 && sb.count > 0 && sa.count + sb.count == 48, "distinct prefixes split \(sa.count)/\(sb.count)")
        let bodiesA = Set(sa.compactMap { $0["body"] as? String }), bodiesB = Set(sb.compactMap { $0["body"] as? String })
        #expect(bodiesA.isDisjoint(with: bodiesB))
    }

    @Test func prefixAffinity_skipsAnUnhealthyEndpoint() throws {
        let a = try MockServer(), b = try MockServer()
        defer { a.stop(); b.stop() }
        let gw = try GatewayServer(yaml: Self.config([a.port, b.port], policy: "prefix_affinity", extra: """
                outlier: {consecutive_failures: 1, ejection: 30s}
            """))
        defer { gw.stop() }
        // Find which endpoint owns this prompt, then eject it with a 503.
        let body = Self.body(system: "sticky", user: "q")
        #expect(try HTTPClient.request(port: gw.port, method: "POST", path: "/v1/chat/completions", body: body).status == 200)
        let home = try a.receivedRequests().count == 1 ? a : b
        let other = home === a ? b : a
        #expect(try HTTPClient.request(port: gw.port, method: "POST", path: "/v1/chat/completions",
                                       headers: [("x-mock-status", "503")], body: body).status == 503)
        for _ in 0..<3 {
            #expect(try HTTPClient.request(port: gw.port, method: "POST", path: "/v1/chat/completions", body: body).status == 200)
        }
        #expect(try other.receivedRequests().count == 3)
        #expect(try home.receivedRequests().count == 2)
    }
}
