extension JSONValue {
    /// Compact serialisation (no whitespace, member order kept).
    func serialized() -> [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    /// Appends the compact serialisation to `out`.
    func write(into out: inout [UInt8]) {
        switch self {
        case .null: JSONWriter.appendRaw("null", to: &out)
        case .bool(let b): JSONWriter.appendRaw(b ? "true" : "false", to: &out)
        case .number(let literal):
            JSONWriter.appendRaw(JSONValue.isValidNumber(literal) ? literal : "null", to: &out)
        case .string(let s): JSONWriter.appendString(s, to: &out)
        case .array(let items):
            out.append(JSONByte.openBracket)
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(JSONByte.comma) }
                item.write(into: &out)
            }
            out.append(JSONByte.closeBracket)
        case .object(let members):
            out.append(JSONByte.openBrace)
            for (i, member) in members.enumerated() {
                if i > 0 { out.append(JSONByte.comma) }
                JSONWriter.appendString(member.0, to: &out)
                out.append(JSONByte.colon)
                member.1.write(into: &out)
            }
            out.append(JSONByte.closeBrace)
        }
    }

    /// True when `literal` is exactly one RFC 8259 number.
    static func isValidNumber(_ literal: String) -> Bool {
        var s = literal
        return s.withUTF8 { p -> Bool in
            guard !p.isEmpty else { return false }
            var cur = JSONCursor(UnsafeRawBufferPointer(p))
            guard (try? cur.scanNumber()) != nil else { return false }
            return cur.pos == p.count
        }
    }
}
