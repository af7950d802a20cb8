
/// Whole (non-stream) JSON bodies in the shapes of the OpenAI and Anthropic APIs.
enum MockReplies {
    /// The body for `reply.api`.
    static func body(_ r: MockReply, options: MockOptions, into out: inout [UInt8]) {
        switch r.api {
        case .chat: chat(r, &out)
        case .completions: completion(r, &out)
        case .responses: response(r, &out)
        case .messages: message(r, &out)
        case .embeddings: MockEmbeddings.body(r.facts, usage: r.usage, options: options, into: &out)
        }
    }

    private static func lit(_ s: StaticString, _ out: inout [UInt8]) { MockReply.lit(s, &out) }

    /// `chat.completion`.
    static func chat(_ r: MockReply, _ out: inout [UInt8]) {
        lit(#"{"id":"#, &out)
        r.appendID("chatcmpl-mock-", to: &out)
        lit(#","object":"chat.completion","created":1700000000,"model":"#, &out)
        out.append(contentsOf: r.facts.modelJSON)
        lit(#","choices":[{"index":0,"message":{"role":"assistant","content":"#, &out)
        r.text.appendJSON(to: &out)
        lit(#"},"logprobs":null,"finish_reason":"#, &out)
        lit(r.openAIFinishReason, &out)
        lit("}]", &out)
        if r.usage {
            out.append(0x2C)
            r.appendOpenAIUsage(to: &out)
        }
        out.append(0x7D)
    }

    /// `text_completion`.
    static func completion(_ r: MockReply, _ out: inout [UInt8]) {
        lit(#"{"id":"#, &out)
        r.appendID("cmpl-mock-", to: &out)
        lit(#","object":"text_completion","created":1700000000,"model":"#, &out)
        out.append(contentsOf: r.facts.modelJSON)
        lit(#","choices":[{"text":"#, &out)
        r.text.appendJSON(to: &out)
        lit(#","index":0,"logprobs":null,"finish_reason":"#, &out)
        lit(r.openAIFinishReason, &out)
        lit("}]", &out)
        if r.usage {
            out.append(0x2C)
            r.appendOpenAIUsage(to: &out)
        }
        out.append(0x7D)
    }

    /// A Responses API `response` object; `status` is "completed" unless given.
    static func response(_ r: MockReply, _ out: inout [UInt8], status: StaticString = "completed", withOutput: Bool = true,
                         withUsage: Bool = true) {
        lit(#"{"id":"#, &out)
        r.appendID("resp_mock_", to: &out)
        lit(#","object":"response","created_at":1700000000,"status":""#, &out)
        lit(status, &out)
        lit(#"","model":"#, &out)
        out.append(contentsOf: r.facts.modelJSON)
        lit(#","output":["#, &out)
        if withOutput {
            lit(#"{"type":"message","id":"#, &out)
            r.appendID("msg_mock_", to: &out)
            lit(#","status":"completed","role":"assistant","content":[{"type":"output_text","text":"#, &out)
            r.text.appendJSON(to: &out)
            lit(#","annotations":[]}]}"#, &out)
        }
        out.append(0x5D)
        if withUsage && r.usage {
            out.append(0x2C)
            r.appendResponsesUsage(to: &out)
        } else {
            lit(#","usage":null"#, &out)
        }
        out.append(0x7D)
    }

    /// An Anthropic `message`.
    static func message(_ r: MockReply, _ out: inout [UInt8]) {
        lit(#"{"id":"#, &out)
        r.appendID("msg_mock_", to: &out)
        lit(#","type":"message","role":"assistant","model":"#, &out)
        out.append(contentsOf: r.facts.modelJSON)
        lit(#","content":[{"type":"text","text":"#, &out)
        r.text.appendJSON(to: &out)
        lit(#"}],"stop_reason":"#, &out)
        lit(r.anthropicStopReason, &out)
        lit(#","stop_sequence":null"#, &out)
        if r.usage {
            lit(#","usage":{"input_tokens":"#, &out)
            MockReply.num(r.facts.promptTokens, &out)
            lit(#","output_tokens":"#, &out)
            MockReply.num(r.completionTokens, &out)
            out.append(0x7D)
        }
        out.append(0x7D)
    }

    /// `GET /v1/models`.
    static let models: [UInt8] = Array(
        #"{"object":"list","data":[{"id":"mock-model","object":"model","created":1700000000,"owned_by":"sluice-mock"}]}"#.utf8)

    /// An error body: OpenAI shape, or the Anthropic shape for `/v1/messages`.
    static func error(status: Int, message: String, code: String, anthropic: Bool) -> [UInt8] {
        let type: String
        switch status {
        case 400, 404, 405, 409, 413, 422: type = anthropic && status == 404 ? "not_found_error" : "invalid_request_error"
        case 401: type = "authentication_error"
        case 403: type = "permission_error"
        case 429: type = "rate_limit_error"
        case 529: type = "overloaded_error"
        case 503: type = anthropic ? "overloaded_error" : "server_error"
        default: type = anthropic ? "api_error" : "server_error"
        }
        let e = GatewayError(status: status, type: type, code: code, message: message)
        return anthropic ? ErrorResponse.anthropicBody(e) : ErrorResponse.openAIBody(e)
    }
}
