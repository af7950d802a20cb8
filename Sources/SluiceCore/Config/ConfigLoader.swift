/// Entry point of the configuration layer: bytes → YAML tree → interpolation → typed config →
/// cross-validation. Pure: files and environment come through `ConfigEnvironment`.
enum ConfigLoader {
    /// Largest config file accepted (a guard, not a realistic size).
    static let maxFileBytes = 16 * 1024 * 1024

    /// Reads `path` through the environment and parses it.
    static func load(path: String, environment: some ConfigEnvironment) -> Result<GatewayConfig, ConfigErrors> {
        guard let bytes = environment.readFile(path) else {
            return .failure(ConfigErrors(diagnostics: [ConfigDiagnostic(file: path, line: 1, column: 1, message: "cannot read the configuration file")]))
        }
        return parse(bytes, file: path, environment: environment)
    }

    /// Parses and validates a configuration; on failure returns every error found.
    static func parse(_ text: [UInt8], file: String, environment: some ConfigEnvironment) -> Result<GatewayConfig, ConfigErrors> {
        func fail(_ line: Int, _ column: Int, _ message: String) -> Result<GatewayConfig, ConfigErrors> {
            .failure(ConfigErrors(diagnostics: [ConfigDiagnostic(file: file, line: line, column: column, message: message)]))
        }
        if text.count > maxFileBytes { return fail(1, 1, "the configuration file is larger than \(maxFileBytes) bytes") }
        let parsed: YAMLNode?
        do {
            parsed = try YAMLParser.parse(text)
        } catch {
            return fail(error.line, error.column, error.message)
        }
        guard let root = parsed else { return fail(1, 1, "the configuration file is empty") }

        var interpolator = ConfigInterpolator(environment: environment)
        let tree = interpolator.interpolate(root)
        var decoder = ConfigDecoder(file: file, environment: environment)
        for e in interpolator.errors { decoder.report(e.message, line: e.line, column: e.column) }

        var config = GatewayConfig.decode(tree, &decoder)
        let pipelineWritten = tree.mappingEntries?.contains { $0.key == "pipeline" } ?? false
        ConfigValidator.validate(config, &decoder, pipelineWritten: pipelineWritten)
        if !decoder.diagnostics.isEmpty {
            let sorted = decoder.diagnostics.enumerated().sorted {
                ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset)
            }.map(\.element)
            return .failure(ConfigErrors(diagnostics: sorted))
        }
        config.secretPaths = interpolator.secretPaths
        config.warnings = decoder.warnings.map(\.description)
        return .success(config)
    }
}
