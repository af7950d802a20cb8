import Testing
@testable import SluiceCore

/// A key from a small integer (short keys: equal first bytes collide in the index on purpose).
private func pendingKey(_ k: Int) -> CacheKey {
    CacheKey(bytes: [UInt8(k & 0xFF), UInt8(k >> 8), 0xAB])
}

@Test func pendingLeaders_registerFollowTake() {
    var p = PromptCachePendingLeaders()
    let a = pendingKey(1), b = pendingKey(2)
    #expect(p.leader(for: a) == nil)
    p.register(a, id: 10)
    p.register(b, id: 11)
    #expect(p.count == 2)
    guard let e = p.leader(for: a) else {
        Issue.record("leader of a missing")
        return
    }
    #expect(p.followerCount(at: e) == 0)
    p.addFollower({ _ in }, at: e)
    p.addFollower({ _ in }, at: e)
    #expect(p.followerCount(at: e) == 2)
    // Another ticket's id leaves the entry in place.
    #expect(p.take(a, id: 99) == nil)
    #expect(p.count == 2)
    #expect(p.take(a, id: 10)?.count == 2)
    #expect(p.leader(for: a) == nil)
    #expect(p.take(a, id: 10) == nil)
    #expect(p.leader(for: b) != nil)
    #expect(p.count == 1)
}

/// Random registrations, followers and takes against a dictionary model; freed entries are reused, so
/// a stale mapping or a follower list left behind shows as a wrong count.
@Test func pendingLeaders_matchAModel() {
    var rng = FastRandom(seed: 3)
    var p = PromptCachePendingLeaders()
    var model: [Int: (id: UInt64, followers: Int)] = [:]
    var nextID: UInt64 = 1
    for step in 0..<20_000 {
        let k = Int(rng.next() % 300)
        let key = pendingKey(k)
        switch rng.next() % 4 {
        case 0, 1:
            if let e = p.leader(for: key) {
                #expect(model[k] != nil, "step \(step)")
                p.addFollower({ _ in }, at: e)
                model[k]?.followers += 1
            } else {
                #expect(model[k] == nil, "step \(step)")
                p.register(key, id: nextID)
                model[k] = (nextID, 0)
                nextID += 1
            }
        case 2:
            let id = model[k]?.id ?? 0
            let taken = p.take(key, id: id)
            #expect(taken?.count == model[k]?.followers, "step \(step)")
            model[k] = nil
        default:
            // A stale ticket (wrong id) never removes the leader in flight.
            #expect(p.take(key, id: UInt64.max) == nil)
        }
        #expect(p.count == model.count)
    }
}
