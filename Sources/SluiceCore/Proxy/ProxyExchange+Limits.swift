/// Token limiter admission and settlement (SPEC §5, §10): reserve the estimate in every matching
/// bucket before the upstream call — local buckets here, global ones in Redis — and replace it with
/// the real usage when the response ends.
extension ProxyExchange {
    enum AdmissionOutcome { case admitted, refused, pending }

    func limitSubject() -> LimitSubject {
        var headers: [String: String] = [:]
        for name in snap.limitHeaderNames {
            if let v = preq.headers.firstString(name) { headers[name] = v }
        }
        let ip = ClientAddress.resolve(peer: request.peer, peerText: request.peerHost, headers: request.head.headers,
                                       trusted: snap.config.server.trustedProxies)
        return LimitSubject(tenant: identity?.tenant, apiKeyName: identity?.keyName, clientIP: ip, model: model,
                            route: preq.routeName, headers: headers)
    }

    /// Admission. `.refused`: the request was answered (429/503). `.pending`: global buckets are being
    /// asked; `admitted(index:)` or an answer follows on this loop.
    func admit(index: JSONObjectIndex) -> AdmissionOutcome {
        let globals = snap.globalLimits
        guard snap.limiter != nil || globals != nil else { return .admitted }
        let isEmbeddings = api == .embeddings
        let cost = preq.body.withUnsafeBytes { raw in
            LimitCost(inputTokens: snap.tokenEstimator.inputTokens(body: raw, index: index),
                      outputTokens: snap.tokenEstimator.outputReservation(body: raw, index: index, isEmbeddings: isEmbeddings),
                      isEmbeddings: isEmbeddings)
        }
        let subject = limitSubject()
        if let limiter = snap.limiter {
            let decision = limiter.admit(subject, cost: cost)
            recordOutcomes(decision.outcomes)
            limitHeaders = decision.headers
            if !decision.allowed, let r = decision.rejection {
                reject(r)
                return .refused
            }
            reservation = decision.reservation
            reservationLimiter = limiter
        }
        guard let globals else { return .admitted }
        let charges = globals.charges(for: subject, cost: cost, maxOutput: snap.config.tokenEstimation.maxOutputReservation)
        guard !charges.isEmpty else { return .admitted }
        guard let client = ctx.cluster else {
            // The cluster section came with a reload that needs a restart: limit per replica meanwhile.
            return applyGlobal(.unavailable, globals: globals, subject: subject, cost: cost) ? .admitted : .refused
        }
        var sync = true
        var immediate: GlobalAdmission?
        let store = client.store
        store.admit(charges, isEmbeddings: isEmbeddings, client: client) { [weak self] result in
            if sync {
                immediate = result
                return
            }
            guard let self, !self.done else {
                // The client left while Redis answered: nothing will be settled for it.
                if case .admitted(let r, _, _) = result { store.settle(r, input: nil, output: nil, client: client) }
                return
            }
            if self.applyGlobal(result, globals: globals, subject: subject, cost: cost) { self.admitted(index: index) }
        }
        sync = false
        if let r = immediate {
            return applyGlobal(r, globals: globals, subject: subject, cost: cost) ? .admitted : .refused
        }
        return .pending
    }

    /// Applies the global verdict (or the failure mode when Redis did not answer); true when admitted.
    private func applyGlobal(_ result: GlobalAdmission, globals: GlobalLimits, subject: LimitSubject, cost: LimitCost) -> Bool {
        switch result {
        case .admitted(let r, let headers, let outcomes):
            recordOutcomes(outcomes)
            mergeHeaders(headers)
            globalReservation = r
            return true
        case .refused(let rejection, let headers, let outcomes):
            recordOutcomes(outcomes)
            mergeHeaders(headers)
            cancelLocalReservation()
            reject(rejection)
            return false
        case .unavailable:
            let mode = snap.config.cluster?.failureMode ?? .local
            ctx.cluster?.store.degradedAdmissions.wrappingAdd(1, ordering: .relaxed)
            switch mode {
            case .failOpen:
                return true
            case .failClosed:
                cancelLocalReservation()
                fail(.limiterUnavailable())
                return false
            case .local:
                let fallback = ctx.cluster?.store.fallbackLimiter(for: globals, estimation: snap.config.tokenEstimation)
                    ?? globals.standIn(estimation: snap.config.tokenEstimation)
                let d = fallback.admit(subject, cost: cost)
                recordOutcomes(d.outcomes)
                if let h = d.headers.requests { mergeHeaders([(.requests, h)]) }
                if let h = d.headers.tokens { mergeHeaders([(.tokens, h)]) }
                if !d.allowed, let r = d.rejection {
                    cancelLocalReservation()
                    reject(r)
                    return false
                }
                if let extra = d.reservation {
                    if var held = reservation {
                        held.entries += extra.entries
                        reservation = held
                    } else {
                        reservation = extra
                        reservationLimiter = fallback
                    }
                }
                return true
            }
        }
    }

    private func recordOutcomes(_ outcomes: [(limit: String, decision: String)]) {
        for o in outcomes { ctx.metrics.addRateLimitDecision(limit: o.limit, decision: o.decision) }
    }

    private func mergeHeaders(_ states: [(RateLimitUnit, BucketHeaderState)]) {
        guard !states.isEmpty else { return }
        var h = limitHeaders ?? RateLimitHeaders()
        for (unit, s) in states { h.consider(s, unit: unit) }
        limitHeaders = h
    }

    private func cancelLocalReservation() {
        if let r = reservation, let l = reservationLimiter { l.cancel(r) }
        reservation = nil
    }

    private func reject(_ r: LimitRejection) {
        limitedBy = r.limitName
        var e = GatewayError(status: 429, type: "rate_limit_error", code: "rate_limit_exceeded", message: r.message)
        var retry: [(String, String)] = []
        r.writeRetryHeaders(into: &retry)
        e.headers += retry
        fail(e)
    }

    /// A cache hit passes no bucket: its headers are read without taking.
    func peekLimits() {
        guard let limiter = snap.limiter, preq.routeName != nil else { return }
        limitHeaders = limiter.peek(limitSubject())
    }

    /// Settles the reservation: real (or estimated) usage for an upstream 2xx answer — also when
    /// the client left mid-stream — and a refund of the tokens otherwise.
    func settleLimits(input: Int?, output: Int?) {
        let ok = relay.head.map { (200..<300).contains($0.status) } ?? false
        if let r = reservation, let limiter = reservationLimiter {
            reservation = nil
            if ok {
                limiter.reconcile(r, inputTokens: input ?? 0, outputTokens: output ?? 0)
            } else {
                limiter.refund(r)
            }
        }
        if let g = globalReservation, let client = ctx.cluster {
            globalReservation = nil
            client.store.settle(g, input: ok ? input ?? 0 : nil, output: ok ? output ?? 0 : nil, client: client)
        }
    }

    /// Appends the x-ratelimit-* lines.
    func writeLimitHeaders(into out: inout [UInt8]) {
        guard let h = limitHeaders, !h.isEmpty else { return }
        h.write(into: &out)
    }
}
