import Testing
@testable import SluiceCore

/// Usage from a whole body; the variant reading an index the caller already scanned must agree.
fileprivate func body(_ s: String) -> TokenUsage? {
    Array(s.utf8).withUnsafeBytes { raw in
        let plain = UsageExtractor.fromBody(raw)
        if case .success(let index) = JSONScanner.scanObject(raw) {
            #expect(UsageExtractor.fromBody(raw, index: index) == plain, "\(s)")
        }
        return plain
    }
}

fileprivate func fold(_ events: [String], into start: TokenUsage = TokenUsage()) -> TokenUsage {
    var u = start
    for e in events { Array(e.utf8).withUnsafeBytes { UsageExtractor.fold(sseData: $0, into: &u) } }
    return u
}

fileprivate func usageOnly(_ s: String) -> Bool { Array(s.utf8).withUnsafeBytes { UsageExtractor.isUsageOnlyChunk($0) } }
fileprivate func sseText(_ s: String) -> Int { Array(s.utf8).withUnsafeBytes { UsageExtractor.generatedTextBytes(sseData: $0) } }
fileprivate func bodyText(_ s: String) -> Int { Array(s.utf8).withUnsafeBytes { UsageExtractor.generatedTextBytes(body: $0) } }

@Test func fromBody_chatAndCompletions() {
    let chat = "{\"id\":\"x\",\"choices\":[{\"message\":{\"content\":\"hi\"}}],"
        + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17}}"
    #expect(body(chat) == TokenUsage(input: 12, output: 5))
}

@Test func fromBody_embeddingsHaveZeroOutput() {
    #expect(body("{\"data\":[{\"embedding\":[0.1,-0.2]}],\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}")
            == TokenUsage(input: 8, output: 0))
}

@Test func fromBody_anthropicAndResponses() {
    #expect(body("{\"type\":\"message\",\"content\":[],\"usage\":{\"input_tokens\":30,\"output_tokens\":9}}")
            == TokenUsage(input: 30, output: 9))
    #expect(body("{\"object\":\"response\",\"output\":[],\"usage\":{\"input_tokens\":4,\"output_tokens\":2,"
                 + "\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":6}}")
            == TokenUsage(input: 4, output: 2))
}

@Test func fromBody_missingOrInvalid_isNil() {
    #expect(body("{\"choices\":[]}") == nil)
    #expect(body("{\"usage\":null}") == nil)
    #expect(body("{\"usage\":{}}") == nil)
    #expect(body("{\"usage\":{\"prompt_tokens\":1,}") == nil)
    #expect(body("not json \"usage\"") == nil)
    #expect(body("{\"usage\":{\"prompt_tokens\":\"7\"}}") == nil)
}

@Test func fromBody_lastTopLevelUsageWins_nestedOnesDoNot() {
    #expect(body(#"{"usage":{"prompt_tokens":1,"completion_tokens":1},"x":1,"usage":{"prompt_tokens":2,"completion_tokens":3}}"#)
            == TokenUsage(input: 2, output: 3))
    #expect(body(#"{"usage":{"prompt_tokens":2,"completion_tokens":3},"usage":null}"#) == nil)
    #expect(body(#"{"choices":[{"usage":{"prompt_tokens":9}}],"meta":{"usage":{"prompt_tokens":8}}}"#) == nil)
    // An escaped key counts once the pre-filter saw a literal "usage" somewhere.
    #expect(body(#"{"\u0075sage":{"prompt_tokens":5,"completion_tokens":6},"note":"usage"}"#) == TokenUsage(input: 5, output: 6))
}

@Test func fromBody_invalidAfterTheUsage_isNil() {
    // The whole body is validated: a usage object before a broken tail reports nothing.
    #expect(body(#"{"usage":{"prompt_tokens":2,"completion_tokens":3},"x":[1,}"#) == nil)
    #expect(body(#"{"usage":{"prompt_tokens":2,"completion_tokens":3}} trailing"#) == nil)
    #expect(body(#"{"usage":{"prompt_tokens":2,"completion_tokens":3},"s":"bad \x escape"}"#) == nil)
}

@Test func fold_chatUsageChunk_setsBoth() {
    let events = [
        "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":null}",
        "{\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":3,\"total_tokens\":13}}",
    ]
    #expect(fold(events) == TokenUsage(input: 10, output: 3))
}

@Test func fold_eventsWithoutUsage_leaveItUnchanged() {
    let start = TokenUsage(input: 1, output: 2)
    #expect(fold(["{\"choices\":[{\"delta\":{\"content\":\"usage\"}}]}", "{\"type\":\"ping\"}", "garbage"],
                 into: start) == start)
}

@Test func fold_anthropicStartThenDelta() {
    let events = [
        "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}",
        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}",
        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":15}}",
    ]
    let u = fold(events)
    #expect(u == TokenUsage(input: 25, output: 15))
    #expect(fold(Array(events.prefix(1))) == TokenUsage(input: 25, output: 1))
}

@Test func fold_responsesCompleted() {
    let events = [
        "{\"type\":\"response.output_text.delta\",\"delta\":\"Hi\"}",
        "{\"type\":\"response.completed\",\"response\":{\"id\":\"r\",\"usage\":{\"input_tokens\":9,\"output_tokens\":4,"
            + "\"total_tokens\":13}}}",
    ]
    #expect(fold(events) == TokenUsage(input: 9, output: 4))
}

@Test func isUsageOnlyChunk_detectsOnlyTheUsageChunk() {
    #expect(usageOnly("{\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}"))
    #expect(usageOnly("{\"choices\":[ ],\"usage\":{}}"))
    #expect(!usageOnly("{\"choices\":[{\"delta\":{}}],\"usage\":{\"prompt_tokens\":1}}"))
    #expect(!usageOnly("{\"choices\":[],\"usage\":null}"))
    #expect(!usageOnly("{\"choices\":[]}"))
    #expect(!usageOnly("{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":1}}"))
}

@Test func generatedTextBytes_sseShapes() {
    #expect(sseText("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"h\\u00e9\"}}]}") == 3)
    #expect(sseText("{\"choices\":[{\"index\":0,\"text\":\"abcd\"}]}") == 4)
    #expect(sseText("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"{\\\"a\\\"\"}}]}}]}") == 4)
    #expect(sseText("{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"xyz\"}}") == 3)
    #expect(sseText("{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}") == 2)
    #expect(sseText("{\"type\":\"response.output_text.delta\",\"item_id\":\"i\",\"delta\":\"hello\"}") == 5)
    #expect(sseText("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}") == 0)
    #expect(sseText("{\"choices\":[],\"usage\":{\"prompt_tokens\":1}}") == 0)
    #expect(sseText("{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":null}}]}") == 0)
    #expect(sseText("[DONE]") == 0)
}

@Test func generatedTextBytes_bodyShapes() {
    #expect(bodyText("{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"hello\"}},"
                     + "{\"message\":{\"content\":\"ab\"}}]}") == 7)
    #expect(bodyText("{\"choices\":[{\"text\":\"abc\"}]}") == 3)
    #expect(bodyText("{\"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":\"four\"}]}") == 4)
    #expect(bodyText("{\"output\":[{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"six ch\"}]},"
                     + "{\"type\":\"function_call\",\"arguments\":\"{}\"}]}") == 8)
    #expect(bodyText("{\"choices\":[{\"message\":{\"content\":null,\"tool_calls\":[{\"function\":{\"arguments\":\"{}\"}}]}}]}") == 2)
    #expect(bodyText("nope") == 0)
}
