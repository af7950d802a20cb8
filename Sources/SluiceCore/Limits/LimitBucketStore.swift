/// The buckets of one shard: key → slot, plus an intrusive least-recently-used list, at most `capacity`
/// keys. Not thread-safe: the owning `LimitBucketShard`'s lock guards every call.
///
/// Eviction when a new key arrives at capacity: first every FULL bucket is dropped (a full bucket is
/// equivalent to an absent one, since new buckets start full, so this loses nothing); only when none is
/// full does the least recently used bucket go (that key's budget is then refilled early — the one case
/// where the §5 bound can be exceeded, and only past `max_keys` distinct keys). A sweep that finds no
/// full bucket records when the first one can become full, so sustained churn does not rescan the shard
/// on every insert.
struct LimitBucketStore {
    private struct Slot {
        var key: String
        var bucket: TokenBucket
        var prev: Int
        var next: Int
    }

    /// Most keys kept.
    let capacity: Int
    private var index: [String: Int] = [:]
    private var slots: [Slot] = []
    private var freeSlots: [Int] = []
    private var head = -1 // most recently used
    private var tail = -1 // least recently used
    private var nextSweepAt: UInt64 = 0
    /// Buckets dropped so far because the store was at capacity (full ones included).
    private(set) var evictions = 0
    /// Non-full buckets dropped so far (budget lost).
    private(set) var lossyEvictions = 0

    init(capacity: Int) {
        self.capacity = Swift.max(capacity, 1)
    }

    /// Keys held.
    var count: Int { index.count }

    /// A copy of the bucket for `key`, refilled to `now`; nil when absent (equivalent to a full bucket).
    func peek(_ key: String, now: UInt64) -> TokenBucket? {
        guard let i = index[key] else { return nil }
        var b = slots[i].bucket
        b.refill(now: now)
        return b
    }

    /// Runs `body` on the bucket for `key`, refilled to `now`, and marks it most recently used. An absent
    /// key is created from `make()` when `create` is true (evicting if at capacity), else nil is returned.
    mutating func modify<R>(_ key: String, now: UInt64, create: Bool, make: () -> TokenBucket,
                            _ body: (inout TokenBucket) -> R) -> R? {
        let i: Int
        if let found = index[key] {
            i = found
            unlink(i)
        } else {
            guard create else { return nil }
            if index.count >= capacity { makeRoom(now: now) }
            i = allocate(key, make())
            index[key] = i
        }
        pushFront(i)
        slots[i].bucket.refill(now: now)
        let result = body(&slots[i].bucket)
        // A refund or a zero take can leave a bucket full outside a sweep: allow the next sweep at once.
        if slots[i].bucket.isFull { nextSweepAt = 0 }
        return result
    }

    /// Every (key, bucket) pair, least recently used first (so re-inserting in order keeps recency).
    func entries() -> [(key: String, bucket: TokenBucket)] {
        var out: [(key: String, bucket: TokenBucket)] = []
        out.reserveCapacity(index.count)
        var i = tail
        while i >= 0 {
            out.append((slots[i].key, slots[i].bucket))
            i = slots[i].prev
        }
        return out
    }

    private mutating func makeRoom(now: UInt64) {
        if now >= nextSweepAt { sweepFull(now: now) }
        while index.count >= capacity, tail >= 0 {
            lossyEvictions += 1
            remove(tail)
        }
    }

    private mutating func sweepFull(now: UInt64) {
        var soonest = UInt64.max
        var i = tail
        while i >= 0 {
            let prev = slots[i].prev
            slots[i].bucket.refill(now: now)
            if slots[i].bucket.isFull {
                remove(i)
            } else {
                soonest = Swift.min(soonest, slots[i].bucket.nanosUntilFull())
            }
            i = prev
        }
        let (at, overflow) = now.addingReportingOverflow(soonest)
        nextSweepAt = overflow ? UInt64.max : at
    }

    private mutating func remove(_ i: Int) {
        unlink(i)
        index[slots[i].key] = nil
        slots[i].key = "" // release the key's storage now, not when the slot is reused
        freeSlots.append(i)
        evictions += 1
    }

    private mutating func allocate(_ key: String, _ bucket: TokenBucket) -> Int {
        if let i = freeSlots.popLast() {
            slots[i] = Slot(key: key, bucket: bucket, prev: -1, next: -1)
            return i
        }
        slots.append(Slot(key: key, bucket: bucket, prev: -1, next: -1))
        return slots.count - 1
    }

    private mutating func unlink(_ i: Int) {
        let p = slots[i].prev, n = slots[i].next
        if p >= 0 { slots[p].next = n } else if head == i { head = n }
        if n >= 0 { slots[n].prev = p } else if tail == i { tail = p }
        slots[i].prev = -1
        slots[i].next = -1
    }

    private mutating func pushFront(_ i: Int) {
        slots[i].next = head
        slots[i].prev = -1
        if head >= 0 { slots[head].prev = i }
        head = i
        if tail < 0 { tail = i }
    }
}
