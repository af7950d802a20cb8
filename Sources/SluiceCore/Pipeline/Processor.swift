/// The inference API of a processed request (the data plane's path table, for the pure layers).
enum GatewayAPI: Sendable, Equatable {
    case chatCompletions, completions, embeddings, responses, messages

    var cachePolicyAPI: String {
        switch self {
        case .chatCompletions: "chat"
        case .completions: "completions"
        case .embeddings: "embeddings"
        case .responses: "responses"
        case .messages: "messages"
        }
    }
}

/// A request as the processors see and change it. Owned by one request on its loop.
struct PipelineRequest {
    /// The body's top-level index (scanned once, then reused), or nil when the body is no JSON object.
    mutating func scannedBody() -> JSONObjectIndex? {
        if let i = bodyIndex { return i }
        bodyIndex = JSONObjectIndex.scanning(body)
        return bodyIndex
    }

    var api: GatewayAPI
    var path: String
    var headers: HTTPHeaders
    var body: [UInt8]
    /// Set when a processor changed `body` (the proxy re-scans it before forwarding).
    var bodyChanged = false {
        didSet { if bodyChanged { bodyIndex = nil } }
    }
    /// The scanned top-level members of `body`, shared by the processors so the body is scanned
    /// once; cleared whenever a processor changes the body.
    var bodyIndex: JSONObjectIndex?
    var model: String
    var stream: Bool
    var tenant: String?
    var requestID: String
    /// Set by the model_router.
    var routeIndex: Int?
    var routeName: String?
    /// The model the route sends upstream for its first primary target (cache key), set by the router.
    var upstreamModel: String?
    /// `x-sluice-cache` value when a cache processor ran.
    var cache: String?
    /// Access-log summary of guardrail actions ("redact:pii", "block:secrets" …).
    var guardrail: String?
    /// Headers added to the client's response.
    var responseHeaders: [(String, String)] = []

    /// An empty request (holds no storage): what stands in while the real one is lent out.
    static var vacant: PipelineRequest {
        PipelineRequest(api: .chatCompletions, path: "", headers: HTTPHeaders(), body: [], model: "", stream: false,
                        tenant: nil, requestID: "")
    }
}

/// An answer a processor gives itself (a block, a cache hit).
struct LocalAnswer: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    /// A replayed stream (cache hit of a streamed answer): the SSE events, sent as a chunked stream.
    var sseEvents: [[UInt8]]?
    /// Error code for the access log, when the answer is an error.
    var errorCode: String?
}

/// A response as response hooks see and change it (buffered JSON; streams go through
/// `StreamEventFilter`s instead).
struct PipelineResponse {
    var status: Int
    var headers: HTTPHeaders
    /// Changing it drops `bodyIndex`.
    var body: [UInt8] {
        didSet { bodyIndex = nil }
    }
    /// The answer came from a processor (block or cache hit), not from the upstream.
    var isLocal: Bool
    /// The top-level members of `body` when already scanned (the proxy scans an upstream body once for its
    /// usage and hands the index on), shared by the response hooks until one changes the body.
    var bodyIndex: JSONObjectIndex?

    init(status: Int, headers: HTTPHeaders, body: [UInt8], isLocal: Bool, bodyIndex: JSONObjectIndex? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.isLocal = isLocal
        self.bodyIndex = bodyIndex
    }

    /// The body's top-level index (scanned on first use, then reused), or nil when the body is no JSON object.
    mutating func scannedBody() -> JSONObjectIndex? {
        if let i = bodyIndex { return i }
        bodyIndex = JSONObjectIndex.scanning(body)
        return bodyIndex
    }
}

/// A call to an external processor that the proxy performs on the loop: `POST` of `body` to
/// the webhook endpoint with this index in the runtime snapshot.
struct WebhookCall: Sendable {
    var endpointIndex: Int
    var path: String
    var headers: [(String, String)]
    var body: [UInt8]
    var timeoutNanos: UInt64
}

/// The outcome of a webhook call as the proxy reports it back.
enum WebhookResult: Sendable {
    case answered(status: Int, body: [UInt8])
    case failed(String)
}

/// What a processor decided.
enum ProcessorDecision {
    /// Go on to the next processor (mutations, if any, are already applied).
    case proceed
    /// Answer the request now (block, cache hit); the chain stops.
    case answer(LocalAnswer)
    /// Answer with a gateway error (block, no route); the chain stops.
    case reject(GatewayError)
    /// Perform this call, then resume the processor with its result.
    case callWebhook(WebhookCall)
    /// A coalesced cache follower: wait until the leader finishes (`resumeCoalesced`).
    case awaitCoalesced
    /// The processor failed; the pipeline applies its failure mode.
    case fail(String)
}

/// Per-request memory of one processor (a cache ticket, a webhook phase …).
enum ProcessorScratch {
    case none
    case cache(PromptCacheScratch)
}

/// What processors may need from the outside world, supplied by the proxy per request.
protocol PipelineEnvironment: AnyObject {
    /// Monotonic nanoseconds.
    var nowNanos: UInt64 { get }
    /// A callback, safe to call from any thread once, that resumes this request on its loop when
    /// a coalesced cache leader finished (with its stored answer, or nil).
    func makeCoalesceResumer() -> @Sendable (CachedResponse?) -> Void
    /// Records a guardrail action for the metrics (`guardrail_actions_total`).
    func recordGuardrailAction(processor: String, detector: String, action: String)
    /// Looks `key` up in the shared store (SPEC §10 `shared: true`); `completion` runs once, on any
    /// thread, with the entry or nil (also on store errors). False when there is no shared store:
    /// then `completion` is never called.
    func sharedCacheFetch(_ key: [UInt8], _ completion: @escaping @Sendable (CachedResponse?) -> Void) -> Bool
    /// Stores into the shared store (fire and forget), bound to this request's loop; nil without one.
    func sharedCacheWriter() -> SharedCacheWriter?
    /// Runs `body` with the buffers this request's loop keeps for prompt-cache keys.
    func withCacheKeyScratch<R>(_ body: (inout PromptCacheKeyScratch) -> R) -> R
}

/// Saves an entry into the shared store: key, answer, time to live in nanoseconds.
typealias SharedCacheWriter = ([UInt8], CachedResponse, UInt64) -> Void

extension PipelineEnvironment {
    func sharedCacheFetch(_ key: [UInt8], _ completion: @escaping @Sendable (CachedResponse?) -> Void) -> Bool { false }
    func sharedCacheWriter() -> SharedCacheWriter? { nil }
    func withCacheKeyScratch<R>(_ body: (inout PromptCacheKeyScratch) -> R) -> R {
        var scratch = PromptCacheKeyScratch()
        return body(&scratch)
    }
}

/// Filters a streamed response event by event (response guardrails, cache store). One per
/// request; loop-confined.
protocol StreamEventFilter: AnyObject {
    /// Events to pass on now (maybe none while holding back, maybe rewritten).
    func process(_ event: [UInt8]) -> StreamFilterOutput
    /// End of a complete stream: everything held.
    func finish() -> StreamFilterOutput
    /// The stream failed or was cut: drop state (a cache leader stores nothing).
    func abandon()
}

enum StreamFilterOutput {
    case events([[UInt8]])
    /// Stop the stream: release `events`, then end it with an error event of this code.
    case blocked(events: [[UInt8]], message: String, code: String)
}

/// One payload processor of the pipeline (Envoy ext_proc style). Immutable and shared by all
/// loops; per-request state lives in `ProcessorScratch`.
protocol Processor: AnyObject, Sendable {
    var name: String { get }
    var typeName: String { get }
    var failureMode: ProcessorFailureMode { get }
    /// Processor `timeout` in nanoseconds (webhooks), nil when none.
    var timeoutNanos: UInt64? { get }
    var hasRequestHook: Bool { get }
    var hasResponseHook: Bool { get }
    var filtersStreams: Bool { get }

    func handleRequest(_ r: inout PipelineRequest, scratch: inout ProcessorScratch, env: PipelineEnvironment) -> ProcessorDecision
    func resumeRequest(_ r: inout PipelineRequest, scratch: inout ProcessorScratch, result: WebhookResult) -> ProcessorDecision
    func handleResponse(_ res: inout PipelineResponse, request: PipelineRequest, scratch: inout ProcessorScratch,
                        env: PipelineEnvironment) -> ProcessorDecision
    func resumeResponse(_ res: inout PipelineResponse, request: PipelineRequest, scratch: inout ProcessorScratch,
                        result: WebhookResult) -> ProcessorDecision
    /// A filter for a streamed upstream response, or nil.
    func streamFilter(request: PipelineRequest, scratch: inout ProcessorScratch, env: PipelineEnvironment) -> StreamEventFilter?
    /// The request hook as a dry run for `POST /explain`: no external calls, nothing stored.
    func explain(_ r: inout PipelineRequest, env: PipelineEnvironment) -> ProcessorVerdict
    /// A coalesced cache follower's leader finished (only processors that returned `awaitCoalesced`).
    func resumeCoalesced(_ r: inout PipelineRequest, scratch: inout ProcessorScratch, response: CachedResponse?) -> ProcessorDecision
    /// The request ended (answered, failed, cancelled): release what the scratch holds.
    func requestEnded(scratch: inout ProcessorScratch)
}

/// One processor's verdict in `/explain`.
struct ProcessorVerdict: Sendable {
    var processor: String
    var type: String
    var verdict: String       // "continue" | "mutate" | "block" | "hit" | "miss" | "skipped" …
    var detail: String?
}

extension Processor {
    var timeoutNanos: UInt64? { nil }
    var hasRequestHook: Bool { true }
    var hasResponseHook: Bool { false }
    var filtersStreams: Bool { false }
    func resumeRequest(_ r: inout PipelineRequest, scratch: inout ProcessorScratch, result: WebhookResult) -> ProcessorDecision {
        .fail("unexpected webhook result")
    }
    func handleResponse(_ res: inout PipelineResponse, request: PipelineRequest, scratch: inout ProcessorScratch,
                        env: PipelineEnvironment) -> ProcessorDecision { .proceed }
    func resumeResponse(_ res: inout PipelineResponse, request: PipelineRequest, scratch: inout ProcessorScratch,
                        result: WebhookResult) -> ProcessorDecision { .fail("unexpected webhook result") }
    func streamFilter(request: PipelineRequest, scratch: inout ProcessorScratch, env: PipelineEnvironment) -> StreamEventFilter? { nil }
    func resumeCoalesced(_ r: inout PipelineRequest, scratch: inout ProcessorScratch, response: CachedResponse?) -> ProcessorDecision {
        .proceed
    }
    func requestEnded(scratch: inout ProcessorScratch) {}
}
