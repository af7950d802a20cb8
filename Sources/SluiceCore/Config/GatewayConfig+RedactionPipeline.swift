extension GatewayConfig {
    static func writeProcessor(_ p: ProcessorConfig, _ w: inout ConfigJSONWriter) {
        w.object { w in
            w.field("name") { $0.string(p.name) }
            w.field("type") { $0.string(p.kind.typeName) }
            w.field("failure_mode") { $0.string(p.failureMode.rawValue) }
            w.field("timeout") { w in if let t = p.timeout { w.duration(t) } else { w.null() } }
            switch p.kind {
            case .modelRouter: break
            case .guardrail(let g):
                w.field("on") { $0.strings(g.on.map(\.rawValue)) }
                w.field("status") { $0.int(g.status) }
                w.field("stream_holdback") { $0.int(g.streamHoldback) }
                w.field("detectors") { $0.array(g.detectors) { writeDetector($1, &$0) } }
            case .promptCache(let c):
                w.field("ttl") { $0.duration(c.ttl) }
                w.field("max_bytes") { $0.int(c.maxBytes) }
                w.field("max_entry_bytes") { $0.int(c.maxEntryBytes) }
                w.field("deterministic_only") { $0.bool(c.deterministicOnly) }
                w.field("coalesce") { $0.bool(c.coalesce) }
                w.field("shared") { $0.bool(c.shared) }
            case .webhook(let h):
                w.field("url") { $0.string(h.url.description) }
                w.field("on") { $0.strings(h.on.map(\.rawValue)) }
                w.field("headers") { writeHeaders(h.headers, secret: true, &$0) }
                if let tls = h.tls { w.field("tls") { writeTLS(tls, &$0) } }
            case .transform(let t):
                if let r = t.request { w.field("request") { writeRules(r, &$0) } }
                if let r = t.response { w.field("response") { writeRules(r, &$0) } }
            }
        }
    }

    private static func writeDetector(_ d: DetectorConfig, _ w: inout ConfigJSONWriter) {
        w.object { w in
            w.field("type") { $0.string(d.kind.typeName) }
            w.field("action") { $0.string(d.action.rawValue) }
            switch d.kind {
            case .pii(let kinds): w.field("kinds") { $0.strings(kinds.map(\.rawValue)) }
            case .regex(let pattern, let category):
                w.field("pattern") { $0.string(pattern) }
                w.field("category") { $0.optionalString(category) }
            case .keywords(let words): w.field("words") { $0.strings(words) }
            case .secrets, .promptInjection: break
            }
        }
    }

    private static func writeRules(_ r: TransformRules, _ w: inout ConfigJSONWriter) {
        w.object { w in
            w.field("set_headers") { writeHeaders(r.setHeaders, secret: false, &$0) }
            w.field("remove_headers") { $0.strings(r.removeHeaders) }
            w.field("set_body_fields") { w in
                w.object { w in for a in r.setBodyFields { w.field(a.pointer) { $0.value(a.value) } } }
            }
            w.field("remove_body_fields") { $0.strings(r.removeBodyFields) }
        }
    }

    static func writeRateLimit(_ l: RateLimitConfig, _ w: inout ConfigJSONWriter) {
        w.object { w in
            w.field("name") { $0.string(l.name) }
            w.field("key") { $0.strings(l.key.map(\.description)) }
            w.field("unit") { $0.string(l.unit.rawValue) }
            if l.unit == .tokens { w.field("count") { $0.string(l.count.rawValue) } }
            w.field("limit") { $0.int(l.limit) }
            w.field("window") { $0.duration(l.window) }
            w.field("burst") { $0.int(l.burst) }
            if let m = l.match {
                w.field("match") { w in
                    w.object { w in
                        w.field("models") { $0.strings(m.models) }
                        w.field("routes") { $0.strings(m.routes) }
                        w.field("tenants") { $0.strings(m.tenants) }
                    }
                }
            }
            w.field("shadow") { $0.bool(l.shadow) }
            w.field("scope") { $0.string(l.scope.rawValue) }
            if l.scope == .global {
                w.field("mode") { $0.string(l.mode.rawValue) }
                w.field("lease_fraction") { $0.double(l.leaseFraction) }
                w.field("lease_ttl") { $0.duration(l.leaseTTL) }
            }
            w.field("max_keys") { $0.int(l.maxKeys) }
        }
    }

    static func writeCluster(_ c: ClusterConfig, _ w: inout ConfigJSONWriter) {
        w.object { w in
            w.field("redis") { w in
                w.object { w in
                    w.field("address") { $0.string(c.redis.address.description) }
                    w.field("username") { $0.optionalString(c.redis.username) }
                    w.field("password") { $0.optionalString(c.redis.password, secret: true) }
                    w.field("database") { $0.int(c.redis.database) }
                    w.field("key_prefix") { $0.string(c.redis.keyPrefix) }
                    w.field("timeout") { $0.duration(c.redis.timeout) }
                    w.field("pool_size") { $0.int(c.redis.poolSize) }
                    if let tls = c.redis.tls { w.field("tls") { writeTLS(tls, &$0) } }
                }
            }
            w.field("failure_mode") { $0.string(c.failureMode.rawValue) }
        }
    }
}
