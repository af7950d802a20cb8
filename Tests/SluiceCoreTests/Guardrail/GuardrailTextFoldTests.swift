import Testing
@testable import SluiceCore

@Suite struct GuardrailTextFoldTests {
    private func folded(_ s: String) -> String {
        String(decoding: GuardrailSymbolWalker.foldPattern(s).bytes, as: UTF8.self)
    }

    @Test func ascii_lowercasedAndSeparatorsCollapsed() {
        #expect(folded("  Hello,   WORLD!! ") == "hello world")
        #expect(folded("a\t\n-b") == "a b")
    }

    @Test func ascii_tagPunctuationKept() {
        #expect(folded("<|im_start|>System") == "<|im_start|>system")
        #expect(folded("### System:") == "### system:")
        #expect(folded("[INST]") == "[inst]")
    }

    @Test func invisible_removed() {
        #expect(folded("a\u{200B}b\u{200D}c\u{FEFF}d\u{00AD}e\u{2060}f") == "abcdef")
    }

    @Test func lookAlikes_foldedBothCases() {
        #expect(folded("\u{0430}\u{0435}\u{043E}\u{0440}\u{0441}\u{0445}\u{0443}\u{0456}") == "aeopcxyi")
        #expect(folded("\u{0410}\u{0415}\u{041E}\u{0420}\u{0421}") == "aeopc")
        #expect(folded("\u{03BF}\u{03B1}\u{03B5}\u{03B9}\u{03BA}\u{03BD}\u{03C1}\u{03C4}") == "oaeikvpt")
    }

    @Test func russian_foldsSameInAnyCase() {
        #expect(folded("ИГНОРИРУЙ") == folded("игнорируй"))
        #expect(folded("Предыдущие") == folded("предыдущие"))
    }

    @Test func nfkc_fullwidthAndLigatures() {
        #expect(folded("ｉｇｎｏｒｅ") == "ignore")
        #expect(folded("ﬁle") == "file")
        #expect(folded("Ａ　Ｂ") == "a b")
    }

    @Test func nfkc_combiningSequenceComposed() {
        #expect(folded("pre\u{0301}ce\u{0301}dentes") == folded("précédentes"))
        #expect(folded("É") == "é")
    }

    @Test func wordFlags_reportedForBoundaries() {
        #expect(GuardrailSymbolWalker.foldPattern("hello").firstWord)
        #expect(!GuardrailSymbolWalker.foldPattern("[INST]").firstWord)
        #expect(!GuardrailSymbolWalker.foldPattern("忽略").lastWord)
        #expect(GuardrailSymbolWalker.foldPattern("привет").lastWord)
    }

    @Test func wordScalar_classes() {
        #expect(GuardrailTextFold.isWordScalar(0x0438))   // и
        #expect(!GuardrailTextFold.isWordScalar(0x2019))  // ’
        #expect(!GuardrailTextFold.isWordScalar(0x5FFD))  // 忽
        #expect(!GuardrailTextFold.isWordScalar(0x00A0))
    }
}
