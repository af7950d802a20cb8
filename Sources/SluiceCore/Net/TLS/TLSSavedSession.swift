import CSSL

/// A TLS session kept for resumption with the same endpoint (an `SSL_SESSION*`, freed in deinit).
/// It may be handed to any loop: it is never written after saving (each connection resumes from
/// its own copy), and OpenSSL's reference counting is atomic.
final class TLSSavedSession: @unchecked Sendable {
    /// The `SSL_SESSION*`, owned.
    let raw: OpaquePointer
    /// The context the session was made with: it is offered again only with that context, so a
    /// session from a non-verifying context never skips verification on a verifying one.
    let context: TLSContext
    /// The name the certificate was checked against; offered again only for the same name.
    let serverName: String

    /// Takes ownership of one reference to `raw`.
    init(raw: OpaquePointer, context: TLSContext, serverName: String) {
        self.raw = raw
        self.context = context
        self.serverName = serverName
    }

    deinit {
        SSL_SESSION_free(raw)
    }
}
