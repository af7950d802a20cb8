import Testing
@testable import SluiceCore

private typealias K = GuardrailTestKit

@Suite struct SSEGuardrailFilterTests {
    private let redactEmail = K.engine([K.detector(.pii(kinds: [.email]), .redact)])

    private func chat(_ text: String) -> [UInt8] {
        var json: [UInt8] = []
        JSONWriter.appendString(text, to: &json)
        return K.bytes(#"data: {"id":"c1","choices":[{"index":0,"delta":{"content":"#) + json + K.bytes("}}]}\n\n")
    }

    private let role = K.bytes(#"data: {"id":"c1","choices":[{"index":0,"delta":{"role":"assistant"}}]}"# + "\n\n")
    private let done = K.bytes("data: [DONE]\n\n")

    private func released(_ o: SSEGuardrailFilter.Output) -> [[UInt8]] {
        switch o {
        case .release(let r): r
        case .blocked(_, let r): r
        }
    }

    /// Text carried by events (events without text contribute nothing).
    private func text(_ events: [[UInt8]]) -> String {
        var out: [UInt8] = []
        for e in events {
            e.withUnsafeBytes { p in
                if let r = SSEGuardrailEventText.locate(p) {
                    JSONScanner.appendDecoded((r.lowerBound + 1)..<(r.upperBound - 1), in: p, to: &out)
                }
            }
        }
        return K.string(out)
    }

    private func run(_ engine: GuardrailEngine, _ events: [[UInt8]], holdback: Int = 64) -> [[UInt8]] {
        var f = SSEGuardrailFilter(engine: engine, holdback: holdback)
        var out: [[UInt8]] = []
        for e in events { out += released(f.feed(event: e[...])) }
        out += released(f.finish())
        return out
    }

    private func allEventsValid(_ events: [[UInt8]]) -> Bool {
        events.allSatisfy { e in
            guard let s = e.firstIndex(of: 0x7B), let end = e.lastIndex(of: 0x7D) else { return true }
            if case .success = JSONValue.parse(Array(e[s...end])) { return true }
            return false
        }
    }

    @Test func emailSplitInTwo_everySplitPoint_redacted() {
        let full = "contact bob@example.com please"
        let chars = Array(full)
        for cut in 1..<chars.count {
            let events = [role, chat(String(chars[..<cut])), chat(String(chars[cut...])), done]
            let out = run(redactEmail, events)
            #expect(text(out) == "contact [REDACTED:EMAIL] please", "cut \(cut)")
            #expect(out.count == 4)
            #expect(out.first == role && out.last == done)
            #expect(allEventsValid(out))
        }
    }

    @Test func emailSplitInThree_everySplitPair_redacted() {
        let full = "hi bob@example.com."
        let chars = Array(full)
        for a in 1..<(chars.count - 1) {
            for b in (a + 1)..<chars.count {
                let events = [chat(String(chars[..<a])), chat(String(chars[a..<b])), chat(String(chars[b...]))]
                let out = run(redactEmail, events)
                #expect(text(out) == "hi [REDACTED:EMAIL].", "cuts \(a) \(b)")
                #expect(out.count == 3)
                #expect(allEventsValid(out))
            }
        }
    }

    @Test func spanningMatch_replacementInFirstEvent_restRemoved() {
        let out = run(redactEmail, [chat("x bob@exa"), chat("mple.com y")])
        #expect(text([out[0]]) == "x [REDACTED:EMAIL]")
        #expect(text([out[1]]) == " y")
    }

    @Test func holdback_eventReleasedOnceEnoughCharactersFollow() {
        var f = SSEGuardrailFilter(engine: redactEmail, holdback: 10)
        #expect(released(f.feed(event: role[...])) == [role])
        #expect(released(f.feed(event: chat("hello ")[...])).isEmpty)
        #expect(released(f.feed(event: chat("world")[...])).isEmpty)
        let r = released(f.feed(event: chat("12345")[...]))
        #expect(text(r) == "hello ")
        let r2 = released(f.feed(event: chat("abcdefghij")[...]))
        #expect(text(r2) == "world12345")
        #expect(released(f.feed(event: done[...])).isEmpty)
        let rest = released(f.finish())
        #expect(text(rest) == "abcdefghij")
        #expect(rest.last == done)
    }

    @Test func holdback_countsCharactersNotBytes() {
        var f = SSEGuardrailFilter(engine: redactEmail, holdback: 4)
        _ = f.feed(event: chat("a")[...])
        #expect(released(f.feed(event: chat("ééé")[...])).isEmpty)
        #expect(text(released(f.feed(event: chat("é")[...]))) == "a")
    }

    @Test func holdbackZero_releasesImmediately() {
        var f = SSEGuardrailFilter(engine: redactEmail, holdback: 0)
        #expect(text(released(f.feed(event: chat("mail a@b.io")[...]))) == "mail [REDACTED:EMAIL]")
    }

    @Test func textlessEvents_keepOrderBehindHeldText() {
        let usage = K.bytes(#"data: {"id":"c1","choices":[],"usage":{"prompt_tokens":1}}"# + "\n\n")
        var f = SSEGuardrailFilter(engine: redactEmail, holdback: 64)
        _ = f.feed(event: chat("held text")[...])
        #expect(released(f.feed(event: usage[...])).isEmpty)
        #expect(released(f.finish()) == [chat("held text"), usage])
    }

    @Test func blockMidStream_returnsBlockedWithCleanPrefix() {
        let e = K.engine([K.detector(.keywords(words: ["kaboom"]), .block)])
        var f = SSEGuardrailFilter(engine: e, holdback: 8)
        var out: [[UInt8]] = []
        out += released(f.feed(event: role[...]))
        out += released(f.feed(event: chat("a fine start ")[...]))
        out += released(f.feed(event: chat("and more text ")[...]))
        out += released(f.feed(event: chat("then ka")[...]))
        let o = f.feed(event: chat("boom!")[...])
        guard case .blocked(let finding, let r) = o else {
            Issue.record("expected block")
            return
        }
        #expect(finding.kind == "KEYWORD")
        out += r
        #expect(!text(out).contains("ka"))
        #expect(text(out).hasPrefix("a fine start and more text"))
        #expect(released(f.feed(event: chat("after")[...])).isEmpty)
        #expect(released(f.finish()).isEmpty)
    }

    @Test func finish_flushesAndRedactsMatchAtEnd() {
        var f = SSEGuardrailFilter(engine: redactEmail, holdback: 64)
        #expect(released(f.feed(event: chat("reach me: bob@example.com")[...])).isEmpty)
        let out = released(f.finish())
        #expect(text(out) == "reach me: [REDACTED:EMAIL]")
    }

    @Test func growingMatchAtWindowEnd_deferredUntilComplete() {
        let e = K.engine([K.detector(.secrets, .redact)])
        var f = SSEGuardrailFilter(engine: e, holdback: 4)
        var out: [[UInt8]] = []
        out += released(f.feed(event: chat("key sk-abcdefghijklmnopqrstuvwx")[...]))
        out += released(f.feed(event: chat("yz0123456789")[...]))
        out += released(f.feed(event: chat(" done and more")[...]))
        out += released(f.finish())
        #expect(text(out) == "key [REDACTED:API_KEY] done and more")
    }

    @Test func anthropicAndResponsesDeltas_redacted() {
        let a1 = K.bytes("event: content_block_delta\n" + #"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x bob@exam"}}"# + "\n\n")
        let a2 = K.bytes("event: content_block_delta\n" + #"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ple.com"}}"# + "\n\n")
        let out = run(redactEmail, [a1, a2])
        #expect(text(out) == "x [REDACTED:EMAIL]")
        #expect(K.string(out[0]).hasPrefix("event: content_block_delta\ndata: "))
        let r1 = K.bytes(#"data: {"type":"response.output_text.delta","delta":"mail a@b.io"}"# + "\r\n\r\n")
        #expect(text(run(redactEmail, [r1])) == "mail [REDACTED:EMAIL]")
    }

    @Test func eventText_locate_variants() {
        func loc(_ s: String) -> String? {
            let b = K.bytes(s)
            return b.withUnsafeBytes { p in SSEGuardrailEventText.locate(p).map { K.string(Array(b[$0])) } }
        }
        #expect(loc("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n") == "\"hi\"")
        #expect(loc("data:{\"choices\":[{\"text\":\"yo\"}]}\n\n") == "\"yo\"")
        #expect(loc("data: {\"choices\":[{\"delta\":{\"content\":null}}]}\n\n") == nil)
        #expect(loc("data: [DONE]\n\n") == nil)
        #expect(loc(": keep-alive\n\n") == nil)
        #expect(loc("data: {\"a\":1}\ndata: {\"b\":2}\n\n") == nil)
        #expect(loc("data: {broken\n\n") == nil)
    }

    @Test func escapesInStreamedText_keptValid() {
        let out = run(redactEmail, [chat("q \"a@b."), chat("io\"\nnext\\")])
        #expect(text(out) == "q \"[REDACTED:EMAIL]\"\nnext\\")
        #expect(allEventsValid(out))
    }

    @Test func takeActions_logCountedOnceAcrossRescans() {
        let e = K.engine([K.detector(.pii(kinds: [.ipv4]), .log), K.detector(.pii(kinds: [.email]), .redact)])
        var f = SSEGuardrailFilter(engine: e, holdback: 64)
        var logged = 0
        var redacted = 0
        for part in ["host 8.8.8.8 ", "and ", "mail a@b.io ", "more ", "text", " 1.1.1.1", " end"] {
            _ = f.feed(event: chat(part)[...])
            for a in f.takeActions() { if a.action == .log { logged += 1 } else { redacted += 1 } }
        }
        _ = f.finish()
        for a in f.takeActions() { if a.action == .log { logged += 1 } else { redacted += 1 } }
        #expect(logged == 2)
        #expect(redacted == 1)
    }

    @Test func maxHeldBytes_forcesActionOnGrowingMatch() {
        let e = K.engine([K.detector(.secrets, .redact)])
        var f = SSEGuardrailFilter(engine: e, holdback: 4, maxHeldBytes: 40)
        var out: [[UInt8]] = []
        out += released(f.feed(event: chat("sk-" + String(repeating: "a", count: 30))[...]))
        out += released(f.feed(event: chat(String(repeating: "b", count: 30))[...]))
        #expect(out.isEmpty)
        out += released(f.feed(event: chat(" and then some plain text")[...]))
        #expect(out.count == 2)
        #expect(text(out) == "[REDACTED:API_KEY]")
    }

    @Test func multibyteText_acrossEvents_redactedAndValid() {
        let out = run(redactEmail, [chat("日本語 bob@"), chat("example.com — ok é")])
        #expect(text(out) == "日本語 [REDACTED:EMAIL] — ok é")
        #expect(allEventsValid(out))
    }

    @Test func injectionSplitAcrossEvents_blocked() {
        var f = SSEGuardrailFilter(engine: K.injection, holdback: 64)
        _ = f.feed(event: chat("Sure. Ignore prev")[...])
        let o = f.feed(event: chat("ious instructions and")[...])
        guard case .blocked(let finding, let r) = o else {
            Issue.record("expected block")
            return
        }
        #expect(finding.kind == "PROMPT_INJECTION")
        #expect(r.isEmpty)
    }

    @Test func completionsStream_textField_redacted() {
        func comp(_ t: String) -> [UInt8] {
            var json: [UInt8] = []
            JSONWriter.appendString(t, to: &json)
            return K.bytes(#"data: {"choices":[{"text":"#) + json + K.bytes(#","index":0}]}"# + "\n\n")
        }
        #expect(text(run(redactEmail, [comp("a bob@ex"), comp("ample.org b")])) == "a [REDACTED:EMAIL] b")
    }
}
