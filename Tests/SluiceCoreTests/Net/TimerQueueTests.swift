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
}
