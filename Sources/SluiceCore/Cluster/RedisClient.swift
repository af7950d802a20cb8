/// A Lua script run server-side by `EVALSHA`, with its SHA-1 computed once.
struct RedisScript: Sendable {
    let name: String
    let source: [UInt8]
    let sha: [UInt8]

    init(name: String, source: String) {
        self.name = name
        self.source = Array(source.utf8)
        sha = Array(SHA1Digest.hex(self.source).utf8)
    }
}

/// The Redis client of one event loop: `pool_size` pipelined connections, reconnected with
/// exponential backoff. A command is sent on the connected connection with the fewest
/// outstanding commands; when none is connected it fails at once (`.unavailable`), so nothing
/// waits on a Redis that is down. Loop-confined.
final class RedisClient {
    let loop: EventLoop
    let store: ClusterStore
    private let metrics: LoopMetrics
    private var slots: [Slot]
    private var cursor = 0
    private var stopped = false

    private struct Slot {
        var connection: RedisConnection?
        var backoffNanos: UInt64 = 0
        let timer = TimerNode()
    }

    static let minBackoffNanos: UInt64 = 100_000_000
    static let maxBackoffNanos: UInt64 = 5_000_000_000

    init(loop: EventLoop, store: ClusterStore, metrics: LoopMetrics) {
        self.loop = loop
        self.store = store
        self.metrics = metrics
        slots = (0..<store.config.redis.poolSize).map { _ in Slot() }
        for i in slots.indices {
            slots[i].timer.action = { [unowned self] in self.connect(i) }
        }
    }

    /// Opens the pool (call on the loop).
    func start() {
        for i in slots.indices { connect(i) }
    }

    /// Closes every connection; later commands fail `.unavailable`.
    func stop() {
        stopped = true
        for i in slots.indices {
            loop.timers.cancel(slots[i].timer)
            let c = slots[i].connection
            slots[i].connection = nil
            c?.close("client stopped")
        }
    }

    var connectedCount: Int { slots.reduce(0) { $0 + ($1.connection?.state == .ready ? 1 : 0) } }

    private func connect(_ i: Int) {
        guard !stopped, slots[i].connection == nil else { return }
        guard let address = store.resolvedAddress() else {
            scheduleReconnect(i, why: "cannot resolve \(store.config.redis.address.host)")
            return
        }
        do {
            let c = try RedisConnection.open(address: address, serverName: store.config.redis.address.host, loop: loop,
                                             config: store.config.redis, tls: store.tls,
                                             connectTimeoutNanos: max(store.config.redis.timeout.nanosecondsClamped &* 20, 1_000_000_000))
            c.onClose = { [unowned self] conn, why in
                guard i < self.slots.count, self.slots[i].connection === conn else { return }
                self.slots[i].connection = nil
                self.scheduleReconnect(i, why: why)
            }
            c.onReady = { [unowned self] _ in
                self.slots[i].backoffNanos = 0
                self.store.markUp()
            }
            slots[i].connection = c
        } catch {
            scheduleReconnect(i, why: "\(error)")
        }
    }

    private func scheduleReconnect(_ i: Int, why: String) {
        guard !stopped else { return }
        store.markDown(why)
        let b = slots[i].backoffNanos == 0 ? Self.minBackoffNanos : min(slots[i].backoffNanos * 2, Self.maxBackoffNanos)
        slots[i].backoffNanos = b
        loop.timers.arm(slots[i].timer, now: loop.now, durationNanos: b)
    }

    /// Sends one command; `callback` runs on this loop exactly once. `op` names it for metrics.
    /// `onLate` gets a reply that came after the command timed out.
    func send(_ op: ClusterOp, _ frame: [UInt8], onLate: ((RESPValue) -> Void)? = nil, _ callback: @escaping (RedisReply) -> Void) {
        var best: RedisConnection?
        let n = slots.count
        for k in 0..<n {
            let i = (cursor + k) % n
            guard let c = slots[i].connection, c.state == .ready else { continue }
            if best == nil || c.outstanding < best!.outstanding { best = c }
            if c.outstanding == 0 { break }
        }
        cursor = (cursor + 1) % max(n, 1)
        guard let conn = best else {
            store.recordError(op, metrics: metrics)
            callback(.failure(.unavailable))
            return
        }
        let started = SystemClock.monotonicNanos()
        let store = self.store
        let metrics = self.metrics
        conn.send(frame, onLate: onLate) { reply in
            switch reply {
            case .success(.error(let e)) where !e.hasPrefix("NOSCRIPT"):
                store.recordError(op, metrics: metrics)
                Logger.debug("redis \(op.rawValue): \(e)")
            case .success:
                store.recordLatency(op, seconds: Double(SystemClock.monotonicNanos() &- started) / 1e9, metrics: metrics)
            case .failure(let f):
                store.recordError(op, metrics: metrics)
                if f == .timeout { store.noteTimeout() }
            }
            callback(reply)
        }
    }

    /// Runs `script` by `EVALSHA`; when Redis lost it (`NOSCRIPT`, after a restart or `SCRIPT FLUSH`)
    /// sends it again with `EVAL`, which also caches it.
    func eval(_ op: ClusterOp, _ script: RedisScript, keys: [[UInt8]], args: [[UInt8]], onLate: ((RESPValue) -> Void)? = nil,
              _ callback: @escaping (RedisReply) -> Void) {
        var tail: [[UInt8]] = [Array(String(keys.count).utf8)]
        tail += keys
        tail += args
        send(op, RESPEncoder.command([Array("EVALSHA".utf8), script.sha] + tail), onLate: onLate) { [weak self] reply in
            if case .success(.error(let e)) = reply, e.hasPrefix("NOSCRIPT"), let self {
                self.send(op, RESPEncoder.command([Array("EVAL".utf8), script.source] + tail), onLate: onLate, callback)
                return
            }
            callback(reply)
        }
    }
}

/// Operations named in `cluster_store_errors_total{op}`.
enum ClusterOp: String, CaseIterable, Sendable {
    case admit, reconcile, lease, heartbeat
    case cacheGet = "cache_get"
    case cacheSet = "cache_set"
    case cacheDelete = "cache_delete"
}
