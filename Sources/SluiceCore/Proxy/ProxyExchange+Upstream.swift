/// Response-side state of a `ProxyExchange`, one per exchange. A class, so the exchange object stays small
/// enough for malloc's per-thread cache (an object over ~1 KB takes glibc's large-chunk path, which merges
/// every small free chunk first: that cost showed in the profile at every request).
final class RelayState {
    /// Largest non-stream upstream body the gateway buffers.
    static let maxBufferedBody = 64 * 1024 * 1024

    var head: HTTPResponseHead?
    var streaming = false
    var body: [UInt8] = []
    var usage = TokenUsage(input: nil, output: nil)
    var generatedBytes = 0
    /// Stream text estimate: exact text counted on the first events, then scaled by payload bytes
    /// (usage normally arrives in-band; this only matters when it does not).
    var sampledEvents = 0
    var sampleText = 0
    var samplePayload = 0
    var unsampledPayload = 0

    /// Sampled events before the estimate switches to payload scaling.
    static let textSampleEvents = 16

    /// Estimated generated-text bytes of a relayed stream.
    var streamTextEstimate: Int {
        guard samplePayload > 0 else { return sampleText }
        return sampleText + Int(Double(unsampledPayload) * Double(sampleText) / Double(samplePayload))
    }
    var lastFailure: GatewayError?
    var error: String?
    /// Splits a relayed stream into events (its callback updates the other fields: they are separate
    /// stored properties of this class, so the accesses do not overlap).
    var sse = SSEEventSplitter()
}

extension ProxyExchange: UpstreamExchangeDelegate {
    /// Sends the request to the chosen endpoint (`fresh`: never reuse a pooled connection).
    func send(fresh: Bool) {
        guard let t = target, let ep = endpoint else { return }
        let conn: UpstreamConnection
        var reused = false
        do {
            let granted = grantedConnection
            grantedConnection = nil
            if let g = granted, g.state != .closed {
                // Handed over by the pool; the upstream may have closed it since (then acquire anew).
                (conn, reused) = (g, true)
            } else if fresh {
                conn = try UpstreamConnection.open(to: ep, loop: ctx.loop, tls: t.backend.tls)
                conn.pool = ctx.pool
            } else {
                (conn, reused) = try ctx.pool.acquire(ep, maxConnections: t.backend.maxConnections, tls: t.backend.tls)
            }
        } catch .saturated {
            waitForConnectionSlot(t.backend, ep)
            return
        } catch {
            leaveSlotQueue()
            upstreamDidFail(error, reusedBeforeResponse: false)
            return
        }
        leaveSlotQueue()
        connection = conn
        ep.inFlight.wrappingAdd(1, ordering: .relaxed)
        if let load = t.backend.load {
            load.inFlight.wrappingAdd(1, ordering: .relaxed)
            countedLoad = load
        }
        ep.requests.wrappingAdd(1, ordering: .relaxed)
        ctx.stats.upstreamAttempts.wrappingAdd(1, ordering: .relaxed)
        upstreamSentAt = SystemClock.monotonicNanos()
        conn.begin(method: .post, timeouts: t.backend.timeouts, reused: reused, delegate: self) { out in
            buildUpstreamRequest(target: t, endpoint: ep, into: &out)
        }
    }

    func upstreamDidReceiveHead(_ head: HTTPResponseHead) {
        firstByteAt = SystemClock.monotonicNanos()
        recordUpstreamOutcome(head.status < 400 ? 0 : head.status)
        let retry = head.status >= 400 && shouldRetry(status: head.status) && hasNextAttempt()
        if let ep = endpoint {
            // A 5xx counts towards outlier ejection; any other answer ends a failure streak.
            if head.status >= 500 {
                ep.recordFailure("status \(head.status)", outlier: target?.backend.outlier, now: ctx.loop.now)
            } else {
                ep.recordSuccess()
                if retry { ep.recordFailure("status \(head.status)", ejectable: false) }
            }
        }
        // Retry or fall back on a configured status, only while nothing reached the client.
        if retry {
            if head.status == 429, let ep = endpoint { excluded.insert(ObjectIdentifier(ep)) }
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
            if snap.pipeline.hasStreamFilters {
                for i in stride(from: processors.count - 1, through: 0, by: -1) where processors[i].filtersStreams {
                    if let f = withRequestMoved({ processors[i].streamFilter(request: $0, scratch: &scratch[i], env: self) }) { filters.append(f) }
                }
            }
            responder.startStream(status: head.status, headers: clientHeaders(head))
            responder.onWritable = { [unowned self] in connection?.resumeReading() }
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
        // Sized once for the read's events plus their chunk framing (a few bytes per event of tens or
        // hundreds of bytes), so the batch does not grow (reallocate and copy) event by event.
        var batch: [UInt8] = []
        batch.reserveCapacity(bytes.count + bytes.count / 8 + 64)
        var payload = 0
        var blocked: (String, String)?
        let ok = relay.sse.feed(bytes) { event in
            guard blocked == nil, filterEvent(event) else { return }
            if filters.isEmpty {
                event.withUnsafeBytes { HTTPSerializer.writeChunk($0, into: &batch) }
                payload += event.count
                return
            }
            switch runFilters([Array(event)], from: 0) {
            case .events(let out):
                for e in out {
                    e.withUnsafeBytes { HTTPSerializer.writeChunk($0, into: &batch) }
                    payload += e.count
                }
            case .blocked(let out, let message, let code):
                for e in out {
                    e.withUnsafeBytes { HTTPSerializer.writeChunk($0, into: &batch) }
                    payload += e.count
                }
                blocked = (message, code)
            }
        }
        if !batch.isEmpty { responder.sendEncodedChunks(batch, payloadBytes: payload) }
        if let (message, code) = blocked {
            cutStream(message: message, type: "invalid_request_error", code: code)
            return
        }
        if !ok {
            cutStream(message: "upstream event exceeded the size limit")
            return
        }
        if !responder.hasCapacity { connection?.pauseReading() }
    }

    /// Reads usage from one SSE event; false when the client must not see it (the usage-only chunk
    /// the gateway asked for).
    private func filterEvent(_ event: ArraySlice<UInt8>) -> Bool {
        // The common event is one `data: …` line: read it in place, no copy.
        if let range = SSEEvent.singleDataLine(event) {
            return event.withUnsafeBytes { all in
                inspect(UnsafeRawBufferPointer(rebasing: all[(range.lowerBound - event.startIndex)..<(range.upperBound - event.startIndex)]))
            }
        }
        guard let data = SSEEvent.data(of: event) else { return true }
        return data.withUnsafeBytes { inspect($0) }
    }

    /// Reads usage and counts text of one event's data; false for the usage-only chunk the client
    /// must not see. Kept to one cheap pass for ordinary token events.
    private func inspect(_ raw: UnsafeRawBufferPointer) -> Bool {
        if relay.sampledEvents < RelayState.textSampleEvents {
            relay.sampledEvents += 1
            relay.sampleText += UsageExtractor.generatedTextBytes(sseData: raw)
            relay.samplePayload += raw.count
        } else {
            relay.unsampledPayload += raw.count
        }
        guard UsageExtractor.hasUsageObject(raw) else { return true }
        UsageExtractor.fold(sseData: raw, into: &relay.usage)
        if injectedUsage && UsageExtractor.isUsageOnlyChunk(raw) { return false }
        return true
    }

    func upstreamDidFinish() {
        releaseEndpoint()
        guard let head = relay.head else { return }
        if relay.streaming {
            var tail: [[UInt8]] = []
            let rest = relay.sse.takePending()
            if !rest.isEmpty, filterEvent(rest[...]) { tail.append(rest) }
            if !filters.isEmpty {
                switch finishFilters(tail) {
                case .events(let out): tail = out
                case .blocked(let out, let message, let code):
                    for e in out { responder.sendChunk(e) }
                    cutStream(message: message, type: "invalid_request_error", code: code)
                    return
                }
            }
            for e in tail { responder.sendChunk(e) }
            settle(status: head.status)
            responder.endStream()
            complete(status: head.status)
            return
        }
        // With response hooks the body is scanned once, for its usage and for the hooks.
        let hooks = snap.pipeline.hasResponseHooks
        var index: JSONObjectIndex?
        relay.body.withUnsafeBytes { raw in
            if hooks, case .success(let i) = JSONScanner.scanObject(raw) { index = i }
            let usage: TokenUsage?
            if let i = index {
                usage = UsageExtractor.fromBody(raw, index: i)
            } else {
                usage = UsageExtractor.fromBody(raw)
            }
            if let u = usage { relay.usage = u }
            if relay.usage.output == nil { relay.generatedBytes = UsageExtractor.generatedTextBytes(body: raw) }
        }
        if hooks {
            let res = PipelineResponse(status: head.status, headers: head.headers, body: relay.body, isLocal: false,
                                       bodyIndex: index)
            relay.body = []
            runResponseHooks(res, from: processors.count - 1)
            return
        }
        settle(status: head.status)
        responder.respond(status: head.status, body: relay.body) { out in writeClientHeaders(head, into: &out) }
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
        failedEndpoint?.recordFailure("\(failure)", outlier: target?.backend.outlier, ejectable: failure.isEndpointFault,
                                      now: ctx.loop.now)
        if relay.head == nil { recordUpstreamOutcome(failure.outcomeDetail) }
        ctx.stats.upstreamFailures.wrappingAdd(1, ordering: .relaxed)
        if relay.streaming {
            cutStream(message: "upstream failed mid-stream: \(failure.gatewayError.message)")
            return
        }
        var error = failure.gatewayError
        // Every try went to an endpoint known to be down (panic mode) and none could be reached.
        if !triedHealthy, failure.isConnectError, let t = target { error = .noHealthyBackend(t.backend.name) }
        relay.lastFailure = error
        if relay.head == nil, shouldRetry(failure), hasNextAttempt() {
            nextAttempt()
            return
        }
        fail(error)
    }

    /// Ends a relayed stream with the in-band error event and a close without the last chunk.
    func cutStream(message: String, type: String = "upstream_error", code: String = "stream_interrupted") {
        let c = connection
        releaseEndpoint()
        c?.cancel()
        for f in filters { f.abandon() }
        filters = []
        let event = ErrorResponse.streamErrorEvent(message: message, type: type, code: code)
        responder.sendChunk(event)
        responder.abort()
        relay.error = code
        complete(status: relay.head?.status ?? 502)
    }

    /// Passes events through the stream filters from `i` on.
    func runFilters(_ events: [[UInt8]], from i: Int) -> StreamFilterOutput {
        var current = events
        var k = i
        while k < filters.count {
            var next: [[UInt8]] = []
            for e in current {
                switch filters[k].process(e) {
                case .events(let out): next += out
                case .blocked(let out, let m, let c):
                    next += out
                    // Later filters still see what the blocking filter released.
                    if case .events(let rest) = runFilters(next, from: k + 1) { return .blocked(events: rest, message: m, code: c) }
                    return .blocked(events: [], message: m, code: c)
                }
            }
            current = next
            k += 1
        }
        return .events(current)
    }

    /// End of a complete stream: each filter flushes, its output passing through the later ones.
    func finishFilters(_ tail: [[UInt8]]) -> StreamFilterOutput {
        var emitted: [[UInt8]] = []
        switch runFilters(tail, from: 0) {
        case .events(let out): emitted += out
        case .blocked(let out, let m, let c): return .blocked(events: emitted + out, message: m, code: c)
        }
        for k in filters.indices {
            switch filters[k].finish() {
            case .events(let out):
                switch runFilters(out, from: k + 1) {
                case .events(let more): emitted += more
                case .blocked(let more, let m, let c): return .blocked(events: emitted + more, message: m, code: c)
                }
            case .blocked(let out, let m, let c):
                return .blocked(events: emitted + out, message: m, code: c)
            }
        }
        return .events(emitted)
    }

    private func shouldRetry(status: Int) -> Bool {
        guard let p = snap.routes[routeIndex].retry else { return false }
        return p.retries(status: status)
    }

    private func shouldRetry(_ failure: UpstreamFailure) -> Bool {
        guard let p = snap.routes[routeIndex].retry else {
            // No policy: one try, then the fallbacks on a connect error only.
            return failure.isConnectError
        }
        switch failure {
        case .connect, .saturated: return p.onConnectError
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
