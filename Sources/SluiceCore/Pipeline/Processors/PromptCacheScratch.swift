/// Per-request state of the prompt cache processor.
struct PromptCacheScratch {
    var key: CacheKey
    /// Store the answer when the request completes (no `cache-control: no-store`).
    var store: Bool
    /// The leader ticket to complete exactly once (nil: store without coalescing, or nothing to do).
    var ticket: CoalesceTicket?
    /// The leader is waiting for the shared store's answer (`shared: true`).
    var awaitingShared = false
}
