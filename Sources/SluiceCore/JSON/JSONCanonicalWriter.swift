/// The canonical form of `JSONValue.canonical` written straight from the document's bytes, without
/// building a `JSONValue` tree: members sorted by the UTF-16 order of their decoded keys (stable for
/// duplicates), strings re-escaped minimally, numbers in canonical text, no whitespace. The output is
/// byte-for-byte what parsing then `canonical(into:)` gives (the prompt-cache key depends on it);
/// the common cases — strings without escapes, plain integers, ASCII keys — are copied, not decoded.
enum JSONCanonicalWriter {
    /// Appends the canonical form of the value at `range` (one valid value, as the scanner reports
    /// ranges); `skipTopLevel` names members left out of a top-level object. False on invalid input.
    static func append(_ bytes: UnsafeRawBufferPointer, range: Range<Int>, kind: JSONKind, skipTopLevel: Set<String> = [],
                       to out: inout [UInt8]) -> Bool {
        var scratch: [UInt8] = []
        return value(bytes, range, kind, skip: skipTopLevel, scratch: &scratch, to: &out)
    }

    private struct Member {
        var key: Range<Int>
        var value: Range<Int>
        var kind: JSONKind
        /// The raw key bytes are its decoded bytes and all ASCII: byte order is UTF-16 order.
        var plainASCII: Bool
    }

    private static func value(_ b: UnsafeRawBufferPointer, _ r: Range<Int>, _ kind: JSONKind, skip: Set<String>,
                              scratch: inout [UInt8], to out: inout [UInt8]) -> Bool {
        switch kind {
        case .null, .bool:
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[r]))
            return true
        case .string:
            string(b, (r.lowerBound + 1)..<(r.upperBound - 1), scratch: &scratch, to: &out)
            return true
        case .number:
            number(b, r, to: &out)
            return true
        case .array:
            out.append(JSONByte.openBracket)
            var first = true
            var ok = true
            let valid = JSONScanner.forEachElement(ofArrayAt: r, in: b) { k, er in
                guard ok else { return }
                if !first { out.append(JSONByte.comma) }
                first = false
                ok = value(b, er, k, skip: [], scratch: &scratch, to: &out)
            }
            out.append(JSONByte.closeBracket)
            return valid && ok
        case .object:
            var members: [Member] = []
            let valid = JSONScanner.forEachMember(ofObjectAt: r, in: b) { m in
                members.append(Member(key: m.keyRange, value: m.valueRange, kind: m.kind,
                                      plainASCII: !m.keyHasEscapes && isASCII(b, m.keyRange)))
            }
            guard valid else { return false }
            if !skip.isEmpty {
                members.removeAll { skip.contains(decodedKey(b, $0)) }
            }
            if members.count > 1 {
                // Stable: equal keys keep document order, as the tree form does.
                let sorted = members.enumerated().sorted { x, y in
                    let c = compareKeys(b, x.element, y.element)
                    return c != 0 ? c < 0 : x.offset < y.offset
                }
                members = sorted.map(\.element)
            }
            out.append(JSONByte.openBrace)
            for (i, m) in members.enumerated() {
                if i > 0 { out.append(JSONByte.comma) }
                string(b, m.key, scratch: &scratch, to: &out)
                out.append(JSONByte.colon)
                guard value(b, m.value, m.kind, skip: [], scratch: &scratch, to: &out) else { return false }
            }
            out.append(JSONByte.closeBrace)
            return true
        }
    }

    private static func isASCII(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Bool {
        for i in r where b[i] >= 0x80 { return false }
        return true
    }

    private static func hasBackslash(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Bool {
        for i in r where b[i] == JSONByte.backslash { return true }
        return false
    }

    private static func decodedKey(_ b: UnsafeRawBufferPointer, _ m: Member) -> String {
        if m.plainASCII { return String(decoding: UnsafeRawBufferPointer(rebasing: b[m.key]), as: UTF8.self) }
        var d: [UInt8] = []
        JSONScanner.appendDecoded(m.key, in: b, to: &d)
        return String(decoding: d, as: UTF8.self)
    }

    /// -1, 0, 1 by the UTF-16 code units of the decoded keys.
    private static func compareKeys(_ b: UnsafeRawBufferPointer, _ x: Member, _ y: Member) -> Int {
        if x.plainASCII && y.plainASCII {
            let xs = UnsafeRawBufferPointer(rebasing: b[x.key]), ys = UnsafeRawBufferPointer(rebasing: b[y.key])
            let n = min(xs.count, ys.count)
            for i in 0..<n where xs[i] != ys[i] { return xs[i] < ys[i] ? -1 : 1 }
            return xs.count == ys.count ? 0 : (xs.count < ys.count ? -1 : 1)
        }
        let xs = decodedKey(b, x), ys = decodedKey(b, y)
        if xs.utf16.elementsEqual(ys.utf16) { return 0 }
        return xs.utf16.lexicographicallyPrecedes(ys.utf16) ? -1 : 1
    }

    /// A string body (inside the quotes): unescaped bodies are already canonical (valid JSON has no raw
    /// control characters, quotes or backslashes in them); escaped ones are decoded and re-escaped.
    private static func string(_ b: UnsafeRawBufferPointer, _ inner: Range<Int>, scratch: inout [UInt8], to out: inout [UInt8]) {
        guard hasBackslash(b, inner) else {
            out.append(JSONByte.quote)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[inner]))
            out.append(JSONByte.quote)
            return
        }
        scratch.removeAll(keepingCapacity: true)
        JSONScanner.appendDecoded(inner, in: b, to: &scratch)
        JSONWriter.appendString(bytes: scratch, to: &out)
    }

    /// Plain integers (`0`, `-?[1-9][0-9]{0,20}`) are their own canonical text; the rest goes through
    /// `JSONNumberFormat`.
    private static func number(_ b: UnsafeRawBufferPointer, _ r: Range<Int>, to out: inout [UInt8]) {
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
