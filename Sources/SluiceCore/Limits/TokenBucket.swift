/// One token bucket: capacity `burst`, refilled continuously at `limit` per `window`, allowed to go into
/// debt (negative) when actual usage exceeds what was reserved. A plain value: the owner (a locked
/// shard) serialises access.
///
/// The level is kept exactly as an integer count of "token × nanoseconds per window" (`Int128`), so
/// refill, take and the wait computed by `nanosUntil` agree to the nanosecond with no floating drift:
/// after waiting `nanosUntil(n)` nanoseconds, `canTake(n)` holds.
struct TokenBucket: Sendable, Equatable {
    /// Tokens added per window.
    let limit: Int
    /// Window length in nanoseconds (at least 1).
    let windowNanos: UInt64
    /// Capacity in tokens.
    let burst: Int
    /// Tokens × `windowNanos`; may be negative (debt).
    private var level: Int128
    /// Time of the last refill.
    private(set) var updatedAt: UInt64

    /// A full bucket. `limit`, `windowNanos` and `burst` below 1 are raised to 1.
    init(limit: Int, windowNanos: UInt64, burst: Int, now: UInt64) {
        self.limit = Swift.max(limit, 1)
        self.windowNanos = Swift.max(windowNanos, 1)
        self.burst = Swift.max(burst, 1)
        self.level = Int128(self.burst) * Int128(self.windowNanos)
        self.updatedAt = now
    }

    private var capacityLevel: Int128 { Int128(burst) * Int128(windowNanos) }

    private func levelOf(_ n: Int) -> Int128 { Int128(n) * Int128(windowNanos) }

    /// Adds what accrued since the last refill, capped at `burst`. A clock that goes backwards adds nothing.
    mutating func refill(now: UInt64) {
        guard now > updatedAt else { return }
        let elapsed = now - updatedAt
        updatedAt = now
        let missing = capacityLevel - level
        guard missing > 0 else { return }
        // UInt64.max × Int.max still fits in Int128, so this product cannot overflow.
        let accrued = Int128(elapsed) * Int128(limit)
        level = accrued >= missing ? capacityLevel : level + accrued
    }

    /// Tokens available now (as of the last refill); negative while in debt.
    var available: Double { Double(level) / Double(windowNanos) }

    /// Whole tokens available, rounded down and clamped at 0 (what `x-ratelimit-remaining-*` shows).
    var remaining: Int {
        guard level > 0 else { return 0 }
        return Int(clamping: level / Int128(windowNanos))
    }

    /// Whole tokens available rounded towards minus infinity; negative while in debt (admin views).
    var balance: Int {
        let w = Int128(windowNanos)
        let q = level / w
        return Int(clamping: (level % w != 0 && level < 0) ? q - 1 : q)
    }

    /// Whether `n` tokens are available. A bucket in debt admits nothing, not even a zero cost.
    func canTake(_ n: Int) -> Bool {
        level >= levelOf(Swift.max(n, 0))
    }

    /// Removes `n` tokens (negative `n` counts as 0); the level may fall below zero.
    mutating func take(_ n: Int) {
        level -= levelOf(Swift.max(n, 0))
    }

    /// Returns `n` tokens (negative `n` counts as 0), never above `burst`.
    mutating func give(_ n: Int) {
        level = Swift.min(capacityLevel, level + levelOf(Swift.max(n, 0)))
    }

    /// Nanoseconds until `n` tokens are available: 0 when they are now, `UInt64.max` when `n` exceeds
    /// `burst` (never).
    func nanosUntil(_ n: Int) -> UInt64 {
        guard n <= burst else { return UInt64.max }
        return nanosToReach(levelOf(Swift.max(n, 0)))
    }

    /// Nanoseconds until the bucket is full again (0 when full); the `x-ratelimit-reset-*` value.
    func nanosUntilFull() -> UInt64 {
        nanosToReach(capacityLevel)
    }

    /// Whether the bucket is at capacity (an absent bucket is equivalent, so a full one can be dropped).
    var isFull: Bool { level >= capacityLevel }

    private func nanosToReach(_ target: Int128) -> UInt64 {
        let missing = target - level
        guard missing > 0 else { return 0 }
        let rate = Int128(limit)
        let nanos = (missing + rate - 1) / rate
        return nanos > Int128(UInt64.max) ? UInt64.max : UInt64(nanos)
    }
}
