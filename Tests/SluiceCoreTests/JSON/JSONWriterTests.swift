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
