import Testing
@testable import SluiceCore

private typealias K = GuardrailTestKit

@Suite struct GuardrailNumberMatchTests {
    // Credit cards
    @Test(arguments: ["4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "5555555555554444",
                      "378282246310005", "3782 822463 10005", "6011111111111117", "3530111333300000",
                      "2223003122003222", "4222222222222"])
    func creditCard_validLuhn_matches(_ card: String) {
        #expect(K.texts(K.pii, "pay with \(card) please", kind: "CREDIT_CARD") == [card])
    }

    @Test(arguments: ["4111111111111112", "4111 1111 1111 1112", "5555555555554445", "123456789012",
                      "9111111111111111", "41111111111111111111", "4111-1111-1111-1111-1111", "4111 1111-1111 1111"])
    func creditCard_nearMiss_noMatch(_ s: String) {
        #expect(K.texts(K.pii, "number \(s) here", kind: "CREDIT_CARD").isEmpty)
    }

    @Test func creditCard_insideWord_noMatch() {
        #expect(K.texts(K.pii, "id x4111111111111111 and 4111111111111111y", kind: "CREDIT_CARD").isEmpty)
    }

    @Test func creditCard_spacedFollowedByExpiry_matchesCardOnly() {
        #expect(K.texts(K.pii, "card 4111 1111 1111 1111 12/26", kind: "CREDIT_CARD") == ["4111 1111 1111 1111"])
    }

    // SSN
    @Test(arguments: ["123-45-6789", "078-05-1120", "899-99-9999", "001-01-0001"])
    func ssn_valid_matches(_ s: String) {
        #expect(K.texts(K.pii, "SSN: \(s).", kind: "SSN") == [s])
    }

    @Test(arguments: ["000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456", "123-00-4567", "123-45-0000",
                      "123456789", "1234-56-7890", "123-45-67890", "123-45-6789-1"])
    func ssn_invalidParts_noMatch(_ s: String) {
        #expect(K.texts(K.pii, "SSN \(s) end", kind: "SSN").isEmpty)
    }

    // Phones
    @Test(arguments: ["(555) 123-4567", "(555)123-4567", "555-123-4567", "555.123.4567", "1-555-123-4567",
                      "+1 555 123 4567", "+1 (555) 123-4567", "+44 20 7946 0958", "+33 1 23 45 67 89",
                      "+49-30-1234567", "+14155552671"])
    func phone_structured_matches(_ s: String) {
        #expect(K.texts(K.pii, "call \(s) now", kind: "PHONE") == [s])
    }

    @Test(arguments: ["order 5551234567", "year 2024", "2024-01-15", "+123", "+1 555", "ref 12345678",
                      "555-1234", "+1234567890123456", "x555-123-4567"])
    func phone_unstructured_noMatch(_ s: String) {
        #expect(K.texts(K.pii, s, kind: "PHONE").isEmpty)
    }

    // IPv4
    @Test(arguments: ["192.168.1.1", "10.0.0.255", "0.0.0.0", "255.255.255.255", "8.8.8.8"])
    func ipv4_valid_matches(_ s: String) {
        #expect(K.texts(K.pii, "host \(s), ok", kind: "IPV4") == [s])
    }

    @Test(arguments: ["256.1.1.1", "1.2.3.4.5", "1.2.3", "192.168.01.1", "1.2.3.256", "v1.2.3.4", "a1.2.3.4"])
    func ipv4_nearMiss_noMatch(_ s: String) {
        let found = K.texts(K.pii, "see \(s)x", kind: "IPV4") + K.texts(K.pii, "see \(s)", kind: "IPV4")
        #expect(found.isEmpty)
    }

    @Test func ipv4_sentenceEndDot_matches() {
        #expect(K.texts(K.pii, "server is 1.2.3.4.", kind: "IPV4") == ["1.2.3.4"])
    }

    @Test func ipv4_versionTail_noMatch() {
        #expect(K.texts(K.pii, "version 1.2.3.4.5 released", kind: "IPV4").isEmpty)
        #expect(K.texts(K.pii, "version 1.2.3.4.5", kind: "IPV4").isEmpty)
    }

    @Test func restrictedKinds_onlyConfiguredKindsMatch() {
        let e = K.engine([K.detector(.pii(kinds: [.email]))])
        let found = K.matches(e, "a@b.io 555-123-4567 123-45-6789 8.8.8.8 4111111111111111")
        #expect(found.map(\.kind) == ["EMAIL"])
    }
}
