import Synchronization

/// A leader in flight and the callbacks of the followers waiting on it.
struct PromptCachePending {
    /// The `CoalesceTicket.id` of the leader.
    var id: UInt64
    /// Called once each when the leader completes (or its ticket is abandoned).
    var followers: [@Sendable (CachedResponse?) -> Void] = []
}

/// Everything one shard guards with its lock: entries, leaders in flight, counters.
struct PromptCacheShardState {
    var lru: PromptCacheLRU
    var pending: [CacheKey: PromptCachePending] = [:]
    var counters = CacheStats()

    init(capacity: Int) {
        lru = PromptCacheLRU(capacity: capacity)
    }
}

/// One lock's worth of the prompt cache. Kept as its own class so the lock type is chosen in one place
/// (a pthread-based `Locked`, which ThreadSanitizer understands).
final class PromptCacheShard: Sendable {
    /// The shard's state; never held across I/O or while calling follower callbacks.
    let state: Locked<PromptCacheShardState>

    init(capacity: Int) {
        state = Locked(PromptCacheShardState(capacity: capacity))
    }
}
