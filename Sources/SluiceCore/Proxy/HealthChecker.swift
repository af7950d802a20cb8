/// Active health checks (SPEC §2 `health_check`) of every endpoint of every backend that has one.
///
/// Runs on its own event loop thread (`sluice-health`), so the data loops never carry a check; the
/// verdict reaches them through the endpoint's atomic health bit. It follows the snapshots:
/// `update(_:)`, called after every swap (load, reload, DNS change), starts checks for new
/// endpoints, applies changed settings, and stops the checks of endpoints that are gone or whose
/// backend lost its `health_check` (marking them healthy again). Endpoints survive reloads
/// (`EndpointRegistry`), and so do their checks and counts: one checker per endpoint, never two.
///
/// One check at a time per endpoint: the first runs at once, each next one `interval` after the
/// previous one ended, so at most one connection per checked endpoint is open for checks.
final class HealthChecker: @unchecked Sendable {
    /// What to check on one endpoint (built off the loop from a snapshot).
    struct Plan: Sendable {
        var endpoint: UpstreamEndpoint
        var backend: String
        var request: [UInt8]
        var tls: UpstreamTLS?
        var intervalNanos: UInt64
        var timeoutNanos: UInt64
        var unhealthyAfter: Int
        var healthyAfter: Int
    }

    /// One checked endpoint. Loop-confined.
    private final class Target {
        var plan: Plan
        var state = HealthCheckState()
        let timer = TimerNode()
        var probe: HealthProbe?

        init(plan: Plan) { self.plan = plan }
    }

    /// The health loop (not a data loop: it serves no connections and has no `LoopContext`).
    let loop: EventLoop
    /// Touched on `loop` only.
    private var targets: [ObjectIdentifier: Target] = [:]

    init() throws(IOError) {
        loop = try EventLoop(index: -1)
    }

    /// Starts the loop thread.
    func start() {
        let loop = self.loop
        Thread.spawn(name: "sluice-health") { loop.run() }
    }

    /// Checks the endpoints of `snapshot`'s backends that have `health_check`, and only those.
    func update(_ snapshot: RuntimeSnapshot) {
        let plans = Self.plans(snapshot)
        loop.execute { [self] in apply(plans) }
    }

    /// Stops every check and the loop (shutdown).
    func stop() {
        loop.execute { [self] in
            for t in targets.values { cancel(t) }
            targets = [:]
        }
        loop.stop()
    }

    static func plans(_ snapshot: RuntimeSnapshot) -> [Plan] {
        var out: [Plan] = []
        for b in snapshot.backends {
            guard let hc = b.healthCheck else { continue }
            for ep in b.endpoints {
                out.append(Plan(endpoint: ep, backend: b.name,
                                request: HealthProbe.request(path: hc.path, hostHeader: ep.hostHeader, credentials: b.credentials),
                                tls: b.tls, intervalNanos: max(hc.interval.nanosecondsClamped, 1_000_000),
                                timeoutNanos: max(hc.timeout.nanosecondsClamped, 1_000_000),
                                unhealthyAfter: hc.unhealthyAfter, healthyAfter: hc.healthyAfter))
            }
        }
        return out
    }

    // MARK: on the loop

    private func apply(_ plans: [Plan]) {
        var wanted: Set<ObjectIdentifier> = []
        for p in plans {
            let id = ObjectIdentifier(p.endpoint)
            wanted.insert(id)
            if let t = targets[id] {
                let sooner = p.intervalNanos < t.plan.intervalNanos
                t.plan = p
                // A shorter interval takes effect now rather than after the old one.
                if sooner && t.probe == nil { schedule(t, after: p.intervalNanos) }
                continue
            }
            let t = Target(plan: p)
            t.timer.action = { [unowned self, unowned t] in self.check(t) }
            targets[id] = t
            check(t)
        }
        for (id, t) in targets where !wanted.contains(id) {
            cancel(t)
            t.plan.endpoint.setHealthy(true)
            targets[id] = nil
        }
    }

    private func check(_ t: Target) {
        let probe = HealthProbe()
        t.probe = probe
        probe.start(endpoint: t.plan.endpoint, loop: loop, tls: t.plan.tls, request: t.plan.request,
                    timeoutNanos: t.plan.timeoutNanos) { [unowned self, weak t] failure in
            guard let t else { return }
            t.probe = nil
            self.record(t, failure: failure)
            self.schedule(t, after: t.plan.intervalNanos)
        }
    }

    private func record(_ t: Target, failure: String?) {
        let ep = t.plan.endpoint
        if let f = failure { ep.noteError("health check: " + f) }
        guard let healthy = t.state.record(passed: failure == nil, unhealthyAfter: t.plan.unhealthyAfter,
                                           healthyAfter: t.plan.healthyAfter) else { return }
        ep.setHealthy(healthy)
        if healthy {
            Logger.info("backend \(t.plan.backend): endpoint \(ep.label) healthy again")
        } else {
            Logger.warn("backend \(t.plan.backend): endpoint \(ep.label) unhealthy (\(failure ?? "check failed"))")
        }
    }

    private func schedule(_ t: Target, after nanos: UInt64) {
        loop.timers.arm(t.timer, now: loop.refreshNow(), durationNanos: nanos)
    }

    private func cancel(_ t: Target) {
        loop.timers.cancel(t.timer)
        t.probe?.cancel()
        t.probe = nil
    }
}
