import Synchronization
@testable import SluiceCore

/// A hand-driven `LimiterClock` for tests; safe to read and advance from several threads.
final class FakeLimiterClock: LimiterClock {
    private let nanos: Atomic<UInt64>

    init(_ start: UInt64 = 1_000_000_000) {
        nanos = Atomic(start)
    }

    func nowNanos() -> UInt64 { nanos.load(ordering: .acquiring) }

    func advance(nanos n: UInt64) { nanos.add(n, ordering: .acquiringAndReleasing) }

    func advance(ms: UInt64) { advance(nanos: ms * 1_000_000) }

    func advance(seconds: UInt64) { advance(nanos: seconds * 1_000_000_000) }
}

/// Builds `RateLimitConfig` values for limiter tests.
enum LimitTestConfig {
    static func make(_ name: String, key: [RateLimitKeyPart] = [], unit: RateLimitUnit = .tokens,
                     count: RateLimitCount = .total, limit: Int, window: Duration = .seconds(60), burst: Int? = nil,
                     match: RateLimitMatch? = nil, shadow: Bool = false, maxKeys: Int = 100_000) -> RateLimitConfig {
        var c = RateLimitConfig(name: name, key: key, unit: unit, limit: limit, window: window, burst: burst ?? limit,
                                location: ConfigLocation(line: 1, column: 1))
        c.count = count
        c.match = match
        c.shadow = shadow
        c.maxKeys = maxKeys
        return c
    }
}
