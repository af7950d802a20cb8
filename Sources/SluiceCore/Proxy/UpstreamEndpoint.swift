import Synchronization

/// One resolved upstream endpoint with its process-wide counters. Shared by every loop and kept
/// across config generations (keyed by backend name and URL), so health and counts survive a reload.
final class UpstreamEndpoint: Sendable {
    /// "backend|http://host:port" — identity across reloads.
    let key: String
    let backendName: String
    /// Endpoint URL as written in the config (metrics label, access log).
    let url: String
    /// Resolved address; nil when the host name did not resolve (requests then fail with 502).
    let address: SocketAddress?
    /// `Host` header value for requests to this endpoint.
    let hostHeader: String
    let useTLS: Bool
    /// Open connections over all loops (enforces the backend's `max_connections` per endpoint).
    let openConnections = Atomic<Int>(0)
    let inFlight = Atomic<Int>(0)
    let requests = Atomic<Int>(0)
    let failures = Atomic<Int>(0)
    let consecutiveFailures = Atomic<Int>(0)
    private let lastErrorBox = Locked<String?>(nil)
    /// The TLS session to resume on the next connection to this endpoint.
    let tlsSession = Locked<TLSSavedSession?>(nil)
    /// The host name TLS verifies (the URL's host).
    let tlsServerName: String
    /// `backend`, `endpoint` labels of `upstream_requests_total`.
    let metricLabels: MetricLabelSet

    init(backendName: String, url: String, address: SocketAddress?, hostHeader: String, useTLS: Bool, tlsServerName: String = "") {
        self.tlsServerName = tlsServerName
        self.key = backendName + "|" + url
        self.backendName = backendName
        self.url = url
        self.address = address
        self.hostHeader = hostHeader
        self.useTLS = useTLS
        metricLabels = MetricLabelSet(["backend": backendName, "endpoint": url])
    }

    var lastError: String? { lastErrorBox.get() }

    func recordFailure(_ reason: String) {
        failures.wrappingAdd(1, ordering: .relaxed)
        consecutiveFailures.wrappingAdd(1, ordering: .relaxed)
        lastErrorBox.withLock { $0 = reason }
    }

    func recordSuccess() {
        if consecutiveFailures.load(ordering: .relaxed) != 0 { consecutiveFailures.store(0, ordering: .relaxed) }
    }
}
