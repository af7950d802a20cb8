import Glibc

/// Why an upstream exchange failed, as the retry policy and the error mapping see it.
enum UpstreamFailure: Error, Sendable {
    case connect(String)
    /// The endpoint's `max_connections` is reached on this process (a local limit, not the
    /// endpoint's fault: it never counts towards outlier ejection).
    case saturated
    case reset(String)
    case firstByteTimeout
    case idleTimeout
    case totalTimeout
    case protocolError(String)
    case responseTooLarge

    var gatewayError: GatewayError {
        switch self {
        case .connect(let r): return .upstreamUnavailable("connect failed (\(r))")
        case .saturated: return .upstreamUnavailable("connect failed (max_connections reached)")
        case .reset(let r): return .upstreamUnavailable("connection lost (\(r))")
        case .protocolError(let r): return .upstreamUnavailable("invalid response (\(r))")
        case .responseTooLarge: return .upstreamUnavailable("response too large")
        case .firstByteTimeout: return .upstreamTimeout("no response within first_byte timeout")
        case .idleTimeout: return .upstreamTimeout("response stalled past idle timeout")
        case .totalTimeout: return .upstreamTimeout("response exceeded total timeout")
        }
    }

    /// The `outcome` of `upstream_requests_total` (an index of `UpstreamOutcome.names`).
    var outcomeDetail: Int {
        switch self {
        case .connect, .saturated: return 1
        case .reset: return 2
        case .firstByteTimeout: return 3
        case .idleTimeout: return 4
        case .totalTimeout: return 5
        case .protocolError: return 6
        case .responseTooLarge: return 7
        }
    }

    /// A connect-phase failure (`retry.on: connect_error`).
    var isConnectError: Bool {
        switch self {
        case .connect, .saturated: return true
        default: return false
        }
    }

    /// The endpoint itself failed (connect error, reset, timeout, invalid response): counts towards
    /// outlier ejection. A local connection limit or an over-large answer does not.
    var isEndpointFault: Bool {
        switch self {
        case .saturated, .responseTooLarge: return false
        default: return true
        }
    }

    /// The `retry.on` condition this failure matches.
    var retryCondition: String {
        switch self {
        case .connect, .saturated: return "connect_error"
        case .firstByteTimeout: return "first_byte_timeout"
        default: return "reset"
        }
    }
}

/// Receives the events of one upstream exchange, on the loop thread.
protocol UpstreamExchangeDelegate: AnyObject {
    func upstreamDidReceiveHead(_ head: HTTPResponseHead)
    /// Decoded body bytes (de-chunked), valid only during the call.
    func upstreamDidReceiveBody(_ bytes: UnsafeRawBufferPointer)
    func upstreamDidFinish()
    /// `reused` tells that the failure happened on a pooled connection before any response byte
    /// (the upstream closed an idle keep-alive connection): safe to try once more on a fresh one.
    func upstreamDidFail(_ failure: UpstreamFailure, reusedBeforeResponse: Bool)
}

/// Timeouts of one backend in nanoseconds.
struct UpstreamTimeouts: Sendable {
    var connect: UInt64 = 2_000_000_000
    var firstByte: UInt64 = 60_000_000_000
    var idle: UInt64 = 30_000_000_000
    var total: UInt64 = 600_000_000_000
}

/// TLS settings for `https://` endpoints of one backend (or webhook).
final class UpstreamTLS: Sendable {
    let context: TLSContext
    /// SNI / verified name override (`tls.sni`).
    let sni: String?

    init(context: TLSContext, sni: String?) {
        self.context = context
        self.sni = sni
    }
}
