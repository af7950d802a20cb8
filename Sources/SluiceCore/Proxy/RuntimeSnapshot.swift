import Synchronization

/// The `retry` policy of a route (SPEC §2, §11).
struct CompiledRetry: Sendable {
    /// Total tries over the route's primary backends.
    var attempts: Int
    var onConnectError: Bool
    var onFirstByteTimeout: Bool
    var onReset: Bool
    var statuses: Set<Int>
    var anyServerError: Bool

    func retries(status: Int) -> Bool {
        statuses.contains(status) || (anyServerError && status >= 500 && status < 600)
    }
}

/// A backend as the loops use it: resolved endpoints and settings of one config generation.
/// Immutable; a DNS change makes a new one (`replacingEndpoints`) in a new snapshot revision.
final class CompiledBackend: Sendable {
    let name: String
    /// One per address of each endpoint URL (a host name may resolve to several).
    let endpoints: [UpstreamEndpoint]
    let timeouts: UpstreamTimeouts
    let maxConnections: Int
    /// Headers injected upstream (`credentials.headers`); values are secrets.
    let credentials: [(String, String)]
    /// TLS for https endpoints.
    let tls: UpstreamTLS?
    let loadBalancing: LoadBalancing
    /// Passive outlier ejection (`outlier:`), nil when off.
    let outlier: OutlierPolicy?
    /// Active health checks (`health_check:`), nil when off.
    let healthCheck: HealthCheckConfig?
    /// The consistent-hash ring over `endpoints` (prefix_affinity only).
    let ring: HashRing?
    /// In-flight requests over all endpoints, for the bounded-load rule (prefix_affinity only;
    /// process-wide and kept across reloads, like the endpoints).
    let load: BackendLoad?
    /// How long a request waits for a connection slot once `max_connections` is reached (SPEC §11).
    let queueTimeoutNanos: UInt64

    init(name: String, endpoints: [UpstreamEndpoint], timeouts: UpstreamTimeouts, maxConnections: Int,
         credentials: [(String, String)], tls: UpstreamTLS?, loadBalancing: LoadBalancing = .roundRobin,
         outlier: OutlierPolicy? = nil, healthCheck: HealthCheckConfig? = nil, load: BackendLoad? = nil,
         queueTimeoutNanos: UInt64 = 1_000_000_000) {
        self.queueTimeoutNanos = queueTimeoutNanos
        self.tls = tls
        self.loadBalancing = loadBalancing
        self.name = name
        self.endpoints = endpoints
        self.timeouts = timeouts
        self.maxConnections = maxConnections
        self.credentials = credentials
        self.outlier = outlier
        self.healthCheck = healthCheck
        if loadBalancing == .prefixAffinity {
            ring = HashRing(keys: endpoints.map { $0.url + "|" + ($0.address?.description ?? "-") })
            self.load = load ?? BackendLoad()
        } else {
            ring = nil
            self.load = nil
        }
    }

    /// The same backend over other endpoints (after a DNS change).
    func replacingEndpoints(_ eps: [UpstreamEndpoint]) -> CompiledBackend {
        CompiledBackend(name: name, endpoints: eps, timeouts: timeouts, maxConnections: maxConnections,
                        credentials: credentials, tls: tls, loadBalancing: loadBalancing, outlier: outlier,
                        healthCheck: healthCheck, load: load, queueTimeoutNanos: queueTimeoutNanos)
    }
}

/// In-flight requests of one prefix_affinity backend over all loops.
final class BackendLoad: Sendable {
    let inFlight = Atomic<Int>(0)
}

/// A host name and port of an endpoint URL (the key of the resolved-address table).
struct HostPort: Hashable, Sendable {
    var host: String
    var port: Int
}

/// Precomputed metric labels of one route target (SPEC §7: names from config only; the model
/// label is the upstream model written in the config, else the route's name).
final class TargetLabels: Sendable {
    let requests: MetricLabelSet
    let duration: MetricLabelSet
    let firstByte: MetricLabelSet
    let tokens: MetricLabelSet
    let route: String
    let model: String

    init(route: String, backend: String, model: String) {
        self.route = route
        self.model = model
        requests = MetricLabelSet(["route": route, "backend": backend, "model": model])
        duration = MetricLabelSet(["route": route, "model": model])
        firstByte = MetricLabelSet(["backend": backend])
        tokens = MetricLabelSet(["route": route, "model": model, "tenant": "other"])
    }
}

/// One weighted backend of a route, with the model name it rewrites to.
struct CompiledTarget: Sendable {
    var backend: CompiledBackend
    var weight: Int
    var model: String?
    var labels: TargetLabels
}

/// A route as the loops use it.
struct CompiledRoute: Sendable {
    var name: String
    var targets: [CompiledTarget]
    var totalWeight: Int
    var fallbacks: [CompiledTarget]
    var retry: CompiledRetry?
    /// Labels for answers given before a backend was chosen.
    var labels: TargetLabels
}

/// Everything a request needs from one config generation, built off the loops at load/reload and
/// swapped atomically. Immutable: a request reads it once and finishes on it.
final class RuntimeSnapshot: Sendable {
    let generation: Int
    let config: GatewayConfig
    let routes: [CompiledRoute]
    /// Every configured backend, in config order (those no route uses included).
    let backends: [CompiledBackend]
    /// Addresses of the endpoint host names (numeric hosts are not listed), as resolved for this
    /// snapshot; re-resolved every 30 s (`HostRefresher`).
    let resolvedHosts: [HostPort: [SocketAddress]]
    let routeTable: RouteTable
    let serverLimits: HTTPServerLimits
    /// Client `Authorization`/`x-api-key` are stripped upstream (auth api_key mode).
    let stripClientKeys: Bool
    /// Body of `GET /v1/models` (all exact model names of all routes).
    let modelIDs: [String]
    let tokenEstimator: TokenEstimator
    let pipeline: Pipeline
    /// Endpoints of the webhook processors, by `WebhookCall.endpointIndex`.
    let webhookEndpoints: [UpstreamEndpoint]
    let webhookTLS: [UpstreamTLS?]
    /// `processor="name"` labels, by pipeline position.
    let processorLabels: [MetricLabelSet]
    let auth: ClientAuthenticator
    /// Nil when no `rate_limits` are configured.
    let limiter: RateLimiter?
    /// The `scope: global` limits, kept in Redis; nil when there are none.
    let globalLimits: GlobalLimits?
    /// Lower-cased header names referenced by `header:<name>` key parts.
    let limitHeaderNames: [String]
    /// TLS termination for new data-plane connections (`listen.tls`); nil: plaintext.
    let listenTLS: ListenTLS?

    init(generation: Int, config: GatewayConfig, routes: [CompiledRoute], backends: [CompiledBackend] = [],
         resolvedHosts: [HostPort: [SocketAddress]] = [:], routeTable: RouteTable,
         serverLimits: HTTPServerLimits, stripClientKeys: Bool, modelIDs: [String], tokenEstimator: TokenEstimator,
         pipeline: Pipeline, webhookEndpoints: [UpstreamEndpoint], webhookTLS: [UpstreamTLS?], auth: ClientAuthenticator,
         limiter: RateLimiter?, globalLimits: GlobalLimits? = nil, listenTLS: ListenTLS? = nil) {
        self.globalLimits = globalLimits
        self.listenTLS = listenTLS
        self.webhookTLS = webhookTLS
        self.pipeline = pipeline
        self.auth = auth
        self.limiter = limiter
        var names: [String] = []
        for l in config.rateLimits {
            for part in l.key { if case .header(let n) = part, !names.contains(n) { names.append(n) } }
        }
        limitHeaderNames = names
        self.webhookEndpoints = webhookEndpoints
        processorLabels = pipeline.processors.map { MetricLabelSet(["processor": $0.name]) }
        self.generation = generation
        self.config = config
        self.routes = routes
        self.backends = backends
        self.resolvedHosts = resolvedHosts
        self.routeTable = routeTable
        self.serverLimits = serverLimits
        self.stripClientKeys = stripClientKeys
        self.modelIDs = modelIDs
        self.tokenEstimator = tokenEstimator
    }
}

extension RuntimeSnapshot {
    /// The same generation with other backends and routes (a DNS change): pipeline, limiter,
    /// auth and everything else are shared with this snapshot.
    func replacing(routes: [CompiledRoute], backends: [CompiledBackend], resolvedHosts: [HostPort: [SocketAddress]]) -> RuntimeSnapshot {
        RuntimeSnapshot(generation: generation, config: config, routes: routes, backends: backends,
                        resolvedHosts: resolvedHosts, routeTable: routeTable, serverLimits: serverLimits,
                        stripClientKeys: stripClientKeys, modelIDs: modelIDs, tokenEstimator: tokenEstimator,
                        pipeline: pipeline, webhookEndpoints: webhookEndpoints, webhookTLS: webhookTLS, auth: auth,
                        limiter: limiter, globalLimits: globalLimits, listenTLS: listenTLS)
    }
}
