/// One bucket's state as a response header reports it.
struct BucketHeaderState: Sendable, Equatable {
    /// The bucket's capacity (`burst`).
    var limit: Int
    /// Whole units left, clamped at 0.
    var remaining: Int
    /// Time until the bucket is full again.
    var resetNanos: UInt64

    /// The state of `bucket` (already refilled to now).
    init(_ bucket: TokenBucket) {
        self.init(limit: bucket.burst, remaining: bucket.remaining, resetNanos: bucket.nanosUntilFull())
    }

    init(limit: Int, remaining: Int, resetNanos: UInt64) {
        self.limit = limit
        self.remaining = remaining
        self.resetNanos = resetNanos
    }
}

/// The six `x-ratelimit-*` values: per unit, the most constrained bucket (least remaining; on a tie, the
/// one that takes longer to refill). Nil for a unit no enforced limit applied to.
struct RateLimitHeaders: Sendable, Equatable {
    /// The most constrained `requests` bucket.
    var requests: BucketHeaderState?
    /// The most constrained `tokens` bucket.
    var tokens: BucketHeaderState?

    init(requests: BucketHeaderState? = nil, tokens: BucketHeaderState? = nil) {
        self.requests = requests
        self.tokens = tokens
    }

    /// Whether no bucket contributed (then no header is written).
    var isEmpty: Bool { requests == nil && tokens == nil }

    /// Keeps `state` for `unit` when it is more constrained than the one held.
    mutating func consider(_ state: BucketHeaderState, unit: RateLimitUnit) {
        switch unit {
        case .requests: requests = Self.tighter(requests, state)
        case .tokens: tokens = Self.tighter(tokens, state)
        }
    }

    private static func tighter(_ held: BucketHeaderState?, _ new: BucketHeaderState) -> BucketHeaderState {
        guard let held else { return new }
        if new.remaining != held.remaining { return new.remaining < held.remaining ? new : held }
        return new.resetNanos > held.resetNanos ? new : held
    }

    /// Appends `x-ratelimit-{limit,remaining,reset}-requests` then `-tokens`, for the units present.
    func write(into headers: inout [(String, String)]) {
        if let r = requests {
            headers.append(("x-ratelimit-limit-requests", String(r.limit)))
            headers.append(("x-ratelimit-remaining-requests", String(r.remaining)))
            headers.append(("x-ratelimit-reset-requests", Self.formatReset(r.resetNanos)))
        }
        if let t = tokens {
            headers.append(("x-ratelimit-limit-tokens", String(t.limit)))
            headers.append(("x-ratelimit-remaining-tokens", String(t.remaining)))
            headers.append(("x-ratelimit-reset-tokens", Self.formatReset(t.resetNanos)))
        }
    }

    /// A Go-style duration as OpenAI sends it: "0s", "250ms", "1.5s", "6m0s", "1h0m0s". Rounded UP to
    /// whole milliseconds first, so a reset is never announced earlier than it happens and the value
    /// stays ASCII (Go would write "µs" below a millisecond).
    static func formatReset(_ nanos: UInt64) -> String {
        let ms = nanos / 1_000_000 + (nanos % 1_000_000 == 0 ? 0 : 1)
        if ms == 0 { return "0s" }
        if ms < 1000 { return "\(ms)ms" }
        let hours = ms / 3_600_000
        let minutes = ms / 60_000 % 60
        let seconds = ms / 1000 % 60
        let fraction = ms % 1000
        var secondsText = String(seconds)
        if fraction != 0 {
            var digits = String(fraction)
            while digits.utf8.count < 3 { digits = "0" + digits }
            while digits.utf8.last == UInt8(ascii: "0") { digits.removeLast() }
            secondsText += "." + digits
        }
        if hours > 0 { return "\(hours)h\(minutes)m\(secondsText)s" }
        if minutes > 0 { return "\(minutes)m\(secondsText)s" }
        return "\(secondsText)s"
    }
}
