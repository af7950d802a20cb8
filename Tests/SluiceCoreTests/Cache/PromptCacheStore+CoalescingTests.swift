import Dispatch
import Synchronization
import Testing
@testable import SluiceCore

private let k = CacheTestData.key
private let ttl = 60 * CacheTestData.second

private func makeStore(maxFollowers: Int = 1024, maxPending: Int = 65_536) -> PromptCacheStore {
    PromptCacheStore(maxBytes: 100_000, maxEntryBytes: 1_000, clock: CacheTestClock(),
                     maxFollowersPerKey: maxFollowers, maxPendingKeys: maxPending)
}

@Test func coalesce_leaderAndFollowers_followersGetStoredResponse() {
    let store = makeStore()
    let rec = CacheTestRecorder()
    let leader = store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: rec.callback)
    guard let ticket = CacheTestData.ticket(leader) else {
        Issue.record("first lookup must lead")
        return
    }
    #expect(ticket.isCoalescing)
    for _ in 0..<5 { #expect(CacheTestData.isFollower(store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: rec.callback))) }
    #expect(rec.count == 0)
    #expect(store.stats().pendingLeaders == 1)
    #expect(store.complete(ticket, storing: CacheTestData.response(size: 300, status: 200), ttlNanos: ttl))
    #expect(rec.count == 5) // the leader's own callback is never called
    #expect(rec.all.allSatisfy { $0?.status == 200 })
    let s = store.stats()
    #expect(s.misses == 1 && s.coalesced == 5 && s.hits == 5 && s.pendingLeaders == 0)
    #expect(CacheTestData.isHit(store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: rec.callback)))
}

@Test func coalesce_leaderFailsNil_eachFollowerNilOnceThenGoesUpstream() {
    let store = makeStore()
    let rec = CacheTestRecorder()
    guard let ticket = CacheTestData.ticket(store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: rec.callback)) else {
        Issue.record("expected leader")
        return
    }
    for _ in 0..<4 { _ = store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: rec.callback) }
    #expect(store.complete(ticket, storing: nil, ttlNanos: ttl))
    #expect(rec.count == 4 && rec.nilCount == 4)
    #expect(!store.complete(ticket, storing: nil, ttlNanos: ttl))
    #expect(rec.count == 4)
    // Each follower retries uncoalesced and becomes its own leader.
    var retries: [CoalesceTicket] = []
    for _ in 0..<4 {
        if let t = CacheTestData.ticket(store.lookup(k(1), ttlNanos: ttl, coalesce: false, onLeaderDone: CacheTestData.ignore)) {
            #expect(!t.isCoalescing)
            retries.append(t)
        }
    }
    #expect(retries.count == 4)
    for t in retries { store.complete(t, storing: nil, ttlNanos: ttl) }
    let s = store.stats()
    #expect(s.hits == 0 && s.misses == 5 && s.coalesced == 4)
}

@Test func coalesce_tooLargeAnswer_followersNil() {
    let store = makeStore()
    let rec = CacheTestRecorder()
    guard let t = CacheTestData.ticket(store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: rec.callback)) else { return }
    _ = store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: rec.callback)
    store.complete(t, storing: CacheTestData.response(size: 5_000), ttlNanos: ttl)
    #expect(rec.nilCount == 1)
    #expect(store.stats().rejected == 1)
}

@Test func coalesce_false_missesAlwaysLead() {
    let store = makeStore()
    let a = CacheTestData.ticket(store.lookup(k(1), ttlNanos: ttl, coalesce: false, onLeaderDone: CacheTestData.ignore))
    let b = CacheTestData.ticket(store.lookup(k(1), ttlNanos: ttl, coalesce: false, onLeaderDone: CacheTestData.ignore))
    #expect(a != nil && b != nil && a?.id != b?.id)
    #expect(a?.isCoalescing == false)
    #expect(store.stats().pendingLeaders == 0)
    if let a { #expect(store.complete(a, storing: CacheTestData.response(size: 200), ttlNanos: ttl)) }
    if let b { #expect(store.complete(b, storing: CacheTestData.response(size: 200), ttlNanos: ttl)) }
    #expect(store.stats().entries == 1)
}

@Test func coalesce_uncoalescedLeaderInFlight_coalescingCallerLeadsToo() {
    let store = makeStore()
    let a = CacheTestData.ticket(store.lookup(k(1), ttlNanos: ttl, coalesce: false, onLeaderDone: CacheTestData.ignore))
    let b = CacheTestData.ticket(store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: CacheTestData.ignore))
    #expect(a != nil && b?.isCoalescing == true)
    if let a { store.complete(a, storing: nil, ttlNanos: ttl) }
    #expect(store.stats().pendingLeaders == 1) // a's completion does not end b's group
    if let b { store.complete(b, storing: nil, ttlNanos: ttl) }
    #expect(store.stats().pendingLeaders == 0)
}

@Test func coalesce_differentKeys_independentLeaders() {
    let store = makeStore()
    let a = CacheTestData.ticket(store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: CacheTestData.ignore))
    let b = CacheTestData.ticket(store.lookup(k(2), ttlNanos: ttl, coalesce: true, onLeaderDone: CacheTestData.ignore))
    #expect(a != nil && b != nil)
    #expect(store.stats().pendingLeaders == 2)
    if let a { store.complete(a, storing: nil, ttlNanos: ttl) }
    if let b { store.complete(b, storing: nil, ttlNanos: ttl) }
}

@Test func coalesce_afterNilLeader_nextCoalescingLookupLeadsAgain() {
    let store = makeStore()
    guard let t = CacheTestData.ticket(store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: CacheTestData.ignore)) else { return }
    store.complete(t, storing: nil, ttlNanos: ttl)
    let again = CacheTestData.ticket(store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: CacheTestData.ignore))
    #expect(again?.isCoalescing == true)
    if let again { store.complete(again, storing: nil, ttlNanos: ttl) }
}

@Test func coalesce_followerLimit_extraMissLeadsUncoalesced() {
    let store = makeStore(maxFollowers: 2)
    let rec = CacheTestRecorder()
    guard let t = CacheTestData.ticket(store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: rec.callback)) else { return }
    #expect(CacheTestData.isFollower(store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: rec.callback)))
    #expect(CacheTestData.isFollower(store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: rec.callback)))
    let extra = CacheTestData.ticket(store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: rec.callback))
    #expect(extra?.isCoalescing == false)
    store.complete(t, storing: CacheTestData.response(size: 200), ttlNanos: ttl)
    #expect(rec.count == 2)
    if let extra { store.complete(extra, storing: nil, ttlNanos: ttl) }
}

@Test func coalesce_pendingLimit_extraKeysLeadUncoalesced() {
    let store = PromptCacheStore(maxBytes: 1_000, maxEntryBytes: 1_000, clock: CacheTestClock(), maxPendingKeys: 2)
    let tickets = (0..<3).compactMap { CacheTestData.ticket(store.lookup(k($0), ttlNanos: ttl, coalesce: true, onLeaderDone: CacheTestData.ignore)) }
    #expect(tickets.map(\.isCoalescing) == [true, true, false])
    #expect(store.stats().pendingLeaders == 2)
    for t in tickets { store.complete(t, storing: nil, ttlNanos: ttl) }
}

@Test func coalesce_purgeWhileInFlight_followersStillWoken() {
    let store = makeStore()
    let rec = CacheTestRecorder()
    guard let t = CacheTestData.ticket(store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: rec.callback)) else { return }
    _ = store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: rec.callback)
    store.purge()
    store.complete(t, storing: CacheTestData.response(size: 200), ttlNanos: ttl)
    #expect(rec.count == 1 && rec.nilCount == 0)
}

@Test func coalesce_callbackReentersStore_noDeadlock() {
    let store = makeStore()
    let seen = Locked<Bool>(false)
    guard let t = CacheTestData.ticket(store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: CacheTestData.ignore)) else { return }
    _ = store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: { _ in
        let again = store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: CacheTestData.ignore)
        seen.withLock { $0 = CacheTestData.isHit(again) }
    })
    store.complete(t, storing: CacheTestData.response(size: 200), ttlNanos: ttl)
    #expect(seen.withLock { $0 })
}

@Test func coalesce_concurrentThreads_exactlyOneLeaderPerKey() {
    let store = makeStore()
    let keys = 16
    let callersPerKey = 40
    let leaders = Locked<[Int: [CoalesceTicket]]>([:])
    let followers = Atomic<Int>(0)
    let woken = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: keys * callersPerKey) { i in
        let key = i % keys
        let l = store.lookup(k(key), ttlNanos: ttl, coalesce: true, onLeaderDone: { r in
            if r != nil { woken.wrappingAdd(1, ordering: .relaxed) }
        })
        switch l {
        case .leader(let t): leaders.withLock { $0[key, default: []].append(t) }
        case .follower: followers.wrappingAdd(1, ordering: .relaxed)
        case .hit: Issue.record("nothing stored yet")
        }
    }
    let all = leaders.withLock { $0 }
    #expect(all.count == keys)
    #expect(all.values.allSatisfy { $0.count == 1 })
    #expect(followers.load(ordering: .relaxed) == keys * (callersPerKey - 1))
    DispatchQueue.concurrentPerform(iterations: keys) { i in
        if let t = all[i]?.first { store.complete(t, storing: CacheTestData.response(size: 200), ttlNanos: ttl) }
    }
    #expect(woken.load(ordering: .relaxed) == keys * (callersPerKey - 1))
    let s = store.stats()
    #expect(s.misses == keys && s.hits == keys * (callersPerKey - 1) && s.pendingLeaders == 0 && s.entries == keys)
}

@Test func coalesce_concurrentCompleteAndLookup_everyFollowerWokenOnce() {
    let store = makeStore()
    let woken = Atomic<Int>(0)
    let followers = Atomic<Int>(0)
    let rounds = 200
    DispatchQueue.concurrentPerform(iterations: rounds * 4) { i in
        let l = store.lookup(k(i % 7), ttlNanos: ttl, coalesce: true, onLeaderDone: { _ in woken.wrappingAdd(1, ordering: .relaxed) })
        switch l {
        case .leader(let t): store.complete(t, storing: i % 3 == 0 ? nil : CacheTestData.response(size: 150), ttlNanos: ttl)
        case .follower: followers.wrappingAdd(1, ordering: .relaxed)
        case .hit: break
        }
    }
    #expect(woken.load(ordering: .relaxed) == followers.load(ordering: .relaxed))
    #expect(store.stats().pendingLeaders == 0)
}

@Test func lookup_hitOrLeader_neverBuildsTheFollowerCallback() {
    let store = makeStore()
    let built = Locked<Int>(0)
    func callback() -> @Sendable (CachedResponse?) -> Void {
        built.withLock { $0 += 1 }
        return CacheTestData.ignore
    }
    guard let t = CacheTestData.ticket(store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: callback())) else { return }
    #expect(built.get() == 0)
    #expect(CacheTestData.isFollower(store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: callback())))
    #expect(built.get() == 1)
    store.complete(t, storing: CacheTestData.response(size: 200), ttlNanos: ttl)
    #expect(CacheTestData.isHit(store.lookup(k(1), ttlNanos: ttl, coalesce: true, onLeaderDone: callback())))
    #expect(built.get() == 1)
}
