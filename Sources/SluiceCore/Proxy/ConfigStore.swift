import Synchronization

/// Holds the current `RuntimeSnapshot`. Reload (and a DNS change, which keeps the generation)
/// swaps it under a lock and bumps an atomic revision; loops check the revision per request and take
/// the lock only when it changed, so the request path is lock-free.
final class ConfigStore: Sendable {
    private let current: Locked<RuntimeSnapshot>
    private let generationValue: Atomic<Int>
    private let revisionValue = Atomic<Int>(1)

    init(_ snapshot: RuntimeSnapshot) {
        current = Locked(snapshot)
        generationValue = Atomic(snapshot.generation)
    }

    /// The config generation (`config_generation`).
    var generation: Int { generationValue.load(ordering: .acquiring) }

    /// Changes with every swap.
    var revision: Int { revisionValue.load(ordering: .acquiring) }

    func snapshot() -> RuntimeSnapshot { current.get() }

    func swap(_ snapshot: RuntimeSnapshot) {
        current.withLock { $0 = snapshot }
        generationValue.store(snapshot.generation, ordering: .releasing)
        revisionValue.wrappingAdd(1, ordering: .releasing)
    }
}

/// A loop's cached view of the `ConfigStore`.
final class SnapshotCache {
    private let store: ConfigStore
    private var cached: RuntimeSnapshot
    private var revision: Int

    init(store: ConfigStore) {
        self.store = store
        revision = store.revision
        cached = store.snapshot()
    }

    /// The current snapshot; refreshed only when the store's revision moved.
    var current: RuntimeSnapshot {
        let r = store.revision
        if r != revision {
            // Revision first, then the snapshot: the snapshot read is at least as new.
            revision = r
            cached = store.snapshot()
        }
        return cached
    }
}
