/// Builds prompt-cache keys (SPEC §4): SHA-256 over route name, upstream model and the canonical JSON body
/// with top-level `user` removed. `stream` and every other field stay in the key.
enum PromptCacheKey {
    /// Version tag inside the hashed material: bump it when the material's layout changes so that entries
    /// written by an older build (e.g. in a shared Redis cache) can never be read as hits.
    static let version = "sluice.prompt_cache.v1"

    /// Top-level members left out of the key: per-end-user tags that do not change the answer.
    /// (ASCII names: the byte writer compares decoded keys byte for byte.)
    static let ignoredMembers: [String] = ["user"]

    /// The key for a raw request body; nil when the body is not one valid JSON object.
    static func make(route: String, upstreamModel: String, body: [UInt8], digest: some CacheDigest) -> CacheKey? {
        guard let m = material(route: route, upstreamModel: upstreamModel, body: body) else { return nil }
        return digest.key(m)
    }

    /// The key for a body the gateway already validated (`index` from its scan): one pass, no re-validation.
    static func make(route: String, upstreamModel: String, body: [UInt8], index: JSONObjectIndex, digest: some CacheDigest) -> CacheKey? {
        guard let m = material(route: route, upstreamModel: upstreamModel, body: body, index: index) else { return nil }
        return digest.key(m)
    }

    /// As `make(route:upstreamModel:body:index:digest:)`, the material written into buffers the caller keeps
    /// between requests (`PromptCacheKeyScratch`, one per loop): no allocation once they have grown.
    static func make(route: String, upstreamModel: String, body: [UInt8], index: JSONObjectIndex, digest: some CacheDigest,
                     scratch: inout PromptCacheKeyScratch) -> CacheKey? {
        var m: [UInt8] = []
        swap(&m, &scratch.material)
        defer {
            if m.capacity <= JSONCanonicalScratch.keptCapacity {
                m.removeAll(keepingCapacity: true)
                swap(&m, &scratch.material)
            }
        }
        guard write(route: route, upstreamModel: upstreamModel, body: body, index: index, into: &m, scratch: &scratch.canonical) else {
            return nil
        }
        return digest.key(m)
    }

    static func material(route: String, upstreamModel: String, body: [UInt8], index: JSONObjectIndex) -> [UInt8]? {
        var out: [UInt8] = []
        var scratch = JSONCanonicalScratch()
        guard write(route: route, upstreamModel: upstreamModel, body: body, index: index, into: &out, scratch: &scratch) else {
            return nil
        }
        return out
    }

    /// Appends the material of a scanned body to `out` (empty on entry); false when the body is not what
    /// `index` says.
    private static func write(route: String, upstreamModel: String, body: [UInt8], index: JSONObjectIndex,
                              into out: inout [UInt8], scratch: inout JSONCanonicalScratch) -> Bool {
        body.withUnsafeBytes { raw -> Bool in
            guard index.objectRange.upperBound <= raw.count else { return false }
            appendPrefix(route: route, upstreamModel: upstreamModel, capacity: body.count, to: &out)
            guard JSONCanonicalWriter.append(raw, range: index.objectRange, skipTopLevel: ignoredMembers, to: &out,
                                             scratch: &scratch) else {
                return false
            }
            out.append(JSONByte.closeBracket)
            return true
        }
    }

    /// `[version,` — the same for every key, so written once.
    private static let head: [UInt8] = {
        var out = [JSONByte.openBracket]
        JSONWriter.appendString(version, to: &out)
        out.append(JSONByte.comma)
        return out
    }()

    /// `[version,route,model,` — the material before the body.
    private static func prefix(route: String, upstreamModel: String, capacity: Int) -> [UInt8] {
        var out: [UInt8] = []
        appendPrefix(route: route, upstreamModel: upstreamModel, capacity: capacity, to: &out)
        return out
    }

    private static func appendPrefix(route: String, upstreamModel: String, capacity: Int, to out: inout [UInt8]) {
        out.reserveCapacity(capacity + 64 + route.utf8.count + upstreamModel.utf8.count)
        out.append(contentsOf: head)
        JSONWriter.appendString(route, to: &out)
        out.append(JSONByte.comma)
        JSONWriter.appendString(upstreamModel, to: &out)
        out.append(JSONByte.comma)
    }

    /// `material(route:upstreamModel:value:)` written straight from the body's bytes (no JSON tree:
    /// the hot path of every cacheable request). Identical output.
    static func material(route: String, upstreamModel: String, body: [UInt8]) -> [UInt8]? {
        body.withUnsafeBytes { raw -> [UInt8]? in
            guard case .success(let (kind, range)) = JSONScanner.validate(raw), kind == .object else { return nil }
            var out = prefix(route: route, upstreamModel: upstreamModel, capacity: body.count)
            guard JSONCanonicalWriter.append(raw, range: range, skipTopLevel: ignoredMembers, to: &out) else {
                return nil
            }
            out.append(JSONByte.closeBracket)
            return out
        }
    }

    /// The key for an already parsed body (saves a second parse when the caller decoded it anyway).
    static func make(route: String, upstreamModel: String, value: JSONValue, digest: some CacheDigest) -> CacheKey? {
        guard let m = material(route: route, upstreamModel: upstreamModel, value: value) else { return nil }
        return digest.key(m)
    }

    /// The bytes that get hashed: the canonical form of `[version, route, upstreamModel, body]`. A JSON array
    /// of canonical strings frames the parts unambiguously (no route/model split can collide with another).
    static func material(route: String, upstreamModel: String, value: JSONValue) -> [UInt8]? {
        guard case .object(var members) = value else { return nil }
        members.removeAll { ignoredMembers.contains($0.0) }
        var out: [UInt8] = []
        out.reserveCapacity(64 + route.utf8.count + upstreamModel.utf8.count)
        JSONValue.array([.string(version), .string(route), .string(upstreamModel), .object(members)]).canonical(into: &out)
        return out
    }
}

/// Buffers a loop keeps for building prompt-cache keys (the hashed material and the canonical writer's
/// working space), lent to one request at a time. A buffer past `JSONCanonicalScratch.keptCapacity`
/// (a huge body) is released after use rather than kept.
struct PromptCacheKeyScratch {
    fileprivate var material: [UInt8] = []
    fileprivate var canonical = JSONCanonicalScratch()
}
