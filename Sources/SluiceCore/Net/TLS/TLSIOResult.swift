/// Result of one non-blocking TLS step (`TLSSession.handshake()`, `read(into:)`, `write(_:)`).
enum TLSIOResult: Equatable {
    /// The step completed: bytes read or written (0 for a completed handshake or an empty buffer;
    /// never end of stream, which is `.closed`).
    case done(Int)
    /// Wait until the fd is readable, then repeat the same call.
    case wantRead
    /// Wait until the fd is writable, then repeat the same call (a read can ask for this too).
    case wantWrite
    /// The peer closed: a close_notify, or end of stream after the handshake without one
    /// (`TLSSession.peerSentCloseNotify` tells them apart; HTTP framing catches truncation).
    case closed
    /// A fatal error; the session is unusable and the caller closes the fd.
    case failed(String)
}
