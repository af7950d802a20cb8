import Testing
@testable import SluiceCore

@Test func response_wholeBody_notStream() {
    let r = CachedResponse(status: 200, headers: [("content-type", "application/json")], body: Array("{}".utf8))
    #expect(!r.isStream)
    #expect(r.byteSize == CachedResponse.entryOverhead + 2 + 12 + 16 + CachedResponse.partOverhead)
}

@Test func response_events_isStreamAndCounted() {
    let events = [Array("data: {}\n\n".utf8), Array("data: [DONE]\n\n".utf8)]
    let r = CachedResponse(status: 200, sseEvents: events)
    #expect(r.isStream)
    #expect(r.byteSize == CachedResponse.entryOverhead + 10 + 14 + 2 * CachedResponse.partOverhead)
    #expect(CachedResponse(status: 200, sseEvents: []).isStream)
}

@Test func response_empty_chargedOverhead() {
    #expect(CachedResponse(status: 204).byteSize == CachedResponse.entryOverhead)
}

@Test func header_lookup_caseInsensitive() {
    let r = CachedResponse(status: 200, headers: [("Content-Type", "text/event-stream"), ("x-a", "1"), ("X-A", "2")])
    #expect(r.header("content-type") == "text/event-stream")
    #expect(r.header("X-A") == "1")
    #expect(r.header("x-b") == nil)
}

@Test func codec_wholeBody_roundTrips() {
    let r = CachedResponse(status: 201, headers: [("content-type", "application/json"), ("x-é", "ü")],
                           body: [0, 1, 2, 255])
    guard let d = CachedResponse(encoded: r.encoded()) else {
        Issue.record("decode failed")
        return
    }
    #expect(d.status == 201)
    #expect(d.headers.map { $0.0 } == ["content-type", "x-é"])
    #expect(d.headers.map { $0.1 } == ["application/json", "ü"])
    #expect(d.body == [0, 1, 2, 255])
    #expect(d.sseEvents == nil)
}

@Test func codec_stream_roundTrips() {
    let events = [Array("data: a\n\n".utf8), [], Array("data: [DONE]\n\n".utf8)]
    let r = CachedResponse(status: 200, headers: [], sseEvents: events)
    let d = CachedResponse(encoded: r.encoded())
    #expect(d?.sseEvents == events)
    #expect(d?.isStream == true)
    #expect(d?.body == [])
}

@Test func codec_corrupt_nil() {
    let good = CachedResponse(status: 200, headers: [("a", "b")], body: [1, 2, 3]).encoded()
    #expect(CachedResponse(encoded: []) == nil)
    #expect(CachedResponse(encoded: Array("XXXX".utf8) + good.dropFirst(4)) == nil)
    for cut in 0..<good.count { #expect(CachedResponse(encoded: Array(good.prefix(cut))) == nil) }
    #expect(CachedResponse(encoded: good + [0]) == nil)
    var badFlags = good
    badFlags[6] = 7
    #expect(CachedResponse(encoded: badFlags) == nil)
}

@Test func codec_hugeDeclaredLength_nilWithoutAllocating() {
    let bytes: [UInt8] = Array("SLC1".utf8) + [0, 200, 0] + [0xFF, 0xFF, 0xFF, 0xFF]
    #expect(CachedResponse(encoded: bytes) == nil)
}
