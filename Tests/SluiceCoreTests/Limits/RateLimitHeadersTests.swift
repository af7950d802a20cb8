import Testing
@testable import SluiceCore

@Test(arguments: [
    (UInt64(0), "0s"),
    (UInt64(1), "1ms"),
    (UInt64(250_000_000), "250ms"),
    (UInt64(999_000_000), "999ms"),
    (UInt64(999_000_001), "1s"),
    (UInt64(1_000_000_000), "1s"),
    (UInt64(1_500_000_000), "1.5s"),
    (UInt64(1_250_000_000), "1.25s"),
    (UInt64(2_005_000_000), "2.005s"),
    (UInt64(60_000_000_000), "1m0s"),
    (UInt64(360_000_000_000), "6m0s"),
    (UInt64(90_500_000_000), "1m30.5s"),
    (UInt64(3_600_000_000_000), "1h0m0s"),
    (UInt64(5_430_000_000_000), "1h30m30s"),
    (UInt64(3_601_010_000_000), "1h0m1.01s"),
    (UInt64(61_100_000_000), "1m1.1s"),
])
func rateLimitHeaders_formatReset_goStyle(nanos: UInt64, text: String) {
    #expect(RateLimitHeaders.formatReset(nanos) == text)
}

@Test func rateLimitHeaders_formatReset_maxValue_doesNotTrap() {
    #expect(RateLimitHeaders.formatReset(UInt64.max).hasSuffix("s"))
}

@Test func rateLimitHeaders_write_emitsSixHeadersInOrder() {
    let h = RateLimitHeaders(requests: BucketHeaderState(limit: 100, remaining: 99, resetNanos: 600_000_000),
                             tokens: BucketHeaderState(limit: 1000, remaining: 0, resetNanos: 6_000_000_000))
    #expect(lines(h) == ["x-ratelimit-limit-requests: 100", "x-ratelimit-remaining-requests: 99",
                         "x-ratelimit-reset-requests: 600ms", "x-ratelimit-limit-tokens: 1000",
                         "x-ratelimit-remaining-tokens: 0", "x-ratelimit-reset-tokens: 6s"])
}

/// The header lines `write(into:)` appends, without their CRLFs (which every line must end with).
private func lines(_ h: RateLimitHeaders) -> [String] {
    var out: [UInt8] = []
    h.write(into: &out)
    let text = String(decoding: out, as: UTF8.self)
    #expect(text.isEmpty || text.hasSuffix("\r\n"))
    return text.split(separator: "\r\n").map(String.init)
}

@Test func rateLimitHeaders_write_onlyPresentUnits() {
    let out = lines(RateLimitHeaders(tokens: BucketHeaderState(limit: 5, remaining: 5, resetNanos: 0)))
    #expect(out == ["x-ratelimit-limit-tokens: 5", "x-ratelimit-remaining-tokens: 5", "x-ratelimit-reset-tokens: 0s"])
    #expect(lines(RateLimitHeaders()).isEmpty)
    #expect(RateLimitHeaders().isEmpty)
}

@Test func rateLimitHeaders_consider_keepsLeastRemainingThenLongestReset() {
    var h = RateLimitHeaders()
    h.consider(BucketHeaderState(limit: 10, remaining: 7, resetNanos: 1), unit: .tokens)
    h.consider(BucketHeaderState(limit: 50, remaining: 3, resetNanos: 2), unit: .tokens)
    h.consider(BucketHeaderState(limit: 5, remaining: 4, resetNanos: 9), unit: .tokens)
    #expect(h.tokens == BucketHeaderState(limit: 50, remaining: 3, resetNanos: 2))
    h.consider(BucketHeaderState(limit: 8, remaining: 3, resetNanos: 5), unit: .tokens)
    #expect(h.tokens == BucketHeaderState(limit: 8, remaining: 3, resetNanos: 5))
    #expect(h.requests == nil)
}

@Test func bucketHeaderState_fromBucketInDebt_clampsAtZero() {
    var b = TokenBucket(limit: 10, windowNanos: 1_000_000_000, burst: 10, now: 0)
    b.take(25)
    let s = BucketHeaderState(b)
    #expect(s == BucketHeaderState(limit: 10, remaining: 0, resetNanos: 2_500_000_000))
}
