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
            while i <= last {
                if i + 8 <= haystack.count {
                    // Eight bytes a step to the next anchor byte.
                    let word = UInt64(littleEndian: haystack.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                    let hits = JSONUTF8.matchMask(word, anchor)
                    if hits == 0 {
                        i += 8
                        continue
                    }
                    i += hits.trailingZeroBitCount >> 3
                    if i > last { return false }
                }
                if haystack[i] == anchor {
                    var k = 0
                    while k < m && haystack[i - 1 + k] == n[k] { k += 1 }
                    if k == m { return true }
                }
                i += 1
            }
            return false
        }
    }
}
