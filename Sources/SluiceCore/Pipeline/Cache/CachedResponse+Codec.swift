/// A compact binary form of a `CachedResponse`, for stores that keep bytes (the shared Redis cache of
/// SPEC §10). Layout: "SLC1", status (u16), flags (u8, bit 0 = stream), header count (u32) and per header
/// name and value, then either the body or the event count and each event; every byte string is a u32 length
/// followed by its bytes; integers big-endian.
extension CachedResponse {
    private static let magic: [UInt8] = [0x53, 0x4C, 0x43, 0x31]

    /// The encoded form.
    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(byteSize + 16)
        out.append(contentsOf: CachedResponse.magic)
        let status = UInt16(clamping: status)
        out.append(UInt8(status >> 8))
        out.append(UInt8(status & 0xFF))
        out.append(isStream ? 1 : 0)
        CachedResponse.appendLength(headers.count, to: &out)
        for (name, value) in headers {
            CachedResponse.appendString(Array(name.utf8), to: &out)
            CachedResponse.appendString(Array(value.utf8), to: &out)
        }
        if let events = sseEvents {
            CachedResponse.appendLength(events.count, to: &out)
            for e in events { CachedResponse.appendString(e, to: &out) }
        } else {
            CachedResponse.appendString(body, to: &out)
        }
        return out
    }

    /// Decodes `encoded()` output; nil for anything else (wrong magic, truncation, trailing bytes), so a
    /// corrupt shared entry is a miss, never a crash.
    init?(encoded bytes: [UInt8]) {
        var r = CodecReader(bytes: bytes)
        guard r.take(4) == CachedResponse.magic[...], let hi = r.byte(), let lo = r.byte(), let flags = r.byte(),
              flags <= 1, let headerCount = r.length() else { return nil }
        var headers: [(String, String)] = []
        for _ in 0..<headerCount {
            guard let n = r.string(), let v = r.string() else { return nil }
            headers.append((String(decoding: n, as: UTF8.self), String(decoding: v, as: UTF8.self)))
        }
        var body: [UInt8] = []
        var events: [[UInt8]]?
        if flags == 1 {
            guard let count = r.length() else { return nil }
            var list: [[UInt8]] = []
            for _ in 0..<count {
                guard let e = r.string() else { return nil }
                list.append(Array(e))
            }
            events = list
        } else {
            guard let b = r.string() else { return nil }
            body = Array(b)
        }
        guard r.atEnd else { return nil }
        self.init(status: Int(hi) << 8 | Int(lo), headers: headers, body: body, sseEvents: events)
    }

    private static func appendLength(_ n: Int, to out: inout [UInt8]) {
        let v = UInt32(clamping: n)
        out.append(UInt8(v >> 24))
        out.append(UInt8((v >> 16) & 0xFF))
        out.append(UInt8((v >> 8) & 0xFF))
        out.append(UInt8(v & 0xFF))
    }

    private static func appendString(_ s: [UInt8], to out: inout [UInt8]) {
        appendLength(s.count, to: &out)
        out.append(contentsOf: s)
    }

    /// Bounds-checked cursor; every length is checked against what is left before anything is copied.
    private struct CodecReader {
        let bytes: [UInt8]
        var pos = 0

        var atEnd: Bool { pos == bytes.count }

        mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
            guard n >= 0, n <= bytes.count - pos else { return nil }
            defer { pos += n }
            return bytes[pos..<(pos + n)]
        }

        mutating func byte() -> UInt8? { take(1)?.first }

        mutating func length() -> Int? {
            guard let b = take(4) else { return nil }
            return b.reduce(0) { $0 << 8 | Int($1) }
        }

        mutating func string() -> ArraySlice<UInt8>? {
            guard let n = length() else { return nil }
            return take(n)
        }
    }
}
