/// One lock's worth of a limit's buckets. Any thread may use it, always under `lock`.
///
/// The store sits outside the lock so that one admission can hold the locks of several shards at once
/// (taken in a global order, see `RateLimiter`) and work on all their stores together.
final class LimitBucketShard: @unchecked Sendable {
    // A pthread mutex (Support/PThreadLock): ThreadSanitizer understands it, not `Synchronization.Mutex`.
    private let lock = PThreadLock()
    /// The buckets. Guarded by the shard's lock: touch it only inside a `withLocked(_:_:)` body that
    /// holds this shard (or use `withLock`).
    var lockedStore: LimitBucketStore

    init(capacity: Int) {
        lockedStore = LimitBucketStore(capacity: capacity)
    }

    /// Runs `body` on the store with this shard locked.
    func withLock<R: Sendable>(_ body: (inout LimitBucketStore) -> R) -> R {
        lock.withLock { body(&lockedStore) }
    }

    /// Locks every shard of `shards` (which must be sorted by `lockOrder` and free of duplicates), runs
    /// `body`, unlocks in reverse. Ordering the locks globally is what makes concurrent multi-bucket
    /// admissions deadlock-free.
    static func withLocked<R: Sendable>(_ shards: ArraySlice<LimitBucketShard>, _ body: () -> R) -> R {
        guard let first = shards.first else { return body() }
        return first.lock.withLock { withLocked(shards.dropFirst(), body) }
    }

    /// `shards` sorted into the global lock order (object identity), duplicates removed.
    static func lockOrder(_ shards: [LimitBucketShard]) -> [LimitBucketShard] {
        if shards.count < 2 { return shards }
        var sorted = shards.sorted { ObjectIdentifier($0) < ObjectIdentifier($1) }
        var kept = 1
        for i in 1..<sorted.count where sorted[i] !== sorted[kept - 1] {
            sorted[kept] = sorted[i]
            kept += 1
        }
        sorted.removeLast(sorted.count - kept)
        return sorted
    }
}
