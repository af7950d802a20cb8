import Testing
@testable import SluiceCore

fileprivate func promptBytes(_ body: String) -> Int {
    Array(body.utf8).withUnsafeBytes { p in
        guard case .success(let i) = JSONScanner.scanObject(p) else { return -1 }
        return TokenEstimator.promptTextBytes(body: p, index: i)
    }
}

fileprivate func estimate(_ body: String, _ e: TokenEstimator = TokenEstimator(), embeddings: Bool = false) -> (Int, Int) {
    Array(body.utf8).withUnsafeBytes { p in
        guard case .success(let i) = JSONScanner.scanObject(p) else { return (-1, -1) }
        return (e.inputTokens(body: p, index: i), e.outputReservation(body: p, index: i, isEmbeddings: embeddings))
    }
}

@Test func tokens_roundUp() {
    #expect(TokenEstimator.tokens(forTextBytes: 0) == 0)
    #expect(TokenEstimator.tokens(forTextBytes: 1) == 1)
    #expect(TokenEstimator.tokens(forTextBytes: 4) == 1)
    #expect(TokenEstimator.tokens(forTextBytes: 5) == 2)
    #expect(TokenEstimator.tokens(forTextBytes: 10, bytesPerToken: 3) == 4)
    #expect(TokenEstimator.tokens(forTextBytes: 7, bytesPerToken: 0) == 7)
    #expect(TokenEstimator.tokens(forTextBytes: -3) == 0)
}

@Test func chat_stringContent_countsDecodedBytesOnly() {
    let body = "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"name\":\"bob\",\"content\":\"be nice\"},"
        + "{\"role\":\"user\",\"content\":\"h\\u00e9llo\\n\"}]}"
    #expect(promptBytes(body) == 7 + 7) // "be nice" + "héllo\n" (é is 2 bytes)
}

@Test func chat_partsContent_countsTextParts() {
    let body = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"abcd\"},"
        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\"}},{\"type\":\"text\",\"text\":\"ef\"}]},"
        + "{\"role\":\"assistant\",\"content\":null}]}"
    #expect(promptBytes(body) == 6)
}

@Test func completions_promptStringOrArray() {
    #expect(promptBytes("{\"model\":\"m\",\"prompt\":\"12345\"}") == 5)
    #expect(promptBytes("{\"prompt\":[\"ab\",\"cde\"]}") == 5)
}

@Test func embeddings_inputShapes() {
    #expect(promptBytes("{\"input\":\"hello\"}") == 5)
    #expect(promptBytes("{\"input\":[\"a\",\"bb\"]}") == 3)
    #expect(promptBytes("{\"input\":[101, 102, 103]}") == 12)
    #expect(promptBytes("{\"input\":[[1,2],[3]]}") == 12)
    #expect(estimate("{\"input\":[101, 102, 103]}", embeddings: true) == (3, 0))
}

@Test func responses_inputAndInstructions() {
    #expect(promptBytes("{\"instructions\":\"abc\",\"input\":\"defg\"}") == 7)
    let items = "{\"input\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"user\",\"content\":"
        + "[{\"type\":\"input_text\",\"text\":\"there\"},{\"type\":\"input_image\",\"image_url\":\"data:...\"}]}]}"
    #expect(promptBytes(items) == 7)
}

@Test func anthropic_systemAndMessages() {
    #expect(promptBytes("{\"system\":\"sys\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}") == 4)
    let blocks = "{\"system\":[{\"type\":\"text\",\"text\":\"abc\"}],\"messages\":[{\"role\":\"user\",\"content\":"
        + "[{\"type\":\"text\",\"text\":\"de\"},{\"type\":\"tool_result\",\"tool_use_id\":\"t\",\"content\":"
        + "[{\"type\":\"text\",\"text\":\"fgh\"}]}]}]}"
    #expect(promptBytes(blocks) == 8)
}

@Test func unrelatedFields_areNotCounted() {
    #expect(promptBytes("{\"model\":\"a-very-long-model-name\",\"user\":\"someone\",\"temperature\":0}") == 0)
}

@Test func inputTokens_useBytesPerToken() {
    let body = "{\"messages\":[{\"role\":\"user\",\"content\":\"123456789\"}]}"
    #expect(estimate(body).0 == 3)
    var e = TokenEstimator()
    e.bytesPerToken = 2
    #expect(estimate(body, e).0 == 5)
}

@Test func outputReservation_readsMaxFieldsAndCaps() {
    #expect(estimate("{\"max_tokens\":100}").1 == 100)
    #expect(estimate("{\"max_completion_tokens\":50}").1 == 50)
    #expect(estimate("{\"max_output_tokens\":70}").1 == 70)
    #expect(estimate("{\"max_tokens\":10,\"max_completion_tokens\":20}").1 == 20)
    #expect(estimate("{\"max_tokens\":999999}").1 == 4096)
    #expect(estimate("{\"max_tokens\":0}").1 == 0)
    #expect(estimate("{}").1 == 256)
    #expect(estimate("{\"max_tokens\":-5}").1 == 256)
    #expect(estimate("{\"max_tokens\":\"100\"}").1 == 256)
    #expect(estimate("{\"max_tokens\":1.5}").1 == 256)
    #expect(estimate("{\"max_tokens\":100}", embeddings: true).1 == 0)
    var e = TokenEstimator()
    e.defaultOutputTokens = 16
    e.maxOutputReservation = 64
    #expect(estimate("{}", e).1 == 16)
    #expect(estimate("{\"max_tokens\":100}", e).1 == 64)
}
