/// One component of a rate-limit bucket key.
enum RateLimitKeyPart: Sendable, Equatable, Hashable, CustomStringConvertible {
    case tenant, apiKey, clientIP, model, route
    /// A request header (name lower-cased).
    case header(String)

    /// The config spelling (`api_key`, `header:x-team`).
    var description: String {
        switch self {
        case .tenant: "tenant"
        case .apiKey: "api_key"
        case .clientIP: "client_ip"
        case .model: "model"
        case .route: "route"
        case .header(let h): "header:\(h)"
        }
    }

    static let names = ["tenant", "api_key", "client_ip", "model", "route", "header:<name>"]

    /// Parses one key part.
    static func parse(_ text: String) -> RateLimitKeyPart? {
        switch text {
        case "tenant": return .tenant
        case "api_key": return .apiKey
        case "client_ip": return .clientIP
        case "model": return .model
        case "route": return .route
        default:
            guard text.hasPrefix("header:") else { return nil }
            let name = String(text.dropFirst(7))
            return ConfigDecoder.isToken(name) ? .header(name.lowercased()) : nil
        }
    }
}

/// What a bucket counts.
enum RateLimitUnit: String, Sendable, Equatable, CaseIterable {
    case tokens, requests
}

/// Which tokens a `tokens` bucket counts.
enum RateLimitCount: String, Sendable, Equatable, CaseIterable {
    case input, output, total
}

/// Where a bucket's state lives.
enum RateLimitScope: String, Sendable, Equatable, CaseIterable {
    case local, global
}

/// How a global bucket admits (SPEC §10).
enum RateLimitMode: String, Sendable, Equatable, CaseIterable {
    case exact, leased
}

/// Optional filters: the bucket applies only to matching requests (empty list = any).
struct RateLimitMatch: Sendable, Equatable {
    var models: [String] = []
    var routes: [String] = []
    var tenants: [String] = []
}

/// One entry of `rate_limits`: a token bucket per distinct key.
struct RateLimitConfig: Sendable, Equatable {
    var name: String
    /// Empty: one bucket shared by every request.
    var key: [RateLimitKeyPart]
    var unit: RateLimitUnit
    var count = RateLimitCount.total
    var limit: Int
    /// Refill is `limit` per `window`.
    var window: Duration
    /// Capacity; defaults to `limit`.
    var burst: Int
    var match: RateLimitMatch?
    var shadow = false
    var scope = RateLimitScope.local
    var mode = RateLimitMode.exact
    var leaseFraction = 0.05
    var leaseTTL: Duration = .seconds(1)
    var maxKeys = 100_000
    var location: ConfigLocation

    static let keys = ["name", "key", "unit", "count", "limit", "window", "burst", "match", "shadow", "scope", "mode",
                       "lease_fraction", "lease_ttl", "max_keys"]

    /// Decodes one `rate_limits` entry.
    static func decode(_ node: YAMLNode, index: Int, _ d: inout ConfigDecoder) -> RateLimitConfig? {
        let section = ConfigDecoder.sectionName("rate limit", node: node, index: index, list: "rate_limits")
        guard let f = d.fields(node, section: section, keys: keys) else { return nil }
        let name = d.string(f, "name", required: true, allowEmpty: false)
        var parts: [RateLimitKeyPart] = []
        for item in d.list(f, "key") ?? [] {
            guard let text = item.scalar?.text, !item.isNull, let part = RateLimitKeyPart.parse(text) else {
                let hint = ConfigKeySuggester.hint(for: item.scalar?.text ?? "", among: Array(RateLimitKeyPart.names.dropLast()))
                d.report("each entry of 'key' in \(section) must be one of \(RateLimitKeyPart.names.joined(separator: ", ")), found \(item.kindDescription)\(hint)", at: item)
                continue
            }
            if parts.contains(part) {
                d.report("'\(part)' appears twice in 'key' of \(section)", at: item)
            } else {
                parts.append(part)
            }
        }
        let unit = d.choice(f, "unit", as: RateLimitUnit.self)
        if f["unit"] == nil { d.report("missing required key 'unit' in \(section) (tokens or requests)", at: f.node) }
        let count = d.choice(f, "count", as: RateLimitCount.self)
        if count != nil, unit == .requests, let n = f["count"] {
            d.report("'count' in \(section) applies only to unit: tokens", at: n)
        }
        let limit = d.int(f, "limit", required: true, range: 1...Int.max)
        let window = d.duration(f, "window")
        if f["window"] == nil { d.report("missing required key 'window' in \(section)", at: f.node) }
        let burst = d.int(f, "burst", range: 1...Int.max)
        var c = RateLimitConfig(name: name ?? "", key: parts, unit: unit ?? .requests, limit: limit ?? 1,
                                window: window ?? .seconds(1), burst: burst ?? limit ?? 1, location: ConfigLocation(node))
        if let count { c.count = count }
        if let n = d.value(f, "match"), let m = d.fields(n, section: "match of \(section)", keys: ["models", "routes", "tenants"]) {
            c.match = RateLimitMatch(models: d.stringList(m, "models") ?? [], routes: d.stringList(m, "routes") ?? [],
                                     tenants: d.stringList(m, "tenants") ?? [])
        }
        if let v = d.bool(f, "shadow") { c.shadow = v }
        if let v = d.choice(f, "scope", as: RateLimitScope.self) { c.scope = v }
        if let v = d.choice(f, "mode", as: RateLimitMode.self) { c.mode = v }
        if let v = d.number(f, "lease_fraction", range: 0.000001...1) { c.leaseFraction = v }
        if let v = d.duration(f, "lease_ttl") { c.leaseTTL = v }
        if let v = d.int(f, "max_keys", range: 1...100_000_000) { c.maxKeys = v }
        if c.scope == .local {
            for key in ["mode", "lease_fraction", "lease_ttl"] {
                if let n = f[key] { d.report("'\(key)' in \(section) applies only to scope: global", at: n) }
            }
        }
        guard name != nil, unit != nil, limit != nil, window != nil else { return nil }
        return c
    }
}

/// `token_estimation`: how admission estimates a request's tokens before the upstream reports usage.
struct TokenEstimationConfig: Sendable, Equatable {
    var bytesPerToken = 4
    var defaultOutputTokens = 256
    var maxOutputReservation = 4096

    /// Decodes `token_estimation` (absent: defaults).
    static func decode(_ node: YAMLNode?, root: YAMLNode, _ d: inout ConfigDecoder) -> TokenEstimationConfig {
        var c = TokenEstimationConfig()
        let keys = ["bytes_per_token", "default_output_tokens", "max_output_reservation"]
        guard let f = d.optionalFields(node, section: "token_estimation", keys: keys, at: root) else { return c }
        if let v = d.int(f, "bytes_per_token", range: 1...1024) { c.bytesPerToken = v }
        if let v = d.int(f, "default_output_tokens", range: 1...10_000_000) { c.defaultOutputTokens = v }
        if let v = d.int(f, "max_output_reservation", range: 1...10_000_000) { c.maxOutputReservation = v }
        return c
    }
}
