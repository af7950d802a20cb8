/// Token usage reported by an upstream; nil fields were not reported.
struct TokenUsage: Sendable, Equatable {
    /// Prompt/input tokens.
    var input: Int?
    /// Completion/output tokens.
    var output: Int?
}

/// Reads usage and generated-text sizes from upstream responses and SSE events. Every entry point first
/// searches the raw bytes for a marker key, so the common event without usage costs one byte scan.
/// Stateless; safe from any thread.
enum UsageExtractor {
    /// Usage from a whole JSON response body: top-level "usage" with prompt_tokens/completion_tokens or
    /// input_tokens/output_tokens; a body with input only (embeddings) has output 0.
    static func fromBody(_ bytes: UnsafeRawBufferPointer) -> TokenUsage? {
        guard ByteSearch.contains(bytes, ChunkKey.usage) else { return nil }
        // The whole body is validated (an invalid one reports nothing); the last "usage" wins.
        var usage: JSONMember?
        let scan = JSONScanner.forEachTopLevelMember(bytes) { m in
            if JSONScanner.keyEquals(m, "usage", in: bytes) { usage = m }
        }
        guard case .success = scan, let u = usage else { return nil }
        return fromUsageMember(u, bytes)
    }

    /// As `fromBody(_:)` for a body already scanned into `index`.
    static func fromBody(_ bytes: UnsafeRawBufferPointer, index: JSONObjectIndex) -> TokenUsage? {
        index.member("usage", in: bytes).flatMap { fromUsageMember($0, bytes) }
    }

    private static func fromUsageMember(_ u: JSONMember, _ bytes: UnsafeRawBufferPointer) -> TokenUsage? {
        guard u.kind == .object else { return nil }
        let read = readUsage(u.valueRange, bytes)
        guard let input = read.input else {
            return read.output.map { TokenUsage(input: nil, output: $0) }
        }
        return TokenUsage(input: input, output: read.output ?? 0)
    }

    /// Folds one SSE event's data payload into `usage`: chat/completions chunks with a non-null "usage";
    /// Anthropic `message_start` (message.usage) and `message_delta` (usage.output_tokens replaces output);
    /// Responses `response.completed`/`response.incomplete`/`response.failed` (response.usage).
    static func fold(sseData: UnsafeRawBufferPointer, into usage: inout TokenUsage) {
        // Most events carry no usage object (`"usage":null` on OpenAI chunks): skip them unparsed.
        guard hasUsageObject(sseData),
              case .success(let index) = JSONScanner.scanObject(sseData) else { return }
        var usageRange: Range<Int>?
        if let t = index.member("type", in: sseData), t.kind == .string {
            let r = t.valueRange
            if JSONScanner.string(r, in: sseData, equals: "message_start") {
                usageRange = nested(index, "message", sseData)
            } else if JSONScanner.string(r, in: sseData, equals: "response.completed")
                        || JSONScanner.string(r, in: sseData, equals: "response.incomplete")
                        || JSONScanner.string(r, in: sseData, equals: "response.failed") {
                usageRange = nested(index, "response", sseData)
            }
        }
        if usageRange == nil, let u = index.member("usage", in: sseData), u.kind == .object {
            usageRange = u.valueRange
        }
        guard let range = usageRange else { return }
        let read = readUsage(range, sseData)
        if let i = read.input { usage.input = i }
        if let o = read.output { usage.output = o }
    }

    /// True when `"usage"` is followed (after optional whitespace and a colon) by an object.
    static func hasUsageObject(_ data: UnsafeRawBufferPointer) -> Bool {
        let n = data.count
        var from = 0
        while let i = ByteSearch.index(of: ChunkKey.usage, in: data, from: from) {
            var j = i + 7
            while j < n && (data[j] == 32 || data[j] == 9 || data[j] == 10 || data[j] == 13) { j += 1 }
            if j < n && data[j] == UInt8(ascii: ":") {
                j += 1
                while j < n && (data[j] == 32 || data[j] == 9 || data[j] == 10 || data[j] == 13) { j += 1 }
                if j < n && data[j] == UInt8(ascii: "{") { return true }
            }
            from = i + 1
        }
        return false
    }

    /// True for the chat/completions usage-only chunk: `"choices": []` and a usage object.
    static func isUsageOnlyChunk(_ sseData: UnsafeRawBufferPointer) -> Bool {
        guard hasUsageObject(sseData), ByteSearch.contains(sseData, ChunkKey.choices),
              case .success(let index) = JSONScanner.scanObject(sseData),
              let c = index.member("choices", in: sseData), c.kind == .array,
              let u = index.member("usage", in: sseData), u.kind == .object else { return false }
        var count = 0
        JSONScanner.forEachElement(ofArrayAt: c.valueRange, in: sseData) { _, _ in count += 1 }
        return count == 0
    }

    /// Reads input/output counts from a usage object (prompt_tokens or input_tokens; completion_tokens or
    /// output_tokens). Non-integer or negative values are ignored.
    static func readUsage(_ range: Range<Int>, _ bytes: UnsafeRawBufferPointer) -> TokenUsage {
        var usage = TokenUsage()
        JSONScanner.forEachMember(ofObjectAt: range, in: bytes) { m in
            guard m.kind == .number, let v = JSONScanner.int(m.valueRange, in: bytes), v >= 0 else { return }
            func key(_ s: StaticString) -> Bool { JSONScanner.keyEquals(m, s, in: bytes) }
            if key("prompt_tokens") || key("input_tokens") {
                usage.input = v
            } else if key("completion_tokens") || key("output_tokens") {
                usage.output = v
            }
        }
        return usage
    }

    /// Range of `outer.usage` when `outer` is a top-level object member holding a usage object.
    private static func nested(_ index: JSONObjectIndex, _ outer: String, _ bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        guard let o = index.member(outer, in: bytes), o.kind == .object,
              let u = JSONScanner.member("usage", ofObjectAt: o.valueRange, in: bytes), u.kind == .object else {
            return nil
        }
        return u.valueRange
    }
}

extension UsageExtractor {
    /// UTF-8 bytes of generated text in one SSE data payload, for estimates when usage is missing:
    /// choices[].delta.content (+ tool-call arguments), choices[].text, Anthropic `content_block_delta`
    /// delta.text/partial_json/thinking, Responses `*.delta` events' "delta" string.
    static func generatedTextBytes(sseData: UnsafeRawBufferPointer) -> Int {
        if let fast = SSETextFastPath.chatDeltaContentBytes(sseData) { return fast }
        guard ByteSearch.contains(sseData, ChunkKey.choices) || ByteSearch.contains(sseData, "\"delta\""),
              case .success(let index) = JSONScanner.scanObject(sseData) else { return 0 }
        if let c = index.member("choices", in: sseData), c.kind == .array {
            var total = 0
            JSONScanner.forEachElement(ofArrayAt: c.valueRange, in: sseData) { kind, range in
                guard kind == .object else { return }
                total += JSONScanner.stringByteCount(JSONScanner.member("text", ofObjectAt: range, in: sseData), in: sseData)
                if let d = JSONScanner.member("delta", ofObjectAt: range, in: sseData), d.kind == .object {
                    total += messageTextBytes(d.valueRange, sseData)
                }
            }
            return total
        }
        guard let t = index.member("type", in: sseData), t.kind == .string,
              let d = index.member("delta", in: sseData) else { return 0 }
        if JSONScanner.string(t.valueRange, in: sseData, equals: "content_block_delta"), d.kind == .object {
            let r = d.valueRange
            return JSONScanner.stringByteCount(JSONScanner.member("text", ofObjectAt: r, in: sseData), in: sseData)
                + JSONScanner.stringByteCount(JSONScanner.member("partial_json", ofObjectAt: r, in: sseData), in: sseData)
                + JSONScanner.stringByteCount(JSONScanner.member("thinking", ofObjectAt: r, in: sseData), in: sseData)
        }
        if endsWithDotDelta(t.valueRange, sseData) { return JSONScanner.stringByteCount(d, in: sseData) }
        return 0
    }

    /// Same for a whole non-stream response body: choices[].message.content (+ tool-call arguments),
    /// choices[].text, content[].text (Anthropic), output[].content[].text and output[].arguments (Responses).
    static func generatedTextBytes(body: UnsafeRawBufferPointer) -> Int {
        guard case .success(let index) = JSONScanner.scanObject(body) else { return 0 }
        var total = 0
        if let c = index.member("choices", in: body), c.kind == .array {
            JSONScanner.forEachElement(ofArrayAt: c.valueRange, in: body) { kind, range in
                guard kind == .object else { return }
                total += JSONScanner.stringByteCount(JSONScanner.member("text", ofObjectAt: range, in: body), in: body)
                if let m = JSONScanner.member("message", ofObjectAt: range, in: body), m.kind == .object {
                    total += messageTextBytes(m.valueRange, body)
                }
            }
        }
        if let c = index.member("content", in: body), c.kind == .array {
            total += textOfBlocks(c.valueRange, body)
        }
        if let o = index.member("output", in: body), o.kind == .array {
            JSONScanner.forEachElement(ofArrayAt: o.valueRange, in: body) { kind, range in
                guard kind == .object else { return }
                total += JSONScanner.stringByteCount(JSONScanner.member("arguments", ofObjectAt: range, in: body), in: body)
                if let c = JSONScanner.member("content", ofObjectAt: range, in: body), c.kind == .array {
                    total += textOfBlocks(c.valueRange, body)
                }
            }
        }
        return total
    }

    /// "content" string plus tool_calls[].function.arguments of a chat message or delta object.
    private static func messageTextBytes(_ range: Range<Int>, _ bytes: UnsafeRawBufferPointer) -> Int {
        var total = JSONScanner.stringByteCount(JSONScanner.member("content", ofObjectAt: range, in: bytes), in: bytes)
        guard let calls = JSONScanner.member("tool_calls", ofObjectAt: range, in: bytes), calls.kind == .array else {
            return total
        }
        JSONScanner.forEachElement(ofArrayAt: calls.valueRange, in: bytes) { kind, r in
            guard kind == .object, let f = JSONScanner.member("function", ofObjectAt: r, in: bytes),
                  f.kind == .object else { return }
            total += JSONScanner.stringByteCount(JSONScanner.member("arguments", ofObjectAt: f.valueRange, in: bytes),
                                                 in: bytes)
        }
        return total
    }

    /// Sum of the "text" strings of an array of content blocks.
    private static func textOfBlocks(_ range: Range<Int>, _ bytes: UnsafeRawBufferPointer) -> Int {
        var total = 0
        JSONScanner.forEachElement(ofArrayAt: range, in: bytes) { kind, r in
            guard kind == .object else { return }
            total += JSONScanner.stringByteCount(JSONScanner.member("text", ofObjectAt: r, in: bytes), in: bytes)
        }
        return total
    }

    /// True when the string token at `range` ends with `.delta"` (Responses API delta event types).
    private static func endsWithDotDelta(_ range: Range<Int>, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let suffix: StaticString = ".delta\""
        return suffix.withUTF8Buffer { s -> Bool in
            guard range.count >= s.count + 1 else { return false }
            let start = range.upperBound - s.count
            for k in 0..<s.count where bytes[start + k] != s[k] { return false }
            return true
        }
    }
}
