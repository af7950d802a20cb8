@testable import SluiceCore

/// Shared helpers for the guardrail tests.
enum GuardrailTestKit {
    static let loc = ConfigLocation(line: 1, column: 1)

    static func detector(_ kind: DetectorConfig.Kind, _ action: DetectorConfig.Action = .redact) -> DetectorConfig {
        DetectorConfig(kind: kind, action: action, location: loc)
    }

    static func engine(_ detectors: [DetectorConfig]) -> GuardrailEngine {
        var c = GuardrailConfig()
        c.detectors = detectors
        do {
            return try GuardrailEngine(c)
        } catch {
            preconditionFailure("test engine failed to compile: \(error)")
        }
    }

    static let pii = engine([detector(.pii(kinds: DetectorConfig.PIIKind.allCases))])
    static let secrets = engine([detector(.secrets)])
    static let injection = engine([detector(.promptInjection, .block)])
    static let all = engine([
        detector(.pii(kinds: DetectorConfig.PIIKind.allCases)), detector(.secrets), detector(.promptInjection, .block),
    ])

    /// (kind, matched text) of every finding.
    static func matches(_ e: GuardrailEngine, _ text: String) -> [(kind: String, text: String)] {
        let bytes = Array(text.utf8)
        let found = bytes.withUnsafeBytes { e.scan($0) }
        return found.map { ($0.kind, String(decoding: bytes[$0.range], as: UTF8.self)) }
    }

    /// Matched texts of one kind.
    static func texts(_ e: GuardrailEngine, _ text: String, kind: String) -> [String] {
        matches(e, text).filter { $0.kind == kind }.map(\.text)
    }

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
    static func string(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }
}
