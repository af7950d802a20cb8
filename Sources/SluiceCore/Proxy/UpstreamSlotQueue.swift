/// A request waiting for a connection slot of an endpoint whose `max_connections` is reached.
protocol UpstreamSlotWaiter: AnyObject {
    /// Whether the queue entry made with `ticket` still waits: false once the waiter stopped waiting
    /// (answered, timed out, client gone) or queued again under a newer ticket. The queue skips it.
    func waitsForSlot(ticket: Int) -> Bool
    /// The pool's answer, given from inside the pool: an idle connection handed over, or nil when a
    /// slot was freed (the waiter acquires again). The waiter must go on in a later turn of the loop.
    func slotAvailable(_ connection: UpstreamConnection?)
}

/// The waiters of one endpoint on one loop, first come first served. Waiters that stop waiting stay
/// in place until they reach the head (skipped then) or until they are half the queue (compacted),
/// so leaving is O(1) and memory stays within twice the live waiters.
final class UpstreamSlotQueue {
    let endpoint: UpstreamEndpoint
    /// The backend's `max_connections` as of the latest waiter (the poll compares it with the
    /// endpoint's process-wide open connections).
    var maxConnections: Int
    private var items: [(waiter: UpstreamSlotWaiter, ticket: Int)] = []
    private var head = 0
    private var departed = 0

    init(endpoint: UpstreamEndpoint, maxConnections: Int) {
        self.endpoint = endpoint
        self.maxConnections = maxConnections
    }

    /// Entries in the queue (live or departed).
    var count: Int { items.count - head }

    /// Appends `w` under `ticket` (or puts it first: a woken waiter that lost the slot to a newcomer).
    func push(_ w: UpstreamSlotWaiter, ticket: Int, first: Bool) {
        if first {
            if head > 0 {
                head -= 1
                items[head] = (w, ticket)
            } else {
                items.insert((w, ticket), at: 0)
            }
        } else {
            items.append((w, ticket))
        }
    }

    /// The first waiter still waiting, removed from the queue; nil when none is left.
    func popLive() -> UpstreamSlotWaiter? {
        while head < items.count {
            let (w, ticket) = items[head]
            head += 1
            if w.waitsForSlot(ticket: ticket) {
                compactIfSparse()
                return w
            }
            departed = max(0, departed - 1)
        }
        items.removeAll(keepingCapacity: true)
        head = 0
        departed = 0
        return nil
    }

    /// A queued waiter stopped waiting.
    func noteDeparture() {
        departed += 1
        compactIfSparse()
    }

    private func compactIfSparse() {
        if head > 64 && head * 2 > items.count {
            items.removeSubrange(0..<head)
            head = 0
        }
        if departed > 64 && departed * 2 > count {
            items = items[head...].filter { $0.waiter.waitsForSlot(ticket: $0.ticket) }
            head = 0
            departed = 0
        }
    }
}
