/// One active health check: `GET path` on a fresh connection to one endpoint (plain or TLS, the
/// same `UpstreamConnection` code as requests), bounded by the check's timeout. A 2xx answer
/// passes; any other status, a connect error, a reset or the timeout fails. Loop-confined (the
/// health loop); reports exactly once, unless cancelled.
final class HealthProbe: UpstreamExchangeDelegate {
    private var connection: UpstreamConnection?
    private var status = 0
    /// nil: the check passed; else why it failed.
    private var completion: ((String?) -> Void)?

    /// The request a check sends (the backend's credential headers included: an egress API may
    /// answer its health path only to an authenticated caller).
    static func request(path: String, hostHeader: String, credentials: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = Array("GET \(path) HTTP/1.1\r\nhost: \(hostHeader)\r\nuser-agent: sluice-health-check\r\n".utf8)
        for (n, v) in credentials { out += Array("\(n): \(v)\r\n".utf8) }
        out += Array("accept-encoding: identity\r\nconnection: close\r\n\r\n".utf8)
        return out
    }

    func start(endpoint: UpstreamEndpoint, loop: EventLoop, tls: UpstreamTLS?, request: [UInt8], timeoutNanos: UInt64,
               completion: @escaping (String?) -> Void) {
        self.completion = completion
        do {
            let conn = try UpstreamConnection.open(to: endpoint, loop: loop, tls: tls)
            connection = conn
            let t = UpstreamTimeouts(connect: timeoutNanos, firstByte: timeoutNanos, idle: timeoutNanos, total: timeoutNanos)
            conn.begin(request: request, method: .get, timeouts: t, reused: false, delegate: self)
        } catch {
            finish("\(error)")
        }
    }

    /// Drops the check without reporting (the endpoint is no longer checked).
    func cancel() {
        completion = nil
        connection?.cancel()
        connection = nil
    }

    private func finish(_ failure: String?) {
        if failure != nil { connection?.cancel() }
        connection = nil
        let c = completion
        completion = nil
        c?(failure)
    }

    func upstreamDidReceiveHead(_ head: HTTPResponseHead) {
        status = head.status
        // The verdict is known; the body does not matter.
        if !(200..<300).contains(status) { finish("status \(status)") }
    }

    func upstreamDidReceiveBody(_ bytes: UnsafeRawBufferPointer) {}

    func upstreamDidFinish() {
        connection = nil
        finish((200..<300).contains(status) ? nil : "status \(status)")
    }

    func upstreamDidFail(_ failure: UpstreamFailure, reusedBeforeResponse: Bool) {
        connection = nil
        finish("\(failure)")
    }
}
