import Foundation
import Testing

/// Metrics and the access log after known traffic (SPEC §7).
@Suite(.serialized) struct ObservabilityTests {
    /// The value of one Prometheus sample line (`name{labels} value`) whose text contains every fragment.
    static func sample(_ text: String, _ name: String, _ fragments: [String]) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            if fragments.allSatisfy({ line.contains($0) }), let v = line.split(separator: " ").last.flatMap({ Double($0) }) { return v }
        }
        return nil
    }

    @Test func metrics_countExactlyTheTrafficSent() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: GatewayServer.basicConfig(), mockPort: mock.port)
        defer { gw.stop() }
        for _ in 0..<5 { #expect(try HTTPClient.chat(port: gw.port, model: "gpt-4o-mini", extra: #","max_tokens":3"#).status == 200) }
        for _ in 0..<2 { #expect(try HTTPClient.chat(port: gw.port, model: "nope").status == 404) }
        let text = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/metrics").text
        #expect(Self.sample(text, "sluice_requests_total", [#"route="default""#, #"code="200""#]) == 5)
        #expect(Self.sample(text, "sluice_requests_total", [#"route="other""#, #"code="404""#]) == 2)
        // "Hello there, how are you?" = 7 prompt tokens; 3 completion tokens each.
        #expect(Self.sample(text, "sluice_tokens_total", [#"type="input""#, #"source="upstream""#]) == 35)
        #expect(Self.sample(text, "sluice_tokens_total", [#"type="output""#, #"source="upstream""#]) == 15)
        #expect(Self.sample(text, "sluice_request_duration_seconds_count", [#"route="default""#]) == 5)
        #expect(Self.sample(text, "sluice_upstream_requests_total", [#"outcome="success""#]) == 5)
        // A client-chosen model name never becomes a label value.
        #expect(!text.contains("nope"))
        for family in ["requests_total", "request_duration_seconds", "upstream_first_byte_seconds", "tokens_total",
                       "ratelimit_decisions_total", "cache_lookups_total", "guardrail_actions_total",
                       "processor_duration_seconds", "processor_failures_total", "upstream_requests_total",
                       "backend_endpoint_healthy", "connections_active", "config_generation", "config_reloads_total"] {
            #expect(text.contains("# TYPE sluice_\(family) "), "\(family)")
        }
    }

    @Test func accessLog_hasEveryField_andNoPromptOrKey() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let yaml = GatewayServer.basicConfig().replacingOccurrences(of: "logging: {level: warn, access_log: stdout}",
                                                                    with: "logging: {level: warn, access_log: stdout}")
        let gw = try GatewayServer(yaml: yaml, mockPort: mock.port)
        defer { gw.stop() }
        let body = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"TOP-SECRET-PROMPT-TEXT"}],"max_tokens":2}"#
        let r = try HTTPClient.request(port: gw.port, method: "POST", path: "/v1/chat/completions",
                                       headers: [("Authorization", "Bearer sk-live-should-not-appear")], body: body)
        #expect(r.status == 200)
        var line: String?
        for _ in 0..<50 {
            line = gw.child.stdout.split(separator: "\n").map(String.init).first { $0.contains(r.header("x-request-id") ?? "?") }
            if line != nil { break }
            usleep(50_000)
        }
        let entry = try #require(line)
        #expect(!entry.contains("TOP-SECRET-PROMPT-TEXT"))
        #expect(!entry.contains("sk-live-should-not-appear"))
        let j = try #require(try JSONSerialization.jsonObject(with: Data(entry.utf8)) as? [String: Any])
        for field in ["ts", "request_id", "method", "path", "status", "route", "backend", "endpoint", "model", "upstream_model",
                      "tenant", "stream", "input_tokens", "output_tokens", "usage_source", "cache", "guardrail", "limited_by",
                      "attempts", "duration_ms", "upstream_first_byte_ms", "bytes_in", "bytes_out", "error"] {
            #expect(j.keys.contains(field), "\(field)")
        }
        #expect(j["status"] as? Int == 200)
        #expect(j["output_tokens"] as? Int == 2)
        #expect(j["usage_source"] as? String == "upstream")
    }
}
