import Testing
@testable import SluiceCore

@Suite struct GatewayConfigRedactionTests {
    private let hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

    private var yaml: String {
        """
        version: 1
        admin: {address: 127.0.0.1:9901, token: "${ADMIN_TOKEN}"}
        auth:
          mode: api_key
          keys:
            - {name: a, sha256: "\(hex)"}
            - {name: b, value: literal-key-value}
        backends:
          - name: up
            endpoints: ["https://${UP_HOST}:443"]
            credentials:
              headers: {Authorization: "Bearer literal-cred", x-extra: "${CRED}"}
        routes:
          - name: r
            models: ["m"]
            backends: [{backend: up, model: "${HIDDEN_MODEL}"}]
        pipeline:
          - {name: router, type: model_router}
          - {name: w, type: webhook, url: "http://hook:1/x", headers: {x-hook-key: literal-hook-secret}}
        cluster:
          redis: {address: "redis:6379", password: literal-redis-pw}

        """
    }

    private let env = ["ADMIN_TOKEN": "SECRET-ADMIN", "UP_HOST": "secret-host.internal", "CRED": "SECRET-CRED", "HIDDEN_MODEL": "secret-model"]

    @Test func redactedJSON_containsNoSecret() throws {
        let c = try #require(ConfigTestSupport.config(yaml, env: env))
        let json = c.redactedJSON(generation: 7, sha256: "deadbeef")
        for secret in ["SECRET-ADMIN", "secret-host", "SECRET-CRED", "secret-model", hex, "literal-key-value", "literal-cred",
                       "literal-hook-secret", "literal-redis-pw"] {
            #expect(!json.contains(secret), "leaked \(secret)")
        }
        #expect(json.contains("\"generation\":7,\"sha256\":\"deadbeef\""))
        #expect(json.contains("\"token\":\"<redacted>\""))
        #expect(json.contains("\"password\":\"<redacted>\""))
        #expect(json.contains("\"Authorization\":\"<redacted>\""))
        #expect(json.contains("\"endpoints\":[\"<redacted>\"]"))
        #expect(json.contains("\"model\":\"<redacted>\""))
    }

    @Test func redactedJSON_keepsNonSecretValues_inStableOrder() throws {
        let c = try #require(ConfigTestSupport.config(yaml, env: env))
        let json = c.redactedJSON(generation: 1, sha256: "x")
        #expect(json.hasPrefix("{\"generation\":1,\"sha256\":\"x\",\"version\":1,\"listen\":{\"address\":\"0.0.0.0:8080\"}"))
        #expect(json.contains("\"name\":\"up\""))
        #expect(json.contains("\"url\":\"http://hook:1/x\""))
        #expect(json == c.redactedJSON(generation: 1, sha256: "x"))
        let order = ["\"listen\"", "\"admin\"", "\"server\"", "\"logging\"", "\"auth\"", "\"backends\"", "\"routes\"", "\"pipeline\"",
                     "\"rate_limits\"", "\"token_estimation\"", "\"cluster\""]
        let positions = order.map { key in json.utf8.indices(of: key) }
        #expect(positions == positions.sorted())
    }

    @Test func secretPaths_recordInterpolatedScalars() throws {
        let c = try #require(ConfigTestSupport.config(yaml, env: env))
        #expect(c.secretPaths == ["admin.token", "backends.0.endpoints.0", "backends.0.credentials.headers.x-extra", "routes.0.backends.0.model"])
    }

    @Test func descriptions_hideSecrets() throws {
        let c = try #require(ConfigTestSupport.config(yaml, env: env))
        #expect(!c.admin.description.contains("SECRET"))
        #expect(!(c.cluster?.redis.description.contains("literal-redis-pw") ?? true))
        #expect(!(c.backends[0].credentials?.headers.description.contains("literal-cred") ?? true))
        #expect(!c.auth.keys[1].description.contains("literal-key-value"))
        #expect(!c.summary().contains("SECRET") && !c.summary().contains("literal-"))
    }

    @Test func jsonStrings_areEscaped() {
        var w = ConfigJSONWriter(secretPaths: [])
        w.object { $0.field("k\"") { $0.string("a\"b\\c\nd\u{1}") } }
        #expect(w.text == #"{"k\"":"a\"b\\c\nd\u0001"}"#)
    }
}

fileprivate extension String.UTF8View {
    /// Offset of the first occurrence of `needle` (Int.max when absent).
    func indices(of needle: String) -> Int {
        let hay = Array(self), n = Array(needle.utf8)
        guard n.count <= hay.count else { return Int.max }
        for i in 0...(hay.count - n.count) where hay[i..<(i + n.count)].elementsEqual(n) { return i }
        return Int.max
    }
}
