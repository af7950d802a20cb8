/// One pass over the text for every built-in PII and secret kind: a per-config byte table marks the few
/// bytes where an enabled kind can start (digits, '+', '(', '-', '@', a handful of letters) and the word
/// characters. Nothing starts inside a word (every kind that begins with a word character needs a word
/// start), so past a word's first byte the scan runs to the word's end; other unmarked bytes are stepped
/// over, and the marked ones are handed to the matchers.
/// Immutable and Sendable; allocates only the findings it returns.
struct GuardrailPatternScanner: Sendable {
    /// What a byte may start, per enabled kinds (`Trigger.none` for most bytes).
    private enum Trigger: UInt8 {
        case none = 0
        /// `0-9`: SSN, phone, IPv4, card.
        case digit
        /// `+` or `(`: a phone number.
        case phone
        /// `-`: a PEM private-key header.
        case dash
        /// `@`: an e-mail address.
        case at
        /// `A-Z`, `e`, `g`, `s`, `x` at a word start: IBAN, API keys, JWT.
        case letter
    }

    /// Action per `GuardrailBuiltinKind.rawValue`; nil = kind not enabled.
    let actions: [DetectorConfig.Action?]
    /// `Trigger` raw value per byte, plus `wordBit` for word characters (`GuardrailASCII.isWord`).
    private let triggers: [UInt8]
    private static let wordBit: UInt8 = 0x80

    /// A scanner with the given per-kind actions.
    init(actions: [GuardrailBuiltinKind: DetectorConfig.Action]) {
        var a = [DetectorConfig.Action?](repeating: nil, count: GuardrailBuiltinKind.allCases.count)
        for (k, v) in actions { a[k.rawValue] = v }
        self.actions = a
        var t = [UInt8](repeating: Trigger.none.rawValue, count: 256)
        func mark(_ bytes: some Sequence<UInt8>, _ trigger: Trigger, if kinds: [GuardrailBuiltinKind]) {
            guard kinds.contains(where: { actions[$0] != nil }) else { return }
            for b in bytes { t[Int(b)] = trigger.rawValue }
        }
        mark(0x30...0x39, .digit, if: [.phone, .creditCard, .ssn, .ipv4])
        mark([0x2B, 0x28], .phone, if: [.phone])
        mark([0x2D], .dash, if: [.privateKey])
        mark([0x40], .at, if: [.email])
        mark(0x41...0x5A, .letter, if: [.apiKey, .iban])
        mark([0x65], .letter, if: [.jwt])
        mark([0x67, 0x73, 0x78], .letter, if: [.apiKey])
        for b in 0..<256 where GuardrailASCII.isWord(UInt8(b)) { t[b] |= Self.wordBit }
        triggers = t
    }

    /// True when no kind is enabled.
    var isEmpty: Bool { actions.allSatisfy { $0 == nil } }

    @inline(__always)
    private func on(_ k: GuardrailBuiltinKind) -> Bool { actions[k.rawValue] != nil }

    private func emit(_ k: GuardrailBuiltinKind, _ r: Range<Int>, _ out: inout [GuardrailFinding]) {
        guard let a = actions[k.rawValue] else { return }
        out.append(GuardrailFinding(detector: k.detector, kind: k.name, action: a, range: r))
    }

    /// Appends every built-in match in `p` to `out` (in text order, possibly overlapping). `skipWords` false
    /// tries every byte (the reference the tests compare the word skip with).
    func scan(_ p: UnsafeRawBufferPointer, into out: inout [GuardrailFinding], skipWords: Bool = true) {
        triggers.withUnsafeBufferPointer { table in
            let n = p.count
            var i = 0
            while i < n {
                let k = table[Int(p[i])]
                let trigger = k & ~Self.wordBit
                if trigger != Trigger.none.rawValue, let e = match(Trigger(rawValue: trigger) ?? .none, p, i, &out) {
                    i = e
                    continue
                }
                i += 1
                if skipWords && k & Self.wordBit != 0 {
                    while i < n && table[Int(p[i])] & Self.wordBit != 0 { i += 1 }
                }
            }
        }
    }

    /// The matchers for a marked byte at `i`: the offset to continue from after a match (or after a run
    /// of digits that matched nothing), nil to go on with the next byte.
    @inline(__always)
    private func match(_ trigger: Trigger, _ p: UnsafeRawBufferPointer, _ i: Int,
                       _ out: inout [GuardrailFinding]) -> Int? {
        switch trigger {
        case .none:
            return nil
        case .digit:
            if GuardrailASCII.isNumberStart(p, i), let (k, e) = matchNumber(p, i) {
                emit(k, i..<e, &out)
                return e
            }
            return GuardrailASCII.run(p, from: i, GuardrailASCII.isDigit)
        case .phone:
            guard !GuardrailASCII.isWord(GuardrailASCII.at(p, i - 1)) else { return nil }
            let e = p[i] == 0x2B ? GuardrailNumberMatch.internationalPhone(p, i) : GuardrailNumberMatch.northAmericanPhone(p, i)
            if let e { emit(.phone, i..<e, &out) }
            return e
        case .dash:
            let e = GuardrailSecretMatch.privateKey(p, i)
            if let e { emit(.privateKey, i..<e, &out) }
            return e
        case .at:
            let r = GuardrailEmailMatch.email(p, at: i)
            if let r { emit(.email, r, &out) }
            return r?.upperBound
        case .letter:
            guard let (k, e) = matchWord(p, i, p[i]) else { return nil }
            emit(k, i..<e, &out)
            return e
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

    /// Letter-started kinds (IBAN, keys, JWT) at a word start (`b` is one of `A-Z e g s x`).
    @inline(__always)
    private func matchWord(_ p: UnsafeRawBufferPointer, _ i: Int, _ b: UInt8) -> (GuardrailBuiltinKind, Int)? {
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
