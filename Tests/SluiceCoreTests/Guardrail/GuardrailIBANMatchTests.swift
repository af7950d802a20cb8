import Testing
@testable import SluiceCore

private typealias K = GuardrailTestKit

@Suite struct GuardrailIBANMatchTests {
    @Test(arguments: ["DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432",
                      "GB82 WEST 1234 5698 7654 32", "FR1420041010050500013M02606", "NL91ABNA0417164300",
                      "BE68539007547034", "CH9300762011623852957", "ES9121000418450200051332"])
    func iban_valid_matches(_ s: String) {
        #expect(K.texts(K.pii, "IBAN: \(s) thanks", kind: "IBAN") == [s])
    }

    @Test(arguments: ["DE89370400440532013001", "DE88 3704 0044 0532 0130 00", "GB82WEST12345698765433"])
    func iban_badChecksum_noMatch(_ s: String) {
        #expect(K.texts(K.pii, "IBAN \(s)", kind: "IBAN").isEmpty)
    }

    @Test(arguments: ["DE8937040044053201300", "DE893704004405320130001", "de89370400440532013000",
                      "XDE89370400440532013000", "DE89 37040 04405 32013 000"])
    func iban_wrongLengthOrForm_noMatch(_ s: String) {
        #expect(K.texts(K.pii, "IBAN \(s)", kind: "IBAN").isEmpty)
    }

    @Test func iban_countryLengths_known() {
        #expect(GuardrailIBANMatch.length(0x44, 0x45) == 22) // DE
        #expect(GuardrailIBANMatch.length(0x4E, 0x4F) == 15) // NO
        #expect(GuardrailIBANMatch.length(0x4D, 0x54) == 31) // MT
        #expect(GuardrailIBANMatch.length(0x51, 0x51) == 0)  // QQ unknown
    }
}
