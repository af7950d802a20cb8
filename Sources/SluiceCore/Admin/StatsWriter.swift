/// Renders `GET /stats` and `GET /backends` JSON.
enum StatsWriter {
    static func render(_ b: AdminBackend) -> String {
        let s = b.stats
        func total(_ read: (LoopStats) -> Int) -> String { String(s.sum(read)) }
        let uptime = Int(Double(SystemClock.monotonicNanos() &- b.state.startedAtNanos) / 1e9)
        let requests = total { $0.requests.load(ordering: .relaxed) }
        let s2 = total { $0.status2xx.load(ordering: .relaxed) }
        let s3 = total { $0.status3xx.load(ordering: .relaxed) }
        let s4 = total { $0.status4xx.load(ordering: .relaxed) }
        let s5 = total { $0.status5xx.load(ordering: .relaxed) }
        let cancelled = total { $0.clientCancelled.load(ordering: .relaxed) }
        let streams = total { $0.streams.load(ordering: .relaxed) }
        let input = total { $0.inputTokens.load(ordering: .relaxed) }
        let output = total { $0.outputTokens.load(ordering: .relaxed) }
        let attempts = total { $0.upstreamAttempts.load(ordering: .relaxed) }
        let failures = total { $0.upstreamFailures.load(ordering: .relaxed) }
        let reloadsOK = s.configReloadsOK.load(ordering: .relaxed)
        let reloadsFailed = s.configReloadsFailed.load(ordering: .relaxed)
        var o = "{"
        o += "\"uptime_seconds\":" + String(uptime) + ","
        o += "\"config_generation\":" + String(b.store.generation) + ","
        o += "\"draining\":" + (b.state.isDraining ? "true" : "false") + ","
        o += "\"connections\":{\"active\":" + String(b.state.dataConnections.current)
        o += ",\"read_buffer_bytes\":" + String(b.readBufferBytes) + "},"
        o += "\"in_flight\":" + String(b.state.inFlight.load(ordering: .relaxed)) + ","
        o += "\"requests\":{\"total\":" + requests + ",\"2xx\":" + s2 + ",\"3xx\":" + s3 + ",\"4xx\":" + s4
        o += ",\"5xx\":" + s5 + ",\"client_cancelled\":" + cancelled + ",\"streams\":" + streams + "},"
        o += "\"tokens\":{\"input\":" + input + ",\"output\":" + output + "},"
        o += "\"upstream\":{\"attempts\":" + attempts + ",\"failures\":" + failures + "},"
        o += "\"config_reloads\":{\"ok\":" + String(reloadsOK) + ",\"failed\":" + String(reloadsFailed) + "},"
        o += "\"access_log_dropped\":" + String(b.accessLog.dropped.load(ordering: .relaxed)) + ","
        o += "\"cache\":{"
        for (i, (name, c)) in b.caches().enumerated() {
            if i > 0 { o += "," }
            o += jsonString(name) + ":" + String(decoding: c.stats().json(), as: UTF8.self)
        }
        let snap = b.store.snapshot()
        o += "},\"limiter\":{\"local_limits\":" + String(snap.limiter?.rules.count ?? 0)
        o += ",\"local_buckets\":" + String(snap.limiter?.bucketCount ?? 0)
        o += ",\"global_limits\":" + String(snap.globalLimits?.rules.count ?? 0) + "},"
        o += "\"cluster\":" + clusterJSON(b.cluster) + "}"
        return o
    }

    /// The cluster store's state (SPEC §10), or `null` without one.
    static func clusterJSON(_ c: ClusterStore?) -> String {
        guard let c else { return "null" }
        var o = "{\"store\":" + jsonString(c.config.redis.address.description)
        o += ",\"up\":" + (c.isUp ? "true" : "false")
        o += ",\"replica_id\":" + jsonString(c.replicaID)
        o += ",\"replicas\":" + String(c.replicas)
        o += ",\"failure_mode\":" + jsonString(c.config.failureMode.rawValue)
        o += ",\"degraded_admissions\":" + String(c.degradedAdmissions.load(ordering: .relaxed))
        o += ",\"leases\":" + String(c.leaseCount) + ",\"leased_tokens\":" + String(c.leasedTokens)
        o += ",\"last_error\":" + (c.lastErrorText.map(jsonString) ?? "null") + "}"
        return o
    }

    private static func jsonString(_ s: String) -> String {
        var out: [UInt8] = []
        JSONWriter.appendString(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `GET /ratelimits`: buckets by use (top 100), keys named by config name or tenant.
    /// Global buckets live in Redis: they are listed with their scope and mode under `global_limits`,
    /// with the cluster state; the buckets here are this replica's.
    static func renderRateLimits(_ snap: RuntimeSnapshot, cluster: ClusterStore?, keyFilter: String?) -> [UInt8] {
        var out: [UInt8] = Array("{\"global_limits\":[".utf8)
        for (i, r) in (snap.globalLimits?.rules ?? []).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{\"name\":".utf8)
            JSONWriter.appendString(r.config.name, to: &out)
            out += Array(",\"mode\":\"\(r.config.mode.rawValue)\",\"unit\":\"\(r.config.unit.rawValue)\",\"capacity\":\(r.table.burst)}".utf8)
        }
        out += Array("],\"cluster\":".utf8)
        out += Array(clusterJSON(cluster).utf8)
        out += Array(",\"buckets\":[".utf8)
        for (i, b) in (snap.limiter?.snapshot(top: 100, keyFilter: keyFilter) ?? []).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{\"name\":".utf8)
            JSONWriter.appendString(b.name, to: &out)
            out += Array(",\"key\":".utf8)
            JSONWriter.appendString(b.key, to: &out)
            out += Array(",\"unit\":".utf8)
            JSONWriter.appendString(b.unit.rawValue, to: &out)
            out += Array(",\"capacity\":\(b.capacity),\"remaining\":\(b.remaining),\"reset_ms\":\(b.resetNanos / 1_000_000),\"shadow\":\(b.shadow)}".utf8)
        }
        out += Array("]}".utf8)
        return out
    }

    /// `GET /backends`: every endpoint with its health (`healthy`: passes its active checks;
    /// `ejected`: taken out by outlier detection; `available`: both fine, so balancers use it).
    static func renderBackends(_ endpoints: [UpstreamEndpoint], now: UInt64 = SystemClock.monotonicNanos()) -> String {
        var out: [UInt8] = Array("{\"endpoints\":[".utf8)
        for (i, ep) in endpoints.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{\"backend\":".utf8)
            JSONWriter.appendString(ep.backendName, to: &out)
            out += Array(",\"endpoint\":".utf8)
            JSONWriter.appendString(ep.url, to: &out)
            out += Array(",\"address\":".utf8)
            JSONWriter.appendString(ep.address?.description ?? "unresolved", to: &out)
            let ejected = ep.isEjected(now: now)
            out += Array(",\"healthy\":\(ep.isHealthy),\"ejected\":\(ejected),\"available\":\(ep.isAvailable(now: now))".utf8)
            if ejected {
                let left = (ep.availability.load(ordering: .relaxed) & ~UpstreamEndpoint.unhealthyBit) &- now
                out += Array(",\"ejected_for_ms\":\(left / 1_000_000)".utf8)
            }
            out += Array(",\"in_flight\":\(ep.inFlight.load(ordering: .relaxed))".utf8)
            out += Array(",\"open_connections\":\(ep.openConnections.load(ordering: .relaxed))".utf8)
            out += Array(",\"requests\":\(ep.requests.load(ordering: .relaxed))".utf8)
            out += Array(",\"failures\":\(ep.failures.load(ordering: .relaxed))".utf8)
            out += Array(",\"consecutive_failures\":\(ep.consecutiveFailures.load(ordering: .relaxed))".utf8)
            out += Array(",\"ejections\":\(ep.ejections.load(ordering: .relaxed))".utf8)
            out += Array(",\"last_error\":".utf8)
            if let e = ep.lastError { JSONWriter.appendString(e, to: &out) } else { out += Array("null".utf8) }
            out.append(UInt8(ascii: "}"))
        }
        out += Array("]}".utf8)
        return String(decoding: out, as: UTF8.self)
    }
}

/// Renders `GET /metrics` in the Prometheus text format 0.0.4 from merged loop metrics and
/// process-wide gauges.
enum MetricsWriter {
    /// Families recorded by the loops: name → (type, help). Every family is written, even empty.
    static let families: [(String, String, String)] = [
        ("requests_total", "counter", "Processed requests by route, backend, upstream model and status."),
        ("request_duration_seconds", "histogram", "Time from request head to last response byte."),
        ("upstream_first_byte_seconds", "histogram", "Time to the upstream's first response byte (first token for streams)."),
        ("tokens_total", "counter", "Tokens by route, model, tenant, type and source."),
        ("upstream_requests_total", "counter", "Upstream attempts by backend, endpoint and outcome."),
        ("ratelimit_decisions_total", "counter", "Rate-limit decisions by limit and decision."),
        ("cache_lookups_total", "counter", "Prompt-cache lookups by result."),
        ("guardrail_actions_total", "counter", "Guardrail detector actions."),
        ("processor_duration_seconds", "histogram", "Time spent in each pipeline processor."),
        ("processor_failures_total", "counter", "Processor failures by failure mode."),
        ("cluster_store_errors_total", "counter", "Shared-store (Redis) commands that failed, by operation."),
        ("cluster_store_latency_seconds", "histogram", "Shared-store (Redis) round trips, by operation."),
    ]

    static func render(_ b: AdminBackend, _ snap: MetricsSnapshot) -> String {
        let s = b.stats
        var o = ""
        o.reserveCapacity(16 * 1024)
        func header(_ name: String, _ type: String, _ help: String) {
            o += "# HELP sluice_" + name + " " + help + "\n# TYPE sluice_" + name + " " + type + "\n"
        }
        let counterKeys = snap.counters.keys.sorted { ($0.name, $0.labels) < ($1.name, $1.labels) }
        let histKeys = snap.histograms.keys.sorted { ($0.name, $0.labels) < ($1.name, $1.labels) }
        for (name, type, help) in families {
            header(name, type, help)
            if type == "counter" {
                for k in counterKeys where k.name == name {
                    o += "sluice_" + name + "{" + k.labels + "} " + number(snap.counters[k] ?? 0) + "\n"
                }
            } else {
                for k in histKeys where k.name == name {
                    guard let h = snap.histograms[k] else { continue }
                    var cumulative = 0
                    let sep = k.labels.isEmpty ? "" : ","
                    for (i, bound) in Histogram.secondsBounds.enumerated() {
                        cumulative += h.counts[i]
                        o += "sluice_" + name + "_bucket{" + k.labels + sep + "le=\"" + number(bound) + "\"} " + String(cumulative) + "\n"
                    }
                    o += "sluice_" + name + "_bucket{" + k.labels + sep + "le=\"+Inf\"} " + String(h.count) + "\n"
                    o += "sluice_" + name + "_sum{" + k.labels + "} " + number(h.sum) + "\n"
                    o += "sluice_" + name + "_count{" + k.labels + "} " + String(h.count) + "\n"
                }
            }
        }
        header("backend_endpoint_healthy", "gauge", "1 when the endpoint passes its health checks and is not ejected.")
        let now = SystemClock.monotonicNanos()
        for ep in b.endpoints() {
            o += "sluice_backend_endpoint_healthy{backend=\"" + escape(ep.backendName) + "\",endpoint=\"" + escape(ep.label) + "\"} "
                + (ep.isAvailable(now: now) ? "1" : "0") + "\n"
        }
        if let c = b.cluster {
            header("cluster_store_up", "gauge", "1 while the shared store (Redis) answers.")
            o += "sluice_cluster_store_up " + (c.isUp ? "1" : "0") + "\n"
            header("cluster_replicas", "gauge", "Replicas seen through the store's heartbeats.")
            o += "sluice_cluster_replicas " + String(c.replicas) + "\n"
        }
        header("connections_active", "gauge", "Open data-plane client connections.")
        o += "sluice_connections_active " + String(b.state.dataConnections.current) + "\n"
        header("config_generation", "gauge", "Generation of the loaded configuration.")
        o += "sluice_config_generation " + String(b.store.generation) + "\n"
        header("config_reloads_total", "counter", "Configuration reloads by result.")
        o += "sluice_config_reloads_total{result=\"success\"} " + String(s.configReloadsOK.load(ordering: .relaxed)) + "\n"
        o += "sluice_config_reloads_total{result=\"failure\"} " + String(s.configReloadsFailed.load(ordering: .relaxed)) + "\n"
        return o
    }

    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        return String(v)
    }

    static func escape(_ s: String) -> String {
        var r = ""
        for c in s {
            switch c {
            case "\\": r += "\\\\"
            case "\"": r += "\\\""
            case "\n": r += "\\n"
            default: r.append(c)
            }
        }
        return r
    }
}
