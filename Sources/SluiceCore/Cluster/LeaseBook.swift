/// The leases this replica holds (mode: leased), by bucket, and the settlements waiting for the
/// next flush. Guarded by the store's lock.
struct LeaseBook {
    private struct Lease {
        var charge: GlobalCharge
        var tokens: Int
        var expiresAt: UInt64
        var remaining: Int
        var fullMillis: Int
    }
    private var leases: [LeaseKey: Lease] = [:]
    private var deltas: [LeaseKey: (GlobalCharge, Int)] = [:]
    /// Buckets with a lease refill in flight (at most one each).
    private var refilling: Set<LeaseKey> = []
    /// Most buckets with a lease or a pending settlement; past it new leases are not kept.
    static let maxEntries = 100_000

    private struct LeaseKey: Hashable {
        let limit: String
        let key: String
    }

    var count: Int { leases.count }
    var outstanding: Int { leases.values.reduce(0) { $0 + max($1.tokens, 0) } }

    /// Claims the bucket's one refill slot; false when a refill is already in flight.
    mutating func beginRefill(_ c: GlobalCharge) -> Bool {
        refilling.insert(LeaseKey(limit: c.name, key: c.key)).inserted
    }

    mutating func endRefill(_ c: GlobalCharge) {
        refilling.remove(LeaseKey(limit: c.name, key: c.key))
    }

    /// Takes the cost from a live lease that holds it.
    mutating func take(_ c: GlobalCharge, now: UInt64) -> Bool {
        let k = LeaseKey(limit: c.name, key: c.key)
        guard var l = leases[k], l.expiresAt > now, l.tokens >= c.cost else { return false }
        l.tokens -= c.cost
        leases[k] = l
        return true
    }

    mutating func giveBack(_ c: GlobalCharge) {
        let k = LeaseKey(limit: c.name, key: c.key)
        if var l = leases[k] {
            l.tokens += c.cost
            leases[k] = l
        } else {
            addDelta(c, -c.cost)
        }
    }

    /// Adds what the script granted beyond the cost to the bucket's lease, renewing it.
    mutating func grant(_ c: GlobalCharge, extra: Int, remaining: Int, fullMillis: Int, now: UInt64) {
        let k = LeaseKey(limit: c.name, key: c.key)
        if var l = leases[k] {
            l.tokens += max(extra, 0)
            l.expiresAt = now &+ c.leaseTTLNanos
            l.remaining = remaining
            l.fullMillis = fullMillis
            leases[k] = l
        } else if leases.count < Self.maxEntries {
            leases[k] = Lease(charge: c, tokens: max(extra, 0), expiresAt: now &+ c.leaseTTLNanos, remaining: remaining,
                              fullMillis: fullMillis)
        } else if extra > 0 {
            addDelta(c, -extra)
        }
    }

    /// A settlement (actual − reserved) for the next flush.
    mutating func addDelta(_ c: GlobalCharge, _ d: Int) {
        let k = LeaseKey(limit: c.name, key: c.key)
        if let (ch, held) = deltas[k] {
            deltas[k] = (ch, held + d)
        } else if deltas.count < Self.maxEntries {
            deltas[k] = (c, d)
        }
    }

    /// The header state last seen for a leased bucket (what Redis said when the lease was granted,
    /// less what this replica took since).
    func headerState(_ c: GlobalCharge) -> BucketHeaderState? {
        guard let l = leases[LeaseKey(limit: c.name, key: c.key)] else { return nil }
        return BucketHeaderState(limit: c.burst, remaining: max(l.remaining + l.tokens, 0),
                                 resetNanos: UInt64(max(l.fullMillis, 0)) * 1_000_000)
    }

    /// Removes expired leases (their unused tokens go back) and the pending settlements: what to send.
    mutating func collect(now: UInt64) -> [(GlobalCharge, Int)] {
        var out: [LeaseKey: (GlobalCharge, Int)] = deltas
        deltas = [:]
        for (k, l) in leases where l.expiresAt <= now {
            leases[k] = nil
            guard l.tokens != 0 else { continue }
            if let (c, d) = out[k] { out[k] = (c, d - l.tokens) } else { out[k] = (l.charge, -l.tokens) }
        }
        return out.values.filter { $0.1 != 0 }
    }
}
