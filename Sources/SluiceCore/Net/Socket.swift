import CSluiceLinux
import Glibc

/// Non-blocking socket system calls on raw fds. The caller (a loop-confined owner) owns the fd.
enum Socket {
    /// Reads into `buffer` starting at `offset`; `.done(0)` is end of stream.
    @inline(__always)
    static func read(fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> IOResult<Int> {
        try sysCall("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// Writes as much of `bytes` as the kernel takes.
    @inline(__always)
    static func write(fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(IOError) -> IOResult<Int> {
        try sysCall("send") { Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
    }

    static func close(fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// A new non-blocking TCP socket for `family`.
    static func makeTCP(_ family: SocketAddress.Family) throws(IOError) -> Int32 {
        let fd = CSluiceLinux_socket_tcp(family == .v4 ? AF_INET : AF_INET6)
        guard fd >= 0 else { throw IOError(call: "socket", errno: CSluiceLinux_errno()) }
        return fd
    }

    /// Starts a non-blocking connect; `.wouldBlock` means in progress (wait for writable, then check `pendingError`).
    static func connect(fd: Int32, to address: SocketAddress) throws(IOError) -> IOResult<Int32> {
        let r = address.withSockAddr { sa, len in CSluiceLinux_connect(fd, sa, len) }
        if r == 0 { return .done(0) }
        let e = CSluiceLinux_errno()
        if e == EINPROGRESS || e == EINTR { return .wouldBlock }
        throw IOError(call: "connect", errno: e)
    }

    /// SO_ERROR of a socket (0 when the connect succeeded).
    static func pendingError(fd: Int32) -> Int32 { CSluiceLinux_socket_error(fd) }

    static func setNoDelay(fd: Int32) { _ = CSluiceLinux_set_nodelay(fd) }

    /// Local address of a bound socket.
    static func localAddress(fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let r = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard r == 0 else { return nil }
        return SocketAddress(storage: storage)
    }

    /// A bound, listening, non-blocking socket. With `reusePort` it joins a SO_REUSEPORT group.
    static func makeListener(_ address: SocketAddress, reusePort: Bool, backlog: Int32 = 1024) throws(IOError) -> Int32 {
        let fd = try makeTCP(address.family)
        _ = CSluiceLinux_set_reuseaddr(fd)
        if reusePort { _ = CSluiceLinux_set_reuseport(fd) }
        let r = address.withSockAddr { sa, len in bind(fd, sa, len) }
        if r != 0 {
            let e = CSluiceLinux_errno()
            Glibc.close(fd)
            throw IOError(call: "bind \(address)", errno: e)
        }
        if listen(fd, backlog) != 0 {
            let e = CSluiceLinux_errno()
            Glibc.close(fd)
            throw IOError(call: "listen \(address)", errno: e)
        }
        return fd
    }

    /// `count` listening sockets on one address in a SO_REUSEPORT group (one per event loop). The
    /// first is bound WITHOUT SO_REUSEPORT, so an address already in use is an error rather than a
    /// silent share; the option is set on it only after that bind, then the others join its port.
    /// Nothing is closed in between, so no other process can take a kernel-chosen port meanwhile.
    static func makeListenerGroup(_ address: SocketAddress, count: Int, backlog: Int32 = 1024) throws(IOError) -> (fds: [Int32], port: Int) {
        let first = try makeTCP(address.family)
        _ = CSluiceLinux_set_reuseaddr(first)
        let r = address.withSockAddr { sa, len in bind(first, sa, len) }
        if r != 0 {
            let e = CSluiceLinux_errno()
            Glibc.close(first)
            throw IOError(call: "bind \(address)", errno: e)
        }
        _ = CSluiceLinux_set_reuseport(first)
        guard listen(first, backlog) == 0 else {
            let e = CSluiceLinux_errno()
            Glibc.close(first)
            throw IOError(call: "listen \(address)", errno: e)
        }
        var bound = address
        bound.port = localAddress(fd: first)?.port ?? address.port
        var fds = [first]
        do {
            for _ in 1..<max(count, 1) { fds.append(try makeListener(bound, reusePort: true, backlog: backlog)) }
        } catch {
            for fd in fds { Glibc.close(fd) }
            throw error
        }
        return (fds, bound.port)
    }
}
