/// "Did you mean" hints: the closest known word within a small edit distance.
enum ConfigKeySuggester {
    /// The best candidate for `word`, or nil when none is close enough to be a likely typo.
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        let normalized = normalize(word)
        var best: (String, Int)?
        for candidate in candidates {
            let d = distance(normalized, normalize(candidate))
            if best == nil || d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        guard let (candidate, d) = best else { return nil }
        let allowed = word.count <= 3 ? 1 : (word.count <= 6 ? 2 : 3)
        // A "typo" that replaces the whole word is no typo (`b` is not a misspelt `a`).
        return d <= allowed && d < word.count ? candidate : nil
    }

    /// `; did you mean 'x'?` or an empty string.
    static func hint(for word: String, among candidates: [String]) -> String {
        suggestion(for: word, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }

    // Case and `-`/`_` differences are the commonest slips; they count as no distance at all.
    private static func normalize(_ s: String) -> [UInt8] {
        s.utf8.map { c in
            if c >= 65, c <= 90 { return c + 32 }
            return c == UInt8(ascii: "-") ? UInt8(ascii: "_") : c
        }
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit.
    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var v = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { v = min(v, previous2[j - 2] + 1) }
                current[j] = v
            }
            previous2 = previous
            previous = current
        }
        return previous[b.count]
    }
}
