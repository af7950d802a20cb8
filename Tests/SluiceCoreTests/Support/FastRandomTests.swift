import Testing
@testable import SluiceCore

/// The seeded generator the differential tests draw their texts from: reproducible, seed-dependent.
@Test func fastRandom_seeded_repeatsItsSequence() {
    var a = FastRandom(seed: 7), b = FastRandom(seed: 7), c = FastRandom(seed: 8)
    let sa = (0..<16).map { _ in a.next() }
    #expect(sa == (0..<16).map { _ in b.next() })
    #expect(sa != (0..<16).map { _ in c.next() })
    #expect(Set(sa).count == 16)
}
