/// Reads files and environment for the loader; the daemon passes a real one, tests a fake.
protocol ConfigEnvironment: Sendable {
    /// The value of an environment variable, or nil when it is unset.
    func variable(_ name: String) -> String?
    /// The whole content of a file, or nil when it cannot be read.
    func readFile(_ path: String) -> [UInt8]?
}

/// One configuration error (or warning) at a 1-based line and column of a file.
struct ConfigDiagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    var file: String
    var line: Int
    var column: Int
    var message: String

    /// `FILE:LINE:COL: message`, the form `sluice --check` and `/reload` print.
    var description: String { "\(file):\(line):\(column): \(message)" }
}

/// Every error found in one configuration file, in source order.
struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    var diagnostics: [ConfigDiagnostic]

    /// One diagnostic per line.
    var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// 1-based position of a config element in its file, kept for later cross-checks and messages.
struct ConfigLocation: Sendable, Equatable, CustomStringConvertible {
    var line: Int
    var column: Int

    /// `LINE:COL`.
    var description: String { "\(line):\(column)" }

    init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    init(_ node: YAMLNode) {
        self.init(line: node.line, column: node.column)
    }
}
