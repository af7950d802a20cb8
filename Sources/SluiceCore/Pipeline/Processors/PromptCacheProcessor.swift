/// `prompt_cache`: exact-match response cache after the router (SPEC §4). A hit answers from
/// the store (replayed as a stream when it was one) and passes no bucket; identical concurrent
/// misses coalesce into one upstream call when `coalesce` is on.
final class PromptCacheProcessor: Processor {
    let name: String
    let failureMode: ProcessorFailureMode
    let config: PromptCacheConfig
    let store: PromptCacheStore
    let digest: any CacheDigest
    let ttlNanos: UInt64
    /// `<key_prefix>cache:<name>:` when `shared: true` (entries also live in Redis), else nil.
    let sharedPrefix: String?

    var typeName: String { "prompt_cache" }
    var hasResponseHook: Bool { true }
    var filtersStreams: Bool { true }

    init(name: String, failureMode: ProcessorFailureMode, config: PromptCacheConfig, store: PromptCacheStore, digest: any CacheDigest,
         sharedKeyPrefix: String? = nil) {
        sharedPrefix = config.shared ? (sharedKeyPrefix ?? "sluice:") + "cache:" + name + ":" : nil
        self.name = name
        self.failureMode = failureMode
        self.config = config
        self.store = store
        self.digest = digest
        ttlNanos = config.ttl.nanosecondsClamped
    }

    /// The key and directives of a request, or nil when it bypasses the cache.
    private func keyFor(_ r: inout PipelineRequest, env: PipelineEnvironment) -> (CacheKey, noCache: Bool, noStore: Bool)? {
        guard let route = r.routeName else { return nil }
        let cc = r.headers.first("cache-control").map { CachePolicy.directives(bytes: $0) } ?? (noCache: false, noStore: false)
        let api = CachePolicy.API(rawValue: r.api.cachePolicyAPI) ?? .chat
        guard let index = r.scannedBody() else { return nil }
        let cacheable = r.body.withUnsafeBytes { raw in
            CachePolicy.isCacheable(api: api, index: index, in: raw, deterministicOnly: config.deterministicOnly)
        }
        guard cacheable else { return nil }
        let model = r.upstreamModel ?? r.model
        let body = r.body
        let made = env.withCacheKeyScratch { scratch in
            PromptCacheKey.make(route: route, upstreamModel: model, body: body, index: index, digest: digest, scratch: &scratch)
        }
        guard let key = made else { return nil }
        return (key, cc.noCache, cc.noStore)
    }

    func handleRequest(_ r: inout PipelineRequest, scratch: inout ProcessorScratch, env: PipelineEnvironment) -> ProcessorDecision {
        guard r.routeName != nil else { return .fail("prompt_cache needs the model_router before it") }
        guard let (key, noCache, noStore) = keyFor(&r, env: env) else {
            r.cache = "bypass"
            store.recordBypass()
            return .proceed
        }
        if noCache {
            r.cache = "bypass"
            store.recordBypass()
            scratch = .cache(PromptCacheScratch(key: key, store: !noStore, ticket: nil))
            return .proceed
        }
        switch store.lookup(key, ttlNanos: ttlNanos, coalesce: config.coalesce, onLeaderDone: env.makeCoalesceResumer()) {
        case .hit(let response):
            r.cache = "hit"
            return .answer(Self.answer(response))
        case .leader(let ticket):
            r.cache = "miss"
            var sc = PromptCacheScratch(key: key, store: !noStore, ticket: ticket)
            // Shared: another replica may hold the answer; wait for the store (bounded by its timeout).
            if let prefix = sharedPrefix, env.sharedCacheFetch(Array((prefix + key.hex).utf8), env.makeCoalesceResumer()) {
                sc.awaitingShared = true
                scratch = .cache(sc)
                return .awaitCoalesced
            }
            scratch = .cache(sc)
            return .proceed
        case .follower:
            // A coalesced follower counts as a hit (it never reaches the upstream when the leader stores).
            r.cache = "hit"
            scratch = .cache(PromptCacheScratch(key: key, store: !noStore, ticket: nil))
            return .awaitCoalesced
        }
    }

    func resumeCoalesced(_ r: inout PipelineRequest, scratch: inout ProcessorScratch, response: CachedResponse?) -> ProcessorDecision {
        guard case .cache(var sc) = scratch else { return response.map { .answer(Self.answer($0)) } ?? .proceed }
        if sc.awaitingShared {
            // The shared store answered this replica's leader: a hit there is stored here too (waking
            // local followers); a miss goes upstream as the leader.
            sc.awaitingShared = false
            if let resp = response {
                r.cache = "hit"
                store.sharedHitCount.wrappingAdd(1, ordering: .relaxed)
                if let t = sc.ticket { store.complete(t, storing: resp, ttlNanos: ttlNanos) }
                sc.ticket = nil
                sc.store = false
                scratch = .cache(sc)
                return .answer(Self.answer(resp))
            }
            scratch = .cache(sc)
            return .proceed
        }
        if let resp = response { return .answer(Self.answer(resp)) }
        // The leader's answer was not stored: go upstream on our own (no coalescing this time).
        switch store.lookup(sc.key, ttlNanos: ttlNanos, coalesce: false, onLeaderDone: { _ in }) {
        case .hit(let resp):
            return .answer(Self.answer(resp))
        case .leader(let ticket):
            r.cache = "miss"
            sc.ticket = ticket
            scratch = .cache(sc)
            return .proceed
        case .follower:
            r.cache = "miss"
            return .proceed
        }
    }

    static func answer(_ c: CachedResponse) -> LocalAnswer {
        LocalAnswer(status: c.status, headers: c.headers, body: c.body, sseEvents: c.sseEvents, errorCode: nil)
    }

    func handleResponse(_ res: inout PipelineResponse, request: PipelineRequest, scratch: inout ProcessorScratch,
                        env: PipelineEnvironment) -> ProcessorDecision {
        guard case .cache(var sc) = scratch else { return .proceed }
        var stored: CachedResponse?
        if !res.isLocal, sc.store, (200..<300).contains(res.status) {
            let headers = res.headers.first("content-type").map(Self.storedHeaders) ?? []
            stored = CachedResponse(status: res.status, headers: headers, body: res.body)
        }
        if let t = sc.ticket {
            store.complete(t, storing: stored, ttlNanos: ttlNanos)
        } else if let s = stored {
            store.insert(sc.key, s, ttlNanos: ttlNanos)
        }
        if let s = stored, let prefix = sharedPrefix, let write = env.sharedCacheWriter(), s.body.count <= config.maxEntryBytes {
            write(Array((prefix + sc.key.hex).utf8), s, ttlNanos)
        }
        sc.ticket = nil
        sc.store = false
        scratch = .cache(sc)
        return .proceed
    }

    /// The headers stored with an answer of content type `value`. The usual JSON type shares one array
    /// (at 16 bytes the value is too long for a small string, and a fresh array per entry would be one more
    /// allocation per store, freed cold at eviction).
    private static func storedHeaders(_ value: ArraySlice<UInt8>) -> [(String, String)] {
        value == jsonType[...] ? jsonHeaders : [("content-type", String(decoding: value, as: UTF8.self))]
    }

    private static let jsonType = Array("application/json".utf8)
    private static let jsonHeaders = [("content-type", "application/json")]

    func streamFilter(request: PipelineRequest, scratch: inout ProcessorScratch, env: PipelineEnvironment) -> StreamEventFilter? {
        guard case .cache(var sc) = scratch, sc.store || sc.ticket != nil else { return nil }
        var shared: (key: [UInt8], write: SharedCacheWriter)?
        if let prefix = sharedPrefix, let write = env.sharedCacheWriter() { shared = (Array((prefix + sc.key.hex).utf8), write) }
        let recorder = CacheStreamRecorder(store: store, key: sc.key, ticket: sc.ticket, storeAnswer: sc.store,
                                           ttlNanos: ttlNanos, maxBytes: config.maxEntryBytes, shared: shared)
        // The recorder now owns the ticket.
        sc.ticket = nil
        sc.store = false
        scratch = .cache(sc)
        return recorder
    }

    func requestEnded(scratch: inout ProcessorScratch) {
        guard case .cache(var sc) = scratch, let t = sc.ticket else { return }
        store.complete(t, storing: nil, ttlNanos: ttlNanos)
        sc.ticket = nil
        scratch = .cache(sc)
    }

    func explain(_ r: inout PipelineRequest, env: PipelineEnvironment) -> ProcessorVerdict {
        guard r.routeName != nil else {
            return ProcessorVerdict(processor: name, type: typeName, verdict: "fail", detail: "needs the model_router before it")
        }
        guard let (key, noCache, _) = keyFor(&r, env: env) else {
            r.cache = "bypass"
            return ProcessorVerdict(processor: name, type: typeName, verdict: "bypass", detail: "not cacheable")
        }
        let hit = !noCache && store.contains(key, ttlNanos: ttlNanos)
        r.cache = noCache ? "bypass" : (hit ? "hit" : "miss")
        return ProcessorVerdict(processor: name, type: typeName, verdict: r.cache ?? "miss", detail: "key " + key.hex)
    }
}

/// Records a streamed answer's events for the cache while passing them on unchanged.
final class CacheStreamRecorder: StreamEventFilter {
    private let store: PromptCacheStore
    private let key: CacheKey
    private var ticket: CoalesceTicket?
    private var storeAnswer: Bool
    private let ttlNanos: UInt64
    private let maxBytes: Int
    private var events: [[UInt8]] = []
    private var bytes = 0
    private var finished = false
    private let shared: (key: [UInt8], write: SharedCacheWriter)?

    init(store: PromptCacheStore, key: CacheKey, ticket: CoalesceTicket?, storeAnswer: Bool, ttlNanos: UInt64, maxBytes: Int,
         shared: (key: [UInt8], write: SharedCacheWriter)? = nil) {
        self.shared = shared
        self.store = store
        self.key = key
        self.ticket = ticket
        self.storeAnswer = storeAnswer
        self.ttlNanos = ttlNanos
        self.maxBytes = maxBytes
    }

    func process(_ event: [UInt8]) -> StreamFilterOutput {
        if storeAnswer {
            bytes += event.count
            if bytes > maxBytes {
                // Too large to cache: stop recording (bounded memory), store nothing.
                storeAnswer = false
                events = []
            } else {
                events.append(event)
            }
        }
        return .events([event])
    }

    func finish() -> StreamFilterOutput {
        guard !finished else { return .events([]) }
        finished = true
        let stored = storeAnswer ? CachedResponse(status: 200, headers: [("content-type", "text/event-stream")], sseEvents: events) : nil
        if let t = ticket {
            store.complete(t, storing: stored, ttlNanos: ttlNanos)
        } else if let s = stored {
            store.insert(key, s, ttlNanos: ttlNanos)
        }
        if let s = stored, let shared { shared.write(shared.key, s, ttlNanos) }
        ticket = nil
        events = []
        return .events([])
    }

    func abandon() {
        guard !finished else { return }
        finished = true
        if let t = ticket { store.complete(t, storing: nil, ttlNanos: ttlNanos) }
        ticket = nil
        events = []
    }

    deinit { abandon() }
}
