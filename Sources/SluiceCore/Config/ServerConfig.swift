/// `server`: process-wide connection limits and timeouts (SPEC §2, §8, §11).
struct ServerConfig: Sendable, Equatable {
    /// Event-loop threads; 0 = one per CPU.
    var workers = 0
    var maxConnections = 10_000
    var maxHeaderBytes = 32 * 1024
    var maxBodyBytes = 2 * 1024 * 1024
    var headerTimeout: Duration = .seconds(10)
    var idleTimeout: Duration = .seconds(60)
    var drainTimeout: Duration = .seconds(30)
    var drainDelay: Duration = .zero
    /// Peers whose `x-forwarded-for` is believed for `client_ip`.
    var trustedProxies: [CIDRConfig] = []

    static let keys = ["workers", "max_connections", "max_header_bytes", "max_body_bytes", "header_timeout",
                       "idle_timeout", "drain_timeout", "drain_delay", "trusted_proxies"]

    /// Decodes `server` (absent: defaults).
    static func decode(_ node: YAMLNode?, root: YAMLNode, _ d: inout ConfigDecoder) -> ServerConfig {
        var c = ServerConfig()
        guard let f = d.optionalFields(node, section: "server", keys: keys, at: root) else { return c }
        if let v = d.int(f, "workers", range: 0...1024) { c.workers = v }
        if let v = d.int(f, "max_connections", range: 1...10_000_000) { c.maxConnections = v }
        if let v = d.size(f, "max_header_bytes") { c.maxHeaderBytes = v }
        if let v = d.size(f, "max_body_bytes") { c.maxBodyBytes = v }
        if let v = d.duration(f, "header_timeout") { c.headerTimeout = v }
        if let v = d.duration(f, "idle_timeout") { c.idleTimeout = v }
        if let v = d.duration(f, "drain_timeout", allowZero: true) { c.drainTimeout = v }
        if let v = d.duration(f, "drain_delay", allowZero: true) { c.drainDelay = v }
        if let items = d.list(f, "trusted_proxies") {
            for item in items {
                guard let text = d.stringValue(item, what: "each entry of 'trusted_proxies'", allowEmpty: false) else { continue }
                if let cidr = CIDRConfig.parse(text) {
                    c.trustedProxies.append(cidr)
                } else {
                    d.report("'\(text)' in trusted_proxies is not an IP address or CIDR (e.g. 10.0.0.0/8)", at: item)
                }
            }
        }
        return c
    }
}

/// `logging.level` values.
enum ConfigLogLevel: String, Sendable, Equatable, CaseIterable {
    case error, warn, info, debug
}

/// Where access-log lines go.
enum AccessLogTarget: Sendable, Equatable, CustomStringConvertible {
    case stdout
    case off
    case file(String)

    /// The config spelling.
    var description: String {
        switch self {
        case .stdout: "stdout"
        case .off: "off"
        case .file(let path): path
        }
    }
}

/// `logging`: diagnostic level and access-log destination.
struct LoggingConfig: Sendable, Equatable {
    var level = ConfigLogLevel.info
    var accessLog = AccessLogTarget.stdout

    /// Decodes `logging` (absent: defaults).
    static func decode(_ node: YAMLNode?, root: YAMLNode, _ d: inout ConfigDecoder) -> LoggingConfig {
        var c = LoggingConfig()
        guard let f = d.optionalFields(node, section: "logging", keys: ["level", "access_log"], at: root) else { return c }
        if let v = d.choice(f, "level", as: ConfigLogLevel.self) { c.level = v }
        if let v = d.string(f, "access_log", allowEmpty: false) {
            switch v {
            case "stdout": c.accessLog = .stdout
            case "off": c.accessLog = .off
            default:
                if v.contains("/") {
                    c.accessLog = .file(v)
                } else if let n = f["access_log"] {
                    let hint = ConfigKeySuggester.hint(for: v, among: ["stdout", "off"])
                    d.report("'access_log' in logging must be stdout, off or a file path containing '/', found '\(v)'\(hint)", at: n)
                }
            }
        }
        return c
    }
}
