/// Tunables of the local limiter that are not part of the config file.
struct RateLimiterOptions: Sendable, Equatable {
    /// Shards per limit (fewer when `max_keys` is smaller; one for a limit without key parts).
    var shardCount = 16
    /// Longest key part kept, in UTF-8 bytes; longer client-supplied values are cut.
    var maxKeyPartBytes = 256
}

/// All token buckets of one config generation (SPEC §5): admission reserves the estimated cost in every
/// matching bucket at once, reconcile charges or refunds the difference when usage is known.
/// Thread-safe; shared by every event loop.
///
/// Admission is atomic across a request's buckets: the shards involved are locked together in one global
/// order, every bucket is checked, and only when all enforced ones admit is anything taken — a short
/// bucket leaves no partial reservation behind. `shadow` limits decide and count but never refuse; they
/// take only when they would have admitted (so they track what enforcing them would do), and they are
/// left out of the `x-ratelimit-*` headers.
final class RateLimiter: Sendable {
    /// The compiled limits, in config order.
    let rules: [LimitRule]
    /// How admission estimates were made (the output reservation is capped by it again here).
    let estimation: TokenEstimationConfig
    private let clock: any LimiterClock

    /// `previous`: for every limit whose definition (name, key, unit, count, limit, window, burst, match,
    /// scope) did not change, the previous generation's buckets are kept — the same table object when
    /// `max_keys` is unchanged too, else copied — so a reload never refills a budget.
    init(limits: [RateLimitConfig], estimation: TokenEstimationConfig, clock: some LimiterClock,
         previous: RateLimiter? = nil, options: RateLimiterOptions = RateLimiterOptions()) {
        self.estimation = estimation
        self.clock = clock
        var old: [String: LimitRule] = [:]
        for rule in previous?.rules ?? [] { old[rule.config.name] = rule }
        let now = clock.nowNanos()
        rules = limits.map { config in
            let fresh = LimitBucketTable(config: config, shardCount: options.shardCount)
            guard let priorRule = old[config.name], LimitRule.sameDefinition(priorRule.config, config) else {
                return LimitRule(config: config, table: fresh, maxKeyPartBytes: options.maxKeyPartBytes)
            }
            let prior = priorRule.table
            if prior.maxKeys == fresh.maxKeys && prior.shards.count == fresh.shards.count {
                return LimitRule(config: config, table: prior, maxKeyPartBytes: options.maxKeyPartBytes)
            }
            fresh.adopt(prior, now: now)
            return LimitRule(config: config, table: fresh, maxKeyPartBytes: options.maxKeyPartBytes)
        }
    }

    /// The injected clock's current time.
    func clockNow() -> UInt64 { clock.nowNanos() }

    /// Whether no limit is configured (the proxy can skip the limiter entirely).
    var isEmpty: Bool { rules.isEmpty }

    /// One matching limit during admission.
    private struct Charge {
        let rule: Int
        let key: String
        let shard: LimitBucketShard
        let cost: Int
        var bucket: TokenBucket? = nil
        var admits = false
    }

    /// Checks every matching bucket and, when all enforced ones hold the cost, reserves it in each
    /// (SPEC §5 step 1). `requests` limits cost 1; `tokens` limits cost per their `count`.
    func admit(_ subject: LimitSubject, cost: LimitCost) -> LimitDecision {
        var charges: [Charge] = []
        let output = Swift.min(cost.outputTokens, estimation.maxOutputReservation)
        for (i, rule) in rules.enumerated() where rule.matches(subject) {
            let key = rule.key(for: subject)
            let c = rule.table.cost(inputTokens: cost.inputTokens, outputTokens: output, isEmbeddings: cost.isEmbeddings)
            charges.append(Charge(rule: i, key: key, shard: rule.table.shard(for: key), cost: c))
        }
        if charges.isEmpty {
            return LimitDecision(allowed: true, rejection: nil, reservation: nil, headers: RateLimitHeaders(), outcomes: [])
        }
        let order = LimitBucketShard.lockOrder(charges.map(\.shard))
        return LimitBucketShard.withLocked(order[...]) {
            decideLocked(&charges, now: clock.nowNanos(), isEmbeddings: cost.isEmbeddings)
        }
    }

    // Runs with every involved shard locked.
    private func decideLocked(_ charges: inout [Charge], now: UInt64, isEmbeddings: Bool) -> LimitDecision {
        var refused = false
        for j in charges.indices {
            let table = rules[charges[j].rule].table
            let b = charges[j].shard.lockedStore.peek(charges[j].key, now: now) ?? table.newBucket(now: now)
            charges[j].bucket = b
            charges[j].admits = b.canTake(charges[j].cost)
            if !charges[j].admits && !rules[charges[j].rule].config.shadow { refused = true }
        }
        var outcomes: [(limit: String, decision: String)] = []
        outcomes.reserveCapacity(charges.count)
        for c in charges {
            let verdict = c.admits ? "allowed" : (rules[c.rule].config.shadow ? "shadow_limited" : "limited")
            outcomes.append((rules[c.rule].config.name, verdict))
        }
        if refused {
            return LimitDecision(allowed: false, rejection: rejection(charges), reservation: nil,
                                 headers: headers(charges), outcomes: outcomes)
        }
        var entries: [LimitReservation.Entry] = []
        entries.reserveCapacity(charges.count)
        for j in charges.indices where charges[j].admits {
            let table = rules[charges[j].rule].table
            let n = charges[j].cost
            entries.append(LimitReservation.Entry(table: table, key: charges[j].key, taken: n))
            // Taking nothing from an absent (full) bucket would only create it.
            if n == 0 && charges[j].shard.lockedStore.peek(charges[j].key, now: now) == nil { continue }
            charges[j].bucket = charges[j].shard.lockedStore.modify(charges[j].key, now: now, create: true,
                                                                     make: { table.newBucket(now: now) }) { b in
                b.take(n)
                return b
            }
        }
        let reservation = LimitReservation(entries: entries, isEmbeddings: isEmbeddings)
        return LimitDecision(allowed: true, rejection: nil, reservation: reservation, headers: headers(charges),
                             outcomes: outcomes)
    }

    /// The refusing bucket to report: one that can never pass first, else the one needing the longest wait
    /// (the request cannot pass before every bucket holds its cost).
    private func rejection(_ charges: [Charge]) -> LimitRejection? {
        var best: LimitRejection?
        for c in charges where !c.admits && !rules[c.rule].config.shadow {
            guard let b = c.bucket else { continue }
            let never = c.cost > b.burst
            let wait = never ? 0 : b.nanosUntil(c.cost)
            if let held = best, held.neverPasses || (!never && held.retryAfterNanos >= wait) { continue }
            let rule = rules[c.rule]
            best = LimitRejection(limitName: rule.config.name, key: c.key, requested: c.cost, remaining: b.remaining,
                                  retryAfterNanos: wait, neverPasses: never,
                                  message: Self.message(rule.config, key: c.key, requested: c.cost, bucket: b,
                                                        never: never, wait: wait))
        }
        return best
    }

    private static func message(_ config: RateLimitConfig, key: String, requested: Int, bucket: TokenBucket,
                                never: Bool, wait: UInt64) -> String {
        let unit = config.unit.rawValue
        if never {
            return "Rate limit '\(config.name)' for key '\(key)' can never admit this request: requested \(requested) "
                + "\(unit), remaining \(bucket.remaining), capacity \(bucket.burst)."
        }
        return "Rate limit '\(config.name)' exceeded for key '\(key)': requested \(requested) \(unit), remaining "
            + "\(bucket.remaining). Retry after \(RateLimitHeaders.formatReset(wait))."
    }

    private func headers(_ charges: [Charge]) -> RateLimitHeaders {
        var h = RateLimitHeaders()
        for c in charges where !rules[c.rule].config.shadow {
            if let b = c.bucket { h.consider(BucketHeaderState(b), unit: rules[c.rule].config.unit) }
        }
        return h
    }
}
