import Testing
@testable import SluiceCore

@Suite struct GatewayConfigSummaryTests {
    @Test func summary_mentionsListenersRoutesBackendsPipelineAndLimits() throws {
        let yaml = ConfigTestSupport.minimal + """
                fallbacks: [{backend: mock, model: small}]
            rate_limits:
              - {name: rpm, key: [tenant], unit: requests, limit: 60, window: 1m}

            """
        let c = try #require(ConfigTestSupport.config(yaml))
        let s = c.summary()
        #expect(s.contains("data 127.0.0.1:8080"))
        #expect(s.contains("admin 127.0.0.1:9901"))
        #expect(s.contains("default: [*] -> mock; fallbacks mock as small"))
        #expect(s.contains("mock: http://127.0.0.1:8081 [least_request"))
        #expect(s.contains("pipeline: router (model_router)"))
        #expect(s.contains("rpm: 60 requests per 1m by tenant, burst 60"))
        #expect(s.split(separator: "\n").count < 25)
    }

    @Test func summary_listsWarnings() throws {
        let yaml = ConfigTestSupport.minimal.replacing("admin: {address: 127.0.0.1:9901}", with: "admin: {address: \"[::]:9901\"}")
        let s = try #require(ConfigTestSupport.config(yaml)).summary()
        #expect(s.contains("warning: admin address [::]:9901 is not loopback"))
    }
}
