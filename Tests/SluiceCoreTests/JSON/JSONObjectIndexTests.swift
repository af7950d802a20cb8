import Testing
@testable import SluiceCore

fileprivate func lookup(_ doc: String, _ key: String) -> String? {
    let b = Array(doc.utf8)
    return b.withUnsafeBytes { p -> String? in
        guard case .success(let index) = JSONScanner.scanObject(p),
              let m = index.member(key, in: p) else { return nil }
        return String(decoding: b[m.valueRange], as: UTF8.self)
    }
}

@Test func member_plainKey_isFound() {
    #expect(lookup("{\"model\":\"gpt-4o\",\"stream\":true}", "model") == "\"gpt-4o\"")
    #expect(lookup("{\"model\":\"gpt-4o\",\"stream\":true}", "stream") == "true")
    #expect(lookup("{\"model\":\"gpt-4o\"}", "mode") == nil)
    #expect(lookup("{\"model\":\"gpt-4o\"}", "models") == nil)
    #expect(lookup("{}", "model") == nil)
}

@Test func member_escapedKey_isDecodedBeforeComparison() {
    #expect(lookup("{\"mod\\u0065l\":\"x\"}", "model") == "\"x\"")
    #expect(lookup("{\"a\\\"b\":1}", "a\"b") == "1")
    #expect(lookup("{\"\\ud83d\\ude00\":2}", "\u{1F600}") == "2")
    #expect(lookup("{\"caf\u{e9}\":3}", "caf\u{e9}") == "3")
}

@Test func member_duplicateKeys_lastOneWins() {
    #expect(lookup("{\"model\":\"a\",\"x\":1,\"model\":\"b\"}", "model") == "\"b\"")
    #expect(lookup("{\"model\":\"a\",\"mod\\u0065l\":\"b\"}", "model") == "\"b\"")
}

@Test func member_keyFlagsEscapes() throws {
    let b = Array("{\"a\\nb\":1,\"ab\":2}".utf8)
    let index = try b.withUnsafeBytes { try JSONScanner.scanObject($0).get() }
    #expect(index.members[0].keyHasEscapes)
    #expect(!index.members[1].keyHasEscapes)
}
