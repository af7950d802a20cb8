/// What the admin endpoint needs from the running gateway (implemented by `Gateway`).
protocol AdminBackend: AnyObject, Sendable {
    var store: ConfigStore { get }
    var state: ServerState { get }
    var stats: GatewayStats { get }
    var accessLog: AccessLog { get }
    /// Bytes of read buffers the loops' connections hold now (0 when every connection is idle).
    var readBufferBytes: Int { get }
    /// SHA-256 (hex) of the loaded config file.
    var configDigest: String { get }
    /// Re-reads the config file: the new generation, or the errors (old config kept), and the
    /// settings that need a restart.
    func reload() -> Result<(generation: Int, restartRequired: [String]), ConfigErrors>
    /// Every known upstream endpoint.
    func endpoints() -> [UpstreamEndpoint]
    /// The prompt-cache stores by processor name.
    func caches() -> [(String, PromptCacheStore)]
    /// Gathers the loops' metrics and calls `done` on `loop`.
    func collectMetrics(on loop: EventLoop, _ done: @escaping (MetricsSnapshot) -> Void)
    /// The shared store (`cluster`), when configured.
    var cluster: ClusterStore? { get }
    /// Drops the entries of the shared prompt caches in Redis (`DELETE /cache`); call on `loop`.
    func purgeSharedCaches(on loop: EventLoop)
}

/// The admin listener's handler (SPEC §6). GET calls are open; mutations need the bearer token
/// when `admin.token` is set (compared in constant time). Never serves data-plane paths.
final class AdminHandler: HTTPServerHandler {
    let backend: AdminBackend
    let loop: EventLoop

    init(backend: AdminBackend, loop: EventLoop) {
        self.backend = backend
        self.loop = loop
    }

    func screenHead(_ head: HTTPRequestHead, peer: SocketAddress?) -> GatewayError? {
        switch (head.path, head.method) {
        case ("/healthz", .get), ("/readyz", .get), ("/metrics", .get), ("/stats", .get), ("/config", .get),
             ("/backends", .get), ("/reload", .post), ("/cache", .get), ("/cache", .delete), ("/explain", .post), ("/ratelimits", .get):
            break
        case ("/healthz", _), ("/readyz", _), ("/metrics", _), ("/stats", _), ("/config", _), ("/backends", _), ("/reload", _),
             ("/cache", _), ("/explain", _), ("/ratelimits", _):
            return .methodNotAllowed()
        default:
            return .notFound(head.path)
        }
        if head.method != .get && !authorized(head) {
            return GatewayError(status: 401, type: "authentication_error", code: "invalid_admin_token",
                                message: "Admin mutations need Authorization: Bearer <admin token>")
        }
        return nil
    }

    private func authorized(_ head: HTTPRequestHead) -> Bool {
        let token = backend.store.snapshot().config.admin.token ?? ""
        if token.isEmpty { return true }
        guard let v = head.headers.first("authorization") else { return false }
        let expected = Array(("Bearer " + token).utf8)
        return Self.constantTimeEquals(Array(v), expected)
    }

    /// Compares without early exit so timing does not reveal the matching prefix.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            diff |= x ^ y
        }
        return diff == 0
    }

    func handle(_ request: ServerRequest, responder: HTTPResponder) {
        switch request.head.path {
        case "/healthz":
            text(responder, 200, "ok\n")
        case "/readyz":
            let ready = backend.state.ready.load(ordering: .relaxed) && !backend.state.isDraining
            text(responder, ready ? 200 : 503, ready ? "ready\n" : "not ready\n")
        case "/metrics":
            let backend = self.backend
            backend.collectMetrics(on: loop) { snap in
                var h = HTTPHeaders()
                h.add("content-type", "text/plain; version=0.0.4; charset=utf-8")
                responder.respond(status: 200, headers: h, body: Array(MetricsWriter.render(backend, snap).utf8))
            }
        case "/stats":
            json(responder, 200, StatsWriter.render(backend))
        case "/config":
            let snap = backend.store.snapshot()
            json(responder, 200, snap.config.redactedJSON(generation: snap.generation, sha256: backend.configDigest))
        case "/backends":
            json(responder, 200, StatsWriter.renderBackends(backend.endpoints()))
        case "/reload":
            reload(responder)
        case "/ratelimits":
            let filter = request.head.query.flatMap { q in
                q.split(separator: "&").first { $0.hasPrefix("key=") }.map { String($0.dropFirst(4)).removingPercentEncodingLite() }
            }
            Self.sendJSON(responder, 200, StatsWriter.renderRateLimits(backend.store.snapshot(), cluster: backend.cluster,
                                                                              keyFilter: filter))
        case "/explain":
            let (status, body) = Explain.run(request.body, snap: backend.store.snapshot())
            Self.sendJSON(responder, status, body)
        case "/cache":
            if request.head.method == .delete {
                for (_, c) in backend.caches() { c.purge() }
                backend.purgeSharedCaches(on: loop)
            }
            var out: [UInt8] = Array("{\"caches\":{".utf8)
            for (i, (name, c)) in backend.caches().enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.appendString(name, to: &out)
                out.append(UInt8(ascii: ":"))
                out += c.stats().json()
            }
            out += Array("}}".utf8)
            Self.sendJSON(responder, 200, out)
        default:
            responder.respondError(.notFound(request.head.path), path: request.head.path)
        }
    }

    private func reload(_ responder: HTTPResponder) {
        // Parsing and resolving happen off the loop; the answer comes back on it.
        let backend = self.backend
        let loop = self.loop
        nonisolated(unsafe) let r = responder
        DispatchOffLoop.run {
            let result = backend.reload()
            loop.execute {
                switch result {
                case .success(let (gen, restart)):
                    var body: [UInt8] = Array(#"{"generation":"#.utf8) + Array(String(gen).utf8)
                    body += Array(#","restart_required":["#.utf8)
                    for (i, s) in restart.enumerated() {
                        if i > 0 { body.append(UInt8(ascii: ",")) }
                        JSONWriter.appendString(s, to: &body)
                    }
                    body += Array("]}".utf8)
                    AdminHandler.sendJSON(r, 200, body)
                case .failure(let errs):
                    var body: [UInt8] = Array(#"{"errors":["#.utf8)
                    for (i, d) in errs.diagnostics.enumerated() {
                        if i > 0 { body.append(UInt8(ascii: ",")) }
                        JSONWriter.appendString(d.description, to: &body)
                    }
                    body += Array("]}".utf8)
                    AdminHandler.sendJSON(r, 400, body)
                }
            }
        }
    }

    private func text(_ r: HTTPResponder, _ status: Int, _ s: String) {
        var h = HTTPHeaders()
        h.add("content-type", "text/plain; charset=utf-8")
        r.respond(status: status, headers: h, body: Array(s.utf8))
    }

    private func json(_ r: HTTPResponder, _ status: Int, _ s: String) {
        Self.sendJSON(r, status, Array(s.utf8))
    }

    static func sendJSON(_ r: HTTPResponder, _ status: Int, _ body: [UInt8]) {
        var h = HTTPHeaders()
        h.add("content-type", "application/json")
        r.respond(status: status, headers: h, body: body)
    }
}
