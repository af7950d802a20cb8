/// The prompt-cache LRU's map from key to node number: open addressing with linear probing over one
/// contiguous array of 8-byte slots, so a lookup normally touches one cache line (a `Dictionary` keeps a
/// bitmap, the 33-byte keys and the values apart, and the full cache probed three cold lines per lookup).
///
/// A slot packs a tag, the top 32 bits of the key's 64-bit hash, above the node number plus one; zero marks
/// an empty slot. The index never sees keys: the caller's `matches` confirms a tag match against the full key
/// it keeps in the node, so keys with equal tags are correct, only slower. The home slot is the tag's top
/// bits, so growing and deleting move slots without reading a node. Deletion shifts the entries that follow
/// back into the hole (no tombstones), so a probe always ends at the first empty slot.
///
/// Sized for the peak count, like the LRU's node array: it doubles once more than 5/8 of the slots would be
/// used and gives its memory back only on `removeAll`. Not thread-safe: the LRU owning it is guarded by its
/// shard's lock.
struct PromptCacheIndex {
    /// Slots while the index is empty of memory; the first insertion allocates this many.
    static let minimumCapacity = 16

    /// `tag << 32 | (node + 1)`, or 0 when empty. Empty (no memory) before the first insertion.
    private var slots: [UInt64] = []
    /// `32 - log2(slots.count)`: a tag shifted right by it is the home slot.
    private var homeShift: UInt32 = 32

    /// Number of keys mapped.
    private(set) var count = 0

    /// Number of slots (a power of two, or 0 before the first insertion and after `removeAll`).
    var capacity: Int { slots.count }

    /// The node mapped under `hash` that `matches` accepts.
    func find(_ hash: UInt64, where matches: (Int) -> Bool) -> Int? {
        slot(of: hash, where: matches).map { Self.node(slots[$0]) }
    }

    /// The slot holding the node mapped under `hash` that `matches` accepts.
    private func slot(of hash: UInt64, where matches: (Int) -> Bool) -> Int? {
        guard count > 0 else { return nil }
        let tag = Self.tag(hash)
        let mask = slots.count - 1
        var i = home(tag)
        while true {
            let s = slots[i]
            if s == 0 { return nil }
            if Self.tag(s) == tag, matches(Self.node(s)) { return i }
            i = (i + 1) & mask
        }
    }

    /// Maps `hash` to `node`, in place of the node `matches` accepts under `hash` if there is one; returns
    /// that previous node. One probe sequence finds the old mapping or the free slot.
    mutating func insert(_ hash: UInt64, node: Int, where matches: (Int) -> Bool) -> Int? {
        // The node number must fit the slot's 32 bits plus one; nodes are bounded by the byte budget (at least
        // `CachedResponse.entryOverhead` each), so this is a programmer error.
        precondition(node >= 0 && node < Int(Int32.max), "prompt cache node number out of range")
        // Grown before probing, as if the key were new: a replacement at the threshold grows one insertion early.
        if (count + 1) * 8 > slots.count * 5 { grow() }
        let tag = Self.tag(hash)
        let packed = UInt64(tag) << 32 | UInt64(node + 1)
        let mask = slots.count - 1
        var i = home(tag)
        while true {
            let s = slots[i]
            if s == 0 {
                slots[i] = packed
                count += 1
                return nil
            }
            if Self.tag(s) == tag, matches(Self.node(s)) {
                slots[i] = packed
                return Self.node(s)
            }
            i = (i + 1) & mask
        }
    }

    /// Unmaps the node `matches` accepts under `hash`; returns it, nil when there is none.
    @discardableResult
    mutating func remove(_ hash: UInt64, where matches: (Int) -> Bool) -> Int? {
        guard let i = slot(of: hash, where: matches) else { return nil }
        let node = Self.node(slots[i])
        closeHole(at: i)
        count -= 1
        return node
    }

    /// Unmaps everything and returns the memory.
    mutating func removeAll() {
        slots = []
        homeShift = 32
        count = 0
    }

    /// Empties slot `hole`, moving back each later entry of its run that may sit there: one whose home is not
    /// after the hole. Every entry then stays reachable from its home without crossing an empty slot.
    private mutating func closeHole(at start: Int) {
        let mask = slots.count - 1
        var hole = start
        var j = (start + 1) & mask
        while true {
            let s = slots[j]
            if s == 0 { break }
            // Distances counted backwards from j (wrapping): the entry may move when its home is at least as
            // far back as the hole.
            if (j &- home(Self.tag(s))) & mask >= (j &- hole) & mask {
                slots[hole] = s
                hole = j
            }
            j = (j + 1) & mask
        }
        slots[hole] = 0
    }

    /// Doubles the slots (or allocates the first ones) and places every entry again.
    private mutating func grow() {
        let old = slots
        let capacity = Swift.max(Self.minimumCapacity, old.count * 2)
        slots = [UInt64](repeating: 0, count: capacity)
        homeShift = UInt32(32 - capacity.trailingZeroBitCount)
        let mask = capacity - 1
        for s in old where s != 0 {
            var i = home(Self.tag(s))
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = s
        }
    }

    private func home(_ tag: UInt32) -> Int {
        Int(tag &>> homeShift)
    }

    private static func tag(_ hashOrSlot: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: hashOrSlot &>> 32)
    }

    private static func node(_ slot: UInt64) -> Int {
        Int(UInt32(truncatingIfNeeded: slot)) - 1
    }
}
