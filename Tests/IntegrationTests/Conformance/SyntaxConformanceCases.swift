/// Request-line and field-syntax cases (RFC 9112 §2–5, SPEC §8): versions, separators, targets,
/// Host, line endings, control bytes, obs-fold, field-name tokens, and the 414/431 limits.
enum SyntaxConformanceCases {
    private typealias R = ConformanceRaw
    private static let t = ConformanceRaw.target
    private static let len = ConformanceRaw.length
    private static let b = ConformanceRaw.body

    static var all: [ConformanceCase] { requestLine + target + fields + limits }

    static var requestLine: [ConformanceCase] {
        [
            .init("version-http2", R.requestLine("POST \(t) HTTP/2.0")),
            .init("version-1.1x", R.requestLine("POST \(t) HTTP/1.1x")),
            .init("version-lowercase", R.requestLine("POST \(t) http/1.1")),
            .init("version-1.10", R.requestLine("POST \(t) HTTP/1.10")),
            .init("version-missing", R.requestLine("POST \(t)")),
            .init("version-3", R.requestLine("POST \(t) HTTP/3")),
            .init("request-line-double-space", R.requestLine("POST  \(t) HTTP/1.1")),
            .init("request-line-tab", R.requestLine("POST\t\(t) HTTP/1.1")),
            .init("request-line-trailing-space", R.requestLine("POST \(t) HTTP/1.1 ")),
            .init("request-line-leading-space", R.requestLine(" POST \(t) HTTP/1.1")),
            .init("method-invalid-token", R.requestLine("PO(ST \(t) HTTP/1.1")),
        ]
    }

    static var target: [ConformanceCase] {
        [
            .init("target-space", R.requestLine("POST /v1/chat completions HTTP/1.1")),
            .init("target-nul", R.requestLine(target: "/v1/chat/", raw: [0], suffix: "completions")),
            .init("target-del", R.requestLine(target: "/v1/chat/", raw: [0x7F], suffix: "completions")),
            .init("target-non-ascii", R.requestLine(target: "/v1/chat/", raw: [0xC3, 0xA9], suffix: "completions")),
            .init("target-fragment", R.requestLine("POST \(t)#frag HTTP/1.1")),
            .init("target-bad-percent", R.requestLine("POST /v1/chat/%zzcompletions HTTP/1.1")),
            .init("target-backslash", R.requestLine("POST /v1\\chat\\completions HTTP/1.1")),
            .init("target-relative", R.requestLine("POST v1/chat/completions HTTP/1.1")),
            .init("target-absolute-other-host", R.requestLine("POST http://evil.example\(t) HTTP/1.1")),
            .init("target-absolute-other-port", R.requestLine("POST http://x:81\(t) HTTP/1.1")),
            .init("target-absolute-userinfo", R.requestLine("POST http://u@x\(t) HTTP/1.1")),
            .init("target-absolute-other-scheme", R.requestLine("POST ftp://x\(t) HTTP/1.1")),
            .init("target-authority-form", R.requestLine("CONNECT x:443 HTTP/1.1")),
            .init("target-asterisk-post", R.requestLine("POST * HTTP/1.1")),
            .init("target-absolute-empty-authority", R.requestLine("POST http://\(t) HTTP/1.1")),
            // SPEC §8: absolute-form is accepted only when its authority equals Host; without a Host
            // (allowed in HTTP/1.0) nothing can equal it.
            .init("target-absolute-http10-no-host", "POST http://evil.example\(t) HTTP/1.0\r\nContent-Length: \(len)\r\n\r\n\(b)"),
        ]
    }

    static var fields: [ConformanceCase] {
        let cl = "Content-Length: \(len)"
        func raw(_ name: String, _ bytes: [UInt8]) -> ConformanceCase { .init(name, R.post(rawField: bytes)) }
        return [
            .init("host-missing", "POST \(t) HTTP/1.1\r\n\(cl)\r\n\r\n\(b)"),
            .init("host-duplicate", R.post(["Host: x", cl])),
            .init("host-differing", R.post(["Host: y", cl])),
            .init("host-space", "POST \(t) HTTP/1.1\r\nHost: a b\r\n\(cl)\r\n\r\n\(b)"),
            .init("host-userinfo", "POST \(t) HTTP/1.1\r\nHost: u@x\r\n\(cl)\r\n\r\n\(b)"),
            .init("host-path", "POST \(t) HTTP/1.1\r\nHost: x/y\r\n\(cl)\r\n\r\n\(b)"),
            // RFC 9112 §3.2: a Host whose value is not `uri-host [":" port]` gets 400 (RFC 9110 §4.2.1:
            // an http URI's host is never empty).
            .init("host-empty", "POST \(t) HTTP/1.1\r\nHost:\r\n\(cl)\r\n\r\n\(b)"),
            .init("host-port-not-digits", "POST \(t) HTTP/1.1\r\nHost: x:abc\r\n\(cl)\r\n\r\n\(b)"),
            .init("host-two-ports", "POST \(t) HTTP/1.1\r\nHost: x:80:90\r\n\(cl)\r\n\r\n\(b)"),
            .init("host-unclosed-ip-literal", "POST \(t) HTTP/1.1\r\nHost: [::1\r\n\(cl)\r\n\r\n\(b)"),
            .init("host-bad-percent", "POST \(t) HTTP/1.1\r\nHost: %zz\r\n\(cl)\r\n\r\n\(b)"),
            .init("bare-lf-request-line", "POST \(t) HTTP/1.1\nHost: x\r\n\(cl)\r\n\r\n\(b)"),
            .init("bare-lf-field", "POST \(t) HTTP/1.1\r\nHost: x\n\(cl)\r\n\r\n\(b)"),
            .init("bare-lf-end-of-head", "POST \(t) HTTP/1.1\r\nHost: x\r\n\(cl)\r\n\n\(b)"),
            .init("bare-lf-everywhere", "POST \(t) HTTP/1.1\nHost: x\n\(cl)\n\n\(b)"),
            .init("bare-cr-line-end", "POST \(t) HTTP/1.1\r\nHost: x\r\(cl)\r\n\r\n\(b)"),
            raw("bare-cr-in-value", Array("X-A: a\rb".utf8)),
            raw("nul-in-value", Array("X-A: a".utf8) + [0] + Array("b".utf8)),
            raw("nul-in-name", Array("X-".utf8) + [0] + Array("A: b".utf8)),
            raw("nul-after-value", Array("X-A: b".utf8) + [0]),
            raw("ctl-0x01-in-value", Array("X-A: a".utf8) + [1] + Array("b".utf8)),
            raw("del-in-value", Array("X-A: a".utf8) + [0x7F] + Array("b".utf8)),
            raw("esc-in-name", Array("X-".utf8) + [0x1B] + Array("A: b".utf8)),
            raw("vertical-tab-in-value", Array("X-A: a".utf8) + [0x0B] + Array("b".utf8)),
            .init("obs-fold-space", R.post([cl, "X-A: a", " b"])),
            .init("obs-fold-tab", R.post([cl, "X-A: a", "\tb"])),
            .init("first-field-folded", "POST \(t) HTTP/1.1\r\n Host: x\r\n\(cl)\r\n\r\n\(b)"),
            .init("space-before-colon", R.post(["Content-Length : \(len)"])),
            .init("tab-before-colon", R.post(["Content-Length\t: \(len)"])),
            .init("host-space-before-colon", "POST \(t) HTTP/1.1\r\nHost : x\r\n\(cl)\r\n\r\n\(b)"),
            .init("name-with-space", R.post([cl, "Na me: v"])),
            .init("name-with-at", R.post([cl, "Name@: v"])),
            .init("name-empty", R.post([cl, ": x"])),
            .init("name-brackets", R.post([cl, "X[1]: v"])),
            .init("name-non-ascii", R.post([cl, "Nämé: v"])),
            .init("line-without-colon", R.post([cl, "JustText"])),
        ]
    }

    static var limits: [ConformanceCase] {
        let long = "POST /" + String(repeating: "a", count: 9000)
        let fields = (0..<200).map { "X-F\($0): v" }
        return [
            .init("request-line-too-long", R.requestLine(long + " HTTP/1.1"), 414, "uri_too_long"),
            // Longer than max_header_bytes (32 KiB) but arriving whole within the read buffer's cap.
            .init("request-line-over-head-limit", R.requestLine("POST /" + String(repeating: "a", count: 32_900) + " HTTP/1.1"),
                  414, "uri_too_long"),
            // No CRLF at all yet: 414 as soon as the line is past the limit, without waiting for its end.
            .init("request-line-too-long-unterminated", long, 414, "uri_too_long"),
            .init("head-too-large", R.post(["Content-Length: \(len)", "X-Big: " + String(repeating: "b", count: 40_000)]),
                  431, "headers_too_large"),
            .init("too-many-fields", R.post(["Content-Length: \(len)"] + fields), 431, "headers_too_large"),
        ]
    }
}
