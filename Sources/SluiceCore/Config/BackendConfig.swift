/// How a backend spreads requests over its endpoints.
enum LoadBalancing: String, Sendable, Equatable, CaseIterable {
    case leastRequest = "least_request"
    case roundRobin = "round_robin"
    case prefixAffinity = "prefix_affinity"
}

/// Upstream timeouts of one backend.
struct BackendTimeouts: Sendable, Equatable {
    var connect: Duration = .seconds(2)
    var firstByte: Duration = .seconds(60)
    var idle: Duration = .seconds(30)
    var total: Duration = .seconds(600)
}

/// Active health checking (only when `health_check` is present).
struct HealthCheckConfig: Sendable, Equatable {
    var path = "/health"
    var interval: Duration = .seconds(5)
    var timeout: Duration = .seconds(1)
    var unhealthyAfter = 3
    var healthyAfter = 2
}

/// Passive outlier ejection (only when `outlier` is present).
struct OutlierConfig: Sendable, Equatable {
    var consecutiveFailures = 5
    var ejection: Duration = .seconds(30)
}

/// Client-side TLS for `https://` backends (and Redis). Empty strings in the file mean "not set".
struct BackendTLSConfig: Sendable, Equatable {
    var verify = true
    var caFile: String?
    /// Server name to send; default: the endpoint host.
    var sni: String?
    var clientCertFile: String?
    var clientKeyFile: String?
}

/// Headers injected into every upstream request of a backend; values are secrets.
struct BackendCredentials: Sendable, Equatable {
    var headers: [ConfigHeaderField] = []
}

/// One entry of `backends`.
struct BackendConfig: Sendable, Equatable {
    var name: String
    var endpoints: [EndpointURL]
    var loadBalancing = LoadBalancing.leastRequest
    /// Per endpoint, for the whole process.
    var maxConnections = 256
    /// How long a request may wait for a connection slot.
    var queueTimeout: Duration = .seconds(1)
    var timeouts = BackendTimeouts()
    var healthCheck: HealthCheckConfig?
    var outlier: OutlierConfig?
    var tls: BackendTLSConfig?
    var credentials: BackendCredentials?
    var location: ConfigLocation

    /// True when the endpoints are `https://`.
    var usesTLS: Bool { endpoints.first?.usesTLS ?? false }
}

extension BackendConfig {
    static let keys = ["name", "endpoints", "load_balancing", "max_connections", "queue_timeout", "timeouts",
                       "health_check", "outlier", "tls", "credentials"]

    /// Decodes one `backends` entry.
    static func decode(_ node: YAMLNode, index: Int, _ d: inout ConfigDecoder) -> BackendConfig? {
        decodeFields(node, section: ConfigDecoder.sectionName("backend", node: node, index: index, list: "backends"), index: index, &d)
    }

    private static func decodeFields(_ node: YAMLNode, section: String, index: Int, _ d: inout ConfigDecoder) -> BackendConfig? {
        guard let f = d.fields(node, section: section, keys: keys) else { return nil }
        let name = d.string(f, "name", required: true, allowEmpty: false)
        var endpoints: [EndpointURL] = []
        if let items = d.list(f, "endpoints", required: true) {
            if items.isEmpty, let n = f["endpoints"] { d.report("'endpoints' in \(section) must not be empty", at: n) }
            for item in items {
                if let url = d.endpointValue(item, what: "endpoint of \(section)") { endpoints.append(url) }
            }
        }
        if Set(endpoints.map(\.scheme)).count > 1, let n = f["endpoints"] {
            d.report("endpoints of \(section) mix http:// and https://; use one scheme per backend", at: n)
        }
        var c = BackendConfig(name: name ?? "", endpoints: endpoints, location: ConfigLocation(node))
        if let v = d.choice(f, "load_balancing", as: LoadBalancing.self) { c.loadBalancing = v }
        if let v = d.int(f, "max_connections", range: 1...1_000_000) { c.maxConnections = v }
        if let v = d.duration(f, "queue_timeout", allowZero: true) { c.queueTimeout = v }
        if let n = d.value(f, "timeouts"), let t = d.fields(n, section: "\(section) timeouts", keys: ["connect", "first_byte", "idle", "total"]) {
            if let v = d.duration(t, "connect") { c.timeouts.connect = v }
            if let v = d.duration(t, "first_byte") { c.timeouts.firstByte = v }
            if let v = d.duration(t, "idle") { c.timeouts.idle = v }
            if let v = d.duration(t, "total") { c.timeouts.total = v }
        }
        if let n = d.value(f, "health_check") { c.healthCheck = decodeHealthCheck(n, section: section, &d) }
        if let n = d.value(f, "outlier"), let o = d.fields(n, section: "\(section) outlier", keys: ["consecutive_failures", "ejection"]) {
            var outlier = OutlierConfig()
            if let v = d.int(o, "consecutive_failures", range: 1...1_000_000) { outlier.consecutiveFailures = v }
            if let v = d.duration(o, "ejection") { outlier.ejection = v }
            c.outlier = outlier
        }
        if let n = d.value(f, "tls") {
            c.tls = decodeTLS(n, section: "\(section) tls", &d)
            if endpoints.contains(where: { !$0.usesTLS }) {
                d.report("\(section) has 'tls' but an http:// endpoint; use https:// endpoints or remove 'tls'", at: n)
            }
        }
        if let n = d.value(f, "credentials"), let cf = d.fields(n, section: "\(section) credentials", keys: ["headers"]) {
            c.credentials = BackendCredentials(headers: d.headerMap(cf, "headers") ?? [])
        }
        return name == nil ? nil : c
    }

    private static func decodeHealthCheck(_ node: YAMLNode, section: String, _ d: inout ConfigDecoder) -> HealthCheckConfig? {
        let keys = ["path", "interval", "timeout", "unhealthy_after", "healthy_after"]
        guard let h = d.fields(node, section: "\(section) health_check", keys: keys) else { return nil }
        var hc = HealthCheckConfig()
        if let n = d.value(h, "path"), let v = d.stringValue(n, what: "'path' in \(section) health_check", allowEmpty: false) {
            if v.hasPrefix("/") { hc.path = v } else { d.report("'path' in \(section) health_check must start with '/'", at: n) }
        }
        if let v = d.duration(h, "interval") { hc.interval = v }
        if let v = d.duration(h, "timeout") { hc.timeout = v }
        if let v = d.int(h, "unhealthy_after", range: 1...1000) { hc.unhealthyAfter = v }
        if let v = d.int(h, "healthy_after", range: 1...1000) { hc.healthyAfter = v }
        return hc
    }

    /// Decodes a client TLS block (`verify`, `ca_file`, `sni`, `client_cert_file`, `client_key_file`)
    /// and checks that every named file can be read.
    static func decodeTLS(_ node: YAMLNode, section: String, _ d: inout ConfigDecoder) -> BackendTLSConfig? {
        let keys = ["verify", "ca_file", "sni", "client_cert_file", "client_key_file"]
        guard let t = d.fields(node, section: section, keys: keys) else { return nil }
        var tls = BackendTLSConfig()
        if let v = d.bool(t, "verify") { tls.verify = v }
        func file(_ key: String, _ what: String, _ d: inout ConfigDecoder) -> String? {
            guard let n = d.value(t, key), let path = d.stringValue(n, what: "'\(key)' in \(section)"), !path.isEmpty else { return nil }
            d.checkReadable(path, what: what, at: n)
            return path
        }
        tls.caFile = file("ca_file", "CA file", &d)
        tls.clientCertFile = file("client_cert_file", "client certificate file", &d)
        tls.clientKeyFile = file("client_key_file", "client key file", &d)
        if let s = d.string(t, "sni"), !s.isEmpty { tls.sni = s }
        if (tls.clientCertFile == nil) != (tls.clientKeyFile == nil) {
            d.report("\(section): 'client_cert_file' and 'client_key_file' go together", at: node)
        }
        return tls
    }
}
