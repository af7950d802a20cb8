import Glibc

/// Searches over raw bytes through libc's `memchr`, which compares many bytes per instruction:
/// the hot scans (SSE line ends, JSON keys in stream events, escapes in prompt strings) skip ordinary
/// bytes at memory speed instead of one compare per byte.
enum ByteSearch {
    /// Offset of the first `byte` in `p[from..<to]`, or nil.
    @inline(__always)
    static func index(of byte: UInt8, in p: UnsafeRawBufferPointer, from: Int = 0, to: Int? = nil) -> Int? {
        let end = to ?? p.count
        guard from < end, let base = p.baseAddress else { return nil }
        guard let hit = memchr(base + from, Int32(byte), end - from) else { return nil }
        return UnsafeRawPointer(hit) - base
    }

    /// Offset of the first CR or LF in `p[from..<to]`, or nil.
    @inline(__always)
    static func lineBreak(in p: UnsafeRawBufferPointer, from: Int = 0, to: Int? = nil) -> Int? {
        let lf = index(of: 0x0A, in: p, from: from, to: to)
        return index(of: 0x0D, in: p, from: from, to: lf ?? to) ?? lf
    }

    /// Offset of the first occurrence of `needle` in `p[from...]`, or nil (nil for an empty needle).
    /// memchr finds the candidates by one byte of the needle, the anchor: by default its second byte,
    /// which for quoted keys is rarer than the leading '"'. A caller that knows a rarer byte of its
    /// needle in the text searched (the '_' of `"tool_calls"` in a chat chunk) passes its offset as
    /// `anchor`: fewer candidates, fewer memchr calls. No set-up per call, so it suits the short
    /// haystacks of stream events; the result does not depend on the anchor.
    @inline(__always)
    static func index(of needle: StaticString, in p: UnsafeRawBufferPointer, from: Int = 0, anchor: Int = 1) -> Int? {
        let m = needle.utf8CodeUnitCount
        guard m > 0, from >= 0, p.count - from >= m else { return nil }
        let n = needle.utf8Start
        let anchorAt = anchor < m ? anchor : 0
        let anchor = n[anchorAt]
        let lastStart = p.count - m
        var i = from + anchorAt
        while let a = index(of: anchor, in: p, from: i, to: lastStart + anchorAt + 1) {
            let start = a - anchorAt
            var k = 0
            while k < m && p[start + k] == n[k] { k += 1 }
            if k == m { return start }
            i = a + 1
        }
        return nil
    }

    /// True when `needle` occurs in `p` (`anchor`: see `index(of:in:from:anchor:)`).
    @inline(__always)
    static func contains(_ p: UnsafeRawBufferPointer, _ needle: StaticString, anchor: Int = 1) -> Bool {
        index(of: needle, in: p, anchor: anchor) != nil
    }

    /// A needle with the offset of the byte memchr looks for (see `index(of:in:from:anchor:)`), named once
    /// where the needle is defined. Plain values, so constants of it cost no lazy initialisation on access.
    struct Needle: Sendable {
        let text: StaticString
        let anchor: Int

        @inline(__always)
        init(_ text: StaticString, anchor: Int) {
            self.text = text
            self.anchor = anchor
        }

        /// The byte at `anchor` (tests).
        var anchorByte: UInt8 { text.utf8Start[anchor] }
    }

    @inline(__always)
    static func index(of needle: Needle, in p: UnsafeRawBufferPointer, from: Int = 0) -> Int? {
        index(of: needle.text, in: p, from: from, anchor: needle.anchor)
    }

    @inline(__always)
    static func contains(_ p: UnsafeRawBufferPointer, _ needle: Needle) -> Bool {
        index(of: needle, in: p) != nil
    }
}
