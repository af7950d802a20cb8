import Glibc

/// A client connection to one upstream endpoint, carrying one exchange at a time and returned to
/// its loop's `UpstreamPool` when the response ended cleanly on a keep-alive connection.
/// Loop-confined; owns its fd.
final class UpstreamConnection: Selectable {
    enum State { case connecting, handshaking, idle, sending, awaitingHead, body, closed }

    let fd: Int32
    let loop: EventLoop
    let endpoint: UpstreamEndpoint
    /// Unowned: the pool is its loop's, alive while the loop runs (a weak reference would give the pool a
    /// side table and put every retain of it on the runtime's slow path).
    unowned var pool: UpstreamPool?
    /// Changed only by this class and its `+Transport` extension.
    var state: State
    /// The request being sent; its buffer is kept for the next exchange when at most `keptRequestCapacity`.
    private var request: [UInt8] = []
    /// Largest request buffer a connection keeps between exchanges (bounds what idle connections hold).
    static let keptRequestCapacity = 16 * 1024
    private var sent = 0
    private var method: HTTPMethod = .post
    private var delegate: UpstreamExchangeDelegate?
    private var parser = HTTPResponseParser(limits: HTTPParserLimits())
    private var inBuf = [UInt8](repeating: 0, count: 16 * 1024)
    private var inEnd = 0
    private var framing: HTTPResponseFraming = .none
    private var remaining = 0
    private var keepAlive = false
    private var chunked = ChunkedDecoder(maxBodyBytes: Int.max)
    private var scratch: [UInt8] = []
    private var reused = false
    private var paused = false
    private var interest: UInt32 = 0
    private var timeouts = UpstreamTimeouts()
    private let phaseTimer = TimerNode()
    private let totalTimer = TimerNode()
    /// TLS to `https://` endpoints (egress); nil for plain `http://`.
    let tlsConfig: UpstreamTLS?
    /// The TLS session once connected to an `https://` endpoint.
    var tls: TLSSession?
    /// The last TLS write wanted to read first (renegotiation / key update).
    var tlsWantsRead = false
    /// An exchange was begun before the connection (or its handshake) was ready.
    var requestPending = false

    private init(fd: Int32, loop: EventLoop, endpoint: UpstreamEndpoint, state: State, tls: UpstreamTLS?) {
        self.fd = fd
        self.loop = loop
        self.endpoint = endpoint
        self.state = state
        self.tlsConfig = tls
    }

    /// Opens a non-blocking connection to `endpoint` (the connect completes later).
    static func open(to endpoint: UpstreamEndpoint, loop: EventLoop, tls: UpstreamTLS? = nil) throws(UpstreamFailure) -> UpstreamConnection {
        guard let address = endpoint.address else { throw .connect("host name did not resolve") }
        let fd: Int32
        do { fd = try Socket.makeTCP(address.family) } catch { throw .connect(error.description) }
        let connected: Bool
        do {
            switch try Socket.connect(fd: fd, to: address) {
            case .done: connected = true
            case .wouldBlock: connected = false
            }
        } catch {
            Socket.close(fd: fd)
            throw .connect(error.description)
        }
        Socket.setNoDelay(fd: fd)
        let c = UpstreamConnection(fd: fd, loop: loop, endpoint: endpoint, state: connected && tls == nil ? .idle : .connecting,
                                   tls: tls)
        c.interest = connected && tls == nil ? Readiness.readable : Readiness.writable
        do { try loop.register(fd: fd, events: c.interest, handler: c) } catch {
            Socket.close(fd: fd)
            throw .connect(error.description)
        }
        endpoint.openConnections.wrappingAdd(1, ordering: .relaxed)
        // Unowned: `deinit` unlinks both timers, so neither fires for a connection that is gone (a weak
        // capture would give every connection a side table and each retain and release the slow path).
        c.phaseTimer.action = { [unowned c] in c.phaseTimedOut() }
        c.totalTimer.action = { [unowned c] in c.fail(.totalTimeout) }
        return c
    }

    deinit {
        // Closing cancels both timers; one still armed here would fire for nothing.
        let phaseArmed = phaseTimer.detach(), totalArmed = totalTimer.detach()
        if phaseArmed || totalArmed {
            Logger.warn("upstream connection to \(endpoint.label) released with a timer armed")
        }
    }

    /// Starts an exchange: sends `request` (head and body) and reports the response to `delegate`.
    /// The bytes are copied into the connection's own buffer (see `begin(…writing:)`).
    func begin(request: [UInt8], method: HTTPMethod, timeouts: UpstreamTimeouts, reused: Bool,
               delegate: UpstreamExchangeDelegate) {
        begin(method: method, timeouts: timeouts, reused: reused, delegate: delegate) {
            $0.append(contentsOf: request)
        }
    }

    /// As `begin(request:…)`, with the request written by `write` into the connection's own buffer, which
    /// keeps its capacity between exchanges (up to `keptRequestCapacity`): a request costs no allocation.
    func begin(method: HTTPMethod, timeouts: UpstreamTimeouts, reused: Bool, delegate: UpstreamExchangeDelegate,
               writing write: (inout [UInt8]) -> Void) {
        request.removeAll(keepingCapacity: true)
        write(&request)
        self.sent = 0
        self.method = method
        self.timeouts = timeouts
        self.reused = reused
        self.delegate = delegate
        parser.reset()
        paused = false
        loop.timers.arm(totalTimer, now: loop.now, durationNanos: timeouts.total)
        if state == .connecting || state == .handshaking {
            requestPending = true
            loop.timers.arm(phaseTimer, now: loop.now, durationNanos: timeouts.connect)
        } else {
            state = .sending
            writeRequest()
        }
    }

    func handleReadiness(_ events: UInt32) {
        switch state {
        case .connecting:
            let err = Socket.pendingError(fd: fd)
            if err != 0 {
                fail(.connect(String(cString: strerror(err))))
                return
            }
            connected()
        case .handshaking:
            driveHandshake()
        case .sending:
            if events & (Readiness.error | Readiness.hangup) != 0 && events & Readiness.writable == 0 {
                fail(.reset("connection closed while sending"))
                return
            }
            writeRequest()
        case .idle:
            // An idle pooled connection became readable: the upstream closed it (or sent garbage).
            pool?.remove(self)
            close()
        case .awaitingHead, .body:
            readResponse()
        case .closed:
            return
        }
    }

    func writeRequest() {
        while sent < request.count {
            let r: IOResult<Int>
            do {
                r = try request.withUnsafeBytes { raw throws(IOError) in
                    try transportWrite(UnsafeRawBufferPointer(rebasing: raw[sent...]))
                }
            } catch {
                fail(.reset("\(error)"))
                return
            }
            guard case .done(let n) = r else {
                setInterest(tlsWantsRead ? Readiness.readable : Readiness.writable)
                return
            }
            sent += n
        }
        if request.capacity <= Self.keptRequestCapacity {
            request.removeAll(keepingCapacity: true)
        } else {
            request = []
        }
        state = .awaitingHead
        loop.timers.arm(phaseTimer, now: loop.now, durationNanos: timeouts.firstByte)
        setInterest(Readiness.readable)
    }

    func setInterest(_ want: UInt32) {
        guard state != .closed, want != interest else { return }
        interest = want
        loop.modify(fd: fd, events: want)
    }

    /// Stops reading the response (the client is slower than the upstream). The idle timeout
    /// stops too: the upstream is not stalled, the client is — the downstream send timeout bounds
    /// that (and `total` still runs), so a slow client is never counted as an upstream failure.
    func pauseReading() {
        guard !paused, state == .body else { return }
        paused = true
        loop.timers.cancel(phaseTimer)
        setInterest(0)
    }

    func resumeReading() {
        guard paused else { return }
        paused = false
        loop.timers.arm(phaseTimer, now: loop.now, durationNanos: timeouts.idle)
        setInterest(Readiness.readable)
        readResponse()
    }

    /// Abandons the exchange (client gone): the connection is closed, never reused.
    func cancel() {
        delegate = nil
        close()
    }

    // MARK: response

    private func readResponse() {
        while state == .awaitingHead || state == .body {
            if paused { return }
            if inEnd == inBuf.count {
                // Only a head can fill the buffer (bodies are handed on as they arrive).
                guard inBuf.count < 64 * 1024 else {
                    fail(.protocolError("response head too large"))
                    return
                }
                inBuf.append(contentsOf: repeatElement(0, count: inBuf.count))
            }
            let r: IOResult<Int>
            do {
                r = try inBuf.withUnsafeMutableBytes { raw throws(IOError) in
                    try transportRead(into: UnsafeMutableRawBufferPointer(rebasing: raw[inEnd...]))
                }
            } catch {
                fail(.reset("\(error)"))
                return
            }
            switch r {
            case .wouldBlock:
                return
            case .done(0):
                endOfStream()
                return
            case .done(let n):
                inEnd += n
                if state == .body { loop.timers.arm(phaseTimer, now: loop.now, durationNanos: timeouts.idle) }
                consumeBuffer()
                if n < 4096 && (tls?.pendingBytes ?? 0) == 0 { return }
            }
        }
    }

    /// Parses the head and hands on body bytes from `inBuf[0..<inEnd]`.
    private func consumeBuffer() {
        var start = 0
        while state == .awaitingHead {
            let r = inBuf.withUnsafeBytes { raw in
                parser.parseHead(UnsafeRawBufferPointer(rebasing: raw[start..<inEnd]), requestMethod: method)
            }
            switch r {
            case .needMore:
                compact(from: start)
                return
            case .invalid(let e):
                fail(.protocolError(e.reason))
                return
            case .complete(let head, let consumed):
                start += consumed
                if head.status >= 100 && head.status < 200 {
                    parser.reset()   // interim response: wait for the final one
                    continue
                }
                state = .body
                framing = head.framing
                keepAlive = head.keepAlive
                if case .contentLength(let n) = framing { remaining = n }
                if framing == .chunked { chunked = ChunkedDecoder(maxBodyBytes: Int.max) }
                loop.timers.arm(phaseTimer, now: loop.now, durationNanos: timeouts.idle)
                delegate?.upstreamDidReceiveHead(head)
                if state != .body { return }
                if framing == .none || framing == .contentLength(0) {
                    finish(reusable: keepAlive && start == inEnd)
                    return
                }
            }
        }
        guard state == .body else { return }
        consumeBody(from: start)
    }

    private func consumeBody(from start: Int) {
        switch framing {
        case .contentLength:
            let take = min(remaining, inEnd - start)
            let extra = inEnd - start - take
            remaining -= take
            inBuf.withUnsafeBytes { raw in
                delegate?.upstreamDidReceiveBody(UnsafeRawBufferPointer(rebasing: raw[start..<(start + take)]))
            }
            inEnd = 0
            if remaining == 0 && state == .body { finish(reusable: keepAlive && extra == 0) }
        case .chunked:
            scratch.removeAll(keepingCapacity: true)
            let r = inBuf.withUnsafeBytes { raw in chunked.decode(UnsafeRawBufferPointer(rebasing: raw[start..<inEnd]), into: &scratch) }
            if !scratch.isEmpty { scratch.withUnsafeBytes { delegate?.upstreamDidReceiveBody($0) } }
            guard state == .body else { return }
            switch r {
            case .needMore(let consumed):
                compact(from: start + consumed)
            case .done(let consumed):
                let extra = inEnd - (start + consumed)
                inEnd = 0
                finish(reusable: keepAlive && extra == 0)
            case .invalid(let e):
                fail(.protocolError(e.reason))
            }
        case .untilClose:
            inBuf.withUnsafeBytes { raw in delegate?.upstreamDidReceiveBody(UnsafeRawBufferPointer(rebasing: raw[start..<inEnd])) }
            inEnd = 0
        case .none:
            inEnd = 0
        }
    }

    private func compact(from start: Int) {
        guard start > 0 else { return }
        inBuf.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            memmove(base, base + start, inEnd - start)
        }
        inEnd -= start
    }

    private func endOfStream() {
        if state == .body && framing == .untilClose {
            finish(reusable: false)
        } else if state == .awaitingHead && inEnd == 0 {
            fail(.reset("connection closed before response"))
        } else {
            fail(.reset("connection closed mid-response"))
        }
    }

    private func phaseTimedOut() {
        switch state {
        case .connecting, .handshaking: fail(.connect("connect timeout"))
        case .sending, .awaitingHead: fail(.firstByteTimeout)
        case .body: fail(.idleTimeout)
        case .idle:
            pool?.remove(self)
            close()
        case .closed: return
        }
    }

    private func finish(reusable: Bool) {
        loop.timers.cancel(phaseTimer)
        loop.timers.cancel(totalTimer)
        let d = delegate
        delegate = nil
        if reusable, let p = pool {
            state = .idle
            inEnd = 0
            setInterest(Readiness.readable)
            loop.timers.arm(phaseTimer, now: loop.now, durationNanos: UpstreamPool.idleTimeoutNanos)
            p.release(self)
        } else {
            close()
        }
        d?.upstreamDidFinish()
    }

    func fail(_ failure: UpstreamFailure) {
        guard state != .closed else { return }
        let beforeResponse = state == .sending || (state == .awaitingHead && inEnd == 0)
        let wasReused = reused && beforeResponse && {
            if case .reset = failure { return true }
            return false
        }()
        let d = delegate
        delegate = nil
        close()
        d?.upstreamDidFail(failure, reusedBeforeResponse: wasReused)
    }

    func close() {
        guard state != .closed else { return }
        state = .closed
        tls = nil
        loop.timers.cancel(phaseTimer)
        loop.timers.cancel(totalTimer)
        loop.deregister(fd: fd)
        Socket.close(fd: fd)
        endpoint.openConnections.wrappingSubtract(1, ordering: .relaxed)
        inBuf = []
        scratch = []
        pool?.slotFreed(endpoint)
    }
}
