/// An Aho-Corasick automaton over folded UTF-8 bytes for keywords and injection phrases. The root has a
/// dense row over byte classes (bytes that occur in no pattern share class 0, which always leads back to
/// the root), deeper states keep sparse edge lists plus failure links, numbered in breadth-first order so
/// the shallow, hot states sit together. About 10 bytes per state instead of a dense table's hundreds,
/// so the scan stays in cache; at most two transitions per byte amortised. Immutable and Sendable.
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
    /// The root's transition per class.
    let rootRow: [Int32]
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
    /// The compiled patterns.
    let patterns: [Pattern]
    /// Longest pattern in bytes.
    let maxLength: Int

    /// Number of states.
    var stateCount: Int { patternAt.count }

    /// Builds the automaton; `input[i].bytes` must be non-empty and distinct.
    init(_ input: [(bytes: [UInt8], pattern: Pattern)]) {
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
        var head = 0
        while head < order.count {
            for (_, t) in edges[order[head]] { order.append(Int(t)) }
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
        var rootRow = [Int32](repeating: 0, count: count)
        for (c, t) in edges[0] { rootRow[Int(c)] = newID[Int(t)] }
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
        self.classOf = cls
        self.classCount = count
        self.rootRow = rootRow
        self.edgeStart = edgeStart
        self.edgeClass = edgeClass
        self.edgeTarget = edgeTarget
        self.fail = fail
        self.patternAt = patternAt
        self.dictLink = dictLink
        self.patterns = input.map(\.pattern)
        self.maxLength = maxLength
    }
}
