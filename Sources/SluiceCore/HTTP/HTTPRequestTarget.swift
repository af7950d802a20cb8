/// Request-target validation (RFC 9112 §3.2).
///
/// Accepted: origin-form (`/path?query`), absolute-form with scheme `http`/`https` whose authority
/// equals the Host value (ASCII case-insensitive), and `*` for OPTIONS. Authority-form (CONNECT) is
/// rejected: the gateway opens no tunnels. Characters are restricted to RFC 3986 pchar/query bytes;
/// `%` must start a valid escape; fragments and userinfo are rejected.
struct HTTPRequestTarget: Sendable, Equatable {
    /// The target as sent.
    var target: String
    /// The path without the query.
    var path: String
    /// The query, or nil without `?`.
    var query: String?

    /// Validates `p[start..<end]`; `host` is the Host value, if the request has one.
    static func parse(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, method: HTTPMethod,
                      host: ArraySlice<UInt8>?) -> Result<HTTPRequestTarget, HTTPParseError> {
        guard start < end else { return .failure(.bad("empty request target")) }
        let first = p[start]
        if first == 47 {  // "/"
            return originForm(p, start, end, pathStart: start)
        }
        if first == 42 && end - start == 1 {  // "*"
            guard method == .options else { return .failure(.bad("asterisk target requires OPTIONS")) }
            return .success(HTTPRequestTarget(target: "*", path: "*", query: nil))
        }
        var a: Int
        if hasPrefix(p, start, end, "http://") {
            a = start + 7
        } else if hasPrefix(p, start, end, "https://") {
            a = start + 8
        } else {
            return .failure(.bad("invalid request target"))
        }
        let authorityStart = a
        while a < end, p[a] != 47, p[a] != 63 {  // up to "/" or "?"
            guard HTTPByteClass.isHostChar(p[a]) else { return .failure(.bad("invalid authority")) }
            a += 1
        }
        guard a > authorityStart else { return .failure(.bad("empty authority")) }
        // SPEC §8: accepted only when the authority equals Host (a request without Host is refused).
        guard let hv = host else { return .failure(.bad("absolute-form target without a Host header")) }
        do {
            guard hv.count == a - authorityStart,
                  zip(hv, authorityStart..<a).allSatisfy({ HTTPByteClass.lower($0) == HTTPByteClass.lower(p[$1]) })
            else { return .failure(.bad("target authority does not match Host")) }
        }
        return originForm(p, start, end, pathStart: a)
    }

    /// Validates the path and query starting at `pathStart` (which may equal `end` for absolute-form).
    private static func originForm(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int,
                                   pathStart: Int) -> Result<HTTPRequestTarget, HTTPParseError> {
        var q = -1
        var i = pathStart
        while i < end {
            let b = p[i]
            guard HTTPByteClass.isTargetChar(b) else { return .failure(.bad("invalid character in request target")) }
            if b == 37 {  // "%" HEXDIG HEXDIG
                guard i + 2 < end, HTTPByteClass.hexValue(p[i + 1]) != nil, HTTPByteClass.hexValue(p[i + 2]) != nil
                else { return .failure(.bad("invalid percent-encoding")) }
                i += 2
            } else if b == 63, q < 0 {
                q = i
            }
            i += 1
        }
        let pathEnd = q < 0 ? end : q
        let target = string(p, start, end)
        let path = pathEnd > pathStart ? (pathStart == start && pathEnd == end ? target : string(p, pathStart, pathEnd)) : "/"
        let query = q < 0 ? nil : string(p, q + 1, end)
        return .success(HTTPRequestTarget(target: target, path: path, query: query))
    }

    private static func string(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: p[s..<e]), as: UTF8.self)
    }

    private static func hasPrefix(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ lit: StaticString) -> Bool {
        let n = lit.utf8CodeUnitCount
        return end - start >= n && HTTPByteClass.equalsLowercase(p, start, start + n, lit)
    }
}
