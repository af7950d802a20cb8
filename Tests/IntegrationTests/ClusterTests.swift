import Foundation
import Testing

/// SPEC §10 with a real redis-server: several `sluice` replicas share one budget, the failure modes,
/// recovery after a Redis restart, and the shared prompt cache. The mock's usage equals the
/// gateway's estimate ("Hello there, how are you?" = 7 prompt tokens, + max_tokens 23 = 30 per
/// request), so a 900-token budget admits exactly 30 requests. The store timeout is 2 s unless a test
/// is about timeouts: on a loaded CI machine a 100 ms budget would send admissions to the failure mode.
@Suite(.serialized, .enabled(if: RedisServer.isAvailable, "needs redis-server (scripts/test-deps.sh installs it)"))
struct ClusterTests {
    static let perRequest = 30

    static func config(redisPort: Int, failureMode: String = "local", limit: String = "", pipeline: String = "",
                       timeout: String = "2s") -> String {
        GatewayServer.basicConfig(extra: """
        cluster:
          redis: {address: "127.0.0.1:\(redisPort)", timeout: \(timeout), pool_size: 2, key_prefix: "t:"}
          failure_mode: \(failureMode)
        \(limit.isEmpty ? "" : "rate_limits:\n" + limit)
        \(pipeline.isEmpty ? "" : "pipeline:\n" + pipeline)
        """)
    }

    static let exact900 = "  - {name: shared-tpm, key: [], unit: tokens, limit: 900, window: 1h, scope: global}"

    static func chat(_ gw: GatewayServer) throws -> HTTPClient.Response {
        try HTTPClient.chat(port: gw.port, model: "gpt-4o-mini", extra: #","max_tokens":23"#)
    }

    static func replicas(_ n: Int, yaml: String, mock: MockServer) throws -> [GatewayServer] {
        var out: [GatewayServer] = []
        do {
            for _ in 0..<n { out.append(try GatewayServer(yaml: yaml, mockPort: mock.port)) }
        } catch {
            for g in out { g.stop() }
            throw error
        }
        return out
    }

    static func clusterState(_ gw: GatewayServer) throws -> [String: Any] {
        let r = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/stats")
        return try r.json()["cluster"] as? [String: Any] ?? [:]
    }

    /// Waits until every replica's store is up and sees `count` replicas.
    static func waitForCluster(_ gws: [GatewayServer], up: Bool = true, replicas: Int? = nil, timeout: Double = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let states = try gws.map(clusterState)
            if states.allSatisfy({ ($0["up"] as? Bool) == up && (replicas == nil || ($0["replicas"] as? Int) == replicas) }) { return }
            usleep(50_000)
        }
        throw TestFailure("cluster not \(up ? "up" : "down") with \(replicas.map(String.init) ?? "any") replicas: \(try gws.map(clusterState))")
    }

    @Test func threeReplicasShareOneBudget_sequential() throws {
        let fx = try ClusterFixture(replicas: 3) { Self.config(redisPort: $0, limit: Self.exact900) }
        defer { fx.stop() }
        let mock = fx.mock, gws = fx.gateways
        var statuses: [Int] = []
        var lastOK: HTTPClient.Response?
        var refused: HTTPClient.Response?
        for i in 0..<40 {
            let r = try Self.chat(gws[i % 3])
            statuses.append(r.status)
            if r.status == 200 { lastOK = r } else if refused == nil { refused = r }
        }
        #expect(statuses.prefix(30).allSatisfy { $0 == 200 }, "\(statuses)")
        #expect(statuses.dropFirst(30).allSatisfy { $0 == 429 }, "\(statuses)")
        #expect(lastOK?.header("x-ratelimit-remaining-tokens") == "0")
        #expect(lastOK?.header("x-ratelimit-limit-tokens") == "900")
        #expect(refused?.errorCode == "rate_limit_exceeded")
        #expect(refused?.text.contains("shared-tpm") == true)
        #expect(refused?.header("retry-after") != nil)
        #expect(try mock.receivedRequests().count == 30)
    }

    @Test func threeHundredConcurrentRequestsStayWithinTheBudget() throws {
        let fx = try ClusterFixture(replicas: 3) { Self.config(redisPort: $0, limit: Self.exact900) }
        defer { fx.stop() }
        let gws = fx.gateways
        let counts = StatusCollector()
        DispatchQueue.concurrentPerform(iterations: 30) { worker in
            for k in 0..<10 {
                let status = (try? Self.chat(gws[(worker + k) % 3]).status) ?? -1
                counts.add(status)
            }
        }
        // Exact mode: the estimate is the usage, so exactly the budget is admitted — never more.
        let statuses = counts.values
        #expect(statuses.filter { $0 == 200 }.count == 30, "\(statuses)")
        #expect(statuses.filter { $0 == 429 }.count == 270, "\(statuses)")
    }

    @Test func leasedModeNeverAdmitsMoreThanTheBudgetAndReturnsUnusedLeases() throws {
        let redis = try RedisServer()
        defer { redis.stop() }
        let mock = try MockServer()
        defer { mock.stop() }
        let leased = "  - {name: shared-tpm, key: [], unit: tokens, limit: 900, window: 1h, scope: global, mode: leased, lease_fraction: 0.1, lease_ttl: 300ms}"
        let gws = try Self.replicas(3, yaml: Self.config(redisPort: redis.port, limit: leased), mock: mock)
        defer { for g in gws { g.stop() } }
        try Self.waitForCluster(gws, replicas: 3)
        var admitted = 0
        for i in 0..<45 where try Self.chat(gws[i % 3]).status == 200 { admitted += 1 }
        // Leases come out of the shared bucket first, so the budget holds; tokens parked in other
        // replicas' leases (at most 0.1 × 900 each) may refuse a few requests until they expire.
        #expect(admitted <= 30)
        #expect(admitted >= 30 - 3 * 90 / Self.perRequest, "admitted \(admitted)")
        for _ in 0..<10 where admitted < 30 {
            usleep(400_000)
            for g in gws where try Self.chat(g).status == 200 { admitted += 1 }
        }
        #expect(admitted == 30, "after the leases expired the whole budget was usable")
        #expect(try mock.receivedRequests().count == 30)
    }

    @Test func failClosedAnswers503WhileRedisIsDown_andRecoversWithoutRestart() throws {
        let redis = try RedisServer()
        defer { redis.stop() }
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: Self.config(redisPort: redis.port, failureMode: "fail_closed", limit: Self.exact900),
                                   mockPort: mock.port)
        defer { gw.stop() }
        try Self.waitForCluster([gw])
        #expect(try Self.chat(gw).status == 200)
        redis.kill()
        try Self.waitForCluster([gw], up: false)
        let started = Date()
        let r = try Self.chat(gw)
        #expect(r.status == 503)
        #expect(r.errorCode == "limiter_unavailable")
        #expect(Date().timeIntervalSince(started) < 1, "no request waits on a dead Redis")
        try redis.restart()
        try Self.waitForCluster([gw])
        // A fresh Redis: the global bucket is full again and enforced again.
        var statuses: [Int] = []
        for _ in 0..<31 { statuses.append(try Self.chat(gw).status) }
        #expect(statuses.filter { $0 == 200 }.count == 30, "\(statuses)")
        #expect(statuses.last == 429)
        let metrics = try HTTPClient.request(port: gw.adminPort, method: "GET", path: "/metrics").text
        #expect(metrics.contains("sluice_cluster_store_up 1"))
        #expect(metrics.contains("sluice_cluster_store_errors_total{op=\"admit\"}"))
        #expect(metrics.contains("sluice_cluster_store_latency_seconds_bucket{op=\"admit\""))
    }

    @Test func redisOverTLSWithPasswordAndDatabase() throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        let redis = try RedisServer(tls: certs, password: "s3cret-pw")
        defer { redis.stop() }
        let mock = try MockServer()
        defer { mock.stop() }
        let small = "  - {name: tiny, key: [], unit: tokens, limit: 60, window: 1h, scope: global}"
        func yaml(_ password: String) -> String {
            GatewayServer.basicConfig(extra: """
            cluster:
              redis: {address: "localhost:\(redis.tlsPort ?? 0)", password: "\(password)", database: 3, timeout: 2s,
                      tls: {ca_file: "\(certs.caCert)"}}
              failure_mode: fail_closed
            rate_limits:
            \(small)
            """)
        }
        let gw = try GatewayServer(yaml: yaml("s3cret-pw"), mockPort: mock.port)
        defer { gw.stop() }
        try Self.waitForCluster([gw])
        #expect(try (0..<3).map { _ in try Self.chat(gw).status } == [200, 200, 429])
        // A wrong password: the store never comes up and fail_closed answers 503; the log names no password.
        let bad = try GatewayServer(yaml: yaml("wrong-pw"), mockPort: mock.port)
        defer { bad.stop() }
        usleep(300_000)
        #expect(try Self.clusterState(bad)["up"] as? Bool == false)
        #expect(try Self.chat(bad).errorCode == "limiter_unavailable")
        #expect(!bad.child.stderr.contains("wrong-pw"))
    }

    @Test func failOpenAdmitsWhileRedisIsDown() throws {
        let redis = try RedisServer()
        defer { redis.stop() }
        let mock = try MockServer()
        defer { mock.stop() }
        let small = "  - {name: tiny, key: [], unit: tokens, limit: 60, window: 1h, scope: global}"
        let gw = try GatewayServer(yaml: Self.config(redisPort: redis.port, failureMode: "fail_open", limit: small), mockPort: mock.port)
        defer { gw.stop() }
        try Self.waitForCluster([gw])
        #expect(try (0..<3).map { _ in try Self.chat(gw).status } == [200, 200, 429])
        redis.kill()
        try Self.waitForCluster([gw], up: false)
        #expect(try (0..<5).map { _ in try Self.chat(gw).status } == [200, 200, 200, 200, 200])
        let stats = try Self.clusterState(gw)
        #expect((stats["degraded_admissions"] as? Int ?? 0) >= 5)
    }

    @Test func aHungRedisCostsARequestAtMostTheTimeout() throws {
        let redis = try RedisServer()
        defer { redis.stop() }
        let mock = try MockServer()
        defer { mock.stop() }
        let gw = try GatewayServer(yaml: Self.config(redisPort: redis.port, failureMode: "fail_open", limit: Self.exact900,
                                                     timeout: "80ms"), mockPort: mock.port)
        defer { gw.stop() }
        try Self.waitForCluster([gw])
        #expect(try Self.chat(gw).status == 200)
        redis.child.signal(SIGSTOP)
        defer { redis.child.signal(SIGCONT) }
        for _ in 0..<3 {
            let started = Date()
            #expect(try Self.chat(gw).status == 200)
            let waited = Date().timeIntervalSince(started)
            #expect(waited < 0.6, "waited \(waited)s on a hung Redis")
        }
        redis.child.signal(SIGCONT)
        // Redis answers again: the bucket (4 requests so far, the degraded ones not counted) is enforced.
        try Self.waitForCluster([gw])
        var ok = 0
        for _ in 0..<35 where try Self.chat(gw).status == 200 { ok += 1 }
        #expect(ok == 29)
    }

    @Test func localFallbackSplitsTheBudgetByTheReplicasSeen() throws {
        let fx = try ClusterFixture(replicas: 2) { Self.config(redisPort: $0, failureMode: "local", limit: Self.exact900) }
        defer { fx.stop() }
        let redis = fx.redis, gws = fx.gateways
        redis.kill()
        try Self.waitForCluster(gws, up: false)
        // 900 ÷ 2 replicas = 450 per replica = 15 requests each.
        for g in gws {
            var ok = 0
            for _ in 0..<20 where try Self.chat(g).status == 200 { ok += 1 }
            #expect(ok == 15)
        }
        try redis.restart()
        try Self.waitForCluster(gws)
        var ok = 0
        for i in 0..<40 where try Self.chat(gws[i % 2]).status == 200 { ok += 1 }
        #expect(ok == 30, "global limiting is back after Redis returned")
    }

    @Test func sharedCacheEntryStoredByOneReplicaIsAHitOnAnother() throws {
        let redis = try RedisServer()
        defer { redis.stop() }
        let mock = try MockServer()
        defer { mock.stop() }
        let pipeline = """
          - {name: router, type: model_router}
          - {name: cache, type: prompt_cache, ttl: 1m, shared: true}
        """
        let gws = try Self.replicas(2, yaml: Self.config(redisPort: redis.port, pipeline: pipeline), mock: mock)
        defer { for g in gws { g.stop() } }
        try Self.waitForCluster(gws, replicas: 2)
        let body = #"{"model":"gpt-4o-mini","temperature":0,"messages":[{"role":"user","content":"What is a sluice?"}]}"#
        let first = try HTTPClient.request(port: gws[0].port, method: "POST", path: "/v1/chat/completions", body: body)
        #expect(first.status == 200)
        #expect(first.header("x-sluice-cache") == "miss")
        let second = try HTTPClient.request(port: gws[1].port, method: "POST", path: "/v1/chat/completions", body: body)
        #expect(second.status == 200)
        #expect(second.header("x-sluice-cache") == "hit")
        #expect(second.body == first.body)
        #expect(try mock.receivedRequests().count == 1, "the second replica never went upstream")
        // The entry carries the configured TTL in Redis.
        let ttl = try redis.command("EVAL", "local k = redis.call('KEYS', 't:cache:cache:*') return redis.call('PTTL', k[1])", "0")
        #expect((Int(ttl.dropFirst()) ?? 0) > 50_000)
        // DELETE /cache purges the shared entries too.
        _ = try HTTPClient.request(port: gws[1].adminPort, method: "DELETE", path: "/cache")
        usleep(200_000)
        #expect(try redis.command("EVAL", "return #redis.call('KEYS', 't:cache:*')", "0") == ":0")
    }
}

/// A redis-server, a sluice-mock and `replicas` gateways configured by `yaml(redisPort)`, up and
/// seeing each other through the store. `stop()` stops them all (gateways first).
struct ClusterFixture {
    let redis: RedisServer
    let mock: MockServer
    let gateways: [GatewayServer]

    init(replicas n: Int, _ yaml: (Int) -> String) throws {
        let redis = try RedisServer()
        let mock: MockServer
        do { mock = try MockServer() } catch { redis.stop(); throw error }
        do {
            let gateways = try ClusterTests.replicas(n, yaml: yaml(redis.port), mock: mock)
            self.redis = redis
            self.mock = mock
            self.gateways = gateways
            try ClusterTests.waitForCluster(gateways, replicas: n)
        } catch {
            mock.stop()
            redis.stop()
            throw error
        }
    }

    func stop() {
        for g in gateways { g.stop() }
        mock.stop()
        redis.stop()
    }
}
