/// Drives the pipeline (see the diagram atop `Pipeline.swift`): request hooks in order, the
/// I/O their decisions ask for (webhook calls, waiting for a coalesced leader), local answers
/// passed back through the response hooks of the processors before the one that answered.
extension ProxyExchange: PipelineEnvironment {
    var processors: [any Processor] { snap.pipeline.processors }

    // MARK: request hooks

    func runRequestHooks() {
        // One clock read per hook: a hook's end is the next one's start.
        var t0: UInt64 = 0
        while stage < processors.count && !done {
            let p = processors[stage]
            guard p.hasRequestHook else {
                stage += 1
                continue
            }
            if t0 == 0 { t0 = SystemClock.monotonicNanos() }
            let d = p.handleRequest(&preq, scratch: &scratch[stage], env: self)
            t0 = recordProcessorTime(stage, since: t0)
            if !applyRequestDecision(d) { return }
        }
        if !done { proceedUpstream() }
    }

    /// Applies one request decision; true when the chain goes on synchronously.
    private func applyRequestDecision(_ d: ProcessorDecision) -> Bool {
        switch d {
        case .proceed:
            stage += 1
            return true
        case .answer(let a):
            answerLocally(a, before: stage)
            return false
        case .reject(let e):
            rejectLocally(e, before: stage)
            return false
        case .callWebhook(let call):
            let at = stage
            performWebhook(call) { [weak self] result in
                guard let self, !self.done else { return }
                let d2 = self.processors[at].resumeRequest(&self.preq, scratch: &self.scratch[at], result: result)
                if self.applyRequestDecision(d2) { self.runRequestHooks() }
            }
            return false
        case .awaitCoalesced:
            awaitingCoalesced = true
            return false
        case .fail(let why):
            return processorFailed(stage, why) { e in rejectLocally(e, before: stage) }
        }
    }

    /// Applies the failure mode; true when the chain goes on (fail_open).
    private func processorFailed(_ i: Int, _ why: String, closed: (GatewayError) -> Void) -> Bool {
        let p = processors[i]
        let open = p.failureMode == .failOpen
        ctx.metrics.add("processor_failures_total", snap.processorLabels[i].text + (open ? ",mode=\"fail_open\"" : ",mode=\"fail_closed\""))
        Logger.warn("processor '\(p.name)' failed (\(open ? "fail_open: skipped" : "fail_closed")): \(why)")
        if open {
            stage = i + 1
            return true
        }
        closed(GatewayError(status: 503, type: "processor_error", code: "processor_unavailable",
                            message: "Processor '\(p.name)' is unavailable"))
        return false
    }

    /// Observes processor `i`'s time since `t0`; returns the clock reading it took.
    private func recordProcessorTime(_ i: Int, since t0: UInt64) -> UInt64 {
        let now = SystemClock.monotonicNanos()
        ctx.processorDurationCell(i, in: snap).histogram.observe(Double(now &- t0) / 1e9)
        return now
    }

    // MARK: environment

    var nowNanos: UInt64 { SystemClock.monotonicNanos() }

    func makeCoalesceResumer() -> @Sendable (CachedResponse?) -> Void {
        let loop = ctx.loop
        let box = UncheckedWeak(self)
        return { response in
            loop.execute { box.value?.resumeCoalesced(response) }
        }
    }

    func sharedCacheFetch(_ key: [UInt8], _ completion: @escaping @Sendable (CachedResponse?) -> Void) -> Bool {
        guard let client = ctx.cluster else { return false }
        client.send(.cacheGet, RESPEncoder.command([Array("GET".utf8), key])) { reply in
            if case .success(.bulk(let bytes?)) = reply, let entry = CachedResponse(encoded: bytes) {
                completion(entry)
            } else {
                completion(nil)
            }
        }
        return true
    }

    func sharedCacheWriter() -> SharedCacheWriter? {
        guard let client = ctx.cluster else { return nil }
        return { key, response, ttlNanos in
            let ms = String(max(ttlNanos / 1_000_000, 1))
            client.send(.cacheSet, RESPEncoder.command([Array("SET".utf8), key, response.encoded(), Array("PX".utf8), Array(ms.utf8)])) { _ in }
        }
    }

    func withCacheKeyScratch<R>(_ body: (inout PromptCacheKeyScratch) -> R) -> R {
        body(&ctx.cacheKeyScratch)
    }

    func recordGuardrailAction(processor: String, detector: String, action: String) {
        ctx.metrics.add("guardrail_actions_total", MetricLabels.render(["processor": processor, "detector": detector, "action": action]))
    }

    /// The coalesced leader finished: resume the waiting processor.
    func resumeCoalesced(_ response: CachedResponse?) {
        guard awaitingCoalesced, !done, stage < processors.count else { return }
        awaitingCoalesced = false
        let d = processors[stage].resumeCoalesced(&preq, scratch: &scratch[stage], response: response)
        if applyRequestDecision(d) { runRequestHooks() }
    }

    // MARK: webhooks

    func performWebhook(_ call: WebhookCall, _ completion: @escaping (WebhookResult) -> Void) {
        guard call.endpointIndex < snap.webhookEndpoints.count else {
            completion(.failed("webhook endpoint missing"))
            return
        }
        let client = WebhookClient(loop: ctx.loop)
        webhook = client
        client.start(call, endpoint: snap.webhookEndpoints[call.endpointIndex], tls: snap.webhookTLS[call.endpointIndex],
                     pool: ctx.pool) { [weak self] r in
            self?.webhook = nil
            completion(r)
        }
    }

    // MARK: local answers and response hooks

    /// A processor at `position` answered: the response hooks of the processors before it run, then the client gets it.
    func answerLocally(_ a: LocalAnswer, before position: Int) {
        if a.errorCode == nil { peekLimits() }
        if let events = a.sseEvents {
            relay.error = a.errorCode
            sendReplayedStream(a, events: events)
            return
        }
        var h = HTTPHeaders()
        for (n, v) in a.headers { h.add(n, v) }
        let res = PipelineResponse(status: a.status, headers: h, body: a.body, isLocal: true)
        relay.error = a.errorCode
        runResponseHooks(res, from: position - 1)
    }

    func rejectLocally(_ e: GatewayError, before position: Int) {
        var h = HTTPHeaders()
        h.add("content-type", "application/json")
        for (n, v) in e.headers { h.add(n, v) }
        let body = request.head.path == "/v1/messages" ? ErrorResponse.anthropicBody(e) : ErrorResponse.openAIBody(e)
        relay.error = e.code
        runResponseHooks(PipelineResponse(status: e.status, headers: h, body: body, isLocal: true), from: position - 1)
    }

    /// Runs response hooks from `index` down to 0, then sends the response.
    func runResponseHooks(_ start: PipelineResponse, from index: Int) {
        var res = start
        var i = index
        var t0: UInt64 = 0
        while i >= 0 && !done {
            let p = processors[i]
            guard p.hasResponseHook else {
                i -= 1
                continue
            }
            if t0 == 0 { t0 = SystemClock.monotonicNanos() }
            let d = withRequestMoved { p.handleResponse(&res, request: $0, scratch: &scratch[i], env: self) }
            t0 = recordProcessorTime(i, since: t0)
            switch d {
            case .proceed, .awaitCoalesced:
                i -= 1
            case .answer(let a):
                res.status = a.status
                res.body = a.body
                res.headers = HTTPHeaders()
                for (n, v) in a.headers { res.headers.add(n, v) }
                i -= 1
            case .reject(let e):
                res = errorResponse(e)
                relay.error = e.code
                i -= 1
            case .callWebhook(let call):
                let at = i
                let snapshotRes = res
                performWebhook(call) { [weak self] result in
                    guard let self, !self.done else { return }
                    var r2 = snapshotRes
                    switch self.processors[at].resumeResponse(&r2, request: self.preq, scratch: &self.scratch[at], result: result) {
                    case .reject(let e):
                        r2 = self.errorResponse(e)
                        self.relay.error = e.code
                    case .fail(let why):
                        if self.processors[at].failureMode == .failClosed {
                            self.logProcessorFailure(at, why)
                            r2 = self.errorResponse(GatewayError(status: 503, type: "processor_error", code: "processor_unavailable",
                                                                 message: "Processor '\(self.processors[at].name)' is unavailable"))
                        } else {
                            self.logProcessorFailure(at, why)
                        }
                    default: break
                    }
                    self.runResponseHooks(r2, from: at - 1)
                }
                return
            case .fail(let why):
                logProcessorFailure(i, why)
                if p.failureMode == .failClosed {
                    res = errorResponse(GatewayError(status: 503, type: "processor_error", code: "processor_unavailable",
                                                     message: "Processor '\(p.name)' is unavailable"))
                }
                i -= 1
            }
        }
        sendFinal(res)
    }

    /// Runs `body` with the pipeline request moved out of the exchange and back. Passing `preq` itself to a
    /// hook that also gets the exchange as its environment made Swift copy it first (a retain and a release
    /// of each of its fields, per hook); the environment's methods never read `preq`.
    @inline(__always)
    func withRequestMoved<R>(_ body: (PipelineRequest) -> R) -> R {
        var moved = PipelineRequest.vacant
        swap(&moved, &preq)
        defer { swap(&moved, &preq) }
        return body(moved)
    }

    private func logProcessorFailure(_ i: Int, _ why: String) {
        let open = processors[i].failureMode == .failOpen
        ctx.metrics.add("processor_failures_total", snap.processorLabels[i].text + (open ? ",mode=\"fail_open\"" : ",mode=\"fail_closed\""))
        Logger.warn("processor '\(processors[i].name)' failed on the response: \(why)")
    }

    func errorResponse(_ e: GatewayError) -> PipelineResponse {
        var h = HTTPHeaders()
        h.add("content-type", "application/json")
        for (n, v) in e.headers { h.add(n, v) }
        let body = request.head.path == "/v1/messages" ? ErrorResponse.anthropicBody(e) : ErrorResponse.openAIBody(e)
        return PipelineResponse(status: e.status, headers: h, body: body, isLocal: true)
    }

    /// Sends a buffered response with the gateway's headers.
    func sendFinal(_ res: PipelineResponse) {
        guard !done else { return }
        settle(status: res.status)
        responder.respond(status: res.status, body: res.body) { out in
            writeEndToEnd(res.headers, into: &out)
            writeGatewayHeaders(into: &out)
        }
        complete(status: res.status)
    }

    /// A cached stream replayed as a stream.
    private func sendReplayedStream(_ a: LocalAnswer, events: [[UInt8]]) {
        var h = HTTPHeaders()
        for (n, v) in a.headers { h.add(n, v) }
        if !h.contains("content-type") { h.add("content-type", "text/event-stream") }
        addGatewayHeaders(&h)
        responder.startStream(status: a.status, headers: h)
        var batch: [UInt8] = []
        var payload = 0
        for e in events {
            e.withUnsafeBytes { HTTPSerializer.writeChunk($0, into: &batch) }
            payload += e.count
        }
        responder.sendEncodedChunks(batch, payloadBytes: payload)
        settle(status: a.status)
        responder.endStream()
        complete(status: a.status)
    }

    /// Tells every processor the request ended (a cache leader that stored nothing wakes its followers).
    func endProcessors() {
        for i in scratch.indices { processors[i].requestEnded(scratch: &scratch[i]) }
        webhook?.cancel()
        webhook = nil
    }
}

/// A weak reference that may cross threads; only dereferenced on the owner's loop.
final class UncheckedWeak<T: AnyObject>: @unchecked Sendable {
    weak var value: T?
    init(_ v: T) { value = v }
}
