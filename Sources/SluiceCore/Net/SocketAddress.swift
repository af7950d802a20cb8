import Glibc

/// An IPv4 or IPv6 socket address (numeric; host names are resolved elsewhere).
struct SocketAddress: Sendable, Equatable, CustomStringConvertible {
    enum Family: Sendable, Equatable { case v4, v6 }
    var family: Family
    /// Network-order address bytes (4 or 16).
    var address: [UInt8]
    var port: Int

    /// Parses a numeric host (dotted IPv4 or IPv6, brackets optional) and a port.
    init?(host: String, port: Int) {
        var h = host
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        if h == "localhost" { h = "127.0.0.1" }
        var v4 = in_addr()
        if inet_pton(AF_INET, h, &v4) == 1 {
            family = .v4
            address = withUnsafeBytes(of: v4) { Array($0) }
        } else {
            var v6 = in6_addr()
            guard inet_pton(AF_INET6, h, &v6) == 1 else { return nil }
            family = .v6
            address = withUnsafeBytes(of: v6) { Array($0) }
        }
        guard (0...65535).contains(port) else { return nil }
        self.port = port
    }

    /// Reads a kernel `sockaddr_storage`.
    init?(storage: sockaddr_storage) {
        var s = storage
        switch Int32(s.ss_family) {
        case AF_INET:
            let sin = withUnsafeBytes(of: &s) { $0.load(as: sockaddr_in.self) }
            family = .v4
            address = withUnsafeBytes(of: sin.sin_addr) { Array($0) }
            port = Int(UInt16(bigEndian: sin.sin_port))
        case AF_INET6:
            let sin6 = withUnsafeBytes(of: &s) { $0.load(as: sockaddr_in6.self) }
            family = .v6
            address = withUnsafeBytes(of: sin6.sin6_addr) { Array($0) }
            port = Int(UInt16(bigEndian: sin6.sin6_port))
        default:
            return nil
        }
    }

    var isLoopback: Bool {
        switch family {
        case .v4: return address.first == 127
        case .v6: return address == [UInt8](repeating: 0, count: 15) + [1]
        }
    }

    /// Host text without port ("127.0.0.1", "::1").
    var hostText: String {
        var buf = [CChar](repeating: 0, count: 64)
        let af = family == .v4 ? AF_INET : AF_INET6
        let ok = address.withUnsafeBytes { raw in inet_ntop(af, raw.baseAddress, &buf, 64) != nil }
        guard ok else { return "?" }
        return buf.withUnsafeBufferPointer { ptr in ptr.baseAddress.map { String(cString: $0) } ?? "?" }
    }

    var description: String { family == .v4 ? "\(hostText):\(port)" : "[\(hostText)]:\(port)" }

    /// Calls `body` with a kernel sockaddr for bind/connect.
    func withSockAddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        switch family {
        case .v4:
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = UInt16(port).bigEndian
            withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: address) }
            return withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .v6:
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = UInt16(port).bigEndian
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: address) }
            return withUnsafePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
    }
}
