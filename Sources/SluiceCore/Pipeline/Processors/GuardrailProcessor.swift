/// `guardrail`: runs detectors on request and/or response text (SPEC §4) and blocks, redacts or
/// logs. A block answers `status` (default 400) `content_policy_violation`; redaction rewrites
/// the JSON strings in place; streamed responses go through an `SSEGuardrailFilter` with
/// `stream_holdback` characters held back.
final class GuardrailProcessor: Processor {
    let name: String
    let failureMode: ProcessorFailureMode
    let engine: GuardrailEngine

    var typeName: String { "guardrail" }
    var hasRequestHook: Bool { engine.config.on.contains(.request) }
    var hasResponseHook: Bool { engine.config.on.contains(.response) }
    var filtersStreams: Bool { hasResponseHook }

    init(name: String, failureMode: ProcessorFailureMode, engine: GuardrailEngine) {
        self.name = name
        self.failureMode = failureMode
        self.engine = engine
    }

    func blockError(_ f: GuardrailFinding) -> GatewayError {
        GatewayError(status: engine.config.status, type: "invalid_request_error", code: "content_policy_violation",
                     message: "Blocked by guardrail '\(name)': \(f.detector) (\(f.kind)) detected")
    }

    private func record(_ findings: [GuardrailFinding], env: PipelineEnvironment, summary: inout String?) {
        for f in findings {
            env.recordGuardrailAction(processor: name, detector: f.detector, action: f.action.rawValue)
        }
        if let f = findings.first {
            let s = f.action.rawValue + ":" + f.detector
            summary = summary.map { $0 + "," + s } ?? s
        }
    }

    func handleRequest(_ r: inout PipelineRequest, scratch: inout ProcessorScratch, env: PipelineEnvironment) -> ProcessorDecision {
        guard hasRequestHook else { return .proceed }
        let verdict = r.scannedBody().map { GuardrailBodyScanner.apply(engine, body: r.body, index: $0, phase: .request) }
            ?? GuardrailBodyScanner.apply(engine, body: r.body, phase: .request)
        switch verdict {
        case .pass:
            return .proceed
        case .logged(let f):
            record(f, env: env, summary: &r.guardrail)
            return .proceed
        case .redacted(let body, let f):
            record(f, env: env, summary: &r.guardrail)
            r.body = body
            r.bodyChanged = true
            return .proceed
        case .blocked(let f):
            record([f], env: env, summary: &r.guardrail)
            return .reject(blockError(f))
        }
    }

    func handleResponse(_ res: inout PipelineResponse, request: PipelineRequest, scratch: inout ProcessorScratch,
                        env: PipelineEnvironment) -> ProcessorDecision {
        guard hasResponseHook, !res.isLocal, (200..<300).contains(res.status) else { return .proceed }
        var summary: String?
        let verdict = res.scannedBody().map { GuardrailBodyScanner.apply(engine, body: res.body, index: $0, phase: .response) }
            ?? GuardrailBodyScanner.apply(engine, body: res.body, phase: .response)
        switch verdict {
        case .pass:
            return .proceed
        case .logged(let f):
            record(f, env: env, summary: &summary)
            return .proceed
        case .redacted(let body, let f):
            record(f, env: env, summary: &summary)
            res.body = body
            return .proceed
        case .blocked(let f):
            record([f], env: env, summary: &summary)
            return .reject(blockError(f))
        }
    }

    func streamFilter(request: PipelineRequest, scratch: inout ProcessorScratch, env: PipelineEnvironment) -> StreamEventFilter? {
        guard hasResponseHook else { return nil }
        return GuardrailStreamFilter(processor: self, env: env)
    }

    func explain(_ r: inout PipelineRequest, env: PipelineEnvironment) -> ProcessorVerdict {
        guard hasRequestHook else { return ProcessorVerdict(processor: name, type: typeName, verdict: "continue", detail: "response only") }
        switch GuardrailBodyScanner.apply(engine, body: r.body, phase: .request) {
        case .pass:
            return ProcessorVerdict(processor: name, type: typeName, verdict: "continue", detail: nil)
        case .logged(let f):
            return ProcessorVerdict(processor: name, type: typeName, verdict: "log", detail: Self.describe(f))
        case .redacted(let body, let f):
            r.body = body
            r.bodyChanged = true
            return ProcessorVerdict(processor: name, type: typeName, verdict: "redact", detail: Self.describe(f))
        case .blocked(let f):
            return ProcessorVerdict(processor: name, type: typeName, verdict: "block", detail: Self.describe([f]))
        }
    }

    /// Kinds only — never the matched text.
    static func describe(_ f: [GuardrailFinding]) -> String {
        f.map { $0.detector + ":" + $0.kind }.joined(separator: ",")
    }
}

/// Adapts `SSEGuardrailFilter` to the pipeline's stream filter chain.
final class GuardrailStreamFilter: StreamEventFilter {
    private var filter: SSEGuardrailFilter
    private let processor: GuardrailProcessor
    private let env: PipelineEnvironment

    init(processor: GuardrailProcessor, env: PipelineEnvironment) {
        self.processor = processor
        self.env = env
        filter = SSEGuardrailFilter(engine: processor.engine, holdback: processor.engine.config.streamHoldback)
    }

    private func convert(_ o: SSEGuardrailFilter.Output) -> StreamFilterOutput {
        for f in filter.takeActions() {
            env.recordGuardrailAction(processor: processor.name, detector: f.detector, action: f.action.rawValue)
        }
        switch o {
        case .release(let events):
            return .events(events)
        case .blocked(let f, let events):
            env.recordGuardrailAction(processor: processor.name, detector: f.detector, action: "block")
            return .blocked(events: events, message: processor.blockError(f).message, code: "content_policy_violation")
        }
    }

    func process(_ event: [UInt8]) -> StreamFilterOutput { convert(filter.feed(event: event[...])) }
    func finish() -> StreamFilterOutput { convert(filter.finish()) }
    func abandon() {}
}
