import Glibc

/// The byte transport of an upstream connection: the plain socket, or TLS over it.
extension UpstreamConnection {
    func transportRead(into buf: UnsafeMutableRawBufferPointer) throws(IOError) -> IOResult<Int> {
        guard let t = tls else { return try Socket.read(fd: fd, into: buf) }
        switch t.read(into: buf) {
        case .done(let n): return .done(n)
        case .wantRead: return .wouldBlock
        case .wantWrite:
            setInterest(Readiness.writable | Readiness.readable)
            return .wouldBlock
        case .closed: return .done(0)
        case .failed(let why):
            Logger.debug("upstream \(endpoint.url): TLS read failed: \(why)")
            throw IOError(call: "SSL_read", errno: EPROTO)
        }
    }

    func transportWrite(_ bytes: UnsafeRawBufferPointer) throws(IOError) -> IOResult<Int> {
        tlsWantsRead = false
        guard let t = tls else { return try Socket.write(fd: fd, bytes) }
        switch t.write(bytes) {
        case .done(let n): return .done(n)
        case .wantWrite: return .wouldBlock
        case .wantRead:
            tlsWantsRead = true
            return .wouldBlock
        case .closed: throw IOError(call: "SSL_write", errno: EPIPE)
        case .failed(let why):
            Logger.debug("upstream \(endpoint.url): TLS write failed: \(why)")
            throw IOError(call: "SSL_write", errno: EPROTO)
        }
    }

    /// TCP is up: start TLS when the endpoint needs it, else send.
    func connected() {
        if let cfg = tlsConfig {
            do {
                tls = try TLSSession.client(cfg.context, fd: fd, serverName: endpoint.tlsServerName, sniOverride: cfg.sni,
                                            session: endpoint.tlsSession.get())
            } catch {
                fail(.connect("TLS setup failed: \(error)"))
                return
            }
            state = .handshaking
            driveHandshake()
            return
        }
        readyToSend()
    }

    func driveHandshake() {
        guard let t = tls else { return }
        switch t.handshake() {
        case .done:
            if let saved = t.savedSession() { endpoint.tlsSession.withLock { $0 = saved } }
            readyToSend()
        case .wantRead:
            setInterest(Readiness.readable)
        case .wantWrite:
            setInterest(Readiness.writable)
        case .closed:
            fail(.connect("TLS handshake: connection closed"))
        case .failed(let why):
            // Never a silent downgrade: a verification failure is a 502 with the reason logged.
            Logger.warn("upstream \(endpoint.url): TLS handshake failed: \(why)")
            fail(.connect("TLS handshake failed: \(why)"))
        }
    }

    func readyToSend() {
        if requestPending {
            requestPending = false
            state = .sending
            writeRequest()
        } else {
            state = .idle
            setInterest(Readiness.readable)
        }
    }
}
