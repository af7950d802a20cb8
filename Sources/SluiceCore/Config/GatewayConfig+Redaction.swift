extension GatewayConfig {
    /// Effective config as JSON (stable key order: the schema's), every secret replaced by
    /// `"<redacted>"`: any value that came from `${VAR}`, credential and webhook header values,
    /// API key values and hashes, the admin token, the Redis password. Adds top-level
    /// `generation` and `sha256` (given by the caller).
    func redactedJSON(generation: Int, sha256: String) -> String {
        var w = ConfigJSONWriter(secretPaths: secretPaths)
        w.object { w in
            w.field("generation") { $0.int(generation) }
            w.field("sha256") { $0.string(sha256) }
            w.field("version") { $0.int(version) }
            w.field("listen") { w in
                w.object { w in
                    w.field("address") { $0.string(listen.address.description) }
                    if let tls = listen.tls {
                        w.field("tls") { w in w.object { w in
                            w.field("cert_file") { $0.string(tls.certFile) }
                            w.field("key_file") { $0.string(tls.keyFile) }
                        } }
                    }
                }
            }
            w.field("admin") { w in
                w.object { w in
                    w.field("address") { $0.string(admin.address.description) }
                    w.field("token") { $0.optionalString(admin.token, secret: true) }
                }
            }
            w.field("server") { Self.writeServer(server, &$0) }
            w.field("logging") { w in
                w.object { w in
                    w.field("level") { $0.string(logging.level.rawValue) }
                    w.field("access_log") { $0.string(logging.accessLog.description) }
                }
            }
            w.field("auth") { Self.writeAuth(auth, &$0) }
            w.field("backends") { $0.array(backends) { Self.writeBackend($1, &$0) } }
            w.field("routes") { $0.array(routes) { Self.writeRoute($1, &$0) } }
            w.field("pipeline") { $0.array(pipeline) { Self.writeProcessor($1, &$0) } }
            w.field("rate_limits") { $0.array(rateLimits) { Self.writeRateLimit($1, &$0) } }
            w.field("token_estimation") { w in
                w.object { w in
                    w.field("bytes_per_token") { $0.int(tokenEstimation.bytesPerToken) }
                    w.field("default_output_tokens") { $0.int(tokenEstimation.defaultOutputTokens) }
                    w.field("max_output_reservation") { $0.int(tokenEstimation.maxOutputReservation) }
                }
            }
            if let cluster { w.field("cluster") { Self.writeCluster(cluster, &$0) } }
        }
        return w.text
    }

    private static func writeServer(_ s: ServerConfig, _ w: inout ConfigJSONWriter) {
        w.object { w in
            w.field("workers") { $0.int(s.workers) }
            w.field("max_connections") { $0.int(s.maxConnections) }
            w.field("max_header_bytes") { $0.int(s.maxHeaderBytes) }
            w.field("max_body_bytes") { $0.int(s.maxBodyBytes) }
            w.field("header_timeout") { $0.duration(s.headerTimeout) }
            w.field("idle_timeout") { $0.duration(s.idleTimeout) }
            w.field("drain_timeout") { $0.duration(s.drainTimeout) }
            w.field("drain_delay") { $0.duration(s.drainDelay) }
            w.field("trusted_proxies") { $0.strings(s.trustedProxies.map(\.description)) }
        }
    }

    private static func writeAuth(_ a: AuthConfig, _ w: inout ConfigJSONWriter) {
        w.object { w in
            w.field("mode") { $0.string(a.mode.rawValue) }
            w.field("tenant_header") { $0.string(a.tenantHeader) }
            w.field("keys") { w in
                w.array(a.keys) { w, k in
                    w.object { w in
                        w.field("name") { $0.string(k.name) }
                        w.field("tenant") { $0.string(k.tenant) }
                        if k.sha256 != nil { w.field("sha256") { $0.string("", secret: true) } }
                        if k.value != nil { w.field("value") { $0.string("", secret: true) } }
                        w.field("models") { $0.strings(k.models) }
                    }
                }
            }
        }
    }

    private static func writeBackend(_ b: BackendConfig, _ w: inout ConfigJSONWriter) {
        w.object { w in
            w.field("name") { $0.string(b.name) }
            w.field("endpoints") { $0.strings(b.endpoints.map(\.description)) }
            w.field("load_balancing") { $0.string(b.loadBalancing.rawValue) }
            w.field("max_connections") { $0.int(b.maxConnections) }
            w.field("queue_timeout") { $0.duration(b.queueTimeout) }
            w.field("timeouts") { w in
                w.object { w in
                    w.field("connect") { $0.duration(b.timeouts.connect) }
                    w.field("first_byte") { $0.duration(b.timeouts.firstByte) }
                    w.field("idle") { $0.duration(b.timeouts.idle) }
                    w.field("total") { $0.duration(b.timeouts.total) }
                }
            }
            if let h = b.healthCheck {
                w.field("health_check") { w in
                    w.object { w in
                        w.field("path") { $0.string(h.path) }
                        w.field("interval") { $0.duration(h.interval) }
                        w.field("timeout") { $0.duration(h.timeout) }
                        w.field("unhealthy_after") { $0.int(h.unhealthyAfter) }
                        w.field("healthy_after") { $0.int(h.healthyAfter) }
                    }
                }
            }
            if let o = b.outlier {
                w.field("outlier") { w in
                    w.object { w in
                        w.field("consecutive_failures") { $0.int(o.consecutiveFailures) }
                        w.field("ejection") { $0.duration(o.ejection) }
                    }
                }
            }
            if let tls = b.tls { w.field("tls") { writeTLS(tls, &$0) } }
            if let creds = b.credentials {
                w.field("credentials") { w in
                    w.object { w in w.field("headers") { writeHeaders(creds.headers, secret: true, &$0) } }
                }
            }
        }
    }

    static func writeTLS(_ tls: BackendTLSConfig, _ w: inout ConfigJSONWriter) {
        w.object { w in
            w.field("verify") { $0.bool(tls.verify) }
            w.field("ca_file") { $0.optionalString(tls.caFile) }
            w.field("sni") { $0.optionalString(tls.sni) }
            w.field("client_cert_file") { $0.optionalString(tls.clientCertFile) }
            w.field("client_key_file") { $0.optionalString(tls.clientKeyFile) }
        }
    }

    static func writeHeaders(_ headers: [ConfigHeaderField], secret: Bool, _ w: inout ConfigJSONWriter) {
        w.object { w in
            for h in headers { w.field(h.name) { $0.string(h.value, secret: secret) } }
        }
    }

    private static func writeRoute(_ r: RouteConfig, _ w: inout ConfigJSONWriter) {
        func target(_ t: RouteTarget, weighted: Bool, _ w: inout ConfigJSONWriter) {
            w.object { w in
                w.field("backend") { $0.string(t.backend) }
                if weighted { w.field("weight") { $0.int(t.weight) } }
                w.field("model") { $0.optionalString(t.model) }
            }
        }
        w.object { w in
            w.field("name") { $0.string(r.name) }
            w.field("models") { $0.strings(r.models) }
            w.field("backends") { $0.array(r.backends) { target($1, weighted: true, &$0) } }
            w.field("fallbacks") { $0.array(r.fallbacks) { target($1, weighted: false, &$0) } }
            if let retry = r.retry {
                w.field("retry") { w in
                    w.object { w in
                        w.field("attempts") { $0.int(retry.attempts) }
                        w.field("on") { $0.strings(retry.on.map(\.description)) }
                    }
                }
            } else {
                w.field("retry") { $0.null() }
            }
        }
    }
}
