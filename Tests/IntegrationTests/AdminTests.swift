import Foundation
import Testing

/// Admin endpoint, reload and drain.
@Suite(.serialized) struct AdminTests {
    @Test func probes_andStats_answer() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        #expect(try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/healthz").status == 200)
        #expect(try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/readyz").status == 200)
        _ = try HTTPClient.chat(port: gw.port)
        let stats = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/stats").json()
        #expect(stats["config_generation"] as? Int == 1)
        #expect((stats["requests"] as? [String: Any])?["total"] as? Int == 1)
        // The admin listener never serves data-plane paths, nor the data listener admin paths.
        #expect(try HTTPClient.chat(port: gw.adminPort).status == 404)
        #expect(try HTTPClient.request(port: gw.port, method: "GET", path: "/healthz").status == 404)
    }

    @Test func config_redactsSecrets() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let yaml = GatewayServer.basicConfig().replacingOccurrences(of: "admin: {address: 127.0.0.1:0}",
                                                                    with: "admin: {address: 127.0.0.1:0, token: \"${ADMIN_TOKEN}\"}")
        let gw = try GatewayServer(yaml: yaml, mockPort: mock.port, environment: ["ADMIN_TOKEN": "s3cret-admin-token"])
        defer { gw.stop() }
        let r = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/config")
        #expect(r.status == 200)
        #expect(!r.text.contains("s3cret-admin-token"))
        #expect(r.text.contains("<redacted>"))
        let j = try r.json()
        #expect(j["generation"] as? Int == 1)
        #expect((j["sha256"] as? String)?.count == 64)
        // Mutations need the token.
        #expect(try HTTPClient.request(port: gw.adminPort, method: "POST", path: "/reload").status == 401)
        let ok = try HTTPClient.request(port: gw.adminPort, method: "POST", path: "/reload",
                                        headers: [("Authorization", "Bearer s3cret-admin-token")])
        #expect(ok.status == 200)
    }

    @Test func reload_good_swapsConfig_bad_keepsOld() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        #expect(try HTTPClient.chat(port: gw.port, model: "mistral-7b").status == 404)
        let routes = """
          - name: mistral
            models: ["mistral-*"]
            backends: [{backend: mock}]
        """
        try gw.rewriteConfig(GatewayServer.basicConfig(routes: routes), mockPort: mock.port)
        let ok = try HTTPClient.request(port: gw.adminPort, method: "POST", path: "/reload")
        #expect(ok.status == 200)
        #expect(try ok.json()["generation"] as? Int == 2)
        #expect(try HTTPClient.chat(port: gw.port, model: "mistral-7b").status == 200)

        try gw.rewriteConfig("version: 1\nroutes:\n  - name: x\n    modles: [a]\n", mockPort: mock.port)
        let bad = try HTTPClient.request(port: gw.adminPort, method: "POST", path: "/reload")
        #expect(bad.status == 400)
        let errors = try #require(try bad.json()["errors"] as? [String])
        #expect(errors.contains { $0.contains(gw.configPath + ":4:5") })
        #expect(try HTTPClient.chat(port: gw.port, model: "mistral-7b").status == 200)
        let stats = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/stats").json()
        #expect(stats["config_generation"] as? Int == 2)
    }

    @Test func sighup_reloads() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        let routes = """
          - name: only
            models: ["only-model"]
            backends: [{backend: mock}]
        """
        try gw.rewriteConfig(GatewayServer.basicConfig(routes: routes), mockPort: mock.port)
        gw.child.signal(SIGHUP)
        var status = 0
        for _ in 0..<50 {
            status = try HTTPClient.chat(port: gw.port, model: "only-model").status
            if status == 200 { break }
            usleep(50_000)
        }
        #expect(status == 200)
    }

    @Test func sigterm_drainsStreamInFlight_thenExitsZero() throws {
        let mock = try MockServer(extraArgs: ["--tokens-per-second", "20"])
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(extra: "server: {drain_timeout: 10s}"), mockPort: mock.port)
        defer { gw.stop() }
        let c = try RawConnection(port: gw.port)
        let body = #"{"model":"gpt-4o-mini","stream":true,"max_tokens":20,"messages":[]}"#
        try c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let first = try c.readSome()
        #expect(String(decoding: first, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        gw.child.signal(SIGTERM)
        usleep(100_000)
        #expect(try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/readyz").status == 503)
        let rest = String(decoding: first + (try c.readToEOF()), as: UTF8.self)
        #expect(rest.contains("[DONE]"))
        #expect(rest.hasSuffix("0\r\n\r\n"))
        #expect(gw.child.waitExit(timeout: 10) == 0)
    }
}
