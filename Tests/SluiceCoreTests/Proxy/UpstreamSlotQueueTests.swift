import Testing
@testable import SluiceCore

@Suite struct UpstreamSlotQueueTests {
    final class Waiter: UpstreamSlotWaiter {
        let id: Int
        var waitsForSlot = true
        var ticket = 0
        init(_ id: Int) { self.id = id }
        func waitsForSlot(ticket: Int) -> Bool { waitsForSlot && ticket == self.ticket }
        func slotAvailable(_ connection: UpstreamConnection?) { waitsForSlot = false }
    }

    private func queue() -> UpstreamSlotQueue {
        UpstreamSlotQueue(endpoint: UpstreamEndpoint(backendName: "b", url: "http://127.0.0.1:9", address: nil, hostHeader: "127.0.0.1:9", useTLS: false), maxConnections: 1)
    }

    private func drain(_ q: UpstreamSlotQueue) -> [Int] {
        var out: [Int] = []
        while let w = q.popLive() as? Waiter { out.append(w.id) }
        return out
    }

    @Test func waiters_leaveInArrivalOrder() {
        let q = queue()
        for i in 0..<5 { q.push(Waiter(i), ticket: 0, first: false) }
        #expect(drain(q) == [0, 1, 2, 3, 4])
        #expect(q.count == 0)
        #expect(q.popLive() == nil)
    }

    @Test func wokenWaiterThatLostTheSlot_goesBackToTheFront() {
        let q = queue()
        for i in 0..<3 { q.push(Waiter(i), ticket: 0, first: false) }
        let w0 = q.popLive()
        #expect((w0 as? Waiter)?.id == 0)
        q.push(Waiter(9), ticket: 0, first: true)
        q.push(Waiter(3), ticket: 0, first: false)
        #expect(drain(q) == [9, 1, 2, 3])
        let empty = queue()
        empty.push(Waiter(7), ticket: 0, first: true)
        #expect(drain(empty) == [7])
    }

    @Test func departedWaiters_areSkipped() {
        let q = queue()
        let ws = (0..<6).map(Waiter.init)
        for w in ws { q.push(w, ticket: 0, first: false) }
        for i in [0, 2, 3] {
            ws[i].waitsForSlot = false
            q.noteDeparture()
        }
        #expect(drain(q) == [1, 4, 5])
    }

    @Test func manyDepartures_compactTheQueue() {
        let q = queue()
        let ws = (0..<1_000).map(Waiter.init)
        for w in ws { q.push(w, ticket: 0, first: false) }
        for w in ws where w.id % 10 != 0 {
            w.waitsForSlot = false
            q.noteDeparture()
        }
        #expect(q.count <= 2 * 100 + 64, "departed entries do not pile up (\(q.count))")
        #expect(drain(q) == stride(from: 0, to: 1_000, by: 10).map { $0 })
    }

    @Test func waiterQueuedAgain_isServedOnceUnderItsNewTicket() {
        let q = queue()
        let a = Waiter(1), b = Waiter(2)
        q.push(a, ticket: 0, first: false)
        q.push(b, ticket: 0, first: false)
        // `a` leaves (its entry stays behind) and waits again: only the new entry counts.
        a.ticket = 1
        q.noteDeparture()
        q.push(a, ticket: 1, first: false)
        #expect(drain(q) == [2, 1])
        #expect(q.popLive() == nil)
    }
}
