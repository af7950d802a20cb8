import Synchronization

/// The prompt cache's shared state (SPEC §4): a byte-bounded LRU with per-entry TTL, sharded by key hash
/// (each shard behind its own lock), plus coalescing of identical concurrent misses. Shared by all event
/// loops and independent of any pipeline, so the daemon keeps one instance across reloads for as long as
/// `isCompatible(with:)` holds.
///
/// Follower callbacks run on the thread that completes the leader, after the shard lock is released; the
/// daemon's callback hops to the follower's own loop.
final class PromptCacheStore: Sendable {
    /// What a lookup found.
    enum Lookup: Sendable {
        /// A fresh stored answer.
        case hit(CachedResponse)
        /// A miss: go upstream, then call `complete` with the ticket exactly once.
        case leader(CoalesceTicket)
        /// An identical request is upstream: `onLeaderDone` will be called exactly once, with the stored answer,
        /// or with nil, after which the follower looks up again with `coalesce: false` and goes upstream itself.
        case follower
    }

    /// LRU capacity over all shards.
    let maxBytes: Int
    /// Larger answers are never stored.
    let maxEntryBytes: Int
    /// Followers one leader carries; later identical misses become leaders of their own.
    let maxFollowersPerKey: Int
    /// Leaders in flight per shard that followers may join; past it misses go upstream uncoalesced.
    let maxPendingPerShard: Int
    private let clock: any CacheClock
    private let shards: [PromptCacheShard]
    private let nextTicketID = Atomic<UInt64>(1)
    private let bypassCount = Atomic<Int>(0)
    /// Local misses answered by the shared store (`shared: true`).
    let sharedHitCount = Atomic<Int>(0)

    /// `shardCount` is lowered when needed so every shard can still hold an entry of `maxEntryBytes`.
    init(maxBytes: Int, maxEntryBytes: Int, clock: some CacheClock, shardCount: Int = 8,
         maxFollowersPerKey: Int = 1024, maxPendingKeys: Int = 65_536) {
        self.maxBytes = Swift.max(0, maxBytes)
        self.maxEntryBytes = Swift.max(0, maxEntryBytes)
        self.maxFollowersPerKey = Swift.max(0, maxFollowersPerKey)
        self.clock = clock
        let fitting = self.maxBytes / Swift.max(1, Swift.min(self.maxEntryBytes, self.maxBytes))
        let n = Swift.max(1, Swift.min(shardCount, fitting))
        self.maxPendingPerShard = Swift.max(1, maxPendingKeys / n)
        let per = self.maxBytes / n
        shards = (0..<n).map { _ in PromptCacheShard(capacity: per) }
    }

    /// A store sized from the processor's config.
    convenience init(config: PromptCacheConfig, clock: some CacheClock) {
        self.init(maxBytes: config.maxBytes, maxEntryBytes: config.maxEntryBytes, clock: clock)
    }

    /// True when a reloaded config can keep using this store (its bounds are unchanged; TTL, coalescing and
    /// the deterministic rule are per-lookup arguments and may change freely).
    func isCompatible(with config: PromptCacheConfig) -> Bool {
        config.maxBytes == maxBytes && config.maxEntryBytes == maxEntryBytes
    }

    /// Number of shards in use.
    var shardCount: Int { shards.count }

    /// Looks `key` up. A hit counts as a hit; a miss makes the caller the leader (with `coalesce`, the first
    /// one registers so that identical misses become followers until it completes). `onLeaderDone` is only
    /// evaluated (under the shard lock) when the caller becomes a follower: hits and leaders build no callback.
    func lookup(_ key: CacheKey, ttlNanos: UInt64, coalesce: Bool,
                onLeaderDone: @autoclosure () -> @Sendable (CachedResponse?) -> Void) -> Lookup {
        let now = clock.nowNanos()
        let id = nextTicketID.wrappingAdd(1, ordering: .relaxed).oldValue
        let followLimit = maxFollowersPerKey
        let pendingLimit = maxPendingPerShard
        let step = shard(for: key).state.withLock { s -> LookupStep in
            if case .hit(let r) = PromptCacheStore.probe(&s, key, now: now, ttlNanos: ttlNanos) {
                s.counters.hits += 1
                return .hit(r)
            }
            guard coalesce else {
                s.counters.misses += 1
                return .leader(coalescing: false)
            }
            if let leader = s.pending.leader(for: key) {
                guard s.pending.followerCount(at: leader) < followLimit else {
                    s.counters.misses += 1
                    return .leader(coalescing: false)
                }
                s.pending.addFollower(onLeaderDone(), at: leader)
                s.counters.coalesced += 1
                return .follower
            }
            s.counters.misses += 1
            guard s.pending.count < pendingLimit else { return .leader(coalescing: false) }
            s.pending.register(key, id: id)
            return .leader(coalescing: true)
        }
        switch step {
        case .hit(let r): return .hit(r)
        case .follower: return .follower
        case .leader(let coalescing):
            return .leader(CoalesceTicket(key: key, id: id, isCoalescing: coalescing, store: self))
        }
    }

    /// The leader is done: stores `response` when non-nil, `ttlNanos > 0` and it fits `maxEntryBytes`, then
    /// calls every follower once, with the stored answer or nil. Returns false, doing nothing, when the ticket
    /// was already completed or comes from another store.
    @discardableResult
    func complete(_ ticket: CoalesceTicket, storing response: CachedResponse?, ttlNanos: UInt64) -> Bool {
        guard ticket.belongs(to: self), ticket.markCompleted() else { return false }
        let now = clock.nowNanos()
        let key = ticket.key
        let limit = maxEntryBytes
        let (followers, delivered) = shard(for: key).state.withLock { s -> ([@Sendable (CachedResponse?) -> Void], CachedResponse?) in
            var stored: CachedResponse?
            if let r = response, ttlNanos > 0, PromptCacheStore.insert(&s, key, r, now: now, ttlNanos: ttlNanos, limit: limit) {
                stored = r
            }
            let followers = PromptCacheStore.takeFollowers(&s, key, id: ticket.id, if: ticket.isCoalescing)
            if stored != nil { s.counters.hits += followers.count }
            return (followers, stored)
        }
        for f in followers { f(delivered) }
        return true
    }

    /// Called by a ticket dropped without `complete`: wakes its followers with nil and counts the slip.
    func abandon(key: CacheKey, id: UInt64, isCoalescing: Bool) {
        let followers = shard(for: key).state.withLock { s -> [@Sendable (CachedResponse?) -> Void] in
            s.counters.abandoned += 1
            return PromptCacheStore.takeFollowers(&s, key, id: id, if: isCoalescing)
        }
        for f in followers { f(nil) }
    }

    /// Counts a request that skipped the cache (no-cache, not cacheable, not a JSON object).
    func recordBypass() {
        bypassCount.wrappingAdd(1, ordering: .relaxed)
    }

    /// Drops every entry (`DELETE /cache`). Leaders in flight are kept: they still wake their followers.
    func purge() {
        for shard in shards { shard.state.withLock { $0.lru.removeAll() } }
    }

    /// Totals over all shards.
    func stats() -> CacheStats {
        var total = CacheStats()
        for shard in shards {
            let part = shard.state.withLock { s -> CacheStats in
                var c = s.counters
                c.entries = s.lru.count
                c.bytes = s.lru.bytes
                c.pendingLeaders = s.pending.count
                return c
            }
            total.add(part)
        }
        total.maxBytes = maxBytes
        total.maxEntryBytes = maxEntryBytes
        total.bypasses = bypassCount.load(ordering: .relaxed)
        total.sharedHits = sharedHitCount.load(ordering: .relaxed)
        return total
    }

    /// The shard holding `key`.
    func shard(for key: CacheKey) -> PromptCacheShard {
        shards[Int(key.shardHash % UInt64(shards.count))]
    }

    /// Shard number `i` (0..<shardCount).
    func shard(at i: Int) -> PromptCacheShard { shards[i] }

    /// The injected clock's current time.
    func clockNow() -> UInt64 { clock.nowNanos() }

    private enum LookupStep: Sendable {
        case hit(CachedResponse)
        case follower
        case leader(coalescing: Bool)
    }

    /// LRU probe that counts stale entries it drops.
    static func probe(_ s: inout PromptCacheShardState, _ key: CacheKey, now: UInt64, ttlNanos: UInt64) -> PromptCacheLRU.Probe {
        let p = s.lru.get(key, now: now, maxAgeNanos: ttlNanos)
        if case .expired = p { s.counters.expirations += 1 }
        return p
    }

    /// Stores under the shard lock, keeping the counters; false when refused.
    static func insert(_ s: inout PromptCacheShardState, _ key: CacheKey, _ r: CachedResponse,
                       now: UInt64, ttlNanos: UInt64, limit: Int) -> Bool {
        let cost = r.byteSize
        guard cost <= limit, let evicted = s.lru.insert(key, r, cost: cost, now: now, ttlNanos: ttlNanos) else {
            s.counters.rejected += 1
            return false
        }
        s.counters.evictions += evicted
        s.counters.stores += 1
        return true
    }

    private static func takeFollowers(_ s: inout PromptCacheShardState, _ key: CacheKey, id: UInt64,
                                      if coalescing: Bool) -> [@Sendable (CachedResponse?) -> Void] {
        guard coalescing else { return [] }
        return s.pending.take(key, id: id) ?? []
    }
}
