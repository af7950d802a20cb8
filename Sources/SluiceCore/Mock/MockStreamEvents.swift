/// The SSE events of each streaming API, appended to a `MockStreamPlan`.
enum MockStreamEvents {
    private static func lit(_ s: StaticString, _ out: inout [UInt8]) { MockReply.lit(s, &out) }

    /// Chat completions (`chat.completion.chunk`) or completions (`text_completion`) chunks: one per
    /// word, a final chunk with the finish reason, the usage-only chunk (`"choices": []`) when
    /// `stream_options.include_usage` asked for it, then `[DONE]`.
    static func openAI(_ r: MockReply, _ plan: inout MockStreamPlan) {
        let chat = r.api == .chat
        // The part every chunk shares, up to and including the comma before "choices".
        var head: [UInt8] = Array("data: {\"id\":".utf8)
        r.appendID(chat ? "chatcmpl-mock-" : "cmpl-mock-", to: &head)
        lit(chat ? #","object":"chat.completion.chunk","created":1700000000,"model":"#
                 : #","object":"text_completion","created":1700000000,"model":"#, &head)
        head.append(contentsOf: r.facts.modelJSON)
        head.append(0x2C)
        if chat {
            plan.bytes.append(contentsOf: head)
            lit(#""choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}"#, &plan.bytes)
            lit("\n\n", &plan.bytes)
            plan.endEvent()
        }
        for i in 0..<r.text.pieceCount {
            if i > 0 { plan.endGroup() }
            plan.bytes.append(contentsOf: head)
            lit(chat ? #""choices":[{"index":0,"delta":{"content":"# : #""choices":[{"text":"#, &plan.bytes)
            r.text.appendPieceJSON(i, to: &plan.bytes)
            lit(chat ? #"},"logprobs":null,"finish_reason":null}]}"# : #","index":0,"logprobs":null,"finish_reason":null}]}"#,
                &plan.bytes)
            lit("\n\n", &plan.bytes)
            plan.endEvent()
        }
        plan.bytes.append(contentsOf: head)
        lit(chat ? #""choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"#
                 : #""choices":[{"text":"","index":0,"logprobs":null,"finish_reason":"#, &plan.bytes)
        lit(r.openAIFinishReason, &plan.bytes)
        lit("}]}\n\n", &plan.bytes)
        plan.endEvent()
        if r.usage && r.facts.includeUsage {
            plan.bytes.append(contentsOf: head)
            lit(#""choices":[],"#, &plan.bytes)
            r.appendOpenAIUsage(to: &plan.bytes)
            lit("}\n\n", &plan.bytes)
            plan.endEvent()
        }
        lit("data: [DONE]\n\n", &plan.bytes)
        plan.endEvent()
    }

    /// Responses API: `response.created`, one `response.output_text.delta` per word,
    /// `response.completed` carrying the whole response and its usage.
    static func responses(_ r: MockReply, _ plan: inout MockStreamPlan) {
        var seq = 0
        lit("event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":", &plan.bytes)
        MockReplies.response(r, &plan.bytes, status: "in_progress", withOutput: false, withUsage: false)
        lit("}\n\n", &plan.bytes)
        plan.endEvent()
        for i in 0..<r.text.pieceCount {
            if i > 0 { plan.endGroup() }
            seq += 1
            lit("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":", &plan.bytes)
            MockReply.num(seq, &plan.bytes)
            lit(#","item_id":"#, &plan.bytes)
            r.appendID("msg_mock_", to: &plan.bytes)
            lit(#","output_index":0,"content_index":0,"delta":"#, &plan.bytes)
            r.text.appendPieceJSON(i, to: &plan.bytes)
            lit("}\n\n", &plan.bytes)
            plan.endEvent()
        }
        seq += 1
        lit("event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":", &plan.bytes)
        MockReply.num(seq, &plan.bytes)
        lit(#","response":"#, &plan.bytes)
        MockReplies.response(r, &plan.bytes)
        lit("}\n\n", &plan.bytes)
        plan.endEvent()
    }

    /// Anthropic messages: `message_start` (input tokens), `content_block_start`, one
    /// `content_block_delta` per word, `content_block_stop`, `message_delta` (output tokens), `message_stop`.
    static func anthropic(_ r: MockReply, _ plan: inout MockStreamPlan) {
        lit("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":", &plan.bytes)
        r.appendID("msg_mock_", to: &plan.bytes)
        lit(#","type":"message","role":"assistant","model":"#, &plan.bytes)
        plan.bytes.append(contentsOf: r.facts.modelJSON)
        lit(#","content":[],"stop_reason":null,"stop_sequence":null"#, &plan.bytes)
        if r.usage {
            lit(#","usage":{"input_tokens":"#, &plan.bytes)
            MockReply.num(r.facts.promptTokens, &plan.bytes)
            lit(#","output_tokens":1}"#, &plan.bytes)
        }
        lit("}}\n\n", &plan.bytes)
        plan.endEvent()
        lit("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
            &plan.bytes)
        plan.endEvent()
        for i in 0..<r.text.pieceCount {
            if i > 0 { plan.endGroup() }
            lit("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":",
                &plan.bytes)
            r.text.appendPieceJSON(i, to: &plan.bytes)
            lit("}}\n\n", &plan.bytes)
            plan.endEvent()
        }
        lit("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n", &plan.bytes)
        plan.endEvent()
        lit("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":", &plan.bytes)
        lit(r.anthropicStopReason, &plan.bytes)
        lit(#","stop_sequence":null}"#, &plan.bytes)
        if r.usage {
            lit(#","usage":{"output_tokens":"#, &plan.bytes)
            MockReply.num(r.completionTokens, &plan.bytes)
            plan.bytes.append(0x7D)
        }
        lit("}\n\n", &plan.bytes)
        plan.endEvent()
        lit("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", &plan.bytes)
        plan.endEvent()
    }
}
