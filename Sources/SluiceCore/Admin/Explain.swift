/// `POST /explain` (SPEC §6): runs the request pipeline and the limiter as a dry run — no
/// upstream call, no webhook call, nothing stored, no tokens taken — and reports each decision.
enum Explain {
    /// A PipelineEnvironment that records nothing.
    private final class DryRunEnvironment: PipelineEnvironment {
        var nowNanos: UInt64 { SystemClock.monotonicNanos() }
        func makeCoalesceResumer() -> @Sendable (CachedResponse?) -> Void { { _ in } }
        func recordGuardrailAction(processor: String, detector: String, action: String) {}
    }

    /// Answers the explain body `{"path","headers","body"}` against `snap`.
    static func run(_ input: [UInt8], snap: RuntimeSnapshot) -> (Int, [UInt8]) {
        guard case .success(let v) = JSONValue.parse(input), case .object = v else {
            return (400, ErrorResponse.openAIBody(.invalidJSON("explain body must be {\"path\",\"headers\",\"body\"}")))
        }
        let path = v["path"]?.stringValue ?? "/v1/chat/completions"
        guard let api = InferenceAPI(path: path) else {
            return (400, ErrorResponse.openAIBody(.notFound(path)))
        }
        var headers = HTTPHeaders()
        if case .object(let pairs)? = v["headers"] {
            for (k, val) in pairs { if let s = val.stringValue { headers.add(k, s) } }
        }
        let body: [UInt8]
        switch v["body"] {
        case .string(let s)?: body = Array(s.utf8)
        case let b?: body = b.serialized()
        case nil: body = Array("{}".utf8)
        }
        let model = (try? JSONValue.parse(body).get())?["model"]?.stringValue ?? headers.firstString("x-gateway-model-name") ?? ""
        let stream = (try? JSONValue.parse(body).get())?["stream"]?.boolValue ?? false
        var r = PipelineRequest(api: api.gatewayAPI, path: path, headers: headers, body: body, model: model, stream: stream,
                                tenant: nil, requestID: "explain")
        let env = DryRunEnvironment()
        var verdicts: [ProcessorVerdict] = []
        for p in snap.pipeline.processors {
            let verdict = p.explain(&r, env: env)
            verdicts.append(verdict)
            if verdict.verdict == "block" || verdict.verdict == "reject" || verdict.verdict == "hit" { break }
        }
        var out: [UInt8] = Array("{\"model\":".utf8)
        JSONWriter.appendString(model, to: &out)
        out += Array(",\"route\":".utf8)
        if let name = r.routeName { JSONWriter.appendString(name, to: &out) } else { out += Array("null".utf8) }
        out += Array(",\"backends\":".utf8)
        writeBackends(r.routeIndex.map { snap.routes[$0] }, into: &out)
        out += Array(",\"processors\":[".utf8)
        for (i, pv) in verdicts.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{\"processor\":".utf8)
            JSONWriter.appendString(pv.processor, to: &out)
            out += Array(",\"type\":".utf8)
            JSONWriter.appendString(pv.type, to: &out)
            out += Array(",\"verdict\":".utf8)
            JSONWriter.appendString(pv.verdict, to: &out)
            out += Array(",\"detail\":".utf8)
            if let d = pv.detail { JSONWriter.appendString(d, to: &out) } else { out += Array("null".utf8) }
            out.append(UInt8(ascii: "}"))
        }
        out += Array("],\"cache\":".utf8)
        if let c = r.cache { JSONWriter.appendString(c, to: &out) } else { out += Array("null".utf8) }
        out += Array(",\"limits\":".utf8)
        writeLimits(snap: snap, request: &r, api: api, headers: headers, into: &out)
        out += Array(",\"upstream_called\":false}".utf8)
        return (200, out)
    }

    /// The limiter's verdict per matching bucket, nothing taken; `null` before a route is known.
    private static func writeLimits(snap: RuntimeSnapshot, request r: inout PipelineRequest, api: InferenceAPI,
                                    headers: HTTPHeaders, into out: inout [UInt8]) {
        guard r.routeName != nil, snap.limiter != nil || snap.globalLimits != nil, let index = r.scannedBody() else {
            out += Array("null".utf8)
            return
        }
        guard case .success(let id) = snap.auth.identify(headers) else {
            out += Array("{\"error\":\"unauthenticated\"}".utf8)
            return
        }
        var named: [String: String] = [:]
        for name in snap.limitHeaderNames { if let v = headers.firstString(name) { named[name] = v } }
        let subject = LimitSubject(tenant: id.tenant, apiKeyName: id.keyName, clientIP: headers.firstString("x-forwarded-for") ?? "-",
                                   model: r.model, route: r.routeName, headers: named)
        let isEmbeddings = api == .embeddings
        let cost = r.body.withUnsafeBytes { raw in
            LimitCost(inputTokens: snap.tokenEstimator.inputTokens(body: raw, index: index),
                      outputTokens: snap.tokenEstimator.outputReservation(body: raw, index: index, isEmbeddings: isEmbeddings),
                      isEmbeddings: isEmbeddings)
        }
        var rows = snap.limiter?.dryRun(subject, cost: cost) ?? []
        for c in snap.globalLimits?.charges(for: subject, cost: cost, maxOutput: snap.config.tokenEstimation.maxOutputReservation) ?? [] {
            rows.append(LimitDryRun(name: c.name, key: c.key, unit: c.unit, cost: c.cost, remaining: -1, capacity: c.burst,
                                    decision: "not_evaluated", scope: "global"))
        }
        out += Array("[".utf8)
        for (i, row) in rows.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{\"name\":".utf8)
            JSONWriter.appendString(row.name, to: &out)
            out += Array(",\"key\":".utf8)
            JSONWriter.appendString(row.key, to: &out)
            out += Array(",\"scope\":\"\(row.scope)\",\"unit\":\"\(row.unit.rawValue)\",\"cost\":\(row.cost)".utf8)
            out += Array(",\"remaining\":\(row.scope == "global" ? "null" : String(row.remaining)),\"capacity\":\(row.capacity)".utf8)
            out += Array(",\"decision\":\"\(row.decision)\"}".utf8)
        }
        out += Array("]".utf8)
    }

    /// The route's primary targets (weights, model rewrite, endpoints) and fallbacks, and how one is chosen.
    private static func writeBackends(_ route: CompiledRoute?, into out: inout [UInt8]) {
        guard let route else {
            out += Array("null".utf8)
            return
        }
        func targets(_ ts: [CompiledTarget]) {
            out.append(UInt8(ascii: "["))
            for (i, t) in ts.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out += Array("{\"backend\":".utf8)
                JSONWriter.appendString(t.backend.name, to: &out)
                out += Array(",\"weight\":\(t.weight),\"model\":".utf8)
                if let m = t.model { JSONWriter.appendString(m, to: &out) } else { out += Array("null".utf8) }
                out += Array(",\"load_balancing\":".utf8)
                JSONWriter.appendString(t.backend.loadBalancing.rawValue, to: &out)
                out += Array(",\"endpoints\":[".utf8)
                for (k, ep) in t.backend.endpoints.enumerated() {
                    if k > 0 { out.append(UInt8(ascii: ",")) }
                    JSONWriter.appendString(ep.label, to: &out)
                }
                out += Array("]}".utf8)
            }
            out.append(UInt8(ascii: "]"))
        }
        out += Array("{\"primary\":".utf8)
        targets(route.targets)
        out += Array(",\"fallbacks\":".utf8)
        targets(route.fallbacks)
        out += Array(",\"choice\":".utf8)
        let why = route.targets.count > 1
            ? "weighted random over the primaries, then each backend's load_balancing over its healthy endpoints"
            : "the only primary backend, its load_balancing over its healthy endpoints"
        JSONWriter.appendString(why, to: &out)
        out += Array(",\"attempts\":\(route.retry?.attempts ?? 1)}".utf8)
    }
}
