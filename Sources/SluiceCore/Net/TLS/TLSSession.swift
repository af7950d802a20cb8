import CSSL
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
    /// Set by the first fatal error; every later call answers it again without touching OpenSSL,
    /// which must not be driven after a fatal error.
    private(set) var failure: String?

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
        if let session, session.context === ctx, session.serverName == name, SSL_set_session(s.raw, session.raw) != 1 {
            // An unusable session only costs a full handshake.
            TLSErrorQueue.clear()
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

    /// True once the handshake has finished.
    var isHandshakeComplete: Bool { SSL_is_init_finished(raw) == 1 }

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

    /// True when the peer ended with a close_notify (not a bare end of stream).
    var peerSentCloseNotify: Bool { SSL_get_shutdown(raw) & SSL_RECEIVED_SHUTDOWN != 0 }

    /// The session to keep for resuming with the same endpoint, or nil (server side, failed or
    /// unfinished handshake, or nothing resumable yet). TLS 1.3 tickets arrive after the handshake,
    /// with the first read: save after reading the first response bytes.
    func savedSession() -> TLSSavedSession? {
        guard !context.isServer, failure == nil, isHandshakeComplete, let s = SSL_get1_session(raw) else { return nil }
        guard SSL_SESSION_is_resumable(s) == 1 else {
            SSL_SESSION_free(s)
            return nil
        }
        return TLSSavedSession(raw: s, context: context, serverName: peerName)
    }

    /// Marks the session failed (first message wins); called by the I/O steps.
    func recordFailure(_ message: String) {
        if failure == nil { failure = message }
    }

    private static func isIPLiteral(_ name: String) -> Bool {
        var address = (UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &address) { b in
            inet_pton(AF_INET, name, b.baseAddress) == 1 || inet_pton(AF_INET6, name, b.baseAddress) == 1
        }
    }
}
