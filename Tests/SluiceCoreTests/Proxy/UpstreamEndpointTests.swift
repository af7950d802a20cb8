import Testing
@testable import SluiceCore

/// Endpoint health: outlier ejection and the active-check bit, as the balancers read them.
@Suite struct UpstreamEndpointTests {
    static func endpoint() -> UpstreamEndpoint {
        UpstreamEndpoint(backendName: "b", url: "http://10.0.0.1:80", address: SocketAddress(host: "10.0.0.1", port: 80),
                         hostHeader: "10.0.0.1", useTLS: false)
    }

    static let policy = OutlierPolicy(OutlierConfig(consecutiveFailures: 3, ejection: .seconds(10)))
    static let second: UInt64 = 1_000_000_000

    @Test func consecutiveFailures_ejectForTheEjectionTime_thenTheEndpointReturns() {
        let ep = Self.endpoint()
        let t0: UInt64 = 100 * Self.second
        #expect(ep.isAvailable(now: t0))
        ep.recordFailure("connect", outlier: Self.policy, now: t0)
        ep.recordFailure("connect", outlier: Self.policy, now: t0)
        #expect(ep.isAvailable(now: t0) && ep.ejections.load(ordering: .relaxed) == 0)
        ep.recordFailure("connect", outlier: Self.policy, now: t0)
        #expect(!ep.isAvailable(now: t0) && ep.isEjected(now: t0))
        #expect(ep.isHealthy)
        #expect(ep.ejections.load(ordering: .relaxed) == 1 && ep.failures.load(ordering: .relaxed) == 3)
        #expect(!ep.isAvailable(now: t0 + 10 * Self.second - 1))
        #expect(ep.isAvailable(now: t0 + 10 * Self.second) && !ep.isEjected(now: t0 + 10 * Self.second))
        // The streak starts again from zero after an ejection.
        ep.recordFailure("connect", outlier: Self.policy, now: t0 + 11 * Self.second)
        #expect(ep.isAvailable(now: t0 + 11 * Self.second))
    }

    @Test func aSuccess_endsTheStreak() {
        let ep = Self.endpoint()
        ep.recordFailure("status 503", outlier: Self.policy, now: Self.second)
        ep.recordFailure("status 503", outlier: Self.policy, now: Self.second)
        ep.recordSuccess()
        ep.recordFailure("status 503", outlier: Self.policy, now: Self.second)
        #expect(ep.isAvailable(now: Self.second))
        #expect(ep.lastError == "status 503")
    }

    @Test func failuresThatAreNotTheEndpointsFault_neverEject() {
        let ep = Self.endpoint()
        for _ in 0..<10 { ep.recordFailure("max_connections", outlier: Self.policy, ejectable: false, now: Self.second) }
        #expect(ep.isAvailable(now: Self.second) && ep.failures.load(ordering: .relaxed) == 10)
        // Without an outlier policy nothing is ejected either.
        for _ in 0..<10 { ep.recordFailure("connect", now: Self.second) }
        #expect(ep.isAvailable(now: Self.second))
    }

    @Test func healthBit_andEjection_areIndependent() {
        let ep = Self.endpoint()
        ep.setHealthy(false)
        #expect(!ep.isHealthy && !ep.isAvailable(now: Self.second) && !ep.isEjected(now: Self.second))
        for _ in 0..<3 { ep.recordFailure("reset", outlier: Self.policy, now: Self.second) }
        ep.setHealthy(true)
        #expect(ep.isHealthy && ep.isEjected(now: Self.second) && !ep.isAvailable(now: Self.second))
        ep.setHealthy(false)
        #expect(!ep.isAvailable(now: 20 * Self.second))
        ep.setHealthy(true)
        #expect(ep.isAvailable(now: 20 * Self.second))
    }

    @Test func label_namesTheAddress_onlyForHostNames() {
        #expect(Self.endpoint().label == "http://10.0.0.1:80")
        let named = UpstreamEndpoint(backendName: "b", url: "http://vllm:8000", address: SocketAddress(host: "10.1.2.3", port: 8000),
                                     hostHeader: "vllm:8000", useTLS: false, hostIsName: true)
        #expect(named.label == "http://vllm:8000 (10.1.2.3:8000)")
    }
}
