import Glibc

extension HTTPServerConnection {
    /// Queues bytes for the client, writing at once when nothing is pending (one syscall on the fast path).
    func enqueue(_ bytes: ArraySlice<UInt8>) {
        guard phase != .closed, !bytes.isEmpty else { return }
        if outOffset >= out.count {
            out.removeAll(keepingCapacity: true)
            outOffset = 0
            var written = 0
            do {
                let r = try bytes.withUnsafeBytes { raw throws(IOError) in try transportWrite(raw) }
                if case .done(let n) = r { written = n }
            } catch {
                close()
                return
            }
            if written == bytes.count { return }
            out.append(contentsOf: bytes[(bytes.startIndex + written)...])
            startSendTimeout()
            updateInterest()
        } else {
            out.append(contentsOf: bytes)
            startSendTimeout()
        }
    }

    /// Writes pending bytes when the socket is writable.
    func flush() {
        let before = outOffset
        while outOffset < out.count {
            let r: IOResult<Int>
            do {
                r = try out.withUnsafeBytes { raw throws(IOError) in
                    try transportWrite(UnsafeRawBufferPointer(rebasing: raw[outOffset...]))
                }
            } catch {
                close()
                return
            }
            guard case .done(let n) = r else { break }
            outOffset += n
        }
        if phase == .closed { return }
        if outOffset >= out.count {
            // A stream in progress keeps up to 64 KiB for its next chunks; otherwise the memory goes.
            out.removeAll(keepingCapacity: phase == .responding && !closeAfterFlush && out.capacity <= 64 * 1024)
            outOffset = 0
            answersWritten()
            if closeAfterFlush {
                beginLingeringClose()
                return
            }
            outputDrained()
            current?.didDrain()
        } else if outOffset > before {
            clientTookOutput()
        }
        updateInterest()
    }

    /// Between requests with nothing pending, the output array gives back the capacity a slow
    /// client made it grow to, so an idle connection holds no output memory.
    func releaseIdleOutput() {
        guard outOffset >= out.count, out.capacity > 0 else { return }
        out = []
        outOffset = 0
    }

    /// Bytes queued but not yet accepted by the kernel.
    var pendingOutput: Int { out.count - outOffset }
}

/// The answer side of one request: the handler writes a whole response, or a chunked stream,
/// through it. Loop-confined. After the client disconnects every call is a no-op and
/// `onCancel` has fired once.
final class HTTPResponder {
    private var connection: HTTPServerConnection?
    let path: String?
    let isHead: Bool
    private let keepAlive: Bool
    private let http10: Bool
    private var streaming = false
    private(set) var finished = false
    /// Response body bytes written (for the access log).
    private(set) var bytesOut = 0
    /// Status sent, 0 until the head is written.
    private(set) var status = 0
    /// Called once if the client goes away before the response finished.
    var onCancel: (() -> Void)?
    /// Called when pending output drained below the high-water mark (resume a paused producer).
    var onWritable: (() -> Void)?
    /// The object producing this response (a proxy exchange), kept alive until the response
    /// finishes or the client goes away — the connection owns the responder, the responder its producer.
    var owner: AnyObject?

    init(connection: HTTPServerConnection, head: HTTPRequestHead?) {
        self.connection = connection
        path = head?.path
        isHead = head?.method == .head
        keepAlive = head?.keepAlive ?? false
        http10 = head?.version.minor == 0
    }

    var isClosed: Bool { connection == nil }
    var headSent: Bool { status != 0 }

    /// False once the client is slower than the producer (pending bytes above the high-water mark).
    var hasCapacity: Bool {
        guard let c = connection else { return false }
        return c.pendingOutput < c.limits.writeHighWater
    }

    /// Whether this response will be the connection's last.
    private func willClose(_ forced: Bool) -> Bool {
        guard let c = connection else { return true }
        return forced || !keepAlive || c.state.isDraining
    }

    /// Sends a complete response with `Content-Length`; `headers` must not carry framing fields.
    func respond(status: Int, headers: HTTPHeaders, body: [UInt8], close forced: Bool = false) {
        respond(status: status, body: body, close: forced) { out in headers.write(into: &out) }
    }

    /// Sends a complete response whose header lines the caller appends (`Name: value\r\n` each)
    /// straight into the output, with no intermediate header block. The responder adds
    /// `Content-Length` and `Connection`.
    func respond(status: Int, body: [UInt8], close forced: Bool = false, writeHeaders: (inout [UInt8]) -> Void) {
        guard let c = connection, !finished, !headSent else { return }
        let closing = willClose(forced)
        var out: [UInt8] = []
        out.reserveCapacity(512 + body.count)
        HTTPSerializer.writeStatusLine(status, into: &out)
        writeHeaders(&out)
        out.append(literal: "content-length: ")
        HTTPSerializer.writeDecimal(body.count, into: &out)
        if closing {
            out.append(literal: "\r\nconnection: close\r\n\r\n")
        } else if http10 {
            out.append(literal: "\r\nconnection: keep-alive\r\n\r\n")
        } else {
            out.append(literal: "\r\n\r\n")
        }
        if !isHead { out.append(contentsOf: body) }
        self.status = status
        bytesOut = isHead ? 0 : body.count
        c.enqueue(out[...])
        finish(close: closing)
    }

    /// Sends a gateway error in the server's shape.
    func respondError(_ e: GatewayError, path: String?) {
        guard let c = connection else { return }
        var h = HTTPHeaders()
        h.add("content-type", "application/json")
        for (n, v) in e.headers { h.add(n, v) }
        respond(status: e.status, headers: h, body: c.handler.errorBody(e, path: path), close: e.closeConnection)
    }

    /// Starts a chunked response (SSE relays).
    func startStream(status: Int, headers: HTTPHeaders) {
        guard let c = connection, !finished, !headSent else { return }
        var h = headers
        h.remove("content-length")
        h.set("transfer-encoding", "chunked")
        if willClose(false) { h.set("connection", "close") }
        var out: [UInt8] = []
        HTTPSerializer.writeResponseHead(status: status, headers: h, into: &out)
        self.status = status
        streaming = true
        c.enqueue(out[...])
    }

    /// Sends `bytes` as one chunk.
    func sendChunk(_ bytes: UnsafeRawBufferPointer) {
        guard let c = connection, streaming, !finished, bytes.count > 0 else { return }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        HTTPSerializer.writeChunk(bytes, into: &out)
        bytesOut += bytes.count
        c.enqueue(out[...])
    }

    /// Sends bytes already framed as chunks by the caller (several events of one upstream read,
    /// each its own chunk, in one write).
    func sendEncodedChunks(_ encoded: [UInt8], payloadBytes: Int) {
        guard let c = connection, streaming, !finished, !encoded.isEmpty else { return }
        bytesOut += payloadBytes
        c.enqueue(encoded[...])
    }

    func sendChunk(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { sendChunk($0) }
    }

    /// Ends a stream with the terminating zero-length chunk.
    func endStream() {
        guard let c = connection, streaming, !finished else { return }
        var out: [UInt8] = []
        HTTPSerializer.writeLastChunk(into: &out)
        c.enqueue(out[...])
        finish(close: willClose(false))
    }

    /// Ends the response without the terminating chunk and closes the connection, so no client
    /// mistakes a cut stream for a complete one.
    func abort() {
        guard !finished else { return }
        finish(close: true)
    }

    private func finish(close: Bool) {
        finished = true
        let c = connection
        connection = nil
        onCancel = nil
        onWritable = nil
        let o = owner
        owner = nil
        c?.responseFinished(close: close)
        _ = o
    }

    /// The client went away (connection side).
    func connectionClosed() {
        guard connection != nil else { return }
        connection = nil
        finished = true
        let cb = onCancel
        onCancel = nil
        onWritable = nil
        cb?()
        owner = nil
    }

    func didDrain() { onWritable?() }
}
