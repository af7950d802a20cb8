import Testing
@testable import SluiceCore

/// Every rejected construct, with the exact position reported.
@Suite struct YAMLParserErrorTests {
    private func expectError(_ text: String, _ line: Int, _ column: Int, containing fragment: String,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        guard let e = ConfigTestSupport.yamlError(text) else {
            Issue.record("expected an error", sourceLocation: sourceLocation)
            return
        }
        #expect(e.line == line && e.column == column, "got \(e.line):\(e.column) \(e.message)", sourceLocation: sourceLocation)
        #expect(e.message.contains(fragment), "message: \(e.message)", sourceLocation: sourceLocation)
    }

    @Test func anchor_isRejected() { expectError("a: &x 1\n", 1, 4, containing: "anchors") }
    @Test func alias_isRejected() { expectError("a: 1\nb: *x\n", 2, 4, containing: "aliases") }
    @Test func tag_isRejected() { expectError("a: !!str 1\n", 1, 4, containing: "tags") }
    @Test func anchorInFlow_isRejected() { expectError("a: [1, &y 2]\n", 1, 8, containing: "anchors") }
    @Test func anchorOnSequenceItem_isRejected() { expectError("- &a x\n", 1, 3, containing: "anchors") }
    @Test func secondDocument_isRejected() { expectError("a: 1\n---\nb: 2\n", 2, 1, containing: "multiple documents") }
    @Test func documentEndMarker_isRejected() { expectError("a: 1\n...\n", 2, 1, containing: "'...'") }
    @Test func directive_isRejected() { expectError("%YAML 1.2\na: 1\n", 1, 1, containing: "directives") }
    @Test func tabIndentation_isRejected() { expectError("a:\n\tb: 1\n", 2, 1, containing: "tabs") }
    @Test func tabAfterSpaces_isRejected() { expectError("a:\n  \tb: 1\n", 2, 3, containing: "tabs") }

    @Test func duplicateKey_isRejectedAtSecondKey() {
        expectError("a: 1\nb: 2\na: 3\n", 3, 1, containing: "duplicate key 'a' (first defined on line 1)")
    }

    @Test func duplicateKeyInFlowMapping_isRejected() { expectError("m: {x: 1, x: 2}\n", 1, 11, containing: "duplicate key 'x'") }

    @Test func overIndentedKey_isRejected() { expectError("a: [1]\n  b: 2\n", 2, 3, containing: "bad indentation") }

    @Test func underIndentedKey_inNestedMapping_isRejected() {
        expectError("a:\n    b: 1\n  c: 2\n", 3, 3, containing: "bad indentation")
    }

    @Test func misalignedSequenceEntry_isRejected() {
        expectError("l:\n  - {a: 1}\n   - b\n", 3, 4, containing: "bad indentation")
    }

    @Test func sequenceEntryAmongKeys_isRejected() {
        expectError("a: 1\n- b\n", 2, 1, containing: "expected a mapping key")
    }

    @Test func unterminatedDoubleQuote_isRejectedAtOpeningQuote() {
        expectError("a: 1\nb: \"abc\nc: 2\n", 2, 4, containing: "unterminated double-quoted")
    }

    @Test func unterminatedSingleQuote_isRejected() { expectError("a: 'abc\n", 1, 4, containing: "unterminated single-quoted") }
    @Test func unterminatedFlowSequence_isRejected() { expectError("a: [1, 2\n", 1, 4, containing: "missing ']'") }
    @Test func unterminatedFlowMapping_isRejected() { expectError("x: 1\na: {k: v\n", 2, 4, containing: "missing '}'") }
    @Test func flowMissingComma_isRejected() { expectError("a: [1 2 3}\n", 1, 10, containing: "expected ',' or ']'") }
    @Test func invalidEscape_isRejected() { expectError("a: \"x\\q\"\n", 1, 6, containing: "invalid escape") }
    @Test func mappingValueInPlainScalar_isRejected() { expectError("a: b: c\n", 1, 4, containing: "nested mapping") }
    @Test func textAfterQuotedValue_isRejected() { expectError("a: \"x\" y\n", 1, 8, containing: "unexpected text") }
    @Test func textAfterFlow_isRejected() { expectError("a: [1] x\n", 1, 8, containing: "unexpected text") }
    @Test func listOnKeyLine_isRejected() { expectError("a: - 1\n", 1, 4, containing: "list cannot start") }
    @Test func complexKey_isRejected() { expectError("? a\n: b\n", 1, 1, containing: "complex mapping keys") }
    @Test func blockScalarInFlow_isRejected() { expectError("a: [|]\n", 1, 5, containing: "block scalars") }
    @Test func badBlockScalarHeader_isRejected() { expectError("a: |x\n  t\n", 1, 5, containing: "block scalar header") }

    @Test func continuationWithMapping_isRejected() {
        expectError("a: x\n  b: c\n", 2, 4, containing: "mapping values are not allowed")
    }

    @Test func deepNesting_isRejected() {
        let text = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let e = ConfigTestSupport.yamlError(text)
        #expect(e?.message.contains("nesting") == true)
    }
}

extension YAMLParserErrorTests {
    @Test func unquotedInterpolationInFlow_getsAHint() {
        expectError("a: {k: ${X}}\n", 1, 8, containing: "quote values that contain ${…}")
    }
}
