import Glibc
import Synchronization

/// The access log: each loop appends lines to its own bounded buffer; one writer thread drains
/// them to stdout or a file, so a slow sink never stalls a loop. What a full buffer drops is counted.
final class AccessLog: @unchecked Sendable {
    enum Sink: Equatable, Sendable { case off, stdout, file(String) }

    /// Bytes a loop may have waiting before lines are dropped.
    static let bufferLimit = 4 * 1024 * 1024

    /// A loop's lines: `bytes` fills under `lock`; the writer swaps it with `draining` (its own, under
    /// `drainLock`), writes that out and keeps its capacity, so neither side allocates (or faults in new
    /// pages) line after line.
    private final class LoopBuffer: @unchecked Sendable {
        let lock = PThreadLock()
        var bytes: [UInt8] = []
        var draining: [UInt8] = []
    }
    /// Serialises `drainOnce` (the writer thread, and `stop` at exit).
    private let drainLock = PThreadLock()
    /// Capacity a drained buffer keeps for the next swap.
    static let keptCapacity = 1 << 20

    private let buffers: [LoopBuffer]
    private let sinkBox: Locked<Sink>
    let dropped = Atomic<Int>(0)
    private let fdBox = Locked<Int32>(-1)
    private let running = Atomic<Bool>(true)
    private let reopenRequested = Atomic<Bool>(false)

    init(loopCount: Int, sink: Sink) {
        buffers = (0..<loopCount).map { _ in LoopBuffer() }
        sinkBox = Locked(sink)
        openSink()
    }

    var isEnabled: Bool { sinkBox.get() != .off }

    /// Changes the sink (reload).
    func setSink(_ sink: Sink) {
        let changed = sinkBox.withLock { old -> Bool in
            defer { old = sink }
            return old != sink
        }
        if changed { reopenRequested.store(true, ordering: .relaxed) }
    }

    /// Asks the writer to reopen the file (SIGUSR1, log rotation).
    func reopen() { reopenRequested.store(true, ordering: .relaxed) }

    /// Appends one line from loop `index` (loop thread).
    func append(loop index: Int, _ entry: AccessLogEntry) {
        let b = buffers[index]
        b.lock.withLock {
            guard b.bytes.count < Self.bufferLimit else {
                dropped.wrappingAdd(1, ordering: .relaxed)
                return
            }
            entry.write(into: &b.bytes)
        }
    }

    /// Starts the writer thread.
    func start() {
        Thread.spawn(name: "sluice-log") { [self] in
            while running.load(ordering: .relaxed) {
                drainOnce()
                usleep(20_000)
            }
            drainOnce()
        }
    }

    func stop() {
        running.store(false, ordering: .relaxed)
        drainOnce()
    }

    /// Writes everything buffered (writer thread, or at exit).
    func drainOnce() {
        drainLock.withLock {
            if reopenRequested.exchange(false, ordering: .relaxed) { openSink() }
            for b in buffers {
                b.lock.withLock { swap(&b.bytes, &b.draining) }
                guard !b.draining.isEmpty else { continue }
                let fd = fdBox.get()
                if fd >= 0 { Self.writeAll(fd, b.draining) }
                if b.draining.capacity > Self.keptCapacity {
                    b.draining = []
                } else {
                    b.draining.removeAll(keepingCapacity: true)
                }
            }
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var off = 0
            while off < raw.count {
                let n = write(fd, base + off, raw.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                off += n
            }
        }
    }

    private func openSink() {
        let sink = sinkBox.get()
        fdBox.withLock { fd in
            if fd > 2 { close(fd) }
            switch sink {
            case .off: fd = -1
            case .stdout: fd = 1
            case .file(let path):
                fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
                if fd < 0 { Logger.error("cannot open access log \(path): errno \(errno)") }
            }
        }
    }
}
