
/// What the mock answers, decided before any delay.
enum MockAnswer {
    /// A whole response with `Content-Length`.
    case full(status: Int, headers: HTTPHeaders, body: [UInt8])
    /// A generated JSON reply, rendered when it is sent (into the handler's reused buffer).
    case reply(status: Int, MockReply)
    /// A chunked SSE stream.
    case stream(status: Int, plan: MockStreamPlan, pacing: MockStream.Pacing, dropAfter: Int?)
}

/// The mock's request handler, one per event loop (SPEC §9). Loop-confined.
///
/// Every answer is rendered at once; `--latency-ms` plus `x-mock-delay-ms` then delay the head on a
/// loop timer (never a sleep), and a client disconnect cancels that timer.
final class MockHandler: HTTPServerHandler {
    let loop: EventLoop
    let options: MockOptions
    let log: MockRequestLog
    private var sequence = 0
    /// Reused body buffer of generated replies (the fast path allocates no fresh body array).
    private var scratch: [UInt8] = []
    private let jsonHeaders: HTTPHeaders
    private let textHeaders: HTTPHeaders
    private let sseHeaders: HTTPHeaders

    init(loop: EventLoop, options: MockOptions, log: MockRequestLog) {
        self.loop = loop
        self.options = options
        self.log = log
        var h = HTTPHeaders()
        h.add("content-type", "application/json")
        jsonHeaders = h
        h = HTTPHeaders()
        h.add("content-type", "text/plain")
        textHeaders = h
        h = HTTPHeaders()
        h.add("content-type", "text/event-stream")
        h.add("cache-control", "no-cache")
        sseHeaders = h
    }

    /// Errors the connection answers itself take the Anthropic shape on `/v1/messages`.
    func errorBody(_ error: GatewayError, path: String?) -> [UInt8] {
        path == "/v1/messages" ? ErrorResponse.anthropicBody(error) : ErrorResponse.openAIBody(error)
    }

    /// Logs the request (except `/health` and `/mock/requests`), renders the answer, then sends it
    /// now or after the configured delay.
    func handle(_ request: ServerRequest, responder: HTTPResponder) {
        let head = request.head
        if head.path == "/mock/requests" {
            serveLog(head.method, responder)
            return
        }
        if head.path != "/health" { log.record(head: head, body: request.body) }
        let steering = MockSteering(head.headers, maxDelayMs: options.maxDelayMs)
        let answer = prepare(request, steering)
        let delay = options.latencyNanos &+ UInt64(steering.delayMs) &* 1_000_000
        guard delay > 0 else {
            deliver(answer, responder)
            return
        }
        let node = TimerNode()
        node.action = { [unowned self] in
            responder.onCancel = nil
            self.deliver(answer, responder)
        }
        responder.onCancel = { [loop] in loop.timers.cancel(node) }
        loop.timers.arm(node, now: loop.now, durationNanos: delay)
    }

    // MARK: routing

    private func prepare(_ request: ServerRequest, _ steering: MockSteering) -> MockAnswer {
        let head = request.head
        let api: MockAPI
        switch head.path {
        case "/v1/chat/completions": api = .chat
        case "/v1/completions": api = .completions
        case "/v1/embeddings": api = .embeddings
        case "/v1/responses": api = .responses
        case "/v1/messages": api = .messages
        case "/mock/webhook":
            return .full(status: steering.status ?? 200, headers: jsonHeaders, body: MockWebhook.answer(request.body))
        case "/health", "/v1/models":
            guard head.method == .get || head.method == .head else { return error(405, "Method not allowed on this path", "method_not_allowed", head.path) }
            if let s = steering.status, s >= 400 { return steered(s, head.path) }
            let status = steering.status ?? 200
            return head.path == "/health" ? .full(status: status, headers: textHeaders, body: Array("ok".utf8))
                                          : .full(status: status, headers: jsonHeaders, body: MockReplies.models)
        default:
            return error(404, "Unknown path \(head.path)", "not_found", head.path)
        }
        guard head.method == .post else { return error(405, "Method not allowed on this path", "method_not_allowed", head.path) }
        if let s = steering.status, s >= 400 { return steered(s, head.path) }
        return generate(api, request, steering, status: steering.status ?? 200)
    }

    private func generate(_ api: MockAPI, _ request: ServerRequest, _ steering: MockSteering, status: Int) -> MockAnswer {
        let parsed = request.body.withUnsafeBytes { raw -> Result<MockRequestFacts, JSONError> in
            JSONScanner.scanObject(raw).map { MockRequestFacts(body: raw, index: $0) }
        }
        let facts: MockRequestFacts
        switch parsed {
        case .success(let f): facts = f
        case .failure(let e):
            return error(400, "Request body is not valid JSON: \(e.reason) at byte \(e.offset)", "invalid_json", request.head.path)
        }
        let text: MockReplyText
        var hitLimit = false
        if let custom = steering.replyText {
            text = MockReplyText(custom: custom)
        } else {
            text = MockReplyText(words: min(facts.maxTokens ?? options.defaultCompletionTokens, options.maxCompletionTokens))
            hitLimit = facts.maxTokens != nil
        }
        sequence &+= 1
        let reply = MockReply(api: api, facts: facts, text: text, usage: !steering.noUsage, hitLimit: hitLimit,
                              loopIndex: loop.index, sequence: sequence)
        if facts.stream && api != .embeddings {
            let pacing: MockStream.Pacing = steering.chunkBytes > 0
                ? .bytes(size: steering.chunkBytes, gapNanos: options.chunkGapNanos)
                : .events(intervalNanos: options.tokenIntervalNanos)
            return .stream(status: status, plan: MockStreamPlan.build(reply), pacing: pacing, dropAfter: steering.dropAfterChunks)
        }
        return .reply(status: status, reply)
    }

    // MARK: answers

    private func deliver(_ answer: MockAnswer, _ responder: HTTPResponder) {
        switch answer {
        case .full(let status, let headers, let body):
            responder.respond(status: status, headers: headers, body: body)
        case .reply(let status, let reply):
            MockReplies.body(reply, options: options, into: &scratch)
            responder.respond(status: status, headers: jsonHeaders, body: scratch)
            // Keep the buffer for the next answer unless one reply made it large.
            scratch.removeAll(keepingCapacity: scratch.capacity <= 64 * 1024)
        case .stream(let status, let plan, let pacing, let dropAfter):
            let stream = MockStream(responder: responder, loop: loop, plan: plan, pacing: pacing, dropAfter: dropAfter)
            stream.start(status: status, headers: sseHeaders)
        }
    }

    private func error(_ status: Int, _ message: String, _ code: String, _ path: String) -> MockAnswer {
        .full(status: status, headers: jsonHeaders,
              body: MockReplies.error(status: status, message: message, code: code, anthropic: path == "/v1/messages"))
    }

    /// The answer to `x-mock-status`.
    private func steered(_ status: Int, _ path: String) -> MockAnswer {
        var message = "mock status "
        message += String(status)
        return error(status, message, "mock_status", path)
    }

    private func serveLog(_ method: HTTPMethod, _ responder: HTTPResponder) {
        switch method {
        case .get:
            responder.respond(status: 200, headers: jsonHeaders, body: log.renderJSON())
        case .delete:
            log.clear()
            responder.respond(status: 200, headers: jsonHeaders, body: Array(#"{"cleared":true}"#.utf8))
        default:
            responder.respond(status: 405, headers: jsonHeaders,
                              body: MockReplies.error(status: 405, message: "Method not allowed on this path",
                                                      code: "method_not_allowed", anthropic: false))
        }
    }
}
