extension GatewayConfig {
    /// One-screen summary printed by `sluice --check`: listeners, routes (models → backends,
    /// fallbacks), backends (endpoints, balancing), pipeline order, limits. No secrets.
    func summary() -> String {
        var lines: [String] = []
        let tls = listen.tls == nil ? "" : " (tls)"
        lines.append("listeners: data \(listen.address)\(tls), admin \(admin.address)\(admin.token == nil ? "" : " (token)")")
        lines.append("server: workers \(server.workers == 0 ? "auto" : String(server.workers)), max_connections \(server.maxConnections), auth \(auth.mode.rawValue)\(auth.keys.isEmpty ? "" : " (\(auth.keys.count) keys)")")
        lines.append("routes (\(routes.count)):")
        for r in routes {
            let primaries = r.backends.map { t in
                var s = t.backend
                if r.backends.count > 1 { s += " w=\(t.weight)" }
                if let m = t.model { s += " as \(m)" }
                return s
            }.joined(separator: ", ")
            var line = "  \(r.name): [\(r.models.joined(separator: ", "))] -> \(primaries)"
            if !r.fallbacks.isEmpty {
                line += "; fallbacks " + r.fallbacks.map { $0.backend + ($0.model.map { " as \($0)" } ?? "") }.joined(separator: ", ")
            }
            if let retry = r.retry { line += "; retry \(retry.attempts)x on \(retry.on.map(\.description).joined(separator: ","))" }
            lines.append(line)
        }
        lines.append("backends (\(backends.count)):")
        for b in backends {
            var line = "  \(b.name): \(b.endpoints.map(\.description).joined(separator: ", ")) [\(b.loadBalancing.rawValue), max \(b.maxConnections)/endpoint]"
            if b.healthCheck != nil { line += " health" }
            if b.credentials != nil { line += " credentials" }
            lines.append(line)
        }
        lines.append("pipeline: " + pipeline.map { "\($0.name) (\($0.kind.typeName))" }.joined(separator: " -> "))
        if rateLimits.isEmpty {
            lines.append("rate limits: none")
        } else {
            lines.append("rate limits (\(rateLimits.count)):")
            for l in rateLimits {
                let key = l.key.isEmpty ? "global" : l.key.map(\.description).joined(separator: "+")
                let what = l.unit == .tokens ? "\(l.count.rawValue) tokens" : "requests"
                var line = "  \(l.name): \(l.limit) \(what) per \(ConfigUnits.format(l.window)) by \(key), burst \(l.burst)"
                if l.scope == .global { line += ", global (\(l.mode.rawValue))" }
                if l.shadow { line += ", shadow" }
                lines.append(line)
            }
        }
        if let cluster { lines.append("cluster: redis \(cluster.redis.address), failure_mode \(cluster.failureMode.rawValue)") }
        lines.append(contentsOf: warnings)
        return lines.joined(separator: "\n")
    }
}
