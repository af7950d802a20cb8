import Testing
@testable import SluiceCore

/// The affinity key of `prefix_affinity` (`PromptPrefix`, `PrefixHasher`).
@Suite struct PromptPrefixTests {
    static func hash(_ body: String, maxBytes: Int = PromptPrefix.maxBytes) -> UInt64? {
        Array(body.utf8).withUnsafeBytes { raw in
            guard case .success(let i) = JSONScanner.scanObject(raw) else { return nil }
            return PromptPrefix.hash(body: raw, index: i, maxBytes: maxBytes)
        }
    }

    static func chat(system: String, user: String, extra: String = "") -> String {
        #"{"model":"m",\#(extra)"messages":[{"role":"system","content":"\#(system)"},{"role":"user","content":"\#(user)"}]}"#
    }

    @Test func sharedPrefixLongerThanTheLimit_hashesAlike_whatever_follows() {
        let system = String(repeating: "You are a helpful assistant. ", count: 80)   // 2320 bytes
        let a = Self.hash(Self.chat(system: system, user: "first question"))
        let b = Self.hash(Self.chat(system: system, user: "another one", extra: #""temperature":0.5,"#))
        #expect(a != nil && a == b)
    }

    @Test func distinctPrefixes_hashApart() {
        let hashes = (0..<50).compactMap { Self.hash(Self.chat(system: "tenant \($0) rules", user: "hi")) }
        #expect(Set(hashes).count == 50)
    }

    @Test func onlyPromptTextCounts_notModelOrRoles() {
        let a = Self.hash(#"{"model":"a","messages":[{"role":"user","content":"hello"}]}"#)
        let b = Self.hash(#"{"model":"b","user":"x","messages":[{"role":"system","content":"hello"}]}"#)
        #expect(a == b)
    }

    @Test func textParts_hashLikeTheSameStringContent() {
        let parts = Self.hash(#"{"messages":[{"role":"user","content":[{"type":"text","text":"hel"},{"type":"image_url","image_url":{"url":"u"}},{"type":"text","text":"lo"}]}]}"#)
        let plain = Self.hash(#"{"messages":[{"role":"user","content":"hello"}]}"#)
        #expect(parts == plain)
    }

    @Test func otherAPIs_promptInputAndSystem_areRead() {
        #expect(Self.hash(#"{"prompt":"abc"}"#) == Self.hash(#"{"input":"abc"}"#))
        #expect(Self.hash(#"{"system":"ab","messages":[{"role":"user","content":"c"}]}"#) == Self.hash(#"{"prompt":"abc"}"#))
        #expect(Self.hash(#"{"prompt":"abc"}"#) != Self.hash(#"{"prompt":"abd"}"#))
    }

    @Test func limit_cutsTheText() {
        #expect(Self.hash(#"{"prompt":"abcdef"}"#, maxBytes: 3) == Self.hash(#"{"prompt":"abcxyz"}"#, maxBytes: 3))
        #expect(Self.hash(#"{"prompt":"abcdef"}"#, maxBytes: 4) != Self.hash(#"{"prompt":"abcxyz"}"#, maxBytes: 4))
    }

    @Test func hasher_ignoresHowTheBytesAreSplit() {
        let text = Array("The quick brown fox jumps over the lazy dog, twice over.".utf8)
        var whole = PrefixHasher(limit: 1000)
        text.withUnsafeBytes { whole.feed($0) }
        for cut in [1, 3, 7, 8, 9, 20] {
            var pieces = PrefixHasher(limit: 1000)
            text.withUnsafeBytes { raw in
                var i = 0
                while i < raw.count {
                    let j = min(i + cut, raw.count)
                    pieces.feed(UnsafeRawBufferPointer(rebasing: raw[i..<j]))
                    i = j
                }
            }
            #expect(pieces.finish() == whole.finish())
        }
        var shorter = PrefixHasher(limit: 1000)
        text.dropLast().withUnsafeBytes { shorter.feed($0) }
        #expect(shorter.finish() != whole.finish())
    }
}
