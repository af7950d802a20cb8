extension ProxyExchange {
    /// The re-serialised upstream request (SPEC §3): one Content-Length, no hop-by-hop headers,
    /// `Host` of the backend, forwarding headers, `x-gateway-model-name`, identity encoding, and
    /// the body with the model rewritten for this target.
    func buildUpstreamRequest(target t: CompiledTarget, endpoint ep: UpstreamEndpoint) -> [UInt8] {
        upstreamModel = t.model ?? model
        var body = baseBody
        if let m = t.model, m != model, let index = baseIndex {
            var value: [UInt8] = []
            JSONWriter.appendString(m, to: &value)
            body = JSONEdit.replacingMember("model", withValue: value, in: baseBody, index: index)
        }
        let src = request.head.headers.removingHopByHop()
        let stripKeys = snap.stripClientKeys || !t.backend.credentials.isEmpty
        var out: [UInt8] = []
        out.reserveCapacity(512 + src.count * 48 + body.count)
        out.append(contentsOf: "POST ".utf8)
        out.append(contentsOf: request.head.path.utf8)
        if let q = request.head.query {
            out.append(UInt8(ascii: "?"))
            out.append(contentsOf: q.utf8)
        }
        out.append(contentsOf: " HTTP/1.1\r\nhost: ".utf8)
        out.append(contentsOf: ep.hostHeader.utf8)
        out.append(contentsOf: "\r\n".utf8)
        var forwardedFor: ArraySlice<UInt8>?
        for i in 0..<src.count {
            if Self.isReplacedUpstream(src, i, stripKeys: stripKeys) {
                if src.nameEquals(at: i, "x-forwarded-for") { forwardedFor = src.value(at: i) }
                continue
            }
            out.append(contentsOf: src.name(at: i))
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: src.value(at: i))
            out.append(contentsOf: "\r\n".utf8)
        }
        for (n, v) in t.backend.credentials { appendHeader(&out, n, v) }
        let peerIP = request.peer?.hostText ?? "unknown"
        if let prior = forwardedFor, !prior.isEmpty {
            appendHeader(&out, "x-forwarded-for", String(decoding: prior, as: UTF8.self) + ", " + peerIP)
        } else {
            appendHeader(&out, "x-forwarded-for", peerIP)
        }
        appendHeader(&out, "x-forwarded-proto", "http")
        appendHeader(&out, "x-request-id", requestID)
        appendHeader(&out, "x-gateway-model-name", upstreamModel ?? model)
        appendHeader(&out, "accept-encoding", "identity")
        appendHeader(&out, "content-length", String(body.count))
        out.append(contentsOf: "\r\n".utf8)
        out.append(contentsOf: body)
        return out
    }

    private func appendHeader(_ out: inout [UInt8], _ name: String, _ value: String) {
        out.append(contentsOf: name.utf8)
        out.append(contentsOf: ": ".utf8)
        out.append(contentsOf: value.utf8)
        out.append(contentsOf: "\r\n".utf8)
    }

    /// Client headers the gateway drops or sets itself upstream.
    private static func isReplacedUpstream(_ h: HTTPHeaders, _ i: Int, stripKeys: Bool) -> Bool {
        let name = h.name(at: i)
        guard let first = name.first else { return true }
        switch first | 0x20 {
        case UInt8(ascii: "h"): return h.nameEquals(at: i, "host")
        case UInt8(ascii: "c"): return h.nameEquals(at: i, "content-length") || h.nameEquals(at: i, "content-encoding")
        case UInt8(ascii: "a"):
            return h.nameEquals(at: i, "accept-encoding") || (stripKeys && h.nameEquals(at: i, "authorization"))
        case UInt8(ascii: "e"): return h.nameEquals(at: i, "expect")
        case UInt8(ascii: "x"):
            return h.nameEquals(at: i, "x-forwarded-for") || h.nameEquals(at: i, "x-forwarded-proto")
                || h.nameEquals(at: i, "x-request-id") || h.nameEquals(at: i, "x-gateway-model-name")
                || (stripKeys && h.nameEquals(at: i, "x-api-key"))
        default: return false
        }
    }

    /// Upstream response headers for the client: hop-by-hop and framing removed, the gateway's added.
    func clientHeaders(_ head: HTTPResponseHead) -> HTTPHeaders {
        var h = head.headers.removingHopByHop()
        h.remove("content-length")
        h.remove("x-request-id")
        addGatewayHeaders(&h)
        return h
    }

    func addGatewayHeaders(_ h: inout HTTPHeaders) {
        h.add("x-request-id", requestID)
        if routeIndex >= 0 { h.add("x-sluice-route", snap.routes[routeIndex].name) }
        if let t = target { h.add("x-sluice-backend", t.backend.name) }
        h.add("server-timing", serverTiming())
    }

    /// `gateway;dur=<ms in the gateway>, upstream;dur=<ms to upstream first byte>`.
    func serverTiming() -> String {
        let now = SystemClock.monotonicNanos()
        let total = Double(now &- request.startedAt) / 1e6
        let upstream = firstByteAt > 0 ? Double(firstByteAt &- upstreamSentAt) / 1e6 : 0
        return "gateway;dur=" + AccessLogEntry.millis(max(total - upstream, 0)) + ", upstream;dur=" + AccessLogEntry.millis(upstream)
    }

    // MARK: endings

    /// Answers a gateway error (after retries, with `x-should-retry: false`).
    func fail(_ error: GatewayError) {
        guard !done else { return }
        var e = error
        if attempts > 1 { e.headers.append(("x-should-retry", "false")) }
        e.headers.append(("x-request-id", requestID))
        if routeIndex >= 0 { e.headers.append(("x-sluice-route", snap.routes[routeIndex].name)) }
        responder.respondError(e, path: request.head.path)
        relay.error = e.code
        complete(status: e.status)
    }

    /// The client disconnected: cancel the upstream request.
    func clientGone() {
        guard !done else { return }
        let c = connection
        releaseEndpoint()
        c?.cancel()
        ctx.stats.clientCancelled.wrappingAdd(1, ordering: .relaxed)
        relay.error = "client_closed"
        complete(status: 499)
    }

    func releaseEndpoint() {
        if connection != nil, let ep = endpoint { ep.inFlight.wrappingSubtract(1, ordering: .relaxed) }
        connection = nil
    }

    /// Metric labels come from config only (SPEC §7): route and backend names, the upstream model
    /// named in the config (else the route's name), never raw client input.
    private func recordMetrics(status: Int, input: Int?, output: Int?, estimated: Bool) {
        let route = routeIndex >= 0 ? snap.routes[routeIndex].name : "other"
        let backend = target?.backend.name ?? "other"
        let model = target?.model ?? (routeIndex >= 0 ? route : "other")
        let m = ctx.metrics
        m.add("requests_total", MetricLabels.render(["route": route, "backend": backend, "model": model, "code": String(status)]))
        m.observe("request_duration_seconds", MetricLabels.render(["route": route, "model": model]),
                  Double(SystemClock.monotonicNanos() &- request.startedAt) / 1e9)
        if firstByteAt > 0 {
            m.observe("upstream_first_byte_seconds", MetricLabels.render(["backend": backend]),
                      Double(firstByteAt &- upstreamSentAt) / 1e9)
        }
        guard status >= 200 && status < 300 else { return }
        let source = estimated ? "estimated" : "upstream"
        let tenant = "other"
        if let i = input, i > 0 {
            m.add("tokens_total", MetricLabels.render(["route": route, "model": model, "tenant": tenant, "type": "input", "source": source]), Double(i))
        }
        if let o = output, o > 0 {
            m.add("tokens_total", MetricLabels.render(["route": route, "model": model, "tenant": tenant, "type": "output", "source": source]), Double(o))
        }
    }

    /// Counts one upstream attempt's outcome (`success`, `http_<status>`, `connect_error` …).
    func recordUpstreamOutcome(_ outcome: String) {
        guard let ep = endpoint else { return }
        ctx.metrics.add("upstream_requests_total", MetricLabels.render(["backend": ep.backendName, "endpoint": ep.url, "outcome": outcome]))
    }

    /// Records stats and the access-log line once.
    func complete(status: Int) {
        guard !done else { return }
        done = true
        ctx.stats.record(status: status)
        let estimated = relay.usage.input == nil || relay.usage.output == nil
        var input = relay.usage.input
        var output = relay.usage.output
        if status >= 200 && status < 300 {
            if input == nil {
                input = baseBody.withUnsafeBytes { raw in
                    baseIndex.map { snap.tokenEstimator.inputTokens(body: raw, index: $0) }
                }
            }
            if output == nil { output = TokenEstimator.tokens(forTextBytes: relay.generatedBytes, bytesPerToken: snap.tokenEstimator.bytesPerToken) }
            ctx.stats.inputTokens.wrappingAdd(input ?? 0, ordering: .relaxed)
            ctx.stats.outputTokens.wrappingAdd(output ?? 0, ordering: .relaxed)
        }
        recordMetrics(status: status, input: input, output: output, estimated: estimated)
        guard ctx.accessLog.isEnabled else { return }
        var e = AccessLogEntry()
        e.timestampNanos = SystemClock.realtimeNanos()
        e.requestID = requestID
        e.method = "POST"
        e.path = request.head.path
        e.status = status
        if routeIndex >= 0 { e.route = snap.routes[routeIndex].name }
        e.backend = target?.backend.name
        e.endpoint = endpoint?.url
        e.model = model
        e.upstreamModel = upstreamModel
        e.stream = stream
        if status >= 200 && status < 300 {
            e.inputTokens = input
            e.outputTokens = output
            e.usageSource = estimated ? "estimated" : "upstream"
        }
        e.attempts = attempts
        e.durationMs = Double(SystemClock.monotonicNanos() &- request.startedAt) / 1e6
        if firstByteAt > 0 { e.upstreamFirstByteMs = Double(firstByteAt &- upstreamSentAt) / 1e6 }
        e.bytesIn = request.bytesIn
        e.bytesOut = responder.bytesOut
        e.error = relay.error
        ctx.accessLog.append(loop: ctx.loop.index, e)
    }
}
