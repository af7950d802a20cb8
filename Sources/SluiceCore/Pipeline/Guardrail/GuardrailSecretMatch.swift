/// Matchers for credentials. Each takes a start offset the caller has checked to be a word start and
/// returns the exclusive end of the match or nil. No allocation.
enum GuardrailSecretMatch {
    private typealias A = GuardrailASCII

    /// `sk-…` (OpenAI-style, incl. `sk-proj-…`, ≥ 20 key characters after `sk-`), GitHub tokens
    /// `ghp_/gho_/ghs_/ghu_/ghr_` + ≥ 36 alphanumerics or `github_pat_` + ≥ 22, Slack `xox[abpors]-…`.
    static func apiKey(_ p: UnsafeRawBufferPointer, _ i: Int) -> Int? {
        switch p[i] {
        case 0x73: // s
            guard A.hasPrefix(p, at: i, "sk-") else { return nil }
            let e = A.run(p, from: i + 3, A.isKeyChar)
            return e - (i + 3) >= 20 ? e : nil
        case 0x67: // g
            if A.hasPrefix(p, at: i, "github_pat_") {
                let e = A.run(p, from: i + 11, A.isWord)
                return e - (i + 11) >= 22 ? e : nil
            }
            guard A.at(p, i + 1) == 0x68, A.at(p, i + 3) == 0x5F else { return nil }
            switch A.at(p, i + 2) {
            case 0x70, 0x6F, 0x73, 0x75, 0x72: break // p o s u r
            default: return nil
            }
            let e = A.run(p, from: i + 4, A.isAlnum)
            return e - (i + 4) >= 36 && !A.isKeyChar(A.at(p, e)) ? e : nil
        case 0x78: // x
            guard A.hasPrefix(p, at: i, "xox"), A.at(p, i + 4) == 0x2D else { return nil }
            switch A.at(p, i + 3) {
            case 0x61, 0x62, 0x70, 0x6F, 0x72, 0x73: break // a b p o r s
            default: return nil
            }
            let e = A.run(p, from: i + 5, { A.isAlnum($0) || $0 == 0x2D })
            return e - (i + 5) >= 10 ? e : nil
        default:
            return nil
        }
    }

    /// AWS access key id: `AKIA` or `ASIA` + 16 upper-case alphanumerics, word-bounded.
    static func awsKey(_ p: UnsafeRawBufferPointer, _ i: Int) -> Int? {
        guard A.hasPrefix(p, at: i, "AKIA") || A.hasPrefix(p, at: i, "ASIA") else { return nil }
        let e = A.run(p, from: i + 4, { A.isUpper($0) || A.isDigit($0) })
        return e - (i + 4) == 16 && !A.isWord(A.at(p, e)) ? e : nil
    }

    /// JWT: three base64url segments separated by dots, the first starting with `eyJ` (a JSON header).
    /// The signature may be empty (`alg: none`).
    static func jwt(_ p: UnsafeRawBufferPointer, _ i: Int) -> Int? {
        guard A.hasPrefix(p, at: i, "eyJ") else { return nil }
        let e1 = A.run(p, from: i, A.isKeyChar)
        guard e1 - i >= 10, A.at(p, e1) == 0x2E else { return nil }
        let e2 = A.run(p, from: e1 + 1, A.isKeyChar)
        guard e2 - e1 - 1 >= 4, A.at(p, e2) == 0x2E else { return nil }
        return A.run(p, from: e2 + 1, A.isKeyChar)
    }

    /// PEM private key: `-----BEGIN [A-Z ]*PRIVATE KEY-----` through the matching `-----END …-----` line.
    /// Without an END line (a truncated paste) the match covers the header and the base64 lines after it.
    static func privateKey(_ p: UnsafeRawBufferPointer, _ i: Int) -> Int? {
        guard A.hasPrefix(p, at: i, "-----BEGIN ") else { return nil }
        var j = i + 11
        while j < p.count && j - i < 80 && (A.isUpper(p[j]) || p[j] == 0x20) { j += 1 }
        guard j >= i + 11 + 11, A.hasPrefix(p, at: j - 11, "PRIVATE KEY"), A.hasPrefix(p, at: j, "-----") else {
            return nil
        }
        let headerEnd = j + 5
        var k = headerEnd
        while k + 9 <= p.count {
            if p[k] == 0x2D && A.hasPrefix(p, at: k, "-----END ") {
                var t = k + 9
                while t < p.count && t - k < 80 && (A.isUpper(p[t]) || p[t] == 0x20) { t += 1 }
                if A.hasPrefix(p, at: t - 11, "PRIVATE KEY"), A.hasPrefix(p, at: t, "-----") { return t + 5 }
                return nil
            }
            k += 1
        }
        // Truncated: header plus the base64 runs on the lines that follow (a run ends the match at the
        // first byte that is neither base64 nor a line break).
        var e = headerEnd
        var t = headerEnd
        while t < p.count {
            let b = p[t]
            if A.isAlnum(b) || b == 0x2B || b == 0x2F || b == 0x3D {
                t += 1
                e = t
            } else if b == 0x0A || b == 0x0D {
                t += 1
            } else {
                break
            }
        }
        return e
    }
}
