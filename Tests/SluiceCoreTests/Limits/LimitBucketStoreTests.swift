import Testing
@testable import SluiceCore

private let second: UInt64 = 1_000_000_000

private func bucket(_ now: UInt64 = 0) -> TokenBucket {
    TokenBucket(limit: 10, windowNanos: second, burst: 10, now: now)
}

/// Creates `key` and takes `n` from it.
private func use(_ s: inout LimitBucketStore, _ key: String, _ n: Int, now: UInt64 = 0) {
    _ = s.modify(key, now: now, create: true, make: { bucket(now) }) { $0.take(n) }
}

@Test func limitBucketStore_absentKey_peeksNil_andModifyWithoutCreateIsNil() {
    var s = LimitBucketStore(capacity: 4)
    #expect(s.peek("a", now: 0) == nil)
    #expect(s.modify("a", now: 0, create: false, make: { bucket() }) { $0.give(1) } == nil)
    #expect(s.count == 0)
}

@Test func limitBucketStore_modify_createsAndKeepsState() {
    var s = LimitBucketStore(capacity: 4)
    use(&s, "a", 3)
    #expect(s.count == 1)
    #expect(s.peek("a", now: 0)?.available == 7)
    #expect(s.peek("a", now: second / 10)?.available == 8)
}

@Test func limitBucketStore_overflow_evictsFullBucketsFirst() {
    var s = LimitBucketStore(capacity: 3)
    use(&s, "old-busy", 10)
    use(&s, "full", 0)
    use(&s, "busy", 10)
    use(&s, "new", 1)
    #expect(s.count == 3)
    #expect(s.peek("full", now: 0) == nil)
    #expect(s.peek("old-busy", now: 0) != nil)
    #expect(s.evictions == 1 && s.lossyEvictions == 0)
}

@Test func limitBucketStore_overflow_dropsEveryFullBucketAtOnce() {
    var s = LimitBucketStore(capacity: 4)
    use(&s, "a", 5)
    use(&s, "b", 5)
    use(&s, "c", 10)
    use(&s, "d", 1)
    // Half a second later a, b and d have refilled; c has not.
    use(&s, "e", 1, now: second / 2)
    #expect(s.count == 2)
    #expect(s.peek("c", now: second / 2) != nil)
    #expect(s.peek("e", now: second / 2) != nil)
    #expect(s.lossyEvictions == 0)
}

@Test func limitBucketStore_overflow_withoutFullBuckets_evictsLeastRecentlyUsed() {
    var s = LimitBucketStore(capacity: 3)
    use(&s, "a", 5)
    use(&s, "b", 5)
    use(&s, "c", 5)
    use(&s, "a", 1) // a is now the most recently used
    use(&s, "d", 5)
    #expect(s.peek("b", now: 0) == nil)
    #expect(s.peek("a", now: 0) != nil)
    #expect(s.peek("c", now: 0) != nil)
    #expect(s.lossyEvictions == 1)
    use(&s, "e", 5)
    #expect(s.peek("c", now: 0) == nil)
    #expect(s.count == 3)
}

@Test func limitBucketStore_refundToFull_isEvictableBeforeScheduledSweep() {
    var s = LimitBucketStore(capacity: 2)
    use(&s, "a", 5)
    use(&s, "b", 5)
    use(&s, "c", 5) // sweep finds nothing full: LRU "a" goes; next sweep not before 0.5s
    #expect(s.peek("a", now: 0) == nil)
    _ = s.modify("b", now: 0, create: false, make: { bucket() }) { $0.give(5) }
    use(&s, "d", 5)
    #expect(s.peek("b", now: 0) == nil)
    #expect(s.peek("c", now: 0) != nil)
    #expect(s.lossyEvictions == 1)
}

@Test func limitBucketStore_slotsAreReused() {
    var s = LimitBucketStore(capacity: 1)
    for i in 0..<50 { use(&s, "k\(i)", 10) }
    #expect(s.count == 1)
    #expect(s.entries().count == 1)
    #expect(s.entries().first?.key == "k49")
}

@Test func limitBucketStore_entries_leastRecentlyUsedFirst() {
    var s = LimitBucketStore(capacity: 8)
    use(&s, "a", 1)
    use(&s, "b", 1)
    use(&s, "c", 1)
    use(&s, "a", 1)
    #expect(s.entries().map(\.key) == ["b", "c", "a"])
}

@Test func limitBucketStore_capacityBelowOne_isOne() {
    #expect(LimitBucketStore(capacity: 0).capacity == 1)
}
