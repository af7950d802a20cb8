/// Finds the JSON string values that carry prompt or completion text (a stack value over a borrowed body).
/// Requests: `messages[].content` (string or parts' `text`), `system`, `prompt`, `input` (strings or items
/// with `content`) and `instructions`. Responses: `choices[].message.content`, `choices[].delta.content`,
/// `choices[].text`, `content[].text`, `output[].content[].text`, `output_text`.
struct GuardrailTextFields {
    /// The body being walked.
    let bytes: UnsafeRawBufferPointer
    /// Which fields count.
    let phase: GuardrailBodyScanner.Phase
    /// How deep nested content is followed.
    var maxDepth = 6

    /// Appends the ranges (quotes included) of the text strings of the top-level object, in document order.
    func collect(_ index: JSONObjectIndex, into out: inout [Range<Int>]) {
        for m in index.members {
            switch phase {
            case .request:
                if key(m, "messages") || key(m, "system") || key(m, "prompt") || key(m, "input") {
                    content(m.valueRange, depth: maxDepth, into: &out)
                } else if key(m, "instructions"), m.kind == .string {
                    out.append(m.valueRange)
                }
            case .response:
                if key(m, "choices") || key(m, "content") || key(m, "output") {
                    content(m.valueRange, depth: maxDepth, into: &out)
                } else if key(m, "output_text"), m.kind == .string {
                    out.append(m.valueRange)
                }
            }
        }
    }

    /// Text in one content value: strings are text, arrays are walked, objects contribute their `text`
    /// and their `content` (plus `message`/`delta` for response choices). One walk over the value's
    /// bytes (already validated by the body's scan): each nested value is entered where it stands, never
    /// skipped first and scanned again; a walk that meets something unexpected stops there.
    private func content(_ range: Range<Int>, depth: Int, into out: inout [Range<Int>]) {
        var cur = JSONTrustedCursor(bytes, range: range)
        _ = walk(&cur, depth: depth, into: &out)
    }

    /// Consumes the value at the cursor, collecting its text as `content` describes; false when the
    /// bytes are not the value expected.
    private func walk(_ cur: inout JSONTrustedCursor, depth: Int, into out: inout [Range<Int>]) -> Bool {
        guard let c = cur.peekSignificant() else { return false }
        switch c {
        case JSONByte.quote:
            let start = cur.pos
            guard cur.string() != nil else { return false }
            out.append(start..<cur.pos)
            return true
        case JSONByte.openBracket where depth > 0:
            cur.pos += 1
            if cur.consume(JSONByte.closeBracket) { return true }
            repeat {
                guard walk(&cur, depth: depth - 1, into: &out) else { return false }
            } while cur.consume(JSONByte.comma)
            return cur.consume(JSONByte.closeBracket)
        case JSONByte.openBrace where depth > 0:
            return walkMembers(&cur, depth: depth, into: &out)
        default:
            return cur.skipValue() != nil
        }
    }

    /// The members of the object at the cursor: `text` strings are taken, `content` strings or arrays
    /// and (responses) `message`/`delta` objects are walked, everything else is skipped.
    private func walkMembers(_ cur: inout JSONTrustedCursor, depth: Int, into out: inout [Range<Int>]) -> Bool {
        cur.pos += 1
        if cur.consume(JSONByte.closeBrace) { return true }
        repeat {
            guard let (inner, escaped) = cur.string(), cur.consume(JSONByte.colon),
                  let first = cur.peekSignificant() else { return false }
            let m = JSONMember(keyRange: inner, valueRange: inner, kind: .string, keyHasEscapes: escaped)
            let follow: Bool
            switch first {
            case JSONByte.quote: follow = key(m, "text") || key(m, "content")
            case JSONByte.openBracket: follow = key(m, "content")
            case JSONByte.openBrace: follow = phase == .response && (key(m, "message") || key(m, "delta"))
            default: follow = false
            }
            guard follow ? walk(&cur, depth: depth - 1, into: &out) : cur.skipValue() != nil else { return false }
        } while cur.consume(JSONByte.comma)
        return cur.consume(JSONByte.closeBrace)
    }

    private func key(_ m: JSONMember, _ s: StaticString) -> Bool {
        JSONScanner.keyEquals(m, s, in: bytes)
    }
}
