import Testing
@testable import SluiceCore

/// Runs `body` on the bytes of `s` with the range of the whole text.
fileprivate func with<T>(_ s: String, _ body: (UnsafeRawBufferPointer, Range<Int>) -> T) -> T {
    let b = Array(s.utf8)
    return b.withUnsafeBytes { body($0, 0..<b.count) }
}

@Test func decodeString_allEscapes_areDecoded() {
    let decoded = with("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u0041\\u00e9\\u4e2d\"") { JSONScanner.decodeString($1, in: $0) }
    #expect(decoded == "q\" b\\ s/ \u{08}\u{0C}\n\r\t A\u{e9}\u{4E2D}")
}

@Test func decodeString_surrogatePair_becomesOneScalar() {
    #expect(with("\"\\ud83d\\ude00!\"") { JSONScanner.decodeString($1, in: $0) } == "\u{1F600}!")
    #expect(with("\"\\uD834\\uDD1E\"") { JSONScanner.decodeString($1, in: $0) } == "\u{1D11E}")
}

@Test func decodeString_plainAndUnicode_areReturnedAsIs() {
    #expect(with("\"hello w\u{f6}rld \u{1F600}\"") { JSONScanner.decodeString($1, in: $0) } == "hello w\u{f6}rld \u{1F600}")
    #expect(with("\"\"") { JSONScanner.decodeString($1, in: $0) } == "")
}

@Test func decodeString_invalidOrPartialRange_isNil() {
    #expect(with("\"\\ud800\"") { JSONScanner.decodeString($1, in: $0) } == nil)
    #expect(with("\"abc") { JSONScanner.decodeString($1, in: $0) } == nil)
    #expect(with("\"a\"b\"") { JSONScanner.decodeString($1, in: $0) } == nil)
    #expect(with("123") { JSONScanner.decodeString($1, in: $0) } == nil)
    #expect(with("\"a\"") { p, _ in JSONScanner.decodeString(0..<10, in: p) } == nil)
}

@Test func decodedByteCount_matchesDecodedUTF8Length() {
    let samples = [
        "\"plain ascii text that is longer than eight bytes\"", "\"\"", "\"\\n\\t\\\"\"",
        "\"\\u0041\\u00e9\\u4e2d\\ud83d\\ude00\"", "\"caf\u{e9} \u{1F600} \u{4E2D}\u{6587}\"",
        "\"mixed \\\\ escapes and more text \\/ here\"",
    ]
    for s in samples {
        let count = with(s) { JSONScanner.decodedByteCount($1, in: $0) }
        let decoded = with(s) { JSONScanner.decodeString($1, in: $0) }
        #expect(count == decoded?.utf8.count, "\(s)")
    }
    #expect(with("123") { JSONScanner.decodedByteCount($1, in: $0) } == 0)
}

@Test func int_parsesIntegersInRange() {
    #expect(with("0") { JSONScanner.int($1, in: $0) } == 0)
    #expect(with("-0") { JSONScanner.int($1, in: $0) } == 0)
    #expect(with("4096") { JSONScanner.int($1, in: $0) } == 4096)
    #expect(with("-17") { JSONScanner.int($1, in: $0) } == -17)
    #expect(with("9223372036854775807") { JSONScanner.int($1, in: $0) } == Int.max)
    #expect(with("-9223372036854775808") { JSONScanner.int($1, in: $0) } == Int.min)
}

@Test func int_rejectsNonIntegersAndOverflow() {
    for s in ["9223372036854775808", "-9223372036854775809", "1.0", "1e3", "01", "", "-", "\"1\"", "true"] {
        #expect(with(s) { JSONScanner.int($1, in: $0) } == nil, "\(s)")
    }
}

@Test func stringEquals_comparesDecodedText() {
    #expect(with("\"message_start\"") { JSONScanner.string($1, in: $0, equals: "message_start") })
    #expect(with("\"message\\u005fstart\"") { JSONScanner.string($1, in: $0, equals: "message_start") })
    #expect(!with("\"message_stop\"") { JSONScanner.string($1, in: $0, equals: "message_start") })
    #expect(with("\"x\"") { JSONScanner.string($1, in: $0, equals: "x") })
}
