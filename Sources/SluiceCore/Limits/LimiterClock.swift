/// The limiter's time source: monotonic nanoseconds. The daemon passes one backed by the system's
/// monotonic clock; tests pass a fake they advance by hand. Must be safe to call from any thread.
protocol LimiterClock: Sendable {
    /// Monotonic time in nanoseconds (any origin; only differences matter).
    func nowNanos() -> UInt64
}
