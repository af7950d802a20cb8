import CSluiceLinux
import Glibc
import Synchronization

/// The assembled daemon: config store, event loops, listeners, admin, access log, signals.
///
/// Built and started by `sluice/main.swift` on the main thread, which then waits for signals.
/// Loops own their connections; the gateway object is shared read-only (plus atomics and locks).
final class Gateway: AdminBackend, @unchecked Sendable {
    let configPath: String
    let environment: ProcessEnvironment
    let store: ConfigStore
    let state: ServerState
    let stats: GatewayStats
    let accessLog: AccessLog
    let registry: EndpointRegistry
    let cacheStores = CacheStoreRegistry()
    let loops: [EventLoop]
    /// The shared store of global limits and shared cache entries (`cluster`); nil without one.
    let cluster: ClusterStore?
    /// Active health checks, on their own loop thread.
    let health: HealthChecker
    /// Re-resolves the backends' host names every 30 s.
    let hosts = HostRefresher()
    private let digestBox: Locked<String>
    private let reloadLock = PThreadLock()
    private var dataListeners: [Listener] = []
    private var adminListener: Listener?
    private var contexts: [LoopContext] = []

    /// Loads and validates the config file.
    static func loadConfig(path: String, environment: ProcessEnvironment) -> Result<(GatewayConfig, String), ConfigErrors> {
        guard let bytes = environment.readFile(path) else {
            return .failure(ConfigErrors(diagnostics: [ConfigDiagnostic(file: path, line: 1, column: 1, message: "cannot read the config file")]))
        }
        return ConfigLoader.parse(bytes, file: path, environment: environment).map { ($0, SHA256Digest.hex(bytes)) }
    }

    init(configPath: String, config: GatewayConfig, digest: String, environment: ProcessEnvironment) throws {
        self.configPath = configPath
        self.environment = environment
        let workers = config.server.workers > 0 ? config.server.workers : max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        registry = EndpointRegistry()
        store = ConfigStore(try SnapshotBuilder.build(config, generation: 1, registry: registry, stores: cacheStores,
                                                      file: configPath))
        state = ServerState(maxConnections: config.server.maxConnections)
        stats = GatewayStats(loopCount: workers)
        accessLog = AccessLog(loopCount: workers, sink: Self.sink(config.logging.accessLog))
        digestBox = Locked(digest)
        var loops: [EventLoop] = []
        for i in 0..<workers { loops.append(try EventLoop(index: i)) }
        self.loops = loops
        if let c = config.cluster {
            cluster = ClusterStore(config: c, tls: c.redis.tls == nil ? nil
                : try SnapshotBuilder.redisTLS(c.redis.tls, file: configPath))
        } else {
            cluster = nil
        }
        health = try HealthChecker()
        Logger.setLevel(LogLevel(name: config.logging.level.rawValue) ?? .info)
    }

    static func sink(_ target: AccessLogTarget) -> AccessLog.Sink {
        switch target {
        case .stdout: .stdout
        case .off: .off
        case .file(let p): .file(p)
        }
    }

    var configDigest: String { digestBox.get() }

    func endpoints() -> [UpstreamEndpoint] { registry.all() }

    func caches() -> [(String, PromptCacheStore)] { cacheStores.all() }

    var readBufferBytes: Int { loops.reduce(0) { $0 + $1.readBuffers.heldBytes } }

    func purgeSharedCaches(on loop: EventLoop) {
        guard let client = contexts.first(where: { $0.loop === loop })?.cluster else { return }
        for p in store.snapshot().pipeline.processors {
            guard let cache = p as? PromptCacheProcessor, let prefix = cache.sharedPrefix else { continue }
            client.eval(.cacheDelete, ClusterScripts.purge, keys: [], args: [Array((ClusterScripts.globEscaped(prefix) + "*").utf8)]) { _ in }
        }
    }

    func collectMetrics(on loop: EventLoop, _ done: @escaping (MetricsSnapshot) -> Void) {
        MetricsCollector.collect(contexts: contexts, on: loop, done)
    }

    /// Binds the data listeners (one SO_REUSEPORT socket per loop) and the admin listener, prints
    /// the "listening on" lines, and starts the loop threads.
    func start() throws(IOError) {
        let config = store.snapshot().config
        let dataAddr = try Self.socketAddress(config.listen.address)
        let adminAddr = try Self.socketAddress(config.admin.address)
        // Refuse an address in use before SO_REUSEPORT could silently share it (see makeListenerGroup).
        let group = try Socket.makeListenerGroup(dataAddr, count: loops.count)
        var data = dataAddr
        data.port = group.port
        let afd = try Socket.makeListener(adminAddr, reusePort: false)
        var admin = adminAddr
        admin.port = Socket.localAddress(fd: afd)?.port ?? adminAddr.port
        for (i, loop) in loops.enumerated() {
            let ctx = LoopContext(loop: loop, stats: stats.loops[i], accessLog: accessLog, store: store, state: state)
            contexts.append(ctx)
            ctx.pool.shedElsewhere = { [weak self] endpoint in self?.shedIdle(endpoint, except: loop) }
            if let cluster {
                let client = RedisClient(loop: loop, store: cluster, metrics: ctx.metrics)
                ctx.cluster = client
                nonisolated(unsafe) let c = client
                loop.execute { c.start() }
                if i == 0 { loop.execute { ClusterMaintenance.start(store: cluster, client: c) } }
            }
            let handler = ProxyHandler(ctx: ctx)
            let fd = group.fds[i]
            let state = self.state
            let listener = Listener(fd: fd, loop: loop, counter: state.dataConnections) { [unowned ctx] cfd, peer in
                // Limits and TLS context of the generation current at accept (a reload applies to new connections).
                let snap = ctx.snapshots.current
                let conn = HTTPServerConnection(fd: cfd, loop: ctx.loop, handler: handler,
                                                limits: snap.serverLimits, state: state,
                                                peer: peer, counter: state.dataConnections, countsInFlight: true,
                                                tls: snap.listenTLS?.context)
                conn.start()
            }
            dataListeners.append(listener)
        }
        let adminLoop = loops[0]
        let adminHandler = AdminHandler(backend: self, loop: adminLoop)
        let store = self.store
        let state = self.state
        adminListener = Listener(fd: afd, loop: adminLoop, counter: nil) { cfd, peer in
            var limits = store.snapshot().serverLimits
            limits.maxBodyBytes = max(limits.maxBodyBytes, 1 << 20)
            let conn = HTTPServerConnection(fd: cfd, loop: adminLoop, handler: adminHandler, limits: limits,
                                            state: state, peer: peer, counter: nil, countsInFlight: false)
            conn.start()
        }
        for l in dataListeners { try l.start() }
        try adminListener?.start()
        // Ready before the lines go out: whoever reads them may probe /readyz at once.
        state.ready.store(true, ordering: .relaxed)
        Logger.announce("listening on \(data) (data)")
        if let t = store.snapshot().listenTLS { Logger.info("data listener: TLS with certificate \(t.certFile)") }
        Logger.announce("listening on \(admin) (admin)")
        accessLog.start()
        for loop in loops {
            Thread.spawn(name: "sluice-loop-\(loop.index)") { loop.run() }
        }
        health.update(store.snapshot())
        health.start()
        hosts.start { [weak self] in self?.refreshHosts() }
    }

    private static func socketAddress(_ a: SocketAddressConfig) throws(IOError) -> SocketAddress {
        guard let addr = Resolver.resolve(host: a.host, port: a.port) else {
            throw IOError(call: "resolve \(a.host)", errno: EINVAL)
        }
        return addr
    }

    // MARK: reload

    func reload() -> Result<(generation: Int, restartRequired: [String]), ConfigErrors> {
        reloadLock.withLock {
            switch Self.loadConfig(path: configPath, environment: environment) {
            case .failure(let errs):
                stats.configReloadsFailed.wrappingAdd(1, ordering: .relaxed)
                Logger.warn("reload rejected: \(errs.diagnostics.count) error(s); keeping generation \(store.generation)")
                return .failure(errs)
            case .success(let (config, digest)):
                let old = store.snapshot()
                let gen = old.generation + 1
                let snap: RuntimeSnapshot
                do {
                    snap = try SnapshotBuilder.build(config, generation: gen, registry: registry, stores: cacheStores,
                                                     previous: old, file: configPath)
                } catch {
                    stats.configReloadsFailed.wrappingAdd(1, ordering: .relaxed)
                    return .failure(error as? ConfigErrors ?? ConfigErrors(diagnostics: []))
                }
                store.swap(snap)
                if snap.listenTLS !== old.listenTLS {
                    Logger.info(snap.listenTLS.map { "data listener: new connections use TLS with certificate \($0.certFile)" }
                        ?? "data listener: new connections are plaintext")
                }
                health.update(snap)
                digestBox.withLock { $0 = digest }
                accessLog.setSink(Self.sink(config.logging.accessLog))
                Logger.setLevel(LogLevel(name: config.logging.level.rawValue) ?? .info)
                state.dataConnections.limit.store(config.server.maxConnections, ordering: .relaxed)
                stats.configReloadsOK.wrappingAdd(1, ordering: .relaxed)
                let restart = ConfigDiff.restartRequired(old: old.config, new: config)
                Logger.info("config generation \(gen) loaded" + (restart.isEmpty ? "" : "; restart required for \(restart.joined(separator: ", "))"))
                return .success((gen, restart))
            }
        }
    }

    /// Re-resolves the host names of the current snapshot's endpoints (on the `HostRefresher`
    /// queue) and swaps in a snapshot of the same generation when an address set changed. A name
    /// that fails to resolve keeps its previous addresses (a DNS hiccup must not empty a backend).
    func refreshHosts(resolve: (String, Int) -> [SocketAddress] = Resolver.resolveAll) {
        let before = store.snapshot().resolvedHosts
        guard !before.isEmpty else { return }
        let fresh = HostRefresher.resolveAgain(before, resolve: resolve)
        reloadLock.withLock {
            let current = store.snapshot()
            // A reload may have happened meanwhile: only its names are updated.
            var merged = current.resolvedHosts
            for (hp, addrs) in fresh where merged[hp] != nil { merged[hp] = addrs }
            guard let next = SnapshotBuilder.rebind(current, hosts: merged, registry: registry) else { return }
            store.swap(next)
            health.update(next)
            Logger.info("backend addresses changed; endpoints updated (generation \(next.generation))")
        }
    }

    // MARK: signals and drain

    /// Blocks the gateway's signals in the calling thread and returns a signalfd. Call first in
    /// `main`, before any thread (Dispatch included) starts, so every thread inherits the mask.
    static func blockSignals() -> Int32 { CSluiceLinux_signalfd_setup() }

    /// Waits for signals until a drain finishes; returns the exit status.
    func waitForSignals(signalFD: Int32) -> Int32 {
        while true {
            let sig = CSluiceLinux_signalfd_read(signalFD)
            switch sig {
            case SIGHUP:
                _ = reload()
            case SIGUSR1:
                accessLog.reopen()
            case SIGTERM, SIGINT:
                drain()
                return 0
            case -1:
                if errno == EINTR { continue }
                return 1
            default:
                continue
            }
        }
    }

    /// SPEC §11 drain: /readyz 503 at once; keep accepting for `drain_delay`; stop accepting (the
    /// sockets stay open); let in-flight requests finish until `drain_timeout`.
    func drain() {
        state.draining.store(true, ordering: .relaxed)
        let config = store.snapshot().config
        Logger.info("draining: delay \(config.server.drainDelay), timeout \(config.server.drainTimeout)")
        sleepNanos(config.server.drainDelay.nanosecondsClamped)
        for l in dataListeners {
            nonisolated(unsafe) let listener = l
            l.loop.execute { listener.pause() }
        }
        let deadline = SystemClock.monotonicNanos() &+ config.server.drainTimeout.nanosecondsClamped
        while state.inFlight.load(ordering: .relaxed) > 0 && SystemClock.monotonicNanos() < deadline {
            sleepNanos(10_000_000)
        }
        let left = state.inFlight.load(ordering: .relaxed)
        if left > 0 { Logger.warn("drain timeout: \(left) request(s) still in flight") }
        leaveCluster()
        hosts.stop()
        health.stop()
        accessLog.stop()
    }

    /// Returns leases, leaves the replica set and closes the Redis connections (bounded wait).
    private func leaveCluster() {
        guard let cluster, let first = contexts.first?.cluster else { return }
        final class Flag: Sendable { let set = Atomic<Bool>(false) }
        let done = Flag()
        nonisolated(unsafe) let client = first
        first.loop.execute {
            cluster.returnAllLeases(client: client)
            cluster.leave(client: client)
            client.send(.heartbeat, RESPEncoder.command("PING")) { _ in done.set.store(true, ordering: .relaxed) }
        }
        let deadline = SystemClock.monotonicNanos() &+ 500_000_000
        while !done.set.load(ordering: .relaxed) && SystemClock.monotonicNanos() < deadline { sleepNanos(5_000_000) }
        for ctx in contexts {
            guard let c = ctx.cluster else { continue }
            nonisolated(unsafe) let client = c
            ctx.loop.execute { client.stop() }
        }
    }

    /// Asks every loop but `except` to close its idle connections to `endpoint` (their slots are
    /// wanted by requests queued on `except`).
    private func shedIdle(_ endpoint: UpstreamEndpoint, except: EventLoop) {
        nonisolated(unsafe) let ep = endpoint
        for ctx in contexts where ctx.loop !== except {
            nonisolated(unsafe) let pool = ctx.pool
            ctx.loop.execute { pool.shedIdle(ep) }
        }
    }

    private func sleepNanos(_ n: UInt64) {
        guard n > 0 else { return }
        var ts = timespec(tv_sec: Int(n / 1_000_000_000), tv_nsec: Int(n % 1_000_000_000))
        var rem = timespec()
        while nanosleep(&ts, &rem) != 0 && errno == EINTR { ts = rem }
    }
}
