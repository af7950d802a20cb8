import Testing
@testable import SluiceCore

private func rule(key: [RateLimitKeyPart] = [], match: RateLimitMatch? = nil, maxPart: Int = 256) -> LimitRule {
    let c = LimitTestConfig.make("r", key: key, limit: 10, match: match)
    return LimitRule(config: c, table: LimitBucketTable(config: c), maxKeyPartBytes: maxPart)
}

@Test func limitRule_withoutMatch_appliesToEveryRequest() {
    #expect(rule().matches(LimitSubject()))
    #expect(rule(match: RateLimitMatch()).matches(LimitSubject(model: "x")))
}

@Test func limitRule_matchModels_globs() {
    let r = rule(match: RateLimitMatch(models: ["llama-*", "gpt-4o"]))
    #expect(r.matches(LimitSubject(model: "llama-3.1-8b")))
    #expect(r.matches(LimitSubject(model: "gpt-4o")))
    #expect(!r.matches(LimitSubject(model: "gpt-4o-mini")))
    #expect(!r.matches(LimitSubject(model: "xllama-3")))
    #expect(!r.matches(LimitSubject()))
}

@Test func limitRule_matchQuestionMark_matchesOneByte() {
    let r = rule(match: RateLimitMatch(models: ["m?-*b"]))
    #expect(r.matches(LimitSubject(model: "m1-8b")))
    #expect(!r.matches(LimitSubject(model: "m-8b")))
    #expect(!r.matches(LimitSubject(model: "m12-8b")))
}

@Test func limitRule_matchStarBacktracks() {
    let r = rule(match: RateLimitMatch(models: ["*a*b*c"]))
    #expect(r.matches(LimitSubject(model: "xxaxxbxxbxc")))
    #expect(!r.matches(LimitSubject(model: "abcab")))
    #expect(rule(match: RateLimitMatch(models: ["*"])).matches(LimitSubject(model: "")))
}

@Test func limitRule_matchRoutesAndTenants_allListsMustMatch() {
    let r = rule(match: RateLimitMatch(models: ["*"], routes: ["llama"], tenants: ["team-*"]))
    #expect(r.matches(LimitSubject(tenant: "team-a", model: "m", route: "llama")))
    #expect(!r.matches(LimitSubject(tenant: "other", model: "m", route: "llama")))
    #expect(!r.matches(LimitSubject(tenant: "team-a", model: "m", route: "openai")))
    #expect(!r.matches(LimitSubject(tenant: "team-a", route: "llama")))
    #expect(!r.matches(LimitSubject(model: "m", route: "llama")))
}

@Test func limitRule_key_noParts_isShared() {
    #expect(rule().key(for: LimitSubject(tenant: "a")) == "*")
}

@Test func limitRule_key_eachPart() {
    let s = LimitSubject(tenant: "t", apiKeyName: "key-name", clientIP: "10.0.0.1", model: "m", route: "r",
                         headers: ["x-team": "blue"])
    #expect(rule(key: [.tenant]).key(for: s) == "t")
    #expect(rule(key: [.apiKey]).key(for: s) == "key-name")
    #expect(rule(key: [.clientIP]).key(for: s) == "10.0.0.1")
    #expect(rule(key: [.model]).key(for: s) == "m")
    #expect(rule(key: [.route]).key(for: s) == "r")
    #expect(rule(key: [.header("x-team")]).key(for: s) == "blue")
    #expect(rule(key: [.tenant, .model, .header("x-team")]).key(for: s) == "t|m|blue")
}

@Test func limitRule_key_missingPart_isDash() {
    let r = rule(key: [.tenant, .header("x-team"), .model])
    #expect(r.key(for: LimitSubject(model: "m")) == "-|-|m")
}

@Test func limitRule_key_escapesSeparator_soValuesCannotCollide() {
    let r = rule(key: [.tenant, .model])
    let a = r.key(for: LimitSubject(tenant: "a|b", model: "c"))
    let b = r.key(for: LimitSubject(tenant: "a", model: "b|c"))
    #expect(a == "a\\|b|c")
    #expect(b == "a|b\\|c")
    #expect(a != b)
    #expect(r.key(for: LimitSubject(tenant: "x\\", model: "y")) == "x\\\\|y")
}

@Test func limitRule_key_longValue_isCut() {
    let r = rule(key: [.header("x-user")], maxPart: 8)
    #expect(r.key(for: LimitSubject(headers: ["x-user": "0123456789abcdef"])) == "01234567")
}

@Test func limitRule_key_credentialHeader_isFingerprinted() {
    let r = rule(key: [.header("authorization")])
    let secret = "Bearer sk-live-very-secret"
    let k1 = r.key(for: LimitSubject(headers: ["authorization": secret]))
    let k2 = r.key(for: LimitSubject(headers: ["authorization": "Bearer other"]))
    #expect(!k1.contains("secret"))
    #expect(k1.hasPrefix("#") && k1.utf8.count == 17)
    #expect(k1 != k2)
    #expect(k1 == r.key(for: LimitSubject(headers: ["authorization": secret])))
}

@Test func limitRule_sameDefinition_ignoresShadowAndMaxKeys() {
    let a = LimitTestConfig.make("a", key: [.tenant], limit: 10)
    var b = a
    b.shadow = true
    b.maxKeys = 5
    b.location = ConfigLocation(line: 9, column: 9)
    #expect(LimitRule.sameDefinition(a, b))
    var c = a
    c.match = RateLimitMatch()
    #expect(LimitRule.sameDefinition(a, c))
}

@Test func limitRule_sameDefinition_detectsEachDefiningField() {
    let a = LimitTestConfig.make("a", key: [.tenant], limit: 10)
    var changes: [RateLimitConfig] = []
    var c = a; c.name = "b"; changes.append(c)
    c = a; c.key = [.model]; changes.append(c)
    c = a; c.unit = .requests; changes.append(c)
    c = a; c.count = .input; changes.append(c)
    c = a; c.limit = 11; changes.append(c)
    c = a; c.window = .seconds(1); changes.append(c)
    c = a; c.burst = 20; changes.append(c)
    c = a; c.match = RateLimitMatch(models: ["x"]); changes.append(c)
    c = a; c.scope = .global; changes.append(c)
    for changed in changes { #expect(!LimitRule.sameDefinition(a, changed)) }
}

@Test func limitRule_windowNanos_convertsAndSaturates() {
    #expect(LimitRule.windowNanos(.seconds(60)) == 60_000_000_000)
    #expect(LimitRule.windowNanos(.milliseconds(250)) == 250_000_000)
    #expect(LimitRule.windowNanos(.zero) == 1)
    #expect(LimitRule.windowNanos(.seconds(-5)) == 1)
    #expect(LimitRule.windowNanos(.seconds(Int64.max)) == UInt64.max)
}
