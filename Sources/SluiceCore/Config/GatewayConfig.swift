/// The whole validated configuration (SPEC §2): an immutable snapshot, swapped atomically on
/// reload and read once per request.
struct GatewayConfig: Sendable {
    var version = 1
    var listen = ListenConfig()
    var admin = AdminConfig()
    var server = ServerConfig()
    var logging = LoggingConfig()
    var auth = AuthConfig()
    var backends: [BackendConfig] = []
    var routes: [RouteConfig] = []
    var pipeline: [ProcessorConfig] = []
    var rateLimits: [RateLimitConfig] = []
    var tokenEstimation = TokenEstimationConfig()
    var cluster: ClusterConfig?
    /// Non-fatal findings, each `FILE:LINE:COL: warning: …`.
    var warnings: [String] = []
    /// Dotted paths of values that came from `${VAR}` (redacted in `redactedJSON`).
    var secretPaths: Set<String> = []

    /// The backend with this name.
    func backend(named name: String) -> BackendConfig? {
        backends.first { $0.name == name }
    }

    /// The route with this name.
    func route(named name: String) -> RouteConfig? {
        routes.first { $0.name == name }
    }

    static let topLevelKeys = ["version", "listen", "admin", "server", "logging", "auth", "backends", "routes", "pipeline",
                               "rate_limits", "token_estimation", "cluster"]
}

extension GatewayConfig {
    /// Decodes the root mapping section by section; cross-references are checked afterwards
    /// by `ConfigValidator`.
    static func decode(_ root: YAMLNode, _ d: inout ConfigDecoder) -> GatewayConfig {
        var c = GatewayConfig()
        guard let f = d.fields(root, section: "the configuration", keys: topLevelKeys) else { return c }
        if let v = d.int(f, "version", required: true) {
            if v != 1, let n = f["version"] { d.report("unsupported version \(v): this gateway reads version 1", at: n) }
            c.version = v
        }
        c.listen = ListenConfig.decode(f["listen"], root: root, &d)
        c.admin = AdminConfig.decode(f["admin"], root: root, &d)
        c.server = ServerConfig.decode(f["server"], root: root, &d)
        c.logging = LoggingConfig.decode(f["logging"], root: root, &d)
        c.auth = AuthConfig.decode(f["auth"], root: root, &d)
        for (i, item) in (d.list(f, "backends", required: true) ?? []).enumerated() {
            if let b = BackendConfig.decode(item, index: i, &d) { c.backends.append(b) }
        }
        let routeItems = d.list(f, "routes", required: true)
        for (i, item) in (routeItems ?? []).enumerated() {
            if let r = RouteConfig.decode(item, index: i, &d) { c.routes.append(r) }
        }
        if let routeItems, routeItems.isEmpty, let n = f["routes"] {
            d.warn("no routes: every model request will get 404 model_not_found", at: ConfigLocation(n))
        }
        if let items = d.list(f, "pipeline") {
            for (i, item) in items.enumerated() {
                if let p = ProcessorConfig.decode(item, index: i, &d) { c.pipeline.append(p) }
            }
            if items.isEmpty, let n = f["pipeline"] { d.report("'pipeline' must not be empty: it needs a model_router", at: n) }
        } else {
            c.pipeline = ProcessorConfig.defaultPipeline(at: ConfigLocation(root))
        }
        for (i, item) in (d.list(f, "rate_limits") ?? []).enumerated() {
            if let r = RateLimitConfig.decode(item, index: i, &d) { c.rateLimits.append(r) }
        }
        c.tokenEstimation = TokenEstimationConfig.decode(f["token_estimation"], root: root, &d)
        if let n = d.value(f, "cluster") { c.cluster = ClusterConfig.decode(n, &d) }
        return c
    }
}
