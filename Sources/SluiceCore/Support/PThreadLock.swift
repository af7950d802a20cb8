import Glibc

/// A mutex around `pthread_mutex_t` for cross-loop state (config snapshot, access-log buffers, buckets).
///
/// ThreadSanitizer understands pthread mutexes, so it is used instead of `Synchronization.Mutex`
/// where several event-loop threads meet. Never hold it across I/O.
final class PThreadLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        let rc = pthread_mutex_init(mutex, nil)
        precondition(rc == 0, "pthread_mutex_init failed: \(rc)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    @inline(__always)
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

/// A value guarded by a `PThreadLock`.
final class Locked<Value>: @unchecked Sendable {
    private let lock = PThreadLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        try lock.withLock { try body(&value) }
    }

    func get() -> Value { lock.withLock { value } }
}
