import Synchronization

/// Holds the current `RuntimeSnapshot`. Reload swaps it under a lock; loops check the atomic
/// generation per request and take the lock only when it changed, so the request path is lock-free.
final class ConfigStore: Sendable {
    private let current: Locked<RuntimeSnapshot>
    private let generationValue: Atomic<Int>

    init(_ snapshot: RuntimeSnapshot) {
        current = Locked(snapshot)
        generationValue = Atomic(snapshot.generation)
    }

    var generation: Int { generationValue.load(ordering: .acquiring) }

    func snapshot() -> RuntimeSnapshot { current.get() }

    func swap(_ snapshot: RuntimeSnapshot) {
        current.withLock { $0 = snapshot }
        generationValue.store(snapshot.generation, ordering: .releasing)
    }
}

/// A loop's cached view of the `ConfigStore`.
final class SnapshotCache {
    private let store: ConfigStore
    private var cached: RuntimeSnapshot

    init(store: ConfigStore) {
        self.store = store
        cached = store.snapshot()
    }

    /// The current snapshot; refreshed only when the generation moved.
    var current: RuntimeSnapshot {
        if store.generation != cached.generation { cached = store.snapshot() }
        return cached
    }
}
