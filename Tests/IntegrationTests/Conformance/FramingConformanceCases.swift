/// Message-framing cases: Content-Length, Transfer-Encoding (CL.TE, TE.CL, TE.TE obfuscations) and
/// chunked bodies (RFC 9112 §6–7, SPEC §8). The gateway under test has `max_body_bytes: 1KiB`.
enum FramingConformanceCases {
    private typealias R = ConformanceRaw
    private static let b = ConformanceRaw.body
    private static let len = ConformanceRaw.length
    private static let hex = String(ConformanceRaw.length, radix: 16)

    static var all: [ConformanceCase] { contentLength + transferEncoding + chunkedBody }

    static var contentLength: [ConformanceCase] {
        [
            .init("cl-te", R.post(["Content-Length: \(len)", "Transfer-Encoding: chunked"], body: R.chunkedBody)),
            .init("te-cl", R.post(["Transfer-Encoding: chunked", "Content-Length: 4"], body: R.chunkedBody)),
            .init("cl-duplicate-equal", R.post(["Content-Length: \(len)", "Content-Length: \(len)"])),
            .init("cl-duplicate-differing", R.post(["Content-Length: \(len)", "Content-Length: \(len + 1)"], body: b + " ")),
            .init("cl-list-equal", R.post(["Content-Length: \(len), \(len)"])),
            .init("cl-list-1,1", R.post(["Content-Length: 1,1"], body: "{")),
            .init("cl-plus-sign", R.post(["Content-Length: +\(len)"])),
            .init("cl-negative", R.post(["Content-Length: -1"])),
            .init("cl-hex", R.post(["Content-Length: 0x\(hex)"])),
            .init("cl-inner-space", R.post(["Content-Length: \(len / 10) \(len % 10)"])),
            .init("cl-empty", R.post(["Content-Length:"])),
            .init("cl-trailing-letters", R.post(["Content-Length: \(len)abc"])),
            .init("cl-decimal-point", R.post(["Content-Length: \(len).0"])),
            .init("cl-overflow", R.post(["Content-Length: 99999999999999999999999"], body: ""), 413, "request_too_large"),
            // Decided from Content-Length alone: only the head is sent, and no 100 Continue may come first.
            .init("cl-over-max-body", R.post(["Content-Length: 5000"], body: ""), 413, "request_too_large"),
            .init("cl-over-max-body-expect", R.post(["Expect: 100-continue", "Content-Length: 5000"], body: ""), 413, "request_too_large"),
        ]
    }

    static var transferEncoding: [ConformanceCase] {
        func te(_ name: String, _ value: String, _ status: Int = 400, _ code: String = "bad_request") -> ConformanceCase {
            .init(name, R.post(["Transfer-Encoding: \(value)"], body: R.chunkedBody), status, code)
        }
        return [
            te("te-xchunked", "xchunked"),
            te("te-chunkedx", "chunkedx"),
            te("te-chunked-identity", "chunked, identity"),
            te("te-identity", "identity"),
            te("te-identity-chunked", "identity, chunked"),
            te("te-chunked-twice", "chunked, chunked"),
            te("te-chunked-parameter", "chunked;q=1"),
            te("te-quoted", "\"chunked\""),
            te("te-empty-element", ", chunked"),
            te("te-vertical-tab", "\u{0B}chunked"),
            .init("te-empty-value", R.post(["Transfer-Encoding:"], body: R.chunkedBody)),
            .init("te-two-fields", R.post(["Transfer-Encoding: chunked", "Transfer-Encoding: chunked"], body: R.chunkedBody)),
            .init("te-space-before-colon", R.post(["Transfer-Encoding : chunked"], body: R.chunkedBody)),
            .init("te-tab-before-colon", R.post(["Transfer-Encoding\t: chunked"], body: R.chunkedBody)),
            .init("te-line-folded-in", R.post(["X-Pad: a", " Transfer-Encoding: chunked"], body: R.chunkedBody)),
            .init("te-value-folded", R.post(["Transfer-Encoding:", " chunked"], body: R.chunkedBody)),
            .init("te-http10", R.post(["Transfer-Encoding: chunked"], body: R.chunkedBody, version: "HTTP/1.0")),
            te("te-gzip", "gzip", 501, "unsupported_transfer_encoding"),
            te("te-gzip-chunked", "gzip, chunked", 501, "unsupported_transfer_encoding"),
            te("te-deflate-chunked", "deflate, chunked", 501, "unsupported_transfer_encoding"),
            te("te-compress", "compress", 501, "unsupported_transfer_encoding"),
        ]
    }

    static var chunkedBody: [ConformanceCase] {
        func body(_ name: String, _ chunked: String, _ status: Int = 400, _ code: String = "bad_request") -> ConformanceCase {
            .init(name, R.chunkedPost(chunked), status, code)
        }
        let end = "\r\n0\r\n\r\n"
        return [
            body("chunk-size-overflow", "FFFFFFFFFFFFFFFFF\r\n" + b + end),
            body("chunk-size-0x", "0x\(hex)\r\n" + b + end),
            body("chunk-size-negative", "-1\r\nx" + end),
            body("chunk-size-plus", "+\(hex)\r\n" + b + end),
            body("chunk-size-empty", "\r\n" + b + end),
            body("chunk-size-trailing-space", "\(hex) \r\n" + b + end),
            body("chunk-size-leading-space", " \(hex)\r\n" + b + end),
            body("chunk-size-trailing-tab", "\(hex)\t\r\n" + b + end),
            body("chunk-size-not-hex", "\(hex)g\r\n" + b + end),
            body("chunk-ext-space-before-semicolon", "\(hex) ;a=b\r\n" + b + end),
            body("chunk-ext-empty-name", "\(hex);=b\r\n" + b + end),
            body("chunk-ext-space-in-value", "\(hex);a=b c\r\n" + b + end),
            body("chunk-ext-unterminated-quote", "\(hex);a=\"b\r\n" + b + end),
            body("chunk-ext-control", "\(hex);a=\u{01}\r\n" + b + end),
            body("chunk-data-longer-than-size", String(len - 1, radix: 16) + "\r\n" + b + end),
            body("chunk-data-missing-crlf", "\(hex)\r\n" + b + "0\r\n\r\n"),
            body("chunk-bare-lf-size-line", "\(hex)\n" + b + end),
            body("chunk-bare-lf-after-data", "\(hex)\r\n" + b + "\n0\r\n\r\n"),
            body("chunk-bare-lf-last-chunk", "\(hex)\r\n" + b + "\r\n0\n\n"),
            body("chunk-bare-cr-size-line", "\(hex)\r" + b + end),
            body("trailer-control", "\(hex)\r\n" + b + "\r\n0\r\nX-T: a\u{01}\r\n\r\n"),
            body("trailer-obs-fold", "\(hex)\r\n" + b + "\r\n0\r\nX-T: a\r\n b\r\n\r\n"),
            body("trailer-space-before-colon", "\(hex)\r\n" + b + "\r\n0\r\nX-T : a\r\n\r\n"),
            body("trailer-request-line", "\(hex)\r\n" + b + "\r\n0\r\nGET /v1/models HTTP/1.1\r\n\r\n"),
            body("chunk-size-line-too-long", "\(hex);a=" + String(repeating: "v", count: 5000) + "\r\n" + b + end),
            body("trailer-too-large", "\(hex)\r\n" + b + "\r\n0\r\nX-T: " + String(repeating: "t", count: 9000) + "\r\n\r\n",
                 431, "headers_too_large"),
            // 0x800 = 2048 > 1 KiB, refused from the size line alone: the data is never sent.
            body("chunk-over-max-body", "800\r\n", 413, "request_too_large"),
            body("chunks-sum-over-max-body", "200\r\n" + String(repeating: "a", count: 512) + "\r\n300\r\n", 413, "request_too_large"),
        ]
    }
}
