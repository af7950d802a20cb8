import Synchronization

/// One resolved upstream endpoint (one address of one backend URL) with its process-wide counters
/// and health. Shared by every loop and kept across config generations by `EndpointRegistry` (keyed
/// by backend name, URL and address), so health and counts survive a reload.
///
/// Health is one atomic word (`availability`): the balancers read it with a single relaxed load.
/// The active health checker (`HealthChecker`) sets its top bit; passive outlier ejection
/// (`recordFailure`) writes the ejection deadline into the other bits.
final class UpstreamEndpoint: Sendable {
    /// "backend|http://host:port" — identity across reloads.
    let key: String
    let backendName: String
    /// Endpoint URL as written in the config.
    let url: String
    /// `endpoint` label of the metrics and the access log: the URL, plus the address when the URL's
    /// host is a name (a name may resolve to several addresses, each its own endpoint).
    let label: String
    /// Resolved address; nil when the host name did not resolve (requests then fail with 502).
    let address: SocketAddress?
    /// `Host` header value for requests to this endpoint.
    let hostHeader: String
    let useTLS: Bool
    /// Open connections over all loops (enforces the backend's `max_connections` per endpoint).
    let openConnections = Atomic<Int>(0)
    /// Requests queued for a connection slot over all loops (see `UpstreamPool`): while some wait, a
    /// loop without waiters of its own closes a connection it releases instead of keeping it idle.
    let slotWaiters = Atomic<Int>(0)
    let inFlight = Atomic<Int>(0)
    let requests = Atomic<Int>(0)
    let failures = Atomic<Int>(0)
    let consecutiveFailures = Atomic<Int>(0)
    /// Times passive outlier detection ejected this endpoint.
    let ejections = Atomic<Int>(0)
    /// Bit 63: failing active health checks. Bits 0…62: monotonic deadline (ns) of the current or
    /// last outlier ejection, 0 when never ejected. Zero is the common, fully available state.
    let availability = Atomic<UInt64>(0)
    private let lastErrorBox = Locked<String?>(nil)
    /// The TLS session to resume on the next connection to this endpoint.
    let tlsSession = Locked<TLSSavedSession?>(nil)
    /// The host name TLS verifies (the URL's host).
    let tlsServerName: String
    /// `backend`, `endpoint` labels of `upstream_requests_total`.
    let metricLabels: MetricLabelSet

    static let unhealthyBit: UInt64 = 1 << 63

    init(backendName: String, url: String, address: SocketAddress?, hostHeader: String, useTLS: Bool,
         tlsServerName: String = "", hostIsName: Bool = false) {
        self.tlsServerName = tlsServerName
        self.key = backendName + "|" + url
        self.backendName = backendName
        self.url = url
        self.address = address
        self.hostHeader = hostHeader
        self.useTLS = useTLS
        label = hostIsName ? url + " (" + (address?.description ?? "unresolved") + ")" : url
        metricLabels = MetricLabelSet(["backend": backendName, "endpoint": label])
    }

    var lastError: String? { lastErrorBox.get() }

    // MARK: health (read on the hot path)

    /// True when the endpoint passes its health checks (or has none) and is not ejected at `now`
    /// (monotonic ns). One relaxed atomic load.
    @inline(__always)
    func isAvailable(now: UInt64) -> Bool {
        let v = availability.load(ordering: .relaxed)
        return v == 0 || (v & Self.unhealthyBit == 0 && v <= now)
    }

    /// False while active health checks fail.
    var isHealthy: Bool { availability.load(ordering: .relaxed) & Self.unhealthyBit == 0 }

    /// True while an outlier ejection lasts at `now`.
    func isEjected(now: UInt64) -> Bool {
        let deadline = availability.load(ordering: .relaxed) & ~Self.unhealthyBit
        return deadline > now
    }

    /// Set by the active health checker only.
    func setHealthy(_ healthy: Bool) {
        if healthy {
            availability.bitwiseAnd(~Self.unhealthyBit, ordering: .relaxed)
        } else {
            availability.bitwiseOr(Self.unhealthyBit, ordering: .relaxed)
        }
    }

    // MARK: outcomes (recorded by the proxy per attempt)

    /// Counts a failed attempt. With an outlier policy and `ejectable` (the endpoint itself failed:
    /// connect error, reset, timeout, 5xx), `consecutive_failures` in a row eject it until
    /// `now + ejection`; the count starts again from zero after an ejection.
    func recordFailure(_ reason: String, outlier: OutlierPolicy? = nil, ejectable: Bool = true, now: UInt64 = 0) {
        failures.wrappingAdd(1, ordering: .relaxed)
        lastErrorBox.withLock { $0 = reason }
        guard ejectable else { return }
        let n = consecutiveFailures.wrappingAdd(1, ordering: .relaxed).newValue
        guard let o = outlier, n >= o.consecutiveFailures else { return }
        consecutiveFailures.store(0, ordering: .relaxed)
        eject(until: now &+ o.ejectionNanos)
        ejections.wrappingAdd(1, ordering: .relaxed)
        Logger.warn("backend \(backendName): endpoint \(label) ejected for \(o.ejectionNanos / 1_000_000)ms after \(n) consecutive failures (\(reason))")
    }

    /// The endpoint answered (a status below 500): the failure streak ends.
    @inline(__always)
    func recordSuccess() {
        if consecutiveFailures.load(ordering: .relaxed) != 0 { consecutiveFailures.store(0, ordering: .relaxed) }
    }

    /// Records a health-check failure reason for `GET /backends` (not counted in `failures`).
    func noteError(_ reason: String) { lastErrorBox.withLock { $0 = reason } }

    private func eject(until deadline: UInt64) {
        let d = min(deadline, ~Self.unhealthyBit)
        var old = availability.load(ordering: .relaxed)
        while true {
            let new = (old & Self.unhealthyBit) | d
            let (done, current) = availability.compareExchange(expected: old, desired: new, ordering: .relaxed)
            if done { return }
            old = current
        }
    }
}

/// Passive outlier ejection of one backend (`outlier:`), in the units the proxy uses.
struct OutlierPolicy: Sendable {
    var consecutiveFailures: Int
    var ejectionNanos: UInt64

    init(_ c: OutlierConfig) {
        consecutiveFailures = c.consecutiveFailures
        ejectionNanos = c.ejection.nanosecondsClamped
    }
}
