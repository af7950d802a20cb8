import CSSL

extension TLSSession {
    /// True when the handshake resumed an earlier session.
    var wasResumed: Bool { SSL_session_reused(raw) == 1 }

    /// The protocol ALPN settled on (`"http/1.1"`), or nil when none was negotiated.
    var negotiatedALPN: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(raw, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// The negotiated protocol version, e.g. `"TLSv1.3"`.
    var protocolVersion: String { String(cString: SSL_get_version(raw)) }

    /// The X.509 verification result text when it was not OK (e.g. "hostname mismatch"), else nil.
    /// A context with `verify: false` still records what would have failed.
    var verifyError: String? {
        let result = SSL_get_verify_result(raw)
        guard result != X509_V_OK else { return nil }
        return String(cString: X509_verify_cert_error_string(result))
    }

    /// Bytes already decrypted and buffered inside OpenSSL: epoll cannot see them, so the caller
    /// reads them before waiting for readability again.
    var pendingBytes: Int { Int(SSL_pending(raw)) }

    /// True when the handshake failed because the client spoke plain HTTP (`GET `, `POST `…).
    var failedOnPlainHTTP: Bool { failureReason == SSL_R_HTTP_REQUEST }

    /// True when the peer ended with a close_notify (not a bare end of stream).
    var peerSentCloseNotify: Bool { SSL_get_shutdown(raw) & SSL_RECEIVED_SHUTDOWN != 0 }

    /// The session to keep for resuming with the same endpoint, or nil (server side, failed or
    /// unfinished handshake, or nothing resumable yet). TLS 1.3 tickets arrive after the handshake,
    /// with the first read: save after reading the first response bytes.
    /// The result is a copy: OpenSSL marks a connection's own session unresumable when the
    /// connection is freed without a close_notify, which must not spoil the saved one.
    func savedSession() -> TLSSavedSession? {
        guard !context.isServer, failure == nil, isHandshakeComplete, let live = SSL_get1_session(raw) else { return nil }
        defer { SSL_SESSION_free(live) }
        guard SSL_SESSION_is_resumable(live) == 1, let copy = SSL_SESSION_dup(live) else {
            TLSErrorQueue.clear()
            return nil
        }
        return TLSSavedSession(raw: copy, context: context, serverName: peerName)
    }
}
