@testable import SluiceCore

/// In-memory environment variables and files for config tests.
struct FakeConfigEnvironment: ConfigEnvironment {
    var variables: [String: String] = [:]
    var files: [String: [UInt8]] = [:]

    func variable(_ name: String) -> String? { variables[name] }
    func readFile(_ path: String) -> [UInt8]? { files[path] }
}

/// Shared helpers for the config tests.
enum ConfigTestSupport {
    static let minimal = """
        version: 1
        listen: {address: 127.0.0.1:8080}
        admin: {address: 127.0.0.1:9901}
        backends:
          - name: mock
            endpoints: ["http://127.0.0.1:8081"]
        routes:
          - name: default
            models: ["*"]
            backends: [{backend: mock}]

        """

    static func parse(_ yaml: String, env: [String: String] = [:], files: [String] = []) -> Result<GatewayConfig, ConfigErrors> {
        var fake = FakeConfigEnvironment(variables: env)
        for f in files { fake.files[f] = Array("x".utf8) }
        return ConfigLoader.parse(Array(yaml.utf8), file: "test.yaml", environment: fake)
    }

    /// The config, or nil (the test then fails on its own expectations).
    static func config(_ yaml: String, env: [String: String] = [:], files: [String] = []) -> GatewayConfig? {
        if case .success(let c) = parse(yaml, env: env, files: files) { return c }
        return nil
    }

    /// The diagnostics (empty on success).
    static func errors(_ yaml: String, env: [String: String] = [:], files: [String] = []) -> [ConfigDiagnostic] {
        if case .failure(let e) = parse(yaml, env: env, files: files) { return e.diagnostics }
        return []
    }

    /// The minimal config plus extra top-level YAML.
    static func withMinimal(_ extra: String) -> String { minimal + extra }

    /// Compact rendering of a YAML tree for equality checks: `{a=[1,"x",~]}`.
    static func render(_ node: YAMLNode?) -> String {
        guard let node else { return "<empty>" }
        switch node.content {
        case .mapping(let entries): return "{" + entries.map { "\($0.key)=\(render($0.value))" }.joined(separator: ",") + "}"
        case .sequence(let items): return "[" + items.map { render($0) }.joined(separator: ",") + "]"
        case .scalar(let s):
            switch s.resolved {
            case .null: return "~"
            case .bool(let b): return String(b)
            case .int(let i): return String(i)
            case .float(let d): return "f\(d)"
            case .string(let t):
                return "\"" + t.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\\n") + "\""
            }
        }
    }

    static func yaml(_ text: String) throws(YAMLSyntaxError) -> String {
        render(try YAMLParser.parse(Array(text.utf8)))
    }

    /// The syntax error of `text` as `LINE:COL message`, or "ok".
    static func yamlError(_ text: String) -> YAMLSyntaxError? {
        do {
            _ = try YAMLParser.parse(Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }
}

