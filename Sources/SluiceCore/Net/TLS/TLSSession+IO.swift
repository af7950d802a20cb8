import CSSL
import CSluiceLinux
import Glibc

extension TLSSession {
    /// One handshake step: `.done(0)` once complete (and on every later call).
    func handshake() -> TLSIOResult {
        if let failure { return .failed(failure) }
        if isHandshakeComplete { return .done(0) }
        // Handshakes are rare: a stray entry from other code on this thread must not be taken
        // for this connection's error.
        TLSErrorQueue.clear()
        let r = SSL_do_handshake(raw)
        if r == 1 { return .done(0) }
        return classify(r, inHandshake: true)
    }

    /// Reads decrypted bytes into `buffer`. An empty buffer answers `.done(0)`.
    /// After a `.done`, check `pendingBytes` before waiting for epoll.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> TLSIOResult {
        if let failure { return .failed(failure) }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .done(0) }
        var n = 0
        if SSL_read_ex(raw, base, buffer.count, &n) == 1 { return .done(n) }
        return classify(0, inHandshake: !isHandshakeComplete)
    }

    /// Encrypts and sends as much of `bytes` as the socket takes (partial writes are on).
    /// After `.wantRead`/`.wantWrite`, repeat with the same bytes; they may have moved in memory.
    func write(_ bytes: UnsafeRawBufferPointer) -> TLSIOResult {
        if let failure { return .failed(failure) }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .done(0) }
        var n = 0
        if SSL_write_ex(raw, base, bytes.count, &n) == 1 { return .done(n) }
        return classify(0, inHandshake: !isHandshakeComplete)
    }

    /// Sends a close_notify if the connection is healthy; never waits for the peer's.
    func shutdown() {
        guard failure == nil, isHandshakeComplete else { return }
        _ = SSL_shutdown(raw)
        TLSErrorQueue.clear()
    }

    /// Maps a failed OpenSSL call to a result, draining the error queue on every error path.
    private func classify(_ ret: Int32, inHandshake: Bool) -> TLSIOResult {
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
            if queued.isEmpty, e == 0 { return endOfStream(inHandshake: inHandshake) }
            return fail(queued.isEmpty ? String(cString: strerror(e)) : queued)
        case SSL_ERROR_SSL:
            let last = ERR_peek_last_error()
            if ERR_GET_LIB(last) == ERR_LIB_SSL, ERR_GET_REASON(last) == SSL_R_UNEXPECTED_EOF_WHILE_READING {
                TLSErrorQueue.clear()
                return endOfStream(inHandshake: inHandshake)
            }
            let queued = TLSErrorQueue.drain()
            if let verify = failedVerification { return fail("certificate verify failed: \(verify)") }
            return fail(queued.isEmpty ? "TLS protocol error" : queued)
        default:
            let queued = TLSErrorQueue.drain()
            return fail(queued.isEmpty ? "TLS error \(code)" : queued)
        }
    }

    /// End of stream without close_notify: a failure mid-handshake, a close afterwards.
    private func endOfStream(inHandshake: Bool) -> TLSIOResult {
        inHandshake ? fail("connection closed by peer during the TLS handshake") : .closed
    }

    /// The verification error behind a failed handshake, when the peer was being verified.
    private var failedVerification: String? {
        guard SSL_get_verify_mode(raw) & SSL_VERIFY_PEER != 0 else { return nil }
        return verifyError
    }

    private func fail(_ message: String) -> TLSIOResult {
        recordFailure(message)
        return .failed(message)
    }
}
