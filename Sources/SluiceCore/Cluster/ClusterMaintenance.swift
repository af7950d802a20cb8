/// The store's periodic work, on one loop: the heartbeat (every second) and the lease flush
/// (every 100 ms). Loop-confined.
final class ClusterMaintenance {
    private let store: ClusterStore
    private let client: RedisClient
    private let beat = TimerNode()
    private let flush = TimerNode()

    private init(store: ClusterStore, client: RedisClient) {
        self.store = store
        self.client = client
    }

    /// Starts the timers on the client's loop (call on that loop); they live as long as the loop.
    static func start(store: ClusterStore, client: RedisClient) {
        let m = ClusterMaintenance(store: store, client: client)
        let loop = client.loop
        m.beat.action = { [m] in
            if client.connectedCount > 0 { m.store.heartbeat(client: client) }
            loop.timers.arm(m.beat, now: loop.now, durationNanos: ClusterStore.heartbeatNanos)
        }
        m.flush.action = { [m] in
            if client.connectedCount > 0 { m.store.flushLeases(client: client) }
            loop.timers.arm(m.flush, now: loop.now, durationNanos: ClusterStore.leaseFlushNanos)
        }
        // The first beat as soon as a connection is likely up.
        loop.timers.arm(m.beat, now: loop.now, durationNanos: 50_000_000)
        loop.timers.arm(m.flush, now: loop.now, durationNanos: ClusterStore.leaseFlushNanos)
    }
}
