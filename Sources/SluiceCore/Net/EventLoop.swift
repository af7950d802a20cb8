import CSluiceLinux
import Glibc

/// Receives readiness events for one file descriptor registered on an `EventLoop`.
/// Implementations are loop-confined classes that own their fd.
protocol Selectable: AnyObject {
    func handleReadiness(_ events: UInt32)
}

/// Readiness bits (epoll).
enum Readiness {
    static let readable = UInt32(CSluiceLinux_EPOLLIN)
    static let writable = UInt32(CSluiceLinux_EPOLLOUT)
    static let error = UInt32(CSluiceLinux_EPOLLERR)
    static let hangup = UInt32(CSluiceLinux_EPOLLHUP)
    static let readHangup = UInt32(CSluiceLinux_EPOLLRDHUP)
}

/// One event loop: a thread with its own epoll set, an eventfd for cross-thread wake-ups and a
/// timerfd for its deadlines.
///
/// Everything registered on a loop (connections, listeners, pools) is touched only on its thread;
/// `execute(_:)` is the one thread-safe entry. A registration id (fd plus generation) is packed into
/// `epoll_data`, so events for a closed-and-reused fd are recognised as stale and dropped.
final class EventLoop: @unchecked Sendable {
    /// Index of this loop among the process's loops (0-based).
    let index: Int
    private let epfd: Int32
    private let wakeFD: Int32
    private let timerFD: Int32
    private var slots: [Slot] = []
    private var generation: UInt32 = 0
    private let pendingLock = PThreadLock()
    private var pendingTasks: [@Sendable () -> Void] = []
    /// The cross-thread tasks being run (loop thread only; swapped with `pendingTasks` under the lock).
    private var pendingRunning: [@Sendable () -> Void] = []
    /// Loop-confined work deferred to the end of the current round (see `soon`), and the batch being run.
    private var soonTasks: [() -> Void] = []
    private var soonRunning: [() -> Void] = []
    private var running = true
    let timers = TimerQueue()
    /// Read buffers lent to this loop's connections while they hold unparsed bytes.
    let readBuffers = ReadBufferPool()
    /// Request-body buffers reused from one request to the next (see `BodyBufferPool`).
    let bodyBuffers = BodyBufferPool()
    private var armedDeadline: UInt64 = 0
    /// Monotonic time of the current iteration, in nanoseconds (cheap "now" for timeouts).
    private(set) var now: UInt64 = SystemClock.monotonicNanos()
    /// Loop-local state hung on the loop by higher layers (pools, stats), keyed by type name.
    var attachments: [ObjectIdentifier: AnyObject] = [:]

    private struct Slot {
        var generation: UInt32 = 0
        var handler: Selectable?
    }

    private static let wakeToken: UInt64 = UInt64.max
    private static let timerToken: UInt64 = UInt64.max - 1

    init(index: Int) throws(IOError) {
        self.index = index
        epfd = CSluiceLinux_epoll_create()
        guard epfd >= 0 else { throw IOError(call: "epoll_create1", errno: CSluiceLinux_errno()) }
        wakeFD = CSluiceLinux_eventfd()
        guard wakeFD >= 0 else { throw IOError(call: "eventfd", errno: CSluiceLinux_errno()) }
        timerFD = CSluiceLinux_timerfd()
        guard timerFD >= 0 else { throw IOError(call: "timerfd_create", errno: CSluiceLinux_errno()) }
        _ = CSluiceLinux_epoll_add(epfd, wakeFD, Readiness.readable, Self.wakeToken)
        _ = CSluiceLinux_epoll_add(epfd, timerFD, Readiness.readable, Self.timerToken)
    }

    deinit {
        close(epfd)
        close(wakeFD)
        close(timerFD)
    }

    // MARK: registration (loop thread only)

    /// Registers `fd` for `events`; the handler is retained until `deregister`.
    func register(fd: Int32, events: UInt32, handler: Selectable) throws(IOError) {
        let i = Int(fd)
        if i >= slots.count { slots.append(contentsOf: repeatElement(Slot(), count: max(i + 1 - slots.count, 64))) }
        generation &+= 1
        slots[i] = Slot(generation: generation, handler: handler)
        if CSluiceLinux_epoll_add(epfd, fd, events, Self.token(fd: fd, generation: generation)) != 0 {
            slots[i].handler = nil
            throw IOError(call: "epoll_ctl(ADD)", errno: CSluiceLinux_errno())
        }
    }

    /// Changes the interest set of a registered fd.
    func modify(fd: Int32, events: UInt32) {
        let i = Int(fd)
        guard i < slots.count, slots[i].handler != nil else { return }
        _ = CSluiceLinux_epoll_mod(epfd, fd, events, Self.token(fd: fd, generation: slots[i].generation))
    }

    /// Removes `fd` from the set (call before closing it).
    func deregister(fd: Int32) {
        let i = Int(fd)
        guard i < slots.count, slots[i].handler != nil else { return }
        slots[i].handler = nil
        _ = CSluiceLinux_epoll_del(epfd, fd)
    }

    private static func token(fd: Int32, generation: UInt32) -> UInt64 {
        UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
    }

    // MARK: cross-thread

    /// Runs `task` on the loop thread soon. Thread-safe.
    func execute(_ task: @escaping @Sendable () -> Void) {
        pendingLock.withLock { pendingTasks.append(task) }
        _ = CSluiceLinux_eventfd_signal(wakeFD)
    }

    /// Runs `task` on this loop after the current round of events and timers, before the loop waits
    /// again: for work that must not run inside the caller (re-entrancy). Loop thread only.
    func soon(_ task: @escaping () -> Void) {
        soonTasks.append(task)
    }

    /// Asks the loop to return from `run()`. Thread-safe.
    func stop() {
        execute { [unowned self] in self.running = false }
    }

    // MARK: the loop

    /// Runs until `stop()`; call on the loop's own thread.
    func run() {
        var events = [CSluiceLinux_event](repeating: CSluiceLinux_event(), count: 256)
        while running {
            let n = CSluiceLinux_epoll_wait(epfd, &events, 256, -1)
            now = SystemClock.monotonicNanos()
            if n < 0 {
                if CSluiceLinux_errno() == EINTR { continue }
                Logger.error("epoll_wait failed: errno \(CSluiceLinux_errno())")
                return
            }
            for k in 0..<Int(n) {
                let ev = events[k]
                switch ev.data {
                case Self.wakeToken:
                    _ = CSluiceLinux_eventfd_drain(wakeFD)
                    runPendingTasks()
                case Self.timerToken:
                    _ = CSluiceLinux_timerfd_drain(timerFD)
                    armedDeadline = 0
                default:
                    let fd = Int(UInt32(truncatingIfNeeded: ev.data))
                    let gen = UInt32(truncatingIfNeeded: ev.data >> 32)
                    guard fd < slots.count, slots[fd].generation == gen, let h = slots[fd].handler else { continue }
                    h.handleReadiness(ev.events)
                }
            }
            timers.fireExpired(now: now)
            while !soonTasks.isEmpty {
                // Two arrays take turns, so neither is reallocated round after round.
                swap(&soonRunning, &soonTasks)
                for t in soonRunning { t() }
                soonRunning.removeAll(keepingCapacity: true)
            }
            rearmTimer()
        }
    }

    private func runPendingTasks() {
        pendingLock.withLock { swap(&pendingRunning, &pendingTasks) }
        for t in pendingRunning { t() }
        pendingRunning.removeAll(keepingCapacity: true)
    }

    private func rearmTimer() {
        guard let next = timers.earliestDeadline else { return }
        if armedDeadline == 0 || next < armedDeadline {
            armedDeadline = next
            _ = CSluiceLinux_timerfd_arm(timerFD, next)
        }
    }

    /// Refreshes `now` (for code that needs fresh time mid-iteration).
    func refreshNow() -> UInt64 {
        now = SystemClock.monotonicNanos()
        return now
    }
}
