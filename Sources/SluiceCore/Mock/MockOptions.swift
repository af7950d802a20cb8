/// Tunables of the mock backend; every limit has a default here.
struct MockOptions: Sendable {
    /// Delay before every response head (`--latency-ms`).
    var latencyNanos: UInt64 = 0
    /// Gap between streamed words (`--tokens-per-second`); 0 sends all events at once.
    var tokenIntervalNanos: UInt64 = 0
    /// Gap between the writes of `x-mock-chunk-bytes`, so they arrive in separate reads.
    var chunkGapNanos: UInt64 = 1_000_000
    /// Completion tokens when the request names no maximum (SPEC §9).
    var defaultCompletionTokens = 16
    /// Upper bound of generated words per reply (bounds memory per request).
    var maxCompletionTokens = 100_000
    /// Upper bound of `x-mock-delay-ms`.
    var maxDelayMs = 600_000
    /// Embedding vector length when the request names no `dimensions`.
    var embeddingDimensions = 8
    /// Upper bound of `dimensions`.
    var maxEmbeddingDimensions = 4096
    /// Requests kept for `GET /mock/requests` (SPEC §9: the last 100).
    var logCapacity = 100
    /// Body bytes kept per logged request; longer bodies are truncated (and flagged).
    var maxLoggedBodyBytes = 1 << 20
    /// Largest accepted request body.
    var maxBodyBytes = 16 << 20
}
