import CSluiceLinux
import Glibc
import Synchronization

/// Counts live connections of one kind for the whole process (`server.max_connections`).
final class ConnectionCounter: Sendable {
    private let value = Atomic<Int>(0)
    let limit: Atomic<Int>

    init(limit: Int) { self.limit = Atomic(limit) }

    /// Takes a slot, or returns false when the limit is reached.
    func tryAcquire() -> Bool {
        let n = value.wrappingAdd(1, ordering: .relaxed).newValue
        if n > limit.load(ordering: .relaxed) {
            value.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func release() { value.wrappingSubtract(1, ordering: .relaxed) }

    var current: Int { value.load(ordering: .relaxed) }
}

/// A listening socket on one loop. Accepts until EAGAIN and hands each new fd to `onAccept`
/// (which takes ownership). Loop-confined; owns its listening fd.
final class Listener: Selectable {
    let fd: Int32
    let loop: EventLoop
    private let counter: ConnectionCounter?
    private let onAccept: (Int32, SocketAddress?) -> Void
    private(set) var isAccepting = false
    private let backoff = TimerNode()

    init(fd: Int32, loop: EventLoop, counter: ConnectionCounter?, onAccept: @escaping (Int32, SocketAddress?) -> Void) {
        self.fd = fd
        self.loop = loop
        self.counter = counter
        self.onAccept = onAccept
    }

    /// Starts accepting (loop thread).
    func start() throws(IOError) {
        guard !isAccepting else { return }
        try loop.register(fd: fd, events: Readiness.readable, handler: self)
        isAccepting = true
    }

    /// Stops accepting but keeps the socket open, so queued connections are not reset (drain).
    func pause() {
        guard isAccepting else { return }
        loop.deregister(fd: fd)
        isAccepting = false
    }

    func closeSocket() {
        pause()
        Socket.close(fd: fd)
    }

    func handleReadiness(_ events: UInt32) {
        var storage = sockaddr_storage()
        var len = socklen_t(0)
        for _ in 0..<64 {
            let cfd = CSluiceLinux_accept(fd, &storage, &len)
            if cfd < 0 {
                let e = CSluiceLinux_errno()
                if e == EINTR || e == ECONNABORTED { continue }
                if e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM {
                    // Out of descriptors: stop accepting briefly instead of spinning on a
                    // level-triggered readiness that cannot be served.
                    Logger.warn("accept: out of file descriptors (errno \(e)); pausing accepts for 100ms")
                    pause()
                    backoff.action = { [weak self] in try? self?.start() }
                    loop.timers.arm(backoff, now: loop.now, durationNanos: 100_000_000)
                    return
                }
                if e != EAGAIN && e != EWOULDBLOCK { Logger.warn("accept failed: errno \(e)") }
                return
            }
            if let c = counter, !c.tryAcquire() {
                // Over max_connections: refuse at accept, before any byte is read.
                Socket.close(fd: cfd)
                continue
            }
            Socket.setNoDelay(fd: cfd)
            onAccept(cfd, SocketAddress(storage: storage))
        }
    }
}
