/// Who a request is, as the limiter and the logs see it: the key's config name and tenant —
/// never the raw key.
struct ClientIdentity: Sendable {
    var keyName: String?
    var tenant: String?
    /// Model allow-list globs of the key (empty: every model).
    var models: [Glob]
    /// The tenant is named in config (safe as a metric label).
    var tenantIsConfigured: Bool
}

/// API-key authentication (SPEC §2 `auth`, §3 401/403). Built per config generation.
/// Keys given as `value` are hashed once at build; a presented key is hashed (SHA-256) and
/// looked up by digest, so no comparison runs over the secret itself.
final class ClientAuthenticator: Sendable {
    let mode: AuthMode
    let tenantHeader: String
    private let byDigest: [[UInt8]: ClientIdentity]
    private let tenants: Set<String>

    init(_ config: AuthConfig) {
        mode = config.mode
        tenantHeader = config.tenantHeader
        var table: [[UInt8]: ClientIdentity] = [:]
        for k in config.keys {
            let digest = k.sha256 ?? k.value.map { SHA256Digest.digest(Array($0.utf8)) }
            guard let d = digest else { continue }
            table[d] = ClientIdentity(keyName: k.name, tenant: k.tenant, models: k.models.map(Glob.init), tenantIsConfigured: true)
        }
        byDigest = table
        tenants = Set(config.keys.map(\.tenant))
    }

    /// The presented key: `Authorization: Bearer …` or `x-api-key`.
    static func presentedKey(_ h: HTTPHeaders) -> ArraySlice<UInt8>? {
        if let auth = h.first("authorization") {
            let bearer = Array("bearer ".utf8)
            if auth.count > bearer.count, zip(auth.prefix(bearer.count), bearer).allSatisfy({ ($0 | 0x20) == $1 || $0 == $1 }) {
                let key = auth.dropFirst(bearer.count).drop(while: { $0 == 32 })
                if !key.isEmpty { return key }
            }
        }
        if let k = h.first("x-api-key"), !k.isEmpty { return k }
        return nil
    }

    /// The identity of a request, or the 401 to answer.
    func identify(_ h: HTTPHeaders) -> Result<ClientIdentity, GatewayError> {
        switch mode {
        case .none:
            let tenant = h.firstString(tenantHeader)
            return .success(ClientIdentity(keyName: nil, tenant: tenant, models: [],
                                           tenantIsConfigured: tenant.map { tenants.contains($0) } ?? false))
        case .apiKey:
            guard let key = Self.presentedKey(h) else {
                return .failure(GatewayError(status: 401, type: "authentication_error", code: "invalid_api_key",
                                             message: "Missing API key: send Authorization: Bearer <key> or x-api-key"))
            }
            guard let id = byDigest[SHA256Digest.digest(Array(key))] else {
                return .failure(GatewayError(status: 401, type: "authentication_error", code: "invalid_api_key",
                                             message: "Incorrect API key provided"))
            }
            return .success(id)
        }
    }

    /// The key may use `model` (403 `model_not_allowed` otherwise).
    static func allows(_ id: ClientIdentity, model: String) -> Bool {
        id.models.isEmpty || id.models.contains { $0.matches(model) }
    }
}

/// The limiter's clock.
struct MonotonicLimiterClock: LimiterClock {
    func nowNanos() -> UInt64 { SystemClock.monotonicNanos() }
}

/// `client_ip` (SPEC §11): the socket peer, unless it is a trusted proxy; then the rightmost
/// address of `x-forwarded-for` that is not trusted.
enum ClientAddress {
    static func resolve(peer: SocketAddress?, peerText: String, headers: HTTPHeaders, trusted: [CIDRConfig]) -> String {
        guard let p = peer, !trusted.isEmpty, trusted.contains(where: { $0.contains(p.address) }),
              let xff = headers.firstString("x-forwarded-for") else { return peerText }
        for part in xff.split(separator: ",").reversed() {
            let ip = part.trimmingCharacters(in: " \t")
            guard let addr = SocketAddress(host: ip, port: 0) else { return ip.isEmpty ? peerText : ip }
            if !trusted.contains(where: { $0.contains(addr.address) }) { return addr.hostText }
        }
        return peerText
    }
}

extension Substring {
    /// Trims the given ASCII characters from both ends.
    fileprivate func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = self[...]
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
