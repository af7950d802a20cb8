import Testing
@testable import SluiceCore

@Test func glob_star_matchesAnyRun() {
    #expect(Glob("llama-*").matches("llama-3.1-8b"))
    #expect(Glob("llama-*").matches("llama-"))
    #expect(!Glob("llama-*").matches("llam"))
    #expect(Glob("*").matches(""))
    #expect(Glob("*-mini").matches("gpt-4o-mini"))
    #expect(Glob("a*b*c").matches("axxbyyc"))
    #expect(!Glob("a*b*c").matches("axxbyy"))
}

@Test func glob_question_matchesOneByte() {
    #expect(Glob("gpt-?o").matches("gpt-4o"))
    #expect(!Glob("gpt-?o").matches("gpt-40o"))
}

@Test func glob_literal_isExact() {
    #expect(Glob("gpt-4o").isLiteral)
    #expect(Glob("gpt-4o").matches("gpt-4o"))
    #expect(!Glob("gpt-4o").matches("gpt-4o-mini"))
}

@Test func routeTable_firstMatchingRouteWins() {
    let t = RouteTable(routes: [["llama-3.1-8b", "llama-*"], ["*"]])
    #expect(t.route(for: "llama-3.1-8b") == 0)
    #expect(t.route(for: "llama-70b") == 0)
    #expect(t.route(for: "gpt-4o") == 1)
}

@Test func routeTable_earlierGlobBeatsLaterExactName() {
    let t = RouteTable(routes: [["gpt-*"], ["gpt-4o"]])
    #expect(t.route(for: "gpt-4o") == 0)
}

@Test func routeTable_unknownModel_isNil() {
    let t = RouteTable(routes: [["a"], ["b-*"]])
    #expect(t.route(for: "c") == nil)
    #expect(t.route(for: "") == nil)
}
