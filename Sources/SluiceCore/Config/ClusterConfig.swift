/// What global limits do when Redis is unreachable or slow (SPEC §10).
enum ClusterFailureMode: String, Sendable, Equatable, CaseIterable {
    case local
    case failOpen = "fail_open"
    case failClosed = "fail_closed"
}

/// `cluster.redis`: the shared store of global buckets (and shared cache entries).
struct RedisConfig: Sendable, Equatable, CustomStringConvertible {
    var address: SocketAddressConfig
    /// ACL user (Redis 6+); nil = default user.
    var username: String?
    /// A secret; never printed.
    var password: String?
    var database = 0
    var keyPrefix = "sluice:"
    var timeout: Duration = .milliseconds(50)
    /// Connections per event loop.
    var poolSize = 4
    var tls: BackendTLSConfig?

    /// Address and database, never the password.
    var description: String { "redis \(address) db=\(database) password=\(password == nil ? "none" : "<redacted>")" }
}

/// `cluster`: state shared between replicas.
struct ClusterConfig: Sendable, Equatable {
    var redis: RedisConfig
    var failureMode = ClusterFailureMode.local

    /// Decodes `cluster`; `redis` is required inside it.
    static func decode(_ node: YAMLNode, _ d: inout ConfigDecoder) -> ClusterConfig? {
        guard let f = d.fields(node, section: "cluster", keys: ["redis", "failure_mode"]) else { return nil }
        let mode = d.choice(f, "failure_mode", as: ClusterFailureMode.self)
        guard let rn = d.value(f, "redis", required: true) else { return nil }
        let keys = ["address", "username", "password", "database", "key_prefix", "timeout", "pool_size", "tls"]
        guard let r = d.fields(rn, section: "cluster.redis", keys: keys) else { return nil }
        guard let address = d.address(r, "address", required: true) else { return nil }
        var redis = RedisConfig(address: address)
        redis.username = d.string(r, "username").flatMap { $0.isEmpty ? nil : $0 }
        redis.password = d.string(r, "password").flatMap { $0.isEmpty ? nil : $0 }
        if let v = d.int(r, "database", range: 0...1_000_000) { redis.database = v }
        if let v = d.string(r, "key_prefix") { redis.keyPrefix = v }
        if let v = d.duration(r, "timeout") { redis.timeout = v }
        if let v = d.int(r, "pool_size", range: 1...1024) { redis.poolSize = v }
        if let t = d.value(r, "tls") { redis.tls = BackendConfig.decodeTLS(t, section: "cluster.redis tls", &d) }
        return ClusterConfig(redis: redis, failureMode: mode ?? .local)
    }
}
