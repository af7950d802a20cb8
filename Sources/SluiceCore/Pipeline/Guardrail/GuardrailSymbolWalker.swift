/// Receives the folded symbols of a text (see `GuardrailTextFold`).
protocol GuardrailSymbolSink {
    /// One symbol: an ASCII symbol byte (0x20 = separator) or a non-ASCII scalar value, with whether it is a
    /// word character and the original bytes it came from.
    mutating func symbol(_ v: UInt32, word: Bool, start: Int, end: Int)
}

/// Walks a UTF-8 text and feeds its folded symbols to a sink: one branch per ASCII byte on the fast path,
/// the Unicode work only for non-ASCII scalars. Separator runs collapse to one; leading ones are dropped.
enum GuardrailSymbolWalker {
    /// Feeds every symbol of `p` to `sink`.
    @inline(__always)
    static func walk<S: GuardrailSymbolSink>(_ p: UnsafeRawBufferPointer, _ sink: inout S) {
        var lastSep = true
        var i = 0
        while i < p.count { i = step(p, at: i, lastSep: &lastSep, &sink) }
    }

    /// Feeds the symbol starting at `p[i]` (if it yields one) and returns the offset after it. `lastSep`
    /// carries whether the previous symbol was a separator (true at the start of the text).
    @inline(__always)
    static func step<S: GuardrailSymbolSink>(_ p: UnsafeRawBufferPointer, at i: Int, lastSep: inout Bool,
                                             _ sink: inout S) -> Int {
        let b = p[i]
        if b < 0x80 {
            // A letter followed by combining marks composes under NFKC (rare: one compare otherwise).
            if i + 1 < p.count && p[i + 1] >= 0x80, let (folded, next) = GuardrailTextFold.composeMarks(p, asciiAt: i) {
                feed(folded, i, next, &lastSep, &sink)
                return next
            }
            let s = GuardrailTextFold.asciiSymbol(b)
            if s != GuardrailTextFold.separator {
                sink.symbol(UInt32(s), word: GuardrailTextFold.isWordASCII(s), start: i, end: i + 1)
                lastSep = false
            } else if !lastSep {
                sink.symbol(UInt32(s), word: false, start: i, end: i + 1)
                lastSep = true
            }
            return i + 1
        }
        guard let (v, len) = GuardrailUTF8.decode(p, at: i) else {
            // Malformed byte: a separator.
            if !lastSep { sink.symbol(0x20, word: false, start: i, end: i + 1) }
            lastSep = true
            return i + 1
        }
        let (folded, next) = GuardrailTextFold.fold(v, p, next: i + len)
        feed(folded, i, next, &lastSep, &sink)
        return next
    }

    @inline(__always)
    private static func feed<S: GuardrailSymbolSink>(_ folded: GuardrailTextFold.Folded, _ start: Int, _ end: Int,
                                                     _ lastSep: inout Bool, _ sink: inout S) {
        switch folded {
        case .skip: break
        case .one(let w): emit(w, start, end, &lastSep, &sink)
        case .many(let ws): for w in ws { emit(w, start, end, &lastSep, &sink) }
        }
    }

    @inline(__always)
    private static func emit<S: GuardrailSymbolSink>(_ w: UInt32, _ start: Int, _ end: Int, _ lastSep: inout Bool,
                                                     _ sink: inout S) {
        if w < 0x80 {
            let s = GuardrailTextFold.asciiSymbol(UInt8(w))
            if s == GuardrailTextFold.separator {
                if lastSep { return }
                lastSep = true
                sink.symbol(UInt32(s), word: false, start: start, end: end)
            } else {
                lastSep = false
                sink.symbol(UInt32(s), word: GuardrailTextFold.isWordASCII(s), start: start, end: end)
            }
            return
        }
        lastSep = false
        sink.symbol(w, word: GuardrailTextFold.isWordScalar(w), start: start, end: end)
    }

    /// The folded UTF-8 bytes of a pattern (trailing separator trimmed), and whether its first and last
    /// symbols are word characters (which then need word boundaries in the text).
    static func foldPattern(_ s: String) -> (bytes: [UInt8], firstWord: Bool, lastWord: Bool) {
        var sink = GuardrailPatternSink()
        var str = s
        str.withUTF8 { walk(UnsafeRawBufferPointer($0), &sink) }
        if sink.bytes.last == GuardrailTextFold.separator {
            sink.bytes.removeLast()
            sink.lastWord = sink.prevWord
        }
        return (sink.bytes, sink.firstWord ?? false, sink.lastWord)
    }
}

/// Collects folded pattern bytes.
private struct GuardrailPatternSink: GuardrailSymbolSink {
    var bytes: [UInt8] = []
    var firstWord: Bool?
    var lastWord = false
    var prevWord = false

    mutating func symbol(_ v: UInt32, word: Bool, start: Int, end: Int) {
        if firstWord == nil { firstWord = word }
        prevWord = lastWord
        lastWord = word
        JSONUTF8.append(scalar: v, to: &bytes)
    }
}
