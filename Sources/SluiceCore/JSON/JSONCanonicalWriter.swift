/// The canonical form of `JSONValue.canonical` written straight from a document's bytes, without
/// building a `JSONValue` tree: members sorted by the UTF-16 order of their decoded keys (stable for
/// duplicates), strings re-escaped minimally, numbers in canonical text, no whitespace. The output is
/// byte-for-byte what parsing then `canonical(into:)` gives (the prompt-cache key depends on it, across
/// replicas sharing a cache too).
///
/// One pass over an already validated document (the request body the gateway scanned on arrival):
/// every value is written canonically as it is read, each object's members are written as segments
/// and reordered only when their keys were not already in order. No validation is repeated, so this
/// must only see bytes the scanner accepted; on anything unexpected it gives up (nil), never guesses.
struct JSONCanonicalWriter {
    private var cur: JSONTrustedCursor
    /// Top-level member names left out (compared as decoded UTF-8 bytes).
    private let skip: [String]
    /// The working buffers, lent by the caller for the walk.
    private var work: JSONCanonicalScratch

    /// One member as written: its raw key and where its `"key":value` sits in the output.
    fileprivate struct Segment {
        var key: Range<Int>
        var plainASCII: Bool
        var out: Range<Int>
    }

    /// Canonical form of the validated value at `range`, appended to `out`. Top-level members whose
    /// decoded key equals one of `skipTopLevel` (byte for byte) are left out.
    static func append(_ bytes: UnsafeRawBufferPointer, range: Range<Int>, skipTopLevel: [String] = [],
                       to out: inout [UInt8]) -> Bool {
        var scratch = JSONCanonicalScratch()
        return append(bytes, range: range, skipTopLevel: skipTopLevel, to: &out, scratch: &scratch)
    }

    /// As `append(_:range:skipTopLevel:to:)`, with working buffers kept by the caller between calls
    /// (a loop's, so a request allocates none of them once they have grown).
    static func append(_ bytes: UnsafeRawBufferPointer, range: Range<Int>, skipTopLevel: [String] = [],
                       to out: inout [UInt8], scratch: inout JSONCanonicalScratch) -> Bool {
        var w = JSONCanonicalWriter(cur: JSONTrustedCursor(bytes, range: range), skip: skipTopLevel, work: JSONCanonicalScratch())
        // Moved in and back out, so the buffers are never shared (no copy on write).
        swap(&w.work, &scratch)
        defer {
            swap(&w.work, &scratch)
            scratch.reset()
        }
        if w.work.segments.capacity == 0 { w.work.segments.reserveCapacity(16) }
        guard w.value(depth: 0, out: &out) else { return false }
        return w.cur.pos == range.upperBound
    }

    private var b: UnsafeRawBufferPointer { cur.bytes }

    private mutating func writeString(_ inner: Range<Int>, escaped: Bool, out: inout [UInt8]) {
        if !escaped {
            out.append(JSONByte.quote)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[inner]))
            out.append(JSONByte.quote)
            return
        }
        work.decoded.removeAll(keepingCapacity: true)
        JSONScanner.appendDecoded(inner, in: b, to: &work.decoded)
        JSONWriter.appendString(bytes: work.decoded, to: &out)
    }

    private mutating func value(depth: Int, out: inout [UInt8]) -> Bool {
        guard depth < 256, let c = cur.peekSignificant() else { return false }
        switch c {
        case JSONByte.quote:
            guard let (inner, escaped) = cur.string() else { return false }
            writeString(inner, escaped: escaped, out: &out)
            return true
        case JSONByte.openBracket:
            return array(depth: depth, out: &out)
        case JSONByte.openBrace:
            return object(depth: depth, out: &out)
        case UInt8(ascii: "t"), UInt8(ascii: "n"):
            return literal(4, out: &out)
        case UInt8(ascii: "f"):
            return literal(5, out: &out)
        default:
            let start = cur.pos
            while cur.pos < cur.end && JSONTrustedCursor.isNumberByte(b[cur.pos]) { cur.pos += 1 }
            guard cur.pos > start else { return false }
            Self.number(b, start..<cur.pos, to: &out)
            return true
        }
    }

    private mutating func array(depth: Int, out: inout [UInt8]) -> Bool {
        cur.pos += 1
        out.append(JSONByte.openBracket)
        if cur.consume(JSONByte.closeBracket) {
            out.append(JSONByte.closeBracket)
            return true
        }
        while true {
            guard value(depth: depth + 1, out: &out), let c = cur.peekSignificant() else { return false }
            cur.pos += 1
            if c == JSONByte.closeBracket { break }
            guard c == JSONByte.comma else { return false }
            out.append(JSONByte.comma)
        }
        out.append(JSONByte.closeBracket)
        return true
    }

    private mutating func literal(_ n: Int, out: inout [UInt8]) -> Bool {
        guard cur.pos + n <= cur.end else { return false }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[cur.pos..<(cur.pos + n)]))
        cur.pos += n
        return true
    }

    /// Writes `{seg,seg,…}` in document order and, only when the keys were out of order, puts the
    /// segments back in key order (so an already sorted object costs no copy).
    private mutating func object(depth: Int, out: inout [UInt8]) -> Bool {
        cur.pos += 1
        out.append(JSONByte.openBrace)
        let region = out.count
        let base = work.segments.count
        defer { work.segments.removeSubrange(base...) }
        if cur.consume(JSONByte.closeBrace) {
            out.append(JSONByte.closeBrace)
            return true
        }
        var sorted = true
        while true {
            guard let (key, escaped) = cur.string(), cur.consume(JSONByte.colon) else { return false }
            if depth == 0 && !skip.isEmpty && isSkipped(key, escaped: escaped) {
                guard cur.skipValue() != nil else { return false }
            } else {
                if work.segments.count > base { out.append(JSONByte.comma) }
                let segStart = out.count
                writeString(key, escaped: escaped, out: &out)
                out.append(JSONByte.colon)
                guard value(depth: depth + 1, out: &out) else { return false }
                let seg = Segment(key: key, plainASCII: !escaped && Self.isASCII(b, key), out: segStart..<out.count)
                if sorted, work.segments.count > base, Self.compare(b, work.segments[work.segments.count - 1], seg) > 0 {
                    sorted = false
                }
                work.segments.append(seg)
            }
            guard let c = cur.peekSignificant() else { return false }
            cur.pos += 1
            if c == JSONByte.closeBrace { break }
            guard c == JSONByte.comma else { return false }
        }
        if !sorted { putInKeyOrder(from: base, region: region, out: &out) }
        out.append(JSONByte.closeBrace)
        return true
    }

    /// Rewrites `out[region...]` (the segments `segments[base...]`, separated by commas) with the segments
    /// in key order, stable for equal keys. The segments are sorted in place (the caller drops them next);
    /// both copies are bulk copies through a reused buffer.
    private mutating func putInKeyOrder(from base: Int, region: Int, out: inout [UInt8]) {
        let bytes = b
        // Equal keys keep document order: a segment's output offset grows with its position.
        // (Sorted through a buffer pointer: sorting `segments[base...]` would copy the slice and back.)
        work.segments.withUnsafeMutableBufferPointer { all in
            var part = UnsafeMutableBufferPointer(rebasing: all[base...])
            part.sort { x, y in
                let c = Self.compare(bytes, x, y)
                return c != 0 ? c < 0 : x.out.lowerBound < y.out.lowerBound
            }
        }
        if work.reorder.capacity < out.count - region {
            // Sized for the largest object that can follow (the canonical text rarely outgrows the
            // document, which ends at `cur.end`), so later reorders reuse it.
            work.reorder.reserveCapacity(Swift.max(out.count - region, cur.end) + 64)
        }
        work.reorder.removeAll(keepingCapacity: true)
        out.withUnsafeBufferPointer { work.reorder.append(contentsOf: UnsafeBufferPointer(rebasing: $0[region...])) }
        out.removeSubrange(region...)
        work.reorder.withUnsafeBufferPointer { written in
            for i in base..<work.segments.count {
                if i > base { out.append(JSONByte.comma) }
                let r = work.segments[i].out
                out.append(contentsOf: UnsafeBufferPointer(rebasing: written[(r.lowerBound - region)..<(r.upperBound - region)]))
            }
        }
    }

    /// True when the raw key (inside its quotes) decodes to one of `skip`.
    private func isSkipped(_ key: Range<Int>, escaped: Bool) -> Bool {
        let m = JSONMember(keyRange: key, valueRange: key, kind: .string, keyHasEscapes: escaped)
        for name in skip where escaped || name.utf8.count == key.count {
            var name = name
            if name.withUTF8({ JSONScanner.keyEquals(m, UnsafeRawBufferPointer($0), in: b) }) { return true }
        }
        return false
    }

    private static func isASCII(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Bool {
        for i in r where b[i] >= 0x80 { return false }
        return true
    }

    private static func decodedKey(_ b: UnsafeRawBufferPointer, _ s: Segment) -> String {
        if s.plainASCII { return String(decoding: UnsafeRawBufferPointer(rebasing: b[s.key]), as: UTF8.self) }
        var d: [UInt8] = []
        JSONScanner.appendDecoded(s.key, in: b, to: &d)
        return String(decoding: d, as: UTF8.self)
    }

    /// -1, 0, 1 by the UTF-16 code units of the decoded keys.
    private static func compare(_ b: UnsafeRawBufferPointer, _ x: Segment, _ y: Segment) -> Int {
        if x.plainASCII && y.plainASCII {
            let n = min(x.key.count, y.key.count)
            var i = 0
            while i < n {
                let p = b[x.key.lowerBound + i], q = b[y.key.lowerBound + i]
                if p != q { return p < q ? -1 : 1 }
                i += 1
            }
            return x.key.count == y.key.count ? 0 : (x.key.count < y.key.count ? -1 : 1)
        }
        let xs = decodedKey(b, x), ys = decodedKey(b, y)
        if xs.utf16.elementsEqual(ys.utf16) { return 0 }
        return xs.utf16.lexicographicallyPrecedes(ys.utf16) ? -1 : 1
    }

    /// Plain integers (`0`, `-?[1-9][0-9]{0,20}`) are their own canonical text; the rest goes through
    /// `JSONNumberFormat`.
    static func number(_ b: UnsafeRawBufferPointer, _ r: Range<Int>, to out: inout [UInt8]) {
        var i = r.lowerBound
        if i < r.upperBound && b[i] == JSONByte.minus { i += 1 }
        let digits = r.upperBound - i
        var plain = digits >= 1 && digits <= 21 && (b[i] != JSONByte.zero || (digits == 1 && i == r.lowerBound))
        if plain {
            for k in i..<r.upperBound where b[k] < JSONByte.zero || b[k] > JSONByte.zero + 9 {
                plain = false
                break
            }
        }
        if plain {
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[r]))
        } else {
            JSONNumberFormat.appendCanonical(String(decoding: UnsafeRawBufferPointer(rebasing: b[r]), as: UTF8.self), to: &out)
        }
    }
}

/// Working buffers of `JSONCanonicalWriter`, kept between calls by a caller that writes many
/// documents (each loop keeps one for the prompt-cache keys). Emptied after every call; a buffer
/// that grew past `keptCapacity` (a huge document) is released rather than kept.
struct JSONCanonicalScratch {
    /// Largest capacity, in bytes, a byte buffer keeps after a call.
    static let keptCapacity = 64 * 1024
    /// Largest number of segments the segment stack keeps room for after a call.
    static let keptSegments = 4096

    /// An unsorted object's members while they are put back in order.
    fileprivate var reorder: [UInt8] = []
    /// The segments of the objects being written, innermost last (one stack for the whole walk).
    fileprivate var segments: [JSONCanonicalWriter.Segment] = []
    /// Decoded text of an escaped string.
    fileprivate var decoded: [UInt8] = []

    fileprivate mutating func reset() {
        JSONCanonicalScratch.reset(&reorder)
        JSONCanonicalScratch.reset(&decoded)
        if segments.capacity > JSONCanonicalScratch.keptSegments {
            segments = []
        } else {
            segments.removeAll(keepingCapacity: true)
        }
    }

    private static func reset(_ buffer: inout [UInt8]) {
        if buffer.capacity > keptCapacity { buffer = [] } else { buffer.removeAll(keepingCapacity: true) }
    }
}
