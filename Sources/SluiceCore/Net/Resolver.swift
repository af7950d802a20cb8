import Glibc

/// Blocking host-name resolution (getaddrinfo). Called off the event loops only: at config load
/// and reload.
enum Resolver {
    /// The first address of `host` (numeric hosts need no lookup), or nil.
    static func resolve(host: String, port: Int) -> SocketAddress? {
        if let a = SocketAddress(host: host, port: port) { return a }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else { return nil }
        defer { freeaddrinfo(first) }
        var cur: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cur {
            if let sa = ai.pointee.ai_addr {
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) { dst in
                    dst.copyMemory(from: UnsafeRawBufferPointer(start: sa, count: Int(ai.pointee.ai_addrlen)))
                }
                if let addr = SocketAddress(storage: storage) { return addr }
            }
            cur = ai.pointee.ai_next
        }
        return nil
    }
}
