import Testing
@testable import SluiceCore

/// Consistent hashing with bounded loads (`HashRing`), without sockets.
@Suite struct HashRingTests {
    static let keys = (0..<4).map { "http://10.0.0.\($0):8000|10.0.0.\($0):8000" }

    /// Spread keys 0..<n over the ring with every endpoint idle and healthy.
    static func owners(_ ring: HashRing, count n: Int) -> [Int] {
        (0..<n).map { k in
            var h = PrefixHasher(limit: 64)
            withUnsafeBytes(of: UInt64(k)) { h.feed($0) }
            return ring.choose(hash: h.finish(), capacity: .max) { _ in .available(load: 0) }?.index ?? -1
        }
    }

    @Test func sameHash_sameEndpoint_andKeysSpreadEvenly() {
        let ring = HashRing(keys: Self.keys)
        let a = Self.owners(ring, count: 8000)
        #expect(a == Self.owners(HashRing(keys: Self.keys), count: 8000))
        for e in 0..<4 {
            let share = a.filter { $0 == e }.count
            #expect(share > 1400 && share < 2600, "endpoint \(e) got \(share) of 8000")
        }
    }

    @Test func removingAnEndpoint_movesOnlyItsKeys() {
        let full = Self.owners(HashRing(keys: Self.keys), count: 4000)
        // Endpoint 3 gone: indexes 0...2 keep their keys.
        let less = Self.owners(HashRing(keys: Array(Self.keys.prefix(3))), count: 4000)
        for (before, after) in zip(full, less) where before != 3 { #expect(before == after) }
    }

    @Test func ringOrder_doesNotDependOnTheOrderOfTheKeys() {
        let ring = HashRing(keys: Self.keys)
        let reversed = HashRing(keys: Self.keys.reversed())
        let a = Self.owners(ring, count: 500).map { Self.keys[$0] }
        let b = Self.owners(reversed, count: 500).map { Self.keys.reversed()[$0] }
        #expect(a == b)
    }

    @Test func capacity_isCeilOfFactorTimesAverageIncludingTheNewRequest() {
        #expect(HashRing.capacity(totalLoad: 0, endpoints: 2) == 1)
        #expect(HashRing.capacity(totalLoad: 7, endpoints: 4) == 3)      // 1.25 × 8 / 4 = 2.5
        #expect(HashRing.capacity(totalLoad: 99, endpoints: 4) == 32)    // 1.25 × 100 / 4 = 31.25
        #expect(HashRing.capacity(totalLoad: 3, endpoints: 0) == .max)
    }

    @Test func overloadedEndpoint_isSkippedToTheNextOnTheRing() {
        let ring = HashRing(keys: Self.keys)
        let home = ring.choose(hash: 42, capacity: 3) { _ in .available(load: 0) }
        let spill = ring.choose(hash: 42, capacity: 3) { i in .available(load: i == home?.index ? 3 : 1) }
        #expect(home?.healthy == true && spill?.healthy == true)
        #expect(spill?.index != home?.index)
        // Everyone over capacity: the home endpoint still takes it (affinity beats spreading then).
        let full = ring.choose(hash: 42, capacity: 3) { _ in .available(load: 9) }
        #expect(full == home)
    }

    @Test func unhealthyEndpoints_areSkipped_andTakenOnlyInPanic() {
        let ring = HashRing(keys: Self.keys)
        let home = ring.choose(hash: 7, capacity: .max) { _ in .available(load: 0) }
        let other = ring.choose(hash: 7, capacity: .max) { i in i == home?.index ? .unavailable : .available(load: 0) }
        #expect(other?.healthy == true && other?.index != home?.index)
        let panic = ring.choose(hash: 7, capacity: .max) { _ in .unavailable }
        #expect(panic == HashRing.Choice(index: home?.index ?? -1, healthy: false))
        let mixed = ring.choose(hash: 7, capacity: .max) { i in i == home?.index ? .excluded : .unavailable }
        #expect(mixed?.healthy == false && mixed?.index != home?.index)
        #expect(ring.choose(hash: 7, capacity: .max) { _ in .excluded } == nil)
    }

    @Test func walk_asksAboutEachEndpointAtMostOnce() {
        let ring = HashRing(keys: Self.keys)
        var asked: [Int] = []
        _ = ring.choose(hash: 99, capacity: 1) { i in
            asked.append(i)
            return .available(load: 5)
        }
        #expect(asked.count == 4 && Set(asked).count == 4)
    }

    @Test func emptyRing_choosesNothing() {
        #expect(HashRing(keys: []).choose(hash: 1, capacity: 1) { _ in .available(load: 0) } == nil)
    }
}
