import Testing
@testable import SluiceCore

fileprivate func index(_ b: [UInt8]) -> JSONObjectIndex? {
    b.withUnsafeBytes { try? JSONScanner.scanObject($0).get() }
}

fileprivate func replacing(_ doc: String, _ key: String, _ value: String) -> String? {
    let b = Array(doc.utf8)
    guard let i = index(b) else { return nil }
    return String(decoding: JSONEdit.replacingMember(key, withValue: Array(value.utf8), in: b, index: i), as: UTF8.self)
}

fileprivate func removing(_ doc: String, _ key: String) -> String? {
    let b = Array(doc.utf8)
    guard let i = index(b) else { return nil }
    return String(decoding: JSONEdit.removingMember(key, in: b, index: i), as: UTF8.self)
}

fileprivate func isValid(_ s: String?) -> Bool { s.map { index(Array($0.utf8)) != nil } ?? false }

@Test func replacingMember_keepsEverythingElseByteIdentical() {
    let doc = "{ \"model\" :  \"gpt-4\" ,\n  \"messages\": [ {\"role\":\"user\"} ],\t\"x\":1 }  "
    let out = replacing(doc, "model", "\"gpt-4o-mini\"")
    #expect(out == "{ \"model\" :  \"gpt-4o-mini\" ,\n  \"messages\": [ {\"role\":\"user\"} ],\t\"x\":1 }  ")
    #expect(isValid(out))
}

@Test func replacingMember_missingKey_isAppended() {
    #expect(replacing("{\"a\":1}", "stream_options", "{\"include_usage\":true}")
            == "{\"a\":1,\"stream_options\":{\"include_usage\":true}}")
    #expect(replacing("{ }", "a", "1") == "{ \"a\":1}")
    #expect(replacing("{\"a\":1 }\n", "b\"q", "null") == "{\"a\":1,\"b\\\"q\":null }\n")
    #expect(isValid(replacing("{ }", "a", "1")))
}

@Test func replacingMember_duplicates_leaveOneMember() {
    let out = replacing("{\"model\":\"a\", \"x\":1, \"model\":\"b\"}", "model", "\"c\"")
    #expect(out == "{\"x\":1, \"model\":\"c\"}")
    #expect(isValid(out))
}

@Test func replacingMember_escapedKey_isMatched() {
    #expect(replacing("{\"mod\\u0065l\":\"a\"}", "model", "\"b\"") == "{\"mod\\u0065l\":\"b\"}")
}

@Test func removingMember_first_middle_last_only() {
    #expect(removing("{\"a\":1, \"b\":2, \"c\":3}", "a") == "{\"b\":2, \"c\":3}")
    #expect(removing("{\"a\":1, \"b\":2, \"c\":3}", "b") == "{\"a\":1, \"c\":3}")
    #expect(removing("{\"a\":1, \"b\":2, \"c\":3}", "c") == "{\"a\":1, \"b\":2}")
    #expect(removing("{ \"a\" : [1,2] }", "a") == "{  }")
    #expect(removing("{\"a\":1}", "zz") == "{\"a\":1}")
    for key in ["a", "b", "c", "zz"] { #expect(isValid(removing("{\"a\":1,\n\"b\":{\"c\":2},\n\"c\":3}", key))) }
}

@Test func removingMember_removesAllDuplicates() {
    let out = removing("{\"user\":\"u1\",\"model\":\"m\",\"user\":\"u2\"}", "user")
    #expect(out == "{\"model\":\"m\"}")
}

@Test func editing_appliesSeveralEditsInOnePass() throws {
    let b = Array("{\"model\":\"a\",\"user\":\"u\",\"stream\":true}".utf8)
    let i = try #require(index(b))
    let out = JSONEdit.editing(b, index: i, set: [(key: "model", value: Array("\"b\"".utf8)),
                                                  (key: "stream_options", value: Array("{\"include_usage\":true}".utf8))],
                               remove: ["user", "absent"])
    let s = String(decoding: out, as: UTF8.self)
    #expect(s == "{\"model\":\"b\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}")
    #expect(isValid(s))
}

@Test func editing_manyRandomRemovals_alwaysValid() {
    let doc = "{\"k0\":0 , \"k1\":[1] ,\"k2\":{\"x\":2},  \"k3\":\"s\",\"k4\":null}"
    let b = Array(doc.utf8)
    guard let i = index(b) else {
        Issue.record("scan failed")
        return
    }
    for mask in 0..<32 {
        let keys = (0..<5).filter { mask & (1 << $0) != 0 }.map { "k\($0)" }
        let out = JSONEdit.editing(b, index: i, set: [], remove: keys)
        let v = try? JSONValue.parse(out).get()
        #expect(v != nil, "mask \(mask): \(String(decoding: out, as: UTF8.self))")
        if case .object(let members)? = v { #expect(members.count == 5 - keys.count) }
    }
}
