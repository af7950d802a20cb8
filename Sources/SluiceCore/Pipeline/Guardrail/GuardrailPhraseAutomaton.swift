/// An Aho-Corasick automaton over folded UTF-8 bytes for keywords and injection phrases. States are
/// numbered in breadth-first order, so the shallow ones, where ordinary text spends nearly all its time,
/// come first: those get dense rows over byte classes with the failure transitions resolved (one load per
/// byte); deeper states keep sparse edge lists plus failure links (about 10 bytes per state), their chain
/// ending in a dense row. Bytes that occur in no pattern share class 0, which always leads back to the
/// root. The dense part is bounded in bytes (`denseBudget`), so the hot rows stay in cache whatever the
/// number of patterns. Immutable and Sendable.
///
/// A scan holds its state as a *code* (`code(of:output:denseCount:classCount:)`): the row offset of a
/// dense state that ends no pattern, else the complement of the state number. The common step is then
/// one add and one load, with no multiply and no second lookup to learn whether a match ends there: a
/// negative code is the rare case.
struct GuardrailPhraseAutomaton: Sendable {
    /// One compiled pattern.
    struct Pattern: Sendable {
        /// Folded byte length.
        var length: Int
        /// The match must not be preceded by a word character.
        var needStart: Bool
        /// The match must not be followed by a word character.
        var needEnd: Bool
        /// Index into the engine's payload list (detector, kind, action).
        var payload: Int
        /// A prefix match ending inside a word reports up to the end of that word ("instruction" → "instructions").
        var extendToWordEnd = false
    }

    /// Byte → class (0: in no pattern).
    let classOf: [UInt16]
    /// Number of classes.
    let classCount: Int
    /// Full transition rows (failures resolved) of states `0..<denseCount`, `classCount` entries each,
    /// holding the target's code.
    let rows: [Int32]
    /// Number of states with a dense row (at least the root).
    let denseCount: Int
    /// Per state, its first edge in `edgeClass`/`edgeTarget` (one extra entry closes the last state).
    let edgeStart: [Int32]
    /// Edge labels (classes).
    let edgeClass: [UInt16]
    /// Edge targets.
    let edgeTarget: [Int32]
    /// Failure link per state.
    let fail: [Int32]
    /// Pattern ending exactly at each state, or -1.
    let patternAt: [Int32]
    /// Next state on the failure chain that ends a pattern, or -1.
    let dictLink: [Int32]
    /// First state on the chain from each state (itself included) that ends a pattern, or -1: where
    /// reporting starts, one load to know whether there is anything to report.
    let outputAt: [Int32]
    /// Per ASCII byte of the text (the first 128 elements): the class of its folded symbol, plus
    /// `Self.wordFlag`, `Self.separatorFlag` and `Self.rootSeparatorFlag` (see `GuardrailTextFold.asciiSymbol`).
    /// Then, from `Self.wordStartSkipOffset`, one bit per pair of ASCII bytes `b0 << 7 | b1` (16 per element):
    /// set when a word starting with `b0 b1`, read from the root, reaches the word skip of `shallowRowBound`
    /// within those two bytes, so the whole word can be stepped over unread (most words of ordinary text);
    /// all clear when the word skip does not hold. (One array, so a scan borrows one buffer for both.)
    let asciiEntry: [UInt16]
    /// Per k in `0...wordDepthCap`: the codes of the dense states less than k symbols deep (and ending no
    /// pattern) are the non-negative codes below `shallowRowBound[k]`. After k symbols of a word, such a state
    /// means every partial match still alive began inside the word, which patterns starting with a word
    /// character cannot do: the scan skips to the word's end (`GuardrailPhraseSink.run`).
    let shallowRowBound: [Int32]
    /// The compiled patterns.
    let patterns: [Pattern]
    /// Longest pattern in bytes.
    let maxLength: Int

    /// Number of states.
    var stateCount: Int { patternAt.count }

    /// The code a scan holds for `state` (`output`: its `outputAt` entry): `state * classCount` (its row)
    /// when it has a dense row and ends no pattern, else `~state` (negative).
    @inline(__always)
    static func code(of state: Int, output: Int32, denseCount: Int, classCount: Int) -> Int {
        state < denseCount && output < 0 ? state &* classCount : ~state
    }

    /// Largest word length `shallowRowBound` distinguishes (longer words use its last entry).
    static let wordDepthCap = 31
    /// Flag of `asciiEntry`: the symbol is a word character.
    static let wordFlag: UInt16 = 0x4000
    /// Flag of `asciiEntry`: the byte folds to the separator.
    static let separatorFlag: UInt16 = 0x8000
    /// Flag of `asciiEntry`: the byte folds to the separator, which leads from the root back to the root
    /// (no pattern starts with it), so a scan at the root records it without a transition.
    static let rootSeparatorFlag: UInt16 = 0x2000
    /// Where the word-start skip bits begin in `asciiEntry`.
    static let wordStartSkipOffset = 128
    /// Mask of the class in `asciiEntry`.
    static let classMask: UInt16 = 0x1FFF
    /// Default bound of the dense rows in bytes (about 430 states for the built-in phrases' 114 classes:
    /// 99.8 % of the transitions English text takes).
    static let defaultDenseBudget = 192 * 1024

    /// Builds the automaton; `input[i].bytes` must be non-empty and distinct. `denseBudget` bounds the
    /// dense rows in bytes (the root always has one).
    init(_ input: [(bytes: [UInt8], pattern: Pattern)], denseBudget: Int = Self.defaultDenseBudget) {
        var cls = [UInt16](repeating: 0, count: 256)
        var count = 1
        for entry in input {
            for b in entry.bytes where cls[Int(b)] == 0 {
                cls[Int(b)] = UInt16(count)
                count += 1
            }
        }
        // Trie with edge lists (insertion-numbered).
        var edges: [[(UInt16, Int32)]] = [[]]
        var ends: [Int32] = [-1]
        var maxLength = 0
        for (idx, entry) in input.enumerated() {
            var s = 0
            for b in entry.bytes {
                let c = cls[Int(b)]
                if let t = edges[s].first(where: { $0.0 == c })?.1 {
                    s = Int(t)
                } else {
                    edges.append([])
                    ends.append(-1)
                    edges[s].append((c, Int32(edges.count - 1)))
                    s = edges.count - 1
                }
            }
            ends[s] = Int32(idx)
            maxLength = Swift.max(maxLength, entry.bytes.count)
        }
        // Breadth-first numbering and failure links.
        let n = edges.count
        var order: [Int] = [0]
        order.reserveCapacity(n)
        var depthOld = [Int](repeating: 0, count: n)
        var head = 0
        while head < order.count {
            for (_, t) in edges[order[head]] {
                order.append(Int(t))
                depthOld[Int(t)] = depthOld[order[head]] + 1
            }
            head += 1
        }
        var newID = [Int32](repeating: 0, count: n)
        for (i, old) in order.enumerated() { newID[old] = Int32(i) }
        var failOld = [Int](repeating: 0, count: n)
        func goto(_ s: Int, _ c: UInt16) -> Int? { edges[s].first(where: { $0.0 == c }).map { Int($0.1) } }
        for u in order {
            for (c, t) in edges[u] {
                guard u != 0 else { continue }
                var f = failOld[u]
                while f != 0 && goto(f, c) == nil { f = failOld[f] }
                failOld[Int(t)] = goto(f, c) ?? 0
            }
        }
        var edgeStart: [Int32] = []
        var edgeClass: [UInt16] = []
        var edgeTarget: [Int32] = []
        var fail = [Int32](repeating: 0, count: n)
        var patternAt = [Int32](repeating: -1, count: n)
        var dictLink = [Int32](repeating: -1, count: n)
        for (i, old) in order.enumerated() {
            edgeStart.append(Int32(edgeClass.count))
            for (c, t) in edges[old] {
                edgeClass.append(c)
                edgeTarget.append(newID[Int(t)])
            }
            fail[i] = newID[failOld[old]]
            patternAt[i] = ends[old]
        }
        edgeStart.append(Int32(edgeClass.count))
        // Dictionary links in BFS order: a failure target is always shallower, so already final.
        for i in 1..<n {
            let f = Int(fail[i])
            dictLink[i] = patternAt[f] >= 0 ? Int32(f) : dictLink[f]
        }
        // Dense rows in BFS order: a failure target is shallower, so its row is complete. Built over state
        // numbers, then turned into codes.
        let denseCount = min(n, max(1, denseBudget / (count * MemoryLayout<Int32>.stride)))
        var rows = [Int32](repeating: 0, count: denseCount * count)
        for s in 0..<denseCount {
            if s > 0 {
                let f = Int(fail[s]) * count
                for c in 0..<count { rows[s * count + c] = rows[f + c] }
            }
            for e in Int(edgeStart[s])..<Int(edgeStart[s + 1]) { rows[s * count + Int(edgeClass[e])] = edgeTarget[e] }
            rows[s * count] = 0
        }
        let outputAt = (0..<n).map { patternAt[$0] >= 0 ? Int32($0) : dictLink[$0] }
        for i in rows.indices {
            let t = Int(rows[i])
            rows[i] = Int32(Self.code(of: t, output: outputAt[t], denseCount: denseCount, classCount: count))
        }
        // Depth is non-decreasing in BFS order, so "shallower than k" is "code below a bound". The skip
        // holds only if every pattern starting with a word character needs a word start (bounds stay 0).
        var shallowRowBound = [Int32](repeating: 0, count: Self.wordDepthCap + 1)
        var firstDeeper = 0
        let skips = input.allSatisfy { $0.pattern.needStart || !GuardrailTextFold.isWordASCII($0.bytes[0]) }
        for k in 0...Self.wordDepthCap where skips {
            while firstDeeper < n && depthOld[order[firstDeeper]] < k { firstDeeper += 1 }
            shallowRowBound[k] = Int32(min(firstDeeper, denseCount) * count)
        }
        var asciiEntry = [UInt16](repeating: 0, count: 128)
        for b in 0..<128 {
            let sym = GuardrailTextFold.asciiSymbol(UInt8(b))
            var e = cls[Int(sym)]
            if sym == GuardrailTextFold.separator {
                e |= Self.separatorFlag
                if rows[Int(e & Self.classMask)] == 0 { e |= Self.rootSeparatorFlag }
            }
            if GuardrailTextFold.isWordASCII(sym) { e |= Self.wordFlag }
            asciiEntry[b] = e
        }
        self.classOf = cls
        self.classCount = count
        self.rows = rows
        self.denseCount = denseCount
        self.outputAt = outputAt
        self.asciiEntry = asciiEntry + Self.wordStartSkip(rows: rows, asciiEntry: asciiEntry, bounds: shallowRowBound)
        self.shallowRowBound = shallowRowBound
        self.edgeStart = edgeStart
        self.edgeClass = edgeClass
        self.edgeTarget = edgeTarget
        self.fail = fail
        self.patternAt = patternAt
        self.dictLink = dictLink
        self.patterns = input.map(\.pattern)
        self.maxLength = maxLength
    }

    /// True when a word starting with ASCII bytes `b0 b1` is stepped over from the root (its bit after the
    /// byte entries of `asciiEntry`).
    func skipsWord(startingWith b0: UInt8, _ b1: UInt8) -> Bool {
        guard b0 < 0x80, b1 < 0x80 else { return false }
        let pair = Int(b0) << 7 | Int(b1)
        return asciiEntry[Self.wordStartSkipOffset + pair >> 4] >> UInt16(pair & 15) & 1 != 0
    }

    /// The word-start skip bits stored after `asciiEntry`'s byte entries: per pair of word bytes, the
    /// plain loop's first two steps from the root (a skip after one symbol or after two; a negative code on
    /// the way never skips).
    private static func wordStartSkip(rows: [Int32], asciiEntry: [UInt16], bounds: [Int32]) -> [UInt16] {
        var bits = [UInt16](repeating: 0, count: 128 * 128 / 16)
        for b0 in 0..<128 where asciiEntry[b0] & wordFlag != 0 {
            let c1 = Int(rows[Int(asciiEntry[b0] & classMask)])
            guard c1 >= 0 else { continue }
            for b1 in 0..<128 where asciiEntry[b1] & wordFlag != 0 {
                let c2 = c1 < Int(bounds[1]) ? 0 : Int(rows[c1 + Int(asciiEntry[b1] & classMask)])
                guard c2 >= 0 && c2 < Int(bounds[2]) else { continue }
                let pair = b0 << 7 | b1
                bits[pair >> 4] |= 1 << UInt16(pair & 15)
            }
        }
        return bits
    }
}
