/// A stored answer: status, the response headers worth replaying (content-type and the like, never hop-by-hop,
/// `content-length`, rate-limit or request-id headers: the replaying side writes those fresh), and either a
/// whole body or, for a stream, its SSE events (each event's complete bytes, blank-line terminator included)
/// so that a hit is replayed as a stream.
struct CachedResponse: Sendable {
    /// HTTP status of the stored answer (the processor only stores 200s, but the store does not care).
    var status: Int
    /// Header name/value pairs to replay, in order.
    var headers: [(String, String)]
    /// The whole body of a non-streamed answer; empty for a stream.
    var body: [UInt8]
    /// The SSE events of a streamed answer; nil for a whole body.
    var sseEvents: [[UInt8]]?

    /// Bookkeeping charged per entry on top of its bytes, so that even empty answers fill `max_bytes`.
    static let entryOverhead = 128
    /// Bookkeeping charged per header pair and per SSE event (array and string headers).
    static let partOverhead = 16

    init(status: Int, headers: [(String, String)] = [], body: [UInt8] = [], sseEvents: [[UInt8]]? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.sseEvents = sseEvents
    }

    /// True when the answer is replayed as a stream.
    var isStream: Bool { sseEvents != nil }

    /// What the entry costs against `max_bytes` and `max_entry_bytes`: its payload and header bytes plus a
    /// fixed overhead, an estimate of the memory it pins.
    var byteSize: Int {
        var n = CachedResponse.entryOverhead + body.count
        for (name, value) in headers { n += name.utf8.count + value.utf8.count + CachedResponse.partOverhead }
        if let events = sseEvents {
            for e in events { n += e.count + CachedResponse.partOverhead }
        }
        return n
    }

    /// The value of the first header named `name` (ASCII case-insensitive).
    func header(_ name: String) -> String? {
        headers.first { CachedResponse.sameName($0.0, name) }?.1
    }

    private static func sameName(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return zip(a.utf8, b.utf8).allSatisfy { x, y in
            (x >= 0x41 && x <= 0x5A ? x | 0x20 : x) == (y >= 0x41 && y <= 0x5A ? y | 0x20 : y)
        }
    }
}
