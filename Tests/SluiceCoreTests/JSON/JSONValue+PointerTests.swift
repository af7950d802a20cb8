import Testing
@testable import SluiceCore

fileprivate func doc() -> JSONValue {
    (try? JSONValue.parse(Array("""
    {"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}],
     "a/b":1,"m~n":2,"":3,"meta":{"x":null}}
    """.utf8)).get()) ?? .null
}

@Test func pointer_get_followsObjectsAndArrays() {
    let v = doc()
    #expect(v.value(atPointer: "/messages/0/content") == .string("hi"))
    #expect(v.value(atPointer: "/messages/1/role") == .string("assistant"))
    #expect(v.value(atPointer: "") == v)
    #expect(v.value(atPointer: "/meta/x") == .null)
}

@Test func pointer_get_unescapesTokens() {
    let v = doc()
    #expect(v.value(atPointer: "/a~1b") == .number("1"))
    #expect(v.value(atPointer: "/m~0n") == .number("2"))
    #expect(v.value(atPointer: "/") == .number("3"))
}

@Test func pointer_get_missingOrInvalid_isNil() {
    let v = doc()
    for p in ["/messages/2", "/messages/-", "/messages/01", "/messages/x", "/nope", "messages", "/m~2n", "/a~",
              "/meta/x/y", "/messages/0/content/0"] {
        #expect(v.value(atPointer: p) == nil, "\(p)")
    }
}

@Test func pointer_set_replacesAndCreatesLastMember() {
    var v = doc()
    do { let ok = v.set(.string("sys"), atPointer: "/messages/0/role"); #expect(ok) }
    #expect(v.value(atPointer: "/messages/0/role") == .string("sys"))
    do { let ok = v.set(.number("0"), atPointer: "/temperature"); #expect(ok) }
    #expect(v["temperature"] == .number("0"))
    do { let ok = v.set(.bool(true), atPointer: "/meta/new~1key"); #expect(ok) }
    #expect(v.value(atPointer: "/meta/new~1key") == .bool(true))
}

@Test func pointer_set_appendsToArrays() {
    var v = doc()
    let msg = JSONValue.object([("role", .string("user")), ("content", .string("more"))])
    do { let ok = v.set(msg, atPointer: "/messages/-"); #expect(ok) }
    do { let ok = v.set(msg, atPointer: "/messages/3"); #expect(ok) }
    #expect(v.value(atPointer: "/messages/3/content") == .string("more"))
    do { let ok = v.set(msg, atPointer: "/messages/9"); #expect(!ok) }
}

@Test func pointer_set_unreachable_failsAndLeavesValueUnchanged() {
    var v = doc()
    let before = v
    do { let ok = v.set(.null, atPointer: "/missing/child"); #expect(!ok) }
    do { let ok = v.set(.null, atPointer: "/messages/0/content/x"); #expect(!ok) }
    do { let ok = v.set(.null, atPointer: "bad"); #expect(!ok) }
    #expect(v == before)
    do { let ok = v.set(.string("root"), atPointer: ""); #expect(ok) }
    #expect(v == .string("root"))
}

@Test func pointer_remove_deletesMembersAndElements() {
    var v = doc()
    do { let ok = v.remove(atPointer: "/messages/0"); #expect(ok) }
    #expect(v.value(atPointer: "/messages/0/content") == .string("yo"))
    do { let ok = v.remove(atPointer: "/a~1b"); #expect(ok) }
    #expect(v["a/b"] == nil)
    do { let ok = v.remove(atPointer: "/a~1b"); #expect(!ok) }
    do { let ok = v.remove(atPointer: "/messages/5"); #expect(!ok) }
    do { let ok = v.remove(atPointer: ""); #expect(!ok) }
    var dup = (try? JSONValue.parse(Array("{\"user\":1,\"x\":2,\"user\":3}".utf8)).get()) ?? .null
    do { let ok = dup.remove(atPointer: "/user"); #expect(ok) }
    #expect(dup == .object([("x", .number("2"))]))
}
