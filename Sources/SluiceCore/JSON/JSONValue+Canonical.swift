extension JSONValue {
    /// Appends the RFC 8785-style canonical form: no whitespace, object keys sorted by UTF-16 code units
    /// (stable for duplicates), strings minimally escaped, numbers normalised by `JSONNumberFormat`.
    func canonical(into out: inout [UInt8]) {
        switch self {
        case .null, .bool, .string:
            write(into: &out)
        case .number(let literal):
            JSONNumberFormat.appendCanonical(literal, to: &out)
        case .array(let items):
            out.append(JSONByte.openBracket)
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(JSONByte.comma) }
                item.canonical(into: &out)
            }
            out.append(JSONByte.closeBracket)
        case .object(let members):
            let sorted = members.enumerated().sorted { a, b in
                if a.element.0 == b.element.0 { return a.offset < b.offset }
                return a.element.0.utf16.lexicographicallyPrecedes(b.element.0.utf16)
            }
            out.append(JSONByte.openBrace)
            for (i, member) in sorted.enumerated() {
                if i > 0 { out.append(JSONByte.comma) }
                JSONWriter.appendString(member.element.0, to: &out)
                out.append(JSONByte.colon)
                member.element.1.canonical(into: &out)
            }
            out.append(JSONByte.closeBrace)
        }
    }

    /// The canonical form as a new buffer.
    func canonicalBytes() -> [UInt8] {
        var out: [UInt8] = []
        canonical(into: &out)
        return out
    }
}
