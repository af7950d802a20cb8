import Testing
@testable import SluiceCore

/// The per-loop pool that reuses request-body buffers from one request to the next.
@Suite struct BodyBufferPoolTests {
    @Test func take_givesAnEmptyBufferWithRoom() {
        let pool = BodyBufferPool()
        let b = pool.take(capacity: 1500)
        #expect(b.isEmpty)
        #expect(b.capacity >= 1500)
    }

    @Test func takeAfterGive_reusesTheSameStorage_empty() {
        let pool = BodyBufferPool()
        var first = pool.take(capacity: 1024)
        first.append(contentsOf: repeatElement(7, count: 1024))
        let address = first.withUnsafeBytes { $0.baseAddress }
        pool.give(&first)
        #expect(first.isEmpty)
        #expect(pool.spareCount == 1)
        let second = pool.take(capacity: 900)
        #expect(second.isEmpty)
        #expect(second.withUnsafeBytes { $0.baseAddress } == address)
        #expect(pool.spareCount == 0 && pool.heldSpareBytes == 0)
    }

    @Test func aSpareTooSmall_isReplacedByOneLargeEnough() {
        let pool = BodyBufferPool()
        var small = pool.take(capacity: 512)
        small.append(1)
        pool.give(&small)
        let big = pool.take(capacity: 4096)
        #expect(big.isEmpty)
        #expect(big.capacity >= 4096)
        #expect(pool.spareCount == 0)
    }

    @Test func sharedStorage_isLeftIntactForItsOtherHolder() {
        let pool = BodyBufferPool()
        var body = pool.take(capacity: 2048)
        body.append(contentsOf: Array("{\"model\":\"m\"}".utf8))
        let kept = body
        pool.give(&body)
        var next = pool.take(capacity: 2048)
        next.append(contentsOf: repeatElement(0x41, count: 2048))
        #expect(kept == Array("{\"model\":\"m\"}".utf8))
    }

    @Test func tinyAndHugeBuffers_areNotKept() {
        let pool = BodyBufferPool()
        var tiny: [UInt8] = [1, 2, 3]
        pool.give(&tiny)
        var huge = pool.take(capacity: BodyBufferPool.maxPooledCapacity + 1)
        huge.append(1)
        pool.give(&huge)
        #expect(pool.spareCount == 0)
        #expect(tiny.isEmpty && huge.isEmpty)
    }

    @Test func spareBytes_stayWithinTheirBound() {
        let pool = BodyBufferPool()
        var held: [[UInt8]] = []
        for _ in 0..<40 { held.append(pool.take(capacity: 60 * 1024)) }
        for i in held.indices { pool.give(&held[i]) }
        #expect(pool.heldSpareBytes <= BodyBufferPool.maxSpareBytes)
        #expect(pool.spareCount < 40)
        #expect(pool.spareCount > 0)
    }
}
