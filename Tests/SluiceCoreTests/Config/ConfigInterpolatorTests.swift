import Testing
@testable import SluiceCore

@Suite struct ConfigInterpolatorTests {
    private func run(_ yaml: String, _ env: [String: String]) throws -> (String, ConfigInterpolator) {
        var i = ConfigInterpolator(environment: FakeConfigEnvironment(variables: env))
        let root = try #require(try YAMLParser.parse(Array(yaml.utf8)))
        let out = i.interpolate(root)
        return (ConfigTestSupport.render(out), i)
    }

    @Test func variable_isSubstituted_andMarkedSecret() throws {
        let (out, i) = try run("a: \"Bearer ${KEY}\"\nb: plain\n", ["KEY": "s3cr3t"])
        #expect(out == "{a=\"Bearer s3cr3t\",b=\"plain\"}")
        #expect(i.secretPaths == ["a"])
        #expect(i.errors.isEmpty)
    }

    @Test func default_isUsedWhenUnsetOrEmpty() throws {
        let (out, _) = try run("a: ${X:-def}\nb: ${Y:-def}\nc: ${Z:-}\n", ["Y": ""])
        #expect(out == "{a=\"def\",b=\"def\",c=~}")
    }

    @Test func unsetWithoutDefault_isErrorAtScalar() throws {
        let (_, i) = try run("a: 1\nb:\n  c: x-${MISSING}\n", [:])
        #expect(i.errors.count == 1)
        #expect(i.errors.first?.line == 3)
        #expect(i.errors.first?.column == 6)
        #expect(i.errors.first?.message.contains("MISSING") == true)
    }

    @Test func doubleDollar_writesLiteral() throws {
        let (out, i) = try run("a: \"$${HOME} and $$ and $x\"\n", ["HOME": "/root"])
        #expect(out == "{a=\"${HOME} and $$ and $x\"}")
        #expect(i.secretPaths.isEmpty)
    }

    @Test func plainInterpolatedNumber_isTypedAfterSubstitution() throws {
        let (out, _) = try run("workers: ${W:-4}\n", [:])
        #expect(out == "{workers=4}")
    }

    @Test func nestedPaths_includeSequenceIndices() throws {
        let (_, i) = try run("l:\n  - x\n  - {h: \"${A}\"}\n", ["A": "1"])
        #expect(i.secretPaths == ["l.1.h"])
    }

    @Test func unterminatedReference_isError() throws {
        let (_, i) = try run("a: \"${OOPS\"\n", [:])
        #expect(i.errors.first?.message.contains("unterminated") == true)
    }

    @Test func invalidSyntaxInside_isError() throws {
        let (_, i) = try run("a: \"${A-b}\"\n", ["A": "1"])
        #expect(i.errors.first?.message.contains("invalid") == true)
    }
}
