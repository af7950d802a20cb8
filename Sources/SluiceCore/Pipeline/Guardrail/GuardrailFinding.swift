/// One guardrail match. `range` is a byte range in the scanned UTF-8 text (for body scans: in the decoded
/// text of the JSON string it was found in; for the SSE filter: in its held-back text window).
struct GuardrailFinding: Sendable, Equatable {
    /// Detector type: "pii" | "secrets" | "regex" | "keywords" | "prompt_injection".
    var detector: String
    /// Match kind: "EMAIL", "PHONE", "CREDIT_CARD", "SSN", "IBAN", "IPV4", "API_KEY", "PRIVATE_KEY", "JWT",
    /// a regex category upper-cased (default "REGEX"), "KEYWORD", "PROMPT_INJECTION".
    var kind: String
    /// The configured action of the detector that matched.
    var action: DetectorConfig.Action
    /// Matched bytes.
    var range: Range<Int>
}

/// Outcome of applying a guardrail to a body.
enum GuardrailVerdict: Sendable, Equatable {
    /// Nothing matched.
    case pass
    /// Only `log` actions matched.
    case logged([GuardrailFinding])
    /// At least one `redact` match (and no `block`): the rewritten body and every finding.
    case redacted(body: [UInt8], findings: [GuardrailFinding])
    /// A `block` match: the first one in text order.
    case blocked(GuardrailFinding)
}

/// A guardrail config that cannot be compiled (only user `regex` patterns can fail).
struct GuardrailCompileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Index of the offending detector in `GuardrailConfig.detectors`.
    var detectorIndex: Int
    /// Why it failed (the regex engine's message).
    var reason: String

    /// `detectors[N]: invalid regex pattern: …`.
    var description: String { "detectors[\(detectorIndex)]: invalid regex pattern: \(reason)" }
}

/// Ordering of actions: block beats redact beats log.
enum GuardrailSeverity {
    /// 2 for block, 1 for redact, 0 for log.
    @inline(__always)
    static func rank(_ a: DetectorConfig.Action) -> Int {
        switch a {
        case .block: 2
        case .redact: 1
        case .log: 0
        }
    }

    /// The more severe of two actions (`b` when `a` is nil).
    static func stronger(_ a: DetectorConfig.Action?, _ b: DetectorConfig.Action) -> DetectorConfig.Action {
        guard let a else { return b }
        return rank(a) >= rank(b) ? a : b
    }

    /// Replacement text for a redacted match: `[REDACTED:<KIND>]`.
    static func replacement(for kind: String) -> [UInt8] {
        Array("[REDACTED:\(kind)]".utf8)
    }
}
