/// How a response body is delimited (RFC 9112 §6.3).
enum HTTPResponseFraming: Equatable, Sendable {
    /// No body: HEAD request, 1xx, 204, 304.
    case none
    /// Exactly this many bytes follow the head.
    case contentLength(Int)
    /// A chunked body follows.
    case chunked
    /// The body runs until the peer closes the connection.
    case untilClose
}

/// A parsed response head from an upstream. Produced by `HTTPResponseParser`.
struct HTTPResponseHead: Sendable {
    /// The response's HTTP/1.x version.
    var version: HTTPVersion
    /// The three-digit status code.
    var status: Int
    /// The reason phrase as sent (may be empty).
    var reason: String
    /// All fields as sent.
    var headers: HTTPHeaders
    /// Body framing, given the request method.
    var framing: HTTPResponseFraming
    /// Whether the connection may be reused after the body; false for `.untilClose`.
    var keepAlive: Bool
}
