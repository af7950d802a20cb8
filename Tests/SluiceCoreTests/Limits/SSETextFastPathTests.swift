import Testing
@testable import SluiceCore

@Test func fastPath_agreesWithTheGeneralExtractor_onChatChunks() {
    let samples = [
        #"{"id":"x","choices":[{"index":0,"delta":{"content":"hello"},"finish_reason":null}],"usage":null}"#,
        #"{"choices":[{"delta":{"role":"assistant","content":""}}]}"#,
        #"{"choices":[{"delta":{"content":"caf\u00e9 \"q\"\n"}}]}"#,
        #"{"choices":[{"delta":{"content": "a"}},{"delta":{"content":"bc"}}]}"#,
        #"{"choices":[{"delta":{},"finish_reason":"stop"}]}"#,
        #"{"choices":[{"delta":{"content":null}}]}"#,
    ]
    for s in samples {
        let bytes = Array(s.utf8)
        bytes.withUnsafeBytes { raw in
            let fast = SSETextFastPath.chatDeltaContentBytes(raw)
            #expect(fast != nil, "\(s)")
            #expect(fast == UsageExtractor.generatedTextBytes(sseData: raw), "\(s)")
        }
    }
}

@Test func fastPath_declinesOtherShapes() {
    let others = [
        #"{"type":"content_block_delta","delta":{"type":"text_delta","text":"hi"}}"#,
        #"{"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"{}"}}]}}]}"#,
    ]
    for s in others {
        Array(s.utf8).withUnsafeBytes { raw in
            if s.contains("content_block") {
                #expect(SSETextFastPath.chatDeltaContentBytes(raw) == nil || UsageExtractor.generatedTextBytes(sseData: raw) == 2)
            } else {
                #expect(SSETextFastPath.chatDeltaContentBytes(raw) == nil)
            }
        }
    }
}

@Test func usageObject_isFoundOnlyWhenAnObject() {
    #expect(UsageExtractor.hasUsageObject(UnsafeRawBufferPointer(start: nil, count: 0)) == false)
    for (s, want) in [(#"{"usage":null}"#, false), (#"{"usage" : {"prompt_tokens":1}}"#, true), (#"{"x":"usage"}"#, false),
                      (#"{"message":{"usage":{"input_tokens":3}}}"#, true)] {
        Array(s.utf8).withUnsafeBytes { #expect(UsageExtractor.hasUsageObject($0) == want, "\(s)") }
    }
}
