/// A JSON syntax or shape error: what went wrong and the byte offset where it was noticed.
struct JSONError: Error, Equatable, Sendable {
    /// Byte offset into the scanned buffer.
    var offset: Int
    /// Short human-readable reason, e.g. "trailing comma".
    var reason: String
}

/// The kind of a JSON value, as seen by its first byte.
enum JSONKind: Sendable, Equatable {
    case object, array, string, number, bool, null
}
