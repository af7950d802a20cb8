import Testing
@testable import SluiceCore

/// The index under test with keys of its own: key `k` is held by node `nodes[k]`, and `keyOf[node]` is the key a
/// node holds (what the LRU's `nodes[i].key == key` confirms). Hashes are chosen per key so that tags collide
/// and homes sit at either end of the table on purpose.
private struct IndexHarness {
    var index = PromptCacheIndex()
    /// Key held by each node, -1 once freed (nodes are never reused here, so a stale mapping shows).
    var keyOf: [Int] = []

    func find(_ key: Int, hash: UInt64) -> Int? {
        index.find(hash) { keyOf[$0] == key }
    }

    /// Maps `key` to a fresh node; returns it and the node the key had.
    mutating func insert(_ key: Int, hash: UInt64) -> (new: Int, old: Int?) {
        let node = keyOf.count
        keyOf.append(-1)
        let old = index.insert(hash, node: node) { keyOf[$0] == key }
        if let old { keyOf[old] = -1 }
        keyOf[node] = key
        return (node, old)
    }

    mutating func remove(_ key: Int, hash: UInt64) -> Int? {
        let old = index.remove(hash) { keyOf[$0] == key }
        if let old { keyOf[old] = -1 }
        return old
    }

    mutating func removeAll() {
        index.removeAll()
        keyOf = []
    }
}

/// A hash whose tag (top 32 bits) is `tag`, with `low` below it (ignored by the index).
private func hash(tag: UInt32, low: UInt64 = 0) -> UInt64 {
    UInt64(tag) << 32 | (low & 0xFFFF_FFFF)
}

/// In a table of `PromptCacheIndex.minimumCapacity` (16) slots, a hash whose home is `slot`.
private func homed(_ slot: Int, low: UInt64 = 0) -> UInt64 {
    hash(tag: UInt32(slot) << 28, low: low)
}

/// Tags whose top 20 bits are all ones home on the last slot of every table up to 2^20 slots, so their runs
/// wrap around the end; all zeros home on slot 0, where the wrapped runs land.
private let lastSlotTag: UInt32 = 0xFFFF_F000
private let firstSlotTag: UInt32 = 0x0000_0000

@Test func index_empty_findsAndRemovesNothing() {
    var h = IndexHarness()
    #expect(h.find(1, hash: 42) == nil)
    #expect(h.remove(1, hash: 42) == nil)
    #expect(h.index.count == 0 && h.index.capacity == 0)
}

@Test func index_insertExisting_replacesAndReturnsPreviousNode() {
    var h = IndexHarness()
    let first = h.insert(7, hash: hash(tag: 5))
    #expect(first.old == nil)
    let second = h.insert(7, hash: hash(tag: 5))
    #expect(second.old == first.new)
    #expect(h.find(7, hash: hash(tag: 5)) == second.new)
    #expect(h.index.count == 1)
}

@Test func index_equalTags_areToldApartByTheCaller() {
    var h = IndexHarness()
    // Eight keys with one hash: every lookup walks the same run and relies on `matches`.
    for k in 0..<8 { #expect(h.insert(k, hash: 99).old == nil) }
    #expect(h.remove(3, hash: 99) != nil)
    #expect(h.remove(3, hash: 99) == nil)
    for k in 0..<8 where k != 3 { #expect(h.find(k, hash: 99) != nil) }
    #expect(h.find(3, hash: 99) == nil)
    #expect(h.index.count == 7)
}

@Test func index_removeInWrappedRun_shiftsBackOnlyWhatMayMove() {
    var h = IndexHarness()
    // Slots 15, 0, 1, 2 hold: a (home 15), b (home 0), c (home 15, wrapped), d (home 1).
    _ = h.insert(0, hash: homed(15))
    _ = h.insert(1, hash: homed(0))
    _ = h.insert(2, hash: homed(15, low: 1))
    _ = h.insert(3, hash: homed(1))
    #expect(h.index.capacity == PromptCacheIndex.minimumCapacity)
    // Removing a: b stays (its home is after the hole), c moves back over the end into slot 15, d moves
    // into c's slot.
    #expect(h.remove(0, hash: homed(15)) == 0)
    #expect(h.find(1, hash: homed(0)) == 1)
    #expect(h.find(2, hash: homed(15, low: 1)) == 2)
    #expect(h.find(3, hash: homed(1)) == 3)
    // Removing b (slot 0): d, now in slot 1 and homed there, must stay.
    #expect(h.remove(1, hash: homed(0)) == 1)
    #expect(h.find(2, hash: homed(15, low: 1)) == 2)
    #expect(h.find(3, hash: homed(1)) == 3)
    // Removing c (slot 15) leaves slot 0 empty; d is still found from its home.
    #expect(h.remove(2, hash: homed(15, low: 1)) == 2)
    #expect(h.find(3, hash: homed(1)) == 3)
    #expect(h.index.count == 1)
}

@Test func index_growsByDoublingAndStaysBounded() {
    var h = IndexHarness()
    var rng = FastRandom(seed: 11)
    var hashes: [UInt64] = []
    var capacities: Set<Int> = []
    for k in 0..<5000 {
        hashes.append(rng.next())
        _ = h.insert(k, hash: hashes[k])
        // Never more than 5/8 full, and no more slots than that bound needs.
        let cap = h.index.capacity
        capacities.insert(cap)
        #expect(cap.nonzeroBitCount == 1 && (k + 1) * 8 <= cap * 5)
        #expect(cap == PromptCacheIndex.minimumCapacity || (k + 1) * 8 > cap / 2 * 5)
    }
    #expect(capacities.count == 10) // 16 … 8192
    #expect((0..<5000).allSatisfy { h.find($0, hash: hashes[$0]) == $0 })
    h.removeAll()
    #expect(h.index.count == 0 && h.index.capacity == 0)
    #expect(h.find(0, hash: hashes[0]) == nil)
}

/// Random inserts, replacements, lookups and removals against a `Dictionary`, growing through several
/// doublings, churning at a steady size (as the full cache does), draining and refilling after `removeAll`.
/// A third of the keys share one of a few hashes and a third home on the table's last or first slot, so runs
/// are long and wrap around the end. Every operation is checked, and every few operations each key is looked
/// up (an entry a faulty shift made unreachable also fails the next operation on its key).
@Test(arguments: 1...4)
func index_randomOperations_matchReferenceDictionary(seed: Int) {
    let keySpace = 300
    var h = IndexHarness()
    var model: [Int: Int] = [:] // key -> node
    var rng = FastRandom(seed: UInt64(seed) &* 7919)
    let hashOf: [UInt64] = (0..<keySpace).map { key in
        let r = rng.next()
        switch key % 6 {
        case 0: return 0xDEAD_BEEF_0000_0000 | UInt64(key % 4) // four hashes shared by many keys
        case 1: return hash(tag: lastSlotTag | UInt32(r & 0xFFF), low: r)
        case 2: return hash(tag: firstSlotTag | UInt32(r & 0xFFF), low: r)
        default: return r
        }
    }
    func check() {
        #expect(h.index.count == model.count)
        var wrong: [Int] = []
        for key in 0..<keySpace where h.find(key, hash: hashOf[key]) != model[key] { wrong.append(key) }
        #expect(wrong.isEmpty, "keys found at the wrong node or not at all: \(wrong)")
    }
    // (operations, share of inserts in percent): grow, churn at a steady size, drain.
    let phases = [(1500, 80), (3000, 50), (1500, 10)]
    for round in 0..<2 {
        for (ops, insertShare) in phases {
            for op in 0..<ops {
                let key = Int(rng.next() % UInt64(keySpace))
                let roll = Int(rng.next() % 100)
                if roll < insertShare {
                    let (node, old) = h.insert(key, hash: hashOf[key])
                    #expect(old == model[key])
                    model[key] = node
                } else if roll < insertShare + (100 - insertShare) / 2 {
                    #expect(h.remove(key, hash: hashOf[key]) == model.removeValue(forKey: key))
                } else {
                    #expect(h.find(key, hash: hashOf[key]) == model[key])
                }
                if op % 8 == 0 { check() }
            }
            check()
        }
        if round == 0 {
            h.removeAll()
            model = [:]
            #expect(h.index.capacity == 0)
            check()
        }
    }
}
