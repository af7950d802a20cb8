import Glibc

/// Why a Redis command got no reply.
enum RedisFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// No connection is up (Redis down, or reconnecting after backoff).
    case unavailable
    /// No reply within `cluster.redis.timeout`.
    case timeout
    /// The connection broke with the command outstanding.
    case connection(String)

    var description: String {
        switch self {
        case .unavailable: "unavailable"
        case .timeout: "timeout"
        case .connection(let why): "connection: \(why)"
        }
    }
}

typealias RedisReply = Result<RESPValue, RedisFailure>

/// One connection to Redis, pipelined: commands are written back to back and their replies come
/// in the same order. Each command has its own deadline (`timeout`): a late command is answered
/// `.timeout` at once and its reply, when it comes, is dropped. Loop-confined; owns its fd.
final class RedisConnection: Selectable {
    enum State { case connecting, handshaking, ready, closed }

    private(set) var state: State = .connecting
    let fd: Int32
    private let loop: EventLoop
    private let timeoutNanos: UInt64
    private let tlsConfig: UpstreamTLS?
    private let serverName: String
    private var tls: TLSSession?
    private var out: [UInt8] = []
    private var outSent = 0
    private var inBuf: [UInt8] = []
    private var inStart = 0
    private let parser = RESPParser()
    private var interest: UInt32 = 0
    private var pending: [Pending] = []
    private var pendingHead = 0
    /// Commands queued before the connection was ready (AUTH and SELECT first).
    private var handshakeReplies = 0
    private let connectTimer = TimerNode()
    /// Called once when the connection closes (the client schedules a reconnection).
    var onClose: ((RedisConnection, String) -> Void)?
    /// Called when the connection and its AUTH/SELECT are done.
    var onReady: ((RedisConnection) -> Void)?

    private final class Pending {
        var callback: ((RedisReply) -> Void)?
        /// Gets the reply of a command that already timed out (to undo what it did).
        let onLate: ((RESPValue) -> Void)?
        let timer = TimerNode()
        init(_ cb: @escaping (RedisReply) -> Void, onLate: ((RESPValue) -> Void)?) {
            callback = cb
            self.onLate = onLate
        }
    }

    /// Consecutive command timeouts after which the connection is dropped and re-made.
    static let maxTimeoutsWithoutReply = 16
    private var timeoutsSinceReply = 0
    /// Most commands outstanding on one connection; past it `send` answers `.unavailable`.
    static let maxPending = 4096
    /// Most bytes waiting to be written.
    static let maxOutBytes = 8 << 20

    private init(fd: Int32, loop: EventLoop, timeoutNanos: UInt64, tls: UpstreamTLS?, serverName: String) {
        self.fd = fd
        self.loop = loop
        self.timeoutNanos = timeoutNanos
        self.tlsConfig = tls
        self.serverName = serverName
    }

    /// Opens a non-blocking connection; AUTH and SELECT are queued first. `connectTimeout` bounds
    /// the TCP and TLS handshakes.
    static func open(address: SocketAddress, serverName: String, loop: EventLoop, config: RedisConfig, tls: UpstreamTLS?,
                     connectTimeoutNanos: UInt64) throws(IOError) -> RedisConnection {
        let fd = try Socket.makeTCP(address.family)
        let immediate: Bool
        do {
            switch try Socket.connect(fd: fd, to: address) {
            case .done: immediate = true
            case .wouldBlock: immediate = false
            }
        } catch {
            Socket.close(fd: fd)
            throw error
        }
        Socket.setNoDelay(fd: fd)
        let c = RedisConnection(fd: fd, loop: loop, timeoutNanos: max(config.timeout.nanosecondsClamped, 1_000_000), tls: tls,
                                serverName: serverName)
        if let password = config.password {
            var args: [[UInt8]] = [Array("AUTH".utf8)]
            if let user = config.username { args.append(Array(user.utf8)) }
            args.append(Array(password.utf8))
            RESPEncoder.append(args, to: &c.out)
            c.handshakeReplies += 1
        }
        if config.database != 0 {
            RESPEncoder.append([Array("SELECT".utf8), Array(String(config.database).utf8)], to: &c.out)
            c.handshakeReplies += 1
        }
        c.interest = Readiness.writable
        do { try loop.register(fd: fd, events: c.interest, handler: c) } catch {
            Socket.close(fd: fd)
            throw error
        }
        c.connectTimer.action = { [unowned c] in c.close("connect timed out") }
        loop.timers.arm(c.connectTimer, now: loop.now, durationNanos: connectTimeoutNanos)
        if immediate && tls == nil { c.tcpConnected() }
        return c
    }

    /// Commands outstanding (answered or not by a timeout, but not yet replied to).
    var outstanding: Int { pending.count - pendingHead }

    /// Queues a command; `callback` runs on this loop exactly once, with the reply or a failure.
    /// `onLate` gets the reply if it arrives after the command was answered `.timeout`.
    func send(_ frame: [UInt8], onLate: ((RESPValue) -> Void)? = nil, _ callback: @escaping (RedisReply) -> Void) {
        guard state != .closed, outstanding < Self.maxPending, out.count - outSent + frame.count <= Self.maxOutBytes else {
            callback(.failure(.unavailable))
            return
        }
        let p = Pending(callback, onLate: onLate)
        p.timer.action = { [unowned self, unowned p] in
            guard let cb = p.callback else { return }
            p.callback = nil
            self.timeoutsSinceReply += 1
            cb(.failure(.timeout))
            // Redis stopped answering (hung, or a network partition that TCP has not noticed yet).
            if self.timeoutsSinceReply >= Self.maxTimeoutsWithoutReply { self.close("no reply to \(Self.maxTimeoutsWithoutReply) commands") }
        }
        loop.timers.arm(p.timer, now: loop.now, durationNanos: timeoutNanos)
        pending.append(p)
        out += frame
        if state == .ready { flush() }
    }

    // MARK: events

    func handleReadiness(_ events: UInt32) {
        switch state {
        case .connecting:
            let err = Socket.pendingError(fd: fd)
            if err != 0 {
                close(String(cString: strerror(err)))
                return
            }
            tcpConnected()
        case .handshaking:
            driveHandshake()
        case .ready:
            if events & Readiness.writable != 0 || tlsWantsReadForWrite { flush() }
            if state == .ready && events & (Readiness.readable | Readiness.hangup | Readiness.error) != 0 { readReplies() }
        case .closed:
            return
        }
    }

    private var tlsWantsReadForWrite = false

    private func tcpConnected() {
        if let cfg = tlsConfig {
            do {
                tls = try TLSSession.client(cfg.context, fd: fd, serverName: serverName, sniOverride: cfg.sni)
            } catch {
                close("TLS setup failed: \(error)")
                return
            }
            state = .handshaking
            driveHandshake()
            return
        }
        becameReady()
    }

    private func driveHandshake() {
        guard let t = tls else { return }
        switch t.handshake() {
        case .done: becameReady()
        case .wantRead: setInterest(Readiness.readable)
        case .wantWrite: setInterest(Readiness.writable)
        case .closed: close("TLS handshake: connection closed")
        case .failed(let why): close("TLS handshake failed: \(why)")
        }
    }

    private func becameReady() {
        loop.timers.cancel(connectTimer)
        state = .ready
        setInterest(Readiness.readable)
        flush()
        if state == .ready && handshakeReplies == 0 { onReady?(self) }
    }

    private func setInterest(_ events: UInt32) {
        guard events != interest, state != .closed else { return }
        interest = events
        loop.modify(fd: fd, events: events)
    }

    // MARK: I/O

    private func write(_ bytes: UnsafeRawBufferPointer) throws(IOError) -> IOResult<Int> {
        tlsWantsReadForWrite = false
        guard let t = tls else { return try Socket.write(fd: fd, bytes) }
        switch t.write(bytes) {
        case .done(let n): return .done(n)
        case .wantWrite: return .wouldBlock
        case .wantRead:
            tlsWantsReadForWrite = true
            return .wouldBlock
        case .closed: throw IOError(call: "SSL_write", errno: EPIPE)
        case .failed: throw IOError(call: "SSL_write", errno: EPROTO)
        }
    }

    private func read(into buf: UnsafeMutableRawBufferPointer) throws(IOError) -> IOResult<Int> {
        guard let t = tls else { return try Socket.read(fd: fd, into: buf) }
        switch t.read(into: buf) {
        case .done(let n): return .done(n)
        case .wantRead: return .wouldBlock
        case .wantWrite:
            setInterest(Readiness.readable | Readiness.writable)
            return .wouldBlock
        case .closed: return .done(0)
        case .failed: throw IOError(call: "SSL_read", errno: EPROTO)
        }
    }

    private func flush() {
        while outSent < out.count {
            let r: IOResult<Int>
            do {
                r = try out.withUnsafeBytes { raw throws(IOError) in try write(UnsafeRawBufferPointer(rebasing: raw[outSent...])) }
            } catch {
                close("write: \(error)")
                return
            }
            guard case .done(let n) = r else {
                setInterest(tlsWantsReadForWrite ? Readiness.readable : Readiness.readable | Readiness.writable)
                return
            }
            outSent += n
        }
        out.removeAll(keepingCapacity: out.capacity <= 64 * 1024)
        outSent = 0
        setInterest(Readiness.readable)
    }

    private func readReplies() {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while state == .ready {
            let r: IOResult<Int>
            do { r = try chunk.withUnsafeMutableBytes { raw throws(IOError) in try read(into: raw) } } catch {
                close("read: \(error)")
                return
            }
            guard case .done(let n) = r else { return }
            if n == 0 {
                close("closed by Redis")
                return
            }
            inBuf += chunk[0..<n]
            if !drainReplies() { return }
            if n < chunk.count { return }
        }
    }

    /// Parses and dispatches every complete reply; false when the connection was closed.
    private func drainReplies() -> Bool {
        while inStart < inBuf.count {
            let start = inStart
            let result: Result<RESPParser.Outcome, RESPProtocolError> = inBuf.withUnsafeBytes { raw in
                do throws(RESPProtocolError) {
                    return .success(try parser.parse(UnsafeRawBufferPointer(rebasing: raw[start...])))
                } catch { return .failure(error) }
            }
            guard case .success(let outcome) = result else {
                if case .failure(let e) = result { close("protocol error: \(e)") }
                return false
            }
            guard case .value(let v, let used) = outcome else { break }
            inStart += used
            if handshakeReplies > 0 {
                handshakeReplies -= 1
                if case .error(let e) = v {
                    // Never echo the password; Redis's message does not contain it.
                    close("AUTH/SELECT refused: \(e)")
                    return false
                }
                if handshakeReplies == 0 { onReady?(self) }
                continue
            }
            guard pendingHead < pending.count else {
                close("reply without a command")
                return false
            }
            let p = pending[pendingHead]
            pendingHead += 1
            timeoutsSinceReply = 0
            loop.timers.cancel(p.timer)
            if let cb = p.callback {
                p.callback = nil
                cb(.success(v))
                if state == .closed { return false }
            } else if let late = p.onLate {
                late(v)
                if state == .closed { return false }
            }
        }
        if inStart == inBuf.count {
            inBuf.removeAll(keepingCapacity: inBuf.capacity <= 64 * 1024)
            inStart = 0
        } else if inStart > 64 * 1024 {
            inBuf.removeSubrange(0..<inStart)
            inStart = 0
        }
        if pendingHead > 256 && pendingHead * 2 > pending.count {
            pending.removeSubrange(0..<pendingHead)
            pendingHead = 0
        }
        return true
    }

    /// Closes the connection; every outstanding command is answered with a connection failure.
    func close(_ why: String) {
        guard state != .closed else { return }
        state = .closed
        loop.timers.cancel(connectTimer)
        loop.deregister(fd: fd)
        tls?.shutdown()
        Socket.close(fd: fd)
        let waiting = pending[pendingHead...]
        pending = []
        pendingHead = 0
        for p in waiting {
            loop.timers.cancel(p.timer)
            if let cb = p.callback {
                p.callback = nil
                cb(.failure(.connection(why)))
            }
        }
        onClose?(self, why)
        onClose = nil
        onReady = nil
    }
}
