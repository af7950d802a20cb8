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
    private var lists: [UInt64: TimerList] = [:]

    /// Arms (or re-arms) `node` to fire `durationNanos` after `now`.
    func arm(_ node: TimerNode, now: UInt64, durationNanos: UInt64) {
        if let l = node.list { l.unlink(node) }
        node.deadline = now &+ durationNanos
        let list: TimerList
        if let l = lists[durationNanos] { list = l } else { list = TimerList(); lists[durationNanos] = list }
        list.append(node)
    }

    func cancel(_ node: TimerNode) {
        node.list?.unlink(node)
    }

    var earliestDeadline: UInt64? {
        var best: UInt64?
        for (_, l) in lists {
            if let h = l.head { best = min(best ?? h.deadline, h.deadline) }
        }
        return best
    }

    /// Fires every timer whose deadline is at or before `now`.
    func fireExpired(now: UInt64) {
        for (_, l) in lists {
            while let h = l.head, h.deadline <= now {
                l.unlink(h)
                h.action()
            }
        }
    }
}
