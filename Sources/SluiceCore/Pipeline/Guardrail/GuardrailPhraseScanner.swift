/// What a phrase match reports.
struct GuardrailPhrasePayload: Sendable {
    /// "keywords" or "prompt_injection".
    var detector: String
    /// "KEYWORD" or "PROMPT_INJECTION".
    var kind: String
    /// The detector's action.
    var action: DetectorConfig.Action
}

extension GuardrailPhraseAutomaton {
    /// Appends every phrase match in `p` (ranges in the original bytes) to `out`.
    /// Uses a stack-allocated ring of the original offsets of the last `maxLength` folded bytes.
    func scan(_ p: UnsafeRawBufferPointer, payloads: [GuardrailPhrasePayload], into out: inout [GuardrailFinding]) {
        guard !patterns.isEmpty, !p.isEmpty else { return }
        var cap = 16
        while cap < maxLength + 2 { cap <<= 1 }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: cap) { ringStart in
            withUnsafeTemporaryAllocation(of: Bool.self, capacity: cap) { ringWord in
                withTables { tables in
                    var sink = GuardrailPhraseSink(text: p, t: tables, patterns: patterns, payloads: payloads,
                                                   ringStart: ringStart, ringWord: ringWord, mask: cap - 1, out: out)
                    out = []
                    GuardrailSymbolWalker.walk(p, &sink)
                    sink.finish()
                    out = sink.out
                }
            }
        }
    }

    private func withTables(_ body: (GuardrailPhraseTables) -> Void) {
        classOf.withUnsafeBufferPointer { c in
            rootRow.withUnsafeBufferPointer { r in
                edgeStart.withUnsafeBufferPointer { es in
                    edgeClass.withUnsafeBufferPointer { ec in
                        edgeTarget.withUnsafeBufferPointer { et in
                            fail.withUnsafeBufferPointer { f in
                                patternAt.withUnsafeBufferPointer { pa in
                                    dictLink.withUnsafeBufferPointer { dl in
                                        body(GuardrailPhraseTables(classOf: c, rootRow: r, edgeStart: es, edgeClass: ec,
                                                                   edgeTarget: et, fail: f, patternAt: pa, dictLink: dl))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Borrowed automaton tables for one scan.
private struct GuardrailPhraseTables {
    let classOf: UnsafeBufferPointer<UInt16>
    let rootRow: UnsafeBufferPointer<Int32>
    let edgeStart: UnsafeBufferPointer<Int32>
    let edgeClass: UnsafeBufferPointer<UInt16>
    let edgeTarget: UnsafeBufferPointer<Int32>
    let fail: UnsafeBufferPointer<Int32>
    let patternAt: UnsafeBufferPointer<Int32>
    let dictLink: UnsafeBufferPointer<Int32>

    /// The state after byte `b` in state `s`: own edges, else the failure chain, else the root row.
    @inline(__always)
    func next(_ s: Int, _ b: UInt8) -> Int {
        let c = classOf[Int(b)]
        if c == 0 { return 0 }
        var s = s
        while s != 0 {
            var e = Int(edgeStart[s])
            let end = Int(edgeStart[s + 1])
            while e < end {
                if edgeClass[e] == c { return Int(edgeTarget[e]) }
                e += 1
            }
            s = Int(fail[s])
        }
        return Int(rootRow[Int(c)])
    }
}

/// Runs the automaton over folded symbols; one scan's state (stack value, borrowed tables).
private struct GuardrailPhraseSink: GuardrailSymbolSink {
    let text: UnsafeRawBufferPointer
    let t: GuardrailPhraseTables
    let patterns: [GuardrailPhraseAutomaton.Pattern]
    let payloads: [GuardrailPhrasePayload]
    let ringStart: UnsafeMutableBufferPointer<Int>
    let ringWord: UnsafeMutableBufferPointer<Bool>
    let mask: Int
    var out: [GuardrailFinding]
    var state = 0
    var fed = 0
    /// A state with matches that need an end boundary, waiting for the next symbol.
    var pendingState = -1
    var pendingEnd = 0

    @inline(__always)
    private mutating func feed(_ b: UInt8, start: Int, word: Bool) {
        ringStart[fed & mask] = start
        ringWord[fed & mask] = word
        fed += 1
        state = t.next(state, b)
    }

    @inline(__always)
    mutating func symbol(_ v: UInt32, word: Bool, start: Int, end: Int) {
        if pendingState >= 0 {
            if !word { report(pendingState, end: pendingEnd, endBounded: true) }
            pendingState = -1
        }
        if v < 0x80 {
            feed(UInt8(v), start: start, word: word)
        } else if v < 0x800 {
            feed(UInt8(0xC0 | (v >> 6)), start: start, word: word)
            feed(UInt8(0x80 | (v & 0x3F)), start: start, word: word)
        } else if v < 0x10000 {
            feed(UInt8(0xE0 | (v >> 12)), start: start, word: word)
            feed(UInt8(0x80 | ((v >> 6) & 0x3F)), start: start, word: word)
            feed(UInt8(0x80 | (v & 0x3F)), start: start, word: word)
        } else {
            feed(UInt8(0xF0 | (v >> 18)), start: start, word: word)
            feed(UInt8(0x80 | ((v >> 12) & 0x3F)), start: start, word: word)
            feed(UInt8(0x80 | ((v >> 6) & 0x3F)), start: start, word: word)
            feed(UInt8(0x80 | (v & 0x3F)), start: start, word: word)
        }
        if t.patternAt[state] >= 0 || t.dictLink[state] >= 0 {
            report(state, end: end, endBounded: false)
            pendingState = state
            pendingEnd = end
        }
    }

    /// End of text: pending end-bounded matches are satisfied.
    mutating func finish() {
        if pendingState >= 0 { report(pendingState, end: pendingEnd, endBounded: true) }
        pendingState = -1
    }

    /// Reports the patterns ending in `s` whose start boundary holds: those without an end boundary
    /// (`endBounded` false) or with one (`endBounded` true, called once the next symbol is known).
    private mutating func report(_ s: Int, end: Int, endBounded: Bool) {
        var at = t.patternAt[s] >= 0 ? s : Int(t.dictLink[s])
        while at >= 0 {
            let pat = patterns[Int(t.patternAt[at])]
            at = Int(t.dictLink[at])
            guard pat.needEnd == endBounded else { continue }
            let first = fed - pat.length
            if pat.needStart && first > 0 && ringWord[(first - 1) & mask] { continue }
            let pl = payloads[pat.payload]
            out.append(GuardrailFinding(detector: pl.detector, kind: pl.kind, action: pl.action,
                                        range: ringStart[first & mask]..<(pat.extendToWordEnd ? wordEnd(end) : end)))
        }
    }

    /// End of the word continuing at `i` in the original text (letters, digits, invisible characters).
    private func wordEnd(_ i: Int) -> Int {
        var e = i
        while e < text.count, let (v, n) = GuardrailUTF8.decode(text, at: e),
              GuardrailTextFold.isWordScalar(v) || GuardrailTextFold.isInvisible(v) {
            e += n
        }
        return e
    }
}
