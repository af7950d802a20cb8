import Synchronization

/// The right (and duty) to go upstream for a cache miss and hand the answer back to the store with
/// `PromptCacheStore.complete`, exactly once, also on failure or cancel (with nil).
///
/// A ticket that is dropped without being completed completes itself with nil from `deinit` (its followers
/// then go upstream on their own) and is counted in `CacheStats.abandoned`, so a forgotten path shows up in
/// tests and on `GET /cache` instead of parking followers forever.
final class CoalesceTicket: Sendable {
    /// The key the leader is fetching.
    let key: CacheKey
    /// Unique per store; matches the pending entry the followers wait on.
    let id: UInt64
    /// False for a miss with `coalesce: false` (or past a coalescing limit): nobody waits on it.
    let isCoalescing: Bool
    private let store: PromptCacheStore
    private let done = Atomic<Bool>(false)

    init(key: CacheKey, id: UInt64, isCoalescing: Bool, store: PromptCacheStore) {
        self.key = key
        self.id = id
        self.isCoalescing = isCoalescing
        self.store = store
    }

    /// True once `complete` has run for this ticket.
    var isCompleted: Bool { done.load(ordering: .acquiring) }

    /// Marks the ticket done; true for the first caller only.
    func markCompleted() -> Bool {
        done.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }

    /// True when `store` issued this ticket.
    func belongs(to store: PromptCacheStore) -> Bool { self.store === store }

    deinit {
        if markCompleted() {
            store.abandon(key: key, id: id, isCoalescing: isCoalescing)
        }
    }
}
