import Glibc

/// The connection's timer roles once answers are produced (send timeout, idle restart, linger),
/// its epoll interest, and closing. Reading and request framing are in HTTPServerConnection.swift,
/// writing in +Write, the TLS handshake in +TLS.
extension HTTPServerConnection {
    // MARK: send timeout (the timer's role while answer bytes wait for the client)

    /// Answer bytes were queued: while a response is produced, the send timeout starts unless it
    /// runs already (between requests the idle or header timer keeps its role).
    func startSendTimeout() {
        guard phase == .responding, !timer.isArmed else { return }
        loop.timers.arm(timer, now: loop.now, durationNanos: limits.idleTimeoutNanos)
    }

    /// The client took some of its pending answer: the send (or idle) timeout starts over. Not a
    /// head in progress: the header timeout stays absolute.
    func clientTookOutput() {
        guard !lingering, phase == .responding || closeAfterFlush || (phase == .head && !sawHeadBytes) else { return }
        loop.timers.arm(timer, now: loop.now, durationNanos: limits.idleTimeoutNanos)
    }

    /// The answers queued so far are written (or the connection closed): they leave the in-flight count.
    func answersWritten() {
        guard unsentAnswers > 0 else { return }
        state.inFlight.wrappingSubtract(unsentAnswers, ordering: .relaxed)
        unsentAnswers = 0
    }

    /// Everything was written. While a response is produced nothing is timed on the client's side
    /// (the upstream's timeouts bound the wait); between requests, the idle time restarts and
    /// pipelined requests held back by `outputBackedUp` are parsed.
    func outputDrained() {
        switch phase {
        case .responding:
            loop.timers.cancel(timer)
        case .head where !sawHeadBytes:
            loop.timers.arm(timer, now: loop.now, durationNanos: limits.idleTimeoutNanos)
            if inStart < inEnd && !processing { process() }
        default:
            break
        }
    }

    /// More answer bytes wait for the client than a connection may queue: pipelined requests are
    /// neither parsed nor read until the client takes some (bounds the response queue).
    var outputBackedUp: Bool { pendingOutput >= limits.writeHighWater }

    func updateInterest() {
        guard phase != .closed else { return }
        var want: UInt32 = 0
        // Stop reading when the buffer is full of pipelined bytes while a response is pending, and
        // between requests while earlier answers back up (hang-ups are reported regardless).
        let full = !inBuf.isEmpty && inEnd == inBuf.count && inStart == 0 && phase == .responding
        if !full && !(phase == .head && outputBackedUp) { want |= Readiness.readable }
        if outOffset < out.count { want |= Readiness.writable }
        setInterest(want | tlsInterest)
    }

    /// Changes the epoll interest set when it differs from the current one.
    func setInterest(_ want: UInt32) {
        if want != interest {
            interest = want
            loop.modify(fd: fd, events: want)
        }
    }

    /// Half-closes after the final response and discards what the client still sends, until EOF
    /// or the linger timer.
    func beginLingeringClose() {
        guard phase != .closed, !lingering else { return }
        lingering = true
        tls?.shutdown()   // close_notify; what the client sends afterwards is discarded undecrypted
        loop.timers.arm(timer, now: loop.now, durationNanos: Self.lingerNanos)
        _ = shutdown(fd, Int32(SHUT_WR))
        if interest != Readiness.readable {
            interest = Readiness.readable
            loop.modify(fd: fd, events: interest)
        }
        discardUntilEOF()
    }

    func discardUntilEOF() {
        // A buffer of the loop's pool, so a lingering connection holds none between reads.
        var scratch = readBuffers.take()
        defer { readBuffers.give(&scratch) }
        for _ in 0..<16 {
            let r = try? scratch.withUnsafeMutableBytes { raw throws(IOError) in try Socket.read(fd: fd, into: raw) }
            switch r {
            case .wouldBlock: return
            case .done(let n) where n > 0: continue
            default: close(); return
            }
        }
    }

    /// Closes the socket at once; an unfinished response is cancelled.
    func close() {
        guard phase != .closed else { return }
        phase = .closed
        loop.timers.cancel(timer)
        loop.deregister(fd: fd)
        tls?.shutdown()
        Socket.close(fd: fd)
        counter?.release()
        answersWritten()
        if let r = current {
            current = nil
            if countsInFlight { state.inFlight.wrappingSubtract(1, ordering: .relaxed) }
            r.connectionClosed()
        }
        out = []
        returnReadBuffer()
    }
}
