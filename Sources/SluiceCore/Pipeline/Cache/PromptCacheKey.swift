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

    static func material(route: String, upstreamModel: String, body: [UInt8], index: JSONObjectIndex) -> [UInt8]? {
        body.withUnsafeBytes { raw -> [UInt8]? in
            guard index.objectRange.upperBound <= raw.count else { return nil }
            var out = prefix(route: route, upstreamModel: upstreamModel, capacity: body.count)
            guard JSONCanonicalWriter.append(raw, range: index.objectRange, skipTopLevel: ignoredMembers, to: &out) else {
                return nil
            }
            out.append(JSONByte.closeBracket)
            return out
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
        out.reserveCapacity(capacity + 64 + route.utf8.count + upstreamModel.utf8.count)
        out.append(contentsOf: head)
        JSONWriter.appendString(route, to: &out)
        out.append(JSONByte.comma)
        JSONWriter.appendString(upstreamModel, to: &out)
        out.append(JSONByte.comma)
        return out
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
