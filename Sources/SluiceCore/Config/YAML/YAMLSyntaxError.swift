/// A YAML syntax error at a 1-based line and column; parsing stops at the first one.
struct YAMLSyntaxError: Error, Sendable, Equatable {
    var line: Int
    var column: Int
    var message: String
}
