import Glibc
import Synchronization

/// The replica's side of the shared store (SPEC §10): connection state, the replica count seen
/// through heartbeats, the leases this replica holds, and the fallback buckets used when Redis is
/// unreachable. One per process; every loop's `RedisClient` reports to it. Thread-safe.
final class ClusterStore: Sendable {
    let config: ClusterConfig
    let tls: UpstreamTLS?
    /// This replica's name in the replica set: host name, pid and a random suffix.
    let replicaID: String
    private let address: Locked<SocketAddress?>
    private let lastResolve = Atomic<UInt64>(0)
    private let up = Atomic<Bool>(false)
    private let replicasSeen = Atomic<Int>(1)
    private let lastError = Locked<String?>(nil)
    private let leases = Locked<LeaseBook>(LeaseBook())
    private let fallbackBox = Locked<Fallback?>(nil)
    /// Admissions decided by the failure mode because Redis did not answer.
    let degradedAdmissions = Atomic<Int>(0)

    private struct Fallback {
        let rules: ObjectIdentifier
        let replicas: Int
        let limiter: RateLimiter
    }

    /// How often this replica announces itself; a replica unseen for three beats is gone.
    static let heartbeatNanos: UInt64 = 1_000_000_000
    static let replicaTTLMillis = 3_000
    /// How often expired leases are returned and lease settlements flushed.
    static let leaseFlushNanos: UInt64 = 100_000_000

    init(config: ClusterConfig, tls: UpstreamTLS?) {
        self.config = config
        self.tls = tls
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        let name = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var rng = FastRandom()
        replicaID = "\(name.isEmpty ? "sluice" : name):\(getpid()):\(String(rng.next() & 0xFFFF_FFFF, radix: 16))"
        address = Locked(Resolver.resolve(host: config.redis.address.host, port: config.redis.address.port))
    }

    // MARK: state

    var isUp: Bool { up.load(ordering: .relaxed) }
    var replicas: Int { max(1, replicasSeen.load(ordering: .relaxed)) }
    var lastErrorText: String? { lastError.get() }

    func markUp() {
        if !up.exchange(true, ordering: .relaxed) { Logger.info("cluster store \(config.redis.address) is up") }
    }

    func markDown(_ why: String) {
        lastError.withLock { $0 = why }
        if up.exchange(false, ordering: .relaxed) {
            Logger.warn("cluster store \(config.redis.address) is down (\(why)); failure_mode \(config.failureMode.rawValue)")
        }
        refreshAddressSoon()
    }

    func noteTimeout() { lastError.withLock { $0 = "timeout" } }

    func recordReplicas(_ n: Int) { replicasSeen.store(max(1, n), ordering: .relaxed) }

    /// The Redis address; host names are resolved off the loops (at start, and again in the
    /// background after a failure, at most every 5 s).
    func resolvedAddress() -> SocketAddress? { address.get() }

    private func refreshAddressSoon() {
        let host = config.redis.address.host, port = config.redis.address.port
        guard SocketAddress(host: host, port: port) == nil else { return }
        let now = SystemClock.monotonicNanos()
        let last = lastResolve.load(ordering: .relaxed)
        guard now &- last > 5_000_000_000, lastResolve.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged else { return }
        let box = address
        Thread.spawn(name: "sluice-redis-dns") {
            if let a = Resolver.resolve(host: host, port: port) { box.withLock { $0 = a } }
        }
    }

    // MARK: metrics (recorded on the loop that saw them)

    func recordError(_ op: ClusterOp, metrics: LoopMetrics) {
        metrics.add("cluster_store_errors_total", op.labels)
    }

    func recordLatency(_ op: ClusterOp, seconds: Double, metrics: LoopMetrics) {
        metrics.observe("cluster_store_latency_seconds", op.labels, seconds)
    }

    // MARK: admission

    /// Admits `charges` against Redis: leases first (no round trip when every leased bucket's lease
    /// holds the cost and no exact bucket is involved), else one `admit` script for the rest.
    /// `completion` runs on the client's loop, exactly once.
    func admit(_ charges: [GlobalCharge], isEmbeddings: Bool, client: RedisClient,
               completion: @escaping (GlobalAdmission) -> Void) {
        let now = SystemClock.monotonicNanos()
        // Optimistically take what valid leases cover; given back if the script refuses.
        let covered: [Bool] = leases.withLock { book in charges.map { $0.leased && book.take($0, now: now) } }
        let rest = charges.indices.filter { !covered[$0] }
        if rest.isEmpty {
            let entries = charges.map { GlobalReservation.Entry(charge: $0, viaLease: true) }
            let headers = leases.withLock { book in charges.compactMap { c in book.headerState(c).map { (c.unit, $0) } } }
            completion(.admitted(GlobalReservation(entries: entries, isEmbeddings: isEmbeddings), headers: headers,
                                 outcomes: charges.map { ($0.name, "allowed") }))
            return
        }
        let sent = rest.map { charges[$0] }
        // One lease refill per bucket at a time in this process: concurrent misses take only their
        // cost, or a burst of them would each take a lease and drain the shared bucket into this one.
        let refills: [Bool] = leases.withLock { book in sent.map { $0.leased && book.beginRefill($0) } }
        var args: [[UInt8]] = []
        for (c, refill) in zip(sent, refills) { args += c.admitArgs(extra: refill ? c.leaseSize : 0) }
        let endRefills = { [self] in
            leases.withLock { book in for (c, refill) in zip(sent, refills) where refill { book.endRefill(c) } }
        }
        // An admission that answers after its timeout took tokens nobody will settle: give them back.
        let undoLate: (RESPValue) -> Void = { [weak client] v in
            guard let client, let late = GlobalAdmitReply(v, count: sent.count), late.admitted else { return }
            var keys: [[UInt8]] = []
            var back: [[UInt8]] = []
            for (c, b) in zip(sent, late.buckets) where b.taken > 0 {
                keys.append(c.redisKey)
                back += c.reconcileArgs(delta: -b.taken)
            }
            if !keys.isEmpty { client.eval(.reconcile, ClusterScripts.reconcile, keys: keys, args: back) { _ in } }
        }
        client.eval(.admit, ClusterScripts.admit, keys: sent.map(\.redisKey), args: args, onLate: undoLate) { [self] reply in
            endRefills()
            guard case .success(let v) = reply, let parsed = GlobalAdmitReply(v, count: sent.count) else {
                self.giveBack(charges, covered)
                if case .success(let v) = reply { Logger.warn("cluster store: unexpected admit reply \(v)") }
                completion(.unavailable)
                return
            }
            self.markUp()
            var headers: [(RateLimitUnit, BucketHeaderState)] = []
            var outcomes: [(limit: String, decision: String)] = []
            for (c, b) in zip(sent, parsed.buckets) where !c.shadow {
                headers.append((c.unit, BucketHeaderState(limit: c.burst, remaining: max(b.remaining, 0),
                                                          resetNanos: UInt64(max(b.fullMillis, 0)) * 1_000_000)))
            }
            for (i, c) in charges.enumerated() {
                if covered[i] {
                    outcomes.append((c.name, "allowed"))
                } else if let k = sent.firstIndex(where: { $0.redisKey == c.redisKey && $0.name == c.name }) {
                    let admits = parsed.buckets[k].waitMillis == 0 || parsed.buckets[k].taken > 0
                    outcomes.append((c.name, admits ? "allowed" : (c.shadow ? "shadow_limited" : "limited")))
                }
            }
            guard parsed.admitted else {
                // Refused only by leased buckets whose lease (refilled meanwhile by another request
                // of this replica) now holds the cost: admit from the lease.
                if let admitted = self.admitFromRefilledLeases(charges, covered, sent, parsed, isEmbeddings: isEmbeddings,
                                                               headers: headers) {
                    completion(admitted)
                    return
                }
                self.giveBack(charges, covered)
                let rejection = GlobalRejection.make(sent, parsed)
                    ?? LimitRejection(limitName: sent[0].name, key: sent[0].key, requested: sent[0].cost, remaining: 0,
                                      retryAfterNanos: 1_000_000_000, neverPasses: false,
                                      message: "Rate limit '\(sent[0].name)' exceeded for key '\(sent[0].key)'.")
                completion(.refused(rejection, headers: headers, outcomes: outcomes))
                return
            }
            let now2 = SystemClock.monotonicNanos()
            var entries: [GlobalReservation.Entry] = []
            self.leases.withLock { book in
                for (i, c) in charges.enumerated() {
                    if covered[i] {
                        entries.append(GlobalReservation.Entry(charge: c, viaLease: true))
                        continue
                    }
                    guard let k = sent.firstIndex(where: { $0.redisKey == c.redisKey && $0.name == c.name }) else { continue }
                    let b = parsed.buckets[k]
                    // A shadow bucket that would have refused took nothing: nothing to settle.
                    guard b.taken > 0 || c.cost == 0 else { continue }
                    if c.leased {
                        book.grant(c, extra: b.taken - c.cost, remaining: b.remaining, fullMillis: b.fullMillis, now: now2)
                    }
                    entries.append(GlobalReservation.Entry(charge: c, viaLease: c.leased))
                }
            }
            completion(.admitted(GlobalReservation(entries: entries, isEmbeddings: isEmbeddings), headers: headers,
                                 outcomes: outcomes))
        }
    }

    /// After a refusal: when every refusing bucket is leased and the leases now cover every charge
    /// not yet covered, take those from the leases instead (nothing was taken in Redis).
    private func admitFromRefilledLeases(_ charges: [GlobalCharge], _ covered: [Bool], _ sent: [GlobalCharge],
                                         _ parsed: GlobalAdmitReply, isEmbeddings: Bool,
                                         headers: [(RateLimitUnit, BucketHeaderState)]) -> GlobalAdmission? {
        guard sent.allSatisfy(\.leased) else { return nil }
        let now = SystemClock.monotonicNanos()
        let ok = leases.withLock { book -> Bool in
            var taken: [GlobalCharge] = []
            for c in sent {
                guard book.take(c, now: now) else {
                    for t in taken { book.giveBack(t) }
                    return false
                }
                taken.append(c)
            }
            return true
        }
        guard ok else { return nil }
        let entries = charges.map { GlobalReservation.Entry(charge: $0, viaLease: true) }
        return .admitted(GlobalReservation(entries: entries, isEmbeddings: isEmbeddings), headers: headers,
                         outcomes: charges.map { ($0.name, "allowed") })
    }

    private func giveBack(_ charges: [GlobalCharge], _ covered: [Bool]) {
        leases.withLock { book in
            for (i, c) in charges.enumerated() where covered[i] { book.giveBack(c) }
        }
    }

    /// Settles a reservation: exact buckets through one `reconcile` script now; leased buckets in the
    /// next lease flush. A failed settlement is counted and dropped (the bucket refills anyway).
    func settle(_ r: GlobalReservation, input: Int?, output: Int?, client: RedisClient?) {
        let deltas = r.deltas(actualInput: input, actualOutput: output)
        guard !deltas.isEmpty else { return }
        var keys: [[UInt8]] = []
        var args: [[UInt8]] = []
        var leased: [(GlobalCharge, Int)] = []
        for (e, d) in deltas {
            if e.viaLease {
                leased.append((e.charge, d))
            } else {
                keys.append(e.charge.redisKey)
                args += e.charge.reconcileArgs(delta: d)
            }
        }
        if !leased.isEmpty { leases.withLock { book in for (c, d) in leased { book.addDelta(c, d) } } }
        if !keys.isEmpty, let client {
            client.eval(.reconcile, ClusterScripts.reconcile, keys: keys, args: args) { _ in }
        }
    }

    /// Returns expired leases (every lease with `now` = .max, at shutdown) and sends the pending lease
    /// settlements, in one script call.
    func flushLeases(client: RedisClient, now: UInt64 = SystemClock.monotonicNanos()) {
        let due = leases.withLock { $0.collect(now: now) }
        guard !due.isEmpty else { return }
        var keys: [[UInt8]] = []
        var args: [[UInt8]] = []
        for (c, d) in due {
            keys.append(c.redisKey)
            args += c.reconcileArgs(delta: d)
        }
        client.eval(.lease, ClusterScripts.reconcile, keys: keys, args: args) { _ in }
    }

    /// Tokens this replica holds in leases (`/stats`).
    var leasedTokens: Int { leases.withLock { $0.outstanding } }
    var leaseCount: Int { leases.withLock { $0.count } }

    /// Announces this replica and reads how many are alive.
    func heartbeat(client: RedisClient) {
        let key = Array((config.redis.keyPrefix + "replicas").utf8)
        client.eval(.heartbeat, ClusterScripts.heartbeat, keys: [key],
                    args: [Array(replicaID.utf8), Array(String(Self.replicaTTLMillis).utf8)]) { [self] reply in
            switch reply {
            case .success(.integer(let n)):
                self.markUp()
                self.recordReplicas(n)
            case .success(let v):
                self.markDown("heartbeat: \(v)")
            case .failure(let f):
                self.markDown("heartbeat: \(f)")
            }
        }
    }

    /// Leaves the replica set (on shutdown; best effort).
    func leave(client: RedisClient) {
        let key = Array((config.redis.keyPrefix + "replicas").utf8)
        client.send(.heartbeat, RESPEncoder.command([Array("ZREM".utf8), key, Array(replicaID.utf8)])) { _ in }
    }

    // MARK: failure mode local

    /// Local buckets standing in for `limits` while Redis is unreachable: each sized limit ÷ replicas
    /// seen (the last count the heartbeats gave), kept while that count and the limits stay the same.
    func fallbackLimiter(for limits: GlobalLimits, estimation: TokenEstimationConfig) -> RateLimiter {
        let n = replicas
        let id = ObjectIdentifier(limits)
        return fallbackBox.withLock { box in
            if let f = box, f.rules == id, f.replicas == n { return f.limiter }
            let scaled = limits.rules.map { r -> RateLimitConfig in
                var c = r.config
                c.scope = .local
                c.limit = max(1, (c.limit + n - 1) / n)
                c.burst = max(1, (c.burst + n - 1) / n)
                return c
            }
            let limiter = RateLimiter(limits: scaled, estimation: estimation, clock: MonotonicLimiterClock(), previous: box?.limiter)
            box = Fallback(rules: id, replicas: n, limiter: limiter)
            return limiter
        }
    }
}

extension ClusterOp {
    var labels: String { "op=\"" + rawValue + "\"" }
}

extension ClusterStore {
    /// Returns every lease at once (shutdown), with the pending settlements.
    func returnAllLeases(client: RedisClient) { flushLeases(client: client, now: UInt64.max) }
}
