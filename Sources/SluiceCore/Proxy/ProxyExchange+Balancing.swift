/// Choosing the target and endpoint of each attempt (SPEC §2 load_balancing, §11 retries).
///
/// Health first: a pass over the route's primaries, then its fallbacks in order, takes only
/// healthy endpoints (not failing active checks, not ejected), so a route whose primaries are all
/// down goes straight to a healthy fallback. When no target has a healthy endpoint, a second pass
/// takes the unhealthy ones anyway (panic mode, as Envoy does below its panic threshold): a health
/// verdict may be stale, and trying beats refusing. If those tries cannot connect, the answer is
/// 503 `no_healthy_backend`.
///
/// Per request this costs one relaxed atomic load per endpoint looked at (usually one or two) and,
/// for prefix_affinity, one hash of at most 2 KiB of prompt text and a binary search of the ring.
extension ProxyExchange {
    /// Picks the next target (primaries, then fallbacks in order) and sends the request.
    func nextAttempt() {
        let route = snap.routes[routeIndex]
        guard let (slot, t, ep) = choose(route, allowPanic: false) ?? choose(route, allowPanic: true) else {
            fail(attempts == 0 ? .noHealthyBackend(route.targets.first?.backend.name ?? route.name)
                 : relay.lastFailure ?? .upstreamUnavailable("no endpoint left to try"))
            return
        }
        if slot < 0 {
            primaryTriesLeft -= 1
        } else {
            primaryTriesLeft = 0
            fallbackCursor = slot + 1
        }
        if pickedHealthy { triedHealthy = true }
        target = t
        endpoint = ep
        attempts += 1
        send(fresh: false)
    }

    func hasNextAttempt() -> Bool {
        let route = snap.routes[routeIndex]
        return primaryTriesLeft > 0 || fallbackCursor < route.fallbacks.count
    }

    /// The next (slot, target, endpoint) without consuming tries: slot -1 for a primary, else the
    /// fallback's index. Without `allowPanic` only healthy endpoints qualify.
    private func choose(_ route: CompiledRoute, allowPanic: Bool) -> (Int, CompiledTarget, UpstreamEndpoint)? {
        if primaryTriesLeft > 0, let (t, ep) = pickPrimary(route, allowPanic: allowPanic) { return (-1, t, ep) }
        var i = fallbackCursor
        while i < route.fallbacks.count {
            let t = route.fallbacks[i]
            if let ep = pickEndpoint(t.backend, allowPanic: allowPanic) { return (i, t, ep) }
            i += 1
        }
        return nil
    }

    /// A primary target by weight, and one of its endpoints.
    private func pickPrimary(_ route: CompiledRoute, allowPanic: Bool) -> (CompiledTarget, UpstreamEndpoint)? {
        if route.targets.count == 1 {
            return pickEndpoint(route.targets[0].backend, allowPanic: allowPanic).map { (route.targets[0], $0) }
        }
        var candidates = route.targets
        while !candidates.isEmpty {
            let total = candidates.reduce(0) { $0 + max($1.weight, 0) }
            var pick = 0
            if candidates.count > 1 && total > 0 {
                var r = Int(ctx.random.next() % UInt64(total))
                for (i, c) in candidates.enumerated() {
                    r -= max(c.weight, 0)
                    if r < 0 { pick = i; break }
                }
            }
            if let ep = pickEndpoint(candidates[pick].backend, allowPanic: allowPanic) { return (candidates[pick], ep) }
            candidates.remove(at: pick)
        }
        return nil
    }

    /// An endpoint of `backend` not excluded for this request (sets `pickedHealthy`):
    /// - `least_request`: the less loaded of two random healthy candidates (power of two choices,
    ///   by process-wide in-flight counts);
    /// - `prefix_affinity`: consistent hashing with bounded loads over the prompt prefix (`HashRing`);
    /// - `round_robin`: rotates per loop, skipping unhealthy endpoints.
    /// An unhealthy endpoint is returned only with `allowPanic`.
    func pickEndpoint(_ backend: CompiledBackend, allowPanic: Bool) -> UpstreamEndpoint? {
        let eps = backend.endpoints
        guard !eps.isEmpty else { return nil }
        let now = ctx.loop.now
        if let ring = backend.ring, let load = backend.load, ring.count == eps.count {
            let capacity = HashRing.capacity(totalLoad: load.inFlight.load(ordering: .relaxed), endpoints: eps.count)
            let choice = ring.choose(hash: promptHash(), capacity: capacity) { i in
                let ep = eps[i]
                if !excluded.isEmpty && excluded.contains(ObjectIdentifier(ep)) { return .excluded }
                guard ep.isAvailable(now: now) else { return .unavailable }
                return .available(load: ep.inFlight.load(ordering: .relaxed))
            }
            guard let c = choice, c.healthy || allowPanic else { return nil }
            pickedHealthy = c.healthy
            return eps[c.index]
        }
        if backend.loadBalancing == .leastRequest && eps.count > 1 && excluded.isEmpty {
            let i = Int(ctx.random.next() % UInt64(eps.count))
            var j = Int(ctx.random.next() % UInt64(eps.count - 1))
            if j >= i { j += 1 }
            let a = eps[i], b = eps[j]
            let aUp = a.isAvailable(now: now), bUp = b.isAvailable(now: now)
            if aUp || bUp {
                pickedHealthy = true
                if aUp && bUp { return a.inFlight.load(ordering: .relaxed) <= b.inFlight.load(ordering: .relaxed) ? a : b }
                return aUp ? a : b
            }
            // Both down: the scan below finds a healthy one if any is left.
        }
        let startAt = ctx.roundRobin[backend.name, default: 0]
        var panic = -1
        for k in 0..<eps.count {
            let i = (startAt + k) % eps.count
            let ep = eps[i]
            if !excluded.isEmpty && excluded.contains(ObjectIdentifier(ep)) { continue }
            if ep.isAvailable(now: now) {
                ctx.roundRobin[backend.name] = (i + 1) % eps.count
                pickedHealthy = true
                return ep
            }
            if panic < 0 { panic = i }
        }
        guard allowPanic, panic >= 0 else { return nil }
        ctx.roundRobin[backend.name] = (panic + 1) % eps.count
        pickedHealthy = false
        return eps[panic]
    }

    /// The prompt-prefix hash of this request (computed once).
    private func promptHash() -> UInt64 {
        if let h = affinityHash { return h }
        var h: UInt64 = 0
        if let index = baseIndex {
            h = baseBody.withUnsafeBytes { PromptPrefix.hash(body: $0, index: index) }
        }
        affinityHash = h
        return h
    }
}
