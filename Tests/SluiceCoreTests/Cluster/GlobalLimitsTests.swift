import Testing
@testable import SluiceCore

@Suite("Global limits")
struct GlobalLimitsTests {
    static func limits(_ configs: [RateLimitConfig]) -> GlobalLimits {
        GlobalLimits(rules: configs.map { c in
            var g = c
            g.scope = .global
            return LimitRule(config: g, table: LimitBucketTable(config: g, shardCount: 1))
        }, keyPrefix: "p:")
    }

    static let subject = LimitSubject(tenant: "team-a", apiKeyName: "k1", clientIP: "10.0.0.1", model: "m", route: "r",
                                      headers: [:])

    @Test func chargesMatchingLimitsWithRedisKeysOfNames() {
        var leased = LimitTestConfig.make("tpm", key: [.tenant], limit: 1000, window: .seconds(60), burst: 2000)
        leased.mode = .leased
        leased.leaseFraction = 0.1
        let other = LimitTestConfig.make("other", limit: 5, match: RateLimitMatch(models: ["x-*"], routes: [], tenants: []))
        let g = Self.limits([leased, LimitTestConfig.make("rpm", unit: .requests, limit: 10), other])
        let charges = g.charges(for: Self.subject, cost: LimitCost(inputTokens: 30, outputTokens: 9000, isEmbeddings: false),
                                maxOutput: 100)
        #expect(charges.map(\.name) == ["tpm", "rpm"])
        #expect(charges[0].cost == 130, "output capped by max_output_reservation")
        #expect(charges[1].cost == 1)
        #expect(String(decoding: charges[0].redisKey, as: UTF8.self) == "p:rl:tpm:team-a")
        #expect(String(decoding: charges[1].redisKey, as: UTF8.self) == "p:rl:rpm:*")
        #expect(charges[0].leased && !charges[1].leased)
        #expect(charges[0].leaseSize == 200)
        #expect(charges[0].windowMillis == 60_000)
        #expect(charges[0].admitArgs(extra: 200).map { String(decoding: $0, as: UTF8.self) } == ["130", "1000", "60000", "2000", "200", "0"])
        #expect(charges[1].reconcileArgs(delta: -3).map { String(decoding: $0, as: UTF8.self) } == ["-3", "10", "60000", "10"])
    }

    @Test func shadowLimitsNeverLease() {
        var c = LimitTestConfig.make("s", limit: 10, shadow: true)
        c.mode = .leased
        let charge = Self.limits([c]).charges(for: Self.subject, cost: LimitCost(inputTokens: 1, outputTokens: 1, isEmbeddings: false),
                                              maxOutput: 10)[0]
        #expect(!charge.leased)
        #expect(charge.admitArgs(extra: 0).last == Array("1".utf8))
    }

    @Test func parsesTheAdmitReplyAndRejectsOtherShapes() {
        let v = RESPValue.array([.integer(0), .integer(0), .integer(3), .integer(250), .integer(9000),
                                 .integer(1), .integer(9), .integer(0), .integer(100)])
        let r = GlobalAdmitReply(v, count: 2)
        #expect(r == GlobalAdmitReply(admitted: false, buckets: [GlobalBucketReply(taken: 0, remaining: 3, waitMillis: 250, fullMillis: 9000),
                                                                  GlobalBucketReply(taken: 1, remaining: 9, waitMillis: 0, fullMillis: 100)]))
        #expect(GlobalAdmitReply(v, count: 1) == nil)
        #expect(GlobalAdmitReply(.error("ERR"), count: 2) == nil)
        #expect(GlobalAdmitReply(.array([.integer(1), .simple("x"), .integer(0), .integer(0), .integer(0)]), count: 1) == nil)
    }

    @Test func rejectionNamesTheRefusingBucketAndTheLongestWait() {
        let g = Self.limits([LimitTestConfig.make("a", limit: 100), LimitTestConfig.make("b", limit: 100)])
        let charges = g.charges(for: Self.subject, cost: LimitCost(inputTokens: 40, outputTokens: 0, isEmbeddings: false), maxOutput: 0)
        let reply = GlobalAdmitReply(admitted: false, buckets: [GlobalBucketReply(taken: 0, remaining: 39, waitMillis: 600, fullMillis: 36_600),
                                                                 GlobalBucketReply(taken: 0, remaining: 10, waitMillis: 18_000, fullMillis: 54_000)])
        let r = GlobalRejection.make(charges, reply)
        #expect(r?.limitName == "b")
        #expect(r?.retryAfterNanos == 18_000_000_000)
        #expect(r?.neverPasses == false)
        #expect(r?.message.contains("requested 40 tokens, remaining 10") == true)
        let never = g.charges(for: Self.subject, cost: LimitCost(inputTokens: 400, outputTokens: 0, isEmbeddings: false), maxOutput: 0)
        let r2 = GlobalRejection.make(never, GlobalAdmitReply(admitted: false, buckets: [
            GlobalBucketReply(taken: 0, remaining: 100, waitMillis: 180_000, fullMillis: 0),
            GlobalBucketReply(taken: 0, remaining: 100, waitMillis: 180_000, fullMillis: 0)]))
        #expect(r2?.neverPasses == true)
    }

    @Test func reservationDeltasReconcileOrRefundTokensOnly() {
        let g = Self.limits([LimitTestConfig.make("t", limit: 1000), LimitTestConfig.make("r", unit: .requests, limit: 10)])
        let charges = g.charges(for: Self.subject, cost: LimitCost(inputTokens: 10, outputTokens: 20, isEmbeddings: false), maxOutput: 100)
        let res = GlobalReservation(entries: charges.map { GlobalReservation.Entry(charge: $0, viaLease: false) }, isEmbeddings: false)
        let reconcile = res.deltas(actualInput: 10, actualOutput: 5)
        #expect(reconcile.count == 1)
        #expect(reconcile.first?.0.charge.name == "t")
        #expect(reconcile.first?.1 == -15)
        #expect(res.deltas(actualInput: nil, actualOutput: nil).map(\.1) == [-30])
        #expect(res.deltas(actualInput: 10, actualOutput: 20).isEmpty)
        #expect(res.deltas(actualInput: 50, actualOutput: 20).map(\.1) == [40])
    }

    @Test func leaseBookTakesFromLiveLeasesAndReturnsExpiredOnes() {
        var c = LimitTestConfig.make("l", limit: 1000, burst: 1000)
        c.mode = .leased
        c.leaseTTL = .seconds(1)
        let charge = Self.limits([c]).charges(for: Self.subject, cost: LimitCost(inputTokens: 10, outputTokens: 0, isEmbeddings: false),
                                              maxOutput: 0)[0]
        var book = LeaseBook()
        let t0 = book.take(charge, now: 0)
        #expect(!t0, "no lease yet")
        book.grant(charge, extra: 25, remaining: 900, fullMillis: 6000, now: 0)
        let t1 = book.take(charge, now: 1), t2 = book.take(charge, now: 2), t3 = book.take(charge, now: 3)
        #expect(t1 && t2)
        #expect(!t3, "5 left, cost 10")
        #expect(book.outstanding == 5)
        book.giveBack(charge)
        #expect(book.outstanding == 15)
        #expect(book.headerState(charge)?.remaining == 915)
        book.addDelta(charge, 7)
        let first = book.collect(now: 500_000_000)
        #expect(first.map(\.1) == [7], "lease still live: only the settlement")
        let late = book.take(charge, now: 1_000_000_001)
        #expect(!late, "expired")
        let second = book.collect(now: 1_000_000_001)
        #expect(second.map(\.1) == [-15], "unused tokens go back")
        #expect(book.count == 0)
        let third = book.collect(now: 2_000_000_000)
        #expect(third.isEmpty)
    }

    @Test func oneLeaseRefillPerBucketAtATime() {
        var c = LimitTestConfig.make("l", key: [.tenant], limit: 1000)
        c.mode = .leased
        let charge = Self.limits([c]).charges(for: Self.subject, cost: LimitCost(inputTokens: 1, outputTokens: 0, isEmbeddings: false),
                                              maxOutput: 0)[0]
        var book = LeaseBook()
        let first = book.beginRefill(charge), second = book.beginRefill(charge)
        #expect(first && !second, "a concurrent miss takes only its cost")
        book.endRefill(charge)
        let third = book.beginRefill(charge)
        #expect(third)
    }

    @Test func scanPatternsEscapeGlobCharacters() {
        #expect(ClusterScripts.globEscaped("a*b?[c]\\") == "a\\*b\\?\\[c\\]\\\\")
        #expect(ClusterScripts.admit.sha.count == 40)
        #expect(ClusterScripts.admit.sha != ClusterScripts.reconcile.sha)
    }
}
