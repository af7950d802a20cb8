import Testing
@testable import SluiceCore

private func split(_ chunks: [[UInt8]], max: Int = 1 << 20) -> (events: [[UInt8]], ok: Bool, pending: [UInt8]) {
    var s = SSEEventSplitter(maxEventBytes: max)
    var events: [[UInt8]] = []
    for c in chunks {
        let ok = c.withUnsafeBytes { s.feed($0) { events.append(Array($0)) } }
        if !ok { return (events, false, []) }
    }
    return (events, true, s.takePending())
}

private let lfStream = "data: {\"a\":1}\n\n: keep-alive comment\n\nevent: x\ndata: one\ndata: two\n\ndata: [DONE]\n\n"

private func withEndings(_ ending: String) -> String {
    lfStream.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: ending)
}

private func expectEverySplitPointSame(_ stream: String) {
    let bytes = Array(stream.utf8)
    let whole = split([bytes])
    #expect(whole.pending.isEmpty)
    #expect(whole.events.reduce([], +) == bytes)
    for a in 0...bytes.count {
        let two = split([Array(bytes[0..<a]), Array(bytes[a...])])
        #expect(two.events == whole.events, "split at \(a)")
        for b in a...bytes.count {
            let three = split([Array(bytes[0..<a]), Array(bytes[a..<b]), Array(bytes[b...])])
            #expect(three.events == whole.events, "split at \(a),\(b)")
        }
    }
    let single = split(bytes.map { [$0] })
    #expect(single.events == whole.events)
}

@Test func sse_lfStream_splitsIntoEvents() {
    let r = split([Array(lfStream.utf8)])
    #expect(r.events.map { String(decoding: $0, as: UTF8.self) } == [
        "data: {\"a\":1}\n\n", ": keep-alive comment\n\n", "event: x\ndata: one\ndata: two\n\n", "data: [DONE]\n\n",
    ])
}

@Test func sse_lfStream_everySplitPoint_sameEvents() { expectEverySplitPointSame(lfStream) }

@Test func sse_crlfStream_everySplitPoint_sameEvents() {
    let crlf = withEndings("\r\n")
    let r = split([Array(crlf.utf8)])
    #expect(r.events.count == 4)
    #expect(String(decoding: r.events[0], as: UTF8.self) == "data: {\"a\":1}\r\n\r\n")
    expectEverySplitPointSame(crlf)
}

@Test func sse_crStream_everySplitPoint_sameEvents() {
    let cr = withEndings("\r")
    let r = split([Array(cr.utf8)])
    #expect(r.events.count == 4)
    #expect(r.pending.isEmpty)
    expectEverySplitPointSame(cr)
}

@Test func sse_crStream_eventAtEndOfFeed_emittedWithoutWaiting() {
    var s = SSEEventSplitter()
    var events: [String] = []
    let ok = Array("data: x\r\r".utf8).withUnsafeBytes { s.feed($0) { events.append(String(decoding: $0, as: UTF8.self)) } }
    #expect(ok)
    #expect(events == ["data: x\r\r"])
    #expect(s.pendingBytes == 0)
}

@Test func sse_crlfBlankLineSplitBeforeLF_waitsForLF() {
    var s = SSEEventSplitter()
    var events: [String] = []
    _ = Array("data: x\r\n\r".utf8).withUnsafeBytes { s.feed($0) { events.append(String(decoding: $0, as: UTF8.self)) } }
    #expect(events.isEmpty)
    _ = Array("\ndata: y".utf8).withUnsafeBytes { s.feed($0) { events.append(String(decoding: $0, as: UTF8.self)) } }
    #expect(events == ["data: x\r\n\r\n"])
    #expect(s.takePending() == Array("data: y".utf8))
    #expect(s.pendingBytes == 0)
}

@Test func sse_mixedLineEndings_splitCorrectly() {
    let r = split([Array("data: a\r\n\ndata: b\n\r\ndata: c\r\n\r\n".utf8)])
    #expect(r.events.map { String(decoding: $0, as: UTF8.self) } == ["data: a\r\n\n", "data: b\n\r\n", "data: c\r\n\r\n"])
}

@Test func sse_incompleteEvent_staysPending() {
    let r = split([Array("data: a\n\ndata: partial\n".utf8)])
    #expect(r.events.count == 1)
    #expect(r.pending == Array("data: partial\n".utf8))
}

@Test func sse_eventOverLimit_returnsFalse() {
    let big = Array(("data: " + String(repeating: "x", count: 100)).utf8)
    #expect(!split([big], max: 64).ok)
    #expect(!split([Array(big[0..<50]), Array(big[50...])], max: 64).ok)
    #expect(!split([big + Array("\n\n".utf8)], max: 64).ok)
    #expect(split([big + Array("\n\n".utf8)], max: 200).ok)
}

@Test func sse_eventExactlyAtLimit_accepted() {
    let ev = Array("data: abc\n\n".utf8)
    let r = split([ev], max: ev.count)
    #expect(r.ok)
    #expect(r.events == [ev])
}
