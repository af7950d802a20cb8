import Testing
@testable import SluiceCore

@Suite struct ConfigLoaderTests {
    @Test func minimalConfig_validates() throws {
        let c = try #require(ConfigTestSupport.config(ConfigTestSupport.minimal))
        #expect(c.listen.address == SocketAddressConfig(host: "127.0.0.1", port: 8080))
        #expect(c.backends.first?.endpoints.first?.port == 8081)
        #expect(c.routes.first?.backends.first?.backend == "mock")
        #expect(c.backend(named: "mock") != nil)
        #expect(c.warnings.isEmpty)
    }

    @Test func defaults_matchTheSpec() throws {
        let c = try #require(ConfigTestSupport.config("version: 1\nbackends: [{name: b, endpoints: [\"http://h:1\"]}]\nroutes: [{name: r, models: [m], backends: [{backend: b}]}]\n"))
        #expect(c.listen.address.description == "0.0.0.0:8080" && c.listen.tls == nil)
        #expect(c.admin.address.description == "127.0.0.1:9901" && c.admin.token == nil)
        #expect(c.server == ServerConfig(workers: 0, maxConnections: 10_000, maxHeaderBytes: 32 * 1024, maxBodyBytes: 2 * 1024 * 1024,
                                         headerTimeout: .seconds(10), idleTimeout: .seconds(60), drainTimeout: .seconds(30),
                                         drainDelay: .zero, trustedProxies: []))
        #expect(c.logging == LoggingConfig(level: .info, accessLog: .stdout))
        #expect(c.auth.mode == .none && c.auth.tenantHeader == "x-tenant-id")
        #expect(c.pipeline.count == 1 && c.pipeline[0].name == "router" && c.pipeline[0].kind == .modelRouter)
        #expect(c.pipeline[0].failureMode == .failClosed)
        #expect(c.tokenEstimation == TokenEstimationConfig(bytesPerToken: 4, defaultOutputTokens: 256, maxOutputReservation: 4096))
        #expect(c.cluster == nil && c.rateLimits.isEmpty)
        let b = try #require(c.backends.first)
        #expect(b.loadBalancing == .leastRequest && b.maxConnections == 256 && b.queueTimeout == .seconds(1))
        #expect(b.timeouts == BackendTimeouts(connect: .seconds(2), firstByte: .seconds(60), idle: .seconds(30), total: .seconds(600)))
        #expect(b.healthCheck == nil && b.outlier == nil && b.tls == nil && b.credentials == nil)
        #expect(c.routes.first?.retry == nil && c.routes.first?.backends.first?.weight == 1)
    }

    @Test func sectionDefaults_applyInsidePresentSections() throws {
        let yaml = ConfigTestSupport.withMinimal("""
            pipeline:
              - {name: router, type: model_router}
              - {name: g, type: guardrail, detectors: [{type: secrets}]}
              - {name: c, type: prompt_cache}
              - {name: w, type: webhook, url: "http://hook:1/x"}
            rate_limits:
              - {name: l, key: [tenant], unit: tokens, limit: 10, window: 1s}
            """)
        let c = try #require(ConfigTestSupport.config(yaml))
        guard case .guardrail(let g) = c.pipeline[1].kind else { Issue.record("not a guardrail"); return }
        #expect(g.on == [.request] && g.status == 400 && g.streamHoldback == 64)
        #expect(g.detectors.first?.action == .block)
        guard case .promptCache(let pc) = c.pipeline[2].kind else { Issue.record("not a cache"); return }
        #expect(pc == PromptCacheConfig(ttl: .seconds(600), maxBytes: 256 << 20, maxEntryBytes: 1 << 20, deterministicOnly: true, coalesce: true, shared: false))
        #expect(c.pipeline[3].timeout == .milliseconds(200))
        #expect(c.pipeline[2].timeout == nil)
        let l = try #require(c.rateLimits.first)
        #expect(l.count == .total && l.burst == 10 && l.scope == .local && l.mode == .exact)
        #expect(l.maxKeys == 100_000 && l.leaseFraction == 0.05 && l.leaseTTL == .seconds(1) && !l.shadow)
    }

    @Test func healthCheckDefaults_applyOnlyWhenPresent() throws {
        let yaml = "version: 1\nbackends:\n  - {name: b, endpoints: [\"http://h:1\"], health_check: {}, outlier: {}}\nroutes: [{name: r, models: [m], backends: [{backend: b}]}]\n"
        let c = try #require(ConfigTestSupport.config(yaml))
        #expect(c.backends[0].healthCheck == HealthCheckConfig(path: "/health", interval: .seconds(5), timeout: .seconds(1), unhealthyAfter: 3, healthyAfter: 2))
        #expect(c.backends[0].outlier == OutlierConfig(consecutiveFailures: 5, ejection: .seconds(30)))
    }

    @Test func clusterDefaults_matchTheSpec() throws {
        let c = try #require(ConfigTestSupport.config(ConfigTestSupport.withMinimal("cluster:\n  redis: {address: \"redis:6379\"}\n")))
        let redis = try #require(c.cluster?.redis)
        #expect(redis.timeout == .milliseconds(50) && redis.poolSize == 4 && redis.keyPrefix == "sluice:" && redis.database == 0)
        #expect(redis.password == nil && c.cluster?.failureMode == .local)
    }

    @Test func exampleFile_validatesWithItsEnvironment() throws {
        let text = try #require(ConfigExampleFixture.text)
        let result = ConfigTestSupport.parse(text, env: ["OPENAI_API_KEY": "sk-test", "TEAM_B_KEY": "team-b-secret"],
                                             files: ["/etc/sluice/tls.crt", "/etc/sluice/tls.key"])
        if case .failure(let e) = result { Issue.record("example failed: \(e)") }
        let c = try result.get()
        #expect(c.pipeline.map(\.kind.typeName) == ["guardrail", "model_router", "transform", "prompt_cache", "webhook", "guardrail"])
        #expect(c.routes.first?.retry?.on == [.connectError, .firstByteTimeout, .status(502), .status(503), .status(504), .status(429)])
        #expect(c.auth.keys.first?.sha256?.count == 32 && c.auth.keys.last?.value == "team-b-secret")
        #expect(c.backend(named: "openai")?.credentials?.headers == [ConfigHeaderField(name: "Authorization", value: "Bearer sk-test")])
        #expect(c.rateLimits.last?.key == [.tenant, .header("x-team")])
    }

    @Test func exampleFile_withoutItsEnvironment_reportsEveryMissingVariable() throws {
        let text = try #require(ConfigExampleFixture.text)
        let errors = ConfigTestSupport.errors(text, files: ["/etc/sluice/tls.crt", "/etc/sluice/tls.key"])
        #expect(errors.filter { $0.message.contains("is not set") }.count == 2)
    }

    @Test func load_readsThroughEnvironment() {
        let env = FakeConfigEnvironment(files: ["/c.yaml": Array(ConfigTestSupport.minimal.utf8)])
        guard case .success = ConfigLoader.load(path: "/c.yaml", environment: env) else { Issue.record("load failed"); return }
        guard case .failure(let e) = ConfigLoader.load(path: "/missing.yaml", environment: env) else { Issue.record("loaded missing"); return }
        #expect(e.diagnostics.first?.description == "/missing.yaml:1:1: cannot read the configuration file")
    }

    @Test func yamlSyntaxError_becomesDiagnosticWithFile() {
        let errors = ConfigTestSupport.errors("version: 1\nlisten: &a {}\n")
        #expect(errors.map(\.description) == ["test.yaml:2:9: anchors ('&') are not supported"])
    }

    @Test func emptyFile_isAnError() {
        #expect(ConfigTestSupport.errors("# nothing\n").first?.message.contains("empty") == true)
    }

    @Test func unknownKey_reportsPositionAndSuggestion() {
        let yaml = "version: 1\nbackends:\n  - name: b\n    endpoint: [\"http://h:1\"]\nroutes: []\n"
        let errors = ConfigTestSupport.errors(yaml)
        let e = errors.first { $0.message.contains("unknown key") }
        #expect(e?.line == 4 && e?.column == 5)
        #expect(e?.message == "unknown key 'endpoint' in backend 'b'; did you mean 'endpoints'?")
    }

    @Test func unknownTopLevelKey_isReported() {
        let errors = ConfigTestSupport.errors(ConfigTestSupport.withMinimal("rate_limit: []\n"))
        #expect(errors.map(\.description) == ["test.yaml:11:1: unknown key 'rate_limit' in the configuration; did you mean 'rate_limits'?"])
    }

    @Test func wrongType_namesExpectedType() {
        let errors = ConfigTestSupport.errors(ConfigTestSupport.withMinimal("server: {workers: many, max_connections: [1]}\n"))
        #expect(errors.count == 2)
        #expect(errors[0].message == "'workers' in server must be an integer, found the string 'many'")
        #expect(errors[1].message.contains("must be an integer, found a list"))
    }

    @Test func allErrors_areCollected_inSourceOrder() {
        let yaml = "version: 2\nlisten: {address: nohost}\nlogging: {level: loud}\nbackends: []\nroutes: []\ntoken_estimation: {bytes_per_token: 0}\n"
        let errors = ConfigTestSupport.errors(yaml)
        #expect(errors.map(\.line) == [1, 2, 3, 6])
        #expect(errors[2].message.contains("must be one of error, warn, info, debug"))
    }

    @Test func missingVersion_isReported() {
        let errors = ConfigTestSupport.errors("backends: []\nroutes: []\n")
        #expect(errors.first?.message == "missing required key 'version' in the configuration")
    }

    @Test func wrongVersion_isReported() {
        let errors = ConfigTestSupport.errors(ConfigTestSupport.minimal.replacing("version: 1", with: "version: 2"))
        #expect(errors.first?.message.contains("unsupported version 2") == true)
    }

    @Test func interpolatedPort_isTyped() throws {
        let yaml = ConfigTestSupport.minimal.replacing("127.0.0.1:8080", with: "\"127.0.0.1:${PORT:-0}\"")
        let c = try #require(ConfigTestSupport.config(yaml))
        #expect(c.listen.address.port == 0)
    }
}


extension ConfigLoaderTests {
    @Test func rootNotAMapping_isReported() {
        #expect(ConfigTestSupport.errors("- a\n- b\n").map(\.description) == ["test.yaml:1:1: the configuration must be a mapping, found a list"])
    }

    @Test func typeErrorOnInterpolatedValue_doesNotEchoIt() {
        let errors = ConfigTestSupport.errors(ConfigTestSupport.withMinimal("server: {workers: \"${W}\"}\n"), env: ["W": "hunter2"])
        #expect(errors.count == 1)
        #expect(errors.first?.message == "'workers' in server must be an integer, found a string")
    }

    @Test func configErrors_descriptionListsOnePerLine() {
        let e = ConfigErrors(diagnostics: [ConfigDiagnostic(file: "f", line: 1, column: 2, message: "a"),
                                           ConfigDiagnostic(file: "f", line: 3, column: 4, message: "b")])
        #expect(e.description == "f:1:2: a\nf:3:4: b")
    }

    @Test func weightInFallback_isUnknownKey() {
        let errors = ConfigTestSupport.errors(ConfigTestSupport.minimal + "    fallbacks: [{backend: mock, weight: 5}]\n")
        #expect(errors.first?.message.contains("unknown key 'weight' in fallbacks of route 'default'") == true)
    }
}
