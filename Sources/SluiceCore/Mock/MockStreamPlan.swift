/// A whole SSE stream rendered up front: the event bytes back to back, where each event ends, and
/// how events group into pacing steps (one step per word; the opening events travel with the
/// first word and the closing events with the last).
struct MockStreamPlan {
    /// All events, concatenated.
    var bytes: [UInt8] = []
    /// End offset of each event in `bytes`.
    var eventEnds: [Int] = []
    /// Number of events sent once each pacing step is done (ascending; the last is `eventEnds.count`).
    var groupEnds: [Int] = []

    /// Marks the end of the event just appended to `bytes`.
    mutating func endEvent() { eventEnds.append(bytes.count) }

    /// Closes the current pacing step (no-op when it holds no event).
    mutating func endGroup() {
        if groupEnds.last != eventEnds.count && !eventEnds.isEmpty { groupEnds.append(eventEnds.count) }
    }

    /// Byte range of event `i`.
    func event(_ i: Int) -> Range<Int> { (i == 0 ? 0 : eventEnds[i - 1])..<eventEnds[i] }

    /// Renders the stream of `r`.
    static func build(_ r: MockReply) -> MockStreamPlan {
        var plan = MockStreamPlan()
        plan.bytes.reserveCapacity(256 + r.text.pieceCount * 160)
        switch r.api {
        case .chat, .completions: MockStreamEvents.openAI(r, &plan)
        case .responses: MockStreamEvents.responses(r, &plan)
        case .messages: MockStreamEvents.anthropic(r, &plan)
        case .embeddings: break
        }
        plan.endGroup()
        return plan
    }
}
