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

    /// Appends the header lines (`name: value\r\n`) `x-ratelimit-{limit,remaining,reset}-requests` then
    /// `-tokens`, for the units present.
    func write(into out: inout [UInt8]) {
        if let r = requests {
            Self.line("x-ratelimit-limit-requests: ", r.limit, into: &out)
            Self.line("x-ratelimit-remaining-requests: ", r.remaining, into: &out)
            out.append(literal: "x-ratelimit-reset-requests: ")
            Self.appendReset(r.resetNanos, into: &out)
            out.append(literal: "\r\n")
        }
        if let t = tokens {
            Self.line("x-ratelimit-limit-tokens: ", t.limit, into: &out)
            Self.line("x-ratelimit-remaining-tokens: ", t.remaining, into: &out)
            out.append(literal: "x-ratelimit-reset-tokens: ")
            Self.appendReset(t.resetNanos, into: &out)
            out.append(literal: "\r\n")
        }
    }

    private static func line(_ name: StaticString, _ value: Int, into out: inout [UInt8]) {
        out.append(literal: name)
        if value < 0 { out.append(UInt8(ascii: "-")) }
        HTTPSerializer.writeDecimal(Int(clamping: value.magnitude), into: &out)
        out.append(literal: "\r\n")
    }

    /// A Go-style duration as OpenAI sends it: "0s", "250ms", "1.5s", "6m0s", "1h0m0s". Rounded UP to
    /// whole milliseconds first, so a reset is never announced earlier than it happens and the value
    /// stays ASCII (Go would write "µs" below a millisecond).
    static func formatReset(_ nanos: UInt64) -> String {
        var out: [UInt8] = []
        appendReset(nanos, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `formatReset` written into a byte buffer.
    static func appendReset(_ nanos: UInt64, into out: inout [UInt8]) {
        let ms = nanos / 1_000_000 + (nanos % 1_000_000 == 0 ? 0 : 1)
        if ms < 1000 {
            HTTPSerializer.writeDecimal(Int(ms), into: &out)
            out.append(literal: ms == 0 ? "s" : "ms")
            return
        }
        let hours = ms / 3_600_000
        let minutes = ms / 60_000 % 60
        if hours > 0 {
            HTTPSerializer.writeDecimal(Int(hours), into: &out)
            out.append(UInt8(ascii: "h"))
        }
        if hours > 0 || minutes > 0 {
            HTTPSerializer.writeDecimal(Int(minutes), into: &out)
            out.append(UInt8(ascii: "m"))
        }
        HTTPSerializer.writeDecimal(Int(ms / 1000 % 60), into: &out)
        var fraction = Int(ms % 1000)
        if fraction != 0 {
            // Three digits with the trailing zeros dropped ("1.5s", "2.005s").
            var digits = 3
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            out.append(UInt8(ascii: "."))
            var scale = 1
            for _ in 1..<digits { scale *= 10 }
            while scale > 0 {
                out.append(UInt8(ascii: "0") + UInt8(fraction / scale % 10))
                scale /= 10
            }
        }
        out.append(UInt8(ascii: "s"))
    }
}
