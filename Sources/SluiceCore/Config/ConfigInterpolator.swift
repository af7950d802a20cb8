/// Replaces `${VAR}` and `${VAR:-default}` inside every scalar value after parsing.
///
/// `$${` writes a literal `${`. `:-` uses the default when the variable is unset or empty (as in
/// POSIX shells). Mapping keys are not interpolated (a key picks a schema field, never a value).
/// Scalars that received any substitution are marked secret and their paths recorded, so the
/// effective-config dump can redact them.
struct ConfigInterpolator {
    let environment: any ConfigEnvironment
    /// Longest accepted variable name, a guard against pathological input.
    var maxNameLength = 256
    private(set) var errors: [(line: Int, column: Int, message: String)] = []
    /// Dotted paths (`backends.1.credentials.headers.Authorization`) of secret-bearing scalars.
    private(set) var secretPaths: Set<String> = []

    init(environment: any ConfigEnvironment) {
        self.environment = environment
    }

    /// Interpolates a whole tree; errors and secret paths accumulate on `self`.
    mutating func interpolate(_ node: YAMLNode, path: String = "") -> YAMLNode {
        var out = node
        switch node.content {
        case .scalar(let scalar):
            if let replaced = substitute(scalar, node: node) {
                out.content = .scalar(replaced)
                if replaced.isSecret { secretPaths.insert(path) }
            }
        case .sequence(let items):
            out.content = .sequence(items.enumerated().map { interpolate($0.element, path: Self.join(path, String($0.offset))) })
        case .mapping(let entries):
            out.content = .mapping(entries.map { entry in
                var e = entry
                e.value = interpolate(entry.value, path: Self.join(path, entry.key))
                return e
            })
        }
        return out
    }

    /// Joins a parent path and a component with a dot.
    static func join(_ parent: String, _ component: String) -> String {
        parent.isEmpty ? component : parent + "." + component
    }

    /// The substituted scalar, or nil when the text holds no `$`.
    private mutating func substitute(_ scalar: YAMLScalar, node: YAMLNode) -> YAMLScalar? {
        let b = Array(scalar.text.utf8)
        guard b.contains(UInt8(ascii: "$")) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var secret = false
        var i = 0
        while i < b.count {
            let c = b[i]
            guard c == UInt8(ascii: "$") else {
                out.append(c)
                i += 1
                continue
            }
            if i + 2 < b.count, b[i + 1] == UInt8(ascii: "$"), b[i + 2] == UInt8(ascii: "{") {
                out.append(contentsOf: "${".utf8)
                i += 3
                continue
            }
            guard i + 1 < b.count, b[i + 1] == UInt8(ascii: "{") else {
                out.append(c)
                i += 1
                continue
            }
            guard let close = b[(i + 2)...].firstIndex(of: UInt8(ascii: "}")) else {
                fail(node, "unterminated '${' (missing '}')")
                return nil
            }
            let inner = b[(i + 2)..<close]
            var nameEnd = inner.startIndex
            while nameEnd < inner.endIndex, Self.isNameByte(inner[nameEnd], first: nameEnd == inner.startIndex) { nameEnd += 1 }
            let name = String(decoding: inner[inner.startIndex..<nameEnd], as: UTF8.self)
            var defaultValue: String?
            if nameEnd < inner.endIndex {
                guard nameEnd + 1 < inner.endIndex, inner[nameEnd] == UInt8(ascii: ":"), inner[nameEnd + 1] == UInt8(ascii: "-") else {
                    fail(node, "invalid '${…}': expected ${NAME} or ${NAME:-default}")
                    return nil
                }
                defaultValue = String(decoding: inner[(nameEnd + 2)...], as: UTF8.self)
            }
            guard !name.isEmpty, name.utf8.count <= maxNameLength else {
                fail(node, "invalid variable name in '${…}'")
                return nil
            }
            let value = environment.variable(name)
            if let value, !(value.isEmpty && defaultValue != nil) {
                out.append(contentsOf: value.utf8)
            } else if let defaultValue {
                out.append(contentsOf: defaultValue.utf8)
            } else {
                fail(node, "environment variable '\(name)' is not set (use ${\(name):-default} for a default)")
                return nil
            }
            secret = true
            i = close + 1
        }
        var result = scalar
        result.text = String(decoding: out, as: UTF8.self)
        result.isSecret = scalar.isSecret || secret
        return result
    }

    private mutating func fail(_ node: YAMLNode, _ message: String) {
        errors.append((node.line, node.column, message))
    }

    private static func isNameByte(_ c: UInt8, first: Bool) -> Bool {
        (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == UInt8(ascii: "_") || (!first && c >= 48 && c <= 57)
    }
}
