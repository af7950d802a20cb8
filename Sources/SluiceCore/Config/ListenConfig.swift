/// `listen`: the data-plane address and optional TLS termination.
struct ListenConfig: Sendable, Equatable {
    var address = SocketAddressConfig(host: "0.0.0.0", port: 8080)
    var tls: TLSFilesConfig?
}

/// Certificate and key files for TLS termination (paths checked readable at load; whether they
/// hold a usable certificate and key is checked when the server context is built).
struct TLSFilesConfig: Sendable, Equatable {
    var certFile: String
    var keyFile: String
    /// Where `cert_file` and `key_file` are written, for errors found when the files are loaded.
    var certLocation = ConfigLocation(line: 1, column: 1)
    var keyLocation = ConfigLocation(line: 1, column: 1)
}

/// `admin`: the admin listener and its optional bearer token (a secret; never printed).
struct AdminConfig: Sendable, Equatable, CustomStringConvertible {
    var address = SocketAddressConfig(host: "127.0.0.1", port: 9901)
    var token: String?

    /// Address and whether a token is set, never the token.
    var description: String { "admin \(address) token=\(token == nil ? "none" : "<redacted>")" }
}

extension ListenConfig {
    static let keys = ["address", "tls"]

    /// Decodes `listen` (absent: defaults).
    static func decode(_ node: YAMLNode?, root: YAMLNode, _ d: inout ConfigDecoder) -> ListenConfig {
        var config = ListenConfig()
        guard let f = d.optionalFields(node, section: "listen", keys: keys, at: root) else { return config }
        if let a = d.address(f, "address") { config.address = a }
        if let tlsNode = d.value(f, "tls") { config.tls = TLSFilesConfig.decode(tlsNode, section: "listen.tls", &d) }
        return config
    }
}

extension TLSFilesConfig {
    /// Decodes `{cert_file, key_file}` and checks both files can be read.
    static func decode(_ node: YAMLNode, section: String, _ d: inout ConfigDecoder) -> TLSFilesConfig? {
        guard let f = d.fields(node, section: section, keys: ["cert_file", "key_file"]) else { return nil }
        let cert = d.string(f, "cert_file", required: true, allowEmpty: false)
        let key = d.string(f, "key_file", required: true, allowEmpty: false)
        if let cert, let n = f["cert_file"] { d.checkReadable(cert, what: "certificate file", at: n) }
        if let key, let n = f["key_file"] { d.checkReadable(key, what: "key file", at: n) }
        guard let cert, let key, let certNode = f["cert_file"], let keyNode = f["key_file"] else { return nil }
        return TLSFilesConfig(certFile: cert, keyFile: key, certLocation: ConfigLocation(certNode),
                              keyLocation: ConfigLocation(keyNode))
    }
}

extension AdminConfig {
    static let keys = ["address", "token"]

    /// Decodes `admin` (absent: defaults); an empty token (e.g. `${TOKEN:-}`) means none.
    static func decode(_ node: YAMLNode?, root: YAMLNode, _ d: inout ConfigDecoder) -> AdminConfig {
        var config = AdminConfig()
        guard let f = d.optionalFields(node, section: "admin", keys: keys, at: root) else { return config }
        if let a = d.address(f, "address") { config.address = a }
        if let t = d.string(f, "token"), !t.isEmpty { config.token = t }
        if !config.address.isLoopback, config.token == nil {
            d.warn("admin address \(config.address) is not loopback and no admin.token is set: anyone who reaches it can reload the config and purge the cache", at: ConfigLocation(f["address"] ?? f.node))
        }
        return config
    }
}
