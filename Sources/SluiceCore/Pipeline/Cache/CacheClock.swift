/// Monotonic time for TTLs, passed in so the cache stays pure (the daemon wraps its monotonic clock,
/// tests a settable fake).
protocol CacheClock: Sendable {
    /// Nanoseconds on a monotonic scale; only differences matter.
    func nowNanos() -> UInt64
}

/// A `CacheClock` backed by a closure (e.g. `{ SystemClock.monotonicNanos() }`).
struct CacheClosureClock: CacheClock {
    /// The time source.
    let now: @Sendable () -> UInt64

    func nowNanos() -> UInt64 { now() }
}
