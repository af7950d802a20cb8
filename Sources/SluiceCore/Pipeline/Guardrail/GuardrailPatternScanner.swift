/// One pass over the text for every built-in PII and secret kind: a byte switch picks the few positions
/// where a match can start (digits, '+', '(', '@', a handful of letters) and hands them to the matchers.
/// Immutable and Sendable; allocates only the findings it returns.
struct GuardrailPatternScanner: Sendable {
    /// Action per `GuardrailBuiltinKind.rawValue`; nil = kind not enabled.
    let actions: [DetectorConfig.Action?]
    private let numbers: Bool
    private let letters: Bool

    /// A scanner with the given per-kind actions.
    init(actions: [GuardrailBuiltinKind: DetectorConfig.Action]) {
        var a = [DetectorConfig.Action?](repeating: nil, count: GuardrailBuiltinKind.allCases.count)
        for (k, v) in actions { a[k.rawValue] = v }
        self.actions = a
        numbers = [.phone, .creditCard, .ssn, .ipv4].contains { actions[$0] != nil }
        letters = [.iban, .apiKey, .privateKey, .jwt].contains { actions[$0] != nil }
    }

    /// True when no kind is enabled.
    var isEmpty: Bool { actions.allSatisfy { $0 == nil } }

    @inline(__always)
    private func on(_ k: GuardrailBuiltinKind) -> Bool { actions[k.rawValue] != nil }

    private func emit(_ k: GuardrailBuiltinKind, _ r: Range<Int>, _ out: inout [GuardrailFinding]) {
        guard let a = actions[k.rawValue] else { return }
        out.append(GuardrailFinding(detector: k.detector, kind: k.name, action: a, range: r))
    }

    /// Appends every built-in match in `p` to `out` (in text order, possibly overlapping).
    func scan(_ p: UnsafeRawBufferPointer, into out: inout [GuardrailFinding]) {
        let n = p.count
        let email = on(.email), phone = on(.phone)
        var i = 0
        while i < n {
            let b = p[i]
            if b < 0x40 {
                if GuardrailASCII.isDigit(b) {
                    guard numbers else { i += 1; continue }
                    if GuardrailASCII.isNumberStart(p, i), let (k, e) = matchNumber(p, i) {
                        emit(k, i..<e, &out)
                        i = e
                        continue
                    }
                    i = GuardrailASCII.run(p, from: i, GuardrailASCII.isDigit)
                    continue
                }
                if phone && (b == 0x2B || b == 0x28), !GuardrailASCII.isWord(GuardrailASCII.at(p, i - 1)) {
                    let e = b == 0x2B ? GuardrailNumberMatch.internationalPhone(p, i)
                                      : GuardrailNumberMatch.northAmericanPhone(p, i)
                    if let e {
                        emit(.phone, i..<e, &out)
                        i = e
                        continue
                    }
                } else if b == 0x2D && on(.privateKey), let e = GuardrailSecretMatch.privateKey(p, i) {
                    emit(.privateKey, i..<e, &out)
                    i = e
                    continue
                }
            } else if b == 0x40 {
                if email, let r = GuardrailEmailMatch.email(p, at: i) {
                    emit(.email, r, &out)
                    i = r.upperBound
                    continue
                }
            } else if letters, let (k, e) = matchWord(p, i, b) {
                emit(k, i..<e, &out)
                i = e
                continue
            }
            i += 1
        }
    }

    /// Number-shaped kinds at a number start, most structured first.
    private func matchNumber(_ p: UnsafeRawBufferPointer, _ i: Int) -> (GuardrailBuiltinKind, Int)? {
        if on(.ssn), let e = GuardrailNumberMatch.ssn(p, i) { return (.ssn, e) }
        if on(.phone), let e = GuardrailNumberMatch.northAmericanPhone(p, i) { return (.phone, e) }
        if on(.ipv4), let e = GuardrailNumberMatch.ipv4(p, i) { return (.ipv4, e) }
        if on(.creditCard), let e = GuardrailNumberMatch.creditCard(p, i) { return (.creditCard, e) }
        return nil
    }

    /// Letter-started kinds (IBAN, keys, JWT) at a word start.
    @inline(__always)
    private func matchWord(_ p: UnsafeRawBufferPointer, _ i: Int, _ b: UInt8) -> (GuardrailBuiltinKind, Int)? {
        switch b {
        case 0x41...0x5A, 0x65, 0x67, 0x73, 0x78: break // A-Z e g s x
        default: return nil
        }
        guard !GuardrailASCII.isKeyChar(GuardrailASCII.at(p, i - 1)) else { return nil }
        if GuardrailASCII.isUpper(b) {
            if on(.apiKey), let e = GuardrailSecretMatch.awsKey(p, i) { return (.apiKey, e) }
            if on(.iban), let e = GuardrailIBANMatch.iban(p, i) { return (.iban, e) }
            return nil
        }
        if b == 0x65 { // e
            if on(.jwt), let e = GuardrailSecretMatch.jwt(p, i) { return (.jwt, e) }
            return nil
        }
        if on(.apiKey), let e = GuardrailSecretMatch.apiKey(p, i) { return (.apiKey, e) }
        return nil
    }
}
