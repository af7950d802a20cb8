extension ConfigDecoder {
    /// A `host:port` field.
    mutating func address(_ f: ConfigFields, _ key: String, required: Bool = false) -> SocketAddressConfig? {
        guard let node = value(f, key, required: required),
              let text = stringValue(node, what: "'\(key)' in \(f.section)", allowEmpty: false) else { return nil }
        switch SocketAddressConfig.parse(text) {
        case .success(let a): return a
        case .failure(let e):
            report("'\(key)' in \(f.section): \(e.message)", at: node)
            return nil
        }
    }

    /// An `http://` or `https://` URL node.
    mutating func endpointValue(_ node: YAMLNode, what: String) -> EndpointURL? {
        guard let text = stringValue(node, what: what, allowEmpty: false) else { return nil }
        switch EndpointURL.parse(text) {
        case .success(let url): return url
        case .failure(let e):
            report("\(what): \(e.message)", at: node)
            return nil
        }
    }

    /// An HTTP header name node (an RFC 9110 token), returned as written.
    mutating func headerName(_ node: YAMLNode, what: String) -> String? {
        guard let name = stringValue(node, what: what, allowEmpty: false) else { return nil }
        guard Self.isToken(name) else {
            report("\(what): '\(name)' is not a valid HTTP header name", at: node)
            return nil
        }
        return name
    }

    /// A mapping of header names to values (`{Authorization: "Bearer …"}`), order kept.
    mutating func headerMap(_ f: ConfigFields, _ key: String) -> [ConfigHeaderField]? {
        guard let node = value(f, key) else { return nil }
        guard let entries = node.mappingEntries else {
            report("'\(key)' in \(f.section) must be a mapping of header names to values, found \(node.kindDescription)", at: node)
            return nil
        }
        var out: [ConfigHeaderField] = []
        for entry in entries {
            let what = "header '\(entry.key)' in \(f.section)"
            guard Self.isToken(entry.key) else {
                report("'\(entry.key)' in \(f.section) is not a valid HTTP header name", line: entry.keyLine, column: entry.keyColumn)
                continue
            }
            guard let v = stringValue(entry.value, what: what) else { continue }
            if v.utf8.contains(where: { ($0 < 32 && $0 != 9) || $0 == 127 }) {
                report("\(what) contains a control character", at: entry.value)
                continue
            }
            out.append(ConfigHeaderField(name: entry.key, value: v))
        }
        return out
    }

    /// RFC 9110 token characters.
    static func isToken(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
                || "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }
}

/// One header name and value from the config (credentials, webhook headers, transforms).
/// Its value may be a secret: never log it, and `description` hides it.
struct ConfigHeaderField: Sendable, Equatable, CustomStringConvertible {
    var name: String
    var value: String

    /// The name only; the value may be a credential.
    var description: String { "\(name): <redacted>" }
}
