/// `prompt_cache` processor settings (SPEC §4, §10).
struct PromptCacheConfig: Sendable, Equatable {
    var ttl: Duration = .seconds(600)
    /// LRU capacity over all entries.
    var maxBytes = 256 * 1024 * 1024
    var maxEntryBytes = 1024 * 1024
    /// Chat/completions cached only at `temperature: 0`; embeddings always.
    var deterministicOnly = true
    /// Identical concurrent misses share one upstream call.
    var coalesce = true
    /// Entries also stored in Redis (needs `cluster.redis`).
    var shared = false

    static let keys = ["ttl", "max_bytes", "max_entry_bytes", "deterministic_only", "coalesce", "shared"]

    /// Decodes the cache-specific fields of a processor entry.
    static func decode(_ f: ConfigFields, _ d: inout ConfigDecoder) -> PromptCacheConfig? {
        var c = PromptCacheConfig()
        if let v = d.duration(f, "ttl") { c.ttl = v }
        if let v = d.size(f, "max_bytes") { c.maxBytes = v }
        if let v = d.size(f, "max_entry_bytes") { c.maxEntryBytes = v }
        if let v = d.bool(f, "deterministic_only") { c.deterministicOnly = v }
        if let v = d.bool(f, "coalesce") { c.coalesce = v }
        if let v = d.bool(f, "shared") { c.shared = v }
        if c.maxEntryBytes > c.maxBytes {
            d.report("'max_entry_bytes' in \(f.section) must not exceed 'max_bytes'", at: f["max_entry_bytes"] ?? f.node)
        }
        return c
    }
}

/// `webhook` processor settings; the call's time budget is the processor `timeout` (default 200ms).
struct WebhookConfig: Sendable, Equatable {
    /// Full URL the gateway POSTs to (its path is `url.path`).
    var url: EndpointURL
    var on: [ProcessorPhase] = [.request]
    /// Extra headers on the call (e.g. its own credentials); values are secrets.
    var headers: [ConfigHeaderField] = []
    /// Client TLS for an `https://` URL.
    var tls: BackendTLSConfig?

    static let keys = ["url", "on", "headers", "tls"]

    /// Decodes the webhook-specific fields of a processor entry.
    static func decode(_ f: ConfigFields, _ d: inout ConfigDecoder) -> WebhookConfig? {
        guard let n = d.value(f, "url", required: true), let url = d.endpointValue(n, what: "'url' in \(f.section)") else { return nil }
        var c = WebhookConfig(url: url)
        if let p = d.phases(f, "on") { c.on = p }
        if let h = d.headerMap(f, "headers") { c.headers = h }
        if let t = d.value(f, "tls") {
            c.tls = BackendConfig.decodeTLS(t, section: "\(f.section) tls", &d)
            if !url.usesTLS { d.report("\(f.section) has 'tls' but an http:// url", at: t) }
        }
        return c
    }
}
