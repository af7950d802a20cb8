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
    private let b: UnsafeRawBufferPointer
    private var pos: Int
    private var scratch: [UInt8] = []

    private struct Segment {
        var key: Range<Int>
        var plainASCII: Bool
        var out: Range<Int>
    }

    /// Canonical form of the validated value starting at `range.lowerBound`, appended to `out`.
    static func append(_ bytes: UnsafeRawBufferPointer, range: Range<Int>, skipTopLevel: Set<String> = [],
                       to out: inout [UInt8]) -> Bool {
        var w = JSONCanonicalWriter(b: bytes, pos: range.lowerBound)
        guard w.value(depth: 0, skip: skipTopLevel, out: &out) else { return false }
        return w.pos == range.upperBound
    }

    private mutating func skipSpace() {
        while pos < b.count {
            let c = b[pos]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            pos += 1
        }
    }

    /// Consumes a string token; returns its inner range and whether it has escapes.
    private mutating func stringToken() -> (Range<Int>, Bool)? {
        guard pos < b.count, b[pos] == JSONByte.quote else { return nil }
        let start = pos + 1
        var i = start
        var escaped = false
        while i < b.count {
            let c = b[i]
            if c == JSONByte.quote { break }
            if c == JSONByte.backslash {
                escaped = true
                i += 2
            } else {
                i += 1
            }
        }
        guard i < b.count else { return nil }
        pos = i + 1
        return (start..<i, escaped)
    }

    private mutating func writeString(_ inner: Range<Int>, escaped: Bool, out: inout [UInt8]) {
        if !escaped {
            out.append(JSONByte.quote)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[inner]))
            out.append(JSONByte.quote)
            return
        }
        scratch.removeAll(keepingCapacity: true)
        JSONScanner.appendDecoded(inner, in: b, to: &scratch)
        JSONWriter.appendString(bytes: scratch, to: &out)
    }

    private mutating func value(depth: Int, skip: Set<String>, out: inout [UInt8]) -> Bool {
        guard depth < 256 else { return false }
        skipSpace()
        guard pos < b.count else { return false }
        switch b[pos] {
        case JSONByte.quote:
            guard let (inner, escaped) = stringToken() else { return false }
            writeString(inner, escaped: escaped, out: &out)
            return true
        case JSONByte.openBracket:
            pos += 1
            out.append(JSONByte.openBracket)
            skipSpace()
            if pos < b.count && b[pos] == JSONByte.closeBracket {
                pos += 1
                out.append(JSONByte.closeBracket)
                return true
            }
            while true {
                guard value(depth: depth + 1, skip: [], out: &out) else { return false }
                skipSpace()
                guard pos < b.count else { return false }
                let c = b[pos]
                pos += 1
                if c == JSONByte.closeBracket { break }
                guard c == JSONByte.comma else { return false }
                out.append(JSONByte.comma)
            }
            out.append(JSONByte.closeBracket)
            return true
        case JSONByte.openBrace:
            return object(depth: depth, skip: skip, out: &out)
        case UInt8(ascii: "t"), UInt8(ascii: "n"):
            return literal(4, out: &out)
        case UInt8(ascii: "f"):
            return literal(5, out: &out)
        default:
            let start = pos
            while pos < b.count {
                let c = b[pos]
                guard (c >= JSONByte.zero && c <= JSONByte.zero + 9) || c == JSONByte.minus || c == UInt8(ascii: "+")
                        || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") else { break }
                pos += 1
            }
            guard pos > start else { return false }
            Self.number(b, start..<pos, to: &out)
            return true
        }
    }

    private mutating func literal(_ n: Int, out: inout [UInt8]) -> Bool {
        guard pos + n <= b.count else { return false }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[pos..<(pos + n)]))
        pos += n
        return true
    }

    private mutating func object(depth: Int, skip: Set<String>, out: inout [UInt8]) -> Bool {
        pos += 1
        let region = out.count
        var segments: [Segment] = []
        skipSpace()
        if pos < b.count && b[pos] == JSONByte.closeBrace {
            pos += 1
            out.append(JSONByte.openBrace)
            out.append(JSONByte.closeBrace)
            return true
        }
        while true {
            skipSpace()
            guard let (key, escaped) = stringToken() else { return false }
            skipSpace()
            guard pos < b.count, b[pos] == JSONByte.colon else { return false }
            pos += 1
            let segStart = out.count
            writeString(key, escaped: escaped, out: &out)
            out.append(JSONByte.colon)
            guard value(depth: depth + 1, skip: [], out: &out) else { return false }
            let seg = Segment(key: key, plainASCII: !escaped && Self.isASCII(b, key), out: segStart..<out.count)
            if !skip.isEmpty && skip.contains(Self.decodedKey(b, seg)) {
                out.removeSubrange(segStart...)
            } else {
                segments.append(seg)
            }
            skipSpace()
            guard pos < b.count else { return false }
            let c = b[pos]
            pos += 1
            if c == JSONByte.closeBrace { break }
            guard c == JSONByte.comma else { return false }
        }
        // Segments sit back to back from `region`; rebuild as {seg,seg,…} in key order.
        var order = Array(segments.indices)
        var sorted = true
        for i in 1..<max(segments.count, 1) where Self.compare(b, segments[i - 1], segments[i]) > 0 {
            sorted = false
            break
        }
        if !sorted {
            order.sort { x, y in
                let c = Self.compare(b, segments[x], segments[y])
                return c != 0 ? c < 0 : x < y
            }
        }
        let body = Array(out[region...])
        out.removeSubrange(region...)
        out.append(JSONByte.openBrace)
        for (n, i) in order.enumerated() {
            if n > 0 { out.append(JSONByte.comma) }
            let r = segments[i].out
            out.append(contentsOf: body[(r.lowerBound - region)..<(r.upperBound - region)])
        }
        out.append(JSONByte.closeBrace)
        return true
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
