import Glibc

/// Blocking host-name resolution (getaddrinfo). Called off the event loops only: at config load,
/// reload and by the periodic `HostRefresher`.
enum Resolver {
    /// The first address of `host` (numeric hosts need no lookup), or nil.
    static func resolve(host: String, port: Int) -> SocketAddress? {
        if let a = SocketAddress(host: host, port: port) { return a }
        return lookup(host: host, port: port).first
    }

    /// Every address of `host` for balancing over (a Kubernetes headless Service has one per pod):
    /// the IPv4 addresses when there are any, else the IPv6 ones (like Envoy's V4_PREFERRED, so a
    /// host without an IPv6 route is not handed unreachable endpoints); without duplicates, sorted
    /// so the order does not depend on the resolver's rotation. Empty when the name does not resolve.
    static func resolveAll(host: String, port: Int) -> [SocketAddress] {
        if let a = SocketAddress(host: host, port: port) { return [a] }
        let all = lookup(host: host, port: port)
        let v4 = all.filter { $0.family == .v4 }
        var picked: [SocketAddress] = []
        for a in (v4.isEmpty ? all : v4) where !picked.contains(a) { picked.append(a) }
        return picked.sorted { $0.address.lexicographicallyPrecedes($1.address) }
    }

    /// getaddrinfo's answers in its order.
    private static func lookup(host: String, port: Int) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var out: [SocketAddress] = []
        var cur: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cur {
            if let sa = ai.pointee.ai_addr {
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) { dst in
                    dst.copyMemory(from: UnsafeRawBufferPointer(start: sa, count: Int(ai.pointee.ai_addrlen)))
                }
                if let addr = SocketAddress(storage: storage) { out.append(addr) }
            }
            cur = ai.pointee.ai_next
        }
        return out
    }
}
