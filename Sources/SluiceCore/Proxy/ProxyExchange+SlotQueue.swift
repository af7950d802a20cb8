/// Waiting for a connection slot: past a backend's `max_connections` the exchange queues on its
/// loop's `UpstreamPool` (see there) until a connection or a slot is handed to it, or until the
/// backend's `queue_timeout`.
extension ProxyExchange: UpstreamSlotWaiter {
    func waitsForSlot(ticket: Int) -> Bool { inSlotQueue && ticket == slotTicket && slotDeadline != 0 && !done }

    func slotAvailable(_ connection: UpstreamConnection?) {
        inSlotQueue = false
        if let extra = grantedConnection { ctx.pool.release(extra) }   // (not expected: one entry per wait)
        grantedConnection = connection
        // `grantedConnection` is the one owner of the handed connection until `send` or `leaveSlotQueue`
        // takes it, so the turn below holds the exchange itself: releasing a captured copy as well once
        // the exchange was gone gave the connection back twice when the exchange had ended (client gone,
        // queue timeout) and returned it in between, and two requests then shared one upstream connection.
        ctx.loop.soon { [self] in
            guard !done, slotDeadline != 0 else {
                leaveSlotQueue()
                return
            }
            send(fresh: false)
        }
    }

    /// The endpoint is at its `max_connections`: queue on this loop's pool, first come first served,
    /// until the backend's `queue_timeout`, then 503 `no_healthy_backend` (SPEC §11). At most
    /// `maxSlotWaiters` requests wait per loop (each is a client connection already, so
    /// `server.max_connections` bounds them first); past that they get the 503 at once. A waiter
    /// woken for a freed slot that a newcomer took first goes back to the front.
    func waitForConnectionSlot(_ backend: CompiledBackend, _ ep: UpstreamEndpoint) {
        let now = ctx.loop.now
        let first = slotDeadline != 0
        if !first {
            guard backend.queueTimeoutNanos > 0, ctx.slotWaiters < Self.maxSlotWaiters else {
                fail(.noHealthyBackend(backend.name))
                return
            }
            slotDeadline = now &+ backend.queueTimeoutNanos
            ctx.slotWaiters += 1
            let node = slotTimer ?? TimerNode()
            slotTimer = node
            let name = backend.name
            // Unowned: `deinit` unlinks the timer (a weak capture would give the exchange a side table).
            node.action = { [unowned self] in
                guard !self.done else { return }
                self.leaveSlotQueue()
                self.fail(.noHealthyBackend(name))
            }
            ctx.loop.timers.arm(node, now: now, durationNanos: backend.queueTimeoutNanos)
        }
        slotEndpoint = ep
        inSlotQueue = true
        slotTicket &+= 1
        ctx.pool.wait(self, ticket: slotTicket, for: ep, maxConnections: backend.maxConnections, first: first)
    }

    static let maxSlotWaiters = 65_536

    /// Stops waiting for a connection slot (got one, gave up, or the request ended); a connection
    /// handed over and not used goes back to the pool (to the next waiter).
    func leaveSlotQueue() {
        if let g = grantedConnection {
            grantedConnection = nil
            ctx.pool.release(g)
        }
        guard slotDeadline != 0 else { return }
        slotDeadline = 0
        ctx.slotWaiters -= 1
        if let t = slotTimer { ctx.loop.timers.cancel(t) }
        if inSlotQueue, let ep = slotEndpoint { ctx.pool.leftQueue(ep) }
        inSlotQueue = false
        slotEndpoint = nil
    }
}
