// Placeholder until the prompt-cache store lands (replaced by Pipeline/Cache).
struct CachedResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    var sseEvents: [[UInt8]]?
}
