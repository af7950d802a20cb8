import Testing
@testable import SluiceCore

private let second: UInt64 = 1_000_000_000

private func limiter(_ limits: [RateLimitConfig], clock: FakeLimiterClock = FakeLimiterClock(),
                     estimation: TokenEstimationConfig = TokenEstimationConfig()) -> RateLimiter {
    RateLimiter(limits: limits, estimation: estimation, clock: clock)
}

private func tokens(_ input: Int, _ output: Int = 0) -> LimitCost { LimitCost(inputTokens: input, outputTokens: output) }

@Test func rateLimiter_withoutLimits_isEmptyAndAdmits() {
    let l = limiter([])
    #expect(l.isEmpty)
    let d = l.admit(LimitSubject(), cost: tokens(1_000_000))
    #expect(d.allowed && d.reservation == nil && d.rejection == nil && d.headers.isEmpty && d.outcomes.isEmpty)
}

@Test func rateLimiter_noMatchingLimit_admitsWithoutHeaders() {
    let l = limiter([LimitTestConfig.make("m", limit: 1, match: RateLimitMatch(models: ["llama-*"]))])
    #expect(!l.isEmpty)
    let d = l.admit(LimitSubject(model: "gpt-4o"), cost: tokens(500))
    #expect(d.allowed && d.headers.isEmpty && d.outcomes.isEmpty)
}

@Test func rateLimiter_admit_reservesTotalEstimate() {
    let l = limiter([LimitTestConfig.make("tpm", key: [.tenant], limit: 1000)])
    let d = l.admit(LimitSubject(tenant: "a"), cost: tokens(100, 50))
    #expect(d.allowed)
    #expect(d.reservation?.entries.map(\.taken) == [150])
    #expect(d.headers.tokens == BucketHeaderState(limit: 1000, remaining: 850, resetNanos: 9 * second))
    #expect(d.headers.requests == nil)
    #expect(d.outcomes.map(\.limit) == ["tpm"] && d.outcomes.map(\.decision) == ["allowed"])
}

@Test func rateLimiter_admit_capsOutputAtMaxOutputReservation() {
    var est = TokenEstimationConfig()
    est.maxOutputReservation = 100
    let l = limiter([LimitTestConfig.make("tpm", limit: 1000)], estimation: est)
    let d = l.admit(LimitSubject(), cost: tokens(10, 5000))
    #expect(d.reservation?.entries.first?.taken == 110)
}

@Test func rateLimiter_countInputAndOutput_chargeOnlyThatPart() {
    let l = limiter([LimitTestConfig.make("in", count: .input, limit: 1000),
                     LimitTestConfig.make("out", count: .output, limit: 1000)])
    let d = l.admit(LimitSubject(), cost: tokens(30, 70))
    #expect(d.reservation?.entries.map(\.taken) == [30, 70])
}

@Test func rateLimiter_embeddings_reserveNoOutput() {
    let l = limiter([LimitTestConfig.make("tpm", limit: 1000), LimitTestConfig.make("out", count: .output, limit: 5)])
    let d = l.admit(LimitSubject(), cost: LimitCost(inputTokens: 40, outputTokens: 256, isEmbeddings: true))
    #expect(d.allowed)
    #expect(d.reservation?.entries.map(\.taken) == [40, 0])
    #expect(l.snapshot(top: 10, keyFilter: nil).count == 1) // the zero-cost bucket was not even created
}

@Test func rateLimiter_requestsUnit_costsOne() {
    let l = limiter([LimitTestConfig.make("rps", key: [.model], unit: .requests, limit: 2, window: .seconds(1))])
    let s = LimitSubject(model: "m")
    #expect(l.admit(s, cost: tokens(9999)).allowed)
    let d = l.admit(s, cost: tokens(9999))
    #expect(d.allowed)
    #expect(d.headers.requests == BucketHeaderState(limit: 2, remaining: 0, resetNanos: second))
    #expect(!l.admit(s, cost: tokens(1)).allowed)
}

@Test func rateLimiter_shortBucket_rejectsWithRetryAfterAndMessage() throws {
    let clock = FakeLimiterClock()
    let l = limiter([LimitTestConfig.make("tenant-tpm", key: [.tenant], limit: 600)], clock: clock)
    let s = LimitSubject(tenant: "team-a")
    #expect(l.admit(s, cost: tokens(500)).allowed)
    let d = l.admit(s, cost: tokens(300))
    #expect(!d.allowed && d.reservation == nil)
    let r = try #require(d.rejection)
    #expect(r.limitName == "tenant-tpm" && r.key == "team-a")
    #expect(r.requested == 300 && r.remaining == 100)
    #expect(r.retryAfterNanos == 20 * second) // 200 missing at 10 tokens/s
    #expect(!r.neverPasses)
    #expect(r.message == "Rate limit 'tenant-tpm' exceeded for key 'team-a': requested 300 tokens, remaining 100. Retry after 20s.")
    #expect(d.outcomes.map(\.decision) == ["limited"])
    #expect(d.headers.tokens?.remaining == 100)
    clock.advance(nanos: 20 * second - 1)
    #expect(!l.admit(s, cost: tokens(300)).allowed)
    clock.advance(nanos: 1)
    #expect(l.admit(s, cost: tokens(300)).allowed)
}

@Test func rateLimiter_estimateAboveBurst_neverPasses() {
    let l = limiter([LimitTestConfig.make("tpm", key: [.tenant], limit: 100, burst: 200)])
    let d = l.admit(LimitSubject(tenant: "t"), cost: tokens(150, 60))
    #expect(!d.allowed)
    #expect(d.rejection?.neverPasses == true)
    #expect(d.rejection?.retryAfterNanos == 0)
    #expect(d.rejection?.message.contains("can never admit") == true)
    #expect(d.rejection?.message.contains("requested 210 tokens, remaining 200, capacity 200") == true)
    #expect(l.snapshot(top: 10, keyFilter: nil).isEmpty)
}

@Test func rateLimiter_oneShortBucket_rejectsAndReservesNothingElsewhere() {
    let l = limiter([LimitTestConfig.make("big", key: [.tenant], limit: 10_000),
                     LimitTestConfig.make("small", key: [.model], limit: 100),
                     LimitTestConfig.make("rpm", unit: .requests, limit: 10)])
    let s = LimitSubject(tenant: "t", model: "m")
    #expect(l.admit(s, cost: tokens(90)).allowed)
    let d = l.admit(s, cost: tokens(50))
    #expect(!d.allowed)
    #expect(d.rejection?.limitName == "small")
    #expect(d.outcomes.map(\.decision) == ["allowed", "limited", "allowed"])
    let snap = l.snapshot(top: 10, keyFilter: nil)
    #expect(snap.first { $0.name == "big" }?.remaining == 9910)
    #expect(snap.first { $0.name == "rpm" }?.remaining == 9)
    #expect(snap.first { $0.name == "small" }?.remaining == 10)
}

@Test func rateLimiter_severalShortBuckets_reportsLongestWait_neverPassesFirst() {
    let l = limiter([LimitTestConfig.make("fast", limit: 600), LimitTestConfig.make("slow", limit: 60),
                     LimitTestConfig.make("tiny", key: [.tenant], limit: 10)])
    #expect(l.admit(LimitSubject(tenant: "x"), cost: tokens(10)).allowed)
    // fast: 590 left, slow: 50 left, tiny: 0 left. 55 tokens: fast admits, slow waits 5 s, tiny never.
    let d = l.admit(LimitSubject(tenant: "x"), cost: tokens(55))
    #expect(d.rejection?.limitName == "tiny" && d.rejection?.neverPasses == true)
    let e = l.admit(LimitSubject(tenant: "y"), cost: tokens(55))
    #expect(d.outcomes.map(\.decision) == ["allowed", "limited", "limited"])
    #expect(e.rejection?.limitName == "tiny")
    let f = l.admit(LimitSubject(tenant: "y"), cost: tokens(8))
    #expect(f.allowed)
    // tiny(y) holds 2; 9 needs 7 more at 1/6 token per second.
    let g = l.admit(LimitSubject(tenant: "y"), cost: tokens(9))
    #expect(g.rejection?.limitName == "tiny" && g.rejection?.retryAfterNanos == 42 * second)
}

@Test func rateLimiter_longestWaitAmongShortBuckets_isReported() {
    // a refills 10/s, b 1/s.
    let l = limiter([LimitTestConfig.make("a", limit: 600), LimitTestConfig.make("b", limit: 60, burst: 1000)])
    #expect(l.admit(LimitSubject(), cost: tokens(500)).allowed) // a: 100 left, b: 500 left
    let onlyA = l.admit(LimitSubject(), cost: tokens(200))
    #expect(onlyA.rejection?.limitName == "a" && onlyA.rejection?.retryAfterNanos == 10 * second)
    let bLonger = l.admit(LimitSubject(), cost: tokens(550)) // a waits 45 s, b 50 s
    #expect(bLonger.rejection?.limitName == "b" && bLonger.rejection?.retryAfterNanos == 50 * second)
    let aLonger = l.admit(LimitSubject(), cost: tokens(520)) // a waits 42 s, b 20 s
    #expect(aLonger.rejection?.limitName == "a" && aLonger.rejection?.retryAfterNanos == 42 * second)
    #expect(aLonger.outcomes.map(\.decision) == ["limited", "limited"])
}

@Test func rateLimiter_shadow_neverRejects_reportsShadowLimited() {
    let l = limiter([LimitTestConfig.make("shadow", key: [.tenant], limit: 100, shadow: true)])
    let s = LimitSubject(tenant: "t")
    #expect(l.admit(s, cost: tokens(80)).outcomes.map(\.decision) == ["allowed"])
    let d = l.admit(s, cost: tokens(80))
    #expect(d.allowed && d.rejection == nil)
    #expect(d.outcomes.map(\.decision) == ["shadow_limited"])
    #expect(d.reservation?.entries.isEmpty == true) // a limited shadow bucket takes nothing, as enforcing would
    #expect(d.headers.isEmpty)
    #expect(l.admit(s, cost: tokens(500)).outcomes.map(\.decision) == ["shadow_limited"])
    #expect(l.snapshot(top: 1, keyFilter: nil).first?.remaining == 20)
}

@Test func rateLimiter_shadowBeside_enforced_onlyEnforcedRejects() {
    let l = limiter([LimitTestConfig.make("shadow", limit: 10, shadow: true), LimitTestConfig.make("real", limit: 100)])
    let d = l.admit(LimitSubject(), cost: tokens(50))
    #expect(d.allowed)
    #expect(d.outcomes.map(\.decision) == ["shadow_limited", "allowed"])
    #expect(d.headers.tokens?.limit == 100)
    let e = l.admit(LimitSubject(), cost: tokens(60))
    #expect(!e.allowed && e.rejection?.limitName == "real")
    #expect(e.outcomes.map(\.decision) == ["shadow_limited", "limited"])
}

@Test func rateLimiter_matchFilters_selectLimits() {
    let l = limiter([LimitTestConfig.make("llama", limit: 10, match: RateLimitMatch(models: ["llama-*"])),
                     LimitTestConfig.make("route", limit: 10, match: RateLimitMatch(routes: ["openai"])),
                     LimitTestConfig.make("tenant", limit: 10, match: RateLimitMatch(tenants: ["vip-?"]))])
    #expect(l.admit(LimitSubject(model: "llama-3"), cost: tokens(1)).outcomes.map(\.limit) == ["llama"])
    #expect(l.admit(LimitSubject(model: "gpt", route: "openai"), cost: tokens(1)).outcomes.map(\.limit) == ["route"])
    #expect(l.admit(LimitSubject(tenant: "vip-1", model: "llama-x"), cost: tokens(1)).outcomes.map(\.limit)
            == ["llama", "tenant"])
    #expect(l.admit(LimitSubject(tenant: "vip-12"), cost: tokens(1)).outcomes.isEmpty)
}

@Test func rateLimiter_keyParts_giveIndependentBuckets() {
    let l = limiter([LimitTestConfig.make("per", key: [.apiKey, .header("x-team")], limit: 10)])
    let a = LimitSubject(apiKeyName: "k1", headers: ["x-team": "red"])
    let b = LimitSubject(apiKeyName: "k1", headers: ["x-team": "blue"])
    let c = LimitSubject(apiKeyName: "k2", headers: ["x-team": "red"])
    #expect(l.admit(a, cost: tokens(10)).allowed)
    #expect(!l.admit(a, cost: tokens(1)).allowed)
    #expect(l.admit(b, cost: tokens(10)).allowed)
    #expect(l.admit(c, cost: tokens(10)).allowed)
    #expect(l.admit(LimitSubject(apiKeyName: "k1"), cost: tokens(10)).allowed)
    #expect(Set(l.snapshot(top: 10, keyFilter: nil).map(\.key)) == ["k1|red", "k1|blue", "k2|red", "k1|-"])
}

@Test func rateLimiter_headers_mostConstrainedPerUnit_clampedAtZero() {
    let clock = FakeLimiterClock()
    let l = limiter([LimitTestConfig.make("t-big", limit: 1000), LimitTestConfig.make("t-small", key: [.tenant], limit: 100),
                     LimitTestConfig.make("r-a", unit: .requests, limit: 5, window: .seconds(1)),
                     LimitTestConfig.make("r-b", unit: .requests, limit: 50, window: .seconds(1))], clock: clock)
    let s = LimitSubject(tenant: "t")
    let d = l.admit(s, cost: tokens(60))
    #expect(d.headers.tokens == BucketHeaderState(limit: 100, remaining: 40, resetNanos: 36 * second))
    #expect(d.headers.requests == BucketHeaderState(limit: 5, remaining: 4, resetNanos: second / 5))
    if let r = d.reservation { l.reconcile(r, inputTokens: 150, outputTokens: 0) }
    let p = l.peek(s)
    #expect(p.tokens?.remaining == 0) // t-small is at -50
    #expect(p.tokens?.limit == 100 && p.tokens?.resetNanos == 90 * second)
}

@Test func rateLimiter_message_namesKeyNameNeverRawKey() {
    let l = limiter([LimitTestConfig.make("per-key", key: [.apiKey], limit: 5),
                     LimitTestConfig.make("per-auth", key: [.header("authorization")], limit: 1000)])
    let s = LimitSubject(apiKeyName: "team-a", headers: ["authorization": "Bearer sk-raw-secret"])
    let d = l.admit(s, cost: tokens(6))
    #expect(d.rejection?.message.contains("'team-a'") == true)
    #expect(d.rejection?.message.contains("sk-raw") == false)
    #expect(l.admit(s, cost: tokens(5)).allowed)
    #expect(l.snapshot(top: 10, keyFilter: nil).allSatisfy { !$0.key.contains("sk-raw") })
}
