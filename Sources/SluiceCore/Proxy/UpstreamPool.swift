/// Keep-alive connections of one loop, per endpoint. Loop-confined.
///
/// Idle connections wait here (bounded per endpoint) watching for the upstream's close; a request
/// takes the most recently used one (warmest) or opens a new connection when none is idle.
/// Requests that find the endpoint at its `max_connections` queue here, first come first served: a
/// connection released on this loop goes straight to the first of them, a connection closed on this
/// loop wakes it to open a new one, and one poll per loop (not per waiter) every `slotPollNanos`
/// wakes as many as there are slots freed by other loops. Slots are process-wide, so a loop gives
/// its connections up while another loop's requests wait: one it releases is closed rather than kept
/// idle, and a loop whose waiters see no slot free for `shedAfterNanos` asks the others to close
/// their idle ones (`shedElsewhere`).
final class UpstreamPool {
    /// Idle connections closed after this long unused.
    static let idleTimeoutNanos: UInt64 = 60_000_000_000
    /// Idle connections kept per endpoint per loop.
    static let maxIdlePerEndpoint = 128

    /// How often slots freed on other loops are looked for while requests wait.
    static let slotPollNanos: UInt64 = 1_000_000
    /// How long waiters see no free slot before the other loops are asked to close idle connections.
    static let shedAfterNanos: UInt64 = 5_000_000

    let loop: EventLoop
    private var idle: [ObjectIdentifier: IdleList] = [:]

    /// One endpoint's idle connections, held by reference: taking and returning one is a dictionary lookup
    /// plus an array operation (a dictionary's in-place update goes through a costlier coroutine accessor).
    private final class IdleList {
        var connections: [UpstreamConnection] = []
    }
    private var waiting: [ObjectIdentifier: UpstreamSlotQueue] = [:]
    private let pollTimer = TimerNode()
    /// Asks the other loops' pools to close their idle connections to an endpoint (set by the gateway).
    var shedElsewhere: ((UpstreamEndpoint) -> Void)?
    /// Per endpoint with waiters: since when no slot was free.
    private var starvedSince: [ObjectIdentifier: UInt64] = [:]

    init(loop: EventLoop) {
        self.loop = loop
        pollTimer.action = { [unowned self] in self.pollSlots() }
    }

    deinit {
        // The poll timer captures the pool unowned: unlinked here, it cannot fire for a pool that is gone.
        pollTimer.detach()
    }

    /// A connection to `endpoint`: an idle one (`reused` true) or a new one.
    /// Fails when the endpoint's process-wide `max_connections` is reached and none is idle.
    func acquire(_ endpoint: UpstreamEndpoint, maxConnections: Int, tls: UpstreamTLS? = nil) throws(UpstreamFailure) -> (UpstreamConnection, reused: Bool) {
        if let list = idle[ObjectIdentifier(endpoint)], let c = list.connections.popLast() {
            return (c, true)
        }
        // Reserve the slot first (loops race for the same process-wide count); `open` counts the
        // connection itself, so the reservation goes once it exists or failed.
        let before = endpoint.openConnections.wrappingAdd(1, ordering: .relaxed).oldValue
        defer { endpoint.openConnections.wrappingSubtract(1, ordering: .relaxed) }
        if before >= maxConnections { throw .saturated }
        let c = try UpstreamConnection.open(to: endpoint, loop: loop, tls: tls)
        c.pool = self
        return (c, false)
    }

    /// Returns a connection whose exchange ended cleanly: to the first waiter, else to the idle list.
    func release(_ c: UpstreamConnection) {
        // A connection handed to a waiter that the upstream closed before it was used.
        guard c.state != .closed else { return }
        let key = ObjectIdentifier(c.endpoint)
        if let w = popLive(key) {
            w.slotAvailable(c)
            return
        }
        if c.endpoint.slotWaiters.load(ordering: .relaxed) > 0 {
            c.close()
            return
        }
        let list: IdleList
        if let l = idle[key] {
            list = l
        } else {
            list = IdleList()
            idle[key] = list
        }
        if list.connections.count >= Self.maxIdlePerEndpoint {
            c.close()
            return
        }
        list.connections.append(c)
    }

    /// Forgets an idle connection (closed by the upstream or timed out).
    func remove(_ c: UpstreamConnection) {
        let key = ObjectIdentifier(c.endpoint)
        guard let list = idle[key], let i = list.connections.firstIndex(where: { $0 === c }) else { return }
        list.connections.remove(at: i)
    }

    var idleCount: Int { idle.values.reduce(0) { $0 + $1.connections.count } }

    // MARK: waiting for a slot

    /// Queues `w` for a connection to `endpoint` (at the front: a woken waiter that lost the race).
    func wait(_ w: UpstreamSlotWaiter, ticket: Int, for endpoint: UpstreamEndpoint, maxConnections: Int,
              first: Bool = false) {
        let key = ObjectIdentifier(endpoint)
        let q = waiting[key] ?? UpstreamSlotQueue(endpoint: endpoint, maxConnections: maxConnections)
        waiting[key] = q
        q.maxConnections = maxConnections
        q.push(w, ticket: ticket, first: first)
        endpoint.slotWaiters.wrappingAdd(1, ordering: .relaxed)
        if !pollTimer.isArmed { loop.timers.arm(pollTimer, now: loop.now, durationNanos: Self.slotPollNanos) }
    }

    /// A waiter queued for `endpoint` stopped waiting before its turn.
    func leftQueue(_ endpoint: UpstreamEndpoint) {
        guard let q = waiting[ObjectIdentifier(endpoint)] else { return }
        q.noteDeparture()
        endpoint.slotWaiters.wrappingSubtract(1, ordering: .relaxed)
    }

    /// A connection of this loop to `endpoint` closed: its slot goes to the first waiter.
    func slotFreed(_ endpoint: UpstreamEndpoint) {
        popLive(ObjectIdentifier(endpoint))?.slotAvailable(nil)
    }

    /// Closes the idle connections to `endpoint` (another loop's requests wait for their slots).
    func shedIdle(_ endpoint: UpstreamEndpoint) {
        guard let list = idle.removeValue(forKey: ObjectIdentifier(endpoint)) else { return }
        for c in list.connections { c.close() }
    }

    /// Requests waiting on this loop (all endpoints, departed ones included until skipped).
    var waitingCount: Int { waiting.values.reduce(0) { $0 + $1.count } }

    private func popLive(_ key: ObjectIdentifier) -> UpstreamSlotWaiter? {
        guard let q = waiting[key], let w = q.popLive() else { return nil }
        q.endpoint.slotWaiters.wrappingSubtract(1, ordering: .relaxed)
        return w
    }

    /// Wakes as many waiters as other loops freed slots; asks the other loops to shed idle
    /// connections when none was free for `shedAfterNanos`; stops polling once no one waits.
    private func pollSlots() {
        let now = loop.now
        for (key, q) in waiting {
            var free = q.maxConnections - q.endpoint.openConnections.load(ordering: .relaxed)
            if free > 0 { starvedSince[key] = nil }
            while free > 0, let w = popLive(key) {
                w.slotAvailable(nil)
                free -= 1
            }
            if q.count == 0 {
                waiting[key] = nil
                starvedSince[key] = nil
            } else if free <= 0 {
                let since = starvedSince[key] ?? now
                starvedSince[key] = since
                if now &- since >= Self.shedAfterNanos {
                    shedElsewhere?(q.endpoint)
                    starvedSince[key] = now
                }
            }
        }
        if !waiting.isEmpty { loop.timers.arm(pollTimer, now: loop.now, durationNanos: Self.slotPollNanos) }
    }
}
