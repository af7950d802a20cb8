/// One backend a route may send to, optionally rewriting the model name upstream.
struct RouteTarget: Sendable, Equatable {
    var backend: String
    /// Relative share among the route's primaries (fallbacks ignore it).
    var weight = 1
    /// Upstream model name; nil keeps the client's.
    var model: String?
    var location: ConfigLocation
}

/// A condition under which a failed try is retried (`retry.on`).
enum RetryCondition: Sendable, Equatable, Hashable, CustomStringConvertible {
    case connectError
    case firstByteTimeout
    /// One status code, e.g. 502.
    case status(Int)
    /// A status class: 5 for `5xx`, 4 for `4xx`.
    case statusClass(Int)

    /// The config spelling.
    var description: String {
        switch self {
        case .connectError: "connect_error"
        case .firstByteTimeout: "first_byte_timeout"
        case .status(let s): String(s)
        case .statusClass(let c): "\(c)xx"
        }
    }

    /// True when `status` is covered by this condition.
    func matches(status: Int) -> Bool {
        switch self {
        case .status(let s): s == status
        case .statusClass(let c): status / 100 == c
        default: false
        }
    }

    /// Parses `connect_error`, `first_byte_timeout`, `502`, `"502"`, `5xx`.
    static func parse(_ text: String) -> RetryCondition? {
        switch text {
        case "connect_error": return .connectError
        case "first_byte_timeout": return .firstByteTimeout
        default: break
        }
        let b = Array(text.utf8)
        if b.count == 3, b[1] == UInt8(ascii: "x"), b[2] == UInt8(ascii: "x"), b[0] >= UInt8(ascii: "1"), b[0] <= UInt8(ascii: "5") {
            return .statusClass(Int(b[0] - 48))
        }
        if b.count == 3, b.allSatisfy({ $0 >= 48 && $0 <= 57 }), let s = Int(text), (100...599).contains(s) { return .status(s) }
        return nil
    }
}

/// `retry`: how many tries over the primaries, and on which failures.
struct RetryPolicy: Sendable, Equatable {
    /// Total tries over the route's primary backends (1 = no retry).
    var attempts: Int
    var on: [RetryCondition]
}

/// One entry of `routes`: which models it serves and where they go.
struct RouteConfig: Sendable, Equatable {
    var name: String
    /// Exact model names or globs (`*`, `?`); the first matching route wins.
    var models: [String]
    var backends: [RouteTarget]
    var fallbacks: [RouteTarget] = []
    /// nil: one try, then fallbacks on a connect error only.
    var retry: RetryPolicy?
    var location: ConfigLocation

    static let keys = ["name", "models", "backends", "fallbacks", "retry"]

    /// Decodes one `routes` entry.
    static func decode(_ node: YAMLNode, index: Int, _ d: inout ConfigDecoder) -> RouteConfig? {
        let section = ConfigDecoder.sectionName("route", node: node, index: index, list: "routes")
        guard let f = d.fields(node, section: section, keys: keys) else { return nil }
        let name = d.string(f, "name", required: true, allowEmpty: false)
        let models = d.stringList(f, "models", required: true, nonEmpty: true) ?? []
        var route = RouteConfig(name: name ?? "", models: models, backends: [], location: ConfigLocation(node))
        if let items = d.list(f, "backends", required: true) {
            if items.isEmpty, let n = f["backends"] { d.report("'backends' in \(section) must not be empty", at: n) }
            route.backends = items.compactMap { decodeTarget($0, section: "backends of \(section)", weighted: true, &d) }
            if !route.backends.isEmpty, route.backends.allSatisfy({ $0.weight == 0 }), let n = f["backends"] {
                d.report("at least one backend of \(section) needs a weight above 0", at: n)
            }
        }
        if let items = d.list(f, "fallbacks") {
            route.fallbacks = items.compactMap { decodeTarget($0, section: "fallbacks of \(section)", weighted: false, &d) }
        }
        if let n = d.value(f, "retry") { route.retry = decodeRetry(n, section: "\(section) retry", &d) }
        return name == nil ? nil : route
    }

    private static func decodeTarget(_ node: YAMLNode, section: String, weighted: Bool, _ d: inout ConfigDecoder) -> RouteTarget? {
        let keys = weighted ? ["backend", "weight", "model"] : ["backend", "model"]
        guard let f = d.fields(node, section: section, keys: keys) else { return nil }
        guard let backend = d.string(f, "backend", required: true, allowEmpty: false) else { return nil }
        var target = RouteTarget(backend: backend, location: ConfigLocation(f["backend"] ?? node))
        if let w = d.int(f, "weight", range: 0...1_000_000) { target.weight = w }
        target.model = d.string(f, "model", allowEmpty: false)
        return target
    }

    private static func decodeRetry(_ node: YAMLNode, section: String, _ d: inout ConfigDecoder) -> RetryPolicy? {
        guard let f = d.fields(node, section: section, keys: ["attempts", "on"]) else { return nil }
        let attempts = d.int(f, "attempts", required: true, range: 1...10)
        var conditions: [RetryCondition] = [.connectError]
        if let items = d.list(f, "on") {
            conditions = []
            for item in items {
                guard let text = item.scalar?.text, item.scalar?.resolved != .null, let c = RetryCondition.parse(text) else {
                    d.report("each entry of 'on' in \(section) must be connect_error, first_byte_timeout, a status like 502 or a class like 5xx, found \(item.kindDescription)", at: item)
                    continue
                }
                if !conditions.contains(c) { conditions.append(c) }
            }
        }
        guard let attempts else { return nil }
        return RetryPolicy(attempts: attempts, on: conditions)
    }
}
