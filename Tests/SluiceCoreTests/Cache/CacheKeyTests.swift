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
