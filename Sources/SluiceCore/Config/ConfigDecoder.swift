/// Turns an interpolated YAML tree into typed config, collecting every error it finds
/// (it reports and moves on rather than stopping at the first).
struct ConfigDecoder {
    let file: String
    let environment: any ConfigEnvironment
    private(set) var diagnostics: [ConfigDiagnostic] = []
    private(set) var warnings: [ConfigDiagnostic] = []

    init(file: String, environment: any ConfigEnvironment) {
        self.file = file
        self.environment = environment
    }

    /// Records an error at a position.
    mutating func report(_ message: String, line: Int, column: Int) {
        diagnostics.append(ConfigDiagnostic(file: file, line: line, column: column, message: message))
    }

    /// Records an error at a node.
    mutating func report(_ message: String, at node: YAMLNode) {
        report(message, line: node.line, column: node.column)
    }

    /// Records an error at a stored location.
    mutating func report(_ message: String, at location: ConfigLocation) {
        report(message, line: location.line, column: location.column)
    }

    /// Records a warning (printed by `--check`, never fatal).
    mutating func warn(_ message: String, at location: ConfigLocation) {
        warnings.append(ConfigDiagnostic(file: file, line: location.line, column: location.column, message: "warning: " + message))
    }

    /// Checks that `node` is a mapping whose keys are all in `keys`; reports each unknown key at
    /// its own position with a "did you mean" hint. Nil (after reporting) when not a mapping.
    mutating func fields(_ node: YAMLNode, section: String, keys: [String]) -> ConfigFields? {
        guard let entries = node.mappingEntries else {
            report("\(section) must be a mapping, found \(node.kindDescription)", at: node)
            return nil
        }
        for entry in entries where !keys.contains(entry.key) {
            let hint = ConfigKeySuggester.hint(for: entry.key, among: keys)
            report("unknown key '\(entry.key)' in \(section)\(hint)", line: entry.keyLine, column: entry.keyColumn)
        }
        return ConfigFields(node: node, section: section, entries: entries)
    }

    /// Like `fields`, but an absent or null section yields an empty mapping so defaults apply.
    mutating func optionalFields(_ node: YAMLNode?, section: String, keys: [String], at parent: YAMLNode) -> ConfigFields? {
        guard let node, !node.isNull else {
            return ConfigFields(node: YAMLNode(content: .mapping([]), line: parent.line, column: parent.column), section: section, entries: [])
        }
        return fields(node, section: section, keys: keys)
    }

    /// The items of a list field; nil when absent or null; reports a non-list.
    mutating func list(_ f: ConfigFields, _ key: String, required: Bool = false) -> [YAMLNode]? {
        guard let node = value(f, key, required: required) else { return nil }
        guard let items = node.sequenceItems else {
            report("'\(key)' in \(f.section) must be a list, found \(node.kindDescription)", at: node)
            return nil
        }
        return items
    }

    /// The non-null value of a field; reports a missing required one at the mapping.
    mutating func value(_ f: ConfigFields, _ key: String, required: Bool = false) -> YAMLNode? {
        if let node = f[key], !node.isNull { return node }
        if required {
            if let node = f[key] {
                report("'\(key)' in \(f.section) needs a value", at: node)
            } else {
                report("missing required key '\(key)' in \(f.section)", at: f.node)
            }
        }
        return nil
    }

    /// Reports when `path` cannot be read through the environment (TLS files and the like).
    mutating func checkReadable(_ path: String, what: String, at node: YAMLNode) {
        if environment.readFile(path) == nil {
            report("cannot read \(what) '\(path)'", at: node)
        }
    }
}

/// One YAML mapping already checked against the keys its config section accepts.
struct ConfigFields {
    /// The mapping node (positions of "missing key" errors).
    let node: YAMLNode
    /// Name used in messages, e.g. `backend 'openai'`.
    let section: String
    let entries: [YAMLMappingEntry]

    /// The value of `key`, or nil when the key is absent.
    subscript(key: String) -> YAMLNode? {
        entries.first { $0.key == key }?.value
    }

    /// Location of the mapping itself.
    var location: ConfigLocation { ConfigLocation(node) }
}

extension ConfigDecoder {
    /// `backend 'name'` when the entry has a usable name, else `backends[3]`: messages then
    /// point at something the user recognises.
    static func sectionName(_ kind: String, node: YAMLNode, index: Int, list: String) -> String {
        if let s = node.mappingEntries?.first(where: { $0.key == "name" })?.value.scalar, !s.text.isEmpty, !s.isSecret {
            return "\(kind) '\(s.text)'"
        }
        return "\(list)[\(index)]"
    }
}
