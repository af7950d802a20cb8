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
    var out: [(String, String)] = []
    h.write(into: &out)
    #expect(out.map(\.0) == ["x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
                             "x-ratelimit-reset-requests", "x-ratelimit-limit-tokens",
                             "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"])
    #expect(out.map(\.1) == ["100", "99", "600ms", "1000", "0", "6s"])
}

@Test func rateLimitHeaders_write_onlyPresentUnits() {
    var out: [(String, String)] = []
    RateLimitHeaders(tokens: BucketHeaderState(limit: 5, remaining: 5, resetNanos: 0)).write(into: &out)
    #expect(out.count == 3)
    #expect(out.allSatisfy { $0.0.hasSuffix("-tokens") })
    var none: [(String, String)] = []
    RateLimitHeaders().write(into: &none)
    #expect(none.isEmpty)
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
