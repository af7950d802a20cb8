
/// The API a request path selects.
enum MockAPI {
    case chat, completions, embeddings, responses, messages
}

/// What the mock reads from a request body, in one pass over its top-level members.
struct MockRequestFacts {
    /// The request's `model` as a JSON string token (copied raw), or `"mock-model"`.
    var modelJSON: [UInt8] = Array(#""mock-model""#.utf8)
    /// `"stream": true`.
    var stream = false
    /// `"stream_options": {"include_usage": true}`.
    var includeUsage = false
    /// Estimated prompt tokens (the gateway limiter's estimator).
    var promptTokens = 0
    /// `max_completion_tokens`, `max_tokens` or `max_output_tokens`, in that preference.
    var maxTokens: Int?
    /// Embeddings: how many inputs (vectors to return).
    var inputCount = 1
    /// Embeddings: `"encoding_format": "base64"`.
    var base64 = false
    /// Embeddings: requested `dimensions`.
    var dimensions: Int?

    /// Reads the facts of a validated object `index` over `body`.
    init(body: UnsafeRawBufferPointer, index: JSONObjectIndex) {
        promptTokens = TokenEstimator.tokens(forTextBytes: TokenEstimator.promptTextBytes(body: body, index: index))
        var maxCompletion: Int?
        var maxPlain: Int?
        var maxOutput: Int?
        for m in index.members {
            func key(_ s: StaticString) -> Bool {
                s.withUTF8Buffer { JSONScanner.keyEquals(m, UnsafeRawBufferPointer($0), in: body) }
            }
            switch m.kind {
            case .string:
                if key("model") {
                    modelJSON = Array(UnsafeRawBufferPointer(rebasing: body[m.valueRange]))
                } else if key("encoding_format") {
                    base64 = JSONScanner.string(m.valueRange, in: body, equals: "base64")
                } else if key("input") {
                    inputCount = 1
                }
            case .bool:
                if key("stream") { stream = body[m.valueRange.lowerBound] == 0x74 }
            case .number:
                let v = JSONScanner.int(m.valueRange, in: body)
                if key("max_completion_tokens") { maxCompletion = v } else if key("max_tokens") { maxPlain = v }
                else if key("max_output_tokens") { maxOutput = v } else if key("dimensions") { dimensions = v }
            case .object:
                if key("stream_options"), let u = JSONScanner.member("include_usage", ofObjectAt: m.valueRange, in: body),
                   u.kind == .bool {
                    includeUsage = body[u.valueRange.lowerBound] == 0x74
                }
            case .array:
                if key("input") { inputCount = Self.inputCount(m.valueRange, body) }
            case .null:
                break
            }
        }
        maxTokens = (maxCompletion ?? maxPlain ?? maxOutput).map { max(0, $0) }
    }

    /// One input per element, except that an array of token ids is a single input.
    private static func inputCount(_ range: Range<Int>, _ body: UnsafeRawBufferPointer) -> Int {
        var count = 0
        var allNumbers = true
        JSONScanner.forEachElement(ofArrayAt: range, in: body) { kind, _ in
            count += 1
            if kind != .number { allNumbers = false }
        }
        return allNumbers && count > 0 ? 1 : count
    }
}
