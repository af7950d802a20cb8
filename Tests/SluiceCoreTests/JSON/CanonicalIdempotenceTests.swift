import Testing
@testable import SluiceCore

/// canonical(parse(canonical(x))) == canonical(x), including numbers out of Double range.
@Test(arguments: ["-0.031e400", "-1e-400", "1234567890123012345678901e4123456789012345", "5e-300", "120e-2", "0",
                  "1000000000000000000000.5", "1e21", "123456789012345678901234567890", "-2.5e-320"])
func canonical_isIdempotent(_ literal: String) throws {
    let once = canonicalText(literal)
    let twice = canonicalText(once)
    #expect(once == twice, "\(literal) → \(once) → \(twice)")
}

private func canonicalText(_ s: String) -> String {
    guard case .success(let v) = JSONValue.parse(Array(s.utf8)) else { return "invalid" }
    var out: [UInt8] = []
    v.canonical(into: &out)
    return String(decoding: out, as: UTF8.self)
}
