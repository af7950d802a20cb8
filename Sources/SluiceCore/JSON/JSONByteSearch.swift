/// Substring search over raw bytes, used as a cheap pre-filter before scanning (e.g. SSE events without
/// `"usage"` are skipped without parsing).
enum JSONByteSearch {
    /// True when `needle` (two or more bytes) occurs in `haystack`. Anchors on the needle's second byte,
    /// which for quoted keys is rarer than the leading '"'.
    static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: StaticString) -> Bool {
        needle.withUTF8Buffer { n -> Bool in
            let m = n.count
            guard m >= 2, haystack.count >= m else { return m == 0 }
            let anchor = n[1]
            var i = 1
            let last = haystack.count - m + 1
            while true {
                // Eight bytes a step to the next anchor byte.
                i = JSONUTF8.skipWords(haystack, from: i, end: haystack.count) { JSONUTF8.matchMask($0, anchor) }
                guard i <= last else { return false }
                if haystack[i] == anchor {
                    var k = 0
                    while k < m && haystack[i - 1 + k] == n[k] { k += 1 }
                    if k == m { return true }
                }
                i += 1
            }
        }
    }
}
