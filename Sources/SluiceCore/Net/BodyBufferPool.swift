/// Request-body buffers of one event loop, reused from one request to the next.
///
/// A 1 KB chat body is past the size glibc's per-thread cache serves (1,032 bytes), so a fresh buffer
/// per request went through malloc's large-chunk path, which first merges every small free chunk
/// (`malloc_consolidate`) and so slowed the small allocations around it as well. The connection reading
/// a body takes a buffer here (`take`), and the exchange that consumed it gives it back when it ends
/// (`give`).
///
/// Bounded: spare buffers of at most `maxPooledCapacity` bytes each, `maxSpareBytes` in all, are kept
/// (a larger body's buffer is freed as before). Loop-confined.
final class BodyBufferPool: @unchecked Sendable {
    /// Largest buffer kept for reuse (bigger bodies are rare: their buffers are freed).
    static let maxPooledCapacity = 64 * 1024
    /// Bytes of spare buffers kept at most per loop (a thousand 1 KB bodies, sixteen of 64 KB).
    static let maxSpareBytes = 1024 * 1024

    private var spares: [[UInt8]] = []
    private var spareBytes = 0

    /// Spare buffers now, and their bytes (tests).
    var spareCount: Int { spares.count }
    var heldSpareBytes: Int { spareBytes }

    /// An empty buffer with room for `capacity` bytes: the newest spare when large enough, else a new one.
    @inline(__always)
    func take(capacity: Int) -> [UInt8] {
        if capacity <= Self.maxPooledCapacity, var b = spares.popLast() {
            spareBytes -= b.capacity
            if b.capacity >= capacity { return b }
            // Too small for this body: reallocated, as a fresh buffer would have been.
            b.reserveCapacity(capacity)
            return b
        }
        var b: [UInt8] = []
        b.reserveCapacity(capacity)
        return b
    }

    /// Takes back a body buffer whose bytes are no longer needed and leaves `buffer` empty; kept when there
    /// is room. (Storage that something else still shares is not reused: emptying it gives the pool a new
    /// buffer of the same capacity, the allocation the next `take` would have made.)
    func give(_ buffer: inout [UInt8]) {
        var b: [UInt8] = []
        swap(&b, &buffer)
        let cap = b.capacity
        guard cap >= 256, cap <= Self.maxPooledCapacity, spareBytes + cap <= Self.maxSpareBytes else { return }
        b.removeAll(keepingCapacity: true)
        spareBytes += cap
        spares.append(b)
    }
}
