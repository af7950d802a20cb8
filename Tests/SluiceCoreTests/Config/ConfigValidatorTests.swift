import Testing
@testable import SluiceCore

/// One test per validation rule of SPEC §2/§4/§5/§10/§11, each checking message and position.
@Suite struct ConfigValidatorTests {
    private func errors(_ extra: String, env: [String: String] = [:], files: [String] = []) -> [ConfigDiagnostic] {
        ConfigTestSupport.errors(ConfigTestSupport.withMinimal(extra), env: env, files: files)
    }

    private func only(_ errors: [ConfigDiagnostic], _ line: Int, _ column: Int, _ fragment: String,
                      sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(errors.count == 1, "\(errors)", sourceLocation: sourceLocation)
        guard let e = errors.first else { return }
        #expect(e.line == line && e.column == column, "at \(e.line):\(e.column): \(e.message)", sourceLocation: sourceLocation)
        #expect(e.message.contains(fragment), "\(e.message)", sourceLocation: sourceLocation)
    }

    private let twoBackends = """
        version: 1
        backends:
          - {name: a, endpoints: ["http://a:1"]}
          - {name: a, endpoints: ["http://b:1"]}
        routes: [{name: r, models: [m], backends: [{backend: a}]}]

        """

    @Test func duplicateBackendNames_areRejected() {
        only(ConfigTestSupport.errors(twoBackends), 4, 5, "duplicate backend name 'a' (first defined at line 3)")
    }

    @Test func duplicateRouteNames_areRejected() {
        only(errors("routes:\n  - {name: r, models: [x], backends: [{backend: mock}]}\n"), 11, 1, "duplicate key 'routes'")
        let yaml = "version: 1\nbackends: [{name: b, endpoints: [\"http://h:1\"]}]\nroutes:\n  - {name: r, models: [x], backends: [{backend: b}]}\n  - {name: r, models: [y], backends: [{backend: b}]}\n"
        only(ConfigTestSupport.errors(yaml), 5, 5, "duplicate route name 'r'")
    }

    @Test func duplicateProcessorNames_areRejected() {
        only(errors("pipeline:\n  - {name: p, type: model_router}\n  - {name: p, type: guardrail, detectors: [{type: secrets}]}\n"),
             13, 5, "duplicate processor name 'p'")
    }

    @Test func duplicateRateLimitNames_areRejected() {
        only(errors("rate_limits:\n  - {name: l, unit: requests, limit: 1, window: 1s}\n  - {name: l, unit: requests, limit: 2, window: 1s}\n"),
             13, 5, "duplicate rate limit name 'l'")
    }

    @Test func duplicateAuthKeyNames_areRejected() {
        let hex = String(repeating: "ab", count: 32)
        only(errors("auth:\n  mode: api_key\n  keys:\n    - {name: k, sha256: \"\(hex)\"}\n    - {name: k, value: v}\n"), 15, 7, "duplicate auth key name 'k'")
    }

    @Test func routeWithUnknownBackend_isRejectedAtTheReference() {
        let yaml = ConfigTestSupport.minimal.replacing("backends: [{backend: mock}]", with: "backends: [{backend: mokc}]")
        only(ConfigTestSupport.errors(yaml), 10, 26, "route 'default' names unknown backend 'mokc'; did you mean 'mock'?")
    }

    @Test func routeWithUnknownFallback_isRejected() {
        let yaml = ConfigTestSupport.minimal + "    fallbacks: [{backend: nope}]\n"
        only(ConfigTestSupport.errors(yaml), 11, 27, "unknown fallback backend 'nope'")
    }

    @Test func pipelineWithoutRouter_isRejected() {
        only(errors("pipeline:\n  - {name: g, type: guardrail, detectors: [{type: secrets}]}\n"), 12, 5, "exactly one processor of type model_router")
    }

    @Test func pipelineWithTwoRouters_isRejected() {
        only(errors("pipeline:\n  - {name: a, type: model_router}\n  - {name: b, type: model_router}\n"), 13, 5, "'b' is a second one")
    }

    @Test func emptyPipeline_isRejected() {
        only(errors("pipeline: []\n"), 11, 11, "must not be empty")
    }

    @Test func promptCacheBeforeRouter_isRejected() {
        only(errors("pipeline:\n  - {name: c, type: prompt_cache}\n  - {name: r, type: model_router}\n"), 12, 5, "must come after the model_router")
    }

    @Test func unknownProcessorType_isRejectedWithHint() {
        only(errors("pipeline:\n  - {name: r, type: model_router}\n  - {name: x, type: webhok, url: \"http://h:1\"}\n"),
             13, 21, "unknown processor type 'webhok'")
        #expect(errors("pipeline:\n  - {name: r, type: model_router}\n  - {name: x, type: webhok}\n").first?.message.contains("did you mean 'webhook'?") == true)
    }

    @Test func processorKeyOfAnotherType_isUnknown() {
        only(errors("pipeline:\n  - {name: r, type: model_router, ttl: 1s}\n"), 12, 35, "unknown key 'ttl'")
    }

    @Test func zeroOrNegativeLimits_areRejected() {
        only(errors("rate_limits:\n  - {name: l, unit: requests, limit: 0, window: 1s}\n"), 12, 38, "'limit' in rate limit 'l' must be at least 1, found 0")
        only(errors("rate_limits:\n  - {name: l, unit: requests, limit: 5, window: 0s}\n"), 12, 49, "must be greater than zero")
        only(errors("rate_limits:\n  - {name: l, unit: requests, limit: 5, window: 1s, burst: -3}\n"), 12, 60, "'burst'")
    }

    @Test func rateLimitKeyParts_areValidated() {
        let e = errors("rate_limits:\n  - {name: l, key: [tenant, ip, \"header:x-team\", \"header:\"], unit: requests, limit: 1, window: 1s}\n")
        #expect(e.count == 2)
        #expect(e.first?.message.contains("found the string 'ip'") == true)
        #expect(e.first?.column == 29)
    }

    @Test func rateLimitUnitAndCount_areValidated() {
        only(errors("rate_limits:\n  - {name: l, unit: tokenz, limit: 1, window: 1s}\n"), 12, 21, "did you mean 'tokens'?")
        only(errors("rate_limits:\n  - {name: l, unit: requests, count: input, limit: 1, window: 1s}\n"), 12, 38, "applies only to unit: tokens")
        only(errors("rate_limits:\n  - {name: l, limit: 1, window: 1s}\n"), 12, 5, "missing required key 'unit'")
    }

    @Test func globalScope_needsRedis() {
        only(errors("rate_limits:\n  - {name: g, unit: requests, limit: 1, window: 1s, scope: global, mode: leased}\n"), 12, 5, "needs cluster.redis")
        let ok = errors("rate_limits:\n  - {name: g, unit: requests, limit: 1, window: 1s, scope: global, mode: leased, lease_fraction: 0.1, lease_ttl: 2s}\ncluster: {redis: {address: \"r:6379\"}, failure_mode: fail_closed}\n")
        #expect(ok.isEmpty, "\(ok)")
    }

    @Test func leaseSettingsOnLocalScope_areRejected() {
        only(errors("rate_limits:\n  - {name: l, unit: requests, limit: 1, window: 1s, mode: leased}\n"), 12, 59, "applies only to scope: global")
    }

    @Test func rateLimitMatch_unknownRoute_isRejected() {
        only(errors("rate_limits:\n  - {name: l, unit: requests, limit: 1, window: 1s, match: {routes: [nope]}}\n"), 12, 5, "unknown route 'nope'")
    }

    @Test func unreadableTLSFiles_areRejected() {
        let yaml = ConfigTestSupport.minimal.replacing("listen: {address: 127.0.0.1:8080}", with: "listen: {address: 127.0.0.1:8080, tls: {cert_file: /c.pem, key_file: /k.pem}}")
        let errs = ConfigTestSupport.errors(yaml, files: ["/c.pem"])
        only(errs, 2, 70, "cannot read key file '/k.pem'")
        #expect(ConfigTestSupport.errors(yaml, files: ["/c.pem", "/k.pem"]).isEmpty)
    }

    @Test func unreadableBackendTLSFiles_areRejected() {
        let yaml = "version: 1\nbackends:\n  - name: o\n    endpoints: [\"https://o:443\"]\n    tls: {ca_file: /ca.pem, client_cert_file: /cc.pem, client_key_file: /ck.pem}\nroutes: [{name: r, models: [m], backends: [{backend: o}]}]\n"
        let e = ConfigTestSupport.errors(yaml, files: ["/cc.pem"])
        #expect(e.map(\.message) == ["cannot read CA file '/ca.pem'", "cannot read client key file '/ck.pem'"])
        #expect(ConfigTestSupport.errors(yaml, files: ["/ca.pem", "/cc.pem", "/ck.pem"]).isEmpty)
    }

    @Test func clientCertWithoutKey_isRejected() {
        let yaml = "version: 1\nbackends:\n  - name: o\n    endpoints: [\"https://o\"]\n    tls: {client_cert_file: /cc.pem}\nroutes: [{name: r, models: [m], backends: [{backend: o}]}]\n"
        only(ConfigTestSupport.errors(yaml, files: ["/cc.pem"]), 5, 10, "go together")
    }

    @Test func httpBackendWithTLS_isRejected() {
        let yaml = ConfigTestSupport.minimal.replacing("endpoints: [\"http://127.0.0.1:8081\"]", with: "endpoints: [\"http://127.0.0.1:8081\"]\n    tls: {verify: false}")
        only(ConfigTestSupport.errors(yaml), 7, 10, "has 'tls' but an http:// endpoint")
    }

    @Test func mixedSchemes_areRejected() {
        let yaml = ConfigTestSupport.minimal.replacing("[\"http://127.0.0.1:8081\"]", with: "[\"http://a:1\", \"https://b\"]")
        only(ConfigTestSupport.errors(yaml), 6, 16, "mix http:// and https://")
    }

    @Test func retryOn_acceptsNumbersStringsAndClasses() throws {
        let yaml = ConfigTestSupport.minimal + "    retry: {attempts: 3, on: [connect_error, first_byte_timeout, 502, \"503\", 5xx]}\n"
        let c = try #require(ConfigTestSupport.config(yaml))
        #expect(c.routes[0].retry == RetryPolicy(attempts: 3, on: [.connectError, .firstByteTimeout, .status(502), .status(503), .statusClass(5)]))
        #expect(RetryCondition.statusClass(5).matches(status: 503))
        only(ConfigTestSupport.errors(ConfigTestSupport.minimal + "    retry: {attempts: 2, on: [600]}\n"), 11, 31, "each entry of 'on'")
    }

    @Test func loadBalancingValues_areValidated() throws {
        for v in ["least_request", "round_robin", "prefix_affinity"] {
            let yaml = ConfigTestSupport.minimal.replacing("endpoints: [", with: "load_balancing: \(v)\n    endpoints: [")
            #expect(ConfigTestSupport.config(yaml)?.backends[0].loadBalancing.rawValue == v)
        }
        let bad = ConfigTestSupport.minimal.replacing("endpoints: [", with: "load_balancing: random\n    endpoints: [")
        only(ConfigTestSupport.errors(bad), 6, 21, "must be one of least_request, round_robin, prefix_affinity")
    }

    @Test func loggingValues_areValidated() throws {
        only(errors("logging: {level: verbose}\n"), 11, 18, "must be one of error, warn, info, debug")
        only(errors("logging: {access_log: stdot}\n"), 11, 23, "did you mean 'stdout'?")
        #expect(ConfigTestSupport.config(ConfigTestSupport.withMinimal("logging: {access_log: /var/log/a.log}\n"))?.logging.accessLog == .file("/var/log/a.log"))
        #expect(ConfigTestSupport.config(ConfigTestSupport.withMinimal("logging: {access_log: \"off\"}\n"))?.logging.accessLog == .off)
    }

    @Test func authMode_isValidated() {
        only(errors("auth: {mode: apikey}\n"), 11, 14, "did you mean 'api_key'?")
        only(errors("auth: {mode: api_key}\n"), 11, 14, "needs at least one entry in auth.keys")
    }

    @Test func authKeys_needExactlyOneOfHashOrValue() {
        only(errors("auth:\n  mode: api_key\n  keys: [{name: k}]\n"), 13, 10, "exactly one of 'sha256' or 'value'")
        only(errors("auth:\n  mode: api_key\n  keys: [{name: k, value: v, sha256: \"\(String(repeating: "0", count: 64))\"}]\n"), 13, 10, "exactly one")
        only(errors("auth:\n  mode: api_key\n  keys: [{name: k, sha256: abc}]\n"), 13, 28, "64 hexadecimal characters")
    }

    @Test func authKey_tenantDefaultsToName_andModelsParse() throws {
        let c = try #require(ConfigTestSupport.config(ConfigTestSupport.withMinimal("auth:\n  mode: api_key\n  tenant_header: X-Org\n  keys: [{name: k, value: v, models: [\"llama-*\"]}]\n")))
        #expect(c.auth.keys == [APIKeyConfig(name: "k", tenant: "k", sha256: nil, value: "v", models: ["llama-*"], location: ConfigLocation(line: 14, column: 10))])
        #expect(c.auth.tenantHeader == "x-org")
        #expect(!c.auth.keys[0].description.contains("v\""))
    }

    @Test func detectors_areValidated() {
        let base = "pipeline:\n  - {name: r, type: model_router}\n  - name: g\n    type: guardrail\n    detectors:\n"
        only(errors(base + "      - {type: regex, pattern: \"\"}\n"), 16, 32, "must not be empty")
        only(errors(base + "      - {type: pii, kinds: [email, passport]}\n"), 16, 36, "must be one of email, phone")
        only(errors(base + "      - {type: keywords}\n"), 16, 9, "missing required key 'words'")
        only(errors(base + "      - {type: secret}\n"), 16, 16, "did you mean 'secrets'?")
        only(errors(base + "      - {type: secrets, action: deny}\n"), 16, 33, "must be one of block, redact, log")
        only(errors(base + "      - {type: secrets, pattern: x}\n"), 16, 25, "unknown key 'pattern'")
        only(errors(base + "      - {type: prompt_injection}\n    status: 200\n"), 17, 13, "between 400 and 599")
    }

    @Test func guardrailFields_parse() throws {
        let yaml = ConfigTestSupport.withMinimal("pipeline:\n  - {name: r, type: model_router}\n  - {name: g, type: guardrail, on: [request, response], status: 422, stream_holdback: 128, failure_mode: fail_open, timeout: 50ms, detectors: [{type: regex, pattern: \"a+\", category: x, action: redact}]}\n")
        let c = try #require(ConfigTestSupport.config(yaml))
        #expect(c.pipeline[1].failureMode == .failOpen && c.pipeline[1].timeout == .milliseconds(50))
        guard case .guardrail(let g) = c.pipeline[1].kind else { Issue.record("kind"); return }
        #expect(g.on == [.request, .response] && g.status == 422 && g.streamHoldback == 128)
        #expect(g.detectors[0].kind == .regex(pattern: "a+", category: "x") && g.detectors[0].action == .redact)
    }

    @Test func webhookAndTransform_areValidated() {
        let base = "pipeline:\n  - {name: r, type: model_router}\n"
        only(errors(base + "  - {name: w, type: webhook}\n"), 13, 5, "missing required key 'url'")
        only(errors(base + "  - {name: w, type: webhook, url: \"ftp://x\"}\n"), 13, 35, "http:// or https://")
        only(errors(base + "  - {name: t, type: transform}\n"), 13, 5, "needs 'request:' and/or 'response:'")
        only(errors(base + "  - {name: t, type: transform, request: {remove_body_fields: [user]}}\n"), 13, 63, "must start with '/'")
    }

    @Test func sharedCache_needsRedis_andEntryFitsCache() {
        let base = "pipeline:\n  - {name: r, type: model_router}\n"
        only(errors(base + "  - {name: c, type: prompt_cache, shared: true}\n"), 13, 5, "needs cluster.redis")
        only(errors(base + "  - {name: c, type: prompt_cache, max_bytes: 1KiB, max_entry_bytes: 2KiB}\n"), 13, 69, "must not exceed 'max_bytes'")
    }

    @Test func clusterWithoutRedis_isRejected() {
        only(errors("cluster: {failure_mode: local}\n"), 11, 10, "missing required key 'redis'")
        only(errors("cluster: {redis: {address: \"r:6379\"}, failure_mode: open}\n"), 11, 53, "fail_open")
    }

    @Test func adminNotLoopbackWithoutToken_isAWarningOnly() throws {
        let yaml = ConfigTestSupport.minimal.replacing("admin: {address: 127.0.0.1:9901}", with: "admin: {address: 0.0.0.0:9901}")
        let c = try #require(ConfigTestSupport.config(yaml))
        #expect(c.warnings.count == 1)
        #expect(c.warnings.first?.hasPrefix("test.yaml:3:18: warning: admin address 0.0.0.0:9901 is not loopback") == true)
        let withToken = yaml.replacing("0.0.0.0:9901}", with: "0.0.0.0:9901, token: t}")
        #expect(ConfigTestSupport.config(withToken)?.warnings.isEmpty == true)
    }

    @Test func trustedProxies_areParsedOrRejected() throws {
        let c = try #require(ConfigTestSupport.config(ConfigTestSupport.withMinimal("server: {trusted_proxies: [10.0.0.0/8, \"::1\"]}\n")))
        #expect(c.server.trustedProxies.map(\.description) == ["10.0.0.0/8", "0:0:0:0:0:0:0:1/128"])
        only(errors("server: {trusted_proxies: [10.0.0.0/40]}\n"), 11, 28, "not an IP address or CIDR")
    }
}
