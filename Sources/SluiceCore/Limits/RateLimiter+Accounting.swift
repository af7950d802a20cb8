/// Settling reservations, and read-only views (cache hits, `GET /ratelimits`).
extension RateLimiter {
    /// Actual usage is known (SPEC §5 step 2): each `tokens` bucket is charged the difference between the
    /// actual cost and what it reserved — refunded when lower, taken (debt allowed) when higher.
    /// `requests` buckets are unchanged. Call once per reservation, instead of `refund`.
    func reconcile(_ r: LimitReservation, inputTokens: Int, outputTokens: Int) {
        let now = clockNow()
        for e in r.entries where e.table.unit == .tokens {
            let actual = e.table.cost(inputTokens: inputTokens, outputTokens: outputTokens, isEmbeddings: r.isEmbeddings)
            if actual > e.taken {
                e.table.charge(e.key, actual - e.taken, now: now)
            } else if actual < e.taken {
                e.table.credit(e.key, e.taken - actual, now: now)
            }
        }
    }

    /// The request failed before any upstream answer, or got a non-2xx one (SPEC §5 step 3): reserved
    /// tokens go back; `requests` units stay taken. Call once per reservation, instead of `reconcile`.
    func refund(_ r: LimitReservation) {
        let now = clockNow()
        for e in r.entries where e.table.unit == .tokens {
            e.table.credit(e.key, e.taken, now: now)
        }
    }

    /// Admission was undone (another, shared, limit refused the request): everything taken goes back,
    /// `requests` units included. Call once per reservation, instead of `reconcile` or `refund`.
    func cancel(_ r: LimitReservation) {
        let now = clockNow()
        for e in r.entries { e.table.credit(e.key, e.taken, now: now) }
    }

    /// The `x-ratelimit-*` values for a response that takes nothing (a cache hit): read, never taken.
    func peek(_ subject: LimitSubject) -> RateLimitHeaders {
        var h = RateLimitHeaders()
        let now = clockNow()
        for rule in rules where !rule.config.shadow && rule.matches(subject) {
            let b = rule.table.peek(rule.key(for: subject), now: now)
            h.consider(BucketHeaderState(b), unit: rule.config.unit)
        }
        return h
    }

    /// `POST /explain`: what admission would decide per matching bucket, taking nothing.
    func dryRun(_ subject: LimitSubject, cost: LimitCost) -> [LimitDryRun] {
        let now = clockNow()
        let output = Swift.min(cost.outputTokens, estimation.maxOutputReservation)
        return rules.filter { $0.matches(subject) }.map { rule in
            let key = rule.key(for: subject)
            let c = rule.table.cost(inputTokens: cost.inputTokens, outputTokens: output, isEmbeddings: cost.isEmbeddings)
            let b = rule.table.peek(key, now: now)
            let admits = b.canTake(c)
            return LimitDryRun(name: rule.config.name, key: key, unit: rule.config.unit, cost: c, remaining: b.balance,
                               capacity: b.burst,
                               decision: admits ? "allowed" : (rule.config.shadow ? "shadow_limited" : "limited"))
        }
    }

    /// `GET /ratelimits`: buckets held, most used first (then by name and key), at most `top`. With
    /// `keyFilter`, only buckets whose key equals it or has it as one of its `|`-separated parts.
    func snapshot(top: Int = 100, keyFilter: String? = nil) -> [BucketSnapshot] {
        let now = clockNow()
        var all: [BucketSnapshot] = []
        for rule in rules {
            for (key, b) in rule.table.entries(now: now) {
                if let f = keyFilter, key != f, !key.split(separator: "|").contains(where: { $0 == f }) { continue }
                all.append(BucketSnapshot(name: rule.config.name, key: key, unit: rule.config.unit, capacity: b.burst,
                                          remaining: b.balance, resetNanos: b.nanosUntilFull(),
                                          shadow: rule.config.shadow))
            }
        }
        all.sort { a, b in
            let ua = a.capacity &- a.remaining, ub = b.capacity &- b.remaining
            if ua != ub { return ua > ub }
            if a.name != b.name { return a.name < b.name }
            return a.key < b.key
        }
        return Array(all.prefix(Swift.max(top, 0)))
    }

    /// Buckets held over every limit (for `/stats`).
    var bucketCount: Int { rules.reduce(0) { $0 + $1.table.bucketCount } }
}

/// One bucket's dry-run verdict (`POST /explain`).
struct LimitDryRun: Sendable, Equatable {
    var name: String
    var key: String
    var unit: RateLimitUnit
    var cost: Int
    var remaining: Int
    var capacity: Int
    /// allowed | limited | shadow_limited; "not_evaluated" for global buckets (a dry run never asks Redis).
    var decision: String
    var scope = "local"
}
