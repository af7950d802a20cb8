/// A scalar typed by the YAML 1.2 core schema: only `true`/`false` (any case form the schema lists)
/// are booleans, so `on`, `yes`, `off` stay strings.
enum YAMLResolvedScalar: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)

    /// Applies the core schema's tag resolution to a plain scalar.
    static func resolvePlain(_ text: String) -> YAMLResolvedScalar {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        let utf8 = Array(text.utf8)
        if let i = parseInteger(utf8) { return .int(i) }
        if isFloatSyntax(utf8), let d = Double(text) { return .float(d) }
        return .string(text)
    }

    /// True when `text` has the core-schema integer shape, whether or not it fits in `Int`.
    static func looksLikeInteger(_ text: String) -> Bool {
        let b = Array(text.utf8)
        if b.count > 2, b[0] == UInt8(ascii: "0"), b[1] == UInt8(ascii: "x") || b[1] == UInt8(ascii: "o") { return true }
        var i = 0
        if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
        return i < b.count && b[i...].allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    private static func parseInteger(_ b: [UInt8]) -> Int? {
        guard !b.isEmpty else { return nil }
        if b.count > 2, b[0] == UInt8(ascii: "0") {
            let body = String(decoding: b[2...], as: UTF8.self)
            if b[1] == UInt8(ascii: "x") { return body.utf8.allSatisfy(isHex) ? Int(body, radix: 16) : nil }
            if b[1] == UInt8(ascii: "o") { return body.utf8.allSatisfy { $0 >= 48 && $0 <= 55 } ? Int(body, radix: 8) : nil }
        }
        var i = 0
        if b[0] == UInt8(ascii: "-") || b[0] == UInt8(ascii: "+") { i = 1 }
        guard i < b.count, b[i...].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(String(decoding: b, as: UTF8.self))
    }

    private static func isHex(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
    }

    // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    private static func isFloatSyntax(_ b: [UInt8]) -> Bool {
        var i = 0
        func digits() -> Int {
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            return i - start
        }
        if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
        let intDigits = digits()
        var fracDigits = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            fracDigits = digits()
        }
        guard intDigits > 0 || fracDigits > 0 else { return false }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
            guard digits() > 0 else { return false }
        }
        return i == b.count
    }
}
