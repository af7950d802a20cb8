import Foundation

/// A raw HTTP/1.1 client over a blocking loopback socket with timeouts: sends exact bytes and
/// reads exact bytes, so tests can check framing, pipelining, closes and streams.
final class RawConnection {
    let fd: Int32

    init(port: Int, timeout: Double = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int(timeout.truncatingRemainder(dividingBy: 1) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let r = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard r == 0 else { close(fd); throw TestFailure("connect to \(port) failed: errno \(errno)") }
    }

    deinit { close(fd) }

    func send(_ s: String) throws { try send(Array(s.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { throw TestFailure("send failed: errno \(errno)") }
            off += n
        }
    }

    /// Reads what is available (blocking up to the timeout); empty at EOF.
    func readSome() throws -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: 65536)
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 { throw TestFailure("recv failed or timed out: errno \(errno)") }
        return Array(buf[0..<n])
    }

    /// Reads until EOF (or timeout error).
    func readToEOF() throws -> [UInt8] {
        var all: [UInt8] = []
        while true {
            let chunk = try readSome()
            if chunk.isEmpty { return all }
            all += chunk
        }
    }

    /// True when the peer closed (EOF or reset) within the timeout.
    func isClosedByPeer() -> Bool {
        while true {
            var buf = [UInt8](repeating: 0, count: 4096)
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    /// Reads one complete response (Content-Length, chunked or close-delimited).
    func readResponse() throws -> HTTPClient.Response {
        var reader = ResponseReader(conn: self)
        return try reader.read()
    }
}

/// Parses responses from a `RawConnection`, keeping bytes that belong to the next response.
struct ResponseReader {
    let conn: RawConnection
    var buffer: [UInt8] = []

    init(conn: RawConnection) { self.conn = conn }

    private mutating func fill() throws -> Bool {
        let c = try conn.readSome()
        if c.isEmpty { return false }
        buffer += c
        return true
    }

    mutating func read() throws -> HTTPClient.Response {
        while true {
            guard let end = find([13, 10, 13, 10]) else {
                if try !fill() { throw TestFailure("EOF before response head; got \(String(decoding: buffer, as: UTF8.self))") }
                continue
            }
            let headText = String(decoding: buffer[0..<end], as: UTF8.self)
            buffer.removeFirst(end + 4)
            var lines = headText.components(separatedBy: "\r\n")
            let statusLine = lines.removeFirst()
            let parts = statusLine.split(separator: " ")
            guard parts.count >= 2, let status = Int(parts[1]) else { throw TestFailure("bad status line \(statusLine)") }
            var headers: [(String, String)] = []
            for l in lines {
                guard let c = l.firstIndex(of: ":") else { continue }
                headers.append((l[..<c].lowercased(), l[l.index(after: c)...].trimmingCharacters(in: .whitespaces)))
            }
            if status >= 100 && status < 200 { continue }
            var resp = HTTPClient.Response(status: status, headers: headers, body: [], complete: true, chunks: [])
            if let te = resp.header("transfer-encoding"), te.lowercased().contains("chunked") {
                try readChunked(&resp)
            } else if let cl = resp.header("content-length"), let n = Int(cl) {
                while buffer.count < n { if try !fill() { throw TestFailure("EOF in body") } }
                resp.body = Array(buffer[0..<n])
                buffer.removeFirst(n)
            } else if status != 204 && status != 304 {
                while try fill() {}
                resp.body = buffer
                buffer = []
            }
            return resp
        }
    }

    private mutating func readChunked(_ resp: inout HTTPClient.Response) throws {
        while true {
            var lineEnd = find([13, 10])
            while lineEnd == nil {
                if try !fill() { resp.complete = false; return }
                lineEnd = find([13, 10])
            }
            guard let le = lineEnd else { return }
            let sizeText = String(decoding: buffer[0..<le], as: UTF8.self).split(separator: ";")[0]
            guard let size = Int(sizeText, radix: 16) else { throw TestFailure("bad chunk size \(sizeText)") }
            buffer.removeFirst(le + 2)
            if size == 0 {
                while find([13, 10]) == nil { if try !fill() { return } }
                if let t = find([13, 10]) { buffer.removeFirst(t + 2) }
                return
            }
            while buffer.count < size + 2 {
                if try !fill() { resp.complete = false; resp.body += buffer; return }
            }
            let data = Array(buffer[0..<size])
            resp.body += data
            resp.chunks.append(data)
            buffer.removeFirst(size + 2)
        }
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0...(buffer.count - needle.count) where buffer[i] == needle[0] && Array(buffer[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }
}

/// One-shot requests for tests.
enum HTTPClient {
    struct Response {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
        /// False when a chunked body ended without its terminating chunk (cut stream).
        var complete: Bool
        var chunks: [[UInt8]]

        func header(_ name: String) -> String? { headers.first { $0.0 == name.lowercased() }?.1 }
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: Any] {
            guard let o = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { throw TestFailure("not a JSON object: \(text)") }
            return o
        }
        /// The error code of an OpenAI-shaped error body.
        var errorCode: String? { ((try? json())?["error"] as? [String: Any])?["code"] as? String }
    }

    static func request(port: Int, method: String, path: String, headers: [(String, String)] = [],
                        body: String? = nil, timeout: Double = 10) throws -> Response {
        let c = try RawConnection(port: port, timeout: timeout)
        var req = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (n, v) in headers { req += "\(n): \(v)\r\n" }
        if let b = body { req += "Content-Type: application/json\r\nContent-Length: \(b.utf8.count)\r\n\r\n\(b)" } else { req += "\r\n" }
        try c.send(req)
        return try c.readResponse()
    }

    static func chat(port: Int, model: String = "llama-3.1-8b", stream: Bool = false, extra: String = "",
                     headers: [(String, String)] = [], path: String = "/v1/chat/completions") throws -> Response {
        let body = #"{"model":"\#(model)","messages":[{"role":"user","content":"Hello there, how are you?"}]"# + (stream ? #","stream":true"# : "") + extra + "}"
        return try request(port: port, method: "POST", path: path, headers: headers, body: body)
    }
}
