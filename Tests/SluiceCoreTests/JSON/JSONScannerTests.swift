import Testing
@testable import SluiceCore

fileprivate func validate(_ s: String, maxDepth: Int = 128) -> Result<(JSONKind, Range<Int>), JSONError> {
    Array(s.utf8).withUnsafeBytes { JSONScanner.validate($0, maxDepth: maxDepth) }
}

fileprivate func validateBytes(_ b: [UInt8]) -> Result<(JSONKind, Range<Int>), JSONError> {
    b.withUnsafeBytes { JSONScanner.validate($0) }
}

fileprivate func error(_ s: String) -> JSONError? {
    if case .failure(let e) = validate(s) { return e }
    return nil
}

fileprivate func isValid(_ s: String) -> Bool { error(s) == nil }

@Test(arguments: [
    "{}", "[]", "0", "-0", "1e5", "1.5E-3", "-12.75e+10", "1E400", "\"\"", "true", "false", "null",
    " \t\r\n{ \"a\" : [ 1 , 2 , { } , [ ] ] , \"b\" : null } \n",
    "{\"a\":{\"b\":{\"c\":[true,false,null,\"x\"]}}}",
    "\"\\u00e9\\ud83d\\ude00\\n\\t\\\"\\\\\\/\\b\\f\\r\"",
    "\"h\u{e9}llo \u{1F600} \u{4E2D}\"", "[0.0, -0.5, 10, 123456789012345678901234567890]",
])
func validate_validDocuments_areAccepted(_ doc: String) {
    #expect(isValid(doc), "\(doc)")
}

@Test(arguments: [
    ("", "empty input"), ("   ", "empty input"), ("[1,]", "trailing comma"),
    ("{\"a\":1,}", "trailing comma or missing key"), ("01", "leading zero in number"),
    ("-01", "leading zero in number"), ("[00]", "leading zero in number"), ("1.", "missing digits after '.'"),
    (".5", "unexpected character"), ("1e", "missing exponent digits"), ("1e+", "missing exponent digits"),
    ("-", "invalid number"), ("+1", "unexpected character"), ("\"\\x\"", "invalid escape"),
    ("\"\\u12g4\"", "invalid \\u escape"), ("\"\\ud800\"", "lone high surrogate"),
    ("\"\\udc00\"", "lone low surrogate"), ("\"\\ud800\\u0041\"", "lone high surrogate"),
    ("\"a\u{01}b\"", "control character in string"), ("\"tab\there\"", "control character in string"),
    ("{} x", "unexpected data after value"), ("{}{}", "unexpected data after value"), ("[1 2]", "expected ',' or ']'"),
    ("{\"a\" 1}", "expected ':'"), ("{1:2}", "expected string key"), ("\"abc", "unterminated string"),
    ("[1", "unexpected end of input"), ("tru", "invalid literal"), ("nul", "invalid literal"), ("True", "unexpected character"),
    ("// c\n{}", "unexpected character"), ("{\"a\":1 /* c */}", "expected ',' or '}'"), ("[,1]", "unexpected character"),
    ("'a'", "unexpected character"), ("]", "unexpected closing bracket"), ("NaN", "unexpected character"),
])
func validate_invalidDocuments_reportReason(_ doc: String, _ reason: String) {
    #expect(error(doc)?.reason == reason, "\(doc)")
}

@Test func validate_errorOffsets_pointAtTheProblem() {
    #expect(error("[1,]")?.offset == 3)
    #expect(error("{} x")?.offset == 3)
    #expect(error("\"ab\u{01}\"")?.offset == 3)
    #expect(error("  01")?.offset == 2)
}

@Test func validate_invalidUTF8_isRejected() {
    let cases: [[UInt8]] = [
        [0x22, 0xC3, 0x22],                   // truncated 2-byte
        [0x22, 0xC0, 0xAF, 0x22],             // overlong
        [0x22, 0xE0, 0x80, 0xAF, 0x22],       // overlong 3-byte
        [0x22, 0xED, 0xA0, 0x80, 0x22],       // UTF-8 encoded surrogate
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], // above U+10FFFF
        [0x22, 0xFF, 0x22], [0x22, 0x80, 0x22],
        [0x22, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0xFE, 0x22], // after a SWAR word
    ]
    for c in cases {
        guard case .failure(let e) = validateBytes(c) else {
            Issue.record("accepted \(c)")
            continue
        }
        #expect(e.reason == "invalid UTF-8")
    }
    #expect((try? validateBytes([0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22]).get()) != nil)
    #expect((try? validateBytes([0xEF, 0xBB, 0xBF, 0x7B, 0x7D]).get()) == nil) // BOM is not whitespace
}

@Test func validate_depthLimit_isEnforced() {
    let ok = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
    let deep = String(repeating: "[", count: 129) + String(repeating: "]", count: 129)
    #expect(isValid(ok))
    #expect(error(deep)?.reason == "nesting too deep")
    let objs = String(repeating: "{\"a\":", count: 10) + "1" + String(repeating: "}", count: 10)
    if case .failure(let e) = validate(objs, maxDepth: 9) { #expect(e.reason == "nesting too deep") } else {
        Issue.record("depth 10 accepted with max 9")
    }
    #expect((try? validate(objs, maxDepth: 10).get()) != nil)
}

@Test func validate_veryDeepNesting_beyondInlineStack_works() {
    let n = 1000
    let doc = String(repeating: "[{\"k\":", count: n) + "0" + String(repeating: "}]", count: n)
    #expect((try? validate(doc, maxDepth: 2 * n).get()) != nil)
    let bad = String(repeating: "[{\"k\":", count: n) + "0" + String(repeating: "]}", count: n)
    #expect((try? validate(bad, maxDepth: 2 * n).get()) == nil)
}

@Test func validate_returnsKindAndRootRange() throws {
    let (kind, range) = try validate("  [1, 2]  ").get()
    #expect(kind == .array)
    #expect(range == 2..<8)
    #expect(try validate("\"s\"").get().0 == .string)
    #expect(try validate("-3.5").get().0 == .number)
    #expect(try validate("false").get().0 == .bool)
    #expect(try validate("null").get().0 == .null)
}

@Test func scanObject_returnsTopLevelMembersWithRanges() throws {
    let s = "{ \"model\" : \"gpt-4\", \"n\":2, \"msgs\":[{\"a\":1}], \"o\":{}, \"t\":true, \"z\":null }"
    let bytes = Array(s.utf8)
    try bytes.withUnsafeBytes { p in
        let index = try JSONScanner.scanObject(p).get()
        #expect(index.members.count == 6)
        #expect(index.objectRange == 0..<bytes.count)
        #expect(index.members.map(\.kind) == [.string, .number, .array, .object, .bool, .null])
        let m = index.members[0]
        #expect(String(decoding: bytes[m.keyRange], as: UTF8.self) == "model")
        #expect(String(decoding: bytes[m.valueRange], as: UTF8.self) == "\"gpt-4\"")
        #expect(String(decoding: bytes[index.members[2].valueRange], as: UTF8.self) == "[{\"a\":1}]")
    }
}

@Test func scanObject_nonObjectRoot_isRejected() {
    for doc in ["[1]", "\"x\"", "1", "null"] {
        let r = Array(doc.utf8).withUnsafeBytes { JSONScanner.scanObject($0) }
        guard case .failure(let e) = r else {
            Issue.record("accepted \(doc)")
            continue
        }
        #expect(e.reason == "not an object")
    }
}

@Test func scanObject_invalidNestedValue_isRejected() {
    let r = Array("{\"a\":[1,2,],\"b\":1}".utf8).withUnsafeBytes { JSONScanner.scanObject($0) }
    guard case .failure(let e) = r else {
        Issue.record("accepted")
        return
    }
    #expect(e.reason == "trailing comma")
    #expect(e.offset == 10)
}

@Test func scanObject_emptyObject_hasNoMembers() throws {
    let index = try Array(" { } ".utf8).withUnsafeBytes { try JSONScanner.scanObject($0).get() }
    #expect(index.members.isEmpty)
    #expect(index.objectRange == 1..<4)
}

@Test func members_ofNestedObject_areListed() throws {
    let bytes = Array("{\"stream_options\":{\"include_usage\":true,\"x\":[1]}}".utf8)
    try bytes.withUnsafeBytes { p in
        let index = try JSONScanner.scanObject(p).get()
        let nested = JSONScanner.members(ofObjectAt: index.members[0].valueRange, in: p)
        #expect(nested.count == 2)
        #expect(nested[0].kind == .bool)
        #expect(nested[1].kind == .array)
        #expect(JSONScanner.members(ofObjectAt: 0..<3, in: p).isEmpty) // not a whole object
    }
}

@Test func elements_ofArray_areListed() throws {
    let bytes = Array("{\"a\":[ 1, \"two\", {\"x\":3}, [4], null ], \"e\":[ ]}".utf8)
    try bytes.withUnsafeBytes { p in
        let index = try JSONScanner.scanObject(p).get()
        let elements = JSONScanner.elements(ofArrayAt: index.members[0].valueRange, in: p)
        #expect(elements.map(\.kind) == [.number, .string, .object, .array, .null])
        #expect(String(decoding: bytes[elements[2].range], as: UTF8.self) == "{\"x\":3}")
        #expect(JSONScanner.elements(ofArrayAt: index.members[1].valueRange, in: p).isEmpty)
        #expect(JSONScanner.elements(ofArrayAt: index.members[0].valueRange.dropLast(), in: p).isEmpty)
    }
}

@Test func member_inNestedObject_byStaticKey() throws {
    let bytes = Array("{\"u\":{\"a\":1,\"b\":2,\"a\":3}}".utf8)
    try bytes.withUnsafeBytes { p in
        let index = try JSONScanner.scanObject(p).get()
        let m = JSONScanner.member("a", ofObjectAt: index.members[0].valueRange, in: p)
        #expect(m.flatMap { JSONScanner.int($0.valueRange, in: p) } == 3)
        #expect(JSONScanner.member("zz", ofObjectAt: index.members[0].valueRange, in: p) == nil)
    }
}

@Test func byteSearch_findsNeedles() {
    let hay = Array("data {\"id\":1,\"usage\":null}".utf8)
    hay.withUnsafeBytes { p in
        #expect(ByteSearch.contains(p, "\"usage\""))
        #expect(!ByteSearch.contains(p, "\"choices\""))
        #expect(ByteSearch.contains(p, "da"))
        #expect(ByteSearch.contains(p, "null}"))
    }
    Array("\"usag".utf8).withUnsafeBytes { #expect(!ByteSearch.contains($0, "\"usage\"")) }
}

@Test func validate_specialBytesAtEveryWordOffset_areSeen() {
    // The string fast path skips 8 bytes at a time: put each special byte at every offset around a word.
    for offset in 0..<20 {
        let pad = String(repeating: "a", count: offset)
        #expect(isValid("\"\(pad)\\n\(pad)\""))
        #expect(error("\"\(pad)\u{01}\(pad)\"")?.reason == "control character in string")
        #expect(error("[\"\(pad)\"\(pad)\"]") != nil)
        #expect(isValid("\"\(pad)\u{e9}\u{1F600}\(pad)\""))
        let truncated = Array("\"\(pad)".utf8) + [0xE2, 0x82] // cut 3-byte sequence at the end
        #expect((try? validateBytes(truncated).get()) == nil)
    }
}

@Test func validate_everyProperPrefixOfAnObject_isInvalid() {
    let doc = Array("{\"a\":[1,-2.5e3,\"x\\u00e9\",{\"b\":null}],\"c\":true}".utf8)
    #expect((try? validateBytes(doc).get()) != nil)
    for n in 0..<doc.count {
        #expect((try? validateBytes(Array(doc[0..<n])).get()) == nil, "prefix \(n)")
    }
}

@Test func validate_randomInputs_acceptedOnesRoundTrip() {
    // Deterministic xorshift fuzzing over a JSON-ish alphabet: nothing may crash, and whatever validates
    // must parse, re-serialise and validate again to the same value.
    let alphabet = Array("{}[]\",:0123456789-+.eEtrufalsn \\u/bdA\u{e9}".utf8) + [0x01, 0xFF]
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var accepted = 0
    for _ in 0..<4000 {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        let length = Int(state % 12) + 1
        var doc: [UInt8] = []
        for _ in 0..<length {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            doc.append(alphabet[Int(state % UInt64(alphabet.count))])
        }
        guard case .success = validateBytes(doc) else { continue }
        accepted += 1
        guard let v = try? JSONValue.parse(doc).get() else {
            Issue.record("validated but did not parse: \(doc)")
            continue
        }
        #expect((try? JSONValue.parse(v.serialized()).get()) == v)
        #expect((try? JSONValue.parse(v.canonicalBytes()).get()) != nil)
    }
    #expect(accepted > 0)
}
