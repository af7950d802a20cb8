/// Keeps `UpstreamEndpoint` objects across config generations, keyed by backend name, URL and
/// address, so counters and health survive a reload (and a DNS refresh that keeps the address).
final class EndpointRegistry: Sendable {
    private let table = Locked<[String: UpstreamEndpoint]>([:])
    private let loads = Locked<[String: BackendLoad]>([:])

    func endpoint(backend: String, url: EndpointURL, address: SocketAddress?, hostIsName: Bool = false) -> UpstreamEndpoint {
        let key = backend + "|" + url.description + "|" + (address?.description ?? "-")
        return table.withLock { t in
            if let e = t[key] { return e }
            let e = UpstreamEndpoint(backendName: backend, url: url.description, address: address,
                                     hostHeader: url.hostHeader, useTLS: url.usesTLS, tlsServerName: url.host,
                                     hostIsName: hostIsName)
            t[key] = e
            return e
        }
    }

    /// The in-flight counter of a prefix_affinity backend, by name.
    func load(backend: String) -> BackendLoad {
        loads.withLock { l in
            if let x = l[backend] { return x }
            let x = BackendLoad()
            l[backend] = x
            return x
        }
    }

    /// Endpoints of the current generation (others are forgotten).
    func retain(only live: [UpstreamEndpoint]) {
        let keep = Set(live.map { ObjectIdentifier($0) })
        let names = Set(live.map(\.backendName))
        table.withLock { t in t = t.filter { keep.contains(ObjectIdentifier($0.value)) } }
        loads.withLock { l in l = l.filter { names.contains($0.key) } }
    }

    func all() -> [UpstreamEndpoint] {
        table.withLock { Array($0.values) }.sorted { ($0.key, $0.label) < ($1.key, $1.label) }
    }
}

/// Keeps prompt-cache stores across reloads (by processor name) while their size settings match,
/// so a reload keeps cached entries.
final class CacheStoreRegistry: Sendable {
    private let stores = Locked<[String: PromptCacheStore]>([:])

    func store(for name: String, config: PromptCacheConfig) -> PromptCacheStore {
        stores.withLock { s in
            if let existing = s[name], existing.isCompatible(with: config) { return existing }
            let fresh = PromptCacheStore(config: config, clock: CacheClosureClock(now: { SystemClock.monotonicNanos() }))
            s[name] = fresh
            return fresh
        }
    }

    func all() -> [(String, PromptCacheStore)] { stores.withLock { $0.sorted { $0.key < $1.key } } }
}

/// TLS client settings of an https backend or webhook; a context that cannot be built (bad CA or
/// client certificate file) is a config error.
private func tlsFor(_ cfg: BackendTLSConfig?, owner: String, at location: ConfigLocation,
                    file: String) throws(ConfigErrors) -> UpstreamTLS {
    let c = cfg ?? BackendTLSConfig()
    do {
        let ctx = try TLSContext.client(verify: c.verify, caFile: c.caFile, clientCertFile: c.clientCertFile,
                                        clientKeyFile: c.clientKeyFile)
        return UpstreamTLS(context: ctx, sni: c.sni)
    } catch {
        throw ConfigErrors(diagnostics: [ConfigDiagnostic(file: file, line: location.line, column: location.column,
                                                          message: "\(owner): \(error.description)")])
    }
}

/// Turns a validated `GatewayConfig` into the `RuntimeSnapshot` the loops use. Runs off the
/// loops (it resolves host names and reads the `listen.tls` files). `file` is the config file's
/// path, for the `FILE:LINE:COL` of what only shows when it is built (TLS files, regexes).
enum SnapshotBuilder {
    static func build(_ config: GatewayConfig, generation: Int, registry: EndpointRegistry,
                      stores: CacheStoreRegistry, previous: RuntimeSnapshot? = nil,
                      file: String = "config",
                      resolve: (String, Int) -> [SocketAddress] = Resolver.resolveAll) throws(ConfigErrors) -> RuntimeSnapshot {
        // First: a bad certificate must fail the build before anything else is touched.
        let listenTLS = try config.listen.tls.map { files throws(ConfigErrors) in
            try ListenTLS.make(files, configFile: file, previous: previous?.listenTLS)
        }
        var backends: [String: CompiledBackend] = [:]
        var ordered: [CompiledBackend] = []
        var live: [UpstreamEndpoint] = []
        // Each host name is resolved once per build (off the loops: load and reload run elsewhere).
        var hosts: [HostPort: [SocketAddress]] = [:]
        for b in config.backends {
            for url in b.endpoints where SocketAddress(host: url.host, port: url.port) == nil {
                let hp = HostPort(host: url.host, port: url.port)
                if hosts[hp] == nil {
                    let addrs = resolve(url.host, url.port)
                    if addrs.isEmpty { Logger.warn("backend \(b.name): cannot resolve \(url.host)") }
                    hosts[hp] = addrs
                }
            }
        }
        for b in config.backends {
            let eps = endpoints(of: b, hosts: hosts, registry: registry)
            live += eps
            let t = UpstreamTimeouts(connect: b.timeouts.connect.nanosecondsClamped,
                                     firstByte: b.timeouts.firstByte.nanosecondsClamped,
                                     idle: b.timeouts.idle.nanosecondsClamped,
                                     total: b.timeouts.total.nanosecondsClamped)
            let creds = (b.credentials?.headers ?? []).map { ($0.name, $0.value) }
            let compiled = CompiledBackend(name: b.name, endpoints: eps, timeouts: t,
                                           maxConnections: b.maxConnections, credentials: creds,
                                           tls: b.usesTLS ? try tlsFor(b.tls, owner: "backend '\(b.name)'", at: b.location, file: file) : nil,
                                           loadBalancing: b.loadBalancing, outlier: b.outlier.map(OutlierPolicy.init),
                                           healthCheck: b.healthCheck,
                                           load: b.loadBalancing == .prefixAffinity ? registry.load(backend: b.name) : nil,
                                           queueTimeoutNanos: b.queueTimeout.nanosecondsClamped)
            backends[b.name] = compiled
            ordered.append(compiled)
        }
        var routes: [CompiledRoute] = []
        var modelIDs: [String] = []
        for r in config.routes {
            func target(_ t: RouteTarget, weight: Int) -> CompiledTarget? {
                guard let b = backends[t.backend] else { return nil }
                return CompiledTarget(backend: b, weight: weight, model: t.model,
                                      labels: TargetLabels(route: r.name, backend: b.name, model: t.model ?? r.name))
            }
            let targets = r.backends.compactMap { target($0, weight: $0.weight) }
            let fallbacks = r.fallbacks.compactMap { target($0, weight: 1) }
            let retry = r.retry.map { p in
                CompiledRetry(attempts: p.attempts,
                              onConnectError: p.on.contains(.connectError),
                              onFirstByteTimeout: p.on.contains(.firstByteTimeout),
                              onReset: false,
                              statuses: Set(p.on.compactMap { if case .status(let s) = $0 { return s } else { return nil } }),
                              anyServerError: p.on.contains(.statusClass(5)))
            }
            routes.append(CompiledRoute(name: r.name, targets: targets, totalWeight: targets.reduce(0) { $0 + $1.weight },
                                        fallbacks: fallbacks, retry: retry,
                                        labels: TargetLabels(route: r.name, backend: "other", model: r.name)))
            for m in r.models where Glob(m).isLiteral && !modelIDs.contains(m) { modelIDs.append(m) }
        }
        let s = config.server
        let limits = HTTPServerLimits(maxHeaderBytes: s.maxHeaderBytes, maxBodyBytes: s.maxBodyBytes,
                                      headerTimeoutNanos: s.headerTimeout.nanosecondsClamped,
                                      idleTimeoutNanos: s.idleTimeout.nanosecondsClamped)
        var webhookEndpoints: [UpstreamEndpoint] = []
        var webhookTLS: [UpstreamTLS?] = []
        var processors: [any Processor] = []
        for pc in config.pipeline {
            switch pc.kind {
            case .modelRouter:
                processors.append(ModelRouterProcessor(name: pc.name, failureMode: pc.failureMode, routes: config.routes))
            case .transform(let t):
                processors.append(TransformProcessor(name: pc.name, failureMode: pc.failureMode, config: t))
            case .webhook(let w):
                let addr = Resolver.resolve(host: w.url.host, port: w.url.port)
                let ep = registry.endpoint(backend: "webhook:" + pc.name, url: w.url, address: addr)
                live.append(ep)
                webhookEndpoints.append(ep)
                webhookTLS.append(w.url.usesTLS ? try tlsFor(w.tls, owner: "webhook '\(pc.name)'", at: pc.location, file: file) : nil)
                processors.append(WebhookProcessor(name: pc.name, failureMode: pc.failureMode,
                                                   timeoutNanos: (pc.timeout ?? .milliseconds(200)).nanosecondsClamped,
                                                   config: w, endpointIndex: webhookEndpoints.count - 1))
            case .guardrail(let g):
                do {
                    processors.append(GuardrailProcessor(name: pc.name, failureMode: pc.failureMode, engine: try GuardrailEngine(g)))
                } catch {
                    // Validation accepted the config; a regex the engine cannot compile fails the processor closed.
                    Logger.error("guardrail '\(pc.name)': detector \(error.detectorIndex): \(error.reason)")
                    throw ConfigErrors(diagnostics: [ConfigDiagnostic(file: file, line: pc.location.line, column: pc.location.column,
                                                                      message: "guardrail '\(pc.name)': \(error.reason)")])
                }
            case .promptCache(let c):
                let store = stores.store(for: pc.name, config: c)
                processors.append(PromptCacheProcessor(name: pc.name, failureMode: pc.failureMode, config: c, store: store,
                                                       digest: LibcryptoDigest(),
                                                       sharedKeyPrefix: config.cluster?.redis.keyPrefix))
            }
        }
        let te = config.tokenEstimation
        let estimator = TokenEstimator(bytesPerToken: te.bytesPerToken, defaultOutputTokens: te.defaultOutputTokens,
                                       maxOutputReservation: te.maxOutputReservation)
        registry.retain(only: live)
        let localLimits = config.rateLimits.filter { $0.scope == .local }
        return RuntimeSnapshot(generation: generation, config: config, routes: routes, backends: ordered,
                               resolvedHosts: hosts, routeTable: RouteTable(routes: config.routes.map(\.models)),
                               serverLimits: limits, stripClientKeys: config.auth.mode == .apiKey,
                               modelIDs: modelIDs, tokenEstimator: estimator,
                               pipeline: Pipeline(processors: processors), webhookEndpoints: webhookEndpoints,
                               webhookTLS: webhookTLS,
                               auth: ClientAuthenticator(config.auth),
                               limiter: localLimits.isEmpty ? nil
                                   : RateLimiter(limits: localLimits, estimation: config.tokenEstimation,
                                                 clock: MonotonicLimiterClock(), previous: previous?.limiter),
                               globalLimits: globalLimits(config), listenTLS: listenTLS)
    }

    /// TLS to Redis (`cluster.redis.tls`).
    static func redisTLS(_ cfg: BackendTLSConfig?, file: String) throws(ConfigErrors) -> UpstreamTLS {
        try tlsFor(cfg, owner: "cluster.redis", at: ConfigLocation(line: 1, column: 1), file: file)
    }

    /// The `scope: global` limits (SPEC §10); nil when there are none.
    private static func globalLimits(_ config: GatewayConfig) -> GlobalLimits? {
        let globals = config.rateLimits.filter { $0.scope == .global }
        guard !globals.isEmpty else { return nil }
        return GlobalLimits(rules: globals.map { LimitRule(config: $0, table: LimitBucketTable(config: $0, shardCount: 1)) },
                            keyPrefix: config.cluster?.redis.keyPrefix ?? "sluice:")
    }
}

extension SnapshotBuilder {
    /// The endpoints of backend `b`: one per numeric URL, one per resolved address of a named one
    /// (one without address when the name did not resolve: its requests fail with 502).
    static func endpoints(of b: BackendConfig, hosts: [HostPort: [SocketAddress]], registry: EndpointRegistry) -> [UpstreamEndpoint] {
        var eps: [UpstreamEndpoint] = []
        for url in b.endpoints {
            if let literal = SocketAddress(host: url.host, port: url.port) {
                eps.append(registry.endpoint(backend: b.name, url: url, address: literal))
                continue
            }
            let addrs = hosts[HostPort(host: url.host, port: url.port)] ?? []
            if addrs.isEmpty {
                eps.append(registry.endpoint(backend: b.name, url: url, address: nil, hostIsName: true))
            }
            for a in addrs { eps.append(registry.endpoint(backend: b.name, url: url, address: a, hostIsName: true)) }
        }
        return eps
    }

    /// `snapshot` with its host names bound to `hosts` (a DNS refresh), or nil when nothing changed.
    /// The generation stays; only backends whose endpoints changed are rebuilt, and routes point at them.
    static func rebind(_ snapshot: RuntimeSnapshot, hosts: [HostPort: [SocketAddress]], registry: EndpointRegistry) -> RuntimeSnapshot? {
        guard hosts != snapshot.resolvedHosts else { return nil }
        var byName: [String: CompiledBackend] = [:]
        var ordered: [CompiledBackend] = []
        var live: [UpstreamEndpoint] = snapshot.webhookEndpoints
        for (b, cfg) in zip(snapshot.backends, snapshot.config.backends) {
            let eps = endpoints(of: cfg, hosts: hosts, registry: registry)
            let same = eps.count == b.endpoints.count && zip(eps, b.endpoints).allSatisfy { $0 === $1 }
            let nb = same ? b : b.replacingEndpoints(eps)
            live += eps
            byName[nb.name] = nb
            ordered.append(nb)
        }
        registry.retain(only: live)
        func rebound(_ ts: [CompiledTarget]) -> [CompiledTarget] {
            ts.map { t in
                var t = t
                t.backend = byName[t.backend.name] ?? t.backend
                return t
            }
        }
        let routes = snapshot.routes.map { r in
            var r = r
            r.targets = rebound(r.targets)
            r.fallbacks = rebound(r.fallbacks)
            return r
        }
        return snapshot.replacing(routes: routes, backends: ordered, resolvedHosts: hosts)
    }
}
