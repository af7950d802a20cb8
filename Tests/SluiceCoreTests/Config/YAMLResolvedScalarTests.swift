import Testing
@testable import SluiceCore

@Suite struct YAMLResolvedScalarTests {
    private func r(_ s: String) -> YAMLResolvedScalar { YAMLResolvedScalar.resolvePlain(s) }

    @Test func onlyTrueAndFalse_areBooleans() {
        #expect(r("true") == .bool(true))
        #expect(r("False") == .bool(false))
        #expect(r("on") == .string("on"))
        #expect(r("yes") == .string("yes"))
        #expect(r("off") == .string("off"))
        #expect(r("n") == .string("n"))
    }

    @Test func nullForms_resolveToNull() {
        #expect(r("") == .null)
        #expect(r("~") == .null)
        #expect(r("null") == .null)
        #expect(r("NULL") == .null)
        #expect(r("nil") == .string("nil"))
    }

    @Test func integers_followCoreSchema() {
        #expect(r("42") == .int(42))
        #expect(r("-7") == .int(-7))
        #expect(r("+3") == .int(3))
        #expect(r("0x1F") == .int(31))
        #expect(r("0o17") == .int(15))
        #expect(r("1_000") == .string("1_000"))
        #expect(r("0b101") == .string("0b101"))
        #expect(r("99999999999999999999") == .float(1e20))  // too big for Int: the float rule matches
    }

    @Test func floats_followCoreSchema() {
        #expect(r("1.5") == .float(1.5))
        #expect(r("-.5") == .float(-0.5))
        #expect(r("1e3") == .float(1000))
        #expect(r(".inf") == .float(.infinity))
        #expect(r("1.2.3") == .string("1.2.3"))
        #expect(r("127.0.0.1:8080") == .string("127.0.0.1:8080"))
        if case .float(let d) = r(".nan") { #expect(d.isNaN) } else { Issue.record("expected NaN") }
    }

    @Test func quotedScalars_stayStrings() throws {
        let root = try #require(try YAMLParser.parse(Array("a: \"true\"\nb: '1'\nc: |\n  2\n".utf8)))
        let values = try #require(root.mappingEntries).map { $0.value.scalar?.resolved }
        #expect(values == [.string("true"), .string("1"), .string("2\n")])
    }

    @Test func keyNamedOn_isAnOrdinaryKey() throws {
        #expect(try ConfigTestSupport.yaml("on: [request]\n") == "{on=[\"request\"]}")
    }
}
