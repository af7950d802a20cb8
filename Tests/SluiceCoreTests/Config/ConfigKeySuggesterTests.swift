import Testing
@testable import SluiceCore

@Suite struct ConfigKeySuggesterTests {
    @Test func closeTypo_isSuggested() {
        #expect(ConfigKeySuggester.suggestion(for: "endpoint", among: ["name", "endpoints"]) == "endpoints")
        #expect(ConfigKeySuggester.suggestion(for: "load-balancing", among: ["load_balancing"]) == "load_balancing")
        #expect(ConfigKeySuggester.suggestion(for: "tiemout", among: ["timeout", "timeouts"]) == "timeout")
    }

    @Test func distantWord_isNotSuggested() {
        #expect(ConfigKeySuggester.suggestion(for: "banana", among: ["endpoints", "name"]) == nil)
        #expect(ConfigKeySuggester.hint(for: "zz", among: ["name"]) == "")
    }

    @Test func distance_countsTranspositionAsOne() {
        #expect(ConfigKeySuggester.distance(Array("ab".utf8), Array("ba".utf8)) == 1)
        #expect(ConfigKeySuggester.distance(Array("kitten".utf8), Array("sitting".utf8)) == 3)
    }
}
