/// One processed request through the data plane, from parsed body to the last response byte.
/// Loop-confined; created per request by `ProxyHandler`.
///
/// Phases (pingora-style, one context object per request):
/// `start` (JSON scan, model, route) → `nextAttempt` (target, endpoint, upstream request; `+Balancing`) →
/// upstream head (retry/fallback decision, relay mode) → body relay → `complete` (log, stats).
///
/// An instance is 986 bytes: keep it at most 1,000, or every request takes glibc's large-chunk path
/// (`RelayState` is a class of its own for that reason).
final class ProxyExchange {
    let ctx: LoopContext
    let snap: RuntimeSnapshot
    /// The client's request; its body buffer goes back to the loop's `BodyBufferPool` at `complete`.
    var request: ServerRequest
    let responder: HTTPResponder
    let api: InferenceAPI?
    var requestID = ""
    var model = ""
    var routeIndex = -1
    var stream = false
    /// The gateway added `stream_options.include_usage` and must hide the usage-only chunk.
    var injectedUsage = false
    /// Request body after gateway-wide edits, before the per-target model rewrite.
    var baseBody: [UInt8] = []
    var baseIndex: JSONObjectIndex?
    var primaryTriesLeft = 1
    var fallbackCursor = 0
    var attempts = 0
    var excluded: Set<ObjectIdentifier> = []
    /// Some attempt went to a healthy endpoint (else every try was a panic pick: see `nextAttempt`).
    var triedHealthy = false
    /// The endpoint `pickEndpoint` returned last was healthy.
    var pickedHealthy = false
    /// Hash of the prompt prefix, computed on the first prefix_affinity pick.
    var affinityHash: UInt64?
    /// The prefix_affinity backend counter this request's attempt counts in.
    var countedLoad: BackendLoad?
    var target: CompiledTarget?
    var endpoint: UpstreamEndpoint?
    var connection: UpstreamConnection?
    var upstreamModel: String?
    var upstreamSentAt: UInt64 = 0
    var firstByteAt: UInt64 = 0
    let relay = RelayState()
    /// The request as the pipeline sees and changes it.
    var preq = PipelineRequest.vacant
    /// Per-processor request state, indexed like `snap.pipeline.processors`.
    var scratch: [ProcessorScratch] = []
    /// Next request hook to run.
    var stage = 0
    /// Waiting for a coalesced cache leader.
    var awaitingCoalesced = false
    /// Stream filters of the response hooks (reverse config order).
    var filters: [StreamEventFilter] = []
    /// The in-flight webhook call, if any.
    var webhook: WebhookClient?
    /// The caller (API key name, tenant).
    var identity: ClientIdentity?
    /// Tokens and requests reserved at admission, settled once.
    var reservation: LimitReservation?
    /// The limiter that settles `reservation` (the local one, or the stand-in for global limits).
    var reservationLimiter: RateLimiter?
    /// While waiting for a connection slot (`max_connections` reached): when the wait ends, its timer,
    /// the endpoint waited for, whether the exchange is in that endpoint's queue now, and a connection
    /// the pool handed over (used on the next turn of the loop).
    var slotDeadline: UInt64 = 0
    var slotTimer: TimerNode?
    var slotEndpoint: UpstreamEndpoint?
    var inSlotQueue = false
    /// Numbers this exchange's entries in slot queues (an entry left behind by an earlier wait must
    /// not count as the current one).
    var slotTicket = 0
    var grantedConnection: UpstreamConnection?
    /// What global (Redis) buckets reserved at admission, settled once.
    var globalReservation: GlobalReservation?
    /// The x-ratelimit-* values for the response.
    var limitHeaders: RateLimitHeaders?
    /// The limit that rejected the request (access log).
    var limitedBy: String?
    var done = false
    /// Accounting settled (`settle`), with the usage it used.
    var settled = false
    var settledUsage: (input: Int?, output: Int?, estimated: Bool)?

    init(ctx: LoopContext, request: ServerRequest, responder: HTTPResponder) {
        self.ctx = ctx
        self.snap = ctx.snapshots.current
        self.request = request
        self.responder = responder
        self.api = InferenceAPI(path: request.head.path)
    }

    deinit {
        // The slot-queue timer captures the exchange unowned; unlinked here, it cannot fire for one that is gone.
        slotTimer?.detach()
    }

    /// The client's `x-request-id` when it is at most 128 characters of `[A-Za-z0-9._-]`.
    static func clientRequestID(_ headers: HTTPHeaders) -> String? {
        guard let v = headers.first("x-request-id"), !v.isEmpty, v.count <= 128 else { return nil }
        for b in v {
            let ok = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
            if !ok { return nil }
        }
        return String(decoding: v, as: UTF8.self)
    }

    func start() {
        requestID = Self.clientRequestID(request.head.headers) ?? ctx.random.requestID()
        // The responder holds this exchange as its owner for as long as it keeps its callbacks (it drops
        // them first), so they capture it unowned: a weak capture would give every exchange a side table
        // and send each of its retains and releases down the runtime's slow path.
        responder.onCancel = { [unowned self] in clientGone() }
        responder.owner = self
        let scanned = request.body.withUnsafeBytes { JSONScanner.scanObject($0) }
        let index: JSONObjectIndex
        switch scanned {
        case .failure(let e):
            fail(.invalidJSON(e.reason))
            return
        case .success(let i):
            index = i
        }
        request.body.withUnsafeBytes { raw in
            if let m = index.member("model", in: raw), m.kind == .string {
                model = JSONScanner.decodeString(m.valueRange, in: raw) ?? ""
            }
            if let s = index.member("stream", in: raw), s.kind == .bool {
                stream = raw[s.valueRange.lowerBound] == UInt8(ascii: "t")
            }
        }
        if model.isEmpty, let h = request.head.headers.firstString("x-gateway-model-name") { model = h }
        guard !model.isEmpty else {
            fail(.missingModel())
            return
        }
        switch snap.auth.identify(request.head.headers) {
        case .failure(let e):
            fail(e)
            return
        case .success(let who):
            identity = who
            guard ClientAuthenticator.allows(who, model: model) else {
                fail(GatewayError(status: 403, type: "permission_error", code: "model_not_allowed",
                                  message: "This API key may not use the model '\(model)'"))
                return
            }
        }
        baseIndex = index
        preq = PipelineRequest(api: api?.gatewayAPI ?? .chatCompletions, path: request.head.path,
                               headers: request.head.headers, body: request.body, model: model, stream: stream,
                               tenant: identity?.tenant, requestID: requestID)
        preq.bodyIndex = index
        scratch = Array(repeating: .none, count: snap.pipeline.processors.count)
        runRequestHooks()
    }

    /// After the request hooks: the route is known; forward upstream.
    func proceedUpstream() {
        guard let r = preq.routeIndex, r < snap.routes.count else {
            fail(.modelNotFound(model))
            return
        }
        routeIndex = r
        var index = baseIndex
        if preq.bodyChanged {
            index = preq.scannedBody()
            guard index != nil else {
                fail(GatewayError(status: 503, type: "processor_error", code: "processor_unavailable",
                                  message: "A processor produced an invalid request body"))
                return
            }
        }
        guard let idx = index else { return }
        switch admit(index: idx) {
        case .admitted: admitted(index: idx)
        case .refused, .pending: return
        }
    }

    /// Every limit admitted the request: on to the upstream.
    func admitted(index idx: JSONObjectIndex) {
        let r = routeIndex
        prepareBody(index: idx)
        primaryTriesLeft = max(1, snap.routes[r].retry?.attempts ?? 1)
        nextAttempt()
    }

    /// Gateway-wide body edits: `stream_options.include_usage` for streams that did not ask for usage.
    private func prepareBody(index: JSONObjectIndex) {
        let source = preq.body
        baseBody = source
        baseIndex = index
        guard stream, api?.acceptsStreamOptions == true else { return }
        let edited: [UInt8]? = source.withUnsafeBytes { raw in
            guard let so = index.member("stream_options", in: raw) else {
                return JSONEdit.replacingMember("stream_options", withValue: Array(#"{"include_usage":true}"#.utf8),
                                                in: source, index: index)
            }
            guard so.kind == .object else { return nil }
            let inner = JSONScanner.members(ofObjectAt: so.valueRange, in: raw)
            let asked = inner.contains { m in
                m.kind == .bool && raw[m.valueRange.lowerBound] == UInt8(ascii: "t")
                    && raw[m.keyRange].elementsEqual("include_usage".utf8)
            }
            if asked { return nil }
            guard case .success(var v) = JSONValue.parse(UnsafeRawBufferPointer(rebasing: raw[so.valueRange])) else { return nil }
            _ = v.set(.bool(true), atPointer: "/include_usage")
            return JSONEdit.replacingMember("stream_options", withValue: v.serialized(), in: source, index: index)
        }
        if let e = edited {
            injectedUsage = true
            baseBody = e
            baseIndex = JSONObjectIndex.scanning(e)
        }
    }
}
