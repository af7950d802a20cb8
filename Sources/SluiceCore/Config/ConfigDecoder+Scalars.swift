extension ConfigDecoder {
    /// A string field; numbers are accepted as their written text, booleans and collections are not.
    mutating func string(_ f: ConfigFields, _ key: String, required: Bool = false, allowEmpty: Bool = true) -> String? {
        guard let node = value(f, key, required: required) else { return nil }
        return stringValue(node, what: "'\(key)' in \(f.section)", allowEmpty: allowEmpty)
    }

    /// A string node (see `string`).
    mutating func stringValue(_ node: YAMLNode, what: String, allowEmpty: Bool = true) -> String? {
        guard let scalar = node.scalar else {
            report("\(what) must be a string, found \(node.kindDescription)", at: node)
            return nil
        }
        switch scalar.resolved {
        case .bool, .null:
            report("\(what) must be a string, found \(node.kindDescription)", at: node)
            return nil
        case .int, .float, .string:
            if !allowEmpty, scalar.text.isEmpty {
                report("\(what) must not be empty", at: node)
                return nil
            }
            return scalar.text
        }
    }

    /// An integer field checked against a range.
    mutating func int(_ f: ConfigFields, _ key: String, required: Bool = false, range: ClosedRange<Int>? = nil) -> Int? {
        guard let node = value(f, key, required: required) else { return nil }
        return intValue(node, what: "'\(key)' in \(f.section)", range: range)
    }

    /// An integer node checked against a range.
    mutating func intValue(_ node: YAMLNode, what: String, range: ClosedRange<Int>? = nil) -> Int? {
        guard case .int(let v) = node.scalar?.resolved else {
            if let s = node.scalar, s.style == .plain, YAMLResolvedScalar.looksLikeInteger(s.text) {
                report("\(what) is out of range", at: node)
            } else {
                report("\(what) must be an integer, found \(node.kindDescription)", at: node)
            }
            return nil
        }
        if let range, !range.contains(v) {
            report("\(what) must be \(Self.describe(range)), found \(v)", at: node)
            return nil
        }
        return v
    }

    /// A number (integer or float) field.
    mutating func number(_ f: ConfigFields, _ key: String, range: ClosedRange<Double>) -> Double? {
        guard let node = value(f, key) else { return nil }
        let v: Double
        switch node.scalar?.resolved {
        case .int(let i): v = Double(i)
        case .float(let d): v = d
        default:
            report("'\(key)' in \(f.section) must be a number, found \(node.kindDescription)", at: node)
            return nil
        }
        guard range.contains(v), !v.isNaN else {
            report("'\(key)' in \(f.section) must be between \(range.lowerBound) and \(range.upperBound), found \(v)", at: node)
            return nil
        }
        return v
    }

    /// A boolean field (`true`/`false` only).
    mutating func bool(_ f: ConfigFields, _ key: String) -> Bool? {
        guard let node = value(f, key) else { return nil }
        guard case .bool(let b) = node.scalar?.resolved else {
            report("'\(key)' in \(f.section) must be true or false, found \(node.kindDescription)", at: node)
            return nil
        }
        return b
    }

    /// A duration field (`250ms`, `2s`, `5m`, `1h`, `1m30s`); zero allowed only when asked.
    mutating func duration(_ f: ConfigFields, _ key: String, allowZero: Bool = false) -> Duration? {
        guard let node = value(f, key) else { return nil }
        let what = "'\(key)' in \(f.section)"
        guard let scalar = node.scalar, node.sequenceItems == nil else {
            report("\(what) must be a duration like 250ms, 2s, 5m or 1h, found \(node.kindDescription)", at: node)
            return nil
        }
        if case .int = scalar.resolved {
            report("\(what) needs a unit (ms, s, m, h), e.g. '\(scalar.text)s'", at: node)
            return nil
        }
        guard let d = ConfigUnits.parseDuration(scalar.text) else {
            report("\(what) must be a duration like 250ms, 2s, 5m or 1h, found \(node.kindDescription)", at: node)
            return nil
        }
        if d == .zero, !allowZero {
            report("\(what) must be greater than zero", at: node)
            return nil
        }
        return d
    }

    /// A size field in bytes (`512`, `64KiB`, `2MiB`, `1GiB`); must be positive.
    mutating func size(_ f: ConfigFields, _ key: String) -> Int? {
        guard let node = value(f, key) else { return nil }
        let what = "'\(key)' in \(f.section)"
        guard let scalar = node.scalar else {
            report("\(what) must be a size like 512, 64KiB, 2MiB or 1GiB, found \(node.kindDescription)", at: node)
            return nil
        }
        guard let v = ConfigUnits.parseSize(scalar.text) else {
            report("\(what) must be a size like 512, 64KiB, 2MiB or 1GiB, found \(node.kindDescription)", at: node)
            return nil
        }
        if v <= 0 {
            report("\(what) must be greater than zero", at: node)
            return nil
        }
        return v
    }

    /// A list of strings; nil when absent.
    mutating func stringList(_ f: ConfigFields, _ key: String, required: Bool = false, nonEmpty: Bool = false) -> [String]? {
        guard let items = list(f, key, required: required) else { return nil }
        if nonEmpty, items.isEmpty, let node = f[key] {
            report("'\(key)' in \(f.section) must not be empty", at: node)
        }
        return items.compactMap { stringValue($0, what: "each entry of '\(key)' in \(f.section)", allowEmpty: false) }
    }

    /// A value from a fixed set of words, with a "did you mean" hint.
    mutating func choice<E: CaseIterable & RawRepresentable>(_ f: ConfigFields, _ key: String, as type: E.Type) -> E? where E.RawValue == String {
        guard let node = value(f, key) else { return nil }
        return choiceValue(node, what: "'\(key)' in \(f.section)", as: type)
    }

    /// A node holding one word of a fixed set.
    mutating func choiceValue<E: CaseIterable & RawRepresentable>(_ node: YAMLNode, what: String, as type: E.Type) -> E? where E.RawValue == String {
        let allowed = E.allCases.map(\.rawValue)
        guard let text = node.scalar?.text, node.scalar?.resolved != .null, let v = E(rawValue: text) else {
            let found = node.scalar?.text ?? ""
            let hint = ConfigKeySuggester.hint(for: found, among: allowed)
            report("\(what) must be one of \(allowed.joined(separator: ", ")), found \(node.kindDescription)\(hint)", at: node)
            return nil
        }
        return v
    }

    static func describe(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max { return "at least \(range.lowerBound)" }
        return "between \(range.lowerBound) and \(range.upperBound)"
    }
}
