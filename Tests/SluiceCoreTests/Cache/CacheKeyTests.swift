import Testing
@testable import SluiceCore

@Test func sha256Fake_knownVectors_match() {
    #expect(CacheKey(bytes: CacheTestSHA256().sha256(Array("abc".utf8))).hex
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(CacheKey(bytes: CacheTestSHA256().sha256([])).hex
        == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
    #expect(CacheKey(bytes: CacheTestSHA256().sha256(long)).hex
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
}

@Test func hex_bytes_lowercasePairs() {
    #expect(CacheKey(bytes: [0x00, 0x0f, 0xa0, 0xff]).hex == "000fa0ff")
    #expect(CacheKey(bytes: []).hex == "")
}

@Test func equality_sameBytes_equalAndSameHash() {
    let a = CacheKey(bytes: [1, 2, 3])
    let b = CacheKey(bytes: [1, 2, 3])
    #expect(a == b)
    #expect(a.hashValue == b.hashValue)
    #expect(a != CacheKey(bytes: [1, 2, 4]))
    #expect(a.shardHash == b.shardHash)
}

@Test func shardHash_differentKeys_spread() {
    var seen = Set<UInt64>()
    for i in 0..<64 { seen.insert(CacheTestData.key(i).shardHash % 8) }
    #expect(seen.count == 8)
}

/// The shard selector as it was computed over a byte array (keys must keep landing in the same shard).
private func referenceShardHash(_ bytes: [UInt8]) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes.prefix(8) { h = (h << 8) | UInt64(b) }
    for b in bytes.dropFirst(8) { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return h
}

@Test func bytes_roundTrip_fullAndShortKeys() {
    let full = CacheTestSHA256().sha256(Array("round trip".utf8))
    for bytes in [full, [], [7], [1, 2, 3], Array(full.prefix(8)), Array(full.prefix(9)), Array(full.prefix(31))] {
        let k = CacheKey(bytes: bytes)
        #expect(k.bytes == bytes)
        #expect(k.hex == bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined())
        #expect(k.shardHash == referenceShardHash(bytes))
    }
}

@Test func equality_differsInAnyWordOrLength_unequal() {
    let full = CacheTestSHA256().sha256(Array("words".utf8))
    let k = CacheKey(bytes: full)
    #expect(k == CacheKey(bytes: full))
    #expect(k.hashValue == CacheKey(bytes: full).hashValue)
    for i in [0, 7, 8, 15, 16, 23, 24, 31] {
        var other = full
        other[i] ^= 0x01
        #expect(k != CacheKey(bytes: other))
    }
    // Zero padding never makes a shorter key equal a longer one.
    #expect(CacheKey(bytes: [0]) != CacheKey(bytes: [0, 0]))
    #expect(CacheKey(bytes: []) != CacheKey(bytes: [0]))
    #expect(CacheKey(bytes: Array(full.prefix(31))) != k)
}

@Test func filling_writesAFullKey_equalToBytes() {
    let full = CacheTestSHA256().sha256(Array("fill".utf8))
    let filled = CacheKey { out in
        #expect(out.count == 32)
        out.copyBytes(from: full)
    }
    #expect(filled == CacheKey(bytes: full))
    #expect(filled.hashValue == CacheKey(bytes: full).hashValue)
    #expect(filled.bytes == full)
}

@Test func dictionary_manyKeys_findsEachOnce() {
    var slots: [CacheKey: Int] = [:]
    for i in 0..<2_000 { slots[CacheTestData.key(i)] = i }
    #expect(slots.count == 2_000)
    for i in 0..<2_000 { #expect(slots[CacheTestData.key(i)] == i) }
    #expect(slots[CacheKey(bytes: [1, 2, 3])] == nil)
}

@Test func indexHash_shortKeysDifferingInOneByte_spreadOverTheTopBits() {
    // The LRU's index takes its home slot from the top bits: keys that differ in any one byte, past the first
    // word included, must not all land on one home.
    var homes = Set<UInt64>()
    for position in [0, 3, 7, 8, 20, 31] {
        for value in 1...4 {
            var bytes = [UInt8](repeating: 0, count: 32)
            bytes[position] = UInt8(value)
            homes.insert(CacheKey(bytes: bytes).indexHash >> 56)
        }
    }
    #expect(homes.count > 12)
}
