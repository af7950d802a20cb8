import Foundation
import Testing

/// API keys and the token limiter against sluice-mock's deterministic usage:
/// "Hello there, how are you?" is 25 bytes → 7 prompt tokens; completion tokens = max_tokens.
@Suite(.serialized) struct RateLimitTests {
    static let keys = """
    auth:
      mode: api_key
      keys:
        - {name: team-a-key, tenant: team-a, value: "sk-team-a-secret"}
        - {name: team-b-key, tenant: team-b, value: "sk-team-b-secret", models: ["gpt-*"]}
    """

    static func config(limits: String) -> String {
        GatewayServer.basicConfig(extra: keys + "\nrate_limits:\n" + limits)
    }

    static func chat(_ gw: GatewayServer, key: String = "sk-team-a-secret", maxTokens: Int? = 10, stream: Bool = false,
                     model: String = "gpt-4o-mini") throws -> HTTPClient.Response {
        try HTTPClient.chat(port: gw.port, model: model, stream: stream, extra: maxTokens.map { #","max_tokens":\#($0)"# } ?? "",
                            headers: [("Authorization", "Bearer \(key)")])
    }

    static func remaining(_ gw: GatewayServer, key: String) throws -> Int? {
        let r = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/ratelimits?key=\(key)")
        let buckets = try r.json()["buckets"] as? [[String: Any]]
        return buckets?.first?["remaining"] as? Int
    }

    @Test func budget_admitsExactlyWhatFits_thenAnswers429WithRetryAfter() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: Self.config(limits: "  - {name: tenant-tpm, key: [tenant], unit: tokens, limit: 51, window: 1m}"),
                                   mockPort: mock.port)
        defer { gw.stop() }
        var statuses: [Int] = []
        var last: HTTPClient.Response?
        for _ in 0..<4 {
            let r = try Self.chat(gw)
            statuses.append(r.status)
            last = r
            if r.status == 200 {
                #expect(r.header("x-ratelimit-limit-tokens") == "51")
                #expect(r.header("x-ratelimit-remaining-tokens") != nil)
                #expect(r.header("x-ratelimit-reset-tokens") != nil)
            }
        }
        #expect(statuses == [200, 200, 200, 429])
        let rejected = try #require(last)
        #expect(rejected.errorCode == "rate_limit_exceeded")
        let retryAfter = try #require(rejected.header("retry-after").flatMap(Int.init))
        // 17 tokens at 51 per minute: 20 s.
        #expect(retryAfter >= 19 && retryAfter <= 21)
        #expect(rejected.header("retry-after-ms") != nil)
        #expect(rejected.text.contains("tenant-tpm"))
        #expect(!rejected.text.contains("sk-team-a-secret"))
        #expect(try mock.receivedRequests().count == 3)
    }

    @Test func reservation_isReconciledWithActualUsage() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        // A 30-day window refills 0.04 tokens/s, so even a slow, loaded machine sees the exact charge.
        let gw = try GatewayServer(yaml: Self.config(limits: "  - {name: tenant-tpm, key: [tenant], unit: tokens, limit: 100000, window: 720h}"),
                                   mockPort: mock.port)
        defer { gw.stop() }
        // No max_tokens: 256 reserved, 16 used (the mock's default) → 7 + 16 charged.
        #expect(try Self.chat(gw, maxTokens: nil).status == 200)
        let left = try #require(try Self.remaining(gw, key: "team-a"))
        #expect(left >= 100000 - 23 && left <= 100000 - 23 + 2)
    }

    @Test func stream_withoutIncludeUsage_isChargedExactUsage_andHidesUsageChunk() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: Self.config(limits: "  - {name: tenant-tpm, key: [tenant], unit: tokens, limit: 100000, window: 1h}"),
                                   mockPort: mock.port)
        defer { gw.stop() }
        let r = try Self.chat(gw, maxTokens: 12, stream: true)
        #expect(r.status == 200)
        #expect(!r.text.contains("\"usage\""))
        let left = try #require(try Self.remaining(gw, key: "team-a"))
        #expect(left >= 100000 - 19 && left <= 100000 - 19 + 2)
    }

    @Test func unknownKey_is401_andAllowList_is403() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: Self.config(limits: "  - {name: rpm, key: [api_key], unit: requests, limit: 100, window: 1m}"),
                                   mockPort: mock.port)
        defer { gw.stop() }
        let missing = try HTTPClient.chat(port: gw.port)
        #expect(missing.status == 401)
        #expect(missing.errorCode == "invalid_api_key")
        let wrong = try Self.chat(gw, key: "sk-nope")
        #expect(wrong.status == 401)
        let denied = try Self.chat(gw, key: "sk-team-b-secret", model: "llama-3.1-8b")
        #expect(denied.status == 403)
        #expect(denied.errorCode == "model_not_allowed")
        #expect(try Self.chat(gw, key: "sk-team-b-secret", model: "gpt-4o-mini").status == 200)
        let models = try HTTPClient.request(port: gw.port, method: "GET", path: "/v1/models",
                                            headers: [("x-api-key", "sk-team-b-secret")])
        #expect(models.text.contains("gpt-4o-mini") && !models.text.contains("llama"))
        // The client's key never reaches the upstream.
        let sent = try #require(try mock.receivedRequests().last?["headers"] as? [String: Any])
        #expect(sent["authorization"] == nil && sent["x-api-key"] == nil)
    }

    @Test func tenants_areLimitedIndependently() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: Self.config(limits: "  - {name: rpm, key: [tenant], unit: requests, limit: 2, window: 1h}"),
                                   mockPort: mock.port)
        defer { gw.stop() }
        let a = try (0..<3).map { _ in try Self.chat(gw).status }
        let b = try (0..<3).map { _ in try Self.chat(gw, key: "sk-team-b-secret").status }
        #expect(a == [200, 200, 429])
        #expect(b == [200, 200, 429])
    }

    @Test func shadowLimit_neverRejects_butCounts() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: Self.config(limits: "  - {name: dry, key: [tenant], unit: requests, limit: 1, window: 1h, shadow: true}"),
                                   mockPort: mock.port)
        defer { gw.stop() }
        let statuses = try (0..<3).map { _ in try Self.chat(gw).status }
        #expect(statuses == [200, 200, 200])
        let metrics = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/metrics").text
        #expect(metrics.contains(#"sluice_ratelimit_decisions_total{decision="shadow_limited",limit="dry"} 2"#)
                || metrics.contains(#"sluice_ratelimit_decisions_total{limit="dry",decision="shadow_limited"} 2"#))
    }

    @Test func concurrentLoad_neverAdmitsMoreThanTheBound() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: Self.config(limits: "  - {name: tpm, key: [tenant], unit: tokens, limit: 1000, window: 1h}"),
                                   mockPort: mock.port)
        defer { gw.stop() }
        let statuses = StatusCollector()
        let start = Date()
        DispatchQueue.concurrentPerform(iterations: 32) { _ in
            for _ in 0..<10 {
                statuses.add((try? Self.chat(gw))?.status ?? 0)
            }
        }
        let elapsed = Date().timeIntervalSince(start)
        let admitted = statuses.values.filter { $0 == 200 }.count
        // Each request costs 17 tokens; bound = burst + limit × elapsed / window.
        let bound = Int((1000.0 + 1000.0 * elapsed / 3600.0) / 17.0)
        #expect(statuses.values.count == 320)
        #expect(admitted <= bound)
        #expect(admitted >= bound - 2)
        #expect(statuses.values.allSatisfy { $0 == 200 || $0 == 429 })
    }

    @Test func explain_showsEachBucketsDecisionAndTakesNothing() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: Self.config(limits: """
              - {name: tenant-tpm, key: [tenant], unit: tokens, limit: 51, window: 1m}
              - {name: tiny, key: [tenant], unit: tokens, limit: 10, window: 1m, shadow: true}
            """), mockPort: mock.port)
        defer { gw.stop() }
        let body = #"{"path":"/v1/chat/completions","headers":{"authorization":"Bearer sk-team-a-secret"},"body":{"model":"gpt-4o-mini","max_tokens":10,"messages":[{"role":"user","content":"Hello there, how are you?"}]}}"#
        for _ in 0..<3 {
            let r = try HTTPClient.request(port: gw.adminPort, method: "POST", path: "/explain", body: body)
            let limits = try #require(try r.json()["limits"] as? [[String: Any]])
            #expect(limits.count == 2)
            #expect(limits[0]["name"] as? String == "tenant-tpm")
            #expect(limits[0]["key"] as? String == "team-a")
            #expect(limits[0]["cost"] as? Int == 17)
            #expect(limits[0]["remaining"] as? Int == 51, "a dry run takes nothing")
            #expect(limits[0]["decision"] as? String == "allowed")
            #expect(limits[1]["decision"] as? String == "shadow_limited")
            #expect(!r.text.contains("sk-team-a-secret"))
        }
        #expect(try mock.receivedRequests().isEmpty)
        let unauth = try HTTPClient.request(port: gw.adminPort, method: "POST", path: "/explain",
                                            body: #"{"path":"/v1/chat/completions","headers":{},"body":{"model":"gpt-4o-mini","messages":[]}}"#)
        #expect(unauth.text.contains("unauthenticated"))
    }
}
