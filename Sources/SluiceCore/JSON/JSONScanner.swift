/// Entry points of the validating JSON byte scanner (hot path: one pass, no per-value allocation).
/// Stateless; safe from any thread on buffers the caller owns.
enum JSONScanner {
    /// Strictly validates the whole document (RFC 8259, UTF-8, depth <= `maxDepth`, nothing but whitespace
    /// after the value) and returns its top-level members; error "not an object" for other roots.
    static func scanObject(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 128) -> Result<JSONObjectIndex, JSONError> {
        var members: [JSONMember] = []
        members.reserveCapacity(16)
        return forEachTopLevelMember(bytes, maxDepth: maxDepth) { members.append($0) }
            .map { JSONObjectIndex(members: members, objectRange: $0) }
    }

    /// Validates the whole document exactly as `scanObject` does, calling `body` for each top-level member
    /// (possibly before an error further on) instead of collecting them; returns the object's range.
    static func forEachTopLevelMember(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 128,
                                      _ body: (JSONMember) -> Void) -> Result<Range<Int>, JSONError> {
        var cur = JSONCursor(bytes, maxDepth: maxDepth)
        do throws(JSONError) {
            cur.skipWhitespace()
            guard cur.pos < cur.end else { throw cur.error("empty input") }
            guard cur.bytes[cur.pos] == JSONByte.openBrace else { throw cur.error("not an object") }
            guard maxDepth >= 1 else { throw cur.error("nesting too deep") }
            let range = try scanMembers(&cur, depth: 0, body)
            try expectEnd(&cur)
            return .success(range)
        } catch {
            return .failure(error)
        }
    }

    /// Validates any document and returns the kind and range of its root value.
    static func validate(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 128) -> Result<(JSONKind, Range<Int>), JSONError> {
        var cur = JSONCursor(bytes, maxDepth: maxDepth)
        do throws(JSONError) {
            cur.skipWhitespace()
            guard cur.pos < cur.end else { throw cur.error("empty input") }
            let start = cur.pos
            let kind = try cur.skipValue(depth: 0)
            let range = start..<cur.pos
            try expectEnd(&cur)
            return .success((kind, range))
        } catch {
            return .failure(error)
        }
    }

    /// Members of the object value at `range` (e.g. a `JSONMember.valueRange`); empty if it is not a valid object.
    static func members(ofObjectAt range: Range<Int>, in bytes: UnsafeRawBufferPointer) -> [JSONMember] {
        var out: [JSONMember] = []
        guard forEachMember(ofObjectAt: range, in: bytes, { out.append($0) }) else { return [] }
        return out
    }

    /// Element kinds and ranges of the array value at `range`; empty if it is not a valid array.
    static func elements(ofArrayAt range: Range<Int>, in bytes: UnsafeRawBufferPointer) -> [(kind: JSONKind, range: Range<Int>)] {
        var out: [(kind: JSONKind, range: Range<Int>)] = []
        guard forEachElement(ofArrayAt: range, in: bytes, { out.append(($0, $1)) }) else { return [] }
        return out
    }

    /// Calls `body` for each member of the object at `range` without allocating.
    /// Returns false (after possibly some calls) when the range is not exactly one valid object.
    @discardableResult
    static func forEachMember(ofObjectAt range: Range<Int>, in bytes: UnsafeRawBufferPointer,
                              _ body: (JSONMember) -> Void) -> Bool {
        var cur = JSONCursor(bytes, range: range)
        guard cur.pos < cur.end, bytes[cur.pos] == JSONByte.openBrace else { return false }
        do throws(JSONError) {
            _ = try scanMembers(&cur, depth: 0, body)
        } catch {
            return false
        }
        return cur.pos == range.upperBound
    }

    /// Calls `body` for each element of the array at `range` without allocating.
    /// Returns false (after possibly some calls) when the range is not exactly one valid array.
    @discardableResult
    static func forEachElement(ofArrayAt range: Range<Int>, in bytes: UnsafeRawBufferPointer,
                               _ body: (JSONKind, Range<Int>) -> Void) -> Bool {
        var cur = JSONCursor(bytes, range: range)
        guard cur.pos < cur.end, bytes[cur.pos] == JSONByte.openBracket else { return false }
        cur.pos += 1
        do throws(JSONError) {
            if try cur.peekSignificant() == JSONByte.closeBracket {
                cur.pos += 1
                return cur.pos == range.upperBound
            }
            while true {
                _ = try cur.peekSignificant()
                let start = cur.pos
                let kind = try cur.skipValue(depth: 1)
                body(kind, start..<cur.pos)
                let c = try cur.peekSignificant()
                cur.pos += 1
                if c == JSONByte.closeBracket { break }
                guard c == JSONByte.comma else { return false }
            }
        } catch {
            return false
        }
        return cur.pos == range.upperBound
    }

    /// Scans the object at `cur.pos` (its '{'), reporting each member; returns the object's range.
    private static func scanMembers(_ cur: inout JSONCursor, depth: Int,
                                    _ body: (JSONMember) -> Void) throws(JSONError) -> Range<Int> {
        let start = cur.pos
        cur.pos += 1
        if try cur.peekSignificant() == JSONByte.closeBrace {
            cur.pos += 1
            return start..<cur.pos
        }
        while true {
            guard try cur.peekSignificant() == JSONByte.quote else { throw cur.error("expected string key") }
            let keyStart = cur.pos + 1
            let escaped = try cur.scanString()
            let keyRange = keyStart..<(cur.pos - 1)
            guard try cur.peekSignificant() == JSONByte.colon else { throw cur.error("expected ':'") }
            cur.pos += 1
            _ = try cur.peekSignificant()
            let valueStart = cur.pos
            let kind = try cur.skipValue(depth: depth + 1)
            body(JSONMember(keyRange: keyRange, valueRange: valueStart..<cur.pos, kind: kind, keyHasEscapes: escaped))
            let c = try cur.peekSignificant()
            if c == JSONByte.closeBrace {
                cur.pos += 1
                return start..<cur.pos
            }
            guard c == JSONByte.comma else { throw cur.error("expected ',' or '}'") }
            cur.pos += 1
            guard try cur.peekSignificant() == JSONByte.quote else { throw cur.error("trailing comma or missing key") }
        }
    }

    private static func expectEnd(_ cur: inout JSONCursor) throws(JSONError) {
        cur.skipWhitespace()
        guard cur.pos == cur.end else { throw cur.error("unexpected data after value") }
    }
}
