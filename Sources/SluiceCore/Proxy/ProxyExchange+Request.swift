extension ProxyExchange {
    /// Appends the re-serialised upstream request (SPEC §3) to `out`: one Content-Length, no hop-by-hop
    /// headers, `Host` of the backend, forwarding headers, `x-gateway-model-name`, identity encoding, and
    /// the body with the model rewritten for this target.
    func buildUpstreamRequest(target t: CompiledTarget, endpoint ep: UpstreamEndpoint, into out: inout [UInt8]) {
        upstreamModel = t.model ?? model
        var body = baseBody
        if let m = t.model, m != model, let index = baseIndex {
            var value: [UInt8] = []
            JSONWriter.appendString(m, to: &value)
            body = JSONEdit.replacingMember("model", withValue: value, in: baseBody, index: index)
        }
        let src = preq.headers
        let stripKeys = snap.stripClientKeys || !t.backend.credentials.isEmpty
        out.reserveCapacity(out.count + 512 + src.storage.count + body.count)
        out.append(literal: "POST ")
        out.append(utf8: request.head.path)
        if let q = request.head.query {
            out.append(UInt8(ascii: "?"))
            out.append(utf8: q)
        }
        out.append(literal: " HTTP/1.1\r\nhost: ")
        out.append(utf8: ep.hostHeader)
        out.append(literal: "\r\n")
        var forwardedFor: ArraySlice<UInt8>?
        src.forEachEndToEnd { i in
            if Self.isReplacedUpstream(src, i, stripKeys: stripKeys) {
                if src.nameEquals(at: i, "x-forwarded-for") { forwardedFor = src.value(at: i) }
                return
            }
            src.writeField(i, into: &out)
        }
        for (n, v) in t.backend.credentials { appendHeader(&out, n, v) }
        out.append(literal: "x-forwarded-for: ")
        if let prior = forwardedFor, !prior.isEmpty {
            out.append(contentsOf: prior)
            out.append(literal: ", ")
        }
        out.append(utf8: request.peerHost)
        out.append(literal: request.isTLS ? "\r\nx-forwarded-proto: https\r\nx-request-id: "
                                           : "\r\nx-forwarded-proto: http\r\nx-request-id: ")
        out.append(utf8: requestID)
        out.append(literal: "\r\nx-gateway-model-name: ")
        out.append(utf8: upstreamModel ?? model)
        out.append(literal: "\r\naccept-encoding: identity\r\ncontent-length: ")
        HTTPSerializer.writeDecimal(body.count, into: &out)
        out.append(literal: "\r\n\r\n")
        out.append(contentsOf: body)
    }

    private func appendHeader(_ out: inout [UInt8], _ name: String, _ value: String) {
        out.append(utf8: name)
        out.append(literal: ": ")
        out.append(utf8: value)
        out.append(literal: "\r\n")
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

    /// Appends the upstream response's end-to-end headers (framing and `x-request-id` dropped)
    /// and the gateway's own.
    func writeClientHeaders(_ head: HTTPResponseHead, into out: inout [UInt8]) {
        writeEndToEnd(head.headers, into: &out)
        writeGatewayHeaders(into: &out)
    }

    /// Appends end-to-end fields except framing and `x-request-id` (the gateway sets its own).
    func writeEndToEnd(_ h: HTTPHeaders, into out: inout [UInt8]) {
        h.forEachEndToEnd { i in
            if h.nameEquals(at: i, "content-length") || h.nameEquals(at: i, "x-request-id") { return }
            h.writeField(i, into: &out)
        }
    }

    /// The same as a header block (for streams).
    func clientHeaders(_ head: HTTPResponseHead) -> HTTPHeaders {
        var h = head.headers.removingHopByHop()
        h.remove("content-length")
        h.remove("x-request-id")
        addGatewayHeaders(&h)
        return h
    }

    func addGatewayHeaders(_ h: inout HTTPHeaders) {
        var out: [UInt8] = []
        writeGatewayHeaders(into: &out)
        var i = 0
        // Re-parse our own well-formed lines into the block (rare path: streams, errors).
        while i < out.count {
            guard let colon = out[i...].firstIndex(of: UInt8(ascii: ":")),
                  let cr = out[colon...].firstIndex(of: 13) else { break }
            h.add(name: out[i..<colon], value: out[(colon + 2)..<cr])
            i = cr + 2
        }
    }

    /// `x-request-id`, `x-sluice-route`, `x-sluice-backend`, `server-timing`.
    func writeGatewayHeaders(into out: inout [UInt8]) {
        out.append(literal: "x-request-id: ")
        out.append(utf8: requestID)
        if routeIndex >= 0 {
            out.append(literal: "\r\nx-sluice-route: ")
            out.append(utf8: snap.routes[routeIndex].name)
        }
        if let t = target {
            out.append(literal: "\r\nx-sluice-backend: ")
            out.append(utf8: t.backend.name)
        }
        if let c = preq.cache {
            out.append(literal: "\r\nx-sluice-cache: ")
            out.append(utf8: c)
        }
        for (n, v) in preq.responseHeaders {
            out.append(literal: "\r\n")
            out.append(utf8: n)
            out.append(literal: ": ")
            out.append(utf8: v)
        }
        // server-timing: gateway;dur=<ms in the gateway>, upstream;dur=<ms to upstream first byte>
        let now = SystemClock.monotonicNanos()
        let upstream = firstByteAt > 0 ? firstByteAt &- upstreamSentAt : 0
        let total = now &- request.startedAt
        out.append(literal: "\r\n")
        writeLimitHeaders(into: &out)
        out.append(literal: "server-timing: gateway;dur=")
        Self.appendMillis(total > upstream ? total - upstream : 0, into: &out)
        out.append(literal: ", upstream;dur=")
        Self.appendMillis(upstream, into: &out)
        out.append(literal: "\r\n")
    }

    /// Nanoseconds as milliseconds with three decimals ("12.345").
    static func appendMillis(_ nanos: UInt64, into out: inout [UInt8]) {
        HTTPSerializer.writeMillis(micros: Int((nanos + 500) / 1000), into: &out)
    }

    // MARK: endings

    /// Answers a gateway error (after retries, with `x-should-retry: false`).
    func fail(_ error: GatewayError) {
        guard !done else { return }
        var e = error
        if attempts > 1 { e.headers.append(("x-should-retry", "false")) }
        relay.error = e.code
        if e.closeConnection {
            responder.respondError(e, path: request.head.path)
            complete(status: e.status)
            return
        }
        sendFinal(errorResponse(e))
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
        if connection != nil, let ep = endpoint {
            ep.inFlight.wrappingSubtract(1, ordering: .relaxed)
            countedLoad?.inFlight.wrappingSubtract(1, ordering: .relaxed)
        }
        countedLoad = nil
        connection = nil
    }

    /// Metric labels come from config only (SPEC §7), precomputed per route target.
    private func recordMetrics(status: Int, input: Int?, output: Int?, estimated: Bool) {
        let m = ctx.metrics
        let labels = target?.labels ?? (routeIndex >= 0 ? snap.routes[routeIndex].labels : nil)
        guard let l = labels else {
            m.add(.requests, MetricLabelSet.unrouted, detail: status)
            return
        }
        m.add(.requests, l.requests, detail: status)
        m.observe(.requestDuration, l.duration, Double(SystemClock.monotonicNanos() &- request.startedAt) / 1e9)
        if firstByteAt > 0 { m.observe(.upstreamFirstByte, l.firstByte, Double(firstByteAt &- upstreamSentAt) / 1e9) }
        guard let up = relay.head?.status, (200..<300).contains(up) else { return }
        let tokenLabels = tenantTokenLabels(l)
        if let i = input, i > 0 { m.add(.tokens, tokenLabels, detail: TokenSeries.detail(output: false, estimated: estimated), Double(i)) }
        if let o = output, o > 0 { m.add(.tokens, tokenLabels, detail: TokenSeries.detail(output: true, estimated: estimated), Double(o)) }
    }

    /// `tokens_total` labels with the tenant when it is named in config, else `other`.
    private func tenantTokenLabels(_ l: TargetLabels) -> MetricLabelSet {
        guard let who = identity, who.tenantIsConfigured, let tenant = who.tenant else { return l.tokens }
        let key = TenantLabelKey(target: ObjectIdentifier(l), tenant: tenant)
        if let cached = ctx.tenantLabels[key] { return cached }
        let set = MetricLabelSet(["route": l.route, "model": l.model, "tenant": tenant])
        if ctx.tenantLabels.count < 10_000 { ctx.tenantLabels[key] = set }
        return set
    }

    /// Counts one upstream attempt's outcome (`UpstreamOutcome`: index, or an HTTP status ≥ 100).
    func recordUpstreamOutcome(_ detail: Int) {
        guard let ep = endpoint else { return }
        ctx.metrics.add(.upstreamRequests, ep.metricLabels, detail: detail)
    }

    /// Settles the request's accounting (stats, tokens, metrics) once. Called just before the last
    /// response bytes go out, so a client that reads its answer and asks again sees it counted.
    func settle(status: Int) {
        guard !settled else { return }
        settled = true
        ctx.stats.record(status: status)
        let estimated = relay.usage.input == nil || relay.usage.output == nil
        var input = relay.usage.input
        var output = relay.usage.output
        // Only an upstream 2xx answer consumes tokens (a cache hit or a block does not); a client
        // that left mid-stream is still charged.
        if let upstream = relay.head?.status, (200..<300).contains(upstream) {
            if input == nil, let index = baseIndex, !baseBody.isEmpty {
                input = baseBody.withUnsafeBytes { raw in snap.tokenEstimator.inputTokens(body: raw, index: index) }
            }
            if output == nil {
                let text = relay.streaming ? relay.streamTextEstimate : relay.generatedBytes
                output = TokenEstimator.tokens(forTextBytes: text, bytesPerToken: snap.tokenEstimator.bytesPerToken)
            }
            ctx.stats.inputTokens.wrappingAdd(input ?? 0, ordering: .relaxed)
            ctx.stats.outputTokens.wrappingAdd(output ?? 0, ordering: .relaxed)
        }
        settledUsage = (input, output, estimated)
        settleLimits(input: input, output: output)
        recordMetrics(status: status, input: input, output: output, estimated: estimated)
    }

    /// Records the access-log line once (after the response went out).
    func complete(status: Int) {
        guard !done else { return }
        done = true
        defer { recycleBody() }
        leaveSlotQueue()
        if !scratch.isEmpty { endProcessors() }
        settle(status: status)
        guard ctx.accessLog.isEnabled else { return }
        var e = AccessLogEntry()
        e.timestampNanos = SystemClock.realtimeNanos()
        e.requestID = requestID
        e.method = "POST"
        e.path = request.head.path
        e.status = status
        if routeIndex >= 0 { e.route = snap.routes[routeIndex].name }
        e.backend = target?.backend.name
        e.endpoint = endpoint?.label
        e.model = model
        e.upstreamModel = upstreamModel
        e.stream = stream
        if status >= 200 && status < 300, let u = settledUsage {
            e.inputTokens = u.input
            e.outputTokens = u.output
            e.usageSource = u.estimated ? "estimated" : "upstream"
        }
        e.attempts = attempts
        e.durationMs = Double(SystemClock.monotonicNanos() &- request.startedAt) / 1e6
        if firstByteAt > 0 { e.upstreamFirstByteMs = Double(firstByteAt &- upstreamSentAt) / 1e6 }
        e.bytesIn = request.bytesIn
        e.bytesOut = responder.bytesOut
        e.error = relay.error
        e.cache = preq.cache
        e.guardrail = preq.guardrail
        e.tenant = identity?.tenant
        e.limitedBy = limitedBy
        ctx.accessLog.append(loop: ctx.loop.index, e)
    }

    /// The request body is no longer needed (the upstream connections copied it): its buffer goes back to the
    /// loop's pool, after the copies that share it are dropped.
    private func recycleBody() {
        preq.body = []
        baseBody = []
        ctx.loop.bodyBuffers.give(&request.body)
    }
}
