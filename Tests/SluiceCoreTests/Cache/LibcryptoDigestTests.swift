import Testing
@testable import SluiceCore

/// The daemon's SHA-256 (libcrypto's low-level calls) against the FIPS 180 vectors and the tests' pure
/// implementation, across block boundaries.
@Suite struct LibcryptoDigestTests {
    @Test func knownVectors() {
        #expect(SHA256Digest.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Digest.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Digest.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func sameAsPureImplementation_everyLengthUpTo300() {
        var bytes: [UInt8] = []
        for n in 0...300 {
            #expect(LibcryptoDigest().sha256(bytes) == CacheTestSHA256().sha256(bytes), "length \(n)")
            bytes.append(UInt8(truncatingIfNeeded: n &* 131 &+ 7))
        }
    }

    @Test func keyWrittenInPlace_matchesDigestBytes() {
        let d = LibcryptoDigest()
        for input in [[], Array("abc".utf8), [UInt8](repeating: 0x61, count: 1_000)] {
            #expect(d.key(input) == CacheKey(bytes: d.sha256(input)))
            #expect(d.key(input).hex == CacheTestSHA256().key(input).hex)
        }
        #expect(d.key(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
