import Testing
@testable import SluiceCore

private let k = CacheTestData.key
private let big: UInt64 = 1_000_000

private func hit(_ p: PromptCacheLRU.Probe) -> CachedResponse? {
    if case .hit(let r) = p { return r }
    return nil
}

@Test func lru_insertGet_hit() {
    var lru = PromptCacheLRU(capacity: 1000)
    #expect(lru.insert(k(1), CacheTestData.response(size: 200, status: 201), cost: 200, now: 0, ttlNanos: big) == 0)
    #expect(hit(lru.get(k(1), now: 1, maxAgeNanos: big))?.status == 201)
    #expect(lru.count == 1)
    #expect(lru.bytes == 200)
    if case .absent = lru.get(k(2), now: 1, maxAgeNanos: big) {} else { Issue.record("expected absent") }
}

@Test func lru_overCapacity_evictsLeastRecent() {
    var lru = PromptCacheLRU(capacity: 600)
    for i in 1...3 { _ = lru.insert(k(i), CacheTestData.response(size: 200), cost: 200, now: 0, ttlNanos: big) }
    _ = lru.get(k(1), now: 0, maxAgeNanos: big) // 1 becomes most recent; 2 is now the oldest
    #expect(lru.insert(k(4), CacheTestData.response(size: 200), cost: 200, now: 0, ttlNanos: big) == 1)
    #expect(lru.keysByRecency == [k(4), k(1), k(3)])
    #expect(lru.bytes == 600)
}

@Test func lru_largeInsert_evictsSeveral() {
    var lru = PromptCacheLRU(capacity: 600)
    for i in 1...3 { _ = lru.insert(k(i), CacheTestData.response(size: 200), cost: 200, now: 0, ttlNanos: big) }
    #expect(lru.insert(k(9), CacheTestData.response(size: 500), cost: 500, now: 0, ttlNanos: big) == 3)
    #expect(lru.keysByRecency == [k(9)])
}

@Test func lru_costOverCapacity_refusedUnchanged() {
    var lru = PromptCacheLRU(capacity: 300)
    _ = lru.insert(k(1), CacheTestData.response(size: 200), cost: 200, now: 0, ttlNanos: big)
    #expect(lru.insert(k(2), CacheTestData.response(size: 400), cost: 400, now: 0, ttlNanos: big) == nil)
    #expect(lru.keysByRecency == [k(1)])
}

@Test func lru_replaceSameKey_updatesBytes() {
    var lru = PromptCacheLRU(capacity: 1000)
    _ = lru.insert(k(1), CacheTestData.response(size: 200), cost: 200, now: 0, ttlNanos: big)
    _ = lru.insert(k(1), CacheTestData.response(size: 300, status: 202), cost: 300, now: 0, ttlNanos: big)
    #expect(lru.count == 1)
    #expect(lru.bytes == 300)
    #expect(hit(lru.get(k(1), now: 0, maxAgeNanos: big))?.status == 202)
}

@Test func lru_ttlAndMaxAge_expireAndRemove() {
    var lru = PromptCacheLRU(capacity: 1000)
    _ = lru.insert(k(1), CacheTestData.response(size: 200), cost: 200, now: 100, ttlNanos: 50)
    #expect(hit(lru.get(k(1), now: 149, maxAgeNanos: big)) != nil)
    if case .expired = lru.get(k(1), now: 150, maxAgeNanos: big) {} else { Issue.record("expected expired") }
    #expect(lru.count == 0)
    _ = lru.insert(k(2), CacheTestData.response(size: 200), cost: 200, now: 100, ttlNanos: big)
    #expect(lru.peek(k(2), now: 120, maxAgeNanos: 30) != nil)
    if case .expired = lru.get(k(2), now: 130, maxAgeNanos: 30) {} else { Issue.record("shorter caller TTL applies") }
    #expect(lru.bytes == 0)
}

@Test func lru_removeExpired_sweepsOnlyStale() {
    var lru = PromptCacheLRU(capacity: 10_000)
    for i in 0..<6 {
        _ = lru.insert(k(i), CacheTestData.response(size: 200), cost: 200, now: 0, ttlNanos: i % 2 == 0 ? 10 : big)
    }
    #expect(lru.removeExpired(now: 10) == 3)
    #expect(lru.keysByRecency == [k(5), k(3), k(1)])
    #expect(lru.bytes == 600)
}

@Test func lru_slotsReused_afterRemoval() {
    var lru = PromptCacheLRU(capacity: 400)
    for i in 0..<100 { _ = lru.insert(k(i), CacheTestData.response(size: 200), cost: 200, now: 0, ttlNanos: big) }
    #expect(lru.count == 2)
    #expect(lru.keysByRecency == [k(99), k(98)])
    let first = lru.remove(k(99))
    let second = lru.remove(k(99))
    #expect(first && !second)
    lru.removeAll()
    #expect(lru.count == 0 && lru.bytes == 0 && lru.keysByRecency.isEmpty)
}

@Test func lru_ttlOverflow_saturates() {
    var lru = PromptCacheLRU(capacity: 1000)
    _ = lru.insert(k(1), CacheTestData.response(size: 200), cost: 200, now: 10, ttlNanos: UInt64.max)
    #expect(hit(lru.get(k(1), now: UInt64.max - 1, maxAgeNanos: UInt64.max)) != nil)
}

@Test func lru_replaceInFullCache_freesTheOldEntryBeforeEvicting() {
    var lru = PromptCacheLRU(capacity: 600)
    for i in 1...3 { _ = lru.insert(k(i), CacheTestData.response(size: 200), cost: 200, now: 0, ttlNanos: big) }
    #expect(lru.insert(k(2), CacheTestData.response(size: 200, status: 203), cost: 200, now: 0, ttlNanos: big) == 0)
    #expect(lru.keysByRecency == [k(2), k(3), k(1)])
    #expect(lru.insert(k(3), CacheTestData.response(size: 400), cost: 400, now: 0, ttlNanos: big) == 1)
    #expect(lru.keysByRecency == [k(3), k(2)])
    #expect(lru.bytes == 600)
}

/// Random inserts (replacements included), lookups and removals against a plain recency list.
@Test(arguments: 1...4)
func lru_randomOperations_matchReferenceModel(seed: Int) {
    var lru = PromptCacheLRU(capacity: 1000)
    var model: [(key: Int, cost: Int)] = [] // most recent first
    var rng = FastRandom(seed: UInt64(seed))
    func next(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    for _ in 0..<600 {
        let key = next(24)
        switch next(3) {
        case 0:
            let cost = 50 + next(400)
            var evicted = 0
            model.removeAll { $0.key == key }
            while model.reduce(0, { $0 + $1.cost }) + cost > 1000 {
                model.removeLast()
                evicted += 1
            }
            model.insert((key, cost), at: 0)
            #expect(lru.insert(k(key), CacheTestData.response(size: cost), cost: cost, now: 0, ttlNanos: big) == evicted)
        case 1:
            let found = hit(lru.get(k(key), now: 0, maxAgeNanos: big)) != nil
            if let at = model.firstIndex(where: { $0.key == key }) {
                model.insert(model.remove(at: at), at: 0)
                #expect(found)
            } else {
                #expect(!found)
            }
        default:
            let had = model.contains { $0.key == key }
            model.removeAll { $0.key == key }
            #expect(lru.remove(k(key)) == had)
        }
        #expect(lru.keysByRecency == model.map { k($0.key) })
        #expect(lru.bytes == model.reduce(0) { $0 + $1.cost })
    }
}

@Test func lru_keysOfEqualIndexHash_areToldApart() {
    // Zero-filled keys of every length have the same words, hence the same index hash: only `==` (the length)
    // separates them, through one long run of equal tags.
    let keys = (0...CacheKey.capacity).map { CacheKey(bytes: [UInt8](repeating: 0, count: $0)) }
    var lru = PromptCacheLRU(capacity: 100_000)
    for (n, key) in keys.enumerated() {
        #expect(lru.insert(key, CacheTestData.response(size: 200, status: 200 + n), cost: 200, now: 0, ttlNanos: big) == 0)
    }
    #expect(lru.count == keys.count)
    let first = lru.remove(keys[5])
    let second = lru.remove(keys[5])
    #expect(first && !second)
    _ = lru.insert(keys[9], CacheTestData.response(size: 200, status: 999), cost: 200, now: 0, ttlNanos: big)
    #expect(lru.count == keys.count - 1)
    for (n, key) in keys.enumerated() where n != 5 {
        #expect(hit(lru.get(key, now: 0, maxAgeNanos: big))?.status == (n == 9 ? 999 : 200 + n))
    }
    #expect(lru.peek(keys[5], now: 0, maxAgeNanos: big) == nil)
}
