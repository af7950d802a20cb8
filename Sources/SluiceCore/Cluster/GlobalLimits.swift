/// The `scope: global` limits of one config generation (SPEC §10): which of them a request
/// matches, and what it asks of each bucket in Redis. Immutable; built with the snapshot.
final class GlobalLimits: Sendable {
    let rules: [LimitRule]
    private let keyPrefix: String
    fileprivate let standInBox = Locked<RateLimiter?>(nil)

    init(rules: [LimitRule], keyPrefix: String) {
        self.rules = rules
        self.keyPrefix = keyPrefix
    }

    /// The global buckets `subject` touches, with its cost in each (output capped as locally).
    func charges(for subject: LimitSubject, cost: LimitCost, maxOutput: Int) -> [GlobalCharge] {
        var out: [GlobalCharge] = []
        let output = min(cost.outputTokens, maxOutput)
        for rule in rules where rule.matches(subject) {
            let key = rule.key(for: subject)
            let c = rule.table.cost(inputTokens: cost.inputTokens, outputTokens: output, isEmbeddings: cost.isEmbeddings)
            out.append(GlobalCharge(rule: rule, key: key, redisKey: redisKey(rule.config.name, key), cost: c))
        }
        return out
    }

    /// `<prefix>rl:<limit name>:<bucket key>`; bucket keys hold names, never raw API keys.
    func redisKey(_ limit: String, _ key: String) -> [UInt8] {
        Array((keyPrefix + "rl:" + limit + ":" + key).utf8)
    }

    var isEmpty: Bool { rules.isEmpty }
}

/// One global bucket a request is charged.
struct GlobalCharge: Sendable {
    let rule: LimitRule
    let key: String
    let redisKey: [UInt8]
    let cost: Int

    var name: String { rule.config.name }
    var unit: RateLimitUnit { rule.config.unit }
    var shadow: Bool { rule.config.shadow }
    /// Leases only for enforced limits in `mode: leased`; shadow limits are always exact.
    var leased: Bool { rule.config.mode == .leased && !rule.config.shadow }
    var limit: Int { rule.table.limit }
    var burst: Int { rule.table.burst }
    /// The window in whole milliseconds (at least 1): the scripts' time unit.
    var windowMillis: Int { Int(max(rule.table.windowNanos / 1_000_000, 1)) }
    /// Tokens taken beyond the cost when a lease is (re)filled.
    var leaseSize: Int { max(1, Int((Double(burst) * rule.config.leaseFraction).rounded(.up))) }
    var leaseTTLNanos: UInt64 { max(rule.config.leaseTTL.nanosecondsClamped, 1_000_000) }

    /// The six admission arguments of `ClusterScripts.admit`.
    func admitArgs(extra: Int) -> [[UInt8]] {
        [cost, limit, windowMillis, burst, extra, shadow ? 1 : 0].map { Array(String($0).utf8) }
    }

    /// The four arguments of `ClusterScripts.reconcile`.
    func reconcileArgs(delta: Int) -> [[UInt8]] {
        [delta, limit, windowMillis, burst].map { Array(String($0).utf8) }
    }
}

/// Per bucket, what the admission script answered.
struct GlobalBucketReply: Sendable, Equatable {
    var taken: Int
    var remaining: Int
    var waitMillis: Int
    var fullMillis: Int
}

/// The admission script's answer, parsed.
struct GlobalAdmitReply: Sendable, Equatable {
    var admitted: Bool
    var buckets: [GlobalBucketReply]

    /// Nil when the reply is not the script's shape for `count` buckets.
    init?(_ v: RESPValue, count: Int) {
        guard case .array(let items?) = v, items.count == 1 + 4 * count, let ok = items[0].int else { return nil }
        admitted = ok == 1
        buckets = []
        buckets.reserveCapacity(count)
        for i in 0..<count {
            guard let t = items[1 + 4 * i].int, let r = items[2 + 4 * i].int, let w = items[3 + 4 * i].int,
                  let f = items[4 + 4 * i].int else { return nil }
            buckets.append(GlobalBucketReply(taken: t, remaining: r, waitMillis: w, fullMillis: f))
        }
    }

    init(admitted: Bool, buckets: [GlobalBucketReply]) {
        self.admitted = admitted
        self.buckets = buckets
    }
}

/// What a request took from global buckets, to settle when it ends.
struct GlobalReservation: Sendable {
    struct Entry: Sendable {
        let charge: GlobalCharge
        /// Taken through a lease (settled in the next lease flush) rather than directly in Redis.
        let viaLease: Bool
    }
    var entries: [Entry]
    var isEmbeddings: Bool

    /// Per entry, the token difference to apply: actual − reserved for a reconcile; −reserved for a
    /// refund. `requests` buckets never change after admission.
    func deltas(actualInput: Int?, actualOutput: Int?) -> [(Entry, Int)] {
        var out: [(Entry, Int)] = []
        for e in entries where e.charge.unit == .tokens {
            let reserved = e.charge.cost
            let d: Int
            if let i = actualInput, let o = actualOutput {
                d = e.charge.rule.table.cost(inputTokens: i, outputTokens: o, isEmbeddings: isEmbeddings) - reserved
            } else {
                d = -reserved
            }
            if d != 0 { out.append((e, d)) }
        }
        return out
    }
}

/// The outcome of a global admission.
enum GlobalAdmission: Sendable {
    case admitted(GlobalReservation, headers: [(RateLimitUnit, BucketHeaderState)], outcomes: [(limit: String, decision: String)])
    case refused(LimitRejection, headers: [(RateLimitUnit, BucketHeaderState)], outcomes: [(limit: String, decision: String)])
    /// Redis could not answer within `timeout`: the failure mode decides.
    case unavailable
}

/// The 429 for a refusing global bucket, worded as the local limiter words it.
enum GlobalRejection {
    static func make(_ charges: [GlobalCharge], _ reply: GlobalAdmitReply) -> LimitRejection? {
        var best: LimitRejection?
        for (c, b) in zip(charges, reply.buckets) where !c.shadow && b.waitMillis > 0 {
            let never = c.cost > c.burst
            let wait = never ? 0 : UInt64(max(b.waitMillis, 1)) * 1_000_000
            if let held = best, held.neverPasses || (!never && held.retryAfterNanos >= wait) { continue }
            let unit = c.unit.rawValue
            let message = never
                ? "Rate limit '\(c.name)' for key '\(c.key)' can never admit this request: requested \(c.cost) \(unit), "
                    + "remaining \(max(b.remaining, 0)), capacity \(c.burst)."
                : "Rate limit '\(c.name)' exceeded for key '\(c.key)': requested \(c.cost) \(unit), remaining "
                    + "\(max(b.remaining, 0)). Retry after \(RateLimitHeaders.formatReset(wait))."
            best = LimitRejection(limitName: c.name, key: c.key, requested: c.cost, remaining: max(b.remaining, 0),
                                  retryAfterNanos: wait, neverPasses: never, message: message)
        }
        return best
    }
}

extension GlobalLimits {
    /// Local buckets standing in for the global limits when no store is running (a reload added
    /// `cluster`, which needs a restart): one replica's worth, built once per generation.
    func standIn(estimation: TokenEstimationConfig) -> RateLimiter {
        standInBox.withLock { held in
            if let l = held { return l }
            let l = RateLimiter(limits: rules.map { var c = $0.config; c.scope = .local; return c }, estimation: estimation,
                                clock: MonotonicLimiterClock())
            held = l
            return l
        }
    }
}
