/// A fully decoded JSON value, for the rare paths that need one (webhook, transform, explain, cache key).
/// Objects keep member order and duplicates; lookups take the last duplicate, like upstream parsers.
indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number literal as written (validated when parsed; writers emit `null` for an invalid literal).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// Parses and validates a whole document (same rules and errors as `JSONScanner.validate`).
    static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 128) -> Result<JSONValue, JSONError> {
        switch JSONScanner.validate(bytes, maxDepth: maxDepth) {
        case .failure(let e):
            return .failure(e)
        case .success(let (_, range)):
            var builder = JSONValueBuilder(bytes: bytes, pos: range.lowerBound, end: range.upperBound)
            return .success(builder.value())
        }
    }

    /// Parses and validates a whole document held in an array.
    static func parse(_ bytes: [UInt8]) -> Result<JSONValue, JSONError> {
        bytes.withUnsafeBytes { parse($0) }
    }

    /// Structural equality; numbers compare by literal, objects by members in order.
    static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The value of the last member named `key` when this is an object.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.0 == key })?.1
    }

    /// The element at `index` when this is an array and the index is in range.
    subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    /// The string, when this is a string.
    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer, when this is a number written as a plain integer that fits in `Int`.
    var intValue: Int? {
        guard case .number(let literal) = self else { return nil }
        var s = literal
        return s.withUTF8 { JSONScanner.int(0..<$0.count, in: UnsafeRawBufferPointer($0)) }
    }

    /// The number as a Double (nearest), when this is a number.
    var doubleValue: Double? {
        guard case .number(let literal) = self else { return nil }
        return Double(literal)
    }

    /// The Bool, when this is a bool.
    var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// True for `null`.
    var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// Builds a `JSONValue` from bytes that `JSONScanner.validate` has accepted, so it checks bounds but not
/// grammar. Recursion depth is bounded by the validated nesting depth.
private struct JSONValueBuilder {
    let bytes: UnsafeRawBufferPointer
    var pos: Int
    let end: Int

    mutating func skipWhitespace() {
        while pos < end && JSONByte.isWhitespace(bytes[pos]) { pos += 1 }
    }

    mutating func value() -> JSONValue {
        skipWhitespace()
        guard pos < end else { return .null }
        switch bytes[pos] {
        case JSONByte.openBrace:
            pos += 1
            var members: [(String, JSONValue)] = []
            while true {
                skipWhitespace()
                guard pos < end, bytes[pos] == JSONByte.quote else { break }
                let key = string()
                skipWhitespace()
                pos += 1 // ':'
                members.append((key, value()))
                skipWhitespace()
                guard pos < end, bytes[pos] == JSONByte.comma else { break }
                pos += 1
            }
            pos += 1 // '}'
            return .object(members)
        case JSONByte.openBracket:
            pos += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if pos < end && bytes[pos] == JSONByte.closeBracket {
                pos += 1
                return .array(items)
            }
            while pos < end {
                items.append(value())
                skipWhitespace()
                guard pos < end, bytes[pos] == JSONByte.comma else { break }
                pos += 1
            }
            pos += 1 // ']'
            return .array(items)
        case JSONByte.quote:
            return .string(string())
        case 0x74:
            pos += 4
            return .bool(true)
        case 0x66:
            pos += 5
            return .bool(false)
        case 0x6E:
            pos += 4
            return .null
        default:
            let start = pos
            while pos < end, JSONValueBuilder.isNumberByte(bytes[pos]) { pos += 1 }
            return .number(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self))
        }
    }

    /// Decodes the string at `pos` and moves past it.
    mutating func string() -> String {
        let start = pos
        pos += 1
        var escaped = false
        while pos < end && bytes[pos] != JSONByte.quote {
            if bytes[pos] == JSONByte.backslash {
                escaped = true
                pos += 1
            }
            pos += 1
        }
        let inner = (start + 1)..<Swift.min(pos, end)
        pos += 1
        if !escaped { return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[inner]), as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(inner.count)
        JSONScanner.appendDecoded(inner, in: bytes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func isNumberByte(_ b: UInt8) -> Bool {
        JSONByte.isDigit(b) || b == JSONByte.minus || b == JSONByte.plus || b == JSONByte.dot || b | 0x20 == 0x65
    }
}
