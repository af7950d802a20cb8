/// Keep-alive connections of one loop, per endpoint. Loop-confined.
///
/// Idle connections wait here (bounded per endpoint) watching for the upstream's close; a request
/// takes the most recently used one (warmest) or opens a new connection when none is idle.
final class UpstreamPool {
    /// Idle connections closed after this long unused.
    static let idleTimeoutNanos: UInt64 = 60_000_000_000
    /// Idle connections kept per endpoint per loop.
    static let maxIdlePerEndpoint = 128

    let loop: EventLoop
    private var idle: [ObjectIdentifier: [UpstreamConnection]] = [:]

    init(loop: EventLoop) { self.loop = loop }

    /// A connection to `endpoint`: an idle one (`reused` true) or a new one.
    /// Fails when the endpoint's process-wide `max_connections` is reached and none is idle.
    func acquire(_ endpoint: UpstreamEndpoint, maxConnections: Int, tls: UpstreamTLS? = nil) throws(UpstreamFailure) -> (UpstreamConnection, reused: Bool) {
        if let c = idle[ObjectIdentifier(endpoint)]?.popLast() {
            return (c, true)
        }
        if endpoint.openConnections.load(ordering: .relaxed) >= maxConnections {
            throw .saturated
        }
        let c = try UpstreamConnection.open(to: endpoint, loop: loop, tls: tls)
        c.pool = self
        return (c, false)
    }

    /// Returns a connection whose exchange ended cleanly.
    func release(_ c: UpstreamConnection) {
        let key = ObjectIdentifier(c.endpoint)
        if idle[key, default: []].count >= Self.maxIdlePerEndpoint {
            c.close()
            return
        }
        idle[key, default: []].append(c)
    }

    /// Forgets an idle connection (closed by the upstream or timed out).
    func remove(_ c: UpstreamConnection) {
        let key = ObjectIdentifier(c.endpoint)
        guard let i = idle[key]?.firstIndex(where: { $0 === c }) else { return }
        idle[key]?.remove(at: i)
    }

    var idleCount: Int { idle.values.reduce(0) { $0 + $1.count } }
}
