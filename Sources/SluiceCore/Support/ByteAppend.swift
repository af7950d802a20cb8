/// Appending text to byte buffers on the request path. `append(contentsOf: s.utf8)` goes through the
/// generic sequence copy (about 170 instructions per call, plus a retain of the string); these copy the
/// bytes in one go.
extension Array where Element == UInt8 {
    /// Appends the UTF-8 bytes of a literal.
    @inline(__always)
    mutating func append(literal s: StaticString) {
        s.withUTF8Buffer { self.append(contentsOf: $0) }
    }

    /// Appends the UTF-8 bytes of `s` (native and small strings are contiguous; anything else takes the
    /// generic copy).
    @inline(__always)
    mutating func append(utf8 s: String) {
        let copied: Void? = s.utf8.withContiguousStorageIfAvailable { self.append(contentsOf: $0) }
        if copied == nil { self.append(contentsOf: s.utf8) }
    }
}
