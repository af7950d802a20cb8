import Dispatch
import Synchronization

/// Re-resolves the backends' host names every `interval` (SPEC §2: every 30 s) on its own serial
/// Dispatch queue — getaddrinfo blocks, so never on a loop. The tick (`Gateway.refreshHosts`)
/// swaps in a snapshot with the new addresses when they changed. Stopped on shutdown.
final class HostRefresher: Sendable {
    static let defaultIntervalNanos: UInt64 = 30_000_000_000

    private let queue = DispatchQueue(label: "sluice.dns")
    private let stopped = Atomic<Bool>(false)
    let intervalNanos: UInt64

    init(intervalNanos: UInt64 = HostRefresher.defaultIntervalNanos) {
        self.intervalNanos = intervalNanos
    }

    /// Runs `tick` every interval until `stop()`.
    func start(_ tick: @escaping @Sendable () -> Void) {
        schedule(tick)
    }

    func stop() { stopped.store(true, ordering: .relaxed) }

    /// `hosts` looked up again; a name that fails to resolve keeps its previous addresses (a DNS
    /// hiccup must not empty a backend).
    static func resolveAgain(_ hosts: [HostPort: [SocketAddress]],
                             resolve: (String, Int) -> [SocketAddress]) -> [HostPort: [SocketAddress]] {
        var fresh: [HostPort: [SocketAddress]] = [:]
        for (hp, old) in hosts {
            let now = resolve(hp.host, hp.port)
            fresh[hp] = now.isEmpty ? old : now
        }
        return fresh
    }

    private func schedule(_ tick: @escaping @Sendable () -> Void) {
        queue.asyncAfter(deadline: .now() + .nanoseconds(Int(min(intervalNanos, UInt64(Int.max))))) { [self] in
            guard !stopped.load(ordering: .relaxed) else { return }
            tick()
            schedule(tick)
        }
    }
}
