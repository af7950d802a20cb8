/// How a request body is delimited (RFC 9112 §6.3).
enum HTTPBodyFraming: Equatable, Sendable {
    /// No body (no Content-Length, no Transfer-Encoding).
    case none
    /// Exactly this many bytes follow the head.
    case contentLength(Int)
    /// A chunked body follows; decode it with `ChunkedDecoder`.
    case chunked
}

/// A parsed, validated request head. Produced by `HTTPRequestParser`; a value owned by its connection.
struct HTTPRequestHead: Sendable {
    /// The request method.
    var method: HTTPMethod
    /// The request target as sent (origin-form, absolute-form, or `*`).
    var target: String
    /// The path without query; for absolute-form the path part (`/` when empty); `*` for asterisk-form.
    var path: String
    /// The query after `?` (may be empty), or nil when the target has no `?`.
    var query: String?
    /// HTTP/1.0 or HTTP/1.1.
    var version: HTTPVersion
    /// All fields as sent.
    var headers: HTTPHeaders
    /// Body framing.
    var framing: HTTPBodyFraming
    /// Whether the connection may stay open after this exchange: HTTP/1.1 unless `Connection: close`;
    /// HTTP/1.0 only with `Connection: keep-alive`.
    var keepAlive: Bool
    /// `Expect: 100-continue` on an HTTP/1.1 request. Other expectations are ignored (RFC 9110 §10.1.1
    /// makes 417 optional), and HTTP/1.0 requests never get a 100 (RFC 9110 §10.1.1).
    var expectContinue: Bool
}
