/// A small JSON writer for the effective-config dump: keys in the order written, and every
/// leaf whose dotted path is secret (or that the caller marks secret) replaced by `"<redacted>"`.
struct ConfigJSONWriter {
    static let redacted = "<redacted>"
    private(set) var output: [UInt8] = []
    private var path: [String] = []
    private var needsComma = [false]
    let secretPaths: Set<String>

    init(secretPaths: Set<String>) {
        self.secretPaths = secretPaths
    }

    /// The document as text.
    var text: String { String(decoding: output, as: UTF8.self) }

    private var currentPathIsSecret: Bool { secretPaths.contains(path.joined(separator: ".")) }

    private mutating func separator() {
        if needsComma[needsComma.count - 1] { output.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    /// Writes `"key":` and runs `body` with the key pushed on the path.
    mutating func field(_ key: String, _ body: (inout ConfigJSONWriter) -> Void) {
        separator()
        writeString(key)
        output.append(UInt8(ascii: ":"))
        path.append(key)
        needsComma.append(false)
        body(&self)
        needsComma.removeLast()
        path.removeLast()
    }

    /// Writes an object; `body` writes its fields.
    mutating func object(_ body: (inout ConfigJSONWriter) -> Void) {
        output.append(UInt8(ascii: "{"))
        needsComma.append(false)
        body(&self)
        needsComma.removeLast()
        output.append(UInt8(ascii: "}"))
    }

    /// Writes an array; `element` is called once per item with the index pushed on the path.
    mutating func array<T>(_ items: [T], _ element: (inout ConfigJSONWriter, T) -> Void) {
        output.append(UInt8(ascii: "["))
        for (i, item) in items.enumerated() {
            if i > 0 { output.append(UInt8(ascii: ",")) }
            path.append(String(i))
            needsComma.append(false)
            element(&self, item)
            needsComma.removeLast()
            path.removeLast()
        }
        output.append(UInt8(ascii: "]"))
    }

    /// A string leaf; `secret` forces redaction.
    mutating func string(_ s: String, secret: Bool = false) {
        writeString(secret || currentPathIsSecret ? Self.redacted : s)
    }

    /// An integer leaf.
    mutating func int(_ v: Int) {
        if currentPathIsSecret { return writeString(Self.redacted) }
        output.append(contentsOf: String(v).utf8)
    }

    /// A number leaf (non-finite values are written as strings).
    mutating func double(_ v: Double) {
        if currentPathIsSecret { return writeString(Self.redacted) }
        if v.isFinite { output.append(contentsOf: "\(v)".utf8) } else { writeString("\(v)") }
    }

    /// A boolean leaf.
    mutating func bool(_ v: Bool) {
        if currentPathIsSecret { return writeString(Self.redacted) }
        output.append(contentsOf: (v ? "true" : "false").utf8)
    }

    /// `null`.
    mutating func null() { output.append(contentsOf: "null".utf8) }

    /// A duration leaf in config notation (`250ms`).
    mutating func duration(_ d: Duration) { string(ConfigUnits.format(d)) }

    /// An optional string leaf (`null` when nil).
    mutating func optionalString(_ s: String?, secret: Bool = false) {
        if let s { string(s, secret: secret) } else { null() }
    }

    /// An array of strings.
    mutating func strings(_ items: [String]) { array(items) { $0.string($1) } }

    /// A JSON value from the config (`set_body_fields`).
    mutating func value(_ v: ConfigJSONValue) {
        switch v {
        case .null: null()
        case .bool(let b): bool(b)
        case .int(let i): int(i)
        case .double(let d): double(d)
        case .string(let s): string(s)
        case .array(let items): array(items) { $0.value($1) }
        case .object(let members): object { w in for (k, m) in members { w.field(k) { $0.value(m) } } }
        }
    }

    private mutating func writeString(_ s: String) {
        output.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): output.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: "\\\\".utf8)
            case 0x0A: output.append(contentsOf: "\\n".utf8)
            case 0x0D: output.append(contentsOf: "\\r".utf8)
            case 0x09: output.append(contentsOf: "\\t".utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: "\\u00".utf8)
                output.append(hex[Int(c >> 4)])
                output.append(hex[Int(c & 0xF)])
            default: output.append(c)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
