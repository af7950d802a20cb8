import Testing
@testable import SluiceCore

private typealias K = GuardrailTestKit

@Suite struct GuardrailEngineTests {
    @Test func scan_emptyConfigOrText_noFindings() {
        #expect(K.matches(K.engine([]), "a@b.io 4111111111111111").isEmpty)
        #expect(K.matches(K.all, "").isEmpty)
    }

    @Test func scan_findingsSortedByStart() {
        let found = K.matches(K.all, "ip 8.8.8.8 mail a@b.io ssn 123-45-6789 key sk-abcdefghijklmnopqrstuvwxyz")
        #expect(found.map(\.kind) == ["IPV4", "EMAIL", "SSN", "API_KEY"])
    }

    @Test func regex_userPattern_categoryUppercased() {
        let e = K.engine([K.detector(.regex(pattern: "ORD-[0-9]{6}", category: "order_id"), .redact)])
        let f = K.bytes("é ORD-123456 and ORD-999999").withUnsafeBytes { e.scan($0) }
        #expect(f.map(\.kind) == ["ORDER_ID", "ORDER_ID"])
        #expect(f.map(\.detector) == ["regex", "regex"])
        #expect(f.first?.range == 3..<13)
    }

    @Test func regex_defaultCategory_andEmptyMatchesIgnored() {
        let e = K.engine([K.detector(.regex(pattern: "x*", category: nil), .log)])
        #expect(K.matches(e, "abxxc").map(\.kind) == ["REGEX"])
        #expect(K.texts(e, "abxxc", kind: "REGEX") == ["xx"])
    }

    @Test func regex_invalidPattern_throwsWithDetectorIndex() {
        var c = GuardrailConfig()
        c.detectors = [K.detector(.secrets), K.detector(.regex(pattern: "([a-z", category: nil))]
        #expect(throws: GuardrailCompileError.self) { try GuardrailEngine(c) }
        do {
            _ = try GuardrailEngine(c)
        } catch {
            #expect(error.detectorIndex == 1)
            #expect(error.description.contains("detectors[1]"))
        }
    }

    @Test func resolve_overlap_longerWins() {
        let a = GuardrailFinding(detector: "pii", kind: "A", action: .redact, range: 0..<5)
        let b = GuardrailFinding(detector: "pii", kind: "B", action: .redact, range: 2..<10)
        let c = GuardrailFinding(detector: "pii", kind: "C", action: .redact, range: 12..<14)
        #expect(GuardrailEngine.resolve([c, a, b]).map(\.kind) == ["B", "C"])
    }

    @Test func resolve_overlap_equalLengthEarlierWins() {
        let a = GuardrailFinding(detector: "pii", kind: "A", action: .log, range: 0..<5)
        let b = GuardrailFinding(detector: "pii", kind: "B", action: .log, range: 3..<8)
        #expect(GuardrailEngine.resolve([b, a]).map(\.kind) == ["A"])
    }

    @Test func resolve_overlap_severityBeatsLength() {
        let long = GuardrailFinding(detector: "pii", kind: "LONG", action: .log, range: 0..<20)
        let block = GuardrailFinding(detector: "keywords", kind: "KEYWORD", action: .block, range: 5..<8)
        #expect(GuardrailEngine.resolve([long, block]).map(\.kind) == ["KEYWORD"])
    }

    @Test func resolve_spanningSeveral_replacesOnlyIfBeatsAll() {
        let a = GuardrailFinding(detector: "x", kind: "A", action: .block, range: 0..<3)
        let b = GuardrailFinding(detector: "x", kind: "B", action: .log, range: 4..<6)
        let c = GuardrailFinding(detector: "x", kind: "C", action: .redact, range: 1..<10)
        #expect(GuardrailEngine.resolve([a, b, c]).map(\.kind) == ["A", "B"])
    }

    @Test func secretsAndPII_sameDetectorTwice_strongestAction() {
        let e = K.engine([K.detector(.pii(kinds: [.email]), .log), K.detector(.pii(kinds: [.email, .ssn]), .block)])
        #expect(K.bytes("a@b.io").withUnsafeBytes { e.scan($0) }.first?.action == .block)
    }

    @Test func scan_invalidUTF8_doesNotCrash() {
        let bytes: [UInt8] = [0xFF, 0x61, 0x40, 0x62, 0x2E, 0x69, 0x6F, 0xC3, 0x20, 0xE2, 0x82]
        let f = bytes.withUnsafeBytes { K.all.scan($0) }
        #expect(f.map(\.kind) == ["EMAIL"])
    }

    @Test func benchmark_scan1KBChatBody_printsNsPerByte() {
        var text = "Hello! I'm planning a trip to Lisbon next spring with my family and I'd like some help. "
        text += "We are two adults and two kids (8 and 11). Could you suggest a five-day itinerary that balances "
        text += "museums, food and some time at the beach? We prefer walking and public transport, and we'd like "
        text += "to avoid very touristy restaurants. Also, what's the best way to get from the airport to Baixa? "
        while text.utf8.count < 1000 { text += "Any tips on local customs, tipping and safety are welcome too. " }
        let body = K.bytes("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"\(text)\"}]}")
        let e = K.all
        let iterations = 10_000
        let clock = ContinuousClock()
        var sink = 0
        let elapsed = clock.measure {
            for _ in 0..<iterations {
                if case .pass = GuardrailBodyScanner.apply(e, body: body, phase: .request) { sink += 1 }
            }
        }
        let ns = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        let perByte = ns / Double(iterations * body.count)
        print("guardrail benchmark: \(body.count) B body x \(iterations): \(perByte) ns/byte, \(ns / Double(iterations)) ns/request")
        #expect(sink == iterations)
    }
}
