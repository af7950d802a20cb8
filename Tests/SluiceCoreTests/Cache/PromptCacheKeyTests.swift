import Testing
@testable import SluiceCore

private func key(_ body: String, route: String = "chat", model: String = "gpt-4o") -> CacheKey? {
    PromptCacheKey.make(route: route, upstreamModel: model, body: Array(body.utf8), digest: CacheTestSHA256())
}

private func material(_ body: String, route: String = "chat", model: String = "m") -> String? {
    PromptCacheKey.material(route: route, upstreamModel: model, body: Array(body.utf8))
        .map { String(decoding: $0, as: UTF8.self) }
}

@Test func key_reorderedMembers_equal() {
    #expect(key(#"{"model":"a","temperature":0,"messages":[]}"#) == key(#"{"messages":[],"temperature":0,"model":"a"}"#))
}

@Test func key_nestedReorder_equal() {
    #expect(key(#"{"messages":[{"role":"user","content":"hi"}]}"#) == key(#"{"messages":[{"content":"hi","role":"user"}]}"#))
}

@Test func key_whitespace_equal() {
    #expect(key("{\"a\":1,\"b\":[1,2]}") == key(" {\n  \"a\" : 1 ,\t\"b\" : [ 1 , 2 ] }\r\n"))
}

@Test func key_userRemoved_equal() {
    #expect(key(#"{"a":1,"user":"alice"}"#) == key(#"{"a":1}"#))
    #expect(key(#"{"user":"bob","a":1}"#) == key(#"{"a":1,"user":"alice"}"#))
}

@Test func key_nestedUser_kept() {
    #expect(key(#"{"meta":{"user":"a"}}"#) != key(#"{"meta":{"user":"b"}}"#))
}

@Test func key_numberForms_equal() {
    #expect(key(#"{"temperature":1.0}"#) == key(#"{"temperature":1}"#))
    #expect(key(#"{"max_tokens":1e2}"#) == key(#"{"max_tokens":100}"#))
    #expect(key(#"{"t":0.50}"#) == key(#"{"t":5e-1}"#))
    #expect(key(#"{"t":-0}"#) == key(#"{"t":0.0}"#))
    #expect(key(#"{"t":1}"#) != key(#"{"t":2}"#))
}

@Test func key_stringEscapes_decodedEqual() {
    #expect(key(#"{"c":"caf\u00e9 \/ A"}"#) == key(#"{"c":"café / \u0041"}"#))
}

@Test func key_stream_differs() {
    #expect(key(#"{"a":1,"stream":true}"#) != key(#"{"a":1,"stream":false}"#))
    #expect(key(#"{"a":1,"stream":false}"#) != key(#"{"a":1}"#))
}

@Test func key_routeOrModel_differs() {
    let body = #"{"a":1}"#
    #expect(key(body, route: "r1") != key(body, route: "r2"))
    #expect(key(body, model: "m1") != key(body, model: "m2"))
    // Framing: moving a character between route and model must not collide.
    #expect(key(body, route: "ab", model: "c") != key(body, route: "a", model: "bc"))
}

@Test func key_notObject_nil() {
    #expect(key("[1,2]") == nil)
    #expect(key("\"s\"") == nil)
    #expect(key("{\"a\":") == nil)
    #expect(key("") == nil)
    #expect(key("{} x") == nil)
}

@Test func key_sha256_is32BytesHex64() {
    let k = key(#"{"a":1}"#)
    #expect(k?.bytes.count == 32)
    #expect(k?.hex.utf8.count == 64)
}

@Test func material_layout_versionRouteModelCanonicalBody() {
    #expect(material(#"{ "b" : 1.0, "a" : "x", "user":"u" }"#)
        == #"["sluice.prompt_cache.v1","chat","m",{"a":"x","b":1}]"#)
}

@Test func make_fromValue_matchesBytes() {
    let body = #"{"z":[1,{"y":2,"x":3}],"a":null}"#
    guard case .success(let v) = JSONValue.parse(Array(body.utf8)) else {
        Issue.record("parse failed")
        return
    }
    #expect(PromptCacheKey.make(route: "chat", upstreamModel: "gpt-4o", value: v, digest: CacheTestSHA256()) == key(body))
}
