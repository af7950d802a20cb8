import Testing
@testable import SluiceCore

@Suite struct TimerQueueTests {
    @Test func expiredTimers_fireInDeadlineOrder_onceEach() {
        let q = TimerQueue()
        var fired: [Int] = []
        let a = TimerNode { fired.append(1) }, b = TimerNode { fired.append(2) }, c = TimerNode { fired.append(3) }
        q.arm(a, now: 0, durationNanos: 30)
        q.arm(b, now: 0, durationNanos: 10)
        q.arm(c, now: 5, durationNanos: 10)
        #expect(q.earliestDeadline == 10)
        q.fireExpired(now: 15)
        #expect(fired == [2, 3])
        q.fireExpired(now: 15)
        #expect(fired == [2, 3])
        q.fireExpired(now: 30)
        #expect(fired == [2, 3, 1])
        #expect(!a.isArmed && q.earliestDeadline == nil)
    }

    @Test func detach_unlinksAnArmedNode_andReportsIt() {
        let q = TimerQueue()
        var fired = 0
        let a = TimerNode { fired += 1 }, b = TimerNode { fired += 10 }
        q.arm(a, now: 0, durationNanos: 10)
        q.arm(b, now: 0, durationNanos: 10)
        #expect(a.detach())
        #expect(!a.isArmed)
        #expect(!a.detach(), "a second detach finds nothing")
        q.fireExpired(now: 100)
        #expect(fired == 10)
    }

    @Test func rearming_movesTheDeadline() {
        let q = TimerQueue()
        var fired = 0
        let a = TimerNode { fired += 1 }
        q.arm(a, now: 0, durationNanos: 10)
        q.arm(a, now: 8, durationNanos: 10)
        q.fireExpired(now: 12)
        #expect(fired == 0)
        q.fireExpired(now: 18)
        #expect(fired == 1)
    }

    @Test func anActionArmingANewDuration_firesItLater() {
        let q = TimerQueue()
        var fired: [Int] = []
        let late = TimerNode { fired.append(2) }
        let first = TimerNode { fired.append(1); q.arm(late, now: 10, durationNanos: 7) }
        q.arm(first, now: 0, durationNanos: 10)
        q.fireExpired(now: 10)
        #expect(fired == [1])
        #expect(q.earliestDeadline == 17)
        q.fireExpired(now: 17)
        #expect(fired == [1, 2])
    }

    @Test func manyDurations_eachKeepsItsOwnOrder() {
        let q = TimerQueue()
        var fired: [UInt64] = []
        var nodes: [TimerNode] = []
        for d in stride(from: UInt64(100), through: 10, by: -10) {
            let n = TimerNode { fired.append(d) }
            nodes.append(n)
            q.arm(n, now: 0, durationNanos: d)
        }
        #expect(q.earliestDeadline == 10)
        q.fireExpired(now: 55)
        #expect(Set(fired) == [10, 20, 30, 40, 50])
        #expect(q.earliestDeadline == 60)
        q.fireExpired(now: 100)
        #expect(fired.count == 10)
        #expect(q.earliestDeadline == nil)
    }
}
