import Testing
@testable import SluiceCore

/// The per-loop pool that lends read buffers to connections only while they hold bytes.
@Suite struct ReadBufferPoolTests {
    @Test func take_lendsAChunk_andCountsItHeld() {
        let pool = ReadBufferPool(chunkSize: 1024)
        let b = pool.take()
        #expect(b.count == 1024)
        #expect(pool.heldBytes == 1024)
        #expect(!pool.hasSpare)
    }

    @Test func give_emptiesTheBuffer_andKeepsItAsTheSpare() {
        let pool = ReadBufferPool(chunkSize: 1024)
        var b = pool.take()
        pool.give(&b)
        #expect(b.isEmpty)
        #expect(pool.heldBytes == 0)
        #expect(pool.hasSpare)
    }

    @Test func takeAfterGive_reusesTheSameStorage() {
        let pool = ReadBufferPool(chunkSize: 1024)
        var first = pool.take()
        let address = first.withUnsafeBytes { $0.baseAddress }
        pool.give(&first)
        let second = pool.take()
        #expect(second.withUnsafeBytes { $0.baseAddress } == address)
        #expect(!pool.hasSpare)
    }

    @Test func severalBorrowers_eachGetTheirOwnBuffer_andOnlyOneIsKept() {
        let pool = ReadBufferPool(chunkSize: 512)
        var a = pool.take()
        var b = pool.take()
        #expect(pool.heldBytes == 1024)
        a.withUnsafeMutableBytes { $0[0] = 1 }
        b.withUnsafeMutableBytes { $0[0] = 2 }
        #expect(a[0] == 1 && b[0] == 2)
        pool.give(&a)
        pool.give(&b)
        #expect(pool.heldBytes == 0)
        #expect(pool.hasSpare)
    }

    @Test func grownBuffer_keepsItsBytes_countsItsSize_andIsFreedWhenGiven() {
        let pool = ReadBufferPool(chunkSize: 256)
        var b = pool.take()
        b.withUnsafeMutableBytes { $0[255] = 7 }
        pool.grow(&b, by: 256)
        #expect(b.count == 512)
        #expect(b[255] == 7)
        #expect(pool.heldBytes == 512)
        pool.give(&b)
        #expect(pool.heldBytes == 0)
        #expect(!pool.hasSpare)
    }
}
