/// IBANs: two upper-case letters, two check digits and an upper-case alphanumeric BBAN, written compact or
/// grouped by four with single spaces; the total length must be the country's (for the countries listed
/// below; 15-34 for others) and the mod-97 remainder 1 (ISO 13616).
enum GuardrailIBANMatch {
    private typealias A = GuardrailASCII

    /// IBAN length of a country given as two upper-case ASCII letters, 0 when not listed.
    static func length(_ c0: UInt8, _ c1: UInt8) -> Int {
        switch (UInt16(c0) << 8) | UInt16(c1) {
        case pair("NO"): 15
        case pair("BE"): 16
        case pair("NL"), pair("DK"), pair("FI"), pair("FO"), pair("GL"): 18
        case pair("SI"), pair("MK"): 19
        case pair("AT"), pair("LU"), pair("LT"), pair("EE"), pair("BA"), pair("KZ"), pair("XK"): 20
        case pair("CH"), pair("LI"), pair("HR"), pair("LV"): 21
        case pair("DE"), pair("GB"), pair("IE"), pair("BG"), pair("BH"), pair("CR"), pair("GE"), pair("ME"),
             pair("RS"), pair("VA"): 22
        case pair("AE"), pair("IL"), pair("GI"), pair("TL"): 23
        case pair("ES"), pair("SE"), pair("CZ"), pair("SK"), pair("RO"), pair("AD"), pair("MD"), pair("PK"),
             pair("SA"), pair("TN"), pair("VG"): 24
        case pair("PT"), pair("ST"): 25
        case pair("IS"), pair("TR"): 26
        case pair("FR"), pair("IT"), pair("GR"), pair("MC"), pair("SM"): 27
        case pair("PL"), pair("HU"), pair("CY"), pair("AL"), pair("AZ"), pair("DO"), pair("GT"), pair("LB"): 28
        case pair("BR"), pair("EG"), pair("PS"), pair("QA"), pair("UA"): 29
        case pair("JO"), pair("KW"), pair("MU"): 30
        case pair("MT"), pair("SC"): 31
        default: 0
        }
    }

    private static func pair(_ s: StaticString) -> UInt16 {
        s.withUTF8Buffer { (UInt16($0[0]) << 8) | UInt16($0[1]) }
    }

    @inline(__always)
    private static func isBBAN(_ b: UInt8) -> Bool { A.isUpper(b) || A.isDigit(b) }

    /// The IBAN starting at `i` (a word start), or nil.
    static func iban(_ p: UnsafeRawBufferPointer, _ i: Int) -> Int? {
        guard A.isUpper(A.at(p, i + 1)), A.isDigit(A.at(p, i + 2)), A.isDigit(A.at(p, i + 3)) else { return nil }
        let expected = length(p[i], p[i + 1])
        let maxLen = expected == 0 ? 34 : expected
        var count = 4
        var j = i + 4
        let grouped = A.at(p, j) == 0x20
        while count < maxLen {
            if grouped && (count % 4 == 0) {
                guard A.at(p, j) == 0x20, isBBAN(A.at(p, j + 1)) else { break }
                j += 1
            }
            guard j < p.count, isBBAN(p[j]) else { break }
            j += 1
            count += 1
        }
        guard expected == 0 ? count >= 15 : count == expected, !A.isAlnum(A.at(p, j)) else { return nil }
        return mod97(p, from: i, to: j) == 1 ? j : nil
    }

    /// ISO 7064 mod 97-10 of the IBAN in `p[from..<to]` (spaces skipped): BBAN first, then the
    /// country code and check digits, letters counted as 10-35.
    private static func mod97(_ p: UnsafeRawBufferPointer, from: Int, to: Int) -> Int {
        var r = 0
        func add(_ b: UInt8) {
            if A.isDigit(b) {
                r = (r * 10 + Int(b &- 0x30)) % 97
            } else if A.isUpper(b) {
                r = (r * 100 + Int(b &- 0x41) + 10) % 97
            }
        }
        for k in (from + 4)..<to { add(p[k]) }
        for k in from..<(from + 4) { add(p[k]) }
        return r
    }
}
