import Testing
@testable import SluiceCore

/// Host names resolved to several addresses, and re-bound when DNS changes (`SnapshotBuilder.rebind`).
@Suite struct SnapshotBuilderTests {
    static let yaml = """
        version: 1
        backends:
          - name: pool
            endpoints: ["http://vllm.test:8000", "http://127.0.0.1:9"]
            load_balancing: prefix_affinity
            health_check: {path: /health, interval: 1s}
          - name: spare
            endpoints: ["http://spare.test:80"]
        routes:
          - {name: r, models: ["*"], backends: [{backend: pool}], fallbacks: [{backend: spare}]}

        """

    static func addrs(_ last: [UInt8], port: Int) -> [SocketAddress] {
        last.compactMap { SocketAddress(host: "10.0.0.\($0)", port: port) }
    }

    static func build(_ registry: EndpointRegistry, dns: [String: [UInt8]]) throws -> RuntimeSnapshot {
        let config = try #require(ConfigTestSupport.config(yaml))
        return try SnapshotBuilder.build(config, generation: 1, registry: registry, stores: CacheStoreRegistry()) { host, port in
            addrs(dns[host] ?? [], port: port)
        }
    }

    @Test func aNameWithSeveralAddresses_givesOneEndpointPerAddress() throws {
        let registry = EndpointRegistry()
        let snap = try Self.build(registry, dns: ["vllm.test": [2, 1], "spare.test": []])
        let pool = try #require(snap.backends.first)
        #expect(pool.endpoints.map(\.label) == ["http://vllm.test:8000 (10.0.0.2:8000)", "http://vllm.test:8000 (10.0.0.1:8000)",
                                                "http://127.0.0.1:9"])
        #expect(pool.ring?.count == 3 && pool.load != nil)
        #expect(pool.healthCheck?.path == "/health")
        #expect(snap.resolvedHosts[HostPort(host: "vllm.test", port: 8000)]?.count == 2)
        // An unresolved name keeps one endpoint without address (its requests fail with 502).
        #expect(snap.backends[1].endpoints.map(\.label) == ["http://spare.test (unresolved)"])
        #expect(snap.backends[1].endpoints.first?.address == nil)
        #expect(HealthChecker.plans(snap).count == 3)
    }

    @Test func rebind_keepsSurvivingEndpoints_dropsGoneOnes_andRepointsRoutes() throws {
        let registry = EndpointRegistry()
        let snap = try Self.build(registry, dns: ["vllm.test": [1, 2], "spare.test": [9]])
        let before = snap.backends[0].endpoints
        #expect(SnapshotBuilder.rebind(snap, hosts: snap.resolvedHosts, registry: registry) == nil)

        var hosts = snap.resolvedHosts
        hosts[HostPort(host: "vllm.test", port: 8000)] = Self.addrs([2, 3], port: 8000)
        let next = try #require(SnapshotBuilder.rebind(snap, hosts: hosts, registry: registry))
        let after = next.backends[0].endpoints
        #expect(next.generation == snap.generation)
        #expect(after.map(\.label) == ["http://vllm.test:8000 (10.0.0.2:8000)", "http://vllm.test:8000 (10.0.0.3:8000)",
                                       "http://127.0.0.1:9"])
        // 10.0.0.2 and the numeric endpoint are the same objects: their health and counts go on.
        #expect(after[0] === before[1] && after[2] === before[2])
        #expect(next.routes[0].targets[0].backend === next.backends[0])
        #expect(next.backends[0].load === snap.backends[0].load)
        // The unchanged backend is shared, and the fallback still points at it.
        #expect(next.backends[1] === snap.backends[1] && next.routes[0].fallbacks[0].backend === snap.backends[1])
        #expect(!registry.all().contains { $0.label.contains("10.0.0.1:") })
        #expect(next.pipeline === snap.pipeline)
    }

    @Test func resolvingAgain_keepsTheLastAddressesOfANameThatFails() {
        let a = HostPort(host: "a.test", port: 80), b = HostPort(host: "b.test", port: 80)
        let before = [a: Self.addrs([1], port: 80), b: Self.addrs([2], port: 80)]
        let after = HostRefresher.resolveAgain(before) { host, port in host == "a.test" ? Self.addrs([3, 4], port: port) : [] }
        #expect(after == [a: Self.addrs([3, 4], port: 80), b: Self.addrs([2], port: 80)])
    }

    @Test func resolveAll_numericHostsNeedNoLookup() throws {
        let ten = try #require(SocketAddress(host: "10.1.2.3", port: 8000))
        let loopback = try #require(SocketAddress(host: "127.0.0.1", port: 1))
        #expect(Resolver.resolveAll(host: "10.1.2.3", port: 8000) == [ten])
        #expect(Resolver.resolveAll(host: "localhost", port: 1) == [loopback])
    }

    @Test func registry_keepsEndpointsAcrossBuilds() throws {
        let registry = EndpointRegistry()
        let a = try Self.build(registry, dns: ["vllm.test": [1]])
        let b = try Self.build(registry, dns: ["vllm.test": [1]])
        #expect(a.backends[0].endpoints[0] === b.backends[0].endpoints[0])
    }
}
