/// Response-side state of a `ProxyExchange`.
struct RelayState {
    /// Largest non-stream upstream body the gateway buffers.
    static let maxBufferedBody = 64 * 1024 * 1024

    var head: HTTPResponseHead?
    var streaming = false
    var body: [UInt8] = []
    var usage = TokenUsage(input: nil, output: nil)
    var generatedBytes = 0
    var lastFailure: GatewayError?
    var error: String?
}

extension ProxyExchange: UpstreamExchangeDelegate {
    /// Sends the request to the chosen endpoint (`fresh`: never reuse a pooled connection).
    func send(fresh: Bool) {
        guard let t = target, let ep = endpoint else { return }
        let conn: UpstreamConnection
        var reused = false
        do {
            if fresh {
                conn = try UpstreamConnection.open(to: ep, loop: ctx.loop)
                conn.pool = ctx.pool
            } else {
                (conn, reused) = try ctx.pool.acquire(ep, maxConnections: t.backend.maxConnections)
            }
        } catch {
            upstreamDidFail(error, reusedBeforeResponse: false)
            return
        }
        connection = conn
        ep.inFlight.wrappingAdd(1, ordering: .relaxed)
        ep.requests.wrappingAdd(1, ordering: .relaxed)
        ctx.stats.upstreamAttempts.wrappingAdd(1, ordering: .relaxed)
        upstreamSentAt = SystemClock.monotonicNanos()
        let bytes = buildUpstreamRequest(target: t, endpoint: ep)
        conn.begin(request: bytes, method: .post, timeouts: t.backend.timeouts, reused: reused, delegate: self)
    }

    func upstreamDidReceiveHead(_ head: HTTPResponseHead) {
        firstByteAt = SystemClock.monotonicNanos()
        recordUpstreamOutcome(head.status < 400 ? 0 : head.status)
        // Retry or fall back on a configured status, only while nothing reached the client.
        if head.status >= 400, shouldRetry(status: head.status), hasNextAttempt() {
            if head.status == 429, let ep = endpoint { excluded.insert(ObjectIdentifier(ep)) }
            endpoint?.recordFailure("status \(head.status)")
            relay.lastFailure = .upstreamUnavailable("upstream answered \(head.status)")
            let c = connection
            releaseEndpoint()
            c?.cancel()
            nextAttempt()
            return
        }
        relay.head = head
        let isSSE = head.headers.first("content-type").map { Self.contains($0, "text/event-stream") } ?? false
        if stream && isSSE && head.status >= 200 && head.status < 300 {
            relay.streaming = true
            ctx.stats.streams.wrappingAdd(1, ordering: .relaxed)
            responder.startStream(status: head.status, headers: clientHeaders(head))
            responder.onWritable = { [weak self] in self?.connection?.resumeReading() }
        }
    }

    func upstreamDidReceiveBody(_ bytes: UnsafeRawBufferPointer) {
        if !relay.streaming {
            guard relay.body.count + bytes.count <= RelayState.maxBufferedBody else {
                let c = connection
                releaseEndpoint()
                c?.cancel()
                fail(.upstreamUnavailable("response larger than \(RelayState.maxBufferedBody) bytes"))
                return
            }
            relay.body.append(contentsOf: bytes)
            return
        }
        var batch: [UInt8] = []
        var payload = 0
        let ok = sse.feed(bytes) { event in
            if filterEvent(event) {
                event.withUnsafeBytes { HTTPSerializer.writeChunk($0, into: &batch) }
                payload += event.count
            }
        }
        if !batch.isEmpty { responder.sendEncodedChunks(batch, payloadBytes: payload) }
        if !ok {
            cutStream(message: "upstream event exceeded the size limit")
            return
        }
        if !responder.hasCapacity { connection?.pauseReading() }
    }

    /// Reads usage from one SSE event; false when the client must not see it (the usage-only chunk
    /// the gateway asked for).
    private func filterEvent(_ event: ArraySlice<UInt8>) -> Bool {
        guard let data = SSEEvent.data(of: event) else { return true }
        return data.withUnsafeBytes { raw in
            UsageExtractor.fold(sseData: raw, into: &relay.usage)
            relay.generatedBytes += UsageExtractor.generatedTextBytes(sseData: raw)
            if injectedUsage && UsageExtractor.isUsageOnlyChunk(raw) { return false }
            return true
        }
    }

    func upstreamDidFinish() {
        releaseEndpoint()
        guard let head = relay.head else { return }
        if relay.streaming {
            let rest = sse.takePending()
            if !rest.isEmpty, filterEvent(rest[...]) { responder.sendChunk(rest) }
            responder.endStream()
        } else {
            relay.body.withUnsafeBytes { raw in
                if let u = UsageExtractor.fromBody(raw) { relay.usage = u }
                if relay.usage.output == nil { relay.generatedBytes = UsageExtractor.generatedTextBytes(body: raw) }
            }
            responder.respond(status: head.status, body: relay.body) { out in writeClientHeaders(head, into: &out) }
        }
        complete(status: head.status)
    }

    func upstreamDidFail(_ failure: UpstreamFailure, reusedBeforeResponse: Bool) {
        let failedEndpoint = endpoint
        releaseEndpoint()
        if done { return }
        if reusedBeforeResponse {
            // The upstream closed an idle keep-alive connection under us: one more try on a fresh one.
            send(fresh: true)
            return
        }
        failedEndpoint?.recordFailure("\(failure)")
        if relay.head == nil { recordUpstreamOutcome(failure.outcomeDetail) }
        ctx.stats.upstreamFailures.wrappingAdd(1, ordering: .relaxed)
        if relay.streaming {
            cutStream(message: "upstream failed mid-stream: \(failure.gatewayError.message)")
            return
        }
        relay.lastFailure = failure.gatewayError
        if relay.head == nil, shouldRetry(failure), hasNextAttempt() {
            nextAttempt()
            return
        }
        fail(failure.gatewayError)
    }

    /// Ends a relayed stream with the in-band error event and a close without the last chunk.
    func cutStream(message: String) {
        let c = connection
        releaseEndpoint()
        c?.cancel()
        let event = ErrorResponse.streamErrorEvent(message: message, type: "upstream_error", code: "stream_interrupted")
        responder.sendChunk(event)
        responder.abort()
        relay.error = "stream_interrupted"
        complete(status: relay.head?.status ?? 502)
    }

    private func shouldRetry(status: Int) -> Bool {
        guard let p = snap.routes[routeIndex].retry else { return false }
        return p.retries(status: status)
    }

    private func shouldRetry(_ failure: UpstreamFailure) -> Bool {
        guard let p = snap.routes[routeIndex].retry else {
            // No policy: one try, then the fallbacks on a connect error only.
            if case .connect = failure { return true }
            return false
        }
        switch failure {
        case .connect: return p.onConnectError
        case .firstByteTimeout: return p.onFirstByteTimeout
        case .reset: return p.onReset
        default: return false
        }
    }

    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard haystack.count >= n.count else { return false }
        var i = haystack.startIndex
        while i + n.count <= haystack.endIndex {
            var match = true
            for k in 0..<n.count {
                var b = haystack[i + k]
                if b >= 0x41 && b <= 0x5A { b += 0x20 }
                if b != n[k] { match = false; break }
            }
            if match { return true }
            i += 1
        }
        return false
    }
}
