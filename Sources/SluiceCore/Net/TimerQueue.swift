/// A deadline owned by a loop-confined object (a connection's header timeout, an upstream
/// first-byte timeout …). Arm it on the owning loop's `TimerQueue`; re-arming moves it.
final class TimerNode {
    fileprivate(set) var deadline: UInt64 = 0
    /// Back link: the previous node is kept alive by its own list links, so this one holds no count.
    fileprivate unowned(unsafe) var prev: TimerNode?
    fileprivate var next: TimerNode?
    /// The list while armed (strong: the list outlives its nodes' time in it, and a weak reference would
    /// cost a runtime call on every arm, cancel and `isArmed`).
    fileprivate var list: TimerList?
    /// Called on the loop thread when the deadline passes.
    var action: () -> Void

    init(action: @escaping () -> Void = {}) { self.action = action }

    var isArmed: Bool { list != nil }

    /// Unlinks the node from its queue if armed (an owner going away; on the owning loop's thread).
    /// Returns whether it was armed.
    @discardableResult
    func detach() -> Bool {
        guard let l = list else { return false }
        l.unlink(self)
        return true
    }
}

/// Timers of one fixed duration kept in FIFO order: arming appends at the tail, so the list stays
/// sorted by deadline and every operation is O(1). Durations come from config, so a loop holds a
/// handful of lists.
final class TimerList {
    fileprivate var head: TimerNode?
    /// Kept alive by the chain from `head`.
    fileprivate unowned(unsafe) var tail: TimerNode?

    fileprivate func append(_ node: TimerNode) {
        node.list = self
        node.prev = tail
        node.next = nil
        if let t = tail { t.next = node } else { head = node }
        tail = node
    }

    fileprivate func unlink(_ node: TimerNode) {
        if let p = node.prev { p.next = node.next } else { head = node.next }
        if let n = node.next { n.prev = node.prev } else { tail = node.prev }
        node.prev = nil
        node.next = nil
        node.list = nil
    }
}

/// All timers of one event loop, grouped by duration (see `TimerList`).
/// Loop-confined; the loop fires expired timers after each epoll round.
final class TimerQueue {
    /// One list per duration, `durations[i]` for `lists[i]`. A loop holds a handful, so a linear search
    /// beats hashing (`arm` runs several times per request; the loop reads every list once per round).
    private var durations: [UInt64] = []
    private var lists: [TimerList] = []

    /// Arms (or re-arms) `node` to fire `durationNanos` after `now`.
    func arm(_ node: TimerNode, now: UInt64, durationNanos: UInt64) {
        if let l = node.list { l.unlink(node) }
        node.deadline = now &+ durationNanos
        list(for: durationNanos).append(node)
    }

    private func list(for duration: UInt64) -> TimerList {
        for i in durations.indices where durations[i] == duration { return lists[i] }
        let l = TimerList()
        durations.append(duration)
        lists.append(l)
        return l
    }

    func cancel(_ node: TimerNode) {
        node.list?.unlink(node)
    }

    var earliestDeadline: UInt64? {
        var best: UInt64?
        for l in lists {
            if let h = l.head { best = min(best ?? h.deadline, h.deadline) }
        }
        return best
    }

    /// Fires every timer whose deadline is at or before `now`. (An action that arms a timer of a new
    /// duration appends a list: the loop walks the lists as they were when it started.)
    func fireExpired(now: UInt64) {
        for l in lists {
            while let h = l.head, h.deadline <= now {
                l.unlink(h)
                h.action()
            }
        }
    }
}
