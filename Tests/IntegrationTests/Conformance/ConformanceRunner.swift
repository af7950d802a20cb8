import Foundation
import Testing

/// Runs conformance tables against one running gateway: each case on a fresh connection, the bytes
/// sent at once, then exactly one error answer expected, followed by the gateway closing.
enum ConformanceRunner {
    /// What came back for one case.
    struct Outcome {
        /// The first line received; it must be the final status (no `100 Continue` before an error).
        var firstLine = ""
        var response: HTTPClient.Response?
        /// Bytes after the first response (a second response means a request was processed after the error).
        var extra: [UInt8] = []
        /// The gateway closed (EOF or reset) after answering, within the read timeout.
        var closed = false
        /// Why no response could be read, if so.
        var failure: String?
    }

    /// Sends `c.raw` on a new connection and collects the answer and the close.
    static func probe(_ c: ConformanceCase, port: Int, timeout: Double = 3) -> Outcome {
        var o = Outcome()
        do {
            let conn = try RawConnection(port: port, timeout: timeout)
            // The gateway may close before it has read everything (it answers as soon as it has
            // decided); a failed send then is expected, and the answer is still read.
            try? conn.send(c.raw)
            let first = try conn.readSome()
            if let lf = first.firstIndex(of: 10) { o.firstLine = String(decoding: first[..<lf], as: UTF8.self) }
            var reader = ResponseReader(conn: conn)
            reader.buffer = first
            o.response = try reader.read()
            o.extra = reader.buffer
            (o.closed, o.extra) = drain(conn, o.extra)
        } catch {
            o.failure = "\(error)"
        }
        return o
    }

    /// Reads until EOF or reset; returns whether the peer closed and every byte that still arrived.
    static func drain(_ conn: RawConnection, _ already: [UInt8]) -> (Bool, [UInt8]) {
        var extra = already
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(conn.fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return (true, extra) }
            if n < 0 { return (errno == ECONNRESET, extra) }
            extra += buf[0..<n]
        }
    }

    /// Runs every case and records one set of expectations per case.
    static func run(_ cases: [ConformanceCase], port: Int) {
        for c in cases {
            // A known issue may leave the connection open: wait less for a close that will not come.
            let o = probe(c, port: port, timeout: c.knownIssue == nil ? 3 : 1)
            if let issue = c.knownIssue {
                withKnownIssue(Comment(rawValue: "\(c.name): \(issue)"), isIntermittent: c.intermittent) { check(c, o) }
            } else {
                check(c, o)
            }
        }
    }

    /// The expectations of SPEC §3 and §8 for one refused request.
    static func check(_ c: ConformanceCase, _ o: Outcome) {
        guard let r = o.response else {
            Issue.record("\(c.name): no response (\(o.failure ?? "?"))")
            return
        }
        #expect(o.firstLine.hasPrefix("HTTP/1.1 \(c.status) "), "\(c.name): first line \(o.firstLine)")
        #expect(r.status == c.status, "\(c.name): status \(r.status), body \(r.text)")
        #expect(r.header("content-type") == "application/json", "\(c.name): content-type")
        let error = (try? r.json())?["error"] as? [String: Any]
        #expect(error?["code"] as? String == c.code, "\(c.name): error \(r.text)")
        #expect(error?["type"] as? String == "invalid_request_error", "\(c.name): error type \(r.text)")
        #expect(r.header("connection")?.lowercased() == "close", "\(c.name): Connection header")
        #expect(o.extra.isEmpty, "\(c.name): more bytes after the error answer: \(String(decoding: o.extra.prefix(200), as: UTF8.self))")
        #expect(o.closed, "\(c.name): connection still open after the error answer")
    }
}
