import Glibc

/// The byte transport of a downstream connection: the plain socket, or TLS over it (`listen.tls`).
///
/// Plaintext pays one nil check per read, write and readiness event; everything TLS-specific is
/// below. TLS steps map to the socket's terms: `wantRead` is `.wouldBlock`, end of stream (with or
/// without close_notify) is `.done(0)`, a fatal error is an `IOError` (the caller closes). A read
/// that must write first (or the reverse, after a renegotiation-like message) adds the other
/// readiness to `tlsInterest` until the step is repeated.
extension HTTPServerConnection {
    @inline(__always)
    func transportRead(into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> IOResult<Int> {
        guard let tls else { return try Socket.read(fd: fd, into: buffer) }
        return try tlsRead(tls, into: buffer)
    }

    /// Writes as much of `bytes` as the socket takes. Over TLS a write that stopped part way must
    /// be repeated from the same first byte: callers keep unsent bytes in order (`out`), which
    /// partial writes and moving buffers (both enabled on the context) allow.
    @inline(__always)
    func transportWrite(_ bytes: UnsafeRawBufferPointer) throws(IOError) -> IOResult<Int> {
        guard let tls else { return try Socket.write(fd: fd, bytes) }
        return try tlsWrite(tls, bytes)
    }

    /// Readiness of a TLS connection: drives the handshake, then reads and flushes like the
    /// plaintext path, with a read or a write that waited on the other readiness repeated.
    func handleTLSReadiness(_ events: UInt32) {
        if phase == .handshake {
            driveHandshake()
            return
        }
        let readable = events & (Readiness.readable | Readiness.error | Readiness.hangup) != 0
        let writable = events & Readiness.writable != 0
        if readable || (writable && tlsInterest & Readiness.writable != 0) {
            readAvailable()
        }
        if phase != .closed, pendingOutput > 0, writable || (readable && tlsInterest & Readiness.readable != 0) {
            flush()
        }
    }

    /// One handshake step; waits for the readiness OpenSSL asks for. A client that fails the
    /// handshake (no common version or cipher, our certificate refused) is closed: no HTTP answer
    /// can reach it. One that sent plain HTTP gets a plaintext 400 saying so (as nginx does).
    func driveHandshake() {
        guard let tls else { return }
        switch tls.handshake() {
        case .done:
            handshakeFinished()
        case .wantRead:
            setInterest(Readiness.readable)
        case .wantWrite:
            setInterest(Readiness.writable)
        case .closed:
            close()
        case .failed(let why):
            Logger.debug("client \(peerHost): TLS handshake failed: \(why)")
            if tls.failedOnPlainHTTP { answerPlainHTTP() } else { close() }
        }
    }

    /// The TLS handshake completed: serve HTTP, starting with what may already have arrived.
    private func handshakeFinished() {
        phase = .head
        setInterest(Readiness.readable)
        readAvailable()
    }

    /// A plain HTTP request reached the TLS port: answer 400 unencrypted, then close (lingering,
    /// so the client reads the answer rather than a reset).
    private func answerPlainHTTP() {
        tls = nil
        phase = .head
        answerLocally(.badRequest("plain HTTP request sent to the HTTPS port; use https://"), head: nil)
    }

    /// Reads what OpenSSL decrypted but the connection could not take while its read buffer was
    /// full of pipelined requests: epoll does not report bytes already out of the socket.
    func readBufferedTLS() {
        guard let tls, phase == .head || phase == .body || phase == .responding, tls.pendingBytes > 0 else { return }
        readAvailable()
    }

    private func tlsRead(_ tls: TLSSession, into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> IOResult<Int> {
        tlsInterest &= ~Readiness.writable
        switch tls.read(into: buffer) {
        case .done(let n):
            return .done(n)
        case .wantRead:
            return .wouldBlock
        case .wantWrite:
            tlsInterest |= Readiness.writable
            updateInterest()
            return .wouldBlock
        case .closed:
            return .done(0)
        case .failed(let why):
            Logger.debug("client \(peerHost): TLS read failed: \(why)")
            throw IOError(call: "SSL_read", errno: EPROTO)
        }
    }

    /// Writes record after record until all of `bytes` is sent or the socket is full (with
    /// partial writes on, OpenSSL returns after each record).
    private func tlsWrite(_ tls: TLSSession, _ bytes: UnsafeRawBufferPointer) throws(IOError) -> IOResult<Int> {
        tlsInterest &= ~Readiness.readable
        var written = 0
        while written < bytes.count {
            switch tls.write(UnsafeRawBufferPointer(rebasing: bytes[written...])) {
            case .done(let n):
                written += n
            case .wantWrite:
                return written == 0 ? .wouldBlock : .done(written)
            case .wantRead:
                tlsInterest |= Readiness.readable
                return written == 0 ? .wouldBlock : .done(written)
            case .closed:
                throw IOError(call: "SSL_write", errno: EPIPE)
            case .failed(let why):
                Logger.debug("client \(peerHost): TLS write failed: \(why)")
                throw IOError(call: "SSL_write", errno: EPROTO)
            }
        }
        return .done(written)
    }
}
