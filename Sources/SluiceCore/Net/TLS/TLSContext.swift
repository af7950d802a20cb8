import CSSL

/// A client or server OpenSSL `SSL_CTX` built from config. Immutable after creation and shared by
/// every loop: OpenSSL allows `SSL_new` on one context from many threads at once.
final class TLSContext: @unchecked Sendable {
    /// The `SSL_CTX*`, owned (freed in deinit).
    let raw: OpaquePointer
    /// True for a `listen.tls` context, false for an upstream (client) context.
    let isServer: Bool
    /// True when peers' certificates are verified (clients: `verify`; servers: client certificates required).
    let verifiesPeer: Bool

    /// ALPN protocol list in wire format (length-prefixed): the only protocol Sluice speaks.
    static let alpnHTTP11: [UInt8] = [8] + Array("http/1.1".utf8)

    private init(raw: OpaquePointer, isServer: Bool, verifiesPeer: Bool) {
        self.raw = raw
        self.isServer = isServer
        self.verifiesPeer = verifiesPeer
    }

    deinit {
        SSL_CTX_free(raw)
    }

    /// An upstream context: TLS 1.2 or newer, ALPN `http/1.1`, the peer verified (when `verify`)
    /// against `caFile` alone or, without one, the system CA store; an optional client certificate
    /// and key for mutual TLS. Sessions are kept by the caller (`TLSSession.savedSession()`), so the
    /// context's own session store stays off: no shared cache, no lock between loops.
    /// Empty strings count as "not set", as in the config file.
    static func client(verify: Bool = true, caFile: String? = nil, clientCertFile: String? = nil,
                       clientKeyFile: String? = nil) throws(TLSError) -> TLSContext {
        TLSErrorQueue.clear()
        guard let ctx = SSL_CTX_new(TLS_client_method()) else {
            throw TLSErrorQueue.error("cannot create a TLS client context")
        }
        let context = TLSContext(raw: ctx, isServer: false, verifiesPeer: verify)
        try context.applyCommonSettings()
        if let caFile = nonEmpty(caFile) {
            try context.loadVerifyFile(caFile)
        } else if verify, SSL_CTX_set_default_verify_paths(ctx) != 1 {
            throw TLSErrorQueue.error("cannot load the system CA store")
        }
        SSL_CTX_set_verify(ctx, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nil)
        switch (nonEmpty(clientCertFile), nonEmpty(clientKeyFile)) {
        case (nil, nil): break
        case let (cert?, key?): try context.useCertificate(certFile: cert, keyFile: key)
        default: throw TLSError("client_cert_file and client_key_file must be set together")
        }
        let alpnResult = alpnHTTP11.withUnsafeBufferPointer { p in
            SSL_CTX_set_alpn_protos(ctx, p.baseAddress, UInt32(p.count))
        }
        // Inverted convention: 0 is success here.
        guard alpnResult == 0 else { throw TLSErrorQueue.error("cannot set ALPN protocols") }
        _ = CSSL_CTX_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE))
        return context
    }

    /// A `listen.tls` context: the certificate chain and key, TLS 1.2 or newer, ALPN answering
    /// `http/1.1` (or nothing when the client does not offer it), the system OpenSSL's cipher
    /// defaults with the server's order preferred. Resumption is by session tickets only (stateless:
    /// the ticket key lives in this context): the server-side session cache is off, so no lock is
    /// shared by the loops at each handshake and past clients cost no memory. With
    /// `requireClientCertificate`, a client must present a certificate issued by a CA in that file.
    static func server(certFile: String, keyFile: String,
                       requireClientCertificate caFile: String? = nil) throws(TLSError) -> TLSContext {
        TLSErrorQueue.clear()
        guard let ctx = SSL_CTX_new(TLS_server_method()) else {
            throw TLSErrorQueue.error("cannot create a TLS server context")
        }
        let clientCA = nonEmpty(caFile)
        let context = TLSContext(raw: ctx, isServer: true, verifiesPeer: clientCA != nil)
        try context.applyCommonSettings()
        try context.useCertificate(certFile: certFile, keyFile: keyFile)
        _ = SSL_CTX_set_options(ctx, CSSL_OP_CIPHER_SERVER_PREFERENCE())
        // Resumption fails for verified clients unless the context names its sessions.
        let sessionContext: [UInt8] = Array("sluice".utf8)
        let idResult = sessionContext.withUnsafeBufferPointer { p in
            SSL_CTX_set_session_id_context(ctx, p.baseAddress, UInt32(p.count))
        }
        guard idResult == 1 else { throw TLSErrorQueue.error("cannot set the session id context") }
        _ = CSSL_CTX_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_OFF))
        if let clientCA {
            try context.loadVerifyFile(clientCA)
            guard let names = SSL_load_client_CA_file(clientCA) else {
                throw TLSErrorQueue.error("cannot read client CA names from \(clientCA)")
            }
            SSL_CTX_set_client_CA_list(ctx, names)
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        }
        SSL_CTX_set_alpn_select_cb(ctx, { _, out, outLength, offered, offeredLength, _ in
            TLSContext.selectHTTP11(out: out, outLength: outLength, offered: offered, offeredLength: offeredLength)
        }, nil)
        return context
    }

    /// Settings shared by both sides: the version floor, non-blocking write semantics, buffers
    /// released while idle (10,000 idle connections must stay cheap), and no renegotiation (a
    /// renegotiation would make a read need a write mid-stream for no benefit).
    private func applyCommonSettings() throws(TLSError) {
        guard CSSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION) == 1 else {
            throw TLSErrorQueue.error("cannot set the minimum TLS version")
        }
        let mode = SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS
        _ = CSSL_CTX_set_mode(raw, Int(mode))
        _ = SSL_CTX_set_options(raw, CSSL_OP_NO_RENEGOTIATION())
    }

    private func loadVerifyFile(_ caFile: String) throws(TLSError) {
        guard SSL_CTX_load_verify_locations(raw, caFile, nil) == 1 else {
            throw TLSErrorQueue.error("cannot load CA file \(caFile)")
        }
    }

    private func useCertificate(certFile: String, keyFile: String) throws(TLSError) {
        guard SSL_CTX_use_certificate_chain_file(raw, certFile) == 1 else {
            throw TLSErrorQueue.error("cannot load certificate chain \(certFile)", file: certFile)
        }
        guard SSL_CTX_use_PrivateKey_file(raw, keyFile, SSL_FILETYPE_PEM) == 1 else {
            throw TLSErrorQueue.error("cannot load private key \(keyFile)", file: keyFile)
        }
        guard SSL_CTX_check_private_key(raw) == 1 else {
            throw TLSErrorQueue.error("private key \(keyFile) does not match certificate \(certFile)", file: keyFile)
        }
    }

    private static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }
}
