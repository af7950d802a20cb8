/// A consistent-hash ring over a backend's endpoints, for `load_balancing: prefix_affinity`.
/// Pure and immutable; built with the snapshot, read by every loop.
///
/// Each endpoint owns `virtualNodes` points (hashes of its key and a counter), so removing or
/// adding one endpoint moves only the prefixes it owned. `choose` implements consistent hashing
/// with bounded loads (Mirrokni, Thorup, Zadimoghaddam, "Consistent Hashing with Bounded Loads",
/// 2016): walk clockwise from the request's hash and take the first endpoint whose load is below
/// ceil(c × (total + 1) / n), so a hot prefix spills over to the next endpoints instead of
/// overloading one replica. Keys and hashes are deterministic: every gateway replica maps a prefix
/// to the same endpoint.
struct HashRing: Sendable {
    /// Points per endpoint: enough for an even spread (about ±10 % for a handful of endpoints).
    static let defaultVirtualNodes = 128
    /// The "c" of the bounded-load rule.
    static let loadFactor = 1.25

    /// Sorted point hashes.
    private let points: [UInt64]
    /// Endpoint index of each point.
    private let owners: [Int32]
    /// Number of endpoints.
    let count: Int

    /// What a balancer knows of one endpoint while walking the ring.
    enum Candidate {
        /// Already tried by this request (a 429): never taken.
        case excluded
        /// Unhealthy or ejected: taken only when nothing else is left (panic).
        case unavailable
        /// Healthy, with its in-flight requests.
        case available(load: Int)
    }

    /// The chosen endpoint index; `healthy` is false when only an unavailable one was left.
    struct Choice: Equatable {
        var index: Int
        var healthy: Bool
    }

    /// A ring over endpoints named by `keys` (index i of the result refers to `keys[i]`).
    init(keys: [String], virtualNodes: Int = HashRing.defaultVirtualNodes) {
        var pairs: [(UInt64, Int32)] = []
        pairs.reserveCapacity(keys.count * virtualNodes)
        for (i, key) in keys.enumerated() {
            let base = Array(key.utf8)
            for v in 0..<virtualNodes {
                var h = PrefixHasher(limit: Int.max)
                base.withUnsafeBytes { h.feed($0) }
                withUnsafeBytes(of: UInt32(v).littleEndian) { h.feed($0) }
                pairs.append((h.finish(), Int32(i)))
            }
        }
        pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        points = pairs.map(\.0)
        owners = pairs.map(\.1)
        count = keys.count
    }

    /// ceil(c × (total + 1) / n): the most requests one endpoint may carry, the new one included.
    @inline(__always)
    static func capacity(totalLoad: Int, endpoints: Int, factor: Double = loadFactor) -> Int {
        guard endpoints > 0 else { return Int.max }
        let c = (factor * Double(max(totalLoad, 0) + 1) / Double(endpoints)).rounded(.up)
        return max(1, Int(c))
    }

    /// Index of the first point at or after `hash`, wrapping to 0. O(log points).
    func firstPoint(atOrAfter hash: UInt64) -> Int {
        var lo = 0, hi = points.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if points[mid] < hash { lo = mid + 1 } else { hi = mid }
        }
        return lo == points.count ? 0 : lo
    }

    /// The endpoint for `hash`: the first available one clockwise whose load is below `capacity`;
    /// else the first available one (all are over capacity); else the first one not excluded
    /// (panic: none is healthy); nil when every endpoint is excluded. `candidate` is asked about
    /// each endpoint met on the way (usually just the first).
    func choose(hash: UInt64, capacity: Int, _ candidate: (Int) -> Candidate) -> Choice? {
        guard !points.isEmpty else { return nil }
        var i = firstPoint(atOrAfter: hash)
        var overloaded = -1, panic = -1
        // Endpoints already met (exact for up to 64 endpoints; larger rings walk every point once).
        var seen: UInt64 = 0
        var seenCount = 0
        for _ in 0..<points.count {
            let e = Int(owners[i])
            i += 1
            if i == points.count { i = 0 }
            if e < 64 {
                let bit: UInt64 = 1 << UInt64(e)
                if seen & bit != 0 { continue }
                seen |= bit
                seenCount += 1
            }
            switch candidate(e) {
            case .excluded:
                break
            case .unavailable:
                if panic < 0 { panic = e }
            case .available(let load):
                if load < capacity { return Choice(index: e, healthy: true) }
                if overloaded < 0 { overloaded = e }
            }
            if count <= 64 && seenCount == count { break }
        }
        if overloaded >= 0 { return Choice(index: overloaded, healthy: true) }
        if panic >= 0 { return Choice(index: panic, healthy: false) }
        return nil
    }
}
