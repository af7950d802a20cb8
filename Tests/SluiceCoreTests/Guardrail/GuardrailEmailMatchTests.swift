import Testing
@testable import SluiceCore

private typealias K = GuardrailTestKit

@Suite struct GuardrailEmailMatchTests {
    @Test(arguments: ["john@example.com", "john.smith+tag@mail.example.co.uk", "a_b-c%d@sub-domain.example.org",
                      "x@y.io", "USER123@EXAMPLE.COM"])
    func email_valid_matches(_ s: String) {
        #expect(K.texts(K.pii, "write to \(s) today", kind: "EMAIL") == [s])
    }

    @Test func email_trailingSentenceDot_excluded() {
        #expect(K.texts(K.pii, "Mail me at bob@example.com.", kind: "EMAIL") == ["bob@example.com"])
    }

    @Test func email_inPunctuation_matchesAddressOnly() {
        #expect(K.texts(K.pii, "<bob@example.com>, (amy@test.org)", kind: "EMAIL") == ["bob@example.com", "amy@test.org"])
    }

    @Test(arguments: ["john@localhost", "john@example.c", "john@example.123", "@example.com", "john@.com",
                      "john@-example.com", "john..doe@example.com", "john.@example.com", "john@example-.com",
                      "@@", "a@b", "user@"])
    func email_nearMiss_noMatch(_ s: String) {
        #expect(K.texts(K.pii, "x \(s) y", kind: "EMAIL").isEmpty)
    }

    @Test func email_leadingDotTrimmed() {
        #expect(K.texts(K.pii, "...bob@example.com", kind: "EMAIL") == ["bob@example.com"])
    }

    @Test func email_localPartTooLong_noMatch() {
        let local = String(repeating: "a", count: 65)
        #expect(K.texts(K.pii, "\(local)@example.com", kind: "EMAIL").isEmpty)
    }

    @Test func email_rangeIsByteRange_afterMultibyteText() {
        let text = "héllo → bob@example.com"
        let bytes = K.bytes(text)
        let f = bytes.withUnsafeBytes { K.pii.scan($0) }
        #expect(f.count == 1)
        #expect(f.first.map { K.string(Array(bytes[$0.range])) } == "bob@example.com")
    }
}
