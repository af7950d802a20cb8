/// A backend or webhook URL: `http://host[:port][/path]` or `https://host[:port][/path]`.
/// Default ports are 80 and 443; no user info, query or fragment.
struct EndpointURL: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The two schemes a backend may use.
    enum Scheme: String, Sendable, Equatable, Hashable {
        case http, https
    }

    var scheme: Scheme
    /// Host name or numeric address, without brackets.
    var host: String
    var port: Int
    /// Path prefix without a trailing slash (`""` when none), e.g. `/openai/v1`.
    var path: String

    /// True for `https`.
    var usesTLS: Bool { scheme == .https }

    /// `host` or `host:port` as the `Host` header carries it (port omitted when default).
    var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        let defaultPort = scheme == .https ? 443 : 80
        return port == defaultPort ? h : "\(h):\(port)"
    }

    /// Normalised URL text.
    var description: String { "\(scheme.rawValue)://\(hostHeader)\(path)" }

    /// Parses an endpoint URL or explains what is wrong.
    static func parse(_ text: String) -> Result<EndpointURL, ConfigValueError> {
        let scheme: Scheme
        let rest: Substring
        if text.hasPrefix("http://") {
            scheme = .http
            rest = text.dropFirst(7)
        } else if text.hasPrefix("https://") {
            scheme = .https
            rest = text.dropFirst(8)
        } else {
            return .failure(ConfigValueError("expected a URL starting with http:// or https://"))
        }
        if rest.contains("?") || rest.contains("#") {
            return .failure(ConfigValueError("a query or fragment is not allowed in an endpoint URL"))
        }
        let authority: Substring
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[slash...]
        } else {
            authority = rest
        }
        if authority.contains("@") { return .failure(ConfigValueError("user info is not allowed in an endpoint URL")) }
        var host = String(authority)
        var port = scheme == .https ? 443 : 80
        let hasPort = authority.hasPrefix("[") ? authority.contains("]:") : authority.contains(":")
        if hasPort {
            guard let (h, p) = SocketAddressConfig.splitHostPort(String(authority)) else {
                return .failure(ConfigValueError("invalid host:port '\(authority)'"))
            }
            guard let parsed = SocketAddressConfig.parsePort(p) else {
                return .failure(ConfigValueError("invalid port '\(p)': expected 0-65535"))
            }
            host = h
            port = parsed
        } else if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        guard SocketAddressConfig.isValidHost(host) else {
            return .failure(ConfigValueError(host.isEmpty ? "missing host in URL" : "invalid host '\(host)'"))
        }
        while path.hasSuffix("/") { path = path.dropLast() }
        return .success(EndpointURL(scheme: scheme, host: host, port: port, path: String(path)))
    }
}
