import Foundation
import Testing

/// SPEC §6: the admin listener never serves data-plane paths and the data listener never serves
/// admin paths; POST/DELETE admin calls need the bearer token when `admin.token` is set, GET calls
/// stay open. (`AdminTests` checks one path each way and `/reload` with and without the token.)
@Suite(.serialized) struct AdminIsolationTests {
    static let token = "adm1n-t0ken-for-isolation"

    static func start() throws -> (MockServer, GatewayServer) {
        let mock = try MockServer()
        let yaml = GatewayServer.basicConfig(extra: """
            pipeline:
              - {name: router, type: model_router}
              - {name: cache, type: prompt_cache}
            """).replacingOccurrences(of: "admin: {address: 127.0.0.1:0}",
                                      with: "admin: {address: 127.0.0.1:0, token: \"${ADMIN_TOKEN}\"}")
        do {
            let gw = try GatewayServer(yaml: yaml, mockPort: mock.port, environment: ["ADMIN_TOKEN": token])
            return (mock, gw)
        } catch {
            mock.stop()
            throw error
        }
    }

    static let adminCalls: [(String, String)] = [
        ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics"), ("GET", "/stats"), ("GET", "/config"),
        ("GET", "/backends"), ("GET", "/ratelimits"), ("GET", "/cache"), ("DELETE", "/cache"), ("POST", "/reload"),
        ("POST", "/explain"),
    ]

    static let dataCalls: [(String, String)] = [
        ("POST", "/v1/chat/completions"), ("POST", "/v1/completions"), ("POST", "/v1/embeddings"),
        ("POST", "/v1/responses"), ("POST", "/v1/messages"), ("GET", "/v1/models"),
    ]

    static let chat = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"isolation"}]}"#

    @Test func dataListener_servesNoAdminPath_withOrWithoutTheToken() throws {
        let (mock, gw) = try Self.start()
        defer { gw.stop(); mock.stop() }
        let auth = [("Authorization", "Bearer \(Self.token)")]
        for (method, path) in Self.adminCalls {
            for headers in [[], auth] {
                let body = method == "GET" || method == "DELETE" ? nil : "{}"
                let r = try HTTPClient.request(port: gw.port, method: method, path: path, headers: headers, body: body)
                #expect(r.status == 404, "data listener answered \(r.status) to \(method) \(path)")
                #expect(!r.text.contains("generation"), "data listener leaked admin output for \(method) \(path)")
            }
        }
        // Neither was anything done: no reload happened, nothing reached the upstream.
        let stats = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/stats").json()
        #expect(stats["config_generation"] as? Int == 1)
        #expect((stats["config_reloads"] as? [String: Any])?["ok"] as? Int == 0)
        #expect(try mock.receivedRequests().isEmpty)
    }

    @Test func adminListener_servesNoDataPath_andNothingReachesTheUpstream() throws {
        let (mock, gw) = try Self.start()
        defer { gw.stop(); mock.stop() }
        for (method, path) in Self.dataCalls {
            let r = try HTTPClient.request(port: gw.adminPort, method: method, path: path,
                                           headers: [("Authorization", "Bearer \(Self.token)")],
                                           body: method == "POST" ? Self.chat : nil)
            #expect(r.status == 404, "admin listener answered \(r.status) to \(method) \(path)")
        }
        // Variants of admin paths are not admin paths either.
        for path in ["/healthz/", "/HEALTHZ", "/healthz/../v1/models", "//healthz", "/v1/chat/completions?x=/healthz"] {
            let r = try HTTPClient.request(port: gw.port, method: "GET", path: path)
            #expect(r.status == 404 || r.status == 405 || r.status == 400, "data listener answered \(r.status) to GET \(path)")
        }
        #expect(try mock.receivedRequests().isEmpty)
        let stats = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/stats").json()
        #expect((stats["requests"] as? [String: Any])?["total"] as? Int ?? 0 <= 5)
    }

    @Test func adminMutations_needTheBearerToken_readsStayOpen() throws {
        let (mock, gw) = try Self.start()
        defer { gw.stop(); mock.stop() }
        let explain = #"{"path":"/v1/chat/completions","headers":{},"body":\#(Self.chat)}"#
        let mutations: [(String, String, String?)] = [("POST", "/reload", nil), ("DELETE", "/cache", nil), ("POST", "/explain", explain)]
        let wrong: [[(String, String)]] = [
            [],
            [("Authorization", "Bearer")],
            [("Authorization", "Bearer ")],
            [("Authorization", "Bearer wrong-token")],
            [("Authorization", "Bearer \(Self.token)x")],
            [("Authorization", "Bearer \(Self.token.dropLast())")],
            [("Authorization", "Basic \(Self.token)")],
            [("Authorization", Self.token)],
            [("X-Admin-Token", Self.token)],
        ]
        for (method, path, body) in mutations {
            for headers in wrong {
                let r = try HTTPClient.request(port: gw.adminPort, method: method, path: path, headers: headers, body: body)
                #expect(r.status == 401, "\(method) \(path) with \(headers) answered \(r.status)")
                #expect(r.errorCode == "invalid_admin_token")
            }
            let ok = try HTTPClient.request(port: gw.adminPort, method: method, path: path,
                                            headers: [("Authorization", "Bearer \(Self.token)")], body: body)
            #expect(ok.status == 200, "\(method) \(path) with the token answered \(ok.status): \(ok.text.prefix(200))")
        }
        // Only the one authorised reload happened.
        let stats = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/stats").json()
        #expect(stats["config_generation"] as? Int == 2)
        // Reads need no token.
        for (method, path) in Self.adminCalls where method == "GET" {
            let r = try HTTPClient.request(port: gw.adminPort, method: method, path: path)
            #expect(r.status == 200, "GET \(path) without a token answered \(r.status)")
        }
        // Wrong methods on admin paths are 405, not a way around the token.
        for (method, path) in [("GET", "/reload"), ("PUT", "/cache"), ("GET", "/explain"), ("POST", "/stats")] {
            let r = try HTTPClient.request(port: gw.adminPort, method: method, path: path, body: method == "GET" ? nil : "{}")
            #expect(r.status == 405, "\(method) \(path) answered \(r.status)")
        }
        #expect(try mock.receivedRequests().isEmpty)
    }
}
