/// The leaders in flight of one shard, each with the callbacks of the followers waiting on it. Entries sit
/// in an array reused through a free list, mapped by a `PromptCacheIndex` (no hashing of the 32-byte key,
/// one short probe in a table that stays small and hot). Not thread-safe: guarded by the shard's lock.
struct PromptCachePendingLeaders {
    private struct Entry {
        var key: CacheKey
        /// The `CoalesceTicket.id` of the leader.
        var id: UInt64
        /// Called once each when the leader completes (or its ticket is abandoned).
        var followers: [@Sendable (CachedResponse?) -> Void]
    }

    private var entries: [Entry?] = []
    private var freeEntries: [Int] = []
    private var index = PromptCacheIndex()

    /// Number of leaders in flight.
    var count: Int { index.count }

    /// The entry of the leader in flight for `key`.
    func leader(for key: CacheKey) -> Int? {
        index.find(key.indexHash, where: { entries[$0]?.key == key })
    }

    /// Number of followers waiting on the leader at `entry`.
    func followerCount(at entry: Int) -> Int {
        entries[entry]?.followers.count ?? 0
    }

    /// Adds a follower to the leader at `entry`.
    mutating func addFollower(_ follower: @escaping @Sendable (CachedResponse?) -> Void, at entry: Int) {
        entries[entry]?.followers.append(follower)
    }

    /// Registers `id` as the leader for `key`, which has none in flight.
    mutating func register(_ key: CacheKey, id: UInt64) {
        let e: Int
        if let free = freeEntries.popLast() {
            e = free
        } else {
            e = entries.count
            entries.append(nil)
        }
        entries[e] = Entry(key: key, id: id, followers: [])
        _ = index.insert(key.indexHash, node: e, where: { entries[$0]?.key == key })
    }

    /// Removes the leader `id` of `key` and returns its followers; nil when `key` has no leader in flight
    /// or another one (this ticket's entry was taken already), which then stays.
    mutating func take(_ key: CacheKey, id: UInt64) -> [@Sendable (CachedResponse?) -> Void]? {
        guard let e = index.find(key.indexHash, where: { entries[$0]?.key == key }), entries[e]?.id == id,
              let entry = entries[e].take() else {
            return nil
        }
        index.remove(key.indexHash, where: { $0 == e })
        freeEntries.append(e)
        return entry.followers
    }
}
