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
    /// Uses a stack-allocated ring of the last `maxLength` folded bytes: each one's original offset and
    /// whether it belongs to a word (`offset << 1 | word`).
    /// `asciiFastPath` false sends every byte through `GuardrailSymbolWalker` (the reference the tests
    /// compare the fast path with).
    func scan(_ p: UnsafeRawBufferPointer, payloads: [GuardrailPhrasePayload], into out: inout [GuardrailFinding],
              asciiFastPath: Bool = true) {
        guard !patterns.isEmpty, !p.isEmpty else { return }
        var cap = 16
        while cap < maxLength + 2 { cap <<= 1 }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: cap) { ring in
            withTables { tables in
                var sink = GuardrailPhraseSink(text: p, t: tables, patterns: patterns, payloads: payloads,
                                               ring: ring, mask: cap - 1, out: out)
                out = []
                if asciiFastPath {
                    GuardrailPhraseSink.run(&sink)
                } else {
                    GuardrailSymbolWalker.walk(p, &sink)
                }
                sink.finish()
                out = sink.out
            }
        }
    }

    private func withTables(_ body: (GuardrailPhraseTables) -> Void) {
        classOf.withUnsafeBufferPointer { c in
            rows.withUnsafeBufferPointer { r in
                edgeStart.withUnsafeBufferPointer { es in
                    edgeClass.withUnsafeBufferPointer { ec in
                        edgeTarget.withUnsafeBufferPointer { et in
                            fail.withUnsafeBufferPointer { f in
                                patternAt.withUnsafeBufferPointer { pa in
                                    dictLink.withUnsafeBufferPointer { dl in
                                        outputAt.withUnsafeBufferPointer { oa in
                                            asciiEntry.withUnsafeBufferPointer { ae in
                                                shallowRowBound.withUnsafeBufferPointer { sb in
                                                    body(GuardrailPhraseTables(
                                                        classOf: c, rows: r, denseCount: denseCount,
                                                        classCount: classCount, edgeStart: es, edgeClass: ec,
                                                        edgeTarget: et, fail: f, patternAt: pa, dictLink: dl,
                                                        outputAt: oa, asciiEntry: ae, shallowRowBound: sb))
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
        }
    }
}

/// Borrowed automaton tables for one scan.
private struct GuardrailPhraseTables {
    let classOf: UnsafeBufferPointer<UInt16>
    let rows: UnsafeBufferPointer<Int32>
    let denseCount: Int
    let classCount: Int
    let edgeStart: UnsafeBufferPointer<Int32>
    let edgeClass: UnsafeBufferPointer<UInt16>
    let edgeTarget: UnsafeBufferPointer<Int32>
    let fail: UnsafeBufferPointer<Int32>
    let patternAt: UnsafeBufferPointer<Int32>
    let dictLink: UnsafeBufferPointer<Int32>
    let outputAt: UnsafeBufferPointer<Int32>
    let asciiEntry: UnsafeBufferPointer<UInt16>
    let shallowRowBound: UnsafeBufferPointer<Int32>

    /// The code (`GuardrailPhraseAutomaton.code(of:output:denseCount:classCount:)`) after class `c` from
    /// `code`: a row load for a dense state, else own edges along the failure chain until a dense row.
    @inline(__always)
    func next(_ code: Int, _ c: Int) -> Int {
        if code >= 0 { return Int(rows[code &+ c]) }
        let s = ~code
        if s < denseCount { return Int(rows[s &* classCount &+ c]) }
        if c == 0 { return 0 }
        return sparseNext(s, UInt16(c))
    }

    @inline(never)
    private func sparseNext(_ s: Int, _ c: UInt16) -> Int {
        var s = s
        while s >= denseCount {
            var e = Int(edgeStart[s])
            let end = Int(edgeStart[s + 1])
            while e < end {
                if edgeClass[e] == c {
                    let t = Int(edgeTarget[e])
                    return GuardrailPhraseAutomaton.code(of: t, output: outputAt[t], denseCount: denseCount,
                                                         classCount: classCount)
                }
                e += 1
            }
            s = Int(fail[s])
        }
        return Int(rows[s &* classCount &+ Int(c)])
    }
}

/// Where the ASCII loops of `GuardrailPhraseSink.run` are: text offset, automaton code, symbols fed, `fed`
/// when the current run of word symbols began (reset after the walker's steps: a later start only makes
/// the word skip rarer), and the kind of the last symbol.
private struct GuardrailPhraseCursor {
    var i: Int
    var code: Int
    var fed: Int
    var wordFed: Int
    var lastSep: Bool
    var lastWord = false
}

/// Runs the automaton over folded symbols; one scan's state (stack value, borrowed tables).
private struct GuardrailPhraseSink: GuardrailSymbolSink {
    let text: UnsafeRawBufferPointer
    let t: GuardrailPhraseTables
    let patterns: [GuardrailPhraseAutomaton.Pattern]
    let payloads: [GuardrailPhrasePayload]
    /// Original offset << 1 | word flag of the last folded bytes (index `fed & mask`).
    let ring: UnsafeMutableBufferPointer<Int>
    let mask: Int
    var out: [GuardrailFinding]
    /// The automaton state as a code (`GuardrailPhraseAutomaton.code(of:output:denseCount:classCount:)`;
    /// the root's is 0).
    var code = 0
    var fed = 0
    /// A state with matches that need an end boundary, waiting for the next symbol.
    var pendingState = -1
    var pendingEnd = 0

    /// Feeds the text. Runs of ASCII bytes (except the last before a non-ASCII byte, which could take a
    /// combining mark) go straight from a byte table to a transition (`plainRun`, while no match is pending
    /// and the state has a plain row); everything else, and every match, goes through the sink (the
    /// walker's step, `begin`, `end(at:)`).
    static func run(_ sink: inout GuardrailPhraseSink) {
        let text = sink.text
        let n = text.count
        guard let base = text.baseAddress?.assumingMemoryBound(to: UInt8.self),
              let entries = sink.t.asciiEntry.baseAddress, let rows = sink.t.rows.baseAddress,
              let outputAt = sink.t.outputAt.baseAddress, let bounds = sink.t.shallowRowBound.baseAddress,
              let ring = sink.ring.baseAddress else { return }
        let mask = sink.mask
        var cur = GuardrailPhraseCursor(i: 0, code: sink.code, fed: sink.fed, wordFed: sink.fed, lastSep: true)
        var pending = false
        while cur.i < n {
            let ascii = GuardrailUTF8.asciiRunEnd(text, from: cur.i)
            let fastEnd = ascii == n ? n : ascii &- 1
            while cur.i < fastEnd {
                if cur.code >= 0 && !pending {
                    plainRun(&cur, to: fastEnd, text: base, entries: entries, rows: rows, bounds: bounds, ring: ring,
                             mask: mask)
                    guard cur.code < 0 else { break }
                } else {
                    // One symbol with a pending end-bounded match or from a state without a plain row.
                    let e = entries[Int(base[cur.i])]
                    if Self.repeatsSeparator(e, lastSep: &cur.lastSep) {
                        cur.i &+= 1
                        continue
                    }
                    let word = e & GuardrailPhraseAutomaton.wordFlag != 0
                    if pending {
                        sink.begin(word: word)
                        pending = false
                    }
                    ring[cur.fed & mask] = cur.i << 1 | (word ? 1 : 0)
                    cur.fed &+= 1
                    cur.code = sink.t.next(cur.code, Int(e & GuardrailPhraseAutomaton.classMask))
                    cur.i &+= 1
                    cur.lastWord = word
                }
                if cur.code < 0 && outputAt[~cur.code] >= 0 {
                    sink.code = cur.code
                    sink.fed = cur.fed
                    sink.end(at: cur.i)
                    pending = sink.pendingState >= 0
                }
                if !cur.lastWord { cur.wordFed = cur.fed }
            }
            guard cur.i < n else { break }
            sink.code = cur.code
            sink.fed = cur.fed
            cur.i = GuardrailSymbolWalker.step(text, at: cur.i, lastSep: &cur.lastSep, &sink)
            cur.code = sink.code
            cur.fed = sink.fed
            cur.wordFed = cur.fed
            pending = sink.pendingState >= 0
        }
        sink.code = cur.code
        sink.fed = cur.fed
    }

    /// Whether the byte with entry `e` is a separator following another (runs of separators fold to one
    /// symbol: skip it); keeps `lastSep` up to date otherwise.
    @inline(__always)
    private static func repeatsSeparator(_ e: UInt16, lastSep: inout Bool) -> Bool {
        guard e & GuardrailPhraseAutomaton.separatorFlag != 0 else {
            lastSep = false
            return false
        }
        if lastSep { return true }
        lastSep = true
        return false
    }

    /// Feeds ASCII bytes up to `end` from a state with a plain row (non-negative code) and nothing pending,
    /// in locals; stops after a symbol that leads to a negative code (a match ends there, or a sparse state).
    /// Once no partial match began at the start of the current word (`shallowRowBound`), the rest of the word
    /// is skipped and the scan goes on from the root: what it skips can only end or start matches inside a
    /// word, which the start boundary rejects. Kept out of line so its few values stay in registers.
    @inline(never)
    private static func plainRun(_ cur: inout GuardrailPhraseCursor, to end: Int, text base: UnsafePointer<UInt8>,
                                 entries: UnsafePointer<UInt16>, rows: UnsafePointer<Int32>,
                                 bounds: UnsafePointer<Int32>, ring: UnsafeMutablePointer<Int>, mask: Int) {
        let skips = entries + GuardrailPhraseAutomaton.wordStartSkipOffset
        var i = cur.i, code = cur.code, fed = cur.fed, wordFed = cur.wordFed
        var lastSep = cur.lastSep, word = cur.lastWord
        while i < end {
            let e = entries[Int(base[i])]
            if code == 0 {
                // At the root nothing is partly matched: separators and words that cannot begin a pattern
                // go by without a transition (the loop carries no dependency on the automaton then).
                if e & GuardrailPhraseAutomaton.rootSeparatorFlag != 0 {
                    if !lastSep {
                        ring[fed & mask] = i << 1
                        fed &+= 1
                        wordFed = fed
                        lastSep = true
                        word = false
                    }
                    i &+= 1
                    continue
                }
                if !word && i &+ 1 < end {
                    let pair = Int(base[i]) &<< 7 | Int(base[i &+ 1])
                    if skips[pair &>> 4] &>> UInt16(pair & 15) & 1 != 0 {
                        // The loop below would skip this word after its first two bytes. It leaves one ring
                        // entry, so a match starting right after it still sees a word character before it.
                        i = wordEnd(from: i &+ 2, to: end, text: base, entries: entries)
                        ring[fed & mask] = (i &- 1) << 1 | 1
                        fed &+= 1
                        lastSep = false
                        word = true
                        continue
                    }
                }
            }
            if repeatsSeparator(e, lastSep: &lastSep) {
                i &+= 1
                continue
            }
            word = e & GuardrailPhraseAutomaton.wordFlag != 0
            ring[fed & mask] = i << 1 | (word ? 1 : 0)
            fed &+= 1
            code = Int(rows[code &+ Int(e & GuardrailPhraseAutomaton.classMask)])
            i &+= 1
            if code < 0 { break }
            if !word {
                wordFed = fed
            } else if code < Int(bounds[min(fed &- wordFed, GuardrailPhraseAutomaton.wordDepthCap)]) {
                i = wordEnd(from: i, to: end, text: base, entries: entries)
                code = 0
            }
        }
        cur = GuardrailPhraseCursor(i: i, code: code, fed: fed, wordFed: wordFed, lastSep: lastSep, lastWord: word)
    }

    /// The end of the run of word bytes from `i` (at most `end`).
    @inline(__always)
    private static func wordEnd(from i: Int, to end: Int, text base: UnsafePointer<UInt8>,
                                entries: UnsafePointer<UInt16>) -> Int {
        var j = i
        while j < end && entries[Int(base[j])] & GuardrailPhraseAutomaton.wordFlag != 0 { j &+= 1 }
        return j
    }

    @inline(__always)
    mutating func feed(class c: Int, start: Int, word: Bool) {
        ring[fed & mask] = start << 1 | (word ? 1 : 0)
        fed += 1
        code = t.next(code, c)
    }

    @inline(__always)
    private mutating func feed(_ b: UInt8, start: Int, word: Bool) {
        feed(class: Int(t.classOf[Int(b)]), start: start, word: word)
    }

    /// Before a symbol: a pending end-bounded match is reported if the symbol is not a word character.
    @inline(__always)
    mutating func begin(word: Bool) {
        if pendingState >= 0 {
            if !word { report(pendingState, end: pendingEnd, endBounded: true) }
            pendingState = -1
        }
    }

    /// After a symbol ending at `end` in the text: matches ending here are reported (or kept pending).
    @inline(__always)
    mutating func end(at end: Int) {
        if code < 0 && t.outputAt[~code] >= 0 {
            report(~code, end: end, endBounded: false)
            pendingState = ~code
            pendingEnd = end
        }
    }

    @inline(__always)
    mutating func symbol(_ v: UInt32, word: Bool, start: Int, end: Int) {
        begin(word: word)
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
        self.end(at: end)
    }

    /// End of text: pending end-bounded matches are satisfied.
    mutating func finish() {
        if pendingState >= 0 { report(pendingState, end: pendingEnd, endBounded: true) }
        pendingState = -1
    }

    /// Reports the patterns ending in `s` whose start boundary holds: those without an end boundary
    /// (`endBounded` false) or with one (`endBounded` true, called once the next symbol is known).
    private mutating func report(_ s: Int, end: Int, endBounded: Bool) {
        var at = Int(t.outputAt[s])
        while at >= 0 {
            let pat = patterns[Int(t.patternAt[at])]
            at = Int(t.dictLink[at])
            guard pat.needEnd == endBounded else { continue }
            let first = fed - pat.length
            if pat.needStart && first > 0 && ring[(first - 1) & mask] & 1 != 0 { continue }
            let pl = payloads[pat.payload]
            out.append(GuardrailFinding(detector: pl.detector, kind: pl.kind, action: pl.action,
                                        range: (ring[first & mask] >> 1)..<(pat.extendToWordEnd ? wordEnd(end) : end)))
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
