import Dispatch
import Synchronization
import Testing
@testable import SluiceCore

private let second: UInt64 = 1_000_000_000

/// Counts admissions from many threads.
private final class AdmitCounter: Sendable {
    let admitted = Atomic<Int>(0)
    let tokens = Atomic<Int>(0)
    let byKey = Locked<[String: Int]>([:])

    func add(_ n: Int, to key: String) { byKey.withLock { $0[key, default: 0] += n } }
    func used(_ key: String) -> Int { byKey.withLock { $0[key] ?? 0 } }
}

@Test func rateLimiter_concurrentAdmits_frozenClock_neverExceedBurst() {
    let clock = FakeLimiterClock()
    let l = RateLimiter(limits: [LimitTestConfig.make("rpm", key: [.tenant], unit: .requests, limit: 500)],
                        estimation: TokenEstimationConfig(), clock: clock)
    let counter = AdmitCounter()
    DispatchQueue.concurrentPerform(iterations: 8) { _ in
        for _ in 0..<2000 where l.admit(LimitSubject(tenant: "t"), cost: LimitCost(inputTokens: 1, outputTokens: 0)).allowed {
            counter.admitted.add(1, ordering: .relaxed)
        }
    }
    #expect(counter.admitted.load(ordering: .relaxed) == 500)
}

@Test func rateLimiter_concurrentAdmits_advancingClock_respectBound() {
    let clock = FakeLimiterClock()
    let limit = 1000, burst = 2000
    let l = RateLimiter(limits: [LimitTestConfig.make("tpm", limit: limit, window: .seconds(1), burst: burst)],
                        estimation: TokenEstimationConfig(), clock: clock)
    let start = clock.nowNanos()
    let counter = AdmitCounter()
    DispatchQueue.concurrentPerform(iterations: 8) { worker in
        for i in 0..<3000 {
            if worker == 0 && i % 10 == 0 { clock.advance(nanos: 1_000_000) }
            let n = 1 + (i * 7 + worker) % 13
            if l.admit(LimitSubject(), cost: LimitCost(inputTokens: n, outputTokens: 0)).allowed {
                counter.tokens.add(n, ordering: .relaxed)
            }
        }
    }
    let elapsed = clock.nowNanos() - start
    let bound = burst + Int(UInt64(limit) * elapsed / second)
    let admitted = counter.tokens.load(ordering: .relaxed)
    #expect(admitted <= bound)
    #expect(admitted > burst) // refill did let more through
}

@Test func rateLimiter_concurrentMultiBucketAdmits_leaveNoPartialReservations() {
    let l = RateLimiter(limits: [LimitTestConfig.make("tenant", key: [.tenant], limit: 300),
                                 LimitTestConfig.make("model", key: [.model], limit: 400),
                                 LimitTestConfig.make("all", unit: .requests, limit: 100_000)],
                        estimation: TokenEstimationConfig(), clock: FakeLimiterClock())
    let tenants = ["a", "b", "c"], models = ["x", "y"]
    let requests = AdmitCounter()
    DispatchQueue.concurrentPerform(iterations: 8) { worker in
        for i in 0..<1500 {
            let t = (i + worker) % 3, m = (i / 3 + worker) % 2
            let n = 1 + (i + worker) % 5
            let s = LimitSubject(tenant: tenants[t], model: models[m])
            if l.admit(s, cost: LimitCost(inputTokens: n, outputTokens: 0)).allowed {
                requests.add(n, to: "tenant:" + tenants[t])
                requests.add(n, to: "model:" + models[m])
                requests.admitted.add(1, ordering: .relaxed)
            }
        }
    }
    let snap = l.snapshot(top: 100, keyFilter: nil)
    for t in tenants {
        let used = requests.used("tenant:" + t)
        #expect(used <= 300)
        #expect(snap.first { $0.name == "tenant" && $0.key == t }?.remaining == 300 - used)
    }
    for m in models {
        let used = requests.used("model:" + m)
        #expect(used <= 400)
        #expect(snap.first { $0.name == "model" && $0.key == m }?.remaining == 400 - used)
    }
    #expect(snap.first { $0.name == "all" }?.remaining == 100_000 - requests.admitted.load(ordering: .relaxed))
}

@Test func rateLimiter_concurrentAdmitAndRefund_returnsEveryToken() {
    let l = RateLimiter(limits: [LimitTestConfig.make("tpm", key: [.tenant], limit: 1000),
                                 LimitTestConfig.make("rpm", unit: .requests, limit: 1_000_000)],
                        estimation: TokenEstimationConfig(), clock: FakeLimiterClock())
    let counter = AdmitCounter()
    DispatchQueue.concurrentPerform(iterations: 8) { worker in
        for i in 0..<1000 {
            let d = l.admit(LimitSubject(tenant: "t\(worker % 2)"), cost: LimitCost(inputTokens: 1 + i % 50, outputTokens: 10))
            guard let r = d.reservation else { continue }
            counter.admitted.add(1, ordering: .relaxed)
            if i % 2 == 0 { l.refund(r) } else { l.reconcile(r, inputTokens: 0, outputTokens: 0) }
        }
    }
    let snap = l.snapshot(top: 100, keyFilter: nil)
    #expect(snap.filter { $0.name == "tpm" }.allSatisfy { $0.remaining == 1000 })
    #expect(snap.first { $0.name == "rpm" }?.remaining == 1_000_000 - counter.admitted.load(ordering: .relaxed))
}

@Test func rateLimiter_sequentialRandomTraffic_staysWithinWindowBound() {
    let clock = FakeLimiterClock()
    let limit = 600, burst = 900
    let l = RateLimiter(limits: [LimitTestConfig.make("tpm", limit: limit, window: .seconds(60), burst: burst)],
                        estimation: TokenEstimationConfig(), clock: clock)
    var admitted: [(at: UInt64, n: Int)] = []
    var seed: UInt64 = 42
    for _ in 0..<5000 {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        clock.advance(nanos: (seed >> 33) % (second / 4))
        let n = Int((seed >> 20) % 40) + 1
        if l.admit(LimitSubject(), cost: LimitCost(inputTokens: n, outputTokens: 0)).allowed {
            admitted.append((clock.nowNanos(), n))
        }
    }
    // Every interval [admitted[i].at, admitted[j].at] obeys burst + limit × elapsed / window.
    for i in stride(from: 0, to: admitted.count, by: 7) {
        var sum = 0
        for j in i..<admitted.count {
            sum += admitted[j].n
            let elapsed = admitted[j].at - admitted[i].at
            #expect(Double(sum) <= Double(burst) + Double(limit) * Double(elapsed) / Double(60 * second))
        }
    }
}
