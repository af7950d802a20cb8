import CSSL
import CSluiceLinux
import Glibc

/// One TLS connection over a non-blocking fd that the caller owns and closes (OpenSSL never
/// closes it). Loop-confined: used only on the loop thread that owns the fd.
final class TLSSession {
    /// The `SSL*`, owned (freed in deinit).
    let raw: OpaquePointer
    /// The context the session was made from.
    let context: TLSContext
    /// Client: the name the certificate is checked against (SNI or IP literal); server: empty.
    let peerName: String
    /// Set by a fatal error or an end of stream without close_notify: every later step answers it
    /// again without touching OpenSSL, which must not be driven (not even to shut down) after those.
    private var terminal: TLSIOResult?
    /// Set once a step has completed after the handshake; an end of stream before that is a
    /// failed handshake, after it a close. (OpenSSL's own state reverts to "in init" on errors.)
    private var established = false
    /// OpenSSL's reason code of the first protocol error (`SSL_R_…`), 0 without one.
    private(set) var failureReason: Int32 = 0

    private init(context: TLSContext, fd: Int32, peerName: String) throws(TLSError) {
        TLSErrorQueue.clear()
        guard let ssl = SSL_new(context.raw) else { throw TLSErrorQueue.error("cannot create a TLS session") }
        raw = ssl
        self.context = context
        self.peerName = peerName
        guard SSL_set_fd(ssl, fd) == 1 else { throw TLSErrorQueue.error("cannot attach TLS to fd \(fd)") }
    }

    deinit {
        SSL_free(raw)
    }

    /// A client session. The certificate is checked against `sniOverride` when given, else
    /// `serverName` (as nginx's `proxy_ssl_name`): a host name is sent as SNI and matched with
    /// `SSL_set1_host`; an IP literal (brackets allowed) is not sent and is matched against the
    /// certificate's IP addresses. `session` is offered for resumption when it was saved with the
    /// same context and name; otherwise it is ignored and a full handshake runs.
    static func client(_ ctx: TLSContext, fd: Int32, serverName: String, sniOverride: String? = nil,
                       session: TLSSavedSession? = nil) throws(TLSError) -> TLSSession {
        guard !ctx.isServer else { throw TLSError("a server TLS context cannot open client sessions") }
        var name = serverName
        if let sniOverride, !sniOverride.isEmpty { name = sniOverride }
        if name.hasPrefix("["), name.hasSuffix("]"), name.count > 2 { name = String(name.dropFirst().dropLast()) }
        let s = try TLSSession(context: ctx, fd: fd, peerName: name)
        SSL_set_connect_state(s.raw)
        let isIP = isIPLiteral(name)
        if !isIP, !name.isEmpty, CSSL_set_tlsext_host_name(s.raw, name) != 1 {
            throw TLSErrorQueue.error("cannot set SNI \(name)")
        }
        if ctx.verifiesPeer {
            guard !name.isEmpty else { throw TLSError("no server name to verify the certificate against") }
            if isIP {
                guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s.raw), name) == 1 else {
                    throw TLSErrorQueue.error("cannot set the IP address to verify \(name)")
                }
            } else {
                SSL_set_hostflags(s.raw, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
                guard SSL_set1_host(s.raw, name) == 1 else {
                    throw TLSErrorQueue.error("cannot set the host name to verify \(name)")
                }
            }
        }
        if let session, session.context === ctx, session.serverName == name {
            // The connection gets its own copy: OpenSSL writes to a connection's session (e.g. marks
            // it unresumable when the connection ends without close_notify), and the saved one is
            // shared between loops. An unusable session only costs a full handshake.
            if let copy = SSL_SESSION_dup(session.raw) {
                if SSL_set_session(s.raw, copy) != 1 { TLSErrorQueue.clear() }
                SSL_SESSION_free(copy)
            } else {
                TLSErrorQueue.clear()
            }
        }
        return s
    }

    /// A server session for an accepted connection on a `listen.tls` context.
    static func server(_ ctx: TLSContext, fd: Int32) throws(TLSError) -> TLSSession {
        guard ctx.isServer else { throw TLSError("a client TLS context cannot accept connections") }
        let s = try TLSSession(context: ctx, fd: fd, peerName: "")
        SSL_set_accept_state(s.raw)
        return s
    }

    /// The first fatal error's text, or nil.
    var failure: String? {
        if case .failed(let message) = terminal { return message }
        return nil
    }

    /// True once the handshake has finished.
    var isHandshakeComplete: Bool { SSL_is_init_finished(raw) == 1 }

    /// One handshake step: `.done(0)` once complete (and on every later call).
    func handshake() -> TLSIOResult {
        if let terminal { return terminal }
        if isHandshakeComplete {
            established = true
            return .done(0)
        }
        // Handshakes are rare: a stray entry from other code on this thread must not be taken
        // for this connection's error.
        TLSErrorQueue.clear()
        let r = SSL_do_handshake(raw)
        if r == 1 {
            established = true
            return .done(0)
        }
        return classify(r)
    }

    /// Reads decrypted bytes into `buffer`. An empty buffer answers `.done(0)`.
    /// After a `.done`, check `pendingBytes` before waiting for epoll.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> TLSIOResult {
        if let terminal { return terminal }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .done(0) }
        var n = 0
        if SSL_read_ex(raw, base, buffer.count, &n) == 1 {
            established = true
            return .done(n)
        }
        return classify(0)
    }

    /// Encrypts and sends as much of `bytes` as the socket takes (partial writes are on).
    /// After `.wantRead`/`.wantWrite`, repeat with the same bytes; they may have moved in memory.
    func write(_ bytes: UnsafeRawBufferPointer) -> TLSIOResult {
        if let terminal { return terminal }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .done(0) }
        var n = 0
        if SSL_write_ex(raw, base, bytes.count, &n) == 1 {
            established = true
            return .done(n)
        }
        return classify(0)
    }

    /// Sends a close_notify if the connection is healthy and none was sent yet; never waits for
    /// the peer's (a second `SSL_shutdown` would read for it).
    func shutdown() {
        guard terminal == nil, isHandshakeComplete, SSL_get_shutdown(raw) & SSL_SENT_SHUTDOWN == 0 else { return }
        _ = SSL_shutdown(raw)
        TLSErrorQueue.clear()
    }

    /// Maps a failed OpenSSL call to a result, draining the error queue on every error path.
    private func classify(_ ret: Int32) -> TLSIOResult {
        let code = SSL_get_error(raw, ret)
        switch code {
        case SSL_ERROR_WANT_READ:
            return .wantRead
        case SSL_ERROR_WANT_WRITE:
            return .wantWrite
        case SSL_ERROR_ZERO_RETURN:
            TLSErrorQueue.clear()
            return .closed
        case SSL_ERROR_SYSCALL:
            let queued = TLSErrorQueue.drain()
            let e = CSluiceLinux_errno()
            if queued.isEmpty, e == 0 { return endOfStream() }
            return fail(queued.isEmpty ? String(cString: strerror(e)) : queued)
        case SSL_ERROR_SSL:
            let last = ERR_peek_last_error()
            if ERR_GET_LIB(last) == ERR_LIB_SSL, ERR_GET_REASON(last) == SSL_R_UNEXPECTED_EOF_WHILE_READING {
                TLSErrorQueue.clear()
                return endOfStream()
            }
            if failureReason == 0 { failureReason = ERR_GET_REASON(last) }
            let queued = TLSErrorQueue.drain()
            if let verify = failedVerification { return fail("certificate verify failed: \(verify)") }
            return fail(queued.isEmpty ? "TLS protocol error" : queued)
        default:
            let queued = TLSErrorQueue.drain()
            return fail(queued.isEmpty ? "TLS error \(code)" : queued)
        }
    }

    /// End of stream without close_notify: a failure mid-handshake, a close afterwards.
    private func endOfStream() -> TLSIOResult {
        guard established else { return fail("connection closed by peer during the TLS handshake") }
        terminal = .closed
        return .closed
    }

    /// The verification error behind a failed handshake, when the peer was being verified.
    private var failedVerification: String? {
        guard SSL_get_verify_mode(raw) & SSL_VERIFY_PEER != 0 else { return nil }
        return verifyError
    }

    private func fail(_ message: String) -> TLSIOResult {
        let result = TLSIOResult.failed(message)
        if terminal == nil { terminal = result }
        return result
    }

    private static func isIPLiteral(_ name: String) -> Bool {
        var address = (UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &address) { b in
            inet_pton(AF_INET, name, b.baseAddress) == 1 || inet_pton(AF_INET6, name, b.baseAddress) == 1
        }
    }
}
