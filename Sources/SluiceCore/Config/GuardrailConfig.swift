/// One detector of a guardrail.
struct DetectorConfig: Sendable, Equatable {
    /// What a detector does with a match.
    enum Action: String, Sendable, Equatable, CaseIterable {
        case block, redact, log
    }

    /// PII kinds of the `pii` detector.
    enum PIIKind: String, Sendable, Equatable, CaseIterable {
        case email, phone
        case creditCard = "credit_card"
        case ssn, iban, ipv4
    }

    /// The detector types and their settings.
    enum Kind: Sendable, Equatable {
        case pii(kinds: [PIIKind])
        case secrets
        /// `pattern` is compiled by the guardrail's regex engine, not here.
        case regex(pattern: String, category: String?)
        case keywords(words: [String])
        case promptInjection

        /// The `type:` spelling.
        var typeName: String {
            switch self {
            case .pii: "pii"
            case .secrets: "secrets"
            case .regex: "regex"
            case .keywords: "keywords"
            case .promptInjection: "prompt_injection"
            }
        }
    }

    var kind: Kind
    var action = Action.block
    var location: ConfigLocation

    static let typeNames = ["pii", "secrets", "regex", "keywords", "prompt_injection"]
}

/// `guardrail` processor settings.
struct GuardrailConfig: Sendable, Equatable {
    var on: [ProcessorPhase] = [.request]
    /// Status of a block answer.
    var status = 400
    var detectors: [DetectorConfig] = []
    /// Characters held back on streamed responses so split matches are caught.
    var streamHoldback = 64

    static let keys = ["on", "status", "detectors", "stream_holdback"]

    /// Decodes the guardrail-specific fields of a processor entry.
    static func decode(_ f: ConfigFields, _ d: inout ConfigDecoder) -> GuardrailConfig? {
        var g = GuardrailConfig()
        if let p = d.phases(f, "on") { g.on = p }
        if let s = d.int(f, "status", range: 400...599) { g.status = s }
        if let h = d.int(f, "stream_holdback", range: 0...1_000_000) { g.streamHoldback = h }
        if let items = d.list(f, "detectors", required: true) {
            if items.isEmpty, let n = f["detectors"] { d.report("'detectors' in \(f.section) must not be empty", at: n) }
            for (i, item) in items.enumerated() {
                if let det = decodeDetector(item, section: "detectors[\(i)] of \(f.section)", &d) { g.detectors.append(det) }
            }
        }
        return g
    }

    private static func decodeDetector(_ node: YAMLNode, section: String, _ d: inout ConfigDecoder) -> DetectorConfig? {
        guard let entries = node.mappingEntries else {
            d.report("\(section) must be a mapping, found \(node.kindDescription)", at: node)
            return nil
        }
        guard let typeNode = entries.first(where: { $0.key == "type" })?.value, !typeNode.isNull,
              let type = d.stringValue(typeNode, what: "'type' in \(section)") else {
            if entries.first(where: { $0.key == "type" }) == nil {
                d.report("missing required key 'type' in \(section) (one of \(DetectorConfig.typeNames.joined(separator: ", ")))", at: node)
            }
            return nil
        }
        let specific: [String]
        switch type {
        case "pii": specific = ["kinds"]
        case "regex": specific = ["pattern", "category"]
        case "keywords": specific = ["words"]
        case "secrets", "prompt_injection": specific = []
        default:
            let hint = ConfigKeySuggester.hint(for: type, among: DetectorConfig.typeNames)
            d.report("unknown detector type '\(type)' in \(section); expected one of \(DetectorConfig.typeNames.joined(separator: ", "))\(hint)", at: typeNode)
            return nil
        }
        guard let f = d.fields(node, section: section, keys: ["type", "action"] + specific) else { return nil }
        let action = d.choice(f, "action", as: DetectorConfig.Action.self) ?? .block
        let kind: DetectorConfig.Kind?
        switch type {
        case "pii":
            var kinds = DetectorConfig.PIIKind.allCases
            if let items = d.list(f, "kinds") {
                if items.isEmpty, let n = f["kinds"] { d.report("'kinds' in \(section) must not be empty", at: n) }
                kinds = []
                for item in items {
                    if let k = d.choiceValue(item, what: "each entry of 'kinds' in \(section)", as: DetectorConfig.PIIKind.self), !kinds.contains(k) { kinds.append(k) }
                }
            }
            kind = .pii(kinds: kinds)
        case "regex":
            let pattern = d.string(f, "pattern", required: true, allowEmpty: false)
            let category = d.string(f, "category", allowEmpty: false)
            kind = pattern.map { .regex(pattern: $0, category: category) }
        case "keywords":
            let words = d.stringList(f, "words", required: true, nonEmpty: true)
            kind = words.map { .keywords(words: $0) }
        case "secrets": kind = .secrets
        default: kind = .promptInjection
        }
        return kind.map { DetectorConfig(kind: $0, action: action, location: ConfigLocation(node)) }
    }
}
