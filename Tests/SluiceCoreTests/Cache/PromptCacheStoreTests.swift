import Testing
@testable import SluiceCore

private let k = CacheTestData.key
private let ttl = 60 * CacheTestData.second

/// Stores `response` under `key` through the normal leader path.
private func fill(_ store: PromptCacheStore, _ key: CacheKey, _ response: CachedResponse, ttlNanos: UInt64 = ttl) {
    guard let t = CacheTestData.ticket(store.lookup(key, ttlNanos: ttlNanos, coalesce: true, onLeaderDone: CacheTestData.ignore)) else {
        Issue.record("expected a leader")
        return
    }
    #expect(store.complete(t, storing: response, ttlNanos: ttlNanos))
}

private func lookupHit(_ store: PromptCacheStore, _ key: CacheKey, ttlNanos: UInt64 = ttl) -> CachedResponse? {
    let l = store.lookup(key, ttlNanos: ttlNanos, coalesce: false, onLeaderDone: CacheTestData.ignore)
    switch l {
    case .hit(let r): return r
    case .leader(let t):
        store.complete(t, storing: nil, ttlNanos: ttlNanos)
        return nil
    case .follower: return nil
    }
}

@Test func store_missThenComplete_hit() {
    let store = PromptCacheStore(maxBytes: 10_000, maxEntryBytes: 1_000, clock: CacheTestClock())
    fill(store, k(1), CacheTestData.response(size: 300, status: 203))
    #expect(lookupHit(store, k(1))?.status == 203)
    let s = store.stats()
    #expect(s.entries == 1 && s.bytes == 300 && s.hits == 1 && s.misses == 1 && s.stores == 1)
}

@Test func store_streamResponse_replayedAsEvents() {
    let store = PromptCacheStore(maxBytes: 10_000, maxEntryBytes: 1_000, clock: CacheTestClock())
    let events = [Array("data: {\"x\":1}\n\n".utf8), Array("data: [DONE]\n\n".utf8)]
    fill(store, k(1), CachedResponse(status: 200, headers: [("content-type", "text/event-stream")], sseEvents: events))
    let hit = lookupHit(store, k(1))
    #expect(hit?.isStream == true)
    #expect(hit?.sseEvents == events)
}

@Test func store_overMaxEntryBytes_refused() {
    let store = PromptCacheStore(maxBytes: 10_000, maxEntryBytes: 500, clock: CacheTestClock())
    fill(store, k(1), CacheTestData.response(size: 501))
    fill(store, k(2), CacheTestData.response(size: 500))
    #expect(lookupHit(store, k(1)) == nil)
    #expect(lookupHit(store, k(2)) != nil)
    #expect(store.stats().rejected == 1)
    #expect(store.stats().entries == 1)
}

@Test func store_lruByBytes_evictsOldest() {
    // maxBytes / maxEntryBytes = 1 -> one shard, so the whole store is one exact LRU.
    let store = PromptCacheStore(maxBytes: 1_000, maxEntryBytes: 1_000, clock: CacheTestClock())
    #expect(store.shardCount == 1)
    for i in 1...3 { fill(store, k(i), CacheTestData.response(size: 300)) }
    #expect(lookupHit(store, k(1)) != nil) // refresh 1; 2 is now least recent
    fill(store, k(4), CacheTestData.response(size: 300))
    #expect(lookupHit(store, k(2)) == nil)
    #expect(lookupHit(store, k(1)) != nil)
    #expect(lookupHit(store, k(3)) != nil)
    #expect(lookupHit(store, k(4)) != nil)
    let s = store.stats()
    #expect(s.evictions == 1 && s.entries == 3 && s.bytes == 900)
}

@Test func store_bytesNeverExceedMax_manyShards() {
    let store = PromptCacheStore(maxBytes: 8_000, maxEntryBytes: 1_000, clock: CacheTestClock())
    #expect(store.shardCount == 8)
    for i in 0..<500 { fill(store, k(i), CacheTestData.response(size: 150 + i % 700)) }
    let s = store.stats()
    #expect(s.bytes <= 8_000)
    #expect(s.entries > 0)
    #expect(s.stores == 500)
    #expect(s.evictions == 500 - s.entries)
}

@Test func store_shardCount_boundedByEntryFit() {
    let clock = CacheTestClock()
    #expect(PromptCacheStore(maxBytes: 256 << 20, maxEntryBytes: 1 << 20, clock: clock).shardCount == 8)
    #expect(PromptCacheStore(maxBytes: 3_000, maxEntryBytes: 1_000, clock: clock).shardCount == 3)
    #expect(PromptCacheStore(maxBytes: 0, maxEntryBytes: 0, clock: clock).shardCount == 1)
    #expect(PromptCacheStore(maxBytes: 1 << 20, maxEntryBytes: 1, clock: clock, shardCount: 4).shardCount == 4)
}

@Test func store_ttl_expiresWithClock() {
    let clock = CacheTestClock()
    let store = PromptCacheStore(maxBytes: 10_000, maxEntryBytes: 1_000, clock: clock)
    fill(store, k(1), CacheTestData.response(size: 200), ttlNanos: 10 * CacheTestData.second)
    clock.advance(9 * CacheTestData.second)
    #expect(lookupHit(store, k(1), ttlNanos: 10 * CacheTestData.second) != nil)
    clock.advance(CacheTestData.second)
    #expect(lookupHit(store, k(1), ttlNanos: 10 * CacheTestData.second) == nil)
    let s = store.stats()
    #expect(s.expirations == 1 && s.entries == 0 && s.bytes == 0)
}

@Test func store_shorterLookupTTL_afterReload_treatsOldEntryAsStale() {
    let clock = CacheTestClock()
    let store = PromptCacheStore(maxBytes: 10_000, maxEntryBytes: 1_000, clock: clock)
    fill(store, k(1), CacheTestData.response(size: 200), ttlNanos: 600 * CacheTestData.second)
    clock.advance(61 * CacheTestData.second)
    #expect(lookupHit(store, k(1), ttlNanos: 600 * CacheTestData.second) != nil)
    #expect(lookupHit(store, k(1), ttlNanos: 60 * CacheTestData.second) == nil)
}

@Test func store_zeroTTL_notStored() {
    let store = PromptCacheStore(maxBytes: 10_000, maxEntryBytes: 1_000, clock: CacheTestClock())
    fill(store, k(1), CacheTestData.response(size: 200), ttlNanos: 0)
    #expect(store.stats().entries == 0)
    #expect(!store.insert(k(1), CacheTestData.response(size: 200), ttlNanos: 0))
}

@Test func store_purge_dropsEntriesKeepsCounters() {
    let store = PromptCacheStore(maxBytes: 10_000, maxEntryBytes: 1_000, clock: CacheTestClock())
    for i in 0..<5 { fill(store, k(i), CacheTestData.response(size: 200)) }
    store.purge()
    let s = store.stats()
    #expect(s.entries == 0 && s.bytes == 0)
    #expect(s.misses == 5 && s.stores == 5)
    #expect(lookupHit(store, k(0)) == nil)
    fill(store, k(0), CacheTestData.response(size: 200))
    #expect(lookupHit(store, k(0)) != nil)
}

@Test func store_stats_countsBypassAndBounds() {
    let store = PromptCacheStore(maxBytes: 10_000, maxEntryBytes: 1_000, clock: CacheTestClock())
    store.recordBypass()
    store.recordBypass()
    fill(store, k(1), CacheTestData.response(size: 200))
    _ = lookupHit(store, k(1))
    _ = lookupHit(store, k(2))
    let s = store.stats()
    #expect(s.bypasses == 2 && s.hits == 1 && s.misses == 2)
    #expect(s.maxBytes == 10_000 && s.maxEntryBytes == 1_000)
    #expect(s.pendingLeaders == 0 && s.abandoned == 0)
}

@Test func store_isCompatible_onlyBoundsMatter() {
    var c = PromptCacheConfig()
    let store = PromptCacheStore(config: c, clock: CacheTestClock())
    c.ttl = .seconds(5)
    c.coalesce = false
    c.deterministicOnly = false
    #expect(store.isCompatible(with: c))
    c.maxBytes = 1 << 20
    #expect(!store.isCompatible(with: c))
    #expect(!store.isCompatible(with: PromptCacheConfig(maxEntryBytes: 2 << 20)))
}

@Test func store_contains_doesNotCountOrPromote() {
    let store = PromptCacheStore(maxBytes: 1_000, maxEntryBytes: 1_000, clock: CacheTestClock())
    fill(store, k(1), CacheTestData.response(size: 400))
    fill(store, k(2), CacheTestData.response(size: 400))
    #expect(store.contains(k(1), ttlNanos: ttl))
    #expect(!store.contains(k(3), ttlNanos: ttl))
    fill(store, k(3), CacheTestData.response(size: 400)) // evicts 1: contains() did not refresh it
    #expect(!store.contains(k(1), ttlNanos: ttl))
    #expect(store.stats().hits == 0)
}

@Test func store_entryStoreProtocol_fetchAndSave() {
    let store = PromptCacheStore(maxBytes: 10_000, maxEntryBytes: 1_000, clock: CacheTestClock())
    let shared: any PromptCacheEntryStore = store
    shared.save(k(1), CacheTestData.response(size: 200, status: 207), ttlNanos: ttl)
    let rec = CacheTestRecorder()
    shared.fetch(k(1), ttlNanos: ttl, completion: rec.callback)
    shared.fetch(k(2), ttlNanos: ttl, completion: rec.callback)
    #expect(rec.all.map { $0?.status } == [207, nil])
    shared.purge()
    #expect(store.stats().entries == 0)
}

@Test func store_removeExpired_sweepsAllShards() {
    let clock = CacheTestClock()
    let store = PromptCacheStore(maxBytes: 80_000, maxEntryBytes: 1_000, clock: clock)
    for i in 0..<40 { store.insert(k(i), CacheTestData.response(size: 200), ttlNanos: i < 30 ? 5 : ttl) }
    clock.advance(5)
    #expect(store.removeExpired() == 30)
    let s = store.stats()
    #expect(s.entries == 10 && s.expirations == 30)
}
