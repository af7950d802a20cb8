/// Per-loop state of the data plane: the upstream pool, counters, the config view and a PRNG.
/// Loop-confined; one per event loop.
final class LoopContext {
    let loop: EventLoop
    let pool: UpstreamPool
    let stats: LoopStats
    let metrics = LoopMetrics()
    let accessLog: AccessLog
    let snapshots: SnapshotCache
    let state: ServerState
    var random = FastRandom()
    /// `tokens_total` label sets per (route target, configured tenant).
    var tenantLabels: [TenantLabelKey: MetricLabelSet] = [:]
    /// This loop's Redis connections (`cluster`); nil without a cluster store.
    var cluster: RedisClient?
    /// Requests of this loop waiting for an upstream connection slot (bounded).
    var slotWaiters = 0
    /// Round-robin cursors per backend name.
    var roundRobin: [String: Int] = [:]
    /// Buffers for building prompt-cache keys, lent to one request at a time.
    var cacheKeyScratch = PromptCacheKeyScratch()
    /// `processor_duration_seconds` cells by pipeline position, for snapshot `processorCellsGeneration`.
    private var processorCells: [LoopMetrics.HistogramCell] = []
    private var processorCellsGeneration = -1

    init(loop: EventLoop, stats: LoopStats, accessLog: AccessLog, store: ConfigStore, state: ServerState) {
        self.loop = loop
        self.pool = UpstreamPool(loop: loop)
        self.stats = stats
        self.accessLog = accessLog
        self.snapshots = SnapshotCache(store: store)
        self.state = state
    }

    /// The duration histogram of processor `i` of `snap`'s pipeline (cells are looked up again only when
    /// the generation changes).
    func processorDurationCell(_ i: Int, in snap: RuntimeSnapshot) -> LoopMetrics.HistogramCell {
        if processorCellsGeneration != snap.generation {
            processorCells = snap.processorLabels.map { metrics.histogramCell(.processorDuration, $0) }
            processorCellsGeneration = snap.generation
        }
        return processorCells[i]
    }
}

/// Key of a per-tenant label set.
struct TenantLabelKey: Hashable {
    var target: ObjectIdentifier
    var tenant: String
}

/// The processed inference endpoints (SPEC §3).
enum InferenceAPI: Sendable {
    case chatCompletions, completions, embeddings, responses, messages

    init?(path: String) {
        switch path {
        case "/v1/chat/completions": self = .chatCompletions
        case "/v1/completions": self = .completions
        case "/v1/embeddings": self = .embeddings
        case "/v1/responses": self = .responses
        case "/v1/messages": self = .messages
        default: return nil
        }
    }

    var gatewayAPI: GatewayAPI {
        switch self {
        case .chatCompletions: .chatCompletions
        case .completions: .completions
        case .embeddings: .embeddings
        case .responses: .responses
        case .messages: .messages
        }
    }

    /// APIs where the gateway may add `stream_options.include_usage` (others reject the field).
    var acceptsStreamOptions: Bool { self == .chatCompletions || self == .completions }
}
