/// The data-plane `HTTPServerHandler` of one loop: routes paths, answers `GET /v1/models`, and
/// runs a `ProxyExchange` for each processed request. Loop-confined.
final class ProxyHandler: HTTPServerHandler {
    let ctx: LoopContext

    init(ctx: LoopContext) { self.ctx = ctx }

    func screenHead(_ head: HTTPRequestHead, peer: SocketAddress?) -> GatewayError? {
        if InferenceAPI(path: head.path) != nil {
            if head.method != .post { return .methodNotAllowed() }
        } else if head.path == "/v1/models" {
            if head.method != .get && head.method != .head { return .methodNotAllowed() }
        } else {
            return .notFound(head.path)
        }
        // 401 before the body is read.
        if case .failure(let e) = ctx.snapshots.current.auth.identify(head.headers) { return e }
        if let enc = head.headers.first("content-encoding"), !Self.isIdentity(enc) {
            return .unsupportedContentEncoding()
        }
        return nil
    }

    private static func isIdentity(_ v: ArraySlice<UInt8>) -> Bool {
        let trimmed = v.drop(while: { $0 == 32 || $0 == 9 })
        return trimmed.isEmpty || trimmed.elementsEqual("identity".utf8)
    }

    func handle(_ request: ServerRequest, responder: HTTPResponder) {
        if request.head.path == "/v1/models" {
            answerModels(request, responder: responder)
            return
        }
        let exchange = ProxyExchange(ctx: ctx, request: request, responder: responder)
        exchange.start()
    }

    func errorBody(_ error: GatewayError, path: String?) -> [UInt8] {
        path == "/v1/messages" ? ErrorResponse.anthropicBody(error) : ErrorResponse.openAIBody(error)
    }

    func didAnswerLocally(_ error: GatewayError, head: HTTPRequestHead?, peer: SocketAddress?, startedAt: UInt64) {
        ctx.stats.record(status: error.status)
        ctx.metrics.add(.requests, MetricLabelSet.unrouted, detail: error.status)
        guard ctx.accessLog.isEnabled else { return }
        var e = AccessLogEntry()
        e.timestampNanos = SystemClock.realtimeNanos()
        e.requestID = head.flatMap { ProxyExchange.clientRequestID($0.headers) } ?? ctx.random.requestID()
        e.method = head.map { Self.methodName($0.method) } ?? ""
        e.path = head.map { String($0.path.prefix(256)) } ?? ""
        e.status = error.status
        e.error = error.code
        e.durationMs = Double(SystemClock.monotonicNanos() &- startedAt) / 1e6
        ctx.accessLog.append(loop: ctx.loop.index, e)
    }

    private func answerModels(_ request: ServerRequest, responder: HTTPResponder) {
        let snap = ctx.snapshots.current
        var allowed = snap.modelIDs
        if case .success(let who) = snap.auth.identify(request.head.headers) {
            allowed = allowed.filter { ClientAuthenticator.allows(who, model: $0) }
        }
        var body: [UInt8] = Array(#"{"object":"list","data":["#.utf8)
        for (i, id) in allowed.enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: #"{"id":"#.utf8)
            JSONWriter.appendString(id, to: &body)
            body.append(contentsOf: #","object":"model","created":0,"owned_by":"sluice"}"#.utf8)
        }
        body.append(literal: "]}")
        var h = HTTPHeaders()
        h.add("content-type", "application/json")
        h.add("x-request-id", ProxyExchange.clientRequestID(request.head.headers) ?? ctx.random.requestID())
        responder.respond(status: 200, headers: h, body: body)
        ctx.stats.record(status: 200)
        ctx.metrics.add(.requests, MetricLabelSet.unrouted, detail: 200)
    }

    static func methodName(_ m: HTTPMethod) -> String {
        switch m {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .options: "OPTIONS"
        case .patch: "PATCH"
        case .connect: "CONNECT"
        case .trace: "TRACE"
        case .other(let s): String(s.prefix(16))
        }
    }
}
