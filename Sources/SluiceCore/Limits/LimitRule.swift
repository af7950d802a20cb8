/// One `rate_limits` entry compiled for admission: its `match` filters, how its bucket key is built, and
/// the table holding its buckets (shared with the previous generation when the definition is unchanged).
/// Immutable; safe from any thread.
struct LimitRule: Sendable {
    /// The limit as configured.
    let config: RateLimitConfig
    /// Its buckets.
    let table: LimitBucketTable
    private let models: [Glob]
    private let routes: [Glob]
    private let tenants: [Glob]
    /// Longest key part kept, in UTF-8 bytes (longer client-supplied values are cut).
    let maxKeyPartBytes: Int

    /// The key value used for a part the request does not have (no tenant, header absent…).
    static let missingPart = "-"
    /// The key of a limit whose `key` list is empty: one bucket shared by every matching request.
    static let sharedKey = "*"
    /// Headers whose values are credentials: they enter a key only as a fingerprint, so `/ratelimits`,
    /// logs and 429 messages can never show them.
    static let credentialHeaders: Set<String> = ["authorization", "proxy-authorization", "x-api-key", "api-key",
                                                 "cookie"]

    init(config: RateLimitConfig, table: LimitBucketTable, maxKeyPartBytes: Int = 256) {
        self.config = config
        self.table = table
        self.maxKeyPartBytes = Swift.max(maxKeyPartBytes, 1)
        let match = config.match ?? RateLimitMatch()
        models = match.models.map(Glob.init)
        routes = match.routes.map(Glob.init)
        tenants = match.tenants.map(Glob.init)
    }

    /// Whether the limit applies: every non-empty `match` list must have a pattern matching the request's
    /// value (a request without that value does not match a non-empty list).
    func matches(_ s: LimitSubject) -> Bool {
        Self.matches(models, s.model) && Self.matches(routes, s.route) && Self.matches(tenants, s.tenant)
    }

    private static func matches(_ globs: [Glob], _ value: String?) -> Bool {
        if globs.isEmpty { return true }
        guard let value else { return false }
        return globs.contains { $0.matches(value) }
    }

    /// The bucket key: the key parts' values in config order joined by `|` (a `|` or `\` inside a value is
    /// escaped with `\`); a missing value is `-`; no parts gives `*`.
    func key(for s: LimitSubject) -> String {
        if config.key.isEmpty { return Self.sharedKey }
        var out = ""
        for (i, part) in config.key.enumerated() {
            if i > 0 { out.append("|") }
            let raw: String?
            switch part {
            case .tenant: raw = s.tenant
            case .apiKey: raw = s.apiKeyName
            case .clientIP: raw = s.clientIP
            case .model: raw = s.model
            case .route: raw = s.route
            case .header(let name):
                raw = s.headers[name].map { Self.credentialHeaders.contains(name) ? Self.fingerprint($0) : $0 }
            }
            Self.appendEscaped(raw ?? Self.missingPart, limit: maxKeyPartBytes, to: &out)
        }
        return out
    }

    private static func appendEscaped(_ value: String, limit: Int, to out: inout String) {
        let utf8 = value.utf8
        let needsEscape = utf8.contains(UInt8(ascii: "|")) || utf8.contains(UInt8(ascii: "\\"))
        if utf8.count <= limit && !needsEscape {
            out.append(value)
            return
        }
        let kept = String(decoding: utf8.prefix(limit), as: UTF8.self)
        for ch in kept.unicodeScalars {
            if ch == "|" || ch == "\\" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(ch)
        }
    }

    private static func fingerprint(_ value: String) -> String {
        let h = LimitBucketTable.hash(value)
        let hex = String(h, radix: 16)
        return "#" + String(repeating: "0", count: 16 - hex.utf8.count) + hex
    }

    /// Whether two entries define the same buckets (name, key, unit, count, limit, window, burst, match,
    /// scope): then bucket state carries over a reload. `shadow`, `max_keys` and lease settings may differ.
    static func sameDefinition(_ a: RateLimitConfig, _ b: RateLimitConfig) -> Bool {
        a.name == b.name && a.key == b.key && a.unit == b.unit && a.count == b.count && a.limit == b.limit
            && a.window == b.window && a.burst == b.burst && (a.match ?? RateLimitMatch()) == (b.match ?? RateLimitMatch())
            && a.scope == b.scope
    }

    /// A window as nanoseconds, saturating; at least 1.
    static func windowNanos(_ d: Duration) -> UInt64 {
        let (seconds, attoseconds) = d.components
        guard seconds >= 0 else { return 1 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return UInt64.max }
        let (sum, o2) = whole.addingReportingOverflow(UInt64(Swift.max(attoseconds, 0) / 1_000_000_000))
        return o2 ? UInt64.max : Swift.max(sum, 1)
    }
}
