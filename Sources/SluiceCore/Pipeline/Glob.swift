/// Shell-style glob over bytes: `*` matches any run (including empty), `?` one byte, everything
/// else itself. Used for route model patterns and key allow-lists.
struct Glob: Sendable, Equatable {
    let pattern: [UInt8]
    /// True when the pattern has no wildcard (an exact name).
    let isLiteral: Bool

    init(_ pattern: String) {
        self.pattern = Array(pattern.utf8)
        isLiteral = !self.pattern.contains(UInt8(ascii: "*")) && !self.pattern.contains(UInt8(ascii: "?"))
    }

    func matches(_ text: String) -> Bool {
        var t = text
        return t.withUTF8 { matches(UnsafeRawBufferPointer($0)) }
    }

    /// Iterative matcher with single-star backtracking: O(pattern × text) worst case, no recursion.
    func matches(_ text: UnsafeRawBufferPointer) -> Bool {
        if isLiteral { return pattern.elementsEqual(text) }
        var p = 0, t = 0
        var starP = -1, starT = 0
        let star = UInt8(ascii: "*"), any = UInt8(ascii: "?")
        while t < text.count {
            if p < pattern.count && (pattern[p] == any || pattern[p] == text[t]) && pattern[p] != star {
                p += 1
                t += 1
            } else if p < pattern.count && pattern[p] == star {
                starP = p
                starT = t
                p += 1
            } else if starP >= 0 {
                p = starP + 1
                starT += 1
                t = starT
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == star { p += 1 }
        return p == pattern.count
    }
}
