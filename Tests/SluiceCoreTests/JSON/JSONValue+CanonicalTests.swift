import Testing
@testable import SluiceCore

fileprivate func canonical(_ s: String) -> String? {
    guard let v = try? JSONValue.parse(Array(s.utf8)).get() else { return nil }
    return String(decoding: v.canonicalBytes(), as: UTF8.self)
}

@Test func canonical_sortsKeysRecursively() {
    #expect(canonical("{\"b\":1,\"a\":{\"d\":2,\"c\":3},\"A\":[{\"z\":0,\"y\":1}]}")
            == "{\"A\":[{\"y\":1,\"z\":0}],\"a\":{\"c\":3,\"d\":2},\"b\":1}")
}

@Test func canonical_sortsByUTF16CodeUnits() {
    // U+1F600 (surrogates D83D..) sorts before U+FB01 in UTF-16 although its scalar value is larger.
    #expect(canonical("{\"\u{FB01}\":1,\"\u{1F600}\":2,\"\u{e9}\":3,\"z\":4}")
            == "{\"z\":4,\"\u{e9}\":3,\"\u{1F600}\":2,\"\u{FB01}\":1}")
}

@Test(arguments: [
    ("1.0", "1"), ("1e2", "100"), ("1E+2", "100"), ("-0", "0"), ("0.0", "0"), ("-0.0e5", "0"), ("100", "100"),
    ("12.50", "12.5"), ("0.5", "0.5"), ("1.5E-3", "0.0015"), ("-12.75e1", "-127.5"), ("2.50e1", "25"),
    ("1e-7", "1e-7"), ("1e-6", "0.000001"), ("123e-2", "1.23"), ("0.1", "0.1"), ("0.10000000000000000001", "0.1"),
    ("12345678901234567890", "12345678901234567890"), ("1e21", "1e+21"), ("-1e-400", "-1e-400"), ("1000000000000000000000.5", "1e+21"), ("100000000000000000000", "100000000000000000000"),
    ("1.5e300", "1.5e+300"), ("1e100", "1e+100"), ("3.14159e-20", "3.14159e-20"), ("1e400", "1e+400"),
    ("5e-324", "5e-324"), ("1e-400", "1e-400"), ("0.3333333333333333333", "0.3333333333333333"),
])
func canonical_normalisesNumbers(_ literal: String, _ expected: String) {
    #expect(canonical(literal) == expected, "\(literal)")
}

@Test func canonical_stringsMinimallyEscaped() {
    #expect(canonical("\"\\u0041\\/\\u00e9\\u001f\\u007f\\n\\\"\"") == "\"A/\u{e9}\\u001f\u{7f}\\n\\\"\"")
}

@Test func canonical_sameForReorderedAndReformattedInputs() {
    let a = canonical("{\"model\":\"m\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
    let b = canonical("""
    {
      "messages" : [ { "content" : "h\\u0069", "role" : "user" } ],
      "temperature" : 0.0,
      "model" : "m"
    }
    """)
    #expect(a != nil)
    #expect(a == b)
    #expect(a != canonical("{\"model\":\"m\",\"temperature\":0.5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
}

@Test func canonical_keepsDuplicateKeysStable() {
    #expect(canonical("{\"b\":1,\"a\":2,\"b\":3}") == "{\"a\":2,\"b\":1,\"b\":3}")
}
