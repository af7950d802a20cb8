/// Finds the text delta inside one SSE event of a streamed completion: OpenAI chat
/// (`choices[0].delta.content`) and completions (`choices[0].text`), Anthropic `content_block_delta`
/// (`delta.text`) and Responses `response.output_text.delta` (`delta`). Events whose JSON spans several
/// `data:` lines are treated as having no text.
enum SSEGuardrailEventText {
    /// Range (quotes included) of the text string token in `e`, or nil for an event without text.
    static func locate(_ e: UnsafeRawBufferPointer) -> Range<Int>? {
        guard let payload = dataPayload(e) else { return nil }
        guard let t = JSONScanner.member("type", ofObjectAt: payload, in: e), t.kind == .string else {
            return choiceText(payload, e)
        }
        if JSONScanner.string(t.valueRange, in: e, equals: "content_block_delta") {
            guard let d = JSONScanner.member("delta", ofObjectAt: payload, in: e), d.kind == .object,
                  let text = JSONScanner.member("text", ofObjectAt: d.valueRange, in: e), text.kind == .string else { return nil }
            return text.valueRange
        }
        if JSONScanner.string(t.valueRange, in: e, equals: "response.output_text.delta") {
            guard let d = JSONScanner.member("delta", ofObjectAt: payload, in: e), d.kind == .string else { return nil }
            return d.valueRange
        }
        return choiceText(payload, e)
    }

    private static func choiceText(_ payload: Range<Int>, _ e: UnsafeRawBufferPointer) -> Range<Int>? {
        guard let c = JSONScanner.member("choices", ofObjectAt: payload, in: e), c.kind == .array else { return nil }
        var first: Range<Int>?
        JSONScanner.forEachElement(ofArrayAt: c.valueRange, in: e) { k, r in
            if first == nil && k == .object { first = r }
        }
        guard let choice = first else { return nil }
        if let d = JSONScanner.member("delta", ofObjectAt: choice, in: e), d.kind == .object,
           let content = JSONScanner.member("content", ofObjectAt: d.valueRange, in: e), content.kind == .string {
            return content.valueRange
        }
        if let text = JSONScanner.member("text", ofObjectAt: choice, in: e), text.kind == .string {
            return text.valueRange
        }
        return nil
    }

    /// The JSON object after the event's single `data:` field (trimmed), or nil.
    private static func dataPayload(_ e: UnsafeRawBufferPointer) -> Range<Int>? {
        var found: Range<Int>?
        var i = 0
        let n = e.count
        while i < n {
            var end = i
            while end < n && e[end] != 0x0A && e[end] != 0x0D { end += 1 }
            if GuardrailASCII.hasPrefix(e, at: i, "data:") {
                if found != nil { return nil }
                var s = i + 5
                if s < end && e[s] == 0x20 { s += 1 }
                var t = end
                while t > s && JSONByte.isWhitespace(e[t - 1]) { t -= 1 }
                found = s..<t
            }
            i = end
            if i < n && e[i] == 0x0D { i += 1 }
            if i < n && e[i] == 0x0A { i += 1 }
        }
        guard let r = found, !r.isEmpty, e[r.lowerBound] == JSONByte.openBrace else { return nil }
        return r
    }
}
