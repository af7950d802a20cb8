/// Why a request was refused: the short bucket, by name and key.
struct LimitRejection: Sendable, Equatable {
    /// The limit's config name.
    var limitName: String
    /// The bucket key: tenant / key NAME / model / route / ip / header values — never a raw API key.
    var key: String
    /// What the request needed from this bucket.
    var requested: Int
    /// Whole units left in the bucket (clamped at 0).
    var remaining: Int
    /// Time until the bucket holds `requested` (0 when `neverPasses`).
    var retryAfterNanos: UInt64
    /// The request needs more than the bucket's `burst`: it can never pass (`x-should-retry: false`).
    var neverPasses: Bool
    /// Human-readable: names bucket, key, requested and remaining.
    var message: String

    /// `retry-after` in whole seconds, rounded up (at least 1).
    var retryAfterSeconds: UInt64 { Swift.max(1, retryAfterNanos / 1_000_000_000 + (retryAfterNanos % 1_000_000_000 == 0 ? 0 : 1)) }

    /// `retry-after-ms`, rounded up (at least 1).
    var retryAfterMillis: UInt64 { Swift.max(1, retryAfterNanos / 1_000_000 + (retryAfterNanos % 1_000_000 == 0 ? 0 : 1)) }

    /// Appends `retry-after` and `retry-after-ms`, or `x-should-retry: false` when the request can never pass.
    func writeRetryHeaders(into headers: inout [(String, String)]) {
        if neverPasses {
            headers.append(("x-should-retry", "false"))
        } else {
            headers.append(("retry-after", String(retryAfterSeconds)))
            headers.append(("retry-after-ms", String(retryAfterMillis)))
        }
    }
}

/// What admission decided. When `allowed`, `reservation` must later be passed to exactly one of
/// `RateLimiter.reconcile` or `RateLimiter.refund` (nil when no limit matched; settling it twice would
/// charge twice).
struct LimitDecision: Sendable {
    /// Whether the request may proceed (shadow limits never refuse).
    var allowed: Bool
    /// Set when refused.
    var rejection: LimitRejection?
    /// What was taken, to reconcile or refund later.
    var reservation: LimitReservation?
    /// The `x-ratelimit-*` values (enforced limits only).
    var headers: RateLimitHeaders
    /// Per matching limit, in config order: "allowed" | "limited" | "shadow_limited" (metrics, /explain).
    var outcomes: [(limit: String, decision: String)]
}

/// A reservation to reconcile or refund later: which buckets were charged and how much each took.
/// Holds references to the bucket tables, so it stays valid across a reload.
struct LimitReservation: Sendable {
    /// One charged bucket.
    struct Entry: Sendable {
        /// The limit's bucket table (kept alive across reloads by this reference).
        let table: LimitBucketTable
        /// The bucket key within the table.
        let key: String
        /// Units reserved at admission.
        let taken: Int
    }
    /// The charged buckets.
    var entries: [Entry]
    /// Embeddings are charged no output tokens on reconcile either.
    var isEmbeddings: Bool
}

/// One bucket as `GET /ratelimits` shows it.
struct BucketSnapshot: Sendable, Equatable {
    /// The limit's config name.
    var name: String
    /// The bucket key (names, never raw API keys).
    var key: String
    /// tokens | requests.
    var unit: RateLimitUnit
    /// The bucket's capacity (`burst`).
    var capacity: Int
    /// Whole units available now; negative while in debt.
    var remaining: Int
    /// Time until full again.
    var resetNanos: UInt64
    /// Whether the limit only observes.
    var shadow: Bool
}
