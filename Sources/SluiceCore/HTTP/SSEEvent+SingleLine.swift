extension SSEEvent {
    /// The payload range of an event that is exactly one `data:` line (optional space after the
    /// colon) plus its blank line, or nil for any other event (comments, `event:` lines, multi-line
    /// data — use `data(of:)` then). Indices are those of `event`.
    static func singleDataLine(_ event: ArraySlice<UInt8>) -> Range<Int>? {
        let base = event.startIndex
        let r: Range<Int>? = event.withUnsafeBufferPointer { p in
            let n = p.count
            guard n >= 7, p[0] == UInt8(ascii: "d"), p[1] == UInt8(ascii: "a"), p[2] == UInt8(ascii: "t"),
                  p[3] == UInt8(ascii: "a"), p[4] == UInt8(ascii: ":") else { return nil }
            var start = 5
            if p[start] == UInt8(ascii: " ") { start += 1 }
            guard let nl = ByteSearch.lineBreak(in: UnsafeRawBufferPointer(p), from: start) else { return nil }
            // What follows the line must be only the line ending(s) of the blank line.
            var k = nl
            while k < n {
                if p[k] != 10 && p[k] != 13 { return nil }
                k += 1
            }
            return start..<nl
        }
        return r.map { (base + $0.lowerBound)..<(base + $0.upperBound) }
    }
}
