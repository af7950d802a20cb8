/// Entry storage that can sit behind the prompt cache's coalescing front: the local `PromptCacheStore`
/// itself, and later a Redis store for `shared: true` (SPEC §10). Completion-based, so a store that answers
/// over the network on the caller's event loop fits the same shape.
///
/// Intended flow with a shared store: local `lookup` → on `.leader`, `fetch` from the shared store → found:
/// `complete(ticket, storing: found)` (fills the local LRU and wakes the followers) and answer; not found:
/// go upstream, then `complete` locally and `save` to the shared store. Coalescing stays per replica.
protocol PromptCacheEntryStore: AnyObject, Sendable {
    /// Calls `completion` exactly once with the entry for `key` when it is younger than `ttlNanos`, else nil
    /// (also on store errors: a broken shared cache degrades to misses).
    func fetch(_ key: CacheKey, ttlNanos: UInt64, completion: @escaping @Sendable (CachedResponse?) -> Void)
    /// Stores `response` for `ttlNanos`, subject to the store's own size limits; fire and forget.
    func save(_ key: CacheKey, _ response: CachedResponse, ttlNanos: UInt64)
    /// Drops every entry.
    func purge()
}

extension PromptCacheStore: PromptCacheEntryStore {
    /// Answers synchronously from the local LRU (counted as a hit or a miss, no coalescing).
    func fetch(_ key: CacheKey, ttlNanos: UInt64, completion: @escaping @Sendable (CachedResponse?) -> Void) {
        completion(entry(key, ttlNanos: ttlNanos))
    }

    /// Stores without a ticket (see `insert`).
    func save(_ key: CacheKey, _ response: CachedResponse, ttlNanos: UInt64) {
        insert(key, response, ttlNanos: ttlNanos)
    }
}
