/// E-mail addresses found from their '@': a practical RFC 5322 subset. Local part `[A-Za-z0-9._%+-]`
/// (1-64 bytes, no leading, trailing or doubled dot); domain of dot-separated labels `[A-Za-z0-9-]`
/// (no label starts or ends with '-'), at least two labels, the last all letters and at least 2 long.
enum GuardrailEmailMatch {
    private typealias A = GuardrailASCII

    @inline(__always)
    private static func isLocal(_ b: UInt8) -> Bool {
        A.isWord(b) || b == 0x2E || b == 0x25 || b == 0x2B || b == 0x2D
    }

    @inline(__always)
    private static func isDomain(_ b: UInt8) -> Bool { A.isAlnum(b) || b == 0x2D || b == 0x2E }

    /// The address around the '@' at `at`, or nil.
    static func email(_ p: UnsafeRawBufferPointer, at: Int) -> Range<Int>? {
        // Local part: walk back at most 64 bytes.
        var s = at
        while s > 0 && at - s < 64 && isLocal(p[s - 1]) { s -= 1 }
        if s > 0 && isLocal(p[s - 1]) { return nil } // longer than 64
        while s < at && p[s] == 0x2E { s += 1 }
        guard s < at, p[at - 1] != 0x2E else { return nil }
        var k = s
        while k + 1 < at {
            if p[k] == 0x2E && p[k + 1] == 0x2E { return nil }
            k += 1
        }
        // Domain: the maximal run, minus trailing dots/dashes (sentence punctuation).
        var e = A.run(p, from: at + 1, isDomain)
        while e > at + 1 && (p[e - 1] == 0x2E || p[e - 1] == 0x2D) { e -= 1 }
        guard e - at - 1 >= 4, e - at - 1 <= 253 else { return nil }
        var labelStart = at + 1
        var labels = 0
        var j = at + 1
        while j <= e {
            if j == e || p[j] == 0x2E {
                guard j > labelStart, p[labelStart] != 0x2D, p[j - 1] != 0x2D, j - labelStart <= 63 else { return nil }
                labels += 1
                if j == e {
                    guard j - labelStart >= 2 else { return nil }
                    for t in labelStart..<j where !A.isAlpha(p[t]) { return nil }
                }
                labelStart = j + 1
            }
            j += 1
        }
        guard labels >= 2 else { return nil }
        return s..<e
    }
}
