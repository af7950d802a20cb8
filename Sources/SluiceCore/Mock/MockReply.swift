
/// Everything needed to render one answer (whole body or stream events) of a generating API.
struct MockReply {
    /// The API that was called.
    let api: MockAPI
    /// Facts read from the request body.
    let facts: MockRequestFacts
    /// The reply text.
    let text: MockReplyText
    /// Whether usage is reported (`x-mock-no-usage` clears it).
    let usage: Bool
    /// The reply stopped at the request's token maximum (finish reason "length" / "max_tokens").
    let hitLimit: Bool
    /// Index of the loop that answers (ids are unique per process as loop plus sequence).
    let loopIndex: Int
    /// Per-loop sequence number of the reply.
    let sequence: Int

    /// The fixed `created` timestamp of every mock answer (determinism beats realism here).
    static let created = 1_700_000_000

    /// Completion/output tokens reported in usage.
    var completionTokens: Int { text.tokens }

    /// Appends `"<prefix><loop>-<sequence>"` as a JSON string.
    func appendID(_ prefix: StaticString, to out: inout [UInt8]) {
        out.append(0x22)
        prefix.withUTF8Buffer { out.append(contentsOf: $0) }
        HTTPSerializer.writeDecimal(loopIndex, into: &out)
        out.append(0x2D)
        HTTPSerializer.writeDecimal(sequence, into: &out)
        out.append(0x22)
    }

    /// Appends a literal.
    @inline(__always)
    static func lit(_ s: StaticString, _ out: inout [UInt8]) {
        s.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    /// Appends a non-negative integer.
    @inline(__always)
    static func num(_ n: Int, _ out: inout [UInt8]) {
        HTTPSerializer.writeDecimal(n, into: &out)
    }

    /// `"usage":{"prompt_tokens":P,"completion_tokens":C,"total_tokens":T}` (OpenAI chat/completions).
    func appendOpenAIUsage(to out: inout [UInt8]) {
        Self.lit(#""usage":{"prompt_tokens":"#, &out)
        Self.num(facts.promptTokens, &out)
        Self.lit(#","completion_tokens":"#, &out)
        Self.num(completionTokens, &out)
        Self.lit(#","total_tokens":"#, &out)
        Self.num(facts.promptTokens + completionTokens, &out)
        out.append(0x7D)
    }

    /// `"usage":{"input_tokens":P,"output_tokens":C,"total_tokens":T}` (Responses API).
    func appendResponsesUsage(to out: inout [UInt8]) {
        Self.lit(#""usage":{"input_tokens":"#, &out)
        Self.num(facts.promptTokens, &out)
        Self.lit(#","output_tokens":"#, &out)
        Self.num(completionTokens, &out)
        Self.lit(#","total_tokens":"#, &out)
        Self.num(facts.promptTokens + completionTokens, &out)
        out.append(0x7D)
    }

    /// The finish reason of chat/completions.
    var openAIFinishReason: StaticString { hitLimit ? #""length""# : #""stop""# }

    /// The stop reason of Anthropic messages.
    var anthropicStopReason: StaticString { hitLimit ? #""max_tokens""# : #""end_turn""# }
}
