/// One webhook call (SPEC §4) over the loop's upstream pool, bounded by the processor's timeout.
/// Loop-confined; reports exactly once.
final class WebhookClient: UpstreamExchangeDelegate {
    private let loop: EventLoop
    private var connection: UpstreamConnection?
    private var status = 0
    private var body: [UInt8] = []
    private var completion: ((WebhookResult) -> Void)?
    private let timer = TimerNode()
    /// Largest webhook answer read.
    static let maxAnswerBytes = 4 * 1024 * 1024

    init(loop: EventLoop) { self.loop = loop }

    func start(_ call: WebhookCall, endpoint: UpstreamEndpoint, tls: UpstreamTLS?, pool: UpstreamPool,
               completion: @escaping (WebhookResult) -> Void) {
        self.completion = completion
        timer.action = { [weak self] in self?.finish(.failed("webhook timed out")) }
        loop.timers.arm(timer, now: loop.now, durationNanos: call.timeoutNanos)
        var out: [UInt8] = Array("POST ".utf8) + Array(call.path.utf8) + Array(" HTTP/1.1\r\nhost: ".utf8)
        out += Array(endpoint.hostHeader.utf8)
        for (n, v) in call.headers { out += Array("\r\n\(n): \(v)".utf8) }
        out += Array("\r\ncontent-length: \(call.body.count)\r\n\r\n".utf8)
        out += call.body
        do {
            let (conn, reused) = try pool.acquire(endpoint, maxConnections: 64, tls: tls)
            connection = conn
            var t = UpstreamTimeouts()
            t.connect = call.timeoutNanos
            t.firstByte = call.timeoutNanos
            t.idle = call.timeoutNanos
            t.total = call.timeoutNanos
            conn.begin(request: out, method: .post, timeouts: t, reused: reused, delegate: self)
        } catch {
            finish(.failed("webhook unreachable: \(error)"))
        }
    }

    /// The request went away: drop the call without reporting.
    func cancel() {
        completion = nil
        loop.timers.cancel(timer)
        connection?.cancel()
        connection = nil
    }

    private func finish(_ r: WebhookResult) {
        loop.timers.cancel(timer)
        if case .failed = r { connection?.cancel() }
        connection = nil
        let c = completion
        completion = nil
        c?(r)
    }

    func upstreamDidReceiveHead(_ head: HTTPResponseHead) { status = head.status }

    func upstreamDidReceiveBody(_ bytes: UnsafeRawBufferPointer) {
        guard body.count + bytes.count <= Self.maxAnswerBytes else {
            finish(.failed("webhook answer too large"))
            return
        }
        body.append(contentsOf: bytes)
    }

    func upstreamDidFinish() { finish(.answered(status: status, body: body)) }

    func upstreamDidFail(_ failure: UpstreamFailure, reusedBeforeResponse: Bool) {
        finish(.failed("webhook \(failure.gatewayError.message)"))
    }
}
