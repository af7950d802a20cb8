/// Per-request state of the prompt cache processor.
struct PromptCacheScratch {
    /// Hex cache key (for /explain and logs).
    var keyHex: String
    /// Store the answer when the request completes (no `cache-control: no-store`).
    var store: Bool
    /// The leader ticket to complete exactly once (nil for followers going upstream on their own).
    var ticket: AnyObject?
}
