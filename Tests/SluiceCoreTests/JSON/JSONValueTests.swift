import Testing
@testable import SluiceCore

fileprivate func parse(_ s: String) -> JSONValue? { try? JSONValue.parse(Array(s.utf8)).get() }
fileprivate func text(_ v: JSONValue) -> String { String(decoding: v.serialized(), as: UTF8.self) }

@Test func parse_buildsNestedValuesInOrder() throws {
    let v = try #require(parse(" {\"b\": [1, -2.5e3, \"x\\n\", true, null], \"a\": {\"c\": false}} "))
    #expect(v == .object([
        ("b", .array([.number("1"), .number("-2.5e3"), .string("x\n"), .bool(true), .null])),
        ("a", .object([("c", .bool(false))])),
    ]))
}

@Test func parse_scalarsAndEmptyContainers() {
    #expect(parse("\"\\ud83d\\ude00\"") == .string("\u{1F600}"))
    #expect(parse("[]") == .array([]))
    #expect(parse("{}") == .object([]))
    #expect(parse("[[],{}]") == .array([.array([]), .object([])]))
    #expect(parse("-0") == .number("-0"))
}

@Test func parse_invalid_returnsScannerError() {
    guard case .failure(let e) = JSONValue.parse(Array("{\"a\":01}".utf8)) else {
        Issue.record("accepted")
        return
    }
    #expect(e == JSONError(offset: 5, reason: "leading zero in number"))
    let deep = String(repeating: "[", count: 6) + String(repeating: "]", count: 6)
    let r = Array(deep.utf8).withUnsafeBytes { JSONValue.parse($0, maxDepth: 5) }
    #expect((try? r.get()) == nil)
}

@Test func serialized_isCompactAndRoundTrips() throws {
    let src = "{ \"b\" : [ 1 , 2.50 ] ,\n \"a\" : \"q\\\"\\u0001\u{e9}\" , \"n\": null }"
    let v = try #require(parse(src))
    #expect(text(v) == "{\"b\":[1,2.50],\"a\":\"q\\\"\\u0001\u{e9}\",\"n\":null}")
    #expect(parse(text(v)) == v)
}

@Test func serialized_invalidNumberLiteral_writesNull() {
    #expect(text(.array([.number("abc"), .number("1.0"), .number("")])) == "[null,1.0,null]")
}

@Test func equality_isOrderSensitiveAndLiteralBased() {
    #expect(JSONValue.object([("a", .null), ("b", .null)]) != .object([("b", .null), ("a", .null)]))
    #expect(JSONValue.number("1.0") != .number("1"))
    #expect(JSONValue.array([.bool(true)]) == .array([.bool(true)]))
    #expect(JSONValue.string("1") != .number("1"))
}

@Test func accessors_readTypedValues() throws {
    let v = try #require(parse("{\"s\":\"x\",\"i\":42,\"f\":1.5,\"b\":true,\"n\":null,\"s\":\"y\",\"a\":[7]}"))
    #expect(v["s"]?.stringValue == "y") // last duplicate wins
    #expect(v["i"]?.intValue == 42)
    #expect(v["f"]?.intValue == nil)
    #expect(v["f"]?.doubleValue == 1.5)
    #expect(v["b"]?.boolValue == true)
    #expect(v["n"]?.isNull == true)
    #expect(v["a"]?[0]?.intValue == 7)
    #expect(v["a"]?[1] == nil)
    #expect(v["missing"] == nil)
    #expect(v["i"]?.stringValue == nil)
    #expect(JSONValue.string("x")["k"] == nil)
}
