/// Request-smuggling and pipelining cases: a second, valid request hidden in the body of a malformed
/// one, or sent right after it. Whatever a lenient parser would make of the bytes, the gateway must
/// answer the first request with one error and close: the hidden request must never reach sluice-mock.
enum SmugglingConformanceCases {
    private typealias R = ConformanceRaw
    private static let t = ConformanceRaw.target
    private static let b = ConformanceRaw.body

    /// The request a smuggler wants processed: valid on its own, tagged so it is easy to spot.
    static let hidden = "POST \(ConformanceRaw.target) HTTP/1.1\r\nHost: x\r\nx-request-id: smuggled\r\n"
        + "Content-Length: \(ConformanceRaw.length)\r\n\r\n\(ConformanceRaw.body)"
    private static let hiddenLength = hidden.utf8.count
    private static let hiddenHex = String(hidden.utf8.count, radix: 16)

    static var all: [ConformanceCase] {
        [
            // Sent after a complete but invalid request on the same connection.
            .init("pipelined-after-duplicate-host", "GET /v1/models HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n" + hidden),
            .init("pipelined-after-bad-version", "GET /v1/models HTTP/1.2\r\nHost: x\r\n\r\n" + hidden),
            .init("pipelined-after-bad-chunk", R.chunkedPost("5\r\nhello\n0\r\n\r\n") + hidden),
            .init("pipelined-after-gzip", R.post(["Transfer-Encoding: gzip"], body: "") + hidden, 501, "unsupported_transfer_encoding"),
            .init("pipelined-after-too-large", R.post(["Content-Length: 5000"], body: "") + hidden, 413, "request_too_large"),
            // CL.TE: a CL-only parser sends it all as one body; a TE parser ends the body at "0" and
            // sees the hidden request.
            .init("cl-te-hidden", R.post(["Content-Length: \(5 + hiddenLength)", "Transfer-Encoding: chunked"],
                                         body: "0\r\n\r\n" + hidden)),
            // TE.CL: a CL parser reads 4 bytes and takes the chunk data for a request.
            .init("te-cl-hidden", R.post(["Transfer-Encoding: chunked", "Content-Length: \(hiddenHex.utf8.count + 2)"],
                                         body: hiddenHex + "\r\n" + hidden + "\r\n0\r\n\r\n")),
            // TE.TE: one side accepts the obfuscated coding, the other falls back to CL.
            .init("te-xchunked-cl-hidden", R.post(["Transfer-Encoding: xchunked", "Content-Length: 5"], body: "0\r\n\r\n" + hidden)),
            .init("te-space-colon-cl-hidden", R.post(["Transfer-Encoding : chunked", "Content-Length: 5"], body: "0\r\n\r\n" + hidden)),
            .init("te-underscore-dash-cl-hidden", R.post(["Transfer_Encoding: x", "Transfer-Encoding: chunked", "Content-Length: 5"],
                                                         body: "0\r\n\r\n" + hidden)),
            .init("te-folded-cl-hidden", R.post(["Content-Length: 5", "X: y", " Transfer-Encoding: chunked"], body: "0\r\n\r\n" + hidden)),
            .init("te-chunked-identity-cl-hidden", R.post(["Transfer-Encoding: chunked, identity", "Content-Length: 5"],
                                                          body: "0\r\n\r\n" + hidden)),
            .init("te-http10-hidden", R.post(["Transfer-Encoding: chunked"], body: "0\r\n\r\n" + hidden, version: "HTTP/1.0")),
            // Two lengths: one parser takes the first, another the last.
            .init("cl-duplicate-hidden", R.post(["Content-Length: 0", "Content-Length: \(hiddenLength)"], body: hidden)),
            .init("cl-list-hidden", R.post(["Content-Length: 0, \(hiddenLength)"], body: hidden)),
            .init("cl-folded-hidden", R.post(["Content-Length: 0", " \(hiddenLength)"], body: hidden)),
            .init("cl-space-colon-hidden", R.post(["Content-Length : \(hiddenLength)"], body: hidden)),
            // A chunk size that wraps to a small number in a 64-bit parser without overflow checks.
            .init("chunk-size-wrap-hidden", R.chunkedPost("10000000000000005\r\nhello\r\n0\r\n\r\n" + hidden)),
            // Bare LF and bare CR as line ends inside the body framing.
            .init("chunk-lf-only-hidden", R.chunkedPost("5\nhello\n0\n\n" + hidden)),
            .init("chunk-ext-newline-hidden", R.chunkedPost("5;a=\"x\nhello\r\n0\r\n\r\n" + hidden)),
            .init("chunk-last-without-crlf-hidden", R.chunkedPost("0\r\n" + hidden)),
            // A bare LF inside the head makes a lenient parser see a second field line.
            .init("bare-lf-cl-hidden", "POST \(t) HTTP/1.1\r\nHost: x\r\nX: a\nContent-Length: \(hiddenLength)\r\n\r\n" + hidden),
            .init("bare-cr-te-hidden", "POST \(t) HTTP/1.1\r\nHost: x\r\nX: a\rTransfer-Encoding: chunked\r\n"
                  + "Content-Length: 5\r\n\r\n0\r\n\r\n" + hidden),
            .init("lf-request-line-hidden", "POST \(t) HTTP/1.1\nHost: x\nContent-Length: \(b.utf8.count)\n\n\(b)" + hidden),
        ]
    }
}
