/// A JSON value written in YAML (for `set_body_fields`); plain scalars are typed by the core schema.
indirect enum ConfigJSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([ConfigJSONValue])
    /// Members in file order.
    case object([(String, ConfigJSONValue)])

    static func == (a: ConfigJSONValue, b: ConfigJSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// Converts a YAML node.
    init(_ node: YAMLNode) {
        switch node.content {
        case .scalar(let s):
            switch s.resolved {
            case .null: self = .null
            case .bool(let b): self = .bool(b)
            case .int(let i): self = .int(i)
            case .float(let d): self = .double(d)
            case .string(let t): self = .string(t)
            }
        case .sequence(let items): self = .array(items.map(ConfigJSONValue.init))
        case .mapping(let entries): self = .object(entries.map { ($0.key, ConfigJSONValue($0.value)) })
        }
    }
}

/// One JSON-Pointer assignment of `set_body_fields`.
struct BodyFieldAssignment: Sendable, Equatable {
    /// RFC 6901 pointer, e.g. `/temperature` or `/metadata/source`.
    var pointer: String
    var value: ConfigJSONValue
}

/// Edits applied to one side (request or response) by a `transform` processor.
struct TransformRules: Sendable, Equatable {
    var setHeaders: [ConfigHeaderField] = []
    /// Header names (lower-cased).
    var removeHeaders: [String] = []
    var setBodyFields: [BodyFieldAssignment] = []
    /// JSON Pointers.
    var removeBodyFields: [String] = []
}

/// `transform` processor settings.
struct TransformConfig: Sendable, Equatable {
    var request: TransformRules?
    var response: TransformRules?

    static let keys = ["request", "response"]

    /// Decodes the transform-specific fields of a processor entry.
    static func decode(_ f: ConfigFields, _ d: inout ConfigDecoder) -> TransformConfig? {
        var c = TransformConfig()
        if let n = d.value(f, "request") { c.request = decodeRules(n, section: "\(f.section) request", &d) }
        if let n = d.value(f, "response") { c.response = decodeRules(n, section: "\(f.section) response", &d) }
        if f["request"] == nil, f["response"] == nil {
            d.report("\(f.section) needs 'request:' and/or 'response:' rules", at: f.node)
        }
        return c
    }

    private static func decodeRules(_ node: YAMLNode, section: String, _ d: inout ConfigDecoder) -> TransformRules? {
        let keys = ["set_headers", "remove_headers", "set_body_fields", "remove_body_fields"]
        guard let f = d.fields(node, section: section, keys: keys) else { return nil }
        var r = TransformRules()
        r.setHeaders = d.headerMap(f, "set_headers") ?? []
        for item in d.list(f, "remove_headers") ?? [] {
            if let h = d.headerName(item, what: "each entry of 'remove_headers' in \(section)") { r.removeHeaders.append(h.lowercased()) }
        }
        if let n = d.value(f, "set_body_fields") {
            if let entries = n.mappingEntries {
                for e in entries {
                    if let message = pointerProblem(e.key) {
                        d.report("'\(e.key)' in set_body_fields of \(section): \(message)", line: e.keyLine, column: e.keyColumn)
                    } else {
                        r.setBodyFields.append(BodyFieldAssignment(pointer: e.key, value: ConfigJSONValue(e.value)))
                    }
                }
            } else {
                d.report("'set_body_fields' in \(section) must be a mapping of JSON Pointers to values, found \(n.kindDescription)", at: n)
            }
        }
        for item in d.list(f, "remove_body_fields") ?? [] {
            guard let p = d.stringValue(item, what: "each entry of 'remove_body_fields' in \(section)") else { continue }
            if let message = pointerProblem(p) {
                d.report("'\(p)' in remove_body_fields of \(section): \(message)", at: item)
            } else {
                r.removeBodyFields.append(p)
            }
        }
        return r
    }

    /// Why `p` is not a usable RFC 6901 pointer to a member (nil when fine).
    static func pointerProblem(_ p: String) -> String? {
        guard p.hasPrefix("/") else { return "a JSON Pointer must start with '/'" }
        let b = Array(p.utf8)
        for (i, c) in b.enumerated() where c == UInt8(ascii: "~") {
            guard i + 1 < b.count, b[i + 1] == UInt8(ascii: "0") || b[i + 1] == UInt8(ascii: "1") else {
                return "'~' must be followed by 0 or 1 in a JSON Pointer"
            }
        }
        return nil
    }
}
