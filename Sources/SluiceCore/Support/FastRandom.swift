/// A small non-cryptographic PRNG (xoshiro256**) for request ids and load-balancing picks.
/// One per loop; seeded from the system generator.
struct FastRandom: RandomNumberGenerator {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    init() {
        var sys = SystemRandomNumberGenerator()
        s0 = sys.next() | 1
        s1 = sys.next()
        s2 = sys.next()
        s3 = sys.next()
    }

    /// A generator with a fixed sequence (tests, reproducible runs): the state is `seed` expanded by
    /// SplitMix64.
    init(seed: UInt64) {
        var x = seed
        func mix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = mix() | 1
        s1 = mix()
        s2 = mix()
        s3 = mix()
    }

    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// 32 lowercase hex characters.
    mutating func requestID() -> String {
        let a = next(), b = next()
        return String(unsafeUninitializedCapacity: 32) { buf in
            for i in 0..<16 { buf[i] = Self.hex[Int((a >> (UInt64(i) * 4)) & 0xF)] }
            for i in 0..<16 { buf[16 + i] = Self.hex[Int((b >> (UInt64(i) * 4)) & 0xF)] }
            return 32
        }
    }
}
