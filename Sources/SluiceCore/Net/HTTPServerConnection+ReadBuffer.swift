/// The connection's read buffer, lent by its loop's `ReadBufferPool` while client bytes wait.
///
/// `inBuf` is empty (no memory) while nothing unparsed is held: between requests and while an
/// answer is produced. A read borrows a buffer (`makeRoom` finds the empty buffer full); the
/// buffer goes back when processing consumed every byte, and stays while bytes remain (a partial
/// head or chunk-size line, pipelined requests behind an answer, decrypted TLS bytes not yet parsed).
/// Re-entrancy is safe by construction: a buffer is in exactly one place at a time, so a connection
/// reading while another holds the loop's spare simply gets a new one.
extension HTTPServerConnection {
    /// Takes a buffer from the loop (the connection holds none: `inStart == inEnd == 0`).
    func borrowReadBuffer() {
        inBuf = readBuffers.take()
    }

    /// Gives the buffer back when every byte in it was consumed. Called when `process` returns and
    /// before a request is dispatched; a caller still holding indices into `inBuf` must not call it.
    @inline(__always)
    func releaseReadBufferIfDrained() {
        if inStart == inEnd && !inBuf.isEmpty { returnReadBuffer() }
    }

    /// Gives the buffer back whatever it holds (closing).
    @inline(__always)
    func returnReadBuffer() {
        inStart = 0
        inEnd = 0
        guard !inBuf.isEmpty else { return }
        readBuffers.give(&inBuf)
    }
}
