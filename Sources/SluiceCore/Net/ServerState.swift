import Synchronization

/// Process-wide lifecycle flags and counters shared by every loop (lock-free).
final class ServerState: Sendable {
    /// SIGTERM received: /readyz answers 503, keep-alive answers carry `Connection: close`.
    let draining = Atomic<Bool>(false)
    /// Requests between head parsed and response finished, over all data-plane connections.
    let inFlight = Atomic<Int>(0)
    /// Data-plane client connections (enforces `server.max_connections`).
    let dataConnections: ConnectionCounter
    /// Config loaded and listeners bound.
    let ready = Atomic<Bool>(false)
    let startedAtNanos: UInt64

    init(maxConnections: Int) {
        dataConnections = ConnectionCounter(limit: maxConnections)
        startedAtNanos = SystemClock.monotonicNanos()
    }

    var isDraining: Bool { draining.load(ordering: .relaxed) }
}

/// Per-connection limits, read from the config snapshot when a connection is accepted.
struct HTTPServerLimits: Sendable {
    var maxHeaderBytes: Int = 32 * 1024
    var maxBodyBytes: Int = 2 * 1024 * 1024
    var headerTimeoutNanos: UInt64 = 10_000_000_000
    var idleTimeoutNanos: UInt64 = 60_000_000_000
    /// Pending response bytes above which a streaming producer should pause.
    var writeHighWater: Int = 256 * 1024

    var parserLimits: HTTPParserLimits {
        var l = HTTPParserLimits()
        l.maxHeaderBytes = maxHeaderBytes
        l.maxRequestLineBytes = min(8 * 1024, maxHeaderBytes)
        return l
    }
}

/// A complete request as the server hands it to a handler.
struct ServerRequest: Sendable {
    var head: HTTPRequestHead
    var body: [UInt8]
    var peer: SocketAddress?
    /// The peer's IP as text ("unknown" without a peer), computed once per connection.
    var peerHost: String
    /// Monotonic nanoseconds when the first byte of the head arrived.
    var startedAt: UInt64
    /// Wire bytes of head and body.
    var bytesIn: Int
    /// The request came over TLS (`listen.tls`): `x-forwarded-proto: https` upstream.
    var isTLS = false
}

/// What a server (data plane, admin, mock) does with requests. Loop-confined: one handler
/// instance per loop, called on that loop's thread.
protocol HTTPServerHandler: AnyObject {
    /// Decides on the head alone, before the body is read (e.g. 401, 404, 405, 415). Returning an
    /// error answers it without reading the body (and closes when the body is unread).
    func screenHead(_ head: HTTPRequestHead, peer: SocketAddress?) -> GatewayError?
    /// Handles a complete request; answer through `responder`, now or later.
    func handle(_ request: ServerRequest, responder: HTTPResponder)
    /// Renders an error this server answers (shape may depend on the path).
    func errorBody(_ error: GatewayError, path: String?) -> [UInt8]
    /// Called when the connection answers an error without calling `handle` (framing errors,
    /// timeouts, head screening), for logging and counting.
    func didAnswerLocally(_ error: GatewayError, head: HTTPRequestHead?, peer: SocketAddress?, startedAt: UInt64)
}

extension HTTPServerHandler {
    func screenHead(_ head: HTTPRequestHead, peer: SocketAddress?) -> GatewayError? { nil }
    func errorBody(_ error: GatewayError, path: String?) -> [UInt8] { ErrorResponse.openAIBody(error) }
    func didAnswerLocally(_ error: GatewayError, head: HTTPRequestHead?, peer: SocketAddress?, startedAt: UInt64) {}
}
