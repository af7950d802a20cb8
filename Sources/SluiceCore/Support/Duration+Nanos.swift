extension Duration {
    /// Whole nanoseconds, clamped at zero (config durations are never negative).
    var nanosecondsClamped: UInt64 {
        let c = components
        guard c.seconds >= 0 else { return 0 }
        return UInt64(c.seconds) &* 1_000_000_000 &+ UInt64(c.attoseconds / 1_000_000_000)
    }
}
