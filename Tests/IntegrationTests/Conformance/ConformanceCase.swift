import Foundation

/// One raw request the gateway must refuse (SPEC §8): the exact bytes sent on a fresh connection,
/// the status and `error.code` expected (SPEC §3), and, for a refusal the gateway gets wrong today,
/// the known issue that keeps the suite green until it is fixed.
struct ConformanceCase: CustomStringConvertible {
    /// Short unique name, shown in failures.
    let name: String
    /// Bytes sent, all at once.
    let raw: [UInt8]
    /// Expected status of the one and only response.
    let status: Int
    /// Expected `error.code` of its OpenAI-shaped body.
    let code: String
    /// Set when the gateway is known to get this case wrong (listed in `ConformanceTests`).
    let knownIssue: String?
    /// The known issue depends on how the bytes arrive, so it may not show on every run.
    let intermittent: Bool

    init(_ name: String, _ raw: [UInt8], _ status: Int = 400, _ code: String = "bad_request",
         knownIssue: String? = nil, intermittent: Bool = false) {
        self.name = name
        self.raw = raw
        self.status = status
        self.code = code
        self.knownIssue = knownIssue
        self.intermittent = intermittent
    }

    init(_ name: String, _ raw: String, _ status: Int = 400, _ code: String = "bad_request",
         knownIssue: String? = nil, intermittent: Bool = false) {
        self.init(name, Array(raw.utf8), status, code, knownIssue: knownIssue, intermittent: intermittent)
    }

    var description: String { name }
}

/// Builders for the raw requests of the conformance tables. Every request that a lenient parser
/// could take as valid is a complete chat completion for a routed model, so that a wrong acceptance
/// reaches sluice-mock and shows up in `GET /mock/requests`, not only in the status.
enum ConformanceRaw {
    /// A valid chat body for a model the basic config routes to the mock.
    static let body = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":1}"#
    static var length: Int { body.utf8.count }
    static let target = "/v1/chat/completions"

    /// `POST /v1/chat/completions HTTP/1.1`, `Host: x`, each of `fields` as a line, an empty line, `body`.
    static func post(_ fields: [String], body: String = body, version: String = "HTTP/1.1") -> String {
        "POST \(target) \(version)\r\nHost: x\r\n" + fields.map { $0 + "\r\n" }.joined() + "\r\n" + body
    }

    /// Like `post`, with one field line given as raw bytes (for bytes a Swift string cannot hold).
    static func post(rawField: [UInt8], body: String = body) -> [UInt8] {
        Array("POST \(target) HTTP/1.1\r\nHost: x\r\nContent-Length: \(length)\r\n".utf8) + rawField
            + Array("\r\n\r\n\(body)".utf8)
    }

    /// A request line made of `line` (without CRLF), then `Host: x`, Content-Length and the body.
    static func requestLine(_ line: String) -> String {
        "\(line)\r\nHost: x\r\nContent-Length: \(length)\r\n\r\n\(body)"
    }

    /// A request line whose target is `prefix` + `raw` bytes + `suffix` (for bytes outside ASCII).
    static func requestLine(target prefix: String, raw: [UInt8], suffix: String = "") -> [UInt8] {
        Array("POST \(prefix)".utf8) + raw + Array("\(suffix) HTTP/1.1\r\nHost: x\r\nContent-Length: \(length)\r\n\r\n\(body)".utf8)
    }

    /// `TE: chunked` POST whose body is `chunkedBody` verbatim.
    static func chunkedPost(_ chunkedBody: String) -> String {
        post(["Transfer-Encoding: chunked"], body: chunkedBody)
    }

    /// The valid body encoded as one chunk plus the last chunk.
    static var chunkedBody: String { String(length, radix: 16) + "\r\n" + body + "\r\n0\r\n\r\n" }
}
