import CSSL

/// SHA-256 through libcrypto (the `Digest` the pure layers receive from outside).
enum SHA256Digest {
    static func digest(_ bytes: [UInt8]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { out, n in
            digest(bytes, into: UnsafeMutableRawBufferPointer(out))
            n = 32
        }
    }

    /// Writes the 32-byte digest of `bytes` to the start of `out`, which must hold at least 32 bytes.
    static func digest(_ bytes: [UInt8], into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count >= 32, "a SHA-256 digest needs 32 bytes")
        bytes.withUnsafeBytes { raw in CSSL_sha256(raw.baseAddress, raw.count, out.baseAddress) }
    }

    static func hex(_ bytes: [UInt8]) -> String { HexDigits.lower(digest(bytes)) }
}

/// SHA-1 through libcrypto: only for naming Redis scripts (`EVALSHA` wants the SHA-1 of the source).
enum SHA1Digest {
    static func hex(_ bytes: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: 20)
        bytes.withUnsafeBytes { raw in
            out.withUnsafeMutableBufferPointer { o in CSSL_sha1(raw.baseAddress, raw.count, o.baseAddress) }
        }
        return HexDigits.lower(out)
    }
}

enum HexDigits {
    static func lower(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var s: [UInt8] = []
        s.reserveCapacity(bytes.count * 2)
        for b in bytes {
            s.append(digits[Int(b >> 4)])
            s.append(digits[Int(b & 0xF)])
        }
        return String(decoding: s, as: UTF8.self)
    }
}
