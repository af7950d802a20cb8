/// An error the gateway answers itself, with its one mapping to an HTTP response (SPEC §3 table).
///
/// Every place that rejects a request builds one of these; `ErrorResponse` renders it in the
/// OpenAI shape, or the Anthropic shape on `/v1/messages`.
struct GatewayError: Error, Sendable {
    var status: Int
    var type: String
    var code: String
    var message: String
    /// Close the client connection after answering (framing errors).
    var closeConnection: Bool = false
    /// Extra response headers (retry-after, x-should-retry …).
    var headers: [(String, String)] = []

    static func badRequest(_ message: String) -> GatewayError {
        GatewayError(status: 400, type: "invalid_request_error", code: "bad_request", message: message, closeConnection: true)
    }
    static func notFound(_ path: String) -> GatewayError {
        GatewayError(status: 404, type: "invalid_request_error", code: "not_found", message: "Unknown path \(path)")
    }
    static func methodNotAllowed() -> GatewayError {
        GatewayError(status: 405, type: "invalid_request_error", code: "method_not_allowed", message: "Method not allowed on this path")
    }
    static func unsupportedContentEncoding() -> GatewayError {
        GatewayError(status: 415, type: "invalid_request_error", code: "unsupported_content_encoding",
                     message: "Compressed request bodies are not accepted; send identity-encoded JSON")
    }
    static func invalidJSON(_ reason: String) -> GatewayError {
        GatewayError(status: 400, type: "invalid_request_error", code: "invalid_json", message: "Request body is not valid JSON: \(reason)")
    }
    static func missingModel() -> GatewayError {
        GatewayError(status: 400, type: "invalid_request_error", code: "missing_model",
                     message: "The request names no model (body field \"model\" or header x-gateway-model-name)")
    }
    static func modelNotFound(_ model: String) -> GatewayError {
        GatewayError(status: 404, type: "invalid_request_error", code: "model_not_found",
                     message: "The model '\(model)' does not exist or no route serves it")
    }
    static func requestTooLarge(limit: Int) -> GatewayError {
        GatewayError(status: 413, type: "invalid_request_error", code: "request_too_large",
                     message: "Request body exceeds the limit of \(limit) bytes", closeConnection: true)
    }
    static func requestTimeout() -> GatewayError {
        GatewayError(status: 408, type: "invalid_request_error", code: "request_timeout",
                     message: "Request head not received in time", closeConnection: true)
    }
    static func noHealthyBackend(_ backend: String) -> GatewayError {
        GatewayError(status: 503, type: "overloaded_error", code: "no_healthy_backend",
                     message: "No healthy endpoint for backend '\(backend)'")
    }
    static func limiterUnavailable() -> GatewayError {
        GatewayError(status: 503, type: "overloaded_error", code: "limiter_unavailable",
                     message: "The shared rate-limit store is unreachable")
    }
    static func upstreamUnavailable(_ reason: String) -> GatewayError {
        GatewayError(status: 502, type: "upstream_error", code: "upstream_unavailable", message: "Upstream unavailable: \(reason)")
    }
    static func upstreamTimeout(_ reason: String) -> GatewayError {
        GatewayError(status: 504, type: "timeout_error", code: "upstream_timeout", message: "Upstream timed out: \(reason)")
    }
    static func shuttingDown() -> GatewayError {
        GatewayError(status: 503, type: "overloaded_error", code: "shutting_down", message: "The gateway is shutting down")
    }

    /// From the HTTP layer's framing errors (400/413/414/431/501, then close).
    init(parse error: HTTPParseError) {
        self.init(status: error.status, type: "invalid_request_error", code: error.code,
                  message: error.reason, closeConnection: true)
    }

    init(status: Int, type: String, code: String, message: String, closeConnection: Bool = false,
         headers: [(String, String)] = []) {
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.closeConnection = closeConnection
        self.headers = headers
    }
}

/// Renders gateway errors as JSON bodies.
enum ErrorResponse {
    /// `{"error":{"message":…,"type":…,"param":null,"code":…}}`
    static func openAIBody(_ e: GatewayError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + e.message.utf8.count)
        out.append(contentsOf: #"{"error":{"message":"#.utf8)
        JSONWriter.appendString(e.message, to: &out)
        out.append(contentsOf: #","type":"#.utf8)
        JSONWriter.appendString(e.type, to: &out)
        out.append(contentsOf: #","param":null,"code":"#.utf8)
        JSONWriter.appendString(e.code, to: &out)
        out.append(literal: "}}")
        return out
    }

    /// `{"type":"error","error":{"type":…,"message":…}}` for `/v1/messages`.
    static func anthropicBody(_ e: GatewayError) -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: #"{"type":"error","error":{"type":"#.utf8)
        JSONWriter.appendString(e.type, to: &out)
        out.append(contentsOf: #","message":"#.utf8)
        JSONWriter.appendString(e.message, to: &out)
        out.append(literal: "}}")
        return out
    }

    /// The in-band SSE error event sent before cutting a stream.
    static func streamErrorEvent(message: String, type: String, code: String) -> [UInt8] {
        var out: [UInt8] = Array("data: ".utf8)
        out.append(contentsOf: #"{"error":{"message":"#.utf8)
        JSONWriter.appendString(message, to: &out)
        out.append(contentsOf: #","type":"#.utf8)
        JSONWriter.appendString(type, to: &out)
        out.append(contentsOf: #","code":"#.utf8)
        JSONWriter.appendString(code, to: &out)
        out.append(literal: "}}\n\n")
        return out
    }
}
