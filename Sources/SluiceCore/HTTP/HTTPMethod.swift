/// A request method (RFC 9110 §9). Methods are case-sensitive tokens; unknown ones are kept as `other`.
enum HTTPMethod: Equatable, Sendable {
    case get, head, post, put, delete, options, patch, connect, trace
    case other(String)

    /// The method as sent on the wire.
    var name: String {
        switch self {
        case .get: return "GET"
        case .head: return "HEAD"
        case .post: return "POST"
        case .put: return "PUT"
        case .delete: return "DELETE"
        case .options: return "OPTIONS"
        case .patch: return "PATCH"
        case .connect: return "CONNECT"
        case .trace: return "TRACE"
        case .other(let s): return s
        }
    }

    /// Parses an already validated token `p[start..<end]`; allocates only for unknown methods.
    init(token p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) {
        func match(_ lit: StaticString) -> Bool {
            guard end - start == lit.utf8CodeUnitCount else { return false }
            for i in 0..<(end - start) where p[start + i] != lit.utf8Start[i] { return false }
            return true
        }
        switch end - start {
        case 3 where match("GET"): self = .get
        case 3 where match("PUT"): self = .put
        case 4 where match("POST"): self = .post
        case 4 where match("HEAD"): self = .head
        case 5 where match("PATCH"): self = .patch
        case 5 where match("TRACE"): self = .trace
        case 6 where match("DELETE"): self = .delete
        case 7 where match("OPTIONS"): self = .options
        case 7 where match("CONNECT"): self = .connect
        default:
            self = .other(String(decoding: UnsafeRawBufferPointer(rebasing: p[start..<end]), as: UTF8.self))
        }
    }
}

/// An HTTP version; requests accept only 1.0 and 1.1, responses any 1.x.
struct HTTPVersion: Equatable, Sendable {
    var major: Int
    var minor: Int

    /// HTTP/1.0.
    static let http1_0 = HTTPVersion(major: 1, minor: 0)
    /// HTTP/1.1.
    static let http1_1 = HTTPVersion(major: 1, minor: 1)

    /// Parses exactly `HTTP/D.D` at `p[start..<end]`.
    static func parse(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> HTTPVersion? {
        guard end - start == 8, p[start] == 72, p[start + 1] == 84, p[start + 2] == 84, p[start + 3] == 80,
              p[start + 4] == 47, HTTPByteClass.isDigit(p[start + 5]), p[start + 6] == 46,
              HTTPByteClass.isDigit(p[start + 7]) else { return nil }
        return HTTPVersion(major: Int(p[start + 5] - 48), minor: Int(p[start + 7] - 48))
    }
}
