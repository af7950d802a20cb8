import Testing
@testable import SluiceCore

/// Which string tokens the text-field walk reports (one walk over each text member, entering nested
/// values where they stand).
@Suite("Guardrail text fields")
struct GuardrailTextFieldsTests {
    /// The raw string tokens (quotes included) collected from `text`, in order.
    static func fields(_ text: String, _ phase: GuardrailBodyScanner.Phase = .request, maxDepth: Int = 6) -> [String] {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { raw -> [String] in
            guard case .success(let index) = JSONScanner.scanObject(raw) else { return ["<invalid>"] }
            var out: [Range<Int>] = []
            var walker = GuardrailTextFields(bytes: raw, phase: phase)
            walker.maxDepth = maxDepth
            walker.collect(index, into: &out)
            return out.map { String(decoding: UnsafeRawBufferPointer(rebasing: raw[$0]), as: UTF8.self) }
        }
    }

    @Test func request_messagesPartsAndTopLevelFields_inDocumentOrder() {
        let body = #"""
        {"model":"m","system":"sys","messages":[{"role":"user","content":"hi \"there\" [x]"},
         {"role":"user","content":[{"type":"text","text":"part one"},{"type":"image_url","image_url":{"url":"u"}},
         {"type":"text","text":"two \u00e9"}]}],"prompt":["p1",["p2"]],"input":[{"content":"i1"}],"instructions":"ins",
         "user":"not text","temperature":0}
        """#
        #expect(Self.fields(body) == [
            #""sys""#, #""hi \"there\" [x]""#, #""part one""#, #""two \u00e9""#, #""p1""#, #""p2""#, #""i1""#, #""ins""#,
        ])
    }

    @Test func request_onlyTextAndContentCount_insideObjects() {
        let body = #"{"messages":[{"role":"tool","name":"n","text":{"nested":"no"},"content":{"text":"no"},"x":["no"]},{"text":"yes"}]}"#
        #expect(Self.fields(body) == [#""yes""#])
    }

    @Test func response_choicesMessageDeltaContentOutput() {
        let body = #"""
        {"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"c1"},"delta":{"content":"d1"},"text":"t1"}],
         "content":[{"type":"text","text":"a1"}],"output":[{"content":[{"type":"output_text","text":"o1"}]}],
         "output_text":"ot","usage":{"prompt_tokens":1}}
        """#
        #expect(Self.fields(body, .response) == [#""c1""#, #""d1""#, #""t1""#, #""a1""#, #""o1""#, #""ot""#])
        #expect(Self.fields(body, .request).isEmpty)
    }

    @Test func depthLimit_stopsNestedArrays() {
        let body = #"{"prompt":[["a",[["b"]]],"c"]}"#
        #expect(Self.fields(body, maxDepth: 6) == [#""a""#, #""b""#, #""c""#])
        #expect(Self.fields(body, maxDepth: 2) == [#""a""#, #""c""#])
        #expect(Self.fields(body, maxDepth: 0) == [])
        #expect(Self.fields(#"{"prompt":"top string counts at any depth"}"#, maxDepth: 0) == [#""top string counts at any depth""#])
    }

    @Test func skippedValues_withBracketsAndEscapesInStrings_doNotDerailTheWalk() {
        let body = #"{"messages":[{"meta":{"a":"}]\\","b":[1,"\"]}"]},"content":"after"},{"content":"next"}]}"#
        #expect(Self.fields(body) == [#""after""#, #""next""#])
    }

    @Test func longAndNonASCIIStrings_areReportedWhole() {
        let long = String(repeating: "wörds and more words 😀 ", count: 50)
        let body = #"{"messages":[{"role":"user","content":""# + long + #""}]}"#
        #expect(Self.fields(body) == ["\"" + long + "\""])
    }

    @Test func staleIndex_overOtherBytes_neverReadsOutside() {
        // An index from one body applied to another must not crash or report ranges past the buffer.
        // (Keys stay inside the shorter body: only the walk over values is under test.)
        let a = Array(#"{"messages":[{"content":"a long enough message body"}]}"#.utf8)
        let b = Array(#"{"messages":[{"content":"#.utf8)
        let index = a.withUnsafeBytes { try? JSONScanner.scanObject($0).get() }
        guard let index else { Issue.record("scan"); return }
        b.withUnsafeBytes { raw in
            var out: [Range<Int>] = []
            GuardrailTextFields(bytes: raw, phase: .request).collect(index, into: &out)
            #expect(out.allSatisfy { $0.upperBound <= raw.count })
        }
    }
}
