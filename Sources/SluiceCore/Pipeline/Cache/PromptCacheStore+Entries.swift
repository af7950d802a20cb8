/// Direct entry access without coalescing: for the shared-store protocol, `/explain` and the expiry sweep.
extension PromptCacheStore {
    /// The fresh entry for `key`, or nil; counted as a hit or a miss and refreshes recency.
    func entry(_ key: CacheKey, ttlNanos: UInt64) -> CachedResponse? {
        let now = clockNow()
        return shard(for: key).state.withLock { s -> CachedResponse? in
            guard case .hit(let r) = PromptCacheStore.probe(&s, key, now: now, ttlNanos: ttlNanos) else {
                s.counters.misses += 1
                return nil
            }
            s.counters.hits += 1
            return r
        }
    }

    /// True when a fresh entry exists, without counting or touching recency (`POST /explain` is a dry run).
    func contains(_ key: CacheKey, ttlNanos: UInt64) -> Bool {
        let now = clockNow()
        return shard(for: key).state.withLock { $0.lru.peek(key, now: now, maxAgeNanos: ttlNanos) != nil }
    }

    /// Stores `response` outside any coalescing (e.g. an answer fetched from the shared store); false when
    /// refused for size or a zero TTL.
    @discardableResult
    func insert(_ key: CacheKey, _ response: CachedResponse, ttlNanos: UInt64) -> Bool {
        guard ttlNanos > 0 else { return false }
        let now = clockNow()
        let limit = maxEntryBytes
        return shard(for: key).state.withLock {
            PromptCacheStore.insert(&$0, key, response, now: now, ttlNanos: ttlNanos, limit: limit)
        }
    }

    /// Drops entries past their own TTL in every shard (a periodic sweep returns their memory early; LRU
    /// eviction alone would also reclaim it under pressure). Returns how many were dropped.
    @discardableResult
    func removeExpired() -> Int {
        let now = clockNow()
        var removed = 0
        for i in 0..<shardCount {
            removed += shard(at: i).state.withLock { s -> Int in
                let n = s.lru.removeExpired(now: now)
                s.counters.expirations += n
                return n
            }
        }
        return removed
    }
}
