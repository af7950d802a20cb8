import Testing
@testable import SluiceCore

/// The PII/secret scanner's word skip against trying every byte: random texts glue values of every kind to
/// words, digits and punctuation on either side, so values start inside words as often as at word starts.
@Suite struct GuardrailPatternScannerTests {
    private static let scanner: GuardrailPatternScanner = {
        var actions: [GuardrailBuiltinKind: DetectorConfig.Action] = [:]
        for k in GuardrailBuiltinKind.allCases { actions[k] = .redact }
        return GuardrailPatternScanner(actions: actions)
    }()

    private static let fragments: [String] = [
        "4111111111111111", "4111 1111 1111 1111", "123-45-6789", "555-123-4567", "(555) 123-4567", "+44 20 7946 0958",
        "8.8.8.8", "10.0.0.256", "a@b.io", "john.doe+tag@example.co.uk", "DE89370400440532013000",
        "GB82 WEST 1234 5698 7654 32", "AKIAIOSFODNN7EXAMPLE", "sk-abcdefghijklmnopqrstuvwxyz", "ghp_" + String(repeating: "a1", count: 18),
        "xoxb-1234567890-abc", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----",
        "summer", "exes", "Sluice", "the", "x", "e", "s", "g", "A", "Z", "_", "-", ".", ",", " ", "\n", "@", "(", "+",
        "12", "3", "é", "ask", "GB", "sk", "ey",
    ]

    private static func text(seed: UInt64, count: Int) -> [UInt8] {
        var rng = FastRandom(seed: seed)
        func next() -> Int { Int(truncatingIfNeeded: rng.next() >> 1) }
        var out: [UInt8] = []
        for _ in 0..<count { out.append(contentsOf: fragments[next() % fragments.count].utf8) }
        return out
    }

    private static func scan(_ bytes: [UInt8], skipWords: Bool) -> [GuardrailFinding] {
        var out: [GuardrailFinding] = []
        bytes.withUnsafeBytes { scanner.scan($0, into: &out, skipWords: skipWords) }
        return out
    }

    @Test(arguments: 0..<96)
    func wordSkip_sameFindingsAsEveryByte(seed: Int) {
        let bytes = Self.text(seed: UInt64(seed + 1), count: 4 + seed % 48)
        #expect(Self.scan(bytes, skipWords: true) == Self.scan(bytes, skipWords: false))
    }

    @Test func wordSkip_valuesAfterWordsStillFound() {
        let text = Array("summer exes a@b.io sk-abcdefghijklmnopqrstuvwxyz xsk-abcdefghijklmnopqrstuvwxyz 4111111111111111".utf8)
        let found = Self.scan(text, skipWords: true)
        #expect(found.map { String(decoding: text[$0.range], as: UTF8.self) }
                == ["a@b.io", "sk-abcdefghijklmnopqrstuvwxyz", "4111111111111111"])
    }
}
