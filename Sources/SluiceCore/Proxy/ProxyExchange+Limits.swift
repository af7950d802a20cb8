/// Token limiter admission and settlement (SPEC §5): reserve the estimate in every matching
/// bucket before the upstream call; replace it with the real usage when the response ends.
extension ProxyExchange {
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

    /// Admission; false when the request was answered (429).
    func admit(index: JSONObjectIndex) -> Bool {
        guard let limiter = snap.limiter else { return true }
        let isEmbeddings = api == .embeddings
        let cost = preq.body.withUnsafeBytes { raw in
            LimitCost(inputTokens: snap.tokenEstimator.inputTokens(body: raw, index: index),
                      outputTokens: snap.tokenEstimator.outputReservation(body: raw, index: index, isEmbeddings: isEmbeddings),
                      isEmbeddings: isEmbeddings)
        }
        let decision = limiter.admit(limitSubject(), cost: cost)
        for o in decision.outcomes {
            ctx.metrics.add("ratelimit_decisions_total", MetricLabels.render(["limit": o.limit, "decision": o.decision]))
        }
        limitHeaders = decision.headers
        if decision.allowed {
            reservation = decision.reservation
            return true
        }
        guard let r = decision.rejection else { return true }
        limitedBy = r.limitName
        var e = GatewayError(status: 429, type: "rate_limit_error", code: "rate_limit_exceeded", message: r.message)
        var retry: [(String, String)] = []
        r.writeRetryHeaders(into: &retry)
        e.headers += retry
        fail(e)
        return false
    }

    /// A cache hit passes no bucket: its headers are read without taking.
    func peekLimits() {
        guard let limiter = snap.limiter, preq.routeName != nil else { return }
        limitHeaders = limiter.peek(limitSubject())
    }

    /// Settles the reservation: real (or estimated) usage for an upstream 2xx answer — also when
    /// the client left mid-stream — and a refund of the tokens otherwise.
    func settleLimits(input: Int?, output: Int?) {
        guard let r = reservation, let limiter = snap.limiter else { return }
        reservation = nil
        if let s = relay.head?.status, (200..<300).contains(s) {
            limiter.reconcile(r, inputTokens: input ?? 0, outputTokens: output ?? 0)
        } else {
            limiter.refund(r)
        }
    }

    /// Appends the x-ratelimit-* lines.
    func writeLimitHeaders(into out: inout [UInt8]) {
        guard let h = limitHeaders, !h.isEmpty else { return }
        var pairs: [(String, String)] = []
        h.write(into: &pairs)
        for (n, v) in pairs {
            out.append(contentsOf: n.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: v.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
    }
}
