/// A `host:port` listen or connect address from the config; IPv6 hosts are written `[::1]:port`.
/// Port 0 is allowed (the kernel picks one; tests rely on it).
struct SocketAddressConfig: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Host name or numeric address, without brackets.
    var host: String
    var port: Int

    /// `host:port`, with brackets around IPv6 hosts.
    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// True for `localhost`, `127.0.0.0/8` and `::1`.
    var isLoopback: Bool {
        if host == "localhost" { return true }
        if let v4 = ConfigIPAddress.parseIPv4(host) { return v4[0] == 127 }
        if let v6 = ConfigIPAddress.parseIPv6(host) { return v6 == [UInt8](repeating: 0, count: 15) + [1] }
        return false
    }

    /// Parses `host:port` or `[v6]:port`; nil with a reason on failure.
    static func parse(_ text: String) -> Result<SocketAddressConfig, ConfigValueError> {
        guard let (host, portText) = splitHostPort(text) else {
            return .failure(ConfigValueError("expected host:port (e.g. 127.0.0.1:8080 or [::1]:8080)"))
        }
        guard let port = parsePort(portText) else {
            return .failure(ConfigValueError("invalid port '\(portText)': expected 0-65535"))
        }
        guard isValidHost(host) else { return .failure(ConfigValueError("invalid host '\(host)'")) }
        return .success(SocketAddressConfig(host: host, port: port))
    }

    /// Splits at the last colon (or after `]`); brackets are removed from IPv6 hosts.
    static func splitHostPort(_ text: String) -> (String, String)? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), ConfigIPAddress.parseIPv6(host) != nil else { return nil }
            return (host, String(rest.dropFirst()))
        }
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let host = String(text[..<colon])
        guard !host.isEmpty, !host.contains(":") else { return nil }
        return (host, String(text[text.index(after: colon)...]))
    }

    /// A decimal port 0...65535.
    static func parsePort(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 5, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let p = Int(text), p <= 65535 else {
            return nil
        }
        return p
    }

    /// DNS name (letters, digits, `-`, `_`, `.`), IPv4 or IPv6 (unbracketed).
    static func isValidHost(_ host: String) -> Bool {
        if host.isEmpty || host.utf8.count > 253 { return false }
        if host.contains(":") { return ConfigIPAddress.parseIPv6(host) != nil }
        return host.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
                || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "_")
        }
    }
}

/// Why a config value string was rejected; the decoder adds the position.
struct ConfigValueError: Error, Sendable, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}
