import Testing
@testable import SluiceCore

private let second: UInt64 = 1_000_000_000

@Test func tokenBucket_new_startsFull() {
    let b = TokenBucket(limit: 10, windowNanos: second, burst: 20, now: 5)
    #expect(b.available == 20)
    #expect(b.remaining == 20)
    #expect(b.isFull)
    #expect(b.nanosUntilFull() == 0)
    #expect(b.updatedAt == 5)
}

@Test func tokenBucket_nonPositiveParameters_areRaisedToOne() {
    let b = TokenBucket(limit: 0, windowNanos: 0, burst: -3, now: 0)
    #expect(b.limit == 1 && b.windowNanos == 1 && b.burst == 1)
    #expect(b.canTake(1))
}

@Test func tokenBucket_take_reducesAvailable() {
    var b = TokenBucket(limit: 10, windowNanos: second, burst: 10, now: 0)
    #expect(b.canTake(10))
    b.take(4)
    #expect(b.available == 6)
    #expect(!b.isFull)
    #expect(b.canTake(6))
    #expect(!b.canTake(7))
}

@Test func tokenBucket_refill_isContinuous() {
    var b = TokenBucket(limit: 10, windowNanos: second, burst: 10, now: 0)
    b.take(10)
    b.refill(now: second / 2)
    #expect(b.available == 5)
    b.refill(now: second / 2 + second / 10)
    #expect(b.available == 6)
}

@Test func tokenBucket_refill_capsAtBurst() {
    var b = TokenBucket(limit: 10, windowNanos: second, burst: 15, now: 0)
    b.take(15)
    b.refill(now: 100 * second)
    #expect(b.available == 15)
    #expect(b.isFull)
}

@Test func tokenBucket_refill_withBackwardsClock_addsNothing() {
    var b = TokenBucket(limit: 10, windowNanos: second, burst: 10, now: 10 * second)
    b.take(5)
    b.refill(now: 3 * second)
    #expect(b.available == 5)
    #expect(b.updatedAt == 10 * second)
}

@Test func tokenBucket_refill_hugeElapsedAndLimit_doesNotOverflow() {
    var b = TokenBucket(limit: Int.max, windowNanos: 1, burst: Int.max, now: 0)
    b.take(Int.max)
    b.refill(now: UInt64.max)
    #expect(b.isFull)
}

@Test func tokenBucket_debt_admitsNothingUntilRefilled() {
    var b = TokenBucket(limit: 10, windowNanos: second, burst: 10, now: 0)
    b.take(15)
    #expect(b.available == -5)
    #expect(b.remaining == 0)
    #expect(b.balance == -5)
    #expect(!b.canTake(0))
    #expect(!b.canTake(1))
    b.refill(now: second / 2)
    #expect(b.available == 0)
    #expect(b.canTake(0))
    #expect(!b.canTake(1))
}

@Test func tokenBucket_balance_roundsTowardsMinusInfinity() {
    var b = TokenBucket(limit: 4, windowNanos: second, burst: 4, now: 0)
    b.take(6) // -2
    b.refill(now: second / 8) // +0.5 → -1.5
    #expect(b.available == -1.5)
    #expect(b.balance == -2)
    #expect(b.remaining == 0)
}

@Test func tokenBucket_give_refundsCappedAtBurst() {
    var b = TokenBucket(limit: 10, windowNanos: second, burst: 10, now: 0)
    b.take(3)
    b.give(2)
    #expect(b.available == 9)
    b.give(50)
    #expect(b.available == 10)
    #expect(b.isFull)
}

@Test func tokenBucket_negativeAmounts_countAsZero() {
    var b = TokenBucket(limit: 10, windowNanos: second, burst: 10, now: 0)
    b.take(-5)
    #expect(b.available == 10)
    b.take(4)
    b.give(-3)
    #expect(b.available == 6)
}

@Test func tokenBucket_nanosUntil_isExactAndSufficient() {
    var b = TokenBucket(limit: 3, windowNanos: second, burst: 3, now: 0)
    b.take(3)
    let wait = b.nanosUntil(1)
    #expect(wait == 333_333_334)
    var later = b
    later.refill(now: wait)
    #expect(later.canTake(1))
    var earlier = b
    earlier.refill(now: wait - 1)
    #expect(!earlier.canTake(1))
}

@Test func tokenBucket_nanosUntil_zeroWhenAvailable_neverAboveBurst() {
    var b = TokenBucket(limit: 10, windowNanos: second, burst: 10, now: 0)
    #expect(b.nanosUntil(10) == 0)
    #expect(b.nanosUntil(11) == UInt64.max)
    b.take(12)
    #expect(b.nanosUntil(0) == second / 5)
    #expect(b.nanosUntil(10) == second * 6 / 5)
}

@Test func tokenBucket_nanosUntilFull_accountsForDebt() {
    var b = TokenBucket(limit: 60, windowNanos: 60 * second, burst: 60, now: 0)
    b.take(90)
    #expect(b.nanosUntilFull() == 90 * second)
}

@Test func tokenBucket_equatable_comparesState() {
    var a = TokenBucket(limit: 10, windowNanos: second, burst: 10, now: 0)
    let b = TokenBucket(limit: 10, windowNanos: second, burst: 10, now: 0)
    #expect(a == b)
    a.take(1)
    #expect(a != b)
}
