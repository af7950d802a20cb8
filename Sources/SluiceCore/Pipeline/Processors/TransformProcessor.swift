/// `transform`: sets and removes headers and JSON body fields (JSON Pointer) on requests and
/// responses (SPEC §4).
final class TransformProcessor: Processor {
    let name: String
    let failureMode: ProcessorFailureMode
    let config: TransformConfig
    private let requestValues: [(String, JSONValue)]
    private let responseValues: [(String, JSONValue)]

    var typeName: String { "transform" }
    var hasRequestHook: Bool { config.request != nil }
    var hasResponseHook: Bool { config.response != nil }

    init(name: String, failureMode: ProcessorFailureMode, config: TransformConfig) {
        self.name = name
        self.failureMode = failureMode
        self.config = config
        requestValues = (config.request?.setBodyFields ?? []).map { ($0.pointer, Self.json($0.value)) }
        responseValues = (config.response?.setBodyFields ?? []).map { ($0.pointer, Self.json($0.value)) }
    }

    static func json(_ v: ConfigJSONValue) -> JSONValue {
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .number(String(i))
        case .double(let d): return .number(d.isFinite ? String(d) : "0")
        case .string(let s): return .string(s)
        case .array(let a): return .array(a.map(json))
        case .object(let o): return .object(o.map { ($0.0, json($0.1)) })
        }
    }

    func handleRequest(_ r: inout PipelineRequest, scratch: inout ProcessorScratch, env: PipelineEnvironment) -> ProcessorDecision {
        guard let rules = config.request else { return .proceed }
        apply(rules, headers: &r.headers)
        guard !rules.setBodyFields.isEmpty || !rules.removeBodyFields.isEmpty else { return .proceed }
        guard let body = edit(r.body, set: requestValues, remove: rules.removeBodyFields) else {
            return .fail("request body is not a JSON object")
        }
        r.body = body
        r.bodyChanged = true
        return .proceed
    }

    func handleResponse(_ res: inout PipelineResponse, request: PipelineRequest, scratch: inout ProcessorScratch,
                        env: PipelineEnvironment) -> ProcessorDecision {
        guard let rules = config.response else { return .proceed }
        apply(rules, headers: &res.headers)
        guard !rules.setBodyFields.isEmpty || !rules.removeBodyFields.isEmpty, !res.body.isEmpty else { return .proceed }
        // Only JSON answers are edited; an error page from an upstream passes unchanged.
        if let body = edit(res.body, set: responseValues, remove: rules.removeBodyFields) { res.body = body }
        return .proceed
    }

    private func apply(_ rules: TransformRules, headers: inout HTTPHeaders) {
        for n in rules.removeHeaders { headers.remove(n) }
        for h in rules.setHeaders { headers.set(h.name, h.value) }
    }

    private func edit(_ body: [UInt8], set: [(String, JSONValue)], remove: [String]) -> [UInt8]? {
        guard case .success(var v) = JSONValue.parse(body), case .object = v else { return nil }
        for p in remove { _ = v.remove(atPointer: p) }
        for (p, value) in set {
            if !v.set(value, atPointer: p) {
                // Create missing parent objects, as a user of set_body_fields expects.
                Self.createParents(of: p, in: &v)
                _ = v.set(value, atPointer: p)
            }
        }
        return v.serialized()
    }

    private static func createParents(of pointer: String, in v: inout JSONValue) {
        let parts = pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard parts.count > 1 else { return }
        var prefix = ""
        for part in parts.dropLast() {
            prefix += "/" + part
            if v.value(atPointer: prefix) == nil { _ = v.set(.object([]), atPointer: prefix) }
        }
    }

    func explain(_ r: inout PipelineRequest, env: PipelineEnvironment) -> ProcessorVerdict {
        var scratch = ProcessorScratch.none
        let d = handleRequest(&r, scratch: &scratch, env: env)
        if case .fail(let why) = d { return ProcessorVerdict(processor: name, type: typeName, verdict: "fail", detail: why) }
        return ProcessorVerdict(processor: name, type: typeName, verdict: config.request == nil ? "continue" : "mutate", detail: nil)
    }
}
