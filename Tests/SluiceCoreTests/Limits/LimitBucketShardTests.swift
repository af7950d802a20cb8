import Testing
@testable import SluiceCore

@Test func limitBucketShard_lockOrder_sortsAndDeduplicates() {
    let a = LimitBucketShard(capacity: 1), b = LimitBucketShard(capacity: 1), c = LimitBucketShard(capacity: 1)
    let ordered = LimitBucketShard.lockOrder([c, a, b, a, c])
    #expect(ordered.count == 3)
    for i in 1..<ordered.count { #expect(ObjectIdentifier(ordered[i - 1]) < ObjectIdentifier(ordered[i])) }
    #expect(LimitBucketShard.lockOrder([b, b]).count == 1)
    #expect(LimitBucketShard.lockOrder([]).isEmpty)
}

@Test func limitBucketShard_withLocked_runsBodyOnceWithAllStores() {
    let a = LimitBucketShard(capacity: 4), b = LimitBucketShard(capacity: 4)
    let order = LimitBucketShard.lockOrder([a, b])
    let n = LimitBucketShard.withLocked(order[...]) { () -> Int in
        for s in [a, b] {
            _ = s.lockedStore.modify("k", now: 0, create: true,
                                     make: { TokenBucket(limit: 1, windowNanos: 1, burst: 1, now: 0) }) { _ in () }
        }
        return a.lockedStore.count + b.lockedStore.count
    }
    #expect(n == 2)
    #expect(a.withLock { $0.count } == 1)
}
