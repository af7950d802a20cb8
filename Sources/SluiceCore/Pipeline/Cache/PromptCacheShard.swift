import Synchronization

/// Everything one shard guards with its lock: entries, leaders in flight, counters.
struct PromptCacheShardState {
    var lru: PromptCacheLRU
    var pending = PromptCachePendingLeaders()
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
