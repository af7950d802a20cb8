import Testing
@testable import SluiceCore

private let ttl = 60 * CacheTestData.second

@Test func ticket_completeTwice_secondFalse() {
    let store = PromptCacheStore(maxBytes: 10_000, maxEntryBytes: 1_000, clock: CacheTestClock())
    guard let t = CacheTestData.ticket(store.lookup(CacheTestData.key(1), ttlNanos: ttl, coalesce: true, onLeaderDone: CacheTestData.ignore)) else { return }
    #expect(!t.isCompleted)
    #expect(store.complete(t, storing: CacheTestData.response(size: 200), ttlNanos: ttl))
    #expect(t.isCompleted)
    #expect(!store.complete(t, storing: CacheTestData.response(size: 300), ttlNanos: ttl))
    #expect(store.stats().stores == 1 && store.stats().bytes == 200)
}

@Test func ticket_otherStore_refused() {
    let a = PromptCacheStore(maxBytes: 10_000, maxEntryBytes: 1_000, clock: CacheTestClock())
    let b = PromptCacheStore(maxBytes: 10_000, maxEntryBytes: 1_000, clock: CacheTestClock())
    guard let t = CacheTestData.ticket(a.lookup(CacheTestData.key(1), ttlNanos: ttl, coalesce: true, onLeaderDone: CacheTestData.ignore)) else { return }
    #expect(!b.complete(t, storing: CacheTestData.response(size: 200), ttlNanos: ttl))
    #expect(!t.isCompleted)
    #expect(b.stats().entries == 0)
    #expect(a.complete(t, storing: nil, ttlNanos: ttl))
}

@Test func ticket_droppedUncompleted_wakesFollowersAndCountsAbandoned() {
    let store = PromptCacheStore(maxBytes: 10_000, maxEntryBytes: 1_000, clock: CacheTestClock())
    let rec = CacheTestRecorder()
    do {
        let l = store.lookup(CacheTestData.key(1), ttlNanos: ttl, coalesce: true, onLeaderDone: rec.callback)
        #expect(CacheTestData.ticket(l) != nil)
        for _ in 0..<3 { _ = store.lookup(CacheTestData.key(1), ttlNanos: ttl, coalesce: true, onLeaderDone: rec.callback) }
    }
    #expect(rec.count == 3 && rec.nilCount == 3)
    let s = store.stats()
    #expect(s.abandoned == 1 && s.pendingLeaders == 0)
}

@Test func ticket_completedThenDropped_notAbandoned() {
    let store = PromptCacheStore(maxBytes: 10_000, maxEntryBytes: 1_000, clock: CacheTestClock())
    do {
        if let t = CacheTestData.ticket(store.lookup(CacheTestData.key(1), ttlNanos: ttl, coalesce: true, onLeaderDone: CacheTestData.ignore)) {
            store.complete(t, storing: nil, ttlNanos: ttl)
        }
    }
    #expect(store.stats().abandoned == 0)
}

@Test func ticket_ids_uniquePerStore() {
    let store = PromptCacheStore(maxBytes: 10_000, maxEntryBytes: 1_000, clock: CacheTestClock())
    let ts = (0..<10).compactMap { CacheTestData.ticket(store.lookup(CacheTestData.key($0), ttlNanos: ttl, coalesce: true, onLeaderDone: CacheTestData.ignore)) }
    #expect(Set(ts.map(\.id)).count == 10)
    #expect(ts.enumerated().allSatisfy { $0.element.key == CacheTestData.key($0.offset) })
    for t in ts { store.complete(t, storing: nil, ttlNanos: ttl) }
}
