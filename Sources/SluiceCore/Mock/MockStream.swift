
/// Sends one pre-rendered `MockStreamPlan` as a chunked SSE response, on the loop's timers.
///
/// - `.events(interval)`: every event is its own HTTP chunk; with an interval, one pacing step
///   (one word) per tick, otherwise everything in one write.
/// - `.bytes(size, gap)`: the concatenated events cut into chunks of `size` bytes (splitting
///   events anywhere), one chunk per tick, so they arrive in separate reads.
///
/// `dropAfter` cuts the connection after that many chunks, without the terminating chunk.
/// Loop-confined. The timer's action retains the stream while a tick is pending; finishing or a
/// client disconnect cancels the timer and breaks that cycle.
final class MockStream {
    /// How the plan is spread over writes.
    enum Pacing {
        case events(intervalNanos: UInt64)
        case bytes(size: Int, gapNanos: UInt64)
    }

    private let responder: HTTPResponder
    private let loop: EventLoop
    private let plan: MockStreamPlan
    private let pacing: Pacing
    private let dropAfter: Int?
    private let timer = TimerNode()
    private var nextEvent = 0
    private var nextGroup = 0
    private var offset = 0
    private var sentChunks = 0
    private var done = false

    init(responder: HTTPResponder, loop: EventLoop, plan: MockStreamPlan, pacing: Pacing, dropAfter: Int?) {
        self.responder = responder
        self.loop = loop
        self.plan = plan
        self.pacing = pacing
        self.dropAfter = dropAfter
    }

    /// Sends the head and the first step; later steps follow on the timer.
    func start(status: Int, headers: HTTPHeaders) {
        responder.onCancel = { [self] in self.stop() }
        responder.startStream(status: status, headers: headers)
        timer.action = { [self] in self.step() }
        step()
    }

    private var dropReached: Bool {
        guard let d = dropAfter else { return false }
        return sentChunks >= d
    }

    private func step() {
        guard !done else { return }
        if responder.isClosed {
            stop()
            return
        }
        if !responder.hasCapacity {
            // The client reads slower than we write: resume when the queue drains.
            responder.onWritable = { [self] in
                self.responder.onWritable = nil
                self.step()
            }
            return
        }
        switch pacing {
        case .events(let interval):
            sendEvents(upTo: interval == 0 ? plan.eventEnds.count : groupEnd())
            settle(remaining: nextEvent < plan.eventEnds.count, gap: interval)
        case .bytes(let size, let gap):
            if !dropReached && offset < plan.bytes.count {
                let end = min(offset + size, plan.bytes.count)
                plan.bytes.withUnsafeBytes { responder.sendChunk(UnsafeRawBufferPointer(rebasing: $0[offset..<end])) }
                offset = end
                sentChunks += 1
            }
            settle(remaining: offset < plan.bytes.count, gap: gap)
        }
    }

    /// End of the current pacing step, in events.
    private func groupEnd() -> Int {
        guard nextGroup < plan.groupEnds.count else { return plan.eventEnds.count }
        let end = plan.groupEnds[nextGroup]
        nextGroup += 1
        return end
    }

    /// Writes events `nextEvent..<end` (each its own chunk) in one write, stopping at `dropAfter`.
    private func sendEvents(upTo end: Int) {
        var encoded: [UInt8] = []
        if nextEvent < end {
            encoded.reserveCapacity(plan.eventEnds[end - 1] - plan.event(nextEvent).lowerBound + (end - nextEvent) * 12)
        }
        var payload = 0
        plan.bytes.withUnsafeBytes { raw in
            while nextEvent < end && !dropReached {
                let r = plan.event(nextEvent)
                HTTPSerializer.writeChunk(UnsafeRawBufferPointer(rebasing: raw[r]), into: &encoded)
                payload += r.count
                nextEvent += 1
                sentChunks += 1
            }
        }
        if !encoded.isEmpty { responder.sendEncodedChunks(encoded, payloadBytes: payload) }
    }

    /// Cuts, ends, or schedules the next step.
    private func settle(remaining: Bool, gap: UInt64) {
        if dropAfter != nil && (dropReached || !remaining) {
            finish()
            responder.abort()
        } else if !remaining {
            finish()
            responder.endStream()
        } else {
            loop.timers.arm(timer, now: loop.refreshNow(), durationNanos: max(gap, 1))
        }
    }

    /// Client gone: drop the pending tick.
    private func stop() {
        finish()
    }

    private func finish() {
        done = true
        loop.timers.cancel(timer)
        timer.action = {}
    }
}
