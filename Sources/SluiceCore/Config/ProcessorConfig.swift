/// What a processor does when it fails or times out.
enum ProcessorFailureMode: String, Sendable, Equatable, CaseIterable {
    case failClosed = "fail_closed"
    case failOpen = "fail_open"
}

/// Request or response side of the pipeline (`on:` of guardrails and webhooks).
enum ProcessorPhase: String, Sendable, Equatable, CaseIterable {
    case request, response
}

/// The processor types of SPEC §4, each with its own settings.
enum ProcessorKind: Sendable, Equatable {
    case modelRouter
    case guardrail(GuardrailConfig)
    case promptCache(PromptCacheConfig)
    case webhook(WebhookConfig)
    case transform(TransformConfig)

    /// The `type:` spelling.
    var typeName: String {
        switch self {
        case .modelRouter: "model_router"
        case .guardrail: "guardrail"
        case .promptCache: "prompt_cache"
        case .webhook: "webhook"
        case .transform: "transform"
        }
    }

    static let typeNames = ["model_router", "guardrail", "prompt_cache", "webhook", "transform"]
}

/// One entry of `pipeline`.
struct ProcessorConfig: Sendable, Equatable {
    var name: String
    var failureMode = ProcessorFailureMode.failClosed
    /// Per-call time budget; webhooks default to 200ms, other types have none unless set.
    var timeout: Duration?
    var kind: ProcessorKind
    var location: ConfigLocation

    /// The default pipeline when `pipeline` is omitted: `[{name: router, type: model_router}]`.
    static func defaultPipeline(at location: ConfigLocation) -> [ProcessorConfig] {
        [ProcessorConfig(name: "router", kind: .modelRouter, location: location)]
    }

    static let commonKeys = ["name", "type", "failure_mode", "timeout"]

    /// Decodes one `pipeline` entry; the accepted keys depend on its `type`.
    static func decode(_ node: YAMLNode, index: Int, _ d: inout ConfigDecoder) -> ProcessorConfig? {
        let section = ConfigDecoder.sectionName("processor", node: node, index: index, list: "pipeline")
        guard let entries = node.mappingEntries else {
            d.report("\(section) must be a mapping, found \(node.kindDescription)", at: node)
            return nil
        }
        guard let typeNode = entries.first(where: { $0.key == "type" })?.value, !typeNode.isNull else {
            _ = d.fields(node, section: section, keys: commonKeys + allSpecificKeys)
            d.report("missing required key 'type' in \(section) (one of \(ProcessorKind.typeNames.joined(separator: ", ")))", at: node)
            return nil
        }
        guard let type = d.stringValue(typeNode, what: "'type' in \(section)") else { return nil }
        let specific: [String]
        switch type {
        case "model_router": specific = []
        case "guardrail": specific = GuardrailConfig.keys
        case "prompt_cache": specific = PromptCacheConfig.keys
        case "webhook": specific = WebhookConfig.keys
        case "transform": specific = TransformConfig.keys
        default:
            let hint = ConfigKeySuggester.hint(for: type, among: ProcessorKind.typeNames)
            d.report("unknown processor type '\(type)' in \(section); expected one of \(ProcessorKind.typeNames.joined(separator: ", "))\(hint)", at: typeNode)
            return nil
        }
        guard let f = d.fields(node, section: section, keys: commonKeys + specific) else { return nil }
        let name = d.string(f, "name", required: true, allowEmpty: false)
        let failureMode = d.choice(f, "failure_mode", as: ProcessorFailureMode.self) ?? .failClosed
        var timeout = d.duration(f, "timeout")
        let kind: ProcessorKind?
        switch type {
        case "guardrail": kind = GuardrailConfig.decode(f, &d).map(ProcessorKind.guardrail)
        case "prompt_cache": kind = PromptCacheConfig.decode(f, &d).map(ProcessorKind.promptCache)
        case "webhook":
            kind = WebhookConfig.decode(f, &d).map(ProcessorKind.webhook)
            if timeout == nil { timeout = .milliseconds(200) }
        case "transform": kind = TransformConfig.decode(f, &d).map(ProcessorKind.transform)
        default: kind = .modelRouter
        }
        guard let name, let kind else { return nil }
        return ProcessorConfig(name: name, failureMode: failureMode, timeout: timeout, kind: kind, location: ConfigLocation(node))
    }

    private static var allSpecificKeys: [String] {
        GuardrailConfig.keys + PromptCacheConfig.keys + WebhookConfig.keys + TransformConfig.keys
    }
}

extension ConfigDecoder {
    /// A list of phases (`[request, response]`); nil when absent.
    mutating func phases(_ f: ConfigFields, _ key: String) -> [ProcessorPhase]? {
        guard let items = list(f, key) else { return nil }
        if items.isEmpty, let n = f[key] { report("'\(key)' in \(f.section) must not be empty", at: n) }
        var out: [ProcessorPhase] = []
        for item in items {
            if let p = choiceValue(item, what: "each entry of '\(key)' in \(f.section)", as: ProcessorPhase.self), !out.contains(p) {
                out.append(p)
            }
        }
        return out
    }
}
