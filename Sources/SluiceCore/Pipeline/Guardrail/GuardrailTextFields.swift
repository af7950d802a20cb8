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
                    content(m.kind, m.valueRange, depth: maxDepth, into: &out)
                } else if key(m, "instructions"), m.kind == .string {
                    out.append(m.valueRange)
                }
            case .response:
                if key(m, "choices") || key(m, "content") || key(m, "output") {
                    content(m.kind, m.valueRange, depth: maxDepth, into: &out)
                } else if key(m, "output_text"), m.kind == .string {
                    out.append(m.valueRange)
                }
            }
        }
    }

    /// Text in one content value: strings are text, arrays are walked, objects contribute their `text`
    /// and their `content` (plus `message`/`delta` for response choices).
    private func content(_ kind: JSONKind, _ range: Range<Int>, depth: Int, into out: inout [Range<Int>]) {
        switch kind {
        case .string:
            out.append(range)
        case .array where depth > 0:
            JSONScanner.forEachElement(ofArrayAt: range, in: bytes) { k, r in
                content(k, r, depth: depth - 1, into: &out)
            }
        case .object where depth > 0:
            JSONScanner.forEachMember(ofObjectAt: range, in: bytes) { m in
                if m.kind == .string && key(m, "text") {
                    out.append(m.valueRange)
                } else if (m.kind == .string || m.kind == .array) && key(m, "content") {
                    content(m.kind, m.valueRange, depth: depth - 1, into: &out)
                } else if phase == .response, m.kind == .object, key(m, "message") || key(m, "delta") {
                    content(m.kind, m.valueRange, depth: depth - 1, into: &out)
                }
            }
        default:
            break
        }
    }

    private func key(_ m: JSONMember, _ s: StaticString) -> Bool {
        s.withUTF8Buffer { JSONScanner.keyEquals(m, UnsafeRawBufferPointer($0), in: bytes) }
    }
}
