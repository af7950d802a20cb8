import Testing
@testable import SluiceCore

private func cacheable(_ api: CachePolicy.API, _ body: String, deterministicOnly: Bool = true) -> Bool {
    guard case .success(let v) = JSONValue.parse(Array(body.utf8)) else { return false }
    let fromValue = CachePolicy.isCacheable(api: api, body: v, deterministicOnly: deterministicOnly)
    let bytes = Array(body.utf8)
    let fromIndex = bytes.withUnsafeBytes { raw -> Bool in
        guard case .success(let idx) = JSONScanner.scanObject(raw) else { return !fromValue }
        return CachePolicy.isCacheable(api: api, index: idx, in: raw, deterministicOnly: deterministicOnly)
    }
    #expect(fromValue == fromIndex, "value and index paths disagree for \(body)")
    return fromValue
}

@Test func policy_temperatureZero_cacheable() {
    #expect(cacheable(.chat, #"{"temperature":0}"#))
    #expect(cacheable(.chat, #"{"temperature":0.0}"#))
    #expect(cacheable(.completions, #"{"temperature":-0}"#))
    #expect(cacheable(.chat, #"{"temperature":0e10}"#))
    #expect(cacheable(.responses, #"{"temperature":0}"#))
    #expect(cacheable(.messages, #"{"temperature":0.000}"#))
}

@Test func policy_temperatureAbsentOrNonZero_notCacheable() {
    #expect(!cacheable(.chat, #"{"model":"x"}"#))
    #expect(!cacheable(.chat, #"{"temperature":0.7}"#))
    #expect(!cacheable(.completions, #"{"temperature":1}"#))
    #expect(!cacheable(.chat, #"{"temperature":0.0001}"#))
    #expect(!cacheable(.messages, #"{"max_tokens":5}"#))
    #expect(!cacheable(.responses, #"{"temperature":0.2}"#))
}

@Test func policy_temperatureWrongType_notCacheable() {
    #expect(!cacheable(.chat, #"{"temperature":"0"}"#))
    #expect(!cacheable(.chat, #"{"temperature":null}"#))
    #expect(!cacheable(.chat, #"{"temperature":false}"#))
    #expect(!cacheable(.chat, #"{"temperature":[0]}"#))
}

@Test func policy_duplicateTemperature_lastWins() {
    #expect(cacheable(.chat, #"{"temperature":0.9,"temperature":0}"#))
    #expect(!cacheable(.chat, #"{"temperature":0,"temperature":0.9}"#))
}

@Test func policy_embeddings_alwaysCacheable() {
    #expect(cacheable(.embeddings, #"{"input":"x"}"#))
    #expect(cacheable(.embeddings, #"{"input":"x","temperature":0.9}"#))
}

@Test func policy_deterministicOnlyFalse_everythingCacheable() {
    #expect(cacheable(.chat, #"{"temperature":0.7}"#, deterministicOnly: false))
    #expect(cacheable(.completions, #"{}"#, deterministicOnly: false))
    #expect(cacheable(.messages, #"{"temperature":1}"#, deterministicOnly: false))
}

@Test func directives_absentOrEmpty_none() {
    #expect(CachePolicy.directives(nil) == (false, false))
    #expect(CachePolicy.directives("") == (false, false))
    #expect(CachePolicy.directives(" , ,") == (false, false))
}

@Test func directives_single_recognised() {
    #expect(CachePolicy.directives("no-cache") == (true, false))
    #expect(CachePolicy.directives("no-store") == (false, true))
}

@Test func directives_listCaseAndSpaces_recognised() {
    #expect(CachePolicy.directives("max-age=0, No-Store ,\tNO-CACHE") == (true, true))
    #expect(CachePolicy.directives("no-cache=\"set-cookie\"") == (true, false))
    #expect(CachePolicy.directives("private,no-store") == (false, true))
}

@Test func directives_nearMisses_ignored() {
    #expect(CachePolicy.directives("no-cached, xno-store, no cache") == (false, false))
    #expect(CachePolicy.directives("no-stor") == (false, false))
}

@Test func directives_bytesSlice_sameAsString() {
    let raw = Array("x: no-store, no-cache".utf8)
    #expect(CachePolicy.directives(bytes: raw[3...]) == (true, true))
}

@Test func api_rawValues_parse() {
    #expect(CachePolicy.API(rawValue: "chat") == .chat)
    #expect(CachePolicy.API(rawValue: "embeddings") == .embeddings)
    #expect(CachePolicy.API(rawValue: "messages") == .messages)
    #expect(CachePolicy.API(rawValue: "chat/completions") == nil)
}
