import Testing
@testable import SluiceCore

private let second: UInt64 = 1_000_000_000

private func limiter(_ limits: [RateLimitConfig], clock: FakeLimiterClock = FakeLimiterClock(),
                     previous: RateLimiter? = nil, shards: Int = 16) -> RateLimiter {
    RateLimiter(limits: limits, estimation: TokenEstimationConfig(), clock: clock, previous: previous,
                options: RateLimiterOptions(shardCount: shards))
}

private func remaining(_ l: RateLimiter, _ name: String, key: String = "*") -> Int? {
    l.snapshot(top: 1000, keyFilter: nil).first { $0.name == name && $0.key == key }?.remaining
}

@Test func rateLimiter_reconcileLower_refundsDifference() throws {
    let l = limiter([LimitTestConfig.make("tpm", limit: 1000)])
    let r = try #require(l.admit(LimitSubject(), cost: LimitCost(inputTokens: 100, outputTokens: 400)).reservation)
    #expect(remaining(l, "tpm") == 500)
    l.reconcile(r, inputTokens: 100, outputTokens: 50)
    #expect(remaining(l, "tpm") == 850)
}

@Test func rateLimiter_reconcileHigher_chargesIntoDebt_thenAdmitsNothing() throws {
    let clock = FakeLimiterClock()
    let l = limiter([LimitTestConfig.make("tpm", limit: 600)], clock: clock)
    let r = try #require(l.admit(LimitSubject(), cost: LimitCost(inputTokens: 100, outputTokens: 100)).reservation)
    l.reconcile(r, inputTokens: 100, outputTokens: 800)
    #expect(remaining(l, "tpm") == -300)
    let d = l.admit(LimitSubject(), cost: LimitCost(inputTokens: 0, outputTokens: 0))
    #expect(!d.allowed)
    #expect(d.rejection?.retryAfterNanos == 30 * second)
    #expect(d.headers.tokens?.remaining == 0)
    clock.advance(seconds: 30)
    #expect(l.admit(LimitSubject(), cost: LimitCost(inputTokens: 0, outputTokens: 0)).allowed)
}

@Test func rateLimiter_reconcile_byCount() throws {
    let l = limiter([LimitTestConfig.make("in", count: .input, limit: 1000),
                     LimitTestConfig.make("out", count: .output, limit: 1000),
                     LimitTestConfig.make("rpm", unit: .requests, limit: 10)])
    let r = try #require(l.admit(LimitSubject(), cost: LimitCost(inputTokens: 10, outputTokens: 100)).reservation)
    l.reconcile(r, inputTokens: 30, outputTokens: 20)
    #expect(remaining(l, "in") == 970)
    #expect(remaining(l, "out") == 980)
    #expect(remaining(l, "rpm") == 9)
}

@Test func rateLimiter_reconcileEmbeddings_ignoresReportedOutput() throws {
    let l = limiter([LimitTestConfig.make("tpm", limit: 1000)])
    let r = try #require(l.admit(LimitSubject(), cost: LimitCost(inputTokens: 50, outputTokens: 256, isEmbeddings: true))
        .reservation)
    #expect(remaining(l, "tpm") == 950)
    l.reconcile(r, inputTokens: 60, outputTokens: 999)
    #expect(remaining(l, "tpm") == 940)
}

@Test func rateLimiter_refund_returnsTokens_keepsRequestUnits() throws {
    let l = limiter([LimitTestConfig.make("tpm", limit: 1000), LimitTestConfig.make("rpm", unit: .requests, limit: 3)])
    for _ in 0..<3 {
        let r = try #require(l.admit(LimitSubject(), cost: LimitCost(inputTokens: 100, outputTokens: 100)).reservation)
        l.refund(r)
    }
    #expect(remaining(l, "tpm") == 1000)
    #expect(remaining(l, "rpm") == 0)
    let d = l.admit(LimitSubject(), cost: LimitCost(inputTokens: 1, outputTokens: 1))
    #expect(!d.allowed && d.rejection?.limitName == "rpm")
}

@Test func rateLimiter_reconcileAfterEviction_recreatesBucketForCharge() throws {
    let clock = FakeLimiterClock()
    let l = limiter([LimitTestConfig.make("tpm", key: [.tenant], limit: 60, maxKeys: 1)], clock: clock, shards: 1)
    let r = try #require(l.admit(LimitSubject(tenant: "a"), cost: LimitCost(inputTokens: 10, outputTokens: 0)).reservation)
    clock.advance(seconds: 10) // "a" is full again
    #expect(l.admit(LimitSubject(tenant: "b"), cost: LimitCost(inputTokens: 5, outputTokens: 0)).allowed) // evicts "a"
    #expect(remaining(l, "tpm", key: "a") == nil)
    l.reconcile(r, inputTokens: 40, outputTokens: 0)
    #expect(remaining(l, "tpm", key: "a") == 30)
}

@Test func rateLimiter_maxKeys_evictsFullBucketsFirst() {
    let clock = FakeLimiterClock()
    let l = limiter([LimitTestConfig.make("tpm", key: [.tenant], limit: 60, maxKeys: 3)], clock: clock, shards: 1)
    let cost = LimitCost(inputTokens: 30, outputTokens: 0)
    #expect(l.admit(LimitSubject(tenant: "busy"), cost: LimitCost(inputTokens: 60, outputTokens: 0)).allowed)
    #expect(l.admit(LimitSubject(tenant: "quiet"), cost: LimitCost(inputTokens: 1, outputTokens: 0)).allowed)
    clock.advance(seconds: 1) // quiet is full again, busy is not
    #expect(l.admit(LimitSubject(tenant: "third"), cost: cost).allowed)
    #expect(l.admit(LimitSubject(tenant: "fourth"), cost: cost).allowed)
    let keys = Set(l.snapshot(top: 10, keyFilter: nil).map(\.key))
    #expect(keys == ["busy", "third", "fourth"])
    #expect(l.bucketCount == 3)
    // The busy tenant's spending survived the eviction.
    #expect(!l.admit(LimitSubject(tenant: "busy"), cost: cost).allowed)
}

@Test func rateLimiter_peek_takesNothing_andSkipsShadow() {
    let l = limiter([LimitTestConfig.make("tpm", key: [.tenant], limit: 100),
                     LimitTestConfig.make("rpm", unit: .requests, limit: 5),
                     LimitTestConfig.make("shadow", limit: 1, shadow: true)])
    let s = LimitSubject(tenant: "t")
    let p = l.peek(s)
    #expect(p.tokens == BucketHeaderState(limit: 100, remaining: 100, resetNanos: 0))
    #expect(p.requests == BucketHeaderState(limit: 5, remaining: 5, resetNanos: 0))
    #expect(l.bucketCount == 0)
    _ = l.admit(s, cost: LimitCost(inputTokens: 40, outputTokens: 0))
    #expect(l.peek(s).tokens?.remaining == 60)
    #expect(l.peek(s).tokens?.remaining == 60)
    #expect(limiter([]).peek(s).isEmpty)
}

@Test func rateLimiter_snapshot_sortedByUse_topAndFilter() {
    let l = limiter([LimitTestConfig.make("tpm", key: [.tenant, .model], limit: 1000),
                     LimitTestConfig.make("rpm", key: [.tenant], unit: .requests, limit: 100)])
    for (tenant, n) in [("a", 10), ("b", 500), ("c", 200)] {
        _ = l.admit(LimitSubject(tenant: tenant, model: "m"), cost: LimitCost(inputTokens: n, outputTokens: 0))
    }
    let all = l.snapshot(top: 100, keyFilter: nil)
    #expect(all.count == 6)
    #expect(all.prefix(3).map(\.key) == ["b|m", "c|m", "a|m"])
    #expect(all.first == BucketSnapshot(name: "tpm", key: "b|m", unit: .tokens, capacity: 1000, remaining: 500,
                                        resetNanos: 30 * second, shadow: false))
    #expect(l.snapshot(top: 2, keyFilter: nil).count == 2)
    #expect(l.snapshot(top: 0, keyFilter: nil).isEmpty)
    #expect(Set(l.snapshot(top: 100, keyFilter: "b").map(\.name)) == ["tpm", "rpm"])
    #expect(l.snapshot(top: 100, keyFilter: "b|m").map(\.name) == ["tpm"])
    #expect(l.snapshot(top: 100, keyFilter: "m").count == 3)
    #expect(l.snapshot(top: 100, keyFilter: "zz").isEmpty)
}

@Test func rateLimiter_reload_unchangedDefinition_keepsState() throws {
    let clock = FakeLimiterClock()
    let config = LimitTestConfig.make("tpm", key: [.tenant], limit: 1000)
    let old = limiter([config], clock: clock)
    let r = try #require(old.admit(LimitSubject(tenant: "a"), cost: LimitCost(inputTokens: 900, outputTokens: 0))
        .reservation)
    var reloaded = config
    reloaded.shadow = false
    reloaded.location = ConfigLocation(line: 40, column: 3)
    let new = limiter([reloaded, LimitTestConfig.make("other", limit: 5, match: RateLimitMatch(models: ["z"]))], clock: clock, previous: old)
    #expect(new.rules[0].table === old.rules[0].table)
    #expect(!new.admit(LimitSubject(tenant: "a"), cost: LimitCost(inputTokens: 200, outputTokens: 0)).allowed)
    // An in-flight request of the old generation settles into the carried-over bucket.
    old.reconcile(r, inputTokens: 100, outputTokens: 0)
    #expect(new.admit(LimitSubject(tenant: "a"), cost: LimitCost(inputTokens: 200, outputTokens: 0)).allowed)
    #expect(remaining(new, "tpm", key: "a") == 700)
}

@Test func rateLimiter_reload_changedDefinition_startsFresh() {
    let config = LimitTestConfig.make("tpm", key: [.tenant], limit: 1000)
    let old = limiter([config])
    _ = old.admit(LimitSubject(tenant: "a"), cost: LimitCost(inputTokens: 900, outputTokens: 0))
    var raised = config
    raised.limit = 2000
    raised.burst = 2000
    let new = limiter([raised], previous: old)
    #expect(new.rules[0].table !== old.rules[0].table)
    #expect(new.bucketCount == 0)
    #expect(new.admit(LimitSubject(tenant: "a"), cost: LimitCost(inputTokens: 1900, outputTokens: 0)).allowed)
}

@Test func rateLimiter_reload_renamedOrRemovedLimit_doesNotCarryOver() {
    let old = limiter([LimitTestConfig.make("tpm", limit: 100)])
    _ = old.admit(LimitSubject(), cost: LimitCost(inputTokens: 100, outputTokens: 0))
    let renamed = limiter([LimitTestConfig.make("tpm2", limit: 100)], previous: old)
    #expect(renamed.admit(LimitSubject(), cost: LimitCost(inputTokens: 100, outputTokens: 0)).allowed)
    let none = limiter([], previous: old)
    #expect(none.isEmpty)
}

@Test func rateLimiter_reload_shadowToggle_keepsState() {
    let config = LimitTestConfig.make("tpm", limit: 100, shadow: true)
    let old = limiter([config])
    _ = old.admit(LimitSubject(), cost: LimitCost(inputTokens: 90, outputTokens: 0))
    var enforced = config
    enforced.shadow = false
    let new = limiter([enforced], previous: old)
    let d = new.admit(LimitSubject(), cost: LimitCost(inputTokens: 20, outputTokens: 0))
    #expect(!d.allowed && d.rejection?.remaining == 10)
}

@Test func rateLimiter_reload_maxKeysChange_copiesState() {
    let clock = FakeLimiterClock()
    let config = LimitTestConfig.make("tpm", key: [.tenant], limit: 1000, maxKeys: 10)
    let old = limiter([config], clock: clock)
    _ = old.admit(LimitSubject(tenant: "a"), cost: LimitCost(inputTokens: 600, outputTokens: 0))
    var bigger = config
    bigger.maxKeys = 50
    let new = limiter([bigger], clock: clock, previous: old)
    #expect(new.rules[0].table !== old.rules[0].table)
    #expect(remaining(new, "tpm", key: "a") == 400)
}
