/// A snapshot of the prompt cache for `GET /cache` and `GET /stats`. Counters only grow (a purge drops
/// entries, not history).
struct CacheStats: Sendable, Equatable {
    /// Entries held and the bytes they are charged.
    var entries = 0
    var bytes = 0
    /// Configured bounds.
    var maxBytes = 0
    var maxEntryBytes = 0
    /// Lookups answered from the cache, including coalesced followers served by their leader.
    var hits = 0
    /// Lookups that made the caller a leader (went upstream).
    var misses = 0
    /// Misses here that the shared store (Redis, `shared: true`) answered; each is also in `misses`.
    var sharedHits = 0
    /// Requests that skipped the cache (`no-cache`, not cacheable), reported via `recordBypass`.
    var bypasses = 0
    /// Lookups that waited on a leader (each later also counts as a hit, or retries after a nil answer).
    var coalesced = 0
    /// Entries dropped to make room.
    var evictions = 0
    /// Entries found or swept past their TTL.
    var expirations = 0
    /// Answers stored, and answers refused for being larger than `max_entry_bytes`.
    var stores = 0
    var rejected = 0
    /// Tickets dropped without `complete` (a bug in the caller; should stay 0).
    var abandoned = 0
    /// Leaders currently upstream with followers possibly waiting.
    var pendingLeaders = 0

    /// Adds another shard's figures (bounds excepted).
    mutating func add(_ o: CacheStats) {
        entries += o.entries
        bytes += o.bytes
        hits += o.hits
        misses += o.misses
        bypasses += o.bypasses
        coalesced += o.coalesced
        evictions += o.evictions
        expirations += o.expirations
        stores += o.stores
        rejected += o.rejected
        abandoned += o.abandoned
        pendingLeaders += o.pendingLeaders
    }

    /// The snapshot as a compact JSON object (field names in snake_case, as the admin API writes them).
    func json() -> [UInt8] {
        let fields: [(String, Int)] = [
            ("entries", entries), ("bytes", bytes), ("max_bytes", maxBytes), ("max_entry_bytes", maxEntryBytes),
            ("hits", hits), ("misses", misses), ("shared_hits", sharedHits), ("bypasses", bypasses), ("coalesced", coalesced),
            ("evictions", evictions), ("expirations", expirations), ("stores", stores), ("rejected", rejected),
            ("abandoned", abandoned), ("pending_leaders", pendingLeaders),
        ]
        var out: [UInt8] = [JSONByte.openBrace]
        for (i, f) in fields.enumerated() {
            if i > 0 { out.append(JSONByte.comma) }
            JSONWriter.appendString(f.0, to: &out)
            out.append(JSONByte.colon)
            JSONWriter.appendRaw(String(f.1), to: &out)
        }
        out.append(JSONByte.closeBrace)
        return out
    }
}
