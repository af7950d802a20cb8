/// One node of a parsed YAML document (the subset of SPEC §2), with its 1-based source position.
///
/// A plain value tree: `Sendable`, immutable once parsed, owned by whoever parsed it.
struct YAMLNode: Sendable {
    /// What the node holds.
    enum Content: Sendable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLMappingEntry])
    }

    var content: Content
    /// 1-based line of the node's first character.
    var line: Int
    /// 1-based column (in Unicode scalars) of the node's first character.
    var column: Int

    /// The scalar, when the node is one.
    var scalar: YAMLScalar? {
        if case .scalar(let s) = content { return s }
        return nil
    }

    /// The entries, when the node is a mapping.
    var mappingEntries: [YAMLMappingEntry]? {
        if case .mapping(let entries) = content { return entries }
        return nil
    }

    /// The items, when the node is a sequence.
    var sequenceItems: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// True for an empty value, `~` or `null` (plain style only).
    var isNull: Bool {
        if case .null = scalar?.resolved { return true }
        return false
    }

    /// Short human description used in type errors ("a mapping", "the string 'x'").
    var kindDescription: String {
        switch content {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let s):
            switch s.resolved {
            case .null: return "null"
            case .bool(let b): return "the boolean \(b)"
            case .int(let i): return "the integer \(i)"
            case .float: return "the number \(s.isSecret ? "<redacted>" : s.text)"
            case .string(let text):
                if s.isSecret { return "a string" }
                let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
                return "the string '\(shown)'"
            }
        }
    }
}

/// One `key: value` pair of a mapping; keys are always scalars in this subset.
struct YAMLMappingEntry: Sendable {
    var key: String
    var keyLine: Int
    var keyColumn: Int
    var value: YAMLNode
}

/// How a scalar was written; only plain scalars are typed by the core schema.
enum YAMLScalarStyle: Sendable, Equatable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// A scalar's text (escapes and folding already applied) and where its value came from.
struct YAMLScalar: Sendable, Equatable {
    var text: String
    var style: YAMLScalarStyle
    /// True when `${VAR}` interpolation contributed to the text; such values are redacted.
    var isSecret: Bool = false

    /// The value under the YAML 1.2 core schema (quoted and block scalars are always strings).
    var resolved: YAMLResolvedScalar {
        style == .plain ? YAMLResolvedScalar.resolvePlain(text) : .string(text)
    }
}
