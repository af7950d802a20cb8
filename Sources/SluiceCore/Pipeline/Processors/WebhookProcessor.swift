/// `webhook`: calls an external processor (SPEC §4) with
/// `{"phase","request_id","route","model","tenant","headers","body"}` and applies its answer:
/// `{"action":"continue"}`, `{"action":"block","status":N,"message":"…"}` or
/// `{"action":"mutate","body":…,"set_headers":{…}}`. The proxy performs the POST over a pooled
/// connection; anything but a 2xx with a valid answer is a failure (then `failure_mode` applies).
final class WebhookProcessor: Processor {
    let name: String
    let failureMode: ProcessorFailureMode
    let config: WebhookConfig
    let endpointIndex: Int
    let timeoutNanos: UInt64?

    var typeName: String { "webhook" }
    var hasRequestHook: Bool { config.on.contains(.request) }
    var hasResponseHook: Bool { config.on.contains(.response) }

    /// Client headers never sent to a webhook.
    static let secretHeaders: Set<String> = ["authorization", "x-api-key", "cookie", "proxy-authorization"]

    init(name: String, failureMode: ProcessorFailureMode, timeoutNanos: UInt64, config: WebhookConfig, endpointIndex: Int) {
        self.name = name
        self.failureMode = failureMode
        self.timeoutNanos = timeoutNanos
        self.config = config
        self.endpointIndex = endpointIndex
    }

    func handleRequest(_ r: inout PipelineRequest, scratch: inout ProcessorScratch, env: PipelineEnvironment) -> ProcessorDecision {
        guard hasRequestHook else { return .proceed }
        return .callWebhook(call(phase: "request", request: r, headers: r.headers, body: r.body))
    }

    func resumeRequest(_ r: inout PipelineRequest, scratch: inout ProcessorScratch, result: WebhookResult) -> ProcessorDecision {
        var changed = false
        let d = apply(result, body: &r.body, headers: &r.headers, changed: &changed)
        if changed { r.bodyChanged = true }
        return d
    }

    func handleResponse(_ res: inout PipelineResponse, request: PipelineRequest, scratch: inout ProcessorScratch,
                        env: PipelineEnvironment) -> ProcessorDecision {
        guard hasResponseHook else { return .proceed }
        return .callWebhook(call(phase: "response", request: request, headers: res.headers, body: res.body))
    }

    func resumeResponse(_ res: inout PipelineResponse, request: PipelineRequest, scratch: inout ProcessorScratch,
                        result: WebhookResult) -> ProcessorDecision {
        var changed = false
        var body = res.body
        var headers = res.headers
        let decision = apply(result, body: &body, headers: &headers, changed: &changed)
        res.headers = headers
        if changed { res.body = body }
        return decision
    }

    /// Applies a webhook answer to a request or a response: continue, block, or mutate body/headers.
    private func apply(_ result: WebhookResult, body: inout [UInt8], headers: inout HTTPHeaders,
                       changed: inout Bool) -> ProcessorDecision {
        switch parse(result) {
        case .failure(let why): return .fail(why.reason)
        case .success(let action):
            switch action {
            case .proceed: return .proceed
            case .block(let status, let message): return .reject(Self.blockError(status: status, message: message, name: name))
            case .mutate(let newBody, let setHeaders):
                if let b = newBody {
                    body = b
                    changed = true
                }
                for (n, v) in setHeaders { headers.set(n, v) }
                return .proceed
            }
        }
    }

    static func blockError(status: Int, message: String, name: String) -> GatewayError {
        GatewayError(status: (400...599).contains(status) ? status : 400, type: "invalid_request_error",
                     code: "content_policy_violation", message: message.isEmpty ? "Blocked by processor '\(name)'" : message)
    }

    private func call(phase: String, request r: PipelineRequest, headers: HTTPHeaders, body: [UInt8]) -> WebhookCall {
        var out: [UInt8] = Array(#"{"phase":"#.utf8)
        JSONWriter.appendString(phase, to: &out)
        out += Array(#","request_id":"#.utf8)
        JSONWriter.appendString(r.requestID, to: &out)
        out += Array(#","route":"#.utf8)
        if let route = r.routeName { JSONWriter.appendString(route, to: &out) } else { out += Array("null".utf8) }
        out += Array(#","model":"#.utf8)
        JSONWriter.appendString(r.model, to: &out)
        out += Array(#","tenant":"#.utf8)
        if let t = r.tenant { JSONWriter.appendString(t, to: &out) } else { out += Array("null".utf8) }
        out += Array(#","headers":{"#.utf8)
        var first = true
        for i in 0..<headers.count {
            let lower = String(decoding: headers.name(at: i), as: UTF8.self).lowercased()
            if Self.secretHeaders.contains(lower) { continue }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONWriter.appendString(lower, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONWriter.appendString(bytes: headers.value(at: i), to: &out)
        }
        out += Array(#"},"body":"#.utf8)
        let isJSON = body.withUnsafeBytes { if case .success = JSONScanner.validate($0) { return true } else { return false } }
        if isJSON { out += body } else { JSONWriter.appendString(bytes: body, to: &out) }
        out.append(UInt8(ascii: "}"))
        var hs: [(String, String)] = [("content-type", "application/json")]
        for h in config.headers { hs.append((h.name, h.value)) }
        return WebhookCall(endpointIndex: endpointIndex, path: config.url.path.isEmpty ? "/" : config.url.path,
                           headers: hs, body: out, timeoutNanos: timeoutNanos ?? 200_000_000)
    }

    private enum Action {
        case proceed
        case block(Int, String)
        case mutate([UInt8]?, [(String, String)])
    }

    private func parse(_ result: WebhookResult) -> Result<Action, WebhookFailure> {
        guard case .answered(let status, let body) = result else {
            if case .failed(let why) = result { return .failure(WebhookFailure(why)) }
            return .failure(WebhookFailure("no answer"))
        }
        guard (200..<300).contains(status) else { return .failure(WebhookFailure("webhook answered \(status)")) }
        guard case .success(let v) = JSONValue.parse(body), let action = v["action"]?.stringValue else {
            return .failure(WebhookFailure("webhook answer is not {\"action\": …}"))
        }
        switch action {
        case "continue": return .success(.proceed)
        case "block": return .success(.block(v["status"]?.intValue ?? 400, v["message"]?.stringValue ?? ""))
        case "mutate":
            var headers: [(String, String)] = []
            if case .object(let pairs)? = v["set_headers"] {
                for (k, val) in pairs { if let s = val.stringValue { headers.append((k, s)) } }
            }
            return .success(.mutate(v["body"].map { $0.serialized() }, headers))
        default: return .failure(WebhookFailure("unknown webhook action '\(action)'"))
        }
    }

    func explain(_ r: inout PipelineRequest, env: PipelineEnvironment) -> ProcessorVerdict {
        ProcessorVerdict(processor: name, type: typeName, verdict: "skipped", detail: "webhooks are not called in a dry run")
    }
}

/// Why a webhook call did not give a usable answer.
struct WebhookFailure: Error {
    let reason: String
    init(_ r: String) { reason = r }
}
