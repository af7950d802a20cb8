/// One shard's entries: a byte-bounded LRU with per-entry expiry. Not thread-safe on its own (the store
/// keeps each one behind its shard lock). Nodes live in an array linked by index, so moving an entry to the
/// front allocates nothing; a `PromptCacheIndex` maps keys to node numbers.
struct PromptCacheLRU {
    private struct Node {
        var key: CacheKey
        var response: CachedResponse
        var cost: Int
        var storedAt: UInt64
        var expiresAt: UInt64
        var prev: Int
        var next: Int
    }

    /// Outcome of `get`.
    enum Probe {
        case hit(CachedResponse)
        /// Present but too old: removed.
        case expired
        case absent
    }

    /// Byte budget of this shard.
    let capacity: Int
    /// Sum of the costs of the entries held.
    private(set) var bytes = 0
    private var nodes: [Node?] = []
    private var freeSlots: [Int] = []
    private var index = PromptCacheIndex()
    /// Most recently used; -1 when empty.
    private var head = -1
    /// Least recently used; -1 when empty.
    private var tail = -1

    init(capacity: Int) {
        self.capacity = Swift.max(0, capacity)
    }

    /// Number of entries held.
    var count: Int { index.count }

    /// The entry for `key` when it is younger than both its own TTL and `maxAgeNanos` (the TTL the caller uses
    /// now, which a reload may have shortened). A hit becomes most recently used; a stale entry is removed.
    mutating func get(_ key: CacheKey, now: UInt64, maxAgeNanos: UInt64) -> Probe {
        guard let i = index.find(key.indexHash, where: { nodes[$0]?.key == key }), let node = nodes[i] else {
            return .absent
        }
        if now >= node.expiresAt || now &- node.storedAt >= maxAgeNanos || now < node.storedAt {
            unlinkAndFree(i)
            return .expired
        }
        moveToFront(i)
        return .hit(node.response)
    }

    /// The fresh entry for `key` without touching recency or removing anything.
    func peek(_ key: CacheKey, now: UInt64, maxAgeNanos: UInt64) -> CachedResponse? {
        guard let i = index.find(key.indexHash, where: { nodes[$0]?.key == key }), let node = nodes[i] else {
            return nil
        }
        guard now < node.expiresAt, now >= node.storedAt, now - node.storedAt < maxAgeNanos else { return nil }
        return node.response
    }

    /// Stores `response` (replacing an entry with the same key), evicting least recently used entries until it
    /// fits. Returns the number evicted, or nil when `cost` exceeds the capacity (nothing changes then).
    mutating func insert(_ key: CacheKey, _ response: CachedResponse, cost: Int, now: UInt64, ttlNanos: UInt64) -> Int? {
        guard cost <= capacity else { return nil }
        // The node is taken first so the key is mapped to it in one probe sequence, which also yields the
        // entry it replaces (the index is large and cold: every lookup is a cache miss).
        let i: Int
        if let free = freeSlots.popLast() {
            i = free
        } else {
            i = nodes.count
            nodes.append(nil)
        }
        if let old = index.insert(key.indexHash, node: i, where: { nodes[$0]?.key == key }) {
            unlinkAndFree(old, unmapping: false)
        }
        var evicted = 0
        while bytes + cost > capacity && tail >= 0 {
            unlinkAndFree(tail)
            evicted += 1
        }
        let (expiresAt, overflow) = now.addingReportingOverflow(ttlNanos)
        nodes[i] = Node(key: key, response: response, cost: cost, storedAt: now,
                        expiresAt: overflow ? UInt64.max : expiresAt, prev: -1, next: head)
        if head >= 0 { nodes[head]?.prev = i }
        head = i
        if tail < 0 { tail = i }
        bytes += cost
        return evicted
    }

    /// Removes the entry for `key`; false when absent.
    @discardableResult
    mutating func remove(_ key: CacheKey) -> Bool {
        guard let i = index.remove(key.indexHash, where: { nodes[$0]?.key == key }) else { return false }
        unlinkAndFree(i, unmapping: false)
        return true
    }

    /// Removes every entry whose own TTL has run out; returns how many.
    mutating func removeExpired(now: UInt64) -> Int {
        var removed = 0
        var i = tail
        // Fields read in place: copying a node would retain (touch) its response's buffers.
        while i >= 0, let prev = nodes[i]?.prev, let expiresAt = nodes[i]?.expiresAt {
            if now >= expiresAt {
                unlinkAndFree(i)
                removed += 1
            }
            i = prev
        }
        return removed
    }

    /// Drops everything and returns the memory.
    mutating func removeAll() {
        nodes = []
        freeSlots = []
        index.removeAll()
        head = -1
        tail = -1
        bytes = 0
    }

    /// Keys from most to least recently used (for tests and diagnostics).
    var keysByRecency: [CacheKey] {
        var out: [CacheKey] = []
        var i = head
        while i >= 0, let node = nodes[i] {
            out.append(node.key)
            i = node.next
        }
        return out
    }

    private mutating func unlink(_ i: Int) {
        guard let prev = nodes[i]?.prev, let next = nodes[i]?.next else { return }
        join(prev, next)
    }

    /// Links `prev` and `next` (either -1 for an end of the list) to each other.
    private mutating func join(_ prev: Int, _ next: Int) {
        if prev >= 0 { nodes[prev]?.next = next } else { head = next }
        if next >= 0 { nodes[next]?.prev = prev } else { tail = prev }
    }

    private mutating func moveToFront(_ i: Int) {
        guard head != i else { return }
        unlink(i)
        nodes[i]?.prev = -1
        nodes[i]?.next = head
        if head >= 0 { nodes[head]?.prev = i }
        head = i
        if tail < 0 { tail = i }
    }

    /// Frees node `i`; `unmapping` false when its key is no longer mapped to it (already unmapped, or mapped
    /// to another node).
    private mutating func unlinkAndFree(_ i: Int, unmapping: Bool = true) {
        // Moved out, not copied: a copy would retain the response's buffers (a cache miss each on an entry
        // this cold, the least recently used) only to release them.
        guard let node = nodes[i].take() else { return }
        join(node.prev, node.next)
        // The node's own number identifies its slot: no key comparison needed.
        if unmapping { index.remove(node.key.indexHash, where: { $0 == i }) }
        bytes -= node.cost
        freeSlots.append(i)
    }
}
