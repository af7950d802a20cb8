/// `auth.mode` values.
enum AuthMode: String, Sendable, Equatable, CaseIterable {
    case none
    case apiKey = "api_key"
}

/// `auth`: client authentication. With `none` the tenant comes from `tenantHeader` (trusted
/// networks); with `api_key` from the matching key.
struct AuthConfig: Sendable, Equatable {
    var mode = AuthMode.none
    /// Lower-cased header name.
    var tenantHeader = "x-tenant-id"
    var keys: [APIKeyConfig] = []

    static let fieldKeys = ["mode", "tenant_header", "keys"]

    /// Decodes `auth` (absent: mode none).
    static func decode(_ node: YAMLNode?, root: YAMLNode, _ d: inout ConfigDecoder) -> AuthConfig {
        var c = AuthConfig()
        guard let f = d.optionalFields(node, section: "auth", keys: fieldKeys, at: root) else { return c }
        if let v = d.choice(f, "mode", as: AuthMode.self) { c.mode = v }
        if let n = d.value(f, "tenant_header"), let h = d.headerName(n, what: "'tenant_header' in auth") {
            c.tenantHeader = h.lowercased()
        }
        for (i, item) in (d.list(f, "keys") ?? []).enumerated() {
            if let key = APIKeyConfig.decode(item, index: i, &d) { c.keys.append(key) }
        }
        if c.mode == .apiKey, c.keys.isEmpty, f["keys"]?.sequenceItems?.isEmpty ?? true {
            d.report("auth.mode api_key needs at least one entry in auth.keys", at: f["mode"] ?? f.node)
        }
        return c
    }
}

/// One API key: either its SHA-256 (preferred: the file then holds no secret) or its value.
/// `description` never shows either.
struct APIKeyConfig: Sendable, Equatable, CustomStringConvertible {
    /// Config name, used in logs, metrics and 429 messages instead of the key.
    var name: String
    /// Tenant the key belongs to (default: the name).
    var tenant: String
    /// 32-byte digest of the key, when given as `sha256`.
    var sha256: [UInt8]?
    /// The key itself, when given as `value` (usually `${ENV}`).
    var value: String?
    /// Model allow-list (exact names or globs); empty = every model.
    var models: [String]
    var location: ConfigLocation

    /// Name and tenant only.
    var description: String { "api key '\(name)' (tenant \(tenant))" }

    /// Decodes one `auth.keys` entry; exactly one of `sha256` and `value`.
    static func decode(_ node: YAMLNode, index: Int, _ d: inout ConfigDecoder) -> APIKeyConfig? {
        guard let f = d.fields(node, section: "auth.keys[\(index)]", keys: ["name", "tenant", "sha256", "value", "models"]) else { return nil }
        let name = d.string(f, "name", required: true, allowEmpty: false)
        let tenant = d.string(f, "tenant", allowEmpty: false)
        var digest: [UInt8]?
        if let n = d.value(f, "sha256"), let hex = d.stringValue(n, what: "'sha256' in auth.keys[\(index)]") {
            digest = decodeHex(hex)
            if digest?.count != 32 {
                d.report("'sha256' in auth.keys[\(index)] must be 64 hexadecimal characters (the SHA-256 of the key)", at: n)
            }
        }
        let value = d.string(f, "value").flatMap { $0.isEmpty ? nil : $0 }
        let hasDigest = d.value(f, "sha256") != nil
        if hasDigest == (value != nil) {
            d.report("auth.keys[\(index)] needs exactly one of 'sha256' or 'value'", at: node)
        }
        let models = d.stringList(f, "models") ?? []
        guard let name, hasDigest != (value != nil), !hasDigest || digest?.count == 32 else { return nil }
        return APIKeyConfig(name: name, tenant: tenant ?? name, sha256: hasDigest ? digest : nil, value: value,
                            models: models, location: ConfigLocation(node))
    }

    /// Hex text to bytes; nil on odd length or a non-hex character.
    static func decodeHex(_ text: String) -> [UInt8]? {
        let b = Array(text.utf8)
        guard b.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(b.count / 2)
        var i = 0
        while i < b.count {
            guard let hi = nibble(b[i]), let lo = nibble(b[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }
}
