/// A protocol violation found while parsing; each kind maps to one row of SPEC §3.
struct HTTPParseError: Error, Equatable, Sendable {
    /// The class of violation.
    enum Kind: Sendable {
        case badRequest, uriTooLong, headersTooLarge, unsupportedTransferEncoding, bodyTooLarge
    }

    /// The class of violation.
    var kind: Kind
    /// Short fixed text; never echoes input bytes.
    var reason: String

    /// Creates an error.
    init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }

    /// HTTP status to answer with (then close the connection).
    var status: Int {
        switch kind {
        case .badRequest: return 400
        case .uriTooLong: return 414
        case .headersTooLarge: return 431
        case .unsupportedTransferEncoding: return 501
        case .bodyTooLarge: return 413
        }
    }

    /// Error code for the JSON error body.
    var code: String {
        switch kind {
        case .badRequest: return "bad_request"
        case .uriTooLong: return "uri_too_long"
        case .headersTooLarge: return "headers_too_large"
        case .unsupportedTransferEncoding: return "unsupported_transfer_encoding"
        case .bodyTooLarge: return "request_too_large"
        }
    }

    /// A 400 error.
    static func bad(_ reason: String) -> HTTPParseError { HTTPParseError(.badRequest, reason) }
}

/// Outcome of one incremental head parse.
enum HTTPHeadParseResult<Head: Sendable>: Sendable {
    /// The head is not complete yet; call again with more bytes.
    case needMore
    /// The head occupies the first `consumed` bytes of the buffer (leading empty lines included).
    case complete(Head, consumed: Int)
    /// The head is malformed or over a limit; answer `status` and close.
    case invalid(HTTPParseError)
}

/// Size limits for a head; each is enforced as soon as it is exceeded.
struct HTTPParserLimits: Sendable {
    /// Maximum bytes of a whole head (start line, fields, final CRLF, leading empty lines) -> 431.
    var maxHeaderBytes: Int = 32 * 1024
    /// Maximum bytes of the request/status line without its CRLF -> 414 (requests).
    var maxRequestLineBytes: Int = 8 * 1024
    /// Maximum number of field lines -> 431.
    var maxHeaderCount: Int = 128

    /// Limits with the defaults, overridable one by one.
    init(maxHeaderBytes: Int = 32 * 1024, maxRequestLineBytes: Int = 8 * 1024, maxHeaderCount: Int = 128) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderCount = maxHeaderCount
    }
}
