
/// The last `capacity` requests the mock received, process-wide, for `GET /mock/requests`.
/// Recording retains the parsed head and body arrays (no copy unless the body is cut); rendering
/// happens only on demand.
final class MockRequestLog: Sendable {
    /// One received request.
    struct Entry: Sendable {
        var head: HTTPRequestHead
        /// The body, cut at `maxBodyBytes`.
        var body: [UInt8]
        /// The body's full length.
        var bodyBytes: Int
    }

    private struct Ring {
        var entries: [Entry?]
        var next = 0
        var count = 0
    }

    private let ring: Locked<Ring>
    private let capacity: Int
    private let maxBodyBytes: Int

    init(capacity: Int, maxBodyBytes: Int) {
        self.capacity = max(1, capacity)
        self.maxBodyBytes = max(0, maxBodyBytes)
        ring = Locked(Ring(entries: Array(repeating: nil, count: max(1, capacity))))
    }

    /// Records a request, evicting the oldest beyond capacity.
    func record(head: HTTPRequestHead, body: [UInt8]) {
        let kept = body.count > maxBodyBytes ? Array(body.prefix(maxBodyBytes)) : body
        var evicted: Entry? = Entry(head: head, body: kept, bodyBytes: body.count)
        ring.withLock { r in
            swap(&evicted, &r.entries[r.next])
            r.next = (r.next + 1) % r.entries.count
            r.count = min(r.count + 1, r.entries.count)
        }
        // `evicted` (the oldest entry) is released here, outside the lock.
        _ = evicted
    }

    /// Forgets every recorded request (`DELETE /mock/requests`).
    func clear() {
        let fresh = Ring(entries: Array(repeating: nil, count: capacity))
        var old = fresh
        ring.withLock { r in swap(&old, &r) }
        _ = old
    }

    /// Recorded requests, oldest first.
    func snapshot() -> [Entry] {
        ring.withLock { r in
            var out: [Entry] = []
            out.reserveCapacity(r.count)
            let n = r.entries.count
            var i = (r.next - r.count + n) % n
            for _ in 0..<r.count {
                if let e = r.entries[i] { out.append(e) }
                i = (i + 1) % n
            }
            return out
        }
    }

    /// `[{"method":…,"path":…,"query":…,"headers":{name: value or [values]},"body":"…"}, …]`, oldest
    /// first. Header names are lowercased; a repeated name lists its values in order.
    func renderJSON() -> [UInt8] {
        var out: [UInt8] = [0x5B]  // [
        for (k, e) in snapshot().enumerated() {
            if k > 0 { out.append(0x2C) }
            out.append(contentsOf: #"{"method":"#.utf8)
            JSONWriter.appendString(e.head.method.name, to: &out)
            out.append(contentsOf: #","path":"#.utf8)
            JSONWriter.appendString(e.head.path, to: &out)
            out.append(contentsOf: #","query":"#.utf8)
            if let q = e.head.query { JSONWriter.appendString(q, to: &out) } else { out.append(contentsOf: "null".utf8) }
            out.append(contentsOf: #","headers":"#.utf8)
            Self.appendHeaders(e.head.headers, to: &out)
            out.append(contentsOf: #","body":"#.utf8)
            JSONWriter.appendString(bytes: e.body, to: &out)
            if e.bodyBytes > e.body.count { out.append(contentsOf: #","body_truncated":true"#.utf8) }
            out.append(0x7D)
        }
        out.append(0x5D)
        return out
    }

    private static func appendHeaders(_ h: HTTPHeaders, to out: inout [UInt8]) {
        out.append(0x7B)
        var names: [[UInt8]] = []
        for i in 0..<h.count {
            let lower = h.name(at: i).map(HTTPByteClass.lower)
            if names.contains(lower) { continue }
            names.append(lower)
        }
        for (k, name) in names.enumerated() {
            if k > 0 { out.append(0x2C) }
            JSONWriter.appendString(bytes: name, to: &out)
            out.append(0x3A)
            let values = h.all(String(decoding: name, as: UTF8.self))
            if values.count == 1 {
                JSONWriter.appendString(bytes: values[0], to: &out)
            } else {
                out.append(0x5B)
                for (j, v) in values.enumerated() {
                    if j > 0 { out.append(0x2C) }
                    JSONWriter.appendString(bytes: v, to: &out)
                }
                out.append(0x5D)
            }
        }
        out.append(0x7D)
    }
}
