/// Which requests the prompt cache may answer or store (SPEC §4 `deterministic_only`, `cache-control`).
enum CachePolicy {
    /// The inference APIs the cache distinguishes; raw values "chat", "completions", "embeddings", "responses",
    /// "messages" (the daemon maps its own endpoint enum onto this).
    enum API: String, Sendable, Equatable {
        case chat, completions, embeddings, responses, messages
    }

    /// With `deterministicOnly` (the default) generations are cacheable only when `temperature` is a number
    /// equal to zero (`0`, `0.0`, `-0`, `0e5`); an absent, null, string or non-zero temperature is sampling
    /// (every provider defaults to a non-zero temperature). Embeddings are always deterministic.
    static func isCacheable(api: API, body: JSONValue, deterministicOnly: Bool) -> Bool {
        guard deterministicOnly, api != .embeddings else { return true }
        guard case .number(let literal)? = body["temperature"] else { return false }
        return isZero(Array(literal.utf8))
    }

    /// The same rule over a scanned body (hot path: no decoded tree needed).
    static func isCacheable(api: API, index: JSONObjectIndex, in bytes: UnsafeRawBufferPointer,
                            deterministicOnly: Bool) -> Bool {
        guard deterministicOnly, api != .embeddings else { return true }
        guard let m = index.member("temperature", in: bytes), m.kind == .number,
              m.valueRange.lowerBound >= 0, m.valueRange.upperBound <= bytes.count else { return false }
        return isZero(Array(bytes[m.valueRange]))
    }

    /// Request `cache-control` directives (comma list, names case-insensitive, `name=value` allowed):
    /// `no-cache` skips the lookup, `no-store` skips the store. Unknown directives are ignored.
    static func directives(_ cacheControl: String?) -> (noCache: Bool, noStore: Bool) {
        guard let cacheControl else { return (false, false) }
        return directives(bytes: Array(cacheControl.utf8)[...])
    }

    /// The same over a raw header value (several `cache-control` lines may be joined with ',').
    static func directives(bytes value: ArraySlice<UInt8>) -> (noCache: Bool, noStore: Bool) {
        var noCache = false
        var noStore = false
        var i = value.startIndex
        while i < value.endIndex {
            var end = i
            while end < value.endIndex && value[end] != comma { end += 1 }
            let token = name(value[i..<end])
            if equalsLowercased(token, noCacheName) { noCache = true }
            if equalsLowercased(token, noStoreName) { noStore = true }
            i = end + 1
        }
        return (noCache, noStore)
    }

    private static let comma: UInt8 = 0x2C
    private static let noCacheName = Array("no-cache".utf8)
    private static let noStoreName = Array("no-store".utf8)

    /// The directive name of one list element: optional whitespace trimmed, anything from '=' on dropped.
    private static func name(_ element: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = element.startIndex
        var e = element.endIndex
        if let eq = element.firstIndex(of: 0x3D) { e = eq }
        while s < e && isSpace(element[s]) { s += 1 }
        while e > s && isSpace(element[e - 1]) { e -= 1 }
        return element[s..<e]
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    /// ASCII case-insensitive comparison against a lowercase literal.
    private static func equalsLowercased(_ s: ArraySlice<UInt8>, _ lower: [UInt8]) -> Bool {
        guard s.count == lower.count else { return false }
        var j = 0
        for b in s {
            let folded = (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
            if folded != lower[j] { return false }
            j += 1
        }
        return true
    }

    /// True when a validated number literal is zero in any spelling.
    private static func isZero(_ literal: [UInt8]) -> Bool {
        guard let d = JSONNumberFormat.decimal(literal) else { return false }
        return d.digits.isEmpty
    }
}
