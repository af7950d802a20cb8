import Testing
@testable import SluiceCore

private typealias K = GuardrailTestKit

@Suite struct GuardrailKeywordTests {
    private let engine = K.engine([K.detector(.keywords(words: ["project falcon", "secret", "Zürich", "机密"]), .log)])

    @Test(arguments: ["Tell me about Project Falcon.", "SECRET stuff", "the secret!", "(secret)", "PROJECT   FALCON",
                      "in zürich", "in ZÜRICH", "这是机密文件"])
    func keyword_caseInsensitiveWordBounded_matches(_ s: String) {
        #expect(K.matches(engine, s).count == 1)
    }

    @Test(arguments: ["secretary", "secrets", "topsecret", "project falconer", "my_secret", "zürichsee"])
    func keyword_insideWord_noMatch(_ s: String) {
        #expect(K.matches(engine, s).isEmpty)
    }

    @Test func keyword_findingFields() {
        let f = K.bytes("a Secret b").withUnsafeBytes { engine.scan($0) }
        #expect(f == [GuardrailFinding(detector: "keywords", kind: "KEYWORD", action: .log, range: 2..<8)])
    }

    @Test func keyword_atTextEdges_matches() {
        #expect(K.texts(engine, "secret", kind: "KEYWORD") == ["secret"])
        #expect(K.texts(engine, "secret secret", kind: "KEYWORD") == ["secret", "secret"])
    }

    @Test func keyword_twoDetectors_mostSevereActionWins() {
        let e = K.engine([K.detector(.keywords(words: ["alpha"]), .log), K.detector(.keywords(words: ["ALPHA", "beta"]), .block)])
        let f = K.bytes("alpha beta").withUnsafeBytes { e.scan($0) }
        #expect(f.map(\.action) == [.block, .block])
    }

    @Test func automaton_overlappingPatterns_allReportedThenResolved() {
        let e = K.engine([K.detector(.keywords(words: ["he", "she", "hers", "ushers"]), .log)])
        #expect(K.texts(e, "ushers", kind: "KEYWORD") == ["ushers"])
        #expect(K.texts(e, "she and hers", kind: "KEYWORD") == ["she", "hers"])
    }

    @Test func keyword_cyrillicWord_caseInsensitiveAndBounded() {
        let e = K.engine([K.detector(.keywords(words: ["секрет"]), .block)])
        #expect(K.matches(e, "Это СЕКРЕТ!").count == 1)
        #expect(K.matches(e, "секретарь").isEmpty)
    }

    @Test func keyword_homoglyphAndZeroWidthVariants_match() {
        #expect(K.matches(engine, "s\u{0435}cr\u{0435}t").count == 1)
        #expect(K.matches(engine, "sec\u{200B}ret").count == 1)
        #expect(K.matches(engine, "ｓｅｃｒｅｔ").count == 1)
    }
}
