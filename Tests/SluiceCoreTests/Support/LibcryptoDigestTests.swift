import Testing
@testable import SluiceCore

@Test func libcryptoKey_matchesDigestBytes() {
    let d = LibcryptoDigest()
    for input in [[], Array("abc".utf8), [UInt8](repeating: 0x61, count: 1_000)] {
        #expect(d.key(input) == CacheKey(bytes: d.sha256(input)))
        #expect(d.key(input).hex == CacheTestSHA256().key(input).hex)
    }
    #expect(d.key(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
}
