import Glibc

/// One downstream HTTP/1.1 connection (data plane, admin or mock), in plaintext or, on a
/// `listen.tls` listener, over a `TLSSession`. Loop-confined; owns its fd and its TLS session.
///
/// ```
///   accept ─(TLS)─▶ handshake ─┐  failed, or header_timeout → close (nothing can be answered)
///      │                       ▼
///      └──────────────────▶ head ──(complete head)──▶ body ──(complete body)──▶ responding
///                            ▲  │ 408/400/414/431/501 → answer, close        │ handler answers via HTTPResponder
///                            │  └──────────────────────────────────────────┐ │
///                            └──── keep-alive: next (maybe pipelined) ◀────┴─┘ finish
/// ```
/// Requests are answered strictly in order: bytes of a pipelined request wait in the read buffer
/// while the current one is answered, and are not parsed while more than `writeHighWater` bytes of
/// earlier answers wait for the client (reading stops too, so TCP pushes back on the client).
/// Memory per connection stays under `maxHeaderBytes` (head buffer) plus `maxBodyBytes` (body)
/// plus the response queue: one answer, or `writeHighWater` plus one event of a stream. An idle
/// connection holds neither a read buffer (lent by the loop only while unparsed bytes wait, see
/// `+ReadBuffer`) nor output capacity.
///
/// One timer per connection: the header timeout while a head (and body) arrives, the idle timeout
/// between requests, and — whenever answer bytes wait for the client — a send timeout of the same
/// `idle_timeout`, restarted by every write the client lets through: a client that takes nothing
/// for that long is cut. A closing connection lingers `lingerNanos` once its last byte is written.
final class HTTPServerConnection: Selectable {
    enum Phase { case handshake, head, body, responding, closed }

    let fd: Int32
    let loop: EventLoop
    let handler: HTTPServerHandler
    let limits: HTTPServerLimits
    let state: ServerState
    let peer: SocketAddress?
    /// The peer's IP as text, formatted once.
    private(set) lazy var peerHost: String = peer?.hostText ?? "unknown"
    /// Counts data-plane requests in `state.inFlight` (admin and mock connections do not). A
    /// request stays counted until the last byte of its answer is written, so a drain waits for it.
    let countsInFlight: Bool
    /// Answers complete on the handler's side whose bytes still wait for the client (still in flight).
    var unsentAnswers = 0
    let counter: ConnectionCounter?
    /// The listener's TLS context, or nil for plaintext; the session is made in `start()`.
    private let tlsContext: TLSContext?
    /// The TLS session of a `listen.tls` connection, nil for plaintext: each read, write and
    /// readiness event checks it once (see `HTTPServerConnection+TLS`, the only other writer).
    var tls: TLSSession?
    /// Readiness TLS needs besides the HTTP state's (a read that must write first, or the reverse); 0 in plaintext.
    var tlsInterest: UInt32 = 0
    /// Changed only by this class and its `+TLS` extension (handshake → head).
    var phase: Phase = .head
    private var parser: HTTPRequestParser
    /// Unparsed client bytes live in `inBuf[inStart..<inEnd]`. The buffer is lent by the loop's
    /// `ReadBufferPool` only while bytes wait (see `HTTPServerConnection+ReadBuffer`); empty otherwise.
    var inBuf: [UInt8] = []
    /// The loop's pool (`loop.readBuffers`), kept to spare a hop per request.
    let readBuffers: ReadBufferPool
    var inStart = 0
    var inEnd = 0
    private var headStartedAt: UInt64 = 0
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var bodyRemaining = 0
    private var chunked: ChunkedDecoder?
    private var requestWireBytes = 0
    var out: [UInt8] = []
    var outOffset = 0
    var current: HTTPResponder?
    var closeAfterFlush = false
    var processing = false
    var interest: UInt32 = 0
    let timer = TimerNode()
    var sawHeadBytes = false
    var lingering = false
    /// How long a closing connection drains unread client bytes after the last response, so the
    /// kernel does not reset the connection before the client has read the answer (lingering close).
    static let lingerNanos: UInt64 = 2_000_000_000

    init(fd: Int32, loop: EventLoop, handler: HTTPServerHandler, limits: HTTPServerLimits, state: ServerState,
         peer: SocketAddress?, counter: ConnectionCounter?, countsInFlight: Bool, tls: TLSContext? = nil) {
        self.fd = fd
        self.tlsContext = tls
        self.loop = loop
        readBuffers = loop.readBuffers
        self.handler = handler
        self.limits = limits
        self.state = state
        self.peer = peer
        self.counter = counter
        self.countsInFlight = countsInFlight
        parser = HTTPRequestParser(limits: limits.parserLimits)
    }

    deinit {
        // Closing cancels the timer; one still armed here would fire for nothing.
        if timer.detach() { Logger.warn("client connection released with its timer armed") }
    }

    /// Registers the fd and arms the header timeout (a connection that sends nothing is closed
    /// silently). On a TLS listener the handshake comes first and must end within that timeout too.
    func start() {
        // Unowned: `deinit` unlinks the timer, so it never fires for a connection that is gone, and a weak
        // capture would give every connection a side table (each retain and release on the runtime's slow path).
        timer.action = { [unowned self] in self.timedOut() }
        do {
            if let tlsContext {
                tls = try TLSSession.server(tlsContext, fd: fd)
                phase = .handshake
            }
            interest = Readiness.readable
            try loop.register(fd: fd, events: interest, handler: self)
        } catch {
            if error is TLSError { Logger.warn("client \(peerHost): \(error)") }
            Socket.close(fd: fd)
            counter?.release()
            phase = .closed
            return
        }
        loop.timers.arm(timer, now: loop.now, durationNanos: limits.headerTimeoutNanos)
    }

    // MARK: readiness

    func handleReadiness(_ events: UInt32) {
        if tls != nil {
            handleTLSReadiness(events)
            return
        }
        if events & Readiness.readable != 0 || events & (Readiness.error | Readiness.hangup) != 0 {
            readAvailable()
        }
        if phase != .closed, events & Readiness.writable != 0 {
            flush()
        }
    }

    func readAvailable() {
        if lingering {
            discardUntilEOF()
            return
        }
        while phase != .closed {
            if inEnd == inBuf.count && !makeRoom() {
                // Full: let the parser judge what is there (431 for an over-large head).
                process()
                if phase != .closed && inEnd == inBuf.count && !makeRoom() {
                    updateInterest()
                    return
                }
                continue
            }
            let result: IOResult<Int>
            do {
                result = try inBuf.withUnsafeMutableBytes { raw throws(IOError) in
                    try transportRead(into: UnsafeMutableRawBufferPointer(rebasing: raw[inEnd...]))
                }
            } catch {
                close()
                return
            }
            switch result {
            case .wouldBlock:
                process()
                return
            case .done(0):
                // Peer closed (or half-closed): nothing more can be answered in order.
                close()
                return
            case .done(let n):
                inEnd += n
                // A short read drained the socket; TLS may still hold decrypted bytes epoll cannot see.
                if n < inBuf.count - (inEnd - n), (tls?.pendingBytes ?? 0) == 0 {
                    process()
                    return
                }
            }
        }
    }

    /// Borrows, compacts or grows the read buffer; false when it is at its bound (head or pipelined bytes).
    private func makeRoom() -> Bool {
        if inBuf.isEmpty {
            borrowReadBuffer()
            return true
        }
        if inStart > 0 {
            inBuf.withUnsafeMutableBytes { raw in
                guard let base = raw.baseAddress else { return }
                memmove(base, base + inStart, inEnd - inStart)
            }
            inEnd -= inStart
            inStart = 0
            return true
        }
        // Only a head in progress may grow the buffer, up to max_header_bytes (+1 so the parser sees the excess).
        let cap = limits.maxHeaderBytes + 1024
        guard phase == .head, inBuf.count < cap else { return false }
        readBuffers.grow(&inBuf, by: min(inBuf.count, cap - inBuf.count))
        return true
    }

    // MARK: request framing

    /// Parses and dispatches as many requests as the buffer holds, one at a time.
    func process() {
        guard !processing else { return }
        processing = true
        defer {
            processing = false
            releaseReadBufferIfDrained()
        }
        while phase == .head || phase == .body {
            if inStart == inEnd { break }
            if phase == .head {
                // A pipelining client that does not read its answers: wait until it takes some.
                if outputBackedUp { break }
                if !sawHeadBytes {
                    sawHeadBytes = true
                    headStartedAt = loop.now
                    loop.timers.arm(timer, now: loop.now, durationNanos: limits.headerTimeoutNanos)
                }
                let r = inBuf.withUnsafeBytes { raw in parser.parseHead(UnsafeRawBufferPointer(rebasing: raw[inStart..<inEnd])) }
                switch r {
                case .needMore:
                    updateInterest()
                    return
                case .invalid(let e):
                    answerLocally(GatewayError(parse: e), head: nil)
                    return
                case .complete(let h, let consumed):
                    inStart += consumed
                    requestWireBytes = consumed
                    if !beginBody(h) { return }
                }
            } else if !readBody() {
                return
            }
        }
        updateInterest()
    }

    /// Screens the head and sets up body reading; false when the request was answered locally.
    private func beginBody(_ h: HTTPRequestHead) -> Bool {
        if let e = handler.screenHead(h, peer: peer) {
            var err = e
            if h.framing != .none && h.framing != .contentLength(0) { err.closeConnection = true }
            answerLocally(err, head: h)
            return false
        }
        switch h.framing {
        case .none:
            bodyRemaining = 0
        case .contentLength(let n):
            if n > limits.maxBodyBytes {
                answerLocally(.requestTooLarge(limit: limits.maxBodyBytes), head: h)
                return false
            }
            bodyRemaining = n
            // An empty body takes no buffer from the pool.
            body = n > 0 ? loop.bodyBuffers.take(capacity: n) : []
        case .chunked:
            chunked = ChunkedDecoder(maxBodyBytes: limits.maxBodyBytes)
            body = []
        }
        if h.expectContinue && h.framing != .none && h.framing != .contentLength(0) {
            enqueue(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)[...])
        }
        head = h
        phase = .body
        return readBody()
    }

    /// Moves buffered body bytes into `body`; dispatches when complete. False when waiting or closed.
    private func readBody() -> Bool {
        guard let h = head else { return false }
        if var dec = chunked {
            let r = inBuf.withUnsafeBytes { raw in dec.decode(UnsafeRawBufferPointer(rebasing: raw[inStart..<inEnd]), into: &body) }
            chunked = dec
            switch r {
            case .needMore(let consumed):
                inStart += consumed
                requestWireBytes += consumed
                return false
            case .done(let consumed):
                inStart += consumed
                requestWireBytes += consumed
            case .invalid(let e):
                answerLocally(GatewayError(parse: e), head: h)
                return false
            }
        } else if bodyRemaining > 0 {
            let take = min(bodyRemaining, inEnd - inStart)
            body.append(contentsOf: inBuf[inStart..<(inStart + take)])
            inStart += take
            bodyRemaining -= take
            requestWireBytes += take
            if bodyRemaining > 0 { return false }
        }
        dispatch(h)
        return true
    }

    private func dispatch(_ h: HTTPRequestHead) {
        phase = .responding
        // Earlier answers may still wait for the client (pipelining): their send timeout runs on.
        if pendingOutput > 0 {
            loop.timers.arm(timer, now: loop.now, durationNanos: limits.idleTimeoutNanos)
        } else {
            loop.timers.cancel(timer)
        }
        chunked = nil
        head = nil
        sawHeadBytes = false
        let request = ServerRequest(head: h, body: body, peer: peer, peerHost: peerHost, startedAt: headStartedAt,
                                    bytesIn: requestWireBytes, isTLS: tls != nil)
        body = []
        // While the answer is produced (an upstream may take seconds) the connection holds no buffer.
        releaseReadBufferIfDrained()
        let responder = HTTPResponder(connection: self, head: h)
        current = responder
        if countsInFlight { state.inFlight.wrappingAdd(1, ordering: .relaxed) }
        handler.handle(request, responder: responder)
    }

    /// Answers an error without the handler's `handle` (framing errors, screening, timeouts).
    func answerLocally(_ e: GatewayError, head h: HTTPRequestHead?) {
        handler.didAnswerLocally(e, head: h, peer: peer, startedAt: sawHeadBytes ? headStartedAt : loop.now)
        phase = .responding
        loop.timers.cancel(timer)
        let responder = HTTPResponder(connection: self, head: h)
        current = responder
        if countsInFlight { state.inFlight.wrappingAdd(1, ordering: .relaxed) }
        responder.respondError(e, path: h?.path)
    }

    private func timedOut() {
        // Lingering, a handshake that did not finish in time, or the client took no byte of its
        // pending answer for idle_timeout: cut.
        if closeAfterFlush || lingering || phase == .handshake || pendingOutput > 0 {
            close()
            return
        }
        guard phase == .head || phase == .body else { return }
        if phase == .head && inStart == inEnd && !sawHeadBytes {
            close()   // nothing arrived: silent close
        } else {
            answerLocally(.requestTimeout(), head: head)
        }
    }

    // MARK: response completion (called by HTTPResponder)

    /// The current response is complete; continue with the next request or close.
    func responseFinished(close closeNow: Bool) {
        current = nil
        if countsInFlight {
            if pendingOutput > 0 { unsentAnswers += 1 } else { state.inFlight.wrappingSubtract(1, ordering: .relaxed) }
        }
        guard phase != .closed else { return }
        if closeNow {
            closeAfterFlush = true
            // The linger starts once the answer is written; until then the send timeout runs.
            if outOffset >= out.count {
                beginLingeringClose()
            } else {
                loop.timers.arm(timer, now: loop.now, durationNanos: limits.idleTimeoutNanos)
                updateInterest()
            }
            return
        }
        phase = .head
        parser.reset()
        releaseIdleOutput()
        loop.timers.arm(timer, now: loop.now, durationNanos: limits.idleTimeoutNanos)
        if inStart < inEnd {
            if !processing { process() }
        } else {
            updateInterest()
        }
        if tls != nil, !processing { readBufferedTLS() }   // (inside `process`, its caller reads on)
    }
}
