import Foundation
import Testing

/// Retries and fallbacks (SPEC §3, §11).
@Suite(.serialized) struct FailoverTests {
    /// A gateway config with `backends` and one route `llama` (YAML bodies, indented as below).
    static func config(backends: String, route: String) -> String {
        """
        version: 1
        listen: {address: 127.0.0.1:0}
        admin: {address: 127.0.0.1:0}
        logging: {level: warn, access_log: off}
        backends:
        \(backends)
        routes:
          - name: llama
            models: ["llama-*"]
        \(route)
        """
    }

    static func config(deadPort: Int, retry: String) -> String {
        config(backends: """
              - name: primary
                endpoints: ["http://127.0.0.1:\(deadPort)"]
                timeouts: {connect: 1s, first_byte: 2s}
              - name: backup
                endpoints: ["http://{MOCK}"]
            """, route: """
                backends: [{backend: primary, model: primary-model}]
                fallbacks: [{backend: backup, model: backup-model}]
            \(retry)
            """)
    }

    @Test func deadPrimary_failsOverToFallback_withRewrittenModel() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let probe = try MockServer()
        let dead = probe.port
        probe.stop()
        let gw = try GatewayServer(yaml: Self.config(deadPort: dead, retry: ""), mockPort: mock.port)
        defer { gw.stop() }
        let r = try HTTPClient.chat(port: gw.port, model: "llama-3.1-8b")
        #expect(r.status == 200)
        #expect(r.header("x-sluice-backend") == "backup")
        let sent = try #require(try mock.receivedRequests().last?["body"] as? String)
        #expect(sent.contains(#""model":"backup-model""#))
    }

    @Test func status429FromPrimary_movesToFallback_andFinalGatewayErrorSaysNoRetry() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        // Primary and backup are the same mock (two backends, so two endpoints); the client header
        // makes every answer a 429.
        let yaml = Self.config(backends: """
              - name: primary
                endpoints: ["http://{MOCK}"]
              - name: backup
                endpoints: ["http://{MOCK}"]
            """, route: """
                backends: [{backend: primary}]
                fallbacks: [{backend: backup, model: backup-model}]
                retry: {attempts: 1, on: [429, connect_error]}
            """)
        let gw = try GatewayServer(yaml: yaml, mockPort: mock.port)
        defer { gw.stop() }
        // Every try gets 429 (the header reaches both): the gateway tries primary then backup and
        // passes the last upstream answer through unchanged.
        let r = try HTTPClient.chat(port: gw.port, model: "llama-3.1-8b", headers: [("x-mock-status", "429")])
        #expect(r.status == 429)
        let seen = try mock.receivedRequests()
        #expect(seen.count == 2)
        #expect((seen.last?["body"] as? String)?.contains("backup-model") == true)
    }

    @Test func retryPolicy_retriesTheConfiguredStatuses_onlyBeforeTheFirstByte() throws {
        let mock = try MockServer()
        defer { mock.stop() }
        let yaml = Self.config(backends: """
              - name: primary
                endpoints: ["http://{MOCK}"]
            """, route: """
                backends: [{backend: primary}]
                retry: {attempts: 3, on: ["5xx"]}
            """)
        let gw = try GatewayServer(yaml: yaml, mockPort: mock.port)
        defer { gw.stop() }
        let r = try HTTPClient.chat(port: gw.port, model: "llama-3.1-8b", headers: [("x-mock-status", "503")])
        #expect(r.status == 503)
        #expect(try mock.receivedRequests().count == 3)
        // A stream cut after its first bytes is never retried.
        try mock.clearRequests()
        let cut = try HTTPClient.chat(port: gw.port, model: "llama-3.1-8b", stream: true, extra: #","max_tokens":8"#,
                                      headers: [("x-mock-drop-after-chunks", "2")])
        #expect(!cut.complete)
        #expect(try mock.receivedRequests().count == 1)
    }

    @Test func allTriesFailing_getsGatewayError_withShouldRetryFalse() throws {
        let probe = try MockServer()
        let dead = probe.port
        probe.stop()
        let yaml = Self.config(backends: """
              - name: primary
                endpoints: ["http://127.0.0.1:\(dead)"]
                timeouts: {connect: 1s}
            """, route: """
                backends: [{backend: primary}]
                retry: {attempts: 2, on: [connect_error]}
            """)
        let gw = try GatewayServer(yaml: yaml)
        defer { gw.stop() }
        let r = try HTTPClient.chat(port: gw.port, model: "llama-3.1-8b")
        #expect(r.status == 502)
        #expect(r.header("x-should-retry") == "false")
    }
}
