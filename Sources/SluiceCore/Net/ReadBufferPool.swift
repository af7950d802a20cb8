import Synchronization

/// The read buffers of one event loop's connections, lent only while a connection holds bytes.
///
/// A connection holds no read buffer while it has no unparsed bytes: it takes one from its loop's
/// pool for a read (`take`) and gives it back once everything read was consumed (`give`); one that
/// keeps bytes (a partial head or body, pipelined requests behind an answer) keeps its buffer until
/// they are consumed. So 10,000 idle keep-alive connections hold no buffer, and a loop serving one
/// request at a time reuses one buffer: taking and giving swap an array in and out of the loop's
/// one spare slot, they neither allocate nor clear memory. A buffer given back while the slot is
/// taken (several connections hold bytes at once), or grown past `chunkSize` (a large head), is
/// freed instead: the pool never holds more than one idle buffer.
///
/// Loop-confined, except `heldBytes`, which other threads may read (`/stats`).
final class ReadBufferPool: Sendable {
    /// Size of a fresh buffer (one `read` fills at most this much).
    let chunkSize: Int
    /// Bytes of the buffers lent to connections now (grown buffers count their grown size).
    /// Written by the loop thread only (a load and a store, no read-modify-write), read by any.
    private let held = Atomic<Int>(0)
    // Loop-confined; `Sendable` holds for the class because only `held` crosses threads.
    nonisolated(unsafe) private var spare: [UInt8]?

    init(chunkSize: Int = 16 * 1024) {
        self.chunkSize = chunkSize
    }

    /// Bytes held by the loop's connections now: 0 when every connection is idle.
    var heldBytes: Int { held.load(ordering: .relaxed) }

    /// Whether a buffer waits for the next `take` (tests).
    var hasSpare: Bool { spare != nil }

    /// Lends a buffer of `chunkSize` bytes: a spare, or a new one. Its contents are unspecified
    /// (a new one is not zero-filled): the borrower reads into it before looking at a byte.
    @inline(__always)
    func take() -> [UInt8] {
        addHeld(chunkSize)
        if let b = spare.take() { return b }
        return [UInt8](unsafeUninitializedCapacity: chunkSize) { _, count in count = chunkSize }
    }

    /// Grows a lent buffer by `extra` bytes (a head larger than `chunkSize`), keeping its bytes.
    func grow(_ buffer: inout [UInt8], by extra: Int) {
        addHeld(extra)
        buffer.append(contentsOf: repeatElement(0, count: extra))
    }

    /// Takes back a lent buffer and leaves `buffer` empty. The caller has consumed its bytes.
    @inline(__always)
    func give(_ buffer: inout [UInt8]) {
        addHeld(-buffer.count)
        var b: [UInt8] = []
        swap(&b, &buffer)
        if spare == nil && b.count == chunkSize { spare = consume b }
    }

    @inline(__always)
    private func addHeld(_ n: Int) {
        held.store(held.load(ordering: .relaxed) &+ n, ordering: .relaxed)
    }
}
