import Testing
@testable import SluiceCore

fileprivate func written(_ s: String) -> String {
    var out: [UInt8] = []
    JSONWriter.appendString(s, to: &out)
    return String(decoding: out, as: UTF8.self)
}

@Test func appendString_escapesMinimally() {
    #expect(written("plain") == "\"plain\"")
    #expect(written("a\"b\\c/d") == "\"a\\\"b\\\\c/d\"")
    #expect(written("\u{08}\u{0C}\n\r\t") == "\"\\b\\f\\n\\r\\t\"")
    #expect(written("\u{00}\u{1F}\u{7F}") == "\"\\u0000\\u001f\u{7F}\"")
    #expect(written("caf\u{e9} \u{1F600}") == "\"caf\u{e9} \u{1F600}\"")
}

@Test func appendString_outputParsesBackToSameString() {
    let s = "mix \"q\" \\ \n \u{01} \u{e9}\u{4E2D}\u{1F600}"
    var out: [UInt8] = []
    JSONWriter.appendString(s, to: &out)
    #expect((try? JSONValue.parse(out).get()) == .string(s))
}

@Test func appendStringBytes_repairsInvalidUTF8() {
    var out: [UInt8] = [0x5B]
    JSONWriter.appendString(bytes: [0x61, 0xFF, 0x62, 0xC3, 0xA9, 0xC3], to: &out)
    #expect(out == [0x5B, 0x22, 0x61, 0xEF, 0xBF, 0xBD, 0x62, 0xC3, 0xA9, 0xEF, 0xBF, 0xBD, 0x22])
}

@Test func appendStringBytes_acceptsNonContiguousCollections() {
    var out: [UInt8] = []
    JSONWriter.appendString(bytes: "a\"b".utf8.reversed(), to: &out)
    #expect(String(decoding: out, as: UTF8.self) == "\"b\\\"a\"")
}

/// Strings with quotes, backslashes, control characters and non-ASCII at every offset of the writer's
/// eight-byte steps come back unchanged through the parser, escaped minimally (no escape for plain
/// ASCII or non-ASCII text).
@Test func appendString_roundTripsAtEveryOffset() {
    var rng = FastRandom(seed: 9)
    let pieces = ["a", "plain ascii text", "\"", "\\", "\n", "\u{01}", "é", "😀", "\u{7F}", "/"]
    for _ in 0..<2000 {
        let s = (0..<Int(rng.next() % 12)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
        var out: [UInt8] = []
        JSONWriter.appendString(s, to: &out)
        guard case .success(.string(let back)) = JSONValue.parse(out) else {
            Issue.record("not a JSON string: \(String(decoding: out, as: UTF8.self))")
            continue
        }
        #expect(back == s)
        let escapes = s.utf8.filter { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }.count
        #expect(out.count <= s.utf8.count + 2 + 6 * escapes)
        #expect(out.filter { $0 == 0x5C }.count >= escapes)
    }
}
